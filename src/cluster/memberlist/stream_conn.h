// StreamConn: one memberlist TCP connection (either side): connect with a timeout, an overall
// deadline that closes the socket, writes, and reading exactly one stream message (optional
// label, optional compress wrapper) through the incremental parser with size limits.
// Threading: each connection has its own strand (its socket's executor); completion handlers run
// there. Owners hold it by shared_ptr; pending operations keep it alive.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "cluster/memberlist/stream_message.h"

namespace am::cluster::memberlist {

class StreamConn : public std::enable_shared_from_this<StreamConn> {
 public:
  using ReadFn =
      std::function<void(const std::string& err, StreamMessage msg, const std::string& label)>;
  using IoFn = std::function<void(const boost::system::error_code& ec)>;

  // Outbound: a socket on a new strand of `io`.
  explicit StreamConn(boost::asio::io_context& io);
  // Inbound: an accepted socket (its executor should be a strand).
  explicit StreamConn(boost::asio::ip::tcp::socket sock);

  // Closes the socket when `d` has passed (replacing any earlier deadline).
  void SetDeadline(std::chrono::steady_clock::duration d);
  void Connect(const boost::asio::ip::tcp::endpoint& to, IoFn done);
  void Write(std::string data, IoFn done);
  // Reads one message. With strip_label, a leading label header is removed and reported.
  // err "EOF" means the peer closed before sending anything.
  void Read(const StreamLimits& limits, bool strip_label, ReadFn done);
  void Close();
  std::string RemoteAddress() const { return remote_; }

 private:
  void ReadMore(const StreamLimits& limits, bool strip_label, std::shared_ptr<ReadFn> done);
  void TryParse(const StreamLimits& limits, bool strip_label, std::shared_ptr<ReadFn> done,
                bool eof);

  boost::asio::ip::tcp::socket sock_;
  boost::asio::steady_timer deadline_;
  std::string rbuf_;
  std::string wbuf_;
  std::string remote_;
  bool closed_ = false;
  bool timed_out_ = false;
};

}  // namespace am::cluster::memberlist

// StreamConn: one memberlist stream connection (either side) over a ByteStream (plain TCP or
// TLS): connect, an overall deadline that closes the connection, writes, and reading exactly one
// stream message (optional label, optional compress wrapper) through the incremental parser with
// size limits.
// Threading: each connection has its own strand (its ByteStream's executor); completion handlers
// run there. Owners hold it by shared_ptr; pending operations keep it alive.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <system_error>

#include "cluster/memberlist/stream_message.h"
#include "cluster/memberlist/transport.h"

namespace am::cluster::memberlist {

class StreamConn : public std::enable_shared_from_this<StreamConn> {
 public:
  using ReadFn =
      std::function<void(const std::string& err, StreamMessage msg, const std::string& label)>;
  using IoFn = std::function<void(const boost::system::error_code& ec)>;

  // `initial`: bytes of the stream already read from the connection (the TLS transport reads
  // past its preamble frame); they are parsed before anything else is read.
  explicit StreamConn(std::unique_ptr<ByteStream> stream, std::string initial = {});

  // Closes the connection when `d` has passed (replacing any earlier deadline).
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

  std::unique_ptr<ByteStream> stream_;
  boost::asio::steady_timer deadline_;
  std::string rbuf_;
  std::string wbuf_;
  std::string remote_;
  bool closed_ = false;
  bool timed_out_ = false;
};

}  // namespace am::cluster::memberlist

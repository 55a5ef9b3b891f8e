// TlsPacketPool: the outbound half of the TLS transport's packets (Go's connectionPool): one
// reused TLS connection per destination "ip:port", at most `pool_capacity` of them (least
// recently used evicted). Each packet is written as one PACKET frame in a single write. A
// connection dials (TCP + handshake within tcp_timeout) on first use, queues a bounded number of
// frames meanwhile, keeps a read pending only to notice the peer closing it, closes itself after
// `idle_timeout` without packets or when a write does not finish within tcp_timeout, and is then
// replaced on the next send. Packets to a dead or overfull connection are dropped and counted as
// write errors (packets are best-effort, as over UDP).
// Threading: Send and Shutdown run on the memberlist strand; each connection works on its own
// strand and tells the pool (on the memberlist strand) when it dies.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <chrono>
#include <list>
#include <memory>
#include <string>
#include <unordered_map>

#include "cluster/memberlist/tls_stream.h"

namespace am::cluster::memberlist {

class TlsPacketPool : public std::enable_shared_from_this<TlsPacketPool> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  TlsPacketPool(boost::asio::io_context& io, Strand strand, std::shared_ptr<const TlsOptions> opts,
                std::chrono::nanoseconds tcp_timeout);
  ~TlsPacketPool();

  // Queues one encoded frame (whose packet payload is `payload_bytes` long) to `to`.
  void Send(const boost::asio::ip::tcp::endpoint& to, std::string frame, size_t payload_bytes);
  // Closes every connection; later sends are dropped.
  void Shutdown();
  // Connections in the pool (live or dialling).
  size_t Size() const { return lru_.size(); }

  class Conn;

 private:
  void Remove(const std::string& key, uint64_t id);

  boost::asio::io_context& io_;
  Strand strand_;
  std::shared_ptr<const TlsOptions> opts_;
  std::chrono::nanoseconds tcp_timeout_;
  bool shutdown_ = false;
  uint64_t next_id_ = 0;
  // Most recently used first.
  std::list<std::pair<std::string, std::shared_ptr<Conn>>> lru_;
  std::unordered_map<std::string, decltype(lru_)::iterator> index_;
};

}  // namespace am::cluster::memberlist

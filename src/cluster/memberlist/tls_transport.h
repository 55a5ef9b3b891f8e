// TlsTransport: Alertmanager's TLS transport (--cluster.tls-config; cluster/tls_transport.go of
// 0.25), wire-compatible with it. Everything runs over TLS on the bind port; no UDP at all.
//  - Packets: one PACKET frame (tls_frame.h) per datagram, naming our advertise address as
//    from_addr, over a pooled connection per destination (tls_pool.h).
//  - Streams: a new connection whose first frame is STREAM; after it the connection carries
//    plain memberlist stream bytes (TlsByteStream).
//  - Inbound: each accepted connection handshakes (within tcp_timeout), then its frames are read
//    one by one: PACKET frames go to memberlist (the next frame is read only once memberlist has
//    taken the packet, so a fast sender cannot queue unbounded work), a STREAM frame hands the
//    connection to memberlist as a stream. A frame longer than kMaxTlsFrame, a malformed frame,
//    a frame not completed within tcp_timeout or no frame for idle_timeout closes it; at most
//    max_inbound_connections are handshaking or carrying packets at once.
// Threading: see Transport. Each connection works on its own strand.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "cluster/memberlist/tls_stream.h"
#include "cluster/memberlist/transport.h"

namespace am::cluster::memberlist {

class TlsPacketPool;

class TlsTransport : public Transport, public std::enable_shared_from_this<TlsTransport> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Listens on bind_addr:port (an IP; port 0: a free port). Throws std::runtime_error ("failed
  // to start TLS listener on ...") on failure.
  static std::shared_ptr<TlsTransport> Create(boost::asio::io_context& io, Strand strand,
                                              const std::string& bind_addr, uint16_t port,
                                              TlsOptions opts,
                                              std::chrono::nanoseconds tcp_timeout);
  ~TlsTransport() override;

  uint16_t BoundPort() const override { return bound_port_; }
  void SetAdvertiseAddress(const std::string& host_port) override { from_addr_ = host_port; }
  void Start(PacketFn packet, StreamFn stream) override;
  void SendPacket(const boost::asio::ip::udp::endpoint& to, std::string data) override;
  std::shared_ptr<StreamConn> NewStream() override;
  void Shutdown() override;

  // For tests: inbound connections not (yet) streams, and pooled outbound connections.
  size_t InboundConnections() const { return inbound_count_.load(); }

  class Inbound;

 private:
  TlsTransport(boost::asio::io_context& io, Strand strand, TlsOptions opts,
               std::chrono::nanoseconds tcp_timeout);
  void StartAccept();
  void Forget(const Inbound* c);

  boost::asio::io_context& io_;
  Strand strand_;
  std::shared_ptr<const TlsOptions> opts_;
  std::chrono::nanoseconds tcp_timeout_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t bound_port_ = 0;
  std::string from_addr_;
  std::shared_ptr<TlsPacketPool> pool_;
  PacketFn on_packet_;
  StreamFn on_stream_;
  std::atomic<bool> shutdown_{false};
  std::atomic<size_t> inbound_count_{0};
  std::mutex inbound_mu_;
  std::unordered_map<const Inbound*, std::weak_ptr<Inbound>> inbound_;  // guarded by inbound_mu_
};

}  // namespace am::cluster::memberlist

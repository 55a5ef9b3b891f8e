// Transport: how memberlist reaches other nodes, as hashicorp/memberlist's Transport interface.
// Memberlist hands it whole datagrams to send best-effort and asks it for stream connections;
// the transport delivers received datagrams and inbound stream connections. Two exist: the
// default UDP+TCP one (net_transport.h) and Alertmanager's TLS one (tls_transport.h), which
// carries both over TLS connections.
// ByteStream: one connected, ordered byte stream (a TCP socket or a TLS session) under a
// StreamConn.
// Threading: see each method. Ownership: Memberlist owns its Transport; StreamConns own their
// ByteStream.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/buffer.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

namespace am::cluster::memberlist {

class StreamConn;

class ByteStream {
 public:
  using IoHandler = std::function<void(const boost::system::error_code& ec, size_t n)>;
  virtual ~ByteStream() = default;

  // The strand every call below must be made on and every handler runs on.
  virtual boost::asio::any_io_executor executor() = 0;
  // Outbound only: connects to `to` (TLS: TCP connect, handshake, the transport's preamble).
  virtual void Connect(const boost::asio::ip::tcp::endpoint& to, IoHandler done) = 0;
  virtual void ReadSome(boost::asio::mutable_buffer buf, IoHandler done) = 0;
  // Writes all of `buf` (which must stay valid until `done`).
  virtual void Write(boost::asio::const_buffer buf, IoHandler done) = 0;
  // Aborts pending operations and releases the connection. Idempotent.
  virtual void Close() = 0;
  // "ip:port" of the other side, "" when not connected.
  virtual std::string RemoteAddress() const = 0;
};

class Transport {
 public:
  using Clock = std::chrono::steady_clock;
  // One received datagram; `packet` is valid during the call only.
  using PacketFn = std::function<void(
      std::string_view packet, const boost::asio::ip::udp::endpoint& from, Clock::time_point at)>;
  // One inbound stream connection, not yet read from.
  using StreamFn = std::function<void(std::shared_ptr<StreamConn> conn)>;

  virtual ~Transport() = default;

  // The port the listener is bound to (the same for packets and streams).
  virtual uint16_t BoundPort() const = 0;
  // The address other nodes are told to use; the TLS transport names it as the sender of its
  // packets. Call before Start().
  virtual void SetAdvertiseAddress(const std::string& host_port) = 0;
  // Starts receiving. `packet` runs on the strand given to the transport at construction (the
  // memberlist strand), one datagram at a time; `stream` runs on the connection's own strand.
  virtual void Start(PacketFn packet, StreamFn stream) = 0;
  // Best-effort send of one datagram. Called on the memberlist strand.
  virtual void SendPacket(const boost::asio::ip::udp::endpoint& to, std::string data) = 0;
  // A new, unconnected outbound stream connection (StreamConn::Connect connects it).
  // Thread-safe.
  virtual std::shared_ptr<StreamConn> NewStream() = 0;
  // Closes listeners and pooled connections; no callback runs afterwards. Thread-safe,
  // idempotent.
  virtual void Shutdown() = 0;
};

}  // namespace am::cluster::memberlist

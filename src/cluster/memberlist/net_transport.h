// NetTransport: memberlist's default transport (Go's NetTransport): datagrams over UDP and
// streams over plain TCP, both on the same port of the bind address. TcpByteStream is the plain
// TCP ByteStream under its StreamConns.
// Threading: the UDP socket and the TCP acceptor live on the memberlist strand given at
// construction; each TCP connection gets its own strand. See Transport for the calls.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/udp.hpp>
#include <boost/asio/strand.hpp>

#include <array>
#include <atomic>
#include <memory>
#include <string>

#include "cluster/memberlist/transport.h"

namespace am::cluster::memberlist {

class TcpByteStream : public ByteStream {
 public:
  // Outbound: an unconnected socket on `ex` (a strand).
  explicit TcpByteStream(boost::asio::any_io_executor ex);
  // Inbound: an accepted socket (its executor should be a strand).
  explicit TcpByteStream(boost::asio::ip::tcp::socket sock);

  boost::asio::any_io_executor executor() override { return sock_.get_executor(); }
  void Connect(const boost::asio::ip::tcp::endpoint& to, IoHandler done) override;
  void ReadSome(boost::asio::mutable_buffer buf, IoHandler done) override;
  void Write(boost::asio::const_buffer buf, IoHandler done) override;
  void Close() override;
  std::string RemoteAddress() const override { return remote_; }

 private:
  boost::asio::ip::tcp::socket sock_;
  std::string remote_;
};

class NetTransport : public Transport, public std::enable_shared_from_this<NetTransport> {
 public:
  using Strand = boost::asio::strand<boost::asio::io_context::executor_type>;

  // Binds TCP and UDP on bind_ip:port (port 0: one free port for both). Throws
  // std::runtime_error with Go's wording on failure.
  static std::shared_ptr<NetTransport> Create(boost::asio::io_context& io, Strand strand,
                                              const std::string& bind_addr, uint16_t port);

  uint16_t BoundPort() const override { return bound_port_; }
  void SetAdvertiseAddress(const std::string&) override {}
  void Start(PacketFn packet, StreamFn stream) override;
  void SendPacket(const boost::asio::ip::udp::endpoint& to, std::string data) override;
  std::shared_ptr<StreamConn> NewStream() override;
  void Shutdown() override;

 private:
  NetTransport(boost::asio::io_context& io, Strand strand);
  void Bind(const std::string& bind_addr, uint16_t port);
  void StartReceive();
  void StartAccept();

  boost::asio::io_context& io_;
  Strand strand_;
  boost::asio::ip::udp::socket udp_;
  boost::asio::ip::tcp::acceptor acceptor_;
  uint16_t bound_port_ = 0;
  PacketFn on_packet_;
  StreamFn on_stream_;
  std::atomic<bool> shutdown_{false};
  std::array<char, 65536> recv_buf_{};
  boost::asio::ip::udp::endpoint recv_from_;
};

}  // namespace am::cluster::memberlist

#include "cluster/memberlist/net_transport.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <stdexcept>

#include "cluster/memberlist/stream_conn.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

// ---------------------------------------------------------------------------------------------
// TcpByteStream

TcpByteStream::TcpByteStream(asio::any_io_executor ex) : sock_(std::move(ex)) {}

TcpByteStream::TcpByteStream(tcp::socket sock) : sock_(std::move(sock)) {
  boost::system::error_code ec;
  auto ep = sock_.remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

void TcpByteStream::Connect(const tcp::endpoint& to, IoHandler done) {
  remote_ = to.address().to_string() + ":" + std::to_string(to.port());
  sock_.async_connect(
      to, [done = std::move(done)](const boost::system::error_code& ec) { done(ec, 0); });
}

void TcpByteStream::ReadSome(asio::mutable_buffer buf, IoHandler done) {
  sock_.async_read_some(buf, std::move(done));
}

void TcpByteStream::Write(asio::const_buffer buf, IoHandler done) {
  asio::async_write(sock_, buf, std::move(done));
}

void TcpByteStream::Close() {
  boost::system::error_code ec;
  sock_.shutdown(tcp::socket::shutdown_both, ec);
  sock_.close(ec);
}

// ---------------------------------------------------------------------------------------------
// NetTransport

NetTransport::NetTransport(asio::io_context& io, Strand strand)
    : io_(io), strand_(std::move(strand)), udp_(strand_), acceptor_(strand_) {}

std::shared_ptr<NetTransport> NetTransport::Create(asio::io_context& io, Strand strand,
                                                   const std::string& bind_addr, uint16_t port) {
  std::shared_ptr<NetTransport> t(new NetTransport(io, std::move(strand)));
  t->Bind(bind_addr, port);
  return t;
}

void NetTransport::Bind(const std::string& bind_addr, uint16_t bind_port) {
  boost::system::error_code ec;
  auto bind_ip = asio::ip::make_address(bind_addr.empty() ? "0.0.0.0" : bind_addr, ec);
  if (ec) throw std::runtime_error("invalid bind address '" + bind_addr + "'");

  // With port 0 the kernel picks the TCP port and UDP must get the same one: retry a few times.
  int attempts = bind_port == 0 ? 10 : 1;
  std::string last_err;
  for (int i = 0; i < attempts; ++i) {
    boost::system::error_code e;
    tcp::acceptor acc(strand_);
    tcp::endpoint tep(bind_ip, bind_port);
    acc.open(tep.protocol(), e);
    if (!e) acc.set_option(tcp::acceptor::reuse_address(true), e);
    if (!e) acc.bind(tep, e);
    if (!e) acc.listen(asio::socket_base::max_listen_connections, e);
    if (e) {
      last_err = "failed to start TCP listener on \"" + bind_addr + "\" port " +
                 std::to_string(bind_port) + ": " + e.message();
      continue;
    }
    uint16_t port = acc.local_endpoint().port();
    udp::socket u(strand_);
    udp::endpoint uep(bind_ip, port);
    u.open(uep.protocol(), e);
    if (!e) u.bind(uep, e);
    if (e) {
      last_err = "failed to start UDP listener on \"" + bind_addr + "\" port " +
                 std::to_string(port) + ": " + e.message();
      continue;
    }
    // Go asks for a 2 MiB receive buffer so bursts of gossip are not dropped.
    u.set_option(asio::socket_base::receive_buffer_size(2 << 20), e);
    acceptor_ = std::move(acc);
    udp_ = std::move(u);
    bound_port_ = port;
    last_err.clear();
    break;
  }
  if (!last_err.empty()) throw std::runtime_error(last_err);
}

void NetTransport::Start(PacketFn packet, StreamFn stream) {
  asio::dispatch(strand_, [self = shared_from_this(), packet = std::move(packet),
                           stream = std::move(stream)]() mutable {
    if (self->shutdown_) return;
    self->on_packet_ = std::move(packet);
    self->on_stream_ = std::move(stream);
    self->StartReceive();
    self->StartAccept();
  });
}

void NetTransport::StartReceive() {
  udp_.async_receive_from(
      asio::buffer(recv_buf_), recv_from_,
      [self = shared_from_this()](const boost::system::error_code& ec, size_t n) {
        if (self->shutdown_) return;
        if (!ec && n > 0) {
          self->on_packet_(std::string_view(self->recv_buf_.data(), n), self->recv_from_,
                           Clock::now());
        }
        if (ec == asio::error::operation_aborted) return;
        self->StartReceive();
      });
}

void NetTransport::StartAccept() {
  acceptor_.async_accept(
      asio::make_strand(io_),
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket sock) {
        if (self->shutdown_) return;
        if (!ec) {
          self->on_stream_(
              std::make_shared<StreamConn>(std::make_unique<TcpByteStream>(std::move(sock))));
        }
        if (ec == asio::error::operation_aborted) return;
        self->StartAccept();
      });
}

void NetTransport::SendPacket(const udp::endpoint& to, std::string data) {
  if (shutdown_) return;
  auto buf = std::make_shared<std::string>(std::move(data));
  udp_.async_send_to(asio::buffer(*buf), to, [buf](const boost::system::error_code&, size_t) {});
}

std::shared_ptr<StreamConn> NetTransport::NewStream() {
  return std::make_shared<StreamConn>(std::make_unique<TcpByteStream>(asio::make_strand(io_)));
}

void NetTransport::Shutdown() {
  if (shutdown_.exchange(true)) return;
  asio::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->udp_.close(ec);
    self->acceptor_.close(ec);
  });
}

}  // namespace am::cluster::memberlist

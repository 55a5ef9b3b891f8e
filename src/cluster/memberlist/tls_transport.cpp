#include "cluster/memberlist/tls_transport.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <array>
#include <stdexcept>

#include "cluster/memberlist/node.h"
#include "cluster/memberlist/stream_conn.h"
#include "cluster/memberlist/tls_frame.h"
#include "cluster/memberlist/tls_pool.h"
#include "core/log.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;
using asio::ip::udp;

namespace {

bool ParseFromAddr(const std::string& s, udp::endpoint* out) {
  std::string host, port;
  if (!SplitHostPort(s, &host, &port) || port.empty() || port.size() > 5) return false;
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (ec) return false;
  unsigned p = 0;
  for (char c : port) {
    if (c < '0' || c > '9') return false;
    p = p * 10 + static_cast<unsigned>(c - '0');
  }
  if (p > 65535) return false;
  *out = udp::endpoint(ip, static_cast<uint16_t>(p));
  return true;
}

}  // namespace

// One accepted connection until it becomes a stream or closes.
class TlsTransport::Inbound : public std::enable_shared_from_this<Inbound> {
 public:
  Inbound(std::shared_ptr<TlsTransport> t, tcp::socket sock, SslContextPtr ctx)
      : t_(std::move(t)),
        ctx_(std::move(ctx)),
        s_(std::make_shared<SslStream>(std::move(sock), *ctx_)),
        timer_(s_->get_executor()) {
    boost::system::error_code ec;
    auto ep = s_->next_layer().remote_endpoint(ec);
    if (!ec) remote_ = JoinHostPort(ep.address(), ep.port());
  }

  void Start() {
    asio::dispatch(s_->get_executor(), [self = shared_from_this()] {
      if (self->done_) return;
      self->Arm(self->t_->tcp_timeout_);
      self->s_->async_handshake(
          asio::ssl::stream_base::server, [self](const boost::system::error_code& ec) {
            if (self->done_) return;
            if (ec) {
              self->Die("tls handshake: " + TlsErrorMessage(ec, self->s_->native_handle()), true);
              return;
            }
            self->timer_.cancel();
            self->ReadFrame();
          });
    });
  }

  void Close() {
    asio::post(s_->get_executor(), [self = shared_from_this()] { self->Die("", false); });
  }

 private:
  void Arm(std::chrono::nanoseconds d) {
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
      // A wait that completed just before being re-armed must not close the connection.
      if (ec || self->timer_.expiry() > asio::steady_timer::clock_type::now()) return;
      self->Die(self->rbuf_.empty() && !self->in_frame_ ? "idle timeout" : "i/o timeout",
                self->in_frame_);
    });
  }

  void ReadFrame() {
    if (done_) return;
    if (rbuf_.size() >= kTlsFrameHeader) {
      const uint32_t n = TlsFrameLength(rbuf_);
      if (n > kMaxTlsFrame) {
        Die("frame of " + std::to_string(n) + " bytes exceeds the limit of " +
                std::to_string(kMaxTlsFrame),
            true);
        return;
      }
      if (rbuf_.size() >= kTlsFrameHeader + n) {
        TlsFrame f;
        std::string err = DecodeTlsFrame(std::string_view(rbuf_).substr(kTlsFrameHeader, n), &f);
        rbuf_.erase(0, kTlsFrameHeader + n);
        in_frame_ = false;
        timer_.cancel();
        if (!err.empty()) {
          Die(err, true);
          return;
        }
        Dispatch(std::move(f));
        return;
      }
    }
    if (rbuf_.empty()) {
      Arm(t_->opts_->idle_timeout);
    } else if (!in_frame_) {
      // A frame has begun: all of it must arrive within tcp_timeout.
      in_frame_ = true;
      Arm(t_->tcp_timeout_);
    }
    s_->async_read_some(asio::buffer(chunk_), [self = shared_from_this()](
                                                  const boost::system::error_code& ec, size_t n) {
      if (self->done_) return;
      if (n > 0) self->rbuf_.append(self->chunk_.data(), n);
      if (ec) {
        const bool clean = ec == asio::error::eof && self->rbuf_.empty();
        self->Die(clean ? "EOF" : "error reading message: " + TlsErrorMessage(ec, nullptr), !clean);
        return;
      }
      self->ReadFrame();
    });
  }

  void Dispatch(TlsFrame f) {
    if (f.kind == kTlsFrameStream) {
      done_ = true;
      timer_.cancel();
      Count(t_->opts_->metrics.stream_connections_received);
      auto conn = std::make_shared<StreamConn>(std::make_unique<TlsByteStream>(s_, ctx_, remote_),
                                               std::move(rbuf_));
      auto t = t_;
      t->Forget(this);
      if (t->shutdown_ || !t->on_stream_) {
        conn->Close();
        return;
      }
      t->on_stream_(std::move(conn));
      return;
    }
    udp::endpoint from;
    if (!ParseFromAddr(f.from_addr, &from)) {
      Die("error parsing packet sender address \"" + f.from_addr + "\"", true);
      return;
    }
    Count(t_->opts_->metrics.packet_bytes_received, static_cast<double>(f.msg.size()));
    // Memberlist takes the packet on its strand; only then is the next frame read.
    asio::post(t_->strand_, [self = shared_from_this(), msg = std::move(f.msg), from] {
      auto& t = self->t_;
      if (!t->shutdown_ && t->on_packet_) {
        t->on_packet_(msg, from, Transport::Clock::now());
      }
      asio::post(self->s_->get_executor(), [self] { self->ReadFrame(); });
    });
  }

  void Die(const std::string& why, bool error) {
    if (done_) return;
    done_ = true;
    timer_.cancel();
    if (error) {
      Count(t_->opts_->metrics.read_errors);
      AM_LOG(kDebug, "cluster", "error reading from connection",
             {{"remote", remote_}, {"err", why}});
    }
    LingerClose(s_, ctx_);
    t_->Forget(this);
  }

  std::shared_ptr<TlsTransport> t_;
  SslContextPtr ctx_;
  std::shared_ptr<SslStream> s_;
  asio::steady_timer timer_;
  std::string remote_;
  std::string rbuf_;
  std::array<char, 16 * 1024> chunk_{};
  bool in_frame_ = false;
  bool done_ = false;
};

// ---------------------------------------------------------------------------------------------

TlsTransport::TlsTransport(asio::io_context& io, Strand strand, TlsOptions opts,
                           std::chrono::nanoseconds tcp_timeout)
    : io_(io),
      strand_(std::move(strand)),
      opts_(std::make_shared<const TlsOptions>(std::move(opts))),
      tcp_timeout_(tcp_timeout),
      acceptor_(strand_) {}

TlsTransport::~TlsTransport() = default;

std::shared_ptr<TlsTransport> TlsTransport::Create(asio::io_context& io, Strand strand,
                                                   const std::string& bind_addr, uint16_t port,
                                                   TlsOptions opts,
                                                   std::chrono::nanoseconds tcp_timeout) {
  if (!opts.server_context || !opts.client_context) {
    throw std::runtime_error("must specify TLSTransportConfig");
  }
  std::shared_ptr<TlsTransport> t(new TlsTransport(io, strand, std::move(opts), tcp_timeout));
  boost::system::error_code ec;
  auto ip = asio::ip::make_address(bind_addr, ec);
  if (ec) throw std::runtime_error("invalid bind address \"" + bind_addr + "\"");
  tcp::endpoint ep(ip, port);
  t->acceptor_.open(ep.protocol(), ec);
  if (!ec) t->acceptor_.set_option(tcp::acceptor::reuse_address(true), ec);
  if (!ec) t->acceptor_.bind(ep, ec);
  if (!ec) t->acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    throw std::runtime_error("failed to start TLS listener on \"" + bind_addr + "\" port " +
                             std::to_string(port) + ": " + ec.message());
  }
  t->bound_port_ = t->acceptor_.local_endpoint().port();
  t->from_addr_ = JoinHostPort(ip, t->bound_port_);
  t->pool_ = std::make_shared<TlsPacketPool>(io, t->strand_, t->opts_, tcp_timeout);
  return t;
}

void TlsTransport::Start(PacketFn packet, StreamFn stream) {
  asio::dispatch(strand_, [self = shared_from_this(), packet = std::move(packet),
                           stream = std::move(stream)]() mutable {
    if (self->shutdown_) return;
    self->on_packet_ = std::move(packet);
    self->on_stream_ = std::move(stream);
    self->StartAccept();
  });
}

void TlsTransport::StartAccept() {
  acceptor_.async_accept(
      asio::make_strand(io_),
      [self = shared_from_this()](const boost::system::error_code& ec, tcp::socket sock) {
        if (self->shutdown_ || ec == asio::error::operation_aborted) return;
        if (ec) {
          Count(self->opts_->metrics.read_errors);
          AM_LOG(kDebug, "cluster", "error accepting connection", {{"err", ec.message()}});
        } else if (self->inbound_count_.load() >= self->opts_->max_inbound_connections) {
          Count(self->opts_->metrics.read_errors);
          AM_LOG(kDebug, "cluster", "too many inbound TLS connections, closing one");
          boost::system::error_code ignored;
          sock.close(ignored);
        } else {
          auto in = std::make_shared<Inbound>(self, std::move(sock), self->opts_->server_context());
          {
            std::lock_guard<std::mutex> l(self->inbound_mu_);
            self->inbound_[in.get()] = in;
          }
          self->inbound_count_++;
          in->Start();
        }
        self->StartAccept();
      });
}

void TlsTransport::Forget(const Inbound* c) {
  std::lock_guard<std::mutex> l(inbound_mu_);
  if (inbound_.erase(c) > 0) inbound_count_--;
}

void TlsTransport::SendPacket(const udp::endpoint& to, std::string data) {
  if (shutdown_) return;
  const size_t payload = data.size();
  TlsFrame f;
  f.kind = kTlsFramePacket;
  f.from_addr = from_addr_;
  f.msg = std::move(data);
  std::string frame = EncodeTlsFrame(f);
  if (frame.size() - kTlsFrameHeader > kMaxTlsFrame) {
    Count(opts_->metrics.write_errors_packet);
    AM_LOG(kDebug, "cluster", "tls transport: packet too large, dropped",
           {{"bytes", static_cast<int64_t>(payload)}});
    return;
  }
  pool_->Send(tcp::endpoint(to.address(), to.port()), std::move(frame), payload);
}

std::shared_ptr<StreamConn> TlsTransport::NewStream() {
  return std::make_shared<StreamConn>(
      std::make_unique<TlsByteStream>(asio::make_strand(io_), opts_));
}

void TlsTransport::Shutdown() {
  if (shutdown_.exchange(true)) return;
  asio::dispatch(strand_, [self = shared_from_this()] {
    boost::system::error_code ec;
    self->acceptor_.close(ec);
    self->pool_->Shutdown();
  });
  std::vector<std::shared_ptr<Inbound>> open;
  {
    std::lock_guard<std::mutex> l(inbound_mu_);
    for (auto& [p, w] : inbound_) {
      if (auto in = w.lock()) open.push_back(std::move(in));
    }
  }
  for (auto& in : open) in->Close();
}

}  // namespace am::cluster::memberlist

#include "cluster/memberlist/tls_stream.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509v3.h>
#include <prometheus/counter.h>

#include <boost/asio/write.hpp>

#include <array>

#include "cluster/memberlist/tls_frame.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;

void Count(prometheus::Counter* c, double v) {
  if (c) c->Increment(v);
}

bool ConfigureClientSession(SSL* ssl, const TlsOptions& opts, const asio::ip::address& dialled,
                            std::string* err) {
  const std::string& name = opts.server_name;
  boost::system::error_code ec;
  asio::ip::make_address(name, ec);
  const bool name_is_ip = !name.empty() && !ec;
  // Go sends SNI only for host names, never for IP literals.
  if (!name.empty() && !name_is_ip && SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    *err = "cannot set SNI " + name;
    ERR_clear_error();
    return false;
  }
  if (opts.insecure_skip_verify) {
    SSL_set_verify(ssl, SSL_VERIFY_NONE, nullptr);
    return true;
  }
  SSL_set_verify(ssl, SSL_VERIFY_PEER, nullptr);
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  int ok = 0;
  if (name.empty()) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, dialled.to_string().c_str());
  } else if (name_is_ip) {
    ok = X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str());
  } else {
    X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size());
  }
  if (ok != 1) {
    *err = "cannot verify against " + (name.empty() ? dialled.to_string() : name);
    ERR_clear_error();
    return false;
  }
  return true;
}

std::string TlsErrorMessage(const boost::system::error_code& ec, SSL* ssl) {
  if (ssl && ec.category() == asio::error::get_ssl_category()) {
    const long v = SSL_get_verify_result(ssl);
    if (v != X509_V_OK) {
      return std::string("tls: certificate verify failed: ") + X509_verify_cert_error_string(v);
    }
  }
  if (ec == asio::error::eof) return "EOF";
  return ec.message();
}

void LingerClose(std::shared_ptr<SslStream> s, SslContextPtr ctx,
                 std::chrono::milliseconds linger) {
  auto& sock = s->next_layer();
  boost::system::error_code ec;
  if (!sock.is_open()) return;
  sock.cancel(ec);
  sock.shutdown(tcp::socket::shutdown_send, ec);
  if (ec) {
    sock.close(ec);
    return;
  }
  struct Drain : std::enable_shared_from_this<Drain> {
    Drain(std::shared_ptr<SslStream> s, SslContextPtr c)
        : s(std::move(s)), ctx(std::move(c)), timer(this->s->get_executor()) {}
    std::shared_ptr<SslStream> s;
    SslContextPtr ctx;
    asio::steady_timer timer;
    std::array<char, 4096> buf{};
    void Read() {
      s->next_layer().async_read_some(
          asio::buffer(buf),
          [self = shared_from_this()](const boost::system::error_code& e, size_t) {
            if (e) {
              self->Finish();
              return;
            }
            self->Read();
          });
    }
    void Finish() {
      boost::system::error_code ignored;
      timer.cancel();
      s->next_layer().close(ignored);
    }
  };
  auto d = std::make_shared<Drain>(std::move(s), std::move(ctx));
  d->timer.expires_after(linger);
  d->timer.async_wait([d](const boost::system::error_code& e) {
    if (!e) d->Finish();
  });
  d->Read();
}

// ---------------------------------------------------------------------------------------------

TlsByteStream::TlsByteStream(asio::any_io_executor ex, std::shared_ptr<const TlsOptions> opts)
    : opts_(std::move(opts)), ctx_(opts_->client_context()) {
  s_ = std::make_shared<SslStream>(tcp::socket(std::move(ex)), *ctx_);
  TlsFrame f;
  f.kind = kTlsFrameStream;
  preamble_ = std::make_shared<const std::string>(EncodeTlsFrame(f));
}

TlsByteStream::TlsByteStream(std::shared_ptr<SslStream> s, SslContextPtr ctx, std::string remote)
    : ctx_(std::move(ctx)), s_(std::move(s)), remote_(std::move(remote)) {}

TlsByteStream::~TlsByteStream() {
  if (!closed_) {
    boost::system::error_code ec;
    s_->next_layer().close(ec);
  }
}

void TlsByteStream::Connect(const tcp::endpoint& to, IoHandler done) {
  remote_ = to.address().to_string() + ":" + std::to_string(to.port());
  auto s = s_;
  auto opts = opts_;
  s->next_layer().async_connect(to, [s, opts, to, done = std::move(done),
                                     preamble = preamble_](const boost::system::error_code& ec) {
    if (ec) {
      Count(opts->metrics.write_errors_stream);
      done(ec, 0);
      return;
    }
    std::string err;
    if (!ConfigureClientSession(s->native_handle(), *opts, to.address(), &err)) {
      Count(opts->metrics.write_errors_stream);
      done(asio::error::invalid_argument, 0);
      return;
    }
    s->async_handshake(asio::ssl::stream_base::client, [s, opts, done, preamble](
                                                           const boost::system::error_code& hec) {
      if (hec) {
        Count(opts->metrics.write_errors_stream);
        done(hec, 0);
        return;
      }
      // The STREAM frame goes alone in one write (one TLS record): Go's reader discards
      // whatever it buffered past the frame, so stream bytes must come in later records.
      asio::async_write(*s, asio::buffer(*preamble),
                        [opts, done](const boost::system::error_code& wec, size_t) {
                          if (wec) {
                            Count(opts->metrics.write_errors_stream);
                          } else {
                            Count(opts->metrics.stream_connections_sent);
                          }
                          done(wec, 0);
                        });
    });
  });
}

void TlsByteStream::ReadSome(asio::mutable_buffer buf, IoHandler done) {
  s_->async_read_some(buf, std::move(done));
}

void TlsByteStream::Write(asio::const_buffer buf, IoHandler done) {
  asio::async_write(*s_, buf, std::move(done));
}

void TlsByteStream::Close() {
  if (closed_) return;
  closed_ = true;
  LingerClose(s_, ctx_);
}

}  // namespace am::cluster::memberlist

// TLS building blocks of Alertmanager's TLS transport: the options it is built from
// (TlsOptions: contexts from --cluster.tls-config, counters), the per-connection client setup
// (certificate verification against the dialled IP or server_name, SNI), a close that lets the
// peer read everything first (LingerClose), and TlsByteStream, the ByteStream of a stream
// connection: outbound it connects, handshakes and sends the STREAM frame (one TLS record);
// inbound it wraps a session whose STREAM frame the transport has already read.
// Threading: a TlsByteStream lives on its socket's strand (see ByteStream). TlsOptions is
// immutable after construction and its functions are thread-safe.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "cluster/memberlist/transport.h"

namespace prometheus {
class Counter;
}

namespace am::cluster::memberlist {

using SslStream = boost::asio::ssl::stream<boost::asio::ip::tcp::socket>;
using SslContextPtr = std::shared_ptr<boost::asio::ssl::context>;

// Alertmanager's alertmanager_tls_transport_* counters; any may be null (not counted).
struct TlsTransportMetrics {
  prometheus::Counter* packet_bytes_sent = nullptr;
  prometheus::Counter* packet_bytes_received = nullptr;
  prometheus::Counter* stream_connections_sent = nullptr;
  prometheus::Counter* stream_connections_received = nullptr;
  prometheus::Counter* read_errors = nullptr;
  prometheus::Counter* write_errors_packet = nullptr;
  prometheus::Counter* write_errors_stream = nullptr;
};

void Count(prometheus::Counter* c, double v = 1);

struct TlsOptions {
  // The current server and client contexts, asked for each new connection (so a source that
  // reloads rotated certificates takes effect without a restart). Never return null.
  std::function<SslContextPtr()> server_context;
  std::function<SslContextPtr()> client_context;
  // tls_client_config.server_name: the name the peer's certificate must carry (and SNI). Empty:
  // the dialled IP, as Go's tls.Dial does.
  std::string server_name;
  bool insecure_skip_verify = false;
  TlsTransportMetrics metrics;

  // Bounds. Go keeps at most 1024 pooled outbound connections (LRU).
  size_t pool_capacity = 1024;
  // Inbound connections before they turn into streams (handshaking or carrying packets).
  size_t max_inbound_connections = 1024;
  // Pooled or inbound packet connections with no traffic for this long are closed. Every live
  // peer is probed at least once per cluster size × probe interval, far below this.
  std::chrono::nanoseconds idle_timeout = std::chrono::minutes(5);
  // Packets waiting on one pooled connection (while it dials or writes); more are dropped.
  size_t max_queued_packets = 64;
};

// Sets up a client session before its handshake: SNI for a server_name that is a host name,
// and (unless insecure) the name or IP the server certificate must match. False with *err.
bool ConfigureClientSession(SSL* ssl, const TlsOptions& opts,
                            const boost::asio::ip::address& dialled, std::string* err);

// Human-readable reason for a failed TLS or socket operation (OpenSSL's verify result when the
// certificate was refused).
std::string TlsErrorMessage(const boost::system::error_code& ec, SSL* ssl);

// Closes a session so that what was written is not lost to a reset: aborts pending operations,
// sends FIN, discards whatever the peer still sends until it closes or `linger` passes, then
// closes the socket. Must run on the stream's strand. `ctx` is kept alive until then.
void LingerClose(std::shared_ptr<SslStream> s, SslContextPtr ctx,
                 std::chrono::milliseconds linger = std::chrono::milliseconds(1000));

class TlsByteStream : public ByteStream {
 public:
  // Outbound: an unconnected session on `ex` (a strand) with the current client context.
  // The owning StreamConn's deadline bounds connect and handshake.
  TlsByteStream(boost::asio::any_io_executor ex, std::shared_ptr<const TlsOptions> opts);
  // Inbound: an established session whose STREAM frame has been read.
  TlsByteStream(std::shared_ptr<SslStream> s, SslContextPtr ctx, std::string remote);
  ~TlsByteStream() override;

  boost::asio::any_io_executor executor() override { return s_->get_executor(); }
  // TCP connect, TLS handshake, then one STREAM frame in its own TLS record.
  void Connect(const boost::asio::ip::tcp::endpoint& to, IoHandler done) override;
  void ReadSome(boost::asio::mutable_buffer buf, IoHandler done) override;
  void Write(boost::asio::const_buffer buf, IoHandler done) override;
  void Close() override;
  std::string RemoteAddress() const override { return remote_; }

 private:
  std::shared_ptr<const TlsOptions> opts_;
  SslContextPtr ctx_;
  std::shared_ptr<SslStream> s_;
  std::string remote_;
  std::shared_ptr<const std::string> preamble_;
  bool closed_ = false;
};

}  // namespace am::cluster::memberlist

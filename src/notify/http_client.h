// HttpClient: asynchronous outbound HTTP for notifiers, on libcurl's multi-socket interface driven
// by the daemon's io_context (curl_multi_socket_action from Asio descriptor waits and one
// steady_timer), so thousands of slow or dead receivers cost sockets, not threads, and never
// delay one another. DNS runs in curl's resolver threads. Connections are reused per host as Go's
// http.Transport does. Every request has a total timeout and a connect timeout.
//
// Thread-safety: Do() may be called from any thread; all curl calls run on one strand of the
// executor. Completion callbacks are posted to the executor (never run inside curl).
// Ownership: the HttpClient owns the curl handles; destroying it (from any thread, or after the
// io_context has stopped) aborts transfers in flight and posts their callbacks with an error.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace am::notify {

struct TlsOptions {
  // PEM text or file names; text wins when both are set. A CA replaces the system roots, as
  // Go's tls.Config.RootCAs does.
  std::string ca_pem;
  std::string ca_file;
  std::string cert_pem;
  std::string cert_file;
  std::string key_pem;
  std::string key_file;
  // Checked against the certificate and sent as SNI instead of the URL's host; the Host header
  // keeps the URL's host (Go's tls.Config.ServerName).
  std::string server_name;
  bool insecure_skip_verify = false;
  std::string min_version = "TLS12";  // "TLS10".."TLS13"; Go's client default is TLS 1.2
  std::string max_version;            // "" = newest
};

struct HttpRequest {
  std::string method = "POST";
  std::string url;
  // Sent in order, as given. curl's own Accept and Expect headers are suppressed.
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Whole request (connect, send, wait, read); must be > 0.
  std::chrono::milliseconds timeout{30000};
  std::chrono::milliseconds connect_timeout{30000};
  // Proxy URL for this request, or "" for a direct connection (environment variables are never
  // consulted here: the caller decides, see proxy.h).
  std::string proxy;
  std::vector<std::pair<std::string, std::string>> proxy_connect_headers;
  TlsOptions tls;
  bool follow_redirects = true;
  bool enable_http2 = true;
  // Response bytes kept for error messages; the rest is read and dropped.
  size_t max_response_body = 64 * 1024;
};

struct HttpResponse {
  int status = 0;     // 0 when no response arrived
  std::string body;   // the first max_response_body bytes
  std::string error;  // transport error ("" when a response arrived)
  bool timed_out = false;
};

class HttpClient {
 public:
  explicit HttpClient(boost::asio::any_io_executor executor);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  // Starts a request; `done` is posted to the executor exactly once.
  void Do(HttpRequest request, std::function<void(HttpResponse)> done);

  // Transfers started and not yet completed (for tests and metrics).
  size_t InFlight() const;

  struct Impl;

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace am::notify

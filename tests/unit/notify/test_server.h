// A small blocking HTTP/1.1 server on 127.0.0.1 for notify's tests: one thread per connection,
// keep-alive, optional TLS (OpenSSL), scripted replies (status, body, delay, never answer).
// Records every request. Thread-safe; the destructor stops every thread, including hung replies.
#pragma once

#include <openssl/ssl.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace am::notify::testing {

struct Request {
  std::string method;
  std::string target;
  std::vector<std::pair<std::string, std::string>> headers;  // in order received
  std::string body;
  // First value of a header (case-insensitive name), "" when absent.
  std::string Header(const std::string& name) const;
  bool HasHeader(const std::string& name) const;
};

struct Reply {
  int status = 200;
  std::string body;
  std::chrono::milliseconds delay{0};
  bool hang = false;  // never answer (until the server stops)
};

class TestServer {
 public:
  using Handler = std::function<Reply(const Request&)>;
  // `tls`: a server SSL_CTX (not owned; must outlive the server) or nullptr for plain HTTP.
  explicit TestServer(Handler handler = nullptr, SSL_CTX* tls = nullptr);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  int port() const { return port_; }
  std::string url(const std::string& path = "/") const;
  std::vector<Request> requests() const;
  size_t count() const;
  // Waits until at least `n` requests have arrived; false on timeout.
  bool WaitForCount(size_t n, std::chrono::milliseconds timeout) const;
  size_t connections() const { return connections_.load(); }

 private:
  void AcceptLoop();
  void Serve(int fd);

  Handler handler_;
  SSL_CTX* tls_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<size_t> connections_{0};
  std::thread acceptor_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<Request> requests_;
  std::vector<std::thread> workers_;
  std::vector<int> fds_;
};

// Creates a throw-away CA and a server certificate for `dns_name` (and 127.0.0.1 when
// `include_ip`) with the openssl CLI in `dir`; returns false if openssl is missing. Files:
// ca.pem, server.pem, server.key, client.pem, client.key.
bool MakeTestCertificates(const std::string& dir, const std::string& dns_name, bool include_ip);

// A server SSL_CTX for dir/server.pem + dir/server.key (caller frees with SSL_CTX_free). With
// `require_client_cert`, clients must present a certificate signed by dir/ca.pem.
SSL_CTX* MakeServerTlsContext(const std::string& dir, bool require_client_cert = false);

}  // namespace am::notify::testing

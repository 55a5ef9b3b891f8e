#include "test_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstring>

namespace am::notify::testing {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

// Reads or writes through TLS when `ssl` is set.
struct Conn {
  int fd;
  SSL* ssl;
  ssize_t Read(char* buf, size_t n) {
    if (ssl) {
      const int r = SSL_read(ssl, buf, static_cast<int>(n));
      return r > 0 ? r : -1;
    }
    return ::recv(fd, buf, n, 0);
  }
  bool Write(const std::string& s) {
    size_t off = 0;
    while (off < s.size()) {
      ssize_t w = ssl ? SSL_write(ssl, s.data() + off, static_cast<int>(s.size() - off))
                      : ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
      if (w <= 0) return false;
      off += static_cast<size_t>(w);
    }
    return true;
  }
};

}  // namespace

std::string Request::Header(const std::string& name) const {
  const std::string n = Lower(name);
  for (const auto& [k, v] : headers) {
    if (Lower(k) == n) return v;
  }
  return "";
}

bool Request::HasHeader(const std::string& name) const {
  const std::string n = Lower(name);
  for (const auto& [k, v] : headers) {
    if (Lower(k) == n) return true;
  }
  return false;
}

TestServer::TestServer(Handler handler, SSL_CTX* tls) : handler_(std::move(handler)), tls_(tls) {
  ::signal(SIGPIPE, SIG_IGN);  // TLS writes to a closed peer must not kill the test
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  ::listen(listen_fd_, 64);
  socklen_t len = sizeof(addr);
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
  port_ = ntohs(addr.sin_port);
  acceptor_ = std::thread([this] { AcceptLoop(); });
}

TestServer::~TestServer() {
  stopping_ = true;
  ::shutdown(listen_fd_, SHUT_RDWR);
  ::close(listen_fd_);
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : fds_) ::shutdown(fd, SHUT_RDWR);
  }
  cv_.notify_all();
  acceptor_.join();
  std::vector<std::thread> workers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    workers.swap(workers_);
  }
  for (auto& t : workers) t.join();
}

std::string TestServer::url(const std::string& path) const {
  return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) + path;
}

std::vector<Request> TestServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

size_t TestServer::count() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_.size();
}

bool TestServer::WaitForCount(size_t n, std::chrono::milliseconds timeout) const {
  std::unique_lock<std::mutex> lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
}

void TestServer::AcceptLoop() {
  while (!stopping_) {
    const int fd = ::accept(listen_fd_, nullptr, nullptr);
    if (fd < 0) {
      if (stopping_) return;
      continue;
    }
    connections_++;
    std::lock_guard<std::mutex> lock(mu_);
    if (stopping_) {
      ::close(fd);
      return;
    }
    fds_.push_back(fd);
    workers_.emplace_back([this, fd] { Serve(fd); });
  }
}

void TestServer::Serve(int fd) {
  SSL* ssl = nullptr;
  if (tls_) {
    ssl = SSL_new(tls_);
    SSL_set_fd(ssl, fd);
    if (SSL_accept(ssl) <= 0) {
      SSL_free(ssl);
      ::close(fd);
      return;
    }
  }
  Conn c{fd, ssl};
  std::string buf;
  char tmp[8192];
  bool open = true;
  while (open && !stopping_) {
    size_t end;
    while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
      const ssize_t r = c.Read(tmp, sizeof(tmp));
      if (r <= 0) {
        open = false;
        break;
      }
      buf.append(tmp, static_cast<size_t>(r));
    }
    if (!open) break;
    Request req;
    const std::string head = buf.substr(0, end);
    buf.erase(0, end + 4);
    size_t line_end = head.find("\r\n");
    const std::string request_line = head.substr(0, line_end);
    const size_t sp1 = request_line.find(' ');
    const size_t sp2 = request_line.rfind(' ');
    req.method = request_line.substr(0, sp1);
    req.target = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
    size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
    while (pos < head.size()) {
      size_t e = head.find("\r\n", pos);
      if (e == std::string::npos) e = head.size();
      const std::string line = head.substr(pos, e - pos);
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        std::string v = line.substr(colon + 1);
        while (!v.empty() && v.front() == ' ') v.erase(0, 1);
        req.headers.emplace_back(line.substr(0, colon), v);
      }
      pos = e + 2;
    }
    const size_t len = static_cast<size_t>(std::atoll(req.Header("Content-Length").c_str()));
    while (buf.size() < len) {
      const ssize_t r = c.Read(tmp, sizeof(tmp));
      if (r <= 0) {
        open = false;
        break;
      }
      buf.append(tmp, static_cast<size_t>(r));
    }
    if (!open) break;
    req.body = buf.substr(0, len);
    buf.erase(0, len);
    Reply reply = handler_ ? handler_(req) : Reply{};
    {
      std::lock_guard<std::mutex> lock(mu_);
      requests_.push_back(req);
    }
    cv_.notify_all();
    if (reply.hang || reply.delay.count() > 0) {
      std::unique_lock<std::mutex> lock(mu_);
      if (reply.hang) {
        cv_.wait(lock, [&] { return stopping_.load(); });
      } else {
        cv_.wait_for(lock, reply.delay, [&] { return stopping_.load(); });
      }
      if (stopping_) break;
    }
    const std::string resp = "HTTP/1.1 " + std::to_string(reply.status) +
                             " Status\r\nContent-Length: " + std::to_string(reply.body.size()) +
                             "\r\nContent-Type: text/plain\r\n\r\n" + reply.body;
    if (!c.Write(resp)) break;
  }
  if (ssl) {
    SSL_shutdown(ssl);
    SSL_free(ssl);
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    fds_.erase(std::remove(fds_.begin(), fds_.end(), fd), fds_.end());
  }
  ::close(fd);
}

bool MakeTestCertificates(const std::string& dir, const std::string& dns_name, bool include_ip) {
  const std::string d = "'" + dir + "'";
  const std::string ext = dir + "/san.ext";
  FILE* f = std::fopen(ext.c_str(), "w");
  if (!f) return false;
  std::fprintf(f, "subjectAltName=DNS:%s%s\n", dns_name.c_str(), include_ip ? ",IP:127.0.0.1" : "");
  std::fclose(f);
  const std::string cmd =
      "cd " + d +
      " && openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 1 "
      "-subj /CN=notify-test-ca >/dev/null 2>&1"
      " && openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr "
      "-subj /CN=" +
      dns_name +
      " >/dev/null 2>&1"
      " && openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out server.pem -days 1 -extfile san.ext >/dev/null 2>&1"
      " && openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr "
      "-subj /CN=client >/dev/null 2>&1"
      " && openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial "
      "-out client.pem -days 1 >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

SSL_CTX* MakeServerTlsContext(const std::string& dir, bool require_client_cert) {
  SSL_CTX* ctx = SSL_CTX_new(TLS_server_method());
  if (require_client_cert) {
    SSL_CTX_load_verify_locations(ctx, (dir + "/ca.pem").c_str(), nullptr);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  }
  if (SSL_CTX_use_certificate_chain_file(ctx, (dir + "/server.pem").c_str()) != 1 ||
      SSL_CTX_use_PrivateKey_file(ctx, (dir + "/server.key").c_str(), SSL_FILETYPE_PEM) != 1) {
    SSL_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

}  // namespace am::notify::testing

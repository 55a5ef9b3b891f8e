// A deliberately dumb HTTP/1.x client over a blocking POSIX socket, for driving HttpServer in
// tests byte by byte. Every read has a deadline, so a broken server fails a test instead of
// hanging it. Not thread-safe; one connection per object.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace am::api::testing {

using namespace std::chrono_literals;

struct RawResponse {
  std::string version;  // "HTTP/1.1"
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;  // as received
  std::string body;

  // First value of the header (case-insensitive name), nullopt if absent.
  std::optional<std::string> Header(std::string_view name) const;
};

class TestConn {
 public:
  // Connects to 127.0.0.1:port (or `host` when given, e.g. "::1"); IsOpen() tells.
  explicit TestConn(uint16_t port, const std::string& host = "127.0.0.1");
  ~TestConn();
  TestConn(const TestConn&) = delete;
  TestConn& operator=(const TestConn&) = delete;

  bool IsOpen() const { return fd_ >= 0; }
  // Sends everything; false if the peer has closed or reset the connection.
  bool Send(std::string_view data);
  // Reads one response. For HEAD requests pass head=true (no body is read whatever
  // Content-Length says). nullopt on timeout, close before a full response, or garbage.
  std::optional<RawResponse> Read(std::chrono::milliseconds timeout = 5000ms, bool head = false);
  // True when the peer closes (EOF or reset) within `timeout`; unread data is discarded.
  bool WaitClosed(std::chrono::milliseconds timeout);
  // Bytes received but not consumed by Read().
  const std::string& Pending() const { return buf_; }

 private:
  // Appends what arrives before the deadline; false on timeout, EOF or error.
  bool Fill(std::chrono::steady_clock::time_point deadline);

  int fd_ = -1;
  bool eof_ = false;
  std::string buf_;
};

// One request on a fresh connection: `method target`, Host header, Connection: close, the body
// with Content-Length when non-empty or for POST/PUT, plus `extra_headers` ("Name: v\r\n" lines).
std::optional<RawResponse> Fetch(uint16_t port, std::string_view method, std::string_view target,
                                 std::string_view body = {}, std::string_view extra_headers = {});

}  // namespace am::api::testing

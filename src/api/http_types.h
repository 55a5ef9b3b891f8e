// The request and response values an API handler sees, independent of the HTTP library: the
// server (http_server.cpp) fills a Request from the wire and serialises the Response, so handler
// files never include Boost.Beast.
// Thread-safety: plain values; a Request is read-only for the handler and lives until the handler
// returns. Handlers may run concurrently on several threads (see HttpServer).
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace am::api {

struct Request {
  std::string method;  // "GET", "POST", ... as sent (HEAD stays HEAD when a GET handler serves it)
  std::string path;    // route prefix stripped, percent-decoded, cleaned, e.g. "/api/v2/alerts"
  std::string raw_query;                                     // after '?', undecoded
  std::vector<std::pair<std::string, std::string>> query;    // decoded, in order, repeats kept
  std::map<std::string, std::string> params;                 // from {name} segments of the pattern
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased, in wire order
  std::string body;
  std::string remote_address;  // "ip:port", "[v6]:port"

  // First value of the header, "" if absent. REQUIRES: lower_name is lower-case.
  std::string_view Header(std::string_view lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return {};
  }
  // Every value of the query parameter, in order (Go's url.Values[name]).
  std::vector<std::string> QueryAll(std::string_view name) const {
    std::vector<std::string> out;
    for (const auto& [key, value] : query) {
      if (key == name) out.push_back(value);
    }
    return out;
  }
  // The first value (Go's url.Values.Get, except that absence is distinguishable from "").
  std::optional<std::string> QueryFirst(std::string_view name) const {
    for (const auto& [key, value] : query) {
      if (key == name) return value;
    }
    return std::nullopt;
  }
};

struct Response {
  int status = 200;
  std::string content_type;  // empty → no Content-Type header
  std::string body;
  // Extra headers. Content-Length, Transfer-Encoding and Date are always the server's own and are
  // ignored here; "Connection: close" closes the connection after this response.
  std::vector<std::pair<std::string, std::string>> headers;
};

using Handler = std::function<void(const Request&, Response&)>;

// Answers requests under a subtree that no route matched (see HttpServer::HandleUnmatched).
// `allowed` lists the methods routes exist for at this path (sorted; empty → the path is unknown,
// i.e. a 404; otherwise a 405 or an automatic OPTIONS answer is expected).
using UnmatchedHandler =
    std::function<void(const Request&, Response&, const std::vector<std::string>& allowed)>;

}  // namespace am::api

// Boost.Beast HTTP/1.x server: the only translation unit of the project that includes Beast (it
// costs about 10 s of compile time per TU). See http_server.h for the contract.
//
// Shape: Beast's example/http/server/async. Per I/O thread one io_context, and per listen address
// one acceptor on that io_context (SO_REUSEPORT); each accepted connection is a Session kept alive
// by shared_from_this and runs wait → read header → read body → handle → write, on its thread only,
// so a Session needs no strand. Blocking handlers run on a thread_pool and post their result back.
//
// Go behaviour reproduced (net/http ServeMux + julienschmidt/httprouter as wired by Alertmanager
// 0.25, checked against the real daemon): unclean paths 301 to the cleaned path; trailing-slash and
// case-insensitive redirects (301 for GET, 307 otherwise); automatic OPTIONS (200 + Allow); 405
// with Allow and "Method Not Allowed\n"; 404 "404 page not found\n"; http.Redirect bodies; the GET
// semaphore and http.TimeoutHandler texts; 400/431/505 for malformed requests.

#include "api/http_server.h"

#include <sys/socket.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <ctime>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <thread>
#include <utility>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <prometheus/gauge.h>
#include <prometheus/histogram.h>
#include <prometheus/registry.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ip/v6_only.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/duration.h"

namespace am::api {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

constexpr std::string_view kTextPlain = "text/plain; charset=utf-8";
constexpr std::string_view kTextHtml = "text/html; charset=utf-8";
// After a final response on a connection we close, read and discard what the client still sends
// for at most this long / this much, so that the kernel does not answer its unread bytes with an
// RST that destroys our response before the client has read it (Go's closeWriteAndWait).
constexpr auto kLingerTime = std::chrono::milliseconds(1000);
constexpr size_t kLingerBytes = 4 << 20;

// ---------------------------------------------------------------------------------------------
// Small text helpers.

std::string_view Std(beast::string_view s) { return std::string_view(s.data(), s.size()); }
beast::string_view Beast(std::string_view s) { return beast::string_view(s.data(), s.size()); }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Go's url unescape: %XX only (plus '+' → ' ' in query components); a bad escape fails.
std::optional<std::string> Unescape(std::string_view s, bool plus_is_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '%') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = HexValue(s[i + 1]);
      int lo = HexValue(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return out;
}

// Go's url.ParseQuery (1.17+): pairs separated by '&'; a pair containing ';' or a bad escape is
// skipped; "k" alone is k="".
std::vector<std::pair<std::string, std::string>> ParseQuery(std::string_view q) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!q.empty()) {
    size_t amp = q.find('&');
    std::string_view pair = q.substr(0, amp);
    q = amp == std::string_view::npos ? std::string_view() : q.substr(amp + 1);
    if (pair.empty() || pair.find(';') != std::string_view::npos) continue;
    size_t eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    std::string_view value =
        eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1);
    auto k = Unescape(key, true);
    auto v = Unescape(value, true);
    if (!k || !v) continue;
    out.emplace_back(std::move(*k), std::move(*v));
  }
  return out;
}

// Go's path.Clean for a rooted path.
std::string PathClean(std::string_view p) {
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t slash = p.find('/', i);
    if (slash == std::string_view::npos) slash = p.size();
    std::string_view part = p.substr(i, slash - i);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else {
      parts.push_back(part);
    }
    i = slash + 1;
  }
  std::string out;
  for (auto part : parts) {
    out.push_back('/');
    out.append(part);
  }
  if (out.empty()) out = "/";
  return out;
}

// net/http's cleanPath: path.Clean that keeps a trailing slash.
std::string CleanPath(std::string_view p) {
  if (p.empty()) return "/";
  std::string rooted = p[0] == '/' ? std::string(p) : "/" + std::string(p);
  std::string np = PathClean(rooted);
  if (rooted.back() == '/' && np != "/") np.push_back('/');
  return np;
}

// Go's url path escaping (shouldEscape with encodePath).
std::string EscapePath(std::string_view p) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char ch : p) {
    auto c = static_cast<unsigned char>(ch);
    bool keep = std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '$' ||
                c == '&' || c == '+' || c == ',' || c == '/' || c == ':' || c == ';' || c == '=' ||
                c == '@';
    if (keep && c < 0x80) {
      out.push_back(ch);
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  return out;
}

// Go's html.EscapeString subset used by http.Redirect.
std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// Go's http.StatusText, so status lines and redirect bodies read as upstream's.
std::string_view GoStatusText(int code) {
  switch (code) {
    case 100:
      return "Continue";
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 303:
      return "See Other";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 308:
      return "Permanent Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 406:
      return "Not Acceptable";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Request Entity Too Large";
    case 414:
      return "Request URI Too Long";
    case 415:
      return "Unsupported Media Type";
    case 422:
      return "Unprocessable Entity";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return {};
  }
}

// RFC 7231 IMF-fixdate, cached per thread and second.
std::string_view HttpDate() {
  static constexpr const char* kDays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                            "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t last = -1;
  thread_local char buf[40];
  thread_local size_t len = 0;
  std::time_t now = std::time(nullptr);
  if (now != last) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    int n = std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday],
                          tm.tm_mday, kMonths[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                          tm.tm_sec);
    len = n > 0 ? static_cast<size_t>(n) : 0;
    last = now;
  }
  return std::string_view(buf, len);
}

std::string FormatEndpoint(const tcp::endpoint& ep) {
  auto addr = ep.address();
  if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
    addr = asio::ip::make_address_v4(asio::ip::v4_mapped, addr.to_v6());
  }
  if (addr.is_v6()) return "[" + addr.to_string() + "]:" + std::to_string(ep.port());
  return addr.to_string() + ":" + std::to_string(ep.port());
}

// Response helpers with upstream's exact shapes.

// http.Error: text/plain, nosniff, message + "\n".
Response TextError(int status, std::string_view message) {
  Response r;
  r.status = status;
  r.content_type = kTextPlain;
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.body = std::string(message) + "\n";
  return r;
}

// http.Redirect: Location; a small HTML body for GET and HEAD only.
Response MakeRedirect(std::string_view method, std::string location, int code) {
  Response r;
  r.status = code;
  if (method == "GET" || method == "HEAD") {
    r.content_type = kTextHtml;
    r.body =
        "<a href=\"" + HtmlEscape(location) + "\">" + std::string(GoStatusText(code)) + "</a>.\n\n";
  }
  r.headers.emplace_back("Location", std::move(location));
  return r;
}

// ---------------------------------------------------------------------------------------------
// Routes.

enum class SegmentKind { kLiteral, kParam, kCatchAll };

struct Segment {
  SegmentKind kind;
  std::string text;  // literal text or capture name
};

std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> out;
  std::string_view rest = path.substr(1);
  while (true) {
    size_t slash = rest.find('/');
    out.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return out;
}

std::vector<Segment> ParsePattern(const std::string& pattern) {
  if (pattern.empty() || pattern[0] != '/') {
    throw std::logic_error("http route pattern must begin with '/': \"" + pattern + "\"");
  }
  std::vector<Segment> out;
  auto parts = SplitPath(pattern);
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view p = parts[i];
    bool last = i + 1 == parts.size();
    if (p.size() >= 2 && p.front() == '{' && p.back() == '}') {
      std::string_view name = p.substr(1, p.size() - 2);
      bool catch_all = name.size() > 3 && name.substr(name.size() - 3) == "...";
      if (catch_all) name.remove_suffix(3);
      if (name.empty() || (catch_all && !last)) {
        throw std::logic_error("bad capture in http route pattern \"" + pattern + "\"");
      }
      out.push_back({catch_all ? SegmentKind::kCatchAll : SegmentKind::kParam, std::string(name)});
    } else if (!p.empty() && p.front() == '*') {
      if (!last || p.size() < 2) {
        throw std::logic_error("catch-all must end http route pattern \"" + pattern + "\"");
      }
      out.push_back({SegmentKind::kCatchAll, std::string(p.substr(1))});
    } else {
      if (p.find_first_of("{}") != std::string_view::npos) {
        throw std::logic_error("bad capture in http route pattern \"" + pattern + "\"");
      }
      out.push_back({SegmentKind::kLiteral, std::string(p)});
    }
  }
  return out;
}

struct Route {
  std::string method;   // upper-case, or "*"
  std::string pattern;  // with the prefix applied
  std::vector<Segment> segments;
  std::string metric_handler;
  Handler handler;
  bool blocking = false;
  bool strip_prefix = true;  // false only for the built-in GET "/" → prefix redirect
  // Histogram children resolved at Start() for the common method labels, to skip Family::Add.
  std::map<std::string, std::pair<prometheus::Histogram*, prometheus::Histogram*>, std::less<>>
      histograms;
};

bool MatchRoute(const Route& route, const std::vector<std::string_view>& path, bool ignore_case,
                std::map<std::string, std::string>* params) {
  const auto& segs = route.segments;
  for (size_t i = 0; i < segs.size(); ++i) {
    const Segment& s = segs[i];
    if (i >= path.size()) return false;
    switch (s.kind) {
      case SegmentKind::kCatchAll: {
        if (params) {
          std::string rest;
          for (size_t j = i; j < path.size(); ++j) {
            rest.push_back('/');
            rest.append(path[j]);
          }
          (*params)[s.text] = std::move(rest);
        }
        return true;
      }
      case SegmentKind::kLiteral:
        if (ignore_case ? !EqualsIgnoreCase(s.text, path[i]) : s.text != path[i]) return false;
        break;
      case SegmentKind::kParam:
        if (path[i].empty()) return false;
        if (params) (*params)[s.text] = std::string(path[i]);
        break;
    }
  }
  return path.size() == segs.size();
}

// The path a case-insensitive match should redirect to: the route's literals, the request's
// captured segments.
std::string FixedPath(const Route& route, const std::vector<std::string_view>& path) {
  std::string out;
  for (size_t i = 0; i < route.segments.size(); ++i) {
    const Segment& s = route.segments[i];
    if (s.kind == SegmentKind::kCatchAll) {
      for (size_t j = i; j < path.size(); ++j) {
        out.push_back('/');
        out.append(path[j]);
      }
      return out;
    }
    out.push_back('/');
    out.append(s.kind == SegmentKind::kLiteral ? std::string_view(s.text) : path[i]);
  }
  return out;
}

// Orders routes so that the first match is the most specific: at the first differing segment a
// literal beats a capture, and a one-segment capture beats a catch-all.
bool MoreSpecific(const Route& a, const Route& b) {
  size_t n = std::min(a.segments.size(), b.segments.size());
  for (size_t i = 0; i < n; ++i) {
    auto ka = a.segments[i].kind, kb = b.segments[i].kind;
    if (ka != kb) return ka < kb;
  }
  return a.segments.size() > b.segments.size();
}

struct UnmatchedRoute {
  std::string subtree;  // with the prefix applied, ends in '/'
  UnmatchedHandler handler;
};

// What the router decided for one request.
struct Resolution {
  enum Kind { kRoute, kUnmatched, kRedirect, kOptions, kMethodNotAllowed, kNotFound } kind;
  Route* route = nullptr;
  const UnmatchedRoute* unmatched = nullptr;
  std::map<std::string, std::string> params;
  std::vector<std::string> allowed;
  std::string location;  // kRedirect (path only; the caller appends the query)
  int code = 0;          // kRedirect
};

// ---------------------------------------------------------------------------------------------
// The state every Session shares. Immutable after Start() except the atomics and metrics.

struct Core {
  HttpServer::Options opts;
  std::string prefix;  // normalised; "" when the route prefix is "/"
  std::vector<Route> routes;
  std::vector<UnmatchedRoute> unmatched;
  int get_limit = 8;
  std::unique_ptr<asio::thread_pool> pool;

  prometheus::Family<prometheus::Histogram>* duration_family = nullptr;
  prometheus::Family<prometheus::Histogram>* size_family = nullptr;
  prometheus::Gauge* in_flight = nullptr;
  prometheus::Counter* limit_exceeded = nullptr;
  std::atomic<int> get_in_flight{0};

  static const prometheus::Histogram::BucketBoundaries& DurationBuckets() {
    // Alertmanager 0.25's requestDuration buckets.
    static const prometheus::Histogram::BucketBoundaries b{.05, .1, .25, .5, .75, 1, 2, 5, 20, 60};
    return b;
  }
  static const prometheus::Histogram::BucketBoundaries& SizeBuckets() {
    // prometheus.ExponentialBuckets(100, 10, 7).
    static const prometheus::Histogram::BucketBoundaries b{100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8};
    return b;
  }

  bool TryAcquireGet() {
    int cur = get_in_flight.load(std::memory_order_relaxed);
    while (cur < get_limit) {
      if (get_in_flight.compare_exchange_weak(cur, cur + 1, std::memory_order_acq_rel)) {
        in_flight->Increment();
        return true;
      }
    }
    limit_exceeded->Increment();
    return false;
  }
  void ReleaseGet() {
    get_in_flight.fetch_sub(1, std::memory_order_acq_rel);
    in_flight->Decrement();
  }

  void Observe(Route& route, std::string_view method, double seconds, size_t bytes) {
    if (route.metric_handler.empty()) return;
    std::string label = ToLower(method);
    auto it = route.histograms.find(label);
    if (it != route.histograms.end()) {
      it->second.first->Observe(seconds);
      it->second.second->Observe(static_cast<double>(bytes));
      return;
    }
    // Rare methods (routes registered for "*"): Family::Add returns the existing child.
    std::map<std::string, std::string> labels{{"handler", route.metric_handler}, {"method", label}};
    duration_family->Add(labels, DurationBuckets()).Observe(seconds);
    size_family->Add(labels, SizeBuckets()).Observe(static_cast<double>(bytes));
  }

  Response TimeoutResponse() const {
    // http.TimeoutHandler: 503, body via io.WriteString (no extra newline), Content-Type sniffed.
    Response r;
    r.status = 503;
    r.content_type = kTextPlain;
    r.body = "Exceeded configured timeout of " + am::FormatGoDuration(opts.request_timeout) + ".\n";
    return r;
  }

  Response LimitResponse() const {
    return TextError(503, "Limit of concurrent GET requests reached (" + std::to_string(get_limit) +
                              "), try again later.\n");
  }

  // First route for `method` (or "*", or GET for HEAD) matching `path`.
  Route* Find(std::string_view method, const std::vector<std::string_view>& path, bool ignore_case,
              std::map<std::string, std::string>* params) {
    auto find_exact = [&](std::string_view m) -> Route* {
      for (Route& r : routes) {
        if (r.method == m && MatchRoute(r, path, ignore_case, params)) return &r;
      }
      return nullptr;
    };
    if (Route* r = find_exact(method)) return r;
    if (Route* r = find_exact("*")) return r;
    if (method == "HEAD" && opts.head_falls_back_to_get) return find_exact("GET");
    return nullptr;
  }

  std::vector<std::string> AllowedMethods(const std::vector<std::string_view>& path) const {
    std::vector<std::string> out;
    for (const Route& r : routes) {
      if (r.method == "*") continue;
      if (std::find(out.begin(), out.end(), r.method) != out.end()) continue;
      if (MatchRoute(r, path, false, nullptr)) out.push_back(r.method);
    }
    std::sort(out.begin(), out.end());
    return out;
  }

  Resolution Resolve(const std::string& method, const std::string& path) {
    Resolution res{};
    auto segs = SplitPath(path);
    if (Route* r = Find(method, segs, false, &res.params)) {
      res.kind = Resolution::kRoute;
      res.route = r;
      return res;
    }
    res.params.clear();
    // Mounted subtrees (go-swagger's /api/v2/) answer their own misses.
    const UnmatchedRoute* best = nullptr;
    for (const auto& u : unmatched) {
      if (path.compare(0, u.subtree.size(), u.subtree) == 0 &&
          (!best || u.subtree.size() > best->subtree.size())) {
        best = &u;
      }
      if (path.size() + 1 == u.subtree.size() && u.subtree.compare(0, path.size(), path) == 0) {
        res.kind = Resolution::kRedirect;  // ServeMux: "/api/v2" → "/api/v2/"
        res.code = 301;
        res.location = u.subtree;
        return res;
      }
    }
    if (best) {
      res.kind = Resolution::kUnmatched;
      res.unmatched = best;
      res.allowed = AllowedMethods(segs);
      return res;
    }
    // httprouter: redirect to the path with the trailing slash toggled, then to the
    // case-insensitively fixed path, if the same method has a route there.
    if (method != "CONNECT" && path != "/") {
      int code = method == "GET" ? 301 : 307;
      std::string toggled =
          path.back() == '/' ? path.substr(0, path.size() - 1) : std::string(path) + "/";
      auto toggled_segs = SplitPath(toggled);
      if (Find(method, toggled_segs, false, nullptr)) {
        res.kind = Resolution::kRedirect;
        res.code = code;
        res.location = toggled;
        return res;
      }
      for (const auto* candidate : {&segs, &toggled_segs}) {
        if (Route* r = Find(method, *candidate, true, nullptr)) {
          res.kind = Resolution::kRedirect;
          res.code = code;
          res.location = FixedPath(*r, *candidate);
          return res;
        }
      }
    }
    std::vector<std::string> allowed = AllowedMethods(segs);
    if (opts.head_falls_back_to_get &&
        std::find(allowed.begin(), allowed.end(), "GET") != allowed.end() &&
        std::find(allowed.begin(), allowed.end(), "HEAD") == allowed.end()) {
      allowed.push_back("HEAD");
    }
    allowed.erase(
        std::remove_if(allowed.begin(), allowed.end(),
                       [&](const std::string& m) { return m == "OPTIONS" || m == method; }),
        allowed.end());
    if (!allowed.empty()) {
      allowed.push_back("OPTIONS");
      std::sort(allowed.begin(), allowed.end());
      res.kind = method == "OPTIONS" ? Resolution::kOptions : Resolution::kMethodNotAllowed;
      res.allowed = std::move(allowed);
      return res;
    }
    res.kind = Resolution::kNotFound;
    return res;
  }

  std::string StripPrefix(const std::string& path) const {
    if (prefix.empty()) return path;
    return path.substr(prefix.size());
  }
};

std::string JoinAllowed(const std::vector<std::string>& methods) {
  std::string out;
  for (const auto& m : methods) {
    if (!out.empty()) out += ", ";
    out += m;
  }
  return out;
}

// Runs a handler with the exception barrier every handler gets: an escaping exception becomes a
// 500 and closes the connection (Go would log the panic and drop the connection).
void InvokeHandler(const std::function<void()>& call, Response& res) {
  try {
    call();
  } catch (const std::exception& e) {
    res = TextError(500, "Internal Server Error");
    res.headers.emplace_back("Connection", "close");
  } catch (...) {
    res = TextError(500, "Internal Server Error");
    res.headers.emplace_back("Connection", "close");
  }
}

// Holds one slot of the GET semaphore; released on destruction.
class GetSlot {
 public:
  GetSlot() = default;
  explicit GetSlot(Core* core) : core_(core) {}
  GetSlot(GetSlot&& o) noexcept : core_(std::exchange(o.core_, nullptr)) {}
  GetSlot& operator=(GetSlot&& o) noexcept {
    Release();
    core_ = std::exchange(o.core_, nullptr);
    return *this;
  }
  ~GetSlot() { Release(); }
  void Release() {
    if (core_) std::exchange(core_, nullptr)->ReleaseGet();
  }

 private:
  Core* core_ = nullptr;
};

// A handler call on the worker pool; shared between the pool job and the Session.
struct BlockingCall {
  Request request;
  Response response;
  Route* route = nullptr;
  GetSlot slot;
  Clock::time_point start;
};

// ---------------------------------------------------------------------------------------------
// One connection.

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, Core& core)
      : stream_(std::move(socket)),
        core_(core),
        // The whole header must fit; bodies are moved out of the buffer as they arrive.
        buffer_(core.opts.header_limit + 65536),
        call_timer_(stream_.get_executor()) {}

  void Run() {
    beast::error_code ec;
    stream_.socket().set_option(tcp::no_delay(true), ec);
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = FormatEndpoint(ep);
    WaitRequest();
  }

 private:
  // Waits for the first byte of the next request under the idle timeout; the read timeout for the
  // request starts when it arrives.
  void WaitRequest() {
    if (buffer_.size() > 0) return ReadHeader();
    stream_.expires_after(core_.opts.idle_timeout);
    stream_.async_read_some(buffer_.prepare(4096),
                            beast::bind_front_handler(&Session::OnFirstBytes, shared_from_this()));
  }

  void OnFirstBytes(beast::error_code ec, std::size_t n) {
    if (ec || n == 0) return Close();
    buffer_.commit(n);
    ReadHeader();
  }

  void ReadHeader() {
    parser_.emplace();
    parser_->header_limit(static_cast<std::uint32_t>(
        std::min<size_t>(core_.opts.header_limit, std::numeric_limits<std::uint32_t>::max())));
    parser_->body_limit(static_cast<std::uint64_t>(core_.opts.body_limit));
    stream_.expires_after(core_.opts.read_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnHeader, shared_from_this()));
  }

  void OnHeader(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    auto& msg = parser_->get();
    version_ = msg.version();
    if (version_ != 10 && version_ != 11) {
      version_ = 11;
      return SendErrorAndClose(505, "505 HTTP Version Not Supported: unsupported protocol version");
    }
    if (version_ == 11) {
      size_t hosts = msg.count(http::field::host);
      if (hosts == 0)
        return SendErrorAndClose(400, "400 Bad Request: missing required Host header");
      if (hosts > 1) return SendErrorAndClose(400, "400 Bad Request: too many Host headers");
      if (!parser_->is_done() && EqualsIgnoreCase(Std(msg[http::field::expect]), "100-continue")) {
        // Beast does not answer Expect itself. The body limit was already checked against
        // Content-Length, so only acceptable bodies are invited.
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        return asio::async_write(stream_, asio::buffer(kContinue.data(), kContinue.size()),
                                 [self = shared_from_this()](beast::error_code ec, std::size_t) {
                                   if (ec) return self->Close();
                                   self->ReadBody();
                                 });
      }
    }
    ReadBody();
  }

  void ReadBody() {
    if (parser_->is_done()) return OnRequest();
    // Same deadline as the header: expires_after above set an absolute expiry.
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnBody, shared_from_this()));
  }

  void OnBody(beast::error_code ec, std::size_t) {
    if (ec) return OnReadError(ec);
    OnRequest();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::body_limit) {
      return SendErrorAndClose(413, "Request body too large: the limit is " +
                                        std::to_string(core_.opts.body_limit) + " bytes.");
    }
    if (ec == http::error::header_limit || ec == http::error::buffer_overflow) {
      return SendErrorAndClose(431, "431 Request Header Fields Too Large");
    }
    if (ec == http::error::bad_version) {
      return SendErrorAndClose(505, "505 HTTP Version Not Supported: unsupported protocol version");
    }
    // A malformed request gets a 400. Anything else means the client went away or timed out
    // (tcp_stream has closed the socket then), or we are stopping: just close.
    static const auto& http_category = beast::error_code(http::error::bad_target).category();
    if (ec.category() == http_category && ec != http::error::end_of_stream &&
        ec != http::error::partial_message) {
      return SendErrorAndClose(400, "400 Bad Request");
    }
    Close();
  }

  // ----- dispatch

  void OnRequest() {
    stream_.expires_never();
    auto& msg = parser_->get();
    bool keep_alive = msg.keep_alive();
    Request req;
    req.method = std::string(Std(msg.method_string()));
    std::string_view target = Std(msg.target());

    if (target == "*") {
      // ServeMux: "OPTIONS *" is 200 with an empty body; any other method with "*" is a 400.
      Response r;
      if (req.method == "OPTIONS") return Send(std::move(r), false, keep_alive);
      r.status = 400;
      return Send(std::move(r), false, false);
    }
    std::string_view raw_path = target;
    if (target.empty() || target[0] != '/') {
      // Absolute form (proxies): "http://host/path?query".
      size_t scheme_end = target.find("://");
      if (scheme_end == std::string_view::npos ||
          !(EqualsIgnoreCase(target.substr(0, scheme_end), "http") ||
            EqualsIgnoreCase(target.substr(0, scheme_end), "https"))) {
        return SendErrorAndClose(400, "400 Bad Request");
      }
      size_t path_start = target.find_first_of("/?", scheme_end + 3);
      raw_path =
          path_start == std::string_view::npos ? std::string_view("/") : target.substr(path_start);
    }
    size_t qmark = raw_path.find('?');
    if (qmark != std::string_view::npos) {
      req.raw_query = std::string(raw_path.substr(qmark + 1));
      raw_path = raw_path.substr(0, qmark);
    }
    if (raw_path.empty()) raw_path = "/";
    auto decoded = Unescape(raw_path, false);
    if (!decoded) return SendErrorAndClose(400, "400 Bad Request");
    req.query = ParseQuery(req.raw_query);
    req.headers.reserve(std::distance(msg.begin(), msg.end()));
    for (const auto& f : msg) {
      req.headers.emplace_back(ToLower(Std(f.name_string())), std::string(Std(f.value())));
    }
    req.body = std::move(msg.body());
    req.remote_address = remote_;
    bool head = msg.method() == http::verb::head;

    // ServeMux redirects unclean paths before any handler (and before the GET limit).
    std::string path = CleanPath(*decoded);
    if (path != *decoded && req.method != "CONNECT") {
      std::string loc = EscapePath(path);
      if (!req.raw_query.empty()) loc += "?" + req.raw_query;
      return Send(MakeRedirect(req.method, std::move(loc), 301), head, keep_alive);
    }

    Resolution res = core_.Resolve(req.method, path);
    // Alertmanager's limitHandler wraps the whole mux: every GET takes a slot. A HEAD served by a
    // GET handler (our fallback; upstream answers 405) runs the same work, so it takes one too.
    GetSlot slot;
    bool head_via_get = head && res.kind == Resolution::kRoute && res.route->method == "GET";
    if (req.method == "GET" || head_via_get) {
      if (!core_.TryAcquireGet()) return Send(core_.LimitResponse(), head, keep_alive);
      slot = GetSlot(&core_);
    }
    Response out;
    switch (res.kind) {
      case Resolution::kRoute: {
        Route* route = res.route;
        req.path = route->strip_prefix ? core_.StripPrefix(path) : path;
        req.params = std::move(res.params);
        if (route->blocking) {
          return RunBlocking(route, std::move(req), std::move(slot), head, keep_alive);
        }
        auto start = Clock::now();
        InvokeHandler([&] { route->handler(req, out); }, out);
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        core_.Observe(*route, req.method, seconds, out.body.size());
        if (TimedOut(seconds)) out = core_.TimeoutResponse();
        break;
      }
      case Resolution::kUnmatched: {
        req.path = core_.StripPrefix(path);
        auto start = Clock::now();
        InvokeHandler([&] { res.unmatched->handler(req, out, res.allowed); }, out);
        double seconds = std::chrono::duration<double>(Clock::now() - start).count();
        if (TimedOut(seconds)) out = core_.TimeoutResponse();
        break;
      }
      case Resolution::kRedirect: {
        std::string loc = EscapePath(res.location);
        if (!req.raw_query.empty()) loc += "?" + req.raw_query;
        out = MakeRedirect(req.method, std::move(loc), res.code);
        break;
      }
      case Resolution::kOptions:
        out.headers.emplace_back("Allow", JoinAllowed(res.allowed));
        break;
      case Resolution::kMethodNotAllowed:
        out = TextError(405, "Method Not Allowed");
        out.headers.emplace_back("Allow", JoinAllowed(res.allowed));
        break;
      case Resolution::kNotFound:
        out = TextError(404, "404 page not found");
        break;
    }
    // Released before the write starts: Asio may write (and the client read) during initiation.
    slot.Release();
    Send(std::move(out), head, keep_alive);
  }

  bool TimedOut(double seconds) const {
    auto limit = core_.opts.request_timeout;
    return limit.count() > 0 && seconds > std::chrono::duration<double>(limit).count();
  }

  void RunBlocking(Route* route, Request req, GetSlot slot, bool head, bool keep_alive) {
    auto call = std::make_shared<BlockingCall>();
    call->request = std::move(req);
    call->route = route;
    call->slot = std::move(slot);
    call->start = Clock::now();
    uint64_t seq = ++call_seq_;
    pending_head_ = head;
    pending_keep_alive_ = keep_alive;
    awaiting_ = true;
    Core* core = &core_;
    asio::post(*core_.pool, [self = shared_from_this(), call, seq, core] {
      InvokeHandler([&] { call->route->handler(call->request, call->response); }, call->response);
      double seconds = std::chrono::duration<double>(Clock::now() - call->start).count();
      core->Observe(*call->route, call->request.method, seconds, call->response.body.size());
      call->slot.Release();  // as Go's limitHandler: the slot is held until the handler returns
      asio::post(self->stream_.get_executor(),
                 [self, call, seq] { self->OnBlockingDone(call, seq); });
    });
    if (core_.opts.request_timeout.count() > 0) {
      call_timer_.expires_after(core_.opts.request_timeout);
      call_timer_.async_wait([self = shared_from_this(), seq](beast::error_code ec) {
        if (ec || seq != self->call_seq_ || !self->awaiting_) return;
        self->awaiting_ = false;
        self->Send(self->core_.TimeoutResponse(), self->pending_head_, self->pending_keep_alive_);
      });
    }
  }

  void OnBlockingDone(const std::shared_ptr<BlockingCall>& call, uint64_t seq) {
    if (seq != call_seq_ || !awaiting_) return;  // answered by the timeout already
    awaiting_ = false;
    call_timer_.cancel();
    Send(std::move(call->response), pending_head_, pending_keep_alive_);
  }

  // ----- writing

  void Send(Response r, bool head, bool keep_alive) {
    res_ = {};
    res_.version(version_);
    res_.result(static_cast<unsigned>(r.status));
    if (auto text = GoStatusText(r.status); !text.empty()) res_.reason(Beast(text));
    if (!r.content_type.empty()) res_.set(http::field::content_type, Beast(r.content_type));
    for (auto& [name, value] : r.headers) {
      if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "date") ||
          EqualsIgnoreCase(name, "transfer-encoding")) {
        continue;
      }
      if (EqualsIgnoreCase(name, "connection")) {
        if (EqualsIgnoreCase(value, "close")) keep_alive = false;
        continue;
      }
      res_.insert(Beast(name), Beast(value));
    }
    res_.set(http::field::date, Beast(HttpDate()));
    bool bodiless_status = r.status < 200 || r.status == 204 || r.status == 304;
    if (!bodiless_status) res_.content_length(r.body.size());
    if (!head && !bodiless_status) res_.body() = std::move(r.body);
    res_.keep_alive(keep_alive);
    stream_.expires_after(core_.opts.write_timeout);
    http::async_write(stream_, res_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this(), keep_alive));
  }

  void OnWrite(bool keep_alive, beast::error_code ec, std::size_t) {
    if (ec) return Close();
    if (!keep_alive) return Linger();
    parser_.reset();
    WaitRequest();
  }

  void SendErrorAndClose(int status, std::string body) {
    Response r;
    r.status = status;
    r.content_type = kTextPlain;
    r.body = std::move(body);
    Send(std::move(r), false, false);
  }

  // Half-close and drain (bounded) so the peer reads our final response before we close.
  void Linger() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return Close();
    parser_.reset();
    lingered_ = 0;
    stream_.expires_after(kLingerTime);
    DrainOnce();
  }

  void DrainOnce() {
    stream_.async_read_some(asio::buffer(drain_, sizeof drain_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->lingered_ += n;
                              if (ec || self->lingered_ > kLingerBytes) return self->Close();
                              self->DrainOnce();
                            });
  }

  void Close() {
    beast::error_code ec;
    call_timer_.cancel();
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  Core& core_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  http::response<http::string_body> res_;
  std::string remote_;
  unsigned version_ = 11;

  asio::steady_timer call_timer_;
  uint64_t call_seq_ = 0;
  bool awaiting_ = false;
  bool pending_head_ = false;
  bool pending_keep_alive_ = false;

  size_t lingered_ = 0;
  char drain_[4096];
};

// ---------------------------------------------------------------------------------------------
// Listening.

// Accepts on one acceptor of one I/O thread. Retries transient accept errors (EMFILE, ENFILE,
// ENOBUFS, ...) with Go's backoff: 5 ms doubling to 1 s.
class Listener {
 public:
  Listener(asio::io_context& ioc, Core& core) : acceptor_(ioc), core_(core), backoff_(ioc) {}

  tcp::acceptor& acceptor() { return acceptor_; }

  void Accept() {
    acceptor_.async_accept(
        [this](beast::error_code ec, tcp::socket socket) { OnAccept(ec, std::move(socket)); });
  }

 private:
  void OnAccept(beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) return;
    if (ec) {
      delay_ = delay_.count() == 0 ? std::chrono::milliseconds(5)
                                   : std::min(delay_ * 2, std::chrono::milliseconds(1000));
      backoff_.expires_after(delay_);
      backoff_.async_wait([this](beast::error_code ec) {
        if (!ec) Accept();
      });
      return;
    }
    delay_ = std::chrono::milliseconds(0);
    std::make_shared<Session>(std::move(socket), core_)->Run();
    Accept();
  }

  tcp::acceptor acceptor_;
  Core& core_;
  asio::steady_timer backoff_;
  std::chrono::milliseconds delay_{0};
};

struct IoThread {
  asio::io_context ioc{1};
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  std::vector<std::unique_ptr<Listener>> listeners;  // destroyed before ioc
  std::thread thread;
};

struct ListenSpec {
  std::string text;
  std::optional<asio::ip::address> address;  // nullopt → all interfaces
  uint16_t port = 0;
};

// Go's net.SplitHostPort + address resolution for "host:port", ":port", "[v6]:port".
ListenSpec ParseListenAddress(const std::string& addr) {
  ListenSpec spec;
  spec.text = addr;
  auto fail = [&](const std::string& why) {
    return std::runtime_error("listen tcp " + addr + ": address " + addr + ": " + why);
  };
  size_t colon = addr.rfind(':');
  if (colon == std::string::npos) throw fail("missing port in address");
  std::string host = addr.substr(0, colon);
  std::string port = addr.substr(colon + 1);
  if (!host.empty() && host.front() == '[') {
    if (host.back() != ']') throw fail("missing ']' in address");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw fail("too many colons in address");
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; }) ||
      std::stoul(port) > 65535) {
    throw fail("unknown port");
  }
  spec.port = static_cast<uint16_t>(std::stoul(port));
  if (host.empty()) return spec;
  beast::error_code ec;
  auto ip = asio::ip::make_address(host, ec);
  if (!ec) {
    spec.address = ip;
    return spec;
  }
  // A host name: listen on its first address, preferring IPv4 as Go does.
  asio::io_context tmp;
  tcp::resolver resolver(tmp);
  auto results = resolver.resolve(host, port, ec);
  if (ec || results.empty()) throw fail("no such host");
  for (const auto& r : results) {
    if (r.endpoint().address().is_v4()) {
      spec.address = r.endpoint().address();
      return spec;
    }
  }
  spec.address = results.begin()->endpoint().address();
  return spec;
}

std::string GoSyscallError(const beast::error_code& ec) {
  std::string msg = ec.message();
  if (!msg.empty()) msg[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(msg[0])));
  return msg;
}

using ReusePort = asio::detail::socket_option::boolean<SOL_SOCKET, SO_REUSEPORT>;

// Opens, binds and listens; throws with Go's wording on failure.
void OpenAcceptor(tcp::acceptor& a, const ListenSpec& spec, const tcp::endpoint& ep, bool dual,
                  bool reuse_port) {
  beast::error_code ec;
  auto fail = [&](const char* op) {
    return std::runtime_error("listen tcp " + spec.text + ": " + op + ": " + GoSyscallError(ec));
  };
  a.open(ep.protocol(), ec);
  if (ec) throw fail("socket");
  a.set_option(asio::socket_base::reuse_address(true), ec);
  if (dual) a.set_option(asio::ip::v6_only(false), ec);
  if (reuse_port) {
    a.set_option(ReusePort(true), ec);
    if (ec) throw fail("setsockopt");
  }
  a.bind(ep, ec);
  if (ec) throw fail("bind");
  a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) throw fail("listen");
}

}  // namespace

// ---------------------------------------------------------------------------------------------

class HttpServer::Impl {
 public:
  Impl(Options opts, prometheus::Registry& registry) {
    core_.opts = std::move(opts);
    if (core_.opts.threads < 1) core_.opts.threads = 1;
    if (core_.opts.blocking_threads < 1) core_.opts.blocking_threads = 1;
    // Upstream: routePrefix = "/" + strings.Trim(routePrefix, "/").
    std::string_view p = core_.opts.route_prefix;
    while (!p.empty() && p.front() == '/') p.remove_prefix(1);
    while (!p.empty() && p.back() == '/') p.remove_suffix(1);
    core_.opts.route_prefix = "/" + std::string(p);
    core_.prefix = p.empty() ? "" : core_.opts.route_prefix;

    int limit = core_.opts.get_concurrency;
    if (limit < 1) limit = std::max(8, static_cast<int>(std::thread::hardware_concurrency()));
    core_.get_limit = limit;

    core_.duration_family = &prometheus::BuildHistogram()
                                 .Name("alertmanager_http_request_duration_seconds")
                                 .Help("Histogram of latencies for HTTP requests.")
                                 .Register(registry);
    core_.size_family = &prometheus::BuildHistogram()
                             .Name("alertmanager_http_response_size_bytes")
                             .Help("Histogram of response size for HTTP requests.")
                             .Register(registry);
    core_.in_flight = &prometheus::BuildGauge()
                           .Name("alertmanager_http_requests_in_flight")
                           .Help("Current number of HTTP requests being processed.")
                           .Register(registry)
                           .Add({{"method", "get"}});
    core_.limit_exceeded = &prometheus::BuildCounter()
                                .Name("alertmanager_http_concurrency_limit_exceeded_total")
                                .Help(
                                    "Total number of times an HTTP request failed because the "
                                    "concurrency limit was reached.")
                                .Register(registry)
                                .Add({{"method", "get"}});
  }

  ~Impl() { Stop(); }

  void Handle(std::string method, std::string pattern, std::string metric_handler, Handler h,
              bool blocking) {
    std::lock_guard lock(mu_);
    if (started_) throw std::logic_error("HttpServer::Handle after Start");
    if (!h) throw std::logic_error("HttpServer::Handle: empty handler for " + pattern);
    for (char& c : method) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    Route r;
    r.segments = ParsePattern(pattern);  // validates the relative pattern
    r.pattern = core_.prefix + pattern;
    r.segments = ParsePattern(r.pattern);
    for (const Route& other : core_.routes) {
      if (other.method == method && other.pattern == r.pattern) {
        throw std::logic_error("HttpServer::Handle: duplicate route " + method + " " + pattern);
      }
    }
    r.method = std::move(method);
    r.metric_handler = std::move(metric_handler);
    r.handler = std::move(h);
    r.blocking = blocking;
    core_.routes.push_back(std::move(r));
  }

  void HandleUnmatched(std::string subtree, UnmatchedHandler h) {
    std::lock_guard lock(mu_);
    if (started_) throw std::logic_error("HttpServer::HandleUnmatched after Start");
    if (subtree.size() < 2 || subtree.front() != '/' || subtree.back() != '/') {
      throw std::logic_error("HttpServer::HandleUnmatched: subtree must be \"/.../\": " + subtree);
    }
    core_.unmatched.push_back({core_.prefix + subtree, std::move(h)});
  }

  void Start() {
    std::lock_guard lock(mu_);
    if (started_) throw std::logic_error("HttpServer::Start called twice");
    started_ = true;
    if (!core_.prefix.empty()) {
      // Upstream registers GET "/" → 302 to the prefix on the un-prefixed router.
      Route r;
      r.method = "GET";
      r.pattern = "/";
      r.segments = ParsePattern("/");
      r.metric_handler = "/";
      r.strip_prefix = false;
      std::string target = core_.prefix;
      r.handler = [target](const Request& req, Response& res) {
        res = MakeRedirect(req.method, target, 302);
      };
      core_.routes.push_back(std::move(r));
    }
    std::stable_sort(core_.routes.begin(), core_.routes.end(), MoreSpecific);
    bool any_blocking = false;
    for (Route& r : core_.routes) {
      any_blocking |= r.blocking;
      if (r.metric_handler.empty()) continue;
      std::vector<std::string> methods;
      if (r.method == "*") {
        methods = {"get", "post", "head"};
      } else {
        methods = {ToLower(r.method)};
        if (r.method == "GET" && core_.opts.head_falls_back_to_get) methods.push_back("head");
      }
      for (const auto& m : methods) {
        std::map<std::string, std::string> labels{{"handler", r.metric_handler}, {"method", m}};
        r.histograms[m] = {&core_.duration_family->Add(labels, Core::DurationBuckets()),
                           &core_.size_family->Add(labels, Core::SizeBuckets())};
      }
    }

    for (int i = 0; i < core_.opts.threads; ++i) io_.push_back(std::make_unique<IoThread>());
    try {
      for (const auto& addr : core_.opts.listen_addresses) Bind(ParseListenAddress(addr));
    } catch (...) {
      io_.clear();
      ports_.clear();
      throw;
    }
    if (any_blocking) {
      core_.pool = std::make_unique<asio::thread_pool>(core_.opts.blocking_threads);
    }
    for (auto& t : io_) {
      for (auto& l : t->listeners) l->Accept();
      t->work.emplace(t->ioc.get_executor());
      IoThread* raw = t.get();
      t->thread = std::thread([raw] {
        // Sessions already catch everything they can; anything else is a bug, so the thread
        // keeps serving rather than taking the process down.
        for (;;) {
          try {
            raw->ioc.run();
            return;
          } catch (...) {
          }
        }
      });
    }
  }

  void Stop() {
    std::lock_guard lock(mu_);
    if (!started_ || stopped_) return;
    stopped_ = true;
    for (auto& t : io_) {
      t->work.reset();
      t->ioc.stop();
    }
    for (auto& t : io_) {
      if (t->thread.joinable()) t->thread.join();
    }
    if (core_.pool) {
      // Queued calls are dropped; running handlers are waited for. The pool is destroyed while
      // the io_contexts still exist, since dropped calls own Sessions.
      core_.pool->stop();
      core_.pool->join();
      core_.pool.reset();
    }
    io_.clear();  // listeners first, then each io_context destroys its pending handlers/sessions
  }

  std::vector<uint16_t> BoundPorts() const {
    std::lock_guard lock(mu_);
    return ports_;
  }

  int GetConcurrencyLimit() const { return core_.get_limit; }

 private:
  void Bind(const ListenSpec& spec) {
    tcp::endpoint ep;
    bool dual = false;
    if (spec.address) {
      ep = tcp::endpoint(*spec.address, spec.port);
    } else {
      // ":port" is every interface: dual-stack [::] when IPv6 works, else 0.0.0.0.
      beast::error_code ec;
      asio::io_context probe_ctx;
      tcp::socket probe(probe_ctx);
      probe.open(tcp::v6(), ec);
      if (!ec) {
        ep = tcp::endpoint(asio::ip::address_v6::any(), spec.port);
        dual = true;
      } else {
        ep = tcp::endpoint(asio::ip::address_v4::any(), spec.port);
      }
    }
    if (ep.port() != 0) {
      // SO_REUSEPORT would let us share a port with another process of the same user that also
      // sets it (e.g. a second copy of this daemon). Bind once without it to fail as Go would.
      asio::io_context probe_ctx;
      tcp::acceptor probe(probe_ctx);
      OpenAcceptor(probe, spec, ep, dual, false);
    }
    for (size_t i = 0; i < io_.size(); ++i) {
      auto listener = std::make_unique<Listener>(io_[i]->ioc, core_);
      OpenAcceptor(listener->acceptor(), spec, ep, dual, true);
      if (i == 0) ep.port(listener->acceptor().local_endpoint().port());
      io_[i]->listeners.push_back(std::move(listener));
    }
    ports_.push_back(ep.port());
  }

  mutable std::mutex mu_;
  Core core_;
  std::vector<std::unique_ptr<IoThread>> io_;
  std::vector<uint16_t> ports_;
  bool started_ = false;
  bool stopped_ = false;
};

HttpServer::HttpServer(Options opts, prometheus::Registry& registry)
    : impl_(std::make_unique<Impl>(std::move(opts), registry)) {}

HttpServer::~HttpServer() = default;

void HttpServer::Handle(std::string method, std::string pattern, std::string metric_handler,
                        Handler h) {
  impl_->Handle(std::move(method), std::move(pattern), std::move(metric_handler), std::move(h),
                false);
}

void HttpServer::HandleBlocking(std::string method, std::string pattern, std::string metric_handler,
                                Handler h) {
  impl_->Handle(std::move(method), std::move(pattern), std::move(metric_handler), std::move(h),
                true);
}

void HttpServer::HandleUnmatched(std::string subtree, UnmatchedHandler h) {
  impl_->HandleUnmatched(std::move(subtree), std::move(h));
}

void HttpServer::Start() { impl_->Start(); }
void HttpServer::Stop() { impl_->Stop(); }
std::vector<uint16_t> HttpServer::BoundPorts() const { return impl_->BoundPorts(); }
int HttpServer::GetConcurrencyLimit() const { return impl_->GetConcurrencyLimit(); }

}  // namespace am::api

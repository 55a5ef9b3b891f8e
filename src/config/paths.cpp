#include "config/paths.h"

#include <cctype>
#include <vector>

#include "core/strings.h"

namespace am::config::detail {

namespace {

std::string AddrError(std::string_view addr, std::string_view why) {
  return "address " + std::string(addr) + ": " + std::string(why);
}

bool IsTokenByte(unsigned char c) {
  if (std::isalnum(c)) return true;
  static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
  return kExtra.find(static_cast<char>(c)) != std::string_view::npos;
}

}  // namespace

std::optional<std::string> SplitHostPort(std::string_view hp, std::string* host,
                                         std::string* port) {
  constexpr std::string_view kMissingPort = "missing port in address";
  constexpr std::string_view kTooManyColons = "too many colons in address";
  size_t j = 0, k = 0;
  size_t i = hp.rfind(':');
  if (i == std::string_view::npos) return AddrError(hp, kMissingPort);
  if (!hp.empty() && hp[0] == '[') {
    size_t end = hp.find(']');
    if (end == std::string_view::npos) return AddrError(hp, "missing ']' in address");
    if (end + 1 == hp.size()) return AddrError(hp, kMissingPort);
    if (end + 1 != i) {
      if (hp[end + 1] == ':') return AddrError(hp, kTooManyColons);
      return AddrError(hp, kMissingPort);
    }
    *host = std::string(hp.substr(1, end - 1));
    j = 1;
    k = end + 1;
  } else {
    *host = std::string(hp.substr(0, i));
    if (host->find(':') != std::string::npos) return AddrError(hp, kTooManyColons);
  }
  if (hp.substr(j).find('[') != std::string_view::npos) {
    return AddrError(hp, "unexpected '[' in address");
  }
  if (hp.substr(k).find(']') != std::string_view::npos) {
    return AddrError(hp, "unexpected ']' in address");
  }
  *port = std::string(hp.substr(i + 1));
  return std::nullopt;
}

std::string JoinHostPort(std::string_view host, std::string_view port) {
  if (host.find(':') != std::string_view::npos) {
    return "[" + std::string(host) + "]:" + std::string(port);
  }
  return std::string(host) + ":" + std::string(port);
}

std::optional<std::string> ParseUrl(std::string_view raw, ParsedUrl* out) {
  auto fail = [&](std::string why) {
    return std::optional<std::string>("parse " + GoQuote(raw) + ": " + why);
  };
  for (unsigned char c : raw) {
    if (c < 0x20 || c == 0x7f) return fail("net/url: invalid control character in URL");
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '%') continue;
    std::string_view esc = raw.substr(i, 3);
    if (esc.size() < 3 || !std::isxdigit(static_cast<unsigned char>(esc[1])) ||
        !std::isxdigit(static_cast<unsigned char>(esc[2]))) {
      return fail("invalid URL escape " + GoQuote(esc));
    }
  }
  *out = ParsedUrl{};
  std::string_view s = raw;
  size_t hash = s.find('#');
  std::string_view fragment;
  if (hash != std::string_view::npos) {
    fragment = s.substr(hash);
    s = s.substr(0, hash);
  }
  // Scheme: [a-zA-Z][a-zA-Z0-9+-.]* ':'.
  std::string_view rest = s;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    if (std::isalpha(c)) continue;
    if ((std::isdigit(c) || c == '+' || c == '-' || c == '.') && i > 0) continue;
    if (c == ':') {
      if (i == 0) return fail("missing protocol scheme");
      out->scheme = std::string(s.substr(0, i));
      for (char& ch : out->scheme) ch = static_cast<char>(std::tolower(ch));
      rest = s.substr(i + 1);
    }
    break;
  }
  size_t q = rest.find('?');
  std::string_view query;
  if (q != std::string_view::npos) {
    query = rest.substr(q);
    rest = rest.substr(0, q);
  }
  if (rest.empty() || rest[0] != '/') {
    if (!out->scheme.empty()) {  // opaque, e.g. mailto:x
      out->rest = std::string(rest) + std::string(query) + std::string(fragment);
      return std::nullopt;
    }
    size_t colon = rest.find(':');
    size_t slash = rest.find('/');
    if (colon != std::string_view::npos && (slash == std::string_view::npos || colon < slash)) {
      return fail("first path segment in URL cannot contain colon");
    }
  }
  if (rest.substr(0, 2) == "//") {
    std::string_view authority = rest.substr(2);
    size_t slash = authority.find('/');
    std::string_view path;
    if (slash != std::string_view::npos) {
      path = authority.substr(slash);
      authority = authority.substr(0, slash);
    }
    size_t at = authority.rfind('@');
    std::string_view hostpart = authority;
    if (at != std::string_view::npos) {
      out->userinfo = std::string(authority.substr(0, at));
      out->has_password = out->userinfo.find(':') != std::string::npos;
      hostpart = authority.substr(at + 1);
    }
    if (!hostpart.empty() && hostpart[0] == '[') {
      size_t close = hostpart.find(']');
      if (close == std::string_view::npos) return fail("missing ']' in host");
      std::string_view after = hostpart.substr(close + 1);
      if (!after.empty() && after[0] != ':') {
        return fail("invalid port \"" + std::string(after) + "\" after host");
      }
      for (char c : after.substr(after.empty() ? 0 : 1)) {
        if (!std::isdigit(static_cast<unsigned char>(c))) {
          return fail("invalid port \"" + std::string(after) + "\" after host");
        }
      }
    } else {
      size_t colon = hostpart.rfind(':');
      if (colon != std::string_view::npos) {
        std::string_view port = hostpart.substr(colon);
        for (char c : port.substr(1)) {
          if (!std::isdigit(static_cast<unsigned char>(c))) {
            return fail("invalid port \"" + std::string(port) + "\" after host");
          }
        }
      }
      for (char c : hostpart) {
        if (c == ' ' || c == '<' || c == '>' || c == '"' || c == '{' || c == '}' || c == '|' ||
            c == '\\' || c == '^' || c == '`') {
          return fail("invalid character \"" + std::string(1, c) + "\" in host name");
        }
      }
    }
    out->host = std::string(hostpart);
    out->rest = std::string(path) + std::string(query) + std::string(fragment);
  } else {
    out->rest = std::string(rest) + std::string(query) + std::string(fragment);
  }
  return std::nullopt;
}

std::optional<std::string> CheckHttpUrl(std::string_view s) {
  ParsedUrl u;
  if (auto err = ParseUrl(s, &u)) return err;
  if (u.scheme != "http" && u.scheme != "https") {
    return "unsupported scheme " + GoQuote(u.scheme) + " for URL";
  }
  if (u.host.empty()) return std::string("missing host for URL");
  return std::nullopt;
}

std::string RedactUrl(std::string_view s) {
  ParsedUrl u;
  if (ParseUrl(s, &u) || !u.has_password) return std::string(s);
  std::string user = u.userinfo.substr(0, u.userinfo.find(':'));
  size_t at = s.find(u.userinfo + "@");
  if (at == std::string_view::npos) return std::string(s);
  return std::string(s.substr(0, at)) + user + ":xxxxx@" +
         std::string(s.substr(at + u.userinfo.size() + 1));
}

std::string CanonicalMimeHeaderKey(std::string_view s) {
  for (unsigned char c : s) {
    if (!IsTokenByte(c)) return std::string(s);
  }
  std::string out(s);
  bool upper = true;
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') {
      c = static_cast<char>(c - 'a' + 'A');
    } else if (!upper && c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
    upper = c == '-';
  }
  return out;
}

std::string CleanPath(std::string_view p) {
  if (p.empty()) return ".";
  bool rooted = p[0] == '/';
  std::vector<std::string_view> parts;
  size_t i = 0;
  while (i <= p.size()) {
    size_t j = p.find('/', i);
    if (j == std::string_view::npos) j = p.size();
    std::string_view part = p.substr(i, j - i);
    if (part.empty() || part == ".") {
      // skip
    } else if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!rooted) {
        parts.push_back(part);
      }
    } else {
      parts.push_back(part);
    }
    i = j + 1;
  }
  std::string out = rooted ? "/" : "";
  for (size_t k = 0; k < parts.size(); ++k) {
    if (k > 0) out += "/";
    out += parts[k];
  }
  if (out.empty()) return ".";
  return out;
}

std::string JoinDir(const std::string& dir, const std::string& p) {
  if (p.empty() || p[0] == '/') return p;
  if (dir.empty()) return CleanPath(p);
  return CleanPath(dir + "/" + p);
}

}  // namespace am::config::detail

#include "notify/go_json.h"

#include "core/strings.h"

namespace am::notify {
namespace {

constexpr char kHex[] = "0123456789abcdef";

// Go's htmlSafeSet: printable ASCII (and DEL) except the quote, the backslash and <, >, &.
bool HtmlSafe(unsigned char b) {
  if (b < 0x20 || b >= 0x80) return false;
  return b != '"' && b != '\\' && b != '<' && b != '>' && b != '&';
}

}  // namespace

void AppendGoJsonString(std::string* out, std::string_view s) {
  out->push_back('"');
  size_t start = 0;
  size_t i = 0;
  while (i < s.size()) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
      if (HtmlSafe(b)) {
        ++i;
        continue;
      }
      out->append(s.substr(start, i - start));
      out->push_back('\\');
      switch (b) {
        case '\\':
        case '"':
          out->push_back(static_cast<char>(b));
          break;
        case '\n':
          out->push_back('n');
          break;
        case '\r':
          out->push_back('r');
          break;
        case '\t':
          out->push_back('t');
          break;
        default:
          out->append("u00");
          out->push_back(kHex[b >> 4]);
          out->push_back(kHex[b & 0xF]);
      }
      ++i;
      start = i;
      continue;
    }
    char32_t rune = 0;
    const size_t width = DecodeRuneAt(s, i, &rune);
    if (rune == 0xFFFD && width == 1) {
      out->append(s.substr(start, i - start));
      out->append("\\ufffd");
      i += width;
      start = i;
      continue;
    }
    if (rune == 0x2028 || rune == 0x2029) {
      out->append(s.substr(start, i - start));
      out->append("\\u202");
      out->push_back(kHex[rune & 0xF]);
      i += width;
      start = i;
      continue;
    }
    i += width;
  }
  out->append(s.substr(start));
  out->push_back('"');
}

void AppendGoJsonStringMap(std::string* out, const LabelSet& kv) {
  out->push_back('{');
  bool first = true;
  for (const auto& [k, v] : kv) {
    if (!first) out->push_back(',');
    first = false;
    AppendGoJsonString(out, k);
    out->push_back(':');
    AppendGoJsonString(out, v);
  }
  out->push_back('}');
}

}  // namespace am::notify

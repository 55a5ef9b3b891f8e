#include "api/json_writer.h"

#include <array>

namespace am::api {

namespace {
// 1 for bytes Go's encoder escapes (controls, '"', '\\', '<', '>', '&'); 2 for 0xE2, the lead
// byte of U+2028/U+2029, which needs a closer look.
constexpr std::array<unsigned char, 256> MakeEscapeTable() {
  std::array<unsigned char, 256> t{};
  for (int c = 0; c < 0x20; ++c) t[c] = 1;
  t['"'] = t['\\'] = t['<'] = t['>'] = t['&'] = 1;
  t[0xE2] = 2;
  return t;
}
constexpr auto kEscape = MakeEscapeTable();
}  // namespace

void JsonWriter::AppendString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  const char* p = s.data();
  const size_t n = s.size();
  size_t start = 0;
  for (size_t i = 0; i < n; ++i) {
    unsigned char c = static_cast<unsigned char>(p[i]);
    unsigned char kind = kEscape[c];
    if (kind == 0) continue;
    if (kind == 2) {
      if (i + 2 < n && static_cast<unsigned char>(p[i + 1]) == 0x80 &&
          (static_cast<unsigned char>(p[i + 2]) == 0xA8 ||
           static_cast<unsigned char>(p[i + 2]) == 0xA9)) {
        out->append(p + start, i - start);
        *out += static_cast<unsigned char>(p[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
        i += 2;
        start = i + 1;
      }
      continue;
    }
    out->append(p + start, i - start);
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\r':
        *out += "\\r";
        break;
      case '\t':
        *out += "\\t";
        break;
      default: {
        char u[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out->append(u, 6);
      }
    }
    start = i + 1;
  }
  out->append(p + start, n - start);
  out->push_back('"');
}

}  // namespace am::api

#include "api/json_writer.h"

namespace am::api {

void JsonWriter::AppendString(std::string* out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  size_t start = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    unsigned char c = s[i];
    const char* esc = nullptr;
    char ubuf[7] = {'\\', 'u', '0', '0', 0, 0, 0};
    if (c == '"') {
      esc = "\\\"";
    } else if (c == '\\') {
      esc = "\\\\";
    } else if (c == '\n') {
      esc = "\\n";
    } else if (c == '\r') {
      esc = "\\r";
    } else if (c == '\t') {
      esc = "\\t";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      ubuf[4] = kHex[c >> 4];
      ubuf[5] = kHex[c & 0xF];
      esc = ubuf;
    } else if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
               (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
                static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
      out->append(s.data() + start, i - start);
      *out += static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029";
      i += 2;
      start = i + 1;
      continue;
    }
    if (esc) {
      out->append(s.data() + start, i - start);
      *out += esc;
      start = i + 1;
    }
  }
  out->append(s.data() + start, s.size() - start);
  out->push_back('"');
}

}  // namespace am::api

#include "config/template_glob.h"

#include <glob.h>

namespace am::config {

namespace {

constexpr const char* kBadPattern = "syntax error in pattern";

// filepath.Match's getEsc: one (possibly escaped) class character; false on a malformed class.
bool GetEsc(std::string_view p, size_t* i) {
  if (*i >= p.size() || p[*i] == '-' || p[*i] == ']') return false;
  if (p[*i] == '\\') {
    ++*i;
    if (*i >= p.size()) return false;
  }
  // One UTF-8 sequence.
  unsigned char c = p[*i];
  size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 1;
  *i += len;
  return *i < p.size();
}

}  // namespace

std::string CheckGlobPattern(std::string_view p) {
  for (size_t i = 0; i < p.size();) {
    char c = p[i];
    if (c == '\\') {
      if (i + 1 >= p.size()) return kBadPattern;
      i += 2;
    } else if (c == '[') {
      ++i;
      if (i < p.size() && p[i] == '^') ++i;
      int nrange = 0;
      for (;;) {
        if (i < p.size() && p[i] == ']' && nrange > 0) {
          ++i;
          break;
        }
        if (!GetEsc(p, &i)) return kBadPattern;
        if (p[i] == '-') {
          ++i;
          if (!GetEsc(p, &i)) return kBadPattern;
        }
        ++nrange;
      }
    } else {
      ++i;
    }
  }
  return "";
}

std::vector<std::string> ExpandGlob(const std::string& pattern) {
  std::vector<std::string> out;
  if (!CheckGlobPattern(pattern).empty()) return out;
  glob_t g{};
  if (glob(pattern.c_str(), 0, nullptr, &g) == 0) {
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  }
  globfree(&g);
  return out;
}

}  // namespace am::config

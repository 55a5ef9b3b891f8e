// UTF-8 helpers with Go's conventions (invalid bytes decode as U+FFFD, width 1).
// Thread-safety: pure functions.
#ifndef AM_TEMPLATE_TEXT_UTIL_H_
#define AM_TEMPLATE_TEXT_UTIL_H_

#include <cstdint>
#include <string>
#include <string_view>

namespace am::tmpl {

constexpr char32_t kRuneError = 0xFFFD;

// Decodes the rune at s[i]; *width receives its byte length (1 for invalid input).
char32_t DecodeRune(std::string_view s, size_t i, int* width);
void AppendRune(std::string& out, char32_t r);
size_t RuneCount(std::string_view s);
// Approximation of Go's unicode.IsPrint: graphic characters and ASCII space.
bool IsPrintRune(char32_t r);
bool IsLetterRune(char32_t r);
bool IsDigitRune(char32_t r);
char32_t ToUpperRune(char32_t r);
char32_t ToLowerRune(char32_t r);
char32_t ToTitleRune(char32_t r);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_TEXT_UTIL_H_

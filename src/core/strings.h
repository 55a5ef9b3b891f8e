// Go-compatible string helpers: strconv.Quote, UTF-8 validity, regexp.QuoteMeta.
// Output must equal Go's byte for byte, because group keys and matcher strings built with them are
// compared across HA peers (Go and C++). Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace am {

// strconv.Quote: double-quoted, Go escapes (\a \b \f \n \r \t \v \\ \"), \xNN for invalid UTF-8
// bytes, \uNNNN / \UNNNNNNNN for non-printable runes; printable runes are kept as UTF-8.
std::string GoQuote(std::string_view s);

// strconv.Unquote for double-quoted strings (the form GoQuote produces, plus \xNN, octal \NNN,
// \u, \U escapes). Throws ParseError on a malformed literal.
std::string GoUnquote(std::string_view quoted);

bool IsValidUtf8(std::string_view s);

// utf8.DecodeRuneInString at byte offset i: stores the rune and returns its width in bytes. Like
// Go, an invalid or truncated sequence decodes as U+FFFD with width 1. REQUIRES: i < s.size().
size_t DecodeRuneAt(std::string_view s, size_t i, char32_t* rune);

// utf8.EncodeRune appended to *out (runes outside Unicode are written as U+FFFD).
void AppendUtf8Rune(std::string* out, char32_t rune);

// unicode.IsSpace: ASCII \t \n \v \f \r and space, U+0085, U+00A0 and the Unicode White_Space
// runes above Latin-1.
bool IsGoSpace(char32_t rune);

// regexp.QuoteMeta: backslash before every regexp metacharacter.
std::string QuoteMeta(std::string_view s);

}  // namespace am

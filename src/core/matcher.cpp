#include "core/matcher.h"

#include <re2/re2.h>

#include <algorithm>
#include <atomic>
#include <optional>
#include <utility>

#include "core/error.h"
#include "core/strings.h"

namespace am {
namespace {

std::atomic<ParseMode> g_default_mode{ParseMode::kFallback};

// Go's regexp/syntax error texts, so that a bad regex in a config or API filter reads exactly as
// Alertmanager prints it. RE2's parser is the one Go's was ported from; its error argument is the
// same substring Go reports.
const char* GoRegexpErrorText(RE2::ErrorCode code) {
  switch (code) {
    case RE2::ErrorBadEscape:
      return "invalid escape sequence";
    case RE2::ErrorBadCharClass:
      return "invalid character class";
    case RE2::ErrorBadCharRange:
      return "invalid character class range";
    case RE2::ErrorMissingBracket:
      return "missing closing ]";
    case RE2::ErrorMissingParen:
      return "missing closing )";
    case RE2::ErrorUnexpectedParen:
      return "unexpected )";
    case RE2::ErrorTrailingBackslash:
      return "trailing backslash at end of expression";
    case RE2::ErrorRepeatArgument:
      return "missing argument to repetition operator";
    case RE2::ErrorRepeatSize:
      return "invalid repeat count";
    case RE2::ErrorRepeatOp:
      return "invalid nested repetition operator";
    case RE2::ErrorBadPerlOp:
      return "invalid or unsupported Perl syntax";
    case RE2::ErrorBadUTF8:
      return "invalid UTF-8";
    case RE2::ErrorBadNamedCapture:
      return "invalid named capture";
    case RE2::ErrorPatternTooLarge:
      return "expression too large";
    default:
      return "regexp/syntax: internal error";
  }
}

// Offset of the first \C escape (RE2: any byte; Go: an invalid escape), or npos. Text between \Q
// and \E is literal, as in Go.
size_t FindAnyByteEscape(std::string_view re) {
  for (size_t i = 0; i + 1 < re.size(); ++i) {
    if (re[i] != '\\') continue;
    if (re[i + 1] == 'Q') {
      size_t end = re.find("\\E", i + 2);
      if (end == std::string_view::npos) return std::string_view::npos;
      i = end + 1;
    } else if (re[i + 1] == 'C') {
      return i;
    } else {
      ++i;
    }
  }
  return std::string_view::npos;
}

// Go's parser stops at the first problem from the left. For \C, which RE2 accepts, that means:
// report it unless the text before it already has an error Go would report there (an unclosed
// group or class is only noticed at the end, so those do not count).
bool GoRejectsAnyByteEscape(const std::string& pattern, const RE2::Options& opts) {
  size_t at = FindAnyByteEscape(pattern);
  if (at == std::string::npos) return false;
  RE2 prefix(pattern.substr(0, at), opts);
  return prefix.ok() || prefix.error_code() == RE2::ErrorMissingParen ||
         prefix.error_code() == RE2::ErrorMissingBracket;
}

// Go's regexp reads each invalid byte of the subject as U+FFFD; RE2 would not match it with "."
// or a negated class, so invalid subjects are rewritten the same way before matching.
std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size() + 8);
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    i += DecodeRuneAt(s, i, &r);
    AppendUtf8Rune(&out, r);
  }
  return out;
}

// pkg/labels isReserved: runes that force a label name to be quoted when printed, and that end an
// unquoted token in the UTF-8 parser.
bool IsReservedRune(char32_t r) {
  switch (r) {
    case '{':
    case '}':
    case '!':
    case '=':
    case '~':
    case ',':
    case '\\':
    case '"':
    case '\'':
    case '`':
      return true;
    default:
      return IsGoSpace(r);
  }
}

// pkg/labels openMetricsEscape: only backslash, newline and double quote are escaped. This, not
// strconv.Quote, is what 0.25 prints, and group keys built from it are compared with Go peers.
std::string OpenMetricsEscape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '"':
        out += "\\\"";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Classic parser: pkg/labels ParseMatcher / ParseMatchers of 0.25.

// The \s class of Go's regexp (ASCII only, no \v), used by the 0.25 matcher regex.
bool IsRegexpSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsClassicNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}
bool IsClassicNameChar(char c) { return IsClassicNameStart(c) || (c >= '0' && c <= '9'); }

// Equivalent of matching `^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(=~|=|!=|!~)\s*((?s).*?)\s*$` and
// unescaping the third group with OpenMetrics rules.
Matcher ClassicParseMatcher(std::string_view s) {
  auto bad_format = [&]() { return ParseError("bad matcher format: " + std::string(s)); };
  size_t i = 0;
  while (i < s.size() && IsRegexpSpace(s[i])) ++i;
  if (i >= s.size() || !IsClassicNameStart(s[i])) throw bad_format();
  size_t name_start = i;
  while (i < s.size() && IsClassicNameChar(s[i])) ++i;
  std::string name(s.substr(name_start, i - name_start));
  while (i < s.size() && IsRegexpSpace(s[i])) ++i;
  MatchType type;
  if (i < s.size() && s[i] == '=') {
    bool re = i + 1 < s.size() && s[i + 1] == '~';
    type = re ? MatchType::kRegexp : MatchType::kEqual;
    i += re ? 2 : 1;
  } else if (i + 1 < s.size() && s[i] == '!' && (s[i + 1] == '=' || s[i + 1] == '~')) {
    type = s[i + 1] == '=' ? MatchType::kNotEqual : MatchType::kNotRegexp;
    i += 2;
  } else {
    throw bad_format();
  }
  while (i < s.size() && IsRegexpSpace(s[i])) ++i;
  size_t end = s.size();
  while (end > i && IsRegexpSpace(s[end - 1])) --end;
  const std::string_view group = s.substr(i, end - i);  // ms[3] in upstream's messages

  std::string_view raw = group;
  bool expect_trailing_quote = false;
  if (!raw.empty() && raw.front() == '"') {
    raw.remove_prefix(1);
    expect_trailing_quote = true;
  }
  if (!IsValidUtf8(raw)) {
    throw ParseError("matcher value not valid UTF-8: " + std::string(group));
  }
  auto unescaped_quote = [&]() {
    return ParseError("matcher value contains unescaped double quote: " + std::string(group));
  };
  std::string value;
  value.reserve(raw.size());
  bool escaped = false;
  for (size_t k = 0; k < raw.size(); ++k) {
    char c = raw[k];
    if (escaped) {
      escaped = false;
      if (c == 'n') {
        value.push_back('\n');
      } else if (c == '"' || c == '\\') {
        value.push_back(c);
      } else {
        // A spurious escape is kept literally, backslash included.
        value.push_back('\\');
        value.push_back(c);
      }
      continue;
    }
    if (c == '\\') {
      if (k < raw.size() - 1) {
        escaped = true;
        continue;
      }
      value.push_back('\\');
    } else if (c == '"') {
      if (!expect_trailing_quote || k < raw.size() - 1) throw unescaped_quote();
      expect_trailing_quote = false;
    } else {
      // Continuation bytes of multi-byte runes are copied as they come: the value is valid UTF-8
      // and none of the bytes above can occur inside a multi-byte rune.
      value.push_back(c);
    }
  }
  if (expect_trailing_quote) throw unescaped_quote();
  return Matcher::Create(type, std::move(name), std::move(value));
}

Matchers ClassicParseMatchers(std::string_view input) {
  std::string_view s = input;
  if (!s.empty() && s.front() == '{') s.remove_prefix(1);
  if (!s.empty() && s.back() == '}') s.remove_suffix(1);

  // Split on commas outside double quotes. Upstream ranges over runes and re-encodes them, so an
  // invalid byte reaches the matcher parser as U+FFFD; we do the same.
  std::vector<std::string> tokens;
  std::string token;
  bool inside_quotes = false;
  bool escaped = false;
  for (size_t i = 0; i < s.size();) {
    char32_t r;
    i += DecodeRuneAt(s, i, &r);
    switch (r) {
      case ',':
        if (!inside_quotes) {
          tokens.push_back(std::move(token));
          token.clear();
          continue;
        }
        break;  // a quoted comma leaves `escaped` as it was, as upstream does
      case '"':
        if (!escaped) {
          inside_quotes = !inside_quotes;
        } else {
          escaped = false;
        }
        break;
      case '\\':
        escaped = !escaped;
        break;
      default:
        escaped = false;
    }
    AppendUtf8Rune(&token, r);
  }
  // strings.TrimSpace on the last token only: it allows one trailing comma plus whitespace.
  std::string_view last = token;
  while (!last.empty()) {
    char32_t r;
    size_t w = DecodeRuneAt(last, 0, &r);
    if (!IsGoSpace(r)) break;
    last.remove_prefix(w);
  }
  while (!last.empty()) {
    // Walk back to the start of the last rune (token is valid UTF-8 here).
    size_t k = last.size() - 1;
    while (k > 0 && (static_cast<unsigned char>(last[k]) & 0xC0) == 0x80) --k;
    char32_t r;
    DecodeRuneAt(last, k, &r);
    if (!IsGoSpace(r)) break;
    last.remove_suffix(last.size() - k);
  }
  if (!last.empty()) tokens.emplace_back(last);

  Matchers out;
  out.reserve(tokens.size());
  for (const auto& t : tokens) out.push_back(ClassicParseMatcher(t));
  return out;
}

// ---------------------------------------------------------------------------------------------
// UTF-8 parser: matcher/parse of 0.27+ (a lexer and a small state machine). Error messages carry
// rune columns "start:end" exactly as upstream formats them.

enum class TokenKind {
  kEof,
  kOpenBrace,
  kCloseBrace,
  kComma,
  kEquals,
  kNotEquals,
  kMatches,
  kNotMatches,
  kQuoted,
  kUnquoted,
};

struct Position {
  size_t offset_start = 0;
  size_t offset_end = 0;
  int column_start = 0;
  int column_end = 0;
};

struct Token {
  TokenKind kind = TokenKind::kEof;
  std::string_view value;
  Position pos;
};

constexpr char32_t kEofRune = 0xFFFFFFFF;

class Lexer {
 public:
  explicit Lexer(std::string_view input) : input_(input) {}

  // Scans the next token into *t. Returns false with error() set when the input does not follow
  // the grammar; the error is sticky, as upstream's.
  bool Scan(Token* t) {
    *t = Token{};
    if (err_) return false;
    for (char32_t r = Next(); r != kEofRune; r = Next()) {
      if (r == '{') {
        *t = Emit(TokenKind::kOpenBrace);
        return true;
      } else if (r == '}') {
        *t = Emit(TokenKind::kCloseBrace);
        return true;
      } else if (r == ',') {
        *t = Emit(TokenKind::kComma);
        return true;
      } else if (r == '=' || r == '!') {
        Rewind();
        return ScanOperator(t);
      } else if (r == '"') {
        Rewind();
        return ScanQuoted(t);
      } else if (!IsReservedRune(r)) {
        Rewind();
        ScanUnquoted(t);
        return true;
      } else if (IsGoSpace(r)) {
        Skip();
      } else {
        Position p = Pos();
        err_ = Cols(p) + ": " + std::string(Slice(p)) + ": invalid input";
        return false;
      }
    }
    return true;  // kEof, zero position
  }

  // Like Scan, but the cursor is restored afterwards (a lexer error stays recorded).
  bool Peek(Token* t) {
    const size_t start = start_, pos = pos_, width = width_;
    const int column = column_, cols = cols_;
    bool ok = Scan(t);
    start_ = start, pos_ = pos, width_ = width, column_ = column, cols_ = cols;
    return ok;
  }

  const std::string& error() const { return *err_; }
  // Position of the last emitted token (its end column is what brace errors report).
  Position Pos() const { return Position{start_, pos_, column_, cols_}; }

 private:
  bool ScanOperator(Token* t) {
    if (Accept("!")) {
      if (Accept("=")) {
        *t = Emit(TokenKind::kNotEquals);
        return true;
      }
      if (Accept("~")) {
        *t = Emit(TokenKind::kNotMatches);
        return true;
      }
      err_ = ExpectedError(Pos(), "=~");
      return false;
    }
    if (Accept("=")) {
      *t = Emit(Accept("~") ? TokenKind::kMatches : TokenKind::kEquals);
      return true;
    }
    err_ = ExpectedError(Pos(), "!=");
    return false;
  }

  bool ScanQuoted(Token* t) {
    if (!Accept("\"")) {
      err_ = ExpectedError(Pos(), "\"");
      return false;
    }
    bool escaped = false;
    for (char32_t r = Next(); r != kEofRune; r = Next()) {
      if (escaped) {
        escaped = false;
      } else if (r == '\\') {
        escaped = true;
      } else if (r == '"') {
        Rewind();
        break;
      }
    }
    if (!Accept("\"")) {
      Position p = Pos();
      err_ = Cols(p) + ": " + std::string(Slice(p)) + ": missing end \"";
      return false;
    }
    *t = Emit(TokenKind::kQuoted);
    return true;
  }

  void ScanUnquoted(Token* t) {
    for (char32_t r = Next(); r != kEofRune; r = Next()) {
      if (IsReservedRune(r)) {
        Rewind();
        break;
      }
    }
    *t = Emit(TokenKind::kUnquoted);
  }

  std::string ExpectedError(const Position& p, std::string_view expected) const {
    if (p.offset_end >= input_.size()) {
      return Cols(p) + ": unexpected end of input, expected one of '" + std::string(expected) + "'";
    }
    return Cols(p) + ": " + std::string(Slice(p)) + ": expected one of '" + std::string(expected) +
           "'";
  }

  static std::string Cols(const Position& p) {
    return std::to_string(p.column_start) + ":" + std::to_string(p.column_end);
  }
  std::string_view Slice(const Position& p) const {
    return input_.substr(p.offset_start, p.offset_end - p.offset_start);
  }

  bool Accept(std::string_view valid) {
    char32_t r = Next();
    if (r != kEofRune && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos) {
      return true;
    }
    Rewind();
    return false;
  }

  Token Emit(TokenKind kind) {
    Token t{kind, input_.substr(start_, pos_ - start_), Pos()};
    start_ = pos_;
    column_ = cols_;
    return t;
  }

  char32_t Next() {
    if (pos_ >= input_.size()) {
      width_ = 0;
      return kEofRune;
    }
    char32_t r;
    width_ = DecodeRuneAt(input_, pos_, &r);
    pos_ += width_;
    ++cols_;
    return r;
  }

  // Un-reads the last rune; at end of input there is nothing to un-read.
  void Rewind() {
    pos_ -= width_;
    if (width_ > 0) --cols_;
  }

  void Skip() {
    start_ = pos_;
    column_ = cols_;
  }

  std::string_view input_;
  std::optional<std::string> err_;
  size_t start_ = 0;  // offset of the current token
  size_t pos_ = 0;    // cursor
  size_t width_ = 0;  // width of the last rune read
  int column_ = 0;    // rune column of the current token
  int cols_ = 0;      // runes read so far
};

// A parse step's failure. `eof` marks upstream's errEOF sentinel, which some states turn into a
// transition instead of an error.
struct StepError {
  bool eof = false;
  std::string msg;
};

class Utf8Parser {
 public:
  explicit Utf8Parser(std::string_view input) : lexer_(input) {}

  Matchers Parse() {
    enum class State { kOpenBrace, kMatcher, kEndOfMatcher, kComma, kCloseBrace, kEof, kDone };
    State state = State::kOpenBrace;
    while (state != State::kDone) {
      switch (state) {
        case State::kOpenBrace: {
          auto open = AcceptPeek({TokenKind::kOpenBrace});
          if (!open) {
            if (open.error().eof) {
              state = State::kEof;
              break;
            }
            throw ParseError(open.error().msg);
          }
          has_open_brace_ = *open;
          if (has_open_brace_) Consume();
          auto close = AcceptPeek({TokenKind::kCloseBrace});
          if (!close) {
            if (close.error().eof) {
              state = State::kCloseBrace;
              break;
            }
            throw ParseError(close.error().msg);
          }
          state = *close ? State::kCloseBrace : State::kMatcher;
          break;
        }
        case State::kMatcher:
          ParseMatcher();
          state = State::kEndOfMatcher;
          break;
        case State::kEndOfMatcher: {
          auto t = ExpectPeek({TokenKind::kComma, TokenKind::kCloseBrace});
          if (!t) {
            if (t.error().eof) {
              state = State::kCloseBrace;
              break;
            }
            throw ParseError(t.error().msg + ": expected a comma or close brace");
          }
          state = t->kind == TokenKind::kComma ? State::kComma : State::kCloseBrace;
          break;
        }
        case State::kComma: {
          Consume();  // the comma peeked by kEndOfMatcher
          auto t = ExpectPeek({TokenKind::kCloseBrace, TokenKind::kUnquoted, TokenKind::kQuoted});
          if (!t) {
            if (t.error().eof) {
              state = State::kCloseBrace;
              break;
            }
            throw ParseError(t.error().msg + ": expected a matcher or close brace after comma");
          }
          state = t->kind == TokenKind::kCloseBrace ? State::kCloseBrace : State::kMatcher;
          break;
        }
        case State::kCloseBrace: {
          auto t = Expect({TokenKind::kCloseBrace});
          if (has_open_brace_) {
            if (!t) {
              throw ParseError("0:" + std::to_string(lexer_.Pos().column_end) + ": " +
                               t.error().msg + ": expected close brace");
            }
          } else if (t) {
            throw ParseError("0:" + std::to_string(lexer_.Pos().column_end) +
                             ": }: expected opening brace");
          }
          state = State::kEof;
          break;
        }
        case State::kEof: {
          Token t;
          if (!lexer_.Scan(&t)) throw ParseError(lexer_.error() + ": expected end of input");
          if (t.kind != TokenKind::kEof) {
            throw ParseError(std::to_string(t.pos.column_start) + ":" +
                             std::to_string(t.pos.column_end) + ": " + std::string(t.value) +
                             ": expected end of input");
          }
          state = State::kDone;
          break;
        }
        case State::kDone:
          break;
      }
    }
    return std::move(matchers_);
  }

 private:
  template <typename T>
  class Result {
   public:
    // Implicit, so that a step can `return token;` or `return StepError{...};`.
    Result(T v) : value_(std::move(v)) {}          // NOLINT
    Result(StepError e) : error_(std::move(e)) {}  // NOLINT
    explicit operator bool() const { return value_.has_value(); }
    const T& operator*() const { return *value_; }
    const T* operator->() const { return &*value_; }
    const StepError& error() const { return error_; }

   private:
    std::optional<T> value_;
    StepError error_;
  };

  static bool IsOneOf(TokenKind k, std::initializer_list<TokenKind> kinds) {
    return std::find(kinds.begin(), kinds.end(), k) != kinds.end();
  }

  Result<Token> ExpectPeek(std::initializer_list<TokenKind> kinds) {
    Token t;
    if (!lexer_.Peek(&t)) return StepError{false, lexer_.error()};
    if (t.kind == TokenKind::kEof) return StepError{true, "end of input"};
    if (!IsOneOf(t.kind, kinds)) {
      return StepError{false, std::to_string(t.pos.column_start) + ":" +
                                  std::to_string(t.pos.column_end) + ": unexpected " +
                                  std::string(t.value)};
    }
    return t;
  }

  Result<Token> Expect(std::initializer_list<TokenKind> kinds) {
    auto t = ExpectPeek(kinds);
    if (t) Consume();
    return t;
  }

  Result<bool> AcceptPeek(std::initializer_list<TokenKind> kinds) {
    Token t;
    if (!lexer_.Peek(&t)) return StepError{false, lexer_.error()};
    if (t.kind == TokenKind::kEof) return StepError{true, "end of input"};
    return IsOneOf(t.kind, kinds);
  }

  // Consumes a token that a Peek has just returned successfully.
  void Consume() {
    Token t;
    lexer_.Scan(&t);
  }

  static std::string InvalidInput(const Token& t) {
    return std::to_string(t.pos.column_start) + ":" + std::to_string(t.pos.column_end) + ": " +
           std::string(t.value) + ": invalid input";
  }

  // token.unquote(): strconv.Unquote for quoted tokens, then a UTF-8 check.
  static std::optional<std::string> Unquote(const Token& t) {
    if (t.kind != TokenKind::kQuoted) return std::string(t.value);
    try {
      std::string s = GoUnquote(t.value);
      if (!IsValidUtf8(s)) return std::nullopt;
      return s;
    } catch (const ParseError&) {
      return std::nullopt;
    }
  }

  void ParseMatcher() {
    auto name_tok = Expect({TokenKind::kQuoted, TokenKind::kUnquoted});
    if (!name_tok) throw ParseError(name_tok.error().msg + ": expected label name");
    auto name = Unquote(*name_tok);
    if (!name) throw ParseError(InvalidInput(*name_tok));

    auto op = Expect(
        {TokenKind::kEquals, TokenKind::kNotEquals, TokenKind::kMatches, TokenKind::kNotMatches});
    if (!op) {
      throw ParseError(op.error().msg + ": expected an operator such as '=', '!=', '=~' or '!~'");
    }
    MatchType type = MatchType::kEqual;
    switch (op->kind) {
      case TokenKind::kNotEquals:
        type = MatchType::kNotEqual;
        break;
      case TokenKind::kMatches:
        type = MatchType::kRegexp;
        break;
      case TokenKind::kNotMatches:
        type = MatchType::kNotRegexp;
        break;
      default:
        break;
    }

    auto value_tok = Expect({TokenKind::kUnquoted, TokenKind::kQuoted});
    if (!value_tok) throw ParseError(value_tok.error().msg + ": expected label value");
    auto value = Unquote(*value_tok);
    if (!value) throw ParseError(InvalidInput(*value_tok));

    try {
      matchers_.push_back(Matcher::Create(type, std::move(*name), std::move(*value)));
    } catch (const ParseError& e) {
      throw ParseError(std::string("failed to create matcher: ") + e.what());
    }
  }

  Lexer lexer_;
  bool has_open_brace_ = false;
  Matchers matchers_;
};

Matchers Utf8ParseMatchers(std::string_view input) { return Utf8Parser(input).Parse(); }

Matcher Utf8ParseMatcher(std::string_view input) {
  Matchers ms = Utf8ParseMatchers(input);
  if (ms.size() == 1) return std::move(ms[0]);
  if (ms.empty()) throw ParseError("no matchers");
  throw ParseError("expected 1 matcher, found " + std::to_string(ms.size()));
}

// matcher/compat rejects braces around a single matcher before parsing (UTF-8 and fallback modes).
void RejectBraces(std::string_view input) {
  if ((!input.empty() && input.front() == '{') || (!input.empty() && input.back() == '}')) {
    throw ParseError("unexpected open or close brace: " + std::string(input));
  }
}

constexpr const char* kFallbackWarning =
    "Alertmanager is moving to a new parser for labels and matchers, and this input is "
    "incompatible. Alertmanager has instead parsed the input using the classic matchers parser as "
    "a fallback. To make this input compatible with the UTF-8 matchers parser please make sure "
    "all regular expressions and values are double-quoted and backslashes are escaped. If you "
    "are still seeing this message please open an issue.";

std::string FallbackWarning(std::string_view input, const std::string& err,
                            const std::string& suggestion) {
  return std::string(kFallbackWarning) + " input=" + GoQuote(input) + " err=" + GoQuote(err) +
         " suggestion=" + GoQuote(suggestion);
}

std::string DisagreementWarning(std::string_view input) {
  return "Matchers input has disagreement input=" + GoQuote(input);
}

}  // namespace

const char* MatchTypeString(MatchType t) {
  switch (t) {
    case MatchType::kEqual:
      return "=";
    case MatchType::kNotEqual:
      return "!=";
    case MatchType::kRegexp:
      return "=~";
    case MatchType::kNotRegexp:
      return "!~";
  }
  return "=";
}

Matcher Matcher::Create(MatchType type, std::string name, std::string value) {
  Matcher m;
  m.type_ = type;
  m.name_ = std::move(name);
  m.value_ = std::move(value);
  if (type == MatchType::kRegexp || type == MatchType::kNotRegexp) {
    RE2::Options opts;
    opts.set_log_errors(false);
    // Go's regexp has no program-size budget; RE2's default (8 MiB) rejects some large
    // alternations that Alertmanager accepts.
    opts.set_max_mem(int64_t{64} << 20);
    std::string pattern = "^(?:" + m.value_ + ")$";
    if (GoRejectsAnyByteEscape(pattern, opts)) {
      throw ParseError("error parsing regexp: invalid escape sequence: `\\C`");
    }
    auto re = std::make_shared<const RE2>(pattern, opts);
    if (!re->ok()) {
      std::string arg = re->error_arg();
      if (re->error_code() == RE2::ErrorBadUTF8) {
        // Go reports the rest of the pattern from the first invalid byte; RE2 reports nothing.
        size_t i = 0;
        for (char32_t r; i < pattern.size();) {
          size_t w = DecodeRuneAt(pattern, i, &r);
          if (r == 0xFFFD && w == 1) break;
          i += w;
        }
        arg = pattern.substr(std::min(i, pattern.size()));
      }
      throw ParseError(std::string("error parsing regexp: ") + GoRegexpErrorText(re->error_code()) +
                       ": `" + arg + "`");
    }
    m.re_ = std::move(re);
  }
  return m;
}

bool Matcher::Matches(std::string_view v) const {
  switch (type_) {
    case MatchType::kEqual:
      return v == value_;
    case MatchType::kNotEqual:
      return v != value_;
    case MatchType::kRegexp:
    case MatchType::kNotRegexp: {
      bool match = IsValidUtf8(v) ? RE2::PartialMatch(v, *re_)
                                  : RE2::PartialMatch(ReplaceInvalidUtf8(v), *re_);
      return match == (type_ == MatchType::kRegexp);
    }
  }
  return false;
}

std::string Matcher::String() const {
  bool reserved = false;
  for (size_t i = 0; i < name_.size() && !reserved;) {
    char32_t r;
    i += DecodeRuneAt(name_, i, &r);
    reserved = IsReservedRune(r);
  }
  if (reserved) return GoQuote(name_) + MatchTypeString(type_) + GoQuote(value_);
  return name_ + MatchTypeString(type_) + "\"" + OpenMetricsEscape(value_) + "\"";
}

bool MatchesAll(const Matchers& ms, const LabelSet& ls) {
  for (const auto& m : ms) {
    if (!m.Matches(ls.Get(m.name()))) return false;
  }
  return true;
}

std::string MatchersString(const Matchers& ms) {
  std::string out = "{";
  for (size_t i = 0; i < ms.size(); ++i) {
    if (i > 0) out.push_back(',');
    out += ms[i].String();
  }
  out.push_back('}');
  return out;
}

void SortMatchers(Matchers* ms) {
  std::sort(ms->begin(), ms->end(), [](const Matcher& a, const Matcher& b) {
    if (a.name() != b.name()) return a.name() < b.name();
    if (a.value() != b.value()) return a.value() < b.value();
    return a.type() < b.type();
  });
}

Matchers ParseMatchers(std::string_view input, ParseMode mode, std::string* warning) {
  switch (mode) {
    case ParseMode::kClassic:
      return ClassicParseMatchers(input);
    case ParseMode::kUtf8Strict:
      return Utf8ParseMatchers(input);
    case ParseMode::kFallback:
      break;
  }
  // Both parsers run, as upstream does, to detect inputs they read differently.
  std::optional<Matchers> utf8;
  std::string utf8_err;
  try {
    utf8 = Utf8ParseMatchers(input);
  } catch (const ParseError& e) {
    utf8_err = e.what();
  }
  std::optional<Matchers> classic;
  std::optional<ParseError> classic_err;
  try {
    classic = ClassicParseMatchers(input);
  } catch (const ParseError& e) {
    classic_err = e;
  }
  if (!utf8) {
    if (!classic) throw *classic_err;
    if (warning) {
      std::string suggestion;
      for (size_t i = 0; i < classic->size(); ++i) {
        if (i > 0) suggestion.push_back(',');
        suggestion += (*classic)[i].String();
      }
      *warning = FallbackWarning(input, utf8_err, suggestion);
    }
    return std::move(*classic);
  }
  // Upstream compares with reflect.DeepEqual, where the UTF-8 parser's nil list differs from the
  // classic parser's empty one: an input without matchers ("", "{}") is always a disagreement.
  if (classic && (*classic != *utf8 || classic->empty())) {
    if (warning) *warning = DisagreementWarning(input);
    return std::move(*classic);
  }
  return std::move(*utf8);
}

Matcher ParseMatcher(std::string_view input, ParseMode mode, std::string* warning) {
  switch (mode) {
    case ParseMode::kClassic:
      return ClassicParseMatcher(input);
    case ParseMode::kUtf8Strict:
      RejectBraces(input);
      return Utf8ParseMatcher(input);
    case ParseMode::kFallback:
      break;
  }
  RejectBraces(input);
  std::optional<Matcher> utf8;
  std::string utf8_err;
  try {
    utf8 = Utf8ParseMatcher(input);
  } catch (const ParseError& e) {
    utf8_err = e.what();
  }
  std::optional<Matcher> classic;
  std::optional<ParseError> classic_err;
  try {
    classic = ClassicParseMatcher(input);
  } catch (const ParseError& e) {
    classic_err = e;
  }
  if (!utf8) {
    if (!classic) throw *classic_err;
    if (warning) *warning = FallbackWarning(input, utf8_err, classic->String());
    return std::move(*classic);
  }
  if (classic && !(*classic == *utf8)) {
    if (warning) *warning = DisagreementWarning(input);
    return std::move(*classic);
  }
  return std::move(*utf8);
}

void SetDefaultParseMode(ParseMode mode) { g_default_mode.store(mode, std::memory_order_relaxed); }

ParseMode DefaultParseMode() { return g_default_mode.load(std::memory_order_relaxed); }

}  // namespace am

#include "template/parse.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>

#include "template/gofmt.h"
#include "template/text_util.h"

namespace am::tmpl {

namespace {

enum class Item : uint8_t {
  kError,
  kBool,
  kChar,
  kCharConstant,
  kComment,
  kComplex,
  kAssign,
  kDeclare,
  kEOF,
  kField,
  kIdentifier,
  kLeftDelim,
  kLeftParen,
  kNumber,
  kPipe,
  kRawString,
  kRightDelim,
  kRightParen,
  kSpace,
  kString,
  kText,
  kVariable,
  kKeyword,  // marker: everything after is a keyword
  kBlock,
  kBreak,
  kContinue,
  kDot,
  kDefine,
  kElse,
  kEnd,
  kIf,
  kNil,
  kRange,
  kTemplate,
  kWith,
};

struct Token {
  Item typ;
  int32_t pos;
  std::string val;
  int32_t line;

  // Go's item.String(): how tokens appear in parse errors.
  std::string String() const {
    if (typ == Item::kEOF) return "EOF";
    if (typ == Item::kError) return val;
    if (typ > Item::kKeyword) return "<" + val + ">";
    if (RuneCount(val) > 10) {
      std::string head;
      size_t n = 0;
      for (size_t i = 0; i < val.size() && n < 10; ++n) {
        int w;
        DecodeRune(val, i, &w);
        head.append(val, i, w);
        i += w;
      }
      return GoQuote(head) + "...";
    }
    return GoQuote(val);
  }
};

Item Keyword(std::string_view w) {
  if (w == ".") return Item::kDot;
  if (w == "block") return Item::kBlock;
  if (w == "break") return Item::kBreak;
  if (w == "continue") return Item::kContinue;
  if (w == "define") return Item::kDefine;
  if (w == "else") return Item::kElse;
  if (w == "end") return Item::kEnd;
  if (w == "if") return Item::kIf;
  if (w == "range") return Item::kRange;
  if (w == "nil") return Item::kNil;
  if (w == "template") return Item::kTemplate;
  if (w == "with") return Item::kWith;
  return Item::kError;
}

bool IsSpace(char32_t r) { return r == ' ' || r == '\t' || r == '\r' || r == '\n'; }
bool IsAlphaNumeric(char32_t r) { return r == '_' || IsLetterRune(r) || IsDigitRune(r); }

constexpr std::string_view kLeftDelim = "{{";
constexpr std::string_view kRightDelim = "}}";
constexpr std::string_view kLeftComment = "/*";
constexpr std::string_view kRightComment = "*/";
constexpr char32_t kEof = static_cast<char32_t>(-1);

bool HasLeftTrimMarker(std::string_view s) { return s.size() >= 2 && s[0] == '-' && IsSpace(s[1]); }
bool HasRightTrimMarker(std::string_view s) {
  return s.size() >= 2 && IsSpace(s[0]) && s[1] == '-';
}

// Scans the whole input eagerly into tokens. The token stream ends with EOF or an error token,
// exactly where Go's lexer would stop.
class Lexer {
 public:
  enum St { kSText, kSLeft, kSComment, kSInside, kSRight, kSDone };
  Lexer(std::string_view input, bool break_ok, bool continue_ok)
      : in_(input), break_ok_(break_ok), continue_ok_(continue_ok) {}

  std::vector<Token> Run() {
    St st = kSText;
    while (st != kSDone) {
      switch (st) {
        case kSText:
          st = LexText() ? kSLeft : kSDone;
          break;
        case kSLeft:
          st = LexLeftDelim();
          break;
        case kSComment:
          st = LexComment() ? kSText : kSDone;
          break;
        case kSInside:
          st = LexInside();
          break;
        case kSRight:
          LexRightDelim();
          st = kSText;
          break;
        case kSDone:
          break;
      }
    }
    return std::move(items_);
  }

 private:
  char32_t Next() {
    if (pos_ >= in_.size()) {
      at_eof_ = true;
      return kEof;
    }
    int w;
    char32_t r = DecodeRune(in_, pos_, &w);
    pos_ += w;
    if (r == '\n') ++line_;
    return r;
  }
  void Backup() {
    if (!at_eof_ && pos_ > 0) {
      // Step back one UTF-8 sequence.
      size_t p = pos_ - 1;
      while (p > 0 && (static_cast<unsigned char>(in_[p]) & 0xC0) == 0x80 && pos_ - p < 4) --p;
      if (in_[p] == '\n') --line_;
      pos_ = p;
    }
  }
  char32_t Peek() {
    char32_t r = Next();
    Backup();
    return r;
  }
  void Emit(Item t) {
    items_.push_back(Token{t, static_cast<int32_t>(start_),
                           std::string(in_.substr(start_, pos_ - start_)),
                           static_cast<int32_t>(start_line_)});
    start_ = pos_;
    start_line_ = line_;
  }
  void Ignore() {
    for (size_t i = start_; i < pos_; ++i)
      if (in_[i] == '\n') ++line_;
    start_ = pos_;
    start_line_ = line_;
  }
  bool Errorf(std::string msg) {
    items_.push_back(Token{Item::kError, static_cast<int32_t>(start_), std::move(msg),
                           static_cast<int32_t>(start_line_)});
    failed_ = true;
    return false;
  }
  bool Accept(std::string_view valid) {
    char32_t r = Next();
    if (r != kEof && r < 0x80 && valid.find(static_cast<char>(r)) != std::string_view::npos)
      return true;
    Backup();
    return false;
  }
  void AcceptRun(std::string_view valid) {
    while (true) {
      char32_t r = Next();
      if (r == kEof || r >= 0x80 || valid.find(static_cast<char>(r)) == std::string_view::npos)
        break;
    }
    Backup();
  }
  static size_t CountNl(std::string_view s) {
    size_t n = 0;
    for (char c : s) n += c == '\n';
    return n;
  }

  // Returns true when a left delimiter follows.
  bool LexText() {
    size_t x = in_.find(kLeftDelim, pos_);
    if (x != std::string_view::npos) {
      size_t ldn = kLeftDelim.size();
      pos_ = x;
      size_t trim = 0;
      if (HasLeftTrimMarker(in_.substr(pos_ + ldn))) {
        std::string_view t = in_.substr(start_, pos_ - start_);
        size_t k = t.size();
        while (k > 0 && IsSpace(static_cast<unsigned char>(t[k - 1]))) --k;
        trim = t.size() - k;
      }
      pos_ -= trim;
      if (pos_ > start_) {
        line_ += CountNl(in_.substr(start_, pos_ - start_));
        Emit(Item::kText);
      }
      pos_ += trim;
      Ignore();
      return true;
    }
    pos_ = in_.size();
    if (pos_ > start_) {
      line_ += CountNl(in_.substr(start_, pos_ - start_));
      Emit(Item::kText);
    }
    Emit(Item::kEOF);
    return false;
  }

  St LexLeftDelim() {
    pos_ += kLeftDelim.size();
    bool trim = HasLeftTrimMarker(in_.substr(pos_));
    size_t after = trim ? 2 : 0;
    if (in_.substr(pos_ + after).substr(0, 2) == kLeftComment) {
      pos_ += after;
      Ignore();
      return kSComment;
    }
    Emit(Item::kLeftDelim);
    pos_ += after;
    Ignore();
    paren_depth_ = 0;
    return kSInside;
  }

  std::pair<bool, bool> AtRightDelim() {
    if (HasRightTrimMarker(in_.substr(pos_)) && in_.substr(pos_ + 2).substr(0, 2) == kRightDelim)
      return {true, true};
    if (in_.substr(pos_).substr(0, 2) == kRightDelim) return {true, false};
    return {false, false};
  }

  bool LexComment() {
    pos_ += kLeftComment.size();
    size_t i = in_.find(kRightComment, pos_);
    if (i == std::string_view::npos) return Errorf("unclosed comment");
    pos_ = i + kRightComment.size();
    auto [delim, trim] = AtRightDelim();
    if (!delim) return Errorf("comment ends before closing delimiter");
    if (trim) pos_ += 2;
    pos_ += kRightDelim.size();
    if (trim) {
      while (pos_ < in_.size() && IsSpace(static_cast<unsigned char>(in_[pos_]))) ++pos_;
    }
    Ignore();
    return true;
  }

  void LexRightDelim() {
    bool trim = HasRightTrimMarker(in_.substr(pos_));
    if (trim) {
      pos_ += 2;
      Ignore();
    }
    pos_ += kRightDelim.size();
    Emit(Item::kRightDelim);
    if (trim) {
      while (pos_ < in_.size() && IsSpace(static_cast<unsigned char>(in_[pos_]))) ++pos_;
      Ignore();
    }
  }

  bool AtTerminator() {
    char32_t r = Peek();
    if (IsSpace(r)) return true;
    switch (r) {
      case kEof:
      case '.':
      case ',':
      case '|':
      case ':':
      case ')':
      case '(':
        return true;
    }
    return in_.substr(pos_).substr(0, 2) == kRightDelim;
  }

  static std::string BadChar(char32_t r) {
    // %#U
    char buf[32];
    std::snprintf(buf, sizeof buf, "U+%04X", static_cast<unsigned>(r));
    std::string s = buf;
    if (IsPrintRune(r)) {
      s += " '";
      AppendRune(s, r);
      s += "'";
    }
    return s;
  }

  St LexInside() {
    auto [delim, trim] = AtRightDelim();
    (void)trim;
    if (delim) {
      if (paren_depth_ == 0) {
        return kSRight;
      }
      Errorf("unclosed left paren");
      return kSDone;
    }
    char32_t r = Next();
    if (r == kEof) {
      Errorf("unclosed action");
      return kSDone;
    }
    if (IsSpace(r)) {
      Backup();
      return LexSpace();
    }
    switch (r) {
      case '=':
        Emit(Item::kAssign);
        return kSInside;
      case ':':
        if (Next() != '=') {
          Errorf("expected :=");
          return kSDone;
        }
        Emit(Item::kDeclare);
        return kSInside;
      case '|':
        Emit(Item::kPipe);
        return kSInside;
      case '"':
        return LexQuote() ? kSInside : kSDone;
      case '`':
        return LexRawQuote() ? kSInside : kSDone;
      case '$':
        return LexVariable() ? kSInside : kSDone;
      case '\'':
        return LexChar() ? kSInside : kSDone;
      case '(':
        Emit(Item::kLeftParen);
        ++paren_depth_;
        return kSInside;
      case ')':
        Emit(Item::kRightParen);
        --paren_depth_;
        if (paren_depth_ < 0) {
          Errorf("unexpected right paren " + BadChar(r));
          return kSDone;
        }
        return kSInside;
    }
    if (r == '.') {
      if (pos_ < in_.size()) {
        char c = in_[pos_];
        if (c < '0' || c > '9') return LexFieldOrVariable(Item::kField) ? kSInside : kSDone;
      }
      Backup();
      return LexNumber() ? kSInside : kSDone;
    }
    if (r == '+' || r == '-' || (r >= '0' && r <= '9')) {
      Backup();
      return LexNumber() ? kSInside : kSDone;
    }
    if (IsAlphaNumeric(r)) {
      Backup();
      return LexIdentifier() ? kSInside : kSDone;
    }
    if (r < 0x80 && IsPrintRune(r)) {
      Emit(Item::kChar);
      return kSInside;
    }
    Errorf("unrecognized character in action: " + BadChar(r));
    return kSDone;
  }

  St LexSpace() {
    int num = 0;
    while (IsSpace(Peek())) {
      Next();
      ++num;
    }
    if (HasRightTrimMarker(in_.substr(pos_ - 1)) &&
        in_.substr(pos_ - 1 + 2).substr(0, 2) == kRightDelim) {
      Backup();
      if (num == 1) {
        return kSRight;
      }
    }
    Emit(Item::kSpace);
    return kSInside;
  }

  bool LexIdentifier() {
    while (true) {
      char32_t r = Next();
      if (IsAlphaNumeric(r)) continue;
      Backup();
      std::string_view word = in_.substr(start_, pos_ - start_);
      if (!AtTerminator()) return Errorf("bad character " + BadChar(r));
      Item k = Keyword(word);
      if (k != Item::kError) {
        if ((k == Item::kBreak && !break_ok_) || (k == Item::kContinue && !continue_ok_)) {
          Emit(Item::kIdentifier);
        } else {
          Emit(k);
        }
      } else if (word[0] == '.') {
        Emit(Item::kField);
      } else if (word == "true" || word == "false") {
        Emit(Item::kBool);
      } else {
        Emit(Item::kIdentifier);
      }
      return true;
    }
  }

  bool LexVariable() {
    if (AtTerminator()) {
      Emit(Item::kVariable);
      return true;
    }
    return LexFieldOrVariable(Item::kVariable);
  }

  bool LexFieldOrVariable(Item typ) {
    if (AtTerminator()) {
      Emit(typ == Item::kVariable ? Item::kVariable : Item::kDot);
      return true;
    }
    char32_t r;
    while (true) {
      r = Next();
      if (!IsAlphaNumeric(r)) {
        Backup();
        break;
      }
    }
    if (!AtTerminator()) return Errorf("bad character " + BadChar(r));
    Emit(typ);
    return true;
  }

  bool LexChar() {
    while (true) {
      char32_t r = Next();
      if (r == '\\') {
        char32_t n = Next();
        if (n != kEof && n != '\n') continue;
        return Errorf("unterminated character constant");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated character constant");
      if (r == '\'') break;
    }
    Emit(Item::kCharConstant);
    return true;
  }

  bool ScanNumber() {
    Accept("+-");
    std::string_view digits = "0123456789_";
    if (Accept("0")) {
      if (Accept("xX")) {
        digits = "0123456789abcdefABCDEF_";
      } else if (Accept("oO")) {
        digits = "01234567_";
      } else if (Accept("bB")) {
        digits = "01_";
      }
    }
    AcceptRun(digits);
    if (Accept(".")) AcceptRun(digits);
    if (digits.size() == 11 && Accept("eE")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    if (digits.size() == 23 && Accept("pP")) {
      Accept("+-");
      AcceptRun("0123456789_");
    }
    Accept("i");
    if (IsAlphaNumeric(Peek())) {
      Next();
      return false;
    }
    return true;
  }

  bool LexNumber() {
    if (!ScanNumber())
      return Errorf("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
    char32_t sign = Peek();
    if (sign == '+' || sign == '-') {
      if (!ScanNumber() || in_[pos_ - 1] != 'i')
        return Errorf("bad number syntax: " + GoQuote(in_.substr(start_, pos_ - start_)));
      Emit(Item::kComplex);
    } else {
      Emit(Item::kNumber);
    }
    return true;
  }

  bool LexQuote() {
    while (true) {
      char32_t r = Next();
      if (r == '\\') {
        char32_t n = Next();
        if (n != kEof && n != '\n') continue;
        return Errorf("unterminated quoted string");
      }
      if (r == kEof || r == '\n') return Errorf("unterminated quoted string");
      if (r == '"') break;
    }
    Emit(Item::kString);
    return true;
  }

  bool LexRawQuote() {
    while (true) {
      char32_t r = Next();
      if (r == kEof) return Errorf("unterminated raw quoted string");
      if (r == '`') break;
    }
    Emit(Item::kRawString);
    return true;
  }

  std::string_view in_;
  bool break_ok_, continue_ok_;
  size_t pos_ = 0, start_ = 0;
  int line_ = 1, start_line_ = 1;
  int paren_depth_ = 0;
  bool at_eof_ = false;
  bool failed_ = false;
  std::vector<Token> items_;
};

// --------------------------------------------------------------------------------------------

// Go's strconv.underscoreOK: underscores only between digits (or after a base prefix).
bool UnderscoreOk(const std::string& s) {
  char saw = '^';
  size_t i = 0;
  bool hex = false;
  auto lower = [](char c) { return static_cast<char>(c | 0x20); };
  if (s.size() >= 2 && s[0] == '0' &&
      (lower(s[1]) == 'b' || lower(s[1]) == 'o' || lower(s[1]) == 'x')) {
    i = 2;
    saw = '0';
    hex = lower(s[1]) == 'x';
  }
  for (; i < s.size(); ++i) {
    char c = s[i];
    if ((c >= '0' && c <= '9') || (hex && lower(c) >= 'a' && lower(c) <= 'f')) {
      saw = '0';
      continue;
    }
    if (c == '_') {
      if (saw != '0') return false;
      saw = '_';
      continue;
    }
    if (saw == '_') return false;
    saw = '!';
  }
  return saw != '_';
}

bool ParseUintBase0(std::string s, uint64_t* out) {
  if (s.empty()) return false;
  if (s.find('_') != std::string::npos) {
    if (!UnderscoreOk(s)) return false;
    s.erase(std::remove(s.begin(), s.end(), '_'), s.end());
  }
  int base = 10;
  size_t i = 0;
  if (s[0] == '0' && s.size() > 1) {
    char c = static_cast<char>(s[1] | 0x20);
    if (c == 'x') {
      base = 16;
      i = 2;
    } else if (c == 'o') {
      base = 8;
      i = 2;
    } else if (c == 'b') {
      base = 2;
      i = 2;
    } else {
      base = 8;
      i = 1;
    }
  }
  if (i >= s.size()) return false;
  uint64_t v = 0;
  for (; i < s.size(); ++i) {
    char c = s[i];
    int d;
    if (c >= '0' && c <= '9') {
      d = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      d = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      d = c - 'A' + 10;
    } else {
      return false;
    }
    if (d >= base) return false;
    if (v > (UINT64_MAX - d) / base) return false;
    v = v * base + d;
  }
  *out = v;
  return true;
}

bool ParseIntBase0(const std::string& s, int64_t* out) {
  bool neg = false;
  std::string body = s;
  if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
    neg = body[0] == '-';
    body = body.substr(1);
  }
  uint64_t u;
  if (!ParseUintBase0(body, &u)) return false;
  if (neg) {
    if (u > static_cast<uint64_t>(INT64_MAX) + 1) return false;
    *out = static_cast<int64_t>(0 - u);
  } else {
    if (u > static_cast<uint64_t>(INT64_MAX)) return false;
    *out = static_cast<int64_t>(u);
  }
  return true;
}

bool ParseFloatGo(const std::string& s, double* out) {
  std::string t;
  for (char c : s)
    if (c != '_') t += c;
  if (t.empty()) return false;
  // Go rejects C-only forms like "inf"/"nan" words in templates (the lexer never produces them).
  const char* begin = t.c_str();
  char* end = nullptr;
  errno = 0;
  double v = std::strtod(begin, &end);
  if (end != begin + t.size()) return false;
  if (errno == ERANGE && std::isinf(v)) return false;
  *out = v;
  return true;
}

int HexVal(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// strconv.UnquoteChar: decodes one (possibly escaped) character from s at *i.
bool UnquoteChar(const std::string& s, size_t* i, char quote, std::string* out, char32_t* rune_out,
                 bool* multibyte) {
  if (*i >= s.size()) return false;
  unsigned char c = s[*i];
  *multibyte = false;
  if (c == static_cast<unsigned char>(quote) && (quote == '\'' || quote == '"')) return false;
  if (c >= 0x80) {
    int w;
    char32_t r = DecodeRune(s, *i, &w);
    out->append(s, *i, w);
    *i += w;
    *rune_out = r;
    *multibyte = true;
    return true;
  }
  if (c != '\\') {
    *out += static_cast<char>(c);
    *rune_out = c;
    ++*i;
    return true;
  }
  if (*i + 1 >= s.size()) return false;
  char e = s[*i + 1];
  *i += 2;
  auto simple = [&](char v) {
    *out += v;
    *rune_out = static_cast<unsigned char>(v);
    return true;
  };
  switch (e) {
    case 'a':
      return simple('\a');
    case 'b':
      return simple('\b');
    case 'f':
      return simple('\f');
    case 'n':
      return simple('\n');
    case 'r':
      return simple('\r');
    case 't':
      return simple('\t');
    case 'v':
      return simple('\v');
    case 'x':
    case 'u':
    case 'U': {
      int n = e == 'x' ? 2 : e == 'u' ? 4 : 8;
      if (*i + n > s.size()) return false;
      uint32_t v = 0;
      for (int k = 0; k < n; ++k) {
        int h = HexVal(s[*i + k]);
        if (h < 0) return false;
        v = v * 16 + h;
      }
      *i += n;
      if (e == 'x') {
        *out += static_cast<char>(v);
        *rune_out = v;
        return true;
      }
      if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return false;
      AppendRune(*out, v);
      *rune_out = v;
      *multibyte = true;
      return true;
    }
    case '0':
    case '1':
    case '2':
    case '3':
    case '4':
    case '5':
    case '6':
    case '7': {
      uint32_t v = e - '0';
      if (*i + 2 > s.size()) return false;
      for (int k = 0; k < 2; ++k) {
        char d = s[*i + k];
        if (d < '0' || d > '7') return false;
        v = v * 8 + (d - '0');
      }
      if (v > 255) return false;
      *i += 2;
      *out += static_cast<char>(v);
      *rune_out = v;
      return true;
    }
    case '\\':
      return simple('\\');
    case '\'':
    case '"':
      if (e != quote) return false;
      return simple(e);
    default:
      return false;
  }
}

}  // namespace

bool GoUnquote(const std::string& s, std::string* out) {
  if (s.size() < 2) return false;
  char q = s[0];
  if (q != s.back()) return false;
  std::string body = s.substr(1, s.size() - 2);
  out->clear();
  if (q == '`') {
    if (body.find('`') != std::string::npos) return false;
    for (char c : body)
      if (c != '\r') *out += c;
    return true;
  }
  if (q != '"' && q != '\'') return false;
  if (body.find('\n') != std::string::npos) return false;
  size_t i = 0;
  int count = 0;
  while (i < body.size()) {
    char32_t r;
    bool mb;
    if (!UnquoteChar(body, &i, q, out, &r, &mb)) return false;
    ++count;
    if (q == '\'' && count > 1) return false;
  }
  if (q == '\'' && count != 1) return false;
  return true;
}

// --------------------------------------------------------------------------------------------
// Node::String

std::string Node::String() const {
  std::string out;
  switch (type) {
    case NodeType::kText:
      return text;
    case NodeType::kComment:
      return "{{" + text + "}}";
    case NodeType::kAction:
      return "{{" + pipe->String() + "}}";
    case NodeType::kBool:
      return bool_val ? "true" : "false";
    case NodeType::kDot:
      return ".";
    case NodeType::kNil:
      return "nil";
    case NodeType::kNumber:
    case NodeType::kString:
    case NodeType::kIdentifier:
      return text;
    case NodeType::kBreak:
      return "{{break}}";
    case NodeType::kContinue:
      return "{{continue}}";
    case NodeType::kElse:
      return "{{else}}";
    case NodeType::kEnd:
      return "{{end}}";
    case NodeType::kField:
      for (const auto& f : ident) out += "." + f;
      return out;
    case NodeType::kVariable:
      for (size_t i = 0; i < ident.size(); ++i) {
        if (i > 0) out += '.';
        out += ident[i];
      }
      return out;
    case NodeType::kChain:
      if (pipe->type == NodeType::kPipe) {
        out = "(" + pipe->String() + ")";
      } else {
        out = pipe->String();
      }
      for (const auto& f : ident) out += "." + f;
      return out;
    case NodeType::kCommand:
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (i > 0) out += ' ';
        if (nodes[i]->type == NodeType::kPipe) {
          out += "(" + nodes[i]->String() + ")";
        } else {
          out += nodes[i]->String();
        }
      }
      return out;
    case NodeType::kPipe:
      if (!decl.empty()) {
        for (size_t i = 0; i < decl.size(); ++i) {
          if (i > 0) out += ", ";
          out += decl[i]->String();
        }
        out += is_assign ? " = " : " := ";
      }
      for (size_t i = 0; i < nodes.size(); ++i) {
        if (i > 0) out += " | ";
        out += nodes[i]->String();
      }
      return out;
    case NodeType::kList:
      for (const auto& n : nodes) out += n->String();
      return out;
    case NodeType::kIf:
    case NodeType::kRange:
    case NodeType::kWith: {
      const char* name = type == NodeType::kIf ? "if" : type == NodeType::kRange ? "range" : "with";
      out = std::string("{{") + name + " " + pipe->String() + "}}" + list->String();
      if (else_list) out += "{{else}}" + else_list->String();
      out += "{{end}}";
      return out;
    }
    case NodeType::kTemplate:
      if (!pipe) return "{{template " + GoQuote(text) + "}}";
      return "{{template " + GoQuote(text) + " " + pipe->String() + "}}";
  }
  return out;
}

bool IsEmptyTree(const Node* n) {
  if (!n) return true;
  switch (n->type) {
    case NodeType::kList:
      for (const auto& c : n->nodes)
        if (!IsEmptyTree(c.get())) return false;
      return true;
    case NodeType::kText:
      for (char c : n->text)
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'))
          return false;
      return true;
    case NodeType::kComment:
      return true;
    default:
      return false;
  }
}

// --------------------------------------------------------------------------------------------
// Parser

namespace {

class ParseState;

// One tree being built; {{define}} and {{block}} start a nested TreeParser on the same tokens.
class TreeParser {
 public:
  TreeParser(ParseState* ps, std::string name) : name_(std::move(name)), ps_(ps) {}

  void ParseTop();
  void ParseDefinition();
  std::unique_ptr<Node> root_;
  std::string name_;
  int end_line_ = 0;

 private:
  friend class ParseState;
  [[noreturn]] void Errorf(const std::string& msg);
  [[noreturn]] void Unexpected(const Token& tok, const std::string& context);
  const Token& Next();
  const Token& Peek();
  void Backup();
  const Token& NextNonSpace();
  const Token& PeekNonSpace();
  const Token& Expect(Item t, const std::string& ctx);
  const Token& ExpectOneOf(Item a, Item b, const std::string& ctx);

  std::unique_ptr<Node> NewNode(NodeType t, int pos, int line = 0);
  std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>> ItemList();
  std::unique_ptr<Node> TextOrAction();
  std::unique_ptr<Node> Action();
  std::unique_ptr<Node> Pipeline(const std::string& context, Item end);
  void CheckPipeline(Node* pipe, const std::string& context);
  std::unique_ptr<Node> Control(NodeType type, bool allow_else_if, const std::string& context);
  std::unique_ptr<Node> IfControl() { return Control(NodeType::kIf, true, "if"); }
  std::unique_ptr<Node> BlockControl();
  std::unique_ptr<Node> TemplateControl();
  std::unique_ptr<Node> Command();
  std::unique_ptr<Node> Operand();
  std::unique_ptr<Node> Term();
  std::unique_ptr<Node> NewNumber(const Token& tok);
  std::unique_ptr<Node> UseVar(int pos, const std::string& name);
  std::string TemplateName(const Token& tok, const std::string& context);

  ParseState* ps_;
  std::vector<std::string> vars_ = {"$"};
  int range_depth_ = 0;
  int action_line_ = 0;
};

class ParseState {
 public:
  ParseState(std::shared_ptr<Source> src, std::vector<Token> toks,
             const std::function<bool(const std::string&)>& has_fn)
      : src_(std::move(src)), toks_(std::move(toks)), has_fn_(has_fn) {}

  const Token& At(size_t i) {
    if (i >= toks_.size()) i = toks_.size() - 1;
    if (i > furthest_) furthest_ = i;
    return toks_[i];
  }
  void Add(TreeParser& tp) {
    auto it = trees_.find(tp.name_);
    if (it == trees_.end() || IsEmptyTree(it->second->root.get())) {
      auto t = std::make_shared<Tree>();
      t->name = tp.name_;
      t->src = src_;
      t->root = std::move(tp.root_);
      trees_[tp.name_] = std::move(t);
      return;
    }
    if (!IsEmptyTree(tp.root_.get())) {
      tp.Errorf("template: multiple definition of template " + GoQuote(tp.name_));
    }
  }

  std::shared_ptr<Source> src_;
  std::vector<Token> toks_;
  const std::function<bool(const std::string&)>& has_fn_;
  size_t idx_ = 0;
  size_t furthest_ = 0;
  std::map<std::string, std::shared_ptr<Tree>> trees_;
};

void TreeParser::Errorf(const std::string& msg) {
  int line =
      ps_->toks_.empty() ? 1 : ps_->toks_[std::min(ps_->furthest_, ps_->toks_.size() - 1)].line;
  throw TemplateError("template: " + ps_->src_->parse_name + ":" + std::to_string(line) + ": " +
                      msg);
}

void TreeParser::Unexpected(const Token& tok, const std::string& context) {
  if (tok.typ == Item::kError) {
    std::string extra;
    if (action_line_ != 0 && action_line_ != tok.line) {
      extra = " in action started at " + ps_->src_->parse_name + ":" + std::to_string(action_line_);
      if (tok.val.size() >= 7 && tok.val.compare(tok.val.size() - 7, 7, " action") == 0) {
        extra = extra.substr(10);  // drop " in action" to avoid "action in action"
      }
    }
    Errorf(tok.String() + extra);
  }
  Errorf("unexpected " + tok.String() + " in " + context);
}

const Token& TreeParser::Next() { return ps_->At(ps_->idx_++); }
const Token& TreeParser::Peek() { return ps_->At(ps_->idx_); }
void TreeParser::Backup() { --ps_->idx_; }
const Token& TreeParser::NextNonSpace() {
  while (true) {
    const Token& t = Next();
    if (t.typ != Item::kSpace) return t;
  }
}
const Token& TreeParser::PeekNonSpace() {
  const Token& t = NextNonSpace();
  Backup();
  return t;
}
const Token& TreeParser::Expect(Item t, const std::string& ctx) {
  const Token& tok = NextNonSpace();
  if (tok.typ != t) Unexpected(tok, ctx);
  return tok;
}
const Token& TreeParser::ExpectOneOf(Item a, Item b, const std::string& ctx) {
  const Token& tok = NextNonSpace();
  if (tok.typ != a && tok.typ != b) Unexpected(tok, ctx);
  return tok;
}

std::unique_ptr<Node> TreeParser::NewNode(NodeType t, int pos, int line) {
  auto n = std::make_unique<Node>();
  n->type = t;
  n->pos = pos;
  n->line = line;
  n->src = ps_->src_.get();
  return n;
}

void TreeParser::ParseTop() {
  root_ = NewNode(NodeType::kList, Peek().pos);
  while (Peek().typ != Item::kEOF) {
    if (Peek().typ == Item::kLeftDelim) {
      size_t save = ps_->idx_;
      Next();
      if (NextNonSpace().typ == Item::kDefine) {
        TreeParser def(ps_, "definition");
        def.ParseDefinition();
        continue;
      }
      ps_->idx_ = save;
    }
    auto n = TextOrAction();
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse)
      Errorf("unexpected " + n->String());
    root_->nodes.push_back(std::move(n));
  }
}

void TreeParser::ParseDefinition() {
  const std::string ctx = "define clause";
  const Token& name = ExpectOneOf(Item::kString, Item::kRawString, ctx);
  std::string unq;
  if (!GoUnquote(name.val, &unq)) Errorf("invalid syntax");
  name_ = unq;
  Expect(Item::kRightDelim, ctx);
  auto [list, end] = ItemList();
  if (end->type != NodeType::kEnd) Errorf("unexpected " + end->String() + " in " + ctx);
  root_ = std::move(list);
  ps_->Add(*this);
}

std::pair<std::unique_ptr<Node>, std::unique_ptr<Node>> TreeParser::ItemList() {
  auto list = NewNode(NodeType::kList, PeekNonSpace().pos);
  while (PeekNonSpace().typ != Item::kEOF) {
    auto n = TextOrAction();
    if (n->type == NodeType::kEnd || n->type == NodeType::kElse)
      return {std::move(list), std::move(n)};
    list->nodes.push_back(std::move(n));
  }
  Errorf("unexpected EOF");
}

std::unique_ptr<Node> TreeParser::TextOrAction() {
  const Token& tok = NextNonSpace();
  switch (tok.typ) {
    case Item::kText: {
      auto n = NewNode(NodeType::kText, tok.pos, tok.line);
      n->text = tok.val;
      return n;
    }
    case Item::kLeftDelim: {
      action_line_ = tok.line;
      auto n = Action();
      action_line_ = 0;
      return n;
    }
    case Item::kComment: {
      auto n = NewNode(NodeType::kComment, tok.pos, tok.line);
      n->text = tok.val;
      return n;
    }
    default:
      Unexpected(tok, "input");
  }
}

std::unique_ptr<Node> TreeParser::Action() {
  const Token& tok = NextNonSpace();
  switch (tok.typ) {
    case Item::kBlock:
      return BlockControl();
    case Item::kBreak:
    case Item::kContinue: {
      bool is_break = tok.typ == Item::kBreak;
      int pos = tok.pos, line = tok.line;
      const Token& t2 = NextNonSpace();
      const std::string kw = is_break ? "{{break}}" : "{{continue}}";
      if (t2.typ != Item::kRightDelim) Unexpected(t2, kw);
      if (range_depth_ == 0) Errorf(kw + " outside {{range}}");
      return NewNode(is_break ? NodeType::kBreak : NodeType::kContinue, pos, line);
    }
    case Item::kElse: {
      const Token& peek = PeekNonSpace();
      if (peek.typ == Item::kIf) return NewNode(NodeType::kElse, peek.pos, peek.line);
      const Token& t2 = Expect(Item::kRightDelim, "else");
      return NewNode(NodeType::kElse, t2.pos, t2.line);
    }
    case Item::kEnd: {
      const Token& t2 = Expect(Item::kRightDelim, "end");
      end_line_ = t2.line;
      return NewNode(NodeType::kEnd, t2.pos, t2.line);
    }
    case Item::kIf:
      return IfControl();
    case Item::kRange:
      return Control(NodeType::kRange, false, "range");
    case Item::kTemplate:
      return TemplateControl();
    case Item::kWith:
      return Control(NodeType::kWith, false, "with");
    default:
      break;
  }
  Backup();
  const Token& t = Peek();
  auto n = NewNode(NodeType::kAction, t.pos, t.line);
  n->pipe = Pipeline("command", Item::kRightDelim);
  return n;
}

std::unique_ptr<Node> TreeParser::Pipeline(const std::string& context, Item end) {
  const Token& first = PeekNonSpace();
  auto pipe = NewNode(NodeType::kPipe, first.pos, first.line);
decls:
  if (PeekNonSpace().typ == Item::kVariable) {
    size_t save = ps_->idx_;
    const Token& v = NextNonSpace();
    const Token& after = Peek();
    const Token& next = PeekNonSpace();
    if (next.typ == Item::kAssign || next.typ == Item::kDeclare) {
      pipe->is_assign = next.typ == Item::kAssign;
      NextNonSpace();
      auto var = NewNode(NodeType::kVariable, v.pos, v.line);
      var->ident = {v.val};
      pipe->decl.push_back(std::move(var));
      vars_.push_back(v.val);
    } else if (next.typ == Item::kChar && next.val == ",") {
      NextNonSpace();
      auto var = NewNode(NodeType::kVariable, v.pos, v.line);
      var->ident = {v.val};
      pipe->decl.push_back(std::move(var));
      vars_.push_back(v.val);
      if (context == "range" && pipe->decl.size() < 2) {
        Item t = PeekNonSpace().typ;
        if (t == Item::kVariable || t == Item::kRightDelim || t == Item::kRightParen) goto decls;
        Errorf("range can only initialize variables");
      }
      Errorf("too many declarations in " + context);
    } else {
      (void)after;
      ps_->idx_ = save;
    }
  }
  while (true) {
    const Token& tok = NextNonSpace();
    if (tok.typ == end) {
      CheckPipeline(pipe.get(), context);
      return pipe;
    }
    switch (tok.typ) {
      case Item::kBool:
      case Item::kCharConstant:
      case Item::kComplex:
      case Item::kDot:
      case Item::kField:
      case Item::kIdentifier:
      case Item::kNumber:
      case Item::kNil:
      case Item::kRawString:
      case Item::kString:
      case Item::kVariable:
      case Item::kLeftParen:
        Backup();
        pipe->nodes.push_back(Command());
        break;
      default:
        Unexpected(tok, context);
    }
  }
}

void TreeParser::CheckPipeline(Node* pipe, const std::string& context) {
  if (pipe->nodes.empty()) Errorf("missing value for " + context);
  for (size_t i = 1; i < pipe->nodes.size(); ++i) {
    switch (pipe->nodes[i]->nodes[0]->type) {
      case NodeType::kBool:
      case NodeType::kDot:
      case NodeType::kNil:
      case NodeType::kNumber:
      case NodeType::kString:
        Errorf("non executable command in pipeline stage " + std::to_string(i + 1));
      default:
        break;
    }
  }
}

std::unique_ptr<Node> TreeParser::Control(NodeType type, bool allow_else_if,
                                          const std::string& context) {
  size_t nvars = vars_.size();
  auto pipe = Pipeline(context, Item::kRightDelim);
  if (type == NodeType::kRange) ++range_depth_;
  auto [list, next] = ItemList();
  if (type == NodeType::kRange) --range_depth_;
  std::unique_ptr<Node> else_list;
  if (next->type == NodeType::kElse) {
    if (allow_else_if && Peek().typ == Item::kIf) {
      // "{{else if x}}" is "{{else}}{{if x}}...{{end}}{{end}}" with the inner end shared.
      Next();
      else_list = NewNode(NodeType::kList, next->pos, next->line);
      else_list->nodes.push_back(IfControl());
    } else {
      auto [el, nx] = ItemList();
      if (nx->type != NodeType::kEnd) Errorf("expected end; found " + nx->String());
      else_list = std::move(el);
    }
  }
  vars_.resize(nvars);
  auto n = NewNode(type, pipe->pos, pipe->line);
  n->pipe = std::move(pipe);
  n->list = std::move(list);
  n->else_list = std::move(else_list);
  return n;
}

std::string TreeParser::TemplateName(const Token& tok, const std::string& context) {
  if (tok.typ == Item::kString || tok.typ == Item::kRawString) {
    std::string s;
    if (!GoUnquote(tok.val, &s)) Errorf("invalid syntax");
    return s;
  }
  Unexpected(tok, context);
}

std::unique_ptr<Node> TreeParser::BlockControl() {
  const std::string ctx = "block clause";
  const Token& tok = NextNonSpace();
  int pos = tok.pos, line = tok.line;
  std::string name = TemplateName(tok, ctx);
  auto pipe = Pipeline(ctx, Item::kRightDelim);
  TreeParser block(ps_, name);
  auto [list, end] = block.ItemList();
  if (end->type != NodeType::kEnd) Errorf("unexpected " + end->String() + " in " + ctx);
  block.root_ = std::move(list);
  ps_->Add(block);
  auto n = NewNode(NodeType::kTemplate, pos, line);
  n->text = name;
  n->pipe = std::move(pipe);
  return n;
}

std::unique_ptr<Node> TreeParser::TemplateControl() {
  const std::string ctx = "template clause";
  const Token& tok = NextNonSpace();
  int pos = tok.pos, line = tok.line;
  std::string name = TemplateName(tok, ctx);
  std::unique_ptr<Node> pipe;
  if (NextNonSpace().typ != Item::kRightDelim) {
    Backup();
    pipe = Pipeline(ctx, Item::kRightDelim);
  }
  auto n = NewNode(NodeType::kTemplate, pos, line);
  n->text = name;
  n->pipe = std::move(pipe);
  return n;
}

std::unique_ptr<Node> TreeParser::Command() {
  auto cmd = NewNode(NodeType::kCommand, PeekNonSpace().pos);
  while (true) {
    PeekNonSpace();
    auto op = Operand();
    if (op) cmd->nodes.push_back(std::move(op));
    const Token& tok = Next();
    if (tok.typ == Item::kSpace) continue;
    if (tok.typ == Item::kRightDelim || tok.typ == Item::kRightParen) {
      Backup();
    } else if (tok.typ != Item::kPipe) {
      Unexpected(tok, "operand");
    }
    break;
  }
  if (cmd->nodes.empty()) Errorf("empty command");
  return cmd;
}

std::unique_ptr<Node> TreeParser::Operand() {
  auto node = Term();
  if (!node) return nullptr;
  if (Peek().typ == Item::kField) {
    auto chain = NewNode(NodeType::kChain, Peek().pos);
    while (Peek().typ == Item::kField) {
      const Token& f = Next();
      chain->ident.push_back(f.val.substr(1));
    }
    switch (node->type) {
      case NodeType::kField: {
        auto n = NewNode(NodeType::kField, chain->pos);
        n->ident = node->ident;
        for (auto& f : chain->ident) n->ident.push_back(f);
        return n;
      }
      case NodeType::kVariable: {
        auto n = NewNode(NodeType::kVariable, chain->pos);
        n->ident = node->ident;
        for (auto& f : chain->ident) n->ident.push_back(f);
        return n;
      }
      case NodeType::kBool:
      case NodeType::kString:
      case NodeType::kNumber:
      case NodeType::kNil:
      case NodeType::kDot:
        Errorf("unexpected . after term " + GoQuote(node->String()));
      default:
        chain->pipe = std::move(node);
        return chain;
    }
  }
  return node;
}

std::unique_ptr<Node> TreeParser::Term() {
  const Token& tok = NextNonSpace();
  switch (tok.typ) {
    case Item::kIdentifier: {
      if (!ps_->has_fn_(tok.val)) Errorf("function " + GoQuote(tok.val) + " not defined");
      auto n = NewNode(NodeType::kIdentifier, tok.pos);
      n->text = tok.val;
      return n;
    }
    case Item::kDot:
      return NewNode(NodeType::kDot, tok.pos);
    case Item::kNil:
      return NewNode(NodeType::kNil, tok.pos);
    case Item::kVariable:
      return UseVar(tok.pos, tok.val);
    case Item::kField: {
      auto n = NewNode(NodeType::kField, tok.pos);
      n->ident = {tok.val.substr(1)};
      return n;
    }
    case Item::kBool: {
      auto n = NewNode(NodeType::kBool, tok.pos);
      n->bool_val = tok.val == "true";
      return n;
    }
    case Item::kCharConstant:
    case Item::kComplex:
    case Item::kNumber:
      return NewNumber(tok);
    case Item::kLeftParen:
      return Pipeline("parenthesized pipeline", Item::kRightParen);
    case Item::kString:
    case Item::kRawString: {
      auto n = NewNode(NodeType::kString, tok.pos);
      std::string s;
      if (!GoUnquote(tok.val, &s)) Errorf("invalid syntax");
      n->text = tok.val;
      n->ident = {s};  // unquoted value lives in ident[0]
      return n;
    }
    default:
      break;
  }
  Backup();
  return nullptr;
}

std::unique_ptr<Node> TreeParser::UseVar(int pos, const std::string& name) {
  auto n = NewNode(NodeType::kVariable, pos);
  // "$x.y.z" arrives as one token; split on dots.
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    n->ident.push_back(
        name.substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  for (const auto& v : vars_)
    if (v == n->ident[0]) return n;
  Errorf("undefined variable " + GoQuote(n->ident[0]));
}

std::unique_ptr<Node> TreeParser::NewNumber(const Token& tok) {
  auto n = NewNode(NodeType::kNumber, tok.pos);
  const std::string& text = tok.val;
  n->text = text;
  if (tok.typ == Item::kCharConstant) {
    std::string out;
    size_t i = 1;
    char32_t r;
    bool mb;
    std::string body = text;
    if (!UnquoteChar(body, &i, '\'', &out, &r, &mb)) Errorf("invalid syntax");
    if (body.substr(i) != "'") Errorf("malformed character constant: " + text);
    n->is_int = n->is_uint = n->is_float = true;
    n->int_val = r;
    n->uint_val = r;
    n->float_val = r;
    return n;
  }
  if (tok.typ == Item::kComplex) {
    // "a+bi": split at the sign that starts the imaginary part.
    size_t k = text.size() - 1;
    size_t split = std::string::npos;
    for (size_t i = k; i > 0; --i) {
      if ((text[i] == '+' || text[i] == '-') && text[i - 1] != 'e' && text[i - 1] != 'E' &&
          text[i - 1] != 'p' && text[i - 1] != 'P') {
        split = i;
        break;
      }
    }
    double re, im;
    if (split == std::string::npos || !ParseFloatGo(text.substr(0, split), &re) ||
        !ParseFloatGo(text.substr(split, k - split), &im))
      Errorf("expected integer");
    n->is_complex = true;
    n->float_val = re;
    n->imag_val = im;
    if (im == 0) {
      n->is_float = true;
      if (re == std::trunc(re) && std::fabs(re) < 9.2e18) {
        n->is_int = true;
        n->int_val = static_cast<int64_t>(re);
        if (re >= 0) {
          n->is_uint = true;
          n->uint_val = static_cast<uint64_t>(re);
        }
      }
    }
    return n;
  }
  if (!text.empty() && text.back() == 'i') {
    double f;
    if (ParseFloatGo(text.substr(0, text.size() - 1), &f)) {
      n->is_complex = true;
      n->float_val = 0;
      n->imag_val = f;
      if (f == 0) {
        n->is_float = n->is_int = n->is_uint = true;
      }
      return n;
    }
  }
  uint64_t u;
  if (ParseUintBase0(text, &u)) {
    n->is_uint = true;
    n->uint_val = u;
  }
  int64_t i;
  if (ParseIntBase0(text, &i)) {
    n->is_int = true;
    n->int_val = i;
    if (i == 0) {
      n->is_uint = true;
      n->uint_val = 0;
    }
  }
  if (n->is_int) {
    n->is_float = true;
    n->float_val = static_cast<double>(n->int_val);
  } else if (n->is_uint) {
    n->is_float = true;
    n->float_val = static_cast<double>(n->uint_val);
  } else {
    double f;
    if (ParseFloatGo(text, &f)) {
      if (text.find_first_of(".eEpP") == std::string::npos)
        Errorf("integer overflow: " + GoQuote(text));
      n->is_float = true;
      n->float_val = f;
      if (std::fabs(f) < 9.2e18 && static_cast<double>(static_cast<int64_t>(f)) == f) {
        n->is_int = true;
        n->int_val = static_cast<int64_t>(f);
      }
      if (f >= 0 && f < 1.8e19 && static_cast<double>(static_cast<uint64_t>(f)) == f) {
        n->is_uint = true;
        n->uint_val = static_cast<uint64_t>(f);
      }
    }
  }
  if (!n->is_int && !n->is_uint && !n->is_float) Errorf("illegal number syntax: " + GoQuote(text));
  return n;
}

}  // namespace

TreeMap Parse(const std::string& top_name, const std::string& parse_name, std::string text,
              const std::function<bool(const std::string&)>& has_function) {
  auto src = std::make_shared<Source>();
  src->parse_name = parse_name;
  src->text = std::move(text);
  Lexer lx(src->text, !has_function("break"), !has_function("continue"));
  std::vector<Token> toks = lx.Run();
  ParseState ps(src, std::move(toks), has_function);
  TreeParser top(&ps, top_name);
  top.ParseTop();
  ps.Add(top);
  TreeMap out;
  for (auto& [name, t] : ps.trees_) out[name] = t;
  return out;
}

}  // namespace am::tmpl

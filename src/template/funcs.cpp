// Builtin functions of text/template and Alertmanager's template functions.
#include <re2/re2.h>

#include <cmath>
#include <mutex>
#include <unordered_map>

#include "core/strings.h"
#include "template/exec.h"
#include "template/gofmt.h"
#include "template/json.h"
#include "template/text_util.h"

namespace am::tmpl {

namespace {

using P = ParamType;

std::string V(const Value& v) {
  std::string s;
  AppendValue(s, v);
  return s;
}

// ---- comparisons (Go's basicKind rules) ----

enum class BK { kInvalid, kBool, kComplex, kInt, kFloat, kString, kUint };

BK BasicKind(const Value& v) {
  switch (v.kind()) {
    case Kind::kBool:
      return BK::kBool;
    case Kind::kInt:
      return BK::kInt;
    case Kind::kUint:
      return BK::kUint;
    case Kind::kFloat:
      return BK::kFloat;
    case Kind::kComplex:
      return BK::kComplex;
    case Kind::kString:
      return BK::kString;
    default:
      return BK::kInvalid;
  }
}

bool Comparable(const Value& v) {
  switch (v.type()) {
    case Type::kPair:
    case Type::kTime:
      return true;
    default:
      return v.kind() != Kind::kSlice && v.kind() != Kind::kMap && v.kind() != Kind::kStruct;
  }
}

bool StructEqual(const Value& a, const Value& b) {
  if (a.type() != b.type()) return false;
  if (a.type() == Type::kPair) return PairName(a) == PairName(b) && PairValue(a) == PairValue(b);
  if (a.type() == Type::kTime) {
    const GoTime &x = a.AsTime(), &y = b.AsTime();
    return x.sec == y.sec && x.nsec == y.nsec && x.offset == y.offset && x.zone == y.zone &&
           x.has_mono == y.has_mono && x.mono_ns == y.mono_ns;
  }
  return false;
}

bool Eq(const Value& a1, const std::vector<Value>& rest, size_t from) {
  if (rest.size() <= from) throw FuncError("missing argument for comparison");
  BK k1 = BasicKind(a1);
  for (size_t i = from; i < rest.size(); ++i) {
    const Value& a = rest[i];
    BK k2 = BasicKind(a);
    bool truth = false;
    if (k1 != k2) {
      if (k1 == BK::kInt && k2 == BK::kUint) {
        truth = a1.AsInt() >= 0 &&
                static_cast<uint64_t>(a1.AsInt()) == static_cast<uint64_t>(a.AsInt());
      } else if (k1 == BK::kUint && k2 == BK::kInt) {
        truth =
            a.AsInt() >= 0 && static_cast<uint64_t>(a1.AsInt()) == static_cast<uint64_t>(a.AsInt());
      } else if (a1.valid() && a.valid()) {
        throw FuncError("incompatible types for comparison");
      }
    } else {
      switch (k1) {
        case BK::kBool:
          truth = a1.AsBool() == a.AsBool();
          break;
        case BK::kComplex:
          truth = a1.AsComplex() == a.AsComplex();
          break;
        case BK::kFloat:
          truth = a1.AsFloat() == a.AsFloat();
          break;
        case BK::kInt:
        case BK::kUint:
          truth = a1.AsInt() == a.AsInt();
          break;
        case BK::kString:
          truth = a1.AsString() == a.AsString();
          break;
        case BK::kInvalid: {
          // Both non-basic: same kind, or one of them nil.
          if (a1.valid() && a.valid() && a1.kind() != a.kind()) {
            throw FuncError("non-comparable types " + V(a1) + ": " +
                            std::string(TypeName(a1.type())) + ", " +
                            std::string(TypeName(a.type())) + ": " + V(a));
          }
          if (!a1.valid() || !a.valid()) {
            truth = a1.valid() == a.valid();
          } else {
            if (!Comparable(a)) {
              throw FuncError("non-comparable type " + V(a) + ": " +
                              std::string(TypeName(a.type())));
            }
            truth = StructEqual(a1, a);
          }
          break;
        }
      }
    }
    if (truth) return true;
  }
  return false;
}

bool Lt(const Value& a1, const Value& a2) {
  BK k1 = BasicKind(a1);
  if (k1 == BK::kInvalid) throw FuncError("invalid type for comparison");
  BK k2 = BasicKind(a2);
  if (k2 == BK::kInvalid) throw FuncError("invalid type for comparison");
  if (k1 != k2) {
    if (k1 == BK::kInt && k2 == BK::kUint)
      return a1.AsInt() < 0 ||
             static_cast<uint64_t>(a1.AsInt()) < static_cast<uint64_t>(a2.AsInt());
    if (k1 == BK::kUint && k2 == BK::kInt)
      return a2.AsInt() >= 0 &&
             static_cast<uint64_t>(a1.AsInt()) < static_cast<uint64_t>(a2.AsInt());
    throw FuncError("incompatible types for comparison");
  }
  switch (k1) {
    case BK::kBool:
    case BK::kComplex:
      throw FuncError("invalid type for comparison");
    case BK::kFloat:
      return a1.AsFloat() < a2.AsFloat();
    case BK::kInt:
      return a1.AsInt() < a2.AsInt();
    case BK::kUint:
      return static_cast<uint64_t>(a1.AsInt()) < static_cast<uint64_t>(a2.AsInt());
    case BK::kString:
      return a1.AsString() < a2.AsString();
    default:
      return false;
  }
}

// ---- index / slice / len ----

int64_t IndexArg(const Value& index, size_t cap) {
  int64_t x;
  switch (index.kind()) {
    case Kind::kInt:
    case Kind::kUint:
      x = index.AsInt();
      break;
    case Kind::kInvalid:
      throw FuncError("cannot index slice/array with nil");
    default:
      throw FuncError("cannot index slice/array with type " + std::string(TypeName(index.type())));
  }
  if (x < 0 || static_cast<uint64_t>(x) > cap)
    throw FuncError("index out of range: " + std::to_string(x));
  return x;
}

Value Index(std::vector<Value>& a) {
  Value item = a[0];
  if (!item.valid()) throw FuncError("index of untyped nil");
  for (size_t i = 1; i < a.size(); ++i) {
    const Value& idx = a[i];
    switch (item.kind()) {
      case Kind::kSlice:
      case Kind::kString: {
        int64_t x = IndexArg(idx, item.Len());
        if (static_cast<size_t>(x) == item.Len()) {
          throw FuncError(item.kind() == Kind::kString ? "reflect: string index out of range"
                                                       : "reflect: slice index out of range");
        }
        item = item.Index(static_cast<size_t>(x));
        break;
      }
      case Kind::kMap: {
        if (!idx.valid()) throw FuncError("value is nil; should be of type string");
        if (idx.type() != Type::kString)
          throw FuncError("value has type " + std::string(TypeName(idx.type())) +
                          "; should be string");
        if (item.type() == Type::kKV) {
          const std::string* v = item.AsKv().Find(idx.AsString());
          item = Value::String(v ? *v : std::string());
        } else {
          Value found;
          for (const auto& [k, v] : item.AsAnyMap())
            if (k == idx.AsString()) found = v;
          item = found;
        }
        break;
      }
      default:
        throw FuncError("can't index item of type " + std::string(TypeName(item.type())));
    }
    if (!item.valid() && i + 1 < a.size()) throw FuncError("index of untyped nil");
  }
  return item;
}

Value SliceFn(std::vector<Value>& a) {
  const Value& item = a[0];
  if (!item.valid()) throw FuncError("slice of untyped nil");
  size_t nidx = a.size() - 1;
  if (nidx > 3) throw FuncError("too many slice indexes: " + std::to_string(nidx));
  size_t cap;
  switch (item.kind()) {
    case Kind::kString:
      if (nidx == 3) throw FuncError("cannot 3-index slice a string");
      cap = item.Len();
      break;
    case Kind::kSlice:
      cap = item.Len();
      break;
    default:
      throw FuncError("can't slice item of type " + std::string(TypeName(item.type())));
  }
  int64_t idx[3] = {0, static_cast<int64_t>(item.Len()), 0};
  for (size_t i = 0; i < nidx; ++i) idx[i] = IndexArg(a[i + 1], cap);
  if (idx[0] > idx[1])
    throw FuncError("invalid slice index: " + std::to_string(idx[0]) + " > " +
                    std::to_string(idx[1]));
  if (nidx == 3 && idx[1] > idx[2])
    throw FuncError("invalid slice index: " + std::to_string(idx[1]) + " > " +
                    std::to_string(idx[2]));
  return item.Slice(idx[0], idx[1]);
}

Value Len(std::vector<Value>& a) {
  const Value& v = a[0];
  switch (v.kind()) {
    case Kind::kString:
    case Kind::kSlice:
    case Kind::kMap:
      return Value::Int(static_cast<int64_t>(v.Len()));
    case Kind::kInvalid:
      throw FuncError("reflect: call of reflect.Value.Type on zero Value");
    default:
      throw FuncError("len of type " + std::string(TypeName(v.type())));
  }
}

// fmt.Sprint over the arguments, with missing values shown as "<no value>" (text/template's
// evalArgs rule for html, js and urlquery).
std::string EvalArgs(const std::vector<Value>& a) {
  if (a.size() == 1 && a[0].type() == Type::kString) return a[0].AsString();
  ValueList args = a;
  for (auto& v : args)
    if (!v.valid()) v = Value::String("<no value>");
  return Sprint(args);
}

// ---- regular expressions ----

std::string GoRegexpError(const RE2& re) {
  std::string code;
  switch (re.error_code()) {
    case RE2::ErrorBadEscape:
      code = "invalid escape sequence";
      break;
    case RE2::ErrorBadCharClass:
      code = "invalid character class";
      break;
    case RE2::ErrorBadCharRange:
      code = "invalid character class range";
      break;
    case RE2::ErrorMissingBracket:
      code = "missing closing ]";
      break;
    case RE2::ErrorMissingParen:
      code = "missing closing )";
      break;
#if defined(RE2_HAS_UNEXPECTED_PAREN)
    case RE2::ErrorUnexpectedParen:
      code = "unexpected )";
      break;
#endif
    case RE2::ErrorTrailingBackslash:
      code = "trailing backslash at end of expression";
      break;
    case RE2::ErrorRepeatArgument:
      code = "missing argument to repetition operator";
      break;
    case RE2::ErrorRepeatSize:
      code = "invalid repeat count";
      break;
    case RE2::ErrorRepeatOp:
      code = "invalid nested repetition operator";
      break;
    case RE2::ErrorBadPerlOp:
      code = "invalid or unsupported Perl syntax";
      break;
    case RE2::ErrorBadUTF8:
      code = "invalid UTF-8";
      break;
    case RE2::ErrorBadNamedCapture:
      code = "invalid named capture";
      break;
    case RE2::ErrorPatternTooLarge:
      code = "expression too large";
      break;
    default:
      code = re.error();
      break;
  }
  std::string arg = re.error_arg();
  if (re.error_code() == RE2::ErrorMissingParen &&
      re.error().find("unexpected )") != std::string::npos)
    code = "unexpected )";
  if (re.error_code() == RE2::ErrorTrailingBackslash) arg.clear();
  return "error parsing regexp: " + code + ": `" + arg + "`";
}

std::shared_ptr<const RE2> Compile(const std::string& pattern, std::string* err) {
  static std::mutex mu;
  static std::unordered_map<std::string, std::shared_ptr<const RE2>> cache;
  {
    std::lock_guard<std::mutex> l(mu);
    auto it = cache.find(pattern);
    if (it != cache.end()) return it->second;
  }
  RE2::Options opts;
  opts.set_log_errors(false);
  auto re = std::make_shared<const RE2>(pattern, opts);
  if (!re->ok()) {
    *err = GoRegexpError(*re);
    return nullptr;
  }
  std::lock_guard<std::mutex> l(mu);
  if (cache.size() > 512) cache.clear();
  cache.emplace(pattern, re);
  return re;
}

bool CanBackquote(const std::string& s) {
  for (unsigned char c : s)
    if (c == '`' || (c < ' ' && c != '\t') || c == 0x7F) return false;
  return true;
}

// Go's Regexp.Expand for ReplaceAllString: $1, ${1}, $name, ${name}, $$.
void Expand(std::string& dst, std::string_view tmpl, const RE2& re,
            const std::vector<re2::StringPiece>& m) {
  const auto& names = re.CapturingGroupNames();
  while (!tmpl.empty()) {
    size_t d = tmpl.find('$');
    if (d == std::string_view::npos) break;
    dst.append(tmpl.substr(0, d));
    tmpl.remove_prefix(d + 1);
    if (!tmpl.empty() && tmpl[0] == '$') {
      dst += '$';
      tmpl.remove_prefix(1);
      continue;
    }
    // extract name
    bool brace = !tmpl.empty() && tmpl[0] == '{';
    std::string_view t = brace ? tmpl.substr(1) : tmpl;
    size_t i = 0;
    while (i < t.size()) {
      int w;
      char32_t r = DecodeRune(t, i, &w);
      if (!(r == '_' || IsLetterRune(r) || IsDigitRune(r))) break;
      i += w;
    }
    bool ok = i > 0;
    std::string_view name = t.substr(0, i);
    std::string_view rest = t.substr(i);
    if (ok && brace) {
      if (rest.empty() || rest[0] != '}') {
        ok = false;
      } else {
        rest.remove_prefix(1);
      }
    }
    if (!ok) {
      dst += '$';
      continue;
    }
    tmpl = rest;
    int num = -1;
    bool all_digits = true;
    for (char c : name)
      if (c < '0' || c > '9') all_digits = false;
    if (all_digits && name.size() < 9) num = std::stoi(std::string(name));
    if (num >= 0) {
      if (static_cast<size_t>(num) < m.size() && m[num].data() != nullptr)
        dst.append(m[num].data(), m[num].size());
    } else {
      for (const auto& [idx, n] : names) {
        if (n == name) {
          if (static_cast<size_t>(idx) < m.size() && m[idx].data() != nullptr)
            dst.append(m[idx].data(), m[idx].size());
          break;
        }
      }
    }
  }
  dst.append(tmpl);
}

std::string ReplaceAll(const RE2& re, const std::string& src, const std::string& repl) {
  std::string out;
  int ngroups = re.NumberOfCapturingGroups() + 1;
  std::vector<re2::StringPiece> m(ngroups);
  size_t last_end = 0, search = 0;
  re2::StringPiece text(src);
  while (search <= src.size()) {
    if (!re.Match(text, search, src.size(), RE2::UNANCHORED, m.data(), ngroups)) break;
    size_t a0 = m[0].data() - src.data();
    size_t a1 = a0 + m[0].size();
    out.append(src, last_end, a0 - last_end);
    if (a1 > last_end || a0 == 0) Expand(out, repl, re, m);
    last_end = a1;
    int width = 1;
    if (search < src.size()) DecodeRune(src, search, &width);
    if (search + width > a1) {
      search += width;
    } else if (search + 1 > a1) {
      search++;
    } else {
      search = a1;
    }
  }
  out.append(src, last_end, std::string::npos);
  return out;
}

// ---- strings ----

std::string MapRunes(const std::string& s, char32_t (*f)(char32_t)) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    int w;
    char32_t r = DecodeRune(s, i, &w);
    AppendRune(out, f(r));
    i += w;
  }
  return out;
}

bool IsMidWord(char32_t r) {
  return r == '\'' || r == '.' || r == ':' || r == 0x2019 || r == 0x2018 || r == 0x00B7 ||
         r == 0x2024 || r == 0xFE52 || r == 0xFF07 || r == 0xFF0E || r == 0xFE13 || r == 0x05F4 ||
         r == 0x2027 || r == 0xFE55 || r == 0xFF1A;
}

// cases.Title(language.AmericanEnglish): the first letter of each word is title-cased and the
// rest of the word lower-cased. Words break at anything but letters, digits, '_' and a single
// mid-word punctuation mark between two alphanumerics ("it's", "a.b").
std::string Title(const std::string& s) {
  std::vector<char32_t> rs;
  for (size_t i = 0; i < s.size();) {
    int w;
    rs.push_back(DecodeRune(s, i, &w));
    i += w;
  }
  auto alnum = [](char32_t r) { return IsLetterRune(r) || IsDigitRune(r); };
  std::string out;
  bool seen_letter = false;
  for (size_t i = 0; i < rs.size(); ++i) {
    char32_t r = rs[i];
    if (IsLetterRune(r)) {
      AppendRune(out, seen_letter ? ToLowerRune(r) : ToTitleRune(r));
      seen_letter = true;
      continue;
    }
    if (IsDigitRune(r) || r == '_') {
      AppendRune(out, r);
      continue;
    }
    if (IsMidWord(r) && i > 0 && i + 1 < rs.size() && alnum(rs[i - 1]) && alnum(rs[i + 1])) {
      AppendRune(out, r);
      continue;
    }
    AppendRune(out, r);
    seen_letter = false;
  }
  return out;
}

std::string TrimSpace(const std::string& s) {
  size_t b = 0, e = s.size();
  while (b < e) {
    int w;
    char32_t r = DecodeRune(s, b, &w);
    if (!IsGoSpace(r)) break;
    b += w;
  }
  while (e > b) {
    size_t p = e - 1;
    while (p > b && (static_cast<unsigned char>(s[p]) & 0xC0) == 0x80) --p;
    int w;
    char32_t r = DecodeRune(s, p, &w);
    if (!IsGoSpace(r)) break;
    e = p;
  }
  return s.substr(b, e - b);
}

// url.QueryUnescape.
std::string QueryUnescape(const std::string& s) {
  auto ishex = [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; };
  auto unhex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    return c - 'A' + 10;
  };
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      if (i + 2 >= s.size() || !ishex(s[i + 1]) || !ishex(s[i + 2])) {
        std::string bad = s.substr(i, 3);
        throw FuncError("invalid URL escape " + GoQuote(bad));
      }
      i += 2;
    }
  }
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%') {
      out += static_cast<char>(unhex(s[i + 1]) * 16 + unhex(s[i + 2]));
      i += 2;
    } else if (s[i] == '+') {
      out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

constexpr std::string_view kB64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string Base64Encode(const std::string& in) {
  std::string out;
  size_t i = 0;
  for (; i + 2 < in.size(); i += 3) {
    uint32_t v = (static_cast<unsigned char>(in[i]) << 16) |
                 (static_cast<unsigned char>(in[i + 1]) << 8) |
                 static_cast<unsigned char>(in[i + 2]);
    out += kB64Url[v >> 18];
    out += kB64Url[(v >> 12) & 63];
    out += kB64Url[(v >> 6) & 63];
    out += kB64Url[v & 63];
  }
  size_t rem = in.size() - i;
  if (rem > 0) {
    uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (rem == 2) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    out += kB64Url[v >> 18];
    out += kB64Url[(v >> 12) & 63];
    out += rem == 2 ? kB64Url[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// base64.URLEncoding.DecodeString, with Go's "illegal base64 data at input byte N" errors.
std::string Base64Decode(const std::string& in) {
  auto val = [](char c) -> int {
    size_t p = kB64Url.find(c);
    return p == std::string_view::npos ? -1 : static_cast<int>(p);
  };
  // Go skips \r and \n anywhere.
  std::string s;
  std::vector<size_t> pos;
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r' || in[i] == '\n') continue;
    s += in[i];
    pos.push_back(i);
  }
  auto fail = [&](size_t k) -> std::string {
    throw FuncError("illegal base64 data at input byte " +
                    std::to_string(k < pos.size() ? pos[k] : in.size()));
  };
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    int q[4];
    size_t n = 0;
    size_t start = i;
    for (; n < 4 && i < s.size(); ++i) {
      if (s[i] == '=') break;
      int v = val(s[i]);
      if (v < 0) fail(i);
      q[n++] = v;
    }
    if (n == 4) {
      out += static_cast<char>((q[0] << 2) | (q[1] >> 4));
      out += static_cast<char>(((q[1] & 15) << 4) | (q[2] >> 2));
      out += static_cast<char>(((q[2] & 3) << 6) | q[3]);
      continue;
    }
    // Short quantum: must be padded to 4 with '='.
    if (n < 2) fail(n == 0 ? i : start + n);
    size_t pads = 4 - n;
    for (size_t k = 0; k < pads; ++k) {
      if (i + k >= s.size() || s[i + k] != '=') fail(i + k >= s.size() ? s.size() : i + k);
    }
    i += pads;
    if (i != s.size()) fail(i);
    out += static_cast<char>((q[0] << 2) | (q[1] >> 4));
    if (n == 3) out += static_cast<char>(((q[1] & 15) << 4) | (q[2] >> 2));
  }
  return out;
}

// prometheus/common's ConvertToFloat + HumanizeDuration.
std::string HumanizeDuration(const Value& v) {
  double d;
  switch (v.type()) {
    case Type::kFloat64:
      d = v.AsFloat();
      break;
    case Type::kString: {
      const std::string& s = v.AsString();
      char* end = nullptr;
      d = std::strtod(s.c_str(), &end);
      if (s.empty() || end != s.c_str() + s.size())
        throw FuncError("strconv.ParseFloat: parsing " + GoQuote(s) + ": invalid syntax");
      break;
    }
    case Type::kInt:
    case Type::kInt64:
      d = static_cast<double>(v.AsInt());
      break;
    case Type::kDuration:
      d = static_cast<double>(v.AsInt()) / 1e9;
      break;
    default:
      throw FuncError("can't convert " + std::string(v.valid() ? TypeName(v.type()) : "<nil>") +
                      " to float");
  }
  auto g4 = [](double x) { return Sprintf("%.4g", {Value::Float(x)}); };
  if (std::isnan(d) || std::isinf(d)) return g4(d);
  if (d == 0) return g4(d) + "s";
  if (std::fabs(d) >= 1) {
    std::string sign;
    if (d < 0) {
      sign = "-";
      d = -d;
    }
    int64_t dur = static_cast<int64_t>(d);
    int64_t seconds = dur % 60, minutes = (dur / 60) % 60, hours = (dur / 3600) % 24,
            days = dur / 86400;
    auto s = [](int64_t x) { return std::to_string(x); };
    if (days != 0)
      return sign + s(days) + "d " + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (hours != 0) return sign + s(hours) + "h " + s(minutes) + "m " + s(seconds) + "s";
    if (minutes != 0) return sign + s(minutes) + "m " + s(seconds) + "s";
    return sign + g4(d) + "s";
  }
  std::string prefix;
  for (const char* p : {"m", "u", "n", "p", "f", "a", "z", "y"}) {
    if (std::fabs(d) >= 1) break;
    prefix = p;
    d *= 1000;
  }
  return g4(d) + prefix + "s";
}

FuncMap BuildFuncs() {
  FuncMap m;
  auto add = [&](const char* name, std::vector<ParamType> params, bool variadic,
                 std::function<Value(std::vector<Value>&)> fn) {
    m[name] = FuncDef{std::move(params), variadic, std::move(fn)};
  };
  // text/template builtins.
  add("and", {P::kAny, P::kAny}, true, [](std::vector<Value>& a) { return a.back(); });
  add("or", {P::kAny, P::kAny}, true, [](std::vector<Value>& a) { return a.back(); });
  add("not", {P::kAny}, false, [](std::vector<Value>& a) { return Value::Bool(!IsTrue(a[0])); });
  add("len", {P::kAny}, false, Len);
  add("index", {P::kAny, P::kAny}, true, Index);
  add("slice", {P::kAny, P::kAny}, true, SliceFn);
  add("print", {P::kAny}, true, [](std::vector<Value>& a) { return Value::String(Sprint(a)); });
  add("println", {P::kAny}, true, [](std::vector<Value>& a) { return Value::String(Sprintln(a)); });
  add("printf", {P::kString, P::kAny}, true, [](std::vector<Value>& a) {
    ValueList rest(a.begin() + 1, a.end());
    return Value::String(Sprintf(a[0].AsString(), rest));
  });
  add("html", {P::kAny}, true,
      [](std::vector<Value>& a) { return Value::String(HtmlEscapeString(EvalArgs(a))); });
  add("js", {P::kAny}, true,
      [](std::vector<Value>& a) { return Value::String(JsEscapeString(EvalArgs(a))); });
  add("urlquery", {P::kAny}, true,
      [](std::vector<Value>& a) { return Value::String(UrlQueryEscape(EvalArgs(a))); });
  add("call", {P::kAny, P::kAny}, true, [](std::vector<Value>& a) -> Value {
    if (!a[0].valid()) throw FuncError("call of nil");
    throw FuncError("non-function of type " + std::string(TypeName(a[0].type())));
  });
  add("eq", {P::kAny, P::kAny}, true,
      [](std::vector<Value>& a) { return Value::Bool(Eq(a[0], a, 1)); });
  add("ne", {P::kAny, P::kAny}, false,
      [](std::vector<Value>& a) { return Value::Bool(!Eq(a[0], a, 1)); });
  add("lt", {P::kAny, P::kAny}, false,
      [](std::vector<Value>& a) { return Value::Bool(Lt(a[0], a[1])); });
  add("le", {P::kAny, P::kAny}, false,
      [](std::vector<Value>& a) { return Value::Bool(Lt(a[0], a[1]) || Eq(a[0], a, 1)); });
  add("gt", {P::kAny, P::kAny}, false, [](std::vector<Value>& a) {
    bool le = Lt(a[0], a[1]) || Eq(a[0], a, 1);
    return Value::Bool(!le);
  });
  add("ge", {P::kAny, P::kAny}, false,
      [](std::vector<Value>& a) { return Value::Bool(!Lt(a[0], a[1])); });

  // Alertmanager 0.25.
  add("toUpper", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(MapRunes(a[0].AsString(), ToUpperRune)); });
  add("toLower", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(MapRunes(a[0].AsString(), ToLowerRune)); });
  add("title", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(Title(a[0].AsString())); });
  add("join", {P::kString, P::kStrings}, false, [](std::vector<Value>& a) {
    std::string out;
    const auto& v = a[1].AsStrings();
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out += a[0].AsString();
      out += v[i];
    }
    return Value::String(std::move(out));
  });
  add("match", {P::kString, P::kString}, false, [](std::vector<Value>& a) {
    std::string err;
    auto re = Compile(a[0].AsString(), &err);
    if (!re) throw FuncError(err);
    return Value::Bool(RE2::PartialMatch(a[1].AsString(), *re));
  });
  add("safeHtml", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(a[0].AsString(), Type::kHTML); });
  add("reReplaceAll", {P::kString, P::kString, P::kString}, false, [](std::vector<Value>& a) {
    std::string err;
    const std::string& pat = a[0].AsString();
    auto re = Compile(pat, &err);
    if (!re) {
      std::string q = CanBackquote(pat) ? "`" + pat + "`" : GoQuote(pat);
      throw FuncError("regexp: Compile(" + q + "): " + err);
    }
    return Value::String(ReplaceAll(*re, a[2].AsString(), a[1].AsString()));
  });
  add("stringSlice", {P::kString}, true, [](std::vector<Value>& a) {
    std::vector<std::string> v;
    v.reserve(a.size());
    for (const auto& x : a) v.push_back(x.AsString());
    return Value::Strings(std::move(v));
  });
  // 0.26
  add("trimSpace", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(TrimSpace(a[0].AsString())); });
  // 0.28
  add("date", {P::kString, P::kTime}, false, [](std::vector<Value>& a) {
    return Value::String(TimeFormat(a[1].AsTime(), a[0].AsString()));
  });
  add("tz", {P::kString, P::kTime}, false, [](std::vector<Value>& a) {
    std::string err;
    auto t = TimeIn(a[1].AsTime(), a[0].AsString(), &err);
    if (!t) throw FuncError(err);
    return Value::Time(*t);
  });
  add("since", {P::kTime}, false, [](std::vector<Value>& a) {
    GoTime now = TimeNow();
    const GoTime& t = a[0].AsTime();
    long double d = (static_cast<long double>(now.sec) - t.sec) * 1e9L + (now.nsec - t.nsec);
    if (d > 9.2233720368547758e18L) return Value::Duration(INT64_MAX);
    if (d < -9.2233720368547758e18L) return Value::Duration(INT64_MIN);
    return Value::Duration(static_cast<int64_t>(d));
  });
  add("humanizeDuration", {P::kAny}, false,
      [](std::vector<Value>& a) { return Value::String(HumanizeDuration(a[0])); });
  // 0.30
  add("safeUrl", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(a[0].AsString(), Type::kURL); });
  add("urlUnescape", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(QueryUnescape(a[0].AsString())); });
  add("toJson", {P::kAny}, false,
      [](std::vector<Value>& a) { return Value::String(ToJson(a[0])); });
  // 0.32
  add("list", {P::kAny}, true,
      [](std::vector<Value>& a) { return Value::AnySlice(ValueList(a.begin(), a.end())); });
  add("append", {P::kAnySlice, P::kAny}, true, [](std::vector<Value>& a) {
    ValueList v = a[0].AsAnySlice();
    v.insert(v.end(), a.begin() + 1, a.end());
    return Value::AnySlice(std::move(v));
  });
  add("dict", {P::kAny}, true, [](std::vector<Value>& a) {
    if (a.size() % 2 != 0) throw FuncError("dict requires an even number of arguments");
    AnyMap m;
    for (size_t i = 0; i < a.size(); i += 2) {
      if (a[i].type() != Type::kString) throw FuncError("dict keys must be strings");
      const std::string& k = a[i].AsString();
      auto it = std::lower_bound(m.begin(), m.end(), k, [](const auto& p, const std::string& key) {
        return p.first < key;
      });
      if (it != m.end() && it->first == k) {
        it->second = a[i + 1];
      } else {
        m.insert(it, {k, a[i + 1]});
      }
    }
    return Value::AnyMapValue(std::move(m));
  });
  // 0.33
  add("now", {}, false, [](std::vector<Value>&) { return Value::Time(TimeNow()); });
  // 0.34
  add("toDate", {P::kString, P::kString}, false, [](std::vector<Value>& a) {
    std::string err;
    auto t = TimeParse(a[0].AsString(), a[1].AsString(), &err);
    return Value::Time(t ? *t : GoTime{});
  });
  add("mustToDate", {P::kString, P::kString}, false, [](std::vector<Value>& a) {
    std::string err;
    auto t = TimeParse(a[0].AsString(), a[1].AsString(), &err);
    if (!t) throw FuncError(err);
    return Value::Time(*t);
  });
  add("base64encode", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(Base64Encode(a[0].AsString())); });
  add("base64decode", {P::kString}, false,
      [](std::vector<Value>& a) { return Value::String(Base64Decode(a[0].AsString())); });
  return m;
}

}  // namespace

const FuncMap& DefaultFuncs() {
  static const FuncMap kFuncs = BuildFuncs();
  return kFuncs;
}

}  // namespace am::tmpl

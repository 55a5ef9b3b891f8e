#include "template/gofmt.h"

#include <date/date.h>
#include <date/tz.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstring>

#include "template/text_util.h"

namespace am::tmpl {

namespace {

constexpr std::string_view kHexLower = "0123456789abcdef";
constexpr std::string_view kHexUpper = "0123456789ABCDEF";

// ---------------------------------------------------------------------------------------------
// Floats.

// Decimal digits and decimal-point position of v (v = 0.d1d2... * 10^dp), as strconv keeps them.
struct Digits {
  std::string d;
  int dp = 0;
};

// prec < 0: shortest digits that round-trip; otherwise exactly `prec` significant digits, with
// trailing zeros trimmed the way strconv's decimal type trims them.
Digits SignificantDigits(double v, int prec) {
  char buf[64];
  std::to_chars_result r;
  if (prec < 0) {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
  } else {
    r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific,
                      std::max(prec - 1, 0));
  }
  std::string_view s(buf, r.ptr - buf);
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  Digits out;
  size_t e = s.find('e');
  for (size_t i = 0; i < e; ++i)
    if (s[i] != '.') out.d += s[i];
  int exp = 0;
  std::from_chars(s.data() + e + 1 + (s[e + 1] == '+' ? 1 : 0), s.data() + s.size(), exp);
  while (out.d.size() > 1 && out.d.back() == '0') out.d.pop_back();
  if (out.d == "0") {
    out.d.clear();
    out.dp = 0;
  } else {
    out.dp = exp + 1;
  }
  return out;
}

std::string FixedFromDigits(const Digits& dg, int decimals) {
  std::string out;
  if (dg.dp > 0) {
    for (int i = 0; i < dg.dp; ++i) out += i < static_cast<int>(dg.d.size()) ? dg.d[i] : '0';
  } else {
    out += '0';
  }
  if (decimals > 0) {
    out += '.';
    for (int i = 0; i < decimals; ++i) {
      int j = dg.dp + i;
      out += (j >= 0 && j < static_cast<int>(dg.d.size())) ? dg.d[j] : '0';
    }
  }
  return out;
}

std::string ExpFromDigits(const Digits& dg, int prec, char e) {
  std::string out;
  out += dg.d.empty() ? '0' : dg.d[0];
  if (prec > 0) {
    out += '.';
    for (int i = 1; i <= prec; ++i) out += i < static_cast<int>(dg.d.size()) ? dg.d[i] : '0';
  }
  int exp = dg.d.empty() ? 0 : dg.dp - 1;
  out += e;
  out += exp < 0 ? '-' : '+';
  if (exp < 0) exp = -exp;
  if (exp < 10) out += '0';
  out += std::to_string(exp);
  return out;
}

}  // namespace

std::string FormatFloat(double v, char fmt, int prec) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  std::string sign = std::signbit(v) ? "-" : "";
  double a = std::fabs(v);
  bool shortest = prec < 0;
  switch (fmt) {
    case 'e':
    case 'E': {
      Digits dg = SignificantDigits(a, shortest ? -1 : prec + 1);
      int p = shortest ? std::max(static_cast<int>(dg.d.size()) - 1, 0) : prec;
      return sign + ExpFromDigits(dg, p, fmt);
    }
    case 'f':
    case 'F': {
      if (shortest) {
        Digits dg = SignificantDigits(a, -1);
        return sign + FixedFromDigits(dg, std::max(static_cast<int>(dg.d.size()) - dg.dp, 0));
      }
      char buf[400];
      auto r = std::to_chars(buf, buf + sizeof buf, a, std::chars_format::fixed, prec);
      return sign + std::string(buf, r.ptr - buf);
    }
    default: {  // 'g', 'G'
      char e = fmt == 'G' ? 'E' : 'e';
      if (!shortest && prec == 0) prec = 1;
      Digits dg = SignificantDigits(a, prec);
      int nd = static_cast<int>(dg.d.size());
      if (shortest) prec = nd;
      int eprec = prec;
      if (eprec > nd && nd >= dg.dp) eprec = nd;
      if (shortest) eprec = 6;
      int exp = dg.dp - 1;
      if (exp < -4 || exp >= eprec) {
        int p = prec > nd ? nd : prec;
        return sign + ExpFromDigits(dg, std::max(p - 1, 0), e);
      }
      int p = prec > dg.dp ? nd : prec;
      return sign + FixedFromDigits(dg, std::max(p - dg.dp, 0));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Quoting.

namespace {
void AppendQuotedRune(std::string& out, char32_t r, int width, std::string_view src, char quote,
                      bool ascii_only) {
  if (width == 1 && r == kRuneError) {
    out += "\\x";
    unsigned char c = static_cast<unsigned char>(src[0]);
    out += kHexLower[c >> 4];
    out += kHexLower[c & 15];
    return;
  }
  if (r == static_cast<char32_t>(quote) || r == '\\') {
    out += '\\';
    out += static_cast<char>(r);
    return;
  }
  if (ascii_only ? (r < 0x80 && IsPrintRune(r)) : IsPrintRune(r)) {
    AppendRune(out, r);
    return;
  }
  switch (r) {
    case '\a':
      out += "\\a";
      return;
    case '\b':
      out += "\\b";
      return;
    case '\f':
      out += "\\f";
      return;
    case '\n':
      out += "\\n";
      return;
    case '\r':
      out += "\\r";
      return;
    case '\t':
      out += "\\t";
      return;
    case '\v':
      out += "\\v";
      return;
  }
  auto hex = [&](uint32_t v, int n) {
    for (int i = n - 1; i >= 0; --i) out += kHexLower[(v >> (4 * i)) & 15];
  };
  if (r < ' ' || r == 0x7F) {
    out += "\\x";
    hex(r, 2);
  } else if (r < 0x10000) {
    out += "\\u";
    hex(r, 4);
  } else {
    out += "\\U";
    hex(r, 8);
  }
}

std::string QuoteWith(std::string_view s, char quote, bool ascii_only) {
  std::string out;
  out.reserve(s.size() + 2);
  out += quote;
  for (size_t i = 0; i < s.size();) {
    int w;
    char32_t r = DecodeRune(s, i, &w);
    AppendQuotedRune(out, r, w, s.substr(i), quote, ascii_only);
    i += w;
  }
  out += quote;
  return out;
}

std::string QuoteRune(char32_t r, bool ascii_only) {
  std::string out = "'";
  if (r > 0x10FFFF || (r >= 0xD800 && r <= 0xDFFF)) r = kRuneError;
  std::string enc;
  AppendRune(enc, r);
  AppendQuotedRune(out, r, static_cast<int>(enc.size()), enc, '\'', ascii_only);
  out += '\'';
  return out;
}

bool CanBackquote(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    int w;
    char32_t r = DecodeRune(s, i, &w);
    if (w == 1 && r == kRuneError) return false;
    if (r == '`' || r == 0xFEFF) return false;
    if (r < ' ' && r != '\t') return false;
    if (r == 0x7F) return false;
    i += w;
  }
  return true;
}
}  // namespace

std::string GoQuote(std::string_view s) { return QuoteWith(s, '"', false); }

// ---------------------------------------------------------------------------------------------
// Printer: Go's fmt state machine over Values.

namespace {

struct FmtFlags {
  bool plus = false, minus = false, sharp = false, space = false, zero = false;
  bool plus_v = false, sharp_v = false;
  bool wid_present = false, prec_present = false;
  int wid = 0, prec = 0;
};

class Printer {
 public:
  explicit Printer(std::string& out) : buf_(out) {}

  void DoPrint(const ValueList& args) {
    bool prev_string = false;
    for (size_t i = 0; i < args.size(); ++i) {
      bool is_string = args[i].kind() == Kind::kString;
      if (i > 0 && !is_string && !prev_string) buf_ += ' ';
      PrintArg(args[i], 'v');
      prev_string = is_string;
    }
  }

  void DoPrintln(const ValueList& args) {
    for (size_t i = 0; i < args.size(); ++i) {
      if (i > 0) buf_ += ' ';
      PrintArg(args[i], 'v');
    }
    buf_ += '\n';
  }

  void DoPrintf(std::string_view format, const ValueList& args);

  void PrintArg(const Value& v, char32_t verb) { PrintValue(v, verb, 0); }

 private:
  void WritePadding(int n) {
    if (n <= 0) return;
    buf_.append(static_cast<size_t>(n), f_.zero ? '0' : ' ');
  }
  void Pad(std::string_view s) {
    if (!f_.wid_present || f_.wid == 0) {
      buf_ += s;
      return;
    }
    int width = f_.wid - static_cast<int>(RuneCount(s));
    if (!f_.minus) {
      WritePadding(width);
      buf_ += s;
    } else {
      buf_ += s;
      bool z = f_.zero;
      f_.zero = false;
      WritePadding(width);
      f_.zero = z;
    }
  }

  std::string Truncate(std::string_view s) {
    if (f_.prec_present) {
      size_t n = 0;
      for (size_t i = 0; i < s.size();) {
        if (static_cast<int>(n) == f_.prec) return std::string(s.substr(0, i));
        int w;
        DecodeRune(s, i, &w);
        i += w;
        ++n;
      }
    }
    return std::string(s);
  }

  void FmtString(std::string_view s, char32_t verb, Type type) {
    switch (verb) {
      case 'v':
        if (f_.sharp_v) {
          Pad(GoQuote(s));
        } else {
          Pad(Truncate(s));
        }
        return;
      case 's':
        Pad(Truncate(s));
        return;
      case 'x':
      case 'X':
        FmtSbx(s, verb == 'x' ? kHexLower : kHexUpper);
        return;
      case 'q': {
        std::string t = Truncate(s);
        if (f_.sharp && CanBackquote(t)) {
          Pad("`" + t + "`");
        } else {
          Pad(QuoteWith(t, '"', f_.plus));
        }
        return;
      }
      default:
        BadVerb(verb, Value::String(std::string(s), type));
        return;
    }
  }

  void FmtSbx(std::string_view s, std::string_view digits) {
    size_t length = s.size();
    if (f_.prec_present && f_.prec < static_cast<int>(length)) length = f_.prec;
    std::string out;
    for (size_t i = 0; i < length; ++i) {
      if (f_.space && i > 0) out += ' ';
      if (f_.sharp && (f_.space || i == 0)) {
        out += '0';
        out += digits[10] == 'a' ? 'x' : 'X';
      }
      unsigned char c = static_cast<unsigned char>(s[i]);
      out += digits[c >> 4];
      out += digits[c & 15];
    }
    if (length == 0 && f_.wid_present) {
      WritePadding(f_.wid);
      return;
    }
    bool z = f_.zero;
    f_.zero = false;
    Pad(out);
    f_.zero = z;
  }

  void FmtInteger(uint64_t u, int base, bool is_signed, char32_t verb, std::string_view digits) {
    bool negative = is_signed && static_cast<int64_t>(u) < 0;
    if (negative) u = -u;
    int prec = 0;
    if (f_.prec_present) {
      prec = f_.prec;
      if (prec == 0 && u == 0) {
        bool z = f_.zero;
        f_.zero = false;
        WritePadding(f_.wid);
        f_.zero = z;
        return;
      }
    } else if (f_.zero && f_.wid_present) {
      prec = f_.wid;
      if (negative || f_.plus || f_.space) prec--;
    }
    std::string rev;
    do {
      rev += digits[u % base];
      u /= base;
    } while (u > 0);
    while (static_cast<int>(rev.size()) < prec) rev += '0';
    if (f_.sharp) {
      switch (base) {
        case 2:
          rev += "b0";
          break;
        case 8:
          if (rev.back() != '0') rev += '0';
          break;
        case 16:
          rev += digits[10] == 'a' ? 'x' : 'X';
          rev += '0';
          break;
      }
    }
    if (verb == 'O') rev += "o0";
    if (negative) {
      rev += '-';
    } else if (f_.plus) {
      rev += '+';
    } else if (f_.space) {
      rev += ' ';
    }
    std::reverse(rev.begin(), rev.end());
    bool z = f_.zero;
    f_.zero = false;
    Pad(rev);
    f_.zero = z;
  }

  void FmtInt(const Value& v, char32_t verb) {
    bool is_signed = v.kind() == Kind::kInt;
    uint64_t u = static_cast<uint64_t>(v.AsInt());
    switch (verb) {
      case 'v':
      case 'd':
        FmtInteger(u, 10, is_signed, verb, kHexLower);
        return;
      case 'b':
        FmtInteger(u, 2, is_signed, verb, kHexLower);
        return;
      case 'o':
      case 'O':
        FmtInteger(u, 8, is_signed, verb, kHexLower);
        return;
      case 'x':
        FmtInteger(u, 16, is_signed, verb, kHexLower);
        return;
      case 'X':
        FmtInteger(u, 16, is_signed, verb, kHexUpper);
        return;
      case 'c': {
        std::string s;
        AppendRune(s, u > 0x10FFFF ? kRuneError : static_cast<char32_t>(u));
        Pad(s);
        return;
      }
      case 'q':
        Pad(QuoteRune(u > 0x10FFFF ? kRuneError : static_cast<char32_t>(u), f_.plus));
        return;
      case 'U': {
        std::string s = "U+";
        std::string hex;
        uint64_t x = u;
        do {
          hex += kHexUpper[x % 16];
          x /= 16;
        } while (x > 0);
        int prec = f_.prec_present && f_.prec > 4 ? f_.prec : 4;
        while (static_cast<int>(hex.size()) < prec) hex += '0';
        std::reverse(hex.begin(), hex.end());
        s += hex;
        if (f_.sharp && u <= 0x10FFFF && IsPrintRune(static_cast<char32_t>(u))) {
          s += " '";
          AppendRune(s, static_cast<char32_t>(u));
          s += "'";
        }
        bool z = f_.zero;
        f_.zero = false;
        Pad(s);
        f_.zero = z;
        return;
      }
      default:
        BadVerb(verb, v);
        return;
    }
  }

  void FmtFloatVerb(double v, char32_t verb, int default_prec) {
    int prec = f_.prec_present ? f_.prec : default_prec;
    char fc = static_cast<char>(verb == 'F' ? 'f' : verb);
    std::string num = FormatFloat(v, fc, prec);
    if (f_.sharp && verb != 'b') {
      // %#g keeps trailing zeros and always shows a decimal point; approximate via fixed digits.
      if (num.find('.') == std::string::npos && num.find_first_of("IN") == std::string::npos) {
        size_t e = num.find_first_of("eE");
        if (e == std::string::npos) {
          num += '.';
        } else {
          num.insert(e, ".");
        }
      }
    }
    if (num[0] != '-' && num[0] != '+') num.insert(num.begin(), '+');
    if (f_.space && num[0] == '+' && !f_.plus) num[0] = ' ';
    if (num[1] == 'I' || num[1] == 'N') {
      bool z = f_.zero;
      f_.zero = false;
      if (num[1] == 'N' && !f_.space && !f_.plus) num.erase(0, 1);
      Pad(num);
      f_.zero = z;
      return;
    }
    if (f_.plus || num[0] != '+') {
      if (f_.zero && f_.wid_present && f_.wid > static_cast<int>(num.size())) {
        buf_ += num[0];
        WritePadding(f_.wid - static_cast<int>(num.size()));
        buf_.append(num, 1);
        return;
      }
      Pad(num);
      return;
    }
    Pad(std::string_view(num).substr(1));
  }

  void FmtFloat(const Value& v, double d, char32_t verb) {
    switch (verb) {
      case 'v':
        FmtFloatVerb(d, 'g', -1);
        return;
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
        FmtFloatVerb(d, verb == 'G' || verb == 'X' ? 'G' : 'g', -1);
        return;
      case 'f':
      case 'e':
      case 'E':
      case 'F':
        FmtFloatVerb(d, verb, 6);
        return;
      default:
        BadVerb(verb, v);
        return;
    }
  }

  void FmtComplex(const Value& v, char32_t verb) {
    switch (verb) {
      case 'v':
      case 'b':
      case 'g':
      case 'G':
      case 'x':
      case 'X':
      case 'f':
      case 'F':
      case 'e':
      case 'E': {
        auto [re, im] = v.AsComplex();
        bool old_plus = f_.plus;
        buf_ += '(';
        FmtFloat(v, re, verb);
        f_.plus = true;
        FmtFloat(v, im, verb);
        buf_ += "i)";
        f_.plus = old_plus;
        return;
      }
      default:
        BadVerb(verb, v);
    }
  }

  void BadVerb(char32_t verb, const Value& v) {
    erroring_ = true;
    buf_ += "%!";
    AppendRune(buf_, verb);
    buf_ += '(';
    if (v.valid()) {
      buf_ += TypeName(v.type());
      buf_ += '=';
      PrintValue(v, 'v', 0);
    } else {
      buf_ += "<nil>";
    }
    buf_ += ')';
    erroring_ = false;
  }

  // Stringer handling: types with a String method print through it for string-ish verbs.
  bool HandleMethods(const Value& v, char32_t verb) {
    if (erroring_) return false;
    if (verb != 'v' && verb != 's' && verb != 'x' && verb != 'X' && verb != 'q') return false;
    switch (v.type()) {
      case Type::kTime:
        FmtString(TimeString(v.AsTime()), verb, Type::kString);
        return true;
      case Type::kDuration:
        FmtString(DurationString(v.AsInt()), verb, Type::kString);
        return true;
      case Type::kMonth: {
        static const char* kMonths[] = {"January",   "February", "March",    "April",
                                        "May",       "June",     "July",     "August",
                                        "September", "October",  "November", "December"};
        int64_t m = v.AsInt();
        FmtString(m >= 1 && m <= 12 ? kMonths[m - 1] : "%!Month(" + std::to_string(m) + ")", verb,
                  Type::kString);
        return true;
      }
      case Type::kWeekday: {
        static const char* kDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                      "Thursday", "Friday", "Saturday"};
        int64_t d = v.AsInt();
        FmtString(d >= 0 && d <= 6 ? kDays[d] : "%!Weekday(" + std::to_string(d) + ")", verb,
                  Type::kString);
        return true;
      }
      default:
        return false;
    }
  }

  void PrintValue(const Value& v, char32_t verb, int depth) {
    if (!v.valid()) {
      if (verb == 'T' || verb == 'v') {
        Pad("<nil>");
      } else {
        BadVerb(verb, v);
      }
      return;
    }
    if (verb == 'T') {
      Pad(TypeName(v.type()));
      return;
    }
    if (verb == 'p') {
      BadVerb(verb, v);
      return;
    }
    if (HandleMethods(v, verb)) return;
    switch (v.kind()) {
      case Kind::kInvalid:
        return;
      case Kind::kBool:
        if (verb == 't' || verb == 'v') {
          Pad(v.AsBool() ? "true" : "false");
        } else {
          BadVerb(verb, v);
        }
        return;
      case Kind::kInt:
      case Kind::kUint:
        FmtInt(v, verb);
        return;
      case Kind::kFloat:
        FmtFloat(v, v.AsFloat(), verb);
        return;
      case Kind::kComplex:
        FmtComplex(v, verb);
        return;
      case Kind::kString:
        FmtString(v.AsString(), verb, v.type());
        return;
      case Kind::kSlice: {
        buf_ += '[';
        size_t n = v.Len();
        for (size_t i = 0; i < n; ++i) {
          if (i > 0) buf_ += ' ';
          PrintValue(v.Index(i), verb, depth + 1);
        }
        buf_ += ']';
        return;
      }
      case Kind::kMap: {
        buf_ += "map[";
        if (v.type() == Type::kKV) {
          bool first = true;
          for (const auto& [k, val] : v.AsKv().items) {
            if (!first) buf_ += ' ';
            first = false;
            FmtString(k, verb, Type::kString);
            buf_ += ':';
            FmtString(val, verb, Type::kString);
          }
        } else {
          bool first = true;
          for (const auto& [k, val] : v.AsAnyMap()) {
            if (!first) buf_ += ' ';
            first = false;
            FmtString(k, verb, Type::kString);
            buf_ += ':';
            PrintValue(val, verb, depth + 1);
          }
        }
        buf_ += ']';
        return;
      }
      case Kind::kStruct:
        PrintStruct(v, verb, depth);
        return;
    }
  }

  void Field(bool first, const char* name) {
    if (!first) buf_ += ' ';
    if (f_.plus_v) {
      buf_ += name;
      buf_ += ':';
    }
  }

  void PrintStruct(const Value& v, char32_t verb, int depth) {
    buf_ += '{';
    switch (v.type()) {
      case Type::kPair:
        Field(true, "Name");
        FmtString(PairName(v), verb, Type::kString);
        Field(false, "Value");
        FmtString(PairValue(v), verb, Type::kString);
        break;
      case Type::kAlert: {
        const AlertObj& a = v.AsAlert();
        Field(true, "Status");
        FmtString(a.status, verb, Type::kString);
        Field(false, "Labels");
        PrintValue(Value::Kv(a.labels), verb, depth + 1);
        Field(false, "Annotations");
        PrintValue(Value::Kv(a.annotations), verb, depth + 1);
        Field(false, "StartsAt");
        PrintValue(Value::Time(a.starts_at), verb, depth + 1);
        Field(false, "EndsAt");
        PrintValue(Value::Time(a.ends_at), verb, depth + 1);
        Field(false, "GeneratorURL");
        FmtString(a.generator_url, verb, Type::kString);
        Field(false, "Fingerprint");
        FmtString(a.fingerprint, verb, Type::kString);
        break;
      }
      case Type::kData: {
        // Field order and set of Alertmanager 0.25's template.Data.
        const DataObj& d = v.AsData();
        Field(true, "Receiver");
        FmtString(d.receiver, verb, Type::kString);
        Field(false, "Status");
        FmtString(d.status, verb, Type::kString);
        Field(false, "Alerts");
        PrintValue(Value::Alerts(d.alerts), verb, depth + 1);
        Field(false, "GroupLabels");
        PrintValue(Value::Kv(d.group_labels), verb, depth + 1);
        Field(false, "CommonLabels");
        PrintValue(Value::Kv(d.common_labels), verb, depth + 1);
        Field(false, "CommonAnnotations");
        PrintValue(Value::Kv(d.common_annotations), verb, depth + 1);
        Field(false, "ExternalURL");
        FmtString(d.external_url, verb, Type::kString);
        break;
      }
      case Type::kTime: {
        // Only reached while erroring (no String method): Go shows the raw fields.
        const GoTime& t = v.AsTime();
        buf_ += std::to_string(t.nsec) + " " + std::to_string(t.sec) + " <loc>";
        break;
      }
      default:
        break;
    }
    buf_ += '}';
  }

 public:
  FmtFlags f_;
  bool erroring_ = false;

 private:
  std::string& buf_;
};

bool ParseNum(std::string_view s, size_t& i, int* out) {
  if (i >= s.size() || s[i] < '0' || s[i] > '9') return false;
  int n = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
    if (n > 1000000) return false;  // Go's tooLarge guard
    n = n * 10 + (s[i] - '0');
    ++i;
  }
  *out = n;
  return true;
}

void Printer::DoPrintf(std::string_view format, const ValueList& args) {
  size_t end = format.size();
  size_t arg_num = 0;
  bool after_index = false;
  bool reordered = false;
  bool good_arg_num = true;

  // Parses "[n]" at format[i]; returns the new arg number.
  auto arg_number = [&](size_t& i) {
    if (i >= end || format[i] != '[') return;
    reordered = true;
    size_t j = i + 1;
    for (; j < end; ++j) {
      if (format[j] == ']') {
        size_t k = i + 1;
        int idx = 0;
        if (!ParseNum(format, k, &idx) || k != j || idx < 1 ||
            static_cast<size_t>(idx) > args.size()) {
          i = j + 1;
          good_arg_num = false;
          return;
        }
        arg_num = idx - 1;
        i = j + 1;
        after_index = true;
        return;
      }
    }
    good_arg_num = false;
  };

  std::string& out = buf_;
  for (size_t i = 0; i < end;) {
    good_arg_num = true;
    size_t lasti = i;
    while (i < end && format[i] != '%') ++i;
    if (i > lasti) out.append(format.substr(lasti, i - lasti));
    if (i >= end) break;
    ++i;  // skip %
    f_ = FmtFlags{};
    for (; i < end; ++i) {
      char c = format[i];
      if (c == '#') {
        f_.sharp = true;
      } else if (c == '0') {
        f_.zero = !f_.minus;
      } else if (c == '+') {
        f_.plus = true;
      } else if (c == '-') {
        f_.minus = true;
        f_.zero = false;
      } else if (c == ' ') {
        f_.space = true;
      } else {
        break;
      }
    }
    after_index = false;
    arg_number(i);
    // width
    if (i < end && format[i] == '*') {
      ++i;
      if (arg_num < args.size() && args[arg_num].kind() == Kind::kInt) {
        int64_t w = args[arg_num].AsInt();
        f_.wid = static_cast<int>(w);
        f_.wid_present = w <= 1000000 && w >= -1000000;
        if (!f_.wid_present) out += "%!(BADWIDTH)";
        if (f_.wid < 0) {
          f_.wid = -f_.wid;
          f_.minus = true;
          f_.zero = false;
        }
      } else {
        out += "%!(BADWIDTH)";
      }
      ++arg_num;
      after_index = false;
    } else {
      f_.wid_present = ParseNum(format, i, &f_.wid);
      if (after_index && f_.wid_present) good_arg_num = false;
    }
    // precision
    if (i + 1 <= end && i < end && format[i] == '.') {
      ++i;
      if (after_index) good_arg_num = false;
      arg_number(i);
      if (i < end && format[i] == '*') {
        ++i;
        if (arg_num < args.size() && args[arg_num].kind() == Kind::kInt) {
          int64_t p = args[arg_num].AsInt();
          f_.prec = static_cast<int>(p);
          f_.prec_present = true;
          if (p < 0) {
            f_.prec = 0;
            f_.prec_present = false;
          }
        } else {
          out += "%!(BADPREC)";
        }
        ++arg_num;
        after_index = false;
      } else {
        f_.prec_present = true;
        if (!ParseNum(format, i, &f_.prec)) f_.prec = 0;
      }
    }
    if (!after_index) arg_number(i);
    if (i >= end) {
      out += "%!(NOVERB)";
      break;
    }
    int w;
    char32_t verb = DecodeRune(format, i, &w);
    i += w;
    if (verb == '%') {
      out += '%';
      continue;
    }
    if (!good_arg_num) {
      out += "%!";
      AppendRune(out, verb);
      out += "(BADINDEX)";
      continue;
    }
    if (arg_num >= args.size()) {
      out += "%!";
      AppendRune(out, verb);
      out += "(MISSING)";
      continue;
    }
    if (verb == 'w') verb = 'v';
    if (verb == 'v') {
      if (f_.sharp) {
        f_.sharp = false;
        f_.sharp_v = true;
      }
      if (f_.plus) {
        f_.plus = false;
        f_.plus_v = true;
      }
    }
    PrintArg(args[arg_num], verb);
    ++arg_num;
  }
  if (!reordered && arg_num < args.size()) {
    f_ = FmtFlags{};
    out += "%!(EXTRA ";
    for (size_t k = arg_num; k < args.size(); ++k) {
      if (k > arg_num) out += ", ";
      if (!args[k].valid()) {
        out += "<nil>";
      } else {
        out += TypeName(args[k].type());
        out += '=';
        PrintArg(args[k], 'v');
      }
    }
    out += ')';
  }
}

}  // namespace

std::string Sprint(const ValueList& args) {
  std::string out;
  Printer p(out);
  p.DoPrint(args);
  return out;
}

std::string Sprintln(const ValueList& args) {
  std::string out;
  Printer p(out);
  p.DoPrintln(args);
  return out;
}

std::string Sprintf(std::string_view format, const ValueList& args) {
  std::string out;
  Printer p(out);
  p.DoPrintf(format, args);
  return out;
}

void AppendValue(std::string& out, const Value& v) {
  if (v.type() == Type::kString || v.type() == Type::kHTML || v.type() == Type::kURL) {
    out += v.AsString();
    return;
  }
  Printer p(out);
  p.PrintArg(v, 'v');
}

// ---------------------------------------------------------------------------------------------
// Durations and times.

std::string DurationString(int64_t d) {
  // Go prints the magnitude with the largest fitting unit set: h, m, s, or a sub-second unit.
  char buf[32];
  int w = sizeof buf;
  uint64_t u = static_cast<uint64_t>(d);
  bool neg = d < 0;
  if (neg) u = -u;
  auto fmt_frac = [&](uint64_t v, int prec) {
    bool print = false;
    for (int i = 0; i < prec; ++i) {
      int digit = v % 10;
      print = print || digit != 0;
      if (print) buf[--w] = static_cast<char>('0' + digit);
      v /= 10;
    }
    if (print) buf[--w] = '.';
    return v;
  };
  auto fmt_int = [&](uint64_t v) {
    if (v == 0) {
      buf[--w] = '0';
    } else {
      while (v > 0) {
        buf[--w] = static_cast<char>('0' + v % 10);
        v /= 10;
      }
    }
  };
  if (u < 1000000000ULL) {
    int prec = 0;
    buf[--w] = 's';
    if (u == 0) return "0s";
    if (u < 1000) {
      prec = 0;
      buf[--w] = 'n';
    } else if (u < 1000000) {
      prec = 3;
      // "µ" is U+00B5, two bytes.
      buf[--w] = '\xb5';
      buf[--w] = '\xc2';
    } else {
      prec = 6;
      buf[--w] = 'm';
    }
    u = fmt_frac(u, prec);
    fmt_int(u);
  } else {
    buf[--w] = 's';
    u = fmt_frac(u, 9);
    fmt_int(u % 60);
    u /= 60;
    if (u > 0) {
      buf[--w] = 'm';
      fmt_int(u % 60);
      u /= 60;
      if (u > 0) {
        buf[--w] = 'h';
        fmt_int(u);
      }
    }
  }
  if (neg) buf[--w] = '-';
  return std::string(buf + w, sizeof buf - w);
}

namespace {
int64_t FloorDiv(int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }
}  // namespace

int64_t CivilToUnix(int64_t y, int m, int d, int hh, int mm, int ss) {
  // Days from civil (proleptic Gregorian), Howard Hinnant's algorithm.
  y -= m <= 2;
  int64_t era = FloorDiv(y, 400);
  int64_t yoe = y - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  int64_t days = era * 146097 + doe - 719468;
  return days * 86400 + hh * 3600 + mm * 60 + ss;
}

Civil ToCivil(const GoTime& t) {
  int64_t s = t.sec + t.offset;
  int64_t days = FloorDiv(s, 86400);
  int64_t rem = s - days * 86400;
  Civil c{};
  c.hour = static_cast<int>(rem / 3600);
  c.minute = static_cast<int>(rem % 3600 / 60);
  c.second = static_cast<int>(rem % 60);
  c.weekday = static_cast<int>(((days % 7) + 11) % 7);  // 1970-01-01 was a Thursday (4)
  int64_t z = days + 719468;
  int64_t era = FloorDiv(z, 146097);
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = yoe + era * 400;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  c.day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  c.month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  c.year = y + (c.month <= 2);
  int64_t jan1 = FloorDiv(CivilToUnix(c.year, 1, 1, 0, 0, 0), 86400);
  c.yday = static_cast<int>(days - jan1 + 1);
  return c;
}

namespace {

const char* const kLongMonths[] = {"January",   "February", "March",    "April",
                                   "May",       "June",     "July",     "August",
                                   "September", "October",  "November", "December"};
const char* const kLongDays[] = {"Sunday",   "Monday", "Tuesday", "Wednesday",
                                 "Thursday", "Friday", "Saturday"};

enum Std {
  kNone,
  kLongMonth,
  kMonth,
  kNumMonth,
  kZeroMonth,
  kLongWeekDay,
  kWeekDay,
  kDay,
  kUnderDay,
  kZeroDay,
  kUnderYearDay,
  kZeroYearDay,
  kHour,
  kHour12,
  kZeroHour12,
  kMinute,
  kZeroMinute,
  kSecond,
  kZeroSecond,
  kLongYear,
  kYear,
  kPM,
  kpm,
  kTZ,
  kISO8601TZ,
  kISO8601SecondsTZ,
  kISO8601ShortTZ,
  kISO8601ColonTZ,
  kISO8601ColonSecondsTZ,
  kNumTZ,
  kNumSecondsTz,
  kNumShortTZ,
  kNumColonTZ,
  kNumColonSecondsTZ,
  kFracSecond0,
  kFracSecond9,
};

struct Chunk {
  std::string_view prefix;
  Std std = kNone;
  int frac_digits = 0;
  char frac_sep = '.';
  std::string_view suffix;
};

bool StartsWithLower(std::string_view s) { return !s.empty() && s[0] >= 'a' && s[0] <= 'z'; }
bool IsDigitAt(std::string_view s, size_t i) { return i < s.size() && s[i] >= '0' && s[i] <= '9'; }

// Finds the first layout element in `layout`, like Go's nextStdChunk.
Chunk NextChunk(std::string_view layout) {
  auto at = [&](size_t i, std::string_view w) { return layout.substr(i, w.size()) == w; };
  for (size_t i = 0; i < layout.size(); ++i) {
    auto mk = [&](Std s, size_t len) {
      return Chunk{layout.substr(0, i), s, 0, '.', layout.substr(i + len)};
    };
    char c = layout[i];
    switch (c) {
      case 'J':
        if (at(i, "Jan")) {
          if (at(i, "January")) return mk(kLongMonth, 7);
          if (!StartsWithLower(layout.substr(i + 3))) return mk(kMonth, 3);
        }
        break;
      case 'M':
        if (at(i, "Mon")) {
          if (at(i, "Monday")) return mk(kLongWeekDay, 6);
          if (!StartsWithLower(layout.substr(i + 3))) return mk(kWeekDay, 3);
        }
        if (at(i, "MST")) return mk(kTZ, 3);
        break;
      case '0':
        if (i + 1 < layout.size() && layout[i + 1] >= '1' && layout[i + 1] <= '6') {
          static const Std kZ[] = {kZeroMonth,  kZeroDay,    kZeroHour12,
                                   kZeroMinute, kZeroSecond, kYear};
          return mk(kZ[layout[i + 1] - '1'], 2);
        }
        if (at(i, "002")) return mk(kZeroYearDay, 3);
        break;
      case '1':
        if (at(i, "15")) return mk(kHour, 2);
        return mk(kNumMonth, 1);
      case '2':
        if (at(i, "2006")) return mk(kLongYear, 4);
        return mk(kDay, 1);
      case '_':
        if (at(i, "_2")) {
          if (at(i, "_2006"))
            return Chunk{layout.substr(0, i + 1), kLongYear, 0, '.', layout.substr(i + 5)};
          return mk(kUnderDay, 2);
        }
        if (at(i, "__2")) return mk(kUnderYearDay, 3);
        break;
      case '3':
        return mk(kHour12, 1);
      case '4':
        return mk(kMinute, 1);
      case '5':
        return mk(kSecond, 1);
      case 'P':
        if (at(i, "PM")) return mk(kPM, 2);
        break;
      case 'p':
        if (at(i, "pm")) return mk(kpm, 2);
        break;
      case '-':
        if (at(i, "-070000")) return mk(kNumSecondsTz, 7);
        if (at(i, "-07:00:00")) return mk(kNumColonSecondsTZ, 9);
        if (at(i, "-0700")) return mk(kNumTZ, 5);
        if (at(i, "-07:00")) return mk(kNumColonTZ, 6);
        if (at(i, "-07")) return mk(kNumShortTZ, 3);
        break;
      case 'Z':
        if (at(i, "Z070000")) return mk(kISO8601SecondsTZ, 7);
        if (at(i, "Z07:00:00")) return mk(kISO8601ColonSecondsTZ, 9);
        if (at(i, "Z0700")) return mk(kISO8601TZ, 5);
        if (at(i, "Z07:00")) return mk(kISO8601ColonTZ, 6);
        if (at(i, "Z07")) return mk(kISO8601ShortTZ, 3);
        break;
      case '.':
      case ',':
        if (i + 1 < layout.size() && (layout[i + 1] == '0' || layout[i + 1] == '9')) {
          char ch = layout[i + 1];
          size_t j = i + 1;
          while (j < layout.size() && layout[j] == ch) ++j;
          if (!IsDigitAt(layout, j)) {
            Chunk k = mk(ch == '0' ? kFracSecond0 : kFracSecond9, j - i);
            k.frac_digits = static_cast<int>(j - i - 1);
            k.frac_sep = c;
            return k;
          }
        }
        break;
    }
  }
  return Chunk{layout, kNone, 0, '.', {}};
}

void AppendInt(std::string& out, int64_t v, int width) {
  if (v < 0) {
    out += '-';
    v = -v;
  }
  std::string d = std::to_string(v);
  for (int i = static_cast<int>(d.size()); i < width; ++i) out += '0';
  out += d;
}

}  // namespace

std::string TimeFormat(const GoTime& t, std::string_view layout) {
  std::string out;
  Civil c = ToCivil(t);
  while (!layout.empty()) {
    Chunk k = NextChunk(layout);
    out += k.prefix;
    if (k.std == kNone) break;
    layout = k.suffix;
    switch (k.std) {
      case kYear:
        AppendInt(out, ((c.year % 100) + 100) % 100, 2);
        break;
      case kLongYear:
        AppendInt(out, c.year, 4);
        break;
      case kMonth:
        out += std::string_view(kLongMonths[c.month - 1]).substr(0, 3);
        break;
      case kLongMonth:
        out += kLongMonths[c.month - 1];
        break;
      case kNumMonth:
        AppendInt(out, c.month, 0);
        break;
      case kZeroMonth:
        AppendInt(out, c.month, 2);
        break;
      case kWeekDay:
        out += std::string_view(kLongDays[c.weekday]).substr(0, 3);
        break;
      case kLongWeekDay:
        out += kLongDays[c.weekday];
        break;
      case kDay:
        AppendInt(out, c.day, 0);
        break;
      case kUnderDay:
        if (c.day < 10) out += ' ';
        AppendInt(out, c.day, 0);
        break;
      case kZeroDay:
        AppendInt(out, c.day, 2);
        break;
      case kUnderYearDay:
        if (c.yday < 100) {
          out += ' ';
          if (c.yday < 10) out += ' ';
        }
        AppendInt(out, c.yday, 0);
        break;
      case kZeroYearDay:
        AppendInt(out, c.yday, 3);
        break;
      case kHour:
        AppendInt(out, c.hour, 2);
        break;
      case kHour12:
        AppendInt(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 0);
        break;
      case kZeroHour12:
        AppendInt(out, c.hour % 12 == 0 ? 12 : c.hour % 12, 2);
        break;
      case kMinute:
        AppendInt(out, c.minute, 0);
        break;
      case kZeroMinute:
        AppendInt(out, c.minute, 2);
        break;
      case kSecond:
        AppendInt(out, c.second, 0);
        break;
      case kZeroSecond:
        AppendInt(out, c.second, 2);
        break;
      case kPM:
        out += c.hour >= 12 ? "PM" : "AM";
        break;
      case kpm:
        out += c.hour >= 12 ? "pm" : "am";
        break;
      case kISO8601TZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumShortTZ:
      case kNumColonSecondsTZ: {
        bool iso = k.std == kISO8601TZ || k.std == kISO8601ColonTZ || k.std == kISO8601SecondsTZ ||
                   k.std == kISO8601ShortTZ || k.std == kISO8601ColonSecondsTZ;
        if (iso && t.offset == 0) {
          out += 'Z';
          break;
        }
        int zone = t.offset / 60;
        int absoffset = t.offset;
        if (zone < 0) {
          out += '-';
          zone = -zone;
          absoffset = -absoffset;
        } else {
          out += '+';
        }
        AppendInt(out, zone / 60, 2);
        bool colon = k.std == kISO8601ColonTZ || k.std == kNumColonTZ ||
                     k.std == kISO8601ColonSecondsTZ || k.std == kNumColonSecondsTZ;
        if (colon) out += ':';
        if (k.std != kNumShortTZ && k.std != kISO8601ShortTZ) AppendInt(out, zone % 60, 2);
        if (k.std == kISO8601SecondsTZ || k.std == kNumSecondsTz || k.std == kNumColonSecondsTZ ||
            k.std == kISO8601ColonSecondsTZ) {
          if (colon) out += ':';
          AppendInt(out, absoffset % 60, 2);
        }
        break;
      }
      case kTZ:
        if (!t.zone.empty()) {
          out += t.zone;
          break;
        }
        {
          int zone = t.offset / 60;
          if (zone < 0) {
            out += '-';
            zone = -zone;
          } else {
            out += '+';
          }
          AppendInt(out, zone / 60, 2);
          AppendInt(out, zone % 60, 2);
        }
        break;
      case kFracSecond0:
      case kFracSecond9: {
        char digits[10];
        std::snprintf(digits, sizeof digits, "%09d", t.nsec);
        int n = k.frac_digits > 9 ? 9 : k.frac_digits;
        std::string frac(digits, n);
        if (k.std == kFracSecond9) {
          while (!frac.empty() && frac.back() == '0') frac.pop_back();
          if (frac.empty()) break;
        }
        out += k.frac_sep;
        out += frac;
        break;
      }
      case kNone:
        break;
    }
  }
  return out;
}

std::string TimeString(const GoTime& t) {
  std::string s = TimeFormat(t, "2006-01-02 15:04:05.999999999 -0700 MST");
  if (t.has_mono) {
    int64_t m = t.mono_ns;
    s += " m=";
    s += m < 0 ? '-' : '+';
    uint64_t u = m < 0 ? -static_cast<uint64_t>(m) : static_cast<uint64_t>(m);
    char buf[48];
    std::snprintf(buf, sizeof buf, "%llu.%09llu",
                  static_cast<unsigned long long>(u / 1000000000ULL),
                  static_cast<unsigned long long>(u % 1000000000ULL));
    s += buf;
  }
  return s;
}

namespace {

// Parsing helpers (time.Parse semantics, reduced to what templates need).
bool GetNum(std::string_view& v, bool fixed, int* out) {
  if (!IsDigitAt(v, 0)) return false;
  if (!IsDigitAt(v, 1)) {
    if (fixed) return false;
    *out = v[0] - '0';
    v.remove_prefix(1);
    return true;
  }
  *out = (v[0] - '0') * 10 + (v[1] - '0');
  v.remove_prefix(2);
  return true;
}

bool GetNumN(std::string_view& v, int n, bool fixed, int* out) {
  int i = 0;
  int x = 0;
  while (i < n && IsDigitAt(v, i)) x = x * 10 + (v[i++] - '0');
  if (i == 0 || (fixed && i != n)) return false;
  *out = x;
  v.remove_prefix(i);
  return true;
}

int Lookup(std::string_view& v, const char* const* names, int n, size_t len) {
  for (int i = 0; i < n; ++i) {
    std::string_view name = names[i];
    if (len) name = name.substr(0, len);
    if (v.size() >= name.size()) {
      bool eq = true;
      for (size_t j = 0; j < name.size(); ++j) {
        if (ToLowerRune(static_cast<unsigned char>(v[j])) !=
            ToLowerRune(static_cast<unsigned char>(name[j]))) {
          eq = false;
          break;
        }
      }
      if (eq) {
        v.remove_prefix(name.size());
        return i;
      }
    }
  }
  return -1;
}

std::string Quote(std::string_view s) { return GoQuote(s); }

}  // namespace

std::optional<GoTime> TimeParse(std::string_view layout, std::string_view value, std::string* err) {
  const std::string_view alayout = layout, avalue = value;
  int year = 1, month = -1, day = -1, yday = -1, hour = 0, min = 0, sec = 0, nsec = 0;
  bool pm_set = false, am_set = false;
  int zone_offset = -1;
  std::string zone_name;
  std::string range_err;
  auto fail = [&](std::string_view elem, std::string_view rest, std::string_view msg) {
    if (err) {
      if (!msg.empty()) {
        *err = "parsing time " + Quote(avalue) + std::string(msg);
      } else {
        *err = "parsing time " + Quote(avalue) + " as " + Quote(alayout) + ": cannot parse " +
               Quote(rest) + " as " + Quote(elem);
      }
    }
    return std::nullopt;
  };
  while (true) {
    Chunk k = NextChunk(layout);
    std::string_view std_str =
        layout.substr(k.prefix.size(), layout.size() - k.prefix.size() - k.suffix.size());
    // prefix must match literally (spaces are not special in Go 1.19 except via skip)
    {
      std::string_view p = k.prefix;
      std::string_view v = value;
      while (!p.empty()) {
        if (p[0] == ' ') {
          if (!v.empty() && v[0] != ' ') return fail(k.prefix, value, "");
          while (!p.empty() && p[0] == ' ') p.remove_prefix(1);
          while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
          continue;
        }
        if (v.empty() || v[0] != p[0]) return fail(k.prefix, value, "");
        p.remove_prefix(1);
        v.remove_prefix(1);
      }
      value = v;
    }
    if (k.std == kNone) {
      if (!value.empty()) {
        return fail("", value, ": extra text: " + Quote(value));
      }
      break;
    }
    layout = k.suffix;
    std::string_view hold = value;
    bool ok = true;
    switch (k.std) {
      case kYear: {
        int y;
        if (value.size() < 2 || !GetNumN(value, 2, true, &y)) {
          ok = false;
          break;
        }
        year = y >= 69 ? y + 1900 : y + 2000;
        break;
      }
      case kLongYear: {
        if (value.size() < 4 || !IsDigitAt(value, 0)) {
          ok = false;
          break;
        }
        ok = GetNumN(value, 4, true, &year);
        break;
      }
      case kMonth:
        month = Lookup(value, kLongMonths, 12, 3) + 1;
        ok = month > 0;
        break;
      case kLongMonth:
        month = Lookup(value, kLongMonths, 12, 0) + 1;
        ok = month > 0;
        break;
      case kNumMonth:
      case kZeroMonth:
        ok = GetNum(value, k.std == kZeroMonth, &month);
        if (ok && (month <= 0 || month > 12)) range_err = "month";
        break;
      case kWeekDay:
        ok = Lookup(value, kLongDays, 7, 3) >= 0;
        break;
      case kLongWeekDay:
        ok = Lookup(value, kLongDays, 7, 0) >= 0;
        break;
      case kDay:
      case kUnderDay:
      case kZeroDay:
        if (k.std == kUnderDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = GetNum(value, k.std == kZeroDay, &day);
        break;
      case kUnderYearDay:
      case kZeroYearDay:
        while (k.std == kUnderYearDay && !value.empty() && value[0] == ' ') value.remove_prefix(1);
        ok = GetNumN(value, 3, k.std == kZeroYearDay, &yday);
        break;
      case kHour:
        ok = GetNum(value, false, &hour);
        if (ok && (hour < 0 || hour >= 24)) range_err = "hour";
        break;
      case kHour12:
      case kZeroHour12:
        ok = GetNum(value, k.std == kZeroHour12, &hour);
        if (ok && (hour < 0 || hour > 12)) range_err = "hour";
        break;
      case kMinute:
      case kZeroMinute:
        ok = GetNum(value, k.std == kZeroMinute, &min);
        if (ok && (min < 0 || min >= 60)) range_err = "minute";
        break;
      case kSecond:
      case kZeroSecond: {
        ok = GetNum(value, k.std == kZeroSecond, &sec);
        if (ok && (sec < 0 || sec >= 60)) {
          range_err = "second";
          break;
        }
        // A fractional second in the value is accepted even if the layout lacks one.
        if (ok && value.size() >= 2 && (value[0] == '.' || value[0] == ',') &&
            IsDigitAt(value, 1)) {
          Chunk nk = NextChunk(layout);
          if (nk.std == kFracSecond0 || nk.std == kFracSecond9) break;
          size_t n = 1;
          while (IsDigitAt(value, n)) ++n;
          std::string digits(value.substr(1, n - 1));
          digits.resize(9, '0');
          nsec = std::stoi(digits.substr(0, 9));
          value.remove_prefix(n);
        }
        break;
      }
      case kPM:
      case kpm:
        if (value.size() < 2) {
          ok = false;
          break;
        }
        if (value.substr(0, 2) == (k.std == kPM ? "PM" : "pm")) {
          pm_set = true;
        } else if (value.substr(0, 2) == (k.std == kPM ? "AM" : "am")) {
          am_set = true;
        } else {
          ok = false;
        }
        if (ok) value.remove_prefix(2);
        break;
      case kISO8601TZ:
      case kISO8601ColonTZ:
      case kISO8601SecondsTZ:
      case kISO8601ShortTZ:
      case kISO8601ColonSecondsTZ:
      case kNumTZ:
      case kNumShortTZ:
      case kNumColonTZ:
      case kNumSecondsTz:
      case kNumColonSecondsTZ: {
        bool iso = k.std == kISO8601TZ || k.std == kISO8601ColonTZ || k.std == kISO8601SecondsTZ ||
                   k.std == kISO8601ShortTZ || k.std == kISO8601ColonSecondsTZ;
        if (iso && !value.empty() && value[0] == 'Z') {
          value.remove_prefix(1);
          zone_offset = 0;
          zone_name = "UTC";
          break;
        }
        if (value.empty() || (value[0] != '+' && value[0] != '-')) {
          ok = false;
          break;
        }
        int sign = value[0] == '-' ? -1 : 1;
        value.remove_prefix(1);
        int hh = 0, mm = 0, ss = 0;
        bool colon = k.std == kISO8601ColonTZ || k.std == kNumColonTZ ||
                     k.std == kISO8601ColonSecondsTZ || k.std == kNumColonSecondsTZ;
        bool short_tz = k.std == kNumShortTZ || k.std == kISO8601ShortTZ;
        bool secs = k.std == kISO8601SecondsTZ || k.std == kNumSecondsTz ||
                    k.std == kNumColonSecondsTZ || k.std == kISO8601ColonSecondsTZ;
        ok = GetNumN(value, 2, true, &hh);
        if (ok && !short_tz) {
          if (colon) {
            ok = !value.empty() && value[0] == ':';
            if (ok) value.remove_prefix(1);
          }
          ok = ok && GetNumN(value, 2, true, &mm);
        }
        if (ok && secs) {
          if (colon) {
            ok = !value.empty() && value[0] == ':';
            if (ok) value.remove_prefix(1);
          }
          ok = ok && GetNumN(value, 2, true, &ss);
        }
        if (ok && (hh > 24 || mm > 60 || ss > 60)) range_err = "time zone offset";
        zone_offset = sign * (hh * 3600 + mm * 60 + ss);
        break;
      }
      case kTZ: {
        if (value.size() >= 3 && value.substr(0, 3) == "UTC") {
          zone_name = "UTC";
          zone_offset = 0;
          value.remove_prefix(3);
          break;
        }
        size_t n = 0;
        while (n < value.size() && value[n] >= 'A' && value[n] <= 'Z') ++n;
        if (n < 3) {
          ok = false;
          break;
        }
        zone_name = std::string(value.substr(0, n));
        value.remove_prefix(n);
        break;
      }
      case kFracSecond0:
      case kFracSecond9: {
        if (k.std == kFracSecond0) {
          size_t ndigit = 1 + k.frac_digits;
          if (value.size() < ndigit || (value[0] != '.' && value[0] != ',')) {
            ok = false;
            break;
          }
          for (size_t i = 1; i < ndigit; ++i)
            if (!IsDigitAt(value, i)) ok = false;
          if (!ok) break;
          std::string digits(value.substr(1, ndigit - 1));
          digits.resize(9, '0');
          nsec = std::stoi(digits.substr(0, 9));
          value.remove_prefix(ndigit);
        } else {
          if (value.size() < 2 || (value[0] != '.' && value[0] != ',') || !IsDigitAt(value, 1))
            break;
          size_t n = 1;
          while (n < 10 && IsDigitAt(value, n)) ++n;
          std::string digits(value.substr(1, n - 1));
          digits.resize(9, '0');
          nsec = std::stoi(digits);
          value.remove_prefix(n);
        }
        break;
      }
      case kNone:
        break;
    }
    if (!range_err.empty()) {
      return fail("", "", ": " + range_err + " out of range");
    }
    if (!ok) return fail(std_str, hold, "");
  }
  if (pm_set && hour < 12) hour += 12;
  if (am_set && hour == 12) hour = 0;
  if (yday >= 0) {
    // Day of year: derive month/day.
    int64_t base = CivilToUnix(year, 1, 1, 0, 0, 0) + int64_t{yday - 1} * 86400;
    GoTime tmp;
    tmp.sec = base;
    tmp.offset = 0;
    Civil cv = ToCivil(tmp);
    if (month >= 0 && month != cv.month) return fail("", "", ": day-of-year does not match month");
    month = cv.month;
    if (day >= 0 && day != cv.day) return fail("", "", ": day-of-year does not match day");
    day = cv.day;
  } else {
    if (month < 0) month = 1;
    if (day < 0) day = 1;
  }
  static const int kDaysIn[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int dim = kDaysIn[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > dim) return fail("", "", ": day out of range");
  GoTime t;
  t.sec = CivilToUnix(year, month, day, hour, min, sec);
  t.nsec = nsec;
  if (zone_offset != -1) {
    t.sec -= zone_offset;
    t.offset = zone_offset;
    // Offsets that are not UTC's are kept as a fixed zone without a name, like Go does when the
    // offset does not belong to the default location.
    t.zone = zone_offset == 0 ? "UTC" : "";
    if (!zone_name.empty() && zone_name != "UTC") t.zone = zone_name;
  } else if (!zone_name.empty()) {
    t.offset = 0;
    t.zone = zone_name;
  } else {
    t.offset = 0;
    t.zone = "UTC";
  }
  return t;
}

std::optional<GoTime> TimeIn(const GoTime& t, std::string_view name, std::string* err) {
  GoTime out = t;
  out.has_mono = t.has_mono;
  if (name.empty() || name == "UTC" || name == "Local") {
    out.offset = 0;
    out.zone = "UTC";
    return out;
  }
  try {
    const date::time_zone* tz = date::locate_zone(std::string(name));
    // Instants outside the zone database's range are shown in UTC rather than failing.
    auto tp = date::sys_seconds{std::chrono::seconds{t.sec}};
    auto info = tz->get_info(tp);
    out.offset = static_cast<int32_t>(info.offset.count());
    out.zone = info.abbrev;
    return out;
  } catch (const std::exception&) {
    if (err) *err = "unknown time zone " + std::string(name);
    return std::nullopt;
  }
}

namespace {
// Go's monotonic readings count from process start.
const auto kProcessStart = std::chrono::steady_clock::now();
}  // namespace

GoTime TimeNow() {
  const auto start = kProcessStart;
  auto now = std::chrono::system_clock::now();
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now.time_since_epoch()).count();
  GoTime t;
  t.sec = FloorDiv(ns, 1000000000);
  t.nsec = static_cast<int32_t>(ns - t.sec * 1000000000);
  t.offset = 0;
  t.zone = "UTC";
  t.has_mono = true;
  t.mono_ns =
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - start)
          .count();
  return t;
}

}  // namespace am::tmpl

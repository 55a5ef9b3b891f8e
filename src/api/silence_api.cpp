#include "api/silence_api.h"

#include "api/responses.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "api/alert_codec.h"
#include "api/http_server.h"
#include "api/json_writer.h"
#include "core/error.h"
#include "core/matcher.h"
#include "core/strings.h"
#include "core/timeutil.h"
#include "silence/store.h"
#include "silence/uuid.h"

namespace am::api {
namespace {

using silence::ApiStateAt;
using silence::MatcherSet;
using silence::Silence;
using silence::SilenceMatcher;
using silence::State;
using silence::StateName;
using silence::Store;
using silence::StoreError;
using Json = nlohmann::ordered_json;

constexpr const char* kJson = kJsonContentType;

// ---------------------------------------------------------------------------------------------
// Encoding silences.

bool IsRegex(MatchType t) { return t == MatchType::kRegexp || t == MatchType::kNotRegexp; }
bool IsEqual(MatchType t) { return t == MatchType::kEqual || t == MatchType::kRegexp; }

// The matchers the 0.25 API can show: the first (for API-made silences the only) set — what a
// 0.25 peer reads from the legacy field.
const MatcherSet& ShownMatchers(const Silence& s) {
  static const MatcherSet kNone;
  return s.matcher_sets.empty() ? kNone : s.matcher_sets.front();
}

// gettableSilence as 0.25's go-swagger writes it: id, status, updatedAt, then the silence's
// properties in alphabetical order (annotations only when set: a 0.32+ field).
void AppendV2Silence(std::string* out, const Silence& s, Time now) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("id");
  w.String(s.id);
  w.Key("status");
  w.BeginObject();
  w.Key("state");
  w.String(StateName(ApiStateAt(s, now)));
  w.EndObject();
  w.Key("updatedAt");
  w.String(FormatRFC3339Millis(s.updated_at));
  if (!s.annotations.empty()) {
    w.Key("annotations");
    w.BeginObject();
    for (const auto& [k, v] : s.annotations) {
      w.Key(k);
      w.String(v);
    }
    w.EndObject();
  }
  w.Key("comment");
  w.String(s.comment);
  w.Key("createdBy");
  w.String(s.created_by);
  w.Key("endsAt");
  w.String(FormatRFC3339Millis(s.ends_at));
  w.Key("matchers");
  w.BeginArray();
  for (const auto& m : ShownMatchers(s)) {
    w.BeginObject();
    w.Key("isEqual");
    w.Bool(IsEqual(m.type));
    w.Key("isRegex");
    w.Bool(IsRegex(m.type));
    w.Key("name");
    w.String(m.name);
    w.Key("value");
    w.String(m.pattern);
    w.EndObject();
  }
  w.EndArray();
  w.Key("startsAt");
  w.String(FormatRFC3339Millis(s.starts_at));
  w.EndObject();
}

// types.Silence as 0.25's v1 API marshals it (encoding/json, struct field order, RFC 3339 with
// nanoseconds, comment omitted when empty).
void AppendV1Silence(std::string* out, const Silence& s, Time now) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("id");
  w.String(s.id);
  w.Key("matchers");
  w.BeginArray();
  for (const auto& m : ShownMatchers(s)) {
    w.BeginObject();
    w.Key("name");
    w.String(m.name);
    w.Key("value");
    w.String(m.pattern);
    w.Key("isRegex");
    w.Bool(IsRegex(m.type));
    w.Key("isEqual");
    w.Bool(IsEqual(m.type));
    w.EndObject();
  }
  w.EndArray();
  w.Key("startsAt");
  w.String(FormatRFC3339Nano(s.starts_at));
  w.Key("endsAt");
  w.String(FormatRFC3339Nano(s.ends_at));
  w.Key("updatedAt");
  w.String(FormatRFC3339Nano(s.updated_at));
  w.Key("createdBy");
  w.String(s.created_by);
  if (!s.comment.empty()) {
    w.Key("comment");
    w.String(s.comment);
  }
  w.Key("status");
  w.BeginObject();
  w.Key("state");
  w.String(StateName(ApiStateAt(s, now)));
  w.EndObject();
  w.EndObject();
}

// Upstream's order: active (soonest end first), pending (soonest start first), expired (latest
// end first). Ties, which Go leaves to chance, are broken by id.
void SortForApi(std::vector<Silence>* sils, Time now) {
  auto rank = [](State s) {
    switch (s) {
      case State::kActive:
        return 0;
      case State::kPending:
        return 1;
      case State::kExpired:
        return 2;
    }
    return 3;
  };
  std::vector<std::pair<State, Silence*>> keyed;
  keyed.reserve(sils->size());
  for (auto& s : *sils) keyed.emplace_back(ApiStateAt(s, now), &s);
  std::sort(keyed.begin(), keyed.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return rank(a.first) < rank(b.first);
    const Silence& x = *a.second;
    const Silence& y = *b.second;
    switch (a.first) {
      case State::kActive:
        if (x.ends_at != y.ends_at) return x.ends_at < y.ends_at;
        break;
      case State::kPending:
        if (x.starts_at != y.starts_at) return x.starts_at < y.starts_at;
        break;
      case State::kExpired:
        if (x.ends_at != y.ends_at) return x.ends_at > y.ends_at;
        break;
    }
    return x.id < y.id;
  });
  std::vector<Silence> out;
  out.reserve(sils->size());
  for (auto& [st, s] : keyed) out.push_back(std::move(*s));
  *sils = std::move(out);
}

// ---------------------------------------------------------------------------------------------
// Go-compatible decoding details.

// encoding/json's name for a JSON value's kind in "cannot unmarshal X into ..." errors.
const char* GoJsonKind(const Json& v) {
  switch (v.type()) {
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::array:
      return "array";
    case Json::value_t::object:
      return "object";
    case Json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

bool EqualFoldAscii(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

// encoding/json matches object keys to struct fields case-insensitively; with repeated keys the
// last one wins. Returns nullptr when absent.
const Json* Field(const Json& obj, std::string_view name) {
  const Json* found = nullptr;
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    if (EqualFoldAscii(it.key(), name)) found = &it.value();
  }
  return found;
}

// encoding/json's quoteChar for syntax error messages.
std::string GoQuoteChar(unsigned char c) {
  if (c == '\'') return "'\\''";
  if (c == '"') return "'\"'";
  std::string utf8;
  AppendUtf8Rune(&utf8, c);
  std::string q = GoQuote(utf8);
  return "'" + q.substr(1, q.size() - 2) + "'";
}

// Scans the first JSON value of `s` with the states of Go's encoding/json scanner, so that a
// malformed body gets Go's json.Decoder message ("invalid character 'x' after object key",
// "unexpected EOF", "EOF"). Returns true if the first value is well-formed.
bool GoJsonSyntax(std::string_view s, std::string* err) {
  enum Ctx { kObjKey, kObjValue, kArrValue };
  std::vector<Ctx> stack;
  size_t i = 0;
  auto ws = [&] {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n')) ++i;
  };
  auto fail = [&](const std::string& context) {
    if (i >= s.size()) {
      *err = "unexpected EOF";
    } else {
      *err = "invalid character " + GoQuoteChar(static_cast<unsigned char>(s[i])) + " " + context;
    }
    return false;
  };
  auto digit = [&](size_t k) { return k < s.size() && s[k] >= '0' && s[k] <= '9'; };
  ws();
  if (i >= s.size()) {
    *err = "EOF";
    return false;
  }
  for (;;) {
    // Begin a value.
    ws();
    if (i >= s.size()) return fail("");
    char c = s[i];
    if (c == '{') {
      ++i;
      ws();
      if (i < s.size() && s[i] == '}') {
        ++i;
      } else {
        if (i >= s.size() || s[i] != '"') return fail("looking for beginning of object key string");
        stack.push_back(kObjKey);
        continue;  // the key is scanned as a string value below
      }
    } else if (c == '[') {
      ++i;
      ws();
      if (i < s.size() && s[i] == ']') {
        ++i;
      } else {
        stack.push_back(kArrValue);
        continue;
      }
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= s.size()) return fail("");
        unsigned char d = static_cast<unsigned char>(s[i]);
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\') {
          ++i;
          if (i >= s.size()) return fail("");
          char e = s[i];
          if (e == 'u') {
            ++i;
            for (int k = 0; k < 4; ++k, ++i) {
              if (i >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i]))) {
                return fail("in \\u hexadecimal character escape");
              }
            }
            continue;
          }
          if (std::string_view("bfnrt\\/\"").find(e) == std::string_view::npos) {
            return fail("in string escape code");
          }
          ++i;
          continue;
        }
        if (d < 0x20) return fail("in string literal");
        ++i;
      }
    } else if (c == '-' || (c >= '0' && c <= '9')) {
      if (c == '-') {
        ++i;
        if (!digit(i)) return fail("in numeric literal");
      }
      if (s[i] == '0') {
        ++i;
      } else {
        while (digit(i)) ++i;
      }
      if (i < s.size() && s[i] == '.') {
        ++i;
        if (!digit(i)) return fail("after decimal point in numeric literal");
        while (digit(i)) ++i;
      }
      if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digit(i)) return fail("in exponent of numeric literal");
        while (digit(i)) ++i;
      }
      // A number ends where the input ends: complete at the top level.
    } else if (c == 't' || c == 'f' || c == 'n') {
      std::string_view word = c == 't' ? "true" : c == 'f' ? "false" : "null";
      ++i;
      for (size_t k = 1; k < word.size(); ++k, ++i) {
        if (i >= s.size() || s[i] != word[k]) {
          return fail("in literal " + std::string(word) + " (expecting " +
                      GoQuoteChar(static_cast<unsigned char>(word[k])) + ")");
        }
      }
    } else {
      return fail("looking for beginning of value");
    }
    // End of a value: climb out of finished containers.
    for (;;) {
      if (stack.empty()) return true;
      ws();
      if (i >= s.size()) return fail("");
      char d = s[i];
      Ctx& top = stack.back();
      if (top == kObjKey) {
        if (d != ':') return fail("after object key");
        ++i;
        top = kObjValue;
        break;
      }
      if (top == kObjValue) {
        if (d == ',') {
          ++i;
          ws();
          if (i >= s.size() || s[i] != '"')
            return fail("looking for beginning of object key string");
          top = kObjKey;
          break;
        }
        if (d != '}') return fail("after object key:value pair");
        ++i;
        stack.pop_back();
        continue;
      }
      if (d == ',') {
        ++i;
        break;
      }
      if (d != ']') return fail("after array element");
      ++i;
      stack.pop_back();
    }
    if (stack.size() > 10000) {
      *err = "exceeded max depth";
      return false;
    }
  }
}

// Parses the first JSON value of `body` as a Go json.Decoder does (trailing bytes ignored). On a
// syntax error returns false with Go's message in *err.
bool DecodeFirstValue(std::string_view body, Json* out, std::string* err) {
  if (!GoJsonSyntax(body, err)) return false;
  std::string s(body);
  std::istringstream in(s);
  try {
    in >> *out;
    return true;
  } catch (const Json::exception& e) {
    // Well-formed for Go but not for nlohmann (invalid UTF-8 in a string, say).
    *err = e.what();
    return false;
  }
}

// A tiny subset of Go's time.Parse, used only to produce its error messages for the layouts
// that decide upstream's message: go-openapi's last DateTime layout "2006-01-02 15:04:05" and
// time.Time's JSON layout "\"2006-01-02T15:04:05Z07:00\"".
std::string GoTimeParseError(std::string_view value, bool json_rfc3339) {
  enum Kind { kLit, kYear, kMonth, kDay, kHour, kMinute, kSecond, kZone };
  struct Elem {
    Kind kind;
    std::string_view text;
  };
  static const Elem kSwagger[] = {{kYear, "2006"}, {kLit, "-"}, {kMonth, "01"}, {kLit, "-"},
                                  {kDay, "02"},    {kLit, " "}, {kHour, "15"},  {kLit, ":"},
                                  {kMinute, "04"}, {kLit, ":"}, {kSecond, "05"}};
  static const Elem kRfc[] = {{kLit, "\""},      {kYear, "2006"}, {kLit, "-"}, {kMonth, "01"},
                              {kLit, "-"},       {kDay, "02"},    {kLit, "T"}, {kHour, "15"},
                              {kLit, ":"},       {kMinute, "04"}, {kLit, ":"}, {kSecond, "05"},
                              {kZone, "Z07:00"}, {kLit, "\""}};
  const std::string layout = json_rfc3339 ? "\"2006-01-02T15:04:05Z07:00\"" : "2006-01-02 15:04:05";
  auto cannot = [&](std::string_view rest, std::string_view elem) {
    return "parsing time " + GoQuote(value) + " as " + GoQuote(layout) + ": cannot parse " +
           GoQuote(rest) + " as " + GoQuote(elem);
  };
  auto range = [&](const char* what) {
    return "parsing time " + GoQuote(value) + ": " + what + " out of range";
  };
  auto digits = [](std::string_view v, size_t n, int* out) {
    if (v.size() < n) return false;
    int x = 0;
    for (size_t i = 0; i < n; ++i) {
      if (!std::isdigit(static_cast<unsigned char>(v[i]))) return false;
      x = x * 10 + (v[i] - '0');
    }
    *out = x;
    return true;
  };
  std::string_view v = value;
  int year = 0, month = 0, day = 0;
  const Elem* begin = json_rfc3339 ? std::begin(kRfc) : std::begin(kSwagger);
  const Elem* end = json_rfc3339 ? std::end(kRfc) : std::end(kSwagger);
  for (const Elem* e = begin; e != end; ++e) {
    int n = 0;
    switch (e->kind) {
      case kLit:
        if (e->text == " ") {
          // Go's skip(): a layout space matches any run of spaces, even none at the end.
          if (!v.empty() && v[0] != ' ') return cannot(v, e->text);
          while (!v.empty() && v[0] == ' ') v.remove_prefix(1);
          break;
        }
        if (v.substr(0, e->text.size()) != e->text) return cannot(v, e->text);
        v.remove_prefix(e->text.size());
        break;
      case kYear:
        if (!digits(v, 4, &year)) return cannot(v, e->text);
        v.remove_prefix(4);
        break;
      case kMonth:
        if (!digits(v, 2, &month)) return cannot(v, e->text);
        if (month < 1 || month > 12) return range("month");
        v.remove_prefix(2);
        break;
      case kDay:
        if (!digits(v, 2, &day)) return cannot(v, e->text);
        v.remove_prefix(2);
        break;
      case kHour:  // one or two digits
        if (digits(v, 2, &n)) {
          v.remove_prefix(2);
        } else if (digits(v, 1, &n)) {
          v.remove_prefix(1);
        } else {
          return cannot(v, e->text);
        }
        if (n > 23) return range("hour");
        break;
      case kMinute:
      case kSecond:
        if (!digits(v, 2, &n)) return cannot(v, e->text);
        if (n > 59) return range(e->kind == kMinute ? "minute" : "second");
        v.remove_prefix(2);
        if (e->kind == kSecond && v.size() >= 2 && (v[0] == '.' || v[0] == ',') &&
            std::isdigit(static_cast<unsigned char>(v[1]))) {
          size_t i = 1;
          while (i < v.size() && std::isdigit(static_cast<unsigned char>(v[i]))) ++i;
          v.remove_prefix(i);
        }
        break;
      case kZone:
        if (!v.empty() && v[0] == 'Z') {
          v.remove_prefix(1);
        } else if (v.size() >= 6 && (v[0] == '+' || v[0] == '-') && v[3] == ':' &&
                   digits(v.substr(1), 2, &n) && digits(v.substr(4), 2, &n)) {
          v.remove_prefix(6);
        } else {
          return cannot(v, e->text);
        }
        break;
    }
  }
  if (!v.empty()) return "parsing time " + GoQuote(value) + ": extra text: " + GoQuote(v);
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  int dim = kDays[month - 1] + (month == 2 && leap ? 1 : 0);
  if (day < 1 || day > dim) return range("day");
  return "parsing time " + GoQuote(value) + ": cannot parse";  // not reached for our callers
}

// go-openapi strfmt.ParseDateTime: RFC 3339 in its variants, plus "2006-01-02T15:04:05",
// "2006-01-02T15:04Z", "2006-01-02T15:04" and "2006-01-02 15:04:05" (zone-less ones are UTC);
// "" is the Unix epoch.
std::optional<Time> ParseSwaggerDateTime(std::string_view s) {
  if (s.empty()) return Time(std::chrono::nanoseconds(0));
  if (auto t = ParseRFC3339(s)) return t;
  // Rewrite the other accepted forms into RFC 3339.
  if (s.size() < 16 || (s[10] != 'T' && s[10] != ' ')) return std::nullopt;
  std::string r(s);
  r[10] = 'T';
  std::string_view rest = std::string_view(r).substr(16);  // after "YYYY-MM-DDTHH:MM"
  bool has_seconds = !rest.empty() && rest[0] == ':';
  if (s[10] == ' ') {
    if (!has_seconds) return std::nullopt;
    return ParseRFC3339(r + "Z");
  }
  if (!has_seconds) {
    if (rest.empty()) return ParseRFC3339(r + ":00Z");
    if (rest == "Z") return ParseRFC3339(r.substr(0, 16) + ":00Z");
    return std::nullopt;
  }
  // Zone-less with seconds, or a ±hhmm offset.
  size_t zone = r.find_first_of("Zz+-", 19);
  if (zone == std::string::npos) return ParseRFC3339(r + "Z");
  if (r[zone] == '+' || r[zone] == '-') {
    std::string_view off = std::string_view(r).substr(zone + 1);
    if (off.size() == 4 && std::all_of(off.begin(), off.end(), ::isdigit)) {
      return ParseRFC3339(r.substr(0, zone + 3) + ":" + r.substr(zone + 3));
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------------------------
// POST /api/v2/silences body (postableSilence), decoded as go-swagger does.

struct DecodeOutcome {
  int status = 200;  // 200 ok, 400 (JSON/type error), 422 (schema)
  int code = 0;      // go-swagger code for 400/422
  std::string message;
};

struct PostableMatcher {
  bool null = false;
  std::optional<std::string> name, value;
  std::optional<bool> is_regex, is_equal;
};

struct PostableSilence {
  std::string id;
  std::optional<std::string> comment, created_by;
  std::optional<Time> starts_at, ends_at;
  std::optional<std::vector<PostableMatcher>> matchers;
};

DecodeOutcome BadJson(const std::string& why) {
  return {400, 400, "parsing silence body from \"\" failed, because " + why};
}

DecodeOutcome DecodePostableSilence(std::string_view body, PostableSilence* out) {
  if (body.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return {422, 602, "silence in body is required"};
  }
  Json j;
  std::string err;
  if (!DecodeFirstValue(body, &j, &err)) return BadJson(err);
  if (j.is_null()) j = Json::object();
  if (!j.is_object()) {
    return BadJson(std::string("json: cannot unmarshal ") + GoJsonKind(j) +
                   " into Go value of type struct { ID string \"json:\\\"id,omitempty\\\"\" }");
  }
  // First half of the composition: the id.
  if (const Json* id = Field(j, "id"); id && !id->is_null()) {
    if (!id->is_string()) {
      return BadJson(std::string("json: cannot unmarshal ") + GoJsonKind(*id) +
                     " into Go struct field .id of type string");
    }
    out->id = id->get<std::string>();
  }
  // Second half: the silence. Type errors are remembered (the first one is reported), time
  // parse errors abort at once, as in encoding/json.
  std::string type_error;
  auto type_err = [&](const Json& v, const std::string& where, const char* type) {
    if (type_error.empty()) {
      type_error = std::string("json: cannot unmarshal ") + GoJsonKind(v) +
                   " into Go struct field " + where + " of type " + type;
    }
  };
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& key = it.key();
    const Json& v = it.value();
    auto str_field = [&](const char* name, std::optional<std::string>* dst) {
      if (v.is_null()) {
        dst->reset();
      } else if (v.is_string()) {
        *dst = v.get<std::string>();
      } else {
        type_err(v, std::string("Silence.") + name, "string");
      }
    };
    if (EqualFoldAscii(key, "comment")) {
      str_field("comment", &out->comment);
    } else if (EqualFoldAscii(key, "createdBy")) {
      str_field("createdBy", &out->created_by);
    } else if (EqualFoldAscii(key, "startsAt") || EqualFoldAscii(key, "endsAt")) {
      bool start = EqualFoldAscii(key, "startsAt");
      auto& dst = start ? out->starts_at : out->ends_at;
      if (v.is_null()) {
        dst.reset();
      } else if (!v.is_string()) {
        // DateTime.UnmarshalJSON fails, which stops the decoder at once.
        return BadJson(std::string("json: cannot unmarshal ") + GoJsonKind(v) +
                       " into Go struct field " + (start ? "Silence.startsAt" : "Silence.endsAt") +
                       " of type string");
      } else {
        std::string s = v.get<std::string>();
        auto t = ParseSwaggerDateTime(s);
        if (!t) return BadJson(GoTimeParseError(s, false));
        dst = *t;
      }
    } else if (EqualFoldAscii(key, "matchers")) {
      if (v.is_null()) {
        out->matchers.reset();
        continue;
      }
      if (!v.is_array()) {
        type_err(v, "Silence.matchers", "models.Matchers");
        continue;
      }
      std::vector<PostableMatcher> ms;
      for (const Json& jm : v) {
        PostableMatcher pm;
        if (jm.is_null()) {
          pm.null = true;
        } else if (!jm.is_object()) {
          type_err(jm, "Silence.matchers", "models.Matcher");
        } else {
          for (auto mit = jm.begin(); mit != jm.end(); ++mit) {
            const Json& mv = mit.value();
            auto bool_field = [&](const char* name, std::optional<bool>* dst) {
              if (mv.is_null()) {
                dst->reset();
              } else if (mv.is_boolean()) {
                *dst = mv.get<bool>();
              } else {
                type_err(mv, std::string("Matcher.matchers.") + name, "bool");
              }
            };
            auto string_field = [&](const char* name, std::optional<std::string>* dst) {
              if (mv.is_null()) {
                dst->reset();
              } else if (mv.is_string()) {
                *dst = mv.get<std::string>();
              } else {
                type_err(mv, std::string("Matcher.matchers.") + name, "string");
              }
            };
            if (EqualFoldAscii(mit.key(), "name")) {
              string_field("name", &pm.name);
            } else if (EqualFoldAscii(mit.key(), "value")) {
              string_field("value", &pm.value);
            } else if (EqualFoldAscii(mit.key(), "isRegex")) {
              bool_field("isRegex", &pm.is_regex);
            } else if (EqualFoldAscii(mit.key(), "isEqual")) {
              bool_field("isEqual", &pm.is_equal);
            }
          }
        }
        ms.push_back(std::move(pm));
      }
      out->matchers = std::move(ms);
    }
  }
  if (!type_error.empty()) return BadJson(type_error);
  // Schema validation, first failure only, in go-swagger's order.
  if (!out->comment) return {422, 602, "comment in body is required"};
  if (!out->created_by) return {422, 602, "createdBy in body is required"};
  if (!out->ends_at) return {422, 602, "endsAt in body is required"};
  if (!out->matchers) return {422, 602, "matchers in body is required"};
  if (out->matchers->empty()) return {422, 612, "matchers in body should have at least 1 items"};
  for (size_t i = 0; i < out->matchers->size(); ++i) {
    const PostableMatcher& m = (*out->matchers)[i];
    std::string at = "matchers." + std::to_string(i);
    // Upstream skips null items here and then crashes converting them; refuse them instead.
    if (m.null) return {422, 602, at + " in body is required"};
    if (!m.is_regex) return {422, 602, at + ".isRegex in body is required"};
    if (!m.name) return {422, 602, at + ".name in body is required"};
    if (!m.value) return {422, 602, at + ".value in body is required"};
  }
  if (!out->starts_at) return {422, 602, "startsAt in body is required"};
  return {};
}

MatchType ToMatchType(bool is_equal, bool is_regex) {
  if (is_regex) return is_equal ? MatchType::kRegexp : MatchType::kNotRegexp;
  return is_equal ? MatchType::kEqual : MatchType::kNotEqual;
}

bool IsJsonMediaType(std::string_view ct) {
  auto semi = ct.find(';');
  std::string_view base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  while (!base.empty() && base.front() == ' ') base.remove_prefix(1);
  return EqualFoldAscii(base, "application/json");
}

// ---------------------------------------------------------------------------------------------
// Handlers.

class SilenceApi {
 public:
  explicit SilenceApi(Store& store) : store_(store) {}

  void GetSilencesV2(const Request& req, Response& res) {
    silence::SilenceQuery q;
    for (const auto& f : req.QueryAll("filter")) {
      try {
        q.filter.push_back(ParseMatcher(f, DefaultParseMode()));
      } catch (const ParseError& e) {
        JsonStringError(res, 400, e.what());
        return;
      }
    }
    bool active = true, pending = true, expired = true;
    if (auto v = req.QueryFirst("active")) active = SwagBool(*v);
    if (auto v = req.QueryFirst("pending")) pending = SwagBool(*v);
    if (auto v = req.QueryFirst("expired")) expired = SwagBool(*v);
    if (!(active && pending && expired)) {
      if (active) q.states.push_back(State::kActive);
      if (pending) q.states.push_back(State::kPending);
      if (expired) q.states.push_back(State::kExpired);
      if (q.states.empty()) {
        Reply(res, "[]\n");
        return;
      }
    }
    std::vector<Silence> sils = store_.Query(q);
    const Time now = store_.Now();
    SortForApi(&sils, now);
    std::string out;
    out.reserve(256 * sils.size() + 3);
    out.push_back('[');
    for (size_t i = 0; i < sils.size(); ++i) {
      if (i) out.push_back(',');
      AppendV2Silence(&out, sils[i], now);
    }
    out += "]\n";
    Reply(res, std::move(out));
  }

  void PostSilencesV2(const Request& req, Response& res) {
    std::string_view ct = req.Header("content-type");
    if (!IsJsonMediaType(ct)) {
      // go-swagger names a missing Content-Type as the default it assumes.
      std::string shown = ct.empty() ? "application/octet-stream" : std::string(ct);
      JsonCodeError(
          res, 415, 415,
          "unsupported media type " + GoQuote(shown) + ", only [application/json] are allowed");
      return;
    }
    PostableSilence ps;
    DecodeOutcome d = DecodePostableSilence(req.body, &ps);
    if (d.status != 200) {
      JsonCodeError(res, d.status, d.code, d.message);
      return;
    }
    Silence s;
    s.id = ps.id;
    s.starts_at = *ps.starts_at;
    s.ends_at = *ps.ends_at;
    s.comment = *ps.comment;
    s.created_by = *ps.created_by;
    MatcherSet& set = s.matcher_sets.emplace_back();
    for (const auto& pm : *ps.matchers) {
      set.push_back({ToMatchType(pm.is_equal.value_or(true), *pm.is_regex), *pm.name, *pm.value});
    }
    if (!(s.starts_at < s.ends_at)) {
      JsonStringError(res, 400, "Failed to create silence: start time must be before end time");
      return;
    }
    if (s.ends_at < Now()) {
      JsonStringError(res, 400, "Failed to create silence: end time can't be in the past");
      return;
    }
    std::string id;
    try {
      id = store_.Set(std::move(s));
    } catch (const StoreError& e) {
      int status = e.kind() == StoreError::Kind::kNotFound  ? 404
                   : e.kind() == StoreError::Kind::kStorage ? 500
                                                            : 400;
      JsonStringError(res, status, e.what());
      return;
    }
    std::string out = "{\"silenceID\":";
    JsonWriter::AppendString(&out, id);
    out += "}\n";
    Reply(res, std::move(out));
  }

  // Returns false (and answers 422) for a path parameter go-swagger would refuse.
  bool CheckUuid(const std::string& id, Response& res) {
    if (silence::IsSwaggerUuid(id)) return true;
    JsonCodeError(res, 422, 601, "silenceID in path must be of type uuid: " + GoQuote(id));
    return false;
  }

  void GetSilenceV2(const Request& req, Response& res) {
    const std::string& id = req.params.at("silenceID");
    if (!CheckUuid(id, res)) return;
    auto s = store_.Get(id);
    if (!s) {
      V2Headers(res);
      res.status = 404;
      return;
    }
    std::string out;
    AppendV2Silence(&out, *s, store_.Now());
    out.push_back('\n');
    Reply(res, std::move(out));
  }

  void DeleteSilenceV2(const Request& req, Response& res) {
    const std::string& id = req.params.at("silenceID");
    if (!CheckUuid(id, res)) return;
    try {
      store_.Expire(id);
    } catch (const StoreError& e) {
      if (e.kind() == StoreError::Kind::kNotFound) {
        V2Headers(res);
        res.status = 404;
        return;
      }
      JsonStringError(res, 500, e.what());
      return;
    }
    V2Headers(res);
  }

  void GetSilencesV1(const Request& req, Response& res) {
    Matchers filter;
    if (auto f = req.QueryFirst("filter"); f && !f->empty()) {
      try {
        filter = ParseMatchers(*f, DefaultParseMode());
      } catch (const ParseError& e) {
        V1Error(res, 400, "bad_data", e.what());
        return;
      }
    }
    std::vector<Silence> sils = store_.Query({});
    std::erase_if(sils, [&](const Silence& s) { return !V1FilterMatches(s, filter); });
    const Time now = store_.Now();
    SortForApi(&sils, now);
    std::string data = "[";
    for (size_t i = 0; i < sils.size(); ++i) {
      if (i) data.push_back(',');
      AppendV1Silence(&data, sils[i], now);
    }
    data += "]";
    V1Success(res, data);
  }

  void PostSilencesV1(const Request& req, Response& res) {
    Silence s;
    std::string err;
    if (!DecodeV1Silence(req.body, &s, &err)) {
      V1Error(res, 400, "bad_data", err);
      return;
    }
    if (s.starts_at == s.ends_at) {
      V1Error(res, 400, "bad_data", "start time must not be equal to end time");
      return;
    }
    if (s.ends_at < Now()) {
      V1Error(res, 400, "bad_data", "end time can't be in the past");
      return;
    }
    std::string id;
    try {
      id = store_.Set(std::move(s));
    } catch (const StoreError& e) {
      if (e.kind() == StoreError::Kind::kStorage) {
        V1Error(res, 500, "server_error", e.what());
      } else {
        V1Error(res, 400, "bad_data", e.what());
      }
      return;
    }
    std::string data = "{\"silenceId\":";
    JsonWriter::AppendString(&data, id);
    data += "}";
    V1Success(res, data);
  }

  void GetSilenceV1(const Request& req, Response& res) {
    auto s = store_.Get(req.params.at("sid"));
    if (!s) {
      // http.Error: plain text with a newline; the error is nil when the query found nothing.
      V1Headers(res);
      res.status = 404;
      res.content_type = "text/plain; charset=utf-8";
      res.headers.emplace_back("X-Content-Type-Options", "nosniff");
      res.body = "Error getting silence: <nil>\n";
      return;
    }
    std::string data;
    AppendV1Silence(&data, *s, store_.Now());
    V1Success(res, data);
  }

  void DeleteSilenceV1(const Request& req, Response& res) {
    try {
      store_.Expire(req.params.at("sid"));
    } catch (const StoreError& e) {
      if (e.kind() == StoreError::Kind::kStorage) {
        V1Error(res, 500, "server_error", e.what());
      } else {
        V1Error(res, 400, "bad_data", e.what());
      }
      return;
    }
    V1Success(res, "");
  }

 private:
  Time Now() const { return store_.Now(); }

  static void Reply(Response& res, std::string body) {
    V2Headers(res);
    res.status = 200;
    res.content_type = kJson;
    res.body = std::move(body);
  }

  // v1's silenceMatchesFilterLabels: the silence's matchers as a name → value map; an empty
  // filter value means "label absent" (= / =~) or "label present" (!= / !~).
  static bool V1FilterMatches(const Silence& s, const Matchers& filter) {
    std::map<std::string, std::string, std::less<>> sms;
    for (const auto& m : ShownMatchers(s)) sms[m.name] = m.pattern;
    for (const auto& f : filter) {
      auto it = sms.find(f.name());
      bool present = it != sms.end();
      std::string_view v = present ? std::string_view(it->second) : std::string_view();
      bool negative = f.type() == MatchType::kNotEqual || f.type() == MatchType::kNotRegexp;
      if (f.value().empty() && present == negative) continue;
      if (!f.Matches(v)) return false;
    }
    return true;
  }

  // types.Silence decoded by encoding/json (0.25's v1 POST body).
  static bool DecodeV1Silence(std::string_view body, Silence* s, std::string* err) {
    Json j;
    if (!DecodeFirstValue(body, &j, err)) return false;
    if (j.is_null()) j = Json::object();
    if (!j.is_object()) {
      *err = std::string("json: cannot unmarshal ") + GoJsonKind(j) +
             " into Go value of type types.Silence";
      return false;
    }
    std::string type_error;
    auto type_err = [&](const Json& v, const std::string& where, const char* type) {
      if (type_error.empty()) {
        type_error = std::string("json: cannot unmarshal ") + GoJsonKind(v) +
                     " into Go struct field " + where + " of type " + type;
      }
    };
    auto time_field = [&](const Json& v, Time* dst) -> bool {
      if (v.is_null()) return true;
      std::string raw = v.is_string() ? "\"" + v.get<std::string>() + "\"" : v.dump();
      std::optional<Time> t;
      if (v.is_string()) t = ParseRFC3339(v.get<std::string>());
      if (!t) {
        *err = GoTimeParseError(raw, true);
        return false;
      }
      *dst = *t;
      return true;
    };
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& key = it.key();
      const Json& v = it.value();
      auto str = [&](const char* name, std::string* dst) {
        if (v.is_null()) return;
        if (v.is_string()) {
          *dst = v.get<std::string>();
        } else {
          type_err(v, std::string("Silence.") + name, "string");
        }
      };
      if (EqualFoldAscii(key, "id")) {
        str("id", &s->id);
      } else if (EqualFoldAscii(key, "createdBy")) {
        str("createdBy", &s->created_by);
      } else if (EqualFoldAscii(key, "comment")) {
        str("comment", &s->comment);
      } else if (EqualFoldAscii(key, "startsAt")) {
        if (!time_field(v, &s->starts_at)) return false;
      } else if (EqualFoldAscii(key, "endsAt")) {
        if (!time_field(v, &s->ends_at)) return false;
      } else if (EqualFoldAscii(key, "updatedAt")) {
        Time ignored;
        if (!time_field(v, &ignored)) return false;
      } else if (EqualFoldAscii(key, "matchers")) {
        if (v.is_null()) {
          s->matcher_sets.clear();
          continue;
        }
        if (!v.is_array()) {
          type_err(v, "Silence.matchers", "labels.Matchers");
          continue;
        }
        MatcherSet set;
        for (const Json& jm : v) {
          if (jm.is_null()) {
            // A nil *Matcher: upstream crashes on it later; refuse it.
            *err = "invalid matcher: null";
            return false;
          }
          if (!jm.is_object()) {
            *err = std::string("json: cannot unmarshal ") + GoJsonKind(jm) +
                   " into Go struct field Silence.matchers of type labels.apiV1Matcher";
            return false;
          }
          std::string name, value;
          bool is_regex = false, is_equal = true;
          for (auto mit = jm.begin(); mit != jm.end(); ++mit) {
            const Json& mv = mit.value();
            // Matcher.UnmarshalJSON's error, with the outer field as Go reports it.
            auto bad = [&](const char*, const char* type) {
              *err = std::string("json: cannot unmarshal ") + GoJsonKind(mv) +
                     " into Go struct field Silence.matchers of type " + type;
              return false;
            };
            if (mv.is_null()) continue;
            if (EqualFoldAscii(mit.key(), "name")) {
              if (!mv.is_string()) return bad("name", "string");
              name = mv.get<std::string>();
            } else if (EqualFoldAscii(mit.key(), "value")) {
              if (!mv.is_string()) return bad("value", "string");
              value = mv.get<std::string>();
            } else if (EqualFoldAscii(mit.key(), "isRegex")) {
              if (!mv.is_boolean()) return bad("isRegex", "bool");
              is_regex = mv.get<bool>();
            } else if (EqualFoldAscii(mit.key(), "isEqual")) {
              if (!mv.is_boolean()) return bad("isEqual", "bool");
              is_equal = mv.get<bool>();
            }
          }
          MatchType t = ToMatchType(is_equal, is_regex);
          // labels.NewMatcher compiles the anchored regex while decoding.
          try {
            Matcher::Create(t, name, value);
          } catch (const ParseError& e) {
            *err = e.what();
            return false;
          }
          set.push_back({t, std::move(name), std::move(value)});
        }
        s->matcher_sets.clear();
        s->matcher_sets.push_back(std::move(set));
      }
    }
    if (!type_error.empty()) {
      *err = type_error;
      return false;
    }
    return true;
  }

  Store& store_;
};

}  // namespace

void RegisterSilenceRoutes(HttpServer& server, Store& store, SilenceApiOptions options) {
  auto api = std::make_shared<SilenceApi>(store);
  server.Handle("GET", "/api/v2/silences", "/api/v2/silences",
                [api](const Request& q, Response& r) { api->GetSilencesV2(q, r); });
  server.HandleBlocking("POST", "/api/v2/silences", "/api/v2/silences",
                        [api](const Request& q, Response& r) { api->PostSilencesV2(q, r); });
  server.Handle("GET", "/api/v2/silence/{silenceID}", "/api/v2/silence/{silenceID}",
                [api](const Request& q, Response& r) { api->GetSilenceV2(q, r); });
  server.HandleBlocking("DELETE", "/api/v2/silence/{silenceID}", "/api/v2/silence/{silenceID}",
                        [api](const Request& q, Response& r) { api->DeleteSilenceV2(q, r); });
  if (!options.v1) return;
  server.Handle("GET", "/api/v1/silences", "/api/v1/silences",
                [api](const Request& q, Response& r) { api->GetSilencesV1(q, r); });
  server.HandleBlocking("POST", "/api/v1/silences", "/api/v1/silences",
                        [api](const Request& q, Response& r) { api->PostSilencesV1(q, r); });
  server.Handle("GET", "/api/v1/silence/{sid}", "/api/v1/silence/:sid",
                [api](const Request& q, Response& r) { api->GetSilenceV1(q, r); });
  server.HandleBlocking("DELETE", "/api/v1/silence/{sid}", "/api/v1/silence/:sid",
                        [api](const Request& q, Response& r) { api->DeleteSilenceV1(q, r); });
}

}  // namespace am::api

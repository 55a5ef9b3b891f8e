#include "template/json.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "template/exec.h"
#include "template/gofmt.h"
#include "template/text_util.h"

namespace am::tmpl {

namespace {

void JsonString(std::string& out, std::string_view s) {
  static const char* kHex = "0123456789abcdef";
  out += '"';
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '"':
          out += "\\\"";
          break;
        case '\\':
          out += "\\\\";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '<':
        case '>':
        case '&':
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
          break;
        default:
          if (c < 0x20) {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    int w;
    char32_t r = DecodeRune(s, i, &w);
    if (r == kRuneError && w == 1) {
      out += "\\ufffd";
    } else if (r == 0x2028 || r == 0x2029) {
      out += r == 0x2028 ? "\\u2028" : "\\u2029";
    } else {
      out.append(s.substr(i, w));
    }
    i += w;
  }
  out += '"';
}

void JsonKv(std::string& out, const std::shared_ptr<const KvObj>& kv) {
  out += '{';
  bool first = true;
  for (const auto& [k, v] : kv->items) {
    if (!first) out += ',';
    first = false;
    JsonString(out, k);
    out += ':';
    JsonString(out, v);
  }
  out += '}';
}

void JsonTime(std::string& out, const GoTime& t) {
  out += '"';
  out += TimeFormat(t, "2006-01-02T15:04:05.999999999Z07:00");
  out += '"';
}

void JsonAlert(std::string& out, const AlertObj& a) {
  out += "{\"status\":";
  JsonString(out, a.status);
  out += ",\"labels\":";
  JsonKv(out, a.labels);
  out += ",\"annotations\":";
  JsonKv(out, a.annotations);
  out += ",\"startsAt\":";
  JsonTime(out, a.starts_at);
  out += ",\"endsAt\":";
  JsonTime(out, a.ends_at);
  out += ",\"generatorURL\":";
  JsonString(out, a.generator_url);
  out += ",\"fingerprint\":";
  JsonString(out, a.fingerprint);
  out += '}';
}

void Encode(std::string& out, const Value& v) {
  switch (v.type()) {
    case Type::kInvalid:
      out += "null";
      return;
    case Type::kBool:
      out += v.AsBool() ? "true" : "false";
      return;
    case Type::kInt:
    case Type::kInt64:
    case Type::kUint8:
    case Type::kDuration:
    case Type::kMonth:
    case Type::kWeekday:
      out += std::to_string(v.AsInt());
      return;
    case Type::kFloat64: {
      double f = v.AsFloat();
      if (std::isnan(f) || std::isinf(f))
        throw FuncError("json: unsupported value: " + FormatFloat(f, 'g', -1));
      double a = std::fabs(f);
      bool exp = a != 0 && (a < 1e-6 || a >= 1e21);
      std::string s = FormatFloat(f, exp ? 'e' : 'f', -1);
      if (exp) {
        size_t n = s.size();
        if (n >= 4 && s[n - 4] == 'e' && s[n - 3] == '-' && s[n - 2] == '0') s.erase(n - 2, 1);
      }
      out += s;
      return;
    }
    case Type::kComplex128:
      throw FuncError("json: unsupported type: complex128");
    case Type::kString:
    case Type::kHTML:
    case Type::kURL:
      JsonString(out, v.AsString());
      return;
    case Type::kStrings:
    case Type::kAnySlice:
    case Type::kPairs:
    case Type::kAlerts:
    case Type::kAlertSlice: {
      out += '[';
      for (size_t i = 0; i < v.Len(); ++i) {
        if (i > 0) out += ',';
        Encode(out, v.Index(i));
      }
      out += ']';
      return;
    }
    case Type::kKV:
      JsonKv(out, v.KvPtr());
      return;
    case Type::kAnyMap: {
      out += '{';
      bool first = true;
      for (const auto& [k, e] : v.AsAnyMap()) {
        if (!first) out += ',';
        first = false;
        JsonString(out, k);
        out += ':';
        Encode(out, e);
      }
      out += '}';
      return;
    }
    case Type::kPair:
      out += "{\"Name\":";
      JsonString(out, PairName(v));
      out += ",\"Value\":";
      JsonString(out, PairValue(v));
      out += '}';
      return;
    case Type::kAlert:
      JsonAlert(out, v.AsAlert());
      return;
    case Type::kData: {
      const DataObj& d = v.AsData();
      out += "{\"receiver\":";
      JsonString(out, d.receiver);
      out += ",\"status\":";
      JsonString(out, d.status);
      out += ",\"alerts\":";
      Encode(out, Value::Alerts(d.alerts));
      out += ",\"notification_reason\":";
      JsonString(out, d.notification_reason);
      out += ",\"groupLabels\":";
      JsonKv(out, d.group_labels);
      out += ",\"commonLabels\":";
      JsonKv(out, d.common_labels);
      out += ",\"commonAnnotations\":";
      JsonKv(out, d.common_annotations);
      out += ",\"externalURL\":";
      JsonString(out, d.external_url);
      out += '}';
      return;
    }
    case Type::kTime:
      JsonTime(out, v.AsTime());
      return;
  }
}

bool IEq(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i])))
      return false;
  return true;
}

const char* JsonKind(const nlohmann::json& j) {
  switch (j.type()) {
    case nlohmann::json::value_t::boolean:
      return "bool";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "number";
    case nlohmann::json::value_t::string:
      return "string";
    case nlohmann::json::value_t::array:
      return "array";
    case nlohmann::json::value_t::object:
      return "object";
    default:
      return "null";
  }
}

struct LoadError {
  std::string msg;
};

std::string GetString(const nlohmann::json& j, const char* field, const char* goname) {
  if (j.is_null()) return "";
  if (!j.is_string())
    throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(j) +
                    " into Go struct field " + goname + "." + field + " of type string"};
  return j.get<std::string>();
}

std::shared_ptr<const KvObj> GetKv(const nlohmann::json& j, const char* field, const char* goname) {
  auto kv = std::make_shared<KvObj>();
  if (j.is_null()) return kv;
  if (!j.is_object())
    throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(j) +
                    " into Go struct field " + goname + "." + field + " of type template.KV"};
  for (auto it = j.begin(); it != j.end(); ++it) {
    if (!it.value().is_string() && !it.value().is_null())
      throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(it.value()) +
                      " into Go struct field " + goname + "." + field + " of type string"};
    kv->items.emplace_back(it.key(), it.value().is_null() ? "" : it.value().get<std::string>());
  }
  std::sort(kv->items.begin(), kv->items.end());
  return kv;
}

GoTime GetTime(const nlohmann::json& j) {
  GoTime t;
  if (j.is_null()) return t;
  if (!j.is_string()) throw LoadError{"Time.UnmarshalJSON: input is not a JSON string"};
  std::string s = j.get<std::string>();
  if (!ParseRfc3339(s, &t))
    throw LoadError{"parsing time " + GoQuote(s) +
                    " as \"2006-01-02T15:04:05Z07:00\": cannot parse " + GoQuote(s) +
                    " as \"2006\""};
  return t;
}

}  // namespace

bool ParseRfc3339(const std::string& s, GoTime* out) {
  std::string err;
  auto t = TimeParse("2006-01-02T15:04:05Z07:00", s, &err);
  if (!t) return false;
  *out = *t;
  // Go keeps a parsed "+00:00" in the Local zone (UTC on this host) and other offsets as a
  // nameless fixed zone; TimeParse already models both.
  if (out->offset == 0) out->zone = "UTC";
  return true;
}

std::string ToJson(const Value& v) {
  std::string out;
  Encode(out, v);
  return out;
}

bool DataFromJson(const std::string& text, Value* out, std::string* err) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const std::exception& e) {
    *err = std::string("invalid character in JSON input: ") + e.what();
    return false;
  }
  try {
    if (!j.is_object()) {
      if (j.is_null()) {
        *out = Value::Data(std::make_shared<DataObj>());
        return true;
      }
      throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(j) +
                      " into Go value of type template.Data"};
    }
    auto d = std::make_shared<DataObj>();
    d->group_labels = d->common_labels = d->common_annotations = std::make_shared<KvObj>();
    d->alerts = std::make_shared<AlertList>();
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& k = it.key();
      const auto& val = it.value();
      if (IEq(k, "receiver")) {
        d->receiver = GetString(val, "receiver", "Data");
      } else if (IEq(k, "status")) {
        d->status = GetString(val, "status", "Data");
      } else if (IEq(k, "notification_reason")) {
        d->notification_reason = GetString(val, "notification_reason", "Data");
      } else if (IEq(k, "groupLabels")) {
        d->group_labels = GetKv(val, "groupLabels", "Data");
      } else if (IEq(k, "commonLabels")) {
        d->common_labels = GetKv(val, "commonLabels", "Data");
      } else if (IEq(k, "commonAnnotations")) {
        d->common_annotations = GetKv(val, "commonAnnotations", "Data");
      } else if (IEq(k, "externalURL")) {
        d->external_url = GetString(val, "externalURL", "Data");
      } else if (IEq(k, "alerts")) {
        auto alerts = std::make_shared<AlertList>();
        if (!val.is_null()) {
          if (!val.is_array())
            throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(val) +
                            " into Go struct field Data.alerts of type template.Alerts"};
          for (const auto& ja : val) {
            auto a = std::make_shared<AlertObj>();
            a->labels = a->annotations = std::make_shared<KvObj>();
            if (!ja.is_object() && !ja.is_null())
              throw LoadError{std::string("json: cannot unmarshal ") + JsonKind(ja) +
                              " into Go struct field Data.alerts of type template.Alert"};
            if (ja.is_object()) {
              for (auto at = ja.begin(); at != ja.end(); ++at) {
                const std::string& ak = at.key();
                const auto& av = at.value();
                if (IEq(ak, "status"))
                  a->status = GetString(av, "alerts.status", "Data");
                else if (IEq(ak, "labels"))
                  a->labels = GetKv(av, "alerts.labels", "Data");
                else if (IEq(ak, "annotations"))
                  a->annotations = GetKv(av, "alerts.annotations", "Data");
                else if (IEq(ak, "startsAt"))
                  a->starts_at = GetTime(av);
                else if (IEq(ak, "endsAt"))
                  a->ends_at = GetTime(av);
                else if (IEq(ak, "generatorURL"))
                  a->generator_url = GetString(av, "alerts.generatorURL", "Data");
                else if (IEq(ak, "fingerprint"))
                  a->fingerprint = GetString(av, "alerts.fingerprint", "Data");
              }
            }
            alerts->push_back(std::move(a));
          }
        }
        d->alerts = std::move(alerts);
      }
    }
    *out = Value::Data(std::move(d));
    return true;
  } catch (const LoadError& e) {
    *err = e.msg;
    return false;
  }
}

}  // namespace am::tmpl

#include "api/alert_codec.h"

#include <simdjson.h>

#include <algorithm>
#include <cctype>

#include "api/json_writer.h"
#include "core/labels.h"
#include "core/strings.h"
#include "core/timeutil.h"

namespace am::api {
namespace {

const char* KindName(simdjson::dom::element_type t) {
  using T = simdjson::dom::element_type;
  switch (t) {
    case T::ARRAY:
      return "array";
    case T::OBJECT:
      return "object";
    case T::INT64:
    case T::UINT64:
    case T::DOUBLE:
      return "number";
    case T::STRING:
      return "string";
    case T::BOOL:
      return "bool";
    case T::NULL_VALUE:
      return "null";
  }
  return "value";
}

// Decodes a JSON object of strings into pairs; false with *err set on a type error.
bool DecodeStringMap(simdjson::dom::element el, std::string_view field, std::vector<Label>* out,
                     std::string* err) {
  if (el.is_null()) return true;
  simdjson::dom::object obj;
  if (el.get(obj) != simdjson::SUCCESS) {
    *err = std::string("json: cannot unmarshal ") + KindName(el.type()) +
           " into Go struct field Alert." + std::string(field) + " of type map[string]string";
    return false;
  }
  for (auto [k, v] : obj) {
    std::string_view sv;
    if (v.is_null()) {
      // Go decodes null into "" for a map[string]string value.
      out->emplace_back(std::string(k), std::string());
      continue;
    }
    if (v.get(sv) != simdjson::SUCCESS) {
      *err = std::string("json: cannot unmarshal ") + KindName(v.type()) +
             " into Go struct field Alert." + std::string(field) + " of type string";
      return false;
    }
    out->emplace_back(std::string(k), std::string(sv));
  }
  return true;
}

bool DecodeTime(simdjson::dom::element el, Time* out, std::string* err) {
  if (el.is_null()) return true;
  std::string_view sv;
  if (el.get(sv) != simdjson::SUCCESS) {
    *err = std::string("json: cannot unmarshal ") + KindName(el.type()) +
           " into Go value of type strfmt.DateTime";
    return false;
  }
  if (sv.empty()) return true;
  auto t = ParseRFC3339(sv);
  if (!t) {
    *err = "parsing time " + GoQuote(sv) + ": not an RFC 3339 date-time";
    return false;
  }
  *out = *t;
  return true;
}

// strfmt's "uri" format is url.ParseRequestURI: an absolute URI with a scheme, or an absolute
// path.
bool IsRequestURI(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7F || c == ' ') return false;
  }
  if (s[0] == '/') return true;
  size_t i = 0;
  if (!std::isalpha(static_cast<unsigned char>(s[0]))) return false;
  while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' ||
                          s[i] == '-' || s[i] == '.')) {
    ++i;
  }
  return i < s.size() && s[i] == ':';
}

// model.LabelSet.Validate with upstream's messages; names checked per the matcher mode.
std::string ValidateLabelSet(const LabelSet& ls, bool utf8_names) {
  for (const auto& [n, v] : ls) {
    bool ok = utf8_names ? IsValidUtf8LabelName(n) : IsValidClassicLabelName(n);
    if (!ok) return "invalid name " + GoQuote(n);
    if (!IsValidUtf8(v)) return "invalid value " + GoQuote(v);
  }
  return "";
}

void AppendStrings(JsonWriter& w, const std::vector<std::string>& v, bool null_when_empty) {
  if (v.empty() && null_when_empty) {
    w.Null();
    return;
  }
  w.BeginArray();
  for (const auto& s : v) w.String(s);
  w.EndArray();
}

}  // namespace

bool SwagBool(std::string_view s) {
  std::string l(s);
  for (auto& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return l == "true" || l == "1" || l == "yes" || l == "ok" || l == "y" || l == "on" ||
         l == "selected" || l == "checked" || l == "t" || l == "enabled";
}

DecodedAlerts DecodePostableAlerts(std::string_view body, Time now, Duration resolve_timeout,
                                   bool v2, bool utf8_names) {
  DecodedAlerts r;
  auto fail = [&](DecodedAlerts::Status st, int code, std::string msg) {
    r.status = st;
    r.code = code;
    r.message = std::move(msg);
    r.valid.clear();
    r.errors.clear();
    return r;
  };
  bool blank = std::all_of(body.begin(), body.end(),
                           [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; });
  if (blank) {
    if (v2) return fail(DecodedAlerts::Status::kUnprocessable, 602, "alerts in body is required");
    return fail(DecodedAlerts::Status::kBadRequest, 400, "EOF");
  }
  thread_local simdjson::dom::parser parser;
  simdjson::dom::element doc;
  auto error = parser.parse(body.data(), body.size(), true).get(doc);
  if (error) {
    return fail(DecodedAlerts::Status::kBadRequest, 400,
                std::string("invalid JSON: ") + simdjson::error_message(error));
  }
  if (doc.is_null()) return r;
  simdjson::dom::array arr;
  if (doc.get(arr) != simdjson::SUCCESS) {
    return fail(DecodedAlerts::Status::kBadRequest, 400,
                std::string("json: cannot unmarshal ") + KindName(doc.type()) +
                    " into Go value of type models.PostableAlerts");
  }
  struct Raw {
    Alert alert;
    bool has_labels = false;
  };
  std::vector<Raw> raws;
  raws.reserve(arr.size());
  std::string err;
  // Pass 1: types (Go's decoder fails the whole body on the first type error → 400).
  for (auto item : arr) {
    Raw raw;
    if (item.is_null()) {
      raws.push_back(std::move(raw));
      continue;
    }
    simdjson::dom::object obj;
    if (item.get(obj) != simdjson::SUCCESS) {
      return fail(DecodedAlerts::Status::kBadRequest, 400,
                  std::string("json: cannot unmarshal ") + KindName(item.type()) +
                      " into Go value of type models.PostableAlert");
    }
    std::vector<Label> labels, annotations;
    for (auto [key, val] : obj) {
      if (key == "labels") {
        raw.has_labels = !val.is_null();
        if (!DecodeStringMap(val, "labels", &labels, &err))
          return fail(DecodedAlerts::Status::kBadRequest, 400, err);
      } else if (key == "annotations") {
        if (!DecodeStringMap(val, "annotations", &annotations, &err))
          return fail(DecodedAlerts::Status::kBadRequest, 400, err);
      } else if (key == "startsAt") {
        if (!DecodeTime(val, &raw.alert.starts_at, &err))
          return fail(DecodedAlerts::Status::kBadRequest, 400, err);
      } else if (key == "endsAt") {
        if (!DecodeTime(val, &raw.alert.ends_at, &err))
          return fail(DecodedAlerts::Status::kBadRequest, 400, err);
      } else if (key == "generatorURL") {
        std::string_view sv;
        if (val.is_null()) continue;
        if (val.get(sv) != simdjson::SUCCESS) {
          return fail(DecodedAlerts::Status::kBadRequest, 400,
                      std::string("json: cannot unmarshal ") + KindName(val.type()) +
                          " into Go struct field PostableAlert.generatorURL of type "
                          "strfmt.URI");
        }
        raw.alert.generator_url = std::string(sv);
      }
      // Unknown keys are ignored, as Go's decoder does.
    }
    raw.alert.labels = LabelSet::FromPairs(std::move(labels));
    raw.alert.annotations = LabelSet::FromPairs(std::move(annotations));
    raws.push_back(std::move(raw));
  }
  // Pass 2: schema (go-swagger validation → 422).
  if (v2) {
    for (size_t i = 0; i < raws.size(); ++i) {
      if (!raws[i].has_labels) {
        return fail(DecodedAlerts::Status::kUnprocessable, 602,
                    std::to_string(i) + ".labels in body is required");
      }
      const std::string& g = raws[i].alert.generator_url;
      if (!g.empty() && !IsRequestURI(g)) {
        return fail(DecodedAlerts::Status::kUnprocessable, 601,
                    std::to_string(i) + ".generatorURL in body must be of type uri: " + GoQuote(g));
      }
    }
  }
  // Pass 3: the handler's defaults and validation; invalid alerts are reported, valid kept.
  r.valid.reserve(raws.size());
  for (auto& raw : raws) {
    Alert& a = raw.alert;
    a.updated_at = now;
    if (IsZero(a.starts_at)) a.starts_at = IsZero(a.ends_at) ? now : a.ends_at;
    if (IsZero(a.ends_at)) {
      a.timeout = true;
      a.ends_at = now + resolve_timeout;
    }
    if (a.ends_at > now) {
      ++r.firing;
    } else {
      ++r.resolved;
    }
  }
  for (auto& raw : raws) {
    Alert& a = raw.alert;
    std::vector<Label> kept;
    for (const auto& l : a.labels) {
      if (!l.second.empty()) kept.push_back(l);
    }
    if (kept.size() != a.labels.size()) a.labels = LabelSet::FromPairs(std::move(kept));
    std::string e;
    if (a.ends_at < a.starts_at) {
      e = "start time must be before end time";
    } else if (std::string le = ValidateLabelSet(a.labels, utf8_names); !le.empty()) {
      e = "invalid label set: " + le;
    } else if (a.labels.empty()) {
      e = "at least one label pair required";
    } else if (std::string ae = ValidateLabelSet(a.annotations, utf8_names); !ae.empty()) {
      e = "invalid annotations: " + ae;
    }
    if (!e.empty()) {
      r.errors.push_back(std::move(e));
    } else {
      r.valid.push_back(std::move(a));
    }
  }
  return r;
}

void AppendLabelObject(std::string* out, const LabelSet& ls) {
  out->push_back('{');
  bool first = true;
  for (const auto& [n, v] : ls) {
    if (!first) out->push_back(',');
    first = false;
    JsonWriter::AppendString(out, n);
    out->push_back(':');
    JsonWriter::AppendString(out, v);
  }
  out->push_back('}');
}

void AppendV2Alert(std::string* out, const Alert& a, const AlertStatusView& st,
                   const std::vector<std::string>& receivers) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("annotations");
  w.Raw("");
  AppendLabelObject(out, a.annotations);
  w.Key("endsAt");
  w.String(FormatRFC3339Millis(a.ends_at));
  w.Key("fingerprint");
  w.String(FingerprintString(a.Fingerprint()));
  w.Key("receivers");
  w.BeginArray();
  for (const auto& r : receivers) {
    w.BeginObject();
    w.Key("name");
    w.String(r);
    w.EndObject();
  }
  w.EndArray();
  w.Key("startsAt");
  w.String(FormatRFC3339Millis(a.starts_at));
  w.Key("status");
  w.BeginObject();
  w.Key("inhibitedBy");
  AppendStrings(w, st.inhibited_by, false);
  w.Key("silencedBy");
  AppendStrings(w, st.silenced_by, false);
  w.Key("state");
  w.String(st.state);
  w.EndObject();
  w.Key("updatedAt");
  w.String(FormatRFC3339Millis(a.updated_at));
  if (!a.generator_url.empty()) {
    w.Key("generatorURL");
    w.String(a.generator_url);
  }
  w.Key("labels");
  w.Raw("");
  AppendLabelObject(out, a.labels);
  w.EndObject();
}

void AppendV1Alert(std::string* out, const Alert& a, const AlertStatusView& st,
                   const std::vector<std::string>& receivers) {
  JsonWriter w(out);
  w.BeginObject();
  w.Key("labels");
  w.Raw("");
  AppendLabelObject(out, a.labels);
  w.Key("annotations");
  w.Raw("");
  AppendLabelObject(out, a.annotations);
  w.Key("startsAt");
  w.String(FormatRFC3339Nano(a.starts_at));
  w.Key("endsAt");
  w.String(FormatRFC3339Nano(a.ends_at));
  w.Key("generatorURL");
  w.String(a.generator_url);
  w.Key("status");
  w.BeginObject();
  w.Key("state");
  w.String(st.state);
  w.Key("silencedBy");
  AppendStrings(w, st.silenced_by, true);
  w.Key("inhibitedBy");
  AppendStrings(w, st.inhibited_by, true);
  w.EndObject();
  w.Key("receivers");
  AppendStrings(w, receivers, true);
  w.Key("fingerprint");
  w.String(FingerprintString(a.Fingerprint()));
  w.EndObject();
}

}  // namespace am::api

#include "api/api.h"

#include <prometheus/text_serializer.h>
#include <re2/re2.h>

#include <algorithm>
#include <map>

#include "api/json_writer.h"
#include "api/responses.h"
#include "core/alert_order.h"
#include "core/error.h"
#include "core/matcher.h"
#include "core/strings.h"

namespace am::api {
namespace {

constexpr const char* kJson = kJsonContentType;

bool IsJsonContentType(std::string_view ct) {
  if (ct.empty()) return true;  // go-swagger defaults a missing Content-Type to JSON
  auto semi = ct.find(';');
  std::string_view base = ct.substr(0, semi);
  while (!base.empty() && base.back() == ' ') base.remove_suffix(1);
  std::string lower(base);
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower == "application/json";
}

struct AlertQuery {
  Matchers filter;
  std::unique_ptr<RE2> receiver;
  bool active = true, silenced = true, inhibited = true, unprocessed = true;
};

// Parses the shared query parameters; on error fills `err` with upstream's message.
bool ParseAlertQuery(const Request& req, AlertQuery* q, std::string* err) {
  for (const auto& f : req.QueryAll("filter")) {
    try {
      q->filter.push_back(ParseMatcher(f, DefaultParseMode()));
    } catch (const ParseError& e) {
      *err = e.what();
      return false;
    }
  }
  if (auto r = req.QueryFirst("receiver"); r && !r->empty()) {
    RE2::Options opts;
    opts.set_log_errors(false);
    q->receiver = std::make_unique<RE2>("^(?:" + *r + ")$", opts);
    if (!q->receiver->ok()) {
      *err = "failed to parse receiver param: error parsing regexp: " + q->receiver->error();
      return false;
    }
  }
  if (auto v = req.QueryFirst("active")) q->active = SwagBool(*v);
  if (auto v = req.QueryFirst("silenced")) q->silenced = SwagBool(*v);
  if (auto v = req.QueryFirst("inhibited")) q->inhibited = SwagBool(*v);
  if (auto v = req.QueryFirst("unprocessed")) q->unprocessed = SwagBool(*v);
  return true;
}

bool PassesStatus(const AlertQuery& q, const AlertStatusView& st) {
  std::string_view state = st.state;
  if (!q.active && state == "active") return false;
  if (!q.unprocessed && state == "unprocessed") return false;
  if (!q.silenced && !st.silenced_by.empty()) return false;
  if (!q.inhibited && !st.inhibited_by.empty()) return false;
  return true;
}

std::string Yaml2JsonString(std::string_view s) {
  std::string out;
  JsonWriter::AppendString(&out, s);
  return out;
}

}  // namespace

Api::Api(Backend& backend, std::shared_ptr<prometheus::Registry> registry, VersionInfo version,
         Time start_time, bool utf8_names)
    : backend_(backend),
      registry_(std::move(registry)),
      version_(std::move(version)),
      start_time_(start_time),
      utf8_names_(utf8_names) {
  received_ = &prometheus::BuildCounter()
                   .Name("alertmanager_alerts_received_total")
                   .Help("The total number of received alerts.")
                   .Register(*registry_);
  invalid_ = &prometheus::BuildCounter()
                  .Name("alertmanager_alerts_invalid_total")
                  .Help("The total number of received alerts that were invalid.")
                  .Register(*registry_);
  for (const char* v : {"v1", "v2"}) {
    received_->Add({{"status", "firing"}, {"version", v}});
    received_->Add({{"status", "resolved"}, {"version", v}});
    invalid_->Add({{"version", v}});
  }
}

void Api::Register(HttpServer& s) {
  s.Handle("GET", "/api/v2/alerts", "/api/v2/alerts",
           [this](const Request& q, Response& r) { GetAlertsV2(q, r); });
  s.Handle("POST", "/api/v2/alerts", "/api/v2/alerts",
           [this](const Request& q, Response& r) { PostAlerts(q, r, true); });
  s.Handle("GET", "/api/v2/alerts/groups", "/api/v2/alerts/groups",
           [this](const Request& q, Response& r) { GetAlertGroupsV2(q, r); });
  s.Handle("GET", "/api/v2/receivers", "/api/v2/receivers",
           [this](const Request& q, Response& r) { GetReceiversV2(q, r); });
  s.Handle("GET", "/api/v2/status", "/api/v2/status",
           [this](const Request& q, Response& r) { GetStatusV2(q, r); });
  s.Handle("GET", "/api/v1/alerts", "/api/v1/alerts",
           [this](const Request& q, Response& r) { GetAlertsV1(q, r); });
  s.Handle("POST", "/api/v1/alerts", "/api/v1/alerts",
           [this](const Request& q, Response& r) { PostAlerts(q, r, false); });
  s.Handle("GET", "/api/v1/status", "/api/v1/status",
           [this](const Request& q, Response& r) { GetStatusV1(q, r); });
  s.Handle("GET", "/api/v1/receivers", "/api/v1/receivers",
           [this](const Request& q, Response& r) { GetReceiversV1(q, r); });
  s.Handle("GET", "/metrics", "/metrics", [this](const Request& q, Response& r) { Metrics(q, r); });
  s.Handle("GET", "/-/healthy", "/-/healthy", [](const Request&, Response& r) {
    r.content_type = "text/plain; charset=utf-8";
    r.body = "OK";
  });
  s.Handle("GET", "/-/ready", "/-/ready", [this](const Request&, Response& r) {
    r.content_type = "text/plain; charset=utf-8";
    if (backend_.Ready()) {
      r.body = "OK";
    } else {
      r.status = 503;
      r.body = "Service Unavailable";
    }
  });
  s.HandleBlocking("POST", "/-/reload", "/-/reload", [this](const Request&, Response& r) {
    std::string err = backend_.Reload();
    if (!err.empty()) {
      r.status = 500;
      r.content_type = "text/plain; charset=utf-8";
      r.body = "failed to reload config: " + err + "\n";
    }
  });
  // go-swagger answers unknown paths and methods under /api/v2 with JSON.
  s.HandleUnmatched("/api/v2/", [](const Request& req, Response& r,
                                   const std::vector<std::string>& allowed) {
    if (allowed.empty()) {
      JsonCodeError(r, 404, 404, "path " + req.path + " was not found");
      return;
    }
    std::string list;
    for (const auto& m : allowed) {
      if (!list.empty()) list += ",";
      list += m;
    }
    r.headers.emplace_back("Allow", list);
    JsonCodeError(r, 405, 405, "method " + req.method + " is not allowed, but [" + list + "] are");
  });
  s.Handle("GET", "/", "/", [](const Request&, Response& r) {
    r.content_type = "text/html; charset=utf-8";
    r.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
    r.body =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta charset=\"utf-8\">"
        "<title>Alertmanager</title></head>\n<body>\n<h1>Alertmanager</h1>\n"
        "<p>This Alertmanager-compatible daemon has no web UI yet. Use <code>amtool</code> or "
        "the HTTP API.</p>\n<ul>\n"
        "<li><a href=\"api/v2/status\">api/v2/status</a></li>\n"
        "<li><a href=\"api/v2/alerts\">api/v2/alerts</a></li>\n"
        "<li><a href=\"api/v2/alerts/groups\">api/v2/alerts/groups</a></li>\n"
        "<li><a href=\"api/v2/silences\">api/v2/silences</a></li>\n"
        "<li><a href=\"api/v2/receivers\">api/v2/receivers</a></li>\n"
        "<li><a href=\"metrics\">metrics</a></li>\n"
        "<li><a href=\"-/healthy\">-/healthy</a></li>\n"
        "<li><a href=\"-/ready\">-/ready</a></li>\n"
        "</ul>\n</body>\n</html>\n";
  });
}

void Api::PostAlerts(const Request& req, Response& res, bool v2) {
  const char* version = v2 ? "v2" : "v1";
  if (v2) V2Headers(res);
  if (v2 && !IsJsonContentType(req.Header("content-type"))) {
    JsonCodeError(res, 415, 415,
                  "unsupported media type " + GoQuote(req.Header("content-type")) +
                      ", only [application/json] are allowed");
    return;
  }
  DecodedAlerts d =
      DecodePostableAlerts(req.body, Now(), backend_.ResolveTimeout(), v2, utf8_names_);
  if (d.status != DecodedAlerts::Status::kOk) {
    if (!v2) {
      V1Error(res, 400, "bad_data", d.message);
    } else if (d.status == DecodedAlerts::Status::kUnprocessable) {
      JsonCodeError(res, 422, d.code, d.message);
    } else {
      JsonCodeError(res, 400, 400, "parsing alerts body failed, because " + d.message);
    }
    return;
  }
  received_->Add({{"status", "firing"}, {"version", version}}).Increment(d.firing);
  received_->Add({{"status", "resolved"}, {"version", version}}).Increment(d.resolved);
  if (!d.errors.empty()) {
    invalid_->Add({{"version", version}}).Increment(d.errors.size());
  }
  if (!d.valid.empty()) backend_.PutAlerts(std::move(d.valid));
  if (!d.errors.empty()) {
    std::string joined;
    for (size_t i = 0; i < d.errors.size(); ++i) {
      if (i) joined += "; ";
      joined += d.errors[i];
    }
    if (v2) {
      JsonStringError(res, 400, joined);
    } else {
      V1Error(res, 400, "bad_data", joined);
    }
    return;
  }
  if (!v2) V1Success(res, "");
}

void Api::GetAlertsV2(const Request& req, Response& res) {
  V2Headers(res);
  AlertQuery q;
  std::string err;
  if (!ParseAlertQuery(req, &q, &err)) {
    JsonStringError(res, 400, err);
    return;
  }
  Time now = Now();
  std::string& out = res.body;
  out.reserve(4096);
  out.push_back('[');
  bool first = true;
  std::vector<std::string> receivers;
  for (const auto& a : backend_.Alerts()) {
    if (!IsZero(a->ends_at) && a->ends_at < now) continue;
    if (!MatchesAll(q.filter, a->labels)) continue;
    receivers.clear();
    backend_.Receivers(a->labels, &receivers);
    if (q.receiver && !std::any_of(receivers.begin(), receivers.end(),
                                   [&](const auto& r) { return RE2::FullMatch(r, *q.receiver); })) {
      continue;
    }
    AlertStatusView st = backend_.Status(*a);
    if (!PassesStatus(q, st)) continue;
    if (!first) out.push_back(',');
    first = false;
    AppendV2Alert(&out, *a, st, receivers);
  }
  out += "]\n";
  res.content_type = kJson;
}

void Api::GetAlertGroupsV2(const Request& req, Response& res) {
  V2Headers(res);
  AlertQuery q;
  std::string err;
  if (!ParseAlertQuery(req, &q, &err)) {
    JsonStringError(res, 400, err);
    return;
  }
  Time now = Now();
  struct Group {
    LabelSet labels;
    std::string receiver;
    std::vector<AlertPtr> alerts;
  };
  // Keyed by (route identity, group labels) like the dispatcher's aggregation groups.
  std::map<std::pair<const void*, std::string>, Group> groups;
  std::map<uint64_t, std::vector<std::string>> receivers_of;
  std::map<uint64_t, AlertStatusView> status_of;
  for (const auto& a : backend_.Alerts()) {
    if (!IsZero(a->ends_at) && a->ends_at < now) continue;
    auto matches = backend_.Match(a->labels);
    bool counted = false;
    for (auto& m : matches) {
      if (q.receiver && !RE2::FullMatch(m.receiver, *q.receiver)) continue;
      if (!counted) {
        if (!MatchesAll(q.filter, a->labels)) break;
        AlertStatusView st = backend_.Status(*a);
        if (!PassesStatus(q, st)) break;
        status_of[a->Fingerprint()] = std::move(st);
        counted = true;
      }
      receivers_of[a->Fingerprint()].push_back(m.receiver);
      auto& g = groups[{m.route, m.group_labels.String()}];
      g.labels = m.group_labels;
      g.receiver = m.receiver;
      g.alerts.push_back(a);
    }
  }
  std::vector<Group*> sorted;
  for (auto& [k, g] : groups) sorted.push_back(&g);
  std::sort(sorted.begin(), sorted.end(), [](const Group* a, const Group* b) {
    if (a->labels == b->labels) return a->receiver < b->receiver;
    return LabelSetBefore(a->labels, b->labels);
  });
  std::string& out = res.body;
  out.push_back('[');
  for (size_t gi = 0; gi < sorted.size(); ++gi) {
    Group& g = *sorted[gi];
    std::sort(g.alerts.begin(), g.alerts.end(),
              [](const AlertPtr& a, const AlertPtr& b) { return AlertLess(*a, *b); });
    if (gi) out.push_back(',');
    out += "{\"alerts\":[";
    for (size_t i = 0; i < g.alerts.size(); ++i) {
      if (i) out.push_back(',');
      uint64_t fp = g.alerts[i]->Fingerprint();
      AppendV2Alert(&out, *g.alerts[i], status_of[fp], receivers_of[fp]);
    }
    out += "],\"labels\":";
    AppendLabelObject(&out, g.labels);
    out += ",\"receiver\":{\"name\":";
    JsonWriter::AppendString(&out, g.receiver);
    out += "}}";
  }
  out += "]\n";
  res.content_type = kJson;
}

void Api::GetReceiversV2(const Request&, Response& res) {
  V2Headers(res);
  std::string& out = res.body;
  out.push_back('[');
  bool first = true;
  for (const auto& n : backend_.ReceiverNames()) {
    if (!first) out.push_back(',');
    first = false;
    out += "{\"name\":";
    JsonWriter::AppendString(&out, n);
    out += "}";
  }
  out += "]\n";
  res.content_type = kJson;
}

void Api::GetStatusV2(const Request&, Response& res) {
  V2Headers(res);
  ClusterStatusView c = backend_.Cluster();
  std::string& out = res.body;
  JsonWriter w(&out);
  w.BeginObject();
  w.Key("cluster");
  w.BeginObject();
  if (c.enabled) {
    w.Key("name");
    w.String(c.name);
  }
  w.Key("peers");
  w.BeginArray();
  for (const auto& p : c.peers) {
    w.BeginObject();
    w.Key("address");
    w.String(p.address);
    w.Key("name");
    w.String(p.name);
    w.EndObject();
  }
  w.EndArray();
  w.Key("status");
  w.String(c.status);
  w.EndObject();
  w.Key("config");
  w.BeginObject();
  w.Key("original");
  w.String(backend_.ConfigYaml());
  w.EndObject();
  w.Key("uptime");
  w.String(FormatRFC3339Millis(start_time_));
  w.Key("versionInfo");
  w.BeginObject();
  w.Key("branch");
  w.String(version_.branch);
  w.Key("buildDate");
  w.String(version_.build_date);
  w.Key("buildUser");
  w.String(version_.build_user);
  w.Key("goVersion");
  w.String(version_.go_version);
  w.Key("revision");
  w.String(version_.revision);
  w.Key("version");
  w.String(version_.version);
  w.EndObject();
  w.EndObject();
  out.push_back('\n');
  res.content_type = kJson;
}

void Api::GetAlertsV1(const Request& req, Response& res) {
  AlertQuery q;
  std::string err;
  if (!ParseAlertQuery(req, &q, &err)) {
    V1Error(res, 400, "bad_data", err);
    return;
  }
  Time now = Now();
  std::string data = "[";
  bool first = true;
  std::vector<std::string> receivers;
  for (const auto& a : backend_.Alerts()) {
    if (!IsZero(a->ends_at) && a->ends_at < now) continue;
    if (!MatchesAll(q.filter, a->labels)) continue;
    receivers.clear();
    backend_.Receivers(a->labels, &receivers);
    if (q.receiver && !std::any_of(receivers.begin(), receivers.end(),
                                   [&](const auto& r) { return RE2::FullMatch(r, *q.receiver); })) {
      continue;
    }
    AlertStatusView st = backend_.Status(*a);
    if (!PassesStatus(q, st)) continue;
    if (!first) data.push_back(',');
    first = false;
    AppendV1Alert(&data, *a, st, receivers);
  }
  data += "]";
  V1Success(res, data);
}

void Api::GetStatusV1(const Request&, Response& res) {
  ClusterStatusView c = backend_.Cluster();
  std::string data = "{\"configYAML\":" + Yaml2JsonString(backend_.ConfigYaml()) +
                     ",\"configJSON\":" + backend_.ConfigJson() + ",\"versionInfo\":{";
  JsonWriter w(&data);
  data += "\"branch\":";
  JsonWriter::AppendString(&data, version_.branch);
  data += ",\"buildDate\":";
  JsonWriter::AppendString(&data, version_.build_date);
  data += ",\"buildUser\":";
  JsonWriter::AppendString(&data, version_.build_user);
  data += ",\"goVersion\":";
  JsonWriter::AppendString(&data, version_.go_version);
  data += ",\"revision\":";
  JsonWriter::AppendString(&data, version_.revision);
  data += ",\"version\":";
  JsonWriter::AppendString(&data, version_.version);
  data += "},\"uptime\":";
  JsonWriter::AppendString(&data, FormatRFC3339Nano(start_time_));
  data += ",\"clusterStatus\":";
  if (!c.enabled) {
    data += "null";
  } else {
    data += "{\"name\":";
    JsonWriter::AppendString(&data, c.name);
    data += ",\"status\":";
    JsonWriter::AppendString(&data, c.status);
    data += ",\"peers\":[";
    for (size_t i = 0; i < c.peers.size(); ++i) {
      if (i) data.push_back(',');
      data += "{\"name\":";
      JsonWriter::AppendString(&data, c.peers[i].name);
      data += ",\"address\":";
      JsonWriter::AppendString(&data, c.peers[i].address);
      data += "}";
    }
    data += "]}";
  }
  data += "}";
  (void)w;
  V1Success(res, data);
}

void Api::GetReceiversV1(const Request&, Response& res) {
  std::string data = "[";
  bool first = true;
  for (const auto& n : backend_.ReceiverNames()) {
    if (!first) data.push_back(',');
    first = false;
    JsonWriter::AppendString(&data, n);
  }
  data += "]";
  V1Success(res, data);
}

void Api::Metrics(const Request&, Response& res) {
  prometheus::TextSerializer ser;
  auto families = registry_->Collect();
  for (const auto& c : collectables_) {
    auto more = c->Collect();
    families.insert(families.end(), std::make_move_iterator(more.begin()),
                    std::make_move_iterator(more.end()));
  }
  // Exposition order by name, as client_golang writes it (dashboards don't care; diffs do).
  std::sort(families.begin(), families.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });
  res.body = ser.Serialize(families);
  res.content_type = "text/plain; version=0.0.4; charset=utf-8";
}

}  // namespace am::api

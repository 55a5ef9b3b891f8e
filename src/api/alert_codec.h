// JSON for alerts on the API: decoding POST bodies (v2 postableAlerts and v1, same shape) with
// upstream's defaults and validation, and encoding gettable alerts in 0.25's key order.
// Decoding uses simdjson (the ingest hot path); a parser is kept per thread. Pure otherwise;
// thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/alert.h"
#include "core/duration.h"

namespace am::api {

struct DecodedAlerts {
  // Outcome of decoding before validation. kOk: alerts/errors are filled.
  enum class Status { kOk, kBadRequest, kUnprocessable } status = Status::kOk;
  int code = 0;                     // go-swagger error code for the JSON error body (400, 601, 602)
  std::string message;              // error message for kBadRequest / kUnprocessable
  std::vector<Alert> valid;         // defaulted and validated, ready for the store
  std::vector<std::string> errors;  // one per invalid alert, upstream's words
  size_t firing = 0, resolved = 0;  // alertmanager_alerts_received_total increments
};

// `v2`: apply go-swagger's schema rules (labels required → 422 602, generatorURL must be a URI →
// 422 601, empty body → 422 602). v1 reports every decode problem as 400.
DecodedAlerts DecodePostableAlerts(std::string_view body, Time now, Duration resolve_timeout,
                                   bool v2, bool utf8_names);

struct AlertStatusView {
  const char* state = "active";  // "active" | "suppressed" | "unprocessed"
  std::vector<std::string> silenced_by;
  std::vector<std::string> inhibited_by;
};

// One gettableAlert as 0.25 writes it: annotations, endsAt, fingerprint, receivers, startsAt,
// status{inhibitedBy,silencedBy,state}, updatedAt, generatorURL (omitted when empty), labels.
void AppendV2Alert(std::string* out, const Alert& a, const AlertStatusView& st,
                   const std::vector<std::string>& receivers);
// One v1 alert: labels, annotations, startsAt, endsAt, generatorURL, status, receivers,
// fingerprint (RFC3339Nano times; nil arrays as null).
void AppendV1Alert(std::string* out, const Alert& a, const AlertStatusView& st,
                   const std::vector<std::string>& receivers);
void AppendLabelObject(std::string* out, const LabelSet& ls);

// go-openapi swag.ConvertBool: "true", "1", "yes", "ok", "y", "on", "selected", "checked", "t",
// "enabled" are true (case-insensitive); anything else is false.
bool SwagBool(std::string_view s);

}  // namespace am::api

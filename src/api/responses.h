// Response envelopes the API shares, byte for byte as Alertmanager 0.25 writes them: go-swagger's
// for /api/v2 (JSON-string handler errors ending in a newline, {"code","message"} framework
// errors without one, `Vary: Origin` from rs/cors) and the hand-written v1 envelope
// ({"status":"success"|"error",...} with CORS headers). Pure functions on a Response.
#pragma once

#include <string_view>

#include "api/http_types.h"

namespace am::api {

inline constexpr const char* kJsonContentType = "application/json";

// rs/cors marks every /api/v2 response as varying by Origin.
void V2Headers(Response& res);
// Handler errors: a JSON string body, newline-terminated by Go's JSON encoder.
void JsonStringError(Response& res, int status, std::string_view msg);
// go-swagger framework errors: {"code":N,"message":"..."} without a trailing newline.
void JsonCodeError(Response& res, int status, int code, std::string_view msg);

void V1Headers(Response& res);
// {"status":"error","errorType":type,"error":msg}
void V1Error(Response& res, int status, const char* type, std::string_view msg);
// {"status":"success"} or {"status":"success","data":<data_json>}
void V1Success(Response& res, std::string_view data_json);

}  // namespace am::api

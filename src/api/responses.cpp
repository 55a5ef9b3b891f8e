#include "api/responses.h"

#include <string>

#include "api/json_writer.h"

namespace am::api {

void V2Headers(Response& res) { res.headers.emplace_back("Vary", "Origin"); }

void JsonStringError(Response& res, int status, std::string_view msg) {
  V2Headers(res);
  res.status = status;
  res.content_type = kJsonContentType;
  res.body.clear();
  JsonWriter::AppendString(&res.body, msg);
  res.body.push_back('\n');
}

void JsonCodeError(Response& res, int status, int code, std::string_view msg) {
  V2Headers(res);
  res.status = status;
  res.content_type = kJsonContentType;
  res.body = "{\"code\":" + std::to_string(code) + ",\"message\":";
  JsonWriter::AppendString(&res.body, msg);
  res.body += "}";
}

void V1Headers(Response& res) {
  res.headers.emplace_back("Access-Control-Allow-Headers",
                           "Accept, Authorization, Content-Type, Origin");
  res.headers.emplace_back("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS");
  res.headers.emplace_back("Access-Control-Allow-Origin", "*");
  res.headers.emplace_back("Access-Control-Expose-Headers", "Date");
  res.headers.emplace_back("Cache-Control", "no-cache, no-store, must-revalidate");
}

void V1Error(Response& res, int status, const char* type, std::string_view msg) {
  V1Headers(res);
  res.status = status;
  res.content_type = kJsonContentType;
  res.body = "{\"status\":\"error\",\"errorType\":\"";
  res.body += type;
  res.body += "\",\"error\":";
  JsonWriter::AppendString(&res.body, msg);
  res.body += "}";
}

void V1Success(Response& res, std::string_view data_json) {
  V1Headers(res);
  res.status = 200;
  res.content_type = kJsonContentType;
  if (data_json.empty()) {
    res.body = "{\"status\":\"success\"}";
  } else {
    res.body = "{\"status\":\"success\",\"data\":";
    res.body += data_json;
    res.body += "}";
  }
}

}  // namespace am::api

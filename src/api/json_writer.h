// A minimal append-only JSON writer for responses on hot paths (GET /api/v2/alerts with 50k
// alerts): no DOM, keys written in the order the caller chooses (the order Go's encoders emit),
// strings escaped as Go's encoding/json does (<, >, & as \u003c.. and U+2028/U+2029 escaped).
// Not thread-safe; one writer per response.
#pragma once

#include <string>
#include <string_view>

namespace am::api {

class JsonWriter {
 public:
  explicit JsonWriter(std::string* out) : out_(out) {}

  void BeginObject() {
    Sep();
    out_->push_back('{');
    first_ = true;
  }
  void EndObject() {
    out_->push_back('}');
    first_ = false;
  }
  void BeginArray() {
    Sep();
    out_->push_back('[');
    first_ = true;
  }
  void EndArray() {
    out_->push_back(']');
    first_ = false;
  }
  void Key(std::string_view k) {
    Sep();
    AppendString(out_, k);
    out_->push_back(':');
    first_ = true;
  }
  void String(std::string_view v) {
    Sep();
    AppendString(out_, v);
  }
  void Bool(bool v) {
    Sep();
    *out_ += v ? "true" : "false";
  }
  void Int(long long v) {
    Sep();
    *out_ += std::to_string(v);
  }
  void Null() {
    Sep();
    *out_ += "null";
  }
  // Pre-encoded JSON value.
  void Raw(std::string_view json) {
    Sep();
    *out_ += json;
  }

  // Go encoding/json string escaping (HTML-safe).
  static void AppendString(std::string* out, std::string_view s);

 private:
  void Sep() {
    if (!first_) out_->push_back(',');
    first_ = false;
  }
  std::string* out_;
  bool first_ = true;
};

}  // namespace am::api

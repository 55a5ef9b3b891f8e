// JSON in and out of template values, following Go's encoding/json: toJson's output
// (HTML-safe escaping, sorted map keys, struct field tags of the data model) and loading
// template.Data from JSON for `template render --template.data`.
//
// Thread-safety: pure functions.
#ifndef AM_TEMPLATE_JSON_H_
#define AM_TEMPLATE_JSON_H_

#include <string>

#include "template/value.h"

namespace am::tmpl {

// json.Marshal(v). Throws FuncError for values Go cannot encode (NaN, complex).
std::string ToJson(const Value& v);

// json.Unmarshal into template.Data. Returns false and Go-like text in *err on failure.
bool DataFromJson(const std::string& text, Value* out, std::string* err);

// Go's time.Time JSON/RFC 3339 parse ("2006-01-02T15:04:05.999999999Z07:00").
bool ParseRfc3339(const std::string& s, GoTime* out);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_JSON_H_

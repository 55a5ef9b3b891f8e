// JSON output byte-identical to Go's encoding/json Encoder as Go 1.19 (the toolchain of Debian's
// Alertmanager 0.25) writes it: HTML-safe string escaping (<, >, & as \u003c, \u003e, \u0026),
// U+2028/U+2029 escaped, invalid UTF-8 replaced by \ufffd, control bytes other than \n \r \t as
// \u00XX (lower-case hex). Receivers may hash or sign the bodies, so every byte matters.
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>

#include "core/labels.h"

namespace am::notify {

// Appends `s` as a quoted JSON string.
void AppendGoJsonString(std::string* out, std::string_view s);

// Appends a map[string]string as Go marshals it: keys in byte order (a LabelSet is already
// sorted that way), `{}` when empty.
void AppendGoJsonStringMap(std::string* out, const LabelSet& kv);

}  // namespace am::notify

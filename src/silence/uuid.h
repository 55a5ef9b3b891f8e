// Silence ids: random (version 4) UUIDs in the canonical lower-case form upstream generates, and
// the UUID check go-swagger applies to the {silenceID} path parameter. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace am::silence {

// "xxxxxxxx-xxxx-4xxx-[89ab]xxx-xxxxxxxxxxxx" from the kernel's random source.
std::string NewUuidV4();

// go-openapi strfmt's UUID format: 32 hex digits, either case, with the four dashes optional
// (`(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$`).
bool IsSwaggerUuid(std::string_view s);

}  // namespace am::silence

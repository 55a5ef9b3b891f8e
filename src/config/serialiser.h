// Printing a Config back as YAML, as upstream's Config.String() does for /api/v2/status
// (config.original) and `amtool config show`: keys in upstream's order, defaults filled in,
// secrets as "<secret>". The output is what Alertmanager 0.25 prints for the keys 0.25 knows;
// keys added after 0.25 are printed only when they differ from their default, so the text stays
// readable by 0.25 tools whenever the config is. It loads again with LoadString. Pure; thread-safe.
#pragma once

#include <string>

#include "config/config.h"

namespace am::config {

enum class SecretMode {
  kMask,    // "<secret>" for every non-empty secret (what the API shows)
  kReveal,  // the real values (tests; never served)
};

std::string ToYaml(const Config& cfg, SecretMode mode = SecretMode::kMask);

}  // namespace am::config

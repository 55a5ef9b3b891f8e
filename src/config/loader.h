// Loading alertmanager.yml: strict like upstream (unknown keys, duplicate keys and type mismatches
// are errors at every level), defaults applied, every reference checked, matchers parsed with
// am::DefaultParseMode(). Throws ConfigError naming file, line and key for every problem found.
// Stateless; safe to call from any thread (but see am::SetDefaultParseMode).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "config/config.h"
#include "config/error.h"

namespace am::config {

// Reads `path` and loads it; relative paths in the file are joined with the file's directory.
// Throws ConfigError (also when the file cannot be read).
std::shared_ptr<const Config> LoadFile(const std::string& path);

// Loads YAML text. `filename_for_errors` prefixes every problem; `base_dir` is what relative
// template globs and http_config files are joined with ("" = leave them relative).
std::shared_ptr<const Config> LoadString(std::string_view yaml,
                                         const std::string& filename_for_errors,
                                         const std::string& base_dir);

}  // namespace am::config

// Template file globs: syntax check and expansion with Go's filepath.Glob / filepath.Match rules
// (`*`, `?`, `[...]` classes with ranges and `^` negation, backslash escapes). Pure functions.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace am::config {

// "" when `pattern` is well-formed, else upstream's error ("syntax error in pattern").
std::string CheckGlobPattern(std::string_view pattern);

// The files matching `pattern`, sorted (filepath.Glob). A malformed pattern yields nothing.
std::vector<std::string> ExpandGlob(const std::string& pattern);

}  // namespace am::config

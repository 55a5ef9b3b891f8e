// ConfigError: why an alertmanager.yml did not load. Each problem names the file, the line and
// the key path, printed as `<file>:<line>: <key path>: <message>` (one problem per line in
// what()). Line 0 means the problem has no place in the file (unreadable file, empty document);
// it prints as `<file>: <key path>: <message>`. Plain value type; thread-compatible.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

namespace am::config {

struct ConfigProblem {
  std::string file;
  int line = 0;         // 1-based; 0 = no position
  std::string path;     // e.g. "route.routes[1].group_wait"; may be empty
  std::string message;  // upstream's wording where upstream has one

  std::string String() const;
};

class ConfigError : public std::runtime_error {
 public:
  explicit ConfigError(std::vector<ConfigProblem> problems);

  // REQUIRES: non-empty. In the order they were found (strict-key and type problems first, in
  // document order, then the problem that stopped the load).
  const std::vector<ConfigProblem>& problems() const { return problems_; }

 private:
  std::vector<ConfigProblem> problems_;
};

}  // namespace am::config

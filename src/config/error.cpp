#include "config/error.h"

namespace am::config {

namespace {

std::string JoinProblems(const std::vector<ConfigProblem>& problems) {
  std::string out;
  for (const ConfigProblem& p : problems) {
    if (!out.empty()) out += "\n";
    out += p.String();
  }
  return out;
}

}  // namespace

std::string ConfigProblem::String() const {
  std::string out = file;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  if (!path.empty()) out += path + ": ";
  out += message;
  return out;
}

ConfigError::ConfigError(std::vector<ConfigProblem> problems)
    : std::runtime_error(JoinProblems(problems)), problems_(std::move(problems)) {}

}  // namespace am::config

// `alertmanager check-config FILE...` (and amtool check-config's output): for each file prints
// "Checking 'F'  SUCCESS" or "  FAILED: <error>", then what was found (global config, route,
// N inhibit rules, N receivers, N templates) and whether the templates load. Writes to stdout;
// returns the process exit code (0 all valid, 1 otherwise). Not thread-safe (writes stdout).
#pragma once

#include <functional>
#include <iosfwd>
#include <string>
#include <vector>

namespace am::config {

// Checks the template files a config names. Receives the config's template globs (already
// joined with the config's directory); returns "" when they load, else the error. config/ cannot
// parse templates itself (template/ depends on config/), so cmd/ passes the template engine here.
using TemplateChecker = std::function<std::string(const std::vector<std::string>& globs)>;

int RunCheckConfigCli(const std::vector<std::string>& files);

// Same, with a template checker (nullptr: only check that each glob is well-formed and that every
// file it matches can be read) and the streams for the report and the final error line.
int RunCheckConfigCli(const std::vector<std::string>& files, const TemplateChecker& checker,
                      std::ostream& out, std::ostream& err);

}  // namespace am::config

#include "config/check_config_cli.h"

#include <fstream>
#include <iostream>

#include "config/loader.h"
#include "config/template_glob.h"

namespace am::config {

namespace {

// Without a template engine: every glob well-formed, every matched file readable.
std::string CheckTemplateFiles(const std::vector<std::string>& globs) {
  for (const std::string& g : globs) {
    if (std::string err = CheckGlobPattern(g); !err.empty()) return err;
    for (const std::string& file : ExpandGlob(g)) {
      std::ifstream in(file);
      if (!in) return "open " + file + ": cannot read file";
    }
  }
  return "";
}

}  // namespace

int RunCheckConfigCli(const std::vector<std::string>& files) {
  return RunCheckConfigCli(files, nullptr, std::cout, std::cerr);
}

int RunCheckConfigCli(const std::vector<std::string>& files, const TemplateChecker& checker,
                      std::ostream& out, std::ostream& err) {
  int failed = 0;
  for (const std::string& file : files) {
    out << "Checking '" << file << "'";
    std::shared_ptr<const Config> cfg;
    try {
      cfg = LoadFile(file);
      out << "  SUCCESS\n";
    } catch (const ConfigError& e) {
      out << "  FAILED: " << e.what() << "\n";
      ++failed;
    }
    if (cfg) {
      out << "Found:\n";
      out << " - global config\n";
      out << " - route\n";
      out << " - " << cfg->inhibit_rules.size() << " inhibit rules\n";
      out << " - " << cfg->receivers.size() << " receivers\n";
      out << " - " << cfg->templates.size() << " templates\n";
      if (!cfg->templates.empty()) {
        std::string err = checker ? checker(cfg->templates) : CheckTemplateFiles(cfg->templates);
        if (err.empty()) {
          out << "  SUCCESS\n";
        } else {
          out << "  FAILED: " << err << "\n";
          ++failed;
        }
      }
    }
    out << "\n";
  }
  if (failed > 0) {
    out.flush();
    err << "alertmanager: error: failed to validate " << failed << " file(s)\n";
    return 1;
  }
  return 0;
}

}  // namespace am::config

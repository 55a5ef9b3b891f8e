// am::config::Config: one loaded alertmanager.yml, immutable, defaults applied, every reference
// checked. Shared as std::shared_ptr<const Config> between the subsystems a reload swaps; safe to
// read from any thread. Load with loader.h, print with serialiser.h.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/global.h"
#include "config/inhibit_rule.h"
#include "config/receiver.h"
#include "config/route.h"
#include "config/time_interval.h"

namespace am::config {

struct Config {
  Config() = default;
  Config(const Config&) = delete;
  Config& operator=(const Config&) = delete;

  GlobalConfig global;
  std::unique_ptr<Route> route;  // never null in a loaded Config
  std::vector<InhibitRule> inhibit_rules;
  std::vector<Receiver> receivers;
  // Glob patterns, joined with the config file's directory when relative (upstream
  // resolveFilepaths); syntax checked; may match nothing.
  std::vector<std::string> templates;
  std::vector<NamedTimeInterval> mute_time_intervals;  // deprecated top-level form
  std::vector<NamedTimeInterval> time_intervals;

  // The file's text exactly as read (the daemon hashes it for alertmanager_config_hash).
  std::string original;
  std::string filename;
  std::string base_dir;
  // Non-fatal notes, e.g. the matcher parser's fallback warnings; the daemon logs them.
  std::vector<std::string> warnings;

  const Receiver* FindReceiver(std::string_view name) const;
  // Searches time_intervals then mute_time_intervals (names are unique across both).
  const NamedTimeInterval* FindTimeInterval(std::string_view name) const;

  // Value equality of everything parsed (not original text, file name or warnings).
  bool operator==(const Config& o) const;
};

}  // namespace am::config

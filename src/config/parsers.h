// Internal to config/: one parser per block of alertmanager.yml. Each reads its mapping strictly
// through a MapReader, applies upstream's defaults and the checks upstream's UnmarshalYAML makes
// for that block; cross-block checks (references, inheritance from global) live in loader.cpp.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "config/config.h"
#include "config/yaml_reader.h"

namespace am::config::detail {

HttpClientConfig ParseHttpConfig(Context& ctx, const YAML::Node& node, const std::string& path,
                                 int line);
TlsConfig ParseTlsConfig(Context& ctx, const YAML::Node& node, const std::string& path, int line);
// Joins relative file paths with `dir` (common's SetDirectory).
void SetHttpConfigDirectory(HttpClientConfig* c, const std::string& dir);

GlobalConfig ParseGlobal(Context& ctx, const YAML::Node& node, const std::string& path, int line);

std::unique_ptr<Route> ParseRoute(Context& ctx, const YAML::Node& node, const std::string& path,
                                  int line);

// Legacy `match` / `match_re` maps (classic label names; regexes compile when anchored) and
// `matchers:` lists, shared by routes and inhibit rules.
std::vector<std::pair<std::string, std::string>> ReadLegacyMatch(const MapReader& r,
                                                                 std::string_view key);
std::vector<std::pair<std::string, std::string>> ReadLegacyMatchRe(const MapReader& r,
                                                                   std::string_view key);
Matchers ReadMatcherList(const MapReader& r, std::string_view key);

InhibitRule ParseInhibitRule(Context& ctx, const YAML::Node& node, const std::string& path,
                             int line);

// `deprecated_form`: the top-level mute_time_intervals list (only its error wording differs).
NamedTimeInterval ParseNamedTimeInterval(Context& ctx, const YAML::Node& node,
                                         const std::string& path, int line, bool deprecated_form);

// An integration list this Alertmanager does not implement, found while reading a receiver.
struct UnsupportedIntegration {
  std::string key;  // e.g. "slack_configs"
  int line = 0;
  std::string path;
};

// What the loader needs besides the Receiver to finish it.
struct ReceiverExtras {
  std::vector<UnsupportedIntegration> unsupported;
  std::vector<bool> webhook_has_http_config;  // per webhook config, in order
  std::vector<bool> email_has_require_tls;    // per email config, in order
};

// Reads a receiver's own keys; webhook/email configs are parsed without global inheritance (the
// loader applies it), other integrations are validated and listed in `extras->unsupported`.
Receiver ParseReceiver(Context& ctx, const YAML::Node& node, const std::string& path, int line,
                       ReceiverExtras* extras);

// Validates the keys of one element of an unsupported integration list (e.g. a slack config)
// against upstream 0.34's schema for it.
void ValidateUnsupportedIntegration(Context& ctx, const std::string& key, const YAML::Node& node,
                                    const std::string& path, int line);

// Validates the keys of the top-level `tracing` / `event_recorder` blocks; returns true when the
// block asks for something (we refuse those): any non-null tracing block (upstream requires an
// endpoint in it), an event recorder with at least one output.
bool ValidateTracing(Context& ctx, const YAML::Node& node, const std::string& path, int line);
bool ValidateEventRecorder(Context& ctx, const YAML::Node& node, const std::string& path, int line);

// Label-name validity under the process-wide matcher parse mode (classic in classic-mode, any
// UTF-8 otherwise), as upstream's compat.IsValidLabelName.
bool IsValidLabelNameForMode(std::string_view name);

}  // namespace am::config::detail

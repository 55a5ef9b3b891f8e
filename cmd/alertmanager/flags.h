// Command-line flags with Alertmanager's names, defaults and kingpin parsing rules
// (--name=value, --name value, --[no-]bool, repeatable flags, Go durations). Every flag upstream
// has up to 0.34 is known: implemented ones are parsed into Options, the ones this build does not
// implement yet are refused with an error naming them when given a non-default value, and a flag
// upstream does not have is an error. Pure parsing; no I/O besides what the caller prints.
#pragma once

#include <chrono>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace am::cmd {

struct Options {
  std::string config_file = "alertmanager.yml";
  std::string storage_path = "data/";
  std::chrono::nanoseconds data_retention = std::chrono::hours(120);
  std::chrono::nanoseconds maintenance_interval = std::chrono::minutes(15);
  std::chrono::nanoseconds alerts_gc_interval = std::chrono::minutes(30);
  std::chrono::nanoseconds dispatch_maintenance_interval = std::chrono::seconds(30);
  std::chrono::nanoseconds dispatch_start_delay{0};
  long long silences_max_silences = 0;
  long long silences_max_silence_size_bytes = 0;
  bool log_silences = false;

  std::vector<std::string> web_listen_addresses = {":9093"};
  std::string web_external_url;
  std::optional<std::string> web_route_prefix;
  int web_get_concurrency = 0;
  std::chrono::nanoseconds web_timeout{0};

  std::string cluster_listen_address = "0.0.0.0:9094";
  std::string cluster_advertise_address;
  std::string cluster_peer_name;
  std::vector<std::string> cluster_peers;
  std::chrono::nanoseconds cluster_peer_timeout = std::chrono::seconds(15);
  std::chrono::nanoseconds cluster_peers_resolve_timeout = std::chrono::seconds(15);
  std::chrono::nanoseconds cluster_gossip_interval = std::chrono::milliseconds(200);
  std::chrono::nanoseconds cluster_pushpull_interval = std::chrono::minutes(1);
  std::chrono::nanoseconds cluster_tcp_timeout = std::chrono::seconds(10);
  std::chrono::nanoseconds cluster_probe_timeout = std::chrono::milliseconds(500);
  std::chrono::nanoseconds cluster_probe_interval = std::chrono::seconds(1);
  std::chrono::nanoseconds cluster_settle_timeout = std::chrono::minutes(1);
  std::chrono::nanoseconds cluster_reconnect_interval = std::chrono::seconds(10);
  std::chrono::nanoseconds cluster_reconnect_timeout = std::chrono::hours(6);
  std::string cluster_tls_config;
  bool cluster_allow_insecure_public_advertise = false;
  std::string cluster_label;

  std::vector<std::string> features;  // from --enable-feature, split on commas
  std::string log_level = "info";
  std::string log_format = "logfmt";

  bool show_version = false;
  bool show_help = false;
  // Flags the user set explicitly (long names without "--"), for later checks and warnings.
  std::vector<std::string> explicitly_set;
  bool IsSet(const std::string& name) const;
};

class FlagError : public std::runtime_error {
 public:
  explicit FlagError(const std::string& what) : std::runtime_error(what) {}
};

// Parses argv[first..]. Throws FlagError with kingpin's wording
// ("unknown long flag '--foo'", "expected argument for flag '--x'", ...) or ours for flags that are
// refused ("flag --web.config.file is not supported by this build yet").
Options ParseFlags(const std::vector<std::string>& args);

// --help text.
std::string HelpText(const std::string& program);

}  // namespace am::cmd

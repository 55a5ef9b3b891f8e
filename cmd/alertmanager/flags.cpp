#include "flags.h"

#include <algorithm>
#include <functional>
#include <sstream>

#include "core/duration.h"
#include "core/error.h"

namespace am::cmd {
namespace {

enum class Kind { kString, kBool, kDuration, kInt, kFloat, kStrings };
enum class Support { kImplemented, kRefused };

struct FlagDef {
  std::string name;
  Kind kind;
  std::string default_text;  // as --help prints it
  std::string help;
  Support support;
  std::function<void(Options&, const std::string&)> set;
};

std::chrono::nanoseconds Dur(const std::string& flag, const std::string& v) {
  try {
    return ParseGoDuration(v);
  } catch (const ParseError& e) {
    throw FlagError(std::string(e.what()) + " for flag '--" + flag + "'");
  }
}

long long Int(const std::string& flag, const std::string& v) {
  try {
    size_t pos = 0;
    long long n = std::stoll(v, &pos, 0);
    if (pos != v.size()) throw std::invalid_argument(v);
    return n;
  } catch (const std::exception&) {
    throw FlagError("strconv.ParseInt: parsing \"" + v + "\": invalid syntax for flag '--" + flag +
                    "'");
  }
}

bool Bool(const std::string& flag, const std::string& v) {
  if (v == "1" || v == "t" || v == "T" || v == "true" || v == "TRUE" || v == "True") return true;
  if (v == "0" || v == "f" || v == "F" || v == "false" || v == "FALSE" || v == "False")
    return false;
  throw FlagError("strconv.ParseBool: parsing \"" + v + "\": invalid syntax for flag '--" + flag +
                  "'");
}

const std::vector<FlagDef>& Defs() {
  using S = Support;
  static const std::vector<FlagDef> defs = {
      {"config.file", Kind::kString, "\"alertmanager.yml\"",
       "Alertmanager configuration file name.", S::kImplemented,
       [](Options& o, const std::string& v) { o.config_file = v; }},
      {"storage.path", Kind::kString, "\"data/\"", "Base path for data storage.", S::kImplemented,
       [](Options& o, const std::string& v) { o.storage_path = v; }},
      {"data.retention", Kind::kDuration, "120h", "How long to keep data for.", S::kImplemented,
       [](Options& o, const std::string& v) { o.data_retention = Dur("data.retention", v); }},
      {"data.maintenance-interval", Kind::kDuration, "15m",
       "Interval between garbage collection and snapshotting to disk of the silences and the "
       "notification logs.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.maintenance_interval = Dur("data.maintenance-interval", v);
       }},
      {"silences.max-silences", Kind::kInt, "0",
       "Maximum number of silences, including expired silences. If negative or zero, no limit is "
       "set.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.silences_max_silences = Int("silences.max-silences", v);
       }},
      {"silences.max-silence-size-bytes", Kind::kInt, "0",
       "Maximum silence size in bytes. If negative or zero, no limit is set.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.silences_max_silence_size_bytes = Int("silences.max-silence-size-bytes", v);
       }},
      {"log.silences", Kind::kBool, "", "Log silence create, update and expire events.",
       S::kImplemented,
       [](Options& o, const std::string& v) { o.log_silences = Bool("log.silences", v); }},
      {"alerts.gc-interval", Kind::kDuration, "30m", "Interval between alert GC.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.alerts_gc_interval = Dur("alerts.gc-interval", v);
       }},
      {"alerts.per-alertname-limit", Kind::kInt, "0",
       "Maximum number of alerts per alertname. If negative or zero, no limit is set.", S::kRefused,
       [](Options&, const std::string& v) { Int("alerts.per-alertname-limit", v); }},
      {"dispatch.maintenance-interval", Kind::kDuration, "30s",
       "Interval between maintenance of aggregation groups in the dispatcher.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.dispatch_maintenance_interval = Dur("dispatch.maintenance-interval", v);
       }},
      {"dispatch.start-delay", Kind::kDuration, "0s",
       "Minimum amount of time to wait before dispatching alerts after start.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.dispatch_start_delay = Dur("dispatch.start-delay", v);
       }},
      {"web.systemd-socket", Kind::kBool, "",
       "Use systemd socket activation listeners instead of port listeners (Linux only).",
       S::kRefused, [](Options&, const std::string& v) { Bool("web.systemd-socket", v); }},
      {"web.listen-address", Kind::kStrings, ":9093",
       "Addresses on which to expose metrics and web interface. Repeatable for multiple "
       "addresses.",
       S::kImplemented,
       [](Options& o, const std::string& v) { o.web_listen_addresses.push_back(v); }},
      {"web.config.file", Kind::kString, "\"\"",
       "Path to configuration file that can enable TLS or authentication.", S::kRefused,
       [](Options&, const std::string&) {}},
      {"web.external-url", Kind::kString, "",
       "The URL under which Alertmanager is externally reachable.", S::kImplemented,
       [](Options& o, const std::string& v) { o.web_external_url = v; }},
      {"web.route-prefix", Kind::kString, "",
       "Prefix for the internal routes of web endpoints. Defaults to path of --web.external-url.",
       S::kImplemented, [](Options& o, const std::string& v) { o.web_route_prefix = v; }},
      {"web.get-concurrency", Kind::kInt, "0",
       "Maximum number of GET requests processed concurrently. If negative or zero, the limit is "
       "GOMAXPROC or 8, whichever is larger.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.web_get_concurrency = static_cast<int>(Int("web.get-concurrency", v));
       }},
      {"web.timeout", Kind::kDuration, "0",
       "Timeout for HTTP requests. If negative or zero, no timeout is set.", S::kImplemented,
       [](Options& o, const std::string& v) { o.web_timeout = Dur("web.timeout", v); }},
      {"auto-gomemlimit.ratio", Kind::kFloat, "0.9",
       "The ratio of reserved GOMEMLIMIT memory to the detected maximum container or system "
       "memory.",
       S::kRefused, [](Options&, const std::string&) {}},
      {"cluster.listen-address", Kind::kString, "\"0.0.0.0:9094\"",
       "Listen address for cluster. Set to empty string to disable HA mode.", S::kImplemented,
       [](Options& o, const std::string& v) { o.cluster_listen_address = v; }},
      {"cluster.advertise-address", Kind::kString, "", "Explicit address to advertise in cluster.",
       S::kImplemented, [](Options& o, const std::string& v) { o.cluster_advertise_address = v; }},
      {"cluster.peer-name", Kind::kString, "\"\"",
       "Peer name to use in the cluster; a random ULID when empty.", S::kImplemented,
       [](Options& o, const std::string& v) { o.cluster_peer_name = v; }},
      {"cluster.peer", Kind::kStrings, "", "Initial peers (may be repeated).", S::kImplemented,
       [](Options& o, const std::string& v) { o.cluster_peers.push_back(v); }},
      {"cluster.peer-timeout", Kind::kDuration, "15s",
       "Time to wait between peers to send notifications.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_peer_timeout = Dur("cluster.peer-timeout", v);
       }},
      {"cluster.peers-resolve-timeout", Kind::kDuration, "15s", "Time to resolve peers.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_peers_resolve_timeout = Dur("cluster.peers-resolve-timeout", v);
       }},
      {"cluster.gossip-interval", Kind::kDuration, "200ms",
       "Interval between sending gossip messages.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_gossip_interval = Dur("cluster.gossip-interval", v);
       }},
      {"cluster.pushpull-interval", Kind::kDuration, "1m0s", "Interval for gossip state syncs.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_pushpull_interval = Dur("cluster.pushpull-interval", v);
       }},
      {"cluster.tcp-timeout", Kind::kDuration, "10s",
       "Timeout for establishing a stream connection with a remote node for a full state sync, "
       "and for stream read and write operations.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_tcp_timeout = Dur("cluster.tcp-timeout", v);
       }},
      {"cluster.probe-timeout", Kind::kDuration, "500ms",
       "Timeout to wait for an ack from a probed node before assuming it is unhealthy.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_probe_timeout = Dur("cluster.probe-timeout", v);
       }},
      {"cluster.probe-interval", Kind::kDuration, "1s", "Interval between random node probes.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_probe_interval = Dur("cluster.probe-interval", v);
       }},
      {"cluster.settle-timeout", Kind::kDuration, "1m0s",
       "Maximum time to wait for cluster connections to settle before evaluating notifications.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_settle_timeout = Dur("cluster.settle-timeout", v);
       }},
      {"cluster.reconnect-interval", Kind::kDuration, "10s",
       "Interval between attempting to reconnect to lost peers.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_reconnect_interval = Dur("cluster.reconnect-interval", v);
       }},
      {"cluster.reconnect-timeout", Kind::kDuration, "6h0m0s",
       "Length of time to attempt to reconnect to a lost peer.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_reconnect_timeout = Dur("cluster.reconnect-timeout", v);
       }},
      {"cluster.tls-config", Kind::kString, "\"\"",
       "Path to config yaml file that can enable mutual TLS within the gossip protocol.",
       S::kImplemented, [](Options& o, const std::string& v) { o.cluster_tls_config = v; }},
      {"cluster.allow-insecure-public-advertise-address-discovery", Kind::kBool, "",
       "Allow alertmanager to discover and listen on a public IP address.", S::kImplemented,
       [](Options& o, const std::string& v) {
         o.cluster_allow_insecure_public_advertise =
             Bool("cluster.allow-insecure-public-advertise-address-discovery", v);
       }},
      {"cluster.label", Kind::kString, "\"\"",
       "The cluster label is an optional string to include on each packet and stream. It uniquely "
       "identifies the cluster and prevents cross-communication issues when sending gossip "
       "messages.",
       S::kImplemented, [](Options& o, const std::string& v) { o.cluster_label = v; }},
      {"enable-feature", Kind::kStrings, "",
       "Comma-separated experimental features to enable. Valid options: classic-mode, "
       "utf8-strict-mode.",
       S::kImplemented,
       [](Options& o, const std::string& v) {
         std::stringstream ss(v);
         std::string item;
         while (std::getline(ss, item, ',')) {
           if (!item.empty()) o.features.push_back(item);
         }
       }},
      {"log.level", Kind::kString, "info",
       "Only log messages with the given severity or above. One of: [debug, info, warn, error]",
       S::kImplemented, [](Options& o, const std::string& v) { o.log_level = v; }},
      {"log.format", Kind::kString, "logfmt",
       "Output format of log messages. One of: [logfmt, json]", S::kImplemented,
       [](Options& o, const std::string& v) { o.log_format = v; }},
  };
  return defs;
}

const FlagDef* Find(const std::string& name) {
  for (const auto& d : Defs()) {
    if (d.name == name) return &d;
  }
  return nullptr;
}

// A refused flag is an error only when it would change behaviour: its value differs from the
// default. Giving the default explicitly (e.g. `--web.config.file=` from a packaged defaults file)
// changes nothing and is accepted.
bool IsDefaultValue(const FlagDef& d, const std::string& v) {
  switch (d.kind) {
    case Kind::kBool:
      return !Bool(d.name, v);
    case Kind::kInt:
      return Int(d.name, v) == 0;
    case Kind::kString:
      return v.empty();
    case Kind::kFloat:
      return v == "0.9";
    default:
      return false;
  }
}

}  // namespace

bool Options::IsSet(const std::string& name) const {
  return std::find(explicitly_set.begin(), explicitly_set.end(), name) != explicitly_set.end();
}

Options ParseFlags(const std::vector<std::string>& args) {
  Options o;
  bool listen_reset = false, peers_reset = false;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a == "-h" || a == "--help" || a == "--help-long" || a == "--help-man") {
      o.show_help = true;
      continue;
    }
    if (a == "--version") {
      o.show_version = true;
      continue;
    }
    if (a.rfind("--", 0) != 0) {
      if (a.rfind("-", 0) == 0 && a.size() > 1) {
        throw FlagError("unknown short flag '" + a.substr(0, 2) + "'");
      }
      throw FlagError("unexpected " + a);
    }
    std::string body = a.substr(2);
    std::string name = body, value;
    bool has_value = false;
    if (auto eq = body.find('='); eq != std::string::npos) {
      name = body.substr(0, eq);
      value = body.substr(eq + 1);
      has_value = true;
    }
    const FlagDef* def = Find(name);
    bool negated = false;
    if (!def && name.rfind("no-", 0) == 0) {
      const FlagDef* d = Find(name.substr(3));
      if (d && d->kind == Kind::kBool) {
        def = d;
        negated = true;
      }
    }
    if (!def) throw FlagError("unknown long flag '--" + name + "'");
    if (def->kind == Kind::kBool) {
      if (negated) {
        if (has_value) throw FlagError("unexpected " + value);
        value = "false";
      } else if (!has_value) {
        value = "true";
      }
    } else if (!has_value) {
      if (i + 1 >= args.size()) throw FlagError("expected argument for flag '--" + name + "'");
      value = args[++i];
    }
    if (def->support == Support::kRefused && !IsDefaultValue(*def, value)) {
      throw FlagError("flag --" + def->name + " is not supported by this Alertmanager yet");
    }
    if (def->name == "web.listen-address" && !listen_reset) {
      o.web_listen_addresses.clear();
      listen_reset = true;
    }
    if (def->name == "cluster.peer" && !peers_reset) {
      o.cluster_peers.clear();
      peers_reset = true;
    }
    def->set(o, value);
    o.explicitly_set.push_back(def->name);
  }
  // --enable-feature values: only the matcher modes are implemented.
  bool classic = false, utf8 = false;
  for (const auto& f : o.features) {
    if (f == "classic-mode") {
      classic = true;
    } else if (f == "utf8-strict-mode") {
      utf8 = true;
    } else if (f == "alert-names-in-metrics" || f == "receiver-name-in-metrics" ||
               f == "group-key-in-metrics" || f == "auto-gomemlimit" || f == "event-recorder" ||
               f == "auto-gomaxprocs") {
      throw FlagError("feature '" + f +
                      "' of --enable-feature is not supported by this "
                      "Alertmanager yet");
    } else {
      throw FlagError("Unknown option '" + f + "' for --enable-feature");
    }
  }
  if (classic && utf8) {
    throw FlagError("cannot have both classic and UTF-8 modes enabled");
  }
  return o;
}

std::string HelpText(const std::string& program) {
  std::string out = "usage: " + program + " [<flags>]\n\nFlags:\n";
  out += "  -h, --help                     Show context-sensitive help.\n";
  for (const auto& d : Defs()) {
    std::string line = "      --" + d.name;
    if (d.kind != Kind::kBool) {
      line += "=";
      line += d.default_text.empty() ? "VALUE" : d.default_text;
    }
    if (d.kind == Kind::kStrings) line += " ...";
    out += line + "\n                                 " + d.help;
    if (d.support == Support::kRefused) out += " [not supported by this build yet]";
    out += "\n";
  }
  out += "      --version                  Show application version.\n";
  out +=
      "\nCommands (besides running the daemon):\n"
      "  " +
      program +
      " check-config FILE...\n"
      "  " +
      program +
      " template render --template.glob=GLOB --template.text=TEXT "
      "[--template.data=FILE] [--template.type=text|html]\n"
      "  " +
      program + " cluster check --url=URL [--url=URL ...]\n";
  return out;
}

}  // namespace am::cmd

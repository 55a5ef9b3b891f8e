#include "daemon_backend.h"

#include <openssl/evp.h>
#include <yaml-cpp/yaml.h>

#include <cstring>
#include <set>

#include "api/json_writer.h"
#include "config/error.h"
#include "config/loader.h"
#include "config/serialiser.h"
#include "core/log.h"
#include "dispatch/route_match.h"

namespace am::cmd {
namespace {

// Upstream's md5HashAsMetricValue: the first 48 bits of md5(file), little-endian, as a float.
double Md5AsMetricValue(const std::string& data) {
  unsigned char sum[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), sum, &len, EVP_md5(), nullptr);
  uint64_t v = 0;
  for (int i = 5; i >= 0; --i) v = (v << 8) | sum[i];
  return static_cast<double>(v);
}

void YamlToJson(const YAML::Node& n, std::string* out) {
  switch (n.Type()) {
    case YAML::NodeType::Map: {
      out->push_back('{');
      bool first = true;
      for (const auto& kv : n) {
        if (!first) out->push_back(',');
        first = false;
        api::JsonWriter::AppendString(out, kv.first.as<std::string>());
        out->push_back(':');
        YamlToJson(kv.second, out);
      }
      out->push_back('}');
      break;
    }
    case YAML::NodeType::Sequence: {
      out->push_back('[');
      bool first = true;
      for (const auto& item : n) {
        if (!first) out->push_back(',');
        first = false;
        YamlToJson(item, out);
      }
      out->push_back(']');
      break;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = n.Scalar();
      if (n.Tag() != "!" && (s == "true" || s == "false")) {
        *out += s;
      } else if (n.Tag() != "!" && !s.empty() &&
                 s.find_first_not_of("0123456789") == std::string::npos && s.size() < 16) {
        *out += s;
      } else {
        api::JsonWriter::AppendString(out, s);
      }
      break;
    }
    default:
      *out += "null";
  }
}

}  // namespace

DaemonBackend::DaemonBackend(std::string config_file, alert::Store& store,
                             prometheus::Registry& registry)
    : config_file_(std::move(config_file)), store_(store) {
  config_hash_ = &prometheus::BuildGauge()
                      .Name("alertmanager_config_hash")
                      .Help("Hash of the currently loaded alertmanager configuration.")
                      .Register(registry)
                      .Add({});
  reload_success_ = &prometheus::BuildGauge()
                         .Name("alertmanager_config_last_reload_successful")
                         .Help("Whether the last configuration reload attempt was successful.")
                         .Register(registry)
                         .Add({});
  reload_success_ts_ = &prometheus::BuildGauge()
                            .Name("alertmanager_config_last_reload_success_timestamp_seconds")
                            .Help("Timestamp of the last successful configuration reload.")
                            .Register(registry)
                            .Add({});
  receivers_ = &prometheus::BuildGauge()
                    .Name("alertmanager_receivers")
                    .Help("Number of configured receivers.")
                    .Register(registry)
                    .Add({});
  integrations_ = &prometheus::BuildGauge()
                       .Name("alertmanager_integrations")
                       .Help("Number of configured integrations.")
                       .Register(registry)
                       .Add({});
}

std::string DaemonBackend::LoadConfig() {
  std::lock_guard reload_lock(reload_mu_);
  AM_LOG(kInfo, "configuration", "Loading configuration file", {{"file", config_file_}});
  std::shared_ptr<const config::Config> cfg;
  try {
    cfg = config::LoadFile(config_file_);
  } catch (const std::exception& e) {
    AM_LOG(kError, "configuration", "Loading configuration file failed",
           {{"file", config_file_}, {"err", e.what()}});
    reload_success_->Set(0);
    return e.what();
  }
  if (validator_) {
    if (std::string err = validator_(cfg); !err.empty()) {
      AM_LOG(kError, "configuration", "Loading configuration file failed",
             {{"file", config_file_}, {"err", err}});
      reload_success_->Set(0);
      return err;
    }
  }
  for (const auto& w : cfg->warnings) {
    AM_LOG(kWarn, "configuration", w, {{"file", config_file_}});
  }
  std::string yaml = config::ToYaml(*cfg);
  std::string json;
  try {
    YamlToJson(YAML::Load(yaml), &json);
  } catch (const std::exception&) {
    json = "null";
  }
  // Receivers not referenced by any route are not instantiated, as upstream does.
  std::set<std::string> used;
  cfg->route->Walk([&](const config::Route& r) { used.insert(r.opts.receiver); });
  size_t integrations = 0;
  for (const auto& r : cfg->receivers) {
    if (!used.count(r.name)) {
      AM_LOG(kInfo, "configuration", "skipping creation of receiver not referenced by any route",
             {{"receiver", r.name}});
      continue;
    }
    integrations += r.email_configs.size() + r.webhook_configs.size();
  }
  {
    std::lock_guard lock(mu_);
    config_ = cfg;
    config_yaml_ = std::move(yaml);
    config_json_ = std::move(json);
  }
  if (on_reload_) on_reload_(cfg);
  config_hash_->Set(Md5AsMetricValue(cfg->original));
  reload_success_->Set(1);
  reload_success_ts_->Set(
      std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count());
  receivers_->Set(static_cast<double>(cfg->receivers.size()));
  integrations_->Set(static_cast<double>(integrations));
  AM_LOG(kInfo, "configuration", "Completed loading of configuration file",
         {{"file", config_file_}});
  return "";
}

std::shared_ptr<const config::Config> DaemonBackend::config() const {
  std::lock_guard lock(mu_);
  return config_;
}

Duration DaemonBackend::ResolveTimeout() const { return config()->global.resolve_timeout; }

std::vector<std::string> DaemonBackend::ReceiverNames() const {
  std::vector<std::string> out;
  for (const auto& r : config()->receivers) out.push_back(r.name);
  return out;
}

std::string DaemonBackend::ConfigYaml() const {
  std::lock_guard lock(mu_);
  return config_yaml_;
}

std::string DaemonBackend::ConfigJson() const {
  std::lock_guard lock(mu_);
  return config_json_;
}

std::vector<api::RouteMatchView> DaemonBackend::Match(const LabelSet& labels) const {
  auto cfg = config();
  std::vector<api::RouteMatchView> out;
  for (const config::Route* r : dispatch::MatchRoutes(*cfg->route, labels)) {
    out.push_back({r, r->opts.receiver, dispatch::GroupLabels(*r, labels)});
  }
  return out;
}

void DaemonBackend::Receivers(const LabelSet& labels, std::vector<std::string>* out) const {
  auto cfg = config();
  for (const config::Route* r : dispatch::MatchRoutes(*cfg->route, labels)) {
    out->push_back(r->opts.receiver);
  }
}

api::AlertStatusView DaemonBackend::Status(const Alert& alert) const {
  api::AlertStatusView st;
  Time now = Now();
  if (inhibitor_) {
    for (uint64_t fp : inhibitor_->Mutes(alert.labels, now)) {
      st.inhibited_by.push_back(FingerprintString(fp));
    }
  }
  if (silences_) st.silenced_by = silences_->MutedBy(alert.labels, alert.Fingerprint(), now);
  if (!st.inhibited_by.empty() || !st.silenced_by.empty()) st.state = "suppressed";
  return st;
}

api::ClusterStatusView DaemonBackend::Cluster() const {
  return cluster_ ? cluster_() : api::ClusterStatusView{};
}

void DaemonBackend::PutAlerts(std::vector<Alert> alerts) { store_.Put(std::move(alerts)); }

std::vector<AlertPtr> DaemonBackend::Alerts() const { return store_.List(); }

}  // namespace am::cmd

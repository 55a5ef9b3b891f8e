// DaemonBackend: the daemon's side of api::Backend. Owns the current configuration (swapped
// atomically on reload, with the reload metrics of upstream's coordinator) and answers the API's
// questions from it and from the alert store. Thread-safe: config_ is a shared_ptr read under a
// mutex and replaced whole; reloads are serialised by reload_mu_.
#pragma once

#include <prometheus/gauge.h>
#include <prometheus/registry.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "alert/store.h"
#include "api/backend.h"
#include "config/config.h"
#include "dispatch/muter.h"
#include "silence/store.h"

namespace am::cmd {

class DaemonBackend final : public api::Backend {
 public:
  DaemonBackend(std::string config_file, alert::Store& store, prometheus::Registry& registry);

  // Loads the config file; on failure logs upstream's lines, sets the reload metric to 0 and
  // returns the error (the current config, if any, stays).
  std::string LoadConfig();
  std::shared_ptr<const config::Config> config() const;
  // Extra validation of a parsed config before it is swapped in (e.g. loading its templates);
  // returns "" or the error that fails the (re)load. Set once before the first LoadConfig.
  void SetValidator(std::function<std::string(const std::shared_ptr<const config::Config>&)> f) {
    validator_ = std::move(f);
  }
  // Called after every successful (re)load with the new config, under the reload lock.
  void OnReload(std::function<void(const std::shared_ptr<const config::Config>&)> f) {
    on_reload_ = std::move(f);
  }

  // Query-time inhibition for the API's status fields. Not owned; set once before serving.
  void SetInhibitor(const dispatch::Muter* inhibitor) { inhibitor_ = inhibitor; }
  void SetSilences(const silence::Store* silences) { silences_ = silences; }
  // The cluster's view and readiness (unset: cluster disabled, always ready). Set once before
  // serving; both must be thread-safe.
  void SetCluster(std::function<api::ClusterStatusView()> status, std::function<bool()> ready) {
    cluster_ = std::move(status);
    ready_ = std::move(ready);
  }

  // api::Backend
  Duration ResolveTimeout() const override;
  std::vector<std::string> ReceiverNames() const override;
  std::string ConfigYaml() const override;
  std::string ConfigJson() const override;
  std::vector<api::RouteMatchView> Match(const LabelSet& labels) const override;
  void Receivers(const LabelSet& labels, std::vector<std::string>* out) const override;
  api::AlertStatusView Status(const Alert& alert) const override;
  std::string Reload() override { return LoadConfig(); }
  api::ClusterStatusView Cluster() const override;
  bool Ready() const override { return ready_ ? ready_() : true; }
  void PutAlerts(std::vector<Alert> alerts) override;
  std::vector<AlertPtr> Alerts() const override;

 private:
  std::string config_file_;
  alert::Store& store_;
  const dispatch::Muter* inhibitor_ = nullptr;
  const silence::Store* silences_ = nullptr;
  std::function<api::ClusterStatusView()> cluster_;
  std::function<bool()> ready_;
  std::mutex reload_mu_;
  mutable std::mutex mu_;
  std::shared_ptr<const config::Config> config_;  // guarded by mu_
  std::string config_yaml_;                       // guarded by mu_
  std::string config_json_;                       // guarded by mu_
  std::function<void(const std::shared_ptr<const config::Config>&)> on_reload_;
  std::function<std::string(const std::shared_ptr<const config::Config>&)> validator_;

  prometheus::Gauge* config_hash_;
  prometheus::Gauge* reload_success_;
  prometheus::Gauge* reload_success_ts_;
  prometheus::Gauge* receivers_;
  prometheus::Gauge* integrations_;
};

}  // namespace am::cmd

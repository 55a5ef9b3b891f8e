#include "daemon.h"

#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdlib>
#include <filesystem>
#include <optional>

#include "alert/store.h"
#include "alerts_collector.h"
#include "api/api.h"
#include "api/http_server.h"
#include "api/process_collector.h"
#include "api/silence_api.h"
#include "cluster/peer.h"
#include "cluster/state_channel.h"
#include "cluster/tls_config.h"
#include "core/duration.h"
#include "core/log.h"
#include "core/matcher.h"
#include "daemon_backend.h"
#include "dispatch/dispatcher.h"
#include "dispatch/inhibitor.h"
#include "nflog/nflog.h"
#include "notify/dispatch_muter.h"
#include "notify/email.h"
#include "notify/http_client.h"
#include "notify/metrics.h"
#include "notify/muter.h"
#include "notify/pipeline.h"
#include "silence/store.h"
#include "template/template.h"
#include "version.h"

namespace am::cmd {
namespace {

std::string VersionLine() {
  return std::string("(version=") + kVersion + ", branch=" + kBranch + ", revision=" + kRevision +
         ")";
}

// Splits "host:port" the way Go's net.SplitHostPort does for the cases flags use.
bool SplitHostPort(const std::string& addr, std::string* host, std::string* port) {
  if (!addr.empty() && addr[0] == '[') {
    auto end = addr.find(']');
    if (end == std::string::npos || end + 1 >= addr.size() || addr[end + 1] != ':') return false;
    *host = addr.substr(1, end - 1);
    *port = addr.substr(end + 2);
    return true;
  }
  auto colon = addr.rfind(':');
  if (colon == std::string::npos) return false;
  *host = addr.substr(0, colon);
  *port = addr.substr(colon + 1);
  return host->find(':') == std::string::npos;
}

// Upstream's extURL: the flag, or http://<hostname>:<listen port>/, with the path's trailing "/"
// trimmed. Returns "" and fills *err when the URL is not usable.
std::string ExternalURL(const Options& o, std::string* err) {
  std::string url = o.web_external_url;
  if (url.empty()) {
    char host[256] = {0};
    gethostname(host, sizeof host - 1);
    std::string h, port;
    if (!SplitHostPort(o.web_listen_addresses.empty() ? ":9093" : o.web_listen_addresses[0], &h,
                       &port)) {
      *err = "invalid listen address";
      return "";
    }
    url = std::string("http://") + host + ":" + port + "/";
  }
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos ||
      (url.compare(0, scheme_end, "http") != 0 && url.compare(0, scheme_end, "https") != 0)) {
    *err = "\"" + url + "\": invalid \"scheme\": only http and https are supported";
    return "";
  }
  auto path_start = url.find('/', scheme_end + 3);
  std::string base = url.substr(0, path_start);
  std::string path = path_start == std::string::npos ? "" : url.substr(path_start);
  while (!path.empty() && path.back() == '/') path.pop_back();
  if (!path.empty() && path[0] != '/') path = "/" + path;
  return base + path;
}

std::string RoutePrefix(const Options& o, const std::string& external_url) {
  std::string prefix;
  if (o.web_route_prefix) {
    prefix = *o.web_route_prefix;
  } else {
    auto scheme_end = external_url.find("://");
    auto path_start = external_url.find('/', scheme_end + 3);
    if (path_start != std::string::npos) prefix = external_url.substr(path_start);
  }
  size_t b = prefix.find_first_not_of('/');
  size_t e = prefix.find_last_not_of('/');
  prefix = b == std::string::npos ? "" : prefix.substr(b, e - b + 1);
  return "/" + prefix;
}

// The dispatcher keeps one FlushHandler for its life; a reload swaps the pipeline behind it.
// Flushes in flight keep the pipeline they started with.
class PipelineHandle final : public dispatch::FlushHandler {
 public:
  void Set(std::shared_ptr<notify::Pipeline> p) { std::atomic_store(&p_, std::move(p)); }
  void Flush(std::shared_ptr<const dispatch::FlushContext> ctx, std::vector<Alert> alerts,
             std::function<void(bool ok)> done) override {
    std::atomic_load(&p_)->Flush(std::move(ctx), std::move(alerts), std::move(done));
  }

 private:
  std::shared_ptr<notify::Pipeline> p_;
};

// Runs `f` every `interval` on `io` until the timer is cancelled.
void Every(boost::asio::steady_timer& t, std::chrono::nanoseconds interval,
           std::function<void()> f) {
  t.expires_after(interval);
  t.async_wait([&t, interval, f = std::move(f)](const boost::system::error_code& e) {
    if (e) return;
    f();
    Every(t, interval, f);
  });
}

// The notification log as the cluster's "nfl" state channel. `log` is set after the Log is built
// (the Log needs the Broadcaster that AddState returns).
struct NflogChannel final : cluster::StateChannel {
  nflog::Log* log = nullptr;
  std::string MarshalBinary() override { return log->MarshalBinary(); }
  bool Merge(std::string_view data) override { return log->Merge(data); }
  void Propagated() override { log->CountPropagated(); }
};

// The silences as the cluster's "sil" state channel.
struct SilenceChannel final : cluster::StateChannel {
  silence::Store* store = nullptr;
  std::string MarshalBinary() override { return store->MarshalBinary(); }
  bool Merge(std::string_view data) override { return !store->Merge(data).changed.empty(); }
  void Propagated() override { store->CountPropagated(); }
};

// The silence stage's view of the store.
struct SilenceMuter final : notify::Muter {
  silence::Store* store = nullptr;
  std::vector<std::string> MutedBy(const LabelSet& labels, Time now) override {
    return store->MutedBy(labels, now);
  }
};

constexpr int kCoreThreads = 2;

}  // namespace

struct Daemon::Impl {
  explicit Impl(Options o) : opts(std::move(o)) {}

  Options opts;
  Time start = Now();
  std::shared_ptr<prometheus::Registry> registry = std::make_shared<prometheus::Registry>();
  alert::Store store;
  std::unique_ptr<DaemonBackend> backend;

  boost::asio::io_context core_io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> work;
  std::vector<std::thread> core_threads;
  std::optional<boost::asio::steady_timer> gc_timer, maint_timer;

  std::unique_ptr<cluster::Peer> peer;
  NflogChannel nflog_channel;
  std::unique_ptr<nflog::Log> nflog;
  SilenceChannel silence_channel;
  std::unique_ptr<silence::Store> silences;
  SilenceMuter silence_muter;
  std::unique_ptr<dispatch::Inhibitor> inhibitor;
  std::unique_ptr<notify::FingerprintMuter> inhibit_muter;
  std::unique_ptr<notify::Metrics> notify_metrics;
  // Templates of the config being loaded, built by the backend's validator (so a bad template
  // fails the load) and used by the pipeline built right after it. Guarded by the backend's
  // reload lock (validator and OnReload run under it).
  std::shared_ptr<const tmpl::Template> templates;
  std::shared_ptr<notify::HttpClient> http_client;
  PipelineHandle pipeline;
  std::unique_ptr<dispatch::Dispatcher> dispatcher;

  std::unique_ptr<api::HttpServer> server;
  std::unique_ptr<api::Api> api;
  std::string external_url;
  bool stopped = false;

  std::string NflogPath() const {
    return (std::filesystem::path(opts.storage_path) / "nflog").string();
  }

  std::shared_ptr<notify::Pipeline> BuildPipeline(std::shared_ptr<const config::Config> cfg) {
    notify::PipelineOptions po;
    po.executor = core_io.get_executor();
    po.nflog = nflog.get();
    po.peer = peer.get();
    po.peer_timeout = opts.cluster_peer_timeout;
    po.inhibitor = inhibit_muter.get();
    po.silencer = &silence_muter;
    // nullptr: each flush evaluates time intervals against its own config.
    po.time_muter = nullptr;
    po.metrics = notify_metrics.get();
    po.http = http_client;
    po.external_url = external_url;
    po.version = kVersion;
    notify::EmailOptions eo;
    eo.executor = core_io.get_executor();
    eo.templates = templates;
    eo.external_url = external_url;
    po.make_email = notify::MakeEmailFactory(std::move(eo));
    return notify::Pipeline::Build(std::move(cfg), std::move(po));
  }

  // Called by the backend, under its reload lock, after every successful reload.
  void OnReload(const std::shared_ptr<const config::Config>& cfg) {
    inhibitor->Reload(cfg->inhibit_rules);
    pipeline.Set(BuildPipeline(cfg));
    dispatcher->Reload(cfg);
  }
};

Daemon::Daemon(Options opts) : impl_(std::make_unique<Impl>(std::move(opts))) {}

Daemon::~Daemon() { Stop(); }

int Daemon::Start() {
  Impl& d = *impl_;
  const Options& opts = d.opts;
  AM_LOG(kInfo, "", "Starting Alertmanager", {{"version", VersionLine()}});
  AM_LOG(kInfo, "", "",
         {{"build_context", std::string("(go=") + kGoVersion + ", platform=linux/amd64, user=" +
                                kBuildUser + ", date=" + kBuildDate + ")"}});

  for (const auto& f : opts.features) {
    if (f == "classic-mode") SetDefaultParseMode(ParseMode::kClassic);
    if (f == "utf8-strict-mode") SetDefaultParseMode(ParseMode::kUtf8Strict);
  }

  std::error_code ec;
  std::filesystem::create_directories(opts.storage_path, ec);
  if (ec) {
    AM_LOG(kError, "", "Unable to create data directory",
           {{"err", ec.message()}, {"path", opts.storage_path}});
    return 1;
  }

  std::string err;
  d.external_url = ExternalURL(opts, &err);
  if (d.external_url.empty()) {
    AM_LOG(kError, "", "failed to determine external URL", {{"err", err}});
    return 1;
  }
  std::string route_prefix = RoutePrefix(opts, d.external_url);
  AM_LOG(kDebug, "", "external url", {{"externalUrl", d.external_url}});

  prometheus::Registry& reg = *d.registry;
  prometheus::BuildGauge()
      .Name("alertmanager_build_info")
      .Help(
          "A metric with a constant '1' value labeled by version, revision, branch, goversion "
          "from which alertmanager was built, and the goos and goarch for the build.")
      .Register(reg)
      .Add({{"branch", kBranch},
            {"goarch", "amd64"},
            {"goos", "linux"},
            {"goversion", kGoVersion},
            {"revision", kRevision},
            {"version", kVersion}})
      .Set(1);
  prometheus::BuildGauge()
      .Name("alertmanager_cluster_enabled")
      .Help("Indicates whether the clustering is enabled or not.")
      .Register(reg)
      .Add({})
      .Set(opts.cluster_listen_address.empty() ? 0 : 1);

  // The cluster (unless --cluster.listen-address=""): bound now, started once state is loaded.
  if (!opts.cluster_listen_address.empty()) {
    cluster::PeerOptions po;
    po.listen_address = opts.cluster_listen_address;
    po.advertise_address = opts.cluster_advertise_address;
    po.peer_name = opts.cluster_peer_name;
    po.peers = opts.cluster_peers;
    po.peers_resolve_timeout = opts.cluster_peers_resolve_timeout;
    po.gossip_interval = opts.cluster_gossip_interval;
    po.pushpull_interval = opts.cluster_pushpull_interval;
    po.tcp_timeout = opts.cluster_tcp_timeout;
    po.probe_timeout = opts.cluster_probe_timeout;
    po.probe_interval = opts.cluster_probe_interval;
    po.settle_timeout = opts.cluster_settle_timeout;
    po.reconnect_interval = opts.cluster_reconnect_interval;
    po.reconnect_timeout = opts.cluster_reconnect_timeout;
    po.tls_config = opts.cluster_tls_config;
    po.allow_insecure_public_advertise = opts.cluster_allow_insecure_public_advertise;
    po.label = opts.cluster_label;
    if (!po.tls_config.empty()) {
      // Checked first so that a bad file gets upstream's own line.
      try {
        cluster::LoadTlsTransportConfig(po.tls_config);
      } catch (const std::exception& e) {
        AM_LOG(kError, "", "unable to initialize TLS transport configuration for gossip mesh",
               {{"err", e.what()}});
        return 1;
      }
    }
    try {
      d.peer = cluster::Peer::Create(d.core_io, po, reg);
    } catch (const std::exception& e) {
      AM_LOG(kError, "", "unable to initialize gossip mesh", {{"err", e.what()}});
      return 1;
    }
  }

  // State first: the notification log, loaded from the last snapshot.
  nflog::Options no;
  no.retention = opts.data_retention;
  no.registry = &reg;
  if (d.peer) no.broadcaster = &d.peer->AddState("nfl", d.nflog_channel);
  d.nflog = std::make_unique<nflog::Log>(no);
  d.nflog_channel.log = d.nflog.get();
  try {
    d.nflog->Load(d.NflogPath());
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "error loading notification log",
           {{"file", d.NflogPath()}, {"err", e.what()}});
    return 1;
  }

  silence::Options so;
  so.storage_dir = opts.storage_path;
  so.retention = opts.data_retention;
  so.limits.max_silences = static_cast<size_t>(std::max<int64_t>(0, opts.silences_max_silences));
  so.limits.max_silence_size_bytes =
      static_cast<size_t>(std::max<int64_t>(0, opts.silences_max_silence_size_bytes));
  so.log_changes = opts.log_silences;
  if (d.peer) so.broadcaster = &d.peer->AddState("sil", d.silence_channel);
  try {
    d.silences = std::make_unique<silence::Store>(so, reg);
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "error loading silences", {{"path", opts.storage_path}, {"err", e.what()}});
    return 1;
  }
  d.silence_channel.store = d.silences.get();
  d.silence_muter.store = d.silences.get();

  d.backend = std::make_unique<DaemonBackend>(opts.config_file, d.store, reg);
  d.backend->SetValidator([&d](const std::shared_ptr<const config::Config>& c) {
    try {
      d.templates = tmpl::Template::FromGlobs(c->templates);
      return std::string();
    } catch (const std::exception& e) {
      return std::string("failed to parse templates: ") + e.what();
    }
  });
  d.backend->SetSilences(d.silences.get());
  if (!d.backend->LoadConfig().empty()) return 1;
  auto cfg = d.backend->config();

  d.inhibitor = std::make_unique<dispatch::Inhibitor>(cfg->inhibit_rules, &d.store);
  d.inhibit_muter = std::make_unique<notify::FingerprintMuter>(d.inhibitor.get());
  d.backend->SetInhibitor(d.inhibitor.get());
  d.notify_metrics = std::make_unique<notify::Metrics>(reg);
  d.http_client = std::make_shared<notify::HttpClient>(d.core_io.get_executor());
  d.pipeline.Set(d.BuildPipeline(cfg));
  dispatch::DispatcherOptions dopts;
  dopts.start_time = d.start;
  dopts.start_delay = opts.dispatch_start_delay;
  dopts.maintenance_interval = opts.dispatch_maintenance_interval;
  if (d.peer) {
    cluster::Peer* peer = d.peer.get();
    Duration timeout = opts.cluster_peer_timeout;
    dopts.cluster_wait = [peer, timeout] { return peer->Position() * timeout; };
    d.backend->SetCluster(
        [peer] {
          api::ClusterStatusView v;
          v.enabled = true;
          v.name = peer->Name();
          v.status = peer->Status();
          for (auto& m : peer->Peers()) v.peers.push_back({m.name, m.address});
          return v;
        },
        // Beyond upstream (#3026): not ready until the gossip has settled.
        [peer] { return peer->Ready(); });
  }
  d.dispatcher =
      std::make_unique<dispatch::Dispatcher>(d.core_io, cfg, d.store, d.pipeline, reg, dopts);
  d.backend->OnReload([&d](const std::shared_ptr<const config::Config>& c) { d.OnReload(c); });

  api::HttpServer::Options hopts;
  hopts.listen_addresses = opts.web_listen_addresses;
  hopts.route_prefix = route_prefix;
  hopts.get_concurrency = opts.web_get_concurrency;
  hopts.request_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(opts.web_timeout);
  // Operational knobs beyond upstream's flags (upstream has no body limit or read timeouts):
  // documented in docs/operations.md, read from the environment so the flag set stays upstream's.
  try {
    if (const char* v = std::getenv("AM_WEB_READ_TIMEOUT")) {
      hopts.read_timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(ParseGoDuration(v));
    }
    if (const char* v = std::getenv("AM_WEB_IDLE_TIMEOUT")) {
      hopts.idle_timeout =
          std::chrono::duration_cast<std::chrono::milliseconds>(ParseGoDuration(v));
    }
    if (const char* v = std::getenv("AM_WEB_BODY_LIMIT")) hopts.body_limit = std::stoull(v);
    if (const char* v = std::getenv("AM_WEB_THREADS")) hopts.threads = std::max(1, std::atoi(v));
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "invalid AM_WEB_* environment setting", {{"err", e.what()}});
    return 1;
  }
  d.server = std::make_unique<api::HttpServer>(hopts, reg);
  d.api = std::make_unique<api::Api>(
      *d.backend, d.registry,
      api::VersionInfo{kVersion, kRevision, kBranch, kBuildUser, kBuildDate, kGoVersion}, d.start,
      DefaultParseMode() == ParseMode::kUtf8Strict);
  d.api->AddCollectable(std::make_shared<api::ProcessCollector>());
  d.api->AddCollectable(std::make_shared<AlertsCollector>(*d.backend));
  d.api->AddCollectable(d.dispatcher->ProcessingMetric());
  d.api->Register(*d.server);
  api::RegisterSilenceRoutes(*d.server, *d.silences);
  d.api->AddCollectable(d.silences->StateCollectable());

  d.work.emplace(d.core_io.get_executor());
  for (int i = 0; i < kCoreThreads; ++i) d.core_threads.emplace_back([&d] { d.core_io.run(); });
  if (d.peer) d.peer->Start();
  d.dispatcher->Run();
  d.inhibitor->StartGC(d.core_io);
  d.gc_timer.emplace(d.core_io);
  Every(*d.gc_timer, opts.alerts_gc_interval, [&d] { d.store.GC(); });
  d.maint_timer.emplace(d.core_io);
  Every(*d.maint_timer, opts.maintenance_interval, [&d] {
    try {
      d.nflog->Maintain(d.NflogPath());
    } catch (const std::exception& e) {
      AM_LOG(kError, "nflog", "Running maintenance failed", {{"err", e.what()}});
    }
    try {
      d.silences->Maintenance();
    } catch (const std::exception& e) {
      AM_LOG(kError, "silences", "Running maintenance failed", {{"err", e.what()}});
    }
  });

  try {
    d.server->Start();
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "Listen error", {{"err", e.what()}});
    return 1;
  }
  for (const auto& a : opts.web_listen_addresses) {
    AM_LOG(kInfo, "", "Listening", {{"address", a}});
  }
  return 0;
}

void Daemon::Reload() {
  if (impl_->backend) impl_->backend->Reload();
}

void Daemon::Stop() {
  Impl& d = *impl_;
  if (d.stopped) return;
  d.stopped = true;
  if (d.server) d.server->Stop();
  if (d.dispatcher) d.dispatcher->Stop();
  if (d.peer) d.peer->Leave(std::chrono::seconds(10));
  if (d.inhibitor) d.inhibitor->Stop();
  if (d.gc_timer) d.gc_timer->cancel();
  if (d.maint_timer) d.maint_timer->cancel();
  if (d.nflog) {
    try {
      d.nflog->Maintain(d.NflogPath());
    } catch (const std::exception& e) {
      AM_LOG(kError, "nflog", "Creating shutdown snapshot failed", {{"err", e.what()}});
    }
  }
  if (d.silences) {
    try {
      d.silences->Maintenance();
    } catch (const std::exception& e) {
      AM_LOG(kError, "silences", "Creating shutdown snapshot failed", {{"err", e.what()}});
    }
  }
  d.work.reset();
  d.core_io.stop();
  for (auto& t : d.core_threads) t.join();
  d.core_threads.clear();
  // Destroy in dependency order: dispatcher before the io_context and the pipeline's parts.
  d.dispatcher.reset();
}

}  // namespace am::cmd

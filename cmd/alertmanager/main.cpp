// alertmanager: the daemon and its subcommands (check-config, template render). Parses flags as
// upstream does, builds the subsystems, wires them, and runs until SIGTERM/SIGINT; SIGHUP
// reloads the configuration. Signals are taken synchronously by the main thread (sigwait), so no
// other thread ever runs a signal handler.
#include <prometheus/gauge.h>
#include <prometheus/registry.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <thread>

#include "alert/store.h"
#include "api/api.h"
#include "api/http_server.h"
#include "api/process_collector.h"
#include "config/check_config_cli.h"
#include "core/duration.h"
#include "core/error.h"
#include "core/log.h"
#include "core/matcher.h"
#include "alerts_collector.h"
#include "daemon_backend.h"
#include "flags.h"
#include "version.h"
#ifdef AM_HAVE_TEMPLATE
#include "template/render_cli.h"
#include "template/template.h"
#endif

namespace am::cmd {
namespace {

std::string VersionLine() {
  return std::string("(version=") + kVersion + ", branch=" + kBranch + ", revision=" + kRevision +
         ")";
}

void PrintVersion() {
  std::printf(
      "alertmanager, version %s (branch: %s, revision: %s)\n"
      "  build user:       %s\n"
      "  build date:       %s\n"
      "  go version:       %s\n"
      "  platform:         linux/amd64\n",
      kVersion, kBranch, kRevision, kBuildUser, kBuildDate, kGoVersion);
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

int RunDaemon(const Options& opts) {
  log::Configure(log::ParseLevel(opts.log_level), log::ParseFormat(opts.log_format));
  AM_LOG(kInfo, "", "Starting Alertmanager", {{"version", VersionLine()}});
  AM_LOG(kInfo, "", "",
         {{"build_context", std::string("(go=") + kGoVersion + ", platform=linux/amd64, user=" +
                                kBuildUser + ", date=" + kBuildDate + ")"}});

  for (const auto& f : opts.features) {
    if (f == "classic-mode") SetDefaultParseMode(ParseMode::kClassic);
    if (f == "utf8-strict-mode") SetDefaultParseMode(ParseMode::kUtf8Strict);
  }

  // The cluster arrives with its own issue: its flags are validated now, peers are refused.
  if (!opts.cluster_listen_address.empty()) {
    std::string h, p;
    if (!SplitHostPort(opts.cluster_listen_address, &h, &p)) {
      AM_LOG(kError, "", "unable to initialize gossip mesh",
             {{"err", "invalid listen address " + opts.cluster_listen_address}});
      return 1;
    }
    if (!opts.cluster_peers.empty()) {
      AM_LOG(kError, "", "unable to initialize gossip mesh",
             {{"err", "--cluster.peer is not supported by this Alertmanager yet: clustering is "
                      "not implemented; run with --cluster.listen-address= for a single node"}});
      return 1;
    }
    AM_LOG(kWarn, "cluster",
           "clustering is not available in this build yet; running as a single node",
           {{"listen_address", opts.cluster_listen_address}});
  }

  std::error_code ec;
  std::filesystem::create_directories(opts.storage_path, ec);
  if (ec) {
    AM_LOG(kError, "", "Unable to create data directory",
           {{"err", ec.message()}, {"path", opts.storage_path}});
    return 1;
  }

  std::string err;
  std::string external_url = ExternalURL(opts, &err);
  if (external_url.empty()) {
    AM_LOG(kError, "", "failed to determine external URL", {{"err", err}});
    return 1;
  }
  std::string route_prefix = RoutePrefix(opts, external_url);
  AM_LOG(kDebug, "", "external url", {{"externalUrl", external_url}});

  auto registry = std::make_shared<prometheus::Registry>();
  prometheus::BuildGauge()
      .Name("alertmanager_build_info")
      .Help("A metric with a constant '1' value labeled by version, revision, branch, goversion "
            "from which alertmanager was built, and the goos and goarch for the build.")
      .Register(*registry)
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
      .Register(*registry)
      .Add({})
      .Set(0);

  Time start = Now();
  alert::Store store;
  DaemonBackend backend(opts.config_file, store, *registry);
  if (!backend.LoadConfig().empty()) return 1;

  api::HttpServer::Options hopts;
  hopts.listen_addresses = opts.web_listen_addresses;
  hopts.route_prefix = route_prefix;
  hopts.get_concurrency = opts.web_get_concurrency;
  hopts.request_timeout =
      std::chrono::duration_cast<std::chrono::milliseconds>(opts.web_timeout);
  // Operational knobs beyond upstream's flags (upstream has no body limit or read timeouts):
  // documented in docs/operations.md, read from the environment so the flag set stays upstream's.
  try {
  if (const char* v = std::getenv("AM_WEB_READ_TIMEOUT")) {
    hopts.read_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ParseGoDuration(v));
  }
  if (const char* v = std::getenv("AM_WEB_IDLE_TIMEOUT")) {
    hopts.idle_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(ParseGoDuration(v));
  }
  if (const char* v = std::getenv("AM_WEB_BODY_LIMIT")) hopts.body_limit = std::stoull(v);
  if (const char* v = std::getenv("AM_WEB_THREADS")) hopts.threads = std::max(1, std::atoi(v));
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "invalid AM_WEB_* environment setting", {{"err", e.what()}});
    return 1;
  }
  api::HttpServer server(hopts, *registry);
  api::Api api(backend, registry,
               {kVersion, kRevision, kBranch, kBuildUser, kBuildDate, kGoVersion}, start,
               DefaultParseMode() == ParseMode::kUtf8Strict);
  api.AddCollectable(std::make_shared<api::ProcessCollector>());
  api.AddCollectable(std::make_shared<AlertsCollector>(backend));
  api.Register(server);

  // Maintenance timers run on their own io_context and thread.
  boost::asio::io_context maint;
  boost::asio::steady_timer gc_timer(maint);
  std::function<void()> schedule_gc = [&] {
    gc_timer.expires_after(opts.alerts_gc_interval);
    gc_timer.async_wait([&](const boost::system::error_code& e) {
      if (e) return;
      store.GC();
      schedule_gc();
    });
  };
  schedule_gc();
  std::thread maint_thread([&] { maint.run(); });

  try {
    server.Start();
  } catch (const std::exception& e) {
    AM_LOG(kError, "", "Listen error", {{"err", e.what()}});
    maint.stop();
    maint_thread.join();
    return 1;
  }
  for (const auto& a : opts.web_listen_addresses) {
    AM_LOG(kInfo, "", "Listening", {{"address", a}});
  }

  // Signals were blocked in every thread before any was started (see main()).
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  for (;;) {
    int sig = 0;
    if (sigwait(&set, &sig) != 0) continue;
    if (sig == SIGHUP) {
      backend.Reload();
      continue;
    }
    AM_LOG(kInfo, "", "Received SIGTERM, exiting gracefully...");
    break;
  }
  server.Stop();
  maint.stop();
  maint_thread.join();
  return 0;
}

}  // namespace
}  // namespace am::cmd

int main(int argc, char** argv) {
  // Block the signals the main thread waits for before any thread exists, so every thread
  // inherits the mask and only sigwait() sees them.
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGHUP);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  if (!args.empty() && args[0] == "check-config") {
    std::vector<std::string> files(args.begin() + 1, args.end());
    if (files.empty()) {
      std::fprintf(stderr, "alertmanager: error: required argument 'config-files' not provided\n");
      return 1;
    }
#ifdef AM_HAVE_TEMPLATE
    // Parse templates with the real engine, as amtool check-config does.
    am::config::TemplateChecker checker = [](const std::vector<std::string>& globs) {
      try {
        am::tmpl::Template::FromGlobs(globs);
        return std::string();
      } catch (const std::exception& e) {
        return std::string(e.what());
      }
    };
    return am::config::RunCheckConfigCli(files, checker, std::cout, std::cerr);
#else
    return am::config::RunCheckConfigCli(files);
#endif
  }
  if (!args.empty() && args[0] == "template") {
#ifdef AM_HAVE_TEMPLATE
    return am::tmpl::RunTemplateRenderCli(argc - 1, argv + 1);
#else
    std::fprintf(stderr, "alertmanager: error: template rendering is not built in\n");
    return 1;
#endif
  }
  am::cmd::Options opts;
  try {
    opts = am::cmd::ParseFlags(args);
  } catch (const am::cmd::FlagError& e) {
    std::fprintf(stderr, "alertmanager: error: %s, try --help\n", e.what());
    return 1;
  }
  if (opts.show_help) {
    std::fputs(am::cmd::HelpText("alertmanager").c_str(), stdout);
    return 0;
  }
  if (opts.show_version) {
    am::cmd::PrintVersion();
    return 0;
  }
  try {
    am::log::ParseLevel(opts.log_level);
    am::log::ParseFormat(opts.log_format);
  } catch (const am::ParseError& e) {
    std::fprintf(stderr, "alertmanager: error: %s, try --help\n", e.what());
    return 1;
  }
  return am::cmd::RunDaemon(opts);
}

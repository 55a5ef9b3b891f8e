// alertmanager: the daemon and its subcommands (check-config, template render). Parses flags as
// upstream does, builds the subsystems, wires them, and runs until SIGTERM/SIGINT; SIGHUP
// reloads the configuration. Signals are taken synchronously by the main thread (sigwait), so no
// other thread ever runs a signal handler.

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "api/cluster_check.h"
#include "config/check_config_cli.h"
#include "core/error.h"
#include "core/log.h"
#include "daemon.h"
#include "flags.h"
#include "version.h"
#ifdef AM_HAVE_TEMPLATE
#include "template/render_cli.h"
#include "template/template.h"
#endif

namespace am::cmd {
namespace {

void PrintVersion() {
  std::printf(
      "alertmanager, version %s (branch: %s, revision: %s)\n"
      "  build user:       %s\n"
      "  build date:       %s\n"
      "  go version:       %s\n"
      "  platform:         linux/amd64\n",
      kVersion, kBranch, kRevision, kBuildUser, kBuildDate, kGoVersion);
}

int RunDaemon(const Options& opts) {
  log::Configure(log::ParseLevel(opts.log_level), log::ParseFormat(opts.log_format));
  Daemon daemon(opts);
  if (int rc = daemon.Start(); rc != 0) return rc;
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
      daemon.Reload();
      continue;
    }
    AM_LOG(kInfo, "",
           sig == SIGINT ? "Received SIGINT, exiting gracefully..."
                         : "Received SIGTERM, exiting gracefully...");
    break;
  }
  daemon.Stop();
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
  if (!args.empty() && args[0] == "cluster") {
    return am::api::RunClusterCheckCli({args.begin() + 1, args.end()});
  }
  if (!args.empty() && args[0] == "template") {
#ifdef AM_HAVE_TEMPLATE
    if (args.size() < 2 || args[1] != "render") {
      std::fprintf(stderr, "alertmanager: error: expected command 'template render', try --help\n");
      return 1;
    }
    // argv[0] of the subcommand is "render"; its flags follow.
    return am::tmpl::RunTemplateRenderCli(argc - 2, argv + 2);
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

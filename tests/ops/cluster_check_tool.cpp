// Stand-in for `alertmanager cluster ...` until cmd/alertmanager/main.cpp dispatches the
// subcommand: same argv shape (argv[1] == "cluster"), same code path (RunClusterCheckCli), so the
// integration tests exercise exactly what the daemon binary will run.
#include <cstdio>
#include <string>
#include <vector>

#include "api/cluster_check.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] != "cluster") {
    std::fprintf(stderr, "usage: %s cluster check --url=URL [--url=URL ...]\n", argv[0]);
    return 2;
  }
  return am::api::RunClusterCheckCli(std::vector<std::string>(args.begin() + 1, args.end()));
}

// A stand-in daemon for developing the silence integration tests before cmd/ wires the silence
// routes: serves the silence routes and /-/healthy with a Store on --storage.path, runs
// Maintenance() every --data.maintenance-interval seconds (plain seconds here) and on
// SIGTERM/SIGINT. Other flags are accepted and ignored. Not part of the product.
#include <prometheus/registry.h>
#include <signal.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "api/http_server.h"
#include "api/silence_api.h"
#include "silence/store.h"

int main(int argc, char** argv) {
  std::string storage = "data", listen = "127.0.0.1:9093";
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a.rfind("--storage.path=", 0) == 0) storage = a.substr(15);
    if (a.rfind("--web.listen-address=", 0) == 0) listen = a.substr(21);
  }
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);

  prometheus::Registry registry;
  am::silence::Options o;
  o.storage_dir = storage;
  am::silence::Store store(std::move(o), registry);
  am::api::HttpServer::Options h;
  h.listen_addresses = {listen};
  am::api::HttpServer server(h, registry);
  am::api::RegisterSilenceRoutes(server, store);
  server.Handle("GET", "/-/healthy", "/-/healthy",
                [](const am::api::Request&, am::api::Response& r) {
                  r.content_type = "text/plain; charset=utf-8";
                  r.body = "OK";
                });
  server.Start();
  int sig = 0;
  sigwait(&set, &sig);
  server.Stop();
  store.Maintenance();
  return 0;
}

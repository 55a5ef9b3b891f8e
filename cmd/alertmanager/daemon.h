// Daemon: owns every subsystem of a running alertmanager and wires them as ARCHITECTURE.md draws
// them: API → alert store → dispatcher (+ inhibitor) → notify pipeline → nflog, with timers for
// alert GC and nflog maintenance. Built and started by main(), stopped on SIGTERM/SIGINT, reloaded
// on SIGHUP or POST /-/reload.
// Threads: the HTTP server's I/O threads; `core_threads` threads running core_io_ (dispatcher
// strand, notify stages, HTTP client, timers); the main thread, which only waits for signals.
// Start/Reload/Stop are called from the main thread or the API's blocking pool (Reload).
#pragma once

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "flags.h"

namespace am::cmd {

class Daemon {
 public:
  explicit Daemon(Options opts);
  ~Daemon();
  Daemon(const Daemon&) = delete;
  Daemon& operator=(const Daemon&) = delete;

  // Loads the config and state, starts every subsystem and the HTTP listeners. Returns the
  // process exit code to use when it fails (logged), 0 on success.
  int Start();
  // SIGHUP.
  void Reload();
  // Graceful stop: HTTP off, dispatcher stopped, nflog snapshot written.
  void Stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace am::cmd

// Shared helpers for notify's tests: flush contexts, alerts, running an io_context until a
// condition holds (bounded), and fakes of the pipeline's interfaces.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/alert.h"
#include "dispatch/flush.h"
#include "notify/integration.h"
#include "notify/muter.h"
#include "notify/peer_info.h"
#include "notify/stage.h"
#include "notify/time_muter.h"

namespace am::notify::testing {

using namespace std::chrono_literals;

inline Alert MakeAlert(LabelSet labels, Time starts_at, Time ends_at = kZeroTime) {
  Alert a;
  a.labels = std::move(labels);
  a.starts_at = starts_at;
  a.ends_at = ends_at;
  a.updated_at = starts_at;
  return a;
}

inline std::shared_ptr<dispatch::FlushContext> MakeFlush(
    Time now, std::chrono::nanoseconds deadline_in = 10s) {
  auto f = std::make_shared<dispatch::FlushContext>();
  f->group_key = "{}:{alertname=\"A\"}";
  f->group_labels = LabelSet{{"alertname", "A"}};
  f->receiver = "web";
  f->route_id = "{}";
  f->group_interval = 5min;
  f->repeat_interval = 4h;
  f->now = now;
  f->deadline = now + deadline_in;
  return f;
}

// An ExecContext on `io` whose clock is `*clock` (read at each call).
inline std::shared_ptr<ExecContext> MakeExec(boost::asio::io_context& io,
                                             std::shared_ptr<const dispatch::FlushContext> flush,
                                             std::function<Time()> now = nullptr) {
  auto ctx = std::make_shared<ExecContext>();
  ctx->flush = std::move(flush);
  ctx->executor = io.get_executor();
  ctx->now = now ? std::move(now) : [] { return Now(); };
  return ctx;
}

// Runs `io` until `pred` holds or `timeout` passes; returns pred().
inline bool RunUntil(boost::asio::io_context& io, const std::function<bool()>& pred,
                     std::chrono::milliseconds timeout = 5000ms) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pred() && std::chrono::steady_clock::now() < deadline) {
    io.restart();
    io.run_for(5ms);
  }
  return pred();
}

// Captures one stage completion.
struct Result {
  std::atomic<bool> done{false};
  Status status;
  Alerts alerts;
  StageDone Callback() {
    return [this](Status s, Alerts a) {
      status = std::move(s);
      alerts = std::move(a);
      done = true;
    };
  }
};

class FakeMuter : public Muter {
 public:
  // Mutes alerts whose label `name` equals `value`.
  FakeMuter(std::string name, std::string value)
      : name_(std::move(name)), value_(std::move(value)) {}
  std::vector<std::string> MutedBy(const LabelSet& labels, Time) override {
    calls++;
    if (labels.Get(name_) == value_) return {"id-1"};
    return {};
  }
  std::atomic<int> calls{0};

 private:
  std::string name_;
  std::string value_;
};

class FakeTimeMuter : public TimeMuter {
 public:
  bool InAnyInterval(const std::vector<std::string>& names, Time now) const override {
    last_now = now;
    for (const auto& n : names) {
      if (n == "unknown")
        throw std::invalid_argument("time interval unknown doesn't exist in config");
      if (n == inside) return true;
    }
    return false;
  }
  std::string inside;
  mutable Time last_now = kZeroTime;
};

class FakePeer : public PeerInfo {
 public:
  int Position() const override { return position; }
  void WaitReady(std::function<void()> ready) override {
    std::lock_guard<std::mutex> lock(mu);
    if (is_ready) {
      ready();
      return;
    }
    waiting.push_back(std::move(ready));
  }
  void MakeReady() {
    std::vector<std::function<void()>> w;
    {
      std::lock_guard<std::mutex> lock(mu);
      is_ready = true;
      w.swap(waiting);
    }
    for (auto& f : w) f();
  }
  int position = 0;
  std::mutex mu;
  bool is_ready = false;
  std::vector<std::function<void()>> waiting;
};

// A Notifier answering from a script, one result per call (the last one repeats).
class ScriptedNotifier : public Notifier {
 public:
  explicit ScriptedNotifier(std::vector<NotifyResult> script) : script_(std::move(script)) {}
  void Notify(std::shared_ptr<const ExecContext>, const Alerts& alerts,
              std::function<void(NotifyResult)> done) override {
    NotifyResult r;
    {
      std::lock_guard<std::mutex> lock(mu_);
      sent_.push_back(alerts);
      times_.push_back(std::chrono::steady_clock::now());
      r = script_.empty() ? NotifyResult::Success() : script_[std::min(calls_, script_.size() - 1)];
      ++calls_;
    }
    done(r);
  }
  size_t calls() const {
    std::lock_guard<std::mutex> lock(mu_);
    return calls_;
  }
  std::vector<Alerts> sent() const {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }
  std::vector<std::chrono::steady_clock::time_point> times() const {
    std::lock_guard<std::mutex> lock(mu_);
    return times_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<NotifyResult> script_;
  size_t calls_ = 0;
  std::vector<Alerts> sent_;
  std::vector<std::chrono::steady_clock::time_point> times_;
};

}  // namespace am::notify::testing

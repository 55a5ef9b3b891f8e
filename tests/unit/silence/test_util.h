// Helpers shared by the silence unit tests: a settable clock, silence builders, a recording
// Broadcaster and a scratch directory removed at the end of the test.
#pragma once

#include <prometheus/registry.h>
#include <prometheus/text_serializer.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "core/broadcaster.h"
#include "core/timeutil.h"
#include "silence/silence.h"
#include "silence/store.h"

namespace am::silence::testing {

using namespace std::chrono_literals;

inline Time T(std::string_view rfc3339) { return *ParseRFC3339(rfc3339); }

class FakeClock {
 public:
  explicit FakeClock(Time t) : ns_(t.time_since_epoch().count()) {}
  Time Now() const { return Time(std::chrono::nanoseconds(ns_.load())); }
  void Set(Time t) { ns_ = t.time_since_epoch().count(); }
  void Advance(std::chrono::nanoseconds d) { ns_ += d.count(); }
  std::function<Time()> Fn() {
    return [this] { return Now(); };
  }

 private:
  std::atomic<int64_t> ns_;
};

class RecordingBroadcaster : public Broadcaster {
 public:
  void Broadcast(std::string bytes) override {
    std::lock_guard l(mu);
    sent.push_back(std::move(bytes));
  }
  std::vector<std::string> Take() {
    std::lock_guard l(mu);
    return std::exchange(sent, {});
  }
  std::mutex mu;
  std::vector<std::string> sent;
};

inline SilenceMatcher Eq(std::string n, std::string v) {
  return {MatchType::kEqual, std::move(n), std::move(v)};
}
inline SilenceMatcher Ne(std::string n, std::string v) {
  return {MatchType::kNotEqual, std::move(n), std::move(v)};
}
inline SilenceMatcher Re(std::string n, std::string v) {
  return {MatchType::kRegexp, std::move(n), std::move(v)};
}
inline SilenceMatcher Nre(std::string n, std::string v) {
  return {MatchType::kNotRegexp, std::move(n), std::move(v)};
}

inline Silence Make(MatcherSet ms, Time start, Time end, std::string id = "") {
  Silence s;
  s.id = std::move(id);
  s.matcher_sets.push_back(std::move(ms));
  s.starts_at = start;
  s.ends_at = end;
  s.created_by = "tester";
  s.comment = "test";
  return s;
}

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "silence-test-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data());
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The text exposition of `r`, plus the store's scrape-time state gauges when given.
inline std::string Expose(prometheus::Registry& r, const Store* store = nullptr) {
  auto families = r.Collect();
  if (store) {
    auto more = store->StateCollectable()->Collect();
    families.insert(families.end(), more.begin(), more.end());
  }
  return prometheus::TextSerializer().Serialize(families);
}

}  // namespace am::silence::testing

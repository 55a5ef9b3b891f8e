// The notification pipeline's building block (upstream notify.Stage): a Stage takes the alerts of
// one group flush and hands on what is left, asynchronously. MultiStage runs stages one after the
// other and stops quietly when no alert is left; FanoutStage runs its branches concurrently, one
// per integration, and reports failure if any branch failed.
//
// Thread-safety: a Stage is immutable after construction and may run many flushes at once from
// any thread. One ExecContext belongs to one chain of stages; a chain runs one stage at a time,
// so its fields need no lock (FanoutStage gives every branch its own copy).
// Ownership: stages are shared (std::shared_ptr<const Stage>); a running flush keeps its stages
// alive. ExecContext holds the FlushContext, which keeps the config alive.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string_view>
#include <vector>

#include "core/alert.h"
#include "core/timeutil.h"
#include "dispatch/flush.h"
#include "nflog/dedup.h"
#include "notify/status.h"

namespace am::notify {

using Alerts = std::vector<Alert>;

// What upstream carries in context.Context values, plus the executor timers run on.
struct ExecContext {
  std::shared_ptr<const dispatch::FlushContext> flush;
  boost::asio::any_io_executor executor;
  // The wall clock (tests inject a fake one). Never null.
  std::function<Time()> now;

  // Set by DedupStage (upstream WithFiringAlerts / WithResolvedAlerts), read by RetryStage and
  // SetNotifiesStage: xxhash64 of each alert's labels.
  std::optional<std::vector<uint64_t>> firing;
  std::optional<std::vector<uint64_t>> resolved;
  nflog::NotifyReason reason = nflog::NotifyReason::kUnknown;

  // Set by WaitStage when it replaced the tick's alerts with a fresh snapshot: the alerts as they
  // were at the flush tick, for DedupStage's two-state rule.
  std::optional<Alerts> tick_alerts;

  // The flush deadline; kZeroTime means none.
  Time deadline() const { return flush ? flush->deadline : kZeroTime; }
  bool HasDeadline() const { return !IsZero(deadline()); }
  // Time left before the deadline (never negative); Duration::max() without a deadline.
  std::chrono::nanoseconds Remaining() const;
  bool Expired() const { return HasDeadline() && now() >= deadline(); }
  // The dispatcher stopped the group (reload, shutdown): upstream cancels the flush's context.
  bool Cancelled() const { return flush && flush->Cancelled(); }
  // For the cancellable waits in timer.h.
  std::function<bool()> CancelledFn() const {
    auto f = flush;
    return [f] { return f && f->Cancelled(); };
  }
};

// Called exactly once per Exec, from any thread. `alerts` are what the next stage gets; an error
// stops the chain.
using StageDone = std::function<void(Status, Alerts)>;

// Stages that finish asynchronously keep themselves alive with shared_from_this(), so create
// them with std::make_shared.
class Stage : public std::enable_shared_from_this<Stage> {
 public:
  virtual ~Stage() = default;
  virtual void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const = 0;
};

using StagePtr = std::shared_ptr<const Stage>;

class MultiStage final : public Stage {
 public:
  explicit MultiStage(std::vector<StagePtr> stages)
      : stages_(std::make_shared<const std::vector<StagePtr>>(std::move(stages))) {}
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;
  const std::vector<StagePtr>& stages() const { return *stages_; }

 private:
  // Shared so that a running chain keeps the list alive even if this object goes away.
  std::shared_ptr<const std::vector<StagePtr>> stages_;
};

class FanoutStage final : public Stage {
 public:
  explicit FanoutStage(std::vector<StagePtr> branches) : branches_(std::move(branches)) {}
  // Passes its input alerts on; the error joins every failed branch's message with "; ".
  void Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const override;
  const std::vector<StagePtr>& branches() const { return branches_; }

 private:
  std::vector<StagePtr> branches_;
};

}  // namespace am::notify

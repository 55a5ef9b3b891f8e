#include "notify/stage.h"

#include <atomic>
#include <mutex>

namespace am::notify {

std::chrono::nanoseconds ExecContext::Remaining() const {
  if (!HasDeadline()) return std::chrono::nanoseconds::max();
  const Time t = now();
  if (t >= deadline()) return std::chrono::nanoseconds::zero();
  return deadline() - t;
}

namespace {

// Runs stages[i..] of a MultiStage. Completion of one stage starts the next from the thread
// that completed it; a chain has at most a handful of stages, so the nesting stays shallow even
// when every stage completes synchronously.
void RunFrom(std::shared_ptr<const std::vector<StagePtr>> stages, size_t i,
             std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) {
  if (alerts.empty()) {
    done(Status::Ok(), {});
    return;
  }
  if (i == stages->size()) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  const StagePtr& stage = (*stages)[i];
  stage->Exec(ctx, std::move(alerts),
              [stages, i, ctx, done = std::move(done)](Status s, Alerts out) mutable {
                if (!s.ok) {
                  done(std::move(s), {});
                  return;
                }
                RunFrom(std::move(stages), i + 1, std::move(ctx), std::move(out), std::move(done));
              });
}

}  // namespace

void MultiStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  RunFrom(stages_, 0, std::move(ctx), std::move(alerts), std::move(done));
}

void FanoutStage::Exec(std::shared_ptr<ExecContext> ctx, Alerts alerts, StageDone done) const {
  if (branches_.empty()) {
    done(Status::Ok(), std::move(alerts));
    return;
  }
  struct Join {
    std::mutex mu;
    size_t pending;
    std::vector<Status> failures;
    Alerts alerts;
    StageDone done;
  };
  auto join = std::make_shared<Join>();
  join->pending = branches_.size();
  join->alerts = alerts;
  join->done = std::move(done);
  for (size_t i = 0; i < branches_.size(); ++i) {
    auto branch_ctx = std::make_shared<ExecContext>(*ctx);
    // The last branch may take the input; the others copy it.
    Alerts in = (i + 1 == branches_.size()) ? std::move(alerts) : alerts;
    branches_[i]->Exec(std::move(branch_ctx), std::move(in), [join](Status s, Alerts) {
      bool last = false;
      {
        std::lock_guard<std::mutex> lock(join->mu);
        if (!s.ok) join->failures.push_back(std::move(s));
        last = --join->pending == 0;
      }
      if (!last) return;
      if (join->failures.empty()) {
        join->done(Status::Ok(), std::move(join->alerts));
        return;
      }
      Status out = join->failures.front();
      for (size_t k = 1; k < join->failures.size(); ++k) {
        out.error += "; " + join->failures[k].error;
      }
      join->done(std::move(out), std::move(join->alerts));
    });
  }
}

}  // namespace am::notify

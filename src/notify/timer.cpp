#include "notify/timer.h"

#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

namespace am::notify {
namespace asio = boost::asio;

void AsyncSleep(const asio::any_io_executor& ex, std::chrono::nanoseconds d,
                std::function<void()> cb) {
  if (d <= std::chrono::nanoseconds::zero()) {
    asio::post(ex, std::move(cb));
    return;
  }
  auto timer = std::make_shared<asio::steady_timer>(ex);
  // steady_timer's duration is nanoseconds on Linux; clamp so that "far away" cannot overflow.
  constexpr auto kMax = std::chrono::hours(24 * 365);
  timer->expires_after(d > kMax ? kMax : d);
  timer->async_wait([timer, cb = std::move(cb)](const boost::system::error_code&) { cb(); });
}

void CancellableSleep(const asio::any_io_executor& ex, std::chrono::nanoseconds d,
                      std::function<bool()> cancelled, std::function<void(bool)> cb) {
  if (!cancelled) {
    AsyncSleep(ex, d, [cb = std::move(cb)] { cb(false); });
    return;
  }
  struct State {
    asio::steady_timer timer;
    std::chrono::steady_clock::time_point end;
    std::function<bool()> cancelled;
    std::function<void(bool)> cb;
  };
  constexpr auto kMax = std::chrono::hours(24 * 365);
  auto st = std::make_shared<State>(
      State{asio::steady_timer(ex),
            std::chrono::steady_clock::now() + std::min<std::chrono::nanoseconds>(d, kMax),
            std::move(cancelled), std::move(cb)});
  // Each step waits until the end or the next poll, whichever comes first.
  auto step = std::make_shared<std::function<void()>>();
  *step = [st, weak = std::weak_ptr<std::function<void()>>(step)] {
    if (st->cancelled()) {
      st->cb(true);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= st->end) {
      st->cb(false);
      return;
    }
    st->timer.expires_after(std::min<std::chrono::nanoseconds>(st->end - now, kCancelPoll));
    auto next = weak.lock();
    st->timer.async_wait([next](const boost::system::error_code&) { (*next)(); });
  };
  (*step)();
}

namespace {

class TimedWaitImpl final : public TimedWait, public std::enable_shared_from_this<TimedWaitImpl> {
 public:
  TimedWaitImpl(const asio::any_io_executor& ex, std::function<bool()> cancelled,
                std::function<void(Outcome)> cb)
      : strand_(asio::make_strand(ex)),
        timer_(strand_),
        cancelled_(std::move(cancelled)),
        cb_(std::move(cb)) {}

  void Arm(std::chrono::nanoseconds timeout) {
    constexpr auto kMax = std::chrono::hours(24 * 365);
    end_ = std::chrono::steady_clock::now() + (timeout > kMax ? kMax : timeout);
    asio::post(strand_, [self = shared_from_this()] { self->Step(); });
  }

  void Fire() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->timer_.cancel();
      self->Finish(Outcome::kFired);
    });
  }

 private:
  void Step() {  // on strand_
    if (finished_) return;
    if (cancelled_ && cancelled_()) {
      Finish(Outcome::kCancelled);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= end_) {
      Finish(Outcome::kTimedOut);
      return;
    }
    std::chrono::nanoseconds wait = end_ - now;
    if (cancelled_) wait = std::min<std::chrono::nanoseconds>(wait, kCancelPoll);
    timer_.expires_after(wait);
    timer_.async_wait(asio::bind_executor(
        strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec) return;
          self->Step();
        }));
  }

  void Finish(Outcome outcome) {  // on strand_
    if (finished_) return;
    finished_ = true;
    timer_.cancel();
    auto cb = std::move(cb_);
    cb(outcome);
  }

  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer timer_;
  std::function<bool()> cancelled_;
  std::function<void(Outcome)> cb_;
  std::chrono::steady_clock::time_point end_;
  bool finished_ = false;  // guarded by strand_
};

}  // namespace

std::shared_ptr<TimedWait> TimedWait::Start(const asio::any_io_executor& ex,
                                            std::chrono::nanoseconds timeout,
                                            std::function<bool()> cancelled,
                                            std::function<void(Outcome)> cb) {
  auto w = std::make_shared<TimedWaitImpl>(ex, std::move(cancelled), std::move(cb));
  w->Arm(timeout);
  return w;
}

}  // namespace am::notify

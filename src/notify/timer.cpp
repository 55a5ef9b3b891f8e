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

namespace {

class TimedWaitImpl final : public TimedWait, public std::enable_shared_from_this<TimedWaitImpl> {
 public:
  TimedWaitImpl(const asio::any_io_executor& ex, std::function<void(bool)> cb)
      : strand_(asio::make_strand(ex)), timer_(strand_), cb_(std::move(cb)) {}

  void Arm(std::chrono::nanoseconds timeout) {
    if (timeout == std::chrono::nanoseconds::max()) return;
    constexpr auto kMax = std::chrono::hours(24 * 365);
    timer_.expires_after(timeout > kMax ? kMax : timeout);
    timer_.async_wait(asio::bind_executor(
        strand_, [self = shared_from_this()](const boost::system::error_code& ec) {
          if (ec) return;
          self->Finish(false);
        }));
  }

  void Fire() override {
    asio::post(strand_, [self = shared_from_this()] {
      self->timer_.cancel();
      self->Finish(true);
    });
  }

 private:
  void Finish(bool fired) {  // on strand_
    if (finished_) return;
    finished_ = true;
    auto cb = std::move(cb_);
    cb(fired);
  }

  asio::strand<asio::any_io_executor> strand_;
  asio::steady_timer timer_;
  std::function<void(bool)> cb_;
  bool finished_ = false;  // guarded by strand_
};

}  // namespace

std::shared_ptr<TimedWait> TimedWait::Start(const asio::any_io_executor& ex,
                                            std::chrono::nanoseconds timeout,
                                            std::function<void(bool fired)> cb) {
  auto w = std::make_shared<TimedWaitImpl>(ex, std::move(cb));
  w->Arm(timeout);
  return w;
}

}  // namespace am::notify

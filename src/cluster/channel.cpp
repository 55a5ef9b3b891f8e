#include "cluster/channel.h"

#include <boost/asio/post.hpp>

#include <chrono>

#include "cluster/metrics.h"
#include "core/log.h"
#include "proto/cluster.pb.h"

namespace am::cluster {

Channel::Channel(std::string key, Hooks hooks, Strand strand, ClusterMetrics* metrics)
    : key_(std::move(key)),
      hooks_(std::move(hooks)),
      strand_(std::move(strand)),
      metrics_(metrics) {}

void Channel::Broadcast(std::string bytes) {
  clusterpb::Part part;
  part.set_key(key_);
  part.set_data(std::move(bytes));
  std::string b = part.SerializeAsString();
  if (!OversizedMessage(b.size())) {
    hooks_.send(std::move(b));
    return;
  }
  boost::asio::post(strand_, [self = shared_from_this(), b = std::move(b)]() mutable {
    if (self->stopped_) return;
    if (self->oversized_.size() >= kOversizedQueue) {
      AM_LOG(kDebug, "cluster", "oversized gossip channel full");
      if (self->metrics_) self->metrics_->oversized_dropped->Add({{"key", self->key_}}).Increment();
      return;
    }
    self->oversized_.push_back(std::move(b));
    self->Pump();
  });
}

void Channel::Pump() {
  if (sending_ || stopped_ || oversized_.empty()) return;
  sending_ = true;
  auto msg = std::make_shared<std::string>(std::move(oversized_.front()));
  oversized_.pop_front();
  std::vector<memberlist::Node> peers = hooks_.peers();
  if (peers.empty()) {
    sending_ = false;
    Pump();
    return;
  }
  auto remaining = std::make_shared<size_t>(peers.size());
  for (const auto& n : peers) {
    if (metrics_) metrics_->oversized_sent->Add({{"key", key_}}).Increment();
    auto start = std::chrono::steady_clock::now();
    hooks_.send_oversize(
        n, *msg,
        [self = shared_from_this(), remaining, start, name = n.name](const std::string& err) {
          if (!err.empty()) {
            AM_LOG(kDebug, "cluster", "failed to send reliable",
                   {{"key", self->key_}, {"node", name}, {"err", err}});
            if (self->metrics_)
              self->metrics_->oversized_failure->Add({{"key", self->key_}}).Increment();
          } else if (self->metrics_) {
            std::chrono::duration<double> d = std::chrono::steady_clock::now() - start;
            self->metrics_->oversized_duration
                ->Add({{"key", self->key_}},
                      prometheus::Histogram::BucketBoundaries{.005, .01, .025, .05, .1, .25, .5, 1,
                                                              2.5, 5, 10})
                .Observe(d.count());
          }
          if (--*remaining == 0) {
            self->sending_ = false;
            self->Pump();
          }
        });
  }
}

void Channel::Stop() {
  boost::asio::post(strand_, [self = shared_from_this()] {
    self->stopped_ = true;
    self->oversized_.clear();
  });
}

}  // namespace am::cluster

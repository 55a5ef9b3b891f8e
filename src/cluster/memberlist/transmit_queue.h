// TransmitLimitedQueue: memberlist's retransmit-limited broadcast queue. Each message is sent at
// most RetransmitMult x ceil(log10(N + 1)) times (N from NumNodes()); GetBroadcasts fills a
// packet greedily with the least-transmitted messages, largest first, newest first among equals.
// A named message (memberlist's own alive/suspect/dead, named after the node they describe)
// replaces a queued one with the same name; unnamed ones (Alertmanager's parts) never do.
// Thread-safety: every method may be called from any thread (one internal mutex). `finished`
// callbacks run after the mutex is released, on the calling thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace am::cluster::memberlist {

// Go's retransmitLimit: mult x ceil(log10(n + 1)).
int RetransmitLimit(int retransmit_mult, int num_nodes);

class TransmitLimitedQueue {
 public:
  TransmitLimitedQueue(int retransmit_mult, std::function<int()> num_nodes)
      : retransmit_mult_(retransmit_mult), num_nodes_(std::move(num_nodes)) {}
  TransmitLimitedQueue(const TransmitLimitedQueue&) = delete;
  TransmitLimitedQueue& operator=(const TransmitLimitedQueue&) = delete;

  // Queues `msg`. A non-empty `name` invalidates a queued message with the same name. `finished`
  // (optional) runs once when the message leaves the queue: transmit limit reached, invalidated,
  // pruned or reset.
  void Queue(std::string msg, std::string name = {}, std::function<void()> finished = {});

  // Messages that fit in `limit` bytes counting `overhead` extra bytes per message.
  std::vector<std::string> GetBroadcasts(int overhead, int limit);

  size_t NumQueued() const;

  // Keeps the `max_retain` freshest messages.
  void Prune(size_t max_retain);

  // Drops everything (each `finished` runs).
  void Reset();

 private:
  struct Item {
    int transmits;
    int64_t len;
    int64_t id;
    std::string msg;
    std::string name;
    std::function<void()> finished;
  };
  struct Less {
    bool operator()(const std::shared_ptr<Item>& a, const std::shared_ptr<Item>& b) const {
      if (a->transmits != b->transmits) return a->transmits < b->transmits;
      if (a->len != b->len) return a->len > b->len;
      return a->id > b->id;
    }
  };

  const int retransmit_mult_;
  const std::function<int()> num_nodes_;
  mutable std::mutex mu_;
  std::set<std::shared_ptr<Item>, Less> items_;
  std::map<std::string, std::shared_ptr<Item>> named_;
  int64_t id_gen_ = 0;
};

}  // namespace am::cluster::memberlist

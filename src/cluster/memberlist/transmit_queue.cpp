#include "cluster/memberlist/transmit_queue.h"

#include <cmath>
#include <limits>

namespace am::cluster::memberlist {

int RetransmitLimit(int retransmit_mult, int num_nodes) {
  double scale = std::ceil(std::log10(static_cast<double>(num_nodes) + 1.0));
  return retransmit_mult * static_cast<int>(scale);
}

void TransmitLimitedQueue::Queue(std::string msg, std::string name,
                                 std::function<void()> finished) {
  std::function<void()> invalidated;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id_gen_ = id_gen_ == std::numeric_limits<int64_t>::max() ? 1 : id_gen_ + 1;
    auto item = std::make_shared<Item>();
    item->transmits = 0;
    item->len = static_cast<int64_t>(msg.size());
    item->id = id_gen_;
    item->msg = std::move(msg);
    item->name = std::move(name);
    item->finished = std::move(finished);
    if (!item->name.empty()) {
      auto it = named_.find(item->name);
      if (it != named_.end()) {
        invalidated = std::move(it->second->finished);
        items_.erase(it->second);
        named_.erase(it);
      }
      named_[item->name] = item;
    }
    items_.insert(item);
  }
  if (invalidated) invalidated();
}

std::vector<std::string> TransmitLimitedQueue::GetBroadcasts(int overhead, int limit) {
  std::vector<std::string> out;
  std::vector<std::function<void()>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (items_.empty()) return out;
    int transmit_limit = RetransmitLimit(retransmit_mult_, num_nodes_ ? num_nodes_() : 1);
    int min_tr = (*items_.begin())->transmits;
    int max_tr = (*items_.rbegin())->transmits;
    int64_t used = 0;
    std::vector<std::shared_ptr<Item>> reinsert;
    auto probe = std::make_shared<Item>();
    for (int tr = min_tr; tr <= max_tr;) {
      int64_t free = static_cast<int64_t>(limit) - used - overhead;
      if (free <= 0) break;
      // First item of tier `tr` whose length fits: longer items of the tier sort before it.
      probe->transmits = tr;
      probe->len = free;
      probe->id = std::numeric_limits<int64_t>::max();
      auto it = items_.lower_bound(probe);
      if (it == items_.end() || (*it)->transmits != tr) {
        ++tr;
        continue;
      }
      std::shared_ptr<Item> keep = *it;
      items_.erase(it);
      used += overhead + keep->len;
      out.push_back(keep->msg);
      if (keep->transmits + 1 >= transmit_limit) {
        if (!keep->name.empty()) named_.erase(keep->name);
        if (keep->finished) done.push_back(std::move(keep->finished));
      } else {
        // Reinserted after the walk so it is not picked again from the next tier.
        keep->transmits++;
        reinsert.push_back(std::move(keep));
      }
    }
    for (auto& r : reinsert) items_.insert(std::move(r));
    if (items_.empty()) id_gen_ = 0;
  }
  for (auto& f : done) f();
  return out;
}

size_t TransmitLimitedQueue::NumQueued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return items_.size();
}

void TransmitLimitedQueue::Prune(size_t max_retain) {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    while (items_.size() > max_retain) {
      auto it = std::prev(items_.end());
      if (!(*it)->name.empty()) named_.erase((*it)->name);
      if ((*it)->finished) done.push_back(std::move((*it)->finished));
      items_.erase(it);
    }
  }
  for (auto& f : done) f();
}

void TransmitLimitedQueue::Reset() {
  std::vector<std::function<void()>> done;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& it : items_) {
      if (it->finished) done.push_back(std::move(it->finished));
    }
    items_.clear();
    named_.clear();
    id_gen_ = 0;
  }
  for (auto& f : done) f();
}

}  // namespace am::cluster::memberlist

// SettleTracker: the settle rule of this implementation (beyond upstream's fixed polls).
// Gossip has settled as soon as every configured peer address has either completed a push/pull
// with us or failed (refused, unresolvable, timed out), and every member learned meanwhile has
// had one push/pull attempt with us too. With no peers that is at once. The Peer drives it and
// caps it with --cluster.settle-timeout.
// Thread-safety: none; owned by the Peer's strand.
#pragma once

#include <set>
#include <string>
#include <vector>

namespace am::cluster {

class SettleTracker {
 public:
  // A configured peer address ("ip:port") whose join is pending.
  void AddConfigured(const std::string& address) { configured_.insert(address); }
  // Configured names still being resolved; while any is, settling waits.
  void SetResolving(int n) { resolving_ = n; }

  // A push/pull with `address` is under way (so it is not started twice).
  void Started(const std::string& address) { started_.insert(address); }
  bool WasStarted(const std::string& address) const { return started_.count(address) > 0; }
  // The push/pull with `address` completed or failed.
  void Done(const std::string& address) {
    started_.insert(address);
    done_.insert(address);
  }

  // Members (other than self) with no push/pull started yet: the Peer starts one with each.
  std::vector<std::string> ToSync(const std::vector<std::string>& member_addresses) const;

  bool Settled(const std::vector<std::string>& member_addresses) const;

 private:
  std::set<std::string> configured_;
  std::set<std::string> started_;
  std::set<std::string> done_;
  int resolving_ = 0;
};

}  // namespace am::cluster

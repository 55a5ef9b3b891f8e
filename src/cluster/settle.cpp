#include "cluster/settle.h"

namespace am::cluster {

std::vector<std::string> SettleTracker::ToSync(
    const std::vector<std::string>& member_addresses) const {
  std::vector<std::string> out;
  for (const auto& a : member_addresses) {
    if (!started_.count(a)) out.push_back(a);
  }
  return out;
}

bool SettleTracker::Settled(const std::vector<std::string>& member_addresses) const {
  if (resolving_ > 0) return false;
  for (const auto& a : configured_) {
    if (!done_.count(a)) return false;
  }
  for (const auto& a : member_addresses) {
    if (!done_.count(a)) return false;
  }
  return true;
}

}  // namespace am::cluster

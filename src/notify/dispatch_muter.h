// FingerprintMuter: the dispatcher's inhibitor (dispatch::Muter, which names the muting alerts by
// fingerprint) as the pipeline's Muter, which names them as the API prints them (16 hex digits).
// Stateless; thread-safe as the wrapped Muter is. The wrapped Muter is not owned and must outlive
// this adapter.
#pragma once

#include <string>
#include <vector>

#include "dispatch/muter.h"
#include "notify/muter.h"

namespace am::notify {

class FingerprintMuter final : public Muter {
 public:
  explicit FingerprintMuter(const dispatch::Muter* muter) : muter_(muter) {}

  std::vector<std::string> MutedBy(const LabelSet& labels, Time now) override {
    std::vector<std::string> ids;
    if (muter_ == nullptr) return ids;
    for (uint64_t fp : muter_->Mutes(labels, now)) ids.push_back(FingerprintString(fp));
    return ids;
  }

 private:
  const dispatch::Muter* muter_;
};

}  // namespace am::notify

#include "dispatch/group_key.h"

namespace am::dispatch {

std::string GroupKey(const config::Route& route, const LabelSet& group_labels) {
  std::string key = route.Key();
  key += ':';
  key += group_labels.String();
  return key;
}

}  // namespace am::dispatch

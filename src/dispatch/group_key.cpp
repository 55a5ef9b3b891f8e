#include "dispatch/group_key.h"

#include <algorithm>
#include <vector>

#include "core/strings.h"

namespace am::dispatch {

std::string GoLabelSetString(const LabelSet& labels) {
  std::vector<std::string> pairs;
  pairs.reserve(labels.size());
  size_t total = 2;
  for (const auto& [name, value] : labels) {
    std::string p;
    p.reserve(name.size() + value.size() + 3);
    p += name;
    p += '=';
    p += GoQuote(value);
    total += p.size() + 2;
    pairs.push_back(std::move(p));
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  out.reserve(total);
  out += '{';
  for (size_t i = 0; i < pairs.size(); ++i) {
    if (i > 0) out += ", ";
    out += pairs[i];
  }
  out += '}';
  return out;
}

std::string GroupKey(const config::Route& route, const LabelSet& group_labels) {
  std::string key = route.Key();
  key += ':';
  key += GoLabelSetString(group_labels);
  return key;
}

}  // namespace am::dispatch

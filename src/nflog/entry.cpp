#include "nflog/entry.h"

namespace am::nflog {

std::string ReceiverKey(const Receiver& r) {
  std::string k;
  k.reserve(r.group_name.size() + r.integration.size() + 12);
  k.append(r.group_name).push_back('/');
  k.append(r.integration).push_back('/');
  k.append(std::to_string(r.idx));
  return k;
}

std::string StateKey(std::string_view group_key, const Receiver& r) {
  std::string k(group_key);
  k.push_back(':');
  k.append(ReceiverKey(r));
  return k;
}

}  // namespace am::nflog

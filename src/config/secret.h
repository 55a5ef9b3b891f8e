// Secret: a configuration string that must never be shown. The serialiser prints "<secret>" for a
// non-empty one (upstream's commoncfg.Secret / SecretURL). Reading "<secret>" back (a config
// re-loaded from `amtool config show`) keeps the literal, as upstream does. Plain value type.
#pragma once

#include <string>

namespace am::config {

inline constexpr const char* kSecretToken = "<secret>";

struct Secret {
  std::string value;

  bool empty() const { return value.empty(); }
  bool operator==(const Secret&) const = default;
};

}  // namespace am::config

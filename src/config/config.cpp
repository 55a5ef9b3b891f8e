#include "config/config.h"

#include "config/paths.h"

namespace am::config {

std::string HostPort::String() const {
  if (empty()) return "";
  return detail::JoinHostPort(host, port);
}

const std::string* EmailConfig::Header(std::string_view canonical_name) const {
  for (const auto& [k, v] : headers) {
    if (k == canonical_name) return &v;
  }
  return nullptr;
}

const Receiver* Config::FindReceiver(std::string_view name) const {
  for (const Receiver& r : receivers) {
    if (r.name == name) return &r;
  }
  return nullptr;
}

const NamedTimeInterval* Config::FindTimeInterval(std::string_view name) const {
  for (const NamedTimeInterval& t : time_intervals) {
    if (t.name == name) return &t;
  }
  for (const NamedTimeInterval& t : mute_time_intervals) {
    if (t.name == name) return &t;
  }
  return nullptr;
}

bool Config::operator==(const Config& o) const {
  if ((route == nullptr) != (o.route == nullptr)) return false;
  if (route && !(*route == *o.route)) return false;
  return global == o.global && inhibit_rules == o.inhibit_rules && receivers == o.receivers &&
         templates == o.templates && mute_time_intervals == o.mute_time_intervals &&
         time_intervals == o.time_intervals;
}

}  // namespace am::config

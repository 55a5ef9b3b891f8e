#include "cluster/memberlist/node.h"

#include <array>

namespace am::cluster::memberlist {

namespace ip = boost::asio::ip;

std::optional<ip::address> IpFromBytes(std::string_view raw) {
  if (raw.size() == 4) {
    ip::address_v4::bytes_type b;
    for (size_t i = 0; i < 4; ++i) b[i] = static_cast<uint8_t>(raw[i]);
    return ip::address(ip::make_address_v4(b));
  }
  if (raw.size() == 16) {
    ip::address_v6::bytes_type b;
    for (size_t i = 0; i < 16; ++i) b[i] = static_cast<uint8_t>(raw[i]);
    return ip::address(ip::make_address_v6(b));
  }
  return std::nullopt;
}

std::string IpToBytes(const ip::address& a) {
  if (a.is_v4()) {
    auto b = a.to_v4().to_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) {
    auto b = ip::make_address_v4(ip::v4_mapped, v6).to_bytes();
    return std::string(reinterpret_cast<const char*>(b.data()), b.size());
  }
  auto b = v6.to_bytes();
  return std::string(reinterpret_cast<const char*>(b.data()), b.size());
}

std::string JoinHostPort(const ip::address& a, uint16_t port) {
  if (a.is_v6()) {
    auto v6 = a.to_v6();
    if (v6.is_v4_mapped()) {
      return ip::make_address_v4(ip::v4_mapped, v6).to_string() + ":" + std::to_string(port);
    }
    return "[" + v6.to_string() + "]:" + std::to_string(port);
  }
  return a.to_string() + ":" + std::to_string(port);
}

std::string Node::Address() const {
  auto a = IpFromBytes(addr);
  if (!a) return "<nil>:" + std::to_string(port);
  return JoinHostPort(*a, port);
}

bool SplitHostPort(std::string_view hp, std::string* host, std::string* port) {
  if (!hp.empty() && hp[0] == '[') {
    size_t close = hp.find(']');
    if (close == std::string_view::npos || close + 1 >= hp.size() || hp[close + 1] != ':') {
      return false;
    }
    *host = std::string(hp.substr(1, close - 1));
    *port = std::string(hp.substr(close + 2));
  } else {
    size_t colon = hp.rfind(':');
    if (colon == std::string_view::npos) return false;
    if (hp.substr(0, colon).find(':') != std::string_view::npos) return false;  // "too many colons"
    *host = std::string(hp.substr(0, colon));
    *port = std::string(hp.substr(colon + 1));
  }
  return port->find_first_of("[]") == std::string::npos;
}

}  // namespace am::cluster::memberlist

#include "cluster/advertise.h"

#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>

#include <algorithm>
#include <cstring>

#include "cluster/memberlist/node.h"

namespace am::cluster {

namespace ip = boost::asio::ip;

namespace {

bool InV4(const ip::address_v4& a, const char* net, int bits) {
  uint32_t addr = a.to_uint();
  uint32_t n = ip::make_address_v4(net).to_uint();
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (addr & mask) == (n & mask);
}

bool InV6(const ip::address_v6& a, const char* net, int bits) {
  auto x = a.to_bytes();
  auto n = ip::make_address_v6(net).to_bytes();
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((x[i] & mask) != (n[i] & mask)) return false;
  }
  return true;
}

}  // namespace

bool IsPrivateIp(const ip::address& a) {
  if (a.is_v4() || (a.is_v6() && a.to_v6().is_v4_mapped())) {
    ip::address_v4 v4 = a.is_v4() ? a.to_v4() : ip::make_address_v4(ip::v4_mapped, a.to_v6());
    static const std::pair<const char*, int> kNets[] = {
        {"0.0.0.0", 8},      {"10.0.0.0", 8},     {"100.64.0.0", 10},     {"127.0.0.0", 8},
        {"169.254.0.0", 16}, {"172.16.0.0", 12},  {"192.0.0.0", 24},      {"192.0.2.0", 24},
        {"192.88.99.0", 24}, {"192.168.0.0", 16}, {"198.18.0.0", 15},     {"198.51.100.0", 24},
        {"203.0.113.0", 24}, {"240.0.0.0", 4},    {"255.255.255.255", 32}};
    for (const auto& [net, bits] : kNets) {
      if (InV4(v4, net, bits)) return true;
    }
    return false;
  }
  static const std::pair<const char*, int> kNets6[] = {
      {"::1", 128},       {"::", 128},    {"64:ff9b::", 96}, {"100::", 64}, {"2001::", 23},
      {"2001:db8::", 32}, {"2002::", 16}, {"fc00::", 7},     {"fe80::", 10}};
  for (const auto& [net, bits] : kNets6) {
    if (InV6(a.to_v6(), net, bits)) return true;
  }
  return false;
}

std::vector<ip::address> SystemInterfaceAddresses() {
  std::vector<ip::address> v4, v6;
  struct ifaddrs* ifs = nullptr;
  if (getifaddrs(&ifs) != 0) return {};
  for (auto* i = ifs; i; i = i->ifa_next) {
    if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK)) continue;
    if (i->ifa_addr->sa_family == AF_INET) {
      auto* sin = reinterpret_cast<sockaddr_in*>(i->ifa_addr);
      ip::address_v4 a(ntohl(sin->sin_addr.s_addr));
      if (a.is_loopback() || a.is_unspecified() || a.is_multicast() || InV4(a, "169.254.0.0", 16)) {
        continue;
      }
      v4.push_back(a);
    } else if (i->ifa_addr->sa_family == AF_INET6) {
      auto* sin6 = reinterpret_cast<sockaddr_in6*>(i->ifa_addr);
      ip::address_v6::bytes_type b;
      std::memcpy(b.data(), &sin6->sin6_addr, 16);
      ip::address_v6 a(b);
      if (a.is_loopback() || a.is_unspecified() || a.is_multicast() || a.is_link_local()) {
        continue;
      }
      v6.push_back(a);
    }
  }
  freeifaddrs(ifs);
  v4.insert(v4.end(), v6.begin(), v6.end());
  return v4;
}

bool IsAnyHost(const std::string& host) {
  if (host.empty()) return true;
  boost::system::error_code ec;
  auto a = ip::make_address(host, ec);
  return !ec && a.is_unspecified();
}

AdvertiseChoice CalculateAdvertiseAddress(
    const std::string& bind_host, const std::string& advertise_host, bool allow_insecure_public,
    const std::function<std::vector<ip::address>()>& interfaces) {
  AdvertiseChoice c;
  boost::system::error_code ec;
  if (!advertise_host.empty()) {
    c.ip = ip::make_address(advertise_host, ec);
    if (ec) c.err = "failed to parse advertise addr '" + advertise_host + "'";
    return c;
  }
  if (IsAnyHost(bind_host)) {
    std::vector<ip::address> all = interfaces();
    auto priv = std::find_if(all.begin(), all.end(), IsPrivateIp);
    if (priv != all.end()) {
      c.ip = *priv;
      return c;
    }
    if (!allow_insecure_public) {
      c.err = "no private IP found, explicit advertise addr not provided";
      return c;
    }
    auto pub =
        std::find_if(all.begin(), all.end(), [](const ip::address& a) { return !IsPrivateIp(a); });
    if (pub == all.end()) {
      c.err = "no private/public IP found, explicit advertise addr not provided";
      return c;
    }
    c.ip = *pub;
    return c;
  }
  c.ip = ip::make_address(bind_host, ec);
  if (ec) c.err = "failed to parse bind addr '" + bind_host + "'";
  return c;
}

bool HasNonlocal(const std::vector<std::string>& peers) {
  for (const auto& p : peers) {
    std::string host, port;
    if (!memberlist::SplitHostPort(p, &host, &port)) host = p;
    boost::system::error_code ec;
    auto a = ip::make_address(host, ec);
    if (!ec && !a.is_loopback()) return true;
    if (ec) {
      std::string lower = host;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      if (lower != "localhost") return true;
    }
  }
  return false;
}

bool IsUnroutable(const std::string& addr) {
  std::string host = addr, port;
  if (!memberlist::SplitHostPort(addr, &host, &port)) host = addr;
  boost::system::error_code ec;
  auto a = ip::make_address(host, ec);
  if (!ec) return a.is_unspecified() || a.is_loopback();
  std::string lower = host;
  std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
  return lower == "localhost";
}

}  // namespace am::cluster

// Advertise address rules of Alertmanager's cluster.Create: an explicit
// --cluster.advertise-address wins; a specific bind IP is advertised as is; for a wildcard bind
// (0.0.0.0, ::, "") a private (RFC 6890) address of an up, forwardable interface is chosen, and a
// public one only with --cluster.allow-insecure-public-advertise-address-discovery. Also the
// "unroutable address while peers are remote" check behind upstream's warnings.
// Thread-safety: pure functions (SystemInterfaceAddresses reads the kernel's list).
#pragma once

#include <boost/asio/ip/address.hpp>

#include <functional>
#include <string>
#include <vector>

namespace am::cluster {

// Addresses of interfaces that are up, excluding loopback, link-local, multicast and
// unspecified ones (go-sockaddr's "forwardable"), IPv4 first.
std::vector<boost::asio::ip::address> SystemInterfaceAddresses();

// RFC 6890 special-purpose (private) ranges, as go-sockaddr's IfByRFC("6890").
bool IsPrivateIp(const boost::asio::ip::address& ip);

// True for "", 0.0.0.0, ::.
bool IsAnyHost(const std::string& host);

struct AdvertiseChoice {
  boost::asio::ip::address ip;
  std::string err;  // non-empty: nothing suitable (the reason, as upstream words it)
};

// upstream calculateAdvertiseAddress. `interfaces` lists candidate addresses (defaults to the
// system's).
AdvertiseChoice CalculateAdvertiseAddress(
    const std::string& bind_host, const std::string& advertise_host, bool allow_insecure_public,
    const std::function<std::vector<boost::asio::ip::address>()>& interfaces =
        SystemInterfaceAddresses);

// upstream hasNonlocal / isUnroutable on "host:port" or bare hosts.
bool HasNonlocal(const std::vector<std::string>& peers);
bool IsUnroutable(const std::string& addr);

}  // namespace am::cluster

// Node: what memberlist knows about one member (name, advertised address, meta, protocol
// versions, state), and the helpers that turn memberlist's raw IP bytes into Asio addresses and
// the "ip:port" strings Alertmanager shows (Go's net.JoinHostPort(ip.String(), port)).
// Thread-safety: value types.
#pragma once

#include <boost/asio/ip/address.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "cluster/memberlist/messages.h"

namespace am::cluster::memberlist {

struct Node {
  std::string name;
  std::string addr;  // raw IP bytes: 4 for IPv4, 16 for IPv6
  uint16_t port = 0;
  GoBytes meta;
  NodeStateType state = kStateAlive;
  uint8_t pmin = 0, pmax = 0, pcur = 0, dmin = 0, dmax = 0, dcur = 0;

  // "ip:port", IPv6 in brackets; an IPv4-mapped IPv6 address prints as IPv4, as in Go.
  std::string Address() const;
  std::string Vsn() const {
    return std::string{static_cast<char>(pmin), static_cast<char>(pmax), static_cast<char>(pcur),
                       static_cast<char>(dmin), static_cast<char>(dmax), static_cast<char>(dcur)};
  }
};

// Raw bytes (4 or 16) to an address; nullopt for any other length.
std::optional<boost::asio::ip::address> IpFromBytes(std::string_view raw);

// An address as memberlist puts it on the wire: 4 bytes for IPv4 (and IPv4-mapped IPv6), else 16.
std::string IpToBytes(const boost::asio::ip::address& ip);

// Go's net.JoinHostPort(ip.String(), port).
std::string JoinHostPort(const boost::asio::ip::address& ip, uint16_t port);

// Splits "host:port" / "[v6]:port" like Go's net.SplitHostPort. False when malformed.
bool SplitHostPort(std::string_view hostport, std::string* host, std::string* port);

}  // namespace am::cluster::memberlist

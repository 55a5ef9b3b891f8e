// Resolver: DNS lookups of --cluster.peer host names (A and AAAA), behind an interface so tests
// can make a name resolve late. The system implementation uses the io_context's asynchronous
// resolver (getaddrinfo on Asio's internal resolver thread) and never blocks the caller.
// Thread-safety: Resolve may be called from any thread; `done` runs exactly once, on an
// io_context thread (or inline for a fake).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace am::cluster {

class Resolver {
 public:
  using Done = std::function<void(std::vector<boost::asio::ip::address> ips, std::string err)>;
  virtual ~Resolver() = default;
  // Resolves `host` (never an IP literal) to its addresses. An empty list with an empty err
  // means the name exists but has no addresses yet.
  virtual void Resolve(const std::string& host, Done done) = 0;
};

// getaddrinfo through Asio; answers later than `timeout` count as errors.
std::shared_ptr<Resolver> MakeSystemResolver(boost::asio::io_context& io,
                                             std::chrono::nanoseconds timeout);

}  // namespace am::cluster

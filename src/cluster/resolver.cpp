#include "cluster/resolver.h"

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <algorithm>

namespace am::cluster {
namespace {

namespace asio = boost::asio;

class SystemResolver : public Resolver {
 public:
  SystemResolver(asio::io_context& io, std::chrono::nanoseconds timeout)
      : io_(io), timeout_(timeout) {}

  void Resolve(const std::string& host, Done done) override {
    struct Op {
      Op(asio::io_context& io) : strand(asio::make_strand(io)), resolver(strand), timer(strand) {}
      asio::strand<asio::io_context::executor_type> strand;
      asio::ip::tcp::resolver resolver;
      asio::steady_timer timer;
      bool finished = false;
      Done done;
    };
    auto op = std::make_shared<Op>(io_);
    op->done = std::move(done);
    asio::post(op->strand, [op, host, timeout = timeout_] {
      if (timeout.count() > 0) {
        op->timer.expires_after(timeout);
        op->timer.async_wait([op, host](const boost::system::error_code& ec) {
          if (ec || op->finished) return;
          op->finished = true;
          op->resolver.cancel();
          op->done({}, "lookup " + host + ": i/o timeout");
        });
      }
      op->resolver.async_resolve(
          host, "",
          [op, host](const boost::system::error_code& ec,
                     asio::ip::tcp::resolver::results_type results) {
            if (op->finished) return;
            op->finished = true;
            op->timer.cancel();
            if (ec) {
              // Go's resolver words the common case this way;
              // operators grep for it.
              op->done({}, "lookup " + host + ": " +
                               (ec == asio::error::host_not_found ? std::string("no such host")
                                                                  : ec.message()));
              return;
            }
            std::vector<asio::ip::address> ips;
            for (const auto& r : results) {
              auto a = r.endpoint().address();
              if (std::find(ips.begin(), ips.end(), a) == ips.end()) ips.push_back(a);
            }
            op->done(std::move(ips), "");
          });
    });
  }

 private:
  asio::io_context& io_;
  std::chrono::nanoseconds timeout_;
};

}  // namespace

std::shared_ptr<Resolver> MakeSystemResolver(asio::io_context& io,
                                             std::chrono::nanoseconds timeout) {
  return std::make_shared<SystemResolver>(io, timeout);
}

}  // namespace am::cluster

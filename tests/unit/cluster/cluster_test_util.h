// Helpers shared by the cluster unit tests: hex dumps for golden bytes, bounded polling, and a
// blocking push/pull join between two memberlist instances on 127.0.0.1.
// Not thread-safe beyond what Memberlist itself guarantees; header-only, tests only.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "cluster/memberlist/memberlist.h"

namespace am::cluster::testutil {

inline std::string Hex(std::string_view s) {
  static const char* d = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out.push_back(d[c >> 4]);
    out.push_back(d[c & 15]);
  }
  return out;
}

// Polls `pred` every 10 ms until it holds or `limit` has passed; the last answer.
inline bool WaitFor(const std::function<bool()>& pred,
                    std::chrono::milliseconds limit = std::chrono::milliseconds(5000)) {
  auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (pred()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return pred();
}

// A push/pull from `m` to `to` (on 127.0.0.1), waited for up to 5 s: "" or the error.
inline std::string PushPullSync(const std::shared_ptr<memberlist::Memberlist>& m,
                                const std::shared_ptr<memberlist::Memberlist>& to,
                                bool join = true) {
  std::mutex mu;
  std::condition_variable cv;
  bool done = false;
  std::string result;
  m->PushPull(
      boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), to->BoundPort()),
      join, [&](const std::string& err) {
        std::lock_guard<std::mutex> l(mu);
        result = err;
        done = true;
        cv.notify_all();
      });
  std::unique_lock<std::mutex> l(mu);
  if (!cv.wait_for(l, std::chrono::seconds(5), [&] { return done; })) return "timeout";
  return result;
}

}  // namespace am::cluster::testutil

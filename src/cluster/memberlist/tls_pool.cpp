#include "cluster/memberlist/tls_pool.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>

#include <array>
#include <atomic>
#include <deque>

#include "core/log.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;

class TlsPacketPool::Conn : public std::enable_shared_from_this<Conn> {
 public:
  Conn(asio::io_context& io, std::shared_ptr<const TlsOptions> opts,
       std::chrono::nanoseconds tcp_timeout, uint64_t id, std::function<void(uint64_t)> on_dead)
      : opts_(std::move(opts)),
        ctx_(opts_->client_context()),
        s_(std::make_shared<SslStream>(tcp::socket(asio::make_strand(io)), *ctx_)),
        timer_(s_->get_executor()),
        tcp_timeout_(tcp_timeout),
        id_(id),
        on_dead_(std::move(on_dead)) {}

  bool dead() const { return dead_.load(); }
  uint64_t id() const { return id_; }

  void Dial(const tcp::endpoint& to) {
    asio::post(s_->get_executor(), [self = shared_from_this(), to] { self->DoDial(to); });
  }

  void Enqueue(std::string frame, size_t payload) {
    asio::post(s_->get_executor(),
               [self = shared_from_this(), frame = std::move(frame), payload]() mutable {
                 if (self->dead_ || self->queue_.size() >= self->opts_->max_queued_packets) {
                   Count(self->opts_->metrics.write_errors_packet);
                   return;
                 }
                 self->queue_.push_back({std::move(frame), payload});
                 self->Flush();
               });
  }

  void Close() {
    asio::post(s_->get_executor(), [self = shared_from_this()] { self->Die(""); });
  }

 private:
  struct Item {
    std::string frame;
    size_t payload = 0;
  };

  void Arm(std::chrono::nanoseconds d, const char* why) {
    timer_.expires_after(d);
    timer_.async_wait([self = shared_from_this(), why](const boost::system::error_code& ec) {
      if (!ec) self->Die(why);
    });
  }

  void DoDial(const tcp::endpoint& to) {
    if (dead_) return;
    remote_ = to.address().to_string() + ":" + std::to_string(to.port());
    Arm(tcp_timeout_, "i/o timeout");
    s_->next_layer().async_connect(to, [self = shared_from_this(),
                                        to](const boost::system::error_code& ec) {
      if (self->dead_) return;
      if (ec) {
        self->Die("dial tcp " + self->remote_ + ": " + ec.message());
        return;
      }
      std::string err;
      if (!ConfigureClientSession(self->s_->native_handle(), *self->opts_, to.address(), &err)) {
        self->Die(err);
        return;
      }
      self->s_->async_handshake(asio::ssl::stream_base::client,
                                [self](const boost::system::error_code& hec) {
                                  if (self->dead_) return;
                                  if (hec) {
                                    self->Die("tls handshake with " + self->remote_ + ": " +
                                              TlsErrorMessage(hec, self->s_->native_handle()));
                                    return;
                                  }
                                  self->ready_ = true;
                                  self->WatchClose();
                                  self->Flush();
                                });
    });
  }

  // The peer never writes on a packet connection: anything read, or EOF, ends it.
  void WatchClose() {
    s_->async_read_some(asio::buffer(sink_),
                        [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                          if (self->dead_) return;
                          self->Die(ec ? "connection closed by peer: " + ec.message()
                                       : "unexpected data on a packet connection");
                        });
  }

  void Flush() {
    if (!ready_ || writing_ || dead_) return;
    if (queue_.empty()) {
      Arm(opts_->idle_timeout, "");
      return;
    }
    writing_ = true;
    Arm(tcp_timeout_, "i/o timeout");
    // One frame per write: the frame becomes its own TLS record(s), never sharing one with the
    // next frame (Go's reader discards what it reads past a frame).
    asio::async_write(*s_, asio::buffer(queue_.front().frame),
                      [self = shared_from_this()](const boost::system::error_code& ec, size_t) {
                        self->writing_ = false;
                        if (self->dead_) return;
                        if (ec) {
                          self->Die("write to " + self->remote_ + ": " + ec.message());
                          return;
                        }
                        Count(self->opts_->metrics.packet_bytes_sent,
                              static_cast<double>(self->queue_.front().payload));
                        self->queue_.pop_front();
                        self->Flush();
                      });
  }

  void Die(const std::string& why) {
    if (dead_.exchange(true)) return;
    if (!why.empty()) {
      AM_LOG(kDebug, "cluster", "tls transport: packet connection closed",
             {{"addr", remote_}, {"err", why}});
    }
    // Every packet still queued is lost (the one being written included).
    for (size_t i = 0; i < queue_.size(); ++i) Count(opts_->metrics.write_errors_packet);
    queue_.clear();
    timer_.cancel();
    LingerClose(s_, ctx_);
    if (on_dead_) {
      auto f = std::move(on_dead_);
      on_dead_ = nullptr;
      f(id_);
    }
  }

  std::shared_ptr<const TlsOptions> opts_;
  SslContextPtr ctx_;
  std::shared_ptr<SslStream> s_;
  asio::steady_timer timer_;
  std::chrono::nanoseconds tcp_timeout_;
  uint64_t id_;
  std::function<void(uint64_t)> on_dead_;
  std::string remote_;
  std::deque<Item> queue_;
  std::array<char, 256> sink_{};
  bool ready_ = false;
  bool writing_ = false;
  std::atomic<bool> dead_{false};
};

TlsPacketPool::TlsPacketPool(asio::io_context& io, Strand strand,
                             std::shared_ptr<const TlsOptions> opts,
                             std::chrono::nanoseconds tcp_timeout)
    : io_(io), strand_(std::move(strand)), opts_(std::move(opts)), tcp_timeout_(tcp_timeout) {}

TlsPacketPool::~TlsPacketPool() {
  for (auto& [key, c] : lru_) c->Close();
}

void TlsPacketPool::Send(const tcp::endpoint& to, std::string frame, size_t payload_bytes) {
  if (shutdown_) return;
  std::string key = to.address().to_string() + ":" + std::to_string(to.port());
  auto it = index_.find(key);
  if (it != index_.end()) {
    if (!it->second->second->dead()) {
      lru_.splice(lru_.begin(), lru_, it->second);
      it->second->second->Enqueue(std::move(frame), payload_bytes);
      return;
    }
    lru_.erase(it->second);
    index_.erase(it);
  }
  while (!lru_.empty() && lru_.size() >= opts_->pool_capacity) {
    lru_.back().second->Close();
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
  std::weak_ptr<TlsPacketPool> weak = weak_from_this();
  auto conn = std::make_shared<Conn>(io_, opts_, tcp_timeout_, ++next_id_,
                                     [weak, key, strand = strand_](uint64_t id) {
                                       asio::post(strand, [weak, key, id] {
                                         if (auto pool = weak.lock()) pool->Remove(key, id);
                                       });
                                     });
  lru_.emplace_front(key, conn);
  index_[key] = lru_.begin();
  conn->Dial(to);
  conn->Enqueue(std::move(frame), payload_bytes);
}

void TlsPacketPool::Remove(const std::string& key, uint64_t id) {
  auto it = index_.find(key);
  if (it == index_.end() || it->second->second->id() != id) return;
  lru_.erase(it->second);
  index_.erase(it);
}

void TlsPacketPool::Shutdown() {
  shutdown_ = true;
  for (auto& [key, c] : lru_) c->Close();
  lru_.clear();
  index_.clear();
}

}  // namespace am::cluster::memberlist

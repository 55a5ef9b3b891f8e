#include "cluster/memberlist/stream_conn.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>

#include <algorithm>
#include <array>

#include "cluster/memberlist/framing.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;

StreamConn::StreamConn(asio::io_context& io)
    : sock_(asio::make_strand(io)), deadline_(sock_.get_executor()) {}

StreamConn::StreamConn(tcp::socket sock) : sock_(std::move(sock)), deadline_(sock_.get_executor()) {
  boost::system::error_code ec;
  auto ep = sock_.remote_endpoint(ec);
  if (!ec) remote_ = ep.address().to_string() + ":" + std::to_string(ep.port());
}

void StreamConn::SetDeadline(std::chrono::steady_clock::duration d) {
  deadline_.expires_after(d);
  deadline_.async_wait([self = shared_from_this()](const boost::system::error_code& ec) {
    if (ec) return;
    self->timed_out_ = true;
    self->Close();
  });
}

void StreamConn::Connect(const tcp::endpoint& to, IoFn done) {
  remote_ = to.address().to_string() + ":" + std::to_string(to.port());
  sock_.async_connect(to, [self = shared_from_this(), done = std::move(done)](
                              const boost::system::error_code& ec) { done(ec); });
}

void StreamConn::Write(std::string data, IoFn done) {
  asio::post(sock_.get_executor(),
             [self = shared_from_this(), data = std::move(data), done = std::move(done)]() mutable {
               self->wbuf_ = std::move(data);
               asio::async_write(self->sock_, asio::buffer(self->wbuf_),
                                 [self, done = std::move(done)](const boost::system::error_code& ec,
                                                                size_t) { done(ec); });
             });
}

void StreamConn::Read(const StreamLimits& limits, bool strip_label, ReadFn done) {
  auto d = std::make_shared<ReadFn>(std::move(done));
  asio::post(sock_.get_executor(), [self = shared_from_this(), limits, strip_label, d] {
    self->TryParse(limits, strip_label, d, false);
  });
}

void StreamConn::ReadMore(const StreamLimits& limits, bool strip_label,
                          std::shared_ptr<ReadFn> done) {
  // Whatever the message declares, never buffer more than its largest legal encoding.
  size_t cap = std::max(limits.max_compressed_bytes, limits.max_user_state_bytes) + (1 << 20);
  if (rbuf_.size() >= cap) {
    (*done)("stream message exceeds size limit", StreamMessage{}, "");
    return;
  }
  auto chunk = std::make_shared<std::array<char, 64 * 1024>>();
  sock_.async_read_some(
      asio::buffer(*chunk), [self = shared_from_this(), chunk, limits, strip_label, done](
                                const boost::system::error_code& ec, size_t n) {
        if (n > 0) self->rbuf_.append(chunk->data(), n);
        if (ec) {
          if (n > 0) {
            self->TryParse(limits, strip_label, done, true);
          } else if (ec == asio::error::eof) {
            (*done)(self->rbuf_.empty() ? "EOF" : "unexpected EOF", StreamMessage{}, "");
          } else {
            (*done)(self->timed_out_ ? "i/o timeout" : ec.message(), StreamMessage{}, "");
          }
          return;
        }
        self->TryParse(limits, strip_label, done, false);
      });
}

void StreamConn::TryParse(const StreamLimits& limits, bool strip_label,
                          std::shared_ptr<ReadFn> done, bool eof) {
  std::string_view view(rbuf_);
  std::string label;
  if (strip_label && !view.empty() &&
      static_cast<uint8_t>(view[0]) == static_cast<uint8_t>(MessageType::kHasLabel)) {
    if (view.size() < 2 || view.size() < 2u + static_cast<uint8_t>(view[1])) {
      if (eof) {
        (*done)("unexpected EOF", StreamMessage{}, "");
      } else {
        ReadMore(limits, strip_label, done);
      }
      return;
    }
    std::string err;
    if (!StripLabel(&view, &label, &err)) {
      (*done)(err, StreamMessage{}, "");
      return;
    }
  }
  StreamMessage msg;
  std::string err;
  DecodeStatus s = ParseStreamMessage(view, limits, &msg, &err);
  if (s == DecodeStatus::kOk) {
    (*done)("", std::move(msg), label);
  } else if (s == DecodeStatus::kError) {
    (*done)(err, StreamMessage{}, label);
  } else if (eof) {
    (*done)("unexpected EOF", StreamMessage{}, label);
  } else {
    ReadMore(limits, strip_label, done);
  }
}

void StreamConn::Close() {
  asio::post(sock_.get_executor(), [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    boost::system::error_code ec;
    self->deadline_.cancel();
    self->sock_.shutdown(tcp::socket::shutdown_both, ec);
    self->sock_.close(ec);
  });
}

}  // namespace am::cluster::memberlist

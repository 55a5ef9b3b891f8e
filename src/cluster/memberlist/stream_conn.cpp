#include "cluster/memberlist/stream_conn.h"

#include <boost/asio/post.hpp>

#include <algorithm>
#include <array>

#include "cluster/memberlist/framing.h"

namespace am::cluster::memberlist {

namespace asio = boost::asio;
using asio::ip::tcp;

StreamConn::StreamConn(std::unique_ptr<ByteStream> stream, std::string initial)
    : stream_(std::move(stream)),
      deadline_(stream_->executor()),
      rbuf_(std::move(initial)),
      remote_(stream_->RemoteAddress()) {}

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
  asio::post(stream_->executor(), [self = shared_from_this(), to, done = std::move(done)] {
    if (self->closed_) {
      done(asio::error::operation_aborted);
      return;
    }
    self->stream_->Connect(to,
                           [self, done](const boost::system::error_code& ec, size_t) { done(ec); });
  });
}

void StreamConn::Write(std::string data, IoFn done) {
  asio::post(stream_->executor(),
             [self = shared_from_this(), data = std::move(data), done = std::move(done)]() mutable {
               if (self->closed_) {
                 done(asio::error::operation_aborted);
                 return;
               }
               self->wbuf_ = std::move(data);
               self->stream_->Write(asio::buffer(self->wbuf_),
                                    [self, done = std::move(done)](
                                        const boost::system::error_code& ec, size_t) { done(ec); });
             });
}

void StreamConn::Read(const StreamLimits& limits, bool strip_label, ReadFn done) {
  auto d = std::make_shared<ReadFn>(std::move(done));
  asio::post(stream_->executor(), [self = shared_from_this(), limits, strip_label, d] {
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
  if (closed_) {
    (*done)(timed_out_ ? "i/o timeout" : "use of closed network connection", StreamMessage{}, "");
    return;
  }
  stream_->ReadSome(asio::buffer(*chunk), [self = shared_from_this(), chunk, limits, strip_label,
                                           done](const boost::system::error_code& ec, size_t n) {
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
  asio::post(stream_->executor(), [self = shared_from_this()] {
    if (self->closed_) return;
    self->closed_ = true;
    self->deadline_.cancel();
    self->stream_->Close();
  });
}

}  // namespace am::cluster::memberlist

#include "notify/smtp_client.h"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <map>
#include <optional>

#include "core/log.h"
#include "notify/email_encoding.h"
#include "notify/smtp_reply.h"
#include "notify/smtp_tls.h"

namespace am::notify {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using asio::awaitable;
using boost::system::error_code;

// Bounds on what a server can make us buffer: one reply line, and lines per reply.
constexpr size_t kMaxLine = 64 * 1024;
constexpr size_t kMaxReplyLines = 1024;
// QUIT after a failure is a courtesy; it must not hold the result back for long.
constexpr std::chrono::milliseconds kQuitTimeout{2000};

std::string Lower(std::string s) {
  for (char& c : s) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return s;
}

std::string JoinHostPort(const std::string& host, const std::string& port) {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + port;
  return host + ":" + port;
}

bool HasCrLf(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

constexpr const char* kCrLfInLine = "smtp: A line must not contain CR or LF";

// A server reply, or why there is none. `broken`: the connection can no longer carry commands
// (I/O error, timeout, unparsable reply).
struct Reply {
  int code = 0;
  std::string message;
  std::string error;  // "" on success
  bool broken = false;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::any_io_executor executor, SmtpRequest request, std::function<void(SmtpResult)> done)
      : executor_(executor),
        strand_(asio::make_strand(executor)),
        resolver_(strand_),
        socket_(strand_),
        timer_(strand_),
        req_(std::move(request)),
        done_(std::move(done)),
        hostport_(JoinHostPort(req_.host, req_.port)) {}

  static awaitable<void> Main(std::shared_ptr<Session> self) {
    SmtpResult result;
    try {
      result = co_await self->Run();
    } catch (const std::exception& e) {
      result = SmtpResult{};
      result.retry = true;
      result.error = e.what();
    }
    self->Close();
    result.deadline_exceeded = self->deadline_hit_;
    result.authenticated = self->authenticated_;
    result.tls = self->tls_ != nullptr;
    auto done = std::move(self->done_);
    asio::post(self->executor_,
               [done = std::move(done), r = std::move(result)]() mutable { done(std::move(r)); });
  }

  asio::strand<asio::any_io_executor>& strand() { return strand_; }

 private:
  static SmtpResult Fail(std::string error, bool retry) {
    SmtpResult r;
    r.retry = retry;
    r.error = std::move(error);
    return r;
  }

  awaitable<SmtpResult> Run() {
    const bool implicit = req_.implicit_tls;
    if (implicit) {
      std::string err;
      if (!BuildTls(&err)) co_return Fail("parse TLS configuration: " + err, false);
    }
    const std::string dial_prefix =
        implicit ? "establish TLS connection to server: " : "establish connection to server: ";
    if (std::string err = co_await Connect(); !err.empty()) {
      co_return Fail(dial_prefix + err, true);
    }
    if (implicit) {
      if (std::string err = co_await Handshake(); !err.empty()) {
        co_return Fail(dial_prefix + err, true);
      }
    }

    Reply greeting = co_await ReadReply(220);
    if (!greeting.error.empty()) co_return Fail("create SMTP client: " + greeting.error, true);

    const std::string hello = req_.hello.empty() ? "localhost" : req_.hello;
    if (HasCrLf(hello)) co_return co_await Abort("send EHLO command: " + std::string(kCrLfInLine));
    if (std::string err = co_await Hello(hello); !err.empty()) {
      co_return co_await Abort("send EHLO command: " + err);
    }

    if (req_.require_tls && !implicit) {
      if (!ext_.count("STARTTLS")) {
        co_return co_await Abort("'require_tls' is true (default) but \"" + hostport_ +
                                 "\" does not advertise the STARTTLS extension");
      }
      std::string err;
      if (!BuildTls(&err)) {
        co_return co_await Abort("parse TLS configuration: " + err, /*retry=*/false);
      }
      Reply r = co_await Cmd(220, "STARTTLS");
      if (!r.error.empty()) co_return co_await Abort("send STARTTLS command: " + r.error);
      if (err = co_await Handshake(); !err.empty()) {
        co_return Fail("send STARTTLS command: " + err, true);
      }
      Reply e = co_await Cmd(250, "EHLO " + hello);
      if (!e.error.empty()) co_return co_await Abort("send STARTTLS command: " + e.error);
      ext_ = ParseEhloExtensions(e.message);
    }

    if (auto it = ext_.find("AUTH"); it != ext_.end() && req_.choose_auth) {
      SmtpAuthChoice choice = req_.choose_auth(it->second);
      if (!choice.error.empty()) co_return co_await Abort("find auth mechanism: " + choice.error);
      if (choice.auth) {
        std::string err = co_await Authenticate(*choice.auth, it->second);
        if (!err.empty()) co_return co_await Abort(choice.auth->TypeName() + " auth: " + err);
        authenticated_ = true;
      }
    }

    if (!req_.mail_error.empty() && req_.error_stage == SmtpMailStage::kBeforeMail) {
      co_return co_await Abort(req_.mail_error, false);
    }
    if (HasCrLf(req_.from))
      co_return co_await Abort("send MAIL command: " + std::string(kCrLfInLine));
    std::string mail = "MAIL FROM:<" + req_.from + ">";
    if (ext_.count("8BITMIME")) mail += " BODY=8BITMIME";
    if (ext_.count("SMTPUTF8")) mail += " SMTPUTF8";
    if (Reply r = co_await Cmd(250, mail); !r.error.empty()) {
      co_return co_await Abort("send MAIL command: " + r.error);
    }

    if (!req_.mail_error.empty() && req_.error_stage == SmtpMailStage::kBeforeRcpt) {
      co_return co_await Abort(req_.mail_error, false);
    }
    for (const std::string& to : req_.to) {
      if (HasCrLf(to)) co_return co_await Abort("send RCPT command: " + std::string(kCrLfInLine));
      if (Reply r = co_await Cmd(25, "RCPT TO:<" + to + ">"); !r.error.empty()) {
        co_return co_await Abort("send RCPT command: " + r.error);
      }
    }

    if (!req_.mail_error.empty()) co_return co_await Abort(req_.mail_error, false);
    if (Reply r = co_await Cmd(354, "DATA"); !r.error.empty()) {
      co_return co_await Abort("send DATA command: " + r.error);
    }
    if (std::string err = co_await Write(DotStuff(req_.data)); !err.empty()) {
      co_return Fail("delivery failure: " + err, true);
    }
    if (Reply r = co_await ReadReply(250); !r.error.empty()) {
      co_return co_await Abort("delivery failure: " + r.error);
    }

    SmtpResult ok;
    ok.ok = true;
    if (Reply q = co_await Cmd(221, "QUIT", kQuitTimeout); !q.error.empty()) {
      AM_LOG(kWarn, "notify", "failed to close SMTP connection",
             {{"integration", "email"}, {"err", q.error}});
    }
    co_return ok;
  }

  // Fails the send; a connection that still speaks SMTP is told QUIT first, as upstream's
  // deferred Quit does.
  awaitable<SmtpResult> Abort(std::string error, bool retry = true) {
    if (!broken_) co_await Cmd(221, "QUIT", kQuitTimeout);
    co_return Fail(std::move(error), retry);
  }

  bool BuildTls(std::string* err) {
    if (ssl_ctx_) return true;
    try {
      ssl_ctx_ = MakeSmtpTlsContext(req_.tls);
      return true;
    } catch (const std::exception& e) {
      *err = e.what();
      return false;
    }
  }

  awaitable<std::string> Connect() {
    error_code ec;
    Arm(req_.step_timeout);
    auto endpoints = co_await resolver_.async_resolve(
        req_.host, req_.port, asio::redirect_error(asio::use_awaitable, ec));
    Disarm();
    if (ec) co_return "dial tcp " + hostport_ + ": lookup " + req_.host + ": " + IoError(ec);
    Arm(req_.step_timeout);
    tcp::endpoint ep = co_await asio::async_connect(socket_, endpoints,
                                                    asio::redirect_error(asio::use_awaitable, ec));
    Disarm();
    if (ec) {
      broken_ = true;
      co_return "dial tcp " + hostport_ + ": connect: " + IoError(ec);
    }
    (void)ep;
    co_return "";
  }

  awaitable<std::string> Handshake() {
    const std::string server_name = req_.tls.server_name.empty() ? req_.host : req_.tls.server_name;
    tls_ = std::make_unique<asio::ssl::stream<tcp::socket>>(std::move(socket_), *ssl_ctx_);
    // Anything the server sent before the handshake is discarded (STARTTLS injection).
    buf_.clear();
    if (!ConfigureSmtpTlsConnection(tls_->native_handle(), req_.tls, server_name)) {
      broken_ = true;
      co_return "tls: invalid server name " + server_name;
    }
    error_code ec;
    Arm(req_.step_timeout);
    co_await tls_->async_handshake(asio::ssl::stream_base::client,
                                   asio::redirect_error(asio::use_awaitable, ec));
    Disarm();
    if (ec) {
      broken_ = true;
      co_return IoError(ec);
    }
    co_return "";
  }

  // EHLO, then HELO if the server refuses EHLO (net/smtp's hello).
  awaitable<std::string> Hello(const std::string& name) {
    Reply r = co_await Cmd(250, "EHLO " + name);
    if (r.error.empty()) {
      ext_ = ParseEhloExtensions(r.message);
      co_return "";
    }
    if (broken_) co_return r.error;
    ext_.clear();
    Reply h = co_await Cmd(250, "HELO " + name);
    co_return h.error;
  }

  // net/smtp Client.Auth. Returns "" on success.
  awaitable<std::string> Authenticate(SmtpAuth& auth, const std::string& mechs) {
    SmtpServerInfo info;
    info.name = req_.host;
    info.tls = tls_ != nullptr;
    for (size_t pos = 0;;) {
      const size_t sp = mechs.find(' ', pos);
      info.auth.push_back(mechs.substr(pos, sp == std::string::npos ? sp : sp - pos));
      if (sp == std::string::npos) break;
      pos = sp + 1;
    }
    SmtpAuth::Step start = auth.Start(info);
    if (!start.ok) co_return start.error;  // the caller QUITs
    std::string line = "AUTH " + auth.Mechanism();
    if (start.data && !start.data->empty()) line += " " + Base64Encode(*start.data);
    Reply r = co_await Cmd(0, line);
    while (r.error.empty()) {
      std::string msg;
      std::string err;
      if (r.code == 334) {
        if (!Base64Decode(r.message, &msg)) err = "illegal base64 data in server challenge";
      } else if (r.code == 235) {
        msg = r.message;  // not a challenge, not base64
      } else {
        err = SmtpReplyError(r.code, r.message);
      }
      std::optional<std::string> resp;
      if (err.empty()) {
        SmtpAuth::Step next = auth.Next(msg, r.code == 334);
        if (!next.ok) {
          err = next.error;
        } else {
          resp = std::move(next.data);
        }
      }
      if (!err.empty()) {
        co_await Cmd(501, "*");  // cancels the exchange (RFC 4954)
        co_return err;
      }
      if (!resp) co_return "";
      r = co_await Cmd(0, Base64Encode(*resp));
    }
    co_return r.error;
  }

  awaitable<Reply> Cmd(int expect, const std::string& line,
                       std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (std::string err = co_await Write(line + "\r\n", timeout); !err.empty()) {
      Reply r;
      r.error = err;
      r.broken = true;
      co_return r;
    }
    co_return co_await ReadReply(expect, timeout);
  }

  awaitable<Reply> ReadReply(int expect,
                             std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    Reply r;
    if (broken_) {
      r.error = "use of closed network connection";
      r.broken = true;
      co_return r;
    }
    SmtpReplyReader reader(expect);
    for (;;) {
      std::string line;
      if (std::string err = co_await ReadLine(&line, timeout); !err.empty()) {
        r.error = err;
        r.broken = true;
        co_return r;
      }
      const bool complete = reader.Feed(line);
      if (complete) break;
      if (reader.lines() >= kMaxReplyLines) {
        broken_ = true;
        r.error = "reply longer than " + std::to_string(kMaxReplyLines) + " lines";
        r.broken = true;
        co_return r;
      }
    }
    r.code = reader.code();
    r.message = reader.message();
    r.error = reader.error();
    if (reader.protocol_error()) {
      broken_ = true;
      r.broken = true;
    }
    co_return r;
  }

  awaitable<std::string> ReadLine(std::string* line,
                                  std::optional<std::chrono::milliseconds> timeout) {
    error_code ec;
    size_t n = 0;
    Arm(timeout.value_or(req_.step_timeout));
    auto buffer = asio::dynamic_buffer(buf_, kMaxLine);
    if (tls_) {
      n = co_await asio::async_read_until(*tls_, buffer, '\n',
                                          asio::redirect_error(asio::use_awaitable, ec));
    } else {
      n = co_await asio::async_read_until(socket_, buffer, '\n',
                                          asio::redirect_error(asio::use_awaitable, ec));
    }
    Disarm();
    if (ec) {
      broken_ = true;
      if (ec == asio::error::not_found) co_return "line too long";
      co_return IoError(ec);
    }
    line->assign(buf_, 0, n);
    buf_.erase(0, n);
    while (!line->empty() && (line->back() == '\n' || line->back() == '\r')) line->pop_back();
    co_return "";
  }

  awaitable<std::string> Write(const std::string& data,
                               std::optional<std::chrono::milliseconds> timeout = std::nullopt) {
    if (broken_) co_return "use of closed network connection";
    error_code ec;
    Arm(timeout.value_or(req_.step_timeout));
    if (tls_) {
      co_await asio::async_write(*tls_, asio::buffer(data),
                                 asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await asio::async_write(socket_, asio::buffer(data),
                                 asio::redirect_error(asio::use_awaitable, ec));
    }
    Disarm();
    if (ec) {
      broken_ = true;
      co_return IoError(ec);
    }
    co_return "";
  }

  std::string IoError(const error_code& ec) const {
    if (timed_out_) return deadline_hit_ ? "context deadline exceeded" : "i/o timeout";
    if (ec == asio::error::eof) return "EOF";
    return Lower(ec.message());
  }

  // Starts the watchdog of one step: when it fires, the transport is closed, which fails the
  // pending operation. The step ends at its own timeout or at the request's deadline.
  void Arm(std::chrono::milliseconds step) {
    const auto step_end = std::chrono::steady_clock::now() + step;
    const bool is_deadline = req_.deadline <= step_end;
    timer_.expires_at(is_deadline ? req_.deadline : step_end);
    const uint64_t gen = ++timer_gen_;
    timer_.async_wait([self = shared_from_this(), gen, is_deadline](const error_code& ec) {
      // A stale expiry (the step ended and another began) must not close the next step.
      if (ec || gen != self->timer_gen_) return;
      self->timed_out_ = true;
      self->deadline_hit_ = is_deadline;
      self->Close();
    });
  }

  void Disarm() {
    ++timer_gen_;
    timer_.cancel();
  }

  void Close() {
    error_code ignored;
    resolver_.cancel();
    tcp::socket& s = tls_ ? tls_->next_layer() : socket_;
    if (s.is_open()) {
      s.shutdown(tcp::socket::shutdown_both, ignored);
      s.close(ignored);
    }
    timer_.cancel();
  }

  asio::any_io_executor executor_;
  asio::strand<asio::any_io_executor> strand_;
  tcp::resolver resolver_;
  tcp::socket socket_;  // moved into tls_ by the handshake
  std::unique_ptr<asio::ssl::stream<tcp::socket>> tls_;
  std::shared_ptr<asio::ssl::context> ssl_ctx_;
  asio::steady_timer timer_;
  uint64_t timer_gen_ = 0;
  std::string buf_;

  SmtpRequest req_;
  std::function<void(SmtpResult)> done_;
  const std::string hostport_;
  std::map<std::string, std::string, std::less<>> ext_;
  bool broken_ = false;
  bool timed_out_ = false;
  bool deadline_hit_ = false;
  bool authenticated_ = false;
};

}  // namespace

void SmtpClient::Send(SmtpRequest request, std::function<void(SmtpResult)> done) {
  auto session = std::make_shared<Session>(executor_, std::move(request), std::move(done));
  asio::co_spawn(session->strand(), Session::Main(session), asio::detached);
}

}  // namespace am::notify

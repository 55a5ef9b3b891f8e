// SmtpClient: delivers one message over one SMTP connection, asynchronously, following the
// exact sequence of Alertmanager's email notifier (upstream notify/email over Go's net/smtp):
//
//   connect (implicit TLS when asked) → 220 greeting → EHLO <hello> (HELO if EHLO is refused)
//   → STARTTLS + EHLO when require_tls (an error naming the smarthost if not advertised; never
//   with implicit TLS) → AUTH when advertised and a mechanism is chosen → MAIL FROM → RCPT TO
//   per recipient → DATA (dot-stuffed, CRLF) → 250 → QUIT.
//
// Every step (resolve, connect, handshake, each command and reply) has a timeout, and the whole
// exchange ends at the caller's deadline. Errors read as upstream's ("send RCPT command: 550
// 5.1.1 no such user") and say whether another attempt may succeed: failures of the server or
// the network are retryable, like upstream's; a bad TLS configuration and the mail's own
// (template, address) errors are not.
//
// Thread-safety: Send may be called from any thread, concurrently; each call runs on its own
// strand of the executor. Ownership: a running send keeps itself alive; `done` is posted to the
// executor exactly once, never run inline.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/http_config.h"
#include "notify/smtp_auth.h"

namespace am::notify {

// Where a mail that could not be prepared is rejected, so that its error surfaces after the same
// server steps as upstream's (whose templates are executed between those steps).
enum class SmtpMailStage {
  kBeforeMail,  // `from` failed (template, address): after AUTH
  kBeforeRcpt,  // `to` failed: after MAIL FROM
  kBeforeData,  // headers or body failed: after RCPT TO (upstream: after DATA; we never send a
                // truncated message)
};

struct SmtpRequest {
  std::string host;  // the smarthost's host as configured (also PLAIN's server name)
  std::string port;
  bool implicit_tls = false;
  // The EHLO name. Empty: "localhost" (Go's default), and a refused greeting is not an error by
  // itself (upstream only greets explicitly when hello is set).
  std::string hello;
  bool require_tls = true;
  config::TlsConfig tls;  // for implicit TLS and STARTTLS

  // Called with the AUTH parameter of EHLO ("PLAIN LOGIN") when the server advertises AUTH.
  // nullptr: never authenticate.
  std::function<SmtpAuthChoice(std::string_view mechs)> choose_auth;

  std::string from;             // envelope sender
  std::vector<std::string> to;  // envelope recipients, one RCPT each
  std::string data;             // the message, before dot-stuffing
  // Non-empty: the mail could not be prepared; the send fails (not retryable) at `error_stage`.
  std::string mail_error;
  SmtpMailStage error_stage = SmtpMailStage::kBeforeMail;

  std::chrono::milliseconds step_timeout{60000};
  // Absolute bound for the whole exchange; time_point::max(): none beyond the step timeouts.
  std::chrono::steady_clock::time_point deadline = std::chrono::steady_clock::time_point::max();
};

struct SmtpResult {
  bool ok = false;
  bool retry = false;
  std::string error;
  bool deadline_exceeded = false;  // the request's deadline cut the exchange short
  // The server's transcript is not kept; this says how far the exchange got (tests, logs).
  bool authenticated = false;
  bool tls = false;
};

class SmtpClient {
 public:
  explicit SmtpClient(boost::asio::any_io_executor executor) : executor_(std::move(executor)) {}

  void Send(SmtpRequest request, std::function<void(SmtpResult)> done);

 private:
  boost::asio::any_io_executor executor_;
};

}  // namespace am::notify

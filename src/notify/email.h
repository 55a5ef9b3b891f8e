// The email integration (upstream notify/email): one `email_configs` entry, global smtp_*
// defaults already applied by the config. Each notification renders the templated `from`, `to`,
// headers (Subject defaults to the email.default.subject template), text and html parts against
// the group's template data, builds the MIME message (email_message.h) and delivers it with
// SmtpClient over one connection: implicit TLS for port 465 or force_implicit_tls, STARTTLS when
// require_tls, AUTH as upstream chooses it (smtp_auth.h; secret files read at every send), one
// RCPT per address of `to`.
//
// Retries as upstream: failures of the server or the network at any step are retryable;
// template errors, unparsable addresses and a bad tls_config are not. A failure cut short by the
// flush deadline is reported with reason contextDeadlineExceeded.
//
// Thread-safety: Notify may run concurrently; the notifier is immutable. Ownership: shares the
// template set; copies its config.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "config/receiver.h"
#include "notify/integration.h"
#include "notify/smtp_client.h"
#include "template/template.h"

namespace am::notify {

struct EmailOptions {
  boost::asio::any_io_executor executor;            // required: where SMTP sessions run
  std::shared_ptr<const tmpl::Template> templates;  // required: defaults + the config's files
  std::string external_url;                         // --web.external-url, for .ExternalURL
  std::function<Time()> now;                        // wall clock; nullptr: am::Now
  std::string hostname;                             // Message-Id host; "": this machine's name
  // Bound of each SMTP step (connect, handshake, every command); the flush deadline bounds
  // the whole exchange.
  std::chrono::milliseconds step_timeout{60000};
  // The whole exchange's bound when the flush has no deadline (never the case in the daemon).
  std::chrono::milliseconds fallback_timeout{120000};
};

class EmailNotifier final : public Notifier {
 public:
  // Throws std::invalid_argument when a required option is missing.
  EmailNotifier(config::EmailConfig conf, EmailOptions options);

  void Notify(std::shared_ptr<const ExecContext> ctx, const Alerts& alerts,
              std::function<void(NotifyResult)> done) override;

  // What Notify sends for these alerts: connection settings, envelope and rendered message (or
  // the error that stops it). Exposed for tests.
  SmtpRequest BuildRequest(const ExecContext& ctx, const Alerts& alerts) const;

 private:
  const config::EmailConfig conf_;
  const EmailOptions options_;
  const std::string hostname_;
  std::shared_ptr<SmtpClient> client_;
};

// The factory the daemon puts into PipelineOptions::make_email. Build one per loaded config
// (the template set belongs to the config).
std::function<std::shared_ptr<Notifier>(const config::EmailConfig&)> MakeEmailFactory(
    EmailOptions options);

}  // namespace am::notify

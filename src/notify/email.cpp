#include "notify/email.h"

#include <ctime>
#include <stdexcept>

#include "core/strings.h"
#include "notify/email_address.h"
#include "notify/email_message.h"
#include "notify/template_data.h"

namespace am::notify {
namespace {

tmpl::Labels ToTemplateLabels(const LabelSet& ls) { return tmpl::Labels(ls.begin(), ls.end()); }

tmpl::Time ToTemplateTime(Time t) { return IsZero(t) ? tmpl::Time::Zero() : tmpl::Time::At(t); }

// Upstream's template.Data for this flush (receiver QuoteMeta'd, status and common pairs from
// the alerts as the webhook computes them).
tmpl::Data MakeEmailTemplateData(const ExecContext& ctx, const Alerts& alerts,
                                 const std::string& external_url, Time now) {
  const dispatch::FlushContext& flush = *ctx.flush;
  const TemplateData d =
      MakeTemplateData(flush.receiver, flush.group_labels, alerts, external_url, now);
  tmpl::Data out;
  out.receiver = d.receiver;
  out.status = d.status;
  out.alerts.reserve(d.alerts.size());
  for (const AlertData& a : d.alerts) {
    tmpl::Alert ta;
    ta.status = a.status;
    ta.labels = ToTemplateLabels(a.labels);
    ta.annotations = ToTemplateLabels(a.annotations);
    ta.starts_at = ToTemplateTime(a.starts_at);
    ta.ends_at = ToTemplateTime(a.ends_at);
    ta.generator_url = a.generator_url;
    ta.fingerprint = a.fingerprint;
    out.alerts.push_back(std::move(ta));
  }
  out.group_labels = ToTemplateLabels(d.group_labels);
  out.common_labels = ToTemplateLabels(d.common_labels);
  out.common_annotations = ToTemplateLabels(d.common_annotations);
  out.external_url = d.external_url;
  out.notification_reason = std::string(nflog::ReasonString(ctx.reason));
  return out;
}

std::string LocalDate(Time t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  localtime_r(&secs, &tm);
  char buf[16];
  std::strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
  return buf;
}

std::vector<std::string> Addresses(const std::vector<MailAddress>& list) {
  std::vector<std::string> out;
  out.reserve(list.size());
  for (const MailAddress& a : list) out.push_back(a.address);
  return out;
}

}  // namespace

EmailNotifier::EmailNotifier(config::EmailConfig conf, EmailOptions options)
    : conf_(std::move(conf)),
      options_(std::move(options)),
      hostname_(options_.hostname.empty() ? LocalHostname() : options_.hostname) {
  if (!options_.executor) throw std::invalid_argument("email notifier: executor is required");
  if (!options_.templates) throw std::invalid_argument("email notifier: templates are required");
  client_ = std::make_shared<SmtpClient>(options_.executor);
}

SmtpRequest EmailNotifier::BuildRequest(const ExecContext& ctx, const Alerts& alerts) const {
  SmtpRequest req;
  req.host = conf_.smarthost.host;
  req.port = conf_.smarthost.port;
  req.implicit_tls =
      conf_.force_implicit_tls ? *conf_.force_implicit_tls : conf_.smarthost.port == "465";
  req.hello = conf_.hello;
  req.require_tls = conf_.require_tls;
  if (conf_.tls_config) req.tls = *conf_.tls_config;
  SmtpCredentials creds;
  creds.username = conf_.auth_username;
  creds.identity = conf_.auth_identity;
  creds.password = conf_.auth_password.value;
  creds.password_file = conf_.auth_password_file;
  creds.secret = conf_.auth_secret.value;
  creds.secret_file = conf_.auth_secret_file;
  creds.host = conf_.smarthost.host;
  req.choose_auth = [creds = std::move(creds)](std::string_view mechs) {
    return ChooseSmtpAuth(mechs, creds);
  };
  req.step_timeout = options_.step_timeout;

  const Time now = options_.now ? options_.now() : Now();
  const tmpl::PreparedData data(MakeEmailTemplateData(ctx, alerts, options_.external_url, now));
  const tmpl::Template& t = *options_.templates;

  auto fail = [&req](SmtpMailStage stage, std::string error) {
    req.mail_error = std::move(error);
    req.error_stage = stage;
    return req;
  };

  std::string from, to;
  try {
    from = t.ExecuteText(conf_.from, data);
  } catch (const std::exception& e) {
    return fail(SmtpMailStage::kBeforeMail, std::string("execute 'from' template: ") + e.what());
  }
  try {
    to = t.ExecuteText(conf_.to, data);
  } catch (const std::exception& e) {
    return fail(SmtpMailStage::kBeforeMail, std::string("execute 'to' template: ") + e.what());
  }
  std::vector<MailAddress> addrs;
  std::string err;
  if (!ParseAddressList(from, &addrs, &err)) {
    return fail(SmtpMailStage::kBeforeMail, "parse 'from' addresses: " + err);
  }
  if (addrs.size() != 1) {
    return fail(SmtpMailStage::kBeforeMail,
                "must be exactly one 'from' address (got: " + std::to_string(addrs.size()) + ")");
  }
  req.from = addrs[0].address;
  if (!ParseAddressList(to, &addrs, &err)) {
    return fail(SmtpMailStage::kBeforeRcpt, "parse 'to' addresses: " + err);
  }
  req.to = Addresses(addrs);

  EmailMessage m;
  bool has_message_id = false;
  for (const auto& [name, text] : conf_.headers) {
    try {
      m.headers.emplace_back(name, t.ExecuteText(text, data));
    } catch (const std::exception& e) {
      return fail(SmtpMailStage::kBeforeData,
                  "execute " + GoQuote(name) + " header template: " + e.what());
    }
    has_message_id = has_message_id || name == "Message-Id";
  }
  if (!has_message_id) m.message_id = MakeMessageId(now, RandomUint64(), hostname_);
  if (conf_.threading.enabled) {
    m.thread_root_id = ThreadRootId(ctx.flush->group_key,
                                    conf_.threading.thread_by_date == "none" ? "" : LocalDate(now));
  }
  m.date = FormatRfc1123ZLocal(now);
  m.boundary = RandomBoundary();
  if (!conf_.text.empty()) {
    try {
      m.text = t.ExecuteText(conf_.text, data);
    } catch (const std::exception& e) {
      return fail(SmtpMailStage::kBeforeData, std::string("execute text template: ") + e.what());
    }
  }
  if (!conf_.html.empty()) {
    try {
      m.html = t.ExecuteHtml(conf_.html, data);
    } catch (const std::exception& e) {
      return fail(SmtpMailStage::kBeforeData, std::string("execute html template: ") + e.what());
    }
  }
  req.data = BuildEmailMessage(m);
  return req;
}

void EmailNotifier::Notify(std::shared_ptr<const ExecContext> ctx, const Alerts& alerts,
                           std::function<void(NotifyResult)> done) {
  SmtpRequest req = BuildRequest(*ctx, alerts);
  const auto budget =
      ctx->HasDeadline()
          ? std::chrono::duration_cast<std::chrono::steady_clock::duration>(ctx->Remaining())
          : std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                options_.fallback_timeout);
  req.deadline = std::chrono::steady_clock::now() + budget;
  client_->Send(std::move(req), [done = std::move(done)](SmtpResult r) {
    if (r.ok) {
      done(NotifyResult::Success());
      return;
    }
    done(NotifyResult::Failure(
        std::move(r.error), r.retry,
        r.deadline_exceeded ? FailureReason::kContextDeadlineExceeded : FailureReason::kOther));
  });
}

std::function<std::shared_ptr<Notifier>(const config::EmailConfig&)> MakeEmailFactory(
    EmailOptions options) {
  return [options = std::move(options)](const config::EmailConfig& conf) {
    return std::make_shared<EmailNotifier>(conf, options);
  };
}

}  // namespace am::notify

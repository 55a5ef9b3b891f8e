#include "notify/webhook.h"

#include <algorithm>
#include <span>

#include "core/duration.h"
#include "core/log.h"
#include "notify/go_json.h"
#include "notify/request_config.h"

namespace am::notify {
namespace {

constexpr size_t kMaxErrorBody = 1024;

void AppendTime(std::string* out, Time t) {
  out->push_back('"');
  out->append(FormatRFC3339Nano(t));
  out->push_back('"');
}

void AppendKey(std::string* out, std::string_view key) {
  out->push_back('"');
  out->append(key);
  out->append("\":");
}

}  // namespace

std::string EncodeWebhookMessage(const TemplateData& d, std::string_view group_key,
                                 uint64_t truncated_alerts) {
  std::string out;
  out.reserve(512 + d.alerts.size() * 384);
  out.push_back('{');
  AppendKey(&out, "receiver");
  AppendGoJsonString(&out, d.receiver);
  out.push_back(',');
  AppendKey(&out, "status");
  AppendGoJsonString(&out, d.status);
  out.push_back(',');
  AppendKey(&out, "alerts");
  out.push_back('[');
  for (size_t i = 0; i < d.alerts.size(); ++i) {
    const AlertData& a = d.alerts[i];
    if (i > 0) out.push_back(',');
    out.push_back('{');
    AppendKey(&out, "status");
    AppendGoJsonString(&out, a.status);
    out.push_back(',');
    AppendKey(&out, "labels");
    AppendGoJsonStringMap(&out, a.labels);
    out.push_back(',');
    AppendKey(&out, "annotations");
    AppendGoJsonStringMap(&out, a.annotations);
    out.push_back(',');
    AppendKey(&out, "startsAt");
    AppendTime(&out, a.starts_at);
    out.push_back(',');
    AppendKey(&out, "endsAt");
    AppendTime(&out, a.ends_at);
    out.push_back(',');
    AppendKey(&out, "generatorURL");
    AppendGoJsonString(&out, a.generator_url);
    out.push_back(',');
    AppendKey(&out, "fingerprint");
    AppendGoJsonString(&out, a.fingerprint);
    out.push_back('}');
  }
  out.push_back(']');
  out.push_back(',');
  AppendKey(&out, "groupLabels");
  AppendGoJsonStringMap(&out, d.group_labels);
  out.push_back(',');
  AppendKey(&out, "commonLabels");
  AppendGoJsonStringMap(&out, d.common_labels);
  out.push_back(',');
  AppendKey(&out, "commonAnnotations");
  AppendGoJsonStringMap(&out, d.common_annotations);
  out.push_back(',');
  AppendKey(&out, "externalURL");
  AppendGoJsonString(&out, d.external_url);
  out.push_back(',');
  AppendKey(&out, "version");
  AppendGoJsonString(&out, "4");
  out.push_back(',');
  AppendKey(&out, "groupKey");
  AppendGoJsonString(&out, group_key);
  out.push_back(',');
  AppendKey(&out, "truncatedAlerts");
  out.append(std::to_string(truncated_alerts));
  out.append("}\n");  // json.Encoder ends every value with a newline
  return out;
}

WebhookNotifier::WebhookNotifier(config::WebhookConfig conf, WebhookOptions options)
    : conf_(std::move(conf)), options_(std::move(options)) {
  if (conf_.payload) {
    AM_LOG(kWarn, "notify",
           "webhook payload templates are not supported yet; sending the default payload", {});
  }
}

void WebhookNotifier::Notify(std::shared_ptr<const ExecContext> ctx, const Alerts& alerts,
                             std::function<void(NotifyResult)> done) {
  const dispatch::FlushContext& flush = *ctx->flush;
  std::span<const Alert> sent(alerts);
  uint64_t truncated = 0;
  if (conf_.max_alerts != 0 && sent.size() > conf_.max_alerts) {
    truncated = sent.size() - conf_.max_alerts;
    sent = sent.first(conf_.max_alerts);
  }
  const Time now = options_.now ? options_.now() : Now();
  const TemplateData data =
      MakeTemplateData(flush.receiver, flush.group_labels, sent, options_.external_url, now);

  std::string url = conf_.url.value;
  if (url.empty() && !conf_.url_file.empty()) {
    try {
      url = TrimSpace(ReadSecretFile(conf_.url_file, "read url_file:"));
    } catch (const std::exception& e) {
      done(NotifyResult::Failure(e.what(), /*retry=*/false));
      return;
    }
  }
  HttpRequest req;
  try {
    req = RequestFromHttpConfig(conf_.http_config, url);
  } catch (const std::exception& e) {
    // Upstream's round tripper fails the request; the webhook retries any request error.
    done(NotifyResult::Failure(std::string("Post \"<redacted>\": ") + e.what(), /*retry=*/true));
    return;
  }
  req.method = "POST";
  req.headers.insert(req.headers.begin(), {"Content-Type", "application/json"});
  req.headers.insert(req.headers.begin(), {"User-Agent", "Alertmanager/" + options_.version});
  req.body = EncodeWebhookMessage(data, flush.group_key, truncated);

  // Bounded by the flush deadline and, when set, the webhook's own timeout.
  std::chrono::nanoseconds limit =
      ctx->HasDeadline() ? ctx->Remaining() : std::chrono::nanoseconds(options_.fallback_timeout);
  bool own_timeout = false;
  if (conf_.timeout > Duration::zero() && conf_.timeout <= limit) {
    limit = conf_.timeout;
    own_timeout = true;
  }
  req.timeout =
      std::max(std::chrono::milliseconds(1), std::chrono::ceil<std::chrono::milliseconds>(limit));
  req.connect_timeout = std::min(req.timeout, std::chrono::milliseconds(30000));

  const Duration configured = conf_.timeout;
  options_.http->Do(
      std::move(req), [done = std::move(done), own_timeout, configured](HttpResponse r) {
        if (r.status == 0) {
          std::string err = "Post \"<redacted>\": " + r.error;
          if (r.timed_out && own_timeout) {
            err += ": configured webhook timeout reached (" + FormatGoDuration(configured) + ")";
          }
          // A request cut short by the flush deadline counts as the deadline, as upstream's
          // context error does.
          const FailureReason reason = r.timed_out && !own_timeout
                                           ? FailureReason::kContextDeadlineExceeded
                                           : FailureReason::kOther;
          done(NotifyResult::Failure(std::move(err), /*retry=*/true, reason));
          return;
        }
        if (r.status / 100 == 2) {
          done(NotifyResult::Success());
          return;
        }
        std::string err = "unexpected status code " + std::to_string(r.status);
        if (!r.body.empty()) {
          err += ": " + r.body.substr(0, kMaxErrorBody);
        }
        done(NotifyResult::Failure(std::move(err), /*retry=*/r.status / 100 == 5,
                                   ReasonFromStatusCode(r.status)));
      });
}

}  // namespace am::notify

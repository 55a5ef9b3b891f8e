// Pipeline: the notification pipeline of one loaded config (upstream PipelineBuilder.New +
// RoutingStage), and the dispatcher's FlushHandler. Per receiver, as data built from the config:
//
//   GossipSettle → Mute(inhibitor) → TimeActive → TimeMute → Mute(silences) → Fanout(
//     per integration: Wait(position × peer_timeout, then fresh snapshot) → Dedup(nflog) →
//                      Retry(send with backoff) → SetNotifies(record in nflog) )
//
// Everything runs asynchronously on the executor: waits and backoff are Asio timers and HTTP is
// non-blocking, so a slow or dead receiver delays only its own flush.
//
// Thread-safety: Flush may be called from any thread, concurrently. A Pipeline is immutable after
// Build; a reload builds a new one, and flushes in flight keep the old one alive.
// Ownership: the pointers in PipelineOptions (log, peer, muters, metrics) are not owned and must
// outlive every Pipeline and every flush in flight; the HttpClient is shared.
#pragma once

#include <boost/asio/any_io_executor.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.h"
#include "dispatch/flush.h"
#include "nflog/nflog.h"
#include "notify/backoff.h"
#include "notify/http_client.h"
#include "notify/integration.h"
#include "notify/metrics.h"
#include "notify/muter.h"
#include "notify/peer_info.h"
#include "notify/stage.h"
#include "notify/time_muter.h"

namespace am::notify {

struct PipelineOptions {
  boost::asio::any_io_executor executor;  // required: where stages, timers and HTTP run
  nflog::Log* nflog = nullptr;            // required
  PeerInfo* peer = nullptr;               // nullptr: no cluster (position 0, ready at once)
  std::chrono::nanoseconds peer_timeout = std::chrono::seconds(15);  // --cluster.peer-timeout
  Muter* inhibitor = nullptr;  // nullptr: nothing is inhibited (FingerprintMuter
                               // adapts the dispatcher's Inhibitor)
  Muter* silencer = nullptr;   // nullptr: nothing is silenced
  // nullptr: dispatch/time_interval.h over each flush's config (what the daemon wants).
  const TimeMuter* time_muter = nullptr;
  Metrics* metrics = nullptr;        // nullptr: nothing is counted
  std::shared_ptr<HttpClient> http;  // required when a webhook is configured
  std::string external_url;          // --web.external-url, as the webhook reports it
  std::string version = "0.25.0";    // User-Agent: Alertmanager/<version>
  std::function<Time()> now;         // nullptr: am::Now
  BackoffPolicy backoff;
  // Builds the notifier of one email_configs entry; nullptr: email integrations are left out
  // (with a warning) until the email notifier exists.
  std::function<std::shared_ptr<Notifier>(const config::EmailConfig&)> make_email;
};

class Pipeline final : public dispatch::FlushHandler,
                       public std::enable_shared_from_this<Pipeline> {
 public:
  // Builds every receiver's stages. Throws std::invalid_argument when a required option is
  // missing.
  static std::shared_ptr<Pipeline> Build(std::shared_ptr<const config::Config> config,
                                         PipelineOptions options);

  // dispatch::FlushHandler. Returns at once; `done(ok)` runs on the executor when every
  // integration of ctx->receiver succeeded or needed nothing. Logs "Notify for alerts failed"
  // (component=dispatcher, as upstream's dispatcher does) on failure.
  void Flush(std::shared_ptr<const dispatch::FlushContext> ctx, std::vector<Alert> alerts,
             std::function<void(bool ok)> done) override;

  // The whole chain of one receiver, or nullptr (tests, introspection).
  StagePtr ReceiverStage(std::string_view receiver) const;
  // The integrations of one receiver in fanout order.
  std::vector<Integration> Integrations(std::string_view receiver) const;

  const std::shared_ptr<const config::Config>& config() const { return config_; }

 private:
  Pipeline() = default;

  std::shared_ptr<const config::Config> config_;
  PipelineOptions options_;
  std::map<std::string, StagePtr, std::less<>> receivers_;
  std::map<std::string, std::vector<Integration>, std::less<>> integrations_;
};

}  // namespace am::notify

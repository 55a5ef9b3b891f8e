#include "notify/pipeline.h"

#include <boost/asio/post.hpp>
#include <stdexcept>

#include "core/log.h"
#include "notify/dedup_stage.h"
#include "notify/mute_stage.h"
#include "notify/retry_stage.h"
#include "notify/set_notifies_stage.h"
#include "notify/settle_stage.h"
#include "notify/time_stage.h"
#include "notify/wait_stage.h"
#include "notify/webhook.h"

namespace am::notify {

std::shared_ptr<Pipeline> Pipeline::Build(std::shared_ptr<const config::Config> config,
                                          PipelineOptions options) {
  if (!config) throw std::invalid_argument("notify pipeline: no config");
  if (!options.executor) throw std::invalid_argument("notify pipeline: no executor");
  if (options.nflog == nullptr) throw std::invalid_argument("notify pipeline: no nflog");
  if (!options.now) options.now = [] { return Now(); };

  std::shared_ptr<Pipeline> p(new Pipeline());
  p->config_ = std::move(config);
  p->options_ = std::move(options);
  const PipelineOptions& o = p->options_;

  auto settle = std::make_shared<GossipSettleStage>(o.peer);
  auto inhibit = std::make_shared<MuteStage>(o.inhibitor, kSuppressedInhibition, o.metrics);
  auto active = std::make_shared<TimeActiveStage>(o.time_muter, o.metrics);
  auto mute = std::make_shared<TimeMuteStage>(o.time_muter, o.metrics);
  auto silence = std::make_shared<MuteStage>(o.silencer, kSuppressedSilence, o.metrics);
  PeerInfo* peer = o.peer;
  const std::chrono::nanoseconds peer_timeout = o.peer_timeout;
  std::function<std::chrono::nanoseconds()> cluster_wait = [peer, peer_timeout] {
    return peer ? peer->Position() * peer_timeout : std::chrono::nanoseconds::zero();
  };

  for (const config::Receiver& rcv : p->config_->receivers) {
    std::vector<Integration> integrations;
    for (size_t i = 0; i < rcv.webhook_configs.size(); ++i) {
      if (!o.http) throw std::invalid_argument("notify pipeline: webhook without an HttpClient");
      WebhookOptions wo;
      wo.http = o.http;
      wo.external_url = o.external_url;
      wo.version = o.version;
      wo.now = o.now;
      integrations.push_back(
          Integration{"webhook", static_cast<uint32_t>(i), rcv.webhook_configs[i].send_resolved,
                      std::make_shared<WebhookNotifier>(rcv.webhook_configs[i], std::move(wo))});
    }
    for (size_t i = 0; i < rcv.email_configs.size(); ++i) {
      if (!o.make_email) {
        AM_LOG(kWarn, "notify", "email integration not available; left out",
               {{"receiver", rcv.name}, {"integration", "email[" + std::to_string(i) + "]"}});
        continue;
      }
      integrations.push_back(Integration{"email", static_cast<uint32_t>(i),
                                         rcv.email_configs[i].send_resolved,
                                         o.make_email(rcv.email_configs[i])});
    }

    std::vector<StagePtr> branches;
    for (const Integration& in : integrations) {
      nflog::Receiver recv{rcv.name, in.name, in.idx};
      branches.push_back(std::make_shared<MultiStage>(std::vector<StagePtr>{
          std::make_shared<WaitStage>(
              cluster_wait, std::vector<std::shared_ptr<const MuteStage>>{inhibit, silence}),
          std::make_shared<DedupStage>(o.nflog, recv, in.send_resolved),
          std::make_shared<RetryStage>(in, rcv.name, o.metrics, o.backoff),
          std::make_shared<SetNotifiesStage>(o.nflog, recv),
      }));
    }
    p->receivers_[rcv.name] = std::make_shared<MultiStage>(
        std::vector<StagePtr>{settle, inhibit, active, mute, silence,
                              std::make_shared<FanoutStage>(std::move(branches))});
    p->integrations_[rcv.name] = std::move(integrations);
  }
  return p;
}

void Pipeline::Flush(std::shared_ptr<const dispatch::FlushContext> ctx, std::vector<Alert> alerts,
                     std::function<void(bool ok)> done) {
  boost::asio::post(options_.executor,
                    [self = shared_from_this(), ctx = std::move(ctx), alerts = std::move(alerts),
                     done = std::move(done)]() mutable {
                      const size_t n = alerts.size();
                      auto it = self->receivers_.find(ctx->receiver);
                      if (it == self->receivers_.end()) {
                        AM_LOG(kError, "dispatcher", "Notify for alerts failed",
                               {{"num_alerts", n}, {"err", "stage for receiver missing"}});
                        done(false);
                        return;
                      }
                      auto exec = std::make_shared<ExecContext>();
                      exec->flush = std::move(ctx);
                      exec->executor = self->options_.executor;
                      exec->now = self->options_.now;
                      it->second->Exec(std::move(exec), std::move(alerts),
                                       [self, n, done = std::move(done)](Status s, Alerts) {
                                         if (!s.ok) {
                                           AM_LOG(kError, "dispatcher", "Notify for alerts failed",
                                                  {{"num_alerts", n}, {"err", s.error}});
                                         }
                                         done(s.ok);
                                       });
                    });
}

StagePtr Pipeline::ReceiverStage(std::string_view receiver) const {
  auto it = receivers_.find(receiver);
  return it == receivers_.end() ? nullptr : it->second;
}

std::vector<Integration> Pipeline::Integrations(std::string_view receiver) const {
  auto it = integrations_.find(receiver);
  return it == integrations_.end() ? std::vector<Integration>{} : it->second;
}

}  // namespace am::notify

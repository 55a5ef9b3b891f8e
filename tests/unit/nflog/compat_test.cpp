// Compatibility with a notification log written by Alertmanager 0.25 itself.
//
// testdata/nflog_0.25 was captured from Debian's prometheus-alertmanager 0.25.0 (single node, on
// loopback, one webhook receiver "hook" answering 200) with:
//   sh tests/unit/nflog/testdata/capture_nflog_0.25.sh
// (the script holds the exact config, alerts and timing). It contains two entries:
//  - {}:{alertname="NflogCompatFiring"} / hook/webhook/0: firing {alertname, instance="a:1",
//    job="compat"};
//  - {}:{alertname="NflogCompatResolved"} / hook/webhook/0: the same alert (instance="b:2") after
//    it resolved with send_resolved true: nothing firing, one resolved hash.
// repeat_interval was 4h, so expires_at = timestamp + 8h. testdata/nflog_0.25.webhooks holds the
// payloads the sink received (the group keys above are copied from them).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/labels.h"
#include "nflog/dedup.h"
#include "nflog/delimited.h"
#include "nflog/nflog.h"
#include "proto/nflog.pb.h"

namespace am::nflog {
namespace {

const std::string kFile = AM_NFLOG_TESTDATA "/nflog_0.25";
const Receiver kHook{"hook", "webhook", 0};
const std::string kFiringKey = "{}:{alertname=\"NflogCompatFiring\"}";
const std::string kResolvedKey = "{}:{alertname=\"NflogCompatResolved\"}";

std::string ReadAll(const std::string& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(NflogCompat, AlertHashIsUpstreamHashAlert) {
  // The firing hash Alertmanager 0.25 stored for these labels (varint d0 a6 80 91 da 95 85 f1 75,
  // at byte 72 of the file) is LabelSet::XxHash of the same labels.
  const LabelSet firing{{"alertname", "NflogCompatFiring"}, {"job", "compat"}, {"instance", "a:1"}};
  EXPECT_EQ(firing.XxHash(), 0x75e214ada2201350ull);
}

TEST(NflogCompat, LoadsUpstreamSnapshot) {
  Log log;
  ASSERT_TRUE(log.Load(kFile));
  EXPECT_EQ(log.size(), 2u);

  const LabelSet firing{{"alertname", "NflogCompatFiring"}, {"instance", "a:1"}, {"job", "compat"}};
  auto f = log.Query(kFiringKey, kHook);
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->group_key, kFiringKey);
  EXPECT_EQ(f->receiver, kHook);
  EXPECT_EQ(f->firing_alerts, std::vector<uint64_t>{firing.XxHash()});
  EXPECT_TRUE(f->resolved_alerts.empty());
  EXPECT_EQ(f->expires_at - f->timestamp, std::chrono::hours(8));
  EXPECT_EQ(FormatRFC3339Nano(f->timestamp).substr(0, 11), "2026-11-22T");

  const LabelSet resolved{
      {"alertname", "NflogCompatResolved"}, {"instance", "b:2"}, {"job", "compat"}};
  auto r = log.Query(kResolvedKey, kHook);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->firing_alerts.empty());
  EXPECT_EQ(r->resolved_alerts, std::vector<uint64_t>{resolved.XxHash()});
  EXPECT_GT(r->timestamp, f->timestamp);

  // What a replica would decide on these entries a minute later.
  const std::vector<uint64_t> none;
  const std::vector<uint64_t> fh{firing.XxHash()};
  const Time later = f->timestamp + std::chrono::minutes(1);
  EXPECT_EQ(NeedsUpdate(fh, none, &*f, true, std::chrono::hours(4), later),
            NotifyReason::kDoNotNotify);
  EXPECT_EQ(NeedsUpdate(none, fh, &*f, true, std::chrono::hours(4), later),
            NotifyReason::kAllAlertsResolved);
  const std::vector<uint64_t> rh{resolved.XxHash()};
  EXPECT_EQ(NeedsUpdate(rh, none, &*r, true, std::chrono::hours(4), later),
            NotifyReason::kFirstNotification);
}

TEST(NflogCompat, RemarshalGivesIdenticalBytes) {
  const std::string file = ReadAll(kFile);
  ASSERT_EQ(file.size(), 193u);
  Log log;
  ASSERT_TRUE(log.Load(kFile));
  // Go writes entries in map order and we in key order; compare entry by entry, then the whole
  // file (its two entries happen to be in key order).
  std::vector<std::string> theirs;
  DelimitedReader reader(file, 1 << 20);
  for (size_t at = 0;;) {
    nflogpb::MeshEntry m;
    if (!reader.Next(&m)) break;
    theirs.push_back(file.substr(at, reader.offset() - at));
    at = reader.offset();
  }
  ASSERT_EQ(theirs.size(), 2u);
  const std::string ours = log.MarshalBinary();
  for (const auto& e : theirs) EXPECT_NE(ours.find(e), std::string::npos);
  EXPECT_EQ(ours, file);
}

TEST(NflogCompat, UpstreamBytesMergeAsGossip) {
  const std::string file = ReadAll(kFile);
  Log loaded;
  ASSERT_TRUE(loaded.Load(kFile));
  const Time ts = loaded.Query(kFiringKey, kHook)->timestamp;
  Log log({.now = [ts] { return ts + std::chrono::hours(1); }});
  EXPECT_TRUE(log.Merge(file));
  EXPECT_EQ(log.MarshalBinary(), file);
  // Nine hours later both have expired: a peer's full state would be ignored.
  Log late({.now = [ts] { return ts + std::chrono::hours(9); }});
  EXPECT_FALSE(late.Merge(file));
  EXPECT_EQ(late.size(), 0u);
}

TEST(NflogCompat, EveryTruncationLoadsOrFailsCleanly) {
  const std::string file = ReadAll(kFile);
  for (size_t n = 0; n < file.size(); ++n) {
    Log log;
    try {
      log.Merge(std::string_view(file).substr(0, n));
      // Only whole entries can be accepted: the empty prefix and the first entry alone.
      EXPECT_TRUE(n == 0 || n == 95) << n;
    } catch (const ParseError&) {
    }
  }
}

}  // namespace
}  // namespace am::nflog

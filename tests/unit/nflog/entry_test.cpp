#include "nflog/entry.h"

#include <gtest/gtest.h>

namespace am::nflog {
namespace {

TEST(NflogKey, ReceiverKeyIsNameIntegrationIndex) {
  EXPECT_EQ(ReceiverKey({"team-x", "webhook", 0}), "team-x/webhook/0");
  EXPECT_EQ(ReceiverKey({"r", "email", 12}), "r/email/12");
  EXPECT_EQ(ReceiverKey({"", "", 4294967295u}), "//4294967295");
}

TEST(NflogKey, StateKeyIsGroupKeyColonReceiverKey) {
  EXPECT_EQ(StateKey("{}/{team=\"x\"}:{alertname=\"A\", job=\"b\"}", {"hook", "webhook", 1}),
            "{}/{team=\"x\"}:{alertname=\"A\", job=\"b\"}:hook/webhook/1");
  EXPECT_EQ(StateKey("", {"r", "webhook", 0}), ":r/webhook/0");
}

}  // namespace
}  // namespace am::nflog

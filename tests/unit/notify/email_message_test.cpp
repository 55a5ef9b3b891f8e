// The MIME message against what upstream's code path writes with Go 1.19 (golden bytes produced
// by the same calls as notify/email with a fixed boundary, Message-Id and date).
#include "notify/email_message.h"

#include <gtest/gtest.h>

#include <set>

namespace am::notify {
namespace {

using namespace std::chrono;

constexpr const char* kBoundary = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab";

EmailMessage Message(std::optional<std::string> text, std::optional<std::string> html) {
  EmailMessage m;
  m.headers = {
      {"From", "am@example.com"}, {"Subject", "[FIRING:1] Prüfung"}, {"To", "ops@example.com"}};
  m.message_id = "<1.2@host>";
  m.date = "Fri, 09 Feb 2024 03:35:03 -0330";
  m.boundary = kBoundary;
  m.text = std::move(text);
  m.html = std::move(html);
  return m;
}

const std::string kHead =
    "From: am@example.com\r\nSubject: =?utf-8?q?[FIRING:1]_Pr=C3=BCfung?=\r\nTo: "
    "ops@example.com\r\nMessage-Id: <1.2@host>\r\nDate: Fri, 09 Feb 2024 03:35:03 "
    "-0330\r\nContent-Type: multipart/alternative;  "
    "boundary=0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\r\nMIME-Version: "
    "1.0\r\n\r\n";

TEST(EmailMessage, TextThenHtmlMatchesGo) {
  EXPECT_EQ(BuildEmailMessage(Message(".dot line\nsecond ", "<p>hi</p>")),
            kHead +
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; "
                "charset=UTF-8\r\n\r\n.dot line\r\nsecond=20\r\n"
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; "
                "charset=UTF-8\r\n\r\n<p>hi</p>\r\n"
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab--\r\n");
}

TEST(EmailMessage, HtmlOnlyMatchesGo) {
  EXPECT_EQ(BuildEmailMessage(Message(std::nullopt, "<p>hi</p>")),
            kHead +
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/html; "
                "charset=UTF-8\r\n\r\n<p>hi</p>\r\n"
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab--\r\n");
}

TEST(EmailMessage, TextOnlyMatchesGo) {
  EXPECT_EQ(BuildEmailMessage(Message("only text", std::nullopt)),
            kHead +
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab\r\n"
                "Content-Transfer-Encoding: quoted-printable\r\nContent-Type: text/plain; "
                "charset=UTF-8\r\n\r\nonly text\r\n"
                "--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab--\r\n");
}

TEST(EmailMessage, NoPartsMatchesGo) {
  EXPECT_EQ(BuildEmailMessage(Message(std::nullopt, std::nullopt)),
            kHead + "\r\n--0123456789abcdef0123456789abcdef0123456789abcdef0123456789ab--\r\n");
}

TEST(EmailMessage, ConfiguredMessageIdAndThreading) {
  EmailMessage m = Message("t", std::nullopt);
  m.headers.emplace_back("Message-Id", "<mine@x>");
  m.message_id.reset();
  m.thread_root_id = "<alert-ad4b39d3af6c5f08-@alertmanager>";
  const std::string out = BuildEmailMessage(m);
  EXPECT_NE(out.find("Message-Id: <mine@x>\r\nReferences: <alert-ad4b39d3af6c5f08-@alertmanager>"
                     "\r\nIn-Reply-To: <alert-ad4b39d3af6c5f08-@alertmanager>\r\nDate: "),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("<1.2@host>"), std::string::npos);
}

TEST(EmailMessage, Rfc1123ZLikeGo) {
  const Time t = sys_days{year{2024} / 2 / 9} + 7h + 5min + 3s + 999ms;
  EXPECT_EQ(FormatRfc1123Z(t, -(3 * 3600 + 30 * 60)), "Fri, 09 Feb 2024 03:35:03 -0330");
  EXPECT_EQ(FormatRfc1123Z(t, 0), "Fri, 09 Feb 2024 07:05:03 +0000");
  EXPECT_EQ(FormatRfc1123Z(t, 5 * 3600 + 45 * 60), "Fri, 09 Feb 2024 12:50:03 +0545");
  const Time jan1 = sys_days{year{2025} / 1 / 1} + 0s;
  EXPECT_EQ(FormatRfc1123Z(jan1, -3600), "Tue, 31 Dec 2024 23:00:00 -0100");
}

TEST(EmailMessage, MessageIdAndBoundaryShapes) {
  const Time t = sys_days{year{2024} / 2 / 9} + 1ns;
  EXPECT_EQ(MakeMessageId(t, 42, "host.example"), "<1707436800000000001.42@host.example>");
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    const std::string b = RandomBoundary();
    EXPECT_EQ(b.size(), 60u);
    EXPECT_EQ(b.find_first_not_of("0123456789abcdef"), std::string::npos);
    seen.insert(b);
  }
  EXPECT_EQ(seen.size(), 20u);
  EXPECT_FALSE(LocalHostname().empty());
}

TEST(EmailMessage, ThreadRootIdHashesTheGroupKey) {
  // sha256("{}:{alertname=\"A\"}") starts with ad4b39d3af6c5f08.
  EXPECT_EQ(ThreadRootId("{}:{alertname=\"A\"}", ""), "<alert-ad4b39d3af6c5f08-@alertmanager>");
  EXPECT_EQ(ThreadRootId("{}:{alertname=\"A\"}", "2024-02-09"),
            "<alert-ad4b39d3af6c5f08-2024-02-09@alertmanager>");
}

}  // namespace
}  // namespace am::notify

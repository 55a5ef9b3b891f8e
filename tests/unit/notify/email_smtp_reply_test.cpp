// SMTP replies read as Go's textproto.ReadResponse reads them; EHLO extensions as net/smtp.
#include "notify/smtp_reply.h"

#include <gtest/gtest.h>

namespace am::notify {
namespace {

TEST(SmtpReply, SingleLineWithExpectedCode) {
  SmtpReplyReader r(250);
  EXPECT_TRUE(r.Feed("250 OK"));
  EXPECT_EQ(r.code(), 250);
  EXPECT_EQ(r.message(), "OK");
  EXPECT_EQ(r.error(), "");
}

TEST(SmtpReply, MultiLineJoinsWithNewlines) {
  SmtpReplyReader r(250);
  EXPECT_FALSE(r.Feed("250-mail.example.com"));
  EXPECT_FALSE(r.Feed("250-STARTTLS"));
  EXPECT_TRUE(r.Feed("250 AUTH PLAIN LOGIN"));
  EXPECT_EQ(r.message(), "mail.example.com\nSTARTTLS\nAUTH PLAIN LOGIN");
  EXPECT_EQ(r.error(), "");
}

TEST(SmtpReply, UnexpectedCodeBecomesTheError) {
  SmtpReplyReader r(25);  // RCPT accepts 250 and 251
  EXPECT_TRUE(r.Feed("550 5.1.1 <nobody@example.com>: Recipient address rejected"));
  EXPECT_EQ(r.error(), "550 5.1.1 <nobody@example.com>: Recipient address rejected");
  EXPECT_FALSE(r.protocol_error());

  SmtpReplyReader ok(25);
  EXPECT_TRUE(ok.Feed("251 will forward"));
  EXPECT_EQ(ok.error(), "");

  SmtpReplyReader multi(250);
  EXPECT_FALSE(multi.Feed("554-first"));
  EXPECT_TRUE(multi.Feed("554 second"));
  EXPECT_EQ(multi.error(), "554 first\nsecond");
}

TEST(SmtpReply, AnyCodeAcceptedWithZero) {
  SmtpReplyReader r(0);
  EXPECT_TRUE(r.Feed("334 VXNlcm5hbWU6"));
  EXPECT_EQ(r.code(), 334);
  EXPECT_EQ(r.error(), "");
}

TEST(SmtpReply, MalformedLinesAreProtocolErrors) {
  SmtpReplyReader shorter(220);
  EXPECT_TRUE(shorter.Feed("22"));
  EXPECT_TRUE(shorter.protocol_error());
  EXPECT_EQ(shorter.error(), "short response: 22");

  SmtpReplyReader bad(220);
  EXPECT_TRUE(bad.Feed("abc hello"));
  EXPECT_EQ(bad.error(), "invalid response code: abc hello");
}

TEST(SmtpReply, ContinuationWithoutCodeIsPartOfTheMessage) {
  SmtpReplyReader r(220);
  EXPECT_FALSE(r.Feed("220-welcome"));
  EXPECT_FALSE(r.Feed("to the server"));
  EXPECT_TRUE(r.Feed("220 ready"));
  EXPECT_EQ(r.message(), "welcome\nto the server\nready");
}

TEST(SmtpReply, EhloExtensionsSkipTheGreetingLine) {
  auto ext = ParseEhloExtensions(
      "mx.example.com Hello\nSTARTTLS\nAUTH PLAIN LOGIN CRAM-MD5\n"
      "SIZE 10240000\n8BITMIME\nauth lower");
  EXPECT_EQ(ext.size(), 5u);
  EXPECT_EQ(ext.at("AUTH"), "PLAIN LOGIN CRAM-MD5");
  EXPECT_EQ(ext.at("STARTTLS"), "");
  EXPECT_EQ(ext.at("SIZE"), "10240000");
  EXPECT_TRUE(ext.count("auth"));  // kept as written; lookups use upper case
  EXPECT_TRUE(ParseEhloExtensions("only the greeting").empty());
}

TEST(SmtpReply, ErrorTextPadsTheCode) { EXPECT_EQ(SmtpReplyError(50, "x"), "050 x"); }

}  // namespace
}  // namespace am::notify

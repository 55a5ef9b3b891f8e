// Address lists against vectors produced by Go 1.19's net/mail.ParseAddressList.
#include "notify/email_address.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace am::notify {
namespace {

struct Case {
  std::string in;
  std::vector<MailAddress> want;
  std::string error;
};

TEST(EmailAddress, ParseAddressListMatchesGo) {
  const std::vector<Case> cases = {
      {"a@b.c", {{"", "a@b.c"}}, ""},
      {"A <a@b.c>", {{"A", "a@b.c"}}, ""},
      {"\"Q, Name\" <a@b.c>", {{"Q, Name", "a@b.c"}}, ""},
      {"a@b.c, d@e.f", {{"", "a@b.c"}, {"", "d@e.f"}}, ""},
      {"a@b.c (Comment)", {{"Comment", "a@b.c"}}, ""},
      {"team: a@b.c, d@e.f;", {{"", "a@b.c"}, {"", "d@e.f"}}, ""},
      {"team:;", {}, ""},
      {" , a@b.c,, ,d@e.f ,", {{"", "a@b.c"}, {"", "d@e.f"}}, ""},
      {"\"quoted local\"@b.c", {{"", "quoted local@b.c"}}, ""},
      {"foo", {}, "mail: missing '@' or angle-addr"},
      {"Full Name", {}, "mail: no angle-addr"},
      {"", {}, "mail: no address"},
      {"a@b.c d@e.f", {}, "mail: expected comma"},
      {"<a@b.c", {}, "mail: unclosed angle-addr"},
      {"a@[1.2.3.4]", {}, "mail: no angle-addr"},
      {"a..b@c.d", {}, "mail: no angle-addr"},
      {"Jörg <j@ö.de>", {{"Jörg", "j@ö.de"}}, ""},
      {"a@b.c (unclosed", {}, "mail: misformatted parenthetical comment"},
      {"x@y.z; w@v.u", {}, "mail: expected comma"},
      {"<a@b.c>", {{"", "a@b.c"}}, ""},
      {"\"\"@b.c", {}, "mail: no angle-addr"},
      {"a@b.c,", {{"", "a@b.c"}}, ""},
  };
  for (const Case& c : cases) {
    std::vector<MailAddress> got;
    std::string err;
    const bool ok = ParseAddressList(c.in, &got, &err);
    EXPECT_EQ(ok, c.error.empty()) << c.in;
    EXPECT_EQ(err, c.error) << c.in;
    EXPECT_EQ(got, c.want) << c.in;
  }
}

TEST(EmailAddress, EncodedDisplayNameKeepsTheAddress) {
  // Go decodes the name to "Jörg"; only the address reaches the SMTP envelope.
  std::vector<MailAddress> got;
  std::string err;
  ASSERT_TRUE(ParseAddressList("=?utf-8?q?J=C3=B6rg?= <j@x.de>", &got, &err)) << err;
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].address, "j@x.de");
}

TEST(EmailAddress, InvalidUtf8IsRejected) {
  std::vector<MailAddress> got;
  std::string err;
  EXPECT_FALSE(ParseAddressList("a\xff@b.c", &got, &err));
  EXPECT_NE(err.find("invalid utf-8"), std::string::npos) << err;
}

}  // namespace
}  // namespace am::notify

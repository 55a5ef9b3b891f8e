// SMTP AUTH: upstream's mechanism choice, Go's PLAIN safety rule, CRAM-MD5 (RFC 2195 example),
// LOGIN challenges, credential files and base64.
#include "notify/smtp_auth.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

namespace am::notify {
namespace {

class TempFile {
 public:
  explicit TempFile(const std::string& content) {
    char tmpl[] = "/tmp/email_auth_testXXXXXX";
    const int fd = mkstemp(tmpl);
    path_ = tmpl;
    ::close(fd);
    std::ofstream(path_, std::ios::binary) << content;
  }
  ~TempFile() { std::remove(path_.c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

SmtpCredentials Creds() {
  SmtpCredentials c;
  c.username = "user";
  c.host = "127.0.0.1";
  return c;
}

std::string Chosen(std::string_view mechs, const SmtpCredentials& c) {
  SmtpAuthChoice choice = ChooseSmtpAuth(mechs, c);
  if (!choice.auth) return "none: " + choice.error;
  return choice.auth->Mechanism();
}

TEST(SmtpAuthChoice, NoUsernameMeansNoAuthentication) {
  SmtpCredentials c = Creds();
  c.username.clear();
  c.password = "p";
  SmtpAuthChoice choice = ChooseSmtpAuth("PLAIN LOGIN", c);
  EXPECT_EQ(choice.auth, nullptr);
  EXPECT_EQ(choice.error, "");
}

TEST(SmtpAuthChoice, FirstServerMechanismWithACredentialWins) {
  SmtpCredentials c = Creds();
  c.password = "p";
  EXPECT_EQ(Chosen("PLAIN LOGIN", c), "PLAIN");
  EXPECT_EQ(Chosen("LOGIN PLAIN", c), "LOGIN");
  // CRAM-MD5 first in the server's list but no secret: skipped.
  EXPECT_EQ(Chosen("CRAM-MD5 LOGIN PLAIN", c), "LOGIN");
  c.secret = "s";
  EXPECT_EQ(Chosen("CRAM-MD5 LOGIN PLAIN", c), "CRAM-MD5");
  EXPECT_EQ(Chosen("PLAIN CRAM-MD5", c), "PLAIN");
  c.password.clear();
  EXPECT_EQ(Chosen("PLAIN CRAM-MD5", c), "CRAM-MD5");
}

TEST(SmtpAuthChoice, NoUsableMechanismListsEveryReason) {
  SmtpCredentials c = Creds();
  EXPECT_EQ(Chosen("CRAM-MD5 PLAIN LOGIN XOAUTH2", c),
            "none: missing secret for CRAM-MD5 auth mechanism\n"
            "missing password for PLAIN auth mechanism\n"
            "missing password for LOGIN auth mechanism\n"
            "unknown auth mechanism: XOAUTH2");
}

TEST(SmtpAuthChoice, PasswordFileIsReadAtChoiceTimeAndTrimmed) {
  TempFile f("from-file\n");
  SmtpCredentials c = Creds();
  c.password = "inline";
  c.password_file = f.path();
  SmtpAuthChoice choice = ChooseSmtpAuth("PLAIN", c);
  ASSERT_TRUE(choice.auth);
  SmtpServerInfo info{"127.0.0.1", false, {"PLAIN"}};
  SmtpAuth::Step s = choice.auth->Start(info);
  ASSERT_TRUE(s.ok) << s.error;
  EXPECT_EQ(*s.data, std::string("\0user\0from-file", 15));
  // Rotated without a reload.
  std::ofstream(f.path(), std::ios::trunc) << "rotated";
  choice = ChooseSmtpAuth("LOGIN", c);
  ASSERT_TRUE(choice.auth);
  EXPECT_EQ(*choice.auth->Next("Password:", true).data, "rotated");
}

TEST(SmtpAuthChoice, SecretFileIsNotTrimmed) {
  TempFile f("secret\n");
  SmtpCredentials c = Creds();
  c.secret_file = f.path();
  SmtpAuthChoice choice = ChooseSmtpAuth("CRAM-MD5", c);
  ASSERT_TRUE(choice.auth);
  SmtpAuth::Step with_newline = choice.auth->Next("challenge", true);
  SmtpAuth::Step trimmed = MakeCramMd5Auth("user", "secret")->Next("challenge", true);
  EXPECT_NE(*with_newline.data, *trimmed.data);
}

TEST(SmtpAuthChoice, UnreadablePasswordFileIsAnError) {
  SmtpCredentials c = Creds();
  c.password_file = "/nonexistent/pw";
  EXPECT_EQ(Chosen("PLAIN", c),
            "none: could not read /nonexistent/pw: open /nonexistent/pw: no such file or "
            "directory");
}

TEST(SmtpPlainAuth, RefusesUnencryptedConnectionsExceptToLocalhost) {
  for (const char* host : {"localhost", "127.0.0.1", "::1"}) {
    auto a = MakePlainAuth("", "u", "p", host);
    EXPECT_TRUE(a->Start({host, false, {"PLAIN"}}).ok) << host;
  }
  auto remote = MakePlainAuth("", "u", "p", "mail.example.com");
  SmtpAuth::Step s = remote->Start({"mail.example.com", false, {"PLAIN"}});
  EXPECT_FALSE(s.ok);
  EXPECT_EQ(s.error, "unencrypted connection");
  EXPECT_TRUE(remote->Start({"mail.example.com", true, {"PLAIN"}}).ok);
  EXPECT_EQ(remote->Start({"other.example.com", true, {}}).error, "wrong host name");
}

TEST(SmtpPlainAuth, InitialResponseCarriesIdentity) {
  auto a = MakePlainAuth("admin", "u", "p", "localhost");
  EXPECT_EQ(*a->Start({"localhost", false, {}}).data, std::string("admin\0u\0p", 9));
  EXPECT_FALSE(a->Next("more?", true).ok);
  EXPECT_FALSE(a->Next("", false).data.has_value());
  EXPECT_EQ(a->TypeName(), "*smtp.plainAuth");
}

TEST(SmtpCramMd5Auth, AnswersTheRfc2195Example) {
  auto a = MakeCramMd5Auth("tim", "tanstaaftanstaaf");
  EXPECT_TRUE(a->Start({"x", false, {}}).data->empty());
  SmtpAuth::Step s = a->Next("<1896.697170952@postoffice.reston.mci.net>", true);
  ASSERT_TRUE(s.ok);
  EXPECT_EQ(*s.data, "tim b913a602c7eda7a495b4e6e7334d3890");
}

TEST(SmtpLoginAuth, AnswersUsernameAndPasswordPrompts) {
  auto a = MakeLoginAuth("u", "p");
  EXPECT_EQ(a->Mechanism(), "LOGIN");
  EXPECT_EQ(*a->Next("Username:", true).data, "u");
  EXPECT_EQ(*a->Next("PASSWORD:", true).data, "p");
  EXPECT_FALSE(a->Next("Who are you?", true).ok);
  EXPECT_FALSE(a->Next("ok", false).data.has_value());
  EXPECT_EQ(a->TypeName(), "*email.loginAuth");
}

TEST(SmtpBase64, RoundTripsAndRejectsGarbage) {
  EXPECT_EQ(Base64Encode(std::string("\0user\0pass", 10)), "AHVzZXIAcGFzcw==");
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("ab"), "YWI=");
  std::string out;
  ASSERT_TRUE(Base64Decode("VXNlcm5hbWU6", &out));
  EXPECT_EQ(out, "Username:");
  ASSERT_TRUE(Base64Decode("YWI=", &out));
  EXPECT_EQ(out, "ab");
  EXPECT_FALSE(Base64Decode("YW", &out));
  EXPECT_FALSE(Base64Decode("Y!I=", &out));
  EXPECT_FALSE(Base64Decode("YW=I", &out));
}

}  // namespace
}  // namespace am::notify

// EmailNotifier::BuildRequest: templated headers and parts, envelope addresses, connection
// settings, and where template and address errors stop the send (never retried).
#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>

#include "notify/email.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

config::EmailConfig Conf() {
  config::EmailConfig c;
  c.to = "ops@example.com, \"Dev Team\" <dev@example.com>";
  c.from = "Alertmanager <am@example.com>";
  c.hello = "am.example.com";
  c.smarthost = {"smtp.example.com", "587"};
  c.headers = {{"From", c.from}, {"Subject", config::kDefaultEmailSubject}, {"To", c.to}};
  c.text = "{{ range .Alerts }}{{ .Labels.alertname }} is {{ .Status }}\n{{ end }}";
  return c;
}

class EmailNotifierTest : public ::testing::Test {
 protected:
  EmailNotifier Notifier(config::EmailConfig c) {
    EmailOptions o;
    o.executor = io_.get_executor();
    o.templates = tmpl::Template::Defaults();
    o.external_url = "http://am.example:9093";
    o.hostname = "host.example";
    return EmailNotifier(std::move(c), std::move(o));
  }

  SmtpRequest Build(config::EmailConfig c) {
    auto flush = MakeFlush(Now());
    auto ctx = MakeExec(io_, flush);
    Alerts alerts = {MakeAlert(LabelSet{{"alertname", "A"}, {"severity", "critical"}},
                               Now() - std::chrono::minutes(1))};
    return Notifier(std::move(c)).BuildRequest(*ctx, alerts);
  }

  static std::string Header(const std::string& data, const std::string& name) {
    const std::string key = "\r\n" + name + ": ";
    const std::string all = "\r\n" + data;
    const size_t p = all.find(key);
    if (p == std::string::npos) return "<missing>";
    const size_t s = p + key.size();
    return all.substr(s, all.find("\r\n", s) - s);
  }

  boost::asio::io_context io_;
};

TEST_F(EmailNotifierTest, RendersHeadersPartsAndEnvelope) {
  SmtpRequest r = Build(Conf());
  EXPECT_EQ(r.mail_error, "");
  EXPECT_EQ(r.from, "am@example.com");
  EXPECT_EQ(r.to, (std::vector<std::string>{"ops@example.com", "dev@example.com"}));
  EXPECT_EQ(Header(r.data, "Subject"), "[FIRING:1] A (critical)");
  EXPECT_EQ(Header(r.data, "To"), "ops@example.com, \"Dev Team\" <dev@example.com>");
  EXPECT_EQ(Header(r.data, "From"), "Alertmanager <am@example.com>");
  EXPECT_EQ(Header(r.data, "MIME-Version"), "1.0");
  const std::string id = Header(r.data, "Message-Id");
  EXPECT_EQ(id.front(), '<');
  EXPECT_NE(id.find("@host.example>"), std::string::npos) << id;
  EXPECT_NE(r.data.find("Content-Type: text/plain; charset=UTF-8\r\n\r\nA is firing\r\n"),
            std::string::npos)
      << r.data;
  // Default html part: the email.default.html template, after the text part.
  const size_t text = r.data.find("text/plain");
  const size_t html = r.data.find("text/html");
  ASSERT_NE(html, std::string::npos);
  EXPECT_LT(text, html);
  EXPECT_NE(r.data.find("<!DOCTYPE html"), std::string::npos);
}

TEST_F(EmailNotifierTest, ConnectionSettingsFollowTheConfig) {
  config::EmailConfig c = Conf();
  SmtpRequest r = Build(c);
  EXPECT_EQ(r.host, "smtp.example.com");
  EXPECT_EQ(r.port, "587");
  EXPECT_FALSE(r.implicit_tls);
  EXPECT_TRUE(r.require_tls);
  EXPECT_EQ(r.hello, "am.example.com");

  c.smarthost.port = "465";
  EXPECT_TRUE(Build(c).implicit_tls);
  c.force_implicit_tls = false;
  EXPECT_FALSE(Build(c).implicit_tls);
  c.smarthost.port = "2525";
  c.force_implicit_tls = true;
  EXPECT_TRUE(Build(c).implicit_tls);
}

TEST_F(EmailNotifierTest, NonAsciiSubjectIsQEncoded) {
  config::EmailConfig c = Conf();
  c.headers[1].second = "Störung {{ .GroupLabels.alertname }}";
  EXPECT_EQ(Header(Build(c).data, "Subject"), "=?utf-8?q?St=C3=B6rung_A?=");
}

TEST_F(EmailNotifierTest, ConfiguredMessageIdReplacesTheGeneratedOne) {
  config::EmailConfig c = Conf();
  c.headers.insert(c.headers.begin() + 1, {"Message-Id", "<fixed@example.com>"});
  const std::string data = Build(c).data;
  EXPECT_EQ(Header(data, "Message-Id"), "<fixed@example.com>");
  EXPECT_EQ(data.find("Message-Id:"), data.rfind("Message-Id:"));
}

TEST_F(EmailNotifierTest, ThreadingAddsReferences) {
  config::EmailConfig c = Conf();
  c.threading.enabled = true;
  c.threading.thread_by_date = "none";
  const std::string data = Build(c).data;
  EXPECT_EQ(Header(data, "References"), "<alert-ad4b39d3af6c5f08-@alertmanager>");
  EXPECT_EQ(Header(data, "In-Reply-To"), "<alert-ad4b39d3af6c5f08-@alertmanager>");
}

TEST_F(EmailNotifierTest, EmptyTextAndHtmlLeaveOutTheirParts) {
  config::EmailConfig c = Conf();
  c.text.clear();
  c.html.clear();
  const std::string data = Build(c).data;
  EXPECT_EQ(data.find("text/plain"), std::string::npos);
  EXPECT_EQ(data.find("text/html"), std::string::npos);
}

TEST_F(EmailNotifierTest, ErrorsStopAtUpstreamsStepAndAreNotRetried) {
  config::EmailConfig c = Conf();
  c.from = "{{ .Nope.Nope }";
  SmtpRequest r = Build(c);
  EXPECT_EQ(r.error_stage, SmtpMailStage::kBeforeMail);
  EXPECT_EQ(r.mail_error.rfind("execute 'from' template: ", 0), 0u) << r.mail_error;

  c = Conf();
  c.from = "a@example.com, b@example.com";
  r = Build(c);
  EXPECT_EQ(r.error_stage, SmtpMailStage::kBeforeMail);
  EXPECT_EQ(r.mail_error, "must be exactly one 'from' address (got: 2)");

  c = Conf();
  c.from = "not an address";
  EXPECT_EQ(Build(c).mail_error, "parse 'from' addresses: mail: no angle-addr");

  c = Conf();
  c.to = "{{ .GroupLabels.alertname }}";  // renders "A"
  r = Build(c);
  EXPECT_EQ(r.error_stage, SmtpMailStage::kBeforeRcpt);
  EXPECT_EQ(r.mail_error, "parse 'to' addresses: mail: missing '@' or angle-addr");

  c = Conf();
  c.headers[1].second = "{{ template \"nope\" . }}";
  r = Build(c);
  EXPECT_EQ(r.error_stage, SmtpMailStage::kBeforeData);
  EXPECT_EQ(r.mail_error.rfind("execute \"Subject\" header template: ", 0), 0u) << r.mail_error;

  c = Conf();
  c.html = "{{ if }}";
  r = Build(c);
  EXPECT_EQ(r.error_stage, SmtpMailStage::kBeforeData);
  EXPECT_EQ(r.mail_error.rfind("execute html template: ", 0), 0u) << r.mail_error;
}

TEST_F(EmailNotifierTest, TemplatedRecipients) {
  config::EmailConfig c = Conf();
  c.to = "{{ .GroupLabels.alertname | toLower }}@example.com";
  EXPECT_EQ(Build(c).to, std::vector<std::string>{"a@example.com"});
}

TEST_F(EmailNotifierTest, MissingOptionsAreRefused) {
  EmailOptions o;
  o.templates = tmpl::Template::Defaults();
  EXPECT_THROW(EmailNotifier(Conf(), o), std::invalid_argument);
  o.executor = io_.get_executor();
  o.templates.reset();
  EXPECT_THROW(EmailNotifier(Conf(), o), std::invalid_argument);
}

}  // namespace
}  // namespace am::notify

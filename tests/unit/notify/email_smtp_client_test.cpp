// SmtpClient and EmailNotifier::Notify against a scripted SMTP server on loopback: the command
// sequence, AUTH exchanges, dot-stuffed DATA, upstream's error words and retry decisions, step
// timeouts and the flush deadline.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "notify/email.h"
#include "notify/smtp_auth.h"
#include "notify/smtp_client.h"
#include "test_util.h"

namespace am::notify {
namespace {

using namespace testing;

// A one-connection-at-a-time SMTP server driven by a script. Unscripted commands get "250 OK".
class FakeSmtpServer {
 public:
  struct Script {
    std::string greeting = "220 fake.example ESMTP";
    std::vector<std::string> extensions = {"8BITMIME"};
    // Replies by command prefix (first match wins), overriding the defaults.
    std::vector<std::pair<std::string, std::vector<std::string>>> replies;
    bool silent_after_greeting = false;  // never answer a command
    std::string data_reply = "250 2.0.0 queued";
    std::string bind_address = "127.0.0.1";
  };

  explicit FakeSmtpServer(Script script) : script_(std::move(script)) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    ::inet_pton(AF_INET, script_.bind_address.c_str(), &addr.sin_addr);
    ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listen_fd_, 8);
    socklen_t len = sizeof addr;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Loop(); });
  }

  ~FakeSmtpServer() {
    stop_ = true;
    thread_.join();
    ::close(listen_fd_);
  }

  std::string port() const { return std::to_string(port_); }

  std::vector<std::string> commands() const {
    std::lock_guard<std::mutex> lock(mu_);
    return commands_;
  }
  std::vector<std::string> messages() const {
    std::lock_guard<std::mutex> lock(mu_);
    return messages_;
  }
  int connections() const { return connections_; }

 private:
  bool WaitReadable(int fd) {
    while (!stop_) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 20) > 0) return true;
    }
    return false;
  }

  // One line including its CRLF, or nullopt when the client is gone.
  std::optional<std::string> ReadLine(int fd) {
    for (;;) {
      const size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string line = buf_.substr(0, nl + 1);
        buf_.erase(0, nl + 1);
        return line;
      }
      if (!WaitReadable(fd)) return std::nullopt;
      char chunk[4096];
      const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) return std::nullopt;
      buf_.append(chunk, static_cast<size_t>(n));
    }
  }

  static void Send(int fd, const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\r\n";
    ::send(fd, out.data(), out.size(), MSG_NOSIGNAL);
  }

  void Loop() {
    while (!stop_) {
      if (!WaitReadable(listen_fd_)) return;
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      ++connections_;
      buf_.clear();
      Serve(fd);
      ::close(fd);
    }
  }

  void Serve(int fd) {
    Send(fd, {script_.greeting});
    for (;;) {
      auto line = ReadLine(fd);
      if (!line) return;
      std::string cmd = *line;
      while (!cmd.empty() && (cmd.back() == '\n' || cmd.back() == '\r')) cmd.pop_back();
      {
        std::lock_guard<std::mutex> lock(mu_);
        commands_.push_back(cmd);
      }
      if (script_.silent_after_greeting) continue;
      bool scripted = false;
      for (const auto& [prefix, reply] : script_.replies) {
        if (cmd.rfind(prefix, 0) == 0) {
          Send(fd, reply);
          scripted = true;
          break;
        }
      }
      if (scripted) continue;
      if (cmd.rfind("EHLO", 0) == 0) {
        std::vector<std::string> lines;
        std::vector<std::string> ext = script_.extensions;
        lines.push_back((ext.empty() ? "250 " : "250-") + std::string("fake.example"));
        for (size_t i = 0; i < ext.size(); ++i) {
          lines.push_back((i + 1 == ext.size() ? "250 " : "250-") + ext[i]);
        }
        Send(fd, lines);
      } else if (cmd == "DATA") {
        Send(fd, {"354 go ahead"});
        std::string raw;
        for (;;) {
          auto l = ReadLine(fd);
          if (!l) return;
          if (*l == ".\r\n") break;
          raw += *l;
        }
        {
          std::lock_guard<std::mutex> lock(mu_);
          messages_.push_back(raw);
        }
        Send(fd, {script_.data_reply});
      } else if (cmd == "QUIT") {
        Send(fd, {"221 bye"});
        return;
      } else {
        Send(fd, {"250 OK"});
      }
    }
  }

  Script script_;
  int listen_fd_ = -1;
  uint16_t port_ = 0;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::string buf_;
  mutable std::mutex mu_;
  std::vector<std::string> commands_;
  std::vector<std::string> messages_;
};

class SmtpClientTest : public ::testing::Test {
 protected:
  SmtpRequest Request(const FakeSmtpServer& s) {
    SmtpRequest r;
    r.host = "127.0.0.1";
    r.port = s.port();
    r.hello = "client.example";
    r.require_tls = false;
    r.from = "am@example.com";
    r.to = {"ops@example.com"};
    r.data = "Subject: hi\r\n\r\n.leading dot\r\nbody\r\n";
    r.step_timeout = std::chrono::milliseconds(2000);
    return r;
  }

  SmtpResult Send(SmtpRequest r) {
    SmtpClient client(io_.get_executor());
    std::optional<SmtpResult> result;
    client.Send(std::move(r), [&](SmtpResult res) { result = std::move(res); });
    EXPECT_TRUE(RunUntil(
        io_, [&] { return result.has_value(); }, 10000ms));
    return result.value_or(SmtpResult{});
  }

  static std::function<SmtpAuthChoice(std::string_view)> Auth(SmtpCredentials c) {
    return [c](std::string_view mechs) { return ChooseSmtpAuth(mechs, c); };
  }

  boost::asio::io_context io_;
};

TEST_F(SmtpClientTest, DeliversWithUpstreamsCommandSequence) {
  FakeSmtpServer server({});
  SmtpRequest r = Request(server);
  r.to = {"a@example.com", "b@example.com"};
  SmtpResult res = Send(r);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(server.commands(),
            (std::vector<std::string>{
                "EHLO client.example", "MAIL FROM:<am@example.com> BODY=8BITMIME",
                "RCPT TO:<a@example.com>", "RCPT TO:<b@example.com>", "DATA", "QUIT"}));
  ASSERT_EQ(server.messages().size(), 1u);
  // Dot-stuffed on the wire.
  EXPECT_EQ(server.messages()[0], "Subject: hi\r\n\r\n..leading dot\r\nbody\r\n");
}

TEST_F(SmtpClientTest, FallsBackToHeloWhenEhloIsRefused) {
  FakeSmtpServer::Script s;
  s.replies = {{"EHLO", {"502 not implemented"}}};
  FakeSmtpServer server(s);
  SmtpResult res = Send(Request(server));
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_EQ(server.commands()[1], "HELO client.example");
  EXPECT_EQ(server.commands()[2], "MAIL FROM:<am@example.com>");  // no extensions known
}

TEST_F(SmtpClientTest, RequireTlsWithoutStarttlsNamesTheServer) {
  FakeSmtpServer server({});
  SmtpRequest r = Request(server);
  r.require_tls = true;
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "'require_tls' is true (default) but \"127.0.0.1:" + server.port() +
                           "\" does not advertise the STARTTLS extension");
  EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST_F(SmtpClientTest, RejectedRecipientIsRetryableWithTheServersWords) {
  FakeSmtpServer::Script s;
  s.replies = {
      {"RCPT TO:<nobody@", {"550 5.1.1 <nobody@example.com>: Recipient address rejected"}}};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  r.to = {"ops@example.com", "nobody@example.com"};
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error,
            "send RCPT command: 550 5.1.1 <nobody@example.com>: Recipient address rejected");
  EXPECT_TRUE(server.messages().empty());
  EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST_F(SmtpClientTest, RejectedMessageIsADeliveryFailure) {
  FakeSmtpServer::Script s;
  s.data_reply = "554 5.7.1 spam";
  FakeSmtpServer server(s);
  SmtpResult res = Send(Request(server));
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "delivery failure: 554 5.7.1 spam");
}

TEST_F(SmtpClientTest, BadGreetingFailsCreatingTheClient) {
  FakeSmtpServer::Script s;
  s.greeting = "554 go away";
  FakeSmtpServer server(s);
  SmtpResult res = Send(Request(server));
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "create SMTP client: 554 go away");
}

TEST_F(SmtpClientTest, ConnectionRefusedIsRetryable) {
  uint16_t port;
  {
    FakeSmtpServer probe({});
    port = static_cast<uint16_t>(std::stoi(probe.port()));
  }
  SmtpRequest r;
  r.host = "127.0.0.1";
  r.port = std::to_string(port);
  r.require_tls = false;
  SmtpResult res = Send(r);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "establish connection to server: dial tcp 127.0.0.1:" + r.port +
                           ": connect: connection refused");
}

TEST_F(SmtpClientTest, PlainAuthSendsTheInitialResponse) {
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH PLAIN LOGIN"};
  s.replies = {{"AUTH PLAIN", {"235 2.7.0 ok"}}};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  SmtpCredentials c;
  c.username = "user";
  c.password = "pass";
  c.host = "127.0.0.1";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_TRUE(res.authenticated);
  EXPECT_EQ(server.commands()[1], "AUTH PLAIN AHVzZXIAcGFzcw==");
}

TEST_F(SmtpClientTest, LoginAuthAnswersChallenges) {
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH LOGIN PLAIN"};
  s.replies = {{"AUTH LOGIN", {"334 VXNlcm5hbWU6"}},
               {"dXNlcg==", {"334 UGFzc3dvcmQ6"}},
               {"cGFzcw==", {"235 2.7.0 ok"}}};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  SmtpCredentials c;
  c.username = "user";
  c.password = "pass";
  c.host = "127.0.0.1";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  ASSERT_TRUE(res.ok) << res.error;
  const auto cmds = server.commands();
  EXPECT_EQ(cmds[1], "AUTH LOGIN");
  EXPECT_EQ(cmds[2], "dXNlcg==");
  EXPECT_EQ(cmds[3], "cGFzcw==");
}

TEST_F(SmtpClientTest, CramMd5AnswersTheChallenge) {
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH CRAM-MD5 PLAIN"};
  s.replies = {
      {"AUTH CRAM-MD5", {"334 " + Base64Encode("<1896.697170952@postoffice.reston.mci.net>")}},
      {Base64Encode("tim b913a602c7eda7a495b4e6e7334d3890"), {"235 ok"}}};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  SmtpCredentials c;
  c.username = "tim";
  c.secret = "tanstaaftanstaaf";
  c.password = "also-set";
  c.host = "127.0.0.1";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  ASSERT_TRUE(res.ok) << res.error;
  EXPECT_TRUE(res.authenticated);
}

TEST_F(SmtpClientTest, FailedAuthIsCancelledAndRetryable) {
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH PLAIN"};
  s.replies = {{"AUTH PLAIN", {"535 5.7.8 bad credentials"}}, {"*", {"501 cancelled"}}};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  SmtpCredentials c;
  c.username = "user";
  c.password = "wrong";
  c.host = "127.0.0.1";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "*smtp.plainAuth auth: 535 5.7.8 bad credentials");
  const auto cmds = server.commands();
  EXPECT_EQ(cmds[cmds.size() - 2], "*");
  EXPECT_EQ(cmds.back(), "QUIT");
}

TEST_F(SmtpClientTest, PlainRefusedWithoutTlsUnlessLocalhost) {
  // 127.0.0.2 is loopback too, but not one of the names Go's PlainAuth trusts.
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH PLAIN"};
  s.bind_address = "127.0.0.2";
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  r.host = "127.0.0.2";
  SmtpCredentials c;
  c.username = "user";
  c.password = "pass";
  c.host = "127.0.0.2";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "*smtp.plainAuth auth: unencrypted connection");
  for (const auto& cmd : server.commands()) EXPECT_EQ(cmd.rfind("AUTH", 0), std::string::npos);
  EXPECT_EQ(server.commands().back(), "QUIT");
}

TEST_F(SmtpClientTest, NoUsableMechanismIsAnError) {
  FakeSmtpServer::Script s;
  s.extensions = {"AUTH CRAM-MD5"};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  SmtpCredentials c;
  c.username = "user";
  c.password = "pass";
  r.choose_auth = Auth(c);
  SmtpResult res = Send(r);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error, "find auth mechanism: missing secret for CRAM-MD5 auth mechanism");
}

TEST_F(SmtpClientTest, MailErrorsStopAtTheirStepAndAreNotRetried) {
  FakeSmtpServer server({});
  SmtpRequest r = Request(server);
  r.mail_error = "parse 'to' addresses: mail: no address";
  r.error_stage = SmtpMailStage::kBeforeRcpt;
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_FALSE(res.retry);
  EXPECT_EQ(res.error, "parse 'to' addresses: mail: no address");
  EXPECT_EQ(server.commands(),
            (std::vector<std::string>{"EHLO client.example",
                                      "MAIL FROM:<am@example.com> BODY=8BITMIME", "QUIT"}));

  FakeSmtpServer server2({});
  SmtpRequest r2 = Request(server2);
  r2.mail_error = "execute text template: boom";
  r2.error_stage = SmtpMailStage::kBeforeData;
  res = Send(r2);
  EXPECT_FALSE(res.retry);
  EXPECT_TRUE(server2.messages().empty());
  EXPECT_EQ(server2.commands().back(), "QUIT");
}

TEST_F(SmtpClientTest, SilentServerHitsTheStepTimeout) {
  FakeSmtpServer::Script s;
  s.silent_after_greeting = true;
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  r.step_timeout = std::chrono::milliseconds(200);
  const auto start = std::chrono::steady_clock::now();
  SmtpResult res = Send(r);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 3s);
  EXPECT_TRUE(res.retry);
  EXPECT_FALSE(res.deadline_exceeded);
  EXPECT_EQ(res.error, "send EHLO command: i/o timeout");
}

TEST_F(SmtpClientTest, DeadlineEndsTheExchange) {
  FakeSmtpServer::Script s;
  s.silent_after_greeting = true;
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  r.step_timeout = std::chrono::milliseconds(5000);
  r.deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(300);
  SmtpResult res = Send(r);
  EXPECT_TRUE(res.deadline_exceeded);
  EXPECT_EQ(res.error, "send EHLO command: context deadline exceeded");
}

TEST_F(SmtpClientTest, ImplicitTlsAgainstAPlainServerFailsTheHandshake) {
  FakeSmtpServer server({});
  SmtpRequest r = Request(server);
  r.implicit_tls = true;
  r.tls.insecure_skip_verify = true;
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.ok);
  EXPECT_TRUE(res.retry);
  EXPECT_EQ(res.error.rfind("establish TLS connection to server: ", 0), 0u) << res.error;
}

TEST_F(SmtpClientTest, UnreadableCaIsAPermanentTlsConfigError) {
  FakeSmtpServer::Script s;
  s.extensions = {"STARTTLS"};
  FakeSmtpServer server(s);
  SmtpRequest r = Request(server);
  r.require_tls = true;
  r.tls.ca_file = "/nonexistent/ca.pem";
  SmtpResult res = Send(r);
  EXPECT_FALSE(res.retry);
  EXPECT_EQ(res.error,
            "parse TLS configuration: unable to load specified CA cert /nonexistent/ca.pem: open "
            "/nonexistent/ca.pem: no such file or directory");
  EXPECT_EQ(server.commands().back(), "QUIT");
}

// The notifier end to end: one flush, one message, reasons for the pipeline's metrics.
class EmailNotifyTest : public SmtpClientTest {
 protected:
  NotifyResult Notify(const FakeSmtpServer& s, config::EmailConfig c,
                      std::chrono::nanoseconds deadline = 10s) {
    c.smarthost = {"127.0.0.1", s.port()};
    EmailOptions o;
    o.executor = io_.get_executor();
    o.templates = tmpl::Template::Defaults();
    o.hostname = "host.example";
    o.step_timeout = std::chrono::milliseconds(5000);
    auto n = std::make_shared<EmailNotifier>(std::move(c), std::move(o));
    auto ctx = MakeExec(io_, MakeFlush(Now(), deadline));
    Alerts alerts = {MakeAlert(LabelSet{{"alertname", "A"}}, Now() - std::chrono::minutes(1))};
    std::optional<NotifyResult> result;
    n->Notify(ctx, alerts, [&](NotifyResult r) { result = std::move(r); });
    EXPECT_TRUE(RunUntil(
        io_, [&] { return result.has_value(); }, 10000ms));
    return result.value_or(NotifyResult::Failure("no result", false));
  }

  static config::EmailConfig Conf() {
    config::EmailConfig c;
    c.to = "ops@example.com";
    c.from = "am@example.com";
    c.hello = "localhost";
    c.require_tls = false;
    c.headers = {{"From", c.from}, {"Subject", config::kDefaultEmailSubject}, {"To", c.to}};
    c.text = ".{{ .Status }}";
    return c;
  }
};

TEST_F(EmailNotifyTest, OneFlushOneMessage) {
  FakeSmtpServer server({});
  NotifyResult r = Notify(server, Conf());
  ASSERT_TRUE(r.ok) << r.error;
  ASSERT_EQ(server.messages().size(), 1u);
  const std::string m = server.messages()[0];
  EXPECT_NE(m.find("Subject: [FIRING:1] A \r\n"), std::string::npos) << m;
  EXPECT_NE(m.find("\r\n\r\n..firing\r\n"), std::string::npos) << m;  // dot-stuffed text part
  EXPECT_EQ(server.connections(), 1);
}

TEST_F(EmailNotifyTest, ServerErrorsAreRetryableWithReasonOther) {
  FakeSmtpServer::Script s;
  s.replies = {{"MAIL FROM", {"451 4.3.0 try later"}}};
  FakeSmtpServer server(s);
  NotifyResult r = Notify(server, Conf());
  EXPECT_FALSE(r.ok);
  EXPECT_TRUE(r.retry);
  EXPECT_EQ(r.reason, FailureReason::kOther);
  EXPECT_EQ(r.error, "send MAIL command: 451 4.3.0 try later");
}

TEST_F(EmailNotifyTest, AddressErrorsAreNotRetried) {
  FakeSmtpServer server({});
  config::EmailConfig c = Conf();
  c.to = "not-an-address";
  NotifyResult r = Notify(server, c);
  EXPECT_FALSE(r.ok);
  EXPECT_FALSE(r.retry);
  EXPECT_EQ(r.error, "parse 'to' addresses: mail: missing '@' or angle-addr");
}

TEST_F(EmailNotifyTest, FlushDeadlineGivesReasonContextDeadlineExceeded) {
  FakeSmtpServer::Script s;
  s.silent_after_greeting = true;
  FakeSmtpServer server(s);
  NotifyResult r = Notify(server, Conf(), 300ms);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.reason, FailureReason::kContextDeadlineExceeded);
}

}  // namespace
}  // namespace am::notify

// SMTP authentication for the email integration: the three mechanisms Alertmanager can use
// (Go's smtp.CRAMMD5Auth and smtp.PlainAuth, upstream's own loginAuth) and upstream's choice
// among them. The choice walks the server's EHLO AUTH list in the server's order and takes the
// first mechanism for which a credential is set: CRAM-MD5 needs auth_secret(_file), PLAIN and
// LOGIN need auth_password(_file); nothing is tried without auth_username. PLAIN refuses to
// send the password on an unencrypted connection unless the smarthost is localhost, 127.0.0.1
// or ::1, as Go's PlainAuth does. Secret files are read at every choice (rotation without a
// reload); the password file is trimmed of surrounding white space, the secret file is not
// (upstream HEAD).
// SmtpAuth objects are used by one session at a time; the functions are thread-safe.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace am::notify {

// What Go's smtp.ServerInfo tells a mechanism.
struct SmtpServerInfo {
  std::string name;               // the smarthost's host, as configured
  bool tls = false;               // the connection is encrypted (implicit TLS or after STARTTLS)
  std::vector<std::string> auth;  // advertised mechanisms
};

// One mechanism (Go's smtp.Auth). A failed Start or Next aborts the authentication.
class SmtpAuth {
 public:
  struct Step {
    bool ok = true;
    std::string error;
    // Start: the initial response (may be empty). Next: the reply, or nullopt for none.
    std::optional<std::string> data;
  };

  virtual ~SmtpAuth() = default;
  // The mechanism name sent in `AUTH <name>`.
  virtual std::string Mechanism() const = 0;
  // Go's %T of the mechanism ("*smtp.plainAuth"), which upstream's error messages print.
  virtual std::string TypeName() const = 0;
  virtual Step Start(const SmtpServerInfo& server) = 0;
  // `from_server` is the decoded challenge; `more` is true for a 334 challenge, false after 235.
  virtual Step Next(std::string_view from_server, bool more) = 0;
};

std::unique_ptr<SmtpAuth> MakePlainAuth(std::string identity, std::string username,
                                        std::string password, std::string host);
std::unique_ptr<SmtpAuth> MakeCramMd5Auth(std::string username, std::string secret);
std::unique_ptr<SmtpAuth> MakeLoginAuth(std::string username, std::string password);

// The email integration's credentials (auth_* after global inheritance).
struct SmtpCredentials {
  std::string username;
  std::string identity;
  std::string password;
  std::string password_file;  // wins over `password` when set
  std::string secret;
  std::string secret_file;  // wins over `secret` when set
  std::string host;         // the smarthost's host, for PLAIN's host check
};

struct SmtpAuthChoice {
  // nullptr with an empty error: authenticate with nothing (no username configured).
  std::unique_ptr<SmtpAuth> auth;
  // Why no mechanism could be used: one line per mechanism tried, as errors.Join prints them.
  std::string error;
};

// `mechs` is the AUTH extension's parameter from EHLO, e.g. "PLAIN LOGIN CRAM-MD5".
SmtpAuthChoice ChooseSmtpAuth(std::string_view mechs, const SmtpCredentials& creds);

// encoding/base64 StdEncoding, as SMTP AUTH uses it.
std::string Base64Encode(std::string_view in);
// Strict StdEncoding decoding (padding required; CR and LF ignored as Go ignores them).
bool Base64Decode(std::string_view in, std::string* out);

}  // namespace am::notify

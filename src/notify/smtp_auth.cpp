#include "notify/smtp_auth.h"

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace am::notify {
namespace {

constexpr char kB64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool IsLocalhost(std::string_view name) {
  return name == "localhost" || name == "127.0.0.1" || name == "::1";
}

class PlainAuth final : public SmtpAuth {
 public:
  PlainAuth(std::string identity, std::string username, std::string password, std::string host)
      : identity_(std::move(identity)),
        username_(std::move(username)),
        password_(std::move(password)),
        host_(std::move(host)) {}

  std::string Mechanism() const override { return "PLAIN"; }
  std::string TypeName() const override { return "*smtp.plainAuth"; }

  Step Start(const SmtpServerInfo& server) override {
    // Without TLS nothing the server says can be trusted, including that PLAIN is fine.
    if (!server.tls && !IsLocalhost(server.name)) return {false, "unencrypted connection", {}};
    if (server.name != host_) return {false, "wrong host name", {}};
    std::string resp = identity_;
    resp.push_back('\0');
    resp += username_;
    resp.push_back('\0');
    resp += password_;
    return {true, "", std::move(resp)};
  }

  Step Next(std::string_view, bool more) override {
    if (more) return {false, "unexpected server challenge", {}};
    return {};
  }

 private:
  std::string identity_, username_, password_, host_;
};

class CramMd5Auth final : public SmtpAuth {
 public:
  CramMd5Auth(std::string username, std::string secret)
      : username_(std::move(username)), secret_(std::move(secret)) {}

  std::string Mechanism() const override { return "CRAM-MD5"; }
  std::string TypeName() const override { return "*smtp.cramMD5Auth"; }

  Step Start(const SmtpServerInfo&) override { return {true, "", std::string()}; }

  Step Next(std::string_view from_server, bool more) override {
    if (!more) return {};
    unsigned char mac[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_md5(), secret_.data(), static_cast<int>(secret_.size()),
         reinterpret_cast<const unsigned char*>(from_server.data()), from_server.size(), mac, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string resp = username_ + " ";
    for (unsigned int i = 0; i < len; ++i) {
      resp.push_back(kHex[mac[i] >> 4]);
      resp.push_back(kHex[mac[i] & 0x0f]);
    }
    return {true, "", std::move(resp)};
  }

 private:
  std::string username_, secret_;
};

class LoginAuth final : public SmtpAuth {
 public:
  LoginAuth(std::string username, std::string password)
      : username_(std::move(username)), password_(std::move(password)) {}

  std::string Mechanism() const override { return "LOGIN"; }
  std::string TypeName() const override { return "*email.loginAuth"; }

  Step Start(const SmtpServerInfo&) override { return {true, "", std::string()}; }

  Step Next(std::string_view from_server, bool more) override {
    if (!more) return {};
    const std::string challenge = ToLower(from_server);
    if (challenge == "username:") return {true, "", username_};
    if (challenge == "password:") return {true, "", password_};
    return {false, "unexpected server challenge", {}};
  }

 private:
  std::string username_, password_;
};

// os.ReadFile with upstream's error text.
bool ReadFile(const std::string& path, std::string* out, std::string* err) {
  std::ifstream f(path, std::ios::binary);
  if (!f) {
    *err = "could not read " + path + ": open " + path + ": " + ToLower(std::strerror(errno));
    return false;
  }
  std::ostringstream ss;
  ss << f.rdbuf();
  *out = ss.str();
  return true;
}

std::string TrimSpace(std::string_view s) {
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
  };
  while (!s.empty() && space(s.front())) s.remove_prefix(1);
  while (!s.empty() && space(s.back())) s.remove_suffix(1);
  return std::string(s);
}

void AddError(std::string* errs, std::string_view e) {
  if (!errs->empty()) errs->push_back('\n');
  errs->append(e);
}

}  // namespace

std::unique_ptr<SmtpAuth> MakePlainAuth(std::string identity, std::string username,
                                        std::string password, std::string host) {
  return std::make_unique<PlainAuth>(std::move(identity), std::move(username), std::move(password),
                                     std::move(host));
}

std::unique_ptr<SmtpAuth> MakeCramMd5Auth(std::string username, std::string secret) {
  return std::make_unique<CramMd5Auth>(std::move(username), std::move(secret));
}

std::unique_ptr<SmtpAuth> MakeLoginAuth(std::string username, std::string password) {
  return std::make_unique<LoginAuth>(std::move(username), std::move(password));
}

SmtpAuthChoice ChooseSmtpAuth(std::string_view mechs, const SmtpCredentials& c) {
  SmtpAuthChoice choice;
  if (c.username.empty()) return choice;

  auto password = [&c](std::string* out, std::string* err) {
    if (c.password_file.empty()) {
      *out = c.password;
      return true;
    }
    std::string content;
    if (!ReadFile(c.password_file, &content, err)) return false;
    *out = TrimSpace(content);
    return true;
  };
  auto secret = [&c](std::string* out, std::string* err) {
    if (c.secret_file.empty()) {
      *out = c.secret;
      return true;
    }
    return ReadFile(c.secret_file, out, err);
  };

  // strings.Split on single spaces: doubled spaces yield empty (unknown) mechanisms, as upstream.
  size_t pos = 0;
  for (;;) {
    const size_t sp = mechs.find(' ', pos);
    const std::string_view mech =
        mechs.substr(pos, sp == std::string_view::npos ? std::string_view::npos : sp - pos);
    std::string value, err;
    if (mech == "CRAM-MD5") {
      if (!secret(&value, &err)) {
        AddError(&choice.error, err);
      } else if (value.empty()) {
        AddError(&choice.error, "missing secret for CRAM-MD5 auth mechanism");
      } else {
        choice.auth = MakeCramMd5Auth(c.username, value);
        choice.error.clear();
        return choice;
      }
    } else if (mech == "PLAIN" || mech == "LOGIN") {
      if (!password(&value, &err)) {
        AddError(&choice.error, err);
      } else if (value.empty()) {
        AddError(&choice.error, "missing password for " + std::string(mech) + " auth mechanism");
      } else {
        choice.auth = mech == "PLAIN" ? MakePlainAuth(c.identity, c.username, value, c.host)
                                      : MakeLoginAuth(c.username, value);
        choice.error.clear();
        return choice;
      }
    } else {
      AddError(&choice.error, "unknown auth mechanism: " + std::string(mech));
    }
    if (sp == std::string_view::npos) break;
    pos = sp + 1;
  }
  return choice;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  out.reserve((in.size() + 2) / 3 * 4);
  size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(in.data());
  for (; i + 3 <= in.size(); i += 3) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8) | p[i + 2];
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back(kB64[v & 63]);
  }
  const size_t rest = in.size() - i;
  if (rest == 1) {
    const uint32_t v = p[i] << 16;
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.append("==");
  } else if (rest == 2) {
    const uint32_t v = (p[i] << 16) | (p[i + 1] << 8);
    out.push_back(kB64[(v >> 18) & 63]);
    out.push_back(kB64[(v >> 12) & 63]);
    out.push_back(kB64[(v >> 6) & 63]);
    out.push_back('=');
  }
  return out;
}

bool Base64Decode(std::string_view in, std::string* out) {
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (c != '\r' && c != '\n') clean.push_back(c);
  }
  if (clean.size() % 4 != 0) return false;
  out->clear();
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  for (size_t i = 0; i < clean.size(); i += 4) {
    const bool last = i + 4 == clean.size();
    int v[4];
    int pad = 0;
    for (int k = 0; k < 4; ++k) {
      const char c = clean[i + k];
      if (c == '=' && last && k >= 2) {
        v[k] = 0;
        ++pad;
        continue;
      }
      if (pad > 0) return false;  // data after padding
      v[k] = val(c);
      if (v[k] < 0) return false;
    }
    const uint32_t n = (v[0] << 18) | (v[1] << 12) | (v[2] << 6) | v[3];
    out->push_back(static_cast<char>((n >> 16) & 0xff));
    if (pad < 2) out->push_back(static_cast<char>((n >> 8) & 0xff));
    if (pad < 1) out->push_back(static_cast<char>(n & 0xff));
  }
  return true;
}

}  // namespace am::notify

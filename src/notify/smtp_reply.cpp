#include "notify/smtp_reply.h"

#include <cstdio>

namespace am::notify {
namespace {

struct CodeLine {
  bool ok = false;      // parsed
  std::string problem;  // ProtocolError text when !ok
  int code = 0;
  bool continued = false;
  std::string message;
  bool mismatch = false;  // the code is not the expected one
};

// textproto.parseCodeLine.
CodeLine ParseCodeLine(std::string_view line, int expect) {
  CodeLine c;
  if (line.size() < 4 || (line[3] != ' ' && line[3] != '-')) {
    c.problem = "short response: " + std::string(line);
    return c;
  }
  c.continued = line[3] == '-';
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    if (line[i] < '0' || line[i] > '9') {
      c.problem = "invalid response code: " + std::string(line);
      return c;
    }
    code = code * 10 + (line[i] - '0');
  }
  if (code < 100) {
    c.problem = "invalid response code: " + std::string(line);
    return c;
  }
  c.ok = true;
  c.code = code;
  c.message = std::string(line.substr(4));
  c.mismatch = (1 <= expect && expect < 10 && code / 100 != expect) ||
               (10 <= expect && expect < 100 && code / 10 != expect) ||
               (100 <= expect && expect < 1000 && code != expect);
  return c;
}

std::string_view TrimRightCrLf(std::string_view s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string SmtpReplyError(int code, std::string_view message) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%03d ", code);
  return buf + std::string(message);
}

bool SmtpReplyReader::Feed(std::string_view line) {
  ++lines_;
  if (!started_) {
    started_ = true;
    CodeLine c = ParseCodeLine(line, expect_);
    if (!c.ok) {
      error_ = std::move(c.problem);
      protocol_error_ = true;
      return true;
    }
    code_ = c.code;
    message_ = std::move(c.message);
    multi_ = c.continued;
    if (c.mismatch) error_ = SmtpReplyError(code_, message_);
    if (!c.continued) return true;
    return false;
  }
  CodeLine c = ParseCodeLine(line, 0);
  if (!c.ok || c.code != code_) {
    // RFC 959's looser form: a line without the code continues the message.
    message_ += "\n";
    message_ += TrimRightCrLf(line);
    return false;
  }
  message_ += "\n" + c.message;
  if (c.continued) return false;
  // A mismatch reported on a multi-line reply carries the whole message.
  if (!error_.empty() && multi_ && !message_.empty()) error_ = SmtpReplyError(code_, message_);
  return true;
}

std::map<std::string, std::string, std::less<>> ParseEhloExtensions(std::string_view message) {
  std::map<std::string, std::string, std::less<>> ext;
  size_t start = message.find('\n');
  while (start != std::string_view::npos) {
    const size_t end = message.find('\n', start + 1);
    const std::string_view line = message.substr(
        start + 1, end == std::string_view::npos ? std::string_view::npos : end - start - 1);
    const size_t sp = line.find(' ');
    if (sp == std::string_view::npos) {
      ext[std::string(line)] = "";
    } else {
      ext[std::string(line.substr(0, sp))] = std::string(line.substr(sp + 1));
    }
    start = end;
  }
  return ext;
}

}  // namespace am::notify

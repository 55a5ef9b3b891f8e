// SMTP replies as Go's net/textproto reads them (Reader.ReadResponse) and the extension list of
// an EHLO reply as net/smtp keeps it, so that the email integration accepts, rejects and words
// server replies the way Alertmanager does: a reply whose code does not match the expected one
// becomes the error "<code> <message>" (multi-line messages joined with "\n").
// Value types; thread-compatible.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace am::notify {

// Accumulates the lines of one reply. `expect_code` as textproto: 0 accepts any code, 1..9 the
// first digit, 10..99 the first two digits, 100..999 the exact code.
class SmtpReplyReader {
 public:
  explicit SmtpReplyReader(int expect_code) : expect_(expect_code) {}

  // One line without its line ending. Returns true once the reply is complete.
  bool Feed(std::string_view line);

  int code() const { return code_; }
  const std::string& message() const { return message_; }
  // "" when the reply is complete and its code is the expected one.
  const std::string& error() const { return error_; }
  // The reply could not be parsed at all (short line, bad code): the connection is unusable.
  bool protocol_error() const { return protocol_error_; }
  // Lines fed so far (callers bound it).
  size_t lines() const { return lines_; }

 private:
  int expect_;
  int code_ = 0;
  std::string message_;
  std::string error_;
  bool protocol_error_ = false;
  bool started_ = false;
  bool multi_ = false;
  size_t lines_ = 0;
};

// The extensions of an EHLO reply message: every line after the first, split at the first space
// into keyword and parameter, keywords as the server wrote them (net/smtp looks them up in upper
// case, so a lower-case keyword is never found, as in Go).
std::map<std::string, std::string, std::less<>> ParseEhloExtensions(std::string_view message);

// textproto.Error's text: the code as three digits, a space, the message.
std::string SmtpReplyError(int code, std::string_view message);

}  // namespace am::notify

// The MIME message of one email notification, laid out exactly as upstream's notify/email writes
// it: every configured header (`Name: <Q-encoded value>`), then Message-Id (unless configured),
// References and In-Reply-To when threading is on, Date (RFC 1123 with numeric zone),
// `Content-Type: multipart/alternative;  boundary=<60 hex digits>` (two spaces, as upstream),
// MIME-Version, a blank line, and a multipart/alternative body as Go's mime/multipart.Writer
// writes it: the text part (if a text template is configured) then the html part (if an html
// template is configured), each `Content-Transfer-Encoding: quoted-printable` with
// `Content-Type: text/plain|text/html; charset=UTF-8`, and the closing boundary.
// Pure functions (apart from the random ones, which read a thread-local generator);
// thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/timeutil.h"

namespace am::notify {

struct EmailMessage {
  // Rendered header values, in the order they are written; names as configured (canonical MIME
  // keys). Values are Q-encoded when written.
  std::vector<std::pair<std::string, std::string>> headers;
  // Written as `Message-Id: <value>` after the headers; nullopt when a Message-Id header is
  // configured.
  std::optional<std::string> message_id;
  // Threading: written as References and In-Reply-To when set.
  std::optional<std::string> thread_root_id;
  std::string date;                 // FormatRfc1123Z
  std::string boundary;             // RandomBoundary
  std::optional<std::string> text;  // rendered text part; nullopt: no text template configured
  std::optional<std::string> html;  // rendered html part; nullopt: no html template configured
};

// The message's bytes with CRLF line ends, before SMTP dot-stuffing.
std::string BuildEmailMessage(const EmailMessage& m);

// Go's time.Format(time.RFC1123Z) in the given zone: "Mon, 02 Jan 2006 15:04:05 -0700".
std::string FormatRfc1123Z(Time t, int utc_offset_seconds);
// The same in the process's local time zone (what Go's time.Now() carries).
std::string FormatRfc1123ZLocal(Time t);

// mime/multipart's random boundary: 30 random bytes as 60 lower-case hex digits.
std::string RandomBoundary();

// A random number for Message-Id (math/rand's Uint64).
uint64_t RandomUint64();

// Upstream's `<unix-nanos.random-uint64@hostname>`.
std::string MakeMessageId(Time now, uint64_t random, std::string_view hostname);

// Threading (0.34): the thread root `<alert-<first 16 hex of sha256(group
// key)>-<date>@alertmanager>` where `date` is "" (thread_by_date "none") or the local date
// "2006-01-02" ("daily").
std::string ThreadRootId(std::string_view group_key, std::string_view date);

// The host name for Message-Id (os.Hostname), "localhost.localdomain" when unavailable.
std::string LocalHostname();

}  // namespace am::notify

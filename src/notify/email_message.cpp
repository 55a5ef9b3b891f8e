#include "notify/email_message.h"

#include <openssl/sha.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <random>

#include "notify/email_encoding.h"

namespace am::notify {
namespace {

constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                   "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};

std::mt19937_64& Rng() {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  return rng;
}

void AppendPart(std::string* out, const std::string& boundary, bool first,
                std::string_view content_type, std::string_view body) {
  if (!first) out->append("\r\n");
  out->append("--").append(boundary).append("\r\n");
  // textproto.MIMEHeader keys in sorted order.
  out->append("Content-Transfer-Encoding: quoted-printable\r\n");
  out->append("Content-Type: ").append(content_type).append("\r\n\r\n");
  out->append(QuotedPrintable(body));
}

}  // namespace

std::string BuildEmailMessage(const EmailMessage& m) {
  std::string out;
  out.reserve(1024 + (m.text ? m.text->size() * 11 / 10 : 0) +
              (m.html ? m.html->size() * 11 / 10 : 0));
  for (const auto& [name, value] : m.headers) {
    out.append(name).append(": ").append(QEncodeWord(value)).append("\r\n");
  }
  if (m.message_id) out.append("Message-Id: ").append(*m.message_id).append("\r\n");
  if (m.thread_root_id) {
    out.append("References: ").append(*m.thread_root_id).append("\r\n");
    out.append("In-Reply-To: ").append(*m.thread_root_id).append("\r\n");
  }
  out.append("Date: ").append(m.date).append("\r\n");
  out.append("Content-Type: multipart/alternative;  boundary=").append(m.boundary).append("\r\n");
  out.append("MIME-Version: 1.0\r\n\r\n");

  bool first = true;
  if (m.text) {
    AppendPart(&out, m.boundary, first, "text/plain; charset=UTF-8", *m.text);
    first = false;
  }
  // The preferred alternative goes last (RFC 2046 §5.1.4).
  if (m.html) AppendPart(&out, m.boundary, first, "text/html; charset=UTF-8", *m.html);
  out.append("\r\n--").append(m.boundary).append("--\r\n");
  return out;
}

std::string FormatRfc1123Z(Time t, int utc_offset_seconds) {
  using namespace std::chrono;
  const auto local = floor<seconds>(t) + seconds(utc_offset_seconds);
  const auto day = floor<days>(local);
  const year_month_day ymd{day};
  const weekday wd{day};
  const hh_mm_ss hms{local - day};
  const int off_min = utc_offset_seconds / 60;
  const int abs_min = off_min < 0 ? -off_min : off_min;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02u %s %04d %02d:%02d:%02d %c%02d%02d",
                kWeekdays[wd.c_encoding()], static_cast<unsigned>(ymd.day()),
                kMonths[static_cast<unsigned>(ymd.month()) - 1], static_cast<int>(ymd.year()),
                static_cast<int>(hms.hours().count()), static_cast<int>(hms.minutes().count()),
                static_cast<int>(hms.seconds().count()), off_min < 0 ? '-' : '+', abs_min / 60,
                abs_min % 60);
  return buf;
}

std::string FormatRfc1123ZLocal(Time t) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(
      std::chrono::time_point_cast<std::chrono::system_clock::duration>(t));
  std::tm tm{};
  localtime_r(&secs, &tm);
  return FormatRfc1123Z(t, static_cast<int>(tm.tm_gmtoff));
}

std::string RandomBoundary() {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(60);
  for (int i = 0; i < 30; ++i) {
    const unsigned b = static_cast<unsigned>(Rng()() & 0xff);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

uint64_t RandomUint64() { return Rng()(); }

std::string MakeMessageId(Time now, uint64_t random, std::string_view hostname) {
  return "<" + std::to_string(now.time_since_epoch().count()) + "." + std::to_string(random) + "@" +
         std::string(hostname) + ">";
}

std::string ThreadRootId(std::string_view group_key, std::string_view date) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(group_key.data()), group_key.size(), digest);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hash;
  for (int i = 0; i < 8; ++i) {  // 16 hex digits
    hash.push_back(kHex[digest[i] >> 4]);
    hash.push_back(kHex[digest[i] & 0x0f]);
  }
  return "<alert-" + hash + "-" + std::string(date) + "@alertmanager>";
}

std::string LocalHostname() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost.localdomain";
  return buf;
}

}  // namespace am::notify

#include "notify/email_encoding.h"

#include <array>
#include <cstdint>

namespace am::notify {
namespace {

constexpr char kUpperHex[] = "0123456789ABCDEF";

// RFC 2047 §2: an encoded-word is at most 75 bytes; Go budgets its content with the upper-case
// prefix's length whatever charset name is passed.
constexpr size_t kMaxEncodedWordLen = 75;
constexpr size_t kMaxQContentLen =
    kMaxEncodedWordLen - std::string_view("=?UTF-8?q?").size() - std::string_view("?=").size();

constexpr std::string_view kQWordOpen = "=?utf-8?q?";
constexpr std::string_view kQWordClose = "?=";

bool NeedsEncoding(std::string_view s) {
  for (unsigned char b : s) {
    // Go ranges over runes; every byte of a multi-byte or invalid sequence is >= 0x80, so a
    // byte-wise check decides the same.
    if ((b < ' ' || b > '~') && b != '\t') return true;
  }
  return false;
}

void WriteQString(std::string* out, std::string_view s) {
  for (unsigned char b : s) {
    if (b == ' ') {
      out->push_back('_');
    } else if (b >= '!' && b <= '~' && b != '=' && b != '?' && b != '_') {
      out->push_back(static_cast<char>(b));
    } else {
      out->push_back('=');
      out->push_back(kUpperHex[b >> 4]);
      out->push_back(kUpperHex[b & 0x0f]);
    }
  }
}

bool InRange(unsigned char c, unsigned char lo, unsigned char hi) { return c >= lo && c <= hi; }

// mime/quotedprintable.Writer, text mode.
class QpWriter {
 public:
  explicit QpWriter(std::string* out) : out_(out) {}

  void Write(std::string_view p) {
    size_t n = 0;
    for (size_t i = 0; i < p.size(); ++i) {
      const unsigned char b = static_cast<unsigned char>(p[i]);
      // Literal bytes and line breaks are copied in batches by WriteRaw.
      if (b >= '!' && b <= '~' && b != '=') continue;
      if (IsWhitespace(b) || b == '\n' || b == '\r') continue;
      if (i > n) WriteRaw(p.substr(n, i - n));
      Encode(b);
      n = i + 1;
    }
    if (n < p.size()) WriteRaw(p.substr(n));
  }

  void Close() {
    CheckLastByte();
    Flush();
  }

 private:
  static constexpr size_t kLineMaxLen = 76;

  static bool IsWhitespace(unsigned char b) { return b == ' ' || b == '\t'; }

  void WriteRaw(std::string_view p) {
    for (unsigned char b : p) {
      if (b == '\n' || b == '\r') {
        // CRLF is one line break: the CR already inserted it.
        if (cr_ && b == '\n') {
          cr_ = false;
          continue;
        }
        if (b == '\r') cr_ = true;
        CheckLastByte();
        InsertCrlf();
        continue;
      }
      if (i_ == kLineMaxLen - 1) InsertSoftLineBreak();
      line_[i_++] = static_cast<char>(b);
      cr_ = false;
    }
  }

  void Encode(unsigned char b) {
    if (kLineMaxLen - 1 - i_ < 3) InsertSoftLineBreak();
    line_[i_] = '=';
    line_[i_ + 1] = kUpperHex[b >> 4];
    line_[i_ + 2] = kUpperHex[b & 0x0f];
    i_ += 3;
  }

  // Trailing white space would be stripped by mail software, so it is encoded.
  void CheckLastByte() {
    if (i_ == 0) return;
    const unsigned char b = static_cast<unsigned char>(line_[i_ - 1]);
    if (IsWhitespace(b)) {
      --i_;
      Encode(b);
    }
  }

  void InsertSoftLineBreak() {
    line_[i_++] = '=';
    InsertCrlf();
  }

  void InsertCrlf() {
    line_[i_] = '\r';
    line_[i_ + 1] = '\n';
    i_ += 2;
    Flush();
  }

  void Flush() {
    out_->append(line_.data(), i_);
    i_ = 0;
  }

  std::string* out_;
  std::array<char, 78> line_{};
  size_t i_ = 0;
  bool cr_ = false;
};

}  // namespace

size_t Utf8SequenceLength(std::string_view s) {
  if (s.empty()) return 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const unsigned char c = p[0];
  if (c < 0x80) return 1;
  size_t need;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (InRange(c, 0xC2, 0xDF)) {
    need = 2;
  } else if (c == 0xE0) {
    need = 3, lo = 0xA0;
  } else if (InRange(c, 0xE1, 0xEC) || c == 0xEE || c == 0xEF) {
    need = 3;
  } else if (c == 0xED) {
    need = 3, hi = 0x9F;  // no surrogates
  } else if (c == 0xF0) {
    need = 4, lo = 0x90;
  } else if (InRange(c, 0xF1, 0xF3)) {
    need = 4;
  } else if (c == 0xF4) {
    need = 4, hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 1;
  }
  if (s.size() < need || !InRange(p[1], lo, hi)) return 1;
  for (size_t k = 2; k < need; ++k) {
    if (!InRange(p[k], 0x80, 0xBF)) return 1;
  }
  return need;
}

std::string QEncodeWord(std::string_view s) {
  if (!NeedsEncoding(s)) return std::string(s);
  std::string out;
  out.reserve(s.size() * 3 + 16);
  out.append(kQWordOpen);
  size_t current = 0;
  size_t rune_len = 0;
  for (size_t i = 0; i < s.size(); i += rune_len) {
    const unsigned char b = static_cast<unsigned char>(s[i]);
    size_t enc_len;
    if (b >= ' ' && b <= '~' && b != '=' && b != '?' && b != '_') {
      rune_len = 1, enc_len = 1;
    } else {
      rune_len = Utf8SequenceLength(s.substr(i));
      enc_len = 3 * rune_len;
    }
    if (current + enc_len > kMaxQContentLen) {
      out.append(kQWordClose);
      out.push_back(' ');
      out.append(kQWordOpen);
      current = 0;
    }
    WriteQString(&out, s.substr(i, rune_len));
    current += enc_len;
  }
  out.append(kQWordClose);
  return out;
}

std::string QuotedPrintable(std::string_view body) {
  std::string out;
  out.reserve(body.size() + body.size() / 8 + 8);
  QpWriter w(&out);
  w.Write(body);
  w.Close();
  return out;
}

std::string DotStuff(std::string_view data) {
  enum State { kBegin, kBeginLine, kCr, kData };
  std::string out;
  out.reserve(data.size() + data.size() / 32 + 8);
  State state = kBegin;
  for (char c : data) {
    switch (state) {
      case kBegin:
      case kBeginLine:
        state = kData;
        if (c == '.') out.push_back('.');
        [[fallthrough]];
      case kData:
        if (c == '\r') state = kCr;
        if (c == '\n') {
          out.push_back('\r');
          state = kBeginLine;
        }
        break;
      case kCr:
        state = kData;
        if (c == '\n') state = kBeginLine;
        break;
    }
    out.push_back(c);
  }
  switch (state) {
    case kBegin:
    case kData:
      out.push_back('\r');
      [[fallthrough]];
    case kCr:
      out.push_back('\n');
      [[fallthrough]];
    case kBeginLine:
      out.append(".\r\n");
  }
  return out;
}

}  // namespace am::notify

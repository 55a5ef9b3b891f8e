#include "notify/email_address.h"

#include "core/strings.h"
#include "notify/email_encoding.h"

namespace am::notify {
namespace {

struct ParseFailure {
  std::string message;
};

bool IsVchar(std::string_view rune) {
  if (rune.size() > 1) return true;  // RFC 6532: any multi-byte UTF-8 character
  const unsigned char c = static_cast<unsigned char>(rune[0]);
  return c >= '!' && c <= '~';
}

bool IsWsp(std::string_view rune) { return rune == " " || rune == "\t"; }

bool IsAtext(std::string_view rune, bool dot, bool permissive) {
  if (rune.size() == 1) {
    switch (rune[0]) {
      case '.':
        return dot;
      case '(':
      case ')':
      case '[':
      case ']':
      case ';':
      case '@':
      case '\\':
      case ',':
        return permissive;
      case '<':
      case '>':
      case '"':
      case ':':
        return false;
      default:
        break;
    }
  }
  return IsVchar(rune);
}

bool IsQtext(std::string_view rune) {
  if (rune == "\\" || rune == "\"") return false;
  return IsVchar(rune);
}

bool IsInvalidRune(std::string_view s) {
  return Utf8SequenceLength(s) == 1 && static_cast<unsigned char>(s[0]) >= 0x80;
}

// %q of a string (strconv.Quote).
std::string Quoted(std::string_view s) { return GoQuote(s); }

// %q of a rune: single-quoted, with the string form's escapes for the common cases.
std::string QuotedRune(std::string_view r) {
  if (r == "'") return "'\\''";
  std::string q = GoQuote(r);
  if (q == "\"\\\"\"") return "'\"'";
  return "'" + q.substr(1, q.size() - 2) + "'";
}

// Go's addrParser, on a shrinking view of the input. Errors are thrown as ParseFailure and
// caught at the top; consumeAddrSpec restores the input on failure as Go does.
class AddrParser {
 public:
  explicit AddrParser(std::string_view s) : s_(s) {}

  std::vector<MailAddress> ParseAddressList() {
    std::vector<MailAddress> list;
    for (;;) {
      SkipSpace();
      // Empty entries are allowed (RFC 5322 obs-addr-list).
      if (Consume(',')) continue;
      auto addrs = ParseAddress(true);
      list.insert(list.end(), addrs.begin(), addrs.end());
      if (!SkipCfws()) Fail("mail: misformatted parenthetical comment");
      if (Empty()) break;
      if (Peek() != ',') Fail("mail: expected comma");
      while (Consume(',')) SkipSpace();
      if (Empty()) break;
    }
    return list;
  }

 private:
  [[noreturn]] static void Fail(std::string msg) { throw ParseFailure{std::move(msg)}; }

  std::vector<MailAddress> ParseAddress(bool handle_group) {
    SkipSpace();
    if (Empty()) Fail("mail: no address");

    // An addr-spec has a stricter grammar than a name-addr, so it is tried first.
    std::string spec;
    if (TryConsumeAddrSpec(&spec)) {
      std::string display_name;
      SkipSpace();
      if (!Empty() && Peek() == '(') display_name = ConsumeDisplayNameComment();
      return {MailAddress{display_name, spec}};
    }

    std::string display_name;
    if (Peek() != '<') display_name = ConsumePhrase();
    SkipSpace();
    if (handle_group && Consume(':')) return ConsumeGroupList();
    if (!Consume('<')) {
      bool atext = true;
      for (size_t i = 0; i < display_name.size();) {
        const size_t n = Utf8SequenceLength(std::string_view(display_name).substr(i));
        if (!IsAtext(std::string_view(display_name).substr(i, n), true, false)) {
          atext = false;
          break;
        }
        i += n;
      }
      // "foo.bar" probably meant "foo.bar@domain"; "Full Name" meant "Full Name <...>".
      if (atext) Fail("mail: missing '@' or angle-addr");
      Fail("mail: no angle-addr");
    }
    std::string err;
    if (!TryConsumeAddrSpec(&spec, &err)) Fail(err);
    if (!Consume('>')) Fail("mail: unclosed angle-addr");
    return {MailAddress{display_name, spec}};
  }

  std::vector<MailAddress> ConsumeGroupList() {
    std::vector<MailAddress> group;
    SkipSpace();
    if (Consume(';')) {
      SkipCfws();
      return group;
    }
    for (;;) {
      SkipSpace();
      auto addrs = ParseAddress(false);  // groups do not nest
      group.insert(group.end(), addrs.begin(), addrs.end());
      if (!SkipCfws()) Fail("mail: misformatted parenthetical comment");
      if (Consume(';')) {
        SkipCfws();
        break;
      }
      if (!Consume(',')) Fail("mail: expected comma");
    }
    return group;
  }

  // consumeAddrSpec: on failure the input is left as it was and `err` says why.
  bool TryConsumeAddrSpec(std::string* spec, std::string* err = nullptr) {
    const std::string_view orig = s_;
    try {
      *spec = ConsumeAddrSpec();
      return true;
    } catch (const ParseFailure& f) {
      s_ = orig;
      if (err) *err = f.message;
      return false;
    }
  }

  std::string ConsumeAddrSpec() {
    SkipSpace();
    if (Empty()) Fail("mail: no addr-spec");
    std::string local;
    if (Peek() == '"') {
      local = ConsumeQuotedString();
      if (local.empty()) Fail("mail: empty quoted string in addr-spec");
    } else {
      local = ConsumeAtom(true, false);
    }
    if (!Consume('@')) Fail("mail: missing @ in addr-spec");
    SkipSpace();
    if (Empty()) Fail("mail: no domain in addr-spec");
    // Go does not handle domain literals either: `[1.2.3.4]` fails here as it does there.
    std::string domain = ConsumeAtom(true, false);
    return local + "@" + domain;
  }

  std::string ConsumePhrase() {
    std::vector<std::string> words;
    std::string first_error;
    for (;;) {
      SkipSpace();
      if (Empty()) break;
      try {
        words.push_back(Peek() == '"' ? ConsumeQuotedString() : ConsumeAtom(true, true));
      } catch (const ParseFailure& f) {
        first_error = f.message;
        break;
      }
    }
    // An error after at least one word only ends the phrase.
    if (words.empty()) Fail("mail: missing word in phrase: " + first_error);
    std::string phrase;
    for (size_t i = 0; i < words.size(); ++i) {
      if (i > 0) phrase.push_back(' ');
      phrase += words[i];
    }
    return phrase;
  }

  std::string ConsumeQuotedString() {
    size_t i = 1;  // past the opening quote
    std::string qs;
    bool escaped = false;
    for (;;) {
      if (i >= s_.size()) Fail("mail: unclosed quoted-string");
      const std::string_view rest = s_.substr(i);
      if (IsInvalidRune(rest)) Fail("mail: invalid utf-8 in quoted-string: " + Quoted(s_));
      const size_t n = Utf8SequenceLength(rest);
      const std::string_view r = rest.substr(0, n);
      if (escaped) {
        if (!IsVchar(r) && !IsWsp(r))
          Fail("mail: bad character in quoted-string: " + QuotedRune(r));
        qs.append(r);
        escaped = false;
      } else if (IsQtext(r) || IsWsp(r)) {
        qs.append(r);
      } else if (r == "\"") {
        break;
      } else if (r == "\\") {
        escaped = true;
      } else {
        Fail("mail: bad character in quoted-string: " + QuotedRune(r));
      }
      i += n;
    }
    s_.remove_prefix(i + 1);
    return qs;
  }

  std::string ConsumeAtom(bool dot, bool permissive) {
    size_t i = 0;
    while (i < s_.size()) {
      const std::string_view rest = s_.substr(i);
      if (IsInvalidRune(rest)) Fail("mail: invalid utf-8 in address: " + Quoted(s_));
      const size_t n = Utf8SequenceLength(rest);
      if (!IsAtext(rest.substr(0, n), dot, permissive)) break;
      i += n;
    }
    if (i == 0) Fail("mail: invalid string");
    std::string atom(s_.substr(0, i));
    s_.remove_prefix(i);
    if (!permissive) {
      if (atom.front() == '.') Fail("mail: leading dot in atom");
      if (atom.find("..") != std::string::npos) Fail("mail: double dot in atom");
      if (atom.back() == '.') Fail("mail: trailing dot in atom");
    }
    return atom;
  }

  std::string ConsumeDisplayNameComment() {
    if (!Consume('(')) Fail("mail: comment does not start with (");
    std::string comment;
    if (!ConsumeComment(&comment)) Fail("mail: misformatted parenthetical comment");
    // Words separated by single spaces, as strings.FieldsFunc + Join.
    std::string name;
    size_t i = 0;
    while (i < comment.size()) {
      while (i < comment.size() && (comment[i] == ' ' || comment[i] == '\t')) ++i;
      size_t j = i;
      while (j < comment.size() && comment[j] != ' ' && comment[j] != '\t') ++j;
      if (j > i) {
        if (!name.empty()) name.push_back(' ');
        name.append(comment, i, j - i);
      }
      i = j;
    }
    return name;
  }

  // After '('. False when the comment is not closed.
  bool ConsumeComment(std::string* comment) {
    int depth = 1;
    while (!Empty() && depth > 0) {
      if (Peek() == '\\' && s_.size() > 1) {
        s_.remove_prefix(1);
      } else if (Peek() == '(') {
        ++depth;
      } else if (Peek() == ')') {
        --depth;
      }
      if (depth > 0) comment->push_back(s_[0]);
      s_.remove_prefix(1);
    }
    return depth == 0;
  }

  bool Consume(char c) {
    if (Empty() || Peek() != c) return false;
    s_.remove_prefix(1);
    return true;
  }

  void SkipSpace() {
    while (!Empty() && (Peek() == ' ' || Peek() == '\t')) s_.remove_prefix(1);
  }

  bool SkipCfws() {
    SkipSpace();
    while (Consume('(')) {
      std::string ignored;
      if (!ConsumeComment(&ignored)) return false;
      SkipSpace();
    }
    return true;
  }

  char Peek() const { return s_[0]; }
  bool Empty() const { return s_.empty(); }

  std::string_view s_;
};

}  // namespace

bool ParseAddressList(std::string_view list, std::vector<MailAddress>* out, std::string* error) {
  try {
    *out = AddrParser(list).ParseAddressList();
    return true;
  } catch (const ParseFailure& f) {
    out->clear();
    if (error) *error = f.message;
    return false;
  }
}

}  // namespace am::notify

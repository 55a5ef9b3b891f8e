// RFC 5322 address lists as Go's net/mail.ParseAddressList (Go 1.19) reads them, for the `from`
// and `to` fields of an email integration: `a@b`, `Name <a@b>`, `"Quoted, Name" <a@b>`,
// `a@b (comment)`, quoted local parts, groups (`team: a@b, c@d;`), comments and empty list
// entries. The SMTP envelope uses only each address's `local@domain`. Encoded-words in display
// names are kept as written (Go decodes them; the envelope never shows names).
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace am::notify {

struct MailAddress {
  std::string name;     // display name, "" when none
  std::string address;  // local@domain
  bool operator==(const MailAddress&) const = default;
};

// Parses a comma-separated list. Returns false and sets `error` to Go's message (e.g.
// "mail: missing '@' or angle-addr", "mail: no address") on malformed input.
bool ParseAddressList(std::string_view list, std::vector<MailAddress>* out, std::string* error);

}  // namespace am::notify

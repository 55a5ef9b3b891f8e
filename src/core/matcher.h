// Label matchers (=, !=, =~, !~) and the two parsers Alertmanager accepts: the classic one of 0.25
// and the UTF-8 one of 0.27+, with 0.27's default "fallback" mode (UTF-8 first, classic on
// failure, with a warning) and the classic-mode / utf8-strict-mode feature flags.
// Regexes are RE2, fully anchored as ^(?:re)$. Matcher is immutable after Create and safe to share
// across threads (RE2 is thread-safe for matching).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/labels.h"

namespace re2 {
class RE2;
}

namespace am {

enum class MatchType { kEqual, kNotEqual, kRegexp, kNotRegexp };

// "=", "!=", "=~", "!~".
const char* MatchTypeString(MatchType t);

class Matcher {
 public:
  // Throws ParseError for an invalid regex (message as upstream's regexp error, e.g.
  // "error parsing regexp: missing closing ): `(a`").
  static Matcher Create(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // Upstream 0.25 labels.Matcher.String(): name op Go-quoted value, e.g. team=~"a|b".
  // A name that is not a classic label name is Go-quoted too (0.27+ form).
  std::string String() const;

  bool operator==(const Matcher& o) const {
    return type_ == o.type_ && name_ == o.name_ && value_ == o.value_;
  }

 private:
  MatchType type_ = MatchType::kEqual;
  std::string name_;
  std::string value_;
  std::shared_ptr<const re2::RE2> re_;  // only for regex types
};

using Matchers = std::vector<Matcher>;

// All matchers match the label set (a missing label matches as "").
bool MatchesAll(const Matchers& ms, const LabelSet& ls);
// labels.Matchers.String(): "{" + comma-joined Matcher::String() + "}" (no spaces).
std::string MatchersString(const Matchers& ms);
// Sort order upstream uses for route keys: by name, then value, then type.
void SortMatchers(Matchers* ms);

enum class ParseMode {
  kFallback,    // 0.27+ default: UTF-8 parser, classic on failure (warning returned)
  kUtf8Strict,  // --enable-feature=utf8-strict-mode
  kClassic,     // --enable-feature=classic-mode, and 0.25's only parser
};

// Parses a matchers expression: one matcher, or a `{a="b", c=~"d",}` list (braces optional,
// one trailing comma allowed). Throws ParseError naming the problem. In kFallback mode, if the
// UTF-8 parser fails and the classic one succeeds, `*warning` (when non-null) receives a message
// naming the input; if both succeed with different results, it receives a disagreement message.
Matchers ParseMatchers(std::string_view input, ParseMode mode, std::string* warning = nullptr);
// Exactly one matcher (for config `matchers:` entries that must be single, API filters).
Matcher ParseMatcher(std::string_view input, ParseMode mode, std::string* warning = nullptr);

// The process-wide mode chosen by --enable-feature at start (default kFallback). Set once before
// any parsing; read-only afterwards.
void SetDefaultParseMode(ParseMode mode);
ParseMode DefaultParseMode();

}  // namespace am

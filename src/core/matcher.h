// Label matchers (=, !=, =~, !~) and the two parsers Alertmanager accepts: the classic one of 0.25
// and the UTF-8 one of 0.27+, with 0.27's default "fallback" mode (UTF-8 first, classic on
// failure, with a warning) and the classic-mode / utf8-strict-mode feature flags.
// Regexes are RE2, fully anchored as ^(?:re)$, with Go's regexp dialect enforced where RE2 is more
// permissive (\C) and Go's reading of invalid UTF-8 subjects. Matcher is immutable after Create and
// safe to share across threads (RE2 is thread-safe for matching; copies share the compiled regex).
// Parsing functions are pure; DefaultParseMode is an atomic set once at start.
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
  // Throws ParseError for an invalid regex, worded as Go's regexp error on the anchored pattern,
  // e.g. "error parsing regexp: missing closing ): `^(?:(a)$`". The name is not validated (callers
  // that need a valid label name check it themselves, as upstream does).
  static Matcher Create(MatchType type, std::string name, std::string value);

  MatchType type() const { return type_; }
  const std::string& name() const { return name_; }
  const std::string& value() const { return value_; }

  bool Matches(std::string_view v) const;
  // labels.Matcher.String(): name op "value" with OpenMetrics escaping (only \\, \n and \"; a tab
  // or unicode stays raw), e.g. team=~"a|b". This goes into route and group keys, so it equals
  // 0.25's bytes. A name containing a reserved rune (whitespace or one of {}!=~,\"'`) is printed
  // in the 0.27+ form instead: both name and value strconv.Quote'd, e.g. "a b"="x\ty".
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
// one trailing comma allowed). Throws ParseError with the chosen parser's message (classic:
// "bad matcher format: ...", "matcher value contains unescaped double quote: ..."; UTF-8:
// "4:8: \"bar: missing end \": expected label value" with rune columns).
// kFallback runs both parsers, as upstream does: UTF-8 fails, classic succeeds -> classic result
// and `*warning` = upstream's "Alertmanager is moving to a new parser ..." text followed by
// ` input="..." err="..." suggestion="..."` (Go-quoted); both succeed but differ (including the
// no-matchers case, a quirk of upstream's DeepEqual) -> classic result and
// `Matchers input has disagreement input="..."`; both fail -> the classic error. `*warning` is
// left untouched when there is nothing to warn about.
Matchers ParseMatchers(std::string_view input, ParseMode mode, std::string* warning = nullptr);
// Exactly one matcher (for config `matchers:` entries that must be single, API filters).
// kClassic is 0.25's labels.ParseMatcher: no list splitting, so `a=b,c=d` is a="b,c=d".
// kUtf8Strict and kFallback first reject input starting with { or ending with } ("unexpected open
// or close brace: ..."), then expect exactly one matcher ("no matchers", "expected 1 matcher,
// found 2"); kFallback then falls back or warns as ParseMatchers does.
Matcher ParseMatcher(std::string_view input, ParseMode mode, std::string* warning = nullptr);

// The process-wide mode chosen by --enable-feature at start (default kFallback). Set once before
// any parsing; read-only afterwards.
void SetDefaultParseMode(ParseMode mode);
ParseMode DefaultParseMode();

}  // namespace am

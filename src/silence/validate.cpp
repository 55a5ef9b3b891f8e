#include "silence/validate.h"

#include <re2/re2.h>

#include "core/error.h"
#include "core/labels.h"
#include "core/strings.h"

namespace am::silence {

Matcher Compile(const SilenceMatcher& m) { return Matcher::Create(m.type, m.name, m.pattern); }

namespace {

// Upstream compiles the pattern as written (regexp.Compile), so its error text names the pattern,
// not the anchored form our matcher compiles.
std::string RegexError(const SilenceMatcher& m) {
  {
    // Anchoring changes what a trailing backslash escapes; Go reports it with an empty argument.
    RE2::Options opts;
    opts.set_log_errors(false);
    RE2 raw(m.pattern, opts);
    if (raw.error_code() == RE2::ErrorTrailingBackslash) {
      return "error parsing regexp: trailing backslash at end of expression: ``";
    }
  }
  try {
    Compile(m);
    return "";
  } catch (const ParseError& e) {
    std::string msg = e.what();
    const std::string anchored = "`^(?:" + m.pattern + ")$`";
    if (auto pos = msg.find(anchored); pos != std::string::npos) {
      msg.replace(pos, anchored.size(), "`" + m.pattern + "`");
    }
    return msg;
  }
}

bool IsRegex(MatchType t) { return t == MatchType::kRegexp || t == MatchType::kNotRegexp; }

}  // namespace

std::string ValidateMatcher(const SilenceMatcher& m, ParseMode mode) {
  bool name_ok =
      mode == ParseMode::kClassic ? IsValidClassicLabelName(m.name) : IsValidUtf8LabelName(m.name);
  if (!name_ok) return "invalid label name " + GoQuote(m.name);
  if (!IsRegex(m.type)) {
    if (!IsValidUtf8(m.pattern)) return "invalid label value " + GoQuote(m.pattern);
    return "";
  }
  std::string err = RegexError(m);
  if (!err.empty()) return "invalid regular expression " + GoQuote(m.pattern) + ": " + err;
  return "";
}

bool MatchesEmpty(const SilenceMatcher& m) {
  switch (m.type) {
    case MatchType::kEqual:
      return m.pattern.empty();
    case MatchType::kRegexp:
      // An unanchored match against "" is a match of the whole empty string, so the anchored
      // matcher answers the same question.
      try {
        return Compile(m).Matches("");
      } catch (const ParseError&) {
        return false;
      }
    default:
      return false;
  }
}

std::string ValidateSilence(const Silence& s, ParseMode mode) {
  const bool multi = s.matcher_sets.size() > 1;
  if (s.matcher_sets.empty() || (!multi && s.matcher_sets.front().empty())) {
    return "at least one matcher required";
  }
  for (size_t set = 0; set < s.matcher_sets.size(); ++set) {
    const MatcherSet& ms = s.matcher_sets[set];
    if (ms.empty()) return "matcher set " + std::to_string(set) + " is empty";
    bool all_match_empty = true;
    for (size_t i = 0; i < ms.size(); ++i) {
      std::string err = ValidateMatcher(ms[i], mode);
      if (!err.empty()) {
        if (multi) {
          return "invalid label matcher " + std::to_string(i) + " in set " + std::to_string(set) +
                 ": " + err;
        }
        return "invalid label matcher " + std::to_string(i) + ": " + err;
      }
      all_match_empty = all_match_empty && MatchesEmpty(ms[i]);
    }
    if (all_match_empty) {
      if (multi) {
        return "matcher set " + std::to_string(set) +
               ": at least one matcher must not match the empty string";
      }
      return "at least one matcher must not match the empty string";
    }
  }
  if (IsZero(s.starts_at)) return "invalid zero start timestamp";
  if (IsZero(s.ends_at)) return "invalid zero end timestamp";
  if (s.ends_at < s.starts_at) return "end time must not be before start time";
  return "";
}

}  // namespace am::silence

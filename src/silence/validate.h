// Validation of a silence before the store accepts it from the API, with upstream's messages
// (silence.validateSilence / validateMatcher, 0.25 wording for single-set silences, 0.32+ wording
// for several sets). Label names are checked as the process-wide matcher parse mode says:
// classic names in classic mode, any non-empty UTF-8 otherwise (0.27+ compat.IsValidLabelName).
// Pure functions; thread-safe.
#pragma once

#include <string>

#include "core/matcher.h"
#include "silence/silence.h"

namespace am::silence {

// "" when valid, else the problem, e.g. `invalid label matcher 0: invalid label name "a-b"` or
// `at least one matcher must not match the empty string`. The store prefixes it with
// "silence invalid: ".
std::string ValidateSilence(const Silence& s, ParseMode mode);

// "" when the matcher is valid, else e.g. `invalid regular expression "(": error parsing regexp:
// missing closing ): `(``.
std::string ValidateMatcher(const SilenceMatcher& m, ParseMode mode);

// Compiles one matcher; throws am::ParseError for a regex that does not compile.
Matcher Compile(const SilenceMatcher& m);

// True if the matcher matches a label set lacking its label (upstream matchesEmpty; only = and
// =~ count, as upstream).
bool MatchesEmpty(const SilenceMatcher& m);

}  // namespace am::silence

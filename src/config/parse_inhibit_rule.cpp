// One `inhibit_rules:` entry (config InhibitRule) and its effective matchers
// (inhibit.NewInhibitRule).
#include "config/parsers.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

Matchers Effective(const std::vector<std::pair<std::string, std::string>>& match,
                   const std::vector<std::pair<std::string, std::string>>& match_re,
                   const Matchers& matchers) {
  Matchers out;
  for (const auto& [name, value] : match) {
    out.push_back(Matcher::Create(MatchType::kEqual, name, value));
  }
  for (const auto& [name, re] : match_re) {
    out.push_back(Matcher::Create(MatchType::kRegexp, name, "^(?:" + re + ")$"));
  }
  out.insert(out.end(), matchers.begin(), matchers.end());
  return out;
}

}  // namespace

InhibitRule ParseInhibitRule(Context& ctx, const YAML::Node& node, const std::string& path,
                             int line) {
  MapReader r(ctx, node, path, line, "inhibit rule",
              {"name", "source_match", "source_match_re", "source_matchers", "target_match",
               "target_match_re", "target_matchers", "equal"});
  InhibitRule rule;
  rule.src = r.Src();
  size_t before = r.start_errors();
  rule.name = r.String("name");
  rule.source_match = ReadLegacyMatch(r, "source_match");
  rule.source_match_re = ReadLegacyMatchRe(r, "source_match_re");
  rule.source_matchers = ReadMatcherList(r, "source_matchers");
  rule.target_match = ReadLegacyMatch(r, "target_match");
  rule.target_match_re = ReadLegacyMatchRe(r, "target_match_re");
  rule.target_matchers = ReadMatcherList(r, "target_matchers");
  rule.equal = r.StringList("equal");
  if (ctx.error_count() != before) return rule;
  for (const std::string& l : rule.equal) {
    if (!IsValidLabelNameForMode(l)) {
      r.Fail("equal", "invalid label name " + GoQuote(l) + " in equal list");
    }
  }
  rule.source = Effective(rule.source_match, rule.source_match_re, rule.source_matchers);
  rule.target = Effective(rule.target_match, rule.target_match_re, rule.target_matchers);
  return rule;
}

}  // namespace am::config::detail

// The `route:` tree (config.Route), read node by node with upstream's per-node checks.
#include <set>

#include "config/parsers.h"
#include "core/error.h"
#include "core/labels.h"
#include "core/strings.h"

namespace am::config::detail {

bool IsValidLabelNameForMode(std::string_view name) {
  return DefaultParseMode() == ParseMode::kClassic ? IsValidClassicLabelName(name)
                                                   : IsValidUtf8LabelName(name);
}

namespace {

// `matchers:` entries: each may hold several matchers; the result is sorted (upstream's
// config.Matchers.UnmarshalYAML).
Matchers ReadMatchers(const MapReader& r, std::string_view key) {
  Matchers out;
  r.ForEach(key, [&](const YAML::Node& item, const std::string& path, int line) {
    std::string text;
    if (!ReadString(r.ctx(), item, line, path, &text)) return;
    std::string warning;
    try {
      Matchers ms = ParseMatchers(text, DefaultParseMode(), &warning);
      out.insert(out.end(), ms.begin(), ms.end());
    } catch (const ParseError& e) {
      r.ctx().Fail(line, path, e.what());
    }
    if (!warning.empty()) {
      r.ctx().warnings().push_back(r.ctx().filename() + ":" + std::to_string(line) + ": " + path +
                                   ": " + warning);
    }
  });
  SortMatchers(&out);
  return out;
}

// `match_re`-style maps: classic label names, regexes that compile when anchored.
std::vector<std::pair<std::string, std::string>> ReadMatchRe(const MapReader& r,
                                                             std::string_view key) {
  auto m = r.StringMap(key);
  std::set<std::string> null_values;  // yaml.v2 leaves a null value as a nil Regexp
  if (const YAML::Node* node = r.Value(key); node && node->IsMap()) {
    for (const auto& kv : *node) {
      if (kv.first.IsScalar() && IsNullNode(kv.second)) null_values.insert(kv.first.Scalar());
    }
  }
  for (const auto& [name, re] : m) {
    if (!IsValidClassicLabelName(name)) r.Fail(key, "invalid label name " + GoQuote(name));
    if (null_values.count(name)) r.Fail(key, "invalid regexp value for " + GoQuote(name));
    try {
      Matcher::Create(MatchType::kRegexp, name, re);
    } catch (const ParseError& e) {
      r.Fail(key, e.what());
    }
  }
  return m;
}

std::vector<std::pair<std::string, std::string>> ReadMatch(const MapReader& r,
                                                           std::string_view key) {
  auto m = r.StringMap(key);
  for (const auto& [name, value] : m) {
    if (!IsValidClassicLabelName(name)) r.Fail(key, "invalid label name " + GoQuote(name));
  }
  return m;
}

}  // namespace

// Exposed for inhibit rules, which share the legacy map forms.
std::vector<std::pair<std::string, std::string>> ReadLegacyMatch(const MapReader& r,
                                                                 std::string_view key) {
  return ReadMatch(r, key);
}
std::vector<std::pair<std::string, std::string>> ReadLegacyMatchRe(const MapReader& r,
                                                                   std::string_view key) {
  return ReadMatchRe(r, key);
}
Matchers ReadMatcherList(const MapReader& r, std::string_view key) { return ReadMatchers(r, key); }

std::unique_ptr<Route> ParseRoute(Context& ctx, const YAML::Node& node, const std::string& path,
                                  int line) {
  DepthGuard guard(ctx, node, line, path);
  MapReader r(ctx, node, path, line, "route",
              {"receiver", "group_by", "match", "match_re", "matchers", "mute_time_intervals",
               "active_time_intervals", "continue", "routes", "group_wait", "group_interval",
               "repeat_interval", "labels"});
  auto route = std::make_unique<Route>();
  route->src = r.Src();
  size_t before = r.start_errors();

  route->receiver = r.String("receiver");
  route->group_by = r.OptStringList("group_by");
  if (r.Present("group_by") && !r.Has("group_by")) route->group_by.reset();
  route->match = ReadMatch(r, "match");
  route->match_re = ReadMatchRe(r, "match_re");
  route->matchers = ReadMatchers(r, "matchers");
  route->mute_time_intervals = r.StringList("mute_time_intervals");
  route->active_time_intervals = r.StringList("active_time_intervals");
  route->continue_matching = r.Bool("continue", false);
  r.ForEach("routes", [&](const YAML::Node& item, const std::string& item_path, int item_line) {
    if (!item.IsDefined() || item.IsNull()) {
      // yaml.v2 would store a nil *Route and crash later; refuse it plainly.
      ctx.Fail(item_line, item_path, "missing route");
    }
    route->routes.push_back(ParseRoute(ctx, item, item_path, item_line));
  });
  route->group_wait = r.ModelDuration("group_wait");
  route->group_interval = r.ModelDuration("group_interval");
  route->repeat_interval = r.ModelDuration("repeat_interval");
  auto labels = r.StringMap("labels");

  if (ctx.error_count() != before) return route;

  for (const auto& [name, value] : labels) {
    if (!IsValidLabelNameForMode(name)) {
      r.Fail("labels", "invalid label name " + GoQuote(name) + " in route labels");
    }
  }
  route->labels = LabelSet::FromPairs(labels);

  if (route->group_by) {
    bool all = false;
    std::vector<std::string> names;
    for (const std::string& l : *route->group_by) {
      if (l == "...") {
        all = true;
      } else {
        if (!IsValidLabelNameForMode(l)) {
          r.Fail("group_by", "invalid label name " + GoQuote(l) + " in group_by list");
        }
        names.push_back(l);
      }
    }
    if (all && !names.empty()) {
      r.Fail("group_by", "cannot have wildcard group_by (`...`) and other labels at the same time");
    }
    std::set<std::string> seen;
    for (const std::string& l : names) {
      if (!seen.insert(l).second)
        r.Fail("group_by", "duplicated label " + GoQuote(l) + " in group_by");
    }
  }
  if (route->group_interval && route->group_interval->count() == 0) {
    r.Fail("group_interval", "group_interval cannot be zero");
  }
  if (route->repeat_interval && route->repeat_interval->count() == 0) {
    r.Fail("repeat_interval", "repeat_interval cannot be zero");
  }
  return route;
}

}  // namespace am::config::detail

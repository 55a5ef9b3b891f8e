#include "template/template.h"

#include <glob.h>

#include <algorithm>
#include <fstream>
#include <sstream>

#include "template/defaults.h"
#include "template/exec.h"
#include "template/gofmt.h"

namespace am::tmpl {

namespace {

bool HasFunction(const std::string& name) { return DefaultFuncs().count(name) > 0; }

// Adds parsed trees to a map with Go's Template.AddParseTree rule: a new empty body never
// replaces an existing definition.
void Merge(TreeMap& into, TreeMap&& from) {
  for (auto& [name, tree] : from) {
    auto it = into.find(name);
    if (it != into.end() && IsEmptyTree(tree->root.get()) && it->second) continue;
    into[name] = std::move(tree);
  }
}

std::shared_ptr<const KvObj> ToKv(const Labels& l) {
  auto kv = std::make_shared<KvObj>();
  kv->items = l;
  std::stable_sort(kv->items.begin(), kv->items.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  // Later duplicates win, like assigning into a Go map.
  StringPairs uniq;
  for (auto& p : kv->items) {
    if (!uniq.empty() && uniq.back().first == p.first) {
      uniq.back().second = std::move(p.second);
    } else {
      uniq.push_back(std::move(p));
    }
  }
  kv->items = std::move(uniq);
  return kv;
}

GoTime ToGoTime(const Time& t) {
  GoTime g;
  if (t.zero) return g;
  auto ns = t.at.time_since_epoch().count();
  g.sec = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    g.sec -= 1;
  }
  g.nsec = static_cast<int32_t>(rem);
  return g;
}

Value ToValue(const Data& d) {
  auto obj = std::make_shared<DataObj>();
  obj->receiver = d.receiver;
  obj->status = d.status;
  auto alerts = std::make_shared<AlertList>();
  alerts->reserve(d.alerts.size());
  for (const Alert& a : d.alerts) {
    auto ao = std::make_shared<AlertObj>();
    ao->status = a.status;
    ao->labels = ToKv(a.labels);
    ao->annotations = ToKv(a.annotations);
    ao->starts_at = ToGoTime(a.starts_at);
    ao->ends_at = ToGoTime(a.ends_at);
    ao->generator_url = a.generator_url;
    ao->fingerprint = a.fingerprint;
    alerts->push_back(std::move(ao));
  }
  obj->alerts = std::move(alerts);
  obj->group_labels = ToKv(d.group_labels);
  obj->common_labels = ToKv(d.common_labels);
  obj->common_annotations = ToKv(d.common_annotations);
  obj->external_url = d.external_url;
  obj->notification_reason = d.notification_reason;
  return Value::Data(std::move(obj));
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  if (!f) throw TemplateError("open " + path + ": no such file or directory");
  std::ostringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

std::string BaseName(const std::string& path) {
  size_t s = path.find_last_of('/');
  return s == std::string::npos ? path : path.substr(s + 1);
}

}  // namespace

std::string QuoteMeta(std::string_view s) {
  static constexpr std::string_view kSpecial = "\\.+*?()|[]{}^$";
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (kSpecial.find(c) != std::string_view::npos) out += '\\';
    out += c;
  }
  return out;
}

Data MakeData(std::string_view receiver, const Labels& group_labels, std::vector<Alert> alerts,
              std::string_view external_url) {
  Data d;
  d.receiver = QuoteMeta(receiver);
  d.status = "resolved";
  for (const Alert& a : alerts)
    if (a.status == "firing") d.status = "firing";
  d.group_labels = group_labels;
  d.external_url = external_url;
  if (!alerts.empty()) {
    auto common = [&](auto member) {
      std::map<std::string, std::string> c(((alerts[0]).*member).begin(),
                                           ((alerts[0]).*member).end());
      for (size_t i = 1; i < alerts.size() && !c.empty(); ++i) {
        std::map<std::string, std::string> other(((alerts[i]).*member).begin(),
                                                 ((alerts[i]).*member).end());
        for (auto it = c.begin(); it != c.end();) {
          auto o = other.find(it->first);
          if (o == other.end() || o->second != it->second) {
            it = c.erase(it);
          } else {
            ++it;
          }
        }
      }
      return Labels(c.begin(), c.end());
    };
    d.common_labels = common(&Alert::labels);
    d.common_annotations = common(&Alert::annotations);
  }
  d.alerts = std::move(alerts);
  return d;
}

PreparedData::PreparedData(const Data& d) : value_(ToValue(d)) {}

void Template::AddSource(const std::string& top_name, const std::string& parse_name,
                         std::string text) {
  Merge(trees_, Parse(top_name, parse_name, std::move(text), HasFunction));
}

std::shared_ptr<const Template> Template::Defaults() {
  static const std::shared_ptr<const Template> kDefaults = [] {
    auto t = std::shared_ptr<Template>(new Template());
    t->AddSource("", "", std::string(kDefaultTmpl));
    t->AddSource("", "", std::string(kEmailTmpl));
    return t;
  }();
  return kDefaults;
}

std::shared_ptr<const Template> Template::FromSources(const std::vector<SourceFile>& sources,
                                                      bool with_defaults) {
  auto t = std::shared_ptr<Template>(new Template());
  if (with_defaults) t->trees_ = Defaults()->trees_;
  for (const auto& s : sources) t->AddSource(s.name, s.name, s.text);
  return t;
}

std::shared_ptr<const Template> Template::FromGlobs(const std::vector<std::string>& globs) {
  std::vector<SourceFile> sources;
  for (const auto& pattern : globs) {
    glob_t g{};
    int rc = ::glob(pattern.c_str(), GLOB_PERIOD, nullptr, &g);
    if (rc == GLOB_NOMATCH) {
      globfree(&g);
      continue;
    }
    if (rc != 0) {
      globfree(&g);
      throw TemplateError("syntax error in pattern");
    }
    std::vector<std::string> files(g.gl_pathv, g.gl_pathv + g.gl_pathc);
    globfree(&g);
    std::sort(files.begin(), files.end());
    for (const auto& f : files) sources.push_back({BaseName(f), ReadFile(f)});
  }
  return FromSources(sources, true);
}

std::vector<std::string> Template::Names() const {
  std::vector<std::string> out;
  for (const auto& [n, t] : trees_) out.push_back(n);
  return out;
}

std::string Template::ExecuteWith(std::string_view text, const Value& dot, bool html) const {
  if (text.empty()) return "";
  TreeMap overlay = Parse("", "", std::string(text), HasFunction);
  std::shared_ptr<const Tree> top = overlay[""];
  // Definitions made by the text shadow the set's for this call only.
  TreeMap local;
  for (auto& [name, tree] : overlay) {
    if (name.empty()) continue;
    auto it = trees_.find(name);
    if (it != trees_.end() && IsEmptyTree(tree->root.get())) continue;
    local[name] = tree;
  }
  TreeLookup lookup = [&](const std::string& name) -> const Tree* {
    if (name.empty()) return top.get();
    auto it = local.find(name);
    if (it != local.end()) return it->second.get();
    auto jt = trees_.find(name);
    return jt == trees_.end() ? nullptr : jt->second.get();
  };
  std::string out;
  Execute(*top, lookup, dot, html, &out);
  return out;
}

std::string Template::ExecuteText(std::string_view text, const Data& data) const {
  return ExecuteWith(text, ToValue(data), false);
}
std::string Template::ExecuteText(std::string_view text, const PreparedData& data) const {
  return ExecuteWith(text, data.value(), false);
}
std::string Template::ExecuteHtml(std::string_view text, const Data& data) const {
  return ExecuteWith(text, ToValue(data), true);
}
std::string Template::ExecuteHtml(std::string_view text, const PreparedData& data) const {
  return ExecuteWith(text, data.value(), true);
}

std::string Template::ExecuteTemplate(const std::string& name, const PreparedData& data,
                                      bool html) const {
  auto it = trees_.find(name);
  if (it == trees_.end())
    throw TemplateError("template: no template " + GoQuote(name) +
                        " associated with template \"\"");
  TreeLookup lookup = [&](const std::string& n) -> const Tree* {
    auto jt = trees_.find(n);
    return jt == trees_.end() ? nullptr : jt->second.get();
  };
  std::string out;
  Execute(*it->second, lookup, data.value(), html, &out);
  return out;
}

}  // namespace am::tmpl

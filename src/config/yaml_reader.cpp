#include "config/yaml_reader.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <regex>

#include "core/error.h"
#include "core/strings.h"

namespace am::config::detail {

namespace {

bool IsPlain(const YAML::Node& n) { return n.Tag() == "?" || n.Tag().empty(); }

bool IsNullScalarText(std::string_view s) {
  return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL";
}

// yaml.v2 resolve(): an int per strconv.ParseInt(s, 0, 64) after dropping underscores, or a
// uint64 per ParseUint.
std::optional<std::pair<bool, uint64_t>> ResolveInt(std::string_view text) {
  std::string s;
  for (char c : text) {
    if (c != '_') s.push_back(c);
  }
  if (s.empty()) return std::nullopt;
  bool neg = false;
  size_t i = 0;
  if (s[0] == '+' || s[0] == '-') {
    neg = s[0] == '-';
    i = 1;
  }
  std::string_view digits(s);
  digits.remove_prefix(i);
  if (digits.empty()) return std::nullopt;
  int base = 10;
  if (digits.size() > 1 && digits[0] == '0') {
    char p = digits[1];
    if (p == 'x' || p == 'X') {
      base = 16;
      digits.remove_prefix(2);
    } else if (p == 'b' || p == 'B') {
      base = 2;
      digits.remove_prefix(2);
    } else if (p == 'o' || p == 'O') {
      base = 8;
      digits.remove_prefix(2);
    } else {
      base = 8;
      digits.remove_prefix(1);
    }
    if (digits.empty()) return std::nullopt;
  }
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v, base);
  if (ec != std::errc() || ptr != digits.data() + digits.size()) return std::nullopt;
  if (neg && v > uint64_t{1} << 63) return std::nullopt;
  return std::make_pair(neg, v);
}

bool ResolveFloat(std::string_view s, double* out) {
  static const std::regex kFloat(R"(^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$)");
  std::string str(s);
  if (str == ".inf" || str == ".Inf" || str == ".INF" || str == "+.inf" || str == "+.Inf" ||
      str == "+.INF") {
    *out = INFINITY;
    return true;
  }
  if (str == "-.inf" || str == "-.Inf" || str == "-.INF") {
    *out = -INFINITY;
    return true;
  }
  if (str == ".nan" || str == ".NaN" || str == ".NAN") {
    *out = NAN;
    return true;
  }
  std::string plain;
  for (char c : str) {
    if (c != '_') plain.push_back(c);
  }
  if (!std::regex_match(plain, kFloat)) return false;
  *out = std::strtod(plain.c_str(), nullptr);
  return true;
}

std::string ValueForError(const YAML::Node& n) {
  if (!n.IsScalar()) return "";
  const std::string& v = n.Scalar();
  if (v.size() > 10) return " `" + v.substr(0, 7) + "...`";
  return " `" + v + "`";
}

void TypeProblem(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                 std::string_view into) {
  ctx.Add(line, path,
          "cannot unmarshal " + ShortTag(n) + ValueForError(n) + " into " + std::string(into));
}

}  // namespace

bool IsNullNode(const YAML::Node& n) {
  if (!n.IsDefined() || n.IsNull()) return true;
  return n.IsScalar() && IsPlain(n) && IsNullScalarText(n.Scalar());
}

void Context::Add(int line, std::string path, std::string message) {
  problems_.push_back(ConfigProblem{filename_, line, std::move(path), std::move(message)});
}

void Context::Fail(int line, std::string path, std::string message) const {
  std::vector<ConfigProblem> all = problems_;
  std::stable_sort(all.begin(), all.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  all.push_back(ConfigProblem{filename_, line, std::move(path), std::move(message)});
  throw ConfigError(std::move(all));
}

void Context::Enter(const YAML::Node& node, int line, const std::string& path) {
  for (const YAML::Node& open : open_) {
    if (open.is(node)) Fail(line, path, "anchor value contains itself");
  }
  if (open_.size() >= static_cast<size_t>(kMaxDepth)) Fail(line, path, "nested too deeply");
  open_.push_back(node);
}

void Context::ThrowIfErrors() const {
  if (problems_.empty()) return;
  std::vector<ConfigProblem> all = problems_;
  std::stable_sort(all.begin(), all.end(),
                   [](const ConfigProblem& a, const ConfigProblem& b) { return a.line < b.line; });
  throw ConfigError(std::move(all));
}

int LineOf(const YAML::Node& n) {
  if (!n.IsDefined()) return 0;
  YAML::Mark m = n.Mark();
  if (m.is_null()) return 0;
  return m.line + 1;
}

std::optional<bool> ResolveBool(const YAML::Node& n) {
  if (!n.IsScalar() || !IsPlain(n)) return std::nullopt;
  static const char* kTrue[] = {"y",    "Y",    "yes", "Yes", "YES", "true",
                                "True", "TRUE", "on",  "On",  "ON"};
  static const char* kFalse[] = {"n",     "N",     "no",  "No",  "NO", "false",
                                 "False", "FALSE", "off", "Off", "OFF"};
  const std::string& s = n.Scalar();
  for (const char* t : kTrue) {
    if (s == t) return true;
  }
  for (const char* f : kFalse) {
    if (s == f) return false;
  }
  return std::nullopt;
}

std::string ShortTag(const YAML::Node& n) {
  const std::string& tag = n.Tag();
  static const std::string kLong = "tag:yaml.org,2002:";
  if (tag.rfind(kLong, 0) == 0) return "!!" + tag.substr(kLong.size());
  if (!n.IsDefined() || n.IsNull()) return "!!null";
  if (n.IsSequence()) return "!!seq";
  if (n.IsMap()) return "!!map";
  if (!IsPlain(n)) return "!!str";
  const std::string& s = n.Scalar();
  if (IsNullScalarText(s)) return "!!null";
  if (ResolveBool(n)) return "!!bool";
  if (ResolveInt(s)) return "!!int";
  double d;
  if (ResolveFloat(s, &d)) return "!!float";
  return "!!str";
}

std::string JoinPath(const std::string& parent, std::string_view key) {
  if (parent.empty()) return std::string(key);
  return parent + "." + std::string(key);
}

std::string IndexPath(const std::string& parent, size_t i) {
  return parent + "[" + std::to_string(i) + "]";
}

bool ReadString(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                std::string* out) {
  if (IsNullNode(n)) {
    out->clear();
    return true;
  }
  if (!n.IsScalar()) {
    TypeProblem(ctx, n, line, path, "string");
    return false;
  }
  *out = n.Scalar();
  return true;
}

bool ReadBool(Context& ctx, const YAML::Node& n, int line, const std::string& path, bool* out) {
  if (IsNullNode(n)) {
    *out = false;
    return true;
  }
  if (auto b = ResolveBool(n)) {
    *out = *b;
    return true;
  }
  TypeProblem(ctx, n, line, path, "bool");
  return false;
}

bool ReadUint64(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                uint64_t* out) {
  if (IsNullNode(n)) {
    *out = 0;
    return true;
  }
  if (n.IsScalar() && IsPlain(n)) {
    if (auto v = ResolveInt(n.Scalar()); v && (!v->first || v->second == 0)) {
      *out = v->second;
      return true;
    }
  }
  TypeProblem(ctx, n, line, path, "uint64");
  return false;
}

bool ReadInt64(Context& ctx, const YAML::Node& n, int line, const std::string& path, int64_t* out) {
  if (IsNullNode(n)) {
    *out = 0;
    return true;
  }
  if (n.IsScalar() && IsPlain(n)) {
    if (auto v = ResolveInt(n.Scalar())) {
      if (v->first) {
        *out = static_cast<int64_t>(0 - v->second);
        return true;
      }
      if (v->second <= static_cast<uint64_t>(INT64_MAX)) {
        *out = static_cast<int64_t>(v->second);
        return true;
      }
    }
  }
  TypeProblem(ctx, n, line, path, "int");
  return false;
}

bool ReadFloat(Context& ctx, const YAML::Node& n, int line, const std::string& path, double* out) {
  if (IsNullNode(n)) {
    *out = 0;
    return true;
  }
  if (n.IsScalar() && IsPlain(n)) {
    if (auto v = ResolveInt(n.Scalar())) {
      *out = v->first ? -static_cast<double>(v->second) : static_cast<double>(v->second);
      return true;
    }
    if (ResolveFloat(n.Scalar(), out)) return true;
  }
  TypeProblem(ctx, n, line, path, "float64");
  return false;
}

bool ReadStringList(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                    std::vector<std::string>* out) {
  out->clear();
  if (IsNullNode(n)) return true;
  if (!n.IsSequence()) {
    TypeProblem(ctx, n, line, path, "[]string");
    return false;
  }
  bool ok = true;
  size_t i = 0;
  for (const auto& item : n) {
    std::string s;
    int item_line = LineOf(item) ? LineOf(item) : line;
    if (ReadString(ctx, item, item_line, IndexPath(path, i), &s)) {
      out->push_back(std::move(s));
    } else {
      ok = false;
    }
    ++i;
  }
  return ok;
}

bool ReadStringMap(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                   std::vector<std::pair<std::string, std::string>>* out) {
  out->clear();
  if (IsNullNode(n)) return true;
  if (!n.IsMap()) {
    TypeProblem(ctx, n, line, path, "map[string]string");
    return false;
  }
  bool ok = true;
  for (const auto& kv : n) {
    int key_line = LineOf(kv.first) ? LineOf(kv.first) : line;
    std::string key, value;
    if (!ReadString(ctx, kv.first, key_line, path, &key)) {
      ok = false;
      continue;
    }
    if (std::any_of(out->begin(), out->end(), [&](const auto& p) { return p.first == key; })) {
      ctx.Add(key_line, JoinPath(path, key), "key " + GoQuote(key) + " already set in map");
      ok = false;
      continue;
    }
    if (!ReadString(ctx, kv.second, key_line, JoinPath(path, key), &value)) {
      ok = false;
      continue;
    }
    out->emplace_back(std::move(key), std::move(value));
  }
  std::sort(out->begin(), out->end());
  return ok;
}

MapReader::MapReader(Context& ctx, const YAML::Node& node, std::string path, int line,
                     std::string what, const std::vector<std::string_view>& known)
    : ctx_(&ctx),
      start_errors_(ctx.error_count()),
      path_(std::move(path)),
      line_(line),
      what_(std::move(what)) {
  if (IsNullNode(node)) return;
  if (!node.IsMap()) {
    TypeProblem(ctx, node, line, path_, what_);
    valid_ = false;
    return;
  }
  std::vector<std::string> seen;
  Collect(node, 0, &seen);
  for (const Entry& e : entries_) {
    if (std::find(known.begin(), known.end(), e.key) == known.end()) {
      ctx.Add(e.line, JoinPath(path_, e.key), "field " + e.key + " not found in " + what_);
    }
  }
}

void MapReader::Collect(const YAML::Node& node, int depth, std::vector<std::string>* seen) {
  if (depth > Context::kMaxDepth) {
    ctx_->Fail(line_, path_,
               "map merge nested too deeply (does an alias refer to its own anchor?)");
  }
  bool from_merge = depth > 0;
  // Explicit keys win over merged ones, whatever their order in the mapping.
  std::vector<std::pair<YAML::Node, YAML::Node>> merges;
  for (const auto& kv : node) {
    int key_line = LineOf(kv.first) ? LineOf(kv.first) : line_;
    if (!kv.first.IsScalar()) {
      TypeProblem(*ctx_, kv.first, key_line, path_, "a field name");
      continue;
    }
    const std::string& key = kv.first.Scalar();
    if (key == "<<" && IsPlain(kv.first)) {
      merges.emplace_back(kv.first, kv.second);
      continue;
    }
    if (std::find(seen->begin(), seen->end(), key) != seen->end()) {
      if (!from_merge) {
        ctx_->Add(key_line, JoinPath(path_, key), "field " + key + " already set in " + what_);
      }
      continue;
    }
    seen->push_back(key);
    entries_.push_back(Entry{key, key_line, kv.second});
  }
  for (const auto& [k, v] : merges) {
    if (v.IsMap()) {
      Collect(v, depth + 1, seen);
    } else if (v.IsSequence()) {
      for (const auto& item : v) {
        if (item.IsMap()) {
          Collect(item, depth + 1, seen);
        } else {
          ctx_->Add(LineOf(k), path_, "map merge requires map or sequence of maps as the value");
        }
      }
    } else {
      ctx_->Add(LineOf(k), path_, "map merge requires map or sequence of maps as the value");
    }
  }
}

const MapReader::Entry* MapReader::Find(std::string_view key) const {
  for (const Entry& e : entries_) {
    if (e.key == key) return &e;
  }
  return nullptr;
}

bool MapReader::Has(std::string_view key) const {
  const Entry* e = Find(key);
  return e != nullptr && !IsNullNode(e->value);
}

const YAML::Node* MapReader::Value(std::string_view key) const {
  const Entry* e = Find(key);
  return e ? &e->value : nullptr;
}

int MapReader::Line(std::string_view key) const {
  const Entry* e = Find(key);
  return e ? e->line : line_;
}

SourceRef MapReader::Src() const {
  SourceRef s;
  s.line = line_;
  for (const Entry& e : entries_) s.key_lines.emplace_back(e.key, e.line);
  return s;
}

std::string MapReader::String(std::string_view key, std::string def) const {
  const Entry* e = Find(key);
  if (!e) return def;
  std::string out;
  if (!ReadString(*ctx_, e->value, e->line, Path(key), &out)) return def;
  return out;
}

bool MapReader::Bool(std::string_view key, bool def) const {
  const Entry* e = Find(key);
  if (!e) return def;
  bool out = def;
  if (!ReadBool(*ctx_, e->value, e->line, Path(key), &out)) return def;
  return out;
}

std::optional<bool> MapReader::OptBool(std::string_view key) const {
  const Entry* e = Find(key);
  if (!e || IsNullNode(e->value)) return std::nullopt;
  bool out = false;
  if (!ReadBool(*ctx_, e->value, e->line, Path(key), &out)) return std::nullopt;
  return out;
}

uint64_t MapReader::Uint64(std::string_view key, uint64_t def) const {
  const Entry* e = Find(key);
  if (!e) return def;
  uint64_t out = def;
  if (!ReadUint64(*ctx_, e->value, e->line, Path(key), &out)) return def;
  return out;
}

std::vector<std::string> MapReader::StringList(std::string_view key) const {
  const Entry* e = Find(key);
  std::vector<std::string> out;
  if (e) ReadStringList(*ctx_, e->value, e->line, Path(key), &out);
  return out;
}

std::optional<std::vector<std::string>> MapReader::OptStringList(std::string_view key) const {
  const Entry* e = Find(key);
  if (!e || IsNullNode(e->value)) return std::nullopt;
  std::vector<std::string> out;
  if (!ReadStringList(*ctx_, e->value, e->line, Path(key), &out)) return std::nullopt;
  return out;
}

std::vector<std::pair<std::string, std::string>> MapReader::StringMap(std::string_view key) const {
  const Entry* e = Find(key);
  std::vector<std::pair<std::string, std::string>> out;
  if (e) ReadStringMap(*ctx_, e->value, e->line, Path(key), &out);
  return out;
}

std::optional<Duration> MapReader::ModelDuration(std::string_view key) const {
  const Entry* e = Find(key);
  if (!e || IsNullNode(e->value)) return std::nullopt;
  std::string s;
  if (!ReadString(*ctx_, e->value, e->line, Path(key), &s)) return std::nullopt;
  try {
    return ParseModelDuration(s);
  } catch (const ParseError& err) {
    ctx_->Fail(e->line, Path(key), err.what());
  }
}

Duration MapReader::GoDuration(std::string_view key, Duration def) const {
  const Entry* e = Find(key);
  if (!e) return def;
  if (IsNullNode(e->value)) return Duration{0};
  if (e->value.IsScalar() && IsPlain(e->value)) {
    if (auto v = ResolveInt(e->value.Scalar())) {
      return Duration{v->first ? -static_cast<int64_t>(v->second)
                               : static_cast<int64_t>(v->second)};
    }
  }
  if (e->value.IsScalar()) {
    try {
      return ParseGoDuration(e->value.Scalar());
    } catch (const ParseError&) {
    }
  }
  TypeProblem(*ctx_, e->value, e->line, Path(key), "time.Duration");
  return def;
}

void MapReader::ForEach(
    std::string_view key,
    const std::function<void(const YAML::Node&, const std::string&, int)>& fn) const {
  const Entry* e = Find(key);
  if (!e || IsNullNode(e->value)) return;
  if (!e->value.IsSequence()) {
    TypeProblem(*ctx_, e->value, e->line, Path(key), "a list");
    return;
  }
  size_t i = 0;
  for (const auto& item : e->value) {
    int line = LineOf(item);
    if (line == 0 || IsNullNode(item)) line = line ? line : e->line;
    fn(item, IndexPath(Path(key), i), line);
    ++i;
  }
}

}  // namespace am::config::detail

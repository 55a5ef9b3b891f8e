// Internal to config/: strict reading of yaml-cpp nodes with yaml.v2's rules (the YAML library
// upstream uses): unknown and duplicate keys, type mismatches (YAML 1.1 scalar resolution), null
// = zero value, `<<` merge keys. Problems are collected in a Context with file, line and key
// path. Not thread-safe; one Context per load.
#pragma once

#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "config/error.h"
#include "config/secret.h"
#include "config/source_ref.h"
#include "core/duration.h"

namespace am::config::detail {

class Context {
 public:
  Context(std::string filename, std::string base_dir)
      : filename_(std::move(filename)), base_dir_(std::move(base_dir)) {}

  const std::string& filename() const { return filename_; }
  const std::string& base_dir() const { return base_dir_; }

  // A problem after which reading can go on (unknown key, type mismatch): collected.
  void Add(int line, std::string path, std::string message);
  // A problem that stops the load: throws ConfigError with everything collected so far, then it.
  [[noreturn]] void Fail(int line, std::string path, std::string message) const;
  // Throws when anything was collected.
  void ThrowIfErrors() const;
  size_t error_count() const { return problems_.size(); }

  std::vector<std::string>& warnings() { return warnings_; }

  // Cycle guard: aliases can make a YAML graph cyclic (`a: &x [*x]`), which yaml.v2 refuses
  // ("anchor 'x' value contains itself"). Enter() fails the load when `node` is one of the nodes
  // being read around it, or past kMaxDepth levels.
  static constexpr int kMaxDepth = 256;
  void Enter(const YAML::Node& node, int line, const std::string& path);
  void Leave() { open_.pop_back(); }

 private:
  std::string filename_;
  std::string base_dir_;
  std::vector<ConfigProblem> problems_;
  std::vector<std::string> warnings_;
  std::vector<YAML::Node> open_;
};

// Enter()/Leave() in a scope.
class DepthGuard {
 public:
  DepthGuard(Context& ctx, const YAML::Node& node, int line, const std::string& path) : ctx_(ctx) {
    ctx_.Enter(node, line, path);
  }
  ~DepthGuard() { ctx_.Leave(); }
  DepthGuard(const DepthGuard&) = delete;
  DepthGuard& operator=(const DepthGuard&) = delete;

 private:
  Context& ctx_;
};

// 1-based line of a node (0 when yaml-cpp has no mark for it).
int LineOf(const YAML::Node& n);
// yaml.v2's short tag for a node: !!null, !!bool, !!int, !!float, !!str, !!seq, !!map.
std::string ShortTag(const YAML::Node& n);
// Null node, or a plain ~ / null / empty scalar (yaml.v2's null).
bool IsNullNode(const YAML::Node& n);
// YAML 1.1 bool value of a plain scalar, if it is one.
std::optional<bool> ResolveBool(const YAML::Node& n);

std::string JoinPath(const std::string& parent, std::string_view key);
std::string IndexPath(const std::string& parent, size_t i);

// Conversions of one value node; on a mismatch they Add() a problem and return false.
// Null converts to the zero value (yaml.v2 semantics).
bool ReadString(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                std::string* out);
bool ReadBool(Context& ctx, const YAML::Node& n, int line, const std::string& path, bool* out);
bool ReadUint64(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                uint64_t* out);
bool ReadInt64(Context& ctx, const YAML::Node& n, int line, const std::string& path, int64_t* out);
bool ReadFloat(Context& ctx, const YAML::Node& n, int line, const std::string& path, double* out);
bool ReadStringList(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                    std::vector<std::string>* out);
// map[string]string, sorted by key as Go prints maps; duplicate keys are problems.
bool ReadStringMap(Context& ctx, const YAML::Node& n, int line, const std::string& path,
                   std::vector<std::pair<std::string, std::string>>* out);

// One mapping read strictly: unknown keys (not in `known`) and duplicate keys are reported when
// the reader is built, in document order.
class MapReader {
 public:
  struct Entry {
    std::string key;
    int line = 0;
    YAML::Node value;
  };

  // `what` names the block in unknown-key messages ("field x not found in <what>"). A null node
  // reads as an empty mapping; a non-mapping is a type problem (valid() false).
  MapReader(Context& ctx, const YAML::Node& node, std::string path, int line, std::string what,
            const std::vector<std::string_view>& known);

  Context& ctx() const { return *ctx_; }
  // Problems collected before this mapping was read: a block whose own reading added problems
  // skips its semantic checks, as upstream's UnmarshalYAML returns early on a type error.
  size_t start_errors() const { return start_errors_; }
  bool valid() const { return valid_; }
  const std::string& path() const { return path_; }
  int line() const { return line_; }
  const std::vector<Entry>& entries() const { return entries_; }

  // Key written (even with a null value).
  bool Present(std::string_view key) const { return Find(key) != nullptr; }
  // Key written with a non-null value.
  bool Has(std::string_view key) const;
  // The value node, or nullptr when the key is absent.
  const YAML::Node* Value(std::string_view key) const;
  int Line(std::string_view key) const;
  std::string Path(std::string_view key) const { return JoinPath(path_, key); }
  SourceRef Src() const;

  // Typed reads. Absent → `def`; null → zero value; mismatch → problem added, `def` returned.
  std::string String(std::string_view key, std::string def = "") const;
  Secret SecretValue(std::string_view key) const { return Secret{String(key)}; }
  bool Bool(std::string_view key, bool def) const;
  std::optional<bool> OptBool(std::string_view key) const;  // null → nullopt
  uint64_t Uint64(std::string_view key, uint64_t def = 0) const;
  std::vector<std::string> StringList(std::string_view key) const;
  std::optional<std::vector<std::string>> OptStringList(std::string_view key) const;
  std::vector<std::pair<std::string, std::string>> StringMap(std::string_view key) const;
  // model.Duration (30s, 5m, 1d); a malformed one stops the load. Absent or null → nullopt.
  std::optional<Duration> ModelDuration(std::string_view key) const;
  // time.Duration (Go syntax); ints are refused as yaml.v2 does. Absent or null → `def`.
  Duration GoDuration(std::string_view key, Duration def) const;

  // Calls fn(item, item_path, item_line) for each element of the sequence under `key`
  // (nothing when absent or null; a non-sequence is a type problem).
  void ForEach(std::string_view key,
               const std::function<void(const YAML::Node&, const std::string&, int)>& fn) const;

  [[noreturn]] void Fail(std::string_view key, std::string message) const {
    ctx_->Fail(Line(key), Path(key), std::move(message));
  }
  [[noreturn]] void FailBlock(std::string message) const {
    ctx_->Fail(line_, path_, std::move(message));
  }

 private:
  const Entry* Find(std::string_view key) const;
  void Collect(const YAML::Node& node, int depth, std::vector<std::string>* seen);

  Context* ctx_;
  size_t start_errors_;
  std::string path_;
  int line_;
  std::string what_;
  bool valid_ = true;
  std::vector<Entry> entries_;
};

}  // namespace am::config::detail

// Dynamic values seen by the template executor: Go's scalar kinds, strings, the Alertmanager
// data model (Data, Alert, KV, Pairs, Alerts, Strings), time.Time and time.Duration, plus the
// generic []interface{} and map[string]interface{} built by list/dict.
//
// Each Value carries its Go type (Type) because Go's template semantics depend on it: error
// messages name the type, eq compares by kind, functions accept only assignable types.
//
// Thread-safety: Values are immutable after construction; compound payloads are shared through
// shared_ptr<const ...>, so copies are cheap and a Value may be read from many threads at once.
#ifndef AM_TEMPLATE_VALUE_H_
#define AM_TEMPLATE_VALUE_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace am::tmpl {

// Go types the engine knows. The name (TypeName) is what Go prints in errors and for %T.
enum class Type : uint8_t {
  kInvalid,     // no value at all (missing key in interface map, untyped nil)
  kBool,        // bool
  kInt,         // int
  kInt64,       // int64
  kUint8,       // uint8 (indexing a string)
  kFloat64,     // float64
  kComplex128,  // complex128 (literal only)
  kString,      // string
  kHTML,        // template.HTML (safeHtml)
  kURL,         // template.URL (safeUrl)
  kStrings,     // []string (KV.Names/Values, stringSlice); has Join
  kAnySlice,    // []interface {} (list)
  kPairs,       // template.Pairs
  kAlerts,      // template.Alerts
  kAlertSlice,  // []template.Alert (Alerts.Firing/Resolved)
  kKV,          // template.KV
  kAnyMap,      // map[string]interface {} (dict)
  kPair,        // template.Pair
  kAlert,       // template.Alert
  kData,        // template.Data
  kTime,        // time.Time
  kDuration,    // time.Duration
  kMonth,       // time.Month
  kWeekday,     // time.Weekday
};

// Go's reflect.Kind buckets, as far as the executor needs them.
enum class Kind : uint8_t {
  kInvalid,
  kBool,
  kInt,
  kUint,
  kFloat,
  kComplex,
  kString,
  kSlice,
  kMap,
  kStruct
};

std::string_view TypeName(Type t);
Kind KindOf(Type t);

// A point in time the way Go's time.Time carries it: instant plus the zone it is shown in.
struct GoTime {
  int64_t sec = kZeroUnix;   // seconds since the Unix epoch
  int32_t nsec = 0;          // [0, 1e9)
  int32_t offset = 0;        // zone offset east of UTC, seconds
  std::string zone = "UTC";  // abbreviation; empty means "print the numeric offset"
  bool has_mono = false;     // prints " m=±s.nnnnnnnnn" like a time.Now() reading
  int64_t mono_ns = 0;

  // Unix seconds of Go's zero time, 0001-01-01 00:00:00 UTC.
  static constexpr int64_t kZeroUnix = -62135596800;
  bool IsZero() const { return sec == kZeroUnix && nsec == 0; }
};

class Value;
using ValueList = std::vector<Value>;
using StringPairs = std::vector<std::pair<std::string, std::string>>;

// KV payload: pairs sorted by key, keys unique.
struct KvObj {
  StringPairs items;
  const std::string* Find(std::string_view key) const;
};

struct AlertObj {
  std::string status;
  std::shared_ptr<const KvObj> labels;
  std::shared_ptr<const KvObj> annotations;
  GoTime starts_at;
  GoTime ends_at;
  std::string generator_url;
  std::string fingerprint;
};
using AlertList = std::vector<std::shared_ptr<const AlertObj>>;

struct DataObj {
  std::string receiver;
  std::string status;
  std::shared_ptr<const AlertList> alerts;
  std::shared_ptr<const KvObj> group_labels;
  std::shared_ptr<const KvObj> common_labels;
  std::shared_ptr<const KvObj> common_annotations;
  std::string external_url;
  std::string notification_reason;
};

// map[string]interface{}: sorted by key.
using AnyMap = std::vector<std::pair<std::string, Value>>;

class Value {
 public:
  Value() = default;  // invalid
  static Value Bool(bool b) { return Value(Type::kBool, b); }
  static Value Int(int64_t i, Type t = Type::kInt) { return Value(t, i); }
  static Value Float(double d) { return Value(Type::kFloat64, d); }
  static Value Complex(double re, double im);
  static Value String(std::string s, Type t = Type::kString) {
    return Value(t, std::make_shared<const std::string>(std::move(s)));
  }
  static Value Strings(std::vector<std::string> v);
  static Value AnySlice(ValueList v);
  static Value Pairs(StringPairs v);
  static Value Kv(std::shared_ptr<const KvObj> kv);
  static Value AnyMapValue(AnyMap m);
  static Value Pair(std::string name, std::string value);
  static Value Alert(std::shared_ptr<const AlertObj> a);
  static Value Alerts(std::shared_ptr<const AlertList> a, Type t = Type::kAlerts);
  static Value Data(std::shared_ptr<const DataObj> d);
  static Value Time(GoTime t);
  static Value Duration(int64_t ns) { return Value(Type::kDuration, ns); }
  static Value Month(int m) { return Value(Type::kMonth, int64_t{m}); }
  static Value Weekday(int d) { return Value(Type::kWeekday, int64_t{d}); }

  Type type() const { return type_; }
  Kind kind() const { return KindOf(type_); }
  bool valid() const { return type_ != Type::kInvalid; }

  bool AsBool() const { return std::get<bool>(v_); }
  int64_t AsInt() const { return std::get<int64_t>(v_); }
  double AsFloat() const { return std::get<double>(v_); }
  std::pair<double, double> AsComplex() const;
  const std::string& AsString() const { return *std::get<std::shared_ptr<const std::string>>(v_); }
  const std::vector<std::string>& AsStrings() const;
  const ValueList& AsAnySlice() const;
  const StringPairs& AsPairs() const;
  const KvObj& AsKv() const;
  const std::shared_ptr<const KvObj>& KvPtr() const;
  const AnyMap& AsAnyMap() const;
  const AlertObj& AsAlert() const;
  const std::shared_ptr<const AlertObj>& AlertPtr() const;
  const AlertList& AsAlerts() const;
  const std::shared_ptr<const AlertList>& AlertsPtr() const;
  const DataObj& AsData() const;
  const GoTime& AsTime() const;

  // Number of elements for slices, maps and strings (bytes). REQUIRES: such a kind.
  size_t Len() const;
  // Element i of a slice kind as a Value. REQUIRES: slice kind, i < Len().
  Value Index(size_t i) const;
  // Slice [i, j) of a slice kind or string. REQUIRES: 0 <= i <= j <= Len().
  Value Slice(size_t i, size_t j) const;

 private:
  struct PairObj {
    std::string name, value;
  };
  struct ComplexObj {
    double re, im;
  };
  using Payload =
      std::variant<std::monostate, bool, int64_t, double, std::shared_ptr<const std::string>,
                   std::shared_ptr<const std::vector<std::string>>,
                   std::shared_ptr<const ValueList>, std::shared_ptr<const StringPairs>,
                   std::shared_ptr<const KvObj>, std::shared_ptr<const AnyMap>,
                   std::shared_ptr<const PairObj>, std::shared_ptr<const AlertObj>,
                   std::shared_ptr<const AlertList>, std::shared_ptr<const DataObj>,
                   std::shared_ptr<const GoTime>, std::shared_ptr<const ComplexObj>>;
  template <typename T>
  Value(Type t, T v) : type_(t), v_(std::move(v)) {}
  friend const std::string& PairName(const Value& v);
  friend const std::string& PairValue(const Value& v);

  Type type_ = Type::kInvalid;
  Payload v_;
};

const std::string& PairName(const Value& v);
const std::string& PairValue(const Value& v);

// Go's truth: non-zero numbers, non-empty strings/slices/maps, true, all structs.
// Returns false in *ok for kinds Go refuses (none of ours today).
bool IsTrue(const Value& v);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_VALUE_H_

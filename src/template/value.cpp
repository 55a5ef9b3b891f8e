#include "template/value.h"

#include <algorithm>
#include <stdexcept>

namespace am::tmpl {

std::string_view TypeName(Type t) {
  switch (t) {
    case Type::kInvalid:
      return "<nil>";
    case Type::kBool:
      return "bool";
    case Type::kInt:
      return "int";
    case Type::kInt64:
      return "int64";
    case Type::kUint8:
      return "uint8";
    case Type::kFloat64:
      return "float64";
    case Type::kComplex128:
      return "complex128";
    case Type::kString:
      return "string";
    case Type::kHTML:
      return "template.HTML";
    case Type::kURL:
      return "template.URL";
    case Type::kStrings:
      return "[]string";
    case Type::kAnySlice:
      return "[]interface {}";
    case Type::kPairs:
      return "template.Pairs";
    case Type::kAlerts:
      return "template.Alerts";
    case Type::kAlertSlice:
      return "[]template.Alert";
    case Type::kKV:
      return "template.KV";
    case Type::kAnyMap:
      return "map[string]interface {}";
    case Type::kPair:
      return "template.Pair";
    case Type::kAlert:
      return "template.Alert";
    case Type::kData:
      return "template.Data";
    case Type::kTime:
      return "time.Time";
    case Type::kDuration:
      return "time.Duration";
    case Type::kMonth:
      return "time.Month";
    case Type::kWeekday:
      return "time.Weekday";
  }
  return "?";
}

Kind KindOf(Type t) {
  switch (t) {
    case Type::kInvalid:
      return Kind::kInvalid;
    case Type::kBool:
      return Kind::kBool;
    case Type::kInt:
    case Type::kInt64:
    case Type::kDuration:
    case Type::kMonth:
    case Type::kWeekday:
      return Kind::kInt;
    case Type::kUint8:
      return Kind::kUint;
    case Type::kFloat64:
      return Kind::kFloat;
    case Type::kComplex128:
      return Kind::kComplex;
    case Type::kString:
    case Type::kHTML:
    case Type::kURL:
      return Kind::kString;
    case Type::kStrings:
    case Type::kAnySlice:
    case Type::kPairs:
    case Type::kAlerts:
    case Type::kAlertSlice:
      return Kind::kSlice;
    case Type::kKV:
    case Type::kAnyMap:
      return Kind::kMap;
    case Type::kPair:
    case Type::kAlert:
    case Type::kData:
    case Type::kTime:
      return Kind::kStruct;
  }
  return Kind::kInvalid;
}

const std::string* KvObj::Find(std::string_view key) const {
  auto it = std::lower_bound(items.begin(), items.end(), key,
                             [](const auto& p, std::string_view k) { return p.first < k; });
  if (it == items.end() || it->first != key) return nullptr;
  return &it->second;
}

Value Value::Complex(double re, double im) {
  return Value(Type::kComplex128, std::make_shared<const ComplexObj>(ComplexObj{re, im}));
}
Value Value::Strings(std::vector<std::string> v) {
  return Value(Type::kStrings, std::make_shared<const std::vector<std::string>>(std::move(v)));
}
Value Value::AnySlice(ValueList v) {
  return Value(Type::kAnySlice, std::make_shared<const ValueList>(std::move(v)));
}
Value Value::Pairs(StringPairs v) {
  return Value(Type::kPairs, std::make_shared<const StringPairs>(std::move(v)));
}
Value Value::Kv(std::shared_ptr<const KvObj> kv) {
  if (!kv) kv = std::make_shared<const KvObj>();
  return Value(Type::kKV, std::move(kv));
}
Value Value::AnyMapValue(AnyMap m) {
  return Value(Type::kAnyMap, std::make_shared<const AnyMap>(std::move(m)));
}
Value Value::Pair(std::string name, std::string value) {
  return Value(Type::kPair,
               std::make_shared<const PairObj>(PairObj{std::move(name), std::move(value)}));
}
Value Value::Alert(std::shared_ptr<const AlertObj> a) { return Value(Type::kAlert, std::move(a)); }
Value Value::Alerts(std::shared_ptr<const AlertList> a, Type t) {
  if (!a) a = std::make_shared<const AlertList>();
  return Value(t, std::move(a));
}
Value Value::Data(std::shared_ptr<const DataObj> d) { return Value(Type::kData, std::move(d)); }
Value Value::Time(GoTime t) {
  return Value(Type::kTime, std::make_shared<const GoTime>(std::move(t)));
}

std::pair<double, double> Value::AsComplex() const {
  const auto& c = *std::get<std::shared_ptr<const ComplexObj>>(v_);
  return {c.re, c.im};
}
const std::vector<std::string>& Value::AsStrings() const {
  return *std::get<std::shared_ptr<const std::vector<std::string>>>(v_);
}
const ValueList& Value::AsAnySlice() const {
  return *std::get<std::shared_ptr<const ValueList>>(v_);
}
const StringPairs& Value::AsPairs() const {
  return *std::get<std::shared_ptr<const StringPairs>>(v_);
}
const KvObj& Value::AsKv() const { return *std::get<std::shared_ptr<const KvObj>>(v_); }
const std::shared_ptr<const KvObj>& Value::KvPtr() const {
  return std::get<std::shared_ptr<const KvObj>>(v_);
}
const AnyMap& Value::AsAnyMap() const { return *std::get<std::shared_ptr<const AnyMap>>(v_); }
const AlertObj& Value::AsAlert() const { return *std::get<std::shared_ptr<const AlertObj>>(v_); }
const std::shared_ptr<const AlertObj>& Value::AlertPtr() const {
  return std::get<std::shared_ptr<const AlertObj>>(v_);
}
const AlertList& Value::AsAlerts() const { return *std::get<std::shared_ptr<const AlertList>>(v_); }
const std::shared_ptr<const AlertList>& Value::AlertsPtr() const {
  return std::get<std::shared_ptr<const AlertList>>(v_);
}
const DataObj& Value::AsData() const { return *std::get<std::shared_ptr<const DataObj>>(v_); }
const GoTime& Value::AsTime() const { return *std::get<std::shared_ptr<const GoTime>>(v_); }

const std::string& PairName(const Value& v) {
  return std::get<std::shared_ptr<const Value::PairObj>>(v.v_)->name;
}
const std::string& PairValue(const Value& v) {
  return std::get<std::shared_ptr<const Value::PairObj>>(v.v_)->value;
}

size_t Value::Len() const {
  switch (type_) {
    case Type::kString:
    case Type::kHTML:
    case Type::kURL:
      return AsString().size();
    case Type::kStrings:
      return AsStrings().size();
    case Type::kAnySlice:
      return AsAnySlice().size();
    case Type::kPairs:
      return AsPairs().size();
    case Type::kAlerts:
    case Type::kAlertSlice:
      return AsAlerts().size();
    case Type::kKV:
      return AsKv().items.size();
    case Type::kAnyMap:
      return AsAnyMap().size();
    default:
      return 0;
  }
}

Value Value::Index(size_t i) const {
  switch (type_) {
    case Type::kString:
    case Type::kHTML:
    case Type::kURL:
      return Int(static_cast<unsigned char>(AsString()[i]), Type::kUint8);
    case Type::kStrings:
      return String(AsStrings()[i]);
    case Type::kAnySlice:
      return AsAnySlice()[i];
    case Type::kPairs:
      return Pair(AsPairs()[i].first, AsPairs()[i].second);
    case Type::kAlerts:
    case Type::kAlertSlice:
      return Alert(AsAlerts()[i]);
    default:
      return {};
  }
}

Value Value::Slice(size_t i, size_t j) const {
  switch (type_) {
    case Type::kString:
    case Type::kHTML:
    case Type::kURL:
      return String(AsString().substr(i, j - i), type_);
    case Type::kStrings: {
      const auto& s = AsStrings();
      return Strings(std::vector<std::string>(s.begin() + i, s.begin() + j));
    }
    case Type::kAnySlice: {
      const auto& s = AsAnySlice();
      return AnySlice(ValueList(s.begin() + i, s.begin() + j));
    }
    case Type::kPairs: {
      const auto& s = AsPairs();
      return Pairs(StringPairs(s.begin() + i, s.begin() + j));
    }
    case Type::kAlerts:
    case Type::kAlertSlice: {
      const auto& s = AsAlerts();
      return Alerts(std::make_shared<const AlertList>(s.begin() + i, s.begin() + j), type_);
    }
    default:
      return {};
  }
}

bool IsTrue(const Value& v) {
  switch (v.kind()) {
    case Kind::kInvalid:
      return false;
    case Kind::kBool:
      return v.AsBool();
    case Kind::kInt:
    case Kind::kUint:
      return v.AsInt() != 0;
    case Kind::kFloat:
      return v.AsFloat() != 0;
    case Kind::kComplex: {
      auto [re, im] = v.AsComplex();
      return re != 0 || im != 0;
    }
    case Kind::kString:
    case Kind::kSlice:
    case Kind::kMap:
      return v.Len() > 0;
    case Kind::kStruct:
      return true;
  }
  return false;
}

}  // namespace am::tmpl

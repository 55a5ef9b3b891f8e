#include "template/exec.h"

#include <algorithm>
#include <cmath>
#include <span>

#include "template/gofmt.h"
#include "template/html_writer.h"
#include "template/text_util.h"

namespace am::tmpl {

std::string UrlQueryEscape(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  out.reserve(s.size());
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    if (std::isalnum(c) && c < 0x80) {
      out += ch;
    } else if (c == '-' || c == '_' || c == '.' || c == '~') {
      out += ch;
    } else if (c == ' ') {
      out += '+';
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

std::string HtmlEscapeString(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string JsEscapeString(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '\\':
          out += "\\\\";
          break;
        case '\'':
          out += "\\'";
          break;
        case '"':
          out += "\\\"";
          break;
        case '<':
          out += "\\u003C";
          break;
        case '>':
          out += "\\u003E";
          break;
        case '&':
          out += "\\u0026";
          break;
        case '=':
          out += "\\u003D";
          break;
        default:
          if (c < ' ') {
            out += "\\u00";
            out += kHex[c >> 4];
            out += kHex[c & 15];
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    int w;
    char32_t r = DecodeRune(s, i, &w);
    if (IsPrintRune(r)) {
      out.append(s.substr(i, w));
    } else {
      char buf[16];
      std::snprintf(buf, sizeof buf, "\\u%04X", static_cast<unsigned>(r));
      out += buf;
    }
    i += w;
  }
  return out;
}

namespace {

std::string_view ParamTypeName(ParamType t) {
  switch (t) {
    case ParamType::kAny:
      return "interface {}";
    case ParamType::kString:
      return "string";
    case ParamType::kInt:
      return "int";
    case ParamType::kBool:
      return "bool";
    case ParamType::kFloat:
      return "float64";
    case ParamType::kStrings:
      return "[]string";
    case ParamType::kAnySlice:
      return "[]interface {}";
    case ParamType::kTime:
      return "time.Time";
    case ParamType::kDuration:
      return "time.Duration";
  }
  return "?";
}

// Go's "%v" of a value, used inside error messages.
std::string V(const Value& v) {
  std::string s;
  AppendValue(s, v);
  return s;
}

// Methods of the data model and of time values, looked up by receiver type and name.
struct MethodDef {
  std::vector<ParamType> params;
  bool variadic = false;
  Value (*fn)(const Value& recv, std::vector<Value>& args);
};

// KV.SortedPairs: the KV is sorted by key already; only "alertname" moves to the front.
StringPairs SortedPairsOf(const KvObj& kv) {
  StringPairs pairs;
  pairs.reserve(kv.items.size());
  if (const std::string* an = kv.Find("alertname")) pairs.emplace_back("alertname", *an);
  for (const auto& p : kv.items)
    if (p.first != "alertname") pairs.push_back(p);
  return pairs;
}

std::string PairsString(const StringPairs& ps) {
  std::string out;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (i > 0) out += ", ";
    out += ps[i].first;
    out += '=';
    out += ps[i].second;
  }
  return out;
}

Value Names(const StringPairs& ps) {
  std::vector<std::string> v;
  v.reserve(ps.size());
  for (const auto& p : ps) v.push_back(p.first);
  return Value::Strings(std::move(v));
}

Value Values(const StringPairs& ps) {
  std::vector<std::string> v;
  v.reserve(ps.size());
  for (const auto& p : ps) v.push_back(p.second);
  return Value::Strings(std::move(v));
}

Value FilterAlerts(const Value& recv, const char* status) {
  auto out = std::make_shared<AlertList>();
  for (const auto& a : recv.AsAlerts())
    if (a->status == status) out->push_back(a);
  return Value::Alerts(std::move(out), Type::kAlertSlice);
}

Value TimeVal(GoTime t) { return Value::Time(std::move(t)); }

int64_t TimeCmp(const GoTime& a, const GoTime& b) {
  if (a.sec != b.sec) return a.sec < b.sec ? -1 : 1;
  if (a.nsec != b.nsec) return a.nsec < b.nsec ? -1 : 1;
  return 0;
}

int64_t TimeSubNs(const GoTime& a, const GoTime& b) {
  // Saturates like Go's Time.Sub.
  long double d = (static_cast<long double>(a.sec) - b.sec) * 1e9L + (a.nsec - b.nsec);
  if (d > 9223372036854775807.0L) return INT64_MAX;
  if (d < -9223372036854775808.0L) return INT64_MIN;
  return static_cast<int64_t>(d);
}

GoTime TimeAddNs(const GoTime& t, int64_t ns) {
  GoTime o = t;
  int64_t sec = ns / 1000000000;
  int64_t nsec = ns % 1000000000;
  o.sec += sec;
  int64_t n = o.nsec + nsec;
  if (n >= 1000000000) {
    o.sec++;
    n -= 1000000000;
  } else if (n < 0) {
    o.sec--;
    n += 1000000000;
  }
  o.nsec = static_cast<int32_t>(n);
  return o;
}

const MethodDef* FindMethod(Type t, const std::string& name) {
  using P = ParamType;
  static const std::unordered_map<std::string, MethodDef> kAlerts = {
      {"Firing",
       {{}, false, [](const Value& r, std::vector<Value>&) { return FilterAlerts(r, "firing"); }}},
      {"Resolved",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return FilterAlerts(r, "resolved"); }}},
  };
  static const std::unordered_map<std::string, MethodDef> kKv = {
      {"SortedPairs",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Pairs(SortedPairsOf(r.AsKv())); }}},
      {"Names",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Names(SortedPairsOf(r.AsKv())); }}},
      {"Values",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Values(SortedPairsOf(r.AsKv())); }}},
      {"String",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::String(PairsString(SortedPairsOf(r.AsKv())));
        }}},
      {"Remove",
       {{P::kStrings},
        false,
        [](const Value& r, std::vector<Value>& a) {
          const auto& drop = a[0].AsStrings();
          auto kv = std::make_shared<KvObj>();
          for (const auto& p : r.AsKv().items)
            if (std::find(drop.begin(), drop.end(), p.first) == drop.end()) kv->items.push_back(p);
          return Value::Kv(std::move(kv));
        }}},
  };
  static const std::unordered_map<std::string, MethodDef> kPairs = {
      {"Names",
       {{}, false, [](const Value& r, std::vector<Value>&) { return Names(r.AsPairs()); }}},
      {"Values",
       {{}, false, [](const Value& r, std::vector<Value>&) { return Values(r.AsPairs()); }}},
      {"String",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::String(PairsString(r.AsPairs()));
        }}},
  };
  static const std::unordered_map<std::string, MethodDef> kStrings = {
      {"Join",
       {{P::kString},
        false,
        [](const Value& r, std::vector<Value>& a) {
          std::string out;
          const auto& v = r.AsStrings();
          for (size_t i = 0; i < v.size(); ++i) {
            if (i > 0) out += a[0].AsString();
            out += v[i];
          }
          return Value::String(std::move(out));
        }}},
  };
  static const std::unordered_map<std::string, MethodDef> kTime = {
      {"String",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::String(TimeString(r.AsTime())); }}},
      {"Format",
       {{P::kString},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return Value::String(TimeFormat(r.AsTime(), a[0].AsString()));
        }}},
      {"Unix",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsTime().sec, Type::kInt64);
        }}},
      {"UnixMilli",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsTime().sec * 1000 + r.AsTime().nsec / 1000000, Type::kInt64);
        }}},
      {"UnixMicro",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsTime().sec * 1000000 + r.AsTime().nsec / 1000, Type::kInt64);
        }}},
      {"UnixNano",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsTime().sec * 1000000000 + r.AsTime().nsec, Type::kInt64);
        }}},
      {"UTC",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          GoTime t = r.AsTime();
          t.offset = 0;
          t.zone = "UTC";
          return TimeVal(t);
        }}},
      {"Local",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          GoTime t = r.AsTime();
          t.offset = 0;
          t.zone = "UTC";
          return TimeVal(t);
        }}},
      {"IsZero",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Bool(r.AsTime().IsZero()); }}},
      {"Year",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(ToCivil(r.AsTime()).year); }}},
      {"Month",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Month(ToCivil(r.AsTime()).month);
        }}},
      {"Day",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(ToCivil(r.AsTime()).day); }}},
      {"Hour",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(ToCivil(r.AsTime()).hour); }}},
      {"Minute",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(ToCivil(r.AsTime()).minute);
        }}},
      {"Second",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(ToCivil(r.AsTime()).second);
        }}},
      {"Nanosecond",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(r.AsTime().nsec); }}},
      {"YearDay",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(ToCivil(r.AsTime()).yday); }}},
      {"Weekday",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Weekday(ToCivil(r.AsTime()).weekday);
        }}},
      {"Sub",
       {{P::kTime},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return Value::Duration(TimeSubNs(r.AsTime(), a[0].AsTime()));
        }}},
      {"Add",
       {{P::kDuration},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return TimeVal(TimeAddNs(r.AsTime(), a[0].AsInt()));
        }}},
      {"Before",
       {{P::kTime},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return Value::Bool(TimeCmp(r.AsTime(), a[0].AsTime()) < 0);
        }}},
      {"After",
       {{P::kTime},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return Value::Bool(TimeCmp(r.AsTime(), a[0].AsTime()) > 0);
        }}},
      {"Equal",
       {{P::kTime},
        false,
        [](const Value& r, std::vector<Value>& a) {
          return Value::Bool(TimeCmp(r.AsTime(), a[0].AsTime()) == 0);
        }}},
  };
  static const std::unordered_map<std::string, MethodDef> kDuration = {
      {"String",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::String(DurationString(r.AsInt()));
        }}},
      {"Nanoseconds",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) { return Value::Int(r.AsInt(), Type::kInt64); }}},
      {"Microseconds",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsInt() / 1000, Type::kInt64);
        }}},
      {"Milliseconds",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          return Value::Int(r.AsInt() / 1000000, Type::kInt64);
        }}},
      {"Seconds",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          int64_t d = r.AsInt();
          return Value::Float(static_cast<double>(d / 1000000000) +
                              static_cast<double>(d % 1000000000) / 1e9);
        }}},
      {"Minutes",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          int64_t d = r.AsInt();
          return Value::Float(static_cast<double>(d / 60000000000LL) +
                              static_cast<double>(d % 60000000000LL) / 6e10);
        }}},
      {"Hours",
       {{},
        false,
        [](const Value& r, std::vector<Value>&) {
          int64_t d = r.AsInt();
          return Value::Float(static_cast<double>(d / 3600000000000LL) +
                              static_cast<double>(d % 3600000000000LL) / 3.6e12);
        }}},
  };
  static const std::unordered_map<std::string, MethodDef> kStringer = {
      {"String",
       {{}, false, [](const Value& r, std::vector<Value>&) { return Value::String(V(r)); }}},
  };
  const std::unordered_map<std::string, MethodDef>* table = nullptr;
  switch (t) {
    case Type::kAlerts:
      table = &kAlerts;
      break;
    case Type::kKV:
      table = &kKv;
      break;
    case Type::kPairs:
      table = &kPairs;
      break;
    case Type::kStrings:
      table = &kStrings;
      break;
    case Type::kTime:
      table = &kTime;
      break;
    case Type::kDuration:
      table = &kDuration;
      break;
    case Type::kMonth:
    case Type::kWeekday:
      table = &kStringer;
      break;
    default:
      return nullptr;
  }
  auto it = table->find(name);
  return it == table->end() ? nullptr : &it->second;
}

// Struct field access for the data model. Returns false if the type has no such field.
bool GetField(const Value& recv, const std::string& name, Value* out) {
  switch (recv.type()) {
    case Type::kData: {
      const DataObj& d = recv.AsData();
      if (name == "Receiver")
        *out = Value::String(d.receiver);
      else if (name == "Status")
        *out = Value::String(d.status);
      else if (name == "Alerts")
        *out = Value::Alerts(d.alerts);
      else if (name == "GroupLabels")
        *out = Value::Kv(d.group_labels);
      else if (name == "CommonLabels")
        *out = Value::Kv(d.common_labels);
      else if (name == "CommonAnnotations")
        *out = Value::Kv(d.common_annotations);
      else if (name == "ExternalURL")
        *out = Value::String(d.external_url);
      else if (name == "NotificationReason")
        *out = Value::String(d.notification_reason);
      else
        return false;
      return true;
    }
    case Type::kAlert: {
      const AlertObj& a = recv.AsAlert();
      if (name == "Status")
        *out = Value::String(a.status);
      else if (name == "Labels")
        *out = Value::Kv(a.labels);
      else if (name == "Annotations")
        *out = Value::Kv(a.annotations);
      else if (name == "StartsAt")
        *out = Value::Time(a.starts_at);
      else if (name == "EndsAt")
        *out = Value::Time(a.ends_at);
      else if (name == "GeneratorURL")
        *out = Value::String(a.generator_url);
      else if (name == "Fingerprint")
        *out = Value::String(a.fingerprint);
      else
        return false;
      return true;
    }
    case Type::kPair:
      if (name == "Name")
        *out = Value::String(PairName(recv));
      else if (name == "Value")
        *out = Value::String(PairValue(recv));
      else
        return false;
      return true;
    default:
      return false;
  }
}

enum class Flow { kNormal, kBreak, kContinue };

constexpr int kMaxExecDepth = 100000;
// Real recursion is bounded lower than Go's limit to protect the C++ stack; see Errorf use.
constexpr int kMaxNativeDepth = 2000;

using ArgNodes = std::span<const std::unique_ptr<Node>>;

class State {
 public:
  State(const TreeLookup& lookup, const FuncMap& funcs, OutputWriter& w)
      : lookup_(lookup), funcs_(funcs), w_(w) {}

  void Run(const Tree& t, const Value& dot) {
    tmpl_ = &t;
    vars_.clear();
    vars_.emplace_back("$", dot);
    if (!t.root) Errorf(GoQuote(t.name) + " is an incomplete or empty template");
    Walk(dot, t.root.get());
  }

 private:
  [[noreturn]] void Errorf(const std::string& msg) {
    std::string name = tmpl_ ? tmpl_->name : "";
    if (!node_) throw TemplateError("template: " + name + ": " + msg);
    const Source* src = node_->src;
    size_t pos = std::min<size_t>(node_->pos, src->text.size());
    std::string_view before(src->text.data(), pos);
    size_t nl = before.rfind('\n');
    size_t col = nl == std::string_view::npos ? pos : pos - (nl + 1);
    size_t line = 1 + std::count(before.begin(), before.end(), '\n');
    throw TemplateError("template: " + src->parse_name + ":" + std::to_string(line) + ":" +
                        std::to_string(col) + ": executing " + GoQuote(name) + " at <" +
                        node_->String() + ">: " + msg);
  }

  void At(const Node* n) { node_ = n; }

  size_t Mark() const { return vars_.size(); }
  void Pop(size_t m) { vars_.resize(m); }

  const Value& VarValue(const std::string& name) {
    for (size_t i = vars_.size(); i-- > 0;)
      if (vars_[i].first == name) return vars_[i].second;
    Errorf("undefined variable: " + name);
  }
  void SetVar(const std::string& name, Value v) {
    for (size_t i = vars_.size(); i-- > 0;) {
      if (vars_[i].first == name) {
        vars_[i].second = std::move(v);
        return;
      }
    }
    Errorf("undefined variable: " + name);
  }

  Flow Walk(const Value& dot, const Node* node) {
    At(node);
    switch (node->type) {
      case NodeType::kAction: {
        Value val = EvalPipeline(dot, node->pipe.get());
        if (node->pipe->decl.empty()) {
          At(node);
          if (!val.valid()) {
            w_.Print(Value::String("<no value>"));
          } else {
            auto pre = OutputWriter::Predefined::kNone;
            const Node* last = node->pipe->nodes.back().get();
            if (last->nodes[0]->type == NodeType::kIdentifier) {
              if (last->nodes[0]->text == "html") pre = OutputWriter::Predefined::kHtml;
              if (last->nodes[0]->text == "urlquery") pre = OutputWriter::Predefined::kUrlQuery;
            }
            w_.Print(val, pre);
          }
        }
        return Flow::kNormal;
      }
      case NodeType::kBreak:
        return Flow::kBreak;
      case NodeType::kContinue:
        return Flow::kContinue;
      case NodeType::kComment:
        return Flow::kNormal;
      case NodeType::kIf:
      case NodeType::kWith: {
        size_t m = Mark();
        Value val = EvalPipeline(dot, node->pipe.get());
        Flow f = Flow::kNormal;
        if (IsTrue(val)) {
          f = WalkList(node->type == NodeType::kWith ? val : dot, node->list.get());
        } else if (node->else_list) {
          f = WalkList(dot, node->else_list.get());
        }
        Pop(m);
        return f;
      }
      case NodeType::kList:
        return WalkList(dot, node);
      case NodeType::kRange:
        return WalkRange(dot, node);
      case NodeType::kTemplate:
        WalkTemplate(dot, node);
        return Flow::kNormal;
      case NodeType::kText:
        w_.Text(node->text);
        return Flow::kNormal;
      default:
        Errorf("unknown node: " + node->String());
    }
  }

  Flow WalkList(const Value& dot, const Node* list) {
    for (const auto& n : list->nodes) {
      Flow f = Walk(dot, n.get());
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  Flow WalkRange(const Value& dot, const Node* r) {
    At(r);
    size_t outer = Mark();
    Value val = EvalPipeline(dot, r->pipe.get());
    size_t mark = Mark();
    size_t ndecl = r->pipe->decl.size();
    bool any = false;
    auto one = [&](const Value& index, const Value& elem) {
      any = true;
      if (ndecl > 0) vars_[vars_.size() - 1].second = elem;
      if (ndecl > 1) vars_[vars_.size() - 2].second = index;
      Flow f = WalkList(elem, r->list.get());
      Pop(mark);
      return f;
    };
    switch (val.kind()) {
      case Kind::kSlice: {
        size_t n = val.Len();
        for (size_t i = 0; i < n; ++i)
          if (one(Value::Int(static_cast<int64_t>(i)), val.Index(i)) == Flow::kBreak) break;
        break;
      }
      case Kind::kMap:
        if (val.type() == Type::kKV) {
          for (const auto& [k, v] : val.AsKv().items)
            if (one(Value::String(k), Value::String(v)) == Flow::kBreak) break;
        } else {
          for (const auto& [k, v] : val.AsAnyMap())
            if (one(Value::String(k), v) == Flow::kBreak) break;
        }
        break;
      case Kind::kInvalid:
        break;
      default:
        Errorf("range can't iterate over " + V(val));
    }
    if (!any && r->else_list) {
      Flow f = WalkList(dot, r->else_list.get());
      Pop(outer);
      return f;
    }
    Pop(outer);
    return Flow::kNormal;
  }

  void WalkTemplate(const Value& dot, const Node* t) {
    At(t);
    const Tree* tmpl = lookup_(t->text);
    if (!tmpl) Errorf("template " + GoQuote(t->text) + " not defined");
    if (depth_ >= kMaxNativeDepth)
      Errorf("exceeded maximum template depth (" + std::to_string(kMaxExecDepth) + ")");
    Value newdot = t->pipe ? EvalPipeline(dot, t->pipe.get()) : Value();
    // Called templates see only "$" (no dynamic scoping).
    std::vector<std::pair<std::string, Value>> saved;
    saved.swap(vars_);
    vars_.emplace_back("$", newdot);
    const Tree* saved_tmpl = tmpl_;
    tmpl_ = tmpl;
    ++depth_;
    if (!tmpl->root) Errorf(GoQuote(tmpl->name) + " is an incomplete or empty template");
    Walk(newdot, tmpl->root.get());
    --depth_;
    tmpl_ = saved_tmpl;
    vars_.swap(saved);
  }

  Value EvalPipeline(const Value& dot, const Node* pipe) {
    if (!pipe) return Value();
    At(pipe);
    Value value;
    bool have = false;
    for (const auto& cmd : pipe->nodes) {
      value = EvalCommand(dot, cmd.get(), have ? &value : nullptr);
      have = true;
    }
    for (const auto& var : pipe->decl) {
      if (pipe->is_assign) {
        SetVar(var->ident[0], value);
      } else {
        vars_.emplace_back(var->ident[0], value);
      }
    }
    return value;
  }

  void NotAFunction(ArgNodes args, const Value* final) {
    if (args.size() > 1 || final)
      Errorf("can't give argument to non-function " + args[0]->String());
  }

  Value EvalCommand(const Value& dot, const Node* cmd, const Value* final) {
    const Node* first = cmd->nodes[0].get();
    ArgNodes args(cmd->nodes);
    switch (first->type) {
      case NodeType::kField:
        return EvalFieldNode(dot, first, args, final);
      case NodeType::kChain:
        return EvalChainNode(dot, first, args, final);
      case NodeType::kIdentifier:
        return EvalFunction(dot, first, cmd, args, final);
      case NodeType::kPipe:
        NotAFunction(args, final);
        return EvalPipeline(dot, first);
      case NodeType::kVariable:
        return EvalVariableNode(dot, first, args, final);
      default:
        break;
    }
    At(first);
    NotAFunction(args, final);
    switch (first->type) {
      case NodeType::kBool:
        return Value::Bool(first->bool_val);
      case NodeType::kDot:
        return dot;
      case NodeType::kNil:
        Errorf("nil is not a command");
      case NodeType::kNumber:
        return IdealConstant(first);
      case NodeType::kString:
        return Value::String(first->ident[0]);
      default:
        break;
    }
    Errorf("can't evaluate command " + GoQuote(first->String()));
  }

  Value IdealConstant(const Node* n) {
    At(n);
    const std::string& text = n->text;
    bool hex_int = text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X') &&
                   text.find_first_of("pP") == std::string::npos;
    bool rune = !text.empty() && text[0] == '\'';
    if (n->is_complex) return Value::Complex(n->float_val, n->imag_val);
    if (n->is_float && !hex_int && !rune && text.find_first_of(".eEpP") != std::string::npos)
      return Value::Float(n->float_val);
    if (n->is_int) return Value::Int(n->int_val);
    if (n->is_uint) Errorf(text + " overflows int");
    return Value();
  }

  Value EvalFieldNode(const Value& dot, const Node* field, ArgNodes args, const Value* final) {
    At(field);
    return EvalFieldChain(dot, dot, field, field->ident, args, final);
  }

  Value EvalChainNode(const Value& dot, const Node* chain, ArgNodes args, const Value* final) {
    At(chain);
    if (chain->pipe->type == NodeType::kNil)
      Errorf("indirection through explicit nil in " + chain->String());
    Value pipe = EvalArg(dot, ParamType::kAny, chain->pipe.get());
    return EvalFieldChain(dot, pipe, chain, chain->ident, args, final);
  }

  Value EvalVariableNode(const Value& dot, const Node* var, ArgNodes args, const Value* final) {
    At(var);
    Value value = VarValue(var->ident[0]);
    if (var->ident.size() == 1) {
      NotAFunction(args, final);
      return value;
    }
    std::vector<std::string> rest(var->ident.begin() + 1, var->ident.end());
    return EvalFieldChain(dot, value, var, rest, args, final);
  }

  Value EvalFieldChain(const Value& dot, Value receiver, const Node* node,
                       const std::vector<std::string>& ident, ArgNodes args, const Value* final) {
    size_t n = ident.size();
    for (size_t i = 0; i + 1 < n; ++i)
      receiver = EvalField(dot, ident[i], node, {}, nullptr, receiver);
    return EvalField(dot, ident[n - 1], node, args, final, receiver);
  }

  Value EvalFunction(const Value& dot, const Node* ident, const Node* cmd, ArgNodes args,
                     const Value* final) {
    At(ident);
    auto it = funcs_.find(ident->text);
    if (it == funcs_.end()) Errorf(GoQuote(ident->text) + " is not a defined function");
    const FuncDef& f = it->second;
    const std::string& name = ident->text;
    bool builtin_andor = name == "and" || name == "or";
    return EvalCall(
        dot, f.params, f.variadic, [&](std::vector<Value>& a) { return f.fn(a); }, builtin_andor,
        cmd, name, args, final);
  }

  Value EvalField(const Value& dot, const std::string& field, const Node* node, ArgNodes args,
                  const Value* final, const Value& receiver) {
    if (!receiver.valid()) return Value();  // missingkey=zero: nothing to look into
    if (const MethodDef* m = FindMethod(receiver.type(), field)) {
      return EvalCall(
          dot, m->params, m->variadic, [&](std::vector<Value>& a) { return m->fn(receiver, a); },
          false, node, field, args, final);
    }
    bool has_args = args.size() > 1 || final;
    switch (receiver.kind()) {
      case Kind::kStruct: {
        Value out;
        if (GetField(receiver, field, &out)) {
          if (has_args) Errorf(field + " has arguments but cannot be invoked as function");
          return out;
        }
        if (receiver.type() == Type::kTime && (field == "wall" || field == "ext" || field == "loc"))
          Errorf(field + " is an unexported field of struct type time.Time");
        break;
      }
      case Kind::kMap: {
        if (has_args) Errorf(field + " is not a method but has arguments");
        if (receiver.type() == Type::kKV) {
          const std::string* v = receiver.AsKv().Find(field);
          return Value::String(v ? *v : std::string());
        }
        for (const auto& [k, v] : receiver.AsAnyMap())
          if (k == field) return v;
        return Value();
      }
      default:
        break;
    }
    Errorf("can't evaluate field " + field + " in type " + std::string(TypeName(receiver.type())));
  }

  template <typename Fn>
  Value EvalCall(const Value& dot, const std::vector<ParamType>& params, bool variadic, Fn&& invoke,
                 bool andor, const Node* node, const std::string& name, ArgNodes args,
                 const Value* final) {
    if (!args.empty()) args = args.subspan(1);
    size_t num_in = args.size() + (final ? 1 : 0);
    size_t num_fixed = args.size();
    if (variadic) {
      num_fixed = params.size() - 1;
      if (num_in < num_fixed)
        Errorf("wrong number of args for " + name + ": want at least " +
               std::to_string(params.size() - 1) + " got " + std::to_string(args.size()));
    } else if (num_in != params.size()) {
      Errorf("wrong number of args for " + name + ": want " + std::to_string(params.size()) +
             " got " + std::to_string(num_in));
    }
    if (andor) {
      Value v;
      for (const auto& a : args) {
        v = EvalArg(dot, ParamType::kAny, a.get());
        if (IsTrue(v) == (name == "or")) return v;
      }
      if (final) v = *final;
      return v;
    }
    std::vector<Value> argv;
    argv.reserve(num_in);
    size_t i = 0;
    for (; i < num_fixed && i < args.size(); ++i)
      argv.push_back(EvalArg(dot, params[i], args[i].get()));
    if (variadic) {
      for (; i < args.size(); ++i) argv.push_back(EvalArg(dot, params.back(), args[i].get()));
    }
    if (final) {
      ParamType t = params.empty() ? ParamType::kAny : params.back();
      if (variadic && num_in - 1 < num_fixed) t = params[num_in - 1];
      argv.push_back(ValidateType(*final, t));
    }
    try {
      return invoke(argv);
    } catch (const FuncError& e) {
      At(node);
      Errorf("error calling " + name + ": " + e.what());
    }
  }

  static bool CanBeNil(ParamType t) {
    return t == ParamType::kAny || t == ParamType::kStrings || t == ParamType::kAnySlice;
  }

  static Value ZeroOf(ParamType t) {
    switch (t) {
      case ParamType::kStrings:
        return Value::Strings({});
      case ParamType::kAnySlice:
        return Value::AnySlice({});
      default:
        return Value();
    }
  }

  static bool Assignable(const Value& v, ParamType t) {
    switch (t) {
      case ParamType::kAny:
        return true;
      case ParamType::kString:
        return v.type() == Type::kString;
      case ParamType::kInt:
        return v.type() == Type::kInt;
      case ParamType::kBool:
        return v.type() == Type::kBool;
      case ParamType::kFloat:
        return v.type() == Type::kFloat64;
      case ParamType::kStrings:
        return v.type() == Type::kStrings;
      case ParamType::kAnySlice:
        return v.type() == Type::kAnySlice;
      case ParamType::kTime:
        return v.type() == Type::kTime;
      case ParamType::kDuration:
        return v.type() == Type::kDuration;
    }
    return false;
  }

  Value ValidateType(const Value& v, ParamType t) {
    if (!v.valid()) {
      if (t == ParamType::kAny) return v;
      if (CanBeNil(t)) return ZeroOf(t);
      Errorf("invalid value; expected " + std::string(ParamTypeName(t)));
    }
    if (!Assignable(v, t))
      Errorf("wrong type for value; expected " + std::string(ParamTypeName(t)) + "; got " +
             std::string(TypeName(v.type())));
    return v;
  }

  Value EvalArg(const Value& dot, ParamType t, const Node* n) {
    At(n);
    switch (n->type) {
      case NodeType::kDot:
        return ValidateType(dot, t);
      case NodeType::kNil:
        if (CanBeNil(t)) return ZeroOf(t);
        Errorf("cannot assign nil to " + std::string(ParamTypeName(t)));
      case NodeType::kField: {
        return ValidateType(EvalFieldChain(dot, dot, n, n->ident, {}, nullptr), t);
      }
      case NodeType::kVariable:
        return ValidateType(EvalVariableNode(dot, n, {}, nullptr), t);
      case NodeType::kPipe:
        return ValidateType(EvalPipeline(dot, n), t);
      case NodeType::kIdentifier:
        return ValidateType(EvalFunction(dot, n, n, {}, nullptr), t);
      case NodeType::kChain:
        return ValidateType(EvalChainNode(dot, n, {}, nullptr), t);
      default:
        break;
    }
    switch (t) {
      case ParamType::kBool:
        if (n->type == NodeType::kBool) return Value::Bool(n->bool_val);
        Errorf("expected bool; found " + n->String());
      case ParamType::kFloat:
        if (n->type == NodeType::kNumber && n->is_float) return Value::Float(n->float_val);
        Errorf("expected float; found " + n->String());
      case ParamType::kInt:
      case ParamType::kDuration:
        if (n->type == NodeType::kNumber && n->is_int)
          return t == ParamType::kInt ? Value::Int(n->int_val) : Value::Duration(n->int_val);
        Errorf("expected integer; found " + n->String());
      case ParamType::kString:
        if (n->type == NodeType::kString) return Value::String(n->ident[0]);
        Errorf("expected string; found " + n->String());
      case ParamType::kAny:
        switch (n->type) {
          case NodeType::kBool:
            return Value::Bool(n->bool_val);
          case NodeType::kNumber:
            return IdealConstant(n);
          case NodeType::kString:
            return Value::String(n->ident[0]);
          default:
            Errorf("can't handle assignment of " + n->String() + " to empty interface argument");
        }
      default:
        Errorf("can't handle " + n->String() + " for arg of type " + std::string(ParamTypeName(t)));
    }
  }

  const TreeLookup& lookup_;
  const FuncMap& funcs_;
  OutputWriter& w_;
  const Tree* tmpl_ = nullptr;
  const Node* node_ = nullptr;
  std::vector<std::pair<std::string, Value>> vars_;
  int depth_ = 0;
};

}  // namespace

void Execute(const Tree& tree, const TreeLookup& lookup, const Value& data, bool html,
             std::string* out) {
  OutputWriter w(out, html);
  State s(lookup, DefaultFuncs(), w);
  s.Run(tree, data);
}

}  // namespace am::tmpl

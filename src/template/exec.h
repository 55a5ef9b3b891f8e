// The executor: walks parsed trees against a Value with Go's text/template semantics
// (missingkey=zero), calling builtins, Alertmanager functions and data-model methods.
//
// Thread-safety: an Executor is a per-call object (it holds the variable stack and output);
// the trees and the FuncMap it reads are immutable and shared. Ownership: borrows everything.
#ifndef AM_TEMPLATE_EXEC_H_
#define AM_TEMPLATE_EXEC_H_

#include <functional>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "template/parse.h"
#include "template/value.h"

namespace am::tmpl {

// Go parameter types a function may declare; they decide argument conversion and errors.
enum class ParamType : uint8_t {
  kAny,
  kString,
  kInt,
  kBool,
  kFloat,
  kStrings,
  kAnySlice,
  kTime,
  kDuration
};

// A function failed: Go reports it as "error calling NAME: <message>".
class FuncError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct FuncDef {
  std::vector<ParamType> params;
  bool variadic = false;  // last entry of params is the element type of "...T"
  std::function<Value(std::vector<Value>& args)> fn;
};
using FuncMap = std::unordered_map<std::string, FuncDef>;

// Builtins of text/template plus Alertmanager's template functions.
const FuncMap& DefaultFuncs();

// Finds a named template at execution time (the set, with per-call overrides first).
using TreeLookup = std::function<const Tree*(const std::string& name)>;

// Executes `tree` with dot = `data`, appending to *out. html = escape values like html/template.
// Throws TemplateError with Go's message on failure (output produced so far stays in *out).
void Execute(const Tree& tree, const TreeLookup& lookup, const Value& data, bool html,
             std::string* out);

// Go's url.QueryEscape, HTML and JS escapers (shared with the functions).
std::string UrlQueryEscape(std::string_view s);
std::string HtmlEscapeString(std::string_view s);
std::string JsEscapeString(std::string_view s);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_EXEC_H_

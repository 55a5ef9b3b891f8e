// Lexer and parser for Go's text/template language (Go 1.19 grammar, which is what
// Alertmanager 0.25 is built with). Produces immutable trees; parse errors carry Go's text
// ("template: NAME:LINE: ...").
//
// Thread-safety: parsing is reentrant. A parsed Tree is never modified afterwards and may be
// executed from any number of threads. Ownership: a Tree owns its nodes; trees share the source
// text (for error positions) through shared_ptr.
#ifndef AM_TEMPLATE_PARSE_H_
#define AM_TEMPLATE_PARSE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace am::tmpl {

class TemplateError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

enum class NodeType : uint8_t {
  kText,
  kAction,
  kBool,
  kChain,
  kCommand,
  kDot,
  kField,
  kIdentifier,
  kIf,
  kList,
  kNil,
  kNumber,
  kPipe,
  kRange,
  kString,
  kTemplate,
  kVariable,
  kWith,
  kComment,
  kBreak,
  kContinue,
  kElse,
  kEnd,
};

// Where a tree's text came from: the name errors print and the text positions index into.
struct Source {
  std::string parse_name;
  std::string text;
};

struct Node {
  NodeType type;
  int32_t pos = 0;   // byte offset into src->text
  int32_t line = 0;  // 1-based
  const Source* src = nullptr;

  std::string text;                // Text literal, unquoted String, Identifier, Template name,
                                   // Number/String source form, Comment
  std::vector<std::string> ident;  // Field / Variable / Chain field names (without dots)
  std::vector<std::unique_ptr<Node>> nodes;  // List items, Command args, Pipe commands
  std::vector<std::unique_ptr<Node>> decl;   // Pipe declared variables
  std::unique_ptr<Node> pipe;                // Action, If/Range/With, Template, Chain operand
  std::unique_ptr<Node> list;                // If/Range/With body
  std::unique_ptr<Node> else_list;           // If/Range/With else body
  bool is_assign = false;                    // Pipe: "=" rather than ":="
  bool bool_val = false;
  // Number classification, as Go's parse.NumberNode.
  bool is_int = false, is_uint = false, is_float = false, is_complex = false;
  int64_t int_val = 0;
  uint64_t uint_val = 0;
  double float_val = 0, imag_val = 0;

  // Go's Node.String(): the form error messages quote.
  std::string String() const;
};

// One named template body.
struct Tree {
  std::string name;
  std::shared_ptr<const Source> src;
  std::unique_ptr<Node> root;  // kList
};

using TreeMap = std::map<std::string, std::shared_ptr<const Tree>>;

// Is this a body with nothing but spaces and comments? (Go's parse.IsEmptyTree.)
bool IsEmptyTree(const Node* n);

// Parses `text` (named `parse_name` in errors). Returns every tree defined in it: the top-level
// body under `top_name`, and each {{define}}/{{block}} under its own name. `has_function` says
// whether an identifier names a function (Go checks this at parse time).
// Throws TemplateError with Go's message on a syntax error.
TreeMap Parse(const std::string& top_name, const std::string& parse_name, std::string text,
              const std::function<bool(const std::string&)>& has_function);

// strconv.Unquote for "..." , `...` and '...' forms. Returns false on invalid syntax.
bool GoUnquote(const std::string& s, std::string* out);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_PARSE_H_

// Output sink for template execution. In HTML mode it follows the HTML context of the literal
// template text (element text, tag, attribute value, URL attribute, script, style, comment) and
// escapes each printed value for the context it lands in, as Go's html/template does; HTML
// comments in the template text are dropped like html/template drops them.
//
// Thread-safety: one writer per execution. Ownership: appends to a caller-owned string.
#ifndef AM_TEMPLATE_HTML_WRITER_H_
#define AM_TEMPLATE_HTML_WRITER_H_

#include <string>
#include <string_view>

#include "template/value.h"

namespace am::tmpl {

class OutputWriter {
 public:
  OutputWriter(std::string* out, bool html) : out_(out), html_(html) {}

  // Literal template text.
  void Text(std::string_view s);
  // Escaper a pipeline already ended with ("html" or "urlquery"): html/template merges it with
  // the equivalent contextual escaper instead of escaping twice.
  enum class Predefined : uint8_t { kNone, kHtml, kUrlQuery };
  // A value printed by an action.
  void Print(const Value& v, Predefined pre = Predefined::kNone);

 private:
  enum class State : uint8_t {
    kText,
    kTagName,
    kTag,
    kAttrName,
    kAfterAttrName,
    kBeforeValue,
    kAttrValue,
    kComment,
    kRawText,  // inside <script>, <style>, <title> or <textarea>
  };
  enum class AttrKind : uint8_t { kPlain, kUrl, kScript, kStyle };
  enum class UrlPart : uint8_t { kNone, kPreQuery, kQueryOrFrag };

  void Feed(char c);
  std::string EscapeFor(const Value& v, Predefined pre) const;

  std::string* out_;
  bool html_;
  State state_ = State::kText;
  std::string tag_name_;
  bool end_tag_ = false;
  std::string attr_name_;
  AttrKind attr_kind_ = AttrKind::kPlain;
  char quote_ = 0;  // 0 = unquoted attribute value
  UrlPart url_part_ = UrlPart::kNone;
  std::string raw_element_;  // element whose raw text we are in
  std::string pending_;      // text held back while deciding whether "<!--" starts a comment
  char js_quote_ = 0;        // inside a JS string literal in a script
};

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_HTML_WRITER_H_

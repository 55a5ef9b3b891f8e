#include "template/html_writer.h"

#include <algorithm>
#include <cctype>

#include "template/exec.h"
#include "template/gofmt.h"

namespace am::tmpl {

namespace {

bool IsHtmlSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'; }
bool IsAsciiAlpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

// html/template's htmlReplacementTable; `norm` leaves '&' alone (content already HTML).
std::string HtmlTemplateEscape(std::string_view s, bool norm, bool nospace) {
  std::string out;
  out.reserve(s.size() + 8);
  for (char c : s) {
    switch (c) {
      case '\0':
        out += "\xEF\xBF\xBD";
        break;
      case '"':
        out += "&#34;";
        break;
      case '&':
        out += norm ? "&" : "&amp;";
        break;
      case '\'':
        out += "&#39;";
        break;
      case '+':
        out += "&#43;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '\t':
        out += nospace ? "&#9;" : "\t";
        break;
      case '\n':
        out += nospace ? "&#10;" : "\n";
        break;
      case '\f':
        out += nospace ? "&#12;" : "\f";
        break;
      case '\r':
        out += nospace ? "&#13;" : "\r";
        break;
      case ' ':
        out += nospace ? "&#32;" : " ";
        break;
      case '=':
        out += nospace ? "&#61;" : "=";
        break;
      case '`':
        out += nospace ? "&#96;" : "`";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string StripTags(std::string_view s) {
  std::string out;
  bool in_tag = false;
  for (char c : s) {
    if (in_tag) {
      if (c == '>') in_tag = false;
    } else if (c == '<') {
      in_tag = true;
    } else {
      out += c;
    }
  }
  return out;
}

// Go's urlFilter: only http, https and mailto schemes (or none) pass.
bool UrlSchemeOk(std::string_view s) {
  size_t colon = s.find(':');
  if (colon == std::string_view::npos) return true;
  if (s.substr(0, colon).find('/') != std::string_view::npos) return true;
  std::string scheme;
  for (char c : s.substr(0, colon)) scheme += Lower(c);
  return scheme == "http" || scheme == "https" || scheme == "mailto";
}

// Go's processURLOnto: percent-encodes with lower-case hex; `norm` keeps reserved characters
// and existing escapes.
std::string UrlProcess(std::string_view s, bool norm) {
  std::string out;
  static const char* kHex = "0123456789abcdef";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    bool keep = false;
    switch (c) {
      case '!':
      case '#':
      case '$':
      case '&':
      case '*':
      case '+':
      case ',':
      case '/':
      case ':':
      case ';':
      case '=':
      case '?':
      case '@':
      case '[':
      case ']':
        keep = norm;
        break;
      case '-':
      case '.':
      case '_':
      case '~':
        keep = true;
        break;
      case '%':
        keep = norm;
        break;
      default:
        keep = std::isalnum(c) != 0 && c < 0x80;
    }
    if (keep) {
      out += ch;
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

// html/template's jsValEscaper for the common cases: strings become quoted JS strings.
std::string JsValue(const Value& v, const std::string& s) {
  switch (v.kind()) {
    case Kind::kBool:
    case Kind::kInt:
    case Kind::kUint:
    case Kind::kFloat:
      return " " + s + " ";
    default:
      break;
  }
  std::string out = "\"";
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\u0022";
        break;
      case '\'':
        out += "\\u0027";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return out;
}

std::string JsStr(const std::string& s) {
  std::string out;
  for (char ch : s) {
    unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\u0022";
        break;
      case '\'':
        out += "\\u0027";
        break;
      case '`':
        out += "\\u0060";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '<':
        out += "\\u003c";
        break;
      case '>':
        out += "\\u003e";
        break;
      case '&':
        out += "\\u0026";
        break;
      case '+':
        out += "\\u002b";
        break;
      case '/':
        out += "\\/";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  return out;
}

bool CssSafe(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == ' ' || c == '#' || c == '.' || c == '%' || c == '-' || c == ',' ||
          c == '_' || u >= 0x80))
      return false;
  }
  return true;
}

bool IsUrlAttr(const std::string& name) {
  static const char* kUrlAttrs[] = {"action",   "archive",  "background", "cite",    "classid",
                                    "codebase", "data",     "formaction", "href",    "icon",
                                    "longdesc", "manifest", "poster",     "profile", "src",
                                    "usemap",   "xmlns"};
  std::string n = name;
  if (n.rfind("data-", 0) == 0) n = n.substr(5);
  size_t colon = n.find(':');
  if (colon != std::string::npos) n = n.substr(colon + 1);
  for (const char* a : kUrlAttrs)
    if (n == a) return true;
  return n.find("src") != std::string::npos || n.find("uri") != std::string::npos ||
         n.find("url") != std::string::npos;
}

}  // namespace

void OutputWriter::Text(std::string_view s) {
  if (!html_) {
    out_->append(s);
    return;
  }
  // Carry a partial "<!-" from the previous chunk so comment openers split across text are seen.
  std::string joined;
  if (!pending_.empty()) {
    joined = pending_ + std::string(s);
    pending_.clear();
    s = joined;
  }
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (state_ == State::kComment) {
      if (s.substr(i, 3) == "-->") {
        state_ = State::kText;
        i += 2;
      }
      continue;
    }
    if (state_ == State::kText && c == '<') {
      if (s.substr(i, 4) == "<!--") {
        state_ = State::kComment;
        i += 3;
        continue;
      }
      if (s.size() - i < 4 && std::string_view("<!--").substr(0, s.size() - i) == s.substr(i)) {
        pending_ = std::string(s.substr(i));
        return;
      }
    }
    out_->push_back(c);
    Feed(c);
  }
}

void OutputWriter::Feed(char c) {
  switch (state_) {
    case State::kText:
      if (c == '<') {
        state_ = State::kTagName;
        tag_name_.clear();
        end_tag_ = false;
      }
      return;
    case State::kTagName:
      if (tag_name_.empty() && !end_tag_ && c == '/') {
        end_tag_ = true;
        return;
      }
      if (IsAsciiAlpha(c) ||
          (!tag_name_.empty() && (std::isdigit(static_cast<unsigned char>(c)) || c == '-'))) {
        tag_name_ += Lower(c);
        return;
      }
      if (tag_name_.empty()) {  // "<" not starting a tag
        state_ = State::kText;
        return;
      }
      state_ = State::kTag;
      Feed(c);
      return;
    case State::kTag:
    case State::kAfterAttrName:
      if (c == '>') {
        bool raw = !end_tag_ && (tag_name_ == "script" || tag_name_ == "style" ||
                                 tag_name_ == "textarea" || tag_name_ == "title");
        state_ = raw ? State::kRawText : State::kText;
        if (raw) raw_element_ = tag_name_;
        js_quote_ = 0;
        return;
      }
      if (state_ == State::kAfterAttrName && c == '=') {
        state_ = State::kBeforeValue;
        return;
      }
      if (IsHtmlSpace(c) || c == '/') return;
      state_ = State::kAttrName;
      attr_name_.assign(1, Lower(c));
      return;
    case State::kAttrName:
      if (c == '=') {
        state_ = State::kBeforeValue;
      } else if (IsHtmlSpace(c)) {
        state_ = State::kAfterAttrName;
      } else if (c == '>' || c == '/') {
        state_ = State::kTag;
        Feed(c);
      } else {
        attr_name_ += Lower(c);
      }
      return;
    case State::kBeforeValue:
      if (IsHtmlSpace(c)) return;
      if (c == '>') {
        state_ = State::kTag;
        Feed(c);
        return;
      }
      attr_kind_ = attr_name_.rfind("on", 0) == 0 ? AttrKind::kScript
                   : attr_name_ == "style"        ? AttrKind::kStyle
                   : IsUrlAttr(attr_name_)        ? AttrKind::kUrl
                                                  : AttrKind::kPlain;
      url_part_ = UrlPart::kNone;
      state_ = State::kAttrValue;
      if (c == '"' || c == '\'') {
        quote_ = c;
        return;
      }
      quote_ = 0;
      Feed(c);
      return;
    case State::kAttrValue:
      if (quote_ ? c == quote_ : IsHtmlSpace(c)) {
        state_ = State::kTag;
        return;
      }
      if (!quote_ && c == '>') {
        state_ = State::kTag;
        Feed(c);
        return;
      }
      if (attr_kind_ == AttrKind::kUrl) {
        if (c == '?' || c == '#') {
          url_part_ = UrlPart::kQueryOrFrag;
        } else if (url_part_ == UrlPart::kNone) {
          url_part_ = UrlPart::kPreQuery;
        }
      }
      return;
    case State::kRawText: {
      if (raw_element_ == "script") {
        if (js_quote_) {
          if (c == js_quote_) js_quote_ = 0;
        } else if (c == '"' || c == '\'' || c == '`') {
          js_quote_ = c;
        }
      }
      // Detect "</name" by looking back at the output.
      std::string close = "</" + raw_element_;
      if (out_->size() >= close.size()) {
        std::string tail = out_->substr(out_->size() - close.size());
        std::transform(tail.begin(), tail.end(), tail.begin(), Lower);
        if (tail == close) {
          state_ = State::kTag;
          tag_name_ = raw_element_;
          end_tag_ = true;
          js_quote_ = 0;
        }
      }
      return;
    }
    case State::kComment:
      return;
  }
}

std::string OutputWriter::EscapeFor(const Value& v, Predefined pre) const {
  std::string s;
  AppendValue(s, v);
  bool is_html = v.type() == Type::kHTML;
  switch (state_) {
    case State::kText:
      return is_html || pre == Predefined::kHtml ? s : HtmlTemplateEscape(s, false, false);
    case State::kComment:
      return "";
    case State::kRawText:
      if (raw_element_ == "script") return js_quote_ ? JsStr(s) : JsValue(v, s);
      if (raw_element_ == "style") return CssSafe(s) ? s : "ZgotmplZ";
      return HtmlTemplateEscape(is_html ? StripTags(s) : s, is_html, false);
    case State::kTagName:
    case State::kTag:
    case State::kAttrName:
    case State::kAfterAttrName: {
      for (char c : s)
        if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'))
          return "ZgotmplZ";
      std::string lower;
      for (char c : s) lower += Lower(c);
      return lower;
    }
    case State::kBeforeValue:
    case State::kAttrValue: {
      bool unquoted = state_ == State::kBeforeValue || quote_ == 0;
      std::string val;
      switch (attr_kind_) {
        case AttrKind::kUrl: {
          UrlPart part = state_ == State::kBeforeValue ? UrlPart::kNone : url_part_;
          if (part == UrlPart::kNone && v.type() != Type::kURL && !UrlSchemeOk(s)) {
            val = "#ZgotmplZ";
          } else if (pre == Predefined::kUrlQuery) {
            val = s;
          } else if (part == UrlPart::kQueryOrFrag) {
            val = UrlProcess(s, false);
          } else {
            val = UrlProcess(s, true);
          }
          if (pre == Predefined::kHtml) return val;
          return HtmlTemplateEscape(val, false, unquoted);
        }
        case AttrKind::kScript:
          return HtmlTemplateEscape(JsValue(v, s), false, unquoted);
        case AttrKind::kStyle:
          return HtmlTemplateEscape(CssSafe(s) ? s : "ZgotmplZ", false, unquoted);
        case AttrKind::kPlain:
          if (pre == Predefined::kHtml) return s;
          if (is_html) return HtmlTemplateEscape(StripTags(s), true, unquoted);
          return HtmlTemplateEscape(s, false, unquoted);
      }
      return s;
    }
  }
  return s;
}

void OutputWriter::Print(const Value& v, Predefined pre) {
  if (!html_) {
    AppendValue(*out_, v);
    return;
  }
  if (!pending_.empty()) {
    std::string p;
    p.swap(pending_);
    for (char c : p) {
      out_->push_back(c);
      Feed(c);
    }
  }
  out_->append(EscapeFor(v, pre));
}

}  // namespace am::tmpl

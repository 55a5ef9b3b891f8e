// Public API of the template engine: a set of named Go text/template templates (Alertmanager's
// built-in defaults plus operator files), executed as text or as html/template-escaped HTML
// against Alertmanager's notification data model.
//
// Thread-safety: a Template is immutable once built (FromGlobs/FromSources). Any number of
// threads may call the Execute* methods on one Template at the same time; each call keeps its
// own execution state, and templates defined inside the executed text affect only that call.
// Ownership: Template owns its parsed trees (shared with per-call overlays); PreparedData shares
// its converted payload.
#ifndef AM_TEMPLATE_TEMPLATE_H_
#define AM_TEMPLATE_TEMPLATE_H_

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "template/parse.h"  // TemplateError
#include "template/value.h"

namespace am::tmpl {

// Label or annotation pairs. Any order on input; templates see them sorted by name.
using Labels = std::vector<std::pair<std::string, std::string>>;

// A time.Time as templates see it. `zero` marks Go's zero time (0001-01-01 00:00:00 UTC), which
// sys_time<nanoseconds> cannot represent; firing alerts carry it as EndsAt in webhook payloads.
struct Time {
  std::chrono::sys_time<std::chrono::nanoseconds> at{};
  bool zero = true;

  static Time Zero() { return Time{}; }
  static Time At(std::chrono::sys_time<std::chrono::nanoseconds> t) { return Time{t, false}; }
};

struct Alert {
  std::string status;  // "firing" or "resolved"
  Labels labels;
  Labels annotations;
  Time starts_at;
  Time ends_at;
  std::string generator_url;
  std::string fingerprint;  // 16 hex digits
};

// The dot of notification templates (upstream template.Data).
struct Data {
  std::string receiver;  // already regexp.QuoteMeta'd when built with MakeData
  std::string status;    // "firing" if any alert fires, else "resolved"
  std::vector<Alert> alerts;
  Labels group_labels;
  Labels common_labels;
  Labels common_annotations;
  std::string external_url;
  std::string notification_reason;  // Alertmanager 0.32+; empty otherwise
};

// Builds Data the way upstream's Template.Data does: Receiver through QuoteMeta, Status from
// the alerts, CommonLabels/CommonAnnotations = pairs identical in every alert.
Data MakeData(std::string_view receiver, const Labels& group_labels, std::vector<Alert> alerts,
              std::string_view external_url);

// Go's regexp.QuoteMeta.
std::string QuoteMeta(std::string_view s);

// Data converted once into the engine's representation, for rendering many fields of one
// notification without converting again. Cheap to copy; immutable; shareable across threads.
class PreparedData {
 public:
  PreparedData() = default;
  explicit PreparedData(const Data& d);
  // Wraps an engine value (e.g. data loaded from JSON by the CLI).
  explicit PreparedData(Value v) : value_(std::move(v)) {}
  const Value& value() const { return value_; }

 private:
  Value value_;
};

class Template {
 public:
  // One named input: `name` is what errors print (a file's base name) and the name its
  // top-level text is registered under.
  struct SourceFile {
    std::string name;
    std::string text;
  };

  // The built-in default templates (default.tmpl + email.tmpl names) and nothing else.
  static std::shared_ptr<const Template> Defaults();
  // Defaults, then every file matching each glob in order; later definitions override earlier
  // ones. A glob matching nothing is not an error (upstream allows it).
  // Throws TemplateError with Go's message (parse error, unreadable file, bad pattern).
  static std::shared_ptr<const Template> FromGlobs(const std::vector<std::string>& globs);
  // Defaults (if with_defaults), then the given sources in order.
  static std::shared_ptr<const Template> FromSources(const std::vector<SourceFile>& sources,
                                                     bool with_defaults = true);

  // Upstream's ExecuteTextString: parses `text` as an anonymous template (it may {{define}}
  // more, visible only to this call) and executes it. Empty text renders "".
  // Throws TemplateError with Go's message on parse or execution errors.
  std::string ExecuteText(std::string_view text, const Data& data) const;
  std::string ExecuteText(std::string_view text, const PreparedData& data) const;
  // Upstream's ExecuteHTMLString: the same, with html/template contextual escaping.
  std::string ExecuteHtml(std::string_view text, const Data& data) const;
  std::string ExecuteHtml(std::string_view text, const PreparedData& data) const;
  // Executes the named template (e.g. "email.default.html").
  std::string ExecuteTemplate(const std::string& name, const PreparedData& data, bool html) const;

  bool Has(const std::string& name) const { return trees_.count(name) > 0; }
  std::vector<std::string> Names() const;

  // Executes `text` with an arbitrary dot value.
  std::string ExecuteWith(std::string_view text, const Value& dot, bool html) const;

 private:
  Template() = default;
  void AddSource(const std::string& top_name, const std::string& parse_name, std::string text);

  TreeMap trees_;
};

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_TEMPLATE_H_

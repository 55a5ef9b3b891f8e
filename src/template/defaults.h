// The built-in templates, embedded in the binary under upstream's template names
// (default.tmpl and email.tmpl in Alertmanager). Written for this project: the text outputs
// match upstream byte for byte on the same data; the HTML email is our own design.
// Thread-safety: constant data.
#ifndef AM_TEMPLATE_DEFAULTS_H_
#define AM_TEMPLATE_DEFAULTS_H_

namespace am::tmpl {

extern const char* const kDefaultTmpl;  // __subject, __text_alert_list, per-integration names
extern const char* const kEmailTmpl;    // email.default.subject, email.default.html

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_DEFAULTS_H_

// `alertmanager template render`: the same flags, default data and output as
// `amtool template render` (Alertmanager 0.25), with the built-in templates always loaded.
// Thread-safety: call from one thread (writes stdout/stderr). Ownership: none.
#ifndef AM_TEMPLATE_RENDER_CLI_H_
#define AM_TEMPLATE_RENDER_CLI_H_

namespace am::tmpl {

// argv holds only the subcommand's own flags after argv[0] (the program name used in error
// messages), e.g. {"alertmanager", "--template.glob=x", "--template.text={{ . }}"}.
// Prints the rendered text to stdout; on error prints "<prog>: error: <message>" to stderr and
// returns 1. Returns 0 on success.
int RunTemplateRenderCli(int argc, char** argv);

}  // namespace am::tmpl

#endif  // AM_TEMPLATE_RENDER_CLI_H_

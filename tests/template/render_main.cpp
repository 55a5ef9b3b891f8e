// Test driver: `template_render --template.glob=... --template.text=...`, the same code path
// as `alertmanager template render`, so the conformance scripts can diff it against amtool.
#include "template/render_cli.h"

int main(int argc, char** argv) { return am::tmpl::RunTemplateRenderCli(argc, argv); }

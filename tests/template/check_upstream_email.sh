#!/bin/sh
# Renders upstream 0.25's own email.default.html (Debian's Go sources, not shipped with us)
# through our engine and through amtool for every corpus data file plus a 100-alert group, and
# fails if any output differs byte for byte: a whole-page check of the html/template escaping.
# Usage: check_upstream_email.sh [path/to/template_render]
set -e
HERE=$(cd "$(dirname "$0")" && pwd)
OURS=${1:-$HERE/../../build-template/tests/template/template_render}
TD=/usr/share/gocode/src/github.com/prometheus/alertmanager/template
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
/usr/bin/python3 "$HERE/../../bench/template/make_data.py" "$TMP/d100.json"
fail=0
for d in "$HERE"/data/*.json "$TMP/d100.json"; do
  for kind in html text; do
    args="--template.type=$kind --template.glob=$TD/default.tmpl --template.glob=$TD/email.tmpl --template.data=$d"
    t='{{ template "email.default.html" . }}{{ template "email.default.subject" . }}'
    amtool template render $args --template.text="$t" > "$TMP/a" 2>&1 || true
    "$OURS" $args --template.text="$t" > "$TMP/b" 2>&1 || true
    if cmp -s "$TMP/a" "$TMP/b"; then echo "same: $(basename "$d") ($kind)"; else echo "DIFF: $(basename "$d") ($kind)"; fail=1; fi
  done
done
exit $fail

#!/bin/sh
# Per-render cost of amtool's (Go 1.19 html/template) engine on the benchmark's 100-alert group
# and upstream's email.default.html: one amtool run renders the template K times in a loop
# (`range stringSlice ...`), so (T(K) - T(1)) / (K - 1) removes process start-up and parsing.
# Usage: compare_amtool.sh [K] [RUNS]
set -e
K=${1:-200}
RUNS=${2:-5}
TDIR=/usr/share/gocode/src/github.com/prometheus/alertmanager/template
DIR=$(mktemp -d)
trap 'rm -rf "$DIR"' EXIT
/usr/bin/python3 "$(dirname "$0")/make_data.py" "$DIR/data.json"
ARGS=$(/usr/bin/python3 -c "print(' '.join(['\"x\"'] * $K))")
LOOP="{{ range stringSlice $ARGS }}{{ template \"email.default.html\" \$ }}{{ end }}"
ONE='{{ template "email.default.html" . }}'
best() {  # best wall time in ns of RUNS runs of amtool with text $1
  b=0
  for r in $(seq "$RUNS"); do
    s=$(date +%s%N)
    amtool template render --template.type=html --template.glob="$TDIR/default.tmpl" --template.glob="$TDIR/email.tmpl" --template.data="$DIR/data.json" \
      --template.text="$1" > /dev/null
    e=$(date +%s%N)
    t=$((e - s))
    if [ "$b" -eq 0 ] || [ "$t" -lt "$b" ]; then b=$t; fi
  done
  echo "$b"
}
T1=$(best "$ONE")
TK=$(best "$LOOP")
echo "amtool: 1 render (incl. start-up): $((T1 / 1000)) us; $K renders: $((TK / 1000)) us"
echo "amtool engine per render of upstream email.default.html, 100 alerts: $(( (TK - T1) / (K - 1) / 1000 )) us"

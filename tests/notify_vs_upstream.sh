#!/bin/sh
# Runs the notification scenarios of tests/integration/test_notify.py against the real
# Alertmanager 0.25 (/usr/bin/prometheus-alertmanager, or $REAL_AM) with the same loopback
# webhook sink, and prints each scenario's notification counts and payloads (times normalised).
# With AM_BIN set to our daemon, runs them against it too and diffs the two reports.
#
#   sh tests/notify_vs_upstream.sh                       # upstream only
#   AM_BIN=build-lead/cmd/alertmanager/alertmanager sh tests/notify_vs_upstream.sh
#
# Everything binds 127.0.0.1; daemons and sinks are stopped by the tests in every path.
# Timing-bound counts (the repeat_interval scenario: 2 to 4 repeats in 9 s) may differ by one
# between runs of the same daemon.
set -u
here=$(cd "$(dirname "$0")" && pwd)
real=${REAL_AM:-/usr/bin/prometheus-alertmanager}
py=/usr/bin/python3
if [ ! -x "$real" ]; then
  echo "prometheus-alertmanager not installed at $real" >&2
  exit 2
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$here/integration"

run() {  # $1 = label, $2 = binary
  echo "=== $1: $2"
  NOTIFY_REPORT="$work/$1.txt" AM_BIN="$2" REAL_AM="$real" PYTHONDONTWRITEBYTECODE=1 \
    "$py" -m unittest test_notify >"$work/$1.log" 2>&1
  rc=$?
  tail -n 3 "$work/$1.log"
  [ $rc -eq 0 ] || sed -n '/^FAIL\|^ERROR/,/^---/p' "$work/$1.log"
  sort_report "$work/$1.txt" >"$work/$1.sorted"
  cat "$work/$1.sorted"
  return $rc
}

# unittest runs scenarios alphabetically, but keep the report order independent of that.
sort_report() {
  awk '/^[^ ]/ { key = $1 " " $2 } { print key "\t" NR "\t" $0 }' "$1" | sort -k1,1 -s |
    cut -f3-
}

run upstream "$real"
up=$?
status=$up
if [ -n "${AM_BIN:-}" ]; then
  run ours "$AM_BIN"
  ours=$?
  echo "=== diff upstream ours"
  if diff -u "$work/upstream.sorted" "$work/ours.sorted"; then
    echo "same notification counts and payloads"
  else
    status=1
  fi
  [ $ours -eq 0 ] || status=1
fi
exit $status

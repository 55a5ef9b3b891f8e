#!/bin/sh
# Captures go025_silences (a `silences` snapshot written by Debian's prometheus-alertmanager 0.25)
# and go025_silences.json (its GET /api/v2/silences answer at capture time), used by
# compat_test.cpp. Run from this directory: sh capture_go_snapshot.sh
set -eu
AM=${REAL_AM:-/usr/bin/prometheus-alertmanager}
PORT=${PORT:-19593}
WORK=$(mktemp -d)
trap 'kill $PID 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'route:\n  receiver: r\nreceivers:\n  - name: r\n' > "$WORK/am.yml"
"$AM" --config.file="$WORK/am.yml" --storage.path="$WORK/data" \
  --web.listen-address=127.0.0.1:$PORT --cluster.listen-address= >"$WORK/log" 2>&1 &
PID=$!
U=http://127.0.0.1:$PORT/api/v2
for i in $(seq 50); do curl -sf http://127.0.0.1:$PORT/-/healthy >/dev/null && break; sleep 0.1; done
post() { curl -sf -H 'Content-Type: application/json' -d "$1" $U/silences; echo; }
NOW=$(date -u +%Y-%m-%dT%H:%M:%SZ)
IN1Y=$(date -u -d '+365 days' +%Y-%m-%dT%H:%M:%SZ)
IN2Y=$(date -u -d '+730 days' +%Y-%m-%dT%H:%M:%SZ)
# Active, equality + regex + negative matchers, unicode comment.
post '{"matchers":[{"name":"alertname","value":"DiskFull","isRegex":false},{"name":"instance","value":"host1|host2","isRegex":true},{"name":"env","value":"dev","isRegex":false,"isEqual":false},{"name":"job","value":"test.*","isRegex":true,"isEqual":false}],"startsAt":"'$NOW'","endsAt":"'$IN1Y'","createdBy":"ops","comment":"maintenance \u00e9t\u00e9"}'
# Pending (starts in a year).
post '{"matchers":[{"name":"severity","value":"critical","isRegex":false}],"startsAt":"'$IN1Y'","endsAt":"'$IN2Y'","createdBy":"pending-user","comment":"later"}'
# Expired: created, then deleted.
ID=$(post '{"matchers":[{"name":"team","value":"db","isRegex":false}],"startsAt":"'$NOW'","endsAt":"'$IN1Y'","createdBy":"x","comment":"expired soon"}' | sed 's/.*"silenceID":"\([^"]*\)".*/\1/')
curl -sf -X DELETE $U/silence/$ID >/dev/null
# Empty createdBy and comment.
post '{"matchers":[{"name":"a","value":"b","isRegex":false}],"startsAt":"'$NOW'","endsAt":"'$IN2Y'","createdBy":"","comment":""}'
curl -sf $U/silences > go025_silences.json
kill -TERM $PID
wait $PID || true
cp "$WORK/data/silences" go025_silences
echo "captured $(wc -c < go025_silences) bytes"

#!/bin/sh
# Captures nflog_0.25 (and nflog_0.25.webhooks, the payloads the sink received) from Debian's
# prometheus-alertmanager 0.25, single node, everything on loopback:
#   sh tests/unit/nflog/testdata/capture_nflog_0.25.sh
# Two groups, one webhook receiver (send_resolved true), group_wait 1s, group_interval 2s:
#  - alertname=NflogCompatFiring stays firing       -> entry with one firing hash;
#  - alertname=NflogCompatResolved fires, is resolved 2 s later and flushed again
#                                                    -> entry with one resolved hash, no firing.
# SIGTERM makes the daemon write <storage.path>/nflog, which is copied here.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
am_pid=""
sink_pid=""
cleanup() {
  [ -n "$am_pid" ] && kill "$am_pid" 2>/dev/null || true
  [ -n "$sink_pid" ] && kill "$sink_pid" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cat >"$work/sink.py" <<'PY'
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(sys.argv[2], "ab") as f:
            f.write(body + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
PY
cat >"$work/am.yml" <<'YML'
route:
  receiver: hook
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
  repeat_interval: 4h
receivers:
- name: hook
  webhook_configs:
  - url: http://127.0.0.1:19199/
YML

/usr/bin/python3 "$work/sink.py" 19199 "$work/webhooks" &
sink_pid=$!
/usr/bin/prometheus-alertmanager --config.file="$work/am.yml" --storage.path="$work/data" \
  --web.listen-address=127.0.0.1:19193 --cluster.listen-address= >"$work/am.log" 2>&1 &
am_pid=$!
for _ in $(seq 50); do
  curl -sf http://127.0.0.1:19193/-/ready >/dev/null && break
  sleep 0.1
done

post() {
  curl -sf -XPOST -H 'Content-Type: application/json' http://127.0.0.1:19193/api/v2/alerts -d "$1"
}
post '[{"labels":{"alertname":"NflogCompatFiring","job":"compat","instance":"a:1"}},
       {"labels":{"alertname":"NflogCompatResolved","job":"compat","instance":"b:2"}}]'
sleep 2
post "[{\"labels\":{\"alertname\":\"NflogCompatResolved\",\"job\":\"compat\",\"instance\":\"b:2\"},
        \"endsAt\":\"$(date -u +%Y-%m-%dT%H:%M:%S.000Z)\"}]"
sleep 3
kill -TERM "$am_pid"
wait "$am_pid" || true
am_pid=""
cp "$work/data/nflog" "$here/nflog_0.25"
cp "$work/webhooks" "$here/nflog_0.25.webhooks"
od -A d -t x1 "$here/nflog_0.25"

#!/bin/sh
# How the webhook_*.json files here were captured from the real Alertmanager 0.25
# (/usr/bin/prometheus-alertmanager, Debian 0.25.0-1). Re-run to refresh them:
#   sh tests/unit/notify/testdata/capture.sh
# It starts a python3 sink on 127.0.0.1:19794 that saves each POST body, the daemon on
# 127.0.0.1:19793 without a cluster, posts the alerts_*.json files (fixed startsAt/endsAt so the
# bodies are reproducible) and copies the bodies next to this script. Everything binds loopback
# and is stopped at the end.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'kill $am_pid $sink_pid 2>/dev/null || true; rm -rf "$work"' EXIT
cd "$work"
mkdir out
cat > sink.py <<'PY'
import http.server, sys, os
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        name = self.path.strip("/").replace("/", "_")
        n = len([f for f in os.listdir("out") if f.startswith(name)])
        open(f"out/{name}.{n}", "wb").write(body)
        self.send_response(200); self.send_header("Content-Length", "0"); self.end_headers()
    def log_message(self, *a): pass
http.server.ThreadingHTTPServer(("127.0.0.1", 19794), H).serve_forever()
PY
/usr/bin/python3 sink.py & sink_pid=$!

run() {  # $1 = config, $2 = external URL flag (may be empty)
  rm -rf data
  /usr/bin/prometheus-alertmanager --config.file="$1" --storage.path=data \
    --web.listen-address=127.0.0.1:19793 --cluster.listen-address= $2 >am.log 2>&1 &
  am_pid=$!
  sleep 1.5
}
post() {  # $1 = API base, $2 = file
  curl -s -XPOST -H 'Content-Type: application/json' --data-binary @"$here/$2" "$1/api/v2/alerts"
}

# 1. Three alerts (one resolved), HTML-unsafe characters, a control byte, U+2028, UTF-8;
#    receiver "team.x-web" (0.25 sends it through regexp.QuoteMeta); max_alerts 2 on a second
#    webhook of the same receiver.
cat > am1.yml <<'YML'
route:
  receiver: team.x-web
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1m
receivers:
- name: team.x-web
  webhook_configs:
  - url: http://127.0.0.1:19794/full
  - url: http://127.0.0.1:19794/truncated
    max_alerts: 2
YML
run am1.yml --web.external-url=http://am.example:9093/prefix
post http://127.0.0.1:19793/prefix alerts_full.json
sleep 2.5
kill $am_pid; wait $am_pid 2>/dev/null || true
cp out/full.0 "$here/webhook_full.json"
cp out/truncated.0 "$here/webhook_truncated.json"

# 2. Two firing alerts with a common annotation, then both resolved (send_resolved default
#    true).
cat > am2.yml <<'YML'
route:
  receiver: web
  group_by: [alertname]
  group_wait: 1s
  group_interval: 2s
receivers:
- name: web
  webhook_configs:
  - url: http://127.0.0.1:19794/resolved
YML
run am2.yml --web.external-url=http://vm:19793
post http://127.0.0.1:19793 alerts_firing.json
sleep 2
post http://127.0.0.1:19793 alerts_resolved.json
sleep 3
kill $am_pid; wait $am_pid 2>/dev/null || true
cp out/resolved.0 "$here/webhook_firing.json"
cp out/resolved.1 "$here/webhook_resolved.json"
echo "captured into $here"

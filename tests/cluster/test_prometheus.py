"""End to end with the real client: Debian's Prometheus 2.42 scrapes a gauge this test serves on
loopback, evaluates `E2EFires: e2e_trigger > 0` every second and sends to all three nodes of a
cluster (static alertmanagers, api v2). Flipping the gauge to 1 must give exactly one firing
webhook notification across the three nodes, with the rule's labels and its rendered annotation;
flipping it back to 0 exactly one resolved notification; and Prometheus's re-sends (every 2 s here,
--rules.alert.resend-delay) of the firing and then the resolved alert must give nothing more.
Also checked: Prometheus's /api/v1/alertmanagers lists all three nodes, every node's
/api/v2/alerts holds the alert while it fires and drops it once resolved, Prometheus reports no
send errors. The same scenario runs against three nodes of Alertmanager 0.25 (REAL_AM) for
comparison; both sets of timings are printed at the end.

group_wait 1 s, group_interval 2 s, repeat_interval 4 h, --cluster.peer-timeout 2 s; scrape and
evaluation interval 1 s."""
import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import unittest

from clustertest import (AM_BIN, REAL_AM, Cluster, Sink, http, is_formed, require_tool, wait_for,
                         webhook_config)
from amtest import free_port

PROMETHEUS = os.environ.get("PROMETHEUS", "/usr/bin/prometheus")
PROMTOOL = os.environ.get("PROMTOOL", "/usr/bin/promtool")

# group_interval == peer_timeout on purpose: a later position's wait then ends right at position
# 0's next tick, so a state change during the wait must still give one notification, not three.
PEER_TIMEOUT = 2
GROUP_INTERVAL = 2
RESEND_DELAY = 2
# Trigger to notification: scrape (<=1 s) + evaluation (<=1 s) + group_wait 1 s + slack.
FIRE_BOUND = 10
# Trigger off to resolved: scrape + evaluation + the next group_interval tick + slack.
RESOLVE_BOUND = 12
# Quiet windows: several re-sends and group_interval ticks, plus the last position's wait.
QUIET = 3 * GROUP_INTERVAL + 2 * PEER_TIMEOUT
ZERO_TIME = "0001-01-01T00:00:00Z"

RULE_LABELS = {"severity": "page", "origin": "e2e"}
JOB = "e2e_trigger_job"

RESULTS = {}


class GaugeServer:
    """Serves `e2e_trigger <value>` on 127.0.0.1; records when each value was first scraped."""

    def __init__(self):
        self.value = 0
        self.lock = threading.Lock()
        self.first_served = {}
        self.scrapes = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):  # noqa: N802 - http.server naming
                with outer.lock:
                    v = outer.value
                    outer.scrapes += 1
                    outer.first_served.setdefault(v, time.monotonic())
                body = (f"# HELP e2e_trigger Set by the test.\n# TYPE e2e_trigger gauge\n"
                        f"e2e_trigger {v}\n").encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def set(self, v):
        with self.lock:
            self.value = v
            self.first_served.pop(v, None)

    def close(self):
        self.server.shutdown()
        self.server.server_close()


class Prometheus:
    """One /usr/bin/prometheus on 127.0.0.1 with its own temporary directory."""

    def __init__(self, scrape_port, am_ports):
        self.dir = tempfile.mkdtemp(prefix="e2e-prom-")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.config_path = os.path.join(self.dir, "prometheus.yml")
        rules_path = os.path.join(self.dir, "rules.yml")
        labels = "".join(f"      {k}: {v}\n" for k, v in RULE_LABELS.items())
        with open(rules_path, "w") as f:
            f.write(f"""groups:
- name: e2e
  rules:
  - alert: E2EFires
    expr: e2e_trigger > 0
    for: 0s
    labels:
{labels}    annotations:
      summary: "e2e trigger {{{{ $value }}}} on {{{{ $labels.instance }}}}"
""")
        targets = ", ".join(f"'127.0.0.1:{p}'" for p in am_ports)
        with open(self.config_path, "w") as f:
            f.write(f"""global:
  scrape_interval: 1s
  scrape_timeout: 1s
  evaluation_interval: 1s
rule_files:
- {rules_path}
scrape_configs:
- job_name: {JOB}
  static_configs:
  - targets: ['127.0.0.1:{scrape_port}']
alerting:
  alertmanagers:
  - api_version: v2
    timeout: 5s
    static_configs:
    - targets: [{targets}]
""")
        self.log_path = os.path.join(self.dir, "prometheus.log")
        self.proc = None
        self.log = None

    def check_config(self):
        r = subprocess.run([PROMTOOL, "check", "config", self.config_path], capture_output=True,
                           text=True, timeout=60)
        return r.returncode, r.stdout + r.stderr

    def start(self):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [PROMETHEUS, f"--config.file={self.config_path}",
             f"--storage.tsdb.path={os.path.join(self.dir, 'data')}",
             f"--web.listen-address=127.0.0.1:{self.port}",
             f"--web.external-url={self.url}/",
             f"--rules.alert.resend-delay={RESEND_DELAY}s", "--log.level=info"],
            stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._ready, timeout=30, what=f"prometheus ready on {self.url}")

    def _ready(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"prometheus exited with {self.proc.returncode}:\n{self.logs()}")
        try:
            return http("GET", self.url + "/-/ready", timeout=1).status == 200
        except OSError:
            return False

    def api(self, path):
        r = http("GET", self.url + path, timeout=5)
        if r.status != 200:
            raise AssertionError(f"prometheus {path}: {r.status} {r.text}")
        return r.json()["data"]

    def metric_by_am(self, name):
        """{alertmanager url: value} of one prometheus_notifications_* counter."""
        out = {}
        for line in http("GET", self.url + "/metrics", timeout=5).text.splitlines():
            if line.startswith(name + "{"):
                key, _, val = line.rpartition(" ")
                am = key.split('alertmanager="', 1)[1].split('"', 1)[0]
                out[am] = float(val)
        return out

    def metric(self, name):
        for line in http("GET", self.url + "/metrics", timeout=5).text.splitlines():
            key, _, val = line.rpartition(" ")
            if key == name:
                return float(val)
        return None

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")[-6000:]
        except OSError:
            return ""

    def cleanup(self):
        try:
            if self.proc and self.proc.poll() is None:
                self.proc.send_signal(signal.SIGTERM)
                try:
                    self.proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        finally:
            if self.log:
                self.log.close()
            shutil.rmtree(self.dir, ignore_errors=True)


def parse_time(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))


def node_alerts(d):
    r = http("GET", d.url + "/api/v2/alerts", timeout=5)
    if r.status != 200:
        raise AssertionError(f"GET /api/v2/alerts on {d.url}: {r.status} {r.text}")
    return [a for a in r.json() if a["labels"].get("alertname") == "E2EFires"]


def summary(sink, t0):
    """(seconds since t0, status, endsAt per alert) of every notification, for failure output."""
    out = []
    for r in list(sink.requests):
        m = r.json()
        out.append((round(r.time - t0, 2), m["status"], [a["endsAt"] for a in m["alerts"]]))
    return out


class PrometheusE2ETest(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        if RESULTS:
            print("\nPrometheus 2.42 -> 3 nodes (trigger->firing notification, "
                  "trigger off->resolved notification, notifications in total):", flush=True)
            for name, r in sorted(RESULTS.items()):
                print(f"  {name:9s} firing {r['fire']:5.2f}s  resolved {r['resolve']:5.2f}s  "
                      f"total {r['total']}", flush=True)

    def test_ours(self):
        self.scenario(AM_BIN, "ours")

    def test_upstream(self):
        require_tool(REAL_AM, "prometheus-alertmanager (Debian package)")
        self.scenario(REAL_AM, "upstream")

    def scenario(self, binary, name):
        require_tool(PROMETHEUS, "prometheus (Debian package prometheus)")
        require_tool(PROMTOOL, "promtool (Debian package prometheus)")
        sink = Sink()
        self.addCleanup(sink.close)
        gauge = GaugeServer()
        self.addCleanup(gauge.close)
        c = Cluster(3, binary=binary,
                    config=webhook_config(sink.url(), group_wait="1s",
                                          group_interval=f"{GROUP_INTERVAL}s",
                                          repeat_interval="4h"),
                    extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(c.cleanup)
        prom = Prometheus(gauge.port, [d.port for d in c.nodes])
        self.addCleanup(prom.cleanup)

        rc, out = prom.check_config()
        self.assertEqual(rc, 0, f"promtool check config:\n{out}")
        self.assertIn("SUCCESS", out)

        c.start()
        wait_for(lambda: is_formed(c.nodes, 3), timeout=30, what=f"cluster formed\n{c.logs()}")
        prom.start()

        t_base = time.monotonic()

        def diag():
            return (f"\nnotifications: {summary(sink, t_base)}\n{c.logs()}\n--- prometheus ---\n"
                    f"{prom.logs()}")

        def bounded(pred, timeout, what):
            try:
                return wait_for(pred, timeout=timeout, interval=0.2, what=what)
            except AssertionError as e:
                raise AssertionError(f"{e}{diag()}") from None

        want_ams = sorted(f"http://127.0.0.1:{d.port}/api/v2/alerts" for d in c.nodes)
        # Prometheus drops alerts while it knows no Alertmanager, so fire only once it knows all
        # three (its discovery manager passes static targets on within about 5 s).
        bounded(lambda: sorted(a["url"] for a in prom.api("/api/v1/alertmanagers")
                               ["activeAlertmanagers"]) == want_ams,
                20, "prometheus to discover all three nodes")
        bounded(lambda: [t["health"] for t in prom.api("/api/v1/targets")["activeTargets"]]
                == ["up"], 15, "scrape target up")
        bounded(lambda: any(r.get("name") == "E2EFires" and r.get("health") == "ok"
                            for g in prom.api("/api/v1/rules")["groups"] for r in g["rules"]),
                15, "rule evaluated")
        self.assertEqual(sink.count(), 0, "notification before the trigger" + diag())

        # Firing.
        t_on = time.monotonic()
        gauge.set(1)
        self.assertGreaterEqual(sink.wait_count(1, timeout=FIRE_BOUND), 1,
                                "no firing notification" + diag())
        fire = round(sink.requests[0].time - t_on, 2)
        scraped_on = round(gauge.first_served[1] - t_on, 2)
        expected_labels = {"alertname": "E2EFires", **RULE_LABELS, "job": JOB,
                           "instance": f"127.0.0.1:{gauge.port}"}
        expected_annotations = {"summary": f"e2e trigger 1 on 127.0.0.1:{gauge.port}"}

        # Every node holds the alert Prometheus sent it, with the same start.
        starts = []
        for d in c.nodes:
            got = bounded(lambda d=d: node_alerts(d), 5, f"E2EFires on {d.url}")
            self.assertEqual(len(got), 1, d.url)
            self.assertEqual(got[0]["labels"], expected_labels, d.url)
            self.assertEqual(got[0]["annotations"], expected_annotations, d.url)
            self.assertEqual(got[0]["status"]["state"], "active", d.url)
            starts.append(parse_time(got[0]["startsAt"]))
        self.assertEqual(len(set(starts)), 1, f"startsAt differ between nodes: {starts}")

        sent_at_first = prom.metric_by_am("prometheus_notifications_sent_total")
        time.sleep(max(0.0, sink.requests[0].time + QUIET - time.monotonic()))
        sent_firing = prom.metric_by_am("prometheus_notifications_sent_total")
        for am in want_ams:
            self.assertGreater(sent_firing.get(am, 0), sent_at_first.get(am, 0),
                               f"Prometheus re-sent nothing to {am} while firing "
                               f"({sent_at_first} -> {sent_firing})")
        self.assertEqual(sink.count(), 1, "expected exactly 1 firing notification across 3 nodes "
                         "(duplicates, or a re-send notified again)" + diag())

        msg = sink.requests[0].json()
        self.assertEqual(msg["status"], "firing")
        self.assertEqual(msg["receiver"], "hook")
        self.assertEqual(msg["groupLabels"], {"alertname": "E2EFires"})
        self.assertEqual(msg["version"], "4")
        self.assertEqual(len(msg["alerts"]), 1, msg)
        a = msg["alerts"][0]
        self.assertEqual(a["status"], "firing")
        self.assertEqual(a["labels"], expected_labels)
        self.assertEqual(a["annotations"], expected_annotations)
        self.assertEqual(msg["commonAnnotations"], expected_annotations)
        self.assertEqual(a["endsAt"], ZERO_TIME)
        self.assertEqual(parse_time(a["startsAt"]), starts[0])
        self.assertTrue(a["generatorURL"].startswith(prom.url + "/graph?g0.expr="),
                        a["generatorURL"])

        # Resolved.
        t_off = time.monotonic()
        gauge.set(0)
        self.assertGreaterEqual(sink.wait_count(2, timeout=RESOLVE_BOUND), 2,
                                "no resolved notification" + diag())
        resolve = round(sink.requests[1].time - t_off, 2)
        scraped_off = round(gauge.first_served[0] - t_off, 2)
        for d in c.nodes:
            bounded(lambda d=d: node_alerts(d) == [], 5, f"E2EFires resolved on {d.url}")
        sent_at_resolved = prom.metric_by_am("prometheus_notifications_sent_total")
        time.sleep(max(0.0, sink.requests[1].time + QUIET - time.monotonic()))
        sent_resolved = prom.metric_by_am("prometheus_notifications_sent_total")
        for am in want_ams:
            self.assertGreater(sent_resolved.get(am, 0), sent_at_resolved.get(am, 0),
                               f"Prometheus re-sent nothing to {am} after resolving")
        self.assertEqual(sink.count(), 2, "more than one resolved notification, or a late one"
                         + diag())

        msg = sink.requests[1].json()
        self.assertEqual(msg["status"], "resolved")
        self.assertEqual(msg["groupLabels"], {"alertname": "E2EFires"})
        self.assertEqual(len(msg["alerts"]), 1, msg)
        a = msg["alerts"][0]
        self.assertEqual(a["status"], "resolved")
        self.assertEqual(a["labels"], expected_labels)
        self.assertEqual(a["annotations"], expected_annotations)
        self.assertEqual(parse_time(a["startsAt"]), starts[0])
        self.assertNotEqual(a["endsAt"], ZERO_TIME)
        self.assertGreater(parse_time(a["endsAt"]), starts[0])
        self.assertEqual(a["fingerprint"], sink.requests[0].json()["alerts"][0]["fingerprint"])

        errors = prom.metric_by_am("prometheus_notifications_errors_total")
        self.assertEqual(errors, {am: 0.0 for am in want_ams}, "Prometheus send errors" + diag())
        self.assertEqual(prom.metric("prometheus_notifications_dropped_total"), 0.0)

        total = sink.count()
        RESULTS[name] = {"fire": fire, "resolve": resolve, "total": total}
        print(f"\n{name}: trigger->scraped {scraped_on}s, ->firing notification {fire}s; "
              f"off->scraped {scraped_off}s, ->resolved notification {resolve}s; "
              f"Prometheus sends per node {sorted(sent_resolved.values())}; "
              f"{total} notifications", flush=True)


if __name__ == "__main__":
    unittest.main()

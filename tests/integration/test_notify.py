"""Integration: notifications end to end through a webhook sink on loopback.

One alert gives exactly one notification after group_wait with the exact 0.25 payload; a second
alert one more after group_interval; repeat_interval repeats; resolves with and without
send_resolved; 500-then-200 delivered once after a retry; 400 not retried and counted; max_alerts;
HTTPS with a CA made at test time, basic auth and bearer token; a loopback HTTP proxy; a receiver
that never answers does not delay another group; a restart on the same --storage.path does not
repeat before repeat_interval.

The daemon is AM_BIN (ours, wired by the lead); with AM_BIN=/usr/bin/prometheus-alertmanager the
same scenarios run against the real 0.25 (tests/notify_vs_upstream.sh does that). With
NOTIFY_REPORT=<file>, each scenario appends its notification counts and payloads (times
normalised) to that file, so the two daemons can be diffed.
"""
import os
import re
import shutil
import signal
import tempfile
import time
import unittest

from amtest import AM_BIN, REAL_AM, Daemon, http, wait_for
from webhook_sink import Sink, TestCA, expected_body, rfc3339

EXTERNAL = "http://am.test:9093"
REPORT = os.environ.get("NOTIFY_REPORT", "")
IS_UPSTREAM = bool(AM_BIN) and os.path.realpath(AM_BIN) == os.path.realpath(REAL_AM)

TIME_RE = re.compile(rb'"(startsAt|endsAt)":"(?!0001-01-01T00:00:00Z)[^"]*"')
PORT_RE = re.compile(r"127\.0\.0\.1:\d+")


def report(name, sinks):
    if not REPORT:
        return
    with open(REPORT, "a") as f:
        for label, sink in sinks.items():
            f.write(f"{name} {label}: requests={sink.count()}\n")
            # Concurrent integrations post in any order: sort by path, keep order otherwise.
            for r in sorted(sink.requests, key=lambda r: r.path):
                body = TIME_RE.sub(rb'"\1":"<time>"', r.body)
                path = PORT_RE.sub("127.0.0.1:<port>", r.path)
                ua = r.header("User-Agent") or ""
                f.write(f"  {r.method} {path} ua={ua.split('+')[0]} "
                        f"auth={'yes' if r.header('Authorization') else 'no'}\n")
                f.write("      " + body.decode("utf-8", "replace").rstrip("\n") + "\n")


def route_config(receivers, group_wait="1s", group_interval="1m", repeat_interval="4h",
                 routes="", group_by="[alertname]"):
    return f"""
route:
  receiver: {receivers[0][0]}
  group_by: {group_by}
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: {repeat_interval}
{routes}
receivers:
""" + "".join(f"- name: {name}\n{body}" for name, body in receivers)


def webhook(url, extra=""):
    return f"  webhook_configs:\n  - url: {url}\n{extra}"


def alert(name, n="1", starts=None, ends=None, **labels):
    a = {"labels": {"alertname": name, "n": n, **labels},
         "annotations": {"summary": f"{name} {n} <fired> & more"},
         "startsAt": starts or rfc3339(time.time()),
         "generatorURL": "http://prom:9090/graph?g0.expr=up&g0.tab=1"}
    if ends:
        a["endsAt"] = ends
        a["status"] = "resolved"
    return a


def post(d, alerts):
    body = [{k: v for k, v in a.items() if k != "status"} for a in alerts]
    r = d.post("/api/v2/alerts", body)
    if r.status != 200:
        raise AssertionError(f"POST /api/v2/alerts: {r.status} {r.text}")


def failed_total(d, reason):
    """alertmanager_notifications_failed_total for webhook; `reason` when the daemon has the
    label (0.26+ and ours), else the only series 0.25 has."""
    total = 0.0
    for line in d.get("/metrics").text.splitlines():
        if not line.startswith('alertmanager_notifications_failed_total{'):
            continue
        labels, _, val = line.rpartition(" ")
        if 'integration="webhook"' not in labels:
            continue
        if 'reason="' in labels and f'reason="{reason}"' not in labels:
            continue
        total += float(val)
    return total


class NotifyTest(unittest.TestCase):
    def setUp(self):
        self.cleanups = []

    def tearDown(self):
        for c in reversed(self.cleanups):
            try:
                c()
            except Exception:  # noqa: BLE001 - keep cleaning up
                pass

    def sink(self, *args, **kw):
        s = Sink(*args, **kw)
        self.cleanups.append(s.close)
        return s

    def daemon(self, config, storage=None):
        d = Daemon(config, extra_args=[f"--web.external-url={EXTERNAL}"], storage=storage)
        self.cleanups.append(d.cleanup)
        d.start()
        return d

    def assertBody(self, got, want):
        self.assertEqual(got.decode("utf-8", "replace"), want.decode("utf-8", "replace"))

    def test_one_alert_one_notification_after_group_wait_with_exact_payload(self):
        s = self.sink()
        d = self.daemon(route_config([("web", webhook(s.url()))], group_wait="2s"))
        a = alert("NotifyOne")
        t0 = time.monotonic()
        post(d, [a])
        time.sleep(1.0)
        self.assertEqual(s.count(), 0, "notified before group_wait")
        self.assertEqual(s.wait_count(1, 10), 1)
        took = s.requests[0].time - t0
        self.assertGreaterEqual(took, 1.8)
        self.assertLess(took, 5.0)
        time.sleep(2.0)
        self.assertEqual(s.count(), 1, "more than one notification")
        r = s.requests[0]
        self.assertEqual(r.method, "POST")
        self.assertEqual(r.path, "/hook")
        self.assertEqual(r.header("Content-Type"), "application/json")
        self.assertTrue((r.header("User-Agent") or "").startswith("Alertmanager/0.25.0"),
                        r.header("User-Agent"))
        self.assertBody(r.body, expected_body("web", [a], {"alertname": "NotifyOne"}, EXTERNAL,
                                              '{}:{alertname="NotifyOne"}'))
        report("one_alert", {"web": s})

    def test_second_alert_one_more_after_group_interval(self):
        s = self.sink()
        d = self.daemon(route_config([("web", webhook(s.url()))], group_interval="3s"))
        a1 = alert("Grouped", "1")
        post(d, [a1])
        self.assertEqual(s.wait_count(1, 10), 1)
        t1 = s.requests[0].time
        a2 = alert("Grouped", "2")
        post(d, [a2])
        self.assertEqual(s.wait_count(2, 10), 2)
        gap = s.requests[1].time - t1
        self.assertGreaterEqual(gap, 2.5, "second notification before group_interval")
        self.assertLess(gap, 6.0)
        time.sleep(1.0)
        self.assertEqual(s.count(), 2)
        self.assertBody(s.requests[1].body,
                        expected_body("web", [a1, a2], {"alertname": "Grouped"}, EXTERNAL,
                                      '{}:{alertname="Grouped"}'))
        report("second_alert", {"web": s})

    def test_repeat_interval_repeats(self):
        s = self.sink()
        d = self.daemon(route_config([("web", webhook(s.url()))], group_interval="1s",
                                     repeat_interval="3s"))
        post(d, [alert("Repeat")])
        self.assertEqual(s.wait_count(1, 10), 1)
        time.sleep(9.0)
        n = s.count()
        # Dedup checks at each group_interval tick, so the 3s repeat becomes every ~4s.
        self.assertGreaterEqual(n, 2)
        self.assertLessEqual(n, 4)
        times = [r.time for r in s.requests]
        for a, b in zip(times, times[1:]):
            self.assertGreaterEqual(b - a, 2.5)
        self.assertEqual(len(set(s.bodies())), 1, "repeats carry the same payload")
        report("repeat", {"web": s})

    def _resolve(self, send_resolved):
        s = self.sink()
        extra = "" if send_resolved else "    send_resolved: false\n"
        d = self.daemon(route_config([("web", webhook(s.url(), extra))], group_interval="1s"))
        a = alert("Resolve")
        post(d, [a])
        self.assertEqual(s.wait_count(1, 10), 1)
        r = dict(a, endsAt=rfc3339(time.time()), status="resolved")
        post(d, [r])
        if send_resolved:
            self.assertEqual(s.wait_count(2, 10), 2)
            self.assertBody(s.requests[1].body,
                            expected_body("web", [r], {"alertname": "Resolve"}, EXTERNAL,
                                          '{}:{alertname="Resolve"}'))
            time.sleep(3.0)
            self.assertEqual(s.count(), 2)
        else:
            time.sleep(4.0)
            self.assertEqual(s.count(), 1)
        return s

    def test_resolve_with_send_resolved_one_resolved_notification(self):
        report("resolve_send_resolved", {"web": self._resolve(True)})

    def test_resolve_without_send_resolved_none(self):
        report("resolve_no_send_resolved", {"web": self._resolve(False)})

    def test_500_then_200_delivered_once_after_a_retry(self):
        s = self.sink(statuses=[500, 200])
        d = self.daemon(route_config([("web", webhook(s.url()))]))
        post(d, [alert("Retry")])
        self.assertEqual(s.wait_count(2, 10), 2)
        self.assertEqual(s.requests[0].body, s.requests[1].body)
        gap = s.requests[1].time - s.requests[0].time
        self.assertGreaterEqual(gap, 0.2)  # 500ms ± 50%
        self.assertLess(gap, 2.0)
        time.sleep(3.0)
        self.assertEqual(s.count(), 2)
        self.assertEqual(failed_total(d, "serverError"), 0)
        report("retry_500_200", {"web": s})

    def test_400_not_retried_and_counted(self):
        s = self.sink(statuses=[400])
        d = self.daemon(route_config([("web", webhook(s.url()))]))
        post(d, [alert("Bad")])
        self.assertEqual(s.wait_count(1, 10), 1)
        time.sleep(4.0)
        self.assertEqual(s.count(), 1, "a 400 was retried")
        wait_for(lambda: failed_total(d, "clientError") == 1, timeout=5,
                 what="notifications_failed_total{reason=clientError} = 1")
        report("no_retry_400", {"web": s})

    def test_max_alerts_truncates(self):
        s = self.sink()
        d = self.daemon(route_config([("web", webhook(s.url(), "    max_alerts: 2\n"))]))
        now = time.time()
        alerts = [alert("Many", str(i), starts=rfc3339(now)) for i in (1, 2, 3)]
        post(d, alerts)
        self.assertEqual(s.wait_count(1, 10), 1)
        body = s.requests[0].json()
        self.assertEqual(body["truncatedAlerts"], 1)
        self.assertEqual(len(body["alerts"]), 2)
        self.assertBody(s.requests[0].body,
                        expected_body("web", alerts[:2], {"alertname": "Many"}, EXTERNAL,
                                      '{}:{alertname="Many"}', truncated=1))
        report("max_alerts", {"web": s})

    def test_https_with_test_ca_basic_auth_and_bearer(self):
        try:
            ca = TestCA("sink.test")
        except FileNotFoundError:
            self.skipTest("openssl CLI not installed")
        self.cleanups.append(ca.cleanup)
        s = self.sink(tls=ca.server_context())
        tls = f"      tls_config:\n        ca_file: {ca.ca_file}\n"
        body = (
            f"  webhook_configs:\n"
            f"  - url: {s.url('/basic')}\n"
            f"    http_config:\n"
            f"      basic_auth:\n        username: alice\n        password: s3cret\n{tls}"
            f"  - url: {s.url('/bearer')}\n"
            f"    http_config:\n"
            f"      authorization:\n        credentials: t0ken\n{tls}"
            f"        server_name: sink.test\n")
        d = self.daemon(route_config([("tls", body)]))
        a = alert("Tls")
        post(d, [a])
        self.assertEqual(s.wait_count(2, 10), 2)
        time.sleep(1.0)
        self.assertEqual(s.count(), 2)
        by_path = {r.path: r for r in s.requests}
        self.assertEqual(by_path["/basic"].header("Authorization"), "Basic YWxpY2U6czNjcmV0")
        self.assertEqual(by_path["/bearer"].header("Authorization"), "Bearer t0ken")
        want = expected_body("tls", [a], {"alertname": "Tls"}, EXTERNAL, '{}:{alertname="Tls"}')
        for r in s.requests:
            self.assertBody(r.body, want)
        report("https_auth", {"tls": s})

    def test_https_without_the_ca_is_refused(self):
        try:
            ca = TestCA("sink.test")
        except FileNotFoundError:
            self.skipTest("openssl CLI not installed")
        self.cleanups.append(ca.cleanup)
        s = self.sink(tls=ca.server_context())
        d = self.daemon(route_config([("tls", webhook(s.url()))]))
        post(d, [alert("NoCa")])
        time.sleep(3.0)
        self.assertEqual(s.count(), 0, "an unverified TLS peer got the notification")

    def test_loopback_http_proxy(self):
        s = self.sink()
        proxy = self.sink(forward=True)
        extra = f"    http_config:\n      proxy_url: {proxy.url('')}\n"
        d = self.daemon(route_config([("web", webhook(s.url("/via-proxy"), extra))]))
        a = alert("Proxied")
        post(d, [a])
        self.assertEqual(s.wait_count(1, 10), 1)
        self.assertEqual(proxy.count(), 1)
        self.assertEqual(proxy.requests[0].path, s.url("/via-proxy"))
        self.assertBody(s.requests[0].body,
                        expected_body("web", [a], {"alertname": "Proxied"}, EXTERNAL,
                                      '{}:{alertname="Proxied"}'))
        report("proxy", {"sink": s, "proxy": proxy})

    def test_receiver_that_never_answers_does_not_delay_another_group(self):
        dead = self.sink(statuses=[None])
        alive = self.sink()
        routes = """  routes:
  - matchers: ['team="dead"']
    receiver: dead
  - matchers: ['team="alive"']
    receiver: alive"""
        d = self.daemon(route_config([("dead", webhook(dead.url())),
                                      ("alive", webhook(alive.url()))],
                                     routes=routes, group_by="[team]"))
        # The dead group first, so it is already stuck when the other flushes.
        post(d, [alert("Stuck", team="dead")])
        self.assertEqual(dead.wait_count(1, 10), 1)
        t0 = time.monotonic()
        post(d, [alert("Fine", team="alive")])
        self.assertEqual(alive.wait_count(1, 10), 1)
        self.assertLess(alive.requests[0].time - t0, 3.0)
        report("dead_receiver", {"alive": alive})

    def test_restart_on_same_storage_does_not_repeat(self):
        s = self.sink()
        storage = tempfile.mkdtemp(prefix="notify-storage-")
        self.cleanups.append(lambda: shutil.rmtree(storage, ignore_errors=True))
        cfg = route_config([("web", webhook(s.url()))], group_interval="1s")
        d1 = self.daemon(cfg, storage=storage)
        a = alert("Restart")
        post(d1, [a])
        self.assertEqual(s.wait_count(1, 10), 1)
        # The log entry is written after the receiver answered: give the daemon a moment.
        time.sleep(1.0)
        d1.stop(signal.SIGTERM)
        self.assertTrue(os.path.exists(os.path.join(storage, "nflog")), "no nflog snapshot")
        d2 = self.daemon(cfg, storage=storage)
        post(d2, [a])  # Prometheus re-sends its active alerts
        time.sleep(5.0)
        self.assertEqual(s.count(), 1, "notification repeated after restart")
        # The restarted daemon still notifies about something new.
        post(d2, [alert("Restart", "2")])
        self.assertEqual(s.wait_count(2, 10), 2)
        report("restart", {"web": s})


if __name__ == "__main__":
    unittest.main()

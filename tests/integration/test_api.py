"""Integration: the built daemon on loopback, API v2 and v1 checked field by field, bad requests,
reload (SIGHUP and /-/reload), limits and timeouts, the GET concurrency limit."""
import json
import os
import re
import signal
import socket
import threading
import time
import unittest

from amtest import Daemon, http, raw_socket, socket_closed_within, wait_for

CONFIG = """
global:
  resolve_timeout: 7m
route:
  receiver: default
  group_by: [alertname]
  routes:
    - matchers: ['team="db"']
      receiver: db
      continue: true
    - matchers: ['severity=~"crit|page"']
      receiver: pager
receivers:
  - name: default
  - name: db
  - name: pager
    webhook_configs:
      - url: http://127.0.0.1:9/hook
"""

RFC3339_MS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class ApiTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.d = Daemon(CONFIG, env={"AM_WEB_READ_TIMEOUT": "2s", "AM_WEB_IDLE_TIMEOUT": "2s",
                                    "AM_WEB_BODY_LIMIT": "65536"}).start()

    @classmethod
    def tearDownClass(cls):
        cls.d.cleanup()

    def test_post_and_get_v2_field_by_field(self):
        d = self.d
        r = d.post("/api/v2/alerts", [{
            "labels": {"alertname": "DiskFull", "team": "db", "severity": "crit", "empty": ""},
            "annotations": {"summary": "disk is full"},
            "generatorURL": "http://prom/graph?g0.expr=up",
            "startsAt": "2026-01-02T03:04:05.678901Z"}])
        self.assertEqual(r.status, 200, r.text)
        self.assertEqual(r.body, b"")
        alerts = d.get("/api/v2/alerts?filter=alertname%3D%22DiskFull%22").json()
        self.assertEqual(len(alerts), 1)
        a = alerts[0]
        # Key order as 0.25 writes it.
        self.assertEqual(list(a.keys()), ["annotations", "endsAt", "fingerprint", "receivers",
                                          "startsAt", "status", "updatedAt", "generatorURL",
                                          "labels"])
        self.assertEqual(a["labels"], {"alertname": "DiskFull", "team": "db", "severity": "crit"})
        self.assertEqual(a["annotations"], {"summary": "disk is full"})
        self.assertEqual(a["generatorURL"], "http://prom/graph?g0.expr=up")
        self.assertEqual(a["startsAt"], "2026-01-02T03:04:05.678Z")
        self.assertRegex(a["endsAt"], RFC3339_MS)
        self.assertRegex(a["updatedAt"], RFC3339_MS)
        self.assertRegex(a["fingerprint"], r"^[0-9a-f]{16}$")
        # continue on the db route, then the pager route.
        self.assertEqual(a["receivers"], [{"name": "db"}, {"name": "pager"}])
        self.assertEqual(a["status"], {"inhibitedBy": [], "silencedBy": [], "state": "active"})

    def test_resolve_timeout_applied(self):
        d = self.d
        before = time.time()
        self.assertEqual(d.post("/api/v2/alerts", [{"labels": {"alertname": "RT"}}]).status, 200)
        a = d.get("/api/v2/alerts?filter=alertname%3DRT").json()[0]
        ends = time.mktime(time.strptime(a["endsAt"][:19], "%Y-%m-%dT%H:%M:%S")) - time.timezone
        self.assertAlmostEqual(ends - before, 7 * 60, delta=5)

    def test_bad_requests_v2(self):
        d = self.d
        cases = [
            ('[{"labels":{}}]', 400, '"at least one label pair required"\n'),
            ('[{"annotations":{"a":"b"}}]', 422,
             '{"code":602,"message":"0.labels in body is required"}'),
            ('[{"labels":{"a":"b"},"generatorURL":"not a url"}]', 422,
             '{"code":601,"message":"0.generatorURL in body must be of type uri: \\"not a url\\""}'),
            ('', 422, '{"code":602,"message":"alerts in body is required"}'),
            ('[{"labels":{"0bad":"x"}}]', 400, '"invalid label set: invalid name \\"0bad\\""\n'),
            ('[{"labels":{"a":"b"},"annotations":{"0x":"1"}}]', 400,
             '"invalid annotations: invalid name \\"0x\\""\n'),
            ('[{"labels":{"a":"b"},"startsAt":"2026-01-02T00:00:00Z","endsAt":"2025-01-01T00:00:00Z"}]',
             400, '"start time must be before end time"\n'),
        ]
        for body, status, want in cases:
            with self.subTest(body=body):
                r = d.post("/api/v2/alerts", body)
                self.assertEqual(r.status, status, r.text)
                self.assertEqual(r.text, want)
                self.assertEqual(r.headers.get("Content-Type"), "application/json")
                self.assertEqual(r.headers.get("Vary"), "Origin")
        for body in ['[{"labels":{"a":"b"}', '{"labels":{"a":"b"}}', '[{"labels":{"a":5}}]',
                     '[{"labels":{"a":"b"},"startsAt":"yesterday"}]']:
            with self.subTest(body=body):
                r = d.post("/api/v2/alerts", body)
                self.assertEqual(r.status, 400, r.text)
                j = r.json()
                self.assertEqual(j["code"], 400)
                self.assertIn("parsing alerts body failed", j["message"])
        r = d.post("/api/v2/alerts", '[{"labels":{"a":"b"}}]',
                   headers={"Content-Type": "text/plain"})
        self.assertEqual(r.status, 415)
        self.assertEqual(r.json()["message"],
                         'unsupported media type "text/plain", only [application/json] are allowed')

    def test_mixed_batch_keeps_valid_alerts(self):
        d = self.d
        r = d.post("/api/v2/alerts", [{"labels": {}}, {"labels": {"alertname": "MixedOK"}},
                                      {"labels": {"1x": "y"}}])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(),
                         'at least one label pair required; invalid label set: invalid name "1x"')
        self.assertEqual(len(d.get("/api/v2/alerts?filter=alertname%3DMixedOK").json()), 1)

    def test_get_filters_and_errors(self):
        d = self.d
        d.post("/api/v2/alerts", [{"labels": {"alertname": "F1", "severity": "page"}},
                                  {"labels": {"alertname": "F2"}}])
        r = d.get("/api/v2/alerts?filter=foo")
        self.assertEqual(r.status, 400)
        self.assertIsInstance(r.json(), str)
        r = d.get("/api/v2/alerts?receiver=((")
        self.assertEqual(r.status, 400)
        self.assertTrue(r.json().startswith("failed to parse receiver param: error parsing regexp"))
        names = {a["labels"]["alertname"] for a in d.get("/api/v2/alerts?receiver=pager").json()}
        self.assertIn("F1", names)
        self.assertNotIn("F2", names)
        self.assertEqual(d.get("/api/v2/alerts?active=false&filter=alertname%3DF2").json(), [])
        # Repeated filters AND together.
        got = d.get("/api/v2/alerts?filter=alertname%3D~%22F.%22&filter=severity%3Dpage").json()
        self.assertEqual([a["labels"]["alertname"] for a in got], ["F1"])

    def test_groups_receivers_status(self):
        d = self.d
        d.post("/api/v2/alerts", [{"labels": {"alertname": "G", "instance": "a"}},
                                  {"labels": {"alertname": "G", "instance": "b"}}])
        groups = d.get("/api/v2/alerts/groups?filter=alertname%3DG").json()
        self.assertEqual(len(groups), 1)
        g = groups[0]
        self.assertEqual(list(g.keys()), ["alerts", "labels", "receiver"])
        self.assertEqual(g["labels"], {"alertname": "G"})
        self.assertEqual(g["receiver"], {"name": "default"})
        self.assertEqual([a["labels"]["instance"] for a in g["alerts"]], ["a", "b"])
        self.assertEqual(d.get("/api/v2/receivers").json(),
                         [{"name": "default"}, {"name": "db"}, {"name": "pager"}])
        st = d.get("/api/v2/status").json()
        self.assertEqual(list(st.keys()), ["cluster", "config", "uptime", "versionInfo"])
        self.assertEqual(st["cluster"], {"peers": [], "status": "disabled"})
        self.assertIn("resolve_timeout: 7m", st["config"]["original"])
        # 0.25 shows the webhook URL (0.26+ masks it; 0.25's amtool cannot parse the mask).
        self.assertIn("url: http://127.0.0.1:9/hook", st["config"]["original"])
        self.assertRegex(st["uptime"], RFC3339_MS)
        self.assertTrue(st["versionInfo"]["version"].startswith("0.25.0"))
        self.assertEqual(sorted(st["versionInfo"].keys()),
                         ["branch", "buildDate", "buildUser", "goVersion", "revision", "version"])

    def test_v1(self):
        d = self.d
        r = d.post("/api/v1/alerts", [{"labels": {"alertname": "V1A"}}])
        self.assertEqual((r.status, r.json()), (200, {"status": "success"}))
        self.assertEqual(r.headers.get("Access-Control-Allow-Origin"), "*")
        r = d.post("/api/v1/alerts", [{"labels": {}}])
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json(), {"status": "error", "errorType": "bad_data",
                                    "error": "at least one label pair required"})
        r = d.post("/api/v1/alerts", '[{"labels":{"a":"b"}')
        self.assertEqual((r.status, r.json()["errorType"]), (400, "bad_data"))
        data = d.get("/api/v1/alerts?filter=alertname%3DV1A").json()
        self.assertEqual(data["status"], "success")
        a = data["data"][0]
        self.assertEqual(list(a.keys()), ["labels", "annotations", "startsAt", "endsAt",
                                          "generatorURL", "status", "receivers", "fingerprint"])
        self.assertEqual(a["status"], {"state": "active", "silencedBy": None, "inhibitedBy": None})
        self.assertEqual(a["receivers"], ["default"])
        self.assertEqual(a["generatorURL"], "")
        self.assertEqual(d.get("/api/v1/receivers").json(),
                         {"status": "success", "data": ["default", "db", "pager"]})
        st = d.get("/api/v1/status").json()["data"]
        self.assertEqual(list(st.keys()), ["configYAML", "configJSON", "versionInfo", "uptime",
                                           "clusterStatus"])
        self.assertIsNone(st["clusterStatus"])
        self.assertEqual(st["configJSON"]["route"]["receiver"], "default")
        r = d.get("/api/v1/alerts?filter=foo")
        self.assertEqual(r.status, 400)
        self.assertEqual(r.json()["errorType"], "bad_data")

    def test_not_found_and_methods(self):
        d = self.d
        r = http("DELETE", d.url + "/api/v2/alerts")
        self.assertEqual(r.status, 405)
        self.assertEqual(r.json(), {"code": 405,
                                    "message": "method DELETE is not allowed, but [GET,POST] are"})
        r = d.get("/api/v2/nope")
        self.assertEqual(r.status, 404)
        self.assertEqual(r.json(), {"code": 404, "message": "path /api/v2/nope was not found"})
        self.assertEqual(d.get("/-/healthy").text, "OK")
        self.assertEqual(d.get("/-/ready").status, 200)
        self.assertEqual(d.get("/").status, 200)
        self.assertIn("alertmanager_build_info", d.get("/metrics").text)

    def test_metrics(self):
        d = self.d
        before = d.metric("alertmanager_alerts_received_total",
                          {"status": "firing", "version": "v2"}) or 0
        d.post("/api/v2/alerts", [{"labels": {"alertname": "M1"}}, {"labels": {}}])
        self.assertEqual(d.metric("alertmanager_alerts_received_total",
                                  {"status": "firing", "version": "v2"}), before + 2)
        self.assertGreaterEqual(d.metric("alertmanager_alerts_invalid_total", {"version": "v2"}), 1)
        self.assertEqual(d.metric("alertmanager_config_last_reload_successful"), 1)
        self.assertGreater(d.metric("process_resident_memory_bytes"), 0)
        self.assertGreaterEqual(d.metric("alertmanager_alerts", {"state": "active"}), 1)
        self.assertEqual(d.metric("alertmanager_alerts", {"state": "suppressed"}), 0)
        self.assertIsNotNone(d.metric("alertmanager_http_requests_in_flight", {"method": "get"}))

    def test_body_over_limit_is_refused(self):
        d = self.d
        big = '[{"labels":{"alertname":"Big","x":"' + "y" * 70000 + '"}}]'
        r = d.post("/api/v2/alerts", big)
        self.assertEqual(r.status, 413)
        self.assertEqual(d.get("/api/v2/alerts?filter=alertname%3DBig").json(), [])
        self.assertEqual(d.get("/-/healthy").status, 200)

    def test_slowloris_is_cut(self):
        with raw_socket(self.d.port) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n")
            start = time.monotonic()
            closed = False
            while time.monotonic() - start < 6:
                try:
                    s.sendall(b"X")  # one header byte at a time
                except OSError:
                    closed = True
                    break
                if socket_closed_within(s, 0.5):
                    closed = True
                    break
            self.assertTrue(closed, "slow client was not cut")
            self.assertLess(time.monotonic() - start, 5.5)

    def test_idle_connection_is_closed(self):
        with raw_socket(self.d.port) as s:
            s.sendall(b"GET /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n")
            time.sleep(0.2)
            first = s.recv(65536)
            self.assertIn(b"200 OK", first)
            self.assertTrue(socket_closed_within(s, 5), "idle keep-alive connection stayed open")


class ReloadTest(unittest.TestCase):
    def test_sighup_with_broken_config_keeps_old(self):
        with Daemon(CONFIG) as d:
            self.assertEqual(d.metric("alertmanager_config_last_reload_successful"), 1)
            d.write_config("route: [\n")
            d.send_signal(signal.SIGHUP)
            wait_for(lambda: d.metric("alertmanager_config_last_reload_successful") == 0,
                     timeout=5, what="reload metric 0")
            # Old config still serves.
            self.assertEqual(len(d.get("/api/v2/receivers").json()), 3)
            self.assertIn("Loading configuration file failed", d.logs())
            r = d.post("/-/reload")
            self.assertEqual(r.status, 500)
            self.assertTrue(r.text.startswith("failed to reload config: "), r.text)
            d.write_config("route:\n  receiver: only\nreceivers:\n  - name: only\n")
            r = d.post("/-/reload")
            self.assertEqual(r.status, 200, r.text)
            self.assertEqual(d.get("/api/v2/receivers").json(), [{"name": "only"}])
            self.assertEqual(d.metric("alertmanager_config_last_reload_successful"), 1)
            d.post("/api/v2/alerts", [{"labels": {"alertname": "AfterReload"}}])
            self.assertEqual(d.get("/api/v2/alerts")
                             .json()[0]["receivers"], [{"name": "only"}])

    def test_sigterm_exits_cleanly(self):
        d = Daemon(CONFIG).start()
        try:
            self.assertEqual(d.stop(signal.SIGTERM), 0)
        finally:
            d.cleanup()

    def test_bad_config_at_start_exits_1(self):
        d = Daemon("route: {}\n")
        try:
            d.start(wait=False)
            d.proc.wait(timeout=10)
            self.assertEqual(d.proc.returncode, 1)
            self.assertIn("Loading configuration file failed", d.logs())
        finally:
            d.cleanup()


class ConcurrencyTest(unittest.TestCase):
    def test_get_concurrency_limit_answers_503(self):
        with Daemon(CONFIG, extra_args=["--web.get-concurrency=1"]) as d:
            batch = [{"labels": {"alertname": f"C{i}", "instance": f"host-{i}",
                                 "job": "node", "extra": "x" * 40}} for i in range(2000)]
            for _ in range(5):
                d.post("/api/v2/alerts", batch)
            codes, texts = [], []
            lock = threading.Lock()

            def hammer():
                for _ in range(15):
                    r = d.get("/api/v2/alerts")
                    with lock:
                        codes.append(r.status)
                        if r.status == 503:
                            texts.append(r.text)

            threads = [threading.Thread(target=hammer) for _ in range(6)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=60)
            self.assertIn(503, codes)
            self.assertIn(200, codes)
            self.assertEqual(texts[0],
                             "Limit of concurrent GET requests reached (1), try again later.\n\n")
            self.assertGreaterEqual(
                d.metric("alertmanager_http_concurrency_limit_exceeded_total", {"method": "get"}), 1)


if __name__ == "__main__":
    unittest.main()

"""Integration: the real amtool against our daemon (alert add/query, config show, through a route
prefix, no version warning), and our own command line (flags, --version, check-config)."""
import os
import subprocess
import tempfile
import unittest

from amtest import AMTOOL, AM_BIN, Daemon, require_tool, wait_for

CONFIG = """
route:
  receiver: team
  group_by: ['...']
  group_wait: 10s
receivers:
  - name: team
    webhook_configs:
      - url: http://127.0.0.1:9/hook
        send_resolved: false
"""


def run(args, timeout=20, **kw):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kw)


class AmtoolTest(unittest.TestCase):
    def setUp(self):
        require_tool(AMTOOL, "amtool (Debian package prometheus-alertmanager)")

    def amtool(self, d, *args):
        return run([AMTOOL, f"--alertmanager.url={d.url}", *args])

    def check_amtool_flow(self, d):
        r = self.amtool(d, "alert", "add", "AmtoolAlert", "severity=warning", "team=ops",
                        "--annotation=summary=from amtool")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("Warning", r.stderr)
        r = self.amtool(d, "alert", "query", "-o", "extended")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn("AmtoolAlert", r.stdout)
        self.assertIn("severity=\"warning\"", r.stdout)
        self.assertIn("summary=\"from amtool\"", r.stdout)
        r = self.amtool(d, "alert", "query", "severity=critical")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertNotIn("AmtoolAlert", r.stdout)
        r = self.amtool(d, "-o", "json", "alert", "query", "team=ops")
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertIn('"alertname":"AmtoolAlert"', r.stdout)

    def test_alert_add_and_query(self):
        with Daemon(CONFIG) as d:
            self.check_amtool_flow(d)

    def test_through_route_prefix(self):
        with Daemon(CONFIG, extra_args=["--web.route-prefix=/am"], route_prefix="/am") as d:
            self.check_amtool_flow(d)
            # Outside the prefix nothing is served.
            from amtest import http
            self.assertEqual(http("GET", f"http://127.0.0.1:{d.port}/api/v2/status").status, 404)

    def test_config_show_loads_again(self):
        with Daemon(CONFIG) as d:
            r = self.amtool(d, "config", "show")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertIn("receiver: team", r.stdout)
            self.assertIn("group_wait: 10s", r.stdout)
            self.assertIn("url: http://127.0.0.1:9/hook", r.stdout)
            with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
                f.write(r.stdout)
            try:
                c = run([AM_BIN, "check-config", f.name])
                self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
                c = run([AMTOOL, "check-config", f.name])
                self.assertEqual(c.returncode, 0, c.stdout + c.stderr)
            finally:
                os.unlink(f.name)

    def test_cluster_show_and_no_version_warning(self):
        with Daemon(CONFIG) as d:
            r = self.amtool(d, "config", "routes")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertNotIn("Warning: amtool version", r.stderr)
            self.assertIn("team", r.stdout)
            r = self.amtool(d, "config", "routes", "test", "alertname=X")
            self.assertEqual(r.returncode, 0, r.stderr)
            self.assertEqual(r.stdout.strip(), "team")


class CommandLineTest(unittest.TestCase):
    def test_version(self):
        r = run([AM_BIN, "--version"])
        self.assertEqual(r.returncode, 0)
        self.assertTrue(r.stdout.startswith("alertmanager, version 0.25.0"), r.stdout)

    def test_unknown_flag_exits_1_naming_it(self):
        r = run([AM_BIN, "--no.such.flag=1"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("unknown long flag '--no.such.flag'", r.stderr)

    def test_unimplemented_flags_are_refused(self):
        for flag in ["--web.config.file=/etc/web.yml", "--web.systemd-socket",
                     "--alerts.per-alertname-limit=10", "--auto-gomemlimit.ratio=0.5",
                     "--enable-feature=receiver-name-in-metrics"]:
            with self.subTest(flag=flag):
                r = run([AM_BIN, flag, "--config.file=/nonexistent"])
                self.assertEqual(r.returncode, 1)
                name = flag.split("=")[0].lstrip("-")
                if name == "enable-feature":
                    name = "receiver-name-in-metrics"
                self.assertIn(name, r.stderr)

    def test_feature_flags(self):
        r = run([AM_BIN, "--enable-feature=classic-mode,utf8-strict-mode"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("cannot have both classic and UTF-8 modes enabled", r.stderr)
        r = run([AM_BIN, "--enable-feature=bogus"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("bogus", r.stderr)

    def test_bad_duration_flag(self):
        r = run([AM_BIN, "--data.retention=5x"])
        self.assertEqual(r.returncode, 1)
        self.assertIn("data.retention", r.stderr)

    def test_check_config(self):
        root = os.path.join(os.path.dirname(__file__), "..", "..", "config")
        good = os.path.join(root, "alertmanager.yml")
        r = run([AM_BIN, "check-config", good])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("SUCCESS", r.stdout)
        with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as f:
            f.write("route:\n  receiver: nope\nreceivers:\n  - name: x\n")
        try:
            r = run([AM_BIN, "check-config", f.name])
            self.assertEqual(r.returncode, 1)
            self.assertIn("nope", r.stdout + r.stderr)
        finally:
            os.unlink(f.name)

    def test_log_line_shape(self):
        d = Daemon(CONFIG)
        try:
            d.start()
            d.stop()
            first = d.logs().splitlines()[0]
            self.assertRegex(first, r'^ts=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z caller=\S+:\d+ '
                                    r'level=info msg="Starting Alertmanager" version=')
            self.assertRegex(d.logs(), r'level=info component=configuration msg="Loading '
                                       r'configuration file" file=')
        finally:
            d.cleanup()


if __name__ == "__main__":
    unittest.main()

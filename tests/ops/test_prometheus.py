"""deploy/prometheus: promtool accepts the files, the alerting block lists every replica directly,
and a real Prometheus run with prometheus-static.yml (addresses moved to loopback) delivers
every alert to every one of three real replicas (DAEMON, Debian's 0.25 by default).
"""
import os
import shutil
import subprocess
import tempfile
import unittest

import opstest
from opstest import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PDIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "deploy", "prometheus")
PROMTOOL = shutil.which("promtool") or "/usr/bin/promtool"
PROMETHEUS = shutil.which("prometheus") or "/usr/bin/prometheus"
DAEMON = opstest.DAEMON or "/usr/bin/prometheus-alertmanager"
VM_TARGETS = ["10.0.0.1:9093", "10.0.0.2:9093", "10.0.0.3:9093"]


def read(name):
    with open(os.path.join(PDIR, name)) as f:
        return f.read()


class PrometheusWiringTest(unittest.TestCase):
    def test_promtool_accepts_configs_and_rules(self):
        opstest.require_path(PROMTOOL, "promtool (Debian package prometheus)")
        for cfg in ("prometheus-static.yml", "prometheus-dns-sd.yml"):
            p = subprocess.run([PROMTOOL, "check", "config", cfg], cwd=PDIR,
                               capture_output=True, text=True, timeout=60)
            self.assertEqual(p.returncode, 0, f"{cfg}:\n{p.stdout}{p.stderr}")
        p = subprocess.run([PROMTOOL, "check", "rules", "alertmanager-rules.yml"], cwd=PDIR,
                           capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)

    def test_static_alerting_block_lists_every_replica(self):
        text = read("prometheus-static.yml")
        block = text[text.index("\nalerting:"):text.index("\nscrape_configs:")]
        for t in VM_TARGETS:
            self.assertEqual(block.count(f"- {t}"), 1, t)
        self.assertNotIn("203.0.113.20", block)  # the seed runbook's HAProxy address

    def test_prometheus_sends_every_alert_to_every_replica(self):
        opstest.require_path(PROMETHEUS, "prometheus (Debian package prometheus)")
        opstest.require_path(DAEMON, "Alertmanager daemon (DAEMON)")
        mesh = opstest.full_mesh(DAEMON, 3)
        self.addCleanup(mesh.stop)
        mesh.start()
        work = tempfile.mkdtemp(prefix="ops-prom-")
        self.addCleanup(shutil.rmtree, work, True)
        cfg = read("prometheus-static.yml").replace("evaluation_interval: 15s",
                                                    "evaluation_interval: 1s")
        for t, node in zip(VM_TARGETS, mesh.nodes):
            cfg = cfg.replace(t, f"127.0.0.1:{node.web_port}")
        self.assertNotIn("10.0.0.", cfg)
        with open(os.path.join(work, "prometheus.yml"), "w") as f:
            f.write(cfg)
        shutil.copy(os.path.join(PDIR, "alertmanager-rules.yml"), work)
        (port,) = opstest.free_ports(1)
        log = open(os.path.join(work, "prometheus.log"), "wb")
        self.addCleanup(log.close)
        prom = subprocess.Popen([PROMETHEUS, f"--config.file={work}/prometheus.yml",
                                 f"--storage.tsdb.path={work}/data",
                                 f"--web.listen-address=127.0.0.1:{port}",
                                 "--rules.alert.resend-delay=1s"],
                                stdout=log, stderr=subprocess.STDOUT)

        def stop_prom():
            if prom.poll() is None:
                prom.terminate()
                try:
                    prom.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    prom.kill()
                    prom.wait(timeout=5)
        self.addCleanup(stop_prom)

        def watchdog_on(node):
            alerts = opstest.get_json(node.url + "/api/v2/alerts")
            return [a for a in alerts if a["labels"].get("alertname") == "Watchdog"]
        for node in mesh.nodes:
            got = wait_for(lambda: watchdog_on(node), 60, f"Watchdog on replica {node.index}")
            labels = got[0]["labels"]
            self.assertEqual(labels.get("cluster"), "prod")
            # alert_relabel_configs dropped what tells two Prometheus servers apart.
            self.assertNotIn("prometheus_replica", labels)
        self.assertIsNone(prom.poll())


if __name__ == "__main__":
    opstest.main()

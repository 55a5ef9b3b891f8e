#!/usr/bin/python3
"""Side-by-side ingest benchmark: Debian's Go Alertmanager 0.25 and ours, one after the other, same
load, same flags (cluster disabled, a route to a receiver with no integrations).

For each daemon: POST 500 batches of 100 alerts (50k distinct label sets), read VmRSS at 10k and
50k active alerts, time GET /api/v2/alerts at 50k (median of N), then re-post the same batches for
--duration seconds with wrk (2 threads, 4 connections) and report alerts/s. Prints each figure for
both and the ratio ours/Go. Usage: bench.py --ours build/cmd/alertmanager/alertmanager
"""
import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

CONFIG = "route:\n  receiver: blackhole\n  group_by: [alertname]\nreceivers:\n  - name: blackhole\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def make_bodies(n_batches, per_batch):
    bodies = []
    for b in range(n_batches):
        alerts = []
        for i in range(per_batch):
            k = b * per_batch + i
            alerts.append({
                "labels": {"alertname": f"BenchAlert{k % 50}", "instance": f"host-{k}.example:9100",
                           "job": "node", "severity": ["warning", "critical"][k % 2]},
                "annotations": {"summary": f"instance host-{k} is down"},
            })
        bodies.append(json.dumps(alerts, separators=(",", ":")))
    return bodies


def post(url, body):
    req = urllib.request.Request(url, data=body.encode(), method="POST",
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        r.read()
        assert r.status == 200, r.status


def run_one(name, binary, bodies, duration, get_reps, tmp):
    port = free_port()
    d = tempfile.mkdtemp(dir=tmp)
    cfg = os.path.join(d, "am.yml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    args = [binary, f"--config.file={cfg}", f"--storage.path={d}/data",
            f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address=",
            "--log.level=warn"]
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    res = {}
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                urllib.request.urlopen(base + "/-/healthy", timeout=1).read()
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError(f"{name} did not start")
                time.sleep(0.05)
        t0 = time.monotonic()
        for i, body in enumerate(bodies):
            post(base + "/api/v2/alerts", body)
            if i + 1 == len(bodies) // 5:
                time.sleep(0.5)
                res["rss_10k_kib"] = rss_kib(proc.pid)
        res["initial_post_s"] = time.monotonic() - t0
        time.sleep(0.5)
        res["rss_50k_kib"] = rss_kib(proc.pid)
        lat = []
        n_alerts = 0
        for _ in range(get_reps):
            t = time.monotonic()
            with urllib.request.urlopen(base + "/api/v2/alerts", timeout=60) as r:
                data = r.read()
            lat.append(time.monotonic() - t)
            n_alerts = len(json.loads(data))
        res["get_alerts_count"] = n_alerts
        res["get_latency_ms"] = statistics.median(lat) * 1000
        body_file = os.path.join(d, "bodies.txt")
        with open(body_file, "w") as f:
            f.write("\n".join(bodies) + "\n")
        script = os.path.join(os.path.dirname(os.path.abspath(__file__)), "post.lua")
        out = subprocess.run(["wrk", "-t2", "-c4", f"-d{duration}s", "-s", script,
                              base + "/api/v2/alerts", "--", body_file],
                             capture_output=True, text=True, timeout=duration + 60)
        rps = None
        for line in out.stdout.splitlines():
            if line.startswith("Requests/sec:"):
                rps = float(line.split()[1])
        if rps is None:
            raise RuntimeError(f"wrk output without Requests/sec:\n{out.stdout}\n{out.stderr}")
        if "unexpected status" in out.stderr:
            raise RuntimeError(f"{name}: non-200 answers under load:\n{out.stderr[:500]}")
        res["ingest_alerts_per_s"] = rps * len(json.loads(bodies[0]))
        res["rss_after_load_kib"] = rss_kib(proc.pid)
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return res


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ours", required=True)
    ap.add_argument("--go", default="/usr/bin/prometheus-alertmanager")
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--batches", type=int, default=500)
    ap.add_argument("--get-reps", type=int, default=5)
    ap.add_argument("--json", help="also write the results here")
    a = ap.parse_args()
    for tool in (a.go, shutil.which("wrk") or "/usr/bin/wrk", a.ours):
        if not os.path.exists(tool):
            sys.exit(f"missing {tool}")
    bodies = make_bodies(a.batches, 100)
    tmp = tempfile.mkdtemp(prefix="ambench-")
    try:
        go = run_one("go", a.go, bodies, a.duration, a.get_reps, tmp)
        ours = run_one("ours", a.ours, bodies, a.duration, a.get_reps, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    rows = [
        ("ingest alerts/s (wrk re-post)", "ingest_alerts_per_s", "higher", 4.0),
        ("VmRSS at 10k alerts (KiB)", "rss_10k_kib", "lower", 0.25),
        ("VmRSS at 50k alerts (KiB)", "rss_50k_kib", "lower", 0.25),
        ("GET /api/v2/alerts at 50k (ms, median)", "get_latency_ms", "lower", 0.125),
        ("initial 500 POSTs, one client (s)", "initial_post_s", "lower", None),
        ("VmRSS after load (KiB)", "rss_after_load_kib", "lower", None),
    ]
    print(f"{'figure':42} {'go 0.25':>14} {'ours':>14} {'ours/go':>9}  target")
    for label, key, better, target in rows:
        g, o = go[key], ours[key]
        ratio = o / g if g else float("nan")
        tgt = ""
        if target is not None:
            ok = ratio >= target if better == "higher" else ratio <= target
            tgt = f"{'>=' if better == 'higher' else '<='} {target:g}  {'met' if ok else 'NOT met'}"
        print(f"{label:42} {g:14.1f} {o:14.1f} {ratio:9.3f}  {tgt}")
    print(f"alerts returned by GET: go={go['get_alerts_count']} ours={ours['get_alerts_count']}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"go": go, "ours": ours}, f, indent=2)


if __name__ == "__main__":
    main()

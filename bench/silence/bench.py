#!/usr/bin/python3
"""Side-by-side silence benchmark: Debian's Go Alertmanager 0.25 and ours, one after the other,
same load, same flags (cluster disabled, a route to a receiver with no integrations).

For each daemon: create 10,000 silences through POST /api/v2/silences (8 client threads; ours
fdatasyncs each one before answering), post 50,000 alerts (batches of 1,000), then time
GET /api/v2/alerts: the first one (every alert evaluated against the silences for the first
time), then --runs more (steady state), then one after a new silence was added (the silence set
changed: both daemons re-evaluate). Also checks that both report the same number of silenced
alerts. The MutedBy cost alone is measured by bench_silence (bench_mutedby.cpp).

Usage: bench.py --ours build/cmd/alertmanager/alertmanager [--real /usr/bin/prometheus-alertmanager]
"""
import argparse
import concurrent.futures
import datetime
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

CONFIG = "route:\n  receiver: blackhole\n  group_by: [alertname]\nreceivers:\n  - name: blackhole\n"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


TIMEOUT = 120


def request(method, url, body=None, timeout=None):
    timeout = timeout or TIMEOUT
    data = json.dumps(body, separators=(",", ":")).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method,
                                 headers={"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def host(i):
    return f"host-{i}.example:9100"


def silences(now):
    """7,000 equality silences, 2,000 literal alternations, 900 on a shared job plus an open
    regex, 100 open regexes only (the same mix as bench_mutedby.cpp)."""
    start = now.strftime("%Y-%m-%dT%H:%M:%S.000Z")
    end = (now + datetime.timedelta(hours=24)).strftime("%Y-%m-%dT%H:%M:%S.000Z")

    def sil(ms):
        return {"matchers": [{"name": n, "value": v, "isRegex": r, "isEqual": e}
                             for n, v, r, e in ms],
                "startsAt": start, "endsAt": end, "createdBy": "bench", "comment": "bench"}

    out = []
    for k in range(7000):
        out.append(sil([("alertname", f"A{k % 500}", False, True),
                        ("instance", host(k * 7 % 50000), False, True)]))
    for k in range(2000):
        h = 1 + k * 23 % 49000
        out.append(sil([("instance", f"host-{h}\\.example:9100|host-{h + 1}\\.example:9100",
                         True, True)]))
    for k in range(900):
        out.append(sil([("job", f"job{k % 50}", False, True),
                        ("instance", f"host-{k}1.*", True, True)]))
    for k in range(100):
        out.append(sil([("instance", f".*-{k}7\\..*", True, True),
                        ("severity", "info", False, False)]))
    return out


def alert_batches(n, per):
    # An explicit end a day away keeps the alerts firing however long the first GET takes (Go's
    # takes minutes: without it they would resolve after resolve_timeout and vanish from GET).
    ends = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=24)).strftime(
        "%Y-%m-%dT%H:%M:%S.000Z")
    batches = []
    for b in range(n // per):
        batch = []
        for i in range(per):
            j = b * per + i
            batch.append({"labels": {"alertname": f"A{j % 500}", "instance": host(j),
                                     "job": f"job{j % 50}",
                                     "severity": "critical" if j % 2 else "warning"},
                          "endsAt": ends})
        batches.append(batch)
    return batches


def run_one(name, binary, args):
    work = tempfile.mkdtemp(prefix=f"silbench-{name}-")
    port = free_port()
    cfg = os.path.join(work, "am.yml")
    with open(cfg, "w") as f:
        f.write(CONFIG)
    proc = subprocess.Popen([binary, f"--config.file={cfg}", f"--storage.path={work}/data",
                             f"--web.listen-address=127.0.0.1:{port}", "--cluster.listen-address="],
                            stdout=open(os.path.join(work, "log"), "wb"), stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    res = {"name": name}
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                if request("GET", url + "/-/healthy", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline or proc.poll() is not None:
                raise RuntimeError(f"{name} did not start")
            time.sleep(0.1)
        sils = silences(datetime.datetime.now(datetime.timezone.utc))[: args.silences]
        status, body = request("POST", url + "/api/v2/silences", sils[0])
        if status != 200:
            raise RuntimeError(f"{name}: POST /api/v2/silences answered {status}: {body[:200]}")
        t0 = time.monotonic()
        with concurrent.futures.ThreadPoolExecutor(max_workers=8) as ex:
            for status, body in ex.map(lambda s: request("POST", url + "/api/v2/silences", s),
                                       sils[1:]):
                if status != 200:
                    raise RuntimeError(f"{name}: silence POST {status}: {body[:200]}")
        res["silences_per_s"] = (len(sils) - 1) / (time.monotonic() - t0)
        for batch in alert_batches(args.alerts, 1000):
            status, body = request("POST", url + "/api/v2/alerts", batch)
            if status != 200:
                raise RuntimeError(f"{name}: alerts POST {status}: {body[:200]}")

        def get_alerts():
            t = time.monotonic()
            status, body = request("GET", url + "/api/v2/alerts")
            dt = time.monotonic() - t
            alerts = json.loads(body)
            silenced = sum(1 for a in alerts if a["status"]["silencedBy"])
            return dt, len(alerts), silenced

        res["first_get_s"], res["alerts"], res["silenced"] = get_alerts()
        times = []
        for _ in range(args.runs):
            dt, n, _ = get_alerts()
            if n != res["alerts"]:
                raise RuntimeError(f"{name}: GET returned {n} alerts, first GET {res['alerts']}")
            times.append(dt)
        res["get_median_s"] = statistics.median(times)
        res["get_min_s"] = min(times)
        extra = dict(sils[0])
        extra["matchers"] = [{"name": "alertname", "value": "Nope", "isRegex": False}]
        request("POST", url + "/api/v2/silences", extra)
        res["get_after_change_s"], n, _ = get_alerts()
        if n != res["alerts"]:
            raise RuntimeError(f"{name}: {n} alerts after the change, {res['alerts']} before")
        with open(f"/proc/{proc.pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    res["rss_mib"] = int(line.split()[1]) / 1024
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(work, ignore_errors=True)
    return res


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--ours", help="our alertmanager binary")
    p.add_argument("--real", default="/usr/bin/prometheus-alertmanager")
    p.add_argument("--silences", type=int, default=10000)
    p.add_argument("--alerts", type=int, default=50000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--timeout", type=float, default=1800,
                   help="per-request timeout in seconds (Go's first GET takes minutes)")
    args = p.parse_args()
    global TIMEOUT
    TIMEOUT = args.timeout
    results = []
    for name, binary in (("go", args.real), ("ours", args.ours)):
        if not binary or not os.path.exists(binary):
            print(f"skipping {name}: no binary", file=sys.stderr)
            continue
        try:
            results.append(run_one(name, binary, args))
        except (RuntimeError, OSError) as e:
            print(f"{name}: {e!r}", file=sys.stderr)
    keys = [("silences_per_s", "silence creates/s (8 clients)", "{:.0f}"),
            ("alerts", "alerts returned", "{}"),
            ("silenced", "alerts with silencedBy", "{}"),
            ("first_get_s", "first GET /api/v2/alerts (s)", "{:.3f}"),
            ("get_median_s", "GET /api/v2/alerts median (s)", "{:.3f}"),
            ("get_min_s", "GET /api/v2/alerts min (s)", "{:.3f}"),
            ("get_after_change_s", "GET after a new silence (s)", "{:.3f}"),
            ("rss_mib", "RSS (MiB)", "{:.0f}")]
    print(f"{'':34}" + "".join(f"{r['name']:>12}" for r in results))
    for k, label, fmt in keys:
        print(f"{label:34}" + "".join(f"{fmt.format(r.get(k, float('nan'))):>12}"
                                       for r in results))


if __name__ == "__main__":
    main()

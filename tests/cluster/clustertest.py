"""Helpers for multi-process cluster tests: N daemons on loopback, each with explicit
127.0.0.1 web, cluster listen and advertise addresses, peered with each other, and always stopped.

Builds on tests/integration/amtest.py (Daemon, http, wait_for) and webhook_sink.py (Sink).
Standard library only; run with Debian's /usr/bin/python3.
"""
import json
import os
import socket
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration"))

from amtest import AM_BIN, REAL_AM, Daemon, http, require_tool, wait_for  # noqa: E402,F401
from webhook_sink import Sink  # noqa: E402,F401


def free_cluster_port():
    """A port free for both TCP and UDP on 127.0.0.1 (memberlist binds both)."""
    for _ in range(50):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as t:
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
                    u.bind(("127.0.0.1", port))
                    return port
            except OSError:
                continue
    raise AssertionError("no port free for both TCP and UDP")


def webhook_config(sink_url, group_wait="1s", group_interval="1m", repeat_interval="4h"):
    return f"""
route:
  receiver: hook
  group_by: [alertname]
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: {repeat_interval}
receivers:
- name: hook
  webhook_configs:
  - url: {sink_url}
"""


class Cluster:
    """`n` daemons of `binary`, every node given every other node as --cluster.peer."""

    def __init__(self, n=3, binary=None, config="route:\n  receiver: r\nreceivers:\n- name: r\n",
                 extra_args=()):
        self.nodes = []
        self.cluster_ports = [free_cluster_port() for _ in range(n)]
        try:
            for i in range(n):
                port = self.cluster_ports[i]
                peers = [f"--cluster.peer=127.0.0.1:{p}" for j, p in enumerate(self.cluster_ports)
                         if j != i]
                d = Daemon(config, binary=binary, extra_args=(
                    f"--cluster.listen-address=127.0.0.1:{port}",
                    f"--cluster.advertise-address=127.0.0.1:{port}", *peers, *extra_args))
                # amtest disables the cluster by default; drop that flag rather than rely on
                # repeated-flag precedence.
                d.args.remove("--cluster.listen-address=")
                self.nodes.append(d)
        except BaseException:
            self.cleanup()
            raise

    def start(self):
        try:
            for d in self.nodes:
                d.start(wait=False)
            for d in self.nodes:
                wait_for(d._up, timeout=15, what=f"daemon on {d.url}")
        except BaseException:
            self.cleanup()
            raise
        return self

    def cleanup(self):
        for d in self.nodes:
            try:
                d.cleanup()
            except Exception:  # noqa: BLE001 - every node must still be stopped
                if d.proc and d.proc.poll() is None:
                    d.proc.kill()
                    d.proc.wait(timeout=5)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    def logs(self):
        return "\n".join(f"--- node {i} ({d.url}) ---\n{d.logs()[-6000:]}"
                         for i, d in enumerate(self.nodes))


def cluster_status(d):
    r = http("GET", d.url + "/api/v2/status", timeout=2)
    if r.status != 200:
        raise AssertionError(f"/api/v2/status: {r.status}")
    return r.json()["cluster"]


def peer_names(d):
    return sorted(p["name"] for p in cluster_status(d).get("peers") or [])


def is_formed(nodes, n):
    """Every node in `nodes` is ready and lists the same n peers, including every node's name."""
    sts = [cluster_status(d) for d in nodes]
    names = {s["name"] for s in sts}
    for s in sts:
        if s.get("status") != "ready":
            return False
        peers = {p["name"] for p in s.get("peers") or []}
        if len(peers) != n or not names <= peers:
            return False
    return True


def position(d):
    """Peer position as Alertmanager computes it: index of own name among sorted peer names."""
    s = cluster_status(d)
    return sorted(p["name"] for p in s["peers"]).index(s["name"])


def alert(name, **labels):
    return [{"labels": {"alertname": name, **labels}}]


def post_all(nodes, body):
    for d in nodes:
        r = http("POST", d.url + "/api/v2/alerts", body=body, timeout=5)
        if r.status != 200:
            raise AssertionError(f"POST /api/v2/alerts on {d.url}: {r.status} {r.text}")


def notified_names(sink):
    """alertname of every notification the sink received, in arrival order."""
    out = []
    for b in sink.bodies():
        msg = json.loads(b)
        out.append(msg["groupLabels"].get("alertname", ""))
    return out


def elapsed(t0):
    return round(time.monotonic() - t0, 2)

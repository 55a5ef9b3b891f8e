"""Helpers for the operator's-kit tests: start Alertmanager replicas (ours or Debian's 0.25) on
free loopback ports with every address explicit, wait with bounds, run the mesh health check,
and stop everything that was started. Standard library only; run with Debian's /usr/bin/python3.

Exit status convention (ctest SKIP_RETURN_CODE 77): a script whose tests were all run and passed
exits 0; failures exit 1; if nothing failed but some test was skipped, 77, so that ctest shows
"Skipped" instead of a pass that ran less than it claims.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

IN_CI = os.environ.get("CI", "") == "true"
CHECK_BIN = os.environ.get("CHECK_BIN", "")
DAEMON = os.environ.get("DAEMON", "")

# Minimal config: one receiver without integrations; the check never needs notifications.
MINIMAL_CONFIG = """route:
  receiver: blackhole
receivers:
- name: blackhole
"""


class NeedsCluster(unittest.SkipTest):
    """The daemon under test refuses --cluster.peer (its cluster is not implemented yet)."""


def require_path(path, what):
    """A missing tool fails under CI=true and skips otherwise."""
    if path and os.path.exists(path):
        return
    if IN_CI:
        raise AssertionError(f"{what} not found at {path!r} (CI=true: a missing tool fails)")
    raise unittest.SkipTest(f"{what} not found at {path!r}")


def free_ports(n):
    """n distinct free TCP ports on 127.0.0.1 that are also free for UDP (memberlist uses both)."""
    ports, socks = [], []
    try:
        while len(ports) < n:
            t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            t.bind(("127.0.0.1", 0))
            port = t.getsockname()[1]
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
            try:
                u.bind(("127.0.0.1", port))
            except OSError:
                t.close()
                u.close()
                continue
            socks += [t, u]
            ports.append(port)
    finally:
        for s in socks:
            s.close()
    return ports


def wait_for(pred, timeout, what, interval=0.1):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


def get_json(url, timeout=3):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return json.loads(r.read())


class Node:
    """One replica: web on 127.0.0.1:web_port, gossip on 127.0.0.1:cluster_port (or disabled)."""

    def __init__(self, binary, workdir, index, web_port, cluster_port, peers=(), extra=()):
        self.binary = binary
        self.index = index
        self.web_port = web_port
        self.cluster_port = cluster_port
        self.url = f"http://127.0.0.1:{web_port}"
        self.dir = os.path.join(workdir, f"node{index}")
        os.makedirs(self.dir, exist_ok=True)
        self.config = os.path.join(self.dir, "alertmanager.yml")
        with open(self.config, "w") as f:
            f.write(MINIMAL_CONFIG)
        self.log_path = os.path.join(self.dir, "log.txt")
        args = [binary, f"--config.file={self.config}",
                f"--storage.path={os.path.join(self.dir, 'data')}",
                f"--web.listen-address=127.0.0.1:{web_port}"]
        if cluster_port:
            args += [f"--cluster.listen-address=127.0.0.1:{cluster_port}",
                     f"--cluster.advertise-address=127.0.0.1:{cluster_port}"]
            args += [f"--cluster.peer={p}" for p in peers]
        else:
            args += ["--cluster.listen-address="]
        args += list(extra)
        self.args = args
        self.proc = None

    def start(self):
        self.log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     stdin=subprocess.DEVNULL)
        return self

    def log_text(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_up(self, timeout=15):
        def up():
            if self.proc.poll() is not None:
                text = self.log_text()
                if "cluster.peer" in text and "not supported" in text:
                    raise NeedsCluster(
                        f"{self.binary} refuses --cluster.peer (cluster not implemented yet)")
                raise AssertionError(f"replica {self.index} exited with {self.proc.returncode}:"
                                     f"\n{text[-2000:]}")
            try:
                with urllib.request.urlopen(self.url + "/-/healthy", timeout=1) as r:
                    return r.status == 200
            except OSError:
                return False
        # NeedsCluster must escape wait_for's retry loop.
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if up():
                return self
            time.sleep(0.05)
        raise AssertionError(f"replica {self.index} not healthy after {timeout}s:\n"
                             f"{self.log_text()[-2000:]}")

    def status(self):
        return get_json(self.url + "/api/v2/status")

    def peer_names(self):
        return sorted(p["name"] for p in self.status()["cluster"]["peers"])

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc is None:
            return
        try:
            if self.proc.poll() is None:
                self.proc.send_signal(sig)
                try:
                    self.proc.wait(timeout=timeout)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait(timeout=5)
        finally:
            self.log.close()


class Mesh:
    """Replicas started together; stop() stops every one that was started, in every path."""

    def __init__(self, binary):
        self.binary = binary
        self.workdir = tempfile.mkdtemp(prefix="ops-mesh-")
        self.nodes = []

    def add(self, peers_of=None, clustered=True, extra=()):
        """peers_of: indexes of already-planned nodes to list as --cluster.peer (default: none)."""
        web, gossip = free_ports(2)
        node = Node(self.binary, self.workdir, len(self.nodes), web, gossip if clustered else 0,
                    extra=extra)
        node.peers_of = list(peers_of or [])
        self.nodes.append(node)
        return node

    def start(self):
        for n in self.nodes:
            if n.cluster_port:
                peers = [f"127.0.0.1:{self.nodes[i].cluster_port}" for i in n.peers_of]
                idx = n.args.index(f"--cluster.advertise-address=127.0.0.1:{n.cluster_port}")
                n.args[idx + 1:idx + 1] = [f"--cluster.peer={p}" for p in peers]
            n.start()
        for n in self.nodes:
            n.wait_up()
        return self

    def stop(self):
        for n in self.nodes:
            try:
                n.stop()
            except Exception:  # noqa: BLE001 - keep stopping the others
                pass
        shutil.rmtree(self.workdir, ignore_errors=True)


def full_mesh(binary, n=3, extra=()):
    """n replicas, each listing every other one as --cluster.peer."""
    mesh = Mesh(binary)
    for i in range(n):
        mesh.add(extra=extra)
    for node in mesh.nodes:
        node.peers_of = [j for j in range(n) if j != node.index]
    return mesh


def run_check(urls, timeout="3s"):
    args = [CHECK_BIN, "cluster", "check"] + [f"--url={u}" for u in urls] + [f"--timeout={timeout}"]
    p = subprocess.run(args, capture_output=True, text=True, timeout=60)
    return p.returncode, p.stdout, p.stderr


def main():
    """unittest.main() with the exit convention described at the top of this file."""
    prog = unittest.TestProgram(module="__main__", exit=False, verbosity=2)
    result = prog.result
    if not result.wasSuccessful():
        sys.exit(1)
    if result.skipped:
        sys.exit(77)
    sys.exit(0)

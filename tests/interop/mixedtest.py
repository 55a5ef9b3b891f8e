"""Helpers for mixed-cluster tests: our daemon (AM_BIN) and Debian's prometheus-alertmanager 0.25
(REAL_AM) as nodes of one gossip cluster, each node with its own binary.

Every web, cluster listen and advertise address is explicit 127.0.0.1; every wait is bounded;
every process started is stopped in every exit path (cleanup()). Go 0.25 has no
--cluster.peer-name: its names are ULIDs, so among Go nodes the one started first sorts first.
Our nodes take --cluster.peer-name, which lets a test choose who holds position 0.

Builds on tests/integration/amtest.py and webhook_sink.py and tests/cluster/clustertest.py
(imported, not modified). Standard library only; run with Debian's /usr/bin/python3.
"""
import os
import subprocess
import sys
import time
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, "..", "cluster"))

from amtest import AMTOOL, AM_BIN, REAL_AM, Daemon, http, require_tool, wait_for  # noqa: E402,F401
from clustertest import (alert, cluster_status, elapsed, free_cluster_port,  # noqa: E402,F401
                         notified_names, peer_names, post_all, webhook_config)
from webhook_sink import Sink  # noqa: E402,F401

GO = "go"
CPP = "cpp"

# Go nodes report "settling" for about 10 s (3 stable polls, 2 s apart, after the first); ours is
# faster. Bound the wait for a formed mixed cluster with room for a loaded machine.
FORM_TIMEOUT = 30


def require_go():
    """Go nodes and amtool are real parts of every mixed scenario: missing fails under CI=true."""
    require_tool(REAL_AM, "prometheus-alertmanager 0.25 (Debian package)")
    require_tool(AMTOOL, "amtool (Debian package)")


# Our peer names that sort before every ULID ("0" then a digit below "1") and after every ULID
# (lower case sorts after Crockford base32's upper case).
FIRST = "00-cpp-first"
LAST = "zz-cpp-last"


def after(name, tag="cpp"):
    """A peer name that sorts right after `name` and before every later ULID: ULIDs have a fixed
    length, so a later ULID differs from `name` at some index inside it."""
    return f"{name}-{tag}"


class Node(Daemon):
    """One daemon of `kind` (GO or CPP). cluster=False disables gossip (single node)."""

    def __init__(self, kind, config, peers=(), peer_name=None, storage=None, extra_args=(),
                 cluster=True):
        if kind not in (GO, CPP):
            raise ValueError(kind)
        if peer_name is not None and kind != CPP:
            raise ValueError("Go 0.25 has no --cluster.peer-name")
        self.kind = kind
        self.cluster_port = free_cluster_port() if cluster else None
        args = ["--log.level=debug"]
        if cluster:
            args += [f"--cluster.listen-address=127.0.0.1:{self.cluster_port}",
                     f"--cluster.advertise-address=127.0.0.1:{self.cluster_port}"]
            args += [f"--cluster.peer=127.0.0.1:{p}" for p in peers]
        if peer_name is not None:
            args.append(f"--cluster.peer-name={peer_name}")
        super().__init__(config, binary=REAL_AM if kind == GO else AM_BIN, storage=storage,
                         extra_args=(*args, *extra_args))
        if cluster:
            # amtest disables the cluster by default; drop that flag rather than rely on
            # repeated-flag precedence (as clustertest does).
            self.args.remove("--cluster.listen-address=")

    def name(self):
        return cluster_status(self)["name"]

    def status(self):
        return cluster_status(self)

    def notifications_sent(self):
        """Sum of alertmanager_notifications_total over the webhook integration (Go 0.25 labels
        it by integration only; later versions add receiver_name)."""
        return metric_sum(self, "alertmanager_notifications_total", integration="webhook")

    def describe(self):
        return f"{self.kind}@{self.url}"

    def start_and_wait(self, timeout=15):
        self.start(wait=False)
        wait_for(self._up, timeout=timeout, what=f"{self.describe()} healthy")
        return self


def metric_sum(d, name, **labels):
    """Sum of every sample of `name` whose labels include `labels`."""
    total = 0.0
    for line in d.get("/metrics", timeout=5).text.splitlines():
        if line.startswith("#") or not line.startswith(name):
            continue
        key, _, val = line.rpartition(" ")
        base, _, rest = key.partition("{")
        if base != name:
            continue
        if all(f'{k}="{v}"' in rest for k, v in labels.items()):
            total += float(val)
    return total


def quiet(log):
    """Drops memberlist's per-packet debug chatter (both daemons log it at debug) so failure
    messages keep the lines that matter: warnings, errors, notify and nflog decisions."""
    keep = []
    for line in log.splitlines():
        if "memberlist" in line and "[DEBUG]" in line:
            continue
        keep.append(line)
    return "\n".join(keep)


class MixedCluster:
    """Nodes added one at a time, each of its own kind. By default a new node is given every node
    added before it as --cluster.peer (the first has none), so creation order is start order."""

    def __init__(self, config, extra_args=()):
        self.config = config
        self.extra_args = tuple(extra_args)
        self.nodes = []

    def add(self, kind, peers=None, peer_name=None, storage=None, start=True):
        if peers is None:
            peers = list(self.nodes)
        try:
            n = Node(kind, self.config, peers=[p.cluster_port for p in peers],
                     peer_name=peer_name, storage=storage, extra_args=self.extra_args)
        except BaseException:
            self.cleanup()
            raise
        self.nodes.append(n)
        if start:
            try:
                n.start_and_wait()
            except BaseException:
                self.cleanup()
                raise
        return n

    def cleanup(self):
        for d in self.nodes:
            try:
                d.cleanup()
            except Exception:  # noqa: BLE001 - every node must still be stopped
                if d.proc and d.proc.poll() is None:
                    d.proc.kill()
                    d.proc.wait(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()

    def alive(self):
        return [d for d in self.nodes if d.proc and d.proc.poll() is None]

    def formed(self, nodes=None):
        """Every node in `nodes` (default: all running) is ready and lists exactly their names."""
        nodes = nodes or self.alive()
        sts = [cluster_status(d) for d in nodes]
        names = {s["name"] for s in sts}
        for s in sts:
            if s.get("status") != "ready":
                return False
            if {p["name"] for p in s.get("peers") or []} != names:
                return False
        return True

    def wait_formed(self, nodes=None, timeout=FORM_TIMEOUT):
        t0 = time.monotonic()
        try:
            wait_for(lambda: self.formed(nodes), timeout=timeout, interval=0.1,
                     what=f"{len(nodes or self.alive())} nodes ready, each listing all")
        except AssertionError as e:
            raise AssertionError(f"{e}\n{self.statuses()}\n{self.logs()}") from None
        return elapsed(t0)

    def by_position(self):
        """Running nodes ordered by position (the index of the name among the sorted names);
        checks that every node computes the same position for itself as the others see it."""
        nodes = self.alive()
        names = {d: d.name() for d in nodes}
        order = sorted(nodes, key=lambda d: names[d])
        for i, d in enumerate(order):
            s = cluster_status(d)
            own = sorted(p["name"] for p in s["peers"]).index(s["name"])
            if own != i:
                raise AssertionError(f"{d.describe()} at position {own}, expected {i}\n"
                                     + self.statuses())
        return order

    def layout(self, order=None):
        order = order or self.by_position()
        return ", ".join(f"{i}:{d.kind}({d.name()})" for i, d in enumerate(order))

    def statuses(self):
        out = []
        for d in self.nodes:
            try:
                out.append(f"{d.describe()}: {cluster_status(d)}")
            except Exception as e:  # noqa: BLE001 - a dead node has no status
                out.append(f"{d.describe()}: {e!r}")
        return "\n".join(out)

    def logs(self, tail=8000):
        return "\n".join(f"--- {d.describe()} ---\n{quiet(d.logs())[-tail:]}" for d in self.nodes)


def amtool_cluster_show(d, timeout=20):
    """`amtool -o extended cluster show` against node d: (status, node name, peer names)."""
    r = subprocess.run([AMTOOL, f"--alertmanager.url=http://127.0.0.1:{d.port}", "-o", "extended",
                        "cluster", "show"], capture_output=True, text=True, timeout=timeout)
    if r.returncode != 0:
        raise AssertionError(f"amtool cluster show on {d.describe()}: rc {r.returncode}\n"
                             f"{r.stdout}{r.stderr}")
    status = node = None
    peers = []
    in_peers = False
    for line in r.stdout.splitlines():
        if line.startswith("Cluster Status:"):
            status = line.split(":", 1)[1].strip()
        elif line.startswith("Node Name:"):
            node = line.split(":", 1)[1].strip()
        elif line.split() == ["Address", "Name"]:
            in_peers = True
        elif in_peers and line.strip():
            addr, name = line.split()[:2]
            peers.append(name)
    return status, node, sorted(peers), r.stdout


PEER_TIMEOUT = 2  # --cluster.peer-timeout of every node of a MixedWebhookCase


class MixedWebhookCase(unittest.TestCase):
    """Base of the scenario tests: an empty MixedCluster (add nodes in the test) whose webhook
    receiver is self.sink, every node with --cluster.peer-timeout=PEER_TIMEOUT s."""

    def setUp(self):
        require_go()
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.c = MixedCluster(webhook_config(self.sink.url()),
                              extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(self.c.cleanup)

    def formed_in_order(self, kinds):
        """Waits until formed; asserts the node kinds by position. (seconds, nodes, layout)."""
        formed = self.c.wait_formed()
        order = self.c.by_position()
        layout = self.c.layout(order)
        self.assertEqual([d.kind for d in order], kinds, layout)
        return formed, order, layout


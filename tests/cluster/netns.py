"""Real network partitions on one host: one network namespace per node, named after this test
process's id, and daemons run inside them with `ip netns exec`.

    hub namespace  <pfx>-hub : bridge br0, one port p<i> per node        (gossip, 10.77.0.0/24)
    node namespace <pfx>-n<i>: gs0 10.77.0.(10+i)/24 -> p<i> on br0       (--cluster.* addresses)
                               api0 10.78.B.(4i+2)/30 <-> root <pfx>h<i> 10.78.B.(4i+1)/30
                                                                          (HTTP API, webhook sink)

`cut(i)` sets p<i> down inside the hub: node i's gossip is cut both ways while its HTTP API and its
webhooks (the point-to-point veth) keep working; `heal(i)` sets it up again. iptables on loopback
cannot do this: memberlist's connections all come from 127.0.0.1 on ephemeral ports.

Everything created here is removed in every exit path: try/finally in the callers, an atexit hook,
and a SIGTERM/SIGHUP handler that tears down and then dies of the same signal. Daemons are started
under `setpriv --pdeathsig KILL`, so a SIGKILLed test (ctest's hard timeout) takes them along; the
namespaces, veths and temporary directories such a test leaves behind are reaped by the next run
(their names carry the dead pid).

Requires root and iproute2. Standard library only; run with Debian's /usr/bin/python3.
"""
import atexit
import os
import re
import shutil
import signal
import subprocess
import tempfile
import threading
import time

from clustertest import Daemon, Sink, wait_for

IP = shutil.which("ip") or "/usr/sbin/ip"
SETPRIV = shutil.which("setpriv") or "/usr/bin/setpriv"
PREFIX = "ampart"  # namespaces <PREFIX><pid>-hub / -n<i>, root-side veths <PREFIX><pid>h<i>
GOSSIP_NET = "10.77.0"
API_NET = "10.78"
WEB_PORT = 9093
CLUSTER_PORT = 9094

_registry = []  # objects with cleanup(), torn down in reverse order of creation
_registry_lock = threading.RLock()
_hooks_installed = False


def _run(*args, check=True):
    r = subprocess.run([IP, *args], capture_output=True, text=True, timeout=15)
    if check and r.returncode != 0:
        raise RuntimeError(f"ip {' '.join(args)}: {r.stderr.strip() or r.returncode}")
    return r.stdout


def _pid_alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def namespaces():
    """Names of every network namespace (`ip netns list`)."""
    return [line.split()[0] for line in _run("netns", "list").splitlines() if line.strip()]


def _root_links():
    return [m.group(1) for m in re.finditer(r"^\d+: ([^:@\s]+)", _run("-o", "link", "show"),
                                            re.MULTILINE)]


def _kill_namespace_processes(ns):
    # Only ever our own daemons: the namespace is named after a test process of this harness.
    out = _run("netns", "pids", ns, check=False)
    for tok in out.split():
        try:
            os.kill(int(tok), signal.SIGKILL)
        except (ValueError, ProcessLookupError):
            pass


def reap_stale():
    """Deletes namespaces and root-side veths left by test processes of this harness that died
    without cleaning up (SIGKILL). Returns what was deleted."""
    gone = []
    for ns in namespaces():
        m = re.fullmatch(PREFIX + r"(\d+)-(hub|n\d+)", ns)
        if m and not _pid_alive(int(m.group(1))):
            _kill_namespace_processes(ns)
            _run("netns", "del", ns, check=False)
            gone.append(ns)
    for link in _root_links():
        m = re.fullmatch(PREFIX + r"(\d+)h\d+", link)
        if m and not _pid_alive(int(m.group(1))):
            _run("link", "del", link, check=False)
            gone.append(link)
    tmp = tempfile.gettempdir()
    for name in os.listdir(tmp):
        m = re.fullmatch(PREFIX + r"(\d+)-n\d+-\w+", name)
        if m and not _pid_alive(int(m.group(1))):
            shutil.rmtree(os.path.join(tmp, name), ignore_errors=True)
            gone.append(name)
    return gone


def cleanup_all():
    """Tears down everything this process created and has not torn down yet."""
    with _registry_lock:
        items = list(reversed(_registry))
    for obj in items:
        try:
            obj.cleanup()
        except Exception:  # noqa: BLE001 - every other object must still be cleaned
            pass


def _on_signal(signum, _frame):
    cleanup_all()
    signal.signal(signum, signal.SIG_DFL)
    os.kill(os.getpid(), signum)


def _install_hooks():
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    atexit.register(cleanup_all)
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, _on_signal)


def _register(obj):
    _install_hooks()
    with _registry_lock:
        _registry.append(obj)


def _unregister(obj):
    with _registry_lock:
        if obj in _registry:
            _registry.remove(obj)


class Topology:
    """The namespaces, bridge and veths for `n` nodes. Created by the constructor (a failure
    half-way removes what was made); cleanup() deletes all of it and is idempotent."""

    def __init__(self, n=3):
        if not 1 <= n <= 60:
            raise ValueError("1..60 nodes")
        self.n = n
        self.tag = f"{PREFIX}{os.getpid()}"
        self.hub = f"{self.tag}-hub"
        self.ns = [f"{self.tag}-n{i}" for i in range(n)]
        self.host_links = [f"{self.tag}h{i}" for i in range(n)]
        self.down = set()
        _register(self)
        try:
            reap_stale()
            self._leftovers_of_this_pid()
            self.block = self._free_block()
            self._create()
        except BaseException:
            self.cleanup()
            raise

    # --- addresses ---------------------------------------------------------------------------
    def gossip_ip(self, i):
        return f"{GOSSIP_NET}.{10 + i}"

    def host_ip(self, i):
        """Root-namespace end of node i's point-to-point veth (the webhook sink binds here)."""
        return f"{API_NET}.{self.block}.{4 * i + 1}"

    def api_ip(self, i):
        """Node i's end of the point-to-point veth (its --web.listen-address)."""
        return f"{API_NET}.{self.block}.{4 * i + 2}"

    def _free_block(self):
        # The root namespace is shared with anything else running here: pick a 10.78.B.0/24 no
        # interface uses, starting from one derived from our pid so parallel runs rarely meet.
        used = set(re.findall(r"inet " + re.escape(API_NET) + r"\.(\d+)\.",
                              _run("-4", "-o", "addr", "show")))
        start = os.getpid() % 250
        for k in range(250):
            b = 1 + (start + k) % 250
            if str(b) not in used:
                return b
        raise RuntimeError(f"no free {API_NET}.B.0/24 block")

    def _leftovers_of_this_pid(self):
        # A recycled pid could meet names a dead run of the same pid left (reap_stale skips
        # them because the pid is alive again: ours).
        present = set(namespaces())
        for ns in [self.hub, *self.ns]:
            if ns in present:
                _kill_namespace_processes(ns)
                _run("netns", "del", ns, check=False)
        links = set(_root_links())
        for link in self.host_links:
            if link in links:
                _run("link", "del", link, check=False)

    def _create(self):
        _run("netns", "add", self.hub)
        _run("-n", self.hub, "link", "set", "lo", "up")
        _run("-n", self.hub, "link", "add", "br0", "type", "bridge", "forward_delay", "0")
        _run("-n", self.hub, "link", "set", "br0", "up")
        for i, ns in enumerate(self.ns):
            _run("netns", "add", ns)
            _run("-n", ns, "link", "set", "lo", "up")
            # gossip: node side gs0, hub side p<i> on the bridge
            _run("-n", ns, "link", "add", "gs0", "type", "veth", "peer", "name", f"p{i}",
                 "netns", self.hub)
            _run("-n", self.hub, "link", "set", f"p{i}", "master", "br0")
            _run("-n", self.hub, "link", "set", f"p{i}", "up")
            _run("-n", ns, "addr", "add", f"{self.gossip_ip(i)}/24", "dev", "gs0")
            _run("-n", ns, "link", "set", "gs0", "up")
            # HTTP API and webhooks: point-to-point to the root namespace
            host = self.host_links[i]
            _run("link", "add", host, "type", "veth", "peer", "name", "api0", "netns", ns)
            _run("addr", "add", f"{self.host_ip(i)}/30", "dev", host)
            _run("link", "set", host, "up")
            _run("-n", ns, "addr", "add", f"{self.api_ip(i)}/30", "dev", "api0")
            _run("-n", ns, "link", "set", "api0", "up")

    # --- partition ---------------------------------------------------------------------------
    def cut(self, i):
        """Node i's bridge port down: its gossip is cut both ways; HTTP is untouched."""
        _run("-n", self.hub, "link", "set", f"p{i}", "down")
        self.down.add(i)

    def heal(self, i):
        _run("-n", self.hub, "link", "set", f"p{i}", "up")
        self.down.discard(i)

    # --- teardown ----------------------------------------------------------------------------
    def cleanup(self):
        present = set(namespaces())
        for ns in [*self.ns, self.hub]:
            if ns in present:
                _kill_namespace_processes(ns)
        links = set(_root_links())
        for link in self.host_links:
            if link in links:
                _run("link", "del", link, check=False)
        for ns in [*self.ns, self.hub]:
            if ns in present:
                _run("netns", "del", ns, check=False)
        _unregister(self)


class Node(Daemon):
    """One daemon inside namespace `topo.ns[i]`: web API on the point-to-point address, gossip on
    the bridge, every other node as --cluster.peer. amtest.Daemon's logging, stop(), cleanup()
    and HTTP shortcuts apply; only the command line and the start differ."""

    def __init__(self, topo, i, config_text, binary=None, extra_args=()):
        super().__init__(config_text, binary=binary)
        # A directory named after the test's pid, so that reap_stale() can remove what a
        # SIGKILLed run left behind.
        own = tempfile.mkdtemp(prefix=f"{topo.tag}-n{i}-")
        os.rename(self.config_path, os.path.join(own, os.path.basename(self.config_path)))
        shutil.rmtree(self.dir, ignore_errors=True)
        self.dir = own
        self.config_path = os.path.join(own, os.path.basename(self.config_path))
        self.storage = os.path.join(own, "data")
        self.log_path = os.path.join(own, "daemon.log")
        self.index = i
        self.netns = topo.ns[i]
        self.port = WEB_PORT
        self.url = f"http://{topo.api_ip(i)}:{WEB_PORT}"
        gossip = f"{topo.gossip_ip(i)}:{CLUSTER_PORT}"
        peers = [f"--cluster.peer={topo.gossip_ip(j)}:{CLUSTER_PORT}"
                 for j in range(topo.n) if j != i]
        self.args = [SETPRIV, "--pdeathsig", "KILL", "--", IP, "netns", "exec", self.netns,
                     self.binary, f"--config.file={self.config_path}",
                     f"--storage.path={self.storage}",
                     f"--web.listen-address={topo.api_ip(i)}:{WEB_PORT}",
                     f"--cluster.listen-address={gossip}",
                     f"--cluster.advertise-address={gossip}", *peers, *extra_args]
        for k in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY",
                  "ALL_PROXY"):
            self.env.pop(k, None)

    def start(self, wait=True):
        # setpriv and `ip netns exec` exec in place: proc.pid is the daemon's pid, so signals
        # (SIGKILL, SIGSTOP, SIGTERM) reach the daemon itself.
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env)
        if wait:
            wait_for(self._up, timeout=15, what=f"daemon on {self.url}")
        return self

    def stop(self, sig=signal.SIGTERM, timeout=5):
        return super().stop(sig=sig, timeout=timeout)


class NetnsCluster:
    """`n` nodes of `binary` in their own namespaces, each with its own webhook Sink in the root
    namespace on its point-to-point address (so every notification names its sender).
    `config(sink_url) -> alertmanager.yml text`. Always call cleanup() (also a context manager);
    it is registered for atexit and SIGTERM as well."""

    def __init__(self, n, binary, config, extra_args=()):
        self.nodes = []
        self.sinks = []
        self.topo = None
        _register(self)
        try:
            self.topo = Topology(n)
            for i in range(n):
                self.sinks.append(Sink(bind=self.topo.host_ip(i)))
            for i in range(n):
                self.nodes.append(Node(self.topo, i, config(self.sinks[i].url()), binary,
                                       extra_args))
        except BaseException:
            self.cleanup()
            raise

    def start(self, timeout=20):
        for d in self.nodes:
            d.start(wait=False)
        for d in self.nodes:
            wait_for(d._up, timeout=timeout, what=f"daemon on {d.url}\n{self.logs()}")
        return self

    def cut(self, i):
        self.topo.cut(i)

    def heal(self, i):
        self.topo.heal(i)

    def kill_all(self, sig=signal.SIGKILL):
        for d in self.nodes:
            if d.proc and d.proc.poll() is None:
                d.proc.send_signal(sig)
        for d in self.nodes:
            if d.proc:
                d.proc.wait(timeout=5)

    def counts(self, alertname):
        """Per node: how many notifications for `alertname` its sink received."""
        out = []
        for s in self.sinks:
            n = 0
            for r in s.bodies():
                if _group_alertname(r) == alertname:
                    n += 1
            out.append(n)
        return out

    def times(self, alertname):
        """(node index, monotonic arrival time) of every notification for `alertname`."""
        out = []
        for i, s in enumerate(self.sinks):
            with s._lock:
                reqs = list(s.requests)
            out += [(i, r.time) for r in reqs if _group_alertname(r.body) == alertname]
        return sorted(out, key=lambda x: x[1])

    def total(self):
        return sum(s.count() for s in self.sinks)

    def wait_total(self, alertname, n, timeout):
        """Waits until the sinks together hold at least n notifications for `alertname`."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if sum(self.counts(alertname)) >= n:
                break
            time.sleep(0.05)
        return sum(self.counts(alertname))

    def logs(self):
        return "\n".join(f"--- node {i} ({d.netns}, {d.url}) ---\n{d.logs()[-6000:]}"
                         for i, d in enumerate(self.nodes))

    def cleanup(self):
        for d in self.nodes:
            try:
                d.cleanup()
            except Exception:  # noqa: BLE001 - every node must still be stopped
                if d.proc and d.proc.poll() is None:
                    d.proc.kill()
                    d.proc.wait(timeout=5)
        for s in self.sinks:
            try:
                s.close()
            except Exception:  # noqa: BLE001
                pass
        self.sinks = []
        if self.topo is not None:
            self.topo.cleanup()
        _unregister(self)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()


def _group_alertname(body):
    import json
    try:
        return json.loads(body)["groupLabels"].get("alertname", "")
    except (ValueError, KeyError, TypeError):
        return ""


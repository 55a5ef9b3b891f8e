"""Cluster TLS transport (--cluster.tls-config) against Alertmanager 0.25: our daemon and Debian's
prometheus-alertmanager, each with its own certificate from a test CA made at run time with the
openssl tool (mutual TLS: RequireAndVerifyClientCert, client and server CA = the test CA), form one
cluster in both join directions: both list 2 peers in /api/v2/status, a silence created on either
side is listed by the other, and the same alert posted to both gives exactly one webhook
notification; silences over the gossip packet limit (sent over TLS streams) propagate too.
Neither binds UDP on its cluster port (the TLS transport has no UDP). Three of our
daemons with TLS: one cluster, one notification. A daemon whose certificate comes from another CA
is not let in. group_wait 1s, --cluster.peer-timeout=2s.

Every address is 127.0.0.1, every wait bounded, every process stopped (cleanup). Needs AM_BIN (our
daemon) and REAL_AM (default /usr/bin/prometheus-alertmanager); openssl, REAL_AM and amtool are
required tools (a missing one fails under CI=true).
"""
import datetime
import os
import shutil
import socket
import subprocess
import tempfile
import time
import unittest

from mixedtest import (CPP, GO, MixedCluster, Node, Sink, alert, elapsed, http,
                       metric_sum, notified_names, post_all, require_go, require_tool, wait_for,
                       webhook_config)

OPENSSL = shutil.which("openssl") or "/usr/bin/openssl"
PEER_TIMEOUT = 2
# The last of 3 positions flushes at group_wait + 2 * peer_timeout = 5 s; wait beyond that.
DEDUP_WAIT = 1 + 2 * PEER_TIMEOUT + 4
SILENCE_BOUND = 5.0

LEAF_EXT = """basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth,clientAuth
subjectAltName=IP:127.0.0.1
"""


class Pki:
    """A CA and per-node certificates (for 127.0.0.1, server and client use) in a temp dir."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="am-tls-pki-")
        with open(os.path.join(self.dir, "leaf.ext"), "w") as f:
            f.write(LEAF_EXT)
        self.ca("ca")

    def run(self, *args):
        r = subprocess.run([OPENSSL, *args], cwd=self.dir, capture_output=True, text=True,
                           timeout=30)
        if r.returncode != 0:
            raise AssertionError(f"openssl {' '.join(args)}: {r.stderr}")

    def ca(self, name):
        self.run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.crt", "-days", "1",
                 "-subj", f"/CN=test-{name}",
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")

    def leaf(self, name, ca="ca"):
        self.run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
                 "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={name}")
        self.run("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.crt", "-CAkey", f"{ca}.key",
                 "-CAcreateserial", "-days", "1", "-out", f"{name}.crt", "-extfile", "leaf.ext")

    def config(self, name, ca="ca", trust="ca"):
        """A --cluster.tls-config file for a node whose certificate is signed by `ca` and which
        trusts `trust` (absolute paths: the daemons run in their own dirs)."""
        self.leaf(name, ca)
        p = lambda f: os.path.join(self.dir, f)  # noqa: E731
        path = p(f"{name}.yml")
        with open(path, "w") as f:
            f.write(f"""tls_server_config:
  cert_file: {p(name + '.crt')}
  key_file: {p(name + '.key')}
  client_auth_type: RequireAndVerifyClientCert
  client_ca_file: {p(trust + '.crt')}
tls_client_config:
  ca_file: {p(trust + '.crt')}
  cert_file: {p(name + '.crt')}
  key_file: {p(name + '.key')}
""")
        return path

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class TlsCluster(MixedCluster):
    """A MixedCluster whose every node gets its own --cluster.tls-config."""

    def __init__(self, config, pki, extra_args=()):
        super().__init__(config, extra_args)
        self.pki = pki

    def add(self, kind, peers=None, peer_name=None, ca="ca", trust="ca", start=True):
        if peers is None:
            peers = list(self.nodes)
        try:
            tls = self.pki.config(f"node{len(self.nodes)}", ca=ca, trust=trust)
            n = Node(kind, self.config, peers=[p.cluster_port for p in peers],
                     peer_name=peer_name,
                     extra_args=(*self.extra_args, f"--cluster.tls-config={tls}"))
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


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def silence_body(alertname, comment, pad=0):
    t = datetime.datetime.now(datetime.timezone.utc)
    return {"matchers": [{"name": "alertname", "value": alertname, "isRegex": False}],
            "startsAt": iso(t), "endsAt": iso(t + datetime.timedelta(hours=1)),
            "createdBy": "tls-interop", "comment": comment + "." * pad}


def udp_port_free(port):
    """True when nothing holds UDP 127.0.0.1:port (the TLS transport must not bind UDP)."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        try:
            u.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


class TlsTransportTest(unittest.TestCase):
    def setUp(self):
        require_tool(OPENSSL, "openssl (Debian package)")
        self.pki = Pki()
        self.addCleanup(self.pki.cleanup)
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.c = TlsCluster(webhook_config(self.sink.url()), self.pki,
                            extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(self.c.cleanup)

    def silences(self, d):
        r = d.get("/api/v2/silences", timeout=5)
        self.assertEqual(r.status, 200, r.text)
        return {s["id"]: s for s in r.json()}

    def create_silence(self, d, name, pad=0):
        r = http("POST", d.url + "/api/v2/silences", body=silence_body(name, d.describe(), pad),
                 timeout=5)
        self.assertEqual(r.status, 200, f"{d.describe()}: {r.text}")
        return r.json()["silenceID"]

    def check_silences(self):
        """A silence created on each node is listed by every node; seconds per silence. Each node
        makes a small one (gossiped in PACKET frames) and one over the 1400-byte gossip limit
        (sent to each peer as a reliable message over a TLS stream)."""
        took = []
        for i, (d, pad) in enumerate((d, pad) for d in self.c.nodes for pad in (0, 3000)):
            sid = self.create_silence(d, f"TlsSilenced{i}", pad)
            t0 = time.monotonic()
            wait_for(lambda: all(sid in self.silences(o) for o in self.c.nodes),
                     timeout=SILENCE_BOUND, interval=0.05,
                     what=f"silence {sid} from {d.describe()} on every node\n{self.c.logs()}")
            took.append(elapsed(t0))
        return took

    def check_one_notification(self, name):
        t0 = time.monotonic()
        post_all(self.c.nodes, alert(name))
        self.sink.wait_count(1, timeout=DEDUP_WAIT)
        time.sleep(max(0.0, DEDUP_WAIT - (time.monotonic() - t0)))
        self.assertEqual(notified_names(self.sink), [name],
                         f"exactly one notification\n{self.c.logs()}")
        return [metric_sum(d, "alertmanager_notifications_total", integration="webhook")
                for d in self.c.nodes]

    def check_tls_traffic(self):
        for d in self.c.nodes:
            self.assertTrue(udp_port_free(d.cluster_port),
                            f"{d.describe()} holds UDP {d.cluster_port}")
            # A mesh of ours forms through push/pull streams in ~0.1 s, before the first probe
            # (1 s interval, random stagger) has sent a packet: wait for one, bounded.
            wait_for(lambda: metric_sum(
                d, "alertmanager_tls_transport_packet_bytes_received_total") > 0,
                timeout=10, what=f"{d.describe()} receiving TLS packets")

    def streams_received(self):
        return [metric_sum(d, "alertmanager_tls_transport_stream_connections_received_total")
                for d in self.c.nodes]

    def mixed(self, order, label):
        require_go()
        for kind in order:
            self.c.add(kind)
        formed = self.c.wait_formed()
        for d in self.c.nodes:
            self.assertEqual(len(d.status()["peers"]), 2, d.describe())
        self.check_tls_traffic()
        before = self.streams_received()
        silences = self.check_silences()
        after = self.streams_received()
        # Each node's oversized silence reached the other over a reliable TLS stream.
        for d, b, a in zip(self.c.nodes, before, after):
            self.assertGreaterEqual(a - b, 1, f"{d.describe()}: TLS streams {b} -> {a}")
        sent = self.check_one_notification(f"TlsDedup{label}")
        print(f"\n{label}: formed in {formed}s; silences seen everywhere after {silences}s; "
              f"TLS streams received {before} -> {after}; notifications sent per node {sent}",
              flush=True)

    def test_ours_joins_go(self):
        self.mixed([GO, CPP], "OursJoinsGo")

    def test_go_joins_ours(self):
        self.mixed([CPP, GO], "GoJoinsOurs")

    def test_three_of_ours(self):
        for name in ("tls-a", "tls-b", "tls-c"):
            self.c.add(CPP, peer_name=name)
        formed = self.c.wait_formed()
        for d in self.c.nodes:
            self.assertEqual(len(d.status()["peers"]), 3, d.describe())
        self.check_tls_traffic()
        sent = self.check_one_notification("TlsDedupOurs")
        print(f"\nthree of ours: formed in {formed}s; notifications sent per node {sent}",
              flush=True)

    def test_foreign_ca_is_refused(self):
        """A Go node and our node of the test CA; a node (ours, then Go) whose certificate is
        signed by another CA but which trusts the test CA never joins them."""
        require_go()
        self.pki.ca("other")
        go = self.c.add(GO)
        ours = self.c.add(CPP)
        self.c.wait_formed()
        rogue_ours = self.c.add(CPP, peers=[go, ours], ca="other", trust="ca")
        rogue_go = self.c.add(GO, peers=[go, ours], ca="other", trust="ca")
        time.sleep(8)  # several reconnect attempts and push/pulls
        for d in (go, ours):
            names = {p["name"] for p in d.status()["peers"]}
            self.assertEqual(len(names), 2, f"{d.describe()}: {names}\n{self.c.logs()}")
        for d in (rogue_ours, rogue_go):
            self.assertEqual(len(d.status()["peers"]), 1, d.describe())


if __name__ == "__main__":
    unittest.main()

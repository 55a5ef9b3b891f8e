"""`alertmanager cluster check` against real replicas on loopback.

DAEMON picks the replicas' binary: Debian's /usr/bin/prometheus-alertmanager 0.25 (proves the
check's logic against the reference implementation) or our daemon (runs once our cluster lands;
until then the daemon refuses --cluster.peer and these tests are skipped). CHECK_BIN is the
binary whose `cluster check` subcommand is run.
"""
import re
import signal
import unittest

import opstest
from opstest import DAEMON, full_mesh, run_check, wait_for


def expect_peer_count(node, n):
    return lambda: len(node.peer_names()) == n


class ClusterCheckTest(unittest.TestCase):
    def setUp(self):
        opstest.require_path(DAEMON, "Alertmanager daemon (DAEMON)")
        opstest.require_path(opstest.CHECK_BIN, "cluster check binary (CHECK_BIN)")

    def start(self, mesh):
        self.addCleanup(mesh.stop)
        mesh.start()
        return mesh

    def test_whole_mesh_then_one_replica_killed(self):
        mesh = self.start(full_mesh(DAEMON, 3, extra=["--cluster.peer-timeout=2s"]))
        for node in mesh.nodes:
            wait_for(expect_peer_count(node, 3), 20, f"replica {node.index} to list 3 peers")
        urls = [n.url for n in mesh.nodes]
        names = {n.index: n.status()["cluster"]["name"] for n in mesh.nodes}

        rc, out, err = run_check(urls)
        self.assertEqual(rc, 0, f"whole mesh must exit 0\nstdout:\n{out}\nstderr:\n{err}")
        self.assertIn("mesh: WHOLE (3 replicas agree on 3 members)", out)
        for n in mesh.nodes:
            self.assertIn(f"replica {n.url}\n  name:     {names[n.index]}\n", out)
        # Each replica sits at a distinct position 0, 1, 2.
        self.assertEqual(sorted(re.findall(r"position: (\d) of 3", out)), ["0", "1", "2"], out)

        # SIGKILL: no graceful leave, so the survivors keep listing it until memberlist's
        # suspicion timeout declares it dead. Both before and after that, the check must fail
        # and name the replica that is gone.
        victim = mesh.nodes[2]
        victim.stop(sig=signal.SIGKILL)
        rc, out, err = run_check(urls)
        self.assertNotEqual(rc, 0, f"a killed replica must fail the check\n{out}")
        self.assertIn(f"replica {victim.url} did not answer", out)
        self.assertIn("mesh: MISSING MEMBERS", out)
        if names[2] in out:
            # Still listed by the survivors: the check ties the member to the dead URL.
            self.assertIn(f"probably {victim.url}", out)

        for node in mesh.nodes[:2]:
            wait_for(expect_peer_count(node, 2), 60, f"replica {node.index} to drop the dead one")
        rc, out, err = run_check(urls)
        self.assertNotEqual(rc, 0, out)
        self.assertIn(f"replica {victim.url} did not answer", out)
        self.assertNotIn(names[2], out)

        # Asking only the survivors: a whole mesh of two.
        rc, out, err = run_check(urls[:2])
        self.assertEqual(rc, 0, out)
        self.assertIn("mesh: WHOLE (2 replicas agree on 2 members)", out)

    def test_two_meshes_are_reported_split(self):
        # 0 and 1 know each other; 2 is started without peers: two meshes that never meet.
        mesh = opstest.Mesh(DAEMON)
        a = mesh.add()
        b = mesh.add()
        c = mesh.add()
        a.peers_of, b.peers_of, c.peers_of = [1], [0], []
        self.start(mesh)
        wait_for(expect_peer_count(a, 2), 20, "a to list 2 peers")
        wait_for(expect_peer_count(b, 2), 20, "b to list 2 peers")
        self.assertEqual(len(c.peer_names()), 1)
        rc, out, err = run_check([a.url, b.url, c.url])
        self.assertEqual(rc, 1, out)
        self.assertIn("mesh: SPLIT", out)
        self.assertIn(f"view 1: {a.url}, {b.url} see 2 member(s)", out)
        self.assertIn(f"view 2: {c.url} see 1 member(s)", out)
        self.assertIn("are each at position 0 of their own view", out)

    def test_replica_without_cluster_is_missing(self):
        mesh = opstest.Mesh(DAEMON)
        mesh.add(clustered=False)
        self.start(mesh)
        node = mesh.nodes[0]
        self.assertEqual(node.status()["cluster"]["status"], "disabled")
        rc, out, err = run_check([node.url])
        self.assertEqual(rc, 1, out)
        self.assertIn(f"replica {node.url} runs without a cluster", out)


if __name__ == "__main__":
    opstest.main()

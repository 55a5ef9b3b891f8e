"""Mixed cluster formation: our node joins a formed cluster of 2 prometheus-alertmanager 0.25
nodes, and a Go node joins a formed cluster of 2 of ours, each joiner's --cluster.peer pointing only
at the other side. Afterwards every node is ready and lists every member (name and advertised
127.0.0.1 address) in /api/v2/status, and `amtool -o extended cluster show` against each node
lists every name."""
import time
import unittest

from mixedtest import CPP, GO, MixedCluster, amtool_cluster_show, elapsed, require_go

CONFIG = "route:\n  receiver: r\nreceivers:\n- name: r\n"


class MixedJoinTest(unittest.TestCase):
    def setUp(self):
        require_go()
        self.c = MixedCluster(CONFIG)
        self.addCleanup(self.c.cleanup)

    def _join(self, base_kind, joiner_kind):
        a = self.c.add(base_kind)
        b = self.c.add(base_kind)  # peers: [a]
        base_formed = self.c.wait_formed([a, b])
        t0 = time.monotonic()
        j = self.c.add(joiner_kind, peers=[a, b])
        joined = self.c.wait_formed()
        total = elapsed(t0)

        want = {d.name(): f"127.0.0.1:{d.cluster_port}" for d in self.c.nodes}
        self.assertEqual(len(want), 3, "three distinct peer names")
        for d in self.c.nodes:
            s = d.status()
            self.assertEqual(s["status"], "ready", d.describe())
            got = {p["name"]: p["address"] for p in s["peers"]}
            self.assertEqual(got, want, f"peers listed by {d.describe()}\n{self.c.logs()}")

        shown = 0
        for d in self.c.nodes:
            status, node, names, out = amtool_cluster_show(d)
            self.assertEqual(status, "ready", out)
            self.assertEqual(node, d.name(), out)
            self.assertEqual(names, sorted(want), f"amtool cluster show on {d.describe()}:\n{out}")
            shown += 1
        print(f"\n{joiner_kind} joins 2 {base_kind}: base ready in {base_formed}s, all 3 ready "
              f"and listing 3 members {total}s after the joiner started ({joined}s after it "
              f"answered /-/healthy); amtool cluster show listed 3/3 names on {shown} nodes; "
              f"layout {self.c.layout()}", flush=True)
        return j

    def test_ours_joins_two_go_nodes(self):
        self._join(GO, CPP)

    def test_go_node_joins_two_of_ours(self):
        self._join(CPP, GO)


if __name__ == "__main__":
    unittest.main()

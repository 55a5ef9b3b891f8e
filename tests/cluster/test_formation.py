"""Cluster: 3 nodes started together form one cluster (every node lists 3 peers, status ready),
timed beside 3 Debian prometheus-alertmanager 0.25 nodes started the same way in the same run."""
import time
import unittest

from clustertest import AM_BIN, REAL_AM, Cluster, is_formed, require_tool, wait_for


class FormationTest(unittest.TestCase):
    def _formation_seconds(self, binary, bound):
        c = Cluster(3, binary=binary)
        try:
            t0 = time.monotonic()
            c.start()
            try:
                wait_for(lambda: is_formed(c.nodes, 3), timeout=bound, interval=0.05,
                         what=f"3 nodes of {binary} to form one ready cluster")
            except AssertionError as e:
                raise AssertionError(f"{e}\n{c.logs()}") from None
            return time.monotonic() - t0
        finally:
            c.cleanup()

    def test_three_nodes_form_one_ready_cluster_timed_against_upstream(self):
        ours = self._formation_seconds(AM_BIN, bound=20)
        print(f"\nformation (3 nodes ready, 3 peers each): ours {ours:.2f}s", flush=True)
        require_tool(REAL_AM, "prometheus-alertmanager")
        go = self._formation_seconds(REAL_AM, bound=90)
        print(f"formation (3 nodes ready, 3 peers each): prometheus-alertmanager 0.25 {go:.2f}s",
              flush=True)


if __name__ == "__main__":
    unittest.main()

"""Cluster: the same alert posted to all 3 nodes gives exactly 1 webhook notification; 20 fresh
alert names posted to all 3 give 20 in total, one per name (group_wait 1s, peer-timeout 2s, so the
last position flushes at about 1 + 2*2 = 5 s)."""
import collections
import time
import unittest

from clustertest import (AM_BIN, Cluster, Sink, alert, elapsed, is_formed, notified_names,
                         post_all, wait_for, webhook_config)

PEER_TIMEOUT = 2
# Last position (2) flushes at group_wait + 2*peer_timeout; give it slack on a loaded machine.
SETTLE_WAIT = 1 + 2 * PEER_TIMEOUT + 4


class DedupTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.c = Cluster(3, binary=AM_BIN, config=webhook_config(self.sink.url()),
                         extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(self.c.cleanup)
        self.c.start()
        wait_for(lambda: is_formed(self.c.nodes, 3), timeout=20, what="cluster formed")

    def test_one_alert_to_all_three_one_notification(self):
        t0 = time.monotonic()
        post_all(self.c.nodes, alert("DedupOne"))
        self.sink.wait_count(1, timeout=SETTLE_WAIT)
        first = elapsed(t0)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        print(f"\n1 alert x 3 nodes: {self.sink.count()} notification(s), first after {first}s",
              flush=True)
        self.assertEqual(notified_names(self.sink), ["DedupOne"], self.c.logs())

    def test_twenty_fresh_alerts_twenty_notifications(self):
        names = [f"DedupMany{i:02d}" for i in range(20)]
        t0 = time.monotonic()
        for n in names:
            post_all(self.c.nodes, alert(n))
        posted = elapsed(t0)
        self.sink.wait_count(20, timeout=SETTLE_WAIT + posted)
        # The last posted group's last position must pass its wait before counting.
        time.sleep(max(0.0, SETTLE_WAIT + posted - (time.monotonic() - t0)))
        got = collections.Counter(notified_names(self.sink))
        print(f"\n20 alerts x 3 nodes (posted in {posted}s): {sum(got.values())} notifications",
              flush=True)
        self.assertEqual(got, collections.Counter(names), self.c.logs())


if __name__ == "__main__":
    unittest.main()

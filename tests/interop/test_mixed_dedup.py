"""Notification dedup across a mixed cluster: the same alert posted to every node of a 2 Go + 1 ours
cluster and of a 1 Go + 2 ours cluster gives exactly one webhook notification, sent by position 0,
for each choice of who holds position 0 (our node, a Go node). The later positions (position 1 is
of the other kind in every layout) must find position 0's notification-log entry and stay silent.
group_wait 1s, --cluster.peer-timeout=2s on all nodes: the last position flushes at 1 + 2*2 = 5 s.
"""
import time
import unittest

from mixedtest import (CPP, FIRST, GO, LAST, PEER_TIMEOUT, MixedWebhookCase, after, alert,
                       notified_names, post_all)

SETTLE_WAIT = 1 + 2 * PEER_TIMEOUT + 4


class MixedDedupTest(MixedWebhookCase):
    def check(self, kinds, label):
        formed, order, layout = self.formed_in_order(kinds)
        name = f"Dedup{label}"
        t0 = time.monotonic()
        post_all(self.c.nodes, alert(name))
        self.sink.wait_count(1, timeout=SETTLE_WAIT)
        first = round(self.sink.requests[0].time - t0, 2) if self.sink.count() else None
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        sent = [d.notifications_sent() for d in order]
        print(f"\n{label}: layout {layout} (ready {formed}s); {self.sink.count()} "
              f"notification(s), first {first}s after the post; sent per position {sent}",
              flush=True)
        self.assertEqual(notified_names(self.sink), [name], self.c.logs())
        self.assertEqual(sent, [1.0] + [0.0] * (len(order) - 1),
                         f"only position 0 sends\n{self.c.logs()}")

    def test_two_go_one_ours_ours_at_position_0(self):
        self.c.add(CPP, peer_name=FIRST)
        self.c.add(GO)
        self.c.add(GO)
        self.check([CPP, GO, GO], "2go1cpp_cpp0")

    def test_two_go_one_ours_go_at_position_0(self):
        a = self.c.add(GO)
        self.c.add(CPP, peer_name=after(a.name()))
        self.c.add(GO)
        self.check([GO, CPP, GO], "2go1cpp_go0")

    def test_one_go_two_ours_ours_at_position_0(self):
        self.c.add(CPP, peer_name=FIRST)
        self.c.add(GO)
        self.c.add(CPP, peer_name=LAST)
        self.check([CPP, GO, CPP], "1go2cpp_cpp0")

    def test_one_go_two_ours_go_at_position_0(self):
        a = self.c.add(GO)
        self.c.add(CPP, peer_name=after(a.name(), "cpp1"))
        self.c.add(CPP, peer_name=after(a.name(), "cpp2"))
        self.check([GO, CPP, CPP], "1go2cpp_go0")


if __name__ == "__main__":
    unittest.main()

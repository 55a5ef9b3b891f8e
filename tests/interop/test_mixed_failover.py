"""Failover across a mixed cluster: the node at position 0 is killed with SIGKILL right after the
alert is posted to every node; the node at position 1, of the other kind, sends exactly one
notification about group_wait + peer_timeout = 3 s after the post and position 2 stays silent
(it finds position 1's notification-log entry). Done once with a Go node at position 0 (our node
takes over) and once with our node at position 0 (a Go node takes over). Afterwards the killed node
leaves every survivor's peer list (the failure detectors of both kinds agree)."""
import signal
import threading
import time
import unittest

from mixedtest import (CPP, FIRST, GO, LAST, PEER_TIMEOUT, MixedWebhookCase, after, alert, elapsed,
                       notified_names, peer_names, post_all, wait_for)

GROUP_WAIT = 1
SETTLE_WAIT = GROUP_WAIT + 2 * PEER_TIMEOUT + 4
EXPECTED = GROUP_WAIT + PEER_TIMEOUT
DEAD_GONE_BOUND = 20


class MixedFailoverTest(MixedWebhookCase):
    def kill_position_0(self, kinds, label):
        formed, order, layout = self.formed_in_order(kinds)
        p0, p1, p2 = order
        dead_name = p0.name()
        name = f"Kill{label}"
        t0 = time.monotonic()
        post_all(self.c.nodes, alert(name))
        p0.send_signal(signal.SIGKILL)
        t_kill = time.monotonic()
        p0.proc.wait(timeout=5)
        survivors = [p1, p2]
        gone = {}  # survivor -> seconds after the kill when it stopped listing the dead node
        stop = threading.Event()

        def watch():
            while not stop.is_set() and len(gone) < len(survivors):
                for d in survivors:
                    try:
                        if d not in gone and dead_name not in peer_names(d):
                            gone[d] = elapsed(t_kill)
                    except Exception:  # noqa: BLE001 - polled until the deadline
                        pass
                stop.wait(0.1)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        self.addCleanup(watcher.join, 5)
        self.addCleanup(stop.set)
        self.sink.wait_count(1, timeout=SETTLE_WAIT)
        after_post = round(self.sink.requests[0].time - t0, 2) if self.sink.count() else None
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        sent = [d.notifications_sent() for d in (p1, p2)]
        wait_for(lambda: len(gone) == len(survivors) or time.monotonic() - t_kill
                 > DEAD_GONE_BOUND, timeout=DEAD_GONE_BOUND + 1, interval=0.1,
                 what="survivors' peer lists to drop the killed node or the bound to pass")
        stop.set()
        removal = {d.kind + f"@pos{order.index(d)}": gone.get(d) for d in survivors}
        print(f"\n{label}: layout {layout} (ready {formed}s); killed {p0.kind} at position 0 "
              f"{round(t_kill - t0, 3)}s after the post started; {self.sink.count()} "
              f"notification(s), first {after_post}s after the post (expected ~{EXPECTED}s); "
              f"sent by positions 1,2: {sent}; killed node dropped from peer lists after "
              f"(s since kill) {removal}", flush=True)
        self.assertEqual(notified_names(self.sink), [name], self.c.logs())
        self.assertTrue(EXPECTED - 0.5 <= after_post <= EXPECTED + 1.5,
                        f"notification {after_post}s after the post\n{self.c.logs()}")
        self.assertEqual(sent, [1.0, 0.0], f"position 1 sends, position 2 does not\n"
                         + self.c.logs())
        self.assertEqual(len(gone), 2, f"{dead_name} still listed {DEAD_GONE_BOUND}s after "
                         f"the kill: {removal}\n{self.c.statuses()}\n{self.c.logs()}")

    def test_kill_go_at_position_0_ours_takes_over(self):
        a = self.c.add(GO)
        self.c.add(CPP, peer_name=after(a.name()))
        self.c.add(GO)
        self.kill_position_0([GO, CPP, GO], "Go0")

    def test_kill_ours_at_position_0_go_takes_over(self):
        self.c.add(CPP, peer_name=FIRST)
        self.c.add(GO)
        self.c.add(CPP, peer_name=LAST)
        self.kill_position_0([CPP, GO, CPP], "Cpp0")


if __name__ == "__main__":
    unittest.main()

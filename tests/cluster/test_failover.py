"""Cluster failures with real processes: the node at peer position 0 killed with SIGKILL right
after the alert is posted (exactly 1 notification, from position 1, about group_wait + peer_timeout
= 3 s after the post; the dead node leaves every survivor's peer list within 15 s); a node paused
with SIGSTOP for 3 s rejoins every peer list within 5 s of SIGCONT with no notification lost or
repeated; a node restarted on the same --storage.path rejoins and does not notify again, nor do
all three restarted together (the log then comes from storage alone)."""
import collections
import signal
import time
import unittest

from clustertest import (AM_BIN, Cluster, Sink, alert, cluster_status, elapsed, is_formed,
                         notified_names, peer_names, position, post_all, wait_for, webhook_config)

PEER_TIMEOUT = 2
SETTLE_WAIT = 1 + 2 * PEER_TIMEOUT + 4


class FailoverTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.c = Cluster(3, binary=AM_BIN, config=webhook_config(self.sink.url()),
                         extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(self.c.cleanup)
        self.c.start()
        wait_for(lambda: is_formed(self.c.nodes, 3), timeout=20, what="cluster formed")
        self.by_pos = sorted(self.c.nodes, key=position)
        self.assertEqual([position(d) for d in self.by_pos], [0, 1, 2])

    def test_sigkill_position_zero_after_post(self):
        p0, p1, p2 = self.by_pos
        dead_name = cluster_status(p0)["name"]
        t0 = time.monotonic()
        post_all(self.c.nodes, alert("KillPos0"))
        p0.send_signal(signal.SIGKILL)
        t_kill = time.monotonic()
        p0.proc.wait(timeout=5)
        self.assertEqual(self.sink.wait_count(1, timeout=SETTLE_WAIT), 1, self.c.logs())
        after = round(self.sink.requests[0].time - t0, 2)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        self.assertEqual(notified_names(self.sink), ["KillPos0"], self.c.logs())
        self.assertTrue(2.5 <= after <= 4.5, f"notification {after}s after the post\n"
                        + self.c.logs())
        sent = [d.metric("alertmanager_notifications_total", {"integration": "webhook"})
                for d in (p1, p2)]
        self.assertEqual(sent, [1.0, 0.0], "position 1 sends, position 2 does not")
        survivors = [p1, p2]
        wait_for(lambda: all(dead_name not in peer_names(d) for d in survivors),
                 timeout=15 - (time.monotonic() - t_kill), interval=0.1,
                 what=f"{dead_name} to leave every survivor's peer list\n{self.c.logs()}")
        gone = elapsed(t_kill)
        for d in survivors:
            self.assertEqual(len(peer_names(d)), 2)
        print(f"\nSIGKILL pos 0: {self.sink.count()} notification(s), {after}s after the post; "
              f"dead node out of both survivors' peer lists {gone}s after the kill", flush=True)

    def test_sigstop_three_seconds_then_member_again(self):
        p0, p1, p2 = self.by_pos
        running = [p0, p1]
        post_all(self.c.nodes, alert("BeforePause"))
        self.assertEqual(self.sink.wait_count(1, timeout=SETTLE_WAIT), 1)
        time.sleep(1 + 2 * PEER_TIMEOUT + 1)  # every position has passed its wait
        paused_name = cluster_status(p2)["name"]
        p2.send_signal(signal.SIGSTOP)
        try:
            t_stop = time.monotonic()
            # Prometheus keeps sending to the reachable nodes during the pause.
            post_all(running, alert("DuringPause"))
            time.sleep(max(0.0, 3 - (time.monotonic() - t_stop)))
        finally:
            p2.send_signal(signal.SIGCONT)
        t_cont = time.monotonic()
        wait_for(lambda: is_formed(self.c.nodes, 3), timeout=5, interval=0.1,
                 what=f"{paused_name} back in every peer list\n{self.c.logs()}")
        back = elapsed(t_cont)
        t1 = time.monotonic()
        post_all(self.c.nodes, alert("AfterPause") + alert("DuringPause"))
        self.sink.wait_count(3, timeout=SETTLE_WAIT)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t1)))
        got = collections.Counter(notified_names(self.sink))
        print(f"\nSIGSTOP 3s: member of every peer list {back}s after SIGCONT; notifications "
              f"{dict(got)}", flush=True)
        self.assertEqual(got, collections.Counter(["BeforePause", "DuringPause", "AfterPause"]),
                         self.c.logs())

    def test_restart_same_storage_does_not_notify_again(self):
        p0 = self.by_pos[0]
        t0 = time.monotonic()
        post_all(self.c.nodes, alert("Restart"))
        self.assertEqual(self.sink.wait_count(1, timeout=SETTLE_WAIT), 1)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        old_name = cluster_status(p0)["name"]
        p0.stop()
        t_start = time.monotonic()
        p0.start()  # same args: same --storage.path, ports and peers
        new_name = cluster_status(p0)["name"]

        def rejoined():
            return is_formed(self.c.nodes, 3) and all(
                old_name not in peer_names(d) or old_name == new_name for d in self.c.nodes)
        wait_for(rejoined, timeout=20, interval=0.1,
                 what=f"restarted node back in one 3-node cluster\n{self.c.logs()}")
        back = elapsed(t_start)
        # Prometheus re-sends the still-firing alert to every node.
        t1 = time.monotonic()
        post_all(self.c.nodes, alert("Restart"))
        time.sleep(SETTLE_WAIT)
        print(f"\nrestart pos-0 node on same storage: rejoined in {back}s "
              f"(peer name {'kept' if old_name == new_name else 'new'}); notifications "
              f"{self.sink.count()} in {elapsed(t0)}s (re-posted {elapsed(t1)}s ago)", flush=True)
        self.assertEqual(notified_names(self.sink), ["Restart"], self.c.logs())

    def test_restart_all_three_same_storage_does_not_notify_again(self):
        # With every node restarted no peer holds the log in memory: only --storage.path can.
        t0 = time.monotonic()
        post_all(self.c.nodes, alert("RestartAll"))
        self.assertEqual(self.sink.wait_count(1, timeout=SETTLE_WAIT), 1)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        for d in self.c.nodes:
            d.stop()
        for d in self.c.nodes:
            d.start(wait=False)
        for d in self.c.nodes:
            wait_for(d._up, timeout=15, what=f"daemon on {d.url}")
        wait_for(lambda: is_formed(self.c.nodes, 3), timeout=20, interval=0.1,
                 what=f"restarted cluster formed\n{self.c.logs()}")
        post_all(self.c.nodes, alert("RestartAll"))
        time.sleep(SETTLE_WAIT)
        print(f"\nall 3 restarted on same storage: notifications {self.sink.count()}", flush=True)
        self.assertEqual(notified_names(self.sink), ["RestartAll"], self.c.logs())


if __name__ == "__main__":
    unittest.main()

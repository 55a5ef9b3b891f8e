"""Real network partitions (tests/cluster/netns.py: one network namespace per node, gossip over a
bridge whose port for one node is set down; HTTP and webhooks keep working over a separate veth).
Three nodes, group_wait 1s, group_interval 5s, repeat_interval 1h, --cluster.peer-timeout=2s, one
webhook sink per node so that every notification names its sender.

- Baseline in the namespaces (this daemon): one mesh of 3, ready; the same alert posted to all 3
  gives 1 notification, from position 0.
- One node cut off (position 0, then position 2): an alert posted right after the cut (the failure
  detectors have not noticed yet) and one posted once both sides see the split (majority lists 2
  peers, the isolated node itself alone) each give exactly 2 notifications, one from the isolated
  node and one from the majority: duplicate rather than miss. An alert posted only to the majority
  during the cut gives 1.
- Heal: every node lists 3 peers again; re-posting all three alerts to all nodes and waiting over
  2 group_interval ticks gives no further notification - not even from the healed node for the
  alert it first sees after healing (the majority's log record reached it when it rejoined).
- The same partition scenarios against Debian's Alertmanager 0.25 (REAL_AM), same expected counts.
- All replicas SIGKILLed: the always-firing Watchdog's repeats (repeat_interval 2s) keep arriving
  with one replica dead and stop when all are dead - what an external dead man's switch alerts on.
"""
import os
import signal
import time
import unittest

from clustertest import (AM_BIN, REAL_AM, alert, cluster_status, elapsed, is_formed, peer_names,
                         position, post_all, require_tool, wait_for, webhook_config)
import netns
from netns import NetnsCluster

PEER_TIMEOUT = 2
GROUP_WAIT = 1
GROUP_INTERVAL = 5
# Every position has passed its wait (position 2: group_wait + 2 * peer_timeout), with slack.
SETTLE_WAIT = GROUP_WAIT + 2 * PEER_TIMEOUT + 2
# The same once the split is seen: the majority has positions 0 and 1, the isolated node only 0.
SPLIT_SETTLE_WAIT = GROUP_WAIT + PEER_TIMEOUT + 2
# Two group_interval ticks on every node, the last position's wait after the second one, slack.
TICKS_WAIT = 2 * GROUP_INTERVAL + 2 * PEER_TIMEOUT + 1
DETECT_TIMEOUT = 30  # failure detectors on both sides of the cut (observed 5.3 to 11.5 s)
HEAL_TIMEOUT = 30    # back in every peer list (observed 0.1 to 2.1 s)

RESULTS = {}


def config(sink_url):
    return webhook_config(sink_url, group_wait=f"{GROUP_WAIT}s",
                          group_interval=f"{GROUP_INTERVAL}s", repeat_interval="1h")


def require_netns():
    require_tool(netns.IP, "iproute2 `ip`")
    require_tool(netns.SETPRIV, "util-linux `setpriv`")
    if os.geteuid() != 0:
        if os.environ.get("CI", "") == "true":
            raise AssertionError("network namespaces need root (CI=true: fails)")
        raise unittest.SkipTest("network namespaces need root")


def since(times, t0):
    return [(i, round(t - t0, 2)) for i, t in times]


class _PartitionScenarios:
    """Mixed into one TestCase per binary; the cluster is shared by the class's tests (the Go
    daemon alone takes about 10 s to settle). Each partition test heals in every exit path."""
    LABEL = ""
    FORM_TIMEOUT = 20

    @classmethod
    def binary(cls):
        raise NotImplementedError

    @classmethod
    def setUpClass(cls):
        require_netns()
        binary = cls.binary()
        t0 = time.monotonic()
        cls.c = NetnsCluster(3, binary, config,
                             extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        cls.addClassCleanup(cls.c.cleanup)
        cls.c.start()
        wait_for(lambda: is_formed(cls.c.nodes, 3), timeout=cls.FORM_TIMEOUT, interval=0.2,
                 what=f"3 nodes ready in one mesh\n{cls.c.logs()}")
        cls.formed_after = elapsed(t0)
        cls.by_pos = sorted(cls.c.nodes, key=position)
        if [position(d) for d in cls.by_pos] != [0, 1, 2]:
            raise AssertionError("positions are not 0, 1, 2")
        print(f"\n[{cls.LABEL}] 3 nodes in namespaces ready in one mesh {cls.formed_after}s "
              f"after start", flush=True)

    def test_2_isolate_position_0(self):
        self._isolate(0)

    def test_3_isolate_position_2(self):
        self._isolate(2)

    def _isolate(self, pos):
        c = self.c
        wait_for(lambda: is_formed(c.nodes, 3), timeout=HEAL_TIMEOUT, interval=0.2,
                 what=f"one mesh of 3 before the cut\n{c.logs()}")
        victim = self.by_pos[pos]
        self.assertEqual(position(victim), pos)
        majority = [d for d in c.nodes if d is not victim]
        v, maj = victim.index, [d.index for d in majority]
        vname = cluster_status(victim)["name"]
        maj_names = sorted(cluster_status(d)["name"] for d in majority)
        early = f"{self.LABEL}Pos{pos}Early"
        split = f"{self.LABEL}Pos{pos}Split"
        maj_only = f"{self.LABEL}Pos{pos}MajorityOnly"

        t_cut = time.monotonic()
        c.cut(v)
        try:
            post_all(c.nodes, alert(early))
            t_early = time.monotonic()
            # Both failure detectors: the majority drops the victim, the victim drops both.
            seen = {}
            deadline = t_cut + DETECT_TIMEOUT
            while time.monotonic() < deadline and len(seen) < 2:
                if "majority" not in seen and all(peer_names(d) == maj_names for d in majority):
                    seen["majority"] = elapsed(t_cut)
                if "victim" not in seen and peer_names(victim) == [vname]:
                    seen["victim"] = elapsed(t_cut)
                time.sleep(0.1)
            self.assertEqual(len(seen), 2, f"split not seen on both sides within "
                             f"{DETECT_TIMEOUT}s: {seen}\n{c.logs()}")
            # Still reachable over HTTP: the cut is gossip only.
            t_split = time.monotonic()
            post_all(c.nodes, alert(split))
            post_all(majority, alert(maj_only))
            end = max(t_early + SETTLE_WAIT, t_split + SPLIT_SETTLE_WAIT)
            time.sleep(max(0.0, end - time.monotonic()))
            got = {n: c.counts(n) for n in (early, split, maj_only)}
            t_early_times = since(c.times(early), t_early)
            t_split_times = since(c.times(split), t_split)
        finally:
            c.heal(v)
        t_heal = time.monotonic()
        wait_for(lambda: is_formed(c.nodes, 3), timeout=HEAL_TIMEOUT, interval=0.1,
                 what=f"3 peers on every node after healing\n{c.logs()}")
        healed = elapsed(t_heal)
        before = {n: c.counts(n) for n in (early, split, maj_only)}
        t_repost = time.monotonic()
        post_all(c.nodes, alert(early) + alert(split) + alert(maj_only))
        time.sleep(max(0.0, TICKS_WAIT - (time.monotonic() - t_repost)))
        after = {n: c.counts(n) for n in (early, split, maj_only)}
        extra = sum(sum(after[n]) - sum(before[n]) for n in after)

        def side(counts):
            return f"isolated {counts[v]} + majority {sum(counts[i] for i in maj)}"
        print(f"\n[{self.LABEL}] isolate position {pos} (node {v}): posted at the cut: "
              f"{side(got[early])} at {t_early_times}; majority lists 2 peers "
              f"{seen['majority']}s and the isolated node itself alone {seen['victim']}s after "
              f"the cut; posted then: {side(got[split])} at {t_split_times}; posted to the "
              f"majority only: {side(got[maj_only])}; healed: 3 peers everywhere {healed}s after "
              f"the port came up; re-posted all, {TICKS_WAIT}s (2 group_interval ticks): "
              f"+{extra} notification(s)", flush=True)
        RESULTS.setdefault(self.LABEL, {})[f"pos{pos}"] = (
            sum(got[early]), sum(got[split]), sum(got[maj_only]), extra)

        for n in (early, split):
            self.assertEqual(got[n][v], 1, f"{n}: the isolated node notifies once {got}\n"
                             + c.logs())
            self.assertEqual(sum(got[n][i] for i in maj), 1,
                             f"{n}: the majority notifies once {got}\n{c.logs()}")
        # Once both sides saw the split each side has its own position 0: nobody waits.
        for i, t in t_split_times:
            self.assertLess(t, GROUP_WAIT + PEER_TIMEOUT,
                            f"node {i} waited for a peer after the split: {t_split_times}")
        self.assertEqual(got[maj_only][v], 0)
        self.assertEqual(sum(got[maj_only]), 1, f"{got}\n{c.logs()}")
        self.assertEqual(after, before, "no notification after healing (logs merged, "
                         f"repeat_interval 1h)\n{c.logs()}")


class Test1OursPartition(_PartitionScenarios, unittest.TestCase):
    LABEL = "ours"

    @classmethod
    def binary(cls):
        return AM_BIN

    def test_1_baseline_one_notification(self):
        c = self.c
        name = f"{self.LABEL}Baseline"
        for d in c.nodes:
            self.assertEqual(len(peer_names(d)), 3)
            self.assertEqual(cluster_status(d)["status"], "ready")
        t0 = time.monotonic()
        post_all(c.nodes, alert(name))
        c.wait_total(name, 1, timeout=SETTLE_WAIT)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        counts = c.counts(name)
        sender = self.by_pos[0].index
        print(f"\n[{self.LABEL}] baseline: {sum(counts)} notification(s) per node {counts} "
              f"at {since(c.times(name), t0)} (node, s after post); position 0 is node {sender}",
              flush=True)
        RESULTS.setdefault(self.LABEL, {})["baseline"] = sum(counts)
        self.assertEqual(sum(counts), 1, c.logs())
        self.assertEqual(counts[sender], 1, "position 0 sends")


class Test2UpstreamPartition(_PartitionScenarios, unittest.TestCase):
    """Alertmanager 0.25: settles in about 10 s (5 polls of 2 s)."""
    LABEL = "upstream"
    FORM_TIMEOUT = 30

    @classmethod
    def binary(cls):
        require_tool(REAL_AM, "prometheus-alertmanager 0.25")
        return REAL_AM


class Test3DeadMansSwitch(unittest.TestCase):
    """An always-firing Watchdog routed with a short repeat_interval: its notifications are the
    heartbeat an external dead man's switch watches."""
    REPEAT = 2
    INTERVAL = 1

    def test_watchdog_repeats_stop_only_when_every_replica_is_dead(self):
        require_netns()
        cfg = (lambda url: webhook_config(url, group_wait="0s", group_interval=f"{self.INTERVAL}s",
                                          repeat_interval=f"{self.REPEAT}s"))
        c = NetnsCluster(3, AM_BIN, cfg, extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(c.cleanup)
        c.start()
        wait_for(lambda: is_formed(c.nodes, 3), timeout=20, interval=0.2,
                 what=f"3 nodes ready in one mesh\n{c.logs()}")
        by_pos = sorted(c.nodes, key=position)
        t0 = time.monotonic()
        post_all(c.nodes, alert("Watchdog", severity="none"))
        # Largest gap a heartbeat may show while a sender is alive: repeat_interval, one
        # group_interval tick to notice it, and the peer-timeout waits of the positions.
        max_gap = self.REPEAT + self.INTERVAL + 2 * PEER_TIMEOUT + 1

        def beats_after(t):
            return [b for b in heartbeats(c) if b > t]
        wait_for(lambda: len(beats_after(t0)) >= 3, timeout=3 * max_gap, interval=0.05,
                 what=f"3 Watchdog heartbeats with 3 replicas up\n{c.logs()}")

        by_pos[0].stop(sig=signal.SIGKILL)  # the sender dies; the others keep the heartbeat
        t_one = time.monotonic()
        wait_for(lambda: len(beats_after(t_one)) >= 2, timeout=3 * max_gap, interval=0.05,
                 what=f"2 Watchdog heartbeats with 2 replicas up\n{c.logs()}")

        c.kill_all()
        t_all = time.monotonic()
        n_all = c.total()
        beats = heartbeats(c)
        gaps = [round(b - a, 2) for a, b in zip(beats, beats[1:])]
        time.sleep(max_gap)
        senders = [i for i, _ in c.times("Watchdog")]
        n_two = len(beats_after(t_one))
        print(f"\nWatchdog (repeat_interval {self.REPEAT}s, group_interval {self.INTERVAL}s, "
              f"peer-timeout {PEER_TIMEOUT}s): heartbeats {len(beats_after(t0)) - n_two} "
              f"in {round(t_one - t0, 2)}s with 3 up, {n_two} in "
              f"{round(t_all - t_one, 2)}s with 2 up; gaps {gaps}s; {n_all} notifications from "
              f"nodes {senders} (position 0 was node {by_pos[0].index}); after SIGKILL of all 3: "
              f"{c.total() - n_all} in {max_gap}s", flush=True)
        self.assertEqual(c.total(), n_all, "nothing can notify once every replica is dead")
        self.assertLessEqual(max(gaps), max_gap, f"heartbeat gaps {gaps}")


def heartbeats(c):
    """Arrival times of Watchdog notifications, those within 0.5 s of the previous one merged:
    with a repeat_interval this short and every replica's group ticking in step, two replicas can
    send the same repeat together (0.25 does too); a dead man's switch counts one beat."""
    out = []
    for _, t in c.times("Watchdog"):
        if not out or t - out[-1] > 0.5:
            out.append(t)
    return out


def tearDownModule():
    if RESULTS:
        print("\npartition summary (alerts: at the cut, after the split, majority only; extra "
              "after heal): " + "; ".join(f"{k}: {v}" for k, v in sorted(RESULTS.items())),
              flush=True)


if __name__ == "__main__":
    unittest.main()

"""Cluster: a silence created on one node is returned by the other two within 1 s and mutes the
alert on all three (no notification, while an unsilenced control alert posted with it notifies
once); a silence whose comment is 1,000 characters (a gossip part over 700 bytes) replicates too."""
import collections
import datetime
import time
import unittest

from clustertest import (AM_BIN, Cluster, Sink, alert, http, is_formed, notified_names, post_all,
                         wait_for, webhook_config)

PEER_TIMEOUT = 2
SETTLE_WAIT = 1 + 2 * PEER_TIMEOUT + 4


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def silence_body(alertname, comment):
    now = datetime.datetime.now(datetime.timezone.utc)
    return {"matchers": [{"name": "alertname", "value": alertname, "isRegex": False,
                          "isEqual": True}],
            "startsAt": iso(now - datetime.timedelta(minutes=1)),
            "endsAt": iso(now + datetime.timedelta(hours=1)),
            "createdBy": "cluster-test", "comment": comment}


class SilenceReplicationTest(unittest.TestCase):
    def setUp(self):
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.c = Cluster(3, binary=AM_BIN, config=webhook_config(self.sink.url()),
                         extra_args=(f"--cluster.peer-timeout={PEER_TIMEOUT}s",))
        self.addCleanup(self.c.cleanup)
        self.c.start()
        wait_for(lambda: is_formed(self.c.nodes, 3), timeout=20, what="cluster formed")

    def create_and_replicate(self, origin, alertname, comment):
        """Creates a silence on `origin`; returns (id, seconds until both others return it)."""
        r = http("POST", origin.url + "/api/v2/silences", body=silence_body(alertname, comment))
        self.assertEqual(r.status, 200, r.text)
        sid = r.json()["silenceID"]
        t0 = time.monotonic()
        others = [d for d in self.c.nodes if d is not origin]

        def everywhere():
            for d in others:
                g = http("GET", d.url + f"/api/v2/silence/{sid}", timeout=1)
                if g.status != 200:
                    return False
                s = g.json()
                if s["comment"] != comment or s["status"]["state"] != "active":
                    return False
            return True
        wait_for(everywhere, timeout=1.0, interval=0.02,
                 what=f"silence {sid} on the other two nodes\n{self.c.logs()}")
        return sid, round(time.monotonic() - t0, 3)

    def test_silence_replicates_within_one_second_and_mutes_everywhere(self):
        sid, took = self.create_and_replicate(self.c.nodes[0], "Silenced", "maintenance")
        t0 = time.monotonic()
        post_all(self.c.nodes, alert("Silenced") + alert("Control"))

        def suppressed_everywhere():
            for d in self.c.nodes:
                r = http("GET", d.url + "/api/v2/alerts?filter=alertname%3D%22Silenced%22",
                         timeout=2)
                al = r.json()
                if len(al) != 1 or al[0]["status"]["state"] != "suppressed" or \
                        al[0]["status"]["silencedBy"] != [sid]:
                    return False
            return True
        wait_for(suppressed_everywhere, timeout=5, what="alert suppressed by the silence on all 3")
        self.sink.wait_count(1, timeout=SETTLE_WAIT)
        time.sleep(max(0.0, SETTLE_WAIT - (time.monotonic() - t0)))
        got = collections.Counter(notified_names(self.sink))
        print(f"\nsilence replicated to both other nodes in {took}s; notifications {dict(got)}",
              flush=True)
        self.assertEqual(got, collections.Counter(["Control"]), self.c.logs())

    def test_silence_with_1000_character_comment_replicates(self):
        comment = ("long comment " * 80)[:1000]
        self.assertEqual(len(comment), 1000)
        _, took = self.create_and_replicate(self.c.nodes[1], "LongComment", comment)
        print(f"\n1,000-character-comment silence replicated to both other nodes in {took}s",
              flush=True)


if __name__ == "__main__":
    unittest.main()

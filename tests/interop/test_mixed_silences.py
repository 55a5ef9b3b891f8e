"""Silences across a mixed cluster (Go, ours, Go, ours): a silence created on a Go node is listed
by every node within 2 s, identical field for field (GET /api/v2/silences), and so is one created on
our node; expiring the Go-made silence on our node reaches the Go nodes within 2 s. Alerts matching
either silence, posted to every node, show state "suppressed" with silencedBy = that silence on
every node and are never notified, while an unmatched control alert posted with them is notified
exactly once (group_wait 1s, peer-timeout 2s)."""
import datetime
import json
import time
import unittest

from mixedtest import (CPP, GO, PEER_TIMEOUT, MixedWebhookCase, alert, elapsed, http,
                       notified_names, post_all, wait_for)

PROPAGATION_BOUND = 2.0


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def silence_body(alertname, comment):
    t = datetime.datetime.now(datetime.timezone.utc)
    return {"matchers": [{"name": "alertname", "value": alertname, "isRegex": False}],
            "startsAt": iso(t), "endsAt": iso(t + datetime.timedelta(hours=1)),
            "createdBy": "interop", "comment": comment}


class MixedSilencesTest(MixedWebhookCase):
    def setUp(self):
        super().setUp()
        for kind in (GO, CPP, GO, CPP):
            self.c.add(kind)
        self.c.wait_formed()

    def silences(self, d):
        r = d.get("/api/v2/silences", timeout=5)
        self.assertEqual(r.status, 200, r.text)
        return {s["id"]: s for s in r.json()}

    def create(self, d, body):
        r = http("POST", d.url + "/api/v2/silences", body=body, timeout=5)
        self.assertEqual(r.status, 200, f"{d.describe()}: {r.text}")
        return r.json()["silenceID"]

    def wait_everywhere(self, sid, pred, what):
        """Seconds until every node lists silence `sid` satisfying pred (bounded at 3x the
        asserted propagation bound so a slow result is reported with its time)."""
        t0 = time.monotonic()
        wait_for(lambda: all(sid in self.silences(d) and pred(self.silences(d)[sid])
                             for d in self.c.nodes),
                 timeout=3 * PROPAGATION_BOUND, interval=0.05,
                 what=f"{what} on every node\n{self.c.logs()}")
        return elapsed(t0)

    def assert_identical(self, sid):
        views = {d.describe(): json.dumps(self.silences(d)[sid], sort_keys=True)
                 for d in self.c.nodes}
        self.assertEqual(len(set(views.values())), 1, f"silence {sid} differs:\n"
                         + "\n".join(f"{k}: {v}" for k, v in views.items()))

    def test_silences_propagate_both_ways_and_mute_everywhere(self):
        go, cpp = self.c.nodes[0], self.c.nodes[1]
        active = lambda s: s["status"]["state"] == "active"  # noqa: E731

        go_sid = self.create(go, silence_body("MutedByGo", "made on go"))
        from_go = self.wait_everywhere(go_sid, active, f"Go silence {go_sid}")
        self.assert_identical(go_sid)

        cpp_sid = self.create(cpp, silence_body("MutedByOurs", "made on ours"))
        from_cpp = self.wait_everywhere(cpp_sid, active, f"our silence {cpp_sid}")
        self.assert_identical(cpp_sid)

        t0 = time.monotonic()
        post_all(self.c.nodes, alert("MutedByGo") + alert("MutedByOurs") + alert("Control"))
        posted = time.monotonic()
        muted = {"MutedByGo": go_sid, "MutedByOurs": cpp_sid}
        for d in self.c.nodes:
            got = {a["labels"]["alertname"]: a["status"]
                   for a in d.get("/api/v2/alerts", timeout=5).json()}
            for name, sid in muted.items():
                self.assertEqual(got[name]["state"], "suppressed", f"{name} on {d.describe()}")
                self.assertEqual(got[name]["silencedBy"], [sid], f"{name} on {d.describe()}")
            self.assertEqual(got["Control"]["state"], "active", d.describe())
            self.assertEqual(got["Control"]["silencedBy"], [], d.describe())

        # Every position (up to 3 with 4 nodes) must have passed its wait before counting.
        settle = 1 + 3 * PEER_TIMEOUT + 3
        self.sink.wait_count(1, timeout=settle)
        time.sleep(max(0.0, settle - (time.monotonic() - posted)))
        self.assertEqual(notified_names(self.sink), ["Control"], self.c.logs())

        # An update (expiry) made on our node reaches the Go nodes.
        r = http("DELETE", cpp.url + f"/api/v2/silence/{go_sid}", timeout=5)
        self.assertEqual(r.status, 200, r.text)
        expired = self.wait_everywhere(go_sid, lambda s: s["status"]["state"] == "expired",
                                       f"expiry of {go_sid} made on ours")
        self.assert_identical(go_sid)
        print(f"\nsilence made on go listed by all 4 nodes after {from_go}s, made on ours after "
              f"{from_cpp}s, expiry made on ours after {expired}s; notifications "
              f"{notified_names(self.sink)} ({elapsed(t0)}s after the post)", flush=True)
        for what, t in (("go->all", from_go), ("ours->all", from_cpp), ("expiry", expired)):
            self.assertLessEqual(t, PROPAGATION_BOUND, what)


if __name__ == "__main__":
    unittest.main()

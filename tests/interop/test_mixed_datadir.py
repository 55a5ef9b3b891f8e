"""Data directories move between prometheus-alertmanager 0.25 and our daemon, both files together.

A single node of one kind is given silences (active, pending, expired) and an alert that it
notifies, then stopped with SIGTERM (exit 0, `nflog` and `silences` written into --storage.path). A
node of the other kind started on that directory with the same configuration lists the same
silences field for field, mutes with them, and does NOT notify the alert again when it is re-posted
(the notification is in the loaded nflog and repeat_interval, 4h, has not passed), while a fresh
alert posted with it is notified: so the silence is proved to mute and the nflog to dedup, not the
pipeline to be idle. Both directions: Go -> ours and ours -> Go.
(tests/integration/test_silences.py covers the silences file alone.)"""
import datetime
import json
import os
import shutil
import tempfile
import time
import unittest

from mixedtest import (CPP, GO, Node, Sink, alert, elapsed, http, notified_names, require_go,
                       webhook_config)

GROUP_WAIT = 1
# After the post every group has flushed (group_wait) with room for a loaded machine.
QUIET_WAIT = GROUP_WAIT + 3


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def silence_body(alertname, start_h, end_h, comment):
    t = datetime.datetime.now(datetime.timezone.utc)
    return {"matchers": [{"name": "alertname", "value": alertname, "isRegex": False},
                         {"name": "instance", "value": "h[0-9]+", "isRegex": True}],
            "startsAt": iso(t + datetime.timedelta(hours=start_h)),
            "endsAt": iso(t + datetime.timedelta(hours=end_h)),
            "createdBy": "interop", "comment": comment}


class MixedDataDirTest(unittest.TestCase):
    def setUp(self):
        require_go()
        self.sink = Sink()
        self.addCleanup(self.sink.close)
        self.tmp = tempfile.mkdtemp(prefix="am-interop-data-")
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.storage = os.path.join(self.tmp, "data")
        self.config = webhook_config(self.sink.url(), group_wait=f"{GROUP_WAIT}s")

    def node(self, kind):
        d = Node(kind, self.config, storage=self.storage, cluster=False)
        self.addCleanup(d.cleanup)
        d.start_and_wait()
        return d

    def silences(self, d):
        r = d.get("/api/v2/silences", timeout=5)
        self.assertEqual(r.status, 200, r.text)
        return sorted(json.dumps(s, sort_keys=True) for s in r.json())

    def create(self, d, body):
        r = http("POST", d.url + "/api/v2/silences", body=body, timeout=5)
        self.assertEqual(r.status, 200, f"{d.describe()}: {r.text}")
        return r.json()["silenceID"]

    def post(self, d, body):
        r = d.post("/api/v2/alerts", body, timeout=5)
        self.assertEqual(r.status, 200, r.text)

    def statuses(self, d):
        return {a["labels"]["alertname"]: a["status"]
                for a in d.get("/api/v2/alerts", timeout=5).json()}

    def move(self, first, second):
        a = self.node(first)
        muting = self.create(a, silence_body("Muted", 0, 2, "active"))
        self.create(a, silence_body("Later", 1, 3, "pending"))
        gone = self.create(a, silence_body("Gone", 0, 1, "expired"))
        r = http("DELETE", a.url + f"/api/v2/silence/{gone}", timeout=5)
        self.assertEqual(r.status, 200, r.text)
        muted = alert("Muted", instance="h1")
        t0 = time.monotonic()
        self.post(a, alert("Sent", instance="h1") + muted)
        self.assertEqual(self.sink.wait_count(1, timeout=QUIET_WAIT), 1, a.logs())
        time.sleep(max(0.0, QUIET_WAIT - (time.monotonic() - t0)))
        self.assertEqual(notified_names(self.sink), ["Sent"], a.logs())
        self.assertEqual(self.statuses(a)["Muted"]["silencedBy"], [muting])
        before = self.silences(a)
        self.assertEqual(a.stop(), 0, a.logs())
        files = {f: os.path.getsize(os.path.join(self.storage, f))
                 for f in ("nflog", "silences") if os.path.exists(os.path.join(self.storage, f))}
        self.assertEqual(sorted(files), ["nflog", "silences"], f"{first} wrote {files}")
        self.assertTrue(all(files.values()), f"{first} wrote empty files: {files}")

        b = self.node(second)
        after = self.silences(b)
        self.assertEqual(after, before, f"silences in {second} differ from {first}'s")
        t1 = time.monotonic()
        # Prometheus re-sends the still-firing alerts; Fresh is new to both daemons.
        self.post(b, alert("Sent", instance="h1") + muted + alert("Fresh", instance="h1"))
        self.sink.wait_count(2, timeout=QUIET_WAIT)
        fresh_after = elapsed(t1)
        time.sleep(max(0.0, QUIET_WAIT - (time.monotonic() - t1)))
        st = self.statuses(b)
        print(f"\n{first} -> {second}: files {files}; {len(after)} silences listed identically; "
              f"notifications {notified_names(self.sink)} (Fresh {fresh_after}s after the "
              f"re-post, watched for {elapsed(t1)}s); Muted {st['Muted']['state']} by "
              f"{st['Muted']['silencedBy']}", flush=True)
        self.assertEqual(st["Muted"]["state"], "suppressed")
        self.assertEqual(st["Muted"]["silencedBy"], [muting])
        self.assertEqual(notified_names(self.sink), ["Sent", "Fresh"],
                         f"{second} must not re-notify Sent (in {first}'s nflog)\n"
                         f"--- {second} log ---\n{b.logs()[-8000:]}")

    def test_go_data_dir_loads_in_ours(self):
        self.move(GO, CPP)

    def test_our_data_dir_loads_in_go(self):
        self.move(CPP, GO)


if __name__ == "__main__":
    unittest.main()

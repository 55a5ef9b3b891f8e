#!/usr/bin/env python3
"""Writes the 100-alert group of bench_template.cpp as template.Data JSON (for amtool)."""
import json, sys
alerts = []
for i in range(100):
    resolved = i % 4 == 0
    starts = "2024-03-05T%02d:%02d:00Z" % (i // 60, i % 60)
    alerts.append({
        "status": "resolved" if resolved else "firing",
        "labels": {"alertname": "HighLatency", "instance": "web-%d:9090" % i, "job": "api",
                   "severity": "critical" if i % 3 == 0 else "warning", "cluster": "eu-west-1"},
        "annotations": {"summary": "Latency above 500ms on web-%d" % i,
                        "description": "p99 latency is 730ms <over budget> & rising",
                        "runbook_url": "https://runbooks.example.com/latency"},
        "startsAt": starts,
        "endsAt": ("2024-03-05T%02d:%02d:00Z" % (i // 60 + 1, i % 60)) if resolved else "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph?g0.expr=latency&i=%d" % i,
        "fingerprint": "0123456789abcdef"})
data = {"receiver": "team-api", "status": "firing", "alerts": alerts,
        "groupLabels": {"alertname": "HighLatency", "job": "api"},
        "commonLabels": {"alertname": "HighLatency", "job": "api", "cluster": "eu-west-1"},
        "commonAnnotations": {"description": "p99 latency is 730ms <over budget> & rising",
                              "runbook_url": "https://runbooks.example.com/latency"},
        "externalURL": "http://alertmanager.example:9093"}
json.dump(data, open(sys.argv[1], "w"))

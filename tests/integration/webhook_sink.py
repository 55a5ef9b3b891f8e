"""Loopback webhook receivers for notification tests: a recording sink (plain or HTTPS, scripted
status codes, optional hang), a forwarding HTTP proxy, a throw-away CA made with the openssl CLI,
and the exact body Alertmanager 0.25 posts (Go's json.Encoder escaping, model fingerprints).

Standard library only; run with Debian's /usr/bin/python3. Every server binds 127.0.0.1 on a free
port and is closed by close() (also as a context manager); hung requests are released then.
"""
import http.client
import http.server
import json
import os
import shutil
import ssl
import subprocess
import tempfile
import threading
import time
import urllib.parse


class Received:
    def __init__(self, method, path, headers, body):
        self.time = time.monotonic()
        self.method = method
        self.path = path
        self.headers = headers  # dict, header names as sent
        self.body = body

    def header(self, name):
        for k, v in self.headers.items():
            if k.lower() == name.lower():
                return v
        return None

    def json(self):
        return json.loads(self.body)


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_POST(self):  # noqa: N802 - http.server naming
        self._handle()

    def do_GET(self):  # noqa: N802
        self._handle()

    def _handle(self):
        sink = self.server.sink
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        rec = Received(self.command, self.path, dict(self.headers.items()), body)
        status, reply = sink._record(rec)
        if status is None:  # hang until the sink closes
            sink._closed.wait()
            return
        if sink.forward:
            status, reply = sink._forward(rec)
        self.send_response(status)
        self.send_header("Content-Length", str(len(reply)))
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(reply)

    def log_message(self, *args):
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        pass  # resets and failed TLS handshakes are part of the scenarios


class Sink:
    """Records every request. `statuses`: a list of status codes answered in turn (the last one
    repeats), or a function(request_index, Received) -> status; None means never answer.
    `tls`: an ssl.SSLContext for HTTPS. `forward`: act as an HTTP proxy that forwards
    absolute-form requests to their target and returns its answer. `bind`: the host address to
    listen on (127.0.0.1 unless a test has its own network, e.g. a namespace's veth)."""

    def __init__(self, statuses=(200,), tls=None, forward=False, bind="127.0.0.1"):
        self.statuses = statuses
        self.bind = bind
        self.forward = forward
        self.requests = []
        self._lock = threading.Lock()
        self._cond = threading.Condition(self._lock)
        self._closed = threading.Event()
        self.server = _Server((bind, 0), _Handler)
        self.server.sink = self
        if tls is not None:
            self.server.socket = tls.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.scheme = "https" if tls is not None else "http"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path="/hook", host=None):
        return f"{self.scheme}://{host or self.bind}:{self.port}{path}"

    def _record(self, rec):
        with self._cond:
            i = len(self.requests)
            self.requests.append(rec)
            self._cond.notify_all()
        if callable(self.statuses):
            status = self.statuses(i, rec)
        else:
            status = self.statuses[min(i, len(self.statuses) - 1)]
        return status, b"sink says " + str(status).encode()

    def _forward(self, rec):
        u = urllib.parse.urlsplit(rec.path)
        conn = http.client.HTTPConnection(u.hostname, u.port or 80, timeout=10)
        headers = {k: v for k, v in rec.headers.items()
                   if k.lower() not in ("proxy-connection", "connection")}
        path = u.path + ("?" + u.query if u.query else "")
        conn.request(rec.method, path, body=rec.body, headers=headers)
        r = conn.getresponse()
        data = r.read()
        conn.close()
        return r.status, data

    def count(self):
        with self._lock:
            return len(self.requests)

    def wait_count(self, n, timeout):
        """Waits until at least n requests arrived; returns the count (bounded wait)."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while len(self.requests) < n:
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            return len(self.requests)

    def bodies(self):
        with self._lock:
            return [r.body for r in self.requests]

    def close(self):
        self._closed.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class TestCA:
    """A CA and a server certificate for 127.0.0.1 / `dns`, made with the openssl CLI."""

    def __init__(self, dns="sink.test"):
        if not shutil.which("openssl"):
            raise FileNotFoundError("openssl")
        self.dir = tempfile.mkdtemp(prefix="notify-ca-")
        d = self.dir
        with open(os.path.join(d, "san.ext"), "w") as f:
            f.write(f"subjectAltName=DNS:{dns},IP:127.0.0.1\n")

        def run(*args):
            subprocess.run(["openssl", *args], cwd=d, check=True, capture_output=True, timeout=60)

        run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out",
            "ca.pem", "-days", "1", "-subj", "/CN=notify-test-ca")
        run("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr",
            "-subj", f"/CN={dns}")
        run("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
            "-CAcreateserial", "-out", "server.pem", "-days", "1", "-extfile", "san.ext")
        self.ca_file = os.path.join(d, "ca.pem")

    def server_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(os.path.join(self.dir, "server.pem"),
                            os.path.join(self.dir, "server.key"))
        return ctx

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


# --- the body Alertmanager 0.25 posts --------------------------------------------------------

def fingerprint(labels):
    """model.LabelSet.Fingerprint: FNV-1a 64 over name 0xff value 0xff, names sorted."""
    h = 14695981039346656037
    for name in sorted(labels):
        for b in name.encode() + b"\xff" + labels[name].encode() + b"\xff":
            h ^= b
            h = (h * 1099511628211) & 0xFFFFFFFFFFFFFFFF
    return f"{h:016x}"


def go_json(value):
    """json.Marshal as Go's json.Encoder writes it (HTML-safe escaping, no spaces)."""
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return (s.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def quote_meta(s):
    """regexp.QuoteMeta."""
    return "".join("\\" + c if c in "\\.+*?()|[]{}^$" else c for c in s)


def common(dicts):
    if not dicts:
        return {}
    out = dict(dicts[0])
    for d in dicts[1:]:
        out = {k: v for k, v in out.items() if d.get(k) == v}
    return out


def expected_body(receiver, alerts, group_labels, external_url, group_key, truncated=0):
    """`alerts`: dicts with labels, annotations, startsAt, endsAt ("" or absent while firing),
    generatorURL, status - in the order Alertmanager sorts them."""
    out = []
    for a in alerts:
        resolved = a.get("status") == "resolved"
        out.append({
            "status": "resolved" if resolved else "firing",
            "labels": dict(sorted(a["labels"].items())),
            "annotations": dict(sorted(a.get("annotations", {}).items())),
            "startsAt": a["startsAt"],
            "endsAt": a["endsAt"] if resolved else "0001-01-01T00:00:00Z",
            "generatorURL": a.get("generatorURL", ""),
            "fingerprint": fingerprint(a["labels"]),
        })
    msg = {
        "receiver": quote_meta(receiver),
        "status": "firing" if any(x["status"] == "firing" for x in out) else "resolved",
        "alerts": out,
        "groupLabels": dict(sorted(group_labels.items())),
        "commonLabels": dict(sorted(common([x["labels"] for x in out]).items())),
        "commonAnnotations": dict(sorted(common([x["annotations"] for x in out]).items())),
        "externalURL": external_url,
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": truncated,
    }
    return (go_json(msg) + "\n").encode()


def rfc3339(t):
    """A Unix time as Go's RFC3339Nano in UTC (trailing zeros of the fraction trimmed)."""
    secs = int(t)
    micros = int(round((t - secs) * 1e6))
    if micros == 1000000:
        secs, micros = secs + 1, 0
    base = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(secs))
    frac = f"{micros:06d}".rstrip("0")
    return base + ("." + frac if frac else "") + "Z"

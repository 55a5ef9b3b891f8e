"""Shared helpers for integration tests: start the built daemon on free loopback ports with a
temporary storage path, talk HTTP to it, and always stop it. Every wait is bounded.

Only the Python standard library is used; run with Debian's /usr/bin/python3.
"""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

AM_BIN = os.environ.get("AM_BIN", "")
AMTOOL = os.environ.get("AMTOOL", "/usr/bin/amtool")
REAL_AM = os.environ.get("REAL_AM", "/usr/bin/prometheus-alertmanager")
IN_CI = os.environ.get("CI", "") == "true"


def require_tool(path, what):
    """Missing tools fail under CI=true and skip otherwise (DEVELOPERS.md)."""
    import unittest
    if os.path.exists(path):
        return
    if IN_CI:
        raise AssertionError(f"{what} not found at {path} (CI=true: a missing tool fails)")
    raise unittest.SkipTest(f"{what} not found at {path}")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(pred, timeout=10.0, interval=0.05, what="condition"):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = pred()
            if last:
                return last
        except Exception as e:  # noqa: BLE001 - retried until the deadline
            last = e
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what} (last: {last!r})")


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def json(self):
        return json.loads(self.body)

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")


def http(method, url, body=None, headers=None, timeout=10):
    data = body
    if isinstance(body, (list, dict)):
        data = json.dumps(body).encode()
    elif isinstance(body, str):
        data = body.encode()
    req = urllib.request.Request(url, data=data, method=method)
    hdrs = {"Content-Type": "application/json"} if data is not None else {}
    hdrs.update(headers or {})
    for k, v in hdrs.items():
        if v is not None:
            req.add_header(k, v)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return Response(r.status, dict(r.headers), r.read())
    except urllib.error.HTTPError as e:
        return Response(e.code, dict(e.headers), e.read())


class Daemon:
    """One daemon process. Use as a context manager, or call stop() in tearDown."""

    def __init__(self, config_text, extra_args=(), binary=None, storage=None, route_prefix="",
                 env=None, config_name="alertmanager.yml"):
        self.binary = binary or AM_BIN
        if not self.binary or not os.path.exists(self.binary):
            raise AssertionError(f"daemon binary not found: {self.binary!r} (set AM_BIN)")
        self.dir = tempfile.mkdtemp(prefix="amtest-")
        self.config_path = os.path.join(self.dir, config_name)
        self.write_config(config_text)
        self.storage = storage or os.path.join(self.dir, "data")
        self.port = free_port()
        self.prefix = route_prefix
        self.url = f"http://127.0.0.1:{self.port}{route_prefix}"
        self.log_path = os.path.join(self.dir, "daemon.log")
        self.args = [self.binary, f"--config.file={self.config_path}",
                     f"--storage.path={self.storage}",
                     f"--web.listen-address=127.0.0.1:{self.port}",
                     "--cluster.listen-address=", *extra_args]
        self.env = dict(os.environ)
        self.env.update(env or {})
        self.proc = None

    def write_config(self, text):
        with open(self.config_path, "w") as f:
            f.write(text)

    def start(self, wait=True):
        self.log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(self.args, stdout=self.log, stderr=subprocess.STDOUT,
                                     env=self.env)
        if wait:
            wait_for(self._up, timeout=10, what=f"daemon on {self.url}")
        return self

    def _up(self):
        if self.proc.poll() is not None:
            raise AssertionError(f"daemon exited with {self.proc.returncode}:\n{self.logs()}")
        try:
            return http("GET", self.url + "/-/healthy", timeout=1).status == 200
        except OSError:
            return False

    def logs(self):
        try:
            with open(self.log_path, "rb") as f:
                return f.read().decode("utf-8", "replace")
        except OSError:
            return ""

    def send_signal(self, sig):
        self.proc.send_signal(sig)

    def stop(self, sig=signal.SIGTERM, timeout=10):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)
        if getattr(self, "log", None):
            self.log.close()
        return self.proc.returncode if self.proc else None

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.cleanup()

    # HTTP shortcuts relative to the daemon's URL.
    def get(self, path, **kw):
        return http("GET", self.url + path, **kw)

    def post(self, path, body=None, **kw):
        return http("POST", self.url + path, body=body, **kw)

    def metric(self, name, labels=None):
        """Value of one sample in /metrics, or None."""
        text = self.get("/metrics").text
        want = name
        if labels:
            want += "{" + ",".join(f'{k}="{v}"' for k, v in sorted(labels.items())) + "}"
        for line in text.splitlines():
            if line.startswith("#"):
                continue
            key, _, val = line.rpartition(" ")
            if key == want:
                return float(val)
        return None


@contextlib.contextmanager
def raw_socket(port, timeout=5):
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        yield s
    finally:
        s.close()


def socket_closed_within(sock, seconds):
    """True if the peer closes the connection within `seconds` (reads until EOF)."""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.2)
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
            if not data:
                return True
        except socket.timeout:
            continue
        except OSError:
            return True
    return False

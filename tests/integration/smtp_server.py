"""A real SMTP server for email tests: Debian's aiosmtpd on 127.0.0.1, with optional STARTTLS or
implicit TLS (a throw-away CA and server certificate made with the openssl CLI), optional AUTH
(PLAIN and LOGIN from aiosmtpd, CRAM-MD5 implemented here), recipients it rejects, and every
accepted message saved to a directory as <n>.eml (the DATA bytes as received, dot-unstuffed)
plus <n>.json (envelope, AUTH mechanism and login used, TLS or not).

Importable (SmtpServer, TestCA) or runnable for manual checks:
    /usr/bin/python3 smtp_server.py --port 2525 --dir /tmp/mails [--starttls|--implicit-tls]
        [--user u --password p] [--reject someone@example.com]

Needs python3-aiosmtpd: run with Debian's /usr/bin/python3.
"""
import argparse
import email
import email.policy
import hashlib
import hmac
import json
import logging
import os
import secrets
import shutil
import socket
import ssl
import subprocess
import tempfile
import threading
import time
import warnings

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

# aiosmtpd's own chatter (deprecations it triggers itself, AUTH without TLS, which tests want,
# clients that abort): only real errors reach the test output.
warnings.filterwarnings("ignore", message="Session.login_data is deprecated")
warnings.filterwarnings("ignore", message="Requiring AUTH while not requiring TLS")
logging.getLogger("mail.log").setLevel(logging.CRITICAL)


class TestCA:
    """A CA and one server certificate for 127.0.0.1 / localhost, made at test time."""

    def __init__(self, cn="localhost"):
        self.dir = tempfile.mkdtemp(prefix="smtp-ca-")
        self.ca_key = os.path.join(self.dir, "ca.key")
        self.ca_cert = os.path.join(self.dir, "ca.pem")
        self.key = os.path.join(self.dir, "server.key")
        self.cert = os.path.join(self.dir, "server.pem")
        run = lambda *a: subprocess.run(a, check=True, capture_output=True)  # noqa: E731
        run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
            "-subj", "/CN=email-test-ca", "-keyout", self.ca_key, "-out", self.ca_cert)
        csr = os.path.join(self.dir, "server.csr")
        run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={cn}",
            "-keyout", self.key, "-out", csr)
        ext = os.path.join(self.dir, "ext.cnf")
        with open(ext, "w") as f:
            f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                    "extendedKeyUsage=serverAuth\n")
        run("openssl", "x509", "-req", "-in", csr, "-CA", self.ca_cert, "-CAkey", self.ca_key,
            "-CAcreateserial", "-days", "2", "-extfile", ext, "-out", self.cert)

    def server_context(self):
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(self.cert, self.key)
        return ctx

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


class _SMTP(SMTP):
    # The prompts real servers (Postfix/Cyrus SASL, Exim) send and Go's LOGIN client expects;
    # aiosmtpd's defaults ("User Name\0") would make every Alertmanager LOGIN fail.
    AuthLoginUsernameChallenge = "Username:"
    AuthLoginPasswordChallenge = "Password:"


class _Handler:
    def __init__(self, server):
        self.server = server

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.lower() in self.server.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        auth = getattr(session, "auth_data", None)
        meta = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "mail_options": list(envelope.mail_options),
            "auth_mechanism": self.server.auth_mechanisms.get(id(session)),
            "auth_login": (auth.login.decode() if isinstance(auth, LoginPassword)
                           else (auth if isinstance(auth, str) else None)),
            "tls": session.ssl is not None or self.server.implicit_tls,
            "ehlo": session.host_name,
        }
        self.server._save(envelope.original_content, meta)
        return "250 2.0.0 Ok: queued"

    # aiosmtpd discovers auth_<MECH> methods on the handler ("__" becomes "-").
    async def auth_CRAM__MD5(self, server, args):
        challenge = f"<{secrets.randbelow(10**9)}.{int(time.time())}@smtp.test>".encode()
        resp = await server.challenge_auth(challenge)
        if not isinstance(resp, bytes):
            return AuthResult(success=False, handled=False)
        user, _, digest = resp.decode(errors="replace").rpartition(" ")
        want = hmac.new(self.server.secret.encode(), challenge, hashlib.md5).hexdigest()
        ok = user == self.server.user and hmac.compare_digest(digest, want)
        if ok:
            self.server.auth_mechanisms[id(server.session)] = "CRAM-MD5"
        return AuthResult(success=ok, handled=False, auth_data=user if ok else None)


class SmtpServer:
    """aiosmtpd on 127.0.0.1:<port>. tls: None | "starttls" | "implicit". With `user`, AUTH is
    offered (also without TLS) for the mechanisms in `mechanisms` (server order is aiosmtpd's:
    sorted names) and checked against password (PLAIN, LOGIN) and secret (CRAM-MD5)."""

    def __init__(self, directory, port=0, tls=None, ca=None, user=None, password=None,
                 secret=None, mechanisms=("PLAIN", "LOGIN", "CRAM-MD5"), reject=(),
                 require_auth=False):
        self.dir = directory
        os.makedirs(self.dir, exist_ok=True)
        self.port = port
        self.tls = tls
        self.implicit_tls = tls == "implicit"
        self.ca = ca
        self.user = user
        self.password = password
        self.secret = secret
        self.reject = {r.lower() for r in reject}
        self.auth_mechanisms = {}
        self._lock = threading.Lock()
        self._count = 0
        self.controller = None

        kwargs = {"server_hostname": "smtp.test", "auth_require_tls": False}
        if tls == "starttls":
            kwargs["tls_context"] = ca.server_context()
        if user:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_exclude_mechanism"] = [
                m for m in ("PLAIN", "LOGIN", "CRAM-MD5") if m not in mechanisms]
            kwargs["auth_required"] = require_auth
        else:
            kwargs["auth_exclude_mechanism"] = ["PLAIN", "LOGIN", "CRAM-MD5"]
        self._kwargs = kwargs

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword)
              and auth_data.login.decode() == self.user
              and auth_data.password.decode() == self.password)
        if ok:
            self.auth_mechanisms[id(session)] = mechanism
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    def _save(self, content, meta):
        with self._lock:
            self._count += 1
            n = self._count
        base = os.path.join(self.dir, f"{n:04d}")
        with open(base + ".eml.tmp", "wb") as f:
            f.write(content)
        with open(base + ".json", "w") as f:
            json.dump(meta, f)
        os.rename(base + ".eml.tmp", base + ".eml")

    def start(self):
        handler = _Handler(self)

        class _Controller(Controller):
            def factory(self):
                # unittest's runner re-enables warnings; AUTH without TLS is what tests want.
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    return _SMTP(self.handler, **self.SMTP_kwargs)

        ssl_context = self.ca.server_context() if self.implicit_tls else None
        if not self.port:  # aiosmtpd's start-up check needs the real port
            with socket.socket() as s:
                s.bind(("127.0.0.1", 0))
                self.port = s.getsockname()[1]
        self.controller = _Controller(handler, hostname="127.0.0.1", port=self.port,
                                      ssl_context=ssl_context, **self._kwargs)
        self.controller.start()
        self.port = self.controller.port
        return self

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    def messages(self):
        """Received messages in order: (email.message.EmailMessage, raw bytes, meta dict)."""
        out = []
        for name in sorted(os.listdir(self.dir)):
            if not name.endswith(".eml"):
                continue
            base = os.path.join(self.dir, name[:-4])
            with open(base + ".eml", "rb") as f:
                raw = f.read()
            with open(base + ".json") as f:
                meta = json.load(f)
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            out.append((msg, raw, meta))
        return out

    def count(self):
        return sum(1 for n in os.listdir(self.dir) if n.endswith(".eml"))


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--port", type=int, default=2525)
    p.add_argument("--dir", required=True)
    g = p.add_mutually_exclusive_group()
    g.add_argument("--starttls", action="store_true")
    g.add_argument("--implicit-tls", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--secret")
    p.add_argument("--reject", action="append", default=[])
    a = p.parse_args()
    tls = "starttls" if a.starttls else ("implicit" if a.implicit_tls else None)
    ca = TestCA() if tls else None
    srv = SmtpServer(a.dir, port=a.port, tls=tls, ca=ca, user=a.user, password=a.password,
                     secret=a.secret, reject=a.reject).start()
    print(f"listening on 127.0.0.1:{srv.port}" + (f", CA {ca.ca_cert}" if ca else ""), flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        srv.stop()
        if ca:
            ca.cleanup()


if __name__ == "__main__":
    main()

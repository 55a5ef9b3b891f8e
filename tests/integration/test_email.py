"""Integration: the email integration end to end against a real SMTP server (aiosmtpd, Debian's
python3-aiosmtpd, driven by smtp_server.py) on loopback.

One firing alert gives exactly one message with the expected subject, recipients and both parts;
STARTTLS and implicit TLS (force_implicit_tls) with a CA made at test time; AUTH PLAIN, LOGIN and
CRAM-MD5 and upstream's choice among them; auth_password_file; a non-ASCII subject (Q-encoded)
and body lines starting with a dot arrive intact; a server that is down at first and up within
the flush deadline gets the message once; a server that rejects the recipient makes the
notification fail, counted in alertmanager_notifications_failed_total{integration="email"},
while the daemon keeps going; the seeds' example config delivers; and Debian's Alertmanager 0.25
sends the same subject and headers for the same alerts.

The daemon is AM_BIN. Run with Debian's /usr/bin/python3 (aiosmtpd).
"""
import email.policy
import os
import re
import shutil
import tempfile
import time
import unittest
from datetime import datetime, timedelta, timezone

from amtest import AM_BIN, REAL_AM, Daemon, free_port, require_tool, wait_for
from smtp_server import SmtpServer, TestCA

IS_UPSTREAM = bool(AM_BIN) and os.path.realpath(AM_BIN) == os.path.realpath(REAL_AM)
SEED_CONFIG = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config",
                           "seed-ha-cluster.yml")


def rfc3339(t):
    return datetime.fromtimestamp(t, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def alert(name, starts=None, **labels):
    return {"labels": {"alertname": name, **labels},
            "annotations": {"summary": f"{name} summary", "description": "what broke"},
            "startsAt": starts or rfc3339(time.time()),
            "generatorURL": "http://prom:9090/graph"}


def config(port, receiver, global_extra="", group_wait="1s", group_interval="1m",
           host="127.0.0.1"):
    return f"""
global:
  smtp_smarthost: '{host}:{port}'
  smtp_from: 'Alertmanager <am@example.com>'
  smtp_hello: 'am.test'
{global_extra}
route:
  receiver: mail
  group_by: [alertname]
  group_wait: {group_wait}
  group_interval: {group_interval}
  repeat_interval: 4h
receivers:
- name: mail
  email_configs:
{receiver}
"""


def failed_total(d, integration="email"):
    """Sum of alertmanager_notifications_failed_total over every label set of one integration."""
    total = 0.0
    for line in d.get("/metrics").text.splitlines():
        if line.startswith("alertmanager_notifications_failed_total{") and \
                f'integration="{integration}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


def parts(msg):
    """(content type, decoded text) of each part of a multipart message, in order."""
    return [(p.get_content_type(), p.get_content()) for p in msg.iter_parts()]


class EmailTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.ca = TestCA()

    @classmethod
    def tearDownClass(cls):
        cls.ca.cleanup()

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="email-test-")
        self._stop = []

    def tearDown(self):
        for f in reversed(self._stop):
            try:
                f()
            except Exception:  # noqa: BLE001 - cleanup must go on
                pass
        shutil.rmtree(self.tmp, ignore_errors=True)

    def server(self, name="smtp", **kw):
        srv = SmtpServer(os.path.join(self.tmp, name), ca=self.ca, **kw)
        srv.start()
        self._stop.append(srv.stop)
        return srv

    def daemon(self, cfg, binary=None, env=None):
        d = Daemon(cfg, binary=binary, env=env)
        self._stop.append(d.cleanup)
        d.start()
        return d

    def post(self, d, *alerts):
        r = d.post("/api/v2/alerts", list(alerts))
        self.assertEqual(r.status, 200, r.text)

    def one_message(self, srv, d, timeout=15):
        wait_for(lambda: srv.count() >= 1, timeout=timeout, what="an email at the SMTP server")
        time.sleep(2)  # nothing more may follow
        msgs = srv.messages()
        self.assertEqual(len(msgs), 1, d.logs()[-3000:])
        return msgs[0]

    # --- scenarios -------------------------------------------------------------------------

    def test_one_alert_one_message_with_both_parts(self):
        srv = self.server()
        d = self.daemon(config(srv.port, """
  - to: 'ops@example.com, "Dev Team" <dev@example.com>'
    require_tls: false
    text: '{{ range .Alerts }}{{ .Labels.alertname }} is {{ .Status }}: {{ .Annotations.summary }}{{ end }}'
"""))
        self.post(d, alert("EmailTest", severity="critical"))
        msg, raw, meta = self.one_message(srv, d)
        self.assertEqual(msg["Subject"], "[FIRING:1] EmailTest (critical)")
        # The header as configured (the parser would drop the quotes).
        self.assertIn(b'\r\nTo: ops@example.com, "Dev Team" <dev@example.com>\r\n', raw)
        self.assertEqual(msg["From"], "Alertmanager <am@example.com>")
        self.assertEqual(meta["mail_from"], "am@example.com")
        self.assertEqual(meta["rcpt_tos"], ["ops@example.com", "dev@example.com"])
        self.assertEqual(meta["ehlo"], "am.test")
        self.assertFalse(meta["tls"])
        self.assertRegex(msg["Message-Id"], r"^<\d+\.\d+@[^>]+>$")
        self.assertRegex(msg["Date"], r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$")
        self.assertEqual(msg["MIME-Version"], "1.0")
        self.assertEqual(msg.get_content_type(), "multipart/alternative")
        self.assertRegex(raw.decode(), r"Content-Type: multipart/alternative;  boundary=[0-9a-f]{60}\r\n")
        p = parts(msg)
        self.assertEqual([t for t, _ in p], ["text/plain", "text/html"])
        self.assertEqual(p[0][1], "EmailTest is firing: EmailTest summary")
        self.assertIn("EmailTest summary", p[1][1])
        self.assertIn("<html", p[1][1])
        for part in msg.iter_parts():
            self.assertEqual(part["Content-Transfer-Encoding"], "quoted-printable")

    def test_starttls_with_ca(self):
        srv = self.server(tls="starttls")
        d = self.daemon(config(srv.port, f"""
  - to: ops@example.com
    tls_config:
      ca_file: {self.ca.ca_cert}
"""))
        self.post(d, alert("StartTls"))
        msg, _, meta = self.one_message(srv, d)
        self.assertTrue(meta["tls"])
        self.assertEqual(msg["Subject"].strip(), "[FIRING:1] StartTls")

    def test_require_tls_without_starttls_fails_and_names_the_server(self):
        srv = self.server()
        d = self.daemon(config(srv.port, "  - to: ops@example.com\n", group_interval="10s"))
        self.post(d, alert("NoStartTls"))
        wait_for(lambda: failed_total(d) >= 1, timeout=25, what="a failed email notification")
        self.assertEqual(srv.count(), 0)
        self.assertIn("does not advertise the STARTTLS extension", d.logs())
        self.assertIn(f'\\"127.0.0.1:{srv.port}\\"', d.logs())

    def test_untrusted_certificate_is_refused(self):
        srv = self.server(tls="starttls")
        d = self.daemon(config(srv.port, "  - to: ops@example.com\n", group_interval="10s"))
        self.post(d, alert("Untrusted"))
        wait_for(lambda: failed_total(d) >= 1, timeout=25, what="a failed email notification")
        self.assertEqual(srv.count(), 0)
        self.assertIn("send STARTTLS command", d.logs())

    @unittest.skipIf(IS_UPSTREAM, "force_implicit_tls is a 0.27+ key; 0.25 refuses it")
    def test_implicit_tls_forced(self):
        srv = self.server(tls="implicit")
        d = self.daemon(config(srv.port, f"""
  - to: ops@example.com
    force_implicit_tls: true
    tls_config:
      ca_file: {self.ca.ca_cert}
"""))
        self.post(d, alert("ImplicitTls"))
        _, _, meta = self.one_message(srv, d)
        self.assertTrue(meta["tls"])

    def auth_scenario(self, mechanisms, creds, want_mechanism, tls=None):
        srv = self.server(user="alerts", password="s3cret", secret="cram-secret",
                          mechanisms=mechanisms, require_auth=True, tls=tls)
        extra = "" if tls else "    require_tls: false\n"
        if tls:
            extra += f"    tls_config:\n      ca_file: {self.ca.ca_cert}\n"
        d = self.daemon(config(srv.port, "  - to: ops@example.com\n    auth_username: alerts\n"
                               + creds + extra))
        self.post(d, alert("Auth" + want_mechanism.replace("-", "")))
        _, _, meta = self.one_message(srv, d)
        self.assertEqual(meta["auth_mechanism"], want_mechanism)
        self.assertEqual(meta["auth_login"], "alerts")

    def test_auth_plain(self):
        self.auth_scenario(("PLAIN",), "    auth_password: s3cret\n", "PLAIN")

    def test_auth_plain_with_identity_over_starttls(self):
        self.auth_scenario(("PLAIN",), "    auth_password: s3cret\n    auth_identity: alerts\n",
                           "PLAIN", tls="starttls")

    def test_auth_login(self):
        self.auth_scenario(("LOGIN",), "    auth_password: s3cret\n", "LOGIN")

    def test_auth_cram_md5(self):
        self.auth_scenario(("CRAM-MD5",), "    auth_secret: cram-secret\n", "CRAM-MD5")

    def test_auth_choice_is_the_first_offered_mechanism_with_a_credential(self):
        # aiosmtpd offers "CRAM-MD5 LOGIN PLAIN"; without a secret, LOGIN comes first.
        self.auth_scenario(("PLAIN", "LOGIN", "CRAM-MD5"), "    auth_password: s3cret\n", "LOGIN")

    def test_auth_password_file(self):
        pw = os.path.join(self.tmp, "password")
        with open(pw, "w") as f:
            f.write("s3cret")
        self.auth_scenario(("PLAIN",), f"    auth_password_file: {pw}\n", "PLAIN")

    @unittest.skipIf(IS_UPSTREAM, "0.25 sends the file's trailing newline as part of the password")
    def test_auth_password_file_is_trimmed(self):
        # Upstream HEAD trims the file (strings.TrimSpace), so `echo secret > file` works.
        pw = os.path.join(self.tmp, "password")
        with open(pw, "w") as f:
            f.write("s3cret\n")
        self.auth_scenario(("LOGIN",), f"    auth_password_file: {pw}\n", "LOGIN")

    def test_wrong_password_fails(self):
        srv = self.server(user="alerts", password="s3cret", mechanisms=("PLAIN",),
                          require_auth=True)
        d = self.daemon(config(srv.port, """
  - to: ops@example.com
    require_tls: false
    auth_username: alerts
    auth_password: wrong
""", group_interval="10s"))
        self.post(d, alert("WrongPassword"))
        wait_for(lambda: failed_total(d) >= 1, timeout=25, what="a failed email notification")
        self.assertEqual(srv.count(), 0)
        self.assertIn("*smtp.plainAuth auth: 535", d.logs())

    def test_non_ascii_subject_and_dot_lines_arrive_intact(self):
        srv = self.server()
        d = self.daemon(config(srv.port, """
  - to: ops@example.com
    require_tls: false
    headers:
      subject: 'Störung ✓ {{ .GroupLabels.alertname }} – 日本語'
      X-Team: 'Bäckerei'
    text: ".starts with a dot\\n..two dots\\n.\\nend"
    html: '<p>.dot</p>'
"""))
        self.post(d, alert("Dots"))
        msg, raw, _ = self.one_message(srv, d)
        self.assertEqual(msg["Subject"], "Störung ✓ Dots – 日本語")
        self.assertEqual(msg["X-Team"], "Bäckerei")
        self.assertRegex(raw.decode("ascii"), r"(^|\r\n)Subject: =\?utf-8\?q\?St=C3=B6rung_")
        p = parts(msg)
        # Quoted-printable carries line breaks as CRLF (as Go's writer does).
        self.assertEqual(p[0], ("text/plain", ".starts with a dot\r\n..two dots\r\n.\r\nend"))
        self.assertEqual(p[1], ("text/html", "<p>.dot</p>"))

    def test_server_down_then_up_within_the_deadline_delivers_once(self):
        port = free_port()
        d = self.daemon(config(port, "  - to: ops@example.com\n    require_tls: false\n",
                               group_interval="30s"))
        self.post(d, alert("LateServer"))
        time.sleep(4)  # the first attempts fail: nothing listens
        self.assertIn("establish connection to server", d.logs())
        srv = self.server(port=port)
        self.one_message(srv, d, timeout=25)
        time.sleep(3)
        self.assertEqual(srv.count(), 1)
        self.assertEqual(failed_total(d), 0)

    def test_rejected_recipient_fails_is_counted_and_the_daemon_keeps_going(self):
        srv = self.server(reject=["nobody@example.com"])
        cfg = config(srv.port, """
  - to: nobody@example.com
    require_tls: false
""", group_interval="10s")
        cfg += """
- name: good
  email_configs:
  - to: ops@example.com
    require_tls: false
"""
        cfg = cfg.replace("  repeat_interval: 4h\n", "  repeat_interval: 4h\n  routes:\n"
                          "  - receiver: good\n    matchers: ['team=\"good\"']\n")
        d = self.daemon(cfg)
        self.post(d, alert("Rejected"))
        wait_for(lambda: failed_total(d) >= 1, timeout=25, what="a failed email notification")
        self.assertEqual(srv.count(), 0)
        logs = d.logs()
        self.assertIn("send RCPT command: 550 5.1.1 <nobody@example.com>", logs)
        self.assertEqual(d.get("/-/healthy").status, 200)
        # Counted with its reason (the last error's, as upstream reports it).
        metrics = d.get("/metrics").text
        self.assertRegex(metrics, r'alertmanager_notifications_failed_total\{integration="email"'
                                  r'(,reason="other")?\} [1-9]')
        # The daemon keeps going: another group still reaches a good recipient.
        self.post(d, alert("StillWorking", team="good"))
        wait_for(lambda: srv.count() >= 1, timeout=15, what="the good recipient's email")
        msg, _, meta = srv.messages()[0]
        self.assertEqual(meta["rcpt_tos"], ["ops@example.com"])
        self.assertIn("StillWorking", msg["Subject"])

    # --- the seeds' config, and the same scenario against upstream 0.25 --------------------

    def seed_config(self, port):
        with open(SEED_CONFIG) as f:
            text = f.read()
        self.assertIn("smtp_smarthost: 'localhost:587'", text)
        return text.replace("smtp_smarthost: 'localhost:587'", f"smtp_smarthost: 'localhost:{port}'")

    def seed_scenario(self, binary, name):
        # The seed keeps smtp_require_tls (true) and no tls_config: the server's certificate must
        # be trusted through the system roots, which SSL_CERT_FILE replaces for both daemons.
        srv = self.server(name=name, tls="starttls")
        d = self.daemon(self.seed_config(srv.port), binary=binary,
                        env={"SSL_CERT_FILE": self.ca.ca_cert})
        # Started a minute ago: the 30s group_wait is already over, so the group flushes at once.
        started = rfc3339(time.time() - 60)
        self.post(d, alert("SeedTest", starts=started, severity="critical", instance="db1",
                           cluster="c1", service="db"))
        msg, raw, meta = self.one_message(srv, d, timeout=20)
        return msg, raw, meta

    def test_seed_config_delivers(self):
        msg, _, meta = self.seed_scenario(AM_BIN, "seed")
        self.assertTrue(meta["tls"])
        self.assertEqual(meta["rcpt_tos"], ["critical@example.com"])
        self.assertEqual(meta["mail_from"], "alertmanager@example.com")
        self.assertEqual(msg["Subject"], "CRITICAL: SeedTest")
        p = parts(msg)
        self.assertEqual([t for t, _ in p], ["text/plain"])  # html: '' in the seed
        self.assertIn("Alert: SeedTest summary", p[0][1])
        self.assertIn("Severity: critical", p[0][1])
        self.assertIn("Instance: db1", p[0][1])

    def normalised(self, msg, raw):
        """Header names and values (random parts masked) and the body with its boundary masked."""
        boundary = msg.get_boundary()
        text = raw.decode("ascii").replace(boundary, "<boundary>")
        head, _, body = text.partition("\r\n\r\n")
        headers = []
        for line in head.split("\r\n"):
            k, _, v = line.partition(": ")
            if k == "Message-Id":
                v = re.sub(r"^<\d+\.\d+@[^>]+>$", "<nanos.rand@host>", v)
            elif k == "Date":
                v = re.sub(r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", "<date>", v)
            headers.append((k, v))
        # Go writes the configured headers in map order: compare them as a set.
        return sorted(headers), body

    def test_same_subject_and_headers_as_upstream(self):
        require_tool(REAL_AM, "prometheus-alertmanager")
        ours = self.seed_scenario(AM_BIN, "ours")
        theirs = self.seed_scenario(REAL_AM, "upstream")
        self.assertEqual(ours[0]["Subject"], theirs[0]["Subject"])
        self.assertEqual(ours[2]["rcpt_tos"], theirs[2]["rcpt_tos"])
        self.assertEqual(ours[2]["mail_from"], theirs[2]["mail_from"])
        self.assertEqual(ours[2]["mail_options"], theirs[2]["mail_options"])
        self.assertEqual(ours[2]["ehlo"], theirs[2]["ehlo"])
        h_ours, b_ours = self.normalised(ours[0], ours[1])
        h_theirs, b_theirs = self.normalised(theirs[0], theirs[1])
        self.assertEqual(h_ours, h_theirs)
        self.assertEqual(b_ours, b_theirs)

    def compare_scenario(self):
        """The same alert through ours and upstream: AUTH, a non-ASCII subject, a text part with
        dot lines and the default html part. Returns [(msg, raw, meta)] for ours, upstream."""
        require_tool(REAL_AM, "prometheus-alertmanager")
        receiver = """
  - to: 'ops@example.com, dev@example.com'
    require_tls: false
    auth_username: alerts
    auth_password: s3cret
    headers:
      Subject: 'Störung: {{ .GroupLabels.alertname }} ({{ .Alerts.Firing | len }})'
    text: ".{{ range .Alerts }}{{ .Labels.alertname }} {{ .Annotations.summary }}{{ end }}\\n..x "
"""
        got = []
        for binary, name in ((AM_BIN, "ours"), (REAL_AM, "upstream")):
            srv = self.server(name=name, user="alerts", password="s3cret",
                              mechanisms=("PLAIN", "LOGIN"), require_auth=True)
            d = self.daemon(config(srv.port, receiver), binary=binary)
            self.post(d, alert("Compare", starts="2024-02-09T07:05:03.123Z", severity="warning"))
            got.append(self.one_message(srv, d))
        return got

    @staticmethod
    def split_parts(body):
        """The multipart body's sections between boundaries, ports masked."""
        body = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:<port>", body)
        return body.split("--<boundary>")

    def test_same_message_as_upstream_with_auth_and_non_ascii_subject(self):
        (m1, r1, meta1), (m2, r2, meta2) = self.compare_scenario()
        self.assertEqual(meta1["auth_mechanism"], meta2["auth_mechanism"])
        self.assertEqual(meta1["rcpt_tos"], meta2["rcpt_tos"])
        self.assertEqual(meta1["mail_options"], meta2["mail_options"])
        h1, b1 = self.normalised(m1, r1)
        h2, b2 = self.normalised(m2, r2)
        self.assertEqual(h1, h2)
        p1, p2 = self.split_parts(b1), self.split_parts(b2)
        self.assertEqual(len(p1), len(p2))
        self.assertEqual(p1[1], p2[1])  # the text part, byte for byte
        # The html part's own headers.
        self.assertEqual(p1[2].split("\r\n\r\n", 1)[0], p2[2].split("\r\n\r\n", 1)[0])
        self.assertEqual(p1[-1], p2[-1])  # the closing delimiter

    def test_default_html_part_has_upstreams_part_headers(self):
        # Our email.default.html is our own design (issue 5), so only the part's MIME headers are
        # compared with 0.25's; the body is checked to be a non-empty HTML document.
        (m1, r1, _), (m2, r2, _) = self.compare_scenario()
        p1 = self.split_parts(self.normalised(m1, r1)[1])
        p2 = self.split_parts(self.normalised(m2, r2)[1])
        head1, _, body1 = p1[2].partition("\r\n\r\n")
        head2, _, _ = p2[2].partition("\r\n\r\n")
        self.assertEqual(head1, head2)
        self.assertIn("html", body1.lower())

if __name__ == "__main__":
    unittest.main()

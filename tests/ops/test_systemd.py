"""deploy/systemd: install.sh into temporary roots (fresh, and over Debian's prometheus-alertmanager
layout), `systemd-analyze verify` and `security --offline` on the installed units, and the units'
command lines, expanded the way systemd expands them, run as a real 3-replica mesh on loopback.

AM_BIN: the binary install.sh installs (default: DAEMON). DAEMON: the binary the command-line
test runs (Debian's 0.25 proves the flags; ours once its cluster lands).
"""
import os
import re
import shlex
import shutil
import signal
import subprocess
import tempfile
import time
import unittest

import opstest
from opstest import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
INSTALL = os.path.join(REPO, "deploy", "systemd", "install.sh")
UNIT_SRC = os.path.join(REPO, "deploy", "systemd", "alertmanager@.service")
DAEMON = opstest.DAEMON or "/usr/bin/prometheus-alertmanager"
# Any executable serves for install and verify; the built daemon when it exists.
AM_BIN = os.environ.get("AM_BIN", "")
if not (AM_BIN and os.path.exists(AM_BIN)):
    AM_BIN = DAEMON
SYSTEMD_ANALYZE = shutil.which("systemd-analyze") or "/usr/bin/systemd-analyze"
HOST_UNIT_DIR = next((d for d in ("/usr/lib/systemd/system", "/lib/systemd/system")
                      if os.path.isdir(d)), None)


def make_host_root(debian=False):
    """A temporary root that looks like a Debian 12 host to systemd-analyze: merged /usr, the
    host's own unit files (targets the unit is ordered against), /usr/bin/kill for ExecReload.
    With debian=True, also Debian's prometheus-alertmanager package layout, with data."""
    root = tempfile.mkdtemp(prefix="ops-root-")
    for d in ("usr/bin", "usr/lib/systemd", "usr/sbin", "etc/systemd/system"):
        os.makedirs(os.path.join(root, d), exist_ok=True)
    for link in ("bin", "lib", "sbin"):
        os.symlink("usr/" + link, os.path.join(root, link))
    if HOST_UNIT_DIR:
        shutil.copytree(HOST_UNIT_DIR, os.path.join(root, "usr/lib/systemd/system"), symlinks=True)
    kill = shutil.which("kill") or "/usr/bin/kill"
    if os.path.exists(kill):
        shutil.copy(kill, os.path.join(root, "usr/bin/kill"))
    with open(os.path.join(root, "etc/passwd"), "w") as f:
        f.write("root:x:0:0:root:/root:/bin/bash\n")
    with open(os.path.join(root, "etc/group"), "w") as f:
        f.write("root:x:0:\n")
    if debian:
        files = {
            "usr/bin/prometheus-alertmanager": b"#!/bin/sh\necho debian-binary\n",
            "etc/prometheus/alertmanager.yml": b"# operator's config\nroute:\n  receiver: ops\n"
                                               b"receivers:\n- name: ops\n",
            "etc/default/prometheus-alertmanager":
                b'# Set the command-line arguments to pass to the server.\n'
                b'ARGS="--web.external-url=http://am.example:9093 --log.level=debug"\n',
            "var/lib/prometheus/alertmanager/nflog": b"\x05nflog",
            "var/lib/prometheus/alertmanager/silences": b"\x08silences",
            "usr/lib/systemd/system/prometheus-alertmanager.service":
                b"[Service]\nExecStart=/usr/bin/prometheus-alertmanager $ARGS\n"
                b"[Install]\nWantedBy=multi-user.target\n",
        }
        for rel, data in files.items():
            path = os.path.join(root, rel)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "wb") as f:
                f.write(data)
        os.chmod(os.path.join(root, "usr/bin/prometheus-alertmanager"), 0o755)
        wants = os.path.join(root, "etc/systemd/system/multi-user.target.wants")
        os.makedirs(wants)
        os.symlink("/lib/systemd/system/prometheus-alertmanager.service",
                   os.path.join(wants, "prometheus-alertmanager.service"))
        with open(os.path.join(root, "etc/passwd"), "a") as f:
            f.write("prometheus:x:102:105::/var/lib/prometheus:/usr/sbin/nologin\n")
        with open(os.path.join(root, "etc/group"), "a") as f:
            f.write("prometheus:x:105:\n")
    return root


def install(root, node, *extra, binary=None):
    args = ["bash", INSTALL, "--root", root, "--node", node, "--binary", binary or AM_BIN]
    p = subprocess.run(args + list(extra), capture_output=True, text=True, timeout=60)
    if p.returncode != 0:
        raise AssertionError(f"install.sh failed ({p.returncode}):\n{p.stdout}\n{p.stderr}")
    return p


def read(path):
    with open(path, "rb") as f:
        return f.read()


def parse_env_file(path):
    """systemd's EnvironmentFile= syntax as used here: KEY=VALUE, optional double quotes."""
    env = {}
    for line in read(path).decode().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        key, _, value = line.partition("=")
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1]
        env[key.strip()] = value
    return env


def unit_settings(text):
    """[(section, key, value)] with continuation lines joined, comments dropped."""
    out, section, pending = [], None, ""
    for raw in text.splitlines():
        line = raw.rstrip()
        if pending:
            line = pending + " " + line.strip()
            pending = ""
        if line.endswith("\\"):
            pending = line[:-1].rstrip()
            continue
        s = line.strip()
        if not s or s.startswith(("#", ";")):
            continue
        if s.startswith("[") and s.endswith("]"):
            section = s[1:-1]
            continue
        key, _, value = s.partition("=")
        out.append((section, key.strip(), value.strip()))
    return out


# Settings whose assignments accumulate (an empty assignment resets them).
LIST_KEYS = {"StateDirectory", "ReadWritePaths", "ReadOnlyPaths", "SystemCallFilter",
             "RestrictAddressFamilies", "Environment", "EnvironmentFile", "ExecStart",
             "ExecReload", "Wants", "After"}


def effective(root, name="alertmanager@.service"):
    """Settings of the installed unit plus its drop-ins, lists reset by an empty assignment."""
    text = read(os.path.join(root, "etc/systemd/system", name)).decode()
    settings = unit_settings(text)
    dropins = os.path.join(root, "etc/systemd/system", name + ".d")
    if os.path.isdir(dropins):
        for f in sorted(os.listdir(dropins)):
            if f.endswith(".conf"):
                settings += unit_settings(read(os.path.join(dropins, f)).decode())
    result = {}
    for _, key, value in settings:
        if value == "":
            result[key] = []
        elif key in LIST_KEYS:
            result.setdefault(key, []).append(value)
        else:
            result[key] = [value]  # single-valued: the last assignment wins
    return result


def expand_exec(cmdline, env):
    """systemd's ExecStart= expansion: a word that is exactly $VAR becomes the value split on
    whitespace (nothing when empty); ${VAR} inside a word is replaced by the value, one word."""
    words = []
    for word in shlex.split(cmdline):
        m = re.fullmatch(r"\$([A-Za-z_][A-Za-z0-9_]*)", word)
        if m:
            words += env.get(m.group(1), "").split()
            continue
        words.append(re.sub(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}",
                            lambda mm: env.get(mm.group(1), ""), word))
    return words


def require_systemd_analyze():
    opstest.require_path(SYSTEMD_ANALYZE, "systemd-analyze (Debian package systemd)")
    if not HOST_UNIT_DIR:
        opstest.require_path("/usr/lib/systemd/system", "the host's systemd unit directory")


def verify(root, unit):
    return subprocess.run([SYSTEMD_ANALYZE, "verify", f"--root={root}", unit],
                          capture_output=True, text=True, timeout=60)


def exposure(root, unit):
    p = subprocess.run([SYSTEMD_ANALYZE, "security", "--offline=yes", f"--root={root}", unit],
                       capture_output=True, text=True, timeout=60)
    m = re.search(r"Overall exposure level for \S+: ([0-9.]+)", p.stdout)
    if not m:
        raise AssertionError(f"no exposure level in:\n{p.stdout}\n{p.stderr}")
    return float(m.group(1))


class InstallTest(unittest.TestCase):
    def setUp(self):
        opstest.require_path(AM_BIN, "binary to install (AM_BIN or DAEMON)")

    def root(self, debian=False):
        root = make_host_root(debian)
        self.addCleanup(shutil.rmtree, root, True)
        return root

    def test_source_unit_has_the_required_settings(self):
        settings = {}
        for _, k, v in unit_settings(read(UNIT_SRC).decode()):
            settings.setdefault(k, []).append(v)
        for key, value in [("User", "alertmanager"), ("Restart", "always"),
                           ("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                           ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                           ("CapabilityBoundingSet", ""), ("AmbientCapabilities", ""),
                           ("EnvironmentFile", "/etc/default/alertmanager-%i"),
                           ("ExecReload", "/bin/kill -HUP $MAINPID"),
                           ("StateDirectory", "alertmanager/%i")]:
            self.assertIn(value, settings.get(key, []), f"{key}={value}")
        start = settings["ExecStart"][0]
        for flag in ("--cluster.listen-address=${CLUSTER_LISTEN_ADDRESS}",
                     "--cluster.advertise-address=${CLUSTER_ADVERTISE_ADDRESS}",
                     "$CLUSTER_PEERS", "--storage.path=${STORAGE_PATH}"):
            self.assertIn(flag, start)

    def test_fresh_install_three_nodes_verify(self):
        require_systemd_analyze()
        root = self.root()
        ports = {"am1": 1, "am2": 2, "am3": 3}
        for node, i in ports.items():
            peers = [x for n, j in ports.items() if n != node
                     for x in ("--peer", f"10.0.0.{j}:9094")]
            install(root, node, "--web-listen-address", f"10.0.0.{i}:9093",
                    "--cluster-listen-address", f"10.0.0.{i}:9094",
                    "--advertise-address", f"10.0.0.{i}:9094", *peers)
        binary = os.path.join(root, "usr/local/bin/alertmanager")
        self.assertEqual(read(binary), read(AM_BIN))
        self.assertEqual(os.stat(binary).st_mode & 0o777, 0o755)
        self.assertIn("\nalertmanager:", "\n" + read(os.path.join(root, "etc/passwd")).decode())
        self.assertTrue(os.path.exists(os.path.join(root, "etc/alertmanager/alertmanager.yml")))
        env = parse_env_file(os.path.join(root, "etc/default/alertmanager-am2"))
        self.assertEqual(env["CLUSTER_PEERS"], "--cluster.peer=10.0.0.1:9094 "
                                               "--cluster.peer=10.0.0.3:9094")
        self.assertEqual(env["CLUSTER_ADVERTISE_ADDRESS"], "10.0.0.2:9094")
        self.assertEqual(env["STORAGE_PATH"], "/var/lib/alertmanager/am2")
        for node in ports:
            link = os.path.join(root, "etc/systemd/system/multi-user.target.wants",
                                f"alertmanager@{node}.service")
            self.assertEqual(os.readlink(link), "/etc/systemd/system/alertmanager@.service")
            p = verify(root, f"alertmanager@{node}.service")
            self.assertEqual(p.returncode, 0, f"verify {node}:\n{p.stdout}\n{p.stderr}")
            self.assertEqual(p.stderr.strip(), "", p.stderr)
        self.assertLessEqual(exposure(root, "alertmanager@am1.service"), 2.0)

    def test_verify_fails_when_the_binary_is_missing(self):
        # The negative control: verify resolves ExecStart inside the root.
        require_systemd_analyze()
        root = self.root()
        install(root, "am1", "--peer", "10.0.0.2:9094")
        self.assertEqual(verify(root, "alertmanager@am1.service").returncode, 0)
        os.remove(os.path.join(root, "usr/local/bin/alertmanager"))
        p = verify(root, "alertmanager@am1.service")
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("/usr/local/bin/alertmanager", p.stderr)

    def test_storage_path_is_the_writable_state_directory(self):
        for debian in (False, True):
            root = self.root(debian)
            install(root, "am1", "--peer", "10.0.0.2:9094")
            eff = effective(root)
            env = parse_env_file(os.path.join(root, "etc/default/alertmanager-am1"))
            writable = ["/var/lib/" + d.replace("%i", "am1") for d in eff.get("StateDirectory", [])]
            writable += [p.lstrip("-") for p in eff.get("ReadWritePaths", [])]
            self.assertIn(env["STORAGE_PATH"].rstrip("/"), writable,
                          f"debian={debian}: ProtectSystem=strict leaves only {writable} writable")
            self.assertEqual(eff["ProtectSystem"], ["strict"])

    def test_install_over_debian_keeps_config_data_and_args(self):
        require_systemd_analyze()
        root = self.root(debian=True)
        keep = ["etc/prometheus/alertmanager.yml", "var/lib/prometheus/alertmanager/nflog",
                "var/lib/prometheus/alertmanager/silences", "usr/bin/prometheus-alertmanager",
                "etc/default/prometheus-alertmanager"]
        before = {k: read(os.path.join(root, k)) for k in keep}
        cfg = tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False)
        cfg.write("route: {receiver: other}\nreceivers: [{name: other}]\n")
        cfg.close()
        self.addCleanup(os.remove, cfg.name)
        p = install(root, "am1", "--config", cfg.name, "--advertise-address", "10.0.0.1:9094",
                    "--peer", "10.0.0.2:9094", "--peer", "10.0.0.3:9094")
        for k in keep:
            self.assertEqual(read(os.path.join(root, k)), before[k], f"{k} changed")
        self.assertIn("keeping /etc/prometheus/alertmanager.yml", p.stderr)
        env = parse_env_file(os.path.join(root, "etc/default/alertmanager-am1"))
        self.assertEqual(env["CONFIG_FILE"], "/etc/prometheus/alertmanager.yml")
        self.assertEqual(env["STORAGE_PATH"], "/var/lib/prometheus/alertmanager")
        self.assertEqual(env["ARGS"], "--web.external-url=http://am.example:9093 --log.level=debug")
        eff = effective(root)
        self.assertEqual(eff["User"], ["prometheus"])
        self.assertEqual(eff["StateDirectory"], ["prometheus/alertmanager"])
        self.assertFalse(os.path.lexists(os.path.join(
            root, "etc/systemd/system/multi-user.target.wants/prometheus-alertmanager.service")),
            "Debian's service must be disabled: both would bind :9093 and :9094")
        self.assertFalse(os.path.exists(os.path.join(root, "etc/alertmanager")))
        self.assertNotIn("alertmanager:", read(os.path.join(root, "etc/passwd")).decode())
        p = verify(root, "alertmanager@am1.service")
        self.assertEqual(p.returncode, 0, f"{p.stdout}\n{p.stderr}")
        self.assertEqual(p.stderr.strip(), "", p.stderr)

    def test_reinstall_keeps_the_edited_environment_file(self):
        root = self.root()
        install(root, "am1", "--peer", "10.0.0.2:9094")
        env_path = os.path.join(root, "etc/default/alertmanager-am1")
        with open(env_path, "a") as f:
            f.write("# edited by the operator\n")
        edited = read(env_path)
        p = install(root, "am1", "--peer", "10.0.0.3:9094")
        self.assertEqual(read(env_path), edited)
        self.assertIn("--cluster.peer=10.0.0.3:9094",
                      parse_env_file(env_path + ".new")["CLUSTER_PEERS"])
        self.assertIn(".new", p.stderr)

    def test_refuses_an_empty_cluster_listen_address(self):
        root = self.root()
        p = subprocess.run(["bash", INSTALL, "--root", root, "--node", "am1", "--binary", AM_BIN,
                            "--cluster-listen-address="], capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("disables HA", p.stderr)


class UnitCommandLineTest(unittest.TestCase):
    """The installed units' ExecStart, expanded with each node's environment file, started as
    three processes (paths mapped into the temporary root): the flags form a whole mesh, SIGHUP
    (ExecReload) keeps the replica up, SIGTERM stops it within TimeoutStopSec."""

    def test_three_installed_units_form_a_whole_mesh(self):
        opstest.require_path(DAEMON, "Alertmanager daemon (DAEMON)")
        opstest.require_path(opstest.CHECK_BIN, "cluster check binary (CHECK_BIN)")
        root = make_host_root()
        self.addCleanup(shutil.rmtree, root, True)
        web = opstest.free_ports(3)
        gossip = opstest.free_ports(3)
        for i in range(3):
            peers = [x for j in range(3) if j != i for x in ("--peer", f"127.0.0.1:{gossip[j]}")]
            install(root, f"am{i + 1}", "--web-listen-address", f"127.0.0.1:{web[i]}",
                    "--cluster-listen-address", f"127.0.0.1:{gossip[i]}",
                    "--advertise-address", f"127.0.0.1:{gossip[i]}", "--peer-timeout", "2s",
                    *peers, binary=DAEMON)
        eff = effective(root)
        procs = []

        def stop_all():
            for p in procs:
                if p.poll() is None:
                    p.kill()
                    p.wait(timeout=5)
        self.addCleanup(stop_all)
        for i in range(3):
            node = f"am{i + 1}"
            env = parse_env_file(os.path.join(root, f"etc/default/alertmanager-{node}"))
            argv = expand_exec(eff["ExecStart"][0], env)
            self.assertEqual(argv[0], "/usr/local/bin/alertmanager")
            # What StateDirectory= does at start; then map absolute paths into the root.
            os.makedirs(root + env["STORAGE_PATH"], exist_ok=True)
            argv = [root + a if a == argv[0] else a for a in argv]
            argv = [re.sub(r"^(--config\.file=|--storage\.path=)/", lambda m: m.group(1) + root + "/", a)
                    for a in argv]
            self.assertIn(f"--cluster.peer=127.0.0.1:{gossip[(i + 1) % 3]}", argv)
            self.assertIn("--cluster.peer-timeout=2s", argv)
            self.assertNotIn("", argv)
            log = open(os.path.join(root, f"{node}.log"), "wb")
            self.addCleanup(log.close)
            procs.append(subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT))
        urls = [f"http://127.0.0.1:{p}" for p in web]

        def up_or_refused(i):
            if procs[i].poll() is not None:
                text = read(os.path.join(root, f"am{i + 1}.log")).decode("utf-8", "replace")
                if "cluster.peer" in text and "not supported" in text:
                    raise opstest.NeedsCluster(f"{DAEMON} refuses --cluster.peer")
                raise AssertionError(f"am{i + 1} exited:\n{text[-2000:]}")
            try:
                return len(opstest.get_json(urls[i] + "/api/v2/status")["cluster"]["peers"]) == 3
            except OSError:
                return False
        for i in range(3):
            deadline = 20
            end = time.monotonic() + deadline
            while not up_or_refused(i):
                if time.monotonic() > end:
                    raise AssertionError(f"am{i + 1} did not list 3 peers within {deadline}s")
                time.sleep(0.1)
        rc, out, err = opstest.run_check(urls)
        self.assertEqual(rc, 0, out + err)
        self.assertIn("mesh: WHOLE (3 replicas agree on 3 members)", out)

        # ExecReload: SIGHUP reloads, the replica stays up.
        procs[0].send_signal(signal.SIGHUP)
        wait_for(lambda: opstest.get_json(urls[0] + "/api/v2/status"), 5, "am1 after SIGHUP")
        self.assertIsNone(procs[0].poll())
        # Stop: SIGTERM exits 0 well within TimeoutStopSec=30s and leaves snapshots behind.
        procs[0].send_signal(signal.SIGTERM)
        self.assertEqual(procs[0].wait(timeout=30), 0)
        storage = root + parse_env_file(os.path.join(root, "etc/default/alertmanager-am1"))[
            "STORAGE_PATH"]
        # The snapshot lands in the unit's STORAGE_PATH (the StateDirectory). Which snapshots
        # are written is the daemon's business (tests of invariant 4); nflog proves the path.
        self.assertTrue(os.path.exists(os.path.join(storage, "nflog")), os.listdir(storage))


if __name__ == "__main__":
    opstest.main()

"""deploy/kubernetes: parse every manifest and check the fields an HA mesh depends on.

Needs python3-yaml (Debian package) for /usr/bin/python3. kubectl is not used: it is not in
Debian's registry, so the test setup could not install it.
"""
import os
import re
import subprocess
import unittest

import opstest

HERE = os.path.dirname(os.path.abspath(__file__))
KDIR = os.path.join(os.path.dirname(os.path.dirname(HERE)), "deploy", "kubernetes")

try:
    import yaml
except ImportError:  # pragma: no cover - depends on the host
    yaml = None


def load_all():
    docs = []
    for name in sorted(os.listdir(KDIR)):
        if name.endswith((".yaml", ".yml")):
            with open(os.path.join(KDIR, name)) as f:
                for doc in yaml.safe_load_all(f):
                    if doc:
                        doc["_file"] = name
                        docs.append(doc)
    return docs


def flag_values(args, flag):
    prefix = flag + "="
    return [a[len(prefix):] for a in args if a.startswith(prefix)]


class KubernetesManifestTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        if yaml is None:
            if opstest.IN_CI:
                raise AssertionError("python3-yaml is not installed (CI=true: a missing tool fails)")
            raise unittest.SkipTest("python3-yaml is not installed")
        cls.docs = load_all()
        cls.by_kind = {}
        for d in cls.docs:
            cls.by_kind.setdefault(d["kind"], []).append(d)
        cls.sts = cls.one("StatefulSet")
        cls.pod = cls.sts["spec"]["template"]["spec"]
        cls.container = cls.pod["containers"][0]
        cls.args = cls.container["args"]
        cls.headless = next(s for s in cls.by_kind["Service"]
                            if s["spec"].get("clusterIP") == "None")

    @classmethod
    def one(cls, kind):
        items = cls.by_kind.get(kind, [])
        assert len(items) == 1, f"expected one {kind}, found {len(items)}"
        return items[0]

    def pod_labels(self):
        return self.sts["spec"]["template"]["metadata"]["labels"]

    def assertSelects(self, selector):
        for k, v in selector.items():
            self.assertEqual(self.pod_labels().get(k), v, f"selector {selector} misses the pods")

    def test_statefulset_three_parallel_replicas_behind_the_headless_service(self):
        spec = self.sts["spec"]
        self.assertEqual(spec["replicas"], 3)
        self.assertEqual(spec["podManagementPolicy"], "Parallel")
        self.assertEqual(spec["serviceName"], self.headless["metadata"]["name"])
        self.assertSelects(spec["selector"]["matchLabels"])

    def test_anti_affinity_spreads_replicas_across_zones(self):
        anti = self.pod["affinity"]["podAntiAffinity"]
        terms = list(anti.get("requiredDuringSchedulingIgnoredDuringExecution", []))
        terms += [t["podAffinityTerm"]
                  for t in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])]
        zone = [t for t in terms if t["topologyKey"] == "topology.kubernetes.io/zone"]
        self.assertTrue(zone, "no podAntiAffinity term on topology.kubernetes.io/zone")
        for t in zone:
            self.assertSelects(t["labelSelector"]["matchLabels"])

    def test_advertise_address_is_the_pod_ip_from_the_downward_api(self):
        env = {e["name"]: e for e in self.container["env"]}
        self.assertEqual(env["POD_IP"]["valueFrom"]["fieldRef"]["fieldPath"], "status.podIP")
        self.assertEqual(flag_values(self.args, "--cluster.advertise-address"),
                         ["$(POD_IP):9094"])
        self.assertEqual(flag_values(self.args, "--cluster.listen-address"), ["0.0.0.0:9094"])

    def test_peers_are_every_replica_through_the_headless_service(self):
        env = {e["name"]: e for e in self.container["env"]}
        self.assertEqual(env["POD_NAMESPACE"]["valueFrom"]["fieldRef"]["fieldPath"],
                         "metadata.namespace")
        sts_name = self.sts["metadata"]["name"]
        svc = self.headless["metadata"]["name"]
        expected = [f"{sts_name}-{i}.{svc}.$(POD_NAMESPACE).svc:9094"
                    for i in range(self.sts["spec"]["replicas"])]
        self.assertEqual(flag_values(self.args, "--cluster.peer"), expected)

    def test_every_variable_in_args_is_defined_in_env(self):
        # Kubernetes leaves an undefined $(VAR) as literal text: a silent wrong address.
        defined = {e["name"] for e in self.container["env"]}
        for a in self.args:
            for var in re.findall(r"\$\(([A-Za-z_][A-Za-z0-9_]*)\)", a):
                self.assertIn(var, defined, f"{a} uses undefined $({var})")

    def test_probes_ready_and_healthy_on_the_web_port(self):
        ports = {p["name"]: p for p in self.container["ports"]}
        ready = self.container["readinessProbe"]["httpGet"]
        live = self.container["livenessProbe"]["httpGet"]
        self.assertEqual(ready["path"], "/-/ready")
        self.assertEqual(live["path"], "/-/healthy")
        for probe in (ready, live):
            port = probe["port"]
            number = ports[port]["containerPort"] if isinstance(port, str) else port
            self.assertEqual(number, 9093)

    def test_container_ports_9093_tcp_and_9094_tcp_and_udp(self):
        got = sorted((p["containerPort"], p.get("protocol", "TCP"))
                     for p in self.container["ports"])
        self.assertEqual(got, [(9093, "TCP"), (9094, "TCP"), (9094, "UDP")])

    def test_headless_service_publishes_not_ready_addresses(self):
        spec = self.headless["spec"]
        self.assertEqual(spec["clusterIP"], "None")
        self.assertIs(spec["publishNotReadyAddresses"], True)
        self.assertSelects(spec["selector"])
        got = sorted((p["port"], p.get("protocol", "TCP")) for p in spec["ports"])
        self.assertEqual(got, [(9093, "TCP"), (9094, "TCP"), (9094, "UDP")])
        names = {p["name"] for p in self.container["ports"]}
        for p in spec["ports"]:
            self.assertIn(p["targetPort"], names)
        with open(os.path.join(KDIR, self.headless["_file"])) as f:
            text = f.read()
        # The reason is written next to the setting.
        self.assertRegex(text, r"(?s)publishNotReadyAddresses: true is required.*503")

    def test_storage_path_is_the_persistent_volume_claim(self):
        storage = flag_values(self.args, "--storage.path")
        self.assertEqual(len(storage), 1)
        claims = {c["metadata"]["name"] for c in self.sts["spec"]["volumeClaimTemplates"]}
        mounts = {m["mountPath"]: m["name"] for m in self.container["volumeMounts"]}
        self.assertIn(mounts.get(storage[0]), claims,
                      f"--storage.path={storage[0]} is not a volumeClaimTemplate mount")

    def test_config_file_comes_from_the_configmap(self):
        cfg = flag_values(self.args, "--config.file")[0]
        mount_dir, key = os.path.split(cfg)
        mounts = {m["mountPath"]: m["name"] for m in self.container["volumeMounts"]}
        volumes = {v["name"]: v for v in self.pod["volumes"]}
        cm_name = volumes[mounts[mount_dir]]["configMap"]["name"]
        cm = next(c for c in self.by_kind["ConfigMap"] if c["metadata"]["name"] == cm_name)
        self.assertIn(key, cm["data"])
        self.assertIsInstance(yaml.safe_load(cm["data"][key])["route"], dict)

    def test_network_policy_opens_gossip_tcp_and_udp(self):
        pol = self.one("NetworkPolicy")
        self.assertSelects(pol["spec"]["podSelector"]["matchLabels"])
        opened = {(p["port"], p["protocol"]) for rule in pol["spec"]["ingress"]
                  for p in rule.get("ports", [])}
        self.assertTrue({(9094, "TCP"), (9094, "UDP"), (9093, "TCP")} <= opened, opened)

    def test_disruption_budget_allows_one_replica_down(self):
        pdb = self.one("PodDisruptionBudget")
        self.assertEqual(pdb["spec"]["maxUnavailable"], 1)
        self.assertSelects(pdb["spec"]["selector"]["matchLabels"])

    def test_kustomization_lists_every_manifest(self):
        kust = self.one("Kustomization")
        files = {d["_file"] for d in self.docs if d["kind"] != "Kustomization"}
        self.assertEqual(set(kust["resources"]), files)

    def test_flags_are_upstream_alertmanager_flags(self):
        daemon = os.environ.get("DAEMON") or "/usr/bin/prometheus-alertmanager"
        opstest.require_path(daemon, "Alertmanager daemon for --help")
        p = subprocess.run([daemon, "--help"], capture_output=True, text=True, timeout=30)
        known = set(re.findall(r"--([a-z0-9.-]+)", p.stdout + p.stderr))
        for a in self.args:
            name = a.split("=", 1)[0].lstrip("-")
            self.assertIn(name, known, f"{a}: not a flag of {daemon}")


if __name__ == "__main__":
    opstest.main()

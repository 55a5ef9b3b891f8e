#!/usr/bin/env python3
"""Builds corpus.json from cases.py, taking expected outputs from Debian's amtool 0.25.

  gen_corpus.py [--amtool PATH] [--head-defaults FILE] [--check]

Cases tagged "0.25" are rendered with `amtool template render` (with Debian's default.tmpl and
email.tmpl as globs when the case uses the default templates, since Debian's amtool does not
embed them). Cases tagged "head" render upstream HEAD's default.tmpl (pass its path with
--head-defaults; skipped otherwise). Other versions keep their hand-written expectations.
--check: do not write; re-run amtool and report cases whose stored expectation differs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
DEBIAN_TMPL = "/usr/share/gocode/src/github.com/prometheus/alertmanager/template"


def load_cases():
    ns = {}
    exec(open(os.path.join(HERE, "cases.py")).read(), ns)
    return ns["CASES"]


def run_amtool(amtool, case, head_defaults):
    with tempfile.TemporaryDirectory() as tmp:
        globs = []
        if case["defaults"]:
            if case["version"] == "head":
                globs.append(head_defaults)
            else:
                globs += [os.path.join(DEBIAN_TMPL, "default.tmpl"), os.path.join(DEBIAN_TMPL, "email.tmpl")]
        if case["files"]:
            d = os.path.join(tmp, "files")
            os.mkdir(d)
            for name, text in case["files"].items():
                with open(os.path.join(d, name), "w") as f:
                    f.write(text)
            globs.append(os.path.join(d, "*"))
        if not globs:
            globs.append(os.path.join(tmp, "nothing-matches"))
        cmd = [amtool, "template", "render", "--template.text=" + case["template"],
               "--template.data=" + os.path.join(HERE, "data", case["data"] + ".json")]
        cmd += ["--template.glob=" + g for g in globs]
        if case["type"] == "html":
            cmd.append("--template.type=html")
        p = subprocess.run(cmd, capture_output=True, timeout=30)
        out = p.stdout.decode("utf-8", "surrogateescape")
        err = p.stderr.decode("utf-8", "surrogateescape")
        if p.returncode == 0:
            return {"expect": out}
        prefix = "amtool: error: "
        msg = err[len(prefix):] if err.startswith(prefix) else err
        if msg.endswith("\n\n"):
            msg = msg[:-2]
        return {"error": msg.rstrip("\n")}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--amtool", default="amtool")
    ap.add_argument("--head-defaults", default="")
    ap.add_argument("--check", action="store_true")
    args = ap.parse_args()
    cases = load_cases()
    path = os.path.join(HERE, "corpus.json")
    stored = {}
    if os.path.exists(path):
        stored = {c["name"]: c for c in json.load(open(path))}
    names = set()
    out, mismatches, checked = [], 0, 0
    for c in cases:
        if c["name"] in names:
            sys.exit("duplicate case name " + c["name"])
        names.add(c["name"])
        rec = {k: c[k] for k in ("name", "construct", "template", "data", "files", "type", "defaults", "version")}
        if c.get("ignore_location"):
            rec["ignore_location"] = True
        if c["version"] in ("0.25", "head"):
            if c["version"] == "head" and not args.head_defaults:
                old = stored.get(c["name"])
                if old is None:
                    sys.exit("head case %s needs --head-defaults" % c["name"])
                out.append(old)
                continue
            got = run_amtool(args.amtool, c, args.head_defaults)
            rec["source"] = "amtool 0.25.0" + (" + upstream HEAD default.tmpl" if c["version"] == "head" else "")
            rec.update(got)
            checked += 1
            if args.check:
                old = stored.get(c["name"], {})
                if old.get("expect") != rec.get("expect") or old.get("error") != rec.get("error"):
                    mismatches += 1
                    print("MISMATCH %s\n  stored: %r\n  amtool: %r" % (
                        c["name"], old.get("expect", old.get("error")), rec.get("expect", rec.get("error"))))
        else:
            rec["source"] = "upstream documented behaviour (%s)" % c["version"]
            if c["expect"] is not None:
                rec["expect"] = c["expect"]
            else:
                rec["error"] = c["error"]
        out.append(rec)
    if args.check:
        print("%d cases re-run against amtool, %d mismatches" % (checked, mismatches))
        sys.exit(1 if mismatches else 0)
    with open(path, "w") as f:
        json.dump(out, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print("wrote %d cases (%d from amtool)" % (len(out), checked))


if __name__ == "__main__":
    main()

#!/bin/sh
# Re-runs every Alertmanager-0.25 case of corpus.json against Debian's amtool and reports cases
# whose stored expectation no longer matches. Pass --head-defaults=PATH (upstream HEAD's
# template/default.tmpl) to also re-check the cases for templates added after 0.25.
set -e
cd "$(dirname "$0")"
exec /usr/bin/python3 gen_corpus.py --check "$@"

#!/usr/bin/env bash
# Installs what the build and the tests need from Debian's packages, only when missing.
# Idempotent; run as root on Debian 12. Never starts the Debian daemons it installs
# (a policy-rc.d refuses service starts during the install), so nothing collides with
# the daemon under test on :9090/:9093/:9094.
set -euo pipefail
BUILD_PKGS="cmake g++ libboost-dev libyaml-cpp-dev nlohmann-json3-dev libspdlog-dev prometheus-cpp-dev
  libprotobuf-dev protobuf-compiler libre2-dev libmsgpack-cxx-dev libxxhash-dev libhowardhinnant-date-dev
  libssl-dev libcurl4-openssl-dev libgtest-dev libgmock-dev libbenchmark-dev libsimdjson-dev tzdata ccache
  ninja-build clang clang-14 libclang-rt-14-dev pkg-config"
TEST_PKGS="prometheus-alertmanager prometheus python3-aiosmtpd wrk iproute2 openssl curl procps
  golang-go golang-github-prometheus-alertmanager-dev clang-format systemd python3-yaml strace"
missing=""
for p in $BUILD_PKGS $TEST_PKGS; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
  echo "setup: installing:$missing" >&2
  export DEBIAN_FRONTEND=noninteractive
  had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
  if [ $had_policy = 0 ]; then printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  apt-get update -qq
  # shellcheck disable=SC2086
  apt-get install -y -q --no-install-recommends $missing
  [ $had_policy = 0 ] && rm -f /usr/sbin/policy-rc.d
fi
# Debian's packages may have started their own daemons on a host where systemd runs.
for s in prometheus prometheus-alertmanager; do
  if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet "$s" 2>/dev/null; then
    systemctl stop "$s" || true
  fi
done
exit 0

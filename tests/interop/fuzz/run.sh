#!/usr/bin/env bash
# Builds the libFuzzer targets (project/, clang++-14, ASan+UBSan) and fuzzes each one in turn for
# a bounded time from a copy of the committed seed corpus, with a fixed seed.
#
#   tests/interop/fuzz/run.sh [seconds-per-target] [target ...]
#
# seconds-per-target: default 20. Targets: names as in targets.txt (fuzz_lzw, ...) or without
# the fuzz_ prefix; default all. Environment:
#   AM_FUZZ_BUILD_DIR  build directory (default <repo>/build-fuzz)
#   AM_FUZZ_SEED       libFuzzer -seed (default 20250)
#   AM_FUZZ_JOBS       ninja -j for the build (default 2)
#   AM_FUZZ_KEEP=1     keep the temporary working corpus (its path is printed)
#   CI=true            a missing clang++-14 is a failure (exit 1); otherwise it skips (exit 77)
# Each target runs with -rss_limit_mb=512 -malloc_limit_mb=64 -timeout=10, so an allocation
# above 64 MB, memory growth, a slow input, a leak, a sanitizer report or a broken FUZZ_CHECK is
# a finding. The committed corpus is never modified: new inputs go to a temporary copy.
# Exit status: 0 when no target found anything, 1 otherwise (or on a build error).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
secs="${1:-20}"
[ $# -gt 0 ] && shift
if ! [[ "$secs" =~ ^[0-9]+$ ]] || [ "$secs" -lt 1 ]; then
  echo "run.sh: seconds-per-target must be a positive integer, got '$secs'" >&2
  exit 2
fi
build="${AM_FUZZ_BUILD_DIR:-$repo/build-fuzz}"
seed="${AM_FUZZ_SEED:-20250}"
jobs="${AM_FUZZ_JOBS:-2}"

cxx="$(command -v clang++-14 || true)"
if [ -z "$cxx" ]; then
  echo "run.sh: clang++-14 not found (Debian packages clang-14 and libclang-rt-14-dev)" >&2
  if [ "${CI:-}" = "true" ]; then exit 1; fi
  exit 77
fi

# Let ccache hit across checkouts in different directories, as scripts/build.sh does.
export CCACHE_BASEDIR="$repo" CCACHE_NOHASHDIR=true
launcher=()
if command -v ccache >/dev/null 2>&1; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

# Seconds between two `date +%s.%N` readings.
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

t0=$(date +%s.%N)
mkdir -p "$build"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$here/project" -B "$build" -G Ninja -DCMAKE_CXX_COMPILER="$cxx" \
    -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}" >"$build/configure.log" 2>&1 || {
    cat "$build/configure.log" >&2
    exit 1
  }
fi
ninja -C "$build" -j "$jobs" >"$build/build.log" 2>&1 || {
  tail -n 60 "$build/build.log" >&2
  echo "run.sh: build failed (full log: $build/build.log)" >&2
  exit 1
}
t1=$(date +%s.%N)
echo "build: $(elapsed "$t0" "$t1") s ($build)"

mapfile -t all < "$build/targets.txt"
targets=()
if [ $# -eq 0 ]; then
  targets=("${all[@]}")
else
  for t in "$@"; do
    [[ "$t" == fuzz_* ]] || t="fuzz_$t"
    if ! printf '%s\n' "${all[@]}" | grep -qx "$t"; then
      echo "run.sh: unknown target $t (known: ${all[*]})" >&2
      exit 2
    fi
    targets+=("$t")
  done
fi

# ASan's default 256 MB quarantine of freed blocks holds the msgpack zones and protobuf objects
# of the last thousands of inputs, and its churn through the allocator's size classes made the
# RSS of the merge targets climb past 270 MB in 10 minutes (flat at 24 MB without quarantine,
# about 75 MB with 16 MB). 16 MB still catches a use after free within an input: no input
# frees more than a few MB.
export ASAN_OPTIONS="quarantine_size_mb=16:detect_leaks=1${ASAN_OPTIONS:+:$ASAN_OPTIONS}"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1${UBSAN_OPTIONS:+:$UBSAN_OPTIONS}"

work="$(mktemp -d "${TMPDIR:-/tmp}/am-fuzz.XXXXXX")"
cleanup() {
  if [ "${AM_FUZZ_KEEP:-}" = "1" ]; then
    echo "working corpus kept in $work"
  else
    rm -rf "$work"
  fi
}
trap cleanup EXIT

failed=0
for t in "${targets[@]}"; do
  name="${t#fuzz_}"
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  if [ -d "$here/corpus/$name" ]; then cp -R "$here/corpus/$name/." "$work/$name/corpus/"; fi
  seeds=$(find "$work/$name/corpus" -type f | wc -l)
  dict=()
  case "$name" in
    messages | udp_packet | stream) dict=(-dict="$here/memberlist.dict") ;;
  esac
  log="$work/$name/fuzz.log"
  s0=$(date +%s.%N)
  rc=0
  "$build/$t" -seed="$seed" -max_total_time="$secs" -rss_limit_mb=512 -malloc_limit_mb=64 \
    -timeout=10 -error_exitcode=1 -timeout_exitcode=1 -print_final_stats=1 \
    -artifact_prefix="$work/$name/artifacts/" "${dict[@]}" "$work/$name/corpus" >"$log" 2>&1 ||
    rc=$?
  s1=$(date +%s.%N)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
  eps=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n 1)
  rss=$(sed -n 's/^stat::peak_rss_mb: *//p' "$log" | tail -n 1)
  files=$(find "$work/$name/corpus" -type f | wc -l)
  artifacts=$(find "$work/$name/artifacts" -type f | wc -l)
  line=$(printf '%-24s %10s runs in %5s s (%s exec/s), corpus %d -> %d files, peak RSS %s MB' \
    "$t" "${runs:-?}" "$(elapsed "$s0" "$s1")" "${eps:-?}" "$seeds" "$files" "${rss:-?}")
  if [ "$rc" -eq 0 ] && [ "$artifacts" -eq 0 ] && [ -n "$runs" ]; then
    echo "$line: no finding"
  else
    failed=1
    echo "$line: FINDING (exit $rc)"
    mkdir -p "$build/findings/$name"
    cp "$log" "$build/findings/$name/"
    if [ "$artifacts" -gt 0 ]; then cp "$work/$name/artifacts/"* "$build/findings/$name/"; fi
    grep -E '^(==[0-9]+==|SUMMARY|FUZZ_CHECK|    #[0-9]+ |[a-z/_.]*:[0-9]+:[0-9]+: runtime error)' "$log" |
      head -n 40 | sed 's/^/    /'
    echo "    log and input: $build/findings/$name/ (reproduce: $build/$t <input>)"
  fi
done
exit "$failed"

#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time and fails on any crash,
# timeout or out-of-memory (issue 17):
#
#   bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]   (default: 30 s; scenario set records)
#
# Installs cargo-fuzz if it is missing. Only the stable toolchain is
# needed: cargo-fuzz passes -Z flags, which RUSTC_BOOTSTRAP=1 lets stable
# rustc accept. Crash inputs land in fuzz/artifacts/<target>/; the full
# libFuzzer log of each target in fuzz/target/logs/<target>.log.
set -euo pipefail
cd "$(dirname "$0")"

secs=${1:-30}
if ! [[ $secs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: bash fuzz/run.sh [SECONDS_PER_TARGET] [TARGET...]" >&2
  exit 2
fi
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(scenario set records)

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
export RUSTC_BOOTSTRAP=1
# Release with debug assertions: overflow checks and debug_assert! catch
# more than a plain release build.
build=(--release --debug-assertions)

# A few hundred real Lane County rows as extra seeds for the record reader,
# when shared/ is beside the clone. They are copied into the corpus folder
# but never committed (.gitignore keeps only seed-* files there): the data
# have no licence to republish (shared/data/lane-mcslc-mobile-crisis/README.md).
lane=../../shared/data/lane-mcslc-mobile-crisis/mcslc_dispatches_tidy.csv.gz
if [ -f "$lane" ] && [ ! -f corpus/records/lane-tidy-01.csv ]; then
  mkdir -p corpus/records
  # The steady window of the Lane map (from May 2025): 10 files of 30 rows.
  zcat "$lane" | awk -F, -v dir=corpus/records '
    NR == 1 { header = $0; next }
    $4 >= "2025-05-01" && n < 300 {
      if (n % 30 == 0) { f = sprintf("%s/lane-tidy-%02d.csv", dir, n / 30 + 1); print header > f }
      print >> f; n++
    }'
fi

echo "== building the fuzz targets (instrumented)"
cargo fuzz build "${build[@]}"

mkdir -p target/logs
status=0
for t in "${targets[@]}"; do
  echo "== fuzz $t for ${secs}s"
  log=target/logs/$t.log
  start=$(date +%s)
  if cargo fuzz run "${build[@]}" "$t" -- \
    -max_total_time="$secs" -rss_limit_mb=2048 -timeout=10 -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::average_exec_per_sec|stat::peak_rss_mb)' "$log" || true
    echo "$t: no crash in $(($(date +%s) - start))s"
  else
    status=1
    echo "$t: FAILED (full log: fuzz/$log); the end of the log:" >&2
    grep -vE '^#[0-9]+[[:space:]]+(NEW|REDUCE|pulse)|NEW_FUNC' "$log" | tail -40 >&2
  fi
done
exit $status

#!/usr/bin/env bash
# CI: runs a small sweep on a real one-node Slurm cluster as a 4-task job
# array plus a merge job, and checks that the merged files are byte-identical
# to a single-machine run of the same plan.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cluster=$(realpath "$root/../shared/cluster/slurm-local.sh")
bin="$root/target/release/cessa-sim"
plan="$root/plans/ci_small.toml"
work="$root/target/slurm-ci"
[ -x "$bin" ] || { echo "build first: cargo build --release" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work"
trap '"$cluster" stop >/dev/null 2>&1 || true' EXIT
eval "$("$cluster" start)"
export CESSA_SIM="$bin"
read -r array merge < <("$root/cluster/slurm/submit.sh" "$plan" "$work/slurm" 4)
echo "submitted array job $array and merge job $merge"
deadline=$((SECONDS + 600))
while [ -n "$(squeue -h -j "$array,$merge" 2>/dev/null)" ]; do
  if ((SECONDS >= deadline)); then echo "the Slurm sweep timed out" >&2; exit 1; fi
  sleep 0.5
done
bad=$(squeue -h -t all -j "$array,$merge" -o '%i %T' | grep -v ' COMPLETED$' || true)
if [ -n "$bad" ]; then
  echo "failed or cancelled jobs:" >&2; echo "$bad" >&2
  cat "$work"/slurm/*.log >&2 || true
  exit 1
fi
"$bin" sweep "$plan" --quiet --out "$work/local"
cmp "$work/local/sweep.csv" "$work/slurm/merged/sweep.csv"
cmp "$work/local/manifest.json" "$work/slurm/merged/manifest.json"
echo "slurm: 4-task array + merge equals the single-machine run ($(wc -l < "$work/local/sweep.csv") lines)"

#!/usr/bin/env bash
# Submits a cessa-sim sweep as an N-task Slurm job array plus a merge job
# that runs after the whole array succeeded. Prints "ARRAY_ID MERGE_ID".
#
#   cluster/slurm/submit.sh PLAN.toml OUT N
#
# Results: OUT/merged/sweep.csv. Set CESSA_SIM to the binary's absolute path
# if it is not on PATH on the compute nodes; OUT must be on a filesystem
# that every node sees.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
plan=$(realpath "${1:?usage: submit.sh PLAN.toml OUT N}")
mkdir -p "${2:?usage: submit.sh PLAN.toml OUT N}"
out=$(realpath "$2")
n=${3:?usage: submit.sh PLAN.toml OUT N}
array=$(sbatch --parsable --array=0-$((n - 1)) --output="$out/slurm-%A_%a.log" \
  --export=ALL "$here/sweep.sbatch" "$plan" "$out")
merge=$(sbatch --parsable --dependency=afterok:"$array" --kill-on-invalid-dep=yes \
  --output="$out/merge.log" --export=ALL "$here/merge.sbatch" "$out" "$n")
echo "$array $merge"

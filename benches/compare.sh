#!/usr/bin/env bash
# Compare cessa-sim on the M1 benchmark model (scenarios/bench/m1.toml) with
# a SimPy implementation a planner would write (benches/peers/m1_simpy.py)
# and the fastest hand-written Rust loop for M1 (benches/minimal_m1.rs), all
# on this machine, one after another:
#
#   - wall time, simulated calls per second, speed relative to cessa-sim -j 1;
#   - statistical agreement: diverted share and utilization of cessa-sim vs
#     SimPy and vs the minimal loop must differ by at most the combined 95%
#     half-widths sqrt(h1^2 + h2^2) (exit 1 otherwise);
#   - parallel efficiency of cessa-sim: T(-j 1) / (2 T(-j 2)) on 200 replications;
#   - peak memory of the Illinois default, 20 replications of 1 year vs 20 years.
#
# Usage, from the repository root:   bash benches/compare.sh
# Environment: OUT (work folder, default target/compare-m1), PYTHON (python3),
# REPEAT (runs of each short timing, best kept; default 3; SimPy runs once).
# Takes about 2-3 minutes on 2 cores once built.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-target/compare-m1}
PYTHON=${PYTHON:-python3}
REPEAT=${REPEAT:-3}
rm -rf "$OUT"
mkdir -p "$OUT"

say() { printf '\n== %s\n' "$*" >&2; }
now() { date +%s.%N; }

# ---------------------------------------------------------------- setup
say "setup"
command -v "$PYTHON" >/dev/null || { echo "compare.sh: $PYTHON not found" >&2; exit 2; }
if ! command -v cargo >/dev/null; then
    [ -x "$HOME/.cargo/bin/cargo" ] || {
        echo "cargo not found: installing Rust with rustup" >&2
        curl --proto '=https' --tlsv1.2 -sSf https://sh.rustup.rs | sh -s -- -y --profile minimal
    }
    export PATH="$HOME/.cargo/bin:$PATH"
fi
if ! "$PYTHON" -c 'import simpy, sys; sys.exit(simpy.__version__ != "4.1.1")' 2>/dev/null; then
    "$PYTHON" -m pip install -q -r benches/peers/requirements.txt ||
        "$PYTHON" -m pip install -q --user --break-system-packages -r benches/peers/requirements.txt
fi
# Peak memory: GNU time if present, else the same figure (ru_maxrss of the
# child, KB) read by Python.
if [ -x /usr/bin/time ] && /usr/bin/time -v true 2>/dev/null; then
    HAVE_GNU_TIME=1
else
    HAVE_GNU_TIME=0
    echo "no GNU /usr/bin/time (apt-get install time): measuring peak RSS through Python" >&2
fi

say "cargo build --release --bins --bench minimal_m1"
cargo build --release --bins --bench minimal_m1 --message-format=json-render-diagnostics \
    >"$OUT/build.jsonl"
read -r CESSA MINIMAL < <("$PYTHON" - "$OUT/build.jsonl" <<'EOF'
import json, sys
exe = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("reason") == "compiler-artifact" and d.get("executable"):
        exe[d["target"]["name"]] = d["executable"]
print(exe["cessa-sim"], exe["minimal_m1"])
EOF
)
[ -n "${MINIMAL:-}" ] || { echo "compare.sh: could not find the built executables" >&2; exit 1; }

# ---------------------------------------------------------------- runs
# timed N NAME CMD...: runs CMD N times (stdout to $OUT/NAME.out) and writes
# the shortest wall time, seconds, to $OUT/NAME.time; the runs are
# deterministic, so repeats only filter out noise from other processes.
timed() {
    local n=$1 name=$2
    shift 2
    local t0 t1 all=""
    for ((i = 0; i < n; i++)); do
        t0=$(now)
        "$@" >"$OUT/$name.out"
        t1=$(now)
        all="$all $t1-$t0,"
    done
    "$PYTHON" -c "print(f'{min([$all]):.3f}')" >"$OUT/$name.time"
    echo "   $name: $(cat "$OUT/$name.time") s (best of $n)" >&2
}

# peak_rss NAME CMD...: peak resident set size of CMD, KB, to $OUT/NAME.rss.
peak_rss() {
    local name=$1
    shift
    if [ "$HAVE_GNU_TIME" = 1 ]; then
        /usr/bin/time -v -o "$OUT/$name.timev" "$@" >/dev/null
        awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/$name.timev" >"$OUT/$name.rss"
    else
        "$PYTHON" -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, stdout=subprocess.DEVNULL)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' "$@" >"$OUT/$name.rss"
    fi
    echo "   $name: $(cat "$OUT/$name.rss") KB" >&2
}

echo "machine: $(nproc) cores, $("$PYTHON" -c 'import platform; print(platform.processor() or platform.machine())'), load average $(cut -d' ' -f1-3 /proc/loadavg)" >"$OUT/machine.txt"
grep -m1 'model name' /proc/cpuinfo 2>/dev/null | sed 's/.*: /cpu: /' >>"$OUT/machine.txt" || true

# CPU time of the whole machine, to tell how busy other processes kept it.
head -1 /proc/stat >"$OUT/stat0"
now >"$OUT/clock0"
times >"$OUT/times0"   # second line: CPU time of this script's children so far

M1=scenarios/bench/m1.toml
# cessa-sim's -j builds a rayon pool, but (as of this script) the replications
# run on rayon's global pool, sized by RAYON_NUM_THREADS (default: all cores),
# so `-j 1` alone may keep every core busy. The timed cessa-sim runs therefore
# set RAYON_NUM_THREADS to the -j value as well (harmless once -j is
# honoured), and one untimed run checks how many cores `-j 1` alone uses.
say "does cessa-sim -j 1 alone stay on one core?"
# Samples the CPU ticks of each thread of a 300-replication -j 1 run: the
# number of threads that did a real share of the work, whatever else loads
# the machine. Writes "wall cpu threads" to $OUT/j1_cpu.txt.
"$PYTHON" - "$OUT/j1_cpu.txt" "$CESSA" run "$M1" -r 300 -j 1 -q --out "$OUT/cessa_j1_unpinned" <<'PY'
import glob, os, resource, subprocess, sys, time
t0 = time.perf_counter()
p = subprocess.Popen(sys.argv[2:])
ticks = {}
while p.poll() is None:
    for f in glob.glob(f"/proc/{p.pid}/task/*/stat"):
        try:
            v = open(f).read().rsplit(")", 1)[1].split()
            ticks[f] = int(v[11]) + int(v[12])  # utime + stime
        except (OSError, IndexError):
            pass
    time.sleep(0.05)
wall = time.perf_counter() - t0
ru = resource.getrusage(resource.RUSAGE_CHILDREN)
total = sum(ticks.values()) or 1
workers = sum(1 for t in ticks.values() if t > 0.1 * total)
open(sys.argv[1], "w").write(f"{wall:.3f} {ru.ru_utime + ru.ru_stime:.3f} {workers}\n")
sys.exit(p.returncode)
PY

say "M1, 100 replication-years each, one thread"
timed "$REPEAT" minimal "$MINIMAL"
timed "$REPEAT" minimal_chacha "$MINIMAL" --rng chacha8
timed "$REPEAT" cessa_j1 env RAYON_NUM_THREADS=1 "$CESSA" run "$M1" -j 1 -q --out "$OUT/cessa_j1"
timed 1 simpy "$PYTHON" benches/peers/m1_simpy.py

say "M1, 200 replications: cessa-sim -j 1 vs -j 2"
timed "$REPEAT" cessa_r200_j1 env RAYON_NUM_THREADS=1 "$CESSA" run "$M1" -r 200 -j 1 -q --out "$OUT/cessa_r200_j1"
timed "$REPEAT" cessa_r200_j2 env RAYON_NUM_THREADS=2 "$CESSA" run "$M1" -r 200 -j 2 -q --out "$OUT/cessa_r200_j2"

say "Illinois default, 20 replications: peak memory at 1 year vs 20 years"
peak_rss illinois_1y "$CESSA" run -q -r 20
peak_rss illinois_20y "$CESSA" run -q -r 20 --set run.horizon_days=7305
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/machine.txt"
head -1 /proc/stat >"$OUT/stat1"
now >"$OUT/clock1"
times >"$OUT/times1"

# ---------------------------------------------------------------- report
"$PYTHON" - "$OUT" "$REPEAT" <<'EOF'
import csv, json, math, os, sys

out = sys.argv[1]
rd = lambda name: open(os.path.join(out, name)).read().strip()
wall = lambda name: float(rd(name + ".time"))


def cessa(name):
    """A cessa-sim run's M1 row, as {figure: (mean, half-width)}, and its call count."""
    with open(os.path.join(out, name, "by_region.csv")) as f:
        row = next(r for r in csv.DictReader(f) if r["region"] == "M1")
    fig = {}
    for k in ("diverted_share", "late_share", "in_time_share", "utilization"):
        lo, hi = float(row[k + "_ci_low"]), float(row[k + "_ci_high"])
        fig[k] = (float(row[k]), (hi - lo) / 2)
    res = json.load(open(os.path.join(out, name, "summary.json")))["results"]
    return fig, res["contacts_generated"], res["replications"]


def peer(name):
    d = json.loads(rd(name + ".out"))
    fig = {k: (d[k], d[k + "_hw"]) for k in ("diverted_share", "late_share", "in_time_share", "utilization")}
    return fig, d["calls"], d["replications"], d


c1, c1_calls, c1_reps = cessa("cessa_j1")
t_c1 = wall("cessa_j1")
speed_c1 = c1_calls / t_c1
sp, sp_calls, sp_reps, sp_d = peer("simpy")
mn, mn_calls, mn_reps, mn_d = peer("minimal")
mc, mc_calls, mc_reps, mc_d = peer("minimal_chacha")
r1, r1_calls, r1_reps = cessa("cessa_r200_j1")
r2, r2_calls, r2_reps = cessa("cessa_r200_j2")
rows = [
    ("cessa-sim -j 1", wall("cessa_j1"), c1_calls, c1_reps, c1),
    (f"SimPy {sp_d['simpy']}", wall("simpy"), sp_calls, sp_reps, sp),
    ("minimal loop, SmallRng", wall("minimal"), mn_calls, mn_reps, mn),
    ("minimal loop, ChaCha8Rng", wall("minimal_chacha"), mc_calls, mc_reps, mc),
    ("cessa-sim -j 1, 200 reps", wall("cessa_r200_j1"), r1_calls, r1_reps, r1),
    ("cessa-sim -j 2, 200 reps", wall("cessa_r200_j2"), r2_calls, r2_reps, r2),
]

print()
print(rd("machine.txt"))
print()
print("M1 (scenarios/bench/m1.toml): wall time around each process (start-up and output included; best of\n"
      f"{sys.argv[2]} runs, SimPy 1 run);")
print("speed = simulated calls per second relative to cessa-sim -j 1 (>1 is faster).")
print()
fmt = "{:<26} {:>5} {:>9} {:>12} {:>8}  {:>18}  {:>18}  {:>18}"
print(fmt.format("tool", "reps", "wall (s)", "calls/s", "speed", "diverted ±95%", "late ±95%", "utilization ±95%"))
print("-" * 124)
pm = lambda f: "{:.4f} ± {:.4f}".format(*f)
for label, w, calls, reps, fig in rows:
    cps = calls / w
    print(fmt.format(label, reps, f"{w:.2f}", f"{cps:,.0f}", f"{cps / speed_c1:.3g}x",
                     pm(fig["diverted_share"]), pm(fig["late_share"]), pm(fig["utilization"])))
print()
print("minimal loop, time inside the process: SmallRng {:.3f} s ({:,.0f} calls/s), ChaCha8Rng {:.3f} s ({:,.0f} calls/s)".format(
    mn_d["wall_s"], mn_d["calls_per_s"], mc_d["wall_s"], mc_d["calls_per_s"]))
print("SimPy, time inside the process: {:.2f} s ({:,.0f} calls/s)".format(sp_d["wall_s"], sp_d["calls_per_s"]))

t1, t2 = wall("cessa_r200_j1"), wall("cessa_r200_j2")
print()
print(f"parallel efficiency, cessa-sim 200 reps: T1 / (2 T2) = {t1:.2f} / (2 x {t2:.2f}) = {t1 / (2 * t2):.3f}"
      f"   (speed-up {t1 / t2:.2f} on {os.cpu_count()} cores)")
if r1 != r2:
    print("  NOTE: -j 1 and -j 2 gave different figures; they should be identical")
uw, uc, workers = rd("j1_cpu.txt").split()
uw, uc, workers = float(uw), float(uc), int(workers)
print(f"cessa-sim -j 1 -r 300 without RAYON_NUM_THREADS: {uw:.2f} s wall, {uc:.2f} s CPU,"
      f" {workers} thread(s) did the work", end="")
if workers > 1:
    print(f"\n  WARNING: -j is not honoured (the replications run on rayon's global pool, all cores);"
          f"\n  the cessa-sim timings above pin RAYON_NUM_THREADS to the -j value")
else:
    print(": -j 1 stays on one core")

# Other processes: the machine's busy CPU time during the runs minus ours.
def busy_s(name):
    v = [int(x) for x in rd(name).split()[1:]]
    return (sum(v[:8]) - v[3] - v[4]) / os.sysconf("SC_CLK_TCK")  # all but idle, iowait


def secs(tok):  # bash `times` format: 1m2.345s
    m, s_ = tok.rstrip("s").split("m")
    return 60 * float(m) + float(s_)


elapsed = float(rd("clock1")) - float(rd("clock0"))
ours = sum(secs(t) for t in rd("times1").splitlines()[1].split()) - sum(
    secs(t) for t in rd("times0").splitlines()[1].split())
others = (busy_s("stat1") - busy_s("stat0") - ours) / elapsed
print(f"other processes kept {max(others, 0):.2f} of {os.cpu_count()} cores busy on average during the runs", end="")
if others > 0.25:
    print(": the timings are disturbed, the -j 2 ones and the parallel efficiency above all")
else:
    print()

m1, m20 = int(rd("illinois_1y.rss")), int(rd("illinois_20y.rss"))
print()
print(f"peak RSS, Illinois default, 20 replications: 1 year {m1 / 1024:.1f} MiB, 20 years {m20 / 1024:.1f} MiB,"
      f" ratio {m20 / m1:.2f}")

print()
print("agreement with cessa-sim -j 1: |difference| <= sqrt(h1^2 + h2^2)")
ok = True
for label, fig in (("SimPy", sp), ("minimal loop", mn), ("minimal loop (ChaCha8, not gated)", mc)):
    for k in ("diverted_share", "utilization", "late_share"):
        (a, ha), (b, hb) = c1[k], fig[k]
        tol = math.hypot(ha, hb)
        d = b - a
        gated = k != "late_share" and "not gated" not in label
        good = abs(d) <= tol
        ok &= good or not gated
        print("  {:<36} {:<15} diff {:+.5f}  tol {:.5f}  ({:+.2f} tol)  {}".format(
            label, k, d, tol, d / tol if tol > 0 else float("nan"),
            ("ok" if good else "DISAGREE") + ("" if gated else " (informative)")))
print()
print("statistical agreement:", "OK" if ok else "FAILED")
sys.exit(0 if ok else 1)
EOF

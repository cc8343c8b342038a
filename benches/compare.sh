#!/usr/bin/env bash
# Compare cessa-sim on the M1 benchmark model (scenarios/bench/m1.toml) with
# a SimPy implementation a planner would write (benches/peers/m1_simpy.py),
# the hand-written Rust discrete-event loop of M1 with an explicit event list
# (benches/loop_m1.rs, with a BinaryHeap and with a specialised event list,
# and the latter again with `--stats`, keeping the statistics cessa-sim keeps)
# and the fastest hand-written loop for M1, which needs no event list
# (benches/minimal_m1.rs), all on this machine, in one invocation:
#
#   - ROUNDS interleaved rounds (SimPy, minimal_m1, loop_m1 heap, loop_m1
#     special, cessa-sim -j 1, loop_m1 special --stats, SimPy, ...): median
#     wall per tool, per 100
#     replication-years (SimPy runs SIMPY_REPS replications a round and its
#     wall is scaled to 100, said in the output), and the ratios with their
#     spread (min-max of the per-round ratios): SimPy / cessa-sim, cessa-sim /
#     specialised loop (issue 18's target, <= 1.5x), and cessa-sim / heap loop,
#     cessa-sim / the specialised loop keeping cessa-sim's statistics and
#     cessa-sim / minimal_m1 for information;
#   - statistical agreement: the diverted share and utilization of cessa-sim
#     vs SimPy and vs each hand-written loop must differ by at most 4 standard
#     errors sqrt(se1^2 + se2^2) (exit 1 otherwise); the late share is shown;
#   - parallel efficiency of cessa-sim: T(-j 1) / (2 T(-j 2)) on 200 replications;
#   - peak memory of the Illinois default, 20 replications of 1 year vs 20 years.
#
# Usage, from the repository root:   bash benches/compare.sh
# Environment: OUT (work folder, default target/compare-m1), PYTHON (python3),
# ROUNDS (default 4), SIMPY_REPS (SimPy replications a round, default 20),
# REPEAT (runs of each other short timing, best kept; default 3).
# Takes about 2-3 minutes on 2 cores once built.
set -euo pipefail

cd "$(dirname "$0")/.."
OUT=${OUT:-target/compare-m1}
PYTHON=${PYTHON:-python3}
REPEAT=${REPEAT:-3}
ROUNDS=${ROUNDS:-4}
SIMPY_REPS=${SIMPY_REPS:-20}
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

say "cargo build --release --bins --bench minimal_m1 --bench loop_m1"
cargo build --release --bins --bench minimal_m1 --bench loop_m1 --message-format=json-render-diagnostics \
    >"$OUT/build.jsonl"
read -r CESSA MINIMAL LOOP < <("$PYTHON" - "$OUT/build.jsonl" <<'EOF'
import json, sys
exe = {}
for line in open(sys.argv[1]):
    d = json.loads(line)
    if d.get("reason") == "compiler-artifact" and d.get("executable"):
        exe[d["target"]["name"]] = d["executable"]
print(exe["cessa-sim"], exe["minimal_m1"], exe["loop_m1"])
EOF
)
[ -n "${LOOP:-}" ] || { echo "compare.sh: could not find the built executables" >&2; exit 1; }

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

# wall_of NAME CMD...: runs CMD once (stdout to $OUT/NAME.out) and prints its
# wall time, seconds.
wall_of() {
    local name=$1 t0 t1
    shift
    t0=$(now)
    "$@" >"$OUT/$name.out"
    t1=$(now)
    "$PYTHON" -c "print(f'{$t1 - $t0:.4f}')"
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

say "M1, one thread: $ROUNDS interleaved rounds of SimPy ($SIMPY_REPS replications), the loops and cessa-sim (100 each)"
# Interleaved (simpy, minimal, loop heap, loop special, cessa, simpy, ...)
# so a slow spell of this shared machine hits every tool alike; each round's
# walls go to $OUT/rounds.txt. Every run is deterministic, so the outputs of
# the rounds are identical and the last one is kept for the agreement checks.
: >"$OUT/rounds.txt"
for ((round = 1; round <= ROUNDS; round++)); do
    w_simpy=$(wall_of simpy "$PYTHON" benches/peers/m1_simpy.py --replications "$SIMPY_REPS")
    w_minimal=$(wall_of minimal "$MINIMAL")
    w_heap=$(wall_of loop_heap "$LOOP" --queue heap)
    w_special=$(wall_of loop_special "$LOOP" --queue special)
    w_cessa=$(wall_of cessa_j1 env RAYON_NUM_THREADS=1 "$CESSA" run "$M1" -j 1 -q --out "$OUT/cessa_j1")
    w_stats=$(wall_of loop_stats "$LOOP" --queue special --stats)
    echo "$w_simpy $w_minimal $w_heap $w_special $w_cessa $w_stats" >>"$OUT/rounds.txt"
    echo "   round $round: SimPy $w_simpy s ($SIMPY_REPS reps), minimal_m1 $w_minimal s," \
        "loop heap $w_heap s, loop special $w_special s, cessa-sim $w_cessa s," \
        "loop special --stats $w_stats s" >&2
done
timed "$REPEAT" minimal_chacha "$MINIMAL" --rng chacha8

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
"$PYTHON" - "$OUT" "$REPEAT" "$SIMPY_REPS" <<'EOF'
import csv, json, math, os, statistics, sys

out = sys.argv[1]
simpy_reps = int(sys.argv[3])
rd = lambda name: open(os.path.join(out, name)).read().strip()
wall = lambda name: float(rd(name + ".time"))
FIGS = ("diverted_share", "late_share", "in_time_share", "utilization")


def cessa(name):
    """A cessa-sim run's M1 row, as {figure: (mean, half-width)}, and its call count."""
    with open(os.path.join(out, name, "by_region.csv")) as f:
        row = next(r for r in csv.DictReader(f) if r["region"] == "M1")
    fig = {}
    for k in FIGS:
        lo, hi = float(row[k + "_ci_low"]), float(row[k + "_ci_high"])
        fig[k] = (float(row[k]), (hi - lo) / 2)
    res = json.load(open(os.path.join(out, name, "summary.json")))["results"]
    return fig, res["contacts_generated"], res["replications"]


def peer(name):
    d = json.loads(rd(name + ".out"))
    fig = {k: (d[k], d[k + "_hw"]) for k in FIGS}
    return fig, d["calls"], d["replications"], d


def t975(df):
    """Student t 0.975 quantile (Abramowitz & Stegun 26.7.5), as the peers use."""
    z = 1.959963984540054
    g = [(z**3 + z) / 4, (5 * z**5 + 16 * z**3 + 3 * z) / 96,
         (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384,
         (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160]
    return z + sum(gi / df ** (i + 1) for i, gi in enumerate(g))


c1, c1_calls, c1_reps = cessa("cessa_j1")
sp, sp_calls, sp_reps, sp_d = peer("simpy")
mn, mn_calls, mn_reps, mn_d = peer("minimal")
lh, lh_calls, lh_reps, lh_d = peer("loop_heap")
ls, ls_calls, ls_reps, ls_d = peer("loop_special")
lt, lt_calls, lt_reps, lt_d = peer("loop_stats")
mc, mc_calls, mc_reps, mc_d = peer("minimal_chacha")
r1, r1_calls, r1_reps = cessa("cessa_r200_j1")
r2, r2_calls, r2_reps = cessa("cessa_r200_j2")

# Rounds: process walls, SimPy's scaled to 100 replication-years.
rounds = [[float(x) for x in line.split()] for line in rd("rounds.txt").splitlines()]
scale_sp, scale_mn, scale_lh, scale_ls, scale_c = (
    100 / sp_reps, 100 / mn_reps, 100 / lh_reps, 100 / ls_reps, 100 / c1_reps)
w_sp = [r[0] * scale_sp for r in rounds]
w_mn = [r[1] * scale_mn for r in rounds]
w_lh = [r[2] * scale_lh for r in rounds]
w_ls = [r[3] * scale_ls for r in rounds]
w_c = [r[4] * scale_c for r in rounds]
w_lt = [r[5] * 100 / lt_reps for r in rounds]
med = statistics.median
print()
print(rd("machine.txt"))
print()
print(f"M1 (scenarios/bench/m1.toml), one thread, {len(rounds)} interleaved rounds; wall around each process"
      " (start-up and output included), per 100 replication-years.")
print(f"SimPy ran {sp_reps} replications a round; its walls are scaled by {scale_sp:g} to 100.")
print()
fmt = "{:<31} {:>10} {:>18} {:>12}  {:>18}  {:>18}  {:>18}"
print(fmt.format("tool", "median (s)", "rounds min-max (s)", "calls/s", "diverted +-95%", "late +-95%",
                 "utilization +-95%"))
print("-" * 135)
pm = lambda f: "{:.4f} +- {:.4f}".format(*f)
for label, ws, calls, reps, fig in (
    (f"SimPy {sp_d['simpy']} ({sp_reps} reps x{scale_sp:g})", w_sp, sp_calls * scale_sp, sp_reps, sp),
    ("cessa-sim -j 1 (every stat)", w_c, c1_calls * scale_c, c1_reps, c1),
    ("loop_m1, BinaryHeap", w_lh, lh_calls * scale_lh, lh_reps, lh),
    ("loop_m1, specialised queue", w_ls, ls_calls * scale_ls, ls_reps, ls),
    ("loop_m1, specialised, --stats", w_lt, lt_calls * 100 / lt_reps, lt_reps, lt),
    ("minimal_m1 (no event list)", w_mn, mn_calls * scale_mn, mn_reps, mn),
):
    print(fmt.format(label, f"{med(ws):.3f}", f"{min(ws):.3f}-{max(ws):.3f}", f"{calls / med(ws):,.0f}",
                     pm(fig["diverted_share"]), pm(fig["late_share"]), pm(fig["utilization"])))
print(fmt.format(f"minimal_m1, ChaCha8 (best of {sys.argv[2]})", f"{wall('minimal_chacha'):.3f}", "", "", pm(mc["diverted_share"]),
                 pm(mc["late_share"]), pm(mc["utilization"])))
ratio_sp = [a / b for a, b in zip(w_sp, w_c)]
print()
print(f"SimPy / cessa-sim: {med(w_sp) / med(w_c):.1f}x (medians; rounds {min(ratio_sp):.1f}-{max(ratio_sp):.1f}x)"
      "   [issue 18 target: >= 150x]")
for label, ws, note in (
    ("cessa-sim / specialised loop:", w_ls, "   [issue 18 target: <= 1.5x]"),
    ("cessa-sim / heap loop:", w_lh, "   (informative)"),
    ("cessa-sim / loop with its stats:", w_lt,
     "   (informative: the specialised loop keeping cessa-sim's statistics, --stats)"),
    ("loop with stats / loop:", None, "   (informative: what the statistics alone cost the loop)"),
    ("cessa-sim / minimal_m1:", w_mn, "   (informative: minimal_m1 needs no event list)"),
):
    num, ws = (w_c, ws) if ws is not None else (w_lt, w_ls)
    ratio = [c / w for w, c in zip(ws, num)]
    print(f"{label:<32} {med(num) / med(ws):.2f}x (medians; rounds {min(ratio):.2f}-{max(ratio):.2f}x){note}")
print("time inside the process, SmallRng: loop_m1 heap {:.3f} s ({:,.0f} calls/s), special {:.3f} s ({:,.0f} calls/s),"
      " minimal_m1 {:.3f} s ({:,.0f} calls/s); minimal_m1 ChaCha8Rng {:.3f} s ({:,.0f} calls/s)".format(
    lh_d["wall_s"], lh_d["calls_per_s"], ls_d["wall_s"], ls_d["calls_per_s"],
    mn_d["wall_s"], mn_d["calls_per_s"], mc_d["wall_s"], mc_d["calls_per_s"]))
print("SimPy, time inside the process: {:.2f} s for {} reps ({:,.0f} calls/s)".format(
    sp_d["wall_s"], sp_reps, sp_d["calls_per_s"]))

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
print("agreement with cessa-sim -j 1: z = difference / sqrt(se1^2 + se2^2), se = 95% half-width / t(0.975, n-1);"
      " |z| <= 4 required for the diverted share and utilization")
ok = True
for label, fig, n in (("SimPy", sp, sp_reps), ("loop_m1, BinaryHeap", lh, lh_reps),
                      ("loop_m1, specialised queue", ls, ls_reps),
                      ("loop_m1, specialised, --stats", lt, lt_reps), ("minimal_m1", mn, mn_reps),
                      ("minimal_m1, ChaCha8 (not gated)", mc, mc_reps)):
    for k in ("diverted_share", "utilization", "late_share"):
        (a, ha), (b, hb) = c1[k], fig[k]
        se = math.hypot(ha / t975(c1_reps - 1), hb / t975(n - 1))
        d = b - a
        z = d / se if se > 0 else (0.0 if d == 0 else math.inf)
        gated = k != "late_share" and "not gated" not in label
        good = abs(z) <= 4
        ok &= good or not gated
        print("  {:<31} {:<15} {:.5f} vs {:.5f}  diff {:+.5f}  se {:.5f}  z {:+.2f}  {}".format(
            label, k, a, b, d, se, z, ("ok" if good else "DISAGREE") + ("" if gated else " (informative)")))
print()
print("statistical agreement:", "OK" if ok else "FAILED (exit 1)")
sys.exit(0 if ok else 1)
EOF

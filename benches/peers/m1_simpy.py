"""M1, the cessa-sim benchmark model, written the way a planner would in SimPy 4.

One region, Poisson arrivals at 2 per hour, 4 mobile crisis teams 24/7,
travel time lognormal (mean 25, sd 12 minutes), on-scene time exponential
(mean 60 minutes), maximum response time 60 minutes. A call that finds no
idle team waits in a FIFO queue; the dispatcher, who knows each call's
travel time (cessa-sim's `estimate = "exact"`), diverts it to police once no
team could reach it in time any more (60 minutes minus its travel after it
arrived; at once when the travel alone is over 60 minutes). So every call a
team reaches is in time; the "late" share (reached after more than 60
minutes) stays in the output and is 0.

The 4 teams are a simpy.Resource; a waiting call reneges after 60 minutes
minus its travel (SimPy's "bank renege" pattern). One replication is a year (525,600
minutes) with no warm-up: calls arrive during the year, calls still waiting
at its end are served or diverted, busy time is counted within the year.

Usage: python3 m1_simpy.py [--replications N]   (default 100, seeds 0..N-1)
Prints one JSON object: means and 95% t confidence half-widths over
replications, the number of calls simulated and the wall time.
"""

import argparse
import json
import math
import random
import statistics
import time

import simpy

TEAMS = 4
HORIZON = 365 * 24 * 60          # minutes
CALLS_PER_MIN = 2 / 60
TRAVEL_MEAN, TRAVEL_SD = 25.0, 12.0
SCENE_MEAN = 60.0
MAX_RESPONSE = 60.0

# Lognormal parameters from its mean and standard deviation.
SIGMA = math.sqrt(math.log(1 + (TRAVEL_SD / TRAVEL_MEAN) ** 2))
MU = math.log(TRAVEL_MEAN) - SIGMA ** 2 / 2


class Stats:
    def __init__(self):
        self.calls = 0
        self.in_time = 0
        self.late = 0
        self.diverted = 0
        self.busy = 0.0


def call(env, teams, rng, stats):
    """One crisis call, from arrival to a team on scene (or police)."""
    arrival = env.now
    travel = rng.lognormvariate(MU, SIGMA)
    on_scene = rng.expovariate(1 / SCENE_MEAN)
    patience = MAX_RESPONSE - travel     # the dispatcher knows the travel
    if patience < 0:
        stats.diverted += 1              # no team could make it in time
        return
    with teams.request() as req:
        result = yield req | env.timeout(patience)
        if req not in result:
            stats.diverted += 1          # no team could make it in time
            return
        start = env.now
        if start - arrival + travel <= MAX_RESPONSE:
            stats.in_time += 1
        else:
            stats.late += 1
        end = start + travel + on_scene
        if start < HORIZON:
            stats.busy += min(end, HORIZON) - start
        yield env.timeout(travel + on_scene)


def arrivals(env, teams, rng, stats):
    while True:
        yield env.timeout(rng.expovariate(CALLS_PER_MIN))
        if env.now >= HORIZON:
            return
        stats.calls += 1
        env.process(call(env, teams, rng, stats))


def replicate(seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    teams = simpy.Resource(env, capacity=TEAMS)
    stats = Stats()
    env.process(arrivals(env, teams, rng, stats))
    env.run()                            # until the last call is done
    return stats


def t975(df):
    """Student t 0.975 quantile (Abramowitz & Stegun 26.7.5)."""
    z = 1.959963984540054
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def mean_ci(xs):
    m = statistics.fmean(xs)
    h = t975(len(xs) - 1) * statistics.stdev(xs) / math.sqrt(len(xs))
    return m, h


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replications", "-r", type=int, default=100)
    args = ap.parse_args()

    t0 = time.perf_counter()
    reps = [replicate(seed) for seed in range(args.replications)]
    wall = time.perf_counter() - t0

    out = {"tool": "simpy", "simpy": simpy.__version__, "replications": len(reps)}
    for name, f in [
        ("diverted_share", lambda s: s.diverted / s.calls),
        ("late_share", lambda s: s.late / s.calls),
        ("in_time_share", lambda s: s.in_time / s.calls),
        ("utilization", lambda s: s.busy / (TEAMS * HORIZON)),
    ]:
        m, h = mean_ci([f(s) for s in reps])
        out[name], out[name + "_hw"] = m, h
    out["calls"] = sum(s.calls for s in reps)
    out["wall_s"] = wall
    out["calls_per_s"] = out["calls"] / wall
    print(json.dumps(out))


if __name__ == "__main__":
    main()

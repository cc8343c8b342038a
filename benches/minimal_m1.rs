//! The fastest single-threaded loop we can write for the M1 benchmark model
//! (`scenarios/bench/m1.toml`), with no scenario machinery: the yardstick
//! that tells how much the general engine costs over a hand-written model.
//!
//! M1: Poisson arrivals at 2 per hour, 4 identical teams 24/7, travel
//! lognormal (mean 25, sd 12 minutes), on scene exponential (mean 60
//! minutes), maximum response 60 minutes, `escalate` with the `exact`
//! estimate (the dispatcher knows each call's travel time), no intake delay,
//! one year, no warm-up. The semantics are cessa-sim's:
//!
//! - a call whose travel exceeds 60 minutes is diverted at once;
//! - otherwise a call that finds an idle team is sent one at once;
//! - otherwise it joins a FIFO queue and is diverted at
//!   arrival + 60 - its travel, when no team could reach it in time any more;
//! - a team that frees at `s` takes the oldest queued call with
//!   `s + travel <= arrival + 60`;
//! - so every call a team reaches is in time (no late calls);
//! - a team is busy for travel + on scene; busy time is clipped to the year;
//!   calls still queued at the end of the year are served or diverted.
//!
//! Teams free in time order and a call that has expired stays expired, so
//! give-ups need no event: expired calls are dropped when they reach the
//! head of the queue, as a team frees, and the event list reduces to the
//! next arrival and the four teams' free times — no heap.
//!
//! `cargo bench --bench minimal_m1` (or the built binary) runs 100
//! replication-years and prints JSON. Options: `--replications N` / `-r N`,
//! `--rng small|chacha8` (default `small`, i.e. `rand::rngs::SmallRng`,
//! Xoshiro256++; `chacha8` is the generator cessa-sim uses).

use std::collections::VecDeque;
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

const TEAMS: usize = 4;
const HORIZON_MIN: f64 = 365.0 * 1440.0;
const RATE_PER_MIN: f64 = 2.0 / 60.0;
const TRAVEL_MEAN: f64 = 25.0;
const TRAVEL_SD: f64 = 12.0;
const SCENE_MEAN: f64 = 60.0;
const MAX_RESPONSE: f64 = 60.0;
/// Slack on time comparisons, as in cessa-sim.
const EPS: f64 = 1e-9;

/// A call waiting for a team; its draws are made when it arrives.
#[derive(Clone, Copy)]
struct Call {
    arrival: f64,
    travel: f64,
    scene: f64,
}

/// One replication's counts.
#[derive(Default, Clone, Copy)]
struct Rep {
    calls: u64,
    in_time: u64,
    late: u64,
    diverted: u64,
    busy_min: f64,
}

struct Sim {
    free_at: [f64; TEAMS],
    queue: VecDeque<Call>,
    r: Rep,
}

impl Sim {
    #[inline(always)]
    fn dispatch(&mut self, team: usize, s: f64, c: Call) {
        let response = s - c.arrival + c.travel;
        if response <= MAX_RESPONSE + EPS {
            self.r.in_time += 1;
        } else {
            self.r.late += 1;
        }
        let end = s + c.travel + c.scene;
        if s < HORIZON_MIN {
            self.r.busy_min += end.min(HORIZON_MIN) - s;
        }
        self.free_at[team] = end;
    }

    /// Lets teams that free up to time `t` take queued calls, in order of
    /// their free times; calls past their give-up time are diverted.
    #[inline(always)]
    fn serve_until(&mut self, t: f64) {
        while !self.queue.is_empty() {
            let (mut k, mut s) = (0, self.free_at[0]);
            for (i, &f) in self.free_at.iter().enumerate().skip(1) {
                if f < s {
                    (k, s) = (i, f);
                }
            }
            if s > t {
                return;
            }
            while let Some(c) = self.queue.front() {
                // The dispatcher gives up on a call once no team could reach it
                // in time any more (it knows the call's travel time).
                if s + c.travel <= c.arrival + MAX_RESPONSE + EPS {
                    break;
                }
                self.queue.pop_front();
                self.r.diverted += 1;
            }
            match self.queue.pop_front() {
                Some(c) => self.dispatch(k, s, c),
                None => return,
            }
        }
    }
}

/// One replication-year of M1.
fn replicate<R: Rng>(rng: &mut R, mu: f64, sigma: f64) -> Rep {
    let mut sim = Sim {
        free_at: [0.0; TEAMS],
        queue: VecDeque::with_capacity(64),
        r: Rep::default(),
    };
    let mut t = 0.0;
    loop {
        let e: f64 = Exp1.sample(rng);
        t += e / RATE_PER_MIN;
        if t >= HORIZON_MIN {
            break;
        }
        let z: f64 = StandardNormal.sample(rng);
        let travel = (mu + sigma * z).exp();
        let e_scene: f64 = Exp1.sample(rng);
        let scene = SCENE_MEAN * e_scene;
        let c = Call {
            arrival: t,
            travel,
            scene,
        };
        sim.r.calls += 1;
        if travel > MAX_RESPONSE + EPS {
            // No team could reach it in time, idle or not.
            sim.r.diverted += 1;
            continue;
        }
        sim.serve_until(t);
        // After serving, a non-empty queue means every team is busy.
        let idle = if sim.queue.is_empty() {
            sim.free_at.iter().position(|&f| f <= t)
        } else {
            None
        };
        match idle {
            Some(k) => sim.dispatch(k, t, c),
            None => sim.queue.push_back(c),
        }
    }
    sim.serve_until(f64::INFINITY);
    debug_assert!(sim.queue.is_empty());
    sim.r
}

/// Student t quantile (Abramowitz & Stegun 26.7.5; exact to ~1e-6 for df >= 10).
fn t_quantile_975(df: f64) -> f64 {
    let z: f64 = 1.959_963_984_540_054;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// Mean and 95% half-width over replications.
fn mean_ci(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (m, f64::NAN);
    }
    let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, t_quantile_975(n - 1.0) * (var / n).sqrt())
}

fn main() {
    let mut reps: u64 = 100;
    let mut use_chacha = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-r" | "--replications" => {
                reps = args
                    .next()
                    .and_then(|v| v.parse().ok())
                    .expect("--replications needs a number");
            }
            "--rng" => match args.next().as_deref() {
                Some("small") => use_chacha = false,
                Some("chacha8") => use_chacha = true,
                other => panic!("--rng small|chacha8, not {other:?}"),
            },
            // `cargo bench` passes `--bench`; ignore whatever else it adds.
            _ => {}
        }
    }
    let sigma2 = (1.0 + (TRAVEL_SD / TRAVEL_MEAN).powi(2)).ln();
    let (mu, sigma) = (TRAVEL_MEAN.ln() - sigma2 / 2.0, sigma2.sqrt());

    let start = Instant::now();
    let results: Vec<Rep> = (0..reps)
        .map(|k| {
            if use_chacha {
                replicate(&mut ChaCha8Rng::seed_from_u64(k), mu, sigma)
            } else {
                replicate(&mut SmallRng::seed_from_u64(k), mu, sigma)
            }
        })
        .collect();
    let wall = start.elapsed().as_secs_f64();

    let share =
        |f: fn(&Rep) -> u64| -> Vec<f64> { results.iter().map(|r| f(r) as f64 / r.calls as f64).collect() };
    let calls: u64 = results.iter().map(|r| r.calls).sum();
    let (div, div_h) = mean_ci(&share(|r| r.diverted));
    let (late, late_h) = mean_ci(&share(|r| r.late));
    let (in_time, in_time_h) = mean_ci(&share(|r| r.in_time));
    let util: Vec<f64> = results
        .iter()
        .map(|r| r.busy_min / (TEAMS as f64 * HORIZON_MIN))
        .collect();
    let (u, u_h) = mean_ci(&util);
    for r in &results {
        assert_eq!(
            r.in_time + r.late + r.diverted,
            r.calls,
            "every call ends in one outcome"
        );
    }
    println!(
        "{{\"tool\": \"minimal_m1\", \"rng\": \"{}\", \"replications\": {reps}, \
         \"diverted_share\": {div}, \"diverted_share_hw\": {div_h}, \
         \"late_share\": {late}, \"late_share_hw\": {late_h}, \
         \"in_time_share\": {in_time}, \"in_time_share_hw\": {in_time_h}, \
         \"utilization\": {u}, \"utilization_hw\": {u_h}, \
         \"calls\": {calls}, \"wall_s\": {wall}, \"calls_per_s\": {}}}",
        if use_chacha {
            "ChaCha8Rng"
        } else {
            "SmallRng (Xoshiro256++)"
        },
        calls as f64 / wall
    );
}

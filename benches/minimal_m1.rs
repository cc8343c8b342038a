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

#[path = "common/m1.rs"]
mod m1;
use m1::{EPS, HORIZON_MIN, MAX_RESPONSE, RATE_PER_MIN, Rep, SCENE_MEAN, TEAMS};

/// A call waiting for a team; its draws are made when it arrives.
#[derive(Clone, Copy)]
struct Call {
    arrival: f64,
    travel: f64,
    scene: f64,
}

struct Sim {
    free_at: [f64; TEAMS],
    queue: VecDeque<Call>,
    r: Rep,
}

impl Sim {
    #[inline(always)]
    fn dispatch(&mut self, team: usize, s: f64, c: Call) {
        self.free_at[team] = self.r.dispatched(s, c.arrival, c.travel, c.scene);
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
    let (mu, sigma) = m1::travel_params();

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

    let rng = if use_chacha {
        "ChaCha8Rng"
    } else {
        "SmallRng (Xoshiro256++)"
    };
    m1::print_report(
        &format!("\"tool\": \"minimal_m1\", \"rng\": \"{rng}\""),
        &results,
        wall,
    );
}

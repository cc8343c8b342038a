//! The hand-written discrete-event loop of the M1 benchmark model
//! (`scenarios/bench/m1.toml`) that a competent Rust programmer would write:
//! an explicit event list, no scenario machinery. It is issue 18's yardstick
//! ("cessa-sim <= 1.5x the specialised hand-written loop"); `minimal_m1.rs`,
//! which needs no event list at all, is a floor below it.
//!
//! The model and its semantics are `minimal_m1.rs`'s (read its doc comment):
//! Poisson arrivals at 2 per hour, 4 teams, travel lognormal (mean 25, sd 12
//! minutes), on scene exponential (mean 60), maximum response 60 minutes, the
//! dispatcher knows each call's travel; a call whose travel is over 60 is
//! diverted at once, one that finds an idle team is sent one, otherwise it
//! joins a FIFO queue and is diverted at arrival + 60 - its travel; a team
//! that frees takes the oldest queued call it can still reach in time; busy
//! time is clipped to the year; queued calls at the end are served or
//! diverted. The random numbers are drawn in minimal_m1's order (the
//! interarrival, then the call's travel and on-scene time), so for a seed
//! and generator the two print the same figures.
//!
//! Events: an arrival (which draws the next one), a team freeing, and a
//! give-up per queued call — a real event, left in the list when its call is
//! served and ignored when it comes due (lazy cancellation). A team that
//! frees takes the head of the queue: every call still queued has a give-up
//! time not yet passed, so it can be reached in time.
//!
//! Two event lists, `--queue heap|special` (default `special`):
//!
//! - `heap`: one `std::collections::BinaryHeap` of (time, sequence) ordered
//!   entries, the textbook event list;
//! - `special`: the next arrival in one slot, the four teams' free times in
//!   an array scanned linearly (infinite while a team is idle), and the
//!   pending give-ups in a small vector sorted by decreasing time, so the
//!   next one is popped from its end; a new give-up is inserted by scanning
//!   from that end. It holds only the give-ups of the last hour's queued
//!   calls (a handful), so the insertion is a few compares. Measured with
//!   callgrind (instructions per simulated call): 319 for this list, 324
//!   with the give-ups in a `BinaryHeap`, 310 with the teams' minimum cached
//!   between events, 696 for `heap`; the three specialised variants' walls
//!   were indistinguishable on a shared 2-core machine, so the simplest one
//!   is kept. (minimal_m1, with no event list: 223.)
//!
//! `--check` runs both event lists with both generators on the first
//! replications (`-r`, default 10 here) and asserts identical figures.
//!
//! `cargo bench --bench loop_m1` (or the built binary) runs 100
//! replication-years and prints JSON with minimal_m1's keys plus `queue`.
//! Options: `--replications N` / `-r N`, `--rng small|chacha8` (default
//! `small`, `rand::rngs::SmallRng`, Xoshiro256++), `--queue heap|special`,
//! `--check`.

use std::cmp::Ordering;
use std::collections::{BinaryHeap, VecDeque};
use std::time::Instant;

use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

#[path = "common/m1.rs"]
mod m1;
use m1::{EPS, HORIZON_MIN, MAX_RESPONSE, RATE_PER_MIN, Rep, SCENE_MEAN, TEAMS};

/// What happens at an event's time.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ev {
    Arrival,
    /// A team frees.
    Free(u8),
    /// A queued call's give-up time (the call's id).
    GiveUp(u32),
}

/// An event list: the next event is the earliest one.
trait EventList {
    fn push_arrival(&mut self, t: f64);
    fn push_free(&mut self, team: usize, t: f64);
    fn push_giveup(&mut self, id: u32, t: f64);
    fn pop(&mut self) -> Option<(f64, Ev)>;
}

/// A `BinaryHeap` entry, ordered so that the heap's maximum is the earliest
/// event (first scheduled among equal times).
#[derive(Clone, Copy)]
struct Entry {
    time: f64,
    seq: u32,
    ev: Ev,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    #[inline]
    fn cmp(&self, other: &Self) -> Ordering {
        other
            .time
            .total_cmp(&self.time)
            .then_with(|| other.seq.cmp(&self.seq))
    }
}

/// The textbook event list.
struct Heap {
    heap: BinaryHeap<Entry>,
    seq: u32,
}

impl Heap {
    fn new() -> Self {
        Heap {
            heap: BinaryHeap::with_capacity(64),
            seq: 0,
        }
    }

    #[inline(always)]
    fn push(&mut self, time: f64, ev: Ev) {
        self.seq = self.seq.wrapping_add(1);
        self.heap.push(Entry {
            time,
            seq: self.seq,
            ev,
        });
    }
}

impl EventList for Heap {
    #[inline(always)]
    fn push_arrival(&mut self, t: f64) {
        self.push(t, Ev::Arrival);
    }
    #[inline(always)]
    fn push_free(&mut self, team: usize, t: f64) {
        self.push(t, Ev::Free(team as u8));
    }
    #[inline(always)]
    fn push_giveup(&mut self, id: u32, t: f64) {
        self.push(t, Ev::GiveUp(id));
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<(f64, Ev)> {
        self.heap.pop().map(|e| (e.time, e.ev))
    }
}

/// The event list specialised to M1: one pending arrival, one free time per
/// team, and the pending give-ups sorted by decreasing time. Among equal
/// times a team freeing comes first, then a give-up, then an arrival.
struct Special {
    arrival: f64,
    free_at: [f64; TEAMS],
    giveups: Vec<(f64, u32)>,
}

impl Special {
    fn new() -> Self {
        Special {
            arrival: f64::INFINITY,
            free_at: [f64::INFINITY; TEAMS],
            giveups: Vec::with_capacity(64),
        }
    }
}

impl EventList for Special {
    #[inline(always)]
    fn push_arrival(&mut self, t: f64) {
        self.arrival = t;
    }
    #[inline(always)]
    fn push_free(&mut self, team: usize, t: f64) {
        self.free_at[team] = t;
    }
    #[inline(always)]
    fn push_giveup(&mut self, id: u32, t: f64) {
        let g = &mut self.giveups;
        let mut i = g.len();
        while i > 0 && g[i - 1].0 < t {
            i -= 1;
        }
        g.insert(i, (t, id));
    }
    #[inline(always)]
    fn pop(&mut self) -> Option<(f64, Ev)> {
        let (mut k, mut s) = (0, self.free_at[0]);
        for (i, &f) in self.free_at.iter().enumerate().skip(1) {
            if f < s {
                (k, s) = (i, f);
            }
        }
        let g = self.giveups.last().map_or(f64::INFINITY, |e| e.0);
        if s <= g && s <= self.arrival {
            if s == f64::INFINITY {
                return None;
            }
            self.free_at[k] = f64::INFINITY;
            Some((s, Ev::Free(k as u8)))
        } else if g <= self.arrival {
            let (g, id) = self.giveups.pop().expect("a give-up");
            Some((g, Ev::GiveUp(id)))
        } else {
            let t = self.arrival;
            self.arrival = f64::INFINITY;
            Some((t, Ev::Arrival))
        }
    }
}

/// A queued call; its draws are made when it arrives.
#[derive(Clone, Copy)]
struct Call {
    id: u32,
    arrival: f64,
    travel: f64,
    scene: f64,
}

/// The model's state besides the event list.
struct Sim<E> {
    events: E,
    /// Bit k set when team k is idle.
    idle: u8,
    /// Queued calls, oldest first (so in increasing id).
    queue: VecDeque<Call>,
    next_id: u32,
    r: Rep,
}

impl<E: EventList> Sim<E> {
    /// Sends `team`, free at `s`, to call `c`.
    #[inline(always)]
    fn dispatch(&mut self, team: usize, s: f64, c: &Call) {
        let end = self.r.dispatched(s, c.arrival, c.travel, c.scene);
        self.events.push_free(team, end);
    }

    /// A call arrives at `t`: its draws, then the next arrival's.
    #[inline(always)]
    fn arrival<R: Rng>(&mut self, t: f64, rng: &mut R, mu: f64, sigma: f64) {
        let z: f64 = StandardNormal.sample(rng);
        let travel = (mu + sigma * z).exp();
        let e_scene: f64 = Exp1.sample(rng);
        let c = Call {
            id: self.next_id,
            arrival: t,
            travel,
            scene: SCENE_MEAN * e_scene,
        };
        self.r.calls += 1;
        if travel > MAX_RESPONSE + EPS {
            // No team could reach it in time, idle or not.
            self.r.diverted += 1;
        } else if self.idle != 0 {
            // Teams are idle only while the queue is empty.
            let k = self.idle.trailing_zeros() as usize;
            self.idle &= !(1 << k);
            self.dispatch(k, t, &c);
        } else {
            self.next_id += 1;
            self.queue.push_back(c);
            self.events.push_giveup(c.id, t + MAX_RESPONSE - travel);
        }
        let e: f64 = Exp1.sample(rng);
        let next = t + e / RATE_PER_MIN;
        if next < HORIZON_MIN {
            self.events.push_arrival(next);
        }
    }

    /// Team `k` frees at `s`: it takes the oldest queued call (whose give-up
    /// time has not passed) or goes idle.
    #[inline(always)]
    fn free(&mut self, k: usize, s: f64) {
        match self.queue.pop_front() {
            Some(c) => {
                debug_assert!(s + c.travel <= c.arrival + MAX_RESPONSE + EPS);
                self.dispatch(k, s, &c);
            }
            None => self.idle |= 1 << k,
        }
    }

    /// Call `id`'s give-up time: diverted if still queued, else (served
    /// already) nothing — the lazily cancelled event.
    #[inline(always)]
    fn give_up(&mut self, id: u32) {
        if let Ok(i) = self.queue.binary_search_by_key(&id, |c| c.id) {
            self.queue.remove(i);
            self.r.diverted += 1;
        }
    }
}

/// One replication-year of M1 with event list `events` (empty).
fn replicate<E: EventList, R: Rng>(events: E, rng: &mut R, mu: f64, sigma: f64) -> Rep {
    let mut sim = Sim {
        events,
        idle: (1 << TEAMS) - 1,
        queue: VecDeque::with_capacity(64),
        next_id: 0,
        r: Rep::default(),
    };
    let e: f64 = Exp1.sample(rng);
    let first = e / RATE_PER_MIN;
    if first < HORIZON_MIN {
        sim.events.push_arrival(first);
    }
    while let Some((t, ev)) = sim.events.pop() {
        match ev {
            Ev::Arrival => sim.arrival(t, rng, mu, sigma),
            Ev::Free(k) => sim.free(k as usize, t),
            Ev::GiveUp(id) => sim.give_up(id),
        }
    }
    debug_assert!(sim.queue.is_empty());
    sim.r
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Queue {
    Heap,
    Special,
}

#[derive(Clone, Copy, PartialEq, Debug)]
enum Gen {
    Small,
    ChaCha8,
}

/// Replication `k` (seed `k`) with the given event list and generator.
fn run(k: u64, queue: Queue, rng: Gen, mu: f64, sigma: f64) -> Rep {
    match (queue, rng) {
        (Queue::Heap, Gen::Small) => replicate(Heap::new(), &mut SmallRng::seed_from_u64(k), mu, sigma),
        (Queue::Heap, Gen::ChaCha8) => replicate(Heap::new(), &mut ChaCha8Rng::seed_from_u64(k), mu, sigma),
        (Queue::Special, Gen::Small) => replicate(Special::new(), &mut SmallRng::seed_from_u64(k), mu, sigma),
        (Queue::Special, Gen::ChaCha8) => {
            replicate(Special::new(), &mut ChaCha8Rng::seed_from_u64(k), mu, sigma)
        }
    }
}

fn main() {
    let mut reps: Option<u64> = None;
    let mut rng = Gen::Small;
    let mut queue = Queue::Special;
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-r" | "--replications" => {
                reps = Some(
                    args.next()
                        .and_then(|v| v.parse().ok())
                        .expect("--replications needs a number"),
                );
            }
            "--rng" => match args.next().as_deref() {
                Some("small") => rng = Gen::Small,
                Some("chacha8") => rng = Gen::ChaCha8,
                other => panic!("--rng small|chacha8, not {other:?}"),
            },
            "--queue" => match args.next().as_deref() {
                Some("heap") => queue = Queue::Heap,
                Some("special") => queue = Queue::Special,
                other => panic!("--queue heap|special, not {other:?}"),
            },
            "--check" => check = true,
            // `cargo bench` passes `--bench`; ignore whatever else it adds.
            _ => {}
        }
    }
    let (mu, sigma) = m1::travel_params();

    if check {
        let n = reps.unwrap_or(10);
        for g in [Gen::Small, Gen::ChaCha8] {
            for k in 0..n {
                let (h, s) = (
                    run(k, Queue::Heap, g, mu, sigma),
                    run(k, Queue::Special, g, mu, sigma),
                );
                assert_eq!(h, s, "seed {k}, {g:?}: heap and special differ");
                assert_eq!(h.in_time + h.late + h.diverted, h.calls);
            }
        }
        println!("loop_m1 --check: heap and special agree on seeds 0..{n}, SmallRng and ChaCha8Rng");
        return;
    }

    let reps = reps.unwrap_or(100);
    let start = Instant::now();
    let results: Vec<Rep> = (0..reps).map(|k| run(k, queue, rng, mu, sigma)).collect();
    let wall = start.elapsed().as_secs_f64();

    let queue = match queue {
        Queue::Heap => "heap",
        Queue::Special => "special",
    };
    let rng = match rng {
        Gen::Small => "SmallRng (Xoshiro256++)",
        Gen::ChaCha8 => "ChaCha8Rng",
    };
    m1::print_report(
        &format!("\"tool\": \"loop_m1\", \"queue\": \"{queue}\", \"rng\": \"{rng}\""),
        &results,
        wall,
    );
}

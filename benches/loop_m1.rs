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
//! `--stats` makes the loop also keep the statistics the engine keeps for
//! M1 (`sim/src/tally.rs`), to tell how much of the engine's cost over this
//! loop is the statistics themselves. They are plain flat `Vec` tables of
//! the tally's shapes (one region, call type, channel, zone and team group;
//! the 12 months of a 365-day year from 2027-01-01, a Friday, for the hour
//! of week), allocated per replication as the engine's tally is, and
//! updated at the engine's moments:
//!
//! - a call's arrival: month × zone contacts and mobile calls, mobile calls
//!   by hour of week (`arrival`);
//! - a diversion (at once, or at the give-up time): the outcome, month ×
//!   zone and hour-of-week diverted (`divert`);
//! - a team setting off (`start_job`, `occupy`): in time or late (the
//!   outcome, month × zone, late by hour of week), the five 0.5-minute
//!   histograms of 2,880 bins + overflow (response, wait, dispatch delay,
//!   travel, on scene) and the response and wait sums, waited, job minutes
//!   and jobs, the team group's jobs, travel sum, 1-minute travel histogram
//!   (720 + overflow) and jobs by zone, its busy minutes clipped to the year;
//! - each change of the number of busy teams (a team sets off or frees):
//!   the minutes at the previous level (levels 0..=64), busy team-minutes
//!   and busy team-minutes by hour of week split at hour boundaries
//!   (`change_busy`, `flush_busy`); each change of the number of waiting
//!   calls: the queue-length integral (`add_waiting`); both integrated up to
//!   the end of the year when the run is over.
//!
//! The printed figures are unchanged (the statistics are extra work); the
//! JSON adds `"stats": true` and `stats_checksum`, the sum of every count
//! and every sum of the tables over the replications, which keeps the work
//! from being optimised away. Without `--stats` the loop keeps none
//! (`NoStats`, which compiles to nothing): output and speed as before.
//!
//! Measured with callgrind (instructions per simulated call: Ir at -r 25
//! minus Ir at -r 5, over calls at 25 minus calls at 5), `special`: 320.7
//! without `--stats` (319.1 before the flag: code layout), 785.6 with (+465); with
//! ChaCha8Rng 346.9 and 814.2 (+467); `heap` 688.5 and 1,152.2 (+464).
//! Of the +465: 197 a call in recording a team setting off (218 a team
//! setting off), 168 in integrating the busy levels (about 93 a change),
//! 94 inlined in the loop (arrival and diversion counters, month and hour
//! of week, the queue integral), 6 per replication (zeroing the tables,
//! the checksum). The float-to-index conversions are plain saturating
//! `as usize`; with the engine's `bin_of` (`as u32`) the +465 is +373, and
//! an hour cursor like the engine's `HourCursor` saves nothing more. So the
//! statistics are about a quarter (a fifth with `bin_of`) of the engine's
//! gap to this loop (2,257 - 319 = 1,938 instructions a call). Walls, best
//! of 5, 100 replications (`/usr/bin/time -f %e`; in-process `wall_s`),
//! shared 2-core machine, three rounds: SmallRng 0.07-0.08 s (0.079)
//! without, 0.16 s (0.161) with; ChaCha8Rng 0.09 s (0.093) without, 0.17 s
//! (0.173) with: the statistics double the wall.
//!
//! `--check` runs both event lists with both generators on the first
//! replications (`-r`, default 10 here) and asserts identical figures, the
//! same figures with `--stats`, and that the statistics agree with them
//! (outcomes, histogram totals, month × zone and hour-of-week counts, busy
//! minutes from the busy levels, by hour and by team group).
//!
//! `cargo bench --bench loop_m1` (or the built binary) runs 100
//! replication-years and prints JSON with minimal_m1's keys plus `queue`.
//! Options: `--replications N` / `-r N`, `--rng small|chacha8` (default
//! `small`, `rand::rngs::SmallRng`, Xoshiro256++), `--queue heap|special`,
//! `--stats`, `--check`.

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
    /// Its calendar month and hour of week, for `--stats` (0 without).
    month: u8,
    hour: u16,
    arrival: f64,
    travel: f64,
    scene: f64,
}

/// The model's state besides the event list.
struct Sim<E, S> {
    events: E,
    /// The statistics kept: `NoStats`, or `Stats` with `--stats`.
    stats: S,
    /// Bit k set when team k is idle.
    idle: u8,
    /// Queued calls, oldest first (so in increasing id).
    queue: VecDeque<Call>,
    next_id: u32,
    r: Rep,
}

impl<E: EventList, S: Record> Sim<E, S> {
    /// Sends `team`, free at `s`, to call `c`.
    #[inline(always)]
    fn dispatch(&mut self, team: usize, s: f64, c: &Call) {
        let end = self.r.dispatched(s, c.arrival, c.travel, c.scene);
        self.stats.dispatched(s, c, end);
        self.events.push_free(team, end);
    }

    /// A call arrives at `t`: its draws, then the next arrival's.
    #[inline(always)]
    fn arrival<R: Rng>(&mut self, t: f64, rng: &mut R, mu: f64, sigma: f64) {
        let z: f64 = StandardNormal.sample(rng);
        let travel = (mu + sigma * z).exp();
        let e_scene: f64 = Exp1.sample(rng);
        let (month, hour) = self.stats.calendar(t);
        let c = Call {
            id: self.next_id,
            month,
            hour,
            arrival: t,
            travel,
            scene: SCENE_MEAN * e_scene,
        };
        self.r.calls += 1;
        self.stats.arrival(&c);
        if travel > MAX_RESPONSE + EPS {
            // No team could reach it in time, idle or not.
            self.r.diverted += 1;
            self.stats.diverted(&c);
        } else if self.idle != 0 {
            // Teams are idle only while the queue is empty.
            let k = self.idle.trailing_zeros() as usize;
            self.idle &= !(1 << k);
            self.dispatch(k, t, &c);
        } else {
            self.next_id += 1;
            self.queue.push_back(c);
            self.stats.change_waiting(t, 1);
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
        self.stats.change_busy(s, -1);
        match self.queue.pop_front() {
            Some(c) => {
                debug_assert!(s + c.travel <= c.arrival + MAX_RESPONSE + EPS);
                self.stats.change_waiting(s, -1);
                self.dispatch(k, s, &c);
            }
            None => self.idle |= 1 << k,
        }
    }

    /// Call `id`'s give-up time `t`: diverted if still queued, else (served
    /// already) nothing — the lazily cancelled event.
    #[inline(always)]
    fn give_up(&mut self, t: f64, id: u32) {
        if let Ok(i) = self.queue.binary_search_by_key(&id, |c| c.id) {
            let c = self.queue.remove(i).expect("found in the queue");
            self.r.diverted += 1;
            self.stats.change_waiting(t, -1);
            self.stats.diverted(&c);
        }
    }
}

/// What a replication records besides its `Rep` figures, at the moments
/// the engine records its statistics: a call's arrival, its diversion, a
/// team setting off, and each change of the numbers of busy teams and
/// waiting calls.
trait Record {
    fn new() -> Self;
    /// The calendar month and hour of week of an arrival at `t` (arrivals
    /// come in time order).
    fn calendar(&mut self, t: f64) -> (u8, u16);
    fn arrival(&mut self, c: &Call);
    fn diverted(&mut self, c: &Call);
    /// A team sets off at `s` for call `c` and is free at `end`.
    fn dispatched(&mut self, s: f64, c: &Call, end: f64);
    fn change_busy(&mut self, t: f64, delta: i32);
    fn change_waiting(&mut self, t: f64, delta: i32);
    /// The run is over: integrates up to the end of the year.
    fn finish(&mut self);
}

/// No statistics: the loop's own figures only (the default).
struct NoStats;

impl Record for NoStats {
    #[inline(always)]
    fn new() -> Self {
        NoStats
    }
    #[inline(always)]
    fn calendar(&mut self, _: f64) -> (u8, u16) {
        (0, 0)
    }
    #[inline(always)]
    fn arrival(&mut self, _: &Call) {}
    #[inline(always)]
    fn diverted(&mut self, _: &Call) {}
    #[inline(always)]
    fn dispatched(&mut self, _: f64, _: &Call, _: f64) {}
    #[inline(always)]
    fn change_busy(&mut self, _: f64, _: i32) {}
    #[inline(always)]
    fn change_waiting(&mut self, _: f64, _: i32) {}
    #[inline(always)]
    fn finish(&mut self) {}
}

// The shapes of the engine's tally (`sim/src/tally.rs`) for M1.
/// Width of a bin of the five per-cell histograms, minutes.
const BIN_MIN: f64 = 0.5;
/// Bins below the overflow bin (24 hours).
const BINS: usize = 2880;
/// Width of a bin of the team group's travel histogram, minutes.
const TRAVEL_BIN_MIN: f64 = 1.0;
/// Bins below its overflow bin (12 hours).
const TRAVEL_BINS: usize = 720;
/// Busy-team counts above this are tallied together.
const MAX_BUSY_LEVEL: usize = 64;
const HOURS_PER_WEEK: usize = 168;
/// Outcomes: (phone, police, EMS,) in time, late, diverted, (...).
const OUTCOMES: usize = 8;
const IN_TIME: usize = 3;
const LATE: usize = 4;
const DIVERTED: usize = 5;
/// Extra counters per cell, of which "waited for a team".
const EXTRAS: usize = 15;
const WAITED: usize = 5;
/// Month × zone counters: contacts, mobile, in time, late, diverted, (...).
const MZ: usize = 7;
const MZ_CONTACTS: usize = 0;
const MZ_MOBILE: usize = 1;
const MZ_IN_TIME: usize = 2;
const MZ_LATE: usize = 3;
const MZ_DIVERTED: usize = 4;
/// Hour-of-week counters: mobile calls, diverted, late.
const HC: usize = 3;
const HC_MOBILE: usize = 0;
const HC_DIVERTED: usize = 1;
const HC_LATE: usize = 2;
/// M1's one region, call type, channel, zone and team group: table shapes
/// and indices.
const REGIONS: usize = 1;
const CELLS: usize = 1;
const ZONES: usize = 1;
const GROUPS: usize = 1;
const REGION: usize = 0;
const CELL: usize = 0;
const ZONE: usize = 0;
const GROUP: usize = 0;
/// The year runs from 2027-01-01 00:00, a Friday: 96 hours into its week
/// (hour-of-week 0 is Monday 00:00). Its months end on these days.
const WEEK_OFFSET_H: usize = 96;
const MONTHS: usize = 12;
const MONTH_END_DAY: [f64; MONTHS] = [
    31.0, 59.0, 90.0, 120.0, 151.0, 181.0, 212.0, 243.0, 273.0, 304.0, 334.0, 365.0,
];

/// The histogram bin of `minutes` (>= 0), the overflow bin past `last`.
#[inline]
fn bin(minutes: f64, width: f64, last: usize) -> usize {
    ((minutes / width) as usize).min(last)
}

/// The part of `[a, b)` inside the year (M1 has no warm-up), if any.
#[inline]
fn in_year(a: f64, b: f64) -> Option<(f64, f64)> {
    let a = a.max(0.0);
    let b = b.min(HORIZON_MIN);
    (b > a).then_some((a, b))
}

/// The statistics the engine keeps for M1 (`--stats`), as flat tables
/// shaped like its tally; the names are the tally's.
struct Stats {
    /// `[cell][OUTCOMES]`.
    outcomes: Vec<u32>,
    /// `[cell][EXTRAS]`.
    extras: Vec<u32>,
    /// `[cell][BINS + 1]` each, the last bin overflow.
    response_hist: Vec<u32>,
    wait_hist: Vec<u32>,
    dispatch_delay_hist: Vec<u32>,
    travel_hist: Vec<u32>,
    on_scene_hist: Vec<u32>,
    /// `[cell]`, minutes.
    response_sum_min: Vec<f64>,
    wait_sum_min: Vec<f64>,
    /// Minutes at each number of busy teams, `[region][MAX_BUSY_LEVEL + 1]`.
    busy_level_min: Vec<f64>,
    /// Job minutes and jobs by the serving team's region, `[region]`.
    job_min_sum: Vec<f64>,
    jobs: Vec<u64>,
    /// `[region][HOURS_PER_WEEK][HC]`.
    by_hour: Vec<u32>,
    /// Busy team-minutes by hour of week, `[region][HOURS_PER_WEEK]`.
    busy_by_hour_min: Vec<f64>,
    /// Busy team-minutes, `[region]`.
    busy_min: Vec<f64>,
    /// Integral of the number of waiting calls, call-minutes, `[region]`.
    queue_integral: Vec<f64>,
    /// `[month][zone][MZ]`.
    month_zone: Vec<u32>,
    /// By team group: jobs, busy minutes, travel sum, `[group]`; travel
    /// histogram `[group][TRAVEL_BINS + 1]`; jobs by zone `[group][zone]`.
    team_jobs: Vec<u32>,
    team_busy_min: Vec<f64>,
    team_travel_sum_min: Vec<f64>,
    team_travel_hist: Vec<u32>,
    team_zone_jobs: Vec<u32>,
    /// Busy teams and since when; waiting calls and since when; the month
    /// of the last arrival.
    busy: u32,
    busy_since: f64,
    waiting: u32,
    waiting_since: f64,
    month: usize,
}

impl Stats {
    /// Integrates the time since the last change at the current number of
    /// busy teams, clipped to the year: minutes at that level, busy
    /// team-minutes, and busy team-minutes by hour of week, split at the
    /// hour boundaries.
    fn flush_busy(&mut self, t: f64) {
        let since = std::mem::replace(&mut self.busy_since, t);
        let Some((a, b)) = in_year(since, t) else {
            return;
        };
        let k = self.busy as usize;
        self.busy_level_min[REGION * (MAX_BUSY_LEVEL + 1) + k.min(MAX_BUSY_LEVEL)] += b - a;
        if k == 0 {
            return;
        }
        let k = k as f64;
        self.busy_min[REGION] += k * (b - a);
        let row = &mut self.busy_by_hour_min[REGION * HOURS_PER_WEEK..(REGION + 1) * HOURS_PER_WEEK];
        let mut x = a;
        while x < b {
            let h = (x / 60.0) as usize;
            let end = ((h + 1) as f64 * 60.0).min(b);
            row[(h + WEEK_OFFSET_H) % HOURS_PER_WEEK] += k * (end - x);
            x = end;
        }
    }

    /// Integrates the number of waiting calls since its last change.
    fn flush_waiting(&mut self, t: f64) {
        if let Some((a, b)) = in_year(self.waiting_since, t) {
            self.queue_integral[REGION] += f64::from(self.waiting) * (b - a);
        }
        self.waiting_since = t;
    }

    /// Every count and sum added up: printed so that the work is kept.
    fn checksum(&self) -> f64 {
        let counts = [
            &self.outcomes,
            &self.extras,
            &self.response_hist,
            &self.wait_hist,
            &self.dispatch_delay_hist,
            &self.travel_hist,
            &self.on_scene_hist,
            &self.by_hour,
            &self.month_zone,
            &self.team_jobs,
            &self.team_travel_hist,
            &self.team_zone_jobs,
        ];
        let sums = [
            &self.response_sum_min,
            &self.wait_sum_min,
            &self.busy_level_min,
            &self.job_min_sum,
            &self.busy_by_hour_min,
            &self.busy_min,
            &self.queue_integral,
            &self.team_busy_min,
            &self.team_travel_sum_min,
        ];
        let n: u64 = counts
            .iter()
            .flat_map(|v| v.iter())
            .map(|&c| u64::from(c))
            .sum::<u64>()
            + self.jobs.iter().sum::<u64>();
        n as f64 + sums.iter().flat_map(|v| v.iter()).sum::<f64>()
    }

    /// Asserts that the tables agree with the loop's own figures `r`.
    fn verify(&self, r: &Rep) {
        let served = r.in_time + r.late;
        let total = |v: &[u32]| v.iter().map(|&c| u64::from(c)).sum::<u64>();
        let col = |v: &[u32], width: usize, i: usize| {
            v.iter()
                .skip(i)
                .step_by(width)
                .map(|&c| u64::from(c))
                .sum::<u64>()
        };
        let close = |x: f64, y: f64, what: &str| {
            assert!((x - y).abs() <= 1e-9 * y.abs().max(1.0), "{what}: {x} vs {y}");
        };
        assert_eq!(col(&self.outcomes, OUTCOMES, IN_TIME), r.in_time);
        assert_eq!(col(&self.outcomes, OUTCOMES, LATE), r.late);
        assert_eq!(col(&self.outcomes, OUTCOMES, DIVERTED), r.diverted);
        assert_eq!(total(&self.outcomes), r.calls);
        for h in [
            &self.response_hist,
            &self.wait_hist,
            &self.dispatch_delay_hist,
            &self.travel_hist,
            &self.on_scene_hist,
            &self.team_travel_hist,
        ] {
            assert_eq!(total(h), served);
        }
        assert_eq!(self.jobs[REGION], served);
        assert_eq!(u64::from(self.team_jobs[GROUP]), served);
        assert_eq!(col(&self.month_zone, MZ, MZ_CONTACTS), r.calls);
        assert_eq!(col(&self.month_zone, MZ, MZ_MOBILE), r.calls);
        assert_eq!(col(&self.month_zone, MZ, MZ_IN_TIME), r.in_time);
        assert_eq!(col(&self.month_zone, MZ, MZ_LATE), r.late);
        assert_eq!(col(&self.month_zone, MZ, MZ_DIVERTED), r.diverted);
        assert_eq!(col(&self.by_hour, HC, HC_MOBILE), r.calls);
        assert_eq!(col(&self.by_hour, HC, HC_DIVERTED), r.diverted);
        assert_eq!(col(&self.by_hour, HC, HC_LATE), r.late);
        // Every month and hour of week has calls (about 1,400 and 100).
        assert!(self.month_zone.chunks(MZ).all(|c| c[MZ_CONTACTS] > 1000));
        assert!(self.by_hour.chunks(HC).all(|c| c[HC_MOBILE] > 50));
        close(
            self.busy_level_min.iter().sum(),
            HORIZON_MIN,
            "minutes at busy levels",
        );
        close(self.busy_min[REGION], r.busy_min, "busy team-minutes");
        close(self.team_busy_min[GROUP], r.busy_min, "group busy minutes");
        close(
            self.busy_by_hour_min.iter().sum(),
            r.busy_min,
            "busy minutes by hour",
        );
        let levels: f64 = self
            .busy_level_min
            .iter()
            .enumerate()
            .map(|(k, m)| k as f64 * m)
            .sum();
        close(levels, r.busy_min, "busy levels' team-minutes");
        assert!(self.queue_integral[REGION] > 0.0);
        assert_eq!((self.busy, self.waiting), (0, 0));
    }
}

impl Record for Stats {
    fn new() -> Self {
        Stats {
            outcomes: vec![0; CELLS * OUTCOMES],
            extras: vec![0; CELLS * EXTRAS],
            response_hist: vec![0; CELLS * (BINS + 1)],
            wait_hist: vec![0; CELLS * (BINS + 1)],
            dispatch_delay_hist: vec![0; CELLS * (BINS + 1)],
            travel_hist: vec![0; CELLS * (BINS + 1)],
            on_scene_hist: vec![0; CELLS * (BINS + 1)],
            response_sum_min: vec![0.0; CELLS],
            wait_sum_min: vec![0.0; CELLS],
            busy_level_min: vec![0.0; REGIONS * (MAX_BUSY_LEVEL + 1)],
            job_min_sum: vec![0.0; REGIONS],
            jobs: vec![0; REGIONS],
            by_hour: vec![0; REGIONS * HOURS_PER_WEEK * HC],
            busy_by_hour_min: vec![0.0; REGIONS * HOURS_PER_WEEK],
            busy_min: vec![0.0; REGIONS],
            queue_integral: vec![0.0; REGIONS],
            month_zone: vec![0; MONTHS * ZONES * MZ],
            team_jobs: vec![0; GROUPS],
            team_busy_min: vec![0.0; GROUPS],
            team_travel_sum_min: vec![0.0; GROUPS],
            team_travel_hist: vec![0; GROUPS * (TRAVEL_BINS + 1)],
            team_zone_jobs: vec![0; GROUPS * ZONES],
            busy: 0,
            busy_since: 0.0,
            waiting: 0,
            waiting_since: 0.0,
            month: 0,
        }
    }

    fn calendar(&mut self, t: f64) -> (u8, u16) {
        while self.month + 1 < MONTHS && t >= MONTH_END_DAY[self.month] * 1440.0 {
            self.month += 1;
        }
        let hour = ((t / 60.0) as usize + WEEK_OFFSET_H) % HOURS_PER_WEEK;
        (self.month as u8, hour as u16)
    }

    /// Every M1 contact needs a team (triage: mobile).
    fn arrival(&mut self, c: &Call) {
        let mz = (c.month as usize * ZONES + ZONE) * MZ;
        self.month_zone[mz + MZ_CONTACTS] += 1;
        self.month_zone[mz + MZ_MOBILE] += 1;
        self.by_hour[(REGION * HOURS_PER_WEEK + c.hour as usize) * HC + HC_MOBILE] += 1;
    }

    fn diverted(&mut self, c: &Call) {
        self.outcomes[CELL * OUTCOMES + DIVERTED] += 1;
        self.month_zone[(c.month as usize * ZONES + ZONE) * MZ + MZ_DIVERTED] += 1;
        self.by_hour[(REGION * HOURS_PER_WEEK + c.hour as usize) * HC + HC_DIVERTED] += 1;
    }

    /// The engine's `start_job` and `occupy`.
    fn dispatched(&mut self, s: f64, c: &Call, end: f64) {
        // In time by `Rep::dispatched`'s test, so the two agree.
        let in_time = s - c.arrival + c.travel <= MAX_RESPONSE + EPS;
        let response = s + c.travel - c.arrival;
        // The dispatch decision is at arrival (no intake): the wait for a
        // team and the delay from first contact are the same.
        let wait = s - c.arrival;
        self.outcomes[CELL * OUTCOMES + if in_time { IN_TIME } else { LATE }] += 1;
        let row = CELL * (BINS + 1);
        self.response_hist[row + bin(response, BIN_MIN, BINS)] += 1;
        self.wait_hist[row + bin(wait, BIN_MIN, BINS)] += 1;
        self.dispatch_delay_hist[row + bin(wait, BIN_MIN, BINS)] += 1;
        self.travel_hist[row + bin(c.travel, BIN_MIN, BINS)] += 1;
        self.on_scene_hist[row + bin(c.scene, BIN_MIN, BINS)] += 1;
        self.response_sum_min[CELL] += response;
        self.wait_sum_min[CELL] += wait;
        if wait > EPS {
            self.extras[CELL * EXTRAS + WAITED] += 1;
        }
        self.job_min_sum[REGION] += end - s;
        self.jobs[REGION] += 1;
        self.team_jobs[GROUP] += 1;
        self.team_travel_sum_min[GROUP] += c.travel;
        self.team_travel_hist[GROUP * (TRAVEL_BINS + 1) + bin(c.travel, TRAVEL_BIN_MIN, TRAVEL_BINS)] += 1;
        self.team_zone_jobs[GROUP * ZONES + ZONE] += 1;
        let mz = (c.month as usize * ZONES + ZONE) * MZ;
        self.month_zone[mz + if in_time { MZ_IN_TIME } else { MZ_LATE }] += 1;
        if !in_time {
            self.by_hour[(REGION * HOURS_PER_WEEK + c.hour as usize) * HC + HC_LATE] += 1;
        }
        // occupy: the team is busy from `s` to `end`.
        self.change_busy(s, 1);
        if let Some((a, b)) = in_year(s, end) {
            self.team_busy_min[GROUP] += b - a;
        }
    }

    fn change_busy(&mut self, t: f64, delta: i32) {
        self.flush_busy(t);
        self.busy = self
            .busy
            .checked_add_signed(delta)
            .expect("busy count stays >= 0");
    }

    fn change_waiting(&mut self, t: f64, delta: i32) {
        self.flush_waiting(t);
        self.waiting = self
            .waiting
            .checked_add_signed(delta)
            .expect("waiting count stays >= 0");
    }

    fn finish(&mut self) {
        self.flush_waiting(HORIZON_MIN);
        self.flush_busy(HORIZON_MIN);
    }
}

/// One replication-year of M1 with event list `events` (empty), and the
/// statistics `S` kept.
fn replicate<E: EventList, S: Record, R: Rng>(events: E, rng: &mut R, mu: f64, sigma: f64) -> (Rep, S) {
    let mut sim = Sim {
        events,
        stats: S::new(),
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
            Ev::GiveUp(id) => sim.give_up(t, id),
        }
    }
    debug_assert!(sim.queue.is_empty());
    sim.stats.finish();
    (sim.r, sim.stats)
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

/// Replication `k` (seed `k`) with the given event list and generator,
/// keeping statistics `S`.
fn run<S: Record>(k: u64, queue: Queue, rng: Gen, mu: f64, sigma: f64) -> (Rep, S) {
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
    let mut stats = false;
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
            "--stats" => stats = true,
            // `cargo bench` passes `--bench`; ignore whatever else it adds.
            _ => {}
        }
    }
    let (mu, sigma) = m1::travel_params();

    if check {
        let n = reps.unwrap_or(10);
        for g in [Gen::Small, Gen::ChaCha8] {
            for k in 0..n {
                let (h, _) = run::<NoStats>(k, Queue::Heap, g, mu, sigma);
                let (s, _) = run::<NoStats>(k, Queue::Special, g, mu, sigma);
                assert_eq!(h, s, "seed {k}, {g:?}: heap and special differ");
                assert_eq!(h.in_time + h.late + h.diverted, h.calls);
                for q in [Queue::Heap, Queue::Special] {
                    let (r, st) = run::<Stats>(k, q, g, mu, sigma);
                    assert_eq!(r, h, "seed {k}, {g:?}, {q:?}: --stats changes the figures");
                    st.verify(&r);
                }
            }
        }
        println!(
            "loop_m1 --check: heap and special agree on seeds 0..{n}, SmallRng and ChaCha8Rng, \
             with and without --stats, and the statistics add up"
        );
        return;
    }

    let reps = reps.unwrap_or(100);
    let start = Instant::now();
    // With --stats, each replication's tables are reduced to a checksum
    // as it ends (the engine's driver reduces each tally likewise).
    let mut checksum = 0.0;
    let results: Vec<Rep> = (0..reps)
        .map(|k| {
            if stats {
                let (r, st) = run::<Stats>(k, queue, rng, mu, sigma);
                checksum += st.checksum();
                r
            } else {
                run::<NoStats>(k, queue, rng, mu, sigma).0
            }
        })
        .collect();
    let wall = start.elapsed().as_secs_f64();

    let queue = match queue {
        Queue::Heap => "heap",
        Queue::Special => "special",
    };
    let rng = match rng {
        Gen::Small => "SmallRng (Xoshiro256++)",
        Gen::ChaCha8 => "ChaCha8Rng",
    };
    let mut head = format!("\"tool\": \"loop_m1\", \"queue\": \"{queue}\", \"rng\": \"{rng}\"");
    if stats {
        head += &format!(", \"stats\": true, \"stats_checksum\": {checksum}");
    }
    m1::print_report(&head, &results, wall);
}

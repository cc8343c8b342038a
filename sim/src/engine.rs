//! One replication: a discrete-event simulation of calls and teams.
//!
//! Events are ordered by (time, insertion sequence): events at the same
//! time run first in, first out. Time is `f64` minutes from the run start,
//! always >= 0, so the bit pattern orders like the number.
//!
//! Every random draw of a call (arrival time, zone, channel, type, triage,
//! intake, on-scene and transport times, travel factor, backup, petition)
//! comes from its region's call stream when the call is created; dispatch
//! draws nothing. Replication k of two scenarios that differ only in teams,
//! shifts, maximums or dispatch settings therefore sees the same calls.

use std::collections::VecDeque;

use rand::Rng;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Exp1};

use crate::calendar::{Calendar, HOURS_PER_WEEK};
use crate::events::EventQueue;
use crate::model::Model;
use crate::scenario::{AfterCall, Candidates, Knowledge, Policy, Travel};
use crate::tally::{Extra, HourCount, MAX_BUSY_LEVEL, MonthZone, Outcome, Tally};
use crate::trace::CallRecord;

/// Calls still waiting this long after the horizon are counted as diverted
/// (and reported as unresolved).
const DRAIN_LIMIT_MIN: f64 = 30.0 * 1440.0;
/// Slack when comparing an arrival time against a maximum, minutes.
const EPS: f64 = 1e-9;

/// A Bernoulli draw that uses the stream only when the outcome is uncertain,
/// so a share of 0 or 1 costs no random number (and leaves the stream as it
/// is for the call's other attributes).
#[inline]
fn chance<R: Rng + ?Sized>(rng: &mut R, p: f64) -> bool {
    if p <= 0.0 {
        false
    } else if p >= 1.0 {
        true
    } else {
        rng.random::<f64>() < p
    }
}

/// The next whole hour after `t` minutes (t >= 0; truncation is floor here,
/// and avoids a libm call on targets without SSE4.1).
#[inline]
fn next_hour(t: f64) -> f64 {
    ((t / 60.0) as u64 + 1) as f64 * 60.0
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Arrival,
    Decision,
    TeamFree,
    GiveUp,
    ShiftStart,
    TeamHome,
}

/// What an event does, to which call, team, region or group; `generation`
/// tells a call's events apart when its slot has been reused.
#[derive(Debug, Clone, Copy)]
struct Event {
    kind: Kind,
    id: u32,
    generation: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CallState {
    Free,
    Intake,
    Queued,
    Assigned,
}

/// A mobile-eligible call between its arrival and its dispatch or diversion.
#[derive(Debug, Clone, Copy)]
struct Call {
    arrival: f64,
    deadline: f64,
    /// When the dispatch decision was made (the call's place in the queue).
    decided_at: f64,
    region: u32,
    zone: u32,
    ctype: u16,
    channel: u16,
    on_scene: f64,
    transport: f64,
    /// Travel draw: minutes (region travel by `time`) or a factor on the route mean.
    travel_draw: f64,
    backup: bool,
    petition: bool,
    /// A transport follows the scene (its time may be 0).
    transported: bool,
    measured: bool,
    month: u32,
    hour: u16,
    state: CallState,
    /// Assigned to a busy team: its share of the team's `queue_est_min`.
    queue_est_min: f64,
    /// Bumped each time the slot is reused, so stale events can be told apart.
    generation: u32,
}

/// The hour a region's arrival generator is in, and that hour's rate
/// (contacts per minute): advanced one hour at a time, so generating an
/// arrival costs no calendar arithmetic.
#[derive(Debug, Clone)]
struct RateCursor {
    /// Hours since the run start.
    hour: u64,
    /// End of that hour, minutes.
    hour_end: f64,
    /// Its hour of week.
    how: usize,
    /// Its index in the calendar's months.
    month: usize,
    rate: f64,
}

impl RateCursor {
    fn new(m: &Model, r: usize) -> Self {
        let mut c = RateCursor {
            hour: 0,
            hour_end: 60.0,
            how: m.calendar.hour_of_week(0.0),
            month: 0,
            rate: 0.0,
        };
        c.rate = c.rate_of(m, r);
        c
    }

    fn rate_of(&self, m: &Model, r: usize) -> f64 {
        let region = &m.scenario.regions()[r];
        let moy = m.calendar.months()[self.month].month_of_year;
        region.rate_per_min * region.profile[self.how] * region.month_factors[moy]
    }

    fn advance(&mut self, m: &Model, r: usize) {
        self.hour += 1;
        let start = self.hour as f64 * 60.0;
        self.hour_end = start + 60.0;
        self.how = if self.how + 1 == HOURS_PER_WEEK {
            0
        } else {
            self.how + 1
        };
        let months = m.calendar.months();
        if self.month + 1 < months.len() && start >= months[self.month].end_min {
            self.month += 1;
        }
        self.rate = self.rate_of(m, r);
    }
}

/// What a team is doing.
#[derive(Debug, Clone)]
struct Team {
    /// Zone it is at, or last served (the zone it is leaving when returning).
    loc: u32,
    /// When it reaches its base after a call (infinite when it stays).
    home_at: f64,
    busy: bool,
    job_start: f64,
    travel_end: f64,
    scene_end: f64,
    free_at: f64,
    /// Mean minutes of the route of the current job (for the `expected` estimate).
    job_route_mean: f64,
    job_region: u32,
    job_ctype: u16,
    /// Calls assigned under `predict`, waiting for this team, in order.
    queue: VecDeque<u32>,
    /// The dispatcher's estimate of the minutes the assigned calls take
    /// (each one's travel from the one before, plus its service): kept as
    /// calls join and leave, so a decision does not walk the queue
    /// (issue 17: overload under `predict` was quadratic).
    queue_est_min: f64,
}

/// The state of one replication.
pub(crate) struct Engine<'m> {
    m: &'m Model,
    cal: &'m Calendar,
    now: f64,
    events: EventQueue<Event>,
    calls: Vec<Call>,
    free_calls: Vec<u32>,
    teams: Vec<Team>,
    /// Escalate: waiting calls per region, one queue per priority level.
    queues: Vec<Vec<VecDeque<u32>>>,
    /// Teams of each region busy now, and since when.
    busy_count: Vec<u32>,
    busy_since: Vec<f64>,
    /// Calls waiting (queued or assigned, not yet dispatched) per region.
    waiting: Vec<u32>,
    waiting_since: Vec<f64>,
    rngs: Vec<ChaCha8Rng>,
    /// Where each region's arrival generator is in the calendar.
    cursors: Vec<RateCursor>,
    /// Mobile calls not yet dispatched or diverted.
    pending: u64,
    tally: Tally,
    /// Call records, when tracing (tests and small runs only).
    trace: Option<Vec<CallRecord>>,
}

impl<'m> Engine<'m> {
    pub(crate) fn new(m: &'m Model, replication: u64) -> Self {
        let sc = &m.scenario;
        let rngs = sc
            .regions()
            .iter()
            .map(|r| crate::rng::call_stream(sc.run().seed, &r.name, replication))
            .collect();
        let teams = m
            .teams
            .iter()
            .map(|t| Team {
                loc: t.base as u32,
                home_at: f64::INFINITY,
                busy: false,
                job_start: 0.0,
                travel_end: 0.0,
                scene_end: 0.0,
                free_at: 0.0,
                job_route_mean: 0.0,
                job_region: 0,
                job_ctype: 0,
                queue: VecDeque::with_capacity(8),
                queue_est_min: 0.0,
            })
            .collect();
        let levels = m.priority_levels;
        Engine {
            m,
            cal: &m.calendar,
            now: 0.0,
            events: EventQueue::with_capacity(1024),
            calls: Vec::with_capacity(256),
            free_calls: Vec::with_capacity(256),
            teams,
            queues: vec![vec![VecDeque::with_capacity(16); levels]; sc.regions().len()],
            waiting: vec![0; sc.regions().len()],
            busy_count: vec![0; sc.regions().len()],
            busy_since: vec![0.0; sc.regions().len()],
            waiting_since: vec![0.0; sc.regions().len()],
            rngs,
            cursors: (0..sc.regions().len()).map(|r| RateCursor::new(m, r)).collect(),
            pending: 0,
            tally: Tally::new(m.shape),
            trace: None,
        }
    }

    /// Runs the replication to the horizon (and drains waiting calls).
    /// Runs the replication and also returns its call records.
    pub(crate) fn run_traced(mut self) -> (Tally, Vec<CallRecord>) {
        self.trace = Some(Vec::new());
        let mut trace = Vec::new();
        let tally = self.run_with(&mut trace);
        (tally, trace)
    }

    pub(crate) fn run(self) -> Tally {
        self.run_with(&mut Vec::new())
    }

    fn run_with(mut self, trace_out: &mut Vec<CallRecord>) -> Tally {
        let horizon = self.m.scenario.run().horizon_min;
        for r in 0..self.m.scenario.regions().len() {
            if let Some(t) = self.next_arrival(r, 0.0) {
                self.events.push(
                    t,
                    Event {
                        kind: Kind::Arrival,
                        id: r as u32,
                        generation: 0,
                    },
                );
            }
        }
        if self.m.scenario.dispatch().policy == Policy::Escalate {
            for (g, group) in self.m.scenario.team_groups().iter().enumerate() {
                let t = group.schedule.next_start(0.0, self.cal.minute_of_week(0.0));
                if t.is_finite() {
                    self.events.push(
                        t,
                        Event {
                            kind: Kind::ShiftStart,
                            id: g as u32,
                            generation: 0,
                        },
                    );
                }
            }
        }
        while let Some((t, Event { kind, id, generation })) = self.events.pop() {
            if t > horizon && self.pending == 0 {
                break;
            }
            if t > horizon + DRAIN_LIMIT_MIN {
                break;
            }
            self.now = t;
            match kind {
                Kind::Arrival => self.arrival(id as usize),
                Kind::Decision => self.decide(id),
                Kind::TeamFree => self.team_free(id as usize),
                Kind::GiveUp => self.give_up(id, generation),
                Kind::ShiftStart => self.shift_start(id as usize),
                Kind::TeamHome => self.team_home(id as usize),
            }
        }
        if self.pending > 0 {
            self.tally.unresolved += self.pending;
            self.divert_all_pending();
        }
        for r in 0..self.waiting.len() {
            self.set_waiting(r, 0, horizon.min(self.now));
            self.flush_busy(r, horizon);
        }
        if let Some(trace) = self.trace.take() {
            *trace_out = trace;
        }
        self.tally
    }

    /// The next arrival in region `r` after time `t`, by exact inversion of
    /// the piecewise-constant (hourly) rate; `None` past the horizon.
    ///
    /// The region's cursor is left on the hour of the arrival returned, so
    /// `arrival` reads that call's hour of week and month from it.
    fn next_arrival(&mut self, r: usize, t: f64) -> Option<f64> {
        let horizon = self.m.scenario.run().horizon_min;
        let mut e: f64 = Exp1.sample(&mut self.rngs[r]);
        let mut t = t;
        while t < horizon {
            let cur = &self.cursors[r];
            let cap = cur.rate * (cur.hour_end - t);
            if e < cap {
                let at = t + e / cur.rate;
                return (at < horizon).then_some(at);
            }
            e -= cap;
            t = cur.hour_end;
            self.cursors[r].advance(self.m, r);
        }
        None
    }

    fn arrival(&mut self, r: usize) {
        let t = self.now;
        let m = self.m;
        let rng = &mut self.rngs[r];
        let zone = m.pick_zone(r, rng);
        let channel = m.pick_channel(rng);
        let ctype = m.pick_type(rng);
        let triage = m.triage(ctype, rng);
        let measured = t >= m.scenario.run().warmup_min;
        let cell = m.shape.cell(r, ctype, channel);
        let month = self.cursors[r].month;
        if measured {
            self.tally.month_zone(month, zone, MonthZone::CONTACTS);
        }
        match triage {
            crate::scenario::Triage::Phone => {
                self.count_simple(measured, cell, Outcome::Phone, month, zone, None)
            }
            crate::scenario::Triage::Police => {
                self.count_simple(
                    measured,
                    cell,
                    Outcome::Police,
                    month,
                    zone,
                    Some(MonthZone::POLICE),
                );
            }
            crate::scenario::Triage::Ems => {
                self.count_simple(measured, cell, Outcome::Ems, month, zone, None)
            }
            crate::scenario::Triage::Mobile => {
                let sc = &m.scenario;
                let ct = &sc.call_types()[ctype];
                let intake = sc.channels()[channel].intake.sample(rng);
                let on_scene = ct.on_scene.sample(rng);
                let transported = chance(rng, ct.transport_share);
                let transport = if transported {
                    ct.transport.sample(rng)
                } else {
                    0.0
                };
                let travel_draw = match &sc.regions()[r].travel {
                    Travel::Time(d) => d.sample(rng),
                    Travel::Routes { factor } => factor.sample(rng),
                };
                let backup = chance(rng, ct.backup_share);
                let petition = chance(rng, ct.petition_share);
                let hour = self.cursors[r].how;
                let call = Call {
                    arrival: t,
                    deadline: t + ct.max_response[r].minutes(),
                    decided_at: t,
                    region: r as u32,
                    zone: zone as u32,
                    ctype: ctype as u16,
                    channel: channel as u16,
                    on_scene,
                    transport,
                    travel_draw,
                    backup,
                    petition,
                    transported,
                    measured,
                    month: month as u32,
                    hour: hour as u16,
                    state: CallState::Intake,
                    queue_est_min: 0.0,
                    generation: 0,
                };
                if measured {
                    self.tally.month_zone(month, zone, MonthZone::MOBILE);
                    self.tally.hour(r, hour, HourCount::MOBILE);
                }
                let id = self.alloc_call(call);
                self.pending += 1;
                if intake > 0.0 {
                    self.events.push(
                        t + intake,
                        Event {
                            kind: Kind::Decision,
                            id,
                            generation: 0,
                        },
                    );
                } else {
                    self.decide(id);
                }
            }
        }
        if let Some(next) = self.next_arrival(r, t) {
            self.events.push(
                next,
                Event {
                    kind: Kind::Arrival,
                    id: r as u32,
                    generation: 0,
                },
            );
        }
    }

    fn count_simple(
        &mut self,
        measured: bool,
        cell: usize,
        o: Outcome,
        month: usize,
        zone: usize,
        mzc: Option<MonthZone>,
    ) {
        if measured {
            self.tally.outcome(cell, o);
            if let Some(c) = mzc {
                self.tally.month_zone(month, zone, c);
            }
        }
    }

    fn alloc_call(&mut self, mut call: Call) -> u32 {
        match self.free_calls.pop() {
            Some(id) => {
                call.generation = self.calls[id as usize].generation.wrapping_add(1);
                self.calls[id as usize] = call;
                id
            }
            None => {
                self.calls.push(call);
                (self.calls.len() - 1) as u32
            }
        }
    }

    fn release_call(&mut self, id: u32) {
        self.calls[id as usize].state = CallState::Free;
        self.free_calls.push(id);
        self.pending -= 1;
    }

    /// True travel minutes of a call from a zone.
    #[inline]
    fn travel_true(&self, from: u32, c: &Call) -> f64 {
        match &self.m.scenario.regions()[c.region as usize].travel {
            Travel::Time(_) => c.travel_draw,
            Travel::Routes { .. } => {
                self.m.scenario.route_mean_min(from as usize, c.zone as usize) * c.travel_draw
            }
        }
    }

    /// The dispatcher's estimate of travel minutes of a call from a zone.
    #[inline]
    fn travel_est(&self, from: u32, c: &Call) -> f64 {
        match self.m.scenario.dispatch().estimate {
            Knowledge::Exact => self.travel_true(from, c),
            Knowledge::Expected => {
                self.m
                    .expected_travel_min(from as usize, c.region as usize, c.zone as usize)
            }
        }
    }

    /// The dispatcher's estimate of a call's time from arrival on scene to free.
    #[inline]
    fn service_est(&self, c: &Call) -> f64 {
        match self.m.scenario.dispatch().estimate {
            Knowledge::Exact => c.on_scene + c.transport,
            Knowledge::Expected => self.m.expected_service_min[c.ctype as usize],
        }
    }

    /// Where a team is at time `t` when idle.
    #[inline]
    fn location(&self, tm: usize, t: f64) -> u32 {
        let team = &self.teams[tm];
        if t >= team.home_at {
            self.m.teams[tm].base as u32
        } else {
            team.loc
        }
    }

    /// The dispatcher's estimate of when a team is free of everything it
    /// has (current job and assigned calls), and where it will be then.
    fn estimated_free(&self, tm: usize, t: f64) -> (f64, u32) {
        let team = &self.teams[tm];
        if !team.busy {
            return (t, self.location(tm, t));
        }
        let free = match self.m.scenario.dispatch().estimate {
            Knowledge::Exact => team.free_at,
            Knowledge::Expected => t + self.expected_remaining_job(team, t),
        };
        (free + team.queue_est_min, self.queue_tail(tm))
    }

    /// Where a busy team will be once it has served its assigned calls.
    fn queue_tail(&self, tm: usize) -> u32 {
        let team = &self.teams[tm];
        team.queue
            .back()
            .map_or(team.loc, |&q| self.calls[q as usize].zone)
    }

    /// Tests: every team's kept estimate equals a walk of its queue.
    #[cfg(test)]
    fn check_queue_estimates(&self) {
        for (tm, team) in self.teams.iter().enumerate() {
            let (mut walked, mut loc) = (0.0, team.loc);
            for &q in &team.queue {
                let c = &self.calls[q as usize];
                walked += self.travel_est(loc, c) + self.service_est(c);
                loc = c.zone;
            }
            assert!(
                (team.queue_est_min - walked).abs() <= 1e-9 * walked.max(1.0),
                "team {tm}: kept {} but its {} calls walk to {walked}",
                team.queue_est_min,
                team.queue.len()
            );
            assert_eq!(loc, self.queue_tail(tm));
        }
    }

    /// Assigns call `id` to busy team `tm`, after the calls it already has.
    fn assign(&mut self, tm: usize, id: u32) {
        let c = self.calls[id as usize];
        let est = self.travel_est(self.queue_tail(tm), &c) + self.service_est(&c);
        let call = &mut self.calls[id as usize];
        call.state = CallState::Assigned;
        call.queue_est_min = est;
        let team = &mut self.teams[tm];
        team.queue.push_back(id);
        team.queue_est_min += est;
        self.add_waiting(c.region as usize, 1);
    }

    /// The next call assigned to team `tm`, taken off its queue.
    fn next_assigned(&mut self, tm: usize) -> Option<u32> {
        let team = &mut self.teams[tm];
        let id = team.queue.pop_front()?;
        // Back to exactly 0 when the queue empties, so rounding never builds up.
        team.queue_est_min = if team.queue.is_empty() {
            0.0
        } else {
            team.queue_est_min - self.calls[id as usize].queue_est_min
        };
        self.add_waiting(self.calls[id as usize].region as usize, -1);
        Some(id)
    }

    /// Expected remaining minutes of a team's current job given the time spent
    /// in its current phase (travel, on scene, transport).
    fn expected_remaining_job(&self, team: &Team, t: f64) -> f64 {
        let m = self.m;
        let ctype = team.job_ctype as usize;
        let ct = &m.scenario.call_types()[ctype];
        if t < team.travel_end {
            let elapsed = t - team.job_start;
            let travel_left = match &m.scenario.regions()[team.job_region as usize].travel {
                Travel::Time(d) => d.expected_remaining_min(elapsed),
                Travel::Routes { factor } => {
                    if team.job_route_mean > 0.0 {
                        team.job_route_mean * factor.expected_remaining_min(elapsed / team.job_route_mean)
                    } else {
                        0.0
                    }
                }
            };
            travel_left + m.expected_service_min[ctype]
        } else if t < team.scene_end {
            ct.on_scene.expected_remaining_min(t - team.travel_end)
                + ct.transport_share * ct.transport.mean_min()
        } else {
            ct.transport.expected_remaining_min(t - team.scene_end)
        }
    }

    /// Is the team on shift at `t`, and when does its duty end (shift end + overtime)?
    #[inline]
    fn duty_end(&self, tm: usize, t: f64) -> Option<f64> {
        let info = &self.m.teams[tm];
        if info.always_on {
            return Some(f64::INFINITY);
        }
        let g = &self.m.scenario.team_groups()[info.group];
        let w = self.cal.minute_of_week(t);
        g.schedule
            .on_shift(w)
            .then(|| g.schedule.shift_end(t, w) + g.overtime_min)
    }

    /// A mobile call's intake is over: decide.
    fn decide(&mut self, id: u32) {
        let t = self.now;
        self.calls[id as usize].decided_at = t;
        let c = self.calls[id as usize];
        let r = c.region as usize;
        // model.md: a call that arrives when no team (own or mutual aid) is
        // on shift is diverted, and counted apart.
        if !self.m.candidates[r]
            .iter()
            .any(|&tm| self.duty_end(tm as usize, c.arrival).is_some())
        {
            self.divert(id, true);
            return;
        }
        let policy = self.m.scenario.dispatch().policy;
        let idle_only =
            policy == Policy::Escalate || self.m.scenario.dispatch().candidates == Candidates::Idle;
        #[cfg(test)]
        self.check_queue_estimates();
        let (any_on_shift, best) = self.best_team(&c, t, idle_only);
        if !any_on_shift {
            // On shift when the call arrived, but the shift ended during
            // intake: diverted for lack of capacity, not "no team on shift".
            self.divert(id, false);
            return;
        }
        match best {
            Some((eta, tm, idle)) if Self::in_time(&c, eta) => {
                if idle {
                    let from = self.location(tm, t);
                    self.start_job(tm, id, from);
                } else {
                    self.assign(tm, id);
                }
            }
            _ if policy == Policy::Escalate => self.enqueue(id),
            _ => self.divert(id, false),
        }
    }

    /// The one feasibility rule, by the dispatcher's estimates: a team that
    /// arrives at call `c` at `eta` reaches it in time...
    fn in_time(c: &Call, eta: f64) -> bool {
        eta <= c.deadline + EPS
    }

    /// ...and finishes it before `duty_end` (shift end plus overtime).
    fn finishes_within(&self, c: &Call, eta: f64, duty_end: f64) -> bool {
        eta + self.service_est(c) <= duty_end
    }

    /// The part of `[a, b)` inside the measured window (after the warm-up,
    /// before the horizon), if any.
    fn measured(&self, a: f64, b: f64) -> Option<(f64, f64)> {
        let run = &self.m.scenario.run();
        let (a, b) = (a.max(run.warmup_min), b.min(run.horizon_min));
        (b > a).then_some((a, b))
    }

    /// The candidate with the earliest estimated arrival at call `c` among
    /// the teams on shift at `t` that could finish it within their duty
    /// (only idle ones when `idle_only`): (estimated arrival, team, idle).
    /// Also says whether any candidate is on shift at all.
    fn best_team(&self, c: &Call, t: f64, idle_only: bool) -> (bool, Option<(f64, usize, bool)>) {
        let mut any_on_shift = false;
        let mut best: Option<(f64, usize, bool)> = None;
        for &tm in &self.m.candidates[c.region as usize] {
            let tm = tm as usize;
            let Some(duty_end) = self.duty_end(tm, t) else {
                continue;
            };
            any_on_shift = true;
            let idle = !self.teams[tm].busy;
            if idle_only && !idle {
                continue;
            }
            let (free, loc) = self.estimated_free(tm, t);
            let eta = free + self.travel_est(loc, c);
            if !self.finishes_within(c, eta, duty_end) {
                continue;
            }
            if best.is_none_or(|(b, _, _)| eta < b) {
                best = Some((eta, tm, idle));
            }
        }
        (any_on_shift, best)
    }

    /// Escalate: queue the call, to be diverted once no team could reach it in time.
    fn enqueue(&mut self, id: u32) {
        let t = self.now;
        let c = self.calls[id as usize];
        let r = c.region as usize;
        // The call is given up when no team could reach it in time any
        // more: the latest moment any candidate could still set off.
        let mut give_up = f64::NEG_INFINITY;
        for &tm in &self.m.candidates[r] {
            give_up = give_up.max(self.latest_start(tm as usize, &c, t));
        }
        if give_up < t {
            self.divert(id, false);
            return;
        }
        self.calls[id as usize].state = CallState::Queued;
        let level = self.m.priority_level[c.ctype as usize];
        self.queues[r][level].push_back(id);
        self.add_waiting(r, 1);
        if give_up.is_finite() {
            self.events.push(
                give_up,
                Event {
                    kind: Kind::GiveUp,
                    id,
                    generation: c.generation,
                },
            );
        }
    }

    /// The latest time (by the dispatcher's estimates) at which team `tm`
    /// could set off for call `c` and still arrive by its deadline: from
    /// where it is (or will be when free) until it is back at base, from its
    /// base after that, and from its base once its next shift starts when it
    /// is off shift. Minus infinity when it cannot make it at all.
    fn latest_start(&self, tm: usize, c: &Call, t: f64) -> f64 {
        let m = self.m;
        let base = m.teams[tm].base as u32;
        let from_base = c.deadline - self.travel_est(base, c);
        if self.duty_end(tm, t).is_none() {
            let g = &m.scenario.team_groups()[m.teams[tm].group];
            let start = g.schedule.next_start(t, self.cal.minute_of_week(t));
            return if from_base >= start {
                from_base
            } else {
                f64::NEG_INFINITY
            };
        }
        let team = &self.teams[tm];
        let (avail, loc, home) = if team.busy {
            let (free, loc) = self.estimated_free(tm, t);
            let home = match m.scenario.dispatch().after_call {
                AfterCall::Stay => f64::INFINITY,
                AfterCall::ReturnToBase => free + m.return_min(loc as usize, m.teams[tm].base),
            };
            (free, loc, home)
        } else {
            (
                t,
                self.location(tm, t),
                if t >= team.home_at { t } else { team.home_at },
            )
        };
        let from_loc = c.deadline - self.travel_est(loc, c);
        let mut best = f64::NEG_INFINITY;
        if from_loc >= avail {
            // Setting off from `loc` is possible until the team is home.
            best = best.max(from_loc.min(home));
        }
        if from_base >= avail.max(home) {
            best = best.max(from_base);
        }
        best
    }

    /// A team back at its base (under `escalate`) looks at the queue again:
    /// from there it may reach calls it could not reach on the way.
    fn team_home(&mut self, tm: usize) {
        let team = &self.teams[tm];
        if !team.busy && team.home_at == self.now {
            self.take_from_queue(tm);
        }
    }

    fn give_up(&mut self, id: u32, generation: u32) {
        let c = self.calls[id as usize];
        if c.state != CallState::Queued || c.generation != generation {
            return;
        }
        let r = c.region as usize;
        let level = self.m.priority_level[c.ctype as usize];
        if let Some(pos) = self.queues[r][level].iter().position(|&q| q == id) {
            self.queues[r][level].remove(pos);
        }
        self.add_waiting(r, -1);
        // A team that became available at this very instant (back at base,
        // say) may still make it: the last chance before diverting.
        match self.best_team(&c, self.now, true).1 {
            Some((eta, tm, _)) if eta <= c.deadline + EPS => {
                let from = self.location(tm, self.now);
                self.start_job(tm, id, from);
            }
            _ => self.divert(id, false),
        }
    }

    /// Keeps the call's record when tracing: `times` are dispatch, arrival on
    /// scene, departure and free, or none when the call was diverted.
    fn record(&mut self, c: &Call, times: Option<[f64; 4]>) {
        if let Some(trace) = &mut self.trace {
            trace.push(CallRecord {
                region: c.region as usize,
                zone: c.zone as usize,
                call_type: c.ctype as usize,
                channel: c.channel as usize,
                request_min: c.arrival,
                decision_min: c.decided_at,
                dispatch_min: times.map(|x| x[0]),
                arrival_min: times.map(|x| x[1]),
                departure_min: times.map(|x| x[2]),
                free_min: times.map(|x| x[3]),
                diverted: times.is_none(),
            });
        }
    }

    fn divert(&mut self, id: u32, no_team: bool) {
        let c = self.calls[id as usize];
        self.record(&c, None);
        if c.measured {
            let cell = self
                .m
                .shape
                .cell(c.region as usize, c.ctype as usize, c.channel as usize);
            self.tally.outcome(cell, Outcome::Diverted);
            if no_team {
                self.tally.extra(cell, Extra::NO_TEAM);
            }
            self.tally
                .month_zone(c.month as usize, c.zone as usize, MonthZone::DIVERTED);
            self.tally
                .hour(c.region as usize, c.hour as usize, HourCount::DIVERTED);
        }
        self.release_call(id);
    }

    fn divert_all_pending(&mut self) {
        for id in 0..self.calls.len() as u32 {
            if self.calls[id as usize].state != CallState::Free {
                self.divert(id, false);
            }
        }
    }

    /// Team `tm` leaves zone `from` for call `id` now.
    fn start_job(&mut self, tm: usize, id: u32, from: u32) {
        let t = self.now;
        let c = self.calls[id as usize];
        let travel = self.travel_true(from, &c);
        let arrive = t + travel;
        let scene_end = arrive + c.on_scene;
        let free = scene_end + c.transport;
        let response = arrive - c.arrival;
        self.record(&c, Some([t, arrive, scene_end, free]));
        let r = c.region as usize;
        let own = self.m.teams[tm].region;
        if c.measured {
            let cell = self.m.shape.cell(r, c.ctype as usize, c.channel as usize);
            let in_time = response <= c.deadline - c.arrival + EPS;
            let o = if in_time { Outcome::InTime } else { Outcome::Late };
            self.tally.outcome(cell, o);
            self.tally.response(cell, response);
            let wait = t - c.decided_at;
            self.tally.wait(cell, wait);
            if wait > EPS {
                self.tally.extra(cell, Extra::WAITED);
            }
            self.tally.job_min_sum[own] += free - t;
            self.tally.jobs[own] += 1;
            self.tally.month_zone(
                c.month as usize,
                c.zone as usize,
                if in_time {
                    MonthZone::IN_TIME
                } else {
                    MonthZone::LATE
                },
            );
            if !in_time {
                self.tally.hour(r, c.hour as usize, HourCount::LATE);
            }
            if c.backup {
                self.tally.extra(cell, Extra::BACKUP);
            }
            if c.petition {
                self.tally.extra(cell, Extra::PETITION);
                self.tally
                    .month_zone(c.month as usize, c.zone as usize, MonthZone::PETITIONS);
            }
            if c.transported {
                self.tally.extra(cell, Extra::TRANSPORT);
            }
            if own != r {
                self.tally.extra(cell, Extra::MUTUAL_AID);
            }
        }
        // Busy time and overtime, clipped to the measured window.
        let duty_end = match self.duty_end(tm, t) {
            Some(d) => d - self.m.scenario.team_groups()[self.m.teams[tm].group].overtime_min,
            None => t,
        };
        self.change_busy(own, 1);
        if let Some((a, b)) = self.measured(t.max(duty_end), free) {
            self.tally.overtime_min[own] += b - a;
        }
        let route_mean = match &self.m.scenario.regions()[r].travel {
            Travel::Time(d) => d.mean_min(),
            Travel::Routes { .. } => self.m.scenario.route_mean_min(from as usize, c.zone as usize),
        };
        let team = &mut self.teams[tm];
        team.busy = true;
        team.job_start = t;
        team.travel_end = arrive;
        team.scene_end = scene_end;
        team.free_at = free;
        team.job_route_mean = route_mean;
        team.job_region = c.region;
        team.job_ctype = c.ctype;
        team.loc = c.zone;
        team.home_at = f64::INFINITY;
        self.events.push(
            free,
            Event {
                kind: Kind::TeamFree,
                id: tm as u32,
                generation: 0,
            },
        );
        self.release_call(id);
    }

    fn team_free(&mut self, tm: usize) {
        let t = self.now;
        let m = self.m;
        self.change_busy(m.teams[tm].region, -1);
        {
            let team = &mut self.teams[tm];
            team.busy = false;
            team.home_at = match m.scenario.dispatch().after_call {
                AfterCall::Stay => f64::INFINITY,
                AfterCall::ReturnToBase => t + m.return_min(team.loc as usize, m.teams[tm].base),
            };
        }
        if let Some(next) = self.next_assigned(tm) {
            let from = self.teams[tm].loc;
            self.start_job(tm, next, from);
            return;
        }
        if m.scenario.dispatch().policy == Policy::Escalate {
            let home_at = self.teams[tm].home_at;
            if home_at.is_finite() && home_at > t {
                self.events.push(
                    home_at,
                    Event {
                        kind: Kind::TeamHome,
                        id: tm as u32,
                        generation: 0,
                    },
                );
            }
            self.take_from_queue(tm);
        }
    }

    fn shift_start(&mut self, g: usize) {
        let t = self.now;
        let group = &self.m.scenario.team_groups()[g];
        let next = group.schedule.next_start(t, self.cal.minute_of_week(t));
        let horizon = self.m.scenario.run().horizon_min;
        if next.is_finite() && (next <= horizon || self.pending > 0) {
            self.events.push(
                next,
                Event {
                    kind: Kind::ShiftStart,
                    id: g as u32,
                    generation: 0,
                },
            );
        }
        for tm in self.m.group_teams[g].clone() {
            if !self.teams[tm].busy {
                self.take_from_queue(tm);
            }
        }
    }

    /// Escalate: an idle team on shift takes the most urgent, longest-waiting
    /// queued call it can still reach in time and finish within its duty.
    fn take_from_queue(&mut self, tm: usize) {
        let t = self.now;
        let Some(duty_end) = self.duty_end(tm, t) else {
            return;
        };
        let from = self.location(tm, t);
        // Best: (priority level, queued at, region, position in queue).
        let mut best: Option<(usize, f64, usize, usize)> = None;
        for &r in &self.m.served[tm] {
            let r = r as usize;
            for (level, q) in self.queues[r].iter().enumerate() {
                if best.is_some_and(|b| b.0 < level) {
                    break;
                }
                for (pos, &id) in q.iter().enumerate() {
                    let c = &self.calls[id as usize];
                    let eta = t + self.travel_est(from, c);
                    if Self::in_time(c, eta) && self.finishes_within(c, eta, duty_end) {
                        if best.is_none_or(|b| (level, c.decided_at) < (b.0, b.1)) {
                            best = Some((level, c.decided_at, r, pos));
                        }
                        break;
                    }
                }
            }
        }
        if let Some((level, _, r, pos)) = best {
            let id = self.queues[r][level]
                .remove(pos)
                .expect("position is in the queue");
            self.add_waiting(r, -1);
            self.start_job(tm, id, from);
        }
    }

    /// Changes the number of the region's teams that are busy, integrating
    /// the time spent at each level over the measured window.
    fn change_busy(&mut self, r: usize, delta: i32) {
        self.flush_busy(r, self.now);
        self.busy_count[r] = self.busy_count[r]
            .checked_add_signed(delta)
            .expect("busy count stays >= 0");
    }

    /// Integrates the time since the last change at the current busy level:
    /// the busy-level distribution, busy team-minutes, and busy team-minutes
    /// by hour of week, all clipped to the measured window.
    fn flush_busy(&mut self, r: usize, t: f64) {
        let since = std::mem::replace(&mut self.busy_since[r], t);
        let Some((a, b)) = self.measured(since, t) else {
            return;
        };
        let k = self.busy_count[r];
        self.tally.busy_level_min[r * (MAX_BUSY_LEVEL + 1) + (k as usize).min(MAX_BUSY_LEVEL)] += b - a;
        if k == 0 {
            return;
        }
        let k = f64::from(k);
        self.tally.busy_min[r] += k * (b - a);
        let row = &mut self.tally.busy_by_hour_min[r * HOURS_PER_WEEK..(r + 1) * HOURS_PER_WEEK];
        let mut h = self.cal.hour_of_week(a);
        let mut x = a;
        while x < b {
            let end = next_hour(x).min(b);
            row[h] += k * (end - x);
            h = if h + 1 == HOURS_PER_WEEK { 0 } else { h + 1 };
            x = end;
        }
    }

    /// Changes the number of waiting calls in a region, integrating the
    /// queue length over the measured window.
    fn add_waiting(&mut self, r: usize, delta: i32) {
        let n = self.waiting[r]
            .checked_add_signed(delta)
            .expect("waiting count stays >= 0");
        self.set_waiting(r, n, self.now);
    }

    fn set_waiting(&mut self, r: usize, n: u32, t: f64) {
        if let Some((a, b)) = self.measured(self.waiting_since[r], t) {
            self.tally.queue_integral[r] += f64::from(self.waiting[r]) * (b - a);
        }
        self.waiting[r] = n;
        self.waiting_since[r] = t;
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Model;
    use crate::scenario::Scenario;

    /// Overload under `predict` with busy candidates and no maximum: teams'
    /// queues grow to hundreds of calls, and at every decision the estimate
    /// kept per team equals a walk of its queue (checked in `decide`), for
    /// both kinds of knowledge and both travel models.
    #[test]
    fn kept_queue_estimates_match_a_walk_under_overload() {
        for estimate in ["exact", "expected"] {
            for travel in [
                r#"travel = { time = { dist = "lognormal", mean = 25, sd = 12 } }
teams.t = { count = 3, shift = "24/7" }"#,
                r#"zones = { A = 1, B = 1 }
travel = { factor = { dist = "exponential", mean = 1 }, matrix = { A = { A = 5, B = 20 }, B = { A = 20, B = 5 } } }
teams.t = { count = 3, shift = "24/7", base = "B" }"#,
            ] {
                let text = format!(
                    "name = \"overload\"\n[run]\nhorizon_days = 0.25\nreplications = 1\nseed = 3\n\
                     [dispatch]\npolicy = \"predict\"\ncandidates = \"any\"\nestimate = \"{estimate}\"\n\
                     [call_types.crisis]\nmax_response_min = \"none\"\ntriage = {{ mobile = 1.0 }}\n\
                     on_scene = {{ dist = \"exponential\", mean = 60 }}\n\
                     [regions.R]\npopulation = 1000\ncalls_per_hour = 200\n{travel}\n"
                );
                let sc = Scenario::from_toml(&text, "overload.toml").unwrap_or_else(|e| panic!("{e}"));
                let tally = super::Engine::new(&Model::new(sc), 0).run();
                assert!(
                    tally.contacts_generated() > 500,
                    "{estimate}: too few calls to load the queues"
                );
            }
        }
    }
}

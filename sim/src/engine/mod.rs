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

use crate::calendar::{Calendar, DAY_MIN, HOURS_PER_WEEK};
use crate::events::EventQueue;
use crate::model::Model;
use crate::scenario::{AfterCall, Candidates, Knowledge, Policy, Travel, Triage};
use crate::schedule::Schedule;
use crate::tally::{Extra, HourCount, MAX_BUSY_LEVEL, MonthZone, Outcome, Reached, Tally};
use crate::trace::CallRecord;

// The flow of a call: `arrival` (intake, triage), `dispatch` (the
// decision: dispatched, assigned, queued or diverted), `job` (travel,
// scene, transport, free), `counts` (what it adds to the tally).
mod arrival;
mod counts;
mod desk;
mod dispatch;
mod followup;
mod job;

use arrival::RateCursor;
use counts::{Busy, HourCursor};
use desk::{Desk, DeskPart};
use followup::FollowUpState;

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
    /// A contact reaches its contact centre's queue (after a hand-off, or
    /// calling back).
    ReachDesk,
    /// A counsellor finishes assessing a contact.
    TalkEnd,
    /// A waiting caller's patience or the rollover time is up.
    DeskTimer,
    /// A counsellor group's shift starts.
    DeskShift,
    /// A follow-up visit's daytime window opens.
    FollowUpDue,
    /// It closes.
    FollowUpWindowEnd,
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
    /// Waiting for a counsellor.
    AtDesk,
    /// With a counsellor.
    Talking,
}

/// A contact being handled: a mobile-eligible call between its arrival and
/// its dispatch or diversion, or any contact at a contact centre until its
/// assessment ends.
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
    /// How the response ends early (`Ending as u8`), 0 for a full assessment.
    ending: u8,
    /// Minutes the transported person stays in a bed or chair at the
    /// destination (drawn only with `transport.stay`).
    stay: f64,
    /// Followed up after the response (drawn only with `follow_up`).
    follow_up: bool,
    measured: bool,
    month: u32,
    hour: u16,
    state: CallState,
    /// Assigned to a busy team: its share of the team's `queue_est_min`.
    queue_est_min: f64,
    /// Bumped each time the slot is reused, so stale events can be told apart.
    generation: u32,
}

impl Call {
    /// A slot never used yet.
    const FREE: Call = Call {
        arrival: 0.0,
        deadline: 0.0,
        decided_at: 0.0,
        region: 0,
        zone: 0,
        ctype: 0,
        channel: 0,
        on_scene: 0.0,
        transport: 0.0,
        travel_draw: 0.0,
        backup: false,
        petition: false,
        transported: false,
        ending: 0,
        stay: 0.0,
        follow_up: false,
        measured: false,
        month: 0,
        hour: 0,
        state: CallState::Free,
        queue_est_min: 0.0,
        generation: 0,
    };

    /// Its tally cell (region, call type, channel).
    #[inline]
    fn cell(&self, shape: &crate::tally::Shape) -> usize {
        shape.cell(self.region as usize, self.ctype as usize, self.channel as usize)
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
    /// The `travel.by_hour` factor of its current trip (1 without).
    /// Its current job is a follow-up visit (its end is known).
    job_follow_up: bool,
    job_hour_factor: f64,
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
    /// The contact-centre part of each call slot (empty without a centre):
    /// kept apart so a call without one is half the size to copy.
    desk_parts: Vec<DeskPart>,
    free_calls: Vec<u32>,
    teams: Vec<Team>,
    /// Per region, a bit set over `Model::candidates[region]`: bit `i` is
    /// set while candidate `i` is idle, so a decision finds the first idle
    /// candidate without a scan of every team (issue 18).
    idle: Vec<Vec<u64>>,
    /// Escalate: waiting calls per region, one queue per priority level.
    queues: Vec<Vec<VecDeque<u32>>>,
    /// Each region's busy teams (one record, one lookup: issue 18).
    busy: Vec<Busy>,
    /// The measured window, minutes: after the warm-up, before the horizon
    /// (the scenario's `run`, read once).
    warmup_min: f64,
    horizon_min: f64,
    /// Calls waiting (queued or assigned, not yet dispatched) per region.
    waiting: Vec<u32>,
    waiting_since: Vec<f64>,
    rngs: Vec<ChaCha8Rng>,
    /// Where each region's arrival generator is in the calendar.
    cursors: Vec<RateCursor>,
    /// Mobile calls not yet dispatched or diverted, and contacts at a
    /// contact centre not yet assessed.
    pending: u64,
    /// Contact centres: counsellors busy and callers waiting.
    desks: Vec<Desk>,
    /// Follow-ups in progress (a slab: `free_follow_ups` lists free slots).
    follow_ups: Vec<FollowUpState>,
    free_follow_ups: Vec<u32>,
    /// Visits due and waiting for a team, per region, first come first.
    follow_up_queue: Vec<VecDeque<u32>>,
    /// Per destination with a capacity, when each bed or chair is free
    /// again (reserved when a transporting team sets off).
    beds: Vec<Vec<f64>>,
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
                job_hour_factor: 1.0,
                job_follow_up: false,
                job_region: 0,
                job_ctype: 0,
                queue: VecDeque::with_capacity(8),
                queue_est_min: 0.0,
            })
            .collect();
        let levels = m.priority_levels;
        let idle = m
            .candidates
            .iter()
            .map(|c| {
                let mut bits = vec![0u64; c.len().div_ceil(64)];
                for i in 0..c.len() {
                    bits[i / 64] |= 1 << (i % 64);
                }
                bits
            })
            .collect();
        Engine {
            m,
            cal: &m.calendar,
            now: 0.0,
            // A slot for each region's next arrival (issue 18).
            events: EventQueue::with_slots(sc.regions().len(), 1024),
            calls: Vec::with_capacity(256),
            desk_parts: Vec::new(),
            free_calls: Vec::with_capacity(256),
            teams,
            idle,
            queues: vec![vec![VecDeque::with_capacity(16); levels]; sc.regions().len()],
            waiting: vec![0; sc.regions().len()],
            busy: vec![Busy::NEW; sc.regions().len()],
            warmup_min: sc.run().warmup_min,
            horizon_min: sc.run().horizon_min,
            waiting_since: vec![0.0; sc.regions().len()],
            rngs,
            cursors: (0..sc.regions().len()).map(|r| RateCursor::new(m, r)).collect(),
            pending: 0,
            desks: sc.centres().iter().map(|c| Desk::new(m, c)).collect(),
            follow_ups: Vec::new(),
            free_follow_ups: Vec::new(),
            follow_up_queue: vec![VecDeque::new(); sc.regions().len()],
            beds: sc
                .destinations()
                .iter()
                .map(|d| vec![0.0; d.capacity.unwrap_or(0) as usize])
                .collect(),
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
        let horizon = self.horizon_min;
        for r in 0..self.m.scenario.regions().len() {
            if let Some(t) = self.next_arrival(r, 0.0) {
                // Slot r: one arrival of a region at a time (issue 18).
                self.events.set_slot(
                    r,
                    t,
                    Event {
                        kind: Kind::Arrival,
                        id: r as u32,
                        generation: 0,
                    },
                );
            }
        }
        // Shift starts matter to the escalate queue and to follow-up visits.
        let follow_ups = self.m.scenario.call_types().iter().any(|c| c.follow_up.is_some());
        if self.m.scenario.dispatch().policy == Policy::Escalate || follow_ups {
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
        self.start_desk_shifts();
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
                Kind::FollowUpDue => self.follow_up_due(id, generation),
                Kind::FollowUpWindowEnd => self.follow_up_window_end(id, generation),
                Kind::GiveUp => self.give_up(id, generation),
                Kind::ShiftStart => self.shift_start(id as usize),
                Kind::TeamHome => self.team_home(id as usize),
                Kind::ReachDesk => self.reach_desk(id),
                Kind::TalkEnd => self.talk_end(id),
                Kind::DeskTimer => self.desk_timer(id, generation),
                Kind::DeskShift => self.desk_shift(id as usize),
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
        for c in 0..self.desks.len() {
            self.flush_desk(c, horizon);
        }
        if let Some(trace) = self.trace.take() {
            *trace_out = trace;
        }
        self.tally
    }

    #[inline(always)]
    fn release_call(&mut self, id: u32) {
        self.calls[id as usize].state = CallState::Free;
        self.free_calls.push(id);
        self.pending -= 1;
    }

    /// The part of `[a, b)` inside the measured window (after the warm-up,
    /// before the horizon), if any.
    #[inline]
    fn measured(&self, a: f64, b: f64) -> Option<(f64, f64)> {
        let a = if a > self.warmup_min { a } else { self.warmup_min };
        let b = if b < self.horizon_min { b } else { self.horizon_min };
        (b > a).then_some((a, b))
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

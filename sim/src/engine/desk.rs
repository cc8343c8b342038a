//! The 9-8-8 contact centre in front of the teams: a contact waits for a
//! counsellor (hanging up when its patience runs out, perhaps calling back,
//! or rolling over when unanswered too long), is assessed for its talk time,
//! and only then is settled by triage or goes to dispatch. The maximum
//! response time still counts from first notification.

use super::*;
use crate::calendar::WEEK_MIN;
use crate::scenario::{AnswerOrder, Centre, RolloverTo};

/// A contact's contact-centre part, drawn when the contact is created.
#[derive(Debug, Clone, Copy)]
pub(super) struct DeskPart {
    /// The centre whose queue it is in (or was last).
    centre: u16,
    /// What the assessment will decide.
    pub(super) triage: Triage,
    /// Talk (assessment) minutes.
    talk: f64,
    /// When the caller hangs up if still unanswered (infinite: never).
    hang_up_at: f64,
    /// Patience minutes of this attempt (set to the callback's on calling back).
    patience: f64,
    /// Minutes after hanging up before the one callback (infinite: none).
    callback_delay: f64,
    /// Patience of the callback attempt, minutes.
    patience_again: f64,
    /// When the current attempt reached the queue.
    queued_at: f64,
    /// When it rolls over if still unanswered (infinite: never).
    rollover_at: f64,
    /// Still the first attempt at the first centre (its time in queue is
    /// recorded once, when it ends).
    first: bool,
    /// Passed on to another centre by rollover: its wait goes on, counted
    /// from when it first reached a queue.
    rolled: bool,
}

impl DeskPart {
    /// No contact centre.
    pub(super) const NONE: DeskPart = DeskPart {
        centre: 0,
        triage: Triage::Phone,
        talk: 0.0,
        hang_up_at: f64::INFINITY,
        patience: f64::INFINITY,
        callback_delay: f64::INFINITY,
        patience_again: f64::INFINITY,
        queued_at: 0.0,
        rollover_at: f64::INFINITY,
        first: true,
        rolled: false,
    };

    /// Draws a contact's talk time, patience and callback at centre `c`.
    pub(super) fn draw<R: Rng + ?Sized>(
        centre: &Centre,
        c: usize,
        ctype: usize,
        triage: Triage,
        rng: &mut R,
    ) -> Self {
        let talk = centre.talk[ctype].sample(rng);
        let patience = centre.patience.as_ref().map_or(f64::INFINITY, |p| p.sample(rng));
        let (callback_delay, patience_again) = match &centre.callback {
            Some((share, delay)) if chance(rng, *share) => (
                delay.sample(rng),
                centre.patience.as_ref().map_or(f64::INFINITY, |p| p.sample(rng)),
            ),
            _ => (f64::INFINITY, f64::INFINITY),
        };
        DeskPart {
            centre: c as u16,
            triage,
            talk,
            patience,
            callback_delay,
            patience_again,
            ..DeskPart::NONE
        }
    }
}

/// Counsellors on shift over a stretch `[from, until)` of minutes of the
/// week, and the times of the run inside it (`[safe_from, safe_until)`,
/// minutes, [`SAFE_MARGIN_MIN`] in from its ends, so a time found there is
/// in the stretch whatever the rounding of the week's arithmetic).
#[derive(Debug, Clone, Copy)]
struct OnShift {
    from: f64,
    until: f64,
    safe_from: f64,
    safe_until: f64,
    count: u32,
}

/// How far inside the ends of a stretch of the week a time of the run must
/// be for [`OnShift`] to answer without the minute of the week, minutes
/// (6 ms): far above the rounding of times of a run of centuries (about
/// 1e-8 minutes); a time closer to a shift's edge takes the exact path.
const SAFE_MARGIN_MIN: f64 = 1e-4;

/// A contact centre's state: counsellors busy, callers waiting.
#[derive(Debug, Clone)]
pub(super) struct Desk {
    busy: u32,
    /// Counsellors on shift, for the stretch of the week it holds for.
    on_shift: OnShift,
    busy_since: f64,
    /// The hour the busy time was last added to.
    hours: HourCursor,
    /// Waiting contacts by level: the priority line first, then (under
    /// `priority` order) by call-type priority; first come within a level.
    queues: Vec<VecDeque<u32>>,
}

impl Desk {
    pub(super) fn new(m: &Model, centre: &Centre) -> Desk {
        let per_line = match centre.order {
            AnswerOrder::FirstCome => 1,
            AnswerOrder::Priority => m.priority_levels,
        };
        Desk {
            busy: 0,
            on_shift: OnShift {
                from: 0.0,
                until: 0.0,
                safe_from: 0.0,
                safe_until: 0.0,
                count: 0,
            },
            busy_since: 0.0,
            hours: HourCursor::NEW,
            queues: vec![VecDeque::with_capacity(16); 2 * per_line],
        }
    }
}

impl Engine<'_> {
    /// Schedules every counsellor group's first shift start.
    pub(super) fn start_desk_shifts(&mut self) {
        let m = self.m;
        for (id, &(c, g)) in m.desk_groups.iter().enumerate() {
            let schedule = &m.scenario.centres()[c].counsellors[g].schedule;
            let t = schedule.next_start(0.0, self.cal.minute_of_week(0.0));
            if t.is_finite() {
                self.events.push(
                    t,
                    Event {
                        kind: Kind::DeskShift,
                        id: id as u32,
                        generation: 0,
                    },
                );
            }
        }
    }

    /// Counsellors of centre `c` on shift at the current time.
    ///
    /// The count depends only on the minute of the week and changes only
    /// at the groups' interval ends, so it is kept with the stretch of the
    /// week between two of them that it holds for (issue 18: the scan of
    /// every group's intervals was a tenth of the default's run).
    fn counsellors_on_shift(&mut self, c: usize) -> u32 {
        let t = self.now;
        let cached = &self.desks[c].on_shift;
        // Well inside the stretch: no minute of the week (a division) needed.
        if cached.safe_from <= t && t < cached.safe_until {
            return cached.count;
        }
        let w = self.cal.minute_of_week(t);
        if !(cached.from <= w && w < cached.until) {
            let groups = &self.m.scenario.centres()[c].counsellors;
            let (mut from, mut until) = (0.0, WEEK_MIN);
            for &(a, b) in groups.iter().flat_map(|g| g.schedule.intervals()) {
                for edge in [a, b] {
                    if edge <= w {
                        from = f64::max(from, edge);
                    } else {
                        until = f64::min(until, edge);
                    }
                }
            }
            let count = groups
                .iter()
                .filter(|g| g.schedule.on_shift(w))
                .map(|g| g.count)
                .sum();
            self.desks[c].on_shift = OnShift {
                from,
                until,
                safe_from: 0.0,
                safe_until: 0.0,
                count,
            };
        }
        // The stretch holding `w` (found again a week on, or new): the
        // window of run times well inside it moves to this week.
        let on = &mut self.desks[c].on_shift;
        on.safe_from = t - (w - on.from) + SAFE_MARGIN_MIN;
        on.safe_until = t + (on.until - w) - SAFE_MARGIN_MIN;
        on.count
    }

    fn has_free_counsellor(&mut self, c: usize) -> bool {
        self.desks[c].busy < self.counsellors_on_shift(c)
    }

    /// The queue level of a contact at centre `c`.
    fn desk_level(&self, c: usize, call: &Call) -> usize {
        let per_line = self.desks[c].queues.len() / 2;
        let line = usize::from(!self.m.scenario.channels()[call.channel as usize].priority_line);
        let level = if per_line > 1 {
            self.m.priority_level[call.ctype as usize]
        } else {
            0
        };
        line * per_line + level
    }

    /// A contact reaches its centre's queue: answered at once by a free
    /// counsellor, or it waits (with a timer for hanging up or rolling over).
    pub(super) fn reach_desk(&mut self, id: u32) {
        let t = self.now;
        let call = &mut self.calls[id as usize];
        let d = &mut self.desk_parts[id as usize];
        let c = d.centre as usize;
        if !d.rolled {
            d.queued_at = t;
        }
        if d.first {
            d.hang_up_at = t + d.patience;
            if let Some(r) = self.m.scenario.centres()[c].rollover {
                d.rollover_at = t + r.after_min;
            }
            if call.measured {
                let cell = call.cell(&self.m.shape);
                self.tally.extra(cell, Extra::OFFERED);
            }
        } else {
            d.hang_up_at = d.hang_up_at.min(t + d.patience);
        }
        call.state = CallState::AtDesk;
        if self.has_free_counsellor(c) {
            self.answer(id);
            return;
        }
        let call = self.calls[id as usize];
        let level = self.desk_level(c, &call);
        self.desks[c].queues[level].push_back(id);
        let d = &self.desk_parts[id as usize];
        let at = d.hang_up_at.min(d.rollover_at);
        if at.is_finite() {
            self.events.push(
                at,
                Event {
                    kind: Kind::DeskTimer,
                    id,
                    generation: call.generation,
                },
            );
        }
    }

    /// Records the end of a first attempt's time in queue.
    fn end_first_wait(&mut self, id: u32) {
        let call = &self.calls[id as usize];
        let d = &mut self.desk_parts[id as usize];
        if d.first {
            d.first = false;
            if call.measured {
                let cell = call.cell(&self.m.shape);
                self.tally.desk_time(cell, self.now - d.queued_at);
            }
        }
    }

    /// A counsellor answers the contact.
    fn answer(&mut self, id: u32) {
        let t = self.now;
        let c = self.desk_parts[id as usize].centre as usize;
        self.change_desk_busy(c, 1);
        self.end_first_wait(id);
        let call = &mut self.calls[id as usize];
        call.state = CallState::Talking;
        let call = *call;
        let d = &self.desk_parts[id as usize];
        if call.measured {
            let cell = call.cell(&self.m.shape);
            self.tally
                .answered(cell, t - d.queued_at, d.triage == Triage::Mobile);
        }
        self.events.push(
            t + d.talk,
            Event {
                kind: Kind::TalkEnd,
                id,
                generation: call.generation,
            },
        );
    }

    /// The assessment is over: the counsellor takes the next waiting
    /// contact, and this one is settled by triage or goes to dispatch.
    pub(super) fn talk_end(&mut self, id: u32) {
        let call = self.calls[id as usize];
        let d = self.desk_parts[id as usize];
        let c = d.centre as usize;
        self.change_desk_busy(c, -1);
        self.answer_waiting(c);
        match d.triage {
            Triage::Mobile => {
                self.calls[id as usize].state = CallState::Intake;
                self.decide(id);
            }
            triage => {
                let (o, mzc) = Self::triage_outcome(triage);
                let cell = call.cell(&self.m.shape);
                self.count_simple(
                    call.measured,
                    cell,
                    o,
                    call.month as usize,
                    call.zone as usize,
                    mzc,
                );
                self.release_call(id);
            }
        }
    }

    /// Free counsellors of centre `c` answer waiting contacts, most urgent
    /// level first, first come within it.
    fn answer_waiting(&mut self, c: usize) {
        // Nobody's shift changes within this instant: count them once.
        let on_shift = self.counsellors_on_shift(c);
        while self.desks[c].busy < on_shift {
            let Some(id) = self.desks[c].queues.iter_mut().find_map(VecDeque::pop_front) else {
                return;
            };
            self.answer(id);
        }
    }

    /// A waiting caller's patience or the rollover time is up.
    pub(super) fn desk_timer(&mut self, id: u32, generation: u32) {
        let call = self.calls[id as usize];
        if call.state != CallState::AtDesk || call.generation != generation {
            return;
        }
        let t = self.now;
        // Only the timer of the current wait acts (a caller who called back
        // or rolled over has a later one).
        let d = self.desk_parts[id as usize];
        let at = d.hang_up_at.min(d.rollover_at);
        if (t - at).abs() > EPS {
            return;
        }
        let c = d.centre as usize;
        let level = self.desk_level(c, &call);
        if let Some(pos) = self.desks[c].queues[level].iter().position(|&q| q == id) {
            self.desks[c].queues[level].remove(pos);
        }
        self.end_first_wait(id);
        if d.hang_up_at <= d.rollover_at {
            self.hang_up(id);
        } else {
            self.roll_over(id);
        }
    }

    fn hang_up(&mut self, id: u32) {
        let d = self.desk_parts[id as usize];
        if d.callback_delay.is_finite() {
            let part = &mut self.desk_parts[id as usize];
            part.callback_delay = f64::INFINITY;
            part.patience = d.patience_again;
            part.rollover_at = f64::INFINITY;
            part.hang_up_at = f64::INFINITY;
            let call = &mut self.calls[id as usize];
            call.state = CallState::AtDesk;
            let generation = call.generation;
            self.events.push(
                self.now + d.callback_delay,
                Event {
                    kind: Kind::ReachDesk,
                    id,
                    generation,
                },
            );
            return;
        }
        self.lost_at_desk(id, Outcome::Abandoned);
    }

    fn roll_over(&mut self, id: u32) {
        let c = self.desk_parts[id as usize].centre as usize;
        let rollover = self.m.scenario.centres()[c]
            .rollover
            .expect("a rollover time implies a rollover");
        self.desk_parts[id as usize].rollover_at = f64::INFINITY;
        match rollover.to {
            RolloverTo::National => self.lost_at_desk(id, Outcome::RolledOver),
            RolloverTo::Centre(b) => {
                let d = &mut self.desk_parts[id as usize];
                d.centre = b as u16;
                d.rolled = true;
                self.reach_desk(id);
            }
        }
    }

    /// The contact ends at the phones (hung up, or answered out of state).
    pub(super) fn lost_at_desk(&mut self, id: u32, o: Outcome) {
        let call = self.calls[id as usize];
        if call.measured {
            let cell = call.cell(&self.m.shape);
            self.tally.outcome(cell, o);
            if self.desk_parts[id as usize].triage == Triage::Mobile {
                self.tally.extra(cell, Extra::MOBILE_LOST_AT_DESK);
            }
        }
        self.release_call(id);
    }

    /// A counsellor group's shift starts: schedule the next, answer waiting contacts.
    pub(super) fn desk_shift(&mut self, id: usize) {
        let m = self.m;
        let (c, g) = m.desk_groups[id];
        self.next_shift_start(
            &m.scenario.centres()[c].counsellors[g].schedule,
            Kind::DeskShift,
            id as u32,
        );
        self.answer_waiting(c);
    }

    fn change_desk_busy(&mut self, c: usize, delta: i32) {
        self.flush_desk(c, self.now);
        self.desks[c].busy = self.desks[c]
            .busy
            .checked_add_signed(delta)
            .expect("busy counsellors stay >= 0");
    }

    /// Adds the busy counsellor-minutes since the last change, by hour of
    /// week, over the measured window.
    pub(super) fn flush_desk(&mut self, c: usize, t: f64) {
        let since = std::mem::replace(&mut self.desks[c].busy_since, t);
        let busy = self.desks[c].busy;
        if busy == 0 {
            return;
        }
        if let Some((a, b)) = self.measured(since, t) {
            let row = &mut self.tally.desk_busy_by_hour_min[c * HOURS_PER_WEEK..(c + 1) * HOURS_PER_WEEK];
            self.desks[c].hours.spread(self.cal, row, a, b, f64::from(busy));
        }
    }
}

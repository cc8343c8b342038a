//! Follow-up visits (issue 15): after a mobile response of a call type with
//! `follow_up`, its visits fall due one by one in the daytime window of
//! their day; the region's idle teams on shift make them, after any crisis
//! call; a visit not made in its window is late and waits for the next
//! day's, until the follow-up's latest day, when it is dropped.

use super::job::Job;
use super::*;
use crate::scenario::FollowUp;

/// One follow-up in progress: the next visit of a response's follow-up.
#[derive(Debug, Clone, Copy)]
pub(super) struct FollowUpState {
    region: u32,
    zone: u32,
    ctype: u16,
    /// Visits still to make, this one included.
    visits_left: u32,
    /// The day (from the run's start) the visit is due.
    due_day: u32,
    /// Every visit must start by then, minutes.
    latest: f64,
    /// In its region's queue, waiting for a team.
    queued: bool,
    /// Missed its due day's window.
    late: bool,
    /// Counted in the statistics (its response was measured).
    measured: bool,
    /// Bumped each time the slot is reused.
    generation: u32,
}

impl<'m> Engine<'m> {
    /// A response to call `c` ends at `free`: start its follow-up, if it has one.
    pub(super) fn begin_follow_up(&mut self, c: &Call, free: f64) {
        if !c.follow_up {
            return;
        }
        let fu = self.follow_up_of(c.ctype);
        let state = FollowUpState {
            region: c.region,
            zone: c.zone,
            ctype: c.ctype,
            visits_left: fu.visits,
            due_day: (free / DAY_MIN) as u32 + fu.every_days,
            latest: free + f64::from(fu.within_days) * DAY_MIN,
            queued: false,
            late: false,
            measured: c.measured,
            generation: 0,
        };
        let id = match self.free_follow_ups.pop() {
            Some(id) => {
                let generation = self.follow_ups[id as usize].generation + 1;
                self.follow_ups[id as usize] = FollowUpState { generation, ..state };
                id
            }
            None => {
                self.follow_ups.push(state);
                (self.follow_ups.len() - 1) as u32
            }
        };
        self.schedule_visit(id);
    }

    /// Schedules follow-up `id`'s visit at the start of its due day's
    /// window, or drops it past its latest day (nothing past the horizon).
    fn schedule_visit(&mut self, id: u32) {
        let f = self.follow_ups[id as usize];
        let window = self.window(&f);
        let due = f64::from(f.due_day) * DAY_MIN + window.0;
        if due > f.latest {
            if f.measured {
                self.tally.follow_ups_dropped[f.region as usize] += u64::from(f.visits_left);
            }
            self.free_follow_ups.push(id);
        } else if due > self.horizon_min {
            self.free_follow_ups.push(id);
        } else {
            self.events.push(
                due,
                Event {
                    kind: Kind::FollowUpDue,
                    id,
                    generation: f.generation,
                },
            );
        }
    }

    /// The `follow_up` of call type `ctype` (one that has follow-ups).
    fn follow_up_of(&self, ctype: u16) -> &'m FollowUp {
        let m: &'m Model = self.m;
        m.scenario.call_types()[ctype as usize]
            .follow_up
            .as_ref()
            .expect("a follow-up's call type has follow_up")
    }

    fn window(&self, f: &FollowUpState) -> (f64, f64) {
        self.follow_up_of(f.ctype).window_min
    }

    /// A visit's window opens: queue it, and close the window later.
    pub(super) fn follow_up_due(&mut self, id: u32, generation: u32) {
        let f = self.follow_ups[id as usize];
        if f.generation != generation {
            return;
        }
        if !f.queued {
            self.follow_ups[id as usize].queued = true;
            self.follow_up_queue[f.region as usize].push_back(id);
        }
        let end = f64::from(f.due_day) * DAY_MIN + self.window(&f).1;
        self.events.push(
            end,
            Event {
                kind: Kind::FollowUpWindowEnd,
                id,
                generation,
            },
        );
        self.try_follow_ups(f.region as usize);
    }

    /// A visit's window closes: if no team came it is late, due again the
    /// next day (or dropped past its latest day).
    pub(super) fn follow_up_window_end(&mut self, id: u32, generation: u32) {
        let f = self.follow_ups[id as usize];
        if f.generation != generation || !f.queued {
            return;
        }
        let q = &mut self.follow_up_queue[f.region as usize];
        if let Some(pos) = q.iter().position(|&x| x == id) {
            q.remove(pos);
        }
        let s = &mut self.follow_ups[id as usize];
        s.queued = false;
        s.late = true;
        s.due_day += 1;
        self.schedule_visit(id);
    }

    /// Idle teams of region `r` on shift make the queued visits whose window
    /// is open now, first come first served.
    pub(super) fn try_follow_ups(&mut self, r: usize) {
        if self.follow_up_queue[r].is_empty() {
            return;
        }
        let t = self.now;
        let minute_of_day = t - (t / DAY_MIN).floor() * DAY_MIN;
        let mut k = 0;
        while k < self.follow_up_queue[r].len() {
            let id = self.follow_up_queue[r][k];
            let f = self.follow_ups[id as usize];
            let window = self.window(&f);
            let duration_mean = self.follow_up_of(f.ctype).duration.mean_min();
            let mut taken = false;
            if (window.0..window.1).contains(&minute_of_day) {
                for &tm in &self.m.candidates[r] {
                    let tm = tm as usize;
                    if self.m.teams[tm].region != r
                        || self.teams[tm].busy
                        || !self.m.can_take(tm, f.ctype as usize)
                    {
                        continue;
                    }
                    let Some(duty_end) = self.duty_end(tm, t) else {
                        continue;
                    };
                    let from = self.location(tm, t) as usize;
                    let travel = self.m.expected_travel_min(from, r, f.zone as usize);
                    if t + travel + duration_mean <= duty_end {
                        self.follow_up_queue[r].remove(k);
                        self.start_visit(tm, id, travel);
                        taken = true;
                        break;
                    }
                }
            }
            if !taken {
                k += 1;
            }
        }
    }

    /// Team `tm` sets off for follow-up `id`'s visit (`travel` minutes away).
    fn start_visit(&mut self, tm: usize, id: u32, travel: f64) {
        let t = self.now;
        let f = self.follow_ups[id as usize];
        let r = f.region as usize;
        let duration = self.follow_up_of(f.ctype).duration.sample(&mut self.rngs[r]);
        let free = t + travel + duration;
        if f.measured {
            self.tally.follow_ups_done[r] += 1;
            if f.late {
                self.tally.follow_ups_late[r] += 1;
            }
            self.tally.team_follow_ups[self.m.teams[tm].group] += 1;
        }
        self.occupy(
            tm,
            Job {
                travel_end: t + travel,
                scene_end: free,
                free,
                region: f.region,
                ctype: f.ctype,
                end_zone: f.zone,
                route_mean: 0.0,
                hour_factor: 1.0,
                follow_up: true,
            },
        );
        let every = self.follow_up_of(f.ctype).every_days;
        let s = &mut self.follow_ups[id as usize];
        s.queued = false;
        s.late = false;
        s.visits_left -= 1;
        if s.visits_left == 0 {
            self.free_follow_ups.push(id);
        } else {
            s.due_day = (free / DAY_MIN) as u32 + every;
            self.schedule_visit(id);
        }
    }
}

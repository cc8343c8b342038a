//! The dispatch decision: the dispatcher's estimates (travel, service,
//! when a team is free), the one feasibility rule, `predict`'s assignment to
//! a team, and `escalate`'s central queue with its give-up time.

use super::*;

impl Engine<'_> {
    /// The call region's factor on trips starting now (`travel.by_hour`).
    #[inline(always)]
    pub(super) fn hour_factor(&self, c: &Call) -> f64 {
        match &self.m.scenario.regions()[c.region as usize].travel_by_hour {
            None => 1.0,
            Some(f) => f[(self.cal.minute_of_week(self.now) / 60.0) as usize % 24],
        }
    }

    /// True travel minutes of a call from a zone, for a trip starting now.
    #[inline]
    pub(super) fn travel_true(&self, from: u32, c: &Call) -> f64 {
        self.travel_any_hour(from, c) * self.hour_factor(c)
    }

    /// The same before the hour's factor (`travel.by_hour`).
    #[inline(always)]
    pub(super) fn travel_any_hour(&self, from: u32, c: &Call) -> f64 {
        match &self.m.scenario.regions()[c.region as usize].travel {
            Travel::Time(_) => c.travel_draw,
            Travel::Routes { .. } => {
                self.m.scenario.route_mean_min(from as usize, c.zone as usize) * c.travel_draw
            }
        }
    }

    /// The dispatcher's estimate of travel minutes of a call from a zone.
    #[inline(always)]
    pub(super) fn travel_est(&self, from: u32, c: &Call) -> f64 {
        match self.m.scenario.dispatch().estimate {
            Knowledge::Exact => self.travel_true(from, c),
            Knowledge::Expected => {
                self.m
                    .expected_travel_min(from as usize, c.region as usize, c.zone as usize)
                    * self.hour_factor(c)
            }
        }
    }

    /// The dispatcher's estimate of a call's time from arrival on scene to free.
    #[inline]
    pub(super) fn service_est(&self, c: &Call) -> f64 {
        match self.m.scenario.dispatch().estimate {
            Knowledge::Exact => c.on_scene + c.transport,
            Knowledge::Expected => self.m.expected_service(c.ctype as usize, c.region as usize),
        }
    }

    /// Where a team is at time `t` when idle.
    #[inline(always)]
    pub(super) fn location(&self, tm: usize, t: f64) -> u32 {
        let team = &self.teams[tm];
        if t >= team.home_at {
            self.m.teams[tm].base as u32
        } else {
            team.loc
        }
    }

    /// The dispatcher's estimate of when a team is free of everything it
    /// has (current job and assigned calls), and where it will be then.
    #[inline(always)]
    pub(super) fn estimated_free(&self, tm: usize, t: f64) -> (f64, u32) {
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
    pub(super) fn queue_tail(&self, tm: usize) -> u32 {
        let team = &self.teams[tm];
        team.queue
            .back()
            .map_or(team.loc, |&q| self.calls[q as usize].zone)
    }

    /// Tests: every team's kept estimate equals a walk of its queue, and the
    /// idle sets match the teams.
    #[cfg(test)]
    pub(super) fn check_queue_estimates(&self) {
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
        // And every region's idle set says which candidates are idle.
        for (r, cands) in self.m.candidates.iter().enumerate() {
            for (pos, &tm) in cands.iter().enumerate() {
                let bit = self.idle[r][pos / 64] >> (pos % 64) & 1 == 1;
                assert_eq!(bit, !self.teams[tm as usize].busy, "region {r}, team {tm}");
            }
        }
    }

    /// Assigns call `id` to busy team `tm`, after the calls it already has.
    pub(super) fn assign(&mut self, tm: usize, id: u32) {
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
    pub(super) fn next_assigned(&mut self, tm: usize) -> Option<u32> {
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
    pub(super) fn expected_remaining_job(&self, team: &Team, t: f64) -> f64 {
        let m = self.m;
        if team.job_follow_up {
            // A follow-up visit: planned, so its end is known.
            return (team.free_at - t).max(0.0);
        }
        let ctype = team.job_ctype as usize;
        let ct = &m.scenario.call_types()[ctype];
        if t < team.travel_end {
            let elapsed = t - team.job_start;
            // The trip's hour factor (`travel.by_hour`) scales the drawn time.
            let hf = team.job_hour_factor;
            let travel_left = match &m.scenario.regions()[team.job_region as usize].travel {
                Travel::Time(d) => hf * d.expected_remaining_min(elapsed / hf),
                Travel::Routes { factor } => {
                    let route = team.job_route_mean * hf;
                    if route > 0.0 {
                        route * factor.expected_remaining_min(elapsed / route)
                    } else {
                        0.0
                    }
                }
            };
            travel_left + m.expected_service(ctype, team.job_region as usize)
        } else if t < team.scene_end {
            ct.on_scene_in(team.job_region as usize)
                .expected_remaining_min(t - team.travel_end)
                + m.expected_transport(ctype, team.job_region as usize)
        } else {
            ct.transport.expected_remaining_min(t - team.scene_end)
        }
    }

    /// Is the team on shift at `t`, and when does its duty end (shift end + overtime)?
    #[inline(always)]
    pub(super) fn duty_end(&self, tm: usize, t: f64) -> Option<f64> {
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
    pub(super) fn decide(&mut self, id: u32) {
        let t = self.now;
        // The call is read in place, field by field: a copy of the whole
        // call just written by `arrival` stalls on store forwarding (issue 18).
        let call = &mut self.calls[id as usize];
        call.decided_at = t;
        let (r, ctype, arrival) = (call.region as usize, call.ctype as usize, call.arrival);
        // model.md: a call that arrives when no team (own or mutual aid) is
        // on shift is diverted, and counted apart.
        if !self.m.always_covered[r][ctype]
            && !self.m.candidates[r].iter().any(|&tm| {
                self.m.can_take(tm as usize, ctype) && self.duty_end(tm as usize, arrival).is_some()
            })
        {
            self.divert(id, true);
            return;
        }
        let policy = self.m.scenario.dispatch().policy;
        let idle_only =
            policy == Policy::Escalate || self.m.scenario.dispatch().candidates == Candidates::Idle;
        #[cfg(test)]
        self.check_queue_estimates();
        let c = &self.calls[id as usize];
        let (any_on_shift, best) = self.best_team(c, t, idle_only);
        if !any_on_shift {
            // On shift when the call arrived, but the shift ended during
            // intake: diverted for lack of capacity, not "no team on shift".
            self.divert(id, false);
            return;
        }
        match best {
            Some((eta, tm, idle)) if Self::in_time(c, eta) => {
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
    pub(super) fn in_time(c: &Call, eta: f64) -> bool {
        eta <= c.deadline + EPS
    }

    /// ...and finishes it before `duty_end` (shift end plus overtime).
    pub(super) fn finishes_within(&self, c: &Call, eta: f64, duty_end: f64) -> bool {
        eta + self.service_est(c) <= duty_end
    }

    /// The candidate with the earliest estimated arrival at call `c` among
    /// the teams on shift at `t` that could finish it within their duty
    /// (only idle ones when `idle_only`): (estimated arrival, team, idle).
    /// Also says whether any candidate is on shift at all.
    #[inline(always)]
    pub(super) fn best_team(&self, c: &Call, t: f64, idle_only: bool) -> (bool, Option<(f64, usize, bool)>) {
        if idle_only
            && matches!(
                self.m.scenario.regions()[c.region as usize].travel,
                Travel::Time(_)
            )
        {
            if let Some(found) = self.first_idle_team(c, t) {
                return (true, Some(found));
            }
            // None idle that could take it; when a candidate that can is
            // on shift at every moment, that is all the scan would tell
            // (issue 18: no scan of every busy team per call).
            if self.m.always_covered[c.region as usize][c.ctype as usize] {
                return (true, None);
            }
        }
        let mut any_on_shift = false;
        let mut best: Option<(f64, usize, bool)> = None;
        for &tm in &self.m.candidates[c.region as usize] {
            let tm = tm as usize;
            if !self.m.can_take(tm, c.ctype as usize) {
                continue;
            }
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

    /// [`Self::best_team`] among idle teams when the call's region has travel
    /// by time: every idle team is then the same estimated travel away, so
    /// the best is the first idle candidate (the scan's tie-break) on shift
    /// that could finish the call within its duty, found from the region's
    /// idle set instead of a scan of every team. None when there is none;
    /// the caller then scans, which also tells whether any team is on shift.
    #[inline(always)]
    fn first_idle_team(&self, c: &Call, t: f64) -> Option<(f64, usize, bool)> {
        let r = c.region as usize;
        let mut eta = None;
        for (w, &word) in self.idle[r].iter().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let pos = w * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let tm = self.m.candidates[r][pos] as usize;
                debug_assert!(!self.teams[tm].busy);
                if !self.m.can_take(tm, c.ctype as usize) {
                    continue;
                }
                let Some(duty_end) = self.duty_end(tm, t) else {
                    continue;
                };
                // Travel by time does not depend on where the team is.
                // (Spelled out: `get_or_insert_with` was left as a call.)
                let e = match eta {
                    Some(e) => e,
                    None => {
                        let e = t + self.travel_est(self.location(tm, t), c);
                        eta = Some(e);
                        e
                    }
                };
                if self.finishes_within(c, e, duty_end) {
                    return Some((e, tm, true));
                }
            }
        }
        None
    }

    /// Marks team `tm` idle or busy in the idle set of every region it may serve.
    #[inline(always)]
    pub(super) fn set_idle(&mut self, tm: usize, idle: bool) {
        for &(r, pos) in &self.m.candidate_slots[tm] {
            let (w, bit) = (pos as usize / 64, 1u64 << (pos % 64));
            if idle {
                self.idle[r as usize][w] |= bit;
            } else {
                self.idle[r as usize][w] &= !bit;
            }
        }
    }

    /// Escalate: queue the call, to be diverted once no team could reach it in time.
    pub(super) fn enqueue(&mut self, id: u32) {
        let t = self.now;
        let c = &self.calls[id as usize];
        let (r, ctype, generation) = (c.region as usize, c.ctype as usize, c.generation);
        // The call is given up when no team could reach it in time any
        // more: the latest moment any candidate could still set off. No
        // team can set off later than `bound`; once one can, the rest need
        // not be asked (issue 18: a queued call asked every team).
        let bound = match self.m.scenario.regions()[r].travel {
            // Travel by time: the same estimate from anywhere (here from the
            // call's own zone), so `latest_start` is at most the deadline
            // minus it, exactly.
            Travel::Time(_) => c.deadline - self.travel_est(c.zone, c),
            Travel::Routes { .. } => f64::INFINITY,
        };
        // No team could set off in time (a trip longer than the maximum).
        if bound < t {
            self.divert(id, false);
            return;
        }
        let mut give_up = f64::NEG_INFINITY;
        for &tm in &self.m.candidates[r] {
            if self.m.can_take(tm as usize, ctype) {
                let latest = self.latest_start(tm as usize, c, t);
                if latest > give_up {
                    give_up = latest;
                    if give_up >= bound {
                        break;
                    }
                }
            }
        }
        if give_up < t {
            self.divert(id, false);
            return;
        }
        self.calls[id as usize].state = CallState::Queued;
        let level = self.m.priority_level[ctype];
        self.queues[r][level].push_back(id);
        self.add_waiting(r, 1);
        if give_up.is_finite() {
            self.events.push(
                give_up,
                Event {
                    kind: Kind::GiveUp,
                    id,
                    generation,
                },
            );
        }
    }

    /// The latest time (by the dispatcher's estimates) at which team `tm`
    /// could set off for call `c` and still arrive by its deadline: from
    /// where it is (or will be when free) until it is back at base, from its
    /// base after that, and from its base once its next shift starts when it
    /// is off shift. Minus infinity when it cannot make it at all.
    pub(super) fn latest_start(&self, tm: usize, c: &Call, t: f64) -> f64 {
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
    pub(super) fn team_home(&mut self, tm: usize) {
        let team = &self.teams[tm];
        if !team.busy && team.home_at == self.now {
            self.take_from_queue(tm);
        }
    }

    pub(super) fn give_up(&mut self, id: u32, generation: u32) {
        // Most give-ups find their call served already: look before copying.
        let c = &self.calls[id as usize];
        if c.state != CallState::Queued || c.generation != generation {
            return;
        }
        let c = *c;
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

    /// Escalate: an idle team on shift takes the most urgent, longest-waiting
    /// queued call it can still reach in time and finish within its duty.
    #[inline(always)]
    pub(super) fn take_from_queue(&mut self, tm: usize) {
        // Most of the time no call waits (issue 18: this is every team's
        // every free), and that is answered here, inline.
        if !self.m.served[tm]
            .iter()
            .all(|&r| self.queues[r as usize].iter().all(VecDeque::is_empty))
        {
            self.take_from_waiting(tm);
        }
    }

    /// [`Self::take_from_queue`] when some call waits.
    fn take_from_waiting(&mut self, tm: usize) {
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
                    if !self.m.can_take(tm, c.ctype as usize) {
                        continue;
                    }
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
}

//! A team's job: travel, scene and transport, then free (the next assigned
//! call, the central queue, or home); shift starts.

use super::*;

/// A job a team starts: when its phases end (minutes), what it is for,
/// and where the team is when it is free.
pub(super) struct Job {
    pub travel_end: f64,
    pub scene_end: f64,
    pub free: f64,
    pub region: u32,
    pub ctype: u16,
    pub end_zone: u32,
    /// Mean minutes of the trip's route (the dispatcher's estimate of a
    /// trip under way); 0 for a follow-up visit, whose end is known.
    pub route_mean: f64,
    /// The trip's `travel.by_hour` factor.
    pub hour_factor: f64,
    pub follow_up: bool,
}

impl Engine<'_> {
    /// Team `tm` leaves zone `from` for call `id` now.
    pub(super) fn start_job(&mut self, tm: usize, id: u32, from: u32) {
        let t = self.now;
        let c = self.calls[id as usize];
        let hour_factor = self.hour_factor(&c);
        let travel = self.travel_any_hour(from, &c) * hour_factor;
        let arrive = t + travel;
        let scene_end = arrive + c.on_scene;
        let (free, end_zone) = self.transport_end(&c, scene_end);
        let response = arrive - c.arrival;
        self.record(&c, Some([t, arrive, scene_end, free]));
        let r = c.region as usize;
        let own = self.m.teams[tm].region;
        if c.measured {
            let cell = self.m.shape.cell(r, c.ctype as usize, c.channel as usize);
            let in_time = response <= c.deadline - c.arrival + EPS;
            let o = if in_time { Outcome::InTime } else { Outcome::Late };
            self.tally.outcome(cell, o);
            let wait = t - c.decided_at;
            self.tally.reached(
                cell,
                &Reached {
                    response_min: response,
                    wait_min: wait,
                    dispatch_delay_min: t - c.arrival,
                    travel_min: travel,
                    on_scene_min: c.on_scene,
                },
            );
            if wait > EPS {
                self.tally.extra(cell, Extra::WAITED);
            }
            self.tally.job_min_sum[own] += free - t;
            self.tally.jobs[own] += 1;
            self.tally
                .team_job(self.m.teams[tm].group, c.zone as usize, travel);
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
            match c.ending {
                0 => {}
                1 => self.tally.extra(cell, Extra::CANCELLED),
                2 => self.tally.extra(cell, Extra::UNABLE_TO_LOCATE),
                _ => self.tally.extra(cell, Extra::REFUSED),
            }
            if own != r {
                self.tally.extra(cell, Extra::MUTUAL_AID);
            }
        }
        let route_mean = match &self.m.scenario.regions()[r].travel {
            Travel::Time(d) => d.mean_min(),
            Travel::Routes { .. } => self.m.scenario.route_mean_min(from as usize, c.zone as usize),
        };
        self.occupy(
            tm,
            Job {
                travel_end: arrive,
                scene_end,
                free,
                region: c.region,
                ctype: c.ctype,
                end_zone,
                route_mean,
                hour_factor,
                follow_up: false,
            },
        );
        self.begin_follow_up(&c, free);
        self.release_call(id);
    }

    /// Team `tm` starts `job` now (a call or a follow-up visit): busy until
    /// `job.free` (busy time and overtime counted, clipped to the measured
    /// window), no longer idle, its `TeamFree` event scheduled.
    #[inline(always)]
    pub(super) fn occupy(&mut self, tm: usize, job: Job) {
        let t = self.now;
        let own = self.m.teams[tm].region;
        let group = self.m.teams[tm].group;
        let duty_end = match self.duty_end(tm, t) {
            Some(d) => d - self.m.scenario.team_groups()[group].overtime_min,
            None => t,
        };
        self.change_busy(own, 1);
        if let Some((a, b)) = self.measured(t.max(duty_end), job.free) {
            self.tally.overtime_min[own] += b - a;
            self.tally.team_overtime_min[group] += b - a;
        }
        if let Some((a, b)) = self.measured(t, job.free) {
            self.tally.team_busy_min[group] += b - a;
        }
        self.set_idle(tm, false);
        let team = &mut self.teams[tm];
        team.busy = true;
        team.job_start = t;
        team.travel_end = job.travel_end;
        team.scene_end = job.scene_end;
        team.free_at = job.free;
        team.job_route_mean = job.route_mean;
        team.job_hour_factor = job.hour_factor;
        team.job_follow_up = job.follow_up;
        team.job_region = job.region;
        team.job_ctype = job.ctype;
        team.loc = job.end_zone;
        team.home_at = f64::INFINITY;
        self.events.push(
            job.free,
            Event {
                kind: Kind::TeamFree,
                id: tm as u32,
                generation: 0,
            },
        );
    }

    /// When a team that leaves call `c`'s scene at `scene_end` is free,
    /// and in which zone: at once where it is, or, with a transport, after
    /// the transport time (`transport.time`), or after the drive to the
    /// nearest destination of the call type's `transport.to` that has a bed
    /// or chair free on arrival (else the one free soonest) and the
    /// handover there; that bed is then taken for the person's stay.
    fn transport_end(&mut self, c: &Call, scene_end: f64) -> (f64, u32) {
        if !c.transported {
            return (scene_end, c.zone);
        }
        let ct = &self.m.scenario.call_types()[c.ctype as usize];
        let Some(kind) = ct.transport_to else {
            return (scene_end + c.transport, c.zone);
        };
        let sc = &self.m.scenario;
        // (start of the handover, destination, bed) of the best so far.
        let mut best: Option<(f64, usize, Option<usize>)> = None;
        for &d in self.m.destinations_from(kind, c.zone as usize) {
            let d = d as usize;
            let site = &sc.destinations()[d];
            let at = scene_end + sc.route_mean_min(c.zone as usize, site.zone) * c.travel_draw;
            let (start, bed) = match site.capacity {
                None => (at, None),
                Some(_) => {
                    let (bed, free) = self.beds[d]
                        .iter()
                        .enumerate()
                        .fold((0, f64::INFINITY), |b, (i, &f)| if f < b.1 { (i, f) } else { b });
                    (at.max(free), Some(bed))
                }
            };
            if best.is_none_or(|b| start < b.0) {
                best = Some((start, d, bed));
            }
            if start <= at {
                break; // the nearest with room on arrival
            }
        }
        let (start, d, bed) = best.expect("every region has a destination of each type it transports to");
        if let Some(bed) = bed {
            self.beds[d][bed] = start + c.stay;
        }
        (start + c.transport, sc.destinations()[d].zone as u32)
    }

    pub(super) fn team_free(&mut self, tm: usize) {
        let t = self.now;
        let m = self.m;
        self.change_busy(m.teams[tm].region, -1);
        self.set_idle(tm, true);
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
            if home_at.is_finite() && home_at > t && m.teams[tm].home_event {
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
        if !self.teams[tm].busy {
            self.try_follow_ups(m.teams[tm].region);
        }
    }

    /// Schedules the next start of a shift (of a team or counsellor group:
    /// event `kind` for `id`) while the run goes on.
    pub(super) fn next_shift_start(&mut self, schedule: &Schedule, kind: Kind, id: u32) {
        let t = self.now;
        let next = schedule.next_start(t, self.cal.minute_of_week(t));
        let horizon = self.horizon_min;
        if next.is_finite() && (next <= horizon || self.pending > 0) {
            self.events.push(
                next,
                Event {
                    kind,
                    id,
                    generation: 0,
                },
            );
        }
    }

    pub(super) fn shift_start(&mut self, g: usize) {
        let m = self.m;
        self.next_shift_start(&m.scenario.team_groups()[g].schedule, Kind::ShiftStart, g as u32);
        for tm in self.m.group_teams[g].clone() {
            if !self.teams[tm].busy {
                self.take_from_queue(tm);
            }
        }
        self.try_follow_ups(m.scenario.team_groups()[g].region);
    }
}

//! Arrivals: each region's contacts, drawn hour by hour from its rate, with
//! every attribute of a call (zone, channel, type, triage, times) drawn when
//! the call is created; intake, then triage.

use super::*;

/// The hour a region's arrival generator is in, and that hour's rate
/// (contacts per minute): advanced one hour at a time, so generating an
/// arrival costs no calendar arithmetic.
#[derive(Debug, Clone)]
pub(super) struct RateCursor {
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
    pub(super) fn new(m: &Model, r: usize) -> Self {
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

impl Engine<'_> {
    /// The next arrival in region `r` after time `t`, by exact inversion of
    /// the piecewise-constant (hourly) rate; `None` past the horizon.
    ///
    /// The region's cursor is left on the hour of the arrival returned, so
    /// `arrival` reads that call's hour of week and month from it.
    pub(super) fn next_arrival(&mut self, r: usize, t: f64) -> Option<f64> {
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

    pub(super) fn arrival(&mut self, r: usize) {
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

    pub(super) fn count_simple(
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
}

//! Arrivals: each region's contacts, drawn hour by hour from its rate, with
//! every attribute of a call (zone, channel, type, triage, times) drawn when
//! the call is created; intake, then triage.

use super::*;

/// Minutes in a 365.25-day year, the unit of `demand_growth_per_year`.
const YEAR_MIN: f64 = 365.25 * 1440.0;

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
        let rate = region.rate_per_min * region.profile[self.how] * region.month_factors[moy];
        let growth = m.scenario.demand_growth_per_year();
        if growth == 0.0 {
            rate
        } else {
            let years = self.hour as f64 * 60.0 / YEAR_MIN;
            rate * (1.0 + growth).powf(years)
        }
    }

    fn advance(&mut self, m: &Model, r: usize) {
        self.hour += 1;
        // Whole minutes, exact: the same as `hour as f64 * 60.0`, without
        // the conversion from u64, a dozen instructions on x86-64.
        let start = self.hour_end;
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
    #[inline(always)]
    pub(super) fn next_arrival(&mut self, r: usize, t: f64) -> Option<f64> {
        let horizon = self.horizon_min;
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
        let sc = &m.scenario;
        let rng = &mut self.rngs[r];
        let zone = m.pick_zone(r, rng);
        let channel = m.pick_channel(rng);
        let ctype = m.pick_type(rng);
        let triage = m.triage(ctype, rng);
        let measured = t >= self.warmup_min;
        let cell = m.shape.cell(r, ctype, channel);
        let month = self.cursors[r].month;
        let hour = self.cursors[r].how;
        let centre = sc.regions()[r].centre;
        if measured {
            self.tally.month_zone(month, zone, MonthZone::CONTACTS);
        }
        let mobile = triage == Triage::Mobile;
        if !mobile && centre.is_none() {
            // Settled by triage at once: no event, no call slot.
            let (o, mzc) = Self::triage_outcome(triage);
            self.count_simple(measured, cell, o, month, zone, mzc);
        } else {
            let ct = &sc.call_types()[ctype];
            let intake = sc.channels()[channel].intake.sample(rng);
            // Built in its slot, not on the stack and then copied (issue 18).
            let id = self.free_calls.pop().unwrap_or_else(|| {
                self.calls.push(Call::FREE);
                (self.calls.len() - 1) as u32
            });
            let call = &mut self.calls[id as usize];
            *call = Call {
                arrival: t,
                deadline: t + ct.max_response_by_zone[zone]
                    .unwrap_or(ct.max_response[r])
                    .minutes(),
                decided_at: t,
                region: r as u32,
                zone: zone as u32,
                ctype: ctype as u16,
                channel: channel as u16,
                measured,
                month: month as u32,
                hour: hour as u16,
                state: CallState::Intake,
                // Bumped each time the slot is reused, so a stale event of
                // its previous call is told apart.
                generation: call.generation.wrapping_add(1),
                // The draws below fill in what a mobile response needs.
                ..Call::FREE
            };
            if mobile {
                call.on_scene = ct.on_scene_in(r).sample(rng);
                call.transported = chance(rng, ct.transport_share);
                if call.transported {
                    call.transport = ct.transport.sample(rng);
                    if let Some(stay) = &ct.stay {
                        call.stay = stay.sample(rng);
                    }
                }
                call.travel_draw = match &sc.regions()[r].travel {
                    Travel::Time(d) => d.sample(rng),
                    Travel::Routes { factor } => factor.sample(rng),
                };
                call.backup = chance(rng, ct.backup_share);
                call.petition = chance(rng, ct.petition_share);
                if !ct.early_endings.is_empty() {
                    // Drawn only with early endings, so a scenario without
                    // them draws as before.
                    let u: f64 = rng.random();
                    let mut acc = 0.0;
                    for e in &ct.early_endings {
                        acc += e.share;
                        if u < acc {
                            call.ending = e.kind as u8;
                            call.on_scene = e.on_scene.sample(rng);
                            call.transported = false;
                            call.transport = 0.0;
                            call.petition = false;
                            break;
                        }
                    }
                }
                if let Some(fu) = &ct.follow_up {
                    // Drawn only with follow-ups, as the early endings.
                    call.follow_up = chance(rng, fu.share);
                }
                if measured {
                    self.tally.month_zone(month, zone, MonthZone::MOBILE);
                    self.tally.hour(r, hour, HourCount::MOBILE);
                }
            }
            // Drawn last, so a scenario without a centre draws as before.
            let desk = centre.map(|c| DeskPart::draw(&sc.centres()[c], c, ctype, triage, rng));
            if desk.is_some() {
                call.state = CallState::AtDesk;
            }
            if let Some(d) = desk {
                let slot = id as usize;
                if self.desk_parts.len() <= slot {
                    self.desk_parts.resize(slot + 1, DeskPart::NONE);
                }
                self.desk_parts[slot] = d;
            }
            self.pending += 1;
            let kind = if centre.is_some() {
                Kind::ReachDesk
            } else {
                Kind::Decision
            };
            if intake > 0.0 {
                self.events.push(
                    t + intake,
                    Event {
                        kind,
                        id,
                        generation: 0,
                    },
                );
            } else if centre.is_some() {
                self.reach_desk(id);
            } else {
                self.decide(id);
            }
        }
        if let Some(next) = self.next_arrival(r, t) {
            self.events.set_slot(
                r,
                next,
                Event {
                    kind: Kind::Arrival,
                    id: r as u32,
                    generation: 0,
                },
            );
        }
    }

    /// The outcome of a contact triage settles without a team, and what
    /// it adds to the month-and-zone table.
    pub(super) fn triage_outcome(triage: Triage) -> (Outcome, Option<MonthZone>) {
        match triage {
            Triage::Phone => (Outcome::Phone, None),
            Triage::Police => (Outcome::Police, Some(MonthZone::POLICE)),
            Triage::Ems => (Outcome::Ems, None),
            Triage::Mobile => unreachable!("a mobile call goes to dispatch"),
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

//! What each call's end, and each change of the busy and waiting counts,
//! adds to the replication's tally (measured window only).

use super::*;

impl Engine<'_> {
    /// Keeps the call's record when tracing: `times` are dispatch, arrival on
    /// scene, departure and free, or none when the call was diverted.
    pub(super) fn record(&mut self, c: &Call, times: Option<[f64; 4]>) {
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

    pub(super) fn divert(&mut self, id: u32, no_team: bool) {
        let c = self.calls[id as usize];
        self.record(&c, None);
        if c.measured {
            let cell = c.cell(&self.m.shape);
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

    pub(super) fn divert_all_pending(&mut self) {
        for id in 0..self.calls.len() as u32 {
            match self.calls[id as usize].state {
                CallState::Free => {}
                // Still at the phones when the run ends: counted as hung up.
                CallState::AtDesk | CallState::Talking => self.lost_at_desk(id, Outcome::Abandoned),
                _ => self.divert(id, false),
            }
        }
    }

    /// Changes the number of the region's teams that are busy, integrating
    /// the time spent at each level over the measured window.
    #[inline(always)]
    pub(super) fn change_busy(&mut self, r: usize, delta: i32) {
        self.flush_busy(r, self.now);
        let busy = &mut self.busy[r];
        busy.count = busy
            .count
            .checked_add_signed(delta)
            .expect("busy count stays >= 0");
    }

    /// Integrates the time since the last change at the current busy level:
    /// the busy-level distribution, busy team-minutes, and busy team-minutes
    /// by hour of week, all clipped to the measured window.
    #[inline(always)]
    pub(super) fn flush_busy(&mut self, r: usize, t: f64) {
        let since = std::mem::replace(&mut self.busy[r].since, t);
        let Some((a, b)) = self.measured(since, t) else {
            return;
        };
        let busy = &mut self.busy[r];
        let k = busy.count;
        self.tally.busy_level_min[r * (MAX_BUSY_LEVEL + 1) + (k as usize).min(MAX_BUSY_LEVEL)] += b - a;
        if k == 0 {
            return;
        }
        let k = f64::from(k);
        self.tally.busy_min[r] += k * (b - a);
        let row = &mut self.tally.busy_by_hour_min[r * HOURS_PER_WEEK..(r + 1) * HOURS_PER_WEEK];
        busy.hours.spread(self.cal, row, a, b, k);
    }

    /// Changes the number of waiting calls in a region, integrating the
    /// queue length over the measured window.
    #[inline(always)]
    pub(super) fn add_waiting(&mut self, r: usize, delta: i32) {
        let n = self.waiting[r]
            .checked_add_signed(delta)
            .expect("waiting count stays >= 0");
        self.set_waiting(r, n, self.now);
    }

    #[inline(always)]
    pub(super) fn set_waiting(&mut self, r: usize, n: u32, t: f64) {
        if let Some((a, b)) = self.measured(self.waiting_since[r], t) {
            self.tally.queue_integral[r] += f64::from(self.waiting[r]) * (b - a);
        }
        self.waiting[r] = n;
        self.waiting_since[r] = t;
    }
}

/// A region's busy teams: how many, since when, and the hour their busy
/// time was last added to.
#[derive(Debug, Clone, Copy)]
pub(super) struct Busy {
    count: u32,
    since: f64,
    hours: HourCursor,
}

impl Busy {
    /// No team busy, from the run start.
    pub(super) const NEW: Busy = Busy {
        count: 0,
        since: 0.0,
        hours: HourCursor::NEW,
    };
}

/// Where the last stretch of busy time ended: its hour (start, end,
/// minutes from the run start, and hour of week), so the next stretch,
/// which starts there, is split by hour without calendar arithmetic
/// (issue 18: most stretches fall inside one hour).
#[derive(Debug, Clone, Copy)]
pub(super) struct HourCursor {
    start: f64,
    end: f64,
    how: usize,
}

impl HourCursor {
    /// Positioned nowhere: the first stretch looks its hour up.
    pub(super) const NEW: HourCursor = HourCursor {
        start: f64::INFINITY,
        end: f64::INFINITY,
        how: 0,
    };

    /// Adds `k` × the minutes of `[a, b)` to `row` (one entry per hour of
    /// week), split at the hour boundaries: the one hour walker of busy time.
    pub(super) fn spread(&mut self, cal: &Calendar, row: &mut [f64], a: f64, b: f64, k: f64) {
        if !(a >= self.start && a < self.end) {
            self.end = next_hour(a);
            self.start = self.end - 60.0;
            // Of the hour's start, a whole number of minutes, so the week
            // offset adds exactly (`a` a hair below an hour mark could
            // round up into the next hour, and the cursor would carry it).
            self.how = cal.hour_of_week(self.start);
        }
        let mut x = a;
        while x < b {
            let end = self.end.min(b);
            row[self.how] += k * (end - x);
            x = end;
            if x == self.end {
                self.start = self.end;
                self.end += 60.0;
                self.how = if self.how + 1 == HOURS_PER_WEEK {
                    0
                } else {
                    self.how + 1
                };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Busy time lands in its hour of the week, stretch after stretch, even
    /// when a stretch starts a hair below an hour mark in a run that does
    /// not start on a Monday (where adding the week offset to that start
    /// rounds up into the next hour, and a cursor that looked its hour up
    /// from it would carry the error into every later hour).
    #[test]
    fn hour_cursor_keeps_hours_of_the_week() {
        // 2027-07-04 is a Sunday: the run starts 144 hours into the week.
        let cal = Calendar::new(jiff::civil::date(2027, 7, 4), 7.0 * DAY_MIN);
        let mut row = [0.0; HOURS_PER_WEEK];
        let mut cursor = HourCursor::NEW;
        let a = 119.999_999_999_999_96; // in the run's hour 1, week hour 145
        for (from, to) in [(a, 150.0), (150.0, 170.0), (170.0, 400.0)] {
            cursor.spread(&cal, &mut row, from, to, 1.0);
        }
        assert!(row[145] > 0.0 && row[145] < 1e-9, "{}", row[145]);
        assert_eq!(row[146..=150], [60.0, 60.0, 60.0, 60.0, 40.0]);
        assert_eq!(row.iter().filter(|&&x| x > 0.0).count(), 6);
    }
}

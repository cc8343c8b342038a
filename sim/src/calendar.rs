//! The simulation calendar: minutes from the start date, hour of week and
//! calendar months.
//!
//! A run starts at 00:00 local time on the scenario's start date; time is in
//! minutes from then. Hour-of-week bin 0 is Monday 00:00–01:00. Daylight
//! saving is ignored.

use jiff::civil::{Date, Weekday};

/// Minutes in a day.
pub const DAY_MIN: f64 = 1440.0;
/// Minutes in a week.
pub const WEEK_MIN: f64 = 7.0 * DAY_MIN;
/// Hours in a week: the number of hour-of-week bins.
pub const HOURS_PER_WEEK: usize = 168;
/// Average minutes in a month (365.25 / 12 days), used to express rates per month.
pub const MONTH_MIN: f64 = 365.25 / 12.0 * DAY_MIN;

/// One calendar month touched by the run.
#[derive(Debug, Clone, PartialEq)]
pub struct Month {
    /// Label such as `2027-07`.
    pub label: String,
    /// Month of the year, 0 = January.
    pub month_of_year: usize,
    /// Start, minutes from the run start (0 for the first, partial month).
    pub start_min: f64,
    /// End, minutes from the run start.
    pub end_min: f64,
}

/// Maps simulation minutes to calendar bins.
#[derive(Debug, Clone)]
pub struct Calendar {
    start: Date,
    /// Minutes from Monday 00:00 to the start date's 00:00.
    week_offset_min: f64,
    months: Vec<Month>,
}

impl Calendar {
    /// A calendar from `start`, with months covering `[0, span_min)`.
    pub fn new(start: Date, span_min: f64) -> Self {
        let days_from_monday = start.weekday().since(Weekday::Monday);
        let mut months = Vec::new();
        let mut first = start.first_of_month();
        let mut begin = 0.0;
        while begin < span_min {
            let next = first.last_of_month().tomorrow().expect("date in range");
            let end_days = (next - start).get_days() as f64;
            let end = end_days * DAY_MIN;
            months.push(Month {
                label: format!("{:04}-{:02}", first.year(), first.month()),
                month_of_year: first.month() as usize - 1,
                start_min: begin,
                end_min: end,
            });
            begin = end;
            first = next;
        }
        Calendar {
            start,
            week_offset_min: f64::from(days_from_monday) * DAY_MIN,
            months,
        }
    }

    /// The start date.
    pub fn start(&self) -> Date {
        self.start
    }

    /// Minutes from Monday 00:00 of the start week to the run start.
    pub fn week_offset_min(&self) -> f64 {
        self.week_offset_min
    }

    /// Hour-of-week bin (0 = Monday 00:00–01:00) of time `t_min`.
    #[inline]
    pub fn hour_of_week(&self, t_min: f64) -> usize {
        (((self.week_offset_min + t_min) / 60.0) as usize) % HOURS_PER_WEEK
    }

    /// Minutes into the week (from Monday 00:00) of time `t_min`.
    #[inline]
    pub fn minute_of_week(&self, t_min: f64) -> f64 {
        week_remainder(self.week_offset_min + t_min)
    }

    /// The calendar months that the run covers, in order.
    pub fn months(&self) -> &[Month] {
        &self.months
    }

    /// Index into [`Calendar::months`] of time `t_min` (clamped to the last month).
    pub fn month_index(&self, t_min: f64) -> usize {
        self.months
            .partition_point(|m| m.end_min <= t_min)
            .min(self.months.len().saturating_sub(1))
    }
}

/// `x.rem_euclid(WEEK_MIN)`, exactly, for `x >= 0`, without the software
/// `fmod` that `rem_euclid` calls (issue 18: 3% of the Illinois default,
/// where every shift check asks for the minute of the week). The quotient
/// `q` by truncation is the true one, `k`, or (for `x` just below a
/// multiple of the week) `k + 1`. With `q = k >= 1`, `k W <= x < 2 k W`,
/// so `x - q W` is exact (Sterbenz); with `q = k + 1`, `x - q W` is a
/// small negative number computed exactly, and adding `W` gives
/// `x - k W`, which is representable (fmod's result always is).
#[inline]
fn week_remainder(x: f64) -> f64 {
    if !(0.0..1e15).contains(&x) {
        return x.rem_euclid(WEEK_MIN);
    }
    // Through i64, exact here (0 <= x / WEEK_MIN < 1e11): one instruction
    // each way, where u64 takes a dozen on x86-64.
    let q = (x / WEEK_MIN) as i64 as f64;
    let r = x - q * WEEK_MIN;
    if r < 0.0 { r + WEEK_MIN } else { r }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// The fast remainder is `rem_euclid`'s, bit for bit: anywhere in
        /// a long run, and next to every week boundary.
        #[test]
        fn week_remainder_is_rem_euclid(x in 0.0f64..1e8, k in 0u32..2000, ulps in -4i64..4) {
            prop_assert_eq!(week_remainder(x).to_bits(), x.rem_euclid(WEEK_MIN).to_bits());
            let edge = f64::from_bits((f64::from(k) * WEEK_MIN).to_bits().saturating_add_signed(ulps));
            prop_assert_eq!(week_remainder(edge).to_bits(), edge.rem_euclid(WEEK_MIN).to_bits());
        }
    }

    #[test]
    fn hour_of_week_and_months() {
        // 2027-07-01 is a Thursday.
        let c = Calendar::new(jiff::civil::date(2027, 7, 1), 365.0 * DAY_MIN);
        assert_eq!(c.hour_of_week(0.0), 3 * 24);
        assert_eq!(c.hour_of_week(4.0 * DAY_MIN + 60.0), 1); // Monday 01:00
        assert_eq!(c.months().len(), 12);
        assert_eq!(c.months()[0].label, "2027-07");
        assert_eq!(c.months()[1].start_min, 31.0 * DAY_MIN);
        assert_eq!(c.months()[0].month_of_year, 6);
        assert_eq!(c.month_index(31.0 * DAY_MIN), 1);
        assert_eq!(c.month_index(31.0 * DAY_MIN - 1.0), 0);
    }
}

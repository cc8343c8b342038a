//! Weekly shift schedules.
//!
//! A schedule is a set of intervals of the week, in minutes from Monday
//! 00:00; a shift may cross midnight and the end of the week.

use crate::calendar::WEEK_MIN;

/// When a group of teams is on shift, week after week.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Sorted, disjoint, non-adjacent `[start, end)` intervals in minutes of
    /// the week, within `[0, WEEK_MIN]`.
    intervals: Vec<(f64, f64)>,
    always: bool,
}

impl Schedule {
    /// On shift at every moment.
    pub fn always() -> Self {
        Schedule {
            intervals: vec![(0.0, WEEK_MIN)],
            always: true,
        }
    }

    /// A schedule from shifts given as (start minute of week, length in
    /// minutes); lengths are in (0, one week].
    pub fn from_shifts(shifts: &[(f64, f64)]) -> Self {
        let mut raw = Vec::new();
        for &(start, len) in shifts {
            let s = start.rem_euclid(WEEK_MIN);
            let e = s + len.min(WEEK_MIN);
            if e <= WEEK_MIN {
                raw.push((s, e));
            } else {
                raw.push((s, WEEK_MIN));
                raw.push((0.0, e - WEEK_MIN));
            }
        }
        raw.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut merged: Vec<(f64, f64)> = Vec::new();
        for (s, e) in raw {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        let always = merged.len() == 1 && merged[0] == (0.0, WEEK_MIN);
        Schedule {
            intervals: merged,
            always,
        }
    }

    /// True when the teams are on shift at every moment.
    pub fn is_always(&self) -> bool {
        self.always
    }

    /// Minutes on shift in one week.
    pub fn minutes_per_week(&self) -> f64 {
        self.intervals.iter().map(|(s, e)| e - s).sum()
    }

    /// On-shift intervals in minutes of the week.
    pub fn intervals(&self) -> &[(f64, f64)] {
        &self.intervals
    }

    /// Is the team on shift at minute-of-week `w`?
    #[inline]
    pub fn on_shift(&self, w: f64) -> bool {
        self.always || self.intervals.iter().any(|&(s, e)| s <= w && w < e)
    }

    /// The end of the on-shift period that contains absolute time `t`
    /// (minutes), where `w` is `t`'s minute of the week; infinite when the
    /// schedule is always on. Only meaningful when `on_shift(w)`.
    pub fn shift_end(&self, t: f64, w: f64) -> f64 {
        if self.always {
            return f64::INFINITY;
        }
        let week_start = t - w;
        let Some(&(_, e)) = self.intervals.iter().find(|&&(s, e)| s <= w && w < e) else {
            return t;
        };
        // An interval that reaches the end of the week continues into one
        // that starts at Monday 00:00.
        if e >= WEEK_MIN && self.intervals[0].0 <= 0.0 {
            week_start + WEEK_MIN + self.intervals[0].1
        } else {
            week_start + e
        }
    }

    /// The first shift start strictly after absolute time `t` (minutes),
    /// where `w` is `t`'s minute of the week; infinite when always on.
    /// A shift that continues across the end of the week does not start at
    /// Monday 00:00.
    pub fn next_start(&self, t: f64, w: f64) -> f64 {
        if self.always {
            return f64::INFINITY;
        }
        let week_start = t - w;
        let wraps = self.intervals.last().is_some_and(|l| l.1 >= WEEK_MIN);
        let starts = self
            .intervals
            .iter()
            .map(|i| i.0)
            .filter(|&s| !(wraps && s <= 0.0));
        let mut best = f64::INFINITY;
        for s in starts {
            let cand = if s > w {
                week_start + s
            } else {
                week_start + WEEK_MIN + s
            };
            best = best.min(cand);
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn night_shift_crossing_the_week() {
        // Sunday 22:00 for 8 hours: until Monday 06:00.
        let sun22 = 6.0 * 1440.0 + 22.0 * 60.0;
        let s = Schedule::from_shifts(&[(sun22, 480.0)]);
        assert!(s.on_shift(sun22 + 1.0) && s.on_shift(100.0) && !s.on_shift(400.0));
        assert_eq!(s.minutes_per_week(), 480.0);
        // At Sunday 23:00 of week 0 the shift ends Monday 06:00 of week 1.
        assert_eq!(s.shift_end(sun22 + 60.0, sun22 + 60.0), WEEK_MIN + 360.0);
        assert_eq!(s.next_start(0.0, 0.0), sun22);
        assert_eq!(s.next_start(sun22, sun22), WEEK_MIN + sun22);
    }

    #[test]
    fn weekday_days() {
        let shifts: Vec<_> = (0..5).map(|d| (d as f64 * 1440.0 + 480.0, 480.0)).collect();
        let s = Schedule::from_shifts(&shifts);
        assert_eq!(s.minutes_per_week(), 5.0 * 480.0);
        assert!(!s.on_shift(5.0 * 1440.0 + 600.0));
        assert_eq!(s.shift_end(600.0, 600.0), 960.0);
        assert_eq!(s.next_start(600.0, 600.0), 1440.0 + 480.0);
        assert!(Schedule::from_shifts(&[(0.0, WEEK_MIN)]).is_always());
    }
}

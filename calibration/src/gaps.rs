//! Export gaps: runs of days with no request at all inside the span, when
//! the requests around them make such a run implausible.
//!
//! **Rule.** A run of consecutive days with no request is a gap when, at
//! the rate of the [`NEIGHBOUR_DAYS`] days either side of it (requests per
//! day), a Poisson count over the run would be 0 with probability below
//! [`GAP_P`] (0.001, an expected count above 6.9). Gap days are left out of
//! the exposure (the hours the rates are divided by), of the month factors
//! and of the staffing estimate, and are listed in the fit report.

use jiff::civil::Date;

use crate::records::Records;

/// Days either side of a run whose requests give the local rate.
pub const NEIGHBOUR_DAYS: usize = 14;

/// A run of empty days is a gap when P(no request | local rate) is below this.
pub const GAP_P: f64 = 0.001;

/// Minutes in a day.
const DAY: f64 = 1440.0;

/// A run of days with no request that the neighbouring days make implausible.
#[derive(Debug, Clone, PartialEq)]
pub struct Gap {
    /// First empty day.
    pub first: Date,
    /// Number of empty days.
    pub days: usize,
    /// Requests expected over the run at the neighbours' rate.
    pub expected: f64,
    /// Start of the run, minutes (the [`Records`] clock).
    pub start_min: f64,
    /// End of the run (exclusive), minutes.
    pub end_min: f64,
}

impl Gap {
    /// Does the gap cover time `t` (minutes)?
    pub fn covers(&self, t: f64) -> bool {
        self.start_min <= t && t < self.end_min
    }
}

/// Requests per day of the span, first day first.
pub fn daily_counts(recs: &Records) -> Vec<u32> {
    let days = ((recs.span_end - recs.span_start) / DAY).ceil().max(0.0) as usize;
    let mut counts = vec![0u32; days];
    for r in &recs.records {
        let d = ((r.request - recs.span_start) / DAY).floor();
        if d >= 0.0 && (d as usize) < days {
            counts[d as usize] += 1;
        }
    }
    counts
}

/// The export gaps of the records' span, by the rule in the module docs.
pub fn find(recs: &Records) -> Vec<Gap> {
    let counts = daily_counts(recs);
    let mut gaps = Vec::new();
    let mut d = 0;
    while d < counts.len() {
        if counts[d] > 0 {
            d += 1;
            continue;
        }
        let a = d;
        while d < counts.len() && counts[d] == 0 {
            d += 1;
        }
        let b = d;
        let before = &counts[a.saturating_sub(NEIGHBOUR_DAYS)..a];
        let after = &counts[b..(b + NEIGHBOUR_DAYS).min(counts.len())];
        let n_days = before.len() + after.len();
        if n_days == 0 {
            continue;
        }
        let rate = before.iter().chain(after).map(|&c| f64::from(c)).sum::<f64>() / n_days as f64;
        let expected = rate * (b - a) as f64;
        if (-expected).exp() < GAP_P {
            let first = recs
                .start_date
                .checked_add(jiff::Span::new().days(a as i64))
                .unwrap_or(recs.start_date);
            gaps.push(Gap {
                first,
                days: b - a,
                expected,
                start_min: recs.span_start + a as f64 * DAY,
                end_min: recs.span_start + b as f64 * DAY,
            });
        }
    }
    gaps
}

/// Is time `t` (minutes) inside any gap?
pub fn in_gap(gaps: &[Gap], t: f64) -> bool {
    gaps.iter().any(|g| g.covers(t))
}

/// One line per gap, for reports: `2024-11-01 + 61 days (expected 180.3 requests)`.
pub fn describe(gaps: &[Gap]) -> String {
    if gaps.is_empty() {
        return "none".into();
    }
    gaps.iter()
        .map(|g| {
            format!(
                "{} + {} days (expected {:.1} requests)",
                g.first, g.days, g.expected
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::records::{Cleaning, Record};

    /// Records at `per_day` requests a day on the days `open` says, over
    /// `days` days from Monday 2025-05-05.
    fn records(days: usize, per_day: usize, open: impl Fn(usize) -> bool) -> Records {
        let start_date = jiff::civil::date(2025, 5, 5);
        let origin = jiff::civil::date(1970, 1, 5);
        let day0 = (start_date - origin).get_days() as f64;
        let span_start = day0 * DAY;
        let records = (0..days)
            .filter(|&d| open(d))
            .flat_map(|d| (0..per_day).map(move |k| (d, k)))
            .map(|(d, k)| Record {
                line: 2,
                region: "A".into(),
                call_type: "c".into(),
                transport: None,
                request: span_start + d as f64 * DAY + 60.0 * (k as f64 + 1.0),
                dispatch: None,
                arrival: None,
                departure: None,
            })
            .collect();
        Records {
            records,
            cleaning: Cleaning::default(),
            span_start,
            span_end: span_start + days as f64 * DAY,
            start_date,
            max_interval_min: 1440.0,
        }
    }

    #[test]
    fn a_week_without_requests_among_busy_days_is_a_gap() {
        let recs = records(60, 5, |d| !(20..27).contains(&d));
        let gaps = find(&recs);
        assert_eq!(gaps.len(), 1, "{gaps:?}");
        assert_eq!(gaps[0].first, jiff::civil::date(2025, 5, 25));
        assert_eq!(gaps[0].days, 7);
        assert!((gaps[0].expected - 35.0).abs() < 1e-9);
        assert!(in_gap(&gaps, recs.span_start + 21.5 * DAY));
        assert!(!in_gap(&gaps, recs.span_start + 27.5 * DAY));
    }

    #[test]
    fn an_empty_day_at_a_low_rate_is_not_a_gap() {
        // One request every other day: a day with none is expected.
        let recs = records(60, 1, |d| d % 2 == 0);
        assert!(find(&recs).is_empty());
        assert_eq!(describe(&[]), "none");
    }
}

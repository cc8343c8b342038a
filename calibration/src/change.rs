//! Change between the first and the last part of the span: a level shift
//! in the request rate and a change in the hour-of-day pattern, each with
//! its test statistic, so that a trend is reported rather than fitted as a
//! season.
//!
//! **Parts.** The span's days outside export gaps ([`crate::gaps`]) are
//! cut in thirds; the first third is compared with the last.
//!
//! **Level.** Poisson rate-ratio test, conditional on the total: with n₁
//! and n₂ requests over d₁ and d₂ days, n₁ ~ Binomial(n₁ + n₂, d₁/(d₁ + d₂))
//! when the rate did not change; z is the normal approximation and p its
//! two-sided p-value. A level shift is reported when p < [`ALPHA`] and the
//! rate ratio is outside 1 ± [`MIN_LEVEL_CHANGE`].
//!
//! **Pattern.** Pearson chi-square of the 2 × 24 table of requests by hour
//! of day (first part, last part), neighbouring hours pooled until every
//! expected count is at least 5; a change is reported when p < [`ALPHA`].

use jiff::civil::Date;
use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

use crate::gaps::{Gap, in_gap};
use crate::records::Records;

/// Significance level of both tests.
pub const ALPHA: f64 = 0.01;

/// Smallest relative change of the rate reported as a level shift.
pub const MIN_LEVEL_CHANGE: f64 = 0.15;

/// Fewest days in each part for the tests to run.
pub const MIN_PART_DAYS: usize = 7;

/// One part of the span: its days outside gaps and its requests.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// First day.
    pub first: Date,
    /// Last day (inclusive).
    pub last: Date,
    /// Days outside gaps.
    pub days: usize,
    /// Requests.
    pub requests: u64,
    /// Requests by hour of day.
    pub by_hour: [u64; 24],
}

/// The level test.
#[derive(Debug, Clone, PartialEq)]
pub struct Level {
    /// Rate of the last part over the first (requests per day).
    pub ratio: f64,
    /// Normal statistic of the conditional binomial test.
    pub z: f64,
    /// Two-sided p-value.
    pub p: f64,
    /// p < [`ALPHA`] and the ratio outside 1 ± [`MIN_LEVEL_CHANGE`].
    pub shift: bool,
}

/// The hour-of-day pattern test.
#[derive(Debug, Clone, PartialEq)]
pub struct Pattern {
    /// Pearson chi-square.
    pub chi_square: f64,
    /// Degrees of freedom.
    pub df: usize,
    /// p-value.
    pub p: f64,
    /// p < [`ALPHA`].
    pub changed: bool,
}

/// Both tests and the parts they compare.
#[derive(Debug, Clone, PartialEq)]
pub struct Changes {
    /// First third of the days outside gaps.
    pub first: Part,
    /// Last third.
    pub last: Part,
    /// The level test.
    pub level: Level,
    /// The pattern test.
    pub pattern: Pattern,
}

impl Changes {
    /// One paragraph for reports and comments.
    pub fn describe(&self) -> String {
        let (a, b) = (&self.first, &self.last);
        format!(
            "first part {}..{} ({} days, {} requests, {:.2}/day) vs last part {}..{} ({} days, {} requests, {:.2}/day): \
             level ratio {:.2}, z = {:.2}, p = {:.4} -> {}; hour-of-day chi-square {:.1} ({} df), p = {:.4} -> {}",
            a.first,
            a.last,
            a.days,
            a.requests,
            a.requests as f64 / a.days as f64,
            b.first,
            b.last,
            b.days,
            b.requests,
            b.requests as f64 / b.days as f64,
            self.level.ratio,
            self.level.z,
            self.level.p,
            if self.level.shift {
                "LEVEL SHIFT"
            } else {
                "no level shift"
            },
            self.pattern.chi_square,
            self.pattern.df,
            self.pattern.p,
            if self.pattern.changed {
                "PATTERN CHANGED"
            } else {
                "no pattern change"
            },
        )
    }
}

/// Tests the first third of the span's days outside gaps against the last
/// third; `None` when a third has fewer than [`MIN_PART_DAYS`] days.
pub fn detect(recs: &Records, gaps: &[Gap]) -> Option<Changes> {
    let day0 = (recs.span_start / 1440.0).floor() as i64;
    let n_days = ((recs.span_end - recs.span_start) / 1440.0).ceil() as i64;
    let open: Vec<i64> = (0..n_days)
        .filter(|d| !in_gap(gaps, recs.span_start + *d as f64 * 1440.0 + 1.0))
        .collect();
    let third = open.len() / 3;
    if third < MIN_PART_DAYS {
        return None;
    }
    let part = |days: &[i64]| -> Part {
        let (lo, hi) = (days[0], days[days.len() - 1]);
        let mut by_hour = [0u64; 24];
        let mut requests = 0;
        for r in &recs.records {
            let d = (r.request / 1440.0).floor() as i64 - day0;
            if d >= lo && d <= hi && days.binary_search(&d).is_ok() {
                requests += 1;
                by_hour[((r.request / 60.0).floor().rem_euclid(24.0)) as usize] += 1;
            }
        }
        let date = |d: i64| {
            recs.start_date
                .checked_add(jiff::Span::new().days(d))
                .unwrap_or(recs.start_date)
        };
        Part {
            first: date(lo),
            last: date(hi),
            days: days.len(),
            requests,
            by_hour,
        }
    };
    let first = part(&open[..third]);
    let last = part(&open[open.len() - third..]);
    let (n1, n2) = (first.requests as f64, last.requests as f64);
    let share = first.days as f64 / (first.days + last.days) as f64;
    let total = n1 + n2;
    let z = if total > 0.0 {
        (n1 - total * share) / (total * share * (1.0 - share)).sqrt()
    } else {
        0.0
    };
    let normal = Normal::standard();
    let p_level = 2.0 * (1.0 - normal.cdf(z.abs()));
    let ratio = (n2 / last.days as f64) / (n1 / first.days as f64);
    let level = Level {
        ratio,
        z: -z,
        p: p_level,
        shift: p_level < ALPHA && (ratio.is_nan() || (ratio - 1.0).abs() > MIN_LEVEL_CHANGE),
    };
    let (chi_square, df) = two_by_hours(&first.by_hour, &last.by_hour);
    let p = if df == 0 {
        1.0
    } else {
        ChiSquared::new(df as f64).map_or(f64::NAN, |d| 1.0 - d.cdf(chi_square))
    };
    Some(Changes {
        first,
        last,
        level,
        pattern: Pattern {
            chi_square,
            df,
            p,
            changed: p < ALPHA,
        },
    })
}

/// Chi-square of a 2 × k table (rows: the parts), neighbouring columns
/// pooled until both expected counts are at least 5. Returns (statistic, df).
fn two_by_hours(a: &[u64; 24], b: &[u64; 24]) -> (f64, usize) {
    let (na, nb) = (a.iter().sum::<u64>() as f64, b.iter().sum::<u64>() as f64);
    let n = na + nb;
    if na == 0.0 || nb == 0.0 {
        return (0.0, 0);
    }
    let (fa, fb) = (na / n, nb / n);
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut x, mut y) = (0.0, 0.0);
    for h in 0..24 {
        x += a[h] as f64;
        y += b[h] as f64;
        if (x + y) * fa.min(fb) >= 5.0 {
            cells.push((x, y));
            x = 0.0;
            y = 0.0;
        }
    }
    if x + y > 0.0 {
        match cells.last_mut() {
            Some(c) => {
                c.0 += x;
                c.1 += y;
            }
            None => cells.push((x, y)),
        }
    }
    let stat = cells
        .iter()
        .map(|&(x, y)| {
            let t = x + y;
            let (ea, eb) = (t * fa, t * fb);
            (x - ea).powi(2) / ea + (y - eb).powi(2) / eb
        })
        .sum();
    (stat, cells.len().saturating_sub(1))
}

#[cfg(test)]
mod tests {
    use super::two_by_hours;

    #[test]
    fn equal_patterns_give_zero_and_shifted_ones_a_large_statistic() {
        let a = [10u64; 24];
        assert_eq!(two_by_hours(&a, &a).0, 0.0);
        let mut b = [10u64; 24];
        b[..6].copy_from_slice(&[40; 6]);
        let (stat, df) = two_by_hours(&a, &b);
        assert_eq!(df, 23);
        assert!(stat > 60.0, "{stat}");
    }
}

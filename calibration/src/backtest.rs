//! The back-test: what the records show against what the model simulates
//! for the same span, by region.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use sim::results::RunResults;
use sim::results::{GroupFigure, RegionFigure};
use sim::stats::Estimate;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::fit::quantile;
use crate::records::{Records, hour_of_week, occupancy};

/// Fewest expected calls in a pooled chi-square cell.
pub const MIN_EXPECTED: f64 = 5.0;

/// The pass rule of a scored row (see the crate README): the observed
/// value lies inside the simulated 95% **prediction interval**
/// `mean ± half_width·√(R + 1)`, where `half_width` is the Student-t 95%
/// half-width of the mean of R replications. Every replication simulates
/// the records' own span, so one replication's value is the statistic at
/// the observed sample size, with that sample's noise; `half_width·√R` is
/// t times the replications' standard deviation, and the `+ 1` adds the
/// uncertainty of the simulated mean. For the hour-of-week chi-square
/// the row passes when p ≥ [`CHI_SQUARE_ALPHA`].
pub const PASS_RULE: &str = "observed inside mean ± half_width·√(R+1) (the 95% prediction interval of one replication of the same span); chi-square: p ≥ 0.05";

/// Observed (p50, p90, n) of an interval, minutes.
type Quantiles = (f64, f64, usize);

/// The two-sided 95% normal quantile.
const Z95: f64 = 1.959_963_985;

/// Overdispersion of a region's weekly request counts: their variance over
/// their mean (at least 1), over the whole weeks of the span outside export
/// gaps; 1 with fewer than 3 such weeks. The engine's arrivals are Poisson
/// (dispersion 1); real weekly counts vary more (Lane: 2–15, trends
/// included), so a count predicted from earlier weeks is observed with
/// variance φ·μ, not μ. The back-test adds (φ − 1)·μ to the variance of the
/// calls row's prediction interval, the same relative variance to the mean
/// busy teams (busy time is calls times service), and divides the
/// hour-of-week chi-square by φ (quasi-Poisson).
pub fn weekly_dispersion(recs: &Records, region: &str) -> f64 {
    let gaps = crate::gaps::find(recs);
    let week = 7.0 * 1440.0;
    let weeks = ((recs.span_end - recs.span_start) / week).floor() as usize;
    let open: Vec<usize> = (0..weeks)
        .filter(|&w| {
            let a = recs.span_start + w as f64 * week;
            !gaps.iter().any(|g| g.start_min < a + week && a < g.end_min)
        })
        .collect();
    if open.len() < 3 {
        return 1.0;
    }
    let mut counts = vec![0.0f64; weeks];
    for r in recs.records.iter().filter(|r| r.region == region) {
        let w = ((r.request - recs.span_start) / week).floor();
        if w >= 0.0 && (w as usize) < weeks {
            counts[w as usize] += 1.0;
        }
    }
    let v: Vec<f64> = open.iter().map(|&w| counts[w]).collect();
    let n = v.len() as f64;
    let mean = v.iter().sum::<f64>() / n;
    if mean <= 0.0 {
        return 1.0;
    }
    let var = v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0);
    (var / mean).max(1.0)
}

/// Significance level below which the hour-of-week chi-square row fails.
pub const CHI_SQUARE_ALPHA: f64 = 0.05;

/// One line of the back-test: a figure of one region, observed and simulated.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Region name.
    pub region: String,
    /// What is compared (with its unit and the observed sample size).
    pub figure: String,
    /// Observed value as shown.
    pub observed: String,
    /// Simulated mean ± 95% CI of the mean, as shown.
    pub simulated: String,
    /// The 95% prediction interval, when the row is scored by it.
    pub interval: Option<(f64, f64)>,
    /// Whether the row passes; `None`: not scored.
    pub pass: Option<bool>,
}

/// The 95% prediction interval of one replication's value (see [`PASS_RULE`]).
pub fn prediction_interval(e: &Estimate) -> Option<(f64, f64)> {
    if !e.mean.is_finite() || !e.half_width.is_finite() || e.n < 2 {
        return None;
    }
    let w = e.half_width * (f64::from(e.n) + 1.0).sqrt();
    Some((e.mean - w, e.mean + w))
}

fn scored(region: &str, figure: String, observed: f64, digits: usize, sim: Option<Estimate>) -> Row {
    scored_wider(region, figure, observed, digits, sim, 0.0)
}

/// [`scored`] with `extra_var` (value units squared) added to the
/// prediction interval's variance: the observed sample's noise that the
/// simulation does not have (see [`weekly_dispersion`]).
fn scored_wider(
    region: &str,
    figure: String,
    observed: f64,
    digits: usize,
    sim: Option<Estimate>,
    extra_var: f64,
) -> Row {
    let interval = sim.as_ref().and_then(prediction_interval).map(|(a, b)| {
        let (mid, half) = ((a + b) / 2.0, (b - a) / 2.0);
        let half = (half * half + Z95 * Z95 * extra_var.max(0.0)).sqrt();
        (mid - half, mid + half)
    });
    Row {
        region: region.to_string(),
        figure,
        observed: if observed.is_finite() {
            format!("{observed:.digits$}")
        } else {
            "n/a".into()
        },
        simulated: est(sim, digits),
        interval,
        pass: interval
            .filter(|_| observed.is_finite())
            .map(|(a, b)| a <= observed && observed <= b),
    }
}

/// The estimate of a count over the span
/// from a per-month estimate (each replication's value scales alike).
fn scale(e: Option<Estimate>, k: f64) -> Option<Estimate> {
    e.map(|e| Estimate {
        mean: e.mean * k,
        half_width: e.half_width * k,
        n: e.n,
    })
}

/// Compares records with a run of the same span, like with like:
/// request → dispatch against the model's first contact → a team set off
/// (intake + any wait), dispatch → arrival against travel, arrival →
/// departure against on-scene time, calls and busy teams over the span.
///
/// The observed counts are taken as Poisson (dispersion 1); see
/// [`compare_dispersed`] for the rolling back-test's wider intervals.
pub fn compare(recs: &Records, res: &RunResults) -> Vec<Row> {
    compare_dispersed(recs, res, &BTreeMap::new())
}

/// [`compare`] with each region's weekly overdispersion φ (regions not in
/// `dispersion` get 1), estimated on records the run was *not* compared
/// with (the rolling back-test: the training weeks).
pub fn compare_dispersed(recs: &Records, res: &RunResults, dispersion: &BTreeMap<String, f64>) -> Vec<Row> {
    let iv: Vec<_> = recs.records.iter().map(|r| recs.intervals_of(r, None)).collect();
    let months = (recs.span_end - recs.span_start) / sim::calendar::MONTH_MIN;
    let mut rows = Vec::new();
    for region in recs.regions() {
        let phi = dispersion.get(&region).copied().unwrap_or(1.0).max(1.0);
        let idx: Vec<usize> = (0..recs.records.len())
            .filter(|&i| recs.records[i].region == region)
            .collect();
        let mut obs = [0.0f64; 168];
        for &i in &idx {
            obs[hour_of_week(recs.records[i].request)] += 1.0;
        }
        // `mobile_per_week` is the bin's calls over the horizon's weeks.
        let weeks = recs.span_days() / 7.0;
        let mut exp = [0.0f64; 168];
        for row in res.hour_of_week.iter().filter(|h| h.region == region) {
            if let Some(e) = row.kpis.get("mobile_per_week") {
                exp[row.hour_of_week % 168] = e.mean * weeks;
            }
        }
        // The shape only: the level is the row above.
        let (total_obs, total_exp) = (obs.iter().sum::<f64>(), exp.iter().sum::<f64>());
        if total_exp > 0.0 {
            for e in &mut exp {
                *e *= total_obs / total_exp;
            }
        }
        let (chi, df, _) = chi_square(&obs, &exp);
        let chi = chi / phi;
        let p = if df == 0 {
            f64::NAN
        } else {
            ChiSquared::new(df as f64).map_or(f64::NAN, |d| 1.0 - d.cdf(chi))
        };
        let kpi = |f: GroupFigure| res.figure(Some(&region), None, None, f);
        let r = region.as_str();
        let calls = scale(kpi(GroupFigure::MobilePerMonth), months);
        let calls_mean = calls.map_or(f64::NAN, |e| e.mean);
        let with_phi = |s: &str| {
            if phi > 1.0 {
                format!("{s}, weekly dispersion φ = {phi:.2}")
            } else {
                s.to_string()
            }
        };
        rows.push(scored_wider(
            r,
            if phi > 1.0 {
                format!("calls in span (weekly dispersion φ = {phi:.2})")
            } else {
                "calls in span".into()
            },
            idx.len() as f64,
            1,
            calls,
            (phi - 1.0) * calls_mean,
        ));
        rows.push(Row {
            region: region.clone(),
            figure: with_phi(
                "calls by hour of week, shape (simulated scaled to the observed total): chi-square (df), p",
            ),
            observed: format!("{chi:.1} ({df}), p = {p:.3}"),
            simulated: String::new(),
            interval: None,
            pass: p.is_finite().then_some(p >= CHI_SQUARE_ALPHA),
        });
        let quantiles = |f: &dyn Fn(usize) -> Option<f64>| {
            let mut v: Vec<f64> = idx.iter().filter_map(|&i| f(i)).collect();
            v.sort_by(f64::total_cmp);
            (quantile(&v, 0.5), quantile(&v, 0.9), v.len())
        };
        let pairs: [(&str, &str, Quantiles, GroupFigure, GroupFigure); 4] = [
            (
                "response",
                "request→arrival",
                quantiles(&|i| iv[i].response),
                GroupFigure::ResponseP50Min,
                GroupFigure::ResponseP90Min,
            ),
            (
                "request→dispatch",
                "sim: intake + any wait for a team",
                quantiles(&|i| iv[i].intake),
                GroupFigure::DispatchDelayP50Min,
                GroupFigure::DispatchDelayP90Min,
            ),
            (
                "travel",
                "dispatch→arrival",
                quantiles(&|i| iv[i].travel),
                GroupFigure::TravelP50Min,
                GroupFigure::TravelP90Min,
            ),
            (
                "on scene",
                "arrival→departure",
                quantiles(&|i| iv[i].on_scene),
                GroupFigure::OnSceneP50Min,
                GroupFigure::OnSceneP90Min,
            ),
        ];
        for (name, what, (p50, p90, n), f50, f90) in pairs {
            rows.push(scored(
                r,
                format!("{name} p50 min ({what}, n = {n})"),
                p50,
                1,
                kpi(f50),
            ));
            rows.push(scored(r, format!("{name} p90 min"), p90, 1, kpi(f90)));
        }
        // A call without both a dispatch and a departure time is not busy
        // in the records: scale their busy time up by the share missing.
        let busy = recs.busy_intervals(Some(&region));
        let (mean_busy, two_busy) = occupancy(&busy, recs.span_start, recs.span_end);
        let k = if busy.is_empty() {
            f64::NAN
        } else {
            idx.len() as f64 / busy.len() as f64
        };
        let sim_busy = res.region_figure(&region, RegionFigure::MeanBusyTeams);
        let busy_extra = sim_busy.map_or(0.0, |e| e.mean * e.mean * (phi - 1.0) / calls_mean);
        rows.push(scored_wider(
            r,
            format!(
                "mean busy teams (records: dispatch→departure of {} of {} calls, scaled by {k:.3})",
                busy.len(),
                idx.len()
            ),
            mean_busy * k,
            3,
            sim_busy,
            if busy_extra.is_finite() { busy_extra } else { 0.0 },
        ));
        rows.push(scored(
            r,
            "P(≥2 busy) (records: unscaled, a lower bound)".into(),
            two_busy,
            3,
            res.region_figure(&region, RegionFigure::PTwoOrMoreBusy),
        ));
        rows.push(Row {
            region: region.clone(),
            figure: "diverted to police (share; not scored)".into(),
            observed: "0 (not in records)".into(),
            simulated: est(kpi(GroupFigure::DivertedShare), 3),
            interval: None,
            pass: None,
        });
    }
    rows
}

/// Rows passed and rows scored.
pub fn pass_count(rows: &[Row]) -> (usize, usize) {
    let scored: Vec<bool> = rows.iter().filter_map(|r| r.pass).collect();
    (scored.iter().filter(|&&p| p).count(), scored.len())
}

/// Pearson chi-square of counts against expected counts, pooling
/// consecutive cells until each expected count is at least [`MIN_EXPECTED`];
/// cells with zero expected count and zero observed are skipped. Returns
/// (statistic, degrees of freedom, p-value).
pub fn chi_square(obs: &[f64], exp: &[f64]) -> (f64, usize, f64) {
    let mut cells: Vec<(f64, f64)> = Vec::new();
    let (mut o, mut e) = (0.0, 0.0);
    for (a, b) in obs.iter().zip(exp) {
        o += a;
        e += b;
        if e >= MIN_EXPECTED {
            cells.push((o, e));
            o = 0.0;
            e = 0.0;
        }
    }
    if o > 0.0 || e > 0.0 {
        match cells.last_mut() {
            Some(last) => {
                last.0 += o;
                last.1 += e;
            }
            None => cells.push((o, e)),
        }
    }
    let stat: f64 = cells
        .iter()
        .filter(|c| c.1 > 0.0)
        .map(|(o, e)| (o - e).powi(2) / e)
        .sum();
    let df = cells.len().saturating_sub(1);
    let p = if df == 0 {
        f64::NAN
    } else {
        ChiSquared::new(df as f64).map_or(f64::NAN, |d| 1.0 - d.cdf(stat))
    };
    (stat, df, p)
}

fn est(e: Option<Estimate>, digits: usize) -> String {
    match e {
        Some(e) if e.mean.is_finite() => format!(
            "{:.*} ± {:.*}",
            digits,
            e.mean,
            digits,
            if e.half_width.is_finite() {
                e.half_width
            } else {
                0.0
            }
        ),
        _ => "n/a".into(),
    }
}

/// The back-test table as plain text (Markdown), one block per region,
/// and a last line with the pass count.
pub fn table(rows: &[Row]) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "| region | figure | observed | simulated ± 95% CI | 95% prediction interval | pass |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|---|");
    for r in rows {
        let interval = r
            .interval
            .map_or(String::new(), |(a, b)| format!("{a:.2} – {b:.2}"));
        let pass = match r.pass {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "",
        };
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {interval} | {pass} |",
            r.region, r.figure, r.observed, r.simulated
        );
    }
    let (p, n) = pass_count(rows);
    let _ = writeln!(
        s,
        "\nPassed {p} of {n} scored rows ({:.0}%). Rule: {PASS_RULE}.",
        100.0 * p as f64 / n.max(1) as f64
    );
    s
}

//! The back-test: what the records show against what the model simulates
//! for the same span, by region.

use std::fmt::Write as _;

use sim::results::RunResults;
use sim::results::{GroupFigure, RegionFigure};
use sim::stats::Estimate;
use statrs::distribution::{ChiSquared, ContinuousCDF};

use crate::fit::quantile;
use crate::records::{Records, hour_of_week, occupancy};

/// Fewest expected calls in a pooled chi-square cell.
pub const MIN_EXPECTED: f64 = 5.0;

/// One region's observed and simulated figures.
#[derive(Debug, Clone)]
pub struct RegionBacktest {
    /// Region name.
    pub region: String,
    /// Requests observed in the span.
    pub observed_calls: u64,
    /// Simulated calls in the span (mean over replications).
    pub simulated_calls: f64,
    /// Chi-square statistic of observed against simulated calls by hour of
    /// week (cells pooled in week order until the expected count is ≥ 5).
    pub chi_square: f64,
    /// Degrees of freedom (cells − 1).
    pub df: usize,
    /// p-value of the chi-square statistic.
    pub p_value: f64,
    /// Observed response (request → arrival) median and p90, minutes, and n.
    pub response_obs: (f64, f64, usize),
    /// Simulated response median and p90, minutes.
    pub response_sim: (Option<Estimate>, Option<Estimate>),
    /// Observed queue delay (request → dispatch) median and p90, minutes, and n.
    pub queue_obs: (f64, f64, usize),
    /// Simulated queue delay (waiting for a team) median and p90, minutes,
    /// and the KPI names used.
    pub queue_sim: (Option<Estimate>, Option<Estimate>, &'static str),
    /// Observed mean busy teams and share of time with ≥ 2 busy (dispatch → departure).
    pub busy_obs: (f64, f64),
    /// Simulated mean busy teams and P(≥ 2 busy).
    pub busy_sim: (Option<Estimate>, Option<Estimate>),
    /// Simulated share of calls diverted to police (the records have none:
    /// a diverted call leaves the simulated response times, which are of
    /// calls a team reached).
    pub diverted_sim: Option<Estimate>,
}

/// Compares records with a run of the same span.
pub fn compare(recs: &Records, res: &RunResults) -> Vec<RegionBacktest> {
    let iv: Vec<_> = recs.records.iter().map(|r| recs.intervals_of(r, None)).collect();
    recs.regions()
        .into_iter()
        .map(|region| {
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
            let (chi_square, df, p_value) = chi_square(&obs, &exp);
            let sorted = |f: &dyn Fn(usize) -> Option<f64>| {
                let mut v: Vec<f64> = idx.iter().filter_map(|&i| f(i)).collect();
                v.sort_by(f64::total_cmp);
                (quantile(&v, 0.5), quantile(&v, 0.9), v.len())
            };
            let kpi = |f: GroupFigure| res.figure(Some(&region), None, None, f);
            let queue_sim = match (kpi(GroupFigure::WaitP50Min), kpi(GroupFigure::WaitP90Min)) {
                (Some(a), Some(b)) => (Some(a), Some(b), "wait_p50_min / wait_p90_min"),
                _ => (
                    kpi(GroupFigure::WaitMeanMin),
                    None,
                    "wait_mean_min (no wait quantiles in this build)",
                ),
            };
            RegionBacktest {
                observed_calls: idx.len() as u64,
                simulated_calls: exp.iter().sum(),
                chi_square,
                df,
                p_value,
                response_obs: sorted(&|i| iv[i].response),
                response_sim: (kpi(GroupFigure::ResponseP50Min), kpi(GroupFigure::ResponseP90Min)),
                queue_obs: sorted(&|i| iv[i].intake),
                queue_sim,
                busy_obs: occupancy(
                    &recs.busy_intervals(Some(&region)),
                    recs.span_start,
                    recs.span_end,
                ),
                busy_sim: (
                    res.region_figure(&region, RegionFigure::MeanBusyTeams),
                    res.region_figure(&region, RegionFigure::PTwoOrMoreBusy),
                ),
                diverted_sim: kpi(GroupFigure::DivertedShare),
                region,
            }
        })
        .collect()
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

/// The back-test table as plain text (Markdown), one block per region.
pub fn table(rows: &[RegionBacktest]) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "| region | figure | observed | simulated ± 95% CI |");
    let _ = writeln!(s, "|---|---|---|---|");
    for r in rows {
        // (figure, observed, simulated) for each line of the region's block.
        let lines = [
            (
                "calls in span".to_string(),
                r.observed_calls.to_string(),
                format!("{:.1}", r.simulated_calls),
            ),
            (
                "calls by hour of week: chi-square (df), p".into(),
                format!("{:.1} ({}), p = {:.3}", r.chi_square, r.df, r.p_value),
                String::new(),
            ),
            (
                format!("response p50 min (n = {})", r.response_obs.2),
                format!("{:.1}", r.response_obs.0),
                est(r.response_sim.0, 1),
            ),
            (
                "response p90 min".into(),
                format!("{:.1}", r.response_obs.1),
                est(r.response_sim.1, 1),
            ),
            (
                format!(
                    "queue delay p50 min (obs: request→dispatch, n = {}; sim: {}, the wait for a team after intake)",
                    r.queue_obs.2, r.queue_sim.2
                ),
                format!("{:.1}", r.queue_obs.0),
                est(r.queue_sim.0, 1),
            ),
            (
                "queue delay p90 min".into(),
                format!("{:.1}", r.queue_obs.1),
                est(r.queue_sim.1, 1),
            ),
            (
                "mean busy teams".into(),
                format!("{:.3}", r.busy_obs.0),
                est(r.busy_sim.0, 3),
            ),
            (
                "P(≥2 busy)".into(),
                format!("{:.3}", r.busy_obs.1),
                est(r.busy_sim.1, 3),
            ),
            (
                "diverted to police (share)".into(),
                "0 (not in records)".into(),
                est(r.diverted_sim, 3),
            ),
        ];
        for (figure, observed, simulated) in lines {
            let _ = writeln!(s, "| {} | {figure} | {observed} | {simulated} |", r.region);
        }
    }
    s
}

//! The per-region table that `cessa-sim run` prints.

use sim::RunResults;
use sim::results::{GroupFigure, RegionFigure};
use sim::stats::Estimate;

use crate::percent::{Style, percent};

/// Shares in the table: bare numbers, the headers say `%`.
const PCT: Style = Style::bare(1);
/// The diverted share, with the half-width of its CI.
const PCT_CI: Style = Style::bare(1).half_width(2);

fn num(e: Option<Estimate>, digits: usize) -> String {
    match e {
        Some(e) if e.mean.is_finite() => format!("{:.*}", digits, e.mean),
        _ => "-".into(),
    }
}

/// The maximum response times of the call types in a region, e.g. `60/90/120`.
fn maxima(res: &RunResults, region: Option<&str>) -> String {
    let mut out: Vec<String> = Vec::new();
    for g in res
        .groups
        .iter()
        .filter(|g| g.region.as_deref() == region && g.call_type.is_some() && g.channel.is_none())
    {
        let s = g.max_response_min.map_or("none".to_string(), |m| format!("{m}"));
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if region.is_none() {
        return "-".into();
    }
    out.join("/")
}

/// A fixed-width table: one row per region and a statewide line.
///
/// Columns: contacts per month; % resolved by phone (of contacts); mobile
/// calls per month; % of mobile calls reached in time; % diverted to police
/// for lack of capacity with its 95% CI (of mobile calls); % of mobile calls
/// diverted because no team was on shift; median and 90th percentile
/// response (minutes, mean over replications); the maximum(s); team
/// utilization; overtime hours per month.
pub fn region_table(res: &RunResults) -> String {
    let header = [
        "region",
        "teams",
        "calls/mo",
        "phone%",
        "mobile/mo",
        "in time%",
        "late%",
        "diverted% ±95%CI",
        "no team%",
        "p50 min",
        "p90 min",
        "max min",
        "util%",
        "overtime h/mo",
    ];
    let mut rows: Vec<Vec<String>> = Vec::new();
    let names: Vec<Option<&str>> = res
        .regions
        .iter()
        .map(|r| Some(r.name.as_str()))
        .chain(std::iter::once(None))
        .collect();
    for name in names {
        let k = |f: GroupFigure| res.figure(name, None, None, f);
        let (teams, util, overtime) = match name {
            Some(n) => {
                let r = res.regions.iter().find(|r| r.name == n).expect("region listed");
                (
                    r.teams.to_string(),
                    percent(res.region_figure(n, RegionFigure::Utilization), PCT),
                    num(res.region_figure(n, RegionFigure::OvertimeHoursPerMonth), 1),
                )
            }
            None => {
                let teams: u32 = res.regions.iter().map(|r| r.teams).sum();
                (teams.to_string(), "-".into(), "-".into())
            }
        };
        rows.push(vec![
            name.unwrap_or("Statewide").to_string(),
            teams,
            num(k(GroupFigure::ContactsPerMonth), 0),
            percent(k(GroupFigure::PhoneShareOfContacts), PCT),
            num(k(GroupFigure::MobilePerMonth), 0),
            percent(k(GroupFigure::InTimeShare), PCT),
            percent(k(GroupFigure::LateShare), PCT),
            percent(k(GroupFigure::DivertedShare), PCT_CI),
            percent(k(GroupFigure::NoTeamOnShiftShare), PCT),
            num(k(GroupFigure::ResponseP50Min), 1),
            num(k(GroupFigure::ResponseP90Min), 1),
            maxima(res, name),
            util,
            overtime,
        ]);
    }
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let mut out = line(&header.map(String::from));
    out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
    out.push('\n');
    let n = rows.len();
    for (i, r) in rows.iter().enumerate() {
        if i == n - 1 {
            out.push_str(&"-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)));
            out.push('\n');
        }
        out.push_str(&line(r));
    }
    out
}

/// The validation table: case, parameters, quantity, exact value,
/// simulated mean ± 99% CI half-width, pass or FAIL.
pub fn validation_table(checks: &[sim::validation::Check]) -> String {
    let mut out = format!(
        "{:<15} {:<36} {:<40} {:>10} {:>22} {}\n",
        "case", "parameters", "quantity", "exact", "simulated ± 99% CI", "result"
    );
    for c in checks {
        let sim = format!("{:.5} ± {:.5}", c.simulated.mean, c.simulated.half_width);
        out.push_str(&format!(
            "{:<15} {:<36} {:<40} {:>10.5} {:>22} {}\n",
            c.case,
            c.params,
            c.quantity,
            c.exact,
            sim,
            if c.pass { "pass" } else { "FAIL" }
        ));
    }
    let passed = checks.iter().filter(|c| c.pass).count();
    out.push_str(&format!("\n{passed} of {} checks passed\n\n", checks.len()));
    out
}

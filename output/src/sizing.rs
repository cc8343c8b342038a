//! The staffing table of `cessa-sim size` and its files.

use std::path::Path;

use sim::sizing::{Sizing, Target};

use crate::tables::{OutputError, rows_to_csv, to_csv, write_atomic, write_run};

fn hours(s: &Sizing, region: &str, base: bool) -> f64 {
    s.groups
        .iter()
        .filter(|g| g.region == region)
        .map(|g| f64::from(if base { g.base_count } else { g.count }) * g.hours_per_week)
        .sum()
}

fn share(e: Option<sim::stats::Estimate>) -> String {
    match e {
        Some(e) if e.mean.is_finite() => format!("{:.1}% (≤ {:.1}%)", 100.0 * e.mean, 100.0 * e.high()),
        _ => "-".into(),
    }
}

/// The recommendation: teams per group against the scenario's, then per
/// region the diverted share (mean and upper 95% bound) and team-hours per
/// week before and after.
pub fn sizing_table(s: &Sizing, target: &Target) -> String {
    let mut out = format!(
        "Target in every region: diverted share ≤ {:.1}% (upper 95% bound){}\n\n",
        100.0 * target.max_diverted_share,
        if target.p90_within_max {
            ", p90 response within each maximum"
        } else {
            ""
        }
    );
    out.push_str(&format!(
        "{:<11} {:<28} {:<22} {:>8} {:>6} {:>11}\n",
        "region", "team group", "base", "h/week", "teams", "recommended"
    ));
    for g in s.groups.iter().filter(|g| g.base_count > 0 || g.count > 0) {
        out.push_str(&format!(
            "{:<11} {:<28} {:<22} {:>8.0} {:>6} {:>11}\n",
            g.region, g.group, g.base, g.hours_per_week, g.base_count, g.count
        ));
    }
    out.push_str(&format!(
        "\n{:<11} {:>22} {:>22} {:>13} {:>13} {}\n",
        "region", "diverted now", "diverted sized", "team-h/wk now", "team-h/wk sized", "target"
    ));
    let (mut before, mut after) = (0.0, 0.0);
    for (region, met) in &s.met {
        let (b, a) = (hours(s, region, true), hours(s, region, false));
        before += b;
        after += a;
        out.push_str(&format!(
            "{:<11} {:>22} {:>22} {:>13.0} {:>15.0} {}\n",
            region,
            share(s.base_results.kpi(Some(region), None, None, "diverted_share")),
            share(s.results.kpi(Some(region), None, None, "diverted_share")),
            b,
            a,
            if *met { "met" } else { "NOT MET (team cap reached)" }
        ));
    }
    out.push_str(&format!(
        "{:<11} {:>22} {:>22} {:>13.0} {:>15.0}\n",
        "Statewide", "", "", before, after
    ));
    out
}

/// Writes `sized.toml` (the scenario with the recommended teams), `size.csv`
/// (the group table) and the sized run's tables (`sized-run/`).
pub fn write_sizing(dir: &Path, s: &Sizing, target: &Target, version: &str) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let header = format!(
        "# Sized by cessa-sim {version} size: the fewest teams found with every region's diverted share\n\
         # at most {} (upper 95% bound, {} replications){}.\n\n",
        target.max_diverted_share,
        target.replications,
        if target.p90_within_max {
            " and p90 response within each maximum"
        } else {
            ""
        }
    );
    write_atomic(
        &dir.join("sized.toml"),
        format!("{header}{}", s.scenario_toml).as_bytes(),
    )?;
    let head = [
        "region",
        "group",
        "base",
        "hours_per_week",
        "teams_now",
        "teams_recommended",
    ]
    .map(String::from)
    .to_vec();
    let rows = s
        .groups
        .iter()
        .map(|g| {
            vec![
                g.region.clone(),
                g.group.clone(),
                g.base.clone(),
                g.hours_per_week.to_string(),
                g.base_count.to_string(),
                g.count.to_string(),
            ]
        })
        .collect();
    let path = dir.join("size.csv");
    let mut bytes = to_csv(head, Vec::new(), &path)?;
    bytes.extend(rows_to_csv(rows, &path)?);
    write_atomic(&path, &bytes)?;
    write_run(&dir.join("sized-run"), &s.results, &s.scenario_toml, version)?;
    Ok(())
}

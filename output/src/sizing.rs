//! The staffing table of `cessa-sim size` and its files.

use std::path::Path;

use sim::sizing::{AnswerTarget, Sizing, Target};

use crate::percent::{Style, percent};
use crate::tables::{OutputError, write_atomic, write_csv, write_run};

fn hours(s: &Sizing, region: &str, base: bool) -> f64 {
    s.groups
        .iter()
        .filter(|g| g.region == region)
        .map(|g| f64::from(if base { g.base_count } else { g.count }) * g.hours_per_week)
        .sum()
}

/// A miss share with the upper end of its CI, which the target bounds.
const MISS: Style = Style::share(1).upper_bound();

/// An answer share with the lower end of its CI, which the target bounds.
const ANSWER: Style = Style::share(1).lower_bound();

/// The team target in words.
fn miss_text(target: &Target) -> String {
    let mut t = format!(
        "miss share (diverted or late) ≤ {} (upper 95% bound)",
        percent(target.max_miss_share, Style::share(1))
    );
    if target.per_call_type {
        t.push_str(", also per call type");
    }
    if target.p90_within_max {
        t.push_str(", and at least 90% of each call type's mobile calls in time (p90 within the maximum)");
    }
    t
}

/// The counsellor target in words.
fn answer_text(a: &AnswerTarget) -> String {
    let mut t = format!(
        "in-state answer share ≥ {} (lower 95% bound)",
        percent(a.min_answer_share, Style::share(1))
    );
    if let Some(m) = a.min_within_20s {
        t.push_str(&format!(
            ", and answered within 20 s ≥ {} of answered contacts (lower 95% bound)",
            percent(m, Style::share(1))
        ));
    }
    t
}

/// The target in words.
pub fn target_text(target: &Target) -> String {
    let mut parts = Vec::new();
    if target.teams {
        parts.push(miss_text(target));
    }
    if let Some(a) = &target.answer {
        parts.push(answer_text(a));
    }
    parts.join("; ")
}

/// A figure's short name in the tables.
fn figure_label(name: &str) -> &str {
    match name {
        "in_state_answer_share" => "answered in state",
        "answered_within_20s_share" => "answered ≤ 20 s",
        other => other,
    }
}

fn counsellor_hours(s: &Sizing, centre: &str, base: bool) -> f64 {
    s.counsellors
        .iter()
        .filter(|g| g.centre == centre)
        .map(|g| f64::from(if base { g.base_count } else { g.count }) * g.hours_per_week)
        .sum()
}

/// The recommendation: teams per group against the scenario's, then per
/// searched region the miss share before, in the search and on the
/// verification run (another seed), and team-hours per week; with
/// counsellors, the same for each counsellor group and each answer figure
/// of each region a sized centre answers.
pub fn sizing_table(s: &Sizing, target: &Target) -> String {
    let mut out = String::new();
    if target.teams {
        out.push_str(&format!("Target in each sized region: {}.\n", miss_text(target)));
    }
    if let Some(a) = &target.answer {
        out.push_str(&format!(
            "Target in each region a sized contact centre answers: {}.\n",
            answer_text(a)
        ));
        if target.teams {
            out.push_str(&format!(
                "A counsellor-hour costs {} team-hours in the joint search (--counsellor-cost).\n",
                a.counsellor_cost
            ));
        }
    }
    out.push_str(&format!(
        "Verified on {} replications with seed {} (the search used {} replications of another seed).\n",
        s.results.replications, s.verify_seed, target.replications
    ));
    if target.teams {
        out.push_str(&format!(
            "\n{:<11} {:<34} {:<24} {:<20} {:>8} {:>6} {:>11}\n",
            "region", "team group", "base", "shift", "h/week", "teams", "recommended"
        ));
        for g in s.groups.iter().filter(|g| g.base_count > 0 || g.count > 0) {
            out.push_str(&format!(
                "{:<11} {:<34} {:<24} {:<20} {:>8.0} {:>6} {:>11}\n",
                g.region, g.group, g.base, g.shift, g.hours_per_week, g.base_count, g.count
            ));
        }
        out.push_str(&format!(
            "\n{:<11} {:>20} {:>20} {:>20} {:>13} {:>15} {}\n",
            "region",
            "miss now",
            "miss sized (search)",
            "miss sized (verify)",
            "team-h/wk now",
            "team-h/wk sized",
            "target"
        ));
        for c in &s.checks {
            out.push_str(&format!(
                "{:<11} {:>20} {:>20} {:>20} {:>13.0} {:>15.0} {}\n",
                c.region,
                percent(c.before, MISS),
                percent(c.search, MISS),
                percent(c.verified, MISS),
                hours(s, &c.region, true),
                hours(s, &c.region, false),
                if c.met {
                    "met"
                } else if c.phone_bound {
                    "NOT MET: the phones lose more (see below)"
                } else {
                    "NOT MET"
                }
            ));
        }
    }
    if target.answer.is_some() {
        // Centre names are as long as their scenario makes them.
        let w = s
            .counsellors
            .iter()
            .map(|g| g.centre.chars().count())
            .max()
            .unwrap_or(0)
            .max(6);
        out.push_str(&format!(
            "\n{:<w$} {:<20} {:<24} {:>8} {:>11} {:>11}\n",
            "centre", "counsellor group", "shift", "h/week", "counsellors", "recommended"
        ));
        for g in &s.counsellors {
            out.push_str(&format!(
                "{:<w$} {:<20} {:<24} {:>8.0} {:>11} {:>11}\n",
                g.centre, g.group, g.shift, g.hours_per_week, g.base_count, g.count
            ));
        }
        out.push_str(&format!(
            "\n{:<w$} {:<11} {:<18} {:>18} {:>18} {:>18} {:>7} {:>19} {:>21} {}\n",
            "centre",
            "region",
            "figure",
            "now",
            "sized (search)",
            "sized (verify)",
            "minimum",
            "counsellor-h/wk now",
            "counsellor-h/wk sized",
            "target"
        ));
        for c in &s.answer_checks {
            out.push_str(&format!(
                "{:<w$} {:<11} {:<18} {:>18} {:>18} {:>18} {:>7} {:>19.0} {:>21.0} {}\n",
                c.centre,
                c.region,
                figure_label(c.figure),
                percent(c.before, ANSWER),
                percent(c.search, ANSWER),
                percent(c.verified, ANSWER),
                percent(c.target, Style::share(1)),
                counsellor_hours(s, &c.centre, true),
                counsellor_hours(s, &c.centre, false),
                if c.met { "met" } else { "NOT MET" }
            ));
        }
    }
    out
}

/// Writes `sized.toml` (the scenario with the recommended teams and
/// counsellors), `size.csv` (the team group table), `checks.csv` (search and
/// verification figures), `tradeoff.csv` (team-hours against the miss share,
/// one row per step and region), with counsellors `counsellors.csv`,
/// `answer_checks.csv` and `answer_tradeoff.csv` (the same for the
/// counsellor groups and answer figures), and the verification run's tables
/// (`sized-run/`).
pub fn write_sizing(dir: &Path, s: &Sizing, target: &Target, version: &str) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut sized: Vec<String> = Vec::new();
    if !s.checks.is_empty() {
        sized.push(
            s.checks
                .iter()
                .map(|c| c.region.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let mut centres: Vec<&str> = s.counsellors.iter().map(|g| g.centre.as_str()).collect();
    centres.dedup();
    if !centres.is_empty() {
        sized.push(format!("the counsellors of {}", centres.join(", ")));
    }
    let header = format!(
        "# Sized by cessa-sim {version} size: {} in {}.\n# Verified on {} replications with seed {}.\n",
        target_text(target),
        sized.join(" and "),
        s.results.replications,
        s.verify_seed
    );
    write_atomic(
        &dir.join("sized.toml"),
        format!("{header}{}", s.scenario_toml).as_bytes(),
    )?;
    let f = crate::tables::fmt;
    let head = [
        "region",
        "group",
        "base",
        "sites",
        "capabilities",
        "shift",
        "hours_per_week",
        "teams_now",
        "teams_recommended",
    ];
    let rows = s
        .groups
        .iter()
        .map(|g| {
            vec![
                g.region.clone(),
                g.group.clone(),
                g.base.clone(),
                g.sites.join("; "),
                g.capabilities.join("; "),
                g.shift.clone(),
                g.hours_per_week.to_string(),
                g.base_count.to_string(),
                g.count.to_string(),
            ]
        })
        .collect();
    write_csv(&dir.join("size.csv"), &head, rows)?;
    let head = [
        "region",
        "miss_now",
        "miss_search",
        "miss_search_ci_high",
        "miss_verified",
        "miss_verified_ci_low",
        "miss_verified_ci_high",
        "lost_at_phones",
        "phone_bound",
        "met",
    ];
    let rows = s
        .checks
        .iter()
        .map(|c| {
            vec![
                c.region.clone(),
                f(c.before.mean),
                f(c.search.mean),
                f(c.search.high()),
                f(c.verified.mean),
                f(c.verified.low()),
                f(c.verified.high()),
                f(c.lost_at_phones.mean),
                c.phone_bound.to_string(),
                c.met.to_string(),
            ]
        })
        .collect();
    write_csv(&dir.join("checks.csv"), &head, rows)?;
    let head = [
        "step",
        "region",
        "teams",
        "team_hours_per_week",
        "miss_share",
        "miss_share_ci_low",
        "miss_share_ci_high",
    ];
    let rows = s
        .steps
        .iter()
        .map(|p| {
            vec![
                p.step.to_string(),
                p.region.clone(),
                p.teams.to_string(),
                p.team_hours_per_week.to_string(),
                f(p.miss_share.mean),
                f(p.miss_share.low()),
                f(p.miss_share.high()),
            ]
        })
        .collect();
    write_csv(&dir.join("tradeoff.csv"), &head, rows)?;
    if target.answer.is_some() {
        let head = [
            "centre",
            "group",
            "shift",
            "hours_per_week",
            "counsellors_now",
            "counsellors_recommended",
        ];
        let rows = s
            .counsellors
            .iter()
            .map(|g| {
                vec![
                    g.centre.clone(),
                    g.group.clone(),
                    g.shift.clone(),
                    g.hours_per_week.to_string(),
                    g.base_count.to_string(),
                    g.count.to_string(),
                ]
            })
            .collect();
        write_csv(&dir.join("counsellors.csv"), &head, rows)?;
        let head = [
            "centre",
            "region",
            "figure",
            "minimum",
            "now",
            "search",
            "search_ci_low",
            "verified",
            "verified_ci_low",
            "verified_ci_high",
            "met",
        ];
        let rows = s
            .answer_checks
            .iter()
            .map(|c| {
                vec![
                    c.centre.clone(),
                    c.region.clone(),
                    c.figure.to_string(),
                    f(c.target),
                    f(c.before.mean),
                    f(c.search.mean),
                    f(c.search.low()),
                    f(c.verified.mean),
                    f(c.verified.low()),
                    f(c.verified.high()),
                    c.met.to_string(),
                ]
            })
            .collect();
        write_csv(&dir.join("answer_checks.csv"), &head, rows)?;
        let head = [
            "step",
            "centre",
            "region",
            "counsellors",
            "counsellor_hours_per_week",
            "in_state_answer_share",
            "in_state_answer_share_ci_low",
            "in_state_answer_share_ci_high",
        ];
        let rows = s
            .centre_steps
            .iter()
            .map(|p| {
                vec![
                    p.step.to_string(),
                    p.centre.clone(),
                    p.region.clone(),
                    p.counsellors.to_string(),
                    p.counsellor_hours_per_week.to_string(),
                    f(p.answer_share.mean),
                    f(p.answer_share.low()),
                    f(p.answer_share.high()),
                ]
            })
            .collect();
        write_csv(&dir.join("answer_tradeoff.csv"), &head, rows)?;
    }
    write_run(&dir.join("sized-run"), &s.results, &s.scenario_toml, version)?;
    Ok(())
}

/// Writes the sizing report into `out` from a folder written by
/// [`write_sizing`] (every file but `size.csv` may be missing: in folders
/// from before they existed, or without counsellors) and the verification
/// run's results.
pub fn write_sizing_report_from(
    dir: &Path,
    out: &Path,
    results: &sim::RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<std::path::PathBuf, OutputError> {
    let read = |f: &str, required: bool| match std::fs::read_to_string(dir.join(f)) {
        Ok(text) => Ok(text),
        Err(e) if !required && e.kind() == std::io::ErrorKind::NotFound => Ok(String::new()),
        Err(source) => Err(OutputError::Io {
            path: dir.join(f),
            source,
        }),
    };
    let files = crate::report::SizingFiles {
        size: read("size.csv", true)?,
        checks: read("checks.csv", false)?,
        tradeoff: read("tradeoff.csv", false)?,
        counsellors: read("counsellors.csv", false)?,
        answer_checks: read("answer_checks.csv", false)?,
        answer_tradeoff: read("answer_tradeoff.csv", false)?,
    };
    crate::report::write_sizing_report(out, &files, results, scenario_toml, version)
}

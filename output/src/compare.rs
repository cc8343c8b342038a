//! The table and files of `cessa-sim compare`.

use std::path::Path;

use sim::compare::{Comparison, Measure, Row};
use sim::stats::Estimate;

use crate::percent::{Style, percent};
use crate::tables::{OutputError, write_atomic, write_csv};

/// A measure's value: a share in percent, else minutes or hours.
fn value(m: Measure, e: Estimate) -> String {
    if m.is_share() {
        percent(e, Style::share(2))
    } else if e.mean.is_finite() {
        format!("{:.1}", e.mean)
    } else {
        "-".into()
    }
}

/// A change from the base: in percentage points for a share.
fn change(m: Measure, r: &Row) -> String {
    match r.change {
        Some(c) if c.mean.is_finite() => {
            let mark = if r.distinguishable() == Some(true) {
                " *"
            } else {
                ""
            };
            let text = match m.is_share() {
                true => percent(c, Style::change(2, " pts")),
                false => format!("{:+.2} ± {:.2}", c.mean, c.half_width),
            };
            format!("{text}{mark}")
        }
        Some(_) => "-".into(),
        None => "(base)".into(),
    }
}

/// The terminal table: per region (statewide first) and option, each
/// measure and its change from the base with the paired 95% CI; `*` marks a
/// change whose interval excludes zero.
pub fn compare_table(c: &Comparison) -> String {
    let mut out = format!(
        "{} options on the same {} replications (seed {}); change = option − {} with its paired 95% CI; * = distinguishable from zero.\n",
        c.options.len(),
        c.replications,
        c.seed,
        c.options[0]
    );
    let regions = c.regions();
    for region in regions {
        out.push_str(&format!(
            "\n{}\n{:<24} {:>9} {:>22} {:>9} {:>22} {:>8} {:>18} {:>9} {:>12}\n",
            region.unwrap_or("Statewide"),
            "option",
            "miss",
            "change",
            "diverted",
            "change",
            "p90 min",
            "change",
            "team-h/wk",
            "change"
        ));
        for o in &c.options {
            let mut cells = vec![format!("{o:<24}")];
            for (m, w) in [
                (Measure::MissShare, (9, 22)),
                (Measure::DivertedShare, (9, 22)),
                (Measure::ResponseP90Min, (8, 18)),
                (Measure::TeamHoursPerWeek, (9, 12)),
            ] {
                if let Some(r) = c.row(o, region, m) {
                    cells.push(format!("{:>w0$}", value(m, r.value), w0 = w.0));
                    cells.push(format!("{:>w1$}", change(m, r), w1 = w.1));
                }
            }
            out.push_str(&cells.join(" "));
            out.push('\n');
        }
    }
    out
}

/// Writes `compare.csv` (one row per option × region × measure: value and
/// CI, paired change and CI, the unpaired half-width, distinguishable) and
/// `compare.json`.
pub fn write_compare(dir: &Path, c: &Comparison, version: &str) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let f = crate::tables::fmt;
    let head = [
        "option",
        "region",
        "measure",
        "value",
        "ci_low",
        "ci_high",
        "change",
        "change_ci_low",
        "change_ci_high",
        "unpaired_half_width",
        "distinguishable",
    ];
    let rows = c
        .rows
        .iter()
        .map(|r| {
            let (ch, lo, hi) = r
                .change
                .map_or((f64::NAN, f64::NAN, f64::NAN), |x| (x.mean, x.low(), x.high()));
            vec![
                r.option.clone(),
                r.region.clone().unwrap_or_else(|| "Statewide".into()),
                r.measure.name().into(),
                f(r.value.mean),
                f(r.value.low()),
                f(r.value.high()),
                f(ch),
                f(lo),
                f(hi),
                r.unpaired_half_width.map_or(String::new(), f),
                r.distinguishable().map_or(String::new(), |d| d.to_string()),
            ]
        })
        .collect();
    write_csv(&dir.join("compare.csv"), &head, rows)?;
    let path = dir.join("compare.json");
    let json = serde_json::json!({ "software": "cessa-sim", "version": version, "comparison": c });
    let bytes = serde_json::to_vec_pretty(&json).map_err(|e| OutputError::Format {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &bytes)
}

//! The tables and files of `cessa-sim sensitivity`.

use std::path::Path;

use sim::sensitivity::{Sensitivity, Which};

use crate::percent::{Style, percent};
use crate::tables::{OutputError, write_atomic, write_csv};

/// The terminal table: per assumption, the statewide diverted share at
/// its low and high value and the change from the base with its paired CI;
/// then one verdict per region.
pub fn sensitivity_table(s: &Sensitivity) -> String {
    let mut out = String::new();
    let base = s.row("", Which::Base, None).map(|r| r.diverted_share);
    if let Some(b) = base {
        out.push_str(&format!(
            "Statewide diverted share as given: {} (Monte Carlo 95% CI, {} replications, seed {})\n\n",
            percent(b, Style::share(1).half_width(2)),
            s.replications,
            s.seed
        ));
    }
    out.push_str(&format!(
        "{:<28} {:>9} {:>18} {:>9} {:>18}  {}\n",
        "assumption (largest first)", "low %", "change (paired CI)", "high %", "change (paired CI)", "range"
    ));
    for e in s.effects(None) {
        let cell = |w: Which| {
            let r = s.row(&e.name, w, None);
            (
                percent(r.map(|r| r.diverted_share), Style::bare(1)),
                percent(r.and_then(|r| r.change), Style::change(2, "")),
                r.map_or(String::new(), |r| r.setting.clone()),
            )
        };
        let (lv, lc, ls) = cell(Which::Low);
        let (hv, hc, hs) = cell(Which::High);
        // The file's note, else the two settings (in full in the CSV).
        let note = s
            .assumptions
            .iter()
            .find(|a| a.0 == e.name)
            .map_or("", |a| a.1.as_str());
        let range = if note.is_empty() {
            format!("{ls} / {hs}")
        } else {
            note.to_string()
        };
        out.push_str(&format!(
            "{:<28} {:>9} {:>18} {:>9} {:>18}  {}\n",
            e.name, lv, lc, hv, hc, range
        ));
    }
    out.push('\n');
    out.push_str(&s.verdict(None));
    out.push('\n');
    for r in s.regions() {
        out.push_str(&s.verdict(Some(r)));
        out.push('\n');
    }
    out
}

/// Writes `sensitivity.csv` (one row per run and region: the diverted share
/// with its Monte Carlo CI, and the paired change from the base with its CI)
/// and `sensitivity.json` (the same, for `cessa-sim report`).
pub fn write_sensitivity(dir: &Path, s: &Sensitivity, version: &str) -> Result<(), OutputError> {
    std::fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let head = [
        "assumption",
        "side",
        "setting",
        "region",
        "diverted_share",
        "mc_ci_low",
        "mc_ci_high",
        "change_vs_base",
        "change_ci_low",
        "change_ci_high",
    ];
    let f = crate::tables::fmt;
    let rows = s
        .rows
        .iter()
        .map(|r| {
            let d = r.diverted_share;
            let (c, cl, ch) = r
                .change
                .map_or((f64::NAN, f64::NAN, f64::NAN), |c| (c.mean, c.low(), c.high()));
            vec![
                r.assumption.clone(),
                r.which.as_str().to_string(),
                r.setting.clone(),
                r.region.clone().unwrap_or_else(|| "Statewide".into()),
                f(d.mean),
                f(d.low()),
                f(d.high()),
                f(c),
                f(cl),
                f(ch),
            ]
        })
        .collect();
    write_csv(&dir.join("sensitivity.csv"), &head, rows)?;
    let path = dir.join("sensitivity.json");
    let json = serde_json::json!({
        "software": "cessa-sim",
        "version": version,
        "sensitivity": s,
    });
    let bytes = serde_json::to_vec_pretty(&json).map_err(|e| OutputError::Format {
        path: path.clone(),
        message: e.to_string(),
    })?;
    write_atomic(&path, &bytes)
}

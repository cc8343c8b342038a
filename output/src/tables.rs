//! `summary.json` and the CSV tables of a run.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use serde::Serialize;
use sim::RunResults;
use sim::results::{GROUP_KPIS, GroupResult, HOUR_KPIS, REGION_KPIS, TEAM_KPIS};
use sim::stats::Estimate;
use sim::tally::MonthZone;

/// Errors while writing outputs.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The folder holds files this program did not write.
    #[error("{path}: {message}")]
    Refused {
        /// The folder.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Serialisation failed (a bug).
    #[error("cannot serialise {path}: {message}")]
    Format {
        /// The file.
        path: PathBuf,
        /// The cause.
        message: String,
    },
}

/// What `summary.json` holds: the software, the scenario as given, and
/// every figure of the run with its CI.
#[derive(Debug, Serialize)]
pub struct Summary<'a> {
    /// `cessa-sim`.
    pub software: &'static str,
    /// The software version.
    pub version: &'a str,
    /// The scenario file's text, exactly as run.
    pub scenario_toml: &'a str,
    /// The results.
    pub results: &'a RunResults,
}

/// The files a run wrote.
#[derive(Debug, Clone)]
pub struct RunOutputs {
    /// Every file, in the order written.
    pub files: Vec<PathBuf>,
}

/// Writes a file atomically: to a temporary name, then renamed, so a kill
/// never leaves a torn file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), OutputError> {
    let io_err = |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    };
    let tmp = path.with_extension("tmp");
    if let Err(e) = fs::write(&tmp, bytes) {
        // A full disk must not leave a torn temporary file behind.
        let _ = fs::remove_file(&tmp);
        return Err(io_err(e));
    }
    fs::rename(&tmp, path).map_err(io_err)
}

fn est_headers(names: &[&str]) -> Vec<String> {
    names
        .iter()
        .flat_map(|n| [n.to_string(), format!("{n}_ci_low"), format!("{n}_ci_high")])
        .collect()
}

/// A number as a CSV cell: its shortest exact text, empty when undefined.
pub(crate) fn fmt(x: f64) -> String {
    if x.is_finite() {
        format!("{x}")
    } else {
        String::new()
    }
}

fn est_cells(e: Option<&Estimate>) -> [String; 3] {
    match e {
        Some(e) => [fmt(e.mean), fmt(e.low()), fmt(e.high())],
        None => [String::new(), String::new(), String::new()],
    }
}

/// A cell safe to open in a spreadsheet: text that starts like a formula
/// (`=`, `+`, `-`, `@`, tab, carriage return) gets a leading `'` (OWASP's
/// advice against CSV injection); numbers, negative ones included, are kept.
pub fn csv_cell(cell: &str) -> std::borrow::Cow<'_, str> {
    let risky = cell.starts_with(['=', '+', '-', '@', '\t', '\r']) && cell.parse::<f64>().is_err();
    if risky {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

fn csv_bytes(header: Vec<String>, rows: Vec<Vec<String>>, path: &Path) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| OutputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    w.write_record(header.iter().map(|c| csv_cell(c).into_owned()))
        .map_err(fail)?;
    for r in rows {
        w.write_record(r.iter().map(|c| csv_cell(c).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner().map_err(|e| OutputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

fn group_rows(groups: &[&GroupResult]) -> Vec<Vec<String>> {
    groups
        .iter()
        .map(|g| {
            let mut row = vec![
                g.region.clone().unwrap_or_else(|| "Statewide".into()),
                g.call_type.clone().unwrap_or_default(),
                g.channel.clone().unwrap_or_default(),
                g.max_response_min.map(fmt).unwrap_or_default(),
                g.zone_maxima_text("=", "; ").unwrap_or_default(),
            ];
            for &k in GROUP_KPIS {
                row.extend(est_cells(g.kpis.get(k)));
            }
            row.extend([
                fmt(g.pooled_p50_min),
                fmt(g.pooled_p90_min),
                fmt(g.pooled_p95_min),
            ]);
            row
        })
        .collect()
}

fn group_header() -> Vec<String> {
    let mut h: Vec<String> = [
        "region",
        "call_type",
        "channel",
        "max_response_min",
        "zone_max_response_min",
    ]
    .map(String::from)
    .to_vec();
    h.extend(est_headers(GROUP_KPIS));
    h.extend(["pooled_p50_min", "pooled_p90_min", "pooled_p95_min"].map(String::from));
    h
}

/// The columns of [`by_region_table`].
pub fn by_region_table_header() -> Vec<String> {
    let mut header = group_header();
    header.extend(["teams", "team_hours_per_week"].map(String::from));
    header.extend(est_headers(REGION_KPIS));
    header
}

/// The by-region table (each region, then `Statewide`): every group figure
/// with its CI, pooled quantiles, teams and the team figures. Shared by
/// `run` (by_region.csv) and `sweep` (one block of rows per point).
pub fn by_region_table(res: &RunResults) -> (Vec<String>, Vec<Vec<String>>) {
    let header = by_region_table_header();
    let mut rows = Vec::new();
    for name in res.regions.iter().map(|r| Some(r.name.as_str())).chain([None]) {
        let g = res.group(name, None, None).expect("every region has a group");
        let mut row = group_rows(&[g]).remove(0);
        match res.regions.iter().find(|r| Some(r.name.as_str()) == name) {
            Some(r) => {
                row.extend([r.teams.to_string(), fmt(r.team_hours_per_week)]);
                for &k in REGION_KPIS {
                    row.extend(est_cells(r.kpis.get(k)));
                }
            }
            None => {
                let teams: u32 = res.regions.iter().map(|r| r.teams).sum();
                let hours: f64 = res.regions.iter().map(|r| r.team_hours_per_week).sum();
                row.extend([teams.to_string(), fmt(hours)]);
                row.extend(std::iter::repeat_n(String::new(), 3 * REGION_KPIS.len()));
            }
        }
        rows.push(row);
    }
    (header, rows)
}

/// Serialises a table as CSV bytes (header first).
pub fn to_csv(header: Vec<String>, rows: Vec<Vec<String>>, path: &Path) -> Result<Vec<u8>, OutputError> {
    csv_bytes(header, rows, path)
}

/// Checks that `dir` may receive a run's outputs: absent, empty, or a
/// folder this program wrote (it holds `marker`). Call it before the work,
/// so a bad `--out` fails at once.
pub fn check_folder(dir: &Path, marker: &str) -> Result<(), OutputError> {
    let refused = |message: &str| OutputError::Refused {
        path: dir.to_path_buf(),
        message: message.to_string(),
    };
    if dir.file_name().is_none() {
        return Err(refused("name a folder (not `.`, `..` or `/`)"));
    }
    match std::fs::read_dir(dir) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(_) if dir.exists() => Err(refused("exists and is not a folder")),
        Err(source) => Err(OutputError::Io {
            path: dir.to_path_buf(),
            source,
        }),
        Ok(mut entries) => {
            if entries.next().is_none() || dir.join(marker).is_file() {
                Ok(())
            } else {
                Err(refused(&format!(
                    "holds files that are not a cessa-sim output (no {marker}); use an empty or new folder"
                )))
            }
        }
    }
}

/// Writes a folder whole or not at all: `write` fills a fresh temporary
/// folder beside `dir`, which then replaces `dir` (see [`check_folder`]), so
/// a kill or a full disk never leaves old and new files side by side.
pub fn write_folder<T>(
    dir: &Path,
    marker: &str,
    write: impl FnOnce(&Path) -> Result<T, OutputError>,
) -> Result<T, OutputError> {
    check_folder(dir, marker)?;
    let name = dir.file_name().expect("checked").to_string_lossy().to_string();
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let io_err = |path: &Path| {
        let path = path.to_path_buf();
        move |source| OutputError::Io { path, source }
    };
    fs::create_dir_all(parent).map_err(io_err(parent))?;
    let tmp = parent.join(format!(".{name}.partial-{}", std::process::id()));
    let _ = fs::remove_dir_all(&tmp);
    fs::create_dir_all(&tmp).map_err(io_err(&tmp))?;
    let value = match write(&tmp) {
        Ok(v) => v,
        Err(e) => {
            let _ = fs::remove_dir_all(&tmp);
            return Err(e);
        }
    };
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if dir.exists() {
        fs::rename(dir, &old).map_err(io_err(dir))?;
    }
    fs::rename(&tmp, dir).map_err(io_err(dir))?;
    let _ = fs::remove_dir_all(&old);
    Ok(value)
}

/// Writes a CSV file atomically: `head` then `rows`.
pub fn write_csv(path: &Path, head: &[&str], rows: Vec<Vec<String>>) -> Result<(), OutputError> {
    let head = head.iter().map(|h| h.to_string()).collect();
    write_atomic(path, &to_csv(head, rows, path)?)
}

/// Serialises rows (no header) as CSV bytes.
pub fn rows_to_csv(rows: Vec<Vec<String>>, path: &Path) -> Result<Vec<u8>, OutputError> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let fail = |e: csv::Error| OutputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    for r in rows {
        w.write_record(r.iter().map(|c| csv_cell(c).into_owned()))
            .map_err(fail)?;
    }
    w.into_inner().map_err(|e| OutputError::Format {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// Writes `summary.json` and the CSV tables into `dir` (created if needed).
pub fn write_run(
    dir: &Path,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<RunOutputs, OutputError> {
    fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut files = Vec::new();
    let mut put = |name: &str, bytes: Vec<u8>| -> Result<(), OutputError> {
        let path = dir.join(name);
        write_atomic(&path, &bytes)?;
        files.push(path);
        Ok(())
    };
    let summary = Summary {
        software: "cessa-sim",
        version,
        scenario_toml,
        results: res,
    };
    let mut json = serde_json::to_vec_pretty(&summary).map_err(|e| OutputError::Format {
        path: dir.join("summary.json"),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    put("summary.json", json)?;

    let (header, rows) = by_region_table(res);
    put(
        "by_region.csv",
        csv_bytes(header, rows, &dir.join("by_region.csv"))?,
    )?;

    // Region x call type, and region x channel (each with the statewide rows).
    type Keep = fn(&GroupResult) -> bool;
    let tables: [(&str, Keep); 2] = [
        ("by_region_type.csv", |g| {
            g.call_type.is_some() && g.channel.is_none()
        }),
        ("by_region_channel.csv", |g| {
            g.channel.is_some() && g.call_type.is_none()
        }),
    ];
    for (name, keep) in tables {
        let groups: Vec<&GroupResult> = res.groups.iter().filter(|g| keep(g)).collect();
        put(
            name,
            csv_bytes(group_header(), group_rows(&groups), &dir.join(name))?,
        )?;
    }

    let mut header: Vec<String> = ["region", "group", "base", "teams", "team_hours_per_week"]
        .map(String::from)
        .to_vec();
    header.extend(est_headers(TEAM_KPIS));
    let rows = res
        .teams
        .iter()
        .map(|t| {
            let mut row = vec![
                t.region.clone(),
                t.group.clone(),
                t.base.clone(),
                t.teams.to_string(),
                fmt(t.team_hours_per_week),
            ];
            for &k in TEAM_KPIS {
                row.extend(est_cells(t.kpis.get(k)));
            }
            row
        })
        .collect();
    put("by_team.csv", csv_bytes(header, rows, &dir.join("by_team.csv"))?)?;

    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut header: Vec<String> = ["region", "hour_of_week", "day", "hour"]
        .map(String::from)
        .to_vec();
    header.extend(est_headers(HOUR_KPIS));
    let rows = res
        .hour_of_week
        .iter()
        .map(|h| {
            let mut row = vec![
                h.region.clone(),
                h.hour_of_week.to_string(),
                DAYS[h.hour_of_week / 24].to_string(),
                (h.hour_of_week % 24).to_string(),
            ];
            for &k in HOUR_KPIS {
                row.extend(est_cells(h.kpis.get(k)));
            }
            row
        })
        .collect();
    put(
        "by_hour_of_week.csv",
        csv_bytes(header, rows, &dir.join("by_hour_of_week.csv"))?,
    )?;

    let mut header: Vec<String> = ["month", "region", "zone"].map(String::from).to_vec();
    header.extend(est_headers(&MonthZone::NAMES));
    let rows = res
        .month_zone
        .iter()
        .map(|m| {
            let mut row = vec![m.month.clone(), m.region.clone(), m.zone.clone()];
            for k in MonthZone::NAMES {
                // Counts cannot be negative: the interval's low end is
                // clipped at zero (issue 17).
                let mut cells = est_cells(m.counts.get(k));
                if let Some(e) = m.counts.get(k)
                    && e.low() < 0.0
                {
                    cells[1] = fmt(0.0);
                }
                row.extend(cells);
            }
            row
        })
        .collect();
    put(
        "by_month_zone.csv",
        csv_bytes(header, rows, &dir.join("by_month_zone.csv"))?,
    )?;
    Ok(RunOutputs { files })
}

/// Writes the validation table as `validation.csv` and `validation.json` into `dir`.
pub fn write_validation(
    dir: &Path,
    checks: &[sim::validation::Check],
    version: &str,
) -> Result<RunOutputs, OutputError> {
    fs::create_dir_all(dir).map_err(|source| OutputError::Io {
        path: dir.to_path_buf(),
        source,
    })?;
    let csv_path = dir.join("validation.csv");
    let header = [
        "case",
        "params",
        "quantity",
        "exact",
        "simulated_mean",
        "ci99_low",
        "ci99_high",
        "max_half_width",
        "pass",
    ]
    .map(String::from)
    .to_vec();
    let rows = checks
        .iter()
        .map(|c| {
            vec![
                c.case.clone(),
                c.params.clone(),
                c.quantity.clone(),
                fmt(c.exact),
                fmt(c.simulated.mean),
                fmt(c.simulated.low()),
                fmt(c.simulated.high()),
                fmt(c.max_half_width),
                c.pass.to_string(),
            ]
        })
        .collect();
    write_atomic(&csv_path, &csv_bytes(header, rows, &csv_path)?)?;
    let json_path = dir.join("validation.json");
    #[derive(Serialize)]
    struct Doc<'a> {
        software: &'static str,
        version: &'a str,
        confidence_level: f64,
        checks: &'a [sim::validation::Check],
    }
    let doc = Doc {
        software: "cessa-sim",
        version,
        confidence_level: sim::validation::LEVEL,
        checks,
    };
    let mut json = serde_json::to_vec_pretty(&doc).map_err(|e| OutputError::Format {
        path: json_path.clone(),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    write_atomic(&json_path, &json)?;
    Ok(RunOutputs {
        files: vec![csv_path, json_path],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 17: formula-like text is neutralised, numbers are not.
    #[test]
    fn csv_cells_never_start_a_formula() {
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(csv_cell("+1-2"), "'+1-2");
        assert_eq!(csv_cell("-0.25"), "-0.25");
        assert_eq!(csv_cell("Region 5"), "Region 5");
    }
}

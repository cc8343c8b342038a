//! The rolling-origin back-test: calibrate on the weeks before a test
//! window, simulate the test window, compare, then step forward.
//!
//! Fold k of K (the last fold ends at the span's end): the test window is
//! `test_weeks` weeks ending `(K − k)·step_weeks` weeks before the span's
//! end; the scenario is calibrated on the `train_weeks` weeks before the
//! test window (all of the span before it when `train_weeks` is 0), never
//! on the test weeks. Each fold is scored by [`crate::backtest::PASS_RULE`].

use std::fmt::Write as _;

use jiff::civil::Date;
use sim::{Model, Scenario};

use crate::CalibrationError;
use crate::backtest::{Row, compare_dispersed, pass_count, weekly_dispersion};
use crate::calibrate::{Options, calibrate};
use crate::map::Mapping;
use crate::records::Records;

/// Training weeks before each test window, by default: 0, all of the span
/// before it (with the rates scaled to the last
/// [`crate::calibrate::DEFAULT_LEVEL_WEEKS`] weeks' level). On the Lane
/// records this predicted the last 6 folds better than the last 8, 12, 16
/// or 26 weeks (see the README's comparison).
pub const DEFAULT_TRAIN_WEEKS: u32 = 0;

/// Options of a rolling back-test.
#[derive(Debug, Clone)]
pub struct RollingOptions {
    /// Folds, the last ending at the span's end (default 6).
    pub folds: u32,
    /// Weeks in each test window (default 4).
    pub test_weeks: u32,
    /// Weeks between the starts of consecutive test windows (default 4).
    pub step_weeks: u32,
    /// Weeks of records each fold is calibrated on (0: all before the test
    /// window; default [`DEFAULT_TRAIN_WEEKS`]).
    pub train_weeks: u32,
    /// Replications per fold (default 50).
    pub replications: u32,
    /// Calibration options; `max_response_min` defaults to 1440 here,
    /// because the records never hand a call to police.
    pub calibrate: Options,
}

impl Default for RollingOptions {
    fn default() -> Self {
        RollingOptions {
            folds: 6,
            test_weeks: 4,
            step_weeks: 4,
            train_weeks: DEFAULT_TRAIN_WEEKS,
            replications: 50,
            calibrate: Options {
                max_response_min: 1440.0,
                level_weeks: crate::calibrate::DEFAULT_LEVEL_WEEKS,
                ..Options::default()
            },
        }
    }
}

/// One fold: its windows, the calibration's warnings and the rows.
#[derive(Debug, Clone)]
pub struct Fold {
    /// Training window, first day and first day after.
    pub train: (Date, Date),
    /// Test window, first day and first day after.
    pub test: (Date, Date),
    /// Records the scenario was calibrated on.
    pub train_records: usize,
    /// Records in the test window.
    pub test_records: usize,
    /// What `calibrate` warned about on the training window.
    pub warnings: Vec<String>,
    /// The back-test rows of the test window.
    pub rows: Vec<Row>,
}

fn shift(d: Date, days: i64) -> Result<Date, CalibrationError> {
    d.checked_add(jiff::Span::new().days(days))
        .map_err(|e| CalibrationError::Rolling(e.to_string()))
}

/// Runs the rolling back-test over the records' span.
pub fn rolling(recs: &Records, map: &Mapping, opts: &RollingOptions) -> Result<Vec<Fold>, CalibrationError> {
    if opts.folds == 0 || opts.test_weeks == 0 || opts.step_weeks == 0 || opts.replications == 0 {
        return Err(CalibrationError::Rolling(
            "folds, test weeks, step weeks and replications must be at least 1".into(),
        ));
    }
    let end = recs.end_date();
    let mut folds = Vec::new();
    for k in (0..opts.folds).rev() {
        let test_end = shift(end, -i64::from(k * opts.step_weeks) * 7)?;
        let test_start = shift(test_end, -i64::from(opts.test_weeks) * 7)?;
        let train_start = if opts.train_weeks == 0 {
            recs.start_date
        } else {
            shift(test_start, -i64::from(opts.train_weeks) * 7)?.max(recs.start_date)
        };
        let fold = format!("fold testing {test_start}..{test_end}");
        if train_start >= test_start {
            return Err(CalibrationError::Rolling(format!(
                "{fold}: no weeks before it in the span (from {}); ask for fewer --folds",
                recs.start_date
            )));
        }
        let train = recs.between(train_start, test_start).map_err(|e| {
            CalibrationError::Rolling(format!("{fold}, training {train_start}..{test_start}: {e}"))
        })?;
        let test = recs
            .between(test_start, test_end)
            .map_err(|e| CalibrationError::Rolling(format!("{fold}: {e}")))?;
        let cal = calibrate(&train, map, &opts.calibrate).map_err(|e| {
            CalibrationError::Rolling(format!("{fold}, training {train_start}..{test_start}: {e}"))
        })?;
        let text = cal.scenario_toml(&train, map, &opts.calibrate);
        let values = [
            (
                "run.start_date".to_string(),
                toml::Value::String(test_start.to_string()),
            ),
            (
                "run.horizon_days".to_string(),
                toml::Value::Float(test.span_days()),
            ),
        ];
        let text = sim::scenario::patch::set_values(&text, &values)
            .map_err(|e| CalibrationError::Rolling(format!("{fold}: {e}")))?;
        let scenario = Scenario::from_toml(&text, &fold)
            .map_err(|e| CalibrationError::Rolling(format!("{fold}: the calibrated scenario: {e}")))?;
        let dispersion = train
            .regions()
            .into_iter()
            .map(|r| {
                let phi = weekly_dispersion(&train, &r);
                (r, phi)
            })
            .collect();
        let results = sim::montecarlo::run(&Model::new(scenario), opts.replications, &|| {});
        folds.push(Fold {
            train: (train_start, test_start),
            test: (test_start, test_end),
            train_records: train.records.len(),
            test_records: test.records.len(),
            warnings: cal.warnings(),
            rows: compare_dispersed(&test, &results, &dispersion),
        });
    }
    Ok(folds)
}

/// Every fold's table, then a summary: rows passed per fold and per
/// figure over all folds.
pub fn report(folds: &[Fold]) -> String {
    let mut s = String::new();
    for (i, f) in folds.iter().enumerate() {
        let (p, n) = pass_count(&f.rows);
        let _ = writeln!(
            s,
            "## Fold {}: calibrated on {}..{} ({} records), tested on {}..{} ({} records): {p} of {n} rows pass\n",
            i + 1,
            f.train.0,
            f.train.1,
            f.train_records,
            f.test.0,
            f.test.1,
            f.test_records
        );
        for w in &f.warnings {
            let _ = writeln!(s, "calibrate warned: {w}\n");
        }
        s.push_str(&crate::backtest::table(&f.rows));
        s.push('\n');
    }
    let _ = writeln!(s, "## Summary\n");
    let _ = writeln!(
        s,
        "| fold | calibrated on | tested on | test records | rows passed |"
    );
    let _ = writeln!(s, "|---|---|---|---|---|");
    let (mut all_p, mut all_n) = (0, 0);
    for (i, f) in folds.iter().enumerate() {
        let (p, n) = pass_count(&f.rows);
        all_p += p;
        all_n += n;
        let _ = writeln!(
            s,
            "| {} | {}..{} | {}..{} | {} | {p} / {n} |",
            i + 1,
            f.train.0,
            f.train.1,
            f.test.0,
            f.test.1,
            f.test_records
        );
    }
    // Per figure (the figure text up to its first parenthesis), all regions and folds.
    let mut by_figure: Vec<(String, usize, usize)> = Vec::new();
    for r in folds.iter().flat_map(|f| &f.rows) {
        let Some(pass) = r.pass else { continue };
        let name = r.figure.split(" (").next().unwrap_or(&r.figure).to_string();
        match by_figure.iter_mut().find(|x| x.0 == name) {
            Some(x) => {
                x.1 += usize::from(pass);
                x.2 += 1;
            }
            None => by_figure.push((name, usize::from(pass), 1)),
        }
    }
    let _ = writeln!(s, "\n| figure | rows passed (all regions and folds) |");
    let _ = writeln!(s, "|---|---|");
    for (name, p, n) in by_figure {
        let _ = writeln!(s, "| {name} | {p} / {n} |");
    }
    let _ = writeln!(
        s,
        "\nPassed {all_p} of {all_n} scored rows ({:.1}%) over {} folds. Rule: {}.",
        100.0 * all_p as f64 / all_n.max(1) as f64,
        folds.len(),
        crate::backtest::PASS_RULE
    );
    s
}

/// Rows passed and scored over all folds.
pub fn total(folds: &[Fold]) -> (usize, usize) {
    folds
        .iter()
        .map(|f| pass_count(&f.rows))
        .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
}

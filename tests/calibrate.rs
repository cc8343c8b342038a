//! `cessa-sim calibrate` and `cessa-sim backtest` end to end: the real Lane
//! County records (read from ../shared, never copied here) and a committed
//! slice of the NYC EMS EDP records.

mod common;
use common::{cessa, tmp};

use std::path::Path;
use std::process::Output;

fn ok(o: &Output) -> String {
    assert!(
        o.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn root(rel: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// Calibrate, run the calibrated scenario as is, back-test it.
fn end_to_end(records: &str, map: &str, name: &str) -> (String, String) {
    let dir = tmp("calibrate", name);
    let scenario = dir.join("scenario.toml").display().to_string();
    let report = dir.join("report").display().to_string();
    ok(&cessa(&[
        "calibrate",
        records,
        "--map",
        map,
        "--out",
        &scenario,
        "--report",
        &report,
    ]));
    let fit = std::fs::read_to_string(dir.join("report/fit_report.txt")).unwrap();
    ok(&cessa(&["run", &scenario, "-q", "-r", "4"]));
    let table = ok(&cessa(&["backtest", &scenario, records, "--map", map, "-r", "8"]));
    (fit, table)
}

#[test]
fn lane_county_records_calibrate_run_and_backtest() {
    let records = root("../shared/data/lane-mcslc-mobile-crisis/mcslc_dispatches_tidy.csv.gz");
    if !Path::new(&records).exists() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "CI: the Lane records are missing: {records}"
        );
        eprintln!("skipping: {records} is not there (it is read from ../shared, never copied)");
        return;
    }
    let (fit, table) = end_to_end(&records, &root("calibration/maps/lane_mcslc.toml"), "lane");
    // Cleaning is reported by reason (the README's counts for the window's rows).
    assert!(fit.contains("Rows read: 3139; usable records: 1934"), "{fit}");
    assert!(
        fit.contains("request time flagged `midnight_placeholder`"),
        "{fit}"
    );
    assert!(
        fit.contains("Observed hours of week with no request in any region (11)"),
        "{fit}"
    );
    // Issue 12: staffing is teams on duty by hour of week (Eugene: at most 4
    // at once), not the 20 shift groups the scenario writes for them.
    assert!(
        fit.contains("Region Eugene: 1586 requests")
            && fit.contains(
                "teams on duty by hour of week (an estimate; rows Mon-Sun, hours 00-23; most at once: 4)"
            ),
        "{fit}"
    );
    for region in ["Eugene", "Springfield", "Other"] {
        assert!(
            table.contains(&format!("| {region} | calls in span | ")),
            "{table}"
        );
    }
    assert!(
        table.contains("| Eugene | response p50 min (request→arrival, n = 1482) | 29.0 |"),
        "{table}"
    );
    // With no effective maximum nothing is diverted (the records' own rule).
    let dir = tmp("calibrate", "lane-nomax");
    let scenario = dir.join("s.toml").display().to_string();
    let map = root("calibration/maps/lane_mcslc.toml");
    ok(&cessa(&[
        "calibrate",
        &records,
        "--map",
        &map,
        "--out",
        &scenario,
    ]));
    let table = ok(&cessa(&[
        "backtest",
        &scenario,
        &records,
        "--map",
        &map,
        "-r",
        "8",
        "--max-response-min",
        "1440",
    ]));
    assert!(
        table.contains("| Eugene | diverted to police (share; not scored) | 0 (not in records) | 0.00"),
        "{table}"
    );
    // Out of sample: fit May-July, back-test August.
    let window = ["--from", "2025-05-01", "--to", "2025-08-01"];
    let mut args = vec!["calibrate", &records, "--map", &map, "--out", &scenario];
    args.extend(window);
    ok(&cessa(&args));
    let table = ok(&cessa(&[
        "backtest",
        &scenario,
        &records,
        "--map",
        &map,
        "-r",
        "8",
        "--from",
        "2025-08-01",
        "--to",
        "2025-09-01",
    ]));
    assert!(
        table.starts_with("Back-test: 472 records, 31 days from 2025-08-01"),
        "{table}"
    );
    assert!(table.contains("| Eugene | calls in span | 384.0 |"), "{table}");
}

#[test]
fn nyc_edp_slice_calibrates_runs_and_backtests() {
    let (fit, table) = end_to_end(
        &root("tests/fixtures/nyc_ems_edp_queens_staten_island.csv"),
        &root("calibration/maps/nyc_ems_edp.toml"),
        "nyc",
    );
    assert!(fit.contains("Rows read: 278; usable records: 278"), "{fit}");
    // Sunday and Monday are not in the five days.
    assert!(fit.contains("Hours of week not in the span (48)"), "{fit}");
    assert!(table.contains("| Queens | calls in span | 228.0 |"), "{table}");
    assert!(
        table.contains("| Staten Island | calls in span | 50.0 |"),
        "{table}"
    );
}

#[test]
fn bad_map_is_bad_input() {
    let dir = tmp("calibrate", "badmap");
    let map = dir.join("map.toml");
    std::fs::write(&map, "source = \"x\"\ntime_formats = [\"%Y\"]\nbogus = 1\n").unwrap();
    let o = cessa(&[
        "calibrate",
        &root("tests/fixtures/nyc_ems_edp_queens_staten_island.csv"),
        "--map",
        &map.display().to_string(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("bogus") && err.contains("line 3"), "{err}");
}

/// The Lane records, or `None` (with a note) where ../shared is not there.
fn lane() -> Option<String> {
    let records = root("../shared/data/lane-mcslc-mobile-crisis/mcslc_dispatches_tidy.csv.gz");
    if Path::new(&records).exists() {
        return Some(records);
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "CI: the Lane records are missing: {records}"
    );
    eprintln!("skipping: {records} is not there (it is read from ../shared, never copied)");
    None
}

/// Issue 12: `backtest --rolling` with every fold option; each changes the
/// windows (or the simulated calls) in the output.
#[test]
fn rolling_backtest_options_set_the_folds_issue_12() {
    let Some(records) = lane() else { return };
    let map = root("calibration/maps/lane_mcslc.toml");
    let rolling = |level: &str| {
        ok(&cessa(&[
            "backtest",
            "--rolling",
            &records,
            "--map",
            &map,
            "--from",
            "2024-08-01",
            "--to",
            "2025-09-01",
            "-r",
            "4",
            "--folds",
            "2",
            "--test-weeks",
            "3",
            "--step-weeks",
            "2",
            "--train-weeks",
            "10",
            "--level-weeks",
            level,
        ]))
    };
    let out = rolling("0");
    // Fold 2 ends at the span's end; fold 1 two weeks (--step-weeks) earlier;
    // 3-week tests (--test-weeks), 10 training weeks before each (--train-weeks).
    assert!(
        out.contains("## Fold 1: calibrated on 2025-05-19..2025-07-28 ")
            && out.contains("tested on 2025-07-28..2025-08-18"),
        "{out}"
    );
    assert!(
        out.contains("## Fold 2: calibrated on 2025-06-02..2025-08-11 ")
            && out.contains("tested on 2025-08-11..2025-09-01"),
        "{out}"
    );
    assert!(!out.contains("## Fold 3"), "--folds 2: {out}");
    assert!(
        out.contains("## Summary") && out.contains("scored rows ("),
        "{out}"
    );
    // --level-weeks rescales each fold's rates: the simulated calls change.
    let calls = |t: &str| -> Vec<String> {
        t.lines()
            .filter(|l| l.starts_with("| Eugene | calls in span"))
            .map(String::from)
            .collect()
    };
    let scaled = rolling("2");
    assert_eq!(calls(&out).len(), 2);
    assert_ne!(calls(&out), calls(&scaled));
    // Only RECORDS with --rolling; a scenario is bad input.
    let o = cessa(&["backtest", "--rolling", "x.toml", &records, "--map", &map]);
    assert_eq!(o.status.code(), Some(2));
    let o = cessa(&["backtest", &records, "--map", &map]);
    assert_eq!(o.status.code(), Some(2));
}

/// Issue 12: `calibrate --weeks` fits the window's last weeks only;
/// `--level-weeks` scales the rates to the last weeks' level; gaps and
/// change are warned about.
#[test]
fn calibrate_recency_options_and_warnings_issue_12() {
    let Some(records) = lane() else { return };
    let map = root("calibration/maps/lane_mcslc.toml");
    let dir = tmp("calibrate", "recency");
    let out = dir.join("s.toml").display().to_string();
    let o = cessa(&[
        "calibrate",
        &records,
        "--map",
        &map,
        "--weeks",
        "4",
        "--level-weeks",
        "2",
        "--out",
        &out,
    ]);
    ok(&o);
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(text.contains("# Span: 28 days from 2025-08-04"), "{text}");
    assert!(text.contains("in the last 336 open hours"), "{text}");
    // The whole file: the export gap is found and warned about.
    let o = cessa(&[
        "calibrate",
        &records,
        "--map",
        &map,
        "--from",
        "2024-08-01",
        "--to",
        "2025-09-01",
        "--out",
        &out,
    ]);
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    ok(&o);
    assert!(
        err.contains("warning: export gaps left out of the rates: ") && err.contains("2024-10-06 + 87 days"),
        "{err}"
    );
    assert!(err.contains("LEVEL SHIFT"), "{err}");
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(!text.contains("month_factors ="), "{text}");
}

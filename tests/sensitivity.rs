//! `cessa-sim sensitivity` end to end.

mod common;
use common::{cessa, tmp};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/examples/one_region.toml");

/// A bad ranges file: every problem at once, with file, line and key; exit 2.
#[test]
fn bad_ranges_exit_2_with_every_problem() {
    let dir = tmp("sensitivity", "bad");
    let ranges = dir.join("ranges.toml");
    std::fs::write(
        &ranges,
        "demand_scale = [2.0, 0.5]\n\"regions.Nowhere.population\" = [1, 2]\n[assumptions.max]\nhigh = { \"call_types.urgent.max_response_min\" = -5 }\n",
    )
    .unwrap();
    let o = cessa(&[
        "sensitivity",
        "-q",
        SCENARIO,
        "--ranges",
        ranges.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("3 problems"), "{err}");
    assert!(
        err.contains("ranges.toml:1:16: `demand_scale`: the low value 2 is above the high value 0.5"),
        "{err}"
    );
    assert!(err.contains("ranges.toml:2:1: `\"regions.Nowhere.population\"`: path `regions.Nowhere.population`: unknown key `Nowhere`"), "{err}");
    assert!(
        err.contains("ranges.toml:4:8: `assumptions.max.high`: the scenario rejects the high side"),
        "{err}"
    );
}

/// Generic ranges on a scenario file: the CSV, the JSON, the base run and
/// the report with its tornado chart; the same bytes on 1 and 2 threads.
#[test]
fn writes_csv_report_and_is_deterministic() {
    let dir = tmp("sensitivity", "run");
    let mut csvs = Vec::new();
    for threads in ["1", "2"] {
        let out = dir.join(threads);
        let o = cessa(&[
            "sensitivity",
            "-q",
            SCENARIO,
            "-r",
            "4",
            "-j",
            threads,
            "--set",
            "run.horizon_days=60",
            "--out",
            out.to_str().unwrap(),
            "--report",
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        csvs.push(std::fs::read_to_string(out.join("sensitivity.csv")).unwrap());
        assert!(out.join("base-run/summary.json").is_file());
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        assert!(
            html.contains("How sure is that?") && html.contains("between"),
            "report"
        );
        let ext = if cfg!(feature = "png") { "png" } else { "svg" };
        assert!(out.join(format!("charts/sensitivity_statewide.{ext}")).is_file());
    }
    assert_eq!(csvs[0], csvs[1], "thread count changed sensitivity.csv");
    // Base + 3 scales x 2 sides, statewide and one region each.
    assert_eq!(csvs[0].lines().count(), 1 + 7 * 2, "{}", csvs[0]);
    assert!(
        csvs[0].contains("demand_scale,high,demand_scale = 2.0,Statewide,"),
        "{}",
        csvs[0]
    );
    // `report` rebuilds the page from the folder.
    let o = cessa(&["report", dir.join("1").to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

//! The `cessa-sim` command end to end.

mod common;
use common::{cessa, tmp};

/// The same scenario and seed give the same summary.json bytes on 1 and 4 threads.
#[test]
fn summary_json_is_identical_across_thread_counts() {
    let dir = tmp("cli", "threads");
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        let out = dir.join(threads);
        let o = cessa(&[
            "run",
            "-q",
            "-r",
            "6",
            "--threads",
            threads,
            "--out",
            out.to_str().unwrap(),
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        outputs.push(std::fs::read(out.join("summary.json")).unwrap());
    }
    assert!(outputs[0].len() > 1000);
    assert!(
        outputs[0] == outputs[1],
        "summary.json differs between 1 and 4 threads"
    );
}

/// `run` with no scenario simulates the embedded default and prints the table.
#[test]
fn run_defaults_to_illinois_and_writes_every_table() {
    let dir = tmp("cli", "default");
    let o = cessa(&["run", "-r", "3", "--out", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    for needle in [
        "Region 1",
        "Region 11",
        "Statewide",
        "diverted% ±95%CI",
        "60/90/120",
    ] {
        assert!(table.contains(needle), "missing {needle:?} in\n{table}");
    }
    for f in [
        "summary.json",
        "by_region.csv",
        "by_region_type.csv",
        "by_region_channel.csv",
        "by_hour_of_week.csv",
        "by_month_zone.csv",
        "by_team.csv",
    ] {
        assert!(dir.join(f).is_file(), "{f} missing");
    }
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    assert_eq!(summary["version"], env!("CARGO_PKG_VERSION"));
    assert!(summary["scenario_toml"].as_str().unwrap().contains("[run]"));
    let by_region = std::fs::read_to_string(dir.join("by_region.csv")).unwrap();
    assert_eq!(
        by_region.lines().count(),
        1 + 11 + 1,
        "header, 11 regions, statewide"
    );
    assert!(
        by_region.starts_with(
            "region,call_type,channel,max_response_min,zone_max_response_min,contacts_per_month,"
        )
    );
    let months = std::fs::read_to_string(dir.join("by_month_zone.csv")).unwrap();
    // 12 months (July 2027 to June 2028) x 127 zones: 101 counties, four
    // suburban Cook parts and Chicago's 22 police districts (754/50(3)).
    assert_eq!(months.lines().count(), 1 + 12 * 127);
    assert!(
        months.contains(",Region 11,Chicago District 25,"),
        "Chicago by police district"
    );
    // Count intervals are clipped at zero (issue 17).
    for (i, line) in months.lines().skip(1).enumerate() {
        let cells: Vec<&str> = line.split(',').collect();
        for low in cells[3..].chunks(3).filter_map(|c| c.get(1)) {
            assert!(
                !low.starts_with('-'),
                "line {}: negative count bound in {line}",
                i + 2
            );
        }
    }
}

/// A broken scenario: every problem at once, with file, line, column and key; exit code 2.
#[test]
fn broken_scenario_exits_2_with_every_problem() {
    let dir = tmp("cli", "broken");
    let path = dir.join("bad.toml");
    std::fs::write(
        &path,
        "[run]\nhorizon_dayz = 30\n[call_types.crisis]\nmax_response_min = -5\ntriage = { mobile = 1.0 }\non_scene = 30\n\
         [regions.Town]\npopulation = 1000\ncalls_per_hour = 1\ntravel = { time = 10 }\n",
    )
    .unwrap();
    let o = cessa(&["run", "-q", path.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("bad.toml:2:1: `run.horizon_dayz`: unknown key"),
        "{err}"
    );
    assert!(
        err.contains("bad.toml:4:20: `call_types.crisis.max_response_min`: expected minutes >= 0"),
        "{err}"
    );
    assert!(err.contains("2 problems"), "{err}");
}

#[test]
fn missing_file_and_bad_flags_exit_2() {
    assert_eq!(
        cessa(&["run", "/nonexistent/scenario.toml"]).status.code(),
        Some(2)
    );
    assert_eq!(cessa(&["run", "--replications", "0"]).status.code(), Some(2));
    assert_eq!(cessa(&["run", "--no-such-flag"]).status.code(), Some(2));
    // Issue 17: no arguments print the help; absurd thread counts and an
    // --out that is a file are refused before anything runs.
    let o = cessa(&[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("Usage: cessa-sim <COMMAND>"));
    assert_eq!(cessa(&["run", "-j", "10000"]).status.code(), Some(2));
    // A file that is not UTF-8: its line and column.
    let latin1 = tmp("cli", "latin1").join("latin1.toml");
    std::fs::write(&latin1, b"# ok\nname = \"caf\xe9\"\n").unwrap();
    let o = cessa(&["run", "-q", latin1.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("latin1.toml:2:12: the scenario is not UTF-8"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let dir = tmp("cli", "outfile");
    let file = dir.join("a-file");
    std::fs::write(&file, "x").unwrap();
    let o = cessa(&["run", "-q", "--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--out"));
}

/// `cessa-sim default` prints a scenario that `run` accepts as a file.
#[test]
fn default_prints_a_runnable_scenario() {
    let o = cessa(&["default"]);
    assert!(o.status.success());
    let dir = tmp("cli", "printed");
    let path = dir.join("illinois.toml");
    std::fs::write(&path, &o.stdout).unwrap();
    let o = cessa(&["run", "-q", "-r", "2", path.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

/// Every override goes into the scenario before validation, so the scenario
/// that summary.json echoes re-runs, with no flags, to the same bytes
/// (issue 16); `-r 0` is refused by the scenario's own rule.
#[test]
fn summary_echo_reruns_to_identical_bytes() {
    let dir = tmp("cli", "echo");
    let first = dir.join("first");
    let o = cessa(&[
        "run",
        "-q",
        "--seed",
        "7",
        "-r",
        "3",
        "--set",
        "run.horizon_days=30",
        "--set",
        "demand_scale=1.2",
        "--out",
        first.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary = std::fs::read(first.join("summary.json")).unwrap();
    let v: serde_json::Value = serde_json::from_slice(&summary).unwrap();
    let echo = v["scenario_toml"].as_str().unwrap();
    assert!(
        echo.contains("seed = 7") && echo.contains("replications = 3"),
        "{echo}"
    );
    let file = dir.join("echo.toml");
    std::fs::write(&file, echo).unwrap();
    let second = dir.join("second");
    let o = cessa(&[
        "run",
        "-q",
        file.to_str().unwrap(),
        "--out",
        second.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        std::fs::read(second.join("summary.json")).unwrap() == summary,
        "the echo did not reproduce the run"
    );
    let o = cessa(&["run", "-q", "-r", "0"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("run.replications"));
    // The report's title and scenario table list the overrides.
    let o = cessa(&["report", first.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let html = std::fs::read_to_string(first.join("report.html")).unwrap();
    assert!(
        html.contains("<title>Mobile crisis coverage: Illinois default")
            && html.contains("(with run.horizon_days=30; demand_scale=1.2"),
        "title"
    );
    // A misspelt team group is an error naming it, not a new group (issue 17).
    let o = cessa(&[
        "run",
        "-q",
        "--set",
        "regions.\"Region 5\".teams.Jeferson.count=5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("unknown key `Jeferson` in `regions.\"Region 5\".teams`; known: Franklin, Jefferson"),
        "{err}"
    );
}

/// Issue 17: a run's outputs are written whole, replacing an earlier run's
/// folder (no stale report beside new tables); a folder of other files is
/// refused before anything runs and left as it was.
#[test]
fn outputs_replace_a_run_folder_whole_and_refuse_foreign_ones() {
    let dir = tmp("cli", "whole");
    let out = dir.join("results");
    let run = |extra: &[&str]| {
        let mut a = vec![
            "run",
            "-q",
            "-r",
            "2",
            "--set",
            "run.horizon_days=14",
            "--out",
            out.to_str().unwrap(),
        ];
        a.extend_from_slice(extra);
        cessa(&a)
    };
    assert!(run(&["--report"]).status.success());
    assert!(out.join("report.html").is_file());
    assert!(run(&[]).status.success());
    assert!(
        out.join("summary.json").is_file() && !out.join("report.html").exists(),
        "stale report kept"
    );
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "temporary folders left: {leftovers:?}");
    let mine = dir.join("mine");
    std::fs::create_dir_all(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
    let o = cessa(&["run", "-q", "-r", "2", "--out", mine.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("not a cessa-sim output"));
    assert_eq!(
        std::fs::read_to_string(mine.join("notes.txt")).unwrap(),
        "keep me"
    );
}

/// Under `--set`, problems point where the user can find them (issue 17):
/// the file's own problems at their line and column in the file (as
/// without `--set`), an overridden value's at the `--set` that gave it, a
/// syntax error of the file at its place; a key written twice is named.
#[test]
fn problems_under_set_point_into_the_users_file_or_the_set() {
    let dir = tmp("cli", "set-places");
    let one = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/examples/one_region.toml"
    ))
    .unwrap();
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, one.replace("population = 250000", "population = -1")).unwrap();
    let line = one
        .lines()
        .position(|l| l.starts_with("population = 250000"))
        .unwrap()
        + 1;
    let err = |args: &[&str]| {
        let o = cessa(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        String::from_utf8(o.stderr).unwrap()
    };
    let b = bad.to_str().unwrap();
    let plain = err(&["run", b, "-q"]);
    let place = format!("bad.toml:{line}:14: `regions.Town.population`");
    assert!(plain.contains(&place), "{plain}");
    let with_set = err(&[
        "run",
        b,
        "-q",
        "--set",
        "demand_scale=2",
        "--set",
        "run.horizon_days=0",
        "-r",
        "2",
    ]);
    assert!(with_set.contains(&place), "{with_set}");
    assert!(
        with_set.contains("`run.horizon_days`: expected a number of days > 0 and <= 36525, found 0 (from --set run.horizon_days=0)"),
        "{with_set}"
    );
    let huge = err(&["run", b, "-q", "--set", "demand_scale=1e300"]);
    assert!(
        huge.contains("found 1e300 (from --set demand_scale=1e300)"),
        "{huge}"
    );
    let dup = dir.join("dup.toml");
    std::fs::write(&dup, "name = \"x\"\n\n[run]\nseed = 1\nseed = 2\n").unwrap();
    let d = dup.to_str().unwrap();
    for args in [
        vec!["run", d, "-q"],
        vec!["run", d, "-q", "--set", "demand_scale=2"],
    ] {
        let e = err(&args);
        assert!(
            e.contains("dup.toml:5:1: TOML syntax error: duplicate key `seed`"),
            "{args:?}: {e}"
        );
    }
}

/// Issue 15's example end to end: `by_team.csv` has one row per team group
/// with its figures; only the youth group takes youth calls, so it carries
/// more than its one-fifth of the teams; the report shows each group.
#[test]
fn team_day_example_reports_each_team_group() {
    let dir = tmp("cli", "team_day");
    let o = cessa(&[
        "run",
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/examples/team_day.toml"),
        "-q",
        "-r",
        "4",
        "--out",
        dir.to_str().unwrap(),
        "--report",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("by_team.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), 3, "{csv}");
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let share = |group: &str| -> f64 {
        let row = rows.iter().find(|r| r[1] == group).unwrap();
        row[col("dispatch_share")].parse().unwrap()
    };
    assert!(share("youth") > 0.2, "youth share {}", share("youth"));
    let total: f64 = ["downtown", "east", "youth"].iter().map(|g| share(g)).sum();
    assert!((total - 1.0).abs() < 1e-9, "shares sum to {total}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("County by team group"), "report table");
    assert!(
        dir.join("charts/region_0_county_teams.png").is_file()
            || dir.join("charts/region_0_county_teams.svg").is_file()
    );
}

/// A zone with a maximum of its own (`max_response_by_zone`) shows wherever
/// the region's maximum does: summary.json, the CSV, the terminal table,
/// the report's caption; a region without one shows nothing more.
#[test]
fn zone_maxima_show_beside_the_region_maximum() {
    let dir = tmp("cli", "zone-maxima");
    let o = cessa(&[
        "run",
        concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/examples/team_day.toml"),
        "-r",
        "2",
        "--set",
        "run.horizon_days=20",
        "--report",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(table.contains("60 (Downtown 30)"), "terminal:\n{table}");
    let summary: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("summary.json")).unwrap()).unwrap();
    let groups = summary["results"]["groups"].as_array().unwrap();
    let of = |ct: &str| {
        groups
            .iter()
            .find(|g| g["region"] == "County" && g["call_type"] == ct && g["channel"].is_null())
            .unwrap_or_else(|| panic!("no County x {ct} group"))
    };
    assert_eq!(of("adult")["max_response_min"], 60.0);
    assert_eq!(of("adult")["zone_max_response_min"]["Downtown"], 30.0);
    assert!(
        of("youth").get("zone_max_response_min").is_none(),
        "youth has none"
    );
    let csv = std::fs::read_to_string(dir.join("by_region_type.csv")).unwrap();
    let row = csv
        .lines()
        .find(|l| l.starts_with("County,adult,"))
        .expect("County x adult row");
    assert!(row.starts_with("County,adult,,60,Downtown=30,"), "{row}");
    let report = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        report.contains("Zones with a maximum of their own (minutes; their calls are in time or late by it): adult in Downtown 30."),
        "report caption"
    );
}

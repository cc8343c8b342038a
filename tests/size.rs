//! `cessa-sim size` end to end.

mod common;
use common::{cessa, tmp};

/// The issue's committee case on the default, shortened: one region,
/// add-only. The other regions' teams are untouched, the name says what was
/// sized, and the sized scenario run on its own with yet another seed meets
/// the target's upper bound.
///
/// Since the default has its 9-8-8 contact centres, about 8% of Region 5's
/// mobile calls are lost at the phones (abandoned or rolled over: the
/// centres are fitted to the published 92.5% answered in state), and no
/// team wins them back, so a 5% miss target is out of reach for any number
/// of teams (exit 3, `phones_alone_exceed_the_target_exit_3`). Here the
/// phones are staffed so that they lose nothing (`PHONES`), and the teams'
/// part is what is sized, against the same 5% as before the centres.
#[test]
fn one_region_add_only_is_verified_and_leaves_the_others_alone() {
    let dir = tmp("size", "region5");
    let out = dir.join("sized");
    let o = cessa(&[
        "size",
        "-q",
        "--region",
        "Region 5",
        "--add-only",
        "--max-miss",
        "0.05",
        "-r",
        "6",
        "--verify-replications",
        "30",
        "--set",
        "run.horizon_days=60",
        "--set",
        PHONES[0],
        "--set",
        PHONES[1],
        "--set",
        PHONES[2],
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("miss sized (verify)") && table.contains("Region 5") && !table.contains("Region 4"),
        "{table}"
    );
    for f in [
        "sized.toml",
        "size.csv",
        "checks.csv",
        "tradeoff.csv",
        "report.html",
        "sized-run/summary.json",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let sized: toml::Table = std::fs::read_to_string(out.join("sized.toml"))
        .unwrap()
        .parse()
        .unwrap();
    let default: toml::Table = String::from_utf8(cessa(&["default"]).stdout)
        .unwrap()
        .parse()
        .unwrap();
    for (name, region) in default["regions"].as_table().unwrap() {
        let teams = &region["teams"];
        if name == "Region 5" {
            // Add-only: every existing group keeps at least its teams.
            for (g, t) in teams.as_table().unwrap() {
                let now = sized["regions"][name]["teams"][g]["count"].as_integer().unwrap();
                assert!(now >= t["count"].as_integer().unwrap(), "{g}");
            }
        } else {
            assert_eq!(&sized["regions"][name]["teams"], teams, "{name} changed");
        }
    }
    assert!(
        sized["name"]
            .as_str()
            .unwrap()
            .contains("sized for Region 5 (add-only")
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("The trade-off") && html.contains("Checked on fresh replications"));
    // On its own, with a third seed.
    let check = dir.join("check");
    let o = cessa(&[
        "run",
        "-q",
        "-r",
        "30",
        "--seed",
        "4242",
        "--out",
        check.to_str().unwrap(),
        out.join("sized.toml").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(check.join("by_region.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header.iter().position(|h| *h == "in_time_share_ci_low").unwrap();
    let line = lines.find(|l| l.starts_with("Region 5,")).unwrap();
    let in_time_low: f64 = line.split(',').nth(col).unwrap().parse().unwrap();
    assert!(
        1.0 - in_time_low <= 0.05,
        "miss upper bound {}",
        1.0 - in_time_low
    );
}

/// Counsellors enough for the centre answering Region 5 (and 4) to answer
/// every contact at once (its load is about 0.6 counsellors busy on average).
const PHONES: [&str; 3] = [
    r#"centres."988 Southern Illinois".counsellors.night.count=20"#,
    r#"centres."988 Southern Illinois".counsellors.day.count=20"#,
    r#"centres."988 Southern Illinois".counsellors.evening.count=20"#,
];

/// On the default as shipped the phones alone lose more of Region 5's
/// mobile calls than a 5% target allows: sizing the teams alone stops at
/// once (no search), leaves them as given, says why and what to do, and
/// exits 3; `checks.csv` marks the region.
#[test]
fn phones_alone_exceed_the_target_exit_3() {
    let dir = tmp("size", "phones");
    let out = dir.join("out");
    let o = cessa(&[
        "size",
        "-q",
        "--region",
        "Region 5",
        "--max-miss",
        "0.05",
        "-r",
        "10",
        "--verify-replications",
        "4",
        "--set",
        "run.horizon_days=90",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("Region 5: the phones alone lose") && err.contains("add --counsellors"),
        "{err}"
    );
    let size = std::fs::read_to_string(out.join("size.csv")).unwrap();
    for line in size.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        assert_eq!(f[f.len() - 2], f[f.len() - 1], "teams left as given: {line}");
    }
    let checks = std::fs::read_to_string(out.join("checks.csv")).unwrap();
    assert!(
        checks.lines().nth(1).unwrap().ends_with(",true,false"),
        "{checks}"
    );
}

/// Bad input exits 2 with every problem named; an infeasible target exits 3.
#[test]
fn bad_input_exits_2_and_infeasible_exits_3() {
    let o = cessa(&[
        "size",
        "-q",
        "--max-miss",
        "5",
        "--shift",
        "Mon-Fri 8-20",
        "--bases",
        "/nonexistent.csv",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("0.05 = 5%") && err.contains("Mon-Fri 8-20") && err.contains("/nonexistent.csv"),
        "{err}"
    );
    let o = cessa(&["size", "-q", "--region", "Region 99"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8(o.stderr)
            .unwrap()
            .contains("unknown region \"Region 99\"")
    );
    let o = cessa(&[
        "size",
        "-q",
        "--region",
        "Region 5",
        "--add-only",
        "--max-teams",
        "3",
        "-r",
        "4",
        "--verify-replications",
        "4",
        "--set",
        "run.horizon_days=30",
        "--set",
        PHONES[0],
        "--set",
        PHONES[1],
        "--set",
        PHONES[2],
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("target not met on the verification run in Region 5") && !err.contains("phones alone"),
        "{err}"
    );
}

/// Candidate sites from a CSV: new bases only in zones that hold a site.
#[test]
fn new_bases_go_only_where_sites_are() {
    let dir = tmp("size", "sites");
    let sites = dir.join("sites.csv");
    // Two sites: Carbondale (Jackson County) and Harrisburg (Saline County).
    std::fs::write(
        &sites,
        "name,lat,lon\nCarbondale site,37.7273,-89.2168\nHarrisburg site,37.7384,-88.5406\n",
    )
    .unwrap();
    let out = dir.join("out");
    let o = cessa(&[
        "size",
        "-q",
        "--region",
        "Region 5",
        "--add-only",
        "--bases",
        sites.to_str().unwrap(),
        "-r",
        "4",
        "--verify-replications",
        "4",
        "--max-teams",
        "6",
        "--set",
        "run.horizon_days=30",
        "--set",
        PHONES[0],
        "--set",
        PHONES[1],
        "--set",
        PHONES[2],
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let csv = std::fs::read_to_string(out.join("size.csv")).unwrap();
    let new: Vec<&str> = csv.lines().filter(|l| l.contains(",new ")).collect();
    assert!(!new.is_empty(), "{csv}");
    assert!(
        new.iter().all(|l| l.contains("Jackson") || l.contains("Saline")),
        "{csv}"
    );
    assert!(new.iter().any(|l| l.contains("site")), "sites named: {csv}");
}

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/examples/one_region.toml");
const CENTRE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/scenarios/examples/contact_centre.toml"
);

/// The `answer_checks.csv` rows as maps from column to value.
fn answer_checks(dir: &std::path::Path) -> Vec<std::collections::HashMap<String, String>> {
    let text = std::fs::read_to_string(dir.join("answer_checks.csv")).unwrap();
    let mut lines = text.lines();
    let head: Vec<String> = lines.next().unwrap().split(',').map(String::from).collect();
    lines
        .map(|l| head.iter().cloned().zip(l.split(',').map(String::from)).collect())
        .collect()
}

/// Issue 14: `--counsellors` alone sizes the counsellor groups of the
/// example's centre against the in-state answer share and keeps the teams;
/// the verification figure is printed and written, and the sized scenario
/// run on its own with yet another seed meets the target.
#[test]
fn counsellors_alone_meet_the_answer_target_and_keep_the_teams() {
    let dir = tmp("size", "counsellors");
    let out = dir.join("sized");
    let o = cessa(&[
        "size",
        "-q",
        CENTRE,
        "--counsellors",
        "--min-answer",
        "0.95",
        "-r",
        "8",
        "--verify-replications",
        "30",
        "--set",
        "run.horizon_days=40",
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("counsellor group")
            && table.contains("sized (verify)")
            && table.contains("Town988")
            && table.contains("answered in state")
            && !table.contains("team group"),
        "{table}"
    );
    for f in [
        "sized.toml",
        "counsellors.csv",
        "answer_checks.csv",
        "answer_tradeoff.csv",
        "report.html",
    ] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let checks = answer_checks(&out);
    assert_eq!(checks.len(), 1);
    let c = &checks[0];
    assert_eq!(c["figure"], "in_state_answer_share");
    assert_eq!(c["met"], "true");
    let low: f64 = c["verified_ci_low"].parse().unwrap();
    let search: f64 = c["search"].parse().unwrap();
    assert!(low >= 0.95 && search > 0.95, "{c:?}");
    let text = std::fs::read_to_string(out.join("sized.toml")).unwrap();
    assert!(
        text.contains("# Changed by cessa-sim size: Town988 counsellors"),
        "{text}"
    );
    let sized: toml::Table = text.parse().unwrap();
    assert_eq!(
        sized["regions"]["Town"]["teams"]["night_and_day"]["count"].as_integer(),
        Some(3),
        "the teams stay as given"
    );
    assert!(
        sized["name"]
            .as_str()
            .unwrap()
            .contains("sized for the counsellors of Town988 (in-state answer share >= 0.95)")
    );
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Recommended counsellors") && !html.contains("Recommended teams"));
    assert!(html.contains("in_state_answer_share") && html.contains("The trade-off"));
    // On its own, with a third seed.
    let check = dir.join("check");
    let o = cessa(&[
        "run",
        "-q",
        "-r",
        "30",
        "--seed",
        "4242",
        "--out",
        check.to_str().unwrap(),
        out.join("sized.toml").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(check.join("by_region.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "in_state_answer_share_ci_low")
        .unwrap();
    let line = lines.find(|l| l.starts_with("Town,")).unwrap();
    let low: f64 = line.split(',').nth(col).unwrap().parse().unwrap();
    assert!(low >= 0.95, "in-state answer share lower bound {low}");
}

/// `--counsellors --max-miss`: teams and counsellors in one search, both
/// targets checked, the name saying both.
#[test]
fn counsellors_and_teams_jointly() {
    let dir = tmp("size", "joint");
    let out = dir.join("sized");
    let o = cessa(&[
        "size",
        "-q",
        CENTRE,
        "--counsellors",
        "--max-miss",
        "0.16",
        "--answer-within-20s",
        "0.9",
        "-r",
        "6",
        "--verify-replications",
        "20",
        "--set",
        "run.horizon_days=30",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("team group")
            && table.contains("miss sized (verify)")
            && table.contains("counsellor group")
            && table.contains("answered ≤ 20 s")
            && table.contains("costs 0.25 team-hours"),
        "{table}"
    );
    assert_eq!(answer_checks(&out).len(), 2);
    let sized: toml::Table = std::fs::read_to_string(out.join("sized.toml"))
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        sized["name"]
            .as_str()
            .unwrap()
            .contains("sized for Town and the counsellors of Town988 (miss share <= 0.16"),
        "{}",
        sized["name"]
    );
}

/// Bad counsellor input exits 2 with a hint; a target out of reach within
/// the cap exits 3 and names the centre.
#[test]
fn counsellor_bad_input_exits_2_and_infeasible_exits_3() {
    let o = cessa(&["size", "-q", CENTRE, "--counsellors", "--min-answer", "90"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("--min-answer 90") && err.contains("0.9 = 90%"),
        "{err}"
    );
    let o = cessa(&["size", "-q", CENTRE, "--min-answer", "0.9"]);
    assert_eq!(o.status.code(), Some(2), "--min-answer needs --counsellors");
    let o = cessa(&["size", "-q", SCENARIO, "--counsellors"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(err.contains("no contact centre answers"), "{err}");
    let o = cessa(&[
        "size",
        "-q",
        CENTRE,
        "--counsellors",
        "--min-answer",
        "0.99",
        "--max-counsellors-per-group",
        "1",
        "-r",
        "4",
        "--verify-replications",
        "4",
        "--set",
        "run.horizon_days=20",
    ]);
    assert_eq!(o.status.code(), Some(3), "{}", String::from_utf8_lossy(&o.stderr));
    let err = String::from_utf8(o.stderr).unwrap();
    assert!(
        err.contains("answer target not met on the verification run at Town988 (Town)")
            && err.contains("1 counsellors a group"),
        "{err}"
    );
    assert!(String::from_utf8(o.stdout).unwrap().contains("NOT MET"));
}

/// Sizing one region of a scenario with per-region and per-zone keys
/// naming the others (as `calibrate` writes them): the search leaves the
/// other regions out and trims those keys with them, instead of failing to
/// read its own cut.
#[test]
fn sizing_one_region_trims_keys_naming_the_others() {
    let dir = tmp("size", "trim");
    let file = dir.join("two.toml");
    std::fs::write(
        &file,
        r#"
[run]
horizon_days = 30
replications = 4
seed = 3
[call_types.crisis]
max_response_min = 60
max_response_by_zone = { Hill = 45 }
triage = { mobile = 1.0 }
on_scene = 30
on_scene_by_region = { A = 40, B = 20 }
[regions.A]
population = 100000
calls_per_hour = 0.5
travel = { time = 15 }
teams.van = { count = 1 }
[regions.B]
population = 100000
calls_per_hour = 0.5
zones = { Hill = 1, Vale = 1 }
travel = { matrix = { Hill = { Hill = 10, Vale = 20 }, Vale = { Hill = 20, Vale = 10 } } }
teams.van = { count = 1, base = "Hill" }
"#,
    )
    .unwrap();
    let o = cessa(&[
        "size",
        file.to_str().unwrap(),
        "-q",
        "--region",
        "A",
        "-r",
        "4",
        "--verify-replications",
        "4",
    ]);
    assert!(
        matches!(o.status.code(), Some(0 | 3)),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

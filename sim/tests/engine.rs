//! End-to-end checks of the engine: conservation of calls on every shipped
//! scenario, hand-computable cases, shifts, mutual aid and common random
//! numbers. Fixed seeds throughout.

use std::path::{Path, PathBuf};

use sim::{Model, RunResults, Scenario, montecarlo};

fn run_text(text: &str, reps: u32) -> RunResults {
    let sc = Scenario::from_toml(text, "test.toml").unwrap_or_else(|e| panic!("{e}"));
    montecarlo::run(&Model::new(sc), reps, &|| {})
}

fn scenario_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("scenarios folder") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            scenario_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "toml") {
            out.push(path);
        }
    }
}

/// Every contact of every shipped scenario ends in exactly one outcome.
#[test]
fn every_shipped_scenario_conserves_calls() {
    let mut files = Vec::new();
    scenario_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios"),
        &mut files,
    );
    files.sort();
    assert!(files.len() >= 3, "found {files:?}");
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let text =
            sim::scenario::patch::set_values(&text, &[("run.replications".into(), toml::Value::Integer(3))])
                .unwrap();
        let sc = Scenario::from_toml(&text, &f.display().to_string()).unwrap_or_else(|e| panic!("{e}"));
        let res = montecarlo::run(&Model::new(sc), 3, &|| {});
        assert!(res.contacts_generated > 0, "{}: no contacts", f.display());
        assert_eq!(
            res.outcome_totals.total(),
            res.contacts_generated,
            "{}: {:?}",
            f.display(),
            res.outcome_totals
        );
        assert_eq!(res.calls_unresolved_at_end, 0, "{}", f.display());
        // The same holds cell by cell: region rows add up to the statewide row.
        let state = res.kpi(None, None, None, "contacts_per_month").unwrap().mean;
        let sum: f64 = res
            .regions
            .iter()
            .map(|r| {
                res.kpi(Some(&r.name), None, None, "contacts_per_month")
                    .unwrap()
                    .mean
            })
            .sum();
        assert!((state - sum).abs() < 1e-6 * state, "{}", f.display());
    }
}

const ONE_TEAM: &str = r#"
[run]
horizon_days = 365
replications = 40
seed = 11
[dispatch]
policy = "predict"
candidates = "any"
estimate = "exact"
[call_types.crisis]
max_response_min = 10
triage = { mobile = 1.0 }
on_scene = 50
[regions.Town]
population = 1000
calls_per_hour = 1.0
travel = { time = 10 }
teams.van = { count = 1, shift = "24/7" }
"#;

/// One team, deterministic 10-minute travel and 50-minute scene time, a
/// 10-minute maximum: a call is reached (in exactly 10 minutes) only when
/// the team is idle, so the system is M/D/1/1 and, Erlang B being
/// insensitive to the service distribution, the diverted share is
/// B(1, a) = a / (1 + a) with a = 1 call/hour x 1 hour = 1: one half.
#[test]
fn one_team_deterministic_times_by_hand() {
    let res = run_text(ONE_TEAM, 40);
    // 99% intervals, as in the validation suite.
    let div = res
        .kpi(None, None, None, "diverted_share")
        .unwrap()
        .at_level(0.99);
    assert!(div.contains(0.5), "{div:?}");
    assert!(div.half_width < 0.01, "{div:?}");
    let util = res.region_kpi("Town", "utilization").unwrap().at_level(0.99);
    assert!(util.contains(0.5), "{util:?}");
    let mean = res.kpi(None, None, None, "response_mean_min").unwrap();
    assert!((mean.mean - 10.0).abs() < 1e-9, "{mean:?}");
    let p50 = res.kpi(None, None, None, "response_p50_min").unwrap().mean;
    assert!((10.0..=10.5).contains(&p50), "{p50}");
    let late = res.kpi(None, None, None, "late_share").unwrap();
    assert_eq!(late.mean, 0.0);
}

/// Travel alone longer than the maximum: every call is diverted at once.
#[test]
fn travel_beyond_the_maximum_diverts_everything() {
    let res = run_text(
        &ONE_TEAM.replace("max_response_min = 10", "max_response_min = 9.5"),
        3,
    );
    assert_eq!(res.kpi(None, None, None, "diverted_share").unwrap().mean, 1.0);
    let res = run_text(
        &ONE_TEAM.replace("max_response_min = 10", "max_response_min = \"none\""),
        3,
    );
    assert_eq!(res.kpi(None, None, None, "diverted_share").unwrap().mean, 0.0);
}

/// A team on shift Mon-Fri 08:00-16:00 with a flat profile and no intake
/// delay: the calls that find no team on shift are exactly those outside
/// the 40 of 168 hours.
#[test]
fn calls_outside_shifts_find_no_team() {
    let text = ONE_TEAM
        .replace(
            "shift = \"24/7\"",
            "shift = { days = \"Mon-Fri\", start = \"08:00\", end = \"16:00\" }, overtime_min = 120",
        )
        .replace("max_response_min = 10", "max_response_min = \"none\"")
        .replace("calls_per_hour = 1.0", "calls_per_hour = 0.2");
    let res = run_text(&text, 20);
    let no_team = res
        .kpi(None, None, None, "no_team_on_shift_share")
        .unwrap()
        .at_level(0.99);
    assert!(no_team.contains(128.0 / 168.0), "{no_team:?}");
    let hours = &res.hour_of_week;
    // Monday 03:00: nobody on shift. Monday 10:00: on shift and no maximum,
    // so diverted only when the backlog could not be finished by 18:00.
    assert_eq!(hours[3].kpis["diverted_share"].mean, 1.0);
    assert!(
        hours[10].kpis["diverted_share"].mean < 0.02,
        "{:?}",
        hours[10].kpis
    );
    assert!(res.region_kpi("Town", "overtime_hours_per_month").unwrap().mean > 0.0);
}

const TWO_REGIONS: &str = r#"
[run]
horizon_days = 120
seed = 5
[call_types.crisis]
max_response_min = 90
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 45 }
[regions.North]
population = 1000
calls_per_hour = 0.3
travel = { speed_mph = 40 }
zones.N1 = { lat = 41.0, lon = -89.0 }
teams.van = { count = 2, base = "N1" }
[regions.South]
population = 1000
calls_per_hour = 0.2
travel = { speed_mph = 40 }
zones.S1 = { lat = 40.8, lon = -89.0 }
mutual_aid = ["North"]
"#;

/// South has no teams: without mutual aid every call finds no team on
/// shift; with North's aid, North's teams answer them.
#[test]
fn mutual_aid_answers_a_region_without_teams() {
    let with = run_text(TWO_REGIONS, 5);
    let aid = with
        .kpi(Some("South"), None, None, "mutual_aid_share_of_responses")
        .unwrap();
    assert_eq!(aid.mean, 1.0);
    assert!(with.kpi(Some("South"), None, None, "in_time_share").unwrap().mean > 0.9);
    let without = run_text(&TWO_REGIONS.replace("mutual_aid = [\"North\"]", ""), 5);
    assert_eq!(
        without
            .kpi(Some("South"), None, None, "no_team_on_shift_share")
            .unwrap()
            .mean,
        1.0
    );
    // North's own calls are the same calls either way (common random numbers).
    assert_eq!(
        with.kpi(Some("North"), None, None, "mobile_per_month").unwrap(),
        without
            .kpi(Some("North"), None, None, "mobile_per_month")
            .unwrap()
    );
}

/// Replication k sees the same calls whatever the staffing or maximum.
#[test]
fn common_random_numbers_across_staffing() {
    let base = run_text(TWO_REGIONS, 6);
    let more = run_text(
        &TWO_REGIONS
            .replace("count = 2", "count = 5")
            .replace("= 90", "= 45"),
        6,
    );
    for k in ["contacts_per_month", "mobile_per_month"] {
        for r in ["North", "South"] {
            assert_eq!(
                base.kpi(Some(r), None, None, k),
                more.kpi(Some(r), None, None, k),
                "{r} {k}"
            );
        }
    }
    assert_eq!(base.contacts_generated, more.contacts_generated);
}

/// The annotated example in the README is a valid scenario that runs.
#[test]
fn readme_example_scenario_runs() {
    let readme = include_str!("../../README.md");
    let start = readme.find("```toml\n").expect("a toml block") + "```toml\n".len();
    let end = start + readme[start..].find("```").expect("closed");
    let text = readme[start..end].replace("horizon_days = 90", "horizon_days = 20");
    let res = run_text(&text, 2);
    assert_eq!(res.outcome_totals.total(), res.contacts_generated);
    assert!(
        res.kpi(Some("Town"), Some("urgent"), None, "mobile_per_month")
            .unwrap()
            .mean
            > 0.0
    );
}

/// Review finding: under `escalate`, a call that the team could reach once
/// back at its base was given up while the team drove home from the far
/// side (12.7% diverted). Now a team at base looks at the queue again, and
/// a call is kept until no team could still set off in time.
#[test]
fn escalate_keeps_calls_a_returning_team_can_still_reach() {
    let text = r#"
[run]
horizon_days = 120
seed = 5
[dispatch]
policy = "escalate"
estimate = "exact"
after_call = "return_to_base"
[call_types.c]
max_response_min = 30
triage = { mobile = 1.0 }
on_scene = 0
[regions.R]
population = 1000
calls_per_hour = 1.0
zones = { A = 1, B = 0, C = 1 }
travel = { matrix = { A = { A = 5, B = 10, C = 100 }, B = { A = 10, B = 5, C = 10 }, C = { A = 100, B = 10, C = 5 } } }
teams.t1 = { count = 1, base = "B", shift = "24/7" }
"#;
    let res = run_text(text, 20);
    let div = res.kpi(None, None, None, "diverted_share").unwrap();
    assert!(div.mean < 0.03, "{div:?}");
}

/// Review finding: "no team on shift" is judged when the call arrives
/// (model.md), not when its intake ends.
#[test]
fn no_team_on_shift_is_judged_at_arrival() {
    let text = r#"
[run]
start_date = "2027-07-05"
horizon_days = 28
seed = 3
[dispatch]
estimate = "exact"
[channels.transfer]
share = 1.0
intake = 120
[call_types.c]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 1
[regions.Town]
population = 1000
calls_per_hour = 0.5
travel = { time = 0 }
teams.day = { count = 5, shift = { days = "all", start = "08:00", end = "16:00" } }
"#;
    let res = run_text(text, 10);
    let h = &res.hour_of_week;
    // Monday 06:00 (no team on shift at arrival): diverted; Monday 12:00: served.
    assert_eq!(h[6].kpis["diverted_share"].mean, 1.0);
    assert_eq!(h[12].kpis["diverted_share"].mean, 0.0);
    // Monday 15:00: on shift at arrival, decided at 17:00: diverted, but not "no team".
    assert_eq!(h[15].kpis["diverted_share"].mean, 1.0);
    let no_team = res.kpi(None, None, None, "no_team_on_shift_share").unwrap().mean;
    assert!((no_team - 16.0 / 24.0).abs() < 0.05, "{no_team}");
}

/// Review finding: calls per hour of week were divided by the window in
/// weeks, not by how often each hour occurs in it.
#[test]
fn calls_per_hour_of_week_use_each_hours_occurrences() {
    let text = ONE_TEAM
        .replace("horizon_days = 365", "horizon_days = 60\nwarmup_days = 5")
        .replace("calls_per_hour = 1.0", "calls_per_hour = 1.5");
    let res = run_text(&text, 20);
    for h in [0usize, 30, 100, 167] {
        let e = res.hour_of_week[h].kpis["mobile_per_week"].at_level(0.999);
        assert!(e.contains(1.5), "hour {h}: {e:?}");
    }
}

/// Per team group (issue 15): the groups' busy time adds up to the
/// region's, their dispatch shares to one, their dispatches by zone to the
/// calls reached; the far base drives longer; travel is the matrix's
/// minutes (the near teams' p90 is zone B's 20).
#[test]
fn team_group_figures_add_up_to_the_region() {
    let text = r#"
name = "two bases"
[run]
horizon_days = 60
warmup_days = 2
seed = 5
[dispatch]
after_call = "return_to_base"
[call_types.crisis]
max_response_min = 60
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 40 }
[regions.County]
population = 100000
calls_per_hour = 1.0
teams.near = { count = 2, base = "A" }
teams.far = { count = 1, base = "C" }
[regions.County.zones]
A = 4
B = 1
C = 1
[regions.County.travel.matrix]
A = { A = 5, B = 20, C = 30 }
B = { A = 20, B = 6, C = 25 }
C = { A = 30, B = 25, C = 7 }
"#;
    let res = run_text(text, 10);
    assert_eq!(res.teams.len(), 2);
    let team = |g: &str| res.teams.iter().find(|t| t.group == g).unwrap();
    let k = |g: &str, f: &str| team(g).kpis[f].mean;
    let busy: f64 = ["near", "far"]
        .iter()
        .map(|g| k(g, "utilization") * team(g).team_hours_per_week)
        .sum();
    let region = res.region_kpi("County", "utilization").unwrap().mean * 3.0 * 168.0;
    assert!((busy - region).abs() < 1e-9 * region, "{busy} vs {region}");
    let shares = k("near", "dispatch_share") + k("far", "dispatch_share");
    assert!((shares - 1.0).abs() < 1e-9, "{shares}");
    let by_zone: u64 = res.teams.iter().flat_map(|t| t.dispatches_by_zone.values()).sum();
    let o = res.outcome_totals;
    assert_eq!(by_zone, o.mobile_in_time + o.mobile_late);
    // Team C serves zone C from its own base (7 min) unless busy; the near
    // teams mostly zone A (5 min).
    assert!(k("far", "travel_mean_min") > k("near", "travel_mean_min"));
    assert!(team("far").dispatches_by_zone["C"] > team("far").dispatches_by_zone["A"]);
    assert!(k("near", "dispatches_per_month") > 3.0 * k("far", "dispatches_per_month"));
    // Travel is the matrix's minutes exactly (no random factor).
    assert!(k("far", "travel_mean_min") >= 7.0 && k("near", "travel_mean_min") >= 5.0);
    assert!(
        (20.0..21.0).contains(&k("near", "travel_p90_min")),
        "{}",
        k("near", "travel_p90_min")
    );
}

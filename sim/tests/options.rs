//! Every scenario option changes what a run reports.
//!
//! The project rule: every key that `Scenario::from_toml` accepts has a test
//! here whose expected value would change if the engine ignored the key.
//! Each test runs a small base scenario and the same scenario with only that
//! key changed, and checks the reported figure against a value computed by
//! hand: exactly where the model is deterministic, within a 99.9% confidence
//! interval (or a Poisson bound on a count) where it is random. Seeds are
//! fixed, horizons short, replications few; the changes tested are many
//! times the width of the intervals.
//!
//! Runs use `run.replications` from the scenario, as the CLI does.

use sim::results::{HourRow, MonthZoneRow};
use sim::stats::Estimate;
use sim::{Model, RunResults, Scenario, montecarlo};

/// Average minutes in a month, as the engine expresses rates per month.
const MONTH_MIN: f64 = 365.25 / 12.0 * 1440.0;
/// Hours in an average month.
const MONTH_H: f64 = MONTH_MIN / 60.0;

// ---------------------------------------------------------------------------
// Helpers.

/// Reads a scenario and runs `run.replications` replications of it.
fn run(text: &str) -> RunResults {
    let sc = Scenario::from_toml(text, "t.toml").unwrap_or_else(|e| panic!("{e}\n{text}"));
    let reps = sc.run().replications;
    montecarlo::run(&Model::new(sc), reps, &|| {})
}

/// `text` with `from` (which must occur exactly once) replaced by `to`, so
/// that a typo in a test cannot silently leave the scenario unchanged.
#[track_caller]
fn with(text: &str, from: &str, to: &str) -> String {
    let n = text.matches(from).count();
    assert_eq!(n, 1, "{from:?} occurs {n} times in\n{text}");
    text.replacen(from, to, 1)
}

/// A statewide KPI.
#[track_caller]
fn kpi(res: &RunResults, name: &str) -> Estimate {
    res.kpi(None, None, None, name)
        .unwrap_or_else(|| panic!("no statewide KPI {name}"))
}

/// A region's team KPI.
#[track_caller]
fn region_kpi(res: &RunResults, region: &str, name: &str) -> Estimate {
    res.region_kpi(region, name)
        .unwrap_or_else(|| panic!("no KPI {name} for region {region}"))
}

/// One (region, hour of week) row.
#[track_caller]
fn hour<'a>(res: &'a RunResults, region: &str, h: usize) -> &'a HourRow {
    res.hour_of_week
        .iter()
        .find(|r| r.region == region && r.hour_of_week == h)
        .unwrap_or_else(|| panic!("no hour-of-week row {region} {h}"))
}

/// A count of one (month, zone) row.
#[track_caller]
fn month_zone(res: &RunResults, month: &str, zone: &str, name: &str) -> Estimate {
    let row: &MonthZoneRow = res
        .month_zone
        .iter()
        .find(|r| r.month == month && r.zone == zone)
        .unwrap_or_else(|| panic!("no month-zone row {month} {zone}"));
    row.counts[name]
}

/// The month labels of the month-zone table, in order, without repeats.
fn months(res: &RunResults) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in &res.month_zone {
        if out.last() != Some(&r.month) {
            out.push(r.month.clone());
        }
    }
    out
}

/// The problems `Scenario::from_toml` reports for `text`, which must be rejected.
#[track_caller]
fn rejected(text: &str) -> String {
    match Scenario::from_toml(text, "t.toml") {
        Ok(_) => panic!("accepted, but should be rejected:\n{text}"),
        Err(e) => e.to_string(),
    }
}

/// `est`'s 99.9% confidence interval contains the hand-computed `x`.
#[track_caller]
fn assert_ci(est: Estimate, x: f64, what: &str) {
    let e = est.at_level(0.999);
    assert!(
        e.n >= 2 && e.contains(x),
        "{what}: expected {x}, which the 99.9% CI {:.4} ± {:.4} (n = {}) does not contain",
        e.mean,
        e.half_width,
        e.n
    );
}

/// An exact value, up to rounding.
#[track_caller]
fn assert_exact(actual: f64, x: f64, what: &str) {
    assert!(
        (actual - x).abs() <= 1e-9 * x.abs().max(1.0),
        "{what}: expected exactly {x}, got {actual}"
    );
}

/// A Poisson count within four standard deviations of its mean.
#[track_caller]
fn assert_poisson(count: u64, mean: f64, what: &str) {
    let c = count as f64;
    assert!(
        (c - mean).abs() <= 4.0 * mean.sqrt(),
        "{what}: expected about {mean} (± {:.0}), got {count}",
        4.0 * mean.sqrt()
    );
}

/// A response-time quantile read from 0.5-minute histogram bins: within
/// half a minute of the true value.
#[track_caller]
fn assert_bin(actual: f64, x: f64, what: &str) {
    assert!(
        (actual - x).abs() <= 0.5,
        "{what}: expected {x:.3} (± 0.5, the histogram bin), got {actual:.3}"
    );
}

/// Great-circle miles, as a speed-based travel model measures them.
fn great_circle_miles(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (la1, lo1, la2, lo2) = (
        a.0.to_radians(),
        a.1.to_radians(),
        b.0.to_radians(),
        b.1.to_radians(),
    );
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * 3958.8 * h.sqrt().asin()
}

// ---------------------------------------------------------------------------
// Base scenarios.

/// Contacts only: everything resolved by phone, no teams. 10 contacts an
/// hour for 30 days.
const COUNT: &str = r#"
[run]
horizon_days = 30
replications = 20
seed = 3
[call_types.crisis]
max_response_min = "none"
triage = { phone = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 10
travel = { time = 10 }
"#;

/// Contacts per month of `COUNT`.
const COUNT_PER_MONTH: f64 = 10.0 * MONTH_H;

/// Every call is mobile and finds one of 20 idle teams at once: a response
/// is exactly the travel time (plus intake); busy time is exactly travel
/// plus scene (plus transport).
const DISPATCH: &str = r#"
[run]
horizon_days = 60
replications = 10
seed = 5
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 0.5
travel = { time = 10 }
teams.van = { count = 20 }
"#;

/// Mobile calls per month of `DISPATCH`.
const DISPATCH_PER_MONTH: f64 = 0.5 * MONTH_H;

/// One team with a load of 0.8, exponential scene times and a 60-minute
/// maximum: calls wait, and the dispatcher's estimates can be wrong.
const QUEUE: &str = r#"
[run]
horizon_days = 120
replications = 6
seed = 9
[dispatch]
policy = "predict"
candidates = "any"
estimate = "expected"
[call_types.crisis]
max_response_min = 60
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 50 }
[regions.Town]
population = 100000
calls_per_hour = 0.8
travel = { time = 10 }
teams.van = { count = 1 }
"#;

/// One team, deterministic 10-minute travel and 50-minute scene, a
/// 10-minute maximum: M/D/1/1, diverted share B(1, 1) = 1/2.
const ERLANG: &str = r#"
[run]
horizon_days = 120
replications = 10
seed = 11
[dispatch]
estimate = "exact"
[call_types.crisis]
max_response_min = 10
triage = { mobile = 1.0 }
on_scene = 50
[regions.Town]
population = 1000
calls_per_hour = 1.0
travel = { time = 10 }
teams.van = { count = 1 }
"#;

/// Two zones: calls only in B, the team based in A, 30 minutes apart and 5
/// minutes within a zone.
const TWO_ZONES: &str = r#"
[run]
horizon_days = 90
replications = 4
seed = 2
[dispatch]
after_call = "return_to_base"
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 0.2
zones = { A = 0, B = 1 }
travel = { matrix = { A = { A = 5, B = 30 }, B = { A = 30, B = 5 } } }
teams.van = { count = 1, base = "A" }
"#;

/// Travel from zone coordinates: calls only in B, teams based in A, few
/// calls, so that almost every response is the drive A -> B.
const GEO: &str = r#"
[run]
horizon_days = 120
replications = 4
seed = 17
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
[regions.Geo]
population = 100000
calls_per_hour = 0.05
travel = { speed_mph = 40, circuity = 1.3, within_zone = 0.5 }
teams.van = { count = 2, base = "A" }
[regions.Geo.zones]
A = { weight = 0, lat = 40.0, lon = -89.0, area_sqmi = 1 }
B = { weight = 1, lat = 40.2, lon = -89.5, area_sqmi = 16 }
"#;

/// Minutes A -> B of a `GEO`-like scenario.
fn geo_minutes(b: (f64, f64), area_b: f64, speed: f64, circuity: f64, within: f64) -> f64 {
    (circuity * great_circle_miles((40.0, -89.0), b) + within * area_b.sqrt()) / speed * 60.0
}

/// Ten day teams Mon-Fri 08:00-16:00 (40 of 168 hours), four whole weeks.
const SHIFT: &str = r#"
[run]
horizon_days = 28
replications = 10
seed = 19
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 2
travel = { time = 10 }
teams.day = { count = 10, shift = { days = "Mon-Fri", start = "08:00", end = "16:00" } }
"#;

// ---------------------------------------------------------------------------
// Top level.

#[test]
fn top_level_name() {
    let res = run(&format!("name = \"Pilot\"\n{COUNT}"));
    assert_eq!(res.scenario, "Pilot", "name");
    assert_eq!(run(COUNT).scenario, "unnamed scenario", "name (default)");
}

#[test]
fn top_level_demand_scale() {
    assert_ci(
        kpi(&run(COUNT), "contacts_per_month"),
        COUNT_PER_MONTH,
        "base contacts_per_month",
    );
    let res = run(&format!("demand_scale = 2.5\n{COUNT}"));
    assert_ci(
        kpi(&res, "contacts_per_month"),
        2.5 * COUNT_PER_MONTH,
        "demand_scale = 2.5: contacts_per_month",
    );
}

#[test]
fn top_level_travel_scale() {
    let what = "travel_scale = 1.5 on travel.time";
    assert_exact(
        kpi(&run(DISPATCH), "response_mean_min").mean,
        10.0,
        "base response",
    );
    let res = run(&format!("travel_scale = 1.5\n{DISPATCH}"));
    assert_exact(kpi(&res, "response_mean_min").mean, 15.0, what);
    // On a travel matrix.
    let matrix = with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { matrix = { Town = { Town = 12 } } }",
    );
    let res = run(&format!("travel_scale = 1.5\n{matrix}"));
    assert_exact(
        kpi(&res, "response_mean_min").mean,
        18.0,
        "travel_scale = 1.5 on travel.matrix",
    );
    // On speed-based travel.
    let d = geo_minutes((40.2, -89.5), 16.0, 40.0, 1.3, 0.5);
    let res = run(&format!("travel_scale = 1.5\n{GEO}"));
    assert_bin(
        kpi(&res, "response_p50_min").mean,
        1.5 * d,
        "travel_scale = 1.5 on travel.speed_mph",
    );
}

#[test]
fn top_level_on_scene_scale() {
    // Busy team-hours per month: calls x (travel + scene).
    let base = run(DISPATCH);
    assert_ci(
        region_kpi(&base, "Town", "busy_team_hours_per_month"),
        DISPATCH_PER_MONTH * 40.0 / 60.0,
        "base busy_team_hours_per_month",
    );
    let res = run(&format!("on_scene_scale = 2\n{DISPATCH}"));
    assert_ci(
        region_kpi(&res, "Town", "busy_team_hours_per_month"),
        DISPATCH_PER_MONTH * 70.0 / 60.0,
        "on_scene_scale = 2: busy_team_hours_per_month",
    );
}

// ---------------------------------------------------------------------------
// [run]

#[test]
fn run_start_date() {
    // Month labels follow the start date.
    assert_eq!(months(&run(COUNT)), ["2027-07"], "start_date default");
    let res = run(&with(COUNT, "[run]", "[run]\nstart_date = 2028-02-10"));
    assert_eq!(months(&res), ["2028-02", "2028-03"], "start_date = 2028-02-10");
    assert_eq!(res.start_date, "2028-02-10");
    // The weekday: two days from a Saturday find no weekday team on shift;
    // from a Monday, 16 of 48 hours are on shift.
    let two_days = with(
        &with(SHIFT, "horizon_days = 28", "horizon_days = 2"),
        "replications = 10",
        "replications = 20",
    );
    let sat = run(&with(&two_days, "[run]", "[run]\nstart_date = \"2027-07-03\""));
    assert_exact(
        kpi(&sat, "no_team_on_shift_share").mean,
        1.0,
        "start_date on a Saturday: no_team_on_shift_share",
    );
    let mon = run(&with(&two_days, "[run]", "[run]\nstart_date = \"2027-07-05\""));
    assert_ci(
        kpi(&mon, "no_team_on_shift_share"),
        32.0 / 48.0,
        "start_date on a Monday: no_team_on_shift_share",
    );
    // The month of the year: February's factor applies from a February start.
    let feb_heavy = with(
        COUNT,
        "travel = { time = 10 }",
        "travel = { time = 10 }\nmonth_factors = [1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
    );
    let feb = with(
        &feb_heavy,
        "horizon_days = 30",
        "horizon_days = 28\nstart_date = 2027-02-01",
    );
    let res = run(&feb);
    assert_ci(
        kpi(&res, "contacts_per_month"),
        3.0 * COUNT_PER_MONTH,
        "start_date in February with a February factor of 3",
    );
}

#[test]
fn run_horizon_days() {
    let reps = 20.0;
    let base = run(COUNT);
    assert_poisson(
        base.contacts_generated,
        reps * 10.0 * 24.0 * 30.0,
        "horizon 30 days",
    );
    assert_eq!(base.horizon_days, 30.0);
    let res = run(&with(COUNT, "horizon_days = 30", "horizon_days = 62"));
    assert_poisson(
        res.contacts_generated,
        reps * 10.0 * 24.0 * 62.0,
        "horizon_days = 62: contacts",
    );
    assert_eq!(months(&res), ["2027-07", "2027-08"], "horizon_days = 62: months");
    assert_ci(
        kpi(&res, "contacts_per_month"),
        COUNT_PER_MONTH,
        "horizon_days = 62: contacts_per_month",
    );
}

#[test]
fn run_warmup_days() {
    let reps = 20.0;
    let text = with(COUNT, "horizon_days = 30", "horizon_days = 62\nwarmup_days = 40");
    let res = run(&text);
    // Contacts of the first 40 days are left out.
    assert_poisson(
        res.contacts_generated,
        reps * 10.0 * 24.0 * 22.0,
        "warmup_days = 40: measured contacts",
    );
    assert_eq!(res.warmup_days, 40.0);
    assert_eq!(months(&res), ["2027-08"], "warmup_days = 40: July is left out");
    assert_ci(
        month_zone(&res, "2027-08", "Town", "contacts"),
        10.0 * 24.0 * 22.0,
        "warmup_days = 40: August contacts after the warm-up",
    );
    assert_ci(
        kpi(&res, "contacts_per_month"),
        COUNT_PER_MONTH,
        "warmup_days = 40: contacts_per_month over the measured days",
    );
}

#[test]
fn run_replications() {
    let res = run(&with(COUNT, "replications = 20", "replications = 3"));
    assert_eq!(res.replications, 3, "replications = 3");
    assert_eq!(kpi(&res, "contacts_per_month").n, 3, "replications = 3: n");
    let res = run(&with(COUNT, "replications = 20", "replications = 5"));
    assert_eq!(res.replications, 5, "replications = 5");
    assert_eq!(kpi(&res, "contacts_per_month").n, 5, "replications = 5: n");
}

#[test]
fn run_seed() {
    let a = run(COUNT);
    assert_eq!(a.contacts_generated, run(COUNT).contacts_generated, "same seed");
    let b = run(&with(COUNT, "seed = 3", "seed = 4"));
    assert_eq!(b.seed, 4);
    assert_ne!(
        a.contacts_generated, b.contacts_generated,
        "seed = 4 draws other calls"
    );
}

// ---------------------------------------------------------------------------
// [dispatch]

#[test]
fn dispatch_policy() {
    // predict with expected times assigns calls to busy teams on a wrong
    // estimate, so some arrive late; escalate dispatches only an idle team
    // whose (fixed, hence exact) travel meets the maximum: never late.
    let predict = run(QUEUE);
    let late = kpi(&predict, "late_share").mean;
    assert!(late > 0.01, "policy = predict: late_share {late}");
    let escalate = run(&with(QUEUE, "policy = \"predict\"", "policy = \"escalate\""));
    assert_exact(
        kpi(&escalate, "late_share").mean,
        0.0,
        "policy = escalate: late_share",
    );
    assert!(
        kpi(&escalate, "in_time_share").mean > 0.5,
        "policy = escalate serves calls"
    );
    // Under escalate a call that finds no idle team waits in the central
    // queue for the next free team (rather than being diverted at once).
    let waited = kpi(&escalate, "waited_share_of_responses").mean;
    assert!(
        waited > 0.05,
        "policy = escalate: waited_share_of_responses {waited}"
    );
    let queue = region_kpi(&escalate, "Town", "mean_queue_length").mean;
    assert!(queue > 0.05, "policy = escalate: mean_queue_length {queue}");
}

#[test]
fn dispatch_candidates() {
    let any = with(QUEUE, "estimate = \"expected\"", "estimate = \"exact\"");
    let res = run(&any);
    let waited = kpi(&res, "waited_share_of_responses").mean;
    assert!(
        waited > 0.05,
        "candidates = any: waited_share_of_responses {waited}"
    );
    let res_idle = run(&with(&any, "candidates = \"any\"", "candidates = \"idle\""));
    assert_exact(
        kpi(&res_idle, "waited_share_of_responses").mean,
        0.0,
        "candidates = idle: waited_share_of_responses",
    );
    assert_exact(
        kpi(&res_idle, "wait_mean_min").mean,
        0.0,
        "candidates = idle: wait_mean_min",
    );
    assert!(
        kpi(&res_idle, "diverted_share").mean > kpi(&res, "diverted_share").mean + 0.05,
        "candidates = idle diverts more than any"
    );
}

#[test]
fn dispatch_estimate() {
    // exact: an oracle, never late. expected: wrong about exponential scene
    // times, sometimes late.
    let expected = run(QUEUE);
    let late = kpi(&expected, "late_share").mean;
    assert!(late > 0.01, "estimate = expected: late_share {late}");
    let exact = run(&with(QUEUE, "estimate = \"expected\"", "estimate = \"exact\""));
    assert_exact(
        kpi(&exact, "late_share").mean,
        0.0,
        "estimate = exact: late_share",
    );
    assert!(kpi(&exact, "in_time_share").mean > 0.5);
    // Travel: uniform 5-25 minutes (mean 15) against a 20-minute maximum,
    // with idle teams. exact diverts the quarter of calls whose travel is
    // above 20; expected (15 minutes) sends a team to every call and that
    // quarter arrives late.
    let travel = with(
        &with(
            &with(
                DISPATCH,
                "time = 10",
                "time = { dist = \"uniform\", low = 5, high = 25 }",
            ),
            "max_response_min = \"none\"",
            "max_response_min = 20",
        ),
        "[call_types.crisis]",
        "[dispatch]\nestimate = \"expected\"\n[call_types.crisis]",
    );
    let expected = run(&travel);
    assert_ci(
        kpi(&expected, "late_share"),
        0.25,
        "estimate = expected, random travel: late_share",
    );
    assert_exact(
        kpi(&expected, "diverted_share").mean,
        0.0,
        "estimate = expected: diverted_share",
    );
    let exact = run(&with(&travel, "estimate = \"expected\"", "estimate = \"exact\""));
    assert_ci(
        kpi(&exact, "diverted_share"),
        0.25,
        "estimate = exact, random travel: diverted_share",
    );
    assert_exact(
        kpi(&exact, "late_share").mean,
        0.0,
        "estimate = exact, random travel: late_share",
    );
}

#[test]
fn dispatch_after_call() {
    // Returning to base A, the next call (in B) is 30 minutes away; staying
    // in B, 5 minutes.
    let back = run(TWO_ZONES);
    assert_bin(
        kpi(&back, "response_p50_min").mean,
        30.0,
        "after_call = return_to_base: median response",
    );
    let stay = run(&with(
        TWO_ZONES,
        "after_call = \"return_to_base\"",
        "after_call = \"stay\"",
    ));
    assert_bin(
        kpi(&stay, "response_p50_min").mean,
        5.0,
        "after_call = stay: median response",
    );
}

// ---------------------------------------------------------------------------
// [channels]

#[test]
fn channels_share() {
    let two = |a: f64| {
        format!(
            "{COUNT}[channels.a]\nshare = {a}\n[channels.b]\nshare = {}\n",
            1.0 - a
        )
    };
    for a in [0.5, 0.2] {
        let res = run(&two(a));
        assert_ci(
            res.kpi(None, None, Some("a"), "contacts_per_month").unwrap(),
            a * COUNT_PER_MONTH,
            &format!("channels.a.share = {a}: contacts_per_month of channel a"),
        );
        assert_ci(
            res.kpi(None, None, Some("b"), "contacts_per_month").unwrap(),
            (1.0 - a) * COUNT_PER_MONTH,
            &format!("channels.b.share = {}: contacts_per_month of channel b", 1.0 - a),
        );
    }
}

#[test]
fn channels_intake() {
    // No intake: response = travel = 10. A fixed 7-minute intake adds 7; a
    // random one adds its mean.
    let base = format!("{DISPATCH}[channels.line]\nshare = 1.0\n");
    assert_exact(kpi(&run(&base), "response_mean_min").mean, 10.0, "no intake");
    let res = run(&format!("{base}intake = 7\n"));
    assert_exact(
        kpi(&res, "response_mean_min").mean,
        17.0,
        "channels.line.intake = 7",
    );
    let res = run(&format!(
        "{base}intake = {{ dist = \"exponential\", mean = 7 }}\n"
    ));
    assert_ci(
        kpi(&res, "response_mean_min"),
        17.0,
        "channels.line.intake exponential mean 7",
    );
    // Per channel: only the slow channel's responses are slower.
    let two = format!("{DISPATCH}[channels.fast]\nshare = 0.5\n[channels.slow]\nshare = 0.5\nintake = 20\n");
    let res = run(&two);
    assert_exact(
        res.kpi(None, None, Some("fast"), "response_mean_min")
            .unwrap()
            .mean,
        10.0,
        "channels.fast without intake",
    );
    assert_exact(
        res.kpi(None, None, Some("slow"), "response_mean_min")
            .unwrap()
            .mean,
        30.0,
        "channels.slow.intake = 20",
    );
}

/// Every distribution and every parameter of a duration reaches the draws:
/// an intake with that distribution adds its mean to the response time.
#[test]
fn durations_every_distribution() {
    // sigma of a lognormal given by median 6 and p90 12.
    let sigma = 2f64.ln() / 1.281_551_565_544_600_4;
    let cases: [(&str, f64); 11] = [
        ("7", 7.0),
        ("{ dist = \"fixed\", value = 7 }", 7.0),
        ("{ dist = \"fixed\", value = 3 }", 3.0),
        ("{ dist = \"exponential\", mean = 7 }", 7.0),
        ("{ dist = \"lognormal\", mean = 7, sd = 3 }", 7.0),
        (
            "{ dist = \"lognormal\", median = 6, p90 = 12 }",
            6.0 * (sigma * sigma / 2.0).exp(),
        ),
        ("{ dist = \"gamma\", mean = 7, sd = 3 }", 7.0),
        ("{ dist = \"uniform\", low = 4, high = 12 }", 8.0),
        ("{ dist = \"triangular\", low = 2, mode = 5, high = 14 }", 7.0),
        ("{ dist = \"empirical\", values = [2, 5, 14] }", 7.0),
        (
            "{ dist = \"empirical\", quantiles = [[0, 2], [0.5, 6], [1, 10]] }",
            6.0,
        ),
    ];
    for (dist, mean) in cases {
        let res = run(&format!(
            "{DISPATCH}[channels.line]\nshare = 1.0\nintake = {dist}\n"
        ));
        assert_ci(
            kpi(&res, "response_mean_min"),
            10.0 + mean,
            &format!("intake = {dist}: response = 10 + {mean}"),
        );
    }
}

// ---------------------------------------------------------------------------
// [call_types]

const TWO_TYPES: &str = r#"
[run]
horizon_days = 30
replications = 20
seed = 3
[call_types.a]
share = 0.5
max_response_min = "none"
triage = { phone = 1.0 }
on_scene = 30
[call_types.b]
share = 0.5
max_response_min = "none"
triage = { phone = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 10
travel = { time = 10 }
"#;

#[test]
fn call_types_share() {
    for a in [0.5, 0.2] {
        let text = TWO_TYPES
            .replacen("share = 0.5", &format!("share = {a}"), 1)
            .replacen("share = 0.5", &format!("share = {}", 1.0 - a), 1);
        let res = run(&text);
        assert_ci(
            res.kpi(None, Some("a"), None, "contacts_per_month").unwrap(),
            a * COUNT_PER_MONTH,
            &format!("call_types.a.share = {a}: contacts_per_month of type a"),
        );
        assert_ci(
            res.kpi(None, Some("b"), None, "contacts_per_month").unwrap(),
            (1.0 - a) * COUNT_PER_MONTH,
            &format!("call_types.b.share = {}: contacts_per_month of type b", 1.0 - a),
        );
    }
}

/// One team, load 0.83, two types of equal share, under `escalate`.
const PRIORITY: &str = r#"
[run]
horizon_days = 120
replications = 6
seed = 13
[dispatch]
policy = "escalate"
[call_types.a]
share = 0.5
priority = 1
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 45 }
[call_types.b]
share = 0.5
priority = 2
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 45 }
[regions.Town]
population = 100000
calls_per_hour = 1.0
travel = { time = 5 }
teams.van = { count = 1 }
"#;

#[test]
fn call_types_priority() {
    let wait = |res: &RunResults, t: &str| res.kpi(None, Some(t), None, "wait_mean_min").unwrap().mean;
    // Non-preemptive priority M/G/1: the low class waits 1 / (1 - rho) = 6
    // times as long as the high class.
    let res = run(PRIORITY);
    let (a, b) = (wait(&res, "a"), wait(&res, "b"));
    assert!(
        a > 1.0 && 3.0 * a < b,
        "a priority 1, b priority 2: waits {a} and {b}"
    );
    // Reversed.
    let rev = with(
        &with(PRIORITY, "priority = 1", "priority = 3"),
        "priority = 2",
        "priority = 1",
    );
    let res = run(&rev);
    let (a, b) = (wait(&res, "a"), wait(&res, "b"));
    assert!(
        b > 1.0 && 3.0 * b < a,
        "a priority 3, b priority 1: waits {a} and {b}"
    );
    // Equal: first come, first served.
    let res = run(&with(PRIORITY, "priority = 2", "priority = 1"));
    let (a, b) = (wait(&res, "a"), wait(&res, "b"));
    assert!(a < 1.5 * b && b < 1.5 * a, "equal priorities: waits {a} and {b}");
    // Omitted: priority 1.
    let res = run(&with(PRIORITY, "priority = 1\n", ""));
    let (a, b) = (wait(&res, "a"), wait(&res, "b"));
    assert!(
        3.0 * a < b,
        "a default priority (1), b priority 2: waits {a} and {b}"
    );
}

#[test]
fn call_types_max_response_min() {
    // M/D/1/1: diverted share a / (1 + a) = 1/2.
    let res = run(ERLANG);
    assert_ci(kpi(&res, "diverted_share"), 0.5, "max_response_min = 10");
    assert_eq!(res.kpi(None, None, None, "late_share").unwrap().mean, 0.0);
    // Below the travel time: every call is diverted.
    let res = run(&with(ERLANG, "max_response_min = 10", "max_response_min = 9.5"));
    assert_exact(kpi(&res, "diverted_share").mean, 1.0, "max_response_min = 9.5");
    // A maximum long enough for a wait: fewer diversions than 1/2.
    let res = run(&with(ERLANG, "max_response_min = 10", "max_response_min = 40"));
    let d = kpi(&res, "diverted_share").mean;
    assert!(d > 0.05 && d < 0.4, "max_response_min = 40: diverted_share {d}");
    // No maximum: never diverted.
    let res = run(&with(
        ERLANG,
        "max_response_min = 10",
        "max_response_min = \"none\"",
    ));
    assert_exact(
        kpi(&res, "diverted_share").mean,
        0.0,
        "max_response_min = \"none\"",
    );
    // Zero is not "none".
    let res = run(&with(ERLANG, "max_response_min = 10", "max_response_min = 0"));
    assert_exact(kpi(&res, "diverted_share").mean, 1.0, "max_response_min = 0");
}

#[test]
fn call_types_max_response_by_region() {
    let two = format!(
        "{ERLANG}[regions.Village]\npopulation = 1000\ncalls_per_hour = 1.0\ntravel = {{ time = 10 }}\nteams.van = {{ count = 1 }}\n"
    );
    let res = run(&two);
    for r in ["Town", "Village"] {
        assert_ci(
            res.kpi(Some(r), None, None, "diverted_share").unwrap(),
            0.5,
            &format!("{r} with the default maximum"),
        );
    }
    let by_region = with(
        &two,
        "max_response_min = 10",
        "max_response_min = 10\nmax_response_by_region = { Village = 9.5 }",
    );
    let res = run(&by_region);
    assert_ci(
        res.kpi(Some("Town"), None, None, "diverted_share").unwrap(),
        0.5,
        "max_response_by_region leaves Town at the default",
    );
    assert_exact(
        res.kpi(Some("Village"), None, None, "diverted_share")
            .unwrap()
            .mean,
        1.0,
        "max_response_by_region = { Village = 9.5 }",
    );
    let g = res.group(Some("Village"), Some("crisis"), None).unwrap();
    assert_eq!(g.max_response_min, Some(9.5));
    // "none" for a region.
    let res = run(&with(
        &two,
        "max_response_min = 10",
        "max_response_min = 10\nmax_response_by_region = { Town = \"none\" }",
    ));
    assert_exact(
        res.kpi(Some("Town"), None, None, "diverted_share").unwrap().mean,
        0.0,
        "max_response_by_region = { Town = \"none\" }",
    );
}

#[test]
fn call_types_triage() {
    let base = with(
        COUNT,
        "triage = { phone = 1.0 }",
        "triage = { phone = 0.4, mobile = 0.3, police = 0.2, ems = 0.1 }",
    );
    let other = with(
        COUNT,
        "triage = { phone = 1.0 }",
        "triage = { phone = 0.1, mobile = 0.2, police = 0.3, ems = 0.4 }",
    );
    for (text, shares) in [(base, [0.4, 0.3, 0.2, 0.1]), (other, [0.1, 0.2, 0.3, 0.4])] {
        let res = run(&text);
        let names = [
            "phone_share_of_contacts",
            "mobile_share_of_contacts",
            "police_triage_share_of_contacts",
            "ems_share_of_contacts",
        ];
        for (name, share) in names.iter().zip(shares) {
            assert_ci(kpi(&res, name), share, &format!("triage {shares:?}: {name}"));
        }
        assert_ci(
            month_zone(&res, "2027-07", "Town", "police_triage"),
            shares[2] * 10.0 * 24.0 * 30.0,
            &format!("triage {shares:?}: month-zone police_triage"),
        );
        assert_ci(
            month_zone(&res, "2027-07", "Town", "mobile_eligible"),
            shares[1] * 10.0 * 24.0 * 30.0,
            &format!("triage {shares:?}: month-zone mobile_eligible"),
        );
    }
}

#[test]
fn call_types_on_scene() {
    for (scene, busy) in [
        ("30", 40.0),
        ("90", 100.0),
        ("{ dist = \"gamma\", mean = 50, sd = 20 }", 60.0),
    ] {
        let res = run(&with(DISPATCH, "on_scene = 30", &format!("on_scene = {scene}")));
        assert_ci(
            region_kpi(&res, "Town", "busy_team_hours_per_month"),
            DISPATCH_PER_MONTH * busy / 60.0,
            &format!("on_scene = {scene}: busy_team_hours_per_month"),
        );
        assert_ci(
            region_kpi(&res, "Town", "utilization"),
            DISPATCH_PER_MONTH * busy / 60.0 / (20.0 * MONTH_H),
            &format!("on_scene = {scene}: utilization"),
        );
    }
}

#[test]
fn call_types_transport() {
    let base = run(DISPATCH);
    assert_exact(kpi(&base, "transports_per_month").mean, 0.0, "no transport");
    for (share, time) in [(0.4, 60.0), (0.4, 120.0), (0.8, 60.0)] {
        let text = with(
            DISPATCH,
            "on_scene = 30",
            &format!("on_scene = 30\ntransport = {{ share = {share}, time = {time} }}"),
        );
        let res = run(&text);
        assert_ci(
            kpi(&res, "transports_per_month"),
            share * DISPATCH_PER_MONTH,
            &format!("transport.share = {share}: transports_per_month"),
        );
        assert_ci(
            region_kpi(&res, "Town", "busy_team_hours_per_month"),
            DISPATCH_PER_MONTH * (40.0 + share * time) / 60.0,
            &format!("transport = {{ share = {share}, time = {time} }}: busy_team_hours_per_month"),
        );
    }
}

/// A transport's count follows `transport.share` whatever its duration,
/// even when the drawn transport time is 0 minutes (durations may be 0).
#[test]
fn call_types_transport_share_with_zero_minute_transports() {
    let text = with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\ntransport = { share = 0.4, time = { dist = \"empirical\", values = [0, 60] } }",
    );
    let res = run(&text);
    assert_ci(
        kpi(&res, "transports_per_month"),
        0.4 * DISPATCH_PER_MONTH,
        "transport.share = 0.4 with transport times 0 or 60: transports_per_month",
    );
}

#[test]
fn call_types_backup_share() {
    assert_exact(
        kpi(&run(DISPATCH), "backups_per_month").mean,
        0.0,
        "no backup_share",
    );
    for share in [0.3, 0.7] {
        let res = run(&with(
            DISPATCH,
            "on_scene = 30",
            &format!("on_scene = 30\nbackup_share = {share}"),
        ));
        assert_ci(
            kpi(&res, "backups_per_month"),
            share * DISPATCH_PER_MONTH,
            &format!("backup_share = {share}: backups_per_month"),
        );
    }
}

#[test]
fn call_types_petition_share() {
    let base = run(DISPATCH);
    assert_exact(kpi(&base, "petitions_per_month").mean, 0.0, "no petition_share");
    assert_exact(
        month_zone(&base, "2027-07", "Town", "petitions").mean,
        0.0,
        "no petition_share: month-zone petitions",
    );
    for share in [0.2, 0.6] {
        let res = run(&with(
            DISPATCH,
            "on_scene = 30",
            &format!("on_scene = 30\npetition_share = {share}"),
        ));
        assert_ci(
            kpi(&res, "petitions_per_month"),
            share * DISPATCH_PER_MONTH,
            &format!("petition_share = {share}: petitions_per_month"),
        );
        // July is whole (31 days) within the 60-day horizon.
        assert_ci(
            month_zone(&res, "2027-07", "Town", "petitions"),
            share * 0.5 * 24.0 * 31.0,
            &format!("petition_share = {share}: July petitions"),
        );
    }
}

// ---------------------------------------------------------------------------
// [regions]

#[test]
fn regions_population_and_calls_per_100k_per_month() {
    let per_100k = with(COUNT, "calls_per_hour = 10", "calls_per_100k_per_month = 3000");
    for (pop, rate) in [(100_000.0, 3000.0), (250_000.0, 3000.0), (100_000.0, 1200.0)] {
        let text = with(
            &with(&per_100k, "population = 100000", &format!("population = {pop}")),
            "calls_per_100k_per_month = 3000",
            &format!("calls_per_100k_per_month = {rate}"),
        );
        let res = run(&text);
        assert_ci(
            kpi(&res, "contacts_per_month"),
            pop / 100_000.0 * rate,
            &format!("population = {pop}, calls_per_100k_per_month = {rate}: contacts_per_month"),
        );
        assert_eq!(res.regions[0].population, pop, "population is reported");
    }
}

#[test]
fn regions_calls_per_hour() {
    for rate in [10.0, 4.0] {
        let res = run(&with(
            COUNT,
            "calls_per_hour = 10",
            &format!("calls_per_hour = {rate}"),
        ));
        assert_ci(
            kpi(&res, "contacts_per_month"),
            rate * MONTH_H,
            &format!("calls_per_hour = {rate}: contacts_per_month"),
        );
    }
}

/// Five mobile calls an hour for four whole weeks; no teams needed to count them.
const PROFILE: &str = r#"
[run]
horizon_days = 28
replications = 8
seed = 29
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
[regions.Town]
population = 100000
calls_per_hour = 5
travel = { time = 10 }
"#;

#[test]
fn regions_profile() {
    let per_week = |res: &RunResults, hours: &[usize]| -> f64 {
        hours
            .iter()
            .map(|&h| hour(res, "Town", h).kpis["mobile_per_week"].mean)
            .sum()
    };
    // Overnight 01:00-06:00 and evening 18:00-22:00 of each day.
    let night: Vec<usize> = (0..7).flat_map(|d| (1..6).map(move |h| d * 24 + h)).collect();
    let evening: Vec<usize> = (0..7).flat_map(|d| (18..22).map(move |h| d * 24 + h)).collect();
    let ratio = |res: &RunResults| {
        (per_week(res, &evening) / evening.len() as f64) / (per_week(res, &night) / night.len() as f64)
    };
    // Flat (default and named): the same every hour.
    for text in [
        PROFILE.to_string(),
        with(
            PROFILE,
            "calls_per_hour = 5",
            "calls_per_hour = 5\nprofile = \"flat\"",
        ),
    ] {
        let r = ratio(&run(&text));
        assert!((0.9..1.1).contains(&r), "profile flat: evening/night ratio {r}");
    }
    // Crisis: evenings 1.15, nights 0.75 (weekends both x 1.1): ratio 1.53.
    let crisis = run(&with(
        PROFILE,
        "calls_per_hour = 5",
        "calls_per_hour = 5\nprofile = \"crisis\"",
    ));
    let r = ratio(&crisis);
    assert!(
        (1.4..1.67).contains(&r),
        "profile = \"crisis\": evening/night ratio {r}"
    );
    // An array: all demand in Monday 10:00-11:00 (hour 10), 168 x 5 a week.
    let array: Vec<&str> = (0..168).map(|h| if h == 10 { "1" } else { "0" }).collect();
    let res = run(&with(
        PROFILE,
        "calls_per_hour = 5",
        &format!("calls_per_hour = 5\nprofile = [{}]", array.join(", ")),
    ));
    assert_ci(
        hour(&res, "Town", 10).kpis["mobile_per_week"],
        168.0 * 5.0,
        "profile array: hour 10",
    );
    for h in (0..168).filter(|&h| h != 10) {
        assert_eq!(
            hour(&res, "Town", h).kpis["mobile_per_week"].mean,
            0.0,
            "profile array: hour {h} has factor 0"
        );
    }
}

#[test]
fn regions_month_factors() {
    let text = with(
        &with(
            COUNT,
            "horizon_days = 30",
            "horizon_days = 59\nstart_date = 2027-01-01",
        ),
        "calls_per_hour = 10",
        "calls_per_hour = 2",
    );
    let base = run(&text);
    assert_ci(
        month_zone(&base, "2027-02", "Town", "contacts"),
        2.0 * 24.0 * 28.0,
        "no month_factors: February contacts",
    );
    let res = run(&with(
        &text,
        "calls_per_hour = 2",
        "calls_per_hour = 2\nmonth_factors = [0.5, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]",
    ));
    assert_ci(
        month_zone(&res, "2027-01", "Town", "contacts"),
        0.5 * 2.0 * 24.0 * 31.0,
        "month_factors January 0.5: January contacts",
    );
    assert_ci(
        month_zone(&res, "2027-02", "Town", "contacts"),
        3.0 * 2.0 * 24.0 * 28.0,
        "month_factors February 3: February contacts",
    );
}

const TWO_REGIONS: &str = r#"
[run]
horizon_days = 60
replications = 4
seed = 31
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 45
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
"#;

#[test]
fn regions_mutual_aid() {
    let without = run(TWO_REGIONS);
    assert_exact(
        without
            .kpi(Some("South"), None, None, "no_team_on_shift_share")
            .unwrap()
            .mean,
        1.0,
        "South without mutual_aid: no team",
    );
    let with_aid = run(&with(
        TWO_REGIONS,
        "zones.S1",
        "mutual_aid = [\"North\"]\nzones.S1",
    ));
    let south = |name: &str| with_aid.kpi(Some("South"), None, None, name).unwrap().mean;
    assert_exact(
        south("no_team_on_shift_share"),
        0.0,
        "mutual_aid = [\"North\"]: no_team",
    );
    assert_exact(
        south("mutual_aid_share_of_responses"),
        1.0,
        "mutual_aid = [\"North\"]: North answers",
    );
    // North -> South: 0.2 degrees of latitude, circuity 1.3, at 40 mph.
    let d = 1.3 * great_circle_miles((41.0, -89.0), (40.8, -89.0)) / 40.0 * 60.0;
    assert_bin(
        with_aid
            .kpi(Some("South"), None, None, "response_p50_min")
            .unwrap()
            .mean,
        d,
        "mutual aid: median response from N1",
    );
}

/// With no maximum, a team that has answered a mutual-aid call must still
/// answer its own region's calls: nothing is diverted in either region.
#[test]
fn regions_mutual_aid_teams_still_serve_home() {
    let text = with(
        &with(TWO_REGIONS, "zones.S1", "mutual_aid = [\"North\"]\nzones.S1"),
        "[call_types.crisis]",
        "[dispatch]\nafter_call = \"stay\"\n[call_types.crisis]",
    );
    let mut diverted = Vec::new();
    for after in ["stay", "return_to_base"] {
        let res = run(&with(&text, "\"stay\"", &format!("\"{after}\"")));
        for r in ["North", "South"] {
            let d = res.kpi(Some(r), None, None, "diverted_share").unwrap().mean;
            diverted.push((after, r, d));
        }
    }
    assert!(
        diverted.iter().all(|&(_, _, d)| d == 0.0),
        "diverted shares with no maximum, mutual aid from North, by (after_call, region): {diverted:?}"
    );
}

#[test]
fn regions_zones_weights() {
    let month = 10.0 * 24.0 * 30.0;
    let text = with(
        COUNT,
        "travel = { time = 10 }",
        "travel = { time = 10 }\nzones = { A = 1, B = 3 }",
    );
    for (a, b) in [(1.0, 3.0), (2.0, 1.0)] {
        let res = run(&with(&text, "A = 1, B = 3", &format!("A = {a}, B = {b}")));
        assert_ci(
            month_zone(&res, "2027-07", "A", "contacts"),
            month * a / (a + b),
            &format!("zones A = {a}, B = {b}: contacts in A"),
        );
        assert_ci(
            month_zone(&res, "2027-07", "B", "contacts"),
            month * b / (a + b),
            &format!("zones A = {a}, B = {b}: contacts in B"),
        );
    }
    // The table form's `weight`.
    let res = run(&with(
        &text,
        "A = 1, B = 3",
        "A = { weight = 3 }, B = { weight = 1 }",
    ));
    assert_ci(
        month_zone(&res, "2027-07", "A", "contacts"),
        month * 0.75,
        "zones.A.weight = 3: contacts in A",
    );
}

/// Speed-based travel: the median response is the drive from A to B,
/// (circuity x great-circle miles + within_zone x sqrt(area of B)) / speed.
#[test]
fn regions_zone_coordinates_and_speed_travel() {
    let p50 = |text: &str| kpi(&run(text), "response_p50_min").mean;
    let b = (40.2, -89.5);
    assert_bin(p50(GEO), geo_minutes(b, 16.0, 40.0, 1.3, 0.5), "GEO base");
    let cases = [
        (
            "lat = 40.2, lon = -89.5",
            "lat = 40.6, lon = -89.5",
            geo_minutes((40.6, -89.5), 16.0, 40.0, 1.3, 0.5),
            "zones.B.lat",
        ),
        (
            "lat = 40.2, lon = -89.5",
            "lat = 40.2, lon = -89.0",
            geo_minutes((40.2, -89.0), 16.0, 40.0, 1.3, 0.5),
            "zones.B.lon",
        ),
        (
            "area_sqmi = 16",
            "area_sqmi = 100",
            geo_minutes(b, 100.0, 40.0, 1.3, 0.5),
            "zones.B.area_sqmi",
        ),
        (
            "speed_mph = 40",
            "speed_mph = 25",
            geo_minutes(b, 16.0, 25.0, 1.3, 0.5),
            "travel.speed_mph",
        ),
        (
            "circuity = 1.3",
            "circuity = 1.0",
            geo_minutes(b, 16.0, 40.0, 1.0, 0.5),
            "travel.circuity",
        ),
        (
            "within_zone = 0.5",
            "within_zone = 2",
            geo_minutes(b, 16.0, 40.0, 1.3, 2.0),
            "travel.within_zone",
        ),
    ];
    for (from, to, minutes, what) in cases {
        assert_bin(p50(&with(GEO, from, to)), minutes, &format!("{what}: {to}"));
    }
    // travel.acceleration: the square-root law, hand-computed. Road miles
    // d = 1.3 x great circle + 0.5 x 4; at 40 mph (v = 2/3 mile/min) and
    // a = 0.05 the cruising speed is reached at v²/a = 8.9 miles, so this
    // trip (about 33 miles) is v/a + d/v; at a = 0.01 (v²/a = 44 miles) it
    // is 2 sqrt(d/a).
    let d = 1.3 * great_circle_miles((40.0, -89.0), b) + 0.5 * 4.0;
    let v = 40.0 / 60.0;
    for (a, minutes) in [(0.05, v / 0.05 + d / v), (0.01, 2.0 * (d / 0.01_f64).sqrt())] {
        let accel = with(
            GEO,
            "within_zone = 0.5 }",
            &format!("within_zone = 0.5, acceleration = {a} }}"),
        );
        assert_bin(p50(&accel), minutes, &format!("travel.acceleration = {a}"));
    }
    // Defaults: circuity 1.3, within_zone 0.5.
    let defaults = with(
        GEO,
        "travel = { speed_mph = 40, circuity = 1.3, within_zone = 0.5 }",
        "travel = { speed_mph = 40 }",
    );
    assert_bin(
        p50(&defaults),
        geo_minutes(b, 16.0, 40.0, 1.3, 0.5),
        "default circuity and within_zone",
    );
    // travel.factor multiplies the route.
    let factor = with(GEO, "within_zone = 0.5 }", "within_zone = 0.5, factor = 1.5 }");
    assert_bin(
        p50(&factor),
        1.5 * geo_minutes(b, 16.0, 40.0, 1.3, 0.5),
        "travel.factor = 1.5 with speed_mph",
    );
}

#[test]
fn regions_travel_time() {
    for (time, mean) in [("10", 10.0), ("25", 25.0)] {
        let res = run(&with(DISPATCH, "time = 10", &format!("time = {time}")));
        assert_exact(
            kpi(&res, "response_mean_min").mean,
            mean,
            &format!("travel.time = {time}"),
        );
    }
    let res = run(&with(
        DISPATCH,
        "time = 10",
        "time = { dist = \"uniform\", low = 10, high = 30 }",
    ));
    assert_ci(
        kpi(&res, "response_mean_min"),
        20.0,
        "travel.time uniform 10-30: mean response",
    );
}

#[test]
fn regions_travel_matrix_and_factor() {
    let matrix = with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { matrix = { Town = { Town = 12 } } }",
    );
    assert_exact(
        kpi(&run(&matrix), "response_mean_min").mean,
        12.0,
        "travel.matrix 12",
    );
    let res = run(&with(&matrix, "Town = 12", "Town = 20"));
    assert_exact(kpi(&res, "response_mean_min").mean, 20.0, "travel.matrix 20");
    // A route between zones: from base A to B.
    assert_bin(
        kpi(&run(TWO_ZONES), "response_p50_min").mean,
        30.0,
        "travel.matrix A -> B = 30",
    );
    let res = run(&with(TWO_ZONES, "A = { A = 5, B = 30 }", "A = { A = 5, B = 45 }"));
    assert_bin(
        kpi(&res, "response_p50_min").mean,
        45.0,
        "travel.matrix A -> B = 45",
    );
    // factor: a fixed 1.5, then a random factor with mean 1.
    let res = run(&with(&matrix, "} } }", "} }, factor = 1.5 }"));
    assert_exact(
        kpi(&res, "response_mean_min").mean,
        18.0,
        "travel.factor = 1.5 with matrix",
    );
    let res = run(&with(
        &matrix,
        "} } }",
        "} }, factor = { dist = \"uniform\", low = 0.5, high = 1.5 } }",
    ));
    assert_ci(
        kpi(&res, "response_mean_min"),
        12.0,
        "travel.factor uniform 0.5-1.5: mean",
    );
    // p90 of 12 x U(0.5, 1.5) is 16.8 (a fixed factor would give 12).
    assert!(
        (kpi(&res, "response_p90_min").mean - 16.8).abs() < 0.6,
        "travel.factor uniform 0.5-1.5: p90 {:?}",
        kpi(&res, "response_p90_min")
    );
}

// ---------------------------------------------------------------------------
// [regions.*.teams]

#[test]
fn teams_count() {
    // Erlang B with offered load 1: B(1) = 1/2, B(2) = 1/5, B(3) = 1/16.
    for (count, b) in [(1, 0.5), (2, 0.2), (3, 1.0 / 16.0)] {
        let res = run(&with(ERLANG, "count = 1", &format!("count = {count}")));
        assert_ci(
            kpi(&res, "diverted_share"),
            b,
            &format!("teams.van.count = {count}: diverted_share"),
        );
        assert_eq!(res.regions[0].teams, count);
    }
    // No teams at all: every mobile call finds no team on shift.
    let res = run(&with(ERLANG, "count = 1", "count = 0"));
    assert_exact(
        kpi(&res, "no_team_on_shift_share").mean,
        1.0,
        "teams.van.count = 0",
    );
}

#[test]
fn teams_base() {
    // Calls in B: from base A 30 minutes, from base B 5.
    assert_bin(
        kpi(&run(TWO_ZONES), "response_p50_min").mean,
        30.0,
        "teams.van.base = A",
    );
    let res = run(&with(TWO_ZONES, "base = \"A\"", "base = \"B\""));
    assert_bin(kpi(&res, "response_p50_min").mean, 5.0, "teams.van.base = B");
}

#[test]
fn teams_shift() {
    let no_team = |text: &str| kpi(&run(text), "no_team_on_shift_share");
    // Mon-Fri 08:00-16:00: 40 of 168 hours.
    assert_ci(no_team(SHIFT), 128.0 / 168.0, "shift Mon-Fri 08:00-16:00");
    let shift = "{ days = \"Mon-Fri\", start = \"08:00\", end = \"16:00\" }";
    let cases = [
        (
            "days = \"Mon-Fri\"",
            "days = \"all\"",
            1.0 - 56.0 / 168.0,
            "shift.days = all",
        ),
        (
            "days = \"Mon-Fri\"",
            "days = [\"Mon\", \"Wed\"]",
            1.0 - 16.0 / 168.0,
            "shift.days = [Mon, Wed]",
        ),
        (
            "days = \"Mon-Fri\"",
            "days = \"weekends\"",
            1.0 - 16.0 / 168.0,
            "shift.days = weekends",
        ),
        (
            "start = \"08:00\"",
            "start = \"12:00\"",
            1.0 - 20.0 / 168.0,
            "shift.start = 12:00",
        ),
        (
            "end = \"16:00\"",
            "end = \"20:00\"",
            1.0 - 60.0 / 168.0,
            "shift.end = 20:00",
        ),
        // Across midnight: 22:00 to 06:00, 8 hours from each weekday evening.
        (
            "start = \"08:00\", end = \"16:00\"",
            "start = \"22:00\", end = \"06:00\"",
            128.0 / 168.0,
            "shift 22:00-06:00",
        ),
    ];
    for (from, to, share, what) in cases {
        assert_ci(no_team(&with(SHIFT, from, to)), share, what);
    }
    // The night shift covers Saturday 03:00 (after Friday 22:00), not Monday 03:00.
    let night = run(&with(
        SHIFT,
        "start = \"08:00\", end = \"16:00\"",
        "start = \"22:00\", end = \"06:00\"",
    ));
    assert_exact(
        hour(&night, "Town", 3).kpis["diverted_share"].mean,
        1.0,
        "night shift: Monday 03:00 uncovered",
    );
    assert_exact(
        hour(&night, "Town", 5 * 24 + 3).kpis["diverted_share"].mean,
        0.0,
        "night shift: Saturday 03:00 covered",
    );
    // Always on.
    assert_exact(
        no_team(&with(SHIFT, shift, "\"24/7\"")).mean,
        0.0,
        "shift = \"24/7\"",
    );
    assert_exact(
        no_team(&with(SHIFT, &format!(", shift = {shift}"), "")).mean,
        0.0,
        "no shift: 24/7",
    );
}

/// Five day teams, Mon-Fri 08:00-16:00, travel 10 and scene 60 minutes: a
/// call after 14:50 cannot be finished by 16:00.
const OVERTIME: &str = r#"
[run]
horizon_days = 28
replications = 10
seed = 23
[dispatch]
estimate = "exact"
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 60
[regions.Town]
population = 100000
calls_per_hour = 1
travel = { time = 10 }
teams.day = { count = 5, shift = { days = "Mon-Fri", start = "08:00", end = "16:00" }, overtime_min = 0 }
"#;

#[test]
fn teams_overtime_min() {
    // Mon-Fri 15:00-16:00.
    let hours: Vec<usize> = (0..5).map(|d| d * 24 + 15).collect();
    let diverted = |res: &RunResults| -> Vec<f64> {
        hours
            .iter()
            .map(|&h| hour(res, "Town", h).kpis["diverted_share"].mean)
            .collect()
    };
    let none = run(OVERTIME);
    for (h, d) in hours.iter().zip(diverted(&none)) {
        assert_exact(d, 1.0, &format!("overtime_min = 0: diverted share at hour {h}"));
    }
    assert!(
        region_kpi(&none, "Town", "overtime_hours_per_month").mean < 1e-6,
        "overtime_min = 0: no overtime"
    );
    let two_hours = run(&with(OVERTIME, "overtime_min = 0", "overtime_min = 120"));
    for (h, d) in hours.iter().zip(diverted(&two_hours)) {
        assert!(d < 0.1, "overtime_min = 120: diverted share at hour {h}: {d}");
    }
    // A call arriving u < 70 minutes before 16:00 runs 70 - u minutes over:
    // 70^2 / 2 minutes x 1/60 calls a minute on each weekday.
    let per_month = 70.0 * 70.0 / 2.0 / 60.0 * 5.0 * (MONTH_MIN / (7.0 * 1440.0)) / 60.0;
    assert_ci(
        region_kpi(&two_hours, "Town", "overtime_hours_per_month"),
        per_month,
        "overtime_min = 120: overtime_hours_per_month",
    );
    // Only part of the overtime allowed: calls from 15:20 (u < 40 with
    // 30 minutes) are refused.
    let half = run(&with(OVERTIME, "overtime_min = 0", "overtime_min = 30"));
    let d: f64 = diverted(&half).iter().sum::<f64>() / 5.0;
    assert!(
        (0.5..0.85).contains(&d),
        "overtime_min = 30: diverted share 15:00-16:00 {d} (about 2/3)"
    );
}

// ---------------------------------------------------------------------------
// The 9-8-8 contact centre (`[centres.NAME]`) and `channels.NAME.priority_line`.

/// One region; every contact waits for one of the centre's counsellors
/// (24/7, first come) and talks for an exponential time of mean 10
/// minutes; λ = 18 contacts an hour, so c = 4 counsellors carry a = 3.
/// Contacts are settled by phone unless a test says otherwise.
const CENTRE: &str = r#"
[run]
horizon_days = 60
warmup_days = 2
replications = 8
seed = 5
[call_types.crisis]
max_response_min = "none"
triage = { phone = 1.0 }
on_scene = 30
[regions.R]
population = 100000
calls_per_hour = 18.0
travel = { time = 5 }
teams.t = { count = 40 }
[centres.C]
counsellors.all = { count = 4 }
talk = { dist = "exponential", mean = 10 }
"#;

/// λ and μ of [`CENTRE`], per minute.
const CENTRE_LAMBDA: f64 = 18.0 / 60.0;
const CENTRE_MU: f64 = 1.0 / 10.0;

#[test]
fn centres_counsellors_count() {
    // Erlang C: the mean speed of answer of M/M/c, for c = 4 and c = 5.
    for c in [4, 5] {
        let res = run(&with(
            CENTRE,
            "counsellors.all = { count = 4 }",
            &format!("counsellors.all = {{ count = {c} }}"),
        ));
        let exact = 60.0 * sim::queueing::mmc_mean_wait(c, CENTRE_LAMBDA, CENTRE_MU);
        assert_ci(
            kpi(&res, "answer_wait_mean_s"),
            exact,
            &format!("speed of answer with {c} counsellors"),
        );
    }
}

#[test]
fn centres_counsellors_shift() {
    // Counsellors only on weekdays 08:00-16:00 (40 of 168 hours); callers
    // hang up after a minute, so nearly everyone calling off shift does.
    let text = with(
        CENTRE,
        "counsellors.all = { count = 4 }",
        r#"counsellors.all = { count = 4, shift = { days = "Mon-Fri", start = "08:00", end = "16:00" } }
patience = { dist = "exponential", mean = 1 }"#,
    );
    let res = run(&text);
    let abandoned = kpi(&res, "abandoned_share").mean;
    assert!(
        abandoned > 1.0 - 40.0 / 168.0 - 0.02 && abandoned < 1.0 - 40.0 / 168.0 + 0.05,
        "abandoned {abandoned}"
    );
    let night = hour(&res, "R", 2).kpis["counsellor_utilization"];
    assert!(
        night.mean.is_nan(),
        "no counsellor is scheduled at 02:00 Monday: {night:?}"
    );
}

#[test]
fn centres_talk_and_talk_by_type() {
    // Enough counsellors that nobody waits: a mobile call's response is its
    // talk time (the assessment) plus the 5-minute trip, exactly.
    let text = with(
        &with(
            CENTRE,
            "counsellors.all = { count = 4 }",
            "counsellors.all = { count = 400 }",
        ),
        "triage = { phone = 1.0 }",
        "triage = { mobile = 1.0 }",
    );
    let fixed = with(
        &text,
        r#"talk = { dist = "exponential", mean = 10 }"#,
        "talk = 12",
    );
    assert_exact(
        kpi(&run(&fixed), "response_mean_min").mean,
        17.0,
        "talk 12 + travel 5",
    );
    let by_type = with(&fixed, "talk = 12", "talk = 12\ntalk_by_type = { crisis = 20 }");
    assert_exact(
        kpi(&run(&by_type), "response_mean_min").mean,
        25.0,
        "talk_by_type 20 + travel 5",
    );
}

#[test]
fn centres_patience() {
    // Without patience nobody hangs up; with exponential patience of mean
    // 3 minutes the abandonment share is Erlang A's.
    let none = run(CENTRE);
    assert_exact(kpi(&none, "abandoned_share").mean, 0.0, "callers wait for ever");
    let text = with(
        CENTRE,
        "counsellors.all = { count = 4 }",
        "counsellors.all = { count = 4 }\npatience = { dist = \"exponential\", mean = 3 }",
    );
    let exact = sim::queueing::erlang_a(4, CENTRE_LAMBDA, CENTRE_MU, 1.0 / 3.0);
    assert_ci(
        kpi(&run(&text), "abandoned_share"),
        exact.p_abandon,
        "Erlang A abandonment",
    );
}

#[test]
fn centres_callback() {
    // Every caller who hangs up calls back once, 5 minutes later: fewer
    // contacts end abandoned than without callbacks.
    let base = with(
        CENTRE,
        "counsellors.all = { count = 4 }",
        "counsellors.all = { count = 3 }\npatience = { dist = \"exponential\", mean = 2 }",
    );
    let without = kpi(&run(&base), "abandoned_share").at_level(0.999);
    let back = with(
        &base,
        "patience = {",
        "callback = { share = 1.0, delay = 5 }\npatience = {",
    );
    let with_cb = kpi(&run(&back), "abandoned_share").at_level(0.999);
    assert!(
        with_cb.mean + with_cb.half_width < without.mean - without.half_width,
        "callbacks lower abandonment: {with_cb:?} vs {without:?}"
    );
}

#[test]
fn centres_order() {
    // Two call types; under `priority` the urgent one is answered first, so
    // it waits much less than the routine one; first come treats them alike.
    let two = with(
        CENTRE,
        "[call_types.crisis]\nmax_response_min = \"none\"\ntriage = { phone = 1.0 }\non_scene = 30",
        "[call_types.urgent]\nshare = 0.5\npriority = 1\nmax_response_min = \"none\"\ntriage = { phone = 1.0 }\non_scene = 30\n[call_types.routine]\nshare = 0.5\npriority = 2\nmax_response_min = \"none\"\ntriage = { phone = 1.0 }\non_scene = 30",
    );
    let wait = |res: &RunResults, t: &str| res.kpi(None, Some(t), None, "answer_wait_mean_s").unwrap();
    let fifo = run(&two);
    let (u, r) = (
        wait(&fifo, "urgent").at_level(0.999),
        wait(&fifo, "routine").at_level(0.999),
    );
    assert!(
        (u.mean - r.mean).abs() <= u.half_width + r.half_width,
        "first come: {u:?} {r:?}"
    );
    let prio = run(&with(&two, "talk = {", "order = \"priority\"\ntalk = {"));
    let (u, r) = (wait(&prio, "urgent"), wait(&prio, "routine"));
    assert!(u.mean * 3.0 < r.mean, "priority: urgent {u:?} routine {r:?}");
}

#[test]
fn centres_rollover_national() {
    // Unanswered after 60 s: rolled over. With callers who never hang up
    // that is M/M/c with a deterministic patience of 1 minute.
    let text = with(
        CENTRE,
        "counsellors.all = { count = 4 }",
        "counsellors.all = { count = 4 }\nrollover = { after_s = 60, to = \"national\" }",
    );
    let res = run(&text);
    let exact = sim::queueing::mmc_deterministic_patience(4, CENTRE_LAMBDA, CENTRE_MU, 1.0);
    assert_ci(
        kpi(&res, "rolled_over_share"),
        exact.prob_abandon,
        "M/M/c+D with D = 1 min",
    );
    let answered = kpi(&res, "answer_share").mean;
    assert_exact(answered, 1.0, "answered in state or by the national backup");
}

#[test]
fn centres_regions_and_rollover_to_a_centre() {
    // Two regions: centre A answers only region A and has no counsellors,
    // rolling every contact over to centre B after 30 s; B answers B.
    let text = r#"
[run]
horizon_days = 20
replications = 4
[call_types.crisis]
max_response_min = "none"
triage = { phone = 1.0 }
on_scene = 30
[regions.A]
population = 1000
calls_per_hour = 2.0
travel = { time = 5 }
teams.t = { count = 1 }
[regions.B]
population = 1000
calls_per_hour = 2.0
travel = { time = 5 }
teams.t = { count = 1 }
[centres.CA]
regions = ["A"]
counsellors.all = { count = 0 }
talk = 5
rollover = { after_s = 30, to = "CB" }
[centres.CB]
regions = ["B"]
counsellors.all = { count = 20 }
talk = 5
"#;
    let res = run(text);
    let a = |name: &str| res.kpi(Some("A"), None, None, name).unwrap().mean;
    assert_exact(
        a("in_state_answer_share"),
        1.0,
        "A's contacts answered in state, by CB",
    );
    assert_exact(a("answered_within_20s_share"), 0.0, "after 30 s at CA");
    let national = run(&with(text, "to = \"CB\"", "to = \"national\""));
    assert_exact(
        national
            .kpi(Some("A"), None, None, "rolled_over_share")
            .unwrap()
            .mean,
        1.0,
        "to the national backup",
    );
    // Region B's contacts never see CA: all answered at once by CB.
    assert_exact(
        res.kpi(Some("B"), None, None, "answered_within_20s_share")
            .unwrap()
            .mean,
        1.0,
        "B at CB",
    );
    // Without `regions`, a centre answers the regions no other names.
    let open = with(text, "regions = [\"B\"]\n", "");
    assert_exact(
        run(&open)
            .kpi(Some("B"), None, None, "answered_within_20s_share")
            .unwrap()
            .mean,
        1.0,
        "B by default",
    );
}

#[test]
fn channels_priority_line() {
    // Half the contacts come on a priority line; 3 counsellors carry a
    // load of 3 and callers hang up after 5 minutes: on the line fewer do
    // (they still wait for a counsellor to finish a call), in the common
    // queue many more. (Waits of answered calls would mislead: the queue's
    // answered callers are the lucky ones.)
    let text = with(
        &with(
            CENTRE,
            "counsellors.all = { count = 4 }",
            "counsellors.all = { count = 3 }\npatience = 5",
        ),
        "[call_types.crisis]",
        "[channels.line]\nshare = 0.5\npriority_line = true\n[channels.queue]\nshare = 0.5\n[call_types.crisis]",
    );
    let share = |res: &RunResults, ch: &str| {
        res.kpi(None, None, Some(ch), "abandoned_share")
            .unwrap()
            .at_level(0.999)
    };
    let res = run(&text);
    let (l, q) = (share(&res, "line"), share(&res, "queue"));
    assert!(
        l.mean + l.half_width < q.mean - q.half_width,
        "line {l:?} queue {q:?}"
    );
    let same = run(&with(&text, "priority_line = true\n", ""));
    let (l, q) = (share(&same, "line"), share(&same, "queue"));
    assert!(
        (l.mean - q.mean).abs() <= l.half_width + q.half_width,
        "without a line: {l:?} {q:?}"
    );
}

// ---------------------------------------------------------------------------
// Issue 15: a team's real day.

/// `call_types.NAME.max_response_by_zone`: a zone's own maximum. With two
/// zones, 20 idle teams and 10-minute trips, a 5-minute maximum in zone B
/// diverts every call there (`predict` with the exact estimate sees the
/// trip) and none in A; ignored, nothing is diverted.
#[test]
fn call_types_max_response_by_zone() {
    let base = with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { time = 10 }\nzones = { A = 1, B = 1 }",
    );
    let base = with(
        &base,
        "teams.van = { count = 20 }",
        "teams.van = { count = 20, base = \"A\" }",
    );
    let base = with(
        &base,
        "[call_types.crisis]",
        "[dispatch]\npolicy = \"predict\"\nestimate = \"exact\"\n[call_types.crisis]",
    );
    let plain = run(&base);
    assert_exact(kpi(&plain, "diverted_share").mean, 0.0, "no zone maximum");
    let res = run(&with(
        &base,
        "max_response_min = \"none\"",
        "max_response_min = \"none\"\nmax_response_by_zone = { B = 5 }",
    ));
    for m in months(&res) {
        let mobile = month_zone(&res, &m, "B", "mobile_eligible").mean;
        assert_exact(
            month_zone(&res, &m, "B", "diverted_capacity").mean,
            mobile,
            "zone B: all diverted",
        );
        assert_exact(
            month_zone(&res, &m, "A", "diverted_capacity").mean,
            0.0,
            "zone A: none",
        );
    }
    assert_ci(kpi(&res, "diverted_share"), 0.5, "half the calls are in B");
    // An unknown zone is an error naming the known ones.
    let err = rejected(&with(
        &base,
        "max_response_min = \"none\"",
        "max_response_min = \"none\"\nmax_response_by_zone = { C = 5 }",
    ));
    assert!(
        err.contains("unknown zone \"C\"") && err.contains("A, B"),
        "{err}"
    );
}

/// `demand_growth_per_year`: +100% a year over two years multiplies the
/// mean rate by ∫₀² 2^t dt / 2 = 3 / (2 ln 2); ignored, by 1.
#[test]
fn demand_growth_per_year() {
    let base = with(COUNT, "horizon_days = 30", "horizon_days = 730.5");
    let base = with(&base, "replications = 20", "replications = 10");
    // About 380,000 contacts a replication: the Poisson noise of the mean
    // is under 0.05%, so 0.5% is a wide margin (and the change tested is
    // x2.16).
    let near = |x: f64, y: f64, what: &str| assert!((x / y - 1.0).abs() < 0.005, "{what}: {x} vs {y}");
    let flat = run(&base);
    near(
        kpi(&flat, "contacts_per_month").mean,
        COUNT_PER_MONTH,
        "no growth",
    );
    let res = run(&format!("demand_growth_per_year = 1.0\n{base}"));
    let factor = 3.0 / (2.0 * std::f64::consts::LN_2);
    near(
        kpi(&res, "contacts_per_month").mean,
        COUNT_PER_MONTH * factor,
        "doubling a year",
    );
    // July 2027 against May 2029 (both 31 days; the run ends 12:00 on 30
    // June 2029): their midpoints are 670 days apart, so 2^(670/365.25).
    let first = month_zone(&res, "2027-07", "Town", "contacts").mean;
    let last = month_zone(&res, "2029-05", "Town", "contacts").mean;
    let ratio = last / first / 2f64.powf(670.0 / 365.25);
    assert!((ratio - 1.0).abs() < 0.02, "May 2029 / July 2027 off by {ratio}"); // noise ~0.4%
}

/// `regions.NAME.travel.by_hour`: 24 factors on trips by the hour they
/// start. Every trip of `DISPATCH` is 10 minutes; doubled at every hour it
/// is 20, and the response (no intake, teams always idle) is exactly that;
/// ignored, 10.
#[test]
fn regions_travel_by_hour() {
    let res = run(&with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { time = 10, by_hour = [2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2] }",
    ));
    assert_exact(kpi(&res, "response_mean_min").mean, 20.0, "all hours x2");
    // Only 08:00-09:00 slower (x3): about 1/24 of the calls take 30 minutes.
    let res = run(&with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { time = 10, by_hour = [1, 1, 1, 1, 1, 1, 1, 1, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] }",
    ));
    assert_ci(
        kpi(&res, "response_mean_min"),
        10.0 + 20.0 / 24.0,
        "one rush hour",
    );
    let bad = with(
        DISPATCH,
        "travel = { time = 10 }",
        "travel = { time = 10, by_hour = [1, 2] }",
    );
    let err = rejected(&bad);
    assert!(err.contains("expected 24 factors"), "{err}");
}

/// `call_types.NAME.on_scene_by_region`: a region's own on-scene time.
/// Busy time of `DISPATCH` is travel (10) plus scene: 30 as given, 60 with
/// Town's own; another region's entry leaves Town at 30. An unknown region
/// is an error.
#[test]
fn call_types_on_scene_by_region() {
    let res = run(&with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\non_scene_by_region = { Town = 60 }",
    ));
    assert_ci(
        region_kpi(&res, "Town", "busy_team_hours_per_month"),
        DISPATCH_PER_MONTH * 70.0 / 60.0,
        "Town's own 60 minutes",
    );
    let plain = run(DISPATCH);
    assert_ci(
        region_kpi(&plain, "Town", "busy_team_hours_per_month"),
        DISPATCH_PER_MONTH * 40.0 / 60.0,
        "the call type's 30 minutes",
    );
    let bad = with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\non_scene_by_region = { Village = 60 }",
    );
    let err = rejected(&bad);
    assert!(err.contains("unknown region \"Village\""), "{err}");
}

/// `call_types.NAME.early_endings`: half the responses of `DISPATCH` do
/// not find the person and spend 5 minutes there instead of 30, so busy
/// time per response is 10 + (30 + 5) / 2 = 27.5 minutes (40 ignored), and
/// the figure counts them; shares above 1 in all are an error.
#[test]
fn call_types_early_endings() {
    let res = run(&with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\nearly_endings = { unable_to_locate = { share = 0.5, on_scene = 5 } }",
    ));
    assert_ci(
        region_kpi(&res, "Town", "busy_team_hours_per_month"),
        DISPATCH_PER_MONTH * 27.5 / 60.0,
        "half end after 5 minutes",
    );
    assert_ci(
        kpi(&res, "unable_to_locate_share_of_responses"),
        0.5,
        "their share",
    );
    assert_exact(kpi(&res, "refused_share_of_responses").mean, 0.0, "none refused");
    let plain = run(DISPATCH);
    assert_exact(
        kpi(&plain, "unable_to_locate_share_of_responses").mean,
        0.0,
        "no endings",
    );
    let bad = with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\nearly_endings = { refused = { share = 0.7, on_scene = 5 }, cancelled = { share = 0.5, on_scene = 0 } }",
    );
    let err = rejected(&bad);
    assert!(err.contains("sum to 1.2"), "{err}");
}

/// `call_types.NAME.needs` and `teams.GROUP.capabilities`: youth calls
/// only for the one youth team, though five adult teams stand idle. With
/// travel 10 and scene 50 minutes at one call an hour, the youth team alone
/// is Erlang B(1, 1): half the calls diverted (`predict`, idle teams only,
/// a 60-minute maximum no busy team meets); ignored, six teams divert
/// almost none. A need no team has is an error.
#[test]
fn call_types_needs_and_team_capabilities() {
    let text = r#"
[run]
horizon_days = 120
replications = 10
seed = 4
[dispatch]
policy = "predict"
candidates = "idle"
estimate = "exact"
[call_types.youth_crisis]
max_response_min = 60
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 50 }
needs = ["youth"]
[regions.Town]
population = 100000
calls_per_hour = 1.0
travel = { time = 10 }
teams.adult = { count = 5 }
teams.youth = { count = 1, capabilities = ["youth"] }
"#;
    let res = run(text);
    assert_ci(kpi(&res, "diverted_share"), 0.5, "B(1, 1)");
    let adult = res.teams.iter().find(|t| t.group == "adult").unwrap();
    assert_exact(
        adult.kpis["dispatches_per_month"].mean,
        0.0,
        "adult teams never sent",
    );
    let ignored = run(&with(text, "needs = [\"youth\"]", ""));
    assert!(kpi(&ignored, "diverted_share").mean < 0.01, "six teams");
    let bad = with(text, "needs = [\"youth\"]", "needs = [\"petition\"]");
    let err = rejected(&bad);
    assert!(
        err.contains("no team group has the capability \"petition\"") && err.contains("known: youth"),
        "{err}"
    );
}

/// Destinations (issue 15): `regions.NAME.destinations` and a call type's
/// `transport = { share, to, handover, stay }`. Calls only in zone B, one
/// team based at A (10 minutes away), 30 minutes on scene, every call
/// transported to the crisis centre at C (15 minutes from B) with a
/// 20-minute handover: a job is 10 + 30 + 15 + 20 = 75 minutes, and the
/// team drives back from C. The matrix is one-way so that where the team
/// is cannot change a trip: from C and D back to B (a call that waited for
/// the team) is 10 minutes, as from A. With one chair at C taken for years
/// by the first person, every later transport goes on to D (40 minutes):
/// 100, and a replication of N calls averages 100 - 25/N.
#[test]
fn regions_destinations_and_transport_to() {
    let text = r#"
[run]
horizon_days = 120
replications = 6
seed = 8
[dispatch]
after_call = "return_to_base"
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = 30
transport = { share = 1.0, to = "crisis_centre", handover = 20 }
[regions.Town]
population = 100000
calls_per_hour = 0.02
zones = { A = 0, B = 1, C = 0, D = 0 }
teams.van = { count = 1, base = "A" }
destinations.centre = { zone = "C", type = "crisis_centre" }
destinations.far = { zone = "D", type = "crisis_centre" }
[regions.Town.travel.matrix]
A = { A = 5, B = 10, C = 25, D = 45 }
B = { A = 10, B = 5, C = 15, D = 40 }
C = { A = 25, B = 10, C = 5, D = 30 }
D = { A = 45, B = 10, C = 30, D = 5 }
"#;
    let per_call = |res: &RunResults| {
        region_kpi(res, "Town", "busy_team_hours_per_month").mean * 60.0 / kpi(res, "mobile_per_month").mean
    };
    let res = run(text);
    let m = per_call(&res);
    // Exact: no job of this seed runs past the end of the run, where busy
    // time would be clipped.
    assert_exact(m, 75.0, "busy minutes per call");
    let res = run(&with(
        &with(text, "handover = 20 }", "handover = 20, stay = 1000000 }"),
        "type = \"crisis_centre\" }\ndestinations.far",
        "type = \"crisis_centre\", capacity = 1 }\ndestinations.far",
    ));
    let m = per_call(&res);
    // 100 - 25/N with N, about 58 calls a replication, at least 25.
    assert!((99.0..100.0).contains(&m), "on to D once C is full: {m}");
    // Destinations need routes; a type no destination has is an error.
    let bad = with(text, "to = \"crisis_centre\"", "to = \"hospital\"");
    let err = rejected(&bad);
    assert!(
        err.contains("no destination has the type \"hospital\"") && err.contains("known: crisis_centre"),
        "{err}"
    );
}

/// `call_types.NAME.follow_up`: every response of `DISPATCH` (20 idle
/// teams) is visited twice, a day apart, in the 09:00-17:00 window: two
/// visits per response, none late or dropped, and each visit's 10-minute
/// drive (the mean of the region's travel, here a fixed 10) plus 60 on
/// site adds to the busy time: 10 + 30 + 2 x (10 + 60) = 180 minutes per
/// response against 40. With the teams on night shifts only, no visit is
/// ever made: all are dropped after their latest day.
#[test]
fn call_types_follow_up() {
    let base = with(
        DISPATCH,
        "on_scene = 30",
        "on_scene = 30\nfollow_up = { share = 1.0, visits = 2, every_days = 1, duration = 60, start = \"09:00\", end = \"17:00\", within_days = 5 }",
    );
    let res = run(&base);
    let mobile = kpi(&res, "mobile_per_month").mean;
    let done = region_kpi(&res, "Town", "follow_ups_per_month").mean;
    // Responses in the last days have visits past the horizon (not made, not counted).
    assert!(
        (done / (2.0 * mobile) - 1.0).abs() < 0.04,
        "visits {done} for {mobile} responses"
    );
    assert_exact(
        region_kpi(&res, "Town", "follow_ups_late_share").mean,
        0.0,
        "none late",
    );
    assert_exact(
        region_kpi(&res, "Town", "follow_ups_dropped_per_month").mean,
        0.0,
        "none dropped",
    );
    let busy = region_kpi(&res, "Town", "busy_team_hours_per_month").mean * 60.0;
    // (Busy time is clipped to the measured window: jobs across its ends count in part.)
    assert!(
        (busy / (mobile * 40.0 + done * 70.0) - 1.0).abs() < 1e-3,
        "busy {busy} mobile {mobile} done {done}"
    );
    let team = res.teams.iter().find(|t| t.group == "van").unwrap();
    assert!((team.kpis["follow_ups_per_month"].mean - done).abs() < 1e-9);
    let plain = run(DISPATCH);
    assert_exact(
        region_kpi(&plain, "Town", "follow_ups_per_month").mean,
        0.0,
        "no follow-ups",
    );
    let nights = run(&with(
        &base,
        "teams.van = { count = 20 }",
        "teams.van = { count = 20, shift = { days = \"all\", start = \"18:00\", end = \"06:00\" } }",
    ));
    assert_exact(
        region_kpi(&nights, "Town", "follow_ups_per_month").mean,
        0.0,
        "no day team",
    );
    assert!(region_kpi(&nights, "Town", "follow_ups_dropped_per_month").mean > 0.0);
}

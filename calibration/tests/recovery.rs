//! Parameter recovery: records simulated by the engine from a known
//! scenario (`sim::trace`), written as a CSV export, then calibrated; the
//! fitted parameters must come back within tolerance.

use calibration::calibrate::{Options, calibrate};
use calibration::fit::Family;
use calibration::{Mapping, Records};

const KNOWN: &str = r#"
[run]
start_date = "2027-07-05"
horizon_days = 182
warmup_days = 0
seed = 77
[dispatch]
policy = "escalate"
estimate = "exact"
[channels.line]
share = 1.0
intake = { dist = "lognormal", median = 8, p90 = 20 }
[call_types.crisis]
max_response_min = "none"
triage = { mobile = 1.0 }
on_scene = { dist = "lognormal", median = 40, p90 = 100 }
[regions.Town]
population = 100000
calls_per_hour = 2.0
profile = "crisis"
travel = { time = { dist = "lognormal", median = 20, p90 = 45 } }
teams.van = { count = 8, shift = "24/7" }
"#;

const MAP: &str = r#"
source = "simulated by cessa-sim from a known scenario"
time_formats = ["%Y-%m-%d %H:%M:%S"]
resolution_min = 0.016666666666666666
[times]
request = { column = "request" }
dispatch = { column = "dispatch" }
arrival = { column = "arrival" }
departure = { column = "departure" }
[region]
constant = "Town"
[call_type]
constant = "crisis"
"#;

/// The records as a dispatch system's CSV export (clock times from 2027-07-05 00:00).
fn export(records: &[sim::trace::CallRecord]) -> String {
    let start = jiff::civil::date(2027, 7, 5).at(0, 0, 0, 0);
    let mut csv = String::from("request,dispatch,arrival,departure\n");
    for r in records {
        csv += &format!(
            "{},{},{},{}\n",
            stamp(start, r.request_min),
            stamp(start, r.dispatch_min.unwrap()),
            stamp(start, r.arrival_min.unwrap()),
            stamp(start, r.departure_min.unwrap())
        );
    }
    csv
}

/// `MAP` with a window of records from the export's start, 2027-07-05, to `end`.
fn map_until(end: &str) -> Mapping {
    let window = format!("window = {{ start = \"2027-07-05\", end = \"{end}\" }}\ntime_formats");
    Mapping::from_toml(&MAP.replace("time_formats", &window), "map.toml").unwrap()
}

fn stamp(start: jiff::civil::DateTime, minutes: f64) -> String {
    let t = start + jiff::SignedDuration::from_secs((minutes * 60.0).round() as i64);
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

#[test]
fn engine_records_give_back_the_known_parameters() {
    let sc = sim::Scenario::from_toml(KNOWN, "known.toml").unwrap();
    let model = sim::Model::new(sc);
    let records = sim::trace::trace(&model, 0);
    assert!(records.len() > 8000, "{} records", records.len());
    assert!(
        records.iter().all(|r| !r.diverted),
        "no maximum: nothing is diverted"
    );
    let csv = export(&records);
    let map = Mapping::from_toml(MAP, "map.toml").unwrap();
    let recs = Records::read(&csv, &map).unwrap();
    let cal = calibrate(&recs, &map, &Options::default()).unwrap();
    let town = &cal.regions[0];
    // Demand: 2 calls an hour (the profile has mean 1).
    assert!(
        (town.calls_per_hour - 2.0).abs() < 0.1,
        "rate {}",
        town.calls_per_hour
    );
    // The crisis profile's evening peak over its night trough (1.15 / 0.75).
    let hod = |h: usize| (0..7).map(|d| town.rate_by_hour[d * 24 + h]).sum::<f64>() / 7.0;
    let ratio = (hod(19) + hod(20)) / (hod(2) + hod(3));
    assert!((ratio - 1.15 / 0.75).abs() < 0.25, "evening / night {ratio}");
    // Durations: lognormal chosen, median and p90 back within 5%.
    let close = |what: &str, f: &calibration::fit::Fit, median: f64, p90: f64| {
        assert_eq!(f.chosen, Family::Lognormal, "{what}: {f:?}");
        let (mu, sigma) = f.lognormal;
        let (m, p) = (mu.exp(), (mu + sigma * sim::dist::Z90).exp());
        assert!((m / median - 1.0).abs() < 0.05, "{what}: median {m} vs {median}");
        assert!((p / p90 - 1.0).abs() < 0.05, "{what}: p90 {p} vs {p90}");
    };
    close("on scene", &cal.types[0].on_scene, 40.0, 100.0);
    // Its QQ plot lies on the diagonal between the 5th and 95th percentiles.
    let qq = cal.types[0].on_scene.qq_points();
    assert!(qq.len() >= 10);
    for (fitted, sample) in qq.iter().filter(|q| q.1 > 10.0 && q.1 < 200.0) {
        assert!(
            (sample / fitted - 1.0).abs() < 0.1,
            "QQ point ({fitted}, {sample})"
        );
    }
    close("travel", &town.travel, 20.0, 45.0);
    close("intake", &cal.intake, 8.0, 20.0);
    // Steady records: no gap, no level shift, no pattern change.
    assert!(cal.gaps.is_empty(), "{:?}", cal.gaps);
    let c = cal.changes.as_ref().expect("half a year is long enough to test");
    assert!(!c.level.shift && !c.pattern.changed, "{}", c.describe());
    // Half a year: too short for month factors.
    assert!(calibration::calibrate::month_factors(&recs, "Town", &[]).is_none());
    // The calibrated scenario runs as is.
    let text = cal.scenario_toml(&recs, &map, &Options::default());
    assert!(sim::Scenario::from_toml(&text, "calibrated").is_ok());
}

/// A year of records whose demand doubles in December: the month factors
/// find it (the others near 1, December near 2 relative to their mean).
#[test]
fn month_factors_come_back_from_a_year_of_records() {
    let text = KNOWN.replace("horizon_days = 182", "horizon_days = 365").replace(
        "profile = \"crisis\"",
        "profile = \"flat\"\nmonth_factors = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]",
    );
    let model = sim::Model::new(sim::Scenario::from_toml(&text, "known.toml").unwrap());
    let records = sim::trace::trace(&model, 1);
    let csv = export(&records);
    let map = map_until("2028-07-04");
    let recs = Records::read(&csv, &map).unwrap();
    let f = calibration::calibrate::month_factors(&recs, "Town", &[]).expect("a year of records");
    // The mean factor is 1: eleven months at 12/13 and December at 24/13.
    for (m, x) in f.iter().enumerate().take(11) {
        assert!((x - 12.0 / 13.0).abs() < 0.08, "month {m}: {x}");
    }
    assert!((f[11] - 24.0 / 13.0).abs() < 0.15, "December: {}", f[11]);
}

/// Issue 12: a year of engine records whose demand doubles from January to June
/// (a level shift), exported with six weeks missing in October-November
/// (an export gap). The gap is found and left out of the rate, the shift is
/// reported, and neither is fitted as a season: no month factors are
/// written, and the gap months' factors (computed without the gap) are
/// those of their neighbours, not near 0.
#[test]
fn an_export_gap_and_a_level_shift_are_detected_not_fitted_as_a_season() {
    let text = KNOWN.replace("horizon_days = 182", "horizon_days = 365").replace(
        "profile = \"crisis\"",
        "profile = \"flat\"\nmonth_factors = [2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1]",
    );
    let model = sim::Model::new(sim::Scenario::from_toml(&text, "known.toml").unwrap());
    let records = sim::trace::trace(&model, 2);
    // Days 97..139 from 2027-07-05: 2027-10-10 up to 2027-11-21.
    let (gap_a, gap_b) = (97.0 * 1440.0, 139.0 * 1440.0);
    let kept: Vec<_> = records
        .into_iter()
        .filter(|r| r.request_min < gap_a || r.request_min >= gap_b)
        .collect();
    let csv = export(&kept);
    let map = map_until("2028-07-04");
    let recs = Records::read(&csv, &map).unwrap();
    let cal = calibrate(&recs, &map, &Options::default()).unwrap();
    assert_eq!(cal.gaps.len(), 1, "{:?}", cal.gaps);
    let g = &cal.gaps[0];
    assert_eq!(g.first.to_string(), "2027-10-10");
    assert_eq!(g.days, 42);
    assert!(g.expected > 1000.0, "{}", g.expected);
    let c = cal.changes.as_ref().expect("a year is long enough");
    assert!(c.level.shift, "{}", c.describe());
    assert!((c.level.ratio - 2.0).abs() < 0.25, "{}", c.describe());
    assert!(c.level.z > 10.0 && c.level.p < 1e-6, "{}", c.describe());
    assert!(!c.pattern.changed, "flat profile throughout: {}", c.describe());
    assert!(cal.warnings().iter().any(|w| w.contains("export gaps")));
    // The rate is over the hours outside the gap (the naive one is 13% lower).
    let open_hours = (365.0 - 42.0) * 24.0;
    let town = &cal.regions[0];
    assert!(
        (town.calls_per_hour / (kept.len() as f64 / open_hours) - 1.0).abs() < 0.02,
        "rate {} with {} records",
        town.calls_per_hour,
        kept.len()
    );
    // Not fitted as a season.
    assert!(!cal.seasonal_fit_allowed());
    let scenario = cal.scenario_toml(&recs, &map, &Options::default());
    assert!(!scenario.contains("month_factors ="), "{scenario}");
    assert!(sim::Scenario::from_toml(&scenario, "calibrated").is_ok());
    // The gap months, with the gap left out, look like September, not 0.
    let f = calibration::calibrate::month_factors(&recs, "Town", &cal.gaps).unwrap();
    for m in [9, 10] {
        assert!((f[m] / f[8] - 1.0).abs() < 0.15, "month {m}: {f:?}");
    }
    // Counted naively, November's factor would be far lower.
    let naive = calibration::calibrate::month_factors(&recs, "Town", &[]).unwrap();
    assert!(naive[10] < 0.5 * f[10], "{naive:?}");
}

/// Issue 12: records traced from the engine, with teams short enough that
/// calls wait, back-tested against runs of the same scenario: the records'
/// request -> dispatch (intake + wait) matches the model's first contact ->
/// dispatch, and travel and on-scene match too, under the pass rule. The
/// old comparison (request -> dispatch against the wait alone) would not.
#[test]
fn like_with_like_queue_comparison_on_engine_records_passes() {
    let text = KNOWN.replace("horizon_days = 182", "horizon_days = 28").replace(
        "teams.van = { count = 8, shift = \"24/7\" }",
        "teams.van = { count = 5, shift = \"24/7\" }",
    );
    let model = sim::Model::new(sim::Scenario::from_toml(&text, "known.toml").unwrap());
    let records = sim::trace::trace(&model, 0);
    let csv = export(&records);
    let map = map_until("2027-08-02");
    let recs = Records::read(&csv, &map).unwrap();
    // Replications 1.. : the traced one (0) is the "observed" sample.
    let mut agg = sim::results::Aggregator::new(&model);
    sim::montecarlo::run_into(&model, 1..41, &mut agg, &|| {});
    let res = agg.finish(&model);
    let rows = calibration::backtest::compare(&recs, &res);
    let row = |prefix: &str| {
        rows.iter()
            .find(|r| r.figure.starts_with(prefix))
            .unwrap_or_else(|| panic!("no row {prefix}: {rows:#?}"))
    };
    for prefix in [
        "request→dispatch p50",
        "request→dispatch p90",
        "travel p50",
        "travel p90",
        "on scene p50",
        "on scene p90",
        "response p50",
        "response p90",
        "calls in span",
    ] {
        assert_eq!(row(prefix).pass, Some(true), "{:?}", row(prefix));
    }
    // Calls do wait here, and the wait alone is far from request -> dispatch
    // (which has the intake in it).
    let observed: f64 = row("request→dispatch p90").observed.parse().unwrap();
    let wait = res
        .figure(Some("Town"), None, None, sim::figures::GroupFigure::WaitP90Min)
        .unwrap();
    assert!(
        wait.mean > 1.0,
        "teams short enough to queue: wait p90 {}",
        wait.mean
    );
    assert!(
        (observed - wait.mean).abs() > 10.0,
        "{observed} vs wait {}",
        wait.mean
    );
    let (passed, scored) = calibration::backtest::pass_count(&rows);
    assert!(
        passed * 10 >= scored * 8,
        "{passed} of {scored}:\n{}",
        calibration::backtest::table(&rows)
    );
}

/// On-scene time by region (issue 12): records of two regions whose
/// on-scene times differ (Village's twice Town's, by
/// `on_scene_by_region`) give each region its own on-scene time back in
/// the calibrated scenario, blended with the call type's by n / (n + 30):
/// with thousands of records, within 5% of each region's true mean.
#[test]
fn on_scene_by_region_comes_back_from_two_regions() {
    let known = KNOWN
        .replace(
            "on_scene = { dist = \"lognormal\", median = 40, p90 = 100 }",
            "on_scene = { dist = \"lognormal\", median = 40, p90 = 100 }\n\
             on_scene_by_region = { Village = { dist = \"lognormal\", median = 80, p90 = 160 } }",
        )
        .replace("horizon_days = 182", "horizon_days = 91")
        + "[regions.Village]\npopulation = 50000\ncalls_per_hour = 1.0\n\
           travel = { time = { dist = \"lognormal\", median = 30, p90 = 60 } }\n\
           teams.van = { count = 8, shift = \"24/7\" }\n";
    let sc = sim::Scenario::from_toml(&known, "known.toml").unwrap();
    let names: Vec<String> = sc.regions().iter().map(|r| r.name.clone()).collect();
    let truth: Vec<f64> = (0..names.len())
        .map(|r| sc.call_types()[0].on_scene_in(r).mean_min())
        .collect();
    let records = sim::trace::trace(&sim::Model::new(sc), 0);
    let start = jiff::civil::date(2027, 7, 5).at(0, 0, 0, 0);
    let mut csv = String::from("region,request,dispatch,arrival,departure\n");
    for r in &records {
        csv += &format!(
            "{},{},{},{},{}\n",
            names[r.region],
            stamp(start, r.request_min),
            stamp(start, r.dispatch_min.unwrap()),
            stamp(start, r.arrival_min.unwrap()),
            stamp(start, r.departure_min.unwrap())
        );
    }
    let map = MAP.replace(
        "[region]\nconstant = \"Town\"",
        "[region]\ncolumn = \"region\"\nkeep_unlisted = true",
    );
    let map = Mapping::from_toml(&map, "map.toml").unwrap();
    let recs = Records::read(&csv, &map).unwrap();
    let cal = calibrate(&recs, &map, &Options::default()).unwrap();
    assert_eq!(
        cal.types[0].on_scene_by_region.len(),
        2,
        "{:?}",
        cal.types[0].on_scene_by_region
    );
    let text = cal.scenario_toml(&recs, &map, &Options::default());
    assert!(text.contains("on_scene_by_region = {"), "{text}");
    let fitted = sim::Scenario::from_toml(&text, "calibrated").unwrap();
    for (r, name) in names.iter().enumerate() {
        let fr = fitted.regions().iter().position(|x| &x.name == name).unwrap();
        let mean = fitted.call_types()[0].on_scene_in(fr).mean_min();
        assert!(
            (mean / truth[r] - 1.0).abs() < 0.05,
            "{name}: fitted {mean} vs {}",
            truth[r]
        );
    }
}

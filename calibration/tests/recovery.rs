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
    // Half a year: too short for month factors.
    assert!(calibration::calibrate::month_factors(&recs, "Town").is_none());
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
    let map = Mapping::from_toml(
        &MAP.replace(
            "time_formats",
            "window = { start = \"2027-07-05\", end = \"2028-07-04\" }\ntime_formats",
        ),
        "map.toml",
    )
    .unwrap();
    let recs = Records::read(&csv, &map).unwrap();
    let f = calibration::calibrate::month_factors(&recs, "Town").expect("a year of records");
    // The mean factor is 1: eleven months at 12/13 and December at 24/13.
    for (m, x) in f.iter().enumerate().take(11) {
        assert!((x - 12.0 / 13.0).abs() < 0.08, "month {m}: {x}");
    }
    assert!((f[11] - 24.0 / 13.0).abs() < 0.15, "December: {}", f[11]);
}

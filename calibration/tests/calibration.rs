//! Calibration tests: cleaning counts on a hand-made file with every kind of
//! defect, mapping errors, and parameter recovery on synthetic records drawn
//! from known distributions with a fixed seed.

use calibration::calibrate::{Options, calibrate, shifts};
use calibration::fit::{Family, fit};
use calibration::{Mapping, Records};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use rand_distr::{Distribution, Gamma, LogNormal};

const LANE_LIKE_MAP: &str = r#"
source = "hand-made"
time_formats = ["%Y-%m-%dT%H:%M"]
max_interval_min = 1440
[times]
request = { column = "req", flag_column = "req_flag" }
dispatch = { column = "disp" }
arrival = { column = "arr" }
departure = { column = "dep", flag_column = "dep_flag" }
[region]
column = "city"
recode = { Eugene = "Eugene", Springfield = "Springfield" }
[call_type]
column = "reason"
default = "other"
recode = { "Suicidality" = "suicidality" }
[disposition]
column = "disposition"
transport = ["Emergency Department"]
"#;

/// Every kind of defect once (or twice), on its own line.
const DEFECTS: &str = "\
req,req_flag,disp,arr,dep,dep_flag,city,reason,disposition
2025-05-05T10:00,ok,2025-05-05T10:05,2025-05-05T10:20,2025-05-05T10:50,ok,Eugene,Suicidality,Emergency Department
not a time,ok,2025-05-05T11:05,2025-05-05T11:20,2025-05-05T11:50,ok,Eugene,Suicidality,
,missing,2025-05-05T12:05,2025-05-05T12:20,2025-05-05T12:50,ok,Eugene,,
,midnight_placeholder,2025-05-05T13:05,2025-05-05T13:20,2025-05-05T13:50,ok,Eugene,,
2025-05-05T14:00,ok,2025-05-05T13:50,2025-05-05T14:20,2025-05-05T14:50,ok,Springfield,,Remained in community
2025-05-05T15:00,ok,2025-05-05T15:05,2025-05-07T15:20,2025-05-07T15:50,ok,Springfield,Other,
2025-05-05T16:00,ok,2025-05-05T16:05,2025-05-05T16:20,,midnight_placeholder,Eugene,Paranoia,
2025-05-05T17:00,ok,2025-05-05T17:05,2025-05-05T17:20,2025-05-05T17:50,ok,Unknown,,
2025-05-05T18:00,ok,,2025-05-05T18:20,2025-05-05T18:50,ok,Eugene,,
2025-05-05T19:00,ok,2025-05-05T19:05,garbage,2025-05-05T19:50,ok,Eugene,,
";

#[test]
fn cleaning_counts_every_defect_by_reason_and_line() {
    let map = Mapping::from_toml(LANE_LIKE_MAP, "map.toml").unwrap();
    let recs = Records::read(DEFECTS, &map).unwrap();
    let c = &recs.cleaning;
    assert_eq!(c.rows_read, 10);
    let dropped: Vec<(&str, u64, &[u64])> = c
        .rows_dropped
        .iter()
        .map(|(k, v)| (k.as_str(), v.count, &v.lines[..]))
        .collect();
    assert_eq!(
        dropped,
        vec![
            ("region label \"Unknown\" not in the map", 1, &[9][..]),
            ("request time flagged `midnight_placeholder`", 1, &[5][..]),
            ("request time flagged `missing`", 1, &[4][..]),
            ("request time unparseable", 1, &[3][..]),
        ]
    );
    let unusable: Vec<(&str, u64, &[u64])> = c
        .times_unusable
        .iter()
        .map(|(k, v)| (k.as_str(), v.count, &v.lines[..]))
        .collect();
    assert_eq!(
        unusable,
        vec![
            ("arrival time unparseable", 1, &[11][..]),
            ("departure time flagged `midnight_placeholder`", 1, &[8][..]),
            ("dispatch time missing", 1, &[10][..]),
        ]
    );
    let excluded: Vec<(&str, u64, &[u64])> = c
        .intervals_excluded
        .iter()
        .map(|(k, v)| (k.as_str(), v.count, &v.lines[..]))
        .collect();
    assert_eq!(
        excluded,
        vec![
            ("dispatch→arrival over 1440 min", 1, &[7][..]),
            ("dispatch→departure over 1440 min", 1, &[7][..]),
            ("request→arrival over 1440 min", 1, &[7][..]),
            ("request→dispatch negative", 1, &[6][..]),
        ]
    );
    assert_eq!(recs.records.len(), 6);
    // Recoding: listed reasons, then the default for blanks and unlisted ones.
    let types: Vec<&str> = recs.records.iter().map(|r| r.call_type.as_str()).collect();
    assert_eq!(
        types,
        ["suicidality", "other", "other", "other", "other", "other"]
    );
    assert_eq!(recs.records[0].transport, Some(true));
    assert_eq!(recs.records[1].transport, Some(false));
    assert_eq!(recs.records[2].transport, None);
}

#[test]
fn mapping_unknown_key_is_an_error_with_its_place() {
    let text = format!("{LANE_LIKE_MAP}\n[times.request]\ncolum = \"x\"\n");
    let err = Mapping::from_toml(&text, "map.toml").unwrap_err().to_string();
    assert!(err.contains("map.toml"), "{err}");
    let text = LANE_LIKE_MAP.replace("max_interval_min", "max_intervall_min");
    let err = Mapping::from_toml(&text, "map.toml").unwrap_err().to_string();
    assert!(
        err.contains("unknown field `max_intervall_min`") && err.contains("line 4"),
        "{err}"
    );
}

#[test]
fn missing_column_is_named() {
    let map = Mapping::from_toml(LANE_LIKE_MAP, "map.toml").unwrap();
    let err = Records::read("req,disp\n", &map).unwrap_err().to_string();
    assert!(err.contains("req_flag"), "{err}");
}

#[test]
fn shifts_cover_the_hourly_counts_exactly() {
    let mut c = [0u32; 168];
    for (h, x) in c.iter_mut().enumerate() {
        let hod = h % 24;
        *x = if (14..23).contains(&hod) {
            3
        } else if hod < 4 || hod == 23 {
            1
        } else {
            0
        };
    }
    c[167] = 2;
    let cover = |bridge: usize| {
        let mut covered = [0u32; 168];
        for (days, start, len, count) in shifts(&c, bridge) {
            assert!(len <= 24 || len == 168);
            if len == 168 {
                // "24/7": every hour once.
                covered.iter_mut().for_each(|x| *x += count);
                continue;
            }
            for d in days {
                for k in 0..len.min(168) {
                    covered[(d * 24 + start + k) % 168] += count;
                }
            }
        }
        covered
    };
    assert_eq!(cover(0), c);
    // Bridging fills the 04:00-14:00 gap only when it is allowed 10 hours.
    assert_eq!(cover(9), c);
    let bridged = cover(10);
    assert!(bridged.iter().zip(&c).all(|(b, x)| b >= x));
    assert_eq!(bridged[24 + 5], 1);
}

/// Minutes → `YYYY-MM-DD HH:MM:SS` from 2025-01-06 (a Monday).
fn stamp(min: f64) -> String {
    let t = jiff::civil::date(2025, 1, 6).at(0, 0, 0, 0)
        + jiff::SignedDuration::from_secs((min * 60.0).round() as i64);
    t.strftime("%Y-%m-%d %H:%M:%S").to_string()
}

/// The known hour-of-week shape: busy evenings, quiet early mornings.
fn shape(h: usize) -> f64 {
    let hod = (h % 24) as f64;
    1.0 + 0.8 * ((hod - 20.0) / 24.0 * std::f64::consts::TAU).cos()
}

#[test]
fn parameters_are_recovered_from_synthetic_records() {
    // Two regions, 26 weeks, seconds resolution. Region A: 1.0 calls/hour,
    // B: 0.25. Intake lognormal (median 5, sigma 0.6); travel gamma (shape
    // 4, scale 5 min) in A and lognormal (median 25, sigma 0.4) in B;
    // on-scene lognormal (median 30, sigma 0.7). Teams are plentiful, so
    // nobody waits.
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let weeks = 26usize;
    let intake = LogNormal::new(5f64.ln(), 0.6).unwrap();
    let travel_a = Gamma::new(4.0, 5.0).unwrap();
    let travel_b = LogNormal::new(25f64.ln(), 0.4).unwrap();
    let scene = LogNormal::new(30f64.ln(), 0.7).unwrap();
    let mean_shape = (0..168).map(shape).sum::<f64>() / 168.0;
    let mut csv = String::from("req,disp,arr,dep,region,type\n");
    let mut counts = 0;
    for (region, base) in [("A", 1.0), ("B", 0.25)] {
        let peak = base * 1.8 / mean_shape;
        let mut t = 0.0;
        loop {
            // Thinning of a Poisson process at the peak rate.
            t += -(1.0 - rng.random::<f64>()).ln() / peak * 60.0;
            if t >= (weeks * 10080) as f64 {
                break;
            }
            let h = ((t / 60.0) as usize) % 168;
            if rng.random::<f64>() > base * shape(h) / mean_shape / peak {
                continue;
            }
            let d = t + intake.sample(&mut rng);
            let tr = if region == "A" {
                travel_a.sample(&mut rng)
            } else {
                travel_b.sample(&mut rng)
            };
            let a = d + tr;
            let dep = a + scene.sample(&mut rng);
            let ty = if rng.random::<f64>() < 0.3 {
                "urgent"
            } else {
                "routine"
            };
            csv += &format!(
                "{},{},{},{},{region},{ty}\n",
                stamp(t),
                stamp(d),
                stamp(a),
                stamp(dep)
            );
            counts += 1;
        }
    }
    assert!(counts > 4000);
    let map = Mapping::from_toml(
        r#"
source = "synthetic"
time_formats = ["%Y-%m-%d %H:%M:%S"]
resolution_min = 0.016666666666666666
window = { start = "2025-01-06", end = "2025-07-07" }
[times]
request = { column = "req" }
dispatch = { column = "disp" }
arrival = { column = "arr" }
departure = { column = "dep" }
[region]
column = "region"
keep_unlisted = true
[call_type]
column = "type"
keep_unlisted = true
"#,
        "synthetic.toml",
    )
    .unwrap();
    let recs = Records::read(&csv, &map).unwrap();
    assert_eq!(recs.records.len(), counts);
    assert!(recs.cleaning.rows_dropped.is_empty());
    let opts = Options::default();
    let cal = calibrate(&recs, &map, &opts).unwrap();
    let rel = |x: f64, y: f64| (x - y).abs() / y;
    let a = &cal.regions[0];
    let b = &cal.regions[1];
    assert!(rel(a.calls_per_hour, 1.0) < 0.05, "A rate {}", a.calls_per_hour);
    assert!(rel(b.calls_per_hour, 0.25) < 0.08, "B rate {}", b.calls_per_hour);
    // The profile's shape, hour of day by hour of day (averaged over the week).
    for region in [a, b] {
        for hod in 0..24 {
            let fitted: f64 = (0..7).map(|d| region.rate_by_hour[d * 24 + hod]).sum::<f64>() / 7.0;
            let truth = region.calls_per_hour * shape(hod) / mean_shape;
            // Within 3.5 Poisson standard errors of that hour's count (plus 3% for shrinkage).
            let n = truth * (7 * weeks) as f64;
            assert!(
                rel(fitted, truth) < 3.5 / n.sqrt() + 0.03,
                "{} hour {hod}: {fitted} vs {truth}",
                region.name
            );
        }
    }
    // Travel: gamma in A, lognormal in B, with their parameters.
    assert_eq!(a.travel.chosen, Family::Gamma, "{}", a.travel.summary());
    assert!(
        rel(a.travel.gamma.0, 4.0) < 0.1 && rel(a.travel.gamma.1, 5.0) < 0.1,
        "{:?}",
        a.travel.gamma
    );
    assert_eq!(b.travel.chosen, Family::Lognormal, "{}", b.travel.summary());
    assert!(rel(b.travel.lognormal.0.exp(), 25.0) < 0.05 && rel(b.travel.lognormal.1, 0.4) < 0.1);
    // On-scene by call type and intake: lognormal.
    for t in &cal.types {
        assert_eq!(t.on_scene.chosen, Family::Lognormal, "{}", t.on_scene.summary());
        assert!(rel(t.on_scene.lognormal.0.exp(), 30.0) < 0.06 && rel(t.on_scene.lognormal.1, 0.7) < 0.06);
    }
    assert_eq!(cal.intake.chosen, Family::Lognormal);
    assert!(rel(cal.intake.lognormal.0.exp(), 5.0) < 0.06 && rel(cal.intake.lognormal.1, 0.6) < 0.06);
    let urgent = cal.types.iter().find(|t| t.name == "urgent").unwrap();
    assert!((urgent.share - 0.3).abs() < 0.02);
    // The written scenario is one the engine accepts.
    let text = cal.scenario_toml(&recs, &map, &opts);
    let sc = sim::Scenario::from_toml(&text, "synthetic").unwrap();
    assert_eq!(sc.run().start_date, jiff::civil::date(2025, 1, 6));
}

#[test]
fn empirical_is_chosen_only_when_both_fits_are_rejected() {
    // A two-point mixture no lognormal or gamma fits.
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let v: Vec<f64> = (0..2000)
        .map(|_| {
            if rng.random::<f64>() < 0.5 {
                5.0 + rng.random::<f64>()
            } else {
                60.0 + rng.random::<f64>()
            }
        })
        .collect();
    let f = fit(&v, 0.01).unwrap();
    assert_eq!(f.chosen, Family::Empirical);
    assert!(f.ks_lognormal > f.ks_critical && f.ks_gamma > f.ks_critical);
    assert!(f.toml().contains("quantiles = [[0, "));
}

/// Issue 17: one unbalanced quote swallowed the rest of a file as one field
/// ("10 rows read, 9 usable" of 278); now it is an error at its line.
#[test]
fn an_unbalanced_quote_is_an_error_with_its_line() {
    let map = Mapping::from_toml(LANE_LIKE_MAP, "map.toml").unwrap();
    let mut lines: Vec<String> = DEFECTS.lines().map(str::to_string).collect();
    lines[3] = lines[3].replacen(",Eugene,", ",\"Eugene,", 1);
    let text = lines.join("\n") + "\n";
    let err = Records::read(&text, &map).unwrap_err().to_string();
    assert!(err.contains("line 4") && err.contains("unbalanced"), "{err}");
}

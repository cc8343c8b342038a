//! Value stability (after rand_distr's `tests/value_stability.rs`): the
//! outcomes of fixed scenarios and seeds, pinned. Upgrading rand,
//! rand_chacha or rand_distr, reordering draws, or changing the engine
//! changes these numbers, and every published figure with them.
//!
//! When it is right to update them: only for a deliberate change of the
//! model or of the random streams, stated in the commit message with the
//! reason (e.g. "the engine now draws X before Y: every figure moves").
//! Never to make a refactor pass: a refactor keeps these exact.

use sim::scenario::patch::set_values;
use sim::{Model, Scenario, montecarlo};

/// Outcome totals over all replications: phone, police by triage, EMS by
/// triage, in time, late, diverted; then contacts generated.
type Totals = [u64; 7];

fn run(file: &str, text: &str, days: i64, reps: u32) -> (Totals, sim::RunResults) {
    let text = set_values(
        text,
        &[
            ("run.horizon_days".into(), toml::Value::Integer(days)),
            ("run.replications".into(), toml::Value::Integer(i64::from(reps))),
        ],
    )
    .unwrap();
    let sc = Scenario::from_toml(&text, file).unwrap();
    let res = montecarlo::run(&Model::new(sc), reps, &|| {});
    let o = res.outcome_totals;
    (
        [
            o.phone,
            o.police_triage,
            o.ems_triage,
            o.mobile_in_time,
            o.mobile_late,
            o.diverted_capacity,
            res.contacts_generated,
        ],
        res,
    )
}

fn kpi(res: &sim::RunResults, region: Option<&str>, name: &str) -> f64 {
    res.kpi(region, None, None, name).unwrap().mean
}

/// Equal to 12 significant digits (the value printed by `{:e}` below is
/// what to paste when a deliberate change moves it).
fn pinned(actual: f64, expected: f64, what: &str) {
    assert!(
        (actual - expected).abs() <= 1e-12 * expected.abs().max(1e-300),
        "{what}: pinned {expected:e}, got {actual:e}"
    );
}

#[test]
fn one_region_example() {
    let (totals, res) = run(
        "one_region.toml",
        include_str!("../../scenarios/examples/one_region.toml"),
        60,
        4,
    );
    assert_eq!(totals, ONE_REGION_TOTALS, "outcome totals");
    pinned(kpi(&res, None, "late_share"), ONE_REGION_LATE, "late_share");
    pinned(
        kpi(&res, None, "response_mean_min"),
        ONE_REGION_RESPONSE,
        "response_mean_min",
    );
}

#[test]
fn zones_matrix_example() {
    let (totals, res) = run(
        "zones_matrix.toml",
        include_str!("../../scenarios/examples/zones_matrix.toml"),
        60,
        4,
    );
    assert_eq!(totals, ZONES_TOTALS, "outcome totals");
    pinned(
        kpi(&res, None, "diverted_share"),
        ZONES_DIVERTED,
        "diverted_share",
    );
    pinned(kpi(&res, None, "wait_mean_min"), ZONES_WAIT, "wait_mean_min");
}

/// The default has a 9-8-8 contact centre: its calls lost at the phones
/// (abandoned, rolled over) and its in-state answer share are pinned too.
#[test]
fn illinois_default() {
    let (totals, res) = run("illinois.toml", sim::scenario::ILLINOIS_TOML, 21, 2);
    assert_eq!(totals, ILLINOIS_TOTALS, "outcome totals");
    assert_eq!(
        [res.outcome_totals.abandoned, res.outcome_totals.rolled_over],
        ILLINOIS_LOST_AT_PHONES,
        "abandoned, rolled over"
    );
    pinned(
        kpi(&res, None, "diverted_share"),
        ILLINOIS_DIVERTED,
        "diverted_share",
    );
    pinned(
        kpi(&res, Some("Region 5"), "response_p90_min"),
        ILLINOIS_R5_P90,
        "Region 5 response_p90_min",
    );
    pinned(
        res.region_kpi("Region 11", "utilization").unwrap().mean,
        ILLINOIS_R11_UTIL,
        "Region 11 utilization",
    );
    pinned(
        kpi(&res, None, "in_state_answer_share"),
        ILLINOIS_IN_STATE,
        "in_state_answer_share",
    );
}

const ONE_REGION_TOTALS: Totals = [1653, 60, 0, 388, 9, 0, 2110];
const ONE_REGION_LATE: f64 = 2.2777347075437222e-2;
const ONE_REGION_RESPONSE: f64 = 2.6290170814664492e1;
const ZONES_TOTALS: Totals = [4549, 174, 113, 1107, 16, 73, 6032];
const ZONES_DIVERTED: f64 = 6.10724533949811e-2;
const ZONES_WAIT: f64 = 5.535502092510265e-2;
const ILLINOIS_TOTALS: Totals = [11861, 533, 173, 2620, 28, 112, 16534];
const ILLINOIS_DIVERTED: f64 = 3.749281196089707e-2;
const ILLINOIS_R5_P90: f64 = 6.585e1;
const ILLINOIS_R11_UTIL: f64 = 6.476881920101427e-2;
const ILLINOIS_LOST_AT_PHONES: [u64; 2] = [555, 652];
const ILLINOIS_IN_STATE: f64 = 9.269964138114853e-1;

//! The call-record reader: any CSV text, read through the Lane County and
//! NYC mappings (and Lane's without its window, so the span comes from the
//! records), gives records or an error, never a panic.

#![no_main]

use std::sync::LazyLock;

use calibration::{Mapping, Records};
use libfuzzer_sys::fuzz_target;

static MAPS: LazyLock<Vec<Mapping>> = LazyLock::new(|| {
    let lane = Mapping::from_toml(
        include_str!("../../calibration/maps/lane_mcslc.toml"),
        "lane_mcslc.toml",
    )
    .expect("the Lane map is valid");
    let nyc = Mapping::from_toml(
        include_str!("../../calibration/maps/nyc_ems_edp.toml"),
        "nyc_ems_edp.toml",
    )
    .expect("the NYC map is valid");
    let mut unwindowed = lane.clone();
    unwindowed.window = None;
    vec![lane, nyc, unwindowed]
});

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for map in MAPS.iter() {
        match Records::read(text, map) {
            Ok(recs) => {
                // What calibrate and backtest do first with the records.
                let _ = recs.span_days();
                let _ = recs.regions();
                for r in &recs.records {
                    let _ = recs.intervals_of(r, None);
                }
            }
            Err(e) => {
                let _ = e.to_string();
            }
        }
    }
});

//! Calibration of cessa-sim scenarios from historical call records, and the
//! back-test of a scenario against them.
//!
//! A pure library: it takes the text of a column-mapping file and of a CSV
//! export, never touches files, and returns the scenario TOML text, a fit
//! report and the back-test table. The command line (`cessa-sim calibrate`,
//! `cessa-sim backtest`) reads the files.
//!
//! Modules: [`map`] (the column-mapping file), [`records`] (cleaning, with
//! every drop counted), [`gaps`] (export gaps), [`change`] (level and
//! hour-of-day pattern tests), [`fit`] (robust duration fits),
//! [`calibrate`] (the scenario and the fit report), [`backtest`] (observed
//! vs simulated like with like, scored against prediction intervals) and
//! [`rolling`] (the rolling-origin back-test).
//!
//! ```
//! use calibration::{Mapping, Records, calibrate::{calibrate, Options}};
//! let map = Mapping::from_toml(r#"
//! source = "example"
//! time_formats = ["%Y-%m-%d %H:%M"]
//! [times]
//! request = { column = "req" }
//! dispatch = { column = "disp" }
//! arrival = { column = "arr" }
//! departure = { column = "dep" }
//! [region]
//! constant = "Town"
//! [call_type]
//! constant = "crisis"
//! "#, "map.toml").unwrap();
//! let mut csv = String::from("req,disp,arr,dep\n");
//! for i in 0..40 {
//!     let (d, h) = (1 + i % 28, i % 24);
//!     csv += &format!("2025-01-{d:02} {h:02}:00,2025-01-{d:02} {h:02}:0{},2025-01-{d:02} {h:02}:{},2025-01-{d:02} {h:02}:{}\n",
//!         1 + i % 5, 10 + i % 17, 30 + i % 29);
//! }
//! let recs = Records::read(&csv, &map).unwrap();
//! let cal = calibrate(&recs, &map, &Options::default()).unwrap();
//! let text = cal.scenario_toml(&recs, &map, &Options::default());
//! assert!(sim::Scenario::from_toml(&text, "calibrated").is_ok());
//! ```

pub mod backtest;
pub mod calibrate;
pub mod change;
pub mod fit;
pub mod gaps;
pub mod map;
pub mod records;
pub mod rolling;

pub use map::Mapping;
pub use records::Records;

/// Why a calibration could not be done. Every variant is fatal for the
/// command that met it.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum CalibrationError {
    /// The mapping file is not valid (the message gives line and column).
    #[error("mapping {file}: {message}")]
    Map {
        /// The mapping file.
        file: String,
        /// What is wrong, with its place.
        message: String,
    },
    /// The CSV could not be read.
    #[error("records: {0}")]
    Csv(String),
    /// A column named in the mapping is not in the CSV header.
    #[error("records: no column {0:?} in the header")]
    MissingColumn(String),
    /// No row survived the cleaning.
    #[error("records: no usable record after cleaning")]
    NoRecords,
    /// Too few valid intervals to fit.
    #[error("records: too few values to fit {0}")]
    TooFew(String),
    /// A fold of the rolling back-test could not be set up (its window,
    /// or the scenario calibrated on it); the message names the fold.
    #[error("rolling back-test: {0}")]
    Rolling(String),
}

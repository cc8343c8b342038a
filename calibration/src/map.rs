//! The column-mapping file: which columns of an agency's export hold the
//! times, the region, the call type and the disposition, how to read the
//! timestamps, how to recode labels, and the cleaning thresholds.

use std::collections::BTreeMap;

use serde::Deserialize;

use crate::CalibrationError;

/// Default longest interval kept, minutes (24 h).
pub const DEFAULT_MAX_INTERVAL_MIN: f64 = 1440.0;

/// A column-mapping file, as read from TOML. Unknown keys are errors.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mapping {
    /// A name for the data source, shown in the scenario and the report.
    pub source: String,
    /// jiff `strptime` formats tried in order, e.g. `"%Y-%m-%dT%H:%M"`.
    pub time_formats: Vec<String>,
    /// The time zone of the timestamps (informational: times are read as
    /// local clock times and daylight saving time is ignored, as in the engine).
    #[serde(default)]
    pub time_zone: Option<String>,
    /// Recording resolution of the timestamps, minutes (1 for `HH:MM`):
    /// intervals recorded as 0 are taken as half of it when fitting.
    #[serde(default = "default_resolution")]
    pub resolution_min: f64,
    /// Longest interval kept, minutes; longer ones are excluded (default 1440 = 24 h).
    #[serde(default = "default_max_interval")]
    pub max_interval_min: f64,
    /// Only requests from `start` (inclusive) to `end` (exclusive), dates `YYYY-MM-DD`.
    #[serde(default)]
    pub window: Option<Window>,
    /// The four event times.
    pub times: Times,
    /// The region column and its recoding.
    pub region: Labels,
    /// The call-type column (or a constant) and its recoding.
    pub call_type: Labels,
    /// The disposition column and the values that mean transport.
    #[serde(default)]
    pub disposition: Option<Disposition>,
    /// Keep a row only if at least one filter matches (no filters: keep all).
    #[serde(default)]
    pub filter: Vec<Filter>,
    /// Residents per region (not in call records; default 100,000, used only
    /// for per-100k figures).
    #[serde(default)]
    pub population: BTreeMap<String, f64>,
    /// Prior weight of the pooled hour-of-week profile, hours of observation
    /// (default 8): see [`crate::fit`].
    #[serde(default = "default_prior_hours")]
    pub profile_prior_hours: f64,
}

fn default_resolution() -> f64 {
    1.0
}
fn default_max_interval() -> f64 {
    DEFAULT_MAX_INTERVAL_MIN
}
fn default_prior_hours() -> f64 {
    8.0
}

/// A window of request dates.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Window {
    /// First date kept, `YYYY-MM-DD`.
    pub start: String,
    /// First date no longer kept, `YYYY-MM-DD`.
    pub end: String,
}

/// The columns of the four event times.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Times {
    /// The request (first contact): the arrival event. Rows without it are dropped.
    pub request: TimeColumn,
    /// A team was dispatched.
    pub dispatch: TimeColumn,
    /// The team arrived on scene.
    pub arrival: TimeColumn,
    /// The team left the scene (or closed the call).
    pub departure: TimeColumn,
}

/// One timestamp column, with an optional quality-flag column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TimeColumn {
    /// Column name.
    pub column: String,
    /// A column flagging the time (e.g. Lane's `midnight_placeholder`); any
    /// value other than `ok_flag` or empty marks the time as unusable.
    #[serde(default)]
    pub flag_column: Option<String>,
    /// The flag value meaning "usable" (default `ok`).
    #[serde(default = "default_ok")]
    pub ok_flag: String,
}

fn default_ok() -> String {
    "ok".to_string()
}

/// A label column and its recoding.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Labels {
    /// Column name (omit with `constant`).
    #[serde(default)]
    pub column: Option<String>,
    /// Every row gets this label.
    #[serde(default)]
    pub constant: Option<String>,
    /// Source label → model label; labels not listed are kept as they are
    /// when `keep_unlisted`, else take `default`, else the row is dropped.
    #[serde(default)]
    pub recode: BTreeMap<String, String>,
    /// Keep labels not in `recode` unchanged (default false).
    #[serde(default)]
    pub keep_unlisted: bool,
    /// Label for values not in `recode` (including blanks).
    #[serde(default)]
    pub default: Option<String>,
}

/// The disposition column.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Disposition {
    /// Column name.
    pub column: String,
    /// Values that mean the person was transported (ED, detox…).
    pub transport: Vec<String>,
}

/// Keep rows whose column has one of these values.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Filter {
    /// Column name.
    pub column: String,
    /// Accepted values (exact, after trimming spaces).
    pub values: Vec<String>,
}

impl Mapping {
    /// Parses a mapping file's text; `file` names it in errors.
    pub fn from_toml(text: &str, file: &str) -> Result<Mapping, CalibrationError> {
        let map: Mapping = toml::from_str(text).map_err(|e| CalibrationError::Map {
            file: file.to_string(),
            message: e.to_string(),
        })?;
        let bad = |message: String| CalibrationError::Map {
            file: file.to_string(),
            message,
        };
        if map.time_formats.is_empty() {
            return Err(bad("`time_formats` needs at least one format".into()));
        }
        for (name, l) in [("region", &map.region), ("call_type", &map.call_type)] {
            if l.column.is_some() == l.constant.is_some() {
                return Err(bad(format!(
                    "`{name}` needs exactly one of `column` or `constant`"
                )));
            }
        }
        let positive = |x: f64| x > 0.0;
        if !positive(map.max_interval_min)
            || !positive(map.resolution_min)
            || map.profile_prior_hours.is_nan()
            || map.profile_prior_hours < 0.0
        {
            return Err(bad(
                "`max_interval_min` and `resolution_min` must be > 0 and `profile_prior_hours` >= 0".into(),
            ));
        }
        Ok(map)
    }
}

impl Labels {
    /// The model label of a source value, or `None` when the row must be dropped.
    pub fn label(&self, value: &str) -> Option<String> {
        if let Some(c) = &self.constant {
            return Some(c.clone());
        }
        let v = value.trim();
        if let Some(l) = self.recode.get(v) {
            return Some(l.clone());
        }
        if self.keep_unlisted && !v.is_empty() {
            return Some(v.to_string());
        }
        self.default.clone()
    }
}

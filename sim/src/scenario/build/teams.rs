//! Team groups (count, base zone, overtime) and their shifts: days of the
//! week and clock times.

use std::ops::Range;

use toml::de::DeValue;

use super::{Builder, opt};
use crate::calendar::DAY_MIN;
use crate::scenario::read::{Val, join};
use crate::schedule::Schedule;

pub(super) struct RawTeams {
    pub(super) name: String,
    pub(super) count: u32,
    pub(super) base: Option<(String, Range<usize>)>,
    pub(super) schedule: Schedule,
    pub(super) overtime_min: f64,
    /// `capabilities`: what its teams can do that some call types need.
    pub(super) capabilities: Vec<(String, Range<usize>)>,
    pub(super) span: Range<usize>,
}

impl Builder<'_, '_> {
    pub(super) fn teams(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<RawTeams>> {
        let t = self.r.table(v, path)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, gv) in t.iter() {
            let gpath = join(path, k.get_ref());
            let Some(gt) = self.r.table(gv, &gpath) else {
                ok = false;
                continue;
            };
            self.r.only_keys(
                gt,
                &gpath,
                &["count", "base", "shift", "overtime_min", "capabilities"],
            );
            let count = match self
                .r
                .required(gt, gv.span(), &gpath, "count", "the number of teams")
            {
                Some(cv) => match self.r.count(cv, &join(&gpath, "count")) {
                    Some(c) if c <= 10_000 => Some(c as u32),
                    Some(c) => {
                        self.r.problem(
                            cv.span(),
                            &join(&gpath, "count"),
                            format!("expected at most 10000 teams, found {c}"),
                        );
                        None
                    }
                    None => None,
                },
                None => None,
            };
            let base = opt(gt, "base").and_then(|bv| {
                self.r
                    .string(bv, &join(&gpath, "base"))
                    .map(|s| (s.to_string(), bv.span()))
            });
            let schedule = match opt(gt, "shift") {
                Some(sv) => self.shift(sv, &join(&gpath, "shift")),
                None => Some(Schedule::always()),
            };
            let overtime_min = match opt(gt, "overtime_min") {
                Some(ov) => self
                    .r
                    .number_where(ov, &join(&gpath, "overtime_min"), "minutes >= 0", |x| x >= 0.0),
                None => Some(0.0),
            };
            let capabilities = match opt(gt, "capabilities") {
                Some(cv) => self.names_list(cv, &join(&gpath, "capabilities")),
                None => Some(Vec::new()),
            };
            match (count, schedule, overtime_min, capabilities) {
                (Some(count), Some(schedule), Some(overtime_min), Some(capabilities)) => out.push(RawTeams {
                    name: k.get_ref().to_string(),
                    count,
                    base,
                    schedule,
                    overtime_min,
                    capabilities,
                    span: gv.span(),
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `"24/7"`, or `{ days = "Mon-Fri" | [..], start = "08:00", end = "16:00" }`.
    pub(super) fn shift(&mut self, v: &Val<'_>, path: &str) -> Option<Schedule> {
        if let DeValue::String(s) = v.get_ref() {
            if s.as_ref() == "24/7" {
                return Some(Schedule::always());
            }
            self.r.problem(v.span(), path, format!("expected \"24/7\" or {{ days = \"Mon-Fri\", start = \"08:00\", end = \"16:00\" }}, found {:?}", s.as_ref()));
            return None;
        }
        let t = self.r.table(v, path)?;
        self.r.only_keys(t, path, &["days", "start", "end"]);
        let days = match opt(t, "days") {
            None => Some(vec![0, 1, 2, 3, 4, 5, 6]),
            Some(dv) => self.days(dv, &join(path, "days")),
        };
        let clock = |b: &mut Self, key: &str| -> Option<f64> {
            let cv = b.r.required(t, v.span(), path, key, "a time like \"08:00\"")?;
            let kp = join(path, key);
            let s = b.r.string(cv, &kp)?;
            let parsed = s.split_once(':').and_then(|(h, m)| {
                let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
                let max = if key == "start" { 1439 } else { 1440 };
                (h <= 24 && m < 60 && h * 60 + m <= max).then_some(f64::from(h * 60 + m))
            });
            if parsed.is_none() {
                b.r.problem(
                    cv.span(),
                    &kp,
                    format!(
                        "expected a time like \"08:00\" (start 00:00 to 23:59, end up to 24:00), found {s:?}"
                    ),
                );
            }
            parsed
        };
        let start = clock(self, "start");
        let end = clock(self, "end");
        let (days, start, end) = (days?, start?, end?);
        // A shift ending at or before its start runs past midnight; equal means 24 hours.
        let len = match (end - start).rem_euclid(DAY_MIN) {
            0.0 => DAY_MIN,
            len => len,
        };
        let shifts: Vec<(f64, f64)> = days
            .iter()
            .map(|d| (f64::from(*d) * DAY_MIN + start, len))
            .collect();
        Some(Schedule::from_shifts(&shifts))
    }

    fn days(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<u32>> {
        const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let day = |s: &str| {
            NAMES
                .iter()
                .position(|n| n.eq_ignore_ascii_case(s))
                .map(|i| i as u32)
        };
        let expected = "days such as \"Mon-Fri\", \"all\", \"weekends\" or [\"Mon\", \"Wed\"]";
        let parsed: Option<Vec<u32>> = match v.get_ref() {
            DeValue::String(s) => match s.as_ref() {
                "all" => Some((0..7).collect()),
                "weekdays" => Some((0..5).collect()),
                "weekends" => Some(vec![5, 6]),
                other => match other.split_once('-') {
                    Some((a, b)) => match (day(a), day(b)) {
                        (Some(a), Some(b)) => Some(
                            (0..7)
                                .map(|i| (a + i) % 7)
                                .take(((b + 7 - a) % 7 + 1) as usize)
                                .collect(),
                        ),
                        _ => None,
                    },
                    None => day(other).map(|d| vec![d]),
                },
            },
            DeValue::Array(items) => items
                .iter()
                .map(|i| match i.get_ref() {
                    DeValue::String(s) => day(s),
                    _ => None,
                })
                .collect(),
            _ => None,
        };
        if parsed.as_ref().is_none_or(|d| d.is_empty()) {
            self.r.problem(v.span(), path, format!("expected {expected}"));
            return None;
        }
        parsed
    }
}

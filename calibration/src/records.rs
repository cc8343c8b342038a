//! Reading call records through a [`Mapping`], with every dropped row and
//! every excluded interval counted by reason (cleaning is never silent).

use std::collections::BTreeMap;

use jiff::civil::{Date, DateTime};

use crate::CalibrationError;
use crate::map::{Mapping, TimeColumn};

/// How many row numbers each cleaning reason lists.
pub const ROWS_LISTED: usize = 10;

/// Minutes from 1970-01-05 00:00 (a Monday) to a civil time, so that hour
/// of week is `(t / 60) mod 168` with 0 = Monday 00:00.
fn minutes(dt: DateTime) -> f64 {
    let monday = jiff::civil::date(1970, 1, 5).at(0, 0, 0, 0);
    dt.duration_since(monday).as_secs_f64() / 60.0
}

/// Hour of week (0 = Monday 00:00–01:00) of a time in minutes from
/// Monday 1970-01-05 00:00 (the origin of [`Record`] times).
pub fn hour_of_week(t_min: f64) -> usize {
    ((t_min / 60.0).floor().rem_euclid(168.0)) as usize
}

/// One usable call record. Times are minutes from Monday 1970-01-05 00:00,
/// local clock time.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// Line number in the file (the header is line 1).
    pub line: u64,
    /// Model region.
    pub region: String,
    /// Model call type.
    pub call_type: String,
    /// Whether the disposition means transport (`None`: no disposition).
    pub transport: Option<bool>,
    /// Request (first contact), minutes.
    pub request: f64,
    /// Team dispatched, minutes.
    pub dispatch: Option<f64>,
    /// Team on scene, minutes.
    pub arrival: Option<f64>,
    /// Team left the scene, minutes.
    pub departure: Option<f64>,
}

/// The intervals of a record that passed the cleaning thresholds, minutes.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Intervals {
    /// Request → dispatch (intake and queue delay).
    pub intake: Option<f64>,
    /// Dispatch → arrival.
    pub travel: Option<f64>,
    /// Arrival → departure.
    pub on_scene: Option<f64>,
    /// Request → arrival.
    pub response: Option<f64>,
    /// Dispatch → departure (the team is busy).
    pub busy: Option<f64>,
}

/// Counts of one cleaning reason.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reason {
    /// Rows (or intervals) affected.
    pub count: u64,
    /// The first [`ROWS_LISTED`] line numbers.
    pub lines: Vec<u64>,
}

/// What cleaning did, by reason.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cleaning {
    /// Data rows read.
    pub rows_read: u64,
    /// Rows dropped, by reason.
    pub rows_dropped: BTreeMap<String, Reason>,
    /// Intervals excluded (the row is kept), by reason.
    pub intervals_excluded: BTreeMap<String, Reason>,
    /// Times unusable (missing, unparseable or flagged), by reason; the
    /// intervals needing them are missing.
    pub times_unusable: BTreeMap<String, Reason>,
}

fn note(map: &mut BTreeMap<String, Reason>, reason: String, line: u64) {
    let r = map.entry(reason).or_default();
    r.count += 1;
    if r.lines.len() < ROWS_LISTED {
        r.lines.push(line);
    }
}

/// Records and what cleaning did to them.
#[derive(Debug, Clone)]
pub struct Records {
    /// Usable records, in file order.
    pub records: Vec<Record>,
    /// The counts by reason.
    pub cleaning: Cleaning,
    /// Start of the measured span, minutes (the window start, or the first request's day).
    pub span_start: f64,
    /// End of the measured span, minutes (the window end, or the day after the last request).
    pub span_end: f64,
    /// The first day of the span.
    pub start_date: Date,
    /// Longest interval kept, minutes.
    pub max_interval_min: f64,
}

impl Records {
    /// Reads CSV text (with a header) through a mapping.
    pub fn read(text: &str, map: &Mapping) -> Result<Records, CalibrationError> {
        let mut rdr = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let headers = rdr
            .headers()
            .map_err(|e| CalibrationError::Csv(e.to_string()))?
            .clone();
        let col = |name: &str| -> Result<usize, CalibrationError> {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| CalibrationError::MissingColumn(name.to_string()))
        };
        let time_cols = |t: &TimeColumn| -> Result<(usize, Option<usize>), CalibrationError> {
            Ok((col(&t.column)?, t.flag_column.as_deref().map(col).transpose()?))
        };
        let cols = [
            ("request", time_cols(&map.times.request)?, &map.times.request),
            ("dispatch", time_cols(&map.times.dispatch)?, &map.times.dispatch),
            ("arrival", time_cols(&map.times.arrival)?, &map.times.arrival),
            (
                "departure",
                time_cols(&map.times.departure)?,
                &map.times.departure,
            ),
        ];
        let region_col = map.region.column.as_deref().map(col).transpose()?;
        let type_col = map.call_type.column.as_deref().map(col).transpose()?;
        let disp_col = map.disposition.as_ref().map(|d| col(&d.column)).transpose()?;
        let filters = map
            .filter
            .iter()
            .map(|f| Ok((col(&f.column)?, &f.values)))
            .collect::<Result<Vec<_>, CalibrationError>>()?;
        let date = |s: &str| {
            s.parse::<Date>().map_err(|e| CalibrationError::Map {
                file: "window".into(),
                message: format!("{s:?}: {e}"),
            })
        };
        let window = match &map.window {
            Some(w) => {
                let (a, b) = (date(&w.start)?, date(&w.end)?);
                if b <= a {
                    return Err(CalibrationError::Map {
                        file: "window".into(),
                        message: format!("the end {b} must come after the start {a}"),
                    });
                }
                Some((a, b))
            }
            None => None,
        };
        let mut cleaning = Cleaning::default();
        let mut records = Vec::new();
        for row in rdr.records() {
            let row = row.map_err(|e| CalibrationError::Csv(e.to_string()))?;
            let line = row.position().map_or(0, |p| p.line());
            // A quoted field across lines is an unbalanced quote that
            // swallowed the rows after it (issue 17), never a record.
            if let Some(i) = row.iter().position(|f| f.contains('\n')) {
                return Err(CalibrationError::Csv(format!(
                    "line {line}, column {:?}: a quoted field runs across lines (an unbalanced \" swallowed the rows after it)",
                    headers.get(i).unwrap_or("?")
                )));
            }
            cleaning.rows_read += 1;
            let field = |i: usize| row.get(i).unwrap_or("").trim();
            if !filters.is_empty()
                && !filters
                    .iter()
                    .any(|(i, vals)| vals.iter().any(|v| v == field(*i)))
            {
                note(
                    &mut cleaning.rows_dropped,
                    "filtered out by the map's `filter`".into(),
                    line,
                );
                continue;
            }
            let mut times = [None; 4];
            let mut request_problem = None;
            for (k, (name, (ci, fi), tc)) in cols.iter().enumerate() {
                let raw = field(*ci);
                let flag = fi.map(&field).filter(|f| !f.is_empty() && *f != tc.ok_flag);
                let problem = if let Some(f) = flag {
                    Some(format!("{name} time flagged `{f}`"))
                } else if raw.is_empty() {
                    Some(format!("{name} time missing"))
                } else {
                    match map
                        .time_formats
                        .iter()
                        .find_map(|f| DateTime::strptime(f, raw).ok())
                    {
                        Some(dt) => {
                            times[k] = Some(dt);
                            None
                        }
                        None => Some(format!("{name} time unparseable")),
                    }
                };
                if let Some(p) = problem {
                    if k == 0 {
                        request_problem = Some(p);
                    } else {
                        note(&mut cleaning.times_unusable, p, line);
                    }
                }
            }
            if let Some(p) = request_problem {
                note(&mut cleaning.rows_dropped, p, line);
                continue;
            }
            let request = times[0].expect("request time checked");
            if let Some((a, b)) = window
                && (request.date() < a || request.date() >= b)
            {
                note(
                    &mut cleaning.rows_dropped,
                    "request outside the map's `window`".into(),
                    line,
                );
                continue;
            }
            let region_value = region_col.map_or("", |i| field(i));
            let Some(region) = map.region.label(region_value) else {
                note(
                    &mut cleaning.rows_dropped,
                    format!("region label {region_value:?} not in the map"),
                    line,
                );
                continue;
            };
            let type_value = type_col.map_or("", |i| field(i));
            let Some(call_type) = map.call_type.label(type_value) else {
                note(
                    &mut cleaning.rows_dropped,
                    format!("call-type label {type_value:?} not in the map"),
                    line,
                );
                continue;
            };
            let transport = match (disp_col, &map.disposition) {
                (Some(i), Some(d)) if !field(i).is_empty() => Some(d.transport.iter().any(|t| t == field(i))),
                _ => None,
            };
            let m = |t: Option<DateTime>| t.map(minutes);
            records.push(Record {
                line,
                region,
                call_type,
                transport,
                request: minutes(request),
                dispatch: m(times[1]),
                arrival: m(times[2]),
                departure: m(times[3]),
            });
        }
        let (start_date, end_date) = match window {
            Some(w) => w,
            None => {
                let first = records.iter().map(|r| r.request).fold(f64::INFINITY, f64::min);
                let last = records
                    .iter()
                    .map(|r| r.request)
                    .fold(f64::NEG_INFINITY, f64::max);
                if records.is_empty() {
                    return Err(CalibrationError::NoRecords);
                }
                let day = |t: f64| {
                    jiff::civil::date(1970, 1, 5)
                        .checked_add(jiff::Span::new().days((t / 1440.0).floor() as i64))
                };
                let a = day(first).map_err(|e| CalibrationError::Csv(e.to_string()))?;
                let b = day(last + 1440.0).map_err(|e| CalibrationError::Csv(e.to_string()))?;
                (a, b)
            }
        };
        if records.is_empty() {
            return Err(CalibrationError::NoRecords);
        }
        let mut out = Records {
            records,
            cleaning,
            span_start: minutes(start_date.at(0, 0, 0, 0)),
            span_end: minutes(end_date.at(0, 0, 0, 0)),
            start_date,
            max_interval_min: map.max_interval_min,
        };
        // Count the interval exclusions once, here.
        let mut excluded = BTreeMap::new();
        for r in &out.records {
            out.intervals_of(r, Some(&mut excluded));
        }
        out.cleaning.intervals_excluded = excluded;
        Ok(out)
    }

    /// The records with requests from `start` (inclusive) to `end`
    /// (exclusive), with that span; the cleaning counts are those of the
    /// whole file. Errors when no record is left.
    pub fn between(&self, start: Date, end: Date) -> Result<Records, CalibrationError> {
        let (a, b) = (minutes(start.at(0, 0, 0, 0)), minutes(end.at(0, 0, 0, 0)));
        let records: Vec<Record> = self
            .records
            .iter()
            .filter(|r| a <= r.request && r.request < b)
            .cloned()
            .collect();
        if records.is_empty() || b <= a {
            return Err(CalibrationError::NoRecords);
        }
        Ok(Records {
            records,
            cleaning: self.cleaning.clone(),
            span_start: a,
            span_end: b,
            start_date: start,
            max_interval_min: self.max_interval_min,
        })
    }

    /// The first day after the span.
    pub fn end_date(&self) -> Date {
        self.start_date
            .checked_add(jiff::Span::new().days(self.span_days().round() as i64))
            .unwrap_or(self.start_date)
    }

    /// The records of the span's last `weeks` weeks (the whole span when it
    /// is shorter, or when `weeks` is 0).
    pub fn last_weeks(&self, weeks: u32) -> Result<Records, CalibrationError> {
        let end = self.end_date();
        let days = i64::from(weeks) * 7;
        if weeks == 0 || days as f64 >= self.span_days() {
            return Ok(self.clone());
        }
        let start = end
            .checked_sub(jiff::Span::new().days(days))
            .map_err(|e| CalibrationError::Csv(e.to_string()))?;
        self.between(start, end)
    }

    /// The span's length, days.
    pub fn span_days(&self) -> f64 {
        (self.span_end - self.span_start) / 1440.0
    }

    /// The intervals of one record that pass the thresholds (0 to
    /// `max_interval_min` minutes); exclusions are noted when `excluded` is given.
    pub fn intervals_of(&self, r: &Record, mut excluded: Option<&mut BTreeMap<String, Reason>>) -> Intervals {
        let mut check = |name: &str, a: Option<f64>, b: Option<f64>| -> Option<f64> {
            let d = b? - a?;
            let reason = if d < 0.0 {
                format!("{name} negative")
            } else if d > self.max_interval_min {
                format!("{name} over {} min", self.max_interval_min)
            } else {
                return Some(d);
            };
            if let Some(ex) = excluded.as_deref_mut() {
                note(ex, reason, r.line);
            }
            None
        };
        Intervals {
            intake: check("request→dispatch", Some(r.request), r.dispatch),
            travel: check("dispatch→arrival", r.dispatch, r.arrival),
            on_scene: check("arrival→departure", r.arrival, r.departure),
            response: check("request→arrival", Some(r.request), r.arrival),
            busy: check("dispatch→departure", r.dispatch, r.departure),
        }
    }

    /// Region names in sorted order.
    pub fn regions(&self) -> Vec<String> {
        let mut v: Vec<String> = self.records.iter().map(|r| r.region.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    /// How many times each hour of week occurs in the span, hours.
    pub fn exposure(&self) -> [f64; 168] {
        let mut e = [0.0; 168];
        let mut t = self.span_start;
        while t < self.span_end {
            e[hour_of_week(t)] += ((self.span_end - t) / 60.0).min(1.0);
            t += 60.0;
        }
        e
    }

    /// The busy intervals (dispatch, departure) of a region's records
    /// (`None`: all regions), minutes.
    pub fn busy_intervals(&self, region: Option<&str>) -> Vec<(f64, f64)> {
        self.records
            .iter()
            .filter(|r| region.is_none_or(|g| r.region == g))
            .filter_map(|r| {
                self.intervals_of(r, None).busy?;
                Some((r.dispatch?, r.departure?))
            })
            .collect()
    }
}

/// For each time in `times`, whether any interval `[a, b)` covers it: one
/// sweep over sorted ends, `O((n + m) log(n + m))` (issue 17: `calibrate`
/// scanned every interval for every record, quadratic in rows).
pub fn covered(intervals: &[(f64, f64)], times: &[f64]) -> Vec<bool> {
    let mut starts: Vec<f64> = intervals.iter().filter(|(a, b)| b > a).map(|&(a, _)| a).collect();
    let mut ends: Vec<f64> = intervals.iter().filter(|(a, b)| b > a).map(|&(_, b)| b).collect();
    starts.sort_unstable_by(f64::total_cmp);
    ends.sort_unstable_by(f64::total_cmp);
    let mut order: Vec<usize> = (0..times.len()).collect();
    order.sort_unstable_by(|&i, &j| times[i].total_cmp(&times[j]));
    let mut out = vec![false; times.len()];
    let (mut s, mut e) = (0, 0);
    for i in order {
        let t = times[i];
        // Covering intervals: started at or before t, not ended at or before t.
        while s < starts.len() && starts[s] <= t {
            s += 1;
        }
        while e < ends.len() && ends[e] <= t {
            e += 1;
        }
        out[i] = s > e;
    }
    out
}

/// Time-weighted busy statistics of a set of intervals over `[start, end)`
/// minutes: (mean number busy, share of time with at least 2 busy).
pub fn occupancy(intervals: &[(f64, f64)], start: f64, end: f64) -> (f64, f64) {
    let mut events: Vec<(f64, i32)> = Vec::new();
    for &(a, b) in intervals {
        let (a, b) = (a.max(start), b.min(end));
        if b > a {
            events.push((a, 1));
            events.push((b, -1));
        }
    }
    events.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let (mut busy, mut last, mut area, mut two) = (0i32, start, 0.0, 0.0);
    for (t, d) in events {
        area += f64::from(busy) * (t - last);
        if busy >= 2 {
            two += t - last;
        }
        busy += d;
        last = t;
    }
    let len = end - start;
    (area / len, two / len)
}

/// The most teams busy at once during each hour `[h, h+60)` from `start` to
/// `end` (minutes), with each hour's hour of week.
pub fn max_busy_by_hour(intervals: &[(f64, f64)], start: f64, end: f64) -> Vec<(usize, u32)> {
    let mut events: Vec<(f64, i32)> = Vec::new();
    for &(a, b) in intervals {
        if b > a {
            events.push((a, 1));
            events.push((b, -1));
        }
    }
    events.sort_by(|x, y| x.0.total_cmp(&y.0).then(x.1.cmp(&y.1)));
    let mut out = Vec::new();
    let (mut i, mut busy) = (0usize, 0i32);
    let mut t = start;
    while t < end {
        let next = t + 60.0;
        while i < events.len() && events[i].0 <= t {
            busy += events[i].1;
            i += 1;
        }
        let mut peak = busy;
        while i < events.len() && events[i].0 < next {
            busy += events[i].1;
            peak = peak.max(busy);
            i += 1;
        }
        out.push((hour_of_week(t), peak.max(0) as u32));
        t = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::covered;

    /// The sweep agrees with a scan of every interval, ties and empty or
    /// reversed intervals included.
    #[test]
    fn covered_matches_a_scan() {
        let intervals: Vec<(f64, f64)> = (0..40)
            .map(|i| {
                let a = f64::from((i * 7) % 50);
                (a, a + f64::from((i * 3) % 11) - 2.0)
            })
            .collect();
        let times: Vec<f64> = (0..130).rev().map(|k| f64::from(k) * 0.5 - 3.0).collect();
        let scan: Vec<bool> = times
            .iter()
            .map(|&t| intervals.iter().any(|&(a, b)| a <= t && t < b))
            .collect();
        assert!(scan.iter().any(|&x| x) && scan.iter().any(|&x| !x));
        assert_eq!(covered(&intervals, &times), scan);
    }
}

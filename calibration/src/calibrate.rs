//! From cleaned records to a fitted scenario (TOML text with comments) and
//! a fit report.
//!
//! **Hour-of-week profile, shrinkage rule.** For region r and hour of week
//! h, with n\[r,h\] requests over E\[h\] observed hours, the rate is
//! (n\[r,h\] + k·λ\[r\]·p\[h\]) / (E\[h\] + k), where λ\[r\] is the
//! region's mean rate, p\[h\] the pooled (all regions) profile normalised to
//! mean 1, and k the map's `profile_prior_hours` (default 8): a bin observed
//! for E hours keeps the weight E/(E+k) of its own data. Hours of week with
//! no request in any region get rate 0 (the service was not open, or not
//! asked: the records cannot tell which).
//!
//! **Gaps and change.** Export gaps ([`crate::gaps`]) are left out of the
//! exposure, the month factors and the staffing estimate; a level shift or
//! a change of the hour-of-day pattern ([`crate::change`]) is reported, and
//! month factors are not written when the level shifted (a trend is not a
//! season: fit a recent window instead).
//!
//! **Staffing estimate: teams on duty by hour of week.** Teams are not in
//! call records. For each region and each hour of the span (export gaps
//! left out), the most teams busy at once (overlapping dispatch →
//! departure intervals) is counted; the teams on duty in hour of week h
//! are the largest of those counts over the span's weeks (the
//! `staffing_quantile`, default 1; 0.95 takes the 95th percentile, nearest
//! rank, instead). The count is raised to 1 in hours of week where the
//! region has demand (with per-region `travel.time` the engine has no
//! mutual aid, while the records' teams served every region). The estimate
//! is the 168 counts ([`RegionFit::teams_by_hour`], and its maximum
//! [`RegionFit::max_on_duty`]); the scenario writes them as one-team groups
//! whose shifts cover the runs of hours where at least 1, 2, … teams are
//! on duty, so the number of groups (what `run` reports as `teams`) counts
//! shifts, not crews.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::change::Changes;
use crate::fit::{Fit, MIN_FIT_N, blend, fit};
use crate::gaps::{Gap, in_gap};
use crate::map::Mapping;
use crate::records::{Records, hour_of_week, max_busy_by_hour};

/// Options of a calibration that are not in the mapping.
#[derive(Debug, Clone)]
pub struct Options {
    /// Maximum response time of every call type, minutes (default 60).
    pub max_response_min: f64,
    /// Percentile of concurrent busy teams used for staffing, 0–1 (default 1: the most busy at once in that hour of week over the span, i.e. the teams seen on duty).
    pub staffing_quantile: f64,
    /// Gaps in a staffing level of at most this many hours are bridged, so
    /// that shifts are not single hours (default 2).
    pub bridge_hours: usize,
    /// Recency: scale every region's rate by the pooled request rate of the
    /// span's last this many weeks over the whole span's (0: no scaling,
    /// the default here; the command line's default is
    /// [`DEFAULT_LEVEL_WEEKS`]). The hour-of-week shape and the durations
    /// still come from the whole span.
    pub level_weeks: u32,
}

/// The command line's default `--level-weeks`: in the rolling back-test of
/// the Lane records, scaling to the last 4 weeks' level passed 14 of 18
/// calls rows, against 9 with the training mean (see the README).
pub const DEFAULT_LEVEL_WEEKS: u32 = 4;

impl Default for Options {
    fn default() -> Self {
        Options {
            max_response_min: 60.0,
            staffing_quantile: 1.0,
            bridge_hours: 2,
            level_weeks: 0,
        }
    }
}

/// What was fitted for one region.
#[derive(Debug, Clone)]
pub struct RegionFit {
    /// Region name.
    pub name: String,
    /// Requests in the span.
    pub requests: usize,
    /// Mean requests per hour over the week: the mean of `rate_by_hour`.
    pub calls_per_hour: f64,
    /// Shrunk rate by hour of week, requests per hour.
    pub rate_by_hour: [f64; 168],
    /// Requests by hour of week.
    pub count_by_hour: [u64; 168],
    /// Travel (dispatch → arrival) fit, or the pooled one when thin.
    pub travel: Fit,
    /// Whether `travel` is the pooled fit.
    pub travel_pooled: bool,
    /// On-scene fit of this region (reported; the scenario's on-scene time is by call type).
    pub on_scene: Option<Fit>,
    /// Intake fit of this region (reported; the scenario's intake is pooled).
    pub intake: Option<Fit>,
    /// Teams on duty by hour of week (the staffing estimate).
    pub teams_by_hour: [u32; 168],
}

impl RegionFit {
    /// The most teams on duty at once in any hour of the week.
    pub fn max_on_duty(&self) -> u32 {
        self.teams_by_hour.iter().copied().max().unwrap_or(0)
    }

    /// Teams on duty by day (Mon first) and hour, as 7 lines of 24 digits
    /// (counts above 9 as `+`).
    pub fn on_duty_grid(&self) -> Vec<String> {
        self.teams_by_hour
            .chunks(24)
            .enumerate()
            .map(|(d, c)| {
                let row: String = c
                    .iter()
                    .map(|&n| char::from_digit(n, 10).unwrap_or('+'))
                    .collect();
                format!("{} {row}", DAYS[d])
            })
            .collect()
    }
}

/// What was fitted for one call type.
#[derive(Debug, Clone)]
pub struct TypeFit {
    /// Call type.
    pub name: String,
    /// Requests.
    pub requests: usize,
    /// Share of requests.
    pub share: f64,
    /// On-scene fit, or the pooled one when thin.
    pub on_scene: Fit,
    /// Whether `on_scene` is the pooled fit.
    pub on_scene_pooled: bool,
    /// Share transported, of records with a disposition, and that count.
    pub transport: Option<(f64, usize)>,
    /// On-scene time by region: (region, records, the region's fit blended
    /// with this type's with weight n / (n + [`SHRINK_RECORDS`]), as a
    /// scenario duration), for regions with at least [`SHRINK_MIN`]
    /// records of the type.
    pub on_scene_by_region: Vec<(String, usize, String)>,
}

/// How many records a region's own on-scene fit counts for against its
/// call type's when the two are blended: with n records the region's fit
/// has weight n / (n + 30), so 30 records get half.
pub const SHRINK_RECORDS: f64 = 30.0;
/// Fewer of a type's records than this in a region: the type's fit alone.
pub const SHRINK_MIN: usize = 10;

/// A complete calibration.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// Per region.
    pub regions: Vec<RegionFit>,
    /// Per call type.
    pub types: Vec<TypeFit>,
    /// Intake (request → dispatch) of requests made while no team of the
    /// region was busy, so that no queueing is in it.
    pub intake: Fit,
    /// Observed hours of week with no request in any region.
    pub empty_hours: Vec<usize>,
    /// Hours of week the span never covers (spans shorter than a week).
    pub unobserved_hours: Vec<usize>,
    /// Observed hours per hour of week (export gaps left out).
    pub exposure: [f64; 168],
    /// Export gaps found in the span.
    pub gaps: Vec<Gap>,
    /// The recency factor every region's rate was multiplied by (1 without
    /// [`Options::level_weeks`]), and the requests and open hours of the
    /// recent weeks it came from.
    pub level: (f64, usize, f64),
    /// Level and hour-of-day pattern of the first third of the span
    /// against the last (`None`: too short).
    pub changes: Option<Changes>,
}

impl Calibration {
    /// Whether month factors may be written: no level shift was detected.
    pub fn seasonal_fit_allowed(&self) -> bool {
        self.changes.as_ref().is_none_or(|c| !c.level.shift)
    }

    /// Warnings for the person running `calibrate` (gaps, level shift,
    /// pattern change), one per line; empty when there are none.
    pub fn warnings(&self) -> Vec<String> {
        let mut w = Vec::new();
        if !self.gaps.is_empty() {
            w.push(format!(
                "export gaps left out of the rates: {}",
                crate::gaps::describe(&self.gaps)
            ));
        }
        if let Some(c) = &self.changes
            && (c.level.shift || c.pattern.changed)
        {
            w.push(format!(
                "the records changed over the span ({}); fit a recent window with --from/--to or --weeks",
                c.describe()
            ));
        }
        w
    }
}

fn fit_or_pooled(v: &[f64], res: f64, pooled: &Fit) -> (Fit, bool) {
    if v.len() >= MIN_FIT_N
        && let Some(f) = fit(v, res)
    {
        return (f, false);
    }
    (pooled.clone(), true)
}

/// Demand factors by calendar month (January first) of one region: its
/// requests per day in each month of the year over its mean requests per
/// day, when the span covers a year or more (`None` otherwise: a shorter
/// span cannot tell the season from a trend). Months never covered get 1.
/// Days in export `gaps` count in no month, and their requests in none.
pub fn month_factors(recs: &Records, region: &str, gaps: &[Gap]) -> Option<[f64; 12]> {
    if recs.span_days() < 365.0 {
        return None;
    }
    let first = (recs.span_start / 1440.0).floor() as i64;
    let month_of = |day: i64| -> Option<usize> {
        let date = recs
            .start_date
            .checked_add(jiff::Span::new().days(day - first))
            .ok()?;
        Some(date.month() as usize - 1)
    };
    let (mut calls, mut days) = ([0.0f64; 12], [0.0f64; 12]);
    for day in first..(recs.span_end / 1440.0).ceil() as i64 {
        if !in_gap(gaps, day as f64 * 1440.0 + 1.0) {
            days[month_of(day)?] += 1.0;
        }
    }
    for r in recs
        .records
        .iter()
        .filter(|r| r.region == region && !in_gap(gaps, r.request))
    {
        calls[month_of((r.request / 1440.0).floor() as i64)?] += 1.0;
    }
    let mean = calls.iter().sum::<f64>() / days.iter().sum::<f64>();
    if mean <= 0.0 {
        return None;
    }
    Some(std::array::from_fn(|m| {
        if days[m] > 0.0 {
            calls[m] / days[m] / mean
        } else {
            1.0
        }
    }))
}

/// Fits every parameter. Errors when a pooled interval has too few values.
pub fn calibrate(
    recs: &Records,
    map: &Mapping,
    opts: &Options,
) -> Result<Calibration, crate::CalibrationError> {
    let res = map.resolution_min;
    let iv: Vec<_> = recs.records.iter().map(|r| recs.intervals_of(r, None)).collect();
    let need = |name: &str, v: &[f64]| {
        fit(v, res)
            .ok_or_else(|| crate::CalibrationError::TooFew(format!("{name}: {} valid intervals", v.len())))
    };
    let all_travel: Vec<f64> = iv.iter().filter_map(|i| i.travel).collect();
    let all_scene: Vec<f64> = iv.iter().filter_map(|i| i.on_scene).collect();
    let pooled_travel = need("dispatch→arrival", &all_travel)?;
    let pooled_scene = need("arrival→departure", &all_scene)?;
    let gaps = crate::gaps::find(recs);
    let changes = crate::change::detect(recs, &gaps);
    let mut exposure = recs.exposure();
    for g in &gaps {
        let mut t = g.start_min.max(recs.span_start);
        while t < g.end_min.min(recs.span_end) {
            exposure[hour_of_week(t)] -= 1.0;
            t += 60.0;
        }
    }
    for e in &mut exposure {
        *e = e.max(0.0);
    }
    let names = recs.regions();
    let busy_by_region: BTreeMap<&str, Vec<(f64, f64)>> = names
        .iter()
        .map(|n| (n.as_str(), recs.busy_intervals(Some(n))))
        .collect();
    // Each region's records, by index.
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, r) in recs.records.iter().enumerate() {
        members.entry(r.region.as_str()).or_default().push(i);
    }
    // Intake of requests made while the region had no team busy.
    let mut idle = vec![false; recs.records.len()];
    for name in &names {
        let mine = &members[name.as_str()];
        let requests: Vec<f64> = mine.iter().map(|&i| recs.records[i].request).collect();
        let busy = crate::records::covered(&busy_by_region[name.as_str()], &requests);
        for (&i, busy) in mine.iter().zip(busy) {
            idle[i] = !busy;
        }
    }
    let idle_intake: Vec<f64> = iv
        .iter()
        .zip(&idle)
        .filter_map(|(i, &idle)| i.intake.filter(|_| idle))
        .collect();
    let all_intake: Vec<f64> = iv.iter().filter_map(|i| i.intake).collect();
    let intake = match fit(&idle_intake, res) {
        Some(f) if idle_intake.len() >= MIN_FIT_N => f,
        _ => need("request→dispatch", &all_intake)?,
    };
    let mut pooled_counts = [0u64; 168];
    for r in &recs.records {
        pooled_counts[hour_of_week(r.request)] += 1;
    }
    let total_hours: f64 = exposure.iter().sum();
    let pooled_rate: Vec<f64> = (0..168)
        .map(|h| {
            if exposure[h] > 0.0 {
                pooled_counts[h] as f64 / exposure[h]
            } else {
                0.0
            }
        })
        .collect();
    let observed_hours = (0..168).filter(|&h| exposure[h] > 0.0).count().max(1) as f64;
    let pooled_mean = pooled_rate.iter().sum::<f64>() / observed_hours;
    let unobserved: Vec<usize> = (0..168).filter(|&h| exposure[h] == 0.0).collect();
    let empty_hours: Vec<usize> = (0..168)
        .filter(|&h| pooled_counts[h] == 0 && exposure[h] > 0.0)
        .collect();
    // Recency: the pooled rate of the last `level_weeks` weeks over the span's.
    let level = {
        let from = recs.span_end - f64::from(opts.level_weeks) * 7.0 * 1440.0;
        if opts.level_weeks == 0 || from <= recs.span_start {
            (1.0, recs.records.len(), total_hours)
        } else {
            let mut hours = 0.0;
            let mut t = from;
            while t < recs.span_end {
                if !in_gap(&gaps, t) {
                    hours += ((recs.span_end - t) / 60.0).min(1.0);
                }
                t += 60.0;
            }
            let n = recs
                .records
                .iter()
                .filter(|r| r.request >= from && !in_gap(&gaps, r.request))
                .count();
            let overall = recs.records.len() as f64 / total_hours;
            if hours > 0.0 && n > 0 && overall > 0.0 {
                (n as f64 / hours / overall, n, hours)
            } else {
                (1.0, n, hours)
            }
        }
    };
    let k = map.profile_prior_hours;
    let mut regions = Vec::new();
    for name in &names {
        let mine = &members[name.as_str()];
        let mut count_by_hour = [0u64; 168];
        for &i in mine {
            count_by_hour[hour_of_week(recs.records[i].request)] += 1;
        }
        let lambda = mine.len() as f64 / total_hours;
        let mut rate_by_hour = [0.0; 168];
        for h in 0..168 {
            let prior = lambda * pooled_rate[h] / pooled_mean;
            rate_by_hour[h] = if pooled_counts[h] == 0 {
                0.0
            } else {
                (count_by_hour[h] as f64 + k * prior) / (exposure[h] + k)
            };
        }
        // Hours of week the span never covers take the mean of the same
        // hour of day on the days it does cover.
        let observed = rate_by_hour;
        for h in unobserved.iter().copied() {
            let same: Vec<f64> = (0..7)
                .map(|d| d * 24 + h % 24)
                .filter(|&g| exposure[g] > 0.0)
                .map(|g| observed[g])
                .collect();
            rate_by_hour[h] = same.iter().sum::<f64>() / same.len().max(1) as f64;
        }
        for x in &mut rate_by_hour {
            *x *= level.0;
        }
        let lambda = rate_by_hour.iter().sum::<f64>() / 168.0;
        let travel_v: Vec<f64> = mine.iter().filter_map(|&i| iv[i].travel).collect();
        let scene_v: Vec<f64> = mine.iter().filter_map(|&i| iv[i].on_scene).collect();
        let intake_v: Vec<f64> = mine.iter().filter_map(|&i| iv[i].intake).collect();
        let (travel, travel_pooled) = fit_or_pooled(&travel_v, res, &pooled_travel);
        let by_hour = max_busy_by_hour(&busy_by_region[name.as_str()], recs.span_start, recs.span_end);
        let mut samples: Vec<Vec<u32>> = vec![Vec::new(); 168];
        for (i, (h, c)) in by_hour.into_iter().enumerate() {
            if !in_gap(&gaps, recs.span_start + i as f64 * 60.0) {
                samples[h].push(c);
            }
        }
        let samples_empty: Vec<bool> = samples.iter().map(|s| s.is_empty()).collect();
        let mut teams_by_hour = [0u32; 168];
        for h in (0..168)
            .filter(|&h| !samples_empty[h])
            .chain(unobserved.iter().copied())
        {
            let s = &mut samples[h];
            s.sort_unstable();
            if s.is_empty() {
                // Never observed: the most teams needed at this hour of day on observed days.
                teams_by_hour[h] = (0..7)
                    .map(|d| d * 24 + h % 24)
                    .filter(|&g| !samples_empty[g])
                    .map(|g| teams_by_hour[g])
                    .max()
                    .unwrap_or(0);
            } else {
                let rank = ((opts.staffing_quantile * s.len() as f64).ceil() as usize).clamp(1, s.len());
                teams_by_hour[h] = s[rank - 1];
            }
            // The model has no mutual aid with `travel.time`: a region
            // with demand in an hour keeps at least one team on shift.
            if rate_by_hour[h] > 0.0 {
                teams_by_hour[h] = teams_by_hour[h].max(1);
            }
        }
        regions.push(RegionFit {
            name: name.clone(),
            requests: mine.len(),
            calls_per_hour: lambda,
            rate_by_hour,
            count_by_hour,
            travel,
            travel_pooled,
            on_scene: (scene_v.len() >= MIN_FIT_N).then(|| fit(&scene_v, res)).flatten(),
            intake: (intake_v.len() >= MIN_FIT_N)
                .then(|| fit(&intake_v, res))
                .flatten(),
            teams_by_hour,
        });
    }
    let mut type_names: Vec<String> = recs.records.iter().map(|r| r.call_type.clone()).collect();
    type_names.sort();
    type_names.dedup();
    let n_all = recs.records.len() as f64;
    let types = type_names
        .iter()
        .map(|t| {
            let mine: Vec<usize> = (0..recs.records.len())
                .filter(|&i| &recs.records[i].call_type == t)
                .collect();
            let scene_v: Vec<f64> = mine.iter().filter_map(|&i| iv[i].on_scene).collect();
            let (on_scene, on_scene_pooled) = fit_or_pooled(&scene_v, res, &pooled_scene);
            let disp: Vec<bool> = mine.iter().filter_map(|&i| recs.records[i].transport).collect();
            let transport = (!disp.is_empty()).then(|| {
                (
                    disp.iter().filter(|&&x| x).count() as f64 / disp.len() as f64,
                    disp.len(),
                )
            });
            let on_scene_by_region = names
                .iter()
                .filter_map(|region| {
                    let v: Vec<f64> = mine
                        .iter()
                        .filter(|&&i| &recs.records[i].region == region)
                        .filter_map(|&i| iv[i].on_scene)
                        .collect();
                    let own = (v.len() >= SHRINK_MIN).then(|| fit(&v, res)).flatten()?;
                    let w = v.len() as f64 / (v.len() as f64 + SHRINK_RECORDS);
                    Some((region.clone(), v.len(), blend(&own, &on_scene, w)))
                })
                .collect();
            TypeFit {
                name: t.clone(),
                requests: mine.len(),
                share: mine.len() as f64 / n_all,
                on_scene,
                on_scene_pooled,
                transport,
                on_scene_by_region,
            }
        })
        .collect();
    Ok(Calibration {
        regions,
        types,
        intake,
        empty_hours,
        unobserved_hours: unobserved,
        exposure,
        gaps,
        level,
        changes,
    })
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Writes 168 team counts as team groups: `(days, start hour, length hours, count)`.
/// Runs of hours needing at least 1, 2, … teams (around the week) become
/// shifts of at most 24 h; equal shifts are merged. Gaps of at most
/// `bridge_hours` hours between two runs of the same level are filled (so
/// the groups read as shifts rather than single hours); the result covers
/// the counts, with at most one extra team in bridged hours per level.
pub fn shifts(teams_by_hour: &[u32; 168], bridge_hours: usize) -> Vec<(Vec<usize>, usize, usize, u32)> {
    let top = teams_by_hour.iter().copied().max().unwrap_or(0);
    let mut merged: BTreeMap<(Vec<usize>, usize, usize), u32> = BTreeMap::new();
    let mut always = 0;
    for level in 1..=top {
        let mut on: Vec<bool> = teams_by_hour.iter().map(|&c| c >= level).collect();
        bridge(&mut on, bridge_hours);
        if on.iter().all(|&x| x) {
            always += 1;
            continue;
        }
        // Start at an hour that is off, so that runs do not wrap.
        let off = on.iter().position(|&x| !x).expect("some hour is off");
        let mut chunks: BTreeMap<(usize, usize), Vec<usize>> = BTreeMap::new();
        let mut i = 0;
        while i < 168 {
            let h = (off + i) % 168;
            if !on[h] {
                i += 1;
                continue;
            }
            let mut len = 0;
            while i + len < 168 && on[(off + i + len) % 168] {
                len += 1;
            }
            let mut s = 0;
            while s < len {
                let start = (h + s) % 168;
                let l = (len - s).min(24);
                chunks.entry((start % 24, l)).or_default().push(start / 24);
                s += l;
            }
            i += len;
        }
        for ((start, len), mut days) in chunks {
            days.sort_unstable();
            *merged.entry((days, start, len)).or_default() += 1;
        }
    }
    let mut out: Vec<(Vec<usize>, usize, usize, u32)> =
        merged.into_iter().map(|((d, s, l), c)| (d, s, l, c)).collect();
    if always > 0 {
        out.insert(0, ((0..7).collect(), 0, 168, always));
    }
    out
}

/// Fills cyclic gaps of at most `hours` between on-hours.
fn bridge(on: &mut [bool], hours: usize) {
    let n = on.len();
    if hours == 0 || on.iter().all(|&x| !x) {
        return;
    }
    let mut fill = Vec::new();
    for h in 0..n {
        // h starts a gap: off, with the hour before on.
        if on[h] || !on[(h + n - 1) % n] {
            continue;
        }
        let len = (0..n).take_while(|&k| !on[(h + k) % n]).count();
        if len <= hours {
            fill.extend((0..len).map(|k| (h + k) % n));
        }
    }
    for h in fill {
        on[h] = true;
    }
}

impl Calibration {
    /// The scenario TOML text, with comments giving each number's source.
    pub fn scenario_toml(&self, recs: &Records, map: &Mapping, opts: &Options) -> String {
        let mut s = String::new();
        let days = recs.span_days();
        let w = |s: &mut String, t: String| {
            s.push_str(&t);
            s.push('\n');
        };
        w(
            &mut s,
            format!(
                "# Calibrated by `cessa-sim calibrate` from {} ({} usable records of {} rows read).",
                map.source,
                recs.records.len(),
                recs.cleaning.rows_read
            ),
        );
        w(
            &mut s,
            format!(
                "# Span: {} days from {} (request times, local clock; DST ignored).",
                days, recs.start_date
            ),
        );
        w(
            &mut s,
            "# Every number below says where it came from and how many records support it.".into(),
        );
        w(
            &mut s,
            format!(
                "# Export gaps (left out of the rates): {}",
                crate::gaps::describe(&self.gaps)
            ),
        );
        if let Some(c) = &self.changes {
            w(&mut s, format!("# Change over the span: {}", c.describe()));
        }
        w(
            &mut s,
            format!("name = {:?}", format!("Calibrated: {}", map.source)),
        );
        w(
            &mut s,
            format!(
                "description = {:?}\n",
                "Fitted from call records; the teams are an estimate (see the comments)."
            ),
        );
        w(&mut s, "[run]".into());
        w(
            &mut s,
            format!(
                "start_date = \"{}\"  # first day of the records' span",
                recs.start_date
            ),
        );
        w(&mut s, format!("horizon_days = {days}  # the records' span"));
        w(&mut s, "warmup_days = 0".into());
        w(&mut s, "replications = 50".into());
        w(&mut s, "seed = 1\n".into());
        w(&mut s, "[dispatch]".into());
        w(
            &mut s,
            "policy = \"escalate\"  # calls wait for a team (the records show no diversion)\n".into(),
        );
        w(&mut s, "[channels.records]".into());
        w(
            &mut s,
            "share = 1.0  # one channel: the records do not say how calls came in".into(),
        );
        w(
            &mut s,
            format!(
                "# intake = request -> dispatch of the {} requests made while no team of their region was busy (no queueing in them)",
                self.intake.n
            ),
        );
        w(&mut s, format!("# {}", self.intake.summary()));
        w(&mut s, format!("intake = {}\n", self.intake.toml()));
        for t in &self.types {
            w(
                &mut s,
                format!("[call_types.{}]", sim::scenario::toml_key(&t.name)),
            );
            w(
                &mut s,
                format!(
                    "share = {:.12}  # {} of {} requests",
                    t.share,
                    t.requests,
                    recs.records.len()
                ),
            );
            w(&mut s, "priority = 1".into());
            w(
                &mut s,
                format!(
                    "max_response_min = {}  # a calibrate option (--max-response-min), not from the records",
                    opts.max_response_min
                ),
            );
            w(
                &mut s,
                "triage = { mobile = 1.0 }  # every record is a mobile dispatch".into(),
            );
            let src = if t.on_scene_pooled {
                " (too few of this type: the pooled fit)"
            } else {
                ""
            };
            w(
                &mut s,
                format!("# on_scene = arrival -> departure{src}: {}", t.on_scene.summary()),
            );
            w(&mut s, format!("on_scene = {}", t.on_scene.toml()));
            if !t.on_scene_by_region.is_empty() {
                w(
                    &mut s,
                    format!(
                        "# on-scene by region: each region's fit blended with the one above, in its family (weight n / (n + {SHRINK_RECORDS})); n = {}",
                        t.on_scene_by_region
                            .iter()
                            .map(|(r, n, _)| format!("{r} {n}"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ),
                );
                let cells: Vec<String> = t
                    .on_scene_by_region
                    .iter()
                    .map(|(r, _, d)| format!("{} = {d}", sim::scenario::toml_key(r)))
                    .collect();
                w(&mut s, format!("on_scene_by_region = {{ {} }}", cells.join(", ")));
            }
            match t.transport {
                Some((share, n)) => w(
                    &mut s,
                    format!(
                        "# transport share {:.3} of {n} records with a disposition; not simulated: the records end at departure, so transport time is unknown\n",
                        share
                    ),
                ),
                None => w(
                    &mut s,
                    "# no disposition column: transport share unknown\n".into(),
                ),
            }
        }
        for r in &self.regions {
            w(&mut s, format!("[regions.{}]", sim::scenario::toml_key(&r.name)));
            let pop = map.population.get(&r.name).copied();
            match pop {
                Some(p) => w(&mut s, format!("population = {p}  # from the map")),
                None => w(
                    &mut s,
                    "population = 100000  # not in the records (only per-100k figures use it)".into(),
                ),
            }
            w(
                &mut s,
                format!(
                    "calls_per_hour = {:.6}  # mean of the profile below; {} requests in {:.0} hours{}",
                    r.calls_per_hour,
                    r.requests,
                    self.exposure.iter().sum::<f64>(),
                    if self.level.0 == 1.0 {
                        String::new()
                    } else {
                        format!(
                            ", times the recency factor {:.3} ({} requests in the last {:.0} open hours, all regions, over the span's rate)",
                            self.level.0, self.level.1, self.level.2
                        )
                    }
                ),
            );
            let thin = (0..168)
                .filter(|&h| r.count_by_hour[h] < 5 && r.rate_by_hour[h] > 0.0)
                .count();
            w(
                &mut s,
                format!(
                    "# profile: requests per hour of week (Monday 00:00 first), shrunk toward the pooled profile with k = {} h; {thin} of 168 bins had < 5 requests of this region",
                    map.profile_prior_hours
                ),
            );
            if !self.empty_hours.is_empty() {
                w(
                    &mut s,
                    format!(
                        "# {} hours of week had no request in any region and get 0 (no service or no demand: the records cannot tell): {}",
                        self.empty_hours.len(),
                        hour_list(&self.empty_hours)
                    ),
                );
            }
            if !self.unobserved_hours.is_empty() {
                w(
                    &mut s,
                    format!(
                        "# {} hours of week are not in the span; they take the mean of the same hour of day on the days that are: {}",
                        self.unobserved_hours.len(),
                        hour_list(&self.unobserved_hours)
                    ),
                );
            }
            let prof: Vec<String> = r.rate_by_hour.iter().map(|x| format!("{x:.4}")).collect();
            w(&mut s, "profile = [".into());
            for (d, chunk) in prof.chunks(24).enumerate() {
                w(&mut s, format!("  {},  # {}", chunk.join(", "), DAYS[d]));
            }
            w(&mut s, "]".into());
            let factors = if self.seasonal_fit_allowed() {
                month_factors(recs, &r.name, &self.gaps)
            } else {
                w(
                    &mut s,
                    "# no month factors: the request rate shifted between the first and last third of the span (see the fit report), and a trend is not a season".into(),
                );
                None
            };
            match factors {
                Some(f) => {
                    w(
                        &mut s,
                        format!(
                            "# month factors: requests per day in each calendar month over the span's mean ({:.0} days)",
                            recs.span_days()
                        ),
                    );
                    let f: Vec<String> = f.iter().map(|x| format!("{x:.3}")).collect();
                    w(
                        &mut s,
                        format!("month_factors = [{}]  # January first", f.join(", ")),
                    );
                }
                None if self.seasonal_fit_allowed() => w(
                    &mut s,
                    format!(
                        "# no month factors: the span is {:.0} days, and a year or more is needed to tell the season from a trend",
                        recs.span_days()
                    ),
                ),
                None => {}
            }
            let src = if r.travel_pooled {
                " (too few here: the pooled fit)"
            } else {
                ""
            };
            w(
                &mut s,
                format!("# travel = dispatch -> arrival{src}: {}", r.travel.summary()),
            );
            w(&mut s, format!("travel = {{ time = {} }}", r.travel.toml()));
            if let Some(f) = &r.on_scene {
                w(
                    &mut s,
                    format!(
                        "# this region's on-scene time (the scenario uses the call type's): {}",
                        f.summary()
                    ),
                );
            }
            w(
                &mut s,
                format!(
                    "# teams: AN ESTIMATE, not in the records. Teams on duty per hour of week: the {:.0}th percentile (100 = the largest) over the span's weeks of the most teams busy at once (overlapping dispatch -> departure) in this region, and at least 1 in hours with demand (the records' teams served every region; the model has no mutual aid with travel.time); gaps of up to {} h in a level are bridged.",
                    opts.staffing_quantile * 100.0,
                    opts.bridge_hours
                ),
            );
            w(
                &mut s,
                format!(
                    "# teams on duty by hour of week (Mon-Sun rows, hours 00-23), at most {} at once:",
                    r.max_on_duty()
                ),
            );
            for line in r.on_duty_grid() {
                w(&mut s, format!("#   {line}"));
            }
            let groups = shifts(&r.teams_by_hour, opts.bridge_hours);
            w(
                &mut s,
                format!(
                    "# the {} groups below are shifts of one team each (at most {} on duty at once, plus bridged hours), not {} crews",
                    groups.len(),
                    r.max_on_duty(),
                    groups.len()
                ),
            );
            if groups.is_empty() {
                w(
                    &mut s,
                    "# no busy intervals: no teams (calls rely on mutual aid)\n".into(),
                );
                continue;
            }
            for (i, (d, start, len, count)) in groups.iter().enumerate() {
                let shift = if *len >= 168 {
                    "\"24/7\"".to_string()
                } else {
                    let dl: Vec<String> = d.iter().map(|x| format!("{:?}", DAYS[*x])).collect();
                    format!(
                        "{{ days = [{}], start = \"{:02}:00\", end = \"{:02}:00\" }}",
                        dl.join(", "),
                        start,
                        (start + len) % 24
                    )
                };
                w(
                    &mut s,
                    format!("teams.est_{} = {{ count = {count}, shift = {shift} }}", i + 1),
                );
            }
            s.push('\n');
        }
        s
    }

    /// The fit report (plain text): cleaning counts, then every fit.
    pub fn report(&self, recs: &Records, map: &Mapping) -> String {
        let mut s = String::new();
        let c = &recs.cleaning;
        let _ = writeln!(s, "Fit report: {}\n", map.source);
        let _ = writeln!(
            s,
            "Rows read: {}; usable records: {}; span {} days from {}.",
            c.rows_read,
            recs.records.len(),
            recs.span_days(),
            recs.start_date
        );
        let _ = writeln!(
            s,
            "Thresholds: intervals kept from 0 to {} min; time formats {:?}; time zone {}.",
            map.max_interval_min,
            map.time_formats,
            map.time_zone.as_deref().unwrap_or("(not given)")
        );
        for (title, m) in [
            ("Rows dropped", &c.rows_dropped),
            (
                "Times unusable (row kept, intervals needing them missing)",
                &c.times_unusable,
            ),
            ("Intervals excluded (row kept)", &c.intervals_excluded),
        ] {
            let _ = writeln!(s, "\n{title}:");
            if m.is_empty() {
                let _ = writeln!(s, "  none");
            }
            for (reason, r) in m {
                let _ = writeln!(
                    s,
                    "  {reason}: {} (lines {:?}{})",
                    r.count,
                    r.lines,
                    if r.count as usize > r.lines.len() {
                        ", …"
                    } else {
                        ""
                    }
                );
            }
        }
        let _ = writeln!(
            s,
            "\nExport gaps (runs of days with no request, P(0 | rate of the 14 days either side) < {}; left out of rates, month factors and staffing): {}",
            crate::gaps::GAP_P,
            crate::gaps::describe(&self.gaps)
        );
        match &self.changes {
            Some(c) => {
                let _ = writeln!(s, "Change over the span: {}", c.describe());
            }
            None => {
                let _ = writeln!(s, "Change over the span: not tested (too few days).");
            }
        }
        let _ = writeln!(
            s,
            "Recency factor on every region's rate: {:.3} ({} requests in the last {:.0} open hours, over the span's rate)",
            self.level.0, self.level.1, self.level.2
        );
        let _ = writeln!(
            s,
            "\nObserved hours of week with no request in any region ({}): {}",
            self.empty_hours.len(),
            hour_list(&self.empty_hours)
        );
        let _ = writeln!(
            s,
            "Hours of week not in the span ({}): {}",
            self.unobserved_hours.len(),
            hour_list(&self.unobserved_hours)
        );
        let _ = writeln!(
            s,
            "\nIntake (request -> dispatch, no team of the region busy): {}",
            self.intake.summary()
        );
        for r in &self.regions {
            let _ = writeln!(
                s,
                "\nRegion {}: {} requests, {:.4} per hour",
                r.name, r.requests, r.calls_per_hour
            );
            let _ = writeln!(
                s,
                "  travel: {}{}",
                r.travel.summary(),
                if r.travel_pooled { " (pooled)" } else { "" }
            );
            if let Some(f) = &r.on_scene {
                let _ = writeln!(s, "  on scene: {}", f.summary());
            }
            if let Some(f) = &r.intake {
                let _ = writeln!(s, "  request -> dispatch (all): {}", f.summary());
            }
            let zero: Vec<usize> = (0..168).filter(|&h| r.count_by_hour[h] == 0).collect();
            let _ = writeln!(s, "  hours of week with no request here: {}", zero.len());
            let _ = writeln!(
                s,
                "  teams on duty by hour of week (an estimate; rows Mon-Sun, hours 00-23; most at once: {}):",
                r.max_on_duty()
            );
            for line in r.on_duty_grid() {
                let _ = writeln!(s, "    {line}");
            }
        }
        for t in &self.types {
            let _ = writeln!(
                s,
                "\nCall type {}: {} requests, share {:.3}",
                t.name, t.requests, t.share
            );
            let _ = writeln!(
                s,
                "  on scene: {}{}",
                t.on_scene.summary(),
                if t.on_scene_pooled { " (pooled)" } else { "" }
            );
            if let Some((share, n)) = t.transport {
                let _ = writeln!(s, "  transported: {share:.3} of {n}");
            }
        }
        let _ = writeln!(
            s,
            "\nQQ plots: not drawn (the KS distances above are the goodness-of-fit statistic)."
        );
        s
    }
}

/// Hours of week as `Sat 06-07, …` text.
pub fn hour_list(hours: &[usize]) -> String {
    if hours.is_empty() {
        return "none".into();
    }
    hours
        .iter()
        .map(|h| format!("{} {:02}h", DAYS[h / 24], h % 24))
        .collect::<Vec<_>>()
        .join(", ")
}

//! What a run reports: per-replication observations laid out in one flat
//! vector, their across-replication aggregation (in replication order, so
//! the bytes never depend on scheduling), and the serialisable results.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::calendar::{HOURS_PER_WEEK, MONTH_MIN};
pub use crate::figures::{GroupFigure, HourFigure, RegionFigure, TeamFigure};
use crate::figures::{GroupSums, HourSums, RegionSums, TeamSums};
use crate::model::Model;
use crate::stats::{Estimate, Welford};
use crate::tally::{
    BINS, DESK_BINS, Extra, HourCount, MAX_BUSY_LEVEL, MonthZone, OUTCOMES, TRAVEL_BINS, Tally, hist_quantile,
};

/// Names of the figures reported for every group, in order
/// ([`GroupFigure`] defines them).
pub const GROUP_KPIS: &[&str] = GroupFigure::NAMES;

/// Names of the figures reported per region about its teams ([`RegionFigure`]).
pub const REGION_KPIS: &[&str] = RegionFigure::NAMES;

/// Names of the figures reported per team group ([`TeamFigure`]).
pub const TEAM_KPIS: &[&str] = TeamFigure::NAMES;

/// Names of the figures reported per (region, hour of week) ([`HourFigure`]).
pub const HOUR_KPIS: &[&str] = HourFigure::NAMES;

/// A selection of (region, call type, channel) cells; `None` means all.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupKey {
    /// Region index, or all regions.
    pub region: Option<usize>,
    /// Call type index, or all types.
    pub call_type: Option<usize>,
    /// Channel index, or all channels.
    pub channel: Option<usize>,
}

/// Where each section lives in an observation vector.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    groups: Vec<GroupKey>,
    region_at: usize,
    hour_at: usize,
    month_zone_at: usize,
    team_at: usize,
    len: usize,
}

impl Layout {
    pub(crate) fn new(m: &Model) -> Self {
        let s = m.shape;
        let mut groups = vec![GroupKey {
            region: None,
            call_type: None,
            channel: None,
        }];
        for t in 0..s.types {
            groups.push(GroupKey {
                region: None,
                call_type: Some(t),
                channel: None,
            });
        }
        for c in 0..s.channels {
            groups.push(GroupKey {
                region: None,
                call_type: None,
                channel: Some(c),
            });
        }
        for r in 0..s.regions {
            groups.push(GroupKey {
                region: Some(r),
                call_type: None,
                channel: None,
            });
            for t in 0..s.types {
                groups.push(GroupKey {
                    region: Some(r),
                    call_type: Some(t),
                    channel: None,
                });
            }
            for c in 0..s.channels {
                groups.push(GroupKey {
                    region: Some(r),
                    call_type: None,
                    channel: Some(c),
                });
            }
        }
        let region_at = groups.len() * GROUP_KPIS.len();
        let hour_at = region_at + s.regions * REGION_KPIS.len();
        let month_zone_at = hour_at + s.regions * HOURS_PER_WEEK * HOUR_KPIS.len();
        let team_at = month_zone_at + s.months * s.zones * MonthZone::N;
        let len = team_at + s.groups * TEAM_KPIS.len();
        Layout {
            groups,
            region_at,
            hour_at,
            month_zone_at,
            team_at,
            len,
        }
    }
}

impl Layout {
    /// Where a group's figures start, if the group is reported.
    pub(crate) fn group_index(&self, key: GroupKey) -> Option<usize> {
        self.groups.iter().position(|g| *g == key)
    }
}

/// One replication reduced to what the aggregation needs.
#[derive(Debug, Clone)]
pub struct Observation {
    values: Vec<f64>,
    /// Response-time histogram per group, `[group][BINS + 1]`.
    hists: Vec<u32>,
    /// Outcome totals, for conservation checks.
    pub outcome_totals: [u64; OUTCOMES],
    /// Contacts counted at arrival, for conservation checks.
    pub contacts_generated: u64,
    /// Calls still waiting at the end of the run.
    pub unresolved: u64,
    /// Measured jobs by team group and zone, `[group][zone]`.
    team_zone_jobs: Vec<u32>,
}

impl Observation {
    /// This replication's value of a group figure (NaN where undefined,
    /// e.g. a share of no calls).
    pub(crate) fn group_value(&self, group: usize, figure: GroupFigure) -> f64 {
        self.values[group * GROUP_KPIS.len() + figure as usize]
    }
}

/// Reduces a replication's tally to an observation.
pub(crate) fn observe(m: &Model, layout: &Layout, tally: &Tally) -> Observation {
    let s = m.shape;
    let sc = &m.scenario;
    let months = (sc.run().horizon_min - sc.run().warmup_min) / MONTH_MIN;
    let mut values = vec![f64::NAN; layout.len];
    let mut hists = vec![0u32; layout.groups.len() * (BINS + 1)];
    let mut wait_buf = vec![0u32; BINS + 1];
    // First contact → dispatch, travel, on scene: three histograms of the group.
    let mut phase_buf = vec![0u32; 3 * (BINS + 1)];
    let desk = !tally.answer_hist.is_empty();
    let mut answer_buf = vec![0u32; if desk { DESK_BINS + 1 } else { 0 }];
    // Each cell's histograms up to their last count, found once: a cell is
    // added into several groups, and most of a 24-hour histogram is empty
    // (issue 18: the additions were a few percent of the default's run).
    fn cell_hists(all: &[u32], width: usize) -> Vec<&[u32]> {
        // By blocks of 64 bins, which the compiler checks 8 at a time.
        const BLOCK: usize = 64;
        all.chunks_exact(width)
            .map(|h| {
                let used = h
                    .chunks(BLOCK)
                    .rposition(|b| b.iter().fold(0, |a, &v| a | v) != 0)
                    .map_or(0, |i| ((i + 1) * BLOCK).min(h.len()));
                &h[..used]
            })
            .collect()
    }
    let response = cell_hists(&tally.response_hist, BINS + 1);
    let wait = cell_hists(&tally.wait_hist, BINS + 1);
    let phases = [
        cell_hists(&tally.dispatch_delay_hist, BINS + 1),
        cell_hists(&tally.travel_hist, BINS + 1),
        cell_hists(&tally.on_scene_hist, BINS + 1),
    ];
    let answers = cell_hists(&tally.answer_hist, DESK_BINS + 1);
    for (g, key) in layout.groups.iter().enumerate() {
        let mut o = [0u64; OUTCOMES];
        let mut x = [0u64; Extra::N];
        let mut resp_sum = 0.0;
        let mut wait_sum = 0.0;
        let (mut answer_sum, mut mobile_desk_sum) = (0.0, 0.0);
        answer_buf.fill(0);
        let hist = &mut hists[g * (BINS + 1)..(g + 1) * (BINS + 1)];
        let wait_hist = &mut wait_buf[..];
        wait_hist.fill(0);
        phase_buf.fill(0);
        for r in key.region.map_or(0..s.regions, |r| r..r + 1) {
            for t in key.call_type.map_or(0..s.types, |t| t..t + 1) {
                for c in key.channel.map_or(0..s.channels, |c| c..c + 1) {
                    let cell = s.cell(r, t, c);
                    for (acc, v) in o
                        .iter_mut()
                        .zip(&tally.outcomes[cell * OUTCOMES..(cell + 1) * OUTCOMES])
                    {
                        *acc += u64::from(*v);
                    }
                    for (acc, v) in x
                        .iter_mut()
                        .zip(&tally.extras[cell * Extra::N..(cell + 1) * Extra::N])
                    {
                        *acc += u64::from(*v);
                    }
                    resp_sum += tally.response_sum_min[cell];
                    wait_sum += tally.wait_sum_min[cell];
                    for (h, v) in hist.iter_mut().zip(response[cell]) {
                        *h += v;
                    }
                    for (h, v) in wait_hist.iter_mut().zip(wait[cell]) {
                        *h += v;
                    }
                    for (k, phase) in phases.iter().enumerate() {
                        for (h, v) in phase_buf[k * (BINS + 1)..(k + 1) * (BINS + 1)]
                            .iter_mut()
                            .zip(phase[cell])
                        {
                            *h += v;
                        }
                    }
                    if desk {
                        answer_sum += tally.answer_wait_sum_min[cell];
                        mobile_desk_sum += tally.mobile_desk_wait_sum_min[cell];
                        for (h, v) in answer_buf.iter_mut().zip(answers[cell]) {
                            *h += v;
                        }
                    }
                }
            }
        }
        let sums = GroupSums {
            outcomes: &o,
            extras: &x,
            response_sum_min: resp_sum,
            wait_sum_min: wait_sum,
            response_hist: hist,
            wait_hist,
            dispatch_delay_hist: &phase_buf[..BINS + 1],
            travel_hist: &phase_buf[BINS + 1..2 * (BINS + 1)],
            on_scene_hist: &phase_buf[2 * (BINS + 1)..],
            answer_wait_sum_min: answer_sum,
            mobile_desk_wait_sum_min: mobile_desk_sum,
            answer_hist: &answer_buf,
            months,
        };
        for (v, f) in values[g * GROUP_KPIS.len()..(g + 1) * GROUP_KPIS.len()]
            .iter_mut()
            .zip(GroupFigure::ALL)
        {
            *v = f.value(&sums);
        }
    }
    for r in 0..s.regions {
        let on_shift: f64 = m.on_shift_by_hour_min[r * HOURS_PER_WEEK..(r + 1) * HOURS_PER_WEEK]
            .iter()
            .sum();
        let span = sc.run().horizon_min - sc.run().warmup_min;
        let levels = &tally.busy_level_min[r * (MAX_BUSY_LEVEL + 1)..(r + 1) * (MAX_BUSY_LEVEL + 1)];
        let sums = RegionSums {
            busy_min: tally.busy_min[r],
            on_shift_min: on_shift,
            overtime_min: tally.overtime_min[r],
            queue_integral: tally.queue_integral[r],
            busy_levels: levels,
            span_min: span,
            months,
            follow_ups: [
                tally.follow_ups_done[r] as f64,
                tally.follow_ups_late[r] as f64,
                tally.follow_ups_dropped[r] as f64,
            ],
        };
        let kpis: Vec<f64> = RegionFigure::ALL.iter().map(|f| f.value(&sums)).collect();
        let at = layout.region_at + r * REGION_KPIS.len();
        values[at..at + REGION_KPIS.len()].copy_from_slice(&kpis);
        let centre = sc.regions()[r].centre;
        for h in 0..HOURS_PER_WEEK {
            let c = |which: HourCount| {
                f64::from(tally.by_hour[(r * HOURS_PER_WEEK + h) * HourCount::N + which.i()])
            };
            let i = r * HOURS_PER_WEEK + h;
            let sums = HourSums {
                mobile: c(HourCount::MOBILE),
                diverted: c(HourCount::DIVERTED),
                late: c(HourCount::LATE),
                occurrences: m.hour_occurrences[h],
                busy_min: tally.busy_by_hour_min[i],
                on_shift_min: m.on_shift_by_hour_min[i],
                desk_busy_min: centre.map_or(0.0, |c| tally.desk_busy_by_hour_min[c * HOURS_PER_WEEK + h]),
                desk_on_shift_min: centre
                    .map_or(0.0, |c| m.desk_on_shift_by_hour_min[c * HOURS_PER_WEEK + h]),
            };
            let kpis: Vec<f64> = HourFigure::ALL.iter().map(|f| f.value(&sums)).collect();
            let at = layout.hour_at + i * HOUR_KPIS.len();
            values[at..at + HOUR_KPIS.len()].copy_from_slice(&kpis);
        }
    }
    for (v, c) in values[layout.month_zone_at..layout.team_at]
        .iter_mut()
        .zip(&tally.month_zone)
    {
        *v = f64::from(*c);
    }
    for (g, group) in sc.team_groups().iter().enumerate() {
        let sums = TeamSums {
            jobs: f64::from(tally.team_jobs[g]),
            region_jobs: tally.jobs[group.region] as f64,
            busy_min: tally.team_busy_min[g],
            on_shift_min: m.team_on_shift_min[g],
            overtime_min: tally.team_overtime_min[g],
            travel_sum_min: tally.team_travel_sum_min[g],
            travel_hist: &tally.team_travel_hist[g * (TRAVEL_BINS + 1)..(g + 1) * (TRAVEL_BINS + 1)],
            follow_ups: f64::from(tally.team_follow_ups[g]),
            months,
        };
        let at = layout.team_at + g * TEAM_KPIS.len();
        for (v, f) in values[at..at + TEAM_KPIS.len()].iter_mut().zip(TeamFigure::ALL) {
            *v = f.value(&sums);
        }
    }
    Observation {
        values,
        hists,
        outcome_totals: tally.outcome_totals(),
        contacts_generated: tally.contacts_generated(),
        unresolved: tally.unresolved,
        team_zone_jobs: tally.team_zone_jobs.clone(),
    }
}

/// Aggregates observations, which must be added in replication order.
#[derive(Debug, Clone)]
pub struct Aggregator {
    layout: Layout,
    acc: Vec<Welford>,
    hists: Vec<u64>,
    replications: u32,
    outcome_totals: [u64; OUTCOMES],
    contacts_generated: u64,
    unresolved: u64,
    /// Measured jobs by team group and zone over all replications.
    team_zone_jobs: Vec<u64>,
}

impl Aggregator {
    /// An empty aggregator for a model.
    pub fn new(m: &Model) -> Self {
        let layout = Layout::new(m);
        Aggregator {
            acc: vec![Welford::default(); layout.len],
            hists: vec![0; layout.groups.len() * (BINS + 1)],
            layout,
            replications: 0,
            outcome_totals: [0; OUTCOMES],
            contacts_generated: 0,
            unresolved: 0,
            team_zone_jobs: vec![0; m.shape.groups * m.shape.zones],
        }
    }

    pub(crate) fn layout(&self) -> &Layout {
        &self.layout
    }

    /// Adds the next replication's observation.
    pub fn add(&mut self, obs: &Observation) {
        for (a, v) in self.acc.iter_mut().zip(&obs.values) {
            a.push(*v);
        }
        for (a, v) in self.hists.iter_mut().zip(&obs.hists) {
            *a += u64::from(*v);
        }
        for (a, v) in self.outcome_totals.iter_mut().zip(&obs.outcome_totals) {
            *a += v;
        }
        self.contacts_generated += obs.contacts_generated;
        self.unresolved += obs.unresolved;
        for (a, v) in self.team_zone_jobs.iter_mut().zip(&obs.team_zone_jobs) {
            *a += u64::from(*v);
        }
        self.replications += 1;
    }

    /// The results.
    pub fn finish(&self, m: &Model) -> RunResults {
        let sc = &m.scenario;
        let est = |i: usize| self.acc[i].estimate(0.95);
        let kpi_map = |names: &[&'static str], at: usize| -> BTreeMap<String, Estimate> {
            names
                .iter()
                .enumerate()
                .map(|(k, n)| (n.to_string(), est(at + k)))
                .collect()
        };
        let groups = self
            .layout
            .groups
            .iter()
            .enumerate()
            .map(|(g, key)| {
                let hist = &self.hists[g * (BINS + 1)..(g + 1) * (BINS + 1)];
                let max_response_min = match (key.region, key.call_type) {
                    (Some(r), Some(t)) => sc.call_types()[t].max_response[r].limit(),
                    _ => None,
                };
                // The region's zones with a maximum of their own
                // (`max_response_by_zone`): the in-time figures use theirs.
                let zone_max_response_min = match (key.region, key.call_type) {
                    (Some(r), Some(t)) => sc.regions()[r]
                        .zones
                        .iter()
                        .filter_map(|&z| {
                            let own = (*sc.call_types()[t].max_response_by_zone.get(z)?)?;
                            Some((sc.zones()[z].name.clone(), own.limit()))
                        })
                        .collect(),
                    _ => BTreeMap::new(),
                };
                GroupResult {
                    region: key.region.map(|r| sc.regions()[r].name.clone()),
                    call_type: key.call_type.map(|t| sc.call_types()[t].name.clone()),
                    channel: key.channel.map(|c| sc.channels()[c].name.clone()),
                    max_response_min,
                    zone_max_response_min,
                    kpis: kpi_map(GROUP_KPIS, g * GROUP_KPIS.len()),
                    pooled_p50_min: hist_quantile(hist, 0.5),
                    pooled_p90_min: hist_quantile(hist, 0.9),
                    pooled_p95_min: hist_quantile(hist, 0.95),
                    response_hist: trim(hist),
                }
            })
            .collect();
        let regions = sc
            .regions()
            .iter()
            .enumerate()
            .map(|(r, region)| {
                let team_hours_per_week = sc
                    .team_groups()
                    .iter()
                    .filter(|g| g.region == r)
                    .map(|g| f64::from(g.count) * g.schedule.minutes_per_week() / 60.0)
                    .sum();
                RegionResult {
                    name: region.name.clone(),
                    population: region.population,
                    teams: sc
                        .team_groups()
                        .iter()
                        .filter(|g| g.region == r)
                        .map(|g| g.count)
                        .sum(),
                    team_hours_per_week,
                    kpis: kpi_map(REGION_KPIS, self.layout.region_at + r * REGION_KPIS.len()),
                }
            })
            .collect();
        let mut hour_of_week = Vec::new();
        for (r, region) in sc.regions().iter().enumerate() {
            for h in 0..HOURS_PER_WEEK {
                let at = self.layout.hour_at + (r * HOURS_PER_WEEK + h) * HOUR_KPIS.len();
                hour_of_week.push(HourRow {
                    region: region.name.clone(),
                    hour_of_week: h,
                    kpis: kpi_map(HOUR_KPIS, at),
                });
            }
        }
        let mut month_zone = Vec::new();
        for (mi, month) in m.calendar.months().iter().enumerate() {
            if month.end_min <= sc.run().warmup_min {
                continue;
            }
            for (z, zone) in sc.zones().iter().enumerate() {
                let at = self.layout.month_zone_at + (mi * m.shape.zones + z) * MonthZone::N;
                month_zone.push(MonthZoneRow {
                    month: month.label.clone(),
                    region: sc.regions()[zone.region].name.clone(),
                    zone: zone.name.clone(),
                    counts: kpi_map(&MonthZone::NAMES, at),
                });
            }
        }
        let zones = m.shape.zones;
        let teams = sc
            .team_groups()
            .iter()
            .enumerate()
            .map(|(g, group)| TeamResult {
                region: sc.regions()[group.region].name.clone(),
                group: group.name.clone(),
                base: sc.zones()[group.base].name.clone(),
                teams: group.count,
                team_hours_per_week: f64::from(group.count) * group.schedule.minutes_per_week() / 60.0,
                kpis: kpi_map(TEAM_KPIS, self.layout.team_at + g * TEAM_KPIS.len()),
                dispatches_by_zone: self.team_zone_jobs[g * zones..(g + 1) * zones]
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| **n > 0)
                    .map(|(z, n)| {
                        // Zone names are unique within a region: another
                        // region's zone (mutual aid) is named with its region.
                        let zone = &sc.zones()[z];
                        let name = if zone.region == group.region {
                            zone.name.clone()
                        } else {
                            format!("{}: {}", sc.regions()[zone.region].name, zone.name)
                        };
                        (name, *n)
                    })
                    .collect(),
            })
            .collect();
        RunResults {
            scenario: sc.name().to_string(),
            start_date: sc.run().start_date.to_string(),
            horizon_days: sc.run().horizon_min / 1440.0,
            warmup_days: sc.run().warmup_min / 1440.0,
            seed: sc.run().seed,
            replications: self.replications,
            outcome_totals: OutcomeTotals::from(self.outcome_totals),
            contacts_generated: self.contacts_generated,
            calls_unresolved_at_end: self.unresolved,
            groups,
            regions,
            hour_of_week,
            month_zone,
            teams,
        }
    }
}

fn trim(hist: &[u64]) -> Vec<u64> {
    let end = hist.iter().rposition(|&c| c > 0).map_or(0, |i| i + 1);
    hist[..end].to_vec()
}

/// Contacts by outcome, summed over all measured replications.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutcomeTotals {
    /// Resolved by phone.
    pub phone: u64,
    /// Police by triage.
    pub police_triage: u64,
    /// EMS by triage.
    pub ems_triage: u64,
    /// Mobile, in time.
    pub mobile_in_time: u64,
    /// Mobile, late.
    pub mobile_late: u64,
    /// Diverted to police for lack of capacity.
    pub diverted_capacity: u64,
    /// Hung up waiting for a counsellor (absent when 0: no contact centre).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub abandoned: u64,
    /// Rolled over to the national backup (absent when 0).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub rolled_over: u64,
}

fn is_zero(x: &u64) -> bool {
    *x == 0
}

impl OutcomeTotals {
    /// All contacts, whatever their outcome.
    pub fn total(&self) -> u64 {
        self.phone
            + self.police_triage
            + self.ems_triage
            + self.mobile_in_time
            + self.mobile_late
            + self.diverted_capacity
            + self.abandoned
            + self.rolled_over
    }
}

impl From<[u64; OUTCOMES]> for OutcomeTotals {
    fn from(o: [u64; OUTCOMES]) -> Self {
        OutcomeTotals {
            phone: o[0],
            police_triage: o[1],
            ems_triage: o[2],
            mobile_in_time: o[3],
            mobile_late: o[4],
            diverted_capacity: o[5],
            abandoned: o[6],
            rolled_over: o[7],
        }
    }
}

/// Results of one group of calls.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct GroupResult {
    /// Region, or all regions (null).
    pub region: Option<String>,
    /// Call type, or all types (null).
    pub call_type: Option<String>,
    /// Channel, or all channels (null).
    pub channel: Option<String>,
    /// The maximum response time, minutes, for a (region, call type) group
    /// with a maximum; null otherwise.
    pub max_response_min: Option<f64>,
    /// Zones of the region with a maximum of their own for the call type
    /// (`max_response_by_zone`), by name: minutes, or null for none. Their
    /// calls are in time or late by it, not by `max_response_min`. Empty
    /// (and left out of the JSON) otherwise.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub zone_max_response_min: BTreeMap<String, Option<f64>>,
    /// Every figure of [`GROUP_KPIS`] with its 95% CI.
    pub kpis: BTreeMap<String, Estimate>,
    /// Median response time of all reached calls pooled, minutes.
    #[serde(deserialize_with = "crate::stats::nan_or_null")]
    pub pooled_p50_min: f64,
    /// 90th percentile, pooled, minutes.
    #[serde(deserialize_with = "crate::stats::nan_or_null")]
    pub pooled_p90_min: f64,
    /// 95th percentile, pooled, minutes.
    #[serde(deserialize_with = "crate::stats::nan_or_null")]
    pub pooled_p95_min: f64,
    /// Pooled response-time histogram: counts in 0.5-minute bins from 0
    /// (the 2881st bin, if present, counts everything from 24 hours on).
    pub response_hist: Vec<u64>,
}

impl GroupResult {
    /// The zones with a maximum of their own, as text, in name order, each
    /// zone's name and minutes (or `none`) joined by `between`, the zones
    /// by `sep`: `Downtown 30, East none` with `(" ", ", ")`; None without.
    pub fn zone_maxima_text(&self, between: &str, sep: &str) -> Option<String> {
        (!self.zone_max_response_min.is_empty()).then(|| {
            self.zone_max_response_min
                .iter()
                .map(|(zone, m)| match m {
                    Some(m) => format!("{zone}{between}{m}"),
                    None => format!("{zone}{between}none"),
                })
                .collect::<Vec<_>>()
                .join(sep)
        })
    }
}

/// Results about a region's teams.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RegionResult {
    /// Region name.
    pub name: String,
    /// Residents.
    pub population: f64,
    /// Teams (all groups).
    pub teams: u32,
    /// Scheduled team-hours per week.
    pub team_hours_per_week: f64,
    /// Every figure of [`REGION_KPIS`] with its 95% CI.
    pub kpis: BTreeMap<String, Estimate>,
}

/// Results about one team group (`regions.NAME.teams.GROUP`): one base,
/// one shift.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TeamResult {
    /// Region name.
    pub region: String,
    /// Group name.
    pub group: String,
    /// Base zone.
    pub base: String,
    /// Teams in the group.
    pub teams: u32,
    /// Scheduled team-hours per week of the group.
    pub team_hours_per_week: f64,
    /// Every figure of [`TEAM_KPIS`] with its 95% CI.
    pub kpis: BTreeMap<String, Estimate>,
    /// Measured dispatches by the call's zone, summed over replications
    /// (zones with none left out): who serves whom. Another region's zone
    /// (mutual aid) is named `REGION: ZONE`.
    pub dispatches_by_zone: BTreeMap<String, u64>,
}

/// One (region, hour of week) row.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HourRow {
    /// Region name.
    pub region: String,
    /// Hour of week, 0 = Monday 00:00–01:00.
    pub hour_of_week: usize,
    /// Every figure of [`HOUR_KPIS`] with its 95% CI.
    pub kpis: BTreeMap<String, Estimate>,
}

/// One (month, zone) row: counts per replication (754/50(3) monthly reports).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MonthZoneRow {
    /// Calendar month, `YYYY-MM`.
    pub month: String,
    /// Region of the zone.
    pub region: String,
    /// Zone (police district or sub-region).
    pub zone: String,
    /// Counts of [`MonthZone::NAMES`] with their 95% CI.
    pub counts: BTreeMap<String, Estimate>,
}

/// Everything a run reports.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RunResults {
    /// Scenario name.
    pub scenario: String,
    /// First simulated day.
    pub start_date: String,
    /// Simulated days, warm-up included.
    pub horizon_days: f64,
    /// Warm-up days excluded from statistics.
    pub warmup_days: f64,
    /// Seed.
    pub seed: u64,
    /// Replications.
    pub replications: u32,
    /// Contacts by outcome over all replications (measured window).
    pub outcome_totals: OutcomeTotals,
    /// Contacts counted as they arrived, over all replications (measured
    /// window): equals the sum of `outcome_totals`.
    pub contacts_generated: u64,
    /// Mobile calls still waiting when a replication ended (30 days past
    /// the horizon), counted as diverted; 0 in any sensible scenario.
    pub calls_unresolved_at_end: u64,
    /// Statewide, per call type, per channel, per region, per region x type, per region x channel.
    pub groups: Vec<GroupResult>,
    /// Per region: teams, utilization, overtime, queue.
    pub regions: Vec<RegionResult>,
    /// Per region and hour of week.
    pub hour_of_week: Vec<HourRow>,
    /// Per month and zone.
    pub month_zone: Vec<MonthZoneRow>,
    /// Per team group (base and shift): load, travel, overtime.
    #[serde(default)]
    pub teams: Vec<TeamResult>,
}

impl RunResults {
    /// The group with exactly these selectors (`None` = all).
    pub fn group(
        &self,
        region: Option<&str>,
        call_type: Option<&str>,
        channel: Option<&str>,
    ) -> Option<&GroupResult> {
        self.groups.iter().find(|g| {
            g.region.as_deref() == region
                && g.call_type.as_deref() == call_type
                && g.channel.as_deref() == channel
        })
    }

    /// A KPI of a group, by name.
    pub fn kpi(
        &self,
        region: Option<&str>,
        call_type: Option<&str>,
        channel: Option<&str>,
        name: &str,
    ) -> Option<Estimate> {
        self.group(region, call_type, channel)
            .and_then(|g| g.kpis.get(name).copied())
    }

    /// A figure of a group, typed.
    pub fn figure(
        &self,
        region: Option<&str>,
        call_type: Option<&str>,
        channel: Option<&str>,
        figure: GroupFigure,
    ) -> Option<Estimate> {
        self.kpi(region, call_type, channel, figure.name())
    }

    /// A region's team figure, typed.
    pub fn region_figure(&self, region: &str, figure: RegionFigure) -> Option<Estimate> {
        self.region_kpi(region, figure.name())
    }

    /// A region's team KPI, by name.
    pub fn region_kpi(&self, region: &str, name: &str) -> Option<Estimate> {
        self.regions
            .iter()
            .find(|r| r.name == region)
            .and_then(|r| r.kpis.get(name).copied())
    }
}

//! What the engine precomputes once from a scenario and shares across
//! replications (read-only): team lists, cumulative shares, expected
//! durations, on-shift minutes.

use rand::Rng;

use crate::calendar::{Calendar, HOURS_PER_WEEK};
use crate::scenario::{Scenario, Travel, Triage};
use crate::schedule::Schedule;
use crate::tally::Shape;

/// A team: where it belongs.
#[derive(Debug, Clone)]
pub(crate) struct TeamInfo {
    pub region: usize,
    pub group: usize,
    pub base: usize,
    /// On shift at every moment (24/7).
    pub always_on: bool,
    /// Its `TeamHome` event (back at base after a call, under `escalate`)
    /// can change something: false when the team is always on shift and
    /// every region's travel is a time (no route), so where it is never
    /// matters and a call it could not take on becoming free (checked
    /// then) it cannot take later either (issue 18: a third of M1's events).
    pub home_event: bool,
    /// Its group's capabilities, one bit each (see [`Model::can_take`]).
    pub caps: u32,
}

/// A scenario prepared for simulation.
#[derive(Debug, Clone)]
pub struct Model {
    /// The scenario.
    pub scenario: Scenario,
    /// Its calendar.
    pub calendar: Calendar,
    /// Tally dimensions.
    pub shape: Shape,
    pub(crate) teams: Vec<TeamInfo>,
    /// Team ids of each group.
    pub(crate) group_teams: Vec<std::ops::Range<usize>>,
    /// Teams that may answer each region's calls: its own, then mutual-aid partners'.
    pub(crate) candidates: Vec<Vec<u32>>,
    /// Regions whose queued calls each team may take.
    pub(crate) served: Vec<Vec<u32>>,
    /// Where each team stands in the candidate lists: (region, position in
    /// `candidates[region]`), for the engine's per-region sets of idle teams.
    pub(crate) candidate_slots: Vec<Vec<(u32, u32)>>,
    /// Whether a candidate that can take the call type is on shift at
    /// every moment, `[region][call type]`: a decision then needs no scan
    /// for a team on shift (issue 18).
    pub(crate) always_covered: Vec<Vec<bool>>,
    /// Priority level (0 = most urgent) of each call type.
    pub(crate) priority_level: Vec<usize>,
    pub(crate) priority_levels: usize,
    zone_cum: Vec<Vec<f64>>,
    channel_cum: Vec<f64>,
    type_cum: Vec<f64>,
    triage_cum: Vec<[f64; 4]>,
    /// The triage outcome of each call type when it has a share of 1.
    certain_triage: Vec<Option<usize>>,
    /// Destinations of each type by drive from each zone, nearest first,
    /// `[type][zone]` (only those of the zone's region).
    dest_order: Vec<Vec<u32>>,
    /// Expected minutes of transport (drive and handover) of a call from
    /// the end of its scene, early endings and the transport share
    /// included, `[call type][region]`.
    expected_transport_min: Vec<f64>,
    /// Capabilities each call type needs, one bit each, `[call type]`.
    pub(crate) type_needs: Vec<u32>,
    /// Expected minutes from arrival on scene to free, `[call type][region]`
    /// (see [`Model::expected_service`]).
    pub(crate) expected_service_min: Vec<f64>,
    /// Mean of each region's travel factor (or travel time for `time`).
    travel_draw_mean: Vec<f64>,
    /// On-shift team-minutes in the measured window by hour of week, `[region][168]`.
    pub on_shift_by_hour_min: Vec<f64>,
    /// On-shift team-minutes in the measured window of each team group, `[group]`.
    pub team_on_shift_min: Vec<f64>,
    /// On-shift counsellor-minutes in the measured window by hour of week,
    /// `[centre][168]`.
    pub desk_on_shift_by_hour_min: Vec<f64>,
    /// (centre, group) of every counsellor group, by a flat id.
    pub(crate) desk_groups: Vec<(usize, usize)>,
    /// How many times each hour of week occurs in the measured window
    /// (partial hours at its ends count in part).
    pub hour_occurrences: [f64; HOURS_PER_WEEK],
}

fn cumulative(shares: impl Iterator<Item = f64>) -> Vec<f64> {
    let mut acc = 0.0;
    let mut out: Vec<f64> = shares
        .map(|s| {
            acc += s;
            acc
        })
        .collect();
    let total = acc;
    for x in &mut out {
        *x /= total;
    }
    if let Some(last) = out.last_mut() {
        *last = f64::INFINITY;
    }
    out
}

/// An index drawn by cumulative shares; no random number when there is one choice.
#[inline]
fn pick<R: Rng + ?Sized>(cum: &[f64], rng: &mut R) -> usize {
    if cum.len() == 1 {
        return 0;
    }
    let u: f64 = rng.random();
    cum.partition_point(|&c| c <= u).min(cum.len() - 1)
}

impl Model {
    /// Prepares a validated scenario.
    pub fn new(scenario: Scenario) -> Self {
        let calendar = scenario.calendar();
        let shape = Shape {
            regions: scenario.regions().len(),
            types: scenario.call_types().len(),
            channels: scenario.channels().len(),
            zones: scenario.zones().len(),
            months: calendar.months().len(),
            centres: scenario.centres().len(),
            groups: scenario.team_groups().len(),
        };
        let mut teams = Vec::new();
        let mut group_teams = Vec::new();
        let location_matters = scenario
            .regions()
            .iter()
            .any(|r| matches!(r.travel, Travel::Routes { .. }));
        // Bit i is the scenario's i-th capability (at most 32, checked when
        // the scenario was read).
        let mask = |names: &[String]| -> u32 {
            names
                .iter()
                .filter_map(|n| scenario.capabilities().iter().position(|c| c == n))
                .fold(0, |m, i| m | (1 << i))
        };
        let type_needs: Vec<u32> = scenario.call_types().iter().map(|c| mask(&c.needs)).collect();
        for (g, group) in scenario.team_groups().iter().enumerate() {
            let first = teams.len();
            let caps = mask(&group.capabilities);
            for _ in 0..group.count {
                teams.push(TeamInfo {
                    region: group.region,
                    group: g,
                    base: group.base,
                    always_on: group.schedule.is_always(),
                    home_event: location_matters || !group.schedule.is_always(),
                    caps,
                });
            }
            group_teams.push(first..teams.len());
        }
        let mut candidates = vec![Vec::new(); scenario.regions().len()];
        let mut served = vec![Vec::new(); teams.len()];
        let mut candidate_slots = vec![Vec::new(); teams.len()];
        for (r, region) in scenario.regions().iter().enumerate() {
            let sources = std::iter::once(r).chain(region.mutual_aid.iter().copied());
            for src in sources {
                for (tm, t) in teams.iter().enumerate() {
                    if t.region == src {
                        candidate_slots[tm].push((r as u32, candidates[r].len() as u32));
                        candidates[r].push(tm as u32);
                        served[tm].push(r as u32);
                    }
                }
            }
        }
        // Own region first among served regions.
        for (tm, s) in served.iter_mut().enumerate() {
            let own = teams[tm].region as u32;
            s.sort_by_key(|&r| (r != own, r));
        }
        let always_covered = candidates
            .iter()
            .map(|cands| {
                type_needs
                    .iter()
                    .map(|&needs| {
                        cands
                            .iter()
                            .any(|&tm| teams[tm as usize].always_on && needs & !teams[tm as usize].caps == 0)
                    })
                    .collect()
            })
            .collect();
        let mut priorities: Vec<u32> = scenario.call_types().iter().map(|c| c.priority).collect();
        priorities.sort_unstable();
        priorities.dedup();
        let priority_level = scenario
            .call_types()
            .iter()
            .map(|c| priorities.binary_search(&c.priority).expect("priority listed"))
            .collect();
        let zone_cum = scenario
            .regions()
            .iter()
            .map(|r| cumulative(r.zones.iter().map(|&z| scenario.zones()[z].weight)))
            .collect();
        let channel_cum = cumulative(scenario.channels().iter().map(|c| c.share));
        let type_cum = cumulative(scenario.call_types().iter().map(|c| c.share));
        let triage_cum = scenario
            .call_types()
            .iter()
            .map(|c| {
                let mut acc = 0.0;
                c.triage.map(|s| {
                    acc += s;
                    acc
                })
            })
            .collect();
        let certain_triage = scenario
            .call_types()
            .iter()
            .map(|c| c.triage.iter().position(|&s| s >= 1.0))
            .collect();
        let zones_n = scenario.zones().len();
        let dest_order: Vec<Vec<u32>> = (0..scenario.destination_types().len() * zones_n)
            .map(|i| {
                let (kind, z) = (i / zones_n, i % zones_n);
                let mut ds: Vec<u32> = (0..scenario.destinations().len())
                    .filter(|&d| {
                        let site = &scenario.destinations()[d];
                        site.kind == kind && site.region == scenario.zones()[z].region
                    })
                    .map(|d| d as u32)
                    .collect();
                ds.sort_by(|&a, &b| {
                    let time = |d: u32| scenario.route_mean_min(z, scenario.destinations()[d as usize].zone);
                    time(a).total_cmp(&time(b)).then(a.cmp(&b))
                });
                ds
            })
            .collect();
        // The mean drive to the nearest destination of a type from a
        // region's zones (by demand weight), for the dispatcher's estimate.
        let drive = |kind: usize, r: usize| -> f64 {
            let region = &scenario.regions()[r];
            let total: f64 = region.zones.iter().map(|&z| scenario.zones()[z].weight).sum();
            region
                .zones
                .iter()
                .map(|&z| {
                    let nearest = dest_order[kind * zones_n + z].first().map_or(0.0, |&d| {
                        scenario.route_mean_min(z, scenario.destinations()[d as usize].zone)
                    });
                    scenario.zones()[z].weight * nearest
                })
                .sum::<f64>()
                / total.max(f64::MIN_POSITIVE)
        };
        // The dispatcher's expectations per (call type, region): the
        // transport after the scene (early endings have none), and the whole
        // service from arrival on scene: a full assessment, or an early
        // ending's time on scene.
        let (expected_transport_min, expected_service_min): (Vec<f64>, Vec<f64>) = scenario
            .call_types()
            .iter()
            .flat_map(|c| {
                let drive = &drive;
                let early: f64 = c.early_endings.iter().map(|e| e.share).sum();
                let early_scene: f64 = c
                    .early_endings
                    .iter()
                    .map(|e| e.share * e.on_scene.mean_min())
                    .sum();
                (0..scenario.regions().len()).map(move |r| {
                    let transport = (1.0 - early)
                        * (c.transport_share
                            * (c.transport.mean_min() + c.transport_to.map_or(0.0, |k| drive(k, r))));
                    (
                        transport,
                        (1.0 - early) * c.on_scene_in(r).mean_min() + transport + early_scene,
                    )
                })
            })
            .unzip();
        let travel_draw_mean = scenario
            .regions()
            .iter()
            .map(|r| match &r.travel {
                Travel::Time(d) => d.mean_min(),
                Travel::Routes { factor } => factor.mean_min(),
            })
            .collect();
        let on_shift_by_hour_min = on_shift_minutes(
            &scenario,
            &calendar,
            scenario.regions().len(),
            scenario.team_groups().iter().enumerate().map(|(g, group)| {
                let count = teams.iter().filter(|t| t.group == g).count() as f64;
                (group.region, count, &group.schedule)
            }),
        );
        let team_on_shift_min = on_shift_minutes(
            &scenario,
            &calendar,
            scenario.team_groups().len(),
            scenario.team_groups().iter().enumerate().map(|(g, group)| {
                let count = teams.iter().filter(|t| t.group == g).count() as f64;
                (g, count, &group.schedule)
            }),
        )
        .chunks_exact(HOURS_PER_WEEK)
        .map(|hours| hours.iter().sum())
        .collect();
        let desk_groups: Vec<(usize, usize)> = scenario
            .centres()
            .iter()
            .enumerate()
            .flat_map(|(c, centre)| (0..centre.counsellors.len()).map(move |g| (c, g)))
            .collect();
        let desk_on_shift_by_hour_min = on_shift_minutes(
            &scenario,
            &calendar,
            scenario.centres().len(),
            scenario.centres().iter().enumerate().flat_map(|(c, centre)| {
                centre
                    .counsellors
                    .iter()
                    .map(move |g| (c, f64::from(g.count), &g.schedule))
            }),
        );
        let mut hour_occurrences = [0.0; HOURS_PER_WEEK];
        let (mut t, hi) = (scenario.run().warmup_min, scenario.run().horizon_min);
        while t < hi {
            let end = (((t / 60.0) as u64 + 1) as f64 * 60.0).min(hi);
            hour_occurrences[calendar.hour_of_week(t)] += (end - t) / 60.0;
            t = end;
        }
        Model {
            scenario,
            calendar,
            shape,
            teams,
            group_teams,
            candidates,
            always_covered,
            served,
            candidate_slots,
            priority_level,
            priority_levels: priorities.len(),
            zone_cum,
            channel_cum,
            type_cum,
            triage_cum,
            certain_triage,
            dest_order,
            expected_transport_min,
            type_needs,
            expected_service_min,
            travel_draw_mean,
            on_shift_by_hour_min,
            team_on_shift_min,
            desk_on_shift_by_hour_min,
            desk_groups,
            hour_occurrences,
        }
    }

    /// Expected transport minutes after the scene of a call of type
    /// `ctype` in region `r` (see `expected_transport_min`).
    #[inline]
    pub(crate) fn expected_transport(&self, ctype: usize, r: usize) -> f64 {
        self.expected_transport_min[ctype * self.shape.regions + r]
    }

    /// Destinations of type `kind` in zone `z`'s region, nearest first.
    #[inline]
    pub(crate) fn destinations_from(&self, kind: usize, z: usize) -> &[u32] {
        &self.dest_order[kind * self.shape.zones + z]
    }

    /// Whether team `tm` has every capability call type `ctype` needs.
    #[inline]
    pub(crate) fn can_take(&self, tm: usize, ctype: usize) -> bool {
        self.type_needs[ctype] & !self.teams[tm].caps == 0
    }

    /// Expected minutes from arrival on scene to free of a call of type
    /// `ctype` in region `r`.
    #[inline]
    pub(crate) fn expected_service(&self, ctype: usize, r: usize) -> f64 {
        self.expected_service_min[ctype * self.shape.regions + r]
    }

    #[inline]
    pub(crate) fn pick_zone<R: Rng + ?Sized>(&self, r: usize, rng: &mut R) -> usize {
        self.scenario.regions()[r].zones[pick(&self.zone_cum[r], rng)]
    }

    #[inline]
    pub(crate) fn pick_channel<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        pick(&self.channel_cum, rng)
    }

    #[inline]
    pub(crate) fn pick_type<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        pick(&self.type_cum, rng)
    }

    /// Triage of a call of type `ctype`; no random number when one outcome is certain.
    #[inline]
    pub(crate) fn triage<R: Rng + ?Sized>(&self, ctype: usize, rng: &mut R) -> Triage {
        const ALL: [Triage; 4] = [Triage::Phone, Triage::Mobile, Triage::Police, Triage::Ems];
        if let Some(certain) = self.certain_triage[ctype] {
            return ALL[certain];
        }
        let u: f64 = rng.random();
        let cum = &self.triage_cum[ctype];
        if u < cum[0] {
            Triage::Phone
        } else if u < cum[1] {
            Triage::Mobile
        } else if u < cum[2] {
            Triage::Police
        } else if u < cum[3] {
            Triage::Ems
        } else {
            // Rounding left a sliver above the last cumulative share: give it
            // to the last category with a positive share.
            let shares = &self.scenario.call_types()[ctype].triage;
            [Triage::Phone, Triage::Mobile, Triage::Police, Triage::Ems]
                [shares.iter().rposition(|&s| s > 0.0).unwrap_or(0)]
        }
    }

    /// The dispatcher's expected travel minutes from zone `from` to zone
    /// `to` of region `region`.
    #[inline]
    pub(crate) fn expected_travel_min(&self, from: usize, region: usize, to: usize) -> f64 {
        match &self.scenario.regions()[region].travel {
            Travel::Time(_) => self.travel_draw_mean[region],
            Travel::Routes { .. } => self.scenario.route_mean_min(from, to) * self.travel_draw_mean[region],
        }
    }

    /// Minutes for a team to drive back to its base (expected route time;
    /// a region with travel by `time` uses its mean).
    pub(crate) fn return_min(&self, from: usize, base: usize) -> f64 {
        let region = self.scenario.zones()[base].region;
        match &self.scenario.regions()[region].travel {
            Travel::Time(d) => d.mean_min(),
            Travel::Routes { .. } => {
                let m = self.scenario.route_mean_min(from, base);
                if m.is_nan() { 0.0 } else { m }
            }
        }
    }
}

/// On-shift team-minutes in `[warmup, horizon)` by region and hour of week.
/// On-shift minutes in the measured window by hour of week, `[slot][168]`,
/// of groups given as (slot, how many, schedule): teams by region,
/// counsellors by centre.
fn on_shift_minutes<'a>(
    sc: &Scenario,
    cal: &Calendar,
    slots: usize,
    groups: impl Iterator<Item = (usize, f64, &'a Schedule)>,
) -> Vec<f64> {
    let mut out = vec![0.0; slots * HOURS_PER_WEEK];
    let (lo, hi) = (sc.run().warmup_min, sc.run().horizon_min);
    // Minutes on shift in each hour-of-week bin, per group.
    for (slot, count, schedule) in groups {
        if count == 0.0 {
            continue;
        }
        let mut per_bin = [0.0; HOURS_PER_WEEK];
        for (h, m) in per_bin.iter_mut().enumerate() {
            let (a, b) = (h as f64 * 60.0, h as f64 * 60.0 + 60.0);
            *m = schedule
                .intervals()
                .iter()
                .map(|&(s, e)| (e.min(b) - s.max(a)).max(0.0))
                .sum();
        }
        // Walk the window hour by hour (clipping partial hours at its ends).
        let mut t = lo;
        while t < hi {
            let end = (((t / 60.0) as u64 + 1) as f64 * 60.0).min(hi);
            let h = cal.hour_of_week(t);
            out[slot * HOURS_PER_WEEK + h] += count * per_bin[h] * (end - t) / 60.0;
            t = end;
        }
    }
    out
}

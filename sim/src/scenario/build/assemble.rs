//! Assembly: regions and zones numbered, call types' maximums per region,
//! travel routes within regions and for mutual aid, team bases, and the
//! checks that cross regions.

use std::collections::BTreeMap;
use std::ops::Range;

/// At most this many zones in all: the zone by zone travel table of 8,192
/// zones takes 512 MiB.
const MAX_ZONES: usize = 8192;

use super::call_types::RawCallType;
use super::regions::RawRegion;
use super::travel::RawTravel;
use super::{Builder, SCALES_CHECKED};
use crate::dist::Duration;
use crate::scenario::read::{join, key_part};
use crate::scenario::{
    Channel, Destination, Dispatch, Region, RunSettings, Scenario, TeamGroup, Travel, Zone,
};

/// Distinct team capabilities a scenario may name (one bit each).
pub(crate) const MAX_CAPABILITIES: usize = 32;

impl Builder<'_, '_> {
    #[allow(clippy::too_many_arguments)]
    pub(super) fn assemble(
        &mut self,
        name: String,
        text: &str,
        run: RunSettings,
        demand_scale: f64,
        travel_scale: f64,
        on_scene_scale: f64,
        dispatch: Dispatch,
        channels: Vec<Channel>,
        raw_types: Vec<RawCallType>,
        raw_regions: Vec<RawRegion>,
    ) -> Option<Scenario> {
        let region_ids: BTreeMap<&str, usize> = raw_regions
            .iter()
            .enumerate()
            .map(|(i, r)| (r.name.as_str(), i))
            .collect();
        // Zones, numbered region by region.
        let mut zones = Vec::new();
        let mut zone_ranges = Vec::new();
        for (ri, r) in raw_regions.iter().enumerate() {
            let first = zones.len();
            for z in &r.zones {
                zones.push(Zone {
                    name: z.name.clone(),
                    region: ri,
                    weight: z.weight,
                    coords: z.coords,
                    area_sqmi: z.area_sqmi,
                });
            }
            zone_ranges.push(first..zones.len());
        }
        let zone_id = |ri: usize, name: &str| zone_ranges[ri].clone().find(|&z| zones[z].name == name);
        // Call types with per-region maximums.
        let mut call_types = Vec::new();
        // (call type, capability, span) of every `needs` entry, checked
        // against the teams' capabilities once the teams are read.
        let mut needs: Vec<(usize, String, Range<usize>)> = Vec::new();
        let mut transports_to: Vec<(usize, (String, Range<usize>))> = Vec::new();
        for raw in raw_types {
            let mut ct = raw.ct;
            // A per-region key's region: its index, or a problem naming the known ones.
            let mut region_of = |key: &str, rname: &str, span: Range<usize>| -> Option<usize> {
                let found = region_ids.get(rname).copied();
                if found.is_none() {
                    self.r.problem(
                        span,
                        &format!("{}.{}", join(&join("call_types", &ct.name), key), key_part(rname)),
                        format!(
                            "unknown region {rname:?}; expected one of: {}",
                            region_list(&raw_regions)
                        ),
                    );
                }
                found
            };
            let mut max_response = vec![raw.default_max; raw_regions.len()];
            for (rname, m, span) in raw.by_region {
                if let Some(ri) = region_of("max_response_by_region", &rname, span) {
                    max_response[ri] = m;
                }
            }
            let mut on_scene_by_region = vec![None; raw_regions.len()];
            for (rname, d, span) in raw.on_scene_by_region {
                if let Some(ri) = region_of("on_scene_by_region", &rname, span) {
                    on_scene_by_region[ri] = Some(d);
                }
            }
            ct.max_response = max_response;
            ct.on_scene_by_region = on_scene_by_region;
            ct.max_response_by_zone = vec![None; zones.len()];
            for (zname, m, span) in raw.by_zone {
                let named: Vec<usize> = (0..zones.len()).filter(|&z| zones[z].name == zname).collect();
                // The key a problem names.
                let key = || {
                    format!(
                        "{}.{}",
                        join(&join("call_types", &ct.name), "max_response_by_zone"),
                        key_part(&zname)
                    )
                };
                if named.len() == 1 {
                    ct.max_response_by_zone[named[0]] = Some(m);
                } else if named.len() > 1 {
                    let regions: Vec<&str> = named
                        .iter()
                        .map(|&z| raw_regions[zones[z].region].name.as_str())
                        .collect();
                    self.r.problem(
                        span,
                        &key(),
                        format!(
                            "zone {zname:?} is in several regions ({}): rename one so the maximum names one zone",
                            regions.join(", ")
                        ),
                    );
                } else {
                    let mut names: Vec<&str> = zones.iter().map(|z| z.name.as_str()).collect();
                    names.sort_unstable();
                    names.dedup();
                    self.r.problem(
                        span,
                        &key(),
                        format!("unknown zone {zname:?}; expected one of: {}", names.join(", ")),
                    );
                }
            }
            if let Some(to) = raw.transport_to {
                transports_to.push((call_types.len(), to));
            }
            for (need, span) in raw.needs {
                needs.push((call_types.len(), need.clone(), span));
                ct.needs.push(need);
            }
            call_types.push(ct);
        }
        // Travel: intra-region routes, then mutual-aid routes, in a zone
        // by zone table: bounded, so a huge scenario is refused, not an
        // allocation failure.
        let n = zones.len();
        if n > MAX_ZONES {
            let span = raw_regions.last().map_or(0..0, |r| r.span.clone());
            self.r.problem(
                span,
                "regions",
                format!("expected at most {MAX_ZONES} zones in all regions together (travel is a zone by zone table), found {n}"),
            );
            return None;
        }
        let mut travel_mean = vec![f64::NAN; n * n];
        let mut regions = Vec::new();
        let mut team_groups = Vec::new();
        // (aided region, partner, span, partner name) of every mutual-aid entry.
        let mut aid_entries: Vec<(usize, usize, Range<usize>, String)> = Vec::new();
        for (ri, r) in raw_regions.iter().enumerate() {
            let path = join("regions", &r.name);
            let travel = match &r.travel {
                RawTravel::Time(d) => {
                    Travel::Time(Duration::new(d.clone(), travel_scale).expect(SCALES_CHECKED))
                }
                RawTravel::Matrix {
                    minutes,
                    factor,
                    span,
                } => {
                    for ((from, to), m) in minutes {
                        match (zone_id(ri, from), zone_id(ri, to)) {
                            (Some(a), Some(b)) => travel_mean[a * n + b] = m * travel_scale,
                            _ => self.r.problem(
                                span.clone(),
                                &join(&path, "travel.matrix"),
                                format!("route {from:?} -> {to:?} names a zone that is not in this region's `zones`"),
                            ),
                        }
                    }
                    for a in zone_ranges[ri].clone() {
                        for b in zone_ranges[ri].clone() {
                            if travel_mean[a * n + b].is_nan() {
                                self.r.problem(
                                    span.clone(),
                                    &join(&path, "travel.matrix"),
                                    format!(
                                        "missing the route {:?} -> {:?} (minutes)",
                                        zones[a].name, zones[b].name
                                    ),
                                );
                            }
                        }
                    }
                    Travel::Routes {
                        factor: Duration::unscaled(factor.clone()),
                    }
                }
                RawTravel::Geo(geo) => {
                    for a in zone_ranges[ri].clone() {
                        for b in zone_ranges[ri].clone() {
                            match geo.minutes(&zones[a], &zones[b]) {
                                Some(m) => travel_mean[a * n + b] = m * travel_scale,
                                None => {
                                    self.r.problem(
                                        r.span.clone(),
                                        &join(&join(&path, "zones"), &zones[b].name),
                                        "travel by `speed_mph` needs `lat` and `lon` on every zone",
                                    );
                                }
                            }
                        }
                    }
                    Travel::Routes {
                        factor: Duration::unscaled(geo.factor.clone()),
                    }
                }
            };
            let mut mutual_aid = Vec::new();
            for (pname, span) in &r.mutual_aid {
                let Some(&pi) = region_ids.get(pname.as_str()) else {
                    self.r.problem(
                        span.clone(),
                        &join(&path, "mutual_aid"),
                        format!(
                            "unknown region {pname:?}; expected one of: {}",
                            region_list(&raw_regions)
                        ),
                    );
                    continue;
                };
                if pi == ri {
                    self.r.problem(
                        span.clone(),
                        &join(&path, "mutual_aid"),
                        "a region cannot give mutual aid to itself",
                    );
                    continue;
                }
                // A team that crosses a region border needs routes back, so
                // both regions must travel zone to zone.
                if matches!(r.travel, RawTravel::Time(_))
                    || matches!(raw_regions[pi].travel, RawTravel::Time(_))
                {
                    self.r.problem(
                        span.clone(),
                        &join(&path, "mutual_aid"),
                        "mutual aid needs zone-to-zone routes in both regions: use `travel.speed_mph` (or `matrix`) with zone `lat`/`lon`",
                    );
                    continue;
                }
                mutual_aid.push(pi);
                aid_entries.push((ri, pi, span.clone(), pname.clone()));
            }
            for g in &r.teams {
                let gpath = join(&join(&path, "teams"), &g.name);
                let base = match &g.base {
                    Some((bname, span)) => match zone_id(ri, bname) {
                        Some(z) => Some(z),
                        None => {
                            let names: Vec<&str> = r.zones.iter().map(|z| z.name.as_str()).collect();
                            self.r.problem(
                                span.clone(),
                                &join(&gpath, "base"),
                                format!("unknown zone {bname:?}; expected one of: {}", names.join(", ")),
                            );
                            None
                        }
                    },
                    None if r.zones.len() == 1 => Some(zone_ranges[ri].start),
                    None => {
                        self.r.problem(
                            g.span.clone(),
                            &join(&gpath, "base"),
                            "missing; expected the base zone (the region has several zones)",
                        );
                        None
                    }
                };
                if let Some(base) = base {
                    team_groups.push(TeamGroup {
                        name: g.name.clone(),
                        region: ri,
                        count: g.count,
                        base,
                        schedule: g.schedule.clone(),
                        overtime_min: g.overtime_min,
                        capabilities: g.capabilities.iter().map(|(c, _)| c.clone()).collect(),
                    });
                }
            }
            regions.push(Region {
                name: r.name.clone(),
                population: r.population,
                rate_per_min: r.rate_per_min,
                profile: r.profile,
                month_factors: r.month_factors,
                zones: zone_ranges[ri].clone().collect(),
                travel,
                travel_by_hour: r.travel_by_hour,
                mutual_aid,
                centre: None,
            });
        }
        // A partner's teams can be in, and be sent to, any zone of its own
        // region and of the regions it aids: routes between all of those,
        // by the geometry of a region that travels by speed (the
        // destination's, else the origin's, else the partner's).
        for (ri, pi, span, pname) in &aid_entries {
            let mut reach = vec![*pi];
            reach.extend(aid_entries.iter().filter(|e| e.1 == *pi).map(|e| e.0));
            let mut ok = true;
            for &x in &reach {
                for &y in &reach {
                    if x == y || !travel_mean[zone_ranges[x].start * n + zone_ranges[y].start].is_nan() {
                        continue;
                    }
                    let geo = [y, x, *pi]
                        .into_iter()
                        .find_map(|k| match &raw_regions[k].travel {
                            RawTravel::Geo(g) => Some(g),
                            _ => None,
                        });
                    for a in zone_ranges[x].clone() {
                        for b in zone_ranges[y].clone() {
                            match geo.and_then(|g| g.minutes(&zones[a], &zones[b])) {
                                Some(m) => travel_mean[a * n + b] = m * travel_scale,
                                None => ok = false,
                            }
                        }
                    }
                }
            }
            if !ok {
                let path = join(&join("regions", &raw_regions[*ri].name), "mutual_aid");
                self.r.problem(
                    span.clone(),
                    &path,
                    format!(
                        "mutual aid from {pname:?} needs `lat`/`lon` on the zones of every region it serves and `travel.speed_mph` in one of them"
                    ),
                );
            }
        }
        let mut capabilities: Vec<String> = team_groups
            .iter()
            .flat_map(|g| g.capabilities.iter().cloned())
            .collect();
        capabilities.sort_unstable();
        capabilities.dedup();
        if capabilities.len() > MAX_CAPABILITIES {
            let (at, path) = raw_regions
                .iter()
                .flat_map(|r| r.teams.iter().map(move |g| (r, g)))
                .find_map(|(r, g)| {
                    let (_, span) = g.capabilities.last()?;
                    Some((
                        span.clone(),
                        join(&join(&join("regions", &r.name), "teams"), &g.name),
                    ))
                })
                .unwrap_or((0..0, "regions".to_string()));
            self.r.problem(
                at,
                &join(&path, "capabilities"),
                format!(
                    "at most {MAX_CAPABILITIES} different team capabilities, found {}: {}",
                    capabilities.len(),
                    capabilities.join(", ")
                ),
            );
        }
        for (ci, need, span) in &needs {
            if !capabilities.contains(need) {
                self.r.problem(
                    span.clone(),
                    &join(&join("call_types", &call_types[*ci].name), "needs"),
                    format!(
                        "no team group has the capability {need:?} (a team group's `capabilities`); known: {}",
                        if capabilities.is_empty() {
                            "none".to_string()
                        } else {
                            capabilities.join(", ")
                        }
                    ),
                );
            }
        }
        // Destinations of transports: zones of their region, which must
        // have routes (the drive there comes from them); every region needs
        // a destination of each type a call type transports to.
        let mut destination_types: Vec<String> = raw_regions
            .iter()
            .flat_map(|r| r.destinations.iter().map(|d| d.kind.clone()))
            .collect();
        destination_types.sort_unstable();
        destination_types.dedup();
        let mut destinations = Vec::new();
        for (ri, r) in raw_regions.iter().enumerate() {
            let rpath = join(&join("regions", &r.name), "destinations");
            if !r.destinations.is_empty() && matches!(r.travel, RawTravel::Time(_)) {
                self.r.problem(
                    r.span.clone(),
                    &rpath,
                    "destinations need zone-to-zone travel (`matrix` or `speed_mph`), not `time`",
                );
            }
            for d in &r.destinations {
                match zone_id(ri, &d.zone.0) {
                    Some(zone) => destinations.push(Destination {
                        name: d.name.clone(),
                        region: ri,
                        zone,
                        kind: destination_types
                            .iter()
                            .position(|k| *k == d.kind)
                            .expect("collected"),
                        capacity: d.capacity,
                    }),
                    None => self.r.problem(
                        d.zone.1.clone(),
                        &join(&join(&rpath, &d.name), "zone"),
                        format!("unknown zone {:?} of region {:?}", d.zone.0, r.name),
                    ),
                }
            }
        }
        for (ci, to) in transports_to {
            let ct = &mut call_types[ci];
            let tpath = join(&join(&join("call_types", &ct.name), "transport"), "to");
            match destination_types.iter().position(|k| *k == to.0) {
                Some(kind) => {
                    ct.transport_to = Some(kind);
                    if ct.transport_share > 0.0 {
                        for (ri, r) in raw_regions.iter().enumerate() {
                            if !destinations.iter().any(|d| d.region == ri && d.kind == kind) {
                                self.r.problem(
                                    to.1.clone(),
                                    &tpath,
                                    format!("region {:?} has no destination of type {:?} (`destinations.NAME.type`)", r.name, to.0),
                                );
                            }
                        }
                    }
                }
                None => self.r.problem(
                    to.1.clone(),
                    &tpath,
                    format!(
                        "no destination has the type {:?}; known: {}",
                        to.0,
                        if destination_types.is_empty() {
                            "none".to_string()
                        } else {
                            destination_types.join(", ")
                        }
                    ),
                ),
            }
        }
        if call_types.is_empty() || regions.is_empty() {
            return None;
        }
        Some(Scenario {
            name,
            source: text.to_string(),
            run,
            demand_scale,
            demand_growth_per_year: 0.0,
            travel_scale,
            on_scene_scale,
            dispatch,
            channels,
            call_types,
            regions,
            zones,
            travel_mean_min: travel_mean,
            team_groups,
            centres: Vec::new(),
            destinations,
            destination_types,
            capabilities,
        })
    }
}

fn region_list(regions: &[RawRegion]) -> String {
    regions
        .iter()
        .map(|r| format!("{:?}", r.name))
        .collect::<Vec<_>>()
        .join(", ")
}

//! Regions: population and demand, the hour-of-week profile, month
//! factors, mutual aid, and zones with their weights and coordinates.

use std::ops::Range;

/// At most this many regions: each region's next arrival waits in a slot
/// of the event queue.
const MAX_REGIONS: usize = crate::events::MAX_SLOTS;

use toml::de::DeValue;

use super::teams::RawTeams;
use super::travel::RawTravel;
use super::{Builder, opt};
use crate::calendar::MONTH_MIN;
use crate::scenario::read::{Val, join};
use crate::scenario::{BUILTIN_PROFILES, builtin_profile};

/// The highest demand a region may have, contacts per hour (beyond it a
/// replication would not finish in reasonable time).
const MAX_CALLS_PER_HOUR: f64 = 100_000.0;

/// A zone before regions are numbered.
pub(super) struct RawZone {
    pub(super) name: String,
    pub(super) weight: f64,
    pub(super) coords: Option<(f64, f64)>,
    pub(super) area_sqmi: Option<f64>,
}

pub(super) struct RawRegion {
    pub(super) name: String,
    pub(super) span: Range<usize>,
    pub(super) population: f64,
    pub(super) rate_per_min: f64,
    pub(super) profile: [f64; 168],
    pub(super) month_factors: [f64; 12],
    pub(super) zones: Vec<RawZone>,
    pub(super) travel: RawTravel,
    pub(super) travel_by_hour: Option<[f64; 24]>,
    pub(super) destinations: Vec<RawDestination>,
    pub(super) mutual_aid: Vec<(String, Range<usize>)>,
    pub(super) teams: Vec<RawTeams>,
}

/// A destination as read: `destinations.NAME = { zone, type, capacity }`.
pub(super) struct RawDestination {
    pub(super) name: String,
    pub(super) zone: (String, Range<usize>),
    pub(super) kind: String,
    pub(super) capacity: Option<u32>,
}

impl Builder<'_, '_> {
    pub(super) fn regions(&mut self, v: &Val<'_>, demand_scale: f64) -> Vec<RawRegion> {
        let Some(t) = self.r.table(v, "regions") else {
            return Vec::new();
        };
        if t.is_empty() {
            self.r
                .problem(v.span(), "regions", "expected at least one region");
        }
        if t.len() > MAX_REGIONS {
            self.r.problem(
                v.span(),
                "regions",
                format!("expected at most {MAX_REGIONS} regions, found {}", t.len()),
            );
        }
        let mut out = Vec::new();
        for (k, rv) in t.iter() {
            let path = join("regions", k.get_ref());
            if let Some(region) = self.region(k.get_ref(), rv, &path, demand_scale) {
                out.push(region);
            }
        }
        out
    }

    fn region(&mut self, name: &str, v: &Val<'_>, path: &str, demand_scale: f64) -> Option<RawRegion> {
        let t = self.r.table(v, path)?;
        let span = v.span();
        self.r.only_keys(
            t,
            path,
            &[
                "population",
                "calls_per_100k_per_month",
                "calls_per_hour",
                "profile",
                "month_factors",
                "mutual_aid",
                "zones",
                "travel",
                "teams",
                "destinations",
            ],
        );
        let population = match self
            .r
            .required(t, span.clone(), path, "population", "the number of residents")
        {
            Some(pv) => self.r.number_where(
                pv,
                &join(path, "population"),
                "a number of residents > 0 and at most 1e10",
                |x| x > 0.0 && x <= 1e10,
            ),
            None => None,
        };
        let rate_per_min = match (opt(t, "calls_per_100k_per_month"), opt(t, "calls_per_hour")) {
            (Some(mv), None) => self
                .r
                .number_where(mv, &join(path, "calls_per_100k_per_month"), "a rate >= 0", |x| {
                    x >= 0.0
                })
                .and_then(|m| population.map(|p| m * p / 100_000.0 / MONTH_MIN)),
            (None, Some(hv)) => self
                .r
                .number_where(hv, &join(path, "calls_per_hour"), "a rate >= 0", |x| x >= 0.0)
                .map(|h| h / 60.0),
            _ => {
                self.r.problem(
                    span.clone(),
                    path,
                    "give the demand as exactly one of `calls_per_100k_per_month` or `calls_per_hour`",
                );
                None
            }
        };
        let profile = match opt(t, "profile") {
            None => Some([1.0; 168]),
            Some(pv) => self.profile(pv, &join(path, "profile")),
        };
        let month_factors = match opt(t, "month_factors") {
            None => Some([1.0; 12]),
            Some(mv) => {
                let mpath = join(path, "month_factors");
                self.r.numbers(mv, &mpath).and_then(|f| {
                    if f.len() != 12 || f.iter().any(|x| !(0.0..=1e6).contains(x)) {
                        self.r.problem(
                            mv.span(),
                            &mpath,
                            format!(
                                "expected 12 factors >= 0 (January to December), found {} values",
                                f.len()
                            ),
                        );
                        None
                    } else {
                        let mut out = [0.0; 12];
                        out.copy_from_slice(&f);
                        Some(out)
                    }
                })
            }
        };
        let mut mutual_aid = Vec::new();
        if let Some(mv) = opt(t, "mutual_aid") {
            let mpath = join(path, "mutual_aid");
            if let Some(items) = self.r.array(mv, &mpath) {
                for (i, item) in items.iter().enumerate() {
                    if let Some(s) = self.r.string(item, &format!("{mpath}[{i}]")) {
                        mutual_aid.push((s.to_string(), item.span()));
                    }
                }
            }
        }
        let zones = match opt(t, "zones") {
            None => Some(vec![RawZone {
                name: name.to_string(),
                weight: 1.0,
                coords: None,
                area_sqmi: None,
            }]),
            Some(zv) => self.zones(zv, &join(path, "zones")),
        };
        let travel = match self.r.required(
            t,
            span.clone(),
            path,
            "travel",
            "a table: `time`, `matrix` or `speed_mph`",
        ) {
            Some(tv) => self.travel(tv, &join(path, "travel")),
            None => None,
        };
        let travel_by_hour = match opt(t, "travel") {
            Some(tv) => self.travel_by_hour(tv, &join(path, "travel")),
            None => Some(None),
        };
        let destinations = match opt(t, "destinations") {
            None => Some(Vec::new()),
            Some(dv) => self.destinations(dv, &join(path, "destinations")),
        };
        let teams = match opt(t, "teams") {
            None => Some(Vec::new()),
            Some(tv) => self.teams(tv, &join(path, "teams")),
        };
        if let Some(rate) = rate_per_min
            && rate * demand_scale * 60.0 > MAX_CALLS_PER_HOUR
        {
            self.r.problem(
                span.clone(),
                path,
                format!(
                    "demand of {:.0} contacts per hour (after demand_scale) is above the limit of {MAX_CALLS_PER_HOUR}",
                    rate * demand_scale * 60.0
                ),
            );
            return None;
        }
        Some(RawRegion {
            name: name.to_string(),
            span,
            population: population?,
            rate_per_min: rate_per_min? * demand_scale,
            profile: profile?,
            month_factors: month_factors?,
            zones: zones?,
            travel: travel?,
            travel_by_hour: travel_by_hour?,
            destinations: destinations?,
            mutual_aid,
            teams: teams?,
        })
    }

    fn destinations(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<RawDestination>> {
        let t = self.r.table(v, path)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, dv) in t.iter() {
            let dpath = join(path, k.get_ref());
            let Some(dt) = self.r.table(dv, &dpath) else {
                ok = false;
                continue;
            };
            self.r.only_keys(dt, &dpath, &["zone", "type", "capacity"]);
            let zone = self
                .r
                .required(dt, dv.span(), &dpath, "zone", "the zone it is in")
                .and_then(|zv| {
                    self.r
                        .string(zv, &join(&dpath, "zone"))
                        .map(|s| (s.to_string(), zv.span()))
                });
            let kind = self
                .r
                .required(
                    dt,
                    dv.span(),
                    &dpath,
                    "type",
                    "a type that call types' `transport.to` name",
                )
                .and_then(|kv| self.r.string(kv, &join(&dpath, "type")).map(str::to_string));
            let capacity = match opt(dt, "capacity") {
                None => Some(None),
                Some(cv) => match self.r.count(cv, &join(&dpath, "capacity")) {
                    Some(c) if (1..=10_000).contains(&c) => Some(Some(c as u32)),
                    Some(c) => {
                        self.r.problem(
                            cv.span(),
                            &join(&dpath, "capacity"),
                            format!("expected 1 to 10000 beds or chairs, found {c}"),
                        );
                        None
                    }
                    None => None,
                },
            };
            match (zone, kind, capacity) {
                (Some(zone), Some(kind), Some(capacity)) => out.push(RawDestination {
                    name: k.get_ref().to_string(),
                    zone,
                    kind,
                    capacity,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn profile(&mut self, v: &Val<'_>, path: &str) -> Option<[f64; 168]> {
        let raw = match v.get_ref() {
            DeValue::String(s) => match builtin_profile(s) {
                Some(p) => p,
                None => {
                    let names: Vec<&str> = BUILTIN_PROFILES.iter().map(|(n, _)| *n).collect();
                    self.r.problem(
                        v.span(),
                        path,
                        format!(
                            "expected a built-in profile ({}) or 168 factors, found {s:?}",
                            names.join(", ")
                        ),
                    );
                    return None;
                }
            },
            _ => {
                let f = self.r.numbers(v, path)?;
                if f.len() != 168
                    || f.iter().any(|x| !(0.0..=1e6).contains(x))
                    || f.iter().sum::<f64>() < 1e-6
                {
                    self.r.problem(
                        v.span(),
                        path,
                        format!(
                            "expected 168 hour-of-week factors from 0 to 1e6 (Monday 00:00 first), not all zero; found {} values",
                            f.len()
                        ),
                    );
                    return None;
                }
                let mut out = [0.0; 168];
                out.copy_from_slice(&f);
                out
            }
        };
        let mean = raw.iter().sum::<f64>() / 168.0;
        Some(raw.map(|x| x / mean))
    }

    fn zones(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<RawZone>> {
        let t = self.r.table(v, path)?;
        if t.is_empty() {
            self.r.problem(v.span(), path, "expected at least one zone");
            return None;
        }
        let mut out = Vec::new();
        let mut ok = true;
        for (k, zv) in t.iter() {
            let zpath = join(path, k.get_ref());
            let mut zone = RawZone {
                name: k.get_ref().to_string(),
                weight: 1.0,
                coords: None,
                area_sqmi: None,
            };
            match zv.get_ref() {
                DeValue::Integer(_) | DeValue::Float(_) => {
                    match self
                        .r
                        .number_where(zv, &zpath, "a demand weight >= 0", |x| x >= 0.0)
                    {
                        Some(w) => zone.weight = w,
                        None => ok = false,
                    }
                }
                _ => {
                    let Some(zt) = self.r.table(zv, &zpath) else {
                        ok = false;
                        continue;
                    };
                    self.r
                        .only_keys(zt, &zpath, &["weight", "lat", "lon", "area_sqmi"]);
                    let get =
                        |b: &mut Self, key: &str, what: &str, f: fn(f64) -> bool| -> Option<Option<f64>> {
                            match opt(zt, key) {
                                Some(x) => b.r.number_where(x, &join(&zpath, key), what, f).map(Some),
                                None => Some(None),
                            }
                        };
                    let weight = get(self, "weight", "a demand weight >= 0", |x| x >= 0.0);
                    let lat = get(self, "lat", "a latitude in degrees", |x| {
                        (-90.0..=90.0).contains(&x)
                    });
                    let lon = get(self, "lon", "a longitude in degrees", |x| {
                        (-180.0..=180.0).contains(&x)
                    });
                    let area = get(self, "area_sqmi", "an area in square miles >= 0", |x| x >= 0.0);
                    match (weight, lat, lon, area) {
                        (Some(w), Some(lat), Some(lon), Some(area)) => {
                            zone.weight = w.unwrap_or(1.0);
                            zone.area_sqmi = area;
                            match (lat, lon) {
                                (Some(a), Some(o)) => zone.coords = Some((a, o)),
                                (None, None) => {}
                                _ => {
                                    self.r.problem(
                                        zv.span(),
                                        &zpath,
                                        "give both `lat` and `lon`, or neither",
                                    );
                                    ok = false;
                                }
                            }
                        }
                        _ => ok = false,
                    }
                }
            }
            out.push(zone);
        }
        if ok && out.iter().map(|z| z.weight).sum::<f64>() <= 0.0 {
            self.r
                .problem(v.span(), path, "zone weights must not all be zero");
            ok = false;
        }
        ok.then_some(out)
    }
}

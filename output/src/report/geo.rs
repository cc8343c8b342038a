//! Maps by zone: each Illinois county, and each Chicago police district,
//! coloured by its own diverted share, with the EMS Regions outlined and
//! named.

use std::collections::{BTreeMap, HashMap};

use sim::RunResults;

use super::charts::{Area, Map, Ring};

const COUNTIES: &str = include_str!("../../assets/illinois_counties.geojson");
/// The City of Chicago's police districts (simplified by
/// `assets/make_chicago_districts.py`; City of Chicago Data Portal).
const DISTRICTS: &str = include_str!("../../assets/chicago_police_districts.geojson");

/// Each zone's share of mobile calls diverted, percent: diverted over
/// mobile-eligible calls, summed over the months (NaN with no mobile calls).
pub(crate) fn zone_shares(res: &RunResults) -> HashMap<String, f64> {
    let mut sums: HashMap<&str, (f64, f64)> = HashMap::new();
    for row in &res.month_zone {
        let count = |k: &str| row.counts.get(k).map_or(0.0, |e| e.mean);
        let s = sums.entry(row.zone.as_str()).or_default();
        s.0 += count("diverted_capacity");
        s.1 += count("mobile_eligible");
    }
    sums.into_iter()
        .map(|(z, (d, m))| (z.to_string(), if m > 0.0 { 100.0 * d / m } else { f64::NAN }))
        .collect()
}

/// The polygons of a GeoJSON feature (Polygon or MultiPolygon), as rings.
fn rings(geometry: &serde_json::Value) -> Vec<Ring> {
    let ring = |r: &serde_json::Value| -> Ring {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p[0].as_f64()?, p[1].as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords
            .as_array()
            .map(|rs| rs.iter().map(ring).collect())
            .unwrap_or_default(),
        Some("MultiPolygon") => coords
            .as_array()
            .map(|ps| {
                ps.iter()
                    .filter_map(|p| p.as_array())
                    .flat_map(|rs| rs.iter().map(ring))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A point rounded to 1e-4 degrees, to match the shared borders of two
/// polygons.
type Key = (i64, i64);
/// A segment seen so far: a count (2 = shared within one group), the group
/// of the first area it was seen in, and its two ends.
type Seen = (usize, usize, (f64, f64), (f64, f64));

/// The lines between areas of different groups, and the outer boundary:
/// every segment that belongs to one area only, or to areas of two groups.
fn outlines(areas: &[(Vec<Ring>, usize)]) -> Vec<Ring> {
    let q = |p: (f64, f64)| ((p.0 * 1e4).round() as i64, (p.1 * 1e4).round() as i64);
    let mut seen: BTreeMap<(Key, Key), Seen> = BTreeMap::new();
    for (rings, group) in areas {
        for ring in rings {
            for w in ring.windows(2) {
                let (a, b) = (q(w[0]), q(w[1]));
                if a == b {
                    continue;
                }
                let key = if a < b { (a, b) } else { (b, a) };
                let e = seen.entry(key).or_insert((0, *group, w[0], w[1]));
                e.0 += if e.1 == *group { 1 } else { 2 };
            }
        }
    }
    seen.values()
        .filter(|(n, ..)| *n != 2)
        .map(|&(_, _, a, b)| vec![a, b])
        .collect()
}

/// The state map (counties, Regions outlined and named) and, when the
/// scenario has Chicago's police districts as zones ("Chicago District N"),
/// a map of the city by district. `None` when the zones are not Illinois
/// counties.
pub(crate) fn illinois_maps(res: &RunResults, scenario: &sim::Scenario) -> Option<(Map, Option<Map>)> {
    let shares = zone_shares(res);
    let normal = |s: &str| s.replace(' ', "").to_lowercase();
    let zone_of = |name: &str| scenario.zones().iter().find(|z| normal(&z.name) == normal(name));
    let label = "% of mobile calls diverted".to_string();
    // Cook: the population-weighted share of the zones inside it that the
    // state map cannot show one by one (suburban parts; Chicago when it is
    // one zone).
    let cook_zones: Vec<&sim::scenario::Zone> = scenario
        .zones()
        .iter()
        .filter(|z| z.name.contains("Cook") || z.name == "City of Chicago")
        .collect();
    let cook_weight: f64 = cook_zones.iter().map(|z| z.weight).sum();
    let cook_share = (cook_weight > 0.0)
        .then(|| {
            cook_zones
                .iter()
                .map(|z| shares.get(&z.name).copied().unwrap_or(f64::NAN) * z.weight)
                .sum::<f64>()
                / cook_weight
        })
        .filter(|v| v.is_finite());
    let geo: serde_json::Value = serde_json::from_str(COUNTIES).ok()?;
    let regions = scenario.regions().len();
    let mut areas: Vec<Area> = Vec::new();
    let mut grouped = Vec::new();
    let mut matched = 0;
    for f in geo["features"].as_array()? {
        let name = f["properties"]["name"].as_str()?;
        let rs = rings(&f["geometry"]);
        let (value, group) = if name == "Cook" {
            (cook_share, regions)
        } else {
            match zone_of(name) {
                Some(z) => (shares.get(&z.name).copied().filter(|v| v.is_finite()), z.region),
                None => (None, regions + 1),
            }
        };
        if group < regions {
            matched += 1;
        }
        grouped.push((rs.clone(), group));
        areas.push((rs, value));
    }
    if matched < 90 {
        return None;
    }
    // Region names at the population-weighted centre of their zones.
    let labels = scenario
        .regions()
        .iter()
        .enumerate()
        .filter_map(|(ri, r)| {
            let zs: Vec<_> = scenario
                .zones()
                .iter()
                .filter(|z| z.region == ri && z.coords.is_some())
                .collect();
            let w: f64 = zs.iter().map(|z| z.weight.max(1.0)).sum();
            if w <= 0.0 {
                return None;
            }
            let (lat, lon) = zs.iter().fold((0.0, 0.0), |(a, b), z| {
                let (la, lo) = z.coords.unwrap_or_default();
                (a + la * z.weight.max(1.0) / w, b + lo * z.weight.max(1.0) / w)
            });
            Some((r.name.replace("Region ", ""), (lon, lat)))
        })
        .collect();
    let max = areas.iter().filter_map(|a| a.1).fold(1.0, f64::max);
    let state = Map {
        outlines: outlines(&grouped),
        areas,
        labels,
        max,
        label: label.clone(),
    };
    // Chicago by police district.
    let geo: serde_json::Value = serde_json::from_str(DISTRICTS).ok()?;
    let mut districts = Vec::new();
    let mut labels = Vec::new();
    for f in geo["features"].as_array()? {
        let n = f["properties"]["dist_num"].as_u64()?;
        let Some(z) = zone_of(&format!("Chicago District {n}")) else {
            continue;
        };
        let rs = rings(&f["geometry"]);
        if let Some((lat, lon)) = z.coords {
            labels.push((n.to_string(), (lon, lat)));
        }
        districts.push((rs, shares.get(&z.name).copied().filter(|v| v.is_finite())));
    }
    let city = (districts.len() == 22).then(|| {
        let max = districts.iter().filter_map(|a| a.1).fold(1.0, f64::max);
        // District borders are white lines; the city is one region.
        Map {
            outlines: Vec::new(),
            areas: districts,
            labels,
            max,
            label,
        }
    });
    Some((state, city))
}

//! Travel between zones: one duration for every trip, a zone-to-zone
//! matrix of minutes, or speed over zone coordinates ([`GeoTravel`]), with
//! the great-circle distance it uses.

use std::collections::BTreeMap;
use std::ops::Range;

use super::{Builder, opt};
use crate::dist::Dist;
use crate::scenario::Zone;
use crate::scenario::read::{Val, join};
use toml::de::DeValue;

pub(super) enum RawTravel {
    Time(Dist),
    Matrix {
        minutes: BTreeMap<(String, String), f64>,
        factor: Dist,
        span: Range<usize>,
    },
    Geo(GeoTravel),
}

/// Mean travel time from zone coordinates: road miles = circuity x
/// great-circle miles + within_zone x sqrt(destination area), driven at
/// `speed_mph`, or, with `acceleration`, by the square-root law.
#[derive(Debug, Clone)]
pub(crate) struct GeoTravel {
    /// Cruising speed, miles per hour.
    pub speed_mph: f64,
    /// Road miles per straight-line mile (>= 1).
    pub circuity: f64,
    /// Miles added per square root of the destination zone's area (sq mi).
    pub within_zone: f64,
    /// Effective acceleration, miles per minute²; `None` = constant speed.
    pub acceleration: Option<f64>,
    /// Random factor on each trip.
    pub factor: Dist,
}

impl Builder<'_, '_> {
    /// A travel table's `by_hour`: 24 factors (> 0, at most 10) on the trips
    /// that start in each hour of the day, hour 0 first; `Some(None)` when
    /// absent, `None` when wrong (reported).
    pub(super) fn travel_by_hour(&mut self, v: &Val<'_>, path: &str) -> Option<Option<[f64; 24]>> {
        let DeValue::Table(t) = v.get_ref() else {
            return Some(None);
        };
        let Some(bv) = opt(t, "by_hour") else {
            return Some(None);
        };
        let bpath = join(path, "by_hour");
        let items = self.r.array(bv, &bpath)?;
        if items.len() != 24 {
            self.r.problem(
                bv.span(),
                &bpath,
                format!("expected 24 factors (hours 0 to 23), found {}", items.len()),
            );
            return None;
        }
        let mut out = [1.0; 24];
        let mut ok = true;
        for (h, item) in items.iter().enumerate() {
            match self.r.number_where(
                item,
                &format!("{bpath}[{h}]"),
                "a factor > 0 and at most 10",
                |x| x > 0.0 && x <= 10.0,
            ) {
                Some(x) => out[h] = x,
                None => ok = false,
            }
        }
        ok.then_some(Some(out))
    }

    pub(super) fn travel(&mut self, v: &Val<'_>, path: &str) -> Option<RawTravel> {
        let t = self.r.table(v, path)?;
        self.r.only_keys(
            t,
            path,
            &[
                "time",
                "matrix",
                "factor",
                "speed_mph",
                "circuity",
                "within_zone",
                "acceleration",
                "by_hour",
            ],
        );
        let forms = ["time", "matrix", "speed_mph"]
            .iter()
            .filter(|k| t.contains_key(**k))
            .count();
        if forms != 1 {
            self.r.problem(
                v.span(),
                path,
                "give exactly one of `time` (a distribution), `matrix` (zone-to-zone minutes) or `speed_mph` (from zone coordinates)",
            );
            return None;
        }
        let factor = match opt(t, "factor") {
            Some(fv) => self.dist(fv, &join(path, "factor")),
            None => Some(Dist::ONE),
        };
        if let Some(tv) = opt(t, "time") {
            for key in ["factor", "circuity", "within_zone", "acceleration"] {
                if let Some((k, _)) = t.get_key_value(key) {
                    self.r.problem(
                        k.span(),
                        &join(path, key),
                        "only used with `matrix` or `speed_mph`, not with `time`",
                    );
                }
            }
            return self.dist(tv, &join(path, "time")).map(RawTravel::Time);
        }
        if let Some(mv) = opt(t, "matrix") {
            for key in ["circuity", "within_zone", "acceleration"] {
                if let Some((k, _)) = t.get_key_value(key) {
                    self.r
                        .problem(k.span(), &join(path, key), "only used with `speed_mph`");
                }
            }
            let mpath = join(path, "matrix");
            let mt = self.r.table(mv, &mpath)?;
            let mut minutes = BTreeMap::new();
            let mut ok = true;
            for (from, row) in mt.iter() {
                let rpath = join(&mpath, from.get_ref());
                let Some(rt) = self.r.table(row, &rpath) else {
                    ok = false;
                    continue;
                };
                for (to, x) in rt.iter() {
                    match self
                        .r
                        .number_where(x, &join(&rpath, to.get_ref()), "minutes >= 0", |m| m >= 0.0)
                    {
                        Some(m) => {
                            minutes.insert((from.get_ref().to_string(), to.get_ref().to_string()), m);
                        }
                        None => ok = false,
                    }
                }
            }
            return (ok && factor.is_some()).then(|| RawTravel::Matrix {
                minutes,
                factor: factor.unwrap_or(Dist::ONE),
                span: mv.span(),
            });
        }
        let speed = opt(t, "speed_mph").and_then(|sv| {
            self.r
                .number_where(sv, &join(path, "speed_mph"), "a speed in mph > 0", |x| x > 0.0)
        });
        let circuity = match opt(t, "circuity") {
            Some(cv) => self.r.number_where(
                cv,
                &join(path, "circuity"),
                "a road/straight-line ratio >= 1",
                |x| x >= 1.0,
            ),
            None => Some(1.3),
        };
        let within_zone = match opt(t, "within_zone") {
            Some(wv) => self.r.number_where(
                wv,
                &join(path, "within_zone"),
                "a factor >= 0 on the square root of the zone area",
                |x| x >= 0.0,
            ),
            None => Some(0.5),
        };
        let acceleration = match opt(t, "acceleration") {
            Some(av) => self
                .r
                .number_where(
                    av,
                    &join(path, "acceleration"),
                    "an effective acceleration in miles per minute² > 0",
                    |x| x > 0.0,
                )
                .map(Some),
            None => Some(None),
        };
        Some(RawTravel::Geo(GeoTravel {
            speed_mph: speed?,
            circuity: circuity?,
            within_zone: within_zone?,
            acceleration: acceleration?,
            factor: factor?,
        }))
    }
}

impl GeoTravel {
    /// Mean travel minutes from zone `a` to zone `b` (`None` without
    /// coordinates).
    pub(super) fn minutes(&self, a: &Zone, b: &Zone) -> Option<f64> {
        let (pa, pb) = (a.coords?, b.coords?);
        let miles =
            self.circuity * great_circle_miles(pa, pb) + self.within_zone * b.area_sqmi.unwrap_or(0.0).sqrt();
        Some(self.trip_minutes(miles))
    }

    /// Minutes to drive `miles` road miles. At constant speed: miles /
    /// speed. With an acceleration `a` (miles/min²) and cruising speed `v`
    /// (miles/min), the square-root law of Kolesar and Walker (RAND R-1449,
    /// 1974; Larson and Odoni, *Urban Operations Research*, §3.7.2):
    /// `2 sqrt(d / a)` up to `d = v² / a`, where the cruising speed is
    /// reached, and `v / a + d / v` beyond, so short trips are slow (streets,
    /// turns) and long ones approach the cruising speed (highways).
    pub(crate) fn trip_minutes(&self, miles: f64) -> f64 {
        let v = self.speed_mph / 60.0;
        match self.acceleration {
            None => miles / v,
            Some(a) if miles <= v * v / a => 2.0 * (miles / a).sqrt(),
            Some(a) => v / a + miles / v,
        }
    }
}

/// Great-circle distance in miles between two (lat, lon) points in degrees.
pub(crate) fn great_circle_miles(a: (f64, f64), b: (f64, f64)) -> f64 {
    const EARTH_RADIUS_MI: f64 = 3958.8;
    let (la1, lo1) = (a.0.to_radians(), a.1.to_radians());
    let (la2, lo2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((la2 - la1) / 2.0).sin().powi(2) + la1.cos() * la2.cos() * ((lo2 - lo1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_MI * h.sqrt().min(1.0).asin()
}

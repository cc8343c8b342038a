//! From TOML text to a validated [`Scenario`], collecting every problem.

use std::collections::BTreeMap;
use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::read::{Reader, Val, join, type_name};
use super::*;
use crate::calendar::{DAY_MIN, MONTH_MIN};
use crate::dist::{Dist, Duration, MAX_SCALE};
use crate::schedule::Schedule;

/// The highest demand a region may have, contacts per hour (beyond it a
/// replication would not finish in reasonable time).
const MAX_CALLS_PER_HOUR: f64 = 100_000.0;

/// Tolerance for shares that must sum to 1.
const SUM_TOL: f64 = 1e-6;

/// Why a scaled duration cannot fail: `scale` admits only (0, MAX_SCALE].
const SCALES_CHECKED: &str = "scale factors are validated to (0, MAX_SCALE]";

pub(super) fn build(text: &str, file: &str) -> Result<Scenario, ScenarioError> {
    let mut r = Reader::new(text);
    let Some(root) = r.parse() else {
        return Err(r.into_error(file));
    };
    let span = root.span();
    let built = Builder { r: &mut r }.scenario(root.get_ref(), span, text);
    match built {
        Some(s) if r.problems.is_empty() => Ok(s),
        _ => Err(r.into_error(file)),
    }
}

struct Builder<'r, 's> {
    r: &'r mut Reader<'s>,
}

/// A zone before regions are numbered.
struct RawZone {
    name: String,
    weight: f64,
    coords: Option<(f64, f64)>,
    area_sqmi: Option<f64>,
}

enum RawTravel {
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

struct RawTeams {
    name: String,
    count: u32,
    base: Option<(String, Range<usize>)>,
    schedule: Schedule,
    overtime_min: f64,
    span: Range<usize>,
}

struct RawRegion {
    name: String,
    span: Range<usize>,
    population: f64,
    rate_per_min: f64,
    profile: [f64; 168],
    month_factors: [f64; 12],
    zones: Vec<RawZone>,
    travel: RawTravel,
    mutual_aid: Vec<(String, Range<usize>)>,
    teams: Vec<RawTeams>,
}

struct RawCallType {
    ct: CallType,
    default_max: MaxResponse,
    by_region: Vec<(String, MaxResponse, Range<usize>)>,
}

fn opt<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Val<'i>> {
    t.get(key)
}

impl Builder<'_, '_> {
    /// Names (every key, and the scenario's name and description) must be
    /// printable text of at most 200 characters: they reach terminals, CSV
    /// files, file names and web pages.
    fn names(&mut self, t: &DeTable<'_>, path: &str) {
        for (k, v) in t.iter() {
            let key = join(path, k.get_ref());
            if let Some(why) = bad_name(k.get_ref()) {
                self.r.problem(k.span(), &key, format!("a name {why}"));
            }
            match v.get_ref() {
                DeValue::Table(inner) => self.names(inner, &key),
                DeValue::String(text)
                    if path.is_empty() && matches!(k.get_ref().as_ref(), "name" | "description") =>
                {
                    let limit = if k.get_ref() == "name" { 200 } else { 2000 };
                    if text.chars().any(char::is_control) || text.chars().count() > limit {
                        self.r.problem(
                            v.span(),
                            &key,
                            format!("expected text of at most {limit} characters without control characters"),
                        );
                    }
                }
                _ => {}
            }
        }
    }

    fn scenario(&mut self, root: &DeTable<'_>, span: Range<usize>, text: &str) -> Option<Scenario> {
        self.names(root, "");
        self.r.only_keys(
            root,
            "",
            &[
                "name",
                "description",
                "demand_scale",
                "travel_scale",
                "on_scene_scale",
                "run",
                "dispatch",
                "channels",
                "call_types",
                "regions",
            ],
        );
        let name = match opt(root, "name") {
            Some(v) => self.r.string(v, "name").unwrap_or_default().to_string(),
            None => "unnamed scenario".to_string(),
        };
        if let Some(v) = opt(root, "description") {
            self.r.string(v, "description");
        }
        let demand_scale = self.scale(root, "demand_scale");
        let travel_scale = self.scale(root, "travel_scale");
        let on_scene_scale = self.scale(root, "on_scene_scale");
        let run = self.run(root);
        let dispatch = self.dispatch(root);
        let channels = self.channels(root);
        let raw_types = match self
            .r
            .required(root, span.clone(), "", "call_types", "a table of call types")
        {
            Some(v) => self.call_types(v, on_scene_scale),
            None => Vec::new(),
        };
        let raw_regions = match self.r.required(root, span, "", "regions", "a table of regions") {
            Some(v) => self.regions(v, demand_scale),
            None => Vec::new(),
        };
        self.assemble(
            name,
            text,
            run?,
            demand_scale,
            travel_scale,
            on_scene_scale,
            dispatch?,
            channels?,
            raw_types,
            raw_regions,
        )
    }

    fn scale(&mut self, t: &DeTable<'_>, key: &str) -> f64 {
        match opt(t, key) {
            Some(v) => self
                .r
                .number_where(v, key, &format!("a number > 0 and at most {MAX_SCALE}"), |x| {
                    x > 0.0 && x <= MAX_SCALE
                })
                .unwrap_or(1.0),
            None => 1.0,
        }
    }

    fn run(&mut self, root: &DeTable<'_>) -> Option<RunSettings> {
        let mut run = RunSettings {
            start_date: jiff::civil::date(2027, 7, 1),
            horizon_min: 365.0 * DAY_MIN,
            warmup_min: 0.0,
            replications: 100,
            seed: 1,
        };
        let Some(v) = opt(root, "run") else {
            return Some(run);
        };
        let t = self.r.table(v, "run")?;
        self.r.only_keys(
            t,
            "run",
            &[
                "start_date",
                "horizon_days",
                "warmup_days",
                "replications",
                "seed",
            ],
        );
        if let Some(v) = opt(t, "start_date") {
            let text = match v.get_ref() {
                DeValue::Datetime(d) if d.time.is_none() && d.offset.is_none() => Some(d.to_string()),
                DeValue::String(s) => Some(s.to_string()),
                other => {
                    let found = type_name(other);
                    self.r.problem(
                        v.span(),
                        "run.start_date",
                        format!("expected a date like 2027-07-01, found {found}"),
                    );
                    None
                }
            };
            if let Some(text) = text {
                match text.parse::<jiff::civil::Date>() {
                    Ok(d) if text.len() == 10 => run.start_date = d,
                    _ => self.r.problem(
                        v.span(),
                        "run.start_date",
                        format!("expected a date like 2027-07-01 (no time of day), found {text:?}"),
                    ),
                }
            }
        }
        if let Some(v) = opt(t, "horizon_days")
            && let Some(d) =
                self.r
                    .number_where(v, "run.horizon_days", "a number of days > 0 and <= 36525", |x| {
                        x > 0.0 && x <= 36525.0
                    })
        {
            run.horizon_min = d * DAY_MIN;
        }
        if let Some(v) = opt(t, "warmup_days") {
            let horizon_days = run.horizon_min / DAY_MIN;
            let expected = format!("a number of days >= 0 and below horizon_days ({horizon_days})");
            if let Some(d) = self
                .r
                .number_where(v, "run.warmup_days", &expected, |x| x >= 0.0 && x < horizon_days)
            {
                run.warmup_min = d * DAY_MIN;
            }
        }
        if let Some(v) = opt(t, "replications") {
            match self.r.count(v, "run.replications") {
                Some(n) if (1..=1_000_000).contains(&n) => run.replications = n as u32,
                Some(n) => self.r.problem(
                    v.span(),
                    "run.replications",
                    format!("expected 1 to 1000000, found {n}"),
                ),
                None => {}
            }
        }
        if let Some(v) = opt(t, "seed")
            && let Some(s) = self.r.count(v, "run.seed")
        {
            run.seed = s;
        }
        // The calendar runs to the end of the month after the horizon.
        let last = run
            .start_date
            .checked_add(jiff::Span::new().days((run.horizon_min / DAY_MIN).ceil() as i64 + 62));
        if last.is_err() {
            let span = opt(t, "start_date")
                .or(opt(t, "horizon_days"))
                .map_or(0..0, |v| v.span());
            self.r.problem(
                span,
                "run.start_date",
                format!(
                    "the run from {} over {} days ends past 9999-12-31, the last date the calendar knows",
                    run.start_date,
                    run.horizon_min / DAY_MIN
                ),
            );
            return None;
        }
        Some(run)
    }

    fn dispatch(&mut self, root: &DeTable<'_>) -> Option<Dispatch> {
        let mut d = Dispatch {
            policy: Policy::Predict,
            candidates: Candidates::Any,
            estimate: Knowledge::Expected,
            after_call: AfterCall::ReturnToBase,
        };
        let Some(v) = opt(root, "dispatch") else {
            return Some(d);
        };
        let t = self.r.table(v, "dispatch")?;
        self.r
            .only_keys(t, "dispatch", &["policy", "candidates", "estimate", "after_call"]);
        if let Some(v) = opt(t, "policy") {
            d.policy = self
                .r
                .choice(
                    v,
                    "dispatch.policy",
                    &[("predict", Policy::Predict), ("escalate", Policy::Escalate)],
                )
                .unwrap_or(d.policy);
        }
        if let Some(v) = opt(t, "candidates") {
            d.candidates = self
                .r
                .choice(
                    v,
                    "dispatch.candidates",
                    &[("idle", Candidates::Idle), ("any", Candidates::Any)],
                )
                .unwrap_or(d.candidates);
        }
        if let Some(v) = opt(t, "estimate") {
            d.estimate = self
                .r
                .choice(
                    v,
                    "dispatch.estimate",
                    &[("exact", Knowledge::Exact), ("expected", Knowledge::Expected)],
                )
                .unwrap_or(d.estimate);
        }
        if let Some(v) = opt(t, "after_call") {
            d.after_call = self
                .r
                .choice(
                    v,
                    "dispatch.after_call",
                    &[
                        ("return_to_base", AfterCall::ReturnToBase),
                        ("stay", AfterCall::Stay),
                    ],
                )
                .unwrap_or(d.after_call);
        }
        Some(d)
    }

    /// A duration: a plain number (fixed minutes) or an inline table naming
    /// its distribution.
    fn dist(&mut self, v: &Val<'_>, path: &str) -> Option<Dist> {
        if matches!(v.get_ref(), DeValue::Integer(_) | DeValue::Float(_)) {
            let x = self
                .r
                .number_where(v, path, "a number of minutes >= 0", |x| x >= 0.0)?;
            return match Dist::fixed(x) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.r.problem(v.span(), path, e.0);
                    None
                }
            };
        }
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                let found = type_name(other);
                self.r.problem(
                    v.span(),
                    path,
                    format!("expected minutes or a distribution such as {{ dist = \"exponential\", mean = 60 }}, found {found}"),
                );
                return None;
            }
        };
        let kind = self
            .r
            .required(t, v.span(), path, "dist", "the distribution's name")?;
        let kinds = [
            "fixed",
            "exponential",
            "lognormal",
            "gamma",
            "uniform",
            "triangular",
            "empirical",
        ];
        let kpath = join(path, "dist");
        let name = self.r.string(kind, &kpath)?;
        if !kinds.contains(&name) {
            self.r.problem(
                kind.span(),
                &kpath,
                format!("expected one of {}, found {name:?}", kinds.join(", ")),
            );
            return None;
        }
        let params: &[&str] = match name {
            "fixed" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["mean", "sd", "median", "p90"],
            "gamma" => &["mean", "sd"],
            "uniform" => &["low", "high"],
            "triangular" => &["low", "mode", "high"],
            _ => &["values", "quantiles"],
        };
        let allowed: Vec<&str> = std::iter::once("dist").chain(params.iter().copied()).collect();
        self.r.only_keys(t, path, &allowed);
        let num = |b: &mut Self, key: &str| -> Option<f64> {
            let kp = join(path, key);
            let v = b.r.required(t, v.span(), path, key, "a number")?;
            b.r.number(v, &kp)
        };
        let result = match name {
            "fixed" => Dist::fixed(num(self, "value")?),
            "exponential" => Dist::exponential(num(self, "mean")?),
            "lognormal" => {
                if t.contains_key("median") || t.contains_key("p90") {
                    if t.contains_key("mean") || t.contains_key("sd") {
                        self.r.problem(
                            v.span(),
                            path,
                            "give a lognormal either by mean and sd or by median and p90, not both",
                        );
                        return None;
                    }
                    let (m, p) = (num(self, "median"), num(self, "p90"));
                    Dist::lognormal_median_p90(m?, p?)
                } else {
                    let (m, s) = (num(self, "mean"), num(self, "sd"));
                    Dist::lognormal_mean_sd(m?, s?)
                }
            }
            "gamma" => {
                let (m, s) = (num(self, "mean"), num(self, "sd"));
                Dist::gamma_mean_sd(m?, s?)
            }
            "uniform" => {
                let (l, h) = (num(self, "low"), num(self, "high"));
                Dist::uniform(l?, h?)
            }
            "triangular" => {
                let (l, m, h) = (num(self, "low"), num(self, "mode"), num(self, "high"));
                Dist::triangular(l?, m?, h?)
            }
            _ => match (opt(t, "values"), opt(t, "quantiles")) {
                (Some(vals), None) => Dist::empirical_values(self.r.numbers(vals, &join(path, "values"))?),
                (None, Some(q)) => {
                    let qpath = join(path, "quantiles");
                    let items = self.r.array(q, &qpath)?;
                    let mut points = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let pair = self.r.numbers(item, &format!("{qpath}[{i}]"))?;
                        if pair.len() != 2 {
                            self.r.problem(
                                item.span(),
                                &format!("{qpath}[{i}]"),
                                "expected a [probability, minutes] pair",
                            );
                            return None;
                        }
                        points.push((pair[0], pair[1]));
                    }
                    Dist::empirical_quantiles(points)
                }
                _ => {
                    self.r.problem(
                        v.span(),
                        path,
                        "an empirical distribution needs exactly one of `values` or `quantiles`",
                    );
                    return None;
                }
            },
        };
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.r.problem(v.span(), path, e.0);
                None
            }
        }
    }

    fn share(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Option<f64> {
        let v = opt(t, key)?;
        self.r
            .number_where(v, &join(path, key), "a share between 0 and 1", |x| {
                (0.0..=1.0).contains(&x)
            })
    }

    fn channels(&mut self, root: &DeTable<'_>) -> Option<Vec<Channel>> {
        let Some(v) = opt(root, "channels") else {
            return Some(vec![Channel {
                name: "988".to_string(),
                share: 1.0,
                intake: Duration::zero(),
            }]);
        };
        let t = self.r.table(v, "channels")?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, cv) in t.iter() {
            let path = join("channels", k.get_ref());
            let Some(ct) = self.r.table(cv, &path) else {
                ok = false;
                continue;
            };
            self.r.only_keys(ct, &path, &["share", "intake"]);
            let share = match self
                .r
                .required(ct, cv.span(), &path, "share", "a share between 0 and 1")
            {
                Some(_) => self.share(ct, &path, "share"),
                None => None,
            };
            let intake = match opt(ct, "intake") {
                Some(iv) => self.dist(iv, &join(&path, "intake")).map(Duration::unscaled),
                None => Some(Duration::zero()),
            };
            match (share, intake) {
                (Some(share), Some(intake)) => out.push(Channel {
                    name: k.get_ref().to_string(),
                    share,
                    intake,
                }),
                _ => ok = false,
            }
        }
        if out.is_empty() && ok {
            self.r
                .problem(v.span(), "channels", "expected at least one channel");
            return None;
        }
        let total: f64 = out.iter().map(|c| c.share).sum();
        if ok && (total - 1.0).abs() > SUM_TOL {
            self.r.problem(
                v.span(),
                "channels",
                format!("channel shares must sum to 1, found {total}"),
            );
        }
        ok.then_some(out)
    }

    fn max_response(&mut self, v: &Val<'_>, path: &str) -> Option<MaxResponse> {
        match v.get_ref() {
            DeValue::String(s) if s.as_ref() == "none" => Some(MaxResponse::Unlimited),
            DeValue::Integer(_) | DeValue::Float(_) => self
                .r
                .number_where(v, path, "minutes >= 0 or \"none\"", |x| x >= 0.0)
                .map(MaxResponse::Minutes),
            other => {
                let found = match other {
                    DeValue::String(s) => format!("{:?}", s.as_ref()),
                    o => type_name(o).to_string(),
                };
                self.r.problem(
                    v.span(),
                    path,
                    format!("expected minutes >= 0 or \"none\", found {found}"),
                );
                None
            }
        }
    }

    fn call_types(&mut self, v: &Val<'_>, on_scene_scale: f64) -> Vec<RawCallType> {
        let Some(t) = self.r.table(v, "call_types") else {
            return Vec::new();
        };
        if t.is_empty() {
            self.r
                .problem(v.span(), "call_types", "expected at least one call type");
        }
        let mut out = Vec::new();
        for (k, cv) in t.iter() {
            let path = join("call_types", k.get_ref());
            if let Some(ct) = self.call_type(k.get_ref(), cv, &path, on_scene_scale, t.len() == 1) {
                out.push(ct);
            }
        }
        let total: f64 = out.iter().map(|c| c.ct.share).sum();
        if out.len() == t.len() && !out.is_empty() && (total - 1.0).abs() > SUM_TOL {
            self.r.problem(
                v.span(),
                "call_types",
                format!("call type shares must sum to 1, found {total}"),
            );
        }
        out
    }

    fn call_type(
        &mut self,
        name: &str,
        v: &Val<'_>,
        path: &str,
        on_scene_scale: f64,
        only_type: bool,
    ) -> Option<RawCallType> {
        let t = self.r.table(v, path)?;
        self.r.only_keys(
            t,
            path,
            &[
                "share",
                "priority",
                "max_response_min",
                "max_response_by_region",
                "triage",
                "on_scene",
                "transport",
                "backup_share",
                "petition_share",
            ],
        );
        let span = v.span();
        let share = match opt(t, "share") {
            Some(_) => self.share(t, path, "share"),
            None if only_type => Some(1.0),
            None => {
                self.r.problem(
                    span.clone(),
                    &join(path, "share"),
                    "missing; expected the share of contacts of this type",
                );
                None
            }
        };
        let priority = match opt(t, "priority") {
            Some(pv) => match self.r.count(pv, &join(path, "priority")) {
                Some(p) if (1..=100).contains(&p) => Some(p as u32),
                Some(p) => {
                    self.r.problem(
                        pv.span(),
                        &join(path, "priority"),
                        format!("expected 1 (most urgent) to 100, found {p}"),
                    );
                    None
                }
                None => None,
            },
            None => Some(1),
        };
        let default_max =
            match self
                .r
                .required(t, span.clone(), path, "max_response_min", "minutes or \"none\"")
            {
                Some(mv) => self.max_response(mv, &join(path, "max_response_min")),
                None => None,
            };
        let mut by_region = Vec::new();
        if let Some(bv) = opt(t, "max_response_by_region") {
            let bpath = join(path, "max_response_by_region");
            if let Some(bt) = self.r.table(bv, &bpath) {
                for (rk, rv) in bt.iter() {
                    if let Some(m) = self.max_response(rv, &join(&bpath, rk.get_ref())) {
                        by_region.push((rk.get_ref().to_string(), m, rk.span()));
                    }
                }
            }
        }
        let triage = match self.r.required(
            t,
            span.clone(),
            path,
            "triage",
            "a table of shares phone, mobile, police, ems",
        ) {
            Some(tv) => {
                let tpath = join(path, "triage");
                self.r.table(tv, &tpath).and_then(|tt| {
                    let keys = ["phone", "mobile", "police", "ems"];
                    self.r.only_keys(tt, &tpath, &keys);
                    let mut shares = [0.0; 4];
                    let mut ok = true;
                    for (i, key) in keys.iter().enumerate() {
                        if opt(tt, key).is_some() {
                            match self.share(tt, &tpath, key) {
                                Some(s) => shares[i] = s,
                                None => ok = false,
                            }
                        }
                    }
                    let total: f64 = shares.iter().sum();
                    if ok && (total - 1.0).abs() > SUM_TOL {
                        self.r.problem(
                            tv.span(),
                            &tpath,
                            format!("triage shares must sum to 1, found {total}"),
                        );
                        ok = false;
                    }
                    ok.then_some(shares)
                })
            }
            None => None,
        };
        let on_scene = match self.r.required(t, span.clone(), path, "on_scene", "a duration") {
            Some(ov) => self.dist(ov, &join(path, "on_scene")),
            None => None,
        };
        let mut transport_share = Some(0.0);
        let mut transport = Some(Dist::ZERO);
        if let Some(tv) = opt(t, "transport") {
            let tpath = join(path, "transport");
            match self.r.table(tv, &tpath) {
                Some(tt) => {
                    self.r.only_keys(tt, &tpath, &["share", "time"]);
                    transport_share =
                        match self
                            .r
                            .required(tt, tv.span(), &tpath, "share", "a share between 0 and 1")
                        {
                            Some(_) => self.share(tt, &tpath, "share"),
                            None => None,
                        };
                    transport = match self.r.required(tt, tv.span(), &tpath, "time", "a duration") {
                        Some(dv) => self.dist(dv, &join(&tpath, "time")),
                        None => None,
                    };
                }
                None => transport = None,
            }
        }
        let backup_share = if opt(t, "backup_share").is_some() {
            self.share(t, path, "backup_share")
        } else {
            Some(0.0)
        };
        let petition_share = if opt(t, "petition_share").is_some() {
            self.share(t, path, "petition_share")
        } else {
            Some(0.0)
        };
        Some(RawCallType {
            ct: CallType {
                name: name.to_string(),
                share: share?,
                priority: priority?,
                max_response: Vec::new(),
                triage: triage?,
                on_scene: Duration::new(on_scene?, on_scene_scale).expect(SCALES_CHECKED),
                transport_share: transport_share?,
                transport: Duration::unscaled(transport?),
                backup_share: backup_share?,
                petition_share: petition_share?,
            },
            default_max: default_max?,
            by_region,
        })
    }

    fn regions(&mut self, v: &Val<'_>, demand_scale: f64) -> Vec<RawRegion> {
        let Some(t) = self.r.table(v, "regions") else {
            return Vec::new();
        };
        if t.is_empty() {
            self.r
                .problem(v.span(), "regions", "expected at least one region");
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
            mutual_aid,
            teams: teams?,
        })
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

    fn travel(&mut self, v: &Val<'_>, path: &str) -> Option<RawTravel> {
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

    fn teams(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<RawTeams>> {
        let t = self.r.table(v, path)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, gv) in t.iter() {
            let gpath = join(path, k.get_ref());
            let Some(gt) = self.r.table(gv, &gpath) else {
                ok = false;
                continue;
            };
            self.r
                .only_keys(gt, &gpath, &["count", "base", "shift", "overtime_min"]);
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
            match (count, schedule, overtime_min) {
                (Some(count), Some(schedule), Some(overtime_min)) => out.push(RawTeams {
                    name: k.get_ref().to_string(),
                    count,
                    base,
                    schedule,
                    overtime_min,
                    span: gv.span(),
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    /// `"24/7"`, or `{ days = "Mon-Fri" | [..], start = "08:00", end = "16:00" }`.
    fn shift(&mut self, v: &Val<'_>, path: &str) -> Option<Schedule> {
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

    #[allow(clippy::too_many_arguments)]
    fn assemble(
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
        for raw in raw_types {
            let mut ct = raw.ct;
            ct.max_response = vec![raw.default_max; raw_regions.len()];
            for (rname, m, span) in raw.by_region {
                match region_ids.get(rname.as_str()) {
                    Some(&ri) => ct.max_response[ri] = m,
                    None => self.r.problem(
                        span,
                        &format!(
                            "{}.{}",
                            join(&join("call_types", &ct.name), "max_response_by_region"),
                            super::read::key_part(&rname)
                        ),
                        format!(
                            "unknown region {rname:?}; expected one of: {}",
                            region_list(&raw_regions)
                        ),
                    ),
                }
            }
            call_types.push(ct);
        }
        // Travel: intra-region routes, then mutual-aid routes.
        let n = zones.len();
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
                mutual_aid,
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
        if call_types.is_empty() || regions.is_empty() {
            return None;
        }
        Some(Scenario {
            name,
            source: text.to_string(),
            run,
            demand_scale,
            travel_scale,
            on_scene_scale,
            dispatch,
            channels,
            call_types,
            regions,
            zones,
            travel_mean_min: travel_mean,
            team_groups,
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

/// Why a key cannot be a name, if it cannot.
fn bad_name(name: &str) -> Option<&'static str> {
    if name.chars().any(char::is_control) {
        Some("must not contain control characters (tab, escape, NUL...)")
    } else if name.chars().count() > 200 {
        Some("must be at most 200 characters")
    } else {
        None
    }
}

impl GeoTravel {
    /// Mean travel minutes from zone `a` to zone `b` (`None` without
    /// coordinates).
    fn minutes(&self, a: &Zone, b: &Zone) -> Option<f64> {
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

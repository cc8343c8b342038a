//! Contact channels and their intake delay, call types with their triage
//! shares, on-scene and transport times, and maximum response times.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::{Builder, SCALES_CHECKED, opt};
use crate::dist::{Dist, Duration};
use crate::scenario::read::{Val, join, type_name};
use crate::scenario::{CallType, Channel, EarlyEnding, Ending, FollowUp, MaxResponse};

/// Tolerance for shares that must sum to 1.
const SUM_TOL: f64 = 1e-6;

pub(super) struct RawCallType {
    pub(super) ct: CallType,
    pub(super) default_max: MaxResponse,
    pub(super) by_region: Vec<(String, MaxResponse, Range<usize>)>,
    /// `max_response_by_zone`: (zone, maximum, span of the key).
    pub(super) by_zone: Vec<(String, MaxResponse, Range<usize>)>,
    /// `transport.to`: the destination type transports go to, and its span.
    pub(super) transport_to: Option<(String, Range<usize>)>,
    /// `needs`: capabilities a team must have to take the call type.
    pub(super) needs: Vec<(String, Range<usize>)>,
    /// `on_scene_by_region`: (region, on-scene time, span of the key).
    pub(super) on_scene_by_region: Vec<(String, Duration, Range<usize>)>,
}

impl Builder<'_, '_> {
    /// `follow_up = { share, visits, every_days, duration, start, end, within_days }`.
    fn follow_up(&mut self, v: &Val<'_>, path: &str) -> Option<FollowUp> {
        let t = self.r.table(v, path)?;
        self.r.only_keys(
            t,
            path,
            &[
                "share",
                "visits",
                "every_days",
                "duration",
                "start",
                "end",
                "within_days",
            ],
        );
        let span = v.span();
        let share = match self
            .r
            .required(t, span.clone(), path, "share", "a share between 0 and 1")
        {
            Some(_) => self.share(t, path, "share"),
            None => None,
        };
        let count = |b: &mut Self, key: &str, what: &str, lo: u64, hi: u64| -> Option<u32> {
            let cv = b.r.required(t, span.clone(), path, key, what)?;
            match b.r.count(cv, &join(path, key)) {
                Some(c) if (lo..=hi).contains(&c) => Some(c as u32),
                Some(c) => {
                    b.r.problem(
                        cv.span(),
                        &join(path, key),
                        format!("expected {what} ({lo} to {hi}), found {c}"),
                    );
                    None
                }
                None => None,
            }
        };
        let visits = count(self, "visits", "the number of visits", 1, 30);
        let every_days = count(self, "every_days", "days between visits", 1, 60);
        let within_days = count(self, "within_days", "the latest day after the response", 1, 365);
        let duration = match self.r.required(t, span.clone(), path, "duration", "a duration") {
            Some(dv) => self.dist(dv, &join(path, "duration")),
            None => None,
        };
        let clock = |b: &mut Self, key: &str, default: f64| -> Option<f64> {
            let Some(cv) = opt(t, key) else {
                return Some(default);
            };
            let s = b.r.string(cv, &join(path, key))?;
            let parsed = s.split_once(':').and_then(|(h, m)| {
                let (h, m) = (h.parse::<u32>().ok()?, m.parse::<u32>().ok()?);
                (h <= 24 && m < 60 && h * 60 + m <= 1440).then_some(f64::from(h * 60 + m))
            });
            if parsed.is_none() {
                b.r.problem(
                    cv.span(),
                    &join(path, key),
                    format!("expected a time like \"09:00\", found {s:?}"),
                );
            }
            parsed
        };
        let start = clock(self, "start", 9.0 * 60.0);
        let end = clock(self, "end", 17.0 * 60.0);
        if let (Some(a), Some(b)) = (start, end)
            && a >= b
        {
            self.r.problem(
                span,
                path,
                "the window's start must be before its end (daytime, not across midnight)",
            );
            return None;
        }
        Some(FollowUp {
            share: share?,
            visits: visits?,
            every_days: every_days?,
            duration: Duration::unscaled(duration?),
            window_min: (start?, end?),
            within_days: within_days?,
        })
    }

    fn share(&mut self, t: &DeTable<'_>, path: &str, key: &str) -> Option<f64> {
        let v = opt(t, key)?;
        self.r
            .number_where(v, &join(path, key), "a share between 0 and 1", |x| {
                (0.0..=1.0).contains(&x)
            })
    }

    pub(super) fn channels(&mut self, root: &DeTable<'_>) -> Option<Vec<Channel>> {
        let Some(v) = opt(root, "channels") else {
            return Some(vec![Channel {
                name: "988".to_string(),
                share: 1.0,
                intake: Duration::zero(),
                priority_line: false,
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
            self.r.only_keys(ct, &path, &["share", "intake", "priority_line"]);
            let priority_line = match opt(ct, "priority_line") {
                Some(pv) => self.boolean(pv, &join(&path, "priority_line")),
                None => Some(false),
            };
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
            match (share, intake, priority_line) {
                (Some(share), Some(intake), Some(priority_line)) => out.push(Channel {
                    name: k.get_ref().to_string(),
                    share,
                    intake,
                    priority_line,
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

    pub(super) fn call_types(&mut self, v: &Val<'_>, on_scene_scale: f64) -> Vec<RawCallType> {
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
                "max_response_by_zone",
                "triage",
                "on_scene",
                "on_scene_by_region",
                "early_endings",
                "needs",
                "follow_up",
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
        let mut by_zone = Vec::new();
        if let Some(bv) = opt(t, "max_response_by_zone") {
            let bpath = join(path, "max_response_by_zone");
            if let Some(bt) = self.r.table(bv, &bpath) {
                for (zk, zv) in bt.iter() {
                    if let Some(m) = self.max_response(zv, &join(&bpath, zk.get_ref())) {
                        by_zone.push((zk.get_ref().to_string(), m, zk.span()));
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
        let mut on_scene_by_region = Vec::new();
        if let Some(bv) = opt(t, "on_scene_by_region") {
            let bpath = join(path, "on_scene_by_region");
            if let Some(bt) = self.r.table(bv, &bpath) {
                for (rk, rv) in bt.iter() {
                    if let Some(d) = self.dist(rv, &join(&bpath, rk.get_ref())) {
                        on_scene_by_region.push((
                            rk.get_ref().to_string(),
                            Duration::new(d, on_scene_scale).expect(SCALES_CHECKED),
                            rk.span(),
                        ));
                    }
                }
            }
        }
        let follow_up = match opt(t, "follow_up") {
            None => Some(None),
            Some(fv) => self.follow_up(fv, &join(path, "follow_up")).map(Some),
        };
        let needs = match opt(t, "needs") {
            Some(nv) => self.names_list(nv, &join(path, "needs")),
            None => Some(Vec::new()),
        };
        let mut early_endings = Some(Vec::new());
        if let Some(ev) = opt(t, "early_endings") {
            let epath = join(path, "early_endings");
            early_endings = self.r.table(ev, &epath).and_then(|et| {
                let keys: Vec<&str> = Ending::ALL.iter().map(|e| e.key()).collect();
                self.r.only_keys(et, &epath, &keys);
                let mut out = Vec::new();
                let mut ok = true;
                for kind in Ending::ALL {
                    let Some(kv) = opt(et, kind.key()) else { continue };
                    let kpath = join(&epath, kind.key());
                    let Some(kt) = self.r.table(kv, &kpath) else {
                        ok = false;
                        continue;
                    };
                    self.r.only_keys(kt, &kpath, &["share", "on_scene"]);
                    let share =
                        match self
                            .r
                            .required(kt, kv.span(), &kpath, "share", "a share between 0 and 1")
                        {
                            Some(_) => self.share(kt, &kpath, "share"),
                            None => None,
                        };
                    let scene = match self.r.required(kt, kv.span(), &kpath, "on_scene", "a duration") {
                        Some(dv) => self.dist(dv, &join(&kpath, "on_scene")),
                        None => None,
                    };
                    match (share, scene) {
                        (Some(share), Some(d)) => out.push(EarlyEnding {
                            kind,
                            share,
                            on_scene: Duration::new(d, on_scene_scale).expect(SCALES_CHECKED),
                        }),
                        _ => ok = false,
                    }
                }
                let total: f64 = out.iter().map(|e| e.share).sum();
                if ok && total > 1.0 + SUM_TOL {
                    self.r.problem(
                        ev.span(),
                        &epath,
                        format!("the shares sum to {total}, more than 1"),
                    );
                    ok = false;
                }
                ok.then_some(out)
            });
        }
        let mut transport_share = Some(0.0);
        let mut transport = Some(Dist::ZERO);
        let mut transport_to: Option<(String, Range<usize>)> = None;
        let mut stay: Option<Option<Dist>> = Some(None);
        if let Some(tv) = opt(t, "transport") {
            let tpath = join(path, "transport");
            match self.r.table(tv, &tpath) {
                Some(tt) => {
                    self.r
                        .only_keys(tt, &tpath, &["share", "time", "to", "handover", "stay"]);
                    transport_share =
                        match self
                            .r
                            .required(tt, tv.span(), &tpath, "share", "a share between 0 and 1")
                        {
                            Some(_) => self.share(tt, &tpath, "share"),
                            None => None,
                        };
                    if let Some(to) = opt(tt, "to") {
                        // To the nearest open destination of a type: the
                        // drive comes from the travel model, then the handover.
                        if opt(tt, "time").is_some() {
                            self.r.problem(
                                tv.span(),
                                &tpath,
                                "give `time` (a duration) or `to` (a destination type) with `handover`, not both",
                            );
                        }
                        transport_to = self
                            .r
                            .string(to, &join(&tpath, "to"))
                            .map(|s| (s.to_string(), to.span()));
                        transport = match self.r.required(tt, tv.span(), &tpath, "handover", "a duration") {
                            Some(dv) => self.dist(dv, &join(&tpath, "handover")),
                            None => None,
                        };
                        if let Some(sv) = opt(tt, "stay") {
                            stay = self.dist(sv, &join(&tpath, "stay")).map(Some);
                        }
                    } else {
                        transport = match self.r.required(tt, tv.span(), &tpath, "time", "a duration") {
                            Some(dv) => self.dist(dv, &join(&tpath, "time")),
                            None => None,
                        };
                        for key in ["handover", "stay"] {
                            if let Some(kv) = opt(tt, key) {
                                self.r.problem(
                                    kv.span(),
                                    &join(&tpath, key),
                                    "only used with `to` (a destination type)",
                                );
                            }
                        }
                    }
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
                max_response_by_zone: Vec::new(),
                triage: triage?,
                on_scene: Duration::new(on_scene?, on_scene_scale).expect(SCALES_CHECKED),
                on_scene_by_region: Vec::new(),
                early_endings: early_endings?,
                needs: Vec::new(),
                transport_to: None,
                stay: stay?.map(Duration::unscaled),
                follow_up: follow_up?,
                transport_share: transport_share?,
                transport: Duration::unscaled(transport?),
                backup_share: backup_share?,
                petition_share: petition_share?,
            },
            default_max: default_max?,
            by_region,
            by_zone,
            on_scene_by_region,
            needs: needs?,
            transport_to,
        })
    }
}

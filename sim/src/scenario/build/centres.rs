//! 9-8-8 contact centres (`[centres.NAME]`): the regions each answers for,
//! counsellor groups on shifts, talk time, patience, callbacks, answer
//! order and rollover.

use std::collections::BTreeMap;

use toml::de::DeValue;

use super::{Builder, opt};
use crate::dist::Duration;
use crate::scenario::read::{Val, join, type_name};
use crate::scenario::{AnswerOrder, Centre, CounsellorGroup, Rollover, RolloverTo};
use crate::schedule::Schedule;

/// The most counsellors in one group.
const MAX_COUNSELLORS: u64 = 100_000;

/// The centres, and which centre answers each region (by region index).
pub(super) type Centres = (Vec<Centre>, Vec<Option<usize>>);

impl Builder<'_, '_> {
    /// A boolean.
    pub(super) fn boolean(&mut self, v: &Val<'_>, key: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            other => {
                let found = type_name(other);
                self.r
                    .problem(v.span(), key, format!("expected true or false, found {found}"));
                None
            }
        }
    }

    /// Reads `[centres]` given the call types' and regions' names.
    pub(super) fn centres(
        &mut self,
        v: &Val<'_>,
        type_names: &[String],
        region_names: &[String],
    ) -> Option<Centres> {
        let t = self.r.table(v, "centres")?;
        let names: Vec<String> = t.iter().map(|(k, _)| k.get_ref().to_string()).collect();
        let mut centres = Vec::new();
        let mut answered_by: Vec<Option<usize>> = vec![None; region_names.len()];
        let mut ok = true;
        // The centre that answers every region no other centre names.
        let mut rest: Option<usize> = None;
        for (c, (k, cv)) in t.iter().enumerate() {
            let path = join("centres", k.get_ref());
            let Some(ct) = self.r.table(cv, &path) else {
                ok = false;
                continue;
            };
            self.r.only_keys(
                ct,
                &path,
                &[
                    "regions",
                    "counsellors",
                    "talk",
                    "talk_by_type",
                    "patience",
                    "callback",
                    "order",
                    "rollover",
                ],
            );
            // Regions: the named ones, or (at most one centre) every region
            // no other centre names.
            match opt(ct, "regions") {
                Some(rv) => {
                    let rpath = join(&path, "regions");
                    for item in self.r.array(rv, &rpath).unwrap_or(&[]) {
                        let Some(name) = self.r.string(item, &rpath) else {
                            ok = false;
                            continue;
                        };
                        match region_names.iter().position(|r| r == name) {
                            Some(r) if answered_by[r].is_some() => {
                                self.r.problem(
                                    item.span(),
                                    &rpath,
                                    format!("region {name:?} is answered by two centres"),
                                );
                                ok = false;
                            }
                            Some(r) => answered_by[r] = Some(c),
                            None => {
                                self.r.problem(
                                    item.span(),
                                    &rpath,
                                    format!("no region {name:?}; regions: {}", region_names.join(", ")),
                                );
                                ok = false;
                            }
                        }
                    }
                }
                None if rest.is_some() => {
                    self.r.problem(
                        cv.span(),
                        &join(&path, "regions"),
                        "missing; only one centre may leave out `regions` (it answers every region the others do not)",
                    );
                    ok = false;
                }
                None => rest = Some(c),
            }
            let counsellors = self.counsellors(ct, cv, &path);
            let talk = match self.r.required(
                ct,
                cv.span(),
                &path,
                "talk",
                "a talk (assessment) time distribution",
            ) {
                Some(tv) => self.dist(tv, &join(&path, "talk")).map(Duration::unscaled),
                None => None,
            };
            let mut by_type: BTreeMap<usize, Duration> = BTreeMap::new();
            if let Some(bv) = opt(ct, "talk_by_type") {
                let bpath = join(&path, "talk_by_type");
                if let Some(bt) = self.r.table(bv, &bpath) {
                    for (tk, tv) in bt.iter() {
                        let tpath = join(&bpath, tk.get_ref());
                        match type_names.iter().position(|n| n == tk.get_ref().as_ref()) {
                            Some(i) => {
                                if let Some(d) = self.dist(tv, &tpath) {
                                    by_type.insert(i, Duration::unscaled(d));
                                } else {
                                    ok = false;
                                }
                            }
                            None => {
                                self.r.problem(
                                    tk.span(),
                                    &tpath,
                                    format!(
                                        "no call type of this name; call types: {}",
                                        type_names.join(", ")
                                    ),
                                );
                                ok = false;
                            }
                        }
                    }
                }
            }
            let patience = match opt(ct, "patience") {
                Some(pv) => self
                    .dist(pv, &join(&path, "patience"))
                    .map(|d| Some(Duration::unscaled(d))),
                None => Some(None),
            };
            let callback = match opt(ct, "callback") {
                Some(bv) => self.callback(bv, &join(&path, "callback")).map(Some),
                None => Some(None),
            };
            let order = match opt(ct, "order") {
                Some(ov) => self.r.choice(
                    ov,
                    &join(&path, "order"),
                    &[
                        ("first_come", AnswerOrder::FirstCome),
                        ("priority", AnswerOrder::Priority),
                    ],
                ),
                None => Some(AnswerOrder::FirstCome),
            };
            let rollover = match opt(ct, "rollover") {
                Some(rv) => self.rollover(rv, &join(&path, "rollover"), &names, c).map(Some),
                None => Some(None),
            };
            match (counsellors, talk, patience, callback, order, rollover) {
                (
                    Some(counsellors),
                    Some(talk),
                    Some(patience),
                    Some(callback),
                    Some(order),
                    Some(rollover),
                ) => {
                    let talk = (0..type_names.len())
                        .map(|i| by_type.get(&i).cloned().unwrap_or_else(|| talk.clone()))
                        .collect();
                    centres.push(Centre {
                        name: k.get_ref().to_string(),
                        counsellors,
                        talk,
                        patience,
                        callback,
                        order,
                        rollover,
                    });
                }
                _ => ok = false,
            }
        }
        if let Some(c) = rest {
            for a in &mut answered_by {
                a.get_or_insert(c);
            }
        }
        ok.then_some((centres, answered_by))
    }

    fn counsellors(
        &mut self,
        ct: &toml::de::DeTable<'_>,
        cv: &Val<'_>,
        path: &str,
    ) -> Option<Vec<CounsellorGroup>> {
        let v = self.r.required(
            ct,
            cv.span(),
            path,
            "counsellors",
            "counsellor groups, e.g. counsellors.day = { count = 6, shift = \"24/7\" }",
        )?;
        let cpath = join(path, "counsellors");
        let t = self.r.table(v, &cpath)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (k, gv) in t.iter() {
            let gpath = join(&cpath, k.get_ref());
            let Some(gt) = self.r.table(gv, &gpath) else {
                ok = false;
                continue;
            };
            self.r.only_keys(gt, &gpath, &["count", "shift"]);
            let count = match self
                .r
                .required(gt, gv.span(), &gpath, "count", "the number of counsellors")
            {
                Some(cv) => match self.r.count(cv, &join(&gpath, "count")) {
                    Some(c) if c <= MAX_COUNSELLORS => Some(c as u32),
                    Some(c) => {
                        self.r.problem(
                            cv.span(),
                            &join(&gpath, "count"),
                            format!("expected at most {MAX_COUNSELLORS} counsellors, found {c}"),
                        );
                        None
                    }
                    None => None,
                },
                None => None,
            };
            let schedule = match opt(gt, "shift") {
                Some(sv) => self.shift(sv, &join(&gpath, "shift")),
                None => Some(Schedule::always()),
            };
            match (count, schedule) {
                (Some(count), Some(schedule)) => out.push(CounsellorGroup {
                    name: k.get_ref().to_string(),
                    count,
                    schedule,
                }),
                _ => ok = false,
            }
        }
        ok.then_some(out)
    }

    fn callback(&mut self, v: &Val<'_>, path: &str) -> Option<(f64, Duration)> {
        let t = self.r.table(v, path)?;
        self.r.only_keys(t, path, &["share", "delay"]);
        let share = self
            .r
            .required(
                t,
                v.span(),
                path,
                "share",
                "the share of callers who call back once",
            )
            .and_then(|sv| {
                self.r
                    .number_where(sv, &join(path, "share"), "a share between 0 and 1", |x| {
                        (0.0..=1.0).contains(&x)
                    })
            });
        let delay = self
            .r
            .required(
                t,
                v.span(),
                path,
                "delay",
                "minutes before calling back (a distribution)",
            )
            .and_then(|dv| self.dist(dv, &join(path, "delay")));
        Some((share?, Duration::unscaled(delay?)))
    }

    fn rollover(&mut self, v: &Val<'_>, path: &str, centres: &[String], me: usize) -> Option<Rollover> {
        let t = self.r.table(v, path)?;
        self.r.only_keys(t, path, &["after_s", "to"]);
        let after_min = self
            .r
            .required(
                t,
                v.span(),
                path,
                "after_s",
                "seconds unanswered before rolling over",
            )
            .and_then(|av| {
                self.r
                    .number_where(av, &join(path, "after_s"), "seconds > 0", |x| {
                        x > 0.0 && x <= 86_400.0
                    })
            })
            .map(|s| s / 60.0);
        let to = match opt(t, "to") {
            None => Some(RolloverTo::National),
            Some(tv) => {
                let tpath = join(path, "to");
                match self.r.string(tv, &tpath) {
                    Some("national") => Some(RolloverTo::National),
                    Some(name) => match centres.iter().position(|c| c == name) {
                        Some(c) if c != me => Some(RolloverTo::Centre(c)),
                        _ => {
                            self.r.problem(
                                tv.span(),
                                &tpath,
                                format!(
                                    "expected \"national\" or another centre ({}), found {name:?}",
                                    centres
                                        .iter()
                                        .enumerate()
                                        .filter(|&(i, _)| i != me)
                                        .map(|(_, c)| format!("{c:?}"))
                                        .collect::<Vec<_>>()
                                        .join(", ")
                                ),
                            );
                            None
                        }
                    },
                    None => None,
                }
            }
        };
        Some(Rollover {
            after_min: after_min?,
            to: to?,
        })
    }
}

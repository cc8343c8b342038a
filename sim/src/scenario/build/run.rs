//! The run settings (dates, horizon, replications, seed), the dispatch
//! policy and the scenario's scale factors.

use toml::de::{DeTable, DeValue};

use super::{Builder, opt};
use crate::calendar::DAY_MIN;
use crate::dist::MAX_SCALE;
use crate::scenario::read::type_name;
use crate::scenario::{AfterCall, Candidates, Dispatch, Knowledge, Policy, RunSettings};

impl Builder<'_, '_> {
    pub(super) fn scale(&mut self, t: &DeTable<'_>, key: &str) -> f64 {
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

    pub(super) fn run(&mut self, root: &DeTable<'_>) -> Option<RunSettings> {
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

    pub(super) fn dispatch(&mut self, root: &DeTable<'_>) -> Option<Dispatch> {
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
}

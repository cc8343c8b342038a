//! How far each assumption moves the answer: the scenario as given, then
//! each assumption at its low and at its high value (the others as given),
//! all on the same replications (common random numbers), so each change
//! comes with a paired confidence interval.
//!
//! Two kinds of uncertainty stay apart: the Monte Carlo interval of each
//! run (more replications shrink it) and the range across assumptions
//! (only better knowledge shrinks it).
//!
//! A ranges file (TOML):
//!
//! ```toml
//! demand_scale = [0.5, 2.0]                   # one value: [low, high]
//! "regions.*.travel.circuity" = [1.2, 1.4]    # `*`: every key at that level
//!
//! [assumptions."intake delay"]                # several values together
//! note = "halved / doubled"
//! low = { "channels.988.intake.median" = 4 }
//! high = { "channels.988.intake.median" = 16 }   # a missing side = as given
//! ```

use std::ops::Range;

use serde::{Deserialize, Serialize};
use toml::de::DeValue;

use crate::compare::{Measure, Paired, paired};
use crate::results::{GroupFigure, RunResults};
use crate::scenario::patch::{expand_existing, set_values, split_path};
use crate::scenario::read::{Reader, Val, join, type_name};
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::Estimate;
use crate::sweep::{label, toml_to_value};

/// Ranges for any scenario: the three scales every scenario has.
pub const GENERIC_RANGES: &str = "\
# Generic ranges (any scenario): each scale alone at its low and high value.
demand_scale = [0.5, 2.0]
travel_scale = [0.8, 1.25]
on_scene_scale = [0.75, 1.5]
";

/// The ranges shipped for the embedded Illinois default.
pub const ILLINOIS_RANGES: &str = include_str!("../../plans/illinois_sensitivity.toml");

/// One side (low or high) of an assumption.
#[derive(Debug, Clone)]
pub struct Side {
    /// What is set, as `path = value` pairs ("as given" when nothing).
    pub setting: String,
    /// The scenario with the values set (None = the scenario as given).
    scenario: Option<Scenario>,
}

/// A named assumption and its two sides.
#[derive(Debug, Clone)]
pub struct Assumption {
    /// Name (the path, for a one-value assumption).
    pub name: String,
    /// What the range means, from the file's `note`.
    pub note: String,
    /// The low side.
    pub low: Side,
    /// The high side.
    pub high: Side,
}

/// A validated ranges file, bound to one base scenario.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The assumptions in file order.
    pub assumptions: Vec<Assumption>,
}

/// Which run a row belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Which {
    /// The scenario as given.
    Base,
    /// The assumption at its low value.
    Low,
    /// The assumption at its high value.
    High,
}

impl Which {
    /// `base`, `low` or `high`.
    pub fn as_str(self) -> &'static str {
        match self {
            Which::Base => "base",
            Which::Low => "low",
            Which::High => "high",
        }
    }
}

/// One run's figure for one region (or statewide).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Row {
    /// Assumption name (empty for the base).
    pub assumption: String,
    /// Base, low or high.
    pub which: Which,
    /// What was set.
    pub setting: String,
    /// Region, or `None` for statewide.
    pub region: Option<String>,
    /// Share of mobile calls diverted, with its Monte Carlo 95% CI.
    pub diverted_share: Estimate,
    /// Minus the base's, per replication: the paired 95% CI (none for the base).
    pub change: Option<Estimate>,
}

/// A whole sensitivity run.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The base scenario's name.
    pub scenario: String,
    /// Replications of every run.
    pub replications: u32,
    /// Seed of every run.
    pub seed: u64,
    /// (name, note) of each assumption, in file order.
    pub assumptions: Vec<(String, String)>,
    /// Every run's figures: the base first, then each assumption's low and high.
    pub rows: Vec<Row>,
}

/// An assumption's effect on one region (or statewide).
#[derive(Debug, Clone, PartialEq)]
pub struct Effect {
    /// Assumption name.
    pub name: String,
    /// Diverted share at the low side.
    pub low: f64,
    /// Diverted share at the high side.
    pub high: f64,
    /// Widest distance between base, low and high.
    pub swing: f64,
}

impl Plan {
    /// Reads a ranges file against the base scenario text (with every
    /// override already applied): every path must name existing tables,
    /// every low must not exceed its high, and every side must give a valid
    /// scenario with the same regions. Reports every problem at once.
    pub fn from_toml(text: &str, file: &str, base_text: &str) -> Result<Plan, ScenarioError> {
        let mut r = Reader::new(text);
        let Some(root) = r.parse() else {
            return Err(r.into_error(file));
        };
        let base = Scenario::from_toml(base_text, "the base scenario")?;
        let regions: Vec<&str> = base.regions().iter().map(|r| r.name.as_str()).collect();
        let mut assumptions = Vec::new();
        for (k, v) in root.get_ref().iter() {
            let key = k.get_ref().as_ref();
            if key == "assumptions" {
                let Some(t) = r.table(v, "assumptions") else {
                    continue;
                };
                for (name, av) in t.iter() {
                    let path = join("assumptions", name.get_ref());
                    if let Some(a) = named(&mut r, name.get_ref(), av, &path, base_text, &regions) {
                        assumptions.push(a);
                    }
                }
            } else if let Some(a) = one_value(&mut r, key, k.span(), v, base_text, &regions) {
                assumptions.push(a);
            }
        }
        let names: Vec<&str> = assumptions.iter().map(|a: &Assumption| a.name.as_str()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                r.problem(
                    root.span(),
                    n,
                    "two assumptions have this name; give each a distinct name",
                );
            }
        }
        if assumptions.is_empty() && r.problems.is_empty() {
            r.problem(
                root.span(),
                "",
                "no assumptions; expected `path = [low, high]` or [assumptions.NAME] tables",
            );
        }
        if r.problems.is_empty() {
            Ok(Plan { assumptions })
        } else {
            Err(r.into_error(file))
        }
    }

    /// Number of runs: the base and each side that changes something.
    pub fn runs(&self) -> usize {
        1 + self
            .assumptions
            .iter()
            .flat_map(|a| [&a.low, &a.high])
            .filter(|s| s.scenario.is_some())
            .count()
    }
}

/// `path = [low, high]`.
fn one_value(
    r: &mut Reader<'_>,
    key: &str,
    span: Range<usize>,
    v: &Val<'_>,
    base_text: &str,
    regions: &[&str],
) -> Option<Assumption> {
    let path = join("", key);
    let DeValue::Array(items) = v.get_ref() else {
        let hint = if matches!(v.get_ref(), DeValue::Table(_)) {
            "; quote a dotted path, as in \"regions.*.travel.circuity\" = [1.2, 1.4]"
        } else {
            ""
        };
        r.problem(
            v.span(),
            &path,
            format!("expected [low, high], found {}{hint}", type_name(v.get_ref())),
        );
        return None;
    };
    if items.len() != 2 {
        r.problem(
            v.span(),
            &path,
            format!("expected [low, high], found {} values", items.len()),
        );
        return None;
    }
    let (lo, hi) = (
        toml_to_value(items[0].get_ref())?,
        toml_to_value(items[1].get_ref())?,
    );
    if let (Some(a), Some(b)) = (as_number(&lo), as_number(&hi))
        && a > b
    {
        r.problem(
            v.span(),
            &path,
            format!("the low value {a} is above the high value {b}"),
        );
        return None;
    }
    let paths = expand(r, key, span.clone(), &path, base_text)?;
    let low = side(
        r,
        &[(paths.clone(), lo)],
        base_text,
        regions,
        items[0].span(),
        &path,
        "low",
    );
    let high = side(
        r,
        &[(paths, hi)],
        base_text,
        regions,
        items[1].span(),
        &path,
        "high",
    );
    Some(Assumption {
        name: key.to_string(),
        note: String::new(),
        low: low?,
        high: high?,
    })
}

/// `[assumptions.NAME]` with `note`, `low` and `high`.
fn named(
    r: &mut Reader<'_>,
    name: &str,
    v: &Val<'_>,
    path: &str,
    base_text: &str,
    regions: &[&str],
) -> Option<Assumption> {
    let t = r.table(v, path)?;
    r.only_keys(t, path, &["note", "low", "high"]);
    let note = t
        .get("note")
        .and_then(|nv| r.string(nv, &join(path, "note")))
        .unwrap_or_default()
        .to_string();
    if !t.contains_key("low") && !t.contains_key("high") {
        r.problem(
            v.span(),
            path,
            "missing; expected `low` and/or `high` tables of path = value",
        );
        return None;
    }
    let mut sides = Vec::new();
    for which in ["low", "high"] {
        let spath = join(path, which);
        let Some(sv) = t.get(which) else {
            sides.push(Some(Side {
                setting: "as given".into(),
                scenario: None,
            }));
            continue;
        };
        let Some(st) = r.table(sv, &spath) else {
            sides.push(None);
            continue;
        };
        let mut values = Vec::new();
        let mut ok = true;
        for (k, x) in st.iter() {
            let kpath = join(&spath, k.get_ref());
            match (
                expand(r, k.get_ref(), k.span(), &kpath, base_text),
                toml_to_value(x.get_ref()),
            ) {
                (Some(paths), Some(val)) => values.push((paths, val)),
                (Some(_), None) => {
                    r.problem(
                        x.span(),
                        &kpath,
                        "the value is out of range (integers must fit in 64 bits)",
                    );
                    ok = false;
                }
                _ => ok = false,
            }
        }
        sides.push(if ok {
            side(r, &values, base_text, regions, sv.span(), &spath, which)
        } else {
            None
        });
    }
    let high = sides.pop().flatten();
    let low = sides.pop().flatten();
    Some(Assumption {
        name: name.to_string(),
        note,
        low: low?,
        high: high?,
    })
}

fn as_number(v: &toml::Value) -> Option<f64> {
    match v {
        toml::Value::Integer(i) => Some(*i as f64),
        toml::Value::Float(f) => Some(*f),
        _ => None,
    }
}

/// The concrete paths of a pattern, or a problem at its key.
fn expand(
    r: &mut Reader<'_>,
    key: &str,
    span: Range<usize>,
    path: &str,
    base_text: &str,
) -> Option<Vec<String>> {
    if split_path(key).is_ok_and(|k| k[0] == "run") {
        r.problem(
            span,
            path,
            "`run` settings cannot vary: every side runs the base's seed and replications (common random numbers); use --seed and -r",
        );
        return None;
    }
    match split_path(key).and_then(|_| expand_existing(base_text, key)) {
        Ok(paths) => Some(paths),
        Err(e) => {
            r.problem(span, path, e.to_string());
            None
        }
    }
}

/// Builds one side's scenario; a problem at `span` if the scenario rejects it.
fn side(
    r: &mut Reader<'_>,
    values: &[(Vec<String>, toml::Value)],
    base_text: &str,
    regions: &[&str],
    span: Range<usize>,
    path: &str,
    which: &str,
) -> Option<Side> {
    let pairs: Vec<(String, toml::Value)> = values
        .iter()
        .flat_map(|(paths, v)| paths.iter().map(move |p| (p.clone(), v.clone())))
        .collect();
    let setting = values
        .iter()
        .map(|(paths, v)| {
            let shown = if paths.len() == 1 {
                paths[0].clone()
            } else {
                format!("{} paths", paths.len())
            };
            format!("{shown} = {}", label(v))
        })
        .collect::<Vec<_>>()
        .join(", ");
    let built = set_values(base_text, &pairs)
        .map_err(|e| e.to_string())
        .and_then(|text| {
            Scenario::from_toml(&text, which).map_err(|e| {
                e.problems
                    .iter()
                    .map(|p| format!("`{}`: {}", p.key, p.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
        });
    match built {
        Ok(sc)
            if sc
                .regions()
                .iter()
                .map(|g| g.name.as_str())
                .eq(regions.iter().copied()) =>
        {
            Some(Side {
                setting,
                scenario: Some(sc),
            })
        }
        Ok(_) => {
            r.problem(
                span,
                path,
                format!("the {which} side changes the scenario's regions"),
            );
            None
        }
        Err(msg) => {
            r.problem(
                span,
                path,
                format!("the scenario rejects the {which} side: {msg}"),
            );
            None
        }
    }
}

/// Runs the base and every side on replications `0..base.run.replications`;
/// `on_done` is called after each replication of each run. Returns the
/// figures and the base run's full results.
pub fn run(base: &Scenario, plan: &Plan, on_done: &(dyn Fn() + Sync)) -> (Sensitivity, RunResults) {
    let reps = base.run().replications;
    let regions: Vec<Option<String>> = std::iter::once(None)
        .chain(base.regions().iter().map(|r| Some(r.name.clone())))
        .collect();
    // The base, then every side that changes something, paired.
    let mut scenarios = vec![base.clone()];
    let mut sides = Vec::new();
    for a in &plan.assumptions {
        for (which, s) in [(Which::Low, &a.low), (Which::High, &a.high)] {
            let run = s.scenario.as_ref().map(|sc| {
                scenarios.push(sc.clone());
                scenarios.len() - 1
            });
            sides.push((a.name.as_str(), which, s.setting.as_str(), run));
        }
    }
    let mut runs = paired(scenarios, &[Measure::DivertedShare], on_done);
    let rows_of = |assumption: &str, which: Which, setting: &str, run: &Paired| -> Vec<Row> {
        regions
            .iter()
            .enumerate()
            .map(|(slot, region)| Row {
                assumption: assumption.to_string(),
                which,
                setting: setting.to_string(),
                region: region.clone(),
                diverted_share: run
                    .results
                    .figure(region.as_deref(), None, None, GroupFigure::DivertedShare)
                    .expect("every region reports diverted_share"),
                change: (which != Which::Base).then(|| run.changes[slot][0].estimate(0.95)),
            })
            .collect()
    };
    let base_rows = rows_of("", Which::Base, "as given", &runs[0]);
    let mut rows = base_rows.clone();
    for (name, which, setting, run) in sides {
        match run {
            Some(i) => rows.extend(rows_of(name, which, setting, &runs[i])),
            // As given: the base's figures, no change (not run again).
            None => rows.extend(base_rows.iter().map(|b| Row {
                assumption: name.to_string(),
                which,
                setting: setting.to_string(),
                change: Some(Estimate {
                    mean: 0.0,
                    half_width: 0.0,
                    n: reps,
                }),
                ..b.clone()
            })),
        }
    }
    let s = Sensitivity {
        scenario: base.name().to_string(),
        replications: reps,
        seed: base.run().seed,
        assumptions: plan
            .assumptions
            .iter()
            .map(|a| (a.name.clone(), a.note.clone()))
            .collect(),
        rows,
    };
    (s, runs.swap_remove(0).results)
}

impl Sensitivity {
    /// The row of a run for a region (`None` = statewide).
    pub fn row(&self, assumption: &str, which: Which, region: Option<&str>) -> Option<&Row> {
        self.rows
            .iter()
            .find(|r| r.which == which && r.assumption == assumption && r.region.as_deref() == region)
    }

    /// The regions, in scenario order.
    pub fn regions(&self) -> Vec<&str> {
        self.rows
            .iter()
            .filter(|r| r.which == Which::Base)
            .filter_map(|r| r.region.as_deref())
            .collect()
    }

    /// Each assumption's effect on a region (or statewide), largest swing first.
    pub fn effects(&self, region: Option<&str>) -> Vec<Effect> {
        let base = self
            .row("", Which::Base, region)
            .map_or(f64::NAN, |r| r.diverted_share.mean);
        let mut out: Vec<Effect> = self
            .assumptions
            .iter()
            .filter_map(|(name, _)| {
                let low = self.row(name, Which::Low, region)?.diverted_share.mean;
                let high = self.row(name, Which::High, region)?.diverted_share.mean;
                let lo = base.min(low).min(high);
                let hi = base.max(low).max(high);
                (hi - lo).is_finite().then_some(())?;
                Some(Effect {
                    name: name.clone(),
                    low,
                    high,
                    swing: hi - lo,
                })
            })
            .collect();
        out.sort_by(|a, b| b.swing.total_cmp(&a.swing));
        out
    }

    /// The lowest and highest diverted share over the base and every side.
    pub fn range(&self, region: Option<&str>) -> (f64, f64) {
        self.rows
            .iter()
            .filter(|r| r.region.as_deref() == region)
            .map(|r| r.diverted_share.mean)
            .filter(|x| x.is_finite())
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                (lo.min(x), hi.max(x))
            })
    }

    /// One sentence for a region (or statewide): the base with its Monte
    /// Carlo interval, the range across assumptions, what matters most.
    pub fn verdict(&self, region: Option<&str>) -> String {
        let Some(base) = self.row("", Which::Base, region) else {
            return String::new();
        };
        let b = base.diverted_share;
        let (lo, hi) = self.range(region);
        let effects = self.effects(region);
        let most = match effects.as_slice() {
            [] => String::new(),
            [a] => format!("; {} matters most", a.name),
            [a, b, ..] => format!("; {} matters most, then {}", a.name, b.name),
        };
        format!(
            "{}: {:.1}% of mobile calls diverted (Monte Carlo 95% CI {:.1}–{:.1}%); across the assumption ranges, each varied alone, between {:.1}% and {:.1}%{most}.",
            region.unwrap_or("Statewide"),
            100.0 * b.mean,
            100.0 * b.low(),
            100.0 * b.high(),
            100.0 * lo,
            100.0 * hi,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOWN: &str = r#"
demand_scale = 1.0
[run]
horizon_days = 30
replications = 4
[call_types.crisis]
max_response_min = 30
triage = { mobile = 1.0 }
on_scene = 40
[regions.Town]
population = 100000
calls_per_hour = 1
travel = { time = 15 }
teams.van = { count = 2, shift = "24/7" }
"#;

    fn problems(ranges: &str) -> Vec<String> {
        match Plan::from_toml(ranges, "ranges.toml", TOWN) {
            Ok(_) => Vec::new(),
            Err(e) => e.problems.iter().map(|p| p.to_string()).collect(),
        }
    }

    #[test]
    fn every_problem_at_once_with_line_and_key() {
        let got = problems(
            "demand_scale = [2.0, 0.5]\n\"regions.Twon.population\" = [1, 2]\non_scene_scale = [0.5, -1]\n[assumptions.x]\nlow = { \"call_types.crisis.max_response_min\" = -5 }\n",
        );
        assert_eq!(got.len(), 4, "{got:#?}");
        assert!(
            got[0].starts_with("1:") && got[0].contains("low value 2 is above the high value 0.5"),
            "{got:#?}"
        );
        assert!(
            got[1].starts_with("2:") && got[1].contains("unknown key `Twon` in `regions`; known: Town"),
            "{got:#?}"
        );
        assert!(
            got[2].starts_with("3:") && got[2].contains("low value 0.5 is above"),
            "{got:#?}"
        );
        assert!(
            got[3].starts_with("5:") && got[3].contains("rejects the low side"),
            "{got:#?}"
        );
        let seed = problems("\"run.seed\" = [1, 2]\n");
        assert!(seed[0].contains("`run` settings cannot vary"), "{seed:#?}");
        let twice =
            problems("demand_scale = [0.5, 2]\n[assumptions.demand_scale]\nlow = { demand_scale = 0.9 }\n");
        assert!(
            twice.iter().any(|p| p.contains("two assumptions have this name")),
            "{twice:#?}"
        );
        let unquoted = problems("regions.Town.population = [1, 2]\n");
        assert!(
            unquoted.iter().any(|p| p.contains("quote a dotted path")),
            "{unquoted:#?}"
        );
    }

    #[test]
    fn effects_follow_the_known_ordering() {
        // Two teams, 40-minute jobs: doubling demand moves the diverted
        // share far more than a 5% change in on-scene time.
        let ranges = "demand_scale = [0.5, 2.0]\non_scene_scale = [0.95, 1.05]\n";
        let plan = Plan::from_toml(ranges, "r.toml", TOWN).unwrap();
        let base = Scenario::from_toml(TOWN, "town").unwrap();
        let (s, _) = run(&base, &plan, &|| {});
        assert_eq!(s.rows.len(), 5 * 2, "base + 4 sides, statewide + Town");
        let effects = s.effects(None);
        assert_eq!(effects[0].name, "demand_scale");
        assert!(effects[0].low < effects[0].high);
        let v = s.verdict(Some("Town"));
        assert!(v.contains("demand_scale matters most"), "{v}");
        // Paired differences: same replications, so the change's interval
        // is narrower than the run's own.
        let row = s.row("on_scene_scale", Which::High, None).unwrap();
        assert!(row.change.unwrap().half_width < row.diverted_share.half_width);
    }
}

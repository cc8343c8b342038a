//! Sweep plans: a base scenario and axes that set scenario values by path;
//! the points of the sweep (grid product or explicit list); deterministic
//! shards. Pure: the CLI reads the files and runs the points.
//!
//! ```toml
//! base = "illinois"                 # the embedded default, or a scenario path
//! replications = 20                 # optional override of run.replications
//!
//! [set]                             # values set at every point
//! "run.horizon_days" = 180
//!
//! [[axes]]
//! name = "teams"
//! path = 'regions."Region 5".teams.Jefferson.count'
//! values = [1, 2, 3, 4]             # or range = { from = 1, to = 4, step = 1 }
//!
//! [[axes]]
//! name = "max_urgent"
//! path = "call_types.urgent.max_response_min"
//! values = [45, 60, 90, 120]
//! ```

use std::ops::Range;

use toml::de::DeValue;

use crate::scenario::patch::{set_values, split_path};
use crate::scenario::read::{Problem, Reader, Val, join};
use crate::scenario::{Scenario, ScenarioError};

/// One axis: a scenario path and its values.
#[derive(Debug, Clone)]
pub struct Axis {
    /// Column name in outputs.
    pub name: String,
    /// Dotted scenario path.
    pub path: String,
    /// Values, with their spans in the plan.
    values: Vec<(toml::Value, Range<usize>)>,
}

/// A validated sweep plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The plan's text.
    pub text: String,
    /// `base`: `"illinois"` (embedded) or a path relative to the plan.
    pub base: String,
    /// Replications override.
    pub replications: Option<u32>,
    /// Seed override.
    pub seed: Option<u64>,
    /// Values set at every point.
    set: Vec<(String, toml::Value)>,
    /// The axes.
    pub axes: Vec<Axis>,
    /// The points: for each, one value index per axis.
    points: Vec<Vec<usize>>,
}

/// The scenario of one point.
#[derive(Debug, Clone)]
pub struct Point {
    /// Index in the plan (0-based).
    pub index: usize,
    /// The axis values, as they appear in outputs.
    pub labels: Vec<String>,
    /// The validated scenario.
    pub scenario: Scenario,
}

pub(crate) fn toml_to_value(v: &DeValue<'_>) -> Option<toml::Value> {
    Some(match v {
        DeValue::String(s) => toml::Value::String(s.to_string()),
        DeValue::Integer(i) => toml::Value::Integer(i64::from_str_radix(i.as_str(), i.radix()).ok()?),
        DeValue::Float(f) => toml::Value::Float(f.as_str().replace('_', "").parse().ok()?),
        DeValue::Boolean(b) => toml::Value::Boolean(*b),
        DeValue::Datetime(d) => toml::Value::Datetime(*d),
        DeValue::Array(a) => toml::Value::Array(
            a.iter()
                .map(|x| toml_to_value(x.get_ref()))
                .collect::<Option<_>>()?,
        ),
        DeValue::Table(t) => toml::Value::Table(
            t.iter()
                .map(|(k, x)| Some((k.get_ref().to_string(), toml_to_value(x.get_ref())?)))
                .collect::<Option<_>>()?,
        ),
    })
}

/// How a value is shown in output columns.
pub fn label(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

impl Plan {
    /// Parses a plan; `file` names it in messages. Checks the plan's own
    /// shape; [`Plan::points`] checks the scenarios.
    pub fn from_toml(text: &str, file: &str) -> Result<Plan, ScenarioError> {
        let mut r = Reader::new(text);
        let Some(root) = r.parse() else {
            return Err(r.into_error(file));
        };
        let span = root.span();
        let t = root.get_ref();
        r.only_keys(t, "", &["base", "replications", "seed", "set", "axes", "points"]);
        let base = match t.get("base") {
            Some(v) => r.string(v, "base").unwrap_or("illinois").to_string(),
            None => "illinois".to_string(),
        };
        let replications = t
            .get("replications")
            .and_then(|v| match r.count(v, "replications") {
                Some(n) if (1..=1_000_000).contains(&n) => Some(n as u32),
                Some(n) => {
                    r.problem(
                        v.span(),
                        "replications",
                        format!("expected 1 to 1000000, found {n}"),
                    );
                    None
                }
                None => None,
            });
        let seed = t.get("seed").and_then(|v| r.count(v, "seed"));
        let mut set = Vec::new();
        if let Some(sv) = t.get("set")
            && let Some(st) = r.table(sv, "set")
        {
            for (k, v) in st.iter() {
                let path = k.get_ref().to_string();
                if let Err(e) = split_path(&path) {
                    r.problem(k.span(), &join("set", &path), e.to_string());
                } else if let Some(val) = toml_to_value(v.get_ref()) {
                    set.push((path, val));
                }
            }
        }
        let mut axes = Vec::new();
        match t.get("axes") {
            Some(av) => {
                if let Some(items) = r.array(av, "axes") {
                    for (i, item) in items.iter().enumerate() {
                        if let Some(axis) =
                            read_axis(&mut r, item, &format!("axes[{i}]"), t.contains_key("points"))
                        {
                            axes.push(axis);
                        }
                    }
                }
            }
            None => r.problem(
                span.clone(),
                "axes",
                "missing; expected [[axes]] tables with `path` and `values`",
            ),
        }
        let names: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        for (i, n) in names.iter().enumerate() {
            if names[..i].contains(n) {
                r.problem(
                    span.clone(),
                    "axes",
                    format!("two axes are named {n:?}; give each a distinct `name`"),
                );
            }
        }
        let points = match t.get("points") {
            None => grid(&axes),
            Some(pv) => explicit_points(&mut r, pv, &mut axes),
        };
        if points.is_empty() && r.problems.is_empty() {
            r.problem(span, "axes", "the plan has no points");
        }
        if !r.problems.is_empty() {
            return Err(r.into_error(file));
        }
        Ok(Plan {
            text: text.to_string(),
            base,
            replications,
            seed,
            set,
            axes,
            points,
        })
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.points.len()
    }

    /// True when the plan has no points (never, once validated).
    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    /// The points of shard `shard` of `shards` (0-based, as Slurm arrays
    /// number tasks): point `i` belongs to shard `i mod shards`.
    pub fn shard_points(&self, shard: usize, shards: usize) -> Vec<usize> {
        (0..self.len()).filter(|i| i % shards == shard).collect()
    }

    /// Builds and validates the scenarios of the given points from the base
    /// scenario text. Problems with a single axis value are reported at that
    /// value in the plan (line and column); problems that only a
    /// combination causes name the point.
    pub fn points(
        &self,
        base_text: &str,
        indices: &[usize],
        file: &str,
    ) -> Result<Vec<Point>, ScenarioError> {
        let mut problems = Vec::new();
        let r = Reader::new(&self.text);
        // Each axis value alone, so a bad one points at its place in the plan.
        for axis in &self.axes {
            for (v, span) in &axis.values {
                let mut values = self.set.clone();
                values.push((axis.path.clone(), v.clone()));
                if let Err(msg) = self.build(base_text, &values) {
                    let (line, column) = r.line_col(span.start);
                    problems.push(Problem {
                        line,
                        column,
                        key: axis.path.clone(),
                        message: format!("value {}: {msg}", label(v)),
                    });
                }
            }
        }
        if !problems.is_empty() {
            return Err(ScenarioError::new(file, problems));
        }
        let mut out = Vec::with_capacity(indices.len());
        for &index in indices {
            let mut values = self.set.clone();
            let mut labels = Vec::new();
            for (axis, &vi) in self.axes.iter().zip(&self.points[index]) {
                values.push((axis.path.clone(), axis.values[vi].0.clone()));
                labels.push(label(&axis.values[vi].0));
            }
            match self.build(base_text, &values) {
                Ok(scenario) => out.push(Point {
                    index,
                    labels,
                    scenario,
                }),
                Err(msg) => problems.push(Problem {
                    line: 1,
                    column: 1,
                    key: format!("point {index}"),
                    message: format!("the combination {} is invalid: {msg}", self.describe(index)),
                }),
            }
        }
        if problems.is_empty() {
            Ok(out)
        } else {
            Err(ScenarioError::new(file, problems))
        }
    }

    fn describe(&self, index: usize) -> String {
        self.axes
            .iter()
            .zip(&self.points[index])
            .map(|(a, &vi)| format!("{} = {}", a.name, label(&a.values[vi].0)))
            .collect::<Vec<_>>()
            .join(", ")
    }

    fn build(&self, base_text: &str, values: &[(String, toml::Value)]) -> Result<Scenario, String> {
        // The plan's run overrides go through the same path as every other
        // value, before validation.
        let mut values = values.to_vec();
        if let Some(n) = self.replications {
            values.push(("run.replications".into(), toml::Value::Integer(i64::from(n))));
        }
        if let Some(s) = self.seed {
            values.push((
                "run.seed".into(),
                toml::Value::Integer(
                    i64::try_from(s).map_err(|_| format!("seed {s} is above {}", i64::MAX))?,
                ),
            ));
        }
        let text = set_values(base_text, &values).map_err(|e| e.to_string())?;
        let sc = Scenario::from_toml(&text, "point").map_err(|e| {
            e.problems
                .iter()
                .map(|p| format!("`{}`: {}", p.key, p.message))
                .collect::<Vec<_>>()
                .join("; ")
        })?;
        Ok(sc)
    }
}

fn read_axis(r: &mut Reader<'_>, v: &Val<'_>, path: &str, explicit: bool) -> Option<Axis> {
    let t = r.table(v, path)?;
    r.only_keys(t, path, &["name", "path", "values", "range"]);
    let spath = r.required(
        t,
        v.span(),
        path,
        "path",
        "a scenario path like call_types.urgent.max_response_min",
    )?;
    let scenario_path = r.string(spath, &join(path, "path"))?.to_string();
    if let Err(e) = split_path(&scenario_path) {
        r.problem(spath.span(), &join(path, "path"), e.to_string());
        return None;
    }
    let name = match t.get("name") {
        Some(n) => r.string(n, &join(path, "name"))?.to_string(),
        None => scenario_path.clone(),
    };
    let mut values = Vec::new();
    match (t.get("values"), t.get("range")) {
        (Some(vv), None) => {
            for (i, item) in r.array(vv, &join(path, "values"))?.iter().enumerate() {
                match toml_to_value(item.get_ref()) {
                    Some(x) => values.push((x, item.span())),
                    None => r.problem(
                        item.span(),
                        &format!("{}[{i}]", join(path, "values")),
                        "a value out of range",
                    ),
                }
            }
        }
        (None, Some(rv)) => {
            let rpath = join(path, "range");
            let rt = r.table(rv, &rpath)?;
            r.only_keys(rt, &rpath, &["from", "to", "step"]);
            let mut num = |k: &str| {
                r.required(rt, rv.span(), &rpath, k, "a number")
                    .and_then(|x| r.number(x, &join(&rpath, k)))
            };
            let (from, to, step) = (num("from")?, num("to")?, num("step")?);
            if !(step > 0.0 && to >= from && (to - from) / step <= 100_000.0) {
                r.problem(rv.span(), &rpath, format!("expected from <= to and step > 0 (at most 100000 values), found {from}..{to} by {step}"));
                return None;
            }
            let ints = [from, to, step].iter().all(|x| x.fract() == 0.0);
            let n = ((to - from) / step + 1e-9).floor() as usize;
            for i in 0..=n {
                let x = from + i as f64 * step;
                let value = if ints {
                    toml::Value::Integer(x as i64)
                } else {
                    toml::Value::Float(x)
                };
                values.push((value, rv.span()));
            }
        }
        (None, None) if explicit => {}
        _ => {
            r.problem(v.span(), path, "give exactly one of `values` or `range`");
            return None;
        }
    }
    if values.is_empty() && !explicit {
        r.problem(v.span(), path, "an axis needs at least one value");
        return None;
    }
    Some(Axis {
        name,
        path: scenario_path,
        values,
    })
}

/// The grid product of the axes, the first axis varying slowest.
fn grid(axes: &[Axis]) -> Vec<Vec<usize>> {
    if axes.is_empty() {
        return Vec::new();
    }
    let mut points = vec![Vec::new()];
    for axis in axes {
        points = points
            .into_iter()
            .flat_map(|p| {
                (0..axis.values.len()).map(move |i| {
                    let mut q = p.clone();
                    q.push(i);
                    q
                })
            })
            .collect();
    }
    points
}

/// `points = [ { axis_name = value, ... }, ... ]`: every point names every axis.
fn explicit_points(r: &mut Reader<'_>, v: &Val<'_>, axes: &mut [Axis]) -> Vec<Vec<usize>> {
    let Some(items) = r.array(v, "points") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let path = format!("points[{i}]");
        let Some(t) = r.table(item, &path) else {
            continue;
        };
        let names: Vec<&str> = axes.iter().map(|a| a.name.as_str()).collect();
        let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
        let allowed: Vec<&str> = names.iter().map(String::as_str).collect();
        r.only_keys(t, &path, &allowed);
        let mut point = Vec::new();
        for axis in axes.iter_mut() {
            match t.get(axis.name.as_str()) {
                Some(x) => match toml_to_value(x.get_ref()) {
                    Some(value) => {
                        let at = axis
                            .values
                            .iter()
                            .position(|(v, _)| *v == value)
                            .unwrap_or_else(|| {
                                axis.values.push((value, x.span()));
                                axis.values.len() - 1
                            });
                        point.push(at);
                    }
                    None => r.problem(x.span(), &join(&path, &axis.name), "a value out of range"),
                },
                None => r.problem(
                    item.span(),
                    &join(&path, &axis.name),
                    "missing: every point gives every axis",
                ),
            }
        }
        if point.len() == axes.len() {
            out.push(point);
        }
    }
    out
}

/// A 64-bit fingerprint (FNV-1a, hex) of the texts that determine a
/// sweep's results; resumes and merges refuse outputs with another one.
pub fn fingerprint(parts: &[&str]) -> String {
    let joined = parts.join("\u{0}");
    format!("{:016x}", crate::rng::fnv1a(joined.as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAN: &str = r#"
base = "illinois"
replications = 3
[set]
"run.horizon_days" = 30
[[axes]]
name = "teams"
path = 'regions."Region 5".teams.Jefferson.count'
range = { from = 1, to = 3, step = 1 }
[[axes]]
name = "max"
path = "call_types.urgent.max_response_min"
values = [60, "none"]
"#;

    #[test]
    fn grid_points_shards_and_scenarios() {
        let plan = Plan::from_toml(PLAN, "plan.toml").unwrap();
        assert_eq!(plan.len(), 6);
        assert_eq!(plan.shard_points(1, 4), vec![1, 5]);
        let all: Vec<usize> = (0..4).flat_map(|s| plan.shard_points(s, 4)).collect();
        assert_eq!(all.len(), 6);
        let pts = plan
            .points(crate::scenario::ILLINOIS_TOML, &[0, 5], "plan.toml")
            .unwrap();
        assert_eq!(pts[0].labels, ["1", "60"]);
        assert_eq!(pts[1].labels, ["3", "none"]);
        assert_eq!(pts[1].scenario.run().replications, 3);
        assert_eq!(pts[1].scenario.run().horizon_min, 30.0 * 1440.0);
        let r5 = pts[1]
            .scenario
            .regions()
            .iter()
            .position(|r| r.name == "Region 5")
            .unwrap();
        let urgent = &pts[1].scenario.call_types()[0];
        assert_eq!(urgent.max_response[r5], crate::scenario::MaxResponse::Unlimited);
    }

    #[test]
    fn bad_values_are_reported_at_their_place_in_the_plan() {
        let plan = Plan::from_toml(&PLAN.replace("[60, \"none\"]", "[60, -5]"), "plan.toml").unwrap();
        let err = plan
            .points(crate::scenario::ILLINOIS_TOML, &[0], "plan.toml")
            .unwrap_err();
        assert_eq!(err.problems.len(), 1, "{err}");
        let p = &err.problems[0];
        // `values = [60, -5]` is on line 13; -5 starts at column 15.
        assert_eq!((p.line, p.column), (13, 15), "{err}");
        assert!(p.message.contains("max_response_min"), "{err}");
        let bad_path = PLAN.replace(
            "call_types.urgent.max_response_min",
            "call_types.urgent.max_respons",
        );
        let err = Plan::from_toml(&bad_path, "plan.toml")
            .unwrap()
            .points(crate::scenario::ILLINOIS_TOML, &[0], "p")
            .unwrap_err();
        assert!(err.to_string().contains("unknown key"), "{err}");
        let err = Plan::from_toml("[[axes]]\npath = \"a b\"\nvalues = [1]\n", "plan.toml").unwrap_err();
        assert_eq!(err.problems[0].line, 2, "{err}");
    }
}

//! Sizing (754/50(6),(7)): the fewest teams, by region, base and shift
//! block, that meet a target with stated confidence.
//!
//! The search is greedy marginal allocation, which relies on the problem
//! being monotone (a team more never makes a region worse): starting from no
//! teams, each round adds, in every region that misses its target, the one
//! team that brings it closest to the target, among one more team in each
//! of its team groups (shift blocks and bases) and one team at a new 24/7
//! base in the zone with the most diverted calls. When every region meets
//! its target (or reaches the cap), a pruning pass removes any team whose
//! removal keeps the target. Every evaluation simulates the whole scenario
//! with the same replications (common random numbers), so candidates are
//! compared on the same calls; candidate *j* of every region is evaluated in
//! the same simulation, which is exact for regions without mutual aid. With
//! mutual aid, a region's figures also depend on its partners' teams; the
//! final evaluation of the whole staffing is what is reported and checked.
//!
//! A target is met when the **upper** end of the 95% interval is within it.

use serde::Serialize;

use crate::Model;
use crate::results::RunResults;
use crate::scenario::patch::set_values;
use crate::scenario::{Scenario, ScenarioError};

/// What every region must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Upper CI bound of the share of mobile calls diverted for lack of capacity.
    pub max_diverted_share: f64,
    /// Also: the upper CI bound of each call type's p90 response within its maximum.
    pub p90_within_max: bool,
    /// At most this many teams in a region.
    pub max_teams_per_region: u32,
    /// Replications per evaluation.
    pub replications: u32,
}

/// One team group of the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSize {
    /// Region.
    pub region: String,
    /// Group name (`teams.NAME`); new bases are named `added_<zone>`.
    pub group: String,
    /// Base zone.
    pub base: String,
    /// Shift block, as on-shift hours per week.
    pub hours_per_week: f64,
    /// Teams in the base scenario.
    pub base_count: u32,
    /// Recommended teams.
    pub count: u32,
}

/// The recommendation.
#[derive(Debug, Clone)]
pub struct Sizing {
    /// Every group, base scenario's first, then added bases.
    pub groups: Vec<GroupSize>,
    /// Regions that met the target (by name, in scenario order).
    pub met: Vec<(String, bool)>,
    /// The sized scenario (TOML text).
    pub scenario_toml: String,
    /// The sized scenario's results (same seed and replications).
    pub results: RunResults,
    /// The base scenario's results.
    pub base_results: RunResults,
    /// Simulations run.
    pub evaluations: usize,
}

struct Group {
    region: usize,
    name: String,
    base: String,
    hours_per_week: f64,
    base_count: u32,
    count: u32,
    added: bool,
}

fn path(region: &str, group: &str) -> String {
    format!("regions.{}.teams.{}", quote(region), quote(group))
}

fn quote(k: &str) -> String {
    crate::scenario::read::key_part(k)
}

fn values(groups: &[Group], sc: &Scenario) -> Vec<(String, toml::Value)> {
    groups
        .iter()
        .map(|g| {
            let region = &sc.regions[g.region].name;
            if g.added {
                let mut t = toml::Table::new();
                t.insert("count".into(), toml::Value::Integer(i64::from(g.count)));
                t.insert("base".into(), toml::Value::String(g.base.clone()));
                t.insert("shift".into(), toml::Value::String("24/7".into()));
                (path(region, &g.name), toml::Value::Table(t))
            } else {
                (
                    format!("{}.count", path(region, &g.name)),
                    toml::Value::Integer(i64::from(g.count)),
                )
            }
        })
        .collect()
}

/// How far a region is from its target (0 = met).
fn shortfall(res: &RunResults, sc: &Scenario, r: usize, target: &Target) -> f64 {
    let name = &sc.regions[r].name;
    let hi = |e: Option<crate::stats::Estimate>| {
        e.map(|e| {
            if e.half_width.is_finite() {
                e.high()
            } else {
                e.mean
            }
        })
        .filter(|x| x.is_finite())
    };
    let mut s = hi(res.kpi(Some(name), None, None, "diverted_share"))
        .map_or(0.0, |d| (d - target.max_diverted_share).max(0.0));
    if target.p90_within_max {
        for ct in &sc.call_types {
            let max = ct.max_response[r].minutes();
            if max.is_finite() && max > 0.0 {
                let p90 = hi(res.kpi(Some(name), Some(&ct.name), None, "response_p90_min"));
                s += p90.map_or(0.0, |p| ((p - max) / max).max(0.0));
            }
        }
    }
    s
}

struct Evaluator<'a> {
    base_text: &'a str,
    target: Target,
    evaluations: usize,
    on_eval: &'a (dyn Fn(usize) + Sync),
}

impl Evaluator<'_> {
    fn run(
        &mut self,
        groups: &[Group],
        sc: &Scenario,
    ) -> Result<(String, Scenario, RunResults), ScenarioError> {
        let text = set_values(self.base_text, &values(groups, sc)).map_err(|e| ScenarioError {
            file: "sized scenario".into(),
            problems: vec![crate::scenario::Problem {
                line: 1,
                column: 1,
                key: String::new(),
                message: e.to_string(),
            }],
        })?;
        let mut scenario = Scenario::from_toml(&text, "sized scenario")?;
        scenario.run.replications = self.target.replications;
        let reps = scenario.run.replications;
        let res = crate::montecarlo::run(&Model::new(scenario.clone()), reps, &|| {});
        self.evaluations += 1;
        (self.on_eval)(self.evaluations);
        Ok((text, scenario, res))
    }
}

/// Sizes the teams of a scenario; `on_eval` is called after each simulation
/// with the number run so far.
pub fn size(
    base_text: &str,
    file: &str,
    target: Target,
    on_eval: &(dyn Fn(usize) + Sync),
) -> Result<Sizing, ScenarioError> {
    let sc = Scenario::from_toml(base_text, file)?;
    let mut ev = Evaluator {
        base_text,
        target,
        evaluations: 0,
        on_eval,
    };
    let mut base_sc = sc.clone();
    base_sc.run.replications = target.replications;
    let base_results = crate::montecarlo::run(&Model::new(base_sc), target.replications, &|| {});
    let mut groups: Vec<Group> = sc
        .team_groups
        .iter()
        .map(|g| Group {
            region: g.region,
            name: g.name.clone(),
            base: sc.zones[g.base].name.clone(),
            hours_per_week: g.schedule.minutes_per_week() / 60.0,
            base_count: g.count,
            count: 0,
            added: false,
        })
        .collect();
    let regions = sc.regions.len();
    let total = |groups: &[Group], r: usize| {
        groups
            .iter()
            .filter(|g| g.region == r)
            .map(|g| g.count)
            .sum::<u32>()
    };
    let (_, _, mut current) = ev.run(&groups, &sc)?;
    // Greedy: add the best team in every region that misses its target.
    loop {
        let unmet: Vec<usize> = (0..regions)
            .filter(|&r| {
                shortfall(&current, &sc, r, &target) > 0.0 && total(&groups, r) < target.max_teams_per_region
            })
            .collect();
        if unmet.is_empty() {
            break;
        }
        // Candidates per region: one more team in each of its groups, or a
        // new base where most calls are diverted.
        let mut candidates: Vec<Vec<usize>> = vec![Vec::new(); regions];
        for &r in &unmet {
            candidates[r] = groups
                .iter()
                .enumerate()
                .filter(|(_, g)| g.region == r)
                .map(|(i, _)| i)
                .collect();
            if let Some(zone) = worst_unbased_zone(&current, &sc, r, &groups) {
                groups.push(Group {
                    region: r,
                    name: format!("added_{zone}"),
                    base: zone,
                    hours_per_week: 168.0,
                    base_count: 0,
                    count: 0,
                    added: true,
                });
                candidates[r].push(groups.len() - 1);
            }
        }
        let rounds = candidates.iter().map(Vec::len).max().unwrap_or(0);
        let mut best: Vec<Option<(f64, usize)>> = vec![None; regions];
        for j in 0..rounds {
            for &r in &unmet {
                if let Some(&g) = candidates[r].get(j) {
                    groups[g].count += 1;
                }
            }
            let (_, _, res) = ev.run(&groups, &sc)?;
            for &r in &unmet {
                if let Some(&g) = candidates[r].get(j) {
                    groups[g].count -= 1;
                    let s = shortfall(&res, &sc, r, &target);
                    if best[r].is_none_or(|(b, _)| s < b) {
                        best[r] = Some((s, g));
                    }
                }
            }
        }
        for &r in &unmet {
            if let Some((_, g)) = best[r] {
                groups[g].count += 1;
            }
        }
        groups.retain(|g| !g.added || g.count > 0);
        current = ev.run(&groups, &sc)?.2;
    }
    // Prune: drop any team whose removal keeps its region's target.
    let met_now: Vec<bool> = (0..regions)
        .map(|r| shortfall(&current, &sc, r, &target) == 0.0)
        .collect();
    loop {
        let mut removed = false;
        let rounds = (0..regions)
            .map(|r| groups.iter().filter(|g| g.region == r).count())
            .max()
            .unwrap_or(0);
        for j in 0..rounds {
            let trial: Vec<(usize, usize)> = (0..regions)
                .filter(|&r| met_now[r])
                .filter_map(|r| {
                    let g = groups.iter().enumerate().filter(|(_, g)| g.region == r).nth(j)?.0;
                    (groups[g].count > 0).then_some((r, g))
                })
                .collect();
            if trial.is_empty() {
                continue;
            }
            for &(_, g) in &trial {
                groups[g].count -= 1;
            }
            let (_, _, res) = ev.run(&groups, &sc)?;
            for &(r, g) in &trial {
                if shortfall(&res, &sc, r, &target) > 0.0 {
                    groups[g].count += 1;
                } else {
                    removed = true;
                }
            }
        }
        if !removed {
            break;
        }
    }
    groups.retain(|g| !g.added || g.count > 0);
    groups.sort_by_key(|g| (g.region, g.added));
    let (text, sized, results) = ev.run(&groups, &sc)?;
    let met = (0..regions)
        .map(|r| {
            (
                sized.regions[r].name.clone(),
                shortfall(&results, &sized, r, &target) == 0.0,
            )
        })
        .collect();
    let groups = groups
        .iter()
        .map(|g| GroupSize {
            region: sc.regions[g.region].name.clone(),
            group: g.name.clone(),
            base: g.base.clone(),
            hours_per_week: g.hours_per_week,
            base_count: g.base_count,
            count: g.count,
        })
        .collect();
    Ok(Sizing {
        groups,
        met,
        scenario_toml: text,
        results,
        base_results,
        evaluations: ev.evaluations,
    })
}

/// The zone of region `r` without a base that had the most diverted calls.
fn worst_unbased_zone(res: &RunResults, sc: &Scenario, r: usize, groups: &[Group]) -> Option<String> {
    let region = &sc.regions[r].name;
    let mut best: Option<(f64, &str)> = None;
    for &z in &sc.regions[r].zones {
        let zone = &sc.zones[z].name;
        if groups.iter().any(|g| g.region == r && &g.base == zone) {
            continue;
        }
        let diverted: f64 = res
            .month_zone
            .iter()
            .filter(|m| &m.region == region && &m.zone == zone)
            .map(|m| m.counts.get("diverted_capacity").map_or(0.0, |e| e.mean))
            .sum();
        if diverted > 0.0 && best.is_none_or(|(b, _)| diverted > b) {
            best = Some((diverted, zone));
        }
    }
    best.map(|(_, z)| z.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One region with zero travel and a zero maximum is Erlang B: with
    /// a = 3 erlangs, B(6, 3) = 0.052 and B(7, 3) = 0.022, so the fewest
    /// teams keeping the diverted share under 5% is 7, whatever the start.
    #[test]
    fn sizing_finds_the_erlang_b_answer() {
        let text = r#"
[run]
horizon_days = 120
seed = 9
[dispatch]
candidates = "idle"
estimate = "exact"
[call_types.crisis]
max_response_min = 0
triage = { mobile = 1.0 }
on_scene = { dist = "exponential", mean = 60 }
[regions.Town]
population = 1000
calls_per_hour = 3.0
travel = { time = 0 }
teams.van = { count = 2 }
"#;
        let target = Target {
            max_diverted_share: 0.05,
            p90_within_max: false,
            max_teams_per_region: 20,
            replications: 12,
        };
        let s = size(text, "t.toml", target, &|_| {}).unwrap();
        let total: u32 = s.groups.iter().map(|g| g.count).sum();
        assert_eq!(total, 7, "{:?}", s.groups);
        assert!(s.met.iter().all(|(_, m)| *m));
        assert_eq!(s.groups[0].base_count, 2);
        let sized = Scenario::from_toml(&s.scenario_toml, "sized").unwrap();
        assert_eq!(sized.team_count(), 7);
    }
}

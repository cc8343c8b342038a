//! Sizing (754/50(6),(7)): the fewest team-hours, by region, base and
//! shift block, that meet a target with stated confidence, checked on
//! replications the search never saw.
//!
//! **Misses.** A mobile call is a miss when it is diverted for lack of
//! capacity or reached after its maximum (model.md: in time + late +
//! diverted = mobile). The target is on the miss share's upper 95% bound,
//! in each searched region (and, if asked, each call type); the p90 target
//! asks that at least 90% of each call type's mobile calls be reached in
//! time (the p90 of all mobile calls, a diverted call counting as beyond any
//! time, is then within the maximum).
//!
//! **Search.** Greedy marginal allocation, which relies on monotonicity (a
//! team more never makes a region worse). Each round, in every searched
//! region that misses its target, it tries one more team in each of the
//! region's groups and one new team at a new base (for each allowed shift)
//! near the zone with the most misses, and keeps the candidate that removes
//! the most shortfall per team-hour (the cheapest one that meets the target,
//! if any does). Then it removes any team it can spare (with `add_only`,
//! only teams it added). Every evaluation uses the same replications
//! (common random numbers); candidate *j* of every region is evaluated in
//! the same simulation, which is exact for regions without mutual aid.
//! When the searched regions neither give nor get mutual aid, the other
//! regions are left out of the search's simulations (they cannot change).
//!
//! **Verification.** The recommendation is then run with a different seed
//! (`verify_seed`) and `verify_replications`; a region is accepted only if
//! the upper bound meets the target there. If not, its search target is
//! lowered by the gap and the search continues (at most five times).

use serde::Serialize;

use crate::Model;
use crate::results::{GroupFigure, RunResults};
use crate::scenario::patch::set_values;
use crate::scenario::read::key_part;
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::Estimate;

/// What every searched region must meet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Target {
    /// Upper 95% bound of the share of mobile calls missed (diverted or late).
    pub max_miss_share: f64,
    /// Also the miss share of each call type.
    pub per_call_type: bool,
    /// Also: at least 90% of each call type's mobile calls reached in time
    /// (lower 95% bound), i.e. the p90 of all mobile calls within the maximum.
    pub p90_within_max: bool,
    /// At most this many teams in a region.
    pub max_teams_per_region: u32,
    /// Replications per search evaluation.
    pub replications: u32,
    /// Replications of the verification run.
    pub verify_replications: u32,
}

/// A shift block a new team may work.
#[derive(Debug, Clone, PartialEq)]
pub struct Shift {
    /// As the user wrote it, e.g. `Mon-Fri 08:00-20:00` or `24/7`.
    pub label: String,
    /// The scenario's `shift` value.
    value: toml::Value,
    /// On-shift hours per week.
    pub hours_per_week: f64,
}

impl Shift {
    /// The scenario's `shift` value for this block.
    pub fn value(&self) -> &toml::Value {
        &self.value
    }

    /// Every day, all day.
    pub fn always() -> Shift {
        Shift {
            label: "24/7".into(),
            value: toml::Value::String("24/7".into()),
            hours_per_week: 168.0,
        }
    }

    /// Reads `24/7` or `DAYS HH:MM-HH:MM` (days as in a scenario:
    /// `Mon-Fri`, `all`, `weekdays`, `weekends`, `Sat`), checked by the
    /// scenario's own rules.
    pub fn parse(text: &str) -> Result<Shift, String> {
        let text = text.trim();
        if text == "24/7" {
            return Ok(Shift::always());
        }
        let expected = || {
            format!("shift {text:?}: expected \"24/7\" or \"DAYS HH:MM-HH:MM\", e.g. \"Mon-Fri 08:00-20:00\"")
        };
        let (days, hours) = text.rsplit_once(' ').ok_or_else(expected)?;
        let (start, end) = hours.split_once('-').ok_or_else(expected)?;
        let mut t = toml::Table::new();
        t.insert("days".into(), toml::Value::String(days.trim().into()));
        t.insert("start".into(), toml::Value::String(start.into()));
        t.insert("end".into(), toml::Value::String(end.into()));
        let value = toml::Value::Table(t);
        let probe = format!(
            "[call_types.c]\nmax_response_min = 60\ntriage = {{ mobile = 1.0 }}\non_scene = 30\n\
             [regions.R]\npopulation = 1\ncalls_per_hour = 1\ntravel = {{ time = 10 }}\nteams.t = {{ count = 1, shift = {value} }}\n"
        );
        let sc = Scenario::from_toml(&probe, "shift").map_err(|e| {
            let why: Vec<String> = e.problems.iter().map(|p| p.message.clone()).collect();
            format!("shift {text:?}: {}", why.join("; "))
        })?;
        Ok(Shift {
            label: text.to_string(),
            value,
            hours_per_week: sc.team_groups()[0].schedule.minutes_per_week() / 60.0,
        })
    }
}

/// A candidate site for a new base (e.g. a provider's office).
#[derive(Debug, Clone, PartialEq)]
pub struct Site {
    /// Name, for the sized scenario's comments.
    pub name: String,
    /// Latitude, degrees.
    pub lat: f64,
    /// Longitude, degrees.
    pub lon: f64,
}

/// What the search may change.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Regions to size (empty: all); the others stay exactly as given.
    pub regions: Vec<String>,
    /// Never remove or move existing teams: only add.
    pub add_only: bool,
    /// Where new bases may go: `None` = any zone of the region; else the
    /// zones nearest to these sites.
    pub sites: Option<Vec<Site>>,
    /// Shift blocks a new team may work (empty: 24/7 only).
    pub shifts: Vec<Shift>,
}

/// Why a sizing could not start.
#[derive(Debug, thiserror::Error)]
pub enum SizingError {
    /// The scenario (or a sized variant) does not validate.
    #[error(transparent)]
    Scenario(#[from] ScenarioError),
    /// `--region` names no region of the scenario.
    #[error("unknown region {name:?}; the scenario's regions: {known}")]
    UnknownRegion {
        /// The name given.
        name: String,
        /// The scenario's regions.
        known: String,
    },
    /// Sites were given, but the scenario's zones have no coordinates.
    #[error("candidate sites need `lat` and `lon` on the zones of {region:?}")]
    NoCoordinates {
        /// The region.
        region: String,
    },
    /// No site lies in a searched region.
    #[error("none of the candidate sites lies in {region:?} (each site goes to its nearest zone)")]
    NoSites {
        /// The region.
        region: String,
    },
}

/// One team group of the recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct GroupSize {
    /// Region.
    pub region: String,
    /// Group name (`teams.NAME`); new groups are named `new <zone> <shift>`.
    pub group: String,
    /// Base zone.
    pub base: String,
    /// Candidate sites in the base zone (new groups with `sites`).
    pub sites: Vec<String>,
    /// Shift block: `24/7`, the block's text, or `as given`.
    pub shift: String,
    /// On-shift hours per week of one team.
    pub hours_per_week: f64,
    /// Teams in the base scenario.
    pub base_count: u32,
    /// Recommended teams.
    pub count: u32,
}

/// A searched region's figures.
#[derive(Debug, Clone, Serialize)]
pub struct RegionCheck {
    /// Region.
    pub region: String,
    /// Miss share as given (search replications).
    pub before: Estimate,
    /// Miss share of the recommendation, search replications.
    pub search: Estimate,
    /// Miss share of the recommendation, verification replications.
    pub verified: Estimate,
    /// The target is met on the verification run.
    pub met: bool,
}

/// One point of the cost-versus-miss trade-off: a searched region after a
/// step of the search.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Step of the search (0 = the start).
    pub step: usize,
    /// Region.
    pub region: String,
    /// Teams in the region.
    pub teams: u32,
    /// Team-hours per week in the region.
    pub team_hours_per_week: f64,
    /// Miss share (search replications).
    pub miss_share: Estimate,
}

/// The recommendation.
#[derive(Debug, Clone)]
pub struct Sizing {
    /// Every group of the searched regions: the scenario's, then new ones.
    pub groups: Vec<GroupSize>,
    /// The searched regions.
    pub checks: Vec<RegionCheck>,
    /// The sized scenario (TOML text).
    pub scenario_toml: String,
    /// The verification run of the sized scenario (`verify_seed`).
    pub results: RunResults,
    /// The scenario as given (search seed and replications).
    pub base_results: RunResults,
    /// The trade-off curve.
    pub steps: Vec<Step>,
    /// Simulations run.
    pub evaluations: usize,
    /// The seed of the verification run.
    pub verify_seed: u64,
}

impl Sizing {
    /// True when every searched region met its target on verification.
    pub fn all_met(&self) -> bool {
        self.checks.iter().all(|c| c.met)
    }
}

struct Group {
    region: usize,
    name: String,
    base: String,
    sites: Vec<String>,
    shift: Option<Shift>,
    hours_per_week: f64,
    base_count: u32,
    count: u32,
}

impl Group {
    fn added(&self) -> bool {
        self.shift.is_some()
    }
}

fn group_path(region: &str, group: &str) -> String {
    format!("regions.{}.teams.{}", key_part(region), key_part(group))
}

fn patches(groups: &[Group], sc: &Scenario) -> Vec<(String, toml::Value)> {
    groups
        .iter()
        .map(|g| {
            let region = &sc.regions()[g.region].name;
            match &g.shift {
                Some(shift) => {
                    let mut t = toml::Table::new();
                    t.insert("count".into(), toml::Value::Integer(i64::from(g.count)));
                    t.insert("base".into(), toml::Value::String(g.base.clone()));
                    t.insert("shift".into(), shift.value.clone());
                    (group_path(region, &g.name), toml::Value::Table(t))
                }
                None => (
                    format!("{}.count", group_path(region, &g.name)),
                    toml::Value::Integer(i64::from(g.count)),
                ),
            }
        })
        .collect()
}

/// The miss share of a group: 1 − the in-time share (NaN without calls).
fn miss(res: &RunResults, region: &str, call_type: Option<&str>) -> Option<Estimate> {
    res.figure(Some(region), call_type, None, GroupFigure::InTimeShare)
        .filter(|e| e.mean.is_finite())
        .map(|e| Estimate {
            mean: 1.0 - e.mean,
            ..e
        })
}

fn upper(e: Estimate) -> f64 {
    if e.half_width.is_finite() {
        e.high()
    } else {
        e.mean
    }
}

/// How far region `r` is from its target, lowered by `tighten` (0 = met).
fn shortfall(res: &RunResults, sc: &Scenario, r: usize, target: &Target, tighten: f64) -> f64 {
    let name = &sc.regions()[r].name;
    let limit = target.max_miss_share - tighten;
    let over = |e: Option<Estimate>| e.map_or(0.0, |e| (upper(e) - limit).max(0.0));
    let mut s = over(miss(res, name, None));
    for ct in sc.call_types() {
        if target.per_call_type {
            s += over(miss(res, name, Some(&ct.name)));
        }
        if target.p90_within_max && ct.max_response[r].minutes().is_finite() {
            // At least 90% in time: the miss share's upper bound within 10%.
            s += miss(res, name, Some(&ct.name)).map_or(0.0, |e| (upper(e) - 0.10).max(0.0));
        }
    }
    s
}

struct Evaluator<'a> {
    /// The whole scenario, for the verification run.
    base_text: &'a str,
    /// The text the search simulates (other regions left out when they
    /// cannot change).
    search_text: String,
    target: Target,
    evaluations: usize,
    on_eval: &'a (dyn Fn(usize) + Sync),
}

impl Evaluator<'_> {
    /// A search evaluation: the groups on the search text, the scenario's
    /// seed, the search's replications.
    fn run(&mut self, groups: &[Group], sc: &Scenario) -> Result<RunResults, ScenarioError> {
        self.simulate(true, groups, sc, sc.run().seed, self.target.replications)
    }

    /// The groups simulated on the search text or the whole scenario, with
    /// `replications` of `seed` set like any other value, before validation.
    fn simulate(
        &mut self,
        search: bool,
        groups: &[Group],
        sc: &Scenario,
        seed: u64,
        replications: u32,
    ) -> Result<RunResults, ScenarioError> {
        let seed = i64::try_from(seed).map_err(|_| {
            ScenarioError::new(
                "sized scenario",
                vec![crate::scenario::Problem {
                    line: 1,
                    column: 1,
                    key: "run.seed".into(),
                    message: format!("seed {seed} is above {}", i64::MAX),
                }],
            )
        })?;
        let run = [
            ("run.seed".to_string(), toml::Value::Integer(seed)),
            (
                "run.replications".to_string(),
                toml::Value::Integer(i64::from(replications)),
            ),
        ];
        let text = if search { &self.search_text } else { self.base_text };
        let text = sized_text(text, groups, sc, &run)?;
        let scenario = Scenario::from_toml(&text, "sized scenario")?;
        let res = crate::montecarlo::run(&Model::new(scenario), replications, &|| {});
        self.evaluations += 1;
        (self.on_eval)(self.evaluations);
        Ok(res)
    }
}

/// The scenario text with the groups' counts (and `extra` values) set, in
/// one pass.
fn sized_text(
    text: &str,
    groups: &[Group],
    sc: &Scenario,
    extra: &[(String, toml::Value)],
) -> Result<String, ScenarioError> {
    let mut values = patches(groups, sc);
    values.extend_from_slice(extra);
    set_values(text, &values).map_err(|e| {
        ScenarioError::new(
            "sized scenario",
            vec![crate::scenario::Problem {
                line: 1,
                column: 1,
                key: String::new(),
                message: e.to_string(),
            }],
        )
    })
}

/// The scenario text with only the `keep` regions (and maxima by region
/// only for them).
fn only_regions(text: &str, keep: &[String]) -> String {
    let Ok(mut root) = text.parse::<toml::Table>() else {
        return text.to_string();
    };
    if let Some(toml::Value::Table(regions)) = root.get_mut("regions") {
        regions.retain(|k, _| keep.iter().any(|x| x == k));
    }
    if let Some(toml::Value::Table(types)) = root.get_mut("call_types") {
        for (_, ct) in types.iter_mut() {
            if let Some(toml::Value::Table(by)) = ct.get_mut("max_response_by_region") {
                by.retain(|k, _| keep.iter().any(|x| x == k));
            }
        }
    }
    toml::to_string(&root).unwrap_or_else(|_| text.to_string())
}

/// Sizes the teams of the searched regions; `on_eval` is called after each
/// simulation with the number run so far.
pub fn size(
    base_text: &str,
    file: &str,
    target: Target,
    options: &Options,
    on_eval: &(dyn Fn(usize) + Sync),
) -> Result<Sizing, SizingError> {
    let sc = Scenario::from_toml(base_text, file)?;
    let names: Vec<String> = sc.regions().iter().map(|r| r.name.clone()).collect();
    let mut searched = Vec::new();
    for name in &options.regions {
        match names.iter().position(|n| n == name) {
            Some(r) => searched.push(r),
            None => {
                return Err(SizingError::UnknownRegion {
                    name: name.clone(),
                    known: names
                        .iter()
                        .map(|n| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
    }
    if searched.is_empty() {
        searched = (0..names.len()).collect();
    }
    searched.sort_unstable();
    searched.dedup();
    let shifts = if options.shifts.is_empty() {
        vec![Shift::always()]
    } else {
        options.shifts.clone()
    };
    let allowed = allowed_zones(&sc, &searched, options.sites.as_deref())?;
    // Leave out regions that cannot change the searched ones.
    let linked = sc.regions().iter().enumerate().any(|(i, r)| {
        (searched.contains(&i) && r.mutual_aid.iter().any(|p| !searched.contains(p)))
            || (!searched.contains(&i) && r.mutual_aid.iter().any(|p| searched.contains(p)))
    });
    let search_text = if linked {
        base_text.to_string()
    } else {
        only_regions(
            base_text,
            &searched.iter().map(|&r| names[r].clone()).collect::<Vec<_>>(),
        )
    };
    let mut ev = Evaluator {
        base_text,
        search_text,
        target,
        evaluations: 0,
        on_eval,
    };
    // The replication count is the run's argument; the scenario is not changed.
    let base_results = crate::montecarlo::run(&Model::new(sc.clone()), target.replications, &|| {});
    let mut groups: Vec<Group> = sc
        .team_groups()
        .iter()
        .filter(|g| searched.contains(&g.region))
        .map(|g| Group {
            region: g.region,
            name: g.name.clone(),
            base: sc.zones()[g.base].name.clone(),
            sites: Vec::new(),
            shift: None,
            hours_per_week: g.schedule.minutes_per_week() / 60.0,
            base_count: g.count,
            count: if options.add_only { g.count } else { 0 },
        })
        .collect();
    let floor = |g: &Group| if options.add_only { g.base_count } else { 0 };
    let mut tighten = vec![0.0; names.len()];
    let mut steps = Vec::new();
    let mut current = ev.run(&groups, &sc)?;
    record(&mut steps, &groups, &searched, &names, &current);
    let mut verified;
    let mut rounds_of_verification = 0;
    loop {
        // Greedy: add the best team in every searched region that misses.
        loop {
            let unmet: Vec<usize> = searched
                .iter()
                .copied()
                .filter(|&r| {
                    shortfall(&current, &sc, r, &target, tighten[r]) > 0.0
                        && total(&groups, r) < target.max_teams_per_region
                })
                .collect();
            if unmet.is_empty() {
                break;
            }
            let mut candidates: Vec<Vec<usize>> = vec![Vec::new(); names.len()];
            for &r in &unmet {
                candidates[r] = (0..groups.len()).filter(|&i| groups[i].region == r).collect();
                for shift in &shifts {
                    if let Some(zone) = new_base_zone(&current, &sc, r, &groups, &allowed[r], shift) {
                        groups.push(Group {
                            region: r,
                            name: format!("new {} {}", zone.0, shift.label),
                            base: zone.0,
                            sites: zone.1,
                            shift: Some(shift.clone()),
                            hours_per_week: shift.hours_per_week,
                            base_count: 0,
                            count: 0,
                        });
                        candidates[r].push(groups.len() - 1);
                    }
                }
            }
            let width = candidates.iter().map(Vec::len).max().unwrap_or(0);
            let mut best: Vec<Option<(bool, f64, usize)>> = vec![None; names.len()];
            for j in 0..width {
                for &r in &unmet {
                    if let Some(&g) = candidates[r].get(j) {
                        groups[g].count += 1;
                    }
                }
                let res = ev.run(&groups, &sc)?;
                for &r in &unmet {
                    if let Some(&g) = candidates[r].get(j) {
                        groups[g].count -= 1;
                        let now = shortfall(&current, &sc, r, &target, tighten[r]);
                        let s = shortfall(&res, &sc, r, &target, tighten[r]);
                        // Meeting the target beats everything, then the
                        // cheapest; else the most shortfall removed per hour.
                        let score = if s == 0.0 {
                            (true, -groups[g].hours_per_week)
                        } else {
                            (false, (now - s) / groups[g].hours_per_week)
                        };
                        if best[r].is_none_or(|(m, v, _)| (score.0, score.1) > (m, v)) {
                            best[r] = Some((score.0, score.1, g));
                        }
                    }
                }
            }
            for &r in &unmet {
                if let Some((_, _, g)) = best[r] {
                    groups[g].count += 1;
                }
            }
            groups.retain(|g| !g.added() || g.count > 0);
            current = ev.run(&groups, &sc)?;
            record(&mut steps, &groups, &searched, &names, &current);
        }
        // Prune: drop any team whose removal keeps its region's target.
        let met_now: Vec<bool> = (0..names.len())
            .map(|r| searched.contains(&r) && shortfall(&current, &sc, r, &target, tighten[r]) == 0.0)
            .collect();
        loop {
            let mut removed = false;
            let width = searched
                .iter()
                .map(|&r| groups.iter().filter(|g| g.region == r).count())
                .max()
                .unwrap_or(0);
            for j in 0..width {
                let trial: Vec<(usize, usize)> = searched
                    .iter()
                    .copied()
                    .filter(|&r| met_now[r])
                    .filter_map(|r| {
                        let g = groups.iter().enumerate().filter(|(_, g)| g.region == r).nth(j)?.0;
                        (groups[g].count > floor(&groups[g])).then_some((r, g))
                    })
                    .collect();
                if trial.is_empty() {
                    continue;
                }
                for &(_, g) in &trial {
                    groups[g].count -= 1;
                }
                let res = ev.run(&groups, &sc)?;
                for &(r, g) in &trial {
                    if shortfall(&res, &sc, r, &target, tighten[r]) > 0.0 {
                        groups[g].count += 1;
                    } else {
                        removed = true;
                    }
                }
            }
            if !removed {
                break;
            }
            current = ev.run(&groups, &sc)?;
            record(&mut steps, &groups, &searched, &names, &current);
        }
        groups.retain(|g| !g.added() || g.count > 0);
        // Verify on replications the search never saw.
        verified = ev.simulate(
            false,
            &groups,
            &sc,
            verify_seed(sc.run().seed),
            target.verify_replications,
        )?;
        let mut again = false;
        for &r in &searched {
            let gap = shortfall(&verified, &sc, r, &target, 0.0);
            if gap > 0.0 && total(&groups, r) < target.max_teams_per_region {
                tighten[r] += gap;
                again = true;
            }
        }
        rounds_of_verification += 1;
        if !again || rounds_of_verification >= 5 {
            break;
        }
    }
    let search = current;
    let checks = searched
        .iter()
        .map(|&r| {
            let name = &names[r];
            let nan = Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
                n: 0,
            };
            RegionCheck {
                region: name.clone(),
                before: miss(&base_results, name, None).unwrap_or(nan),
                search: miss(&search, name, None).unwrap_or(nan),
                verified: miss(&verified, name, None).unwrap_or(nan),
                met: shortfall(&verified, &sc, r, &target, 0.0) == 0.0,
            }
        })
        .collect();
    groups.sort_by_key(|g| (g.region, g.added()));
    let changed: Vec<String> = groups
        .iter()
        .filter(|g| g.count != g.base_count)
        .map(|g| format!("{} {}: {} -> {}", names[g.region], g.name, g.base_count, g.count))
        .collect();
    let sized_for: Vec<&str> = searched.iter().map(|&r| names[r].as_str()).collect();
    let name = format!(
        "{}, sized for {} ({}miss share <= {})",
        sc.name(),
        sized_for.join(", "),
        if options.add_only { "add-only, " } else { "" },
        target.max_miss_share
    );
    let text = sized_text(
        base_text,
        &groups,
        &sc,
        &[("name".into(), toml::Value::String(name))],
    )?;
    Ok(Sizing {
        groups: groups
            .iter()
            .map(|g| GroupSize {
                region: names[g.region].clone(),
                group: g.name.clone(),
                base: g.base.clone(),
                sites: g.sites.clone(),
                shift: g.shift.as_ref().map_or("as given".into(), |s| s.label.clone()),
                hours_per_week: g.hours_per_week,
                base_count: g.base_count,
                count: g.count,
            })
            .collect(),
        checks,
        scenario_toml: format!(
            "# Changed by cessa-sim size: {}\n{text}",
            if changed.is_empty() {
                "nothing".into()
            } else {
                changed.join("; ")
            }
        ),
        results: verified,
        base_results,
        steps,
        evaluations: ev.evaluations,
        verify_seed: verify_seed(sc.run().seed),
    })
}

/// The seed of the verification run: one the search never uses.
pub fn verify_seed(seed: u64) -> u64 {
    seed.wrapping_add(1)
}

fn total(groups: &[Group], r: usize) -> u32 {
    groups.iter().filter(|g| g.region == r).map(|g| g.count).sum()
}

fn record(steps: &mut Vec<Step>, groups: &[Group], searched: &[usize], names: &[String], res: &RunResults) {
    let step = steps.last().map_or(0, |s| s.step + 1);
    for &r in searched {
        let nan = Estimate {
            mean: f64::NAN,
            half_width: f64::NAN,
            n: 0,
        };
        steps.push(Step {
            step,
            region: names[r].clone(),
            teams: total(groups, r),
            team_hours_per_week: groups
                .iter()
                .filter(|g| g.region == r)
                .map(|g| f64::from(g.count) * g.hours_per_week)
                .sum(),
            miss_share: miss(res, &names[r], None).unwrap_or(nan),
        });
    }
}

/// A zone where a new base may go, with the names of the sites in it.
type Allowed = (usize, Vec<String>);

/// Per region, the zones where a new base may go, each with the sites in it.
fn allowed_zones(
    sc: &Scenario,
    searched: &[usize],
    sites: Option<&[Site]>,
) -> Result<Vec<Vec<Allowed>>, SizingError> {
    let mut out = vec![Vec::new(); sc.regions().len()];
    let Some(sites) = sites else {
        for &r in searched {
            out[r] = sc.regions()[r].zones.iter().map(|&z| (z, Vec::new())).collect();
        }
        return Ok(out);
    };
    for &r in searched {
        if sc.regions()[r]
            .zones
            .iter()
            .any(|&z| sc.zones()[z].coords.is_none())
        {
            return Err(SizingError::NoCoordinates {
                region: sc.regions()[r].name.clone(),
            });
        }
    }
    for site in sites {
        let nearest = sc
            .zones()
            .iter()
            .enumerate()
            .filter_map(|(i, z)| {
                Some((
                    i,
                    crate::scenario::great_circle_miles(z.coords?, (site.lat, site.lon)),
                ))
            })
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((z, _)) = nearest {
            let r = sc.zones()[z].region;
            if searched.contains(&r) {
                match out[r].iter_mut().find(|(zz, _)| *zz == z) {
                    Some((_, names)) => names.push(site.name.clone()),
                    None => out[r].push((z, vec![site.name.clone()])),
                }
            }
        }
    }
    for &r in searched {
        if out[r].is_empty() {
            return Err(SizingError::NoSites {
                region: sc.regions()[r].name.clone(),
            });
        }
        out[r].sort_by_key(|(z, _)| *z);
    }
    Ok(out)
}

/// Where a new base for `shift` should go in region `r`: the allowed zone
/// nearest (by mean travel time) to the zone with the most misses, among
/// allowed zones without a group of that shift. `None` if there is none.
fn new_base_zone(
    res: &RunResults,
    sc: &Scenario,
    r: usize,
    groups: &[Group],
    allowed: &[Allowed],
    shift: &Shift,
) -> Option<(String, Vec<String>)> {
    let region = &sc.regions()[r].name;
    let misses = |zone: &str| -> f64 {
        res.month_zone
            .iter()
            .filter(|m| &m.region == region && m.zone == zone)
            .map(|m| {
                let c = |k: &str| m.counts.get(k).map_or(0.0, |e| e.mean);
                c("diverted_capacity") + c("mobile_late")
            })
            .sum()
    };
    let worst = sc.regions()[r]
        .zones
        .iter()
        .map(|&z| (z, misses(&sc.zones()[z].name)))
        .filter(|(_, m)| *m > 0.0)
        .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?
        .0;
    let taken = |z: usize| {
        groups.iter().any(|g| {
            g.region == r
                && g.base == sc.zones()[z].name
                && g.shift.as_ref().is_some_and(|s| s.label == shift.label)
        })
    };
    let route = |a: usize, b: usize| {
        let m = sc.route_mean_min(a, b);
        if m.is_nan() {
            if a == b { 0.0 } else { f64::INFINITY }
        } else {
            m
        }
    };
    allowed
        .iter()
        .filter(|(z, _)| !taken(*z))
        .min_by(|a, b| {
            route(a.0, worst)
                .total_cmp(&route(b.0, worst))
                .then(a.0.cmp(&b.0))
        })
        .map(|(z, sites)| (sc.zones()[*z].name.clone(), sites.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One region with zero travel and a zero maximum is Erlang B: with
    /// a = 3 erlangs, B(6, 3) = 0.052 and B(7, 3) = 0.022, so the fewest
    /// teams keeping the miss share under 5% is 7, whatever the start.
    const ERLANG: &str = r#"
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

    fn target() -> Target {
        Target {
            max_miss_share: 0.05,
            per_call_type: false,
            p90_within_max: false,
            max_teams_per_region: 20,
            replications: 12,
            verify_replications: 40,
        }
    }

    #[test]
    fn sizing_finds_the_erlang_b_answer() {
        let s = size(ERLANG, "t.toml", target(), &Options::default(), &|_| {}).unwrap();
        let total: u32 = s.groups.iter().map(|g| g.count).sum();
        assert_eq!(total, 7, "{:?}", s.groups);
        assert!(s.all_met());
        assert_eq!(s.groups[0].base_count, 2);
        let sized = Scenario::from_toml(s.scenario_toml.split_once('\n').unwrap().1, "sized").unwrap();
        assert_eq!(sized.team_count(), 7);
        assert_eq!(s.results.seed, 10, "verified on another seed");
        assert_eq!(s.results.replications, 40);
        assert!(s.checks[0].verified.high() <= 0.05);
        // The trade-off curve starts with no teams and ends at 7.
        assert_eq!(s.steps.first().unwrap().teams, 0);
        assert_eq!(s.steps.last().unwrap().teams, 7);
    }

    /// A day shift costs less than 24/7 but cannot cover the night: with
    /// calls only on weekday days, the cheaper day block wins.
    #[test]
    fn shift_options_are_compared_by_cost() {
        let text = ERLANG.replace("[regions.Town]", "[regions.Town]\nprofile = [0,0,0,0,0,0,0,0,0,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,0,0,0, 0,0,0,0,0,0,0,0,0,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,0,0,0, 0,0,0,0,0,0,0,0,0,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,0,0,0, 0,0,0,0,0,0,0,0,0,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,0,0,0, 0,0,0,0,0,0,0,0,0,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,2.8,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0, 0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]")
            .replace("teams.van = { count = 2 }", "teams.van = { count = 1 }")
            .replace("calls_per_hour = 3.0", "calls_per_hour = 1.0");
        let options = Options {
            add_only: true,
            shifts: vec![Shift::always(), Shift::parse("Mon-Fri 08:00-22:00").unwrap()],
            ..Options::default()
        };
        let s = size(&text, "t.toml", target(), &options, &|_| {}).unwrap();
        assert!(s.all_met(), "{:?}", s.checks);
        let new: Vec<&GroupSize> = s
            .groups
            .iter()
            .filter(|g| g.base_count == 0 && g.count > 0)
            .collect();
        assert!(!new.is_empty(), "{:?}", s.groups);
        assert!(new.iter().all(|g| g.shift == "Mon-Fri 08:00-22:00"), "{new:?}");
        assert!(s.groups[0].count >= 1, "add-only keeps the existing team");
    }

    #[test]
    fn bad_shift_and_region_are_reported() {
        assert!(Shift::parse("Mon-Fri 8-20").unwrap_err().contains("Mon-Fri 8-20"));
        assert!(Shift::parse("Funday 08:00-20:00").is_err());
        assert_eq!(Shift::parse("Mon-Fri 08:00-20:00").unwrap().hours_per_week, 60.0);
        let options = Options {
            regions: vec!["Nowhere".into()],
            ..Options::default()
        };
        let err = size(ERLANG, "t.toml", target(), &options, &|_| {})
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown region \"Nowhere\"") && err.contains("\"Town\""),
            "{err}"
        );
    }
}

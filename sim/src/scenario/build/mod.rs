//! From TOML text to a validated [`Scenario`], collecting every problem.
//!
//! One `Builder` reads the scenario section by section; its methods are
//! split into the modules below, in the order a scenario is read (the flow
//! of a call), and `assemble` numbers the pieces and cross-checks them.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

use super::read::{Reader, Val, join};
use super::{Scenario, ScenarioError};

// Run settings, dispatch policy and the scale factors.
mod run;
// Durations: fixed minutes or a named distribution.
mod dist;
// Channels and their intake, call types, triage and maximum response.
mod call_types;
// Regions, their demand profile and zones.
mod regions;
// Travel between zones, and the great-circle distance.
mod travel;
// Teams, their shifts and days.
mod teams;
// Numbering of regions and zones, routes, and cross-region checks.
mod assemble;
// 9-8-8 contact centres in front of the teams.
mod centres;

pub(crate) use travel::great_circle_miles;

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

fn opt<'a, 'i>(t: &'a DeTable<'i>, key: &str) -> Option<&'a Val<'i>> {
    t.get(key)
}

impl Builder<'_, '_> {
    /// An array of names (`["youth", "petition"]`), each with its span.
    pub(super) fn names_list(&mut self, v: &Val<'_>, path: &str) -> Option<Vec<(String, Range<usize>)>> {
        let items = self.r.array(v, path)?;
        let mut out = Vec::new();
        let mut ok = true;
        for (i, item) in items.iter().enumerate() {
            match self.r.string(item, &format!("{path}[{i}]")) {
                Some(s) => out.push((s.to_string(), item.span())),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
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
                "demand_growth_per_year",
                "travel_scale",
                "on_scene_scale",
                "run",
                "dispatch",
                "channels",
                "call_types",
                "regions",
                "centres",
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
        let growth = match opt(root, "demand_growth_per_year") {
            Some(v) => self
                .r
                .number_where(
                    v,
                    "demand_growth_per_year",
                    "a yearly growth rate above -0.5 and at most 1 (0.03 = +3% a year)",
                    |x| x > -0.5 && x <= 1.0,
                )
                .unwrap_or(0.0),
            None => 0.0,
        };
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
        let centres = match opt(root, "centres") {
            Some(v) => {
                let types: Vec<String> = raw_types.iter().map(|t| t.ct.name.clone()).collect();
                let regions: Vec<String> = raw_regions.iter().map(|r| r.name.clone()).collect();
                self.centres(v, &types, &regions)
            }
            None => Some((Vec::new(), vec![None; raw_regions.len()])),
        };
        let mut scenario = self.assemble(
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
        )?;
        scenario.demand_growth_per_year = growth;
        let (centres, answered_by) = centres?;
        for (region, centre) in scenario.regions.iter_mut().zip(answered_by) {
            region.centre = centre;
        }
        scenario.centres = centres;
        Some(scenario)
    }
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

//! Scenario validation from the outside: the shipped scenarios load, broken
//! scenarios report every problem at once with exact positions, and no
//! input, however broken, makes `Scenario::from_toml` (or a run of what it
//! accepts) panic.

use std::panic::{AssertUnwindSafe, catch_unwind};

use sim::{Model, Scenario, ScenarioError, montecarlo};

const ILLINOIS: &str = include_str!("../../scenarios/illinois.toml");
const ONE_REGION: &str = include_str!("../../scenarios/examples/one_region.toml");
const ZONES_MATRIX: &str = include_str!("../../scenarios/examples/zones_matrix.toml");

/// Loads a scenario or fails with every problem listed.
fn load(text: &str, file: &str) -> Scenario {
    Scenario::from_toml(text, file).unwrap_or_else(|e| panic!("{e}"))
}

/// Loads a scenario that must be rejected.
fn reject(text: &str, file: &str) -> ScenarioError {
    match Scenario::from_toml(text, file) {
        Ok(_) => panic!("{file} was accepted:\n{text}"),
        Err(e) => e,
    }
}

/// (line, column, key) of each problem, in order.
fn positions(e: &ScenarioError) -> Vec<(usize, usize, &str)> {
    e.problems
        .iter()
        .map(|p| (p.line, p.column, p.key.as_str()))
        .collect()
}

// ---------------------------------------------------------------------------
// The shipped scenarios load.

#[test]
fn illinois_loads() {
    let s = load(ILLINOIS, "illinois.toml");
    assert_eq!(s.regions().len(), 11);
    assert_eq!(s.team_count(), 82);
    assert_eq!(s.channels().len(), 3);
    assert_eq!(s.call_types().len(), 3);
}

/// The default's geography (issue 10): 127 zones whose residents add up to
/// the 2020 census of Illinois, Chicago as its 22 police districts, and at
/// least two bases in every region with four or more teams.
#[test]
fn illinois_default_has_finer_geography_and_spread_bases() {
    let s = load(ILLINOIS, "illinois.toml");
    assert_eq!(s.zones().len(), 101 + 4 + 22);
    let residents: f64 = s.zones().iter().map(|z| z.weight).sum();
    assert_eq!(residents, 12_812_508.0, "2020 census of Illinois");
    let population: f64 = s.regions().iter().map(|r| r.population).sum();
    assert_eq!(population, residents);
    let chicago = s.regions().iter().position(|r| r.name == "Region 11").unwrap();
    let districts: Vec<&str> = s
        .zones()
        .iter()
        .filter(|z| z.region == chicago)
        .map(|z| z.name.as_str())
        .collect();
    assert_eq!(districts.len(), 22);
    assert!(districts.iter().all(|d| d.starts_with("Chicago District ")));
    for (ri, r) in s.regions().iter().enumerate() {
        let groups: Vec<_> = s.team_groups().iter().filter(|g| g.region == ri).collect();
        let teams: u32 = groups.iter().map(|g| g.count).sum();
        let mut bases: Vec<usize> = groups.iter().map(|g| g.base).collect();
        bases.sort_unstable();
        bases.dedup();
        assert!(
            teams < 4 || bases.len() >= 2,
            "{}: {teams} teams at {} base(s)",
            r.name,
            bases.len()
        );
        assert!(
            bases.iter().all(|&b| s.zones()[b].region == ri),
            "{}: a base outside the region",
            r.name
        );
    }
}

#[test]
fn one_region_example_loads() {
    let s = load(ONE_REGION, "one_region.toml");
    assert_eq!(s.regions().len(), 1);
    assert_eq!(s.call_types().len(), 2);
    assert_eq!(s.team_groups().len(), 2);
    assert_eq!(s.team_count(), 3);
    let day = s.team_groups().iter().find(|g| g.name == "day").unwrap();
    assert_eq!(day.overtime_min, 30.0);
    assert!(!day.schedule.is_always());
    // 12 hours on each of 5 days.
    assert_eq!(day.schedule.minutes_per_week(), 5.0 * 12.0 * 60.0);
    assert!(matches!(s.regions()[0].travel, sim::scenario::Travel::Time(_)));
}

#[test]
fn zones_matrix_example_loads() {
    let s = load(ZONES_MATRIX, "zones_matrix.toml");
    assert_eq!(s.regions().len(), 1);
    assert_eq!(s.zones().len(), 3);
    assert_eq!(s.dispatch().policy, sim::scenario::Policy::Escalate);
    assert_eq!(s.channels().len(), 2);
    assert!(matches!(
        s.regions()[0].travel,
        sim::scenario::Travel::Routes { .. }
    ));
    let id = |name: &str| s.zones().iter().position(|z| z.name == name).unwrap();
    assert_eq!(s.route_mean_min(id("A"), id("B")), 20.0);
    assert_eq!(s.route_mean_min(id("C"), id("C")), 15.0);
    let weights: Vec<f64> = s.zones().iter().map(|z| z.weight).collect();
    assert_eq!(weights, [5.0, 3.0, 2.0]);
    // The per-region override replaces the default maximum.
    assert_eq!(
        s.call_types()[0].max_response,
        [sim::scenario::MaxResponse::Minutes(45.0)]
    );
    // Team bases are the named districts.
    let base = |g: &str| s.team_groups().iter().find(|t| t.name == g).unwrap().base;
    assert_eq!(s.zones()[base("north")].name, "A");
    assert_eq!(s.zones()[base("south")].name, "C");
}

#[test]
fn examples_run() {
    for (text, file) in [
        (ONE_REGION, "one_region.toml"),
        (ZONES_MATRIX, "zones_matrix.toml"),
    ] {
        let short = sim::scenario::patch::set_values(
            text,
            &[
                ("run.horizon_days".into(), toml::Value::Integer(3)),
                ("run.warmup_days".into(), toml::Value::Integer(0)),
            ],
        )
        .unwrap();
        let s = load(&short, file);
        let model = Model::new(s);
        let results = montecarlo::run(&model, 1, &|| {});
        let diverted = results.kpi(None, None, None, "diverted_share").unwrap();
        assert!((0.0..=1.0).contains(&diverted.mean), "{file}: {}", diverted.mean);
    }
}

// ---------------------------------------------------------------------------
// Many problems, all reported, each at its place.

/// Six distinct problems: a misspelled key, triage shares summing to 0.9, an
/// unknown distribution, a negative population, a shift starting at 25:00
/// and a team base naming no zone of its region.
const BROKEN: &str = r#"name = "broken"
[run]
horizon_dayz = 3
[call_types.a]
share = 0.5
max_response_min = 60
triage = { phone = 0.5, mobile = 0.4 }
on_scene = 30
[call_types.b]
share = 0.5
max_response_min = 60
triage = { phone = 0.5, mobile = 0.5 }
on_scene = { dist = "lognorm", mean = 60 }
[regions."North Side"]
population = -5
calls_per_hour = 1
travel = { time = 20 }
teams.day = { count = 1, shift = { start = "25:00", end = "17:00" } }
[regions.South]
population = 1000
calls_per_hour = 1
zones = { Center = 1, Edge = 2 }
travel = { time = 20 }
teams.day = { count = 1, base = "Nowhere" }
"#;

#[test]
fn every_problem_is_reported_with_its_position() {
    let e = reject(BROKEN, "broken.toml");
    assert_eq!(e.file, "broken.toml");
    assert_eq!(
        positions(&e),
        [
            // `horizon_dayz` starts the line.
            (3, 1, "run.horizon_dayz"),
            // `triage = ` is 9 characters; the inline table starts at 10.
            (7, 10, "call_types.a.triage"),
            // `on_scene = { dist = ` is 20 characters.
            (13, 21, "call_types.b.on_scene.dist"),
            // `population = ` is 13 characters.
            (15, 14, "regions.\"North Side\".population"),
            // `teams.day = { count = 1, shift = { start = ` is 43 characters.
            (18, 44, "regions.\"North Side\".teams.day.shift.start"),
            // `teams.day = { count = 1, base = ` is 32 characters.
            (24, 33, "regions.South.teams.day.base"),
        ]
    );
    let msg = |i: usize| e.problems[i].message.as_str();
    assert!(msg(0).starts_with("unknown key"), "{}", msg(0));
    assert!(msg(0).contains("horizon_days"), "{}", msg(0));
    assert!(msg(1).contains("must sum to 1, found 0.9"), "{}", msg(1));
    assert!(msg(2).contains("\"lognorm\""), "{}", msg(2));
    assert!(msg(2).contains("lognormal"), "{}", msg(2));
    assert!(msg(3).contains("found -5"), "{}", msg(3));
    assert!(msg(4).contains("\"25:00\""), "{}", msg(4));
    assert!(msg(5).contains("unknown zone \"Nowhere\""), "{}", msg(5));
    assert!(msg(5).contains("Center, Edge"), "{}", msg(5));

    let shown = e.to_string();
    assert!(shown.starts_with("broken.toml has 6 problems:"), "{shown}");
    assert_eq!(shown.lines().count(), 7, "{shown}");
    assert!(
        shown.contains("\n  broken.toml:3:1: `run.horizon_dayz`: unknown key"),
        "{shown}"
    );
    assert!(
        shown.contains("\n  broken.toml:15:14: `regions.\"North Side\".population`: "),
        "{shown}"
    );
    assert!(
        shown.contains("\n  broken.toml:24:33: `regions.South.teams.day.base`: unknown zone"),
        "{shown}"
    );
    for line in shown.lines().skip(1) {
        assert!(line.starts_with("  broken.toml:"), "{line}");
    }
}

#[test]
fn a_single_problem_is_singular() {
    let text = "[call_types.a]\nshare = 1\nmax_response_min = 60\ntriage = { mobile = 1 }\non_scene = 30\n";
    let e = reject(text, "no_regions.toml");
    assert_eq!(positions(&e), [(1, 1, "regions")]);
    assert!(e.problems[0].message.starts_with("missing"));
    assert_eq!(
        e.to_string(),
        format!(
            "no_regions.toml has 1 problem:\n  no_regions.toml:1:1: `regions`: {}",
            e.problems[0].message
        )
    );
}

#[test]
fn columns_count_characters_not_bytes() {
    // `é` is two bytes in UTF-8 but one column.
    let text = concat!(
        "name = \"café\"\n",
        "[call_types.a]\n",
        "share = 1\n",
        "max_response_min = 60\n",
        "triage = { mobile = 1 }\n",
        "on_scene = 30\n",
        "[regions.\"Zé\"]\n",
        "\"é\" = 1\n",
        "population = 10\n",
        "calls_per_hour = 1\n",
        "travel = { time = \"é\", factor = 2 }\n",
    );
    let e = reject(text, "utf8.toml");
    assert_eq!(
        positions(&e),
        [
            (8, 1, "regions.\"Zé\".\"é\""),
            // `travel = { time = ` is 18 characters.
            (11, 19, "regions.\"Zé\".travel.time"),
            // `travel = { time = "é", ` is 23 characters (24 bytes).
            (11, 24, "regions.\"Zé\".travel.factor"),
        ]
    );
}

#[test]
fn missing_keys_point_at_their_table() {
    let text = concat!(
        "[call_types.a]\n",
        "share = 1\n",
        "triage = { phone = 1 }\n",
        "on_scene = { dist = \"gamma\", mean = 5 }\n",
        "[regions.R]\n",
        "calls_per_hour = 1\n",
        "travel = { time = 5 }\n",
    );
    let e = reject(text, "missing.toml");
    assert_eq!(
        positions(&e),
        [
            // A table header's span starts at the header.
            (1, 1, "call_types.a.max_response_min"),
            // `on_scene = ` is 11 characters.
            (4, 12, "call_types.a.on_scene.sd"),
            (5, 1, "regions.R.population"),
        ]
    );
}

// ---------------------------------------------------------------------------
// TOML syntax errors.

#[test]
fn syntax_error_has_a_line() {
    let text = "[run]\nhorizon_days = 3\nreplications = = 2\n";
    let e = reject(text, "syntax.toml");
    assert_eq!(e.problems.len(), 1, "{e}");
    let p = &e.problems[0];
    assert_eq!(p.line, 3, "{e}");
    assert!(p.column >= 1);
    assert_eq!(p.key, "");
    assert!(p.message.starts_with("TOML syntax error"), "{}", p.message);
    assert!(e.to_string().contains("syntax.toml:3:"), "{e}");
}

#[test]
fn syntax_errors_of_many_kinds_have_lines() {
    let cases: &[(&str, usize)] = &[
        ("name = \"unterminated\n[run]\n", 1),
        ("[run]\nseed = 1\nseed = 2\n", 3),
        ("[run]\nseed = 1\n[run]\nreplications = 2\n", 3),
        ("[run\n", 1),
        ("a = 1\nb = [1, 2\n", 2),
        ("a = 1\n\n\nb = { c = 1\n", 4),
        ("x = 1979-13-45\n", 1),
        ("\u{feff}ok = 1\n= 3\n", 2),
    ];
    for (text, line) in cases {
        let e = reject(text, "syntax.toml");
        assert_eq!(e.problems.len(), 1, "{text:?}: {e}");
        assert_eq!(e.problems[0].line, *line, "{text:?}: {e}");
        assert!(
            e.problems[0].message.starts_with("TOML syntax error"),
            "{text:?}: {e}"
        );
    }
}

// ---------------------------------------------------------------------------
// Scenario-wide scales.

const SCALED: &str = r#"
[call_types.a]
share = 1
max_response_min = 60
triage = { mobile = 1 }
on_scene = { dist = "lognormal", mean = 40, sd = 20 }
[regions.R]
population = 100000
calls_per_100k_per_month = 90
zones = { Z1 = 1, Z2 = 1 }
travel = { matrix = { Z1 = { Z1 = 10, Z2 = 20 }, Z2 = { Z1 = 20, Z2 = 10 } } }
teams.t = { count = 1, base = "Z1" }
"#;

fn with_header(header: &str) -> Scenario {
    load(&format!("{header}\n{SCALED}"), "scaled.toml")
}

#[test]
fn scales_default_to_one() {
    let s = with_header("");
    assert_eq!(
        (s.demand_scale(), s.travel_scale(), s.on_scene_scale()),
        (1.0, 1.0, 1.0)
    );
    let s = with_header("demand_scale = 1.0\ntravel_scale = 1\non_scene_scale = 1.0");
    assert_eq!(
        (s.demand_scale(), s.travel_scale(), s.on_scene_scale()),
        (1.0, 1.0, 1.0)
    );
}

#[test]
fn demand_scale_multiplies_the_rate() {
    let base = with_header("");
    let doubled = with_header("demand_scale = 2");
    assert_eq!(doubled.demand_scale(), 2.0);
    assert_eq!(
        doubled.regions()[0].rate_per_min,
        2.0 * base.regions()[0].rate_per_min
    );
    assert!(base.regions()[0].rate_per_min > 0.0);
    // Nothing else changes.
    assert_eq!(doubled.travel_mean_min(), base.travel_mean_min());
    assert_eq!(
        doubled.call_types()[0].on_scene.mean_min(),
        base.call_types()[0].on_scene.mean_min()
    );
}

#[test]
fn travel_scale_multiplies_routes_and_times() {
    let base = with_header("");
    let s = with_header("travel_scale = 1.5");
    assert_eq!(s.travel_scale(), 1.5);
    let scaled: Vec<f64> = base.travel_mean_min().iter().map(|m| m * 1.5).collect();
    assert_eq!(s.travel_mean_min(), scaled);
    assert_eq!(s.regions()[0].rate_per_min, base.regions()[0].rate_per_min);

    // A `time` distribution is scaled too.
    let text = ONE_REGION.replace("name = ", "travel_scale = 2\nname = ");
    let (a, b) = (load(ONE_REGION, "a.toml"), load(&text, "b.toml"));
    let mean = |s: &Scenario| match &s.regions()[0].travel {
        sim::scenario::Travel::Time(d) => d.mean_min(),
        other => panic!("{other:?}"),
    };
    assert!(
        (mean(&b) - 2.0 * mean(&a)).abs() < 1e-9,
        "{} vs {}",
        mean(&b),
        mean(&a)
    );
}

#[test]
fn on_scene_scale_multiplies_on_scene_times() {
    let base = with_header("");
    let s = with_header("on_scene_scale = 0.5");
    assert_eq!(s.on_scene_scale(), 0.5);
    let (b, h) = (
        base.call_types()[0].on_scene.mean_min(),
        s.call_types()[0].on_scene.mean_min(),
    );
    assert!((h - 0.5 * b).abs() < 1e-9, "{h} vs {b}");
    assert!((b - 40.0).abs() < 1e-9, "{b}");
    assert_eq!(s.travel_mean_min(), base.travel_mean_min());
}

#[test]
fn bad_scales_are_reported() {
    for value in ["0", "-1", "1e308", "\"big\"", "nan", "inf", "{}"] {
        let e = reject(&format!("demand_scale = {value}\n{SCALED}"), "scale.toml");
        // `demand_scale = ` is 15 characters.
        assert_eq!(positions(&e), [(1, 16, "demand_scale")], "{value}: {e}");
    }
    let e = reject(
        &format!("travel_scale = 0\non_scene_scale = -2\n{SCALED}"),
        "scale.toml",
    );
    assert_eq!(
        positions(&e),
        [(1, 16, "travel_scale"), (2, 18, "on_scene_scale")]
    );
}

#[test]
fn absurd_demand_is_rejected() {
    // After one header line (SCALED begins with an empty line), `[regions.R]`
    // is line 8, `population` line 9 and `calls_per_100k_per_month` line 10.
    let scaled = |from: &str, to: &str| {
        assert!(SCALED.contains(from));
        format!("\n{}", SCALED.replacen(from, to, 1))
    };
    let e = reject(&format!("demand_scale = 1e308{SCALED}"), "demand.toml");
    assert_eq!(positions(&e), [(1, 16, "demand_scale")], "{e}");
    let e = reject(
        &scaled("population = 100000", "population = 1e308"),
        "demand.toml",
    );
    // `population = ` is 13 characters.
    assert_eq!(positions(&e), [(9, 14, "regions.R.population")], "{e}");
    // 1e308 x 100000 residents overflows: the region as a whole is too busy.
    let e = reject(
        &scaled(
            "calls_per_100k_per_month = 90",
            "calls_per_100k_per_month = 1e308",
        ),
        "demand.toml",
    );
    assert_eq!(positions(&e), [(8, 1, "regions.R")], "{e}");
    let e = reject(
        &scaled("calls_per_100k_per_month = 90", "calls_per_hour = 1e308"),
        "demand.toml",
    );
    assert_eq!(positions(&e), [(8, 1, "regions.R")], "{e}");
}

#[test]
fn a_lone_call_type_needs_no_share() {
    let text = "[call_types.crisis]\nmax_response_min = 60\ntriage = { phone = 0.8, mobile = 0.2 }\n\
                on_scene = 30\n[regions.Town]\npopulation = 1000\ncalls_per_hour = 1\ntravel = { time = 10 }\n";
    let s = load(text, "lone.toml");
    assert_eq!(s.call_types()[0].share, 1.0);
    // With two call types, each needs its share.
    let two =
        format!("{text}[call_types.other]\nmax_response_min = 60\ntriage = {{ phone = 1 }}\non_scene = 30\n");
    let e = reject(&two, "two.toml");
    assert_eq!(
        positions(&e),
        [
            (1, 1, "call_types.crisis.share"),
            (9, 1, "call_types.other.share")
        ],
        "{e}"
    );
}

// ---------------------------------------------------------------------------
// Nothing panics.

/// A small valid scenario using every feature: several channels, call types,
/// regions, every distribution, zones, the three travel forms, shifts and
/// mutual aid.
const BASE: &str = r#"name = "corpus base"
description = "every feature, small"
demand_scale = 1.0
travel_scale = 1.0
on_scene_scale = 1.0

[run]
start_date = "2027-07-01"
horizon_days = 3
warmup_days = 1
replications = 2
seed = 5

[dispatch]
policy = "predict"
candidates = "any"
estimate = "expected"
after_call = "return_to_base"

[channels.direct]
share = 0.7
intake = { dist = "exponential", mean = 5 }
[channels.transfer]
share = 0.3
intake = { dist = "empirical", quantiles = [[0, 1], [0.5, 3], [1, 10]] }

[call_types.urgent]
share = 0.4
priority = 1
max_response_min = 60
max_response_by_region = { East = 45, North = "none" }
triage = { phone = 0.5, mobile = 0.3, police = 0.1, ems = 0.1 }
on_scene = { dist = "lognormal", median = 40, p90 = 90 }
transport = { share = 0.3, time = { dist = "gamma", mean = 40, sd = 15 } }
backup_share = 0.05
petition_share = 0.02

[call_types.routine]
share = 0.6
priority = 2
max_response_min = "none"
triage = { phone = 0.8, mobile = 0.2 }
on_scene = { dist = "empirical", values = [20, 35, 50] }
transport = { share = 0.1, time = { dist = "fixed", value = 30 } }

[regions.West]
population = 200000
calls_per_100k_per_month = 300
profile = "crisis"
month_factors = [1, 1, 1, 1, 1, 1, 1.2, 1, 1, 1, 1, 1]
travel = { time = { dist = "uniform", low = 5, high = 30 } }
teams.all_day = { count = 2, shift = "24/7" }
teams.day = { count = 1, shift = { days = "Mon-Fri", start = "08:00", end = "20:00" }, overtime_min = 30 }

[regions.East]
population = 100000
calls_per_hour = 0.5
mutual_aid = ["North"]
zones = { E1 = { weight = 2, lat = 41.0, lon = -88.0, area_sqmi = 20 }, E2 = { weight = 1, lat = 41.1, lon = -88.1 } }
travel = { matrix = { E1 = { E1 = 5, E2 = 12 }, E2 = { E1 = 12, E2 = 6 } }, factor = { dist = "lognormal", mean = 1.0, sd = 0.2 } }
teams.crew = { count = 1, base = "E1", shift = { days = ["Sat", "Sun"], start = "20:00", end = "08:00" } }

[regions.North]
population = 50000
calls_per_hour = 0.2
profile = "flat"
mutual_aid = ["East"]
travel = { speed_mph = 40, circuity = 1.3, within_zone = 0.5, factor = { dist = "triangular", low = 0.5, mode = 1, high = 2 } }
teams.solo = { count = 1, base = "N1", shift = { days = "weekends", start = "00:00", end = "24:00" } }

[regions.North.zones]
N1 = { weight = 1, lat = 41.5, lon = -88.5, area_sqmi = 100 }
N2 = { weight = 0, lat = 41.6, lon = -88.6, area_sqmi = 50 }
"#;

/// Values put in place of every value of `BASE`, one at a time.
const ALWAYS: &[&str] = &[
    "\"text\"",
    "-1",
    "0",
    "nan",
    "inf",
    "1e308",
    "5e-324",
    "9223372036854775807",
    "{}",
];

/// More replacements, three per value, in rotation.
const ROTATING: &[&str] = &[
    "\"\"",
    "-0.0",
    "1",
    "0.5",
    "-inf",
    "-1e308",
    "1e-308",
    "99999999999999999999",
    "-9223372036854775808",
    "0x10",
    "[]",
    "[1]",
    "[\"x\"]",
    "[[]]",
    "true",
    "1979-05-27",
    "1979-05-27T07:32:00Z",
    "07:32:00",
    "{ x = 1 }",
    "{ dist = \"fixed\" }",
    "{ dist = \"nope\", mean = 1 }",
    "{ dist = \"lognormal\", mean = 1, sd = 1, median = 1, p90 = 2 }",
    "{ dist = \"empirical\" }",
    "{ dist = \"empirical\", values = [] }",
    "{ dist = \"empirical\", quantiles = [[0, 1]] }",
    "{ dist = \"empirical\", quantiles = [[0, 1, 2], [1, 2]] }",
    "{ dist = \"empirical\", quantiles = [[0.5, 1], [0, 2]] }",
    "{ dist = \"triangular\", low = 1, mode = 1, high = 1 }",
    "{ dist = \"gamma\", mean = 1e-300, sd = 1e300 }",
    "{ dist = \"uniform\", low = 2, high = 1 }",
    "\"Mon-Sun\"",
    "\"24/7\"",
    "\"24:00\"",
    "\"none\"",
];

/// Variants whose validation hung or panicked before the fixes pinned by
/// the regression tests below; empty now, kept so a new one can be parked
/// here with its own test.
const KNOWN_VALIDATION_BUGS: &[&str] = &[];

/// Accepted variants whose run hung or panicked (see above).
const KNOWN_RUN_BUGS: &[&str] = &[];

fn known(list: &[&str], name: &str) -> bool {
    list.iter().any(|k| name.contains(k))
}

/// Byte ranges of every value in `line`: the text after each `= ` up to the
/// `,`, `}` or `]` that ends it (inner values of inline tables included).
fn value_ranges(line: &str) -> Vec<std::ops::Range<usize>> {
    let b = line.as_bytes();
    let mut out = Vec::new();
    for i in 0..b.len().saturating_sub(1) {
        if b[i] != b'=' || b[i + 1] != b' ' {
            continue;
        }
        let start = i + 2;
        let (mut depth, mut in_str, mut j) = (0usize, false, start);
        while j < b.len() {
            match b[j] {
                b'"' => in_str = !in_str,
                _ if in_str => {}
                b'{' | b'[' => depth += 1,
                b'}' | b']' if depth == 0 => break,
                b'}' | b']' => depth -= 1,
                b',' if depth == 0 => break,
                _ => {}
            }
            j += 1;
        }
        let end = start + line[start..j].trim_end().len();
        if end > start {
            out.push(start..end);
        }
    }
    out
}

/// Hand-written broken (and odd but valid) scenarios.
fn special_cases() -> Vec<(&'static str, String)> {
    let edit = |from: &str, to: &str| {
        assert!(BASE.contains(from), "not in BASE: {from}");
        BASE.replacen(from, to, 1)
    };
    let head = &BASE[..BASE.find("[run]").unwrap()];
    let channels = &BASE[BASE.find("[channels.direct]").unwrap()..BASE.find("[call_types.urgent]").unwrap()];
    let one_type = "[call_types.a]\nshare = 1\nmax_response_min = 1\ntriage = { phone = 1 }\non_scene = 1\n";
    let one_region = "[regions.R]\npopulation = 1\ncalls_per_hour = 1\ntravel = { time = 1 }\n";
    let factors = |f: &str| format!("profile = [{}]", vec![f; 168].join(", "));
    vec![
        ("empty file", String::new()),
        ("only a comment", "# nothing\n".to_string()),
        ("only run settings", "[run]\nhorizon_days = 3\n".to_string()),
        ("zero replications", edit("replications = 2", "replications = 0")),
        (
            "too many replications",
            edit("replications = 2", "replications = 1000001"),
        ),
        ("negative seed", edit("seed = 5", "seed = -5")),
        ("horizon 0", edit("horizon_days = 3", "horizon_days = 0")),
        (
            "horizon over a century",
            edit("horizon_days = 3", "horizon_days = 36526"),
        ),
        ("warmup = horizon", edit("warmup_days = 1", "warmup_days = 3")),
        ("warmup > horizon", edit("warmup_days = 1", "warmup_days = 30")),
        (
            "warmup before horizon in the file",
            edit("warmup_days = 1\n", "").replacen("[run]\n", "[run]\nwarmup_days = 2.5\n", 1),
        ),
        ("start date 30 February", edit("\"2027-07-01\"", "\"2027-02-30\"")),
        ("start date as a TOML date", edit("\"2027-07-01\"", "2027-07-01")),
        (
            "start date with a time",
            edit("\"2027-07-01\"", "2027-07-01T08:00:00"),
        ),
        (
            "channel shares sum to 0.9",
            edit("share = 0.3\n", "share = 0.2\n"),
        ),
        ("channel without share", edit("share = 0.3\nintake", "intake")),
        (
            "call type shares sum to 1.1",
            edit("share = 0.6\n", "share = 0.7\n"),
        ),
        (
            "call type share missing with two types",
            edit("share = 0.4\npriority", "priority"),
        ),
        (
            "triage shares sum to 0.9",
            edit("phone = 0.8, mobile = 0.2", "phone = 0.7, mobile = 0.2"),
        ),
        (
            "triage shares sum to 1.1",
            edit("phone = 0.8, mobile = 0.2", "phone = 0.9, mobile = 0.2"),
        ),
        (
            "triage empty",
            edit("triage = { phone = 0.8, mobile = 0.2 }", "triage = {}"),
        ),
        (
            "triage misspelled",
            edit("phone = 0.8, mobile = 0.2", "phone = 0.8, mobil = 0.2"),
        ),
        ("empty regions", format!("[regions]\n{one_type}")),
        ("empty call_types", format!("[call_types]\n{one_region}")),
        ("empty channels", format!("[channels]\n{one_type}{one_region}")),
        ("no call_types", format!("{head}{one_region}")),
        ("no regions", format!("{head}{one_type}")),
        ("channels only", format!("{head}{channels}")),
        (
            "regions not a table",
            format!("{head}regions = 3\ncall_types = []\n"),
        ),
        ("run not a table", format!("run = 3\n{one_type}{one_region}")),
        (
            "dispatch not a table",
            format!("dispatch = \"predict\"\n{one_type}{one_region}"),
        ),
        (
            "channels not a table",
            format!("channels = [\"988\"]\n{one_type}{one_region}"),
        ),
        (
            "duplicated region",
            format!("{BASE}\n[regions.West]\npopulation = 1\n"),
        ),
        (
            "duplicated call type",
            format!("{BASE}\n[call_types.urgent]\nshare = 1\n"),
        ),
        ("duplicated run", format!("{BASE}\n[run]\nseed = 3\n")),
        ("duplicated key", edit("seed = 5", "seed = 5\nseed = 6")),
        ("unknown top-level table", format!("{BASE}\n[extra]\nx = 1\n")),
        (
            "misspelled region key",
            edit("population = 50000", "population = 50000\npopulaton = 50000"),
        ),
        (
            "zone weights all zero",
            edit("E1 = { weight = 2,", "E1 = { weight = 0,")
                .replace("E2 = { weight = 1,", "E2 = { weight = 0,"),
        ),
        ("zones empty", edit("zones = { E1", "zones = {}\nzonez = { E1")),
        ("lat without lon", edit("lat = 41.1, lon = -88.1", "lat = 41.1")),
        ("lat out of range", edit("lat = 41.1", "lat = 91.1")),
        ("lon out of range", edit("lon = -88.1", "lon = -181")),
        (
            "matrix route missing",
            edit("E2 = { E1 = 12, E2 = 6 }", "E2 = { E1 = 12 }"),
        ),
        (
            "matrix unknown zone",
            edit("E2 = { E1 = 12, E2 = 6 }", "E2 = { E1 = 12, E2 = 6, E9 = 1 }"),
        ),
        (
            "matrix row not a table",
            edit("E2 = { E1 = 12, E2 = 6 }", "E2 = 6"),
        ),
        (
            "matrix empty",
            edit(
                "matrix = { E1 = { E1 = 5, E2 = 12 }, E2 = { E1 = 12, E2 = 6 } }",
                "matrix = {}",
            ),
        ),
        (
            "two travel forms",
            edit("travel = { time = {", "travel = { speed_mph = 3, time = {"),
        ),
        (
            "no travel form",
            edit(
                "travel = { time = { dist = \"uniform\", low = 5, high = 30 } }",
                "travel = {}",
            ),
        ),
        (
            "factor with time",
            edit("high = 30 } }", "high = 30 }, factor = 2 }"),
        ),
        (
            "circuity with matrix",
            edit("E2 = 6 } }, factor", "E2 = 6 } }, circuity = 2, factor"),
        ),
        ("circuity below 1", edit("circuity = 1.3", "circuity = 0.9")),
        ("speed 0", edit("speed_mph = 40", "speed_mph = 0")),
        (
            "speed without coordinates",
            edit(
                "N1 = { weight = 1, lat = 41.5, lon = -88.5,",
                "N1 = { weight = 1,",
            ),
        ),
        (
            "mutual aid to itself",
            edit("mutual_aid = [\"North\"]", "mutual_aid = [\"East\"]"),
        ),
        (
            "mutual aid to an unknown region",
            edit("mutual_aid = [\"North\"]", "mutual_aid = [\"Nowhere\"]"),
        ),
        (
            "mutual aid with time travel",
            edit(
                "profile = \"crisis\"",
                "profile = \"crisis\"\nmutual_aid = [\"North\"]",
            ),
        ),
        (
            "mutual aid without coordinates",
            edit(
                "E2 = { weight = 1, lat = 41.1, lon = -88.1 }",
                "E2 = { weight = 1 }",
            ),
        ),
        (
            "mutual aid not strings",
            edit("mutual_aid = [\"North\"]", "mutual_aid = [1, true]"),
        ),
        (
            "both demand forms",
            edit(
                "calls_per_hour = 0.5",
                "calls_per_hour = 0.5\ncalls_per_100k_per_month = 3",
            ),
        ),
        ("no demand", edit("calls_per_hour = 0.5\n", "")),
        ("zero demand", edit("calls_per_hour = 0.5", "calls_per_hour = 0")),
        (
            "tiny demand",
            edit(
                "calls_per_100k_per_month = 300",
                "calls_per_100k_per_month = 1e-300",
            ),
        ),
        (
            "profile of 3 factors",
            edit("profile = \"flat\"", "profile = [1, 2, 3]"),
        ),
        (
            "profile of 169 factors",
            edit("profile = \"flat\"", &factors("1").replace("[", "[1, ")),
        ),
        ("profile all zero", edit("profile = \"flat\"", &factors("0"))),
        (
            "profile with a negative factor",
            edit("profile = \"flat\"", &factors("2").replacen("2", "-1", 1)),
        ),
        (
            "profile with nan",
            edit("profile = \"flat\"", &factors("2").replacen("2", "nan", 1)),
        ),
        (
            "profile with a string",
            edit("profile = \"flat\"", &factors("2").replacen("2", "\"2\"", 1)),
        ),
        (
            "profile tiny",
            edit("profile = \"flat\"", &factors("0").replacen("0", "5e-324", 1)),
        ),
        (
            "profile unknown",
            edit("profile = \"flat\"", "profile = \"busy\""),
        ),
        ("month factors short", edit("1, 1.2, 1, 1, 1, 1, 1]", "1, 1.2]")),
        (
            "month factors all zero",
            edit(
                "[1, 1, 1, 1, 1, 1, 1.2, 1, 1, 1, 1, 1]",
                "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]",
            ),
        ),
        ("month factors negative", edit("1, 1.2, 1", "1, -1.2, 1")),
        (
            "base missing with zones",
            edit(
                "teams.crew = { count = 1, base = \"E1\",",
                "teams.crew = { count = 1,",
            ),
        ),
        ("base not a string", edit("base = \"E1\"", "base = 1")),
        ("base in another region", edit("base = \"E1\"", "base = \"N1\"")),
        (
            "teams not a table",
            edit("teams.solo = {", "teams = 3\nteamz.solo = {"),
        ),
        ("zero teams", edit("count = 2", "count = 0")),
        ("too many teams", edit("count = 2", "count = 10001")),
        ("many teams", edit("count = 2", "count = 10000")),
        ("no team count", edit("count = 2, ", "")),
        (
            "no teams at all",
            BASE.lines()
                .filter(|l| !l.starts_with("teams."))
                .collect::<Vec<_>>()
                .join("\n"),
        ),
        ("bad day range", edit("days = \"Mon-Fri\"", "days = \"Mon-Xyz\"")),
        ("empty day list", edit("days = [\"Sat\", \"Sun\"]", "days = []")),
        (
            "day list of numbers",
            edit("days = [\"Sat\", \"Sun\"]", "days = [1, 2]"),
        ),
        (
            "days in lower case",
            edit("days = [\"Sat\", \"Sun\"]", "days = [\"sat\", \"SUN\"]"),
        ),
        (
            "shift start = end",
            edit(
                "start = \"08:00\", end = \"20:00\"",
                "start = \"08:00\", end = \"08:00\"",
            ),
        ),
        (
            "shift 24:00 to 00:00",
            edit(
                "start = \"08:00\", end = \"20:00\"",
                "start = \"24:00\", end = \"00:00\"",
            ),
        ),
        (
            "shift over midnight",
            edit(
                "start = \"08:00\", end = \"20:00\"",
                "start = \"22:00\", end = \"06:00\"",
            ),
        ),
        ("shift 24:30", edit("end = \"20:00\"", "end = \"24:30\"")),
        ("shift 12:60", edit("end = \"20:00\"", "end = \"12:60\"")),
        ("shift -1:00", edit("end = \"20:00\"", "end = \"-1:00\"")),
        ("shift without colon", edit("end = \"20:00\"", "end = \"2000\"")),
        ("shift without end", edit(", end = \"20:00\"", "")),
        (
            "shift unknown word",
            edit("shift = \"24/7\"", "shift = \"always\""),
        ),
        (
            "overtime negative",
            edit("overtime_min = 30", "overtime_min = -30"),
        ),
        ("priority 0", edit("priority = 1", "priority = 0")),
        ("priority 101", edit("priority = 1", "priority = 101")),
        ("priority fractional", edit("priority = 1", "priority = 1.5")),
        ("unknown policy", edit("\"predict\"", "\"fastest\"")),
        (
            "max by region for an unknown region",
            edit("East = 45, North", "Eats = 45, North"),
        ),
        (
            "max by region not a table",
            edit(
                "max_response_by_region = { East = 45, North = \"none\" }",
                "max_response_by_region = 45",
            ),
        ),
        (
            "max response misspelled none",
            edit("max_response_min = \"none\"", "max_response_min = \"None\""),
        ),
        (
            "transport without time",
            edit(
                "transport = { share = 0.1, time = { dist = \"fixed\", value = 30 } }",
                "transport = { share = 0.1 }",
            ),
        ),
        (
            "lognormal p90 below median",
            edit("median = 40, p90 = 90", "median = 40, p90 = 30"),
        ),
        (
            "lognormal with median only",
            edit("median = 40, p90 = 90", "median = 40"),
        ),
        (
            "lognormal with no parameters",
            edit("median = 40, p90 = 90", "x = 1"),
        ),
        (
            "distribution without a name",
            edit("dist = \"lognormal\", median = 40", "median = 40"),
        ),
        (
            "quantiles decreasing",
            edit("[0.5, 3], [1, 10]", "[0.5, 3], [1, 2]"),
        ),
        (
            "quantiles not ending at 1",
            edit("[0.5, 3], [1, 10]", "[0.5, 3], [0.9, 10]"),
        ),
        (
            "quantiles and values",
            edit("quantiles = [[0, 1]", "values = [1], quantiles = [[0, 1]"),
        ),
        (
            "empirical values all zero",
            edit("values = [20, 35, 50]", "values = [0, 0, 0]"),
        ),
        (
            "quoted keys",
            edit("[regions.West]", "[regions.\"West \\\"side\\\"\"]"),
        ),
        (
            "escaped zone name in base",
            edit("base = \"E1\"", "base = \"E\\u0031\""),
        ),
        ("CRLF line endings", BASE.replace('\n', "\r\n")),
        ("tabs", BASE.replace(" = ", "\t=\t")),
        ("byte order mark", format!("\u{feff}{BASE}")),
        (
            "escalate, stay, exact, idle",
            edit("\"predict\"", "\"escalate\"")
                .replace("\"return_to_base\"", "\"stay\"")
                .replace("\"expected\"", "\"exact\"")
                .replace("\"any\"", "\"idle\""),
        ),
        ("syntax error at the end", format!("{BASE}\n[regions.X")),
        ("syntax error in the middle", edit("seed = 5", "seed = = 5")),
    ]
}

/// Every variant of `BASE`: each line deleted, each value replaced, and the
/// hand-written cases.
fn corpus() -> Vec<(String, String)> {
    let lines: Vec<&str> = BASE.lines().collect();
    let mut out = Vec::new();
    for i in 0..lines.len() {
        if !lines[i].trim().is_empty() {
            let mut v = lines.clone();
            v.remove(i);
            out.push((format!("line {} deleted", i + 1), v.join("\n")));
        }
    }
    let mut turn = 0;
    for (i, line) in lines.iter().enumerate() {
        for range in value_ranges(line) {
            let first = turn;
            turn += 3;
            let extra = (first..turn).map(|k| ROTATING[k % ROTATING.len()]);
            for rep in ALWAYS.iter().copied().chain(extra) {
                let mut changed = line.to_string();
                changed.replace_range(range.clone(), rep);
                let mut v = lines.clone();
                v[i] = &changed;
                out.push((format!("line {}: {changed}", i + 1), v.join("\n")));
            }
        }
    }
    out.extend(special_cases().into_iter().map(|(n, t)| (n.to_string(), t)));
    out
}

/// Validates `text`, catching panics.
fn validate(text: &str) -> Result<Result<Scenario, ScenarioError>, String> {
    catch_unwind(|| Scenario::from_toml(text, "corpus.toml")).map_err(|p| panic_message(&*p))
}

/// Runs one replication of an accepted scenario, catching panics.
fn run_once(s: Scenario) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| {
        let model = Model::new(s);
        let _ = montecarlo::run(&model, 1, &|| {});
    }))
    .map_err(|p| panic_message(&*p))
}

fn panic_message(p: &(dyn std::any::Any + Send)) -> String {
    p.downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| p.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic without a message".to_string())
}

#[test]
fn base_scenario_is_valid_and_runs() {
    let s = load(BASE, "base.toml");
    assert_eq!(s.regions().len(), 3);
    assert_eq!(s.zones().len(), 1 + 2 + 2);
    assert_eq!(s.channels().len(), 2);
    assert_eq!(s.call_types().len(), 2);
    assert_eq!(s.team_count(), 2 + 1 + 1 + 1);
    assert_eq!(s.run().horizon_min, 3.0 * 1440.0);
    assert_eq!(s.regions()[1].mutual_aid, [2]);
    assert_eq!(s.regions()[2].mutual_aid, [1]);
    run_once(s).unwrap();
}

#[test]
fn value_ranges_find_nested_values() {
    let line = "a = { b = 1, c = [2, 3], d = { e = \"x, y\" } }";
    let found: Vec<&str> = value_ranges(line).into_iter().map(|r| &line[r]).collect();
    assert_eq!(
        found,
        [
            "{ b = 1, c = [2, 3], d = { e = \"x, y\" } }",
            "1",
            "[2, 3]",
            "{ e = \"x, y\" }",
            "\"x, y\"",
        ]
    );
}

#[test]
fn nothing_panics() {
    let corpus = corpus();
    assert!(corpus.len() > 1000, "{}", corpus.len());
    let mut failures = Vec::new();
    let (mut rejected, mut ran) = (0, 0);
    for (name, text) in &corpus {
        if known(KNOWN_VALIDATION_BUGS, name) {
            continue;
        }
        match validate(text) {
            Err(msg) => failures.push(format!("{name}: from_toml panicked: {msg}")),
            Ok(Err(e)) => {
                rejected += 1;
                if e.problems.is_empty() {
                    failures.push(format!("{name}: an error without problems"));
                }
                for p in &e.problems {
                    if p.line < 1 || p.column < 1 {
                        failures.push(format!("{name}: no position: {p:?}"));
                    }
                }
                if !e.to_string().starts_with("corpus.toml has ") {
                    failures.push(format!("{name}: the message does not name the file: {e}"));
                }
            }
            Ok(Ok(s)) if known(KNOWN_RUN_BUGS, name) => drop(s),
            Ok(Ok(s)) => {
                ran += 1;
                if let Err(msg) = run_once(s) {
                    failures.push(format!("{name}: the run panicked: {msg}"));
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
    // Most variants are rejected; some are odd but valid and were run.
    assert!(rejected > corpus.len() / 2, "{rejected} of {}", corpus.len());
    assert!(ran > 50, "{ran}");
}

/// Every hand-written case that should be rejected is rejected, with the
/// problem on the line that was changed (or the table around it).
#[test]
fn special_cases_are_rejected_or_accepted_as_expected() {
    const ACCEPTED: &[&str] = &[
        "start date as a TOML date",
        "warmup before horizon in the file",
        "zero demand",
        "tiny demand",
        "month factors all zero",
        "zero teams",
        "many teams",
        "no teams at all",
        "days in lower case",
        "shift start = end",
        "shift over midnight",
        "empirical values all zero",
        "quoted keys",
        "escaped zone name in base",
        "CRLF line endings",
        "tabs",
        "byte order mark",
        "escalate, stay, exact, idle",
    ];
    let mut wrong = Vec::new();
    for (name, text) in special_cases() {
        let accepted = Scenario::from_toml(&text, "special.toml").is_ok();
        if accepted != ACCEPTED.contains(&name) {
            wrong.push(format!("{name}: accepted = {accepted}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

// ---------------------------------------------------------------------------
// Regression tests for bugs the corpus found (all fixed).

/// Runs `f` on another thread and gives up after `secs` seconds (the thread
/// is then left behind; it ends with the test process).
fn within<T: Send + 'static>(secs: u64, f: impl FnOnce() -> T + Send + 'static) -> Option<T> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    rx.recv_timeout(std::time::Duration::from_secs(secs)).ok()
}

/// A one-region scenario whose only call type's on-scene time is `on_scene`.
fn with_on_scene(on_scene: &str) -> String {
    format!(
        "[call_types.a]\nshare = 1\nmax_response_min = 60\ntriage = {{ mobile = 1 }}\non_scene = {on_scene}\n\
         [regions.R]\npopulation = 1000\ncalls_per_hour = 1\ntravel = {{ time = 10 }}\nteams.t = {{ count = 1 }}\n"
    )
}

#[test]
fn bug_gamma_with_infinite_shape_is_reported() {
    let text = with_on_scene("{ dist = \"gamma\", mean = 1e308, sd = 15 }");
    let e = match validate(&text) {
        Ok(Err(e)) => e,
        Ok(Ok(_)) => panic!("accepted a gamma with an infinite shape"),
        Err(msg) => panic!("from_toml panicked: {msg}"),
    };
    // `on_scene = ` is 11 characters.
    assert_eq!(positions(&e), [(5, 12, "call_types.a.on_scene")], "{e}");
}

#[test]
fn bug_gamma_with_a_tiny_sd_validates_quickly() {
    for on_scene in [
        "{ dist = \"gamma\", mean = 60, sd = 1e-6 }",
        "{ dist = \"gamma\", mean = 9223372036854775807, sd = 15 }",
    ] {
        let text = with_on_scene(on_scene);
        let done = within(10, move || Scenario::from_toml(&text, "gamma.toml").is_ok());
        assert!(
            done.is_some(),
            "from_toml did not return within 10 s for on_scene = {on_scene}"
        );
    }
}

#[test]
fn bug_accepted_extremes_run() {
    let mut failures = Vec::new();
    for (from, to) in [
        // An exponential sample above 1.8 times the mean overflows.
        ("\"exponential\", mean = 5", "\"exponential\", mean = 1e308"),
        // 1e308 minutes on scene, times on_scene_scale = 2.
        ("values = [20, 35, 50]", "values = [1e308]"),
        // 1e308 minutes of travel, times travel_scale = 2.
        ("low = 5, high = 30", "low = 1e308, high = 1e308"),
    ] {
        let text = BASE
            .replacen(from, to, 1)
            .replacen("travel_scale = 1.0", "travel_scale = 2", 1)
            .replacen("on_scene_scale = 1.0", "on_scene_scale = 2", 1);
        let s = match Scenario::from_toml(&text, "extreme.toml") {
            Ok(s) => s,
            Err(_) => continue, // rejecting is fine
        };
        if let Err(msg) = run_once(s) {
            failures.push(format!("{to}: {msg}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn bug_profile_normalisation_is_finite() {
    let factors = |f: &str| format!("profile = [{}]", vec![f; 168].join(", "));
    let mut failures = Vec::new();
    for (what, profile) in [
        ("168 x 1e308", factors("1e308")),
        ("5e-324 then 167 x 0", factors("0").replacen('0', "5e-324", 1)),
    ] {
        let text = SCALED.replace("zones = ", &format!("{profile}\nzones = "));
        // Rejecting the profile is fine; accepting it must give finite factors of mean 1.
        let Ok(s) = Scenario::from_toml(&text, "profile.toml") else {
            continue;
        };
        let p = &s.regions()[0].profile;
        let mean = p.iter().sum::<f64>() / 168.0;
        if !p.iter().all(|x| x.is_finite()) || (mean - 1.0).abs() > 1e-9 {
            failures.push(format!("{what}: factors start {:?}, mean {mean}", &p[..2]));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Issue 17: names reach terminals, CSVs, file names and web pages, so
/// control characters and very long names are refused, as is a run past
/// the calendar's last date (it used to panic).
#[test]
fn names_and_dates_that_would_do_harm_are_refused() {
    let text = "name = \"A\\u001b]0;pwned\\u0007\"\n[run]\nstart_date = \"9999-12-20\"\nhorizon_days = 30\n\
                [call_types.c]\nmax_response_min = 60\ntriage = { mobile = 1.0 }\non_scene = 30\n\
                [regions.\"Town\\u0000\"]\npopulation = 1\ncalls_per_hour = 1\ntravel = { time = 10 }\nteams.t = { count = 1 }\n";
    let e = reject(text, "harm.toml");
    let keys: Vec<&str> = e.problems.iter().map(|p| p.key.as_str()).collect();
    assert!(keys.contains(&"name"), "{e}");
    assert!(keys.contains(&"run.start_date"), "{e}");
    assert!(
        e.problems
            .iter()
            .any(|p| p.message.contains("control characters")),
        "{e}"
    );
    let long = format!("[regions.\"{}\"]\n", "x".repeat(201));
    let e = reject(&ONE_REGION.replace("[regions.Town]", &long), "long.toml");
    assert!(
        e.problems
            .iter()
            .any(|p| p.message.contains("at most 200 characters")),
        "{e}"
    );
}

/// More regions than the event queue has arrival slots for (65,536), and
/// more zones than the travel table is kept for (8,192), are scenario
/// problems, not a panic or an allocation failure.
#[test]
fn too_many_regions_and_zones_are_refused() {
    let mut text =
        String::from("[call_types.c]\nmax_response_min = 60\ntriage = { mobile = 1.0 }\non_scene = 30\n");
    for r in 0..=65_536 {
        text.push_str(&format!(
            "[regions.r{r}]\npopulation = 1\ncalls_per_hour = 0.1\ntravel = {{ time = 1 }}\nteams.t = {{ count = 1 }}\n"
        ));
    }
    let e = reject(&text, "many.toml");
    for want in [
        "at most 65536 regions, found 65537",
        "at most 8192 zones in all regions together (travel is a zone by zone table), found 65537",
    ] {
        assert!(
            e.problems
                .iter()
                .any(|p| p.key == "regions" && p.message.contains(want)),
            "{want}: {}",
            e.problems.first().map_or(String::new(), |p| p.to_string())
        );
    }
    // Zones alone: one region of 8,193.
    let zones: String = (0..8193).map(|z| format!("z{z} = 1, ")).collect();
    let text = ONE_REGION.replace(
        "[regions.Town]",
        &format!("[regions.Town]\nzones = {{ {} }}", zones.trim_end_matches(", ")),
    );
    let e = reject(&text, "zones.toml");
    assert!(
        e.problems.iter().any(|p| p.message.contains("found 8193")),
        "{}",
        e.problems.first().map_or(String::new(), |p| p.to_string())
    );
}

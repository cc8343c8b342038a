//! `cessa-sim size`: glue between the command line and `sim::sizing`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use clap::Args;
use sim::sizing::{AnswerTarget, Options, Shift, Site, Target};

use crate::args::WorkArgs;
use crate::progress::{progress_bar, thread_pool};
use crate::{BadInput, scenario_text};

/// A sizing that could not meet its target (exit code 3).
#[derive(Debug)]
pub(crate) struct Infeasible(pub(crate) String);

impl std::fmt::Display for Infeasible {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Infeasible {}

#[derive(Debug, Args)]
pub(crate) struct SizeArgs {
    /// Scenario file (TOML). Default: the embedded Illinois scenario.
    scenario: Option<PathBuf>,
    /// Size only this region (repeatable); every other region stays exactly
    /// as in the scenario. Default: every region.
    #[arg(long = "region", value_name = "NAME")]
    regions: Vec<String>,
    /// Never remove or move the scenario's teams (or, with --counsellors,
    /// counsellors): only add.
    #[arg(long)]
    add_only: bool,
    /// Where new teams may be based: `zones` (any zone of the region) or a
    /// CSV of candidate sites with `name`, `lat` and `lon` columns (rows with
    /// `candidate_base` other than 1 are skipped when that column exists),
    /// e.g. ../shared/data/illinois/finer/il_mh_facilities_samhsa2022.csv;
    /// each site counts for the zone nearest to it.
    #[arg(long, value_name = "zones|FILE", default_value = "zones")]
    bases: String,
    /// A shift block a new team may work, besides 24/7 (repeatable), e.g.
    /// "Mon-Fri 08:00-20:00" or "all 16:00-00:00"; options are compared by
    /// cost in team-hours per week.
    #[arg(long = "shift", value_name = "DAYS HH:MM-HH:MM")]
    shifts: Vec<String>,
    /// Target: share of mobile calls missed (diverted or reached late) in
    /// each sized region, upper 95% bound; 0.05 = 5% [default: 0.05]. With
    /// --counsellors, giving it sizes the teams too (jointly).
    #[arg(long, value_name = "SHARE")]
    max_miss: Option<f64>,
    /// Target: also the miss share of each call type.
    #[arg(long)]
    per_call_type: bool,
    /// Target: also at least 90% of each call type's mobile calls reached in
    /// time (the p90 response of all mobile calls, a diverted call counting
    /// as beyond any time, within the maximum), for every call type with a
    /// maximum in the region, a zone's own included.
    #[arg(long)]
    p90_within_max: bool,
    /// At most this many teams in a region; a region that cannot meet the
    /// target within it is reported NOT MET (exit code 3).
    #[arg(long, default_value_t = 60)]
    max_teams: u32,
    /// Size the counsellors (`centres.NAME.counsellors.GROUP.count`) of
    /// every contact centre answering a sized region against --min-answer
    /// (and --answer-within-20s). Alone, the teams stay as given; with
    /// --max-miss (or --per-call-type, --p90-within-max) the teams and the
    /// counsellors are sized together.
    #[arg(long)]
    counsellors: bool,
    /// Counsellor target: in-state answer share (contacts offered to the
    /// centre and answered by an in-state counsellor), lower 95% bound, in
    /// each region a sized centre answers; 0.9 = 90%.
    #[arg(long, value_name = "SHARE", default_value_t = 0.9, requires = "counsellors")]
    min_answer: f64,
    /// Counsellor target: also this share of answered contacts answered
    /// within 20 seconds, lower 95% bound; 0.8 = 80%.
    #[arg(long = "answer-within-20s", value_name = "SHARE", requires = "counsellors")]
    answer_within_20s: Option<f64>,
    /// At most this many counsellors in a group; a centre that cannot meet
    /// the target within it is reported NOT MET (exit code 3).
    #[arg(long, default_value_t = 500, requires = "counsellors")]
    max_counsellors_per_group: u32,
    /// What a counsellor-hour costs in team-hours when teams and
    /// counsellors are sized together: an assumption (one person at a desk
    /// against a team of two with a vehicle); set your own ratio.
    #[arg(long, value_name = "WEIGHT", default_value_t = 0.25, requires = "counsellors")]
    counsellor_cost: f64,
    /// Replications per search evaluation.
    #[arg(long, short = 'r', default_value_t = 30)]
    replications: u32,
    /// Replications of the verification run (on a seed the search never
    /// used: run.seed + 1).
    #[arg(long, default_value_t = 200)]
    verify_replications: u32,
    /// Set a scenario value first, e.g. --set run.horizon_days=180 (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    set: Vec<String>,
    /// Write sized.toml, size.csv, checks.csv, tradeoff.csv and the
    /// verification run's tables (sized-run/) into this folder.
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Also write the HTML report into --out (default: cessa-sim-size/).
    #[arg(long)]
    report: bool,
    #[command(flatten)]
    work: WorkArgs,
}

pub(crate) fn size(args: SizeArgs) -> anyhow::Result<()> {
    let mut problems = Vec::new();
    // The teams are sized unless only counsellors are asked for.
    let teams = !args.counsellors || args.max_miss.is_some() || args.per_call_type || args.p90_within_max;
    let max_miss = args.max_miss.unwrap_or(0.05);
    if !(0.0..1.0).contains(&max_miss) {
        problems.push(format!(
            "--max-miss {max_miss}: expected a share in [0, 1), e.g. 0.05 = 5%"
        ));
    }
    if args.counsellors {
        if !(0.0..=1.0).contains(&args.min_answer) {
            problems.push(format!(
                "--min-answer {}: expected a share in [0, 1], e.g. 0.9 = 90%",
                args.min_answer
            ));
        }
        if let Some(w) = args.answer_within_20s
            && !(0.0..=1.0).contains(&w)
        {
            problems.push(format!(
                "--answer-within-20s {w}: expected a share in [0, 1], e.g. 0.8 = 80%"
            ));
        }
        if !(args.counsellor_cost > 0.0 && args.counsellor_cost.is_finite()) {
            problems.push(format!(
                "--counsellor-cost {}: expected a positive weight (team-hours per counsellor-hour), e.g. 0.25",
                args.counsellor_cost
            ));
        }
        if args.max_counsellors_per_group == 0 {
            problems.push("--max-counsellors-per-group must be at least 1".into());
        }
        if !teams && (!args.shifts.is_empty() || args.bases != "zones") {
            problems.push(
                "--shift and --bases place new teams, but --counsellors alone keeps the teams as given: add --max-miss to size both"
                    .into(),
            );
        }
    }
    if args.replications < 2 || args.verify_replications < 2 {
        problems.push("--replications and --verify-replications must be at least 2".into());
    }
    let mut shifts = vec![Shift::always()];
    for text in &args.shifts {
        match Shift::parse(text) {
            Ok(s) if !shifts.contains(&s) => shifts.push(s),
            Ok(_) => {}
            Err(e) => problems.push(format!("--shift: {e}")),
        }
    }
    let sites = match args.bases.as_str() {
        "zones" => None,
        file => match read_sites(Path::new(file)) {
            Ok(s) => Some(s),
            Err(e) => {
                problems.push(e);
                None
            }
        },
    };
    if !problems.is_empty() {
        return Err(BadInput(problems.join("\n")).into());
    }
    let (text, name) = scenario_text(args.scenario.as_deref(), &args.set)?;
    let target = Target {
        max_miss_share: max_miss,
        per_call_type: args.per_call_type,
        p90_within_max: args.p90_within_max,
        max_teams_per_region: args.max_teams,
        replications: args.replications,
        verify_replications: args.verify_replications,
        teams,
        answer: args.counsellors.then_some(AnswerTarget {
            min_answer_share: args.min_answer,
            min_within_20s: args.answer_within_20s,
            max_per_group: args.max_counsellors_per_group,
            counsellor_cost: args.counsellor_cost,
        }),
    };
    let options = Options {
        regions: args.regions.clone(),
        add_only: args.add_only,
        sites,
        shifts: shifts.clone(),
    };
    let out = crate::args::out_folder(args.out.as_deref(), args.report, "cessa-sim-size", "size.csv")?;
    let pool = thread_pool(args.work.threads)?;
    let pb = progress_bar(0, args.work.quiet, "simulations");
    pb.set_length(u64::MAX);
    pb.set_style(
        indicatif::ProgressStyle::with_template("{msg} {pos} simulations, {elapsed}")
            .expect("valid template"),
    );
    pb.set_message("sizing:");
    let started = Instant::now();
    let sizing = pool.install(|| sim::sizing::size(&text, &name, target, &options, &|_| pb.inc(1)))?;
    pb.finish_and_clear();
    print!("{}", output::sizing_table(&sizing, &target));
    if !args.work.quiet {
        eprintln!(
            "{} simulations in {:.1} s",
            sizing.evaluations,
            started.elapsed().as_secs_f64()
        );
    }
    if let Some(dir) = &out {
        // Whole or not at all: the files go to a fresh folder that then
        // replaces `dir`.
        let version = env!("CARGO_PKG_VERSION");
        output::write_folder(dir, "size.csv", |tmp| {
            output::write_sizing(tmp, &sizing, &target, version)?;
            if args.report {
                output::sizing::write_sizing_report_from(
                    tmp,
                    tmp,
                    &sizing.results,
                    &sizing.scenario_toml,
                    version,
                )?;
            }
            Ok(())
        })
        .with_context(|| format!("writing the sizing to {}", dir.display()))?;
        if args.report && !args.work.quiet {
            eprintln!("report: {}", dir.join("report.html").display());
        }
    }
    let missed: Vec<&str> = sizing
        .checks
        .iter()
        .filter(|c| !c.met && !c.phone_bound)
        .map(|c| c.region.as_str())
        .collect();
    let mut why: Vec<String> = sizing
        .checks
        .iter()
        .filter(|c| c.phone_bound)
        .map(|c| {
            format!(
                "{}: the phones alone lose {} of its mobile calls (hung up or rolled over before a counsellor \
                 answered), more than --max-miss {}; no number of teams can meet it, so its teams were left \
                 as given. Size the counsellors too: add --counsellors",
                c.region,
                output::percent::percent(c.lost_at_phones, output::percent::Style::share(1).lower_bound()),
                output::percent::percent(max_miss, output::percent::Style::share(1)),
            )
        })
        .collect();
    if !missed.is_empty() {
        let shifts: Vec<&str> = shifts.iter().map(|s| s.label.as_str()).collect();
        why.push(format!(
            "target not met on the verification run in {}: tried up to {} teams a region, new bases at {}, shifts {}",
            missed.join(", "),
            args.max_teams,
            if args.bases == "zones" { "any zone" } else { "the sites of --bases" },
            shifts.join(", ")
        ));
    }
    let mut short: Vec<String> = sizing
        .answer_checks
        .iter()
        .filter(|c| !c.met)
        .map(|c| format!("{} ({})", c.centre, c.region))
        .collect();
    short.dedup();
    if !short.is_empty() {
        why.push(format!(
            "answer target not met on the verification run at {}: tried up to {} counsellors a group (--max-counsellors-per-group)",
            short.join(", "),
            args.max_counsellors_per_group
        ));
    }
    if !why.is_empty() {
        return Err(Infeasible(why.join("\n")).into());
    }
    Ok(())
}

/// Writes the sizing report of a folder written by `size --out`.
pub(crate) fn report(results: &Path, out: &Path) -> anyhow::Result<PathBuf> {
    let (res, toml) = crate::read_summary(&results.join("sized-run"))?;
    Ok(output::sizing::write_sizing_report_from(
        results,
        out,
        &res,
        &toml,
        env!("CARGO_PKG_VERSION"),
    )?)
}

/// Candidate sites from a CSV with `name`, `lat` and `lon` columns.
fn read_sites(path: &Path) -> Result<Vec<Site>, String> {
    let file = path.display();
    let mut r = csv::Reader::from_path(path).map_err(|e| format!("--bases {file}: {e}"))?;
    let headers = r.headers().map_err(|e| format!("--bases {file}: {e}"))?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(n), Some(la), Some(lo)) = (col("name"), col("lat"), col("lon")) else {
        return Err(format!(
            "--bases {file}: expected the columns name, lat and lon (and optionally candidate_base); found: {}",
            headers.iter().collect::<Vec<_>>().join(", ")
        ));
    };
    let flag = col("candidate_base");
    let mut sites = Vec::new();
    for (i, rec) in r.records().enumerate() {
        let rec = rec.map_err(|e| format!("--bases {file}: {e}"))?;
        if flag.is_some_and(|f| rec.get(f) != Some("1")) {
            continue;
        }
        let num = |c: usize| rec.get(c).and_then(|x| x.trim().parse::<f64>().ok());
        match (num(la), num(lo)) {
            (Some(lat), Some(lon)) if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) => {
                sites.push(Site {
                    name: rec.get(n).unwrap_or_default().trim().to_string(),
                    lat,
                    lon,
                })
            }
            (None, None) if rec.get(la).is_some_and(|x| x.trim().is_empty()) => {} // not geocoded: skipped
            _ => {
                return Err(format!(
                    "--bases {file}: line {}: `lat`, `lon`: expected degrees, found {:?}, {:?}",
                    i + 2,
                    rec.get(la).unwrap_or_default(),
                    rec.get(lo).unwrap_or_default()
                ));
            }
        }
    }
    if sites.is_empty() {
        return Err(format!("--bases {file}: no site with a latitude and longitude"));
    }
    Ok(sites)
}

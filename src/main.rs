//! `cessa-sim`: the command-line program. It parses arguments, loads and
//! validates scenarios, calls the engine and the output crate, and maps
//! errors to exit codes (2 for bad input, 1 for anything else).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use sim::Model;

use crate::progress::Batch;

mod args;
mod calibrate;
mod compare;
mod progress;
mod sensitivity;
mod serve;
mod size;
mod sweep;

/// Simulates 9-8-8 mobile crisis response under Illinois' CESSA: how often
/// a mobile team would miss the maximum response time (so that the call
/// falls back to police), and how many teams it takes to avoid that.
#[derive(Debug, Parser)]
#[command(
    name = "cessa-sim",
    version,
    propagate_version = true,
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Simulate a scenario and print the per-region table.
    ///
    /// With no SCENARIO, runs the embedded Illinois default (the 11 EMS
    /// Regions, 82 teams 24/7). Examples:
    ///
    ///   cessa-sim run
    ///
    ///   cessa-sim run scenarios/examples/one_region.toml --replications 50 --out results/
    Run(RunArgs),
    /// Check the simulator against exact queueing theory.
    ///
    /// Runs the validation cases (Erlang B, Erlang C, M/M/c+D under both
    /// policies, the 9-8-8 contact centre against Erlang A, teams at
    /// distinct bases against Larson's hypercube model, time-varying
    /// arrivals and M_t/M/infinity, conservation and Little's law on the
    /// Illinois default) and prints, for each check, the
    /// exact value, the simulated mean with its 99% confidence interval, and
    /// pass or FAIL. Exit code 1 if any check fails. Examples:
    ///
    ///   cessa-sim validate
    ///
    ///   cessa-sim validate --full --out validation/
    Validate(ValidateArgs),
    /// Run a parameter sweep: every point of a plan, with common random numbers.
    ///
    /// The plan names a base scenario and axes that set scenario values by
    /// path (see the README). Replication k of every point sees the same
    /// calls, so differences between points are not noise. Results go to
    /// OUT/sweep.csv (one row per point x region, and a statewide row) with
    /// OUT/manifest.json; finished points are kept in OUT/points/, so a
    /// killed sweep resumes where it stopped when rerun with the same
    /// command. Examples:
    ///
    ///   cessa-sim sweep plans/region5.toml --out region5/
    ///
    ///   cessa-sim sweep plans/region5.toml --shard 0/4 --out shards/shard-0   (Slurm: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)
    Sweep(SweepCliArgs),
    /// Combine the folders of a sharded sweep into the folder one unsharded run writes.
    ///
    /// Refuses shards of different plans or versions, unfinished shards, and
    /// missing or duplicated points. Example:
    ///
    ///   cessa-sim merge region5/ shards/shard-*
    Merge {
        /// Output folder.
        out: PathBuf,
        /// Shard folders (written by `sweep --shard`).
        #[arg(required = true)]
        shards: Vec<PathBuf>,
    },
    /// Find the fewest team-hours, by region, base and shift, that meet a miss target; with --counsellors, the fewest counsellors per contact centre and shift that meet an answer target.
    ///
    /// The question of 754/50(6),(7). A miss is a mobile call diverted or
    /// reached late; a target is met when the upper end of the miss share's
    /// 95% interval is within --max-miss. In every sized region that
    /// misses, it adds the team (one more in an existing group, or a new
    /// base near the most misses, 24/7 or a --shift block) that meets the
    /// target cheapest or removes the most shortfall per team-hour, then
    /// drops any team it can spare. With --counsellors (issue 14) the
    /// counsellor groups of the centres answering the sized regions are
    /// searched the same way against --min-answer (the in-state answer
    /// share's lower 95% bound, in each region a centre answers): alone, or
    /// with --max-miss together with the teams. The recommendation is re-run
    /// on 200 replications of a seed the search never used and accepted only
    /// if it meets the target there. Exit code 3 when a region or centre
    /// cannot. Examples:
    ///
    ///   cessa-sim size --region "Region 5" --add-only --max-miss 0.05
    ///
    ///   cessa-sim size --region "Region 5" --add-only --shift "Mon-Fri 08:00-20:00" --bases sites.csv --out sized/ --report
    ///
    ///   cessa-sim size my_region.toml --max-miss 0.02 --per-call-type --p90-within-max
    ///
    ///   cessa-sim size scenarios/examples/contact_centre.toml --counsellors --min-answer 0.95
    Size(size::SizeArgs),
    /// Compare options on the same replications, with paired confidence intervals.
    ///
    /// The base (the first file, or the embedded default) and each option
    /// (more files, or --alt 'NAME: --set PATH=VALUE ...' made from the
    /// base) run on the very same replications, so they see the same calls.
    /// Prints, statewide and per region, each option's miss share (diverted
    /// or late), diverted share, p90 response and team-hours a week, and
    /// each one's change from the base with its paired 95% CI (* where it
    /// excludes zero). Examples:
    ///
    ///   cessa-sim compare --alt 'Region 5 +2: --set regions."Region 5".teams.Jefferson.count=3 --set regions."Region 5".teams.Franklin.count=2' -r 50
    ///
    ///   cessa-sim compare now.toml plan_a.toml plan_b.toml --out compared/ --report
    Compare(compare::CompareArgs),
    /// A local web page for what-ifs, for people who will not use a terminal.
    ///
    /// Pick the default or upload a scenario, change teams, shifts, maxima
    /// or demand in forms (checked as the command line checks them), run,
    /// follow the progress, cancel, and read the comparison with the
    /// unchanged scenario, the report and downloads. Runs queue and their
    /// results are kept on disk. Listens on 127.0.0.1:8080; another address
    /// needs a token. Example:
    ///
    ///   cessa-sim serve
    Serve(serve::ServeArgs),
    /// How far each assumption moves the answer.
    ///
    /// Runs the scenario as given, then each assumption at its low and at
    /// its high value (the others as given), all on the same replications
    /// (common random numbers). Prints, largest effect first, the statewide
    /// diverted share at each side with the paired 95% CI of the change, and
    /// a verdict per region: the Monte Carlo interval of the base and,
    /// apart from it, the range across the assumptions. For the embedded
    /// default it uses the shipped ranges (demand, travel speed, circuity,
    /// on-scene time, mobile share of triage, the 9-8-8 centre's
    /// counsellors, talk time and patience, base placement);
    /// --ranges FILE takes `path = [low, high]` lines for any value.
    /// Examples:
    ///
    ///   cessa-sim sensitivity -r 40
    ///
    ///   cessa-sim sensitivity my_region.toml --ranges my_ranges.toml --out sens/ --report
    Sensitivity(sensitivity::SensitivityArgs),
    /// Write the HTML report of a run, a sweep or a sizing.
    ///
    /// RESULTS is a folder written by `run --out`, `sweep --out` or
    /// `size --out`. The report is one self-contained HTML file (inline SVG
    /// and CSS, no scripts, no network: it opens from a USB stick) plus a PNG
    /// of every chart in charts/ (an SVG in a build without the `png`
    /// feature). Examples:
    ///
    ///   cessa-sim report results/
    ///
    ///   cessa-sim report region5/ --out region5-report/
    Report {
        /// A results folder.
        results: PathBuf,
        /// Where to write report.html and charts/ (default: RESULTS).
        #[arg(long, short = 'o')]
        out: Option<PathBuf>,
    },
    /// Print the embedded Illinois default scenario (TOML), to copy and edit.
    Default,
    /// Fit a scenario to historical call records.
    ///
    /// A mapping file names the columns (request, dispatch, arrival and
    /// departure times, region, call type, disposition), the timestamp
    /// formats, label recodings, filters and cleaning thresholds (maps for
    /// the Lane County and NYC EDP data are in calibration/maps/). Fits the
    /// arrival rate and hour-of-week profile by region, the call-type mix,
    /// intake, travel and on-scene distributions (lognormal, gamma or
    /// empirical, by KS distance, robust to a few extreme values), and
    /// estimates the teams on duty by hour of week from the busy periods.
    /// Export gaps are left out of the rates; gaps, level shifts and
    /// hour-of-day pattern changes are warned about. Writes a scenario that
    /// `run` accepts, with comments saying where each number came from;
    /// every dropped row is counted in the fit report. Example:
    ///
    ///   cessa-sim calibrate mcslc_dispatches_tidy.csv.gz --map calibration/maps/lane_mcslc.toml --out lane.toml --report lane-fit/
    Calibrate(calibrate::CalibrateArgs),
    /// Compare a scenario with the call records it should reproduce.
    ///
    /// Simulates the span the records cover (run.start_date and
    /// run.horizon_days are set from the records) and prints, by region,
    /// observed against simulated like with like: calls (and a chi-square of
    /// the hour-of-week shape), response, request -> dispatch (intake +
    /// wait), travel and on-scene median and p90, mean busy teams and
    /// P(>=2 busy), each scored against a 95% prediction interval of one
    /// replication of the span. With --rolling (RECORDS only), each of the
    /// last --folds test windows is simulated from a scenario calibrated on
    /// the weeks before it, with a table per fold and a summary. Examples:
    ///
    ///   cessa-sim backtest lane.toml mcslc_dispatches_tidy.csv.gz --map calibration/maps/lane_mcslc.toml -r 50
    ///   cessa-sim backtest --rolling mcslc_dispatches_tidy.csv.gz --map calibration/maps/lane_mcslc.toml --from 2024-08-01 --to 2025-09-01
    Backtest(calibrate::BacktestArgs),
}

#[derive(Debug, Args)]
struct SweepCliArgs {
    /// The sweep plan (TOML).
    plan: PathBuf,
    /// Output folder (created; rerun with the same folder to resume).
    #[arg(long, short = 'o')]
    out: PathBuf,
    /// Run only shard I of N (0 <= I < N): points I, I+N, I+2N, ...
    #[arg(long)]
    shard: Option<String>,
    #[command(flatten)]
    work: args::WorkArgs,
    /// Also write the HTML report (report.html, charts/) into the --out folder.
    #[arg(long)]
    report: bool,
}

#[derive(Debug, Args)]
struct ValidateArgs {
    /// Every parameter set with more replications (minutes instead of seconds).
    #[arg(long)]
    full: bool,
    /// Also write validation.csv and validation.json into this folder.
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    #[command(flatten)]
    work: args::WorkArgs,
}

#[derive(Debug, Args)]
struct RunArgs {
    #[command(flatten)]
    scenario: args::ScenarioArgs,
    #[command(flatten)]
    work: args::WorkArgs,
    /// Write summary.json and the CSV tables into this folder.
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Also write the HTML report (report.html, charts/) into the --out
    /// folder (default: cessa-sim-report/).
    #[arg(long)]
    report: bool,
}

/// An error that means the input was wrong (exit code 2).
#[derive(Debug)]
pub(crate) struct BadInput(pub(crate) String);

impl std::fmt::Display for BadInput {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for BadInput {}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(args) => run(args),
        Command::Validate(args) => validate(args),
        Command::Sweep(a) => sweep::sweep(sweep::SweepArgs {
            plan: a.plan,
            report: a.report,
            out: a.out,
            shard: a.shard,
            threads: a.work.threads,
            quiet: a.work.quiet,
        }),
        Command::Merge { out, shards } => sweep::merge(&out, &shards),
        Command::Size(args) => size::size(args),
        Command::Sensitivity(args) => sensitivity::sensitivity(args),
        Command::Compare(args) => compare::compare(args),
        Command::Serve(args) => serve::serve(args),
        Command::Report { results, out } => report(&results, out.as_deref()),
        Command::Calibrate(args) => calibrate::calibrate(args),
        Command::Backtest(args) => calibrate::backtest(args),
        Command::Default => {
            print!("{}", sim::scenario::ILLINOIS_TOML);
            Ok(())
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(exit_code(&e))
        }
    }
}

/// The one exit-code policy, by error type anywhere in the chain: 2 for bad
/// input (a scenario, plan, ranges, mapping or records file, a flag), 3 for
/// a sizing target that cannot be met, 1 for anything else (a file that
/// cannot be written, a failed validation check).
fn exit_code(e: &anyhow::Error) -> u8 {
    for cause in e.chain() {
        if cause.is::<BadInput>()
            || cause.is::<sim::ScenarioError>()
            || cause.is::<sim::scenario::patch::PatchError>()
            || cause.is::<sim::sizing::SizingError>()
            || cause.is::<sim::compare::CompareError>()
            || cause.is::<calibration::CalibrationError>()
            || cause
                .downcast_ref::<output::sweep::SweepError>()
                .is_some_and(|e| {
                    matches!(
                        e,
                        output::sweep::SweepError::Foreign { .. }
                            | output::sweep::SweepError::Shards(_)
                            | output::sweep::SweepError::Busy(_)
                    )
                })
        {
            return 2;
        }
        if cause.is::<size::Infeasible>() {
            return 3;
        }
    }
    1
}

fn run(args: RunArgs) -> anyhow::Result<()> {
    let (scenario, source) = args.scenario.load()?;
    let out = args::out_folder(
        args.out.as_deref(),
        args.report,
        "cessa-sim-report",
        "summary.json",
    )?;
    let reps = scenario.run().replications;
    let model = Model::new(scenario);
    let batch = Batch::start(&args.work, u64::from(reps), "replications")?;
    let results = batch.run(|bar| sim::montecarlo::run(&model, reps, &|| bar.inc(1)));
    let elapsed = batch.done();
    if !args.work.quiet {
        let sc = &model.scenario;
        if let Some(o) = sim::scenario::overrides(&source) {
            println!("Overrides: {o}");
        }
        println!(
            "{} — {} replications of {} days (warm-up {} days), seed {}, start {}",
            sc.name(),
            reps,
            sc.run().horizon_min / 1440.0,
            sc.run().warmup_min / 1440.0,
            sc.run().seed,
            sc.run().start_date
        );
        println!(
            "Shares of mobile calls (those triage sent to a team); ± is the 95% CI over replications.\n"
        );
        print!("{}", output::region_table(&results, sc));
        eprintln!("\n{:.2} s wall time", elapsed.as_secs_f64());
    }
    if let Some(dir) = &out {
        // Whole or not at all: a rerun into the folder replaces it, old
        // charts and all; a kill leaves the previous outputs intact.
        let version = env!("CARGO_PKG_VERSION");
        let (written, page) = output::write_folder(dir, "summary.json", |tmp| {
            let written = output::write_run(tmp, &results, &source, version)?;
            let page = match args.report {
                true => Some(output::report::write_run_report(tmp, &results, &source, version)?),
                false => None,
            };
            Ok((written, page))
        })
        .with_context(|| format!("writing results to {}", dir.display()))?;
        if !args.work.quiet {
            eprintln!("wrote {} files to {}", written.files.len(), dir.display());
            if page.is_some() {
                eprintln!("report: {}", dir.join("report.html").display());
            }
        }
    }
    Ok(())
}

fn validate(args: ValidateArgs) -> anyhow::Result<()> {
    let cases = sim::validation::cases(args.full);
    let batch = Batch::start(&args.work, cases.len() as u64, "validation cases")?;
    let checks: Vec<sim::validation::Check> = batch.run(|bar| {
        cases
            .iter()
            .flat_map(|c| {
                let checks = sim::validation::run_case(c);
                bar.inc(1);
                checks
            })
            .collect()
    });
    let elapsed = batch.done();
    print!("{}", output::validation_table(&checks));
    if !args.work.quiet {
        eprintln!("{:.1} s wall time", elapsed.as_secs_f64());
    }
    if let Some(dir) = &args.out {
        output::write_validation(dir, &checks, env!("CARGO_PKG_VERSION"))
            .with_context(|| format!("writing validation results to {}", dir.display()))?;
    }
    let failed = checks.iter().filter(|c| !c.pass).count();
    if failed > 0 {
        anyhow::bail!("{failed} validation check(s) failed");
    }
    Ok(())
}

/// Reads a scenario's text (or the embedded default) and applies `--set PATH=VALUE` overrides.
pub(crate) fn scenario_text(path: Option<&Path>, sets: &[String]) -> anyhow::Result<(String, String)> {
    let (text, name) = match path {
        Some(p) => (read_text(p, "scenario")?, p.display().to_string()),
        None => (
            sim::scenario::ILLINOIS_TOML.to_string(),
            "<embedded illinois.toml>".to_string(),
        ),
    };
    if sets.is_empty() {
        return Ok((text, name));
    }
    // The user's own file first: a syntax error there is reported at its
    // line and column, not as a failure of the overrides.
    sim::Scenario::check_toml(&text, &name)?;
    let mut values = Vec::new();
    for s in sets {
        values.push(
            sim::scenario::patch::parse_assignment(s).map_err(|e| BadInput(format!("--set {s:?}: {e}")))?,
        );
    }
    let patched =
        sim::scenario::patch::set_values(&text, &values).map_err(|e| BadInput(format!("--set: {e}")))?;
    // A problem the overrides leave is reported in the user's file, or at
    // the `--set` that caused it.
    if let Err(e) = sim::Scenario::from_toml(&patched, &name) {
        return Err(sim::scenario::patch::place_problems(e, &text, sets).into());
    }
    let text = patched;
    // Every change shows: the echo in every output carries them, and the
    // report and run header read them back from there.
    let text = format!("{}{}\n{text}", sim::scenario::OVERRIDES_COMMENT, sets.join("; "));
    Ok((text, format!("{name} (with --set)")))
}

fn report(results: &Path, out: Option<&Path>) -> anyhow::Result<()> {
    let out = out.unwrap_or(results);
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let version = env!("CARGO_PKG_VERSION");
    let page = report_page(results, out, version)?;
    eprintln!("report: {}", page.display());
    Ok(())
}

/// Reads a text file the user named; a file that is not UTF-8 is an error
/// with the line and column of the first bad byte (issue 17).
pub(crate) fn read_text(path: &Path, what: &str) -> anyhow::Result<String> {
    let bytes =
        std::fs::read(path).map_err(|e| BadInput(format!("cannot read {what} {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let ok = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = ok.iter().filter(|&&b| b == b'\n').count() + 1;
        let column = String::from_utf8_lossy(ok.rsplit(|&b| b == b'\n').next().unwrap_or(ok))
            .chars()
            .count()
            + 1;
        BadInput(format!(
            "{}:{line}:{column}: the {what} is not UTF-8 text (save it as UTF-8)",
            path.display()
        ))
        .into()
    })
}

/// Reads a run's `summary.json`: the results and the scenario as run.
pub(crate) fn read_summary(dir: &Path) -> anyhow::Result<(sim::RunResults, String)> {
    let path = dir.join("summary.json");
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let v: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| BadInput(format!("{} is not a summary.json: {e}", path.display())))?;
    let toml = v["scenario_toml"].as_str().unwrap_or_default().to_string();
    let res: sim::RunResults = serde_json::from_value(v["results"].clone())
        .map_err(|e| BadInput(format!("{} is not a cessa-sim summary.json: {e}", path.display())))?;
    Ok((res, toml))
}

/// Writes the report of a results folder, by what the folder holds.
fn report_page(results: &Path, out: &Path, version: &str) -> anyhow::Result<PathBuf> {
    let page = if results.join("compare.json").is_file() {
        compare::report(results, out)?
    } else if results.join("sensitivity.json").is_file() {
        let s = sensitivity::read(results)?;
        let (res, toml) = read_summary(&results.join("base-run"))?;
        output::report::write_sensitivity_report(out, &s, &res, &toml, version)?
    } else if results.join("size.csv").is_file() {
        size::report(results, out)?
    } else if results.join("sweep.csv").is_file() {
        let (axes, rows) = output::sweep::report_rows(results)?;
        output::report::write_sweep_report(out, &axes, &rows, version)?
    } else if results.join("summary.json").is_file() {
        let (res, toml) = read_summary(results)?;
        output::report::write_run_report(out, &res, &toml, version)?
    } else {
        return Err(BadInput(format!(
            "{} holds no summary.json, sweep.csv or size.csv: give a folder written by run, sweep or size with --out",
            results.display()
        ))
        .into());
    };
    Ok(page)
}

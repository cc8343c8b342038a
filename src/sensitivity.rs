//! `cessa-sim sensitivity`: glue between the command line and
//! `sim::sensitivity`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::BadInput;
use crate::args::{ScenarioArgs, WorkArgs};
use crate::progress::Batch;

#[derive(Debug, Args)]
pub(crate) struct SensitivityArgs {
    #[command(flatten)]
    scenario: ScenarioArgs,
    /// Ranges file: `path = [low, high]` lines and [assumptions.NAME] tables
    /// (see plans/illinois_sensitivity.toml). Default: the shipped Illinois
    /// ranges for the embedded default, else demand, travel and on-scene
    /// scales.
    #[arg(long, value_name = "FILE")]
    ranges: Option<PathBuf>,
    #[command(flatten)]
    work: WorkArgs,
    /// Write sensitivity.csv, sensitivity.json and the base run's tables
    /// (base-run/) into this folder.
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Also write the HTML report with the tornado charts into --out
    /// (default: cessa-sim-sensitivity/).
    #[arg(long)]
    report: bool,
}

pub(crate) fn sensitivity(args: SensitivityArgs) -> anyhow::Result<()> {
    let (base, text) = args.scenario.load()?;
    let (ranges, ranges_name) = match (&args.ranges, &args.scenario.scenario) {
        (Some(p), _) => (crate::read_text(p, "ranges file")?, p.display().to_string()),
        (None, None) => (
            sim::sensitivity::ILLINOIS_RANGES.to_string(),
            "<embedded plans/illinois_sensitivity.toml>".to_string(),
        ),
        (None, Some(_)) => (
            sim::sensitivity::GENERIC_RANGES.to_string(),
            "<generic ranges>".to_string(),
        ),
    };
    let plan = sim::sensitivity::Plan::from_toml(&ranges, &ranges_name, &text)?;
    let out = crate::args::out_folder(
        args.out.as_deref(),
        args.report,
        "cessa-sim-sensitivity",
        "sensitivity.json",
    )?;
    let reps = base.run().replications;
    let steps = plan.runs() as u64 * u64::from(reps);
    let batch = Batch::start(&args.work, steps, &format!("{} runs", plan.runs()))?;
    let (s, base_res) = batch.run(|bar| sim::sensitivity::run(&base, &plan, &|| bar.inc(1)));
    batch.finish(
        || output::sensitivity_table(&s),
        &format!("{} runs of {reps} replications", plan.runs()),
    );
    if let Some(dir) = &out {
        write(dir, &s, &base_res, &text, args.report)?;
        if !args.work.quiet {
            if args.report {
                eprintln!("report: {}", dir.join("report.html").display());
            }
            eprintln!(
                "wrote sensitivity.csv, sensitivity.json and base-run/ to {}",
                dir.display()
            );
        }
    }
    Ok(())
}

/// Writes every file into `dir`, whole or not at all.
fn write(
    dir: &Path,
    s: &sim::sensitivity::Sensitivity,
    base: &sim::RunResults,
    text: &str,
    report: bool,
) -> anyhow::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    output::write_folder(dir, "sensitivity.json", |tmp| {
        output::write_run(&tmp.join("base-run"), base, text, version)?;
        output::write_sensitivity(tmp, s, version)?;
        if report {
            output::report::write_sensitivity_report(tmp, s, base, text, version)?;
        }
        Ok(())
    })
    .with_context(|| format!("writing to {}", dir.display()))
}

/// Reads a folder written by `sensitivity --out` back, for `cessa-sim report`.
pub(crate) fn read(dir: &Path) -> anyhow::Result<sim::sensitivity::Sensitivity> {
    #[derive(serde::Deserialize)]
    struct File {
        sensitivity: sim::sensitivity::Sensitivity,
    }
    let path = dir.join("sensitivity.json");
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let f: File = serde_json::from_slice(&bytes).map_err(|e| {
        BadInput(format!(
            "{} is not a cessa-sim sensitivity.json: {e}",
            path.display()
        ))
    })?;
    Ok(f.sensitivity)
}

//! Arguments shared by several subcommands, defined once and flattened in.

use std::path::{Path, PathBuf};

use clap::Args;

use crate::{BadInput, scenario_text};

/// A scenario and the overrides applied to its text before validation: one
/// path for `--set`, `-r` and `--seed`, so what the outputs echo as the
/// scenario is exactly what ran.
#[derive(Debug, Args)]
pub(crate) struct ScenarioArgs {
    /// Scenario file (TOML). Default: the embedded Illinois scenario.
    pub(crate) scenario: Option<PathBuf>,
    /// Replications (sets `run.replications`: 1 to 1,000,000).
    #[arg(long, short = 'r')]
    pub(crate) replications: Option<u32>,
    /// Seed (sets `run.seed`). The same scenario and seed give the same
    /// numbers on any number of threads.
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Set a scenario value by its path first, e.g. --set demand_scale=1.25
    /// or --set 'regions."Region 5".teams.Jefferson.count=4' (repeatable).
    #[arg(long = "set", value_name = "PATH=VALUE")]
    pub(crate) set: Vec<String>,
}

impl ScenarioArgs {
    /// The scenario text with every override applied, and its name for
    /// messages.
    pub(crate) fn text(&self) -> anyhow::Result<(String, String)> {
        let mut sets = self.set.clone();
        sets.extend(run_overrides(self.replications, self.seed));
        scenario_text(self.scenario.as_deref(), &sets)
    }

    /// The validated scenario with every override applied, and its text.
    pub(crate) fn load(&self) -> anyhow::Result<(sim::Scenario, String)> {
        let (text, name) = self.text()?;
        let scenario = sim::Scenario::from_toml(&text, &name)?;
        Ok((scenario, text))
    }
}

/// `-r` and `--seed` as the `run.*` overrides they stand for.
pub(crate) fn run_overrides(replications: Option<u32>, seed: Option<u64>) -> Vec<String> {
    let mut sets = Vec::new();
    if let Some(r) = replications {
        sets.push(format!("run.replications={r}"));
    }
    if let Some(s) = seed {
        sets.push(format!("run.seed={s}"));
    }
    sets
}

/// How the work runs: threads and chattiness.
#[derive(Debug, Args, Clone, Copy)]
pub(crate) struct WorkArgs {
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long, short = 'j')]
    pub(crate) threads: Option<usize>,
    /// No progress bar and no table: only errors.
    #[arg(long, short = 'q')]
    pub(crate) quiet: bool,
}

/// The `--out` folder of a command that also takes `--report`: as given,
/// else `default` when only `--report` asks for files. It is checked
/// before any simulating, not after: absent, empty, or a folder this
/// command wrote (it holds `marker`).
pub(crate) fn out_folder(
    out: Option<&Path>,
    report: bool,
    default: &str,
    marker: &str,
) -> anyhow::Result<Option<PathBuf>> {
    let out = out
        .map(Path::to_path_buf)
        .or_else(|| report.then(|| PathBuf::from(default)));
    if let Some(dir) = &out {
        output::check_folder(dir, marker).map_err(|e| BadInput(format!("--out {e}")))?;
    }
    Ok(out)
}

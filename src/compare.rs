//! `cessa-sim compare`: glue between the command line and `sim::compare`.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use clap::Args;

use crate::args::WorkArgs;
use crate::progress::Batch;
use crate::{BadInput, scenario_text};

#[derive(Debug, Args)]
pub(crate) struct CompareArgs {
    /// Scenario files: the base first, then the options. Default base: the
    /// embedded Illinois scenario.
    scenarios: Vec<PathBuf>,
    /// An option made from the base by overrides, as 'NAME: --set PATH=VALUE
    /// [--set PATH=VALUE ...]' (repeatable), e.g.
    /// 'Marion +2: --set regions."Region 5".teams.Jefferson.count=3'.
    #[arg(long = "alt", value_name = "NAME: --set PATH=VALUE ...")]
    alts: Vec<String>,
    /// Replications of every option (sets the base's `run.replications`).
    #[arg(long, short = 'r')]
    replications: Option<u32>,
    /// Seed of every option (sets the base's `run.seed`).
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    work: WorkArgs,
    /// Write compare.csv, compare.json and each option's tables
    /// (option-N/) into this folder.
    #[arg(long, short = 'o')]
    out: Option<PathBuf>,
    /// Also write the HTML report (the comparison, then the last option's
    /// report) into --out (default: cessa-sim-compare/).
    #[arg(long)]
    report: bool,
    /// Write "done total" replications to this file as the work goes (for
    /// `serve`).
    #[arg(long, hide = true)]
    progress_file: Option<PathBuf>,
}

/// Splits an `--alt` value: the name before the first ':', then words split
/// at white space; single quotes group (and are removed), double quotes
/// group and stay (they belong to paths like `regions."Region 5"`).
fn parse_alt(text: &str) -> Result<(String, Vec<String>), String> {
    let (name, rest) = text
        .split_once(':')
        .ok_or_else(|| format!("--alt {text:?}: expected 'NAME: --set PATH=VALUE ...'"))?;
    let name = name.trim();
    if name.is_empty() {
        return Err(format!("--alt {text:?}: the option needs a name before ':'"));
    }
    let mut words = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut any = false;
    for c in rest.chars() {
        match (quote, c) {
            (Some('"'), '"') => {
                quote = None;
                word.push(c);
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'') => {
                quote = Some(c);
                any = true;
            }
            (None, '"') => {
                quote = Some(c);
                word.push(c);
            }
            (None, c) if c.is_whitespace() => {
                if any || !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                    any = false;
                }
            }
            (None, c) => word.push(c),
        }
    }
    if quote.is_some() {
        return Err(format!("--alt {text:?}: unbalanced quote"));
    }
    if any || !word.is_empty() {
        words.push(word);
    }
    let mut sets = Vec::new();
    let mut it = words.into_iter();
    while let Some(w) = it.next() {
        match w.strip_prefix("--set") {
            Some("") => sets.push(
                it.next()
                    .ok_or_else(|| format!("--alt {text:?}: --set needs PATH=VALUE"))?,
            ),
            Some(v) if v.starts_with('=') => sets.push(v[1..].to_string()),
            _ => return Err(format!("--alt {text:?}: expected --set PATH=VALUE, found {w:?}")),
        }
    }
    if sets.is_empty() {
        return Err(format!("--alt {text:?}: give at least one --set PATH=VALUE"));
    }
    Ok((name.to_string(), sets))
}

pub(crate) fn compare(args: CompareArgs) -> anyhow::Result<()> {
    let run_sets = crate::args::run_overrides(args.replications, args.seed);
    let (base_path, files) = match args.scenarios.split_first() {
        Some((b, rest)) => (Some(b.as_path()), rest),
        None => (None, &[][..]),
    };
    if files.is_empty() && args.alts.is_empty() {
        return Err(BadInput(
            "nothing to compare: give option files after the base, or --alt 'NAME: --set PATH=VALUE'".into(),
        )
        .into());
    }
    let mut options: Vec<(String, String, String)> = Vec::new(); // (name, text, file)
    let (base_text, base_name) = scenario_text(base_path, &run_sets)?;
    // Option files run on the base's seed and replications (common random
    // numbers), set the one way every override is, so their echo says so.
    let base_run = sim::Scenario::from_toml(&base_text, &base_name)?.run().clone();
    let option_sets = crate::args::run_overrides(Some(base_run.replications), Some(base_run.seed));
    options.push(("base".into(), base_text, base_name));
    for f in files {
        let name = f
            .file_stem()
            .map_or("option".into(), |s| s.to_string_lossy().to_string());
        let (text, file) = scenario_text(Some(f), &option_sets)?;
        options.push((name, text, file));
    }
    let mut problems = Vec::new();
    for alt in &args.alts {
        match parse_alt(alt) {
            Ok((name, mut sets)) => {
                sets.extend(run_sets.iter().cloned());
                match scenario_text(base_path, &sets) {
                    Ok((text, file)) => options.push((name, text, file)),
                    Err(e) => problems.push(format!("{e:#}")),
                }
            }
            Err(e) => problems.push(e),
        }
    }
    let mut scenarios = Vec::new();
    for (name, text, file) in &options {
        match sim::Scenario::from_toml(text, file) {
            Ok(sc) => scenarios.push((name.clone(), sc)),
            Err(e) => problems.push(format!("option {name:?}: {e}")),
        }
    }
    let names: Vec<&str> = options.iter().map(|o| o.0.as_str()).collect();
    for (i, n) in names.iter().enumerate() {
        if names[..i].contains(n) {
            problems.push(format!("two options are named {n:?}"));
        }
    }
    if !problems.is_empty() {
        return Err(BadInput(problems.join("\n")).into());
    }
    let out = crate::args::out_folder(
        args.out.as_deref(),
        args.report,
        "cessa-sim-compare",
        "compare.json",
    )?;
    let reps = scenarios[0].1.run().replications;
    let total = u64::from(reps) * scenarios.len() as u64;
    let batch = Batch::start(&args.work, total, &format!("{} options", scenarios.len()))?;
    let progress = args.progress_file.as_deref();
    let done = std::sync::atomic::AtomicU64::new(0);
    let (comparison, results) = batch.run(|bar| {
        let tick = || {
            bar.inc(1);
            let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
            if let Some(p) = progress
                && (n.is_multiple_of(4) || n == total)
            {
                // Best effort: a missed update only delays the page's bar.
                let _ = output::write_atomic(p, format!("{n} {total}\n").as_bytes());
            }
        };
        sim::compare::compare(&scenarios, &tick)
    })?;
    batch.finish(
        || output::compare_table(&comparison),
        &format!("{} options × {reps} replications", scenarios.len()),
    );
    if let Some(dir) = &out {
        write(dir, &comparison, &results, &options, args.report)?;
    }
    Ok(())
}

/// Writes every file into `dir`, whole or not at all.
fn write(
    dir: &Path,
    c: &sim::compare::Comparison,
    results: &[sim::RunResults],
    options: &[(String, String, String)],
    report: bool,
) -> anyhow::Result<()> {
    let version = env!("CARGO_PKG_VERSION");
    output::write_folder(dir, "compare.json", |tmp| {
        for (i, ((_, text, _), res)) in options.iter().zip(results).enumerate() {
            output::write_run(&tmp.join(format!("option-{i}")), res, text, version)?;
        }
        output::write_compare(tmp, c, version)?;
        if report {
            let last = options.len() - 1;
            output::report::write_compare_report(tmp, c, &results[last], &options[last].1, version)?;
        }
        Ok(())
    })
    .with_context(|| format!("writing to {}", dir.display()))
}

/// Reads a folder written by `compare --out` back, for `cessa-sim report`.
pub(crate) fn report(results: &Path, out: &Path) -> anyhow::Result<PathBuf> {
    #[derive(serde::Deserialize)]
    struct File {
        comparison: sim::compare::Comparison,
    }
    let path = results.join("compare.json");
    let bytes = std::fs::read(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let f: File = serde_json::from_slice(&bytes)
        .map_err(|e| BadInput(format!("{} is not a cessa-sim compare.json: {e}", path.display())))?;
    let last = f.comparison.options.len() - 1;
    let (res, toml) = crate::read_summary(&results.join(format!("option-{last}")))?;
    Ok(output::report::write_compare_report(
        out,
        &f.comparison,
        &res,
        &toml,
        env!("CARGO_PKG_VERSION"),
    )?)
}

#[cfg(test)]
mod tests {
    use super::parse_alt;

    #[test]
    fn alt_options_split_like_a_shell() {
        let (name, sets) = parse_alt(
            r#"Marion +2: --set 'regions."Region 5".teams.Jefferson.count=3' --set=demand_scale=1.1"#,
        )
        .unwrap();
        assert_eq!(name, "Marion +2");
        assert_eq!(
            sets,
            [
                r#"regions."Region 5".teams.Jefferson.count=3"#,
                "demand_scale=1.1"
            ]
        );
        assert!(parse_alt("no colon").is_err());
        assert!(parse_alt("x: --set 'open").is_err());
        assert!(parse_alt("x: demand_scale=2").is_err());
        assert!(parse_alt("x:").is_err());
    }
}

//! `cessa-sim sweep` and `cessa-sim merge`: glue between the command line,
//! `sim::sweep` (plans and points) and `output::sweep` (the folder).

use std::path::{Path, PathBuf};
use std::time::Instant;

use output::sweep::{Folder, Manifest};
use sim::Model;
use sim::sweep::{Plan, fingerprint};

use crate::BadInput;
use crate::progress::{progress_bar, thread_pool};

pub struct SweepArgs {
    pub plan: PathBuf,
    pub report: bool,
    pub out: PathBuf,
    pub shard: Option<String>,
    pub threads: Option<usize>,
    pub quiet: bool,
}

fn parse_shard(s: &str) -> anyhow::Result<(usize, usize)> {
    let parsed = s
        .split_once('/')
        .and_then(|(i, n)| Some((i.parse::<usize>().ok()?, n.parse::<usize>().ok()?)));
    match parsed {
        Some((i, n)) if n >= 1 && i < n => Ok((i, n)),
        _ => Err(BadInput(format!("--shard {s:?}: expected I/N with 0 <= I < N, e.g. 0/4 (shards count from 0, as Slurm array indices)")).into()),
    }
}

/// Loads the plan and its base scenario text.
fn load_plan(path: &Path) -> anyhow::Result<(Plan, String)> {
    let text = crate::read_text(path, "plan")?;
    let plan = Plan::from_toml(&text, &path.display().to_string())?;
    let base = if plan.base == "illinois" {
        sim::scenario::ILLINOIS_TOML.to_string()
    } else {
        let base_path = path.parent().unwrap_or(Path::new(".")).join(&plan.base);
        std::fs::read_to_string(&base_path).map_err(|e| {
            BadInput(format!(
                "cannot read the plan's base scenario {}: {e}",
                base_path.display()
            ))
        })?
    };
    Ok((plan, base))
}

pub fn sweep(args: SweepArgs) -> anyhow::Result<()> {
    let (plan, base) = load_plan(&args.plan)?;
    let (shard, shards) = match &args.shard {
        Some(s) => parse_shard(s)?,
        None => (0, 1),
    };
    let indices = plan.shard_points(shard, shards);
    // Validates every point before anything runs.
    let points = plan.points(&base, &indices, &args.plan.display().to_string())?;
    let version = env!("CARGO_PKG_VERSION");
    let manifest = Manifest {
        software: "cessa-sim".into(),
        version: version.into(),
        fingerprint: fingerprint(&[&plan.text, &base, version]),
        plan: plan.text.clone(),
        axes: plan.axes.iter().map(|a| a.name.clone()).collect(),
        points_total: plan.len(),
        shard: args.shard.as_ref().map(|_| format!("{shard}/{shards}")),
        points: indices.len(),
        points_done: 0,
    };
    let mut folder = Folder::open(&args.out, manifest, indices)?;
    let todo = folder.todo();
    if !args.quiet && folder.done() > 0 {
        eprintln!(
            "resuming: {} of {} points already done in {}",
            folder.done(),
            points.len(),
            args.out.display()
        );
    }
    let pool = thread_pool(args.threads)?;
    let todo: Vec<&sim::sweep::Point> = points.iter().filter(|p| todo.contains(&p.index)).collect();
    let total_reps: u64 = todo
        .iter()
        .map(|p| u64::from(p.scenario.run().replications))
        .sum();
    let pb = progress_bar(total_reps, args.quiet, "replications");
    let started = Instant::now();
    for point in todo {
        pb.set_message(format!("point {}/{}", folder.done() + 1, points.len()));
        let reps = point.scenario.run().replications;
        let model = Model::new(point.scenario.clone());
        let results = pool.install(|| sim::montecarlo::run(&model, reps, &|| pb.inc(1)));
        let (_, rows) = output::by_region_table(&results);
        folder.write_point(point.index, &point.labels, rows)?;
    }
    pb.finish_and_clear();
    let csv = folder.finish()?;
    if args.report && args.shard.is_none() {
        let (axes, rows) = output::sweep::report_rows(&args.out)?;
        let page = output::report::write_sweep_report(&args.out, &axes, &rows, version)?;
        if !args.quiet {
            eprintln!("report: {}", page.display());
        }
    }
    if !args.quiet {
        eprintln!(
            "{} points x {} replications in {:.1} s: {}",
            points.len(),
            points.first().map_or(0, |p| p.scenario.run().replications),
            started.elapsed().as_secs_f64(),
            csv.display()
        );
    }
    Ok(())
}

/// `cessa-sim merge OUT SHARD...`.
pub fn merge(out: &Path, shards: &[PathBuf]) -> anyhow::Result<()> {
    let n = output::sweep::merge(out, shards)?;
    eprintln!(
        "merged {n} points from {} shards into {}",
        shards.len(),
        out.join("sweep.csv").display()
    );
    Ok(())
}

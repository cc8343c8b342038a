//! `cessa-sim sweep` and `cessa-sim merge`: running a plan's points into a
//! folder that survives being killed, and combining shards.
//!
//! An output folder holds `manifest.json` (what was run), `points/NNNNNN.csv`
//! (each finished point's rows, written atomically as it finishes) and, once
//! every point of the folder is done, `sweep.csv` (a header, then the
//! points' rows in point order). A rerun skips the points already in
//! `points/`, so the final bytes equal an uninterrupted run's.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};
use sim::Model;
use sim::sweep::{Plan, fingerprint};

use crate::{BadInput, progress_bar, thread_pool};

/// What an output folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Manifest {
    software: String,
    version: String,
    /// Fingerprint of the plan text, the base scenario text and the version.
    fingerprint: String,
    plan: String,
    axes: Vec<String>,
    points_total: usize,
    /// `I/N` for a shard, absent for a whole sweep (or a merge of shards).
    shard: Option<String>,
    /// Points of this folder (all of them, or the shard's).
    points: usize,
    points_done: usize,
}

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

fn read_manifest(dir: &Path) -> anyhow::Result<Option<Manifest>> {
    let path = dir.join("manifest.json");
    match std::fs::read(&path) {
        Ok(bytes) => Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
            format!("{} is not a cessa-sim sweep manifest", path.display())
        })?)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
    }
}

fn write_manifest(dir: &Path, m: &Manifest) -> anyhow::Result<()> {
    let mut bytes = serde_json::to_vec_pretty(m).expect("a manifest serialises");
    bytes.push(b'\n');
    output::write_atomic(&dir.join("manifest.json"), &bytes)?;
    Ok(())
}

fn part_path(dir: &Path, point: usize) -> PathBuf {
    dir.join("points").join(format!("{point:06}.csv"))
}

fn header(axes: &[String]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(axes.iter().cloned());
    h.extend(output::by_region_table_header());
    h
}

/// Writes `sweep.csv`: the header, then the parts of `points` in order.
fn assemble(dir: &Path, axes: &[String], points: &[usize]) -> anyhow::Result<()> {
    let mut bytes = output::to_csv(header(axes), Vec::new(), &dir.join("sweep.csv"))?;
    for &p in points {
        let part = part_path(dir, p);
        bytes.extend(std::fs::read(&part).with_context(|| format!("cannot read {}", part.display()))?);
    }
    output::write_atomic(&dir.join("sweep.csv"), &bytes)?;
    Ok(())
}

/// Loads the plan and its base scenario text.
fn load_plan(path: &Path) -> anyhow::Result<(Plan, String)> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| BadInput(format!("cannot read plan {}: {e}", path.display())))?;
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
    let axes: Vec<String> = plan.axes.iter().map(|a| a.name.clone()).collect();
    let mut manifest = Manifest {
        software: "cessa-sim".into(),
        version: version.into(),
        fingerprint: fingerprint(&[&plan.text, &base, version]),
        plan: plan.text.clone(),
        axes: axes.clone(),
        points_total: plan.len(),
        shard: args.shard.as_ref().map(|_| format!("{shard}/{shards}")),
        points: indices.len(),
        points_done: 0,
    };
    std::fs::create_dir_all(args.out.join("points"))
        .with_context(|| format!("cannot create {}", args.out.display()))?;
    if let Some(old) = read_manifest(&args.out)?
        && (old.fingerprint != manifest.fingerprint || old.shard != manifest.shard)
    {
        return Err(BadInput(format!(
            "{} holds another sweep (plan, base scenario, version or shard differ); use another --out or delete it",
            args.out.display()
        ))
        .into());
    }
    let todo: Vec<&sim::sweep::Point> = points
        .iter()
        .filter(|p| !part_path(&args.out, p.index).exists())
        .collect();
    manifest.points_done = points.len() - todo.len();
    write_manifest(&args.out, &manifest)?;
    if !args.quiet && manifest.points_done > 0 {
        eprintln!(
            "resuming: {} of {} points already done in {}",
            manifest.points_done,
            points.len(),
            args.out.display()
        );
    }
    let pool = thread_pool(args.threads)?;
    let total_reps: u64 = todo.iter().map(|p| u64::from(p.scenario.run.replications)).sum();
    let pb = progress_bar(total_reps, args.quiet, "replications");
    let started = Instant::now();
    for point in todo {
        pb.set_message(format!("point {}/{}", manifest.points_done + 1, points.len()));
        let reps = point.scenario.run.replications;
        let model = Model::new(point.scenario.clone());
        let results = pool.install(|| sim::montecarlo::run(&model, reps, &|| pb.inc(1)));
        let (_, rows) = output::by_region_table(&results);
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                let mut row = vec![point.index.to_string()];
                row.extend(point.labels.iter().cloned());
                row.extend(r);
                row
            })
            .collect();
        let part = part_path(&args.out, point.index);
        output::write_atomic(&part, &output::rows_to_csv(rows, &part)?)?;
        manifest.points_done += 1;
        write_manifest(&args.out, &manifest)?;
    }
    pb.finish_and_clear();
    assemble(&args.out, &axes, &indices)?;
    if args.report && args.shard.is_none() {
        let (axes, rows) = report_rows(&args.out)?;
        let page = output::report::write_sweep_report(&args.out, &axes, &rows, version)?;
        if !args.quiet {
            eprintln!("report: {}", page.display());
        }
    }
    if !args.quiet {
        eprintln!(
            "{} points x {} replications in {:.1} s: {}",
            points.len(),
            points.first().map_or(0, |p| p.scenario.run.replications),
            started.elapsed().as_secs_f64(),
            args.out.join("sweep.csv").display()
        );
    }
    Ok(())
}

/// `cessa-sim merge OUT SHARD...`: the shards' points into one folder whose
/// files are the bytes one unsharded run writes.
pub fn merge(out: &Path, shards: &[PathBuf]) -> anyhow::Result<()> {
    if shards.is_empty() {
        return Err(BadInput("merge needs at least one shard folder".into()).into());
    }
    let mut first: Option<Manifest> = None;
    let mut owner: BTreeMap<usize, PathBuf> = BTreeMap::new();
    for dir in shards {
        let m = read_manifest(dir)?.ok_or_else(|| {
            BadInput(format!(
                "{} has no manifest.json: not a sweep output",
                dir.display()
            ))
        })?;
        if m.points_done != m.points {
            return Err(BadInput(format!(
                "{} is unfinished: {} of {} points done",
                dir.display(),
                m.points_done,
                m.points
            ))
            .into());
        }
        if let Some(f) = &first {
            if f.fingerprint != m.fingerprint || f.version != m.version {
                return Err(BadInput(format!(
                    "{} comes from another plan, base scenario or version than {} (fingerprint {} vs {})",
                    dir.display(),
                    shards[0].display(),
                    m.fingerprint,
                    f.fingerprint
                ))
                .into());
            }
        } else {
            first = Some(m.clone());
        }
        for entry in std::fs::read_dir(dir.join("points"))
            .with_context(|| format!("cannot list {}/points", dir.display()))?
        {
            let name = entry?.file_name().to_string_lossy().to_string();
            let Some(p) = name.strip_suffix(".csv").and_then(|s| s.parse::<usize>().ok()) else {
                continue;
            };
            if let Some(prev) = owner.insert(p, dir.clone()) {
                return Err(BadInput(format!(
                    "point {p} is in both {} and {}",
                    prev.display(),
                    dir.display()
                ))
                .into());
            }
        }
    }
    let m = first.expect("at least one shard");
    let missing: Vec<usize> = (0..m.points_total).filter(|p| !owner.contains_key(p)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).map(|p| p.to_string()).collect();
        return Err(BadInput(format!(
            "{} of {} points are missing from the shards (points {}{}); merge every shard",
            missing.len(),
            m.points_total,
            shown.join(", "),
            if missing.len() > 20 { ", ..." } else { "" }
        ))
        .into());
    }
    if let Some(extra) = owner.keys().find(|&&p| p >= m.points_total) {
        bail!("point {extra} is beyond the plan's {} points", m.points_total);
    }
    std::fs::create_dir_all(out.join("points"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    for (p, dir) in &owner {
        let bytes = std::fs::read(part_path(dir, *p))?;
        output::write_atomic(&part_path(out, *p), &bytes)?;
    }
    let merged = Manifest {
        shard: None,
        points: m.points_total,
        points_done: m.points_total,
        ..m
    };
    write_manifest(out, &merged)?;
    let all: Vec<usize> = (0..merged.points_total).collect();
    assemble(out, &merged.axes, &all)?;
    eprintln!(
        "merged {} points from {} shards into {}",
        merged.points_total,
        shards.len(),
        out.join("sweep.csv").display()
    );
    Ok(())
}

/// The rows of a finished sweep's `sweep.csv` that the report draws.
pub fn report_rows(dir: &Path) -> anyhow::Result<(Vec<String>, Vec<output::report::SweepRow>)> {
    let m = read_manifest(dir)?.ok_or_else(|| BadInput(format!("{} has no manifest.json", dir.display())))?;
    let path = dir.join("sweep.csv");
    let mut rdr = csv::Reader::from_path(&path).with_context(|| format!("cannot read {}", path.display()))?;
    let header = rdr.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| BadInput(format!("{} has no column {name}", path.display())))
    };
    let (region, div, lo, hi, hours) = (
        col("region")?,
        col("diverted_share")?,
        col("diverted_share_ci_low")?,
        col("diverted_share_ci_high")?,
        col("team_hours_per_week")?,
    );
    let num = |s: &str| s.parse::<f64>().unwrap_or(f64::NAN);
    let mut rows = Vec::new();
    for (i, record) in rdr.records().enumerate() {
        let r = record.with_context(|| format!("{} row {}", path.display(), i + 2))?;
        rows.push(output::report::SweepRow {
            axes: (0..m.axes.len()).map(|a| r[1 + a].to_string()).collect(),
            region: r[region].to_string(),
            diverted: (num(&r[div]), num(&r[lo]), num(&r[hi])),
            team_hours: num(&r[hours]),
        });
    }
    Ok((m.axes, rows))
}

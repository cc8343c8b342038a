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

/// The seal of a finished part: `points/NNNNNN.ok` holds the sweep's
/// fingerprint, the part's length and an FNV-1a hash of its bytes, written
/// after the part. A part without a matching seal is not used (issue 17: a
/// corrupt part went into sweep.csv).
fn seal_path(dir: &Path, point: usize) -> PathBuf {
    dir.join("points").join(format!("{point:06}.ok"))
}

fn seal_of(fingerprint: &str, bytes: &[u8]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
    }
    format!("{fingerprint} {} {h:016x}\n", bytes.len())
}

/// Writes a part, then its seal.
fn write_part(dir: &Path, point: usize, fingerprint: &str, bytes: &[u8]) -> anyhow::Result<()> {
    output::write_atomic(&part_path(dir, point), bytes)?;
    output::write_atomic(&seal_path(dir, point), seal_of(fingerprint, bytes).as_bytes())?;
    Ok(())
}

/// A part's bytes if it is complete and belongs to this sweep.
fn sealed_part(dir: &Path, point: usize, fingerprint: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(part_path(dir, point)).ok()?;
    let seal = std::fs::read_to_string(seal_path(dir, point)).ok()?;
    (seal == seal_of(fingerprint, &bytes)).then_some(bytes)
}

fn header(axes: &[String]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(axes.iter().cloned());
    h.extend(output::by_region_table_header());
    h
}

/// Writes `sweep.csv`: the header, then the sealed parts of `points` in order.
fn assemble(dir: &Path, axes: &[String], points: &[usize], fingerprint: &str) -> anyhow::Result<()> {
    let mut bytes = output::to_csv(header(axes), Vec::new(), &dir.join("sweep.csv"))?;
    for &p in points {
        let part = sealed_part(dir, p, fingerprint).ok_or_else(|| {
            BadInput(format!(
                "{} is missing, incomplete or from another sweep (its seal does not match)",
                part_path(dir, p).display()
            ))
        })?;
        bytes.extend(part);
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
    // A part counts as done only with a seal that matches this sweep and
    // its bytes; anything else is run again.
    let todo: Vec<&sim::sweep::Point> = points
        .iter()
        .filter(|p| sealed_part(&args.out, p.index, &manifest.fingerprint).is_none())
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
        write_part(
            &args.out,
            point.index,
            &manifest.fingerprint,
            &output::rows_to_csv(rows, &part)?,
        )?;
        manifest.points_done += 1;
        write_manifest(&args.out, &manifest)?;
    }
    pb.finish_and_clear();
    assemble(&args.out, &axes, &indices, &manifest.fingerprint)?;
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
    // The target must be empty or hold this very sweep (issue 17: a merge
    // into another sweep's folder mixed their points).
    if let Some(old) = read_manifest(out)?
        && old.fingerprint != m.fingerprint
    {
        return Err(BadInput(format!(
            "{} holds another sweep (fingerprint {}); merge into an empty folder",
            out.display(),
            old.fingerprint
        ))
        .into());
    }
    std::fs::create_dir_all(out.join("points"))
        .with_context(|| format!("cannot create {}", out.display()))?;
    for (p, dir) in &owner {
        let bytes = sealed_part(dir, *p, &m.fingerprint).ok_or_else(|| {
            BadInput(format!(
                "{} is incomplete or from another sweep (its seal does not match)",
                part_path(dir, *p).display()
            ))
        })?;
        write_part(out, *p, &m.fingerprint, &bytes)?;
    }
    let merged = Manifest {
        shard: None,
        points: m.points_total,
        points_done: m.points_total,
        ..m
    };
    write_manifest(out, &merged)?;
    let all: Vec<usize> = (0..merged.points_total).collect();
    assemble(out, &merged.axes, &all, &merged.fingerprint)?;
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

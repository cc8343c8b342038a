//! A sweep's output folder: `manifest.json` (what was run),
//! `points/NNNNNN.csv` (each finished point's rows, written atomically as
//! it finishes) sealed by `points/NNNNNN.ok`, and, once every point of the
//! folder is done, `sweep.csv` (a header, then the points' rows in point
//! order). A rerun skips the points whose seal matches, so the final bytes
//! equal an uninterrupted run's; shards merge into the bytes of one run.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::tables::{OutputError, by_region_table_header, rows_to_csv, to_csv, write_atomic};

/// What an output folder holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// `cessa-sim`.
    pub software: String,
    /// The software version.
    pub version: String,
    /// Fingerprint of the plan text, the base scenario text and the version.
    pub fingerprint: String,
    /// The plan's text.
    pub plan: String,
    /// Axis names.
    pub axes: Vec<String>,
    /// Points of the whole plan.
    pub points_total: usize,
    /// `I/N` for a shard, absent for a whole sweep (or a merge of shards).
    pub shard: Option<String>,
    /// Points of this folder (all of them, or the shard's).
    pub points: usize,
    /// Points finished.
    pub points_done: usize,
}

/// Why a sweep folder cannot be used. All but [`SweepError::Io`] and
/// [`SweepError::Output`] are the user's input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SweepError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Writing a table failed.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// The folder holds something that is not this sweep.
    #[error("{dir}: {what}")]
    Foreign {
        /// The folder.
        dir: PathBuf,
        /// What is wrong.
        what: String,
    },
    /// The shards do not make up the plan.
    #[error("{0}")]
    Shards(String),
    /// Another cessa-sim (a sweep or a merge) is writing the folder.
    #[error("{}: another cessa-sim is writing this folder (sweep or merge); wait for it or use another --out", .0.display())]
    Busy(PathBuf),
}

/// Holds a folder's `.lock` exclusively for as long as it lives, so two
/// sweeps or merges never write one folder at once (issue 17: they raced on
/// the manifest). The operating system releases it when the process ends,
/// even by SIGKILL, so a killed run never leaves a stale lock.
#[derive(Debug)]
struct Lock(#[allow(dead_code, reason = "held for its lifetime")] std::fs::File);

impl Lock {
    fn take(dir: &Path) -> Result<Lock, SweepError> {
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let path = dir.join(".lock");
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io(&path))?;
        match file.try_lock() {
            Ok(()) => Ok(Lock(file)),
            Err(std::fs::TryLockError::WouldBlock) => Err(SweepError::Busy(dir.to_path_buf())),
            Err(std::fs::TryLockError::Error(e)) => Err(io(&path)(e)),
        }
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> SweepError + '_ {
    move |source| SweepError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// The header of `sweep.csv`: point, the axes, then every `by_region.csv` column.
pub fn header(axes: &[String]) -> Vec<String> {
    let mut h = vec!["point".to_string()];
    h.extend(axes.iter().cloned());
    h.extend(by_region_table_header());
    h
}

/// Reads a folder's manifest (`None` if there is none).
pub fn read_manifest(dir: &Path) -> Result<Option<Manifest>, SweepError> {
    let path = dir.join("manifest.json");
    match std::fs::read(&path) {
        Ok(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| SweepError::Foreign {
                dir: dir.to_path_buf(),
                what: format!("manifest.json is not a cessa-sim sweep manifest ({e})"),
            }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(io(&path)(e)),
    }
}

fn write_manifest(dir: &Path, m: &Manifest) -> Result<(), SweepError> {
    let mut bytes = serde_json::to_vec_pretty(m).expect("a manifest serialises");
    bytes.push(b'\n');
    Ok(write_atomic(&dir.join("manifest.json"), &bytes)?)
}

fn part_path(dir: &Path, point: usize) -> PathBuf {
    dir.join("points").join(format!("{point:06}.csv"))
}

/// The seal of a finished part: the sweep's fingerprint, the part's length
/// and an FNV-1a hash of its bytes, written after the part. A part without
/// a matching seal is never used.
fn seal_path(dir: &Path, point: usize) -> PathBuf {
    dir.join("points").join(format!("{point:06}.ok"))
}

fn seal_of(fingerprint: &str, bytes: &[u8]) -> String {
    format!("{fingerprint} {} {:016x}\n", bytes.len(), sim::rng::fnv1a(bytes))
}

fn write_part(dir: &Path, point: usize, fingerprint: &str, bytes: &[u8]) -> Result<(), SweepError> {
    write_atomic(&part_path(dir, point), bytes)?;
    write_atomic(&seal_path(dir, point), seal_of(fingerprint, bytes).as_bytes())?;
    Ok(())
}

/// A part's bytes if it is complete and belongs to this sweep.
fn sealed_part(dir: &Path, point: usize, fingerprint: &str) -> Option<Vec<u8>> {
    let bytes = std::fs::read(part_path(dir, point)).ok()?;
    let seal = std::fs::read_to_string(seal_path(dir, point)).ok()?;
    (seal == seal_of(fingerprint, &bytes)).then_some(bytes)
}

/// Writes `sweep.csv`: the header, then the sealed parts of `points` in order.
fn assemble(dir: &Path, m: &Manifest, points: &[usize]) -> Result<(), SweepError> {
    let mut bytes = to_csv(header(&m.axes), Vec::new(), &dir.join("sweep.csv"))?;
    for &p in points {
        let part = sealed_part(dir, p, &m.fingerprint).ok_or_else(|| SweepError::Foreign {
            dir: dir.to_path_buf(),
            what: format!(
                "points/{p:06}.csv is missing, incomplete or from another sweep (its seal does not match)"
            ),
        })?;
        bytes.extend(part);
    }
    Ok(write_atomic(&dir.join("sweep.csv"), &bytes)?)
}

/// A sweep folder being written.
#[derive(Debug)]
pub struct Folder {
    _lock: Lock,
    dir: PathBuf,
    manifest: Manifest,
    points: Vec<usize>,
}

impl Folder {
    /// Opens (or creates) the folder for `manifest` with these points,
    /// refusing one that holds another sweep or shard.
    pub fn open(dir: &Path, manifest: Manifest, points: Vec<usize>) -> Result<Folder, SweepError> {
        let lock = Lock::take(dir)?;
        std::fs::create_dir_all(dir.join("points")).map_err(io(dir))?;
        if let Some(old) = read_manifest(dir)?
            && (old.fingerprint != manifest.fingerprint || old.shard != manifest.shard)
        {
            return Err(SweepError::Foreign {
                dir: dir.to_path_buf(),
                what: "it holds another sweep (plan, base scenario, version or shard differ); use another --out or delete it"
                    .into(),
            });
        }
        let mut f = Folder {
            _lock: lock,
            dir: dir.to_path_buf(),
            manifest,
            points,
        };
        f.manifest.points_done = f.points.len() - f.todo().len();
        write_manifest(&f.dir, &f.manifest)?;
        Ok(f)
    }

    /// Points still to run: those without a sealed part of this sweep.
    pub fn todo(&self) -> Vec<usize> {
        self.points
            .iter()
            .copied()
            .filter(|&p| sealed_part(&self.dir, p, &self.manifest.fingerprint).is_none())
            .collect()
    }

    /// Points already done.
    pub fn done(&self) -> usize {
        self.manifest.points_done
    }

    /// Writes a finished point's rows (each row without the point and axis
    /// columns, which are put in front).
    pub fn write_point(
        &mut self,
        point: usize,
        labels: &[String],
        rows: Vec<Vec<String>>,
    ) -> Result<(), SweepError> {
        let rows: Vec<Vec<String>> = rows
            .into_iter()
            .map(|r| {
                let mut row = vec![point.to_string()];
                row.extend(labels.iter().cloned());
                row.extend(r);
                row
            })
            .collect();
        let part = part_path(&self.dir, point);
        write_part(
            &self.dir,
            point,
            &self.manifest.fingerprint,
            &rows_to_csv(rows, &part)?,
        )?;
        self.manifest.points_done += 1;
        write_manifest(&self.dir, &self.manifest)
    }

    /// Writes `sweep.csv` from the sealed parts.
    pub fn finish(&self) -> Result<PathBuf, SweepError> {
        assemble(&self.dir, &self.manifest, &self.points)?;
        Ok(self.dir.join("sweep.csv"))
    }
}

/// `merge OUT SHARD...`: the shards' points into one folder whose files are
/// the bytes one unsharded run writes. Returns the number of points.
pub fn merge(out: &Path, shards: &[PathBuf]) -> Result<usize, SweepError> {
    if shards.is_empty() {
        return Err(SweepError::Shards("merge needs at least one shard folder".into()));
    }
    let _lock = Lock::take(out)?;
    let mut first: Option<Manifest> = None;
    let mut owner: BTreeMap<usize, PathBuf> = BTreeMap::new();
    for dir in shards {
        let m = read_manifest(dir)?.ok_or_else(|| SweepError::Foreign {
            dir: dir.clone(),
            what: "no manifest.json: not a sweep output".into(),
        })?;
        if m.points_done != m.points {
            return Err(SweepError::Foreign {
                dir: dir.clone(),
                what: format!("unfinished: {} of {} points done", m.points_done, m.points),
            });
        }
        match &first {
            Some(f) if f.fingerprint != m.fingerprint || f.version != m.version => {
                return Err(SweepError::Foreign {
                    dir: dir.clone(),
                    what: format!(
                        "comes from another plan, base scenario or version than {} (fingerprint {} vs {})",
                        shards[0].display(),
                        m.fingerprint,
                        f.fingerprint
                    ),
                });
            }
            Some(_) => {}
            None => first = Some(m.clone()),
        }
        let points = dir.join("points");
        for entry in std::fs::read_dir(&points).map_err(io(&points))? {
            let name = entry
                .map_err(io(&points))?
                .file_name()
                .to_string_lossy()
                .to_string();
            let Some(p) = name.strip_suffix(".csv").and_then(|s| s.parse::<usize>().ok()) else {
                continue;
            };
            if let Some(prev) = owner.insert(p, dir.clone()) {
                return Err(SweepError::Shards(format!(
                    "point {p} is in both {} and {}",
                    prev.display(),
                    dir.display()
                )));
            }
        }
    }
    let m = first.expect("at least one shard");
    let missing: Vec<usize> = (0..m.points_total).filter(|p| !owner.contains_key(p)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).map(|p| p.to_string()).collect();
        return Err(SweepError::Shards(format!(
            "{} of {} points are missing from the shards (points {}{}); merge every shard",
            missing.len(),
            m.points_total,
            shown.join(", "),
            if missing.len() > 20 { ", ..." } else { "" }
        )));
    }
    if let Some(extra) = owner.keys().find(|&&p| p >= m.points_total) {
        return Err(SweepError::Shards(format!(
            "point {extra} is beyond the plan's {} points",
            m.points_total
        )));
    }
    // The target must be empty or hold this very sweep.
    if let Some(old) = read_manifest(out)?
        && old.fingerprint != m.fingerprint
    {
        return Err(SweepError::Foreign {
            dir: out.to_path_buf(),
            what: format!(
                "it holds another sweep (fingerprint {}); merge into an empty folder",
                old.fingerprint
            ),
        });
    }
    std::fs::create_dir_all(out.join("points")).map_err(io(out))?;
    for (p, dir) in &owner {
        let bytes = sealed_part(dir, *p, &m.fingerprint).ok_or_else(|| SweepError::Foreign {
            dir: dir.clone(),
            what: format!("points/{p:06}.csv is incomplete or from another sweep (its seal does not match)"),
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
    assemble(out, &merged, &all)?;
    Ok(merged.points_total)
}

/// The rows of a finished sweep's `sweep.csv` that the report draws, and
/// the axis names.
pub fn report_rows(dir: &Path) -> Result<(Vec<String>, Vec<crate::report::SweepRow>), SweepError> {
    let m = read_manifest(dir)?.ok_or_else(|| SweepError::Foreign {
        dir: dir.to_path_buf(),
        what: "no manifest.json".into(),
    })?;
    let path = dir.join("sweep.csv");
    let bad = |what: String| SweepError::Foreign {
        dir: dir.to_path_buf(),
        what,
    };
    let mut rdr = csv::Reader::from_path(&path).map_err(|e| bad(format!("sweep.csv: {e}")))?;
    let header = rdr.headers().map_err(|e| bad(format!("sweep.csv: {e}")))?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| bad(format!("sweep.csv has no column {name}")))
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
        let r = record.map_err(|e| bad(format!("sweep.csv row {}: {e}", i + 2)))?;
        rows.push(crate::report::SweepRow {
            axes: (0..m.axes.len()).map(|a| r[1 + a].to_string()).collect(),
            region: r[region].to_string(),
            diverted: (num(&r[div]), num(&r[lo]), num(&r[hi])),
            team_hours: num(&r[hours]),
        });
    }
    Ok((m.axes, rows))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn manifest() -> Manifest {
        Manifest {
            software: "cessa-sim".into(),
            version: "test".into(),
            fingerprint: "f".into(),
            plan: String::new(),
            axes: vec!["a".into()],
            points_total: 2,
            shard: None,
            points: 2,
            points_done: 0,
        }
    }

    /// A second writer of a folder in use is refused with `Busy` (sweep or
    /// merge), and may go on once the first is done.
    #[test]
    fn a_folder_in_use_is_refused() {
        let dir = std::env::temp_dir().join(format!("cessa-lock-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let first = Folder::open(&dir, manifest(), vec![0, 1]).expect("first writer");
        let second = Folder::open(&dir, manifest(), vec![0, 1]);
        assert!(matches!(second, Err(SweepError::Busy(_))), "{second:?}");
        let merged = merge(&dir, std::slice::from_ref(&dir));
        assert!(matches!(merged, Err(SweepError::Busy(_))), "{merged:?}");
        drop(first);
        Folder::open(&dir, manifest(), vec![0, 1]).expect("free again");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

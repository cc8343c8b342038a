//! The job queue: each what-if runs as `cessa-sim compare base.toml
//! edited.toml` in a child process, one at a time, in its own folder under
//! `DATA/jobs/N/`, so a finished job survives a restart and a cancel is a
//! kill. The queue is bounded: a full queue answers "busy".

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use tokio::sync::{Notify, mpsc};

use crate::Config;

/// Where a job is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Waiting for the worker.
    Queued,
    /// Running.
    Running,
    /// Finished; results in `out/`.
    Done,
    /// Failed (the log says why).
    Failed,
    /// Cancelled by the user.
    Cancelled,
}

impl Status {
    /// The word on disk and on the page.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Queued => "queued",
            Status::Running => "running",
            Status::Done => "done",
            Status::Failed => "failed",
            Status::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> Option<Status> {
        Some(match s.trim() {
            "queued" => Status::Queued,
            "running" => Status::Running,
            "done" => Status::Done,
            "failed" => Status::Failed,
            "cancelled" => Status::Cancelled,
            _ => return None,
        })
    }
}

/// The queue is full.
#[derive(Debug)]
pub struct Busy;

/// The jobs of a server.
pub struct Jobs {
    dir: PathBuf,
    next: AtomicU64,
    tx: mpsc::Sender<u64>,
    cancels: Arc<Mutex<HashMap<u64, Arc<Notify>>>>,
}

impl Jobs {
    /// Reads the jobs folder (jobs a previous server left queued or
    /// running are marked failed) and starts the worker.
    pub(crate) fn start(config: &Config) -> std::io::Result<Jobs> {
        let dir = config.data.join("jobs");
        let mut last = 0;
        for entry in std::fs::read_dir(&dir)? {
            let entry = entry?;
            if let Some(n) = entry.file_name().to_str().and_then(|s| s.parse::<u64>().ok()) {
                last = last.max(n);
                let status = read_status(&entry.path());
                if matches!(status, Some(Status::Queued | Status::Running)) {
                    write_status(&entry.path(), Status::Failed);
                    let _ = std::fs::write(
                        entry.path().join("log"),
                        "the server stopped before this job finished\n",
                    );
                }
            }
        }
        let (tx, rx) = mpsc::channel(config.queue.max(1));
        let cancels = Arc::new(Mutex::new(HashMap::new()));
        tokio::spawn(worker(rx, dir.clone(), config.exe.clone(), cancels.clone()));
        Ok(Jobs {
            dir,
            next: AtomicU64::new(last + 1),
            tx,
            cancels,
        })
    }

    /// The folder of job `n`.
    pub(crate) fn dir(&self, n: u64) -> PathBuf {
        self.dir.join(n.to_string())
    }

    /// Queues a comparison of `edited` against `base`.
    pub(crate) fn submit(&self, base: &str, edited: &str, changes: &str, title: &str) -> Result<u64, Busy> {
        let permit = self.tx.try_reserve().map_err(|_| Busy)?;
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let dir = self.dir(n);
        let ok = std::fs::create_dir_all(&dir).is_ok()
            && std::fs::write(dir.join("base.toml"), base).is_ok()
            && std::fs::write(dir.join("edited.toml"), edited).is_ok()
            && std::fs::write(dir.join("changes.txt"), changes).is_ok()
            && std::fs::write(dir.join("title.txt"), title).is_ok();
        if !ok {
            return Err(Busy);
        }
        write_status(&dir, Status::Queued);
        self.cancels
            .lock()
            .expect("not poisoned")
            .insert(n, Arc::new(Notify::new()));
        permit.send(n);
        Ok(n)
    }

    /// The status of job `n`, if it exists.
    pub(crate) fn status(&self, n: u64) -> Option<Status> {
        read_status(&self.dir(n))
    }

    /// Progress of a running job: replications done and in all.
    pub(crate) fn progress(&self, n: u64) -> Option<(u64, u64)> {
        let text = std::fs::read_to_string(self.dir(n).join("progress")).ok()?;
        let mut it = text.split_whitespace().map(|x| x.parse::<u64>().ok());
        Some((it.next()??, it.next()??))
    }

    /// Cancels job `n` (queued: never runs; running: killed).
    pub(crate) fn cancel(&self, n: u64) {
        match self.status(n) {
            Some(Status::Queued) => write_status(&self.dir(n), Status::Cancelled),
            Some(Status::Running) => {
                if let Some(notify) = self.cancels.lock().expect("not poisoned").get(&n) {
                    notify.notify_one();
                }
            }
            _ => {}
        }
    }
}

fn read_status(dir: &Path) -> Option<Status> {
    Status::parse(&std::fs::read_to_string(dir.join("status")).ok()?)
}

/// Writes a job's status atomically.
fn write_status(dir: &Path, status: Status) {
    let _ = output::write_atomic(&dir.join("status"), status.as_str().as_bytes());
}

async fn worker(
    mut rx: mpsc::Receiver<u64>,
    dir: PathBuf,
    exe: PathBuf,
    cancels: Arc<Mutex<HashMap<u64, Arc<Notify>>>>,
) {
    while let Some(n) = rx.recv().await {
        let job = dir.join(n.to_string());
        let notify = cancels.lock().expect("not poisoned").get(&n).cloned();
        if read_status(&job) != Some(Status::Queued) {
            cancels.lock().expect("not poisoned").remove(&n);
            continue;
        }
        write_status(&job, Status::Running);
        let log = std::fs::File::create(job.join("log"));
        let mut cmd = tokio::process::Command::new(&exe);
        cmd.arg("compare")
            .arg(job.join("base.toml"))
            .arg(job.join("edited.toml"))
            .arg("--out")
            .arg(job.join("out"))
            .arg("--report")
            .arg("-q")
            .arg("--progress-file")
            .arg(job.join("progress"))
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true);
        if let Ok(log) = log {
            cmd.stderr(log);
        }
        let status = match cmd.spawn() {
            Err(e) => {
                let _ = std::fs::write(job.join("log"), format!("cannot start {}: {e}\n", exe.display()));
                Status::Failed
            }
            Ok(mut child) => {
                let cancelled = async {
                    match &notify {
                        Some(n) => n.notified().await,
                        None => std::future::pending().await,
                    }
                };
                tokio::select! {
                    r = child.wait() => if r.is_ok_and(|s| s.success()) { Status::Done } else { Status::Failed },
                    () = cancelled => {
                        let _ = child.kill().await;
                        Status::Cancelled
                    }
                }
            }
        };
        write_status(&job, status);
        cancels.lock().expect("not poisoned").remove(&n);
    }
}

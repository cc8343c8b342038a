//! How a subcommand runs its simulations: on a pool of worker threads,
//! behind a progress bar on stderr, then its table on stdout and the wall
//! time on stderr.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::BadInput;
use crate::args::WorkArgs;

/// A progress bar of `len` steps labelled `what`, on stderr; hidden when
/// `quiet` or when stderr is not a terminal.
pub(crate) fn progress_bar(len: u64, quiet: bool, what: &str) -> ProgressBar {
    let target = if quiet || !std::io::stderr().is_terminal() {
        ProgressDrawTarget::hidden()
    } else {
        ProgressDrawTarget::stderr()
    };
    let pb = ProgressBar::with_draw_target(Some(len), target);
    pb.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} {per_sec} ETA {eta}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    pb.set_message(what.to_string());
    pb
}

/// The worker threads: `threads` of them (1 to 256), else one per core.
pub(crate) fn thread_pool(threads: Option<usize>) -> anyhow::Result<rayon::ThreadPool> {
    let mut b = rayon::ThreadPoolBuilder::new();
    if let Some(n) = threads {
        if !(1..=256).contains(&n) {
            return Err(BadInput(format!(
                "--threads {n}: expected 1 to 256 (this machine has {} cores)",
                std::thread::available_parallelism().map_or(1, |c| c.get())
            ))
            .into());
        }
        b = b.num_threads(n);
    }
    b.build().context("cannot start worker threads")
}

/// One batch of simulations: the worker pool, its progress bar and its
/// clock.
pub(crate) struct Batch {
    pool: rayon::ThreadPool,
    bar: ProgressBar,
    quiet: bool,
    started: Instant,
}

impl Batch {
    /// Starts the worker threads that `work` asks for and a progress bar of
    /// `steps` steps labelled `what`; the clock starts now.
    pub(crate) fn start(work: &WorkArgs, steps: u64, what: &str) -> anyhow::Result<Batch> {
        let pool = thread_pool(work.threads)?;
        let bar = progress_bar(steps, work.quiet, what);
        Ok(Batch {
            pool,
            bar,
            quiet: work.quiet,
            started: Instant::now(),
        })
    }

    /// Runs `f` on the worker threads; `f` ticks the bar once per step.
    pub(crate) fn run<T: Send>(&self, f: impl FnOnce(&ProgressBar) -> T + Send) -> T {
        self.pool.install(|| f(&self.bar))
    }

    /// Clears the bar; returns the wall time since [`Batch::start`].
    pub(crate) fn done(self) -> Duration {
        self.bar.finish_and_clear();
        self.started.elapsed()
    }

    /// Clears the bar; unless quiet, prints `table()` on stdout, then
    /// `"\n{what} in 1.2 s"` (the wall time, seconds) on stderr.
    pub(crate) fn finish(self, table: impl FnOnce() -> String, what: &str) {
        let quiet = self.quiet;
        let elapsed = self.done();
        if !quiet {
            print!("{}", table());
            eprintln!("\n{what} in {:.1} s", elapsed.as_secs_f64());
        }
    }
}

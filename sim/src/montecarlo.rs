//! Replications in parallel (rayon), aggregated in replication order.
//!
//! Each replication runs on whichever worker is free and is reduced there
//! to an [`Observation`]; the calling thread adds observations to the
//! [`Aggregator`] strictly in replication order (holding early finishers
//! until their turn), so the results are identical for any thread count.

use std::collections::BTreeMap;
use std::sync::mpsc;

use rayon::prelude::*;

use crate::engine::Engine;
use crate::model::Model;
use crate::results::{Aggregator, Observation, RunResults, observe};

/// Runs one replication and reduces it.
pub(crate) fn replicate(model: &Model, layout: &crate::results::Layout, replication: u64) -> Observation {
    let tally = Engine::new(model, replication).run();
    observe(model, layout, &tally)
}

/// Runs replications `0..replications` and aggregates them; `on_done` is
/// called (from worker threads) after each replication finishes.
pub fn run(model: &Model, replications: u32, on_done: &(dyn Fn() + Sync)) -> RunResults {
    let mut agg = Aggregator::new(model);
    run_into(model, 0..u64::from(replications), &mut agg, on_done);
    agg.finish(model)
}

/// Runs the given replications and adds them to `agg` in order.
///
/// The replications run on a pool as large as the current one (the pool of
/// the caller's `ThreadPool::install`, or the global pool), while the calling
/// thread aggregates; the calling thread never runs replications itself, so
/// it can block on their results even inside a one-thread pool.
pub fn run_into(
    model: &Model,
    reps: std::ops::Range<u64>,
    agg: &mut Aggregator,
    on_done: &(dyn Fn() + Sync),
) {
    run_visiting(model, reps, agg, on_done, &mut |_| {});
}

/// As [`run_into`], and `visit` sees each observation, in replication
/// order, before it is added (paired comparisons read per-replication
/// figures there).
pub(crate) fn run_visiting(
    model: &Model,
    reps: std::ops::Range<u64>,
    agg: &mut Aggregator,
    on_done: &(dyn Fn() + Sync),
    visit: &mut dyn FnMut(&Observation),
) {
    let layout = agg.layout().clone();
    let (tx, rx) = mpsc::channel::<(u64, Observation)>();
    let first = reps.start;
    let workers = rayon::ThreadPoolBuilder::new()
        .num_threads(rayon::current_num_threads())
        .thread_name(|i| format!("replication-{i}"))
        .build()
        .expect("the OS gives us worker threads");
    std::thread::scope(|scope| {
        let layout = &layout;
        let workers = &workers;
        scope.spawn(move || {
            workers.install(|| {
                reps.into_par_iter().for_each_with(tx, |tx, k| {
                    let obs = replicate(model, layout, k);
                    on_done();
                    // The receiver lives until every sender is gone.
                    let _ = tx.send((k, obs));
                })
            });
        });
        let mut next = first;
        let mut early: BTreeMap<u64, Observation> = BTreeMap::new();
        for (k, obs) in rx {
            early.insert(k, obs);
            while let Some(obs) = early.remove(&next) {
                visit(&obs);
                agg.add(&obs);
                next += 1;
            }
        }
    });
}

//! Replications in parallel (rayon), aggregated in replication order.
//!
//! Each replication runs on whichever worker of the caller's pool is free
//! and is reduced there to an [`Observation`]; observations are added to
//! the [`Aggregator`] strictly in replication order ([`in_order`], the one
//! driver), so the results are identical for any thread count.

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
    in_order(
        reps,
        |k| replicate(model, &layout, k),
        on_done,
        |_, obs| {
            visit(&obs);
            agg.add(&obs);
        },
    );
}

/// The one Monte Carlo driver: runs `replicate(k)` for every `k` in `reps`
/// on the caller's rayon pool (the pool of its `ThreadPool::install`, or the
/// global one) and hands each result to `consume` strictly in replication
/// order, so whatever is reduced there never depends on the thread count.
/// Replications run in chunks of eight per worker, which bounds memory
/// whatever the number of replications.
pub fn in_order<T: Send>(
    reps: std::ops::Range<u64>,
    replicate: impl Fn(u64) -> T + Sync,
    on_done: &(dyn Fn() + Sync),
    mut consume: impl FnMut(u64, T),
) {
    let chunk = 8 * rayon::current_num_threads() as u64;
    let mut start = reps.start;
    while start < reps.end {
        let end = (start + chunk).min(reps.end);
        let done: Vec<T> = (start..end)
            .into_par_iter()
            .map(|k| {
                let t = replicate(k);
                on_done();
                t
            })
            .collect();
        for (k, t) in (start..end).zip(done) {
            consume(k, t);
        }
        start = end;
    }
}

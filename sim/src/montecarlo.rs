//! Replications in parallel (rayon), aggregated in replication order.
//!
//! Each replication runs on whichever worker of the caller's pool is free
//! and is reduced there to an [`Observation`]; observations are added to
//! the [`Aggregator`] strictly in replication order ([`in_order`], the one
//! driver), so the results are identical for any thread count.

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
/// order, on the calling thread, so whatever is reduced there never depends
/// on the thread count.
///
/// Replications are handed out one at a time, in order, from a window of
/// `WINDOW_PER_THREAD` per thread past the oldest one not yet consumed:
/// memory is bounded whatever the number of replications, and no worker
/// waits for a whole batch to finish (issue 18: batches of eight per worker
/// idled the other thread at each batch's end, efficiency about 0.93 on two
/// threads). The calling thread runs replications too; it waits only when
/// the window is full and the oldest result is still being computed.
pub fn in_order<T: Send>(
    reps: std::ops::Range<u64>,
    replicate: impl Fn(u64) -> T + Sync,
    on_done: &(dyn Fn() + Sync),
    mut consume: impl FnMut(u64, T),
) {
    use std::collections::BTreeMap;
    use std::sync::{Condvar, Mutex};

    const WINDOW_PER_THREAD: u64 = 4;
    let threads = rayon::current_num_threads() as u64;
    let window = WINDOW_PER_THREAD * threads;
    /// Handed out up to `next`; results waiting to be consumed; the oldest
    /// not yet consumed; whether a replication panicked (everyone stops,
    /// and the panic goes on once they have).
    struct State<T> {
        next: u64,
        done: BTreeMap<u64, T>,
        consumed: u64,
        failed: bool,
    }
    let state = Mutex::new(State {
        next: reps.start,
        done: BTreeMap::new(),
        consumed: reps.start,
        failed: false,
    });
    let ready = Condvar::new();
    let end = reps.end;
    // Takes the next replication if the window has room.
    let take = |st: &mut State<T>| {
        (st.next < end && st.next < st.consumed + window).then(|| {
            st.next += 1;
            st.next - 1
        })
    };
    let run = |k: u64| {
        let t = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| replicate(k)));
        match t {
            Ok(t) => {
                on_done();
                state.lock().expect("no panic while locked").done.insert(k, t);
                ready.notify_all();
            }
            Err(panic) => {
                state.lock().expect("no panic while locked").failed = true;
                ready.notify_all();
                std::panic::resume_unwind(panic);
            }
        }
    };
    // In place: the calling thread stays the one that consumes.
    rayon::in_place_scope(|s| {
        // The pool's other threads: each runs replications until none is left.
        for _ in 1..threads {
            s.spawn(|_| {
                let mut st = state.lock().expect("no panic while locked");
                loop {
                    if st.failed {
                        return;
                    } else if let Some(k) = take(&mut st) {
                        drop(st);
                        run(k);
                        st = state.lock().expect("no panic while locked");
                    } else if st.next >= end {
                        return;
                    } else {
                        st = ready.wait(st).expect("no panic while locked");
                    }
                }
            });
        }
        // This thread: consume the oldest result when it is there, else run
        // the next replication, else wait for the oldest.
        let mut st = state.lock().expect("no panic while locked");
        while st.consumed < end && !st.failed {
            let oldest = st.consumed;
            if let Some(t) = st.done.remove(&oldest) {
                st.consumed += 1;
                drop(st);
                // Room in the window: the waiting workers may take more.
                ready.notify_all();
                consume(oldest, t);
                st = state.lock().expect("no panic while locked");
            } else if let Some(k) = take(&mut st) {
                drop(st);
                run(k);
                st = state.lock().expect("no panic while locked");
            } else {
                st = ready.wait(st).expect("no panic while locked");
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::in_order;

    /// Every replication is consumed once, in order, on the calling thread,
    /// whatever the pool's size, with replications of very different lengths.
    #[test]
    fn consumes_in_order_on_any_pool() {
        for threads in [1, 2, 3, 8] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let mut seen = Vec::new();
            pool.install(|| {
                let consumer = std::thread::current().id();
                in_order(
                    5..105,
                    |k| {
                        // Uneven work: every seventh replication is slow.
                        let spins = if k % 7 == 0 { 200_000 } else { 1_000 };
                        (0..spins).fold(k, |a, i| a.wrapping_mul(31).wrapping_add(i)) ^ k
                    },
                    &|| {},
                    |k, _| {
                        assert_eq!(std::thread::current().id(), consumer);
                        seen.push(k);
                    },
                );
            });
            assert_eq!(seen, (5..105).collect::<Vec<_>>(), "{threads} threads");
        }
    }

    /// A replication that panics stops the run with its panic; it does not
    /// leave the others waiting.
    #[test]
    fn a_panic_in_a_replication_is_not_a_hang() {
        for threads in [1, 2, 4] {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                pool.install(|| {
                    in_order(0..200, |k| assert!(k != 37, "replication 37"), &|| {}, |_, ()| {});
                });
            }));
            assert!(r.is_err(), "{threads} threads: the panic went on");
        }
    }
}

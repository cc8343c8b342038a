//! Criterion benchmarks of the engine: the event queue, arrival generation,
//! one replication-year of the Illinois default and of the benchmark model M1
//! (`scenarios/bench/m1.toml`), and the cost per call as the team count
//! grows (M1 at 4, 40 and 400 teams). Throughput is in events or simulated
//! contacts.
//!
//! Run: `cargo bench --bench engine`. The peer comparison and the targets are
//! in `benches/compare.sh`.

// criterion_group! generates an undocumented function.
#![allow(missing_docs)]

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use sim::events::EventQueue;
use sim::scenario::patch::set_values;
use sim::{Model, Scenario};

const M1: &str = include_str!("../scenarios/bench/m1.toml");

fn model(text: &str, values: &[(&str, toml::Value)]) -> Model {
    let values: Vec<(String, toml::Value)> = values.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
    let text = if values.is_empty() {
        text.to_string()
    } else {
        set_values(text, &values).expect("paths exist")
    };
    Model::new(Scenario::from_toml(&text, "bench").expect("valid"))
}

/// Runs one replication on the calling thread's pool and returns the contacts.
fn one_year(m: &Model, pool: &rayon::ThreadPool) -> u64 {
    pool.install(|| sim::montecarlo::run(m, 1, &|| {}))
        .contacts_generated
}

fn event_queue(c: &mut Criterion) {
    let mut g = c.benchmark_group("event_queue");
    const N: u64 = 100_000;
    g.throughput(Throughput::Elements(N));
    // A steady heap of 64 pending events: pop the earliest, push one later.
    g.bench_function("pop_push_64_pending", |b| {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let mut q = EventQueue::with_capacity(128);
        for i in 0..64u32 {
            q.push(rng.random::<f64>() * 100.0, i);
        }
        b.iter(|| {
            for _ in 0..N {
                let (t, p) = q.pop().expect("non-empty");
                q.push(t + rng.random::<f64>() * 100.0, p);
            }
        });
    });
    g.finish();
}

fn replication_years(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut g = c.benchmark_group("replication_year");
    g.sample_size(20);
    let illinois = model(
        sim::scenario::ILLINOIS_TOML,
        &[("run.warmup_days", toml::Value::Integer(0))],
    );
    let contacts = one_year(&illinois, &pool);
    g.throughput(Throughput::Elements(contacts));
    g.bench_function("illinois_default", |b| b.iter(|| one_year(&illinois, &pool)));
    let m1 = model(M1, &[]);
    g.throughput(Throughput::Elements(one_year(&m1, &pool)));
    g.bench_function("m1", |b| b.iter(|| one_year(&m1, &pool)));
    // Arrival generation alone: the Illinois default with every contact
    // resolved by phone (arrivals, calendar, attributes and counters only).
    let phone = toml::Value::Table(toml::toml! { phone = 1.0 });
    let arrivals = model(
        sim::scenario::ILLINOIS_TOML,
        &[
            ("call_types.urgent.triage", phone.clone()),
            ("call_types.emergent.triage", phone.clone()),
            ("call_types.routine.triage", phone),
        ],
    );
    g.throughput(Throughput::Elements(one_year(&arrivals, &pool)));
    g.bench_function("arrivals_only_illinois", |b| {
        b.iter_batched(|| (), |_| one_year(&arrivals, &pool), BatchSize::SmallInput)
    });
    g.finish();
}

/// Overload with no maximum under `predict` with busy candidates (issue 17):
/// M1's four teams facing 300, 1,000 and 3,000 contacts an hour for two days,
/// so every team's queue of assigned calls grows by the hundred. A decision
/// must not walk those queues: time per contact stays flat as the rate grows
/// (before the fix: 0.3 / 5 / 74 s a run, quadratic).
fn overload(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut g = c.benchmark_group("overload_predict_any");
    g.sample_size(10);
    for rate in [300.0, 1000.0, 3000.0] {
        let m = model(
            M1,
            &[
                ("run.horizon_days", toml::Value::Integer(2)),
                ("dispatch.policy", toml::Value::String("predict".into())),
                ("dispatch.candidates", toml::Value::String("any".into())),
                (
                    "call_types.crisis.max_response_min",
                    toml::Value::String("none".into()),
                ),
                ("regions.M1.calls_per_hour", toml::Value::Float(rate)),
            ],
        );
        g.throughput(Throughput::Elements(one_year(&m, &pool)));
        g.bench_function(format!("{rate}_per_hour_2_days"), |b| {
            b.iter(|| one_year(&m, &pool))
        });
    }
    g.finish();
}

/// Cost per call as the team count grows (issue 18): M1 with 4, 40 and 400
/// teams in its one region, the demand scaled with the teams (2 calls an hour
/// per 4 teams) so utilization stays the same, and the horizon shortened in
/// proportion (365, 36 and 3 days) so each run simulates about 17,000
/// contacts. Throughput is in contacts: the target is that a call at 400
/// teams costs at most 1.5 times one at 4.
fn team_scaling(c: &mut Criterion) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .expect("pool");
    let mut g = c.benchmark_group("cost_per_call_by_teams");
    g.sample_size(10);
    for teams in [4i64, 40, 400] {
        let m = model(
            M1,
            &[
                ("run.horizon_days", toml::Value::Integer(1460 / teams)),
                ("regions.M1.teams.team.count", toml::Value::Integer(teams)),
                (
                    "regions.M1.calls_per_hour",
                    toml::Value::Float(teams as f64 / 2.0),
                ),
            ],
        );
        g.throughput(Throughput::Elements(one_year(&m, &pool)));
        g.bench_function(format!("{teams}_teams"), |b| b.iter(|| one_year(&m, &pool)));
    }
    g.finish();
}

criterion_group!(benches, event_queue, replication_years, overload, team_scaling);
criterion_main!(benches);

//! One replication of the shipped scenarios, single thread.
//!
//! `cargo bench --bench engine`. The target for `europe` is at most 200 µs
//! per replication with the summary and targets only; the full-observation figure shows
//! the cost of recording every table.

use armsmarket::analysis::Targets;
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use armsmarket::scenario;
use criterion::{Criterion, criterion_group, criterion_main};
use std::hint::black_box;
use std::path::Path;

fn world(file: &str) -> (World, Targets) {
    let loaded = scenario::load(Path::new(file), &[]).expect("scenario loads");
    let w = World::from_scenario(&loaded.scenario).expect("compiles");
    let t = Targets::compile(&loaded.scenario, &w).expect("targets compile");
    (w, t)
}

fn replication(c: &mut Criterion) {
    for name in ["toy", "europe"] {
        let (w, t) = world(&format!("scenarios/{name}.toml"));
        let mut rep = 0u32;
        c.bench_function(&format!("{name}/summary"), |b| {
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(run_replication(&w, &t, 1, 0, rep, Observe::summary_only()))
            })
        });
        c.bench_function(&format!("{name}/all_tables"), |b| {
            b.iter(|| {
                rep = rep.wrapping_add(1);
                black_box(run_replication(&w, &t, 1, 0, rep, Observe::all()))
            })
        });
    }
}

criterion_group!(benches, replication);
criterion_main!(benches);

//! Run many replications of `scenarios/europe.toml` (summary only) in one
//! thread, for profiling:
//! `cargo run --release --example profile_europe -- 200 [KEY=VALUE...]`.
//! Prints the cost of each phase a sweep point or a calibration particle
//! pays: loading the file, compiling the world, the first replication
//! (which runs the world's warm-up spin-up) and each later one.
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use std::path::Path;
use std::time::Instant;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let sets: Vec<String> = std::env::args().skip(2).collect();
    let clock = Instant::now();
    let loaded = armsmarket::scenario::load(Path::new("scenarios/europe.toml"), &sets).unwrap();
    let load = clock.elapsed();
    let clock = Instant::now();
    let compiles = 20;
    let mut w = World::from_scenario(&loaded.scenario).unwrap();
    for _ in 1..compiles {
        w = World::from_scenario(&loaded.scenario).unwrap();
    }
    let targets = armsmarket::analysis::Targets::compile(&loaded.scenario, &w).unwrap();
    let compile = clock.elapsed() / compiles;
    let clock = Instant::now();
    let first = run_replication(&w, &targets, 1, 0, n, Observe::summary_only());
    let first_time = clock.elapsed();
    std::hint::black_box(first);
    let start = Instant::now();
    let (mut contracts, mut tenders) = (0u64, 0u64);
    for r in 0..n {
        let s = run_replication(&w, &targets, 1, 0, r, Observe::summary_only()).summary;
        contracts += u64::from(s.contracts);
        tenders += u64::from(s.tenders);
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    let n = f64::from(n);
    eprintln!(
        "load {:.0} µs, compile {:.0} µs, first replication (with the spin-up) {:.0} µs",
        load.as_secs_f64() * 1e6,
        compile.as_secs_f64() * 1e6,
        first_time.as_secs_f64() * 1e6
    );
    println!(
        "{n} replications, {:.1} µs each, {:.0} tenders and {:.0} contracts each",
        per * 1e6,
        tenders as f64 / n,
        contracts as f64 / n
    );
}

//! Run many replications of `scenarios/europe.toml` (summary only) in one
//! thread, for profiling:
//! `cargo run --release --example profile_europe -- 200 [KEY=VALUE...]`.
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use std::path::Path;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let sets: Vec<String> = std::env::args().skip(2).collect();
    let loaded = armsmarket::scenario::load(Path::new("scenarios/europe.toml"), &sets).unwrap();
    let w = World::from_scenario(&loaded.scenario).unwrap();
    let targets = armsmarket::analysis::Targets::compile(&loaded.scenario, &w).unwrap();
    let start = std::time::Instant::now();
    let (mut contracts, mut tenders) = (0u64, 0u64);
    for r in 0..n {
        let s = run_replication(&w, &targets, 1, 0, r, Observe::summary_only()).summary;
        contracts += u64::from(s.contracts);
        tenders += u64::from(s.tenders);
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    let n = f64::from(n);
    println!(
        "{n} replications, {:.1} µs each, {:.0} tenders and {:.0} contracts each",
        per * 1e6,
        tenders as f64 / n,
        contracts as f64 / n
    );
}

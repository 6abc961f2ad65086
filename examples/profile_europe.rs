//! Run many replications of `scenarios/europe.toml` (summary only), for
//! profiling: `cargo run --release --example profile_europe -- 200`.
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use std::path::Path;

fn main() {
    let n: u32 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(100);
    let loaded = armsmarket::scenario::load(Path::new("scenarios/europe.toml"), &[]).unwrap();
    let w = World::from_scenario(&loaded.scenario).unwrap();
    let start = std::time::Instant::now();
    let mut contracts = 0u64;
    for r in 0..n {
        contracts += u64::from(
            run_replication(&w, 1, 0, r, Observe::summary_only())
                .summary
                .contracts,
        );
    }
    let per = start.elapsed().as_secs_f64() / f64::from(n);
    println!(
        "{n} replications, {:.1} µs each, {:.0} contracts each",
        per * 1e6,
        contracts as f64 / f64::from(n)
    );
}

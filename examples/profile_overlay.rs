//! What a sweep point or a calibration particle pays before its first
//! replication, on `scenarios/europe.toml`:
//! `cargo run --release --example profile_overlay`. Prints the cost of
//! writing one value into the resolved table, of the whole scenario with
//! the value written, compiled (the typed path), and of its parts: checking
//! the scenario, compiling the world and its targets; and, beside them,
//! what a whole copy of the typed scenario costs (the overlay keeps its
//! copies and puts back only the tables a value touched).
use armsmarket::engine::overlay::Overlay;
use armsmarket::scenario::{self, Origin};
use std::path::Path;
use std::time::{Duration, Instant};

/// Mean time of `n` calls of `f`.
fn time<T>(n: u32, mut f: impl FnMut() -> T) -> Duration {
    let clock = Instant::now();
    for _ in 0..n {
        std::hint::black_box(f());
    }
    clock.elapsed() / n
}

fn main() {
    let path = Path::new("scenarios/europe.toml");
    let (table, sources) = scenario::load_table(path).unwrap();
    let overlay = Overlay::new(sources, table);
    let value = toml::Value::Float(0.7);
    let at = Origin::new(String::from("profile"), 1, 1);
    let settings = [("preferences.default.delivery", &value, &at)];
    let n = 50;
    let table_with = time(n, || overlay.table_with(&settings).unwrap());
    let compile_with = time(n, || {
        overlay.compile_with(&settings, &at, "profile").unwrap()
    });
    let sc = overlay.scenario_with(&settings).unwrap();
    let copy = time(n, || sc.clone());
    let check = time(n, || scenario::validate::validate(&sc));
    let compile = time(n, || {
        let w = armsmarket::model::World::from_scenario(&sc).unwrap();
        armsmarket::analysis::Targets::compile(&sc, &w).unwrap()
    });
    println!(
        "value into the table {table_with:?}; scenario with it, compiled {compile_with:?} \
         (check {check:?}, world and targets {compile:?}); a whole copy of the scenario {copy:?}"
    );
}

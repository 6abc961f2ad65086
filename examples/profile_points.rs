//! What each part of a sweep point costs, on the very worlds of a sweep:
//! `cargo run --release --example profile_points -- BASE POINTS_CSV [REPS] [SEED]`
//! (POINTS_CSV: a sweep's `points.csv`, whose columns after `point_id` are
//! the swept keys; REPS: replications a point, default 10; SEED: the
//! sweep's seed, default 1). One thread. For every point it times, in
//! turn, its world (the values written into the base and compiled, as the
//! sweep does), the world's warm-up spin-up (once per world, as in `run`)
//! and its replications (summary and targets, seeded as the sweep seeds
//! them), and prints the mean of each per point.
use armsmarket::engine::overlay::Overlay;
use armsmarket::engine::{Observe, run_replication, seeding};
use armsmarket::model::State;
use armsmarket::model::schedule::warm_up;
use armsmarket::scenario::{self, Origin};
use std::path::Path;
use std::time::{Duration, Instant};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, points, ..] = args.as_slice() else {
        eprintln!("usage: profile_points BASE POINTS_CSV [REPS] [SEED]");
        std::process::exit(2);
    };
    let reps: u32 = args.get(2).map_or(10, |a| a.parse().expect("REPS"));
    let seed: u64 = args.get(3).map_or(1, |a| a.parse().expect("SEED"));
    let (table, _) = scenario::load_table(Path::new(base)).unwrap();
    let overlay = Overlay::new(Path::new(base), table);
    let at = Origin::new(points.clone(), 1, 1);
    let text = std::fs::read_to_string(points).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().expect("a header").split(',').collect();
    assert_eq!(
        header[0], "point_id",
        "{points} is not a sweep's points.csv"
    );
    let (mut world, mut spin, mut runs) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut n = 0u32;
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        let id = u64::from_str_radix(fields[0], 16).expect("a hexadecimal point id");
        // Only the swept keys' columns (a Morris design adds its own after).
        let values: Vec<toml::Value> = fields[1..]
            .iter()
            .map_while(|f| f.parse().ok().map(toml::Value::Float))
            .collect();
        let settings: Vec<_> = header[1..]
            .iter()
            .zip(&values)
            .map(|(&k, v)| (k, v, &at))
            .collect();
        let clock = Instant::now();
        let (w, targets) = overlay.compile_with(&settings, &at, "point").unwrap();
        world += clock.elapsed();
        let mut state = State::new(&w);
        let clock = Instant::now();
        warm_up(&w, &mut state, &seeding::draws(seed, id, 0));
        spin += clock.elapsed();
        let clock = Instant::now();
        for r in 0..reps {
            std::hint::black_box(run_replication(
                &w,
                &targets,
                seed,
                id,
                r,
                Observe::summary_only(),
            ));
        }
        runs += clock.elapsed();
        n += 1;
    }
    let us = |d: Duration| d.as_secs_f64() * 1e6 / f64::from(n);
    println!(
        "{n} points: world {:.0} µs, spin-up {:.0} µs, {reps} replications {:.0} µs ({:.0} µs each)",
        us(world),
        us(spin),
        us(runs),
        us(runs) / f64::from(reps)
    );
}

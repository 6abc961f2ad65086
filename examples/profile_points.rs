//! What each part of a sweep point costs, on the very worlds of a sweep:
//! `cargo run --release --example profile_points -- BASE POINTS_CSV [REPS] [SEED]`
//! (POINTS_CSV: a sweep's `points.csv`, of any design; REPS: replications
//! a point, default 10; SEED: the sweep's seed, default 1). One thread.
//! For every point (once, though a sensitivity design lists some twice) it
//! times, in turn, its world (the values written into the base, and the
//! base's world patched or the point's compiled, as the sweep does), the
//! world's warm-up spin-up (once per world, as in `run`) and its
//! replications (summary and targets, seeded as the sweep seeds them), and
//! prints the mean of each per point.
use armsmarket::engine::overlay::Overlay;
use armsmarket::engine::{Observe, run_replication, seeding};
use armsmarket::model::State;
use armsmarket::model::schedule::warm_up;
use armsmarket::scenario::{self, Origin};
use armsmarket::sweep::design::DesignKind;
use armsmarket::sweep::tables::role_columns;
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
    let (table, sources) = scenario::load_table(Path::new(base)).unwrap();
    let overlay = Overlay::new(sources, table);
    let at = Origin::new(points.clone(), 1, 1);
    let mut reader = csv::Reader::from_path(points).expect("a readable points.csv");
    let header = reader.headers().expect("a header").clone();
    assert_eq!(
        &header[0], "point_id",
        "{points} is not a sweep's points.csv"
    );
    // The swept keys' columns: those after `point_id` and before a
    // design's role columns.
    let roles: Vec<&str> = [DesignKind::Saltelli, DesignKind::Morris]
        .iter()
        .flat_map(|&k| role_columns(k).iter().copied())
        .collect();
    let keys: Vec<&str> = header
        .iter()
        .skip(1)
        .take_while(|h| !roles.contains(h))
        .collect();
    let (mut world, mut spin, mut runs) = (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    let mut n = 0u32;
    let mut seen = std::collections::HashSet::new();
    for record in reader.records() {
        let record = record.expect("a well-formed points.csv");
        let id = u64::from_str_radix(&record[0], 16).expect("a hexadecimal point id");
        // A point with several roles in a sensitivity design has a line
        // for each: it is one world.
        if !seen.insert(id) {
            continue;
        }
        // Each cell read as `--set` reads a value, as the sweep wrote it.
        let values: Vec<(String, toml::Value)> = keys
            .iter()
            .zip(record.iter().skip(1))
            .map(|(k, cell)| scenario::parse_set(&format!("{k}={cell}")).unwrap())
            .collect();
        let settings: Vec<_> = values.iter().map(|(k, v)| (k.as_str(), v, &at)).collect();
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

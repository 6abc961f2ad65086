//! PRIM recovers a box planted in uniform data.

use armsmarket::analysis::prim::{
    Column, DimBounds, PrimConfig, PrimData, discover, reproducibility, restricted_limits,
};
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::AtomicBool;

/// A stop flag nobody sets.
static NEVER: AtomicBool = AtomicBool::new(false);

/// 2,000 rows of four uniform columns; y = 1 iff x1 > 0.8 and x2 < 0.3.
fn planted() -> PrimData {
    let mut rng = ChaCha8Rng::seed_from_u64(2010);
    let rows = 2000;
    let mut x: Vec<Vec<f64>> = (0..4).map(|_| Vec::with_capacity(rows)).collect();
    for _ in 0..rows {
        for col in x.iter_mut() {
            col.push(rng.random::<f64>());
        }
    }
    let y = (0..rows)
        .map(|r| f64::from(u8::from(x[0][r] > 0.8 && x[1][r] < 0.3)))
        .collect();
    let columns = x
        .into_iter()
        .enumerate()
        .map(|(i, v)| Column::float(&format!("x{}", i + 1), v))
        .collect();
    PrimData::new(columns, y).unwrap()
}

#[test]
fn finds_the_planted_box() {
    let data = planted();
    let cases: f64 = data.outcome().iter().sum();
    assert!(cases > 90.0 && cases < 150.0, "about 6 % of rows: {cases}");
    let found = discover(&data, PrimConfig::default(), 1).unwrap();
    let b = found[0].selected_entry().unwrap();
    let names: Vec<&str> = b
        .restricted
        .iter()
        .map(|&c| data.names()[c].as_str())
        .collect();
    assert_eq!(names, ["x1", "x2"]);
    let limits = restricted_limits(&data, b);
    // Within peel resolution: a last peel removes 5 % of a box about 0.2
    // wide in x1 and 0.3 in x2, i.e. 0.01 to 0.015.
    match limits[0].bounds {
        DimBounds::Float {
            lower,
            lower_restricted,
            upper_restricted,
            ..
        } => {
            assert!((lower - 0.8).abs() < 0.015, "x1 lower {lower}");
            assert!(lower_restricted && !upper_restricted);
        }
        ref other => panic!("x1: {other:?}"),
    }
    match limits[1].bounds {
        DimBounds::Float {
            upper,
            lower_restricted,
            upper_restricted,
            ..
        } => {
            assert!((upper - 0.3).abs() < 0.015, "x2 upper {upper}");
            assert!(!lower_restricted && upper_restricted);
        }
        ref other => panic!("x2: {other:?}"),
    }
    assert!(b.density > 0.95, "density {}", b.density);
    assert!(b.coverage > 0.9, "coverage {}", b.coverage);
}

#[test]
fn planted_box_reproduces_on_halves() {
    let data = planted();
    let config = PrimConfig::default();
    let found = discover(&data, config, 1).unwrap();
    let entry = found[0].selected.unwrap();
    let r = reproducibility(&data, config, &found[0], entry, 20, 0.5, 99, &NEVER).unwrap();
    for counts in [&r.by_coverage, &r.by_density] {
        // x1's lower and x2's upper bounds recur in nearly every half; the
        // noise columns rarely.
        assert!(counts[0].lower >= 18, "{counts:?}");
        assert!(counts[1].upper >= 18, "{counts:?}");
        assert!(
            counts[2].dimension <= 6 && counts[3].dimension <= 6,
            "{counts:?}"
        );
    }
    // Same seed, same counts.
    let again = reproducibility(&data, config, &found[0], entry, 20, 0.5, 99, &NEVER).unwrap();
    assert_eq!(r, again);
}

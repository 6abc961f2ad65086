//! Parity with SALib 1.6.0 on the fixtures in `tests/data/`, written by
//! `scripts/parity/make_fixtures.py` from SALib's own functions.

use armsmarket::analysis::sensitivity::{
    BootstrapOptions, PointOutputs, SaltelliOutputs, morris_analyze, morris_statistics,
    sobol_analyze, sobol_indices,
};
use armsmarket::sweep::morris::{
    Direction, MorrisLayout, MorrisMove, MorrisRole, base_levels, delta, most_distant_trajectories,
    trajectory,
};
use armsmarket::sweep::saltelli::{SaltelliOptions, SaltelliRole, block_matrices, saltelli};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const TOL: f64 = 1e-9;

fn fixture(name: &str) -> Value {
    let path = format!("{}/tests/data/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

fn f64s(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn matrix(v: &Value) -> Vec<Vec<f64>> {
    v.as_array().unwrap().iter().map(f64s).collect()
}

fn usizes(v: &Value) -> Vec<usize> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_u64().unwrap() as usize)
        .collect()
}

fn assert_close(got: f64, want: f64, what: &str) {
    assert!(
        (got - want).abs() <= TOL,
        "{what}: got {got}, SALib {want} (diff {:e})",
        (got - want).abs()
    );
}

#[test]
fn saltelli_design_equals_salib_unscrambled() {
    let f = fixture("saltelli_designs.json");
    for case in f["cases"].as_array().unwrap() {
        let dims = case["dims"].as_u64().unwrap() as usize;
        let options = SaltelliOptions {
            base_rows: case["base_rows"].as_u64().unwrap() as usize,
            second_order: case["second_order"].as_bool().unwrap(),
            scramble_seed: None,
            skip: case["skip"].as_u64().unwrap() as usize,
        };
        let design = saltelli(dims, &options).unwrap();
        let want = matrix(&case["x"]);
        assert_eq!(design.points.len(), want.len(), "{options:?}");
        for (i, (p, w)) in design.points.iter().zip(&want).enumerate() {
            // Bit for bit: SALib scales by u * (1 - 0) + 0 = u.
            assert_eq!(&p.unit, w, "{options:?}, row {i}");
            assert_eq!(p.role.salib_row(dims, options.second_order), Some(i));
        }
        assert_eq!(
            design.warnings.len() as u64,
            case["warnings"].as_u64().unwrap(),
            "{options:?}: {:?}",
            design.warnings
        );
    }
}

#[test]
fn sobol_indices_and_intervals_equal_salib_given_its_resamples() {
    let f = fixture("sobol_parity.json");
    let conf = f["conf_level"].as_f64().unwrap();
    for case in f["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let dims = case["dims"].as_u64().unwrap() as usize;
        let second = case["second_order"].as_bool().unwrap();
        let y = f64s(&case["y"]);
        let resamples: Vec<Vec<usize>> = case["resamples"]
            .as_array()
            .unwrap()
            .iter()
            .map(usizes)
            .collect();
        let outputs = SaltelliOutputs::from_salib_order(&y, dims, second).unwrap();
        let s = sobol_indices(&outputs, &resamples, conf).unwrap();
        for j in 0..dims {
            let at = |key: &str| f64s(&case[key])[j];
            assert_close(s.s1[j].estimate, at("s1"), &format!("{name} S1[{j}]"));
            assert_close(
                s.s1[j].conf_normal,
                at("s1_conf"),
                &format!("{name} S1_conf[{j}]"),
            );
            assert_close(s.s1[j].lo, at("s1_lo"), &format!("{name} S1 lo[{j}]"));
            assert_close(s.s1[j].hi, at("s1_hi"), &format!("{name} S1 hi[{j}]"));
            assert_close(s.st[j].estimate, at("st"), &format!("{name} ST[{j}]"));
            assert_close(
                s.st[j].conf_normal,
                at("st_conf"),
                &format!("{name} ST_conf[{j}]"),
            );
            assert_close(s.st[j].lo, at("st_lo"), &format!("{name} ST lo[{j}]"));
            assert_close(s.st[j].hi, at("st_hi"), &format!("{name} ST hi[{j}]"));
        }
        if second {
            let pairs = case["s2"].as_array().unwrap();
            assert_eq!(s.s2.len(), pairs.len());
            for (got, want) in s.s2.iter().zip(pairs) {
                let (j, k) = (got.j, got.k);
                assert_eq!(
                    (j as u64, k as u64),
                    (want["j"].as_u64().unwrap(), want["k"].as_u64().unwrap())
                );
                let at = |key: &str| want[key].as_f64().unwrap();
                let e = got.estimate;
                assert_close(e.estimate, at("s2"), &format!("{name} S2[{j},{k}]"));
                assert_close(
                    e.conf_normal,
                    at("conf"),
                    &format!("{name} S2_conf[{j},{k}]"),
                );
                assert_close(e.lo, at("lo"), &format!("{name} S2 lo[{j},{k}]"));
                assert_close(e.hi, at("hi"), &format!("{name} S2 hi[{j},{k}]"));
            }
        } else {
            assert!(s.s2.is_empty());
        }

        // The role-based analysis, fed the same outputs point by point in
        // reverse order, gives the same point estimates (its bootstrap uses
        // its own draws).
        let block = block_matrices(dims, second);
        let n = y.len() / block.len();
        let mut points: Vec<PointOutputs<SaltelliRole>> = (0..n)
            .flat_map(|base_row| {
                block
                    .iter()
                    .map(move |&matrix| SaltelliRole { base_row, matrix })
            })
            .map(|role| PointOutputs {
                role,
                replicates: vec![y[role.salib_row(dims, second).unwrap()]],
            })
            .collect();
        points.reverse();
        let layout = armsmarket::sweep::saltelli::SaltelliLayout {
            dims,
            base_rows: n,
            second_order: second,
        };
        let a = sobol_analyze(
            &layout,
            &points,
            &BootstrapOptions::default(),
            &mut ChaCha8Rng::seed_from_u64(1),
        )
        .unwrap();
        let idx = a.indices.unwrap();
        for j in 0..dims {
            assert_close(
                idx.s1[j].estimate,
                f64s(&case["s1"])[j],
                &format!("{name} roles S1[{j}]"),
            );
            assert_close(
                idx.st[j].estimate,
                f64s(&case["st"])[j],
                &format!("{name} roles ST[{j}]"),
            );
        }
        // SALib's S2 of each pair with second order; none without.
        let s2_salib = if second {
            case["s2"].as_array().unwrap().as_slice()
        } else {
            &[]
        };
        assert_eq!(idx.s2.len(), s2_salib.len(), "{name}: one S2 per pair");
        for (got, want) in idx.s2.iter().zip(s2_salib) {
            assert_close(
                got.estimate.estimate,
                want["s2"].as_f64().unwrap(),
                &format!("{name} roles S2"),
            );
        }
        assert_eq!((a.blocks_used, a.blocks_dropped), (n, 0));
    }
}

#[test]
fn morris_trajectories_are_built_as_salib_builds_them() {
    let f = fixture("morris_parity.json");
    for case in f["construction"].as_array().unwrap() {
        let levels = case["levels"].as_u64().unwrap() as usize;
        assert_eq!(
            base_levels(levels),
            f64s(&case["grid"]),
            "grid, p = {levels}"
        );
        let x_star = f64s(&case["x_star"]);
        let order = usizes(&case["order"]);
        let dirs: Vec<Direction> = case["up"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| {
                if u.as_bool().unwrap() {
                    Direction::Up
                } else {
                    Direction::Down
                }
            })
            .collect();
        let got: Vec<Vec<f64>> = trajectory(&x_star, &order, &dirs, delta(levels))
            .into_iter()
            .map(|p| p.unit)
            .collect();
        assert_eq!(
            got,
            matrix(&case["trajectory"]),
            "p = {levels}, order {order:?}"
        );
    }
}

/// Roles of SALib's Morris design, read from its coordinates: the one
/// parameter that changed at each step, and the sign of the change.
fn roles_from_x(x: &[Vec<f64>], dims: usize) -> Vec<MorrisRole> {
    x.iter()
        .enumerate()
        .map(|(i, row)| {
            let (trajectory, step) = (i / (dims + 1), i % (dims + 1));
            let moved = (step > 0).then(|| {
                let prev = &x[i - 1];
                let changed: Vec<usize> = (0..dims).filter(|&j| row[j] != prev[j]).collect();
                assert_eq!(changed.len(), 1, "row {i}");
                let parameter = changed[0];
                let direction = if row[parameter] > prev[parameter] {
                    Direction::Up
                } else {
                    Direction::Down
                };
                MorrisMove {
                    parameter,
                    direction,
                }
            });
            MorrisRole {
                trajectory,
                step,
                moved,
            }
        })
        .collect()
}

#[test]
fn morris_statistics_equal_salib_on_its_design() {
    let f = fixture("morris_parity.json");
    let conf = f["conf_level"].as_f64().unwrap();
    for case in f["analysis"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap();
        let dims = case["dims"].as_u64().unwrap() as usize;
        let levels = case["levels"].as_u64().unwrap() as usize;
        let trajectories = case["trajectories"].as_u64().unwrap() as usize;
        let x = matrix(&case["x"]);
        let y = f64s(&case["y"]);
        let roles = roles_from_x(&x, dims);
        let mut outputs: Vec<PointOutputs<MorrisRole>> = roles
            .iter()
            .zip(&y)
            .map(|(&role, &v)| PointOutputs {
                role,
                replicates: vec![v],
            })
            .collect();
        outputs.reverse();
        let layout = MorrisLayout {
            dims,
            trajectories,
            levels,
        };
        let a = morris_analyze(
            &layout,
            &outputs,
            &BootstrapOptions::default(),
            &mut ChaCha8Rng::seed_from_u64(3),
        )
        .unwrap();
        let want_effects = matrix(&case["effects"]);
        assert_eq!(a.effects.len(), dims);
        for (j, (got, want)) in a.effects.iter().zip(&want_effects).enumerate() {
            assert_eq!(got.len(), trajectories);
            for (t, (&g, &w)) in got.iter().zip(want).enumerate() {
                assert_close(g, w, &format!("{name} EE[{j}][{t}]"));
            }
        }
        let stats = a.statistics.unwrap();
        // With SALib's resample indices, the interval too.
        let resamples: Vec<Vec<Vec<usize>>> = case["resamples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|per| per.as_array().unwrap().iter().map(usizes).collect())
            .collect();
        let with_salib_draws = morris_statistics(&a.effects, &resamples, conf).unwrap();
        for j in 0..dims {
            let at = |key: &str| f64s(&case[key])[j];
            for s in [&stats[j], &with_salib_draws[j]] {
                assert_close(s.mu, at("mu"), &format!("{name} mu[{j}]"));
                assert_close(
                    s.mu_star.estimate,
                    at("mu_star"),
                    &format!("{name} mu*[{j}]"),
                );
                assert_close(s.sigma, at("sigma"), &format!("{name} sigma[{j}]"));
            }
            let s = &with_salib_draws[j];
            assert_close(
                s.mu_star.conf_normal,
                at("mu_star_conf"),
                &format!("{name} mu*_conf[{j}]"),
            );
            assert_close(
                s.mu_star.lo,
                at("mu_star_lo"),
                &format!("{name} mu* lo[{j}]"),
            );
            assert_close(
                s.mu_star.hi,
                at("mu_star_hi"),
                &format!("{name} mu* hi[{j}]"),
            );
        }
    }
}

#[test]
fn optimal_trajectories_equal_salib_brute_force() {
    let f = fixture("morris_parity.json");
    for case in f["selection"].as_array().unwrap() {
        let k = case["k"].as_u64().unwrap() as usize;
        let trajectories: Vec<Vec<Vec<f64>>> = case["trajectories"]
            .as_array()
            .unwrap()
            .iter()
            .map(matrix)
            .collect();
        let chosen = most_distant_trajectories(&trajectories, k).unwrap();
        assert_eq!(chosen, usizes(&case["chosen"]));
    }
}

//! Parity with the EMA Workbench 3.0 PRIM on shared synthetic data.
//!
//! `tests/data/prim/make_ema_fixtures.py` draws the data with fixed seeds, runs
//! `ema_workbench.analysis.prim.Prim` on them and stores data, settings and
//! EMA's whole trajectory (every box of every search). Each test runs this
//! crate on the same data and settings and checks the trajectory entry by
//! entry: the number of searches and boxes, n, the restricted columns and
//! the selected box; k, coverage, density, mass and the limits bit for bit
//! (sums follow numpy's pairwise order); the quasi-p values to 1e-12
//! relative (scipy's binomial tail against ours).

use armsmarket::analysis::prim::{
    BoxSelection, Column, ColumnKind, Limit, PrimConfig, PrimData, QuasiP, discover,
};
use std::collections::BTreeMap;
use std::path::PathBuf;

fn path(file: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/prim")
        .join(file)
}

fn records(file: &str) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path(file)).expect("fixture present");
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

fn load_data(file: &str) -> PrimData {
    let (header, rows) = records(file);
    let (y_col, x_cols) = header.split_last().unwrap();
    assert_eq!(y_col, "y");
    let columns = x_cols
        .iter()
        .enumerate()
        .map(|(c, h)| {
            let (name, kind) = h.split_once(':').unwrap();
            let cells = rows.iter().map(|r| r[c].as_str());
            match kind {
                "float" => Column::float(name, cells.map(|v| v.parse().unwrap()).collect()),
                "int" => Column::integer(name, cells.map(|v| v.parse().unwrap()).collect()),
                "cat" => Column::categorical(name, cells.map(str::to_string).collect()),
                other => panic!("unknown kind {other}"),
            }
        })
        .collect();
    let y = rows
        .iter()
        .map(|r| r[header.len() - 1].parse().unwrap())
        .collect();
    PrimData::new(columns, y).unwrap()
}

fn check_case(case: &str) {
    let (_, cfg_rows) = records(&format!("{case}_config.csv"));
    let cfg: BTreeMap<String, String> = cfg_rows
        .into_iter()
        .map(|r| (r[0].clone(), r[1].clone()))
        .collect();
    let data = load_data(&cfg["data"]);
    let config = PrimConfig {
        peel_alpha: cfg["peel_alpha"].parse().unwrap(),
        paste_alpha: cfg["paste_alpha"].parse().unwrap(),
        mass_min: cfg["mass_min"].parse().unwrap(),
        selection: match cfg["selection"].as_str() {
            "last" => BoxSelection::Last,
            d => BoxSelection::MaxCoverageAtDensity(d.parse().unwrap()),
        },
    };
    let boxes: usize = cfg["boxes"].parse().unwrap();
    let found = discover(&data, config, boxes).unwrap();

    let (header, rows) = records(&format!("{case}_trajectory.csv"));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let mut ema: BTreeMap<usize, Vec<&Vec<String>>> = BTreeMap::new();
    for r in &rows {
        ema.entry(r[col("box")].parse().unwrap())
            .or_default()
            .push(r);
    }
    assert_eq!(found.len(), ema.len(), "{case}: number of searches");
    let names = data.names();
    for (b, (fb, entries)) in found.iter().zip(ema.values()).enumerate() {
        assert_eq!(
            fb.trajectory.len(),
            entries.len(),
            "{case} box {b}: trajectory length"
        );
        for (e, r) in fb.trajectory.iter().zip(entries) {
            let at = format!("{case} search {b} box {}", e.id);
            assert_eq!(e.id, r[col("id")].parse::<usize>().unwrap(), "{at}: id");
            assert_eq!(e.n, r[col("n")].parse::<usize>().unwrap(), "{at}: n");
            let k: f64 = r[col("k")].parse().unwrap();
            assert_eq!(e.k, k, "{at}: k");
            for (field, mine) in [
                ("coverage", e.coverage),
                ("density", e.density),
                ("mass", e.mass),
            ] {
                let theirs: f64 = r[col(field)].parse().unwrap();
                assert_eq!(mine, theirs, "{at}: {field}");
            }
            assert_eq!(
                e.restricted.len(),
                r[col("res_dim")].parse::<usize>().unwrap(),
                "{at}: res_dim"
            );
            let restricted: Vec<&str> = e.restricted.iter().map(|&c| names[c].as_str()).collect();
            let theirs: Vec<&str> = r[col("restricted")]
                .split('|')
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(restricted, theirs, "{at}: restricted columns");
            assert_eq!(
                fb.selected == Some(e.id),
                r[col("selected")] == "1",
                "{at}: selection"
            );
            // Limits of the restricted columns, exactly.
            let limits: Vec<&str> = r[col("limits")]
                .split(';')
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(limits.len(), e.restricted.len(), "{at}: limits");
            for (&c, text) in e.restricted.iter().zip(&limits) {
                let (name, value) = text.split_once('=').unwrap();
                assert_eq!(name, names[c]);
                match (&e.limits[c], data.kinds()[c]) {
                    (Limit::Numeric { lower, upper }, _) => {
                        let (lo, hi) = value.split_once("..").unwrap();
                        let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
                        assert_eq!((*lower, *upper), (lo, hi), "{at}: limits of {name}");
                    }
                    (Limit::Categorical { included }, ColumnKind::Categorical) => {
                        let kept: Vec<&str> = data
                            .levels(c)
                            .iter()
                            .zip(included)
                            .filter(|(_, k)| **k)
                            .map(|(l, _)| l.as_str())
                            .collect();
                        let theirs: Vec<&str> = value.split('|').collect();
                        assert_eq!(kept, theirs, "{at}: categories of {name}");
                    }
                    _ => unreachable!(),
                }
            }
            // Quasi-p values (-1 marks a bound that is not restricted).
            let qps: Vec<&str> = r[col("quasi_p")]
                .split(';')
                .filter(|s| !s.is_empty())
                .collect();
            assert_eq!(qps.len(), e.quasi_p.len(), "{at}: quasi-p count");
            for ((c, qp), text) in e.quasi_p.iter().zip(&qps) {
                let (name, value) = text.split_once('=').unwrap();
                assert_eq!(name, names[*c]);
                let (lo, hi) = value.split_once('/').unwrap();
                let (lo, hi): (f64, f64) = (lo.parse().unwrap(), hi.parse().unwrap());
                let (mine_lo, mine_hi) = match qp {
                    QuasiP::Bounds { lower, upper } => {
                        (lower.unwrap_or(-1.0), upper.unwrap_or(-1.0))
                    }
                    QuasiP::Categories(p) => (*p, -1.0),
                };
                for (m, t) in [(mine_lo, lo), (mine_hi, hi)] {
                    assert!(
                        (m == t) || (m - t).abs() <= 1e-12 * t.abs(),
                        "{at}: quasi-p of {name}: {m} vs {t}"
                    );
                }
            }
        }
    }
}

#[test]
fn mixed_columns_three_boxes() {
    check_case("mixed");
}

#[test]
fn mixed_columns_density_selection() {
    check_case("mixed_density");
}

#[test]
fn outcome_as_shares() {
    check_case("shares");
}

#[test]
fn coarse_values_with_ties() {
    check_case("ties");
}

#[test]
fn pasting_an_integer_bound() {
    check_case("paste_int");
}

#[test]
fn pasting_a_category() {
    check_case("paste_cat");
}

#[test]
fn no_float_column_means_no_pasting() {
    check_case("no_float");
}

#[test]
fn shares_summing_below_one() {
    check_case("rare");
}

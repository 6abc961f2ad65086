//! The model's results, byte for byte: every CSV file of a few runs, a
//! comparison, a sweep and a calibration against the BLAKE3 checksums they
//! had when this table was last written. Work on speed must leave them as
//! they are; a change of the model's results, intended or not, fails here.
//! An intended one writes the new table (the failure prints it, ready to
//! paste) and says why in its commit.

use crate::common::{EVERY_TABLE, assert_ok, bin, blake3_hex, root};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file's checksum (its first 16 hex digits) under `dir`, by its
/// path relative to `dir`, for the CSV files.
fn checksums(dir: &Path) -> BTreeMap<String, String> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "csv") {
                let rel = path
                    .strip_prefix(base)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                out.insert(rel, blake3_hex(&path)[..16].to_string());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

/// A sweep of `europe.toml` whose points are patched worlds (a preference,
/// a line's capacity, a shock's magnitude, a category's reference price)
/// and compiled ones (a line's life).
const SWEEP: &str = r#"
base = "BASE/scenarios/europe.toml"
name = "golden_sweep"

[sweep]
design = "lhs"
points = 4
replications = 2
seed = 5

[sweep.parameters]
"preferences.default.delivery" = { min = 0.2, max = 0.9 }
"suppliers.hanwha.lines.k9.capacity" = { min = 10.0, max = 40.0 }
"shocks.invasion.magnitude" = { min = 0.2, max = 0.6 }
"categories.spg.ref_price" = { min = 5.0, max = 12.0 }
"suppliers.hyundai_rotem.lines.k2.life_years" = { min = 25.0, max = 40.0 }
"#;

/// The checksums of the last accepted results (see the module's text).
const GOLDEN: &[(&str, &str)] = &[
    (
        "calibrate/calibration_shards/generations.csv",
        "383b43279a04c4fe",
    ),
    (
        "calibrate/calibration_shards/model_probabilities.csv",
        "84e394dadd1a854e",
    ),
    (
        "calibrate/calibration_shards/posterior.csv",
        "a9a94701bbe41fd6",
    ),
    (
        "calibrate/calibration_shards/posterior_summary.csv",
        "b811f7d1c0104012",
    ),
    (
        "calibrate/calibration_shards/predictive.csv",
        "1e623c0223af6871",
    ),
    ("compare/compare/compare.csv", "a29486c952a3b0b1"),
    ("compare/compare/patterns.csv", "62fdad216f19d02a"),
    ("compare/compare/summary.csv", "a836db5bbdb49d44"),
    ("compare/compare/targets.csv", "26a6cdc56f1f4775"),
    ("compare/compare/verdict.csv", "8364c1d38c21ce5d"),
    ("europe/europe/buyers.csv", "6b4ad5a842a0bac6"),
    ("europe/europe/contracts.csv", "e8e1520a2fe3beff"),
    ("europe/europe/exogenous.csv", "09d2f07bf0929ff3"),
    ("europe/europe/market.csv", "f87e72502f932b54"),
    ("europe/europe/summary.csv", "1fd52d5258aa3db8"),
    ("europe/europe/suppliers.csv", "fa95b522bb31dda6"),
    ("europe/europe/targets.csv", "2f7a0ba73909a72f"),
    ("hypotheses/no_warmup/contracts.csv", "5795c48aa2b95482"),
    ("hypotheses/no_warmup/summary.csv", "a9b98dcfaf1c7f6e"),
    ("hypotheses/no_warmup/targets.csv", "073be18a00322ec4"),
    ("hypotheses/strategic/contracts.csv", "f912e45a749e794d"),
    ("hypotheses/strategic/summary.csv", "66c6cc50dca50f98"),
    ("hypotheses/strategic/targets.csv", "5757e89258daad05"),
    ("sweep/golden_sweep/bands.csv", "1aae8c2660e32985"),
    ("sweep/golden_sweep/points.csv", "003db321436cfe76"),
    ("sweep/golden_sweep/runs.csv", "eab4d5529d58c478"),
    ("toy/toy/buyers.csv", "a6fa35cc662dd2aa"),
    ("toy/toy/contracts.csv", "45c8450938098f08"),
    ("toy/toy/exogenous.csv", "6a83f5775408ec1f"),
    ("toy/toy/market.csv", "cec1aaa272e105e0"),
    ("toy/toy/summary.csv", "e866f4b2371ed209"),
    ("toy/toy/suppliers.csv", "8d31f0ceb728aecf"),
    ("toy/toy/targets.csv", "cec20ee4ec98a162"),
];

#[test]
fn the_models_results_are_the_recorded_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path();
    let r = root();
    // `armsmarket ARGS --quiet --threads 2 --out OUT/TO`, from the root.
    let armsmarket = |args: &[&str], to: &str| {
        let o = bin()
            .current_dir(&r)
            .args(args)
            .args(["--quiet", "--threads", "2", "--out"])
            .arg(out.join(to))
            .output()
            .unwrap();
        assert_ok(&o, to);
    };
    let europe = [
        "run",
        "scenarios/europe.toml",
        "-r",
        "3",
        "--tables",
        EVERY_TABLE,
    ];
    armsmarket(&europe, "europe");
    let toy = [
        "run",
        "scenarios/toy.toml",
        "-r",
        "20",
        "--seed",
        "99",
        "--tables",
        EVERY_TABLE,
    ];
    armsmarket(&toy, "toy");
    let hypotheses = [
        "run",
        "scenarios/hypotheses/strategic.toml",
        "scenarios/ablations/no_warmup.toml",
        "-r",
        "2",
        "--tables",
        "summary,contracts",
    ];
    armsmarket(&hypotheses, "hypotheses");
    let compare = [
        "compare",
        "scenarios/europe.toml",
        "scenarios/hypotheses/strategic.toml",
        "-r",
        "4",
        "--tables",
        "summary",
    ];
    armsmarket(&compare, "compare");
    let file = out.join("sweep.toml");
    std::fs::write(&file, SWEEP.replace("BASE", &r.to_string_lossy())).unwrap();
    armsmarket(&["sweep", &file.to_string_lossy()], "sweep");
    armsmarket(
        &["calibrate", "tests/data/calibration_shards.toml"],
        "calibrate",
    );

    let got = checksums(out);
    let want: BTreeMap<String, String> = GOLDEN
        .iter()
        .map(|(f, h)| (f.to_string(), h.to_string()))
        .collect();
    if got != want {
        let table: String = got
            .iter()
            .map(|(f, h)| format!("    (\"{f}\", \"{h}\"),\n"))
            .collect();
        let changed: std::collections::BTreeSet<&String> = got
            .keys()
            .chain(want.keys())
            .filter(|f| got.get(*f) != want.get(*f))
            .collect();
        panic!(
            "the model's results changed in {changed:?}; if that is intended, the table is now:\n\
             const GOLDEN: &[(&str, &str)] = &[\n{table}];"
        );
    }
}

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
        "0770647a9986715f",
    ),
    (
        "calibrate/calibration_shards/model_probabilities.csv",
        "84e394dadd1a854e",
    ),
    (
        "calibrate/calibration_shards/posterior.csv",
        "06c0fae1281de75d",
    ),
    (
        "calibrate/calibration_shards/posterior_summary.csv",
        "ef6b29baa681451e",
    ),
    (
        "calibrate/calibration_shards/predictive.csv",
        "ec070b03e0a90ec0",
    ),
    ("compare/compare/compare.csv", "480e2b047010b955"),
    ("compare/compare/summary.csv", "c10236832d614211"),
    ("compare/compare/targets.csv", "12d07ec5e52eecaa"),
    ("compare/compare/verdict.csv", "6648ae80a7139ae0"),
    ("europe/europe/buyers.csv", "3ae92fb8eb330a67"),
    ("europe/europe/contracts.csv", "785d9ffa96df63db"),
    ("europe/europe/exogenous.csv", "09d2f07bf0929ff3"),
    ("europe/europe/market.csv", "9249b01e4e9e4c71"),
    ("europe/europe/summary.csv", "0cd033070e07ca5a"),
    ("europe/europe/suppliers.csv", "f3235cf4a24f1ca9"),
    ("europe/europe/targets.csv", "a382206d4cb637d7"),
    ("hypotheses/no_warmup/contracts.csv", "93d58f34d4596041"),
    ("hypotheses/no_warmup/summary.csv", "2943ac3c3cbfd9b0"),
    ("hypotheses/no_warmup/targets.csv", "b2c81934b2e26207"),
    ("hypotheses/strategic/contracts.csv", "e3cd1d46be046341"),
    ("hypotheses/strategic/summary.csv", "22f9b3a8da4abe64"),
    ("hypotheses/strategic/targets.csv", "b92507bf82c8b37c"),
    ("sweep/golden_sweep/bands.csv", "47ecf8fdbeeeb902"),
    ("sweep/golden_sweep/points.csv", "003db321436cfe76"),
    ("sweep/golden_sweep/runs.csv", "dcf2a158407962d2"),
    ("toy/toy/buyers.csv", "61a6c77c66adcaa9"),
    ("toy/toy/contracts.csv", "a7b7a1aceff3aa7d"),
    ("toy/toy/exogenous.csv", "6a83f5775408ec1f"),
    ("toy/toy/market.csv", "7654324c5a4d5737"),
    ("toy/toy/summary.csv", "46cc126dafb2ec2e"),
    ("toy/toy/suppliers.csv", "57bcce9deb334c8a"),
    ("toy/toy/targets.csv", "0e1cd6a5efc1d9bc"),
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

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
        "89d29a4583157517",
    ),
    (
        "calibrate/calibration_shards/model_probabilities.csv",
        "84e394dadd1a854e",
    ),
    (
        "calibrate/calibration_shards/posterior.csv",
        "81bd0206b6ae6be1",
    ),
    (
        "calibrate/calibration_shards/posterior_summary.csv",
        "f8602ddadb89f82d",
    ),
    (
        "calibrate/calibration_shards/predictive.csv",
        "3d1993d7ea0e1673",
    ),
    ("compare/compare/compare.csv", "ece18174fcb197db"),
    ("compare/compare/patterns.csv", "764dc04ac5d15507"),
    ("compare/compare/summary.csv", "77b9d9436acc3099"),
    ("compare/compare/targets.csv", "00f1fc4aad7ca6c8"),
    ("compare/compare/verdict.csv", "8d0933b534dde4f3"),
    ("europe/europe/buyers.csv", "82a69ad3a559fcf6"),
    ("europe/europe/contracts.csv", "651a7e21b420c9b9"),
    ("europe/europe/exogenous.csv", "09d2f07bf0929ff3"),
    ("europe/europe/market.csv", "657780d7d3a7ee6b"),
    ("europe/europe/summary.csv", "31b1358da36237f6"),
    ("europe/europe/suppliers.csv", "1434b3d299729654"),
    ("europe/europe/targets.csv", "3dd681cf3a5ec935"),
    ("hypotheses/no_warmup/contracts.csv", "2f89ffaddc6950a3"),
    ("hypotheses/no_warmup/summary.csv", "4a7cba212c35796d"),
    ("hypotheses/no_warmup/targets.csv", "920a7fe5af47551b"),
    ("hypotheses/strategic/contracts.csv", "630531958c20db9b"),
    ("hypotheses/strategic/summary.csv", "28e45a786e4ff4ea"),
    ("hypotheses/strategic/targets.csv", "b0d708bab1d6188e"),
    ("sweep/golden_sweep/bands.csv", "86189bcdd450f709"),
    ("sweep/golden_sweep/points.csv", "003db321436cfe76"),
    ("sweep/golden_sweep/runs.csv", "65286d8ce3898413"),
    ("toy/toy/buyers.csv", "e24c234df2c9bef2"),
    ("toy/toy/contracts.csv", "369df907e2555aa0"),
    ("toy/toy/exogenous.csv", "6a83f5775408ec1f"),
    ("toy/toy/market.csv", "cdfa7c5829ac7ffa"),
    ("toy/toy/summary.csv", "94e4943f92c5a92f"),
    ("toy/toy/suppliers.csv", "c95bbdc82d1ad904"),
    ("toy/toy/targets.csv", "0ed426ccf4108c32"),
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

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
        "c5050431e89c8f1e",
    ),
    (
        "calibrate/calibration_shards/model_probabilities.csv",
        "84e394dadd1a854e",
    ),
    (
        "calibrate/calibration_shards/posterior.csv",
        "7719990e8bc274bf",
    ),
    (
        "calibrate/calibration_shards/posterior_summary.csv",
        "d9ebbba2906340da",
    ),
    (
        "calibrate/calibration_shards/predictive.csv",
        "035bab6830255be7",
    ),
    ("compare/compare/compare.csv", "0d96f1325e9f5f1e"),
    ("compare/compare/summary.csv", "3aab416f19ea0e61"),
    ("compare/compare/targets.csv", "ccaf02424a5148d6"),
    ("compare/compare/verdict.csv", "b74ecc0c10e0893c"),
    ("europe/europe/buyers.csv", "4a48c929235890f1"),
    ("europe/europe/contracts.csv", "d6c3f34dd36dd027"),
    ("europe/europe/exogenous.csv", "09d2f07bf0929ff3"),
    ("europe/europe/market.csv", "97c114a1005c059f"),
    ("europe/europe/summary.csv", "e7c54a94a6384600"),
    ("europe/europe/suppliers.csv", "5d04ee2757a86fa6"),
    ("europe/europe/targets.csv", "1e85c5b4a02181f4"),
    ("hypotheses/no_warmup/contracts.csv", "93d58f34d4596041"),
    ("hypotheses/no_warmup/summary.csv", "2943ac3c3cbfd9b0"),
    ("hypotheses/no_warmup/targets.csv", "b2c81934b2e26207"),
    ("hypotheses/strategic/contracts.csv", "98bb564fb79fcc1c"),
    ("hypotheses/strategic/summary.csv", "e94323f60b1cebdb"),
    ("hypotheses/strategic/targets.csv", "e5e68daede5d1348"),
    ("sweep/golden_sweep/bands.csv", "56fcab0a602f402d"),
    ("sweep/golden_sweep/points.csv", "003db321436cfe76"),
    ("sweep/golden_sweep/runs.csv", "5e74c541f03dd024"),
    ("toy/toy/buyers.csv", "9a4994830fdb0380"),
    ("toy/toy/contracts.csv", "cf05f9018fe8cbfb"),
    ("toy/toy/exogenous.csv", "6a83f5775408ec1f"),
    ("toy/toy/market.csv", "f6a7c7b99e146337"),
    ("toy/toy/summary.csv", "fc2989790e2cf984"),
    ("toy/toy/suppliers.csv", "315ba1b7557225ea"),
    ("toy/toy/targets.csv", "829e1a3d6d81abb9"),
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

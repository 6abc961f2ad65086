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
        "7b24a100477958c7",
    ),
    (
        "calibrate/calibration_shards/model_probabilities.csv",
        "84e394dadd1a854e",
    ),
    (
        "calibrate/calibration_shards/posterior.csv",
        "5149a78b766b6af3",
    ),
    (
        "calibrate/calibration_shards/posterior_summary.csv",
        "f4b8174d7a138c1f",
    ),
    (
        "calibrate/calibration_shards/predictive.csv",
        "e25b9580c6da6742",
    ),
    ("compare/compare/compare.csv", "6473b90016e55f8a"),
    ("compare/compare/patterns.csv", "62fdad216f19d02a"),
    ("compare/compare/summary.csv", "8d439bd0fc388908"),
    ("compare/compare/targets.csv", "44df006188990d4f"),
    ("compare/compare/verdict.csv", "29761afd64499215"),
    ("europe/europe/buyers.csv", "3ef30a51b8389e2d"),
    ("europe/europe/contracts.csv", "3aef8415d601d9f4"),
    ("europe/europe/exogenous.csv", "09d2f07bf0929ff3"),
    ("europe/europe/market.csv", "68b9485609fb1df8"),
    ("europe/europe/summary.csv", "4258e788e1701d5f"),
    ("europe/europe/suppliers.csv", "1ccd2c78c3b3cfc5"),
    ("europe/europe/targets.csv", "027a42c35f517c05"),
    ("hypotheses/no_warmup/contracts.csv", "3bf99ea215d39fbc"),
    ("hypotheses/no_warmup/summary.csv", "14a3fa0a48ce3c24"),
    ("hypotheses/no_warmup/targets.csv", "c24851deeba4a875"),
    ("hypotheses/strategic/contracts.csv", "150c2d8376ce40c7"),
    ("hypotheses/strategic/summary.csv", "f5a4307e5b166077"),
    ("hypotheses/strategic/targets.csv", "7a548be486b585ad"),
    ("sweep/golden_sweep/bands.csv", "ef6cb1c4fddd52e0"),
    ("sweep/golden_sweep/points.csv", "003db321436cfe76"),
    ("sweep/golden_sweep/runs.csv", "317e54ddc8adb5b3"),
    ("toy/toy/buyers.csv", "904cdc0c6ef01d67"),
    ("toy/toy/contracts.csv", "b1bb7763b930cce1"),
    ("toy/toy/exogenous.csv", "6a83f5775408ec1f"),
    ("toy/toy/market.csv", "75fb0f2f43486606"),
    ("toy/toy/summary.csv", "a266994c186be29a"),
    ("toy/toy/suppliers.csv", "41703b54f1864df7"),
    ("toy/toy/targets.csv", "65f1867b7250c62a"),
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

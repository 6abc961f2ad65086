//! Helpers shared by the integration tests: the binary, the repository's
//! files, reading outputs and checking exits.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Environment that changes what the binary does: never inherited by a
/// test (a test sets what it needs).
pub const ENV_VARS: [&str; 10] = [
    "SLURM_ARRAY_TASK_ID",
    "SLURM_ARRAY_TASK_COUNT",
    "SLURM_ARRAY_TASK_MIN",
    "SLURM_ARRAY_TASK_MAX",
    "SLURM_CPUS_PER_TASK",
    "ARMSMARKET_TEST_PANIC_JOBS",
    "ARMSMARKET_TEST_ABORT",
    "ARMSMARKET_TEST_SYNC_EVERY",
    "ARMSMARKET_TEST_PAUSE",
    "ARMSMARKET_TEST_FAIL",
];

/// The `armsmarket` binary, with a clean environment.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_armsmarket"));
    for v in ENV_VARS {
        c.env_remove(v);
    }
    c
}

/// Run the binary with `args` and wait for it.
pub fn armsmarket(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

/// Run the binary with `args` and the environment `env` and wait for it.
pub fn armsmarket_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args(args);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("binary runs")
}

/// Run the binary in `dir` with `args`.
pub fn armsmarket_in(dir: &Path, args: &[&str]) -> Output {
    bin()
        .current_dir(dir)
        .args(args)
        .output()
        .expect("binary runs")
}

/// The repository's root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `scenarios/toy.toml`.
pub fn toy() -> PathBuf {
    root().join("scenarios/toy.toml")
}

/// `scenarios/europe.toml`.
pub fn europe() -> PathBuf {
    root().join("scenarios/europe.toml")
}

/// `dir/STEM.toml`: `base = toy.toml` plus `extra`.
pub fn toy_variant(dir: &Path, stem: &str, extra: &str) -> PathBuf {
    let file = dir.join(format!("{stem}.toml"));
    std::fs::write(
        &file,
        format!("base = {:?}\n{extra}", toy().display().to_string()),
    )
    .unwrap();
    file
}

/// Write a manifest's record of a scenario (`resolved`) out as
/// `dir/record.toml` and run it with no flags into `dir/again`; returns
/// that folder.
pub fn run_record(resolved: &serde_json::Value, dir: &Path) -> PathBuf {
    let table: toml::Table = serde_json::from_value(resolved.clone()).unwrap();
    let file = dir.join("record.toml");
    std::fs::write(&file, toml::to_string(&table).unwrap()).unwrap();
    let again = dir.join("again");
    let o = armsmarket(&[
        "run",
        file.to_str().unwrap(),
        "--out",
        again.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "the record: {}", err(&o));
    again
}

/// The text of `scenarios/toy.toml`.
pub const TOY: &str = include_str!("../../scenarios/toy.toml");

/// A file of `tests/data`.
pub fn data(name: &str) -> PathBuf {
    root().join("tests/data").join(name)
}

/// Every per-run table, for `--tables` (the default is the small ones).
pub const EVERY_TABLE: &str = "contracts,market,suppliers,buyers,exogenous,summary";

/// Bytes as text, lossily.
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// A process's stderr as text.
pub fn err(o: &Output) -> String {
    text(&o.stderr)
}

/// A file's bytes; a missing file fails the test with its path.
pub fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The process succeeded; otherwise fail with its stderr.
#[track_caller]
pub fn assert_ok(o: &Output, what: &str) {
    assert!(
        o.status.success(),
        "{what}: exit {:?}\nstderr:\n{}",
        o.status,
        err(o)
    );
}

/// The 1-based line of the first line of `text` that contains `needle`.
pub fn line_of(text: &str, needle: &str) -> u32 {
    text.lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} is not in the text")) as u32
        + 1
}

/// `TOY` with the first `from` replaced by `to` (`from` must occur).
pub fn toy_with(from: &str, to: &str) -> String {
    assert!(TOY.contains(from), "{from:?} is not in toy.toml");
    TOY.replacen(from, to, 1)
}

/// A CSV file's header and rows.
pub fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let mut rd = csv::Reader::from_reader(bytes);
    let header = rd
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect::<Vec<_>>();
    let rows = rd
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// Whether `dir` does not exist or is empty.
pub fn nothing_written(dir: &Path) -> bool {
    match std::fs::read_dir(dir) {
        Ok(mut entries) => entries.next().is_none(),
        Err(_) => true,
    }
}

/// The BLAKE3 checksum of the file at `path`, hex, as `b3sum` prints it:
/// what a manifest records, worked out here with the reference crate
/// rather than by the program's own code.
pub fn blake3_hex(path: &Path) -> String {
    blake3::hash(&read(path)).to_hex().to_string()
}

/// Write `body` as `dir/name` and record it in `dir/manifest.json` (size
/// and BLAKE3 checksum), as if the command had written it: a test of what a
/// reader does with a table's contents gets past the reader's check that
/// the files are as written.
pub fn rewrite_sealed(dir: &Path, name: &str, body: &str) {
    let path = dir.join(name);
    std::fs::write(&path, body).unwrap();
    let file = dir.join("manifest.json");
    let mut m: serde_json::Value = serde_json::from_slice(&read(&file)).unwrap();
    let entry = &mut m["files"][name];
    assert!(entry.is_object(), "{name} is not in the manifest");
    entry["blake3"] = blake3_hex(&path).into();
    entry["bytes"] = (body.len() as u64).into();
    std::fs::write(&file, serde_json::to_string_pretty(&m).unwrap() + "\n").unwrap();
}

/// A copy of the folder `from` at `to`: its files (a result or a shard has
/// no subfolders).
pub fn copy_files(from: &Path, to: &Path) {
    std::fs::create_dir(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

/// Eight weights of `preferences.default`, for tests that need more keys
/// than a sweep or a calibration checks every corner of.
pub const WEIGHTS: [&str; 8] = [
    "price",
    "urgency",
    "quality",
    "offset",
    "reliability",
    "commonality",
    "domestic",
    "european",
];

/// Make a named pipe (FIFO) at `path`, with the system's `mkfifo`.
pub fn mkfifo(path: &Path) {
    let made = Command::new("mkfifo").arg(path).status().unwrap();
    assert!(made.success(), "mkfifo {}", path.display());
}

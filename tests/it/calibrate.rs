//! `armsmarket calibrate`: the shipped toy recovery covers its truths, the
//! bytes do not depend on the thread count nor on a kill and `--resume`,
//! and a bad calibration file is refused with its place.

use crate::common::{assert_ok, bin, csv_rows, err, line_of, nothing_written, read, root};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::Output;

/// The files of a calibration's result that must not depend on threads or
/// interruptions (the manifest holds times and the thread count).
const FILES: [&str; 5] = [
    "generations.csv",
    "posterior.csv",
    "posterior_summary.csv",
    "model_probabilities.csv",
    "predictive.csv",
];

fn toy_recovery() -> PathBuf {
    root().join("scenarios/calibration/toy_recovery.toml")
}

fn calibrate(file: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.arg("calibrate")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("-q")
        .args(extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("binary runs")
}

fn result(out: &Path) -> PathBuf {
    out.join("toy_recovery")
}

#[test]
fn toy_recovery_covers_every_truth_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("one"), tmp.path().join("two"));
    assert_ok(
        &calibrate(&toy_recovery(), &two, &["--threads", "2"], &[]),
        "2 threads",
    );
    assert_ok(
        &calibrate(&toy_recovery(), &one, &["--threads", "1"], &[]),
        "1 thread",
    );
    let (header, rows) = csv_rows(&read(&result(&two).join("posterior_summary.csv")));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 3, "one row per parameter");
    for r in &rows {
        assert_eq!(
            r[col("covered")],
            "true",
            "{}: truth {} outside [{}, {}]",
            r[col("parameter")],
            r[col("truth")],
            r[col("q05")],
            r[col("q95")]
        );
    }
    for f in FILES {
        assert!(
            read(&result(&one).join(f)) == read(&result(&two).join(f)),
            "{f} differs between 1 and 2 threads"
        );
    }
    let (header, rows) = csv_rows(&read(&result(&two).join("predictive.csv")));
    let role = header.iter().position(|h| h == "role").unwrap();
    assert!(
        rows.iter().any(|r| r[role] == "holdout"),
        "a held-out target"
    );
    assert!(result(&two).join("manifest.json").is_file());
    // The report draws the predictive check from these very files.
    let o = crate::common::armsmarket(&["report", result(&two).to_str().unwrap()]);
    assert_ok(&o, "report");
    let html = String::from_utf8(read(&result(&two).join("report.html"))).unwrap();
    assert!(
        html.contains("Posterior predictive check"),
        "no predictive chart"
    );
    assert!(
        !html.contains("it is not drawn"),
        "a calibration file was not read"
    );
    assert!(!html.contains("<script"));
}

#[test]
fn a_kill_after_a_generation_resumes_to_the_same_bytes() {
    let tmp = tempfile::tempdir().unwrap();
    let (reference, killed) = (tmp.path().join("ref"), tmp.path().join("killed"));
    assert_ok(
        &calibrate(&toy_recovery(), &reference, &[], &[]),
        "reference",
    );
    let o = calibrate(
        &toy_recovery(),
        &killed,
        &["--threads", "2"],
        &[("ARMSMARKET_TEST_ABORT", "generation:2")],
    );
    assert!(o.status.signal().is_some(), "should die: {:?}", o.status);
    assert!(!result(&killed).exists(), "no result before the end");
    assert!(killed.join(".toy_recovery.partial/state.toml").is_file());
    let o = calibrate(
        &toy_recovery(),
        &killed,
        &["--resume", "--threads", "1"],
        &[],
    );
    assert_ok(&o, "resume");
    for f in FILES {
        assert!(
            read(&result(&reference).join(f)) == read(&result(&killed).join(f)),
            "{f} differs after kill and resume"
        );
    }
    assert!(
        !killed.join(".toy_recovery.partial").exists(),
        "state removed"
    );
}

/// A calibration file over the toy world with `parameters` as its
/// `[calibrate.parameters]` entries.
fn with_parameters(dir: &Path, parameters: &str) -> PathBuf {
    let text = format!(
        "base = {:?}\nname = \"bad\"\n\n[calibrate]\npopulation = 10\n\n{parameters}",
        root().join("scenarios/toy.toml").display().to_string()
    );
    let file = dir.join("bad.toml");
    std::fs::write(&file, text).unwrap();
    file
}

#[test]
fn a_bad_prior_is_refused_at_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let cases = [
        (
            "[calibrate.parameters.\"market.no_such_key\"]\nprior = \"uniform\"\nmin = 0.0\nmax = 1.0\n",
            "calibrate.parameters.\"market.no_such_key\"",
            "not a numeric key",
        ),
        (
            "[calibrate.parameters.\"market.access_base\"]\nprior = \"uniform\"\nmin = 0.0\nmax = 2.0\n",
            "max = 2.0",
            "out of range",
        ),
        (
            "[calibrate.parameters.\"market.access_base\"]\nprior = \"log_uniform\"\nmin = 0.0\nmax = 0.5\n",
            "min = 0.0",
            "needs min > 0",
        ),
    ];
    for (parameters, at, why) in cases {
        let file = with_parameters(tmp.path(), parameters);
        let o = calibrate(&file, &out, &[], &[]);
        assert_eq!(o.status.code(), Some(2), "{parameters}: {}", err(&o));
        let text = std::fs::read_to_string(&file).unwrap();
        let place = format!("{}:{}:", file.display(), line_of(&text, at));
        assert!(
            err(&o).contains(&place) && err(&o).contains(why),
            "{parameters}: want {place} ... {why}, got {}",
            err(&o)
        );
        assert!(nothing_written(&out), "{parameters}: something was written");
    }
}

#[test]
fn run_compare_and_sweep_refuse_a_calibration() {
    let tmp = tempfile::tempdir().unwrap();
    let file = toy_recovery();
    for command in ["run", "compare", "sweep"] {
        let o = bin()
            .arg(command)
            .arg(&file)
            .arg("--out")
            .arg(tmp.path())
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{command}: {}", err(&o));
        assert!(
            err(&o).contains("armsmarket calibrate"),
            "{command}: {}",
            err(&o)
        );
    }
}

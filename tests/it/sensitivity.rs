//! `armsmarket sweep` with the saltelli and morris designs, and
//! `armsmarket sensitivity` on their results, end to end with the real
//! binary on the toy world (`tests/data/toy_saltelli.toml`,
//! `tests/data/toy_morris.toml`).
#![cfg(unix)]

use crate::common::{
    armsmarket_env as run, assert_ok, bin, csv_rows, data, err, read, rewrite_sealed, text,
};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Sweep `file` into `out` with `extra` options.
fn sweep(file: &Path, out: &Path, extra: &[&str]) -> Output {
    let (f, o) = (file.to_str().unwrap(), out.to_str().unwrap());
    let mut args = vec!["sweep", f, "--out", o, "--quiet"];
    args.extend_from_slice(extra);
    run(&args, &[])
}

fn sensitivity(dir: &Path, extra: &[&str]) -> Output {
    let d = dir.to_str().unwrap();
    let mut args = vec!["sensitivity", d];
    args.extend_from_slice(extra);
    run(&args, &[])
}

/// `sensitivity.csv` as `(metric, parameter, index) -> estimate` text.
fn table(dir: &Path) -> BTreeMap<(String, String, String), Vec<String>> {
    let (h, rows) = csv_rows(&read(&dir.join("sensitivity.csv")));
    assert_eq!(
        h,
        [
            "metric",
            "parameter",
            "index",
            "estimate",
            "lo",
            "hi",
            "conf_normal"
        ]
    );
    rows.into_iter()
        .map(|r| ((r[0].clone(), r[1].clone(), r[2].clone()), r[3..].to_vec()))
        .collect()
}

const PARAMS: [&str; 3] = [
    "preferences.default.delivery",
    "preferences.default.price",
    "suppliers.korea_land.lines.k2.capacity",
];

/// Ctrl-C went unheeded: the bootstrap ran on and the table was written.
/// With the stop flag set, the analysis stops before the next metric and
/// writes nothing.
#[test]
fn a_stopped_analysis_writes_nothing() {
    use armsmarket::sweep::sensitivity::{Options, SensitivityError, analyse};
    static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_morris.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_morris");
    let options = Options {
        seed: None,
        resamples: 100,
        out: None,
        stop: Some(&STOP),
    };
    let e = analyse(&dir, &options).unwrap_err();
    assert!(matches!(e, SensitivityError::Stopped), "{e}");
    assert!(!dir.join("sensitivity.csv").exists());
    // Without the flag the same analysis writes its table.
    analyse(
        &dir,
        &Options {
            stop: None,
            ..options
        },
    )
    .unwrap();
    assert!(dir.join("sensitivity.csv").exists());
}

/// A run's folder given to `sensitivity` was "manifest.json: no sweep
/// plan", and to `discover` came with the advice to run `armsmarket run`
/// again; a calibration's showed serde's words. Each now says what the
/// folder holds and what to give.
#[test]
fn another_commands_result_is_named_as_such() {
    let tmp = tempfile::tempdir().unwrap();
    let o = bin()
        .args(["run", "-r", "1", "-q", "--out"])
        .arg(tmp.path())
        .arg(crate::common::toy())
        .output()
        .unwrap();
    assert_ok(&o, "run");
    let d = tmp.path().join("toy");
    for args in [
        vec!["sensitivity", d.to_str().unwrap()],
        vec!["discover", d.to_str().unwrap(), "--where", "contracts > 1"],
    ] {
        let o = run(&args, &[]);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("toy: a result of `armsmarket run`, not a sweep: give the folder `armsmarket sweep` (or `merge`) wrote"),
            "{}",
            err(&o)
        );
    }
}

#[test]
fn saltelli_sweep_then_sensitivity_writes_every_index_by_role() {
    let tmp = tempfile::tempdir().unwrap();
    let one = tmp.path().join("one");
    let two = tmp.path().join("two");
    assert_ok(
        &sweep(&data("toy_saltelli.toml"), &one, &["--threads", "1"]),
        "sweep, 1 thread",
    );
    assert_ok(
        &sweep(&data("toy_saltelli.toml"), &two, &["--threads", "2"]),
        "sweep, 2 threads",
    );
    let (d1, d2) = (one.join("toy_saltelli"), two.join("toy_saltelli"));

    // points.csv: 4 base rows x (2 x 3 + 2) roles, each once.
    let (h, points) = csv_rows(&read(&d1.join("points.csv")));
    assert_eq!(&h[h.len() - 3..], ["base_row", "matrix", "column"]);
    assert_eq!(points.len(), 32);
    let roles: BTreeSet<(String, String, String)> = points
        .iter()
        .map(|r| (r[4].clone(), r[5].clone(), r[6].clone()))
        .collect();
    assert_eq!(roles.len(), 32);
    for row in 0..4 {
        for (m, c) in [("A", ""), ("B", "")]
            .into_iter()
            .chain(PARAMS.iter().flat_map(|p| [("AB", *p), ("BA", *p)]))
        {
            assert!(
                roles.contains(&(row.to_string(), m.into(), c.into())),
                "{row} {m} {c}"
            );
        }
    }

    let o = sensitivity(&d1, &[]);
    assert_ok(&o, "sensitivity");
    let out = text(&o.stdout);
    assert!(out.contains("top parameters by ST"), "{out}");
    assert!(
        out.lines().any(|l| l.starts_with("focus_value_2022")),
        "{out}"
    );
    assert_ok(&sensitivity(&d2, &[]), "sensitivity, 2-thread sweep");
    let bytes = read(&d1.join("sensitivity.csv"));
    assert_eq!(bytes, read(&d2.join("sensitivity.csv")), "threads 1 vs 2");

    let t = table(&d1);
    let metrics: BTreeSet<&String> = t.keys().map(|k| &k.0).collect();
    for m in [
        "contracts",
        "focus_value_2022",
        "kor_value_2022_distance",
        "mean_distance",
        "verdict_distance",
    ] {
        assert!(metrics.contains(&m.to_string()), "{m} missing");
    }
    assert!(!metrics.contains(&"focus_country".to_string()));
    assert!(!metrics.iter().any(|m| m.ends_with("_pass")));
    let key = |p: &str, i: &str| ("focus_value_2022".to_string(), p.to_string(), i.to_string());
    for p in PARAMS {
        for i in ["S1", "ST"] {
            let v = &t[&key(p, i)];
            let est: f64 = v[0].parse().unwrap();
            let (lo, hi): (f64, f64) = (v[1].parse().unwrap(), v[2].parse().unwrap());
            assert!(est.is_finite() && lo <= hi, "{p} {i} {v:?}");
            assert!(v[3].parse::<f64>().unwrap() >= 0.0);
        }
    }
    let pairs = t
        .keys()
        .filter(|k| k.0 == "focus_value_2022" && k.2 == "S2")
        .count();
    assert_eq!(pairs, 3);
    assert_eq!(t[&key("", "blocks_used")][0], "4");
    assert_eq!(t[&key("", "blocks_dropped")][0], "0");
    let noise: f64 = t[&key("", "noise_share")][0].parse().unwrap();
    assert!(noise > 0.0 && noise.is_finite(), "{noise}");
    // 9 indices and 6 counts per metric, and 9 indices net of the noise
    // where the replications measure it (every metric that varies): on
    // these 4 base rows, defined for the contract count, and empty for the
    // Korean 2022 value, whose variance beyond the noise the bootstrap
    // cannot tell from 0.
    for p in PARAMS {
        for i in ["S1_net", "ST_net"] {
            let v = &t[&("contracts".to_string(), p.to_string(), i.to_string())];
            let est: f64 = v[0].parse().unwrap();
            assert!(est.is_finite(), "{p} {i} {v:?}");
            let v = &t[&key(p, i)];
            assert!(v.iter().all(String::is_empty), "{p} {i} {v:?}");
        }
    }
    let with_net = metrics
        .iter()
        .filter(|m| t.keys().any(|k| &k.0 == **m && k.2 == "ST_net"))
        .count();
    assert!(
        with_net > metrics.len() / 2,
        "{with_net} of {}",
        metrics.len()
    );
    assert_eq!(t.len(), metrics.len() * 15 + with_net * 9);

    // Another seed gives other intervals but the same point estimates
    // (a net index aside, whose being defined rests on the bootstrap);
    // the same seed gives the same bytes.
    let other = tmp.path().join("other.csv");
    let o = sensitivity(&d1, &["--seed", "99", "--out", other.to_str().unwrap()]);
    assert_ok(&o, "sensitivity --seed 99");
    let (_, a) = csv_rows(&bytes);
    let (_, b) = csv_rows(&read(&other));
    assert_eq!(a.len(), b.len());
    assert!(a.iter().zip(&b).all(|(x, y)| x[..3] == y[..3]
        && (x[3] == y[3] || x[2].ends_with("_net") && (x[3].is_empty() || y[3].is_empty()))));
    assert!(a.iter().zip(&b).any(|(x, y)| x[4] != y[4]));
    assert_ok(&sensitivity(&d1, &[]), "again");
    assert_eq!(bytes, read(&d1.join("sensitivity.csv")), "same seed");
    // Its files get the permissions the sweep's own files get.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(
            mode(&d1.join("sensitivity.csv")),
            mode(&d1.join("runs.csv"))
        );
        assert_eq!(mode(&other), mode(&d1.join("runs.csv")));
    }
    // --out naming a folder is a usage error that writes nothing.
    let o = sensitivity(&d1, &["--out", tmp.path().to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("--out is a folder"), "{}", err(&o));
    // So is one that runs through a file; a folder that does not exist yet
    // is created, as run creates its --out.
    let through = d1.join("runs.csv").join("s.csv");
    let o = sensitivity(&d1, &["--out", through.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("which is a file"), "{}", err(&o));
    let fresh = tmp.path().join("new/folder/s.csv");
    assert_ok(
        &sensitivity(&d1, &["--out", fresh.to_str().unwrap()]),
        "a new folder",
    );
    assert_eq!(read(&fresh), bytes, "the same table in a new folder");
    // --out over a file of the sweep itself, by any path, is refused and
    // leaves it whole.
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&d1, &link).unwrap();
    std::fs::write(d1.join("report.html"), "<html>").unwrap();
    for own in [
        d1.join("runs.csv"),
        d1.join("points.csv"),
        d1.join("manifest.json"),
        link.join("runs.csv"),
        d1.join("report.html"),
    ] {
        let before = read(&own);
        let o = sensitivity(&d1, &["--out", own.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(
            err(&o).contains("--out names a file of the sweep itself"),
            "{}",
            err(&o)
        );
        assert_eq!(read(&own), before, "{}", own.display());
    }
    // Nor may it go into another result's folder (here the 2-thread
    // sweep's): it replaced that result's files, or passed for its own
    // table, with exit 0.
    for theirs in [
        d2.join("runs.csv"),
        d2.join("sensitivity.csv"),
        d2.join("new.csv"),
    ] {
        let before = std::fs::read(&theirs).ok();
        let o = sensitivity(&d1, &["--out", theirs.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(
            err(&o).contains("--out names a file in the folder of another result"),
            "{}",
            err(&o)
        );
        assert_eq!(std::fs::read(&theirs).ok(), before, "{}", theirs.display());
    }
    // A table of its own in the folder may be written again.
    let again = d1.join("s2.csv");
    for _ in 0..2 {
        assert_ok(
            &sensitivity(&d1, &["--out", again.to_str().unwrap()]),
            "s2.csv",
        );
    }
}

/// A sweep whose tables are missing or not as its manifest records them
/// is refused, for sensitivity and discover alike, with exit code 2: a
/// table cut at a line boundary would read as a smaller sweep.
#[test]
fn a_missing_or_changed_table_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let points = std::fs::read_to_string(dir.join("points.csv")).unwrap();
    let cut = points.lines().take(3).collect::<Vec<_>>().join("\n") + "\n";
    std::fs::write(dir.join("points.csv"), cut).unwrap();
    std::fs::remove_file(dir.join("runs.csv")).unwrap();
    let d = dir.to_str().unwrap();
    for o in [
        sensitivity(&dir, &[]),
        run(&["discover", d, "--where", "contracts > 1"], &[]),
    ] {
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(
            err(&o).contains(
                "points.csv, runs.csv missing or changed since `armsmarket sweep` wrote the folder"
            ),
            "{}",
            err(&o)
        );
    }
    assert!(!dir.join("sensitivity.csv").exists());
    assert!(!dir.join("discover.csv").exists());
    // A manifest that does not read as a sweep's cannot vouch for them.
    let manifest = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
    let mut m: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    m.as_object_mut().unwrap().remove("files");
    std::fs::write(dir.join("manifest.json"), m.to_string()).unwrap();
    let o = run(&["discover", d, "--where", "contracts > 1"], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("not a sweep's result")
            && err(&o).contains("remove the folder and run the command that wrote it again"),
        "{}",
        err(&o)
    );

    // A merged sweep's tables are merge's to make whole again.
    let parts = tmp.path().join("parts");
    for k in ["1/2", "2/2"] {
        let o = sweep(&data("toy_saltelli.toml"), &parts, &["--shard", k]);
        assert_ok(&o, k);
    }
    let o = run(
        &["merge", parts.join("toy_saltelli.shards").to_str().unwrap()],
        &[],
    );
    assert_ok(&o, "merge");
    let merged = parts.join("toy_saltelli");
    std::fs::write(merged.join("runs.csv"), "point_id\n").unwrap();
    let m = merged.to_str().unwrap();
    for o in [
        sensitivity(&merged, &[]),
        run(&["discover", m, "--where", "contracts > 1"], &[]),
        run(&["report", m], &[]),
    ] {
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(
            err(&o)
                .contains("runs.csv missing or changed since `armsmarket merge` wrote the folder"),
            "{}",
            err(&o)
        );
    }
}

/// A metric that takes one value over the design has no parameter that
/// moves it: the screen says so rather than naming a top parameter at 0.
#[test]
fn a_constant_metric_is_printed_as_constant() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    rewrite_metric(&dir, "contracts", |_, _| "5".into());
    let o = sensitivity(&dir, &[]);
    assert_ok(&o, "sensitivity");
    let line = line_of(&o, "contracts");
    assert!(
        line.ends_with("constant over the design: no parameter moves it"),
        "{line}"
    );
    let t = table(&dir);
    let key = |i: &str| {
        (
            "contracts".to_string(),
            PARAMS[0].to_string(),
            i.to_string(),
        )
    };
    assert_eq!(t[&key("ST")][0], "0");
    // Said in the table too, for its readers (`report` drew bars of 0).
    let guard = |m: &str| (m.to_string(), String::new(), "guard_zeros".to_string());
    assert_eq!(t[&guard("contracts")][0], "1");
    assert_eq!(t[&guard("total_value")][0], "0");
    // The other metrics are ranked as before.
    let other = line_of(&o, "total_value");
    assert!(other.contains(PARAMS[0]), "{other}");
}

/// Rewrite `metric` in `runs.csv` of the sweep in `dir` (its manifest
/// sealed again): row `i` (a row's cells `r`) gets `value(i, r)`.
fn rewrite_metric(dir: &Path, metric: &str, value: impl Fn(usize, &[String]) -> String) {
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == metric).unwrap();
    let mut body = h.join(",") + "\n";
    for (i, mut r) in rows.into_iter().enumerate() {
        r[c] = value(i, &r);
        body += &(r.join(",") + "\n");
    }
    rewrite_sealed(dir, "runs.csv", &body);
}

/// The line `sensitivity` printed for `metric`.
fn line_of(o: &Output, metric: &str) -> String {
    text(&o.stdout)
        .lines()
        .find(|l| l.starts_with(&format!("{metric} ")))
        .unwrap_or_else(|| panic!("no line for {metric}: {}", text(&o.stdout)))
        .to_string()
}

/// `sensitivity`'s line for `metric` after `runs.csv` of the sweep in
/// `dir` has `metric` set to 5 in every row `keep` keeps, empty in the
/// others.
fn line_with_metric_at_5(dir: &Path, metric: &str, keep: impl Fn(usize) -> bool) -> String {
    rewrite_metric(dir, metric, |i, _| {
        if keep(i) { "5".into() } else { String::new() }
    });
    let o = sensitivity(dir, &[]);
    assert_ok(&o, "sensitivity");
    line_of(&o, metric)
}

/// A metric of one value where defined but undefined in other runs was
/// called "constant over the design: no parameter moves it" (a target's
/// distance defined in 2 runs of 32), though the parameters move it
/// between defined and undefined. It is not ranked either: its indices
/// over the blocks left are SALib's zeros. A run that failed leaves a
/// constant metric constant.
#[test]
fn a_metric_undefined_in_some_runs_is_not_called_constant() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let line = line_with_metric_at_5(&dir, "contracts", |i| i != 0);
    assert!(
        line.ends_with(
            "no indices: one value in the 3 blocks used of 4, undefined or failed in the others"
        ),
        "{line}"
    );
    let line = line_with_metric_at_5(&dir, "contracts", |i| i < 2);
    assert!(
        line.contains("no indices: 0 of the 2 complete blocks"),
        "{line}"
    );
    // Job 4 fails (the second point's second replication): its row is
    // empty, the others 5.
    let failing = tmp.path().join("failing");
    let o = run(
        &[
            "sweep",
            data("toy_saltelli.toml").to_str().unwrap(),
            "--out",
            failing.to_str().unwrap(),
            "--quiet",
        ],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "4")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let dir = failing.join("toy_saltelli");
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let status = h.iter().position(|x| x == "status").unwrap();
    let finished: Vec<bool> = rows.iter().map(|r| r[status] == "ok").collect();
    assert_eq!(finished.iter().filter(|ok| !**ok).count(), 1);
    let line = line_with_metric_at_5(&dir, "contracts", |i| finished[i]);
    assert!(
        line.ends_with("constant over the design: no parameter moves it"),
        "{line}"
    );
}

/// A metric of one value at every A and B point but not at the others got
/// S1 = ST = 0 with intervals [0, 0] by SALib's guard, ranked as if
/// measured ("delivery 0.000 [0.000, 0.000]"): it is said to have no
/// indices, and why.
#[test]
fn a_metric_flat_over_a_and_b_is_not_ranked() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let (ph, points) = csv_rows(&read(&dir.join("points.csv")));
    let matrix = ph.iter().position(|x| x == "matrix").unwrap();
    let a_or_b: BTreeSet<String> = points
        .iter()
        .filter(|p| p[matrix] == "A" || p[matrix] == "B")
        .map(|p| p[0].clone())
        .collect();
    rewrite_metric(&dir, "contracts", |i, r| {
        if a_or_b.contains(&r[0]) {
            "5".into()
        } else {
            (6 + i % 3).to_string()
        }
    });
    let o = sensitivity(&dir, &[]);
    assert_ok(&o, "sensitivity");
    let line = line_of(&o, "contracts");
    assert!(
        line.ends_with("no indices: one value at every A and B point, though not at the others, which makes every index 0 (SALib's guard); sweep more points"),
        "{line}"
    );
    // The zeros written are the guard's, and the table says so.
    let guard = |m: &str| (m.to_string(), String::new(), "guard_zeros".to_string());
    let t = table(&dir);
    assert_eq!(t[&guard("contracts")][0], "1");
    assert_eq!(t[&guard("total_value")][0], "0");
}

/// The screen names the parameters by their total index, largest first,
/// as `sensitivity.csv` gives the indices.
#[test]
fn parameters_are_listed_by_total_index_largest_first() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let o = sensitivity(&dir, &[]);
    assert_ok(&o, "sensitivity");
    let t = table(&dir);
    let st = |p: &str| -> f64 {
        t[&("total_value".to_string(), p.to_string(), "ST".to_string())][0]
            .parse()
            .unwrap()
    };
    let line = line_of(&o, "total_value");
    let mut listed: Vec<&str> = PARAMS.into_iter().filter(|p| line.contains(p)).collect();
    listed.sort_by_key(|p| line.find(p));
    assert!(listed.len() >= 2, "{line}");
    assert!(st(listed[0]) > st(listed[listed.len() - 1]), "{line}");
    assert!(listed.windows(2).all(|w| st(w[0]) >= st(w[1])), "{line}");
}

/// `-q` hides the table and the closing line, as it hides every
/// command's, and writes the same file.
#[test]
fn sensitivity_quiet_prints_nothing_and_writes_the_same_file() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let loud = sensitivity(&dir, &[]);
    assert_ok(&loud, "sensitivity");
    assert!(err(&loud).contains("wrote"), "{}", err(&loud));
    let want = read(&dir.join("sensitivity.csv"));
    // Gone before the quiet run, so that it must write it again.
    std::fs::remove_file(dir.join("sensitivity.csv")).unwrap();
    let quiet = sensitivity(&dir, &["-q"]);
    assert_ok(&quiet, "sensitivity -q");
    assert_eq!(
        (text(&quiet.stdout), err(&quiet)),
        (String::new(), String::new())
    );
    assert_eq!(want, read(&dir.join("sensitivity.csv")));
}

#[test]
fn sensitivity_reads_roles_not_row_positions() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    assert_ok(&sensitivity(&dir, &[]), "sensitivity");
    let want = read(&dir.join("sensitivity.csv"));
    // Reverse the rows of points.csv and runs.csv: nothing may change.
    for name in ["points.csv", "runs.csv"] {
        let body = String::from_utf8(read(&dir.join(name))).unwrap();
        let mut lines: Vec<&str> = body.lines().collect();
        lines[1..].reverse();
        rewrite_sealed(&dir, name, &(lines.join("\n") + "\n"));
    }
    std::fs::remove_file(dir.join("sensitivity.csv")).unwrap();
    assert_ok(&sensitivity(&dir, &[]), "sensitivity, rows reversed");
    assert_eq!(want, read(&dir.join("sensitivity.csv")));
}

#[test]
fn shards_merged_give_the_same_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("whole");
    let parts = tmp.path().join("parts");
    assert_ok(&sweep(&data("toy_saltelli.toml"), &whole, &[]), "whole");
    for k in ["1/3", "2/3", "3/3"] {
        assert_ok(
            &sweep(&data("toy_saltelli.toml"), &parts, &["--shard", k]),
            k,
        );
    }
    let shard = parts.join("toy_saltelli.shards/shard-1-of-3");
    let o = sensitivity(&shard, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("merge the shards first"), "{}", err(&o));
    // A report of a shard would chart a slice of the design as the sweep.
    let o = run(&["report", shard.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("merge the shards first"), "{}", err(&o));
    assert!(!shard.join("report.html").exists());
    let o = run(
        &["merge", parts.join("toy_saltelli.shards").to_str().unwrap()],
        &[],
    );
    assert_ok(&o, "merge");
    let merged = parts.join("toy_saltelli");
    assert_eq!(
        read(&merged.join("points.csv")),
        read(&whole.join("toy_saltelli/points.csv"))
    );
    assert_ok(&sensitivity(&merged, &[]), "merged");
    assert_ok(&sensitivity(&whole.join("toy_saltelli"), &[]), "whole");
    assert_eq!(
        read(&merged.join("sensitivity.csv")),
        read(&whole.join("toy_saltelli/sensitivity.csv"))
    );
}

#[test]
fn failed_runs_are_listed_and_their_blocks_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let f = data("toy_saltelli.toml");
    let out = tmp.path().to_str().unwrap();
    // Job 4 is the second point's second replication: base row 0.
    let o = run(
        &[
            "sweep",
            f.to_str().unwrap(),
            "--out",
            out,
            "--quiet",
            "--threads",
            "2",
        ],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "4")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let dir = tmp.path().join("toy_saltelli");
    let o = sensitivity(&dir, &[]);
    assert_ok(&o, "sensitivity with a failed run");
    let shown = text(&o.stdout);
    // One run, said in the singular.
    assert!(shown.contains("1 run failed;"), "{shown}");
    assert!(shown.contains("replication 1"), "{shown}");
    let t = table(&dir);
    let k = |i: &str| ("focus_value_2022".to_string(), String::new(), i.to_string());
    assert_eq!(t[&k("blocks_used")][0], "3");
    assert_eq!(t[&k("blocks_dropped")][0], "1");
    assert_eq!(t[&k("points_failed")][0], "1");
}

#[test]
fn morris_sweep_then_sensitivity() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_morris.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_morris");
    let (h, points) = csv_rows(&read(&dir.join("points.csv")));
    assert_eq!(
        &h[h.len() - 4..],
        ["trajectory", "step", "moved", "direction"]
    );
    // 4 trajectories x 3 steps, some sharing a point (and its runs).
    assert_eq!(points.len(), 12);
    let steps: BTreeSet<(String, String)> = points
        .iter()
        .map(|r| (r[3].clone(), r[4].clone()))
        .collect();
    assert_eq!(steps.len(), 12);
    for r in &points {
        let base = r[4] == "0";
        assert_eq!(r[5].is_empty(), base, "{r:?}");
        assert!(base || r[6] == "up" || r[6] == "down", "{r:?}");
    }
    let o = sensitivity(&dir, &["--resamples", "50"]);
    assert_ok(&o, "sensitivity");
    let out = text(&o.stdout);
    assert!(out.contains("top parameters by mu_star"));
    // The used/all counts end where their header ends (the header was
    // three characters wider than the column).
    let header = out.lines().next().unwrap();
    let end = header.find("trajectories").unwrap() + "trajectories".len();
    let row = out
        .lines()
        .find(|l| l.starts_with("total_value "))
        .unwrap_or_else(|| panic!("{out}"));
    assert_eq!(&row[end - 3..end], "4/4", "{header}\n{row}");
    let t = table(&dir);
    let key = |p: &str, i: &str| ("total_value".to_string(), p.to_string(), i.to_string());
    for p in ["preferences.default.delivery", PARAMS[2]] {
        let mu: f64 = t[&key(p, "mu")][0].parse().unwrap();
        let star = &t[&key(p, "mu_star")];
        let mu_star: f64 = star[0].parse().unwrap();
        assert!(mu_star >= mu.abs() - 1e-9, "{p}: mu* {mu_star} < |mu| {mu}");
        assert!(star[1].parse::<f64>().unwrap() <= star[2].parse::<f64>().unwrap());
        assert!(t[&key(p, "sigma")][0].parse::<f64>().unwrap() >= 0.0);
        assert!(t[&key(p, "mu")][1].is_empty(), "no interval for mu");
    }
    assert_eq!(t[&key("", "trajectories_used")][0], "4");

    // The K2 line's capacity is whole units 3..=20 (18 strata): a level's
    // unit value u gives 3 + floor(18 u), so a move of Δ = 2/3 is 12
    // units (2/3 of the span) from u = 0 and 11 (11/18) from u = 1/3. Each
    // effect is divided by the move it made, worked out here from the
    // points' values and the means of their runs.
    let (rh, runs) = csv_rows(&read(&dir.join("runs.csv")));
    let col = rh.iter().position(|c| c == "total_value").unwrap();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in &runs {
        let e = sums.entry(r[0].clone()).or_default();
        e.0 += r[col].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    let mean = |id: &str| sums[id].0 / sums[id].1;
    let at: BTreeMap<(String, String), &Vec<String>> = points
        .iter()
        .map(|r| ((r[3].clone(), r[4].clone()), r))
        .collect();
    let mut effects = Vec::new();
    let mut moves = BTreeSet::new();
    for r in points.iter().filter(|r| r[5] == PARAMS[2]) {
        let step: usize = r[4].parse().unwrap();
        let before = at[&(r[3].clone(), (step - 1).to_string())];
        let (x, y): (f64, f64) = (before[2].parse().unwrap(), r[2].parse().unwrap());
        let moved = (y - x).abs() / 18.0;
        moves.insert((y - x).abs() as u32);
        let dy = mean(&r[0]) - mean(&before[0]);
        effects.push(if r[6] == "up" { dy } else { -dy } / moved);
    }
    assert!(moves.contains(&11), "no step of 11 units: {moves:?}");
    let mu = effects.iter().sum::<f64>() / effects.len() as f64;
    let got: f64 = t[&key(PARAMS[2], "mu")][0].parse().unwrap();
    assert!(
        (got - mu).abs() <= 1e-9 * mu.abs(),
        "mu {got}, by hand {mu}"
    );
}

#[test]
fn other_designs_and_bad_options_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(
        &sweep(&data("toy_sweep.toml"), tmp.path(), &[]),
        "lhs sweep",
    );
    let o = sensitivity(&tmp.path().join("toy_sweep"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("its design, lhs, has no sensitivity indices"),
        "{}",
        err(&o)
    );
    assert!(!tmp.path().join("toy_sweep/sensitivity.csv").exists());
    let o = sensitivity(&tmp.path().join("nothing"), &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("not a finished sweep"), "{}", err(&o));
    let o = sensitivity(&tmp.path().join("toy_sweep"), &["--resamples", "1"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
}

#[test]
fn a_file_sensitivity_did_not_write_is_not_written_over() {
    // `--out` named the sweep's own scenario file (or any file) and
    // replaced it with the table, exit 0.
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "design = \"saltelli\"\npoints = 4\nreplications = 2",
    );
    let before = read(&file);
    assert_ok(&sweep(&file, tmp.path(), &[]), "saltelli sweep");
    let dir = tmp.path().join("s");
    let o = sensitivity(&dir, &["--out", file.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("exists and is not a table `sensitivity` wrote"),
        "{}",
        err(&o)
    );
    assert_eq!(read(&file), before, "the scenario file was written over");
    // A user's own DIR/sensitivity.csv is kept too; the table this command
    // wrote is replaced.
    let own = dir.join("sensitivity.csv");
    std::fs::write(&own, "my notes\n").unwrap();
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(text(&read(&own)), "my notes\n");
    // An empty file is replaced: no one's content is lost.
    std::fs::write(&own, "").unwrap();
    assert_ok(
        &sensitivity(&dir, &[]),
        "first analysis, over an empty file",
    );
    assert_ok(
        &sensitivity(&dir, &[]),
        "the analysis again, over its own table",
    );
}

/// A sweep file over the toy world with `sweep` as its `[sweep]` table.
fn sweep_file(dir: &Path, sweep: &str) -> PathBuf {
    let toy = crate::common::toy();
    let body = format!(
        "base = {:?}\nname = \"s\"\n\n[sweep]\n{sweep}\n\n[sweep.parameters]\n\"preferences.default.delivery\" = {{ min = 0.2, max = 2.0 }}\n",
        toy.display().to_string()
    );
    let f = dir.join("s.toml");
    std::fs::write(&f, body).unwrap();
    f
}

#[test]
fn sensitivity_design_options_are_validated_where_they_are_written() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "design = \"saltelli\"\npoints = 6\nreplications = 2",
            "a Saltelli design needs a power of two: use 4 or 8",
            6,
        ),
        (
            "design = \"saltelli\"\npoints = 4\nreplications = 2\nlevels = 4",
            "`sweep.levels` applies only to a morris design",
            8,
        ),
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 5\nreplications = 2",
            "Morris levels must be even",
            7,
        ),
        (
            "design = \"morris\"\npoints = 4\nreplications = 2",
            "give `trajectories`",
            6,
        ),
        (
            "design = \"lhs\"\npoints = 4\nsecond_order = false\nreplications = 2",
            "`sweep.second_order` applies only to a saltelli design",
            7,
        ),
    ];
    for (table, message, line) in cases {
        let f = sweep_file(tmp.path(), table);
        let o = run(&["validate", f.to_str().unwrap()], &[]);
        assert_eq!(o.status.code(), Some(2), "{table}: {}", err(&o));
        let e = err(&o);
        assert!(e.contains(message), "{table}: {e}");
        let at = format!("s.toml:{line}:");
        assert!(e.contains(&at), "{table}: wanted {at} in {e}");
    }
}

/// The command's S1 and ST equal those of the per-point means laid out in
/// SALib's row order and put through the formulas that are tested against
/// SALib itself (`tests/it/parity.rs`): what SALib's `sobol.analyze` would
/// give on the same means.
#[test]
fn sensitivity_equals_the_salib_order_computation_on_the_same_means() {
    use armsmarket::analysis::sensitivity::{SaltelliOutputs, sobol_indices};
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    assert_ok(&sensitivity(&dir, &[]), "sensitivity");
    let metric = "focus_value_2022";
    let (h, runs) = csv_rows(&read(&dir.join("runs.csv")));
    let col = h.iter().position(|c| c == metric).unwrap();
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for r in &runs {
        let e = sums.entry(r[0].clone()).or_default();
        e.0 += r[col].parse::<f64>().unwrap();
        e.1 += 1.0;
    }
    let (_, points) = csv_rows(&read(&dir.join("points.csv")));
    let (dims, block) = (3, 8);
    let mut y = vec![f64::NAN; points.len()];
    for p in &points {
        let j = PARAMS.iter().position(|x| *x == p[6]);
        let offset = match (p[5].as_str(), j) {
            ("A", None) => 0,
            ("AB", Some(j)) => 1 + j,
            ("BA", Some(j)) => 1 + dims + j,
            ("B", None) => block - 1,
            other => panic!("{other:?}"),
        };
        let (s, n) = sums[&p[0]];
        y[p[4].parse::<usize>().unwrap() * block + offset] = s / n;
    }
    let outputs = SaltelliOutputs::from_salib_order(&y, dims, true).unwrap();
    let resamples = vec![(0..4).collect::<Vec<usize>>(); 2];
    let want = sobol_indices(&outputs, &resamples, 0.95).unwrap();
    let t = table(&dir);
    for (j, p) in PARAMS.iter().enumerate() {
        for (index, e) in [("S1", want.s1[j]), ("ST", want.st[j])] {
            let got: f64 = t[&(metric.to_string(), p.to_string(), index.to_string())][0]
                .parse()
                .unwrap();
            assert!(
                (got - e.estimate).abs() <= 1e-12,
                "{p} {index}: {got} vs {}",
                e.estimate
            );
        }
    }
}

#[test]
fn a_cut_or_doubled_runs_table_is_refused_not_read_as_failures() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let runs = dir.join("runs.csv");
    let whole = std::fs::read_to_string(&runs).unwrap();
    let mut lines: Vec<&str> = whole.lines().collect();
    // One run's row lost: not the table the sweep wrote.
    let last = lines.pop().unwrap();
    std::fs::write(&runs, lines.join("\n") + "\n").unwrap();
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("runs.csv missing or changed since `armsmarket sweep` wrote the folder"),
        "{}",
        err(&o)
    );
    assert!(!dir.join("sensitivity.csv").exists());
    // The same table with its manifest made to match: the count of
    // replications still gives it away.
    rewrite_sealed(&dir, "runs.csv", &(lines.join("\n") + "\n"));
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("replications"), "{}", err(&o));
    // One run's row twice.
    lines.push(last);
    lines.push(last);
    rewrite_sealed(&dir, "runs.csv", &(lines.join("\n") + "\n"));
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("appears twice"), "{}", err(&o));
    // A row cut mid-way (fewer cells than the header) is a damaged input
    // for sensitivity and report alike, not a failed read.
    lines.pop();
    lines.pop();
    let cut = &last[..last.len() / 2];
    rewrite_sealed(&dir, "runs.csv", &(lines.join("\n") + "\n" + cut + "\n"));
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "sensitivity: {}", err(&o));
    let o = run(&["report", dir.to_str().unwrap()], &[]);
    assert_eq!(o.status.code(), Some(2), "report: {}", err(&o));
    assert!(err(&o).contains("runs.csv"), "{}", err(&o));
}

/// A morris metric is constant by its runs' values, not by its elementary
/// effects: one value per group of trajectories that share points gives
/// no effect anywhere, yet several values (this was called constant).
#[test]
fn a_morris_metric_with_no_effect_but_several_values_is_not_constant() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_morris.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_morris");
    // Points linked by a trajectory they share: each point's group.
    let (h, points) = csv_rows(&read(&dir.join("points.csv")));
    let tr = h.iter().position(|x| x == "trajectory").unwrap();
    let mut group: BTreeMap<String, usize> = BTreeMap::new();
    let mut by_trajectory: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for r in &points {
        by_trajectory.entry(&r[tr]).or_default().push(&r[0]);
    }
    for (g, members) in by_trajectory.values().enumerate() {
        // Join the groups these points are in already.
        let joined: BTreeSet<usize> = members
            .iter()
            .filter_map(|p| group.get(*p).copied())
            .collect();
        for v in group.values_mut() {
            if joined.contains(v) {
                *v = g;
            }
        }
        for p in members {
            group.insert(p.to_string(), g);
        }
    }
    let values: BTreeSet<usize> = group.values().copied().collect();
    assert!(values.len() > 1, "the design links every point: {group:?}");
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == "contracts").unwrap();
    let line = |body: &str| {
        rewrite_sealed(&dir, "runs.csv", body);
        let o = sensitivity(&dir, &["--resamples", "50"]);
        assert_ok(&o, "sensitivity");
        text(&o.stdout)
            .lines()
            .find(|l| l.starts_with("contracts "))
            .unwrap()
            .to_string()
    };
    let body = |value: &dyn Fn(&str) -> String| {
        let mut b = h.join(",") + "\n";
        for r in &rows {
            let mut r = r.clone();
            r[c] = value(&r[0]);
            b += &(r.join(",") + "\n");
        }
        b
    };
    let by_group = line(&body(&|p| (10 * (group[p] + 1)).to_string()));
    assert!(!by_group.contains("constant over the design"), "{by_group}");
    let one = line(&body(&|_| "5".to_string()));
    assert!(
        one.ends_with("constant over the design: no parameter moves it"),
        "{one}"
    );
}

/// A Saltelli design with one base block printed estimates, ST = 2.000
/// among them, with intervals of zero width: the bootstrap can only
/// resample the one block. It now gives no indices and says why. (A Morris
/// design has at least 2 trajectories; the analysis's own tests cover one
/// left complete after failures.)
#[test]
fn one_complete_block_gives_no_indices() {
    let tmp = tempfile::tempdir().unwrap();
    let f = sweep_file(
        tmp.path(),
        "design = \"saltelli\"\npoints = 1\nreplications = 1",
    );
    assert_ok(&sweep(&f, tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("s");
    let o = sensitivity(&dir, &[]);
    assert_ok(&o, "sensitivity");
    let shown = text(&o.stdout);
    let line = shown
        .lines()
        .find(|l| l.starts_with("contracts "))
        .unwrap_or_else(|| panic!("{shown}"));
    assert!(
        line.ends_with(
            "no indices: 1 of the 2 complete blocks the bootstrap needs (sweep more points)"
        ),
        "{line}"
    );
    let t = table(&dir);
    assert!(
        t.keys().all(|(_, p, _)| p.is_empty()),
        "only the design's own rows: {:?}",
        t.keys()
    );
    let used = (
        "contracts".to_string(),
        String::new(),
        "blocks_used".to_string(),
    );
    assert_eq!(t[&used][0], "1");
}

/// With one parameter, AB_0 and B are one point of the design, run once:
/// its noise appears in both, and `S1_net` takes it off. Worked out here
/// from `points.csv` and `runs.csv` as docs/ODD.md section 4 says: the
/// means standardised over every role, V of A and B pooled (divisor n),
/// τ = s²/R per point in the same units, S1_net = (mean(B (AB − A)) −
/// mean(τ_B)) / (V − mean(τ over A and B)).
#[test]
fn net_first_order_takes_a_shared_point_s_noise_off() {
    let tmp = tempfile::tempdir().unwrap();
    let file = sweep_file(
        tmp.path(),
        "design = \"saltelli\"\npoints = 16\nreplications = 4\nseed = 3",
    );
    assert_ok(&sweep(&file, tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("s");
    assert_ok(&sensitivity(&dir, &[]), "sensitivity");
    let (rh, runs) = csv_rows(&read(&dir.join("runs.csv")));
    let col = rh.iter().position(|c| c == "contracts").unwrap();
    let mut reps: BTreeMap<String, Vec<f64>> = BTreeMap::new();
    for r in &runs {
        reps.entry(r[0].clone())
            .or_default()
            .push(r[col].parse().unwrap());
    }
    let (_, points) = csv_rows(&read(&dir.join("points.csv")));
    // (base row, matrix) → point id; the rows in order.
    let id: BTreeMap<(usize, String), String> = points
        .iter()
        .map(|p| ((p[2].parse().unwrap(), p[3].clone()), p[0].clone()))
        .collect();
    let n = 16;
    let at = |row: usize, m: &str| &reps[&id[&(row, m.to_string())]];
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    let tau = |v: &[f64]| {
        let m = mean(v);
        v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0) / v.len() as f64
    };
    // Standardised over every role's mean (A, AB, BA, B), divisor n.
    let all: Vec<f64> = (0..n)
        .flat_map(|i| ["A", "AB", "BA", "B"].map(|m| mean(at(i, m))))
        .collect();
    let (mu, sd) = {
        let m = mean(&all);
        (
            m,
            (all.iter().map(|x| (x - m).powi(2)).sum::<f64>() / all.len() as f64).sqrt(),
        )
    };
    let z = |v: &[f64]| (mean(v) - mu) / sd;
    let pooled: Vec<f64> = (0..n)
        .flat_map(|i| [z(at(i, "A")), z(at(i, "B"))])
        .collect();
    let pm = mean(&pooled);
    let v = pooled.iter().map(|x| (x - pm).powi(2)).sum::<f64>() / pooled.len() as f64;
    let t = |row: usize, m: &str| tau(at(row, m)) / (sd * sd);
    let noise_v = (0..n).map(|i| t(i, "A") + t(i, "B")).sum::<f64>() / (2 * n) as f64;
    let num = (0..n)
        .map(|i| z(at(i, "B")) * (z(at(i, "AB")) - z(at(i, "A"))))
        .sum::<f64>()
        / n as f64;
    let shared = (0..n).map(|i| t(i, "B")).sum::<f64>() / n as f64;
    let want = (num - shared) / (v - noise_v);
    let apart = num / (v - noise_v);
    let table = table(&dir);
    let got: f64 = table[&(
        "contracts".to_string(),
        "preferences.default.delivery".to_string(),
        "S1_net".to_string(),
    )][0]
        .parse()
        .unwrap();
    assert!(
        (got - want).abs() <= 1e-9 * want.abs(),
        "S1_net {got}, by hand {want}"
    );
    assert!(
        (apart - want).abs() > 1e-3,
        "the shared noise should matter: {apart} vs {want}"
    );
}

/// A sweep written before target ids such as `total` were refused has a
/// runs.csv naming a column twice (`total_value`, the summary's and the
/// target's): two metrics of one name, each read as the other. Refused.
#[test]
fn a_runs_table_naming_a_column_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_saltelli.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let (header, rest) = runs.split_once('\n').unwrap();
    let doubled = header.replace("kor_value_2022_value", "total_value");
    assert_ne!(doubled, header);
    rewrite_sealed(&dir, "runs.csv", &format!("{doubled}\n{rest}"));
    let o = sensitivity(&dir, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("runs.csv: the header names column 'total_value' twice (columns "),
        "{}",
        err(&o)
    );
    assert!(
        err(&o).contains("give the target a different id and run the sweep again"),
        "{}",
        err(&o)
    );
    assert!(!dir.join("sensitivity.csv").exists());
}

/// A `points.csv` row whose role does not read (a file checked against
/// its manifest, but written by hand) is named at `FILE:LINE:`, the form
/// of every other located message, whichever cell is at fault.
#[test]
fn a_points_row_whose_role_does_not_read_is_named_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    assert_ok(&sweep(&data("toy_morris.toml"), tmp.path(), &[]), "sweep");
    let dir = tmp.path().join("toy_morris");
    let points = read(&dir.join("points.csv"));
    let points = text(&points);
    for (row, cell, says) in [
        (2, "down", "direction `sideways` is not up or down"),
        (3, ",1,", "`x` is not a number"),
    ] {
        let mut lines: Vec<String> = points.lines().map(String::from).collect();
        let with = if cell == "down" { "sideways" } else { ",x," };
        assert!(lines[row].contains(cell), "{}", lines[row]);
        lines[row] = lines[row].replacen(cell, with, 1);
        rewrite_sealed(&dir, "points.csv", &(lines.join("\n") + "\n"));
        let o = sensitivity(&dir, &[]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        let want = format!("points.csv:{}: {says}", row + 1);
        assert!(err(&o).contains(&want), "{want}: {}", err(&o));
        assert!(!dir.join("sensitivity.csv").exists());
    }
}

//! `armsmarket sweep`, `merge` and `slurm` end to end: the real binary, in
//! temporary directories, on the toy world (`tests/data/toy_sweep.toml`,
//! `tests/data/toy_grid.toml` and variants of them written per test).
//!
//! The promise under test: whatever happens to a sweep — threads, shards,
//! Slurm arrays, kills at any moment, panicking runs — the files it ends
//! with are byte for byte those of one uninterrupted single-machine run.
#![cfg(unix)]

use crate::common::{assert_ok, bin, csv_rows, data, err, read, root, text};
use std::collections::{BTreeMap, HashSet};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Files of a sweep that must be reproduced byte for byte.
const TABLES: [&str; 3] = ["points.csv", "runs.csv", "bands.csv"];

/// The kept tables used where a test keeps some.
const KEEP: &str = "market,contracts";

pub(crate) fn toy_sweep() -> PathBuf {
    data("toy_sweep.toml")
}

fn toy_grid() -> PathBuf {
    data("toy_grid.toml")
}

/// `sweep FILE --out OUT --quiet` plus `extra`, with `--threads 2` unless
/// `extra` names the threads.
fn sweep_cmd(file: &Path, out: &Path, extra: &[&str]) -> Command {
    let mut c = bin();
    c.arg("sweep")
        .arg(file)
        .arg("--out")
        .arg(out)
        .arg("--quiet");
    if !extra.iter().any(|a| *a == "--threads" || *a == "-t") {
        c.args(["--threads", "2"]);
    }
    c.args(extra);
    c
}

fn sweep(file: &Path, out: &Path, extra: &[&str]) -> Output {
    sweep_cmd(file, out, extra).output().expect("binary runs")
}

fn sweep_env(file: &Path, out: &Path, extra: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = sweep_cmd(file, out, extra);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("binary runs")
}

fn merge(dir: &Path) -> Output {
    bin().arg("merge").arg(dir).output().expect("binary runs")
}

/// The data files of a sweep directory (the three tables plus `keep`).
fn file_names(keep: &[&str]) -> Vec<String> {
    TABLES
        .iter()
        .map(|s| s.to_string())
        .chain(keep.iter().map(|k| format!("{k}.csv")))
        .collect()
}

fn keep_list(keep: &str) -> Vec<&str> {
    keep.split(',').filter(|s| !s.is_empty()).collect()
}

fn files_of(dir: &Path, keep: &[&str]) -> BTreeMap<String, Vec<u8>> {
    file_names(keep)
        .into_iter()
        .map(|f| {
            let b = read(&dir.join(&f));
            (f, b)
        })
        .collect()
}

/// The files of one clean, uninterrupted single-machine sweep.
pub(crate) fn reference(file: &Path, extra: &[&str], keep: &[&str]) -> BTreeMap<String, Vec<u8>> {
    let dir = tempfile::tempdir().unwrap();
    let o = sweep(file, dir.path(), extra);
    assert_ok(&o, "reference sweep");
    let name = sweep_name(file);
    let files = files_of(&dir.path().join(&name), keep);
    for (f, b) in &files {
        assert!(b.len() > 50, "reference {f} is nearly empty");
    }
    files
}

/// The `name` of a sweep file (they all set one).
pub(crate) fn sweep_name(file: &Path) -> String {
    let t = std::fs::read_to_string(file).unwrap();
    t.lines()
        .find_map(|l| l.strip_prefix("name = \""))
        .and_then(|l| l.strip_suffix('"'))
        .unwrap_or_else(|| panic!("{} has no name line", file.display()))
        .to_string()
}

/// Where two byte strings first differ, as a line number and both lines.
fn first_difference(a: &[u8], b: &[u8]) -> String {
    let (ta, tb) = (text(a), text(b));
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.lines().collect(), tb.lines().collect());
    for i in 0..la.len().max(lb.len()) {
        if la.get(i) != lb.get(i) {
            return format!(
                "first difference at line {}:\n  got:  {:?}\n  want: {:?}\n({} vs {} lines, {} vs {} bytes)",
                i + 1,
                la.get(i).map(|s| s.chars().take(160).collect::<String>()),
                lb.get(i).map(|s| s.chars().take(160).collect::<String>()),
                la.len(),
                lb.len(),
                a.len(),
                b.len()
            );
        }
    }
    format!("same lines, {} vs {} bytes", a.len(), b.len())
}

#[track_caller]
pub(crate) fn assert_same_files(dir: &Path, want: &BTreeMap<String, Vec<u8>>, what: &str) {
    for (f, w) in want {
        let p = dir.join(f);
        let got = std::fs::read(&p).unwrap_or_else(|e| panic!("{what}: {}: {e}", p.display()));
        assert!(
            got == *w,
            "{what}: {f} differs from the uninterrupted single-machine sweep; {}",
            first_difference(&got, w)
        );
    }
}

/// Write a variant of a sweep file in `dir`: `base` made absolute, then
/// each `(from, to)` replaced (each `from` must occur).
pub(crate) fn variant(dir: &Path, src: &Path, name: &str, edits: &[(&str, &str)]) -> PathBuf {
    let mut t = std::fs::read_to_string(src).unwrap();
    let toy = root().join("scenarios/toy.toml");
    let base_line = "base = \"../../scenarios/toy.toml\"";
    assert!(t.contains(base_line), "{} has no base line", src.display());
    t = t.replace(
        base_line,
        &format!("base = {:?}", toy.display().to_string()),
    );
    for (from, to) in edits {
        assert!(t.contains(from), "{} has no {from:?}", src.display());
        t = t.replacen(from, to, 1);
    }
    let p = dir.join(name);
    std::fs::write(&p, t).unwrap();
    p
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {header:?}"))
}

/// runs.csv holds every (point, replication) of points.csv exactly once,
/// points in order and replications in order within a point.
#[track_caller]
fn assert_runs_complete(dir: &Path, reps: usize) {
    let (_, points) = csv_rows(&read(&dir.join("points.csv")));
    let ids: Vec<&str> = points.iter().map(|r| r[0].as_str()).collect();
    let (h, runs) = csv_rows(&read(&dir.join("runs.csv")));
    let (pc, rc) = (column(&h, "point_id"), column(&h, "replication"));
    assert_eq!(
        runs.len(),
        ids.len() * reps,
        "runs.csv has {} rows for {} points x {reps} replications",
        runs.len(),
        ids.len()
    );
    let mut seen = HashSet::new();
    for (i, r) in runs.iter().enumerate() {
        let key = (r[pc].clone(), r[rc].clone());
        assert!(seen.insert(key.clone()), "run {key:?} appears twice");
        let want = (ids[i / reps].to_string(), (i % reps).to_string());
        assert_eq!(key, want, "row {} of runs.csv is out of place", i + 2);
    }
}

/// The sweep directory and its work directory.
fn work(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap().to_string_lossy();
    dir.with_file_name(format!(".{name}.partial"))
}

// ---------------------------------------------------------------------------
// 1. Threads
// ---------------------------------------------------------------------------

#[test]
fn same_bytes_with_one_or_two_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    let keep = keep_list(KEEP);
    assert_ok(
        &sweep(&toy_sweep(), &a, &["--threads", "1", "--keep", KEEP]),
        "--threads 1",
    );
    assert_ok(
        &sweep(&toy_sweep(), &b, &["--threads", "2", "--keep", KEEP]),
        "--threads 2",
    );
    let one = files_of(&a.join("toy_sweep"), &keep);
    for (f, bytes) in &one {
        assert!(bytes.len() > 100, "{f} is nearly empty");
    }
    assert_same_files(&b.join("toy_sweep"), &one, "--threads 2 vs --threads 1");
    assert_runs_complete(&a.join("toy_sweep"), 5);
    // A finished sweep leaves no work directory behind.
    assert!(!work(&a.join("toy_sweep")).exists());
    // And without --keep the three tables are the same as with it.
    assert_ok(&sweep(&toy_sweep(), &tmp.path().join("c"), &[]), "no keep");
    let mut tables = one.clone();
    tables.retain(|f, _| TABLES.contains(&f.as_str()));
    assert_same_files(&tmp.path().join("c/toy_sweep"), &tables, "without --keep");
    assert!(!tmp.path().join("c/toy_sweep/market.csv").exists());
}

/// A path that does not exist was called "neither a shard folder, nor a
/// folder of shards, nor a result ..."; it is named as missing.
#[test]
fn merge_names_a_path_that_does_not_exist() {
    let tmp = tempfile::tempdir().unwrap();
    let o = merge(&tmp.path().join("nonexistent"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("nonexistent: no such folder; give the `.shards` folder"),
        "{}",
        err(&o)
    );
}

/// `verdict_distance` is the statistic `compare` judges by, worked out
/// again here from each run's target distances: capped at 10, averaged
/// within each pattern over its defined targets, then over patterns.
#[test]
fn runs_carry_the_verdicts_distance() {
    // The European world: its patterns hold several targets, and some
    // distances pass the cap, so the two statistics differ.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let europe = root().join("scenarios/europe.toml");
    let file = tmp.path().join("europe_sweep.toml");
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nname = \"europe_sweep\"\n[sweep]\ndesign = \"random\"\npoints = 3\nreplications = 4\nseed = 5\n[sweep.parameters]\n\"preferences.default.delivery\" = {{ min = 0.2, max = 0.6 }}\n",
            europe.display().to_string()
        ),
    )
    .unwrap();
    assert_ok(&sweep(&file, &out, &[]), "sweep");
    // Each target's pattern, from a run of the base world.
    let o = bin()
        .args(["run", "-r", "1", "-q", "--tables", "summary", "--out"])
        .arg(tmp.path().join("run"))
        .arg(&europe)
        .output()
        .unwrap();
    assert_ok(&o, "run");
    let (th, trows) = csv_rows(&read(&tmp.path().join("run/europe/targets.csv")));
    let (tc, pc) = (column(&th, "target"), column(&th, "pattern"));
    let pattern: BTreeMap<String, String> = trows
        .iter()
        .map(|r| (r[tc].clone(), r[pc].clone()))
        .collect();
    let (h, runs) = csv_rows(&read(&out.join("europe_sweep/runs.csv")));
    let (mean_c, verdict_c) = (column(&h, "mean_distance"), column(&h, "verdict_distance"));
    assert_eq!(h[verdict_c + 1], "all_pass");
    let mut differ = 0;
    for r in &runs {
        // Pattern -> (sum of capped distances, defined targets), in order
        // of first appearance.
        let mut by: Vec<(String, f64, usize)> = Vec::new();
        for (id, p) in &pattern {
            let cell = &r[column(&h, &format!("{id}_distance"))];
            let i = match by.iter().position(|(q, _, _)| q == p) {
                Some(i) => i,
                None => {
                    by.push((p.clone(), 0.0, 0));
                    by.len() - 1
                }
            };
            if !cell.is_empty() {
                by[i].1 += cell.parse::<f64>().unwrap().min(10.0);
                by[i].2 += 1;
            }
        }
        let means: Vec<f64> = by
            .iter()
            .filter(|(_, _, k)| *k > 0)
            .map(|(_, s, k)| s / *k as f64)
            .collect();
        let want = means.iter().sum::<f64>() / means.len() as f64;
        let got: f64 = r[verdict_c].parse().unwrap();
        assert!((got - want).abs() < 1e-9, "{got} vs {want} in {r:?}");
        if r[mean_c] != r[verdict_c] {
            differ += 1;
        }
    }
    assert_eq!(runs.len(), 12);
    assert!(differ > 0, "no run tells the two statistics apart");
}

// ---------------------------------------------------------------------------
// 2. Shards and merge
// ---------------------------------------------------------------------------

#[test]
fn shards_merge_to_the_single_machine_bytes() {
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    for n in [1u32, 2, 3, 7] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        for k in 1..=n {
            let shard = format!("{k}/{n}");
            assert_ok(
                &sweep(&toy_sweep(), &out, &["--shard", &shard, "--keep", KEEP]),
                &format!("shard {shard}"),
            );
            if n > 1 {
                let d = out.join(format!("toy_sweep.shards/shard-{k}-of-{n}"));
                assert!(d.join("manifest.json").exists(), "{}", d.display());
            }
        }
        let o = merge(&out.join("toy_sweep"));
        assert_ok(&o, &format!("merge of {n} shards"));
        if n == 1 {
            assert!(
                err(&o).contains("nothing to merge"),
                "N=1: merge should say there is nothing to do: {}",
                err(&o)
            );
        }
        assert_same_files(
            &out.join("toy_sweep"),
            &want,
            &format!("merge of {n} shards"),
        );
        assert_runs_complete(&out.join("toy_sweep"), 5);
    }
}

/// Shards 1/2 and 2/2 of the toy sweep into `out`, with `extra` options.
fn toy_in_two_shards(out: &Path, extra: &[&str]) {
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let mut args = vec!["--shard", shard.as_str()];
        args.extend_from_slice(extra);
        assert_ok(&sweep(&toy_sweep(), out, &args), &format!("shard {shard}"));
    }
}

#[test]
fn merge_refuses_a_whole_result_given_with_shards_or_out() {
    // `merge WHOLE SHARDS --out X` said "nothing to merge" about WHOLE and
    // exited 0, ignoring the shards and --out.
    let tmp = tempfile::tempdir().unwrap();
    let whole = tmp.path().join("w");
    assert_ok(&sweep(&toy_sweep(), &whole, &[]), "whole sweep");
    let whole = whole.join("toy_sweep");
    let out = tmp.path().join("s");
    toy_in_two_shards(&out, &[]);
    let shards = out.join("toy_sweep.shards");
    let dest = tmp.path().join("m");
    let run = |args: &[&Path]| {
        let mut c = bin();
        c.arg("merge");
        for a in args {
            c.arg(a);
        }
        c.output().unwrap()
    };
    for (args, why) in [
        (
            vec![&whole, &shards, Path::new("--out"), &dest],
            "other folders",
        ),
        (vec![&shards, &whole], "other folders"),
        (vec![&whole, Path::new("--out"), &dest], "--out"),
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        let e = err(&o);
        assert!(
            e.contains(&whole.display().to_string())
                && e.contains("single shard")
                && e.contains(why),
            "{args:?}: {e}"
        );
        assert!(!e.contains("nothing to merge:"), "{args:?}: {e}");
        assert!(!dest.exists(), "{args:?} wrote {}", dest.display());
        assert!(
            !out.join("toy_sweep").exists(),
            "{args:?} merged the shards"
        );
    }
    // Alone it is still nothing to merge; the shards alone merge into --out.
    let o = run(&[&whole]);
    assert_ok(&o, "merge WHOLE");
    assert!(err(&o).contains("nothing to merge"), "{}", err(&o));
    assert_ok(
        &run(&[&shards, Path::new("--out"), &dest]),
        "merge SHARDS --out",
    );
    assert_same_files(
        &dest.join("toy_sweep"),
        &files_of(&whole, &[]),
        "merge of the shards into --out",
    );
    // A whole result whose file was cut since is not called complete.
    let runs = std::fs::read_to_string(whole.join("runs.csv")).unwrap();
    let cut: String = runs.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(whole.join("runs.csv"), cut).unwrap();
    let o = run(&[&whole]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("runs.csv missing or changed since `armsmarket sweep` wrote the folder"),
        "{}",
        err(&o)
    );
}

#[test]
fn merge_leaves_a_whole_result_run_after_shards_alone() {
    // The sweep ran in shards and was merged, then ran whole with another
    // seed into the same folder: `merge OUT/<name>` re-merged the old
    // shards over the new result.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let result = out.join("toy_sweep");
    let shards = out.join("toy_sweep.shards");
    assert_ok(&merge(&result), "merge of the shards");
    let reseeded = variant(
        tmp.path(),
        &toy_sweep(),
        "reseeded.toml",
        &[("seed = 11", "seed = 12")],
    );
    assert_ok(&sweep(&reseeded, &out, &[]), "whole sweep, another seed");
    let whole = read(&result.join("runs.csv"));
    // Checked, as a whole result alone is (the merge job of `slurm
    // --shards 1` does this), and the shards beside it are named.
    let o = merge(&result);
    assert_ok(&o, "merge of the whole result");
    let e = err(&o);
    assert!(
        e.contains("nothing to merge")
            && e.contains(&format!(
                "the shards in {} were not merged over it",
                shards.display()
            )),
        "{e}"
    );
    assert_eq!(
        read(&result.join("runs.csv")),
        whole,
        "the result was replaced"
    );
    // Asked for by the shards' folder, their merge replaces it.
    assert_ok(&merge(&shards), "merge of the .shards folder");
    assert_ne!(read(&result.join("runs.csv")), whole);
}

#[test]
fn merge_refuses_a_shard_changed_since_it_finished() {
    // It exited 1, and its advice ("run shard 2/2 again without
    // --resume") dropped the kept tables: the next merge refused the shard
    // as another sweep's.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &["--keep", KEEP]);
    let market = out.join("toy_sweep.shards/shard-2-of-2/market.csv");
    let cut: String = text(&read(&market))
        .lines()
        .take(2)
        .map(|l| format!("{l}\n"))
        .collect();
    std::fs::write(&market, cut).unwrap();
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(&market.display().to_string())
            && err(&o).contains("does not match its manifest"),
        "{}",
        err(&o)
    );
    assert!(!out.join("toy_sweep").exists());
    follow_the_advice(&o, tmp.path());
    assert_ok(&merge(&out.join("toy_sweep")), "merge after the advice");
    let keep = keep_list(KEEP);
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "merge after the damaged shard ran again",
    );
}

#[test]
fn merge_of_shards_of_two_sweeps_names_the_keys_that_differ() {
    // It named only the two design fingerprints, which say nothing of
    // which file was edited.
    let tmp = tempfile::tempdir().unwrap();
    let other = variant(
        tmp.path(),
        &toy_sweep(),
        "toy_sweep.toml",
        &[("seed = 11", "seed = 12")],
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_ok(&sweep(&toy_sweep(), &a, &["--shard", "1/2"]), "shard 1/2");
    assert_ok(&sweep(&other, &b, &["--shard", "2/2"]), "the other's 2/2");
    let o = bin()
        .arg("merge")
        .arg(a.join("toy_sweep.shards/shard-1-of-2"))
        .arg(b.join("toy_sweep.shards/shard-2-of-2"))
        .arg("--out")
        .arg(tmp.path().join("merged"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("come from different sweeps (sweep.seed 11 vs 12)"),
        "{}",
        err(&o)
    );
    assert!(!tmp.path().join("merged").exists());
}

#[test]
fn a_seed_or_default_written_out_is_the_same_sweep() {
    // The fingerprint hashed the [sweep] table as written: a sweep that
    // left its seed to the scenario's (7) and one that wrote `seed = 7`
    // ran the same bytes, yet could not be merged or resumed together.
    let tmp = tempfile::tempdir().unwrap();
    let morris = |name: &str, edits: &[(&str, &str)]| {
        let mut all = vec![
            ("design = \"lhs\"", "design = \"morris\"\ntrajectories = 3"),
            ("points = 12\n", ""),
        ];
        all.extend_from_slice(edits);
        let dir = tmp.path().join(name);
        std::fs::create_dir(&dir).unwrap();
        variant(&dir, &toy_sweep(), "toy_sweep.toml", &all)
    };
    let left_out = morris("left_out", &[("seed = 11\n", "")]);
    let written = morris("written", &[("seed = 11", "seed = 7\nlevels = 4")]);
    let out = tmp.path().join("out");
    assert_ok(&sweep(&left_out, &out, &["--shard", "1/2"]), "shard 1/2");
    assert_ok(&sweep(&written, &out, &["--shard", "2/2"]), "shard 2/2");
    assert_ok(&merge(&out.join("toy_sweep")), "merge");
    let whole = tmp.path().join("whole");
    assert_ok(&sweep(&written, &whole, &[]), "whole");
    let want: BTreeMap<String, Vec<u8>> = ["runs.csv", "bands.csv", "points.csv"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(whole.join("toy_sweep").join(f)).unwrap(),
            )
        })
        .collect();
    assert_same_files(&out.join("toy_sweep"), &want, "merged");
    let o = sweep(&left_out, &whole, &["--resume"]);
    assert_ok(&o, "resume");
    assert!(
        err(&o).contains("is complete; nothing to do"),
        "{}",
        err(&o)
    );
}

#[test]
fn merge_says_a_folder_given_twice_is_given_twice() {
    // It said "shard 1/2 appears twice (X and X)".
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let one = out.join("toy_sweep.shards/shard-1-of-2");
    let o = bin().arg("merge").arg(&one).arg(&one).output().unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("shard-1-of-2 is given twice: give each folder once"),
        "{}",
        err(&o)
    );
}

#[test]
fn merge_refuses_a_shard_folder_renamed_or_copied_to_another_shard() {
    // Merged by its folder's name, a copy of shard 2 as shard 1 put shard
    // 2's runs in twice and shard 1's not at all, with exit 0.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let shards = out.join("toy_sweep.shards");
    std::fs::remove_dir_all(shards.join("shard-1-of-2")).unwrap();
    crate::common::copy_files(&shards.join("shard-2-of-2"), &shards.join("shard-1-of-2"));
    let o = merge(&shards);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(
            "shard-1-of-2: the folder is named for shard 1/2 but its manifest records shard 2/2"
        ),
        "{}",
        err(&o)
    );
    assert!(!out.join("toy_sweep").exists(), "merged anyway");
    // A copy under a shard number the split does not have.
    std::fs::remove_dir_all(shards.join("shard-1-of-2")).unwrap();
    assert_ok(&sweep(&toy_sweep(), &out, &["--shard", "1/2"]), "shard 1/2");
    crate::common::copy_files(&shards.join("shard-2-of-2"), &shards.join("shard-3-of-2"));
    let o = merge(&shards);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(
            "there is no shard 3/2: name it shard-2-of-2 if no folder has that name, or remove it"
        ),
        "{}",
        err(&o)
    );
    std::fs::remove_dir_all(shards.join("shard-3-of-2")).unwrap();
    assert_ok(&merge(&shards), "merge without the copy");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "merge without the copy",
    );
}

#[test]
fn merge_of_shards_all_stopped_asks_to_resume_them() {
    // Every task of an array stopped by its time limit left only hidden
    // `.partial` folders, and merge called the folder "neither a shard
    // folder nor a folder of shards" (exit 2).
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for k in 1..=2 {
        let shard = format!("{k}/2");
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &["--shard", &shard],
            &[
                ("ARMSMARKET_TEST_SYNC_EVERY", "3"),
                ("ARMSMARKET_TEST_ABORT", "sync:1"),
            ],
        );
        assert!(!o.status.success(), "{}", err(&o));
    }
    // Given as the shards' folder or as the result's (the form `merge
    // --help` gives).
    for given in ["toy_sweep.shards", "toy_sweep"] {
        let o = merge(&out.join(given));
        assert_eq!(o.status.code(), Some(3), "{given}: {}", err(&o));
        assert!(err(&o).contains("no finished shard among"), "{}", err(&o));
        assert!(err(&o).contains(".shard-1-of-2.partial"), "{}", err(&o));
    }
    // A finished shard and a stopped one given by their paths: the stopped
    // one is to be resumed (not run afresh, which would lose its runs).
    assert_ok(
        &sweep(&toy_sweep(), &out, &["--shard", "1/2", "--resume"]),
        "shard 1/2 resumed",
    );
    let shards = out.join("toy_sweep.shards");
    let o = bin()
        .arg("merge")
        .arg(shards.join("shard-1-of-2"))
        .arg(shards.join("shard-2-of-2"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let cmds = suggested_commands(&err(&o));
    assert_eq!(cmds.len(), 1, "{}", err(&o));
    assert!(cmds[0].contains(&"2/2".to_string()) && cmds[0].contains(&"--resume".to_string()));
}

#[test]
fn merge_of_a_shard_folder_without_its_manifest_says_to_run_it_again() {
    // A finished shard's folder missing its manifest was called unfinished,
    // and the suggested `--resume` refused the folder as no result.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let shard = out.join("toy_sweep.shards/shard-2-of-2");
    std::fs::remove_file(shard.join("manifest.json")).unwrap();
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("manifest cannot be read"), "{}", err(&o));
    assert!(!suggested_commands(&err(&o))[0].contains(&"--resume".to_string()));
    std::fs::remove_dir_all(&shard).unwrap();
    follow_the_advice(&o, tmp.path());
    assert_ok(&merge(&out.join("toy_sweep")), "merge after the advice");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "merge after the shard ran again",
    );
}

#[test]
fn merge_calls_a_folder_of_no_shard_of_the_split_no_shard_and_suggests_no_command() {
    // An empty shard-9-of-2 among the shards of 2 was called a damaged
    // shard, to run again with `armsmarket sweep ... --shard 9/2`, which
    // sweep refuses ("`9/2` is not a shard").
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let shards = out.join("toy_sweep.shards");
    for stray in [
        "shard-9-of-2",
        "shard-0-of-2",
        "shard-1-of-1",
        "shard-3-of-3",
    ] {
        std::fs::create_dir(shards.join(stray)).unwrap();
        let o = merge(&shards);
        assert_eq!(o.status.code(), Some(2), "{stray}: {}", err(&o));
        let said = format!("{stray}: not a shard of this sweep's split into 2");
        assert!(err(&o).contains(&said), "{stray}: {}", err(&o));
        assert!(
            err(&o).contains("remove the folder"),
            "{stray}: {}",
            err(&o)
        );
        let commands = suggested_commands(&err(&o));
        assert!(commands.is_empty(), "{stray}: suggests {commands:?}");
        assert!(!out.join("toy_sweep").exists(), "{stray}: merged anyway");
        std::fs::remove_dir(shards.join(stray)).unwrap();
    }
    // With no finished shard to tell the split.
    let alone = tmp.path().join("alone.shards/shard-9-of-2");
    std::fs::create_dir_all(&alone).unwrap();
    let o = merge(alone.parent().unwrap());
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("shard-9-of-2: not a shard of any split"),
        "{}",
        err(&o)
    );
    assert!(suggested_commands(&err(&o)).is_empty(), "{}", err(&o));
    assert_ok(&merge(&shards), "merge once the folder is removed");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "merge once the folder is removed",
    );
}

#[test]
fn more_shards_than_points_still_merge() {
    // 4 grid points in 7 shards: three shards have no points at all.
    let keep = keep_list(KEEP);
    let want = reference(&toy_grid(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for k in 1..=7 {
        let shard = format!("{k}/7");
        assert_ok(
            &sweep(&toy_grid(), &out, &["--shard", &shard, "--keep", KEEP]),
            &shard,
        );
    }
    assert_ok(&merge(&out.join("toy_grid")), "merge");
    assert_same_files(
        &out.join("toy_grid"),
        &want,
        "merge of 7 shards of 4 points",
    );
}

// ---------------------------------------------------------------------------
// 3. Slurm array environment
// ---------------------------------------------------------------------------

fn slurm_shards(first_id: u32, n: u32, with_min: bool) {
    let want = reference(&toy_sweep(), &[], &[]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let children: Vec<_> = (0..n)
        .map(|i| {
            let id = (first_id + i).to_string();
            let count = n.to_string();
            let mut c = sweep_cmd(&toy_sweep(), &out, &["--threads", "1"]);
            c.env("SLURM_ARRAY_TASK_ID", &id)
                .env("SLURM_ARRAY_TASK_COUNT", &count)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped());
            if with_min {
                c.env("SLURM_ARRAY_TASK_MIN", first_id.to_string());
                c.env("SLURM_ARRAY_TASK_MAX", (first_id + n - 1).to_string());
            }
            (id, c.spawn().expect("binary runs"))
        })
        .collect();
    for (i, (id, child)) in children.into_iter().enumerate() {
        let o = child.wait_with_output().unwrap();
        assert_ok(&o, &format!("array task {id}"));
        let e = err(&o);
        let k = i as u32 + 1;
        assert!(
            e.contains("SLURM_ARRAY_TASK_ID") && e.contains("SLURM_ARRAY_TASK_COUNT"),
            "task {id}: stderr does not mention the Slurm variables: {e}"
        );
        assert!(
            e.contains(&format!("shard {k}/{n}")),
            "task {id}: stderr does not name shard {k}/{n}: {e}"
        );
        assert!(
            out.join(format!("toy_sweep.shards/shard-{k}-of-{n}/manifest.json"))
                .exists(),
            "task {id} did not write shard {k}/{n}"
        );
    }
    assert_ok(&merge(&out.join("toy_sweep")), "merge");
    assert_same_files(&out.join("toy_sweep"), &want, "Slurm array");
}

#[test]
fn slurm_array_from_zero_runs_the_shards() {
    slurm_shards(0, 3, false);
}

#[test]
fn slurm_array_from_one_with_task_min() {
    slurm_shards(1, 4, true);
}

#[test]
fn slurm_task_id_outside_the_array_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let o = sweep_env(
        &toy_sweep(),
        tmp.path(),
        &[],
        &[
            ("SLURM_ARRAY_TASK_ID", "4"),
            ("SLURM_ARRAY_TASK_COUNT", "4"),
        ],
    );
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("SLURM_ARRAY_TASK_ID=4"), "{}", err(&o));
    assert!(!tmp.path().join("toy_sweep").exists());
}

// ---------------------------------------------------------------------------
// 4. Missing shards
// ---------------------------------------------------------------------------

/// The `armsmarket sweep ...` commands a message suggests, as argument
/// lists (without `armsmarket`); they end at a backtick or the line's end.
fn suggested_commands(stderr: &str) -> Vec<Vec<String>> {
    let mut v = Vec::new();
    for line in stderr.lines() {
        let mut rest = line;
        while let Some(i) = rest.find("armsmarket sweep ") {
            let cmd = &rest[i + "armsmarket ".len()..];
            let end = cmd.find('`').unwrap_or(cmd.len());
            v.push(cmd[..end].split_whitespace().map(str::to_string).collect());
            rest = &cmd[end..];
        }
    }
    v
}

/// Run shards 1 and 3 of 3 of the toy sweep into `out` (shard 2 missing),
/// with `extra` options.
fn shards_1_and_3(out: &Path, extra: &[&str]) {
    for k in [1, 3] {
        let shard = format!("{k}/3");
        let mut args = vec!["--shard", shard.as_str()];
        args.extend_from_slice(extra);
        assert_ok(&sweep(&toy_sweep(), out, &args), "shard");
    }
}

/// The one command `o`'s stderr suggests, run from `cwd`; it must succeed.
fn follow_the_advice(o: &Output, cwd: &Path) -> Vec<String> {
    let cmds = suggested_commands(&err(o));
    assert_eq!(cmds.len(), 1, "{}", err(o));
    let run = bin().current_dir(cwd).args(&cmds[0]).output().unwrap();
    assert_ok(&run, &format!("suggested command {:?}", cmds[0]));
    cmds.into_iter().next().unwrap()
}

#[test]
fn merge_names_the_missing_shard_and_the_command_to_run() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    shards_1_and_3(&out, &[]);
    let file = std::fs::canonicalize(toy_sweep()).unwrap();
    let expect = |k: u32, n: u32| {
        format!(
            "armsmarket sweep {} --shard {k}/{n} --out {} --resume",
            file.display(),
            out.display()
        )
    };
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(err(&o).contains(&expect(2, 3)), "{}", err(&o));
    assert!(!err(&o).contains("--shard 1/3"), "{}", err(&o));
    assert!(!out.join("toy_sweep/runs.csv").exists(), "merged anyway");

    // An unfinished shard counts as missing too.
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--shard", "2/3"],
        &[
            ("ARMSMARKET_TEST_SYNC_EVERY", "3"),
            ("ARMSMARKET_TEST_ABORT", "sync:2"),
        ],
    );
    assert!(!o.status.success());
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(err(&o).contains(&expect(2, 3)), "{}", err(&o));

    // Running the suggested command completes the sweep.
    for cmd in suggested_commands(&err(&o)) {
        assert_ok(&bin().args(&cmd).output().unwrap(), "suggested command");
    }
    assert_ok(&merge(&out.join("toy_sweep")), "merge after the fix");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "merge after running the missing shard",
    );
}

#[test]
fn merge_suggestion_for_a_missing_shard_keeps_the_kept_tables() {
    // With --keep, the command merge suggests must make a shard that merges
    // with the others (same kept tables).
    let keep = keep_list(KEEP);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    shards_1_and_3(&out, &["--keep", KEEP]);
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let cmd = follow_the_advice(&o, &std::env::current_dir().unwrap());
    let o = merge(&out.join("toy_sweep"));
    assert_ok(
        &o,
        &format!("merge after running merge's own suggestion {cmd:?}"),
    );
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "merge after the suggested command",
    );
}

/// Shard folders given one by one, one left out although it finished:
/// merge said to run it with `--resume`, which found it complete and did
/// nothing, and merge said the same again. It names the finished shard
/// and the folder to give instead (exit 2), and a path for a shard of
/// another split, a typo, is no longer taken for a missing shard.
#[test]
fn a_finished_shard_left_out_is_named_not_sent_to_run_again() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for k in [1, 2] {
        let shard = format!("{k}/2");
        assert_ok(&sweep(&toy_sweep(), &out, &["--shard", &shard]), &shard);
    }
    let shards = out.join("toy_sweep.shards");
    let o = bin()
        .arg("merge")
        .arg(shards.join("shard-1-of-2"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let canonical = std::fs::canonicalize(&shards).unwrap();
    assert_eq!(
        err(&o).trim_end(),
        format!(
            "error: 1 shard finished but not given: {}; give it too, or give the folder that holds the shards, {}",
            canonical.join("shard-2-of-2").display(),
            canonical.display()
        ),
    );
    assert!(suggested_commands(&err(&o)).is_empty(), "{}", err(&o));
    assert!(!out.join("toy_sweep").exists(), "merged anyway");
    // Given by its bare name inside the shards' folder: the folder is
    // named in full (it was an empty name).
    let o = bin()
        .current_dir(&shards)
        .args(["merge", "shard-1-of-2"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).trim_end().ends_with(&format!(
            "give the folder that holds the shards, {}",
            canonical.display()
        )),
        "{}",
        err(&o)
    );
    let typo = shards.join("shard-2-of-3");
    let o = bin()
        .arg("merge")
        .arg(shards.join("shard-1-of-2"))
        .arg(&typo)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).starts_with(&format!("error: {}: no such folder", typo.display())),
        "{}",
        err(&o)
    );
    assert_ok(
        &bin()
            .arg("merge")
            .arg(shards.join("shard-1-of-2"))
            .arg(shards.join("shard-2-of-2"))
            .output()
            .unwrap(),
        "merge of both, given one by one",
    );
}

/// A split into more shards than it is useful to list: the missing
/// numbers are given as ranges and the commands of the first ten, the
/// rest counted (100,000 shards printed 100,001 lines).
#[test]
fn many_missing_shards_are_summed_up() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(
        &sweep(&toy_sweep(), &out, &["--shard", "2/40"]),
        "shard 2/40",
    );
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("39 of 40 shards missing or unfinished (1, 3-40); run:"),
        "{e}"
    );
    assert_eq!(suggested_commands(&e).len(), 10, "{e}");
    assert!(
        e.contains("  ... and 29 more, the same with each missing shard's --shard K/40"),
        "{e}"
    );
}

#[test]
fn merge_suggestion_is_usable_when_merge_runs_inside_the_output_directory() {
    // `cd OUT && armsmarket merge toy_sweep`: the suggested --out must not be
    // empty.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    shards_1_and_3(&out, &[]);
    let o = bin()
        .current_dir(&out)
        .args(["merge", "toy_sweep"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(3), "{}", err(&o));
    assert!(!err(&o).contains("--out  "), "empty --out: {}", err(&o));
    follow_the_advice(&o, &out);
    let o = bin()
        .current_dir(&out)
        .args(["merge", "toy_sweep"])
        .output()
        .unwrap();
    assert_ok(&o, "merge after the suggested command");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "merge",
    );
}

#[test]
fn merge_run_inside_the_shards_folder_writes_the_result_beside_it() {
    // `cd OUT/<name>.shards && armsmarket merge .` (or the shard folders by
    // name, or `..` from inside a shard) wrote OUT/<name>.shards/<name>/:
    // the path as typed has an empty parent.
    let want = reference(&toy_sweep(), &[], &[]);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    toy_in_two_shards(&out, &[]);
    let shards = out.join("toy_sweep.shards");
    let inside = shards.join("shard-1-of-2");
    for (cwd, args) in [
        (&shards, vec!["merge", "."]),
        (&shards, vec!["merge", "shard-1-of-2", "shard-2-of-2"]),
        (&inside, vec!["merge", ".."]),
    ] {
        let _ = std::fs::remove_dir_all(out.join("toy_sweep"));
        let o = bin().current_dir(cwd).args(&args).output().unwrap();
        assert_ok(&o, &format!("{args:?} in {}", cwd.display()));
        assert!(
            !shards.join("toy_sweep").exists() && !inside.join("toy_sweep").exists(),
            "{args:?}: the result went inside the shards' folder"
        );
        assert_same_files(&out.join("toy_sweep"), &want, &format!("{args:?}"));
    }
    // Shards gathered by symbolic links are merged beside the folder named,
    // not beside the links' targets (another's folder, perhaps read-only).
    let _ = std::fs::remove_dir_all(out.join("toy_sweep"));
    let gather = tmp.path().join("work/gather");
    std::fs::create_dir_all(&gather).unwrap();
    for k in 1..=2 {
        let name = format!("shard-{k}-of-2");
        std::os::unix::fs::symlink(shards.join(&name), gather.join(&name)).unwrap();
    }
    let o = bin()
        .current_dir(tmp.path().join("work"))
        .args(["merge", "gather", "-q"])
        .output()
        .unwrap();
    assert_ok(&o, "merge of linked shards");
    assert!(
        !out.join("toy_sweep").exists(),
        "merged beside the links' targets"
    );
    assert_same_files(&tmp.path().join("work/toy_sweep"), &want, "linked shards");
}

// ---------------------------------------------------------------------------
// 5. Kill and resume
// ---------------------------------------------------------------------------

/// The number of lines of a ledger file.
fn ledger_lines(dir: &Path) -> usize {
    text(&read(&work(dir).join("ledger"))).lines().count()
}

#[test]
fn abort_after_a_ledger_entry_then_resume() {
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    for n in [1u64, 2, 4, 7, 9] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let dir = out.join("toy_sweep");
        let spec = format!("sync:{n}");
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &["--keep", KEEP],
            &[
                ("ARMSMARKET_TEST_SYNC_EVERY", "7"),
                ("ARMSMARKET_TEST_ABORT", &spec),
            ],
        );
        assert!(!o.status.success(), "{spec}: did not abort");
        assert!(
            o.status.signal().is_some(),
            "{spec}: should die of a signal, got {:?}",
            o.status
        );
        assert!(!dir.join("runs.csv").exists(), "{spec}: finished anyway");
        assert_eq!(
            ledger_lines(&dir),
            n as usize + 1,
            "{spec}: the ledger should hold its header and {n} entries"
        );
        // Resume with another thread count: same bytes still. The ledger
        // holds 7 (n - 1) jobs (its first entry is at job 0): from n = 2 on,
        // a resume starts after them, and a run started afresh instead
        // (to the same bytes) would abort after its first job.
        let from_the_ledger: &[(&str, &str)] = if n > 1 {
            &[("ARMSMARKET_TEST_ABORT", "job:1")]
        } else {
            &[]
        };
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &["--resume", "--keep", KEEP, "-t", "1"],
            from_the_ledger,
        );
        assert_ok(&o, &format!("resume after {spec}"));
        assert_same_files(&dir, &want, &format!("resume after {spec}"));
        assert_runs_complete(&dir, 5);
        assert!(
            !work(&dir).exists(),
            "{spec}: the work folder is left behind"
        );
        // Resuming a finished sweep does nothing.
        let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
        assert_ok(&o, "resume of a finished sweep");
        assert_same_files(&dir, &want, "second resume");
    }
}

#[test]
fn killed_while_the_result_is_put_in_place_then_resumed() {
    // The finished result replaces a previous one in one step (a folder
    // exchange, then the old one is removed): a kill before or after the
    // step leaves the old or the new result whole, and a resume finishes.
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let other = variant(
        tmp.path(),
        &toy_sweep(),
        "other.toml",
        &[("seed = 11", "seed = 12")],
    );
    for spec in ["commit:1", "commit:2"] {
        let out = tmp.path().join(spec.replace(':', "-"));
        let dir = out.join("toy_sweep");
        assert_ok(&sweep(&other, &out, &["--keep", KEEP]), "a previous result");
        let previous = files_of(&dir, &keep);
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &["--keep", KEEP],
            &[("ARMSMARKET_TEST_ABORT", spec)],
        );
        assert!(
            o.status.signal().is_some(),
            "{spec}: should die of a signal, got {:?}",
            o.status
        );
        let now = files_of(&dir, &keep);
        assert!(now == previous || now == want, "{spec}: a mixed result");
        let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
        assert_ok(&o, &format!("resume after {spec}"));
        assert_same_files(&dir, &want, &format!("resume after {spec}"));
        assert_runs_complete(&dir, 5);
        assert!(
            !work(&dir).exists(),
            "{spec}: the work folder is left behind"
        );
        let names: Vec<String> = std::fs::read_dir(&out)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["toy_sweep"], "{spec}: left behind");
    }
}

/// A tiny generator for kill moments, with a fixed seed: the same moments
/// on every run of the test.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

#[test]
fn killed_after_random_jobs_then_resumed() {
    // 12 points x 20 replications = 240 jobs. Each kill lands right after a
    // job's rows were handed to the part files' buffers (lost, or spilled
    // to disk in part, as a `kill -9` leaves them), at job numbers drawn
    // from a fixed seed, with ledger entries every few jobs or at the
    // default interval.
    let tmp = tempfile::tempdir().unwrap();
    let slow = variant(
        tmp.path(),
        &toy_sweep(),
        "toy_slow.toml",
        &[("replications = 5", "replications = 20")],
    );
    let want = reference(&slow, &["--keep", "market"], &["market"]);
    let mut rng = Lcg(0x5eed_2022);
    for i in 0..6 {
        let job = 1 + rng.next() % 239;
        let sync_every = [3, 17, 4096][i % 3].to_string();
        let out = tmp.path().join(format!("out{i}"));
        let dir = out.join("toy_sweep");
        let spec = format!("job:{job}");
        let o = sweep_env(
            &slow,
            &out,
            &["--keep", "market"],
            &[
                ("ARMSMARKET_TEST_ABORT", &spec),
                ("ARMSMARKET_TEST_SYNC_EVERY", &sync_every),
            ],
        );
        let what = format!("abort after job {job}, ledger entry every {sync_every} jobs");
        assert!(o.status.signal().is_some(), "{what}: {:?}", o.status);
        assert!(!dir.join("runs.csv").exists(), "{what}: finished anyway");
        // Past the first ledger entry after job 0 the resume starts from
        // the ledger: started afresh, it would abort after its first job.
        let from_the_ledger: &[(&str, &str)] = if job > sync_every.parse::<u64>().unwrap() {
            &[("ARMSMARKET_TEST_ABORT", "job:1")]
        } else {
            &[]
        };
        let o = sweep_env(
            &slow,
            &out,
            &["--resume", "--keep", "market"],
            from_the_ledger,
        );
        assert_ok(&o, &format!("resume, {what}"));
        assert_same_files(&dir, &want, &what);
        assert_runs_complete(&dir, 20);
    }
}

#[test]
fn kill_before_the_first_ledger_entry_then_resume() {
    // A fresh start writes the part files, then the ledger (whole, by a
    // rename) with its first entry, then the identity. A kill before the
    // identity, or a ledger missing or without a whole header line, means
    // nothing was recorded: `--resume` (what a requeued Slurm task runs)
    // must start the sweep, not fail for ever.
    let want = reference(&toy_sweep(), &[], &[]);
    for case in [
        "no identity",
        "no ledger",
        "empty ledger",
        "header cut short",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let dir = out.join("toy_sweep");
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &[],
            &[("ARMSMARKET_TEST_ABORT", "sync:1")],
        );
        assert!(o.status.signal().is_some(), "{:?}", o.status);
        let ledger = work(&dir).join("ledger");
        let head = text(&read(&ledger)).lines().next().unwrap().to_string();
        match case {
            "no identity" => std::fs::remove_file(work(&dir).join("identity.json")).unwrap(),
            "no ledger" => std::fs::remove_file(&ledger).unwrap(),
            "empty ledger" => std::fs::write(&ledger, "").unwrap(),
            _ => std::fs::write(&ledger, &head[..head.len() / 2]).unwrap(),
        }
        let o = sweep(&toy_sweep(), &out, &["--resume"]);
        assert_ok(&o, &format!("resume with {case}"));
        assert_same_files(&dir, &want, case);
    }
}

#[test]
fn bytes_written_after_the_last_ledger_entry_are_discarded_on_resume() {
    // Between two ledger entries the part files keep growing (their 64 KiB
    // buffers spill to disk at any byte, so a kill leaves a row cut in the
    // middle). Resuming must go back to the ledger's lengths before reading
    // anything. Here: abort right after an entry, then add what a spilled
    // buffer would have left: whole rows and half a row.
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.join("toy_sweep");
    aborted_at_sync_3(&out, &["--keep", KEEP]);
    // Jobs 14.. of the clean runs.csv (row 16 on), the last cut short.
    let clean = text(&want["runs.csv"]);
    let rows: Vec<&str> = clean.lines().skip(15).take(4).collect();
    let spill = format!(
        "{}\n{}",
        rows[..3].join("\n"),
        &rows[3][..rows[3].len() / 2]
    );
    let append = |name: &str, bytes: &[u8]| {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(work(&dir).join(name))
            .unwrap();
        f.write_all(bytes).unwrap();
    };
    append("runs.csv.part", spill.as_bytes());
    append("market.csv.part", b"0123,4,20");
    // The resume starts at job 14 (started afresh, it would abort after its
    // first job, and a fresh start would discard the bytes too).
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--resume", "--keep", KEEP],
        &[("ARMSMARKET_TEST_ABORT", "job:1")],
    );
    assert_ok(&o, "resume with unsynced bytes past the ledger");
    assert_same_files(&dir, &want, "resume with unsynced bytes past the ledger");
    assert_runs_complete(&dir, 5);
}

#[test]
fn a_part_begun_with_other_columns_is_not_resumed() {
    // A sweep begun by a version of armsmarket whose market.csv had no
    // product column: rows of the new kind must not follow its header.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.join("toy_sweep");
    aborted_at_sync_3(&out, &["--keep", KEEP]);
    let part = work(&dir).join("market.csv.part");
    let original = read(&part);
    let old = text(&original).replacen(",product,", ",", 1);
    std::fs::write(&part, &old).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("market.csv.part: the file does not begin with the columns this version of armsmarket writes (another version began it, or its first line is damaged): run the batch again without --resume"),
        "{}",
        err(&o)
    );
    // Nothing was cut or appended.
    assert_eq!(text(&read(&part)), old);
    // A damaged byte in the first line is told the same way, as damage
    // too (it was said to be another version's columns only).
    let runs = work(&dir).join("runs.csv.part");
    let mut bytes = read(&runs);
    bytes[3] ^= 0x20;
    std::fs::write(&runs, &bytes).unwrap();
    std::fs::write(&part, &original).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
    assert!(!o.status.success());
    assert!(
        err(&o).contains("runs.csv.part: the file does not begin with the columns")
            && err(&o).contains("or its first line is damaged"),
        "{}",
        err(&o)
    );
}

// ---------------------------------------------------------------------------
// 6. Ledger damage
// ---------------------------------------------------------------------------

/// Abort a sweep at `sync:3` (ledger: header and entries for 0, 7, 14 jobs).
fn aborted_at_sync_3(out: &Path, extra: &[&str]) -> PathBuf {
    let o = sweep_env(
        &toy_sweep(),
        out,
        extra,
        &[
            ("ARMSMARKET_TEST_SYNC_EVERY", "7"),
            ("ARMSMARKET_TEST_ABORT", "sync:3"),
        ],
    );
    assert!(o.status.signal().is_some(), "{:?}: {}", o.status, err(&o));
    let ledger = work(&out.join("toy_sweep")).join("ledger");
    assert_eq!(text(&read(&ledger)).lines().count(), 4);
    ledger
}

#[test]
fn a_corrupted_ledger_line_stops_the_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ledger = aborted_at_sync_3(&out, &[]);
    let t = text(&read(&ledger));
    let mut lines: Vec<String> = t.lines().map(str::to_string).collect();
    // Line 3 is "E 7 <points len:hash> <runs len:hash> <checksum>": change
    // the last digit of the runs length.
    let mut fields: Vec<String> = lines[2].split(' ').map(str::to_string).collect();
    assert_eq!(fields[..2], ["E", "7"], "{t}");
    let (len, hash) = fields[3].split_once(':').unwrap();
    let mut len = len.to_string();
    let last = len.pop().unwrap();
    len.push(if last == '1' { '2' } else { '1' });
    fields[3] = format!("{len}:{hash}");
    lines[2] = fields.join(" ");
    std::fs::write(&ledger, lines.join("\n") + "\n").unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    // The user's to decide (exit code 2), as a calibration's damaged state.
    assert_eq!(o.status.code(), Some(2), "resumed from a corrupted ledger");
    let e = err(&o);
    assert!(
        e.contains(&format!("{}:3: corrupted ledger entry", ledger.display())),
        "stderr should name {}:3: {e}",
        ledger.display()
    );
    assert!(!out.join("toy_sweep/runs.csv").exists());
}

#[test]
fn a_torn_last_ledger_line_is_reported_and_the_resume_succeeds() {
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep_list(KEEP));
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let ledger = aborted_at_sync_3(&out, &["--keep", KEEP]);
    let t = read(&ledger);
    // Cut the last line in the middle (newline and checksum gone).
    std::fs::write(&ledger, &t[..t.len() - 12]).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
    assert_ok(&o, "resume after a torn ledger line");
    assert!(
        err(&o).contains("cut short") && err(&o).contains(&ledger.display().to_string()),
        "the torn line should be reported: {}",
        err(&o)
    );
    assert_same_files(&out.join("toy_sweep"), &want, "resume after a torn line");
    assert_runs_complete(&out.join("toy_sweep"), 5);
}

// ---------------------------------------------------------------------------
// 7. Resuming into another sweep's directory
// ---------------------------------------------------------------------------

/// The toy sweep with the market's public reputation at 0.35 (0.3 in the
/// world), and `more` edits, as `dir/name`.
fn other_reputation(dir: &Path, name: &str, more: &[(&str, &str)]) -> PathBuf {
    let mut edits = vec![(
        "[sweep]\n",
        "[market]\npublic_reputation = 0.35\n\n[sweep]\n",
    )];
    edits.extend_from_slice(more);
    variant(dir, &toy_sweep(), name, &edits)
}

#[test]
fn resume_refuses_a_directory_of_another_design_or_scenario() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let other_seed = variant(
        tmp.path(),
        &toy_sweep(),
        "seed.toml",
        &[("seed = 11", "seed = 12")],
    );
    let other_world = other_reputation(tmp.path(), "world.toml", &[]);
    let other_points = variant(
        tmp.path(),
        &toy_sweep(),
        "points.toml",
        &[("points = 12", "points = 13")],
    );
    aborted_at_sync_3(&out, &[]);
    let dir = out.join("toy_sweep");
    let before = read(&work(&dir).join("runs.csv.part"));
    for (file, says) in [
        (&other_seed, "different design"),
        (&other_points, "different design"),
        (&other_world, "different scenario"),
    ] {
        let o = sweep(file, &out, &["--resume"]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", file.display(), err(&o));
        assert!(
            err(&o).contains(says),
            "{}: should say {says:?}: {}",
            file.display(),
            err(&o)
        );
    }
    // Other options than the sweep's own are refused as well.
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", "market"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    // The refusals left the interrupted sweep alone: it still resumes.
    assert_eq!(read(&work(&dir).join("runs.csv.part")), before);
    assert_ok(&sweep(&toy_sweep(), &out, &["--resume"]), "resume");
    assert_same_files(&dir, &reference(&toy_sweep(), &[], &[]), "resume");
    // A finished directory is protected too. A Slurm array's tasks always
    // resume: the way out the message gives them (removing the folder it
    // names) works.
    let o = sweep(&other_seed, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    // Naming the key that changed, as a work folder's refusal does (a
    // finished result's named only the fingerprints).
    assert!(
        e.contains("it was made from a different design: sweep.seed was 11, now 12: "),
        "{e}"
    );
    assert!(
        e.contains("remove that folder before submitting again"),
        "{e}"
    );
    let o = sweep(&other_world, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(
            "it was made from a different scenario: market.public_reputation was 0.3, now 0.35: "
        ),
        "{}",
        err(&o)
    );
    let named = e
        .split("cannot resume into ")
        .nth(1)
        .and_then(|rest| rest.split(": it").next())
        .unwrap_or_else(|| panic!("no folder named: {e}"));
    std::fs::remove_dir_all(named).unwrap();
    assert_ok(
        &sweep(&other_seed, &out, &["--resume"]),
        "resume after removal",
    );
}

/// Every file of a work folder, by name, with its bytes.
fn folder_bytes(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                read(&e.path()),
            )
        })
        .collect()
}

#[test]
fn a_refused_resume_names_the_keys_that_changed() {
    // The identity keeps only hashes: the settings kept beside it name
    // which keys differ, with both values, for a whole sweep and a shard.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let other_world = other_reputation(tmp.path(), "world.toml", &[]);
    let both = other_reputation(
        tmp.path(),
        "both.toml",
        &[("replications = 5", "replications = 6")],
    );
    aborted_at_sync_3(&out, &[]);
    let partial = work(&out.join("toy_sweep"));
    assert!(partial.join("settings.jsonl").exists(), "no settings kept");
    let before = folder_bytes(&partial);
    let o = sweep(&other_world, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(
            "it was made from a different scenario: market.public_reputation was 0.3, now 0.35: use another --out, or run without --resume to start over"
        ),
        "{e}"
    );
    let o = sweep(&both, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains(
            "different scenario and design: market.public_reputation was 0.3, now 0.35; sweep.replications was 5, now 6: "
        ),
        "{e}"
    );
    assert_eq!(
        folder_bytes(&partial),
        before,
        "a refusal changed the folder"
    );
    assert_ok(&sweep(&toy_sweep(), &out, &["--resume"]), "resume");

    // A shard (a Slurm array's task runs the same) resumes the same way.
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--shard", "1/2"],
        &[
            ("ARMSMARKET_TEST_SYNC_EVERY", "7"),
            ("ARMSMARKET_TEST_ABORT", "sync:2"),
        ],
    );
    assert!(o.status.signal().is_some(), "{:?}: {}", o.status, err(&o));
    let shard = work(&out.join("toy_sweep.shards/shard-1-of-2"));
    let before = folder_bytes(&shard);
    let o = sweep(&other_world, &out, &["--shard", "1/2", "--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("market.public_reputation was 0.3, now 0.35"),
        "{}",
        err(&o)
    );
    assert_eq!(folder_bytes(&shard), before, "a refusal changed the shard");
}

#[test]
fn a_work_folder_without_settings_is_refused_as_before_and_still_resumes() {
    // Folders begun before the settings were kept: the hashes alone decide,
    // and a refusal says which fingerprint differs, as it did.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let other_world = other_reputation(tmp.path(), "world.toml", &[]);
    aborted_at_sync_3(&out, &[]);
    let dir = out.join("toy_sweep");
    std::fs::remove_file(work(&dir).join("settings.jsonl")).unwrap();
    let before = folder_bytes(&work(&dir));
    let o = sweep(&other_world, &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("it was made from a different scenario (fingerprint "),
        "{e}"
    );
    assert!(!e.contains("public_reputation"), "{e}");
    assert_eq!(folder_bytes(&work(&dir)), before);
    assert_ok(&sweep(&toy_sweep(), &out, &["--resume"]), "resume");
    assert_same_files(&dir, &reference(&toy_sweep(), &[], &[]), "resume");
}

// ---------------------------------------------------------------------------
// 8. Panicking runs
// ---------------------------------------------------------------------------

#[test]
fn panicking_runs_are_recorded_then_retried_by_resume() {
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.join("toy_sweep");
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "2,9")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("2 of 60 runs failed"), "{}", err(&o));
    assert!(
        !err(&o).contains("injected fault"),
        "panic report leaked: {}",
        err(&o)
    );

    let (h, runs) = csv_rows(&read(&dir.join("runs.csv")));
    assert_eq!(runs.len(), 60);
    let (status, error) = (column(&h, "status"), column(&h, "error"));
    let (pid, rep) = (column(&h, "point_id"), column(&h, "replication"));
    let mut failed = Vec::new();
    for (j, r) in runs.iter().enumerate() {
        if j == 2 || j == 9 {
            assert_eq!(r[status], "failed", "job {j}");
            assert!(r[error].contains("panicked"), "job {j}: {:?}", r[error]);
            failed.push((r[pid].clone(), r[rep].clone()));
        } else {
            assert_eq!(r[status], "ok", "job {j}: {:?}", r[error]);
            assert_eq!(r[error], "", "job {j}");
        }
    }
    // Failed runs have no rows in the kept tables.
    for k in &keep {
        let (kh, rows) = csv_rows(&read(&dir.join(format!("{k}.csv"))));
        let (kp, kr) = (column(&kh, "point_id"), column(&kh, "replication"));
        for r in rows {
            assert!(
                !failed.contains(&(r[kp].clone(), r[kr].clone())),
                "{k}.csv has a row of a failed run: {r:?}"
            );
        }
    }
    // Bands come from the runs that finished.
    let (bh, bands) = csv_rows(&read(&dir.join("bands.csv")));
    let (bp, by, bn, bm) = (
        column(&bh, "point_id"),
        column(&bh, "year"),
        column(&bh, "runs"),
        column(&bh, "mean"),
    );
    assert_eq!(bands.len(), 12 * 10);
    for b in &bands {
        let ok: Vec<f64> = runs
            .iter()
            .filter(|r| r[pid] == b[bp] && r[status] == "ok")
            .map(|r| {
                r[column(&h, &format!("focus_value_{}", b[by]))]
                    .parse()
                    .unwrap()
            })
            .collect();
        assert_eq!(b[bn], ok.len().to_string(), "runs of {:?}", b);
        let want_n = if failed.iter().any(|(p, _)| *p == b[bp]) {
            4
        } else {
            5
        };
        assert_eq!(ok.len(), want_n, "{b:?}");
        let mean = ok.iter().sum::<f64>() / ok.len() as f64;
        let got: f64 = b[bm].parse().unwrap();
        assert!(
            (got - mean).abs() <= 1e-9 * mean.abs().max(1.0),
            "{b:?}: mean {got}, from ok runs {mean}"
        );
    }
    let m: serde_json::Value = serde_json::from_slice(&read(&dir.join("manifest.json"))).unwrap();
    assert_eq!(m["plan"]["failed_runs"], 2);

    // Resume (no fault now) retries the two runs.
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
    assert_ok(&o, "resume retrying the failed runs");
    assert_same_files(&dir, &want, "after retrying the failed runs");
    assert_runs_complete(&dir, 5);
    let m: serde_json::Value = serde_json::from_slice(&read(&dir.join("manifest.json"))).unwrap();
    assert_eq!(m["plan"]["failed_runs"], 0);
    assert!(!work(&dir).exists());
}

#[test]
fn first_and_last_jobs_panicking_then_retried() {
    // Edge positions for the rebuild of kept tables: the very first row
    // (which carries the header) and the very last.
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "0,1,2,3,4,59")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", KEEP]);
    assert_ok(&o, "resume");
    assert_same_files(
        &out.join("toy_sweep"),
        &want,
        "retry of first and last jobs",
    );
}

#[test]
fn a_kill_while_failed_runs_are_rewritten_then_resume() {
    // Resuming a sweep with failed runs writes rebuilt part files
    // (`*.rebuild`), records their lengths in the ledger, then renames them
    // into place. A kill after the ledger entry (rebuild:1) must be rolled
    // forward; rebuilt files without a ledger entry (a kill before it) must
    // be dropped and the retry redone. Either way: the clean files.
    let want = reference(&toy_sweep(), &[], &[]);
    for case in ["after the ledger entry", "before the ledger entry"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        let dir = out.join("toy_sweep");
        let o = sweep_env(
            &toy_sweep(),
            &out,
            &[],
            &[("ARMSMARKET_TEST_PANIC_JOBS", "2,9")],
        );
        assert_eq!(o.status.code(), Some(1), "{}", err(&o));
        if case == "after the ledger entry" {
            let o = sweep_env(
                &toy_sweep(),
                &out,
                &["--resume"],
                &[("ARMSMARKET_TEST_ABORT", "rebuild:1")],
            );
            assert!(o.status.signal().is_some(), "{case}: {:?}", o.status);
            assert!(work(&dir).join("runs.csv.part.rebuild").exists(), "{case}");
        } else {
            // A half-written rebuild that the ledger never recorded.
            std::fs::write(work(&dir).join("runs.csv.part.rebuild"), b"point_id,repl").unwrap();
        }
        let o = sweep(&toy_sweep(), &out, &["--resume"]);
        assert_ok(&o, &format!("resume after a kill {case}"));
        assert_same_files(&dir, &want, case);
        assert!(!work(&dir).exists(), "{case}: the work directory is left");
    }
}

#[test]
fn the_retry_command_of_a_failed_shard_retries_that_shard() {
    // `sweep --shard 2/3 --keep ...` with failed runs says which command
    // retries them; that command must resume the shard (same --shard, same
    // --keep), not start another sweep.
    let keep = keep_list(KEEP);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    shards_1_and_3(&out, &["--keep", KEEP]);
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--shard", "2/3", "--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "1")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let cmd = follow_the_advice(&o, tmp.path());
    for want in ["--shard", "2/3", "--resume", "--tables"] {
        assert!(cmd.iter().any(|a| a.contains(want)), "{cmd:?} lacks {want}");
    }
    let o = merge(&out.join("toy_sweep"));
    assert_ok(&o, "merge after the suggested retry");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "merge",
    );
}

#[test]
fn merge_refuses_a_shard_with_failed_runs_and_its_advice_works() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let keep = keep_list(KEEP);
    shards_1_and_3(&out, &["--keep", KEEP]);
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--shard", "2/3", "--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "3")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(err(&o).contains("has 1 failed run:"), "{}", err(&o));
    assert!(!out.join("toy_sweep/runs.csv").exists(), "merged anyway");
    // Run it from elsewhere: the advice must name the output directory.
    let elsewhere = tmp.path().join("elsewhere");
    std::fs::create_dir(&elsewhere).unwrap();
    let cmd = follow_the_advice(&o, &elsewhere);
    let o = merge(&out.join("toy_sweep"));
    assert_ok(&o, &format!("merge after following its advice {cmd:?}"));
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "merge",
    );
}

#[test]
fn failed_runs_whose_work_folder_is_gone_are_run_again_not_resumed() {
    // The work folder removed (or the result copied without it): --resume
    // said "complete" of a result with a failed run, and merge sent the
    // user back to --resume, in a loop.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let keep = keep_list(KEEP);
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "3")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    std::fs::remove_dir_all(out.join(".toy_sweep.partial")).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("has 1 failed run, but not its work folder"),
        "{}",
        err(&o)
    );
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let cmd = follow_the_advice(&o, tmp.path());
    assert!(!cmd.iter().any(|a| a == "--resume"), "{cmd:?}");
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "run again",
    );
    // A shard's likewise.
    let out = tmp.path().join("sharded");
    shards_1_and_3(&out, &["--keep", KEEP]);
    let o = sweep_env(
        &toy_sweep(),
        &out,
        &["--shard", "2/3", "--keep", KEEP],
        &[("ARMSMARKET_TEST_PANIC_JOBS", "3")],
    );
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    std::fs::remove_dir_all(out.join("toy_sweep.shards/.shard-2-of-3.partial")).unwrap();
    let o = merge(&out.join("toy_sweep"));
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let cmd = follow_the_advice(&o, tmp.path());
    assert!(!cmd.iter().any(|a| a == "--resume"), "{cmd:?}");
    assert_ok(
        &merge(&out.join("toy_sweep")),
        "merge after running it again",
    );
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &["--keep", KEEP], &keep),
        "merge",
    );
}

// ---------------------------------------------------------------------------
// 9. Point ids
// ---------------------------------------------------------------------------

#[test]
fn point_ids_and_rows_survive_a_growing_grid() {
    let tmp = tempfile::tempdir().unwrap();
    let grown = variant(
        tmp.path(),
        &toy_grid(),
        "grown.toml",
        &[("values = [0.2, 0.5]", "values = [0.2, 0.5, 0.8]")],
    );
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    assert_ok(&sweep(&toy_grid(), &a, &[]), "grid of 2 x 2");
    assert_ok(&sweep(&grown, &b, &[]), "grid of 3 x 2");
    let (ha, pa) = csv_rows(&read(&a.join("toy_grid/points.csv")));
    let (hb, pb) = csv_rows(&read(&b.join("toy_grid/points.csv")));
    assert_eq!(ha, hb);
    assert_eq!(pa.len(), 4);
    assert_eq!(pb.len(), 6);
    let ids_a: HashSet<&str> = pa.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(ids_a.len(), 4, "ids are distinct");
    for r in &pa {
        assert!(
            pb.contains(r),
            "point {r:?} of the small grid is not in the grown one (same values, same id)"
        );
    }
    // Same id, same random streams: the rows of the shared points agree.
    let runs = |d: &Path| {
        let (_, rows) = csv_rows(&read(&d.join("toy_grid/runs.csv")));
        rows
    };
    let rb = runs(&b);
    for r in runs(&a) {
        assert!(rb.contains(&r), "run {:?}/{} changed", r[0], r[1]);
    }
    assert_runs_complete(&a.join("toy_grid"), 3);
    assert_runs_complete(&b.join("toy_grid"), 3);
}

// ---------------------------------------------------------------------------
// 11. Bad sweep input
// ---------------------------------------------------------------------------

/// 1-based line of the first line of `file` containing `needle`.
fn line_in(file: &Path, needle: &str) -> usize {
    std::fs::read_to_string(file)
        .unwrap()
        .lines()
        .position(|l| l.contains(needle))
        .unwrap_or_else(|| panic!("{needle:?} not in {}", file.display()))
        + 1
}

/// Run a bad sweep: exit 2, a message located at `FILE:LINE:COL`, nothing
/// written.
#[track_caller]
fn assert_refused_at(file: &Path, line: usize, mentions: &[&str]) -> String {
    let tmp = tempfile::tempdir().unwrap();
    let o = sweep(file, tmp.path(), &[]);
    let e = err(&o);
    assert_eq!(o.status.code(), Some(2), "{}: {e}", file.display());
    let at = format!("{}:{line}:", file.display());
    let i = e
        .find(&at)
        .unwrap_or_else(|| panic!("message not located at {at}: {e}"));
    let col: String = e[i + at.len()..]
        .chars()
        .take_while(|c| c.is_ascii_digit())
        .collect();
    assert!(!col.is_empty(), "no column after {at}: {e}");
    for m in mentions {
        assert!(e.contains(m), "message does not mention {m:?}: {e}");
    }
    assert!(
        std::fs::read_dir(tmp.path()).unwrap().next().is_none(),
        "a refused sweep wrote files"
    );
    e
}

#[test]
fn sobol_needs_a_power_of_two_points() {
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "sobol.toml",
        &[
            ("design = \"lhs\"", "design = \"sobol\""),
            ("points = 12", "points = 100"),
        ],
    );
    assert_refused_at(&f, line_in(&f, "points = 100"), &["power of two"]);
    // And a power of two runs.
    let ok = variant(
        tmp.path(),
        &toy_sweep(),
        "sobol8.toml",
        &[
            ("design = \"lhs\"", "design = \"sobol\""),
            ("points = 12", "points = 8"),
            ("replications = 5", "replications = 2"),
        ],
    );
    assert_ok(
        &sweep(&ok, &tmp.path().join("o"), &[]),
        "sobol with 8 points",
    );
}

#[test]
fn a_parameter_that_does_not_exist_is_located() {
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "nokey.toml",
        &[(
            "korea_land.lines.k2.capacity",
            "korea_land.lines.k3.capacity",
        )],
    );
    assert_refused_at(&f, line_in(&f, "lines.k3.capacity"), &["k3"]);
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "nosection.toml",
        &[(
            "preferences.default.delivery",
            "preferences.default.deliveryy",
        )],
    );
    assert_refused_at(&f, line_in(&f, "deliveryy"), &["deliveryy"]);
}

#[test]
fn a_sweep_cannot_vary_the_seed() {
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "seed.toml",
        &[(
            "\"suppliers.korea_land.lines.k2.capacity\" = { min = 3.0, max = 20.0 }",
            "\"seed\" = { min = 1, max = 9, integer = true }",
        )],
    );
    assert_refused_at(&f, line_in(&f, "\"seed\" ="), &["seed"]);
    let f = variant(
        tmp.path(),
        &toy_grid(),
        "reps.toml",
        &[(
            "\"market.defer_quarters\"",
            "\"replications\" = { values = [1, 2] }\n\"market.defer_quarters\"",
        )],
    );
    assert_refused_at(&f, line_in(&f, "\"replications\" ="), &["replications"]);
}

// ---------------------------------------------------------------------------
// 12. One writer per result; a result replaced only by a finished one
// ---------------------------------------------------------------------------

#[test]
fn a_second_sweep_into_the_same_result_is_refused_while_the_first_runs() {
    // Defect 8: two different sweeps into one folder both exited 0 and
    // only the second's result survived.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let other = variant(
        tmp.path(),
        &toy_sweep(),
        "other.toml",
        &[("seed = 11", "seed = 12")],
    );
    let marker = tmp.path().join("paused");
    let mut first = sweep_cmd(&toy_sweep(), &out, &[]);
    first
        .env(
            "ARMSMARKET_TEST_PAUSE",
            format!("job:5:{}", marker.display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let first = first.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !marker.exists() {
        assert!(
            std::time::Instant::now() < deadline,
            "the first sweep never paused"
        );
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let second = sweep(&other, &out, &[]);
    std::fs::remove_file(&marker).unwrap();
    let first = first.wait_with_output().unwrap();
    assert_ok(&first, "the first sweep");
    assert_eq!(second.status.code(), Some(1), "{}", err(&second));
    assert!(
        err(&second).contains("another armsmarket process"),
        "the refusal should say why: {}",
        err(&second)
    );
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "the first sweep",
    );
}

#[test]
fn a_fresh_sweep_keeps_the_previous_result_until_it_has_a_new_one() {
    // Defect 9: a fresh sweep deleted the previous complete result first.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let dir = out.join("toy_sweep");
    assert_ok(&sweep(&toy_sweep(), &out, &[]), "the first sweep");
    let before: BTreeMap<String, Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                read(&e.path()),
            )
        })
        .collect();
    assert!(
        before.contains_key("manifest.json") && before.len() == 4,
        "{:?}",
        before.keys()
    );
    let other = variant(
        tmp.path(),
        &toy_sweep(),
        "other.toml",
        &[("seed = 11", "seed = 12")],
    );
    for spec in ["sync:1", "sync:2", "job:30"] {
        let o = sweep_env(
            &other,
            &out,
            &[],
            &[
                ("ARMSMARKET_TEST_ABORT", spec),
                ("ARMSMARKET_TEST_SYNC_EVERY", "7"),
            ],
        );
        assert!(
            o.status.signal().is_some(),
            "{spec}: {:?} {}",
            o.status,
            err(&o)
        );
        for (name, bytes) in &before {
            assert!(read(&dir.join(name)) == *bytes, "{spec}: {name} changed");
        }
    }
}

#[test]
fn a_part_file_changed_under_the_ledger_stops_the_resume() {
    // Defect 11: resume checked part files' lengths only, so a flipped byte
    // inside a part reached the final output with exit 0.
    for part in ["runs.csv.part", "points.csv.part", "market.csv.part"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        aborted_at_sync_3(&out, &["--keep", "market"]);
        let path = work(&out.join("toy_sweep")).join(part);
        let mut bytes = read(&path);
        // A digit in the middle of what the ledger recorded, same length.
        let i = (bytes.len() / 3..bytes.len())
            .find(|&i| bytes[i].is_ascii_digit())
            .unwrap();
        bytes[i] = if bytes[i] == b'1' { b'2' } else { b'1' };
        std::fs::write(&path, &bytes).unwrap();
        let o = sweep(&toy_sweep(), &out, &["--resume"]);
        assert_eq!(o.status.code(), Some(2), "{part}: {}", err(&o));
        assert!(
            err(&o).contains(&path.display().to_string()) && err(&o).contains("changed"),
            "{part}: the message should name the file: {}",
            err(&o)
        );
        assert!(
            !out.join("toy_sweep/runs.csv").exists(),
            "{part}: finished anyway"
        );
    }
}

// ---------------------------------------------------------------------------
// 13. Bounds of a sweep
// ---------------------------------------------------------------------------

/// `validate` refuses `file` at the line holding `needle`, naming each of
/// `mentions` (checked before `sweep` runs, so a refusal costs nothing).
#[track_caller]
fn validate_refuses(file: &Path, needle: &str, mentions: &[&str]) {
    let o = bin().arg("validate").arg(file).output().unwrap();
    let e = err(&o);
    assert_eq!(o.status.code(), Some(2), "{}: {e}", file.display());
    let at = format!("{}:{}:", file.display(), line_in(file, needle));
    assert!(e.contains(&at), "not located at {at}: {e}");
    for m in mentions {
        assert!(e.contains(m), "does not mention {m:?}: {e}");
    }
    assert_refused_at(file, line_in(file, needle), mentions);
}

#[test]
fn a_grid_value_listed_twice_is_refused() {
    // `values = [0.2, 0.2]` (or 1 and 1.0) ran as two points of one world
    // on different streams, without a word.
    let tmp = tempfile::tempdir().unwrap();
    for twice in ["values = [0.2, 0.5, 0.2]", "values = [0.5, 0.50]"] {
        let grid = variant(
            tmp.path(),
            &toy_grid(),
            "grid.toml",
            &[("values = [0.2, 0.5]", twice)],
        );
        validate_refuses(
            &grid,
            twice,
            &[
                "`sweep.parameters.market.public_reputation.values` lists",
                "twice",
            ],
        );
    }
}

#[test]
fn a_grid_quarter_listed_in_two_spellings_is_refused() {
    // `values = ["2022Q1", "2022q1"]` ran as two points (two ids, two
    // seeds) of one world; a quarter has one spelling, "2022Q1".
    let tmp = tempfile::tempdir().unwrap();
    let twice = "\"shocks.invasion.quarter\" = { values = [\"2022Q1\", \"2022q1\"] }";
    let grid = variant(
        tmp.path(),
        &toy_grid(),
        "grid.toml",
        &[(
            "\"market.public_reputation\" = { values = [0.2, 0.5] }",
            twice,
        )],
    );
    validate_refuses(
        &grid,
        twice,
        &[
            "`sweep.parameters.shocks.invasion.quarter.values[1]`",
            "write quarters as \"2022Q1\", with a capital Q",
        ],
    );
}

#[test]
fn replications_of_a_sweep_have_an_upper_bound() {
    // Defect 2: 10^8 replications a point passed `validate`, then `sweep`
    // aborted on a 17-34 GB allocation.
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "reps.toml",
        &[("replications = 5", "replications = 100000000")],
    );
    validate_refuses(
        &f,
        "replications = 100000000",
        &["`sweep.replications`", "1000000"],
    );
}

#[test]
fn points_of_a_sweep_have_an_upper_bound() {
    // Defect 3: `points` had no bound, and points.csv was written in full
    // before any run, until the disk was full.
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_sweep(),
        "points.toml",
        &[("points = 12", "points = 1000000000")],
    );
    validate_refuses(&f, "points = 1000000000", &["`sweep.points`", "1000000"]);
}

#[test]
fn every_bound_of_a_swept_range_is_checked() {
    // Defect 15: only a sweep's first point was checked, so a range that
    // reached invalid values ended in failed runs (exit 1) and a --resume
    // hint that could not succeed.
    let tmp = tempfile::tempdir().unwrap();
    let grid = variant(
        tmp.path(),
        &toy_grid(),
        "grid.toml",
        &[("values = [0.2, 0.5]", "values = [0.2, 1.5]")],
    );
    validate_refuses(
        &grid,
        "values = [0.2, 1.5]",
        &["`market.public_reputation` = 1.5", "between 0 and 1"],
    );
    let range = variant(
        tmp.path(),
        &toy_sweep(),
        "range.toml",
        &[("{ min = 3.0, max = 20.0 }", "{ min = 3.0, max = 2e5 }")],
    );
    validate_refuses(
        &range,
        "max = 2e5",
        &["`suppliers.korea_land.lines.k2.capacity` = 200000", "max"],
    );
}

#[test]
fn a_swept_range_that_breaks_a_rule_between_keys_is_refused_at_its_line() {
    // Each value is in its key's range, but the largest legacy fleet is
    // more than the fleet: found at the design's extremes, not as failed
    // runs.
    let tmp = tempfile::tempdir().unwrap();
    let f = variant(
        tmp.path(),
        &toy_grid(),
        "legacy.toml",
        &[(
            "\"market.defer_quarters\"",
            "\"buyers.AAA.fleet.tank.legacy\" = { values = [100, 700] }\n\"market.defer_quarters\"",
        )],
    );
    validate_refuses(
        &f,
        "fleet.tank.legacy",
        &["`buyers.AAA.fleet.tank.legacy` = 700", "more than `units`"],
    );
}

/// A resume without `--keep` keeps the tables of the sweep it resumes,
/// and finishes with the bytes of an uninterrupted sweep that kept them.
#[test]
fn a_resume_without_keep_keeps_the_tables_of_the_sweep_it_resumes() {
    let keep = keep_list(KEEP);
    let want = reference(&toy_sweep(), &["--keep", KEEP], &keep);
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    aborted_at_sync_3(&out, &["--keep", KEEP]);
    assert_ok(&sweep(&toy_sweep(), &out, &["--resume"]), "resume");
    assert_same_files(&out.join("toy_sweep"), &want, "resumed without --keep");
}

#[test]
fn a_resume_with_other_tables_is_refused_and_says_which() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    aborted_at_sync_3(&out, &[]);
    let o = sweep(&toy_sweep(), &out, &["--resume", "--keep", "market"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    // The fix it names works: "resume with the same program and options"
    // alone was no fix for a user who wants the other tables.
    assert!(
        err(&o).contains(
            "its tables were `none`, now `market`: resume with the same program and options, or use another --out, or run without --resume to start over"
        ),
        "{}",
        err(&o)
    );
    assert_ok(
        &sweep(&toy_sweep(), &out, &["--keep", "market"]),
        "start over",
    );
    assert!(out.join("toy_sweep/market.csv").is_file());
}

#[test]
fn quiet_still_says_where_the_sweep_does_other_than_asked() {
    // A resume with nothing to resume starts afresh, and a resume of a
    // complete sweep does nothing: both are said under --quiet, as the
    // help promises; a plain quiet run says nothing.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_ok(&o, "a first resume");
    assert!(err(&o).contains("starting afresh"), "{}", err(&o));
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_ok(&o, "a second resume");
    assert!(
        err(&o).contains("is complete; nothing to do"),
        "{}",
        err(&o)
    );
    let o = sweep(&toy_sweep(), &out, &[]);
    assert_ok(&o, "a plain run");
    assert_eq!(err(&o), "", "--quiet printed something");
}

#[test]
fn a_resume_says_what_it_does_with_a_damaged_sweep() {
    // A finished result with a row cut from runs.csv was "complete;
    // nothing to do", and a work folder whose identity was lost was
    // started afresh without a word.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&sweep(&toy_sweep(), &out, &[]), "the sweep");
    let runs = out.join("toy_sweep/runs.csv");
    let cut: Vec<String> = text(&read(&runs)).lines().map(str::to_string).collect();
    std::fs::write(&runs, cut[..cut.len() - 1].join("\n") + "\n").unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("this sweep's finished result, but runs.csv missing or changed")
            && err(&o).contains("without --resume"),
        "{}",
        err(&o)
    );
    assert_ok(
        &sweep(&toy_sweep(), &out, &[]),
        "the sweep again, as advised",
    );
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        "the sweep run again",
    );
    // A stopped sweep's work folder without its identity.
    let out = tmp.path().join("stopped");
    aborted_at_sync_3(&out, &[]);
    std::fs::remove_file(work(&out.join("toy_sweep")).join("identity.json")).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_ok(&o, "the resume");
    assert!(
        err(&o).contains("nothing recorded to resume in") && err(&o).contains("starting afresh"),
        "{}",
        err(&o)
    );
    // A part file gone from a stopped sweep's work folder: exit 2 with the
    // fix (it was exit 1, "No such file or directory").
    let out = tmp.path().join("no part");
    aborted_at_sync_3(&out, &[]);
    std::fs::remove_file(work(&out.join("toy_sweep")).join("runs.csv.part")).unwrap();
    let o = sweep(&toy_sweep(), &out, &["--resume"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("runs.csv.part: it is missing") && err(&o).contains("without --resume"),
        "{}",
        err(&o)
    );
    // A file where the work folder goes is not removed (it was exit 1,
    // "Not a directory").
    let out = tmp.path().join("a file");
    std::fs::create_dir(&out).unwrap();
    let file = work(&out.join("toy_sweep"));
    std::fs::write(&file, "mine\n").unwrap();
    for extra in [&["--resume"][..], &[]] {
        let o = sweep(&toy_sweep(), &out, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", err(&o));
        assert!(
            err(&o).contains("it is not one armsmarket made"),
            "{}",
            err(&o)
        );
        assert_eq!(text(&read(&file)), "mine\n");
    }
    // A folder of someone's files under the work folder's name is not
    // removed as an unfinished batch (it was, with its files).
    std::fs::remove_file(&file).unwrap();
    std::fs::create_dir(&file).unwrap();
    std::fs::write(file.join("notes.txt"), "mine\n").unwrap();
    for extra in [&["--resume"][..], &[]] {
        let o = sweep(&toy_sweep(), &out, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", err(&o));
        assert!(
            err(&o).contains("holds `notes.txt`, which no batch writes"),
            "{}",
            err(&o)
        );
        assert_eq!(text(&read(&file.join("notes.txt"))), "mine\n");
    }
}

/// `dir/NAME.toml`: a sweep of the toy world named `name`, with `design`
/// lines in its `[sweep]` table (one replication) and `parameters` as its
/// `[sweep.parameters]`; the parameters start on line 10 when `design` is
/// two lines.
pub(crate) fn toy_sweep_file(dir: &Path, name: &str, design: &str, parameters: &str) -> PathBuf {
    crate::common::toy_variant(
        dir,
        name,
        &format!(
            "name = \"{name}\"\n\n[sweep]\n{design}\nreplications = 1\n\n[sweep.parameters]\n{parameters}"
        ),
    )
}

/// Sweep `file` into `out`, which must be refused before anything runs:
/// exit code 2, a message holding `says`, nothing written.
fn refused(file: &Path, out: &Path, says: &str) {
    let o = sweep(file, out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains(says), "{}", err(&o));
    assert!(!out.exists(), "nothing written");
}

/// A listed list where a table of named keys belongs is refused at the
/// parameter, as it is in a scenario file: it filled the table by
/// position (a tolerance `[0.5]` ran as `abs = 0.5`). Tables listed run.
#[test]
fn a_listed_list_for_a_table_of_named_keys_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let lists = toy_sweep_file(
        tmp.path(),
        "lists",
        "design = \"grid\"",
        "\"targets.kor_delivered_share.tolerance\" = { values = [[0.5], [0.3]] }\n",
    );
    let line = line_in(&lists, "targets.kor_delivered_share.tolerance");
    assert_refused_at(
        &lists,
        line,
        &[
            "`targets.kor_delivered_share.tolerance`'s value [0.5] holds a list where a table of named keys belongs",
            "abs, rel, range",
        ],
    );
    let tables = toy_sweep_file(
        tmp.path(),
        "tables",
        "design = \"grid\"",
        "\"targets.kor_delivered_share.tolerance\" = { values = [{ abs = 0.5 }, { rel = 0.3 }] }\n",
    );
    assert_ok(
        &sweep(&tables, &tmp.path().join("out"), &[]),
        "tables listed",
    );
}

/// A continuous range over a key of whole numbers is refused at the
/// parameter, with the fix, before anything runs (it used to name a
/// sampled fraction that is not in the file).
#[test]
fn a_continuous_range_over_a_whole_number_key_is_refused_with_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let file = toy_sweep_file(
        tmp.path(),
        "whole",
        "design = \"lhs\"\npoints = 4",
        "\"market.defer_quarters\" = { min = 1, max = 4 }\n",
    );
    let out = tmp.path().join("out");
    let o = sweep(&file, &out, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let want = format!(
        "{}:10:1: `market.defer_quarters` takes whole numbers, which a continuous range does not give: add `integer = true`",
        file.display()
    );
    assert!(err(&o).starts_with(&want), "{}", err(&o));
    assert!(!out.exists(), "nothing written");
    // With the fix it runs.
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(
        &file,
        text.replace("max = 4 }", "max = 4, integer = true }"),
    )
    .unwrap();
    assert_ok(&sweep(&file, &out, &[]), "the fixed sweep");
}

/// A sweep that would run one world as many points, or run a key under
/// two spellings, or reach a world that is not valid inside a long list,
/// is refused before anything runs (each ran, and wrote a result).
#[test]
fn degenerate_and_doubled_parameters_are_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    // One value for every point: four copies of one world's runs.
    let file = toy_sweep_file(
        tmp.path(),
        "flat",
        "design = \"lhs\"\npoints = 4",
        "\"preferences.default.delivery\" = { min = 1.0, max = 1.0 }\n",
    );
    refused(
        &file,
        &out,
        "min 1 = max 1: a range needs min < max; for one value write `values = [1]`",
    );
    // The path is read with its names trimmed: two spellings of one key
    // gave two columns of points.csv, one of them never applied.
    let file = toy_sweep_file(
        tmp.path(),
        "spelt",
        "design = \"grid\"",
        "\"buyers.AAA.threat_exposure\" = { values = [0.5] }\n\"buyers.AAA. threat_exposure\" = { values = [2.0] }\n",
    );
    refused(
        &file,
        &out,
        "a key path has no spaces around its names; write \"buyers.AAA.threat_exposure\"",
    );
    // More than 16 values: the smallest and largest are compiled, not the
    // first and last listed.
    let values: Vec<String> = std::iter::once(100)
        .chain(610..=624)
        .chain([110])
        .map(|v| v.to_string())
        .collect();
    let file = toy_sweep_file(
        tmp.path(),
        "long",
        "design = \"grid\"",
        &format!(
            "\"buyers.AAA.fleet.tank.legacy\" = {{ values = [{}] }}\n",
            values.join(", ")
        ),
    );
    refused(
        &file,
        &out,
        "`buyers.AAA.fleet.tank.legacy` = 624 is more than `units` = 600",
    );
}

/// A sweep moving a shock past an event tied to it is refused before
/// anything runs (the point's world was patched without the check, and
/// ran the donation before the war it follows), at the parameter that
/// moves the shock, what the sweep changed (it was located at the event's
/// quarter in the base file, and before that at the sweep file's first
/// line); one keeping the event at or after the shock runs.
#[test]
fn a_sweep_moving_a_shock_past_its_events_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let tied = "\n[events.aaa_donates_tanks]\nshock = \"invasion\"\n";
    let file = toy_sweep_file(
        tmp.path(),
        "late",
        "design = \"grid\"",
        &format!("\"shocks.invasion.quarter\" = {{ values = [\"2022Q1\", \"2022Q3\"] }}\n{tied}"),
    );
    refused(
        &file,
        &out,
        &format!(
            "{}:9:1: the sweep reaches a world that is not valid with `shocks.invasion.quarter` = \"2022Q3\": `events.aaa_donates_tanks.quarter` = \"2022Q2\" is before the quarter of its shock (`shocks.invasion.quarter` = \"2022Q3\")",
            file.display()
        ),
    );
    let file = toy_sweep_file(
        tmp.path(),
        "early",
        "design = \"grid\"",
        &format!("\"shocks.invasion.quarter\" = {{ values = [\"2021Q4\", \"2022Q2\"] }}\n{tied}"),
    );
    assert_ok(
        &sweep(&file, &out, &[]),
        "a sweep keeping the event after its shock",
    );
}

/// A toy grid sweep `name` of 10 keys, more than the corners cover: the 8
/// preference weights at 1.0, and BBB's spg `units` and `legacy` over the
/// values listed.
fn ten_key_grid(dir: &Path, name: &str, units: &str, legacy: &str) -> PathBuf {
    let fixed: String = crate::common::WEIGHTS
        .iter()
        .map(|k| format!("\"preferences.default.{k}\" = {{ values = [1.0] }}\n"))
        .collect();
    toy_sweep_file(
        dir,
        name,
        "design = \"grid\"",
        &format!(
            "{fixed}\"buyers.BBB.fleet.spg.units\" = {{ values = [{units}] }}\n\"buyers.BBB.fleet.spg.legacy\" = {{ values = [{legacy}] }}\n"
        ),
    )
}

/// With more than 8 parameters only two corners of the box are compiled
/// first, so a point between them can break a rule between two keys (most
/// legacy units with the fewest units) that no compiled corner breaks.
/// Every point's scenario is then checked: the sweep is refused before
/// anything runs, at the point, with its values and the broken rule (it
/// used to write failed runs, which `--resume` said it would retry and
/// could only fail again). `validate` refuses it the same way.
#[test]
fn a_point_whose_keys_break_a_rule_together_is_refused_with_more_than_8_keys() {
    let tmp = tempfile::tempdir().unwrap();
    let file = ten_key_grid(tmp.path(), "nine", "70, 200", "0, 90");
    let out = tmp.path().join("out");
    let says = "`buyers.BBB.fleet.spg.legacy` = 90 is more than `units` = 70";
    refused(&file, &out, says);
    let o = sweep(&file, &out, &[]);
    let e = err(&o);
    // At the sweep's table, naming the point and every value it sets.
    assert!(e.contains("nine.toml:"), "{e}");
    assert!(e.contains("not valid at point "), "{e}");
    assert!(
        e.contains("`buyers.BBB.fleet.spg.units` = 70")
            && e.contains("`buyers.BBB.fleet.spg.legacy` = 90")
            && e.contains("`preferences.default.price` = 1.0"),
        "{e}"
    );
    let v = bin().args(["validate"]).arg(&file).output().unwrap();
    assert_eq!(v.status.code(), Some(2), "{}", err(&v));
    assert!(err(&v).contains(says), "{}", err(&v));
    // The same keys over values that never break the rule run.
    let fine = ten_key_grid(tmp.path(), "nine_fine", "90, 200", "0, 90");
    assert_ok(
        &sweep(&fine, &tmp.path().join("fine"), &[]),
        "a sweep whose every point is valid",
    );
}

/// The points are checked on the sweep's threads, and of several that
/// break a rule the error names the first in design order, whatever the
/// thread count: the same bytes from one thread as from four.
#[test]
fn of_several_invalid_points_the_first_is_named_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    // Grid, last key fastest: (70, 0) is valid, (70, 80) the first invalid
    // point, then (70, 85) and (70, 90).
    let file = ten_key_grid(tmp.path(), "several", "70, 200", "0, 80, 85, 90");
    let errors: Vec<String> = ["1", "4"]
        .iter()
        .map(|t| {
            let out = tmp.path().join(format!("out{t}"));
            let o = sweep(&file, &out, &["-t", t]);
            assert_eq!(o.status.code(), Some(2), "{}", err(&o));
            assert!(!out.exists(), "nothing written");
            // The error, after any warning that 4 threads exceed the cores.
            err(&o).lines().last().unwrap_or_default().to_string()
        })
        .collect();
    assert!(
        errors[0].contains("`buyers.BBB.fleet.spg.legacy` = 80 is more than `units` = 70"),
        "{}",
        errors[0]
    );
    assert_eq!(errors[0], errors[1]);
}

/// Of a list of more than 16 names only the first and last are compiled
/// first; every point's scenario is then checked, so a name in the middle
/// that names nothing is refused before anything runs.
#[test]
fn a_bad_name_inside_a_long_list_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let names: Vec<String> = (1..=15).map(|i| format!("\"nothing{i}\"")).collect();
    let file = toy_sweep_file(
        tmp.path(),
        "names",
        "design = \"grid\"",
        &format!(
            "\"programmes.bbb_spg_2012.line\" = {{ values = [\"pzh2000\", {}, \"leopard2\"] }}\n",
            names.join(", ")
        ),
    );
    refused(
        &file,
        &tmp.path().join("out"),
        "`programmes.bbb_spg_2012.line` names line `nothing1`, which is not defined",
    );
}

/// A corner takes a list's first or last name only, so with two keys a
/// name between them is never compiled with the other key's values: every
/// point is then checked, and a supplier that does not make the line the
/// programme names is refused before anything runs (it failed its run).
#[test]
fn a_middle_name_that_breaks_a_rule_with_another_key_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let line = |supplier: &str, id: &str, category: &str| {
        format!(
            "[suppliers.{supplier}.lines.{id}]\ncategory = \"{category}\"\nlist_price = 9.0\nquality = 0.9\ninteroperability = 0.9\nbase_lead = 10\ncapacity = 4.0\nreliability = 0.9\nlocalisation = 0.3\n\n"
        )
    };
    let file = crate::common::toy_variant(
        tmp.path(),
        "middle",
        &format!(
            "name = \"middle\"\n\n{}{}{}[sweep]\ndesign = \"grid\"\nreplications = 1\n\n[sweep.parameters]\n\"programmes.bbb_spg_2012.supplier\" = {{ values = [\"german_land\", \"korea_land\", \"us_land\"] }}\n\"programmes.bbb_spg_2012.line\" = {{ values = [\"pzh2000\", \"leopard2\"] }}\n",
            line("korea_land", "pzh2000", "spg"),
            line("us_land", "pzh2000", "spg"),
            line("us_land", "leopard2", "tank"),
        ),
    );
    refused(
        &file,
        &tmp.path().join("out"),
        "`programmes.bbb_spg_2012.line` names line `leopard2`, which is not defined in `suppliers.korea_land.lines`",
    );
}

/// Bounds valid alone, and all lower or all upper together, can still
/// break a rule together at another corner of the box (most legacy units
/// with the fewest units): refused before anything runs, not left to fail
/// runs that a resume would fail again.
#[test]
fn a_corner_of_the_box_that_breaks_a_rule_is_refused_before_anything_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let file = toy_sweep_file(
        tmp.path(),
        "corner",
        "design = \"grid\"",
        "\"buyers.BBB.fleet.spg.units\" = { values = [70, 200] }\n\"buyers.BBB.fleet.spg.legacy\" = { values = [0, 90] }\n",
    );
    let out = tmp.path().join("out");
    refused(
        &file,
        &out,
        "`buyers.BBB.fleet.spg.legacy` = 90 is more than `units` = 70",
    );
}

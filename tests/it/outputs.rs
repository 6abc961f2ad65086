//! Results appear whole or not at all. `run` stages a result in a private
//! directory and puts it in place at once, manifest included; a failure or
//! a kill leaves the previous result as it was; a second writer of the same
//! result is refused while the first works.
#![cfg(unix)]

use crate::common::{EVERY_TABLE, assert_ok, bin, blake3_hex, err, read, text, toy};
use std::collections::BTreeMap;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Output};

/// The files of a result directory, by name.
fn files_in(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| {
            let e = e.unwrap();
            let name = e.file_name().to_string_lossy().into_owned();
            assert!(e.file_type().unwrap().is_file(), "{name} is not a file");
            (name, read(&e.path()))
        })
        .collect()
}

/// The manifest of a result directory whose files are exactly those the
/// manifest lists, each with its recorded hash.
#[track_caller]
fn consistent(dir: &Path) -> serde_json::Value {
    let files = files_in(dir);
    let m: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    let listed = m["files"].as_object().expect("manifest lists files");
    for (name, bytes) in &files {
        if name == "manifest.json" {
            continue;
        }
        let entry = listed
            .get(name)
            .unwrap_or_else(|| panic!("{name} is in {} but not in its manifest", dir.display()));
        let want = entry["blake3"].as_str().unwrap();
        let got = blake3_hex(&dir.join(name));
        assert_eq!(got, want, "{name} does not match the manifest beside it");
        assert_eq!(entry["bytes"], bytes.len() as u64, "{name}");
    }
    for name in listed.keys() {
        assert!(
            files.contains_key(name),
            "the manifest lists {name}, which is missing"
        );
    }
    m
}

/// `run` of the toy world into `out` with `reps` replications and `seed`,
/// plus environment `env`.
fn run_toy(out: &Path, reps: &str, seed: &str, env: &[(&str, &str)]) -> Output {
    let mut c = bin();
    c.args([
        "run",
        toy().to_str().unwrap(),
        "-q",
        "-r",
        reps,
        "--seed",
        seed,
        "--tables",
        EVERY_TABLE,
    ])
    .arg("--out")
    .arg(out);
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().unwrap()
}

/// Names in `out` other than the result `toy` (temporary files or folders
/// a run left behind).
fn leftovers(out: &Path) -> Vec<String> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "toy")
        .collect()
}

#[test]
fn killed_while_putting_a_result_in_place_leaves_the_old_or_the_new_whole() {
    // Defect 4: tables were renamed one by one before the manifest.
    let tmp = tempfile::tempdir().unwrap();
    let mut saw_new = false;
    let mut saw_old = false;
    for n in 1..=10 {
        let out = tmp.path().join(format!("out{n}"));
        assert_ok(&run_toy(&out, "2", "1", &[]), "the first result");
        let old = files_in(&out.join("toy"));
        let spec = format!("commit:{n}");
        let o = run_toy(&out, "3", "2", &[("ARMSMARKET_TEST_ABORT", &spec)]);
        let m = consistent(&out.join("toy"));
        if o.status.signal().is_some() {
            match m["seed"].as_u64() {
                Some(1) => {
                    saw_old = true;
                    assert_eq!(
                        files_in(&out.join("toy")),
                        old,
                        "{spec}: the old result changed"
                    );
                }
                Some(2) => saw_new = true,
                other => panic!("{spec}: seed {other:?}"),
            }
        } else {
            assert_ok(&o, &spec);
            assert_eq!(m["seed"], 2);
            saw_new = true;
        }
        // The next run cleans up whatever the kill left.
        assert_ok(&run_toy(&out, "2", "3", &[]), "a run after the kill");
        assert_eq!(consistent(&out.join("toy"))["seed"], 3);
        assert_eq!(leftovers(&out), Vec::<String>::new(), "{spec}");
    }
    assert!(saw_old && saw_new, "the kills missed the commit");
}

#[test]
fn a_file_that_cannot_be_written_keeps_the_previous_result_and_is_named() {
    // Defect 5: a failure named the folder, not the file, and could leave
    // some tables replaced and a temporary file behind.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&run_toy(&out, "2", "1", &[]), "the first result");
    let old = files_in(&out.join("toy"));
    for name in [
        "contracts.csv",
        "market.csv",
        "summary.csv",
        "targets.csv",
        "manifest.json",
    ] {
        let o = run_toy(&out, "3", "2", &[("ARMSMARKET_TEST_FAIL", name)]);
        assert_eq!(o.status.code(), Some(1), "{name}: {}", err(&o));
        let want = out.join("toy").join(name);
        assert!(
            err(&o).contains(&want.display().to_string()) && err(&o).contains("No space left"),
            "{name}: the message should name {} and the cause: {}",
            want.display(),
            err(&o)
        );
        assert_eq!(
            files_in(&out.join("toy")),
            old,
            "{name}: the old result changed"
        );
        assert_eq!(leftovers(&out), Vec::<String>::new(), "{name}");
    }
}

#[test]
fn a_blocked_table_path_does_not_half_replace_a_result() {
    // Defect 5 as found: a folder where a table was.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&run_toy(&out, "2", "1", &[]), "the first result");
    let market = out.join("toy/market.csv");
    std::fs::remove_file(&market).unwrap();
    std::fs::create_dir(&market).unwrap();
    std::fs::write(market.join("x"), b"x").unwrap();
    assert_ok(&run_toy(&out, "3", "2", &[]), "a run replacing the result");
    assert_eq!(consistent(&out.join("toy"))["seed"], 2);
    assert_eq!(leftovers(&out), Vec::<String>::new());
}

#[test]
fn a_planted_symlink_cannot_redirect_a_write() {
    // Defect 6: temporary files had predictable names and followed links.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let victim = tmp.path().join("victim.txt");
    std::fs::write(&victim, b"precious").unwrap();
    assert_ok(&run_toy(&out, "2", "1", &[]), "the first result");
    for name in [
        "contracts",
        "market",
        "suppliers",
        "buyers",
        "summary",
        "targets",
    ] {
        let tmp_name = out.join(format!("toy/{name}.csv.tmp"));
        std::os::unix::fs::symlink(&victim, tmp_name).unwrap();
    }
    std::os::unix::fs::symlink(&victim, out.join("toy/manifest.json.tmp")).unwrap();
    assert_ok(&run_toy(&out, "3", "2", &[]), "a run over planted links");
    assert_eq!(
        text(&read(&victim)),
        "precious",
        "a write followed a planted link"
    );
    assert_eq!(consistent(&out.join("toy"))["seed"], 2);
}

/// An `--out` that is a link to nothing (or runs through one) cannot be
/// made a folder: it was "cannot write out: File exists (os error 17)",
/// exit 1, and `sweep --shard` named a folder under it. It is refused as
/// a file is (exit 2), naming the link and its target; made, the folder
/// it points to takes the result.
#[test]
fn an_out_that_links_to_nothing_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (link, target) = (tmp.path().join("out"), tmp.path().join("nowhere"));
    std::os::unix::fs::symlink(&target, &link).unwrap();
    let said = format!(
        "{}: this is a link to {}, a folder that does not exist (make it)",
        link.display(),
        target.display()
    );
    for out in [link.clone(), link.join("deeper")] {
        let o = run_toy(&out, "2", "1", &[]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(err(&o).contains(&said), "{}", err(&o));
    }
    let sweep = crate::common::data("toy_saltelli.toml");
    for extra in [
        &["sweep", "--shard", "1/2"][..],
        &["slurm", "--shards", "2"],
    ] {
        let o = bin()
            .args(&extra[..1])
            .arg(&sweep)
            .args(&extra[1..])
            .arg("--out")
            .arg(&link)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{extra:?}: {}", err(&o));
        assert!(err(&o).contains(&said), "{extra:?}: {}", err(&o));
    }
    assert!(!target.exists(), "nothing was made");
    std::fs::create_dir(&target).unwrap();
    assert_ok(&run_toy(&link, "2", "1", &[]), "into the folder made");
    assert!(target.join("toy/manifest.json").is_file());
}

/// Start `run` paused after its second replication (holding whatever it
/// holds then); returns the child and the file to remove to let it go.
fn paused_run(out: &Path, marker: &Path) -> Child {
    paused_run_at(out, marker, "job:2")
}

/// As [`paused_run`], paused at `event` (`EVENT:N` of
/// `ARMSMARKET_TEST_PAUSE`).
fn paused_run_at(out: &Path, marker: &Path, event: &str) -> Child {
    let mut c = bin();
    c.args([
        "run",
        toy().to_str().unwrap(),
        "-q",
        "-r",
        "4",
        "--seed",
        "4",
    ])
    .arg("--out")
    .arg(out)
    .env(
        "ARMSMARKET_TEST_PAUSE",
        format!("{event}:{}", marker.display()),
    )
    .stdout(std::process::Stdio::null())
    .stderr(std::process::Stdio::piped());
    let mut child = c.spawn().unwrap();
    // Wait for the pause (the file appears), or for an early exit.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the paused run exited early: {status:?}");
        }
        assert!(std::time::Instant::now() < deadline, "the run never paused");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child
}

#[test]
fn a_previous_result_that_cannot_be_removed_is_named_and_the_new_one_stays() {
    // It said only "cannot write", with exit 1, though the new result was
    // in place and the previous one left beside it.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    assert_ok(&run_toy(&out, "2", "1", &[]), "the first result");
    let marker: PathBuf = tmp.path().join("paused");
    // Paused with the new result in place and the previous one set aside.
    let run = paused_run_at(&out, &marker, "commit:2");
    let aside = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| {
            let n = p.file_name().unwrap().to_string_lossy();
            n.starts_with(".toy.") && n.ends_with(".staging")
        })
        .expect("the previous result set aside");
    assert_eq!(consistent(&aside)["seed"], 1);
    // Something that cannot be removed as a folder takes its place (the
    // tests may run as root, whom permissions would not stop).
    std::fs::remove_dir_all(&aside).unwrap();
    std::fs::write(&aside, b"not a folder").unwrap();
    std::fs::remove_file(&marker).unwrap();
    let o = run.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("the new result is in place")
            && e.contains(&aside.display().to_string())
            && e.contains("remove it by hand"),
        "the error should say the new result is in place and where the previous one is: {e}"
    );
    assert_eq!(consistent(&out.join("toy"))["seed"], 4);
}

#[test]
fn a_second_writer_of_a_result_is_refused_while_the_first_runs() {
    // Defect 7: two runs into one folder; one could exit 0 with files that
    // did not match its own manifest.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let marker: PathBuf = tmp.path().join("paused");
    let first = paused_run(&out, &marker);
    let second = run_toy(&out, "3", "5", &[]);
    std::fs::remove_file(&marker).unwrap();
    let first = first.wait_with_output().unwrap();
    assert_ok(&first, "the first writer");
    assert_eq!(second.status.code(), Some(1), "{}", err(&second));
    let want = out.join("toy").display().to_string();
    assert!(
        err(&second).contains(&want) && err(&second).contains("another armsmarket process"),
        "the refusal should name {want} and say why: {}",
        err(&second)
    );
    let m = consistent(&out.join("toy"));
    assert_eq!(
        (m["seed"].as_u64(), m["replications"].as_u64()),
        (Some(4), Some(4))
    );
}

/// A second scenario of a batch, `toy4` on top of the toy world, in `dir`.
fn toy_and_toy4(dir: &Path) -> (PathBuf, PathBuf) {
    let toy4 = dir.join("toy4.toml");
    std::fs::write(
        &toy4,
        format!(
            "base = {:?}\nname = \"toy4\"\n",
            toy().display().to_string()
        ),
    )
    .unwrap();
    (toy(), toy4)
}

#[test]
fn a_batch_takes_every_folder_before_it_writes_any() {
    // The second scenario's folder is taken by something that is not a
    // result: the batch stops before writing the first's.
    let tmp = tempfile::tempdir().unwrap();
    let (toy, toy4) = toy_and_toy4(tmp.path());
    let out = tmp.path().join("out");
    std::fs::create_dir_all(out.join("toy4")).unwrap();
    std::fs::write(out.join("toy4/notes.txt"), b"mine").unwrap();
    let o = bin()
        .args(["run", toy.to_str().unwrap(), toy4.to_str().unwrap()])
        .args(["-r", "2", "-q", "--out", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("out/toy4"), "{}", err(&o));
    let left: Vec<_> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, ["toy4"], "the first scenario's result was written");
    assert_eq!(read(&out.join("toy4/notes.txt")), b"mine");
}

#[test]
fn a_closed_stdout_ends_the_printing_not_the_batch() {
    // `run a b | head -0`: the first target table meets a closed pipe; the
    // second scenario still runs and the batch succeeds.
    let tmp = tempfile::tempdir().unwrap();
    let (toy, toy4) = toy_and_toy4(tmp.path());
    let out = tmp.path().join("out");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin()
        .args(["run", toy.to_str().unwrap(), toy4.to_str().unwrap()])
        .args(["-r", "2", "-q", "--out", out.to_str().unwrap()])
        .stdout(writer)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    for name in ["toy", "toy4"] {
        assert!(
            out.join(name).join("manifest.json").is_file(),
            "{name} was not written"
        );
    }
}

#[test]
fn a_result_of_another_command_is_not_replaced() {
    // A scenario named `compare` replaced a comparison in the same --out
    // without a word: only a manifest.json was looked for.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let named = tmp.path().join("named.toml");
    std::fs::write(
        &named,
        format!(
            "base = {:?}\nname = \"compare\"\n",
            toy().display().to_string()
        ),
    )
    .unwrap();
    let toy = toy();
    let compare = |extra: &[&str]| {
        bin()
            .arg("compare")
            .arg(&toy)
            .args(["-r", "2", "-q", "--out"])
            .arg(&out)
            .args(extra)
            .output()
            .unwrap()
    };
    assert_ok(&compare(&[]), "compare");
    let manifest = read(&out.join("compare/manifest.json"));
    let o = bin()
        .arg("run")
        .arg(&named)
        .args(["-r", "2", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("holds a result of `armsmarket compare`, which a result of `armsmarket run` would replace"),
        "{}",
        err(&o)
    );
    assert_eq!(read(&out.join("compare/manifest.json")), manifest);
    // A comparison replaces a comparison, as before.
    assert_ok(&compare(&[]), "compare again");
    // The other way round, the advice is not to rename: a comparison is
    // always written to `compare/`.
    assert_ok(
        &bin()
            .arg("run")
            .arg(&named)
            .args(["-r", "2", "-q", "--out"])
            .arg(tmp.path().join("other"))
            .output()
            .unwrap(),
        "a run named compare",
    );
    let o = bin()
        .arg("compare")
        .arg(&toy)
        .args(["-r", "2", "-q", "--out"])
        .arg(tmp.path().join("other"))
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("would replace; move it away") && !err(&o).contains("`name`"),
        "{}",
        err(&o)
    );
}

#[test]
fn a_folder_whose_manifest_armsmarket_did_not_write_is_not_replaced() {
    // Any manifest.json once passed for a result's: a web app's folder, or
    // one whose manifest is not JSON, was replaced whole, the user's files
    // in it deleted.
    for manifest in [
        "{\"name\": \"my web app\", \"command\": \"run\"}\n",
        "hello\n",
    ] {
        let tmp = tempfile::tempdir().unwrap();
        let folder = tmp.path().join("out/toy");
        std::fs::create_dir_all(&folder).unwrap();
        std::fs::write(folder.join("manifest.json"), manifest).unwrap();
        std::fs::write(folder.join("thesis.tex"), "precious\n").unwrap();
        let o = bin()
            .arg("run")
            .arg(toy())
            .args(["-r", "1", "-q", "--out"])
            .arg(tmp.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{manifest}: {}", err(&o));
        assert!(
            err(&o).contains("not one armsmarket wrote")
                && err(&o).matches("another --out").count() == 1,
            "{}",
            err(&o)
        );
        assert_eq!(read(&folder.join("thesis.tex")), b"precious\n");
        assert_eq!(read(&folder.join("manifest.json")), manifest.as_bytes());
    }
}

//! `armsmarket slurm`: the submission script is valid bash, submits an
//! array of shards and a merge that depends on it, and quotes every path
//! and name, so that nothing in them runs as a command.
#![cfg(unix)]

use crate::common::{ENV_VARS, assert_ok, bin, err, root, text};
use crate::sweep::{assert_same_files, reference, toy_sweep, variant};
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A stand-in for `sbatch` in `bin_dir` that runs each job at once: the
/// array's tasks one after the other with the Slurm variables set (the
/// array read from `--array=0-N` on its command line or an `#SBATCH` line),
/// then any other job. It logs to `$FAKE_SBATCH_LOG`.
fn fake_sbatch(bin_dir: &Path) {
    let fake = r#"#!/bin/bash
set -eu
echo "sbatch $*" >> "$FAKE_SBATCH_LOG"
job="$(dirname "$FAKE_SBATCH_LOG")/job-$$.sh"
cat > "$job"
last=$(sed -n 's/^#SBATCH --array=0-\([0-9]*\)$/\1/p' "$job")
for a in "$@"; do
  case "$a" in --array=0-*) last=${a#--array=0-} ;; esac
done
if [ -n "$last" ]; then
  for i in $(seq 0 "$last"); do
    SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=$((last + 1)) SLURM_ARRAY_TASK_MIN=0 \
      SLURM_ARRAY_TASK_MAX=$last SLURM_CPUS_PER_TASK=1 bash "$job" >> "$FAKE_SBATCH_LOG" 2>&1
  done
  echo "4242;cluster"
else
  bash "$job" >> "$FAKE_SBATCH_LOG" 2>&1
  echo "4243"
fi
"#;
    let sbatch = bin_dir.join("sbatch");
    std::fs::write(&sbatch, fake).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&sbatch, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// Run the submission script `script` with the fake `sbatch` of `bin_dir`
/// first on the PATH, in `cwd`.
fn submit(script: &Path, bin_dir: &Path, log: &Path, cwd: &Path) -> Output {
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut c = Command::new("bash");
    c.arg(script)
        .current_dir(cwd)
        .env("PATH", path)
        .env("FAKE_SBATCH_LOG", log);
    for v in ENV_VARS {
        c.env_remove(v);
    }
    c.output().unwrap()
}

fn slurm(args: &[&str]) -> Output {
    bin().arg("slurm").args(args).output().unwrap()
}

#[test]
fn slurm_script_is_valid_bash_with_array_dependency_and_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let file = toy_sweep();
    let o = slurm(&[
        file.to_str().unwrap(),
        "--shards",
        "4",
        "--partition",
        "p",
        "--time",
        "00:10:00",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o, "slurm");
    let script = text(&o.stdout);
    let path = tmp.path().join("submit.sh");
    std::fs::write(&path, &script).unwrap();
    let n = Command::new("bash").arg("-n").arg(&path).output().unwrap();
    assert_ok(&n, &format!("bash -n of:\n{script}"));
    for want in [
        "--array=0-3",
        "--dependency=\"afterok:$array\"",
        "--resume",
        " merge ",
        "--partition=p",
        "--time=00:10:00",
    ] {
        assert!(script.contains(want), "no {want:?} in:\n{script}");
    }
    // No limit as sbatch takes it: it was refused.
    for good in [
        "30",
        "10080",
        "525600:00",
        "10:00",
        "1-00:00:00",
        "2-12",
        "UNLIMITED",
        "infinite",
        "-1",
    ] {
        // `--time=-1`: clap takes a value after a space for an option.
        let time = format!("--time={good}");
        let o = slurm(&[file.to_str().unwrap(), "--shards", "4", &time]);
        assert_eq!(o.status.code(), Some(0), "--time {good:?}: {}", err(&o));
    }
    for bad in [
        "10h",
        "aa:bb:cc",
        "01:00:00:00",
        "",
        "1-",
        "2-3:4:5:6",
        "-2",
        "unlimit",
        "1234567890",
    ] {
        // As `--time=VALUE`, so that `-2` reaches the check of the limit
        // rather than being taken for an option; the message is the
        // check's, not any usage error's.
        let time = format!("--time={bad}");
        let o = slurm(&[file.to_str().unwrap(), "--shards", "4", &time]);
        assert_eq!(o.status.code(), Some(2), "--time {bad:?}: {}", err(&o));
        assert!(
            err(&o).contains(&format!("--time {bad:?}: write HH:MM:SS")),
            "--time {bad:?}: {}",
            err(&o)
        );
        assert!(o.stdout.is_empty(), "--time {bad:?} still printed a script");
    }
    let o = slurm(&[file.to_str().unwrap(), "--shards", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    // toy_sweep has 12 points: a 13th task would have none.
    assert_ok(
        &slurm(&[file.to_str().unwrap(), "--shards", "12"]),
        "12 shards",
    );
    let o = slurm(&[file.to_str().unwrap(), "--shards", "13"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("at most 12"), "{}", err(&o));
    assert!(o.stdout.is_empty(), "13 shards still printed a script");
}

#[test]
fn slurm_refuses_more_cpus_per_task_than_sweep_takes_threads() {
    // Each task passes SLURM_CPUS_PER_TASK as `sweep --threads`, which takes
    // at most 1024: a larger --cpus-per-task printed a script whose every
    // task exited 2.
    let file = toy_sweep();
    let file = file.to_str().unwrap();
    for bad in ["1025", "2000"] {
        let o = slurm(&[file, "--shards", "2", "--cpus-per-task", bad]);
        assert_eq!(
            o.status.code(),
            Some(2),
            "--cpus-per-task {bad}: {}",
            err(&o)
        );
        assert!(
            o.stdout.is_empty(),
            "--cpus-per-task {bad} printed a script"
        );
        assert!(
            err(&o).contains(&format!("--cpus-per-task {bad}")) && err(&o).contains("at most 1024"),
            "{}",
            err(&o)
        );
    }
    let o = slurm(&[file, "--shards", "2", "--cpus-per-task", "1024"]);
    assert_ok(&o, "--cpus-per-task 1024");
    assert!(text(&o.stdout).contains("--cpus-per-task=1024"));
    // The task's own check agrees on the limit.
    let o = bin()
        .args(["sweep", file, "--threads", "1025", "-q"])
        .output()
        .unwrap();
    assert_eq!(
        o.status.code(),
        Some(2),
        "sweep --threads 1025: {}",
        err(&o)
    );
    assert!(err(&o).contains("0..=1024"), "{}", err(&o));
}

#[test]
fn slurm_on_a_calibration_or_plain_scenario_says_what_sweep_says() {
    // On a calibration file slurm said "no [sweep] table ... or use
    // `armsmarket run`", which refuses it; sweep points to `calibrate`.
    let tmp = tempfile::tempdir().unwrap();
    let calibration = root().join("scenarios/calibration/europe.toml");
    for file in [calibration.clone(), root().join("scenarios/toy.toml")] {
        let f = file.to_str().unwrap();
        let o = slurm(&[f, "--shards", "2"]);
        assert_eq!(o.status.code(), Some(2), "slurm {f}: {}", err(&o));
        assert!(o.stdout.is_empty(), "slurm {f} printed a script");
        let s = bin()
            .args(["sweep", f, "-q", "--out"])
            .arg(tmp.path().join("out"))
            .output()
            .unwrap();
        assert_eq!(s.status.code(), Some(2), "sweep {f}: {}", err(&s));
        assert_eq!(err(&o), err(&s), "slurm and sweep differ on {f}");
    }
    let o = slurm(&[calibration.to_str().unwrap(), "--shards", "2"]);
    let e = err(&o);
    assert!(
        e.contains("armsmarket calibrate") && !e.contains("armsmarket run"),
        "{e}"
    );
    // Located at the [calibrate] table: FILE:LINE:COL.
    let at = format!("{}:", calibration.display());
    let place = e.split_once(&at).map(|(_, rest)| rest).unwrap_or_default();
    let mut parts = place.splitn(3, ':');
    assert!(
        parts.next().is_some_and(|l| l.parse::<u32>().is_ok())
            && parts.next().is_some_and(|c| c.parse::<u32>().is_ok()),
        "no FILE:LINE:COL in {e}"
    );
    // A scenario without a sweep is located at its start, as `compare`
    // locates one without targets.
    let toy = root().join("scenarios/toy.toml");
    let o = slurm(&[toy.to_str().unwrap(), "--shards", "2"]);
    let at = format!("{}:1:1: no [sweep] table", toy.display());
    assert!(err(&o).contains(&at), "{}", err(&o));
    // `sweep` prints it as it prints other located errors: from its start.
    let o = bin()
        .args(["sweep", toy.to_str().unwrap(), "--out"])
        .arg(tempfile::tempdir().unwrap().path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).starts_with(&at), "{}", err(&o));
}

#[test]
fn slurm_refuses_a_sweep_that_sweep_refuses_and_prints_no_script() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("misspelt.toml");
    let base = toy_sweep()
        .parent()
        .unwrap()
        .join("../../scenarios/toy.toml");
    std::fs::write(
        &file,
        format!(
            "base = {:?}\nname = \"misspelt\"\n\n[sweep]\ndesign = \"lhs\"\npoints = 4\nreplications = 2\nseed = 1\n\n[sweep.parameters]\n\"preferences.default.delivry\" = {{ min = 0.2, max = 2.0 }}\n",
            base.to_str().unwrap()
        ),
    )
    .unwrap();
    let o = bin()
        .arg("sweep")
        .arg(&file)
        .arg("--out")
        .arg(tmp.path().join("out"))
        .arg("-q")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "sweep: {}", err(&o));
    assert_eq!(
        err(&o).matches("misspelt.toml:").count(),
        1,
        "the place is said once: {}",
        err(&o)
    );
    let o = slurm(&[file.to_str().unwrap(), "--shards", "2"]);
    assert_eq!(o.status.code(), Some(2), "slurm: {}", err(&o));
    assert!(err(&o).contains("delivry"), "{}", err(&o));
    assert!(o.stdout.is_empty(), "slurm still printed a script");
}

/// An `--out` the merge job would refuse (a file on the way, another
/// command's result under the sweep's name) printed a script with exit 0,
/// whose shards ran before the merge failed. It is refused now, and
/// nothing is created.
#[test]
fn slurm_refuses_an_out_the_merge_would_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let file = toy_sweep();
    let a_file = tmp.path().join("a_file");
    std::fs::write(&a_file, "x").unwrap();
    let taken = tmp.path().join("taken");
    let run = bin()
        .args([
            "run",
            "-r",
            "1",
            "-q",
            "--tables",
            "summary",
            "--set",
            "name=\"toy_sweep\"",
            "--out",
        ])
        .arg(&taken)
        .arg(root().join("scenarios/toy.toml"))
        .output()
        .unwrap();
    assert_ok(&run, "a run named like the sweep");
    for (out, says) in [
        (
            a_file.clone(),
            "a file stands on this path where a folder is needed",
        ),
        (
            a_file.join("sub"),
            "a file stands on this path where a folder is needed",
        ),
        (
            taken.clone(),
            "this folder holds a result of `armsmarket run`",
        ),
    ] {
        let o = slurm(&[
            file.to_str().unwrap(),
            "--shards",
            "2",
            "--out",
            out.to_str().unwrap(),
        ]);
        assert_eq!(o.status.code(), Some(2), "{}: {}", out.display(), err(&o));
        assert!(err(&o).contains(says), "{}", err(&o));
        assert!(o.stdout.is_empty(), "slurm still printed a script");
    }
    // A folder yet to be made is fine, and is not made.
    let fresh = tmp.path().join("fresh/deeper");
    let o = slurm(&[
        file.to_str().unwrap(),
        "--shards",
        "2",
        "--out",
        fresh.to_str().unwrap(),
    ]);
    assert_ok(&o, "a new --out");
    assert!(!tmp.path().join("fresh").exists());
}

/// Finished shards of another split in `OUT/<name>.shards` (an earlier
/// submission with another `--shards`) made the merge job refuse after
/// every task had run: `slurm` refuses them before anything is submitted,
/// and takes the split they belong to, and one task (which writes
/// `OUT/<name>` itself). A stopped shard, which merge does not read, is no
/// reason to refuse.
#[test]
fn slurm_refuses_shards_of_another_split_the_merge_would_refuse() {
    let tmp = tempfile::tempdir().unwrap();
    let file = toy_sweep();
    let out = tmp.path().join("out");
    let o = bin()
        .args([
            "sweep",
            file.to_str().unwrap(),
            "--shard",
            "1/3",
            "-q",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "shard 1/3");
    let args = |n: &'static str| {
        slurm(&[
            file.to_str().unwrap(),
            "--shards",
            n,
            "--out",
            out.to_str().unwrap(),
        ])
    };
    let o = args("2");
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("holds shards of another split than --shards 2 (the first: shard-1-of-3)"),
        "{}",
        err(&o)
    );
    assert!(o.stdout.is_empty(), "slurm still printed a script");
    assert_ok(&args("3"), "the split the shards belong to");
    assert_ok(&args("1"), "one task");
    let shards = out.join("toy_sweep.shards");
    std::fs::rename(
        shards.join("shard-1-of-3"),
        shards.join(".shard-1-of-3.partial"),
    )
    .unwrap();
    assert_ok(&args("2"), "beside a stopped shard of another split");
}

/// The script `slurm` prints for the toy sweep in `shards` shards, run
/// with a fake `sbatch` under `tmp`: (the script's output, the sbatch log,
/// the `--out` folder).
fn run_toy_script(tmp: &Path, shards: &str, extra: &[&str]) -> (Output, Output, String, PathBuf) {
    let out = tmp.join("out");
    let bin_dir = tmp.join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    let log = tmp.join("sbatch.log");
    fake_sbatch(&bin_dir);
    let toy = toy_sweep();
    let mut args = vec![
        toy.to_str().unwrap(),
        "--shards",
        shards,
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend(extra);
    let o = slurm(&args);
    assert_ok(&o, "slurm");
    let script = tmp.join("submit.sh");
    std::fs::write(&script, &o.stdout).unwrap();
    let run = submit(&script, &bin_dir, &log, tmp);
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    (o, run, log_text, out)
}

#[test]
fn slurm_script_runs_end_to_end_with_a_fake_sbatch() {
    // A stand-in for sbatch that runs each job at once: the array's tasks
    // one after the other with the Slurm variables set, then the merge.
    let tmp = tempfile::tempdir().unwrap();
    let (_, run, log_text, out) = run_toy_script(tmp.path(), "3", &[]);
    assert_ok(&run, &format!("the script; sbatch log:\n{log_text}"));
    assert!(
        log_text.contains("--dependency=afterok:4242\n")
            || log_text.contains("--dependency=afterok:4242 "),
        "merge not made to depend on the array job: {log_text}"
    );
    assert!(text(&run.stdout).contains("array job 4242 (3 shards), merge job 4243"));
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        &format!("Slurm script end to end; sbatch log:\n{log_text}"),
    );
}

/// `slurm --tables` has every task keep those tables: a cluster sweep
/// could keep none, its tasks resuming with the tables of the sweep they
/// resume, none on a first run. The merged result has the bytes of the
/// same sweep run whole with `--tables`.
#[test]
fn slurm_tables_are_kept_by_every_task_and_merged() {
    let tmp = tempfile::tempdir().unwrap();
    let (o, run, log_text, out) = run_toy_script(tmp.path(), "3", &["--tables", "market,buyers"]);
    assert!(
        text(&o.stdout).contains(" --tables market,buyers --resume"),
        "{}",
        text(&o.stdout)
    );
    assert_ok(&run, &format!("the script; sbatch log:\n{log_text}"));
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(
            &toy_sweep(),
            &["--tables", "market,buyers"],
            &["market", "buyers"],
        ),
        &format!("Slurm script with tables; sbatch log:\n{log_text}"),
    );
    // Refused as `sweep` refuses it: the summary is every run's row.
    let o = slurm(&[
        toy_sweep().to_str().unwrap(),
        "--shards",
        "2",
        "--tables",
        "summary",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(o.stdout.is_empty(), "a script printed");
}

/// A task resubmitted alone (`sbatch --array=1` of the task's script) is
/// an array of one: it runs its own shard, not the whole sweep, which the
/// environment alone would have named (shard 1 of 1).
#[test]
fn a_task_resubmitted_alone_runs_its_own_shard() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = slurm(&[
        toy_sweep().to_str().unwrap(),
        "--shards",
        "3",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o, "slurm");
    // The task's script: the array's here document.
    let script = text(&o.stdout);
    let body: Vec<&str> = script
        .lines()
        .skip_while(|l| !l.contains("sbatch --parsable --array="))
        .skip(1)
        .take_while(|l| *l != "ARMSMARKET_JOB")
        .collect();
    assert!(body.iter().any(|l| l.contains(" sweep ")), "{script}");
    let task = tmp.path().join("task.sh");
    std::fs::write(&task, body.join("\n")).unwrap();
    let mut c = Command::new("bash");
    c.arg(&task);
    for v in ENV_VARS {
        c.env_remove(v);
    }
    let o = c
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "1")
        .env("SLURM_ARRAY_TASK_MIN", "1")
        .env("SLURM_ARRAY_TASK_MAX", "1")
        .output()
        .unwrap();
    assert_ok(&o, "the task alone");
    assert!(
        out.join("toy_sweep.shards/shard-2-of-3/manifest.json")
            .is_file(),
        "shard 2 of 3 not written"
    );
    assert!(!out.join("toy_sweep").exists(), "the whole sweep ran");
}

#[test]
fn slurm_script_with_one_shard_runs_and_its_merge_succeeds() {
    // With --shards 1 the one task writes OUT/<name> itself (no `.shards`
    // folder), but the merge job named OUT/<name>.shards and exited 2.
    let tmp = tempfile::tempdir().unwrap();
    let (o, run, log_text, out) = run_toy_script(tmp.path(), "1", &[]);
    assert_ok(
        &run,
        &format!("the script:\n{}\nsbatch log:\n{log_text}", text(&o.stdout)),
    );
    assert!(
        log_text.contains("--dependency=afterok:4242") && !log_text.contains("error"),
        "the merge job was not submitted or failed: {log_text}"
    );
    assert!(!out.join("toy_sweep.shards").exists());
    assert_same_files(
        &out.join("toy_sweep"),
        &reference(&toy_sweep(), &[], &[]),
        &format!("one-shard Slurm script; sbatch log:\n{log_text}"),
    );
}

/// Every file below `dir` whose name starts with `PWNED`.
fn pwned(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if e.file_name().to_string_lossy().starts_with("PWNED") {
            found.push(p.clone());
        }
        if e.file_type().unwrap().is_dir() {
            found.extend(pwned(&p));
        }
    }
    found
}

#[test]
fn names_and_paths_are_quoted_for_the_shell() {
    // Defect 10: `slurm` pasted the scenario name and paths raw into
    // unquoted heredocs and double quotes, so `$(...)` in a name ran on the
    // submit host and in a path on the compute node, and `--partition`
    // could add a line to the script.
    let tmp = tempfile::tempdir().unwrap();
    let hostile = tmp
        .path()
        .join("we$(touch PWNED1)ird `touch PWNED2` 'q' \"d\"\nEOF\nnew line; touch PWNED3");
    std::fs::create_dir_all(&hostile).unwrap();
    let file = variant(
        &hostile,
        &toy_sweep(),
        "s $(touch PWNED4).toml",
        &[(
            "name = \"toy_sweep\"",
            "name = \"n$(touch PWNED5) `touch PWNED6` 'x' \\\"y\\\" ${HOME} z\"",
        )],
    );
    let out = hostile.join("out $(touch PWNED7)");
    let bin_dir = tmp.path().join("bin");
    std::fs::create_dir(&bin_dir).unwrap();
    fake_sbatch(&bin_dir);
    let log = tmp.path().join("sbatch.log");
    let o = bin()
        .arg("slurm")
        .arg(&file)
        .args(["--shards", "3", "--partition", "debug", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "slurm");
    let script = tmp.path().join("submit.sh");
    std::fs::write(&script, &o.stdout).unwrap();
    let run = submit(&script, &bin_dir, &log, tmp.path());
    let log_text = std::fs::read_to_string(&log).unwrap_or_default();
    assert_ok(&run, &format!("the script; sbatch log:\n{log_text}"));
    let planted = pwned(tmp.path());
    assert!(
        planted.is_empty(),
        "commands ran: {planted:?}\nscript:\n{}",
        text(&o.stdout)
    );
    // The merged result is the single-machine one.
    let single = tmp.path().join("single");
    assert_ok(
        &bin()
            .arg("sweep")
            .arg(&file)
            .arg("--out")
            .arg(&single)
            .arg("-q")
            .output()
            .unwrap(),
        "single-machine sweep",
    );
    let name = std::fs::read_dir(&single)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .find(|n| !n.to_string_lossy().starts_with('.'))
        .unwrap();
    let want: std::collections::BTreeMap<String, Vec<u8>> = ["points.csv", "runs.csv", "bands.csv"]
        .iter()
        .map(|f| {
            (
                f.to_string(),
                std::fs::read(single.join(&name).join(f)).unwrap(),
            )
        })
        .collect();
    assert_same_files(&out.join(&name), &want, &format!("sbatch log:\n{log_text}"));
    assert!(pwned(tmp.path()).is_empty());
    // A partition that would add a line to the script is refused.
    for bad in ["debug\n#SBATCH --exclusive", "a b", "p;q"] {
        let o = bin()
            .arg("slurm")
            .arg(&file)
            .args(["--shards", "2", "--partition", bad])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "--partition {bad:?}: {}", err(&o));
        assert!(o.stdout.is_empty(), "--partition {bad:?} printed a script");
    }
}

//! The command line as a user meets it: refusals with exit code 2 and the
//! fix, warnings, one `--tables` for every command that writes tables,
//! Ctrl-C, completions and the exit codes in `--help`.
#![cfg(unix)]

use crate::common::{
    armsmarket, assert_ok, bin, data, err, nothing_written, read, root, text, toy,
};
use std::path::Path;
use std::process::{Child, Stdio};

#[test]
fn run_refuses_a_sweep_file_and_names_the_sweep_command() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sweep = data("toy_sweep.toml");
    for cmd in ["run", "compare"] {
        let o = bin()
            .arg(cmd)
            .arg(&sweep)
            .arg("--out")
            .arg(&out)
            .arg("-q")
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd}: {}", err(&o));
        assert!(err(&o).contains("armsmarket sweep"), "{cmd}: {}", err(&o));
        assert!(nothing_written(&out), "{cmd} wrote output");
    }
}

#[test]
fn a_thread_count_above_the_limit_is_refused_before_anything_starts() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toy = toy();
    let sweep = data("toy_sweep.toml");
    let calibration = data("calibration_shards.toml");
    for args in [
        vec!["run", toy.to_str().unwrap()],
        vec!["compare", toy.to_str().unwrap()],
        vec!["sweep", sweep.to_str().unwrap()],
        vec!["calibrate", calibration.to_str().unwrap()],
    ] {
        let o = bin()
            .args(&args)
            .args(["--threads", "1025", "-q", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains("0..=1024"), "{args:?}: {}", err(&o));
        assert!(nothing_written(&out), "{args:?} wrote output");
    }
}

#[test]
fn more_threads_than_cores_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    let many = (cores + 3).to_string();
    let o = bin()
        .args([
            "run",
            toy().to_str().unwrap(),
            "-r",
            "1",
            "-q",
            "--threads",
            &many,
        ])
        .arg("--out")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert_ok(&o, "run");
    assert!(
        err(&o).contains(&format!(
            "warning: --threads {many} is more than the {cores} cores"
        )),
        "{}",
        err(&o)
    );
    let o = bin()
        .args([
            "run",
            toy().to_str().unwrap(),
            "-r",
            "1",
            "-q",
            "--threads",
            "1",
        ])
        .arg("--out")
        .arg(tmp.path())
        .output()
        .unwrap();
    assert!(!err(&o).contains("warning"), "{}", err(&o));
}

#[test]
fn a_closed_stderr_keeps_the_exit_code() {
    // A message written to a closed pipe panicked, and the exit code
    // became 101 (a closed stderr read by nobody: `cmd 2>&1 | head -c1`).
    // The pipe's reading end is closed before the program starts, so its
    // first message meets a closed pipe every time (closing it after the
    // start raced with the message, which a pipe's buffer then took).
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("missing.toml");
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let o = bin()
        .arg("validate")
        .arg(&missing)
        .stdout(Stdio::null())
        .stderr(writer)
        .status()
        .unwrap();
    assert_eq!(o.code(), Some(2));
}

#[test]
fn bad_arguments_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let toy = toy();
    let toy = toy.to_str().unwrap();
    let sweep = data("toy_sweep.toml");
    let sweep = sweep.to_str().unwrap();
    let f = file.to_str().unwrap();
    for args in [
        vec!["run", toy, "--no-such-flag"],
        vec!["run", toy, "-r", "0"],
        vec!["run", toy, "--tables", "sumary"],
        vec!["run", toy, "--out", f],
        vec!["compare", toy, "--out", f],
        vec!["sweep", sweep, "--shard", "0/3"],
        vec!["sweep", sweep, "--tables", "summary"],
        vec!["sweep", sweep, "--out", f],
        vec!["merge", f],
        vec!["slurm", sweep, "--shards", "0"],
        vec!["validate"],
        vec!["no-such-command"],
    ] {
        let o = armsmarket(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(!err(&o).is_empty(), "{args:?} said nothing");
    }
    // A sweep's summary table is refused with its reason.
    let o = armsmarket(&["sweep", sweep, "--tables", "market,summary"]);
    assert!(
        err(&o).contains("runs.csv already holds every run's summary"),
        "{}",
        err(&o)
    );
    // A table named twice is refused by every command that writes tables,
    // as a scenario's `outputs.files` is, and nothing is written.
    let calibration = data("calibration_shards.toml");
    let calibration = calibration.to_str().unwrap();
    let out = tmp.path().join("twice");
    let o_ = out.to_str().unwrap();
    for args in [
        vec!["run", toy, "-r", "1", "--tables", "market,contracts,market"],
        vec!["compare", toy, "-r", "1", "--tables", "market,market"],
        vec!["sweep", sweep, "--tables", "market,market"],
        vec!["calibrate", calibration, "--tables", "market,market"],
    ] {
        let o = armsmarket(&[&args[..], &["--out", o_]].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("`--tables` lists `market` twice"),
            "{args:?}: {}",
            err(&o)
        );
        assert!(!out.exists(), "{args:?} wrote {}", out.display());
    }
}

#[test]
fn tables_are_chosen_the_same_way_for_run_compare_and_sweep() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    let names = |d: &Path| -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    };
    let o = bin()
        .args([
            "run",
            toy().to_str().unwrap(),
            "-r",
            "2",
            "-q",
            "--tables",
            "summary,contracts",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "run --tables");
    assert_eq!(
        names(&out.join("toy")),
        [
            "contracts.csv",
            "manifest.json",
            "summary.csv",
            "targets.csv"
        ]
    );
    // The scenario's own `outputs.files` is the default; --set still sets it.
    let o = bin()
        .args([
            "run",
            toy().to_str().unwrap(),
            "-r",
            "2",
            "-q",
            "--set",
            "outputs.files=[\"market\"]",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "run --set outputs.files");
    assert_eq!(
        names(&out.join("toy")),
        ["manifest.json", "market.csv", "targets.csv"]
    );
    let o = bin()
        .args([
            "compare",
            toy().to_str().unwrap(),
            "-r",
            "2",
            "-q",
            "--tables",
            "contracts,summary",
        ])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "compare --tables");
    let contracts = text(&read(&out.join("compare/contracts.csv")));
    assert!(
        contracts.starts_with("scenario,replication,contract,"),
        "{contracts}"
    );
    assert!(contracts.lines().skip(1).all(|l| l.starts_with("toy,")));
    let summary = text(&read(&out.join("compare/summary.csv")));
    assert_eq!(summary.lines().count(), 3, "{summary}");
}

#[test]
fn completions_and_exit_codes_in_help() {
    for shell in ["bash", "zsh", "fish"] {
        let o = armsmarket(&["completions", shell]);
        assert_ok(&o, shell);
        let script = text(&o.stdout);
        assert!(
            script.contains("armsmarket") && script.contains("tables"),
            "{shell}"
        );
    }
    // A count completes to no file name, a folder to folders, a file to
    // files (every value completed to file names).
    let zsh = text(&armsmarket(&["completions", "zsh"]).stdout);
    for (line, completion) in [
        ("'--replications=[", ":REPLICATIONS:' \\"),
        ("'--seed=[", ":SEED:' \\"),
        ("'--out=[Output folder; each scenario", ":DIR:_files -/' \\"),
        ("':dir -- The folder of a run", ":_files -/' \\"),
        ("'*::files -- Scenario files:", "_files' \\"),
    ] {
        let found = zsh.lines().find(|l| l.trim_start().starts_with(line));
        assert!(
            found.is_some_and(|l| l.ends_with(completion)),
            "{line}: {found:?}"
        );
    }
    let bash = text(&armsmarket(&["completions", "bash"]).stdout);
    let after = |option: &str| {
        bash.split(&format!("                {option})\n"))
            .nth(1)
            .and_then(|rest| rest.lines().next())
            .unwrap_or_default()
            .trim()
            .to_string()
    };
    assert_eq!(after("--replications"), "COMPREPLY=(\"${cur}\")");
    assert_eq!(after("--seed"), "COMPREPLY=(\"${cur}\")");
    let o = armsmarket(&["--help"]);
    assert_ok(&o, "--help");
    let help = text(&o.stdout);
    for code in ["Exit codes:", "  0 ", "  1 ", "  2 ", "  3 ", "  130 "] {
        assert!(help.contains(code), "--help lacks {code:?}:\n{help}");
    }
    let o = armsmarket(&["run", "--help"]);
    assert!(text(&o.stdout).contains("Exit codes:"));
    assert!(
        !text(&o.stdout).contains("compare"),
        "run --help speaks of compare"
    );
}

/// Spawn `armsmarket ARGS` paused at its `job`-th job (the file `marker`
/// appears), stderr captured.
fn paused(args: &[&str], out: &Path, marker: &Path, job: u32) -> Child {
    let mut c = bin();
    c.args(args).arg("--out").arg(out);
    paused_at(c, &format!("job:{job}"), marker)
}

/// Spawn `c` paused at `event` (`EVENT:N` of `ARMSMARKET_TEST_PAUSE`: the
/// file `marker` appears), stderr captured.
pub(crate) fn paused_at(mut c: std::process::Command, event: &str, marker: &Path) -> Child {
    c.env(
        "ARMSMARKET_TEST_PAUSE",
        format!("{event}:{}", marker.display()),
    )
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let mut child = c.spawn().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    while !marker.exists() {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("{c:?} exited before its pause: {status:?}");
        }
        assert!(std::time::Instant::now() < deadline, "{c:?} never paused");
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    child
}

/// Send SIGINT to `child`, wait until it has taken the signal, then let
/// it go on. `kill` returns once the signal is queued: released at once,
/// the paused job could finish the run on a loaded machine before any of
/// the child's threads took the signal (the run then rightly ends as if
/// never interrupted).
fn interrupt(child: &Child, marker: &Path) {
    send_sigint(child);
    wait_until_taken(child.id(), SIGINT);
    std::fs::remove_file(marker).unwrap();
}

/// SIGINT's number on Linux, whose `/proc` the wait below reads.
const SIGINT: u32 = 2;

/// SIGTERM's number on Linux.
const SIGTERM: u32 = 15;

/// As [`interrupt`], with SIGTERM (what `timeout` and a Slurm time limit
/// send).
fn terminate(child: &Child, marker: &Path) {
    let o = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .output()
        .unwrap();
    assert_ok(&o, "kill -TERM");
    wait_until_taken(child.id(), SIGTERM);
    std::fs::remove_file(marker).unwrap();
}

/// The names in `dir`, sorted (hidden ones too).
fn names_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Wait (at most a minute) until signal `signal` is no longer pending for
/// process `pid`, as its `/proc` status shows, where there is one.
fn wait_until_taken(pid: u32, signal: u32) {
    let status = format!("/proc/{pid}/status");
    let bit = 1u64 << (signal - 1);
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let Ok(text) = std::fs::read_to_string(&status) else {
            return;
        };
        // ShdPnd: pending for the process; SigPnd: for its main thread.
        let pending = text
            .lines()
            .filter(|l| l.starts_with("ShdPnd:") || l.starts_with("SigPnd:"))
            .filter_map(|l| u64::from_str_radix(l.split_whitespace().nth(1)?, 16).ok())
            .any(|mask| mask & bit != 0);
        if !pending {
            return;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "signal {signal} still pending after a minute"
        );
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

#[test]
fn ctrl_c_removes_an_unfinished_result_and_says_so() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toy = toy();
    let args = ["run", toy.to_str().unwrap(), "-r", "4", "-q"];
    let o = bin().args(args).arg("--out").arg(&out).output().unwrap();
    assert_ok(&o, "the first result");
    let before = read(&out.join("toy/contracts.csv"));
    let marker = tmp.path().join("paused");
    let child = paused(
        &["run", toy.to_str().unwrap(), "-r", "4", "-q", "--seed", "9"],
        &out,
        &marker,
        2,
    );
    interrupt(&child, &marker);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("interrupted: removed the unfinished result")
            && err(&o).contains(&out.join("toy").display().to_string()),
        "{}",
        err(&o)
    );
    let left: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["toy"], "temporary files left");
    assert_eq!(read(&out.join("toy/contracts.csv")), before);
    assert!(err(&o).contains("is as it was"), "{}", err(&o));
    // A first result stopped says that nothing was written.
    let first = tmp.path().join("first");
    let marker = tmp.path().join("paused again");
    let child = paused(
        &["run", toy.to_str().unwrap(), "-r", "4", "-q"],
        &first,
        &marker,
        2,
    );
    interrupt(&child, &marker);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("nothing was written to") && !first.join("toy").exists(),
        "{}",
        err(&o)
    );
}

/// Send SIGINT to `child` (`kill -INT`).
fn send_sigint(child: &Child) {
    let o = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .output()
        .unwrap();
    assert_ok(&o, "kill -INT");
}

#[test]
fn a_ctrl_c_delivered_twice_at_once_is_one_interrupt() {
    // `timeout -s INT` signals the command and then its process group: the
    // second SIGINT ended the process at once, with no message and its
    // lock file left behind.
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toy = toy();
    let marker = tmp.path().join("paused");
    let args = ["run", toy.to_str().unwrap(), "-r", "4", "-q"];
    let child = paused(&args, &out, &marker, 2);
    // Two deliveries, the second just after the first was taken (sent
    // together, the kernel may merge them into one).
    send_sigint(&child);
    wait_until_taken(child.id(), SIGINT);
    send_sigint(&child);
    wait_until_taken(child.id(), SIGINT);
    std::fs::remove_file(&marker).unwrap();
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(err(&o).contains("nothing was written to"), "{}", err(&o));
    let left: Vec<_> = std::fs::read_dir(&out).map_or(vec![], |d| d.collect());
    assert!(left.is_empty(), "left behind: {left:?}");
    // A second Ctrl-C a second or more after the first still ends the
    // process at once (the paused run could not stop by itself).
    let child = paused(&args, &out, &marker, 2);
    send_sigint(&child);
    wait_until_taken(child.id(), SIGINT);
    std::thread::sleep(std::time::Duration::from_millis(1100));
    send_sigint(&child);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(!err(&o).contains("interrupted"), "{}", err(&o));
}

#[test]
fn ctrl_c_keeps_a_sweep_resumable_and_says_how() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let want = tmp.path().join("want");
    let sweep = data("toy_sweep.toml");
    let s = sweep.to_str().unwrap();
    let o = bin()
        .args(["sweep", s, "-q", "--tables", "market"])
        .arg("--out")
        .arg(&want)
        .output()
        .unwrap();
    assert_ok(&o, "the reference sweep");
    let marker = tmp.path().join("paused");
    let child = paused(&["sweep", s, "-q", "--tables", "market"], &out, &marker, 5);
    interrupt(&child, &marker);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains(".toy_sweep.partial") && err(&o).contains("--resume"),
        "{}",
        err(&o)
    );
    // Resumed without --tables: the sweep's own tables.
    let o = bin()
        .args(["sweep", s, "-q", "--resume"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "the resume");
    for f in ["points.csv", "runs.csv", "bands.csv", "market.csv"] {
        assert!(
            read(&out.join("toy_sweep").join(f)) == read(&want.join("toy_sweep").join(f)),
            "{f} differs after Ctrl-C and --resume"
        );
    }
}

/// A sweep of a million points over nine keys, more than the design's
/// corners cover: every point is checked before it runs (71 s for
/// `validate` on this machine's two cores).
fn million_point_sweep(dir: &Path) -> std::path::PathBuf {
    let keys: String = [
        "preferences.default.delivery",
        "preferences.default.price",
        "preferences.default.defer",
        "market.access_base",
        "market.access_incumbent",
        "market.interop_rate",
        "market.localisation_rate",
        "market.development_rate",
        "market.neighbour_weight",
    ]
    .iter()
    .map(|k| format!("\"{k}\" = {{ min = 0.1, max = 0.9 }}\n"))
    .collect();
    crate::common::toy_variant(
        dir,
        "many",
        &format!(
            "name = \"many\"\n[sweep]\ndesign = \"random\"\npoints = 1000000\nreplications = 1\nseed = 1\n[sweep.parameters]\n{keys}"
        ),
    )
}

/// Let `child` start its work, send it SIGTERM (what `timeout` and a
/// Slurm time limit send), and return its output; fails if it still runs
/// 5 s later.
fn terminated(mut child: Child) -> std::process::Output {
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let o = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .output()
        .unwrap();
    assert_ok(&o, "kill -TERM");
    let sent = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if sent.elapsed() > std::time::Duration::from_secs(5) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("still running 5 s after SIGTERM");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

/// Exit code 130 on Ctrl-C (README, Using it): `validate` caught the
/// signal but never looked at it, so the first Ctrl-C or SIGTERM (all
/// `timeout` sends) was swallowed and the check of a sweep's points ran to
/// its end (71 s) and said `ok`.
#[test]
fn validate_ends_with_130_on_the_first_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let file = million_point_sweep(tmp.path());
    let child = bin()
        .args(["validate", file.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let o = terminated(child);
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("interrupted: stopped while checking"),
        "{}",
        err(&o)
    );
    assert!(!text(&o.stdout).contains("ok"), "{}", text(&o.stdout));
}

/// `sweep` and `slurm` check a sweep's points before anything runs or is
/// printed: the first SIGTERM stops the check (it ran on, and `sweep`
/// stopped only once its runs began), with exit code 130 and nothing
/// written.
#[test]
fn sweep_and_slurm_stop_checking_the_points_at_the_first_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let file = million_point_sweep(tmp.path());
    let out = tmp.path().join("out");
    for command in [
        vec!["sweep", "-t", "1", "-q"],
        vec!["slurm", "--shards", "2"],
    ] {
        let child = bin()
            .args(&command)
            .arg(&file)
            .arg("--out")
            .arg(&out)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let o = terminated(child);
        assert_eq!(o.status.code(), Some(130), "{command:?}: {}", err(&o));
        assert!(
            err(&o).contains("interrupted: stopped while checking the sweep's points"),
            "{command:?}: {}",
            err(&o)
        );
        assert!(o.stdout.is_empty(), "{command:?}: {}", text(&o.stdout));
        assert!(
            nothing_written(&out),
            "{command:?} wrote to {}",
            out.display()
        );
    }
}

/// `report` caught Ctrl-C and SIGTERM but never looked: the first signal
/// was swallowed and the page was written (exit code 0). It stops before
/// its next table with 130, writing nothing, and an earlier report stays.
#[test]
fn report_ends_with_130_on_the_first_sigterm_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toy = toy();
    let o = bin()
        .args(["run", toy.to_str().unwrap(), "-r", "2", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_ok(&o, "the run");
    let dir = out.join("toy");
    let before = names_in(&dir);
    let marker = tmp.path().join("paused");
    let mut c = bin();
    c.arg("report").arg(&dir);
    let child = paused_at(c, "report:1", &marker);
    terminate(&child, &marker);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("interrupted: stopped before the report was written"),
        "{}",
        err(&o)
    );
    assert_eq!(names_in(&dir), before, "report.html or a temporary file");
}

/// `merge` caught SIGTERM (what a Slurm time limit sends the merge job)
/// but never looked: the first signal was swallowed and the merge ran to
/// its end. It stops at the next piece of a shard's file with 130, its
/// staging folder and lock removed, nothing put in place.
#[test]
fn merge_ends_with_130_on_the_first_sigterm_and_writes_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let sweep = data("toy_sweep.toml");
    for k in ["1/2", "2/2"] {
        let o = bin()
            .args(["sweep", sweep.to_str().unwrap(), "-q", "--shard", k])
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        assert_ok(&o, k);
    }
    let before = names_in(&out);
    let marker = tmp.path().join("paused");
    let mut c = bin();
    c.arg("merge").arg(out.join("toy_sweep.shards"));
    let child = paused_at(c, "merge:1", &marker);
    terminate(&child, &marker);
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130), "{}", err(&o));
    assert!(
        err(&o).contains("interrupted: stopped before the shards were merged"),
        "{}",
        err(&o)
    );
    assert_eq!(names_in(&out), before, "a result or temporary files left");
}

#[test]
fn compare_without_targets_and_a_target_of_no_width_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let toy = toy();
    for (cmd, set, want) in [
        ("compare", "targets={}", "has no targets"),
        ("run", "targets.kor_value_2022.observed=0", "of no width"),
        (
            "compare",
            "targets.kor_value_2022.observed=0",
            "of no width",
        ),
        // Too small to move the observed value in floating point: lo = hi
        // (it ran, with distances near 1e307 and `inf` in compare.csv).
        (
            "compare",
            "targets.kor_delivered_share.tolerance={abs=1e-17}",
            "of no width",
        ),
        // Around 0, a width whose distances overflow to `inf`.
        (
            "run",
            "targets.kor_delivered_share={pattern=\"P\",metric=\"delivered_share\",supplier_country=\"KOR\",from=\"2014Q1\",to=\"2023Q4\",observed=0,tolerance={abs=5e-324}}",
            "of no width",
        ),
    ] {
        let o = bin()
            .args([
                cmd,
                toy.to_str().unwrap(),
                "-r",
                "2",
                "-q",
                "--set",
                set,
                "--out",
            ])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{cmd} {set}: {}", err(&o));
        assert!(err(&o).contains(want), "{cmd} {set}: {}", err(&o));
        assert!(nothing_written(&out), "{cmd} {set} wrote output");
    }
}

/// A first scenario with no targets is refused as a scenario error is,
/// located (it said `FILE: ...`, with no line and column): at the start of
/// a file that has none, at the `--set` that took them away.
#[test]
fn compare_without_targets_says_where() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let bare = tmp.path().join("bare.toml");
    let toy_text = std::fs::read_to_string(toy()).unwrap();
    let cut = toy_text.find("[groups.east]").expect("the toy's targets");
    std::fs::write(&bare, &toy_text[..cut]).unwrap();
    let bare = bare.to_str().unwrap();
    let toy = toy();
    let toy = toy.to_str().unwrap();
    for (args, at) in [
        (vec![bare], format!("{bare}:1:1: {bare} has no targets")),
        (
            vec![toy, "--set", "seed=3", "--set", "targets={}"],
            format!("<command line>:1:2: {toy} has no targets"),
        ),
    ] {
        let o = bin()
            .arg("compare")
            .args(&args)
            .args(["-r", "2", "-q", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).starts_with(&at), "{args:?}: {}", err(&o));
        assert!(nothing_written(&out), "{args:?} wrote output");
    }
}

#[test]
fn a_sweep_offers_and_takes_every_table_but_the_summary_it_always_writes() {
    let help = text(&armsmarket(&["sweep", "--help"]).stdout);
    let tables = help
        .lines()
        .skip_while(|l| !l.contains("--tables"))
        .take_while(|l| !l.trim_start().starts_with("-h"))
        .collect::<String>();
    assert!(
        tables.contains("possible values: contracts, market, suppliers, buyers, exogenous]"),
        "{tables}"
    );
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let o = bin()
        .arg("sweep")
        .arg(data("toy_sweep.toml"))
        .args(["--tables", "contracts,summary", "-q", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("'summary'"), "{}", err(&o));
    assert!(nothing_written(&out), "a refused sweep wrote output");
}

#[test]
fn compare_warns_when_a_later_file_sets_its_own_seed_or_replications() {
    let tmp = tempfile::tempdir().unwrap();
    let own = tmp.path().join("own.toml");
    std::fs::write(
        &own,
        format!(
            "base = {:?}\nname = \"own\"\nseed = 99\nreplications = 3\n",
            toy().to_str().unwrap()
        ),
    )
    .unwrap();
    let run = |extra: &[&str]| {
        bin()
            .arg("compare")
            .arg(toy())
            .arg(&own)
            .args(["-q", "--out"])
            .arg(tmp.path().join("out"))
            .args(extra)
            .output()
            .unwrap()
    };
    let o = run(&["-r", "2"]);
    assert_ok(&o, "compare");
    assert!(
        err(&o)
            .contains("sets seed = 99, but compare runs every scenario with the first one's seed"),
        "{}",
        err(&o)
    );
    assert!(
        !err(&o).contains("replications = 3"),
        "-r sets them for all: {}",
        err(&o)
    );
    let o = run(&["-r", "2", "--seed", "5"]);
    assert_ok(&o, "compare --seed");
    assert!(!err(&o).contains("warning"), "{}", err(&o));
}

#[test]
fn an_out_path_through_a_file_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("a_file");
    std::fs::write(&file, "not a folder").unwrap();
    for out in [file.clone(), file.join("sub")] {
        let o = bin()
            .args(["run", toy().to_str().unwrap(), "-r", "1", "-q", "--out"])
            .arg(&out)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}: {}", out.display(), err(&o));
    }
    assert_eq!(std::fs::read(&file).unwrap(), b"not a folder");
}

#[test]
fn validate_stops_quietly_at_a_closed_stdout_and_fails_at_a_full_one() {
    // It panicked (exit 101) at `validate ... | head -1`.
    let into_closed_pipe = |files: &[std::path::PathBuf]| {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        bin()
            .arg("validate")
            .args(files)
            .stdout(writer)
            .output()
            .unwrap()
    };
    let o = into_closed_pipe(&[toy(), data("toy_sweep.toml"), toy()]);
    assert_eq!(o.status.code(), Some(0), "closed pipe: {}", err(&o));
    assert!(!err(&o).contains("panicked"), "{}", err(&o));
    // A bad file after (or before) the closed pipe is still checked and
    // decides the exit code.
    let tmp = tempfile::tempdir().unwrap();
    let bad = tmp.path().join("bad.toml");
    std::fs::write(
        &bad,
        format!("base = {:?}\nseed = -3\n", toy().display().to_string()),
    )
    .unwrap();
    for files in [[toy(), bad.clone()], [bad.clone(), toy()]] {
        let o = into_closed_pipe(&files);
        assert_eq!(o.status.code(), Some(2), "{files:?}: {}", err(&o));
        assert!(err(&o).contains("bad.toml:2:"), "{}", err(&o));
    }
    if Path::new("/dev/full").exists() {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let o = bin()
            .arg("validate")
            .arg(toy())
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(1), "full device: {}", err(&o));
        assert!(err(&o).contains("writing to stdout"), "{}", err(&o));
    }
}

#[test]
fn validate_refuses_set_for_a_sweep_or_a_calibration_which_take_none() {
    // It checked the scenario with the override but described the file
    // without it, as if `sweep` or `calibrate` could run it so.
    for (file, command) in [
        (data("toy_sweep.toml"), "armsmarket sweep"),
        (data("calibration_shards.toml"), "armsmarket calibrate"),
    ] {
        let o = bin()
            .arg("validate")
            .arg(&file)
            .args(["--set", "seed=9"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(
            err(&o).contains("--set does not apply") && err(&o).contains(command),
            "{}",
            err(&o)
        );
        assert!(o.stdout.is_empty(), "said ok: {}", text(&o.stdout));
        // Without --set it is checked as its command checks it.
        let o = bin().arg("validate").arg(&file).output().unwrap();
        assert_ok(&o, "without --set");
    }
}

/// Counts of one are said in the singular (they were "1 replications",
/// "1 points x 1 replications = 1 runs"), and one scenario's comparison
/// does not claim common random numbers, having nothing to pair with.
#[test]
fn counts_of_one_are_singular() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().to_str().unwrap();
    let toy = toy();
    let o = armsmarket(&["run", toy.to_str().unwrap(), "-r", "1", "--out", out]);
    assert_ok(&o, "run");
    assert!(err(&o).contains("toy: 1 replication -> "), "{}", err(&o));
    assert!(
        text(&o.stdout).starts_with("toy (1 replication)\n"),
        "{}",
        text(&o.stdout)
    );
    let o = armsmarket(&["compare", toy.to_str().unwrap(), "-r", "1", "--out", out]);
    assert_ok(&o, "compare");
    let first = text(&o.stdout)
        .lines()
        .next()
        .unwrap_or_default()
        .to_string();
    assert_eq!(first, "1 scenario, 1 replication each (seed 7)");
    // A hypothesis is compared with its counterpart: two scenarios.
    let hypothesis = root().join("scenarios/hypotheses/commercial_only.toml");
    let o = armsmarket(&[
        "compare",
        hypothesis.to_str().unwrap(),
        "-r",
        "1",
        "-q",
        "--out",
        out,
    ]);
    assert_ok(&o, "compare a hypothesis");
    assert!(
        text(&o.stdout).starts_with("2 scenarios, 1 replication each"),
        "{}",
        text(&o.stdout)
    );
    let sweep = tmp.path().join("one.toml");
    std::fs::write(
        &sweep,
        format!(
            "base = {:?}\nname = \"one\"\n\n[sweep]\ndesign = \"grid\"\nreplications = 1\n\n[sweep.parameters]\n\"market.defer_quarters\" = {{ values = [3] }}\n",
            toy.display().to_string()
        ),
    )
    .unwrap();
    let o = armsmarket(&["validate", sweep.to_str().unwrap()]);
    assert_ok(&o, "validate");
    assert!(
        text(&o.stdout).contains("(one: sweep of 1 point x 1 replication = 1 run)"),
        "{}",
        text(&o.stdout)
    );
}

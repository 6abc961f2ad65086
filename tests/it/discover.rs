//! `armsmarket discover` end to end: PRIM on a sweep of the toy world
//! (outcomes as shares of replications) and on a CSV with a planted box.
#![cfg(unix)]

use crate::common::{armsmarket, assert_ok, csv_rows, data, err, read, text};
use armsmarket::analysis::discover::{self, Options};
use armsmarket::analysis::prim::PrimConfig;
use rand::{RngExt, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};
use std::process::Output;

/// `discover` on the CSV file `file`, its outcome `condition` over the
/// columns `inputs`, with `extra` options.
fn discover_csv(file: &Path, inputs: &str, condition: &str, extra: &[&str]) -> Output {
    let mut args = vec![
        "discover",
        file.to_str().unwrap(),
        "--inputs",
        inputs,
        "--where",
        condition,
    ];
    args.extend_from_slice(extra);
    armsmarket(&args)
}

/// `tests/data/toy_sweep.toml` (12 points × 5 replications) run into `out`.
pub(crate) fn toy_sweep(out: &Path) -> PathBuf {
    let file = data("toy_sweep.toml");
    let o = armsmarket(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--threads",
        "2",
    ]);
    assert_ok(&o, "sweep");
    out.join("toy_sweep")
}

/// A condition that about half the toy sweep's runs meet: the focus
/// country's 2022 value at or above the median over all runs.
fn median_condition(dir: &Path) -> String {
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == "focus_value_2022").unwrap();
    let mut v: Vec<f64> = rows.iter().map(|r| r[c].parse().unwrap()).collect();
    v.sort_by(f64::total_cmp);
    format!("focus_value_2022 >= {}", v[v.len() / 2])
}

#[test]
fn sweep_points_enter_as_shares_and_the_trajectory_is_written() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_sweep(tmp.path());
    let cond = median_condition(&dir);
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &cond]);
    assert_ok(&o, "discover");
    let out = text(&o.stdout);
    assert!(out.contains("discover: 12 points of"), "{out}");
    assert!(out.contains("box 1 (searched 12 rows)"), "{out}");
    assert!(out.contains("[sweep.parameters]"), "{out}");
    // Every swept parameter appears in the snippet, ready to paste back.
    assert!(
        out.contains("\"preferences.default.delivery\" = { min = "),
        "{out}"
    );
    assert!(
        out.contains("\"suppliers.korea_land.lines.k2.capacity\" = { min = "),
        "{out}"
    );
    let (h, rows) = csv_rows(&read(&dir.join("discover.csv")));
    assert_eq!(
        h,
        [
            "box",
            "entry",
            "phase",
            "coverage",
            "density",
            "mass",
            "restricted",
            "n",
            "k",
            "chosen",
            "limits",
            "condition",
            "peel_alpha",
            "paste_alpha",
            "mass_min"
        ]
    );
    // What was searched, on every row.
    assert!(
        rows.iter()
            .all(|r| r[11..] == [cond.as_str(), "0.05", "0.05", "0.05"]),
        "{rows:?}"
    );
    assert_eq!(rows[0][2], "initial");
    assert_eq!(rows[0][3], "1");
    assert_eq!(rows[0][7], "12");
    assert_eq!(rows.iter().filter(|r| r[9] == "true").count(), 1);

    // The outcome per point is the share of its 5 replications meeting
    // the condition, not a 0/1 per replication.
    let d = discover::discover(&Options {
        input: dir.clone(),
        condition: cond.clone(),
        inputs: None,
        boxes: 1,
        config: PrimConfig::default(),
        seed: 1,
        resamples: 0,
        stop: None,
    })
    .unwrap();
    assert_eq!(d.data.rows(), 12);
    assert!(
        d.data
            .outcome()
            .iter()
            .all(|y| (y * 5.0 - (y * 5.0).round()).abs() < 1e-12)
    );
    let (rh, runs) = csv_rows(&read(&dir.join("runs.csv")));
    let c = rh.iter().position(|x| x == "focus_value_2022").unwrap();
    let threshold: f64 = cond.rsplit(' ').next().unwrap().parse().unwrap();
    let meeting = runs
        .iter()
        .filter(|r| r[c].parse::<f64>().unwrap() >= threshold)
        .count();
    let sum: f64 = d.data.outcome().iter().sum();
    assert!((sum * 5.0 - meeting as f64).abs() < 1e-9);

    // Same input and seed, same printout and file.
    let first = read(&dir.join("discover.csv"));
    std::fs::remove_file(dir.join("discover.csv")).unwrap();
    let again = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &cond]);
    assert_ok(&again, "discover again");
    assert_eq!(text(&again.stdout), out);
    assert_eq!(read(&dir.join("discover.csv")), first);
}

#[test]
fn a_misspelt_column_is_a_usage_error_with_a_suggestion() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_sweep(tmp.path());
    let o = armsmarket(&[
        "discover",
        dir.to_str().unwrap(),
        "--where",
        "focus_valu_2022 > 1",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("did you mean 'focus_value_2022'"),
        "{}",
        err(&o)
    );
    assert!(!dir.join("discover.csv").exists());
    let o = armsmarket(&["discover", tmp.path().to_str().unwrap(), "--where", "x > 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(err(&o).contains("not a finished sweep"), "{}", err(&o));
}

#[test]
fn a_box_planted_in_a_csv_is_found_and_printed_in_its_column_names() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // The outcome is a column of its own: an input the condition read
    // would be refused (it explains itself).
    let mut csv = String::from("x1,x2,x3,y\n");
    for _ in 0..1500 {
        let x: [f64; 3] = [rng.random(), rng.random(), rng.random()];
        let y = u8::from(x[0] > 0.8 && x[1] < 0.3);
        csv.push_str(&format!("{},{},{},{y}\n", x[0], x[1], x[2]));
    }
    std::fs::write(&file, csv).unwrap();
    let o = discover_csv(&file, "x1,x2,x3", "y == 1", &[]);
    assert_ok(&o, "discover on a CSV");
    let out = text(&o.stdout);
    let bound = |name: &str, key: &str| -> f64 {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(&format!("\"{name}\" = ")))
            .unwrap_or_else(|| panic!("{name} not in the snippet:\n{out}"));
        let at = line.find(&format!("{key} = ")).unwrap() + key.len() + 3;
        line[at..]
            .split([',', ' '])
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert!((bound("x1", "min") - 0.8).abs() < 0.02, "{out}");
    assert!((bound("x2", "max") - 0.3).abs() < 0.02, "{out}");
    assert!(!out.contains("\"x3\" = "), "x3 is noise: {out}");
    let (_, rows) = csv_rows(&read(&tmp.path().join("discover.csv")));
    let chosen = rows.iter().find(|r| r[9] == "true").unwrap();
    assert!(
        chosen[4].parse::<f64>().unwrap() > 0.95,
        "density {chosen:?}"
    );
    assert!(
        chosen[3].parse::<f64>().unwrap() > 0.9,
        "coverage {chosen:?}"
    );
    assert_eq!(chosen[6], "2");
}

/// A column of categories is restricted to a set of levels: its
/// reproducibility line counts searches, not lower and upper bounds.
#[test]
fn a_column_of_categories_has_no_bounds_to_count() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mut csv = String::from("kind,x,y\n");
    for i in 0..400 {
        let kind = ["steel", "wood", "glass"][i % 3];
        let x: f64 = rng.random();
        let y = u8::from(kind == "steel" && x > 0.2);
        csv.push_str(&format!("{kind},{x},{y}\n"));
    }
    std::fs::write(&file, csv).unwrap();
    let o = discover_csv(&file, "kind,x", "y == 1", &[]);
    assert_ok(&o, "discover on categories");
    let out = text(&o.stdout);
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with("kind ") && l.contains(" / "))
        .unwrap_or_else(|| panic!("no reproducibility line for kind:\n{out}"));
    assert!(
        line.contains("(levels)") && !line.contains("lower"),
        "{line}"
    );
}

#[test]
fn a_saltelli_sweep_is_discovered_on_its_parameters_alone() {
    // Its points.csv lists a point once per role, with the role's columns
    // (base_row, matrix, column): they are bookkeeping, not inputs.
    let tmp = tempfile::tempdir().unwrap();
    let o = armsmarket(&[
        "sweep",
        data("toy_saltelli.toml").to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
        "--quiet",
    ]);
    assert_ok(&o, "sweep");
    let dir = tmp.path().join("toy_saltelli");
    let cond = median_condition(&dir);
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &cond]);
    assert_ok(&o, "discover");
    let out = text(&o.stdout);
    for role in ["base_row", "matrix", "column"] {
        assert!(!out.contains(role), "{role} treated as an input:\n{out}");
    }
    let (h, _) = csv_rows(&read(&dir.join("discover.csv")));
    assert!(
        h.iter()
            .all(|c| !["base_row", "matrix", "column"].contains(&c.as_str())),
        "{h:?}"
    );
}

/// Zero boxes or zero parameters shown would print nothing and say
/// nothing: both are refused as usage errors, saying the count must be at
/// least 1 (it said "0 is not in 1..18446744073709551615").
#[test]
fn zero_boxes_or_zero_top_parameters_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    for args in [
        vec!["discover", dir, "--where", "x > 1", "--boxes", "0"],
        vec!["sensitivity", dir, "--top", "0"],
    ] {
        let o = armsmarket(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(
            err(&o).contains("'0' for '--")
                && err(&o).contains(": 0 is out of range: it must be at least 1"),
            "{}",
            err(&o)
        );
        assert!(!err(&o).contains("18446744073709551615"), "{}", err(&o));
    }
}

/// Ctrl-C went unheeded: the resampled searches ran on and the trajectory
/// was written. With the stop flag set, discovery stops before the next
/// resampled search and writes nothing.
#[test]
fn a_stopped_discovery_writes_nothing() {
    static STOP: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_sweep(tmp.path());
    let e = discover::discover(&Options {
        input: dir.clone(),
        condition: median_condition(&dir),
        inputs: None,
        boxes: 1,
        config: PrimConfig::default(),
        seed: 1,
        resamples: 10,
        stop: Some(&STOP),
    })
    .unwrap_err();
    assert!(e.is_stopped() && !e.is_usage(), "{e}");
    assert!(!dir.join("discover.csv").exists());
}

/// A `discover.csv` of the user's own beside a CSV was written over with
/// exit 0; a path that does not exist was called "not a sweep folder".
#[test]
fn a_foreign_discover_csv_is_kept_and_a_missing_input_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = tmp.path().join("cases.csv");
    std::fs::write(&cases, "x1,y\n0.5,1\n0.3,0\n0.2,1\n0.9,0\n").unwrap();
    let theirs = tmp.path().join("discover.csv");
    std::fs::write(&theirs, "x1,y\n0.5,1\n").unwrap();
    let args = |input: &Path| {
        armsmarket(&[
            "discover",
            input.to_str().unwrap(),
            "--inputs",
            "x1",
            "--where",
            "y == 1",
        ])
    };
    let o = args(&cases);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("discover.csv: exists and is not a trajectory `discover` wrote"),
        "{}",
        err(&o)
    );
    assert_eq!(read(&theirs), b"x1,y\n0.5,1\n");
    // Its own trajectory it writes again.
    std::fs::remove_file(&theirs).unwrap();
    assert_ok(&args(&cases), "first");
    assert_ok(&args(&cases), "again");
    let o = args(&tmp.path().join("nonexistent.csv"));
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("nonexistent.csv: no such file or folder"),
        "{}",
        err(&o)
    );
}

/// A header naming a column twice was searched with one of them; an empty
/// file was "unknown column"; `--inputs x1,x1` named neither the flag nor
/// the file. Each is refused with what to mend.
#[test]
fn a_csv_with_a_column_twice_or_no_header_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let cases = [
        (
            "twice.csv",
            "x1,y,x1\n0.5,1,2\n0.3,0,1\n",
            "x1",
            "the header names column 'x1' twice (columns 1 and 3); rename one",
        ),
        (
            "empty.csv",
            "",
            "x1",
            "the file is empty or has no header line",
        ),
        (
            "fine.csv",
            "x1,y\n0.5,1\n0.3,0\n",
            "x1,x1",
            "--inputs names 'x1' twice",
        ),
    ];
    for (name, body, inputs, says) in cases {
        let file = tmp.path().join(name);
        std::fs::write(&file, body).unwrap();
        let o = discover_csv(&file, inputs, "y == 1", &[]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
        assert!(err(&o).contains(says), "{name}: {}", err(&o));
        assert!(!tmp.path().join("discover.csv").exists(), "{name}");
    }
}

/// An input that `--where` reads explains the outcome by definition (PRIM
/// found the condition's own bounds): refused, naming the column and the
/// fix, whichever of the condition's columns it is.
#[test]
fn an_input_the_condition_reads_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    std::fs::write(&file, "x1,x2,y\n0.1,0.5,0\n0.5,0.7,1\n0.9,0.2,1\n").unwrap();
    for (inputs, condition, named) in [
        ("x1,y", "y == 1", "y"),
        ("x2,x1", "y == 1 and x1 > 0.2", "x1"),
    ] {
        let o = discover_csv(&file, inputs, condition, &[]);
        assert_eq!(o.status.code(), Some(2), "{inputs}: {}", err(&o));
        let want = format!(
            "--inputs names '{named}', which --where '{condition}' reads: the outcome would explain itself; leave '{named}' out of --inputs"
        );
        assert!(err(&o).contains(&want), "{inputs}: {}", err(&o));
        assert!(!tmp.path().join("discover.csv").exists(), "{inputs}");
    }
}

/// A peel share so small that `1 − α` rounds to 1 panicked (exit 101), and
/// a million resamples aborted out of memory: such values are refused as
/// usage errors naming the flag and its range.
#[test]
fn settings_out_of_range_are_usage_errors() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().to_str().unwrap();
    for (args, says) in [
        (
            vec!["--peel-alpha", "1e-300"],
            "'--peel-alpha <PEEL_ALPHA>': 1e-300 is out of range: it must lie in [1e-9, 1)",
        ),
        (
            vec!["--paste-alpha", "1"],
            "'--paste-alpha <PASTE_ALPHA>': 1 is out of range: it must lie in [1e-9, 1)",
        ),
        (vec!["--paste-alpha", "NaN"], "NaN is out of range"),
        (
            vec!["--mass-min=-0.1"],
            "'--mass-min <MASS_MIN>': -0.1 is out of range: it must lie in [0, 1]",
        ),
        (vec!["--resamples", "10001"], "10001 is not in 0..=10000"),
    ] {
        let mut all = vec!["discover", dir, "--where", "x > 1"];
        all.extend(&args);
        let o = armsmarket(&all);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(says), "{args:?}: {}", err(&o));
    }
    for (n, says) in [
        ("1", "1 is not in 2..=100000"),
        ("99999999999", "99999999999 is not in 2..=100000"),
    ] {
        let o = armsmarket(&["sensitivity", dir, "--resamples", n]);
        assert_eq!(o.status.code(), Some(2), "{n}: {}", err(&o));
        assert!(err(&o).contains(says), "{n}: {}", err(&o));
    }
}

/// A number beyond a 64-bit float (`1e999`) was compared as infinity,
/// silently: it is refused at its column (exit code 2).
#[test]
fn a_number_too_large_for_a_float_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    std::fs::write(&file, "x1,y\n0.1,0\n0.9,1\n").unwrap();
    let o = discover_csv(&file, "x1", "y > 1e999", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("at column 5: number '1e999' is too large"),
        "{}",
        err(&o)
    );
    assert!(!tmp.path().join("discover.csv").exists());
}

/// A column is searched as numbers or as labels: a cell of the other kind
/// among numbers (`0x10`, `1_000`, a decimal comma) made the whole column
/// labels without a word, and PRIM kept a "box" of 60 listed values. It
/// is refused at its line and column (a quoted cell before it counted as
/// written), and so is a number among labels.
#[test]
fn a_column_of_numbers_and_labels_is_refused_at_the_cell() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    for (bad, at, said) in [
        (
            "0x10",
            "5:7",
            "is '0x10', not a number, where its first cell, '0.1' (line 2), is a number",
        ),
        (
            "\"1,5\"",
            "5:7",
            "is '1,5', not a number, where its first cell, '0.1' (line 2), is a number",
        ),
        ("1_000", "5:7", "is '1_000', not a number"),
    ] {
        std::fs::write(
            &file,
            format!("x0,x1,x2,y\n\"a\",0.1,0.5,0\n\"b\",0.5,0.7,1\n\"c\",0.9,0.2,1\n\"d,e\",{bad},0.3,0\n"),
        )
        .unwrap();
        let o = discover_csv(&file, "x1,x2", "y == 1", &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        let want = format!("{}:{at}: the input 'x1' {said}", file.display());
        assert!(
            text(&o.stderr).contains(&want),
            "{want}\n{}",
            text(&o.stderr)
        );
        assert!(!tmp.path().join("discover.csv").exists());
    }
    std::fs::write(&file, "x1,x2,y\nlow,0.5,0\nhigh,0.7,1\n3,0.2,1\n").unwrap();
    let o = discover_csv(&file, "x1,x2", "y == 1", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!(
            "{}:4:1: the input 'x1' is '3', a number, where its first cell, 'low' (line 2), is a label",
            file.display()
        )),
        "{}",
        text(&o.stderr)
    );
    // Labels alone, and numbers alone, are searched.
    std::fs::write(&file, "x1,x2,y\nlow,0.5,0\nhigh,0.7,1\nmid,2,1\n").unwrap();
    assert_ok(&discover_csv(&file, "x1,x2", "y == 1", &[]), "discover");
}

/// A condition on a column of text could never hold: it is refused at the
/// first text cell, in a CSV and in a sweep's `runs.csv` (its `status`),
/// rather than searched as a condition false everywhere. Empty cells, NaN
/// and true/false still compare.
#[test]
fn a_condition_on_a_text_column_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    std::fs::write(
        &file,
        "x1,label,flag,gap,y\n0.1,,TRUE,,0\n0.5,NA,false,NA,1\n0.9,big,true,N/A,1\n",
    )
    .unwrap();
    let run = |cond: &str| discover_csv(&file, "x1", cond, &[]);
    let o = run("y == 1 and label > 1");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        text(&o.stderr).contains(&format!("{}:4:5: --where 'y == 1 and label > 1' compares column 'label', which holds 'big', not a number", file.display())),
        "{}",
        text(&o.stderr)
    );
    assert!(!tmp.path().join("discover.csv").exists());
    // A column the condition does not read may hold text; true/false
    // count in pandas' spellings, and NA is a missing value, as empty is.
    assert_ok(&run("flag == 1"), "a true/false column");
    // Compared as written: `true` was an unknown column.
    let (one, written) = (run("flag == 1"), run("flag == true"));
    assert_ok(&written, "flag == true");
    assert_eq!(
        text(&written.stdout).replace("flag == true", "flag == 1"),
        text(&one.stdout)
    );
    assert_ok(&run("y == 1 and not gap > 1"), "a column of missing values");

    let dir = toy_sweep(&tmp.path().join("out"));
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", "status == 1"]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
    assert!(
        err(&o).contains("compares column 'status', which holds 'ok', not a number"),
        "{}",
        err(&o)
    );
    assert!(!dir.join("discover.csv").exists());
}

/// A case without a value, or at NaN or infinity, cannot be placed in a
/// box: refused at its line (NaN used to turn a number column into
/// labels). README (`discover`): pandas' missing-value markers (`NA`,
/// `N/A`, `null`, ...) are missing values, as they are in the condition;
/// `NA` in a column of numbers was read as a label, which silently made
/// the whole column categorical.
/// A CSV named `discover.csv` would be overwritten by the trajectory, by
/// any path to it: refused, and left whole.
#[test]
fn an_empty_or_nan_input_or_an_input_named_like_the_output_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    for (bad, said) in [
        ("", "is empty".to_string()),
        ("NaN", "is 'NaN', not a finite number".to_string()),
        ("inf", "is 'inf', not a finite number".to_string()),
        ("-inf", "is '-inf', not a finite number".to_string()),
    ]
    .into_iter()
    .chain(["NA", "N/A", "null", "None", "#N/A", "<NA>"].map(|marker| {
        (
            marker,
            format!("is '{marker}', a missing value: every case needs a value of every input"),
        )
    })) {
        std::fs::write(
            &file,
            format!("x1,x2,y\n0.1,0.5,0\n{bad},0.7,1\n0.9,0.2,1\n"),
        )
        .unwrap();
        let o = discover_csv(&file, "x1,x2", "y == 1", &[]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        let want = format!("{}:3:1: the input 'x1' {said}", file.display());
        assert!(text(&o.stderr).contains(&want), "{}", text(&o.stderr));
        assert!(!tmp.path().join("discover.csv").exists());
    }
    let body = "x1,y\n0.1,0\n0.5,1\n0.9,1\n";
    let named = tmp.path().join("discover.csv");
    std::fs::write(&named, body).unwrap();
    std::fs::create_dir(tmp.path().join("sub")).unwrap();
    for path in [named.clone(), tmp.path().join("sub/../discover.csv")] {
        let o = armsmarket(&[
            "discover",
            path.to_str().unwrap(),
            "--inputs",
            "x1",
            "--where",
            "y == 1",
        ]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o.stderr));
        assert!(
            text(&o.stderr).contains("which is the input itself"),
            "{}",
            text(&o.stderr)
        );
        assert_eq!(read(&named), body.as_bytes());
    }
}

/// A box searched on one row has no halves to search again: its
/// reproducibility is reported as not measured, and the search, its
/// output and its trajectory stand (it used to fail on a resample fraction
/// the user never set).
#[test]
fn a_one_row_csv_is_searched_and_its_reproducibility_is_not_measured() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("one.csv");
    std::fs::write(&file, "x,y\n0.5,1\n").unwrap();
    let args =
        |resamples: &'static str| discover_csv(&file, "x", "y > 0", &["--resamples", resamples]);
    let o = args("10");
    assert_ok(&o, "discover on one row");
    let out = text(&o.stdout);
    assert!(
        out.contains("reproducibility: not measured: half of the 1 row(s) searched holds no row"),
        "{out}"
    );
    assert!(tmp.path().join("discover.csv").exists());
    // Asked for no resamples, nothing is said of them.
    let o = args("0");
    assert_ok(&o, "discover on one row, no resamples");
    assert!(!text(&o.stdout).contains("reproducibility"));
}

/// A column of labels holding none of pandas' missing-value markers
/// (`NAB`, `none`) is read as labels.
#[test]
fn labels_that_are_not_missing_value_markers_are_read_as_labels() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    // A column of labels holding none of them is read as labels.
    std::fs::write(&file, "x1,x2,y\nNAB,0.5,0\nnone,0.7,1\nlow,0.2,1\n").unwrap();
    let o = discover_csv(&file, "x1,x2", "y == 1", &["--resamples", "0"]);
    assert_ok(&o, "labels");
}

/// A FIFO given to `discover` blocked for ever opening it (`validate`,
/// `run` and `calibrate` refuse one): refused as not a regular file.
#[test]
fn a_pipe_given_as_the_csv_is_refused_not_waited_on() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("cases.csv");
    crate::common::mkfifo(&fifo);
    let mut child = crate::common::bin()
        .args([
            "discover",
            fifo.to_str().unwrap(),
            "--inputs",
            "x1",
            "--where",
            "y == 1",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let start = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break Some(s);
        }
        if start.elapsed() > std::time::Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let status = status.expect("discover still waited on the pipe after 20 s");
    let mut stderr = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut stderr).unwrap();
    assert_eq!(status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            "{}: it is a device, pipe or socket, not a regular file: give a sweep's folder, or a CSV file with --inputs",
            fifo.display()
        )),
        "{stderr}"
    );
}

/// A row with a cell too few gave the csv crate's "CSV error: record 2
/// (line: 3, byte: 14): found record with 2 fields, but the previous
/// record has 3 fields", a header alone "no rows: PRIM needs at least
/// one" without the file, and a byte that is not UTF-8 the crate's text:
/// each is `FILE:LINE: message` with the fix, exit code 2.
#[test]
fn a_ragged_row_or_a_header_alone_is_refused_at_its_line() {
    let tmp = tempfile::tempdir().unwrap();
    let file = tmp.path().join("cases.csv");
    let path = file.display().to_string();
    for (body, says) in [
        (
            b"x1,x2,y\n0.1,0.5,0\n0.7,1\n0.9,0.2,1\n".to_vec(),
            format!(
                "{path}:3: the row has 2 cells where the header has 3 columns: give every row one cell per column (a cell holding a comma goes in double quotes), or leave the row out"
            ),
        ),
        (
            b"x1,x2,y\n0.1,0.5,0\n0.7,1,0,4\n".to_vec(),
            format!("{path}:3: the row has 4 cells where the header has 3 columns"),
        ),
        (
            b"x1,x2,y\n".to_vec(),
            format!(
                "{path}:1: a header and no rows: discover searches cases, one a row under the header; add the cases"
            ),
        ),
        (
            b"x1,x2,y\n0.1,0.5,0\n0.2,\xff,1\n".to_vec(),
            format!("{path}:3: cell 2 is not UTF-8 text: save the file as UTF-8"),
        ),
    ] {
        std::fs::write(&file, &body).unwrap();
        let o = discover_csv(&file, "x1,x2", "y == 1", &[]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(err(&o).contains(&says), "{says}\n{}", err(&o));
        assert!(!tmp.path().join("discover.csv").exists());
    }
}

/// A sweep written before target ids such as `total` were refused has a
/// runs.csv naming a column twice (`total_value`, the summary's and the
/// target's): a condition on it would read one for the other, so the
/// table is refused, as a CSV naming a column twice is.
#[test]
fn a_sweep_whose_runs_table_names_a_column_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_sweep(tmp.path());
    let runs = std::fs::read_to_string(dir.join("runs.csv")).unwrap();
    let (header, rest) = runs.split_once('\n').unwrap();
    let h: Vec<&str> = header.split(',').collect();
    let first = h.iter().position(|c| *c == "total_value").unwrap();
    let second = h.iter().position(|c| *c == "kor_value_2022_value").unwrap();
    let doubled = header.replace("kor_value_2022_value", "total_value");
    crate::common::rewrite_sealed(&dir, "runs.csv", &format!("{doubled}\n{rest}"));
    let o = armsmarket(&[
        "discover",
        dir.to_str().unwrap(),
        "--where",
        "total_value > 0",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(&format!(
            "runs.csv: the header names column 'total_value' twice (columns {} and {}); a target's id repeats a column of runs.csv",
            first + 1,
            second + 1
        )),
        "{}",
        err(&o)
    );
    assert!(!dir.join("discover.csv").exists());
    // The report drew the first of the two as the other.
    let o = armsmarket(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains(&format!(
            "runs.csv: the header names column 'total_value' twice (columns {} and {})",
            first + 1,
            second + 1
        )),
        "{}",
        err(&o)
    );
    assert!(!dir.join("report.html").exists());
}

/// `--inputs` with a folder that holds no sweep: the folder was most
/// likely meant to be a CSV file's, and the message says to give the
/// file, not that a sweep's inputs are its parameters.
#[test]
fn inputs_with_a_folder_that_is_no_sweep_asks_for_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let folder = tmp.path().join("cases");
    std::fs::create_dir(&folder).unwrap();
    let o = discover_csv(&folder, "a,b", "y == 1", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("a folder, not a CSV file") && err(&o).contains("give the file itself"),
        "{}",
        err(&o)
    );
    assert!(!err(&o).contains("its parameters"), "{}", err(&o));
    // A sweep's folder with --inputs is still told that its inputs are
    // its parameters.
    let sweep = toy_sweep(tmp.path());
    let o = discover_csv(&sweep, "a,b", "y == 1", &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("a sweep's inputs are its parameters"),
        "{}",
        err(&o)
    );
}

/// A CSV inside a result's folder (here the sweep's own `runs.csv`) had
/// its trajectory written over the sweep's `discover.csv`, which `report`
/// then drew as the sweep's PRIM result (runs counted as points, outputs
/// as parameters). It is refused, with the folder to give instead, and the
/// sweep's trajectory is kept.
#[test]
fn a_csv_in_a_result_s_folder_leaves_the_result_s_trajectory_alone() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_sweep(tmp.path());
    let cond = median_condition(&dir);
    assert_ok(
        &armsmarket(&["discover", dir.to_str().unwrap(), "--where", &cond]),
        "discover on the sweep",
    );
    let trajectory = read(&dir.join("discover.csv"));
    let o = discover_csv(&dir.join("runs.csv"), "contracts,tenders", &cond, &[]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    let e = err(&o);
    assert!(
        e.contains("runs.csv: a CSV in the folder of a result (")
            && e.contains("manifest.json is there)")
            && e.contains(&format!("armsmarket discover {}", dir.display())),
        "{e}"
    );
    assert_eq!(read(&dir.join("discover.csv")), trajectory);
    // Copied out of the folder, the same CSV is searched.
    let copy = tmp.path().join("runs.csv");
    std::fs::copy(dir.join("runs.csv"), &copy).unwrap();
    assert_ok(
        &discover_csv(&copy, "contracts,tenders", &cond, &[]),
        "discover on the copy",
    );
    assert!(tmp.path().join("discover.csv").exists());
}

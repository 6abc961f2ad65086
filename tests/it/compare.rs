//! `armsmarket compare` and targets, end to end.

use crate::common::{EVERY_TABLE, armsmarket, root, text};
use std::path::{Path, PathBuf};

fn csv_rows(p: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    text.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

/// `dir/other.toml`: `base = toy.toml` plus `extra`.
fn toy_plus(dir: &Path, extra: &str) -> PathBuf {
    crate::common::toy_variant(dir, "other", extra)
}

/// Compare the toy with a scenario made of `base = toy.toml` plus `extra`
/// (12 replications); returns the result folder and the process output.
fn compare_toy_with(dir: &Path, extra: &str) -> (PathBuf, std::process::Output) {
    let other = toy_plus(dir, extra);
    compare_toy_and(&other, &dir.join("cmp"))
}

/// Compare the toy with `other` (12 replications) into `out`; returns the
/// result folder and the process output.
fn compare_toy_and(other: &Path, out: &Path) -> (PathBuf, std::process::Output) {
    compare_pair(&root().join("scenarios/toy.toml"), other, "12", out)
}

/// Compare `first` with `other` (`replications` of each) into `out`;
/// returns the result folder and the process output.
fn compare_pair(
    first: &Path,
    other: &Path,
    replications: &str,
    out: &Path,
) -> (PathBuf, std::process::Output) {
    let o = armsmarket(&[
        "compare",
        first.to_str().unwrap(),
        other.to_str().unwrap(),
        "-r",
        replications,
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    (out.join("compare"), o)
}

/// The toy's Korean land lines at one unit a quarter and nothing to divert:
/// a world where Korea cannot deliver fast.
const SLOW_KOREAN_LINES: &str = "[suppliers.korea_land.lines.k9]\ndivertible_share = 0.0\ncapacity = 1.0\n[suppliers.korea_land.lines.k2]\ndivertible_share = 0.0\ncapacity = 1.0\n";

/// The rows of `rows` whose first cell is `name`, without it.
fn rows_of(rows: &[Vec<String>], name: &str) -> Vec<Vec<String>> {
    rows.iter()
        .filter(|r| r[0] == name)
        .map(|r| r[1..].to_vec())
        .collect()
}

#[test]
fn a_scenario_compared_with_itself_gives_identical_columns() {
    let dir = tempfile::tempdir().unwrap();
    let (out, o) = compare_toy_with(dir.path(), "name = \"toy_twin\"\n");
    let rows = csv_rows(&out.join("compare.csv"));
    assert_eq!(rows.len(), 1 + 2 * 4, "one row per scenario and target");
    let of = |name: &str| rows_of(&rows, name);
    assert_eq!(of("toy").len(), 4);
    assert_eq!(
        of("toy"),
        of("toy_twin"),
        "same world, same streams: same verdict"
    );
    // The paired difference of identical runs is zero, with p = 1.
    let v = csv_rows(&out.join("verdict.csv"));
    let twin = v
        .iter()
        .find(|r| r[0] == "toy_twin" && r[1] == "verdict")
        .unwrap();
    assert_eq!(v[0][4], "difference");
    assert_eq!((twin[4].as_str(), twin[7].as_str()), ("0", "1"), "{twin:?}");
    // Replications run and the pairs the difference is over, in columns of
    // their own (one column held the one for the first, the other after).
    assert_eq!(&v[0][9..], ["replications", "pairs", "against"]);
    assert_eq!(&twin[9..], ["12", "12", "toy"], "{twin:?}");
    let first = v
        .iter()
        .find(|r| r[0] == "toy" && r[1] == "verdict")
        .unwrap();
    assert_eq!(&first[9..], ["12", "", ""], "{first:?}");
    // The twins' own distances and their intervals are the same too.
    assert_eq!(&first[2..4], &twin[2..4]);
    // Every simulated value is the same too, replication by replication.
    let t = csv_rows(&out.join("targets.csv"));
    let of = |name: &str| rows_of(&t, name);
    assert_eq!(of("toy").len(), 12 * 4);
    assert_eq!(of("toy"), of("toy_twin"));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(stdout.contains("common random numbers"), "{stdout}");
    // A tie, said as one: neither fits better.
    assert!(
        stdout.contains("toy fits exactly as well as toy_twin: paired difference +0.000"),
        "{stdout}"
    );
    assert!(out.join("manifest.json").exists());
}

/// A later scenario's own target definitions are set aside, and one with
/// none gets the first's: the same world on the same streams gives the
/// same verdict whatever targets its file defines.
#[test]
fn every_scenario_is_judged_on_the_first_one_s_targets() {
    let dir = tempfile::tempdir().unwrap();
    // An easier target of the same id: observed lower, tolerance wider.
    let (out, o) = compare_toy_with(
        dir.path(),
        "name = \"easy\"\n[targets.kor_value_2022]\nobserved = 250.0\ntolerance = { rel = 1.0 }\n",
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stderr.contains("other.toml defines targets of its own")
            && stderr.contains("judges every scenario on the first one's"),
        "{stderr}"
    );
    let rows = csv_rows(&out.join("compare.csv"));
    assert_eq!(rows_of(&rows, "toy").len(), 4);
    assert_eq!(
        rows_of(&rows, "toy"),
        rows_of(&rows, "easy"),
        "judged on toy's kor_value_2022"
    );
    let t = csv_rows(&out.join("targets.csv"));
    let easy: Vec<&Vec<String>> = t
        .iter()
        .filter(|r| r[0] == "easy" && r[2] == "kor_value_2022")
        .collect();
    assert_eq!(easy.len(), 12, "a row a replication");
    assert!(
        easy.iter().all(|r| r[5] == "2000"),
        "targets.csv shows the first's observed value"
    );
    // A scenario without targets is judged on the first's, all defined.
    let toy = std::fs::read_to_string(root().join("scenarios/toy.toml")).unwrap();
    let cut = toy.find("\n# Targets:").expect("toy has a targets section");
    let bare = dir.path().join("bare.toml");
    let renamed = toy[..cut].replacen("name = \"toy\"", "name = \"bare\"", 1);
    std::fs::write(&bare, renamed).unwrap();
    let (out, o) = compare_toy_and(&bare, &dir.path().join("bare_cmp"));
    let rows = csv_rows(&out.join("compare.csv"));
    assert_eq!(rows_of(&rows, "toy"), rows_of(&rows, "bare"));
    // It has no targets of its own to set aside: nothing to warn of.
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("targets of its own"), "{stderr}");
}

#[test]
fn a_different_hypothesis_changes_the_verdict_on_the_same_streams() {
    let dir = tempfile::tempdir().unwrap();
    let (out, o) = compare_toy_with(
        dir.path(),
        &format!("name = \"toy_slow_korea\"\n{SLOW_KOREAN_LINES}"),
    );
    let rows = csv_rows(&out.join("compare.csv"));
    assert_ne!(rows_of(&rows, "toy"), rows_of(&rows, "toy_slow_korea"));
    // Korea's lines at one unit a quarter deliver nothing fast: the
    // Korean lead of 2022 passes in no replication of the slow world
    // (it has no Korean contract to time), and the verdict tells the two
    // apart, paired replication by replication on the same streams.
    let lead = |name: &str| {
        rows_of(&rows, name)
            .into_iter()
            .find(|r| r[0] == "kor_lead_2022")
            .unwrap()
    };
    assert_eq!(lead("toy_slow_korea")[3], "0", "pass share");
    assert_ne!(lead("toy")[3], "0", "pass share");
    let verdict = csv_rows(&out.join("verdict.csv"));
    let row = verdict
        .iter()
        .find(|r| r[0] == "toy_slow_korea" && r[1] == "verdict")
        .unwrap();
    let cell = |name: &str| {
        let i = verdict[0].iter().position(|c| c == name).unwrap();
        row[i].as_str()
    };
    let number = |name: &str| cell(name).parse::<f64>().unwrap();
    assert!(
        number("difference") > 0.0 && number("lo") > 0.0,
        "toy fits better: {row:?}"
    );
    assert_eq!((cell("pairs"), cell("against")), ("12", "toy"));
    let stdout = text(&o.stdout);
    assert!(
        stdout.contains("12 replications each on common random numbers"),
        "{stdout}"
    );
}

#[test]
fn run_writes_targets_and_prints_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = armsmarket(&[
        "run",
        root().join("scenarios/toy.toml").to_str().unwrap(),
        "-r",
        "6",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let rows = csv_rows(&out.join("toy/targets.csv"));
    assert_eq!(rows[0][..3], ["replication", "target", "pattern"]);
    assert_eq!(rows.len(), 1 + 6 * 4);
    let stdout = String::from_utf8_lossy(&o.stdout);
    for id in [
        "kor_value_2022",
        "aaa_share_of_kor",
        "kor_lead_2022",
        "kor_delivered_share",
    ] {
        assert!(stdout.contains(id), "{id} missing from\n{stdout}");
    }
    assert!(stdout.contains("patterns passed whole: "), "{stdout}");
    assert!(stdout.contains("mean distance "), "{stdout}");
}

#[test]
fn adding_or_removing_targets_changes_no_simulated_number() {
    let dir = tempfile::tempdir().unwrap();
    let toy = std::fs::read_to_string(root().join("scenarios/toy.toml")).unwrap();
    // The toy without its groups and targets.
    let cut = toy.find("\n# Targets:").expect("toy has a targets section");
    let bare = dir.path().join("bare.toml");
    std::fs::write(&bare, &toy[..cut]).unwrap();
    // The toy with one more target.
    let more = dir.path().join("more.toml");
    std::fs::write(
        &more,
        format!(
            "{toy}\n[targets.extra]\npattern = \"P3\"\nmetric = \"count\"\nfrom = \"2014Q1\"\nto = \"2023Q4\"\nobserved = 5.0\ntolerance = {{ abs = 1.0 }}\n"
        ),
    )
    .unwrap();
    let run = |file: &Path, name: &str| {
        let out = dir.path().join(name);
        let o = armsmarket(&[
            "run",
            file.to_str().unwrap(),
            "-r",
            "5",
            "--out",
            out.to_str().unwrap(),
            "-q",
            "--tables",
            EVERY_TABLE,
        ]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        out.join("toy")
    };
    let a = run(&root().join("scenarios/toy.toml"), "a");
    let b = run(&bare, "b");
    let c = run(&more, "c");
    for f in [
        "contracts.csv",
        "market.csv",
        "suppliers.csv",
        "buyers.csv",
        "exogenous.csv",
        "summary.csv",
    ] {
        let x = std::fs::read(a.join(f)).unwrap();
        assert_eq!(
            x,
            std::fs::read(b.join(f)).unwrap(),
            "{f} changed without targets"
        );
        assert_eq!(
            x,
            std::fs::read(c.join(f)).unwrap(),
            "{f} changed with an extra target"
        );
    }
    assert!(!b.join("targets.csv").exists());
}

/// `compare A B -r 2 --contested CONTESTED --out OUT -q`.
fn compare_contested(a: &Path, b: &Path, contested: &str, out: &Path) -> std::process::Output {
    armsmarket(&[
        "compare",
        a.to_str().unwrap(),
        b.to_str().unwrap(),
        "-r",
        "2",
        "--contested",
        contested,
        "--out",
        out.to_str().unwrap(),
        "-q",
    ])
}

#[test]
fn a_commercial_hypothesis_is_named_after_its_contested_assignment() {
    // One assignment or both: every row says which it ran under, since
    // the two give different worlds.
    let dir = tempfile::tempdir().unwrap();
    let other = toy_plus(
        dir.path(),
        "name = \"other\"\nhypothesis = \"commercial\"\n",
    );
    let toy = root().join("scenarios/toy.toml");
    for (contested, names) in [
        ("commercial", &["other [contested: commercial]"][..]),
        ("strategic", &["other [contested: strategic]"][..]),
        (
            "both",
            &[
                "other [contested: commercial]",
                "other [contested: strategic]",
            ][..],
        ),
    ] {
        let out = dir.path().join(contested);
        let o = compare_contested(&toy, &other, contested, &out);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(!String::from_utf8_lossy(&o.stderr).contains("changes nothing"));
        let mut seen: Vec<String> = csv_rows(&out.join("compare/compare.csv"))[1..]
            .iter()
            .map(|r| r[0].clone())
            .collect();
        seen.dedup();
        let mut expected = vec!["toy".to_string()];
        expected.extend(names.iter().map(|n| n.to_string()));
        assert_eq!(seen, expected, "--contested {contested}");
    }
    // Without a commercial hypothesis the option has nothing to act on:
    // said, not silently ignored.
    let plain = toy_plus(dir.path(), "name = \"plain\"\n");
    let o = compare_contested(&toy, &plain, "strategic", &dir.path().join("plain"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("warning: --contested strategic changes nothing here"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// A comparison's manifest records each scenario as it ran: a commercial
/// hypothesis's switches as its contested assignment left them, and a
/// later file's targets as the first's. Run alone, the record gives the
/// comparison's rows of that scenario.
#[test]
fn a_compared_scenario_s_record_runs_again_to_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    // A commercial hypothesis with an easier target of its own.
    let other = toy_plus(
        dir.path(),
        "name = \"other\"\nhypothesis = \"commercial\"\n[targets.kor_value_2022]\nobserved = 250.0\ntolerance = { rel = 1.0 }\n",
    );
    let toy = root().join("scenarios/toy.toml");
    let out = dir.path().join("cmp");
    let o = armsmarket(&[
        "compare",
        toy.to_str().unwrap(),
        other.to_str().unwrap(),
        "-r",
        "3",
        "--contested",
        "strategic",
        "--tables",
        "contracts",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = out.join("compare");
    let m: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("manifest.json")).unwrap()).unwrap();
    let name = "other [contested: strategic]";
    let record = m["scenarios"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .expect("the variant's record");
    let resolved = &record["resolved"];
    let switches = &resolved["mechanisms"];
    // The file leaves every switch on; the hypothesis ran without the
    // strategic ones and, counted as strategic, the contested ones.
    assert_eq!(switches["affinity"], false, "{switches}");
    assert_eq!(switches["diversion"], false, "{switches}");
    assert_eq!(switches["second_hand"], false, "{switches}");
    assert_eq!(switches["upgrades"], true, "{switches}");
    assert_eq!(
        resolved["targets"]["kor_value_2022"]["observed"], 2000.0,
        "the first's target, as judged"
    );
    let again = crate::common::run_record(resolved, dir.path());
    for f in ["contracts.csv", "targets.csv"] {
        let compared = rows_of(&csv_rows(&out.join(f)), name);
        let alone = csv_rows(&again.join("other").join(f));
        assert!(!compared.is_empty(), "{f} has rows");
        assert_eq!(compared.len(), alone.len() - 1, "{f}");
        assert!(
            compared == alone[1..],
            "{f} differs run alone from the record"
        );
    }
}

/// A later scenario whose run does not cover a window of the first's
/// targets is refused at its `end` (or `start`), before anything runs: it
/// was judged on quarters it never simulated (a sum of 0, undefined leads)
/// and a verdict was printed on that.
#[test]
fn a_scenario_whose_run_misses_the_first_s_target_windows_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let toy = std::fs::read_to_string(root().join("scenarios/toy.toml")).unwrap();
    let cut = toy.find("\n# Targets:").expect("toy has a targets section");
    let bare = toy[..cut].replacen("name = \"toy\"", "name = \"short\"", 1);
    for (key, value, target, bound) in [
        ("end", "2020Q4", "aaa_share_of_kor", "to"),
        ("start", "2020Q1", "kor_delivered_share", "from"),
    ] {
        let from = format!("{key} = \"");
        let at = bare.find(&from).expect("toy gives its start and end");
        let line = bare[..at].lines().count() + 1;
        let end_of_line = at + bare[at..].find('\n').unwrap();
        let edited = format!("{}{from}{value}\"{}", &bare[..at], &bare[end_of_line..]);
        let short = dir.path().join(format!("short_{key}.toml"));
        std::fs::write(&short, edited).unwrap();
        let out = dir.path().join(format!("out_{key}"));
        let o = armsmarket(&[
            "compare",
            root().join("scenarios/toy.toml").to_str().unwrap(),
            short.to_str().unwrap(),
            "-r",
            "2",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ]);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{e}");
        assert!(
            e.contains(&format!("{}:{line}:", short.display()))
                && e.contains(&format!("`targets.{target}.{bound}`"))
                && e.contains(&format!("`{key}` = \"{value}\"")),
            "{e}"
        );
        assert!(!out.exists(), "wrote {}", out.display());
    }
}

#[test]
fn a_scenario_named_as_another_s_variant_is_refused_at_its_name() {
    // `toy` with `hypothesis = "commercial"` beside a scenario named
    // `toy [contested: commercial]`: compare panicked (exit 101) after
    // writing its tables, or, under another assignment, wrote two rows of
    // one name.
    let dir = tempfile::tempdir().unwrap();
    let toy = root().join("scenarios/toy.toml");
    let commercial = dir.path().join("commercial.toml");
    std::fs::write(
        &commercial,
        format!(
            "base = {:?}\nname = \"toy\"\nhypothesis = \"commercial\"\n",
            toy.display().to_string()
        ),
    )
    .unwrap();
    for (contested, clash) in [("commercial", "commercial"), ("both", "strategic")] {
        let other = toy_plus(
            dir.path(),
            &format!("name = \"toy [contested: {clash}]\"\n"),
        );
        let out = dir.path().join(contested);
        let o = compare_contested(&commercial, &other, contested, &out);
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "--contested {contested}: {e}");
        assert!(
            e.contains(&format!("{}:2:1:", other.display()))
                && e.contains("give it a different `name`"),
            "--contested {contested}: {e}"
        );
        assert!(
            !out.exists(),
            "--contested {contested} wrote {}",
            out.display()
        );
    }
}

/// What the printed verdict table shows is in the result's CSV: each
/// pattern's pass share (`patterns.csv`) is the share of replications
/// passing every one of its targets in `targets.csv`, and the ± of the
/// mean distance is `verdict.csv`'s `distance_half_width`.
#[test]
fn the_printed_pattern_shares_and_distance_interval_are_in_the_csv() {
    let dir = tempfile::tempdir().unwrap();
    // A second P1 target, so that one pattern is passed whole only when
    // both of its targets pass.
    let first = crate::common::toy_variant(
        dir.path(),
        "first",
        "name = \"first\"\n[targets.kor_value_2023]\npattern = \"P1\"\nmetric = \"value\"\nsupplier_country = \"KOR\"\ngroup = \"east\"\nfrom = \"2023Q1\"\nto = \"2023Q4\"\nobserved = 1500.0\ntolerance = { rel = 0.8 }\n",
    );
    let second = crate::common::toy_variant(
        dir.path(),
        "second",
        &format!("name = \"slow\"\n{SLOW_KOREAN_LINES}"),
    );
    let (out, o) = compare_pair(&first, &second, "20", &dir.path().join("cmp"));
    let p = csv_rows(&out.join("patterns.csv"));
    assert_eq!(
        p[0],
        [
            "scenario",
            "pattern",
            "targets",
            "pass_share",
            "replications"
        ]
    );
    assert_eq!(p.len(), 1 + 2 * 4, "one row per scenario and pattern");
    // Replications passing each pattern whole, from targets.csv.
    let t = csv_rows(&out.join("targets.csv"));
    let col = |name: &str| t[0].iter().position(|c| c == name).unwrap();
    let (sc, rep, pat, pass) = (
        col("scenario"),
        col("replication"),
        col("pattern"),
        col("pass"),
    );
    let mut whole = std::collections::BTreeMap::<(String, String), Vec<bool>>::new();
    let mut by_rep = std::collections::BTreeMap::<(String, String, String), bool>::new();
    for r in &t[1..] {
        let e = by_rep
            .entry((r[sc].clone(), r[pat].clone(), r[rep].clone()))
            .or_insert(true);
        *e &= r[pass] == "true";
    }
    for ((s, pattern, _), ok) in by_rep {
        whole.entry((s, pattern)).or_default().push(ok);
    }
    let stdout = String::from_utf8_lossy(&o.stdout);
    let mut strictly_between = 0;
    for r in &p[1..] {
        let passed = &whole[&(r[0].clone(), r[1].clone())];
        assert_eq!(passed.len(), 20);
        let k = passed.iter().filter(|x| **x).count();
        let share: f64 = r[3].parse().unwrap();
        assert_eq!(share, k as f64 / 20.0, "{r:?}");
        strictly_between += usize::from(k > 0 && k < 20);
        let targets = if r[1] == "P1" { "2" } else { "1" };
        assert_eq!((r[2].as_str(), r[4].as_str()), (targets, "20"), "{r:?}");
    }
    assert!(strictly_between > 0, "every share is 0 or 1: {p:?}");
    // The printed table: name, the patterns' per cents (k/20 of 100 is
    // whole), then "distance ± half-width" as the terminal rounds them.
    let num = armsmarket::output::report::num;
    let v = csv_rows(&out.join("verdict.csv"));
    assert_eq!(&v[0][2..4], ["distance", "distance_half_width"]);
    for name in ["first", "slow"] {
        let row: Vec<&str> = stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .unwrap_or_else(|| panic!("no row {name} in\n{stdout}"))
            .split_whitespace()
            .collect();
        let shares: Vec<String> = p[1..]
            .iter()
            .filter(|r| r[0] == name)
            .map(|r| format!("{:.0}", 100.0 * r[3].parse::<f64>().unwrap()))
            .collect();
        assert_eq!(row[1..5], shares, "{row:?}");
        let headline = v
            .iter()
            .find(|r| r[0] == name && r[1] == "verdict")
            .unwrap();
        let (d, h): (f64, f64) = (headline[2].parse().unwrap(), headline[3].parse().unwrap());
        assert!(h >= 0.0 && (name == "slow" || h > 0.0), "{headline:?}");
        assert_eq!(row[5..8], [num(d), "±".into(), num(h)], "{row:?}");
        // Every statistic of the robustness table has its interval too,
        // wherever its distance is defined (the toy has no surge targets).
        assert!(
            v.iter()
                .filter(|r| r[0] == name)
                .all(|r| r[2].is_empty() == r[3].is_empty()
                    && (r[3].is_empty() || r[3].parse::<f64>().is_ok_and(|h| h >= 0.0))),
            "{v:?}"
        );
    }
}

/// An ablation switching off a contested mechanism repeats the reference's
/// row under `--contested strategic` (the mechanism is off there already):
/// compare says so, and says nothing when the two runs differ.
#[test]
fn a_scenario_running_the_same_inputs_as_another_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let reference = crate::common::toy_variant(
        dir.path(),
        "reference",
        "name = \"reference\"\nhypothesis = \"commercial\"\n",
    );
    let ablation = crate::common::toy_variant(
        dir.path(),
        "ablation",
        "name = \"no_diversion\"\nhypothesis = \"commercial\"\n[mechanisms]\ndiversion = false\n",
    );
    let same = "note: no_diversion [contested: strategic] runs the same inputs as reference [contested: strategic]";
    let out = dir.path().join("strategic");
    let o = compare_contested(&reference, &ablation, "strategic", &out);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains(same), "{stderr}");
    let rows = csv_rows(&out.join("compare/compare.csv"));
    assert_eq!(
        rows_of(&rows, "reference [contested: strategic]"),
        rows_of(&rows, "no_diversion [contested: strategic]")
    );
    // Counted as commercial, diversion runs in the reference and not in
    // the ablation: no note.
    let o = compare_contested(&reference, &ablation, "commercial", &dir.path().join("c"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("runs the same inputs"), "{stderr}");
    // Another focus country runs the same market but reports another
    // country's sales in summary.csv: no note either.
    let focus = crate::common::toy_variant(
        dir.path(),
        "focus",
        "name = \"focus_usa\"\nhypothesis = \"commercial\"\n[outputs]\nfocus_country = \"USA\"\n",
    );
    let o = compare_contested(&reference, &focus, "strategic", &dir.path().join("f"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("runs the same inputs"), "{stderr}");
}

//! `armsmarket report` end to end on a run, a comparison, a sweep and a
//! calibration of the toy world: one self-contained file, no script, no
//! external URL, at least three charts, the same bytes from the same
//! result; a result that does not match its manifest is refused.
#![cfg(unix)]

use crate::common::{
    armsmarket, armsmarket_env, assert_ok, copy_files, csv_rows, err, read, root, text, toy,
    toy_variant,
};
use armsmarket::output::html::format::hover;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Report on `dir` and return the page, checking what every report must
/// be.
fn report(dir: &Path) -> String {
    let o = armsmarket(&["report", dir.to_str().unwrap()]);
    assert_ok(&o, "report");
    let bytes = read(&dir.join("report.html"));
    let html = text(&bytes);
    assert!(
        html.starts_with("<!DOCTYPE html>"),
        "{}",
        &html[..100.min(html.len())]
    );
    assert!(!html.to_lowercase().contains("<script"));
    // The only URL is the SVG namespace, which names and loads nothing.
    let stripped = html.replace("http://www.w3.org/2000/svg", "");
    assert!(!stripped.contains("http:") && !stripped.contains("https:"));
    assert!(!html.contains("<link") && !html.contains("<img"));
    assert!(
        html.matches("<svg").count() >= 3,
        "{} charts",
        html.matches("<svg").count()
    );
    assert!(html.contains("<details") && html.contains("@media print"));
    assert!(!html.contains("NaN") && !html.contains("inf\""));
    assert!(err(&o).starts_with("report: "), "{}", err(&o));
    // Deterministic: the same result gives the same bytes (and `--quiet`
    // says nothing, as the other commands' does).
    let o = armsmarket(&["report", "--quiet", dir.to_str().unwrap()]);
    assert_ok(&o, "report again");
    assert_eq!((text(&o.stdout), err(&o)), (String::new(), String::new()));
    assert_eq!(read(&dir.join("report.html")), bytes);
    html
}

/// Run `file` with `replications` and the tables a run's report draws
/// into `out`, and report on it.
fn report_on_run(file: &Path, replications: &str, out: &Path, name: &str) -> String {
    let o = armsmarket(&[
        "run",
        file.to_str().unwrap(),
        "-r",
        replications,
        "--threads",
        "2",
        "--tables",
        "contracts,market,summary",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o, "run");
    report(&out.join(name))
}

#[test]
fn run_report() {
    let tmp = tempfile::tempdir().unwrap();
    let html = report_on_run(&toy(), "6", tmp.path(), "toy");
    assert!(html.contains("KOR contract value per year"));
    // The toy's yearly target counts two of its three buyers: not drawn on
    // the series of all three.
    assert!(
        !html.contains("observed, 2022: 2000 US$ m"),
        "a group's target drawn on every buyer's series"
    );
    // Nor does the caption speak of diamonds it does not draw.
    assert!(!html.contains("diamonds"), "diamonds promised");
    assert!(html.contains("kor_value_2022"));
    assert!(html.contains("Lead to first delivery"));
    assert!(html.contains("promised and actual leads of the same contracts"));
    assert!(html.contains("contracts signed and value delivered"));
    // A yearly target over a group of every buyer is drawn.
    let every = toy_variant(
        tmp.path(),
        "every",
        "name = \"every\"\n[groups.all]\nbuyers = [\"CCC\", \"AAA\", \"BBB\"]\n[targets.kor_value_2022]\ngroup = \"all\"\nobserved = 1500.0\n",
    );
    let html = report_on_run(&every, "2", tmp.path(), "every");
    assert!(
        html.contains("observed, 2022: 1500 US$ m"),
        "no observed diamond"
    );
    assert!(html.contains("diamonds: the observed values of the scenario&#39;s yearly targets"));
}

/// Toy against a variant whose buyers care less for delivery
/// (`slow_korea`), compared over 6 replications into `dir/compare`.
fn toy_comparison(dir: &Path) -> PathBuf {
    let variant = toy_variant(
        dir,
        "slow_korea",
        "name = \"slow_korea\"\n\n[preferences.default]\ndelivery = 0.2\n",
    );
    let o = armsmarket(&[
        "compare",
        toy().to_str().unwrap(),
        variant.to_str().unwrap(),
        "-r",
        "6",
        "--threads",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&o, "compare");
    dir.join("compare")
}

#[test]
fn compare_report() {
    let tmp = tempfile::tempdir().unwrap();
    let html = report(&toy_comparison(tmp.path()));
    assert!(html.contains("Share of replications passing each pattern whole"));
    assert!(html.contains("Paired difference in distance to"));
    assert!(html.contains("slow_korea"));
    assert!(html.contains("Pattern P1"));
    // Each target has its own chart, named in its title: rows of several
    // targets told them apart by a cut sub-line alone.
    assert!(
        html.contains("Pattern P1: kor_value_2022 under each scenario"),
        "no chart of its own for kor_value_2022"
    );
    // The verdict table gives each mean distance with the ± of
    // verdict.csv, rounded as the terminal prints them.
    let verdict = std::fs::read_to_string(tmp.path().join("compare/verdict.csv")).unwrap();
    let headline: Vec<&str> = verdict
        .lines()
        .find(|l| l.starts_with("toy,verdict,"))
        .unwrap()
        .split(',')
        .collect();
    let cell = |i: usize| armsmarket::output::report::num(headline[i].parse().unwrap());
    let shown = format!("{} ± {}", cell(2), cell(3));
    assert!(html.contains(&shown), "no {shown} in the verdict table");
}

#[test]
fn sweep_report_with_discovery_and_sensitivity() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let html = report(&dir);
    assert!(html.contains("across the sweep"));
    // Points are drawn against the verdict's distance, the statistic
    // `compare` ranks by.
    assert!(
        html.contains(
            "verdict distance (0: every target hit exactly) against preferences.default.delivery"
        ),
        "the parameters are drawn against the verdict distance"
    );
    assert!(
        html.contains("sensitivity.csv"),
        "says the indices are missing"
    );
    let o = armsmarket(&[
        "discover",
        dir.to_str().unwrap(),
        "--where",
        "focus_value_2022 > 0",
    ]);
    assert_ok(&o, "discover");
    // Every step's k and mass as sums of shares leave them (the hover
    // showed this text as it is).
    let trajectory = dir.join("discover.csv");
    let mut r = csv::Reader::from_path(&trajectory).unwrap();
    let header = r.headers().unwrap().clone();
    let at = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (k_at, mass_at) = (at("k"), at("mass"));
    let steps: Vec<Vec<String>> = r
        .records()
        .map(|rec| {
            rec.unwrap()
                .iter()
                .enumerate()
                .map(|(i, cell)| match i {
                    i if i == k_at => "5.999999999999999".to_string(),
                    i if i == mass_at => "0.9166666666666666".to_string(),
                    _ => cell.to_string(),
                })
                .collect()
        })
        .collect();
    let mut w = csv::Writer::from_path(&trajectory).unwrap();
    w.write_record(&header).unwrap();
    for step in &steps {
        w.write_record(step).unwrap();
    }
    w.flush().unwrap();
    let html = report(&dir);
    assert!(html.contains("PRIM trajectory, box 1"));
    // The chosen box's figures as `discover` prints them, to four decimals.
    let (header, rows) = csv_rows(&read(&dir.join("discover.csv")));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let chosen = rows.iter().find(|r| r[col("chosen")] == "true").unwrap();
    let mass: f64 = chosen[col("mass")].parse().unwrap();
    assert!(
        html.contains(&format!("<td class=\"num\">{mass:.4}</td>")),
        "mass {mass}"
    );
    // The hover text too, as `discover` prints them (it showed the file's
    // text).
    assert!(
        html.contains("mass 0.9167, ") && html.contains(", k = 6; "),
        "hover of mass and k"
    );
    assert!(!html.contains("5.999999999999999") && !html.contains("0.9166666666666666"));
    assert!(
        html.contains("Cases of interest: runs where focus_value_2022 &gt; 0; peeling alpha 0.05"),
        "the report names what was searched"
    );
    // sensitivity.csv is no lhs sweep's: refused, not drawn.
    std::fs::remove_file(dir.join("report.html")).unwrap();
    std::fs::write(
        dir.join("sensitivity.csv"),
        "metric,parameter,index,estimate,lo,hi,conf_normal\n\
         focus_value,preferences.default.delivery,S1,0.42,0.30,0.55,0.12\n",
    )
    .unwrap();
    let e = refused(&dir);
    assert!(
        e.contains("sensitivity.csv: a lhs sweep has no sensitivity indices"),
        "{e}"
    );
}

/// `sensitivity.csv` and `discover.csv` are not in the manifest: only
/// their content ties them to the sweep. Another sweep's analysis, a table
/// cut short or a trajectory of other points is refused with the command
/// that writes it again, not drawn as this sweep's.
#[test]
fn an_analysis_that_is_not_the_sweep_s_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let mut dirs = Vec::new();
    for file in ["toy_saltelli.toml", "toy_morris.toml"] {
        let o = armsmarket(&[
            "sweep",
            crate::common::data(file).to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--quiet",
        ]);
        assert_ok(&o, "sweep");
        let dir = out.join(file.trim_end_matches(".toml"));
        assert_ok(
            &armsmarket(&["sensitivity", dir.to_str().unwrap(), "-q"]),
            "sensitivity",
        );
        report(&dir);
        dirs.push(dir);
    }
    let (saltelli, morris) = (&dirs[0], &dirs[1]);
    let own = String::from_utf8(read(&saltelli.join("sensitivity.csv"))).unwrap();
    std::fs::copy(
        morris.join("sensitivity.csv"),
        saltelli.join("sensitivity.csv"),
    )
    .unwrap();
    let _ = std::fs::remove_file(saltelli.join("report.html"));
    let e = refused(saltelli);
    assert!(
        e.contains("sensitivity.csv:2: index 'mu' is not one a saltelli design gives")
            && e.contains("run `armsmarket sensitivity "),
        "{e}"
    );
    // Cut after its first metric: the others are missing.
    let first_metric_end = own.find("guard_zeros").unwrap();
    let cut = &own[..first_metric_end + own[first_metric_end..].find('\n').unwrap() + 1];
    std::fs::write(saltelli.join("sensitivity.csv"), cut).unwrap();
    let _ = std::fs::remove_file(saltelli.join("report.html"));
    let e = refused(saltelli);
    assert!(e.contains("sensitivity.csv: it has no indices of "), "{e}");
    std::fs::write(saltelli.join("sensitivity.csv"), &own).unwrap();
    report(saltelli);

    let o = armsmarket(&[
        "discover",
        saltelli.to_str().unwrap(),
        "--where",
        "contracts > 0",
    ]);
    assert_ok(&o, "discover");
    report(saltelli);
    let trajectory = read(&saltelli.join("discover.csv"));
    let (header, rows) = csv_rows(&trajectory);
    let n = header.iter().position(|h| h == "n").unwrap();
    let mut w = csv::Writer::from_path(saltelli.join("discover.csv")).unwrap();
    w.write_record(&header).unwrap();
    for (i, row) in rows.iter().enumerate() {
        let mut row = row.clone();
        if i == 0 {
            row[n] = "7".to_string();
        }
        w.write_record(&row).unwrap();
    }
    w.flush().unwrap();
    let _ = std::fs::remove_file(saltelli.join("report.html"));
    let e = refused(saltelli);
    assert!(
        e.contains("discover.csv: its first box starts from 7 points, and 32 of the sweep's points have a finished run")
            && e.contains("run `armsmarket discover "),
        "{e}"
    );
}

/// A Saltelli sweep's role columns are not parameters, and a parameter of
/// categories is drawn by category.
#[test]
fn a_sweep_report_draws_parameters_only_and_categories_too() {
    let tmp = tempfile::tempdir().unwrap();
    let file = crate::sweep::toy_sweep_file(
        tmp.path(),
        "roles",
        "design = \"saltelli\"\npoints = 4",
        "\"preferences.default.delivery\" = { min = 0.2, max = 2.0 }\n\"mechanisms.diversion\" = { values = [true, false] }\n",
    );
    let o = armsmarket(&[
        "sweep",
        file.to_str().unwrap(),
        "--out",
        tmp.path().to_str().unwrap(),
        "-q",
    ]);
    assert_ok(&o, "sweep");
    let html = report(&tmp.path().join("roles"));
    for role in ["base_row", "matrix", "column"] {
        assert!(!html.contains(&format!("against {role}")), "{role} drawn");
        assert!(
            !html.contains(&format!("<td>{role}</td>")),
            "{role} listed as a parameter"
        );
    }
    assert!(html.contains("against preferences.default.delivery"));
    assert!(
        html.contains("by mechanisms.diversion"),
        "the parameter of categories has no chart"
    );
    // With D = 2 each BA row is an AB row: the subtitle counts points, not
    // the design's rows (it said 24 points, one per row).
    let (_, points) = csv_rows(&read(&tmp.path().join("roles/points.csv")));
    let ids: BTreeSet<&str> = points.iter().map(|r| r[0].as_str()).collect();
    assert!(ids.len() < points.len(), "the design shares no point");
    assert!(
        html.contains(&format!("{} points, ", ids.len())),
        "{}",
        &html[..2000.min(html.len())]
    );
}

/// Report on `dir`, which must be refused (exit 2, nothing written), and
/// return the message.
fn refused(dir: &Path) -> String {
    let o = armsmarket(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(!dir.join("report.html").exists(), "a report was written");
    err(&o)
}

#[test]
fn a_folder_without_a_result_is_a_usage_error() {
    let tmp = tempfile::tempdir().unwrap();
    let e = refused(tmp.path());
    assert!(e.contains("no manifest.json"), "{e}");
    // Every kind with a report is named, the calibration too.
    for kind in ["a run", "a comparison", "a sweep", "a calibration"] {
        assert!(e.contains(kind), "{kind} not named: {e}");
    }
    let e = refused(&tmp.path().join("nowhere"));
    assert!(e.contains("nowhere: does not exist"), "{e}");
    // A folder where the manifest should be is not a result either (it
    // failed with exit 1 and the bare "Is a directory").
    std::fs::create_dir(tmp.path().join("manifest.json")).unwrap();
    let e = refused(tmp.path());
    assert!(
        e.contains("manifest.json is a folder") && e.contains("a calibration"),
        "{e}"
    );
    // A manifest cut short (damaged since it was written) names the fix.
    std::fs::remove_dir(tmp.path().join("manifest.json")).unwrap();
    std::fs::write(tmp.path().join("manifest.json"), "{\n  \"program\": \"arms").unwrap();
    let e = refused(tmp.path());
    assert!(
        e.contains("manifest.json is not JSON")
            && e.contains("remove the folder and run the command that wrote it again"),
        "{e}"
    );
}

/// A sweep or a calibration stopped before it finished keeps its work in
/// `OUT/.<name>.partial`: `report` and `discover` on `OUT/<name>` said it
/// "does not exist", as if nothing had run; they name the work folder and
/// the `--resume` (or, for a shard, `--shard K/N ... --resume`) that
/// finishes it.
#[test]
fn a_stopped_sweep_or_calibration_is_named_with_its_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let stopped = |command: &str, file: &Path, extra: &[&str]| {
        let o = armsmarket_env(
            &[
                &[command, file.to_str().unwrap(), "--out"],
                &[out.to_str().unwrap(), "-t", "1", "-q"][..],
                extra,
            ]
            .concat(),
            &[
                ("ARMSMARKET_TEST_SYNC_EVERY", "1"),
                ("ARMSMARKET_TEST_ABORT", "sync:1"),
            ],
        );
        assert!(!o.status.success(), "{command}: {}", err(&o));
    };
    let sweep_file = root().join("tests/data/toy_sweep.toml");
    stopped("sweep", &sweep_file, &[]);
    stopped(
        "sweep",
        &sweep_file,
        &["--shard", "1/2", "--tables", "contracts"],
    );
    let o = armsmarket_env(
        &[
            "calibrate",
            root()
                .join("scenarios/calibration/toy_recovery.toml")
                .to_str()
                .unwrap(),
            "--out",
            out.to_str().unwrap(),
            "-t",
            "1",
            "-q",
        ],
        &[("ARMSMARKET_TEST_ABORT", "generation:1")],
    );
    assert!(!o.status.success(), "calibrate: {}", err(&o));
    let o_ = out.display();
    for (name, says) in [
        (
            "toy_sweep",
            format!(
                "toy_sweep: does not exist yet: an unfinished sweep is kept in {o_}/.toy_sweep.partial (stopped before it finished); `armsmarket sweep FILE --out {o_} --resume` finishes it (FILE the sweep's scenario file)"
            ),
        ),
        (
            "toy_sweep.shards/shard-1-of-2",
            format!(
                "an unfinished shard of a sweep is kept in {o_}/toy_sweep.shards/.shard-1-of-2.partial (stopped before it finished); `armsmarket sweep FILE --shard 1/2 --out {o_} --tables contracts --resume` finishes it"
            ),
        ),
        (
            "toy_recovery",
            format!(
                "toy_recovery: does not exist yet: an unfinished calibration is kept in {o_}/.toy_recovery.partial (stopped before it finished); `armsmarket calibrate FILE --out {o_} --resume` finishes it (FILE the calibration's scenario file)"
            ),
        ),
    ] {
        let e = refused(&out.join(name));
        assert!(e.contains(&says), "{name}: {e}");
        let o = armsmarket(&[
            "discover",
            out.join(name).to_str().unwrap(),
            "--where",
            "focus_value > 0",
        ]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
        assert!(err(&o).contains(&says), "{name}: {}", err(&o));
        let o = armsmarket(&["sensitivity", out.join(name).to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", err(&o));
        assert!(err(&o).contains(&says), "{name}: {}", err(&o));
    }
}

/// A run of the toy world (6 replications, its default tables) in `out`.
fn toy_run(out: &Path) -> PathBuf {
    let o = armsmarket(&[
        "run",
        toy().to_str().unwrap(),
        "-r",
        "6",
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_ok(&o, "run");
    out.join("toy")
}

/// A copy of the result folder `from` at `to` (its files, no subfolders).
fn copy_result(from: &Path, to: &Path) -> PathBuf {
    copy_files(from, to);
    to.to_path_buf()
}

#[test]
fn a_report_html_the_command_did_not_write_is_kept() {
    // A user's own report.html in the result's folder was replaced.
    let tmp = tempfile::tempdir().unwrap();
    let dir = toy_run(tmp.path());
    let own = dir.join("report.html");
    std::fs::write(&own, "<p>my notes</p>\n").unwrap();
    let o = armsmarket(&["report", dir.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert!(
        err(&o).contains("exists and is not a report `armsmarket report` wrote"),
        "{}",
        err(&o)
    );
    assert_eq!(text(&read(&own)), "<p>my notes</p>\n");
    // Its own report is written again (`report` checks that twice).
    std::fs::remove_file(&own).unwrap();
    report(&dir);
}

#[test]
fn a_result_changed_since_it_was_written_is_refused() {
    // It was drawn as if whole: targets.csv cut at a line boundary gave
    // pass shares over 3 replications under "6 replications"; a removed
    // one read as a scenario without targets, an empty one as 0 targets.
    let tmp = tempfile::tempdir().unwrap();
    let run = toy_run(tmp.path());
    let targets = std::fs::read_to_string(run.join("targets.csv")).unwrap();
    let cut: String = targets.lines().take(13).map(|l| format!("{l}\n")).collect();
    type Damage = fn(&Path, &str);
    let damages: [(&str, Damage); 3] = [
        ("cut", |f, cut| std::fs::write(f, cut).unwrap()),
        ("removed", |f, _| std::fs::remove_file(f).unwrap()),
        ("emptied", |f, _| std::fs::write(f, "").unwrap()),
    ];
    for (what, damage) in damages {
        let dir = copy_result(&run, &tmp.path().join(what));
        damage(&dir.join("targets.csv"), &cut);
        let e = refused(&dir);
        assert!(
            e.contains("targets.csv missing or changed since `armsmarket run` wrote the folder"),
            "{what}: {e}"
        );
        assert!(e.contains("run `armsmarket run` again"), "{what}: {e}");
    }
    // A table the run did not write, put in the folder later, is not its.
    let dir = copy_result(&run, &tmp.path().join("added"));
    std::fs::write(dir.join("market.csv"), "not,a,market\n").unwrap();
    assert_ok(&armsmarket(&["report", dir.to_str().unwrap()]), "report");
    let html = text(&read(&dir.join("report.html")));
    assert!(
        html.contains("holds no market.csv"),
        "an unlisted table was read"
    );
}

/// A file the page does not draw was not checked at all: a comparison's
/// patterns.csv edited, removed or added to gave a page as from a sound
/// result. Such files are checked by their size (the page's own files by
/// their checksum too).
#[test]
fn a_result_s_file_the_page_does_not_draw_is_checked_by_its_size() {
    let tmp = tempfile::tempdir().unwrap();
    let compare = toy_comparison(tmp.path());
    let patterns = std::fs::read_to_string(compare.join("patterns.csv")).unwrap();
    type Damage = fn(&Path, &str);
    let damages: [(&str, Damage); 3] = [
        ("edited", |f, t| {
            std::fs::write(f, t.replacen(",1,", ",0.5,", 1)).unwrap()
        }),
        ("removed", |f, _| std::fs::remove_file(f).unwrap()),
        ("added to", |f, t| {
            std::fs::write(f, format!("{t}junk\n")).unwrap()
        }),
    ];
    for (what, damage) in damages {
        let dir = copy_result(&compare, &tmp.path().join(what));
        damage(&dir.join("patterns.csv"), &patterns);
        if what == "edited" {
            assert_ne!(
                std::fs::read_to_string(dir.join("patterns.csv")).unwrap(),
                patterns
            );
        }
        let e = refused(&dir);
        assert!(
            e.contains(
                "patterns.csv missing or changed since `armsmarket compare` wrote the folder"
            ),
            "{what}: {e}"
        );
    }
    assert_ok(
        &armsmarket(&["report", compare.to_str().unwrap()]),
        "the sound one",
    );
}

#[test]
fn a_manifest_naming_a_kind_whose_files_it_does_not_list_is_refused() {
    // A run's manifest edited to say "sweep" gave "a sweep report with 0
    // charts".
    let tmp = tempfile::tempdir().unwrap();
    let run = toy_run(tmp.path());
    let manifest = std::fs::read_to_string(run.join("manifest.json")).unwrap();
    for (command, files) in [
        ("sweep", "points.csv, runs.csv"),
        ("merge", "points.csv, runs.csv"),
        ("compare", "compare.csv, verdict.csv"),
        ("calibrate", "generations.csv, posterior.csv"),
    ] {
        let dir = copy_result(&run, &tmp.path().join(command));
        let edited = manifest.replace(
            "\"command\": \"run\"",
            &format!("\"command\": \"{command}\""),
        );
        assert_ne!(edited, manifest);
        std::fs::write(dir.join("manifest.json"), edited).unwrap();
        let e = refused(&dir);
        assert!(
            e.contains(&format!("a result of `{command}`, but lists no {files}")),
            "{command}: {e}"
        );
    }
}

#[test]
fn calibration_report_shows_the_quantiles_of_posterior_summary() {
    // The hovers showed another quantile than posterior_summary.csv's (an
    // integer parameter's 90 % interval ended at 7.596, not 8), and the
    // predictive rows, which have no quartiles, read "50 % within – – –".
    let tmp = tempfile::tempdir().unwrap();
    let recovery = root().join("scenarios/calibration/toy_recovery.toml");
    let small = std::fs::read_to_string(recovery)
        .unwrap()
        .replace("base = \"../toy.toml\"", &format!("base = {:?}", toy()))
        .replace("population = 200", "population = 30")
        .replace("generations = 6", "generations = 2")
        .replace("replications = 4", "replications = 2");
    let file = tmp.path().join("small.toml");
    std::fs::write(&file, small).unwrap();
    let out = tmp.path().join("out");
    let o = armsmarket(&[
        "calibrate",
        file.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "-q",
    ]);
    assert_ok(&o, "calibrate");
    let dir = out.join("toy_recovery");
    let html = report(&dir);
    let (header, rows) = csv_rows(&read(&dir.join("posterior_summary.csv")));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(rows.len(), 3, "three parameters");
    for r in &rows {
        let q = |name: &str| hover(r[col(name)].parse().unwrap());
        let interval = format!("90 % within {} – {}", q("q05"), q("q95"));
        let median = format!("weighted median {}", q("q50"));
        assert!(
            html.contains(&interval) && html.contains(&median),
            "{}: no {interval:?} or {median:?}",
            r[col("parameter")]
        );
    }
    assert!(html.contains("Posterior predictive check"));
    assert!(!html.contains("– – –") && !html.contains("50 % within"));
    // The whole-numbered parameter is drawn as shares per value, the others
    // as densities.
    assert!(
        html.contains("Weighted share of the particles at each value of market.defer_quarters")
    );
    assert!(html.contains("Weighted kernel density of market.access_base"));
    // Each density is framed by its prior and marks the truth the recovery
    // test knows (posterior_summary.csv); neither was drawn.
    for r in &rows {
        let (lo, hi, truth) = (
            r[col("prior_low")].parse::<f64>().unwrap(),
            r[col("prior_high")].parse::<f64>().unwrap(),
            r[col("truth")].parse::<f64>().unwrap(),
        );
        let prior = format!("prior range {} – {}", hover(lo), hover(hi));
        let truth = format!("true value {}", hover(truth));
        assert!(
            html.contains(&prior) && html.contains(&truth),
            "{}: no {prior:?} or {truth:?}",
            r[col("parameter")]
        );
    }
}

/// A sweep's `runs.csv` without `verdict_distance` (an earlier build's) is
/// drawn against targets passed, as before the column existed.
#[test]
fn a_sweep_without_the_verdict_column_is_drawn_by_targets_passed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == "verdict_distance").unwrap();
    let drop = |r: &[String]| {
        let mut r = r.to_vec();
        r.remove(c);
        r.join(",") + "\n"
    };
    let body: String = std::iter::once(drop(&h))
        .chain(rows.iter().map(|r| drop(r)))
        .collect();
    crate::common::rewrite_sealed(&dir, "runs.csv", &body);
    let html = report(&dir);
    assert!(!html.contains("verdict distance"));
    assert!(
        html.contains("targets passed (of 4) against preferences.default.delivery"),
        "drawn by targets passed"
    );
}

/// Points whose verdict distance is undefined in every run are not drawn,
/// and said so; undefined everywhere, the page says so rather than draw
/// targets passed in its place (it drew every point at 0 targets passed).
#[test]
fn points_without_a_verdict_distance_are_said_to_be_left_out() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == "verdict_distance").unwrap();
    let points: BTreeSet<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    let first_two: Vec<&str> = points.iter().copied().take(2).collect();
    // The page as written: with nothing to draw against the parameters it
    // has fewer charts than `report` asks of a sweep's.
    let status = h.iter().position(|x| x == "status").unwrap();
    // `undefined` points lose their distance; `failed`, every run fails.
    let rewrite = |undefined: &dyn Fn(&str) -> bool, failed: bool| {
        let body: String = std::iter::once(h.join(",") + "\n")
            .chain(rows.iter().map(|r| {
                let mut r = r.to_vec();
                if undefined(&r[0]) {
                    r[c] = String::new();
                }
                if failed {
                    r[status] = "failed".into();
                }
                r.join(",") + "\n"
            }))
            .collect();
        crate::common::rewrite_sealed(&dir, "runs.csv", &body);
        let _ = std::fs::remove_file(dir.join("report.html"));
        assert_ok(&armsmarket(&["report", dir.to_str().unwrap()]), "report");
        text(&read(&dir.join("report.html"))).to_string()
    };
    let html = rewrite(&|p| first_two.contains(&p), false);
    let said = format!(
        "2 of the {} points have no verdict distance (undefined in each of their finished runs, or none finished) and are not drawn.",
        points.len()
    );
    assert!(html.contains(&said), "{said}");
    assert!(html.contains(
        "verdict distance (0: every target hit exactly) against preferences.default.delivery"
    ));
    let html = rewrite(&|_| true, false);
    assert!(
        html.contains("No point has a verdict distance: it is undefined in every finished run"),
        "not said"
    );
    assert!(!html.contains("targets passed"), "drawn by another measure");
    // No run finished: not said to be undefined in finished runs.
    let html = rewrite(&|_| false, true);
    assert!(
        html.contains("No run finished (runs.csv), so nothing is drawn against the parameters."),
        "not said"
    );
    assert!(!html.contains("No point has"));
}

/// A comparison of the toy world in `dir`, the first scenario with a
/// target no scenario can reach (`never`): `compare`'s printout and the
/// report's page.
fn reach_compare(dir: &Path) -> (String, String) {
    let first = toy_variant(
        dir,
        "reach",
        "name = \"reach\"\n\n[targets.never]\npattern = \"P9\"\nmetric = \"value\"\nsupplier_country = \"KOR\"\nfrom = \"2022Q1\"\nto = \"2022Q4\"\nobserved = 1.0e7\ntolerance = { rel = 0.01 }\n",
    );
    let slow = toy_variant(
        dir,
        "slow_korea",
        "name = \"slow_korea\"\n\n[preferences.default]\ndelivery = 0.2\n",
    );
    let o = armsmarket(&[
        "compare",
        first.to_str().unwrap(),
        slow.to_str().unwrap(),
        "-r",
        "6",
        "--threads",
        "2",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&o, "compare");
    (text(&o.stdout), report(&dir.join("compare")))
}

/// The page says the verdict's one-line conclusion and the targets no
/// scenario reaches, as `compare` prints them (it said neither).
#[test]
fn compare_report_says_the_conclusion_and_the_targets_no_scenario_reaches() {
    let tmp = tempfile::tempdir().unwrap();
    let (out, html) = reach_compare(tmp.path());
    let lines: Vec<&str> = out.lines().collect();
    let legend = lines.iter().position(|l| l.starts_with("(P1..:")).unwrap();
    let conclusion = lines[legend + 2];
    assert!(conclusion.contains("reach"), "{out}");
    let unreached = lines
        .iter()
        .find(|l| l.starts_with("no scenario reaches"))
        .unwrap_or_else(|| panic!("no unreached target: {out}"));
    assert!(unreached.ends_with(", never"), "{out}");
    let escape = armsmarket::output::html::escape;
    assert!(
        html.contains(&escape(&format!("Conclusion: {conclusion}."))),
        "no conclusion {conclusion:?}"
    );
    assert!(
        html.contains(&escape(&format!("N{}.", &unreached[1..]))),
        "no {unreached:?}"
    );
}

/// With three scenarios, the best not the first and the runner-up neither,
/// the conclusion also tests the best against the runner-up, and the
/// robustness table under each statistic: the pairs are `verdict.csv`'s
/// last rows (their `against` column names the runner-up), and the
/// report's page says the line as `compare` printed it and shows the
/// rows.
#[test]
fn a_best_that_is_not_the_first_is_tested_against_the_runner_up_in_print_csv_and_report() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let variant = |name: &str, delivery: f64| {
        toy_variant(
            dir,
            name,
            &format!("name = \"{name}\"\n\n[preferences.default]\ndelivery = {delivery:?}\n"),
        )
    };
    let (fast, slow) = (variant("fast", 3.0), variant("slow_korea", 0.2));
    let toy = toy();
    let o = armsmarket(&[
        "compare",
        fast.to_str().unwrap(),
        toy.to_str().unwrap(),
        slow.to_str().unwrap(),
        "-r",
        "6",
        "--out",
        dir.to_str().unwrap(),
    ]);
    assert_ok(&o, "compare");
    let out = text(&o.stdout);
    let (h, rows) = csv_rows(&read(&dir.join("compare/verdict.csv")));
    assert_eq!(h.last().map(String::as_str), Some("against"));
    // The headline's pair, then each robustness statistic's, in the order
    // of the scenarios' rows.
    let at = rows
        .iter()
        .position(|r| r[1] == "verdict against runner-up")
        .unwrap_or_else(|| panic!("no runner-up row: {rows:?}"));
    let (to_first, to_runner) = rows.split_at(at);
    let statistics: Vec<&str> = rows
        .iter()
        .take_while(|r| r[0] == "fast")
        .map(|r| r[1].as_str())
        .collect();
    assert_eq!(statistics.len(), 8, "{statistics:?}");
    assert_eq!(to_runner.len(), statistics.len());
    for (r, st) in to_runner.iter().zip(&statistics) {
        assert_eq!(
            (r[0].as_str(), r[1].as_str(), r[11].as_str()),
            (
                "slow_korea",
                format!("{st} against runner-up").as_str(),
                "toy"
            ),
            "{r:?}"
        );
    }
    let last = &to_runner[0];
    // Every other row's difference is to the first scenario.
    for r in to_first {
        let to = if r[0] == "fast" { "" } else { "fast" };
        assert_eq!(r[11], to, "{r:?}");
    }
    let num = |x: &str| armsmarket::analysis::verdict::signed(x.parse().unwrap());
    // The robustness table's last row: the same pairs, under each
    // statistic after the headline.
    let row = out
        .lines()
        .find(|l| l.starts_with("slow_korea against the runner-up, toy "))
        .unwrap_or_else(|| panic!("no runner-up row in the robustness table: {out}"));
    let cells: Vec<String> = to_runner[1..]
        .iter()
        .map(|r| {
            // A statistic without targets here (toy has no surge target)
            // has no difference.
            if r[4].is_empty() {
                return "-".to_string();
            }
            let p: f64 = r[7].parse().unwrap();
            let (lo, hi): (f64, f64) = (r[5].parse().unwrap(), r[6].parse().unwrap());
            let excludes_0 = lo > 0.0 || hi < 0.0;
            assert_eq!(excludes_0, p < 0.05, "{r:?}");
            num(&r[4]) + if excludes_0 { "*" } else { "" }
        })
        .collect();
    assert_eq!(
        row.split_whitespace()
            .rev()
            .take(cells.len())
            .collect::<Vec<_>>(),
        cells.iter().rev().map(String::as_str).collect::<Vec<_>>(),
        "{row:?}"
    );
    let clause = format!(
        "; against the runner-up, toy: paired difference {} (95 % CI {} to {}, p = ",
        num(&last[4]),
        num(&last[5]),
        num(&last[6])
    );
    let conclusion = out
        .lines()
        .find(|l| l.starts_with("slow_korea fits"))
        .unwrap_or_else(|| panic!("no conclusion: {out}"));
    assert!(
        conclusion.contains(&clause),
        "{conclusion:?} lacks {clause:?}"
    );
    let html = report(&dir.join("compare"));
    let escape = armsmarket::output::html::escape;
    assert!(
        html.contains(&escape(&format!("Conclusion: {conclusion}."))),
        "no conclusion {conclusion:?}"
    );
    for st in &statistics {
        assert!(
            html.contains(&format!("{st} against runner-up, toy")),
            "no {st} against the runner-up"
        );
    }
    // The page's table gives the numbers as the terminal prints them (it
    // gave 3 significant figures, an unsigned upper bound and "p = ").
    let cells = format!(
        "<td class=\"num\">{}</td><td>{} .. {}</td><td class=\"num\">{}</td></tr>",
        num(&last[4]),
        num(&last[5]),
        num(&last[6]),
        armsmarket::analysis::verdict::p_value(last[7].parse().unwrap())
    );
    assert!(html.contains(&cells), "no {cells:?}");
    // A verdict.csv written before the `against` column and the runner-up
    // rows still gives its conclusion, without the clause.
    let body: String = std::iter::once(h[..11].to_vec())
        .chain(to_first.iter().map(|r| r[..11].to_vec()))
        .map(|r| r.join(",") + "\n")
        .collect();
    crate::common::rewrite_sealed(&dir.join("compare"), "verdict.csv", &body);
    let html = report(&dir.join("compare"));
    let (before, _) = conclusion.split_once("; against the runner-up").unwrap();
    assert!(
        html.contains(&escape(&format!("Conclusion: {before}."))),
        "no conclusion {before:?}"
    );
}

/// The `x` and `width` of every `<rect … class="accepted">` in `svg`, in
/// order: where each row draws its accepted range.
fn accepted_rects(svg: &str) -> Vec<(String, String)> {
    svg.split("<rect ")
        .skip(1)
        .filter(|r| r[..r.find('>').unwrap()].contains("class=\"accepted\""))
        .map(|r| {
            let attr = |name: &str| {
                let at = r.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
                r[at..at + r[at..].find('"').unwrap()].to_string()
            };
            (attr("x"), attr("width"))
        })
        .collect()
}

/// Each target's chart draws its scenarios on one scale: each row had its
/// own, so the accepted range and the observed value sat at different
/// places from row to row; and its rows are named scenarios, not targets.
#[test]
fn compare_report_draws_a_target_s_scenarios_on_one_scale() {
    let tmp = tempfile::tempdir().unwrap();
    let (_, html) = reach_compare(tmp.path());
    let charts: Vec<&str> = html
        .split("<svg")
        .filter(|s| s.contains(" under each scenario"))
        .collect();
    assert!(charts.len() >= 4, "{} charts", charts.len());
    for chart in charts {
        let rects = accepted_rects(chart);
        assert_eq!(rects.len(), 2, "two scenarios");
        assert_eq!(rects[0], rects[1], "rows on different scales");
        assert!(chart.contains(">scenario</text>"), "rows named targets");
        assert!(!chart.contains(">target</text>"));
    }
}

/// The highest `focus_value_2022` values of the toy sweep in `dir`'s runs,
/// highest first.
fn focus_values(dir: &Path) -> Vec<f64> {
    let (h, rows) = csv_rows(&read(&dir.join("runs.csv")));
    let c = h.iter().position(|x| x == "focus_value_2022").unwrap();
    let mut v: Vec<f64> = rows.iter().map(|r| r[c].parse().unwrap()).collect();
    v.sort_by(|a, b| b.total_cmp(a));
    v
}

/// The chosen box's limits read as `discover` prints them: its digits (the
/// report printed all 16 of discover.csv), and a side PRIM did not peel
/// left out (the report showed it at the data's extreme).
#[test]
fn a_sweep_report_s_prim_box_reads_as_discover_prints_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let v = focus_values(&dir);
    // About half the runs.
    let median = format!("focus_value_2022 >= {}", v[v.len() / 2]);
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &median]);
    assert_ok(&o, "discover");
    let out = text(&o.stdout);
    // The chosen box's limit lines: `    NAME (40 wide) LIMITS (24) P`.
    let lines: Vec<&str> = out.lines().collect();
    let chosen = lines.iter().position(|l| l.contains("chosen (*)")).unwrap();
    let limits: Vec<String> = lines[chosen + 1..]
        .iter()
        .take_while(|l| l.starts_with("    ") && !l.starts_with("     "))
        .map(|l| {
            let name = l[4..44].trim();
            let shown = l[45..].split("  ").next().unwrap().trim();
            if shown.starts_with('[') || shown.starts_with('{') {
                format!("{name} in {shown}")
            } else {
                format!("{name} {shown}")
            }
        })
        .collect();
    assert!(!limits.is_empty(), "no box restricted: {out}");
    let html = report(&dir);
    let escape = armsmarket::output::html::escape;
    assert!(
        html.contains(&format!("<td>{}</td>", escape(&limits.join("; ")))),
        "not {limits:?}"
    );
}

/// Outcomes that sum to less than 1 (a point's outcome is the share of
/// its runs meeting the condition) make coverage k / 1, as `discover`
/// says; the caption still defined it as the share of all cases of
/// interest inside.
#[test]
fn a_sweep_report_says_when_coverage_is_k() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let v = focus_values(&dir);
    let escape = armsmarket::output::html::escape;
    let note = "the outcomes sum to less than 1, so coverage is k / 1 (as in EMA), not a share of all cases";
    // About half the runs: outcomes summing to more than 1.
    let median = format!("focus_value_2022 >= {}", v[v.len() / 2]);
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &median]);
    assert_ok(&o, "discover");
    assert!(!text(&o.stdout).contains(note));
    let html = report(&dir);
    assert!(html.contains("coverage (share of all cases of interest inside)"));
    assert!(!html.contains(&escape(note)));
    // The two highest runs alone: outcomes 2/5 in all.
    let top = format!("focus_value_2022 >= {}", v[1]);
    let o = armsmarket(&["discover", dir.to_str().unwrap(), "--where", &top]);
    assert_ok(&o, "discover");
    assert!(text(&o.stdout).contains(note), "{}", text(&o.stdout));
    let html = report(&dir);
    assert!(html.contains(&escape(note)), "no note");
    assert!(!html.contains("share of all cases of interest inside"));
}

/// The positions in `html` of each of `needles`, which must all be there.
fn positions(html: &str, needles: &[String]) -> Vec<usize> {
    needles
        .iter()
        .map(|n| html.find(n.as_str()).unwrap_or_else(|| panic!("no {n:?}")))
        .collect()
}

/// Patterns P1, P2, P4 and P10: the pages list them as `run` and
/// `compare` print them, P2 before P10 (the pages sorted the names as
/// text, P10 before P2, in the compare page's heat table and its
/// per-pattern sections, and in the run page's table of patterns).
#[test]
fn the_report_lists_patterns_in_the_order_the_terminal_prints_them() {
    let tmp = tempfile::tempdir().unwrap();
    let p10 = toy_variant(
        tmp.path(),
        "p10",
        "name = \"p10\"\n[targets.kor_delivered_share]\npattern = \"P10\"\n",
    );
    let file = p10.to_str().unwrap();
    let out = tmp.path().to_str().unwrap();
    let o = armsmarket(&["compare", file, "-r", "3", "-q", "--out", out]);
    assert_ok(&o, "compare");
    let printed = text(&o.stdout);
    let header = printed
        .lines()
        .find(|l| l.starts_with("scenario"))
        .unwrap_or_else(|| panic!("no table: {printed}"));
    let order = ["P1", "P2", "P4", "P10"];
    assert_eq!(
        header
            .split_whitespace()
            .filter(|w| order.contains(w))
            .collect::<Vec<_>>(),
        order,
        "{printed}"
    );
    let html = report(&tmp.path().join("compare"));
    let ordered = |shown: &dyn Fn(&str) -> String| {
        let at = positions(&html, &order.map(shown));
        assert!(at.is_sorted(), "{:?} at {at:?}", order.map(shown));
    };
    ordered(&|p| format!("<th scope=\"col\">{p}</th>"));
    ordered(&|p| format!("<summary>Pattern {p}</summary>"));
    let html = report_on_run(&p10, "3", tmp.path(), "p10");
    let table = &html[html
        .find("Share of replications passing each pattern whole")
        .unwrap()..];
    let at = positions(table, &order.map(|p| format!("<td>{p}</td>")));
    assert!(at.is_sorted(), "the run page's patterns at {at:?}");
}

/// `report`, `discover` and `sensitivity` read a result and add a file to
/// it. While another process writes that result (holds its lock), they
/// are refused and write nothing: the result replaced under them would
/// otherwise get a file of the one it replaced. `report .` names the same
/// lock as the writer did.
#[test]
fn commands_that_add_to_a_result_wait_for_its_writer() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = crate::discover::toy_sweep(tmp.path());
    let d = dir.to_str().unwrap();
    let added = ["report.html", "discover.csv", "sensitivity.csv"];
    for f in added {
        let _ = std::fs::remove_file(dir.join(f));
    }
    let writer = armsmarket::output::publish::ResultLock::take(&dir)
        .unwrap()
        .expect("nothing else holds the lock");
    let busy = "another armsmarket process is writing this result";
    for args in [
        vec!["report", d],
        vec!["discover", d, "--where", "focus_value_2022 > 0"],
        vec!["sensitivity", d],
    ] {
        let o = armsmarket(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(busy), "{args:?}: {}", err(&o));
    }
    let o = crate::common::armsmarket_in(&dir, &["report", "."]);
    assert_eq!(o.status.code(), Some(1), "report .: {}", err(&o));
    assert!(err(&o).contains(busy), "report .: {}", err(&o));
    for f in added {
        assert!(!dir.join(f).exists(), "{f} written under a writer's lock");
    }
    drop(writer);
    let o = armsmarket(&["report", d]);
    assert_ok(&o, "report once the writer is done");
    assert!(dir.join("report.html").exists());
    // The reader's lock is given back, its file gone.
    let lock = armsmarket::output::publish::sibling(&dir, "lock");
    assert!(!lock.exists(), "{} left behind", lock.display());
}

//! Target outputs: `targets.csv` (one row per replication × target), the
//! per-scenario table printed by `run`, and the verdict table of `compare`
//! (printed, and written as `compare.csv`).

use crate::analysis::targets::{TargetResult, Targets};
use crate::analysis::verdict::{
    DEFAULT_CAP, Paired, ScenarioVerdict, TargetInfo, UNREACHED_FAIL_SHARE, Verdict, p_value,
    signed,
};
use crate::output::csv_io;
use crate::output::publish::{StagedFile, Staging};
use crate::output::tables::cell;
use std::io;

/// A number for a table: fewer decimals for larger magnitudes; `-` for NaN.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x.abs() >= 100.0 {
        fixed(x, 0)
    } else if x.abs() >= 1.0 {
        fixed(x, 2)
    } else {
        fixed(x, 3)
    }
}

/// `n` and its noun, singular for one: "1 replication", "2 replications"
/// (every noun counted in messages takes an `s`).
pub fn count(n: impl Into<u64>, noun: &str) -> String {
    let n = n.into();
    format!("{n} {noun}{}", if n == 1 { "" } else { "s" })
}

/// `x` to `decimals` places, without the sign of a value that rounds to
/// zero (`-0.00` reads as a negative correlation).
fn fixed(x: f64, decimals: usize) -> String {
    let text = format!("{x:.decimals$}");
    match text.strip_prefix('-') {
        Some(rest) if rest.bytes().all(|b| b == b'0' || b == b'.') => rest.to_string(),
        _ => text,
    }
}

/// Writes `targets.csv`, one row per replication × target.
pub struct TargetsWriter {
    out: csv::Writer<StagedFile>,
    with_scenario: bool,
    /// A row's cells, written over for each row: a run writes a row for
    /// each target of each replication, and fresh strings for each were
    /// most of the allocations of a run without per-quarter tables.
    cells: Vec<String>,
}

/// `cell` holding `x` as `Display` writes it.
fn set(cell: &mut String, x: impl std::fmt::Display) {
    use std::fmt::Write as _;
    cell.clear();
    write!(cell, "{x}").expect("a String takes any text");
}

/// `c` holding the number `x` as [`crate::output::tables::cell`] writes it
/// (NaN: empty).
fn set_number(c: &mut String, x: f64) {
    if x.is_nan() {
        c.clear();
    } else {
        set(c, x);
    }
}

impl TargetsWriter {
    /// Create `targets.csv` in `staging`; with a leading `scenario` column
    /// when `with_scenario`.
    pub fn create(staging: &Staging, with_scenario: bool) -> io::Result<TargetsWriter> {
        let mut out = csv::Writer::from_writer(staging.create("targets.csv")?);
        let mut header = vec![
            "replication",
            "target",
            "pattern",
            "simulated",
            "observed",
            "lo",
            "hi",
            "pass",
            "distance",
        ];
        if with_scenario {
            header.insert(0, "scenario");
        }
        out.write_record(&header).map_err(csv_io)?;
        Ok(TargetsWriter {
            out,
            with_scenario,
            cells: vec![String::new(); header.len()],
        })
    }

    /// Append one replication's results.
    pub fn write(
        &mut self,
        scenario: &str,
        replication: u32,
        targets: &Targets,
        results: &[TargetResult],
    ) -> io::Result<()> {
        let k = usize::from(self.with_scenario);
        if self.with_scenario {
            set(&mut self.cells[0], scenario);
        }
        for (t, r) in targets.list.iter().zip(results) {
            let [
                rep,
                id,
                pattern,
                simulated,
                observed,
                lo,
                hi,
                pass,
                distance,
            ] = &mut self.cells[k..]
            else {
                unreachable!("a targets row has nine cells after the scenario's");
            };
            set(rep, replication);
            set(id, &t.id);
            set(pattern, &t.pattern);
            set_number(simulated, r.value);
            set(observed, t.observed);
            set(lo, t.lo);
            set(hi, t.hi);
            set(pass, r.pass);
            set_number(distance, r.distance);
            self.out.write_record(&self.cells).map_err(csv_io)?;
        }
        Ok(())
    }

    /// Flush and sync.
    pub fn finish(self) -> io::Result<()> {
        self.out.into_inner().map_err(|e| e.into_error())?.finish()
    }
}

/// Lay out rows as a text table with aligned columns (first column left,
/// the rest right).
pub fn text_table(rows: &[Vec<String>]) -> String {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|x| x.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut s = String::new();
    for r in rows {
        let cells: Vec<String> = r
            .iter()
            .enumerate()
            .map(|(c, x)| {
                if c == 0 {
                    format!("{x:<w$}", w = widths[c])
                } else {
                    format!("{x:>w$}", w = widths[c])
                }
            })
            .collect();
        s.push_str(cells.join("  ").trim_end());
        s.push('\n');
    }
    s
}

/// A share as a whole per cent, never 0 above none nor 100 below all
/// ([`crate::output::html::format::percent_digits`]); `-` for NaN.
fn pct(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        crate::output::html::format::percent_digits(x, 0)
    }
}

/// The per-scenario table of `run`: every target's observed value, its
/// accepted range, the simulated median and 5–95 % range and the share of
/// replications passing (and defined, where a metric is sometimes
/// undefined); then the share passing each pattern whole and the mean
/// distance (patterns weighted equally).
pub fn run_table(targets: &[TargetInfo], patterns: &[String], v: &ScenarioVerdict) -> String {
    let mut rows = vec![vec![
        "target".to_string(),
        "pattern".into(),
        "observed".into(),
        "accepted".into(),
        "median".into(),
        "5-95 %".into(),
        "pass".into(),
        "defined".into(),
    ]];
    for (t, s) in targets.iter().zip(&v.targets) {
        rows.push(vec![
            t.id.clone(),
            t.pattern.clone(),
            num(t.observed),
            format!("{}..{}", num(t.lo), num(t.hi)),
            num(s.median),
            format!("{}..{}", num(s.lo), num(s.hi)),
            format!("{} %", pct(s.pass_share)),
            if s.defined_share < 1.0 {
                format!("{} %", pct(s.defined_share))
            } else {
                String::new()
            },
        ]);
    }
    let mut s = format!(
        "{} ({} replication{})\n",
        v.scenario,
        v.replications,
        if v.replications == 1 { "" } else { "s" }
    );
    s.push_str(&text_table(&rows));
    let per_pattern: Vec<String> = patterns
        .iter()
        .zip(&v.pattern_pass)
        .map(|(p, x)| format!("{p} {} %", pct(*x)))
        .collect();
    // The ± only where there is an interval, as `compare` shows it: one
    // replication (or one with a distance) gives none, and `± -` beside
    // "95 % CI" claimed one.
    let interval = if v.distance.1.is_nan() {
        match v.distance.0.is_nan() {
            true => "no replication with a defined distance; ",
            false => "one replication with a distance: no 95 % CI; ",
        }
    } else {
        "95 % CI; "
    };
    s.push_str(&format!(
        "patterns passed whole: {}; all targets: {} %\nmean distance {} ({interval}patterns weighted equally, distances capped at {}, undefined metrics skipped)\n",
        per_pattern.join(", "),
        pct(v.all_pass),
        mean_half_width(v.distance),
        DEFAULT_CAP
    ));
    s
}

/// The verdict of `compare`, for the terminal: one row per scenario with
/// the per cent of replications passing each pattern whole, the mean
/// distance, and the paired difference to the first scenario with its
/// 95 % interval, p-value and the correlation of the paired distances;
/// then a one-line conclusion, the robustness table (one row per scenario)
/// and the targets no scenario reaches.
pub fn compare_table(v: &Verdict) -> String {
    let Some(first) = v.scenarios.first() else {
        return String::new();
    };
    // One scenario has nothing to pair with: no difference columns.
    let paired = v.scenarios.len() > 1;
    // The pairs a difference is over, where fewer than the replications
    // (some distances undefined): shown, as a difference over 2 pairs of
    // 6 would otherwise read as one over all 6.
    let short = |s: &ScenarioVerdict, p: &Paired| p.n < s.replications.max(first.replications);
    let some_short = v
        .scenarios
        .iter()
        .any(|s| s.paired.as_ref().is_some_and(|p| short(s, p)));
    let mut header = vec!["scenario".to_string()];
    header.extend(v.patterns.iter().cloned());
    header.push("distance".into());
    if paired {
        header.extend([
            "difference".into(),
            "95 % CI".into(),
            "p".into(),
            "corr".into(),
        ]);
    }
    if some_short {
        header.push("pairs".into());
    }
    let mut rows = vec![header];
    for s in &v.scenarios {
        let mut r = vec![s.scenario.clone()];
        r.extend(s.pattern_pass.iter().map(|x| pct(*x)));
        r.push(mean_half_width(s.distance));
        match &s.paired {
            Some(p) => {
                r.push(signed(p.mean));
                r.push(format!("{} .. {}", signed(p.lo), signed(p.hi)));
                r.push(p_value(p.p));
                r.push(if p.correlation.is_nan() {
                    "-".into()
                } else {
                    fixed(p.correlation, 2)
                });
                if some_short {
                    r.push(p.n.to_string());
                }
            }
            None if paired => r.extend(["".into(), "".into(), "".into(), "".into()]),
            None => {}
        }
        rows.push(r);
    }
    let mut out = text_table(&rows);
    let differences = if paired {
        format!(
            "; difference, 95 % CI, p: paired difference to {}; corr: correlation of the paired distances on common random numbers{}",
            first.scenario,
            if some_short {
                "; pairs: the replications where both distances are defined, where fewer than ran"
            } else {
                ""
            }
        )
    } else {
        String::new()
    };
    out.push_str(&format!(
        "(P1..: per cent of replications passing the pattern whole; distance: mean over replications of the patterns' mean capped distance, lower fits better{differences})\n\n{}\n",
        v.conclusion()
    ));
    if paired {
        // A difference over fewer pairs than replications is marked; none
        // at all (no pair) is `-` alone.
        let marked = |s: &ScenarioVerdict, p: &Paired| !p.mean.is_nan() && short(s, p);
        let cell = |s: &ScenarioVerdict, p: &Paired| {
            format!("{}{}", starred(p), if marked(s, p) { "†" } else { "" })
        };
        let mut short_cells = false;
        // Whether any cell has an interval that a star could speak of: with
        // one pair each, none has.
        let mut intervals = false;
        let mut h = vec![format!("robustness: difference to {}", first.scenario)];
        h.extend(v.robustness.iter().map(|r| r.label.clone()));
        let mut rows = vec![h];
        for (i, s) in v.scenarios.iter().enumerate().skip(1) {
            let mut row = vec![s.scenario.clone()];
            row.extend(v.robustness.iter().map(|r| {
                short_cells |= marked(s, &r.paired[i - 1]);
                intervals |= !r.paired[i - 1].lo.is_nan();
                cell(s, &r.paired[i - 1])
            }));
            rows.push(row);
        }
        // Where the conclusion tests the best against the runner-up, the
        // same test under each statistic: whether the best's lead over the
        // runner-up holds as its lead over the first is shown to.
        let apart = v.runner_up_apart();
        if let Some(r) = apart
            && let Some(best) = v.scenarios.iter().find(|s| s.scenario == r.best)
        {
            let mut row = vec![format!("{} against the runner-up, {}", r.best, r.runner_up)];
            row.extend(r.robustness.iter().map(|p| {
                short_cells |= marked(best, p);
                intervals |= !p.lo.is_nan();
                cell(best, p)
            }));
            rows.push(row);
        }
        out.push('\n');
        out.push_str(&text_table(&rows));
        out.push_str(&format!(
            "({}{}{})\n",
            if intervals {
                "* the 95 % interval excludes 0"
            } else {
                "no 95 % interval: a paired test needs 2 or more pairs"
            },
            if short_cells {
                "; † over fewer pairs than replications (verdict.csv gives how many)"
            } else {
                ""
            },
            if apart.is_some() {
                "; the last row is the best's difference to the runner-up, not to the first"
            } else {
                ""
            }
        ));
    }
    if let Some(line) = unreached_line(&v.unreached) {
        out.push_str(&format!("\n{line}\n"));
    }
    out
}

/// A mean distance with the half-width of its 95 % interval, as the
/// verdict prints it: the mean alone where one replication gives no
/// interval, `-` where no replication gives a distance.
pub fn mean_half_width((mean, half): (f64, f64)) -> String {
    match (mean.is_nan(), half.is_nan()) {
        (true, _) => "-".into(),
        (false, true) => num(mean),
        (false, false) => format!("{} ± {}", num(mean), num(half)),
    }
}

/// A robustness table's cell: the paired difference, starred where its
/// 95 % interval excludes 0.
fn starred(p: &Paired) -> String {
    let mark = if p.significant() { "*" } else { "" };
    format!("{}{mark}", signed(p.mean))
}

/// The line naming the targets no scenario reaches (ODD 7.19), as
/// `compare` prints it and its report shows it; `None` when every target
/// is reached by some scenario.
pub fn unreached_line(unreached: &[String]) -> Option<String> {
    (!unreached.is_empty()).then(|| {
        format!(
            "no scenario reaches (fails in at least {:.0} % of replications of every scenario): {}",
            100.0 * UNREACHED_FAIL_SHARE,
            unreached.join(", ")
        )
    })
}

/// The columns of `compare.csv`, in order (the report reads them back).
pub const COMPARE_COLUMNS: [&str; 10] = [
    "scenario",
    "target",
    "pattern",
    "observed",
    "pass_share",
    "defined_share",
    "median",
    "lo",
    "hi",
    "distance",
];

/// Write `compare.csv` in `staging`: one row per scenario and target (long
/// format).
pub fn write_compare_csv(staging: &Staging, targets: &[TargetInfo], v: &Verdict) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(staging.create("compare.csv")?);
    out.write_record(COMPARE_COLUMNS).map_err(csv_io)?;
    let f = cell;
    for s in &v.scenarios {
        for (t, x) in targets.iter().zip(&s.targets) {
            out.write_record([
                s.scenario.clone(),
                t.id.clone(),
                t.pattern.clone(),
                f(t.observed),
                f(x.pass_share),
                f(x.defined_share),
                f(x.median),
                f(x.lo),
                f(x.hi),
                f(x.distance),
            ])
            .map_err(csv_io)?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.finish()
}

/// Write `patterns.csv` in `staging`: per scenario and pattern (in the
/// verdict's order), the pattern's number of targets and the share of
/// replications passing all of them (the printed table's per cents).
pub fn write_patterns_csv(
    staging: &Staging,
    targets: &[TargetInfo],
    v: &Verdict,
) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(staging.create("patterns.csv")?);
    out.write_record([
        "scenario",
        "pattern",
        "targets",
        "pass_share",
        "replications",
    ])
    .map_err(csv_io)?;
    for s in &v.scenarios {
        for (p, x) in v.patterns.iter().zip(&s.pattern_pass) {
            let n = targets.iter().filter(|t| &t.pattern == p).count();
            out.write_record([
                s.scenario.clone(),
                p.clone(),
                n.to_string(),
                cell(*x),
                s.replications.to_string(),
            ])
            .map_err(csv_io)?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.finish()
}

/// The columns of `verdict.csv`, in order (the report reads them back).
pub const VERDICT_COLUMNS: [&str; 12] = [
    "scenario",
    "statistic",
    "distance",
    "distance_half_width",
    "difference",
    "lo",
    "hi",
    "p",
    "correlation",
    "replications",
    "pairs",
    "against",
];

/// The `statistic` of `verdict.csv`'s row for the best scenario against
/// the runner-up on the headline statistic (`verdict`, then
/// [`RUNNER_UP_SUFFIX`]).
pub const AGAINST_RUNNER_UP: &str = "verdict against runner-up";

/// What ends the `statistic` of each of `verdict.csv`'s rows for the best
/// scenario against the runner-up: the headline's, [`AGAINST_RUNNER_UP`],
/// and each robustness statistic's (`cap 2 against runner-up`, …).
pub const RUNNER_UP_SUFFIX: &str = " against runner-up";

/// Write `verdict.csv` in `staging`: per scenario and statistic (the
/// headline first, then the robustness variants), its mean distance with
/// the half-width of its 95 % interval, and the paired difference to the
/// first scenario with its interval, p-value and the correlation of paired
/// distances; the replications run, the pairs (replications where both
/// distances are defined) the difference is over, and the scenario it is
/// to. Last rows, [`AGAINST_RUNNER_UP`] and then one per robustness
/// statistic (its label and [`RUNNER_UP_SUFFIX`]), give the best
/// scenario's difference to the runner-up.
pub fn write_verdict_csv(staging: &Staging, v: &Verdict) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(staging.create("verdict.csv")?);
    out.write_record(VERDICT_COLUMNS).map_err(csv_io)?;
    let f = cell;
    let first = v.scenarios.first().map_or("", |s| s.scenario.as_str());
    let mut write =
        |s: &ScenarioVerdict, label: &str, d: (f64, f64), against: Option<(&str, &Paired)>| {
            // The first scenario is the reference: no difference, no pairs.
            let (m, lo, hi, pv, c, pairs, to) = match against {
                Some((to, p)) => (p.mean, p.lo, p.hi, p.p, p.correlation, p.n.to_string(), to),
                None => (
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    f64::NAN,
                    String::new(),
                    "",
                ),
            };
            out.write_record([
                s.scenario.as_str(),
                label,
                &f(d.0),
                &f(d.1),
                &f(m),
                &f(lo),
                &f(hi),
                &f(pv),
                &f(c),
                &s.replications.to_string(),
                &pairs,
                to,
            ])
            .map_err(csv_io)
        };
    for (i, s) in v.scenarios.iter().enumerate() {
        // The headline statistic (cap 10, all targets) is named `verdict`.
        write(
            s,
            "verdict",
            s.distance,
            s.paired.as_ref().map(|p| (first, p)),
        )?;
        for r in &v.robustness {
            let p = (i > 0).then(|| (first, &r.paired[i - 1]));
            write(s, &r.label, r.distance[i], p)?;
        }
    }
    if let Some(r) = &v.runner_up
        && let Some(i) = v.scenarios.iter().position(|s| s.scenario == r.best)
    {
        let best = &v.scenarios[i];
        write(
            best,
            AGAINST_RUNNER_UP,
            best.distance,
            Some((&r.runner_up, &r.paired)),
        )?;
        for (row, p) in v.robustness.iter().zip(&r.robustness) {
            write(
                best,
                &format!("{}{RUNNER_UP_SUFFIX}", row.label),
                row.distance[i],
                Some((&r.runner_up, p)),
            )?;
        }
    }
    out.into_inner().map_err(|e| e.into_error())?.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::analysis::verdict::{Runs, TargetInfo, verdict};

    /// Runs of one target with these distances (NaN: undefined).
    fn runs(name: &str, distances: &[f64]) -> Runs {
        let mut s = Runs::new(name);
        for &distance in distances {
            s.push(&[TargetResult {
                value: 1.0,
                pass: false,
                distance,
            }]);
        }
        s
    }

    fn one_target() -> Vec<TargetInfo> {
        vec![TargetInfo {
            id: "a".into(),
            pattern: "P1".into(),
            observed: 1.0,
            lo: 0.0,
            hi: 2.0,
            surge: true,
        }]
    }

    /// A difference over fewer pairs than replications says how many in a
    /// `pairs` column, and its robustness cells carry a mark: it was shown
    /// as if over all of them. A difference over every replication shows
    /// neither.
    #[test]
    fn a_difference_over_fewer_pairs_than_replications_is_marked_in_the_tables() {
        let t = one_target();
        let nan = f64::NAN;
        let v = verdict(
            &t,
            &[
                runs("first", &[1.0, 2.0, 3.0, nan]),
                runs("other", &[0.5, 1.0, 2.0, nan]),
                runs("short", &[nan, 1.0, 1.5, 2.0]),
            ],
        );
        let table = compare_table(&v);
        let lines: Vec<&str> = table.lines().collect();
        assert!(lines[0].ends_with(" pairs"), "{table}");
        // "other" pairs with the first on 3 of 4, "short" on 2 of 4.
        assert!(lines[2].ends_with(" 3"), "{table}");
        assert!(lines[3].ends_with(" 2"), "{table}");
        let short_row = lines
            .iter()
            .find(|l| l.starts_with("short ") && l.contains('†'))
            .unwrap_or_else(|| panic!("{table}"));
        // Undefined as a miss charges every replication: all pairs, no mark.
        assert_eq!(short_row.matches('†').count(), 6, "{short_row}");
        assert!(table.contains("† over fewer pairs than replications"));
        let whole = verdict(
            &t,
            &[runs("first", &[1.0, 2.0]), runs("other", &[0.5, 1.0])],
        );
        let table = compare_table(&whole);
        assert!(!table.contains("pairs") && !table.contains('†'), "{table}");
    }

    /// The robustness table's footnote explains the star only where a
    /// cell has an interval: with one replication none has, and the note
    /// says why instead (it explained a star that could not appear).
    #[test]
    fn the_robustness_footnote_speaks_of_intervals_only_where_there_are_some() {
        let t = one_target();
        let footnote = |first: &[f64], other: &[f64]| {
            let v = verdict(&t, &[runs("first", first), runs("other", other)]);
            let table = compare_table(&v);
            let robustness = table
                .split("robustness:")
                .nth(1)
                .unwrap_or_else(|| panic!("{table}"));
            robustness
                .lines()
                .find(|l| l.starts_with('('))
                .unwrap_or_else(|| panic!("{table}"))
                .to_string()
        };
        assert_eq!(
            footnote(&[1.0], &[0.5]),
            "(no 95 % interval: a paired test needs 2 or more pairs)"
        );
        assert_eq!(
            footnote(&[1.0, 2.0], &[0.5, 1.0]),
            "(* the 95 % interval excludes 0)"
        );
        // Two replications, one pair defined: no interval but under
        // "undefined as a miss", which pairs both, so the star is explained
        // (and the mark of the columns over one pair).
        assert_eq!(
            footnote(&[1.0, f64::NAN], &[0.5, 1.0]),
            "(* the 95 % interval excludes 0; † over fewer pairs than replications (verdict.csv gives how many))"
        );
    }

    /// `run`'s closing line gives the mean distance as `compare` does: the
    /// ± and "95 % CI" only with an interval (one replication printed
    /// "2.08 ± - (95 % CI; ...").
    #[test]
    fn a_run_s_mean_distance_claims_no_interval_it_has_not() {
        let t = one_target();
        let line = |distances: &[f64]| {
            let v = verdict(&t, &[runs("only", distances)]);
            let table = run_table(&t, &v.patterns, &v.scenarios[0]);
            table
                .lines()
                .find(|l| l.starts_with("mean distance"))
                .unwrap_or_else(|| panic!("{table}"))
                .to_string()
        };
        let one = line(&[1.5]);
        assert!(
            one.starts_with("mean distance 1.50 (one replication with a distance: no 95 % CI; "),
            "{one}"
        );
        let none = line(&[f64::NAN, f64::NAN]);
        assert!(
            none.starts_with("mean distance - (no replication with a defined distance; "),
            "{none}"
        );
        let two = line(&[1.0, 2.0]);
        assert!(
            two.starts_with("mean distance 1.50 ± 6.35 (95 % CI; "),
            "{two}"
        );
    }

    /// One scenario has nothing to pair with: no difference columns and no
    /// word of them (they were printed empty, with their footnote); its
    /// mean without a half-width where one replication gives none.
    #[test]
    fn one_scenario_s_table_has_no_difference_columns() {
        let v = verdict(&one_target(), &[runs("only", &[1.5])]);
        let table = compare_table(&v);
        assert!(
            !table.contains("difference") && !table.contains("robustness"),
            "{table}"
        );
        assert!(
            table.lines().next().unwrap().ends_with("distance"),
            "{table}"
        );
        assert!(table.lines().nth(1).unwrap().ends_with(" 1.50"), "{table}");
    }

    /// A mean with its half-width, the mean alone without one, `-` without
    /// a mean (it printed "- ± -" and "0.167 ± -").
    #[test]
    fn a_mean_distance_is_shown_with_what_it_has() {
        assert_eq!(mean_half_width((0.1667, 0.05)), "0.167 ± 0.050");
        assert_eq!(mean_half_width((0.1667, f64::NAN)), "0.167");
        assert_eq!(mean_half_width((f64::NAN, f64::NAN)), "-");
    }

    #[test]
    fn a_count_of_one_is_singular() {
        assert_eq!(count(1u64, "run"), "1 run");
        assert_eq!(count(0u64, "run"), "0 runs");
        assert_eq!(count(2u64, "product line"), "2 product lines");
    }

    #[test]
    fn numbers_that_round_to_zero_lose_their_sign() {
        assert_eq!(fixed(-0.001, 2), "0.00");
        assert_eq!(fixed(-0.0, 0), "0");
        assert_eq!(fixed(-0.006, 2), "-0.01");
        assert_eq!(fixed(0.004, 2), "0.00");
        assert_eq!(num(-0.0004), "0.000");
        assert_eq!(num(-150.4), "-150");
        assert_eq!(num(-2.5), "-2.50");
        assert_eq!(num(f64::NAN), "-");
    }
}

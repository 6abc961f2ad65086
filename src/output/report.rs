//! Target outputs: `targets.csv` (one row per replication × target), the
//! per-scenario table printed by `run`, and the verdict table of `compare`
//! (printed, and written as `compare.csv`).

use crate::analysis::targets::{TargetResult, Targets};
use crate::analysis::verdict::Verdict;
use crate::output::csv_io;
use crate::output::publish::{StagedFile, Staging};
use std::io;

/// A number for a table: fewer decimals for larger magnitudes; `-` for NaN.
pub fn num(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else if x.abs() >= 100.0 {
        format!("{x:.0}")
    } else if x.abs() >= 1.0 {
        format!("{x:.2}")
    } else {
        format!("{x:.3}")
    }
}

/// Writes `targets.csv`, one row per replication × target.
pub struct TargetsWriter {
    out: csv::Writer<StagedFile>,
    with_scenario: bool,
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
        Ok(TargetsWriter { out, with_scenario })
    }

    /// Append one replication's results.
    pub fn write(
        &mut self,
        scenario: &str,
        replication: u32,
        targets: &Targets,
        results: &[TargetResult],
    ) -> io::Result<()> {
        for (t, r) in targets.list.iter().zip(results) {
            let mut row = vec![
                replication.to_string(),
                t.id.clone(),
                t.pattern.clone(),
                if r.value.is_nan() {
                    String::new()
                } else {
                    r.value.to_string()
                },
                t.observed.to_string(),
                t.lo.to_string(),
                t.hi.to_string(),
                r.pass.to_string(),
                r.distance.to_string(),
            ];
            if self.with_scenario {
                row.insert(0, scenario.to_string());
            }
            self.out.write_record(&row).map_err(csv_io)?;
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

/// The per-scenario table of `run`.
pub fn verdict_table(v: &Verdict) -> String {
    let mut rows = vec![vec![
        "target".to_string(),
        "pattern".into(),
        "observed".into(),
        "accepted".into(),
        "median".into(),
        "5-95 %".into(),
        "pass".into(),
    ]];
    for t in &v.targets {
        rows.push(vec![
            t.id.clone(),
            t.pattern.clone(),
            num(t.observed),
            format!("{}..{}", num(t.lo), num(t.hi)),
            num(t.median),
            format!("{}..{}", num(t.p5), num(t.p95)),
            format!("{:.0} %", 100.0 * t.pass_share),
        ]);
    }
    let mut s = format!("{} ({} replications)\n", v.scenario, v.replications);
    s.push_str(&text_table(&rows));
    s.push_str(&format!(
        "all targets passed in {:.1} % of replications; mean distance {} ± {} (95 % CI)\n",
        100.0 * v.all_pass_share,
        num(v.mean_distance),
        num(v.mean_distance_ci)
    ));
    s
}

/// Target ids over several verdicts, in first-seen order.
fn target_ids(vs: &[Verdict]) -> Vec<String> {
    let mut ids: Vec<String> = Vec::new();
    for v in vs {
        for t in &v.targets {
            if !ids.contains(&t.id) {
                ids.push(t.id.clone());
            }
        }
    }
    ids
}

/// Rows of the verdict table: scenario, share passing per target, share
/// passing all, mean distance and its CI. `pct` formats shares as per cent.
fn compare_rows(vs: &[Verdict], pct: bool) -> Vec<Vec<String>> {
    let ids = target_ids(vs);
    let mut header = vec!["scenario".to_string()];
    header.extend(ids.iter().cloned());
    header.extend(["all".into(), "distance".into(), "ci95".into()]);
    let share = |x: f64| {
        if x.is_nan() {
            String::new()
        } else if pct {
            format!("{:.0}", 100.0 * x)
        } else {
            x.to_string()
        }
    };
    let mut rows = vec![header];
    for v in vs {
        let mut r = vec![v.scenario.clone()];
        for id in &ids {
            r.push(
                v.targets
                    .iter()
                    .find(|t| &t.id == id)
                    .map_or(String::new(), |t| share(t.pass_share)),
            );
        }
        r.push(share(v.all_pass_share));
        let plain = |x: f64| {
            if x.is_nan() {
                String::new()
            } else {
                x.to_string()
            }
        };
        if pct {
            r.push(num(v.mean_distance));
            r.push(if v.mean_distance_ci.is_nan() {
                "-".into()
            } else {
                format!("±{}", num(v.mean_distance_ci))
            });
        } else {
            r.push(plain(v.mean_distance));
            r.push(plain(v.mean_distance_ci));
        }
        rows.push(r);
    }
    rows
}

/// The verdict table of `compare`, for the terminal: one row per scenario,
/// one column per target (per cent of replications passing), then per cent
/// passing all and the mean distance with its 95 % CI. Target ids are
/// listed under the table to keep it narrow.
pub fn compare_table(vs: &[Verdict]) -> String {
    let ids = target_ids(vs);
    let mut rows = compare_rows(vs, true);
    for (k, _) in ids.iter().enumerate() {
        rows[0][k + 1] = format!("T{}", k + 1);
    }
    let mut s = text_table(&rows);
    s.push_str("\n(per cent of replications passing)\n");
    for (k, id) in ids.iter().enumerate() {
        s.push_str(&format!("T{}  {id}\n", k + 1));
    }
    s
}

/// Write `compare.csv` (shares as fractions) in `staging`.
pub fn write_compare_csv(staging: &Staging, vs: &[Verdict]) -> io::Result<()> {
    let mut out = csv::Writer::from_writer(staging.create("compare.csv")?);
    for r in compare_rows(vs, false) {
        out.write_record(&r).map_err(csv_io)?;
    }
    out.into_inner().map_err(|e| e.into_error())?.finish()
}

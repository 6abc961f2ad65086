//! The tables of a sweep: `points.csv` (the design), `runs.csv` (one row per
//! run with its summary and target fit) and `bands.csv` (per point, the
//! headline yearly series over replications: mean and 5/50/95 % quantiles).

use crate::analysis::stats::quantile;
use crate::analysis::targets::Targets;
use crate::analysis::verdict::{Statistic, TargetInfo};
use crate::engine::RunRecord;
use crate::engine::seeding::run_key;
use crate::model::World;
use crate::output::csv_io;
use crate::output::tables::{self, cell, summary_header};
use crate::scenario::schema::DesignKind;
use crate::sweep::design::{Point, PointRole};
use std::io::{self, Read, Write};

/// A point id as written: 16 hex digits.
pub fn point_id_text(id: u64) -> String {
    format!("{id:016x}")
}

/// A TOML value as a CSV cell: numbers and booleans plain, strings raw,
/// anything else as TOML.
pub fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        toml::Value::Integer(i) => i.to_string(),
        toml::Value::Float(f) => f.to_string(),
        toml::Value::Boolean(b) => b.to_string(),
        other => other.to_string(),
    }
}

/// One CSV line of `cells`.
pub fn csv_line<I, T>(cells: I) -> Vec<u8>
where
    I: IntoIterator<Item = T>,
    T: AsRef<[u8]>,
{
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record(cells).expect("a Vec takes every byte");
    w.into_inner().expect("a Vec takes every byte")
}

/// The role columns of `points.csv` for a design `kind`, after the
/// parameters (so readers that take columns by position still find them):
/// saltelli `base_row, matrix, column` (`column`: the parameter the AB or
/// BA matrix takes from the other matrix, empty for A and B); morris
/// `trajectory, step, moved, direction` (empty at step 0). Other designs
/// have none.
pub fn role_columns(kind: DesignKind) -> &'static [&'static str] {
    match kind {
        DesignKind::Saltelli => &["base_row", "matrix", "column"],
        DesignKind::Morris => &["trajectory", "step", "moved", "direction"],
        _ => &[],
    }
}

/// The header of `points.csv`: `point_id`, one column per parameter, and
/// the design's [`role_columns`].
pub fn points_header(paths: &[String], kind: DesignKind) -> Vec<u8> {
    csv_line(
        std::iter::once("point_id")
            .chain(paths.iter().map(String::as_str))
            .chain(role_columns(kind).iter().copied()),
    )
}

/// A point's lines of `points.csv`: one per role it has in a sensitivity
/// design (the same id and values on each), or one without roles.
pub fn points_rows(p: &Point, roles: &[PointRole], paths: &[String]) -> Vec<u8> {
    let line = |role: Vec<String>| {
        csv_line(
            std::iter::once(point_id_text(p.id))
                .chain(p.values.iter().map(value_text))
                .chain(role),
        )
    };
    if roles.is_empty() {
        return line(Vec::new());
    }
    let path = |j: usize| paths[j].clone();
    roles
        .iter()
        .flat_map(|role| {
            line(match *role {
                PointRole::Saltelli(r) => vec![
                    r.base_row.to_string(),
                    r.matrix.label().to_string(),
                    r.matrix.column().map(path).unwrap_or_default(),
                ],
                PointRole::Morris(r) => vec![
                    r.trajectory.to_string(),
                    r.step.to_string(),
                    r.moved.map(|m| path(m.parameter)).unwrap_or_default(),
                    r.moved
                        .map(|m| m.direction.label().to_string())
                        .unwrap_or_default(),
                ],
            })
        })
        .collect()
}

/// The first columns of `runs.csv`: the run's identity and status.
pub const RUN_COLUMNS: [&str; 5] = ["point_id", "replication", "seed_stream", "status", "error"];

/// The last columns of `runs.csv` when there are targets: the plain mean
/// of the distances, the verdict's distance and whether all passed.
pub const CLOSING_COLUMNS: [&str; 3] = ["mean_distance", "verdict_distance", "all_pass"];

/// A target's columns of `runs.csv`: its value, distance and pass.
pub fn target_columns(id: &str) -> [String; 3] {
    [
        format!("{id}_value"),
        format!("{id}_distance"),
        format!("{id}_pass"),
    ]
}

/// The columns of `runs.csv`: the run's identity and status
/// ([`RUN_COLUMNS`]), the summary of `summary.csv`, each target's value,
/// distance and pass ([`target_columns`]), then [`CLOSING_COLUMNS`].
pub fn runs_header(w: &World, targets: &Targets) -> Vec<String> {
    runs_columns(
        summary_header(w),
        targets.list.iter().map(|t| t.id.as_str()),
    )
}

/// [`runs_header`] from the summary's columns and the targets' ids: the
/// scenario's validation reads it without a world.
pub fn runs_columns<'a>(
    summary: Vec<String>,
    target_ids: impl IntoIterator<Item = &'a str>,
) -> Vec<String> {
    let mut h: Vec<String> = RUN_COLUMNS.iter().map(|s| s.to_string()).collect();
    h.extend(summary);
    let before = h.len();
    for id in target_ids {
        h.extend(target_columns(id));
    }
    if h.len() > before {
        h.extend(CLOSING_COLUMNS.iter().map(|s| s.to_string()));
    }
    h
}

/// The seed stream of a run as written: the hex key of (seed, point) and
/// the replication, which picks the streams `4·replication + purpose`.
pub fn seed_stream(seed: u64, point: u64, replication: u32) -> String {
    format!("{:016x}/{replication}", run_key(seed, point))
}

/// One `runs.csv` line of a finished run of a world with `targets`.
pub fn run_line(
    w: &World,
    targets: &[TargetInfo],
    seed: u64,
    point: u64,
    r: &RunRecord,
) -> Vec<u8> {
    let identity = [
        point_id_text(point),
        r.replication.to_string(),
        seed_stream(seed, point, r.replication),
    ];
    let [id, rep, stream] = identity.each_ref().map(String::as_str);
    // The statistic `compare` judges by, so that points can be ranked as
    // scenarios are.
    let statistic = if r.targets.is_empty() {
        f64::NAN
    } else {
        Statistic::default().distance(targets, &r.targets)
    };
    tables::run_line(
        &[id, rep, stream, "ok", ""],
        w,
        &r.summary,
        &r.targets,
        statistic,
    )
}

/// A `runs.csv` row of a run that failed, with its message.
pub fn failed_row(
    seed: u64,
    point: u64,
    replication: u32,
    error: &str,
    columns: usize,
) -> Vec<String> {
    let mut row = vec![
        point_id_text(point),
        replication.to_string(),
        seed_stream(seed, point, replication),
        "failed".into(),
        error.replace(['\n', '\r'], " "),
    ];
    row.resize(columns, String::new());
    row
}

/// Read `runs.csv` rows and write `bands.csv`: for each point (rows of a
/// point are consecutive), each year's mean and 5/50/95 % quantiles of
/// `focus_value_YYYY` over the runs that finished.
pub fn write_bands<R: Read, W: Write>(runs: R, out: W) -> io::Result<W> {
    let mut rd = csv::Reader::from_reader(runs);
    let header = rd.headers().map_err(csv_io)?.clone();
    let years: Vec<(usize, String)> = header
        .iter()
        .enumerate()
        .filter_map(|(i, h)| h.strip_prefix("focus_value_").map(|y| (i, y.to_string())))
        .collect();
    let status = header.iter().position(|h| h == "status").unwrap_or(3);
    let mut w = csv::Writer::from_writer(out);
    w.write_record(["point_id", "year", "runs", "mean", "p5", "p50", "p95"])
        .map_err(csv_io)?;
    let mut current: Option<String> = None;
    let mut values: Vec<Vec<f64>> = vec![Vec::new(); years.len()];
    let flush =
        |w: &mut csv::Writer<W>, point: &str, values: &mut Vec<Vec<f64>>| -> io::Result<()> {
            for ((_, year), xs) in years.iter().zip(values.iter_mut()) {
                let n = xs.len();
                let mean = if n == 0 {
                    f64::NAN
                } else {
                    xs.iter().sum::<f64>() / n as f64
                };
                w.write_record([
                    point.to_string(),
                    year.clone(),
                    n.to_string(),
                    cell(mean),
                    cell(quantile(xs, 0.05)),
                    cell(quantile(xs, 0.5)),
                    cell(quantile(xs, 0.95)),
                ])
                .map_err(csv_io)?;
                xs.clear();
            }
            Ok(())
        };
    for rec in rd.records() {
        let rec = rec.map_err(csv_io)?;
        let point = rec.get(0).unwrap_or("").to_string();
        if current.as_deref() != Some(point.as_str()) {
            if let Some(p) = current.take() {
                flush(&mut w, &p, &mut values)?;
            }
            current = Some(point);
        }
        if rec.get(status) != Some("ok") {
            continue;
        }
        for ((i, _), xs) in years.iter().zip(values.iter_mut()) {
            if let Some(v) = rec.get(*i).and_then(|x| x.parse::<f64>().ok()) {
                xs.push(v);
            }
        }
    }
    if let Some(p) = current.take() {
        flush(&mut w, &p, &mut values)?;
    }
    w.into_inner().map_err(|e| e.into_error())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bands_by_hand() {
        let runs = "point_id,replication,seed_stream,status,error,focus_value_2022,focus_value_2023\n\
                    a,0,x,ok,,1,10\n\
                    a,1,x,ok,,3,30\n\
                    a,2,x,failed,boom,,\n\
                    b,0,x,ok,,5,0\n";
        let out = write_bands(runs.as_bytes(), Vec::new()).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "point_id,year,runs,mean,p5,p50,p95");
        assert_eq!(lines[1], "a,2022,2,2,1.1,2,2.9");
        assert_eq!(lines[2], "a,2023,2,20,11,20,29");
        assert_eq!(lines[3], "b,2022,1,5,5,5,5");
        assert_eq!(lines.len(), 5);
    }

    #[test]
    fn points_lines() {
        let p = Point {
            id: 255,
            values: vec![toml::Value::Float(0.5), toml::Value::String("a,b".into())],
        };
        let paths = vec!["x.y".to_string(), "z".to_string()];
        assert_eq!(points_header(&paths, DesignKind::Lhs), b"point_id,x.y,z\n");
        assert_eq!(
            points_rows(&p, &[], &paths),
            b"00000000000000ff,0.5,\"a,b\"\n"
        );
    }

    #[test]
    fn values_as_cells() {
        assert_eq!(value_text(&toml::Value::Float(1.5)), "1.5");
        assert_eq!(value_text(&toml::Value::Integer(3)), "3");
        assert_eq!(value_text(&toml::Value::String("x".into())), "x");
        assert_eq!(point_id_text(255), "00000000000000ff");
    }
}

//! `armsmarket merge DIR...`: join the shards of a sweep into the files a
//! single machine would have written, byte for byte.

use crate::cli::CliError;
use crate::output::atomic::AtomicFile;
use crate::output::manifest;
use clap::Args;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard directories (`.../shard-K-of-N`), or the sweep directory that
    /// holds them.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where to write the merged files (default: the directory holding the
    /// shards).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Say nothing on success.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// A shard found on disk.
struct Found {
    dir: PathBuf,
    k: u32,
    n: u32,
    manifest: Option<Value>,
}

/// `shard-K-of-N` → (K, N).
fn parse_shard_dir(p: &Path) -> Option<(u32, u32)> {
    let name = p.file_name()?.to_str()?;
    let rest = name.strip_prefix("shard-")?;
    let (k, n) = rest.split_once("-of-")?;
    Some((k.parse().ok()?, n.parse().ok()?))
}

fn expand(dirs: &[PathBuf]) -> Result<Vec<PathBuf>, CliError> {
    let mut out = Vec::new();
    for d in dirs {
        if parse_shard_dir(d).is_some() {
            out.push(d.clone());
            continue;
        }
        let entries =
            std::fs::read_dir(d).map_err(CliError::io(format!("reading {}", d.display())))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.is_dir() && parse_shard_dir(p).is_some())
            .collect();
        if found.is_empty() && whole_sweep(d) {
            continue; // a one-shard sweep writes the whole result itself
        }
        if found.is_empty() {
            return Err(CliError::Usage(format!(
                "{} is neither a shard directory (shard-K-of-N) nor holds any",
                d.display()
            )));
        }
        found.sort();
        out.extend(found);
    }
    Ok(out)
}

/// The command that runs (or resumes) shard `k` of `n` of the sweep a
/// shard's manifest describes, writing beside the shard directory `dir`.
fn shard_command(m: &Value, k: u32, n: u32, dir: &Path) -> String {
    let file = PathBuf::from(m["scenario_file"].as_str().unwrap_or("FILE"));
    // dir is OUT/<name>/shard-K-of-N: OUT is two levels up.
    let dir = std::fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let out = dir
        .parent()
        .and_then(Path::parent)
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let keep: Vec<String> = m["sweep"]["keep"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default();
    crate::cli::sweep::resume_command(&file, &out, crate::sweep::plan::Shard { k, n }, &keep)
}

/// Whether `d` holds a finished sweep that was not split (shard 1/1).
fn whole_sweep(d: &Path) -> bool {
    std::fs::read(d.join("manifest.json"))
        .ok()
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
        .is_some_and(|m| m["command"] == "sweep" && m["shard"]["n"] == 1)
}

/// `armsmarket merge`.
pub fn merge(a: &MergeArgs) -> Result<(), CliError> {
    let started = SystemTime::now();
    let dirs = expand(&a.dirs)?;
    if dirs.is_empty() {
        if !a.quiet {
            eprintln!(
                "nothing to merge: the sweep ran as a single shard and its files are complete"
            );
        }
        return Ok(());
    }
    let mut shards: Vec<Found> = Vec::new();
    for d in &dirs {
        let (k, n) = parse_shard_dir(d).expect("expanded");
        let manifest = std::fs::read(d.join("manifest.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
        shards.push(Found {
            dir: d.clone(),
            k,
            n,
            manifest,
        });
    }
    let complete: Vec<&Found> = shards.iter().filter(|s| s.manifest.is_some()).collect();
    let Some(first) = complete.first() else {
        return Err(CliError::Incomplete(format!(
            "no finished shard among {}: run the shards first (`armsmarket sweep FILE --shard K/N`)",
            dirs.iter()
                .map(|d| d.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let m0 = first.manifest.as_ref().expect("complete");
    let n = first.n;
    // Every finished shard must come from the same sweep.
    for s in &complete {
        let m = s.manifest.as_ref().expect("complete");
        for key in [
            "scenario_fingerprint",
            "design_fingerprint",
            "version",
            "keep",
        ] {
            if m["sweep"][key] != m0["sweep"][key] {
                return Err(CliError::Usage(format!(
                    "{} and {} come from different sweeps ({key} {} vs {}): merge shards of one sweep",
                    first.dir.display(),
                    s.dir.display(),
                    m0["sweep"][key],
                    m["sweep"][key]
                )));
            }
        }
        if s.n != n {
            return Err(CliError::Usage(format!(
                "{} is one of {} shards but {} is one of {n}: merge shards of one split",
                s.dir.display(),
                s.n,
                first.dir.display()
            )));
        }
        if m["failed_runs"].as_u64().unwrap_or(0) > 0 {
            return Err(CliError::Run(format!(
                "{} has {} failed runs: finish it with `{}` first",
                s.dir.display(),
                m["failed_runs"],
                shard_command(m, s.k, n, &s.dir)
            )));
        }
    }
    let mut by_k: BTreeMap<u32, &Found> = BTreeMap::new();
    for s in &complete {
        if let Some(other) = by_k.insert(s.k, s) {
            return Err(CliError::Usage(format!(
                "shard {}/{n} appears twice ({} and {}): each shard once",
                s.k,
                other.dir.display(),
                s.dir.display()
            )));
        }
    }
    let missing: Vec<u32> = (1..=n).filter(|k| !by_k.contains_key(k)).collect();
    if !missing.is_empty() {
        let cmds: Vec<String> = missing
            .iter()
            .map(|k| format!("  {}", shard_command(m0, *k, n, &first.dir)))
            .collect();
        return Err(CliError::Incomplete(format!(
            "{} of {n} shards missing or unfinished ({}); run:\n{}\nthen merge again",
            missing.len(),
            missing
                .iter()
                .map(|k| k.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            cmds.join("\n")
        )));
    }
    // Check each shard's files against its manifest before joining them.
    let ordered: Vec<&Found> = by_k.values().copied().collect();
    let files: Vec<String> = {
        let mut v: Vec<String> = m0["files"]
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default();
        // Join in a fixed order: the design, the runs, the bands, then
        // kept tables.
        let rank = |f: &str| match f {
            "points.csv" => 0,
            "runs.csv" => 1,
            "bands.csv" => 2,
            _ => 3,
        };
        v.sort_by_key(|f| (rank(f), f.clone()));
        v
    };
    for s in &ordered {
        let m = s.manifest.as_ref().expect("complete");
        for f in &files {
            let want = m["files"][f]["sha256"].as_str().unwrap_or("");
            let got = manifest::sha256_file(&s.dir.join(f))
                .map_err(CliError::io(format!("reading {}", s.dir.join(f).display())))?;
            if got != want {
                return Err(CliError::Run(format!(
                    "{}: does not match its manifest (changed or damaged since the shard finished): rerun shard {}/{n}",
                    s.dir.join(f).display(),
                    s.k
                )));
            }
        }
    }
    let out = a
        .out
        .clone()
        .unwrap_or_else(|| first.dir.parent().unwrap_or(Path::new(".")).to_path_buf());
    std::fs::create_dir_all(&out).map_err(CliError::io(format!("creating {}", out.display())))?;
    let werr = || CliError::io(format!("writing {}", out.display()));
    let mut paths = Vec::new();
    for f in &files {
        let mut w = AtomicFile::create(&out.join(f)).map_err(werr())?;
        let mut header: Option<String> = None;
        for s in &ordered {
            let rd = BufReader::new(
                std::fs::File::open(s.dir.join(f))
                    .map_err(CliError::io(format!("reading {}", s.dir.join(f).display())))?,
            );
            let mut lines = rd.split(b'\n');
            let Some(first_line) = lines.next() else {
                continue; // an empty table (no rows in this shard)
            };
            let first_line = String::from_utf8_lossy(&first_line.map_err(werr())?).into_owned();
            match &header {
                None => {
                    w.write_all(first_line.as_bytes()).map_err(werr())?;
                    w.write_all(b"\n").map_err(werr())?;
                    header = Some(first_line);
                }
                Some(h) if *h != first_line => {
                    return Err(CliError::Run(format!(
                        "{}: its header differs from the other shards'",
                        s.dir.join(f).display()
                    )));
                }
                Some(_) => {}
            }
            for line in lines {
                let line = line.map_err(werr())?;
                if line.is_empty() {
                    continue; // after the last newline
                }
                w.write_all(&line).map_err(werr())?;
                w.write_all(b"\n").map_err(werr())?;
            }
        }
        paths.push(w.commit().map_err(werr())?);
    }
    let m = json!({
        "program": "armsmarket",
        "version": env!("CARGO_PKG_VERSION"),
        "command": "merge",
        "scenario_name": m0["scenario_name"],
        "scenario_file": m0["scenario_file"],
        "sweep": {
            "scenario_fingerprint": m0["sweep"]["scenario_fingerprint"],
            "design_fingerprint": m0["sweep"]["design_fingerprint"],
            "version": m0["sweep"]["version"],
            "keep": m0["sweep"]["keep"],
            "shard": "1/1",
            "jobs": ordered
                .iter()
                .map(|s| s.manifest.as_ref().and_then(|m| m["runs"].as_u64()).unwrap_or(0))
                .sum::<u64>(),
            "program": "armsmarket",
        },
        "design": m0["design"],
        "merged_from": ordered.iter().map(|s| s.dir.display().to_string()).collect::<Vec<_>>(),
        "runs": ordered.iter().map(|s| s.manifest.as_ref().and_then(|m| m["runs"].as_u64()).unwrap_or(0)).sum::<u64>(),
        "failed_runs": 0,
        "started": manifest::timestamp(started),
        "finished": manifest::timestamp(SystemTime::now()),
        "files": manifest::file_entries(&paths).map_err(CliError::io("hashing outputs"))?,
        "scenario": m0["scenario"],
    });
    manifest::write(&out, &m).map_err(CliError::io("writing manifest.json"))?;
    if !a.quiet {
        eprintln!("merged {n} shards -> {}", out.display());
    }
    Ok(())
}

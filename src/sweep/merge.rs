//! Joining the shards of a durable batch into the result one machine
//! would have written, byte for byte: every CSV file's header once, then
//! each shard's rows in shard order. The shards must be complete, come
//! from one batch, and match their manifests; otherwise the error says
//! which shards to run and how.

use crate::output::faults;
use crate::output::manifest::{Command, Manifest, ManifestError};
use crate::output::publish::{Destination, OutputError, write_error};
use crate::sweep::plan::Shard;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::collections::BTreeMap;
use std::io::{self, BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::SystemTime;

/// The plan a shard's manifest records, as merging needs it.
pub trait ShardedPlan: Serialize + DeserializeOwned + Clone {
    /// Which shard this is.
    fn shard(&self) -> Shard;
    /// Why the shard whose manifest is `other` is not of the same batch as
    /// `first`'s, if it is not.
    fn same_batch(first: &Manifest<Self>, other: &Manifest<Self>) -> Option<String>;
    /// How many of its jobs failed.
    fn failed(&self) -> u64;
    /// Whether this is the plan of a merged result (rather than of a batch
    /// run whole or of one shard).
    fn is_merged(&self) -> bool;
    /// The plan of the merged result of `shards` (in order), joined from
    /// the folders `from`.
    fn merged(shards: &[&Self], from: Vec<PathBuf>) -> Self;
    /// The command that runs `shard` (resuming it, with `resume`) of the
    /// batch whose shard's manifest is `m`, into the results folder `out`.
    fn command(m: &Manifest<Self>, shard: Shard, out: &Path, resume: bool) -> String;
}

/// Why shards could not be merged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MergeError {
    /// A path names nothing.
    #[error("{}: no such folder; give the `.shards` folder a sharded sweep wrote, or the shards in it (a calibration's shards are joined by `armsmarket calibrate FILE --join`)", path.display())]
    NoSuchPath {
        /// The path given.
        path: PathBuf,
    },
    /// A path is neither a shard folder nor holds any.
    #[error(
        "{}: neither a shard folder (shard-K-of-N), nor a folder of shards, nor a result with a `.shards` folder beside it",
        path.display()
    )]
    NotShards {
        /// The path given.
        path: PathBuf,
    },
    /// A whole result (a batch run as one shard) given with other folders:
    /// there is nothing in it to merge with them.
    #[error(
        "{}: a whole result (its sweep ran as a single shard), not shards: it cannot be merged with other folders; give only shard folders or `.shards` folders (or this folder alone to check it)",
        path.display()
    )]
    WholeAmongShards {
        /// The whole result.
        path: PathBuf,
    },
    /// A whole result given with `--out`: nothing would be written there.
    #[error(
        "{}: a whole result (its sweep ran as a single shard): there is nothing to merge into --out {}; drop --out (the result is complete where it is), or copy the folder",
        path.display(),
        out.display()
    )]
    WholeWithOut {
        /// The whole result.
        path: PathBuf,
        /// The `--out` given.
        out: PathBuf,
    },
    /// A whole result whose files are not as its manifest records.
    #[error("{}: {}", path.display(), crate::output::manifest::not_as_written_message(files, *command))]
    WholeDamaged {
        /// The whole result.
        path: PathBuf,
        /// The command that wrote it.
        command: crate::output::manifest::Command,
        /// Its files not as written.
        files: Vec<String>,
    },
    /// No shard has finished.
    #[error(
        "no finished shard among {}: run the shards first (`armsmarket sweep FILE --shard K/N`, with `--resume` for one that was stopped), then merge again",
        dirs.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", ")
    )]
    NoneFinished {
        /// The shard folders found (finished or stopped).
        dirs: Vec<PathBuf>,
    },
    /// A shard folder whose manifest says it is another shard: renamed or
    /// copied by hand. Merged under its folder's name it would put one
    /// shard's runs in twice and leave another's out.
    #[error(
        "{}: the folder is named for shard {folder} but its manifest records shard {recorded} (renamed or copied by hand): {}",
        dir.display(),
        if folder.k >= 1 && folder.k <= folder.n {
            format!("name it shard-{}-of-{} (if no folder has that name), or remove it and run shard {folder} again", recorded.k, recorded.n)
        } else {
            format!("there is no shard {folder}: name it shard-{}-of-{} if no folder has that name, or remove it", recorded.k, recorded.n)
        }
    )]
    Renamed {
        /// The folder.
        dir: PathBuf,
        /// The shard its name gives.
        folder: Shard,
        /// The shard its manifest records.
        recorded: Shard,
    },
    /// A finished shard's folder (a stopped shard's is hidden, `.shard-K-
    /// of-N.partial`) whose manifest cannot be read: damaged since it was
    /// written, so resuming it cannot mend it.
    #[error(
        "{}: a shard folder whose manifest cannot be read ({reason}): it was damaged after the shard finished; remove the folder and run the shard again, then merge again:\n  {command}",
        dir.display()
    )]
    Unreadable {
        /// The shard folder.
        dir: PathBuf,
        /// Why the manifest cannot be read.
        reason: String,
        /// The command that runs the shard again.
        command: String,
    },
    /// A folder named like a shard, without a readable manifest, that is
    /// no shard of the split the finished shards come from (shard-3-of-3
    /// beside shards of 2), or of any split (shard-9-of-2, shard-1-of-1):
    /// no command runs it again, so it is to be removed.
    #[error(
        "{}: not a shard of {}, and its manifest cannot be read ({reason}): remove the folder, then merge again",
        dir.display(),
        match split {
            Some(n) => format!("this sweep's split into {n} (its shards are shard-1-of-{n} to shard-{n}-of-{n})"),
            None => "any split (a sweep in N shards writes shard-1-of-N to shard-N-of-N, N at least 2)".to_string(),
        }
    )]
    NotAShard {
        /// The folder.
        dir: PathBuf,
        /// The shard its name gives.
        folder: Shard,
        /// The split of the finished shards, if they agree on one.
        split: Option<u32>,
        /// Why the manifest cannot be read.
        reason: String,
    },
    /// Shards are missing or unfinished.
    #[error("{}", missing_message(missing, *n, commands))]
    Missing {
        /// Their numbers.
        missing: Vec<u32>,
        /// Of how many.
        n: u32,
        /// The command that runs each of the first ten (`COMMANDS_SHOWN`).
        commands: Vec<String>,
    },
    /// Shards that are finished, beside the ones given, were not given
    /// (the command that would run them again has nothing to do).
    #[error(
        "{} finished but not given: {}; give {} too, or give the folder that holds the shards, {}",
        crate::output::report::count(finished.len() as u64, "shard"),
        finished.iter().map(|d| d.display().to_string()).collect::<Vec<_>>().join(", "),
        if finished.len() == 1 { "it" } else { "them" },
        folder.display()
    )]
    NotGiven {
        /// The finished shards not given.
        finished: Vec<PathBuf>,
        /// The folder that holds them.
        folder: PathBuf,
    },
    /// Two shards come from different batches.
    #[error(
        "{} and {} come from different sweeps ({why}): merge shards of one sweep",
        a.display(),
        b.display()
    )]
    DifferentBatches {
        /// One shard.
        a: PathBuf,
        /// The other.
        b: PathBuf,
        /// How they differ.
        why: String,
    },
    /// Two shards come from different splits.
    #[error(
        "{} is one of {na} shards but {} is one of {nb}: merge shards of one split (give one split's shard folders, or remove the other split's)",
        a.display(),
        b.display()
    )]
    DifferentSplits {
        /// One shard.
        a: PathBuf,
        /// Its split.
        na: u32,
        /// The other.
        b: PathBuf,
        /// Its split.
        nb: u32,
    },
    /// A folder given twice (or by two paths).
    #[error("{} is given twice: give each folder once", path.display())]
    GivenTwice {
        /// The folder.
        path: PathBuf,
    },
    /// A shard appears twice.
    #[error("shard {k}/{n} appears twice ({} and {}): give each shard once", a.display(), b.display())]
    Twice {
        /// Which.
        k: u32,
        /// Of how many.
        n: u32,
        /// One folder.
        a: PathBuf,
        /// The other.
        b: PathBuf,
    },
    /// A shard has failed runs.
    #[error(
        "{} has {}: run `{command}` first (from its work folder it retries them; without one it runs it again)",
        dir.display(),
        crate::output::report::count(*.failed, "failed run")
    )]
    FailedRuns {
        /// The shard.
        dir: PathBuf,
        /// How many.
        failed: u64,
        /// The command that retries them.
        command: String,
    },
    /// A shard's file does not match its manifest.
    #[error(
        "{}: does not match its manifest (changed or damaged since shard {shard} finished): run the shard again, without --resume (which keeps a finished shard as it is), then merge again:\n  {command}",
        file.display()
    )]
    Damaged {
        /// The file.
        file: PathBuf,
        /// Its shard.
        shard: Shard,
        /// The command that runs it again.
        command: String,
    },
    /// A shard's table has another header than the first shard's.
    #[error("{}: its header differs from the other shards'", file.display())]
    HeaderDiffers {
        /// The file.
        file: PathBuf,
    },
    /// A manifest could not be read.
    #[error(transparent)]
    Manifest(#[from] ManifestError),
    /// The merged result could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// Reading a shard failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Stopped (Ctrl-C or SIGTERM) before the merged result was put in
    /// place.
    #[error("stopped before the shards were merged; nothing was written")]
    Stopped,
}

impl MergeError {
    /// Whether shards are missing (exit code 3).
    pub fn is_incomplete(&self) -> bool {
        matches!(
            self,
            MergeError::NoneFinished { .. } | MergeError::Missing { .. }
        )
    }

    /// Whether the arguments are at fault (exit code 2).
    pub fn is_usage(&self) -> bool {
        match self {
            MergeError::NotShards { .. }
            | MergeError::NoSuchPath { .. }
            | MergeError::WholeAmongShards { .. }
            | MergeError::WholeWithOut { .. }
            | MergeError::WholeDamaged { .. }
            | MergeError::Damaged { .. }
            | MergeError::HeaderDiffers { .. }
            | MergeError::DifferentBatches { .. }
            | MergeError::DifferentSplits { .. }
            | MergeError::Renamed { .. }
            | MergeError::Unreadable { .. }
            | MergeError::NotAShard { .. }
            | MergeError::GivenTwice { .. }
            | MergeError::Twice { .. }
            | MergeError::NotGiven { .. } => true,
            MergeError::Output(e) => e.is_usage(),
            _ => false,
        }
    }
}

/// What merging did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Merged {
    /// The shards were joined into this result folder.
    Done {
        /// The merged result.
        dir: PathBuf,
        /// How many shards.
        shards: u32,
    },
    /// The batch ran as one shard: its result is already whole.
    Whole {
        /// The result.
        dir: PathBuf,
        /// A `.shards` folder beside it, left from a run in shards, which
        /// was not merged over it.
        shards_beside: Option<PathBuf>,
    },
}

/// `shard-K-of-N` → the shard.
fn parse_shard_dir(p: &Path) -> Option<Shard> {
    Shard::of_folder(p.file_name()?.to_str()?)
}

/// The folders inside `dir` whose names `keep` accepts, sorted.
fn folders_in(dir: &Path, keep: impl Fn(&str) -> bool) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_dir() && p.file_name().and_then(|n| n.to_str()).is_some_and(&keep))
                .collect()
        })
        .unwrap_or_default();
    found.sort();
    found
}

/// The folders of shards stopped before they finished inside `dir`
/// (`.shard-K-of-N.partial`), sorted.
fn stopped_shards_in(dir: &Path) -> Vec<PathBuf> {
    folders_in(dir, |n| {
        n.strip_prefix('.')
            .and_then(|n| n.strip_suffix(".partial"))
            .is_some_and(|n| parse_shard_dir(Path::new(n)).is_some())
    })
}

/// The shard folders inside `dir`, sorted.
fn shard_dirs_in(dir: &Path) -> Vec<PathBuf> {
    folders_in(dir, |n| parse_shard_dir(Path::new(n)).is_some())
}

/// How many shards to name commands for in a message; the others are
/// counted (a split of 100,000 shards named each).
const COMMANDS_SHOWN: usize = 10;

/// The message of [`MergeError::Missing`]: the missing shards' numbers,
/// runs of three or more as ranges, and `commands`, those of the first
/// [`COMMANDS_SHOWN`] of them (the others are counted).
fn missing_message(missing: &[u32], n: u32, commands: &[String]) -> String {
    let mut numbers: Vec<String> = Vec::new();
    let mut i = 0;
    while i < missing.len() {
        let mut j = i;
        while j + 1 < missing.len() && missing[j + 1] == missing[j] + 1 {
            j += 1;
        }
        if j >= i + 2 {
            numbers.push(format!("{}-{}", missing[i], missing[j]));
        } else {
            numbers.extend(missing[i..=j].iter().map(u32::to_string));
        }
        i = j + 1;
    }
    let mut shown: Vec<String> = commands.iter().map(|c| format!("  {c}")).collect();
    if missing.len() > shown.len() {
        shown.push(format!(
            "  ... and {} more, the same with each missing shard's --shard K/{n}",
            missing.len() - shown.len()
        ));
    }
    format!(
        "{} of {n} shards missing or unfinished ({}); run:\n{}\nthen merge again",
        missing.len(),
        numbers.join(", "),
        shown.join("\n")
    )
}

/// The shard folders in `dir` of a split into other than `n` shards,
/// which a merge of `dir` would refuse to join with a split into `n` (a
/// shard stopped before it finished, `.shard-K-of-M.partial`, it does not
/// read).
pub fn other_splits(dir: &Path, n: u32) -> Vec<PathBuf> {
    shard_dirs_in(dir)
        .into_iter()
        .filter(|d| parse_shard_dir(d).is_some_and(|s| s.n != n))
        .collect()
}

/// The `.shards` folder beside a result folder.
fn shards_beside(dir: &Path) -> PathBuf {
    let name = dir.file_name().unwrap_or_default().to_string_lossy();
    dir.with_file_name(format!("{name}.shards"))
}

/// Merge the shards the paths `dirs` name (shard folders, folders of
/// shards, or results with a `.shards` folder beside them) into a result
/// folder in `out` (default: the folder holding the shards' folder). Once
/// `stop` is set (Ctrl-C), it stops with [`MergeError::Stopped`] at the
/// next shard or piece of a file, before the result is put in place, and
/// its staging folder is removed.
pub fn merge<P: ShardedPlan>(
    dirs: &[PathBuf],
    out: Option<&Path>,
    stop: &AtomicBool,
) -> Result<Merged, MergeError> {
    let started = SystemTime::now();
    let stopped = || {
        if stop.load(Ordering::Relaxed) {
            Err(MergeError::Stopped)
        } else {
            Ok(())
        }
    };
    let mut shards: Vec<PathBuf> = Vec::new();
    for d in dirs {
        if parse_shard_dir(d).is_some() {
            shards.push(d.clone());
            continue;
        }
        let inside = shard_dirs_in(d);
        if !inside.is_empty() {
            shards.extend(inside);
            continue;
        }
        let beside_dir = shards_beside(d);
        let beside = shard_dirs_in(&beside_dir);
        let whole = Manifest::<P>::read(d)
            .ok()
            .filter(|m| m.plan.as_ref().is_some_and(|p| p.shard().n == 1));
        // The shards beside a result they made (or beside no result) are
        // merged again; a result the sweep wrote whole (perhaps since, from
        // a changed file) is only checked: the shards replace it when their
        // folder is given.
        let made_whole = whole
            .as_ref()
            .is_some_and(|m| m.plan.as_ref().is_some_and(|p| !p.is_merged()));
        if !beside.is_empty() && !made_whole {
            shards.extend(beside);
            continue;
        }
        if let Some(m) = whole {
            // Said only when it is all that was asked: returning here
            // otherwise ignored the other folders and --out.
            if dirs.len() > 1 {
                return Err(MergeError::WholeAmongShards { path: d.clone() });
            }
            if let Some(out) = out {
                return Err(MergeError::WholeWithOut {
                    path: d.clone(),
                    out: out.to_path_buf(),
                });
            }
            // "Complete" is said of files that are as written.
            stopped()?;
            let files = m.damaged(d).map_err(|source| MergeError::Io {
                path: d.clone(),
                source,
            })?;
            if !files.is_empty() {
                return Err(MergeError::WholeDamaged {
                    path: d.clone(),
                    command: m.command,
                    files,
                });
            }
            // Not complete: runs failed. Retried from its work folder, or
            // run again whole if that is gone.
            if let Some(p) = m.plan.as_ref().filter(|p| p.failed() > 0) {
                // Named as given (`.`), its folder has no parent to name.
                let canonical = canonical(d);
                let out = canonical.parent().unwrap_or(Path::new("."));
                return Err(MergeError::FailedRuns {
                    dir: d.clone(),
                    failed: p.failed(),
                    command: P::command(&m, Shard::WHOLE, out, can_retry(d)),
                });
            }
            return Ok(Merged::Whole {
                dir: d.clone(),
                shards_beside: (!beside.is_empty()).then_some(beside_dir),
            });
        }
        // Every shard stopped before it finished (a Slurm time limit): they
        // are to be resumed, not a wrong folder.
        for holder in [d.clone(), beside_dir.clone()] {
            let stopped = stopped_shards_in(&holder);
            if !stopped.is_empty() {
                return Err(MergeError::NoneFinished { dirs: stopped });
            }
        }
        if !d.exists() {
            return Err(MergeError::NoSuchPath { path: d.clone() });
        }
        return Err(MergeError::NotShards { path: d.clone() });
    }
    // A shard folder is published whole, manifest last, by a rename from
    // its hidden `.partial` folder: one that is there has finished, and
    // one whose manifest cannot be read was damaged since.
    let mut found: Vec<(PathBuf, Shard, Result<Manifest<P>, String>)> = Vec::new();
    let mut absent: Vec<(&PathBuf, Shard)> = Vec::new();
    for d in &shards {
        stopped()?;
        let shard = parse_shard_dir(d).expect("a shard folder");
        // A shard folder given by a path that is not there has not
        // finished (or not run): it counts as missing, to be resumed,
        // unless no run of this split writes it (below).
        if !d.is_dir() {
            absent.push((d, shard));
            continue;
        }
        let first = !found.iter().any(|(_, _, m)| m.is_ok());
        let m = match Manifest::<P>::read(d) {
            Ok(mut m) if m.plan.is_some() => {
                // Only the first finished shard's resolved scenario is used
                // (the merged manifest's; the plans' fingerprints say the
                // others are the same): the others' are dropped as read,
                // about a megabyte each for europe, so that memory does not
                // grow with the shards (185 MB at 200).
                if !first {
                    for s in &mut m.scenarios {
                        s.resolved = toml::Table::new();
                    }
                }
                Ok(m)
            }
            Ok(_) => Err("it records no sweep plan".to_string()),
            Err(e) => Err(e.to_string()),
        };
        if let Ok(m) = &m {
            let recorded = m.plan.as_ref().expect("checked above").shard();
            if recorded != shard {
                return Err(MergeError::Renamed {
                    dir: d.clone(),
                    folder: shard,
                    recorded,
                });
            }
        }
        found.push((d.clone(), shard, m));
    }
    let complete: Vec<(&PathBuf, Shard, &Manifest<P>, &P)> = found
        .iter()
        .filter_map(|(d, s, m)| {
            let m = m.as_ref().ok()?;
            Some((d, *s, m, m.plan.as_ref()?))
        })
        .collect();
    // Where the shards' results folder is: two levels above a shard.
    let out_of = |dir: &Path| {
        canonical(dir)
            .parent()
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
    };
    // A folder no sweep of this split writes has no command that runs it
    // again: `--shard 9/2` is refused, and `--shard 3/3` makes a shard of
    // another split, which merge refuses in turn.
    let split = complete
        .first()
        .map(|c| c.1.n)
        .filter(|&n| complete.iter().all(|c| c.1.n == n));
    let stray = |s: &Shard| {
        let written = s.n >= 2 && (1..=s.n).contains(&s.k);
        !written || split.is_some_and(|n| s.n != n)
    };
    // A path no shard of this split is written to is a typo, not a shard
    // to run: it would have been dropped, and the shard meant called
    // missing.
    if let Some((path, _)) = absent.iter().find(|(_, s)| stray(s)) {
        return Err(MergeError::NoSuchPath {
            path: path.to_path_buf(),
        });
    }
    if let Some((dir, shard, Err(reason))) = found.iter().find(|(_, s, m)| m.is_err() && stray(s)) {
        return Err(MergeError::NotAShard {
            dir: dir.clone(),
            folder: *shard,
            split,
            reason: reason.clone(),
        });
    }
    if let Some((dir, shard, Err(reason))) = found.iter().find(|(_, _, m)| m.is_err()) {
        let command = complete.first().map_or_else(
            || {
                format!(
                    "armsmarket sweep FILE --shard {shard} --out {}",
                    out_of(dir).display()
                )
            },
            |&(_, _, m, _)| P::command(m, *shard, &out_of(dir), false),
        );
        return Err(MergeError::Unreadable {
            dir: dir.clone(),
            reason: reason.clone(),
            command,
        });
    }
    let Some(&(first_dir, first_shard, m0, _)) = complete.first() else {
        return Err(MergeError::NoneFinished { dirs: shards });
    };
    let n = first_shard.n;
    let mut by_k: BTreeMap<u32, (&PathBuf, &Manifest<P>, &P)> = BTreeMap::new();
    for &(dir, shard, m, p) in &complete {
        if let Some(plain) = P::same_batch(m0, m) {
            // Its resolved scenario was dropped as read: read again, it
            // names the keys whose values differ.
            let why = Manifest::<P>::read(dir)
                .ok()
                .and_then(|whole| P::same_batch(m0, &whole))
                .unwrap_or(plain);
            return Err(MergeError::DifferentBatches {
                a: first_dir.clone(),
                b: dir.clone(),
                why,
            });
        }
        if shard.n != n {
            return Err(MergeError::DifferentSplits {
                a: dir.clone(),
                na: shard.n,
                b: first_dir.clone(),
                nb: n,
            });
        }
        if p.failed() > 0 {
            return Err(MergeError::FailedRuns {
                dir: dir.clone(),
                failed: p.failed(),
                command: P::command(m, shard, &out_of(dir), can_retry(dir)),
            });
        }
        if let Some((other, _, _)) = by_k.insert(shard.k, (dir, m, p)) {
            if canonical(other) == canonical(dir) {
                return Err(MergeError::GivenTwice { path: dir.clone() });
            }
            return Err(MergeError::Twice {
                k: shard.k,
                n,
                a: other.clone(),
                b: dir.clone(),
            });
        }
    }
    let missing: Vec<u32> = (1..=n).filter(|k| !by_k.contains_key(k)).collect();
    // Finished beside the ones given (shard folders named one by one):
    // to run them again would do nothing. The folder is read once, not
    // asked for each missing shard (a split may have millions).
    let holder = std::fs::canonicalize(first_dir)
        .ok()
        .and_then(|d| d.parent().map(Path::to_path_buf))
        .unwrap_or_else(|| PathBuf::from("."));
    let finished: Vec<PathBuf> = match missing.is_empty() {
        true => Vec::new(),
        false => shard_dirs_in(&holder)
            .into_iter()
            .filter(|d| parse_shard_dir(d).is_some_and(|s| s.n == n && !by_k.contains_key(&s.k)))
            .filter(|d| d.join("manifest.json").is_file())
            .collect(),
    };
    if !finished.is_empty() {
        return Err(MergeError::NotGiven {
            finished,
            folder: holder,
        });
    }
    if !missing.is_empty() {
        let commands = missing
            .iter()
            .take(COMMANDS_SHOWN)
            .map(|&k| P::command(m0, Shard { k, n }, &out_of(first_dir), true))
            .collect();
        return Err(MergeError::Missing {
            missing,
            n,
            commands,
        });
    }
    // Each shard's files must match its manifest before they are joined.
    for (&k, (dir, m, _)) in &by_k {
        stopped()?;
        let bad = m.damaged(dir).map_err(|source| MergeError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        if let Some(f) = bad.first() {
            let shard = Shard { k, n };
            return Err(MergeError::Damaged {
                file: dir.join(f),
                shard,
                command: P::command(m, shard, &out_of(dir), false),
            });
        }
    }
    // The shard's folder made absolute: as typed it may be `.` or a bare
    // `shard-K-of-N` (run from inside the shards' folder), whose parent is
    // empty, which put the result inside the shards' folder. Lexically,
    // not by resolving links: shards gathered by symbolic links are merged
    // beside the folder the user named, not beside the links' targets.
    let first_abs = lexical_absolute(first_dir).map_err(|source| MergeError::Io {
        path: first_dir.clone(),
        source,
    })?;
    let holder = first_abs.parent().unwrap_or(Path::new("."));
    let name = m0.scenarios.first().map_or_else(
        || {
            holder
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .trim_end_matches(".shards")
                .to_string()
        },
        |s| s.name.clone(),
    );
    let parent = match out {
        Some(o) => o.to_path_buf(),
        None => holder.parent().unwrap_or(Path::new(".")).to_path_buf(),
    };
    let dest = Destination::lock(&parent.join(&name), Command::Merge)?;
    let staging = dest.stage()?;
    let werr = |e| MergeError::Output(write_error(e, dest.path()));
    let mut joined = 0;
    for file in m0.files.keys() {
        let mut w = staging.create(file).map_err(werr)?;
        let mut header: Option<Vec<u8>> = None;
        for (dir, _, _) in by_k.values() {
            let path = dir.join(file);
            let rerr = |source| MergeError::Io {
                path: path.clone(),
                source,
            };
            let mut rd = BufReader::new(std::fs::File::open(&path).map_err(rerr)?);
            let mut first = Vec::new();
            rd.read_until(b'\n', &mut first).map_err(rerr)?;
            match &header {
                None => {
                    w.write_all(&first).map_err(werr)?;
                    header = Some(first);
                }
                Some(h) if *h != first => {
                    return Err(MergeError::HeaderDiffers { file: path });
                }
                Some(_) => {}
            }
            // In pieces, so that a stop is seen within a large file.
            loop {
                stopped()?;
                let piece = rd.fill_buf().map_err(rerr)?;
                if piece.is_empty() {
                    break;
                }
                let n = piece.len();
                w.write_all(piece).map_err(werr)?;
                rd.consume(n);
            }
            joined += 1;
            faults::pause_at("merge", joined);
        }
        w.finish().map_err(werr)?;
    }
    stopped()?;
    let plans: Vec<&P> = by_k.values().map(|(_, _, p)| *p).collect();
    let from: Vec<PathBuf> = by_k.values().map(|(d, _, _)| d.to_path_buf()).collect();
    let mut m: Manifest<P> = Manifest::new(Command::Merge, started);
    m.seed = m0.seed;
    m.replications = m0.replications;
    m.scenarios = m0.scenarios.clone();
    m.plan = Some(P::merged(&plans, from));
    m.write(&staging).map_err(werr)?;
    dest.publish(staging)?;
    Ok(Merged::Done {
        dir: dest.path().to_path_buf(),
        shards: n,
    })
}

/// `path` made absolute without following symbolic links: `.` dropped and
/// `..` taking off the name before it, as the shell's `cd` reads a path.
fn lexical_absolute(path: &Path) -> std::io::Result<PathBuf> {
    let mut out = PathBuf::new();
    for c in std::path::absolute(path)?.components() {
        match c {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

/// Whether the failed runs of the result in `dir` can be retried by
/// `--resume`: only from its work folder, which a result copied without
/// its hidden folders (or cleaned up) has lost; without it `--resume`
/// finds the result finished, and the shard is to be run again whole.
fn can_retry(dir: &Path) -> bool {
    // Named as given (`.`), a folder has no name to find its sibling by.
    crate::output::publish::sibling(&canonical(dir), "partial").is_dir()
}

/// `path` with `.`, `..` and links resolved, or as given if that fails.
fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf())
}

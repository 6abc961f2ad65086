//! The submission script of a sweep on a Slurm cluster: a job array of
//! shards, each resuming itself if requeued, and a merge job that runs
//! once every shard has succeeded.
//!
//! Nothing the user wrote is ever read as shell code: every path and name
//! is one shell word, quoted ([`shlex`]); the job scripts are quoted
//! here-documents (nothing in them expands on the submit host) whose end
//! marker appears on no line of them; `sbatch` options go on its command
//! line, never as `#SBATCH` lines; a partition or time limit outside
//! Slurm's own syntax is refused; job and log names keep only letters,
//! digits, `.`, `_` and `-` of the scenario name.

use crate::engine::batch::MAX_THREADS;
use crate::output::report::count;
use crate::scenario::schema::Table;
use crate::sweep::run::{batch_dir, tables_option};
use std::path::{Path, PathBuf};

/// What the script submits.
#[derive(Debug, Clone)]
pub struct Job {
    /// The sweep file.
    pub file: PathBuf,
    /// Number of array tasks (shards).
    pub shards: u32,
    /// CPUs per task (the sweep's threads).
    pub cpus_per_task: u32,
    /// Time limit per task, in a Slurm time format.
    pub time: String,
    /// Partition to submit to (default: the cluster's).
    pub partition: Option<String>,
    /// The folder that receives the result.
    pub out: PathBuf,
    /// The per-run tables every task keeps (`sweep --tables`).
    pub tables: Vec<Table>,
}

/// Why a script cannot be written.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SlurmError {
    /// No shards.
    #[error("--shards must be at least 1")]
    NoShards,
    /// No CPUs.
    #[error("--cpus-per-task must be at least 1")]
    NoCpus,
    /// More CPUs than `sweep --threads` takes: every task would fail.
    #[error(
        "--cpus-per-task {0}: each task passes it to `sweep --threads`, which takes at most {MAX_THREADS}; give at most {MAX_THREADS}"
    )]
    TooManyCpus(u32),
    /// A time limit Slurm would not read.
    #[error(
        "--time {0:?}: write HH:MM:SS (or MM, MM:SS, D-HH:MM:SS, or UNLIMITED for no limit), e.g. 02:00:00"
    )]
    Time(String),
    /// A partition name outside Slurm's.
    #[error(
        "--partition {0:?}: a Slurm partition name has letters, digits, `.`, `_` and `-` only (several: comma-separated)"
    )]
    Partition(String),
    /// A log folder Slurm would read patterns in.
    #[error(
        "--out {}: Slurm reads `%` and `\\` in log file names as patterns; choose a folder without them",
        .0.display()
    )]
    LogPath(PathBuf),
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

/// One shell word.
fn word(s: &str) -> String {
    // Only a NUL byte cannot be quoted, and no path or name holds one.
    shlex::try_quote(s).map_or_else(|_| "''".into(), |q| q.into_owned())
}

/// A path as one shell word.
fn path_word(p: &Path) -> String {
    word(&p.display().to_string())
}

/// Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS,
/// and no limit written `INFINITE`, `UNLIMITED` (in any case) or `-1`, as
/// sbatch reads them. Slurm adds the fields up without checking their
/// ranges (`01:99:00` is 2 h 39 min), so neither does this.
pub fn valid_time(t: &str) -> bool {
    if t == "-1" || t.eq_ignore_ascii_case("INFINITE") || t.eq_ignore_ascii_case("UNLIMITED") {
        return true;
    }
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    // Minutes may run to more than four digits (a week is 10080); no limit
    // a job asks for is longer than nine.
    let num = |x: &str| !x.is_empty() && x.len() <= 9 && x.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = rest.split(':').collect();
    days.is_none_or(num) && parts.len() <= 3 && parts.iter().all(|p| num(p))
}

/// Slurm partition names (comma-separated for several).
fn valid_partition(p: &str) -> bool {
    !p.is_empty()
        && p.split(',').all(|x| {
            !x.is_empty()
                && x.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        })
}

/// The scenario name as a job or log name: other characters become `_`.
fn label(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() { "sweep".into() } else { s }
}

/// A quoted here-document holding `body`: `<<'MARK'`, the body, `MARK`,
/// with a mark that is no line of the body.
fn here_document(body: &str) -> (String, String) {
    let mut mark = "ARMSMARKET_JOB".to_string();
    while body.lines().any(|l| l == mark) {
        mark.push('_');
    }
    (format!("<<'{mark}'"), format!("{body}\n{mark}"))
}

/// The submission script of `job`, for the sweep named `name`, run by the
/// binary `exe`.
pub fn script(job: &Job, name: &str, exe: &Path) -> Result<String, SlurmError> {
    if job.shards == 0 {
        return Err(SlurmError::NoShards);
    }
    if job.cpus_per_task == 0 {
        return Err(SlurmError::NoCpus);
    }
    if u64::from(job.cpus_per_task) > MAX_THREADS as u64 {
        return Err(SlurmError::TooManyCpus(job.cpus_per_task));
    }
    if !valid_time(&job.time) {
        return Err(SlurmError::Time(job.time.clone()));
    }
    if let Some(p) = job.partition.as_ref().filter(|p| !valid_partition(p)) {
        return Err(SlurmError::Partition(p.clone()));
    }
    let file = absolute(&job.file);
    let out = absolute(&job.out);
    let logs = out.join("slurm-logs");
    if logs.display().to_string().contains(['%', '\\']) {
        return Err(SlurmError::LogPath(out));
    }
    let n = job.shards;
    let tag = label(name);
    let exe = path_word(exe);
    let partition = job
        .partition
        .as_ref()
        .map(|p| format!(" --partition={p}"))
        .unwrap_or_default();
    let options = |job_name: &str, log: &str, cpus: u32| {
        format!(
            "--job-name={} --cpus-per-task={cpus} --time={}{partition} --output={}",
            word(job_name),
            job.time,
            path_word(&logs.join(log))
        )
    };
    // Named on every task's line: a task resumes, and a resume without
    // `--tables` keeps those of the sweep it resumes, none on a first run.
    let tables = tables_option(&job.tables);
    // The shard is named in full, not left to the array's size: a task
    // resubmitted alone (`--array=2`) is an array of one, which read from
    // the environment would be the whole sweep.
    let (open_task, task) = here_document(&format!(
        "#!/bin/bash\nexec {exe} sweep {} --out {} --shard \"$((SLURM_ARRAY_TASK_ID + 1))/{n}\" --threads \"${{SLURM_CPUS_PER_TASK:-1}}\"{tables} --resume --quiet",
        path_word(&file),
        path_word(&out)
    ));
    let (open_merge, merge) = here_document(&format!(
        "#!/bin/bash\nexec {exe} merge {} --quiet",
        // One shard writes the result itself: its merge only confirms it.
        path_word(&batch_dir(&out, name, n))
    ));
    let lines = [
        "#!/bin/bash".to_string(),
        format!(
            "# Submits a sweep as a Slurm job array of {} and a merge job",
            count(n as u64, "shard")
        ),
        "# that runs once every shard has succeeded. Run: bash THIS_FILE".into(),
        "set -euo pipefail".into(),
        format!("RESULT={}", path_word(&out.join(name))),
        format!("mkdir -p -- {}", path_word(&logs)),
        String::new(),
        format!("# Task K of the array runs shard K+1 of {n}; --resume makes a requeued task"),
        "# continue where it stopped, and one resubmitted alone (--array=K) too.".into(),
        format!(
            "array=$(sbatch --parsable --array=0-{} {} {open_task}",
            n - 1,
            options(
                &format!("armsmarket-{tag}"),
                &format!("{tag}-%A_%a.out"),
                job.cpus_per_task
            )
        ),
        task,
        ")".into(),
        "array=${array%%;*}".into(),
        String::new(),
        "# If a task fails, Slurm cancels the merge job rather than leaving it".into(),
        "# pending forever, whatever the cluster's DependencyParameters: run this".into(),
        "# script again (finished shards have nothing to do; the rest resume).".into(),
        format!(
            "merge=$(sbatch --parsable --dependency=\"afterok:$array\" --kill-on-invalid-dep=yes {} {open_merge}",
            options(
                &format!("armsmarket-{tag}-merge"),
                &format!("{tag}-merge-%j.out"),
                1
            )
        ),
        merge,
        ")".into(),
        "merge=${merge%%;*}".into(),
        format!(
            "echo \"array job $array ({}), merge job $merge -> $RESULT\"",
            count(n as u64, "shard")
        ),
    ];
    let mut s = lines.join("\n");
    s.push('\n');
    Ok(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> Job {
        Job {
            file: PathBuf::from("/s/sweep.toml"),
            shards: 4,
            cpus_per_task: 2,
            time: "01:00:00".into(),
            partition: Some("short".into()),
            out: PathBuf::from("/o"),
            tables: Vec::new(),
        }
    }

    #[test]
    fn words_are_quoted_and_here_documents_close_on_their_own_mark() {
        let mut j = job();
        j.file = PathBuf::from("/s/a b$(x)\nARMSMARKET_JOB\n.toml");
        let s = script(&j, "n'`y`", Path::new("/bin/armsmarket")).unwrap();
        assert!(s.contains("<<'ARMSMARKET_JOB_'"), "{s}");
        assert!(s.contains("'/s/a b$(x)\nARMSMARKET_JOB\n.toml'"), "{s}");
        assert!(s.contains("--job-name=armsmarket-n__y_ "), "{s}");
        assert!(s.contains("--partition=short"), "{s}");
    }

    #[test]
    fn a_merge_whose_tasks_failed_is_cancelled_not_left_pending() {
        // Without the flag, a cluster that does not kill invalid
        // dependencies keeps the merge job pending for ever once a task
        // fails.
        let s = script(&job(), "n", Path::new("/bin/armsmarket")).unwrap();
        let merge = s
            .lines()
            .find(|l| l.starts_with("merge=$(sbatch"))
            .expect("a merge submission");
        assert!(
            merge.contains("--dependency=\"afterok:$array\" --kill-on-invalid-dep=yes "),
            "{merge}"
        );
    }

    #[test]
    fn options_outside_slurm_syntax_are_refused() {
        let mut j = job();
        j.partition = Some("a\n#SBATCH --x".into());
        assert!(matches!(
            script(&j, "n", Path::new("/a")),
            Err(SlurmError::Partition(_))
        ));
        let mut j = job();
        j.out = PathBuf::from("/o/100%");
        assert!(matches!(
            script(&j, "n", Path::new("/a")),
            Err(SlurmError::LogPath(_))
        ));
        let mut j = job();
        j.shards = 0;
        assert_eq!(script(&j, "n", Path::new("/a")), Err(SlurmError::NoShards));
        let mut j = job();
        j.cpus_per_task = MAX_THREADS as u32 + 1;
        assert_eq!(
            script(&j, "n", Path::new("/a")),
            Err(SlurmError::TooManyCpus(MAX_THREADS as u32 + 1))
        );
    }
}

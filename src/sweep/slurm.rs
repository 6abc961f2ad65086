//! The submission script of a sweep on a Slurm cluster: a job array of
//! shards, each resuming itself if requeued, and a merge job that runs
//! once every shard has succeeded.

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
}

fn absolute(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        std::env::current_dir()
            .map(|d| d.join(p))
            .unwrap_or_else(|_| p.to_path_buf())
    })
}

/// Quote for the shell.
fn q(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

/// Slurm's time formats: MM, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
pub fn valid_time(t: &str) -> bool {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let num = |x: &str| !x.is_empty() && x.len() <= 4 && x.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = rest.split(':').collect();
    days.is_none_or(num) && parts.len() <= 3 && parts.iter().all(|p| num(p))
}

/// The submission script.
pub fn script(a: &Job, name: &str, exe: &Path) -> String {
    let file = absolute(&a.file);
    let out = absolute(&a.out);
    let partition = a
        .partition
        .as_ref()
        .map(|p| format!("#SBATCH --partition={p}\n"))
        .unwrap_or_default();
    let n = a.shards;
    let lines = [
        "#!/bin/bash".to_string(),
        format!("# Submits the sweep {} as a Slurm job array of {n} shards and a", file.display()),
        "# merge job that runs once every shard has succeeded. Run: bash THIS_FILE".into(),
        "set -euo pipefail".into(),
        format!("ARMSMARKET={}", q(&exe.display().to_string())),
        format!("SWEEP={}", q(&file.display().to_string())),
        format!("OUT={}", q(&out.display().to_string())),
        "mkdir -p \"$OUT/slurm-logs\"".into(),
        String::new(),
        "# Each task runs the shard that SLURM_ARRAY_TASK_ID names; --resume makes".into(),
        "# a requeued task continue where it stopped.".into(),
        "array=$(sbatch --parsable <<EOF".into(),
        "#!/bin/bash".into(),
        format!("#SBATCH --job-name=armsmarket-{name}"),
        format!("#SBATCH --array=0-{}", n - 1),
        format!("#SBATCH --cpus-per-task={}", a.cpus_per_task),
        format!("#SBATCH --time={}", a.time),
        format!("{partition}#SBATCH --output=$OUT/slurm-logs/{name}-%A_%a.out"),
        "exec \"$ARMSMARKET\" sweep \"$SWEEP\" --out \"$OUT\" --threads \"\\$SLURM_CPUS_PER_TASK\" --resume --quiet".into(),
        "EOF".into(),
        ")".into(),
        "array=${array%%;*}".into(),
        String::new(),
        "merge=$(sbatch --parsable --dependency=afterok:$array <<EOF".into(),
        "#!/bin/bash".into(),
        format!("#SBATCH --job-name=armsmarket-{name}-merge"),
        "#SBATCH --cpus-per-task=1".into(),
        format!("#SBATCH --time={}", a.time),
        format!("{partition}#SBATCH --output=$OUT/slurm-logs/{name}-merge-%j.out"),
        format!("exec \"$ARMSMARKET\" merge \"$OUT/{name}\" --quiet"),
        "EOF".into(),
        ")".into(),
        "merge=${merge%%;*}".into(),
        format!("echo \"array job $array ({n} shards), merge job $merge -> $OUT/{name}\""),
    ];
    let mut s = lines.join("\n");
    s.push('\n');
    s
}

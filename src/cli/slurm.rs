//! `armsmarket slurm FILE --shards N`: print a script that submits the
//! sweep as a Slurm job array of N shards and a merge job that runs when
//! every shard has succeeded.

use crate::cli::CliError;
use crate::cli::term::print_out;
use crate::scenario;
use clap::Args;
use std::path::{Path, PathBuf};

/// Arguments of `slurm`.
#[derive(Debug, Args)]
pub struct SlurmArgs {
    /// The sweep file.
    pub file: PathBuf,
    /// Number of array tasks (shards).
    #[arg(long)]
    pub shards: u32,
    /// CPUs per task (the sweep's threads).
    #[arg(long, default_value_t = 2)]
    pub cpus_per_task: u32,
    /// Time limit per task, HH:MM:SS.
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition to submit to (default: the cluster's).
    #[arg(long)]
    pub partition: Option<String>,
    /// Output directory, as for `sweep --out`.
    #[arg(long, default_value = "outputs")]
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
fn valid_time(t: &str) -> bool {
    let (days, rest) = match t.split_once('-') {
        Some((d, r)) => (Some(d), r),
        None => (None, t),
    };
    let num = |x: &str| !x.is_empty() && x.len() <= 4 && x.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = rest.split(':').collect();
    days.is_none_or(num) && parts.len() <= 3 && parts.iter().all(|p| num(p))
}

/// The submission script.
pub fn script(a: &SlurmArgs, name: &str, exe: &Path) -> String {
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

/// `armsmarket slurm`.
pub fn slurm(a: &SlurmArgs) -> Result<(), CliError> {
    if a.shards == 0 {
        return Err(CliError::Usage("--shards must be at least 1".into()));
    }
    if a.cpus_per_task == 0 {
        return Err(CliError::Usage("--cpus-per-task must be at least 1".into()));
    }
    if !valid_time(&a.time) {
        return Err(CliError::Usage(format!(
            "--time {}: write HH:MM:SS (or MM, MM:SS, D-HH:MM:SS), e.g. 02:00:00",
            a.time
        )));
    }
    let loaded = scenario::load(&a.file, &[])?;
    if loaded.scenario.sweep.is_none() {
        return Err(CliError::Usage(format!(
            "{} has no [sweep] table: only a sweep can be split into array tasks",
            a.file.display()
        )));
    }
    let exe = std::env::current_exe().map_err(CliError::io("finding the armsmarket binary"))?;
    print_out(&script(a, &loaded.name, &exe))
}

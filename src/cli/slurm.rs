//! `armsmarket slurm FILE --shards N`: print a script that submits the
//! sweep as a Slurm job array of N shards and a merge job that runs when
//! every shard has succeeded.

use crate::cli::CliError;
use crate::cli::term::print_out;
use crate::scenario;
use crate::sweep::slurm;
use clap::Args;
use std::path::PathBuf;

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

/// `armsmarket slurm`.
pub fn slurm(a: &SlurmArgs) -> Result<(), CliError> {
    if a.shards == 0 {
        return Err(CliError::Usage("--shards must be at least 1".into()));
    }
    if a.cpus_per_task == 0 {
        return Err(CliError::Usage("--cpus-per-task must be at least 1".into()));
    }
    if !slurm::valid_time(&a.time) {
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
    let job = slurm::Job {
        file: a.file.clone(),
        shards: a.shards,
        cpus_per_task: a.cpus_per_task,
        time: a.time.clone(),
        partition: a.partition.clone(),
        out: a.out.clone(),
    };
    print_out(&slurm::script(&job, &loaded.name, &exe))
}

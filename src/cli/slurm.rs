//! `armsmarket slurm FILE --shards N`: print a script that submits the
//! sweep as a Slurm job array of N shards and a merge job that runs when
//! every shard has succeeded.

use crate::cli::CliError;
use crate::cli::term::print_out;
use crate::scenario::schema::Table;
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
    /// CPUs per task (the sweep's threads, so at most 1024).
    #[arg(long, default_value_t = 2)]
    pub cpus_per_task: u32,
    /// Time limit per task, in any form sbatch takes (MM, MM:SS,
    /// HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS) or UNLIMITED.
    #[arg(long, default_value = "01:00:00")]
    pub time: String,
    /// Partition to submit to (default: the cluster's).
    #[arg(long)]
    pub partition: Option<String>,
    /// Output folder, as for `sweep --out`.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
    /// The per-run tables every task keeps, as for `sweep --tables`
    /// [default: none].
    #[arg(long, value_delimiter = ',', value_name = "TABLE,...",
          value_parser = crate::cli::kept_tables_arg())]
    pub tables: Vec<Table>,
}

/// `armsmarket slurm`.
pub fn slurm(a: &SlurmArgs) -> Result<(), CliError> {
    // Every array task would refuse a sweep that `sweep` refuses: check it
    // here, as `sweep` and `validate` do, before anything is submitted, and
    // with `sweep`'s words (a calibration file is pointed to `calibrate`).
    crate::cli::tables_listed_once(&a.tables)?;
    let setup = crate::sweep::setup::Setup::new(
        &a.file,
        crate::sweep::Shard::WHOLE,
        &a.tables,
        crate::cli::term::interrupted(),
    )?;
    let points = setup.plan.shard_points().len();
    if a.shards as usize > points {
        return Err(CliError::Usage(format!(
            "--shards {} is more than the {points} points of the sweep: a task runs whole points, so give at most {points}",
            a.shards
        )));
    }
    // The merge job writes OUT/<name>: a path it would refuse is refused
    // now, not after the cluster has run every shard.
    crate::output::publish::check_destination(
        &a.out.join(&setup.name),
        crate::output::publish::Command::Merge,
    )?;
    // The tasks write OUT/<name>.shards: finished shards of another split
    // there (an earlier submission with another --shards) would make the
    // merge job refuse, after every task had run. (One task writes
    // OUT/<name> itself, and its merge reads no shards.)
    let shards = crate::sweep::run::shards_dir(&a.out, &setup.name);
    let others = match a.shards {
        0 | 1 => Vec::new(),
        n => crate::sweep::merge::other_splits(&shards, n),
    };
    if let Some(first) = others.first() {
        return Err(CliError::Usage(format!(
            "{}: holds shards of another split than --shards {} (the first: {}), which the merge job would refuse to join with these; remove them, or submit the split they belong to",
            shards.display(),
            a.shards,
            first.file_name().unwrap_or_default().to_string_lossy()
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
        tables: a.tables.clone(),
    };
    print_out(&slurm::script(&job, &setup.name, &exe)?)
}

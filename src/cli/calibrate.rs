//! `armsmarket calibrate FILE`: ABC-SMC calibration and model choice (the
//! work is [`crate::calibrate`]'s), on one machine or in rounds of shards.

use crate::calibrate::{Done, Follow, Options, calibrate as run_calibration};
use crate::cli::CliError;
use crate::cli::term::note;
use crate::cli::term::{Progress, control, pool};
use crate::engine::batch::Watch;
use crate::scenario::schema::Table;
use crate::sweep::Shard;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `calibrate`.
#[derive(Debug, Args)]
pub struct CalibrateArgs {
    /// A scenario file with a `[calibrate]` table (usually with `base = ...`
    /// or `models`).
    pub file: PathBuf,
    /// Output folder; the result goes to DIR/<name>/, replacing the
    /// previous one whole when it is complete.
    #[arg(long, default_value = "outputs", value_name = "DIR")]
    pub out: PathBuf,
    /// Worker threads, at most 1024 [default: 0, one per core]; the bytes
    /// written do not depend on it.
    #[arg(long, short = 't', default_value_t = 0, hide_default_value = true,
          value_parser = crate::cli::term::threads_arg())]
    pub threads: usize,
    /// Continue an interrupted calibration from its last completed
    /// generation (saved in DIR/.<name>.partial/); shards and joins always
    /// start from the saved state and take no `--resume`.
    #[arg(long, conflicts_with_all = ["shard", "join"])]
    pub resume: bool,
    /// Simulate slice K of N of the current round of proposals from the
    /// saved state, then stop; `--join` joins the round (default: from
    /// SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT if set, else the
    /// whole calibration here).
    #[arg(long, value_name = "K/N", conflicts_with = "join")]
    pub shard: Option<Shard>,
    /// Join the shards of the current round: accept by proposal index and
    /// save the generation; exit code 0 when the calibration is finished
    /// and its result written, 3 when another round of shards is due.
    #[arg(long)]
    pub join: bool,
    /// Also write these per-run tables of the posterior predictive runs
    /// (every particle of the last generation simulated again), each row
    /// led by its particle [default: none; with --resume or --join, those
    /// of the run that saved the state].
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "TABLE,...",
        conflicts_with = "shard"
    )]
    pub tables: Vec<Table>,
    /// No progress bar, no line per generation, no summary line, and a
    /// due round said by the exit code alone (errors, warnings, a resume
    /// that starts from the prior and a run without --resume that discards
    /// saved generations still show).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `armsmarket calibrate`.
pub fn calibrate(a: &CalibrateArgs) -> Result<(), CliError> {
    crate::cli::tables_listed_once(&a.tables)?;
    let options = Options {
        file: a.file.clone(),
        out: a.out.clone(),
        resume: a.resume,
        shard: a.shard,
        join: a.join,
        tables: a.tables.clone(),
    };
    let pool = pool(a.threads)?;
    let progress = Progress::counting(a.quiet, "accepted");
    let slice = Progress::counting(a.quiet, "proposals");
    let stop = control(&progress).stop;
    let quiet = a.quiet;
    let say = |m: &str| {
        if !quiet {
            progress.say(&format!("calibrate: {m}"));
        }
    };
    let note = |m: &str| progress.say(&format!("calibrate: {m}"));
    let batch = |p: &crate::analysis::abc::BatchProgress| {
        if p.proposed == 0 {
            progress.start(
                &format!("generation {} (tolerance {:.4})", p.generation, p.tolerance),
                p.population_size as u64,
            );
        }
        progress.update(
            p.accepted as u64,
            &format!(
                "acceptance {:.3} of {} proposed",
                p.acceptance_rate(),
                p.proposed
            ),
        );
    };
    let follow = Follow {
        stop,
        say: &say,
        note: &note,
        batch: &batch,
        watch: &slice,
    };
    let done = run_calibration(&options, &pool, &follow);
    progress.finish();
    match done? {
        Done::Finished(report) => {
            if !quiet {
                // The join that finishes a sharded calibration simulates
                // nothing of the search itself: its shards did.
                // A proposal is simulated over `replications` model runs,
                // and a batch runs on past a generation's last acceptance:
                // both counts are of proposals, said so.
                let simulated = if a.join {
                    "simulated by the shards".to_string()
                } else {
                    format!("{} simulated by this invocation", report.simulations_run)
                };
                note!(
                    "{}: {} generations ({:?}), {} proposals of {} model run{} each ({simulated}), {:.1} s ({:.1} s in all) -> {}",
                    report.name,
                    report.generations,
                    report.stop,
                    report.proposals,
                    report.replications,
                    if report.replications == 1 { "" } else { "s" },
                    report.wall.as_secs_f64(),
                    report.elapsed.as_secs_f64(),
                    report.dir.display()
                );
            }
            Ok(())
        }
        Done::Shard(r) => {
            if !quiet {
                let what = if r.idle {
                    "nothing left to simulate".to_string()
                } else if r.already {
                    format!("already done ({})", r.part.display())
                } else {
                    format!(
                        "proposals {}..{} in {:.1} s -> {}",
                        r.slice.0,
                        r.slice.1,
                        r.wall.as_secs_f64(),
                        r.part.display()
                    )
                };
                note!(
                    "{}: shard {} of generation {} round {}: {what}; once every shard is done: `{}`",
                    r.name,
                    r.shard,
                    r.generation,
                    r.round,
                    r.join
                );
            }
            Ok(())
        }
        Done::AlreadyFinished { name, dir } => {
            if !quiet {
                note!(
                    "{name}: the calibration is finished; its result, from this file as it is now, is in {}: nothing to simulate, join or resume (to calibrate again, remove that folder first)",
                    dir.display()
                );
            }
            Ok(())
        }
        Done::NextRound(_) if quiet => Err(CliError::RoundDue(String::new())),
        Done::NextRound(r) => Err(CliError::RoundDue(format!(
            "{}: generation {} round {} (proposals {}..{}, {} of {} particles accepted so far) is due: run `{}` for K = 1..N (or a Slurm array job of N tasks), then `{}`",
            r.name,
            r.generation,
            r.round,
            r.start,
            r.end,
            r.accepted,
            r.population,
            r.shard_command,
            r.join_command
        ))),
    }
}

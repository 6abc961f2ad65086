//! A calibration run durably on one machine: the engine's state is saved
//! as it starts and after every generation, so that `--resume` after a
//! kill continues from the last completed generation and ends with the
//! same bytes; or, with `--shard`/`--join`, handed to
//! [`crate::calibrate::shard`].

use crate::analysis::abc::StopReason;
use crate::calibrate::CalibrateError;
use crate::calibrate::shard;
use crate::output::faults;
use crate::output::publish::Destination;
use crate::sweep::Shard;
use std::ops::ControlFlow;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

use crate::calibrate::work::{
    Context, Done, Follow, Options, Report, generation_line, io_error, publish,
};
use crate::output::report::count;

/// Run the calibration `options.file` on `pool`: the whole calibration,
/// one shard's slice of its current round, or the join of a round (see
/// [`crate::calibrate::shard`]).
pub fn calibrate(
    options: &Options,
    pool: &rayon::ThreadPool,
    follow: &Follow<'_>,
) -> Result<Done, CalibrateError> {
    if options.join {
        return shard::join(options, pool, follow);
    }
    let chosen = match options.shard {
        Some(s) => Some(s),
        None => match Shard::from_slurm(|k| std::env::var(k).ok()) {
            Some(s) => {
                let s = s?;
                (follow.say)(&format!(
                    "running shard {s} from the Slurm array environment (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT)"
                ));
                Some(s)
            }
            None => None,
        },
    };
    if chosen.is_some() && (!options.tables.is_empty() || options.resume) {
        // The command line refuses these with `--shard`; a shard from the
        // Slurm environment must not take them silently either.
        let option = if options.resume {
            "--resume (a shard always starts from the saved state of its round)"
        } else {
            "--tables (the posterior predictive tables are written by the whole calibration or by --join)"
        };
        return Err(CalibrateError::ShardOption(format!(
            "a shard of a round, here from the Slurm array environment (SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), takes no {option}: leave it out, or unset those variables to run the whole calibration"
        )));
    }
    match chosen {
        Some(s) => shard::run_shard(options, s, pool, follow),
        None => whole(options, pool, follow),
    }
}

/// The whole calibration on this machine (or, with `--resume` and nothing
/// saved, word that it is finished).
fn whole(
    options: &Options,
    pool: &rayon::ThreadPool,
    follow: &Follow<'_>,
) -> Result<Done, CalibrateError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let say = follow.say;
    let ctx = Context::load(options)?;
    let (setup, abc) = (&ctx.setup, &ctx.abc);
    let dest = Destination::lock(&ctx.dir, crate::output::manifest::Command::Calibrate)?;
    let partial = &ctx.partial;
    let saved = if options.resume {
        ctx.read_saved("run without --resume to start over, or use another --out")?
    } else {
        None
    };
    if options.resume
        && saved.is_none()
        && let Some(dir) = ctx.finished()?
    {
        // Nothing saved because the calibration ended: starting it over
        // from the prior would redo it all and replace its result.
        ctx.tables_in_result(&options.tables)?;
        return Ok(Done::AlreadyFinished {
            name: setup.name.clone(),
            dir: dir.to_path_buf(),
        });
    }
    if options.resume
        && saved.is_none()
        && !partial.exists()
        && ctx.dir.join("manifest.json").is_file()
    {
        // A finished calibration of another file or settings: resumed,
        // it would be replaced by a new one from the prior.
        return Err(CalibrateError::Resume {
            path: ctx.dir.clone(),
            why: "holds a finished calibration made from another file, models or settings (or another max_minutes or program version), and there is nothing saved to resume".into(),
        });
    }
    if !options.resume && partial.exists() {
        // Said as a sweep says it of its unfinished batch: the saved
        // generations are about to be replaced by a start from the prior.
        let generations = ctx
            .saved_generations()
            .map(|g| format!("{}; ", count(u64::from(g), "completed generation")))
            .unwrap_or_default();
        (follow.note)(&format!(
            "discarding the unfinished calibration in {} ({generations}without --resume a calibration starts over)",
            partial.display()
        ));
    }
    let options = options.with_saved_tables(saved.as_ref().map_or(&[], |s| &s.tables));
    let options = options.as_ref();
    let fresh = saved.is_none();
    let (state, saved_seconds) = match saved {
        Some(saved) => {
            say(&match saved.state.generation {
                0 => format!(
                    "resuming before the first generation was complete, from {}",
                    ctx.state_path().display()
                ),
                g => format!(
                    "resuming after generation {} from {}",
                    g - 1,
                    ctx.state_path().display()
                ),
            });
            (saved.state, saved.elapsed_seconds)
        }
        None => {
            if options.resume {
                (follow.note)("nothing saved to resume: starting from the prior");
            }
            (abc.initial_state(), 0.0)
        }
    };
    // Rounds of a sharded generation in progress are redone here; their
    // time and that of their shards, finished or stopped, counts.
    let before = if options.resume {
        shard::taken_over_time(&ctx, &state, saved_seconds)
    } else {
        saved_seconds
    };
    // Saved before the first generation runs, not only after one: killed
    // before any completed, the run left an empty work folder, and the
    // resume started from the prior without the tables asked for. The time
    // counts the rounds of shards taken over, removed next.
    if fresh {
        ctx.create_partial(&state, before, &options.tables)?;
    } else {
        // A folder begun by an earlier version gains the settings here.
        ctx.keep_settings(&ctx.partial)?;
        ctx.save(&state, before, &options.tables)?;
    }
    shard::remove_rounds(&ctx)?;
    let elapsed = || before + clock.elapsed().as_secs_f64();
    let stop = follow.stop;
    let mut budget = || stop.load(Ordering::Relaxed) || ctx.out_of_time(elapsed());
    let mut saved_error: Option<CalibrateError> = None;
    let mut generations_here = 0u64;
    let outcome = pool.install(|| {
        abc.run_watched(setup, state, &mut budget, &mut |p| (follow.batch)(p), |s| {
            if let Err(e) = ctx.save(s, elapsed(), &options.tables) {
                saved_error = Some(e);
                return ControlFlow::Break(());
            }
            generations_here += 1;
            faults::abort_at("generation", generations_here);
            if let Some(r) = s.history.last() {
                say(&generation_line(setup, r, elapsed()));
            }
            ControlFlow::Continue(())
        })
    });
    let outcome = match outcome {
        Ok(outcome) => outcome,
        Err(e) => {
            let e = CalibrateError::from(e);
            if fresh && matches!(e, CalibrateError::Scenario(_)) {
                // A particle's world broke a rule between free keys: the
                // input's fault (exit code 2), after which nothing this
                // run began is left (it would fail at the same particle
                // again).
                dest.remove_work(partial).map_err(io_error(partial))?;
            }
            return Err(e);
        }
    };
    if let Some(e) = saved_error {
        return Err(e);
    }
    let stopped = || CalibrateError::Stopped {
        kept: partial.clone(),
        resume: format!(
            "armsmarket calibrate {} --out {} --resume",
            crate::sweep::run::shell_word(&options.file),
            crate::sweep::run::shell_word(&options.out)
        ),
    };
    if outcome.stop == StopReason::Budget && stop.load(Ordering::Relaxed) {
        // The last completed generation again, with the time of the one
        // stopped: `max_minutes` counts it too after `--resume`.
        ctx.save(&outcome.state, elapsed(), &options.tables)?;
        return Err(stopped());
    }
    let Some(dir) = publish(
        &ctx,
        &dest,
        options,
        pool,
        &outcome.state,
        outcome.stop,
        started,
        stop,
    )?
    else {
        // Stopped in the predictive runs: the state saved is the last
        // generation's, from which `--resume` writes the result. Saved
        // again with the time spent since (a generation abandoned at
        // `max_minutes`, the predictive runs), as for a stop in a
        // generation: with the earlier time `--resume` found time left
        // and ran another generation.
        ctx.save(&outcome.state, elapsed(), &options.tables)?;
        return Err(stopped());
    };
    Ok(Done::Finished(Report {
        name: setup.name.clone(),
        dir,
        stop: outcome.stop,
        generations: outcome.state.generation,
        proposals: outcome.state.proposals_total,
        simulations_run: outcome.simulations_run,
        replications: setup.settings.replications,
        wall: clock.elapsed(),
        elapsed: Duration::from_secs_f64(elapsed()),
    }))
}

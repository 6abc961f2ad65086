//! A calibration split over machines, round by round.
//!
//! A generation's proposals are simulated in *rounds*: round r covers the
//! proposal indices `start..end`, and shard K of N simulates the K-th
//! contiguous slice of them (as a sweep's shard takes a slice of its
//! points), from the saved state alone, and writes its rows to a part file
//! in `OUT/.<name>.partial/rounds/`. `--join` reads every part of the
//! running generation, hands the rows to the engine in index order
//! ([`Abc::accept`](crate::analysis::abc::Abc::accept)), which accepts the
//! first N by index and keeps its reservoir of rejected rows by keys of the
//! index, so the generation is the one a single machine makes, bit for
//! bit. The join then either saves the completed generation and sets up
//! round 0 of the next, or sets up the next round of the same generation,
//! or, when a stopping rule ends the calibration, writes its result exactly
//! as a single machine would.
//!
//! How many proposals a round covers changes nothing in the result (rows
//! past the N-th acceptance are ignored); it is `round_size` if the file
//! gives one, else an estimate from the acceptance rates that aims to
//! finish a generation in one round.

use crate::analysis::abc::{Acceptance, GenerationState, SimulationRow, StopReason};
use crate::calibrate::CalibrateError;
use crate::calibrate::work::{
    Context, Done, Follow, NextRound, Options, Report, ShardReport, generation_line, io_error,
    publish, read_checked, read_toml, toml_bytes, write_durably,
};
use crate::output::publish::Destination;
use crate::scenario::schema::Table;
use crate::sweep::Shard;
use crate::sweep::run::{shell_word, tables_option};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant, SystemTime};

/// The round the shards are to simulate, written by the join (round 0 of
/// a generation can also be derived from the saved state alone).
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Round {
    identity: String,
    generation: u32,
    round: u32,
    start: u64,
    end: u64,
    /// The calibration's wall time when the round was set up.
    elapsed_seconds: f64,
}

/// A shard's rows of a round; a shard stopped (Ctrl-C, SIGTERM) before
/// the end of its slice writes its part with no rows, for its time.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Part {
    identity: String,
    generation: u32,
    round: u32,
    /// `K/N`.
    shard: String,
    start: u64,
    end: u64,
    /// The shard's wall time, that of its stopped runs of the round
    /// included (the round lasts as long as its longest shard).
    wall_seconds: f64,
    /// A row for every index of the slice, or none (a stopped shard's).
    rows: Vec<SimulationRow>,
}

impl Part {
    /// Whether this part holds the rows of the slice `lo..hi`.
    fn holds(&self, lo: u64, hi: u64) -> bool {
        (self.start, self.end) == (lo, hi) && self.rows.len() as u64 == hi - lo
    }
}

fn rounds_dir(ctx: &Context) -> PathBuf {
    ctx.partial.join("rounds")
}

fn round_path(ctx: &Context) -> PathBuf {
    rounds_dir(ctx).join("round.toml")
}

fn part_path(ctx: &Context, generation: u32, round: u32, shard: Shard) -> PathBuf {
    rounds_dir(ctx).join(format!(
        "g{generation}-r{round}-shard-{}-of-{}.toml",
        shard.k, shard.n
    ))
}

/// Remove the rounds of a sharded generation (a single machine redoes it).
pub(crate) fn remove_rounds(ctx: &Context) -> Result<(), CalibrateError> {
    let dir = rounds_dir(ctx);
    if dir.exists() {
        std::fs::remove_dir_all(&dir).map_err(io_error(&dir))?;
    }
    Ok(())
}

/// The calibration's wall time at the end of round `round` so far: its
/// time when the round was set up plus the round's longest shard in
/// `parts` (the shards run side by side), finished or stopped.
fn round_time(set_up: f64, round: u32, parts: &[Part]) -> f64 {
    set_up
        + parts
            .iter()
            .filter(|p| p.round == round)
            .map(|p| p.wall_seconds)
            .fold(0.0, f64::max)
}

/// The calibration's wall time so far when one machine takes over
/// `state`, saved at `saved_seconds`: the rounds and shards of its
/// generation, redone there, count.
pub(crate) fn taken_over_time(ctx: &Context, state: &GenerationState, saved_seconds: f64) -> f64 {
    let (set_up, round) = read_round(ctx)
        .ok()
        .flatten()
        .filter(|r| r.generation == state.generation)
        .map_or((saved_seconds, 0), |r| (r.elapsed_seconds, r.round));
    round_time(
        set_up,
        round,
        &parts(ctx, state.generation).unwrap_or_default(),
    )
}

fn write_toml<T: Serialize>(path: &Path, value: &T) -> Result<(), CalibrateError> {
    write_durably(path, &toml_bytes(path, value)?)
}

/// Save a shard's part into the rounds folder as the shard found it:
/// `false`, with nothing written, if the folder went while the shard ran
/// (a run on one machine removed it, taking the generation over or
/// finishing the calibration). Written with the folder made again, the part
/// outlived the finished calibration in a work folder without its saved
/// state, and the next join or `--resume` started the calibration over.
fn save_part(path: &Path, part: &Part) -> Result<bool, CalibrateError> {
    match write_toml(path, part) {
        Ok(()) => Ok(true),
        Err(CalibrateError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::NotFound
                && !path.parent().is_some_and(Path::is_dir) =>
        {
            Ok(false)
        }
        Err(e) => Err(e),
    }
}

fn read_round(ctx: &Context) -> Result<Option<Round>, CalibrateError> {
    let path = round_path(ctx);
    if !path.is_file() {
        return Ok(None);
    }
    // Without it, the join sets the round up again from the parts, as
    // it did when it wrote it.
    let round: Round = read_toml(
        &path,
        "the round the shards are to simulate",
        "remove this file and go on with the shards and joins (the next join sets the round up again from the shards' saved rows)",
    )?;
    if round.identity != ctx.identity {
        return Err(ctx.stale(&round.identity));
    }
    Ok(Some(round))
}

/// The saved state, wall time and `--tables`, or the prior's; a state of
/// another calibration is refused, and so is a damaged one, which only
/// starting over replaces (shards take no `--resume`).
fn saved_state(ctx: &Context) -> Result<(GenerationState, f64, Vec<Table>), CalibrateError> {
    let fix = format!(
        "the calibration cannot go on from it: remove {} to start it over, or use another --out",
        ctx.partial.display()
    );
    match ctx.read_state(&fix)? {
        Some(saved) if saved.identity != ctx.identity => Err(ctx.stale(&saved.identity)),
        Some(saved) => Ok((saved.state, saved.elapsed_seconds, saved.tables)),
        None => Ok((ctx.abc.initial_state(), 0.0, Vec::new())),
    }
}

/// [`Done::AlreadyFinished`] if the calibration's result is in place.
fn already_finished(ctx: &Context) -> Result<Option<Done>, CalibrateError> {
    Ok(ctx.finished()?.map(|dir| Done::AlreadyFinished {
        name: ctx.setup.name.clone(),
        dir: dir.to_path_buf(),
    }))
}

/// The first proposal index `state`'s generation may not use, and why.
fn limit(ctx: &Context, state: &GenerationState) -> Result<(u64, StopReason), CalibrateError> {
    Ok(ctx.abc.plan(state)?.proposal_limit())
}

/// The end of a round starting at `start`, when `accepted` particles of
/// the generation are accepted and the previous round had `previous`
/// proposals. Without `round_size`: the proposals expected to complete the
/// generation at the acceptance rate so far (before any, the previous
/// generation's times the tolerance quantile, as the tolerance shrinks to
/// that quantile), plus a tenth; twice the previous round if nothing was
/// accepted yet.
fn round_end(
    ctx: &Context,
    state: &GenerationState,
    limit: u64,
    start: u64,
    accepted: usize,
    previous: u64,
) -> u64 {
    let size = match ctx.setup.settings.round_size {
        Some(size) => size,
        None => {
            let config = ctx.abc.config();
            let need = config.population_size.saturating_sub(accepted).max(1) as f64;
            let rate = if start > 0 {
                accepted as f64 / start as f64
            } else {
                state
                    .history
                    .last()
                    .map_or(1.0, |r| r.acceptance_rate * config.quantile)
            };
            if rate > 0.0 {
                (1.1 * need / rate).ceil().min(1e15) as u64
            } else {
                previous.saturating_mul(2)
            }
        }
    };
    start.saturating_add(size.max(1)).min(limit)
}

/// The round the shards are to simulate now.
fn current_round(
    ctx: &Context,
    state: &GenerationState,
    elapsed: f64,
) -> Result<Round, CalibrateError> {
    if let Some(r) = read_round(ctx)?
        && r.generation == state.generation
    {
        return Ok(r);
    }
    let (limit, _) = limit(ctx, state)?;
    Ok(Round {
        identity: ctx.identity.clone(),
        generation: state.generation,
        round: 0,
        start: 0,
        end: round_end(ctx, state, limit, 0, 0, 0),
        elapsed_seconds: elapsed,
    })
}

fn calibrate_command(options: &Options) -> String {
    let mut c = format!("armsmarket calibrate {}", shell_word(&options.file));
    if options.out != Path::new("outputs") {
        c.push_str(&format!(" --out {}", shell_word(&options.out)));
    }
    c
}

fn shard_command(options: &Options, shard: &str) -> String {
    format!("{} --shard {shard}", calibrate_command(options))
}

/// The join a user is told to run: with the `--tables` given (a join
/// before any shard ran has no work folder to save them in).
fn join_command(options: &Options) -> String {
    format!(
        "{} --join{}",
        calibrate_command(options),
        tables_option(&options.tables)
    )
}

/// Simulate shard `shard`'s slice of the current round and save its rows
/// (nothing if the calibration is finished already).
pub(crate) fn run_shard(
    options: &Options,
    shard: Shard,
    pool: &rayon::ThreadPool,
    follow: &Follow<'_>,
) -> Result<Done, CalibrateError> {
    let clock = Instant::now();
    let ctx = Context::load(options)?;
    if let Some(done) = already_finished(&ctx)? {
        return Ok(done);
    }
    let (state, elapsed, _) = saved_state(&ctx)?;
    let round = current_round(&ctx, &state, elapsed)?;
    // Parts another shard saved from a different calibration (the file
    // edited since): refused now, not after this shard's work, when the
    // join would refuse the round. Later rounds are also held to the
    // saved round's identity; the first has only the parts.
    parts(&ctx, round.generation)?;
    let len = round.end.saturating_sub(round.start);
    let slice = shard.points(len as usize);
    let (lo, hi) = (
        round.start + slice.start as u64,
        round.start + slice.end as u64,
    );
    let part = part_path(&ctx, round.generation, round.round, shard);
    let mut report = ShardReport {
        name: ctx.setup.name.clone(),
        shard,
        generation: round.generation,
        round: round.round,
        slice: (lo, hi),
        already: false,
        idle: false,
        part: part.clone(),
        join: join_command(options),
        wall: Duration::ZERO,
    };
    if ctx.abc.stops_before(&state).is_some() || len == 0 {
        report.idle = true;
        return Ok(Done::Shard(report));
    }
    // A part of another slice is simulated again: round 0's bounds are
    // worked out anew by each shard from the file, so a `round_size`
    // changed since that part ran moves its slice, and the join would ask
    // for this shard for ever. So is a stopped shard's part, whose time
    // this run adds to its own.
    let earlier = match part
        .is_file()
        .then(|| read_toml::<Part>(&part, "a shard's saved rows", "run this shard again"))
    {
        Some(Ok(p)) if p.identity == ctx.identity => {
            if p.holds(lo, hi) {
                report.already = true;
                return Ok(Done::Shard(report));
            }
            p.wall_seconds
        }
        _ => 0.0,
    };
    let dir = rounds_dir(&ctx);
    std::fs::create_dir_all(&dir).map_err(io_error(&dir))?;
    // The first shard makes the work folder: the settings go with it.
    ctx.keep_settings(&ctx.partial)?;
    let plan = ctx.abc.plan(&state)?;
    let stop = follow.stop;
    follow.watch.start(
        &format!(
            "shard {shard}, generation {} round {}",
            round.generation, round.round
        ),
        hi - lo,
    );
    let rows: Vec<Option<Result<SimulationRow, _>>> = pool.install(|| {
        (0..usize::try_from(hi - lo).expect("a shard's slice fits in memory"))
            .into_par_iter()
            // One simulation a split, so that a thread that finishes early
            // takes the next one rather than waiting for a run of them.
            .with_max_len(1)
            .map(|i| lo + i as u64)
            .map(|j| {
                if stop.load(Ordering::Relaxed) {
                    return None;
                }
                let row = plan.simulate(&ctx.setup, j);
                follow.watch.done();
                Some(row)
            })
            .collect()
    });
    follow.watch.finish();
    // Stopped, the part keeps no rows but the time spent, which the round
    // counts once the shard has run again.
    let rows = rows.into_iter().collect::<Option<Vec<_>>>();
    let stopped = rows.is_none();
    let rows: Vec<SimulationRow> = rows
        .unwrap_or_default()
        .into_iter()
        .collect::<Result<_, _>>()?;
    report.wall = clock.elapsed();
    crate::output::faults::pause_at("shard", 1);
    let saved = save_part(
        &part,
        &Part {
            identity: ctx.identity.clone(),
            generation: round.generation,
            round: round.round,
            shard: shard.to_string(),
            start: lo,
            end: hi,
            wall_seconds: earlier + report.wall.as_secs_f64(),
            rows,
        },
    )?;
    if !saved {
        // The calibration finished meanwhile (a run on one machine took
        // it over): said as to a shard that starts after it.
        return match already_finished(&ctx)? {
            Some(done) => Ok(done),
            None => Err(CalibrateError::TakenOver { rounds: dir }),
        };
    }
    if stopped {
        return Err(CalibrateError::Stopped {
            kept: ctx.partial.clone(),
            resume: shard_command(options, &shard.to_string()),
        });
    }
    Ok(Done::Shard(report))
}

/// The parts of `generation`, in file-name order.
fn parts(ctx: &Context, generation: u32) -> Result<Vec<Part>, CalibrateError> {
    let dir = rounds_dir(ctx);
    if !dir.is_dir() {
        return Ok(Vec::new());
    }
    let prefix = format!("g{generation}-");
    let mut names: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map_err(io_error(&dir))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with(&prefix) && n.ends_with(".toml"))
        })
        .collect();
    names.sort();
    let mut found = Vec::new();
    for path in names {
        // A part is written whole by its shard; one that does not read, or
        // whose rows are not its slice's proposals in order, was damaged
        // since, and only running its shard again mends it.
        let damaged = |why: String| CalibrateError::DamagedPart {
            path: path.clone(),
            why,
        };
        let part: Part = read_checked(&path, damaged)?;
        if part.identity != ctx.identity {
            return Err(ctx.stale(&part.identity));
        }
        if !part.rows.is_empty() && !part.rows.iter().map(|r| r.index).eq(part.start..part.end) {
            return Err(damaged(format!(
                "its rows are not proposals {}..{} in order",
                part.start, part.end
            )));
        }
        let fitted = ctx.abc.observed().len();
        if let Some(r) = part.rows.iter().find(|r| r.statistics.len() != fitted) {
            return Err(damaged(format!(
                "proposal {}'s row has {} statistics where the calibration fits {fitted}",
                r.index,
                r.statistics.len()
            )));
        }
        if part.generation == generation {
            found.push(part);
        }
    }
    Ok(found)
}

/// Why the round cannot be joined yet: which shards to run. `splits` maps
/// each N of the shards that ran some of the round to their K's; shards of
/// two splits (N differing between machines or tasks) are told as such,
/// with the missing shards of one split only: those of every split listed
/// together would each finish the round, and read as all being due.
fn missing(
    ctx: &Context,
    options: &Options,
    round: &Round,
    splits: &BTreeMap<u32, Vec<u32>>,
    rows: &BTreeMap<u64, SimulationRow>,
) -> Option<String> {
    let gap = (0..round.end).find(|j| !rows.contains_key(j))?;
    let what = format!(
        "generation {} round {} (proposals {}..{})",
        round.generation, round.round, round.start, round.end
    );
    if gap < round.start {
        return Some(format!(
            "proposal {gap} of an earlier round of generation {} is missing from {}: run `{} --resume` to redo the generation on one machine",
            round.generation,
            rounds_dir(ctx).display(),
            calibrate_command(options)
        ));
    }
    let len = (round.end - round.start) as usize;
    // The missing shards of each split; one split's cover the round.
    let due = |n: u32| -> Vec<String> {
        (1..=n)
            .filter(|&k| {
                let slice = Shard { k, n }.points(len);
                let (lo, hi) = (
                    round.start + slice.start as u64,
                    round.start + slice.end as u64,
                );
                (lo..hi).any(|j| !rows.contains_key(&j))
            })
            .map(|k| format!("  {}", shard_command(options, &format!("{k}/{n}"))))
            .collect()
    };
    // The split with the fewest shards still to run (the larger N on a
    // tie: its shards are the shorter).
    let Some(commands) = splits.keys().rev().map(|&n| due(n)).min_by_key(|c| c.len()) else {
        return Some(format!(
            "no shard of {what} has run yet: run `{}` for K = 1..N (or a Slurm array job of N tasks), then `{}`",
            shard_command(options, "K/N"),
            join_command(options)
        ));
    };
    if splits.len() > 1 {
        let ran: Vec<String> = splits
            .iter()
            .map(|(n, ks)| {
                let ks: Vec<String> = ks.iter().map(|k| format!("{k}/{n}")).collect();
                format!("N = {n}: shard {}", ks.join(", "))
            })
            .collect();
        return Some(format!(
            "the shards of {what} come from {} different splits ({}): run every shard of a round with one N (one task count for a Slurm array); the rows join by proposal index, so the shards that ran count, and these finish the round:\n{}\nthen `{}`",
            splits.len(),
            ran.join("; "),
            commands.join("\n"),
            join_command(options)
        ));
    }
    Some(format!(
        "shards of {what} are missing or unfinished; run:\n{}\nthen `{}`",
        commands.join("\n"),
        join_command(options)
    ))
}

/// Join the current round: accept by index from every part of the
/// running generation, then finish the calibration or set up the next
/// round.
pub(crate) fn join(
    options: &Options,
    pool: &rayon::ThreadPool,
    follow: &Follow<'_>,
) -> Result<Done, CalibrateError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let ctx = Context::load(options)?;
    let dest = Destination::lock(&ctx.dir, crate::output::manifest::Command::Calibrate)?;
    if let Some(done) = already_finished(&ctx)? {
        // Tables asked for now cannot be added to the finished result.
        ctx.tables_in_result(&options.tables)?;
        return Ok(done);
    }
    let (mut state, saved_elapsed, saved_tables) = saved_state(&ctx)?;
    let options = options.with_saved_tables(&saved_tables);
    let options = options.as_ref();
    if options.tables != saved_tables && ctx.partial.is_dir() {
        // Tables asked for now are kept with the state as saved, as a
        // whole run keeps them before its first generation: a join that
        // completes no generation (another round due, or shards missing)
        // saves no state, and the join that finishes wrote none. (Before
        // any shard ran there is no work folder: the join says to run
        // them, and is given the tables again after.)
        ctx.save(&state, saved_elapsed, &options.tables)?;
    }
    let round = current_round(&ctx, &state, saved_elapsed)?;
    let parts = parts(&ctx, state.generation)?;
    let spent = round_time(round.elapsed_seconds, round.round, &parts);
    let mut splits: BTreeMap<u32, Vec<u32>> = BTreeMap::new();
    for s in parts
        .iter()
        .filter(|p| p.round == round.round)
        .filter_map(|p| p.shard.parse::<Shard>().ok())
    {
        splits.entry(s.n).or_default().push(s.k);
    }
    let mut rows: BTreeMap<u64, SimulationRow> = BTreeMap::new();
    for part in parts {
        for row in part.rows {
            rows.entry(row.index).or_insert(row);
        }
    }
    let finishing = ctx.abc.stops_before(&state).is_some() || round.start >= round.end;
    if !finishing && let Some(why) = missing(&ctx, options, &round, &splits, &rows) {
        return Err(CalibrateError::ShardsDue(why));
    }
    let elapsed = || spent + clock.elapsed().as_secs_f64();
    let say = follow.say;
    // Decide: the generation completes, needs another round, or a
    // stopping rule ends the calibration (checked in the order a single
    // machine checks them before each batch).
    let mut stop = ctx.abc.stops_before(&state);
    let mut next: Option<Round> = None;
    let mut accepted_so_far = 0;
    if stop.is_none() {
        let end = round.end;
        let acceptance = ctx.abc.accept(
            &state,
            rows.into_iter()
                .take_while(|(j, _)| *j < end)
                .map(|(_, r)| r),
        )?;
        // Where the next round would start: a completed generation's first
        // proposal, or the next index of this one.
        let from = match acceptance {
            Acceptance::Complete(completed) => {
                state = *completed;
                ctx.save(&state, elapsed(), &options.tables)?;
                if let Some(r) = state.history.last() {
                    say(&generation_line(&ctx.setup, r, elapsed()));
                }
                stop = ctx.abc.stops_before(&state);
                (0, 0, 0, 0)
            }
            Acceptance::NeedMore {
                next_index,
                accepted,
            } => (
                round.round + 1,
                next_index,
                accepted,
                round.end - round.start,
            ),
        };
        if stop.is_none() {
            let (number, start, accepted, previous) = from;
            accepted_so_far = accepted;
            let (limit, reason) = limit(&ctx, &state)?;
            if start >= limit {
                stop = Some(reason);
            } else if ctx.out_of_time(elapsed()) {
                stop = Some(StopReason::Budget);
            } else {
                next = Some(Round {
                    identity: ctx.identity.clone(),
                    generation: state.generation,
                    round: number,
                    start,
                    end: round_end(&ctx, &state, limit, start, accepted, previous),
                    elapsed_seconds: elapsed(),
                });
            }
        }
    }
    if let Some(next) = next {
        // Rows of completed generations are no longer needed.
        clear_before(&ctx, next.generation)?;
        write_toml(&round_path(&ctx), &next)?;
        return Ok(Done::NextRound(NextRound {
            name: ctx.setup.name.clone(),
            generation: next.generation,
            round: next.round,
            start: next.start,
            end: next.end,
            accepted: accepted_so_far,
            population: ctx.abc.config().population_size,
            shard_command: shard_command(options, "K/N"),
            join_command: join_command(options),
        }));
    }
    let stop = stop.expect("no next round means a stop");
    let Some(dir) = publish(
        &ctx,
        &dest,
        options,
        pool,
        &state,
        stop,
        started,
        follow.stop,
    )?
    else {
        // Stopped in the predictive runs: the state saved is the last
        // generation's, from which the join writes the result.
        return Err(CalibrateError::Stopped {
            kept: ctx.partial.clone(),
            resume: join_command(options),
        });
    };
    Ok(Done::Finished(Report {
        name: ctx.setup.name.clone(),
        dir,
        stop,
        generations: state.generation,
        proposals: state.proposals_total,
        simulations_run: 0,
        replications: ctx.setup.settings.replications,
        wall: clock.elapsed(),
        elapsed: Duration::from_secs_f64(elapsed()),
    }))
}

/// Remove the part files of generations before `generation`.
fn clear_before(ctx: &Context, generation: u32) -> Result<(), CalibrateError> {
    let dir = rounds_dir(ctx);
    if !dir.is_dir() {
        return Ok(());
    }
    for entry in std::fs::read_dir(&dir).map_err(io_error(&dir))? {
        let path = entry.map_err(io_error(&dir))?.path();
        let old = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_prefix('g'))
            .and_then(|n| n.split('-').next())
            .and_then(|g| g.parse::<u32>().ok())
            .is_some_and(|g| g < generation);
        if old {
            std::fs::remove_file(&path).map_err(io_error(&path))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A part of `round` for the slice `start..end` with `rows` rows.
    fn part(round: u32, start: u64, end: u64, rows: u64, wall_seconds: f64) -> Part {
        Part {
            identity: String::new(),
            generation: 0,
            round,
            shard: "1/2".into(),
            start,
            end,
            wall_seconds,
            rows: (start..start + rows)
                .map(|index| SimulationRow {
                    index,
                    statistics: vec![],
                })
                .collect(),
        }
    }

    #[test]
    fn a_round_lasts_from_its_set_up_as_long_as_its_longest_shard_stopped_or_not() {
        let parts = [
            part(0, 0, 10, 10, 50.0),
            part(1, 10, 15, 5, 3.0),
            // Stopped after 7 s: no rows, its time.
            part(1, 15, 20, 0, 7.0),
        ];
        // Round 1 was set up at 100 s: 100 + max(3, 7); round 0's 50 s are
        // in those 100 s already.
        assert_eq!(round_time(100.0, 1, &parts), 107.0);
        // No part of round 2 yet: its set-up time.
        assert_eq!(round_time(120.0, 2, &parts), 120.0);
    }

    #[test]
    fn only_a_part_with_every_row_of_its_slice_holds_it() {
        assert!(part(0, 10, 15, 5, 1.0).holds(10, 15));
        // A stopped shard's part, and a part of a slice since moved.
        assert!(!part(0, 10, 15, 0, 1.0).holds(10, 15));
        assert!(!part(0, 10, 15, 5, 1.0).holds(10, 16));
        // An empty slice is held by its empty part.
        assert!(part(0, 15, 15, 0, 1.0).holds(15, 15));
    }
}

//! What the two ways of running a calibration share (the whole of it on
//! one machine, [`crate::calibrate::run`], and rounds of shards,
//! [`crate::calibrate::shard`]): the options, the saved state in
//! `OUT/.<name>.partial/` (written aside, synced, renamed over the previous
//! one), the line a generation prints, and the result written into a
//! private folder and put in place whole.

use crate::analysis::abc::{Abc, BatchProgress, GenerationState, StopReason};
use crate::calibrate::setup::Setup;
use crate::calibrate::{CalibrateError, settings, tables};
use crate::engine::batch::Watch;
use crate::model::mechanisms::Class;
use crate::model::world::World;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, replace_whole, sibling, sync_dir, write_error};
use crate::output::tables::TableFiles;
use crate::scenario::schema::Table;
use crate::sweep::Shard;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, SystemTime};

/// What `armsmarket calibrate` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The calibration file.
    pub file: PathBuf,
    /// The output folder; the result goes to `OUT/<name>/`.
    pub out: PathBuf,
    /// Continue from the saved state, if any.
    pub resume: bool,
    /// Simulate only this slice of the current round (`--shard K/N`; none:
    /// from the Slurm array variables if set, else the whole calibration).
    pub shard: Option<Shard>,
    /// Join the current round's shards (`--join`).
    pub join: bool,
    /// Per-run tables of the posterior predictive runs to write with the
    /// result (`--tables`), each row led by its particle.
    pub tables: Vec<Table>,
}

impl Options {
    /// These options with the `--tables` of the run a saved state came
    /// from (an interrupted whole run, or an earlier join), unless they
    /// ask for tables of their own: a `--resume` or the join that
    /// finishes ends with the files the first run asked for.
    pub(crate) fn with_saved_tables(&self, saved: &[Table]) -> std::borrow::Cow<'_, Options> {
        if self.tables.is_empty() && !saved.is_empty() {
            std::borrow::Cow::Owned(Options {
                tables: saved.to_vec(),
                ..self.clone()
            })
        } else {
            std::borrow::Cow::Borrowed(self)
        }
    }
}

/// Who follows a calibration from the terminal.
pub struct Follow<'a> {
    /// Set (Ctrl-C) to stop starting batches.
    pub stop: &'a AtomicBool,
    /// Hears a line per generation and what the user should know.
    pub say: &'a (dyn Fn(&str) + Sync),
    /// Hears where the calibration does other than asked (a resume that
    /// starts from the prior): said even when the lines above are not.
    pub note: &'a (dyn Fn(&str) + Sync),
    /// Told where the running generation stands, batch by batch.
    pub batch: &'a (dyn Fn(&BatchProgress) + Sync),
    /// Follows the simulations of a shard's slice.
    pub watch: &'a dyn Watch,
}

/// What an invocation of `calibrate` did.
#[derive(Debug, Clone)]
pub enum Done {
    /// The calibration is finished and its result is in place.
    Finished(Report),
    /// A shard's slice of the round is simulated and saved (or was already).
    Shard(ShardReport),
    /// The round is joined, the calibration goes on: the shards of the next
    /// round are due, then another `--join`.
    NextRound(NextRound),
    /// A shard, a join or a `--resume` found the calibration finished
    /// already: this file's result (same calibration, files intact) is in
    /// place and no work folder is left, so there is nothing to simulate,
    /// join or resume.
    AlreadyFinished {
        /// The calibration's name.
        name: String,
        /// Its result folder.
        dir: PathBuf,
    },
}

/// What a shard did.
#[derive(Debug, Clone)]
pub struct ShardReport {
    /// The calibration's name.
    pub name: String,
    /// Which shard.
    pub shard: Shard,
    /// The generation running.
    pub generation: u32,
    /// The round.
    pub round: u32,
    /// The proposal indices of its slice.
    pub slice: (u64, u64),
    /// Whether its part was already there (nothing simulated).
    pub already: bool,
    /// Whether there was nothing left to simulate (the join ends the
    /// calibration).
    pub idle: bool,
    /// Its part file.
    pub part: PathBuf,
    /// The command that joins the round once every shard is done.
    pub join: String,
    /// Wall time.
    pub wall: Duration,
}

/// The round a join set up.
#[derive(Debug, Clone)]
pub struct NextRound {
    /// The calibration's name.
    pub name: String,
    /// The generation it belongs to.
    pub generation: u32,
    /// Its number within the generation.
    pub round: u32,
    /// Its proposal indices.
    pub start: u64,
    /// One past the last.
    pub end: u64,
    /// Particles the generation has accepted so far.
    pub accepted: usize,
    /// Particles it needs.
    pub population: usize,
    /// A shard's command (`K/N` to be filled in).
    pub shard_command: String,
    /// The join's command.
    pub join_command: String,
}

/// What a finished calibration did.
#[derive(Debug, Clone)]
pub struct Report {
    /// The calibration's name.
    pub name: String,
    /// Its result folder.
    pub dir: PathBuf,
    /// Why it stopped.
    pub stop: StopReason,
    /// Generations completed.
    pub generations: u32,
    /// Proposals consumed by the completed generations (the state's count,
    /// the same for any thread count).
    pub proposals: u64,
    /// Proposals simulated by this invocation (including those past the
    /// last acceptance of a batch), each over `replications` runs.
    pub simulations_run: u64,
    /// Model runs per proposal (the calibration's `replications`).
    pub replications: u32,
    /// Wall time of this invocation.
    pub wall: Duration,
    /// Wall time of the whole calibration, time before a resume included.
    pub elapsed: Duration,
}

/// The plan part of the manifest: how the calibration ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
    /// The calibration's identity with its `max_minutes` (see
    /// `Context::result_identity`), so that a stray shard or join after
    /// the end can tell that this result is its own; empty in results of
    /// earlier versions.
    #[serde(default)]
    pub identity: String,
    /// Why it stopped.
    pub stop: String,
    /// Generations completed.
    pub generations: u32,
    /// Particles per generation.
    pub population: usize,
    /// Replications per particle.
    pub replications: u32,
    /// Proposals consumed by the completed generations.
    pub proposals: u64,
    /// The fitted targets.
    pub fitted: Vec<String>,
    /// The held-out targets.
    pub held_out: Vec<String>,
}

/// The saved state: the engine's state, what makes it this calibration's,
/// and the calibration's wall time so far (so that `max_minutes` counts the
/// time before a kill and `--resume`).
#[derive(Debug, Serialize, Deserialize)]
pub(crate) struct Saved {
    pub(crate) identity: String,
    /// Seconds spent up to this state, over every invocation.
    #[serde(default)]
    pub(crate) elapsed_seconds: f64,
    /// The `--tables` of the run that saved it: a `--resume` without
    /// `--tables` ends with the files the interrupted run would have.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) tables: Vec<Table>,
    pub(crate) state: GenerationState,
}

/// A calibration file loaded, with its engine, identity and folders.
pub(crate) struct Context {
    pub(crate) setup: Setup,
    pub(crate) abc: Abc,
    /// Hash of everything that makes the saved state this calibration's.
    pub(crate) identity: String,
    /// The text the identity hashes, kept in the work folder so that a
    /// refusal can name the keys that changed.
    pub(crate) settings: String,
    /// The models' names, in the order of their worlds in `settings`.
    pub(crate) model_names: Vec<String>,
    /// The result folder, `OUT/<name>`.
    pub(crate) dir: PathBuf,
    /// The work folder, `OUT/.<name>.partial`.
    pub(crate) partial: PathBuf,
}

impl Context {
    pub(crate) fn load(options: &Options) -> Result<Context, CalibrateError> {
        let setup = Setup::load(&options.file)?;
        if options.tables.contains(&Table::Summary) {
            setup.check_summary_years()?;
        }
        let abc = Abc::new(setup.model_specs(), setup.observed(), setup.config())?;
        // The wall-clock limit and the round size never change what is
        // accepted, so a resume may raise the one or change the other.
        let mut resolved = setup.resolved.clone();
        if let Some(toml::Value::Table(c)) = resolved.get_mut("calibrate") {
            c.remove("max_minutes");
            c.remove("round_size");
        }
        // The text is kept as it is hashed (see `calibrate::settings`).
        let settings = crate::sweep::plan::fingerprinted_text(&(
            env!("CARGO_PKG_VERSION"),
            abc.fingerprint(),
            &resolved,
            setup
                .models
                .iter()
                .map(|m| m.overlay.base())
                .collect::<Vec<_>>(),
            setup.settings.replications,
        ));
        let identity = crate::sweep::plan::fingerprint_of(&settings);
        let model_names = setup.models.iter().map(|m| m.name.clone()).collect();
        let dir = options.out.join(&setup.name);
        let partial = sibling(&dir, "partial");
        Ok(Context {
            setup,
            abc,
            identity,
            settings,
            model_names,
            dir,
            partial,
        })
    }

    /// Why the work folder, whose state or parts carry the identity
    /// `found`, is another calibration's: the keys that changed, if the
    /// folder kept the text `found` hashes, else [`settings::UNNAMED`].
    pub(crate) fn differs(&self, found: &str) -> String {
        let kept = std::fs::read(self.partial.join(settings::FILE))
            .ok()
            .and_then(|b| settings::parse(&b))
            // A damaged or hand-edited file says nothing of the folder.
            .filter(|(text, _)| crate::sweep::plan::fingerprint_of(text) == found);
        kept.and_then(|(text, names)| {
            settings::changed((&text, &names), (&self.settings, &self.model_names))
        })
        .unwrap_or_else(|| settings::UNNAMED.to_string())
    }

    /// The refusal of a shard or join finding the work folder of the
    /// calibration `found`.
    pub(crate) fn stale(&self, found: &str) -> CalibrateError {
        CalibrateError::Stale {
            partial: self.partial.clone(),
            why: self.differs(found),
        }
    }

    /// Keep the text the identity hashes in the folder `dir` (the work
    /// folder, or the one built aside to become it), if not kept already.
    pub(crate) fn keep_settings(&self, dir: &Path) -> Result<(), CalibrateError> {
        let path = dir.join(settings::FILE);
        if path.is_file() {
            return Ok(());
        }
        write_durably(
            &path,
            &settings::to_bytes(&self.settings, &self.model_names),
        )
    }

    pub(crate) fn state_path(&self) -> PathBuf {
        self.partial.join("state.toml")
    }

    /// The saved state, if there is one; refused if another calibration
    /// saved it, or if it does not read ([`CalibrateError::Damaged`], with
    /// `fix`: a run on one machine starts over without `--resume`).
    pub(crate) fn read_saved(&self, fix: &str) -> Result<Option<Saved>, CalibrateError> {
        match self.read_state(fix)? {
            Some(saved) if saved.identity != self.identity => Err(CalibrateError::Resume {
                path: self.state_path(),
                why: format!(
                    "it was saved by another calibration ({})",
                    self.differs(&saved.identity)
                ),
            }),
            saved => Ok(saved),
        }
    }

    /// The saved state, if there is one, whichever calibration saved it;
    /// refused if it does not read ([`CalibrateError::Damaged`], with
    /// `fix`).
    pub(crate) fn read_state(&self, fix: &str) -> Result<Option<Saved>, CalibrateError> {
        let path = self.state_path();
        if !path.is_file() {
            return Ok(None);
        }
        read_toml(&path, "the calibration's saved state", fix).map(Some)
    }

    /// The generations completed in the saved state, whichever calibration
    /// saved it, if there is one that reads.
    pub(crate) fn saved_generations(&self) -> Option<u32> {
        let saved = self.read_state("").ok().flatten()?;
        Some(saved.state.generation)
    }

    /// What makes a finished result this calibration's: its identity and
    /// its `max_minutes`, which the identity leaves out (a resume may raise
    /// it) but which can end a calibration sooner, so that a result that
    /// stopped on the old limit is not taken for one under a new limit.
    pub(crate) fn result_identity(&self) -> String {
        crate::sweep::plan::fingerprint(&(&self.identity, self.setup.settings.max_minutes))
    }

    /// The result folder, if this calibration finished there: no work
    /// folder is left, and the result's manifest carries this identity and
    /// matches its files. A shard or join run after the join that finished
    /// would otherwise start the calibration over (there is no saved
    /// state) or find no shard to join. This calibration's result with
    /// files changed since is refused: starting over unasked would spend
    /// the whole calibration again to replace it.
    pub(crate) fn finished(&self) -> Result<Option<&Path>, CalibrateError> {
        if self.partial.exists() {
            return Ok(None);
        }
        let Ok(m) = Manifest::<CalibrationRecord>::read(&self.dir) else {
            return Ok(None);
        };
        let own = m
            .plan
            .as_ref()
            .is_some_and(|p| p.identity == self.result_identity());
        if !own {
            return Ok(None);
        }
        let files = m.damaged(&self.dir).map_err(|e| {
            CalibrateError::Output(crate::output::publish::write_error(e, &self.dir))
        })?;
        if files.is_empty() {
            Ok(Some(self.dir.as_path()))
        } else {
            Err(CalibrateError::ResultChanged {
                dir: self.dir.clone(),
                files,
            })
        }
    }

    /// Refuse `tables` asked for after the end that the finished result
    /// does not list (all of them if it cannot be read): they cannot be
    /// added to it.
    pub(crate) fn tables_in_result(&self, tables: &[Table]) -> Result<(), CalibrateError> {
        let listed = Manifest::<CalibrationRecord>::read(&self.dir).map(|m| m.files);
        let missing: Vec<String> = tables
            .iter()
            .map(|t| format!("{t}.csv"))
            .filter(|f| !listed.as_ref().is_ok_and(|files| files.contains_key(f)))
            .collect();
        if missing.is_empty() {
            Ok(())
        } else {
            Err(CalibrateError::TablesAfterEnd {
                dir: self.dir.clone(),
                missing,
            })
        }
    }

    /// Write `state` durably, with the calibration's wall time so far.
    pub(crate) fn save(
        &self,
        state: &GenerationState,
        elapsed: f64,
        tables: &[Table],
    ) -> Result<(), CalibrateError> {
        let path = self.state_path();
        write_durably(&path, &self.saved_bytes(&path, state, elapsed, tables)?)
    }

    /// Make the work folder anew, holding `state` as [`Context::save`]
    /// writes it: built aside and renamed into place, so that a work
    /// folder, once there, holds what a resume needs (the identity, the
    /// tables, the time). A kill -9 at any moment leaves no folder or one
    /// with a state, never an empty one that a resume reads as nothing
    /// saved and starts over from the prior without the tables.
    pub(crate) fn create_partial(
        &self,
        state: &GenerationState,
        elapsed: f64,
        tables: &[Table],
    ) -> Result<(), CalibrateError> {
        let aside = sibling(&self.dir, "partial.new");
        for old in [&aside, &self.partial] {
            if old.exists() {
                std::fs::remove_dir_all(old).map_err(io_error(old))?;
            }
        }
        std::fs::create_dir_all(&aside).map_err(io_error(&aside))?;
        self.keep_settings(&aside)?;
        let path = aside.join("state.toml");
        write_durably(&path, &self.saved_bytes(&path, state, elapsed, tables)?)?;
        std::fs::rename(&aside, &self.partial).map_err(io_error(&self.partial))?;
        let parent = self.partial.parent().unwrap_or(Path::new("."));
        sync_dir(parent).map_err(io_error(parent))
    }

    /// The saved state's file: `state` with this calibration's identity,
    /// the wall time so far and `tables` (errors are `path`'s).
    fn saved_bytes(
        &self,
        path: &Path,
        state: &GenerationState,
        elapsed: f64,
        tables: &[Table],
    ) -> Result<Vec<u8>, CalibrateError> {
        let saved = Saved {
            identity: self.identity.clone(),
            elapsed_seconds: elapsed,
            tables: tables.to_vec(),
            state: state.clone(),
        };
        toml_bytes(path, &saved)
    }

    /// Whether `elapsed` seconds use up `max_minutes`.
    pub(crate) fn out_of_time(&self, elapsed: f64) -> bool {
        self.setup
            .settings
            .max_minutes
            .is_some_and(|m| elapsed >= m * 60.0)
    }
}

/// The first line of a work file's TOML: the BLAKE3 hash of the rest.
/// The saved state, the round and the shards' parts hold numbers that
/// index models, particles and proposals and bound loops: one edited or
/// damaged on disk since it was written (a digit flipped, a hand edit)
/// made a resume panic, hang or finish with a wrong result. With the hash,
/// any change to such a file is refused as damage, as a sweep's ledger's
/// checksums refuse a changed line.
const CHECKSUM_LINE: &str = "# blake3 ";

/// `value` as a work file's TOML ([`read_toml`] reads it), led by its
/// checksum line; errors are `path`'s.
pub(crate) fn toml_bytes<T: Serialize>(path: &Path, value: &T) -> Result<Vec<u8>, CalibrateError> {
    let body = toml::to_string(value).map_err(|e| CalibrateError::Io {
        path: path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let hash = blake3::hash(body.as_bytes());
    Ok(format!("{CHECKSUM_LINE}{hash} of the lines below: a file changed since it was written is refused\n{body}").into_bytes())
}

/// A work file written by [`toml_bytes`], read back: one that is not as
/// written (cut short, edited, its checksum line gone) is `damaged` with
/// what is wrong.
pub(crate) fn read_checked<T: serde::de::DeserializeOwned>(
    path: &Path,
    damaged: impl Fn(String) -> CalibrateError,
) -> Result<T, CalibrateError> {
    let bytes = std::fs::read(path).map_err(io_error(path))?;
    let text = std::str::from_utf8(&bytes).map_err(|_| damaged("it is not UTF-8 text".into()))?;
    let (first, body) = text.split_once('\n').unwrap_or((text, ""));
    let hash = first
        .strip_prefix(CHECKSUM_LINE)
        .and_then(|rest| rest.split(' ').next())
        .ok_or_else(|| damaged("its first line is not its checksum".into()))?;
    if hash != blake3::hash(body.as_bytes()).to_hex().as_str() {
        return Err(damaged(
            "its contents do not match its checksum: changed since it was written".into(),
        ));
    }
    toml::from_str(body).map_err(|e| damaged(e.to_string()))
}

/// A file of the work folder, `what` for a message; one that is not as
/// written ([`read_checked`]) was damaged since, and `fix` mends it.
pub(crate) fn read_toml<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &'static str,
    fix: &str,
) -> Result<T, CalibrateError> {
    read_checked(path, |why| CalibrateError::Damaged {
        path: path.to_path_buf(),
        what,
        why,
        fix: fix.into(),
    })
}

/// An I/O error at `path`.
pub(crate) fn io_error(path: &Path) -> impl Fn(std::io::Error) -> CalibrateError {
    let path = path.to_path_buf();
    move |source| CalibrateError::Io {
        path: path.clone(),
        source,
    }
}

/// Write `bytes` to `path` durably: to a file aside, synced, then renamed
/// over it, so that a reader never sees half a file. The file aside has a
/// name of its own, because the shards of a round, started at once, may
/// each write the same file (the work folder's settings). The folder must
/// be there: a folder removed meanwhile (the calibration finished or taken
/// over) is not made again.
pub(crate) fn write_durably(path: &Path, bytes: &[u8]) -> Result<(), CalibrateError> {
    replace_whole(path, bytes).map_err(io_error(path))
}

/// The line a completed generation prints.
pub(crate) fn generation_line(
    setup: &Setup,
    r: &crate::analysis::abc::GenerationRecord,
    elapsed: f64,
) -> String {
    let probabilities: Vec<String> = setup
        .models
        .iter()
        .zip(&r.model_probabilities)
        .map(|(m, p)| format!("{} {p:.3}", m.name))
        .collect();
    format!(
        "generation {}: tolerance {:.4}, acceptance {:.3} ({} of {}), ESS {:.0}, P: {}; {:.1} s",
        r.generation,
        r.tolerance,
        r.acceptance_rate,
        r.accepted,
        r.proposed,
        r.ess,
        probabilities.join(", "),
        elapsed,
    )
}

/// Write the result of the last completed generation of `state` (it
/// stopped for `stop`) into `dest`, put it in place whole, and remove the
/// work folder; `None`, with nothing put in place and the work folder kept
/// (its state is that generation's), if `interrupted` was set (Ctrl-C)
/// before the result was whole.
#[allow(clippy::too_many_arguments)]
pub(crate) fn publish(
    ctx: &Context,
    dest: &Destination,
    options: &Options,
    pool: &rayon::ThreadPool,
    state: &GenerationState,
    stop: StopReason,
    started: SystemTime,
    interrupted: &AtomicBool,
) -> Result<Option<PathBuf>, CalibrateError> {
    let setup = &ctx.setup;
    let Some(population) = state.population.as_ref() else {
        return Err(CalibrateError::NothingCompleted {
            why: format!("{stop:?}"),
        });
    };
    let staging = dest.stage()?;
    let werr = |e| write_error(e, dest.path());
    // The predictive runs' tables, if asked for: their header reads the
    // summary's years from a world (every particle has the same span).
    let mut files = match options.tables.is_empty() {
        true => None,
        false => {
            let first = &population.particles[0];
            let (w, _) = setup.compile(first.model, &first.parameters)?;
            let lead = Some(tables::LEAD);
            Some(TableFiles::create(&staging, &options.tables, &w, lead).map_err(werr)?)
        }
    };
    let predictive = tables::predictive(
        setup,
        population,
        &options.tables,
        pool,
        interrupted,
        |rows| {
            if let Some(f) = files.as_mut() {
                f.append(rows).map_err(werr)?;
            }
            Ok::<(), CalibrateError>(())
        },
    )?;
    let Some(predictive) = predictive else {
        return Ok(None);
    };
    if let Some(f) = files {
        f.finish().map_err(werr)?;
    }
    tables::write_all(&staging, setup, &ctx.abc, state, &predictive).map_err(werr)?;
    let mut manifest: Manifest<CalibrationRecord> = Manifest::new(Command::Calibrate, started);
    manifest.threads = Some(pool.current_num_threads());
    manifest.seed = Some(setup.seed);
    manifest.replications = Some(setup.settings.replications);
    // The models' files are named relative to the calibration file: in the
    // record, which is read from elsewhere, by their full paths, so that
    // the record alone runs again.
    let mut resolved = setup.resolved.clone();
    if let Some(toml::Value::Table(models)) = resolved
        .get_mut("calibrate")
        .and_then(|c| c.get_mut("models"))
    {
        for m in &setup.models {
            if let Some(toml::Value::Table(entry)) = models.get_mut(&m.name) {
                let full = std::fs::canonicalize(&m.file).unwrap_or_else(|_| m.file.clone());
                entry.insert(
                    "file".into(),
                    toml::Value::String(full.display().to_string()),
                );
            }
        }
    }
    manifest.scenarios.push(ScenarioRecord {
        name: setup.name.clone(),
        file: options.file.display().to_string(),
        resolved,
    });
    for m in &setup.models {
        // The switches as the model ran, as `run` records them: its
        // hypothesis's switched off (off either way when it runs again).
        let mut resolved = m.overlay.base().clone();
        if let Ok(sc) = m.overlay.scenario_with(&[]) {
            let ran = World::mechanisms_of(&sc, Class::Commercial);
            resolved.insert(
                "mechanisms".into(),
                toml::Value::try_from(ran).expect("switches serialize"),
            );
        }
        manifest.scenarios.push(ScenarioRecord {
            name: m.name.clone(),
            file: m.file.display().to_string(),
            resolved,
        });
    }
    let roles = |fit: bool| -> Vec<String> {
        setup
            .targets
            .list
            .iter()
            .filter(|t| (t.role == crate::scenario::schema::Role::Fit) == fit)
            .map(|t| t.id.clone())
            .collect()
    };
    manifest.plan = Some(CalibrationRecord {
        identity: ctx.result_identity(),
        stop: format!("{stop:?}"),
        generations: state.generation,
        population: setup.settings.population,
        replications: setup.settings.replications,
        proposals: state.proposals_total,
        fitted: roles(true),
        held_out: roles(false),
    });
    manifest.write(&staging).map_err(werr)?;
    if interrupted.load(std::sync::atomic::Ordering::Relaxed) {
        return Ok(None);
    }
    dest.publish(staging)?;
    if ctx.partial.exists() {
        dest.remove_work(&ctx.partial)
            .map_err(io_error(&ctx.partial))?;
    }
    Ok(Some(dest.path().to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Shards started at once write the work folder's settings together:
    /// with one name aside for every writer, one writer's rename took the
    /// file another was about to rename, which then failed ("No such file
    /// or directory"). Every writer succeeds, and the file is one whole
    /// writer's bytes.
    #[test]
    fn writers_of_one_file_at_once_all_succeed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.jsonl");
        let texts: Vec<Vec<u8>> = (0..8u8).map(|i| vec![b'a' + i; 4096]).collect();
        for _ in 0..20 {
            std::thread::scope(|s| {
                let writers: Vec<_> = texts
                    .iter()
                    .map(|t| s.spawn(|| write_durably(&path, t)))
                    .collect();
                for w in writers {
                    w.join().unwrap().unwrap();
                }
            });
            let kept = std::fs::read(&path).unwrap();
            assert!(texts.contains(&kept), "a mixed or partial file");
        }
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["settings.jsonl"], "nothing left aside");
    }
}

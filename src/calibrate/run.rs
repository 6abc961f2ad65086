//! A calibration run durably: the engine's state is saved after every
//! generation (written aside, synced, renamed over the previous one) in
//! `OUT/.<name>.partial/`, so that `--resume` after a kill continues from
//! the last completed generation and ends with the same bytes. The result
//! is written into a private folder and put in place whole.

use crate::analysis::abc::{Abc, GenerationState, StopReason};
use crate::calibrate::setup::Setup;
use crate::calibrate::{CalibrateError, tables};
use crate::output::faults;
use crate::output::manifest::{Command, Manifest, ScenarioRecord};
use crate::output::publish::{Destination, sibling, sync_dir, write_error};
use serde::{Deserialize, Serialize};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// What `armsmarket calibrate` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The calibration file.
    pub file: PathBuf,
    /// The output folder; the result goes to `OUT/<name>/`.
    pub out: PathBuf,
    /// Continue from the saved state, if any.
    pub resume: bool,
    /// Worker threads (recorded in the manifest; the pool is the caller's).
    pub threads: usize,
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
    /// Simulations run by this invocation (including those past the last
    /// acceptance of a batch).
    pub simulations_run: u64,
    /// Wall time of this invocation.
    pub wall: Duration,
}

/// The plan part of the manifest: how the calibration ended.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationRecord {
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

/// The saved state: the engine's state and what makes it this
/// calibration's.
#[derive(Debug, Serialize, Deserialize)]
struct Saved {
    identity: String,
    state: GenerationState,
}

/// Run the calibration `options.file` on the current thread's pool
/// (`pool` evaluates batches), stopping early when `stop` is set (Ctrl-C);
/// `say` receives a line per generation.
pub fn calibrate(
    options: &Options,
    pool: &rayon::ThreadPool,
    stop: &AtomicBool,
    say: &(dyn Fn(&str) + Sync),
) -> Result<Report, CalibrateError> {
    let started = SystemTime::now();
    let clock = Instant::now();
    let setup = Setup::load(&options.file)?;
    let abc = Abc::new(setup.model_specs(), setup.observed(), setup.config())?;
    let identity = crate::sweep::plan::fingerprint(&(
        env!("CARGO_PKG_VERSION"),
        abc.fingerprint(),
        &setup.resolved,
        setup
            .models
            .iter()
            .map(|m| m.overlay.base())
            .collect::<Vec<_>>(),
        setup.settings.replications,
    ));
    let dir = options.out.join(&setup.name);
    let dest = Destination::lock(&dir)?;
    let partial = sibling(dest.path(), "partial");
    let state_path = partial.join("state.toml");
    let io = |path: &Path| {
        let path = path.to_path_buf();
        move |source| CalibrateError::Io { path, source }
    };
    let state = match (options.resume, state_path.is_file()) {
        (true, true) => {
            let text = std::fs::read_to_string(&state_path).map_err(io(&state_path))?;
            let bad = |why: String| CalibrateError::Resume {
                path: state_path.clone(),
                why,
            };
            let saved: Saved =
                toml::from_str(&text).map_err(|e| bad(format!("not a saved state ({e})")))?;
            if saved.identity != identity {
                return Err(bad(
                    "it was saved by another calibration (file, models, settings or program version differ)"
                        .into(),
                ));
            }
            say(&format!(
                "resuming after generation {} from {}",
                saved.state.generation.saturating_sub(1),
                state_path.display()
            ));
            saved.state
        }
        (resume, _) => {
            if resume {
                say("nothing saved to resume: starting from the prior");
            }
            if partial.exists() {
                std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
            }
            abc.initial_state()
        }
    };
    std::fs::create_dir_all(&partial).map_err(io(&partial))?;
    let deadline = setup
        .settings
        .max_minutes
        .map(|m| clock + Duration::from_secs_f64(m * 60.0));
    let mut budget =
        || stop.load(Ordering::Relaxed) || deadline.is_some_and(|d| Instant::now() >= d);
    let mut saved_error: Option<CalibrateError> = None;
    let mut generations_here = 0u64;
    let max_generations = setup.settings.generations;
    let outcome = pool.install(|| {
        abc.run(&setup, state, &mut budget, |s| {
            if let Err(e) = save(&partial, &state_path, &identity, s) {
                saved_error = Some(e);
                return ControlFlow::Break(());
            }
            generations_here += 1;
            faults::abort_at("generation", generations_here);
            if let Some(r) = s.history.last() {
                // Later generations accept less and take longer: the mean
                // time so far gives a lower bound of what is left.
                let elapsed = clock.elapsed().as_secs_f64();
                let left = f64::from(max_generations.saturating_sub(s.generation));
                let probabilities: Vec<String> = setup
                    .models
                    .iter()
                    .zip(&r.model_probabilities)
                    .map(|(m, p)| format!("{} {p:.3}", m.name))
                    .collect();
                say(&format!(
                    "generation {}: tolerance {:.4}, acceptance {:.3} ({} of {}), ESS {:.0}, P: {}; {:.1} s, ETA {:.0} s or more",
                    r.generation,
                    r.tolerance,
                    r.acceptance_rate,
                    r.accepted,
                    r.proposed,
                    r.ess,
                    probabilities.join(", "),
                    elapsed,
                    elapsed / generations_here as f64 * left
                ));
            }
            ControlFlow::Continue(())
        })
    })?;
    if let Some(e) = saved_error {
        return Err(e);
    }
    if outcome.stop == StopReason::Budget && stop.load(Ordering::Relaxed) {
        return Err(CalibrateError::Stopped {
            kept: partial,
            resume: format!(
                "armsmarket calibrate {} --out {} --resume",
                options.file.display(),
                options.out.display()
            ),
        });
    }
    let state = &outcome.state;
    let Some(population) = state.population.as_ref() else {
        return Err(CalibrateError::NothingCompleted {
            why: format!("{:?}", outcome.stop),
        });
    };
    let staging = dest.stage()?;
    let werr = |e| write_error(e, dest.path());
    let predictive = pool.install(|| tables::predictive(&setup, population))?;
    tables::write_all(&staging, &setup, &abc, state, &predictive).map_err(werr)?;
    let mut manifest: Manifest<CalibrationRecord> = Manifest::new(Command::Calibrate, started);
    manifest.threads = Some(options.threads);
    manifest.seed = Some(setup.seed);
    manifest.replications = Some(setup.settings.replications);
    manifest.scenarios.push(ScenarioRecord {
        name: setup.name.clone(),
        file: options.file.display().to_string(),
        resolved: setup.resolved.clone(),
    });
    for m in &setup.models {
        manifest.scenarios.push(ScenarioRecord {
            name: m.name.clone(),
            file: m.file.display().to_string(),
            resolved: m.overlay.base().clone(),
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
        stop: format!("{:?}", outcome.stop),
        generations: state.generation,
        population: setup.settings.population,
        replications: setup.settings.replications,
        proposals: state.proposals_total,
        fitted: roles(true),
        held_out: roles(false),
    });
    manifest.write(&staging).map_err(werr)?;
    dest.publish(staging)?;
    std::fs::remove_dir_all(&partial).map_err(io(&partial))?;
    Ok(Report {
        name: setup.name.clone(),
        dir: dest.path().to_path_buf(),
        stop: outcome.stop,
        generations: state.generation,
        proposals: state.proposals_total,
        simulations_run: outcome.simulations_run,
        wall: clock.elapsed(),
    })
}

/// Write the state durably: to a file aside, synced, then renamed over
/// the previous state.
fn save(
    partial: &Path,
    state_path: &Path,
    identity: &str,
    state: &GenerationState,
) -> Result<(), CalibrateError> {
    let saved = Saved {
        identity: identity.to_string(),
        state: state.clone(),
    };
    let text = toml::to_string(&saved).map_err(|e| CalibrateError::Io {
        path: state_path.to_path_buf(),
        source: std::io::Error::other(e),
    })?;
    let aside = partial.join("state.toml.new");
    let io = |source| CalibrateError::Io {
        path: state_path.to_path_buf(),
        source,
    };
    {
        use std::io::Write;
        let mut f = std::fs::File::create(&aside).map_err(io)?;
        f.write_all(text.as_bytes()).map_err(io)?;
        f.sync_all().map_err(io)?;
    }
    std::fs::rename(&aside, state_path).map_err(io)?;
    sync_dir(partial).map_err(io)
}

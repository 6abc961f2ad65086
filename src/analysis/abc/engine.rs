//! The ABC-SMC engine with joint model choice (Toni et al. 2009; Toni &
//! Stumpf 2010), following pyABC's `ABCSMC`.
//!
//! A generation is a pure function of the previous state and the keyed
//! streams: proposal `j` of generation `t` is drawn from
//! [`proposal_stream`]`(seed, t, j)` and
//! simulated with [`simulation_stream`]`(seed, t, j)`;
//! acceptance walks the rows in index order and keeps the first N accepted.
//! Whoever evaluates the rows (one thread, a rayon pool, machines holding
//! index ranges) the population is the same, bit for bit.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::ops::ControlFlow;
use std::time::Instant;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use xxhash_rust::xxh64::xxh64;

use super::distance::{fit_scales, weighted_distance};
use super::error::AbcError;
use super::kernel::{
    KernelScaling, KernelView, fit_model_kernel, model_transition_probability, perturb_model,
};
use super::model::{ModelSpec, Simulator};
use super::seeding::{proposal_stream, reservoir_key, simulation_stream};
use super::state::{GenerationRecord, GenerationState, Particle, Population};
use super::stats::{effective_sample_size, model_probabilities, weighted_quantile};

/// When to stop. The generation-level rules are checked after every
/// generation; the proposal budgets bound the proposal indices a generation
/// may use, so they act within a generation, batch by batch, and still do
/// not depend on batch size or thread count.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StoppingRules {
    /// Generations to run in total, counting generation 0 (the prior sample).
    pub max_generations: u32,
    /// Stop once a generation's tolerance is at or below this.
    pub min_tolerance: f64,
    /// A generation may use at most ⌊N / rate⌋ proposals: once it cannot
    /// reach this acceptance rate any more, it is abandoned and the run stops.
    pub min_acceptance_rate: f64,
    /// At most this many proposals over the whole run (completed generations
    /// plus the running one); no proposal index beyond it is evaluated.
    pub max_simulations: u64,
}

impl Default for StoppingRules {
    fn default() -> Self {
        Self {
            max_generations: 10,
            min_tolerance: 0.0,
            min_acceptance_rate: 0.0,
            max_simulations: u64::MAX,
        }
    }
}

/// Settings of a run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AbcConfig {
    /// Root of every random stream.
    pub seed: u64,
    /// Particles per generation (N).
    pub population_size: usize,
    /// Quantile of the previous distances that sets the next tolerance
    /// (0.5: weighted median).
    pub quantile: f64,
    /// p of the p-norm distance (≥ 1; ∞ for the maximum norm).
    pub p_norm: f64,
    /// Probability that the model perturbation keeps the model.
    pub model_stay_probability: f64,
    /// Scaling of the proposal covariance.
    pub kernel_scaling: KernelScaling,
    /// Floor of the perturbation standard deviation of integer parameters.
    pub integer_min_sd: f64,
    /// Rejected rows kept per generation for fitting the distance scales.
    pub reservoir_size: usize,
    /// Redraws allowed for one proposal before giving up on the support.
    pub max_support_attempts: u32,
    /// Proposals evaluated per batch by [`Abc::run`]; does not change results.
    pub batch_size: usize,
    /// Tolerance of generation 0, which samples the prior. ∞ (the default)
    /// accepts every defined simulation, so generation 0 is a plain prior
    /// sample: it then plays the part of pyABC's calibration sample, from
    /// which the first scales and the first finite tolerance come. A finite
    /// value is pyABC's `MedianEpsilon(initial_epsilon)`: rejection from the
    /// prior at that tolerance, under `initial_scales`.
    pub initial_tolerance: f64,
    /// Distance scales of generation 0 (default 1 for every statistic).
    pub initial_scales: Option<Vec<f64>>,
    /// Stopping rules; they do not change the generations that are run.
    pub stopping: StoppingRules,
}

impl AbcConfig {
    /// Defaults: median tolerance, p = 2, stay 0.7, kernel covariance twice
    /// the weighted population covariance (see [`KernelScaling`]), integer
    /// floor ½, reservoir 4N, batches of 64, stopping defaults.
    pub fn new(seed: u64, population_size: usize) -> Self {
        Self {
            seed,
            population_size,
            quantile: 0.5,
            p_norm: 2.0,
            model_stay_probability: 0.7,
            kernel_scaling: KernelScaling::default(),
            integer_min_sd: 0.5,
            reservoir_size: 4 * population_size,
            max_support_attempts: 100_000,
            batch_size: 64,
            initial_tolerance: f64::INFINITY,
            initial_scales: None,
            stopping: StoppingRules::default(),
        }
    }
}

/// A proposed (model, parameters) pair.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    /// Generation index.
    pub generation: u32,
    /// Proposal index.
    pub index: u64,
    /// Model index.
    pub model: usize,
    /// Parameter vector.
    pub parameters: Vec<f64>,
    /// Draws needed to land inside the prior support.
    pub attempts: u32,
}

/// What an evaluator hands back for one proposal.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SimulationRow {
    /// Proposal index.
    pub index: u64,
    /// Fitted statistics, in the order of the observed ones (NaN = undefined).
    pub statistics: Vec<f64>,
}

/// Result of handing rows to [`Abc::accept`].
#[derive(Clone, Debug, PartialEq)]
pub enum Acceptance {
    /// The generation is complete; here is the state for the next one.
    Complete(Box<GenerationState>),
    /// More rows are needed, starting at `next_index`.
    NeedMore {
        /// First index not yet seen.
        next_index: u64,
        /// Particles accepted so far.
        accepted: usize,
    },
}

/// Why [`Abc::run`] returned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum StopReason {
    /// `max_generations` generations are complete.
    MaxGenerations,
    /// The last tolerance reached `min_tolerance`.
    MinTolerance,
    /// The running generation could not reach `min_acceptance_rate`.
    MinAcceptanceRate,
    /// The running generation hit `max_simulations`.
    MaxSimulations,
    /// The caller's [`Budget`] ran out (e.g. wall clock).
    Budget,
    /// The observer asked to stop.
    Observer,
}

/// The outcome of [`Abc::run`]: the state after the last completed
/// generation (ready to resume from) and why it stopped.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    /// State after the last completed generation.
    pub state: GenerationState,
    /// Why the run stopped.
    pub stop: StopReason,
    /// Simulations actually run, including those of an abandoned generation
    /// and those past the N-th acceptance in the last batch of a generation
    /// (so it depends on batch size, unlike everything in the state).
    pub simulations_run: u64,
}

/// A limit the caller controls, checked before every batch. A run stopped by
/// it returns the last completed generation; resuming from there gives the
/// same result as never stopping.
pub trait Budget {
    /// True when no further batch may start.
    fn exhausted(&mut self) -> bool;
}

impl<F: FnMut() -> bool> Budget for F {
    fn exhausted(&mut self) -> bool {
        self()
    }
}

/// No limit.
#[derive(Clone, Copy, Debug, Default)]
pub struct Unlimited;

impl Budget for Unlimited {
    fn exhausted(&mut self) -> bool {
        false
    }
}

/// A wall-clock deadline.
#[derive(Clone, Copy, Debug)]
pub struct Deadline(pub Instant);

impl Budget for Deadline {
    fn exhausted(&mut self) -> bool {
        Instant::now() >= self.0
    }
}

/// The ABC-SMC problem: models, observed statistics and settings.
#[derive(Debug)]
pub struct Abc {
    models: Vec<ModelSpec>,
    observed: Vec<f64>,
    config: AbcConfig,
    model_prior: Vec<f64>,
    fingerprint: String,
}

impl Abc {
    /// Validates the problem and settings.
    pub fn new(
        models: Vec<ModelSpec>,
        observed: Vec<f64>,
        config: AbcConfig,
    ) -> Result<Self, AbcError> {
        let bad =
            |field: &'static str, reason: String| Err(AbcError::InvalidConfig { field, reason });
        if models.is_empty() {
            return bad("models", "at least one model is needed".into());
        }
        if let Some(m) = models
            .iter()
            .find(|m| !(m.prior_weight.is_finite() && m.prior_weight > 0.0))
        {
            return bad(
                "prior_weight",
                format!("model {} has weight {}", m.name, m.prior_weight),
            );
        }
        if let Some((index, &value)) = observed.iter().enumerate().find(|(_, v)| !v.is_finite()) {
            return Err(AbcError::ObservedNotFinite { index, value });
        }
        if observed.is_empty() {
            return bad("observed", "at least one fitted statistic is needed".into());
        }
        if config.initial_tolerance.is_nan() || config.initial_tolerance < 0.0 {
            return bad(
                "initial_tolerance",
                format!("{} is not a tolerance", config.initial_tolerance),
            );
        }
        if let Some(scales) = &config.initial_scales
            && (scales.len() != observed.len()
                || scales.iter().any(|s| !(s.is_finite() && *s >= 0.0)))
        {
            return bad(
                "initial_scales",
                format!(
                    "need {} finite non-negative scales, got {scales:?}",
                    observed.len()
                ),
            );
        }
        if config.population_size == 0 {
            return bad("population_size", "must be positive".into());
        }
        if !(config.quantile > 0.0 && config.quantile < 1.0) {
            return bad("quantile", format!("{} is not in (0, 1)", config.quantile));
        }
        if config.p_norm.is_nan() || config.p_norm < 1.0 {
            return bad("p_norm", format!("{} is below 1", config.p_norm));
        }
        if !(0.0..=1.0).contains(&config.model_stay_probability) {
            return bad(
                "model_stay_probability",
                format!("{} is not in [0, 1]", config.model_stay_probability),
            );
        }
        let scale_ok = match config.kernel_scaling {
            KernelScaling::Silverman { scaling } => scaling.is_finite() && scaling > 0.0,
            KernelScaling::Fixed { factor } => factor.is_finite() && factor > 0.0,
        };
        if !scale_ok {
            return bad(
                "kernel_scaling",
                format!("{:?} must be finite and positive", config.kernel_scaling),
            );
        }
        if !(config.integer_min_sd.is_finite() && config.integer_min_sd > 0.0) {
            return bad(
                "integer_min_sd",
                format!("{} must be finite and positive", config.integer_min_sd),
            );
        }
        if config.batch_size == 0 {
            return bad("batch_size", "must be positive".into());
        }
        if config.max_support_attempts == 0 {
            return bad("max_support_attempts", "must be positive".into());
        }
        if !(0.0..=1.0).contains(&config.stopping.min_acceptance_rate) {
            return bad(
                "min_acceptance_rate",
                format!("{} is not in [0, 1]", config.stopping.min_acceptance_rate),
            );
        }
        let total: f64 = models.iter().map(|m| m.prior_weight).sum();
        let model_prior = models.iter().map(|m| m.prior_weight / total).collect();
        let fingerprint = fingerprint(&models, &observed, &config);
        Ok(Self {
            models,
            observed,
            config,
            model_prior,
            fingerprint,
        })
    }

    /// The models.
    pub fn models(&self) -> &[ModelSpec] {
        &self.models
    }

    /// The observed fitted statistics.
    pub fn observed(&self) -> &[f64] {
        &self.observed
    }

    /// The settings.
    pub fn config(&self) -> &AbcConfig {
        &self.config
    }

    /// Normalised prior model probabilities.
    pub fn model_prior(&self) -> &[f64] {
        &self.model_prior
    }

    /// Hash of the problem and result-relevant settings (hex).
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The state before generation 0: proposals come from the prior, at the
    /// initial tolerance (see [`AbcConfig::initial_tolerance`]).
    pub fn initial_state(&self) -> GenerationState {
        GenerationState {
            fingerprint: self.fingerprint.clone(),
            generation: 0,
            tolerance: self.config.initial_tolerance,
            scales: self
                .config
                .initial_scales
                .clone()
                .unwrap_or_else(|| vec![1.0; self.observed.len()]),
            model_probabilities: self.model_prior.clone(),
            kernels: Vec::new(),
            proposals_total: 0,
            population: None,
            history: Vec::new(),
        }
    }

    /// Prepares the proposal distribution of `state`'s generation.
    pub fn plan<'a>(&'a self, state: &'a GenerationState) -> Result<Plan<'a>, AbcError> {
        Plan::new(self, state)
    }

    /// Proposal `index` of `state`'s generation (a pure function of both).
    pub fn propose(&self, state: &GenerationState, index: u64) -> Result<Proposal, AbcError> {
        self.plan(state)?.propose(index)
    }

    /// Acceptance from rows produced elsewhere (e.g. by shards): `rows` must
    /// start at index 0 and follow in index order without gaps; rows after
    /// the N-th acceptance are ignored.
    pub fn accept(
        &self,
        state: &GenerationState,
        rows: impl IntoIterator<Item = SimulationRow>,
    ) -> Result<Acceptance, AbcError> {
        let plan = self.plan(state)?;
        let mut builder = plan.builder();
        for row in rows {
            if builder.is_complete() {
                break;
            }
            builder.push(row)?;
        }
        if builder.is_complete() {
            Ok(Acceptance::Complete(Box::new(builder.finish()?)))
        } else {
            Ok(Acceptance::NeedMore {
                next_index: builder.next_index(),
                accepted: builder.accepted(),
            })
        }
    }

    /// Why a run standing at `state` stops before starting its generation,
    /// if it does: `max_generations` reached, or the last completed
    /// generation's tolerance at or below `min_tolerance`. (The proposal
    /// limits act within a generation: see [`Plan::proposal_limit`].)
    pub fn stops_before(&self, state: &GenerationState) -> Option<StopReason> {
        let rules = &self.config.stopping;
        if state.generation >= rules.max_generations {
            return Some(StopReason::MaxGenerations);
        }
        if state
            .history
            .last()
            .is_some_and(|r| r.tolerance <= rules.min_tolerance)
        {
            return Some(StopReason::MinTolerance);
        }
        None
    }

    /// Runs generations from `state` until a stopping rule, the budget or the
    /// observer stops it. Batches are evaluated on the current rayon pool
    /// (install a pool to set the thread count); `observer` sees the state
    /// after every completed generation (to write it durably).
    pub fn run<S: Simulator>(
        &self,
        simulator: &S,
        state: GenerationState,
        budget: &mut dyn Budget,
        observer: impl FnMut(&GenerationState) -> ControlFlow<()>,
    ) -> Result<RunOutcome, AbcError> {
        self.run_watched(simulator, state, budget, &mut |_| {}, observer)
    }

    /// [`Abc::run`], telling `watch` where the running generation stands
    /// before its first batch and after every batch (for a progress bar).
    /// Every stopping rule is checked before every batch.
    pub fn run_watched<S: Simulator>(
        &self,
        simulator: &S,
        mut state: GenerationState,
        budget: &mut dyn Budget,
        watch: &mut dyn FnMut(&BatchProgress),
        mut observer: impl FnMut(&GenerationState) -> ControlFlow<()>,
    ) -> Result<RunOutcome, AbcError> {
        let mut simulations_run = 0u64;
        let stop = 'run: loop {
            if let Some(reason) = self.stops_before(&state) {
                break reason;
            }
            let plan = self.plan(&state)?;
            let (limit, limit_reason) = plan.proposal_limit();
            let mut builder = plan.builder();
            let progress = |b: &GenerationBuilder<'_, '_>| BatchProgress {
                generation: state.generation,
                tolerance: state.tolerance,
                proposed: b.next_index(),
                accepted: b.accepted(),
                population_size: self.config.population_size,
                limit,
            };
            watch(&progress(&builder));
            while !builder.is_complete() {
                let start = builder.next_index();
                if start >= limit {
                    break 'run limit_reason;
                }
                if budget.exhausted() {
                    break 'run StopReason::Budget;
                }
                let end = limit.min(start.saturating_add(self.config.batch_size as u64));
                let rows: Vec<Result<SimulationRow, AbcError>> = (0..usize::try_from(end - start)
                    .expect("a batch fits in memory"))
                    .into_par_iter()
                    // One simulation a split, so that a thread that finishes
                    // early takes the next one rather than waiting for a run
                    // of them.
                    .with_max_len(1)
                    .map(|i| plan.simulate(simulator, start + i as u64))
                    .collect();
                simulations_run += end - start;
                for row in rows {
                    if builder.is_complete() {
                        break;
                    }
                    builder.push(row?)?;
                }
                watch(&progress(&builder));
            }
            let next = builder.finish()?;
            state = next;
            if observer(&state).is_break() {
                break StopReason::Observer;
            }
        };
        Ok(RunOutcome {
            state,
            stop,
            simulations_run,
        })
    }
}

/// Where a running generation stands, batch by batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct BatchProgress {
    /// The generation running.
    pub generation: u32,
    /// Its tolerance (∞ for generation 0).
    pub tolerance: f64,
    /// Proposals of this generation seen so far (the next index).
    pub proposed: u64,
    /// Particles accepted so far.
    pub accepted: usize,
    /// Particles it needs (N).
    pub population_size: usize,
    /// The first proposal index it may not use (see
    /// [`Plan::proposal_limit`]; `u64::MAX` without a limit).
    pub limit: u64,
}

impl BatchProgress {
    /// accepted / proposed so far (1 before any proposal).
    pub fn acceptance_rate(&self) -> f64 {
        if self.proposed == 0 {
            1.0
        } else {
            self.accepted as f64 / self.proposed as f64
        }
    }
}

/// Hash of everything that changes the generations: settings that only
/// decide where to stop or how to batch are left out, so a run may be
/// resumed with other stopping rules.
fn fingerprint(models: &[ModelSpec], observed: &[f64], config: &AbcConfig) -> String {
    let bits = |v: f64| format!("{:016x}", v.to_bits());
    let mut s = String::from("abc-smc/1");
    let scaling = match config.kernel_scaling {
        KernelScaling::Silverman { scaling } => format!("silverman({})", bits(scaling)),
        KernelScaling::Fixed { factor } => format!("fixed({})", bits(factor)),
    };
    let _ = write!(
        s,
        "|seed={}|n={}|q={}|p={}|stay={}|kernel={}|int_sd={}|reservoir={}|eps0={}|scales0={:?}",
        config.seed,
        config.population_size,
        bits(config.quantile),
        bits(config.p_norm),
        bits(config.model_stay_probability),
        scaling,
        bits(config.integer_min_sd),
        config.reservoir_size,
        bits(config.initial_tolerance),
        config
            .initial_scales
            .as_ref()
            .map(|v| v.iter().map(|x| bits(*x)).collect::<Vec<_>>())
    );
    for model in models {
        let _ = write!(
            s,
            "|model {}:{} w={}",
            model.name.len(),
            model.name,
            bits(model.prior_weight)
        );
        for p in &model.parameters {
            let _ = write!(s, "|par {}:{}={}", p.name.len(), p.name, p.prior.describe());
        }
    }
    for v in observed {
        let _ = write!(s, "|obs={}", bits(*v));
    }
    format!("{:016x}", xxh64(s.as_bytes(), 0))
}

/// The proposal distribution of one generation, derived from its state.
#[derive(Debug)]
pub struct Plan<'a> {
    abc: &'a Abc,
    state: &'a GenerationState,
    /// Kernel of each live model (None: extinct, or generation 0).
    views: Vec<Option<KernelView<'a>>>,
    alive: Vec<bool>,
    /// Cumulative model probabilities for choosing the source model.
    model_cumulative: Vec<f64>,
}

impl<'a> Plan<'a> {
    fn new(abc: &'a Abc, state: &'a GenerationState) -> Result<Self, AbcError> {
        if state.fingerprint != abc.fingerprint {
            return Err(AbcError::StateMismatch {
                found: state.fingerprint.clone(),
                expected: abc.fingerprint.clone(),
            });
        }
        let k = abc.models.len();
        let mut views: Vec<Option<KernelView<'a>>> = (0..k).map(|_| None).collect();
        let mut alive = vec![true; k];
        if let Some(population) = &state.population {
            alive = vec![false; k];
            for kernel in &state.kernels {
                let members: Vec<&Particle> = population
                    .particles
                    .iter()
                    .filter(|p| p.model == kernel.model)
                    .collect();
                let centres = members.iter().map(|p| p.parameters.as_slice()).collect();
                let weights: Vec<f64> = members.iter().map(|p| p.weight).collect();
                views[kernel.model] = Some(KernelView::new(kernel, centres, &weights));
                alive[kernel.model] = true;
            }
        }
        let probabilities = if state.population.is_some() {
            &state.model_probabilities
        } else {
            &abc.model_prior
        };
        let mut running = 0.0;
        let model_cumulative = probabilities
            .iter()
            .zip(&alive)
            .map(|(p, a)| {
                if *a {
                    running += p;
                }
                running
            })
            .collect();
        Ok(Self {
            abc,
            state,
            views,
            alive,
            model_cumulative,
        })
    }

    /// The generation this plan proposes for.
    pub fn generation(&self) -> u32 {
        self.state.generation
    }

    /// The state it was derived from.
    pub fn state(&self) -> &GenerationState {
        self.state
    }

    fn choose_model(&self, rng: &mut ChaCha8Rng) -> usize {
        let total = *self.model_cumulative.last().expect("at least one model");
        let u: f64 = rng.random::<f64>() * total;
        let pick = self.model_cumulative.partition_point(|&c| c <= u);
        if pick < self.model_cumulative.len() {
            return pick;
        }
        // u rounded up to the total: take the last model with positive mass.
        (0..self.model_cumulative.len())
            .rev()
            .find(|&m| {
                let below = if m == 0 {
                    0.0
                } else {
                    self.model_cumulative[m - 1]
                };
                self.model_cumulative[m] > below
            })
            .expect("some model has positive probability")
    }

    /// Proposal `index`: generation 0 draws the model from its prior and the
    /// parameters from theirs; later generations draw a source model by the
    /// previous model probabilities, perturb it with the model kernel, draw a
    /// particle of the target model by weight and perturb it, and start over
    /// (model included) until the prior density is positive, as pyABC does.
    /// Redrawing everything keeps the normalising constant of the truncated
    /// proposal the same for every model, so it cancels in the weights.
    pub fn propose(&self, index: u64) -> Result<Proposal, AbcError> {
        let abc = self.abc;
        let generation = self.state.generation;
        let mut rng = proposal_stream(abc.config.seed, generation, index);
        if self.state.population.is_none() {
            let model = self.choose_model(&mut rng);
            let parameters = abc.models[model]
                .parameters
                .iter()
                .map(|p| p.prior.sample(&mut rng))
                .collect();
            return Ok(Proposal {
                generation,
                index,
                model,
                parameters,
                attempts: 1,
            });
        }
        let stay = abc.config.model_stay_probability;
        for attempt in 1..=abc.config.max_support_attempts {
            let source = self.choose_model(&mut rng);
            let model = perturb_model(source, &self.alive, stay, &mut rng);
            let view = self.views[model]
                .as_ref()
                .expect("live models have kernels");
            let parameters = view.perturb(&mut rng);
            let inside = abc.models[model]
                .parameters
                .iter()
                .zip(&parameters)
                .all(|(p, x)| p.prior.density(*x) > 0.0);
            if inside {
                return Ok(Proposal {
                    generation,
                    index,
                    model,
                    parameters,
                    attempts: attempt,
                });
            }
        }
        Err(AbcError::ProposalOutsideSupport {
            generation,
            index,
            attempts: abc.config.max_support_attempts,
        })
    }

    /// Proposes `index` and simulates it with its own stream.
    pub fn simulate<S: Simulator>(
        &self,
        simulator: &S,
        index: u64,
    ) -> Result<SimulationRow, AbcError> {
        let proposal = self.propose(index)?;
        let mut rng = simulation_stream(self.abc.config.seed, self.state.generation, index);
        let statistics = simulator
            .simulate(proposal.model, &proposal.parameters, &mut rng)
            .map_err(|source| AbcError::Simulation { index, source })?;
        Ok(SimulationRow { index, statistics })
    }

    /// A fresh acceptance for this generation.
    pub fn builder(&self) -> GenerationBuilder<'_, 'a> {
        GenerationBuilder {
            plan: self,
            next_index: 0,
            accepted: Vec::new(),
            reservoir: BTreeMap::new(),
        }
    }

    /// The first proposal index this generation may not use, and which rule
    /// sets it: ⌊N / min_acceptance_rate⌋ or what is left of max_simulations.
    pub fn proposal_limit(&self) -> (u64, StopReason) {
        let rules = &self.abc.config.stopping;
        let by_rate = if rules.min_acceptance_rate > 0.0 {
            (self.abc.config.population_size as f64 / rules.min_acceptance_rate).floor() as u64
        } else {
            u64::MAX
        };
        let by_budget = rules
            .max_simulations
            .saturating_sub(self.state.proposals_total);
        if by_budget <= by_rate {
            (by_budget, StopReason::MaxSimulations)
        } else {
            (by_rate, StopReason::MinAcceptanceRate)
        }
    }

    /// ln of the importance weight prior / proposal of an accepted proposal
    /// (generations after 0):
    ///
    /// w ∝ π(m) Πⱼ πⱼ(θⱼ) / ( [Σ_{m'} p(m') K_M(m | m')] · Σᵢ w̃ᵢ K_m(θ | θᵢ) ),
    ///
    /// with p the previous model probabilities, K_M the model kernel, w̃ the
    /// previous weights normalised within model m and K_m its parameter
    /// kernel: pyABC's `create_prior_pdf` over `create_transition_pdf`.
    pub(super) fn ln_importance_weight(&self, proposal: &Proposal) -> Result<f64, AbcError> {
        let abc = self.abc;
        let m = proposal.model;
        let ln_prior = libm::log(abc.model_prior[m])
            + abc.models[m]
                .parameters
                .iter()
                .zip(&proposal.parameters)
                .map(|(p, x)| p.prior.ln_density(*x))
                .sum::<f64>();
        let model_factor: f64 = self
            .state
            .model_probabilities
            .iter()
            .enumerate()
            .filter(|(source, _)| self.alive[*source])
            .map(|(source, p)| {
                p * model_transition_probability(
                    m,
                    source,
                    &self.alive,
                    abc.config.model_stay_probability,
                )
            })
            .sum();
        let view = self.views[m].as_ref().expect("accepted models are live");
        let ln_proposal = libm::log(model_factor) + view.ln_density(&proposal.parameters);
        let ln_weight = ln_prior - ln_proposal;
        if ln_weight.is_finite() {
            Ok(ln_weight)
        } else {
            Err(AbcError::Numerical(format!(
                "generation {}, proposal {}: weight ln {ln_prior} − ln {ln_proposal} is not finite",
                proposal.generation, proposal.index
            )))
        }
    }
}

/// An accepted row awaiting its weight.
#[derive(Debug)]
struct AcceptedRow {
    index: u64,
    statistics: Vec<f64>,
    distance: f64,
}

/// Collects rows of one generation in index order until N are accepted.
#[derive(Debug)]
pub struct GenerationBuilder<'p, 'a> {
    plan: &'p Plan<'a>,
    next_index: u64,
    accepted: Vec<AcceptedRow>,
    /// Rejected rows with the smallest reservoir keys (bottom-k sample).
    reservoir: BTreeMap<(u64, u64), Vec<f64>>,
}

impl GenerationBuilder<'_, '_> {
    /// The index due next.
    pub fn next_index(&self) -> u64 {
        self.next_index
    }

    /// Particles accepted so far.
    pub fn accepted(&self) -> usize {
        self.accepted.len()
    }

    /// Whether N particles are accepted.
    pub fn is_complete(&self) -> bool {
        self.accepted.len() >= self.plan.abc.config.population_size
    }

    /// Takes the row due next. A row is accepted when its distance is finite
    /// and at most the tolerance; otherwise it is offered to the reservoir.
    /// Rows after completion are ignored.
    pub fn push(&mut self, row: SimulationRow) -> Result<(), AbcError> {
        if self.is_complete() {
            return Ok(());
        }
        if row.index != self.next_index {
            return Err(AbcError::RowOutOfOrder {
                expected: self.next_index,
                got: row.index,
            });
        }
        let abc = self.plan.abc;
        let state = self.plan.state;
        if row.statistics.len() != abc.observed.len() {
            return Err(AbcError::StatisticsLength {
                index: row.index,
                expected: abc.observed.len(),
                got: row.statistics.len(),
            });
        }
        self.next_index += 1;
        let distance = weighted_distance(
            &row.statistics,
            &abc.observed,
            &state.scales,
            abc.config.p_norm,
        );
        if distance.is_finite() && distance <= state.tolerance {
            self.accepted.push(AcceptedRow {
                index: row.index,
                statistics: row.statistics,
                distance,
            });
        } else if abc.config.reservoir_size > 0 {
            let key = reservoir_key(abc.config.seed, state.generation, row.index);
            self.reservoir.insert((key, row.index), row.statistics);
            if self.reservoir.len() > abc.config.reservoir_size {
                self.reservoir.pop_last();
            }
        }
        Ok(())
    }

    /// Weighs the accepted particles and prepares the next generation:
    /// weights, model probabilities, ESS, new distance scales (from the
    /// accepted particles and the reservoir), the next tolerance (weighted
    /// quantile of the distances recomputed under the new scales) and the
    /// kernels of the live models.
    pub fn finish(self) -> Result<GenerationState, AbcError> {
        let plan = self.plan;
        let abc = plan.abc;
        let state = plan.state;
        let n = abc.config.population_size;
        if !self.is_complete() {
            return Err(AbcError::Incomplete {
                generation: state.generation,
                accepted: self.accepted.len(),
                needed: n,
                proposed: self.next_index,
            });
        }
        let proposals: Vec<Proposal> = self
            .accepted
            .par_iter()
            .map(|row| plan.propose(row.index))
            .collect::<Result<_, _>>()?;
        let ln_weights: Vec<f64> = if state.population.is_none() {
            vec![0.0; n]
        } else {
            proposals
                .par_iter()
                .map(|p| plan.ln_importance_weight(p))
                .collect::<Result<_, _>>()?
        };
        let max_ln = ln_weights.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let raw: Vec<f64> = ln_weights.iter().map(|lw| libm::exp(lw - max_ln)).collect();
        let total: f64 = raw.iter().sum();
        let weights: Vec<f64> = raw.iter().map(|w| w / total).collect();

        let k = abc.models.len();
        let model_probabilities = model_probabilities(
            k,
            proposals.iter().zip(&weights).map(|(p, &w)| (p.model, w)),
        );
        let mut model_particles = vec![0u64; k];
        for p in &proposals {
            model_particles[p.model] += 1;
        }
        let model_ess: Vec<f64> = (0..k)
            .map(|m| {
                let w: Vec<f64> = proposals
                    .iter()
                    .zip(&weights)
                    .filter(|(p, _)| p.model == m)
                    .map(|(_, w)| *w)
                    .collect();
                effective_sample_size(&w)
            })
            .collect();
        let extinct_models: Vec<usize> = (0..k).filter(|&m| model_particles[m] == 0).collect();
        let dead_models: Vec<usize> = (0..k)
            .filter(|&m| model_probabilities[m] < 1.0 / n as f64)
            .collect();

        let scale_sample = self
            .accepted
            .iter()
            .map(|r| r.statistics.as_slice())
            .chain(self.reservoir.values().map(|s| s.as_slice()));
        let scales = fit_scales(scale_sample, abc.observed.len());
        let next_distances: Vec<f64> = self
            .accepted
            .iter()
            .map(|r| weighted_distance(&r.statistics, &abc.observed, &scales, abc.config.p_norm))
            .collect();
        let next_tolerance = next_tolerance(&next_distances, &weights, abc.config.quantile);

        let mut kernels = Vec::new();
        for m in (0..k).filter(|&m| model_particles[m] > 0) {
            let (params, w): (Vec<&[f64]>, Vec<f64>) = proposals
                .iter()
                .zip(&weights)
                .filter(|(p, _)| p.model == m)
                .map(|(p, w)| (p.parameters.as_slice(), *w))
                .unzip();
            let priors: Vec<_> = abc.models[m]
                .parameters
                .iter()
                .map(|p| p.prior.clone())
                .collect();
            kernels.push(fit_model_kernel(
                m,
                &params,
                &w,
                &priors,
                abc.config.kernel_scaling,
                abc.config.integer_min_sd,
            )?);
        }

        let particles: Vec<Particle> = proposals
            .into_iter()
            .zip(self.accepted)
            .zip(&weights)
            .map(|((p, row), w)| Particle {
                index: row.index,
                model: p.model,
                parameters: p.parameters,
                weight: *w,
                distance: row.distance,
                statistics: row.statistics,
            })
            .collect();
        let proposed = self.next_index;
        let record = GenerationRecord {
            generation: state.generation,
            tolerance: state.tolerance,
            proposed,
            accepted: n as u64,
            acceptance_rate: n as f64 / proposed as f64,
            ess: effective_sample_size(&weights),
            model_probabilities: model_probabilities.clone(),
            model_particles,
            model_ess,
            dead_models,
            extinct_models,
            scales: state.scales.clone(),
            next_tolerance,
        };
        let mut history = state.history.clone();
        history.push(record);
        Ok(GenerationState {
            fingerprint: state.fingerprint.clone(),
            generation: state.generation + 1,
            tolerance: next_tolerance,
            scales,
            model_probabilities,
            kernels,
            proposals_total: state.proposals_total + proposed,
            population: Some(Population {
                generation: state.generation,
                tolerance: state.tolerance,
                particles,
            }),
            history,
        })
    }
}

/// The next tolerance: the weighted `quantile` of the population's distances
/// (pyABC's `QuantileEpsilon`). With discrete statistics the quantile can
/// sit on the largest distance value, which would accept the whole
/// population again and stall the schedule; then the tolerance drops to the
/// largest distance value below it. Any decreasing schedule is valid ABC-SMC.
pub(crate) fn next_tolerance(distances: &[f64], weights: &[f64], quantile: f64) -> f64 {
    let eps = weighted_quantile(distances, weights, quantile);
    let max = distances.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if eps >= max {
        let below = distances
            .iter()
            .copied()
            .filter(|d| *d < max)
            .fold(f64::NEG_INFINITY, f64::max);
        if below.is_finite() {
            return below;
        }
    }
    eps
}

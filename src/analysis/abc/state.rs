//! The durable, serialisable state of a run and the per-generation record.
//!
//! A [`GenerationState`] holds everything needed to propose the next
//! generation, and no random-generator state: every draw comes from streams
//! keyed by (seed, generation, proposal index). Resuming from a saved state
//! therefore continues bit for bit as an uninterrupted run would.

use serde::{Deserialize, Serialize};

use super::kernel::ModelKernel;

/// One accepted particle.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Particle {
    /// Proposal index within its generation.
    pub index: u64,
    /// Model index.
    pub model: usize,
    /// Parameter vector of the model.
    pub parameters: Vec<f64>,
    /// Importance weight, normalised over all particles of the population.
    pub weight: f64,
    /// Distance at acceptance (under the generation's own scales).
    pub distance: f64,
    /// The fitted statistics it produced.
    pub statistics: Vec<f64>,
}

/// An accepted population.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// Generation index.
    pub generation: u32,
    /// The tolerance the particles met.
    pub tolerance: f64,
    /// Particles in proposal-index order.
    pub particles: Vec<Particle>,
}

/// What happened in one generation (the row of `generations.csv`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationRecord {
    /// Generation index.
    pub generation: u32,
    /// Tolerance of this generation (∞ for generation 0).
    pub tolerance: f64,
    /// Proposals consumed: up to and including the last accepted one.
    pub proposed: u64,
    /// Particles accepted (the population size).
    pub accepted: u64,
    /// accepted / proposed.
    pub acceptance_rate: f64,
    /// Effective sample size of the whole population.
    pub ess: f64,
    /// Posterior model probabilities (summed normalised weights).
    pub model_probabilities: Vec<f64>,
    /// Particles per model.
    pub model_particles: Vec<u64>,
    /// Effective sample size within each model (0 without particles).
    pub model_ess: Vec<f64>,
    /// Models whose probability fell below 1/N (including extinct ones).
    pub dead_models: Vec<usize>,
    /// Models without any particle: they are no longer proposed.
    pub extinct_models: Vec<usize>,
    /// Distance scales this generation accepted under.
    pub scales: Vec<f64>,
    /// Tolerance set for the next generation.
    pub next_tolerance: f64,
}

/// Everything needed to run generation `generation`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GenerationState {
    /// Hash of the problem and the result-relevant configuration; a state
    /// is only accepted by the engine that made it.
    pub fingerprint: String,
    /// The generation to run next.
    pub generation: u32,
    /// Its tolerance (∞ for generation 0).
    pub tolerance: f64,
    /// Its distance scales (1 for generation 0).
    pub scales: Vec<f64>,
    /// Model probabilities of the previous population (the prior model
    /// probabilities before generation 0).
    pub model_probabilities: Vec<f64>,
    /// Proposal kernels of the live models, fitted to the previous population.
    pub kernels: Vec<ModelKernel>,
    /// Proposals consumed over all completed generations.
    pub proposals_total: u64,
    /// The previous population (none before generation 0).
    pub population: Option<Population>,
    /// Records of all completed generations.
    pub history: Vec<GenerationRecord>,
}

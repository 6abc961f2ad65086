//! Models to choose between and the simulator interface.

use std::sync::Arc;

use rand_chacha::ChaCha8Rng;

use super::error::SimulationError;
use super::prior::Prior;

/// One free parameter of a model.
#[derive(Clone, Debug)]
pub struct ParameterSpec {
    /// Name used in summaries (e.g. a dotted path of the scenario).
    pub name: String,
    /// Its prior.
    pub prior: Arc<dyn Prior>,
}

/// One competing model: its parameters (any number, possibly none) and its
/// prior weight (normalised over all models).
#[derive(Clone, Debug)]
pub struct ModelSpec {
    /// Name used in summaries.
    pub name: String,
    /// Unnormalised prior model probability (default 1: uniform over models).
    pub prior_weight: f64,
    /// Free parameters, in the order the simulator receives them.
    pub parameters: Vec<ParameterSpec>,
}

impl ModelSpec {
    /// A model with no parameters yet and prior weight 1.
    pub fn new(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            prior_weight: 1.0,
            parameters: Vec::new(),
        }
    }

    /// Adds a parameter.
    pub fn with_parameter(mut self, name: impl Into<String>, prior: impl Prior + 'static) -> Self {
        self.parameters.push(ParameterSpec {
            name: name.into(),
            prior: Arc::new(prior),
        });
        self
    }

    /// Sets the unnormalised prior weight.
    pub fn with_prior_weight(mut self, weight: f64) -> Self {
        self.prior_weight = weight;
        self
    }
}

/// Runs a model: given the model index, its parameter vector and a stream
/// owned by this proposal, returns the fitted summary statistics, in the
/// order of the observed ones. A statistic that is undefined for this run is
/// NaN (see the crate documentation for how it is treated).
pub trait Simulator: Sync {
    /// Simulates one proposal.
    fn simulate(
        &self,
        model: usize,
        parameters: &[f64],
        rng: &mut ChaCha8Rng,
    ) -> Result<Vec<f64>, SimulationError>;
}

/// Any infallible closure of the right shape is a simulator.
impl<F> Simulator for F
where
    F: Fn(usize, &[f64], &mut ChaCha8Rng) -> Vec<f64> + Sync,
{
    fn simulate(
        &self,
        model: usize,
        parameters: &[f64],
        rng: &mut ChaCha8Rng,
    ) -> Result<Vec<f64>, SimulationError> {
        Ok(self(model, parameters, rng))
    }
}

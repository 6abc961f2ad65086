//! Posterior summaries as data: per-parameter moments and quantiles, model
//! probabilities with a bootstrap interval, Bayes factors.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use super::engine::Abc;
use super::seeding::bootstrap_stream;
use super::state::Population;
use super::stats::{
    model_probabilities, sorted_quantile, weighted_mean, weighted_quantile, weighted_variance,
};

/// Posterior of one parameter of one model (weights normalised within the
/// model). A model without particles gets a row with `particles = 0` and NaN
/// statistics, so that it shows rather than disappears.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ParameterSummary {
    /// Model index.
    pub model: usize,
    /// Model name.
    pub model_name: String,
    /// Parameter name.
    pub parameter: String,
    /// Particles of the model.
    pub particles: usize,
    /// Weighted mean.
    pub mean: f64,
    /// Weighted standard deviation (population form, as pyABC's `weighted_std`).
    pub sd: f64,
    /// Weighted 5 % quantile.
    pub q05: f64,
    /// Weighted median.
    pub q50: f64,
    /// Weighted 95 % quantile.
    pub q95: f64,
    /// Lower bound of the prior support.
    pub prior_low: f64,
    /// Upper bound of the prior support.
    pub prior_high: f64,
}

/// Posterior probability of one model.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelProbability {
    /// Model index.
    pub model: usize,
    /// Model name.
    pub name: String,
    /// Prior probability.
    pub prior: f64,
    /// Posterior probability (sum of normalised weights).
    pub probability: f64,
    /// Lower end of the bootstrap percentile interval.
    pub lower: f64,
    /// Upper end of the bootstrap percentile interval.
    pub upper: f64,
    /// Particles of the model.
    pub particles: usize,
}

/// Model choice: probabilities with intervals and Bayes factors.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ModelChoice {
    /// One entry per model.
    pub models: Vec<ModelProbability>,
    /// `bayes_factors[i][j]` = posterior odds of i over j divided by prior
    /// odds: (pᵢ/πᵢ)/(pⱼ/πⱼ); ∞ where pⱼ = 0 < pᵢ, NaN where both are 0.
    pub bayes_factors: Vec<Vec<f64>>,
    /// Coverage of the intervals.
    pub level: f64,
    /// Bootstrap replicates.
    pub replicates: usize,
}

impl Abc {
    /// Per model and parameter: weighted mean, sd and 5/50/95 % quantiles.
    pub fn parameter_summaries(&self, population: &Population) -> Vec<ParameterSummary> {
        let mut rows = Vec::new();
        for (m, model) in self.models().iter().enumerate() {
            let members: Vec<_> = population
                .particles
                .iter()
                .filter(|p| p.model == m)
                .collect();
            let weights: Vec<f64> = members.iter().map(|p| p.weight).collect();
            for (j, parameter) in model.parameters.iter().enumerate() {
                let values: Vec<f64> = members.iter().map(|p| p.parameters[j]).collect();
                let (prior_low, prior_high) = parameter.prior.bounds();
                let (mean, sd, q05, q50, q95) = if members.is_empty() {
                    (f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN)
                } else {
                    (
                        weighted_mean(&values, &weights),
                        libm::sqrt(weighted_variance(&values, &weights)),
                        weighted_quantile(&values, &weights, 0.05),
                        weighted_quantile(&values, &weights, 0.5),
                        weighted_quantile(&values, &weights, 0.95),
                    )
                };
                rows.push(ParameterSummary {
                    model: m,
                    model_name: model.name.clone(),
                    parameter: parameter.name.clone(),
                    particles: members.len(),
                    mean,
                    sd,
                    q05,
                    q50,
                    q95,
                    prior_low,
                    prior_high,
                });
            }
        }
        rows
    }

    /// Model probabilities with a percentile bootstrap interval at `level`
    /// over `replicates` resamples of the particles (with replacement, each
    /// keeping its weight), from the run's seed: the Monte Carlo uncertainty
    /// of the estimate from this population, not posterior uncertainty.
    pub fn model_choice(
        &self,
        population: &Population,
        replicates: usize,
        level: f64,
    ) -> ModelChoice {
        let k = self.models().len();
        let n = population.particles.len();
        let probability =
            model_probabilities(k, population.particles.iter().map(|p| (p.model, p.weight)));
        let mut counts = vec![0usize; k];
        for p in &population.particles {
            counts[p.model] += 1;
        }
        let mut draws: Vec<Vec<f64>> = vec![Vec::with_capacity(replicates); k];
        let mut rng = bootstrap_stream(self.config().seed);
        for _ in 0..replicates {
            let mut sums = vec![0.0; k];
            for _ in 0..n {
                let p = &population.particles[rng.random_range(0..n)];
                sums[p.model] += p.weight;
            }
            let total: f64 = sums.iter().sum();
            for (m, s) in sums.iter().enumerate() {
                draws[m].push(s / total);
            }
        }
        let tail = (1.0 - level) / 2.0;
        let prior = self.model_prior();
        let models = (0..k)
            .map(|m| {
                let mut d = std::mem::take(&mut draws[m]);
                d.sort_by(f64::total_cmp);
                ModelProbability {
                    model: m,
                    name: self.models()[m].name.clone(),
                    prior: prior[m],
                    probability: probability[m],
                    lower: sorted_quantile(&d, tail),
                    upper: sorted_quantile(&d, 1.0 - tail),
                    particles: counts[m],
                }
            })
            .collect();
        let bayes_factors = (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| (probability[i] / prior[i]) / (probability[j] / prior[j]))
                    .collect()
            })
            .collect();
        ModelChoice {
            models,
            bayes_factors,
            level,
            replicates,
        }
    }
}

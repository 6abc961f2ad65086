//! Typed errors of the ABC-SMC engine.

use thiserror::Error;

/// A failure reported by a simulator: it wraps the simulator's own error so
/// that the engine stays generic over what the simulator is.
#[derive(Debug, Error)]
#[error("simulation failed: {source}")]
pub struct SimulationError {
    #[source]
    source: Box<dyn std::error::Error + Send + Sync + 'static>,
}

impl SimulationError {
    /// Wraps any error (or message) raised by a simulator.
    pub fn new(source: impl Into<Box<dyn std::error::Error + Send + Sync + 'static>>) -> Self {
        Self {
            source: source.into(),
        }
    }

    /// The simulator's own error, for a caller that knows what its
    /// simulator raises (and may take it back by downcasting).
    pub fn into_source(self) -> Box<dyn std::error::Error + Send + Sync + 'static> {
        self.source
    }
}

/// Everything that can go wrong when setting up or running ABC-SMC.
#[derive(Debug, Error)]
pub enum AbcError {
    /// A prior's parameters do not describe a proper distribution.
    #[error("invalid prior {shape}: {reason}")]
    InvalidPrior {
        /// The prior as given.
        shape: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A configuration value or problem definition is out of range.
    #[error("invalid configuration: {field}: {reason}")]
    InvalidConfig {
        /// The offending field.
        field: &'static str,
        /// Why it is rejected.
        reason: String,
    },
    /// An observed summary statistic is NaN or infinite.
    #[error("observed statistic {index} is not finite ({value})")]
    ObservedNotFinite {
        /// Position of the statistic.
        index: usize,
        /// Its value.
        value: f64,
    },
    /// A simulator returned the wrong number of statistics.
    #[error("proposal {index}: the simulator returned {got} statistics, expected {expected}")]
    StatisticsLength {
        /// Proposal index.
        index: u64,
        /// Number of observed statistics.
        expected: usize,
        /// Number returned.
        got: usize,
    },
    /// Rows must be handed to acceptance by proposal index, without gaps.
    #[error("row for proposal {got} arrived where proposal {expected} was due")]
    RowOutOfOrder {
        /// The index due next.
        expected: u64,
        /// The index that came.
        got: u64,
    },
    /// A generation was closed before it had its full population.
    #[error(
        "generation {generation} is incomplete: {accepted} of {needed} particles accepted after {proposed} proposals"
    )]
    Incomplete {
        /// Generation index.
        generation: u32,
        /// Particles accepted so far.
        accepted: usize,
        /// Population size.
        needed: usize,
        /// Proposals consumed so far.
        proposed: u64,
    },
    /// A state was produced by another problem or configuration.
    #[error(
        "the state belongs to another problem or configuration (fingerprint {found}, expected {expected})"
    )]
    StateMismatch {
        /// Fingerprint stored in the state.
        found: String,
        /// Fingerprint of this engine.
        expected: String,
    },
    /// The proposal kernel kept landing outside the prior support.
    #[error(
        "generation {generation}, proposal {index}: no proposal inside the prior support after {attempts} attempts"
    )]
    ProposalOutsideSupport {
        /// Generation index.
        generation: u32,
        /// Proposal index.
        index: u64,
        /// Attempts made.
        attempts: u32,
    },
    /// A density or weight could not be computed in floating point.
    #[error("numerical failure: {0}")]
    Numerical(String),
    /// The simulator failed on a proposal.
    #[error("proposal {index}: {source}")]
    Simulation {
        /// Proposal index.
        index: u64,
        /// The simulator's error.
        #[source]
        source: SimulationError,
    },
}

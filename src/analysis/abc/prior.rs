//! Parameter priors: uniform, log-uniform and truncated normal, each
//! optionally integer-valued, behind a small [`Prior`] trait that the engine
//! uses (so tests may bring other priors, e.g. a Beta).
//!
//! An integer prior with bounds `[low, high]` (integers) is the continuous
//! prior of the same shape on the widened interval `[low − ½, high + ½]`,
//! rounded to the nearest integer. Its mass at `k` is the continuous mass of
//! the cell `[k − ½, k + ½]`: a uniform integer prior is then exactly uniform
//! on `low..=high` (no half-weight end points), and sampling is "draw, round".

use std::fmt;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::error::AbcError;
use super::special::{normal_cdf, normal_interval, normal_ln_pdf, normal_pdf, normal_quantile};

/// What the engine needs from a one-dimensional prior.
pub trait Prior: Send + Sync + fmt::Debug {
    /// Density at `x` (probability mass for an integer prior); 0 outside the
    /// support.
    fn density(&self, x: f64) -> f64;
    /// Natural log of [`Prior::density`]; −∞ outside the support.
    fn ln_density(&self, x: f64) -> f64 {
        libm::log(self.density(x))
    }
    /// One draw, consuming the given stream.
    fn sample(&self, rng: &mut ChaCha8Rng) -> f64;
    /// Variance of the prior; the kernel falls back to it when a model has
    /// too few particles to estimate a covariance.
    fn variance(&self) -> f64;
    /// Whether values are integers (perturbed on the real line, then rounded).
    fn is_integer(&self) -> bool;
    /// Closed bounds of the support (may be infinite).
    fn bounds(&self) -> (f64, f64);
    /// A canonical description: it enters the fingerprint that guards resume.
    fn describe(&self) -> String;
}

/// The shapes a calibration file may give a parameter.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PriorShape {
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Uniform in `ln x` on `[low, high]`, `low > 0`.
    LogUniform {
        /// Lower bound (positive).
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Normal(`mean`, `sd`) restricted to `[low, high]` (bounds may be ±∞).
    TruncatedNormal {
        /// Mean of the untruncated normal.
        mean: f64,
        /// Standard deviation of the untruncated normal.
        sd: f64,
        /// Lower bound (may be −∞).
        low: f64,
        /// Upper bound (may be +∞).
        high: f64,
    },
}

/// As a calibration file would say it, for messages.
impl fmt::Display for PriorShape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PriorShape::Uniform { low, high } => write!(f, "uniform on [{low}, {high}]"),
            PriorShape::LogUniform { low, high } => write!(f, "log-uniform on [{low}, {high}]"),
            PriorShape::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => write!(f, "normal (mean {mean}, sd {sd}) on [{low}, {high}]"),
        }
    }
}

/// A public prior: a [`PriorShape`], optionally integer-valued.
#[derive(Clone, Debug, PartialEq)]
pub struct ParameterPrior {
    shape: PriorShape,
    integer: bool,
    /// Support of the underlying continuous law (widened by ½ for integers).
    lo: f64,
    hi: f64,
    /// Truncated normal: standardised bounds and the mass between them.
    alpha: f64,
    beta: f64,
    mass: f64,
}

impl ParameterPrior {
    /// Validates the shape and precomputes its normalising constants.
    pub fn new(shape: PriorShape, integer: bool) -> Result<Self, AbcError> {
        let invalid = |reason: &str| AbcError::InvalidPrior {
            shape: if integer {
                format!("{shape}, whole numbers")
            } else {
                shape.to_string()
            },
            reason: reason.to_string(),
        };
        let (low, high) = match shape {
            PriorShape::Uniform { low, high } | PriorShape::LogUniform { low, high } => {
                if !low.is_finite() || !high.is_finite() {
                    return Err(invalid("bounds must be finite"));
                }
                (low, high)
            }
            PriorShape::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => {
                if !mean.is_finite() || !sd.is_finite() || sd <= 0.0 {
                    return Err(invalid("mean must be finite and sd finite and positive"));
                }
                if low.is_nan() || high.is_nan() {
                    return Err(invalid("bounds must not be NaN"));
                }
                (low, high)
            }
        };
        if integer {
            let integral = |v: f64| v.is_infinite() || v == v.round();
            if !integral(low) || !integral(high) || low > high {
                return Err(invalid("integer bounds must be integers with low <= high"));
            }
        } else if low >= high {
            return Err(invalid("low must be below high"));
        }
        let widen = if integer { 0.5 } else { 0.0 };
        let (lo, hi) = (low - widen, high + widen);
        let mut prior = Self {
            shape,
            integer,
            lo,
            hi,
            alpha: 0.0,
            beta: 0.0,
            mass: 1.0,
        };
        match shape {
            PriorShape::Uniform { .. } => {}
            PriorShape::LogUniform { .. } => {
                if lo <= 0.0 {
                    return Err(invalid(if integer {
                        "integer log-uniform needs low >= 1"
                    } else {
                        "log-uniform needs low > 0"
                    }));
                }
            }
            PriorShape::TruncatedNormal { mean, sd, .. } => {
                prior.alpha = (lo - mean) / sd;
                prior.beta = (hi - mean) / sd;
                prior.mass = normal_interval(prior.alpha, prior.beta);
                if prior.mass.is_nan() || prior.mass <= 0.0 {
                    return Err(invalid(
                        "the normal puts no probability between the bounds: move `mean` into them or widen `sd`",
                    ));
                }
            }
        }
        Ok(prior)
    }

    /// Continuous uniform prior on `[low, high]`.
    pub fn uniform(low: f64, high: f64) -> Result<Self, AbcError> {
        Self::new(PriorShape::Uniform { low, high }, false)
    }

    /// Continuous log-uniform prior on `[low, high]`.
    pub fn log_uniform(low: f64, high: f64) -> Result<Self, AbcError> {
        Self::new(PriorShape::LogUniform { low, high }, false)
    }

    /// Continuous normal prior truncated to `[low, high]`.
    pub fn truncated_normal(mean: f64, sd: f64, low: f64, high: f64) -> Result<Self, AbcError> {
        Self::new(
            PriorShape::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            },
            false,
        )
    }

    /// The shape as given.
    pub fn shape(&self) -> PriorShape {
        self.shape
    }

    /// Continuous CDF of the underlying law on `[lo, hi]`, used for the mass
    /// of integer cells.
    fn cell_mass(&self, a: f64, b: f64) -> f64 {
        let a = a.max(self.lo);
        let b = b.min(self.hi);
        if a >= b {
            return 0.0;
        }
        match self.shape {
            PriorShape::Uniform { .. } => (b - a) / (self.hi - self.lo),
            PriorShape::LogUniform { .. } => libm::log(b / a) / libm::log(self.hi / self.lo),
            PriorShape::TruncatedNormal { mean, sd, .. } => {
                normal_interval((a - mean) / sd, (b - mean) / sd) / self.mass
            }
        }
    }

    /// Density of the continuous law on `[lo, hi]`.
    fn continuous_density(&self, x: f64) -> f64 {
        if !(x >= self.lo && x <= self.hi) {
            return 0.0;
        }
        match self.shape {
            PriorShape::Uniform { .. } => 1.0 / (self.hi - self.lo),
            PriorShape::LogUniform { .. } => 1.0 / (x * libm::log(self.hi / self.lo)),
            PriorShape::TruncatedNormal { mean, sd, .. } => {
                normal_pdf((x - mean) / sd) / (sd * self.mass)
            }
        }
    }

    /// Draw from the continuous law by inversion (one uniform per draw).
    fn continuous_sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        let u: f64 = rng.random();
        let x = match self.shape {
            PriorShape::Uniform { .. } => self.lo + u * (self.hi - self.lo),
            PriorShape::LogUniform { .. } => {
                let (a, b) = (libm::log(self.lo), libm::log(self.hi));
                libm::exp(a + u * (b - a))
            }
            PriorShape::TruncatedNormal { mean, sd, .. } => {
                // Work in the lower tail, where Φ keeps its relative precision.
                let upper_tail = self.alpha > 0.0;
                let (a, b) = if upper_tail {
                    (-self.beta, -self.alpha)
                } else {
                    (self.alpha, self.beta)
                };
                let (pa, pb) = (normal_cdf(a), normal_cdf(b));
                let z = normal_quantile(pa + u * (pb - pa)).clamp(a, b);
                mean + sd * if upper_tail { -z } else { z }
            }
        };
        x.clamp(self.lo, self.hi)
    }

    fn integer_bounds(&self) -> (f64, f64) {
        (self.lo + 0.5, self.hi - 0.5)
    }
}

impl Prior for ParameterPrior {
    fn density(&self, x: f64) -> f64 {
        if self.integer {
            let (low, high) = self.integer_bounds();
            if x != x.round() || x < low || x > high {
                return 0.0;
            }
            self.cell_mass(x - 0.5, x + 0.5)
        } else {
            self.continuous_density(x)
        }
    }

    fn ln_density(&self, x: f64) -> f64 {
        match self.shape {
            // The normal density underflows far out; its log does not.
            PriorShape::TruncatedNormal { mean, sd, .. } if !self.integer => {
                if !(x >= self.lo && x <= self.hi) {
                    return f64::NEG_INFINITY;
                }
                normal_ln_pdf((x - mean) / sd) - libm::log(sd) - libm::log(self.mass)
            }
            _ => libm::log(self.density(x)),
        }
    }

    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        let x = self.continuous_sample(rng);
        if self.integer {
            let (low, high) = self.integer_bounds();
            x.round().clamp(low, high)
        } else {
            x
        }
    }

    fn variance(&self) -> f64 {
        let (a, b) = (self.lo, self.hi);
        match self.shape {
            PriorShape::Uniform { .. } => (b - a) * (b - a) / 12.0,
            PriorShape::LogUniform { .. } => {
                let ln = libm::log(b / a);
                let m1 = (b - a) / ln;
                let m2 = (b * b - a * a) / (2.0 * ln);
                m2 - m1 * m1
            }
            PriorShape::TruncatedNormal { sd, .. } => {
                // Johnson, Kotz & Balakrishnan (1994), truncated normal moments.
                let (al, be, z) = (self.alpha, self.beta, self.mass);
                let (pa, pb) = (normal_pdf(al), normal_pdf(be));
                let apa = if al.is_finite() { al * pa } else { 0.0 };
                let bpb = if be.is_finite() { be * pb } else { 0.0 };
                let shift = (pa - pb) / z;
                sd * sd * (1.0 + (apa - bpb) / z - shift * shift)
            }
        }
    }

    fn is_integer(&self) -> bool {
        self.integer
    }

    fn bounds(&self) -> (f64, f64) {
        if self.integer {
            self.integer_bounds()
        } else {
            (self.lo, self.hi)
        }
    }

    fn describe(&self) -> String {
        let bits = |v: f64| format!("{:016x}", v.to_bits());
        let body = match self.shape {
            PriorShape::Uniform { low, high } => format!("uniform({},{})", bits(low), bits(high)),
            PriorShape::LogUniform { low, high } => {
                format!("log_uniform({},{})", bits(low), bits(high))
            }
            PriorShape::TruncatedNormal {
                mean,
                sd,
                low,
                high,
            } => format!(
                "truncated_normal({},{},{},{})",
                bits(mean),
                bits(sd),
                bits(low),
                bits(high)
            ),
        };
        if self.integer {
            format!("integer {body}")
        } else {
            body
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn int(shape: PriorShape) -> ParameterPrior {
        ParameterPrior::new(shape, true).unwrap()
    }

    #[test]
    fn a_rejected_prior_is_described_as_a_file_gives_it_with_the_fix() {
        // It was a Rust debug dump: `TruncatedNormal { mean: 50.0, .. }
        // integer=false: no normal mass between the bounds`.
        let e = ParameterPrior::truncated_normal(50.0, 0.01, 0.05, 0.9).unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid prior normal (mean 50, sd 0.01) on [0.05, 0.9]: the normal puts no probability between the bounds: move `mean` into them or widen `sd`"
        );
        let e = ParameterPrior::new(
            PriorShape::LogUniform {
                low: 0.0,
                high: 4.0,
            },
            true,
        )
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid prior log-uniform on [0, 4], whole numbers: integer log-uniform needs low >= 1"
        );
    }

    #[test]
    fn continuous_densities_by_hand() {
        let u = ParameterPrior::uniform(-1.0, 3.0).unwrap();
        assert_eq!(u.density(0.0), 0.25);
        assert_eq!(u.density(3.5), 0.0);
        let l = ParameterPrior::log_uniform(1.0, std::f64::consts::E).unwrap();
        // 1/(x·ln(e/1)) = 1/x.
        assert!((l.density(2.0) - 0.5).abs() < 1e-15);
        let n = ParameterPrior::truncated_normal(0.0, 1.0, 0.0, f64::INFINITY).unwrap();
        // Half-normal: 2·φ(1) = 2·0.24197072451914337.
        assert!((n.density(1.0) - 0.483_941_449_038_286_7).abs() < 1e-14);
        assert!((n.ln_density(1.0) - 0.483_941_449_038_286_7f64.ln()).abs() < 1e-13);
        assert_eq!(n.density(-0.1), 0.0);
        // Half-normal variance 1 − 2/π.
        assert!((n.variance() - (1.0 - 2.0 / std::f64::consts::PI)).abs() < 1e-14);
        assert!((u.variance() - 16.0 / 12.0).abs() < 1e-15);
        // Log-uniform on [1, e]: E X = e − 1, E X² = (e² − 1)/2.
        let e = std::f64::consts::E;
        let var = (e * e - 1.0) / 2.0 - (e - 1.0) * (e - 1.0);
        assert!((l.variance() - var).abs() < 1e-14);
    }

    #[test]
    fn integer_masses_by_hand() {
        let u = int(PriorShape::Uniform {
            low: 1.0,
            high: 5.0,
        });
        for k in 1..=5 {
            assert_eq!(u.density(f64::from(k)), 0.2);
        }
        assert_eq!(u.density(0.0), 0.0);
        assert_eq!(u.density(2.5), 0.0);
        assert_eq!(u.bounds(), (1.0, 5.0));
        let l = int(PriorShape::LogUniform {
            low: 1.0,
            high: 3.0,
        });
        // Cells of ln on [0.5, 3.5]: ln(1.5/0.5), ln(2.5/1.5), ln(3.5/2.5) over ln 7.
        let total = 7.0f64.ln();
        assert!((l.density(1.0) - 3.0f64.ln() / total).abs() < 1e-15);
        assert!((l.density(2.0) - (5.0f64 / 3.0).ln() / total).abs() < 1e-15);
        assert!((l.density(3.0) - 1.4f64.ln() / total).abs() < 1e-15);
        let n = int(PriorShape::TruncatedNormal {
            mean: 0.0,
            sd: 1.0,
            low: -1.0,
            high: 1.0,
        });
        // Mass on [−1.5, 1.5] is 0.8663855974622838; the cell of 0 holds
        // Φ(0.5) − Φ(−0.5) = 0.38292492254802624 of it.
        assert!((n.density(0.0) - 0.382_924_922_548_026_2 / 0.866_385_597_462_283_8).abs() < 1e-14);
        let sum: f64 = (-1..=1).map(|k| n.density(f64::from(k))).sum();
        assert!((sum - 1.0).abs() < 1e-14);
        assert!(
            ParameterPrior::new(
                PriorShape::Uniform {
                    low: 0.5,
                    high: 2.0
                },
                true
            )
            .is_err()
        );
        assert!(
            ParameterPrior::new(
                PriorShape::LogUniform {
                    low: 0.0,
                    high: 2.0
                },
                true
            )
            .is_err()
        );
    }

    #[test]
    fn samples_have_the_right_moments_and_frequencies() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let n = 200_000;
        let tn = ParameterPrior::truncated_normal(1.0, 2.0, 2.0, 8.0).unwrap();
        let draws: Vec<f64> = (0..n).map(|_| tn.sample(&mut rng)).collect();
        let mean = draws.iter().sum::<f64>() / n as f64;
        let var = draws.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(draws.iter().all(|&x| (2.0..=8.0).contains(&x)));
        // Mean μ + σ(φ(α) − φ(β))/Z with α = 0.5, β = 3.5.
        let z = normal_interval(0.5, 3.5);
        let m = 1.0 + 2.0 * (normal_pdf(0.5) - normal_pdf(3.5)) / z;
        assert!((mean - m).abs() < 0.01, "{mean} vs {m}");
        assert!(
            (var - tn.variance()).abs() < 0.02,
            "{var} vs {}",
            tn.variance()
        );
        let iu = int(PriorShape::Uniform {
            low: 1.0,
            high: 4.0,
        });
        let mut counts = [0usize; 4];
        for _ in 0..n {
            counts[iu.sample(&mut rng) as usize - 1] += 1;
        }
        for c in counts {
            assert!((c as f64 / n as f64 - 0.25).abs() < 0.005, "{counts:?}");
        }
    }
}

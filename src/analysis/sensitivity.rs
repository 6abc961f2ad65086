//! Global sensitivity indices from a finished Saltelli or Morris design:
//! Sobol' indices (first, total and second order) and Morris's
//! elementary-effect statistics, with seeded bootstrap intervals, the share
//! of variance due to replication noise, and failed runs set aside.
//!
//! Point estimates follow SALib 1.6.0 (`SALib.analyze.sobol.analyze` and
//! `SALib.analyze.morris.analyze`)
//! formula for formula, so they agree with SALib's on the same outputs to
//! rounding:
//!
//! - the outputs are standardised first, `Y ← (Y − mean Y) / sd Y` (sd with
//!   divisor n) over every output of the design;
//! - `S1_j = mean(B (AB_j − A)) / V` (Saltelli et al. 2010),
//!   `ST_j = mean((A − AB_j)²) / (2V)` (Jansen 1999) and
//!   `S2_jk = mean(BA_j AB_k − A B) / V − S1_j − S1_k` (Saltelli 2002), with
//!   `V` the variance (divisor n) of A and B pooled;
//! - when A and B pooled span no more than machine epsilon, or `V` is not
//!   above it, an index is 0, as in SALib;
//! - Morris: `μ`, `μ*` (mean absolute effect) and `σ` (divisor r − 1) of
//!   the elementary effects `(y(high) − y(low)) / Δ`.
//!
//! Intervals come from a bootstrap over base rows (Sobol') or trajectories
//! (Morris), drawn from a caller's ChaCha8 stream, so they are reproducible.
//! Each estimate carries the percentile interval and SALib's normal form
//! `conf_normal = z · sd(bootstrap)` (sd with divisor R − 1,
//! `z = Φ⁻¹(1/2 + level/2)`); for S1 and ST, `conf_normal` is 0 when every
//! resampled A and B output is equal, as in SALib. Given the same resample
//! indices ([`sobol_indices`], [`morris_statistics`]), intervals equal
//! SALib's.
//!
//! With replications, the indices are computed on per-point means, and
//! [`NoiseShare`] says how much of the variance is replication noise.
//! A point fails if it has no output or any replication's output is not
//! finite; Sobol' indices then use only complete base blocks (every point of
//! the block complete) and Morris statistics only complete trajectories.
//! What was dropped and why is returned.
//!
//! Unlike SALib, fewer than [`MIN_COMPLETE`] complete blocks (trajectories)
//! give no indices: from one, SALib prints estimates (an ST of 2 is
//! possible) whose bootstrap intervals have zero width, since every
//! resample is that one block again.

use std::collections::BTreeMap;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use statrs::distribution::{ContinuousCDF, Normal};

use crate::analysis::stats::quantile;

use crate::sweep::morris::{Direction, MorrisLayout, MorrisRole, delta as morris_delta};
use crate::sweep::saltelli::{SaltelliLayout, SaltelliMatrix, SaltelliRole, block_matrices};

/// Bootstrap settings.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapOptions {
    /// Number of resamples (at least 2).
    pub resamples: usize,
    /// Confidence level of the intervals, in `(0, 1)`.
    pub conf_level: f64,
}

impl Default for BootstrapOptions {
    /// SALib's defaults: 100 resamples, 95 %.
    fn default() -> Self {
        BootstrapOptions {
            resamples: 100,
            conf_level: 0.95,
        }
    }
}

/// A point estimate with its bootstrap interval.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Estimate {
    /// The estimate on the full sample.
    pub estimate: f64,
    /// Lower percentile bound: the `(1 − level)/2` quantile of the
    /// bootstrap estimates (linear interpolation, R's type 7, NumPy's
    /// default).
    pub lo: f64,
    /// Upper percentile bound: the `(1 + level)/2` quantile.
    pub hi: f64,
    /// SALib's half-width, `z · sd(bootstrap)`: the interval SALib reports
    /// is `estimate ± conf_normal`.
    pub conf_normal: f64,
}

/// A second-order index for the pair `(j, k)`, `j < k`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairEstimate {
    /// First parameter (0-based).
    pub j: usize,
    /// Second parameter, `k > j`.
    pub k: usize,
    /// The index and interval.
    pub estimate: Estimate,
}

/// One design point's outputs: one value per replication, in replication
/// order; a failed or missing run is NaN.
#[derive(Debug, Clone, PartialEq)]
pub struct PointOutputs<R> {
    /// The point's role in the design.
    pub role: R,
    /// The output of each replication.
    pub replicates: Vec<f64>,
}

/// Why a point was not usable.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FailureKind {
    /// The point has no outputs at all (never run, or not in the input).
    NoRuns,
    /// A replication's output is NaN or infinite.
    NonFinite {
        /// Position of the replication in the point's replicates.
        replication: usize,
        /// The value found.
        value: f64,
    },
}

/// A point that failed, with why; its block or trajectory is dropped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Failure<R> {
    /// The point's role.
    pub role: R,
    /// What was wrong.
    pub kind: FailureKind,
}

/// How much of the output variance is replication noise.
///
/// Over the points used that have at least two finite replicates (`m` of
/// them, point `i` with `n_i` values `y_ik`, mean `ȳ_i`). A point is a
/// role of the design: one that two roles share (an unscrambled design's
/// coinciding rows, a grid point two trajectories visit) counts once for
/// each, as in the matrices the indices are computed from, each of which
/// samples the cube; counted once, the shared point would be missing from
/// all matrices but one.
///
/// - `within = (1/m) Σ_i s_i²`, with `s_i² = Σ_k (y_ik − ȳ_i)² / (n_i − 1)`:
///   the mean within-point variance;
/// - `total`: the variance (divisor `n − 1`) of all `n = Σ n_i` values
///   `y_ik` pooled, i.e. of replication-level outputs;
/// - `share = within / total`: the fraction of the output variance that
///   replication noise accounts for (law of total variance; design points
///   are uniform on the cube, so pooled values sample the output's
///   distribution);
/// - `share_of_means = ((1/m) Σ_i s_i² / n_i) / var(ȳ_i)` (divisor
///   `m − 1`): the fraction of the variance of the per-point means, which
///   the indices analyse, that is noise left after averaging.
///
/// A share is `None` when its denominator is 0 or it has too few points
/// (`share` needs one point, `share_of_means` two); with no point at all,
/// `within` and `total` are NaN.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct NoiseShare {
    /// `within / total`.
    pub share: Option<f64>,
    /// Noise share of the per-point means.
    pub share_of_means: Option<f64>,
    /// Mean within-point variance.
    pub within: f64,
    /// Variance of the pooled replication-level outputs.
    pub total: f64,
    /// `m`, the points with at least two finite replicates.
    pub points: usize,
}

/// Why indices cannot be computed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SensitivityError {
    /// The design has no parameters.
    #[error("the design has no parameters")]
    NoParameters,
    /// The confidence level is not in `(0, 1)`.
    #[error("confidence level must be between 0 and 1 (exclusive), got {0}")]
    ConfLevel(f64),
    /// Fewer than two bootstrap resamples.
    #[error("the bootstrap needs at least 2 resamples, got {0}")]
    TooFewResamples(usize),
    /// Flat outputs whose length is not a multiple of the block size.
    #[error(
        "{got} outputs is not a multiple of the block size {block}: check second_order against the design"
    )]
    OutputLength {
        /// Outputs given.
        got: usize,
        /// Points per block.
        block: usize,
    },
    /// Matrices of different lengths, or the wrong number of columns.
    #[error("the output matrices do not have the same number of rows and one column per parameter")]
    Shape,
    /// A resample of the wrong length or with an index out of range.
    #[error("resample {0} does not have the sample's length or indexes past its end")]
    BadResample(usize),
    /// A role outside the design.
    #[error("the role ({0}) is outside the design")]
    SaltelliRoleOutOfRange(SaltelliRole),
    /// A role given twice.
    #[error("the role ({0}) appears twice")]
    DuplicateSaltelliRole(SaltelliRole),
    /// A role outside the design.
    #[error("the role ({0}) is outside the design")]
    MorrisRoleOutOfRange(MorrisRole),
    /// A role given twice.
    #[error("the role ({0}) appears twice")]
    DuplicateMorrisRole(MorrisRole),
    /// A trajectory that does not move every parameter exactly once.
    #[error("trajectory {0} does not move every parameter exactly once")]
    InconsistentTrajectory(usize),
}

// ---------------------------------------------------------------- Sobol'

/// Outputs of a Saltelli design arranged by matrix: one value per base row
/// in each of A, B, AB_j and (second order) BA_j.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliOutputs {
    /// Outputs at A.
    pub a: Vec<f64>,
    /// Outputs at B.
    pub b: Vec<f64>,
    /// Outputs at AB_j, one vector per parameter `j`.
    pub ab: Vec<Vec<f64>>,
    /// Outputs at BA_j (second order only).
    pub ba: Option<Vec<Vec<f64>>>,
}

impl SaltelliOutputs {
    /// Splits flat outputs in SALib's row order (as SALib's
    /// `separate_output_values` does).
    ///
    /// # Errors
    ///
    /// No parameters, or a length that is not a multiple of the block.
    pub fn from_salib_order(
        y: &[f64],
        dims: usize,
        second_order: bool,
    ) -> Result<Self, SensitivityError> {
        if dims == 0 {
            return Err(SensitivityError::NoParameters);
        }
        let block = crate::sweep::saltelli::block_size(dims, second_order);
        if y.is_empty() || !y.len().is_multiple_of(block) {
            return Err(SensitivityError::OutputLength {
                got: y.len(),
                block,
            });
        }
        let col = |offset: usize| -> Vec<f64> { y.chunks(block).map(|c| c[offset]).collect() };
        Ok(SaltelliOutputs {
            a: col(0),
            b: col(block - 1),
            ab: (0..dims).map(|j| col(1 + j)).collect(),
            ba: second_order.then(|| (0..dims).map(|j| col(1 + dims + j)).collect()),
        })
    }

    /// `N`, the number of base rows.
    pub fn base_rows(&self) -> usize {
        self.a.len()
    }

    fn check(&self) -> Result<(), SensitivityError> {
        let n = self.a.len();
        let columns_ok =
            |m: &[Vec<f64>]| m.len() == self.ab.len() && m.iter().all(|c| c.len() == n);
        let ok = n > 0
            && self.b.len() == n
            && !self.ab.is_empty()
            && columns_ok(&self.ab)
            && self.ba.as_deref().is_none_or(columns_ok);
        if ok {
            Ok(())
        } else {
            Err(SensitivityError::Shape)
        }
    }

    /// Every output, for the standardisation.
    fn all(&self) -> Vec<f64> {
        let ba = self.ba.iter().flatten().flatten();
        self.a
            .iter()
            .chain(self.ab.iter().flatten())
            .chain(ba)
            .chain(&self.b)
            .copied()
            .collect()
    }

    fn map(&self, f: impl Fn(f64) -> f64) -> SaltelliOutputs {
        let m = |v: &Vec<f64>| v.iter().map(|&x| f(x)).collect::<Vec<f64>>();
        SaltelliOutputs {
            a: m(&self.a),
            b: m(&self.b),
            ab: self.ab.iter().map(m).collect(),
            ba: self.ba.as_ref().map(|ba| ba.iter().map(m).collect()),
        }
    }

    fn gather(&self, rows: &[usize]) -> SaltelliOutputs {
        let g = |v: &Vec<f64>| rows.iter().map(|&i| v[i]).collect::<Vec<f64>>();
        SaltelliOutputs {
            a: g(&self.a),
            b: g(&self.b),
            ab: self.ab.iter().map(g).collect(),
            ba: self.ba.as_ref().map(|ba| ba.iter().map(g).collect()),
        }
    }
}

/// Sobol' indices with intervals.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolIndices {
    /// First-order index per parameter.
    pub s1: Vec<Estimate>,
    /// Total-order index per parameter.
    pub st: Vec<Estimate>,
    /// Second-order index per pair `j < k` (in that order); empty without
    /// BA outputs.
    pub s2: Vec<PairEstimate>,
    /// The outputs were all equal (SALib then reports every index as 0,
    /// as these do): the indices are not informative.
    pub constant_output: bool,
    /// The A and B outputs were all equal while others were not: SALib's
    /// guard on their variance makes every index 0 (as these are), which
    /// says nothing of the parameters (too few base rows to see the
    /// output vary).
    pub constant_a_and_b: bool,
}

/// Draws `count` bootstrap resamples of `n` indices in `0..n` from `rng`:
/// resample by resample, index by index, `random_range(0..n)` each.
pub fn draw_resamples(n: usize, count: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<usize>> {
    (0..count)
        .map(|_| (0..n).map(|_| rng.random_range(0..n)).collect())
        .collect()
}

/// Sobol' indices from outputs by matrix and explicit bootstrap resamples
/// (each a list of base-row indices; SALib's `r[:, b]`).
///
/// # Errors
///
/// A bad confidence level, fewer than 2 resamples, inconsistent shapes or
/// a resample that does not fit the sample.
pub fn sobol_indices(
    outputs: &SaltelliOutputs,
    resamples: &[Vec<usize>],
    conf_level: f64,
) -> Result<SobolIndices, SensitivityError> {
    outputs.check()?;
    let z = check_bootstrap(resamples.len(), conf_level)?;
    check_resamples(resamples, outputs.base_rows())?;
    let dims = outputs.ab.len();

    // SALib: Y = (Y - mean) / std over all outputs. A constant Y makes that
    // 0/0; SALib then returns 0 for every index and interval.
    let (mean, sd) = mean_and_sd(&outputs.all());
    if !(sd > 0.0 && sd.is_finite()) {
        let zero = Estimate {
            estimate: 0.0,
            lo: 0.0,
            hi: 0.0,
            conf_normal: 0.0,
        };
        let pairs = pairs(dims, outputs.ba.is_some());
        return Ok(SobolIndices {
            s1: vec![zero; dims],
            st: vec![zero; dims],
            s2: pairs
                .into_iter()
                .map(|(j, k)| PairEstimate {
                    j,
                    k,
                    estimate: zero,
                })
                .collect(),
            constant_output: true,
            constant_a_and_b: true,
        });
    }
    let y = outputs.map(|x| (x - mean) / sd);
    // As `ratio` reads the variance: at most machine epsilon gives 0.
    let constant_a_and_b = pooled_variance(&y.a, &y.b).is_none_or(|v| v <= f64::EPSILON);

    let point = raw_sobol(&y);
    let boot: Vec<RawSobol> = resamples.iter().map(|r| raw_sobol(&y.gather(r))).collect();
    // SALib zeroes S1_conf and ST_conf when every resampled A and B value is
    // the same (np.ptp == 0 over all resamples).
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for r in resamples {
        for &i in r {
            for v in [y.a[i], y.b[i]] {
                lo = lo.min(v);
                hi = hi.max(v);
            }
        }
    }
    let spread = hi - lo != 0.0;
    let q = Quantiles::new(conf_level, z);
    let s1 = (0..dims)
        .map(|j| q.estimate(point.s1[j], boot.iter().map(|b| b.s1[j]), spread))
        .collect();
    let st = (0..dims)
        .map(|j| q.estimate(point.st[j], boot.iter().map(|b| b.st[j]), spread))
        .collect();
    let s2 = point
        .s2
        .iter()
        .enumerate()
        .map(|(p, &(j, k, v))| PairEstimate {
            j,
            k,
            estimate: q.estimate(v, boot.iter().map(|b| b.s2[p].2), true),
        })
        .collect();
    Ok(SobolIndices {
        s1,
        st,
        s2,
        constant_output: false,
        constant_a_and_b,
    })
}

/// The pairs `j < k` in SALib's order, if second order.
fn pairs(dims: usize, second_order: bool) -> Vec<(usize, usize)> {
    if !second_order {
        return Vec::new();
    }
    (0..dims)
        .flat_map(|j| (j + 1..dims).map(move |k| (j, k)))
        .collect()
}

/// Indices without intervals, on standardised outputs.
struct RawSobol {
    s1: Vec<f64>,
    st: Vec<f64>,
    s2: Vec<(usize, usize, f64)>,
}

fn raw_sobol(y: &SaltelliOutputs) -> RawSobol {
    let dims = y.ab.len();
    let var = pooled_variance(&y.a, &y.b);
    let s1: Vec<f64> = (0..dims)
        .map(|j| first_order(&y.a, &y.ab[j], &y.b, var))
        .collect();
    let st = (0..dims)
        .map(|j| total_order(&y.a, &y.ab[j], var))
        .collect();
    let s2 = match &y.ba {
        Some(ba) => pairs(dims, true)
            .into_iter()
            .map(|(j, k)| {
                let v = second_order(&y.a, &ba[j], &y.ab[k], &y.b, var, s1[j], s1[k]);
                (j, k, v)
            })
            .collect(),
        None => Vec::new(),
    };
    RawSobol { s1, st, s2 }
}

/// Which roles of each base row are one point of the design, whose runs
/// (and noise) they share: a design runs a point once, however many roles
/// land on it (a list's or whole number's stratum, `BA_0` = `AB_1` with
/// two parameters).
#[derive(Debug, Clone, PartialEq)]
pub struct SharedPoints {
    /// Per row: A and B are one point.
    pub a_b: Vec<bool>,
    /// Per parameter j, per row: A and AB_j are one point.
    pub a_ab: Vec<Vec<bool>>,
    /// Per parameter j, per row: B and AB_j are one point.
    pub b_ab: Vec<Vec<bool>>,
    /// Per pair (j, k) in [`sobol_indices`]'s order, per row: BA_j and
    /// AB_k are one point (empty without second order).
    pub ba_ab: Vec<Vec<bool>>,
}

impl SharedPoints {
    /// Every role of `rows` base rows over `dims` parameters its own point.
    pub fn none(rows: usize, dims: usize, second_order: bool) -> SharedPoints {
        let apart = vec![false; rows];
        SharedPoints {
            a_b: apart.clone(),
            a_ab: vec![apart.clone(); dims],
            b_ab: vec![apart.clone(); dims],
            ba_ab: vec![apart; pairs(dims, second_order).len()],
        }
    }

    fn gather(&self, rows: &[usize]) -> SharedPoints {
        let pick = |v: &Vec<bool>| -> Vec<bool> { rows.iter().map(|&r| v[r]).collect() };
        SharedPoints {
            a_b: pick(&self.a_b),
            a_ab: self.a_ab.iter().map(pick).collect(),
            b_ab: self.b_ab.iter().map(pick).collect(),
            ba_ab: self.ba_ab.iter().map(pick).collect(),
        }
    }
}

/// Sobol' indices net of replication noise. The indices of
/// [`sobol_indices`] are of per-point means over R replications, each the
/// model's mean response plus noise of variance τ = σ²/R (σ² the point's
/// replication variance). Noise is independent between points (each has
/// its own streams) and the same for roles at one point (`shared`). So it
/// adds τ̄ to the variance V of the A and B means; ½ (τ_A + τ_ABj) to
/// Jansen's ½ mean((A − AB_j)²) where A and AB_j are two points (nothing
/// where they are one); to the first-order numerator mean(B (AB_j − A)),
/// τ_B where B and AB_j are one point less τ_A where A and B are; and to
/// the second-order one, mean(BA_j AB_k − A B), τ where BA_j and AB_k are
/// one point less τ_A where A and B are. Net of it, over V − τ̄:
/// `S1_j = (mean(B (AB_j − A)) − its noise) / (V − τ̄)`,
/// `ST_j = (½ mean((A − AB_j)²) − its noise) / (V − τ̄)`,
/// `S2_jk = (mean(BA_j AB_k − A B) − its noise) / (V − τ̄) − S1_j − S1_k`,
/// with τ measured point by point (`noise`, in the layout of `outputs`)
/// and resampled with its rows. With much noise the plain indices tend to
/// s + (1 − s) ST for ST and (1 − s) S1 for S1 (s = τ̄ / V, the noise
/// share of the means), which a sweep of few replications shows as every
/// total index near s and their sum above 1. Every index is NaN, with no
/// interval, where V − τ̄ is not positive (no variance beyond the noise),
/// or is not positive in more than 1 − `conf_level` of the bootstrap
/// resamples: a variance beyond the noise that cannot be told from 0
/// divides every index by noise (Korea's 2011 value, 99.6 % noise, had
/// net indices of 7.3 and −2.7). Otherwise an interval is of the resamples
/// that give one. `None` if a point has fewer than two replications, or
/// the outputs are constant.
///
/// # Errors
///
/// As [`sobol_indices`].
pub fn sobol_net_indices(
    outputs: &SaltelliOutputs,
    noise: &SaltelliOutputs,
    shared: &SharedPoints,
    resamples: &[Vec<usize>],
    conf_level: f64,
) -> Result<Option<SobolIndices>, SensitivityError> {
    outputs.check()?;
    let z = check_bootstrap(resamples.len(), conf_level)?;
    check_resamples(resamples, outputs.base_rows())?;
    let (mean, sd) = mean_and_sd(&outputs.all());
    if !(sd > 0.0 && sd.is_finite()) || noise.all().iter().any(|t| !t.is_finite()) {
        return Ok(None);
    }
    // In the standardised units of the plain indices.
    let y = outputs.map(|x| (x - mean) / sd);
    let tau = noise.map(|t| t / (sd * sd));
    debug_assert_eq!(shared.a_b.len(), outputs.base_rows(), "one flag a row");
    let (point, signal) = raw_sobol_net(&y, &tau, shared);
    let (boot, signals): (Vec<RawSobol>, Vec<f64>) = resamples
        .iter()
        .map(|r| raw_sobol_net(&y.gather(r), &tau.gather(r), &shared.gather(r)))
        .unzip();
    // A NaN variance counts as none.
    let positive = |v: f64| v > 0.0;
    let no_signal = signals.iter().filter(|&&v| !positive(v)).count();
    let undefined = !positive(signal) || no_signal as f64 > (1.0 - conf_level) * boot.len() as f64;
    let q = Quantiles::new(conf_level, z);
    let finite = |v: f64| -> Option<f64> { v.is_finite().then_some(v) };
    let none = Estimate {
        estimate: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        conf_normal: f64::NAN,
    };
    // An index's estimate, and its resamples' values by `of`.
    let estimate = |v: f64, of: &dyn Fn(&RawSobol) -> f64| {
        if undefined {
            return none;
        }
        let boot: Vec<f64> = boot.iter().filter_map(|b| finite(of(b))).collect();
        if boot.len() < 2 {
            return Estimate {
                estimate: v,
                ..none
            };
        }
        q.estimate(v, boot.into_iter(), true)
    };
    let dims = outputs.ab.len();
    Ok(Some(SobolIndices {
        s1: (0..dims)
            .map(|j| estimate(point.s1[j], &|b| b.s1[j]))
            .collect(),
        st: (0..dims)
            .map(|j| estimate(point.st[j], &|b| b.st[j]))
            .collect(),
        s2: point
            .s2
            .iter()
            .enumerate()
            .map(|(p, &(j, k, v))| PairEstimate {
                j,
                k,
                estimate: estimate(v, &|b| b.s2[p].2),
            })
            .collect(),
        constant_output: false,
        constant_a_and_b: false,
    }))
}

/// [`raw_sobol`] net of the noise `tau` (see [`sobol_net_indices`]), with
/// the variance beyond the noise they divide by.
fn raw_sobol_net(y: &SaltelliOutputs, tau: &SaltelliOutputs, sh: &SharedPoints) -> (RawSobol, f64) {
    // E[e_A e_B]: τ where A and B are one point.
    let ab_noise = |i: usize| {
        if sh.a_b[i] { tau.a[i] } else { 0.0 }
    };
    let dims = y.ab.len();
    let n = y.a.len() as f64;
    let noise_v =
        (y.a.iter().chain(&y.b).count() as f64).recip() * tau.a.iter().chain(&tau.b).sum::<f64>();
    let (_, sd) = mean_and_sd(&[y.a.as_slice(), y.b.as_slice()].concat());
    let signal = sd * sd - noise_v;
    let over = |num: f64| if signal > 0.0 { num / signal } else { f64::NAN };
    let s1: Vec<f64> = (0..dims)
        .map(|j| {
            over(
                (0..y.a.len())
                    .map(|i| {
                        let b_ab = if sh.b_ab[j][i] { tau.b[i] } else { 0.0 };
                        y.b[i] * (y.ab[j][i] - y.a[i]) - (b_ab - ab_noise(i))
                    })
                    .sum::<f64>()
                    / n,
            )
        })
        .collect();
    let st = (0..dims)
        .map(|j| {
            let jansen: f64 = (0..y.a.len())
                .map(|i| {
                    let noise = if sh.a_ab[j][i] {
                        0.0
                    } else {
                        tau.a[i] + tau.ab[j][i]
                    };
                    (y.a[i] - y.ab[j][i]).powi(2) - noise
                })
                .sum();
            over(0.5 * jansen / n)
        })
        .collect();
    let s2 = match &y.ba {
        Some(ba) => pairs(dims, true)
            .into_iter()
            .enumerate()
            .map(|(p, (j, k))| {
                let sum: f64 = (0..y.a.len())
                    .map(|i| {
                        let ba_ab = if sh.ba_ab[p][i] { tau.ab[k][i] } else { 0.0 };
                        ba[j][i] * y.ab[k][i] - y.a[i] * y.b[i] - (ba_ab - ab_noise(i))
                    })
                    .sum();
                (j, k, over(sum / n) - s1[j] - s1[k])
            })
            .collect(),
        None => Vec::new(),
    };
    (RawSobol { s1, st, s2 }, signal)
}

/// SALib's guard and denominator: `None` if A and B pooled span no more
/// than machine epsilon (every index is then 0), else their variance with
/// divisor n.
fn pooled_variance(a: &[f64], b: &[f64]) -> Option<f64> {
    let (lo, hi) = a
        .iter()
        .chain(b)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &x| {
            (lo.min(x), hi.max(x))
        });
    if hi - lo <= f64::EPSILON {
        return None;
    }
    let (_, sd) = mean_and_sd(&[a, b].concat());
    Some(sd * sd)
}

/// `numerator / var`, or 0 where SALib's guards give 0.
fn ratio(numerator: f64, var: Option<f64>) -> f64 {
    match var {
        Some(v) if v > f64::EPSILON => numerator / v,
        _ => 0.0,
    }
}

/// Saltelli et al. (2010): `S1_j = mean(B (AB_j − A)) / V`.
fn first_order(a: &[f64], ab: &[f64], b: &[f64], var: Option<f64>) -> f64 {
    let n = a.len() as f64;
    let sum: f64 = (0..a.len()).map(|i| b[i] * (ab[i] - a[i])).sum();
    ratio(sum / n, var)
}

/// Jansen (1999): `ST_j = mean((A − AB_j)²) / (2V)`.
fn total_order(a: &[f64], ab: &[f64], var: Option<f64>) -> f64 {
    let n = a.len() as f64;
    let sum: f64 = (0..a.len()).map(|i| (a[i] - ab[i]) * (a[i] - ab[i])).sum();
    // SALib: 0.5 * mean(...) / var.
    ratio(0.5 * (sum / n), var)
}

/// Saltelli (2002): `S2_jk = mean(BA_j AB_k − A B) / V − S1_j − S1_k`.
fn second_order(
    a: &[f64],
    ba_j: &[f64],
    ab_k: &[f64],
    b: &[f64],
    var: Option<f64>,
    s1_j: f64,
    s1_k: f64,
) -> f64 {
    if var.is_none() {
        return 0.0;
    }
    let n = a.len() as f64;
    let sum: f64 = (0..a.len()).map(|i| ba_j[i] * ab_k[i] - a[i] * b[i]).sum();
    ratio(sum / n, var) - s1_j - s1_k
}

/// A layout's outputs checked, averaged and grouped by block.
struct Blocks<R> {
    /// Per used block (or trajectory), the per-point means in layout order.
    means: Vec<Vec<f64>>,
    /// The replicates of every used point, for the noise share.
    replicates: Vec<Vec<f64>>,
    /// Failed points, sorted by role then replication.
    failures: Vec<Failure<R>>,
    /// Blocks in the layout.
    total: usize,
}

/// Groups `outputs` into the blocks `roles_of(block)` lists, keeping only
/// blocks whose points are all complete.
fn complete_blocks<R: Ord + Copy>(
    outputs: &[PointOutputs<R>],
    blocks: usize,
    roles_of: impl Fn(usize) -> Vec<R>,
) -> Blocks<R> {
    let by_role: BTreeMap<R, &[f64]> = outputs
        .iter()
        .map(|p| (p.role, p.replicates.as_slice()))
        .collect();
    let mut out = Blocks {
        means: Vec::new(),
        replicates: Vec::new(),
        failures: Vec::new(),
        total: blocks,
    };
    for block in 0..blocks {
        let roles = roles_of(block);
        let mut complete = true;
        let mut means = Vec::with_capacity(roles.len());
        let mut reps = Vec::with_capacity(roles.len());
        for role in roles {
            let values = by_role.get(&role).copied().unwrap_or(&[]);
            if values.is_empty() {
                out.failures.push(Failure {
                    role,
                    kind: FailureKind::NoRuns,
                });
                complete = false;
                continue;
            }
            let mut finite = true;
            for (replication, &value) in values.iter().enumerate() {
                if !value.is_finite() {
                    out.failures.push(Failure {
                        role,
                        kind: FailureKind::NonFinite { replication, value },
                    });
                    finite = false;
                }
            }
            if !finite {
                complete = false;
                continue;
            }
            means.push(values.iter().sum::<f64>() / values.len() as f64);
            reps.push(values.to_vec());
        }
        if complete {
            out.means.push(means);
            out.replicates.extend(reps);
        }
    }
    out
}

/// Complete base blocks (Sobol') or trajectories (Morris) an analysis
/// needs to give indices: with one, the bootstrap can only resample it.
pub const MIN_COMPLETE: usize = 2;

/// A Sobol' analysis of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct SobolAnalysis {
    /// The indices on the complete blocks; `None` if fewer than
    /// [`MIN_COMPLETE`] are complete.
    pub indices: Option<SobolIndices>,
    /// The same indices net of replication noise ([`sobol_net_indices`]);
    /// `None` where `indices` is, or where a point has fewer than two
    /// replications (no noise to measure).
    pub net: Option<SobolIndices>,
    /// Replication noise over the points of the complete blocks.
    pub noise: NoiseShare,
    /// Complete base blocks used.
    pub blocks_used: usize,
    /// Base blocks dropped because a point failed.
    pub blocks_dropped: usize,
    /// The failed points, by role (base row, then matrix), then replication.
    pub failures: Vec<Failure<SaltelliRole>>,
}

/// Sobol' indices of one output of a Saltelli design, on per-point means
/// over replications, using complete base blocks only.
///
/// Resamples are drawn from `rng` ([`draw_resamples`] over the complete
/// blocks, in base-row order); give each output its own stream (e.g. keyed
/// by the output's name) so results do not depend on the order outputs are
/// analysed in.
///
/// # Errors
///
/// A layout without parameters, bad bootstrap options, or a role outside
/// the layout or given twice.
pub fn sobol_analyze(
    layout: &SaltelliLayout,
    outputs: &[PointOutputs<SaltelliRole>],
    options: &BootstrapOptions,
    rng: &mut ChaCha8Rng,
) -> Result<SobolAnalysis, SensitivityError> {
    sobol_analyze_points(layout, outputs, |_| None, options, rng)
}

/// [`sobol_analyze`] where `point_of` names the design point of a role
/// (`None`: a point of its own): roles at one point share its runs, and
/// so its noise, which the net indices take into account
/// ([`SharedPoints`]).
///
/// # Errors
///
/// As [`sobol_analyze`].
pub fn sobol_analyze_points(
    layout: &SaltelliLayout,
    outputs: &[PointOutputs<SaltelliRole>],
    point_of: impl Fn(SaltelliRole) -> Option<u64>,
    options: &BootstrapOptions,
    rng: &mut ChaCha8Rng,
) -> Result<SobolAnalysis, SensitivityError> {
    let SaltelliLayout {
        dims,
        base_rows,
        second_order,
    } = *layout;
    if dims == 0 {
        return Err(SensitivityError::NoParameters);
    }
    check_bootstrap(options.resamples, options.conf_level)?;
    let mut seen = std::collections::BTreeSet::new();
    for p in outputs {
        if p.role.base_row >= base_rows || p.role.salib_row(dims, second_order).is_none() {
            return Err(SensitivityError::SaltelliRoleOutOfRange(p.role));
        }
        if !seen.insert(p.role) {
            return Err(SensitivityError::DuplicateSaltelliRole(p.role));
        }
    }
    let matrices = block_matrices(dims, second_order);
    let blocks = complete_blocks(outputs, base_rows, |base_row| {
        matrices
            .iter()
            .map(|&matrix| SaltelliRole { base_row, matrix })
            .collect()
    });
    let used = blocks.means.len();
    let indices = if used < MIN_COMPLETE {
        None
    } else {
        // A block's values by matrix, from each complete block's value at
        // a matrix's place in the block.
        let by_matrix = |value: &dyn Fn(usize, usize) -> f64| {
            let column = |m: SaltelliMatrix| -> Vec<f64> {
                let offset = matrices.iter().position(|&x| x == m).unwrap_or(0);
                (0..used).map(|i| value(i, offset)).collect()
            };
            SaltelliOutputs {
                a: column(SaltelliMatrix::A),
                b: column(SaltelliMatrix::B),
                ab: (0..dims).map(|j| column(SaltelliMatrix::AB(j))).collect(),
                ba: second_order
                    .then(|| (0..dims).map(|j| column(SaltelliMatrix::BA(j))).collect()),
            }
        };
        let y = by_matrix(&|i, offset| blocks.means[i][offset]);
        let resamples = draw_resamples(used, options.resamples, rng);
        // The noise variance of each point's mean: the replicates of a
        // complete block follow its matrices in order.
        let k = matrices.len();
        let noise = by_matrix(&|i, offset| {
            let r = &blocks.replicates[i * k + offset];
            var_unbiased(r) / r.len() as f64
        });
        // The complete blocks' base rows, in order, and which of their
        // roles are one point.
        let rows: Vec<usize> = (0..base_rows)
            .filter(|&b| !blocks.failures.iter().any(|f| f.role.base_row == b))
            .collect();
        debug_assert_eq!(rows.len(), used);
        let same = |m1: SaltelliMatrix, m2: SaltelliMatrix| -> Vec<bool> {
            rows.iter()
                .map(|&base_row| {
                    let at = |matrix| point_of(SaltelliRole { base_row, matrix });
                    at(m1).is_some() && at(m1) == at(m2)
                })
                .collect()
        };
        let shared = SharedPoints {
            a_b: same(SaltelliMatrix::A, SaltelliMatrix::B),
            a_ab: (0..dims)
                .map(|j| same(SaltelliMatrix::A, SaltelliMatrix::AB(j)))
                .collect(),
            b_ab: (0..dims)
                .map(|j| same(SaltelliMatrix::B, SaltelliMatrix::AB(j)))
                .collect(),
            ba_ab: if second_order {
                pairs(dims, true)
                    .into_iter()
                    .map(|(j, k)| same(SaltelliMatrix::BA(j), SaltelliMatrix::AB(k)))
                    .collect()
            } else {
                Vec::new()
            },
        };
        let net = sobol_net_indices(&y, &noise, &shared, &resamples, options.conf_level)?;
        Some((sobol_indices(&y, &resamples, options.conf_level)?, net))
    };
    let (indices, net) = match indices {
        Some((indices, net)) => (Some(indices), net),
        None => (None, None),
    };
    let reps: Vec<&[f64]> = blocks.replicates.iter().map(Vec::as_slice).collect();
    Ok(SobolAnalysis {
        indices,
        net,
        noise: noise_share(&reps),
        blocks_used: used,
        blocks_dropped: blocks.total - used,
        failures: blocks.failures,
    })
}

// ---------------------------------------------------------------- Morris

/// Morris statistics of one parameter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MorrisStatistics {
    /// `μ`, the mean elementary effect.
    pub mu: f64,
    /// `μ*`, the mean absolute elementary effect, with its interval.
    pub mu_star: Estimate,
    /// `σ`, the standard deviation of the effects (divisor r − 1; NaN for
    /// a single trajectory, as in SALib).
    pub sigma: f64,
}

/// Draws Morris bootstrap resamples in SALib's shape: per parameter,
/// `count` resamples of `effects` indices (parameter by parameter,
/// resample by resample, index by index, `random_range(0..effects)` each).
pub fn draw_morris_resamples(
    dims: usize,
    effects: usize,
    count: usize,
    rng: &mut ChaCha8Rng,
) -> Vec<Vec<Vec<usize>>> {
    (0..dims)
        .map(|_| draw_resamples(effects, count, rng))
        .collect()
}

/// Morris statistics from elementary effects (`effects[j]` = parameter
/// `j`'s effects, one per trajectory) and explicit resamples
/// (`resamples[j]`, SALib's `resample_index` for parameter `j`).
///
/// # Errors
///
/// A bad confidence level, fewer than 2 resamples, parameters with
/// different numbers of effects or none, or resamples that do not fit.
pub fn morris_statistics(
    effects: &[Vec<f64>],
    resamples: &[Vec<Vec<usize>>],
    conf_level: f64,
) -> Result<Vec<MorrisStatistics>, SensitivityError> {
    let n = effects.first().map_or(0, Vec::len);
    if effects.is_empty() {
        return Err(SensitivityError::NoParameters);
    }
    if n == 0 || effects.iter().any(|e| e.len() != n) || resamples.len() != effects.len() {
        return Err(SensitivityError::Shape);
    }
    let mut z = f64::NAN;
    for r in resamples {
        z = check_bootstrap(r.len(), conf_level)?;
        check_resamples(r, n)?;
    }
    let q = Quantiles::new(conf_level, z);
    Ok(effects
        .iter()
        .zip(resamples)
        .map(|(ee, rs)| {
            let mu = mean(ee.iter().copied());
            let mu_star = mean(ee.iter().map(|x| x.abs()));
            let sigma = sd_unbiased(ee);
            let boot = rs.iter().map(|r| mean(r.iter().map(|&i| ee[i].abs())));
            MorrisStatistics {
                mu,
                mu_star: q.estimate(mu_star, boot, true),
                sigma,
            }
        })
        .collect())
}

/// A Morris analysis of one output.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisAnalysis {
    /// Per parameter, on the complete trajectories; `None` if fewer than
    /// [`MIN_COMPLETE`] are complete.
    pub statistics: Option<Vec<MorrisStatistics>>,
    /// The elementary effects used, `effects[j][t]` (parameter `j`, `t`-th
    /// complete trajectory), for plots.
    pub effects: Vec<Vec<f64>>,
    /// Replication noise over the points of the complete trajectories.
    pub noise: NoiseShare,
    /// The μ* that replication noise alone gives (see
    /// [`morris_analyze_moves`]): a parameter's μ* near it cannot be told
    /// from noise. `None` with fewer than two replications a point.
    pub noise_mu_star: Option<f64>,
    /// Complete trajectories used.
    pub trajectories_used: usize,
    /// Trajectories dropped because a point failed.
    pub trajectories_dropped: usize,
    /// The failed points, by role (trajectory, then step), then replication.
    pub failures: Vec<Failure<MorrisRole>>,
}

/// Morris statistics of one output of a Morris design, on per-point means
/// over replications, using complete trajectories only. Elementary effects
/// are `(y(high) − y(low)) / Δ` in unit coordinates, as in SALib
/// (`scaled = False`).
///
/// Resamples come from `rng` ([`draw_morris_resamples`]); give each output
/// its own stream.
///
/// # Errors
///
/// A layout without parameters, bad bootstrap options, a role outside the
/// layout or given twice, or a trajectory that does not move every
/// parameter once.
pub fn morris_analyze(
    layout: &MorrisLayout,
    outputs: &[PointOutputs<MorrisRole>],
    options: &BootstrapOptions,
    rng: &mut ChaCha8Rng,
) -> Result<MorrisAnalysis, SensitivityError> {
    morris_analyze_moves(layout, outputs, &BTreeMap::new(), options, rng)
}

/// [`morris_analyze`] where some steps moved their parameter by other than
/// Δ in unit coordinates: `moves` gives, by (trajectory, step), the size
/// of the move, by which that step's effect is divided. A parameter of
/// whole numbers or of listed values takes a level's unit value to its
/// stratum (value = `min + floor(u · span)`), so a move of Δ = 2/3 over
/// {1, 2, 3} is one value (a third of the span) from 1/3 and two from 0:
/// divided by Δ, the first effect was understated by half.
///
/// # Errors
///
/// As [`morris_analyze`].
pub fn morris_analyze_moves(
    layout: &MorrisLayout,
    outputs: &[PointOutputs<MorrisRole>],
    moves: &BTreeMap<(usize, usize), f64>,
    options: &BootstrapOptions,
    rng: &mut ChaCha8Rng,
) -> Result<MorrisAnalysis, SensitivityError> {
    let MorrisLayout {
        dims,
        trajectories,
        levels,
    } = *layout;
    if dims == 0 {
        return Err(SensitivityError::NoParameters);
    }
    check_bootstrap(options.resamples, options.conf_level)?;
    // Each trajectory's steps, from its roles.
    let mut steps: BTreeMap<(usize, usize), MorrisRole> = BTreeMap::new();
    for p in outputs {
        let r = p.role;
        let valid = r.trajectory < trajectories
            && r.step <= dims
            && match r.moved {
                None => r.step == 0,
                Some(m) => r.step > 0 && m.parameter < dims,
            };
        if !valid {
            return Err(SensitivityError::MorrisRoleOutOfRange(r));
        }
        if steps.insert((r.trajectory, r.step), r).is_some() {
            return Err(SensitivityError::DuplicateMorrisRole(r));
        }
    }
    let blocks = complete_blocks(outputs, trajectories, |t| {
        (0..=dims)
            .map(|s| match steps.get(&(t, s)) {
                Some(&role) => role,
                // A step with no output at all: reported as such; the
                // move is unknown, and the trajectory is dropped anyway.
                None => MorrisRole {
                    trajectory: t,
                    step: s,
                    moved: None,
                },
            })
            .collect()
    });
    // The complete trajectories, in order, to recover their moves.
    let complete: Vec<usize> = (0..trajectories)
        .filter(|&t| !blocks.failures.iter().any(|f| f.role.trajectory == t))
        .collect();
    debug_assert_eq!(complete.len(), blocks.means.len());
    let delta = morris_delta(levels);
    let mut effects = vec![Vec::with_capacity(complete.len()); dims];
    // The noise's mean absolute effect, step by step: two means of R
    // replications with variances τ differ by noise of variance
    // τ_s + τ_s−1, whose mean absolute value is √(2/π) times its sd
    // (normal), over the step's move.
    let mut floor = (0.0, 0usize);
    let tau = |r: &[f64]| var_unbiased(r) / r.len() as f64;
    for (i, &t) in complete.iter().enumerate() {
        for s in 1..=dims {
            let step = moves.get(&(t, s)).copied().unwrap_or(delta);
            let (a, b) = (
                &blocks.replicates[i * (dims + 1) + s - 1],
                &blocks.replicates[i * (dims + 1) + s],
            );
            floor.0 += (2.0 / std::f64::consts::PI * (tau(a) + tau(b))).sqrt() / step;
            floor.1 += 1;
        }
    }
    let noise_mu_star = (floor.1 > 0 && floor.0.is_finite()).then(|| floor.0 / floor.1 as f64);
    for (&t, y) in complete.iter().zip(&blocks.means) {
        let mut moved = vec![false; dims];
        for s in 1..=dims {
            let m = steps[&(t, s)]
                .moved
                .ok_or(SensitivityError::InconsistentTrajectory(t))?;
            if std::mem::replace(&mut moved[m.parameter], true) {
                return Err(SensitivityError::InconsistentTrajectory(t));
            }
            // SALib: (y at the high end - y at the low end) / Δ, or by the
            // move the step really made.
            let step = moves.get(&(t, s)).copied().unwrap_or(delta);
            let ee = match m.direction {
                Direction::Up => (y[s] - y[s - 1]) / step,
                Direction::Down => (y[s - 1] - y[s]) / step,
            };
            effects[m.parameter].push(ee);
        }
    }
    let used = complete.len();
    let statistics = if used < MIN_COMPLETE {
        None
    } else {
        let resamples = draw_morris_resamples(dims, used, options.resamples, rng);
        Some(morris_statistics(&effects, &resamples, options.conf_level)?)
    };
    let reps: Vec<&[f64]> = blocks.replicates.iter().map(Vec::as_slice).collect();
    Ok(MorrisAnalysis {
        statistics,
        effects,
        noise: noise_share(&reps),
        noise_mu_star,
        trajectories_used: used,
        trajectories_dropped: trajectories - used,
        failures: blocks.failures,
    })
}

// ---------------------------------------------------------------- shared

/// The replication-noise share of a set of points' replicates (see
/// [`NoiseShare`] for the definitions). Non-finite values are ignored;
/// points with fewer than two finite values do not count.
pub fn noise_share(points: &[&[f64]]) -> NoiseShare {
    let kept: Vec<Vec<f64>> = points
        .iter()
        .map(|p| {
            p.iter()
                .copied()
                .filter(|x| x.is_finite())
                .collect::<Vec<f64>>()
        })
        .filter(|p| p.len() >= 2)
        .collect();
    let m = kept.len();
    if m == 0 {
        return NoiseShare {
            share: None,
            share_of_means: None,
            within: f64::NAN,
            total: f64::NAN,
            points: 0,
        };
    }
    let variances: Vec<f64> = kept.iter().map(|p| var_unbiased(p)).collect();
    let within = mean(variances.iter().copied());
    let total = var_unbiased(&kept.concat());
    let share = (total > 0.0).then(|| within / total);
    let means: Vec<f64> = kept.iter().map(|p| mean(p.iter().copied())).collect();
    let noise_of_means = mean(kept.iter().zip(&variances).map(|(p, v)| v / p.len() as f64));
    let var_means = if m >= 2 { var_unbiased(&means) } else { 0.0 };
    let share_of_means = (var_means > 0.0).then(|| noise_of_means / var_means);
    NoiseShare {
        share,
        share_of_means,
        within,
        total,
        points: m,
    }
}

/// Checks the bootstrap options; returns `z = Φ⁻¹(1/2 + level/2)`.
fn check_bootstrap(resamples: usize, conf_level: f64) -> Result<f64, SensitivityError> {
    if !(conf_level > 0.0 && conf_level < 1.0) {
        return Err(SensitivityError::ConfLevel(conf_level));
    }
    if resamples < 2 {
        return Err(SensitivityError::TooFewResamples(resamples));
    }
    Ok(normal_quantile(0.5 + conf_level / 2.0))
}

fn check_resamples(resamples: &[Vec<usize>], n: usize) -> Result<(), SensitivityError> {
    for (b, r) in resamples.iter().enumerate() {
        if r.len() != n || r.iter().any(|&i| i >= n) {
            return Err(SensitivityError::BadResample(b));
        }
    }
    Ok(())
}

/// The standard normal quantile (SciPy's `norm.ppf`).
pub fn normal_quantile(p: f64) -> f64 {
    Normal::standard().inverse_cdf(p)
}

/// Turns bootstrap values into an [`Estimate`].
struct Quantiles {
    lo: f64,
    hi: f64,
    z: f64,
}

impl Quantiles {
    fn new(conf_level: f64, z: f64) -> Self {
        Quantiles {
            lo: (1.0 - conf_level) / 2.0,
            hi: (1.0 + conf_level) / 2.0,
            z,
        }
    }

    /// `spread = false` zeroes `conf_normal`, as SALib does for S1 and ST
    /// when the resampled outputs are all equal.
    fn estimate(&self, estimate: f64, boot: impl Iterator<Item = f64>, spread: bool) -> Estimate {
        let boot: Vec<f64> = boot.collect();
        Estimate {
            estimate,
            lo: quantile(&boot, self.lo),
            hi: quantile(&boot, self.hi),
            conf_normal: if spread {
                self.z * sd_unbiased(&boot)
            } else {
                0.0
            },
        }
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut sum, mut n) = (0.0, 0usize);
    for x in xs {
        sum += x;
        n += 1;
    }
    sum / n as f64
}

/// Mean and standard deviation with divisor n (NumPy's `std()`).
fn mean_and_sd(xs: &[f64]) -> (f64, f64) {
    let m = mean(xs.iter().copied());
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    (m, (ss / xs.len() as f64).sqrt())
}

/// Variance with divisor n − 1; NaN below two values.
fn var_unbiased(xs: &[f64]) -> f64 {
    let n = xs.len();
    if n < 2 {
        return f64::NAN;
    }
    let m = mean(xs.iter().copied());
    let ss: f64 = xs.iter().map(|x| (x - m) * (x - m)).sum();
    ss / (n - 1) as f64
}

/// Standard deviation with divisor n − 1; NaN below two values.
fn sd_unbiased(xs: &[f64]) -> f64 {
    var_unbiased(xs).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::morris::{MorrisMove, MorrisOptions, morris};
    use crate::sweep::saltelli::{SaltelliOptions, saltelli};
    use rand::SeedableRng;

    fn rng(seed: u64) -> ChaCha8Rng {
        ChaCha8Rng::seed_from_u64(seed)
    }

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn noise_share_by_hand() {
        // Points [1, 3] and [5, 7]: s² = 2 and 2, within = 2. Pooled
        // 1, 3, 5, 7: mean 4, squares 9+1+1+9 = 20, /3. Share = 2/(20/3) =
        // 0.3. Means 2 and 6: variance 8; noise in a mean s²/2 = 1; 1/8.
        let n = noise_share(&[&[1.0, 3.0], &[5.0, 7.0]]);
        assert_eq!(n.points, 2);
        assert_eq!(n.within, 2.0);
        assert!(close(n.total, 20.0 / 3.0, 1e-15));
        assert!(close(n.share.unwrap(), 0.3, 1e-15));
        assert_eq!(n.share_of_means, Some(0.125));
        // A single-replicate point and NaNs do not count.
        let m = noise_share(&[&[1.0, 3.0], &[5.0, f64::NAN, 7.0], &[100.0]]);
        assert_eq!((m.points, m.within, m.share), (2, 2.0, n.share));
        // No replication: nothing to say.
        let none = noise_share(&[&[1.0], &[2.0]]);
        assert_eq!(
            (none.points, none.share, none.share_of_means),
            (0, None, None)
        );
        // Noise only: every point has the same mean, all variance is noise.
        let all = noise_share(&[&[1.0, 3.0], &[3.0, 1.0]]);
        assert!(close(all.share.unwrap(), 2.0 / (4.0 / 3.0), 1e-15));
        assert_eq!(all.share_of_means, None);
    }

    #[test]
    fn sobol_indices_by_hand_standardise_first() {
        // D = 1, N = 2, blocks [A, AB, B] = [1, 2, 3] and [0, 0, 2].
        // Standardising by the mean of all Y (4/3) matters: S1 =
        // mean((B - 4/3)(AB - A)) / var(A, B) = ((5/3)(1) + (2/3)(0))/2 /
        // 1.25 = 2/3 (without centring it would be 1.2). ST = 0.5 mean((A -
        // AB)^2) / var = 0.5 (1 + 0)/2 / 1.25 = 0.2.
        let y =
            SaltelliOutputs::from_salib_order(&[1.0, 2.0, 3.0, 0.0, 0.0, 2.0], 1, false).unwrap();
        assert_eq!(y.a, [1.0, 0.0]);
        assert_eq!(y.ab, [vec![2.0, 0.0]]);
        assert_eq!(y.b, [3.0, 2.0]);
        let r = vec![vec![0, 1], vec![1, 1], vec![0, 0]];
        let s = sobol_indices(&y, &r, 0.95).unwrap();
        assert!(close(s.s1[0].estimate, 2.0 / 3.0, 1e-14));
        assert!(close(s.st[0].estimate, 0.2, 1e-14));
        assert!(s.s2.is_empty());
        // Bootstrap by hand (sd = the standardising scale): resample [0, 1]
        // is the sample (S1 = 2/3). [1, 1]: AB = A, so S1 = 0. [0, 0]:
        // A' = (1 - 4/3)/sd, B' = (3 - 4/3)/sd, AB' - A' = 1/sd, pooled
        // variance ((B' - A')/2)^2 = 1/sd^2, so S1 = (5/3)(1/sd)/(1/sd^2)
        // = 5/3. Sorted {0, 2/3, 5/3}: the 2.5 % quantile is 0.05 of the
        // way from 0 to 2/3, the 97.5 % one 0.95 of the way from 2/3 to
        // 5/3; sd({2/3, 0, 5/3}) = sqrt(57)/9.
        let e = s.s1[0];
        assert!(close(e.lo, 0.05 * 2.0 / 3.0, 1e-14));
        assert!(close(e.hi, 2.0 / 3.0 + 0.95, 1e-14));
        let z = normal_quantile(0.975);
        assert!(close(e.conf_normal, z * 57f64.sqrt() / 9.0, 1e-14));
    }

    /// y = x1 + noise, x1 and x2 uniform with variance 1, R = 4
    /// replications of unit variance: τ = 1/4, s = 0.25 / 1.25 = 0.2. The
    /// plain indices of the means are S1_1 = 1 / 1.25 = 0.8, ST_1 = 1 and
    /// ST_2 = s = 0.2 (a parameter with no effect); net of the noise, S1_1
    /// = ST_1 = 1 and S1_2 = ST_2 = 0.
    /// Saltelli outputs of n base rows of y = effect · x1 + noise, x1 and
    /// x2 uniform with variance 1, each point the mean of R = 4 normal
    /// replications of unit variance (τ = 1/4), with the points' τ.
    fn noisy_first_parameter(n: usize, effect: f64) -> (SaltelliOutputs, SaltelliOutputs) {
        let mut r = rng(7);
        let width = 12f64.sqrt();
        let reps = 4;
        // A point's mean and its τ from `reps` normal replications.
        let mut point = |x1: f64| -> (f64, f64) {
            let ys: Vec<f64> = (0..reps)
                .map(|_| {
                    let (u, v): (f64, f64) = (r.random(), r.random());
                    effect * x1 + (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
                })
                .collect();
            (mean(ys.iter().copied()), var_unbiased(&ys) / reps as f64)
        };
        let mut cols: [Vec<(f64, f64)>; 4] = Default::default();
        let mut xs = rng(8);
        for _ in 0..n {
            let (a1, b1): (f64, f64) = (xs.random::<f64>() * width, xs.random::<f64>() * width);
            // A = (a1, a2), B = (b1, b2); AB_1 takes x1 from B, AB_2 x2.
            for (c, x1) in [a1, b1, b1, a1].into_iter().enumerate() {
                let p = point(x1);
                cols[c].push(p);
            }
        }
        let split = |c: usize| -> (Vec<f64>, Vec<f64>) { cols[c].iter().copied().unzip() };
        let ((a, ta), (b, tb), (ab1, tab1), (ab2, tab2)) = (split(0), split(1), split(2), split(3));
        let y = SaltelliOutputs {
            a,
            b,
            ab: vec![ab1, ab2],
            ba: None,
        };
        let tau = SaltelliOutputs {
            a: ta,
            b: tb,
            ab: vec![tab1, tab2],
            ba: None,
        };
        (y, tau)
    }

    #[test]
    fn net_indices_take_the_noise_out() {
        let n = 4000;
        let (y, tau) = noisy_first_parameter(n, 1.0);
        let resamples = draw_resamples(n, 50, &mut rng(9));
        let plain = sobol_indices(&y, &resamples, 0.95).unwrap();
        let net = sobol_net_indices(&y, &tau, &SharedPoints::none(n, 2, false), &resamples, 0.95)
            .unwrap()
            .unwrap();
        let near = |e: Estimate, want: f64| (e.estimate - want).abs() < 0.05;
        assert!(
            near(plain.s1[0], 0.8) && near(plain.st[0], 1.0),
            "{plain:?}"
        );
        assert!(near(plain.st[1], 0.2), "{:?}", plain.st[1]);
        assert!(near(net.s1[0], 1.0) && near(net.st[0], 1.0), "{net:?}");
        assert!(near(net.s1[1], 0.0) && near(net.st[1], 0.0), "{net:?}");
        // The interval of the no-effect parameter holds 0; the plain one
        // does not.
        assert!(net.st[1].lo < 0.0 && net.st[1].hi > 0.0, "{:?}", net.st[1]);
        assert!(plain.st[1].lo > 0.1, "{:?}", plain.st[1]);
        // One replication a point: no noise to measure, no net indices.
        let unknown = SaltelliOutputs {
            a: vec![f64::NAN; n],
            ..tau
        };
        assert!(
            sobol_net_indices(
                &y,
                &unknown,
                &SharedPoints::none(n, 2, false),
                &resamples,
                0.95
            )
            .unwrap()
            .is_none()
        );
    }

    /// A variance beyond the noise that the bootstrap cannot tell from 0
    /// gives no net indices: with an effect of 0.05 (a variance of 0.0025
    /// against τ = 0.25, 99 % noise) on 64 base rows the point estimate
    /// divided by it is noise; with an effect of 1 (20 % noise) the net
    /// indices stand.
    #[test]
    fn net_indices_need_a_variance_beyond_the_noise() {
        let n = 64;
        let resamples = draw_resamples(n, 200, &mut rng(9));
        let net = |effect: f64| {
            let (y, tau) = noisy_first_parameter(n, effect);
            sobol_net_indices(&y, &tau, &SharedPoints::none(n, 2, false), &resamples, 0.95)
                .unwrap()
                .unwrap()
        };
        let faint = net(0.05);
        for e in faint.s1.iter().chain(&faint.st) {
            assert!(
                e.estimate.is_nan() && e.lo.is_nan() && e.hi.is_nan(),
                "{faint:?}"
            );
        }
        let clear = net(1.0);
        assert!(
            clear.st[0].estimate > 0.5 && clear.st[0].lo.is_finite(),
            "{clear:?}"
        );
        assert!(clear.st[1].estimate.abs() < 0.3, "{clear:?}");
    }

    /// With one parameter, AB_0 is B: one point, one set of runs. For
    /// y = x1 plus noise (variance 1 a run, R = 4, τ = 1/4), mean(B (AB −
    /// A)) carries τ_B, so the net S1 is 1.25 unless the shared point is
    /// known, and 1 when it is.
    #[test]
    fn net_indices_of_roles_at_one_point() {
        let mut r = rng(11);
        let n = 4000;
        let width = 12f64.sqrt();
        let mut point = |x1: f64| -> (f64, f64) {
            let ys: Vec<f64> = (0..4)
                .map(|_| {
                    let (u, v): (f64, f64) = (r.random(), r.random());
                    x1 + (-2.0 * (1.0 - u).ln()).sqrt() * (std::f64::consts::TAU * v).cos()
                })
                .collect();
            (mean(ys.iter().copied()), var_unbiased(&ys) / 4.0)
        };
        let mut xs = rng(12);
        let (mut a, mut b, mut ta, mut tb) = (vec![], vec![], vec![], vec![]);
        for _ in 0..n {
            let (pa, pb) = (
                point(xs.random::<f64>() * width),
                point(xs.random::<f64>() * width),
            );
            a.push(pa.0);
            ta.push(pa.1);
            b.push(pb.0);
            tb.push(pb.1);
        }
        let y = SaltelliOutputs {
            a,
            b: b.clone(),
            ab: vec![b],
            ba: None,
        };
        let tau = SaltelliOutputs {
            a: ta,
            b: tb.clone(),
            ab: vec![tb],
            ba: None,
        };
        let resamples = draw_resamples(n, 50, &mut rng(13));
        let net = |shared: &SharedPoints| {
            sobol_net_indices(&y, &tau, shared, &resamples, 0.95)
                .unwrap()
                .unwrap()
        };
        let apart = net(&SharedPoints::none(n, 1, false));
        let one = net(&SharedPoints {
            b_ab: vec![vec![true; n]],
            ..SharedPoints::none(n, 1, false)
        });
        assert!((apart.s1[0].estimate - 1.25).abs() < 0.06, "{:?}", apart.s1);
        assert!((one.s1[0].estimate - 1.0).abs() < 0.05, "{:?}", one.s1);
        assert!((one.st[0].estimate - 1.0).abs() < 0.05, "{:?}", one.st);
    }

    #[test]
    fn constant_a_and_b_give_zeros_and_are_said_so() {
        // SALib order, two parameters: A, AB_1, AB_2, B per base row. A
        // and B are all 2, the AB rows vary: SALib's guard on the A and B
        // variance gives every index 0.
        let y = SaltelliOutputs::from_salib_order(
            &[2.0, 5.0, 5.0, 2.0, 2.0, 7.0, 5.0, 2.0, 2.0, 5.0, 6.0, 2.0],
            2,
            false,
        )
        .unwrap();
        let s = sobol_indices(&y, &[vec![0, 1, 1], vec![2, 2, 0]], 0.95).unwrap();
        assert!(s.constant_a_and_b && !s.constant_output);
        assert!(s.s1.iter().chain(&s.st).all(|e| e.estimate == 0.0));
        // A varying A is not.
        let y = SaltelliOutputs::from_salib_order(
            &[2.0, 5.0, 5.0, 2.0, 3.0, 7.0, 5.0, 2.0, 2.0, 5.0, 6.0, 2.0],
            2,
            false,
        )
        .unwrap();
        assert!(
            !sobol_indices(&y, &[vec![0, 1, 1], vec![2, 2, 0]], 0.95)
                .unwrap()
                .constant_a_and_b
        );
    }

    #[test]
    fn constant_output_gives_zeros_as_salib() {
        let y = SaltelliOutputs::from_salib_order(&[2.0; 12], 2, false).unwrap();
        assert_eq!(y.base_rows(), 3);
        let r = vec![vec![0, 1, 1], vec![2, 2, 0]];
        let s = sobol_indices(&y, &r, 0.95).unwrap();
        assert!(s.constant_output);
        let zero = Estimate {
            estimate: 0.0,
            lo: 0.0,
            hi: 0.0,
            conf_normal: 0.0,
        };
        assert_eq!(s.s1, [zero; 2]);
        assert_eq!(s.st, [zero; 2]);
        assert_eq!(
            sobol_indices(&y, &[vec![0, 1], vec![0, 1]], 0.95),
            Err(SensitivityError::BadResample(0))
        );
        assert!(matches!(
            SaltelliOutputs::from_salib_order(&[2.0; 11], 2, false),
            Err(SensitivityError::OutputLength { got: 11, block: 4 })
        ));
    }

    #[test]
    fn normal_quantile_matches_scipy() {
        // scipy.stats.norm.ppf(0.975), ppf(0.95).
        assert!(close(normal_quantile(0.975), 1.959963984540054, 1e-14));
        assert!(close(normal_quantile(0.95), 1.6448536269514722, 1e-14));
        assert_eq!(quantile(&[4.0, 1.0, 3.0, 2.0, 5.0], 0.05), 1.2);
    }

    fn linear_outputs(
        points: &[(SaltelliRole, Vec<f64>)],
        reps: usize,
    ) -> Vec<PointOutputs<SaltelliRole>> {
        points
            .iter()
            .map(|(role, u)| PointOutputs {
                role: *role,
                // y = 4 u0 + u1 + (u0 u2), plus replication "noise" that
                // averages out exactly: +k and -k.
                replicates: (0..reps)
                    .map(|k| {
                        let noise = if k % 2 == 0 { 0.25 } else { -0.25 };
                        4.0 * u[0] + u[1] + u[0] * u[2] + noise
                    })
                    .collect(),
            })
            .collect()
    }

    #[test]
    fn failed_blocks_are_dropped_and_listed() {
        let design = saltelli(
            3,
            &SaltelliOptions {
                base_rows: 64,
                second_order: true,
                scramble_seed: Some(3),
                skip: 0,
            },
        )
        .unwrap();
        let pts: Vec<(SaltelliRole, Vec<f64>)> = design
            .points
            .iter()
            .map(|p| (p.role, p.unit.clone()))
            .collect();
        let mut outputs = linear_outputs(&pts, 2);
        // Block 5: a NaN in replication 1 of AB_2. Block 9: B missing.
        // Block 12: an infinite output in BA_0 and a NaN in A.
        let at = |o: &[PointOutputs<SaltelliRole>], base_row, matrix| {
            o.iter()
                .position(|p| p.role == SaltelliRole { base_row, matrix })
                .unwrap()
        };
        let i = at(&outputs, 5, SaltelliMatrix::AB(2));
        outputs[i].replicates[1] = f64::NAN;
        let i = at(&outputs, 9, SaltelliMatrix::B);
        outputs.remove(i);
        let i = at(&outputs, 12, SaltelliMatrix::BA(0));
        outputs[i].replicates[0] = f64::INFINITY;
        let i = at(&outputs, 12, SaltelliMatrix::A);
        outputs[i].replicates[1] = f64::NAN;
        // Shuffle the rows: analysis must not depend on order.
        outputs.reverse();

        let opts = BootstrapOptions::default();
        let got = sobol_analyze(&design.layout(), &outputs, &opts, &mut rng(9)).unwrap();
        assert_eq!((got.blocks_used, got.blocks_dropped), (61, 3));
        let roles: Vec<(usize, SaltelliMatrix)> = got
            .failures
            .iter()
            .map(|f| (f.role.base_row, f.role.matrix))
            .collect();
        assert_eq!(
            roles,
            [
                (5, SaltelliMatrix::AB(2)),
                (9, SaltelliMatrix::B),
                (12, SaltelliMatrix::A),
                (12, SaltelliMatrix::BA(0)),
            ]
        );
        assert_eq!(got.failures[1].kind, FailureKind::NoRuns);
        assert!(matches!(
            got.failures[0].kind,
            FailureKind::NonFinite { replication: 1, value } if value.is_nan()
        ));

        // The same indices as SALib-style arrays of the kept blocks' means,
        // with the same draws.
        let kept: Vec<f64> = design
            .points
            .iter()
            .filter(|p| ![5, 9, 12].contains(&p.role.base_row))
            .map(|p| 4.0 * p.unit[0] + p.unit[1] + p.unit[0] * p.unit[2])
            .collect();
        let y = SaltelliOutputs::from_salib_order(&kept, 3, true).unwrap();
        let r = draw_resamples(61, 100, &mut rng(9));
        let want = sobol_indices(&y, &r, 0.95).unwrap();
        let got = got.indices.unwrap();
        for j in 0..3 {
            for (g, w) in [(got.s1[j], want.s1[j]), (got.st[j], want.st[j])] {
                assert!(close(g.estimate, w.estimate, 1e-12));
                assert!(close(g.lo, w.lo, 1e-12) && close(g.hi, w.hi, 1e-12));
                assert!(close(g.conf_normal, w.conf_normal, 1e-12));
            }
        }
        assert_eq!(got.s2.len(), 3);
    }

    #[test]
    fn noise_share_of_a_sobol_analysis_uses_kept_points() {
        let design = saltelli(
            2,
            &SaltelliOptions {
                base_rows: 64,
                second_order: false,
                scramble_seed: Some(1),
                skip: 0,
            },
        )
        .unwrap();
        let mut outputs: Vec<PointOutputs<SaltelliRole>> = design
            .points
            .iter()
            .map(|p| PointOutputs {
                role: p.role,
                replicates: vec![p.unit[0] - 0.5, p.unit[0] + 0.5],
            })
            .collect();
        // Block 3 fails (a NaN in its A point) and its B point is very
        // noisy: counted, it would raise the within-point variance.
        for o in outputs.iter_mut().filter(|o| o.role.base_row == 3) {
            match o.role.matrix {
                SaltelliMatrix::A => o.replicates[1] = f64::NAN,
                SaltelliMatrix::B => o.replicates = vec![-1e6, 1e6],
                _ => {}
            }
        }
        let a = sobol_analyze(
            &design.layout(),
            &outputs,
            &BootstrapOptions::default(),
            &mut rng(1),
        )
        .unwrap();
        assert_eq!((a.blocks_used, a.blocks_dropped), (63, 1));
        // Within-point variance is 0.5 at every kept point; the indices
        // see only u0.
        assert_eq!(a.noise.within, 0.5);
        assert_eq!(a.noise.points, 63 * 4);
        let s = a.indices.unwrap();
        assert!(close(s.st[1].estimate, 0.0, 1e-15));
        assert!(close(s.s1[0].estimate, 1.0, 0.1));
    }

    #[test]
    fn sobol_analysis_rejects_bad_input() {
        let layout = SaltelliLayout {
            dims: 2,
            base_rows: 2,
            second_order: false,
        };
        let p = |base_row, matrix| PointOutputs {
            role: SaltelliRole { base_row, matrix },
            replicates: vec![1.0],
        };
        let opts = BootstrapOptions::default();
        let e = |o: &[PointOutputs<SaltelliRole>], opts: &BootstrapOptions| {
            sobol_analyze(&layout, o, opts, &mut rng(0)).unwrap_err()
        };
        assert!(matches!(
            e(&[p(2, SaltelliMatrix::A)], &opts),
            SensitivityError::SaltelliRoleOutOfRange(_)
        ));
        assert!(matches!(
            e(&[p(0, SaltelliMatrix::BA(0))], &opts),
            SensitivityError::SaltelliRoleOutOfRange(_)
        ));
        assert!(matches!(
            e(&[p(0, SaltelliMatrix::AB(2))], &opts),
            SensitivityError::SaltelliRoleOutOfRange(_)
        ));
        assert!(matches!(
            e(&[p(0, SaltelliMatrix::A), p(0, SaltelliMatrix::A)], &opts),
            SensitivityError::DuplicateSaltelliRole(_)
        ));
        let bad = BootstrapOptions {
            conf_level: 1.0,
            ..opts
        };
        assert_eq!(e(&[], &bad), SensitivityError::ConfLevel(1.0));
        let bad = BootstrapOptions {
            resamples: 1,
            ..opts
        };
        assert_eq!(e(&[], &bad), SensitivityError::TooFewResamples(1));
        // Nothing complete: no indices, every point listed.
        let a = sobol_analyze(&layout, &[], &opts, &mut rng(0)).unwrap();
        assert_eq!(a.indices, None);
        assert_eq!(
            (a.blocks_used, a.blocks_dropped, a.failures.len()),
            (0, 2, 8)
        );

        // One block complete: no indices either (a bootstrap of one); both
        // complete: indices.
        let matrices = [
            SaltelliMatrix::A,
            SaltelliMatrix::AB(0),
            SaltelliMatrix::AB(1),
            SaltelliMatrix::B,
        ];
        let block = |r: usize| {
            let outputs = matrices
                .iter()
                .enumerate()
                .map(|(i, &matrix)| PointOutputs {
                    role: SaltelliRole {
                        base_row: r,
                        matrix,
                    },
                    replicates: vec![(r * 4 + i) as f64],
                });
            outputs.collect::<Vec<_>>()
        };
        let one = block(0);
        let a = sobol_analyze(&layout, &one, &opts, &mut rng(0)).unwrap();
        assert_eq!((a.blocks_used, a.blocks_dropped, a.indices), (1, 1, None));
        let both = [block(0), block(1)].concat();
        let a = sobol_analyze(&layout, &both, &opts, &mut rng(0)).unwrap();
        assert_eq!(a.blocks_used, 2);
        assert!(a.indices.is_some());
    }

    fn morris_outputs(
        design: &crate::sweep::morris::MorrisDesign,
        f: impl Fn(&[f64]) -> f64,
    ) -> Vec<PointOutputs<MorrisRole>> {
        design
            .points
            .iter()
            .map(|p| PointOutputs {
                role: p.role,
                replicates: vec![f(&p.unit)],
            })
            .collect()
    }

    #[test]
    fn morris_on_a_linear_function_recovers_the_coefficients() {
        let coef = [2.0, -0.5, 3.0, 0.0];
        let design = morris(
            4,
            &MorrisOptions {
                trajectories: 20,
                levels: 4,
                optimal_trajectories: None,
            },
            &mut rng(4),
        )
        .unwrap();
        let outputs = morris_outputs(&design, |u| {
            1.0 + u.iter().zip(&coef).map(|(x, c)| x * c).sum::<f64>()
        });
        let a = morris_analyze(
            &design.layout(),
            &outputs,
            &BootstrapOptions::default(),
            &mut rng(5),
        )
        .unwrap();
        let stats = a.statistics.unwrap();
        for (s, &c) in stats.iter().zip(&coef) {
            assert!(close(s.mu, c, 1e-12), "{} vs {c}", s.mu);
            assert!(close(s.mu_star.estimate, c.abs(), 1e-12));
            assert!(close(s.sigma, 0.0, 1e-12));
            assert!(close(s.mu_star.lo, c.abs(), 1e-12) && close(s.mu_star.hi, c.abs(), 1e-12));
            assert!(close(s.mu_star.conf_normal, 0.0, 1e-12));
        }
        assert_eq!(a.trajectories_used, 20);
        assert!(a.failures.is_empty());
    }

    #[test]
    fn morris_effects_by_hand_and_failed_trajectories_dropped() {
        // y = u0 * u1, two trajectories by hand (Δ = 2/3, levels 0..1/3..1).
        let d = 2.0 / 3.0;
        let t = 1.0 / 3.0;
        let up = |parameter| {
            Some(MorrisMove {
                parameter,
                direction: Direction::Up,
            })
        };
        let down = |parameter| {
            Some(MorrisMove {
                parameter,
                direction: Direction::Down,
            })
        };
        let role = |trajectory, step, moved| MorrisRole {
            trajectory,
            step,
            moved,
        };
        let f = |u0: f64, u1: f64| u0 * u1;
        // Trajectory 0: (0, 1) → u0 up to 2/3 → u1 down to 1/3.
        // EE0 = (f(2/3,1) - f(0,1))/Δ = 1; EE1 = (f(2/3,1) - f(2/3,1/3))/Δ
        // = (2/3 - 2/9)/(2/3) = 2/3.
        // Trajectory 1: (1/3, 0) → u1 up to 2/3 → u0 up to 1.
        // EE1 = (f(1/3,2/3) - 0)/Δ = 1/3; EE0 = (f(1,2/3) - f(1/3,2/3))/Δ = 2/3.
        // Trajectory 2 fails at its last step.
        let outputs = vec![
            (role(0, 0, None), f(0.0, 1.0)),
            (role(0, 1, up(0)), f(d, 1.0)),
            (role(0, 2, down(1)), f(d, t)),
            (role(1, 0, None), f(t, 0.0)),
            (role(1, 1, up(1)), f(t, d)),
            (role(1, 2, up(0)), f(1.0, d)),
            (role(2, 0, None), 0.0),
            (role(2, 1, up(1)), 0.0),
            (role(2, 2, up(0)), f64::NAN),
        ];
        let outputs: Vec<PointOutputs<MorrisRole>> = outputs
            .into_iter()
            .map(|(role, y)| PointOutputs {
                role,
                replicates: vec![y],
            })
            .collect();
        let layout = MorrisLayout {
            dims: 2,
            trajectories: 3,
            levels: 4,
        };
        let a =
            morris_analyze(&layout, &outputs, &BootstrapOptions::default(), &mut rng(0)).unwrap();
        assert_eq!((a.trajectories_used, a.trajectories_dropped), (2, 1));
        assert_eq!(a.failures.len(), 1);
        assert_eq!(a.failures[0].role.trajectory, 2);
        assert!(close(a.effects[0][0], 1.0, 1e-15) && close(a.effects[0][1], 2.0 / 3.0, 1e-15));
        assert!(
            close(a.effects[1][0], 2.0 / 3.0, 1e-15) && close(a.effects[1][1], 1.0 / 3.0, 1e-15)
        );
        let s = a.statistics.unwrap();
        assert!(close(s[0].mu, 5.0 / 6.0, 1e-15));
        // σ of {1, 2/3} with divisor 1: |1 - 2/3| / sqrt 2.
        assert!(close(s[0].sigma, (1.0 / 3.0) / 2f64.sqrt(), 1e-15));
        assert!(close(s[1].mu_star.estimate, 0.5, 1e-15));
        // One replication a point: no noise to measure.
        assert_eq!(a.noise_mu_star, None);

        // Two replications y ± 1: τ = 2 / 2 = 1 at every point, so the
        // noise alone gives |EE| of mean √(2/π · 2) / Δ at each step; the
        // means, and so the effects, are those above. A step's move given
        // as 1/3 instead of Δ doubles its effect and its floor.
        let noisy: Vec<PointOutputs<MorrisRole>> = outputs
            .iter()
            .map(|p| PointOutputs {
                role: p.role,
                replicates: p
                    .replicates
                    .iter()
                    .flat_map(|&y| [y - 1.0, y + 1.0])
                    .collect(),
            })
            .collect();
        let a = morris_analyze(&layout, &noisy, &BootstrapOptions::default(), &mut rng(0)).unwrap();
        let floor = (4.0 / std::f64::consts::PI).sqrt() / d;
        assert!(close(a.noise_mu_star.unwrap(), floor, 1e-12));
        let moves = BTreeMap::from([((0, 1), t)]);
        let a = morris_analyze_moves(
            &layout,
            &noisy,
            &moves,
            &BootstrapOptions::default(),
            &mut rng(0),
        )
        .unwrap();
        assert!(close(a.effects[0][0], 2.0, 1e-12));
        assert!(close(a.noise_mu_star.unwrap(), floor * 5.0 / 4.0, 1e-12));

        // With trajectory 1 failed too, one complete trajectory is left:
        // its effects, but no statistics (a bootstrap of one).
        let mut one = outputs.clone();
        one[5].replicates = vec![f64::NAN];
        let a = morris_analyze(&layout, &one, &BootstrapOptions::default(), &mut rng(0)).unwrap();
        assert_eq!((a.trajectories_used, a.trajectories_dropped), (1, 2));
        assert_eq!(a.effects[0], [1.0]);
        assert_eq!(a.statistics, None);

        // A trajectory that moves a parameter twice is rejected.
        let mut bad = outputs.clone();
        bad[2].role.moved = up(0);
        assert_eq!(
            morris_analyze(&layout, &bad, &BootstrapOptions::default(), &mut rng(0)),
            Err(SensitivityError::InconsistentTrajectory(0))
        );
        let mut bad = outputs;
        bad[1].role.moved = None;
        assert!(matches!(
            morris_analyze(&layout, &bad, &BootstrapOptions::default(), &mut rng(0)),
            Err(SensitivityError::MorrisRoleOutOfRange(_))
        ));
    }

    #[test]
    fn analyses_are_reproducible_from_the_seed() {
        let design = saltelli(
            2,
            &SaltelliOptions {
                base_rows: 32,
                second_order: true,
                scramble_seed: Some(2),
                skip: 0,
            },
        )
        .unwrap();
        let pts: Vec<(SaltelliRole, Vec<f64>)> = design
            .points
            .iter()
            .map(|p| (p.role, p.unit.clone()))
            .collect();
        let pts: Vec<(SaltelliRole, Vec<f64>)> = pts
            .into_iter()
            .map(|(r, mut u)| {
                u.push(0.5);
                (r, u)
            })
            .collect();
        let outputs = linear_outputs(&pts, 3);
        let opts = BootstrapOptions::default();
        let a = sobol_analyze(&design.layout(), &outputs, &opts, &mut rng(7)).unwrap();
        let b = sobol_analyze(&design.layout(), &outputs, &opts, &mut rng(7)).unwrap();
        let c = sobol_analyze(&design.layout(), &outputs, &opts, &mut rng(8)).unwrap();
        assert_eq!(a, b);
        let (ia, ic) = (a.indices.unwrap(), c.indices.unwrap());
        assert_eq!(ia.s1[0].estimate, ic.s1[0].estimate);
        assert_ne!(ia.s1[0].lo, ic.s1[0].lo);
    }

    /// Second-order and net indices by hand: D = 2, N = 2, outputs of mean
    /// 0 (so standardising only rescales them, which every ratio cancels).
    /// Row 0 is one point of the design (an unscrambled sequence's first
    /// row: A = B, so every role coincides), output 1; row 1 is A −2,
    /// AB_0 0, AB_1 −1, BA_0 −1 (with two parameters BA_0 is AB_1), BA_1 1,
    /// B −3. A and B pooled, {1, −2, 1, −3}: mean −3/4, V = 51/16.
    /// S1_0 = mean(B (AB_0 − A)) / V = (0 − 6)/2 / V = −16/17; S1_1 =
    /// (0 − 3)/2 / V = −8/17; ST_0 = ½ (0 + 4)/2 / V = 16/51, ST_1 = ½ (0 +
    /// 1)/2 / V = 4/51; S2_01 = mean(BA_0 AB_1 − A B) / V − S1_0 − S1_1 =
    /// (0 + (1 − 6))/2 / V + 72/51 = −40/51 + 72/51 = 32/51.
    /// Net of τ = ½ at row 0's point and ¼ at each point of row 1: τ̄ of A
    /// and B = 3/8, V − τ̄ = 45/16. In row 0 the noise cancels in S1 (τ_B,
    /// B and AB_j one point, less τ_A, A and B one point) and in S2 (τ_AB1,
    /// BA_0 and AB_1 one point, less τ_A); row 1 adds τ_AB1 = ¼ to S2:
    /// S1_0 = −3 / (45/16) = −16/15, S1_1 = −8/15; ST_0 = ½ (0 + 4 − ½)/2
    /// / (45/16) = 14/45 (A and AB_0 one point in row 0: no noise), ST_1 =
    /// ½ (0 + 1 − ½)/2 · 16/45 = 2/45; S2_01 = (0 + (−5 − ¼))/2 · 16/45 +
    /// 24/15 = −14/15 + 24/15 = 2/3.
    #[test]
    fn second_order_and_net_indices_by_hand() {
        let y = SaltelliOutputs::from_salib_order(
            &[
                1.0, 1.0, 1.0, 1.0, 1.0, 1.0, -2.0, 0.0, -1.0, -1.0, 1.0, -3.0,
            ],
            2,
            true,
        )
        .unwrap();
        // The sample itself, twice: every interval is the estimate.
        let r = vec![vec![0, 1], vec![0, 1]];
        let near = |e: Estimate, want: f64| close(e.estimate, want, 1e-12);
        let s = sobol_indices(&y, &r, 0.95).unwrap();
        assert!(
            near(s.s1[0], -16.0 / 17.0) && near(s.s1[1], -8.0 / 17.0),
            "{s:?}"
        );
        assert!(
            near(s.st[0], 16.0 / 51.0) && near(s.st[1], 4.0 / 51.0),
            "{s:?}"
        );
        assert_eq!((s.s2.len(), s.s2[0].j, s.s2[0].k), (1, 0, 1));
        assert!(near(s.s2[0].estimate, 32.0 / 51.0), "{:?}", s.s2);

        let tau = SaltelliOutputs::from_salib_order(
            &[
                0.5, 0.5, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25, 0.25, 0.25, 0.25, 0.25,
            ],
            2,
            true,
        )
        .unwrap();
        let row_0 = vec![true, false];
        let shared = SharedPoints {
            a_b: row_0.clone(),
            a_ab: vec![row_0.clone(); 2],
            b_ab: vec![row_0; 2],
            ba_ab: vec![vec![true, true]],
        };
        let net = sobol_net_indices(&y, &tau, &shared, &r, 0.95)
            .unwrap()
            .unwrap();
        assert!(
            near(net.s1[0], -16.0 / 15.0) && near(net.s1[1], -8.0 / 15.0),
            "{net:?}"
        );
        assert!(
            near(net.st[0], 14.0 / 45.0) && near(net.st[1], 2.0 / 45.0),
            "{net:?}"
        );
        assert!(near(net.s2[0].estimate, 2.0 / 3.0), "{:?}", net.s2);
    }

    /// The noise floor of μ* adds the noise of both means a step compares,
    /// whichever end is the noisier: replicates y ± 1 (τ = 2/2 = 1) at one
    /// end, y ± 3 (τ = 18/2 = 9) at the other, in either order, give each
    /// step √(2/π · (1 + 9)) / Δ, Δ = 2/3.
    #[test]
    fn the_noise_floor_of_mu_star_adds_the_noise_of_both_ends_of_a_step() {
        let up = Some(MorrisMove {
            parameter: 0,
            direction: Direction::Up,
        });
        let point = |trajectory, step, moved, spread: f64| PointOutputs {
            role: MorrisRole {
                trajectory,
                step,
                moved,
            },
            replicates: vec![1.0 - spread, 1.0 + spread],
        };
        let outputs = vec![
            point(0, 0, None, 1.0),
            point(0, 1, up, 3.0),
            point(1, 0, None, 3.0),
            point(1, 1, up, 1.0),
        ];
        let layout = MorrisLayout {
            dims: 1,
            trajectories: 2,
            levels: 4,
        };
        let a =
            morris_analyze(&layout, &outputs, &BootstrapOptions::default(), &mut rng(0)).unwrap();
        let floor = (2.0 / std::f64::consts::PI * 10.0).sqrt() / (2.0 / 3.0);
        assert!(close(a.noise_mu_star.unwrap(), floor, 1e-12), "{a:?}");
    }

    /// The roles a design runs at one point are told to the net indices:
    /// with one parameter AB_0 is B, and an analysis naming them one point
    /// gives the net indices of B and AB_0 shared in every row; an analysis
    /// naming no point, those of every role apart (the same resamples,
    /// drawn first from the stream).
    #[test]
    fn an_analysis_tells_the_net_indices_which_roles_are_one_point() {
        let layout = SaltelliLayout {
            dims: 1,
            base_rows: 8,
            second_order: false,
        };
        let value = |role: SaltelliRole| match role.matrix {
            SaltelliMatrix::A => role.base_row as f64,
            _ => ((3 * role.base_row) % 8) as f64,
        };
        let outputs: Vec<PointOutputs<SaltelliRole>> = (0..8)
            .flat_map(|base_row| {
                block_matrices(1, false)
                    .into_iter()
                    .map(move |matrix| SaltelliRole { base_row, matrix })
            })
            .map(|role| PointOutputs {
                role,
                replicates: vec![value(role) - 0.1, value(role) + 0.1],
            })
            .collect();
        let opts = BootstrapOptions::default();
        let one_point = |r: SaltelliRole| {
            let row = 2 * r.base_row as u64;
            Some(if r.matrix == SaltelliMatrix::A {
                row
            } else {
                row + 1
            })
        };
        let got = sobol_analyze_points(&layout, &outputs, one_point, &opts, &mut rng(3)).unwrap();
        let apart = sobol_analyze(&layout, &outputs, &opts, &mut rng(3)).unwrap();

        // The same by matrix, from the points' means and noise.
        let column = |matrix, of: &dyn Fn(&[f64]) -> f64| -> Vec<f64> {
            (0..8)
                .map(|base_row| {
                    let p = outputs
                        .iter()
                        .find(|p| p.role == SaltelliRole { base_row, matrix })
                        .unwrap();
                    of(&p.replicates)
                })
                .collect()
        };
        let by_matrix = |of: &dyn Fn(&[f64]) -> f64| SaltelliOutputs {
            a: column(SaltelliMatrix::A, of),
            b: column(SaltelliMatrix::B, of),
            ab: vec![column(SaltelliMatrix::AB(0), of)],
            ba: None,
        };
        let y = by_matrix(&|r| r.iter().sum::<f64>() / r.len() as f64);
        let tau = by_matrix(&|r| var_unbiased(r) / r.len() as f64);
        let resamples = draw_resamples(8, opts.resamples, &mut rng(3));
        let net = |shared: &SharedPoints| {
            sobol_net_indices(&y, &tau, shared, &resamples, 0.95)
                .unwrap()
                .unwrap()
        };
        let b_ab = SharedPoints {
            b_ab: vec![vec![true; 8]],
            ..SharedPoints::none(8, 1, false)
        };
        let none = SharedPoints::none(8, 1, false);
        assert_eq!(got.net.unwrap(), net(&b_ab));
        assert_eq!(apart.net.unwrap(), net(&none));
        assert_ne!(net(&b_ab), net(&none));
    }
}

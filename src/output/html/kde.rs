//! Weighted statistics for posterior marginals: weighted quantiles, the
//! weighted Silverman bandwidth and a Gaussian kernel density estimate.
//!
//! Conventions (all reduce to the usual unweighted ones for equal weights):
//! - weights are normalised to sum to one; pairs with a non-finite value or a
//!   non-finite or non-positive weight are dropped;
//! - the effective sample size is Kish's n_eff = (Σw)²/Σw²;
//! - the variance is the reliability-weighted one, Σw(x − x̄)²/(1 − Σw²) for
//!   normalised w (the n − 1 sample variance for equal weights; numpy's
//!   `cov(aweights=…)`);
//! - the quantile interpolates linearly between the sorted values placed at
//!   u_k = (S_k − w_k)/(1 − w_n), S_k the cumulative weight (R's type 7 and
//!   numpy's default for equal weights);
//! - the bandwidth is Silverman's rule of thumb (Density Estimation, 1986,
//!   eq. 3.31) as R's `bw.nrd0` computes it, with the weighted spread and n_eff:
//!   h = 0.9 · min(sd, IQR/1.34) · n_eff^(−1/5), falling back to sd, then
//!   |x₁|, then 1 when the spread is zero.

use crate::output::html::mathf;

/// A weighted sample, cleaned and sorted by value, weights summing to one.
#[derive(Clone, Debug, PartialEq)]
pub struct WeightedValues {
    values: Vec<f64>,
    weights: Vec<f64>,
}

impl WeightedValues {
    /// Clean `values` with `weights` (an empty `weights` means equal
    /// weights; otherwise the two are paired up to the shorter length).
    /// `None` if nothing usable is left.
    pub fn new(values: &[f64], weights: &[f64]) -> Option<WeightedValues> {
        let mut pairs: Vec<(f64, f64)> = if weights.is_empty() {
            values.iter().map(|&v| (v, 1.0)).collect()
        } else {
            values
                .iter()
                .copied()
                .zip(weights.iter().copied())
                .collect()
        };
        pairs.retain(|(v, w)| v.is_finite() && w.is_finite() && *w > 0.0);
        if pairs.is_empty() {
            return None;
        }
        // Stable sort by value: equal values keep their input order, so the
        // result does not depend on anything but the input.
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let total: f64 = pairs.iter().map(|p| p.1).sum();
        if !(total.is_finite() && total > 0.0) {
            return None;
        }
        Some(WeightedValues {
            values: pairs.iter().map(|p| p.0).collect(),
            weights: pairs.iter().map(|p| p.1 / total).collect(),
        })
    }

    /// The values, sorted.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// The normalised weights, in the order of `values`.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Kish's effective sample size (Σw)²/Σw².
    pub fn effective_size(&self) -> f64 {
        1.0 / self.weights.iter().map(|w| w * w).sum::<f64>()
    }

    /// The weighted mean.
    pub fn mean(&self) -> f64 {
        self.values
            .iter()
            .zip(&self.weights)
            .map(|(v, w)| v * w)
            .sum()
    }

    /// The reliability-weighted standard deviation; 0 for a single point.
    pub fn sd(&self) -> f64 {
        let m = self.mean();
        let ss: f64 = self
            .values
            .iter()
            .zip(&self.weights)
            .map(|(v, w)| w * (v - m) * (v - m))
            .sum();
        let v2: f64 = self.weights.iter().map(|w| w * w).sum();
        let denom = 1.0 - v2;
        if denom <= 1e-12 {
            0.0
        } else {
            (ss / denom).max(0.0).sqrt()
        }
    }

    /// The weighted quantile at `q` in 0..=1 (clamped).
    pub fn quantile(&self, q: f64) -> f64 {
        let n = self.values.len();
        let last_w = self.weights[n - 1];
        if n == 1 || 1.0 - last_w <= 0.0 {
            return self.values[n - 1];
        }
        let q = if q.is_nan() { 0.5 } else { q.clamp(0.0, 1.0) };
        let denom = 1.0 - last_w;
        let mut cum = 0.0;
        let mut prev_u = 0.0;
        for k in 0..n {
            let u = cum / denom;
            if u >= q {
                if k == 0 {
                    return self.values[0];
                }
                let f = if u > prev_u {
                    (q - prev_u) / (u - prev_u)
                } else {
                    1.0
                };
                return self.values[k - 1] + f * (self.values[k] - self.values[k - 1]);
            }
            prev_u = u;
            cum += self.weights[k];
        }
        self.values[n - 1]
    }

    /// Silverman's rule-of-thumb bandwidth (see the module notes).
    pub fn silverman_bandwidth(&self) -> f64 {
        let sd = self.sd();
        let iqr = self.quantile(0.75) - self.quantile(0.25);
        let mut spread = sd.min(iqr / 1.34);
        if spread.is_nan() || spread <= 0.0 {
            spread = sd;
        }
        if spread.is_nan() || spread <= 0.0 {
            spread = self.values[0].abs();
        }
        if spread.is_nan() || spread <= 0.0 {
            spread = 1.0;
        }
        0.9 * spread * mathf::powf(self.effective_size(), -0.2)
    }
}

/// A weighted Gaussian kernel density estimate.
#[derive(Clone, Debug, PartialEq)]
pub struct Kde {
    sample: WeightedValues,
    bandwidth: f64,
}

impl Kde {
    /// The estimate with Silverman's bandwidth; `None` if no usable point.
    pub fn new(values: &[f64], weights: &[f64]) -> Option<Kde> {
        let sample = WeightedValues::new(values, weights)?;
        let bandwidth = sample.silverman_bandwidth();
        Some(Kde { sample, bandwidth })
    }

    /// The estimate with a given bandwidth (> 0); `None` if no usable point
    /// or a bad bandwidth.
    pub fn with_bandwidth(values: &[f64], weights: &[f64], bandwidth: f64) -> Option<Kde> {
        if !(bandwidth.is_finite() && bandwidth > 0.0) {
            return None;
        }
        Some(Kde {
            sample: WeightedValues::new(values, weights)?,
            bandwidth,
        })
    }

    /// The bandwidth h.
    pub fn bandwidth(&self) -> f64 {
        self.bandwidth
    }

    /// The cleaned sample.
    pub fn sample(&self) -> &WeightedValues {
        &self.sample
    }

    /// f(x) = Σ w_i φ((x − x_i)/h)/h.
    pub fn density(&self, x: f64) -> f64 {
        let h = self.bandwidth;
        let norm = 1.0 / (h * (2.0 * std::f64::consts::PI).sqrt());
        self.sample
            .values
            .iter()
            .zip(&self.sample.weights)
            .map(|(v, w)| {
                let z = (x - v) / h;
                // Beyond 40 h the kernel is below 1e-300: skip the exp.
                if z.abs() > 40.0 {
                    0.0
                } else {
                    w * mathf::exp(-0.5 * z * z)
                }
            })
            .sum::<f64>()
            * norm
    }

    /// The density at `n` (at least 2) evenly spaced points from `lo` to `hi`.
    pub fn grid(&self, lo: f64, hi: f64, n: usize) -> Vec<(f64, f64)> {
        let n = n.max(2);
        (0..n)
            .map(|i| {
                let x = lo + (hi - lo) * i as f64 / (n - 1) as f64;
                (x, self.density(x))
            })
            .collect()
    }
}

/// The weighted Pearson correlation of paired values (pairs with a missing
/// value or a bad weight dropped; an empty `weights` means equal weights);
/// NaN with fewer than two pairs or no spread.
pub fn weighted_correlation(x: &[f64], y: &[f64], weights: &[f64]) -> f64 {
    let n = x.len().min(y.len());
    let w = |i: usize| {
        if weights.is_empty() {
            1.0
        } else {
            weights.get(i).copied().unwrap_or(f64::NAN)
        }
    };
    let ok: Vec<usize> = (0..n)
        .filter(|&i| x[i].is_finite() && y[i].is_finite() && w(i).is_finite() && w(i) > 0.0)
        .collect();
    if ok.len() < 2 {
        return f64::NAN;
    }
    let total: f64 = ok.iter().map(|&i| w(i)).sum();
    let mx = ok.iter().map(|&i| w(i) * x[i]).sum::<f64>() / total;
    let my = ok.iter().map(|&i| w(i) * y[i]).sum::<f64>() / total;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for &i in &ok {
        let (dx, dy) = (x[i] - mx, y[i] - my);
        sxy += w(i) * dx * dy;
        sxx += w(i) * dx * dx;
        syy += w(i) * dy * dy;
    }
    if sxx <= 0.0 || syy <= 0.0 {
        return f64::NAN;
    }
    (sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol
    }

    #[test]
    fn unweighted_matches_type7_and_bw_nrd0() {
        // x = 1..5: mean 3, sd = sqrt(10/4) = 1.5811388; type-7 quartiles 2
        // and 4, so IQR/1.34 = 1.4925373 < sd; h = 0.9 · 1.4925373 · 5^(-1/5)
        // = 1.3432836 · 0.7247797 = 0.9735846.
        let s = WeightedValues::new(&[3.0, 1.0, 5.0, 2.0, 4.0], &[]).unwrap();
        assert_eq!(s.values(), &[1.0, 2.0, 3.0, 4.0, 5.0]);
        assert!(close(s.mean(), 3.0, 1e-15));
        assert!(close(s.sd(), 2.5f64.sqrt(), 1e-15));
        assert!(close(s.quantile(0.25), 2.0, 1e-15));
        assert!(close(s.quantile(0.75), 4.0, 1e-15));
        assert!(close(s.quantile(0.1), 1.4, 1e-15));
        assert!(close(s.effective_size(), 5.0, 1e-12));
        assert!(close(s.silverman_bandwidth(), 0.9735846, 1e-7));
    }

    #[test]
    fn density_by_hand() {
        // Points 0 and 2, weights 1 and 3 (normalised 0.25, 0.75), h = 1:
        // f(1) = (0.25 + 0.75) φ(1) = 0.2419707; f(0) = 0.25 φ(0) + 0.75 φ(2)
        // = 0.25 · 0.3989423 + 0.75 · 0.0539910 = 0.1402288.
        let k = Kde::with_bandwidth(&[0.0, 2.0], &[1.0, 3.0], 1.0).unwrap();
        assert!(close(k.density(1.0), 0.2419707, 1e-7));
        assert!(close(k.density(0.0), 0.1402288, 1e-7));
        // Far away the density is zero, not NaN.
        assert_eq!(k.density(1e6), 0.0);
    }

    #[test]
    fn weighted_bandwidth_by_hand() {
        // Values 0, 1, 2 with weights 1, 1, 2 -> w = 0.25, 0.25, 0.5.
        // mean = 1.25; Σw(x−m)² = 0.25·1.5625 + 0.25·0.0625 + 0.5·0.5625
        // = 0.6875; Σw² = 0.375; var = 0.6875/0.625 = 1.1; sd = 1.0488088.
        // Quantile positions u = (S_k − w_k)/(1 − w_n): 0, 0.5, 1, so
        // q25 = 0.5, q75 = 1.5, IQR/1.34 = 0.7462687 < sd.
        // n_eff = 1/0.375 = 2.6666667; h = 0.9 · 0.7462687 · 2.6666667^(−0.2)
        // = 0.6716418 · 2.6666667^(−0.2); 2.6666667^(−0.2) = exp(−0.2 ln 2.6666667)
        // = exp(−0.1961658) = 0.8218759, so h = 0.5520062.
        let s = WeightedValues::new(&[2.0, 0.0, 1.0], &[2.0, 1.0, 1.0]).unwrap();
        assert!(close(s.mean(), 1.25, 1e-15));
        assert!(close(s.sd(), 1.1f64.sqrt(), 1e-12));
        assert!(close(s.quantile(0.25), 0.5, 1e-12));
        assert!(close(s.quantile(0.75), 1.5, 1e-12));
        assert!(close(s.quantile(0.5), 1.0, 1e-12));
        assert!(close(s.effective_size(), 8.0 / 3.0, 1e-12));
        assert!(close(s.silverman_bandwidth(), 0.5520062, 1e-7));
    }

    #[test]
    fn integer_weights_equal_repeated_points() {
        let a = Kde::with_bandwidth(&[0.0, 1.0, 2.0], &[1.0, 1.0, 2.0], 0.7).unwrap();
        let b = Kde::with_bandwidth(&[0.0, 1.0, 2.0, 2.0], &[], 0.7).unwrap();
        for x in [-1.0, 0.0, 0.3, 1.7, 2.0, 4.0] {
            assert!(close(a.density(x), b.density(x), 1e-15), "{x}");
        }
    }

    #[test]
    fn density_integrates_to_one() {
        let k = Kde::new(&[0.1, 0.4, 0.45, 0.9, 2.0], &[0.2, 0.1, 0.4, 0.2, 0.1]).unwrap();
        let grid = k.grid(-5.0, 7.0, 2401);
        let dx = 12.0 / 2400.0;
        let integral: f64 = grid.windows(2).map(|w| (w[0].1 + w[1].1) / 2.0 * dx).sum();
        assert!(close(integral, 1.0, 1e-6), "{integral}");
    }

    #[test]
    fn degenerate_samples() {
        assert!(WeightedValues::new(&[], &[]).is_none());
        assert!(WeightedValues::new(&[f64::NAN, 1.0], &[1.0, 0.0]).is_none());
        assert!(Kde::with_bandwidth(&[1.0], &[], 0.0).is_none());
        // One point: sd 0, IQR 0 -> spread |x1| = 4; n_eff 1 -> h = 3.6.
        let k = Kde::new(&[4.0], &[]).unwrap();
        assert!(close(k.bandwidth(), 3.6, 1e-12));
        // All equal at zero: spread falls back to 1.
        let k = Kde::new(&[0.0, 0.0, 0.0], &[]).unwrap();
        assert!(close(k.bandwidth(), 0.9 * 3f64.powf(-0.2), 1e-12));
        assert!(k.density(0.0).is_finite());
        // Weights without values and the other way round.
        assert!(Kde::new(&[1.0, 2.0], &[1.0]).is_some());
        let s = WeightedValues::new(&[1.0, 2.0, f64::INFINITY], &[1.0, -1.0, 1.0]).unwrap();
        assert_eq!(s.values(), &[1.0]);
        assert_eq!(s.quantile(0.3), 1.0);
    }

    #[test]
    fn correlation_by_hand() {
        assert!(close(
            weighted_correlation(&[1.0, 2.0, 3.0], &[2.0, 4.0, 6.0], &[]),
            1.0,
            1e-15
        ));
        assert!(close(
            weighted_correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0], &[1.0, 5.0, 1.0]),
            -1.0,
            1e-15
        ));
        // x = 0, 1, 0, 1 and y = 0, 0, 1, 1: uncorrelated.
        assert!(close(
            weighted_correlation(&[0.0, 1.0, 0.0, 1.0], &[0.0, 0.0, 1.0, 1.0], &[]),
            0.0,
            1e-15
        ));
        // Weight 3 on (0,0), 1 on (1,1), (0,1), (1,0): total 6, means 1/3;
        // sxy = (3·1 + 1·4 − 2 − 2)/9 = 1/3; sxx = syy = (3 + 4 + 1 + 4)/9
        // = 4/3; r = 1/4.
        let r = weighted_correlation(
            &[0.0, 1.0, 0.0, 1.0],
            &[0.0, 1.0, 1.0, 0.0],
            &[3.0, 1.0, 1.0, 1.0],
        );
        assert!(close(r, 0.25, 1e-15), "{r}");
        assert!(weighted_correlation(&[1.0, 1.0], &[1.0, 2.0], &[]).is_nan());
        assert!(weighted_correlation(&[1.0], &[1.0], &[]).is_nan());
    }
}

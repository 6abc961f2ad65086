//! The weighted p-norm distance between simulated and observed statistics.
//!
//! d(x, y) = (Σᵢ |wᵢ (xᵢ − yᵢ)|^p)^(1/p), wᵢ = 1/scaleᵢ (0 where the scale is
//! 0), as pyABC's `PNormDistance`; p = ∞ is the maximum norm.
//!
//! Undefined statistics: a simulation with any NaN or infinite fitted
//! statistic has distance +∞ and is never accepted, at any tolerance
//! including the infinite one of generation 0. This is exact ABC on the
//! augmented data "(defined, value)": the observation is defined, so a run
//! that leaves a fitted statistic undefined does not reproduce it, however
//! close its other statistics are. Scoring it instead with some stand-in
//! value would accept runs whose likelihood of the observed data is zero.
//! Such rows still count as proposals (they cost a simulation and lower the
//! acceptance rate), and their finite statistics still inform the scales.

use super::stats::robust_scale;

/// The distance of `statistics` to `observed` under `scales` and norm `p`.
pub fn weighted_distance(statistics: &[f64], observed: &[f64], scales: &[f64], p: f64) -> f64 {
    debug_assert_eq!(statistics.len(), observed.len());
    debug_assert_eq!(scales.len(), observed.len());
    if statistics.iter().any(|s| !s.is_finite()) {
        return f64::INFINITY;
    }
    let terms = statistics
        .iter()
        .zip(observed)
        .zip(scales)
        .map(|((x, y), s)| if *s > 0.0 { ((x - y) / s).abs() } else { 0.0 });
    if p == f64::INFINITY {
        terms.fold(0.0, f64::max)
    } else if p == 1.0 {
        terms.sum()
    } else if p == 2.0 {
        libm::sqrt(terms.map(|t| t * t).sum())
    } else {
        libm::pow(terms.map(|t| libm::pow(t, p)).sum(), 1.0 / p)
    }
}

/// Fits one scale per statistic ([`robust_scale`]) to a sample of statistic
/// vectors: the accepted particles of a generation and its reservoir of
/// rejected ones.
pub fn fit_scales<'a>(
    samples: impl Iterator<Item = &'a [f64]> + Clone,
    n_statistics: usize,
) -> Vec<f64> {
    (0..n_statistics)
        .map(|i| robust_scale(samples.clone().map(|s| s[i])))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_by_hand() {
        let obs = [1.0, 2.0, 3.0];
        let sim = [2.0, 0.0, 3.0];
        let scales = [0.5, 4.0, 1.0];
        // Scaled differences 2, 0.5, 0.
        assert_eq!(weighted_distance(&sim, &obs, &scales, 1.0), 2.5);
        assert_eq!(weighted_distance(&sim, &obs, &scales, 2.0), 4.25f64.sqrt());
        assert_eq!(weighted_distance(&sim, &obs, &scales, f64::INFINITY), 2.0);
        let p3 = weighted_distance(&sim, &obs, &scales, 3.0);
        assert!((p3 - 8.125f64.powf(1.0 / 3.0)).abs() < 1e-15);
        // A zero scale ignores the statistic.
        assert_eq!(weighted_distance(&sim, &obs, &[0.5, 0.0, 1.0], 1.0), 2.0);
        // An undefined statistic is never close.
        assert_eq!(
            weighted_distance(&[f64::NAN, 2.0, 3.0], &obs, &scales, 2.0),
            f64::INFINITY
        );
    }

    #[test]
    fn scales_per_statistic() {
        let rows = [
            vec![1.0, 0.0],
            vec![2.0, 0.0],
            vec![3.0, 0.0],
            vec![4.0, 1.0],
            vec![100.0, f64::NAN],
        ];
        let scales = fit_scales(rows.iter().map(|r| r.as_slice()), 2);
        // Column 0: MAD 1. Column 1: values 0,0,0,1 → MAD 0 → mean deviation 1/4.
        assert_eq!(scales, vec![1.0, 0.25]);
    }
}

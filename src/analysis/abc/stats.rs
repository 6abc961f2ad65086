//! Weighted statistics of particle populations and the scale estimates of
//! the adaptive distance.

/// Weighted α-quantile as pyABC computes it (`weighted_statistics.py`): sort
/// the points, place each at the centre of its weight on the cumulative axis
/// (cumulative weight minus half its own weight), and interpolate linearly at
/// `alpha`, clamping to the extreme points. Weights need not be normalised;
/// points with zero weight are skipped. Ties are ordered by input position so
/// that the result is deterministic.
pub fn weighted_quantile(points: &[f64], weights: &[f64], alpha: f64) -> f64 {
    assert_eq!(points.len(), weights.len(), "one weight per point");
    let mut order: Vec<usize> = (0..points.len()).filter(|&i| weights[i] > 0.0).collect();
    if order.is_empty() {
        return f64::NAN;
    }
    order.sort_by(|&a, &b| points[a].total_cmp(&points[b]).then(a.cmp(&b)));
    let total: f64 = order.iter().map(|&i| weights[i]).sum();
    let mut cumulative = 0.0;
    let centres: Vec<f64> = order
        .iter()
        .map(|&i| {
            let w = weights[i] / total;
            cumulative += w;
            cumulative - 0.5 * w
        })
        .collect();
    let first = order[0];
    if alpha <= centres[0] {
        return points[first];
    }
    for k in 1..order.len() {
        if alpha < centres[k] {
            let (x0, x1) = (points[order[k - 1]], points[order[k]]);
            let (c0, c1) = (centres[k - 1], centres[k]);
            return x0 + (alpha - c0) * (x1 - x0) / (c1 - c0);
        }
    }
    points[order[order.len() - 1]]
}

/// Weighted mean Σ wᵢxᵢ / Σ wᵢ.
pub fn weighted_mean(points: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    points.iter().zip(weights).map(|(x, w)| w * x).sum::<f64>() / total
}

/// Weighted (population) variance Σ wᵢ(xᵢ − x̄)² / Σ wᵢ, as pyABC's
/// `weighted_var`.
pub fn weighted_variance(points: &[f64], weights: &[f64]) -> f64 {
    let total: f64 = weights.iter().sum();
    let mean = weighted_mean(points, weights);
    points
        .iter()
        .zip(weights)
        .map(|(x, w)| w * (x - mean) * (x - mean))
        .sum::<f64>()
        / total
}

/// Each of `k` models' probability from weighted particles `(model,
/// weight)`: the model's total weight over the total of all. Divided by
/// the total rather than taken as the sum of weights normalised
/// beforehand, whose sum is 1 only to rounding: so one model alone has 1
/// exactly and none is above 1, and the generation's record and the
/// result's model table, which both ask it, agree to the bit.
pub fn model_probabilities(k: usize, particles: impl Iterator<Item = (usize, f64)>) -> Vec<f64> {
    let mut sums = vec![0.0; k];
    for (m, w) in particles {
        sums[m] += w;
    }
    let total: f64 = sums.iter().sum();
    sums.iter().map(|s| s / total).collect()
}

/// Effective sample size (Σ wᵢ)² / Σ wᵢ² (Kish); 0 for no weight.
pub fn effective_sample_size(weights: &[f64]) -> f64 {
    let sum: f64 = weights.iter().sum();
    let sum_sq: f64 = weights.iter().map(|w| w * w).sum();
    if sum_sq > 0.0 {
        sum * sum / sum_sq
    } else {
        0.0
    }
}

/// Median of the values (mean of the two middle ones for an even count);
/// NaN for none. Sorts in place.
pub fn median(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Linear-interpolation quantile of sorted values (numpy's default, "type 7").
pub fn sorted_quantile(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * q;
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// Scale of one summary statistic for the adaptive distance (Prangle 2017;
/// pyABC's default `mad`): the median absolute deviation from the median over
/// the finite values. Where it is zero (more than half the values equal) the
/// mean absolute deviation from the median is used instead, so a statistic
/// that does vary is never ignored; a statistic with no variation at all in
/// the sample gets scale 0, which the distance treats as "ignore this
/// generation" (pyABC's rule). NaN and ±∞ values are skipped.
pub fn robust_scale(values: impl Iterator<Item = f64>) -> f64 {
    let mut finite: Vec<f64> = values.filter(|v| v.is_finite()).collect();
    if finite.is_empty() {
        return 0.0;
    }
    let centre = median(&mut finite);
    let mut deviations: Vec<f64> = finite.iter().map(|v| (v - centre).abs()).collect();
    let mean_deviation = deviations.iter().sum::<f64>() / deviations.len() as f64;
    let mad = median(&mut deviations);
    if mad > 0.0 { mad } else { mean_deviation }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Ten weights of 0.1 sum to 0.9999999999999999, and a generation
    /// recorded that sum as its one model's probability (a generation of
    /// another population, to 1.0000000000000007); the result's table,
    /// which divided by the total, gave 1. Divided by the total, one model
    /// has 1 exactly, and two have their shares of it, none above 1.
    #[test]
    fn model_probabilities_are_shares_of_the_total_weight() {
        let tenth = || std::iter::repeat_n((0, 0.1), 10);
        assert_ne!(tenth().map(|(_, w)| w).sum::<f64>(), 1.0);
        assert_eq!(model_probabilities(1, tenth()), [1.0]);
        let two = model_probabilities(2, tenth().chain([(1, 0.3), (1, 0.3)]));
        // 0.9999999999999999 and 0.6 of a total of 1.6.
        assert_eq!(two, [0.625, 0.375]);
        assert!(two.iter().all(|&p| p <= 1.0));
        // A model without particles has probability 0.
        assert_eq!(
            model_probabilities(3, [(2, 0.5)].into_iter()),
            [0.0, 0.0, 1.0]
        );
    }

    #[test]
    fn weighted_quantile_by_hand() {
        // Points 1..4 with weights 0.1..0.4: cumulative 0.1, 0.3, 0.6, 1.0,
        // centres 0.05, 0.2, 0.45, 0.8. The median lies between 3 (0.45) and
        // 4 (0.8): 3 + 0.05/0.35 = 3.142857142857143.
        let p = [4.0, 2.0, 1.0, 3.0];
        let w = [0.4, 0.2, 0.1, 0.3];
        assert!((weighted_quantile(&p, &w, 0.5) - (3.0 + 0.05 / 0.35)).abs() < 1e-15);
        // α = 0.1 lies between centres 0.05 (1) and 0.2 (2): 1 + 0.05/0.15.
        assert!((weighted_quantile(&p, &w, 0.1) - (1.0 + 0.05 / 0.15)).abs() < 1e-15);
        // Clamped at the ends.
        assert_eq!(weighted_quantile(&p, &w, 0.01), 1.0);
        assert_eq!(weighted_quantile(&p, &w, 0.99), 4.0);
        // Unnormalised weights give the same answer.
        let w10: Vec<f64> = w.iter().map(|x| x * 10.0).collect();
        assert!((weighted_quantile(&p, &w10, 0.5) - (3.0 + 0.05 / 0.35)).abs() < 1e-15);
        // Equal weights, even count: the centres are 1/8, 3/8, 5/8, 7/8, so
        // the median is halfway between the middle points, as the usual median.
        assert_eq!(
            weighted_quantile(&[1.0, 2.0, 3.0, 4.0], &[1.0; 4], 0.5),
            2.5
        );
    }

    #[test]
    fn weighted_moments_by_hand() {
        let p = [1.0, 2.0, 4.0];
        let w = [0.5, 0.25, 0.25];
        // Mean 0.5 + 0.5 + 1 = 2; variance 0.5·1 + 0 + 0.25·4 = 1.5.
        assert_eq!(weighted_mean(&p, &w), 2.0);
        assert_eq!(weighted_variance(&p, &w), 1.5);
        // ESS = 1 / (0.25 + 0.0625 + 0.0625) = 2.6666…
        assert!((effective_sample_size(&w) - 8.0 / 3.0).abs() < 1e-15);
        assert_eq!(effective_sample_size(&[1.0; 10]), 10.0);
    }

    #[test]
    fn scales_by_hand() {
        // Median 3, absolute deviations 2,1,0,1,97 → MAD 1 (the outlier does not count).
        assert_eq!(robust_scale([1.0, 2.0, 3.0, 4.0, 100.0].into_iter()), 1.0);
        // NaN skipped: median of 1,2,3 is 2, deviations 1,0,1 → MAD 1.
        assert_eq!(robust_scale([f64::NAN, 1.0, 2.0, 3.0].into_iter()), 1.0);
        // Even count: median of 1,2,4,8 is 3, deviations 2,1,1,5 → MAD 1.5.
        assert_eq!(robust_scale([8.0, 1.0, 4.0, 2.0].into_iter()), 1.5);
        // Zero MAD (three of four equal): mean absolute deviation 1/4.
        assert_eq!(robust_scale([0.0, 0.0, 0.0, 1.0].into_iter()), 0.25);
        // No variation at all, or nothing finite: scale 0.
        assert_eq!(robust_scale([2.0, 2.0].into_iter()), 0.0);
        assert_eq!(robust_scale([f64::NAN].into_iter()), 0.0);
    }

    #[test]
    fn sorted_quantile_is_numpy_type_7() {
        let s = [1.0, 2.0, 3.0, 4.0, 5.0];
        assert_eq!(sorted_quantile(&s, 0.5), 3.0);
        assert!((sorted_quantile(&s, 0.1) - 1.4).abs() < 1e-15);
        assert_eq!(sorted_quantile(&s, 1.0), 5.0);
    }
}

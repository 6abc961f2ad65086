//! Small statistics over replications: quantiles and shares, computed in
//! a fixed order so that results do not depend on threads. (The verdict's
//! Student-t interval of a mean is `verdict::mean_ci`.)

/// The `p` quantile (0..1) of `xs` by linear interpolation between order
/// statistics (R's type 7); NaN values are ignored; NaN if none remain.
pub fn quantile(xs: &[f64], p: f64) -> f64 {
    let mut v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(f64::total_cmp);
    let h = (v.len() - 1) as f64 * p.clamp(0.0, 1.0);
    let lo = h.floor() as usize;
    let hi = h.ceil() as usize;
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

/// Share of `true`.
pub fn share(xs: impl Iterator<Item = bool>) -> f64 {
    let (mut n, mut k) = (0usize, 0usize);
    for x in xs {
        n += 1;
        k += usize::from(x);
    }
    if n == 0 {
        f64::NAN
    } else {
        k as f64 / n as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_by_hand() {
        let xs = [4.0, 1.0, 3.0, 2.0, 5.0];
        assert_eq!(quantile(&xs, 0.5), 3.0);
        assert_eq!(quantile(&xs, 0.0), 1.0);
        assert_eq!(quantile(&xs, 1.0), 5.0);
        assert_eq!(quantile(&xs, 0.05), 1.2);
        assert!((quantile(&xs, 0.95) - 4.8).abs() < 1e-12);
        assert_eq!(quantile(&[f64::NAN, 2.0], 0.5), 2.0);
        assert!(quantile(&[], 0.5).is_nan());
    }

    #[test]
    fn shares_by_hand() {
        assert_eq!(share([true, false, true, true].into_iter()), 0.75);
        assert!(share(std::iter::empty()).is_nan());
    }
}

//! Normal-distribution special functions, computed with `libm` so that their
//! bits do not depend on the platform's maths library.

/// ln(2π) / 2.
pub(crate) const LN_SQRT_2PI: f64 = 0.918_938_533_204_672_8;

/// Standard normal cumulative distribution function Φ(x).
pub(crate) fn normal_cdf(x: f64) -> f64 {
    0.5 * libm::erfc(-x / core::f64::consts::SQRT_2)
}

/// Natural log of the standard normal density.
pub(crate) fn normal_ln_pdf(x: f64) -> f64 {
    -0.5 * x * x - LN_SQRT_2PI
}

/// Standard normal density.
pub(crate) fn normal_pdf(x: f64) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    libm::exp(normal_ln_pdf(x))
}

/// Φ(hi) − Φ(lo) for lo ≤ hi, evaluated on the side of zero where it does
/// not cancel: in the upper tail both Φ are close to 1, so use Φ(−lo) − Φ(−hi).
pub(crate) fn normal_interval(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 {
        normal_cdf(-lo) - normal_cdf(-hi)
    } else {
        normal_cdf(hi) - normal_cdf(lo)
    }
}

/// Inverse of Φ for p in (0, 1): Wichura's algorithm AS 241 (PPND16),
/// Applied Statistics 37 (1988) 477–484, relative accuracy about 1e-16.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    if p <= 0.0 {
        return f64::NEG_INFINITY;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let q = p - 0.5;
    if q.abs() <= 0.425 {
        let r = 0.180_625 - q * q;
        let num = ((((((2.509_080_928_730_122_7e3 * r + 3.343_057_558_358_813e4) * r
            + 6.726_577_092_700_87e4)
            * r
            + 4.592_195_393_154_987e4)
            * r
            + 1.373_169_376_550_946e4)
            * r
            + 1.971_590_950_306_551_3e3)
            * r
            + 1.331_416_678_917_843_8e2)
            * r
            + 3.387_132_872_796_366_5;
        let den = ((((((5.226_495_278_852_545e3 * r + 2.872_908_573_572_194_3e4) * r
            + 3.930_789_580_009_271e4)
            * r
            + 2.121_379_430_158_659_7e4)
            * r
            + 5.394_196_021_424_751e3)
            * r
            + 6.871_870_074_920_579e2)
            * r
            + 4.231_333_070_160_091e1)
            * r
            + 1.0;
        return q * num / den;
    }
    let tail = if q < 0.0 { p } else { 1.0 - p };
    let mut r = libm::sqrt(-libm::log(tail));
    let value = if r <= 5.0 {
        r -= 1.6;
        let num = ((((((7.745_450_142_783_414e-4 * r + 2.272_384_498_926_918_4e-2) * r
            + 2.417_807_251_774_506e-1)
            * r
            + 1.270_458_252_452_368_4)
            * r
            + 3.647_848_324_763_204_5)
            * r
            + 5.769_497_221_460_691)
            * r
            + 4.630_337_846_156_546)
            * r
            + 1.423_437_110_749_683_5;
        let den = ((((((1.050_750_071_644_416_9e-9 * r + 5.475_938_084_995_345e-4) * r
            + 1.519_866_656_361_645_7e-2)
            * r
            + 1.481_039_764_274_800_8e-1)
            * r
            + 6.897_673_349_851e-1)
            * r
            + 1.676_384_830_183_803_8)
            * r
            + 2.053_191_626_637_759)
            * r
            + 1.0;
        num / den
    } else {
        r -= 5.0;
        let num = ((((((2.010_334_399_292_288_1e-7 * r + 2.711_555_568_743_487_6e-5) * r
            + 1.242_660_947_388_078_4e-3)
            * r
            + 2.653_218_952_657_612_4e-2)
            * r
            + 2.965_605_718_285_048_7e-1)
            * r
            + 1.784_826_539_917_291_3)
            * r
            + 5.463_784_911_164_114)
            * r
            + 6.657_904_643_501_103;
        let den = ((((((2.044_263_103_389_939_7e-15 * r + 1.421_511_758_316_446e-7) * r
            + 1.846_318_317_510_054_8e-5)
            * r
            + 7.868_691_311_456_133e-4)
            * r
            + 1.487_536_129_085_061_5e-2)
            * r
            + 1.369_298_809_227_358e-1)
            * r
            + 5.998_322_065_558_88e-1)
            * r
            + 1.0;
        num / den
    };
    if q < 0.0 { -value } else { value }
}

/// ln Σ exp(xᵢ), summed in slice order after shifting by the maximum, so that
/// the result is the same on every run.
pub(crate) fn log_sum_exp(values: &[f64]) -> f64 {
    let max = values.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    if !max.is_finite() {
        return max;
    }
    let sum: f64 = values.iter().map(|v| libm::exp(v - max)).sum();
    max + libm::log(sum)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantile_matches_tabulated_values() {
        // Reference values of Φ⁻¹ (e.g. Abramowitz & Stegun table 26.5 and
        // Wichura 1988): 0.975 → 1.959963984540054, 0.001 → −3.090232306167813,
        // 1e-10 → −6.361340902404056, 1e-300 → −37.04710386...
        assert!((normal_quantile(0.975) - 1.959_963_984_540_054).abs() < 1e-13);
        assert!((normal_quantile(0.001) + 3.090_232_306_167_813).abs() < 1e-12);
        assert!((normal_quantile(1e-10) + 6.361_340_902_404_056).abs() < 1e-11);
        assert_eq!(normal_quantile(0.5), 0.0);
    }

    #[test]
    fn quantile_inverts_cdf() {
        // Only the lower half: above 0, p = Φ(x) rounds to a multiple of
        // 2⁻⁵³ and 1 − p loses the digits the inverse would need.
        for i in 0..=100 {
            let x = -9.0 + 0.09 * f64::from(i);
            let p = normal_cdf(x);
            let back = normal_quantile(p);
            assert!(
                (back - x).abs() < 1e-9 * (1.0 + x.abs()),
                "x={x} back={back}"
            );
        }
    }

    #[test]
    fn interval_is_accurate_in_upper_tail() {
        // Φ(−9) − Φ(−10) by the symmetric form; the naive form would cancel to 0.
        let tail = normal_interval(9.0, 10.0);
        let expected = normal_cdf(-9.0) - normal_cdf(-10.0);
        assert!(tail > 0.0);
        assert!((tail - expected).abs() < 1e-30);
        assert!((normal_interval(-1.0, 1.0) - 0.682_689_492_137_085_9).abs() < 1e-15);
    }

    #[test]
    fn log_sum_exp_is_stable() {
        let v = [-1000.0, -1000.0];
        assert!((log_sum_exp(&v) - (-1000.0 + core::f64::consts::LN_2)).abs() < 1e-12);
        assert_eq!(log_sum_exp(&[f64::NEG_INFINITY]), f64::NEG_INFINITY);
    }
}

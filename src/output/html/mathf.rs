//! The few transcendental functions the charts need, in one place.
//!
//! They go through `libm` rather than the platform's maths library, so the
//! bytes of a report are the same on every platform, not only across runs.

/// e^x.
pub(crate) fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// log10(x).
pub(crate) fn log10(x: f64) -> f64 {
    libm::log10(x)
}

/// x^y.
pub(crate) fn powf(x: f64, y: f64) -> f64 {
    libm::pow(x, y)
}

/// The decimal exponent of a positive finite x: the integer e with
/// 10^e <= x < 10^(e+1), corrected for rounding in `log10`.
pub(crate) fn decimal_exponent(x: f64) -> i32 {
    debug_assert!(x > 0.0 && x.is_finite());
    let mut e = log10(x).floor() as i32;
    if pow10(e) > x {
        e -= 1;
    } else if pow10(e + 1) <= x {
        e += 1;
    }
    e
}

/// 10^e, exact for the integer powers f64 can represent exactly (|e| <= 22
/// for positive e), and the correctly rounded quotient for negative e.
pub(crate) fn pow10(e: i32) -> f64 {
    if e >= 0 {
        10f64.powi(e)
    } else {
        1.0 / 10f64.powi(-e)
    }
}

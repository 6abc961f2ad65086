//! Locale-free, deterministic number formatting for labels and hover text.
//!
//! Conventions: a typographic minus (U+2212); thousands grouped with commas
//! only from five integer digits (so years read 2022, not 2,022); no
//! negative zero; an en dash for a value that is not a number.

use crate::output::html::mathf;

/// What a non-finite value prints as.
pub const MISSING: &str = "–";

/// Magnitudes at or beyond which numbers switch to scientific notation.
const SCIENTIFIC_ABOVE: f64 = 1e15;

/// `x` with exactly `decimals` decimals (at most 12).
pub fn fixed(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    if x.abs() >= SCIENTIFIC_ABOVE {
        return scientific(x, 2);
    }
    let decimals = decimals.min(12);
    let digits = format!("{:.*}", decimals, x.abs());
    let is_zero = digits.bytes().all(|b| b == b'0' || b == b'.');
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + 6);
    if x < 0.0 && !is_zero {
        out.push('\u{2212}');
    }
    out.push_str(&group_thousands(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// Commas every three digits, for integer parts of five digits or more.
fn group_thousands(int: &str) -> String {
    if int.len() < 5 {
        return int.to_string();
    }
    let mut out = String::with_capacity(int.len() + int.len() / 3);
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `x` as `m.mmme±k` with `decimals` mantissa decimals and a typographic minus.
fn scientific(x: f64, decimals: usize) -> String {
    format!("{:.*e}", decimals, x).replace('-', "\u{2212}")
}

/// The fewest decimals (at most 12) that show every multiple of `step` exactly:
/// 0 for 20, 1 for 0.5, 2 for 0.25 and 0.05.
pub fn decimals_for_step(step: f64) -> usize {
    if !step.is_finite() || step <= 0.0 {
        return 0;
    }
    for d in 0..12 {
        let scaled = step * mathf::pow10(d as i32);
        if (scaled - scaled.round()).abs() <= 1e-6 * scaled.max(1.0) {
            return d;
        }
    }
    12
}

/// `x` to about four significant digits, trailing zeros dropped: for
/// annotations, where no tick step sets the precision.
pub fn auto(x: f64) -> String {
    significant(x, 4)
}

/// `x` to `digits` significant digits (1 to 12; integer digits are always
/// kept), trailing zeros dropped;
/// scientific notation below 1e-6 and from 1e15.
pub fn significant(x: f64, digits: usize) -> String {
    if !x.is_finite() {
        return MISSING.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let digits = digits.clamp(1, 12) as i32;
    let e = mathf::decimal_exponent(x.abs());
    if !(-6..15).contains(&e) {
        return scientific(x, (digits - 1) as usize);
    }
    let decimals = (digits - 1 - e).clamp(0, 12) as usize;
    trim_zeros(fixed(x, decimals))
}

/// `x` for hover text: six significant digits.
pub fn hover(x: f64) -> String {
    significant(x, 6)
}

/// Drop trailing zeros after a decimal point, and the point itself if bare.
fn trim_zeros(s: String) -> String {
    if !s.contains('.') {
        return s;
    }
    let t = s.trim_end_matches('0').trim_end_matches('.');
    if t == "\u{2212}0" {
        "0".to_string()
    } else {
        t.to_string()
    }
}

/// A share (0.62) as a percentage with `decimals` decimals ("62 %"), by
/// [`percent_digits`].
pub fn percent(share: f64, decimals: usize) -> String {
    if !share.is_finite() {
        return MISSING.to_string();
    }
    format!("{} %", percent_digits(share, decimals))
}

/// The number of a share's percentage (0.62: "62") with `decimals`
/// decimals (at most 12), rounded half away from zero; but a share above 0
/// that would read 0 reads `<1` (`<0.1` with one decimal), and one below 1
/// that would read 100 reads `>99`. A pass share of 1 in 200 read "0",
/// the same as none; 199 in 200 read "100", the same as all.
///
/// Most shares are ratios of counts, and a half may be stored just below
/// itself (23 of 40 is 0.57499999999999996 in binary, ×100 is
/// 57.499999999999993): the percentage is nudged by 8 ulps away from zero
/// before rounding, so that a half rounds up as its ratio does. No ratio
/// of counts below 10⁶ lies that close to a half without being one (at the
/// 0 and 1 decimals callers ask for); a weighted share that does is
/// rounded as if it were the half.
pub fn percent_digits(share: f64, decimals: usize) -> String {
    if !share.is_finite() {
        return MISSING.to_string();
    }
    let decimals = decimals.min(12);
    let step = 10f64.powi(-(decimals as i32));
    let p = share * 100.0;
    let rounded = (p / step * (1.0 + 8.0 * f64::EPSILON)).round() * step;
    if p > 0.0 && rounded == 0.0 {
        format!("<{}", fixed(step, decimals))
    } else if p < 100.0 && rounded >= 100.0 {
        format!(">{}", fixed(100.0 - step, decimals))
    } else {
        fixed(rounded, decimals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_rounds_groups_and_signs() {
        assert_eq!(fixed(1.23456, 2), "1.23");
        assert_eq!(fixed(2022.0, 0), "2022");
        assert_eq!(fixed(18693.0, 0), "18,693");
        assert_eq!(fixed(1234567.891, 1), "1,234,567.9");
        assert_eq!(fixed(-0.25, 2), "\u{2212}0.25");
        assert_eq!(fixed(-12345.0, 0), "\u{2212}12,345");
        assert_eq!(fixed(0.5, 0), "0"); // round half to even in std formatting
        assert_eq!(fixed(2.5, 0), "2");
    }

    #[test]
    fn fixed_has_no_negative_zero_and_no_nan() {
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.0004, 2), "0.00");
        assert_eq!(fixed(f64::NAN, 2), MISSING);
        assert_eq!(fixed(f64::INFINITY, 2), MISSING);
        assert_eq!(fixed(1e300, 0), "1.00e300");
        assert_eq!(fixed(-2e20, 0), "\u{2212}2.00e20");
    }

    #[test]
    fn decimals_follow_the_step() {
        assert_eq!(decimals_for_step(20.0), 0);
        assert_eq!(decimals_for_step(1.0), 0);
        assert_eq!(decimals_for_step(0.5), 1);
        assert_eq!(decimals_for_step(0.25), 2);
        assert_eq!(decimals_for_step(0.05), 2);
        assert_eq!(decimals_for_step(0.1 + 0.2), 1); // 0.30000000000000004
        assert_eq!(decimals_for_step(2e-5), 5);
        assert_eq!(decimals_for_step(f64::NAN), 0);
        assert_eq!(decimals_for_step(0.0), 0);
    }

    #[test]
    fn auto_keeps_four_significant_digits() {
        assert_eq!(auto(0.0), "0");
        assert_eq!(auto(12.5), "12.5");
        assert_eq!(auto(0.31481923), "0.3148");
        assert_eq!(auto(18693.4), "18,693");
        assert_eq!(auto(-1.0), "\u{2212}1");
        assert_eq!(auto(-0.00001), "\u{2212}0.00001");
        assert_eq!(auto(1.5e-9), "1.500e\u{2212}9");
        assert_eq!(auto(f64::NAN), MISSING);
        assert_eq!(hover(2022.25), "2022.25");
        assert_eq!(hover(0.3148192), "0.314819");
        // Integer digits are never rounded away.
        assert_eq!(significant(99999.0, 2), "99,999");
    }

    #[test]
    fn percent_of_share() {
        assert_eq!(percent(0.62, 0), "62 %");
        assert_eq!(percent(0.125, 1), "12.5 %");
        assert_eq!(percent(f64::NAN, 0), MISSING);
    }

    #[test]
    fn a_percentage_reads_0_or_100_only_when_it_is() {
        // 1, 3, 9 and 199 of 200, and none or all.
        assert_eq!(percent_digits(1.0 / 200.0, 0), "1");
        assert_eq!(percent_digits(3.0 / 200.0, 0), "2");
        assert_eq!(percent_digits(9.0 / 200.0, 0), "5");
        assert_eq!(percent_digits(199.0 / 200.0, 0), ">99");
        assert_eq!(percent_digits(0.0, 0), "0");
        assert_eq!(percent_digits(1.0, 0), "100");
        // 1 of 1,000 and 999 of 1,000.
        assert_eq!(percent_digits(0.001, 0), "<1");
        assert_eq!(percent_digits(0.999, 0), ">99");
        assert_eq!(percent_digits(0.0004, 1), "<0.1");
        assert_eq!(percent_digits(0.9996, 1), ">99.9");
        assert_eq!(percent_digits(0.994, 0), "99");
        // Shares beyond 1 (an estimated noise share) and below 0 keep
        // their rounding.
        assert_eq!(percent_digits(1.5, 0), "150");
        assert_eq!(percent_digits(-0.001, 0), "0");
        assert_eq!(percent(1.0 / 200.0, 0), "1 %");
    }

    #[test]
    fn a_ratio_of_counts_at_a_half_rounds_up() {
        // 23 of 40 is 57.5 %, stored as 57.499999999999993.
        assert_eq!(percent_digits(23.0 / 40.0, 0), "58");
        // Every k of n up to 1,000 reads its share rounded half up in
        // integers, ⌊(200k + n) / 2n⌋, but for the `<1` and `>99` rule.
        for n in 1u64..=1000 {
            for k in 0..=n {
                let want = match (200 * k + n) / (2 * n) {
                    0 if k > 0 => "<1".to_string(),
                    100 if k < n => ">99".to_string(),
                    p => p.to_string(),
                };
                assert_eq!(percent_digits(k as f64 / n as f64, 0), want, "{k} of {n}");
            }
        }
    }
}

//! Axis ticks at "nice" numbers (1, 2 or 5 times a power of ten), after
//! Heckbert, "Nice numbers for graph labels", Graphics Gems (1990), 61–63.

use crate::output::html::format;
use crate::output::html::mathf;

/// Ticks for one axis: the axis range, the tick values and their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    /// Lower end of the axis.
    pub lo: f64,
    /// Upper end of the axis.
    pub hi: f64,
    /// Tick values, increasing, all within `lo..=hi`.
    pub values: Vec<f64>,
    /// One label per value.
    pub labels: Vec<String>,
    /// Decimals the labels use (linear axes; 0 for logarithmic ones), for
    /// other numbers shown in the same style.
    pub decimals: usize,
}

/// Heckbert's nice number near `x` > 0: 1, 2, 5 or 10 times a power of ten;
/// the nearest one if `round`, else the smallest at least `x`.
pub fn nice_number(x: f64, round: bool) -> f64 {
    if !(x.is_finite() && x > 0.0) {
        return 1.0;
    }
    let e = mathf::decimal_exponent(x);
    let f = x / mathf::pow10(e);
    let nf = if round {
        if f < 1.5 {
            1.0
        } else if f < 3.0 {
            2.0
        } else if f < 7.0 {
            5.0
        } else {
            10.0
        }
    } else if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    scale_by_pow10(nf, e)
}

/// `m`·10^e, divided rather than multiplied for negative e so that 2·10⁻¹ is
/// the double nearest 0.2.
fn scale_by_pow10(m: f64, e: i32) -> f64 {
    if e >= 0 {
        m * mathf::pow10(e)
    } else {
        m / mathf::pow10(-e)
    }
}

/// A usable, non-empty, finite domain from possibly degenerate ends:
/// non-finite ends fall back to the finite one (or to 0..1); reversed ends are
/// swapped; a zero-width domain is widened by 1 at a whole number (years,
/// counts) and by 10 % of its value otherwise;
/// magnitudes are capped at 1e300 so that the width stays finite.
pub fn clean_domain(lo: f64, hi: f64) -> (f64, f64) {
    const CAP: f64 = 1e300;
    let (lo, hi) = match (lo.is_finite(), hi.is_finite()) {
        (true, true) => (lo, hi),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (0.0, 1.0),
    };
    let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
    let (lo, hi) = (lo.clamp(-CAP, CAP), hi.clamp(-CAP, CAP));
    let scale = lo.abs().max(hi.abs());
    if hi - lo <= scale * 1e-12 {
        let whole = lo.fract() == 0.0 && lo.abs() < 1e15;
        let pad = if whole { 1.0 } else { scale * 0.1 };
        (lo - pad, hi + pad)
    } else {
        (lo, hi)
    }
}

/// Heckbert's loose labelling: about `n` ticks (at least 2) at multiples of
/// a nice step, the axis widened to the ticks just outside the data. The step
/// is the nice number nearest (hi − lo)/(n − 1), taken from the span itself
/// (as d3 does) rather than from Heckbert's rounded-up span, which can double
/// it (−0.05..0.48 gets steps of 0.1, not 0.2). For value axes.
pub fn loose(lo: f64, hi: f64, n: usize) -> Ticks {
    let (lo, hi) = clean_domain(lo, hi);
    let n = n.max(2);
    let step = nice_number((hi - lo) / (n - 1) as f64, true);
    build(lo, hi, step, true)
}

/// Ticks inside a fixed axis range: the multiples of a nice step near
/// (hi − lo)/(n − 1). For axes whose ends are given (years, a prior range).
pub fn tight(lo: f64, hi: f64, n: usize) -> Ticks {
    tight_at_least(lo, hi, n, 0.0)
}

/// As [`tight`], for counts (generations, rounds): no step below 1, so
/// every tick is a whole number.
pub fn tight_whole(lo: f64, hi: f64, n: usize) -> Ticks {
    tight_at_least(lo, hi, n, 1.0)
}

fn tight_at_least(lo: f64, hi: f64, n: usize, min_step: f64) -> Ticks {
    let (lo, hi) = clean_domain(lo, hi);
    let n = n.max(2);
    let step = nice_number((hi - lo) / (n - 1) as f64, true).max(min_step);
    build(lo, hi, step, false)
}

/// Ticks at the multiples of `step` in lo..hi, or (if `widen`) from the
/// multiple at or below `lo` to the one at or above `hi`, the axis widened to
/// them. If precision runs out (a step below the spacing of doubles, or more
/// than 1000 ticks) the ticks are just the ends.
fn build(lo: f64, hi: f64, step: f64, widen: bool) -> Ticks {
    let ends = |lo: f64, hi: f64| {
        let labels = vec![format::auto(lo), format::auto(hi)];
        Ticks {
            lo,
            hi,
            values: vec![lo, hi],
            labels,
            decimals: 0,
        }
    };
    if !(step.is_finite() && step > 0.0) {
        return ends(lo, hi);
    }
    let e = mathf::decimal_exponent(step);
    let mantissa = (step / mathf::pow10(e)).round();
    // k·m·10^e: an integer times a power of ten, so that 3·0.1 is 0.3.
    let at = |k: f64| {
        let v = scale_by_pow10(k * mantissa, e);
        if v == 0.0 { 0.0 } else { v }
    };
    let tol = 1e-9;
    let (first, last) = if widen {
        ((lo / step + tol).floor(), (hi / step - tol).ceil())
    } else {
        ((lo / step - tol).ceil(), (hi / step + tol).floor())
    };
    let count = last - first + 1.0;
    if !(count.is_finite() && (2.0..=1000.0).contains(&count)) {
        return ends(lo, hi);
    }
    let (lo, hi) = if widen {
        (at(first), at(last))
    } else {
        (lo, hi)
    };
    let mut values: Vec<f64> = Vec::with_capacity(count as usize);
    for k in 0..count as i64 {
        let v = at(first + k as f64).clamp(lo, hi);
        if values.last().is_none_or(|&p| v > p) {
            values.push(v);
        }
    }
    if values.len() < 2 || lo >= hi {
        return ends(lo, hi);
    }
    let decimals = format::decimals_for_step(step);
    let labels = values.iter().map(|&v| format::fixed(v, decimals)).collect();
    Ticks {
        lo,
        hi,
        values,
        labels,
        decimals,
    }
}

/// Ticks for a logarithmic axis over positive `lo..hi`: the axis widened to
/// whole decades; a tick at each decade (every k-th if there are more than
/// eight), plus 2 and 5 times each decade when it spans two decades or less.
/// Non-positive or non-finite ends fall back to 1..10.
pub fn log(lo: f64, hi: f64) -> Ticks {
    let ok = |v: f64| v.is_finite() && v > 0.0;
    let (lo, hi) = match (ok(lo), ok(hi)) {
        (true, true) => (lo.min(hi), lo.max(hi)),
        (true, false) => (lo, lo),
        (false, true) => (hi, hi),
        (false, false) => (1.0, 10.0),
    };
    let e0 = mathf::decimal_exponent(lo).max(-300);
    let mut e1 = mathf::decimal_exponent(hi).min(300);
    if mathf::pow10(e1) < hi || e1 == e0 {
        e1 += 1;
    }
    let decades = e1 - e0;
    let every = (decades + 7) / 8;
    let mut values = Vec::new();
    for e in e0..=e1 {
        if (e - e0) % every != 0 {
            continue;
        }
        values.push(scale_by_pow10(1.0, e));
        if decades <= 2 && e < e1 {
            values.push(scale_by_pow10(2.0, e));
            values.push(scale_by_pow10(5.0, e));
        }
    }
    let labels = values.iter().map(|&v| format::auto(v)).collect();
    Ticks {
        lo: scale_by_pow10(1.0, e0),
        hi: scale_by_pow10(1.0, e1),
        values,
        labels,
        decimals: 0,
    }
}

#[cfg(test)]
mod tests {
    /// Counts get whole ticks: generations 0..2 read 0, 1, 2 (they read
    /// 0.0, 0.2, ..., 2.0).
    #[test]
    fn whole_ticks_for_counts() {
        let t = tight_whole(0.0, 2.0, 8);
        assert_eq!(t.values, [0.0, 1.0, 2.0]);
        assert_eq!(t.labels, ["0", "1", "2"]);
        assert_eq!(tight_whole(0.0, 40.0, 5).values, tight(0.0, 40.0, 5).values);
    }

    use super::*;

    #[test]
    fn nice_numbers_by_hand() {
        // round: f < 1.5 -> 1, < 3 -> 2, < 7 -> 5, else 10.
        assert_eq!(nice_number(1.4, true), 1.0);
        assert_eq!(nice_number(2.5, true), 2.0);
        assert_eq!(nice_number(4.6, true), 5.0);
        assert_eq!(nice_number(7.0, true), 10.0);
        assert_eq!(nice_number(0.025, true), 0.02);
        // ceiling: the smallest of 1, 2, 5, 10 at least f.
        assert_eq!(nice_number(23.0, false), 50.0);
        assert_eq!(nice_number(15.9, false), 20.0);
        assert_eq!(nice_number(100.0, false), 100.0);
        assert_eq!(nice_number(0.0, true), 1.0);
    }

    #[test]
    fn loose_labels_by_hand() {
        // 0..100, 5 ticks: step nice(25) = 20.
        let t = loose(0.0, 100.0, 5);
        assert_eq!(t.values, vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]);
        assert_eq!((t.lo, t.hi, t.decimals), (0.0, 100.0, 0));
        // -3.7..12.2: step nice(15.9/4 = 3.975) = 5, axis -5..15.
        let t = loose(-3.7, 12.2, 5);
        assert_eq!(t.values, vec![-5.0, 0.0, 5.0, 10.0, 15.0]);
        assert_eq!(t.labels, vec!["\u{2212}5", "0", "5", "10", "15"]);
        // 0..1: step nice(0.25) = 0.2, one decimal, exact tenths.
        let t = loose(0.0, 1.0, 5);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(t.labels, vec!["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"]);
        // 6231..18693 (an accepted range): step nice(3115.5) = 5000.
        let t = loose(6231.0, 18693.0, 5);
        assert_eq!(t.values, vec![5000.0, 10000.0, 15000.0, 20000.0]);
        assert_eq!(t.labels, vec!["5000", "10,000", "15,000", "20,000"]);
        // Negative range: step nice(0.1775) = 0.2.
        let t = loose(-0.83, -0.12, 5);
        assert_eq!(t.values, vec![-1.0, -0.8, -0.6, -0.4, -0.2, 0.0]);
        assert_eq!(t.decimals, 1);
        // Where Heckbert's rounded-up span (nice(0.53) = 1, step 0.2) would
        // double the step: nice(0.53/5) = 0.1.
        let t = loose(-0.05, 0.48, 6);
        assert_eq!(t.values, vec![-0.1, 0.0, 0.1, 0.2, 0.3, 0.4, 0.5]);
    }

    #[test]
    fn tight_ticks_stay_inside() {
        // Years 2000..2023, about 6 ticks: step nice(4.6) = 5.
        let t = tight(2000.0, 2023.0, 6);
        assert_eq!(t.values, vec![2000.0, 2005.0, 2010.0, 2015.0, 2020.0]);
        assert_eq!((t.lo, t.hi), (2000.0, 2023.0));
        // 0.9..2.1, 5 ticks: step nice(0.3) = 0.5.
        let t = tight(0.9, 2.1, 5);
        assert_eq!(t.values, vec![1.0, 1.5, 2.0]);
        assert_eq!(t.labels, vec!["1.0", "1.5", "2.0"]);
        // Ticks that land on the ends are kept.
        let t = tight(0.0, 1.0, 6);
        assert_eq!(t.values, vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
    }

    #[test]
    fn degenerate_domains() {
        assert_eq!(clean_domain(5.0, 5.0), (4.0, 6.0));
        assert_eq!(clean_domain(2022.0, 2022.0), (2021.0, 2023.0));
        assert_eq!(clean_domain(0.5, 0.5), (0.45, 0.55));
        assert_eq!(clean_domain(0.0, 0.0), (-1.0, 1.0));
        assert_eq!(clean_domain(3.0, 1.0), (1.0, 3.0));
        assert_eq!(clean_domain(f64::NAN, 2.5), (2.25, 2.75));
        assert_eq!(clean_domain(f64::NAN, f64::INFINITY), (0.0, 1.0));
        for (lo, hi) in [
            (5.0, 5.0),
            (f64::NAN, f64::NAN),
            (-1e308, 1e308),
            (1e16, 1e16 + 2.0),
            (-f64::MIN_POSITIVE, f64::MIN_POSITIVE),
            (1e-300, 1e-300),
        ] {
            for t in [loose(lo, hi, 5), tight(lo, hi, 5)] {
                assert!(t.values.len() >= 2, "{lo} {hi}: {t:?}");
                assert!(t.values.len() <= 1001);
                assert!(t.lo.is_finite() && t.hi.is_finite() && t.lo < t.hi, "{t:?}");
                assert!(
                    t.values
                        .iter()
                        .all(|v| v.is_finite() && *v >= t.lo && *v <= t.hi)
                );
                assert!(t.values.windows(2).all(|w| w[0] < w[1]));
                assert!(
                    t.labels
                        .iter()
                        .all(|l| !l.contains("NaN") && !l.contains("inf"))
                );
            }
        }
    }

    #[test]
    fn log_ticks_by_hand() {
        let t = log(0.03, 40.0);
        assert_eq!((t.lo, t.hi), (0.01, 100.0));
        assert_eq!(t.values, vec![0.01, 0.1, 1.0, 10.0, 100.0]);
        assert_eq!(t.labels, vec!["0.01", "0.1", "1", "10", "100"]);
        let t = log(2.0, 30.0);
        assert_eq!(t.values, vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0]);
        // Same decade: widened to one decade.
        let t = log(3.0, 3.0);
        assert_eq!((t.lo, t.hi), (1.0, 10.0));
        // Twenty decades: every third.
        let t = log(1e-10, 1e10);
        assert_eq!(t.values.len(), 7);
        let t = log(-1.0, 0.0);
        assert_eq!((t.lo, t.hi), (1.0, 10.0));
    }
}

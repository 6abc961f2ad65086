//! Multinomial-logit choice among offers and the outside option "defer".
//!
//! Each alternative's utility gets an independent standard Gumbel draw and
//! the buyer takes the largest, which gives McFadden's logit probabilities
//! `exp(V_j) / Σ exp(V_k)` (defer included). The draws are keyed by the
//! tender and the line ([`crate::model::draws`]), so an offer keeps its
//! noise whatever else is on the table.

use crate::model::draws::gumbel;

/// Pick among alternatives with deterministic utilities `v`, whose noise
/// keys are `keys`, and a defer option with utility `defer` and noise key
/// `defer_key`. Returns the index of the chosen offer, or `None` for
/// defer.
pub fn choose(v: &[f64], keys: &[u64], defer: f64, defer_key: u64) -> Option<usize> {
    debug_assert_eq!(v.len(), keys.len());
    let mut best: Option<usize> = None;
    let mut best_u = f64::NEG_INFINITY;
    for (j, (vj, &k)) in v.iter().zip(keys).enumerate() {
        let u = vj + gumbel(k);
        if u > best_u {
            best_u = u;
            best = Some(j);
        }
    }
    let u0 = defer + gumbel(defer_key);
    if u0 >= best_u { None } else { best }
}

/// Analytic logit probabilities: offers in order, then defer last.
pub fn probabilities(v: &[f64], defer: f64) -> Vec<f64> {
    let m = v.iter().copied().fold(defer, f64::max);
    let mut e: Vec<f64> = v.iter().map(|x| libm::exp(x - m)).collect();
    e.push(libm::exp(defer - m));
    let z: f64 = e.iter().sum();
    e.iter().map(|x| x / z).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::draws::{Draws, Purpose, fold};

    #[test]
    fn frequencies_match_logit_probabilities() {
        let v = [0.5, -0.3, 1.2];
        let defer = 0.0;
        let p = probabilities(&v, defer);
        let d = Draws::seeded_from(5);
        let n = 200_000;
        let mut counts = [0usize; 4];
        for i in 0..n {
            let tender = d.key(Purpose::Choice, i, 1, 2);
            let keys = [fold(tender, 10), fold(tender, 11), fold(tender, 12)];
            match choose(&v, &keys, defer, fold(tender, 99)) {
                Some(j) => counts[j] += 1,
                None => counts[3] += 1,
            }
        }
        for k in 0..4 {
            let f = counts[k] as f64 / n as f64;
            // Four standard errors of a proportion at n = 200,000.
            let se = (p[k] * (1.0 - p[k]) / n as f64).sqrt();
            assert!((f - p[k]).abs() < 4.0 * se, "alt {k}: {f} vs {}", p[k]);
        }
    }

    #[test]
    fn probabilities_are_softmax() {
        let p = probabilities(&[0.0], 0.0);
        assert!((p[0] - 0.5).abs() < 1e-12 && (p[1] - 0.5).abs() < 1e-12);
        let p = probabilities(&[2f64.ln()], 0.0);
        assert!((p[0] - 2.0 / 3.0).abs() < 1e-12);
    }

    #[test]
    fn no_offers_means_defer() {
        assert_eq!(choose(&[], &[], 0.0, 1), None);
    }

    /// Keyed noise couples choices across scenarios: raising one offer's
    /// utility never moves the choice from it to another offer, and a
    /// choice between two offers is unchanged by a third that loses.
    #[test]
    fn keyed_noise_is_common_to_both_scenarios() {
        let d = Draws::seeded_from(1);
        for i in 0..2000 {
            let tender = d.key(Purpose::Choice, i, 0, 0);
            let keys = [fold(tender, 1), fold(tender, 2), fold(tender, 3)];
            let dk = fold(tender, 99);
            let base = choose(&[0.0, 0.2, -0.1], &keys, 0.0, dk);
            let raised = choose(&[0.5, 0.2, -0.1], &keys, 0.0, dk);
            if base == Some(0) {
                assert_eq!(raised, Some(0));
            }
            if raised != Some(0) {
                assert_eq!(raised, base, "only offer 0 changed");
            }
            // A third offer, keyed as in the three-offer tender: where it
            // loses, the choice is the two-offer tender's.
            let two = choose(&[0.0, 0.2], &keys[..2], 0.0, dk);
            if base != Some(2) {
                assert_eq!(base, two, "a losing third offer changed the choice");
            }
        }
    }
}

//! Multinomial-logit choice among offers and the outside option "defer".
//!
//! Each alternative's utility gets an independent standard Gumbel draw and
//! the buyer takes the largest, which gives McFadden's logit probabilities
//! `exp(V_j) / Σ exp(V_k)` (defer included).

use rand::RngExt;

/// A standard Gumbel draw, `-ln(-ln U)` with U uniform on (0, 1).
pub fn gumbel<R: rand::Rng + ?Sized>(rng: &mut R) -> f64 {
    // random::<f64>() is in [0, 1); map 0 away to keep ln finite.
    let u: f64 = rng.random::<f64>().max(f64::MIN_POSITIVE);
    -libm::log(-libm::log(u))
}

/// Pick among alternatives with deterministic utilities `v` and a defer
/// option with utility `defer`. Returns the index of the chosen offer, or
/// `None` for defer. Draws one Gumbel per offer, then one for defer.
pub fn choose<R: rand::Rng + ?Sized>(v: &[f64], defer: f64, rng: &mut R) -> Option<usize> {
    let mut best: Option<usize> = None;
    let mut best_u = f64::NEG_INFINITY;
    for (j, vj) in v.iter().enumerate() {
        let u = vj + gumbel(rng);
        if u > best_u {
            best_u = u;
            best = Some(j);
        }
    }
    let u0 = defer + gumbel(rng);
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
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    #[test]
    fn frequencies_match_logit_probabilities() {
        let v = [0.5, -0.3, 1.2];
        let defer = 0.0;
        let p = probabilities(&v, defer);
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let n = 200_000;
        let mut counts = [0usize; 4];
        for _ in 0..n {
            match choose(&v, defer, &mut rng) {
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
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(choose(&[], 0.0, &mut rng), None);
    }
}

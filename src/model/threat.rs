//! Threat: θ_r(t) = θ⁰_r + Σ_k m_k · x_{r,k} · δ_k^(t − t_k) for shocks with t ≥ t_k.

use crate::model::time::Quarter;

/// A threat shock, with its region exposures by region index.
#[derive(Debug, Clone)]
pub struct Shock {
    /// Quarter of onset.
    pub onset: Quarter,
    /// Size m_k.
    pub magnitude: f64,
    /// Per-quarter persistence δ.
    pub decay: f64,
    /// x_{r,k} by region index.
    pub exposure: Vec<f64>,
}

/// Threat of one region in quarter `q`.
pub fn region_threat(threat0: f64, region: usize, shocks: &[Shock], q: Quarter) -> f64 {
    let mut theta = threat0;
    for s in shocks {
        if q >= s.onset {
            let age = (q.0 - s.onset.0) as f64;
            theta += s.magnitude * s.exposure[region] * libm::pow(s.decay, age);
        }
    }
    theta
}

/// Threat of every region in every quarter, `[t * n_regions + region]`.
pub fn region_paths(threat0: &[f64], shocks: &[Shock], start: Quarter, n: usize) -> Vec<f64> {
    let mut out = Vec::with_capacity(n * threat0.len());
    for t in 0..n {
        let q = start.plus(t as i32);
        for (r, th0) in threat0.iter().enumerate() {
            out.push(region_threat(*th0, r, shocks, q));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shock_adds_and_decays() {
        let shocks = vec![Shock {
            onset: Quarter::new(2022, 1),
            magnitude: 2.0,
            decay: 0.5,
            exposure: vec![1.0, 0.25],
        }];
        assert_eq!(region_threat(0.1, 0, &shocks, Quarter::new(2021, 4)), 0.1);
        assert!((region_threat(0.1, 0, &shocks, Quarter::new(2022, 1)) - 2.1).abs() < 1e-12);
        // Two quarters later: 0.1 + 2 * 1 * 0.25.
        assert!((region_threat(0.1, 0, &shocks, Quarter::new(2022, 3)) - 0.6).abs() < 1e-12);
        // Exposure scales the shock: 0 + 2 * 0.25 * 0.5.
        assert!((region_threat(0.0, 1, &shocks, Quarter::new(2022, 2)) - 0.25).abs() < 1e-12);
    }

    #[test]
    fn shocks_superpose() {
        let mk = |y| Shock {
            onset: Quarter::new(y, 1),
            magnitude: 1.0,
            decay: 1.0,
            exposure: vec![1.0],
        };
        let shocks = vec![mk(2014), mk(2022)];
        let p = region_paths(&[0.0], &shocks, Quarter::new(2013, 4), 34);
        assert_eq!(p[0], 0.0);
        assert_eq!(p[1], 1.0);
        assert_eq!(p[33], 2.0);
    }
}

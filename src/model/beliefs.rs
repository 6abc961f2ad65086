//! Reliability beliefs: a Beta(α, β) per buyer and supplier, updated by
//! each delivery (on time against the promised schedule, or late); a share
//! of every observation reaches all other buyers as public reputation.

/// A Beta belief about the probability that a supplier delivers on time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Belief {
    /// Pseudo-count of on-time deliveries.
    pub alpha: f64,
    /// Pseudo-count of late deliveries.
    pub beta: f64,
}

impl Belief {
    /// The prior.
    pub fn new(alpha: f64, beta: f64) -> Belief {
        Belief { alpha, beta }
    }

    /// Posterior mean, the believed reliability r̂.
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }

    /// Add an observation with weight `w` (1 for one's own delivery, the
    /// public-reputation share for others').
    pub fn observe(&mut self, on_time: bool, w: f64) {
        if on_time {
            self.alpha += w;
        } else {
            self.beta += w;
        }
    }
}

/// Update the beliefs of every buyer about `supplier` after buyer `who`
/// saw a delivery: full weight for `who`, `public` weight for the others.
/// `beliefs` is `[buyer * n_suppliers + supplier]`.
pub fn record_delivery(
    beliefs: &mut [Belief],
    n_suppliers: usize,
    who: usize,
    supplier: usize,
    on_time: bool,
    public: f64,
) {
    let n_buyers = beliefs.len() / n_suppliers;
    for b in 0..n_buyers {
        let w = if b == who { 1.0 } else { public };
        if w > 0.0 {
            beliefs[b * n_suppliers + supplier].observe(on_time, w);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_update_by_hand() {
        let mut b = Belief::new(4.0, 1.0);
        assert!((b.mean() - 0.8).abs() < 1e-12);
        b.observe(false, 1.0);
        assert!((b.mean() - 4.0 / 6.0).abs() < 1e-12);
        b.observe(true, 2.0);
        assert!((b.mean() - 6.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn public_share_reaches_other_buyers() {
        let mut beliefs = vec![Belief::new(1.0, 1.0); 2 * 3];
        record_delivery(&mut beliefs, 3, 0, 2, false, 0.25);
        assert_eq!(beliefs[2], Belief::new(1.0, 2.0));
        assert_eq!(beliefs[3 + 2], Belief::new(1.0, 1.25));
        // Other suppliers untouched.
        assert_eq!(beliefs[1], Belief::new(1.0, 1.0));
    }
}

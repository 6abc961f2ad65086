//! Reliability beliefs: a Beta(α, β) per buyer and supplier, updated by
//! each delivery (on time against the promised schedule, or late); a share
//! of every observation reaches all other buyers as public reputation.
//!
//! Buyer b's belief about supplier j after its own observations (a_bj on
//! time, l_bj late) and everyone's (A_j, L_j) is
//! `Beta(α₀ + a_bj + λ (A_j − a_bj), β₀ + l_bj + λ (L_j − l_bj))`, λ the
//! public share: the same as adding weight 1 to the observer and λ to
//! every other buyer at each delivery, but O(1) per delivery.

/// A Beta belief about the probability that a supplier delivers on time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Belief {
    /// Pseudo-count of on-time deliveries.
    pub alpha: f64,
    /// Pseudo-count of late deliveries.
    pub beta: f64,
}

impl Belief {
    /// A belief with these pseudo-counts.
    pub fn new(alpha: f64, beta: f64) -> Belief {
        Belief { alpha, beta }
    }

    /// Posterior mean, the believed reliability r̂.
    pub fn mean(&self) -> f64 {
        self.alpha / (self.alpha + self.beta)
    }
}

/// Every buyer's belief about every supplier.
#[derive(Debug, Clone, PartialEq)]
pub struct Beliefs {
    prior: Belief,
    public: f64,
    n_suppliers: usize,
    /// Own observations (on time, late), `[buyer * n_suppliers + supplier]`.
    own: Vec<[f64; 2]>,
    /// All buyers' observations (on time, late) by supplier.
    all: Vec<[f64; 2]>,
}

impl Beliefs {
    /// Everyone at the prior; `public` is the share of each observation
    /// that reaches the other buyers.
    pub fn new(prior: Belief, public: f64, n_buyers: usize, n_suppliers: usize) -> Beliefs {
        let mut beliefs = Beliefs {
            prior,
            public,
            n_suppliers,
            own: Vec::new(),
            all: Vec::new(),
        };
        beliefs.reset(prior, public, n_buyers, n_suppliers);
        beliefs
    }

    /// Make these [`Beliefs::new`]'s, keeping their buffers.
    pub fn reset(&mut self, prior: Belief, public: f64, n_buyers: usize, n_suppliers: usize) {
        let (mut own, mut all) = (std::mem::take(&mut self.own), std::mem::take(&mut self.all));
        own.clear();
        own.resize(n_buyers * n_suppliers, [0.0; 2]);
        all.clear();
        all.resize(n_suppliers, [0.0; 2]);
        *self = Beliefs {
            prior,
            public,
            n_suppliers,
            own,
            all,
        };
    }

    /// Buyer `b`'s belief about supplier `j`.
    pub fn belief(&self, b: usize, j: usize) -> Belief {
        let own = self.own[b * self.n_suppliers + j];
        let all = self.all[j];
        Belief {
            alpha: self.prior.alpha + own[0] + self.public * (all[0] - own[0]),
            beta: self.prior.beta + own[1] + self.public * (all[1] - own[1]),
        }
    }

    /// Buyer `b` saw a delivery of supplier `j`, on time or late.
    pub fn record(&mut self, b: usize, j: usize, on_time: bool) {
        let k = usize::from(!on_time);
        self.own[b * self.n_suppliers + j][k] += 1.0;
        self.all[j][k] += 1.0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_update_by_hand() {
        let mut bs = Beliefs::new(Belief::new(4.0, 1.0), 0.0, 1, 1);
        assert!((bs.belief(0, 0).mean() - 0.8).abs() < 1e-12);
        bs.record(0, 0, false);
        assert!((bs.belief(0, 0).mean() - 4.0 / 6.0).abs() < 1e-12);
        bs.record(0, 0, true);
        bs.record(0, 0, true);
        assert!((bs.belief(0, 0).mean() - 6.0 / 8.0).abs() < 1e-12);
    }

    #[test]
    fn public_share_reaches_other_buyers() {
        let mut bs = Beliefs::new(Belief::new(1.0, 1.0), 0.25, 2, 3);
        bs.record(0, 2, false);
        assert_eq!(bs.belief(0, 2), Belief::new(1.0, 2.0));
        assert_eq!(bs.belief(1, 2), Belief::new(1.0, 1.25));
        // Other suppliers untouched.
        assert_eq!(bs.belief(0, 1), Belief::new(1.0, 1.0));
        // Buyer 1's own observation counts fully for it, a quarter for 0.
        bs.record(1, 2, true);
        assert_eq!(bs.belief(1, 2), Belief::new(2.0, 1.25));
        assert_eq!(bs.belief(0, 2), Belief::new(1.25, 2.0));
    }
}

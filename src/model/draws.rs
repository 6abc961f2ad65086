//! Keyed random draws: every number a run uses is addressed by what it is
//! about, not by how many numbers were drawn before it.
//!
//! A draw for (purpose, quarter, buyer, category, line) is a pure function
//! of the run's key for that purpose and of those ids. So the same tender
//! sees the same consideration draws and the same utility noise in every
//! scenario run on common random numbers, however differently earlier
//! tenders went: a change in one choice does not shift the noise of all
//! later ones, which is what makes paired comparisons of scenarios sharp.
//!
//! The generator is counter-based: SplitMix64's output function (Steele,
//! Lea and Flood 2014, "Fast splittable pseudorandom number generators",
//! variant 13 of Stafford's mixer) applied to the key folded with each id
//! in turn. SplitMix64 evaluated at consecutive counters passes BigCrush;
//! folding hashed ids through the full-avalanche mixer one at a time keeps
//! that quality for structured keys. The per-purpose keys come from the
//! run's ChaCha8 stream ([`crate::engine::seeding`]); entity ids are the
//! xxh64 hashes of their scenario ids ([`id_key`]), so a scenario that adds
//! or removes a product line leaves every other line's draws unchanged.

/// Golden-ratio increment of SplitMix64 (an odd constant).
const GAMMA: u64 = 0x9E37_79B9_7F4A_7C15;

/// Stafford's mix 13: a bijection of u64 with full avalanche.
#[inline]
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Fold one more id into a key.
#[inline]
pub fn fold(key: u64, id: u64) -> u64 {
    mix(key ^ id.wrapping_add(GAMMA))
}

/// The draw key of a scenario id (a buyer's, category's or line's): xxh64
/// of its bytes, a fixed function of the id alone.
pub fn id_key(id: &str) -> u64 {
    xxhash_rust::xxh64::xxh64(id.as_bytes(), 0)
}

/// A uniform number in [0, 1) from the top 53 bits of a key.
#[inline]
pub fn unit(key: u64) -> f64 {
    (key >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// A uniform number in (0, 1) from the top 52 bits of a key: never 0 or
/// 1, so that logarithms stay finite.
#[inline]
pub fn open_unit(key: u64) -> f64 {
    ((key >> 12) as f64 + 0.5) * (1.0 / (1u64 << 52) as f64)
}

/// A standard Gumbel draw `−ln(−ln U)` from a key.
#[inline]
pub fn gumbel(key: u64) -> f64 {
    -libm::log(-libm::log(open_unit(key)))
}

/// Bounds of [`gumbel`]`(key)` read off a table, `(floor, ceiling)`: a
/// Gumbel draw rises with its uniform, so the draws at the bottom and the
/// top of the key's bin (its top eight bits, 1/256 of the unit interval)
/// bound it, with a margin for the logarithms' rounding; infinite in the
/// bottom and top bins. Lets a choice leave out an offer that cannot win,
/// or settle a comparison, without drawing the noise.
#[inline]
pub fn gumbel_bounds(key: u64) -> (f64, f64) {
    static EDGES: std::sync::LazyLock<[f64; 257]> = std::sync::LazyLock::new(|| {
        std::array::from_fn(|edge| match edge {
            0 => f64::NEG_INFINITY,
            256 => f64::INFINITY,
            _ => -libm::log(-libm::log(edge as f64 / 256.0)),
        })
    });
    // The key's uniform is at least bin / 256 and below (bin + 1) / 256.
    let bin = (key >> 56) as usize;
    (EDGES[bin] - 1e-9, EDGES[bin + 1] + 1e-9)
}

/// What a draw is for; each purpose has its own key, so that adding draws
/// of one purpose never changes another's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The order in which a quarter's tenders run.
    Order = 0,
    /// Whether a supplier enters a buyer's consideration set.
    Consider = 1,
    /// The Gumbel noise of an offer's (or deferral's) utility.
    Choice = 2,
    /// Whether a line's output slips in a quarter.
    Slippage = 3,
    /// How long a tender takes.
    Stage = 4,
    /// Where a buyer's procurement of a category stands at the start.
    Phase = 5,
}

/// Number of [`Purpose`]s.
pub const PURPOSES: usize = 6;

/// The keys of one run, one per [`Purpose`]. Built only by
/// [`crate::engine::seeding::draws`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draws {
    keys: [u64; PURPOSES],
}

impl Draws {
    /// Draws from the given per-purpose keys.
    pub fn from_keys(keys: [u64; PURPOSES]) -> Draws {
        Draws { keys }
    }

    /// Draws of their own for a side computation, derived from the key of
    /// `purpose`.
    pub fn derived(&self, purpose: Purpose) -> Draws {
        Draws::seeded_from(self.keys[purpose as usize])
    }

    /// Draws whose keys derive from one number: for a computation that is
    /// a property of the world rather than of a run (the warm-up), and for
    /// tests.
    pub fn seeded_from(k: u64) -> Draws {
        Draws::from_keys(std::array::from_fn(|i| fold(k, i as u64)))
    }

    /// The key of everything drawn for `purpose` in quarter `t` about
    /// (`a`, `b`): fold further ids into it with [`fold`].
    #[inline]
    pub fn key(&self, purpose: Purpose, t: usize, a: u64, b: u64) -> u64 {
        let k = fold(self.keys[purpose as usize], (t as u64).wrapping_mul(GAMMA));
        fold(fold(k, a), b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draws() -> Draws {
        Draws::seeded_from(1)
    }

    #[test]
    fn the_same_address_gives_the_same_number() {
        let d = draws();
        let k = d.key(Purpose::Choice, 7, id_key("POL"), id_key("tank"));
        assert_eq!(k, d.key(Purpose::Choice, 7, id_key("POL"), id_key("tank")));
        assert_ne!(k, d.key(Purpose::Choice, 8, id_key("POL"), id_key("tank")));
        assert_ne!(k, d.key(Purpose::Choice, 7, id_key("EST"), id_key("tank")));
        assert_ne!(k, d.key(Purpose::Choice, 7, id_key("POL"), id_key("spg")));
        assert_ne!(
            k,
            d.key(Purpose::Consider, 7, id_key("POL"), id_key("tank"))
        );
        assert_ne!(fold(k, id_key("k2")), fold(k, id_key("leopard")));
    }

    #[test]
    fn units_lie_in_their_intervals() {
        assert_eq!(unit(0), 0.0);
        assert!(unit(u64::MAX) < 1.0);
        assert!(open_unit(0) > 0.0);
        assert!(open_unit(u64::MAX) < 1.0);
        assert!(gumbel(0).is_finite() && gumbel(u64::MAX).is_finite());
    }

    /// Draws over consecutive quarters and neighbouring ids are uniform
    /// and uncorrelated: a chi-square test on 64 bins and the lag-1
    /// correlation, over 200,000 keys built the way the model builds them.
    #[test]
    fn keyed_draws_are_uniform_and_uncorrelated() {
        let d = draws();
        let n = 200_000usize;
        let mut bins = [0u32; 64];
        let mut xs = Vec::with_capacity(n);
        for i in 0..n {
            let k = d.key(Purpose::Consider, i / 1000, (i % 1000 / 40) as u64, 3);
            let u = unit(fold(k, (i % 40) as u64));
            bins[(u * 64.0) as usize] += 1;
            xs.push(u);
        }
        let e = n as f64 / 64.0;
        let chi2: f64 = bins.iter().map(|&o| (f64::from(o) - e).powi(2) / e).sum();
        // 63 degrees of freedom: the 99.9 % point is about 103.4.
        assert!(chi2 < 103.4, "chi-square {chi2}");
        let m = xs.iter().sum::<f64>() / n as f64;
        let v: f64 = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        let c: f64 = xs.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum::<f64>() / n as f64;
        // The standard error of a lag-1 correlation is 1/sqrt(n) ~ 0.0022.
        assert!((c / v).abs() < 0.01, "lag-1 correlation {}", c / v);
        assert!((m - 0.5).abs() < 0.003, "mean {m}");
    }

    #[test]
    fn gumbel_bounds_bound_their_draws() {
        let d = draws();
        let random = (0..100_000).map(|i| d.key(Purpose::Choice, i, 0, 0));
        // The top and bottom keys of every bin.
        let edges = (0..256u64).flat_map(|bin| [bin << 56, (bin << 56) | ((1 << 56) - 1)]);
        for k in random.chain(edges) {
            let (floor, ceiling) = gumbel_bounds(k);
            assert!(floor <= gumbel(k) && gumbel(k) <= ceiling, "{k:#x}");
        }
        // Tight enough to be worth it: within 0.05 away from the end bins.
        let (floor, ceiling) = gumbel_bounds(100 << 56);
        assert!(ceiling - floor < 0.05);
    }

    #[test]
    fn gumbel_draws_have_the_gumbel_mean_and_variance() {
        // Mean: the Euler–Mascheroni constant; variance: π²/6.
        let d = draws();
        let n = 200_000;
        let xs: Vec<f64> = (0..n)
            .map(|i| gumbel(d.key(Purpose::Choice, i, 0, 0)))
            .collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n as f64;
        let pi2_6 = std::f64::consts::PI.powi(2) / 6.0;
        // Standard errors: sqrt(1.645/n) = 0.0029 and about 0.011.
        assert!((m - 0.577_215_664_9).abs() < 0.012, "mean {m}");
        assert!((v - pi2_6).abs() < 0.05, "variance {v}");
    }
}

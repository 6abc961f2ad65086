//! Multinomial-logit choice among offers and the outside option "defer".
//!
//! Each alternative's utility gets an independent standard Gumbel draw and
//! the buyer takes the largest, which gives McFadden's logit probabilities
//! `exp(V_j) / Σ exp(V_k)` (defer included). The draws are keyed by the
//! tender and the line ([`crate::model::draws`]), so an offer keeps its
//! noise whatever else is on the table.

use crate::model::draws::{gumbel, gumbel_bounds};

/// What a tender chooses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Choice {
    /// The offer of this index.
    Offer(usize),
    /// The outside option: some offer was made, none taken.
    Defer,
    /// Nothing to choose: no offer was made.
    NoOffer,
}

/// A noisy utility `v + gumbel(key)`, bounded by the table of Gumbel
/// bounds until it is worked out.
struct Noisy {
    v: f64,
    key: u64,
    /// `v` plus the draw's floor and ceiling.
    low: f64,
    high: f64,
    /// The noisy utility, once worked out.
    exact: Option<f64>,
}

impl Noisy {
    fn new(v: f64, key: u64) -> Noisy {
        let (floor, ceiling) = gumbel_bounds(key);
        Noisy {
            v,
            key,
            low: v + floor,
            high: v + ceiling,
            exact: None,
        }
    }

    /// The noisy utility, `v + gumbel(key)`.
    fn exact(&mut self) -> f64 {
        *self.exact.get_or_insert_with(|| self.v + gumbel(self.key))
    }
}

/// Pick among alternatives whose noisy utility is `V_j + gumbel(keys[j])`
/// and a defer option at `defer + gumbel(defer_key)`: the highest, the
/// first of equals, defer on a tie with the best (docs/ODD.md 7.10).
/// Each alternative's V is costly to work out and may turn out not to be
/// on offer at all: `bounds[j]` bounds it from above (NaN: no bound) and
/// `utility(j)` works it out (`None`: not on offer). Alternatives are
/// worked out from the highest bound down
/// until none left could beat the best so far, or the deferral once one is
/// on offer; a Gumbel draw is taken only when its table bounds
/// ([`gumbel_bounds`]) do not settle a comparison. The result is the
/// choice over every alternative on offer worked out in full (the tests
/// hold it to that), [`Choice::NoOffer`] when none is; `order` is a
/// buffer.
pub fn choose_bounded(
    bounds: &[f64],
    keys: &[u64],
    defer: f64,
    defer_key: u64,
    order: &mut Vec<(f64, usize)>,
    mut utility: impl FnMut(usize) -> Option<f64>,
) -> Choice {
    debug_assert_eq!(bounds.len(), keys.len());
    // Bounds of the noisy utilities; no bound counts as the highest.
    order.clear();
    order.extend(bounds.iter().zip(keys).enumerate().map(|(j, (&b, &k))| {
        match b + gumbel_bounds(k).1 {
            ceiling if ceiling.is_nan() => (f64::INFINITY, j),
            ceiling => (ceiling, j),
        }
    }));
    let mut deferral = Noisy::new(defer, defer_key);
    let mut best: Option<(usize, Noisy)> = None;
    let mut offered = false;
    // The highest bound left, taken out of `order` (few alternatives,
    // most never worked out: cheaper than sorting).
    while let Some(at) = (0..order.len()).reduce(|a, b| if order[b].0 > order[a].0 { b } else { a })
    {
        let (ceiling, j) = order.swap_remove(at);
        // The rest are no higher.
        if let Some((_, b)) = &mut best
            && (ceiling < b.low || (ceiling < b.high && ceiling < b.exact()))
        {
            break;
        }
        if offered && ceiling <= deferral.low {
            break;
        }
        let Some(v) = utility(j) else { continue };
        offered = true;
        let mut u = Noisy::new(v, keys[j]);
        // The first of the highest, above −∞.
        let better = match &mut best {
            None => u.low > f64::NEG_INFINITY || u.exact() > f64::NEG_INFINITY,
            Some((_, b)) if u.low > b.high => true,
            Some((_, b)) if u.high < b.low => false,
            Some((k, b)) => {
                let (x, y) = (u.exact(), b.exact());
                x > y || (x == y && j < *k)
            }
        };
        if better {
            best = Some((j, u));
        }
    }
    match best {
        _ if !offered => Choice::NoOffer,
        None => Choice::Defer,
        Some((j, b)) if b.low > deferral.high => Choice::Offer(j),
        Some((j, mut b)) => {
            if deferral.exact() >= b.exact() {
                Choice::Defer
            } else {
                Choice::Offer(j)
            }
        }
    }
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

    /// The choice as docs/ODD.md 7.10 states it, every alternative worked
    /// out: utilities `v`, noise keys `keys`, defer at `defer` with noise
    /// key `defer_key`; the index of the offer taken, `None` for defer.
    /// [`choose_bounded`], which a run uses, is held to it.
    fn choose(v: &[f64], keys: &[u64], defer: f64, defer_key: u64) -> Option<usize> {
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

    /// Both ways of choosing, the formula's and the run's (bounded by the
    /// utilities themselves), pick the same and give the logit shares.
    #[test]
    fn frequencies_match_logit_probabilities() {
        let v = [0.5, -0.3, 1.2];
        let defer = 0.0;
        let p = probabilities(&v, defer);
        let d = Draws::seeded_from(5);
        let n = 200_000;
        let mut counts = [0usize; 4];
        let mut order = Vec::new();
        for i in 0..n {
            let tender = d.key(Purpose::Choice, i, 1, 2);
            let keys = [fold(tender, 10), fold(tender, 11), fold(tender, 12)];
            let picked = choose(&v, &keys, defer, fold(tender, 99));
            let bounded = choose_bounded(&v, &keys, defer, fold(tender, 99), &mut order, |j| {
                Some(v[j])
            });
            assert_eq!(bounded, picked.map_or(Choice::Defer, Choice::Offer));
            match picked {
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]

        /// Working out only the alternatives that may win picks what
        /// `choose` picks among those on offer, whatever the bounds'
        /// slack, ties among utilities, and alternatives not on offer.
        #[test]
        fn bounded_choice_is_the_choice_among_offers(
            alternatives in proptest::collection::vec(
                (proptest::option::weighted(0.85, -3i32..4), 0u32..4, proptest::bool::weighted(0.1)),
                0..7,
            ),
            defer in -3i32..4,
            seed in 0u64..1000,
        ) {
            let d = Draws::seeded_from(seed);
            let tender = d.key(Purpose::Choice, 0, 1, 2);
            // Coarse utilities, so that noisy utilities tie now and then
            // (the same key for every alternative then ties them all).
            let same_noise = seed % 5 == 0;
            let key = |j: usize| if same_noise { tender } else { fold(tender, j as u64) };
            let utility: Vec<Option<f64>> =
                alternatives.iter().map(|(v, _, _)| v.map(|v| f64::from(v) * 0.5)).collect();
            // Bounds above the utilities (by a slack, possibly none), or
            // none at all.
            let bounds: Vec<f64> = alternatives
                .iter()
                .map(|(v, slack, unknown)| {
                    let top = f64::from(v.unwrap_or(3)) * 0.5 + f64::from(*slack) * 0.25;
                    if *unknown { f64::NAN } else { top }
                })
                .collect();
            let all_keys: Vec<u64> = (0..alternatives.len()).map(key).collect();
            let offered: Vec<usize> = (0..utility.len()).filter(|&j| utility[j].is_some()).collect();
            let v: Vec<f64> = offered.iter().map(|&j| utility[j].unwrap()).collect();
            let keys: Vec<u64> = offered.iter().map(|&j| key(j)).collect();
            let dk = fold(tender, 99);
            let expected = if offered.is_empty() {
                Choice::NoOffer
            } else {
                choose(&v, &keys, f64::from(defer), dk).map_or(Choice::Defer, |k| Choice::Offer(offered[k]))
            };
            let got = choose_bounded(&bounds, &all_keys, f64::from(defer), dk, &mut Vec::new(), |j| utility[j]);
            proptest::prop_assert_eq!(got, expected);
        }
    }

    /// Defer wins a tie with the best offer (docs/ODD.md 7.10): one offer
    /// at V = 0 and defer at 0 with the same noise key have the same noisy
    /// utility, and the buyer defers.
    #[test]
    fn defer_wins_a_tie_with_the_best_offer() {
        let key = Draws::seeded_from(3).key(Purpose::Choice, 0, 1, 2);
        let got = choose_bounded(&[0.0], &[key], 0.0, key, &mut Vec::new(), |_| Some(0.0));
        assert_eq!(got, Choice::Defer);
    }

    /// With nothing on offer there is nothing to defer from: no offer
    /// made at all, or only alternatives that turn out not to be on offer
    /// (whatever their bounds), is [`Choice::NoOffer`], which a run counts
    /// apart from a deferral; one offer below a deferral it cannot beat is
    /// [`Choice::Defer`].
    #[test]
    fn no_offers_is_no_offer_not_defer() {
        let none = |_| None;
        assert_eq!(
            choose_bounded(&[], &[], 0.0, 1, &mut Vec::new(), none),
            Choice::NoOffer
        );
        assert_eq!(
            choose_bounded(&[1.0, f64::NAN], &[1, 2], 0.0, 3, &mut Vec::new(), none),
            Choice::NoOffer
        );
        // −∞ cannot beat any deferral: an offer made but not taken.
        assert_eq!(
            choose_bounded(&[0.0], &[1], 0.0, 3, &mut Vec::new(), |_| Some(
                f64::NEG_INFINITY
            )),
            Choice::Defer
        );
    }

    /// Keyed noise couples choices across scenarios. An offer's noise is
    /// keyed by its line, not by its place among the offers: the same
    /// offers listed in reverse pick the same line. Raising one offer's
    /// utility never moves the choice from it to another offer, and a
    /// choice between two offers is unchanged by a third that loses. Each
    /// case is seen, so that none holds for want of examples.
    #[test]
    fn keyed_noise_is_common_to_both_scenarios() {
        let pick = |v: &[f64], keys: &[u64], defer_key: u64| {
            choose_bounded(v, keys, 0.0, defer_key, &mut Vec::new(), |j| Some(v[j]))
        };
        let d = Draws::seeded_from(1);
        // Three lines' keys, as a tender folds them into its pick key.
        let lines = [0x51u64, 0x52, 0x53];
        let v = [0.0, 0.2, -0.1];
        let raised_v = [0.5, 0.2, -0.1];
        let (mut kept, mut won_by_raising, mut third_won, mut deferred) = (0, 0, 0, 0);
        for i in 0..2000 {
            let tender = d.key(Purpose::Choice, i, 0, 0);
            let keys = lines.map(|l| fold(tender, l));
            let dk = fold(tender, 99);
            let base = pick(&v, &keys, dk);
            let reversed = pick(&[v[2], v[1], v[0]], &[keys[2], keys[1], keys[0]], dk);
            let same_line = match base {
                Choice::Offer(j) => Choice::Offer(2 - j),
                other => other,
            };
            assert_eq!(
                reversed, same_line,
                "tender {i}: the choice moved with the order"
            );
            let raised = pick(&raised_v, &keys, dk);
            if base == Choice::Offer(0) {
                assert_eq!(raised, Choice::Offer(0), "tender {i}");
                kept += 1;
            } else if raised == Choice::Offer(0) {
                won_by_raising += 1;
            } else {
                assert_eq!(raised, base, "tender {i}: only offer 0 changed");
            }
            // A third offer, keyed as in the three-offer tender: where it
            // loses, the choice is the two-offer tender's.
            let two = pick(&v[..2], &keys[..2], dk);
            if base == Choice::Offer(2) {
                third_won += 1;
            } else {
                assert_eq!(
                    base, two,
                    "tender {i}: a losing third offer changed the choice"
                );
            }
            deferred += usize::from(base == Choice::Defer);
        }
        // Logit shares at these utilities: offer 0 and defer 0.242 each,
        // offer 2 0.219, so some 480, 480 and 440 of 2,000 tenders; raised
        // to 0.5, offer 0 takes 0.345, some 210 tenders more.
        assert!(kept > 300 && won_by_raising > 100 && third_won > 300 && deferred > 300);
    }
}

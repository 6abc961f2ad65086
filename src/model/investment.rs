//! Yearly investment by suppliers: capacity (after a build lag),
//! interoperability, market access (marketing stock) and localisation.
//!
//! Spending never exceeds cash, so cash never goes negative, and every
//! dollar spent is booked in `invested` for the cash identity
//! `cash = cash₀ + earned − invested`.

use crate::model::production::MILLI;
use crate::model::state::State;
use crate::model::world::World;

/// Take up to `want` from `cash`, booking it as invested. Returns the spend.
fn spend(cash: &mut f64, invested: &mut f64, want: f64) -> f64 {
    let x = want.max(0.0).min(*cash);
    *cash -= x;
    *invested += x;
    x
}

/// Capacity to order for a line: if its backlog, in years of capacity
/// (counting capacity under construction), exceeds `threshold`, grow by
/// `k · min(growth, backlog_years / threshold − 1)`.
pub fn capacity_order(capacity: f64, backlog: f64, threshold: f64, growth: f64) -> f64 {
    if capacity <= 0.0 {
        return 0.0;
    }
    let backlog_years = backlog / (4.0 * capacity);
    if backlog_years <= threshold {
        return 0.0;
    }
    capacity * growth.min(backlog_years / threshold - 1.0)
}

/// `x + rate · (1 − x) · spend / scale`, kept in 0..1.
pub fn approach_one(x: f64, rate: f64, spend: f64, scale: f64) -> f64 {
    (x + rate * (1.0 - x) * spend / scale).clamp(0.0, 1.0)
}

/// Run every supplier's yearly investment at quarter index `t`.
pub fn invest_yearly(w: &World, s: &mut State, t: usize) {
    for (j, sup) in w.suppliers.iter().enumerate() {
        let inv = &sup.invest;
        // The marketing stock decays whether or not the firm invests.
        let mut marketed = false;
        for m in s.suppliers[j].marketing.iter_mut() {
            if *m != 0.0 {
                *m *= inv.marketing_decay;
                marketed = true;
            }
        }
        if inv.enabled {
            invest_supplier(w, s, j, t);
            marketed |= inv.marketing.iter().any(|x| *x > 0.0);
        }
        if marketed {
            s.refresh_access(w, j);
        }
    }
}

/// One supplier's yearly investment: capacity, interoperability,
/// marketing, localisation, in that order, each within the cash left.
fn invest_supplier(w: &World, s: &mut State, j: usize, t: usize) {
    let sup = &w.suppliers[j];
    let inv = &sup.invest;
    let st = &mut s.suppliers[j];
    let (cash, invested) = (&mut st.cash, &mut st.invested);
    // Capacity first: it is what the backlog asks for.
    for &l in &sup.lines {
        let ls = &mut s.lines[l];
        let k = ls.capacity_with_pending();
        let want = capacity_order(k, ls.backlog() as f64, inv.backlog_threshold, inv.growth);
        // Capacity comes in thousandths of a unit: buy only what exists.
        let affordable = if inv.capex > 0.0 {
            want.min(*cash / inv.capex)
        } else {
            want
        };
        let dk = (affordable * MILLI as f64).floor() / MILLI as f64;
        if dk <= 0.0 {
            continue;
        }
        spend(cash, invested, dk * inv.capex);
        if dk > 0.0 {
            ls.add_capacity(t + inv.build_lag as usize, dk);
        }
    }
    let x = spend(cash, invested, inv.interop_spend);
    if x > 0.0 {
        for &l in &sup.lines {
            let ls = &mut s.lines[l];
            ls.interoperability =
                approach_one(ls.interoperability, inv.interop_rate, x, inv.interop_scale);
        }
    }
    for (r, &want) in inv.marketing.iter().enumerate() {
        let x = spend(cash, invested, want);
        if x > 0.0 {
            let add = x / inv.marketing_scale;
            for (b, buyer) in w.buyers.iter().enumerate() {
                if buyer.region == r {
                    st.marketing[b] += add;
                }
            }
        }
    }
    let x = spend(cash, invested, inv.localisation_spend);
    if x > 0.0 {
        for &l in &sup.lines {
            let ls = &mut s.lines[l];
            ls.localisation = approach_one(
                ls.localisation,
                inv.localisation_rate,
                x,
                inv.localisation_scale,
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capacity_order_by_hand() {
        // 10/quarter, 120 units backlog = 3 years; threshold 2 → grow by
        // min(0.25, 3/2 − 1 = 0.5) = 25 % → 2.5 units/quarter.
        assert!((capacity_order(10.0, 120.0, 2.0, 0.25) - 2.5).abs() < 1e-12);
        // 2.2 years: min(0.25, 0.1) → 1.0.
        assert!((capacity_order(10.0, 88.0, 2.0, 0.25) - 1.0).abs() < 1e-12);
        assert_eq!(capacity_order(10.0, 80.0, 2.0, 0.25), 0.0);
        assert_eq!(capacity_order(0.0, 80.0, 2.0, 0.25), 0.0);
    }

    #[test]
    fn approach_one_by_hand() {
        // 0.6 + 0.1 * 0.4 * 20/10 = 0.68.
        assert!((approach_one(0.6, 0.1, 20.0, 10.0) - 0.68).abs() < 1e-12);
        assert_eq!(approach_one(0.9, 10.0, 100.0, 1.0), 1.0);
    }

    #[test]
    fn spend_never_exceeds_cash() {
        let (mut cash, mut inv) = (5.0, 0.0);
        assert_eq!(spend(&mut cash, &mut inv, 8.0), 5.0);
        assert_eq!((cash, inv), (0.0, 5.0));
    }
}

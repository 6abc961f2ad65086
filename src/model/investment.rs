//! Yearly investment by suppliers: capacity (after a build lag),
//! interoperability, market access (marketing stock) and localisation.
//!
//! Spending never exceeds cash, so cash never goes negative, and every
//! dollar spent is booked in `invested` for the cash identity
//! `cash = cash₀ + earned − invested`.

use crate::model::floor_whole;
use crate::model::production::{MAX_CAPACITY, MILLI, count_f64};
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

/// Scratch space of the yearly investment, kept between years so that a
/// year allocates nothing (its contents are overwritten).
#[derive(Debug, Default)]
pub struct InvestScratch {
    /// Each country's foreign buyers' budgets, summed once for all its
    /// firms.
    foreign_totals: Vec<Option<f64>>,
    /// Each buyer's country, in one run for the marketing loop.
    countries: Vec<usize>,
}

/// Run every supplier's yearly investment at quarter index `t`: marketing
/// stocks decay, then each investing firm expands capacity and spends on
/// market development by the common rule; the year's revenue is then
/// counted afresh.
pub fn invest_yearly(w: &World, s: &mut State, t: usize, scratch: &mut InvestScratch) {
    scratch.foreign_totals.clear();
    scratch.foreign_totals.resize(w.countries.len(), None);
    scratch.countries.clear();
    scratch.countries.extend(w.buyers.iter().map(|b| b.country));
    let decay = w.market.marketing_decay;
    for (j, sup) in w.suppliers.iter().enumerate() {
        // The marketing stock decays whether or not the firm invests.
        for m in s.suppliers[j].marketing.iter_mut() {
            *m *= decay;
        }
        if sup.invest.enabled {
            if w.mechanisms.capacity_investment {
                invest_capacity(w, s, j, t);
            }
            develop(w, s, j, t, scratch);
        }
        s.suppliers[j].revenue = 0.0;
    }
}

/// Capacity for every production line whose backlog asks for it, within
/// the cash left (stock lines have no capacity to build).
fn invest_capacity(w: &World, s: &mut State, j: usize, t: usize) {
    let sup = &w.suppliers[j];
    let inv = &sup.invest;
    let st = &mut s.suppliers[j];
    let (cash, invested) = (&mut st.cash, &mut st.invested);
    for &l in &sup.lines {
        if w.lines[l].stock.is_some() {
            continue;
        }
        let ls = &mut s.lines[l];
        let k = ls.capacity_with_pending();
        let want = capacity_order(
            k,
            count_f64(ls.backlog()),
            inv.backlog_threshold,
            inv.growth,
        );
        // Up to the most a line may reach (`f64::min` would take a NaN want
        // for the room).
        let room = MAX_CAPACITY - k;
        let want = if want > room { room } else { want };
        // Most lines want nothing in most years; what they could afford
        // is then at most nothing, which buys nothing (a NaN want goes on).
        if want <= 0.0 {
            continue;
        }
        // Capacity comes in thousandths of a unit: buy only what exists.
        let affordable = if inv.capex > 0.0 {
            want.min(*cash / inv.capex)
        } else {
            want
        };
        // Rounded down to thousandths, ignoring rounding noise (8.75 ×
        // (2.4 / 2 − 1) is 1.7499999999999996, not 1.749).
        let dk = floor_whole(affordable * MILLI as f64) / MILLI as f64;
        if dk <= 0.0 {
            continue;
        }
        spend(cash, invested, dk * inv.capex);
        ls.add_capacity(t + inv.build_lag as usize, dk);
    }
}

/// Share of a firm's production capacity (over the planning horizon) that
/// its backlog leaves idle, 0..1; 0 for a firm without capacity.
pub fn idle_share(w: &World, s: &State, j: usize) -> f64 {
    let (mut backlog, mut cap) = (0.0, 0.0);
    for &l in &w.suppliers[j].lines {
        if w.lines[l].stock.is_none() {
            backlog += count_f64(s.lines[l].backlog());
            cap += s.lines[l].capacity_with_pending() * w.market.planning_horizon;
        }
    }
    if cap > 0.0 {
        (1.0 - backlog / cap).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// The development rule every firm follows: spend
/// `rate · revenue · (1 + idle · idle_share) · export_ambition` (within
/// cash), split between marketing (spread over foreign buyers by their
/// equipment budgets), interoperability and localisation.
/// `scratch` caches, by home country, the sum of foreign buyers' budgets
/// in quarter `t`.
fn develop(w: &World, s: &mut State, j: usize, t: usize, scratch: &mut InvestScratch) {
    let m = &w.market;
    let sup = &w.suppliers[j];
    let want = m.development_rate
        * s.suppliers[j].revenue
        * (1.0 + m.development_idle * idle_share(w, s, j))
        * w.countries[sup.country].export_ambition;
    if want <= 0.0 {
        return;
    }
    let [to_marketing, to_interop, to_localisation] = m.development_split;
    if w.mechanisms.market_access {
        // Buyers' countries zipped with their budgets and stocks: no index
        // to check.
        let home = sup.country;
        let countries = &scratch.countries;
        let budgets = w.budgets_at(t);
        let total = *scratch.foreign_totals[home].get_or_insert_with(|| {
            countries
                .iter()
                .zip(budgets)
                .filter(|&(&country, _)| country != home)
                .map(|(_, &budget)| budget)
                .sum::<f64>()
        });
        // With no foreign budget there is no one to market to: the
        // marketing share stays in cash rather than being spent on nothing.
        let st = &mut s.suppliers[j];
        let x = if total > 0.0 {
            spend(&mut st.cash, &mut st.invested, want * to_marketing)
        } else {
            0.0
        };
        if x > 0.0 {
            // Every buyer's raised stock is computed and a home buyer's
            // dropped: with no branch on the country, the loop runs two
            // buyers at a time.
            let scale = m.marketing_scale;
            let stocks = st.marketing.iter_mut().zip(budgets);
            for ((stock, &budget), &country) in stocks.zip(countries) {
                let raised = *stock + x * budget / total / scale;
                *stock = if country != home { raised } else { *stock };
            }
        }
    }
    let st = &mut s.suppliers[j];
    let x = spend(&mut st.cash, &mut st.invested, want * to_interop);
    if x > 0.0 {
        for &l in &sup.lines {
            let ls = &mut s.lines[l];
            ls.interoperability =
                approach_one(ls.interoperability, m.interop_rate, x, m.interop_scale);
        }
    }
    let st = &mut s.suppliers[j];
    let x = spend(&mut st.cash, &mut st.invested, want * to_localisation);
    if x > 0.0 {
        for &l in &sup.lines {
            let ls = &mut s.lines[l];
            ls.localisation = approach_one(
                ls.localisation,
                m.localisation_rate,
                x,
                m.localisation_scale,
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

    /// The toy with K2 at `capacity` a quarter, `queued` home units its
    /// only work, and cash enough for any expansion: the world, its state
    /// and K2's index.
    fn k2_queued(capacity: f64, queued: u32) -> (World, State, usize) {
        use crate::model::production::Owner;
        use crate::model::testkit::{line, toy};
        let w = toy(&[
            &format!("suppliers.korea_land.lines.k2.capacity={capacity:?}"),
            "suppliers.korea_land.lines.k2.initial_backlog=0",
            "suppliers.korea_land.lines.k2.home_orders={}",
            "suppliers.korea_land.cash=100000.0",
        ]);
        let k2 = line(&w, "k2");
        let mut s = State::new(&w);
        s.lines[k2].enqueue(Owner::Home, queued);
        (w, s, k2)
    }

    /// Capacity ordered in a year comes online `build_lag` quarters later,
    /// not before: K2 at 8 a quarter with 400 units queued (12.5 years,
    /// above the threshold of 2) grows by 30 %, 2.4 a quarter, built in 6
    /// quarters.
    #[test]
    fn new_capacity_comes_online_after_its_build_lag() {
        let (w, mut s, k2) = k2_queued(8.0, 400);
        let k = s.lines[k2].capacity();
        assert!((k - 8.0).abs() < 1e-12);
        invest_yearly(&w, &mut s, 4, &mut InvestScratch::default());
        let ls = &mut s.lines[k2];
        assert!((ls.capacity_with_pending() - k - 2.4).abs() < 1e-9);
        ls.bring_capacity_online(4 + 6 - 1);
        assert!((ls.capacity() - k).abs() < 1e-12, "online before its lag");
        ls.bring_capacity_online(4 + 6);
        assert!((ls.capacity() - k - 2.4).abs() < 1e-9);
    }

    /// Capacity ordered is rounded down to thousandths of what the rule
    /// gives exactly: 8.75 a quarter with 84 units queued is 2.4 years,
    /// 20 % above the threshold of 2, so 1.75 more (1.7499999999999996 in
    /// binary, which a plain floor made 1.749).
    #[test]
    fn capacity_ordered_is_the_exact_rule_s_thousandths() {
        let (w, mut s, k2) = k2_queued(8.75, 84);
        assert_eq!(
            w.suppliers[w.lines[k2].supplier].invest.backlog_threshold,
            2.0
        );
        invest_yearly(&w, &mut s, 4, &mut InvestScratch::default());
        assert_eq!(s.lines[k2].capacity_with_pending(), 8.75 + 1.75);
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

    /// The development rule by hand: spend a share of the year's revenue,
    /// more with idle capacity; marketing goes to foreign buyers by budget.
    #[test]
    fn development_by_hand() {
        use crate::model::testkit::{buyer, close, line, supplier, toy};
        let w = toy(&[]);
        let mut s = State::new(&w);
        let k = supplier(&w, "korea_land");
        s.suppliers[k].revenue = 1000.0;
        // German Land, of CCC (a buyer), earned as much.
        let g = supplier(&w, "german_land");
        s.suppliers[g].revenue = 1000.0;
        // Korea Land: 100 home units queued against (8 + 15) · 8 quarters of
        // capacity: idle share 1 − 100/184.
        let idle = 1.0 - 100.0 / 184.0;
        assert!(close(idle_share(&w, &s, k), idle));
        let want = 0.02 * 1000.0 * (1.0 + idle);
        let cash0 = s.suppliers[k].cash;
        let t = 3; // 2014Q4
        invest_yearly(&w, &mut s, t, &mut InvestScratch::default());
        // Split 0.5 / 0.25 / 0.25; no capacity is ordered (the backlog is
        // short), so that is all the firm spent.
        assert!(close(s.suppliers[k].cash, cash0 - want));
        assert_eq!(s.suppliers[k].revenue, 0.0);
        let budgets: Vec<f64> = (0..3).map(|b| w.budget_of(t, b)).collect();
        let total: f64 = budgets.iter().sum();
        for (b, budget) in budgets.iter().enumerate() {
            let stock = want * 0.5 * budget / total / 10.0;
            assert!(close(s.suppliers[k].marketing[b], stock));
        }
        let aaa = buyer(&w, "AAA");
        assert!(close(
            s.access(&w, k, aaa),
            1.0 - 0.7 * (-s.suppliers[k].marketing[aaa]).exp()
        ));
        // Interoperability of the K2: 0.6 + 0.1 · 0.4 · (want/4) / 10.
        let k2 = line(&w, "k2");
        assert!(close(
            s.lines[k2].interoperability,
            approach_one(0.6, 0.1, want * 0.25, 10.0)
        ));
        // German Land markets abroad only: its home buyer CCC gets no
        // stock; AAA and BBB share its marketing by their budgets. Its
        // 60 Leopard 2s and 12 programme units queued against (10 + 4) · 8
        // quarters of capacity: idle share 1 − 72/112.
        let idle = 1.0 - 72.0 / 112.0;
        assert!(close(idle_share(&w, &s, g), idle));
        let want = 0.02 * 1000.0 * (1.0 + idle);
        let ccc = buyer(&w, "CCC");
        let foreign = total - budgets[ccc];
        for (b, budget) in budgets.iter().enumerate() {
            let stock = if b == ccc {
                0.0
            } else {
                want * 0.5 * budget / foreign / 10.0
            };
            assert!(close(s.suppliers[g].marketing[b], stock), "buyer {b}");
        }
    }

    /// With no foreign budget in the year, nothing is spent on marketing:
    /// the firm keeps that share in cash and spends only the
    /// interoperability and localisation shares (1/4 + 1/4 of `want`).
    #[test]
    fn no_foreign_budget_spends_nothing_on_marketing() {
        use crate::model::testkit::{close, supplier, toy};
        let mut w = toy(&[]);
        let t = 3; // 2014Q4
        let k = supplier(&w, "korea_land");
        let nb = w.buyers.len();
        let home = w.suppliers[k].country;
        for b in 0..nb {
            if w.buyers[b].country != home {
                w.budget[t * nb + b] = 0.0;
            }
        }
        let mut s = State::new(&w);
        s.suppliers[k].revenue = 1000.0;
        let want = 0.02 * 1000.0 * (1.0 + idle_share(&w, &s, k));
        let cash0 = s.suppliers[k].cash;
        invest_yearly(&w, &mut s, t, &mut InvestScratch::default());
        assert!(close(s.suppliers[k].cash, cash0 - want * 0.5));
        assert!(close(s.suppliers[k].invested, want * 0.5));
        assert!(s.suppliers[k].marketing.iter().all(|&m| m == 0.0));
    }

    /// Capacity bought within the cash is rounded down to thousandths, so
    /// that every thousandth is paid for (cash never goes negative and
    /// `invested` books it all). By hand: K2 at 8 a quarter with 400 units
    /// queued (12.5 years) wants 30 % more, 2.4 a quarter, but Korea Land
    /// has 50 in cash at a capex of 30 per unit a quarter: 50 / 30 =
    /// 1.6666… → 1.666 a quarter, for 1.666 · 30 = 49.98, leaving 0.02.
    /// (Rounded up, 1.667 would cost 50.01, more than the cash.)
    #[test]
    fn capacity_within_the_cash_is_rounded_down() {
        use crate::model::production::Owner;
        use crate::model::testkit::{close, line, supplier, toy};
        let w = toy(&[
            "suppliers.korea_land.lines.k2.capacity=8.0",
            "suppliers.korea_land.lines.k2.initial_backlog=0",
            "suppliers.korea_land.lines.k2.home_orders={}",
            "suppliers.korea_land.cash=50.0",
        ]);
        let (k2, k) = (line(&w, "k2"), supplier(&w, "korea_land"));
        let mut s = State::new(&w);
        s.lines[k2].enqueue(Owner::Home, 400);
        // No revenue: nothing goes to development.
        invest_yearly(&w, &mut s, 3, &mut InvestScratch::default());
        assert!(close(s.lines[k2].capacity_with_pending(), 8.0 + 1.666));
        assert!(close(s.suppliers[k].invested, 49.98));
        assert!(close(s.suppliers[k].cash, 0.02));
    }
}

//! Targets: observed patterns as metrics computed from a run's contract
//! log and deliveries, with pass/fail and a normalised distance.
//!
//! A target passes when the simulated value lies in its accepted interval
//! `[lo, hi]` around the observed value. The distance is how far the value
//! is from the observed one in units of the tolerance on that side, so a
//! value passes exactly when its distance is at most 1. A metric that is
//! undefined in a run (a mean lead over no contracts) has no distance: it
//! is NaN, fails, and the verdict skips it ([`crate::analysis::verdict`],
//! which also caps distances).

use crate::model::Quarter;
use crate::model::World;
use crate::model::state::Contract;
use crate::scenario::schema::Scenario;

pub use crate::scenario::schema::{Metric, Role};

/// Which buyers a target looks at.
#[derive(Debug, Clone, PartialEq)]
pub enum Scope {
    /// Every buyer.
    All,
    /// One buyer.
    Buyer(usize),
    /// A group: members, and whether they count only once NATO members.
    Group {
        /// Member mask by buyer index.
        members: Vec<bool>,
        /// Count a member only from its accession.
        nato_only: bool,
    },
}

impl Scope {
    /// Whether buyer `b` is in scope at quarter index `t`.
    pub fn contains(&self, w: &World, b: usize, t: usize) -> bool {
        match self {
            Scope::All => true,
            Scope::Buyer(x) => *x == b,
            Scope::Group { members, nato_only } => members[b] && (!nato_only || w.is_nato(t, b)),
        }
    }
}

/// A compiled target.
#[derive(Debug, Clone)]
pub struct Target {
    /// Scenario id.
    pub id: String,
    /// Pattern (`P1`..`P6`).
    pub pattern: String,
    /// Metric.
    pub metric: Metric,
    /// Buyers in scope.
    pub scope: Scope,
    /// Supplier country filter (numerator of shares).
    pub supplier_country: Option<usize>,
    /// The buyer whose share `BuyerShare` measures.
    pub buyer: Option<usize>,
    /// Category mask; `None` = all.
    pub categories: Option<Vec<bool>>,
    /// First quarter.
    pub from: Quarter,
    /// Last quarter.
    pub to: Quarter,
    /// Observed value.
    pub observed: f64,
    /// Lowest passing value.
    pub lo: f64,
    /// Highest passing value.
    pub hi: f64,
    /// Whether only new builds count (no stock or upgrade line's
    /// contracts).
    pub new_builds: bool,
    /// Whether it describes the 2022–23 surge itself.
    pub surge: bool,
    /// Whether a calibration fits it or holds it out.
    pub role: Role,
}

/// Units delivered under a contract in a quarter (what delivered shares
/// are computed from).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeliveryRecord {
    /// Quarter index.
    pub t: usize,
    /// Contract index.
    pub contract: u32,
    /// Units.
    pub units: u32,
}

/// One target's outcome in one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TargetResult {
    /// Simulated value (NaN when undefined).
    pub value: f64,
    /// Whether it lies in `[lo, hi]`.
    pub pass: bool,
    /// Normalised distance (≤ 1 when passing; NaN when the value is
    /// undefined). Not capped: the verdict caps it.
    pub distance: f64,
}

/// `[lo, hi]` from an observed value and a tolerance.
pub fn interval(observed: f64, t: &crate::scenario::schema::Tolerance) -> (f64, f64) {
    if let Some(a) = t.abs {
        (observed - a, observed + a)
    } else if let Some(r) = t.rel {
        let d = r * observed.abs();
        (observed - d, observed + d)
    } else if let Some([lo, hi]) = t.range {
        (lo, hi)
    } else {
        (observed, observed)
    }
}

/// Distance of `value` from `observed` in tolerance widths on its side.
pub fn distance(value: f64, observed: f64, lo: f64, hi: f64) -> f64 {
    if !value.is_finite() {
        // Undefined (a mean over nothing): reported as undefined, never as
        // a distance.
        return f64::NAN;
    }
    let (gap, width) = if value >= observed {
        (value - observed, hi - observed)
    } else {
        (observed - value, observed - lo)
    };
    if gap == 0.0 {
        0.0
    } else if width > 0.0 {
        gap / width
    } else {
        // An observed value on the edge of its range: inside is 0, outside
        // is measured against the range's width.
        let inside = value >= lo && value <= hi;
        if inside {
            0.0
        } else {
            1.0 + gap / (hi - lo).max(f64::MIN_POSITIVE)
        }
    }
}

impl Target {
    fn in_category(&self, c: usize) -> bool {
        self.categories.as_ref().is_none_or(|m| m[c])
    }

    /// The slice of a log in time order (`t` gives an entry's quarter
    /// index) that falls in the target's period, found by bisection: a
    /// target of a few years reads only those years' entries.
    fn in_period<'a, T>(&self, w: &World, log: &'a [T], t: impl Fn(&T) -> usize) -> &'a [T] {
        debug_assert!(log.is_sorted_by_key(&t), "a log in time order");
        let first = log.partition_point(|x| w.quarter(t(x)) < self.from);
        let end = log.partition_point(|x| w.quarter(t(x)) <= self.to);
        &log[first..end.max(first)]
    }

    /// Contracts signed in scope, period and categories.
    fn scoped<'a>(
        &'a self,
        w: &'a World,
        cs: &'a [Contract],
    ) -> impl Iterator<Item = &'a Contract> {
        self.in_period(w, cs, |c| c.signed).iter().filter(move |c| {
            self.in_category(c.category)
                && self.of_line(w, c.line)
                && self.scope.contains(w, c.buyer, c.signed)
        })
    }

    /// Whether a contract of line `l` counts: any line, or with
    /// `new_builds` only a line that builds new units.
    fn of_line(&self, w: &World, l: usize) -> bool {
        let line = &w.lines[l];
        !self.new_builds || (line.stock.is_none() && line.upgrades.is_none())
    }

    fn of_country(&self, w: &World, supplier: usize) -> bool {
        self.supplier_country
            .is_none_or(|k| w.suppliers[supplier].country == k)
    }

    /// The metric's value on a run: `cs` is its contract log, in signing
    /// order, and `ds` its delivery log, in time order.
    pub fn value(&self, w: &World, cs: &[Contract], ds: &[DeliveryRecord]) -> f64 {
        let ratio = |num: f64, den: f64| if den > 0.0 { num / den } else { 0.0 };
        let mean = |xs: &mut dyn Iterator<Item = f64>| {
            let (mut n, mut sum) = (0u32, 0.0);
            for x in xs {
                n += 1;
                sum += x;
            }
            if n == 0 { f64::NAN } else { sum / f64::from(n) }
        };
        // From +0: `Sum` for f64 starts at -0, which an empty sum kept and
        // `targets.csv` printed as `-0`.
        let total = |xs: &mut dyn Iterator<Item = f64>| xs.fold(0.0, |a, x| a + x);
        match self.metric {
            Metric::Value => total(
                &mut self
                    .scoped(w, cs)
                    .filter(|c| self.of_country(w, c.supplier))
                    .map(|c| c.value),
            ),
            Metric::Units => total(
                &mut self
                    .scoped(w, cs)
                    .filter(|c| self.of_country(w, c.supplier))
                    .map(|c| f64::from(c.units)),
            ),
            Metric::Count => self
                .scoped(w, cs)
                .filter(|c| self.of_country(w, c.supplier))
                .count() as f64,
            Metric::Share => {
                let (mut num, mut den) = (0.0, 0.0);
                for c in self.scoped(w, cs) {
                    den += c.value;
                    if self.of_country(w, c.supplier) {
                        num += c.value;
                    }
                }
                ratio(num, den)
            }
            Metric::BuyerShare => {
                let (mut num, mut den) = (0.0, 0.0);
                for c in self
                    .scoped(w, cs)
                    .filter(|c| self.of_country(w, c.supplier))
                {
                    den += c.value;
                    if Some(c.buyer) == self.buyer {
                        num += c.value;
                    }
                }
                ratio(num, den)
            }
            Metric::LeadPromised => mean(
                &mut self
                    .scoped(w, cs)
                    .filter(|c| self.of_country(w, c.supplier))
                    .map(|c| 3.0 * c.lead_first),
            ),
            Metric::LeadActual => mean(
                &mut self
                    .scoped(w, cs)
                    .filter(|c| self.of_country(w, c.supplier))
                    .filter_map(|c| c.first_delivery.map(|d| 3.0 * (d - c.signed) as f64)),
            ),
            Metric::DeliveredShare => {
                let (mut num, mut den) = (0.0, 0.0);
                for d in self.in_period(w, ds, |d| d.t) {
                    let c = &cs[d.contract as usize];
                    // SIPRI counts transfers between states: a buyer's
                    // deliveries from its own industry are not imports.
                    if w.suppliers[c.supplier].country == w.buyers[c.buyer].country {
                        continue;
                    }
                    if !self.in_category(c.category)
                        || !self.of_line(w, c.line)
                        || !self.scope.contains(w, c.buyer, d.t)
                    {
                        continue;
                    }
                    let v = f64::from(d.units) * w.lines[c.line].tiv;
                    den += v;
                    if self.of_country(w, c.supplier) {
                        num += v;
                    }
                }
                ratio(num, den)
            }
        }
    }

    /// Value, pass and distance on a run (logs in time order).
    pub fn evaluate(&self, w: &World, cs: &[Contract], ds: &[DeliveryRecord]) -> TargetResult {
        let value = self.value(w, cs, ds);
        TargetResult {
            value,
            pass: value >= self.lo && value <= self.hi,
            distance: distance(value, self.observed, self.lo, self.hi),
        }
    }
}

/// Every target of a scenario, compiled against its world.
#[derive(Debug, Clone, Default)]
pub struct Targets {
    /// In id order.
    pub list: Vec<Target>,
}

/// Index of `id` among `ids`; the error names the key (`key` is only
/// formatted on failure: sweeps compile targets for every point).
fn position<'a>(
    mut ids: impl Iterator<Item = &'a str>,
    id: &str,
    key: impl FnOnce() -> String,
) -> Result<usize, String> {
    ids.position(|x| x == id)
        .ok_or_else(|| format!("`{}` names `{id}`, which is not defined", key()))
}

impl Targets {
    /// Compile the targets of a validated scenario.
    pub fn compile(s: &Scenario, w: &World) -> Result<Targets, String> {
        let buyer_ids = || w.buyers.iter().map(|b| b.id.as_str());
        let mut list = Vec::new();
        for (id, t) in &s.targets {
            let key = format!("targets.{id}");
            let metric = t.metric;
            let group_scope = |g: &str| -> Result<Scope, String> {
                let spec = s
                    .groups
                    .get(g)
                    .ok_or_else(|| format!("`{key}.group` names `{g}`, which is not defined"))?;
                let mut members = vec![false; w.buyers.len()];
                for b in &spec.buyers {
                    members[position(buyer_ids(), b, || format!("groups.{g}"))?] = true;
                }
                Ok(Scope::Group {
                    members,
                    nato_only: spec.nato_only,
                })
            };
            let buyer = match &t.buyer {
                Some(b) => Some(position(buyer_ids(), b, || format!("{key}.buyer"))?),
                None => None,
            };
            let scope = match (&t.group, buyer, metric) {
                (Some(g), _, _) => group_scope(g)?,
                (None, Some(_), Metric::BuyerShare) | (None, None, _) => Scope::All,
                (None, Some(b), _) => Scope::Buyer(b),
            };
            let supplier_country = match &t.supplier_country {
                Some(c) => Some(position(
                    w.countries.iter().map(|x| x.id.as_str()),
                    c,
                    || format!("{key}.supplier_country"),
                )?),
                None => None,
            };
            let categories = if t.categories.is_empty() {
                None
            } else {
                let mut m = vec![false; w.categories.len()];
                for c in &t.categories {
                    m[position(w.categories.iter().map(|x| x.id.as_str()), c, || {
                        format!("{key}.categories")
                    })?] = true;
                }
                Some(m)
            };
            let (lo, hi) = interval(t.observed, &t.tolerance);
            list.push(Target {
                id: id.clone(),
                pattern: t.pattern.clone(),
                metric,
                scope,
                supplier_country,
                buyer,
                categories,
                from: t.from,
                to: t.to,
                observed: t.observed,
                lo,
                hi,
                new_builds: t.new_builds,
                surge: t.surge,
                role: t.role,
            });
        }
        Ok(Targets { list })
    }

    /// Whether any target needs the delivery log.
    pub fn need_deliveries(&self) -> bool {
        self.list.iter().any(|t| t.metric == Metric::DeliveredShare)
    }

    /// Evaluate every target on a run (its contract and delivery logs, in
    /// time order).
    pub fn evaluate(&self, w: &World, cs: &[Contract], ds: &[DeliveryRecord]) -> Vec<TargetResult> {
        self.list.iter().map(|t| t.evaluate(w, cs, ds)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario;
    use std::path::Path;

    fn toy_world() -> (Scenario, World) {
        let l = scenario::load(Path::new("scenarios/toy.toml"), &[]).unwrap();
        let w = World::from_scenario(&l.scenario).unwrap();
        (l.scenario, w)
    }

    fn idx<T>(v: &[T], f: impl Fn(&T) -> bool) -> usize {
        v.iter().position(f).unwrap()
    }

    /// A contract signed in quarter index `t` (toy starts 2014Q1).
    #[allow(clippy::too_many_arguments)]
    fn contract(
        w: &World,
        t: usize,
        buyer: &str,
        line: &str,
        units: u32,
        price: f64,
        lead_first: f64,
        first_delivery: Option<usize>,
    ) -> Contract {
        let l = idx(&w.lines, |x| x.id == line);
        Contract {
            id: 0,
            signed: t,
            buyer: idx(&w.buyers, |b| b.id == buyer),
            line: l,
            supplier: w.lines[l].supplier,
            category: w.lines[l].category,
            units,
            unit_price: price,
            value: price * f64::from(units),
            credit: 0.0,
            diverted: 0,
            lead_first,
            lead_mean: lead_first,
            promised: 0..0,
            promised_due: Default::default(),
            delivered: 0,
            first_delivery,
            executive: false,
        }
    }

    /// The hand-made log: (quarter index, buyer, line, units, price, lead, first delivery).
    /// `units` of contract `contract` delivered in quarter `t`.
    fn delivered(t: usize, contract: u32, units: u32) -> DeliveryRecord {
        DeliveryRecord { t, contract, units }
    }

    fn log(w: &World) -> Vec<Contract> {
        vec![
            // 2014Q1: AAA buys 10 K2 at 9 (90), lead 2 q, delivered 2014Q3.
            contract(w, 0, "AAA", "k2", 10, 9.0, 2.0, Some(2)),
            // 2015Q2: BBB buys 20 Leopard 2 at 17 (340), lead 10, delivered 2017Q4.
            contract(w, 5, "BBB", "leopard2", 20, 17.0, 10.0, Some(15)),
            // 2022Q1: AAA buys 30 K9 at 5 (150), lead 1, not delivered.
            contract(w, 32, "AAA", "k9", 30, 5.0, 1.0, None),
            // 2022Q2: CCC buys 12 PzH 2000 at 9 (108), lead 8, delivered 2024 (never here).
            contract(w, 33, "CCC", "pzh2000", 12, 9.0, 8.0, None),
            // 2022Q3: BBB buys 10 K2 at 10 (100), lead 3, delivered 2023Q2.
            contract(w, 34, "BBB", "k2", 10, 10.0, 3.0, Some(37)),
        ]
    }

    fn target(w: &World, s: &Scenario, toml_text: &str) -> Target {
        let mut s = s.clone();
        s.groups.insert(
            "east_nato".into(),
            toml::from_str("buyers = [\"AAA\", \"BBB\"]\nnato_only = true").unwrap(),
        );
        s.targets.clear();
        s.targets
            .insert("t".into(), toml::from_str(toml_text).unwrap());
        Targets::compile(&s, w).unwrap().list.remove(0)
    }

    const ALL: &str = "pattern = \"P\"\nfrom = \"2014Q1\"\nto = \"2023Q4\"\nobserved = 1.0\ntolerance = { abs = 1.0 }\n";

    #[test]
    fn value_units_count_by_hand() {
        let (s, w) = toy_world();
        let cs = log(&w);
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"value\"\nsupplier_country = \"KOR\""),
        );
        assert_eq!(t.value(&w, &cs, &[]), 90.0 + 150.0 + 100.0);
        let t = target(&w, &s, &format!("{ALL}metric = \"units\"\nbuyer = \"AAA\""));
        assert_eq!(t.value(&w, &cs, &[]), 40.0);
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"count\"\ncategories = [\"spg\"]"),
        );
        assert_eq!(t.value(&w, &cs, &[]), 2.0);
        // Period: 2022 only; its last quarter is in it (the last of the
        // three contracts is signed in 2022Q3).
        for to in ["2022Q4", "2022Q3"] {
            let t = target(
                &w,
                &s,
                &format!(
                    "pattern = \"P\"\nmetric = \"value\"\nfrom = \"2022Q1\"\nto = \"{to}\"\nobserved = 0.0\ntolerance = {{ abs = 1.0 }}"
                ),
            );
            assert_eq!(t.value(&w, &cs, &[]), 150.0 + 108.0 + 100.0, "to {to}");
        }
    }

    #[test]
    fn a_sum_over_no_contracts_is_plus_zero() {
        let (s, w) = toy_world();
        let cs = log(&w);
        // BBB is a country with no supplier: nothing is in scope.
        for metric in ["value", "units", "count"] {
            let t = target(
                &w,
                &s,
                &format!("{ALL}metric = \"{metric}\"\nsupplier_country = \"BBB\""),
            );
            for log in [&cs[..], &[]] {
                let v = t.value(&w, log, &[]);
                assert_eq!(v.to_bits(), 0.0f64.to_bits(), "{metric}: {v}");
            }
        }
    }

    #[test]
    fn group_membership_respects_accession() {
        let (s, w) = toy_world();
        let cs = log(&w);
        // BBB joins in 2023Q2: its 2015 and 2022 buys are outside the
        // NATO-only group; AAA's are inside.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"value\"\ngroup = \"east_nato\""),
        );
        assert_eq!(t.value(&w, &cs, &[]), 90.0 + 150.0);
    }

    #[test]
    fn shares_by_hand() {
        let (s, w) = toy_world();
        let cs = log(&w);
        // Korea's share of all value 2014-2023: 340 / 788.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"share\"\nsupplier_country = \"KOR\""),
        );
        assert!((t.value(&w, &cs, &[]) - 340.0 / 788.0).abs() < 1e-12);
        // AAA's share of Korea's value: 240 / 340.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"buyer_share\"\nsupplier_country = \"KOR\"\nbuyer = \"AAA\""),
        );
        assert!((t.value(&w, &cs, &[]) - 240.0 / 340.0).abs() < 1e-12);
        // Empty scope: share 0.
        let t = target(
            &w,
            &s,
            &format!(
                "{ALL}metric = \"share\"\nsupplier_country = \"KOR\"\nbuyer = \"CCC\"\ncategories = [\"tank\"]"
            ),
        );
        assert_eq!(t.value(&w, &cs, &[]), 0.0);
    }

    #[test]
    fn leads_in_months_by_hand() {
        let (s, w) = toy_world();
        let cs = log(&w);
        // Korean promised leads 2, 1, 3 quarters: mean 2 quarters = 6 months.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"lead_promised\"\nsupplier_country = \"KOR\""),
        );
        assert!((t.value(&w, &cs, &[]) - 6.0).abs() < 1e-12);
        // Actual: delivered K2s after 2 and 3 quarters → 7.5 months; the
        // undelivered K9 contract is left out.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"lead_actual\"\nsupplier_country = \"KOR\""),
        );
        assert!((t.value(&w, &cs, &[]) - 7.5).abs() < 1e-12);
        // No contract in scope: undefined, failed, and without a distance.
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"lead_actual\"\nsupplier_country = \"USA\""),
        );
        let r = t.evaluate(&w, &cs, &[]);
        assert!(r.value.is_nan() && !r.pass && r.distance.is_nan());
    }

    /// `new_builds` leaves out stock and upgrade lines' contracts, on both
    /// sides of a share.
    #[test]
    fn new_builds_leave_out_stock_and_upgrades() {
        let (s, w) = toy_world();
        let cs = vec![
            // New Abrams: 10 at 12 (120), delivered after 8 quarters.
            contract(&w, 0, "AAA", "abrams", 10, 12.0, 8.0, Some(8)),
            // Used Abrams from stock: 20 at 6 (120), after 2 quarters.
            contract(&w, 1, "BBB", "used_abrams", 20, 6.0, 2.0, Some(3)),
            // Eastland's T-72 upgrade: 30 at 3 (90), after 4 quarters.
            contract(&w, 2, "AAA", "t72_upgrade", 30, 3.0, 4.0, Some(6)),
        ];
        let lead = |new_builds: bool| {
            target(
                &w,
                &s,
                &format!(
                    "{ALL}metric = \"lead_actual\"\nsupplier_country = \"USA\"\nnew_builds = {new_builds}"
                ),
            )
            .value(&w, &cs, &[])
        };
        // (8 + 2) quarters / 2 = 15 months; the new build alone 24.
        assert!((lead(false) - 15.0).abs() < 1e-12);
        assert!((lead(true) - 24.0).abs() < 1e-12);
        let share = |new_builds: bool| {
            target(
                &w,
                &s,
                &format!(
                    "{ALL}metric = \"share\"\nsupplier_country = \"USA\"\nnew_builds = {new_builds}"
                ),
            )
            .value(&w, &cs, &[])
        };
        // USA 240 of 330; of new builds, 120 of 120 (the upgrade is out of
        // the denominator too).
        assert!((share(false) - 240.0 / 330.0).abs() < 1e-12);
        assert!((share(true) - 1.0).abs() < 1e-12);
    }

    #[test]
    fn delivered_share_uses_unit_values_and_delivery_dates() {
        let (s, w) = toy_world();
        let cs = log(&w);
        let ds = [
            delivered(2, 0, 10),  // 2014: 10 K2
            delivered(15, 1, 20), // 2017: 20 Leopard 2
            delivered(37, 4, 4),  // 2023: 4 K2
        ];
        let k2 = w.lines[idx(&w.lines, |l| l.id == "k2")].tiv;
        let leo = w.lines[idx(&w.lines, |l| l.id == "leopard2")].tiv;
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"delivered_share\"\nsupplier_country = \"KOR\""),
        );
        let expect = 14.0 * k2 / (14.0 * k2 + 20.0 * leo);
        assert!((t.value(&w, &cs, &ds) - expect).abs() < 1e-12);
        // Window 2019-2023: only the 4 K2.
        let t = target(
            &w,
            &s,
            "pattern = \"P6\"\nmetric = \"delivered_share\"\nsupplier_country = \"KOR\"\nfrom = \"2019Q1\"\nto = \"2023Q4\"\nobserved = 1.0\ntolerance = { abs = 0.1 }",
        );
        assert_eq!(t.value(&w, &cs, &ds), 1.0);
    }

    #[test]
    fn tolerance_intervals_and_distances() {
        use crate::scenario::schema::Tolerance;
        let abs = Tolerance {
            abs: Some(2.0),
            ..Default::default()
        };
        let rel = Tolerance {
            rel: Some(0.5),
            ..Default::default()
        };
        let range = Tolerance {
            range: Some([1.0, 9.0]),
            ..Default::default()
        };
        assert_eq!(interval(10.0, &abs), (8.0, 12.0));
        assert_eq!(interval(10.0, &rel), (5.0, 15.0));
        assert_eq!(interval(3.0, &range), (1.0, 9.0));
        // Asymmetric range around 3: above, 6 wide; below, 2 wide.
        assert_eq!(distance(6.0, 3.0, 1.0, 9.0), 0.5);
        assert_eq!(distance(2.0, 3.0, 1.0, 9.0), 0.5);
        assert_eq!(distance(0.0, 3.0, 1.0, 9.0), 1.5);
        assert_eq!(distance(1e9, 3.0, 1.0, 9.0), (1e9 - 3.0) / 6.0);
        assert!(distance(f64::NAN, 3.0, 1.0, 9.0).is_nan());
        // Observed on the range's edge.
        assert_eq!(distance(0.5, 0.0, 0.0, 1.0), 0.5);
        assert_eq!(distance(-0.5, 0.0, 0.0, 1.0), 1.5);
    }

    /// A value on either end of the accepted interval passes, at distance
    /// exactly 1: observed 1 ± 1 is [0, 2]; no contract of BBB's industry
    /// counts 0, and the two SPG contracts count 2.
    #[test]
    fn a_value_on_either_end_of_the_interval_passes_at_distance_one() {
        let (s, w) = toy_world();
        let cs = log(&w);
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"count\"\nsupplier_country = \"BBB\""),
        );
        let r = t.evaluate(&w, &cs, &[]);
        assert_eq!((r.value, r.pass, r.distance), (0.0, true, 1.0));
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"count\"\ncategories = [\"spg\"]"),
        );
        let r = t.evaluate(&w, &cs, &[]);
        assert_eq!((r.value, r.pass, r.distance), (2.0, true, 1.0));
    }

    /// A relative tolerance is a share of the observed value's size,
    /// whatever its sign: −10 ± 50 % is [−15, −5], lo below hi.
    #[test]
    fn a_relative_tolerance_of_a_negative_value_keeps_lo_below_hi() {
        use crate::scenario::schema::Tolerance;
        let rel = Tolerance {
            rel: Some(0.5),
            ..Default::default()
        };
        assert_eq!(interval(-10.0, &rel), (-15.0, -5.0));
    }

    /// SIPRI counts transfers between states: CCC's PzH 2000 from its own
    /// industry (german_land is of CCC) are no import, so of the K2 to AAA
    /// and those, Korea's share of deliveries is 1.
    #[test]
    fn deliveries_from_a_buyers_own_industry_are_not_imports() {
        let (s, w) = toy_world();
        let cs = log(&w);
        let ds = [
            delivered(2, 0, 10),  // 2014: 10 K2 to AAA
            delivered(38, 3, 12), // 2023: 12 PzH 2000 to CCC, from CCC
        ];
        let t = target(
            &w,
            &s,
            &format!("{ALL}metric = \"delivered_share\"\nsupplier_country = \"KOR\""),
        );
        assert_eq!(t.value(&w, &cs, &ds), 1.0);
    }
}

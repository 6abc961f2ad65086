//! What changes during a run: fleets, commitments, beliefs, queues, cash,
//! credit, and the contract log.

use crate::model::beliefs::{Belief, Beliefs};
use crate::model::fleet::{FleetState, Pool, life_rate};
use crate::model::production::{LineState, Owner, Schedule, UnitsDue};
pub use crate::model::stage::Stage;
use crate::model::world::World;

/// A buyer's changing state.
#[derive(Debug, Clone, Default)]
pub struct BuyerState {
    /// Fleet by category index.
    pub fleet: Vec<FleetState>,
    /// Units ordered and not yet delivered, by category index.
    pub on_order: Vec<u32>,
    /// Capability those units will add, by category index.
    pub on_order_capability: Vec<f64>,
    /// Requirement above the start fleet at rest, by category index: the
    /// need a buyer already had at the start (the warm-up; see
    /// [`crate::model::schedule::warm_up`]).
    pub requirement_offset: Vec<f64>,
    /// Committed, unpaid value, US$ m: a contract's whole value, its
    /// credited part included (credit widens the headroom of its own offer
    /// only), paid off pro rata as units are delivered.
    pub outstanding: f64,
    /// Procurement stage by category index.
    pub stage: Vec<Stage>,
}

/// A supplier's changing state.
#[derive(Debug, Clone, Default)]
pub struct SupplierState {
    /// Cash, US$ m.
    pub cash: f64,
    /// Marketing stock by buyer index.
    pub marketing: Vec<f64>,
    /// Cash earned from deliveries so far (margin × value).
    pub earned: f64,
    /// Cash spent on investment so far.
    pub invested: f64,
    /// Value delivered since the last yearly investment, US$ m (what the
    /// development rule spends a share of).
    pub revenue: f64,
}

/// A supplier country's export-credit book.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CreditState {
    /// Current cap, US$ m.
    pub cap: f64,
    /// Outstanding credit, US$ m.
    pub outstanding: f64,
}

impl CreditState {
    /// Credit still available under the cap.
    pub fn room(&self) -> f64 {
        (self.cap - self.outstanding).max(0.0)
    }
}

/// A signed contract.
#[derive(Debug, Clone)]
pub struct Contract {
    /// Index in the contract log.
    pub id: u32,
    /// Quarter index of signing.
    pub signed: usize,
    /// Buyer index.
    pub buyer: usize,
    /// Line index.
    pub line: usize,
    /// Supplier index.
    pub supplier: usize,
    /// Category index.
    pub category: usize,
    /// Units ordered.
    pub units: u32,
    /// Price per unit, US$ m.
    pub unit_price: f64,
    /// Value, US$ m.
    pub value: f64,
    /// Export credit financing part of the value, US$ m.
    pub credit: f64,
    /// Units taken from the home government's production.
    pub diverted: u32,
    /// Promised quarters to first delivery.
    pub lead_first: f64,
    /// Promised mean quarters to delivery.
    pub lead_mean: f64,
    /// Where its promised schedule lies in [`State::promised`]
    /// (`start..end`): one buffer for every contract of a run, so that
    /// signing allocates nothing.
    pub promised: std::ops::Range<u32>,
    /// Units of its promised schedule due by the quarter of its latest
    /// delivery, counted on as deliveries come (see [`State::promised_by_and_before`]).
    pub promised_due: UnitsDue,
    /// Units delivered so far.
    pub delivered: u32,
    /// Quarter index of the first delivery.
    pub first_delivery: Option<usize>,
    /// Signed under a framework agreement (an executive contract).
    pub executive: bool,
}

/// A programme in flight: units delivered so far.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct ProgrammeState {
    /// Units delivered.
    pub delivered: u32,
    /// Value still owed, US$ m.
    pub owed: f64,
}

/// Per-line bookkeeping for the conservation check.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineLedger {
    /// Units ever ordered (contracts, home orders, initial backlog).
    pub ordered: u64,
    /// Units ever delivered.
    pub delivered: u64,
}

/// The whole changing state of a run.
#[derive(Debug, Clone)]
pub struct State {
    /// Current quarter index.
    pub t: usize,
    /// Buyers.
    pub buyers: Vec<BuyerState>,
    /// Suppliers.
    pub suppliers: Vec<SupplierState>,
    /// Lines.
    pub lines: Vec<LineState>,
    /// Unit ledgers by line.
    pub ledgers: Vec<LineLedger>,
    /// Export credit by country index.
    pub credit: Vec<CreditState>,
    /// Reliability beliefs of every buyer about every supplier.
    pub beliefs: Beliefs,
    /// Affinity, `[buyer * n_countries + country]`.
    pub affinity: Vec<f64>,
    /// Contract log.
    pub contracts: Vec<Contract>,
    /// The promised schedules of the contract log, end to end.
    pub promised: Schedule,
    /// Programmes in flight, as in [`World::programmes`].
    pub programmes: Vec<ProgrammeState>,
    /// Fleets summed by region and category, `[region * n_categories +
    /// category]`, for the quarter in `region_stamp` ([`State::region_sums`]).
    pub region_totals: Vec<u32>,
    /// The quarter each region and category was last summed in
    /// (`usize::MAX`: not this quarter).
    pub region_stamp: Vec<usize>,
    /// Modern units summed by region, category and family,
    /// `[(region * n_categories + category) * n_families + family]`.
    pub region_families: Vec<u32>,
}

/// Access raised from `base` by marketing whose stock has decayed to
/// `decay` (`exp(−stock)`): `1 − (1 − base) · decay`, and 1 from a base of
/// 1 whatever the stock (a stock of −800 gave 0 · exp(800), NaN, which
/// took the firm out of every tender and `access` to 0).
#[inline(always)]
fn marketed(base: f64, decay: f64) -> f64 {
    if base >= 1.0 {
        1.0
    } else {
        1.0 - (1.0 - base) * decay
    }
}

/// Access from the base access `base` ([`State::base_access`]) and the
/// marketing stock `stock`, `exp(−stock)` taken from `decay`: 1 at home,
/// `base` where there is no stock, else `1 − (1 − base) · exp(−stock)`,
/// at least 0: a probability, which a negative stock (an `access` event
/// with a negative amount) lowers toward 0, not below it (the formula gave
/// −0.9 for a stock of −1 and −inf for −711, which the suppliers table
/// wrote; no decision changes, as no draw is below 0).
/// The one rule of [`State::access`], for callers that keep the base.
#[inline(always)]
pub fn access_from(base: Option<f64>, stock: f64, decay: impl FnOnce(f64) -> f64) -> f64 {
    let Some(base) = base else {
        return 1.0;
    };
    // Most firms market in few places: skip exp where there is none.
    if stock == 0.0 {
        base
    } else {
        marketed(base, decay(stock)).max(0.0)
    }
}

impl State {
    /// The promised schedule of contract `c`.
    pub fn promised(&self, c: &Contract) -> &[(usize, u32)] {
        &self.promised[c.promised.start as usize..c.promised.end as usize]
    }

    /// Units contract `id` promised by quarter index `t` (cumulative), and
    /// of them those promised before `t`: what a delivery in `t` must
    /// find already delivered to bring nothing late. Counts on from the
    /// previous call for the contract, so `t` must not decrease from one
    /// call to the next (deliveries come in time order; debug builds check
    /// that it falls before no quarter already counted); asked twice in a
    /// quarter (two deliveries of one contract), it gives the same.
    pub fn promised_by_and_before(&mut self, id: u32, t: usize) -> (u32, u32) {
        let c = &mut self.contracts[id as usize];
        let schedule = &self.promised[c.promised.start as usize..c.promised.end as usize];
        c.promised_due.by_and_before(schedule, t)
    }

    /// Probability that supplier `j` enters buyer `b`'s consideration set:
    /// 1 at home; else a sourced base where one is given, or the market's
    /// base plus the incumbency bonus where the buyer operates a family the
    /// firm makes; then raised by the marketing stock,
    /// `1 − (1 − base) · exp(−stock)`. Computed when a tender needs it.
    pub fn access(&self, w: &World, j: usize, b: usize) -> f64 {
        self.access_with(w, j, b, |stock| libm::exp(-stock))
    }

    /// [`State::access`] with `exp(−stock)` from `decay`, given the
    /// (non-zero) stock: a caller that keeps it from one quarter to the
    /// next (the suppliers table) need not compute it again while the
    /// stock stands still.
    pub fn access_with(
        &self,
        w: &World,
        j: usize,
        b: usize,
        decay: impl FnOnce(f64) -> f64,
    ) -> f64 {
        access_from(
            self.base_access(w, j, b),
            self.suppliers[j].marketing[b],
            decay,
        )
    }

    /// Whether supplier `j` enters buyer `b`'s consideration set for a
    /// uniform draw from `draw`: its [`State::access`] is 1 or more, or
    /// the draw is below it. The same answer, computing `exp` only for the
    /// draws that need it. Inlined into the tender's loop over lines,
    /// which asks it for each firm with something to offer.
    #[inline(always)]
    pub fn considers(&self, w: &World, j: usize, b: usize, draw: impl FnOnce() -> f64) -> bool {
        let Some(base) = self.base_access(w, j, b) else {
            return true;
        };
        let stock = self.suppliers[j].marketing[b];
        if stock == 0.0 {
            return base >= 1.0 || draw() < base;
        }
        let u = draw();
        // A positive stock's exp(−stock) is at most 1, and each float step
        // of `marketed` is monotone in it: the access is at least
        // `marketed(base, 1.0)`, and a draw below that is in whatever the
        // exponential.
        if stock > 0.0 && u < marketed(base, 1.0) {
            debug_assert!(u < self.access(w, j, b));
            return true;
        }
        let a = marketed(base, libm::exp(-stock));
        a >= 1.0 || u < a
    }

    /// The access of supplier `j` to buyer `b` before marketing (`None`
    /// at home, where it is 1): the sourced access where one is given,
    /// else the market's base, plus the incumbency bonus where the
    /// mechanism is on and the buyer operates a family the firm makes.
    /// Within a run it changes only when such a family enters or leaves
    /// the buyer's fleets, so a caller may keep it (the suppliers table)
    /// and raise it with [`access_from`]. Inlined into its callers, the
    /// tender's consideration among them.
    #[inline(always)]
    pub fn base_access(&self, w: &World, j: usize, b: usize) -> Option<f64> {
        let sup = &w.suppliers[j];
        if w.buyers[b].country == sup.country {
            return None;
        }
        Some(if let Some(a) = sup.access[b] {
            a
        } else if w.mechanisms.market_access && self.operates(w, b, j) {
            (w.market.access_base + w.market.access_incumbent).min(1.0)
        } else {
            w.market.access_base
        })
    }

    /// Whether buyer `b` has units of a family that supplier `j` makes
    /// (inlined into [`State::access`], which asks it in every tender).
    #[inline]
    pub fn operates(&self, w: &World, b: usize, j: usize) -> bool {
        let fleet = &self.buyers[b].fleet;
        w.suppliers[j]
            .makes
            .iter()
            .any(|&(c, f)| fleet[c].has_family(f))
    }

    /// Sum the fleets of region `r` in category `c` for quarter `t`,
    /// unless done already this quarter (only categories with a tender need
    /// them, and fleets do not change while tenders run).
    pub fn region_sums(&mut self, w: &World, r: usize, c: usize, t: usize) {
        let nc = w.categories.len();
        let nf = w.families.len();
        let rc = r * nc + c;
        if self.region_stamp[rc] == t {
            return;
        }
        self.region_stamp[rc] = t;
        // Summed into the region's own row, indexed by family alone.
        let families = &mut self.region_families[rc * nf..(rc + 1) * nf];
        families.fill(0);
        let mut total = 0;
        for &b in &w.buyers_by_region[r] {
            let f = &self.buyers[b].fleet[c];
            total += f.total();
            for co in f.cohorts() {
                if let Some(fam) = co.family {
                    families[fam] += co.units;
                }
            }
        }
        self.region_totals[rc] = total;
    }

    /// Units of family `f` in category `c` across region `r`.
    pub fn region_family(&self, w: &World, r: usize, c: usize, f: usize) -> u32 {
        self.region_families[(r * w.categories.len() + c) * w.families.len() + f]
    }

    /// The state in the first quarter: start fleets, programmes in flight
    /// queued on their lines in order of signing (before the home
    /// governments' backlog), and category reviews spread over the first
    /// year by the warm-up (each buyer's categories in turn), or all due at
    /// once without it.
    pub fn new(w: &World) -> State {
        let mut s = State {
            t: 0,
            buyers: Vec::new(),
            suppliers: Vec::new(),
            lines: Vec::new(),
            ledgers: Vec::new(),
            credit: Vec::new(),
            beliefs: Beliefs::new(Belief::new(1.0, 1.0), 0.0, 0, 0),
            affinity: Vec::new(),
            contracts: Vec::new(),
            promised: Vec::new(),
            programmes: Vec::new(),
            region_totals: Vec::new(),
            region_stamp: Vec::new(),
            region_families: Vec::new(),
        };
        s.reset(w);
        s
    }

    /// Make this the state in the first quarter of `w` (as [`State::new`]
    /// builds it), keeping the buffers it has: a worker that runs many
    /// replications then allocates its state once.
    pub fn reset(&mut self, w: &World) {
        /// `v` as `n` copies of `x`, in its own buffer.
        fn refill<T: Clone>(v: &mut Vec<T>, n: usize, x: T) {
            v.clear();
            v.resize(n, x);
        }
        let nc = w.categories.len();
        self.t = 0;
        self.buyers.resize_with(w.buyers.len(), BuyerState::default);
        for (b, (buyer, bs)) in w.buyers.iter().zip(&mut self.buyers).enumerate() {
            bs.fleet.resize_with(nc, FleetState::default);
            for ((f, cat), fleet) in buyer.fleet.iter().zip(&w.categories).zip(&mut bs.fleet) {
                fleet.reset(
                    Pool::new(f.legacy, f.legacy_capability, f.legacy_rate),
                    f.legacy_family,
                    Pool::new(f.replaced, cat.replaced_capability, f.replaced_rate),
                );
                let rate = life_rate(cat.life_years);
                let fam: u32 = f.families.iter().map(|(_, n)| n).sum();
                fleet.add(None, 1.0, rate, f.units - f.legacy - fam);
                for &(family, n) in &f.families {
                    fleet.add(Some(family), 1.0, rate, n);
                }
            }
            refill(&mut bs.on_order, nc, 0);
            refill(&mut bs.on_order_capability, nc, 0.0);
            refill(&mut bs.requirement_offset, nc, 0.0);
            bs.outstanding = 0.0;
            bs.stage.clear();
            bs.stage.extend((0..nc).map(|c| Stage::Idle {
                review: if w.mechanisms.warmup {
                    (b * nc + c) % 4
                } else {
                    0
                },
            }));
        }
        self.suppliers
            .resize_with(w.suppliers.len(), SupplierState::default);
        for (sup, ss) in w.suppliers.iter().zip(&mut self.suppliers) {
            ss.cash = sup.cash;
            refill(&mut ss.marketing, w.buyers.len(), 0.0);
            ss.earned = 0.0;
            ss.invested = 0.0;
            ss.revenue = 0.0;
        }
        self.lines.resize_with(w.lines.len(), LineState::default);
        for (l, ls) in w.lines.iter().zip(&mut self.lines) {
            ls.reset(l.capacity, l.stock, l.interoperability, l.localisation);
        }
        refill(&mut self.ledgers, w.lines.len(), LineLedger::default());
        self.programmes.clear();
        for (p, prog) in w.programmes.iter().enumerate() {
            self.lines[prog.line].enqueue(Owner::Programme(p as u32), prog.units);
            self.ledgers[prog.line].ordered += u64::from(prog.units);
            let line = &w.lines[prog.line];
            let bs = &mut self.buyers[prog.buyer];
            bs.on_order[line.category] += prog.units;
            bs.on_order_capability[line.category] += f64::from(prog.units)
                * line.capability_gain(bs.fleet[line.category].legacy.capability);
            bs.outstanding += prog.value;
            if line.upgrades.is_some() {
                bs.fleet[line.category].reserve(prog.units);
            }
            self.programmes.push(ProgrammeState {
                delivered: 0,
                owed: prog.value,
            });
        }
        for (l, line) in w.lines.iter().enumerate() {
            self.lines[l].enqueue(Owner::Home, line.initial_backlog);
            self.ledgers[l].ordered += u64::from(line.initial_backlog);
        }
        self.credit.clear();
        self.credit.extend(w.countries.iter().map(|c| CreditState {
            cap: c.credit_cap,
            outstanding: 0.0,
        }));
        let prior = Belief::new(w.market.reliability_prior[0], w.market.reliability_prior[1]);
        self.beliefs.reset(
            prior,
            w.market.public_reputation,
            w.buyers.len(),
            w.suppliers.len(),
        );
        self.affinity.clone_from(&w.affinity);
        self.contracts.clear();
        self.promised.clear();
        let regions = w.regions.len() * nc;
        refill(&mut self.region_totals, regions, 0);
        refill(&mut self.region_stamp, regions, usize::MAX);
        refill(&mut self.region_families, regions * w.families.len(), 0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::testkit::{buyer, category, close, line, supplier, toy};

    /// A state that ran for years (contracts, deliveries, beliefs, cohorts,
    /// queues), reset for another world and then for its own, is field for
    /// field the state `new` builds: a worker's reused state carries
    /// nothing over from its last replication.
    #[test]
    fn a_reset_state_is_a_new_state() {
        use crate::model::draws::Draws;
        use crate::model::schedule::{NoObserver, Scratch, step};
        let w = toy(&[]);
        let mut s = State::new(&w);
        let (d, mut scratch) = (Draws::seeded_from(7), Scratch::default());
        for _ in 0..40 {
            step(&w, &mut s, &d, &mut NoObserver, &mut scratch);
        }
        assert!(!s.contracts.is_empty() && !s.promised.is_empty());
        let fresh = format!("{:?}", State::new(&w));
        assert_ne!(format!("{s:?}"), fresh, "the run changed the state");
        let other = toy(&["mechanisms.warmup=false", "buyers.BBB.fleet.spg.units=60"]);
        s.reset(&other);
        assert_eq!(format!("{s:?}"), format!("{:?}", State::new(&other)));
        s.reset(&w);
        assert_eq!(format!("{s:?}"), fresh);
    }

    /// Each contract's promised count, carried on from its deliveries in a
    /// run, agrees with a recount of its schedule from the start, and
    /// reaches its units once every quarter is in.
    #[test]
    fn promised_by_counts_on_from_the_deliveries() {
        use crate::model::draws::Draws;
        use crate::model::production::units_by;
        use crate::model::schedule::{NoObserver, Scratch, step};
        let w = toy(&[]);
        let mut s = State::new(&w);
        let (d, mut scratch) = (Draws::seeded_from(7), Scratch::default());
        for _ in 0..40 {
            step(&w, &mut s, &d, &mut NoObserver, &mut scratch);
        }
        assert!(
            s.contracts
                .iter()
                .any(|c| c.promised_due != UnitsDue::default()),
            "some deliveries counted"
        );
        for id in 0..s.contracts.len() as u32 {
            let recount = units_by(s.promised(&s.contracts[id as usize]), 40);
            assert_eq!(s.promised_by_and_before(id, 40).0, recount);
            assert_eq!(
                s.promised_by_and_before(id, usize::MAX).0,
                s.contracts[id as usize].units
            );
        }
    }

    #[test]
    fn programmes_in_flight_hold_their_place_and_their_debt() {
        let w = toy(&[]);
        let s = State::new(&w);
        let (bbb, spg, pzh) = (buyer(&w, "BBB"), category(&w, "spg"), line(&w, "pzh2000"));
        assert_eq!(s.buyers[bbb].on_order[spg], 12);
        assert!(close(s.buyers[bbb].on_order_capability[spg], 12.0));
        // 12 units at the list price of 9.0.
        assert!(close(s.buyers[bbb].outstanding, 108.0));
        assert_eq!(
            s.lines[pzh].waiting.front().unwrap().owner,
            Owner::Programme(0)
        );
        assert_eq!(s.ledgers[pzh].ordered, 12);
    }

    #[test]
    fn access_follows_one_rule_for_every_firm() {
        let w = toy(&[]);
        let s = State::new(&w);
        let (aaa, bbb, ccc) = (buyer(&w, "AAA"), buyer(&w, "BBB"), buyer(&w, "CCC"));
        let g = supplier(&w, "german_land");
        let k = supplier(&w, "korea_land");
        let us = supplier(&w, "us_stocks");
        let at = |s: &State, j: usize, b: usize| s.access(&w, j, b);
        // Toy: base 0.3, incumbency 0.4. AAA and BBB fly German families.
        assert!(close(at(&s, g, aaa), 0.7) && close(at(&s, g, bbb), 0.7));
        assert_eq!(at(&s, g, ccc), 1.0, "home market");
        assert!(close(at(&s, k, aaa), 0.3));
        assert!(close(at(&s, us, aaa), 0.3), "nobody operates abrams yet");
        // Without the mechanism: the base only.
        let w2 = toy(&["mechanisms.market_access=false"]);
        assert!(close(State::new(&w2).access(&w2, g, aaa), 0.3));
        // A sourced override replaces the rule for its pair.
        let w3 = toy(&["suppliers.korea_land.access={ buyers = { BBB = 0.9 } }"]);
        let s3 = State::new(&w3);
        assert!(close(s3.access(&w3, k, bbb), 0.9));
        assert!(close(s3.access(&w3, k, aaa), 0.3));
        // Marketing raises access: 1 − (1 − 0.3) · e^(−1).
        let mut s4 = State::new(&w);
        s4.suppliers[k].marketing[aaa] = 1.0;
        assert!(close(at(&s4, k, aaa), 1.0 - 0.7 * (-1.0f64).exp()));
        // A base of 1 is 1, and the firm considered, whatever the stock:
        // at −800, 0 · exp(800) is NaN, which left it out of every tender
        // while `access` said 1.
        let w5 = toy(&["market.access_base=1.0"]);
        let mut s5 = State::new(&w5);
        for stock in [-800.0, -1.0, 0.0, 2.0] {
            s5.suppliers[k].marketing[aaa] = stock;
            assert_eq!(s5.access(&w5, k, aaa), 1.0, "{stock}");
            assert!(s5.considers(&w5, k, aaa, || 0.999_999), "{stock}");
        }
    }

    /// An incumbent's access is capped at 1 (docs/ODD.md 7.7): with a base
    /// of 0.8 and the toy's incumbency bonus of 0.4, German Land's access
    /// to AAA, which flies Leopard 2s, is 1, not 1.2; Korea Land's, no
    /// incumbent there, is the base.
    #[test]
    fn an_incumbent_s_access_is_capped_at_one() {
        let w = toy(&["market.access_base=0.8"]);
        let s = State::new(&w);
        let aaa = buyer(&w, "AAA");
        let (g, k) = (supplier(&w, "german_land"), supplier(&w, "korea_land"));
        assert_eq!(s.access(&w, g, aaa), 1.0);
        assert_eq!(s.access(&w, k, aaa), 0.8);
    }

    /// A programme in flight on an upgrade line reserves the legacy units
    /// it will upgrade (docs/ODD.md 7.12), so no tender sells them again: 20 T-72
    /// upgrades for AAA reserve 20 of its 450 T-72s, leaving 430
    /// upgradable, and the state keeps its invariants.
    #[test]
    fn a_programme_on_an_upgrade_line_reserves_its_legacy_units() {
        let w = toy(&[
            "programmes.aaa_t72={ buyer = \"AAA\", supplier = \"aaa_works\", line = \"t72_upgrade\", signed = \"2013Q1\", units = 20, source = \"t\" }",
        ]);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let s = State::new(&w);
        assert_eq!(s.buyers[aaa].fleet[tank].reserved, 20);
        assert_eq!(s.buyers[aaa].fleet[tank].upgradable(), 430);
        crate::model::invariants::check(&w, &s).unwrap();
    }

    /// A caller that keeps a pair's base access gets the access the rule
    /// gives: 1 at home, the base without stock (no decay asked), else
    /// the base raised by the decay it passes.
    #[test]
    fn a_kept_base_access_raised_by_its_decay_is_the_access() {
        let w = toy(&[]);
        let mut s = State::new(&w);
        let (aaa, ccc) = (buyer(&w, "AAA"), buyer(&w, "CCC"));
        let (g, k) = (supplier(&w, "german_land"), supplier(&w, "korea_land"));
        let no_decay = |_: f64| -> f64 { panic!("no stock, no decay") };
        // Toy: base 0.3, incumbency 0.4; AAA flies German families, CCC is
        // Germany.
        assert_eq!(s.base_access(&w, g, ccc), None);
        assert!(close(s.base_access(&w, g, aaa).unwrap(), 0.7));
        assert_eq!(s.base_access(&w, k, aaa), Some(0.3));
        assert_eq!(access_from(None, 2.0, no_decay), 1.0);
        assert_eq!(access_from(Some(0.3), 0.0, no_decay), 0.3);
        // 1 − (1 − 0.3) · 0.5 = 0.65, the stock handed to the decay.
        let half = |stock: f64| {
            assert_eq!(stock, 2.0);
            0.5
        };
        assert!(close(access_from(Some(0.3), 2.0, half), 0.65));
        // Marketing moves the access, not the base.
        s.suppliers[k].marketing[aaa] = 1.0;
        assert_eq!(s.base_access(&w, k, aaa), Some(0.3));
        let kept = access_from(Some(0.3), 1.0, |stock| libm::exp(-stock));
        assert_eq!(kept.to_bits(), s.access(&w, k, aaa).to_bits());
        // A negative stock lowers the access to 0 at the least.
        let exp = |stock: f64| libm::exp(-stock);
        assert!(close(
            access_from(Some(0.3), -0.1, exp),
            1.0 - 0.7 * 0.1f64.exp()
        ));
        assert_eq!(access_from(Some(0.3), -1.0, exp), 0.0);
        assert_eq!(access_from(Some(0.3), -711.0, exp), 0.0);
        // A base of 1 is 1 whatever the stock: exp(800) is infinite, and
        // 0 · ∞ made access 0.
        assert_eq!(access_from(Some(1.0), -800.0, exp), 1.0);
        assert_eq!(access_from(Some(1.0), 2.0, exp), 1.0);
    }
}

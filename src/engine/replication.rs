//! One replication as a pure function of (world, seed, point, replication).

use crate::analysis::targets::{DeliveryRecord, TargetResult, Targets};
use crate::engine::seeding;
use crate::model::schedule::{Observer, Scratch, step};
use crate::model::state::{State, access_from};
use crate::model::tender::{self, TenderOutcome};
use crate::model::world::World;
use std::cell::Cell;

/// Which records a replication keeps (the summary is always kept).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Observe {
    /// The contract log.
    pub contracts: bool,
    /// Orders and deliveries per quarter × buyer × supplier × category.
    pub market: bool,
    /// Per line and quarter.
    pub suppliers: bool,
    /// Per buyer, category and quarter.
    pub buyers: bool,
}

impl Observe {
    /// Everything.
    pub fn all() -> Observe {
        Observe {
            contracts: true,
            market: true,
            suppliers: true,
            buyers: true,
        }
    }
    /// The summary only.
    pub fn summary_only() -> Observe {
        Observe::default()
    }
}

/// A contract as recorded at the end of the run.
#[derive(Debug, Clone, PartialEq)]
pub struct ContractRow {
    /// Quarter index of signing.
    pub signed: usize,
    /// Buyer index.
    pub buyer: usize,
    /// Supplier index.
    pub supplier: usize,
    /// Line index.
    pub line: usize,
    /// Category index.
    pub category: usize,
    /// Units.
    pub units: u32,
    /// Unit price, US$ m.
    pub unit_price: f64,
    /// Value, US$ m.
    pub value: f64,
    /// Export credit, US$ m.
    pub credit: f64,
    /// Units diverted from home production.
    pub diverted: u32,
    /// Promised quarters to first delivery.
    pub lead_first: f64,
    /// Promised mean quarters to delivery.
    pub lead_mean: f64,
    /// Quarter index of the actual first delivery.
    pub first_delivery: Option<usize>,
    /// Units delivered by the end of the run.
    pub delivered: u32,
    /// An executive contract under a framework agreement.
    pub executive: bool,
}

/// Activity of one buyer with one product line in a quarter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MarketRow {
    /// Quarter index.
    pub t: usize,
    /// Buyer index.
    pub buyer: usize,
    /// Supplier index (the line's).
    pub supplier: usize,
    /// Product line index.
    pub line: usize,
    /// Category index (the line's).
    pub category: usize,
    /// Units ordered.
    pub order_units: u32,
    /// Value ordered, US$ m.
    pub order_value: f64,
    /// Units delivered.
    pub delivered_units: u32,
    /// Value delivered, US$ m.
    pub delivered_value: f64,
}

/// A product line in a quarter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SupplierRow {
    /// Quarter index.
    pub t: usize,
    /// Line index.
    pub line: usize,
    /// Units started per quarter.
    pub capacity: f64,
    /// Capacity under construction.
    pub capacity_pending: f64,
    /// Units ordered and undelivered.
    pub backlog: u64,
    /// The supplier's cash, US$ m.
    pub cash: f64,
    /// Interoperability.
    pub interoperability: f64,
    /// Localisation ceiling.
    pub localisation: f64,
    /// Mean access probability over buyers.
    pub access: f64,
    /// Price quoted now, US$ m.
    pub price: f64,
}

/// A buyer's category in a quarter.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BuyerRow {
    /// Quarter index.
    pub t: usize,
    /// Buyer index.
    pub buyer: usize,
    /// Category index.
    pub category: usize,
    /// Committed unpaid value, US$ m.
    pub outstanding: f64,
    /// Gap in capability units (may be negative: a surplus).
    pub gap: f64,
    /// Units in service.
    pub fleet: u32,
    /// Of which legacy.
    pub legacy: u32,
    /// Units on order.
    pub on_order: u32,
}

/// Headline metrics of one run.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Contract value (US$ m) with the focus country's suppliers, by year
    /// from the run's first year.
    pub focus_value_by_year: Vec<f64>,
    /// All contract value, US$ m.
    pub total_value: f64,
    /// Focus-country contract value, US$ m.
    pub focus_value: f64,
    /// Number of contracts.
    pub contracts: u32,
    /// Number with the focus country.
    pub focus_contracts: u32,
    /// Mean promised first-delivery lead of focus contracts, quarters (NaN if none).
    pub focus_lead_first: f64,
    /// Same for all other contracts.
    pub other_lead_first: f64,
    /// Tenders decided (a contract, a deferral or no offer).
    pub tenders: u32,
    /// Tenders in which the buyer deferred.
    pub deferrals: u32,
    /// Tenders that drew no offer.
    pub no_offer: u32,
}

impl Summary {
    /// The focus country's share of all contract value (0 with no contracts).
    pub fn focus_share(&self) -> f64 {
        if self.total_value > 0.0 {
            self.focus_value / self.total_value
        } else {
            0.0
        }
    }
}

/// Everything one replication produced.
#[derive(Debug, Clone)]
pub struct RunRecord {
    /// Replication index.
    pub replication: u32,
    /// Contracts (if observed).
    pub contracts: Vec<ContractRow>,
    /// Market rows (if observed).
    pub market: Vec<MarketRow>,
    /// Supplier rows (if observed).
    pub suppliers: Vec<SupplierRow>,
    /// Buyer rows (if observed).
    pub buyers: Vec<BuyerRow>,
    /// Summary.
    pub summary: Summary,
    /// One result per target, in the targets' order.
    pub targets: Vec<TargetResult>,
}

struct Recorder {
    observe: Observe,
    keep_deliveries: bool,
    deliveries: Vec<DeliveryRecord>,
    market: Vec<MarketRow>,
    quarter_market: Vec<MarketRow>,
    /// Where each (buyer, line)'s row is in `quarter_market`, plus one
    /// (`[buyer * n_lines + line]`; 0: none this quarter): a quarter's
    /// contracts and deliveries find their row without a search.
    market_slots: Vec<u32>,
    /// The world's product lines, for `market_slots`.
    n_lines: usize,
    suppliers: Vec<SupplierRow>,
    buyers: Vec<BuyerRow>,
    /// Mean access of each supplier over buyers this quarter.
    access: Vec<f64>,
    /// Access of each (supplier, buyer), `[supplier * n_buyers + buyer]`,
    /// with the base access and `exp(−stock)` it was computed from. Access
    /// changes a few times a year (the yearly investment, an event, a
    /// family entering or leaving a fleet); the suppliers table asks every
    /// quarter.
    pairs: Vec<PairAccess>,
    /// The marketing stock each pair's access was computed from, kept
    /// apart from `pairs` so that a supplier's stocks compare with the
    /// state's as one straight run.
    stocks: Vec<f64>,
    /// The families in service of each fleet
    /// (`[buyer * n_categories + category]`) when access was last computed.
    families_seen: Vec<u64>,
    /// The families that entered or left any of each buyer's fleets
    /// since last quarter, one bit each (scratch; every bit when
    /// `families_untracked`).
    families_flipped: Vec<u64>,
    /// The buyers with a family flipped (scratch): most quarters one or
    /// two.
    buyers_changed: Vec<usize>,
    /// The families each supplier makes, one bit each (every bit when
    /// `families_untracked`): a fleet's change moves the firm's access
    /// only through these (incumbency).
    families_made: Vec<u64>,
    /// Whether a firm makes a family without a bit (64 or above): access
    /// asks only after the families firms make, which the world numbers
    /// first, so this takes a world with very many.
    families_untracked: bool,
    tally: Tally,
}

/// One (supplier, buyer) access, with its stock's `exp(−stock)` (0
/// where the stock is 0 and it is not needed: a change of fleet alone
/// does not compute it again) and its base access
/// ([`State::base_access`]: a move of stock alone does not compute it
/// again).
#[derive(Debug, Clone, Copy)]
struct PairAccess {
    decay: f64,
    base: Option<f64>,
    access: f64,
}

/// Counts of tender outcomes.
#[derive(Debug, Clone, Copy, Default)]
struct Tally {
    tenders: u32,
    deferrals: u32,
    no_offer: u32,
}

impl Recorder {
    /// A recorder of what `observe` asks for in a run of `w` (and of
    /// deliveries, with `keep_deliveries`, into `deliveries`: a buffer
    /// kept from an earlier run, emptied here).
    fn new(
        w: &World,
        observe: Observe,
        keep_deliveries: bool,
        mut deliveries: Vec<DeliveryRecord>,
    ) -> Recorder {
        deliveries.clear();
        // The per-quarter tables have a row per quarter and line (or buyer
        // and category): room for all of them at once, rather than growing
        // (and copying) them a dozen times a replication.
        fn rows<T>(on: bool, n: usize) -> Vec<T> {
            Vec::with_capacity(if on { n } else { 0 })
        }
        let per_quarter = |n: usize| w.n_quarters * n;
        // Only the suppliers table asks access: a run without it looks at
        // no firm's families here.
        let untracked = observe.suppliers
            && w.suppliers
                .iter()
                .any(|sup| sup.makes.iter().any(|&(_, f)| f >= 64));
        Recorder {
            observe,
            keep_deliveries,
            deliveries,
            market: Vec::new(),
            quarter_market: Vec::new(),
            market_slots: if observe.market {
                vec![0; w.buyers.len() * w.lines.len()]
            } else {
                Vec::new()
            },
            n_lines: w.lines.len(),
            suppliers: rows(observe.suppliers, per_quarter(w.lines.len())),
            buyers: rows(
                observe.buyers,
                per_quarter(w.buyers.len() * w.categories.len()),
            ),
            access: Vec::new(),
            pairs: Vec::new(),
            stocks: Vec::new(),
            families_seen: Vec::new(),
            families_flipped: Vec::new(),
            buyers_changed: Vec::new(),
            families_made: if observe.suppliers {
                w.suppliers
                    .iter()
                    .map(|sup| {
                        let made = |made: u64, &(_, f): &(usize, usize)| match f {
                            0..64 if !untracked => made | 1 << f,
                            _ => u64::MAX,
                        };
                        sup.makes.iter().fold(0, made)
                    })
                    .collect()
            } else {
                Vec::new()
            },
            families_untracked: untracked,
            tally: Tally::default(),
        }
    }

    /// Bring each supplier's mean access over buyers up to date. A
    /// (supplier, buyer) access is computed again only when its inputs
    /// that change in a run did: the supplier's marketing stock with the
    /// buyer, or the families it makes in the buyer's fleets (incumbency;
    /// any, when a firm makes a family not tracked by bit); the stock's
    /// `exp(−stock)` only when the stock changed, and the base access
    /// only when those families changed (the world stands still within a
    /// run: nothing else moves it). A supplier none of whose accesses
    /// changed keeps its mean (most quarters, most suppliers: a change of
    /// fleet seldom changes an access); the others sum their pairs in
    /// buyer order, as computing them all afresh would.
    fn refresh_access(&mut self, w: &World, s: &State) {
        let (nb, nc, ns) = (w.buyers.len(), w.categories.len(), w.suppliers.len());
        let untracked = self.families_untracked;
        // The first quarter has no base access to keep.
        let first = self.pairs.is_empty();
        // A NaN stock matches no stock and a NaN access no access: the
        // first quarter computes every pair, and every supplier's mean.
        let unseen = PairAccess {
            decay: 0.0,
            base: None,
            access: f64::NAN,
        };
        self.pairs.resize(ns * nb, unseen);
        self.stocks.resize(ns * nb, f64::NAN);
        self.access.resize(ns, f64::NAN);
        self.families_seen.resize(nb * nc, 0);
        self.families_flipped.clear();
        self.buyers_changed.clear();
        for (b, bs) in s.buyers.iter().enumerate() {
            let mut flipped = if untracked { u64::MAX } else { 0 };
            for (seen, f) in self.families_seen[b * nc..(b + 1) * nc]
                .iter_mut()
                .zip(&bs.fleet)
            {
                let now = f.families_below_64();
                flipped |= *seen ^ now;
                *seen = now;
            }
            self.families_flipped.push(flipped);
            if flipped != 0 {
                self.buyers_changed.push(b);
            }
        }
        for (j, sup) in s.suppliers.iter().enumerate() {
            let made = self.families_made[j];
            let pairs = &mut self.pairs[j * nb..(j + 1) * nb];
            let stocks = &mut self.stocks[j * nb..(j + 1) * nb];
            // Every stock is compared, without stopping at the first that
            // moved: the comparison then runs several stocks at a time.
            let moved = stocks
                .iter()
                .zip(&sup.marketing)
                .fold(false, |moved, (seen, now)| {
                    moved | (seen.to_bits() != now.to_bits())
                });
            let mut changed = false;
            let mut update = |b: usize, p: &mut PairAccess, stock: f64, rebase: bool| {
                if rebase {
                    p.base = s.base_access(w, j, b);
                } else {
                    debug_assert_eq!(
                        p.base.map(f64::to_bits),
                        s.base_access(w, j, b).map(f64::to_bits),
                        "no family {j} makes flipped in {b}'s fleets"
                    );
                }
                let decay = p.decay;
                let access = access_from(p.base, stock, |_| decay);
                debug_assert_eq!(
                    access.to_bits(),
                    s.access_with(w, j, b, |_| decay).to_bits(),
                    "the kept base and decay give {j}'s access to {b}"
                );
                changed |= access.to_bits() != p.access.to_bits();
                p.access = access;
            };
            if moved {
                for (b, ((p, seen), &stock)) in pairs
                    .iter_mut()
                    .zip(stocks.iter_mut())
                    .zip(&sup.marketing)
                    .enumerate()
                {
                    let marketed = seen.to_bits() != stock.to_bits();
                    if marketed {
                        *seen = stock;
                        p.decay = if stock == 0.0 { 0.0 } else { libm::exp(-stock) };
                    }
                    let rebase = first || self.families_flipped[b] & made != 0;
                    if marketed || rebase {
                        update(b, p, stock, rebase);
                    } else {
                        let decay = p.decay;
                        debug_assert_eq!(
                            s.access_with(w, j, b, |_| decay).to_bits(),
                            p.access.to_bits(),
                            "neither {j}'s stock with {b} nor its families there moved"
                        );
                    }
                }
            } else {
                for &b in &self.buyers_changed {
                    if self.families_flipped[b] & made != 0 {
                        update(b, &mut pairs[b], sup.marketing[b], true);
                    } else {
                        let decay = pairs[b].decay;
                        debug_assert_eq!(
                            s.access_with(w, j, b, |_| decay).to_bits(),
                            pairs[b].access.to_bits(),
                            "no family {j} makes flipped in {b}'s fleets"
                        );
                    }
                }
            }
            if changed {
                let sum = pairs.iter().fold(0.0, |sum, p| sum + p.access);
                self.access[j] = sum / nb as f64;
            }
        }
    }

    /// Quarter `t`'s row of contract `c`'s buyer and product line.
    fn market_entry(&mut self, t: usize, c: &crate::model::Contract) -> &mut MarketRow {
        let slot = &mut self.market_slots[c.buyer * self.n_lines + c.line];
        let i = match slot.checked_sub(1) {
            Some(i) => i as usize,
            None => {
                *slot = u32::try_from(self.quarter_market.len() + 1).expect("rows in a quarter");
                self.quarter_market.push(MarketRow {
                    t,
                    buyer: c.buyer,
                    supplier: c.supplier,
                    line: c.line,
                    category: c.category,
                    order_units: 0,
                    order_value: 0.0,
                    delivered_units: 0,
                    delivered_value: 0.0,
                });
                self.quarter_market.len() - 1
            }
        };
        &mut self.quarter_market[i]
    }
}

impl Observer for Recorder {
    fn contract(&mut self, _w: &World, s: &State, id: u32) {
        if self.observe.market {
            let c = &s.contracts[id as usize];
            let r = self.market_entry(c.signed, c);
            r.order_units += c.units;
            r.order_value += c.value;
        }
    }

    fn delivery(&mut self, _w: &World, s: &State, t: usize, id: u32, units: u32) {
        if self.keep_deliveries {
            self.deliveries.push(DeliveryRecord {
                t,
                contract: id,
                units,
            });
        }
        if self.observe.market {
            let c = &s.contracts[id as usize];
            let r = self.market_entry(t, c);
            r.delivered_units += units;
            r.delivered_value += c.unit_price * f64::from(units);
        }
    }

    fn tender(&mut self, _w: &World, _s: &State, _t: usize, outcome: TenderOutcome) {
        match outcome {
            TenderOutcome::Deferred => self.tally.deferrals += 1,
            TenderOutcome::NoOffer => self.tally.no_offer += 1,
            _ => {}
        }
        if matches!(
            outcome,
            TenderOutcome::Deferred | TenderOutcome::NoOffer | TenderOutcome::Contract(_)
        ) {
            self.tally.tenders += 1;
        }
    }

    fn quarter_end(&mut self, w: &World, s: &State, t: usize) {
        if self.observe.market {
            for r in &self.quarter_market {
                self.market_slots[r.buyer * self.n_lines + r.line] = 0;
            }
            // Each (buyer, line) has one row: no two keys are equal, so an
            // unstable sort gives the stable one's order.
            self.quarter_market
                .sort_unstable_by_key(|r| (r.buyer, r.supplier, r.category, r.line));
            self.market.append(&mut self.quarter_market);
        }
        if self.observe.suppliers {
            self.refresh_access(w, s);
            for (l, line) in w.lines.iter().enumerate() {
                let ls = &s.lines[l];
                let j = line.supplier;
                let access = self.access[j];
                self.suppliers.push(SupplierRow {
                    t,
                    line: l,
                    capacity: ls.capacity(),
                    capacity_pending: ls.capacity_with_pending() - ls.capacity(),
                    backlog: ls.backlog(),
                    cash: s.suppliers[j].cash,
                    interoperability: ls.interoperability,
                    localisation: ls.localisation,
                    access,
                    price: tender::price(w, s, l),
                });
            }
        }
        if self.observe.buyers {
            for (b, bs) in s.buyers.iter().enumerate() {
                for (c, f) in bs.fleet.iter().enumerate() {
                    self.buyers.push(BuyerRow {
                        t,
                        buyer: b,
                        category: c,
                        outstanding: bs.outstanding,
                        gap: tender::gap(w, s, t, b, c),
                        fleet: f.total(),
                        legacy: f.legacy.units,
                        on_order: bs.on_order[c],
                    });
                }
            }
        }
    }
}

fn mean(xs: impl Iterator<Item = f64>) -> f64 {
    let (mut n, mut sum) = (0u32, 0.0);
    for x in xs {
        n += 1;
        sum += x;
    }
    if n == 0 { f64::NAN } else { sum / f64::from(n) }
}

/// Headline metrics from a finished state.
fn summarise(w: &World, s: &State, tally: Tally) -> Summary {
    let first_year = w.start.year();
    let years = (w.quarter(w.n_quarters - 1).year() - first_year + 1) as usize;
    let mut by_year = vec![0.0; years];
    let is_focus = |c: &crate::model::Contract| w.suppliers[c.supplier].country == w.focus_country;
    let mut total = 0.0;
    let mut focus = 0.0;
    let mut n_focus = 0;
    for c in &s.contracts {
        total += c.value;
        if is_focus(c) {
            focus += c.value;
            n_focus += 1;
            by_year[(w.quarter(c.signed).year() - first_year) as usize] += c.value;
        }
    }
    Summary {
        focus_value_by_year: by_year,
        total_value: total,
        focus_value: focus,
        contracts: s.contracts.len() as u32,
        focus_contracts: n_focus,
        focus_lead_first: mean(
            s.contracts
                .iter()
                .filter(|c| is_focus(c))
                .map(|c| c.lead_first),
        ),
        other_lead_first: mean(
            s.contracts
                .iter()
                .filter(|c| !is_focus(c))
                .map(|c| c.lead_first),
        ),
        tenders: tally.tenders,
        deferrals: tally.deferrals,
        no_offer: tally.no_offer,
    }
}

/// What a thread keeps between its replications, so that the next one
/// takes none of it from the allocator afresh.
struct Workspace {
    state: State,
    scratch: Scratch,
    /// The deliveries the targets read (empty between replications).
    deliveries: Vec<DeliveryRecord>,
}

thread_local! {
    /// Each thread's workspace between its replications.
    static WORKSPACE: Cell<Option<Workspace>> = const { Cell::new(None) };
}

/// Run replication `replication` of point `point` under `seed`, keeping the
/// records `observe` asks for and evaluating `targets`.
pub fn run_replication(
    w: &World,
    targets: &Targets,
    seed: u64,
    point: u64,
    replication: u32,
    observe: Observe,
) -> RunRecord {
    run_with_check(w, targets, seed, point, replication, observe, |_, _| {})
}

/// As [`run_replication`], calling `check` on the state after every
/// quarter (tests use it for invariants).
pub fn run_with_check(
    w: &World,
    targets: &Targets,
    seed: u64,
    point: u64,
    replication: u32,
    observe: Observe,
    mut check: impl FnMut(&World, &State),
) -> RunRecord {
    let draws = seeding::draws(seed, point, replication);
    // The thread's workspace from its last replication, reset in place: a
    // replication then allocates none of it afresh.
    let (mut state, mut scratch, deliveries) = match WORKSPACE.take() {
        Some(Workspace {
            mut state,
            scratch,
            deliveries,
        }) => {
            state.reset(w);
            (state, scratch, deliveries)
        }
        None => (State::new(w), Scratch::default(), Vec::new()),
    };
    crate::model::schedule::warm_up(w, &mut state, &draws);
    let mut rec = Recorder::new(w, observe, targets.need_deliveries(), deliveries);
    for _ in 0..w.n_quarters {
        step(w, &mut state, &draws, &mut rec, &mut scratch);
        check(w, &state);
    }
    let summary = summarise(w, &state, rec.tally);
    let target_results = targets.evaluate(w, &state.contracts, &rec.deliveries);
    let contracts = if observe.contracts {
        state
            .contracts
            .iter()
            .map(|c| ContractRow {
                signed: c.signed,
                buyer: c.buyer,
                supplier: c.supplier,
                line: c.line,
                category: c.category,
                units: c.units,
                unit_price: c.unit_price,
                value: c.value,
                credit: c.credit,
                diverted: c.diverted,
                lead_first: c.lead_first,
                lead_mean: c.lead_mean,
                first_delivery: c.first_delivery,
                delivered: c.delivered,
                executive: c.executive,
            })
            .collect()
    } else {
        Vec::new()
    };
    WORKSPACE.set(Some(Workspace {
        state,
        scratch,
        deliveries: std::mem::take(&mut rec.deliveries),
    }));
    RunRecord {
        replication,
        contracts,
        market: rec.market,
        suppliers: rec.suppliers,
        buyers: rec.buyers,
        summary,
        targets: target_results,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Targets;
    use crate::model::testkit::{category, line, supplier, toy};
    use crate::scenario;
    use std::path::Path;

    /// Run `w` under draws seeded from `seed` quarter by quarter, asserting
    /// after each that the recorder's access of every supplier is the mean
    /// over buyers of the rule computed afresh, to the bit; `each` sees
    /// the state after each quarter. The recorder, for its flags.
    fn check_access_every_quarter(w: &World, seed: u64, mut each: impl FnMut(&State)) -> Recorder {
        use crate::model::draws::Draws;
        let observe = Observe {
            suppliers: true,
            ..Observe::default()
        };
        let mut rec = Recorder::new(w, observe, false, Vec::new());
        let mut state = State::new(w);
        let (draws, mut scratch) = (Draws::seeded_from(seed), Scratch::default());
        crate::model::schedule::warm_up(w, &mut state, &draws);
        let nb = w.buyers.len() as f64;
        for _ in 0..w.n_quarters {
            step(w, &mut state, &draws, &mut rec, &mut scratch);
            for j in 0..w.suppliers.len() {
                let fresh = (0..w.buyers.len())
                    .map(|b| state.access(w, j, b))
                    .sum::<f64>()
                    / nb;
                assert_eq!(
                    rec.access[j].to_bits(),
                    fresh.to_bits(),
                    "{j} at {}: kept {} against {fresh} afresh",
                    state.t,
                    rec.access[j]
                );
            }
            each(&state);
        }
        rec
    }

    /// The recorder counts as a tender each decision that reached the
    /// market: a deferral, no offer, or a contract signed in competition;
    /// not a tender opened, an executive call-off or a quarter with
    /// nothing to do (docs/ODD.md 4, Observation: `tenders`). Of six
    /// outcomes, three tenders, one deferral and one without offers.
    #[test]
    fn the_recorder_counts_tenders_that_were_decided() {
        let w = toy(&[]);
        let s = State::new(&w);
        let mut rec = Recorder::new(&w, Observe::default(), false, Vec::new());
        for outcome in [
            TenderOutcome::Opened,
            TenderOutcome::NoOffer,
            TenderOutcome::Deferred,
            TenderOutcome::Contract(0),
            TenderOutcome::Executive(1),
            TenderOutcome::None,
        ] {
            rec.tender(&w, &s, 0, outcome);
        }
        let Tally {
            tenders,
            deferrals,
            no_offer,
        } = rec.tally;
        assert_eq!((tenders, deferrals, no_offer), (3, 1, 1));
    }

    /// The suppliers table's access, kept from quarter to quarter where
    /// its inputs did not change, is every quarter the mean of the rule
    /// over buyers computed afresh, to the bit: through marketing,
    /// deliveries of new families, donations and retirements of europe.
    #[test]
    fn the_suppliers_tables_access_is_the_rules_mean() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/europe.toml");
        let s = scenario::load(&path, &[]).unwrap().scenario;
        let w = World::from_scenario(&s).unwrap();
        check_access_every_quarter(&w, 3, |_| {});
    }

    /// The toy world behind two firms of 32 lines each, of families of
    /// their own, never offered (available only after the run; a firm
    /// may have at most 50 lines): the world numbers the families firms
    /// make first, in the order of the firms' ids, so theirs take 0 to 63
    /// and every family the toy's firms make is numbered 64 or above.
    fn toy_with_families_above_64() -> World {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/toy.toml");
        let (mut table, sources) = scenario::load_table(&path).unwrap();
        let sups = table["suppliers"].as_table_mut().unwrap();
        for firm in ["aa_filler_a", "aa_filler_b"] {
            let mut text = String::from(
                "name = \"Filler\"\ncountry = \"USA\"\ncash = 0.0\nmargin = 0.0\nmarkup = 0.0\n",
            );
            for i in 0..32 {
                text += &format!(
                    "[lines.{firm}_{i:02}]\ncategory = \"tank\"\nlist_price = 1.0\n\
                     quality = 0.5\ninteroperability = 0.5\nbase_lead = 1\ncapacity = 1.0\n\
                     reliability = 1.0\navailable_from = \"2099Q1\"\n"
                );
            }
            let filler: toml::Table = toml::from_str(&text).unwrap();
            sups.insert(firm.into(), filler.into());
        }
        World::from_scenario(&scenario::checked(table, &sources).unwrap()).unwrap()
    }

    /// The same where firms make families numbered 64 or above, which have
    /// no bit in a fleet's mask, so the recorder counts every fleet change
    /// for every firm. The run must see such a family enter or leave a
    /// fleet abroad and so move a firm's incumbency access, or the test
    /// could not fail (the toy, seed 3: abrams enters BBB's tanks in
    /// 2015Q3, k9 CCC's guns in 2017Q1, k2 and abrams AAA's tanks in
    /// 2018Q4).
    #[test]
    fn the_suppliers_tables_access_is_the_rules_mean_with_families_above_64() {
        let w = toy_with_families_above_64();
        let k2 = w.families.iter().position(|f| f == "k2").unwrap();
        let korea = supplier(&w, "korea_land");
        assert!(k2 >= 64, "k2 is family {k2}");
        assert!(
            w.suppliers[korea]
                .makes
                .contains(&(category(&w, "tank"), k2))
        );
        assert!(w.mechanisms.market_access && w.market.access_incumbent > 0.0);
        // Whether each buyer operates each (category, family) a firm makes.
        let operating = |s: &State| -> Vec<bool> {
            let fleets = s.buyers.iter().map(|b| &b.fleet);
            fleets
                .flat_map(|fleet| {
                    let made = w.suppliers.iter().flat_map(|sup| &sup.makes);
                    made.map(|&(c, f)| fleet[c].has_family(f))
                })
                .collect()
        };
        let n_made = w.suppliers.iter().map(|sup| sup.makes.len()).sum::<usize>();
        // (quarter, supplier, buyer, family) where the family entered or
        // left the buyer's fleets and with it the firm's incumbency there,
        // on which its access there depends: abroad, with no sourced
        // access.
        let mut moved = Vec::new();
        let mut before: Option<Vec<bool>> = None;
        let rec = check_access_every_quarter(&w, 3, |s| {
            let now = operating(s);
            if let Some(before) = &before {
                for b in 0..w.buyers.len() {
                    let mut from = b * n_made;
                    for (j, sup) in w.suppliers.iter().enumerate() {
                        let made = from..from + sup.makes.len();
                        from = made.end;
                        let (was, is) = (&before[made.clone()], &now[made]);
                        let abroad = sup.country != w.buyers[b].country;
                        let incumbency = |fleet: &[bool]| fleet.iter().any(|&on| on);
                        if incumbency(was) == incumbency(is) || !abroad || sup.access[b].is_some() {
                            continue;
                        }
                        for (k, &(_, f)) in sup.makes.iter().enumerate() {
                            if was[k] != is[k] {
                                moved.push((s.t - 1, j, b, f));
                            }
                        }
                    }
                }
            }
            before = Some(now);
        });
        assert!(rec.families_untracked);
        assert!(
            !moved.is_empty(),
            "no family entered or left a fleet abroad"
        );
        assert!(moved.iter().all(|&(.., f)| f >= 64), "{moved:?}");
    }

    /// Contracts of `reps` replications of `w` (no targets).
    fn contracts(w: &World, reps: u32) -> Vec<ContractRow> {
        let targets = Targets::default();
        (0..reps)
            .flat_map(|r| {
                let obs = Observe {
                    contracts: true,
                    ..Observe::default()
                };
                run_replication(w, &targets, 11, 0, r, obs).contracts
            })
            .collect()
    }

    /// Mean value won per replication by supplier `j` in category `c`.
    fn value_of(cs: &[ContractRow], j: usize, c: usize, reps: u32) -> (f64, f64) {
        let mut per = vec![0.0; reps as usize];
        let mut r = 0;
        let mut last_signed = 0;
        // Contracts come replication by replication in signing order.
        for x in cs {
            if x.signed < last_signed {
                r += 1;
            }
            last_signed = x.signed;
            if x.supplier == j && x.category == c {
                per[r] += x.value;
            }
        }
        let n = f64::from(reps);
        let m = per.iter().sum::<f64>() / n;
        let v = per.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        (m, (v / n).sqrt())
    }

    /// No supplier is special: give the Korean firm every parameter of the
    /// German one (country, cash, margins, lines) and the German firm the
    /// Korean one's, and what each wins swaps, up to noise.
    #[test]
    fn swapping_two_firms_parameters_swaps_their_outcomes() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/toy.toml");
        let (mut table, sources) = scenario::load_table(&path).unwrap();
        let sups = table["suppliers"].as_table_mut().unwrap();
        let k = sups.remove("korea_land").unwrap();
        let g = sups.remove("german_land").unwrap();
        sups.insert("korea_land".into(), g);
        sups.insert("german_land".into(), k);
        // The programme in flight follows its line.
        let prog = table["programmes"]["bbb_spg_2012"].as_table_mut().unwrap();
        prog.insert("supplier".into(), "korea_land".into());
        let swapped = World::from_scenario(&scenario::checked(table, &sources).unwrap()).unwrap();
        let w = toy(&[]);
        let reps = 300;
        let (a, b) = (contracts(&w, reps), contracts(&swapped, reps));
        for c in 0..w.categories.len() {
            let (kor, ger) = (supplier(&w, "korea_land"), supplier(&w, "german_land"));
            let (sk, sg) = (
                supplier(&swapped, "korea_land"),
                supplier(&swapped, "german_land"),
            );
            for (x, y) in [(kor, sg), (ger, sk)] {
                let (m1, e1) = value_of(&a, x, c, reps);
                let (m2, e2) = value_of(&b, y, c, reps);
                let z = (m1 - m2) / (e1 * e1 + e2 * e2).sqrt().max(1e-9);
                assert!(
                    z.abs() < 4.0,
                    "category {c}: {m1:.0} ± {e1:.0} vs {m2:.0} ± {e2:.0}"
                );
            }
        }
        // And the two firms do win different amounts, so the test can fail.
        let (m1, _) = value_of(&a, supplier(&w, "korea_land"), 0, reps);
        let (m2, _) = value_of(&a, supplier(&w, "german_land"), 0, reps);
        assert!((m1 - m2).abs() > 50.0, "{m1} vs {m2}");
    }

    /// Each switch, turned off on its own, removes its mechanism's effect
    /// from the runs, which it leaves with every switch on.
    #[test]
    fn switched_off_mechanisms_leave_no_trace() {
        let w = toy(&[]);
        let (used, up) = (line(&w, "used_abrams"), line(&w, "t72_upgrade"));
        let sold = |cs: &[ContractRow], l: usize| cs.iter().filter(|c| c.line == l).count();
        let diverted = |cs: &[ContractRow]| cs.iter().map(|c| c.diverted).sum::<u32>();
        let credit = |cs: &[ContractRow]| cs.iter().map(|c| c.credit).sum::<f64>();
        type Trace = Box<dyn Fn(&[ContractRow]) -> bool>;
        let traces: Vec<(&str, Trace)> = vec![
            ("second_hand", Box::new(move |cs| sold(cs, used) > 0)),
            ("upgrades", Box::new(move |cs| sold(cs, up) > 0)),
            ("diversion", Box::new(move |cs| diverted(cs) > 0)),
            ("export_credit", Box::new(move |cs| credit(cs) > 0.0)),
        ];
        let on = contracts(&w, 60);
        for (name, trace) in &traces {
            assert!(trace(&on), "{name} leaves a trace with every switch on");
            let off = contracts(&toy(&[&format!("mechanisms.{name}=false")]), 60);
            assert!(!trace(&off), "{name} off leaves its trace");
        }
        let instant = contracts(&toy(&["mechanisms.lot_splitting=false"]), 60);
        assert!(instant.len() < on.len(), "no split lots, fewer contracts");
    }

    /// Whether any quarter of 20 replications of `w` shows `seen`.
    fn ever(w: &World, seen: impl Fn(&World, &State) -> bool) -> bool {
        let mut any = false;
        for r in 0..20 {
            run_with_check(
                w,
                &Targets::default(),
                11,
                0,
                r,
                Observe::summary_only(),
                |w, s| any |= seen(w, s),
            );
        }
        any
    }

    /// Capacity investment and market access act while the market runs:
    /// off on its own, each leaves capacity at the start's and marketing
    /// at nothing; on, firms build capacity and market themselves abroad.
    #[test]
    fn investment_and_access_switches_act_while_the_market_runs() {
        let grown = |w: &World, s: &State| {
            w.lines
                .iter()
                .zip(&s.lines)
                .any(|(l, ls)| ls.capacity_with_pending() > l.capacity + 1e-9)
        };
        let marketed = |_: &World, s: &State| {
            s.suppliers
                .iter()
                .any(|ss| ss.marketing.iter().any(|&m| m > 0.0))
        };
        let on = toy(&[]);
        assert!(ever(&on, grown) && ever(&on, marketed));
        let no_investment = toy(&["mechanisms.capacity_investment=false"]);
        assert!(!ever(&no_investment, grown) && ever(&no_investment, marketed));
        let no_access = toy(&["mechanisms.market_access=false"]);
        assert!(ever(&no_access, grown) && !ever(&no_access, marketed));
    }
}

#[cfg(test)]
mod warmup_tests {
    use super::*;
    use crate::analysis::Targets;
    use crate::scenario;
    use std::path::Path;

    /// Contracts per year, mean over `reps` replications.
    fn per_year(w: &World, reps: u32) -> Vec<f64> {
        let years = w.n_quarters / 4;
        let mut n = vec![0.0; years];
        let obs = Observe {
            contracts: true,
            ..Observe::default()
        };
        for r in 0..reps {
            for c in run_replication(w, &Targets::default(), 3, 0, r, obs).contracts {
                n[c.signed / 4] += 1.0 / f64::from(reps);
            }
        }
        n
    }

    /// A world in motion at the start: with threat, budgets and
    /// requirements held at their 2010 values, the contracts signed in each
    /// of the first five years stay within the range of the later pre-war
    /// years (2015–2021), widened by 15 % (the start's slack budgets and
    /// short queues still make its first lots larger and fewer); without
    /// the warm-up the first year is nearly empty.
    #[test]
    fn the_first_years_sign_as_many_contracts_as_later_ones() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/europe.toml");
        let s = scenario::load(&path, &[]).unwrap().scenario;
        let w = World::from_scenario(&s).unwrap();
        let held = w.frozen_at_start(w.n_quarters);
        let n = per_year(&held, 200);
        let later = &n[5..12];
        let lo = later.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = later.iter().copied().fold(0.0, f64::max);
        for (y, v) in n[..5].iter().enumerate() {
            assert!(
                *v >= 0.85 * lo && *v <= 1.15 * hi,
                "year {}: {v:.1} outside 0.85 x {lo:.1} .. 1.15 x {hi:.1} ({n:.1?})",
                2010 + y
            );
        }
        // The world `mechanisms.warmup = false` compiles: no programmes
        // in flight (they are the warm-up's), every review due at once.
        let off = ["mechanisms.warmup=false".to_string()];
        let cold = World::from_scenario(&scenario::load(&path, &off).unwrap().scenario).unwrap();
        assert!(cold.programmes.is_empty());
        let n = per_year(&cold.frozen_at_start(cold.n_quarters), 50);
        assert!(
            n[0] < lo / 2.0,
            "without the warm-up the first year is quiet: {n:.1?}"
        );
    }
}

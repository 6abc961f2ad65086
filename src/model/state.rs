//! What changes during a run: fleets, commitments, beliefs, queues, cash,
//! credit, and the contract log.

use crate::model::beliefs::{Belief, Beliefs};
use crate::model::production::{LineState, Schedule};
use crate::model::world::World;

/// Retirement rates and carries are kept in millionths of a unit, in
/// integers: exact, and cheap in the quarterly loop.
pub const MICRO: u64 = 1_000_000;

/// Millionths of a unit for a rate in units.
pub fn to_micro(units: f64) -> u64 {
    (units.max(0.0) * MICRO as f64).round() as u64
}

/// A buyer's fleet of one category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetState {
    /// Legacy units still in service.
    pub legacy: u32,
    /// Modern units of no family offered in the market.
    pub other: u32,
    /// Modern units by family index (sorted by family).
    pub families: Vec<(usize, u32)>,
    /// Modern units in service (`other` + the families), kept in step.
    modern: u32,
    /// Legacy units retiring per quarter, in millionths (the starting
    /// legacy fleet spread over the category's `legacy_retire_years`).
    pub legacy_rate: u64,
    /// Share of modern units retiring per quarter, in millionths
    /// (`1 / (4 · life_years)`).
    pub modern_rate: u64,
    legacy_carry: u64,
    modern_carry: u64,
}

impl FleetState {
    /// A fleet with its retirement rates.
    pub fn new(
        legacy: u32,
        other: u32,
        families: Vec<(usize, u32)>,
        legacy_rate: u64,
        modern_rate: u64,
    ) -> FleetState {
        let modern = other + families.iter().map(|(_, n)| n).sum::<u32>();
        FleetState {
            legacy,
            other,
            families,
            modern,
            legacy_rate,
            modern_rate,
            legacy_carry: 0,
            modern_carry: 0,
        }
    }

    /// Units in service.
    pub fn total(&self) -> u32 {
        self.legacy + self.modern
    }

    /// Modern units in service.
    pub fn modern(&self) -> u32 {
        self.modern
    }

    /// Units of family `f`.
    pub fn of_family(&self, f: usize) -> u32 {
        self.families
            .iter()
            .find(|(g, _)| *g == f)
            .map_or(0, |(_, n)| *n)
    }

    /// Add delivered units of family `f`.
    pub fn add(&mut self, f: usize, n: u32) {
        match self.families.binary_search_by_key(&f, |(g, _)| *g) {
            Ok(i) => self.families[i].1 += n,
            Err(i) => self.families.insert(i, (f, n)),
        }
        self.modern += n;
    }

    /// Remove `n` modern units: those of no family first (the oldest), then
    /// from the largest family. Returns how many were removed.
    pub fn remove_modern(&mut self, n: u32) -> u32 {
        let from_other = n.min(self.other);
        self.other -= from_other;
        let mut left = n - from_other;
        while left > 0 {
            let Some(i) = (0..self.families.len())
                .filter(|&i| self.families[i].1 > 0)
                .max_by_key(|&i| (self.families[i].1, std::cmp::Reverse(i)))
            else {
                break;
            };
            let take = left.min(self.families[i].1);
            self.families[i].1 -= take;
            left -= take;
        }
        self.modern -= n - left;
        n - left
    }

    /// Retire units for one quarter: legacy units at their fixed rate,
    /// modern units at `modern_rate` of the modern fleet. Returns the units
    /// retired.
    pub fn age(&mut self) -> u32 {
        let mut retired = 0;
        if self.legacy > 0 {
            self.legacy_carry += self.legacy_rate;
            let n = ((self.legacy_carry / MICRO) as u32).min(self.legacy);
            self.legacy_carry %= MICRO;
            self.legacy -= n;
            retired += n;
        }
        if self.modern > 0 {
            self.modern_carry += u64::from(self.modern) * self.modern_rate;
            let n = (self.modern_carry / MICRO) as u32;
            self.modern_carry %= MICRO;
            if n > 0 {
                retired += self.remove_modern(n);
            }
        }
        retired
    }

    /// Donate `n` units, legacy first. Returns units given.
    pub fn donate(&mut self, n: u32) -> u32 {
        let legacy = n.min(self.legacy);
        self.legacy -= legacy;
        legacy + self.remove_modern(n - legacy)
    }
}

/// A buyer's changing state.
#[derive(Debug, Clone)]
pub struct BuyerState {
    /// Fleet by category index.
    pub fleet: Vec<FleetState>,
    /// Units ordered and not yet delivered, by category index.
    pub on_order: Vec<u32>,
    /// Committed, unpaid value net of export credit, US$ m.
    pub outstanding: f64,
    /// First quarter index a tender may open again, by category index
    /// (after a deferral or a contract).
    pub next_tender: Vec<usize>,
    /// Whether the remainder of a split lot awaits re-tender, by category.
    pub retender: Vec<bool>,
}

/// A supplier's changing state.
#[derive(Debug, Clone)]
pub struct SupplierState {
    /// Cash, US$ m.
    pub cash: f64,
    /// Marketing stock by buyer index.
    pub marketing: Vec<f64>,
    /// Cash earned from deliveries so far (margin × value).
    pub earned: f64,
    /// Cash spent on investment so far.
    pub invested: f64,
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
    /// Promised schedule.
    pub promised: Schedule,
    /// Units delivered so far.
    pub delivered: u32,
    /// Quarter index of the first delivery.
    pub first_delivery: Option<usize>,
}

impl Contract {
    /// Units promised by quarter index `t` (cumulative).
    pub fn promised_by(&self, t: usize) -> u32 {
        crate::model::production::units_by(&self.promised, t)
    }
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
    /// Access probability, `[supplier * n_buyers + buyer]`: a cache of
    /// `1 − (1 − base) · exp(−marketing stock)`, refreshed whenever a
    /// marketing stock changes.
    pub access: Vec<f64>,
    /// Contract log.
    pub contracts: Vec<Contract>,
    /// Fleets summed by region and category, `[region * n_categories +
    /// category]`; refreshed after ageing each quarter, before tenders
    /// (fleets do not change while tenders run).
    pub region_totals: Vec<u32>,
    /// Modern units summed by region, category and family,
    /// `[(region * n_categories + category) * n_families + family]`.
    pub region_families: Vec<u32>,
}

impl State {
    /// Recompute supplier `j`'s access to every buyer from its marketing
    /// stocks.
    pub fn refresh_access(&mut self, w: &World, j: usize) {
        let nb = w.buyers.len();
        for b in 0..nb {
            let base = w.suppliers[j].access[b];
            let stock = self.suppliers[j].marketing[b];
            // Most firms market in few places: skip exp where there is none.
            self.access[j * nb + b] = if stock == 0.0 {
                base
            } else {
                1.0 - (1.0 - base) * libm::exp(-stock)
            };
        }
    }

    /// Sum the fleets of each region and category.
    pub fn refresh_region_fleets(&mut self, w: &World) {
        let nc = w.categories.len();
        let nf = w.families.len();
        self.region_totals.fill(0);
        self.region_families.fill(0);
        for (b, buyer) in w.buyers.iter().enumerate() {
            for (c, f) in self.buyers[b].fleet.iter().enumerate() {
                let rc = buyer.region * nc + c;
                self.region_totals[rc] += f.total();
                for &(fam, n) in &f.families {
                    self.region_families[rc * nf + fam] += n;
                }
            }
        }
    }

    /// Units of family `f` in category `c` across region `r`.
    pub fn region_family(&self, w: &World, r: usize, c: usize, f: usize) -> u32 {
        self.region_families[(r * w.categories.len() + c) * w.families.len() + f]
    }

    /// The state in the first quarter.
    pub fn new(w: &World) -> State {
        let nc = w.categories.len();
        let buyers = w
            .buyers
            .iter()
            .map(|b| BuyerState {
                fleet: b
                    .fleet
                    .iter()
                    .zip(&w.categories)
                    .map(|(f, c)| {
                        let fam: u32 = f.families.iter().map(|(_, n)| n).sum();
                        FleetState::new(
                            f.legacy,
                            f.units - f.legacy - fam,
                            f.families.clone(),
                            to_micro(f64::from(f.legacy) / (4.0 * c.legacy_retire_years)),
                            to_micro(1.0 / (4.0 * c.life_years)),
                        )
                    })
                    .collect(),
                on_order: vec![0; nc],
                outstanding: 0.0,
                next_tender: vec![0; nc],
                retender: vec![false; nc],
            })
            .collect();
        let suppliers = w
            .suppliers
            .iter()
            .map(|s| SupplierState {
                cash: s.cash,
                marketing: vec![0.0; w.buyers.len()],
                earned: 0.0,
                invested: 0.0,
            })
            .collect();
        let lines = w
            .lines
            .iter()
            .map(|l| {
                LineState::new(
                    l.capacity,
                    l.initial_backlog,
                    l.interoperability,
                    l.localisation,
                )
            })
            .collect();
        let ledgers = w
            .lines
            .iter()
            .map(|l| LineLedger {
                ordered: u64::from(l.initial_backlog),
                delivered: 0,
            })
            .collect();
        let prior = Belief::new(w.market.reliability_prior[0], w.market.reliability_prior[1]);
        let access = w
            .suppliers
            .iter()
            .flat_map(|s| s.access.iter().copied())
            .collect();
        State {
            t: 0,
            access,
            buyers,
            suppliers,
            lines,
            ledgers,
            credit: w
                .countries
                .iter()
                .map(|c| CreditState {
                    cap: c.credit_cap,
                    outstanding: 0.0,
                })
                .collect(),
            beliefs: Beliefs::new(
                prior,
                w.market.public_reputation,
                w.buyers.len(),
                w.suppliers.len(),
            ),
            affinity: w.affinity.clone(),
            contracts: Vec::new(),
            region_totals: vec![0; w.regions.len() * nc],
            region_families: vec![0; w.regions.len() * nc * w.families.len()],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet() -> FleetState {
        // 2.5 legacy units a quarter; modern life 2 years (1/8 a quarter).
        FleetState::new(10, 3, vec![(0, 5), (2, 8)], 2_500_000, 125_000)
    }

    #[test]
    fn ageing_retires_legacy_at_rate_and_modern_by_life() {
        let mut f = fleet();
        assert_eq!(f.total(), 26);
        // Quarter 1: 2 legacy (carry .5); modern 16/(4*2) = 2 → from `other`.
        assert_eq!(f.age(), 4);
        assert_eq!((f.legacy, f.other), (8, 1));
        // Quarter 2: 3 legacy (carry 0); modern 14/8 = 1.75 → 1 from other.
        assert_eq!(f.age(), 4);
        assert_eq!((f.legacy, f.other), (5, 0));
        assert_eq!(f.total(), 18);
    }

    #[test]
    fn donation_takes_legacy_first_then_largest_family() {
        let mut f = fleet();
        assert_eq!(f.donate(15), 15);
        assert_eq!(f.legacy, 0);
        assert_eq!(f.other, 0);
        assert_eq!(f.of_family(2), 6);
        assert_eq!(f.of_family(0), 5);
        assert_eq!(f.donate(100), 11);
        assert_eq!(f.total(), 0);
    }

    #[test]
    fn deliveries_add_to_family() {
        let mut f = fleet();
        f.add(1, 4);
        f.add(2, 1);
        assert_eq!(f.families, vec![(0, 5), (1, 4), (2, 9)]);
        assert_eq!(f.modern(), 21);
        assert_eq!(f.total(), 31);
    }
}

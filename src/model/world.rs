//! The compiled world: a scenario turned into indexed, validated parameters
//! and the exogenous paths (threat, budgets) that do not depend on chance.
//!
//! Everything here is fixed for a run; what changes during a run lives in
//! [`crate::model::state`].

use crate::model::budget;
use crate::model::draws::id_key;
use crate::model::fleet::{life_rate, pool_rate};
use crate::model::mechanisms::{Class, Mechanisms};
use crate::model::threat;
use crate::model::time::Quarter;
use crate::scenario::schema::{
    self, Hypothesis, Procedure, Procedures, Scenario, WeightOverrides, Weights, YearSeries,
};

pub use crate::model::threat::Shock;
pub use crate::scenario::schema::SpendingMode;

/// A scenario that passed validation but still cannot be compiled (this
/// signals a gap in validation, so the message names the key).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct WorldError(pub String);

/// An equipment category.
#[derive(Debug, Clone)]
pub struct Category {
    /// Scenario id.
    pub id: String,
    /// Reference unit price, US$ m.
    pub ref_price: f64,
    /// Service life of modern units, years.
    pub life_years: f64,
    /// Years over which the starting legacy fleet retires.
    pub legacy_retire_years: f64,
    /// Smallest lot worth a tender.
    pub min_lot: u32,
    /// ρ: response of required force to threat.
    pub threat_response: f64,
    /// Capability of a legacy unit.
    pub legacy_capability: f64,
    /// Capability of a unit of replaced equipment.
    pub replaced_capability: f64,
    /// Key of its draws.
    pub key: u64,
}

/// A country: a buyer's own or a supplier's home.
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO3 code.
    pub id: String,
    /// Share of contract value covered by export credit.
    pub credit_share: f64,
    /// Cap on outstanding export credit at the start, US$ m.
    pub credit_cap: f64,
    /// Years over which export credit is repaid.
    pub credit_repayment_years: f64,
    /// EU membership: (first quarter, first quarter out).
    pub eu: Option<(Quarter, Option<Quarter>)>,
    /// Multiplier on its firms' market-development spending.
    pub export_ambition: f64,
}

impl Country {
    /// Whether the country is an EU member in quarter `q`.
    pub fn in_eu(&self, q: Quarter) -> bool {
        self.eu
            .is_some_and(|(from, until)| q >= from && until.is_none_or(|u| q < u))
    }
}

/// A buyer's starting fleet of one category.
#[derive(Debug, Clone, Default)]
pub struct FleetStart {
    /// Units in service.
    pub units: u32,
    /// Of which legacy.
    pub legacy: u32,
    /// Lineage of the legacy units.
    pub legacy_family: Option<usize>,
    /// Capability of a legacy unit.
    pub legacy_capability: f64,
    /// Legacy units retiring per quarter, millionths.
    pub legacy_rate: u64,
    /// Units of replaced equipment of another kind.
    pub replaced: u32,
    /// Replaced units retiring per quarter, millionths.
    pub replaced_rate: u64,
    /// Modern units by family index.
    pub families: Vec<(usize, u32)>,
    /// Required force at zero threat, capability units, as given.
    pub required: Option<f64>,
}

/// A buying state.
#[derive(Debug, Clone)]
pub struct Buyer {
    /// ISO3 code (also its country id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Region index.
    pub region: usize,
    /// Country index.
    pub country: usize,
    /// NATO accession quarter.
    pub nato_since: Option<Quarter>,
    /// Localisation demand (0..1).
    pub localisation_demand: f64,
    /// Resolved preference weights (mechanisms switched off have weight 0).
    pub weights: Weights,
    /// Starting fleet by category index.
    pub fleet: Vec<FleetStart>,
    /// Procedure from each quarter index on, in time order (the first
    /// entry is at 0).
    pub procedures: Vec<(usize, Procedure)>,
    /// Key of its draws.
    pub key: u64,
}

impl Buyer {
    /// The procedure in force at quarter index `t`.
    pub fn procedure_at(&self, t: usize) -> Procedure {
        self.procedures
            .iter()
            .rev()
            .find(|(from, _)| *from <= t)
            .map_or(Procedure::Competition, |(_, p)| *p)
    }
}

/// A supplier's capacity investment policy.
#[derive(Debug, Clone, Default)]
pub struct Investment {
    /// Whether the firm invests at all.
    pub enabled: bool,
    /// b*: backlog in years that triggers expansion.
    pub backlog_threshold: f64,
    /// Largest yearly expansion as a share of capacity.
    pub growth: f64,
    /// Quarters until new capacity produces.
    pub build_lag: u32,
    /// Cost of one unit/quarter of capacity.
    pub capex: f64,
}

/// A supplying firm.
#[derive(Debug, Clone, Default)]
pub struct Supplier {
    /// Scenario id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Home country index.
    pub country: usize,
    /// Starting cash, US$ m.
    pub cash: f64,
    /// Share of delivered value that becomes cash.
    pub margin: f64,
    /// μ.
    pub markup: f64,
    /// Sourced base access by buyer index, where a source gives one.
    pub access: Vec<Option<f64>>,
    /// Investment policy.
    pub invest: Investment,
    /// Line indices.
    pub lines: Vec<usize>,
    /// The (category, family) pairs its lines make, each once: whether a
    /// buyer operates its equipment asks only these.
    pub makes: Vec<(usize, usize)>,
    /// Key of its draws.
    pub key: u64,
}

/// A product line.
#[derive(Debug, Clone, Default)]
pub struct Line {
    /// Scenario id (unique within its supplier).
    pub id: String,
    /// Supplier index.
    pub supplier: usize,
    /// Category index.
    pub category: usize,
    /// Family index.
    pub family: usize,
    /// List price, US$ m.
    pub list_price: f64,
    /// Quality 0..1.
    pub quality: f64,
    /// Starting interoperability 0..1.
    pub interoperability: f64,
    /// Quarters from start of production to delivery.
    pub base_lead: u32,
    /// Units started per quarter at the start.
    pub capacity: f64,
    /// Probability a quarter's output is on time.
    pub reliability: f64,
    /// Share of a slipping quarter's output moved to the next quarter.
    pub slip_share: f64,
    /// Starting localisation ceiling.
    pub localisation: f64,
    /// First quarter offered (index into the run).
    pub available_from: usize,
    /// Home units queued at the start.
    pub initial_backlog: u32,
    /// Home orders per quarter, by quarter index.
    pub home_orders: Vec<f64>,
    /// Share of home units in production that may be diverted.
    pub divertible_share: f64,
    /// Value of a unit for delivered-value shares, US$ m.
    pub tiv: f64,
    /// Capability of a delivered unit.
    pub capability: f64,
    /// Share of delivered units retiring per quarter, millionths.
    pub life_rate: u64,
    /// An upgrade line: the legacy lineage (family index) it upgrades.
    pub upgrades: Option<usize>,
    /// A stock line: the units of its finite stock.
    pub stock: Option<u32>,
    /// Key of its draws.
    pub key: u64,
}

impl Line {
    /// Capability one unit adds to a fleet: its own, less the legacy unit
    /// it replaces if it is an upgrade.
    pub fn capability_gain(&self, legacy_capability: f64) -> f64 {
        if self.upgrades.is_some() {
            self.capability - legacy_capability
        } else {
            self.capability
        }
    }
}

/// A requirement decision: from quarter `t` on, buyer `buyer` requires
/// `change` more capability units of `category` at zero threat (fewer if
/// negative).
#[derive(Debug, Clone, Copy)]
pub struct Decision {
    /// Quarter index from which it holds.
    pub t: usize,
    /// Buyer index.
    pub buyer: usize,
    /// Category index.
    pub category: usize,
    /// Change in R⁰, capability units.
    pub change: f64,
}

/// What kind of exogenous event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Units of a category leave a buyer's fleet.
    Donation {
        /// Buyer index.
        buyer: usize,
        /// Category index.
        category: usize,
        /// Units.
        units: u32,
    },
    /// Suppliers gain marketing stock with some buyers.
    Access {
        /// Supplier indices.
        suppliers: Vec<usize>,
        /// Buyer indices.
        buyers: Vec<usize>,
        /// Stock added.
        amount: f64,
    },
    /// Affinity of some buyers toward a country rises.
    Affinity {
        /// Buyer indices.
        buyers: Vec<usize>,
        /// Country index.
        country: usize,
        /// Amount added.
        amount: f64,
    },
    /// A country's export-credit cap changes.
    CreditCap {
        /// Country index.
        country: usize,
        /// New cap, US$ m.
        cap: f64,
    },
}

/// A contract signed before the start, still being delivered.
#[derive(Debug, Clone)]
pub struct Programme {
    /// Scenario id.
    pub id: String,
    /// Buyer index.
    pub buyer: usize,
    /// Line index.
    pub line: usize,
    /// Quarter of signing (before the start).
    pub signed: Quarter,
    /// Units still to deliver at the start.
    pub units: u32,
    /// Value still owed at the start, US$ m.
    pub value: f64,
}

/// An exogenous event at a quarter index.
#[derive(Debug, Clone)]
pub struct Event {
    /// Scenario id.
    pub id: String,
    /// Quarter index in the run.
    pub t: usize,
    /// What happens.
    pub kind: EventKind,
}

/// Market-wide parameters, as in [`schema::Market`].
pub type MarketParams = schema::Market;

/// The compiled, immutable world of one scenario.
#[derive(Debug, Clone)]
pub struct World {
    /// First quarter.
    pub start: Quarter,
    /// Number of quarters simulated.
    pub n_quarters: usize,
    /// Market-wide parameters.
    pub market: MarketParams,
    /// Region ids.
    pub regions: Vec<String>,
    /// Shocks.
    pub shocks: Vec<Shock>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Countries: buyers first (same index as the buyer), then the others.
    pub countries: Vec<Country>,
    /// Platform family names.
    pub families: Vec<String>,
    /// Buyers.
    pub buyers: Vec<Buyer>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Product lines.
    pub lines: Vec<Line>,
    /// Line indices by category index.
    pub lines_by_category: Vec<Vec<usize>>,
    /// Buyer indices by region index, in buyer order.
    pub buyers_by_region: Vec<Vec<usize>>,
    /// Affinity at the start, `[buyer * n_countries + country]`.
    pub affinity: Vec<f64>,
    /// Events in time order (requirement decisions are folded into
    /// `required` and are not listed).
    pub events: Vec<Event>,
    /// Which mechanisms run.
    pub mechanisms: Mechanisms,
    /// Procedure durations.
    pub procedures: Procedures,
    /// Programmes in flight at the start, in order of signing.
    pub programmes: Vec<Programme>,
    /// Threat θ_i(t), `[t * n_buyers + buyer]`.
    pub threat: Vec<f64>,
    /// Annual equipment budget B_i(t), US$ m, `[t * n_buyers + buyer]`.
    pub budget: Vec<f64>,
    /// Required force R_ic(t) = R⁰_ic(t) · (1 + ρ_c θ_i(t)) in capability
    /// units, R⁰ including the requirement decisions in force at t,
    /// `[(t * n_buyers + buyer) * n_categories + category]`.
    pub required: Vec<f64>,
    /// The requirement decisions folded into `required`, in time order:
    /// kept so that a patched threat makes `required` again
    /// ([`World::patched`]).
    pub decisions: Vec<Decision>,
    /// Country index of the summary's focus country.
    pub focus_country: usize,
    /// The warm-up's recorded states of every buyer's procurement of every
    /// category, `[(buyer * n_categories + category) * SPINUP_RECORD +
    /// quarter]` ([`crate::model::schedule::SPINUP_RECORD`]): computed
    /// once per world ([`crate::model::schedule::start_states`]), or taken
    /// from the world patched into this one where their frozen worlds are
    /// the same ([`World::patched`]). Shared, so that a copy of the world
    /// does not copy them.
    pub start_states: std::sync::OnceLock<std::sync::Arc<[(crate::model::stage::Stage, f64)]>>,
    /// The quarter whose EU and NATO memberships hold in every quarter, in
    /// a world frozen at its start ([`World::frozen_at_start`]); `None`
    /// where memberships follow the calendar.
    pub memberships_at: Option<Quarter>,
}

/// Index of `id` among `ids`; `key` names it in the error (formatted only
/// on failure: sweeps compile a world for every point).
fn index_of(ids: &[String], id: &str, key: impl FnOnce() -> String) -> Result<usize, WorldError> {
    ids.iter()
        .position(|x| x == id)
        .ok_or_else(|| WorldError(format!("`{}` names `{id}`, which is not defined", key())))
}

/// Buyer `id`'s preference weights (in region `region`): the default,
/// then its region's overrides, then its own; a mechanism switched off in
/// `m` weighs 0.
fn buyer_weights(s: &Scenario, m: &Mechanisms, id: &str, region: &str) -> Weights {
    let mut weights = s.preferences.default;
    if let Some(o) = s.preferences.regions.get(region) {
        apply_overrides(&mut weights, o);
    }
    if let Some(o) = s.preferences.buyers.get(id) {
        apply_overrides(&mut weights, o);
    }
    let off = |on: bool, w: &mut f64| {
        if !on {
            *w = 0.0;
        }
    };
    off(m.domestic_preference, &mut weights.domestic);
    off(m.european_preference, &mut weights.european);
    off(m.affinity, &mut weights.affinity);
    off(m.commonality, &mut weights.commonality);
    off(m.localisation, &mut weights.offset);
    weights
}

/// Affinity at the start, `[buyer * n_countries + country]`: `default`
/// first, then per buyer.
fn affinity_matrix(
    s: &Scenario,
    buyer_ids: &[String],
    country_ids: &[String],
) -> Result<Vec<f64>, WorldError> {
    let nc = country_ids.len();
    let mut affinity = vec![0.0; buyer_ids.len() * nc];
    if let Some(d) = s.affinity.get("default") {
        for (c, v) in d {
            let ci = index_of(country_ids, c, || "affinity.default".into())?;
            for b in 0..buyer_ids.len() {
                affinity[b * nc + ci] = *v;
            }
        }
    }
    for (b, row) in &s.affinity {
        if b == "default" {
            continue;
        }
        let bi = index_of(buyer_ids, b, || "affinity".into())?;
        for (c, v) in row {
            let ci = index_of(country_ids, c, || format!("affinity.{b}"))?;
            affinity[bi * nc + ci] = *v;
        }
    }
    Ok(affinity)
}

/// The countries: buyers first, so that a buyer's index is its country's,
/// then the other countries; credit only with the `export_credit`
/// mechanism.
fn countries_of(s: &Scenario, m: &Mechanisms) -> Vec<Country> {
    let eu = |since: Option<Quarter>, until: Option<Quarter>| since.map(|from| (from, until));
    let credit_on = if m.export_credit { 1.0 } else { 0.0 };
    let mut countries: Vec<Country> = Vec::new();
    for (id, b) in &s.buyers {
        let c = s.countries.get(id);
        countries.push(Country {
            id: id.clone(),
            credit_share: credit_on * c.map_or(0.0, |c| c.credit_share),
            credit_cap: c.map_or(0.0, |c| c.credit_cap),
            credit_repayment_years: c.map_or(10.0, |c| c.credit_repayment_years),
            eu: eu(b.eu_since, b.eu_until),
            export_ambition: c.map_or(1.0, |c| c.export_ambition),
        });
    }
    for (id, c) in &s.countries {
        if !s.buyers.contains_key(id) {
            countries.push(Country {
                id: id.clone(),
                credit_share: credit_on * c.credit_share,
                credit_cap: c.credit_cap,
                credit_repayment_years: c.credit_repayment_years,
                eu: eu(c.eu_since, c.eu_until),
                export_ambition: c.export_ambition,
            });
        }
    }
    countries
}

impl Line {
    /// Set the terms that line `l`'s own table gives and nothing else
    /// reads (with the mechanisms): [`LINE_TERMS`].
    fn read_terms(&mut self, l: &schema::Line, m: &Mechanisms) {
        self.list_price = l.list_price;
        self.quality = l.quality;
        self.interoperability = l.interoperability;
        self.base_lead = l.base_lead;
        self.capacity = l.capacity;
        self.reliability = l.reliability;
        self.slip_share = l.slip_share;
        self.localisation = l.localisation;
        self.initial_backlog = l.initial_backlog;
        self.divertible_share = if m.diversion { l.divertible_share } else { 0.0 };
        self.tiv = l.tiv.unwrap_or(l.list_price);
    }
}

/// The keys of a line's table that [`Line::read_terms`] reads (and a
/// programme's value, for `list_price`): a world that differs from another
/// in these only is that world patched.
const LINE_TERMS: [&str; 11] = [
    "list_price",
    "quality",
    "interoperability",
    "base_lead",
    "capacity",
    "reliability",
    "slip_share",
    "localisation",
    "initial_backlog",
    "divertible_share",
    "tiv",
];

impl Supplier {
    /// Set the terms that supplier `sup`'s own table gives and nothing
    /// else reads: its cash, margin, mark-up, access overrides (per buyer
    /// of `s`) and investment policy.
    fn read_terms(&mut self, s: &Scenario, sup: &schema::Supplier) {
        let inv = &sup.invest;
        self.cash = sup.cash;
        self.margin = sup.margin;
        self.markup = sup.markup;
        self.access = s
            .buyers
            .keys()
            .map(|bid| sup.access.buyers.get(bid).copied())
            .collect();
        self.invest = Investment {
            enabled: inv.enabled,
            backlog_threshold: inv.backlog_threshold,
            growth: inv.growth,
            build_lag: inv.build_lag,
            capex: inv.capex,
        };
    }
}

/// A buyer's inputs to its budget path ([`budget_paths`]).
const BUDGET_INPUTS: [&str; 8] = [
    "gdp",
    "gdp_growth",
    "spending",
    "equipment",
    "spending_base",
    "spending_threat",
    "equipment_base",
    "equipment_threat",
];

/// The equipment categories of `s`, in the order of their ids.
fn categories_of(s: &Scenario) -> Vec<Category> {
    s.categories
        .iter()
        .map(|(id, c)| Category {
            id: id.clone(),
            ref_price: c.ref_price,
            life_years: c.life_years,
            legacy_retire_years: c.legacy_retire_years,
            min_lot: c.min_lot,
            threat_response: c.threat_response,
            legacy_capability: c.legacy_capability,
            replaced_capability: c.replaced_capability.unwrap_or(c.legacy_capability),
            key: id_key(id),
        })
        .collect()
}

/// The threat shocks of `s`, with their exposures by index of `regions`.
fn shocks_of(s: &Scenario, regions: &[String]) -> Result<Vec<Shock>, WorldError> {
    let mut shocks = Vec::new();
    for (id, sh) in &s.shocks {
        let mut exposure = vec![0.0; regions.len()];
        for (r, x) in &sh.exposure {
            exposure[index_of(regions, r, || format!("shocks.{id}.exposure"))?] = *x;
        }
        shocks.push(Shock {
            onset: sh.quarter,
            magnitude: sh.magnitude,
            decay: sh.decay,
            exposure,
        });
    }
    Ok(shocks)
}

/// Every buyer's threat θ_i(t), `[t * n_buyers + buyer]`: its exposure
/// times its region's threat, the region's baseline plus the `shocks`.
fn threat_paths(s: &Scenario, shocks: &[Shock], buyers: &[Buyer], n_quarters: usize) -> Vec<f64> {
    let region_threat0: Vec<f64> = s.regions.values().map(|r| r.threat).collect();
    let nr = region_threat0.len();
    let region_threat = threat::region_paths(&region_threat0, shocks, s.start, n_quarters);
    let exposure: Vec<f64> = s.buyers.values().map(|b| b.threat_exposure).collect();
    let nb = buyers.len();
    let mut threat = vec![0.0; n_quarters * nb];
    for t in 0..n_quarters {
        for (i, b) in buyers.iter().enumerate() {
            threat[t * nb + i] = exposure[i] * region_threat[t * nr + b.region];
        }
    }
    threat
}

/// The required force R_ic(t) of every buyer and category ([`World::required`]):
/// R⁰ given, or the capability in service and on order at the start
/// (`programmes` in flight included) at the start's threat; the
/// `decisions` (in time order) added from their quarters on; times
/// (1 + ρ_c θ_i(t)).
fn required_paths(
    buyers: &[Buyer],
    categories: &[Category],
    lines: &[Line],
    programmes: &[Programme],
    decisions: &[Decision],
    threat: &[f64],
    n_quarters: usize,
) -> Vec<f64> {
    let (nb, nc) = (buyers.len(), categories.len());
    let mut r0 = vec![0.0; nb * nc];
    for (i, b) in buyers.iter().enumerate() {
        for (c, cat) in categories.iter().enumerate() {
            let f = &b.fleet[c];
            r0[i * nc + c] = match f.required {
                Some(r) => r,
                None => {
                    let modern = f64::from(f.units - f.legacy);
                    let in_flight: f64 = programmes
                        .iter()
                        .filter(|p| p.buyer == i && lines[p.line].category == c)
                        .map(|p| {
                            f64::from(p.units) * lines[p.line].capability_gain(f.legacy_capability)
                        })
                        .sum();
                    let k = modern
                        + f64::from(f.legacy) * f.legacy_capability
                        + f64::from(f.replaced) * cat.replaced_capability
                        + in_flight;
                    k / (1.0 + cat.threat_response * threat[i])
                }
            };
        }
    }
    let mut required = vec![0.0; n_quarters * nb * nc];
    let mut next = 0;
    for t in 0..n_quarters {
        while next < decisions.len() && decisions[next].t <= t {
            let d = decisions[next];
            let r = &mut r0[d.buyer * nc + d.category];
            *r = (*r + d.change).max(0.0);
            next += 1;
        }
        for i in 0..nb {
            let theta = threat[t * nb + i];
            for (c, cat) in categories.iter().enumerate() {
                required[(t * nb + i) * nc + c] =
                    r0[i * nc + c] * (1.0 + cat.threat_response * theta);
            }
        }
    }
    required
}

/// Every buyer's annual equipment budget B_i(t), `[t * n_buyers + buyer]`,
/// from its spending inputs and the threat it faces (`threat`, as
/// [`World::threat`] holds it).
fn budget_paths(s: &Scenario, threat: &[f64]) -> Vec<f64> {
    let (start, first_year, last_year) = (s.start, s.start.year(), s.end.year());
    let nb = s.buyers.len();
    let n_quarters = threat.len() / nb.max(1);
    let mut budget = vec![0.0; n_quarters * nb];
    for (i, b) in s.buyers.values().enumerate() {
        let inputs = budget::BuyerBudgetInputs {
            gdp: series_by_year(&b.gdp, first_year, last_year),
            gdp_last_year: b
                .gdp
                .keys()
                .filter_map(|k| k.parse::<i32>().ok())
                .max()
                .unwrap_or(first_year),
            gdp_growth: b.gdp_growth,
            spending: series_by_year(&b.spending, first_year, last_year),
            equipment: series_by_year(&b.equipment, first_year, last_year),
            spending_base: b.spending_base,
            spending_threat: b.spending_threat,
            equipment_base: b.equipment_base,
            equipment_threat: b.equipment_threat,
        };
        let threat_i: Vec<f64> = (0..n_quarters).map(|t| threat[t * nb + i]).collect();
        let path = budget::budget_path(
            &inputs,
            s.spending.mode,
            s.spending.adjust_speed,
            &threat_i,
            start,
        );
        for (t, v) in path.into_iter().enumerate() {
            budget[t * nb + i] = v;
        }
    }
    budget
}

/// A programme's value: as given, or its units at its line's list price.
fn programme_value(p: &schema::Programme, list_price: f64) -> f64 {
    p.value.unwrap_or(f64::from(p.units) * list_price)
}

/// A yearly series evaluated at each calendar year from `first` to `last`,
/// interpolated linearly between given years and held flat outside them.
pub fn series_by_year(series: &YearSeries, first: i32, last: i32) -> Vec<f64> {
    let mut points: Vec<(i32, f64)> = series
        .iter()
        .filter_map(|(k, v)| k.parse::<i32>().ok().map(|y| (y, *v)))
        .collect();
    points.sort_by_key(|(y, _)| *y);
    // The first given year at or after the year asked: years are asked in
    // order, so it only moves forward.
    let mut next = 0;
    (first..=last)
        .map(|y| {
            while next < points.len() && points[next].0 < y {
                next += 1;
            }
            match next {
                _ if points.is_empty() => 0.0,
                0 => points[0].1,
                n if n == points.len() => points[n - 1].1,
                n => {
                    let ((y0, v0), (y1, v1)) = (points[n - 1], points[n]);
                    v0 + (v1 - v0) * f64::from(y - y0) / f64::from(y1 - y0)
                }
            }
        })
        .collect()
}

fn apply_overrides(w: &mut Weights, o: &WeightOverrides) {
    let pairs: [(&mut f64, Option<f64>); 12] = [
        (&mut w.price, o.price),
        (&mut w.delivery, o.delivery),
        (&mut w.urgency, o.urgency),
        (&mut w.quality, o.quality),
        (&mut w.interoperability, o.interoperability),
        (&mut w.offset, o.offset),
        (&mut w.reliability, o.reliability),
        (&mut w.commonality, o.commonality),
        (&mut w.domestic, o.domestic),
        (&mut w.affinity, o.affinity),
        (&mut w.european, o.european),
        (&mut w.defer, o.defer),
    ];
    for (slot, value) in pairs {
        if let Some(v) = value {
            *slot = v;
        }
    }
}

impl World {
    /// The calendar quarter of run quarter index `t`.
    pub fn quarter(&self, t: usize) -> Quarter {
        self.start.plus(t as i32)
    }

    /// The quarter whose memberships (EU, NATO) hold at quarter index
    /// `t`: the calendar's, or the start's in a world frozen at its start.
    pub fn membership_quarter(&self, t: usize) -> Quarter {
        self.memberships_at.unwrap_or_else(|| self.quarter(t))
    }

    /// θ_i(t).
    pub fn threat_of(&self, t: usize, buyer: usize) -> f64 {
        self.threat[t * self.buyers.len() + buyer]
    }

    /// B_i(t), annual equipment budget in US$ m.
    pub fn budget_of(&self, t: usize, buyer: usize) -> f64 {
        self.budget[t * self.buyers.len() + buyer]
    }

    /// Every buyer's B_i(t), in buyer order.
    pub fn budgets_at(&self, t: usize) -> &[f64] {
        let nb = self.buyers.len();
        &self.budget[t * nb..(t + 1) * nb]
    }

    /// R_ic(t), capability units.
    pub fn required_of(&self, t: usize, buyer: usize, category: usize) -> f64 {
        self.required[(t * self.buyers.len() + buyer) * self.categories.len() + category]
    }

    /// This world frozen at its start for `quarters` quarters before it:
    /// every quarter has the start's threat, budgets and requirements and
    /// the start's EU and NATO memberships; no events and no shocks (the
    /// threat is the start's already); home orders at the start's rate;
    /// only the lines offered at the start; every buyer keeps its starting
    /// procedure. (The calendar runs on before the start, so that the
    /// quarters of the year, which time investment, fall as they would.)
    pub fn frozen_at_start(&self, quarters: usize) -> World {
        let nb = self.buyers.len();
        let nc = self.categories.len();
        let repeat = |v: &[f64], row: usize| -> Vec<f64> {
            (0..quarters)
                .flat_map(|_| v[..row].iter().copied())
                .collect()
        };
        let mut w = self.clone();
        w.start_states = std::sync::OnceLock::new();
        w.start = self.start.plus(-(quarters as i32));
        w.memberships_at = Some(self.membership_quarter(0));
        w.n_quarters = quarters;
        w.threat = repeat(&self.threat, nb);
        w.budget = repeat(&self.budget, nb);
        w.required = repeat(&self.required, nb * nc);
        w.events.clear();
        w.shocks.clear();
        for l in &mut w.lines {
            l.home_orders = vec![l.home_orders.first().copied().unwrap_or(0.0); quarters];
            if l.available_from > 0 {
                l.available_from = usize::MAX;
            }
        }
        for b in &mut w.buyers {
            b.procedures = vec![(0, b.procedure_at(0))];
        }
        w
    }

    /// Whether buyer `i` is a NATO member in quarter index `t`.
    pub fn is_nato(&self, t: usize, buyer: usize) -> bool {
        self.buyers[buyer]
            .nato_since
            .is_some_and(|q| q <= self.membership_quarter(t))
    }

    /// Compile a validated scenario, counting contested mechanisms as
    /// commercial (see [`World::compile`]).
    pub fn from_scenario(s: &Scenario) -> Result<World, WorldError> {
        World::compile(s, Class::Commercial)
    }

    /// This world with the values at `paths` (dotted, as `--set` writes
    /// them) read again from `s`, or `None` when one of them feeds more of
    /// the world than this reads again ([`World::patches`]): compile `s`
    /// instead. `self` must have been compiled, as `s` is to be, from a
    /// scenario that `s` differs from at `paths` only: a sweep point or a
    /// calibration particle then costs a copy of its base's world, not a
    /// compilation. The result is the world [`World::compile`] gives, field
    /// for field, with its warm-up not yet spun up (see
    /// [`World::spins_up_as`] for when it may take `self`'s).
    pub fn patched(&self, s: &Scenario, paths: &[&str]) -> Option<Result<World, WorldError>> {
        if !paths.iter().all(|p| World::patches(p)) {
            return None;
        }
        let mut w = World {
            start_states: std::sync::OnceLock::new(),
            ..self.clone()
        };
        let mut tables: Vec<&str> = paths
            .iter()
            .map(|p| crate::scenario::top_table(p))
            .collect();
        tables.sort_unstable();
        tables.dedup();
        // What must be made again: the threat (then the requirements and
        // the budgets from it), the requirements, the budget paths. A
        // buyer's threat exposure feeds the threat, its budget inputs the
        // budgets.
        let (mut threat, mut requirements, mut budgets) = (false, false, false);
        for p in paths {
            let mut keys = p.split('.').map(str::trim);
            if keys.next() == Some("buyers")
                && let Some(key) = keys.nth(1)
            {
                threat |= key == "threat_exposure";
                budgets |= BUDGET_INPUTS.contains(&key);
            }
        }
        for table in tables {
            match table {
                "preferences" => {
                    for (b, (id, sb)) in w.buyers.iter_mut().zip(&s.buyers) {
                        b.weights = buyer_weights(s, &self.mechanisms, id, &sb.region);
                    }
                }
                "affinity" => {
                    let buyer_ids: Vec<String> = w.buyers.iter().map(|b| b.id.clone()).collect();
                    let country_ids: Vec<String> =
                        w.countries.iter().map(|c| c.id.clone()).collect();
                    w.affinity = match affinity_matrix(s, &buyer_ids, &country_ids) {
                        Ok(a) => a,
                        Err(e) => return Some(Err(e)),
                    };
                }
                "categories" => {
                    if !s.categories.keys().eq(w.categories.iter().map(|c| &c.id)) {
                        return None;
                    }
                    w.categories = categories_of(s);
                    requirements = true;
                }
                "regions" => {
                    if !s.regions.keys().eq(&w.regions) {
                        return None;
                    }
                    threat = true;
                }
                "shocks" => {
                    let shocks = match shocks_of(s, &w.regions) {
                        Ok(shocks) => shocks,
                        Err(e) => return Some(Err(e)),
                    };
                    // A shock of no magnitude also drops the events that
                    // are its consequences: a change of that is compiled.
                    let same = shocks.len() == w.shocks.len()
                        && shocks
                            .iter()
                            .zip(&w.shocks)
                            .all(|(a, b)| (a.magnitude > 0.0) == (b.magnitude > 0.0));
                    if !same {
                        return None;
                    }
                    w.shocks = shocks;
                    threat = true;
                }
                "market" => w.market = s.market.clone(),
                "procedures" => w.procedures = s.procedures.clone(),
                // Both read into the budget paths, made once below.
                "spending" => budgets = true,
                "buyers" => {
                    if !s.buyers.keys().eq(w.buyers.iter().map(|b| &b.id)) {
                        return None;
                    }
                    for (b, given) in w.buyers.iter_mut().zip(s.buyers.values()) {
                        b.localisation_demand = given.localisation_demand;
                    }
                }
                "countries" => {
                    let countries = countries_of(s, &self.mechanisms);
                    // Every country's index is kept in the world: a new
                    // one is compiled.
                    if !countries
                        .iter()
                        .map(|c| &c.id)
                        .eq(w.countries.iter().map(|c| &c.id))
                    {
                        return None;
                    }
                    w.countries = countries;
                }
                "suppliers" => {
                    if s.suppliers.len() != w.suppliers.len() {
                        return None;
                    }
                    for (sup, (id, given)) in w.suppliers.iter_mut().zip(&s.suppliers) {
                        if sup.id != *id || sup.lines.len() != given.lines.len() {
                            return None;
                        }
                        sup.read_terms(s, given);
                        for (&l, (lid, line)) in sup.lines.iter().zip(&given.lines) {
                            if w.lines[l].id != *lid {
                                return None;
                            }
                            w.lines[l].read_terms(line, &self.mechanisms);
                        }
                    }
                    for p in &mut w.programmes {
                        p.value = programme_value(&s.programmes[&p.id], w.lines[p.line].list_price);
                    }
                }
                _ => return None,
            }
        }
        if threat {
            w.threat = threat_paths(s, &w.shocks, &w.buyers, w.n_quarters);
            requirements = true;
            budgets = true;
        }
        if requirements {
            w.required = required_paths(
                &w.buyers,
                &w.categories,
                &w.lines,
                &w.programmes,
                &w.decisions,
                &w.threat,
                w.n_quarters,
            );
        }
        if budgets {
            w.budget = budget_paths(s, &w.threat);
        }
        Some(Ok(w))
    }

    /// Whether this world, patched from `base` at `paths`
    /// ([`World::patched`]), spins up its warm-up as `base` does: the
    /// warm-up is on and the world frozen at its start
    /// ([`World::frozen_at_start`]) is `base`'s. Then it may take `base`'s
    /// start states rather than spin up its own (a sweep over shocks then
    /// spins up once, not once a point). The values must lie in the
    /// tables `shocks`, `spending`, `regions` and `buyers`, whose values
    /// reach the frozen world only through what is compared here bit for
    /// bit: the threat, budgets and requirements (of which the frozen
    /// world reads the first quarter) and the buyers' localisation demands
    /// (the shocks themselves it drops). Every other table's values it
    /// reads as they are.
    pub fn spins_up_as(&self, base: &World, paths: &[&str]) -> bool {
        let compared = paths.iter().all(|p| {
            matches!(
                crate::scenario::top_table(p),
                "shocks" | "spending" | "regions" | "buyers"
            )
        });
        if !compared || !self.mechanisms.warmup {
            return false;
        }
        let nb = self.buyers.len();
        let row = nb * self.categories.len();
        let same = |a: &[f64], b: &[f64]| {
            a.iter()
                .map(|x| x.to_bits())
                .eq(b.iter().map(|x| x.to_bits()))
        };
        same(&self.threat[..nb], &base.threat[..nb])
            && same(&self.budget[..nb], &base.budget[..nb])
            && same(&self.required[..row], &base.required[..row])
            && self
                .buyers
                .iter()
                .zip(&base.buyers)
                .all(|(a, b)| a.localisation_demand.to_bits() == b.localisation_demand.to_bits())
    }

    /// Whether a value at dotted `path` feeds only parts of a world that
    /// [`World::patched`] reads again: the tables `preferences`, `affinity`,
    /// `market`, `procedures` and `countries` (each read from itself alone
    /// and the mechanisms), `spending` and a buyer's spending inputs and
    /// localisation demand (the budget paths, from the threat kept in the
    /// world), the threat's inputs: a region's baseline threat, a shock's
    /// onset, magnitude, decay and exposures (a shock that gains or loses
    /// all magnitude is compiled: its events come or go) and a buyer's
    /// threat exposure (the threat, the requirements and the budget paths,
    /// from the requirement decisions kept in the world), a category's
    /// reference price, minimum lot, threat response and replaced
    /// capability (not its lives or its legacy capability, which the
    /// fleets and lines are built from), a supplier's cash, margin, mark-up, access and
    /// investment policy, and a line's terms: its prices, quality,
    /// interoperability, lead, capacity, reliability, slippage,
    /// localisation, backlog and divertible share (not its category,
    /// family, dates, home orders, capability, life, lineage or stock,
    /// which other parts of the world are built from).
    pub fn patches(path: &str) -> bool {
        const TABLES: [&str; 6] = [
            "preferences",
            "affinity",
            "market",
            "procedures",
            "countries",
            "spending",
        ];
        const SUPPLIER_TERMS: [&str; 5] = ["cash", "margin", "markup", "access", "invest"];
        let segments: Vec<&str> = path.split('.').map(str::trim).collect();
        match segments.as_slice() {
            [table, ..] if TABLES.contains(table) => true,
            ["regions", _, "threat"] => true,
            [
                "categories",
                _,
                "ref_price" | "min_lot" | "threat_response" | "replaced_capability",
            ] => true,
            ["shocks", _, "quarter" | "magnitude" | "decay"] | ["shocks", _, "exposure", ..] => {
                true
            }
            ["buyers", _, key, ..] => {
                BUDGET_INPUTS.contains(key)
                    || ["threat_exposure", "localisation_demand"].contains(key)
            }
            ["suppliers", _, "lines", _, key] => LINE_TERMS.contains(key),
            ["suppliers", _, key, ..] => SUPPLIER_TERMS.contains(key),
            _ => false,
        }
    }

    /// The mechanisms a world compiled from `s` runs: the file's switches,
    /// less those its hypothesis switches off (see [`World::compile`]).
    pub fn mechanisms_of(s: &Scenario, contested_as: Class) -> Mechanisms {
        let mut mechanisms = s.mechanisms;
        if s.hypothesis == Some(Hypothesis::Commercial) {
            mechanisms.set_class(Class::Strategic, false);
            if contested_as == Class::Strategic {
                mechanisms.set_class(Class::Contested, false);
            }
        }
        mechanisms
    }

    /// Compile a validated scenario. A `commercial` hypothesis runs without
    /// strategic mechanisms and, if `contested_as` is
    /// [`Class::Strategic`], without contested ones; a mechanism the file
    /// switches off stays off.
    pub fn compile(s: &Scenario, contested_as: Class) -> Result<World, WorldError> {
        let m = World::mechanisms_of(s, contested_as);
        let (start, end) = (s.start, s.end);
        let n_quarters = (end.0 - start.0 + 1) as usize;
        let index_of_t = |q: Quarter| -> usize { (q.0 - start.0).max(0) as usize };

        let regions: Vec<String> = s.regions.keys().cloned().collect();
        let categories = categories_of(s);
        let cat_ids: Vec<String> = categories.iter().map(|c| c.id.clone()).collect();

        let shocks = shocks_of(s, &regions)?;

        // Countries: buyers first so that a buyer's index is its country's.
        let buyer_ids: Vec<String> = s.buyers.keys().cloned().collect();
        let countries = countries_of(s, &m);
        let country_ids: Vec<String> = countries.iter().map(|c| c.id.clone()).collect();

        // Families: every line's, then every fleet's.
        let mut families: Vec<String> = Vec::new();
        let family_index = |name: &str, families: &mut Vec<String>| -> usize {
            match families.iter().position(|f| f == name) {
                Some(i) => i,
                None => {
                    families.push(name.to_string());
                    families.len() - 1
                }
            }
        };
        for sup in s.suppliers.values() {
            for (lid, line) in &sup.lines {
                let fam = line.family.clone().unwrap_or_else(|| lid.clone());
                family_index(&fam, &mut families);
            }
        }

        let mut buyers = Vec::new();
        for (id, b) in &s.buyers {
            let region = index_of(&regions, &b.region, || format!("buyers.{id}.region"))?;
            let weights = buyer_weights(s, &m, id, &b.region);
            let mut fleet = vec![FleetStart::default(); categories.len()];
            for (cid, f) in &b.fleet {
                let c = index_of(&cat_ids, cid, || format!("buyers.{id}.fleet"))?;
                let cat = &categories[c];
                let mut fams: Vec<(usize, u32)> = f
                    .families
                    .iter()
                    .map(|(name, n)| (family_index(name, &mut families), *n))
                    .collect();
                fams.sort();
                fleet[c] = FleetStart {
                    units: f.units,
                    legacy: f.legacy,
                    legacy_family: f
                        .legacy_family
                        .as_deref()
                        .map(|name| family_index(name, &mut families)),
                    legacy_capability: f.legacy_capability.unwrap_or(cat.legacy_capability),
                    legacy_rate: pool_rate(
                        f.legacy,
                        f.legacy_retire_years.unwrap_or(cat.legacy_retire_years),
                    ),
                    replaced: f.replaced,
                    replaced_rate: pool_rate(
                        f.replaced,
                        f.replaced_retire_years.unwrap_or(cat.legacy_retire_years),
                    ),
                    families: fams,
                    required: f.required,
                };
            }
            let mut procedures = Vec::new();
            for (q, p) in &b.procedure {
                // Validation has checked every key is a quarter.
                let Ok(from) = q.parse::<Quarter>() else {
                    return Err(WorldError(format!(
                        "`buyers.{id}.procedure.{q}` is not a quarter"
                    )));
                };
                let p = if *p == Procedure::Direct && !m.g2g_awards {
                    Procedure::Competition
                } else {
                    *p
                };
                procedures.push((index_of_t(from), p));
            }
            procedures.sort_by_key(|(from, _)| *from);
            buyers.push(Buyer {
                id: id.clone(),
                name: b.name.clone(),
                region,
                country: index_of(&country_ids, id, || "buyers".into())?,
                nato_since: b.nato_since,
                localisation_demand: b.localisation_demand,
                weights,
                fleet,
                procedures,
                key: id_key(id),
            });
        }

        let mut suppliers = Vec::new();
        let mut lines = Vec::new();
        let first_year = start.year();
        let last_year = end.year();
        for (sid, sup) in &s.suppliers {
            let si = suppliers.len();
            let country = index_of(&country_ids, &sup.country, || {
                format!("suppliers.{sid}.country")
            })?;
            let mut line_ids = Vec::new();
            for (lid, l) in &sup.lines {
                let key = format!("suppliers.{sid}.lines.{lid}");
                let fam = l.family.clone().unwrap_or_else(|| lid.clone());
                let cat = index_of(&cat_ids, &l.category, || format!("{key}.category"))?;
                let yearly = series_by_year(&l.home_orders, first_year, last_year);
                let home_orders = (0..n_quarters)
                    .map(|t| yearly[(start.plus(t as i32).year() - first_year) as usize] / 4.0)
                    .collect();
                line_ids.push(lines.len());
                let mut line = Line {
                    id: lid.clone(),
                    supplier: si,
                    category: cat,
                    family: family_index(&fam, &mut families),
                    available_from: l.available_from.map_or(0, index_of_t),
                    home_orders,
                    capability: l.capability,
                    life_rate: life_rate(l.life_years.unwrap_or(categories[cat].life_years)),
                    upgrades: l
                        .upgrades
                        .as_deref()
                        .map(|name| family_index(name, &mut families)),
                    stock: l.stock,
                    key: id_key(&format!("{sid}.{lid}")),
                    ..Line::default()
                };
                line.read_terms(l, &m);
                lines.push(line);
            }
            let mut makes: Vec<(usize, usize)> = line_ids
                .iter()
                .map(|&l| (lines[l].category, lines[l].family))
                .collect();
            makes.sort_unstable();
            makes.dedup();
            let mut supplier = Supplier {
                id: sid.clone(),
                name: sup.name.clone(),
                country,
                lines: line_ids,
                makes,
                key: id_key(sid),
                ..Supplier::default()
            };
            supplier.read_terms(s, sup);
            suppliers.push(supplier);
        }
        // Lines of a mechanism switched off are never offered.
        let mut lines_by_category = vec![Vec::new(); categories.len()];
        for (i, l) in lines.iter().enumerate() {
            let on = (l.stock.is_none() || m.second_hand) && (l.upgrades.is_none() || m.upgrades);
            if on {
                lines_by_category[l.category].push(i);
            }
        }
        // Region sums, asked in every tender, walk only the region's buyers.
        let mut buyers_by_region = vec![Vec::new(); regions.len()];
        for (i, b) in buyers.iter().enumerate() {
            buyers_by_region[b.region].push(i);
        }

        let affinity = affinity_matrix(s, &buyer_ids, &country_ids)?;

        let mut events = Vec::new();
        let mut decisions: Vec<Decision> = Vec::new();
        for (id, e) in &s.events {
            let key = format!("events.{id}");
            let q = e.quarter;
            if q < start || q > end {
                continue; // outside the run: it never happens here
            }
            if let Some(sh) = &e.shock {
                let active = s.shocks.get(sh).is_some_and(|x| x.magnitude > 0.0);
                if !active {
                    continue; // a consequence of a shock this world lacks
                }
            }
            let missing = |f: &str| WorldError(format!("`{key}` ({}) needs `{f}`", e.kind));
            let buyer_list = |e: &schema::Event| -> Result<Vec<usize>, WorldError> {
                match (&e.buyer, &e.region) {
                    (Some(b), _) => Ok(vec![index_of(&buyer_ids, b, || format!("{key}.buyer"))?]),
                    (None, Some(r)) => {
                        let ri = index_of(&regions, r, || format!("{key}.region"))?;
                        Ok((0..buyers.len())
                            .filter(|&i| buyers[i].region == ri)
                            .collect())
                    }
                    (None, None) => Ok((0..buyers.len()).collect()),
                }
            };
            let kind = match e.kind {
                schema::EventKind::Donation => EventKind::Donation {
                    buyer: index_of(
                        &buyer_ids,
                        e.buyer.as_deref().ok_or_else(|| missing("buyer"))?,
                        || format!("{key}.buyer"),
                    )?,
                    category: index_of(
                        &cat_ids,
                        e.category.as_deref().ok_or_else(|| missing("category"))?,
                        || format!("{key}.category"),
                    )?,
                    units: e.units.ok_or_else(|| missing("units"))?,
                },
                schema::EventKind::Access => {
                    let suppliers_hit: Vec<usize> = match (&e.supplier, &e.country) {
                        (Some(sid), _) => vec![
                            s.suppliers
                                .keys()
                                .position(|k| k == sid)
                                .ok_or_else(|| missing("a defined supplier"))?,
                        ],
                        (None, Some(c)) => {
                            let ci = index_of(&country_ids, c, || format!("{key}.country"))?;
                            (0..suppliers.len())
                                .filter(|&j| suppliers[j].country == ci)
                                .collect()
                        }
                        (None, None) => return Err(missing("supplier or country")),
                    };
                    EventKind::Access {
                        suppliers: suppliers_hit,
                        buyers: buyer_list(e)?,
                        amount: e.amount.ok_or_else(|| missing("amount"))?,
                    }
                }
                schema::EventKind::Affinity => EventKind::Affinity {
                    buyers: buyer_list(e)?,
                    country: index_of(
                        &country_ids,
                        e.country.as_deref().ok_or_else(|| missing("country"))?,
                        || format!("{key}.country"),
                    )?,
                    amount: e.amount.ok_or_else(|| missing("amount"))?,
                },
                schema::EventKind::CreditCap => EventKind::CreditCap {
                    country: index_of(
                        &country_ids,
                        e.country.as_deref().ok_or_else(|| missing("country"))?,
                        || format!("{key}.country"),
                    )?,
                    cap: e.amount.ok_or_else(|| missing("amount"))?,
                },
                schema::EventKind::Requirement => {
                    decisions.push(Decision {
                        t: index_of_t(q),
                        buyer: index_of(
                            &buyer_ids,
                            e.buyer.as_deref().ok_or_else(|| missing("buyer"))?,
                            || format!("{key}.buyer"),
                        )?,
                        category: index_of(
                            &cat_ids,
                            e.category.as_deref().ok_or_else(|| missing("category"))?,
                            || format!("{key}.category"),
                        )?,
                        change: e.amount.ok_or_else(|| missing("amount"))?,
                    });
                    continue;
                }
            };
            let on = match kind {
                EventKind::Access { .. } => m.market_access,
                EventKind::Affinity { .. } => m.affinity,
                _ => true,
            };
            if on {
                events.push(Event {
                    id: id.clone(),
                    t: index_of_t(q),
                    kind,
                });
            }
        }
        events.sort_by(|a, b| a.t.cmp(&b.t).then_with(|| a.id.cmp(&b.id)));

        let focus_country = index_of(&country_ids, &s.outputs.focus_country, || {
            "outputs.focus_country".into()
        })?;

        // Exogenous paths.
        let threat = threat_paths(s, &shocks, &buyers, n_quarters);
        let budget = budget_paths(s, &threat);

        // Programmes in flight (only with the warm-up), in order of signing.
        let mut programmes = Vec::new();
        if m.warmup {
            for (id, p) in &s.programmes {
                let key = format!("programmes.{id}");
                let buyer = index_of(&buyer_ids, &p.buyer, || format!("{key}.buyer"))?;
                let j = s
                    .suppliers
                    .keys()
                    .position(|k| *k == p.supplier)
                    .ok_or_else(|| {
                        WorldError(format!(
                            "`{key}.supplier` names `{}`, which is not defined",
                            p.supplier
                        ))
                    })?;
                let line = suppliers[j]
                    .lines
                    .iter()
                    .copied()
                    .find(|&l| lines[l].id == p.line)
                    .ok_or_else(|| {
                        WorldError(format!(
                            "`{key}.line` names `{}`, which `{}` does not make",
                            p.line, p.supplier
                        ))
                    })?;
                programmes.push(Programme {
                    id: id.clone(),
                    buyer,
                    line,
                    signed: p.signed,
                    units: p.units,
                    value: programme_value(p, lines[line].list_price),
                });
            }
            programmes.sort_by(|a, b| a.signed.cmp(&b.signed).then_with(|| a.id.cmp(&b.id)));
        }

        decisions.sort_by_key(|d| d.t);
        let required = required_paths(
            &buyers,
            &categories,
            &lines,
            &programmes,
            &decisions,
            &threat,
            n_quarters,
        );

        Ok(World {
            required,
            start,
            n_quarters,
            market: s.market.clone(),
            regions,
            shocks,
            categories,
            countries,
            families,
            buyers,
            suppliers,
            lines,
            lines_by_category,
            buyers_by_region,
            affinity,
            events,
            mechanisms: m,
            procedures: s.procedures.clone(),
            programmes,
            threat,
            budget,
            decisions,
            focus_country,
            start_states: std::sync::OnceLock::new(),
            memberships_at: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::model::testkit::{buyer, category, close, line, toy};
    use crate::model::world::World;
    use crate::scenario::schema::Weights;

    /// A series is held flat before its first year and after its last,
    /// and interpolated linearly between its years, whatever their order.
    #[test]
    fn series_by_year_by_hand() {
        let series: super::YearSeries = [("2018".to_string(), 30.0), ("2014".to_string(), 10.0)]
            .into_iter()
            .collect();
        assert_eq!(
            super::series_by_year(&series, 2012, 2020),
            [10.0, 10.0, 10.0, 15.0, 20.0, 25.0, 30.0, 30.0, 30.0]
        );
        assert_eq!(
            super::series_by_year(&super::YearSeries::new(), 2012, 2013),
            [0.0, 0.0]
        );
    }

    /// R⁰ makes the start fleet, replaced equipment and programmes in
    /// flight exactly the requirement at the start's threat.
    #[test]
    fn the_requirement_at_rest_is_the_start_fleet() {
        let w = toy(&[]);
        let (aaa, bbb, spg) = (buyer(&w, "AAA"), buyer(&w, "BBB"), category(&w, "spg"));
        // AAA spg: 20 modern + 280 legacy at 0.6 + 60 towed guns at 0.3 =
        // 206 capability units, at θ = 0.2 · 1.2 = 0.24.
        assert!(close(w.required_of(0, aaa, spg), 206.0));
        let r0 = 206.0 / (1.0 + 0.5 * 0.24);
        // 2022Q1 (t = 32): θ = 1.2 · (0.2 + 1.0).
        assert!(close(w.required_of(32, aaa, spg), r0 * (1.0 + 0.5 * 1.44)));
        // BBB spg: 40 modern + 60 legacy at 0.6 + 12 units in flight = 88.
        assert!(close(w.required_of(0, bbb, spg), 88.0));
        // A decision in 2019Q1 (t = 20) adds 18 at zero threat.
        let r0 = 88.0 / 1.1;
        assert!(close(w.required_of(19, bbb, spg), r0 * 1.1));
        assert!(close(w.required_of(20, bbb, spg), (r0 + 18.0) * 1.1));
    }

    #[test]
    fn a_given_requirement_is_used_as_it_is() {
        let w = toy(&["buyers.AAA.fleet.spg.required=250.0"]);
        let (aaa, spg) = (buyer(&w, "AAA"), category(&w, "spg"));
        assert!(close(w.required_of(0, aaa, spg), 250.0 * 1.12));
    }

    /// A world frozen at its start keeps the start's memberships in every
    /// quarter before it: the eight buyers that joined the EU in 2004 are
    /// members through europe's spin-up (1998–2009), as at its 2010 start.
    #[test]
    fn a_world_frozen_at_its_start_keeps_the_start_s_memberships() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/europe.toml");
        let s = crate::scenario::load(&path, &[]).unwrap().scenario;
        let w = World::from_scenario(&s).unwrap();
        let frozen = w.frozen_at_start(96);
        assert_eq!(frozen.start, w.start.plus(-96), "the calendar runs on");
        let pol = &w.countries[w.buyers[buyer(&w, "POL")].country];
        assert!(!pol.in_eu(frozen.quarter(0)), "POL joined in 2004");
        for t in 0..96 {
            assert_eq!(frozen.membership_quarter(t), w.start);
        }
        assert!(pol.in_eu(frozen.membership_quarter(0)));
        // The world itself follows the calendar.
        assert_eq!(w.membership_quarter(5), w.quarter(5));
    }

    /// Each switch that acts on the compiled world, turned off on its own,
    /// removes what it names there and nothing another switch names (the
    /// switches that act while the market runs are tested on runs, in the
    /// engine's tests).
    #[test]
    fn switches_remove_what_they_name() {
        use crate::scenario::schema::Procedure;
        let tank = category(&toy(&[]), "tank");
        let sells = |name: &'static str| {
            move |w: &World| w.lines_by_category[tank].contains(&line(w, name))
        };
        type Footprint = Box<dyn Fn(&World) -> bool>;
        let weight = |f: fn(&Weights) -> f64| -> Footprint {
            Box::new(move |w: &World| w.buyers.iter().any(|b| f(&b.weights) != 0.0))
        };
        // What each switch leaves in the toy world while it is on.
        let footprints: Vec<(&str, Footprint)> = vec![
            ("second_hand", Box::new(sells("used_abrams"))),
            ("upgrades", Box::new(sells("t72_upgrade"))),
            (
                "diversion",
                Box::new(|w: &World| w.lines.iter().any(|l| l.divertible_share > 0.0)),
            ),
            (
                "export_credit",
                Box::new(|w: &World| w.countries.iter().any(|c| c.credit_share > 0.0)),
            ),
            ("domestic_preference", weight(|wt| wt.domestic)),
            ("european_preference", weight(|wt| wt.european)),
            ("affinity", weight(|wt| wt.affinity)),
            ("commonality", weight(|wt| wt.commonality)),
            ("localisation", weight(|wt| wt.offset)),
            (
                // Direct awards become competitions without g2g awards.
                "g2g_awards",
                Box::new(|w: &World| {
                    w.buyers[buyer(w, "BBB")].procedure_at(0) == Procedure::Direct
                }),
            ),
        ];
        // The toy weighs no affinity of its own.
        let weighed = "preferences.default.affinity=0.5";
        let on = toy(&[weighed]);
        for (name, _) in &footprints {
            let off = toy(&[weighed, &format!("mechanisms.{name}=false")]);
            for (other, present) in &footprints {
                assert!(present(&on), "{other} leaves a mark with every switch on");
                assert_eq!(
                    present(&off),
                    other != name,
                    "{name} off: {other}'s mark should {}",
                    if other == name { "go" } else { "stay" }
                );
            }
        }
    }

    #[test]
    fn a_commercial_hypothesis_drops_strategic_and_maybe_contested_mechanisms() {
        use crate::model::mechanisms::Class;
        use crate::model::world::World;
        use crate::scenario;
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/toy.toml");
        let sets = vec!["hypothesis=\"commercial\"".to_string()];
        let s = scenario::load(&path, &sets).unwrap().scenario;
        let w = World::compile(&s, Class::Commercial).unwrap();
        assert!(!w.mechanisms.affinity && w.mechanisms.diversion);
        let w = World::compile(&s, Class::Strategic).unwrap();
        assert!(!w.mechanisms.affinity && !w.mechanisms.diversion && w.mechanisms.upgrades);
        // A strategic hypothesis keeps everything.
        let sets = vec!["hypothesis=\"strategic\"".to_string()];
        let s = scenario::load(&path, &sets).unwrap().scenario;
        let w = World::compile(&s, Class::Strategic).unwrap();
        assert!(w.mechanisms.affinity && w.mechanisms.diversion);
    }

    #[test]
    fn eu_membership_by_quarter() {
        let w = toy(&["buyers.CCC.eu_until=\"2020Q1\""]);
        let ccc = buyer(&w, "CCC");
        let c = &w.countries[w.buyers[ccc].country];
        assert!(c.in_eu("2019Q4".parse().unwrap()));
        assert!(!c.in_eu("2020Q1".parse().unwrap()));
        let kor = w.countries.iter().find(|c| c.id == "KOR").unwrap();
        assert!(!kor.in_eu("2015Q1".parse().unwrap()));
    }
}

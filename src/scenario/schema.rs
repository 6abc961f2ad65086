//! The scenario file format: what a TOML scenario may contain.
//!
//! Every struct denies unknown fields so that a typo is an error with a
//! suggestion, never a silently ignored key. Collections of named things
//! (regions, shocks, categories, buyers, suppliers, product lines, events)
//! are tables keyed by id rather than arrays, so that `base` inheritance and
//! `--set` can override any one of them key by key with a dotted path such as
//! `suppliers.hanwha.lines.k9.capacity`.
//!
//! Units: money in US$ million (GDP in US$ billion), time in quarters unless a
//! key says `_years`, shares and probabilities in 0..1, spending paths in per
//! cent. Every key's type, unit, allowed range and default is in
//! [`crate::scenario::keys`] (and `docs/SCENARIO_FORMAT.md`, generated from
//! it), which validation enforces.

pub use super::quarter::Quarter;
pub use super::vocabulary::{DesignKind, EventKind, Metric, SpendingMode, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A yearly series keyed by year (`{ 2014 = 1.86, 2015 = 2.21 }`): the value
/// of a year applies to all its quarters; between given years values are
/// interpolated linearly; before the first year the first value holds,
/// after the last year the last value holds. (Write both ends of a step,
/// e.g. `{ 2021 = 0.0, 2022 = 40.0 }`.)
pub type YearSeries = BTreeMap<String, f64>;

/// A whole scenario: one world, one hypothesis.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Scenario name; names the output folder. Defaults to the file stem.
    #[serde(default)]
    pub name: Option<String>,
    /// Another scenario file this one overrides key by key (path relative to
    /// this file). Resolved and removed by the loader.
    #[serde(default)]
    pub base: Option<String>,
    /// One-line description, copied to the manifest.
    #[serde(default)]
    pub description: Option<String>,
    /// Master seed of the replications.
    pub seed: u64,
    /// Number of replications.
    pub replications: u32,
    /// First simulated quarter, e.g. `"2010Q1"`.
    pub start: Quarter,
    /// Last simulated quarter (inclusive), not before `start`.
    pub end: Quarter,
    /// Which files `run` writes and the headline metrics.
    #[serde(default)]
    pub outputs: Outputs,
    /// How budgets are formed.
    pub spending: Spending,
    /// Tendering, delivery and belief parameters shared by all buyers.
    pub market: Market,
    /// Threat regions, keyed by id.
    pub regions: BTreeMap<String, Region>,
    /// Threat shocks, keyed by id.
    #[serde(default)]
    pub shocks: BTreeMap<String, Shock>,
    /// Equipment categories, keyed by id (`tank`, `spg`, ...).
    pub categories: BTreeMap<String, Category>,
    /// Supplier home countries that are not buyers (ISO3 keys: `KOR`, `USA`).
    #[serde(default)]
    pub countries: BTreeMap<String, Country>,
    /// Preference weights: a default, overridable by region and by buyer.
    pub preferences: Preferences,
    /// Political affinity between a buyer (or `default`) and a supplier
    /// country: `affinity.POL.USA = 0.8`. Only used when the `affinity`
    /// weight is non-zero.
    #[serde(default)]
    pub affinity: BTreeMap<String, BTreeMap<String, f64>>,
    /// Buying states, keyed by ISO3 code.
    pub buyers: BTreeMap<String, Buyer>,
    /// Supplying firms, keyed by id.
    pub suppliers: BTreeMap<String, Supplier>,
    /// Exogenous events (donations, access, affinity, credit caps), keyed by id.
    #[serde(default)]
    pub events: BTreeMap<String, Event>,
    /// Named groups of buyers for targets (`nato_europe`, `eastern_flank`).
    #[serde(default)]
    pub groups: BTreeMap<String, Group>,
    /// Observed patterns a run is judged on, keyed by id.
    #[serde(default)]
    pub targets: BTreeMap<String, Target>,
    /// A parameter sweep over this world (`armsmarket sweep`); ignored by
    /// `run` and `compare`.
    #[serde(default)]
    pub sweep: Option<Sweep>,
}

/// A design over dotted parameter paths (the paths of `--set`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// `grid`, `random`, `lhs` (Latin hypercube) or `sobol` (scrambled
    /// Sobol'; a power-of-two number of points).
    pub design: DesignKind,
    /// Number of points (not for `grid`, whose points are the product of
    /// the parameters' values).
    #[serde(default)]
    pub points: Option<usize>,
    /// Replications per point.
    pub replications: u32,
    /// Seed of the design and of the runs; defaults to the scenario's.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Swept parameters, keyed by dotted path
    /// (`"preferences.default.delivery" = { min = 0.5, max = 2.0 }`).
    pub parameters: BTreeMap<String, SweepParameter>,
}

/// One swept parameter: `values = [...]`, or `min` and `max` (with
/// `log = true` for a log-uniform range, or `integer = true` for an
/// inclusive integer range).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SweepParameter {
    /// Explicit values.
    #[serde(default)]
    pub values: Option<Vec<toml::Value>>,
    /// Lower end of a range.
    #[serde(default)]
    pub min: Option<f64>,
    /// Upper end of a range.
    #[serde(default)]
    pub max: Option<f64>,
    /// Uniform in the logarithm (min > 0).
    #[serde(default)]
    pub log: bool,
    /// An integer range (min and max whole numbers).
    #[serde(default)]
    pub integer: bool,
}

/// A group of buyers.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Group {
    /// Member buyers (ISO3 keys of `buyers`).
    pub buyers: Vec<String>,
    /// When true a buyer counts only from its `nato_since` quarter (Finland
    /// and Sweden were partners before 2023/2024).
    #[serde(default)]
    pub nato_only: bool,
}

/// An observed pattern: a metric computed from each run, the observed
/// value and a tolerance.
///
/// Metrics (contracts are dated by signing, deliveries by delivery):
/// - `value`, `units`, `count`: sum of contract value (US$ m), units, or
///   number of contracts;
/// - `share`: share of `supplier_country` in the contract value of the
///   scope;
/// - `buyer_share`: share of `buyer` in `supplier_country`'s contract value
///   with the scope's buyers;
/// - `lead_promised`, `lead_actual`: mean months from signing to the
///   promised, or actual, first delivery (contracts without a delivery by
///   the end of the run are left out of `lead_actual`);
/// - `delivered_share`: share of `supplier_country` in the value of imports
///   delivered to the scope (deliveries from a buyer's own industry left
///   out, as SIPRI counts transfers between states), valuing units at each
///   line's `tiv` (a stand-in for SIPRI trend-indicator values).
///
/// The scope is every buyer, or `buyer`, or `group` (for `buyer_share`,
/// `buyer` is the numerator and `group` the scope), in `categories` (all if
/// empty), from `from` to `to` (quarters, inclusive).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// The pattern it belongs to (`P1`..`P6`).
    pub pattern: String,
    /// One of the metrics above.
    pub metric: Metric,
    /// Supplier country filter (a key of `countries` or `buyers`).
    #[serde(default)]
    pub supplier_country: Option<String>,
    /// A buyer.
    #[serde(default)]
    pub buyer: Option<String>,
    /// A group of buyers (a key of `groups`).
    #[serde(default)]
    pub group: Option<String>,
    /// Categories (keys of `categories`); all if empty.
    #[serde(default)]
    pub categories: Vec<String>,
    /// First quarter.
    pub from: Quarter,
    /// Last quarter (inclusive).
    pub to: Quarter,
    /// Observed value, in the metric's unit.
    pub observed: f64,
    /// How far a simulated value may be and still pass.
    pub tolerance: Tolerance,
    /// Source of the observed value.
    #[serde(default)]
    pub source: Option<String>,
}

/// Exactly one of: `abs` (|sim − obs| ≤ abs), `rel` (|sim − obs| ≤
/// rel · |obs|), `range` (lo ≤ sim ≤ hi).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tolerance {
    /// Absolute tolerance.
    #[serde(default)]
    pub abs: Option<f64>,
    /// Relative tolerance.
    #[serde(default)]
    pub rel: Option<f64>,
    /// Accepted range [lo, hi].
    #[serde(default)]
    pub range: Option<[f64; 2]>,
}

/// Output selection.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Outputs {
    /// Files `run` writes: any of `contracts`, `market`, `suppliers`,
    /// `buyers`, `summary` (the manifest is always written). A sweep writes
    /// its own tables and keeps per-run tables only with `--keep`.
    #[serde(default = "Outputs::default_files")]
    pub files: Vec<Table>,
    /// The supplier country whose contract value the summary reports per
    /// year (a key of `countries` or `buyers`).
    #[serde(default = "Outputs::default_focus")]
    pub focus_country: String,
}

impl Outputs {
    fn default_files() -> Vec<Table> {
        Table::ALL.to_vec()
    }
    fn default_focus() -> String {
        "KOR".into()
    }
}

impl Default for Outputs {
    fn default() -> Self {
        Outputs {
            files: Self::default_files(),
            focus_country: Self::default_focus(),
        }
    }
}

/// Budget formation: `observed` follows each buyer's spending and equipment
/// series; `threat` moves spending toward `base + response * threat`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spending {
    /// `"observed"` or `"threat"`.
    pub mode: SpendingMode,
    /// Share of the distance to the threat-driven target closed each quarter
    /// (0..1, `threat` mode).
    #[serde(default = "Spending::default_speed")]
    pub adjust_speed: f64,
}

impl Spending {
    fn default_speed() -> f64 {
        0.25
    }
}

/// Market-wide parameters of tendering, offers, delivery and learning.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Market {
    /// Years of equipment budget a buyer may have committed at once.
    pub commitment_years: f64,
    /// Acceptable lead to last delivery at zero threat, quarters.
    pub acceptable_lead: f64,
    /// How fast the acceptable lead shrinks with threat:
    /// `acceptable_lead / (1 + sensitivity * threat)`.
    pub acceptable_lead_threat: f64,
    /// Quarters before a deferred tender reopens.
    pub defer_quarters: u32,
    /// Quarters after a contract before the buyer reviews that category
    /// again; the remainder of a split lot is re-tendered the next
    /// quarter regardless. Procurement is planned yearly, so 4 by default.
    #[serde(default = "Market::default_review")]
    pub review_quarters: u32,
    /// Planning horizon that defines utilisation for pricing, quarters.
    pub planning_horizon: f64,
    /// Weight of neighbours' fleets (same region) in commonality.
    pub neighbour_weight: f64,
    /// Share of each reliability observation that reaches every other
    /// buyer.
    pub public_reputation: f64,
    /// Prior Beta(alpha, beta) of every buyer's belief in every supplier.
    pub reliability_prior: [f64; 2],
    /// Quarters from signing to hand-over of diverted ready stock.
    pub diversion_lead: u32,
    /// Threat a buyer must face before a home government diverts units from
    /// its own orders to it: governments give up their own forces'
    /// production slots for allies in urgent need, not for routine buys.
    /// 0 lets every buyer have them.
    #[serde(default)]
    pub diversion_min_threat: f64,
}

impl Market {
    fn default_review() -> u32 {
        4
    }
}

/// A threat region.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Region {
    /// Baseline threat θ⁰.
    pub threat: f64,
}

/// A threat shock: `magnitude * exposure[region] * decay^(t - quarter)`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Shock {
    /// Quarter of onset.
    pub quarter: Quarter,
    /// Size of the shock.
    pub magnitude: f64,
    /// Per-quarter persistence.
    pub decay: f64,
    /// Exposure of each region; regions not listed have 0.
    pub exposure: BTreeMap<String, f64>,
}

/// An equipment category.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Category {
    /// Reference price per unit, US$ m: the `ref_c` the utility's price
    /// term compares offers with.
    pub ref_price: f64,
    /// Service life of modern units, years.
    pub life_years: f64,
    /// Years over which the legacy fleet at the start retires.
    pub legacy_retire_years: f64,
    /// Smallest lot worth a tender, units.
    pub min_lot: u32,
    /// Response of the required force to threat, ρ.
    pub threat_response: f64,
}

/// A supplier home country (for export credit).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Country {
    /// Display name.
    #[serde(default)]
    pub name: Option<String>,
    /// Share of a contract's value the country's export credit covers.
    #[serde(default)]
    pub credit_share: f64,
    /// Cap on outstanding export credit, US$ m.
    #[serde(default)]
    pub credit_cap: f64,
    /// Years over which export credit is repaid.
    #[serde(default = "Country::default_repayment")]
    pub credit_repayment_years: f64,
}

impl Country {
    fn default_repayment() -> f64 {
        10.0
    }
}

/// Preference weights of the utility.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Preferences {
    /// Weights every buyer starts from.
    pub default: Weights,
    /// Partial overrides per region.
    #[serde(default)]
    pub regions: BTreeMap<String, WeightOverrides>,
    /// Partial overrides per buyer (applied after the region's).
    #[serde(default)]
    pub buyers: BTreeMap<String, WeightOverrides>,
}

/// The weights of `U = -price*ln(p/ref) - delivery*(1+urgency*θ)*L/4 + ...`.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Weights {
    /// w_p, on ln(price / reference price).
    pub price: f64,
    /// w_L, per year of first-delivery lead.
    pub delivery: f64,
    /// φ, how much threat raises the weight of delivery.
    pub urgency: f64,
    /// w_Q, on quality.
    pub quality: f64,
    /// w_I, on interoperability.
    pub interoperability: f64,
    /// w_O, on the localisation offset.
    pub offset: f64,
    /// w_R, on believed reliability.
    pub reliability: f64,
    /// w_C, on commonality with own and neighbours' fleets.
    pub commonality: f64,
    /// w_D, on the supplier being a domestic producer.
    pub domestic: f64,
    /// w_A, on political affinity (0 in commercial-only worlds).
    pub affinity: f64,
    /// u_0, the deterministic utility of deferring.
    pub defer: f64,
}

/// Partial weights: any subset of [`Weights`].
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WeightOverrides {
    #[allow(missing_docs)]
    pub price: Option<f64>,
    #[allow(missing_docs)]
    pub delivery: Option<f64>,
    #[allow(missing_docs)]
    pub urgency: Option<f64>,
    #[allow(missing_docs)]
    pub quality: Option<f64>,
    #[allow(missing_docs)]
    pub interoperability: Option<f64>,
    #[allow(missing_docs)]
    pub offset: Option<f64>,
    #[allow(missing_docs)]
    pub reliability: Option<f64>,
    #[allow(missing_docs)]
    pub commonality: Option<f64>,
    #[allow(missing_docs)]
    pub domestic: Option<f64>,
    #[allow(missing_docs)]
    pub affinity: Option<f64>,
    #[allow(missing_docs)]
    pub defer: Option<f64>,
}

/// A buying state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Buyer {
    /// Display name.
    pub name: String,
    /// Threat region (a key of `regions`).
    pub region: String,
    /// Quarter of NATO accession; a partner before it. Omit for non-members.
    #[serde(default)]
    pub nato_since: Option<Quarter>,
    /// Multiplier on the region's threat, e.g. for a land border.
    #[serde(default = "one")]
    pub threat_exposure: f64,
    /// Share of contract value the buyer asks to be produced at home.
    #[serde(default)]
    pub localisation_demand: f64,
    /// GDP path, US$ bn per year.
    pub gdp: YearSeries,
    /// Yearly GDP growth after the last year of `gdp`.
    #[serde(default)]
    pub gdp_growth: f64,
    /// Defence spending, % of GDP per year (`observed` mode; values ≥ 0).
    pub spending: YearSeries,
    /// Equipment share of defence spending, % per year.
    pub equipment: YearSeries,
    /// `threat` mode: spending % of GDP at zero threat.
    pub spending_base: f64,
    /// `threat` mode: percentage points of GDP per unit of threat.
    pub spending_threat: f64,
    /// `threat` mode: equipment share % at zero threat.
    pub equipment_base: f64,
    /// `threat` mode: equipment share points per unit of threat.
    pub equipment_threat: f64,
    /// Fleet in the start quarter per category (a key of `categories`).
    #[serde(default)]
    pub fleet: BTreeMap<String, Fleet>,
}

fn one() -> f64 {
    1.0
}

/// A buyer's fleet of one category at the start.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    /// Units in service.
    pub units: u32,
    /// Of which legacy units that retire over the category's
    /// `legacy_retire_years`.
    #[serde(default)]
    pub legacy: u32,
    /// Required force at zero threat; defaults to `units`.
    #[serde(default)]
    pub required: Option<u32>,
    /// Modern units by platform family (sum ≤ units - legacy); the rest
    /// belong to no family offered in the market.
    #[serde(default)]
    pub families: BTreeMap<String, u32>,
}

/// A supplying firm.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Supplier {
    /// Display name.
    pub name: String,
    /// Home country: a key of `countries` or of `buyers`.
    pub country: String,
    /// Cash at the start, US$ m.
    pub cash: f64,
    /// Share of delivered value that becomes cash.
    pub margin: f64,
    /// Price mark-up per unit of utilisation, μ.
    pub markup: f64,
    /// Baseline market access: probability of entering a buyer's
    /// consideration set.
    pub access: Access,
    /// Yearly investment policy.
    pub invest: Investment,
    /// Product lines, keyed by id.
    pub lines: BTreeMap<String, Line>,
}

/// Baseline access probabilities: the buyer's entry overrides its
/// region's, which overrides the default. A supplier always reaches its own
/// home country's buyer.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// For every buyer not otherwise listed.
    pub default: f64,
    /// Per region.
    #[serde(default)]
    pub regions: BTreeMap<String, f64>,
    /// Per buyer.
    #[serde(default)]
    pub buyers: BTreeMap<String, f64>,
}

/// A supplier's yearly investment rules.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Investment {
    /// When false the firm never invests (capacity, interoperability,
    /// marketing, localisation).
    #[serde(default = "yes")]
    pub enabled: bool,
    /// Backlog, in years of capacity, above which capacity is expanded.
    pub backlog_threshold: f64,
    /// Largest yearly capacity expansion as a share of capacity.
    pub growth: f64,
    /// Quarters from ordering capacity to it producing.
    pub build_lag: u32,
    /// Cost of one unit per quarter of new capacity, US$ m.
    pub capex: f64,
    /// Yearly spend on interoperability (certification, NATO standards), US$ m.
    #[serde(default)]
    pub interop_spend: f64,
    /// η: `I += rate * (1 - I) * spend / scale`.
    #[serde(default)]
    pub interop_rate: f64,
    /// Spend that buys one `rate` step, US$ m.
    #[serde(default = "ten")]
    pub interop_scale: f64,
    /// Yearly marketing spend per region, US$ m.
    #[serde(default)]
    pub marketing: BTreeMap<String, f64>,
    /// Yearly persistence of the marketing stock.
    #[serde(default = "half")]
    pub marketing_decay: f64,
    /// Marketing spend per unit of stock, US$ m; access is
    /// `1 - (1 - base) * exp(-stock)`.
    #[serde(default = "ten")]
    pub marketing_scale: f64,
    /// Yearly spend on foreign joint ventures, US$ m.
    #[serde(default)]
    pub localisation_spend: f64,
    /// Rate at which that spend raises every line's localisation ceiling.
    #[serde(default)]
    pub localisation_rate: f64,
    /// Spend that buys one `rate` step, US$ m.
    #[serde(default = "ten")]
    pub localisation_scale: f64,
}

fn yes() -> bool {
    true
}
fn ten() -> f64 {
    10.0
}
fn half() -> f64 {
    0.5
}

/// A product line: one system built on one line.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Line {
    /// Category (a key of `categories`).
    pub category: String,
    /// Platform family for commonality; defaults to the line id.
    #[serde(default)]
    pub family: Option<String>,
    /// List price per unit, US$ m.
    pub list_price: f64,
    /// Quality.
    pub quality: f64,
    /// Interoperability with NATO standards.
    pub interoperability: f64,
    /// Quarters from a unit's start of production to its delivery.
    pub base_lead: u32,
    /// Units started per quarter.
    pub capacity: f64,
    /// True probability that a quarter's output is delivered on time.
    pub reliability: f64,
    /// Share of a slipping quarter's output that moves to the next quarter.
    #[serde(default = "half")]
    pub slip_share: f64,
    /// Localisation ceiling: largest share of work placed in the buyer's
    /// country.
    #[serde(default)]
    pub localisation: f64,
    /// First quarter the line is offered; defaults to the start.
    #[serde(default)]
    pub available_from: Option<Quarter>,
    /// Home-government units queued at the start.
    #[serde(default)]
    pub initial_backlog: u32,
    /// Home-government (and other non-modelled) orders, units per year.
    #[serde(default)]
    pub home_orders: YearSeries,
    /// Share of home units in production that the home government lets
    /// export buyers take.
    #[serde(default)]
    pub divertible_share: f64,
    /// Value of one unit for delivered-value shares (a stand-in for SIPRI
    /// trend-indicator values), US$ m; defaults to `list_price`.
    #[serde(default)]
    pub tiv: Option<f64>,
}

/// An exogenous event. Which fields apply depends on `kind`:
/// - `donation`: `buyer`, `category`, `units` leave the fleet (legacy first);
/// - `access`: `supplier` (or every supplier of `country`) gains `amount` of
///   marketing stock with `buyer` or `region` (or everywhere);
/// - `affinity`: affinity between `buyer` (or every buyer) and `country`
///   rises by `amount`;
/// - `credit_cap`: `country`'s export-credit cap becomes `amount`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `donation`, `access`, `affinity` or `credit_cap`.
    pub kind: EventKind,
    /// Quarter it takes effect.
    pub quarter: Quarter,
    /// A shock (key of `shocks`) the event is a consequence of: it happens
    /// only if that shock's magnitude is above zero (donations to a country
    /// at war do not happen in a world without that war).
    #[serde(default)]
    pub shock: Option<String>,
    /// Buyer concerned (ISO3).
    #[serde(default)]
    pub buyer: Option<String>,
    /// Region concerned.
    #[serde(default)]
    pub region: Option<String>,
    /// Supplier concerned.
    #[serde(default)]
    pub supplier: Option<String>,
    /// Country concerned.
    #[serde(default)]
    pub country: Option<String>,
    /// Category concerned.
    #[serde(default)]
    pub category: Option<String>,
    /// Units (donations).
    #[serde(default)]
    pub units: Option<u32>,
    /// Size (access, affinity, credit cap).
    #[serde(default)]
    pub amount: Option<f64>,
    /// Source or reason, for the reader.
    #[serde(default)]
    pub note: Option<String>,
}

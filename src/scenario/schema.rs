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
pub use super::vocabulary::{
    DesignKind, EventKind, Hypothesis, Metric, PriorKind, Procedure, Role, SpendingMode, Table,
};
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
    /// Supplier home countries (ISO3 keys: `KOR`, `USA`): the credit and export terms of any, and the name and EU membership of those that are not buyers (a buyer's are in `buyers`).
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
    /// Exogenous events (donations, access, affinity, credit caps,
    /// requirement decisions), keyed by id.
    #[serde(default)]
    pub events: BTreeMap<String, Event>,
    /// Which hypothesis the file stands for: `commercial` (strategic
    /// mechanisms off; contested ones as `compare --contested` assigns
    /// them) or `strategic` (every mechanism on). Omitted: the mechanisms
    /// run as `mechanisms` sets them.
    #[serde(default)]
    pub hypothesis: Option<Hypothesis>,
    /// Switches of the registered mechanisms (all on by default):
    /// `mechanisms.diversion = false`.
    #[serde(default)]
    pub mechanisms: crate::model::mechanisms::Mechanisms,
    /// Durations of procurement procedures.
    #[serde(default)]
    pub procedures: Procedures,
    /// Contracts signed before the start whose deliveries are still due
    /// (programmes in flight), keyed by id.
    #[serde(default)]
    pub programmes: BTreeMap<String, Programme>,
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
    /// A calibration of this world, or of the models it names, by ABC-SMC
    /// (`armsmarket calibrate`); a file with it is refused by `run`,
    /// `compare` and `sweep`.
    #[serde(default)]
    pub calibrate: Option<Calibrate>,
}

/// A calibration by ABC-SMC: priors over dotted paths, the models to choose
/// between, the population and the stopping rules. Which targets are fitted
/// and which held out is each target's `role`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibrate {
    /// Particles per generation.
    pub population: usize,
    /// Generations at most, the prior sample (generation 0) included.
    #[serde(default = "Calibrate::default_generations")]
    pub generations: u32,
    /// Replications per particle; a particle's statistics are their means.
    #[serde(default = "Calibrate::one")]
    pub replications: u32,
    /// Seed of the calibration; defaults to the scenario's.
    #[serde(default)]
    pub seed: Option<u64>,
    /// Quantile of the previous generation's distances that sets the next
    /// tolerance (0.5: the weighted median).
    #[serde(default = "Calibrate::default_quantile")]
    pub quantile: f64,
    /// Stop once a generation's tolerance is at or below this.
    #[serde(default)]
    pub min_tolerance: f64,
    /// Stop once a generation cannot reach this acceptance rate.
    #[serde(default)]
    pub min_acceptance: f64,
    /// At most this many proposals counted in all (the proposal indices
    /// the generations consume; a batch may simulate a few past them).
    #[serde(default)]
    pub max_simulations: Option<u64>,
    /// Stop starting batches after this many minutes of the calibration,
    /// time before a kill and `--resume` included.
    #[serde(default)]
    pub max_minutes: Option<f64>,
    /// Proposals per round of a sharded calibration (`--shard`); none:
    /// estimated from the acceptance rates.
    #[serde(default)]
    pub round_size: Option<u64>,
    /// The models to choose between, keyed by id; empty: this file's world
    /// alone.
    #[serde(default)]
    pub models: BTreeMap<String, CalibrationModel>,
    /// The free parameters, keyed by dotted path.
    pub parameters: BTreeMap<String, CalibrationParameter>,
}

impl Calibrate {
    fn default_generations() -> u32 {
        8
    }
    fn one() -> u32 {
        1
    }
    fn default_quantile() -> f64 {
        0.5
    }
}

/// A model of a calibration: a scenario file and its prior weight.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationModel {
    /// The scenario file, relative to the calibration file.
    pub file: String,
    /// Prior weight (normalised over the models).
    #[serde(default = "CalibrationModel::one")]
    pub probability: f64,
}

impl CalibrationModel {
    fn one() -> f64 {
        1.0
    }
}

/// A free parameter: its prior over [`min`, `max`], integer when its key
/// is, the models it belongs to, and its true value if known.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationParameter {
    /// The shape of the prior.
    pub prior: PriorKind,
    /// Lower bound.
    pub min: f64,
    /// Upper bound.
    pub max: f64,
    /// Mean of a `normal` prior.
    #[serde(default)]
    pub mean: Option<f64>,
    /// Standard deviation of a `normal` prior.
    #[serde(default)]
    pub sd: Option<f64>,
    /// The true value (synthetic data): reported and checked for coverage.
    #[serde(default)]
    pub truth: Option<f64>,
    /// The models (ids of `calibrate.models`) it is free in; all if absent.
    #[serde(default)]
    pub models: Option<Vec<String>>,
}

/// How long a tender takes from requirement to contract, by procedure:
/// `round(quarters · (1 − spread + 2 · spread · U) / (1 + urgency · θ))` at
/// the buyer's threat θ, U uniform (a keyed draw per tender).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Procedures {
    /// Open competition with trials, quarters at zero threat.
    pub competition_quarters: f64,
    /// Direct government-to-government award, quarters at zero threat.
    pub direct_quarters: f64,
    /// Framework agreement: quarters to the framework at zero threat.
    pub framework_quarters: f64,
    /// Quarters between executive contracts under a framework.
    pub executive_interval: u32,
    /// Years a framework stays open for executive contracts.
    pub framework_years: f64,
    /// How much threat shortens every procedure.
    pub urgency: f64,
    /// Spread of a tender's duration around its procedure's: a
    /// tender takes `(1 − spread + 2 · spread · U)` times the mean, U
    /// uniform, so that real competitions' varied lengths are kept.
    pub spread: f64,
}

impl Default for Procedures {
    fn default() -> Self {
        Procedures {
            competition_quarters: 0.0,
            direct_quarters: 0.0,
            framework_quarters: 0.0,
            executive_interval: 4,
            framework_years: 8.0,
            urgency: 0.0,
            spread: 0.0,
        }
    }
}

/// A contract signed before the start whose units are still to be
/// delivered: it holds its place in the line's queue, owes its value, and
/// its deliveries enter the buyer's fleet. It is history, not a choice of
/// the model, and is not in the contract log.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Programme {
    /// Buyer (ISO3).
    pub buyer: String,
    /// Supplier (a key of `suppliers`).
    pub supplier: String,
    /// Line (a key of that supplier's `lines`).
    pub line: String,
    /// Quarter of signing, before `start`.
    pub signed: Quarter,
    /// Units still to be delivered at the start.
    pub units: u32,
    /// Value still owed, US$ m; defaults to units × list price.
    #[serde(default)]
    pub value: Option<f64>,
    /// Source of the figures.
    #[serde(default)]
    pub source: Option<String>,
}

/// A design over dotted parameter paths (the paths of `--set`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sweep {
    /// `grid`, `random`, `lhs` (Latin hypercube), `sobol` (scrambled
    /// Sobol'; a power-of-two number of points), `saltelli` (Sobol'
    /// sensitivity indices) or `morris` (elementary effects).
    pub design: DesignKind,
    /// Number of points (not for `grid`, whose points are the product of
    /// the parameters' values, nor for `morris`); base rows `N` of a
    /// `saltelli` design.
    #[serde(default)]
    pub points: Option<usize>,
    /// `saltelli`: add the BA matrices for second-order indices (default
    /// true, as SALib).
    #[serde(default)]
    pub second_order: Option<bool>,
    /// `saltelli`: scramble the Sobol' sequence with the seed (default
    /// true); false gives SALib's `scramble=False` design exactly.
    #[serde(default)]
    pub scramble: Option<bool>,
    /// `morris`: number of trajectories `r`.
    #[serde(default)]
    pub trajectories: Option<usize>,
    /// `morris`: levels `p` of the grid (even; default 4).
    #[serde(default)]
    pub levels: Option<usize>,
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
    /// Whether only new builds count: contracts of stock lines (second-hand
    /// units) and of upgrade lines are left out of the metric, on both
    /// sides of a share, when the observed figure is of new builds alone.
    #[serde(default)]
    pub new_builds: bool,
    /// Whether it describes the 2022–23 surge itself (the verdict's
    /// robustness table reports the surge targets alone).
    #[serde(default)]
    pub surge: bool,
    /// Whether a calibration fits it or holds it out.
    #[serde(default = "Role::fit")]
    pub role: Role,
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
    /// `buyers`, `exogenous`, `summary` (the manifest is always written).
    /// The default is the small ones, contracts and summary. A sweep
    /// writes its own tables and keeps per-run tables only with `--tables`.
    #[serde(default = "Outputs::default_files")]
    pub files: Vec<Table>,
    /// The supplier country whose contract value the summary reports per
    /// year (a key of `countries` or `buyers`).
    #[serde(default = "Outputs::default_focus")]
    pub focus_country: String,
}

impl Outputs {
    fn default_files() -> Vec<Table> {
        vec![Table::Contracts, Table::Summary]
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
    /// Access probability of a foreign firm to a buyer it has no footing
    /// with, before marketing.
    #[serde(default = "Market::default_access_base")]
    pub access_base: f64,
    /// Access added where the buyer operates a family the firm makes
    /// (incumbency).
    #[serde(default)]
    pub access_incumbent: f64,
    /// Share of a firm's yearly delivered value it spends on market
    /// development (marketing, interoperability, localisation).
    #[serde(default)]
    pub development_rate: f64,
    /// How much idle capacity raises that spending: `rate · (1 + idle ·
    /// idle_share)`.
    #[serde(default)]
    pub development_idle: f64,
    /// Shares of the development spend going to marketing,
    /// interoperability and localisation (summing to 1).
    #[serde(default = "Market::default_split")]
    pub development_split: [f64; 3],
    /// Yearly persistence of a marketing stock.
    #[serde(default = "Market::default_half")]
    pub marketing_decay: f64,
    /// Marketing spend per unit of stock, US$ m: access is
    /// `1 − (1 − base) · exp(−stock)`.
    #[serde(default = "Market::default_ten")]
    pub marketing_scale: f64,
    /// η of interoperability: `I += rate · (1 − I) · spend / scale`.
    #[serde(default)]
    pub interop_rate: f64,
    /// Spend that buys one interoperability `rate` step, US$ m.
    #[serde(default = "Market::default_ten")]
    pub interop_scale: f64,
    /// Rate at which localisation spend raises the ceiling.
    #[serde(default)]
    pub localisation_rate: f64,
    /// Spend that buys one localisation `rate` step, US$ m.
    #[serde(default = "Market::default_ten")]
    pub localisation_scale: f64,
}

impl Market {
    fn default_review() -> u32 {
        4
    }
    fn default_access_base() -> f64 {
        0.1
    }
    fn default_split() -> [f64; 3] {
        [0.5, 0.25, 0.25]
    }
    fn default_half() -> f64 {
        0.5
    }
    fn default_ten() -> f64 {
        10.0
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
    /// Capability of a legacy unit toward the requirement, a new unit
    /// counting 1.
    #[serde(default = "one")]
    pub legacy_capability: f64,
    /// Capability of a unit of replaced equipment; defaults to
    /// `legacy_capability`.
    #[serde(default)]
    pub replaced_capability: Option<f64>,
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
    /// Quarter of EU accession (for the European-preference term); omit
    /// for non-members. A buyer's own entry is `buyers.<id>.eu_since`.
    #[serde(default)]
    pub eu_since: Option<Quarter>,
    /// Quarter the country left the EU, if it did.
    #[serde(default)]
    pub eu_until: Option<Quarter>,
    /// Multiplier on its firms' market-development spending: a
    /// national export drive, set only from a source.
    #[serde(default = "one")]
    pub export_ambition: f64,
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
    /// w_L, per year of the lot's mean lead (the quantity-weighted mean
    /// time to delivery of the units the offer would sign).
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
    /// w_E, on an EU buyer choosing a supplier from an EU country.
    #[serde(default)]
    pub european: f64,
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
    pub european: Option<f64>,
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
    /// Quarter of EU accession; omit for non-members.
    #[serde(default)]
    pub eu_since: Option<Quarter>,
    /// Quarter the buyer left the EU, if it did.
    #[serde(default)]
    pub eu_until: Option<Quarter>,
    /// Procurement procedure by period: `{ "2010Q1" = "competition",
    /// "2022Q2" = "framework" }`; each applies from its quarter to the next
    /// entry. Before the first entry, and without any: `competition`.
    #[serde(default)]
    pub procedure: BTreeMap<String, Procedure>,
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
    /// Lineage of the legacy units (a family id that upgrade lines name).
    #[serde(default)]
    pub legacy_family: Option<String>,
    /// Capability of this fleet's legacy units, where they differ
    /// from the category's `legacy_capability` (a Leclerc is not a T-72).
    #[serde(default)]
    pub legacy_capability: Option<f64>,
    /// Years over which this fleet's legacy units retire, where the
    /// buyer's plan differs from the category's `legacy_retire_years`.
    #[serde(default)]
    pub legacy_retire_years: Option<f64>,
    /// Units of equipment outside this category that its buys replace
    /// (towed guns for self-propelled ones).
    #[serde(default)]
    pub replaced: u32,
    /// Years over which the replaced equipment retires; defaults to
    /// the category's `legacy_retire_years`.
    #[serde(default)]
    pub replaced_retire_years: Option<f64>,
    /// Required force at zero threat, in capability units (a new unit
    /// counts 1). Defaults to the capability of the start fleet, replaced
    /// equipment and programmes in flight at the start's threat, so that a
    /// world at rest opens no tender at the start.
    #[serde(default)]
    pub required: Option<f64>,
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
    /// Sourced access overrides per buyer; otherwise access follows the
    /// market's rule.
    #[serde(default)]
    pub access: Access,
    /// Yearly investment policy; a seller without one (a government
    /// selling from its stocks) never invests.
    #[serde(default)]
    pub invest: Investment,
    /// Product lines, keyed by id.
    pub lines: BTreeMap<String, Line>,
}

/// Base access probabilities that a source gives for a firm and a
/// buyer, replacing the market's rule for that pair. A supplier always
/// reaches its own home country's buyer.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Access {
    /// Per buyer.
    #[serde(default)]
    pub buyers: BTreeMap<String, f64>,
}

/// A supplier's yearly capacity investment (market development follows
/// the market's common rule, `market.development_*`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Investment {
    /// When false the firm never invests (capacity or market development).
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
}

impl Default for Investment {
    /// No investment at all.
    fn default() -> Self {
        Investment {
            enabled: false,
            backlog_threshold: 1.0,
            growth: 0.0,
            build_lag: 0,
            capex: 0.0,
        }
    }
}

fn yes() -> bool {
    true
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
    /// Capability of a delivered unit toward the requirement; a new
    /// unit counts 1, a used or upgraded one less.
    #[serde(default = "one")]
    pub capability: f64,
    /// Service life of a delivered unit, years: a used unit's
    /// remaining life, or the life an upgrade adds. Defaults to the
    /// category's `life_years`.
    #[serde(default)]
    pub life_years: Option<f64>,
    /// An upgrade line: the legacy lineage (a fleet's `legacy_family`) it
    /// upgrades, a family the scenario knows. Each unit takes one legacy
    /// unit of that lineage and returns it at `capability`.
    #[serde(default)]
    pub upgrades: Option<String>,
    /// A stock line: units of a finite stock of used or surplus units,
    /// depleted as they are sold (no home orders, no capacity investment).
    #[serde(default)]
    pub stock: Option<u32>,
}

/// An exogenous event. Which fields apply depends on `kind` (donation,
/// access, affinity, credit_cap, requirement):
/// - `donation`: `buyer`, `category`, `units` leave the fleet (legacy first);
/// - `access`: `supplier` (or every supplier of `country`) gains `amount` of
///   marketing stock with `buyer` or `region` (or everywhere);
/// - `affinity`: affinity between `buyer` (or every buyer) and `country`
///   rises by `amount`;
/// - `credit_cap`: `country`'s export-credit cap becomes `amount`;
/// - `requirement`: `buyer`'s required force in `category` (at zero
///   threat, capability units) changes by `amount` from `quarter` on (a
///   dated force-structure decision).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Event {
    /// `donation`, `access`, `affinity` or `credit_cap`.
    pub kind: EventKind,
    /// Quarter it takes effect.
    pub quarter: Quarter,
    /// A shock (key of `shocks`) the event is a consequence of: it happens
    /// only if that shock's magnitude is above zero (donations to a country
    /// at war do not happen in a world without that war). While the
    /// magnitude is above zero, it may not be dated before the shock's
    /// quarter.
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

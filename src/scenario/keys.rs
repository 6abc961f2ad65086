//! Every key of the scenario format with its type, unit, allowed range and
//! default: the one place these rules are written. Validation checks values
//! against them ([`crate::scenario::validate`]), and `docs/SCENARIO_FORMAT.md`
//! is generated from them ([`fn@reference`]); a test holds the table against
//! the schema's own fields and defaults.
//!
//! Every count and span has an upper bound, and the bounds keep every
//! output finite: the largest world they allow still runs without an
//! infinite or undefined number (a test runs one).

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::OnceLock;

/// The closed interval of numbers a key allows, each end open or closed.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Span {
    /// Lower end.
    pub lo: f64,
    /// Whether `lo` itself is excluded.
    pub lo_open: bool,
    /// Upper end.
    pub hi: f64,
    /// Whether `hi` itself is excluded.
    pub hi_open: bool,
}

/// `lo ..= hi`.
const fn between(lo: f64, hi: f64) -> Span {
    Span {
        lo,
        lo_open: false,
        hi,
        hi_open: false,
    }
}

/// `lo < x <= hi`.
const fn above(lo: f64, hi: f64) -> Span {
    Span {
        lo,
        lo_open: true,
        hi,
        hi_open: false,
    }
}

/// Shares and probabilities.
/// The largest seed: TOML's integers are i64, so a seed above it could
/// not be written back into a scenario file.
const SEED_MAX: f64 = i64::MAX as f64;

const UNIT: Span = between(0.0, 1.0);
/// Per cent.
const PERCENT: Span = between(0.0, 100.0);
/// Preference weights.
const WEIGHT: Span = between(0.0, 100.0);
/// Money in US$ m.
const MONEY: Span = between(0.0, 1e7);
/// Spend scales, US$ m (from one dollar: a smaller scale turned a year's
/// spend into a stock that overflowed, and access fell to 0 through 0 · ∞).
const SCALE: Span = between(1e-6, 1e7);
/// Threat levels and responses.
const THREAT: Span = between(0.0, 10.0);
/// Quarters.
const QUARTERS: Span = between(0.0, 400.0);
/// Fleets and orders, units.
const UNITS: Span = between(0.0, 1e5);
/// Unit prices, US$ m (from one dollar: below, a price over capability
/// and reference price overflowed, and the price term decided tenders at
/// weight 0 through 0 · ∞).
const PRICE: Span = between(1e-6, 1e4);
/// Years (from a quarter, the model's step: a shorter life's retirement
/// rate overflowed its fixed-point carry, and units stopped retiring).
const YEARS: Span = between(0.25, 200.0);
/// Observed values and tolerances of targets.
const OBSERVED: Span = between(-1e12, 1e12);

impl Span {
    /// Whether `x` lies in the span.
    pub fn contains(&self, x: f64) -> bool {
        let lo = if self.lo_open {
            x > self.lo
        } else {
            x >= self.lo
        };
        let hi = if self.hi_open {
            x < self.hi
        } else {
            x <= self.hi
        };
        lo && hi
    }

    /// The rule in words: "between 0 and 1", "> 0 and at most 10000".
    pub fn rule(&self) -> String {
        if self.hi == SEED_MAX {
            return format!("a whole number from {} to {}", show(self.lo), i64::MAX);
        }
        let (lo, hi) = (show(self.lo), show(self.hi));
        match (self.lo_open, self.hi_open) {
            (false, false) => format!("between {lo} and {hi}"),
            (true, false) => format!("> {lo} and at most {hi}"),
            (false, true) => format!("at least {lo} and < {hi}"),
            (true, true) => format!("> {lo} and < {hi}"),
        }
    }
}

/// A number as messages and the reference show it: plain, or in exponent
/// form (as TOML reads it) when very large or small.
pub fn show(x: f64) -> String {
    if x != 0.0 && x.is_finite() && !(1e-4..1e7).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}

/// The longest `name` or id, in characters (a name names a folder).
pub const MAX_NAME: usize = 100;

/// The longest free text (description, source, note), in characters.
pub const MAX_TEXT: usize = 2000;

/// The largest number of replications.
pub const MAX_REPLICATIONS: u32 = 1_000_000;

/// The earliest and latest years of quarters and year series.
pub const YEAR_SPAN: (i32, i32) = (1900, 2200);

/// The longest simulated span, in quarters (100 years).
pub const MAX_QUARTERS: i32 = 400;

/// The most points of a sweep design.
pub const MAX_POINTS: usize = 1_000_000;

/// The most values a sweep parameter may list.
pub const MAX_VALUES: usize = 10_000;

/// What a key holds.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Ty {
    /// A whole number in a span.
    Integer(Span),
    /// A number in a span.
    Number(Span),
    /// `true` or `false`.
    Boolean,
    /// Free text of at most this many characters.
    Text(usize),
    /// A quarter `YYYYQn`.
    Quarter,
    /// A word of a vocabulary.
    Word(&'static [&'static str]),
    /// The id of an entry of this table (`regions`).
    Id(&'static str),
    /// A list of ids of this table.
    Ids(&'static str),
    /// A table of named entries (keyed by id), at most this many.
    Table(usize),
    /// A table of year → number (`{ 2014 = 1.0 }`).
    Years,
    /// A table holding the keys below it.
    Section,
    /// Two numbers in a span.
    Pair(Span),
    /// Three numbers in a span.
    Triple(Span),
    /// A list of words of a vocabulary.
    Words(&'static [&'static str]),
    /// Values of any type (what a swept key takes).
    Any,
}

/// What a key is when it is left out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Omitted {
    /// It must be given.
    Required,
    /// This TOML value.
    Value(&'static str),
    /// It may be left out; what that means is in the text.
    Optional(&'static str),
}

/// One key of the format.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Key {
    /// Dotted path; `*` stands for any id.
    pub path: &'static str,
    /// What it holds.
    pub ty: Ty,
    /// Its unit (empty if none).
    pub unit: &'static str,
    /// Its default.
    pub default: Omitted,
    /// What it means.
    pub doc: &'static str,
}

use Omitted::{Optional, Required, Value};
use Ty::{
    Any, Boolean, Id, Ids, Integer, Number, Pair, Quarter, Section, Text, Word, Words, Years,
};

/// Ids of things that can be a country: `countries` or `buyers`.
const COUNTRY: Ty = Id("countries or buyers");

macro_rules! keys {
    ($( $path:literal : $ty:expr, $unit:literal, $default:expr, $doc:literal; )*) => {
        /// Every key, in the order of the format reference.
        pub const KEYS: &[Key] = &[$(Key { path: $path, ty: $ty, unit: $unit, default: $default, doc: $doc }),*];
    };
}

keys! {
    "name": Text(MAX_NAME), "", Optional("the file's stem"), "Scenario name; names the output folder. Letters, digits, spaces and punctuation; no `/`, `\\` or control characters, no leading `.` or trailing `.shards` (a sweep named `x` writes its shards to `OUT/x.shards/`), not of the form `shard-K-of-N` (a shard's folder), and at most 200 bytes in UTF-8 (a file name holds 255). A name taken from the file's stem follows the same rules.";
    "base": Text(MAX_TEXT), "", Optional("none"), "Another scenario file this one overrides key by key (path relative to this file; a regular file of at most 16 MiB). Its `name` is not inherited.";
    "description": Text(MAX_TEXT), "", Optional("none"), "One-line description, copied to the manifest.";
    "seed": Integer(between(0.0, SEED_MAX)), "", Required, "Master seed of the replications.";
    "replications": Integer(between(1.0, 1e6)), "", Required, "Number of replications.";
    "start": Quarter, "", Required, "First simulated quarter, from 1900Q1 to 2200Q4.";
    "end": Quarter, "", Required, "Last simulated quarter (inclusive), not before `start`: at most 400 quarters (100 years) are simulated, `start` and `end` included, so `end` is at most 399 quarters after `start`.";

    "outputs.files": Words(&["contracts", "market", "suppliers", "buyers", "exogenous", "summary"]), "", Value("[\"contracts\", \"summary\"]"), "Tables `run` writes (the manifest is always written, and targets.csv when the scenario has targets); the per-quarter tables (market, suppliers, buyers) are large and asked for by name; `--tables` on the command line overrides it.";
    "outputs.focus_country": COUNTRY, "", Value("\"KOR\""), "The supplier country whose contract value the summary reports per year.";

    "spending.mode": Word(&["observed", "threat"]), "", Required, "`observed`: budgets follow each buyer's spending and equipment series; `threat`: spending moves toward `base + response * threat`.";
    "spending.adjust_speed": Number(UNIT), "share per quarter", Value("0.25"), "Share of the distance to the threat-driven target closed each quarter (`threat` mode).";

    "market.commitment_years": Number(above(0.0, 100.0)), "years", Required, "Years of equipment budget a buyer may have committed at once.";
    "market.acceptable_lead": Number(above(0.0, 400.0)), "quarters", Required, "Acceptable lead to last delivery at zero threat.";
    "market.acceptable_lead_threat": Number(between(0.0, 100.0)), "per threat unit", Required, "How fast the acceptable lead shrinks with threat: `acceptable_lead / (1 + sensitivity * threat)`.";
    "market.defer_quarters": Integer(between(1.0, 400.0)), "quarters", Required, "Quarters before a deferred tender reopens.";
    "market.review_quarters": Integer(between(1.0, 400.0)), "quarters", Value("4"), "Quarters before the buyer reviews a category again after a contract, after a review that finds no gap, and after a framework call-off that finds the need met; the remainder of a split lot is re-tendered the next quarter regardless.";
    "market.planning_horizon": Number(above(0.0, 400.0)), "quarters", Required, "Planning horizon that defines utilisation for pricing.";
    "market.neighbour_weight": Number(between(0.0, 100.0)), "", Required, "Weight of neighbours' fleets (same region) in commonality.";
    "market.public_reputation": Number(UNIT), "share", Required, "Share of each reliability observation that reaches every other buyer.";
    "market.reliability_prior": Pair(above(0.0, 1e6)), "pseudo-counts", Required, "Prior Beta(alpha, beta) of every buyer's belief in every supplier's reliability.";
    "market.diversion_lead": Integer(QUARTERS), "quarters", Required, "Earliest hand-over of diverted units, in quarters after signing: a diverted unit is handed over at the later of its own due quarter and this.";
    "market.diversion_min_threat": Number(between(0.0, 1e6)), "threat units", Value("0.0"), "Threat a buyer must face before a home government diverts units from its own orders to it; 0 lets every buyer have them.";
    "market.access_base": Number(UNIT), "probability", Value("0.1"), "Access of a foreign firm to a buyer it has no footing with, before marketing: the probability of entering its consideration set.";
    "market.access_incumbent": Number(UNIT), "probability", Value("0.0"), "Access added where the buyer operates a family the firm makes (incumbency).";
    "market.development_rate": Number(UNIT), "share of revenue", Value("0.0"), "Share of a firm's yearly delivered value it spends on market development (marketing, interoperability, localisation).";
    "market.development_idle": Number(between(0.0, 100.0)), "", Value("0.0"), "How much idle capacity raises that spending: `rate * (1 + idle * idle_share)`.";
    "market.development_split": Ty::Triple(UNIT), "shares", Value("[0.5, 0.25, 0.25]"), "Shares of the development spend going to marketing, interoperability and localisation; they add up to 1.";
    "market.marketing_decay": Number(UNIT), "per year", Value("0.5"), "Yearly persistence of a marketing stock.";
    "market.marketing_scale": Number(SCALE), "US$ m per unit of stock", Value("10.0"), "Marketing spend per unit of stock; access is `1 - (1 - base) * exp(-stock)`.";
    "market.interop_rate": Number(between(0.0, 10.0)), "per scale of spend", Value("0.0"), "η: `I += rate * (1 - I) * spend / scale`.";
    "market.interop_scale": Number(SCALE), "US$ m", Value("10.0"), "Spend that buys one interoperability `rate` step.";
    "market.localisation_rate": Number(between(0.0, 10.0)), "per scale of spend", Value("0.0"), "Rate at which localisation spend raises every line's localisation ceiling.";
    "market.localisation_scale": Number(SCALE), "US$ m", Value("10.0"), "Spend that buys one localisation `rate` step.";

    "hypothesis": Word(&["commercial", "strategic"]), "", Optional("the mechanisms as `mechanisms` sets them"), "The hypothesis the file stands for: `commercial` (strategic mechanisms off; contested ones as `compare --contested` assigns them) or `strategic` (every mechanism the file leaves on).";
    "mechanisms": Section, "", Optional("every mechanism on"), "Switches of the registered mechanisms (docs/ODD.md lists them with their class).";
    "mechanisms.diversion": Boolean, "", Value("true"), "Home governments hand urgent export buyers production slots of their own forces' orders (contested).";
    "mechanisms.second_hand": Boolean, "", Value("true"), "Governments sell surplus and second-hand units from their stocks (contested).";
    "mechanisms.upgrades": Boolean, "", Value("true"), "Buyers may upgrade legacy units instead of buying new ones (commercial).";
    "mechanisms.market_access": Boolean, "", Value("true"), "Marketing by the yearly development rule, incumbency and dated `access` events raise access (contested).";
    "mechanisms.domestic_preference": Boolean, "", Value("true"), "Buyers prefer their own country's industry, w_D (contested).";
    "mechanisms.european_preference": Boolean, "", Value("true"), "EU buyers prefer suppliers from EU countries, w_E (contested).";
    "mechanisms.g2g_awards": Boolean, "", Value("true"), "Direct government-to-government awards, faster than open competitions (contested).";
    "mechanisms.affinity": Boolean, "", Value("true"), "Political affinity between buyer and supplier country, w_A, and the affinity events (strategic).";
    "mechanisms.export_credit": Boolean, "", Value("true"), "Supplier countries finance part of a contract's value (commercial).";
    "mechanisms.localisation": Boolean, "", Value("true"), "Work placed in the buyer's country, w_O (commercial).";
    "mechanisms.commonality": Boolean, "", Value("true"), "Logistic commonality with own and neighbours' fleets, w_C (commercial).";
    "mechanisms.capacity_investment": Boolean, "", Value("true"), "Firms expand capacity when their backlog is long (commercial).";
    "mechanisms.lot_splitting": Boolean, "", Value("true"), "A buyer contracts what arrives in time and re-tenders the rest (commercial).";
    "mechanisms.tender_stages": Boolean, "", Value("true"), "Tenders take time to decide, by procedure and urgency (commercial; part of every hypothesis).";
    "mechanisms.warmup": Boolean, "", Value("true"), "Programmes in flight at the start, and each procurement started where the model's steady state puts it (commercial; part of every hypothesis).";

    "procedures": Section, "", Optional("every procedure instant"), "Durations of procurement procedures: a tender takes `round(quarters * (1 - spread + 2 * spread * U) / (1 + urgency * threat))`, U uniform.";
    "procedures.competition_quarters": Number(QUARTERS), "quarters", Value("0.0"), "Open competition with trials, at zero threat.";
    "procedures.direct_quarters": Number(QUARTERS), "quarters", Value("0.0"), "Direct government-to-government award, at zero threat.";
    "procedures.framework_quarters": Number(QUARTERS), "quarters", Value("0.0"), "Framework agreement: quarters to the framework, at zero threat.";
    "procedures.executive_interval": Integer(between(1.0, 400.0)), "quarters", Value("4"), "Quarters between executive contracts under a framework.";
    "procedures.framework_years": Number(above(0.0, 100.0)), "years", Value("8.0"), "Years a framework stays open for executive contracts.";
    "procedures.urgency": Number(between(0.0, 100.0)), "per threat unit", Value("0.0"), "How much threat shortens every procedure.";
    "procedures.spread": Number(UNIT), "", Value("0.0"), "Spread of a tender's duration around its procedure's mean.";

    "programmes": Ty::Table(10_000), "", Value("{}"), "Contracts signed before the start whose units are still to be delivered (programmes in flight), keyed by id: they hold their place in the line's queue, owe their value, and their deliveries enter the buyer's fleet; they are not in the contract log.";
    "programmes.*.buyer": Id("buyers"), "", Required, "Buyer.";
    "programmes.*.supplier": Id("suppliers"), "", Required, "Supplier.";
    "programmes.*.line": Text(MAX_NAME), "", Required, "Line (an id of the supplier's `lines`).";
    "programmes.*.signed": Quarter, "", Required, "Quarter of signing, before `start`.";
    "programmes.*.units": Integer(between(1.0, 1e5)), "units", Required, "Units still to be delivered at the start.";
    "programmes.*.value": Number(MONEY), "US$ m", Optional("units × the line's list price"), "Value still owed at the start.";
    "programmes.*.source": Text(MAX_TEXT), "", Optional("none"), "Source of the figures.";

    "regions": Ty::Table(100), "", Required, "Threat regions, keyed by id; at least one.";
    "regions.*.threat": Number(THREAT), "threat units", Required, "Baseline threat.";

    "shocks": Ty::Table(100), "", Value("{}"), "Threat shocks, keyed by id: `magnitude * exposure[region] * decay^(t - quarter)` from `quarter` on.";
    "shocks.*.quarter": Quarter, "", Required, "Quarter of onset: a shock before `start` enters already decayed, one after `end` never happens (as an event outside the run), so that a shorter run of a world keeps its later shocks.";
    "shocks.*.magnitude": Number(THREAT), "threat units", Required, "Size of the shock.";
    "shocks.*.decay": Number(UNIT), "per quarter", Required, "Persistence of the shock from one quarter to the next.";
    "shocks.*.exposure": Ty::Table(100), "", Required, "Exposure of each region (ids of `regions`); regions not listed have 0.";
    "shocks.*.exposure.*": Number(THREAT), "", Required, "Exposure of one region.";

    "categories": Ty::Table(50), "", Required, "Equipment categories, keyed by id (`tank`, `spg`); at least one.";
    "categories.*.ref_price": Number(PRICE), "US$ m per unit", Required, "Reference price that the price term of utility compares offers with.";
    "categories.*.life_years": Number(YEARS), "years", Required, "Service life of modern units.";
    "categories.*.legacy_retire_years": Number(YEARS), "years", Required, "Years over which the legacy fleet at the start retires.";
    "categories.*.min_lot": Integer(between(1.0, 1e5)), "units", Required, "Smallest lot worth a tender.";
    "categories.*.threat_response": Number(THREAT), "per threat unit", Required, "Response of the required force to threat.";
    "categories.*.legacy_capability": Number(UNIT), "new-unit equivalents", Value("1.0"), "Capability of a legacy unit toward the requirement, a new unit counting 1.";
    "categories.*.replaced_capability": Number(UNIT), "new-unit equivalents", Optional("`legacy_capability`"), "Capability of a unit of replaced equipment (towed guns for self-propelled ones).";

    "countries": Ty::Table(300), "", Value("{}"), "Supplier home countries (ISO3 keys: `KOR`, `USA`): the credit and export terms of any, and the name and EU membership of those that are not buyers (a buyer's are in `buyers`).";
    "countries.*.name": Text(MAX_NAME), "", Optional("none"), "Display name.";
    "countries.*.credit_share": Number(UNIT), "share of value", Value("0.0"), "Share of a contract's value the country's export credit covers (exports only: not its own government's purchases).";
    "countries.*.credit_cap": Number(MONEY), "US$ m", Value("0.0"), "Cap on outstanding export credit.";
    "countries.*.credit_repayment_years": Number(between(0.25, 200.0)), "years", Value("10.0"), "Mean repayment time of export credit: the outstanding balance falls by 1/(4·Y) a quarter (so at least a quarter: 0.25 repays it all in the next).";
    "countries.*.eu_since": Quarter, "", Optional("not a member"), "Quarter of EU accession (for the European-preference term).";
    "countries.*.eu_until": Quarter, "", Optional("still a member"), "Quarter the country left the EU (membership runs from `eu_since` up to it, excluded: it must come after `eu_since`).";
    "countries.*.export_ambition": Number(above(0.0, 100.0)), "", Value("1.0"), "Multiplier on its firms' market-development spending: a national export drive, set only from a source.";

    "preferences.default.price": Number(WEIGHT), "utility per ln-unit of price", Required, "Weight on ln(price / (g · reference price)), w_p, with g the capability a unit adds: the price per unit of capability, which is what sets used and upgrade lines apart.";
    "preferences.default.delivery": Number(WEIGHT), "utility per year of lead", Required, "Weight on the lot's mean lead (the quantity-weighted mean time to delivery of the units an offer would sign), w_L.";
    "preferences.default.urgency": Number(WEIGHT), "per threat unit", Required, "How much threat raises the weight of delivery, φ.";
    "preferences.default.quality": Number(WEIGHT), "utility", Required, "Weight on quality, w_Q.";
    "preferences.default.interoperability": Number(WEIGHT), "utility", Required, "Weight on interoperability, w_I.";
    "preferences.default.offset": Number(WEIGHT), "utility", Required, "Weight on the localisation offset, w_O.";
    "preferences.default.reliability": Number(WEIGHT), "utility", Required, "Weight on believed reliability, w_R.";
    "preferences.default.commonality": Number(WEIGHT), "utility", Required, "Weight on commonality with own and neighbours' fleets, w_C.";
    "preferences.default.domestic": Number(WEIGHT), "utility", Required, "Weight on the supplier being a domestic producer, w_D.";
    "preferences.default.affinity": Number(WEIGHT), "utility", Required, "Weight on political affinity, w_A (0 in commercial-only worlds).";
    "preferences.default.european": Number(WEIGHT), "utility", Value("0.0"), "Weight on an EU buyer choosing a supplier from another EU country, w_E.";
    "preferences.default.defer": Number(between(-100.0, 100.0)), "utility", Required, "Deterministic utility of deferring, u_0.";
    "preferences.regions": Ty::Table(100), "", Value("{}"), "Partial overrides of the weights per region (ids of `regions`): any of the keys of `preferences.default`.";
    "preferences.regions.*.price": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.price`.";
    "preferences.regions.*.delivery": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.delivery`.";
    "preferences.regions.*.urgency": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.urgency`.";
    "preferences.regions.*.quality": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.quality`.";
    "preferences.regions.*.interoperability": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.interoperability`.";
    "preferences.regions.*.offset": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.offset`.";
    "preferences.regions.*.reliability": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.reliability`.";
    "preferences.regions.*.commonality": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.commonality`.";
    "preferences.regions.*.domestic": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.domestic`.";
    "preferences.regions.*.affinity": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.affinity`.";
    "preferences.regions.*.european": Number(WEIGHT), "", Optional("the default's"), "As `preferences.default.european`.";
    "preferences.regions.*.defer": Number(between(-100.0, 100.0)), "", Optional("the default's"), "As `preferences.default.defer`.";
    "preferences.buyers": Ty::Table(200), "", Value("{}"), "Partial overrides per buyer (ids of `buyers`), applied after the region's: any of the keys of `preferences.default`.";
    "preferences.buyers.*.price": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.price`.";
    "preferences.buyers.*.delivery": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.delivery`.";
    "preferences.buyers.*.urgency": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.urgency`.";
    "preferences.buyers.*.quality": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.quality`.";
    "preferences.buyers.*.interoperability": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.interoperability`.";
    "preferences.buyers.*.offset": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.offset`.";
    "preferences.buyers.*.reliability": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.reliability`.";
    "preferences.buyers.*.commonality": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.commonality`.";
    "preferences.buyers.*.domestic": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.domestic`.";
    "preferences.buyers.*.affinity": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.affinity`.";
    "preferences.buyers.*.european": Number(WEIGHT), "", Optional("the region's"), "As `preferences.default.european`.";
    "preferences.buyers.*.defer": Number(between(-100.0, 100.0)), "", Optional("the region's"), "As `preferences.default.defer`.";

    "affinity": Ty::Table(201), "", Value("{}"), "Political affinity between a buyer (or `default`, for every buyer) and a supplier country: `affinity.POL.USA = 0.8`. Used only when the `affinity` weight is not 0.";
    "affinity.*": Ty::Table(500), "", Required, "One buyer's (or the default) affinities, by country (ids of `countries` or `buyers`).";
    "affinity.*.*": Number(between(-10.0, 10.0)), "", Optional("`affinity.default.<country>`, else 0"), "Affinity toward one country.";

    "buyers": Ty::Table(200), "", Required, "Buying states, keyed by ISO3 code; at least one.";
    "buyers.*.name": Text(MAX_NAME), "", Required, "Display name.";
    "buyers.*.region": Id("regions"), "", Required, "Threat region.";
    "buyers.*.nato_since": Quarter, "", Optional("not a member"), "Quarter of NATO accession; a partner before it.";
    "buyers.*.threat_exposure": Number(THREAT), "", Value("1.0"), "Multiplier on the region's threat, e.g. for a land border.";
    "buyers.*.localisation_demand": Number(UNIT), "share of value", Value("0.0"), "Share of contract value the buyer asks to be produced at home.";
    "buyers.*.eu_since": Quarter, "", Optional("not a member"), "Quarter of EU accession.";
    "buyers.*.eu_until": Quarter, "", Optional("still a member"), "Quarter the buyer left the EU (membership runs from `eu_since` up to it, excluded: it must come after `eu_since`).";
    "buyers.*.procedure": Ty::Table(400), "", Value("{}"), "Procurement procedure by period, keyed by quarter: `{ \"2010Q1\" = \"competition\", \"2022Q2\" = \"framework\" }`; each applies from its quarter to the next entry; before the first, and without any, `competition`.";
    "buyers.*.procedure.*": Word(&["competition", "direct", "framework"]), "", Required, "`competition`: open competition with trials; `direct`: direct government-to-government award; `framework`: a framework agreement with the winner, then executive contracts.";
    "buyers.*.gdp": Years, "", Required, "GDP path by year (at least one year); between given years linear, before the first the first year's, after the last growing at `gdp_growth`.";
    "buyers.*.gdp.*": Number(above(0.0, 1e6)), "US$ bn", Required, "GDP in one year.";
    "buyers.*.gdp_growth": Number(above(-1.0, 1.0)), "per year", Value("0.0"), "Yearly GDP growth after the last year of `gdp`.";
    "buyers.*.spending": Years, "", Required, "Defence spending by year (at least one year); between given years linear, outside them flat. Required in both modes, used in `observed` mode only.";
    "buyers.*.spending.*": Number(PERCENT), "% of GDP", Required, "Spending in one year.";
    "buyers.*.equipment": Years, "", Required, "Equipment share of defence spending by year (at least one year); between given years linear, outside them flat. Required in both modes, used in `observed` mode only.";
    "buyers.*.equipment.*": Number(PERCENT), "% of spending", Required, "Equipment share in one year.";
    "buyers.*.spending_base": Number(PERCENT), "% of GDP", Required, "`threat` mode: spending at zero threat (required in both modes, used in `threat` mode only).";
    "buyers.*.spending_threat": Number(PERCENT), "points per threat unit", Required, "`threat` mode: spending added per unit of threat (required in both modes, used in `threat` mode only).";
    "buyers.*.equipment_base": Number(PERCENT), "%", Required, "`threat` mode: equipment share at zero threat (required in both modes, used in `threat` mode only).";
    "buyers.*.equipment_threat": Number(PERCENT), "points per threat unit", Required, "`threat` mode: equipment share added per unit of threat (required in both modes, used in `threat` mode only).";
    "buyers.*.fleet": Ty::Table(50), "", Value("{}"), "Fleet in the start quarter per category (ids of `categories`).";
    "buyers.*.fleet.*.units": Integer(UNITS), "units", Required, "Units in service.";
    "buyers.*.fleet.*.legacy": Integer(UNITS), "units", Value("0"), "Of which legacy units, retiring over the category's `legacy_retire_years`; at most `units`.";
    "buyers.*.fleet.*.legacy_family": Text(MAX_NAME), "", Optional("none"), "Lineage of the legacy units (a family id that upgrade lines name).";
    "buyers.*.fleet.*.legacy_capability": Number(UNIT), "new-unit equivalents", Optional("the category's"), "Capability of this fleet's legacy units, where they differ from the category's.";
    "buyers.*.fleet.*.legacy_retire_years": Number(YEARS), "years", Optional("the category's"), "Years over which this fleet's legacy units retire, where the buyer's plan differs.";
    "buyers.*.fleet.*.replaced": Integer(UNITS), "units", Value("0"), "Units of equipment outside this category that its buys replace (towed guns for self-propelled ones).";
    "buyers.*.fleet.*.replaced_retire_years": Number(YEARS), "years", Optional("the category's `legacy_retire_years`"), "Years over which the replaced equipment retires.";
    "buyers.*.fleet.*.required": Number(between(0.0, 1e5)), "new-unit equivalents", Optional("the start's capability at rest"), "Required force at zero threat, in capability units; by default the capability of the start fleet, replaced equipment and programmes in flight at the start's threat, so that a world at rest opens no tender at the start.";
    "buyers.*.fleet.*.families": Ty::Table(100), "", Value("{}"), "Modern units by platform family; their sum at most `units` - `legacy`, the rest belong to no family on the market.";
    "buyers.*.fleet.*.families.*": Integer(UNITS), "units", Required, "Units of one family.";

    "suppliers": Ty::Table(300), "", Required, "Supplying firms, keyed by id; at least one.";
    "suppliers.*.name": Text(MAX_NAME), "", Required, "Display name.";
    "suppliers.*.country": COUNTRY, "", Required, "Home country.";
    "suppliers.*.cash": Number(MONEY), "US$ m", Required, "Cash at the start.";
    "suppliers.*.margin": Number(UNIT), "share of value", Required, "Share of delivered value that becomes cash.";
    "suppliers.*.markup": Number(between(0.0, 10.0)), "per unit of utilisation", Required, "Price mark-up per unit of utilisation, μ.";
    "suppliers.*.access.buyers": Ty::Table(200), "", Value("{}"), "Base access per buyer (ids of `buyers`) where a source gives a specific tie; otherwise the market's rule (a supplier always reaches its home country's buyer).";
    "suppliers.*.access.buyers.*": Number(UNIT), "probability", Required, "Base access to one buyer.";
    "suppliers.*.invest": Section, "", Optional("no investment (a government selling from its stocks)"), "Yearly capacity investment; market development follows the market's common rule.";
    "suppliers.*.invest.enabled": Boolean, "", Value("true"), "When false the firm never invests (capacity or market development).";
    "suppliers.*.invest.backlog_threshold": Number(above(0.0, 100.0)), "years of capacity", Required, "Backlog above which capacity is expanded.";
    "suppliers.*.invest.growth": Number(between(0.0, 10.0)), "share of capacity a year", Required, "Largest yearly capacity expansion.";
    "suppliers.*.invest.build_lag": Integer(QUARTERS), "quarters", Required, "Quarters from ordering capacity to it producing.";
    "suppliers.*.invest.capex": Number(MONEY), "US$ m per unit a quarter", Required, "Cost of one unit a quarter of new capacity.";
    "suppliers.*.lines": Ty::Table(50), "", Required, "Product lines, keyed by id; at least one.";
    "suppliers.*.lines.*.category": Id("categories"), "", Required, "Category of the product.";
    "suppliers.*.lines.*.family": Text(MAX_NAME), "", Optional("the line's id"), "Platform family, for commonality.";
    "suppliers.*.lines.*.list_price": Number(PRICE), "US$ m per unit", Required, "List price.";
    "suppliers.*.lines.*.quality": Number(UNIT), "", Required, "Quality.";
    "suppliers.*.lines.*.interoperability": Number(UNIT), "", Required, "Interoperability with NATO standards at the start.";
    "suppliers.*.lines.*.base_lead": Integer(QUARTERS), "quarters", Required, "Quarters from a unit's start of production to its delivery.";
    "suppliers.*.lines.*.capacity": Number(UNITS), "units started a quarter", Required, "Capacity at the start.";
    "suppliers.*.lines.*.reliability": Number(UNIT), "probability", Required, "True probability that a quarter's output is delivered on time; above 0 when `slip_share` is (a line slipping every quarter would never deliver its last unit).";
    "suppliers.*.lines.*.slip_share": Number(UNIT), "share", Value("0.5"), "Share of a slipping quarter's output that moves to the next quarter.";
    "suppliers.*.lines.*.localisation": Number(UNIT), "share", Value("0.0"), "Localisation ceiling at the start: the largest share of work placed in the buyer's country.";
    "suppliers.*.lines.*.available_from": Quarter, "", Optional("`start`"), "First quarter the line is offered.";
    "suppliers.*.lines.*.initial_backlog": Integer(between(0.0, 1e6)), "units", Value("0"), "Home-government units queued at the start.";
    "suppliers.*.lines.*.home_orders": Years, "", Value("{}"), "Home-government (and other non-modelled) orders by year; between given years linear, outside them flat.";
    "suppliers.*.lines.*.home_orders.*": Number(UNITS), "units a year", Required, "Orders in one year.";
    "suppliers.*.lines.*.divertible_share": Number(UNIT), "share", Value("0.0"), "Share of home units in production that the home government lets export buyers take.";
    "suppliers.*.lines.*.tiv": Number(PRICE), "US$ m per unit", Optional("`list_price`"), "Value of one unit for delivered-value shares (a stand-in for SIPRI trend-indicator values).";
    "suppliers.*.lines.*.capability": Number(between(1e-6, 1.0)), "new-unit equivalents", Value("1.0"), "Capability of a delivered unit toward the requirement; a new unit counts 1, a used or upgraded one less.";
    "suppliers.*.lines.*.life_years": Number(YEARS), "years", Optional("the category's `life_years`"), "Service life of a delivered unit: a used unit's remaining life, or the life an upgrade adds.";
    "suppliers.*.lines.*.upgrades": Text(MAX_NAME), "", Optional("not an upgrade line"), "An upgrade line: the legacy lineage (a fleet's `legacy_family`) it upgrades, a family the scenario knows (a line's `family` or id, a fleet's `families` or `legacy_family`); it is offered only to fleets of its category holding that lineage, and each unit takes one legacy unit of it and returns it at `capability`. A unit adds `capability` less the fleet's `legacy_capability` (both 1 by default): a line that adds nothing to a fleet is not offered to it, so an upgrade line needs a `capability` above its fleets' legacy capability.";
    "suppliers.*.lines.*.stock": Integer(UNITS), "units", Optional("not a stock line"), "A stock line: units of a finite stock of used or surplus units, depleted as they are sold (no home orders, no initial backlog, no divertible share, no capacity investment; never sold to the holder's own country).";

    "events": Ty::Table(10_000), "", Value("{}"), "Exogenous events, keyed by id. Which keys apply depends on `kind`: `donation` (`buyer`, `category`, `units` leave the fleet, legacy first); `access` (`amount` of marketing stock for `supplier`, or every supplier of `country`, with `buyer` or `region`, or everywhere); `affinity` (affinity of `buyer`, or every buyer, toward `country` rises by `amount`); `credit_cap` (`country`'s export-credit cap becomes `amount`, at least 0); `requirement` (`buyer`'s required force in `category`, at zero threat and in capability units, changes by `amount` from `quarter` on: a dated force-structure decision).";
    "events.*.kind": Word(&["donation", "access", "affinity", "credit_cap", "requirement"]), "", Required, "What the event does.";
    "events.*.quarter": Quarter, "", Required, "Quarter it takes effect (events outside the run never happen).";
    "events.*.shock": Id("shocks"), "", Optional("none"), "A shock the event is a consequence of: it happens only if that shock's magnitude is above 0, and then it may not be dated before the shock's quarter (moving a shock does not move its events).";
    "events.*.buyer": Id("buyers"), "", Optional("none"), "Buyer concerned.";
    "events.*.region": Id("regions"), "", Optional("none"), "Region concerned.";
    "events.*.supplier": Id("suppliers"), "", Optional("none"), "Supplier concerned.";
    "events.*.country": COUNTRY, "", Optional("none"), "Country concerned.";
    "events.*.category": Id("categories"), "", Optional("none"), "Category concerned.";
    "events.*.units": Integer(between(1.0, 1e5)), "units", Optional("none"), "Units (donations).";
    "events.*.amount": Number(between(-1e7, 1e7)), "", Optional("none"), "Size (access: marketing stock; affinity: affinity; credit_cap: US$ m).";
    "events.*.note": Text(MAX_TEXT), "", Optional("none"), "Source or reason, for the reader.";

    "groups": Ty::Table(100), "", Value("{}"), "Named groups of buyers for targets (`nato_europe`).";
    "groups.*.buyers": Ids("buyers"), "", Required, "Members, each once; at least one.";
    "groups.*.nato_only": Boolean, "", Value("false"), "Count a member only from its `nato_since` quarter.";

    "targets": Ty::Table(1000), "", Value("{}"), "Observed patterns a run is judged on, keyed by id. A sweep's runs.csv gives each target the columns `<id>_value`, `<id>_distance` and `<id>_pass`, so an id whose column runs.csv already has (`total`, `focus`: `total_value`, `focus_value` of the summary; `mean`, `verdict`, `all`: `mean_distance`, `verdict_distance`, `all_pass`) is refused.";
    "targets.*.pattern": Text(MAX_NAME), "", Required, "The pattern it belongs to (`P1`); not empty.";
    "targets.*.metric": Word(&["value", "units", "count", "share", "buyer_share", "lead_promised", "lead_actual", "delivered_share"]), "", Required, "What is measured over contracts signed (deliveries made) in the scope and period: `value`, `units`, `count` of contracts; `share` of `supplier_country` in their value; `buyer_share`, the share of `buyer` in `supplier_country`'s value; `lead_promised`, `lead_actual`, mean months from signing to the promised or actual first delivery; `delivered_share`, the share of `supplier_country` in the value of imports delivered, at each line's `tiv`.";
    "targets.*.supplier_country": COUNTRY, "", Optional("every country"), "Supplier country filter (needed for the shares).";
    "targets.*.buyer": Id("buyers"), "", Optional("every buyer"), "A buyer: the scope, or for `buyer_share` the numerator (a buyer of `group`).";
    "targets.*.group": Id("groups"), "", Optional("every buyer"), "A group of buyers as the scope.";
    "targets.*.categories": Ids("categories"), "", Value("[]"), "Categories in scope, each once; all if empty.";
    "targets.*.from": Quarter, "", Required, "First quarter, not before `start`.";
    "targets.*.to": Quarter, "", Required, "Last quarter (inclusive), not before `from` nor after `end`: a target is scored on simulated quarters only.";
    "targets.*.observed": Number(OBSERVED), "the metric's", Required, "Observed value, one the metric can take: between 0 and 1 for the shares (`share`, `buyer_share`, `delivered_share`), 0 or more for the others.";
    "targets.*.tolerance.abs": Number(above(0.0, 1e12)), "the metric's", Optional("none"), "Passes when |simulated - observed| is at most this. Exactly one of `abs`, `rel`, `range`. The accepted interval it gives must be at least 1e-9 times the larger of |observed| and 1 wide.";
    "targets.*.tolerance.rel": Number(above(0.0, 1e3)), "share of observed", Optional("none"), "Passes when |simulated - observed| is at most this times |observed|. The accepted interval it gives must be at least 1e-9 times the larger of |observed| and 1 wide (so an observed 0 needs `abs` or `range`).";
    "targets.*.tolerance.range": Pair(OBSERVED), "the metric's", Optional("none"), "Passes when `lo <= simulated <= hi`; must contain `observed`.";
    "targets.*.new_builds": Boolean, "", Value("false"), "Whether only new builds count: contracts of stock lines (second-hand units) and of upgrade lines are left out of the metric, on both sides of a share; for an observed figure of new builds alone.";
    "targets.*.surge": Boolean, "", Value("false"), "Whether it describes the 2022-23 surge itself (the verdict's robustness table reports the surge targets alone).";
    "targets.*.role": Word(&["fit", "holdout"]), "", Value("\"fit\""), "Whether a calibration fits it or holds it out (judged out of sample).";
    "targets.*.source": Text(MAX_TEXT), "", Optional("none"), "Source of the observed value.";

    "sweep": Section, "", Optional("no sweep"), "A parameter sweep over this world (`armsmarket sweep`, `armsmarket slurm`); a file with it is refused by `run` and `compare` (exit code 2).";
    "sweep.design": Word(&["grid", "random", "lhs", "sobol", "saltelli", "morris"]), "", Required, "`grid`: every combination of the values; `random`: independent points; `lhs`: a Latin hypercube; `sobol`: scrambled Sobol' points (a power of two of them); `saltelli`: Saltelli's design for Sobol' sensitivity indices (`armsmarket sensitivity`), in SALib's order; `morris`: Morris's elementary-effect trajectories.";
    "sweep.points": Integer(between(1.0, 1e6)), "", Optional("a grid's product"), "Number of points (not for `grid`, whose points are the product of the parameters' values, at most 10,000,000; not for `morris`, see `trajectories`). For `saltelli`, the base rows N, a power of two: the design has N(D+2) points for D parameters, N(2D+2) with `second_order`, at most 1,000,000; rows that coincide run as one point (with D = 2 each BA row is an AB row, so `second_order` adds none).";
    "sweep.second_order": Boolean, "", Value("true"), "`saltelli` only: add the BA matrices, so that second-order indices S2 can be estimated (N(2D+2) points instead of N(D+2)).";
    "sweep.scramble": Boolean, "", Value("true"), "`saltelli` only: Owen-scramble the Sobol' sequence with the sweep's seed (a random, unbiased design); `false` gives SALib's `scramble=False` design point for point.";
    "sweep.trajectories": Integer(between(2.0, 1e5)), "", Optional("none; `morris` needs it"), "`morris` only: number of trajectories r; the design has r(D+1) points, at most 1,000,000.";
    "sweep.levels": Integer(between(2.0, 1000.0)), "", Value("4"), "`morris` only: levels p of the grid, even; a step moves one parameter by p/(2(p-1)) of its range.";
    "sweep.replications": Integer(between(1.0, 1e6)), "", Required, "Replications per point. Points × replications has no limit of its own: a sweep's memory does not grow with its runs (its time and `runs.csv` do, about 430 bytes a run of the toy world).";
    "sweep.seed": Integer(between(0.0, SEED_MAX)), "", Optional("the scenario's `seed`"), "Seed of the design and of the runs.";
    "sweep.parameters": Ty::Table(64), "", Required, "Swept keys, by dotted path (`\"preferences.default.delivery\" = { min = 0.5, max = 2.0 }`); at least one. A sweep cannot vary `name`, `base`, `seed`, `replications`, `start`, `end`, `outputs` or `sweep`, and each key's values must be valid at every bound of the range and every point must give a valid world. Before anything runs, each bound's world is compiled, and, with at most 8 keys, every corner of the box of bounds (each key at its lower or upper bound); with more keys, or a list of names whose middle ones no corner takes (more than two beside other keys, more than 16 alone), every point's scenario is also checked against the rules of its reading (a point with more legacy units than units is refused there, not left to fail its runs).";
    "sweep.parameters.*.values": Any, "", Optional("none"), "The values (at most 10,000), or:";
    "sweep.parameters.*.min": Number(between(-1e15, 1e15)), "", Optional("none"), "Lower end of a range.";
    "sweep.parameters.*.max": Number(between(-1e15, 1e15)), "", Optional("none"), "Upper end of a range, above `min` (one value is `values = [x]`).";
    "sweep.parameters.*.log": Boolean, "", Value("false"), "Uniform in the logarithm (`min` > 0).";
    "sweep.parameters.*.integer": Boolean, "", Value("false"), "An integer range (`min` and `max` whole numbers).";

    "calibrate": Section, "", Optional("no calibration"), "A calibration by ABC-SMC (`armsmarket calibrate`); a file with it is refused by `run`, `compare`, `sweep` and `slurm` (exit code 2).";
    "calibrate.population": Integer(between(2.0, 1e6)), "particles", Required, "Particles per generation.";
    "calibrate.generations": Integer(between(1.0, 1000.0)), "", Value("8"), "Generations at most, the prior sample (generation 0) included.";
    "calibrate.replications": Integer(between(1.0, 1000.0)), "", Value("1"), "Replications per particle; a particle's statistics are the means over them of each fitted target's value.";
    "calibrate.seed": Integer(between(0.0, SEED_MAX)), "", Optional("the scenario's `seed`"), "Seed of the calibration.";
    "calibrate.quantile": Number(Span { lo: 0.0, lo_open: true, hi: 1.0, hi_open: true }), "", Value("0.5"), "Quantile of the previous generation's distances that sets the next tolerance (0.5: the weighted median).";
    "calibrate.min_tolerance": Number(between(0.0, 1e12)), "", Value("0.0"), "Stop once a generation's tolerance is at or below this.";
    "calibrate.min_acceptance": Number(UNIT), "", Value("0.0"), "Stop once a generation cannot reach this acceptance rate (checked batch by batch).";
    "calibrate.max_simulations": Integer(between(1.0, 1e15)), "", Optional("no limit"), "At most this many proposals counted in all (the proposal indices the generations consume), checked batch by batch; a batch may simulate proposals past its last acceptance, which do not count, so the simulations run can exceed it by part of a batch; at least `population`, the fewest generation 0 can take.";
    "calibrate.max_minutes": Number(above(0.0, 1e6)), "minutes", Optional("no limit"), "Start no batch after this many minutes of the calibration, counting the time before a kill and `--resume` (sharded: the longest shard of each round and the joins); the last completed generation is the result.";
    "calibrate.round_size": Integer(between(1.0, 1e15)), "proposals", Optional("estimated from the acceptance rates"), "Proposals per round of a sharded calibration (`--shard K/N`, `--join`); does not change the result.";
    "calibrate.models": Ty::Table(16), "", Optional("this file's world alone"), "The models to choose between, keyed by id (not `all`, which names the pooled rows of `predictive.csv`, and without `;`, which separates `dead_models`).";
    "calibrate.models.*.file": Text(MAX_TEXT), "", Required, "A scenario file, relative to the calibration file.";
    "calibrate.models.*.probability": Number(above(0.0, 1e6)), "", Value("1.0"), "Prior weight of the model (normalised over the models).";
    "calibrate.parameters": Ty::Table(64), "", Required, "Free keys, by dotted path (`\"preferences.default.delivery\" = { prior = \"uniform\", min = 0.2, max = 2.0 }`); at least one. The same keys as a sweep may vary; an integer key gets an integer prior. Every point of the priors' box must give a valid world: each bound alone and, with at most 8 keys, every corner of the box (each key at its lower or upper bound) are compiled before anything runs; with more keys, a particle that breaks a rule between keys (more legacy units than units) stops the calibration with exit code 2, naming its values.";
    "calibrate.parameters.*.prior": Word(&["uniform", "log_uniform", "normal"]), "", Required, "`uniform` on [min, max]; `log_uniform` (min > 0); `normal` (`mean`, `sd`) truncated to [min, max].";
    "calibrate.parameters.*.min": Number(between(-1e15, 1e15)), "the key's", Required, "Lower bound; valid for the key.";
    "calibrate.parameters.*.max": Number(between(-1e15, 1e15)), "the key's", Required, "Upper bound; valid for the key, above `min` by at least 1e-9 of the larger of |min|, |max| or 1.";
    "calibrate.parameters.*.mean": Number(between(-1e15, 1e15)), "the key's", Optional("none; `normal` needs it"), "Mean of a `normal` prior.";
    "calibrate.parameters.*.sd": Number(above(0.0, 1e15)), "the key's", Optional("none; `normal` needs it"), "Standard deviation of a `normal` prior; at least 1e-9 of the larger of |min|, |max| or 1.";
    "calibrate.parameters.*.truth": Number(between(-1e15, 1e15)), "the key's", Optional("unknown"), "The true value, for synthetic data: `posterior_summary.csv` says whether its 90 % interval covers it.";
    "calibrate.parameters.*.models": Ids("calibrate.models"), "", Optional("every model"), "The models the parameter is free in.";
}

/// The key whose pattern matches the dotted `path` (ids replaced by `*`,
/// array indices dropped).
pub fn key(path: &str) -> Option<&'static Key> {
    static INDEX: OnceLock<HashMap<&'static str, &'static Key>> = OnceLock::new();
    let index = INDEX.get_or_init(|| KEYS.iter().map(|k| (k.path, k)).collect());
    if let Some(k) = index.get(path) {
        return Some(k);
    }
    KEYS.iter().find(|k| matches(k.path, path))
}

/// The keys of the table at the dotted `path`, each with its name, in the
/// order of the format reference (none if it is no table of named keys).
pub fn children(path: &str) -> Vec<(&'static str, &'static Key)> {
    let n = strip_indices(path).split('.').count();
    KEYS.iter()
        .filter_map(|k| {
            let (parent, name) = k.path.rsplit_once('.')?;
            (parent.split('.').count() == n && matches(parent, path) && name != "*")
                .then_some((name, k))
        })
        .collect()
}

/// Whether the key at the dotted `path` takes whole numbers (what a sweep
/// range or a calibration prior over it must give).
pub fn takes_whole_numbers(path: &str) -> bool {
    key(path).is_some_and(|k| matches!(k.ty, Ty::Integer(_)))
}

/// Whether the dotted `path` fits the pattern (`*` = one segment; an
/// index `[i]` belongs to its key).
fn matches(pattern: &str, path: &str) -> bool {
    let path = strip_indices(path);
    let p: Vec<&str> = pattern.split('.').collect();
    let q: Vec<&str> = path.split('.').collect();
    p.len() == q.len() && p.iter().zip(&q).all(|(a, b)| *a == "*" || a == b)
}

fn strip_indices(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut depth = 0;
    for c in path.chars() {
        match c {
            '[' => depth += 1,
            ']' => depth -= 1,
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// The key of a pattern that is in the table (a programming error
/// otherwise, caught by the tests).
pub fn known(pattern: &str) -> &'static Key {
    key(pattern).unwrap_or_else(|| panic!("`{pattern}` is not in the key table"))
}

/// The type column of the format reference.
fn type_text(ty: &Ty) -> String {
    let words = |w: &[&str]| {
        w.iter()
            .map(|x| format!("`\"{x}\"`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match ty {
        Integer(_) => "integer".into(),
        Number(_) => "number".into(),
        Boolean => "boolean".into(),
        Text(n) => format!("text, at most {n} characters"),
        Quarter => "quarter `\"YYYYQn\"`".into(),
        Word(w) => format!("one of {}", words(w)),
        Id(t) if t.contains(" or ") => format!("id of `{}`", t.replace(" or ", "` or `")),
        Id(t) => format!("id of `{t}`"),
        Ids(t) => format!("list of ids of `{t}`"),
        Ty::Table(n) => format!("table of at most {n} entries"),
        Years => "table of year (1900-2200) = number".into(),
        Section => "table".into(),
        Pair(_) => "`[number, number]`".into(),
        Ty::Triple(_) => "`[number, number, number]`".into(),
        Words(w) => format!("list of {}", words(w)),
        Any => "list of values of the swept key's type".into(),
    }
}

/// The range column of the format reference.
fn range_text(ty: &Ty) -> String {
    match ty {
        Integer(s) | Number(s) | Pair(s) | Ty::Triple(s) => s.rule(),
        _ => String::new(),
    }
}

fn default_text(d: &Omitted) -> String {
    match d {
        Required => "required".into(),
        Value(v) => format!("`{v}`"),
        Optional(what) => format!("optional: {what}"),
    }
}

/// `docs/SCENARIO_FORMAT.md`: every key with its type, unit, range and
/// default, generated from [`KEYS`].
pub fn reference() -> String {
    let mut s = String::from(
        "# The scenario format\n\n\
         A scenario is one TOML file describing a whole world. This reference \
         lists every key with its type, unit, allowed range and default. It is \
         generated from the program's own table of keys (`src/scenario/keys.rs`), \
         which validation enforces, and a test fails if the two differ; do not \
         edit it by hand (`UPDATE_FORMAT_REFERENCE=1 cargo test --release --lib \
         format_reference` rewrites it).\n\n\
         - A `*` in a key stands for an id you choose (`buyers.POL`, \
         `suppliers.hanwha.lines.k9`). Ids and names have at most 100 characters, \
         and an id holds no `.` and no space at either end; tables of named entries are TOML tables keyed by id, so that `base` and \
         `--set` can reach any one of them by its dotted path.\n\
         - Money is in US$ million (GDP in US$ billion), time in quarters unless a \
         key says years, shares and probabilities in 0..1, spending paths in per \
         cent. Quarters are written `\"YYYYQn\"`, with a capital Q: `\"2014Q1\"`.\n\
         - Every value is checked when a file is read, before anything runs or is \
         written: a value outside its range, a key that does not exist, a missing \
         required key, or an id that names nothing stops with exit code 2 and a \
         `FILE:LINE:COL: message` naming the key and the fix. The bounds keep every \
         output finite.\n\
         - `base = \"other.toml\"` inherits that file and overrides it key by key; \
         `--set KEY=VALUE` on the command line overrides any key by its dotted \
         path, after `base`.\n\n",
    );
    let mut section = "";
    for k in KEYS {
        let head = k.path.split('.').next().unwrap_or("");
        let head = if k.path.contains('.') {
            head
        } else {
            "(top level)"
        };
        if head != section {
            section = head;
            let _ = write!(
                s,
                "\n## `{section}`\n\n| key | type | unit | range | default | meaning |\n|---|---|---|---|---|---|\n"
            );
            if section == "(top level)" {
                s = s.replace("## `(top level)`", "## Top level");
            }
        }
        let _ = writeln!(
            s,
            "| `{}` | {} | {} | {} | {} | {} |",
            k.path,
            type_text(&k.ty),
            k.unit,
            range_text(&k.ty),
            default_text(&k.default),
            k.doc.replace('|', "\\|")
        );
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::schema::Scenario;
    use crate::scenario::shape::{Shape, schema};
    use std::collections::BTreeSet;

    /// Whether a key of the table describes a path of this shape.
    fn fits(ty: &Ty, shape: Shape) -> bool {
        matches!(
            (ty, shape),
            (Ty::Integer(_), Shape::Leaf("integer"))
                | (Ty::Number(_), Shape::Leaf("number"))
                | (Ty::Boolean, Shape::Leaf("boolean"))
                | (Ty::Text(_) | Ty::Id(_), Shape::Leaf("text"))
                | (Ty::Quarter, Shape::Leaf("quarter"))
                | (Ty::Word(_), Shape::Leaf("word"))
                | (
                    Ty::Ids(_) | Ty::Words(_) | Ty::Pair(_) | Ty::Triple(_) | Ty::Any,
                    Shape::Seq
                )
                | (Ty::Table(_) | Ty::Years, Shape::Map)
                | (Ty::Section, Shape::Struct(_))
        )
    }

    #[test]
    fn the_key_table_is_the_schema() {
        let schema = schema();
        let needed: BTreeSet<&str> = schema
            .iter()
            .filter(|(p, s)| !p.contains("[]") && !matches!(**s, Shape::Struct(_)))
            .map(|(p, _)| p.as_str())
            .collect();
        let listed: BTreeSet<&str> = KEYS.iter().map(|k| k.path).collect();
        let missing: Vec<&&str> = needed.difference(&listed).collect();
        let stale: Vec<&&str> = listed
            .iter()
            .filter(|p| !schema.contains_key(**p))
            .collect();
        assert!(
            missing.is_empty(),
            "schema keys missing from the table: {missing:?}"
        );
        assert!(
            stale.is_empty(),
            "table keys the schema does not have: {stale:?}"
        );
        for k in KEYS {
            let shape = schema[k.path];
            assert!(
                fits(&k.ty, shape),
                "`{}` is {:?} in the table but {shape:?} in the schema",
                k.path,
                k.ty
            );
        }
        assert_eq!(listed.len(), KEYS.len(), "a key is listed twice");
    }

    /// The toy scenario as a TOML table.
    fn toy() -> toml::Table {
        include_str!("../../scenarios/toy.toml").parse().unwrap()
    }

    /// The segments of a concrete path of `table` that fits `pattern`, each
    /// `*` taking the first id present; `None` if a parent is missing.
    fn instance(table: &toml::Table, pattern: &str) -> Option<Vec<String>> {
        let segs: Vec<&str> = pattern.split('.').collect();
        let mut out = Vec::new();
        let mut cur = table;
        for (i, s) in segs.iter().enumerate() {
            let key = if *s == "*" {
                cur.keys().next()?.clone()
            } else {
                s.to_string()
            };
            if i + 1 < segs.len() {
                cur = cur.get(&key)?.as_table()?;
            }
            out.push(key);
        }
        Some(out)
    }

    fn without(table: &toml::Table, segs: &[String]) -> toml::Table {
        let mut t = table.clone();
        let mut cur = &mut t;
        for s in &segs[..segs.len() - 1] {
            cur = cur.get_mut(s).unwrap().as_table_mut().unwrap();
        }
        cur.remove(segs.last().unwrap());
        t
    }

    #[test]
    fn defaults_and_required_keys_are_what_the_schema_does() {
        let toy = toy();
        let mut checked = 0;
        for k in KEYS {
            if k.path.ends_with(".*") {
                continue; // an entry of a table, not a field
            }
            let Some(segs) = instance(&toy, k.path) else {
                continue;
            };
            let left_out = toml::Value::Table(without(&toy, &segs)).try_into::<Scenario>();
            match k.default {
                Omitted::Required => {
                    let e = left_out.expect_err(k.path).to_string();
                    assert!(e.contains("missing field"), "{}: {e}", k.path);
                }
                Omitted::Optional(_) => {
                    left_out.unwrap_or_else(|e| panic!("{}: {e}", k.path));
                }
                Omitted::Value(v) => {
                    let s = left_out.unwrap_or_else(|e| panic!("{}: {e}", k.path));
                    let back = toml::Value::try_from(&s).unwrap();
                    let mut got = &back;
                    for seg in &segs {
                        got = &got[seg.as_str()];
                    }
                    let want: toml::Table = format!("x = {v}").parse().unwrap();
                    assert_eq!(*got, want["x"], "{}: the documented default", k.path);
                }
            }
            checked += 1;
        }
        assert!(checked > 60, "only {checked} keys are in the toy world");
    }

    #[test]
    fn format_reference_is_up_to_date() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/SCENARIO_FORMAT.md");
        let want = reference();
        if std::env::var_os("UPDATE_FORMAT_REFERENCE").is_some() {
            std::fs::write(&path, &want).unwrap();
        }
        let got = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            got == want,
            "{} is not the reference the key table gives: run UPDATE_FORMAT_REFERENCE=1 cargo test --release --lib format_reference",
            path.display()
        );
    }

    #[test]
    fn spans_and_patterns() {
        assert!(between(0.0, 1.0).contains(1.0) && !above(0.0, 1.0).contains(0.0));
        assert_eq!(above(0.0, 10.0).rule(), "> 0 and at most 10");
        assert_eq!(
            key("suppliers.hanwha.lines.k9.capacity").unwrap().path,
            "suppliers.*.lines.*.capacity"
        );
        assert_eq!(
            key("market.reliability_prior[1]").unwrap().path,
            "market.reliability_prior"
        );
        assert!(key("market.nope").is_none());
    }

    /// A number as docs/ODD.md writes it: `−1`, `0.25`, `10⁴`, `10⁻⁶`.
    fn odd_number(s: &str) -> Option<f64> {
        let s = s.trim().replace('−', "-");
        let Some(exponent) = s
            .strip_prefix("10")
            .filter(|e| !e.is_empty() && !e.starts_with(|c: char| c == '.' || c.is_ascii_digit()))
        else {
            return s.parse().ok();
        };
        let digits: String = exponent
            .chars()
            .map(|c| match c {
                '⁻' => Some('-'),
                '⁰' => Some('0'),
                '¹' => Some('1'),
                '²' => Some('2'),
                '³' => Some('3'),
                '⁴' => Some('4'),
                '⁵' => Some('5'),
                '⁶' => Some('6'),
                '⁷' => Some('7'),
                '⁸' => Some('8'),
                '⁹' => Some('9'),
                _ => None,
            })
            .collect::<Option<_>>()?;
        Some(10f64.powi(digits.parse().ok()?))
    }

    /// The span a range cell of docs/ODD.md's parameter table gives
    /// (`0..1`, `0.25–200`, `> 0, ≤ 100`, each perhaps followed by more
    /// words and a default in brackets), and the default if it is a number.
    fn odd_range(cell: &str) -> Option<(Span, Option<f64>)> {
        let cell = cell.trim().trim_start_matches("each ");
        let (range, default) = match cell.split_once(" (") {
            Some((range, rest)) => (range, odd_number(rest.trim_end_matches(')'))),
            None => (cell, None),
        };
        let span = if let Some(rest) = range.strip_prefix("> ") {
            let (lo, hi) = rest.split_once(", ≤ ")?;
            let hi = hi.split(',').next()?;
            above(odd_number(lo)?, odd_number(hi)?)
        } else {
            let first = range.split(',').next()?;
            let (lo, hi) = first.split_once("..").or_else(|| first.split_once('–'))?;
            between(odd_number(lo)?, odd_number(hi)?)
        };
        Some((span, default))
    }

    /// docs/ODD.md's parameter table (section 7.0) gives each number the
    /// range and default the format holds it to: a reader who sweeps or
    /// calibrates a parameter by the model's description is not refused a
    /// value the description allows.
    #[test]
    fn the_model_description_gives_the_format_s_ranges_and_defaults() {
        let odd = include_str!("../../docs/ODD.md");
        let table = odd
            .split("### 7.0 Symbols and parameters")
            .nth(1)
            .and_then(|rest| rest.split("\n### ").next())
            .unwrap();
        let mut checked = 0;
        let mut wrong = Vec::new();
        for row in table.lines().filter(|l| l.starts_with("| ")) {
            let cells: Vec<&str> = row.split('|').map(str::trim).collect();
            let (keys, range) = (cells[2], cells[4]);
            // One key per row, `<id>` standing for an id.
            let [path] = keys.split('`').skip(1).step_by(2).collect::<Vec<_>>()[..] else {
                continue;
            };
            let mut id = String::new();
            let mut inside = false;
            for c in path.chars() {
                match c {
                    '<' => inside = true,
                    '>' => {
                        inside = false;
                        id.push('x');
                    }
                    c if !inside => id.push(c),
                    _ => {}
                }
            }
            // Rows that stand for several keys.
            let groups = ["programmes.<p>.buyer, supplier, line", "mechanisms.<name>"];
            let Some(k) = key(&id) else {
                if !groups.contains(&path) {
                    wrong.push(format!("{path}: no key of the format"));
                }
                continue;
            };
            let (Ty::Number(span) | Ty::Integer(span)) = k.ty else {
                continue;
            };
            checked += 1;
            let Some((given, default)) = odd_range(range) else {
                wrong.push(format!(
                    "{path}: `{range}` gives no range; the format's is {}",
                    span.rule()
                ));
                continue;
            };
            if matches!(k.ty, Ty::Integer(_)) != range.contains("integer") {
                wrong.push(format!(
                    "{path}: `{range}` says integer where the format does not, or not where it does"
                ));
            }
            if given != span {
                wrong.push(format!(
                    "{path}: `{range}`, the format's is {}",
                    span.rule()
                ));
            }
            let format_default = match k.default {
                Omitted::Value(v) => v.parse::<f64>().ok(),
                _ => None,
            };
            if default.is_some() && default != format_default {
                wrong.push(format!(
                    "{path}: default {default:?} in `{range}`, the format's {:?}",
                    k.default
                ));
            }
        }
        assert!(checked > 80, "only {checked} rows checked");
        assert!(wrong.is_empty(), "docs/ODD.md 7.0:\n{}", wrong.join("\n"));
    }
}

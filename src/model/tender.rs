//! Needs, tenders, offers, choice and contracting (step 3 of a
//! quarter).
//!
//! A buyer's gap in a category is `R + Δ − K − O` in capability units: the
//! required force (with the warm-up's offset Δ), less the capability in
//! service and on order. When a
//! category is due for review and its gap reaches a minimum lot, a tender
//! opens; it is decided after the buyer's procedure takes its time
//! ([`duration`]). At the decision every supplier with a line in the
//! category enters the consideration set with its access probability and
//! quotes: new-build lines, stock lines selling used units, and upgrade
//! lines that modernise the buyer's legacy units. Each offer is for the
//! units that close the gap (at the line's capability per unit) and that
//! the buyer can afford, less what would arrive after the acceptable lead
//! when that leaves at least a minimum lot; its utility reads the lead of
//! that lot. The buyer picks an offer or defers by multinomial logit with
//! keyed noise. A split lot's remainder is re-tendered the next quarter;
//! under a framework procedure the winner instead gets the whole gap as a
//! framework and the rest follows as executive contracts.

use crate::model::choice::{self, Choice};
use crate::model::draws::{Draws, Purpose, fold, unit};
use crate::model::fleet::FleetState;
use crate::model::production::{Lead, LineState, Schedule, count_f64, lead_of};
use crate::model::state::{Contract, Stage, State};
use crate::model::time::Quarter;
use crate::model::world::{Buyer, Line, World};
use crate::model::{ceil_whole, floor_whole};
use crate::scenario::schema::Procedure;

/// Largest utilisation that still raises the price; beyond it buyers see
/// the lead time, not an ever-rising price.
pub const MAX_UTILISATION: f64 = 3.0;

/// Key folded into a tender's choice key for the defer option (no line's
/// id hashes to it in practice; it only has to differ from theirs).
const DEFER_KEY: u64 = 0xDEFE_12DE_FE12_DEFE;

/// Capability buyer `b` lacks in category `c` at quarter `t`:
/// `R + Δ − K − O` (Δ the warm-up's requirement offset). Inlined: every review asks it first, and most reviews
/// end with it.
#[inline(always)]
pub fn gap(w: &World, s: &State, t: usize, b: usize, c: usize) -> f64 {
    let bs = &s.buyers[b];
    w.required_of(t, b, c) + bs.requirement_offset[c]
        - bs.fleet[c].capability()
        - bs.on_order_capability[c]
}

/// Commitment headroom H = commitment_years · B − outstanding, US$ m.
pub fn headroom(w: &World, s: &State, t: usize, b: usize) -> f64 {
    w.market.commitment_years * w.budget_of(t, b) - s.buyers[b].outstanding
}

/// Acceptable lead in quarters: shrinks as threat rises.
pub fn acceptable_lead(w: &World, t: usize, b: usize) -> f64 {
    w.market.acceptable_lead / (1.0 + w.market.acceptable_lead_threat * w.threat_of(t, b))
}

/// Quarters from requirement to decision under procedure `p` at threat
/// `theta`: `round(D_p · (1 − s + 2 s u) / (1 + urgency · θ))` for a draw
/// `u` uniform on [0, 1) and spread `s`; 0 without tender stages.
pub fn duration(w: &World, p: Procedure, theta: f64, u: f64) -> usize {
    if !w.mechanisms.tender_stages {
        return 0;
    }
    let pr = &w.procedures;
    let base = match p {
        Procedure::Competition => pr.competition_quarters,
        Procedure::Direct => pr.direct_quarters,
        Procedure::Framework => pr.framework_quarters,
    };
    let spread = 1.0 - pr.spread + 2.0 * pr.spread * u;
    (base * spread / (1.0 + pr.urgency * theta.max(0.0)))
        .round()
        .max(0.0) as usize
}

/// A supplier's price for line `l` now: list · (1 + μ · utilisation).
pub fn price(w: &World, s: &State, l: usize) -> f64 {
    let line = &w.lines[l];
    let ls = &s.lines[l];
    let cap = ls.capacity_with_pending() * w.market.planning_horizon;
    let utilisation = if cap > 0.0 {
        (count_f64(ls.backlog()) / cap).min(MAX_UTILISATION)
    } else {
        MAX_UTILISATION
    };
    line.list_price * (1.0 + w.suppliers[line.supplier].markup * utilisation)
}

/// Commonality of family `f` for buyer `b` in category `c`: the share of
/// the buyer's and (weighted) its neighbours' fleets of that family, where
/// the neighbours are the other buyers of its region.
pub fn commonality(w: &World, s: &State, b: usize, c: usize, f: usize) -> f64 {
    let region = w.buyers[b].region;
    commonality_of(
        w.market.neighbour_weight,
        &s.buyers[b].fleet[c],
        s.region_family(w, region, c, f),
        f,
        commonality_total(w, s, b, c),
    )
}

/// The denominator of [`commonality`], the same for every family.
fn commonality_total(w: &World, s: &State, b: usize, c: usize) -> f64 {
    let nw = w.market.neighbour_weight;
    let own_total = f64::from(s.buyers[b].fleet[c].total());
    let region_total = s.region_totals[w.buyers[b].region * w.categories.len() + c];
    own_total + nw * (f64::from(region_total) - own_total)
}

/// [`commonality`] of family `f` given the neighbour weight `nw`, the
/// buyer's fleet, the region's units of the family and the denominator
/// `total`.
fn commonality_of(nw: f64, fleet: &FleetState, region_same: u32, f: usize, total: f64) -> f64 {
    let own_same = f64::from(fleet.of_family(f));
    let same = own_same + nw * (f64::from(region_same) - own_same);
    if total > 0.0 { same / total } else { 0.0 }
}

/// The largest number of units at `price` that the buyer can commit to with
/// `headroom`, when the supplier country finances `share` of the value up
/// to `room`: n·p − min(share·n·p, room) ≤ headroom (up to 1e-9,
/// relative: [`floor_whole`]).
pub fn affordable_units(price: f64, headroom: f64, share: f64, room: f64) -> u32 {
    if headroom <= 0.0 || price <= 0.0 {
        return 0;
    }
    let own_share = 1.0 - share;
    let by_share = if own_share > 0.0 {
        headroom / (price * own_share)
    } else {
        f64::INFINITY
    };
    let by_room = (headroom + room) / price;
    // Rounded down, ignoring rounding noise: a headroom of exactly n
    // units' value must buy n.
    floor_whole(by_share.min(by_room)).min(f64::from(u32::MAX)) as u32
}

/// Units of a line needed to close a gap of `gap` capability units when
/// each adds `gain` (at least one; a whole quotient is not rounded up for
/// its rounding noise, see [`ceil_whole`]).
pub fn units_for(gap: f64, gain: f64) -> u32 {
    if gain <= 0.0 || gap <= 0.0 {
        return 0;
    }
    ceil_whole(gap / gain).clamp(1.0, f64::from(MAX_CONTRACT_UNITS)) as u32
}

/// The most units one contract (or framework) is for: the format's
/// largest count of units (a fleet's, a stock's, a quarter's capacity).
/// A gap closed by units that add next to nothing (a capability of 1e-300,
/// an upgrade a hair above its legacy units) would otherwise need more
/// units than 32 bits count, and the units on order, in the fleets and in
/// the lines' books would wrap round; at this bound they stay far below it
/// (a buyer's category signs at most a contract or two a quarter).
pub const MAX_CONTRACT_UNITS: u32 = 100_000;

/// One supplier's terms in a tender.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    /// Line index.
    pub line: usize,
    /// Unit price, US$ m.
    pub price: f64,
    /// Units offered: what closes the gap and the buyer can afford, cut to
    /// what arrives within the acceptable lead when that is a minimum lot.
    pub units: u32,
    /// Units the whole gap needs from this line (what a framework covers).
    pub needed: u32,
    /// Whether the lot was cut to what arrives within the acceptable lead
    /// (the rest is re-tendered the next quarter).
    pub cut: bool,
    /// Units from divertible home stock.
    pub diverted: u32,
    /// Export credit for the whole lot, US$ m.
    pub credit: f64,
    /// Projected schedule of the offered units.
    pub schedule: Schedule,
    /// Leads of that schedule.
    pub lead: Lead,
    /// Localisation offset (0..1).
    pub offset: f64,
    /// Deterministic utility V.
    pub utility: f64,
    /// The terms of V but the lead's, kept while the lot is not yet known.
    terms: UtilityTerms,
}

/// The deterministic utility of an offer to buyer `b` in category `c`:
/// V = −w_p ln(p/(g·ref)) − w_L (1 + φθ) L/4 + w_Q Q + w_I I + w_O o
///     + w_R r̂ + w_C C + w_D D + w_E E + w_A A,
/// with g the capability a unit adds (so the price is per unit of
/// capability) and L the lot's quantity-weighted mean lead in quarters.
pub fn utility(w: &World, s: &State, t: usize, b: usize, c: usize, o: &Offer) -> f64 {
    utility_in(w, s, &Bidding::new(w, s, t, b, c), o)
}

/// What every offer in buyer `b`'s tender for category `c` at quarter `t`
/// reads of the buyer: taken once per tender rather than once per offer
/// (nothing in it changes before the tender signs). Each number is
/// computed by the same operations as it was per offer, so offers are
/// bit for bit the same.
struct Bidding<'a> {
    t: usize,
    b: usize,
    buyer: &'a Buyer,
    /// The buyer's fleet of the category.
    fleet: &'a FleetState,
    /// The buyer's affinity to each country.
    affinity: &'a [f64],
    /// The units of each family in the buyer's region and the category.
    region_families: &'a [u32],
    /// The category's reference price per unit of capability, and its
    /// minimum lot.
    ref_price: f64,
    min_lot: u32,
    /// Capability of one of the buyer's legacy units (what an upgrade adds
    /// to).
    legacy: f64,
    /// [`headroom`].
    headroom: f64,
    /// Whether the threat lets home governments divert units to it.
    diversion: bool,
    /// Earliest quarter of a diverted unit's handover.
    earliest: usize,
    /// Last quarter of the acceptable lead (None without lot splitting).
    deadline: Option<usize>,
    /// w_L (1 + φθ): the weight of a quarter's wait.
    delivery: f64,
    /// The quarter whose memberships hold ([`World::membership_quarter`]),
    /// and whether the buyer is in the EU then.
    quarter: Quarter,
    in_eu: bool,
    /// [`commonality_total`].
    commonality_total: f64,
}

impl<'a> Bidding<'a> {
    fn new(w: &'a World, s: &'a State, t: usize, b: usize, c: usize) -> Bidding<'a> {
        let buyer = &w.buyers[b];
        let theta = w.threat_of(t, b);
        let quarter = w.membership_quarter(t);
        let fleet = &s.buyers[b].fleet[c];
        let nk = w.countries.len();
        let nf = w.families.len();
        let rc = buyer.region * w.categories.len() + c;
        Bidding {
            t,
            b,
            buyer,
            fleet,
            affinity: &s.affinity[b * nk..(b + 1) * nk],
            region_families: &s.region_families[rc * nf..(rc + 1) * nf],
            ref_price: w.categories[c].ref_price,
            min_lot: w.categories[c].min_lot,
            legacy: fleet.legacy.capability,
            headroom: headroom(w, s, t, b),
            diversion: theta >= w.market.diversion_min_threat,
            earliest: t + w.market.diversion_lead as usize,
            deadline: w
                .mechanisms
                .lot_splitting
                .then(|| t + floor_whole(acceptable_lead(w, t, b).max(0.0)) as usize),
            delivery: buyer.weights.delivery * (1.0 + buyer.weights.urgency * theta),
            quarter,
            in_eu: w.countries[buyer.country].in_eu(quarter),
            commonality_total: commonality_total(w, s, b, c),
        }
    }
}

/// [`utility`] with the tender's shared terms.
fn utility_in(w: &World, s: &State, k: &Bidding, o: &Offer) -> f64 {
    let line = &w.lines[o.line];
    let country = w.suppliers[line.supplier].country;
    utility_terms(w, s, k, o, line, country, &s.lines[o.line]).at(k.delivery, o.lead.mean)
}

/// The terms of an offer's utility V but its lead's: all an offer's
/// utility needs before its lot's mean lead is known.
#[derive(Debug, Clone, Copy, Default)]
struct UtilityTerms {
    /// −w_p ln(p/(g·ref)).
    price: f64,
    /// The terms after the lead's, in the order they are added.
    rest: [f64; 8],
}

impl UtilityTerms {
    /// V for a mean lead of `mean_lead` quarters given the weight of a
    /// quarter's wait `delivery`: added in the order of the formula, so the
    /// same number bit for bit. Never falls as `mean_lead` falls when
    /// `delivery` is not negative (every step rounds monotonically).
    fn at(&self, delivery: f64, mean_lead: f64) -> f64 {
        self.rest
            .iter()
            .fold(self.price - delivery * mean_lead / 4.0, |v, term| v + term)
    }
}

/// The [`UtilityTerms`] of offer `o` (its price and offset set) of `line`.
fn utility_terms(
    w: &World,
    s: &State,
    k: &Bidding,
    o: &Offer,
    line: &Line,
    country: usize,
    ls: &LineState,
) -> UtilityTerms {
    let wt = &k.buyer.weights;
    let j = line.supplier;
    let gain = line.capability_gain(k.legacy);
    let rel = s.beliefs.belief(k.b, j).mean();
    let domestic = country == k.buyer.country;
    let european = !domestic && k.in_eu && w.countries[country].in_eu(k.quarter);
    let affinity = k.affinity[country];
    let f = line.family;
    let nw = w.market.neighbour_weight;
    let commonality = commonality_of(nw, k.fleet, k.region_families[f], f, k.commonality_total);
    let indicator = |x: bool| if x { 1.0 } else { 0.0 };
    UtilityTerms {
        price: -wt.price * libm::log(o.price / (gain * k.ref_price)),
        rest: [
            wt.quality * line.quality,
            wt.interoperability * ls.interoperability,
            wt.offset * o.offset,
            wt.reliability * rel,
            wt.commonality * commonality,
            wt.domestic * indicator(domestic),
            wt.european * indicator(european),
            wt.affinity * affinity,
        ],
    }
}

/// Line `l`'s offer to buyer `b` for a gap of `gap` capability units (at
/// most `cap` units: what a framework still covers), written into `o`
/// (whose schedule buffer is reused). False if the line is not yet
/// available, has nothing to sell this buyer (an empty stock, no legacy
/// units of the lineage it upgrades), the buyer cannot afford a minimum
/// lot from it, or it cannot deliver.
#[allow(clippy::too_many_arguments)]
pub fn make_offer(
    w: &World,
    s: &State,
    t: usize,
    b: usize,
    l: usize,
    gap: f64,
    cap: u32,
    o: &mut Offer,
) -> bool {
    let limit = sellable(w, s, t, b, l).min(cap);
    if limit == 0 {
        return false;
    }
    let k = Bidding::new(w, s, t, b, w.lines[l].category);
    let needed = units_to_close(w, &k, l, gap).min(limit);
    needed > 0 && quote(w, s, &k, l, needed, o)
}

/// The most units line `l` can sell buyer `b` at quarter `t`
/// (`u32::MAX`: no limit but the gap): 0 if the line is not yet available
/// or has nothing to sell this buyer (an empty stock, no free legacy units
/// of the lineage it upgrades, its own government's surplus). Cheap, so
/// that a tender asks it before the supplier's access; inlined into the
/// tender's loop over every line of the category.
#[inline(always)]
fn sellable(w: &World, s: &State, t: usize, b: usize, l: usize) -> u32 {
    let line = &w.lines[l];
    if t < line.available_from {
        return 0;
    }
    let ls = &s.lines[l];
    let mut limit = u32::MAX;
    if let Some(left) = ls.stock {
        if w.suppliers[line.supplier].country == w.buyers[b].country {
            // A government does not sell its own surplus to itself.
            return 0;
        }
        limit = left;
    }
    if let Some(lineage) = line.upgrades {
        let fleet = &s.buyers[b].fleet[line.category];
        if fleet.legacy_family != Some(lineage) {
            return 0;
        }
        limit = limit.min(fleet.upgradable());
    }
    limit
}

/// Units of line `l` that close the tendering buyer's gap of `gap`
/// capability units.
fn units_to_close(w: &World, k: &Bidding, l: usize, gap: f64) -> u32 {
    units_for(gap, w.lines[l].capability_gain(k.legacy))
}

/// [`make_offer`] for `needed` units (non-zero, within [`sellable`]): price,
/// budget, diversion ([`price_offer`]) and the lot's terms
/// ([`settle_lot`]). A tender calls the two apart, to settle only the
/// offers that may win.
fn quote(w: &World, s: &State, k: &Bidding, l: usize, needed: u32, o: &mut Offer) -> bool {
    price_offer(w, s, k, l, needed, o) && settle_lot(w, s, k, o)
}

/// The share of a contract's value that supplier country `country`
/// finances for the tendering buyer: its export credit share, none for its
/// own government (export credit finances exports; a home purchase is paid
/// from the budget).
fn export_credit_share(w: &World, k: &Bidding, country: usize) -> f64 {
    if country == k.buyer.country {
        0.0
    } else {
        w.countries[country].credit_share
    }
}

/// [`quote`] up to the lot's terms: price, budget, diversion and every
/// term of the utility but the lead's. `o.units` and `o.diverted` are then
/// the lot asked for, before any cut. False if the buyer cannot afford a
/// minimum lot. Inlined into the tender's loop over the category's lines.
#[inline(always)]
fn price_offer(w: &World, s: &State, k: &Bidding, l: usize, needed: u32, o: &mut Offer) -> bool {
    let line = &w.lines[l];
    let ls = &s.lines[l];
    let country = w.suppliers[line.supplier].country;
    let home = country == k.buyer.country;
    let p = price(w, s, l);
    let share = export_credit_share(w, k, country);
    let room = s.credit[country].room();
    let units = needed.min(affordable_units(p, k.headroom, share, room));
    let min_lot = k.min_lot.min(needed);
    if units == 0 || units < min_lot {
        return false;
    }
    // Diversion hands a home government's units to an export buyer.
    let diverted = if !home && k.diversion {
        ls.divertible(line.divertible_share).min(units)
    } else {
        0
    };
    o.line = l;
    o.price = p;
    o.needed = needed;
    o.units = units;
    o.diverted = diverted;
    o.cut = false;
    o.schedule.clear();
    o.offset = k.buyer.localisation_demand.min(ls.localisation);
    o.terms = utility_terms(w, s, k, o, line, country, ls);
    true
}

/// The rest of [`quote`] for an offer [`price_offer`] priced: the lot's
/// terms (its cut and mean lead), its credit and its utility. False if the
/// line cannot deliver the lot.
fn settle_lot(w: &World, s: &State, k: &Bidding, o: &mut Offer) -> bool {
    let line = &w.lines[o.line];
    let ls = &s.lines[o.line];
    // Only the lot's terms are needed to choose; the winner's schedule is
    // projected when it is signed (`materialise`).
    let min_lot = k.min_lot.min(o.needed);
    let cut_at = k.deadline.map(|deadline| (deadline, min_lot));
    let Some(lot) = ls.lot_terms(k.t, o.units, o.diverted, k.earliest, line.base_lead, cut_at)
    else {
        return false;
    };
    o.units = lot.units;
    o.diverted = lot.diverted;
    o.cut = lot.cut;
    let country = w.suppliers[line.supplier].country;
    let share = export_credit_share(w, k, country);
    o.credit = (share * f64::from(o.units) * o.price).min(s.credit[country].room());
    o.lead = Lead {
        first: f64::NAN,
        mean: lot.mean_lead,
    };
    o.utility = o.terms.at(k.delivery, o.lead.mean);
    true
}

/// An upper bound of the utility [`settle_lot`] gives an offer
/// [`price_offer`] priced, from the floor of its lot's mean lead (infinite
/// should a negative delivery weight make waiting a gain).
fn utility_bound(w: &World, s: &State, k: &Bidding, o: &Offer) -> f64 {
    if k.delivery.is_nan() || k.delivery < 0.0 {
        return f64::INFINITY;
    }
    let base_lead = w.lines[o.line].base_lead;
    let floor = s.lines[o.line].lead_floor(k.t, o.diverted, k.earliest, base_lead);
    o.terms.at(k.delivery, count_f64(floor))
}

/// Project the schedule of a chosen offer (the lot its terms describe),
/// with its first lead (its mean lead is the terms').
pub fn materialise(w: &World, s: &State, t: usize, o: &mut Offer) {
    let earliest = t + w.market.diversion_lead as usize;
    let line = &w.lines[o.line];
    let ok = s.lines[o.line].project(
        t,
        o.units,
        o.diverted,
        earliest,
        line.base_lead,
        &mut o.schedule,
    );
    debug_assert!(ok, "an offered lot is deliverable");
    // The lot's terms already hold its mean lead (the same whole-quarter
    // sum over the same units, exact in f64, so the same number): only the
    // first delivery is read off the schedule.
    debug_assert_eq!(
        o.lead.mean.to_bits(),
        lead_of(&o.schedule, t).mean.to_bits()
    );
    o.lead.first = o.schedule.first().map_or(0.0, |&(q, _)| (q - t) as f64);
}

/// Offers of the tender under way, reused from tender to tender so that
/// the quarterly loop does not allocate.
#[derive(Debug, Default)]
pub struct TenderScratch {
    offers: Vec<Offer>,
    /// Each offer's key of its Gumbel noise, and the bound of its
    /// utility.
    keys: Vec<u64>,
    bounds: Vec<f64>,
    /// The choice's buffer of bounds still to work out.
    order: Vec<(f64, usize)>,
}

/// What happened in a buyer's procurement of a category in a quarter,
/// for observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderOutcome {
    /// Nothing: no review due, no gap worth a lot, or a tender or a
    /// framework still running.
    None,
    /// A tender opened; it is decided in a later quarter.
    Opened,
    /// A tender decided with no offer: no supplier reached the buyer, or
    /// none could deliver a minimum lot the buyer can afford.
    NoOffer,
    /// A tender whose buyer deferred.
    Deferred,
    /// A tender decided for an offer: a contract, by index in the log.
    Contract(u32),
    /// An executive contract under a framework, by index in the log.
    Executive(u32),
}

#[cfg(test)]
impl TenderOutcome {
    /// The same outcome with its contract index mapped (tests compare
    /// outcomes of logs of different lengths).
    pub fn map_contract(self, f: impl Fn(u32) -> u32) -> TenderOutcome {
        match self {
            TenderOutcome::Contract(id) => TenderOutcome::Contract(f(id)),
            TenderOutcome::Executive(id) => TenderOutcome::Executive(f(id)),
            other => other,
        }
    }
}

/// Advance buyer `b`'s procurement of category `c` at quarter `t`: call
/// off a framework, decide an open tender, or review the gap and open
/// one.
#[allow(clippy::too_many_arguments)]
pub fn procure(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    draws: &Draws,
    scratch: &mut TenderScratch,
) -> TenderOutcome {
    match s.buyers[b].stage[c] {
        Stage::Framework {
            line,
            units,
            call,
            until,
        } => {
            if t < call {
                return TenderOutcome::None;
            }
            // A line with nothing left to sell this buyer (a stock sold
            // out, no free legacy units of the lineage it upgrades) never
            // will again: stocks and legacy fleets only shrink.
            if t <= until && units > 0 && sellable(w, s, t, b, line) > 0 {
                return executive(w, s, t, b, c, line, units, scratch);
            }
            // The framework has run out, or its line has: review the gap
            // now.
            s.buyers[b].stage[c] = Stage::Idle { review: t };
            review(w, s, t, b, c, draws, scratch)
        }
        Stage::Open { decide } if t >= decide => decide_tender(w, s, t, b, c, draws, scratch),
        Stage::Open { .. } => TenderOutcome::None,
        Stage::Idle { review: r } if t >= r => review(w, s, t, b, c, draws, scratch),
        Stage::Idle { .. } => TenderOutcome::None,
    }
}

/// Whether a buyer's procurement of a category has something to do at
/// quarter `t` (only those are put in the quarter's order).
pub fn due(stage: &Stage, t: usize) -> bool {
    match *stage {
        Stage::Framework { call, .. } => t >= call,
        Stage::Open { decide } => t >= decide,
        Stage::Idle { review } => t >= review,
    }
}

/// A review: open a tender if the gap reaches a minimum lot, decided now
/// if the procedure takes no time.
fn review(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    draws: &Draws,
    scratch: &mut TenderScratch,
) -> TenderOutcome {
    match review_off_market(w, s, t, b, c, draws) {
        Some(outcome) => outcome,
        None => decide_tender(w, s, t, b, c, draws, scratch),
    }
}

/// The part of a review that does not reach the market: with the gap
/// below a minimum lot the category waits for its next review
/// (`Some(TenderOutcome::None)`); otherwise a tender opens, to be decided
/// after its procedure's duration (`Some(TenderOutcome::Opened)`). Returns
/// `None`, changing nothing, when the tender is to be decided at once.
///
/// Neither result reads anything another pair's tender changes (the gap
/// is the pair's own fleet and orders; the duration is a keyed draw), so
/// these reviews may run before the quarter's drawn order
/// ([`crate::model::schedule::step`]) with the same results. Inlined
/// there: it runs for every pair due for review, most of which just wait.
#[inline(always)]
pub fn review_off_market(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    draws: &Draws,
) -> Option<TenderOutcome> {
    if gap(w, s, t, b, c) < f64::from(w.categories[c].min_lot) {
        // Nothing to buy: the category comes up again at the next yearly
        // review (procurement is planned once a year).
        s.buyers[b].stage[c] = Stage::Idle {
            review: t + w.market.review_quarters as usize,
        };
        return Some(TenderOutcome::None);
    }
    let u = unit(draws.key(Purpose::Stage, t, w.buyers[b].key, w.categories[c].key));
    let d = duration(w, w.buyers[b].procedure_at(t), w.threat_of(t, b), u);
    if d == 0 {
        return None;
    }
    s.buyers[b].stage[c] = Stage::Open { decide: t + d };
    Some(TenderOutcome::Opened)
}

/// Decide a tender: offers from the consideration set, then the choice.
fn decide_tender(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    draws: &Draws,
    scratch: &mut TenderScratch,
) -> TenderOutcome {
    let m = &w.market;
    let g = gap(w, s, t, b, c);
    if g < f64::from(w.categories[c].min_lot) {
        // The need went away while the tender ran (deliveries, a smaller
        // requirement): it lapses.
        s.buyers[b].stage[c] = Stage::Idle { review: t };
        return TenderOutcome::None;
    }
    s.region_sums(w, w.buyers[b].region, c, t);
    let (bk, ck) = (w.buyers[b].key, w.categories[c].key);
    let consider = draws.key(Purpose::Consider, t, bk, ck);
    let pick = draws.key(Purpose::Choice, t, bk, ck);
    let TenderScratch {
        offers,
        keys,
        bounds,
        order,
    } = scratch;
    let bidding = Bidding::new(w, s, t, b, c);
    let mut considered_supplier = usize::MAX;
    let mut in_set = false;
    keys.clear();
    bounds.clear();
    for &l in &w.lines_by_category[c] {
        // A line with nothing for this buyer makes no offer whatever its
        // supplier's access: skip the access (the consideration draw is
        // keyed, so skipping it changes no other draw).
        let limit = sellable(w, s, t, b, l);
        if limit == 0 {
            continue;
        }
        let j = w.lines[l].supplier;
        if j != considered_supplier {
            considered_supplier = j;
            in_set = s.considers(w, j, b, || unit(fold(consider, w.suppliers[j].key)));
        }
        if !in_set {
            continue;
        }
        let needed = units_to_close(w, &bidding, l, g).min(limit);
        if needed == 0 {
            continue;
        }
        let n = keys.len();
        if n == offers.len() {
            offers.push(Offer::default());
        }
        let o = &mut offers[n];
        if price_offer(w, s, &bidding, l, needed, o) {
            let key = fold(pick, w.lines[l].key);
            keys.push(key);
            bounds.push(utility_bound(w, s, &bidding, o));
        }
    }
    // Only the offers that may win have their lot's terms and their noise
    // worked out (the noise is keyed, so leaving one out changes no other
    // draw).
    let chosen = if keys.is_empty() {
        Choice::NoOffer
    } else {
        let defer = w.buyers[b].weights.defer;
        choice::choose_bounded(bounds, keys, defer, fold(pick, DEFER_KEY), order, |j| {
            let o = &mut offers[j];
            settle_lot(w, s, &bidding, o).then_some(o.utility)
        })
    };
    let Choice::Offer(k) = chosen else {
        s.buyers[b].stage[c] = Stage::Idle {
            review: t + m.defer_quarters as usize,
        };
        return if chosen == Choice::Defer {
            TenderOutcome::Deferred
        } else {
            TenderOutcome::NoOffer
        };
    };
    let o = &mut offers[k];
    let (line, units, needed, cut) = (o.line, o.units, o.needed, o.cut);
    let id = sign(w, s, t, b, o, false);
    let framework = w.buyers[b].procedure_at(t) == Procedure::Framework;
    s.buyers[b].stage[c] = if framework && needed > units {
        Stage::Framework {
            line,
            units: needed - units,
            call: t + w.procedures.executive_interval.max(1) as usize,
            until: t + (4.0 * w.procedures.framework_years).round() as usize,
        }
    } else if cut {
        // A lot cut to what arrives in time: the rest is tendered again
        // next quarter. (A lot the budget cut waits for the next review.)
        Stage::Open { decide: t + 1 }
    } else {
        Stage::Idle {
            review: t + m.review_quarters as usize,
        }
    };
    TenderOutcome::Contract(id)
}

/// An executive contract under a framework with `line` covering `units`
/// more: no competition, the framework's winner quotes for what the gap
/// still needs. If the buyer cannot take a lot now it tries next quarter.
#[allow(clippy::too_many_arguments)]
fn executive(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    line: usize,
    units: u32,
    scratch: &mut TenderScratch,
) -> TenderOutcome {
    let g = gap(w, s, t, b, c);
    if g < f64::from(w.categories[c].min_lot) {
        // The requirement is met: the framework's rest is not called off.
        s.buyers[b].stage[c] = Stage::Idle {
            review: t + w.market.review_quarters as usize,
        };
        return TenderOutcome::None;
    }
    if scratch.offers.is_empty() {
        scratch.offers.push(Offer::default());
    }
    s.region_sums(w, w.buyers[b].region, c, t);
    let o = &mut scratch.offers[0];
    if !make_offer(w, s, t, b, line, g, units, o) {
        if let Stage::Framework { call, .. } = &mut s.buyers[b].stage[c] {
            *call = t + 1;
        }
        return TenderOutcome::None;
    }
    let signed = o.units;
    let id = sign(w, s, t, b, o, true);
    if let Stage::Framework {
        units: left, call, ..
    } = &mut s.buyers[b].stage[c]
    {
        *left -= signed.min(*left);
        *call = t + w.procedures.executive_interval.max(1) as usize;
    }
    TenderOutcome::Executive(id)
}

/// Book a contract: queue the lot (diverting home units), take stock or
/// legacy units for upgrade, commit the buyer's budget net of credit, draw
/// on the country's credit. The offer stays in its scratch slot (its
/// schedule buffer is used again); the schedule is copied to the end of the
/// run's promised schedules.
pub fn sign(w: &World, s: &mut State, t: usize, b: usize, o: &mut Offer, executive: bool) -> u32 {
    materialise(w, s, t, o);
    let line = &w.lines[o.line];
    let c = line.category;
    let id = s.contracts.len() as u32;
    let earliest = t + w.market.diversion_lead as usize;
    let ls = &mut s.lines[o.line];
    let diverted = ls.book(id, o.units, o.diverted, earliest);
    debug_assert_eq!(diverted, o.diverted);
    if let Some(left) = &mut ls.stock {
        *left -= o.units;
    }
    s.ledgers[o.line].ordered += u64::from(o.units);
    let value = o.price * f64::from(o.units);
    let country = w.suppliers[line.supplier].country;
    s.credit[country].outstanding += o.credit;
    let bs = &mut s.buyers[b];
    if line.upgrades.is_some() {
        bs.fleet[c].reserve(o.units);
    }
    // The whole value: credit raised the headroom of this offer only.
    bs.outstanding += value;
    bs.on_order[c] += o.units;
    bs.on_order_capability[c] +=
        f64::from(o.units) * line.capability_gain(bs.fleet[c].legacy.capability);
    let start = s.promised.len() as u32;
    s.promised.extend_from_slice(&o.schedule);
    let promised = start..s.promised.len() as u32;
    s.contracts.push(Contract {
        id,
        signed: t,
        buyer: b,
        line: o.line,
        supplier: line.supplier,
        category: c,
        units: o.units,
        unit_price: o.price,
        value,
        credit: o.credit,
        diverted,
        lead_first: o.lead.first,
        lead_mean: o.lead.mean,
        promised,
        promised_due: Default::default(),
        delivered: 0,
        first_delivery: None,
        executive,
    });
    id
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affordable_units_by_hand() {
        // No credit: 100 / 10 = 10 units.
        assert_eq!(affordable_units(10.0, 100.0, 0.0, 0.0), 10);
        // Half financed, ample room: 100 / 5 = 20 units.
        assert_eq!(affordable_units(10.0, 100.0, 0.5, 1e9), 20);
        // Half financed but room 50: (100 + 50) / 10 = 15 units.
        assert_eq!(affordable_units(10.0, 100.0, 0.5, 50.0), 15);
        assert_eq!(affordable_units(10.0, -1.0, 0.5, 50.0), 0);
        // A headroom of exactly 3 units' value buys 3, though 3.3 / 1.1 is
        // 2.9999999999999996 in binary; a hair less buys 2.
        assert_eq!(affordable_units(1.1, 3.3, 0.0, 0.0), 3);
        assert_eq!(affordable_units(1.1, 3.29, 0.0, 0.0), 2);
    }

    #[test]
    fn units_for_a_gap_by_hand() {
        assert_eq!(units_for(10.0, 1.0), 10);
        // Upgrades adding 0.3 each: 10 / 0.3 = 33.3 → 34 units.
        assert_eq!(units_for(10.0, 0.3), 34);
        assert_eq!(units_for(0.2, 1.0), 1);
        assert_eq!(units_for(0.0, 1.0), 0);
        assert_eq!(units_for(5.0, 0.0), 0);
        // Units that add next to nothing: the format's most units, not a
        // count that wraps round.
        assert_eq!(units_for(10.0, 1e-300), MAX_CONTRACT_UNITS);
        assert_eq!(units_for(1e5, 1.0), 100_000);
        assert_eq!(units_for(1e5 + 1.0, 1.0), 100_000);
    }

    use crate::model::production::Owner;
    use crate::model::testkit::{buyer, category, close, line, toy};

    /// A toy world whose K2 line has capacity 10, base lead 2 and nothing
    /// queued, diversion open to every buyer.
    fn k2_world() -> World {
        k2_world_with(&["market.diversion_min_threat=0"])
    }

    /// The toy with the K2 line alone as [`k2_world`] has it, and `sets`.
    fn k2_world_with(sets: &[&str]) -> World {
        let mut all = vec![
            "suppliers.korea_land.lines.k2.capacity=10",
            "suppliers.korea_land.lines.k2.base_lead=2",
            "suppliers.korea_land.lines.k2.initial_backlog=0",
            "suppliers.korea_land.lines.k2.home_orders={}",
        ];
        all.extend_from_slice(sets);
        toy(&all)
    }

    /// The delivery term reads when the lot arrives, not its first unit:
    /// one diverted unit ahead of 39 units behind a 400-unit queue is a slow
    /// lot; the same 40 units from an empty line are a fast one.
    #[test]
    fn a_lot_is_valued_by_its_mean_lead() {
        let w = k2_world();
        let (aaa, k2) = (buyer(&w, "AAA"), line(&w, "k2"));
        let mut s = State::new(&w);
        // Quarter 0: 2 home units start (due in quarter 2); 400 wait.
        s.lines[k2].enqueue(Owner::Home, 2);
        s.lines[k2].start_production(0, 2);
        s.lines[k2].enqueue(Owner::Home, 400);
        let mut slow = Offer::default();
        assert!(make_offer(&w, &s, 1, aaa, k2, 40.0, u32::MAX, &mut slow));
        // Half of 2 home units in production is divertible: 1 unit, handed
        // over in quarter 2 (lead 1). The other 39 start after the 400
        // queued, 10 a quarter from quarter 1: in quarters 41 to 44, and
        // arrive 2 quarters later (leads 42, 43, 44, 45 for 10, 10, 10, 9).
        // Acceptable lead 16 / (1 + 1.5 · 0.24) = 11.8 quarters: 1 unit in
        // time is less than a minimum lot (10), so the whole lot is signed.
        assert_eq!((slow.units, slow.diverted), (40, 1));
        let mean = (1.0 + 420.0 + 430.0 + 440.0 + 9.0 * 45.0) / 40.0;
        assert!(close(slow.lead.mean, mean));
        // The projected schedule of the chosen lot agrees, and its first
        // unit is fast: a first-unit rule would have called it fast.
        let mut chosen = slow.clone();
        materialise(&w, &s, 1, &mut chosen);
        assert_eq!(chosen.lead.first, 1.0);
        assert!(close(chosen.lead.mean, mean));

        let fresh = State::new(&w);
        let mut fast = Offer::default();
        assert!(make_offer(
            &w,
            &fresh,
            1,
            aaa,
            k2,
            40.0,
            u32::MAX,
            &mut fast
        ));
        // 10 a quarter from quarter 1, arriving 2 quarters later: leads 2..5.
        assert!(close(fast.lead.mean, 3.5));
        let mut chosen = fast.clone();
        materialise(&w, &fresh, 1, &mut chosen);
        assert_eq!(chosen.schedule, vec![(3, 10), (4, 10), (5, 10), (6, 10)]);
        // Utility: only the price (utilisation 402 / (10 · 8) → capped at
        // 3, so 9 · 1.6) and the lot's lead differ. Toy weights: price 1,
        // delivery 0.6, urgency 2, θ = 0.24.
        let per_year = 0.6 * (1.0 + 2.0 * 0.24);
        let expected = -(14.4f64 / 9.0).ln() - per_year * (slow.lead.mean - 3.5) / 4.0;
        assert!(close(slow.price, 14.4) && close(fast.price, 9.0));
        assert!(close(slow.utility - fast.utility, expected));
    }

    /// A contract draws on its supplier country's export credit: half the
    /// value (Korea's credit share in the toy world) up to what the cap
    /// leaves; the buyer commits the whole value (the credit widened this
    /// offer's headroom only). 40 K2 at 9.0 are worth 360: 180 on credit
    /// under a cap of 10,000; under a cap of 100, 100 on credit, and no
    /// room is left for the next offer's credit.
    #[test]
    fn a_contract_draws_on_its_country_s_credit_up_to_the_cap() {
        for (cap, credit) in [(10_000.0, 180.0), (100.0, 100.0)] {
            let w = toy(&[
                "suppliers.korea_land.lines.k2.initial_backlog=0",
                "suppliers.korea_land.lines.k2.home_orders={}",
                &format!("countries.KOR.credit_cap={cap}"),
            ]);
            let (aaa, k2) = (buyer(&w, "AAA"), line(&w, "k2"));
            let kor = w.countries.iter().position(|c| c.id == "KOR").unwrap();
            let mut s = State::new(&w);
            let committed = s.buyers[aaa].outstanding;
            let mut o = Offer::default();
            assert!(make_offer(&w, &s, 0, aaa, k2, 40.0, u32::MAX, &mut o));
            assert_eq!(o.units, 40);
            assert!(close(o.price, 9.0), "{}", o.price);
            assert!(close(o.credit, credit), "cap {cap}: {}", o.credit);
            sign(&w, &mut s, 0, aaa, &mut o, false);
            assert!(close(s.credit[kor].outstanding, credit));
            assert!(close(s.buyers[aaa].outstanding - committed, 360.0));
            let mut next = Offer::default();
            assert!(make_offer(&w, &s, 0, aaa, k2, 40.0, u32::MAX, &mut next));
            // The backlog raises the next price: half its value, within
            // the room left.
            let half = 0.5 * f64::from(next.units) * next.price;
            assert!(
                close(next.credit, half.min(cap - credit)),
                "{}",
                next.credit
            );
        }
    }

    /// Export credit finances exports: a country's credit does not pay
    /// for its own government's purchases from its industry. Toy CCC (the
    /// country of german_land) given Korea's terms: 40 Leopard 2 at their
    /// price carry half their value on credit for AAA, none for CCC.
    #[test]
    fn a_government_draws_no_export_credit_at_home() {
        let w = toy(&[
            "countries.CCC={ credit_share = 0.5, credit_cap = 10000.0 }",
            "suppliers.german_land.lines.leopard2.initial_backlog=0",
            "suppliers.german_land.lines.leopard2.home_orders={}",
        ]);
        let leopard2 = line(&w, "leopard2");
        let s = State::new(&w);
        for (who, share) in [("AAA", 0.5), ("CCC", 0.0)] {
            let b = buyer(&w, who);
            let mut o = Offer::default();
            assert!(make_offer(&w, &s, 0, b, leopard2, 40.0, u32::MAX, &mut o));
            let value = o.price * f64::from(o.units);
            assert!(value > 0.0);
            assert!(close(o.credit, share * value), "{who}: {}", o.credit);
        }
    }

    /// Export credit raises the buyer's headroom for the offer it finances
    /// only; the contract's whole value is then unpaid value that the next
    /// offer's headroom counts. Toy AAA at 2014Q1: B = 500 · 1000 · 1.9 % ·
    /// 20 % = 1,900 a year, H = 4 · 1,900 = 7,600. 40 K2 at 9.0 = 360, half
    /// on Korean credit, are affordable with H + 180; signed, they leave
    /// H = 7,600 − 360 = 7,240 for the next offer (not 7,420).
    #[test]
    fn credit_raises_the_headroom_of_its_own_offer_only() {
        let w = toy(&[
            "suppliers.korea_land.lines.k2.initial_backlog=0",
            "suppliers.korea_land.lines.k2.home_orders={}",
        ]);
        let (aaa, k2) = (buyer(&w, "AAA"), line(&w, "k2"));
        let mut s = State::new(&w);
        assert!(close(headroom(&w, &s, 0, aaa), 7600.0));
        let mut o = Offer::default();
        assert!(make_offer(&w, &s, 0, aaa, k2, 40.0, u32::MAX, &mut o));
        assert!(close(o.price * f64::from(o.units), 360.0) && close(o.credit, 180.0));
        sign(&w, &mut s, 0, aaa, &mut o, false);
        let left = headroom(&w, &s, 0, aaa);
        assert!(close(left, 7240.0), "{left}");
    }

    /// Diverted units that make a minimum lot in time are signed on their
    /// own; the lot's lead is theirs.
    #[test]
    fn a_lot_in_time_is_cut_to_what_arrives_in_time() {
        let w = k2_world();
        let (aaa, k2) = (buyer(&w, "AAA"), line(&w, "k2"));
        let mut s = State::new(&w);
        s.lines[k2].enqueue(Owner::Home, 24);
        s.lines[k2].start_production(0, 2); // 10 home units due in quarter 2
        s.lines[k2].enqueue(Owner::Home, 400);
        let mut o = Offer::default();
        assert!(make_offer(&w, &s, 1, aaa, k2, 40.0, u32::MAX, &mut o));
        // Divertible: half of 10 = 5 < a minimum lot of 10: the whole lot.
        assert_eq!((o.units, o.diverted), (40, 5));
        s.lines[k2].start_production(1, 2); // 10 more home units, due 3
        assert!(make_offer(&w, &s, 2, aaa, k2, 40.0, u32::MAX, &mut o));
        // Now 10 divertible units (due 2 and 3, handed over from quarter 3)
        // arrive within the acceptable lead: the lot is cut to them.
        assert_eq!((o.units, o.needed, o.diverted), (10, 40, 10));
        assert_eq!(o.lead.mean, 1.0);
        assert!(o.cut);
        materialise(&w, &s, 2, &mut o);
        assert_eq!(o.schedule, vec![(3, 10)]);
    }

    #[test]
    fn procedures_take_their_time_shortened_by_threat() {
        let w = toy(&[]);
        // Toy: competition 4, direct 2, framework 1 quarters; urgency 1.
        // At the middle draw (u = 0.5) a tender takes the mean.
        assert_eq!(duration(&w, Procedure::Competition, 0.24, 0.5), 3); // 4/1.24 = 3.2
        assert_eq!(duration(&w, Procedure::Competition, 1.0, 0.5), 2);
        assert_eq!(duration(&w, Procedure::Direct, 0.24, 0.5), 2); // 1.6
        assert_eq!(duration(&w, Procedure::Framework, 0.24, 0.5), 1); // 0.8
        assert_eq!(duration(&w, Procedure::Framework, 1.5, 0.5), 0); // 0.4
        // Toy spread 0.5: from half the mean to one and a half times it.
        assert_eq!(duration(&w, Procedure::Competition, 0.0, 0.0), 2);
        assert_eq!(duration(&w, Procedure::Competition, 0.0, 0.999), 6);
        let instant = toy(&["mechanisms.tender_stages=false"]);
        assert_eq!(duration(&instant, Procedure::Competition, 0.0, 0.5), 0);
    }

    /// An upgrade offer is priced per unit of capability it adds and books
    /// the legacy units it will upgrade.
    #[test]
    fn upgrade_offers_close_the_gap_by_what_they_add() {
        let w = toy(&[]);
        let (aaa, bbb, tank, up) = (
            buyer(&w, "AAA"),
            buyer(&w, "BBB"),
            category(&w, "tank"),
            line(&w, "t72_upgrade"),
        );
        let mut s = State::new(&w);
        let mut o = Offer::default();
        // BBB has no legacy T-72s: nothing to upgrade.
        assert!(!make_offer(&w, &s, 0, bbb, up, 30.0, u32::MAX, &mut o));
        // AAA: each upgrade takes a 0.5 unit to 0.8, adding 0.3: a gap of 30
        // needs 100 units at 3.0 (the line is idle), i.e. 10 per unit of
        // capability against the tank reference price of 15. The line
        // upgrades 8 a quarter with a lead of 2: within the acceptable lead
        // of 11 quarters (16 / 1.36) the units started in quarters 0 to 9
        // arrive, 80 of them, and the lot is cut to those.
        assert!(make_offer(&w, &s, 0, aaa, up, 30.0, u32::MAX, &mut o));
        assert_eq!((o.units, o.needed), (80, 100));
        let k0 = s.buyers[aaa].fleet[tank].capability();
        let u = o.utility;
        let id = sign(&w, &mut s, 0, aaa, &mut o, false);
        assert_eq!(s.contracts[id as usize].units, 80);
        assert_eq!(s.buyers[aaa].fleet[tank].reserved, 80);
        assert!(close(s.buyers[aaa].on_order_capability[tank], 24.0));
        // The gap falls by the 24 on order; the fleet is unchanged until
        // delivery.
        assert!(close(s.buyers[aaa].fleet[tank].capability(), k0));
        // The price is the idle line's list price, and the price term of
        // the utility is −w_p ln(10 / 15): raising the price weight from 1
        // to 3 in an otherwise equal world moves the utility by −2 ln(10 / 15)
        // and nothing else.
        assert!(close(o.price, 3.0));
        let heavier = toy(&["preferences.default.price=3.0"]);
        let mut o2 = Offer::default();
        let fresh = State::new(&heavier);
        assert!(make_offer(
            &heavier,
            &fresh,
            0,
            aaa,
            up,
            30.0,
            u32::MAX,
            &mut o2
        ));
        assert!(close(o2.price, 3.0));
        assert!(close(o2.utility - u, -2.0 * (10.0f64 / 15.0).ln()));
    }

    /// Commonality weighs the buyer's own fleet fully and its regional
    /// neighbours' at `neighbour_weight` (0.5 in the toy world).
    #[test]
    fn commonality_by_hand() {
        let w = toy(&[]);
        let (aaa, ccc, tank) = (buyer(&w, "AAA"), buyer(&w, "CCC"), category(&w, "tank"));
        let family = |id: &str| w.families.iter().position(|f| f == id).unwrap();
        let mut s = State::new(&w);
        for b in [aaa, ccc] {
            s.region_sums(&w, w.buyers[b].region, tank, 0);
        }
        // East: AAA has 150 Leopard 2 of 600 tanks (450 legacy T-72s), its
        // neighbour BBB 200 of 200: (150 + 0.5 · 200) / (600 + 0.5 · 200).
        assert!(close(
            commonality(&w, &s, aaa, tank, family("leopard2")),
            250.0 / 700.0
        ));
        assert_eq!(commonality(&w, &s, aaa, tank, family("abrams")), 0.0);
        // West: CCC is alone with 300 of 300.
        assert!(close(
            commonality(&w, &s, ccc, tank, family("leopard2")),
            1.0
        ));
    }

    /// Every term of the utility, worked by hand from docs/ODD.md 7.9 for
    /// one offer: toy buyer AAA (θ = 1.2 · 0.2 = 0.24, localisation demand
    /// 0.4, EU member) and the Leopard 2 of german_land (country CCC, an EU
    /// member), with 40 units queued ahead on its 10 a quarter, base lead
    /// 10, and w_A = 0.8 with an affinity of 0.5 toward CCC.
    /// - price: utilisation 40 / (10 · 8) = 0.5, p = 17 · (1 + 0.3 · 0.5) =
    ///   19.55; term −1 · ln(19.55 / (1 · 15));
    /// - delivery: the 40 ahead start in quarters 0–3, the lot of 10 in
    ///   quarter 4, all due in quarter 14 (later than floor(16 / 1.36) = 11,
    ///   so the lot is not cut): −0.6 · (1 + 2 · 0.24) · 14 / 4 = −3.108;
    /// - quality 1 · 0.9, interoperability 1 · 0.95, offset
    ///   0.5 · min(0.4, 0.5) = 0.2, reliability 1 · 4 / (4 + 1) = 0.8;
    /// - commonality 1 · (150 + 0.5 · 200) / (600 + 0.5 · 200) = 250 / 700;
    /// - domestic 0 (CCC is not AAA), European 0.3 · 1, affinity 0.8 · 0.5.
    ///
    /// A sign flipped or a term dropped or read from the wrong place moves
    /// the sum.
    #[test]
    fn every_term_of_the_utility_by_hand() {
        let w = toy(&[
            "suppliers.german_land.lines.leopard2.initial_backlog=40",
            "suppliers.german_land.lines.leopard2.home_orders={}",
            "preferences.default.affinity=0.8",
            "affinity={ default = { CCC = 0.5 } }",
        ]);
        let (aaa, leo, tank) = (buyer(&w, "AAA"), line(&w, "leopard2"), category(&w, "tank"));
        let mut s = State::new(&w);
        s.region_sums(&w, w.buyers[aaa].region, tank, 0);
        let mut o = Offer::default();
        assert!(make_offer(&w, &s, 0, aaa, leo, 10.0, u32::MAX, &mut o));
        assert_eq!((o.units, o.cut), (10, false));
        assert!(close(o.price, 19.55), "{}", o.price);
        assert!(close(o.lead.mean, 14.0), "{}", o.lead.mean);
        assert!(close(o.offset, 0.4), "{}", o.offset);
        let terms = [
            -(19.55f64 / 15.0).ln(),
            -0.6 * (1.0 + 2.0 * 0.24) * 14.0 / 4.0,
            0.9,
            0.95,
            0.5 * 0.4,
            4.0 / 5.0,
            250.0 / 700.0,
            0.0,
            0.3,
            0.8 * 0.5,
        ];
        let expected: f64 = terms.iter().sum();
        assert!(close(o.utility, expected), "{} vs {expected}", o.utility);
        assert!(close(utility(&w, &s, 0, aaa, tank, &o), expected));
    }

    /// A stock line sells at most what is left and is depleted by a sale.
    #[test]
    fn stock_lines_sell_down_their_stock() {
        let w = toy(&[]);
        let (aaa, used) = (buyer(&w, "AAA"), line(&w, "used_abrams"));
        let mut s = State::new(&w);
        let mut o = Offer::default();
        // A gap of 200 needs 250 used tanks at 0.8 each; 120 are in stock.
        assert!(make_offer(&w, &s, 0, aaa, used, 200.0, u32::MAX, &mut o));
        assert_eq!(o.needed, 120);
        let units = o.units;
        sign(&w, &mut s, 0, aaa, &mut o, false);
        assert_eq!(s.lines[used].stock, Some(120 - units));
        let mut again = Offer::default();
        let left = make_offer(&w, &s, 0, aaa, used, 200.0, u32::MAX, &mut again);
        assert_eq!(left, units < 120);
        if left {
            assert!(again.needed <= 120 - units);
        }
    }

    /// The toy world with AAA procuring its tanks (requirement 500) under
    /// framework agreements from 2014, decided at once, no warm-up.
    fn framework_world() -> World {
        toy(&[
            "buyers.AAA.procedure={\"2014Q1\"=\"framework\"}",
            "buyers.AAA.fleet.tank.required=500.0",
            "procedures.framework_quarters=0.0",
            "market.acceptable_lead=12.0",
            "mechanisms.warmup=false",
        ])
    }

    /// Under a framework procedure the winner gets the whole need; the
    /// rest is called off by executive contracts with that line, without a
    /// new competition.
    #[test]
    fn a_framework_is_called_off_by_executive_contracts() {
        let w = framework_world();
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let mut scratch = TenderScratch::default();
        // Acceptable lead 12 / 1.36 = 8.8 quarters. The new-build lines
        // deliver nothing that soon (their lots are signed whole); the used
        // tanks (6 a quarter, lead 2) and the upgrades (8 a quarter, lead 2)
        // deliver part of what the gap of 173 needs in time. Find draws whose
        // first decision signs with one of those: a framework then remains.
        let (s, first) = (0u64..500)
            .find_map(|k| {
                let mut s = State::new(&w);
                let d = Draws::seeded_from(k);
                match procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch) {
                    TenderOutcome::Contract(id)
                        if matches!(s.buyers[aaa].stage[tank], Stage::Framework { .. }) =>
                    {
                        Some((s, id))
                    }
                    _ => None,
                }
            })
            .expect("some draws give a framework");
        let c = s.contracts[first as usize].clone();
        let Stage::Framework {
            line: fl,
            units,
            call,
            ..
        } = s.buyers[aaa].stage[tank]
        else {
            panic!("expected a framework, got {:?}", s.buyers[aaa].stage[tank]);
        };
        assert_eq!(fl, c.line);
        assert!(units > 0, "the acceptable lead cut the first lot");
        assert_eq!(call, 4, "executive contracts every 4 quarters");
        // Nothing to do before the call; at the call an executive contract
        // with the same line.
        let mut s = s;
        let d = Draws::seeded_from(9);
        assert_eq!(
            procure(&w, &mut s, 2, aaa, tank, &d, &mut scratch),
            TenderOutcome::None
        );
        match procure(&w, &mut s, 4, aaa, tank, &d, &mut scratch) {
            TenderOutcome::Executive(id) => {
                let e = &s.contracts[id as usize];
                assert!(e.executive && e.line == c.line);
                // What the framework still covers falls by what was called
                // off; the next call is 4 quarters on.
                let Stage::Framework {
                    units: left, call, ..
                } = s.buyers[aaa].stage[tank]
                else {
                    panic!("the framework holds: {:?}", s.buyers[aaa].stage[tank]);
                };
                assert_eq!(left, units - e.units.min(units));
                assert_eq!(call, 8);
            }
            other => panic!("expected an executive contract, got {other:?}"),
        }
    }

    /// A framework whose line has nothing left to sell the buyer (the
    /// stock sold to others, the legacy fleet to upgrade gone) is over at
    /// its next call: the gap is reviewed at once, where it used to be
    /// retried every quarter until the framework's end (8 years in
    /// `europe.toml`).
    #[test]
    fn a_framework_whose_line_is_sold_out_is_over() {
        let w = framework_world();
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let mut scratch = TenderScratch::default();
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..100u64 {
            let mut s = State::new(&w);
            let d = Draws::seeded_from(k);
            if !matches!(
                procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch),
                TenderOutcome::Contract(_)
            ) {
                continue;
            }
            let Stage::Framework { line, call, .. } = s.buyers[aaa].stage[tank] else {
                continue;
            };
            match w.lines[line].id.as_str() {
                "used_abrams" => s.lines[line].stock = Some(0),
                "t72_upgrade" => {
                    let fleet = &mut s.buyers[aaa].fleet[tank];
                    fleet.legacy.units = fleet.reserved;
                }
                other => panic!("a framework with {other}"),
            }
            assert_eq!(sellable(&w, &s, call, aaa, line), 0);
            procure(&w, &mut s, call, aaa, tank, &d, &mut scratch);
            assert!(
                !matches!(s.buyers[aaa].stage[tank], Stage::Framework { line: l, .. } if l == line),
                "draws {k}: still a framework with {} after it sold out",
                w.lines[line].id
            );
            seen.insert(w.lines[line].id.as_str());
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["t72_upgrade", "used_abrams"]
        );
    }

    /// A framework covers what the winner's first lot leaves of the need:
    /// the lot and the framework's remainder add up to the units that close
    /// the gap the tender decided on. By hand, as in the test above: AAA's
    /// tank requirement 500 at θ = 0.24 and a threat response of 0.4 is
    /// 500 · 1.096 = 548 against 450 T-72s at 0.5 and 150 Leopard 2 at 1,
    /// 375: a gap of 173. Used Abrams add 0.8 each: 173 / 0.8 → 217, but
    /// only 120 are in stock; upgrades add 0.3: 173 / 0.3 → 577, but only
    /// the 450 legacy T-72s can be upgraded; a new tank adds 1: 173.
    #[test]
    fn a_framework_covers_what_the_first_lot_leaves_of_the_need() {
        let w = framework_world();
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        assert!(close(gap(&w, &State::new(&w), 0, aaa, tank), 173.0));
        let needed = |l: usize| match w.lines[l].id.as_str() {
            "used_abrams" => 120,
            "t72_upgrade" => 450,
            _ => 173,
        };
        let mut scratch = TenderScratch::default();
        // Both the used tanks (a first lot of 42 of 120) and the upgrades
        // (56 of 450) win frameworks among these draws.
        let mut seen = std::collections::BTreeSet::new();
        for k in 0..100u64 {
            let mut s = State::new(&w);
            let d = Draws::seeded_from(k);
            let TenderOutcome::Contract(id) = procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch)
            else {
                continue;
            };
            let c = &s.contracts[id as usize];
            if let Stage::Framework { line, units, .. } = s.buyers[aaa].stage[tank] {
                assert_eq!(line, c.line);
                assert_eq!(
                    c.units + units,
                    needed(c.line),
                    "draws {k}: a lot of {} from {}",
                    c.units,
                    w.lines[c.line].id
                );
                seen.insert(w.lines[c.line].id.as_str());
            }
        }
        assert_eq!(
            seen.into_iter().collect::<Vec<_>>(),
            ["t72_upgrade", "used_abrams"]
        );
    }

    /// The choice noise is each line's own: two identical lines of one
    /// supplier (the same terms, so the same utility, and the same
    /// consideration draw) each win half the tenders either wins. Over the
    /// first 400 such tenders, each line's wins are binomial(400, 1/2):
    /// mean 200, standard deviation 10, so 120 to 280 is eight standard
    /// deviations either side. Noise keyed by supplier would give both lines
    /// the same draw, and the one listed first would win every time.
    #[test]
    fn two_identical_lines_of_one_supplier_win_alike() {
        let w = toy(&[
            "mechanisms.warmup=false",
            "mechanisms.tender_stages=false",
            "buyers.AAA.fleet.tank.required=500.0",
            "suppliers.korea_land.lines.k2.initial_backlog=0",
            "suppliers.korea_land.lines.k2.home_orders={}",
            "suppliers.korea_land.lines.k2b={category=\"tank\", family=\"k2\", \
             list_price=9.0, quality=0.8, interoperability=0.6, base_lead=6, capacity=8.0, \
             reliability=0.9, localisation=0.3, divertible_share=0.5}",
        ]);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let (k2, k2b) = (line(&w, "k2"), line(&w, "k2b"));
        // The two offers are the same to the buyer.
        let s = State::new(&w);
        let (mut a, mut b) = (Offer::default(), Offer::default());
        assert!(make_offer(&w, &s, 0, aaa, k2, 173.0, u32::MAX, &mut a));
        assert!(make_offer(&w, &s, 0, aaa, k2b, 173.0, u32::MAX, &mut b));
        assert_eq!(a.utility.to_bits(), b.utility.to_bits());
        let mut scratch = TenderScratch::default();
        let mut wins = [0u32; 2];
        for k in 0..20_000u64 {
            if wins[0] + wins[1] == 400 {
                break;
            }
            let mut s = State::new(&w);
            let d = Draws::seeded_from(k);
            if let TenderOutcome::Contract(id) = procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch)
            {
                let l = s.contracts[id as usize].line;
                wins[0] += u32::from(l == k2);
                wins[1] += u32::from(l == k2b);
            }
        }
        assert_eq!(wins[0] + wins[1], 400, "too few tenders won by either");
        assert!(
            wins.iter().all(|&n| (120..=280).contains(&n)),
            "K2 and its twin won {wins:?}"
        );
    }

    /// How long a tender takes is drawn afresh for each quarter it opens
    /// in. AAA's competition (4 quarters, spread 0.5, θ = 0.24 before 2022)
    /// takes round(4 (0.5 + u) / 1.24) quarters: 2, 3, 4 or 5 for u below
    /// 0.275, 0.585, 0.895 and 1, so two independent draws agree with
    /// probability 0.275² + 0.31² + 0.31² + 0.105² = 0.28: in about 56 of 200
    /// seeds (standard deviation 6.3), and 120 is ten deviations off. A
    /// draw keyed without its quarter would agree in all 200.
    #[test]
    fn a_tender_s_duration_is_drawn_afresh_each_quarter() {
        let w = toy(&[
            "mechanisms.warmup=false",
            "buyers.AAA.fleet.tank.required=500.0",
        ]);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        assert!(close(w.threat_of(0, aaa), 0.24) && close(w.threat_of(4, aaa), 0.24));
        let lasts = |t: usize, d: &Draws| {
            let mut s = State::new(&w);
            assert_eq!(
                review_off_market(&w, &mut s, t, aaa, tank, d),
                Some(TenderOutcome::Opened)
            );
            match s.buyers[aaa].stage[tank] {
                Stage::Open { decide } => decide - t,
                other => panic!("expected an open tender, got {other:?}"),
            }
        };
        let agree = (0..200u64)
            .filter(|&k| {
                let d = Draws::seeded_from(k);
                lasts(0, &d) == lasts(4, &d)
            })
            .count();
        assert!(
            agree < 120,
            "durations at quarters 0 and 4 agree in {agree} of 200"
        );
    }

    /// Keyed draws: a tender sees the same consideration and choice noise
    /// whether or not another tender ran before it in the quarter (with
    /// streams consumed in turn, the first would have shifted the second's).
    #[test]
    fn a_tender_keeps_its_noise_when_another_changes() {
        let w = toy(&[
            "mechanisms.warmup=false",
            "mechanisms.tender_stages=false",
            "buyers.AAA.fleet.tank.required=500.0",
            "buyers.BBB.fleet.spg.required=200.0",
        ]);
        let (aaa, bbb) = (buyer(&w, "AAA"), buyer(&w, "BBB"));
        let (tank, spg) = (category(&w, "tank"), category(&w, "spg"));
        let mut scratch = TenderScratch::default();
        let mut differ = 0;
        for k in 0..300u64 {
            let d = Draws::seeded_from(k);
            let mut alone = State::new(&w);
            let a1 = procure(&w, &mut alone, 0, aaa, tank, &d, &mut scratch);
            let mut after = State::new(&w);
            let b = procure(&w, &mut after, 0, bbb, spg, &d, &mut scratch);
            let a2 = procure(&w, &mut after, 0, aaa, tank, &d, &mut scratch);
            // Tanks and guns share no line, so AAA's offers are the same.
            assert_eq!(
                a1,
                a2.map_contract(|id| id - u32::from(matches!(b, TenderOutcome::Contract(_))))
            );
            if let (TenderOutcome::Contract(x), TenderOutcome::Contract(y)) = (a1, a2) {
                assert_eq!(
                    alone.contracts[x as usize].line,
                    after.contracts[y as usize].line
                );
            }
            differ += usize::from(a1 != TenderOutcome::Deferred);
        }
        assert!(differ > 0);
    }

    /// Diversion opens at a threat of at least the threshold, the
    /// threshold itself included (docs/ODD.md 7.8: `θ_i(t) ≥ θ^div`). By
    /// hand: K2 (capacity 10, base lead 2, nothing queued) has 2 home units
    /// in production, of which floor(0.5 · 2) = 1 is divertible. With the
    /// threshold at AAA's own threat (1.2 · 0.2 = 0.24 in 2014) the offer
    /// of 40 diverts that unit (the other 39 arrive in quarters 3 to 6,
    /// within the acceptable lead of 11.8 quarters, so the lot is not cut);
    /// with the threshold one float above it, none.
    #[test]
    fn diversion_opens_at_the_threshold_itself() {
        let base = k2_world();
        let aaa = buyer(&base, "AAA");
        let theta = base.threat_of(1, aaa);
        assert!(close(theta, 0.24));
        for (threshold, diverted) in [(theta, 1), (theta.next_up(), 0)] {
            let w = k2_world_with(&[&format!("market.diversion_min_threat={threshold:?}")]);
            let k2 = line(&w, "k2");
            let mut s = State::new(&w);
            s.lines[k2].enqueue(Owner::Home, 2);
            s.lines[k2].start_production(0, 2);
            let mut o = Offer::default();
            assert!(make_offer(&w, &s, 1, aaa, k2, 40.0, u32::MAX, &mut o));
            assert_eq!((o.units, o.diverted), (40, diverted), "θ^div {threshold}");
        }
    }

    /// The European term is for a supplier of another EU member, never the
    /// buyer's own industry (docs/ODD.md 7.9: `E_ij = 1` if the supplier
    /// is not domestic and both countries are members). The Leopard 2
    /// (German Land, of CCC) is domestic to CCC, a member since 1958: the
    /// toy's w_E = 0.3 adds nothing to its utility there; to AAA, a member
    /// since 2004Q2 with CCC a member, it adds 0.3. The same offer is
    /// valued with w_E = 0.3 and with w_E = 0, all else equal.
    #[test]
    fn the_european_term_skips_the_home_industry() {
        let with = toy(&[]);
        let without = toy(&["preferences.default.european=0.0"]);
        let (aaa, ccc) = (buyer(&with, "AAA"), buyer(&with, "CCC"));
        let (tank, leo) = (category(&with, "tank"), line(&with, "leopard2"));
        let o = Offer {
            line: leo,
            price: 17.0,
            lead: Lead {
                first: 10.0,
                mean: 10.0,
            },
            ..Offer::default()
        };
        let (s_with, s_without) = (State::new(&with), State::new(&without));
        let term = |b| {
            utility(&with, &s_with, 0, b, tank, &o) - utility(&without, &s_without, 0, b, tank, &o)
        };
        assert!(close(term(aaa), 0.3), "{}", term(aaa));
        assert_eq!(term(ccc), 0.0);
    }

    /// A nearly sold-out stock sells less than a minimum lot (docs/ODD.md
    /// 7.8: `n^min = min(n^min_c, N^need)`). By hand: AAA's tank gap of 173
    /// needs ceil(173 / 0.8) = 217 used Abrams, but only 5 are left, so
    /// N^need = 5 and the minimum lot is min(10, 5) = 5: an offer of 5 units
    /// (at 6.0 each, well within AAA's headroom).
    #[test]
    fn a_nearly_sold_out_stock_sells_below_a_minimum_lot() {
        let w = toy(&["suppliers.us_stocks.lines.used_abrams.stock=5"]);
        let (aaa, used) = (buyer(&w, "AAA"), line(&w, "used_abrams"));
        let s = State::new(&w);
        let mut o = Offer::default();
        assert!(make_offer(&w, &s, 0, aaa, used, 173.0, u32::MAX, &mut o));
        assert_eq!((o.units, o.needed), (5, 5));
    }

    /// The offset is the buyer's localisation demand up to the line's
    /// ceiling (docs/ODD.md 7.8: `o = min(loc_i, Λ_l)`). AAA asks 0.4; the
    /// K2 localises up to 0.3, so o = 0.3; the Leopard 2 up to 0.5, so
    /// o = 0.4.
    #[test]
    fn the_offset_is_the_demand_up_to_the_line_s_ceiling() {
        let w = toy(&[]);
        let aaa = buyer(&w, "AAA");
        let s = State::new(&w);
        for (id, offset) in [("k2", 0.3), ("leopard2", 0.4)] {
            let mut o = Offer::default();
            assert!(make_offer(
                &w,
                &s,
                0,
                aaa,
                line(&w, id),
                40.0,
                u32::MAX,
                &mut o
            ));
            assert_eq!(o.offset, offset, "{id}");
        }
    }

    /// A government does not sell its own surplus to itself (docs/ODD.md
    /// 7.8, `sellable`): with the stored Abrams made AAA's own, AAA gets no
    /// offer from them, while BBB, of another country, still does.
    #[test]
    fn a_government_does_not_sell_its_surplus_to_itself() {
        let w = toy(&["suppliers.us_stocks.country=\"AAA\""]);
        let (aaa, bbb, used) = (buyer(&w, "AAA"), buyer(&w, "BBB"), line(&w, "used_abrams"));
        let s = State::new(&w);
        let mut o = Offer::default();
        assert!(!make_offer(&w, &s, 0, aaa, used, 40.0, u32::MAX, &mut o));
        assert!(make_offer(&w, &s, 0, bbb, used, 40.0, u32::MAX, &mut o));
    }

    /// A framework is called off up to its last quarter (docs/ODD.md 7.5:
    /// it is over only if `t > until`). AAA's gap of 173 tanks in 2020Q1
    /// (quarter 24, before the shock) with a K2 framework covering 100
    /// more: a call at quarter 24 with `until` 24 signs an executive
    /// contract with the K2; at 25 the framework is over and the gap is
    /// reviewed (decided at once under the framework procedure, which
    /// takes no time here): no executive contract.
    #[test]
    fn a_framework_is_called_off_in_its_last_quarter() {
        let w = framework_world();
        let (aaa, tank, k2) = (buyer(&w, "AAA"), category(&w, "tank"), line(&w, "k2"));
        let d = Draws::seeded_from(1);
        let mut scratch = TenderScratch::default();
        for (t, executive) in [(24, true), (25, false)] {
            let mut s = State::new(&w);
            s.buyers[aaa].stage[tank] = Stage::Framework {
                line: k2,
                units: 100,
                call: t,
                until: 24,
            };
            let outcome = procure(&w, &mut s, t, aaa, tank, &d, &mut scratch);
            assert_eq!(
                matches!(outcome, TenderOutcome::Executive(_)),
                executive,
                "quarter {t}: {outcome:?}"
            );
        }
    }

    /// A lot cut to what arrives in time is tendered again the next quarter;
    /// a lot signed whole waits for the next yearly review (docs/ODD.md
    /// 7.5: `Open {t + 1}`, else `Idle {t + D^rev}`). AAA's tank gap of 173
    /// in 2014 under a competition that takes no time: the acceptable lead
    /// is 12 / (1 + 1.5 · 0.24) = 8.8 quarters, within which the used
    /// Abrams and the upgrades deliver part of what they need (their lots
    /// are cut), while the new-build lines' lots are signed whole. Over
    /// the draws both kinds win.
    #[test]
    fn a_cut_lot_is_tendered_again_the_next_quarter() {
        let w = toy(&[
            "buyers.AAA.fleet.tank.required=500.0",
            "procedures.competition_quarters=0.0",
            "market.acceptable_lead=12.0",
            "mechanisms.warmup=false",
        ]);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let review = w.market.review_quarters as usize;
        let mut seen = [false; 2];
        for k in 0..200u64 {
            let mut s = State::new(&w);
            let d = Draws::seeded_from(k);
            // A fresh scratch: its offers are this tender's.
            let mut scratch = TenderScratch::default();
            let TenderOutcome::Contract(id) = procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch)
            else {
                continue;
            };
            let signed = s.contracts[id as usize].line;
            let cut = scratch
                .offers
                .iter()
                .find(|o| o.line == signed)
                .unwrap()
                .cut;
            let expected = if cut {
                Stage::Open { decide: 1 }
            } else {
                Stage::Idle { review }
            };
            assert_eq!(s.buyers[aaa].stage[tank], expected, "draws {k}");
            seen[usize::from(cut)] = true;
        }
        assert_eq!(seen, [true, true]);
    }

    /// A procurement is due from its quarter on, that quarter included: a
    /// review, a decision, and a framework's call (docs/ODD.md 7.5:
    /// `Framework` with `t ≥ call`); only due pairs are procured.
    #[test]
    fn a_stage_is_due_from_its_quarter_on() {
        let stages = [
            Stage::Idle { review: 4 },
            Stage::Open { decide: 4 },
            Stage::Framework {
                line: 0,
                units: 1,
                call: 4,
                until: 24,
            },
        ];
        for stage in stages {
            assert_eq!(
                [3, 4, 5].map(|t| due(&stage, t)),
                [false, true, true],
                "{stage:?}"
            );
        }
    }

    /// A line with no capacity, built or under construction, is priced at
    /// the highest utilisation (docs/ODD.md 7.8: `U_l = 3 if K̃_l = 0`):
    /// the K2 at list 9.0 with mark-up 0.2 then asks 9 · (1 + 0.2 · 3) =
    /// 14.4, as a line whose queue is three planning horizons long would.
    #[test]
    fn a_line_without_capacity_is_priced_at_the_highest_utilisation() {
        let w = toy(&[]);
        let k2 = line(&w, "k2");
        let mut s = State::new(&w);
        s.lines[k2] = LineState::new(0.0, None, 0.6, 0.3);
        assert_eq!(s.lines[k2].capacity_with_pending(), 0.0);
        assert!(close(price(&w, &s, k2), 14.4), "{}", price(&w, &s, k2));
    }

    /// A review opens a tender when the gap reaches a minimum lot, the
    /// minimum lot itself included (docs/ODD.md 7.5). By hand: with no
    /// threat response AAA's tank requirement is its R⁰; its fleet counts
    /// 450 T-72s at 0.5 and 150 Leopard 2s at 1, 375, with nothing on
    /// order. R⁰ = 385 leaves a gap of exactly 10, the tank's minimum lot:
    /// a tender opens (decided after a competition of 2 to 6 quarters);
    /// R⁰ = 384 leaves 9: the category waits for its next review.
    #[test]
    fn a_gap_of_exactly_a_minimum_lot_opens_a_tender() {
        for (required, outcome) in [(385.0, TenderOutcome::Opened), (384.0, TenderOutcome::None)] {
            let w = toy(&[
                "categories.tank.threat_response=0.0",
                &format!("buyers.AAA.fleet.tank.required={required:?}"),
                "mechanisms.warmup=false",
            ]);
            let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
            let mut s = State::new(&w);
            assert_eq!(gap(&w, &s, 0, aaa, tank), required - 375.0);
            let d = Draws::seeded_from(1);
            assert_eq!(
                review_off_market(&w, &mut s, 0, aaa, tank, &d),
                Some(outcome),
                "R⁰ {required}"
            );
        }
    }

    /// A government never diverts its own units to its own buyer
    /// (docs/ODD.md 7.8: diversion is for an export buyer). Pzh2000 with
    /// nothing queued, capacity 4: of 10 home units queued, 4 start, and
    /// floor(0.3 · 4) = 1 is divertible. AAA's offer for a gap of 20 takes
    /// that unit; CCC's, Germany being the Pzh2000's home, takes none.
    #[test]
    fn diversion_never_goes_to_the_home_buyer() {
        let w = toy(&[
            "mechanisms.warmup=false",
            "market.diversion_min_threat=0",
            "suppliers.german_land.lines.pzh2000.initial_backlog=0",
            "suppliers.german_land.lines.pzh2000.home_orders={}",
        ]);
        let (aaa, ccc, pzh) = (buyer(&w, "AAA"), buyer(&w, "CCC"), line(&w, "pzh2000"));
        let mut s = State::new(&w);
        // The toy's programme (12 units for BBB) waits first in the queue:
        // drop it, so that the 4 units started are home units.
        s.lines[pzh] = LineState::new(4.0, None, 0.95, 0.3);
        s.lines[pzh].enqueue(Owner::Home, 10);
        s.lines[pzh].start_production(0, 10);
        assert_eq!(s.lines[pzh].divertible(0.3), 1);
        for (b, diverted) in [(aaa, 1), (ccc, 0)] {
            let mut o = Offer::default();
            assert!(make_offer(&w, &s, 1, b, pzh, 20.0, u32::MAX, &mut o));
            assert_eq!(o.diverted, diverted, "buyer {}", w.buyers[b].id);
        }
    }

    /// After a deferral the pair waits `market.defer_quarters`, not the
    /// yearly review (docs/ODD.md 7.5). AAA's tank gap (R⁰ = 500) under a
    /// competition that takes no time, with a defer weight of 50 no offer
    /// can beat: the tender is decided at once, deferred, and reviewed
    /// again in quarter 0 + 2 (the review interval is 4).
    #[test]
    fn a_deferred_tender_waits_the_defer_quarters() {
        let w = toy(&[
            "market.defer_quarters=2",
            "procedures.competition_quarters=0.0",
            "mechanisms.warmup=false",
            "buyers.AAA.fleet.tank.required=500.0",
            "preferences.default.defer=50.0",
        ]);
        assert_eq!(w.market.review_quarters, 4);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let mut s = State::new(&w);
        let d = Draws::seeded_from(1);
        let mut scratch = TenderScratch::default();
        let outcome = procure(&w, &mut s, 0, aaa, tank, &d, &mut scratch);
        assert_eq!(outcome, TenderOutcome::Deferred);
        assert_eq!(s.buyers[aaa].stage[tank], Stage::Idle { review: 2 });
    }

    /// A tender whose need went away while it ran lapses, and the pair is
    /// reviewed again at once (docs/ODD.md 7.5), not a year later. With
    /// no threat response AAA's tanks count 375 against R⁰ = 384: a gap
    /// of 9, below the minimum lot of 10. A tender open to be decided in
    /// quarter 3 then leaves `Idle { review: 3 }`.
    #[test]
    fn a_lapsed_tender_is_reviewed_again_at_once() {
        let w = toy(&[
            "categories.tank.threat_response=0.0",
            "buyers.AAA.fleet.tank.required=384.0",
            "mechanisms.warmup=false",
        ]);
        let (aaa, tank) = (buyer(&w, "AAA"), category(&w, "tank"));
        let mut s = State::new(&w);
        assert_eq!(gap(&w, &s, 3, aaa, tank), 9.0);
        s.buyers[aaa].stage[tank] = Stage::Open { decide: 3 };
        let d = Draws::seeded_from(1);
        let mut scratch = TenderScratch::default();
        let outcome = procure(&w, &mut s, 3, aaa, tank, &d, &mut scratch);
        assert_eq!(outcome, TenderOutcome::None);
        assert_eq!(s.buyers[aaa].stage[tank], Stage::Idle { review: 3 });
    }
}

//! Needs, tenders, offers, choice and contracting (steps 3 to 6 of a
//! quarter).
//!
//! A buyer's gap in a category is `R − fleet − on order` with
//! `R = R⁰ · (1 + ρ θ)`. A tender opens when the gap reaches the category's
//! minimum lot and no deferral is pending. Each supplier with a line in the
//! category enters the consideration set with its market access
//! probability and quotes: a price with a utilisation mark-up, the units
//! the buyer can afford (its commitment headroom plus the supplier
//! country's export credit for this offer only), the delivery schedule
//! from the line's queue and divertible home stock, and a localisation
//! offset. The buyer picks an offer or defers by multinomial logit; if the
//! winner cannot deliver the whole lot within the acceptable lead, the
//! buyer contracts what arrives in time (if that makes a minimum lot; else
//! the whole lot) and re-tenders the rest the next quarter. After a
//! contract the category is reviewed again after `review_quarters`.

use crate::model::choice;
use crate::model::production::{Lead, Schedule, lead_of, units_by};
use crate::model::state::{Contract, State};
use crate::model::world::World;
use rand::RngExt;

/// Largest utilisation that still raises the price; beyond it buyers see
/// the lead time, not an ever-rising price.
pub const MAX_UTILISATION: f64 = 3.0;

/// Units buyer `b` lacks in category `c` at quarter `t`.
pub fn gap(w: &World, s: &State, t: usize, b: usize, c: usize) -> i64 {
    let bs = &s.buyers[b];
    w.required_of(t, b, c) - i64::from(bs.fleet[c].total()) - i64::from(bs.on_order[c])
}

/// Commitment headroom H = commitment_years · B − outstanding, US$ m.
pub fn headroom(w: &World, s: &State, t: usize, b: usize) -> f64 {
    w.market.commitment_years * w.budget_of(t, b) - s.buyers[b].outstanding
}

/// Acceptable lead in quarters: shrinks as threat rises.
pub fn acceptable_lead(w: &World, t: usize, b: usize) -> f64 {
    w.market.acceptable_lead / (1.0 + w.market.acceptable_lead_threat * w.threat_of(t, b))
}

/// A supplier's price for line `l` now: list · (1 + μ · utilisation).
pub fn price(w: &World, s: &State, l: usize) -> f64 {
    let line = &w.lines[l];
    let ls = &s.lines[l];
    let cap = ls.capacity_with_pending() * w.market.planning_horizon;
    let utilisation = if cap > 0.0 {
        (ls.backlog() as f64 / cap).min(MAX_UTILISATION)
    } else {
        MAX_UTILISATION
    };
    line.list_price * (1.0 + w.suppliers[line.supplier].markup * utilisation)
}

/// Probability that supplier `j` enters buyer `b`'s consideration set:
/// `1 − (1 − base) · exp(−marketing stock)`.
pub fn access(w: &World, s: &State, j: usize, b: usize) -> f64 {
    s.access[j * w.buyers.len() + b]
}

/// Commonality of family `f` for buyer `b` in category `c`: the share of
/// the buyer's and (weighted) its neighbours' fleets of that family, where
/// the neighbours are the other buyers of its region.
pub fn commonality(w: &World, s: &State, b: usize, c: usize, f: usize) -> f64 {
    let nw = w.market.neighbour_weight;
    let own = &s.buyers[b].fleet[c];
    let r = w.buyers[b].region;
    let own_same = f64::from(own.of_family(f));
    let own_total = f64::from(own.total());
    let region_total = s.region_totals[r * w.categories.len() + c];
    let same = own_same + nw * (f64::from(s.region_family(w, r, c, f)) - own_same);
    let total = own_total + nw * (f64::from(region_total) - own_total);
    if total > 0.0 { same / total } else { 0.0 }
}

/// The largest number of units at `price` that the buyer can commit to with
/// `headroom`, when the supplier country finances `share` of the value up
/// to `room`: n·p − min(share·n·p, room) ≤ headroom.
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
    by_share.min(by_room).min(f64::from(u32::MAX)).floor() as u32
}

/// One supplier's terms in a tender.
#[derive(Debug, Clone, Default)]
pub struct Offer {
    /// Line index.
    pub line: usize,
    /// Unit price, US$ m.
    pub price: f64,
    /// Units offered (what the buyer can afford, at most the gap).
    pub units: u32,
    /// Units from divertible home stock.
    pub diverted: u32,
    /// Export credit for the whole lot, US$ m.
    pub credit: f64,
    /// Projected schedule.
    pub schedule: Schedule,
    /// Leads of that schedule.
    pub lead: Lead,
    /// Localisation offset (0..1).
    pub offset: f64,
    /// Deterministic utility V.
    pub utility: f64,
}

/// The deterministic utility of an offer to buyer `b` in category `c`:
/// V = −w_p ln(p/ref) − w_L (1 + φθ) L/4 + w_Q Q + w_I I + w_O o + w_R r̂
///     + w_C C + w_D D + w_A A, with L the first-delivery lead in quarters.
pub fn utility(w: &World, s: &State, t: usize, b: usize, c: usize, o: &Offer) -> f64 {
    let wt = &w.buyers[b].weights;
    let line = &w.lines[o.line];
    let j = line.supplier;
    let country = w.suppliers[j].country;
    let theta = w.threat_of(t, b);
    let rel = s.beliefs.belief(b, j).mean();
    let domestic = if country == w.buyers[b].country {
        1.0
    } else {
        0.0
    };
    let affinity = s.affinity[b * w.countries.len() + country];
    -wt.price * libm::log(o.price / w.categories[c].ref_price)
        - wt.delivery * (1.0 + wt.urgency * theta) * o.lead.first / 4.0
        + wt.quality * line.quality
        + wt.interoperability * s.lines[o.line].interoperability
        + wt.offset * o.offset
        + wt.reliability * rel
        + wt.commonality * commonality(w, s, b, c, line.family)
        + wt.domestic * domestic
        + wt.affinity * affinity
}

/// Line `l`'s offer to buyer `b` for up to `gap` units, written into
/// `o` (whose schedule buffer is reused). False if the line is not yet
/// available, the buyer cannot afford a minimum lot from it, or it cannot
/// deliver.
pub fn make_offer(
    w: &World,
    s: &State,
    t: usize,
    b: usize,
    l: usize,
    gap: u32,
    o: &mut Offer,
) -> bool {
    let line = &w.lines[l];
    if t < line.available_from {
        return false;
    }
    let c = line.category;
    let country = w.suppliers[line.supplier].country;
    let p = price(w, s, l);
    let share = w.countries[country].credit_share;
    let room = s.credit[country].room();
    let units = gap.min(affordable_units(p, headroom(w, s, t, b), share, room));
    if units == 0 || units < w.categories[c].min_lot.min(gap) {
        return false;
    }
    let ls = &s.lines[l];
    let diverted = if w.threat_of(t, b) >= w.market.diversion_min_threat {
        ls.divertible(line.divertible_share).min(units)
    } else {
        0
    };
    let earliest = t + w.market.diversion_lead as usize;
    if !ls.project(
        t,
        units,
        diverted,
        earliest,
        line.base_lead,
        &mut o.schedule,
    ) {
        return false;
    }
    o.line = l;
    o.price = p;
    o.units = units;
    o.diverted = diverted;
    o.credit = (share * f64::from(units) * p).min(room);
    o.lead = lead_of(&o.schedule, t);
    o.offset = w.buyers[b].localisation_demand.min(ls.localisation);
    o.utility = utility(w, s, t, b, c, o);
    true
}

/// Offers of the tender under way, reused from tender to tender so that
/// the quarterly loop does not allocate.
#[derive(Debug, Default)]
pub struct TenderScratch {
    offers: Vec<Offer>,
    utilities: Vec<f64>,
}

/// How many units of an offer to contract: those arriving within the
/// acceptable lead, if they make at least a minimum lot; otherwise the
/// whole offer (nothing would arrive in time from a re-tender to the same
/// winner either, and the choice already weighed the wait).
pub fn units_in_time(o: &Offer, t: usize, acceptable: f64, min_lot: u32) -> u32 {
    let deadline = t + acceptable.max(0.0).floor() as usize;
    let in_time = units_by(&o.schedule, deadline);
    if in_time >= min_lot.min(o.units) {
        in_time
    } else {
        o.units
    }
}

/// Cut an offer down to `units`, re-projecting its schedule for the
/// smaller lot (diverted units first, as the line books them).
pub fn shrink_offer(w: &World, s: &State, t: usize, o: &mut Offer, units: u32) {
    if units >= o.units {
        return;
    }
    let line = &w.lines[o.line];
    o.diverted = o.diverted.min(units);
    let earliest = t + w.market.diversion_lead as usize;
    let ok = s.lines[o.line].project(
        t,
        units,
        o.diverted,
        earliest,
        line.base_lead,
        &mut o.schedule,
    );
    debug_assert!(ok, "a smaller lot is deliverable if the larger one was");
    o.lead = lead_of(&o.schedule, t);
    o.credit *= f64::from(units) / f64::from(o.units);
    o.units = units;
}

/// What happened in a tender, for observation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenderOutcome {
    /// No tender: no gap worth a lot, or a review or deferral pending.
    None,
    /// A tender with no offer: no supplier reached the buyer, or none
    /// could deliver a minimum lot the buyer can afford.
    NoOffer,
    /// A tender whose buyer deferred.
    Deferred,
    /// A contract, by index in the contract log.
    Contract(u32),
}

/// Run buyer `b`'s tender in category `c` at quarter `t`, if one opens.
/// `consider` draws market access, `pick` the choice noise.
#[allow(clippy::too_many_arguments)]
pub fn run_tender<R: rand::Rng + ?Sized>(
    w: &World,
    s: &mut State,
    t: usize,
    b: usize,
    c: usize,
    consider: &mut R,
    pick: &mut R,
    scratch: &mut TenderScratch,
) -> TenderOutcome {
    let cat = &w.categories[c];
    let bs = &mut s.buyers[b];
    // A split lot's remainder is re-tendered once, the quarter after.
    let retender = std::mem::take(&mut bs.retender[c]);
    if !retender && t < bs.next_tender[c] {
        return TenderOutcome::None;
    }
    let g = gap(w, s, t, b, c);
    if g < i64::from(cat.min_lot) {
        return TenderOutcome::None;
    }
    let g = g.min(i64::from(u32::MAX)) as u32;
    // Affordability is checked per offer: each comes at its own price and
    // with its own country's export credit.
    let offers = &mut scratch.offers;
    let mut n = 0;
    let mut considered_supplier = usize::MAX;
    let mut in_set = false;
    for &l in &w.lines_by_category[c] {
        let j = w.lines[l].supplier;
        if j != considered_supplier {
            considered_supplier = j;
            let a = access(w, s, j, b);
            in_set = a >= 1.0 || consider.random::<f64>() < a;
        }
        if !in_set {
            continue;
        }
        if n == offers.len() {
            offers.push(Offer::default());
        }
        if make_offer(w, s, t, b, l, g, &mut offers[n]) {
            n += 1;
        }
    }
    if n == 0 {
        s.buyers[b].next_tender[c] = t + w.market.defer_quarters as usize;
        return TenderOutcome::NoOffer;
    }
    let v = &mut scratch.utilities;
    v.clear();
    v.extend(offers[..n].iter().map(|o| o.utility));
    let defer = w.buyers[b].weights.defer;
    let Some(k) = choice::choose(v, defer, pick) else {
        s.buyers[b].next_tender[c] = t + w.market.defer_quarters as usize;
        return TenderOutcome::Deferred;
    };
    // The chosen offer leaves the scratch buffer (its slot is refilled).
    let mut o = std::mem::take(&mut offers[k]);
    let units = units_in_time(&o, t, acceptable_lead(w, t, b), cat.min_lot);
    let split = units < o.units;
    shrink_offer(w, s, t, &mut o, units);
    let bs = &mut s.buyers[b];
    bs.next_tender[c] = t + w.market.review_quarters as usize;
    bs.retender[c] = split;
    TenderOutcome::Contract(sign(w, s, t, b, o))
}

/// Book a contract: queue the lot (diverting home units), commit the
/// buyer's budget net of credit, draw on the country's credit.
pub fn sign(w: &World, s: &mut State, t: usize, b: usize, o: Offer) -> u32 {
    let line = &w.lines[o.line];
    let id = s.contracts.len() as u32;
    let earliest = t + w.market.diversion_lead as usize;
    let diverted = s.lines[o.line].book(id, o.units, o.diverted, earliest);
    debug_assert_eq!(diverted, o.diverted);
    s.ledgers[o.line].ordered += u64::from(o.units);
    let value = o.price * f64::from(o.units);
    let country = w.suppliers[line.supplier].country;
    s.credit[country].outstanding += o.credit;
    let bs = &mut s.buyers[b];
    bs.outstanding += value - o.credit;
    bs.on_order[line.category] += o.units;
    s.contracts.push(Contract {
        id,
        signed: t,
        buyer: b,
        line: o.line,
        supplier: line.supplier,
        category: line.category,
        units: o.units,
        unit_price: o.price,
        value,
        credit: o.credit,
        diverted,
        lead_first: o.lead.first,
        lead_mean: o.lead.mean,
        promised: o.schedule,
        delivered: 0,
        first_delivery: None,
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
    }

    #[test]
    fn units_in_time_by_hand() {
        let o = Offer {
            line: 0,
            price: 1.0,
            units: 10,
            diverted: 3,
            credit: 5.0,
            schedule: vec![(2, 3), (5, 4), (9, 3)],
            lead: lead_of(&[(2, 3), (5, 4), (9, 3)], 0),
            offset: 0.0,
            utility: 0.0,
        };
        assert_eq!(units_in_time(&o, 0, 6.5, 2), 7);
        assert_eq!(units_in_time(&o, 0, 2.0, 2), 3);
        assert_eq!(units_in_time(&o, 0, 10.0, 2), 10);
        // Fewer than a minimum lot in time: the whole offer.
        assert_eq!(units_in_time(&o, 0, 2.0, 4), 10);
        assert_eq!(units_in_time(&o, 0, 1.0, 1), 10);
    }
}

//! One quarter of the market, in the order of MODEL.md section 3:
//! exogenous update, fleet ageing, needs and tenders (offers, choice,
//! contracting), production and delivery, yearly investment, observation.

use crate::model::investment;
use crate::model::production::{Delivery, Owner};
use crate::model::state::State;
use crate::model::tender::{self, TenderOutcome};
use crate::model::world::{EventKind, World};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The random streams of one run, one per purpose, so that a change in
/// one submodel's draws does not shift the others' (common random numbers
/// work better across scenarios). Built only by [`crate::engine::seeding`].
#[derive(Debug, Clone)]
pub struct Draws {
    /// Order in which tenders are run each quarter.
    pub order: ChaCha8Rng,
    /// Consideration-set draws.
    pub consider: ChaCha8Rng,
    /// Choice noise.
    pub choice: ChaCha8Rng,
    /// Production slippage.
    pub slippage: ChaCha8Rng,
}

/// Receives what happens during a quarter; the engine records it.
pub trait Observer {
    /// A contract was signed (it is the last one of `s.contracts`).
    fn contract(&mut self, _w: &World, _s: &State, _id: u32) {}
    /// Units of a contract were delivered in quarter `t`.
    fn delivery(&mut self, _w: &World, _s: &State, _t: usize, _id: u32, _units: u32) {}
    /// A tender was opened (whatever its outcome; a contract is also
    /// reported to [`Observer::contract`]).
    fn tender(&mut self, _w: &World, _s: &State, _t: usize, _outcome: TenderOutcome) {}
    /// The quarter is over.
    fn quarter_end(&mut self, _w: &World, _s: &State, _t: usize) {}
}

/// An observer that records nothing.
pub struct NoObserver;
impl Observer for NoObserver {}

/// Step 1: events, home orders, capacity coming online, credit repayment.
fn exogenous(w: &World, s: &mut State, t: usize) {
    for e in w.events.iter().filter(|e| e.t == t) {
        match &e.kind {
            EventKind::Donation {
                buyer,
                category,
                units,
            } => {
                s.buyers[*buyer].fleet[*category].donate(*units);
            }
            EventKind::Access {
                suppliers,
                buyers,
                amount,
            } => {
                for &j in suppliers {
                    for &b in buyers {
                        s.suppliers[j].marketing[b] += amount;
                    }
                    s.refresh_access(w, j);
                }
            }
            EventKind::Affinity {
                buyers,
                country,
                amount,
            } => {
                let nc = w.countries.len();
                for &b in buyers {
                    s.affinity[b * nc + country] += amount;
                }
            }
            EventKind::CreditCap { country, cap } => s.credit[*country].cap = *cap,
        }
    }
    for (l, line) in w.lines.iter().enumerate() {
        let ls = &mut s.lines[l];
        ls.bring_capacity_online(t);
        let before = ls.waiting_units;
        ls.add_home_orders(line.home_orders[t]);
        s.ledgers[l].ordered += ls.waiting_units - before;
    }
    for (c, country) in w.countries.iter().enumerate() {
        let cr = &mut s.credit[c];
        cr.outstanding *= 1.0 - 1.0 / (4.0 * country.credit_repayment_years);
    }
}

/// Step 7: every line starts production and delivers what is due; a
/// quarter slips with probability 1 − reliability.
fn produce<O: Observer>(
    w: &World,
    s: &mut State,
    t: usize,
    rng: &mut ChaCha8Rng,
    obs: &mut O,
    out: &mut Vec<Delivery>,
) {
    for (l, line) in w.lines.iter().enumerate() {
        s.lines[l].start_production(t, line.base_lead);
        // One draw per line and quarter, whether or not anything is due, so
        // that the slippage stream stays aligned across scenarios.
        let slips = rng.random::<f64>() >= line.reliability;
        let slip = slips.then_some(line.slip_share);
        s.lines[l].deliver(t, slip, out);
        for d in out.iter() {
            s.ledgers[l].delivered += u64::from(d.units);
            let sup = &mut s.suppliers[line.supplier];
            match d.owner {
                Owner::Home => {
                    let earned =
                        sup_margin(w, line.supplier) * line.list_price * f64::from(d.units);
                    sup.cash += earned;
                    sup.earned += earned;
                }
                Owner::Contract(id) => {
                    let c = &mut s.contracts[id as usize];
                    c.delivered += d.units;
                    c.first_delivery.get_or_insert(t);
                    let value = c.unit_price * f64::from(d.units);
                    let earned = sup_margin(w, line.supplier) * value;
                    sup.cash += earned;
                    sup.earned += earned;
                    let on_time = c.delivered >= c.promised_by(t);
                    let (b, cat, units, contract_value, credit) =
                        (c.buyer, c.category, c.units, c.value, c.credit);
                    let bs = &mut s.buyers[b];
                    // Pay the buyer's own part of the delivered units.
                    bs.outstanding -=
                        (contract_value - credit) * f64::from(d.units) / f64::from(units);
                    bs.on_order[cat] -= d.units;
                    bs.fleet[cat].add(line.family, d.units);
                    s.beliefs.record(b, line.supplier, on_time);
                    obs.delivery(w, s, t, id, d.units);
                }
            }
        }
    }
}

fn sup_margin(w: &World, j: usize) -> f64 {
    w.suppliers[j].margin
}

/// Scratch space reused across quarters (no allocation in the loop).
#[derive(Debug, Default)]
pub struct Scratch {
    order: Vec<(usize, usize)>,
    tender: tender::TenderScratch,
    deliveries: Vec<Delivery>,
}

/// Advance the market by one quarter.
pub fn step<O: Observer>(
    w: &World,
    s: &mut State,
    d: &mut Draws,
    obs: &mut O,
    scratch: &mut Scratch,
) {
    let t = s.t;
    exogenous(w, s, t);
    // Step 2: ageing.
    for bs in s.buyers.iter_mut() {
        for f in bs.fleet.iter_mut() {
            f.age();
        }
    }
    s.refresh_region_fleets(w);
    // Steps 3–6: tenders, in an order drawn afresh each quarter so that no
    // buyer is always first to the queues.
    let order = &mut scratch.order;
    order.clear();
    // Only categories due for review (or a re-tender) can open a tender;
    // a tender changes no other category's review date.
    for (b, bs) in s.buyers.iter().enumerate() {
        for c in 0..w.categories.len() {
            if bs.retender[c] || t >= bs.next_tender[c] {
                order.push((b, c));
            }
        }
    }
    for i in (1..order.len()).rev() {
        let j = d.order.random_range(0..=i);
        order.swap(i, j);
    }
    for &(b, c) in order.iter() {
        let outcome = tender::run_tender(
            w,
            s,
            t,
            b,
            c,
            &mut d.consider,
            &mut d.choice,
            &mut scratch.tender,
        );
        if outcome != TenderOutcome::None {
            obs.tender(w, s, t, outcome);
        }
        if let TenderOutcome::Contract(id) = outcome {
            obs.contract(w, s, id);
        }
    }
    produce(w, s, t, &mut d.slippage, obs, &mut scratch.deliveries);
    // Step 8: investment once a year, at the end of the fourth quarter.
    if w.quarter(t).q() == 4 {
        investment::invest_yearly(w, s, t);
    }
    obs.quarter_end(w, s, t);
    s.t += 1;
}

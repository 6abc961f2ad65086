//! Accounting identities that must hold after every quarter: units and
//! money are conserved. Tests run them on random scenarios; they are cheap
//! enough to call from a debugger too.

use crate::model::production::Owner;
use crate::model::state::State;
use crate::model::world::World;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6 * (1.0 + a.abs().max(b.abs()))
}

/// Check every identity; the error names the first one broken.
pub fn check(w: &World, s: &State) -> Result<(), String> {
    let mut open_by_contract = vec![0u64; s.contracts.len()];
    let mut open_by_programme = vec![0u64; s.programmes.len()];
    for (l, ls) in s.lines.iter().enumerate() {
        let led = &s.ledgers[l];
        // Units ordered = delivered + queued (waiting or in production).
        if led.ordered != led.delivered + ls.backlog() {
            return Err(format!(
                "line {}: ordered {} != delivered {} + backlog {}",
                w.lines[l].id,
                led.ordered,
                led.delivered,
                ls.backlog()
            ));
        }
        let waiting: u64 = ls.waiting.iter().map(|x| u64::from(x.units)).sum();
        let wip: u64 = ls.wip.iter().map(|x| u64::from(x.units)).sum();
        let home_wip: u64 = ls
            .wip
            .iter()
            .filter(|x| x.owner == Owner::Home)
            .map(|x| u64::from(x.units))
            .sum();
        if waiting != ls.waiting_units || wip != ls.wip_units || home_wip != ls.home_wip_units {
            return Err(format!("line {}: queue counters disagree", w.lines[l].id));
        }
        let owners = ls
            .waiting
            .iter()
            .map(|x| (x.owner, x.units))
            .chain(ls.wip.iter().map(|x| (x.owner, x.units)));
        for (owner, units) in owners {
            match owner {
                Owner::Contract(id) => {
                    let c = s
                        .contracts
                        .get(id as usize)
                        .ok_or("unknown contract in a queue")?;
                    if c.line != l {
                        return Err(format!("contract {id} queued on the wrong line"));
                    }
                    open_by_contract[id as usize] += u64::from(units);
                }
                Owner::Programme(p) => {
                    let prog = w
                        .programmes
                        .get(p as usize)
                        .ok_or("unknown programme in a queue")?;
                    if prog.line != l {
                        return Err(format!("programme {} queued on the wrong line", prog.id));
                    }
                    open_by_programme[p as usize] += u64::from(units);
                }
                Owner::Home => {}
            }
        }
        // A stock line sells what it has: sold + left = the stock (units
        // of programmes signed before the start were sold out of it then).
        if let (Some(stock), Some(left)) = (w.lines[l].stock, ls.stock) {
            let sold: u64 = s
                .contracts
                .iter()
                .filter(|c| c.line == l)
                .map(|c| u64::from(c.units))
                .sum();
            if sold + u64::from(left) != u64::from(stock) {
                return Err(format!(
                    "stock line {}: sold {sold} + left {left} != stock {stock}",
                    w.lines[l].id
                ));
            }
        }
    }
    let nc = w.categories.len();
    let mut on_order = vec![vec![0u64; nc]; w.buyers.len()];
    let mut on_order_capability = vec![vec![0.0; nc]; w.buyers.len()];
    let mut reserved = vec![vec![0u64; nc]; w.buyers.len()];
    let mut outstanding = vec![0.0; w.buyers.len()];
    let mut open_line = |b: usize, l: usize, open: u64| {
        let line = &w.lines[l];
        let c = line.category;
        on_order[b][c] += open;
        on_order_capability[b][c] +=
            open as f64 * line.capability_gain(s.buyers[b].fleet[c].legacy.capability);
        if line.upgrades.is_some() {
            reserved[b][c] += open;
        }
    };
    for (p, prog) in w.programmes.iter().enumerate() {
        let ps = &s.programmes[p];
        let open = u64::from(prog.units - ps.delivered);
        if open != open_by_programme[p] {
            return Err(format!(
                "programme {}: {open} units open but {} queued",
                prog.id, open_by_programme[p]
            ));
        }
        open_line(prog.buyer, prog.line, open);
        outstanding[prog.buyer] += ps.owed;
    }
    for (i, c) in s.contracts.iter().enumerate() {
        if c.delivered > c.units {
            return Err(format!(
                "contract {i}: delivered {} > units {}",
                c.delivered, c.units
            ));
        }
        let open = u64::from(c.units - c.delivered);
        if open != open_by_contract[i] {
            return Err(format!(
                "contract {i}: {open} units open but {} queued",
                open_by_contract[i]
            ));
        }
        open_line(c.buyer, c.line, open);
        // The whole value, credit included (docs/ODD.md 7.6).
        outstanding[c.buyer] += c.value * open as f64 / f64::from(c.units);
    }
    for (b, bs) in s.buyers.iter().enumerate() {
        for (cat, n) in on_order[b].iter().enumerate() {
            let id = || format!("buyer {} {}", w.buyers[b].id, w.categories[cat].id);
            if u64::from(bs.on_order[cat]) != *n {
                return Err(format!(
                    "{}: on order {} but contracts hold {n}",
                    id(),
                    bs.on_order[cat]
                ));
            }
            if !close(bs.on_order_capability[cat], on_order_capability[b][cat]) {
                return Err(format!(
                    "{}: capability on order {} but contracts hold {}",
                    id(),
                    bs.on_order_capability[cat],
                    on_order_capability[b][cat]
                ));
            }
            let f = &bs.fleet[cat];
            // The modern count is kept beside the cohorts (ageing and
            // donation take units off both).
            let in_cohorts: u64 = f.cohorts().iter().map(|c| u64::from(c.units)).sum();
            if in_cohorts != u64::from(f.modern()) {
                return Err(format!(
                    "{}: {} modern units counted but the cohorts hold {in_cohorts}",
                    id(),
                    f.modern()
                ));
            }
            if u64::from(f.reserved) != reserved[b][cat] || f.reserved > f.legacy.units {
                return Err(format!(
                    "{}: {} legacy units reserved ({} in service) but upgrades hold {}",
                    id(),
                    f.reserved,
                    f.legacy.units,
                    reserved[b][cat]
                ));
            }
        }
        let owes_nothing = bs.on_order.iter().all(|&n| n == 0);
        if !close(bs.outstanding, outstanding[b])
            || bs.outstanding < -1e-6
            || (owes_nothing && bs.outstanding != 0.0)
        {
            return Err(format!(
                "buyer {}: outstanding {} but open contracts owe {}",
                w.buyers[b].id, bs.outstanding, outstanding[b]
            ));
        }
    }
    for (j, ss) in s.suppliers.iter().enumerate() {
        if ss.cash < 0.0 {
            return Err(format!(
                "supplier {}: negative cash {}",
                w.suppliers[j].id, ss.cash
            ));
        }
        let expected = w.suppliers[j].cash + ss.earned - ss.invested;
        if !close(ss.cash, expected) {
            return Err(format!(
                "supplier {}: cash {} != start + earned − invested = {expected}",
                w.suppliers[j].id, ss.cash
            ));
        }
    }
    check_earnings(w, s)?;
    for (c, cr) in s.credit.iter().enumerate() {
        if cr.outstanding < -1e-9 {
            return Err(format!("country {}: negative credit", w.countries[c].id));
        }
    }
    Ok(())
}

/// What suppliers earned against what their buyers were delivered: each
/// line's delivered value, worked out from the owners' own books (a
/// contract's value pro rata to its units delivered, a programme's value
/// less what it still owes, home units at list price), times the
/// supplier's margin, is what the supplier earned. The home units are what
/// the line delivered beyond its contracts and programmes, never fewer
/// than none.
fn check_earnings(w: &World, s: &State) -> Result<(), String> {
    let mut owned = vec![0u64; w.lines.len()];
    let mut value = vec![0.0; w.lines.len()];
    for c in &s.contracts {
        owned[c.line] += u64::from(c.delivered);
        value[c.line] += c.value * f64::from(c.delivered) / f64::from(c.units);
    }
    for (prog, ps) in w.programmes.iter().zip(&s.programmes) {
        owned[prog.line] += u64::from(ps.delivered);
        value[prog.line] += prog.value - ps.owed;
    }
    let mut earned = vec![0.0; w.suppliers.len()];
    for (l, line) in w.lines.iter().enumerate() {
        let delivered = s.ledgers[l].delivered;
        let Some(home) = delivered.checked_sub(owned[l]) else {
            return Err(format!(
                "line {}: delivered {delivered} but its contracts and programmes received {}",
                line.id, owned[l]
            ));
        };
        let sup = &w.suppliers[line.supplier];
        earned[line.supplier] += sup.margin * (value[l] + line.list_price * home as f64);
    }
    for (j, ss) in s.suppliers.iter().enumerate() {
        if !close(ss.earned, earned[j]) {
            return Err(format!(
                "supplier {}: earned {} but its deliveries are worth {} at its margin",
                w.suppliers[j].id, ss.earned, earned[j]
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check;
    use crate::model::draws::Draws;
    use crate::model::schedule::{NoObserver, Scratch, step};
    use crate::model::state::State;
    use crate::model::testkit::toy;

    /// Each identity, broken on its own in a toy state in motion (contracts
    /// queued and delivering, a programme, a stock line), is caught and
    /// named.
    #[test]
    fn every_identity_catches_its_own_break() {
        let w = toy(&[]);
        let mut s = State::new(&w);
        let d = Draws::seeded_from(3);
        let mut scratch = Scratch::default();
        for _ in 0..24 {
            step(&w, &mut s, &d, &mut NoObserver, &mut scratch);
        }
        check(&w, &s).unwrap();
        let open = s
            .contracts
            .iter()
            .position(|c| c.delivered < c.units)
            .expect("a contract with units to come");
        let stock = w.lines.iter().position(|l| l.stock.is_some()).unwrap();
        let delivering = s
            .contracts
            .iter()
            .find(|c| c.delivered > 0)
            .expect("a contract with units delivered")
            .line;
        type Break = Box<dyn Fn(&mut State)>;
        let breaks: Vec<(&str, Break)> = vec![
            ("ordered", Box::new(|s| s.ledgers[0].ordered += 1)),
            (
                "queue counters disagree",
                Box::new(|s| s.lines[0].home_wip_units += 1),
            ),
            (
                "stock line",
                Box::new(move |s| *s.lines[stock].stock.as_mut().unwrap() += 1),
            ),
            (
                "units open but",
                // One unit fewer delivered (it may have finished).
                Box::new(|s| s.programmes[0].delivered -= s.programmes[0].delivered.min(1)),
            ),
            (
                "units open but",
                Box::new(move |s| s.contracts[open].delivered += 1),
            ),
            (
                "> units",
                Box::new(move |s| s.contracts[open].delivered = s.contracts[open].units + 1),
            ),
            ("on order", Box::new(|s| s.buyers[0].on_order[0] += 1)),
            (
                "capability on order",
                Box::new(|s| s.buyers[0].on_order_capability[0] += 1.0),
            ),
            (
                "legacy units reserved",
                Box::new(|s| s.buyers[0].fleet[0].reserved += 1),
            ),
            ("outstanding", Box::new(|s| s.buyers[0].outstanding += 1.0)),
            ("cash", Box::new(|s| s.suppliers[0].cash += 1.0)),
            ("negative cash", Box::new(|s| s.suppliers[0].cash = -1.0)),
            (
                // A payment of the wrong amount: cash and earnings move
                // together, as a payment moves them, but no delivery is
                // worth it.
                "its deliveries are worth",
                Box::new(|s| {
                    s.suppliers[0].cash += 1.0;
                    s.suppliers[0].earned += 1.0;
                }),
            ),
            (
                // The line's deliveries forgotten, its units still
                // balanced.
                "its contracts and programmes received",
                Box::new(move |s| {
                    let ledger = &mut s.ledgers[delivering];
                    ledger.ordered -= ledger.delivered;
                    ledger.delivered = 0;
                }),
            ),
            (
                "negative credit",
                Box::new(|s| s.credit[0].outstanding = -1.0),
            ),
        ];
        for (named, break_it) in breaks {
            let mut broken = s.clone();
            break_it(&mut broken);
            let e = check(&w, &broken).expect_err(named);
            assert!(e.contains(named), "broke {named:?}, got {e:?}");
        }
    }

    /// A buyer with nothing on order owes exactly nothing: a rounding
    /// residue that the relative tolerance would let through is caught.
    #[test]
    fn a_buyer_with_nothing_on_order_owes_exactly_nothing() {
        let w = toy(&[]);
        let mut s = State::new(&w);
        let b = s
            .buyers
            .iter()
            .position(|bs| bs.on_order.iter().all(|&n| n == 0))
            .expect("a buyer with no programme");
        check(&w, &s).unwrap();
        s.buyers[b].outstanding = -4.6e-12;
        let e = check(&w, &s).expect_err("a residue");
        assert!(e.contains("outstanding"), "{e}");
    }
}

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
            if let Owner::Contract(id) = owner {
                let c = s
                    .contracts
                    .get(id as usize)
                    .ok_or("unknown contract in a queue")?;
                if c.line != l {
                    return Err(format!("contract {id} queued on the wrong line"));
                }
                open_by_contract[id as usize] += u64::from(units);
            }
        }
    }
    let mut on_order = vec![vec![0u64; w.categories.len()]; w.buyers.len()];
    let mut outstanding = vec![0.0; w.buyers.len()];
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
        on_order[c.buyer][c.category] += open;
        outstanding[c.buyer] += (c.value - c.credit) * open as f64 / f64::from(c.units);
    }
    for (b, bs) in s.buyers.iter().enumerate() {
        for (cat, n) in on_order[b].iter().enumerate() {
            if u64::from(bs.on_order[cat]) != *n {
                return Err(format!(
                    "buyer {} {}: on order {} but contracts hold {n}",
                    w.buyers[b].id, w.categories[cat].id, bs.on_order[cat]
                ));
            }
        }
        if !close(bs.outstanding, outstanding[b]) || bs.outstanding < -1e-6 {
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
    for (c, cr) in s.credit.iter().enumerate() {
        if cr.outstanding < -1e-9 {
            return Err(format!("country {}: negative credit", w.countries[c].id));
        }
    }
    Ok(())
}

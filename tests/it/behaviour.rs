//! Behavioural tests of the choice model on hand-made worlds.

use crate::common::data;
use armsmarket::analysis::Targets;
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use armsmarket::model::choice::probabilities;
use armsmarket::scenario;

fn world(sets: &[&str]) -> World {
    let p = data("urgent_buyer.toml");
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let loaded = scenario::load(&p, &sets).expect("scenario loads");
    World::from_scenario(&loaded.scenario).expect("compiles")
}

/// Share of replications whose first contract goes to `quick`.
fn quick_share(w: &World, reps: u32) -> f64 {
    let mut quick = 0;
    for r in 0..reps {
        let run = run_replication(w, &Targets::default(), 99, 0, r, Observe::all());
        let first = run.contracts.first().expect("the buyer signs");
        assert_eq!(first.signed, 0, "the tender is in the first quarter");
        if w.suppliers[first.supplier].id == "quick" {
            quick += 1;
        }
    }
    f64::from(quick) / f64::from(reps)
}

#[test]
fn urgent_buyer_picks_the_fast_supplier() {
    let w = world(&[]);
    // Analytic, with the lot's mean lead: cheap's 20 units start after the
    // 100 queued, in quarters 10 and 11 (mean lead 10.5): V = -2 ln 0.6 -
    // 0.1 (1 + 20) 10.5/4 = 1.02 - 5.51; quick's arrive after 2 and 3
    // quarters (mean 2.5): -2 ln 1.2 - 2.1 * 2.5/4 = -0.36 - 1.31.
    let p = probabilities(
        &[
            2.0 * (1.0f64 / 0.6).ln() - 2.1 * 10.5 / 4.0,
            -2.0 * 1.2f64.ln() - 2.1 * 2.5 / 4.0,
        ],
        -20.0,
    );
    let share = quick_share(&w, 400);
    assert!(share > 0.9, "urgent buyer chose quick in {share}");
    assert!((share - p[1]).abs() < 0.05, "{share} vs analytic {}", p[1]);
}

#[test]
fn without_urgency_the_cheap_supplier_wins() {
    let w = world(&["preferences.default.urgency=0.0"]);
    // cheap: 1.02 - 0.1 * 10.5/4 = 0.76; quick: -0.36 - 0.1 * 2.5/4 = -0.43.
    let p = probabilities(
        &[
            2.0 * (1.0f64 / 0.6).ln() - 0.1 * 10.5 / 4.0,
            -2.0 * 1.2f64.ln() - 0.1 * 2.5 / 4.0,
        ],
        -20.0,
    );
    let share = quick_share(&w, 400);
    assert!(share < 0.35, "calm buyer chose quick in {share}");
    assert!((share - p[1]).abs() < 0.06, "{share} vs analytic {}", p[1]);
}

#[test]
fn swapping_the_suppliers_terms_swaps_the_outcome() {
    // Give `quick` the slow, cheap terms and `cheap` the fast, dear ones:
    // the urgent buyer now avoids `quick`. The outcome follows the terms,
    // not which supplier holds them.
    let w = world(&[
        "suppliers.cheap.lines.slowgun.list_price=12.0",
        "suppliers.cheap.lines.slowgun.initial_backlog=0",
        "suppliers.cheap.lines.slowgun.base_lead=2",
        "suppliers.quick.lines.fastgun.list_price=6.0",
        "suppliers.quick.lines.fastgun.initial_backlog=100",
        "suppliers.quick.lines.fastgun.base_lead=0",
    ]);
    // The utilities of `urgent_buyer_picks_the_fast_supplier` change
    // hands: quick's share is what cheap's was there, about 0.057 (not
    // merely below a half).
    let p = probabilities(
        &[
            -2.0 * 1.2f64.ln() - 2.1 * 2.5 / 4.0,
            2.0 * (1.0f64 / 0.6).ln() - 2.1 * 10.5 / 4.0,
        ],
        -20.0,
    );
    let share = quick_share(&w, 400);
    assert!(share < 0.1, "quick is now the slow one: {share}");
    assert!((share - p[1]).abs() < 0.04, "{share} vs analytic {}", p[1]);
}

//! The shipped scenarios: every file validates, each world runs, and no
//! scenario key can decide who buys what from whom.

use crate::common::{bin, root};
use armsmarket::analysis::Targets;
use armsmarket::engine::{Observe, run_replication};
use armsmarket::model::World;
use armsmarket::scenario;
use std::path::{Path, PathBuf};

fn toml_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            toml_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "toml") {
            out.push(p);
        }
    }
}

#[test]
fn every_shipped_scenario_validates() {
    let mut files = Vec::new();
    toml_files(&root().join("scenarios"), &mut files);
    files.sort();
    assert!(files.len() >= 10, "{files:?}");
    let o = bin().arg("validate").args(&files).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        out.lines().filter(|l| l.contains(": ok (")).count(),
        files.len()
    );
}

#[test]
fn each_hypothesis_runs_and_is_judged_on_every_target() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = vec![root().join("scenarios/europe.toml")];
    toml_files(&root().join("scenarios/hypotheses"), &mut files);
    toml_files(&root().join("scenarios/ablations"), &mut files);
    files.sort();
    let names: Vec<String> = files
        .iter()
        .map(|f| f.file_stem().unwrap().to_string_lossy().into_owned())
        .collect();
    for want in [
        "commercial_only",
        "strategic",
        "strategic_kor_treaty_ally",
        "strategic_pol_deu_distance",
        "strategic_no_outreach",
        "no_war",
        "no_korean_investment",
        "price_parity",
        "no_diversion",
        "no_second_hand",
        "no_upgrade",
        "no_marketing",
        "no_warmup",
        "instant_tenders",
        "token_diversion",
    ] {
        assert!(names.iter().any(|n| n == want), "no scenario {want}");
    }
    let o = bin()
        .arg("compare")
        .args(&files)
        .args(["-r", "3", "-q", "--out"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.path().join("compare.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows.len(), files.len() + 1);
    // Every scenario has a share for every target (no blank cell).
    for r in &rows[1..] {
        assert_eq!(r.len(), rows[0].len());
        assert!(r[1..r.len() - 2].iter().all(|c| !c.is_empty()), "{r:?}");
    }
    assert!(rows[0].len() > 20, "europe carries the P1-P6 targets");
}

fn world(sets: &[&str]) -> (World, Targets) {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let l = scenario::load(&root().join("scenarios/toy.toml"), &sets).unwrap();
    let w = World::from_scenario(&l.scenario).unwrap();
    let t = Targets::compile(&l.scenario, &w).unwrap();
    (w, t)
}

/// Guard against scripted outcomes: no key of the scenario format can name
/// a buyer together with a supplier, a product or a contract within the
/// run. Inputs may describe the world (events: donations, access, affinity,
/// credit caps, requirement decisions; programmes signed before the start,
/// which validation keeps before it); contracts of the run come only from
/// the choice model.
#[test]
fn no_scenario_key_can_assign_a_contract() {
    // Every key of the format, from the table validation enforces (and a
    // unit test holds against the schema); the mechanism switches name
    // mechanisms, not outcomes.
    let fields: Vec<&str> = armsmarket::scenario::keys::KEYS
        .iter()
        .filter(|k| !k.path.starts_with("mechanisms."))
        .flat_map(|k| k.path.split('.'))
        .filter(|s| *s != "*")
        .collect();
    assert!(
        fields.contains(&"buyers") && fields.contains(&"lines"),
        "{fields:?}"
    );
    for f in &fields {
        for word in [
            "contract", "award", "winner", "purchase", "assign", "deal", "order_",
        ] {
            assert!(
                !f.contains(word),
                "scenario key `{f}` looks like a scripted outcome"
            );
        }
    }
    // The only events are exogenous ones (a requirement decision names a
    // buyer and a category, never a supplier).
    let kinds = armsmarket::scenario::schema::EventKind::NAMES;
    assert_eq!(
        kinds,
        [
            "donation",
            "access",
            "affinity",
            "credit_cap",
            "requirement"
        ]
    );
    // The one key that names a buyer with a line, a programme in flight,
    // must lie before the start.
    let sets = vec!["programmes.bbb_spg_2012.signed=\"2014Q1\"".to_string()];
    let e = scenario::load(&root().join("scenarios/toy.toml"), &sets).unwrap_err();
    assert!(e.to_string().contains("is not before `start`"), "{e}");
}

#[test]
fn a_supplier_nobody_considers_never_sells_abroad() {
    // Contracts arise only from choices among considered offers: with no
    // access anywhere, the Korean firm sells to nobody (it has no home
    // buyer in this world), whatever its prices.
    let (w, t) = world(&[
        "suppliers.korea_land.access={ buyers = { AAA = 0.0, BBB = 0.0, CCC = 0.0 } }",
        "market.development_rate=0.0",
        "suppliers.korea_land.lines.k2.list_price=1.0",
    ]);
    let k = w
        .suppliers
        .iter()
        .position(|s| s.id == "korea_land")
        .unwrap();
    for r in 0..10 {
        let run = run_replication(&w, &t, 3, 0, r, Observe::all());
        assert!(run.contracts.iter().all(|c| c.supplier != k));
        assert!(!run.contracts.is_empty());
    }
}

#[test]
fn diversion_waits_for_the_threat_threshold() {
    let diverted = |sets: &[&str]| -> (u32, u32) {
        let (w, t) = world(sets);
        let (mut before, mut after) = (0, 0);
        for r in 0..10 {
            for c in run_replication(&w, &t, 5, 0, r, Observe::all()).contracts {
                if w.quarter(c.signed).year() < 2022 {
                    before += c.diverted;
                } else {
                    after += c.diverted;
                }
            }
        }
        (before, after)
    };
    let (before, after) = diverted(&[]);
    assert!(
        before > 0 && after > 0,
        "without a threshold diversion happens throughout"
    );
    // The toy's east reaches a threat above 1 only after the 2022 shock.
    let (before, after) = diverted(&["market.diversion_min_threat=1.0"]);
    assert_eq!(before, 0, "no diversion before the war");
    assert!(after > 0, "diversion for buyers under the 2022 threat");
}

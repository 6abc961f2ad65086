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
        "register_donations",
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
    let csv = std::fs::read_to_string(dir.path().join("compare/compare.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv.lines().map(|l| l.split(',').collect()).collect();
    assert_eq!(rows[0][..3], ["scenario", "target", "pattern"]);
    // Every scenario (a commercial hypothesis once per assignment of the
    // contested mechanisms) has a row for every target, with its shares.
    let mut scenarios: Vec<&str> = rows[1..].iter().map(|r| r[0]).collect();
    scenarios.dedup();
    let commercial = scenarios
        .iter()
        .filter(|s| s.contains("[contested: strategic]"))
        .count();
    assert!(commercial >= 1, "{scenarios:?}");
    assert_eq!(scenarios.len(), files.len() + commercial);
    let targets = (rows.len() - 1) / scenarios.len();
    assert!(targets >= 15, "europe carries the P1-P6 targets");
    assert_eq!(rows.len(), 1 + scenarios.len() * targets);
    for r in &rows[1..] {
        assert_eq!(r.len(), rows[0].len());
        assert!(!r[4].is_empty() && !r[5].is_empty(), "{r:?}");
    }
    let verdict = std::fs::read_to_string(dir.path().join("compare/verdict.csv")).unwrap();
    assert!(verdict.lines().count() > scenarios.len(), "{verdict}");
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
    // Every table of the format whose keys name a buyer and a seller (a
    // supplier, a line, a product family) is one that describes the world
    // or is never read by the model: a new one fails here until it is
    // looked at and listed with its reason.
    let names_buyer = |path: &str| {
        path.starts_with("buyers.*")
            || path.starts_with("preferences.buyers.*")
            || path.split('.').any(|s| s == "buyer" || s == "buyers")
    };
    let names_seller = |path: &str| {
        path.starts_with("suppliers.*")
            || path.split('.').any(|s| {
                ["supplier", "line", "product", "famil"]
                    .iter()
                    .any(|w| s.contains(w))
            })
    };
    let mut both: Vec<String> = Vec::new();
    let parent = |p: &str| {
        p.rsplit_once('.')
            .map_or(String::new(), |(a, _)| a.to_string())
    };
    let paths: Vec<&str> = armsmarket::scenario::keys::KEYS
        .iter()
        .map(|k| k.path)
        .collect();
    // The top level holds `buyers` and `suppliers` as tables, not a key
    // that names both.
    for table in paths.iter().map(|p| parent(p)).filter(|t| !t.is_empty()) {
        let keys: Vec<&&str> = paths.iter().filter(|p| parent(p) == table).collect();
        if keys.iter().any(|k| names_buyer(k))
            && keys.iter().any(|k| names_seller(k))
            && !both.contains(&table)
        {
            both.push(table);
        }
    }
    both.sort();
    assert_eq!(
        both,
        [
            // The fleet at the start, by product family.
            "buyers.*.fleet.*",
            "buyers.*.fleet.*.families",
            // Exogenous events of the kinds below.
            "events.*",
            // Contracts signed before the start (checked below).
            "programmes.*",
            // Marketing reach at the start.
            "suppliers.*.access",
            "suppliers.*.access.buyers",
            // Observed values a run is judged on, never read by the model.
            "targets.*",
        ],
        "a table naming a buyer with a seller: is it a scripted outcome?"
    );
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
    // The control: the same world with the firm's access as the toy gives
    // it, in which it does sell abroad at that price.
    let (w, t) = world(&[
        "market.development_rate=0.0",
        "suppliers.korea_land.lines.k2.list_price=1.0",
    ]);
    let sold = (0..10)
        .flat_map(|r| run_replication(&w, &t, 3, 0, r, Observe::all()).contracts)
        .filter(|c| c.supplier == k)
        .count();
    assert!(
        sold > 0,
        "the control sells nothing: the test above shows nothing"
    );
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

/// The numeric keys of the world (not targets, sweeps, calibrations, seed or
/// replications), with their spans and whether they hold integers.
fn world_keys() -> Vec<(&'static str, armsmarket::scenario::keys::Span, bool)> {
    use armsmarket::scenario::keys::{KEYS, Ty};
    KEYS.iter()
        .filter(|k| {
            !["targets", "sweep", "calibrate", "seed", "replications"]
                .iter()
                .any(|s| k.path.starts_with(s))
        })
        .filter_map(|k| match k.ty {
            Ty::Number(s) | Ty::Pair(s) => Some((k.path, s, false)),
            Ty::Integer(s) => Some((k.path, s, true)),
            _ => None,
        })
        .collect()
}

/// Set every instance of the key `pattern` in `table` to its span's largest
/// or smallest value, adding the key where the file leaves it out (its
/// default applies there, so the bound would go untested otherwise). A `*`
/// stands for every id present, or for every id of what it names (buyers,
/// regions, countries, categories) where the file has none of them yet.
/// An event's fields depend on its kind, so events are only changed, never
/// added to; nor is a line made a stock line. Returns how many values it
/// set.
fn to_bound(
    table: &mut toml::Table,
    pattern: &str,
    span: armsmarket::scenario::keys::Span,
    integer: bool,
    largest: bool,
) -> usize {
    let ids_of = |name: &str| -> Vec<String> {
        table
            .get(name)
            .and_then(|v| v.as_table())
            .map(|t| t.keys().cloned().collect())
            .unwrap_or_default()
    };
    let (buyers, regions, countries, categories) = (
        ids_of("buyers"),
        ids_of("regions"),
        ids_of("countries"),
        ids_of("categories"),
    );
    // The ids a `*` after `segs[..i]` stands for when the file has none.
    let every = |segs: &[&str], i: usize| -> Vec<String> {
        match (segs[..i].first(), segs[..i].last()) {
            (Some(&"affinity"), _) if i == 1 => buyers.clone(),
            (Some(&"affinity"), _) => countries.clone(),
            (_, Some(&"buyers")) => buyers.clone(),
            (_, Some(&"regions")) => regions.clone(),
            (_, Some(&"countries")) => countries.clone(),
            (_, Some(&"fleet")) => categories.clone(),
            _ => Vec::new(),
        }
    };
    // A `stock` makes a line a stock line, another kind of line: only the
    // stock lines there are have it set.
    let adds = !pattern.starts_with("events.") && !pattern.ends_with(".stock");
    fn walk(
        t: &mut toml::Table,
        segs: &[&str],
        i: usize,
        value: &toml::Value,
        adds: bool,
        every: &dyn Fn(&[&str], usize) -> Vec<String>,
    ) -> usize {
        let last = i + 1 == segs.len();
        let keys: Vec<String> = match segs[i] {
            "*" if !t.is_empty() => t.keys().cloned().collect(),
            "*" => every(segs, i),
            k => vec![k.to_string()],
        };
        let mut set = 0;
        for k in keys {
            // A missing table is added only where the format lets it be
            // empty (a map of ids, or an id's entry in one): a record (a
            // supplier's `invest`, say) has keys of its own to require. A
            // stock line takes no home orders, backlog or divertible share.
            let stock = t.contains_key("stock")
                && ["home_orders", "initial_backlog", "divertible_share"].contains(&segs[i]);
            if adds
                && !t.contains_key(&k)
                && (last || segs[i] == "*" || may_be_empty(&segs[..=i]))
                && !stock
            {
                let new = if last {
                    value.clone()
                } else {
                    toml::Value::Table(toml::Table::new())
                };
                t.insert(k.clone(), new);
            }
            match t.get_mut(&k) {
                Some(toml::Value::Table(next)) if !last => {
                    set += walk(next, segs, i + 1, value, adds, every)
                }
                Some(toml::Value::Array(a)) if last => {
                    a.iter_mut().for_each(|x| *x = value.clone());
                    set += a.len();
                }
                Some(x) if last && (x.is_integer() || x.is_float()) => {
                    *x = value.clone();
                    set += 1;
                }
                _ => {}
            }
        }
        set
    }
    let x = if largest {
        span.hi
    } else if span.lo_open {
        span.lo + 1e-6
    } else {
        span.lo
    };
    let value = if integer {
        toml::Value::Integer(x.ceil() as i64)
    } else {
        toml::Value::Float(x)
    };
    let segs: Vec<&str> = pattern.split('.').collect();
    walk(table, &segs, 0, &value, adds, &every)
}

/// Whether the format lets the table at `path` be empty: it is declared
/// with an empty default, or it is not declared itself (a section) and
/// requires none of the keys directly under it.
fn may_be_empty(path: &[&str]) -> bool {
    use armsmarket::scenario::keys::{KEYS, Omitted, Ty};
    let path = path.join(".");
    match KEYS.iter().find(|k| k.path == path) {
        Some(k) => matches!((k.ty, k.default), (Ty::Table(_), Omitted::Value("{}"))),
        None => !KEYS.iter().any(|k| {
            let child = k
                .path
                .strip_prefix(path.as_str())
                .and_then(|r| r.strip_prefix('.'));
            child.is_some_and(|r| !r.contains('.')) && matches!(k.default, Omitted::Required)
        }),
    }
}

/// The toy world with `change` applied, run once; every number of every
/// table must be finite. Returns the contracts signed.
fn finite_run(what: &str, change: impl FnOnce(&mut toml::Table)) -> usize {
    use armsmarket::output::tables::TableWriters;
    use armsmarket::scenario::schema::Table;
    let mut t: toml::Table = crate::common::TOY.parse().unwrap();
    change(&mut t);
    let origin = armsmarket::scenario::Origin::new(what, 1, 1);
    let scenario = armsmarket::scenario::checked(t, &armsmarket::scenario::SourceMap::new(origin))
        .unwrap_or_else(|e| panic!("{what}: the bounds are not valid: {e}"));
    let w = World::from_scenario(&scenario).unwrap();
    let targets = Targets::compile(&scenario, &w).unwrap();
    let rec = run_replication(&w, &targets, 1, 0, 0, Observe::all());
    let writers: Vec<(Table, Vec<u8>)> = Table::ALL.iter().map(|t| (*t, Vec::new())).collect();
    let mut tw = TableWriters::new(writers, None);
    tw.write(&w, &rec, None).unwrap();
    for (table, bytes) in tw.into_inner().unwrap() {
        let text = String::from_utf8(bytes).unwrap();
        for cell in text.split([',', '\n']) {
            assert!(
                !cell.contains("inf") && !cell.contains("NaN"),
                "{what}: {table}.csv has {cell:?}"
            );
        }
    }
    for r in &rec.targets {
        // An undefined metric has no distance (NaN); any other is finite.
        assert!(
            r.distance.is_finite() || (r.value.is_nan() && r.distance.is_nan()),
            "{what}: a target of value {} has distance {}",
            r.value,
            r.distance
        );
    }
    rec.contracts.len()
}

/// Empty every fleet's `legacy` units (if `legacy`) and families (if
/// `families`), so that any fleet size is valid.
fn clear_fleets(t: &mut toml::Table, legacy: bool, families: bool) {
    for (_, b) in t["buyers"].as_table_mut().unwrap().iter_mut() {
        for (_, f) in b["fleet"].as_table_mut().unwrap().iter_mut() {
            let f = f.as_table_mut().unwrap();
            if legacy {
                f.insert("legacy".into(), toml::Value::Integer(0));
            }
            if families {
                f.insert("families".into(), toml::Value::Table(Default::default()));
            }
        }
    }
}

#[test]
fn every_bound_of_every_key_keeps_the_outputs_finite() {
    // Each key at its largest and its smallest value, the others as in
    // the toy world, with fleets cleared of legacy units and families so
    // that any size is valid. The legacy units and the families are
    // themselves set in fleets at their largest size, each with the other
    // cleared; the toy world has each family in one fleet at most once.
    // Reliability at 0 comes with a slip share of 0 (a line slipping
    // every quarter, holding units back, is refused).
    let (units, unit_span, _) = world_keys()
        .into_iter()
        .find(|k| k.0 == "buyers.*.fleet.*.units")
        .unwrap();
    let (slip, slip_span, _) = world_keys()
        .into_iter()
        .find(|k| k.0 == "suppliers.*.lines.*.slip_share")
        .unwrap();
    for (path, span, integer) in world_keys() {
        for largest in [true, false] {
            let what = format!(
                "{path} at its {}",
                if largest { "largest" } else { "smallest" }
            );
            finite_run(&what, |t| {
                let (legacy, families) = match path {
                    "buyers.*.fleet.*.legacy" => (false, true),
                    "buyers.*.fleet.*.families.*" => (true, false),
                    _ => (true, true),
                };
                clear_fleets(t, legacy, families);
                if !(legacy && families) {
                    to_bound(t, units, unit_span, true, true);
                }
                // A line at reliability 0 slips every quarter: valid
                // only if a slip holds nothing back.
                if path == "suppliers.*.lines.*.reliability" && !largest {
                    to_bound(t, slip, slip_span, false, false);
                }
                let set = to_bound(t, path, span, integer, largest);
                assert!(set > 0, "{what}: the toy world has no `{path}` to set");
            });
        }
    }
}

#[test]
fn the_largest_world_the_bounds_allow_trades_with_finite_outputs() {
    // Every key at its largest at once, over the longest span, except what
    // would stop all trade (buyers that always defer, lots larger than any
    // need): every output still finite.
    let contracts = finite_run("the largest world", |t| {
        for (path, span, integer) in world_keys() {
            to_bound(t, path, span, integer, true);
        }
        for (path, value) in [
            ("preferences.default.defer", -100.0),
            ("preferences.regions.*.defer", -100.0),
            ("preferences.buyers.*.defer", -100.0),
            ("categories.*.min_lot", 1.0),
            ("suppliers.*.lines.*.base_lead", 0.0),
        ] {
            let span = armsmarket::scenario::keys::known(path);
            let integer = matches!(span.ty, armsmarket::scenario::keys::Ty::Integer(_));
            to_bound(
                t,
                path,
                armsmarket::scenario::keys::Span {
                    lo: value,
                    lo_open: false,
                    hi: value,
                    hi_open: false,
                },
                integer,
                true,
            );
        }
        clear_fleets(t, true, true);
        // The longest span (400 quarters) from the toy's start, which its
        // programmes in flight must precede.
        let start: u32 = t["start"].as_str().unwrap()[..4].parse().unwrap();
        t.insert(
            "end".into(),
            toml::Value::String(format!("{}Q4", start + 99)),
        );
    });
    assert!(
        contracts > 0,
        "nothing was bought: the test would prove little"
    );
}

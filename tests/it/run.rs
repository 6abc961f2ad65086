//! `armsmarket run` end to end: the real binary, in temporary directories.

use crate::common::{EVERY_TABLE, armsmarket as run, blake3_hex, csv_rows, read, toy};

const CSVS: [&str; 6] = [
    "contracts.csv",
    "market.csv",
    "suppliers.csv",
    "buyers.csv",
    "exogenous.csv",
    "summary.csv",
];

#[test]
fn same_bytes_whatever_the_thread_count() {
    let dir = tempfile::tempdir().unwrap();
    let a = dir.path().join("a");
    let b = dir.path().join("b");
    let toy = toy();
    let toy = toy.to_str().unwrap();
    let oa = run(&[
        "run",
        toy,
        "--replications",
        "24",
        "--threads",
        "1",
        "--out",
        a.to_str().unwrap(),
        "--quiet",
        "--tables",
        EVERY_TABLE,
    ]);
    assert!(
        oa.status.success(),
        "{}",
        String::from_utf8_lossy(&oa.stderr)
    );
    let ob = run(&[
        "run",
        toy,
        "--replications",
        "24",
        "--threads",
        "2",
        "--out",
        b.to_str().unwrap(),
        "--quiet",
        "--tables",
        EVERY_TABLE,
    ]);
    assert!(
        ob.status.success(),
        "{}",
        String::from_utf8_lossy(&ob.stderr)
    );
    for f in CSVS {
        let x = read(&a.join("toy").join(f));
        let y = read(&b.join("toy").join(f));
        assert!(x.len() > 100, "{f} is nearly empty");
        assert!(x == y, "{f} differs between --threads 1 and --threads 2");
    }
}

#[test]
fn writes_every_table_and_a_manifest_that_hashes_them() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let o = run(&[
        "run",
        toy().to_str().unwrap(),
        "--replications",
        "3",
        "--seed",
        "5",
        "--out",
        out.to_str().unwrap(),
        "--quiet",
        "--tables",
        EVERY_TABLE,
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let d = out.join("toy");
    let names: Vec<String> = std::fs::read_dir(&d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.ends_with(".tmp")), "{names:?}");
    let m: serde_json::Value = serde_json::from_slice(&read(&d.join("manifest.json"))).unwrap();
    assert_eq!(m["seed"], 5);
    assert_eq!(m["replications"], 3);
    assert_eq!(m["scenarios"][0]["name"], "toy");
    assert_eq!(m["scenarios"][0]["resolved"]["name"], "toy");
    assert_eq!(m["command"], "run");
    assert!(m["version"].is_string() && m["threads"].as_u64().unwrap() >= 1);
    assert!(m["started"].is_string() && m["finished"].is_string());
    for f in CSVS {
        let hash = m["files"][f]["blake3"]
            .as_str()
            .unwrap_or_else(|| panic!("{f} not in manifest"));
        assert_eq!(hash, blake3_hex(&d.join(f)));
    }
    // Contracts carry what the issue asks for.
    let contracts = String::from_utf8(read(&d.join("contracts.csv"))).unwrap();
    let header = contracts.lines().next().unwrap();
    for col in [
        "replication",
        "quarter",
        "buyer",
        "supplier",
        "supplier_country",
        "product",
        "category",
        "units",
        "unit_price",
        "value",
        "lead_first_promised",
        "lead_mean_promised",
        "first_delivery",
    ] {
        assert!(header.split(',').any(|c| c == col), "no column {col}");
    }
    let reps: std::collections::BTreeSet<&str> = contracts
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert_eq!(reps.into_iter().collect::<Vec<_>>(), vec!["0", "1", "2"]);
    let summary = String::from_utf8(read(&d.join("summary.csv"))).unwrap();
    assert_eq!(summary.lines().count(), 4);
    assert!(summary.lines().next().unwrap().contains("focus_value_2022"));
}

#[test]
fn set_and_seed_change_the_results_and_are_recorded() {
    let dir = tempfile::tempdir().unwrap();
    let toy = toy();
    let go = |name: &str, extra: &[&str]| {
        let out = dir.path().join(name);
        let mut args = vec![
            "run",
            toy.to_str().unwrap(),
            "-r",
            "4",
            "--out",
            out.to_str().unwrap(),
            "-q",
        ];
        args.extend_from_slice(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        (
            read(&out.join("toy/contracts.csv")),
            read(&out.join("toy/manifest.json")),
        )
    };
    let (base, _) = go("base", &[]);
    let (again, _) = go("again", &[]);
    assert_eq!(base, again, "same seed, same bytes");
    let (other_seed, _) = go("seed", &["--seed", "123"]);
    assert_ne!(base, other_seed);
    let (slow, manifest) = go(
        "set",
        &["--set", "suppliers.korea_land.lines.k2.capacity=0.5"],
    );
    assert_ne!(base, slow);
    let m: serde_json::Value = serde_json::from_slice(&manifest).unwrap();
    assert_eq!(
        m["scenarios"][0]["resolved"]["suppliers"]["korea_land"]["lines"]["k2"]["capacity"],
        0.5
    );
}

#[test]
fn an_empty_sum_is_written_as_0_not_minus_0() {
    // Value and units targets with no contract in scope were written `-0`
    // in targets.csv (f64's `Sum` starts at -0). BBB has no supplier.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let sets: Vec<String> = ["value", "units", "count"]
        .iter()
        .map(|m| {
            format!(
                "targets.none_{m}={{ pattern = \"P9\", metric = \"{m}\", supplier_country = \"BBB\", from = \"2022Q1\", to = \"2022Q4\", observed = 1.0, tolerance = {{ abs = 1.0 }} }}"
            )
        })
        .collect();
    let toy = toy();
    let mut args = vec![
        "run",
        toy.to_str().unwrap(),
        "-r",
        "2",
        "--out",
        out.to_str().unwrap(),
        "-q",
    ];
    for s in &sets {
        args.extend(["--set", s.as_str()]);
    }
    let o = run(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (header, rows) = csv_rows(&read(&out.join("toy/targets.csv")));
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (target, simulated) = (col("target"), col("simulated"));
    let none: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[target].starts_with("none_"))
        .collect();
    assert_eq!(none.len(), 6, "{rows:?}");
    for r in none {
        assert_eq!(r[simulated], "0", "{r:?}");
    }
    for r in &rows {
        assert!(!r.iter().any(|f| f == "-0"), "{r:?}");
    }
}

#[test]
fn outputs_selection_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("o");
    let o = run(&[
        "run",
        toy().to_str().unwrap(),
        "-r",
        "2",
        "--out",
        out.to_str().unwrap(),
        "-q",
        "--set",
        "outputs.files=[\"summary\"]",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(out.join("toy/summary.csv").exists());
    assert!(!out.join("toy/contracts.csv").exists());
    assert!(!out.join("toy/market.csv").exists());
}

#[test]
fn the_manifest_records_what_ran_and_its_record_runs_again_to_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let first = dir.path().join("first");
    let o = run(&[
        "run",
        toy().to_str().unwrap(),
        "-r",
        "3",
        "--seed",
        "11",
        "--tables",
        "contracts,buyers",
        "--out",
        first.to_str().unwrap(),
        "-q",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value =
        serde_json::from_slice(&read(&first.join("toy/manifest.json"))).unwrap();
    let resolved = &m["scenarios"][0]["resolved"];
    assert_eq!(resolved["seed"], 11, "--seed, not the file's");
    assert_eq!(resolved["replications"], 3, "-r, not the file's");
    assert_eq!(
        resolved["outputs"]["files"],
        serde_json::json!(["contracts", "buyers"]),
        "--tables, not the file's"
    );
    // The record is a scenario: run with no flags, it gives the same bytes.
    let again = crate::common::run_record(resolved, dir.path());
    for f in ["contracts.csv", "buyers.csv", "targets.csv"] {
        assert!(
            read(&first.join("toy").join(f)) == read(&again.join("toy").join(f)),
            "{f} differs when run again from the manifest's record"
        );
    }
}

/// `market.csv` has a row per quarter, buyer and product line, and its
/// orders and deliveries add up to `contracts.csv`'s, line by line. In
/// europe several firms sell more than one line in a category (four
/// infantry fighting vehicles of one firm), so a table keyed by firm and
/// category would sum different products.
#[test]
fn the_market_table_adds_up_to_the_contracts_product_by_product() {
    use crate::common::{csv_rows, root};
    use std::collections::{BTreeMap, BTreeSet};
    let dir = tempfile::tempdir().unwrap();
    let europe = root().join("scenarios/europe.toml");
    let o = run(&[
        "run",
        europe.to_str().unwrap(),
        "-r",
        "4",
        "--out",
        dir.path().to_str().unwrap(),
        "--quiet",
        "--tables",
        "contracts,market",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (h, contracts) = csv_rows(&read(&dir.path().join("europe/contracts.csv")));
    let col = |h: &[String], name: &str| h.iter().position(|x| x == name).unwrap();
    let (rep, quarter, buyer, product, units, delivered) = (
        col(&h, "replication"),
        col(&h, "quarter"),
        col(&h, "buyer"),
        col(&h, "product"),
        col(&h, "units"),
        col(&h, "delivered"),
    );
    let (mut ordered, mut got) = (BTreeMap::new(), BTreeMap::new());
    let mut lines_of_a_firm_and_category = BTreeMap::<_, BTreeSet<String>>::new();
    for r in &contracts {
        let n: u64 = r[units].parse().unwrap();
        *ordered
            .entry((
                r[rep].clone(),
                r[quarter].clone(),
                r[buyer].clone(),
                r[product].clone(),
            ))
            .or_insert(0) += n;
        *got.entry((r[rep].clone(), r[buyer].clone(), r[product].clone()))
            .or_insert(0u64) += r[delivered].parse::<u64>().unwrap();
        lines_of_a_firm_and_category
            .entry((
                r[col(&h, "supplier")].clone(),
                r[col(&h, "category")].clone(),
            ))
            .or_default()
            .insert(r[product].clone());
    }
    assert!(
        lines_of_a_firm_and_category.values().any(|l| l.len() > 1),
        "the test needs a firm with two lines of a category under contract"
    );
    let (h, market) = csv_rows(&read(&dir.path().join("europe/market.csv")));
    // The market table's own columns, the product among them.
    let (rep, quarter, buyer, product) = (
        col(&h, "replication"),
        col(&h, "quarter"),
        col(&h, "buyer"),
        col(&h, "product"),
    );
    let (order_units, delivered_units) = (col(&h, "order_units"), col(&h, "delivered_units"));
    let (mut m_ordered, mut m_got) = (BTreeMap::new(), BTreeMap::new());
    let mut keys = BTreeSet::new();
    for r in &market {
        let key = (
            r[rep].clone(),
            r[quarter].clone(),
            r[buyer].clone(),
            r[product].clone(),
        );
        assert!(keys.insert(key.clone()), "{key:?} twice");
        let n: u64 = r[order_units].parse().unwrap();
        if n > 0 {
            m_ordered.insert(key, n);
        }
        *m_got
            .entry((r[rep].clone(), r[buyer].clone(), r[product].clone()))
            .or_insert(0u64) += r[delivered_units].parse::<u64>().unwrap();
    }
    assert_eq!(m_ordered, ordered);
    m_got.retain(|_, n| *n > 0);
    got.retain(|_, n| *n > 0);
    assert_eq!(m_got, got);
}

/// A switch turned on by `--set` that a commercial hypothesis turns off
/// all the same is said, not silently overruled; a switch the file itself
/// lists, or no `--set`, gives no warning.
#[test]
fn a_set_switch_the_hypothesis_overrules_is_said() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let go = |extra: &[&str]| {
        let toy = toy();
        let out_s = out.to_str().unwrap();
        let mut args = vec![
            "run",
            toy.to_str().unwrap(),
            "-r",
            "1",
            "-q",
            "--tables",
            "summary",
            "--out",
            out_s,
            "--set",
            "hypothesis=\"commercial\"",
        ];
        args.extend(extra);
        let o = run(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let said = go(&["--set", "mechanisms.affinity=true"]);
    assert!(
        said.contains(
            "warning: --set mechanisms.affinity=true does not switch it on in toy: a commercial hypothesis runs without strategic mechanisms"
        ),
        "{said}"
    );
    assert!(!go(&[]).contains("warning"));
    // A commercial switch set on the command line is not overruled.
    assert!(!go(&["--set", "mechanisms.upgrades=true"]).contains("warning"));
}

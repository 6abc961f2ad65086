//! Bad scenarios, run through the real binary: every class of mistake must
//! exit with code 2, print `FILE:LINE:COL: message` naming the key, and write
//! nothing.

use crate::common::{TOY, armsmarket_in as armsmarket, err, line_of, nothing_written, toy_with};

/// `TOY` with the text from `start` (inclusive) to `end` (exclusive)
/// replaced by `with`.
fn toy_cut(start: &str, end: &str, with: &str) -> String {
    let a = TOY.find(start).expect("start marker");
    let b = TOY.find(end).expect("end marker");
    format!("{}{}{}", &TOY[..a], with, &TOY[b..])
}

/// The lines of `stderr` located at `file:line:COL:` for some column.
fn located_lines<'a>(stderr: &'a str, file: &str, line: u32) -> Vec<&'a str> {
    let prefix = format!("{file}:{line}:");
    stderr
        .lines()
        .filter(|l| {
            l.strip_prefix(&prefix)
                .and_then(|rest| rest.split_once(": "))
                .is_some_and(|(col, _)| col.parse::<u32>().is_ok_and(|c| c >= 1))
        })
        .collect()
}

/// A broken scenario set up in a temporary directory.
struct Broken {
    dir: tempfile::TempDir,
    /// The scenario to pass on the command line (relative to `dir`).
    file: String,
    /// Extra arguments (`--set ...`).
    extra: Vec<String>,
}

impl Broken {
    /// `text` written as `dir/s.toml`.
    fn new(text: &str) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        Broken {
            dir,
            file: "s.toml".into(),
            extra: Vec::new(),
        }
    }

    /// Also write `name` with `text` in the same directory.
    fn with_file(self, name: &str, text: &str) -> Self {
        std::fs::write(self.dir.path().join(name), text).unwrap();
        self
    }

    /// Pass `--set KV`.
    fn set(mut self, kv: &str) -> Self {
        self.extra.push("--set".into());
        self.extra.push(kv.into());
        self
    }

    /// Both `validate` and `run` must exit 2, print a message located at
    /// `file:line:` that contains every one of `needles`, and write nothing.
    fn rejected_at(&self, file: &str, line: u32, needles: &[&str]) {
        let out = self.dir.path().join("out");
        let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
        let mut validate = vec!["validate", self.file.as_str()];
        validate.extend(&extra);
        let mut run = vec!["run", self.file.as_str(), "--out", "out", "--quiet"];
        run.extend(&extra);
        for args in [validate, run] {
            let o = armsmarket(self.dir.path(), &args);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{args:?}: stderr:\n{stderr}");
            assert!(!stderr.contains("panicked"), "{args:?}: stderr:\n{stderr}");
            let here = located_lines(&stderr, file, line);
            assert!(
                here.iter().any(|l| needles.iter().all(|n| l.contains(n))),
                "{args:?}: no line at {file}:{line}: containing {needles:?}; stderr:\n{stderr}"
            );
            assert!(nothing_written(&out), "{args:?} wrote to {}", out.display());
        }
    }
}

#[test]
fn toy_is_accepted() {
    let b = Broken::new(TOY);
    let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

#[test]
fn syntax_error() {
    let text = toy_with("seed = 7", "seed = 7 7");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "seed = 7 7"),
        &["TOML syntax error"],
    );
}

#[test]
fn unknown_key_with_suggestion() {
    let text = toy_with("capacity = 15.0", "capacty = 15.0");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "capacty"),
        &[
            "unknown key `capacty`",
            "suppliers.korea_land.lines.k9",
            "did you mean `capacity`?",
        ],
    );
    // Every unknown key is reported in one run, in the file's order: an
    // earlier one at the top level was left unsaid while serde met this
    // one first (its tables' keys in name order).
    let text = format!("zzzz = 1\n{text}");
    let broken = Broken::new(&text);
    broken.rejected_at("s.toml", 1, &["unknown key `zzzz` at the top level"]);
    broken.rejected_at(
        "s.toml",
        line_of(&text, "capacty"),
        &["unknown key `capacty`", "did you mean `capacity`?"],
    );
}

#[test]
fn wrong_type() {
    let text = toy_with("defer_quarters = 4", "defer_quarters = 2.5");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "defer_quarters"),
        &[
            "market.defer_quarters",
            "must be a whole number",
            "defer_quarters = 1",
        ],
    );
}

#[test]
fn a_list_for_a_table_of_named_keys_is_refused() {
    // Serde fills a struct from a list by position: `tolerance = [0.5]`
    // ran as `abs = 0.5`, and a region's list as its threat.
    let text = toy_with("tolerance = { rel = 0.5 }", "tolerance = [0.5]");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "tolerance = [0.5]"),
        &[
            "`targets.kor_value_2022.tolerance` must be a table of named keys, not a list",
            "tolerance = { abs = ... }",
            "abs, rel, range",
        ],
    );
    let text = toy_with(
        "[regions.west]\nthreat = 0.05",
        "[[regions.west]]\nthreat = 0.05",
    );
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "[[regions.west]]"),
        &["`regions.west` must be a table of named keys, not a list"],
    );
    Broken::new(TOY).set("regions.west=[0.3]").rejected_at(
        "<command line>",
        1,
        &["`regions.west` must be a table of named keys", "threat"],
    );
}

#[test]
fn probability_out_of_range() {
    let text = toy_with("reliability = 0.92", "reliability = 1.5");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "reliability = 1.5"),
        &[
            "`suppliers.korea_land.lines.k9.reliability` = 1.5",
            "between 0 and 1",
        ],
    );
}

#[test]
fn negative_price() {
    let text = toy_with("list_price = 4.5", "list_price = -4.5");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "list_price = -4.5"),
        &[
            "`suppliers.korea_land.lines.k9.list_price` = -4.5",
            "between 1e-6 and 10000",
        ],
    );
}

#[test]
fn negative_capacity() {
    let text = toy_with("capacity = 4.0", "capacity = -3");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "capacity = -3"),
        &[
            "`suppliers.german_land.lines.pzh2000.capacity` = -3",
            "between 0 and",
        ],
    );
}

#[test]
fn negative_lead_time() {
    let text = toy_with("base_lead = 6", "base_lead = -1");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "base_lead = -1"),
        &[
            "`suppliers.korea_land.lines.k2.base_lead` = -1",
            "must be between 0 and 400 (quarters)",
        ],
    );
}

#[test]
fn end_before_start() {
    let text = toy_with("end = \"2023Q4\"", "end = \"2013Q4\"");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "end = \"2013Q4\""),
        &["end `2013Q4` is before start `2014Q1`"],
    );
}

/// 400 quarters are simulated at most, `start` and `end` included: the
/// message says how many a file asks for and the latest `end`.
#[test]
fn more_than_400_quarters() {
    let text = toy_with("end = \"2023Q4\"", "end = \"2114Q1\"");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "end = \"2114Q1\""),
        &["400 quarters after `start` = \"2014Q1\", 401 quarters simulated: simulate at most 400 quarters, to `end` = \"2113Q4\" at the latest"],
    );
}

/// A quarter is quoted as written ("0000Q1", not "0Q1"), and a start out
/// of range gets no latest `end`, which would be out of range too.
#[test]
fn an_early_start_is_quoted_as_written() {
    let text = toy_with("start = \"2014Q1\"", "start = \"0000Q1\"");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "start = \"0000Q1\""),
        &["`start` = \"0000Q1\" is out of range: must be a quarter from 1900Q1 to 2200Q4"],
    );
    let o = armsmarket(Broken::new(&text).dir.path(), &["validate", "s.toml"]);
    assert!(!err(&o).contains("at the latest"), "{}", err(&o));
}

#[test]
fn empty_buyers() {
    let text = toy_cut("[buyers.AAA]", "# Korean firm", "[buyers]\n\n");
    Broken::new(&text).rejected_at("s.toml", line_of(&text, "[buyers]"), &["`buyers` is empty"]);
}

#[test]
fn empty_suppliers() {
    let text = toy_cut("[suppliers.korea_land]", "[events.", "[suppliers]\n\n");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "[suppliers]"),
        &["`suppliers` is empty"],
    );
}

#[test]
fn product_names_a_missing_category() {
    let text = toy_with("category = \"spg\"", "category = \"spgg\"");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "\"spgg\""),
        &[
            "`suppliers.korea_land.lines.k9.category`",
            "`spgg`",
            "did you mean `spg`?",
        ],
    );
}

#[test]
fn affinity_names_a_missing_country() {
    let text = format!("{TOY}\n[affinity.AAA]\nZZZ = 0.5\n");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "ZZZ = 0.5"),
        &["`affinity.AAA`", "`ZZZ`", "country"],
    );
}

#[test]
fn base_file_missing() {
    let text = "# derived\nbase = \"nope.toml\"\nseed = 3\n";
    Broken::new(text).rejected_at(
        "s.toml",
        2,
        &["`base` = \"nope.toml\": file not found", "nope.toml"],
    );
}

#[test]
fn base_empty() {
    Broken::new("# derived\nbase = \"\"\n").rejected_at(
        "s.toml",
        2,
        &["`base` = \"\" is empty: name another scenario file"],
    );
}

#[test]
fn base_includes_itself() {
    Broken::new("base = \"s.toml\"\n").rejected_at(
        "s.toml",
        1,
        &["`base` chain includes itself: s.toml -> s.toml"],
    );
    // Through another file: the error is at the `base` that closes the loop.
    Broken::new("seed = 1\nbase = \"other.toml\"\n")
        .with_file("other.toml", "base = \"s.toml\"\n")
        .rejected_at(
            "other.toml",
            1,
            &["`base` chain includes itself: s.toml -> other.toml -> s.toml"],
        );
}

#[test]
fn base_errors_point_into_the_base_file() {
    let base = toy_with("capacity = 4.0", "capacity = -3");
    Broken::new("base = \"toy.toml\"\nreplications = 2\n")
        .with_file("toy.toml", &base)
        .rejected_at(
            "toy.toml",
            line_of(&base, "capacity = -3"),
            &["suppliers.german_land.lines.pzh2000.capacity"],
        );
}

#[test]
fn a_key_that_names_nothing_is_located_at_the_key_not_its_value() {
    // In an inline table the message pointed at the value (column 22).
    let text = toy_with(
        "exposure = { east = 1.0, west = 0.3 }",
        "exposure = { eest = 1.0, west = 0.3 }",
    );
    let b = Broken::new(&text);
    let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
    let at = format!("s.toml:{}:14: ", line_of(&text, "exposure = { eest"));
    assert!(
        err(&o)
            .lines()
            .any(|l| l.starts_with(&at) && l.contains("has key `eest`")),
        "{}",
        err(&o)
    );
    let text = toy_with("gdp = { 2014 = 500.0,", "gdp = { 1014 = 500.0,");
    let o = armsmarket(Broken::new(&text).dir.path(), &["validate", "s.toml"]);
    let at = format!("s.toml:{}:9: ", line_of(&text, "gdp = { 1014"));
    assert!(
        err(&o)
            .lines()
            .any(|l| l.starts_with(&at) && l.contains("which is not a year")),
        "{}",
        err(&o)
    );
}

#[test]
fn a_quoted_key_with_dots_is_one_key_located_where_it_is_written() {
    // As a sweep writes its parameters: it was taken for a key of table
    // `preferences.default` and located at that table in the base file.
    let child = "base = \"toy.toml\"\n\"preferences.default.delivery\" = 1.5\n";
    Broken::new(child).with_file("toy.toml", TOY).rejected_at(
        "s.toml",
        2,
        &[
            "unknown key `preferences.default.delivery` at the top level",
            "write it without quotes (`preferences.default.delivery = ...`)",
        ],
    );
    let text = toy_with("defer_quarters = 4", "\"defer.quarters\" = 4");
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "\"defer.quarters\""),
        &["unknown key `defer.quarters` in `market`; a quoted key is one key"],
    );
}

/// A rule between two keys (legacy units at most the units, a target's
/// window within the run) that a file with `base` breaks by changing one
/// of them is located at the value that file wrote, not at the other
/// value in the base file, which the user did not touch (it used to point
/// into the base, as if the base were broken). Given on the command line,
/// the value is located there.
#[test]
fn a_rule_between_keys_is_located_at_the_value_the_user_changed() {
    let child = "base = \"toy.toml\"\n\n[buyers.BBB.fleet.spg]\nunits = 50\n";
    Broken::new(child).with_file("toy.toml", TOY).rejected_at(
        "s.toml",
        4,
        &["`buyers.BBB.fleet.spg.legacy` = 60 is more than `units` = 50"],
    );
    // An event's kind changed: the keys it no longer takes are the base's.
    let kind = "base = \"toy.toml\"\n[events.aaa_donates_tanks]\nkind = \"access\"\namount = 1.0\n";
    Broken::new(kind).with_file("toy.toml", TOY).rejected_at(
        "s.toml",
        3,
        &["`events.aaa_donates_tanks.units` does not apply to an `access` event"],
    );
    let shorter = "base = \"toy.toml\"\nend = \"2021Q4\"\n";
    Broken::new(shorter).with_file("toy.toml", TOY).rejected_at(
        "s.toml",
        2,
        &["`targets.kor_value_2022.to` = \"2022Q4\" is after `end` = \"2021Q4\""],
    );
    Broken::new(TOY)
        .set("buyers.BBB.fleet.spg.units=50")
        .rejected_at(
            "<command line>",
            1,
            &["`buyers.BBB.fleet.spg.legacy` = 60 is more than `units` = 50"],
        );
    // Changed in a file between the one named and the toy: located in
    // that file, the nearest of the two that wrote the values.
    let mid = "base = \"toy.toml\"\n\n[buyers.BBB.fleet.spg]\nunits = 50\n";
    Broken::new("base = \"mid.toml\"\nseed = 3\n")
        .with_file("mid.toml", mid)
        .with_file("toy.toml", TOY)
        .rejected_at(
            "mid.toml",
            4,
            &["`buyers.BBB.fleet.spg.legacy` = 60 is more than `units` = 50"],
        );
    // Where the file writes the value the rule is about, it is located
    // there, as before.
    let legacy = "base = \"toy.toml\"\n\n[buyers.BBB.fleet.spg]\nlegacy = 150\n";
    Broken::new(legacy).with_file("toy.toml", TOY).rejected_at(
        "s.toml",
        4,
        &["`buyers.BBB.fleet.spg.legacy` = 150 is more than `units` = 100"],
    );
}

/// The rules that allow one key of several (a tolerance's `abs`, `rel`
/// or `range`; a target's `buyer` or `group`; an `access` event's
/// `supplier` or `country`, `buyer` or `region`) are rules between keys
/// too: a `--set` that adds the second is located on the command line,
/// not at the key or table the file wrote (which the user did not touch).
#[test]
fn a_second_key_of_a_one_of_rule_is_located_where_it_was_set() {
    Broken::new(TOY)
        .set("targets.kor_value_2022.tolerance.abs=500")
        .rejected_at(
            "<command line>",
            1,
            &["`targets.kor_value_2022.tolerance` needs exactly one of `abs`, `rel` or `range` (found `abs` and `rel`)"],
        );
    Broken::new(TOY)
        .set("targets.kor_value_2022.buyer=AAA")
        .rejected_at(
            "<command line>",
            1,
            &["`targets.kor_value_2022` sets both `buyer` and `group`"],
        );
    let access = TOY.to_string()
        + "\n[events.acc]\nkind = \"access\"\nquarter = \"2020Q1\"\nsupplier = \"korea_land\"\nregion = \"east\"\namount = 1.0\n";
    Broken::new(&access)
        .set("events.acc.country=KOR")
        .rejected_at(
            "<command line>",
            1,
            &["`events.acc` is an `access` event and needs exactly one of `supplier`"],
        );
    Broken::new(&access)
        .set("events.acc.buyer=AAA")
        .rejected_at(
            "<command line>",
            1,
            &["`events.acc` sets both `buyer` and `region`"],
        );
}

#[test]
fn set_to_a_nonexistent_path() {
    Broken::new(TOY)
        .set("suppliers.korea_land.linez.k9.capacity=3")
        .rejected_at(
            "<command line>",
            1,
            &[
                "--set suppliers.korea_land.linez.k9.capacity",
                "no such key `linez`",
                "did you mean `lines`?",
            ],
        );
    // The second --set is column 2; an unknown final key is caught too.
    Broken::new(TOY)
        .set("seed=3")
        .set("suppliers.korea_land.lines.k9.capcity=3")
        .rejected_at(
            "<command line>",
            1,
            &["unknown key `capcity`", "did you mean `capacity`?"],
        );
    let b = Broken::new(TOY).set("seed=3").set("market.nope=1");
    let o = armsmarket(
        b.dir.path(),
        &[
            "validate",
            "s.toml",
            "--set",
            "seed=3",
            "--set",
            "market.nope=1",
        ],
    );
    assert!(String::from_utf8_lossy(&o.stderr).starts_with("<command line>:1:2: "));
}

#[test]
fn set_value_out_of_range() {
    Broken::new(TOY)
        .set("market.public_reputation=2")
        .rejected_at(
            "<command line>",
            1,
            &["`market.public_reputation` = 2", "between 0 and 1"],
        );
}

/// Under a quarter the declining balance would turn negative and lend
/// past the cap (1 − 1/(4·0.2) = −0.25 of the balance a quarter).
#[test]
fn a_credit_repaid_in_less_than_a_quarter_is_refused() {
    Broken::new(&toy_with(
        "credit_repayment_years = 10.0",
        "credit_repayment_years = 0.2",
    ))
    .rejected_at(
        "s.toml",
        99,
        &[
            "countries.KOR.credit_repayment_years",
            "between 0.25 and 200",
        ],
    );
}

#[test]
fn all_errors_are_reported_in_file_order() {
    let text = toy_with("reliability = 0.92", "reliability = 1.5")
        .replacen("list_price = 9.0", "list_price = -9.0", 1)
        .replacen("region = \"west\"", "region = \"wset\"", 1);
    let b = Broken::new(&text);
    let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    let lines: Vec<u32> = stderr
        .lines()
        .filter_map(|l| l.strip_prefix("s.toml:"))
        .map(|l| l.split(':').next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(
        lines,
        vec![
            line_of(&text, "region = \"wset\""),
            line_of(&text, "list_price = -9.0"),
            line_of(&text, "reliability = 1.5"),
        ],
        "{stderr}"
    );
    assert!(lines.windows(2).all(|w| w[0] < w[1]), "{lines:?}");
}

#[test]
fn garbage_never_panics() {
    let nested = format!("a = {}1{}\n", "[".repeat(200), "]".repeat(200));
    let long = format!("name = \"{}\"\n{TOY}", "x".repeat(100_000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("binary", (0u8..=255).rev().cycle().take(4096).collect()),
        ("nul bytes", vec![0u8; 64]),
        ("array of buyers", b"[[buyers]]\nname = \"x\"\n".to_vec()),
        (
            "array of buyers in toy",
            toy_cut(
                "[buyers.AAA]",
                "# Korean firm",
                "[[buyers]]\nname = \"x\"\n\n",
            )
            .into_bytes(),
        ),
        (
            "huge integer",
            toy_with("seed = 7", "seed = 99999999999999999999999999").into_bytes(),
        ),
        (
            "huge count",
            toy_with("replications = 8", "replications = 99999999999").into_bytes(),
        ),
        (
            "huge float",
            toy_with("capacity = 15.0", "capacity = 1e999").into_bytes(),
        ),
        (
            "infinite float",
            toy_with("capacity = 15.0", "capacity = inf").into_bytes(),
        ),
        (
            "nan",
            toy_with("ref_price = 15.0", "ref_price = nan").into_bytes(),
        ),
        (
            "date instead of quarter",
            toy_with("start = \"2014Q1\"", "start = 2014-01-01").into_bytes(),
        ),
        (
            "table instead of number",
            toy_with("seed = 7", "seed = { x = 1 }").into_bytes(),
        ),
        ("deep nesting", nested.into_bytes()),
        ("only a header", b"[market\n".to_vec()),
        ("equals signs", b"= = =\n".to_vec()),
        (
            "very long name",
            long.replacen("name = \"toy\"\n", "", 1).into_bytes(),
        ),
    ];
    for (what, bytes) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("g.toml"), &bytes).unwrap();
        for args in [
            vec!["validate", "g.toml"],
            vec!["run", "g.toml", "--out", "out", "--quiet"],
        ] {
            let o = armsmarket(dir.path(), &args);
            let stderr = String::from_utf8_lossy(&o.stderr);
            assert_eq!(o.status.code(), Some(2), "{what}: {args:?}: {stderr}");
            assert!(!stderr.contains("panicked"), "{what}: {stderr}");
            let located = stderr.lines().any(|l| {
                l.strip_prefix("g.toml:").is_some_and(|rest| {
                    let mut parts = rest.splitn(3, ':');
                    parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
                        && parts.next().is_some_and(|n| n.parse::<u32>().is_ok())
                        && parts.next().is_some_and(|m| m.len() > 1)
                })
            });
            assert!(located, "{what}: {args:?}: not located: {stderr}");
            assert!(
                nothing_written(&dir.path().join("out")),
                "{what}: wrote output"
            );
        }
    }
}

#[test]
fn two_scenarios_with_one_name_are_refused_at_the_second_name() {
    let text = toy_with("name = \"toy\"", "name = \"same\"");
    let b = Broken::new(&text).with_file("t.toml", &text);
    for cmd in ["run", "compare"] {
        let o = armsmarket(
            b.dir.path(),
            &[cmd, "s.toml", "t.toml", "--out", "out", "-q"],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{cmd}: {stderr}");
        let here = located_lines(&stderr, "t.toml", line_of(&text, "name = \"same\""));
        assert!(
            here.iter()
                .any(|l| l.contains("named `same`") && l.contains("s.toml")),
            "{cmd}: {stderr}"
        );
        assert!(
            nothing_written(&b.dir.path().join("out")),
            "{cmd} wrote output"
        );
    }
}

/// `validate` and `run` of `text` both refuse it at the line holding
/// `needle` (the line's number), naming each of `mentions`, writing nothing.
fn refused_at_line_of(text: &str, needle: &str, mentions: &[&str]) {
    Broken::new(text).rejected_at("s.toml", line_of(text, needle), mentions);
}

#[test]
fn a_long_target_pattern_is_refused_before_it_breaks_a_table() {
    // Defect 1: a pattern of 65,536 characters passed `validate`, then
    // `run` panicked laying out the verdict table, after writing its files.
    let long = "P".repeat(65_536);
    let text = toy_with("pattern = \"P1\"", &format!("pattern = \"{long}\""));
    refused_at_line_of(
        &text,
        &long[..10],
        &["`targets.kor_value_2022.pattern`", "at most 100"],
    );
}

#[test]
fn an_empty_target_pattern_is_refused() {
    // An empty pattern passed `validate`: `run` printed a blank pattern
    // column and `targets.csv` an empty field.
    for empty in ["\"\"", "\" \""] {
        let to = format!("pattern = {empty}");
        refused_at_line_of(
            &toy_with("pattern = \"P1\"", &to),
            &to,
            &["`targets.kor_value_2022.pattern`", "is empty"],
        );
    }
}

#[test]
fn an_eu_membership_that_ends_before_it_begins_is_refused() {
    // AAA joined in 2004Q2; leaving in 2000Q1 was accepted silently (and
    // made it never a member), in the file and by --set alike.
    let message = [
        "`buyers.AAA.eu_until` = \"2000Q1\" is not after `eu_since` = \"2004Q2\"",
        "set `eu_until` after `eu_since`",
    ];
    let text = toy_with(
        "eu_since = \"2004Q2\"",
        "eu_since = \"2004Q2\"\neu_until = \"2000Q1\"",
    );
    refused_at_line_of(&text, "eu_until", &message);
    Broken::new(TOY)
        .set("buyers.AAA.eu_until=2000Q1")
        .rejected_at("<command line>", 1, &message);
}

#[test]
fn a_seed_beyond_toml_is_refused_with_its_range() {
    // It gave `TOML syntax error: u64 value was too large`, naming neither
    // `seed` nor its range, as `seed = -1` does.
    for bad in ["seed = 9223372036854775808", "seed = -1"] {
        refused_at_line_of(
            &toy_with("seed = 7", bad),
            bad,
            &[
                "`seed` = ",
                "is out of range: must be a whole number from 0 to 9223372036854775807",
            ],
        );
    }
}

#[test]
fn an_id_with_a_dot_is_refused() {
    // It was accepted, and no --set path (split on `.`) could reach it.
    let region = format!("{TOY}\n[regions.\"north.east\"]\nthreat = 0.1\n");
    let target = toy_with("[targets.kor_value_2022]", "[targets.\"kor.value\"]");
    for (text, header, id) in [
        (
            region,
            "[regions.\"north.east\"]",
            "`regions` has the id \"north.east\"",
        ),
        (
            target,
            "[targets.\"kor.value\"]",
            "`targets` has the id \"kor.value\"",
        ),
    ] {
        refused_at_line_of(
            &text,
            header,
            &[
                id,
                "rename it without dots: --set and sweeps address it by a dotted path",
            ],
        );
    }
}

#[test]
fn an_id_with_a_space_at_either_end_is_refused() {
    // It was accepted: no reference written without the space reaches it.
    let region = format!("{TOY}\n[regions.\" north\"]\nthreat = 0.1\n");
    let target = toy_with("[targets.kor_value_2022]", "[targets.\"kor_value_2022 \"]");
    for (text, header, id) in [
        (
            region,
            "[regions.\" north\"]",
            "`regions` has the id \" north\", which starts or ends with a space: write it as \"north\"",
        ),
        (
            target,
            "[targets.\"kor_value_2022 \"]",
            "`targets` has the id \"kor_value_2022 \", which starts or ends with a space: write it as \"kor_value_2022\"",
        ),
    ] {
        refused_at_line_of(&text, header, &[id]);
    }
}

#[test]
fn finite_but_absurd_values_are_refused() {
    // Defect 12: 1e308 for markup, prices, spending or GDP, negative
    // preference weights, 10^8 units and years 0000 to 9999 were accepted
    // and gave infinities in the outputs.
    for (from, to, key) in [
        (
            "markup = 0.2",
            "markup = 1e308",
            "`suppliers.korea_land.markup` = 1e308",
        ),
        (
            "list_price = 4.5",
            "list_price = 1e308",
            "list_price` = 1e308",
        ),
        (
            "gdp = { 2014 = 500.0,",
            "gdp = { 2014 = 1e308,",
            "`buyers.AAA.gdp.2014` = 1e308",
        ),
        (
            "spending = { 2014 = 1.9,",
            "spending = { 2014 = 1e308,",
            "`buyers.AAA.spending.2014` = 1e308",
        ),
        (
            "price = 1.0",
            "price = -1.0",
            "`preferences.default.price` = -1",
        ),
        (
            "units = 600",
            "units = 100000000",
            "`buyers.AAA.fleet.tank.units` = 1e8",
        ),
        ("start = \"2014Q1\"", "start = \"0000Q1\"", "`start`"),
        ("end = \"2023Q4\"", "end = \"9999Q4\"", "`end`"),
    ] {
        refused_at_line_of(&toy_with(from, to), to, &[key]);
    }
}

#[test]
fn control_characters_in_a_name_are_refused() {
    // Defect 13: a NUL in `name` passed `validate`, then `run` exited 1.
    for bad in ["a\\u0000b", "a\\nb", "tab\\there"] {
        let text = toy_with("name = \"toy\"", &format!("name = \"{bad}\""));
        refused_at_line_of(&text, bad, &["`name`", "control character"]);
    }
}

#[test]
fn a_name_over_both_limits_gets_one_error_with_the_limit_it_meets() {
    // A name of 201 ASCII characters got two errors at one spot, one of
    // them "at most 200 bytes", a limit such a name never reaches first.
    let long = "x".repeat(201);
    let text = toy_with("name = \"toy\"", &format!("name = \"{long}\""));
    let b = Broken::new(&text);
    b.rejected_at(
        "s.toml",
        line_of(&text, &long),
        &["`name` is 201 characters long: it may be at most 100 characters"],
    );
    let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
    let stderr = err(&o);
    let here = located_lines(&stderr, "s.toml", line_of(&text, &long));
    assert_eq!(here.len(), 1, "{stderr}");
    assert!(!stderr.contains("200 bytes"), "{stderr}");
}

#[test]
fn a_line_that_always_slips_is_refused_wherever_its_reliability_comes_from() {
    // At reliability 0 every quarter slips, and a slip holds back at least
    // one unit (docs/ODD.md 7.14): the line never delivered its last unit,
    // and the run said nothing.
    let says = [
        "`suppliers.korea_land.lines.k9.reliability` = 0 must be above 0 when the line slips: `slip_share` = 0.5",
        "raise `reliability` above 0, or set `slip_share` = 0",
    ];
    let text = toy_with("reliability = 0.92", "reliability = 0.0");
    refused_at_line_of(&text, "reliability = 0.0", &says);
    Broken::new(TOY)
        .set("suppliers.korea_land.lines.k9.reliability=0")
        .rejected_at("<command line>", 1, &says);
    // A slip share of 0 holds nothing back: reliability 0 is then fine.
    let b = Broken::new(&text);
    let o = armsmarket(
        b.dir.path(),
        &[
            "validate",
            "s.toml",
            "--set",
            "suppliers.korea_land.lines.k9.slip_share=0",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
    // A sweep's value and a calibration's prior bound: refused before any
    // run, at the parameter.
    let b = Broken::new(TOY)
        .with_file(
            "sweep.toml",
            "base = \"s.toml\"\nname = \"sw\"\n[sweep]\ndesign = \"grid\"\nreplications = 1\n[sweep.parameters]\n\"suppliers.korea_land.lines.k9.reliability\" = { values = [0.5, 0.0] }\n",
        )
        .with_file(
            "calibrate.toml",
            "base = \"s.toml\"\nname = \"cal\"\n[calibrate]\npopulation = 10\ngenerations = 1\n[calibrate.parameters.\"suppliers.korea_land.lines.k9.reliability\"]\nprior = \"uniform\"\nmin = 0.0\nmax = 1.0\n",
        );
    for (command, file, line) in [
        ("sweep", "sweep.toml", 7),
        ("calibrate", "calibrate.toml", 6),
    ] {
        let o = armsmarket(b.dir.path(), &[command, file, "--out", "out", "-q"]);
        let stderr = err(&o);
        assert_eq!(o.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            located_lines(&stderr, file, line)
                .iter()
                .any(|l| says.iter().all(|s| l.contains(s))),
            "{command}: {stderr}"
        );
        assert!(nothing_written(&b.dir.path().join("out")), "{command}");
    }
}

#[test]
fn a_base_that_is_not_a_regular_file_is_refused_at_its_line() {
    // Defect 14: a `base` naming a folder or a device gave messages
    // without FILE:LINE:COL, and `/dev/zero` was read until memory ran out.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("folder")).unwrap();
    let fifo = dir.path().join("fifo");
    crate::common::mkfifo(&fifo);
    let big = dir.path().join("big.toml");
    std::fs::write(&big, format!("# {}\n", "x".repeat(17 << 20))).unwrap();
    for (base, says) in [
        ("folder", "not a regular file"),
        ("fifo", "not a regular file"),
        ("/dev/zero", "not a regular file"),
        ("big.toml", "at most 16 MiB"),
    ] {
        let text = format!(
            "# derived\nbase = \"{}\"\nseed = 3\n",
            if base.starts_with('/') {
                base.to_string()
            } else {
                dir.path().join(base).display().to_string()
            }
        );
        Broken::new(&text).rejected_at("s.toml", 2, &["`base`", says]);
    }
}

#[test]
fn a_duplicate_key_is_named() {
    // Defect 14: "duplicate key" did not name the key.
    let text = toy_with("seed = 7", "seed = 7\nseed = 8");
    refused_at_line_of(&text, "seed = 8", &["duplicate key", "`seed`"]);
}

#[test]
fn a_file_name_that_would_hide_the_result_is_refused() {
    // A scenario named after `.toy.lock.toml` wrote its result into
    // `OUT/.toy.lock`, the lock of `toy`'s result, whose runs then failed;
    // `name = ".x"` was refused, a name taken from the file was not.
    let unnamed = TOY.replacen("name = \"toy\"\n", "", 1);
    assert_ne!(unnamed, TOY);
    let b = Broken::new(&unnamed).with_file(".toy.lock.toml", &unnamed);
    let out = b.dir.path().join("out");
    for args in [
        vec!["validate", ".toy.lock.toml"],
        vec!["run", ".toy.lock.toml", "--out", "out", "-q", "-r", "1"],
    ] {
        let o = armsmarket(b.dir.path(), &args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(".toy.lock.toml: the scenario is named after its file")
                && stderr.contains("name = \"toy.lock\""),
            "{args:?}: {stderr}"
        );
        assert!(nothing_written(&out), "{args:?} wrote something");
    }
    // A stem of more than 100 characters, or with a control character,
    // named the result's folder (the `name` key refuses both).
    let long = format!("{}.toml", "a".repeat(120));
    let b = b
        .with_file(&long, &unnamed)
        .with_file("nl\nx.toml", &unnamed);
    for (file, why) in [
        (long.as_str(), "(it has 120 characters, more than 100)"),
        ("nl\nx.toml", "(it holds a control character)"),
    ] {
        let o = armsmarket(
            b.dir.path(),
            &["run", file, "--out", "out", "-q", "-r", "1"],
        );
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{file}: {stderr}");
        assert!(stderr.contains(why), "{file}: {stderr}");
        assert!(nothing_written(&out), "{file} wrote something");
    }
    // A stem ending in `.shards` is the folder of another sweep's shards;
    // the name suggested instead is one that may be given.
    let b = b.with_file("s.shards.toml", &unnamed);
    let o = armsmarket(b.dir.path(), &["validate", "s.shards.toml"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(
            "(it ends in `.shards`: `s.shards` would be the folder sweep `s` writes its shards to)"
        ) && stderr.contains("give it `name = \"s\"`"),
        "{stderr}"
    );
    // A shard's folder name: `merge OUT/NAME` took the result for a shard.
    let b = b.with_file("shard-1-of-2.toml", &unnamed);
    let o = armsmarket(b.dir.path(), &["validate", "shard-1-of-2.toml"]);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("named like the folder of a sweep's shard (`shard-K-of-N`)")
            && stderr.contains("give it `name = \"sweep shard-1-of-2\"`"),
        "{stderr}"
    );
    let named = toy_with("name = \"toy\"", "name = \"shard-3-of-4\"");
    Broken::new(&named).rejected_at(
        "s.toml",
        line_of(&named, "name = \"shard-3-of-4\""),
        &["`name` = \"shard-3-of-4\" cannot name an output folder"],
    );
    // A name of 80 three-byte characters (240 bytes) failed to write its
    // staging folder (exit 1): it is refused as too long a file name.
    let wide = toy_with("name = \"toy\"", &format!("name = \"{}\"", "中".repeat(80)));
    Broken::new(&wide).rejected_at(
        "s.toml",
        line_of(&wide, "name = \"中"),
        &["it takes 240 bytes in UTF-8, more than 200"],
    );
    // The same text under an ordinary name runs.
    let o = armsmarket(
        b.dir.path(),
        &["run", "s.toml", "--out", "out", "-q", "-r", "1"],
    );
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
}

/// An upgrade programme in flight needs legacy units of the lineage its
/// line upgrades, and no more than the buyer's legacy fleet: otherwise its
/// units would be paid for and never enter the fleet.
#[test]
fn an_upgrade_programme_beyond_the_legacy_fleet() {
    let programme = |units: u32| {
        format!(
            "{}\n[programmes.aaa_t72_2013]\nbuyer = \"AAA\"\nsupplier = \"aaa_works\"\nline = \"t72_upgrade\"\nsigned = \"2013Q1\"\nunits = {units}\n",
            crate::common::TOY
        )
    };
    // Within the 450 legacy tanks: accepted.
    let ok = Broken::new(&programme(40));
    let o = armsmarket(ok.dir.path(), &["validate", "s.toml"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = programme(500);
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "units = 500"),
        &["take 500 legacy units, more than the 450 its fleet has"],
    );
    // A buyer without that lineage.
    let text = programme(10).replace(
        "[programmes.aaa_t72_2013]\nbuyer = \"AAA\"",
        "[programmes.aaa_t72_2013]\nbuyer = \"BBB\"",
    );
    Broken::new(&text).rejected_at(
        "s.toml",
        line_of(&text, "line = \"t72_upgrade\""),
        &["upgrades `t72` units, but `buyers.BBB.fleet.tank` has no `legacy_family`"],
    );
}

/// One quarter, one spelling: "2014q1" beside "2014Q1" in a buyer's
/// `procedure` ran with exit 0 as two entries of one quarter, the one
/// sorting last winning; a lowercase `q` is refused at its key with the
/// spelling to write.
#[test]
fn a_quarter_with_a_lowercase_q_is_refused_as_a_key() {
    let toy_procedure = "procedure = { \"2014Q1\" = \"competition\", \"2022Q2\" = \"framework\" }";
    let both = "procedure = { \"2014Q1\" = \"competition\", \"2014q1\" = \"framework\" }";
    refused_at_line_of(
        &toy_with(toy_procedure, both),
        both,
        &[
            "`buyers.AAA.procedure.2014q1`",
            "write quarters as \"2014Q1\", with a capital Q",
        ],
    );
}

/// `--set buyers.AAA.procedure.2014Q1=...` on a file holding "2014q1" was
/// a second entry for that quarter, silently outvoted by the file's.
#[test]
fn a_set_quarter_key_beside_a_lowercase_one_is_not_ignored() {
    let toy_procedure = "procedure = { \"2014Q1\" = \"competition\", \"2022Q2\" = \"framework\" }";
    let lower = "procedure = { \"2014q1\" = \"framework\" }";
    let text = toy_with(toy_procedure, lower);
    Broken::new(&text)
        .set("buyers.AAA.procedure.2014Q1=competition")
        .rejected_at(
            "s.toml",
            line_of(&text, lower),
            &["`buyers.AAA.procedure.2014q1`", "with a capital Q"],
        );
    // A quarter value set with a lowercase `q` is refused at the --set.
    Broken::new(TOY)
        .set("shocks.invasion.quarter=2022q1")
        .rejected_at(
            "<command line>",
            1,
            &[
                "`shocks.invasion.quarter` = \"2022q1\"",
                "write quarters as \"2022Q1\"",
            ],
        );
}

/// An upgrade line whose lineage names no family (`t27` for the fleets'
/// `t72`) ran with exit 0 and signed nothing: it is offered only to fleets
/// of that `legacy_family`.
#[test]
fn an_upgrade_line_naming_no_family_is_refused() {
    let text = toy_with("upgrades = \"t72\"", "upgrades = \"t27\"");
    refused_at_line_of(
        &text,
        "upgrades = \"t27\"",
        &[
            "`suppliers.aaa_works.lines.t72_upgrade.upgrades` = \"t27\" names no family of the scenario",
            "(the legacy lineages of `tank` fleets: t72)",
        ],
    );
}

/// A `--set` value that starts as an inline table but does not parse was
/// taken as a string, and refused as "a string (...) but must be a table",
/// which hid the missing `}`: TOML's error is said, at the --set.
#[test]
fn a_set_value_that_is_broken_toml_is_refused_with_the_toml_error() {
    let b = Broken::new(TOY).set("preferences.buyers={ AAA = { delivery = 2 }");
    b.rejected_at(
        "<command line>",
        1,
        &[
            "--set `preferences.buyers={ AAA = { delivery = 2 }`",
            "is not valid TOML (unclosed inline table, expected `}`, at the end of the value)",
            "close every `{` with `}`",
        ],
    );
    let o = armsmarket(
        b.dir.path(),
        &[
            "validate",
            "s.toml",
            "--set",
            "preferences.buyers={ AAA = { delivery = 2 }",
        ],
    );
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(!stderr.contains("is a string"), "{stderr}");
    // Closed, it runs; a bare word is still a string.
    for set in [
        "preferences.buyers={ AAA = { delivery = 2 } }",
        "spending.mode=threat",
    ] {
        let o = armsmarket(b.dir.path(), &["validate", "s.toml", "--set", set]);
        assert_eq!(
            o.status.code(),
            Some(0),
            "{set}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
}

/// A swept parameter whose path the design refuses (empty) is located at
/// its key: it was at `[sweep]`.
#[test]
fn an_empty_sweep_parameter_path_is_located_at_its_key() {
    let text = "base = \"toy.toml\"\n\n[sweep]\ndesign = \"grid\"\nreplications = 1\n\n[sweep.parameters]\n\"\" = { values = [1, 2] }\n";
    let b = Broken::new(text).with_file("toy.toml", TOY);
    for args in [
        &["validate", "s.toml"][..],
        &["sweep", "s.toml", "--out", "out"],
    ] {
        let o = armsmarket(b.dir.path(), args);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            located_lines(&stderr, "s.toml", 8)
                .iter()
                .any(|l| l.contains("parameter path \"\" is not valid")),
            "{args:?}: not at s.toml:8: {stderr}"
        );
        assert!(nothing_written(&b.dir.path().join("out")), "{args:?}");
    }
}

/// `run --set sweep.design=grid` suggested `--set 'sweep={...}'`, which
/// `run` then refused with "use `armsmarket sweep s.toml`", which cannot
/// work: s.toml has no [sweep], and `sweep` takes no --set. Both say to
/// write a sweep file with `base`, and that file validates.
#[test]
fn a_sweep_set_on_the_command_line_is_sent_to_a_sweep_file() {
    let file_hint = [
        "a sweep is a file of its own, and `armsmarket sweep` takes no --set",
        "write a file beside s.toml holding `base = \"s.toml\"` and a [sweep] table",
    ];
    let b = Broken::new(TOY).set("sweep.design=grid");
    b.rejected_at("<command line>", 1, &file_hint);
    let whole = "sweep={ design = \"grid\", replications = 2, parameters = { \"market.defer_quarters\" = { values = [1, 2] } } }";
    let b = Broken::new(TOY).set(whole);
    b.rejected_at("<command line>", 1, &file_hint);
    for cmd in ["run", "validate"] {
        let o = armsmarket(b.dir.path(), &[cmd, "s.toml", "--set", whole]);
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            !stderr.contains("--set 'sweep=") && !stderr.contains("use `armsmarket sweep s.toml`"),
            "{cmd}: {stderr}"
        );
    }
    // The hint, followed, works.
    let b = b.with_file(
        "grid.toml",
        "base = \"s.toml\"\n\n[sweep]\ndesign = \"grid\"\nreplications = 2\n\n[sweep.parameters]\n\"market.defer_quarters\" = { values = [1, 2] }\n",
    );
    let o = armsmarket(b.dir.path(), &["validate", "grid.toml"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // The same for a calibration.
    Broken::new(TOY).set("calibrate.population=10").rejected_at(
        "<command line>",
        1,
        &[
            "a calibration is a file of its own, and `armsmarket calibrate` takes no --set",
            "`base = \"s.toml\"` and a [calibrate] table",
        ],
    );
}

/// A `[sweep]` or `[calibrate]` table set whole but incomplete was met
/// with "missing key `replications` in `sweep`", which sends the user to
/// complete a table that is then refused: it is refused as a table that
/// cannot be set, whatever it holds.
#[test]
fn an_incomplete_sweep_set_whole_is_refused_as_a_sweep() {
    Broken::new(TOY)
        .set("sweep={ design = \"grid\" }")
        .rejected_at(
            "<command line>",
            1,
            &["a sweep is a file of its own, and `armsmarket sweep` takes no --set"],
        );
    Broken::new(TOY)
        .set("calibrate={ population = 10 }")
        .rejected_at(
            "<command line>",
            1,
            &["a calibration is a file of its own, and `armsmarket calibrate` takes no --set"],
        );
}

/// A `--set` number TOML does not read but Rust does (`05`, `.5`, `5.`,
/// `1.e3`) was said to be "out of range", quoting the key's range, which
/// holds it: it is told to be written as TOML writes it, and that works.
/// A number that is out of range (`-.5` for a weight of 0 to 100, `0500`
/// quarters, `1e400`) is still said to be.
#[test]
fn a_set_number_toml_does_not_read_is_told_its_toml_spelling() {
    for (set, fixed) in [
        ("market.defer_quarters=05", "market.defer_quarters=5"),
        (
            "preferences.default.delivery=.5",
            "preferences.default.delivery=0.5",
        ),
        (
            "preferences.default.delivery=5.",
            "preferences.default.delivery=5.0",
        ),
        (
            "market.marketing_scale=1.e3",
            "market.marketing_scale=1.0e3",
        ),
    ] {
        let (_, raw) = set.split_once('=').unwrap();
        let b = Broken::new(TOY).set(set);
        b.rejected_at(
            "<command line>",
            1,
            &[
                &format!("{raw} is not a TOML number"),
                &format!("write --set {fixed}"),
            ],
        );
        let o = armsmarket(b.dir.path(), &["validate", "s.toml", "--set", set]);
        assert!(!err(&o).contains("out of range"), "{set}: {}", err(&o));
        let o = armsmarket(b.dir.path(), &["validate", "s.toml", "--set", fixed]);
        assert_eq!(o.status.code(), Some(0), "{fixed}: {}", err(&o));
    }
    for (set, rule) in [
        (
            "preferences.default.delivery=-.5",
            "must be between 0 and 100",
        ),
        ("market.defer_quarters=0500", "must be between 1 and 400"),
        ("market.marketing_scale=1e400", "between 1e-6 and 1e7"),
    ] {
        Broken::new(TOY).set(set).rejected_at(
            "<command line>",
            1,
            &["is a number out of range", rule],
        );
    }
}

/// A target whose observed value its metric cannot take (a share of 1.5
/// or -0.5, a negative count, value or lead) was accepted and could never
/// pass: it is refused at `observed`, with what the metric takes.
#[test]
fn a_target_observed_outside_what_its_metric_takes_is_refused() {
    let share = "between 0 and 1): write it as a fraction between 0 and 1 (35 % is 0.35)";
    let never_negative = "never negative): write 0 or more";
    for (metric, observed, says) in [
        ("share\"\nsupplier_country = \"KOR", "1.5", share),
        ("share\"\nsupplier_country = \"KOR", "-0.5", share),
        ("delivered_share\"\nsupplier_country = \"KOR", "35.0", share),
        (
            "buyer_share\"\nsupplier_country = \"KOR\"\nbuyer = \"AAA",
            "1.01",
            share,
        ),
        ("count", "-5.0", never_negative),
        ("units", "-1.0", never_negative),
        ("value", "-0.5", never_negative),
        ("lead_promised", "-3.0", never_negative),
        ("lead_actual", "-0.25", never_negative),
    ] {
        let text = format!(
            "{TOY}\n[targets.zz]\npattern = \"P1\"\nfrom = \"2020Q1\"\nto = \"2021Q4\"\nmetric = \"{metric}\"\nobserved = {observed}\ntolerance = {{ abs = 0.1 }}\n"
        );
        let name = metric.split('"').next().unwrap();
        refused_at_line_of(
            &text,
            &format!("observed = {observed}"),
            &[
                &format!(
                    "`targets.zz.observed` = {} is outside what `metric` = \"{name}\" can take (",
                    observed.trim_end_matches(".0")
                ),
                says,
            ],
        );
    }
    // The ends of a share, and 0 for the others, are taken.
    for (metric, observed) in [("share", 1.0), ("share", 0.0), ("count", 0.0)] {
        let text = format!(
            "{TOY}\n[targets.zz]\npattern = \"P1\"\nfrom = \"2020Q1\"\nto = \"2021Q4\"\nmetric = \"{metric}\"\nsupplier_country = \"KOR\"\nobserved = {observed:?}\ntolerance = {{ abs = 0.1 }}\n"
        );
        let b = Broken::new(&text);
        let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
        assert_eq!(o.status.code(), Some(0), "{metric} {observed}: {}", err(&o));
    }
    // A metric changed on the command line is the value the rule is
    // located at: the toy's observed 2000.0 is no share.
    Broken::new(TOY)
        .set("targets.kor_value_2022.metric=share")
        .rejected_at(
            "<command line>",
            1,
            &["`targets.kor_value_2022.observed` = 2000 is outside what `metric` = \"share\" can take"],
        );
}

/// The fix a message names must itself be valid: `min_lot = 1e15` was
/// told to write `min_lot = 1000000000000000` (its range is 1..100000),
/// `-5.0` to write `-5`, `sweep.levels = 1` to use 0 or 2 (its range is
/// 2..1000) and 1001 to use 1000 or 1002, 600000 Sobol' points to use
/// 524288 or 1048576 (at most 1000000). Out of range, the range is said;
/// in range, only values in range are named.
#[test]
fn a_fix_a_message_names_is_itself_in_range() {
    for (lot, shown) in [("1e15", "1e15"), ("-5.0", "-5"), ("2e5", "200000")] {
        let to = format!("min_lot = {lot}");
        let text = toy_with("min_lot = 10", &to);
        refused_at_line_of(
            &text,
            &to,
            &[&format!(
                "`categories.tank.min_lot` = {shown} is out of range: must be between 1 and 100000 (units)"
            )],
        );
        let o = armsmarket(Broken::new(&text).dir.path(), &["validate", "s.toml"]);
        assert!(!err(&o).contains("write its digits"), "{lot}: {}", err(&o));
    }
    // In range, the digits are still what to write.
    let text = toy_with("min_lot = 10", "min_lot = 1e3");
    refused_at_line_of(
        &text,
        "min_lot = 1e3",
        &["a whole number written as a decimal", "`min_lot = 1000`"],
    );
    let sweep = |design: &str| {
        format!(
            "base = \"toy.toml\"\nname = \"m\"\n[sweep]\n{design}\nreplications = 1\n[sweep.parameters]\n\"preferences.default.delivery\" = {{ min = 0.2, max = 2.0 }}\n"
        )
    };
    for (design, says, never) in [
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 1",
            "`sweep.levels` = 1 is out of range: must be between 2 and 1000",
            "use 0",
        ),
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 1001",
            "`sweep.levels` = 1001 is out of range: must be between 2 and 1000",
            "1002",
        ),
        (
            "design = \"morris\"\ntrajectories = 4\nlevels = 999",
            "Morris levels must be even (so that every step of p/(2(p-1)) stays on the grid): use 998 or 1000",
            "1001",
        ),
        (
            "design = \"sobol\"\npoints = 600000",
            "`sweep.points` = 600000: a Sobol' design needs a power of two: use 524288",
            "1048576",
        ),
    ] {
        let text = sweep(design);
        let last = design.lines().last().unwrap();
        let b = Broken::new(&text).with_file("toy.toml", TOY);
        b.rejected_at("s.toml", line_of(&text, last), &[says]);
        let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
        assert!(!err(&o).contains(never), "{design}: {}", err(&o));
    }
}

/// A sweep's `runs.csv` names a target's columns `<id>_value`,
/// `<id>_distance` and `<id>_pass`: a target `total`, `focus`, `mean`,
/// `verdict` or `all` repeated a column the table already has (the
/// summary's `total_value` and `focus_value`, the closing
/// `mean_distance`, `verdict_distance` and `all_pass`), and `discover
/// --where` and `sensitivity` read one for the other. Such an id is
/// refused at its table, by `validate`, `run` and `sweep`, before anything
/// is written.
#[test]
fn a_target_id_whose_sweep_columns_repeat_a_runs_csv_column_is_refused() {
    let sweep = "\n[sweep]\ndesign = \"lhs\"\npoints = 2\nreplications = 1\nseed = 1\n\
                 [sweep.parameters]\n\"preferences.default.delivery\" = { min = 0.2, max = 2.0 }\n";
    for (id, column, whose) in [
        ("total", "total_value", "a column of the run's summary"),
        ("focus", "focus_value", "a column of the run's summary"),
        ("mean", "mean_distance", "the column over all targets"),
        ("verdict", "verdict_distance", "the column over all targets"),
        ("all", "all_pass", "the column over all targets"),
    ] {
        let header = format!("[targets.{id}]");
        let text = toy_with("[targets.kor_value_2022]", &header);
        let message = format!(
            "`targets.{id}`: the id \"{id}\" gives a sweep's runs.csv the column `{column}`, which it already has ({whose}): `discover --where` and `sensitivity` would read one for the other; give the target a different id, e.g. \"{id}_target\""
        );
        refused_at_line_of(&text, &header, &[&message]);
        let b = Broken::new(&format!("{text}{sweep}"));
        let o = armsmarket(
            b.dir.path(),
            &["sweep", "s.toml", "--out", "out", "-q", "-t", "1"],
        );
        assert_eq!(o.status.code(), Some(2), "{id}: {}", err(&o));
        let at = format!("s.toml:{}:", line_of(&text, &header));
        assert!(
            err(&o)
                .lines()
                .any(|l| l.starts_with(&at) && l.contains(&message)),
            "{id}: {}",
            err(&o)
        );
        assert!(nothing_written(&b.dir.path().join("out")), "{id}");
    }
    // An id that only starts or ends like one is a target as any other.
    let text = toy_with("[targets.kor_value_2022]", "[targets.total_2022]");
    let b = Broken::new(&text);
    let o = armsmarket(b.dir.path(), &["validate", "s.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

/// A file saved with a byte-order mark (as some Windows editors do) is
/// read, and an error on its first line is at the column an editor shows:
/// the mark counted as one, so `seed` at column 1 was said to be at 2,
/// for a TOML syntax error and a value out of range alike. Lines below
/// the first were right already. Likewise the `\r` of a `\r\n` line end:
/// an unclosed string was said to end a column past the line's end.
#[test]
fn a_byte_order_mark_or_a_carriage_return_is_no_column() {
    let body = TOY.replacen("seed = 7\n", "", 1);
    for (first, col, needle) in [
        ("seed = -1", 8, "`seed` = -1 is out of range"),
        ("seed = x", 8, "TOML syntax error"),
        ("nope = 1\nseed = 7", 1, "unknown key `nope`"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("\u{feff}{first}\n{body}");
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        for args in [
            vec!["validate", "s.toml"],
            vec!["run", "s.toml", "--out", "out", "--quiet"],
        ] {
            let o = armsmarket(dir.path(), &args);
            let stderr = err(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("s.toml:1:{col}: ")) && stderr.contains(needle),
                "{first:?}: {args:?}: not at 1:{col}: {stderr}"
            );
            assert!(nothing_written(&dir.path().join("out")), "{args:?} wrote");
        }
    }
    // An unclosed string ends the line: just past its last character,
    // with `\r\n` as with `\n`.
    for end in ["\n", "\r\n"] {
        let dir = tempfile::tempdir().unwrap();
        let text = format!("name = \"abc{end}{}", TOY.replace('\n', end));
        std::fs::write(dir.path().join("s.toml"), text).unwrap();
        let o = armsmarket(dir.path(), &["validate", "s.toml"]);
        assert_eq!(o.status.code(), Some(2), "{}", err(&o));
        assert!(err(&o).starts_with("s.toml:1:12: "), "{end:?}: {}", err(&o));
    }
    // An error below the first line is where it was.
    let dir = tempfile::tempdir().unwrap();
    let text = format!("\u{feff}{}", toy_with("seed = 7", "seed = -1"));
    std::fs::write(dir.path().join("s.toml"), &text).unwrap();
    let o = armsmarket(dir.path(), &["validate", "s.toml"]);
    let at = format!("s.toml:{}:8: ", line_of(&text, "seed = -1"));
    assert!(err(&o).contains(&at), "{}", err(&o));
}

/// A bad id is told what is wrong with it: one of spaces only (`[buyers."
/// "]`) has 1 to 100 characters and no control character, yet was told
/// only "an id has 1 to 100 characters and no control characters", which
/// it meets; a long one was not told its length.
#[test]
fn a_bad_id_is_told_what_is_wrong_with_it() {
    let long = "A".repeat(101);
    for (id, says) in [
        (" ", "which is empty or only spaces: name the entry"),
        ("", "which is empty or only spaces: name the entry"),
        (
            long.as_str(),
            "of 101 characters: an id has at most 100; shorten it",
        ),
        (
            "A\\tA",
            "which holds the control character \"\\\\u{9}\": remove it",
        ),
    ] {
        let text = toy_with("[buyers.CCC]", &format!("[buyers.\"{id}\"]"))
            .replace("[buyers.CCC.", &format!("[buyers.\"{id}\"."));
        Broken::new(&text).rejected_at(
            "s.toml",
            line_of(&text, &format!("[buyers.\"{id}\"]")),
            &["`buyers` has the id", says],
        );
    }
}

/// A pair or a triple of the wrong length is told how many numbers it
/// takes: `reliability_prior = [4.0, 1.0, 2.0]` was refused with serde's
/// "invalid length 3, expected fewer elements in array", which says
/// neither the length nor how to write it, in a file and by --set alike.
#[test]
fn an_array_of_the_wrong_length_is_told_its_length() {
    for (from, to, says) in [
        (
            "reliability_prior = [4.0, 1.0]",
            "reliability_prior = [4.0, 1.0, 2.0]",
            "`market.reliability_prior` holds 3 values but takes 2: write 2 numbers in brackets, e.g. `reliability_prior = [1.0, 2.0]`",
        ),
        (
            "reliability_prior = [4.0, 1.0]",
            "reliability_prior = []",
            "`market.reliability_prior` holds 0 values but takes 2",
        ),
        (
            "tolerance = { range = [3.0, 10.0] }",
            "tolerance = { range = [3.0] }",
            "`targets.kor_lead_2022.tolerance.range` holds 1 value but takes 2",
        ),
        (
            "interop_rate = 0.1",
            "interop_rate = 0.1\ndevelopment_split = [0.5, 0.5]",
            "`market.development_split` holds 2 values but takes 3: write 3 numbers in brackets, e.g. `development_split = [0.5, 0.25, 0.25]`",
        ),
    ] {
        let text = toy_with(from, to);
        let line = to.lines().last().unwrap();
        Broken::new(&text).rejected_at("s.toml", line_of(&text, line), &[says]);
    }
    Broken::new(TOY)
        .set("market.reliability_prior=[1, 2, 3]")
        .rejected_at(
            "<command line>",
            1,
            &["`market.reliability_prior` holds 3 values but takes 2"],
        );
}

/// A calibration prior so narrow that its variance rounds to 0 (`min =
/// 0.0, max = 1e-300`, or a normal one with `sd = 1e-300`) passed
/// `validate`; `calibrate` then failed after its first generation with
/// "proposal covariance is not positive definite even with a ridge",
/// exit code 1, leaving its saved state. It is refused at the key, as a
/// target's tolerance of no width is, before anything is written.
#[test]
fn a_calibration_prior_of_no_width_is_refused() {
    let calibration = |prior: &str| {
        format!(
            "base = \"toy.toml\"\nname = \"narrow\"\n\n[calibrate]\npopulation = 20\ngenerations = 2\nseed = 1\n\n[calibrate.parameters.\"preferences.default.delivery\"]\n{prior}\n"
        )
    };
    for (prior, key, says) in [
        (
            "prior = \"uniform\"\nmin = 0.0\nmax = 1e-300",
            "max = 1e-300",
            "the range from 0 to 1e-300 is narrower than 1e-9",
        ),
        (
            "prior = \"log_uniform\"\nmin = 1e-300\nmax = 2e-300",
            "max = 2e-300",
            "is narrower than 1e-9",
        ),
        (
            "prior = \"normal\"\nmean = 1.0\nsd = 1e-300\nmin = 0.0\nmax = 2.0",
            "sd = 1e-300",
            "`calibrate.parameters.preferences.default.delivery.sd` = 1e-300 is below 2e-9",
        ),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("toy.toml"), TOY).unwrap();
        let text = calibration(prior);
        std::fs::write(dir.path().join("c.toml"), &text).unwrap();
        let at = format!("c.toml:{}:", line_of(&text, key));
        for args in [
            vec!["validate", "c.toml"],
            vec!["calibrate", "c.toml", "--out", "out", "-q", "-t", "1"],
        ] {
            let o = armsmarket(dir.path(), &args);
            let stderr = err(&o);
            assert_eq!(o.status.code(), Some(2), "{prior}: {args:?}: {stderr}");
            assert!(
                stderr
                    .lines()
                    .any(|l| l.starts_with(&at) && l.contains(says)),
                "{prior}: {args:?}: not at {at} saying {says:?}: {stderr}"
            );
            assert!(nothing_written(&dir.path().join("out")), "{args:?} wrote");
        }
    }
    // Narrow but with a spread to sample: accepted.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("toy.toml"), TOY).unwrap();
    std::fs::write(
        dir.path().join("c.toml"),
        calibration("prior = \"uniform\"\nmin = 0.5\nmax = 0.500001"),
    )
    .unwrap();
    let o = armsmarket(dir.path(), &["validate", "c.toml"]);
    assert_eq!(o.status.code(), Some(0), "{}", err(&o));
}

/// A list of ids names each once: `buyers = ["AAA", "AAA"]` in a group,
/// or a target's `categories = ["tank", "tank"]`, ran with exit 0 as if
/// written once, hiding the other id that was meant (as `outputs.files`
/// and a sweep's values already refuse a repeat).
#[test]
fn an_id_listed_twice_is_refused() {
    for (from, to, says) in [
        (
            "buyers = [\"AAA\", \"BBB\"]\n\n[groups.east_nato]",
            "buyers = [\"AAA\", \"AAA\"]\n\n[groups.east_nato]",
            "`groups.east.buyers[1]`: `AAA` is listed twice; list each once",
        ),
        (
            "categories = [\"tank\", \"spg\"]",
            "categories = [\"tank\", \"tank\"]",
            "`targets.kor_lead_2022.categories[1]`: `tank` is listed twice; list each once",
        ),
    ] {
        let text = toy_with(from, to);
        let line = to.lines().next().unwrap();
        Broken::new(&text).rejected_at("s.toml", line_of(&text, line), &[says]);
    }
}

/// A calibration's model file that is missing or a folder was refused
/// with "`calibrate.models.a.file`: nothere.toml is not a file", which
/// said neither what is there nor what to write; it is said as for a
/// `base`, and `validate` refuses it as `calibrate` does.
#[test]
fn a_calibration_model_file_that_is_not_there_is_told_what_to_name() {
    for (file, says) in [
        ("nothere.toml", "nothere.toml does not exist"),
        ("folder", "folder is not a regular file"),
    ] {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("toy.toml"), TOY).unwrap();
        std::fs::create_dir(dir.path().join("folder")).unwrap();
        let text = format!(
            "base = \"toy.toml\"\nname = \"m\"\n\n[calibrate]\npopulation = 20\ngenerations = 2\nmodels = {{ a = {{ file = \"{file}\" }} }}\n\n[calibrate.parameters.\"preferences.default.delivery\"]\nprior = \"uniform\"\nmin = 0.0\nmax = 2.0\n"
        );
        std::fs::write(dir.path().join("c.toml"), &text).unwrap();
        let at = format!("c.toml:{}:", line_of(&text, "models = "));
        for args in [
            vec!["validate", "c.toml"],
            vec!["calibrate", "c.toml", "--out", "out", "-q", "-t", "1"],
        ] {
            let o = armsmarket(dir.path(), &args);
            let stderr = err(&o);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {stderr}");
            assert!(
                stderr.lines().any(|l| l.starts_with(&at)
                    && l.contains(&format!("`calibrate.models.a.file` = \"{file}\""))
                    && l.contains(says)
                    && l.contains("name a scenario file, relative to this calibration file")),
                "{args:?}: {stderr}"
            );
            assert!(nothing_written(&dir.path().join("out")), "{args:?} wrote");
        }
    }
}

#[test]
fn a_seed_on_the_command_line_out_of_range_names_its_range() {
    // Past 2^64 clap said "number too large to fit in target type",
    // naming no range; between 2^63 and 2^64 it gave the range as
    // "0..=9223372036854775807".
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    for bad in ["99999999999999999999", "9223372036854775808", "-1", "seven"] {
        for command in ["run", "compare"] {
            let o = armsmarket(
                tmp.path(),
                &[
                    command,
                    crate::common::toy().to_str().unwrap(),
                    "-r",
                    "1",
                    &format!("--seed={bad}"),
                    "--out",
                    out.to_str().unwrap(),
                ],
            );
            assert_eq!(o.status.code(), Some(2), "{command} --seed {bad}");
            assert!(
                err(&o).contains("a seed is a whole number from 0 to 9223372036854775807"),
                "{command} --seed {bad}: {}",
                err(&o)
            );
            assert!(nothing_written(&out), "{command} --seed {bad} wrote");
        }
    }
    let ok = armsmarket(
        tmp.path(),
        &[
            "run",
            crate::common::toy().to_str().unwrap(),
            "-r",
            "1",
            "-q",
            "--seed",
            "9223372036854775807",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    crate::common::assert_ok(&ok, "run --seed 2^63 - 1");
}

/// A `--set` applies to every scenario given: a problem it makes in some of
/// them names them (two unnamed `<command line>:1:1` lines left the user to
/// guess which file each was about), one it makes in all of them is said
/// once, as for one file. `validate`, `run` and `compare` alike; nothing is
/// written.
#[test]
fn a_set_s_problem_in_some_of_several_files_names_them() {
    let dir = tempfile::tempdir().unwrap();
    let (toy, europe) = (crate::common::toy(), crate::common::europe());
    let (toy, europe) = (toy.to_str().unwrap(), europe.to_str().unwrap());
    let set = "buyers.AAA.fleet.tank.legacy=700";
    for command in [
        vec!["validate", toy, europe, "--set", set],
        vec!["run", toy, europe, "-r", "1", "--out", "out", "--set", set],
        vec![
            "compare", toy, europe, "-r", "2", "--out", "out", "--set", set,
        ],
    ] {
        let o = armsmarket(dir.path(), &command);
        assert_eq!(o.status.code(), Some(2), "{command:?}: {}", err(&o));
        let e = err(&o);
        let lines: Vec<&str> = e.lines().collect();
        assert_eq!(lines.len(), 2, "{command:?}: {e}");
        assert!(
            lines[0].starts_with(&format!(
                "<command line>:1:1: in {europe}: --set buyers.AAA.fleet.tank.legacy: no such key `AAA` in `buyers`"
            )),
            "{command:?}: {e}"
        );
        assert!(
            lines[1].starts_with(&format!(
                "<command line>:1:1: in {toy}: `buyers.AAA.fleet.tank.legacy` = 700 is more than `units`"
            )),
            "{command:?}: {e}"
        );
        assert!(nothing_written(&dir.path().join("out")), "{command:?}");
    }
    // The same problem in both: said once, unnamed.
    let o = armsmarket(dir.path(), &["validate", toy, europe, "--set", "seed=-1"]);
    assert_eq!(o.status.code(), Some(2), "{}", err(&o));
    assert_eq!(
        err(&o).trim_end(),
        "<command line>:1:1: `seed` = -1 is out of range: must be a whole number from 0 to 9223372036854775807"
    );
}

/// Values the format accepted at the ends of its ranges made the model's
/// arithmetic overflow without a word: a life of 1e-14 years stopped units
/// retiring (its fixed-point carry wrapped), a reference price of 1e-308
/// let a price term of weight 0 decide tenders (0 · ∞), a marketing scale
/// of 1e-308 took a supplier's access to 0. The ranges now start where the
/// arithmetic holds: a quarter, and one dollar.
#[test]
fn ranges_start_where_the_arithmetic_holds() {
    for (from, to, says) in [
        (
            "life_years = 35.0",
            "life_years = 1e-14",
            "`categories.tank.life_years` = 1e-14 is out of range: must be between 0.25 and 200 (years)",
        ),
        (
            "ref_price = 15.0",
            "ref_price = 1e-308",
            "`categories.tank.ref_price` = 1e-308 is out of range: must be between 1e-6 and 10000 (US$ m per unit)",
        ),
    ] {
        refused_at_line_of(&toy_with(from, to), to, &[says]);
    }
    let text = toy_with("[market]\n", "[market]\nmarketing_scale = 1e-308\n");
    refused_at_line_of(
        &text,
        "marketing_scale = 1e-308",
        &["`market.marketing_scale` = 1e-308 is out of range: must be between 1e-6 and 1e7"],
    );
}

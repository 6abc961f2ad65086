//! Checks a deserialized scenario against the format's rules: every value
//! within its key's range ([`crate::scenario::keys`]), texts and ids, the
//! quarters and the simulated span, the number of entries of every table,
//! required collections, event fields, references between ids, and a
//! sweep's design and the values it gives every swept key.
//!
//! [`validate`] is pure: it returns `(dotted path, message)` pairs and the
//! loader locates each path in its file. It reports every problem, not only
//! the first. [`validate_touched`] runs only the checks that read given
//! top-level tables, or the values of given entries of `buyers`,
//! `suppliers`, `regions`, `shocks` and `categories`: for a valid scenario
//! changed in those alone (a sweep point, a calibration particle), that
//! finds the same problems.

use super::error::{list_names, nearest};
use super::keys::{
    self, Key, MAX_NAME, MAX_POINTS, MAX_QUARTERS, MAX_TEXT, MAX_VALUES, Ty, YEAR_SPAN, show,
};
use super::schema::{
    Buyer, Calibrate, Category, Country, DesignKind, Event, EventKind, Group, Line, Market, Metric,
    Preferences, PriorKind, Procedures, Quarter, Region, Scenario, Shock, Supplier, Sweep,
    SweepParameter, Target, WeightOverrides, Weights, YearSeries,
};
use std::collections::BTreeMap;
use std::fmt::{Display, Write};

/// The most bytes a scenario's name takes in UTF-8: a file name holds 255,
/// and the hidden staging folder a result is written in
/// (`.NAME.XXXXXX.staging`) adds 16 (100 characters of three bytes each
/// failed to write).
pub const MAX_NAME_BYTES: usize = 200;

/// Why `name` cannot name a result's folder, if it cannot: empty, a
/// leading `.` (it would hide the result among the hidden files that lock
/// and stage results, `.NAME.lock`, and could be one of them), a path
/// separator, or too many bytes; with `as_text`, also what the `name`
/// key's text check says of a name given in the file (more than
/// [`MAX_NAME`] characters, a control character), for a name taken from
/// the file's stem, which that check does not see.
pub fn folder_problem(name: &str, as_text: bool) -> Option<String> {
    let n = name.chars().count();
    if let Some(why) = shape_problem(name) {
        Some(why)
    } else if as_text && name.chars().any(char::is_control) {
        Some("it holds a control character".into())
    } else if as_text && n > MAX_NAME {
        Some(format!("it has {n} characters, more than {MAX_NAME}"))
    } else {
        bytes_problem(name)
    }
}

/// Why `name`'s shape cannot name a folder: empty, a leading `.`, a path
/// separator, a trailing `.shards` ([`folder_problem`]'s first checks).
fn shape_problem(name: &str) -> Option<String> {
    if name.trim().is_empty() {
        Some("it is empty".into())
    } else if name.starts_with('.') {
        Some("it starts with `.`".into())
    } else if name.contains(['/', '\\']) {
        Some("it holds a path separator".into())
    } else if crate::sweep::Shard::of_folder(name).is_some() {
        // `merge OUT/NAME` would take the result for a shard's folder.
        Some(
            "it is named like the folder of a sweep's shard (`shard-K-of-N`), which `merge` reads as one"
                .into(),
        )
    } else {
        // A sweep named `x` writes its shards to `OUT/x.shards/`: a result
        // there would hold them, and replacing it would delete them.
        name.strip_suffix(".shards").map(|sweep| {
            format!(
                "it ends in `.shards`: `{name}` would be the folder sweep `{sweep}` writes its shards to"
            )
        })
    }
}

/// Whether `name` takes more than [`MAX_NAME_BYTES`] in UTF-8, and why that
/// matters.
fn bytes_problem(name: &str) -> Option<String> {
    (name.len() > MAX_NAME_BYTES).then(|| {
        format!(
            "it takes {} bytes in UTF-8, more than {MAX_NAME_BYTES}: a file name holds 255, and the result's staging folder adds to it",
            name.len()
        )
    })
}

/// The narrowest accepted interval of a target, relative to its observed
/// value's size (at least 1): one narrower is taken as having no width.
const MIN_TARGET_WIDTH: f64 = 1e-9;

/// The narrowest calibration prior (its range, and a normal one's `sd`),
/// relative to the larger of its bounds' sizes (at least 1), as for a
/// target's interval: one narrower cannot be sampled.
const PRIOR_LEAST_SPREAD: f64 = MIN_TARGET_WIDTH;

/// What a prior narrower than [`PRIOR_LEAST_SPREAD`] is told.
const TOO_NARROW: &str = " (1e-9 of the larger of |min|, |max| or 1), too narrow to sample: widen it, or fix the key in the scenario and leave it out of `calibrate.parameters`";

/// What a target's metric can take: its lowest and highest value, that
/// range in words, and how to write an observed value in it.
fn metric_domain(metric: Metric) -> (f64, f64, &'static str, &'static str) {
    const NOT_NEGATIVE: &str = "write 0 or more";
    match metric {
        Metric::Share | Metric::BuyerShare | Metric::DeliveredShare => (
            0.0,
            1.0,
            "a share of value, between 0 and 1",
            "write it as a fraction between 0 and 1 (35 % is 0.35)",
        ),
        Metric::Value => (
            0.0,
            f64::INFINITY,
            "a contract value in US$ m, never negative",
            NOT_NEGATIVE,
        ),
        Metric::Units => (
            0.0,
            f64::INFINITY,
            "units contracted, never negative",
            NOT_NEGATIVE,
        ),
        Metric::Count => (
            0.0,
            f64::INFINITY,
            "a number of contracts, never negative",
            NOT_NEGATIVE,
        ),
        Metric::LeadPromised | Metric::LeadActual => (
            0.0,
            f64::INFINITY,
            "a mean of months from signing to first delivery, never negative",
            NOT_NEGATIVE,
        ),
    }
}

/// Keys a sweep may not vary: they change the shape of the output or the
/// identity of the runs.
pub const FIXED_KEYS: [&str; 8] = [
    "name",
    "base",
    "seed",
    "replications",
    "start",
    "end",
    "outputs",
    "sweep",
];

/// Every problem in `s` as (dotted path of the offending value, message).
pub fn validate(s: &Scenario) -> Vec<(String, String)> {
    problems(s)
        .into_iter()
        .map(|p| (p.path, p.message))
        .collect()
}

/// A problem in a scenario: the value at `path`, what is wrong with it,
/// and, for a rule between keys (legacy units at most the units), the
/// other values the rule read, so that the problem can be located at the
/// one the user changed ([`crate::scenario::SourceMap::problem_origin`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    /// Dotted path of the offending value.
    pub path: String,
    /// Dotted paths of the other values the broken rule read.
    pub with: Vec<String>,
    /// What is wrong, and the fix.
    pub message: String,
    /// Whether the key at `path` is at fault (an id or a year that names
    /// nothing), not its value: located at the key.
    pub key: bool,
}

/// Every problem in `s`, in the order [`validate`] gives them.
pub fn problems(s: &Scenario) -> Vec<Problem> {
    let mut c = Checker::default();
    c.top(s);
    c.errors
}

/// The maps whose entries [`validate_touched`] can check alone: their
/// values are read only by their own checks (and, for `suppliers` and
/// `buyers`, the programmes' and the upgrade lines' lineages), every other
/// check takes their ids alone.
pub const ENTRY_TABLES: [&str; 5] = ["buyers", "suppliers", "regions", "shocks", "categories"];

/// The problems in `s` found by the checks that read any of the top-level
/// tables `touched` (a table whose ids a check refers to counts as read),
/// or the values of an entry in `entries`: `("buyers", "POL")`, or an
/// entry of `suppliers`, `regions`, `shocks` or `categories`, changed
/// while the ids of its table did not.
/// When `s` is a valid scenario with only those tables and entries
/// changed, these are all its problems: every other check reads what it
/// read before, and passes as it did. A sweep point or a calibration
/// particle writes a few values into a valid base, and need not check the
/// whole scenario again.
pub fn validate_touched(
    s: &Scenario,
    touched: &[String],
    entries: &[(&str, &str)],
) -> Vec<(String, String)> {
    debug_assert!(entries.iter().all(|(t, _)| ENTRY_TABLES.contains(t)));
    let mut c = Checker {
        touched: Some(touched.to_vec()),
        entries: entries
            .iter()
            .map(|&(t, e)| (t.to_string(), e.to_string()))
            .collect(),
        ..Checker::default()
    };
    c.top(s);
    c.errors.into_iter().map(|p| (p.path, p.message)).collect()
}

/// What ids of one kind exist, for reference checks.
struct Ids<'a> {
    /// The kind, for messages (`region`).
    kind: &'static str,
    /// Where they are defined, for messages (`regions`).
    table: &'static str,
    names: Vec<&'a str>,
}

impl<'a> Ids<'a> {
    fn of<V>(kind: &'static str, table: &'static str, map: &'a BTreeMap<String, V>) -> Self {
        Ids {
            kind,
            table,
            names: map.keys().map(String::as_str).collect(),
        }
    }

    fn contains(&self, id: &str) -> bool {
        self.names.contains(&id)
    }
}

/// The span of a numeric key.
fn span_of(k: &Key) -> keys::Span {
    match k.ty {
        Ty::Number(s) | Ty::Integer(s) | Ty::Pair(s) | Ty::Triple(s) => s,
        _ => panic!("`{}` is not a number", k.path),
    }
}

/// The `candidates` for the key `path` that its range holds, as a message
/// offers them ("64 or 128"): a fix must itself be valid.
fn in_range(path: &str, candidates: [usize; 2]) -> String {
    let span = span_of(keys::known(path));
    candidates
        .into_iter()
        .filter(|&q| span.contains(q as f64))
        .map(|q| q.to_string())
        .collect::<Vec<_>>()
        .join(" or ")
}

/// " (unit)" after a rule, if the key has a unit.
fn unit_note(k: &Key) -> String {
    if k.unit.is_empty() {
        String::new()
    } else {
        format!(" ({})", k.unit)
    }
}

/// The weights of a set of preferences, by key.
fn weights(w: &Weights) -> [(&'static str, f64); 12] {
    [
        ("price", w.price),
        ("delivery", w.delivery),
        ("urgency", w.urgency),
        ("quality", w.quality),
        ("interoperability", w.interoperability),
        ("offset", w.offset),
        ("reliability", w.reliability),
        ("commonality", w.commonality),
        ("domestic", w.domestic),
        ("affinity", w.affinity),
        ("european", w.european),
        ("defer", w.defer),
    ]
}

/// The weights an override sets, by key.
fn overrides(o: &WeightOverrides) -> [(&'static str, Option<f64>); 12] {
    [
        ("price", o.price),
        ("delivery", o.delivery),
        ("urgency", o.urgency),
        ("quality", o.quality),
        ("interoperability", o.interoperability),
        ("offset", o.offset),
        ("reliability", o.reliability),
        ("commonality", o.commonality),
        ("domestic", o.domestic),
        ("affinity", o.affinity),
        ("european", o.european),
        ("defer", o.defer),
    ]
}

/// The fix for a table holding two keys of which it may hold one: a file
/// with `base` adds its keys to the base file's table and cannot remove
/// one, so an inherited key is changed in the base file, or the table is
/// replaced whole by `--set` of `run` or `compare` (`example` shows its
/// value).
fn keep_one(path: &str, example: &str) -> String {
    format!(
        "; keep one: a file with `base` adds its keys to the base file's table and cannot remove one, so change an inherited key in the base file, or (for `run`, `compare` and `validate`) replace the whole table: --set '{path}={example}'"
    )
}

#[derive(Default)]
struct Checker {
    errors: Vec<Problem>,
    /// The key pattern of the value being checked (a buffer used again).
    pattern: String,
    /// The top-level tables to check the readers of; `None`: all.
    touched: Option<Vec<String>>,
    /// Entries of [`ENTRY_TABLES`] whose values changed, their ids not:
    /// only the checks of these entries' values run for them (the checks
    /// that take such a table's ids alone take [`Ids`]).
    entries: Vec<(String, String)>,
}

impl Checker {
    /// Whether the checks that read the top-level `tables` run.
    fn reads(&self, tables: &[&str]) -> bool {
        self.touched
            .as_ref()
            .is_none_or(|touched| touched.iter().any(|t| tables.contains(&t.as_str())))
    }

    /// Whether the checks that read the top-level `tables`, or the values
    /// of entries of `table`, run.
    fn reads_or_entries(&self, tables: &[&str], table: &str) -> bool {
        self.reads(tables) || self.entries.iter().any(|(t, _)| t == table)
    }

    /// Whether a block that reads `tables` checks the entry `id` of
    /// `table`: every entry when it reads a touched table, else the
    /// entries whose values changed.
    fn reads_entry(&self, tables: &[&str], table: &str, id: &str) -> bool {
        self.reads(tables) || self.entries.iter().any(|(t, e)| t == table && e == id)
    }

    fn push(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.push_between(path, Vec::new(), message);
    }

    /// A problem with the value at `path` under a rule that also read the
    /// values at `with`.
    fn push_between(
        &mut self,
        path: impl Into<String>,
        with: Vec<String>,
        message: impl Into<String>,
    ) {
        self.errors.push(Problem {
            path: path.into(),
            with,
            message: message.into(),
            key: false,
        });
    }

    /// A problem with the key at `path` itself.
    fn push_key(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(Problem {
            path: path.into(),
            with: Vec::new(),
            message: message.into(),
            key: true,
        });
    }

    /// `path` = `v` must lie in the span of the key `pattern`. The path
    /// is written out only for a message (sweep points and calibration
    /// particles check every value of a scenario).
    fn num(&mut self, path: impl Display, v: f64, pattern: impl Display) {
        self.pattern.clear();
        write!(self.pattern, "{pattern}").expect("writing to a String");
        self.num_of(path, v, keys::known(&self.pattern));
    }

    /// `path` = `v` must lie in the span of the key `k`.
    fn num_of(&mut self, path: impl Display, v: f64, k: &Key) {
        let span = span_of(k);
        if !v.is_finite() {
            self.push(
                path.to_string(),
                format!(
                    "`{path}` = {} is not a finite number: must be {}{}",
                    show(v),
                    span.rule(),
                    unit_note(k)
                ),
            );
        } else if !span.contains(v) {
            self.push(
                path.to_string(),
                format!(
                    "`{path}` = {} is out of range: must be {}{}",
                    show(v),
                    span.rule(),
                    unit_note(k)
                ),
            );
        }
    }

    /// Each `(key, value)` of the table at `prefix`, whose keys' pattern
    /// is `pattern.key`.
    fn fields(&mut self, prefix: &str, pattern: &str, fields: &[(&str, f64)]) {
        for &(key, v) in fields {
            self.num(
                format_args!("{prefix}.{key}"),
                v,
                format_args!("{pattern}.{key}"),
            );
        }
    }

    /// Free text or a name: at most the key's length, and no control
    /// characters (line breaks and tabs only in free text).
    fn text(&mut self, path: &str, s: &str, pattern: &str) {
        let Ty::Text(max) = keys::known(pattern).ty else {
            panic!("`{pattern}` is not text");
        };
        let n = s.chars().count();
        if n > max {
            self.push(
                path,
                format!("`{path}` is {n} characters long: it may be at most {max} characters"),
            );
        }
        let allowed = |c: char| max == MAX_TEXT && matches!(c, '\n' | '\t');
        if let Some(c) = s.chars().find(|&c| c.is_control() && !allowed(c)) {
            self.push(
                path,
                format!(
                    "`{path}` holds the control character {:?}: remove it",
                    c.escape_unicode().to_string()
                ),
            );
        }
    }

    /// The ids of a table of named entries: at most the key's number of
    /// entries, each at most [`MAX_NAME`] characters without control
    /// characters or `.` (a dotted path addresses every entry), nor a
    /// space at either end (which no reference shows).
    fn entries<V>(&mut self, path: &str, map: &BTreeMap<String, V>, pattern: &str) {
        let Ty::Table(max) = keys::known(pattern).ty else {
            panic!("`{pattern}` is not a table");
        };
        if map.len() > max {
            self.push(
                path,
                format!(
                    "`{path}` has {} entries: keep it to {max} at most",
                    map.len()
                ),
            );
        }
        for id in map.keys() {
            if let Some(wrong) = id_fault(id) {
                self.push(
                    format!("{path}.{id}"),
                    format!("`{path}` has the id {id:?}, {wrong}"),
                );
            }
            // A calibration's models are named in its file only: no
            // dotted path reaches them.
            if id.contains('.') && !path.starts_with("calibrate.") {
                self.push(
                    format!("{path}.{id}"),
                    format!(
                        "`{path}` has the id {id:?}, which holds a `.`: rename it without dots: --set and sweeps address it by a dotted path"
                    ),
                );
            }
        }
    }

    /// Each entry of the list at `path` once: a repeat changes nothing
    /// (a group counts a buyer once), so it is a slip for another entry
    /// that nothing else would show.
    fn listed_once<T: PartialEq + Display>(&mut self, path: &str, list: &[T]) {
        for (i, x) in list.iter().enumerate() {
            if list[..i].contains(x) {
                let p = format!("{path}[{i}]");
                self.push(&p, format!("`{p}`: `{x}` is listed twice; list each once"));
            }
        }
    }

    /// A quarter within [`YEAR_SPAN`].
    fn quarter(&mut self, path: &str, q: Quarter) {
        let (first, last) = YEAR_SPAN;
        if q.year() < first || q.year() > last {
            self.push(
                path,
                format!(
                    "`{path}` = \"{q}\" is out of range: must be a quarter from {first}Q1 to {last}Q4"
                ),
            );
        }
    }

    /// The EU membership of the buyer or country at `p`: it runs from
    /// `eu_since` (included) to `eu_until` (excluded), so `eu_until` must
    /// come after `eu_since`.
    fn eu_membership(&mut self, p: &str, since: Option<Quarter>, until: Option<Quarter>) {
        if let (None, Some(until)) = (since, until) {
            self.push(
                format!("{p}.eu_until"),
                format!(
                    "`{p}.eu_until` = \"{until}\" ends a membership that never begins (no `eu_since`): add `eu_since`, or remove `eu_until` for a country never a member"
                ),
            );
        }
        if let (Some(since), Some(until)) = (since, until)
            && until <= since
        {
            self.push_between(
                format!("{p}.eu_until"),
                vec![format!("{p}.eu_since")],
                format!(
                    "`{p}.eu_until` = \"{until}\" is not after `eu_since` = \"{since}\": membership runs from `eu_since` up to `eu_until` (excluded), so it would never begin; set `eu_until` after `eu_since`, or remove both for a country never a member"
                ),
            );
        }
    }

    /// `path` names `id`, which must be one of `ids`.
    fn reference(&mut self, path: &str, id: &str, ids: &Ids<'_>) {
        if !ids.contains(id) {
            self.push(
                path,
                dangling(path, id, ids.kind, &format!("`{}`", ids.table), &ids.names),
            );
        }
    }

    /// The key `id` of the table at `table` must be one of `ids`.
    fn key_reference(&mut self, table: &str, path: &str, id: &str, ids: &Ids<'_>) {
        if !ids.contains(id) {
            self.push_key(
                path,
                dangling_key(table, id, ids.kind, &format!("`{}`", ids.table), &ids.names),
            );
        }
    }

    /// A country id: a key of `countries` or of `buyers`.
    fn country(&mut self, path: &str, id: &str, countries: &Ids<'_>, buyers: &Ids<'_>) {
        if !countries.contains(id) && !buyers.contains(id) {
            let mut all = countries.names.clone();
            all.extend(buyers.names.iter().copied());
            self.push(
                path,
                dangling(path, id, "country", "`countries` or in `buyers`", &all),
            );
        }
    }

    /// A year series at `path` (key `pattern`): keys are years within
    /// [`YEAR_SPAN`], values in the span of `pattern.*`.
    fn series(&mut self, path: &str, series: &YearSeries, pattern: &str, required: bool) {
        if required && series.is_empty() {
            self.push(
                path,
                format!("`{path}` is empty: give at least one year, e.g. {{ 2014 = 1.0 }}"),
            );
        }
        let (first, last) = YEAR_SPAN;
        // One key for every year; a year's path is written only for a
        // message.
        self.pattern.clear();
        write!(self.pattern, "{pattern}.*").expect("writing to a String");
        let k = keys::known(&self.pattern);
        for (year, v) in series {
            let ok = year.len() == 4
                && year.bytes().all(|b| b.is_ascii_digit())
                && year
                    .parse::<i32>()
                    .is_ok_and(|y| (first..=last).contains(&y));
            if !ok {
                self.push_key(
                    format!("{path}.{year}"),
                    format!(
                        "`{path}` has key `{year}`, which is not a year: keys are years from {first} to {last}, such as 2014"
                    ),
                );
            }
            self.num_of(format_args!("{path}.{year}"), *v, k);
        }
    }

    fn non_empty<V>(&mut self, path: &str, map: &BTreeMap<String, V>, example: &str) {
        if map.is_empty() {
            self.push(
                path,
                format!("`{path}` is empty: define at least one, e.g. [{path}.{example}]"),
            );
        }
    }

    fn name(&mut self, name: &str) {
        self.text("name", name, "name");
        // Its length in characters and its control characters are the
        // text check's, said once: a name over MAX_NAME characters is not
        // also said to be over MAX_NAME_BYTES bytes (an ASCII name of 201
        // had both, the second with a limit it could never reach).
        let long = name.chars().count() > MAX_NAME;
        let why = shape_problem(name).or_else(|| bytes_problem(name).filter(|_| !long));
        if let Some(why) = why {
            self.push(
                "name",
                format!(
                    "`name` = {name:?} cannot name an output folder ({why}): letters, digits, spaces and punctuation are fine; no `/`, `\\`, control characters, leading `.`, trailing `.shards` or the form `shard-K-of-N`, at most {MAX_NAME} characters and {MAX_NAME_BYTES} bytes in UTF-8"
                ),
            );
        }
    }

    fn top(&mut self, s: &Scenario) {
        let regions = Ids::of("region", "regions", &s.regions);
        let categories = Ids::of("category", "categories", &s.categories);
        let countries = Ids::of("country", "countries", &s.countries);
        let buyers = Ids::of("buyer", "buyers", &s.buyers);
        let suppliers = Ids::of("supplier", "suppliers", &s.suppliers);

        // Each block of checks names the top-level tables it reads (those
        // whose ids it refers to included), so that a scenario changed only
        // in some tables is checked by the blocks that read them
        // ([`validate_touched`]).
        if let Some(name) = &s.name
            && self.reads(&["name"])
        {
            self.name(name);
        }
        if let Some(d) = &s.description
            && self.reads(&["description"])
        {
            self.text("description", d, "description");
        }
        if self.reads(&["replications"]) {
            self.num("replications", f64::from(s.replications), "replications");
        }
        if self.reads(&["start", "end"]) {
            self.quarter("start", s.start);
            self.quarter("end", s.end);
            if s.end < s.start {
                self.push_between(
                    "end",
                    vec!["start".into()],
                    format!(
                        "end `{}` is before start `{}`: set end to a quarter at or after start",
                        s.end, s.start
                    ),
                );
            } else if s.end.0 - s.start.0 + 1 > MAX_QUARTERS
                // A start out of range is said already; the latest end
                // from it would be out of range too.
                && (YEAR_SPAN.0..=YEAR_SPAN.1).contains(&s.start.year())
            {
                self.push_between(
                    "end",
                    vec!["start".into()],
                    format!(
                        "`end` = \"{}\" is {} quarters after `start` = \"{}\", {} quarters simulated: simulate at most {MAX_QUARTERS} quarters, to `end` = \"{}\" at the latest",
                        s.end,
                        s.end.0 - s.start.0,
                        s.start,
                        s.end.0 - s.start.0 + 1,
                        crate::model::Quarter(s.start.0 + MAX_QUARTERS - 1)
                    ),
                );
            }
        }

        // Outputs.
        if self.reads(&["outputs", "countries", "buyers"]) {
            self.listed_once("outputs.files", &s.outputs.files);
            self.country(
                "outputs.focus_country",
                &s.outputs.focus_country,
                &countries,
                &buyers,
            );
        }

        // Spending and market.
        if self.reads(&["spending"]) {
            self.fields(
                "spending",
                "spending",
                &[("adjust_speed", s.spending.adjust_speed)],
            );
        }
        if self.reads(&["market"]) {
            self.market(&s.market);
        }
        if self.reads(&["procedures"]) {
            self.procedures(&s.procedures);
        }
        if self.reads_or_entries(&["regions"], "regions") {
            self.regions(&s.regions);
        }
        if self.reads_or_entries(&["shocks", "regions"], "shocks") {
            self.shocks(&s.shocks, &regions);
        }
        if self.reads_or_entries(&["categories"], "categories") {
            self.categories(&s.categories);
        }
        if self.reads(&["countries", "buyers"]) {
            self.countries(&s.countries, &buyers);
        }
        if self.reads(&["preferences", "regions", "buyers"]) {
            self.preferences(&s.preferences, &regions, &buyers);
        }
        if self.reads(&["affinity", "buyers", "countries"]) {
            self.affinity(&s.affinity, &countries, &buyers);
        }
        let reads = ["buyers", "regions", "categories"];
        if self.reads_or_entries(&reads, "buyers") {
            self.entries("buyers", &s.buyers, "buyers");
            self.non_empty("buyers", &s.buyers, "POL");
            for (id, b) in &s.buyers {
                if self.reads_entry(&reads, "buyers", id) {
                    self.buyer(id, b, &regions, &categories);
                }
            }
        }
        let reads = ["suppliers", "categories", "countries", "buyers"];
        if self.reads_or_entries(&reads, "suppliers") {
            self.entries("suppliers", &s.suppliers, "suppliers");
            self.non_empty("suppliers", &s.suppliers, "hanwha");
            for (id, sup) in &s.suppliers {
                if self.reads_entry(&reads, "suppliers", id) {
                    self.supplier(id, sup, &categories, &countries, &buyers);
                }
            }
        }
        // Programmes read the suppliers' lines and the buyers' legacy
        // fleets, not their ids alone.
        let reads = ["programmes", "buyers", "suppliers", "start"];
        if self.reads_or_entries(&reads, "suppliers") || self.reads_or_entries(&reads, "buyers") {
            self.programmes(s, &buyers, &suppliers);
        }
        // Upgrade lines' lineages are read against the families of every
        // line and every fleet.
        let reads = ["suppliers", "buyers"];
        if self.reads_or_entries(&reads, "suppliers") || self.reads_or_entries(&reads, "buyers") {
            self.upgrade_lineages(s);
        }
        if self.reads(&[
            "events",
            "shocks",
            "regions",
            "categories",
            "countries",
            "buyers",
            "suppliers",
        ]) {
            let shocks = Ids::of("shock", "shocks", &s.shocks);
            self.entries("events", &s.events, "events");
            for (id, e) in &s.events {
                self.event(
                    id,
                    e,
                    &regions,
                    &categories,
                    &countries,
                    &buyers,
                    &suppliers,
                );
                if let Some(sh) = &e.shock {
                    self.reference(&format!("events.{id}.shock"), sh, &shocks);
                }
            }
        }
        // A consequence dated before its cause: moving a shock (`--set
        // shocks.invasion.quarter=...`, a sweep's point) does not move the
        // events tied to it. A shock of magnitude 0 drops them, so they
        // contradict nothing. It reads one shock entry's values, which a
        // sweep point may change alone.
        if self.reads_or_entries(&["events", "shocks"], "shocks") {
            for (id, e) in &s.events {
                if let Some(sh) = &e.shock
                    && let Some(shock) = s.shocks.get(sh)
                    && shock.magnitude > 0.0
                    && e.quarter < shock.quarter
                {
                    // Located at whichever of the two was changed: a
                    // shock moved by `--set` is where the problem came
                    // from (the message names the event).
                    self.push_between(
                        format!("events.{id}.quarter"),
                        vec![format!("shocks.{sh}.quarter"), format!("events.{id}.shock")],
                        format!(
                            "`events.{id}.quarter` = \"{}\" is before the quarter of its shock (`shocks.{sh}.quarter` = \"{}\"): an event tied to a shock is one of its consequences; date the event at or after the shock, or remove its `shock` key",
                            e.quarter, shock.quarter
                        ),
                    );
                }
            }
        }
        if self.reads(&["groups", "buyers"]) {
            self.groups(&s.groups, &buyers);
        }
        if self.reads(&["targets", "groups", "categories", "countries", "buyers"]) {
            let groups = Ids::of("group", "groups", &s.groups);
            self.entries("targets", &s.targets, "targets");
            for (id, t) in &s.targets {
                self.target(id, t, &categories, &countries, &buyers, &groups);
                // A buyer's share of its group's purchases: a buyer outside
                // the group is in none of them, and the share is 0 in
                // every run, whatever happens.
                if let (Metric::BuyerShare, Some(b), Some(g)) = (t.metric, &t.buyer, &t.group)
                    && let Some(group) = s.groups.get(g)
                    && s.buyers.contains_key(b)
                    && !group.buyers.contains(b)
                {
                    self.push_between(
                        format!("targets.{id}.buyer"),
                        vec![format!("targets.{id}.group")],
                        format!(
                            "`targets.{id}.buyer` = \"{b}\" is not in `group` = \"{g}\" ({}): a buyer_share is the buyer's share of its group's purchases, so it would be 0 in every run; name a buyer of the group, or add it to `groups.{g}.buyers`",
                            group.buyers.join(", ")
                        ),
                    );
                }
            }
        }
        // A window outside the simulated span would be scored on quarters
        // that never ran (a sum of 0, a share of nothing passing).
        if self.reads(&["targets", "start", "end"]) && s.start <= s.end {
            for (id, t) in &s.targets {
                let p = format!("targets.{id}");
                if t.from < s.start {
                    self.push_between(
                        format!("{p}.from"),
                        vec!["start".into()],
                        format!(
                            "`{p}.from` = \"{}\" is before `start` = \"{}\": a target is scored on simulated quarters only; move `from` to `start` or later, or start the run earlier",
                            t.from, s.start
                        ),
                    );
                }
                if t.to > s.end {
                    self.push_between(
                        format!("{p}.to"),
                        vec!["end".into()],
                        format!(
                            "`{p}.to` = \"{}\" is after `end` = \"{}\": a target is scored on simulated quarters only; move `to` to `end` or earlier, or end the run later",
                            t.to, s.end
                        ),
                    );
                }
            }
        }
        // A sweep's runs.csv names each target's columns after its id: an
        // id whose column is already one of the table's (`total` gives
        // `total_value`, the summary's) leaves a column named twice, and a
        // reader by name (`discover --where`, `sensitivity`) takes one
        // for the other. The table's own header says which are taken.
        if self.reads(&["targets", "start", "end"]) {
            self.target_columns(s);
        }
        if let Some(sw) = &s.sweep
            && self.reads(&["sweep"])
        {
            self.sweep(sw);
        }
        if let Some(c) = &s.calibrate
            && self.reads(&["calibrate", "sweep"])
        {
            if s.sweep.is_some() {
                self.push(
                    "calibrate",
                    "a file cannot both sweep and calibrate: put `[calibrate]` and `[sweep]` in separate files",
                );
            }
            self.calibrate(c);
        }
    }

    /// `market`: every value in range, the development split adding up to 1.
    fn market(&mut self, m: &Market) {
        self.fields(
            "market",
            "market",
            &[
                ("commitment_years", m.commitment_years),
                ("acceptable_lead", m.acceptable_lead),
                ("acceptable_lead_threat", m.acceptable_lead_threat),
                ("defer_quarters", f64::from(m.defer_quarters)),
                ("review_quarters", f64::from(m.review_quarters)),
                ("planning_horizon", m.planning_horizon),
                ("neighbour_weight", m.neighbour_weight),
                ("public_reputation", m.public_reputation),
                ("diversion_lead", f64::from(m.diversion_lead)),
                ("diversion_min_threat", m.diversion_min_threat),
                ("access_base", m.access_base),
                ("access_incumbent", m.access_incumbent),
                ("development_rate", m.development_rate),
                ("development_idle", m.development_idle),
                ("marketing_decay", m.marketing_decay),
                ("marketing_scale", m.marketing_scale),
                ("interop_rate", m.interop_rate),
                ("interop_scale", m.interop_scale),
                ("localisation_rate", m.localisation_rate),
                ("localisation_scale", m.localisation_scale),
            ],
        );
        for (i, v) in m.reliability_prior.iter().enumerate() {
            self.num(
                format_args!("market.reliability_prior[{i}]"),
                *v,
                "market.reliability_prior",
            );
        }
        for (i, v) in m.development_split.iter().enumerate() {
            self.num(
                format_args!("market.development_split[{i}]"),
                *v,
                "market.development_split",
            );
        }
        let split: f64 = m.development_split.iter().sum();
        if (split - 1.0).abs() > 1e-9 {
            self.push(
                "market.development_split",
                format!("`market.development_split` adds up to {}: the shares of marketing, interoperability and localisation must add up to 1", show(split)),
            );
        }
    }

    /// `procedures`: every value in range.
    fn procedures(&mut self, pr: &Procedures) {
        self.fields(
            "procedures",
            "procedures",
            &[
                ("competition_quarters", pr.competition_quarters),
                ("direct_quarters", pr.direct_quarters),
                ("framework_quarters", pr.framework_quarters),
                ("executive_interval", f64::from(pr.executive_interval)),
                ("framework_years", pr.framework_years),
                ("urgency", pr.urgency),
                ("spread", pr.spread),
            ],
        );
    }

    /// `regions`: at least one, each threat in range.
    fn regions(&mut self, regions: &BTreeMap<String, Region>) {
        self.entries("regions", regions, "regions");
        self.non_empty("regions", regions, "east");
        for (id, r) in regions {
            self.fields(
                &format!("regions.{id}"),
                "regions.*",
                &[("threat", r.threat)],
            );
        }
    }

    /// `shocks`: quarters and values in range, exposures of defined regions.
    fn shocks(&mut self, shocks: &BTreeMap<String, Shock>, regions: &Ids<'_>) {
        self.entries("shocks", shocks, "shocks");
        for (id, sh) in shocks {
            let p = format!("shocks.{id}");
            self.quarter(&format!("{p}.quarter"), sh.quarter);
            self.fields(
                &p,
                "shocks.*",
                &[("magnitude", sh.magnitude), ("decay", sh.decay)],
            );
            let ep = format!("{p}.exposure");
            self.entries(&ep, &sh.exposure, "shocks.*.exposure");
            for (region, v) in &sh.exposure {
                let rp = format!("{ep}.{region}");
                self.key_reference(&ep, &rp, region, regions);
                self.num(&rp, *v, "shocks.*.exposure.*");
            }
        }
    }

    /// `categories`: at least one, every value in range.
    fn categories(&mut self, categories: &BTreeMap<String, Category>) {
        self.entries("categories", categories, "categories");
        self.non_empty("categories", categories, "tank");
        for (id, c) in categories {
            self.fields(
                &format!("categories.{id}"),
                "categories.*",
                &[
                    ("ref_price", c.ref_price),
                    ("life_years", c.life_years),
                    ("legacy_retire_years", c.legacy_retire_years),
                    ("min_lot", f64::from(c.min_lot)),
                    ("threat_response", c.threat_response),
                    ("legacy_capability", c.legacy_capability),
                ],
            );
            if let Some(v) = c.replaced_capability {
                self.num(
                    format_args!("categories.{id}.replaced_capability"),
                    v,
                    "categories.*.replaced_capability",
                );
            }
        }
    }

    /// `countries`: names, values and quarters in range. An entry of a
    /// buyer's country gives its credit and export terms only: its name
    /// and EU membership are the buyer's, and would be ignored here.
    fn countries(&mut self, countries: &BTreeMap<String, Country>, buyers: &Ids<'_>) {
        self.entries("countries", countries, "countries");
        for (id, c) in countries {
            let p = format!("countries.{id}");
            if buyers.contains(id) {
                for (k, set) in [
                    ("name", c.name.is_some()),
                    ("eu_since", c.eu_since.is_some()),
                    ("eu_until", c.eu_until.is_some()),
                ] {
                    if set {
                        self.push(
                            format!("{p}.{k}"),
                            format!("`{id}` is a buyer, whose `{k}` is set in `[buyers.{id}]`, not here (where it would be ignored): move it there"),
                        );
                    }
                }
            }
            if let Some(name) = &c.name {
                self.text(&format!("{p}.name"), name, "countries.*.name");
            }
            self.fields(
                &p,
                "countries.*",
                &[
                    ("credit_share", c.credit_share),
                    ("credit_cap", c.credit_cap),
                    ("credit_repayment_years", c.credit_repayment_years),
                    ("export_ambition", c.export_ambition),
                ],
            );
            for (k, q) in [("eu_since", c.eu_since), ("eu_until", c.eu_until)] {
                if let Some(q) = q {
                    self.quarter(&format!("{p}.{k}"), q);
                }
            }
            // A buyer's are refused above, where they would be ignored.
            if !buyers.contains(id) {
                self.eu_membership(&p, c.eu_since, c.eu_until);
            }
        }
    }

    /// `preferences`: weights in range, overrides of defined regions and
    /// buyers.
    fn preferences(&mut self, prefs: &Preferences, regions: &Ids<'_>, buyers: &Ids<'_>) {
        self.fields(
            "preferences.default",
            "preferences.default",
            &weights(&prefs.default),
        );
        for (table, ids, map) in [
            ("regions", regions, &prefs.regions),
            ("buyers", buyers, &prefs.buyers),
        ] {
            let tp = format!("preferences.{table}");
            self.entries(&tp, map, &tp);
            for (id, o) in map {
                let p = format!("{tp}.{id}");
                self.key_reference(&tp, &p, id, ids);
                for (k, v) in overrides(o) {
                    if let Some(v) = v {
                        self.num(format_args!("{p}.{k}"), v, format_args!("{tp}.*.{k}"));
                    }
                }
            }
        }
    }

    /// `affinity`: rows of `default` or a buyer, columns of countries or
    /// buyers, values in range.
    fn affinity(
        &mut self,
        affinity: &BTreeMap<String, BTreeMap<String, f64>>,
        countries: &Ids<'_>,
        buyers: &Ids<'_>,
    ) {
        self.entries("affinity", affinity, "affinity");
        for (who, row) in affinity {
            let p = format!("affinity.{who}");
            if who != "default" && !buyers.contains(who) {
                let mut names = vec!["default"];
                names.extend(buyers.names.iter().copied());
                self.push_key(
                    &p,
                    dangling_key("affinity", who, "buyer", "`buyers` (or `default`)", &names),
                );
            }
            self.entries(&p, row, "affinity.*");
            for (country, v) in row {
                let cp = format!("{p}.{country}");
                if !countries.contains(country) && !buyers.contains(country) {
                    let mut all = countries.names.clone();
                    all.extend(buyers.names.iter().copied());
                    self.push_key(
                        &cp,
                        dangling_key(&p, country, "country", "`countries` or in `buyers`", &all),
                    );
                }
                self.num(&cp, *v, "affinity.*.*");
            }
        }
    }

    /// Upgrade lines: each upgrades a lineage, a family the scenario
    /// knows (a line's `family` or id, its own included, as an upgraded
    /// unit keeps its lineage for commonality; a fleet's `families` or
    /// `legacy_family`: the families the world numbers). A name that is
    /// none of them (a typo) ran as a line offered to no fleet. A known
    /// lineage no fleet of the category holds is left alone: a
    /// counterfactual fleet without it leaves its upgrade line idle, and
    /// no file with `base` can remove the line.
    fn upgrade_lineages(&mut self, s: &Scenario) {
        let known = |name: &str| {
            let mut lines = s.suppliers.values().flat_map(|sup| &sup.lines);
            let mut fleets = s.buyers.values().flat_map(|b| b.fleet.values());
            lines.any(|(lid, l)| l.family.as_deref().unwrap_or(lid) == name)
                || fleets.any(|f| {
                    f.legacy_family.as_deref() == Some(name) || f.families.contains_key(name)
                })
        };
        for (sid, sup) in &s.suppliers {
            for (lid, l) in &sup.lines {
                let Some(lineage) = l.upgrades.as_deref() else {
                    continue;
                };
                if known(lineage) {
                    continue;
                }
                // The lineages the line could mean: its category's first.
                let category = l.category.as_str();
                let mut ours: Vec<&str> = Vec::new();
                let mut all: Vec<&str> = Vec::new();
                for b in s.buyers.values() {
                    for (c, f) in &b.fleet {
                        if let Some(name) = f.legacy_family.as_deref() {
                            all.push(name);
                            if c == category {
                                ours.push(name);
                            }
                        }
                    }
                }
                for v in [&mut ours, &mut all] {
                    v.sort_unstable();
                    v.dedup();
                }
                let p = format!("suppliers.{sid}.lines.{lid}.upgrades");
                let mut msg = format!(
                    "`{p}` = \"{lineage}\" names no family of the scenario: an upgrade line upgrades the legacy units of a lineage, a fleet's `legacy_family` (`buyers.*.fleet.{category}.legacy_family`), and is offered only to fleets holding it, so it would sign nothing; name that lineage, or give a fleet its `legacy_family`"
                );
                let (names, which) = if ours.is_empty() {
                    (&all, "the fleets' legacy lineages".to_string())
                } else {
                    (&ours, format!("the legacy lineages of `{category}` fleets"))
                };
                suggest_among(
                    &mut msg,
                    lineage,
                    names,
                    &which,
                    "no fleet has a `legacy_family`",
                );
                // The lineage may have gone with a fleet, or a buyer, that
                // a `--set` replaced: located at what changed, the most
                // particular key first (of equally near places the first
                // is taken, and a file that writes any buyer writes
                // `buyers`).
                let buyers = || s.buyers.keys();
                let with = buyers()
                    .map(|b| format!("buyers.{b}.fleet.{category}.legacy_family"))
                    .chain(buyers().map(|b| format!("buyers.{b}.fleet.{category}")))
                    .chain(buyers().map(|b| format!("buyers.{b}.fleet")))
                    .chain(buyers().map(|b| format!("buyers.{b}")))
                    .chain(["buyers".to_string()])
                    .collect();
                self.push_between(p, with, msg);
            }
        }
    }

    /// Programmes in flight: contracts signed before the start, on a
    /// defined line; on an upgrade line, for legacy units of the lineage it
    /// upgrades that the buyer has (each upgrade programme reserves its
    /// units, so together they may reserve no more than the legacy fleet).
    fn programmes(&mut self, s: &Scenario, buyers: &Ids<'_>, suppliers: &Ids<'_>) {
        self.entries("programmes", &s.programmes, "programmes");
        // Legacy units reserved so far, by buyer and category.
        let mut reserved: BTreeMap<(&str, &str), u32> = BTreeMap::new();
        for (id, p) in &s.programmes {
            let pp = format!("programmes.{id}");
            self.reference(&format!("{pp}.buyer"), &p.buyer, buyers);
            self.reference(&format!("{pp}.supplier"), &p.supplier, suppliers);
            self.text(&format!("{pp}.line"), &p.line, "programmes.*.line");
            if let Some(sup) = s.suppliers.get(&p.supplier)
                && !sup.lines.contains_key(&p.line)
            {
                let names: Vec<&str> = sup.lines.keys().map(String::as_str).collect();
                let lp = format!("{pp}.line");
                let table = format!("`suppliers.{}.lines`", p.supplier);
                self.push(&lp, dangling(&lp, &p.line, "line", &table, &names));
            }
            let upgrade = s
                .suppliers
                .get(&p.supplier)
                .and_then(|sup| sup.lines.get(&p.line))
                .and_then(|line| Some((line.upgrades.as_deref()?, line.category.as_str())));
            if let (Some((lineage, category)), Some(buyer)) = (upgrade, s.buyers.get(&p.buyer)) {
                let fleet = buyer.fleet.get(category);
                let (legacy, family) =
                    fleet.map_or((0, None), |f| (f.legacy, f.legacy_family.as_deref()));
                let total = reserved.entry((&p.buyer, category)).or_insert(0);
                *total = total.saturating_add(p.units);
                let fleet_path = format!("buyers.{}.fleet.{category}", p.buyer);
                if family != Some(lineage) {
                    self.push_between(
                        format!("{pp}.line"),
                        vec![
                            format!("{pp}.buyer"),
                            format!("{fleet_path}.legacy_family"),
                            fleet_path.clone(),
                            format!("buyers.{}.fleet", p.buyer),
                        ],
                        format!(
                            "`{pp}` upgrades `{lineage}` units, but `buyers.{}.fleet.{category}` has {}: an upgrade programme needs legacy units of the lineage its line upgrades; set that fleet's `legacy_family`, or name another line",
                            p.buyer,
                            family.map_or("no `legacy_family`".to_string(), |f| format!("`legacy_family` = \"{f}\""))
                        ),
                    );
                } else if *total > legacy {
                    self.push_between(
                        format!("{pp}.units"),
                        vec![format!("{fleet_path}.legacy")],
                        format!(
                            "`{pp}.units`: upgrade programmes of `{}` in `{category}` take {} legacy units, more than the {legacy} its fleet has (`buyers.{}.fleet.{category}.legacy`): lower the units, or raise the legacy fleet",
                            p.buyer, *total, p.buyer
                        ),
                    );
                }
            }
            self.quarter(&format!("{pp}.signed"), p.signed);
            if p.signed >= s.start {
                self.push_between(
                    format!("{pp}.signed"),
                    vec!["start".into()],
                    format!("`{pp}.signed` = \"{}\" is not before `start` = \"{}\": a programme in flight was signed before the run; a later contract is the model's to make: start the run after the signing, or remove the programme", p.signed, s.start),
                );
            }
            let mut counts = vec![("units", f64::from(p.units))];
            if let Some(v) = p.value {
                counts.push(("value", v));
            }
            self.fields(&pp, "programmes.*", &counts);
            if let Some(src) = &p.source {
                self.text(&format!("{pp}.source"), src, "programmes.*.source");
            }
        }
    }

    /// `groups`: each of at least one defined buyer.
    fn groups(&mut self, groups: &BTreeMap<String, Group>, buyers: &Ids<'_>) {
        self.entries("groups", groups, "groups");
        for (id, g) in groups {
            let p = format!("groups.{id}");
            if g.buyers.is_empty() {
                self.push(
                    &p,
                    format!("`{p}.buyers` is empty: list at least one buyer"),
                );
            }
            for (i, b) in g.buyers.iter().enumerate() {
                self.reference(&format!("{p}.buyers[{i}]"), b, buyers);
            }
            self.listed_once(&format!("{p}.buyers"), &g.buyers);
        }
    }

    /// A calibration: its settings in range, at least one parameter, and
    /// each parameter's prior valid and within its key's range.
    fn calibrate(&mut self, c: &Calibrate) {
        let settings = [
            ("population", c.population as f64),
            ("generations", f64::from(c.generations)),
            ("replications", f64::from(c.replications)),
            ("quantile", c.quantile),
            ("min_tolerance", c.min_tolerance),
            ("min_acceptance", c.min_acceptance),
        ];
        self.fields("calibrate", "calibrate", &settings);
        if let Some(n) = c.max_simulations {
            self.num(
                "calibrate.max_simulations",
                n as f64,
                "calibrate.max_simulations",
            );
            // Generation 0 accepts at most one particle a simulation: a
            // smaller budget runs, completes nothing, and publishes no
            // result. Said only against a valid population, whose own error
            // comes first.
            let population = keys::known("calibrate.population");
            if n >= 1
                && (n as usize) < c.population
                && span_of(population).contains(c.population as f64)
            {
                self.push(
                    "calibrate.max_simulations",
                    format!(
                        "`calibrate.max_simulations` = {n} is below `calibrate.population` = {p}: generation 0 takes at least {p} simulations (one a particle, each of `replications` runs), so no generation could complete; set it to at least {p}, or leave it out for no limit",
                        p = c.population
                    ),
                );
            }
        }
        if let Some(m) = c.max_minutes {
            self.num("calibrate.max_minutes", m, "calibrate.max_minutes");
        }
        if let Some(n) = c.round_size {
            self.num("calibrate.round_size", n as f64, "calibrate.round_size");
        }
        self.entries("calibrate.models", &c.models, "calibrate.models");
        for (id, m) in &c.models {
            let p = format!("calibrate.models.{id}");
            // Ids are written into cells that already give these meanings.
            if id == "all" {
                self.push(
                    &p,
                    "a model named `all` would be told apart from the pooled rows of `predictive.csv` (every model together, named `all`) by nothing: name it otherwise",
                );
            } else if id.contains(';') {
                self.push(
                    &p,
                    format!("model id {id:?} holds `;`, which separates the models of `generations.csv`'s `dead_models` cell: remove it"),
                );
            }
            self.text(&format!("{p}.file"), &m.file, "calibrate.models.*.file");
            self.num(
                format_args!("{p}.probability"),
                m.probability,
                "calibrate.models.*.probability",
            );
        }
        if c.parameters.is_empty() {
            self.push(
                "calibrate.parameters",
                "`calibrate.parameters` is empty: name at least one dotted path to calibrate",
            );
        }
        let Ty::Table(max) = keys::known("calibrate.parameters").ty else {
            unreachable!("a table");
        };
        if c.parameters.len() > max {
            self.push(
                "calibrate.parameters",
                format!(
                    "`calibrate.parameters` has {} entries: calibrate at most {max} keys",
                    c.parameters.len()
                ),
            );
        }
        let models: Vec<&str> = c.models.keys().map(String::as_str).collect();
        for (path, cp) in &c.parameters {
            let pp = format!("calibrate.parameters.{path}");
            let head = crate::scenario::top_table(path);
            if FIXED_KEYS.contains(&head) || head == "calibrate" || head == "targets" {
                self.push(
                    &pp,
                    format!(
                        "`{pp}`: a calibration cannot vary `{head}` (it fixes the runs' identity, the targets or the shape of the output); calibrate model parameters instead"
                    ),
                );
                continue;
            }
            if self.spaced(&pp, path) {
                continue;
            }
            let Some(k) =
                keys::key(path).filter(|k| matches!(k.ty, Ty::Number(_) | Ty::Integer(_)))
            else {
                self.push(
                    &pp,
                    format!(
                        "`{pp}`: `{path}` is not a numeric key of the scenario format (docs/SCENARIO_FORMAT.md lists them)"
                    ),
                );
                continue;
            };
            self.prior(&pp, path, cp, k, &models);
        }
    }

    /// One calibration parameter's prior (at `pp`), for the key `k`.
    fn prior(
        &mut self,
        pp: &str,
        path: &str,
        cp: &super::schema::CalibrationParameter,
        k: &Key,
        models: &[&str],
    ) {
        let (lo, hi) = (cp.min, cp.max);
        self.num(format_args!("{pp}.min"), lo, "calibrate.parameters.*.min");
        self.num(format_args!("{pp}.max"), hi, "calibrate.parameters.*.max");
        if lo >= hi {
            self.push(
                format!("{pp}.max"),
                format!(
                    "`{pp}`: min {} is not below max {}; make `min` the lower end of the range",
                    show(lo),
                    show(hi)
                ),
            );
        }
        // A prior narrower than this (or a normal one with a smaller `sd`)
        // has a variance that rounds to 0, and the calibration failed
        // after its first generation ("proposal covariance is not positive
        // definite"), exit code 1: the rule of a target's tolerance.
        let least = PRIOR_LEAST_SPREAD * lo.abs().max(hi.abs()).max(1.0);
        if lo < hi && hi - lo < least {
            self.push(
                format!("{pp}.max"),
                format!(
                    "`{pp}`: the range from {} to {} is narrower than {}{TOO_NARROW}",
                    show(lo),
                    show(hi),
                    show(least)
                ),
            );
        }
        let integer = matches!(k.ty, Ty::Integer(_));
        for (end, x) in [("min", lo), ("max", hi)] {
            let value = if integer && x.fract() == 0.0 {
                toml::Value::Integer(x as i64)
            } else {
                toml::Value::Float(x)
            };
            self.swept_value(&format!("{pp}.{end}"), path, &value, k);
        }
        match cp.prior {
            PriorKind::LogUniform if lo <= 0.0 => self.push(
                format!("{pp}.min"),
                format!(
                    "`{pp}`: a log_uniform prior needs min > 0 (got {})",
                    show(lo)
                ),
            ),
            PriorKind::Normal => match (cp.mean, cp.sd) {
                (Some(mean), Some(sd)) => {
                    self.num(
                        format_args!("{pp}.mean"),
                        mean,
                        "calibrate.parameters.*.mean",
                    );
                    self.num(format_args!("{pp}.sd"), sd, "calibrate.parameters.*.sd");
                    if sd > 0.0 && sd < least {
                        self.push(
                            format!("{pp}.sd"),
                            format!(
                                "`{pp}.sd` = {} is below {}{TOO_NARROW}",
                                show(sd),
                                show(least)
                            ),
                        );
                    }
                }
                _ => self.push(pp, format!("`{pp}`: a normal prior needs `mean` and `sd`")),
            },
            _ => {}
        }
        if cp.prior != PriorKind::Normal && (cp.mean.is_some() || cp.sd.is_some()) {
            // At the key given (`mean` if both are).
            let key = if cp.mean.is_some() { "mean" } else { "sd" };
            self.push(
                format!("{pp}.{key}"),
                format!(
                    "`{pp}`: `mean` and `sd` belong to a normal prior, not a {} one; remove them, or write `prior = \"normal\"`",
                    cp.prior
                ),
            );
        }
        if let Some(t) = cp.truth {
            self.num(
                format_args!("{pp}.truth"),
                t,
                "calibrate.parameters.*.truth",
            );
            // Against an empty range only the range's own error is said.
            if lo < hi && (t < lo || t > hi) {
                self.push(
                    format!("{pp}.truth"),
                    format!(
                        "`{pp}.truth` = {} lies outside the prior's [{}, {}]",
                        show(t),
                        show(lo),
                        show(hi)
                    ),
                );
            }
        }
        if let Some(list) = &cp.models {
            if list.is_empty() {
                self.push(
                    format!("{pp}.models"),
                    format!(
                        "`{pp}.models` is empty: name at least one model, or leave it out for all"
                    ),
                );
            }
            for (i, m) in list.iter().enumerate() {
                if !models.contains(&m.as_str()) {
                    self.push(
                        format!("{pp}.models[{i}]"),
                        dangling(
                            &format!("{pp}.models[{i}]"),
                            m,
                            "model",
                            "calibrate.models",
                            models,
                        ),
                    );
                }
            }
            self.listed_once(&format!("{pp}.models"), list);
        }
    }

    fn sweep(&mut self, sw: &Sweep) {
        let p = "sweep";
        let design = sw.design;
        self.num(
            "sweep.replications",
            f64::from(sw.replications),
            "sweep.replications",
        );
        match (design, sw.points) {
            (DesignKind::Grid, Some(_)) => self.push(
                "sweep.points",
                "`sweep.points` does not apply to a grid (its points are the product of the parameters' values): remove it",
            ),
            (DesignKind::Morris, Some(_)) => self.push(
                "sweep.points",
                "`sweep.points` does not apply to a morris design: give `trajectories` (its points are trajectories x (parameters + 1))",
            ),
            (DesignKind::Grid | DesignKind::Morris, None) => {}
            (_, None) => self.push(
                p,
                format!("`sweep` ({design} design) needs `points`: how many design points to draw"),
            ),
            (_, Some(n)) => {
                self.num("sweep.points", n as f64, "sweep.points");
                let sobol = matches!(design, DesignKind::Sobol | DesignKind::Saltelli);
                // Out of range, the range alone is said; in range, only
                // the powers of two in range are named (not 1048576).
                let span = span_of(keys::known("sweep.points"));
                if sobol && span.contains(n as f64) && !n.is_power_of_two() {
                    let powers =
                        in_range("sweep.points", [n.next_power_of_two() / 2, n.next_power_of_two()]);
                    self.push(
                        "sweep.points",
                        format!(
                            "`sweep.points` = {n}: a {} design needs a power of two: use {}",
                            if design == DesignKind::Sobol {
                                "Sobol'"
                            } else {
                                "Saltelli"
                            },
                            powers
                        ),
                    );
                }
            }
        }
        self.sensitivity_design(sw);
        if sw.parameters.is_empty() {
            self.push(
                "sweep.parameters",
                "`sweep.parameters` is empty: name at least one dotted path to sweep",
            );
        }
        let Ty::Table(max) = keys::known("sweep.parameters").ty else {
            unreachable!("a table");
        };
        if sw.parameters.len() > max {
            self.push(
                "sweep.parameters",
                format!(
                    "`sweep.parameters` has {} entries: sweep at most {max} keys",
                    sw.parameters.len()
                ),
            );
        }
        for (path, sp) in &sw.parameters {
            let pp = format!("sweep.parameters.{path}");
            let head = crate::scenario::top_table(path);
            // `calibrate` describes another command's search, not a world
            // (it was refused as "no such key").
            if FIXED_KEYS.contains(&head) || head == "calibrate" {
                self.push(
                    &pp,
                    format!(
                        "`{pp}`: a sweep cannot vary `{head}` (it fixes the runs' identity, the shape of the output or another command's search); sweep model parameters instead"
                    ),
                );
                continue;
            }
            if self.spaced(&pp, path) {
                continue;
            }
            self.swept(&pp, path, sp, design);
        }
    }

    /// Refuses a swept or calibrated key path with spaces around its names
    /// (at `pp`), and says whether it did. The path is read with its names
    /// trimmed, so a spaced spelling is another entry of the table for the
    /// same key, and would otherwise be told it is no key at all.
    fn spaced(&mut self, pp: &str, path: &str) -> bool {
        if path.split('.').all(|seg| seg == seg.trim()) {
            return false;
        }
        let plain: Vec<&str> = path.split('.').map(str::trim).collect();
        self.push(
            pp,
            format!(
                "`{pp}`: a key path has no spaces around its names; write \"{}\"",
                plain.join(".")
            ),
        );
        true
    }

    /// The options of the saltelli and morris designs: each only with its
    /// design, and the design's size within [`MAX_POINTS`].
    fn sensitivity_design(&mut self, sw: &Sweep) {
        let design = sw.design;
        let dims = sw.parameters.len();
        let only = |key: &str, kind: &str| {
            format!("`sweep.{key}` applies only to a {kind} design, not to {design}: remove it")
        };
        if design != DesignKind::Saltelli {
            if sw.second_order.is_some() {
                self.push("sweep.second_order", only("second_order", "saltelli"));
            }
            if sw.scramble.is_some() {
                self.push("sweep.scramble", only("scramble", "saltelli"));
            }
        }
        if design != DesignKind::Morris {
            if sw.trajectories.is_some() {
                self.push("sweep.trajectories", only("trajectories", "morris"));
            }
            if sw.levels.is_some() {
                self.push("sweep.levels", only("levels", "morris"));
            }
        }
        match design {
            DesignKind::Saltelli => {
                let half = crate::sweep::sobol::SOBOL_MAX_DIMS / 2;
                if dims > half {
                    self.push(
                        "sweep.parameters",
                        format!(
                            "a saltelli design draws 2 x {dims} Sobol' dimensions: sweep at most {half} parameters"
                        ),
                    );
                }
                let block = if sw.second_order.unwrap_or(true) {
                    2 * dims + 2
                } else {
                    dims + 2
                };
                if let Some(n) = sw.points {
                    let total = n.saturating_mul(block);
                    if n >= 1 && total > MAX_POINTS {
                        self.push(
                            "sweep.points",
                            format!(
                                "`sweep.points` = {n} base rows give {total} points ({block} per row), more than {MAX_POINTS}: use fewer base rows"
                            ),
                        );
                    }
                }
            }
            DesignKind::Morris => {
                let Some(r) = sw.trajectories else {
                    self.push(
                        "sweep",
                        "`sweep` (morris design) needs `trajectories`: how many trajectories to draw",
                    );
                    return;
                };
                self.num("sweep.trajectories", r as f64, "sweep.trajectories");
                let total = r.saturating_mul(dims + 1);
                if r >= 2 && total > MAX_POINTS {
                    self.push(
                        "sweep.trajectories",
                        format!(
                            "`sweep.trajectories` = {r} gives {total} points ({} per trajectory), more than {MAX_POINTS}: use fewer trajectories",
                            dims + 1
                        ),
                    );
                }
                if let Some(p) = sw.levels {
                    self.num("sweep.levels", p as f64, "sweep.levels");
                    // Out of range, the range alone is said: an even
                    // neighbour of 1 or 1001 is out of range too.
                    let span = span_of(keys::known("sweep.levels"));
                    if p % 2 == 1 && span.contains(p as f64) {
                        let even = in_range("sweep.levels", [p - 1, p + 1]);
                        self.push(
                            "sweep.levels",
                            format!(
                                "`sweep.levels` = {p}: Morris levels must be even (so that every step of p/(2(p-1)) stays on the grid): use {}",
                                even
                            ),
                        );
                    }
                }
            }
            _ => {}
        }
    }

    /// One swept parameter: its values or range, and each value (each
    /// bound of a range) valid for the key it sets.
    fn swept(&mut self, pp: &str, path: &str, sp: &SweepParameter, design: DesignKind) {
        let range = sp.min.is_some() || sp.max.is_some();
        let target = keys::key(path);
        match (&sp.values, range) {
            (Some(v), false) => {
                if v.is_empty() {
                    self.push(
                        pp,
                        format!("`{pp}.values` is empty: list at least one value"),
                    );
                }
                if v.len() > MAX_VALUES {
                    self.push(
                        format!("{pp}.values"),
                        format!(
                            "`{pp}.values` lists {} values: list at most {MAX_VALUES}",
                            v.len()
                        ),
                    );
                }
                if sp.log || sp.integer {
                    self.push(
                        pp,
                        format!("`{pp}`: `log` and `integer` apply to ranges, not to `values`"),
                    );
                }
                if let Some(k) = target {
                    for (i, value) in v.iter().enumerate() {
                        self.swept_value(&format!("{pp}.values[{i}]"), path, value, k);
                    }
                }
                // A grid's value listed twice ran as two points of one
                // world (on other streams). Other designs draw from the
                // list, where a repeat weighs a value.
                if design == DesignKind::Grid {
                    let number = super::toml_number;
                    for (i, value) in v.iter().enumerate() {
                        let same = |w: &toml::Value| match (number(w), number(value)) {
                            (Some(a), Some(b)) => a == b,
                            _ => w == value,
                        };
                        if let Some(j) = v[..i].iter().position(same) {
                            self.push(
                                format!("{pp}.values[{i}]"),
                                format!(
                                    "`{pp}.values` lists {value} twice (values[{j}] and values[{i}]): a grid runs each value as one point; list it once, and raise `replications` for more runs of it"
                                ),
                            );
                        }
                    }
                }
            }
            (None, true) => {
                let (Some(lo), Some(hi)) = (sp.min, sp.max) else {
                    self.push(pp, format!("`{pp}` needs both `min` and `max`"));
                    return;
                };
                self.num(format_args!("{pp}.min"), lo, "sweep.parameters.*.min");
                self.num(format_args!("{pp}.max"), hi, "sweep.parameters.*.max");
                if lo > hi {
                    self.push(
                        format!("{pp}.max"),
                        format!("`{pp}`: min {lo} > max {hi}: swap them"),
                    );
                } else if lo == hi {
                    // Every point would take the one value: a design of
                    // that parameter alone ran one world as many points.
                    self.push(
                        format!("{pp}.max"),
                        format!(
                            "`{pp}`: min {lo} = max {hi}: a range needs min < max; for one value write `values = [{lo}]`, or leave the key to the scenario"
                        ),
                    );
                }
                if sp.log && lo <= 0.0 {
                    self.push(
                        format!("{pp}.min"),
                        format!("`{pp}`: a log range needs min > 0 (got {lo})"),
                    );
                }
                if sp.log && sp.integer {
                    self.push(pp, format!("`{pp}`: choose `log` or `integer`, not both"));
                }
                if sp.integer && (lo.fract() != 0.0 || hi.fract() != 0.0) {
                    self.push(
                        pp,
                        format!("`{pp}`: an integer range needs whole-number min and max"),
                    );
                }
                if design == DesignKind::Grid && !sp.integer {
                    self.push(
                        pp,
                        format!(
                            "`{pp}`: a grid needs `values` or an integer range (`integer = true`), not a continuous range"
                        ),
                    );
                }
                // Every value drawn lies between the bounds: both must be
                // valid for the key.
                if let Some(k) = target {
                    for (end, x) in [("min", lo), ("max", hi)] {
                        let value = if sp.integer {
                            toml::Value::Integer(x as i64)
                        } else {
                            toml::Value::Float(x)
                        };
                        self.swept_value(&format!("{pp}.{end}"), path, &value, k);
                    }
                }
            }
            (Some(_), true) => self.push(
                pp,
                format!("`{pp}`: give either `values` or `min`/`max`, not both"),
            ),
            (None, false) => self.push(
                pp,
                format!("`{pp}` needs `values = [...]` or `min` and `max`"),
            ),
        }
    }

    /// A value a sweep gives the key `path` (format key `k`), reported at
    /// `at` in the sweep table.
    fn swept_value(&mut self, at: &str, path: &str, value: &toml::Value, k: &Key) {
        let number = super::toml_number(value);
        let problem = match (k.ty, number) {
            (Ty::Number(span), Some(x)) | (Ty::Integer(span), Some(x)) => {
                let whole = !matches!(k.ty, Ty::Integer(_)) || x.fract() == 0.0;
                if !x.is_finite() || !span.contains(x) || !whole {
                    Some(format!(
                        "`{path}` = {} is out of range: must be {}{}{}",
                        show(x),
                        if whole { "" } else { "a whole number " },
                        span.rule(),
                        unit_note(k)
                    ))
                } else {
                    None
                }
            }
            (Ty::Number(_) | Ty::Integer(_), None) => {
                Some(format!("`{path}` takes a number, not {value}"))
            }
            // Every listed quarter, not only the extremes the sweep's setup
            // compiles: one in the middle of a long list failed as runs.
            (Ty::Quarter, None) => match value.as_str().map(str::parse::<Quarter>) {
                Some(Ok(_)) => None,
                Some(Err(e)) => Some(format!("`{path}` = {e}")),
                None => Some(format!(
                    "`{path}` takes a quarter such as \"2014Q1\", not {value}"
                )),
            },
            (_, Some(_)) if !matches!(k.ty, Ty::Any) => {
                Some(format!("`{path}` is not a number: list its values"))
            }
            _ => None,
        };
        if let Some(why) = problem {
            self.push(at, format!("`{at}`: {why}"));
        }
    }

    /// Refuse a target id whose columns of a sweep's `runs.csv`
    /// ([`crate::sweep::tables::runs_columns`]) repeat another column there.
    fn target_columns(&mut self, s: &Scenario) {
        use crate::sweep::tables::{CLOSING_COLUMNS, RUN_COLUMNS, runs_columns, target_columns};
        let summary = crate::output::tables::summary_columns(s.start.year(), s.end.year());
        let header = runs_columns(summary.clone(), s.targets.keys().map(String::as_str));
        for id in s.targets.keys() {
            let Some(column) = target_columns(id)
                .into_iter()
                .find(|c| header.iter().filter(|h| *h == c).count() > 1)
            else {
                continue;
            };
            let whose = if RUN_COLUMNS.contains(&column.as_str()) {
                "a column of the run's identity"
            } else if summary.contains(&column) {
                "a column of the run's summary"
            } else if CLOSING_COLUMNS.contains(&column.as_str()) {
                "the column over all targets"
            } else {
                "a column of another target"
            };
            self.push(
                format!("targets.{id}"),
                format!(
                    "`targets.{id}`: the id {id:?} gives a sweep's runs.csv the column `{column}`, which it already has ({whose}): `discover --where` and `sensitivity` would read one for the other; give the target a different id, e.g. \"{id}_target\""
                ),
            );
        }
    }

    fn target(
        &mut self,
        id: &str,
        t: &Target,
        categories: &Ids<'_>,
        countries: &Ids<'_>,
        buyers: &Ids<'_>,
        groups: &Ids<'_>,
    ) {
        let p = format!("targets.{id}");
        let metric = t.metric;
        self.text(&format!("{p}.pattern"), &t.pattern, "targets.*.pattern");
        if t.pattern.trim().is_empty() {
            self.push(
                format!("{p}.pattern"),
                format!(
                    "`{p}.pattern` = {:?} is empty: name the pattern the target belongs to, e.g. `pattern = \"P1\"`",
                    t.pattern
                ),
            );
        }
        if let Some(src) = &t.source {
            self.text(&format!("{p}.source"), src, "targets.*.source");
        }
        if let Some(c) = &t.supplier_country {
            self.country(&format!("{p}.supplier_country"), c, countries, buyers);
        } else if matches!(
            metric,
            Metric::Share | Metric::BuyerShare | Metric::DeliveredShare
        ) {
            self.push(
                &p,
                format!("`{p}` ({metric}) needs `supplier_country`: whose share it is"),
            );
        }
        if let Some(b) = &t.buyer {
            self.reference(&format!("{p}.buyer"), b, buyers);
        } else if metric == Metric::BuyerShare {
            self.push(
                &p,
                format!("`{p}` (buyer_share) needs `buyer`: whose share it is"),
            );
        }
        if let Some(g) = &t.group {
            self.reference(&format!("{p}.group"), g, groups);
        }
        if t.buyer.is_some() && t.group.is_some() && metric != Metric::BuyerShare {
            self.push_between(
                format!("{p}.group"),
                vec![format!("{p}.buyer")],
                format!("`{p}` sets both `buyer` and `group`: the scope is one buyer or one group; remove one"),
            );
        }
        for (i, c) in t.categories.iter().enumerate() {
            self.reference(&format!("{p}.categories[{i}]"), c, categories);
        }
        self.listed_once(&format!("{p}.categories"), &t.categories);
        self.quarter(&format!("{p}.from"), t.from);
        self.quarter(&format!("{p}.to"), t.to);
        if t.to < t.from {
            self.push_between(
                format!("{p}.to"),
                vec![format!("{p}.from")],
                format!(
                    "`{p}.to` = \"{}\" is before `from` = \"{}\": set `to` at or after `from`",
                    t.to, t.from
                ),
            );
        }
        self.num(
            format_args!("{p}.observed"),
            t.observed,
            "targets.*.observed",
        );
        // An observed value the metric cannot take can never pass (a
        // share of 1.5, a negative count). Checked only within the key's
        // range, which has said what is wrong with a value beyond it.
        let (lo, hi, domain, fix) = metric_domain(metric);
        if span_of(keys::known("targets.*.observed")).contains(t.observed)
            && !(lo..=hi).contains(&t.observed)
        {
            self.push_between(
                format!("{p}.observed"),
                vec![format!("{p}.metric")],
                format!(
                    "`{p}.observed` = {} is outside what `metric` = \"{metric}\" can take ({domain}): {fix}",
                    show(t.observed)
                ),
            );
        }
        let tol = &t.tolerance;
        let tp = format!("{p}.tolerance");
        let found: Vec<&str> = [
            ("abs", tol.abs.is_some()),
            ("rel", tol.rel.is_some()),
            ("range", tol.range.is_some()),
        ]
        .iter()
        .filter_map(|&(k, on)| on.then_some(k))
        .collect();
        match found.len() {
            1 => {}
            0 => self.push(
                &tp,
                format!("`{tp}` needs exactly one of `abs`, `rel` or `range` (found none)"),
            ),
            // Located at whichever of the keys was written last (a
            // `--set` of one, or the file nearest the one named), not at
            // the table the base file wrote.
            _ => self.push_between(
                &tp,
                found.iter().map(|k| format!("{tp}.{k}")).collect(),
                format!(
                    "`{tp}` needs exactly one of `abs`, `rel` or `range` (found {}){}",
                    found
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(" and "),
                    keep_one(&tp, "{ abs = X }")
                ),
            ),
        }
        if let Some(a) = tol.abs {
            self.num(format_args!("{tp}.abs"), a, "targets.*.tolerance.abs");
        }
        if let Some(r) = tol.rel {
            self.num(format_args!("{tp}.rel"), r, "targets.*.tolerance.rel");
        }
        // An interval of no width accepts the observed value alone: every
        // other value is infinitely far, which no distance can weigh. The
        // interval is the one the targets use, so that a tolerance too
        // small to move the observed value in floating point (abs = 1e-17
        // around 0.3) or one that makes distances overflow (abs = 5e-324)
        // is no width either: narrower than 1e-9 of the observed value's
        // size (and of 1), a distance could reach past f64.
        let width = if found.len() == 1 {
            let (lo, hi) = crate::analysis::targets::interval(t.observed, tol);
            hi - lo
        } else {
            f64::NAN
        };
        if width < MIN_TARGET_WIDTH * t.observed.abs().max(1.0) && width >= 0.0 {
            let why = if tol.rel.is_some() && t.observed == 0.0 {
                "a relative tolerance of an observed 0 accepts nothing else: give `abs` or `range`"
            } else {
                "widen it"
            };
            self.push_between(
                &tp,
                std::iter::once(format!("{p}.observed"))
                    .chain(found.iter().map(|k| format!("{tp}.{k}")))
                    .collect(),
                format!(
                    "`{tp}` gives an accepted interval of no width (under 1e-9 of the observed value, or of 1) around {}: {why}",
                    show(t.observed)
                ),
            );
        }
        if let Some([lo, hi]) = tol.range {
            self.num(format_args!("{tp}.range"), lo, "targets.*.tolerance.range");
            self.num(format_args!("{tp}.range"), hi, "targets.*.tolerance.range");
            if lo <= hi && !(lo..=hi).contains(&t.observed) {
                self.push_between(
                    format!("{tp}.range"),
                    vec![format!("{p}.observed")],
                    format!(
                        "`{tp}.range` = [{}, {}] does not contain the observed value {}: widen the range or correct `observed`",
                        show(lo),
                        show(hi),
                        show(t.observed)
                    ),
                );
            }
            if lo > hi {
                self.push(
                    format!("{tp}.range"),
                    format!("`{tp}.range` = [{lo}, {hi}] has lo > hi: write [low, high]"),
                );
            }
        }
    }

    fn buyer(&mut self, id: &str, b: &Buyer, regions: &Ids<'_>, categories: &Ids<'_>) {
        let p = format!("buyers.{id}");
        self.text(&format!("{p}.name"), &b.name, "buyers.*.name");
        self.reference(&format!("{p}.region"), &b.region, regions);
        for (k, q) in [
            ("nato_since", b.nato_since),
            ("eu_since", b.eu_since),
            ("eu_until", b.eu_until),
        ] {
            if let Some(q) = q {
                self.quarter(&format!("{p}.{k}"), q);
            }
        }
        self.eu_membership(&p, b.eu_since, b.eu_until);
        let pp = format!("{p}.procedure");
        self.entries(&pp, &b.procedure, "buyers.*.procedure");
        for q in b.procedure.keys() {
            let qp = format!("{pp}.{q}");
            match q.parse::<Quarter>() {
                Ok(q) => self.quarter(&qp, q),
                Err(e) => self.push(&qp, format!("`{qp}`: the key {e}")),
            }
        }
        self.fields(
            &p,
            "buyers.*",
            &[
                ("threat_exposure", b.threat_exposure),
                ("localisation_demand", b.localisation_demand),
                ("gdp_growth", b.gdp_growth),
                ("spending_base", b.spending_base),
                ("spending_threat", b.spending_threat),
                ("equipment_base", b.equipment_base),
                ("equipment_threat", b.equipment_threat),
            ],
        );
        self.series(&format!("{p}.gdp"), &b.gdp, "buyers.*.gdp", true);
        self.series(
            &format!("{p}.spending"),
            &b.spending,
            "buyers.*.spending",
            true,
        );
        self.series(
            &format!("{p}.equipment"),
            &b.equipment,
            "buyers.*.equipment",
            true,
        );
        let fp = format!("{p}.fleet");
        self.entries(&fp, &b.fleet, "buyers.*.fleet");
        for (cat, f) in &b.fleet {
            let fp = format!("{p}.fleet.{cat}");
            self.key_reference(&format!("{p}.fleet"), &fp, cat, categories);
            let mut counts = vec![
                ("units", f64::from(f.units)),
                ("legacy", f64::from(f.legacy)),
                ("replaced", f64::from(f.replaced)),
            ];
            for (k, v) in [
                ("required", f.required),
                ("legacy_capability", f.legacy_capability),
                ("legacy_retire_years", f.legacy_retire_years),
                ("replaced_retire_years", f.replaced_retire_years),
            ] {
                if let Some(v) = v {
                    counts.push((k, v));
                }
            }
            if let Some(l) = &f.legacy_family {
                self.text(
                    &format!("{fp}.legacy_family"),
                    l,
                    "buyers.*.fleet.*.legacy_family",
                );
            }
            self.fields(&fp, "buyers.*.fleet.*", &counts);
            let fam = format!("{fp}.families");
            self.entries(&fam, &f.families, "buyers.*.fleet.*.families");
            for (name, n) in &f.families {
                self.num(
                    format_args!("{fam}.{name}"),
                    f64::from(*n),
                    "buyers.*.fleet.*.families.*",
                );
            }
            if f.legacy > f.units {
                self.push_between(
                    format!("{fp}.legacy"),
                    vec![format!("{fp}.units")],
                    format!(
                        "`{fp}.legacy` = {} is more than `units` = {}: legacy units are part of the fleet",
                        f.legacy, f.units
                    ),
                );
            } else {
                let in_families: u64 = f.families.values().map(|&n| u64::from(n)).sum();
                let modern = u64::from(f.units - f.legacy);
                if in_families > modern {
                    self.push_between(
                        format!("{fp}.families"),
                        vec![format!("{fp}.units"), format!("{fp}.legacy")],
                        format!(
                            "`{fp}.families` add up to {in_families}, more than the {modern} modern units (`units` - `legacy`): lower the families' units, or raise `units` or lower `legacy`"
                        ),
                    );
                }
            }
        }
    }

    fn supplier(
        &mut self,
        id: &str,
        s: &Supplier,
        categories: &Ids<'_>,
        countries: &Ids<'_>,
        buyers: &Ids<'_>,
    ) {
        let p = format!("suppliers.{id}");
        self.text(&format!("{p}.name"), &s.name, "suppliers.*.name");
        self.country(&format!("{p}.country"), &s.country, countries, buyers);
        self.fields(
            &p,
            "suppliers.*",
            &[("cash", s.cash), ("margin", s.margin), ("markup", s.markup)],
        );
        for (table, ids, map) in [("buyers", buyers, &s.access.buyers)] {
            let tp = format!("{p}.access.{table}");
            self.entries(&tp, map, &format!("suppliers.*.access.{table}"));
            for (k, v) in map {
                let kp = format!("{tp}.{k}");
                self.key_reference(&tp, &kp, k, ids);
                self.num(&kp, *v, format_args!("suppliers.*.access.{table}.*"));
            }
        }
        let i = &s.invest;
        let ip = format!("{p}.invest");
        self.fields(
            &ip,
            "suppliers.*.invest",
            &[
                ("backlog_threshold", i.backlog_threshold),
                ("growth", i.growth),
                ("build_lag", f64::from(i.build_lag)),
                ("capex", i.capex),
            ],
        );

        let lp = format!("{p}.lines");
        if s.lines.is_empty() {
            self.push(
                &lp,
                format!("`{p}` has no product lines: add at least one [{p}.lines.ID]"),
            );
        }
        self.entries(&lp, &s.lines, "suppliers.*.lines");
        for (lid, l) in &s.lines {
            self.line(&format!("{p}.lines.{lid}"), l, categories);
        }
    }

    fn line(&mut self, p: &str, l: &Line, categories: &Ids<'_>) {
        let pattern = "suppliers.*.lines.*";
        self.reference(&format!("{p}.category"), &l.category, categories);
        if let Some(f) = &l.family {
            self.text(&format!("{p}.family"), f, "suppliers.*.lines.*.family");
        }
        let mut checks = vec![
            ("list_price", l.list_price),
            ("quality", l.quality),
            ("interoperability", l.interoperability),
            ("base_lead", f64::from(l.base_lead)),
            ("capacity", l.capacity),
            ("reliability", l.reliability),
            ("slip_share", l.slip_share),
            ("localisation", l.localisation),
            ("initial_backlog", f64::from(l.initial_backlog)),
            ("divertible_share", l.divertible_share),
            ("capability", l.capability),
        ];
        if let Some(v) = l.tiv {
            checks.push(("tiv", v));
        }
        if let Some(v) = l.life_years {
            checks.push(("life_years", v));
        }
        if let Some(v) = l.stock {
            checks.push(("stock", f64::from(v)));
        }
        self.fields(p, pattern, &checks);
        // At reliability 0 every quarter slips, and a slip holds back at
        // least one unit whenever the share is above 0 (docs/ODD.md 7.14):
        // the line would never deliver its last unit.
        if l.reliability == 0.0 && l.slip_share > 0.0 {
            self.push_between(
                format!("{p}.reliability"),
                vec![format!("{p}.slip_share")],
                format!(
                    "`{p}.reliability` = 0 must be above 0 when the line slips: `slip_share` = {} holds back at least one unit in every quarter that slips, and at reliability 0 every quarter slips, so the line never delivers its last unit; raise `reliability` above 0, or set `slip_share` = 0",
                    show(l.slip_share)
                ),
            );
        }
        if let Some(u) = &l.upgrades {
            self.text(&format!("{p}.upgrades"), u, "suppliers.*.lines.*.upgrades");
        }
        // Rules between two keys: located at the one the user changed.
        if l.stock.is_some() && l.upgrades.is_some() {
            self.push_between(
                format!("{p}.stock"),
                vec![format!("{p}.upgrades")],
                format!("`{p}` has both `stock` and `upgrades`: a line either sells used units from a stock or upgrades legacy units"),
            );
        }
        // A stock line has no production: what feeds or is taken from a
        // production line is refused at the key written, by name.
        if l.stock.is_some() {
            let production = [
                ("home_orders", !l.home_orders.is_empty()),
                ("initial_backlog", l.initial_backlog > 0),
                ("divertible_share", l.divertible_share > 0.0),
            ];
            for (key, given) in production {
                if given {
                    self.push_between(
                        format!("{p}.{key}"),
                        vec![format!("{p}.stock")],
                        format!("`{p}` is a stock line: it sells units already built, with no production to order, queue or divert from; remove `{key}` (or `stock`, for a production line)"),
                    );
                }
            }
        }
        if let Some(q) = l.available_from {
            self.quarter(&format!("{p}.available_from"), q);
        }
        let hp = format!("{p}.home_orders");
        self.series(
            &hp,
            &l.home_orders,
            "suppliers.*.lines.*.home_orders",
            false,
        );
    }

    #[allow(clippy::too_many_arguments)]
    fn event(
        &mut self,
        id: &str,
        e: &Event,
        regions: &Ids<'_>,
        categories: &Ids<'_>,
        countries: &Ids<'_>,
        buyers: &Ids<'_>,
        suppliers: &Ids<'_>,
    ) {
        let p = format!("events.{id}");
        self.quarter(&format!("{p}.quarter"), e.quarter);
        if let Some(n) = &e.note {
            self.text(&format!("{p}.note"), n, "events.*.note");
        }

        // References are checked whatever the kind.
        if let Some(b) = &e.buyer {
            self.reference(&format!("{p}.buyer"), b, buyers);
        }
        if let Some(r) = &e.region {
            self.reference(&format!("{p}.region"), r, regions);
        }
        if let Some(s) = &e.supplier {
            self.reference(&format!("{p}.supplier"), s, suppliers);
        }
        if let Some(c) = &e.country {
            self.country(&format!("{p}.country"), c, countries, buyers);
        }
        if let Some(c) = &e.category {
            self.reference(&format!("{p}.category"), c, categories);
        }
        if let Some(a) = e.amount {
            let ap = format!("{p}.amount");
            self.num(&ap, a, "events.*.amount");
            if e.kind == EventKind::CreditCap && a < 0.0 {
                self.push(
                    &ap,
                    format!("`{ap}` = {a} is out of range: a credit cap must be at least 0"),
                );
            }
        }
        if let Some(u) = e.units {
            self.num(format_args!("{p}.units"), f64::from(u), "events.*.units");
        }

        // Which fields each kind needs (required) and accepts (optional).
        let (required, optional): (&[&str], &[&str]) = match e.kind {
            EventKind::Donation => (&["buyer", "category", "units"], &[]),
            EventKind::Access => (&["amount"], &["supplier", "country", "buyer", "region"]),
            EventKind::Affinity => (&["country", "amount"], &["buyer"]),
            EventKind::CreditCap => (&["country", "amount"], &[]),
            EventKind::Requirement => (&["buyer", "category", "amount"], &[]),
        };
        let present = [
            ("buyer", e.buyer.is_some()),
            ("region", e.region.is_some()),
            ("supplier", e.supplier.is_some()),
            ("country", e.country.is_some()),
            ("category", e.category.is_some()),
            ("units", e.units.is_some()),
            ("amount", e.amount.is_some()),
        ];
        for (field, is_set) in present {
            // Which keys an event takes is its `kind`'s rule: located at
            // whichever of the two the user changed.
            let kind = vec![format!("{p}.kind")];
            if required.contains(&field) && !is_set {
                self.push_between(
                    &p,
                    kind,
                    format!(
                        "`{p}` is {} `{}` event and needs `{field}`",
                        article(e.kind.name()),
                        e.kind
                    ),
                );
            } else if is_set && !required.contains(&field) && !optional.contains(&field) {
                self.push_between(
                    format!("{p}.{field}"),
                    kind,
                    format!(
                        "`{p}.{field}` does not apply to {a} `{k}` event: remove it, or give the event of this kind a name of its own (a file with `base` cannot remove an inherited key; {a} `{k}` event takes {})",
                        required
                            .iter()
                            .chain(optional)
                            .map(|f| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", "),
                        a = article(e.kind.name()),
                        k = e.kind,
                    ),
                );
            }
        }
        if e.kind == EventKind::Access {
            if e.supplier.is_some() == e.country.is_some() {
                self.push_between(
                    &p,
                    vec![format!("{p}.supplier"), format!("{p}.country")],
                    format!(
                        "`{p}` is an `access` event and needs exactly one of `supplier` (one firm) or `country` (all its firms){}",
                        if e.supplier.is_some() {
                            keep_one(&p, "{ kind = \"access\", … }")
                        } else {
                            String::new()
                        }
                    ),
                );
            }
            if e.buyer.is_some() && e.region.is_some() {
                self.push_between(
                    format!("{p}.region"),
                    vec![format!("{p}.buyer")],
                    format!(
                        "`{p}` sets both `buyer` and `region`: an `access` event targets one buyer, one region, or (with neither) everywhere{}",
                        keep_one(&p, "{ kind = \"access\", … }")
                    ),
                );
            }
        }
    }
}

/// "a" or "an" before an event kind.
fn article(kind: &str) -> &'static str {
    if kind.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    }
}

/// "`path` names KIND `id`, which is not defined in TABLE; did you mean ...".
fn dangling(path: &str, id: &str, kind: &str, table: &str, names: &[&str]) -> String {
    let mut msg = format!("`{path}` names {kind} `{id}`, which is not defined in {table}");
    suggest(&mut msg, id, names);
    msg
}

/// Like [`dangling`], for a table key that must name an id.
fn dangling_key(table: &str, id: &str, kind: &str, defined_in: &str, names: &[&str]) -> String {
    let mut msg = format!(
        "`{table}` has key `{id}`, which names no {kind}: it is not defined in {defined_in}"
    );
    suggest(&mut msg, id, names);
    msg
}

/// What is wrong with the form of an entry's id, if anything (a dot,
/// which only some tables refuse, aside): each fault says its own rule,
/// as an id of spaces has 1 to 100 characters and no control character
/// and was told only that rule.
fn id_fault(id: &str) -> Option<String> {
    let n = id.chars().count();
    if id.trim().is_empty() {
        Some("which is empty or only spaces: name the entry".to_string())
    } else if n > MAX_NAME {
        Some(format!(
            "of {n} characters: an id has at most {MAX_NAME}; shorten it"
        ))
    } else if let Some(c) = id.chars().find(|c| c.is_control()) {
        Some(format!(
            "which holds the control character {:?}: remove it",
            c.escape_unicode().to_string()
        ))
    } else if id.trim() != id {
        Some(format!(
            "which starts or ends with a space: write it as {:?}",
            id.trim()
        ))
    } else {
        None
    }
}

/// Append what `id` may have meant among the ids `names` defines. An id
/// refused for its form (" west", an id with a dot) is not offered: the
/// user would be sent back to it. A reference to such an id written
/// well (`west`) is told where the refused one is, which is its fix.
fn suggest(msg: &mut String, id: &str, names: &[&str]) {
    let well_formed = |n: &&str| id_fault(n).is_none() && !n.contains('.');
    let written_as = |n: &&str| n.trim() == id || n.replace('.', "") == id;
    if let Some(refused) = names.iter().find(|n| !well_formed(n) && written_as(n)) {
        msg.push_str(&format!(
            "; the id written {refused:?} is refused (said at it): write it {id:?}"
        ));
        return;
    }
    let names: Vec<&str> = names.iter().copied().filter(well_formed).collect();
    suggest_among(msg, id, &names, "defined", "none are defined");
}

/// Append the name in `names` nearest `id`, if one is near, and the list
/// of `names` under `which` (`none` when there are none).
fn suggest_among(msg: &mut String, id: &str, names: &[&str], which: &str, none: &str) {
    if let Some(n) = nearest(id, names.iter().copied()) {
        msg.push_str(&format!("; did you mean `{n}`?"));
    }
    if names.is_empty() {
        msg.push_str(&format!(" ({none})"));
    } else {
        msg.push_str(&format!(" ({which}: {})", list_names(names)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::load::{Origin, SourceMap, apply_override};
    use toml::{Table, Value};

    const TOY: &str = include_str!("../../scenarios/toy.toml");

    /// Validate the toy scenario after setting each (dotted path, TOML value).
    fn check(sets: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut table: Table = TOY.parse().unwrap();
        let o = Origin::new("test", 1, 1);
        let mut sources = SourceMap::new(o.clone());
        for (path, v) in sets {
            let v: Value = v.parse().unwrap_or_else(|_| Value::String(v.to_string()));
            apply_override(&mut table, &mut sources, path, v, o.clone()).unwrap();
        }
        let s: Scenario = Value::Table(table).try_into().unwrap();
        validate(&s)
    }

    /// Validate after removing the dotted path.
    fn check_without(path: &str) -> Vec<(String, String)> {
        let mut table: Table = TOY.parse().unwrap();
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
        let mut t = &mut table;
        for seg in parent.split('.').filter(|s| !s.is_empty()) {
            t = t.get_mut(seg).unwrap().as_table_mut().unwrap();
        }
        t.remove(key).unwrap();
        let s: Scenario = Value::Table(table).try_into().unwrap();
        validate(&s)
    }

    /// Exactly one error, at `path`, whose message contains every `parts`.
    fn expect_one(errors: Vec<(String, String)>, path: &str, parts: &[&str]) {
        assert_eq!(errors.len(), 1, "{errors:#?}");
        assert_eq!(errors[0].0, path, "{errors:#?}");
        for p in parts {
            assert!(errors[0].1.contains(p), "{:?} lacks {p:?}", errors[0].1);
        }
    }

    #[test]
    fn toy_is_valid() {
        assert_eq!(check(&[]), vec![]);
    }

    #[test]
    fn two_tolerance_kinds_name_both_and_the_ways_out() {
        // What a file with `base` giving `abs` to a target whose base
        // gives `rel` ends with: the two kinds, merged.
        let tp = "targets.kor_value_2022.tolerance";
        expect_one(
            check(&[(&format!("{tp}.abs"), "500.0")]),
            tp,
            &[
                "(found `abs` and `rel`)",
                "change an inherited key in the base file",
                &format!("--set '{tp}={{ abs = X }}'"),
            ],
        );
        expect_one(check(&[(tp, "{}")]), tp, &["(found none)"]);
    }

    #[test]
    fn end_before_start() {
        expect_one(
            check(&[("start", "2013Q1"), ("end", "2012Q4")]),
            "end",
            &["end `2012Q4` is before start `2013Q1`: set end to a quarter at or after start"],
        );
        // One quarter is a span (the targets, in 2019-23, then lie outside it).
        let one = check(&[("start", "2013Q1"), ("end", "2013Q1")]);
        assert!(!one.is_empty() && one.iter().all(|(p, _)| p.starts_with("targets.")));
        // A programme in flight must be signed before the start.
        expect_one(
            check(&[("start", "2012Q1")]),
            "programmes.bbb_spg_2012.signed",
            &[
                "is not before `start`",
                "a later contract is the model's to make: start the run after the signing, or remove the programme",
            ],
        );
    }

    #[test]
    fn targets_lie_in_the_simulated_span() {
        // The toy runs 2014Q1-2023Q4; its targets end in 2022Q4 and 2023Q4.
        let short = check(&[("end", "2022Q4")]);
        let at: Vec<&str> = short.iter().map(|(p, _)| p.as_str()).collect();
        assert_eq!(
            at,
            [
                "targets.aaa_share_of_kor.to",
                "targets.kor_delivered_share.to",
                "targets.kor_lead_2022.to",
            ],
            "{short:?}"
        );
        assert!(short[0].1.contains(
            "`targets.aaa_share_of_kor.to` = \"2023Q4\" is after `end` = \"2022Q4\": a target is scored on simulated quarters only"
        ));
        expect_one(
            check(&[("start", "2019Q2"), ("programmes", "{}")]),
            "targets.kor_delivered_share.from",
            &["`targets.kor_delivered_share.from` = \"2019Q1\" is before `start` = \"2019Q2\""],
        );
        assert_eq!(check(&[("start", "2019Q1"), ("programmes", "{}")]), vec![]);
    }

    #[test]
    fn counts_and_required_collections() {
        expect_one(
            check(&[("replications", "0")]),
            "replications",
            &["must be between 1 and"],
        );
        expect_one(
            check(&[("market.defer_quarters", "0")]),
            "market.defer_quarters",
            &["must be between 1 and"],
        );
        expect_one(
            check(&[("categories.tank.min_lot", "0")]),
            "categories.tank.min_lot",
            &["must be between 1 and"],
        );
        expect_one(
            check(&[("suppliers.us_land.lines", "{}")]),
            "suppliers.us_land.lines",
            &["no product lines"],
        );
        let e = check(&[("buyers", "{}")]);
        assert!(
            e.iter()
                .any(|(p, m)| p == "buyers" && m.contains("`buyers` is empty")),
            "{e:#?}"
        );
        let e = check(&[("suppliers", "{}")]);
        assert!(
            e.iter()
                .any(|(p, m)| p == "suppliers" && m.contains("`suppliers` is empty")),
            "{e:#?}"
        );
        let e = check(&[("regions", "{}")]);
        assert!(e.iter().any(|(p, _)| p == "regions"), "{e:#?}");
        let e = check(&[("categories", "{}")]);
        assert!(e.iter().any(|(p, _)| p == "categories"), "{e:#?}");
    }

    #[test]
    fn ranges() {
        let line = "suppliers.korea_land.lines.k9";
        for (key, value, rule) in [
            ("reliability", "1.5", "must be between 0 and 1"),
            ("quality", "-0.1", "must be between 0 and 1"),
            ("interoperability", "2", "must be between 0 and 1"),
            ("localisation", "1.01", "must be between 0 and 1"),
            ("divertible_share", "-1", "must be between 0 and 1"),
            ("slip_share", "3", "must be between 0 and 1"),
            ("list_price", "0", "must be between 1e-6 and 10000"),
            ("list_price", "-9", "must be between 1e-6 and 10000"),
            ("capacity", "-3", "must be between 0 and"),
        ] {
            let path = format!("{line}.{key}");
            expect_one(
                check(&[(&path, value)]),
                &path,
                &[rule, &format!("`{path}` = ")],
            );
        }
        for (path, value, rule) in [
            ("suppliers.korea_land.margin", "1.2", "between 0 and 1"),
            ("suppliers.korea_land.cash", "-1", "between 0 and"),
            ("suppliers.korea_land.invest.capex", "-1", "between 0 and"),
            ("market.interop_scale", "0", "between 1e-6 and"),
            ("market.marketing_decay", "1.5", "between 0 and 1"),
            ("market.access_base", "-0.1", "between 0 and 1"),
            (
                "categories.tank.legacy_capability",
                "1.5",
                "between 0 and 1",
            ),
            ("procedures.urgency", "-1", "between 0 and"),
            ("procedures.spread", "2", "between 0 and 1"),
            (
                "suppliers.aaa_works.lines.t72_upgrade.capability",
                "2",
                "between 1e-6 and 1",
            ),
            ("suppliers.korea_land.invest.backlog_threshold", "0", "> 0"),
            ("market.public_reputation", "1.5", "between 0 and 1"),
            ("market.commitment_years", "0", "> 0"),
            ("market.acceptable_lead", "0", "> 0"),
            ("market.planning_horizon", "-1", "> 0"),
            ("market.reliability_prior[1]", "0", "> 0"),
            ("spending.adjust_speed", "2", "between 0 and 1"),
            ("shocks.invasion.decay", "1.1", "between 0 and 1"),
            ("shocks.invasion.exposure.east", "-1", "between 0 and"),
            ("categories.tank.ref_price", "0", "between 1e-6 and"),
            ("categories.tank.life_years", "0", "between 0.25 and"),
            (
                "categories.tank.legacy_retire_years",
                "0",
                "between 0.25 and",
            ),
            ("countries.KOR.credit_share", "1.5", "between 0 and 1"),
            (
                "countries.KOR.credit_repayment_years",
                "0.2",
                "between 0.25 and 200",
            ),
            ("buyers.AAA.localisation_demand", "1.5", "between 0 and 1"),
            ("buyers.AAA.gdp_growth", "-1", "> -1"),
            ("buyers.AAA.gdp.2018", "0", "> 0"),
            ("buyers.AAA.equipment.2018", "101", "between 0 and 100"),
            ("buyers.AAA.equipment_base", "-1", "between 0 and 100"),
            ("buyers.AAA.spending.2018", "-1", "between 0 and 100"),
            ("regions.east.threat", "-0.1", "between 0 and"),
        ] {
            let p = path.replace("[1]", "");
            let sets: Vec<(&str, &str)> = if path.ends_with("[1]") {
                vec![(p.as_str(), "[1.0, 0.0]")]
            } else {
                vec![(path, value)]
            };
            expect_one(check(&sets), path, &[rule]);
        }
    }

    #[test]
    fn non_finite_numbers_are_rejected() {
        expect_one(
            check(&[("regions.east.threat", "nan")]),
            "regions.east.threat",
            &["not a finite number"],
        );
        expect_one(
            check(&[("preferences.default.price", "inf")]),
            "preferences.default.price",
            &["not a finite number"],
        );
        expect_one(
            check(&[("affinity", "{ AAA = { KOR = -inf } }")]),
            "affinity.AAA.KOR",
            &["not a finite number"],
        );
    }

    #[test]
    fn year_series() {
        expect_one(
            check(&[("buyers.AAA.gdp", "{ 20x4 = 1.0 }")]),
            "buyers.AAA.gdp.20x4",
            &["not a year"],
        );
        expect_one(
            check(&[("buyers.AAA.spending", "{}")]),
            "buyers.AAA.spending",
            &["is empty"],
        );
        expect_one(
            check(&[(
                "suppliers.korea_land.lines.k9.home_orders",
                "{ 2014 = -1.0 }",
            )]),
            "suppliers.korea_land.lines.k9.home_orders.2014",
            &["between 0 and"],
        );
        assert_eq!(
            check(&[("suppliers.korea_land.lines.k9.home_orders", "{}")]),
            vec![]
        );
    }

    #[test]
    fn a_sweep_cannot_vary_what_fixes_the_runs() {
        for key in FIXED_KEYS.iter().chain(&["calibrate"]) {
            let sweep = format!(
                "{{ design = \"grid\", replications = 1, parameters = {{ \"{key}.x\" = {{ values = [1] }} }} }}"
            );
            let e = check(&[("sweep", &sweep)]);
            let path = format!("sweep.parameters.{key}.x");
            expect_one(e, &path, &[&format!("a sweep cannot vary `{key}`")]);
        }
    }

    #[test]
    fn a_table_listed_twice() {
        expect_one(
            check(&[("outputs.files", "[\"market\", \"market\"]")]),
            "outputs.files[1]",
            &["listed twice"],
        );
    }

    #[test]
    fn event_fields_per_kind() {
        let e = "events.aaa_donates_tanks";
        expect_one(
            check_without(&format!("{e}.units")),
            e,
            &["is a `donation` event and needs `units`"],
        );
        expect_one(
            check(&[(&format!("{e}.amount"), "1.0")]),
            &format!("{e}.amount"),
            &["does not apply to a `donation` event"],
        );
        let ok = [
            (
                "events.a",
                "{ kind = \"access\", quarter = \"2020Q1\", supplier = \"korea_land\", region = \"east\", amount = 1.0 }",
            ),
            (
                "events.b",
                "{ kind = \"access\", quarter = \"2020Q1\", country = \"KOR\", amount = 1.0 }",
            ),
            (
                "events.c",
                "{ kind = \"affinity\", quarter = \"2020Q1\", country = \"KOR\", buyer = \"AAA\", amount = 0.1 }",
            ),
            (
                "events.d",
                "{ kind = \"credit_cap\", quarter = \"2020Q1\", country = \"KOR\", amount = 5000.0 }",
            ),
        ];
        assert_eq!(check(&ok), vec![]);
        expect_one(
            check(&[(
                "events.a",
                "{ kind = \"access\", quarter = \"2020Q1\", amount = 1.0 }",
            )]),
            "events.a",
            &["exactly one of `supplier`"],
        );
        expect_one(
            check(&[(
                "events.a",
                "{ kind = \"access\", quarter = \"2020Q1\", country = \"KOR\", buyer = \"AAA\", region = \"east\", amount = 1.0 }",
            )]),
            "events.a.region",
            &["both `buyer` and `region`"],
        );
        expect_one(
            check(&[(
                "events.d",
                "{ kind = \"credit_cap\", quarter = \"2020Q1\", country = \"KOR\" }",
            )]),
            "events.d",
            &["is a `credit_cap` event and needs `amount`"],
        );
        expect_one(
            check(&[(
                "events.d",
                "{ kind = \"credit_cap\", quarter = \"2020Q1\", country = \"KOR\", amount = -1.0 }",
            )]),
            "events.d.amount",
            &["a credit cap must be at least 0"],
        );
        expect_one(
            check(&[(
                "events.c",
                "{ kind = \"affinity\", quarter = \"2020Q1\", country = \"KOR\", region = \"east\", amount = 0.1 }",
            )]),
            "events.c.region",
            &["does not apply to an `affinity` event"],
        );
    }

    #[test]
    fn dangling_references() {
        for (set, value, path, parts) in [
            (
                "buyers.AAA.region",
                "eastflank",
                "buyers.AAA.region",
                &[
                    "names region `eastflank`, which is not defined in `regions`",
                    "did you mean `east`?",
                    "defined: east, west",
                ][..],
            ),
            (
                "shocks.invasion.exposure",
                "{ eest = 1.0 }",
                "shocks.invasion.exposure.eest",
                &[
                    "`shocks.invasion.exposure` has key `eest`",
                    "did you mean `east`?",
                ],
            ),
            (
                "suppliers.us_land.lines.abrams.category",
                "tankk",
                "suppliers.us_land.lines.abrams.category",
                &["names category `tankk`", "did you mean `tank`?"],
            ),
            (
                "buyers.CCC.fleet.tnk",
                "{ units = 3 }",
                "buyers.CCC.fleet.tnk",
                &["has key `tnk`", "category"],
            ),
            (
                "suppliers.us_land.country",
                "US",
                "suppliers.us_land.country",
                &[
                    "names country `US`",
                    "`countries` or in `buyers`",
                    "did you mean `USA`?",
                ],
            ),
            (
                "outputs.focus_country",
                "ZZZ",
                "outputs.focus_country",
                &["names country `ZZZ`"],
            ),
            (
                "suppliers.us_land.access",
                "{ buyers = { DDD = 0.5 } }",
                "suppliers.us_land.access.buyers.DDD",
                &["names no buyer"],
            ),
            (
                "programmes.bbb_spg_2012.line",
                "\"k9x\"",
                "programmes.bbb_spg_2012.line",
                &["names line `k9x`", "`suppliers.german_land.lines`"],
            ),
            (
                "preferences.regions.south",
                "{ price = 1.0 }",
                "preferences.regions.south",
                &["names no region"],
            ),
            (
                "preferences.buyers",
                "{ AAB = { price = 1.0 } }",
                "preferences.buyers.AAB",
                &["names no buyer", "did you mean `AAA`?"],
            ),
            (
                "affinity",
                "{ AAA = { ZZZ = 0.5 } }",
                "affinity.AAA.ZZZ",
                &["`affinity.AAA` has key `ZZZ`, which names no country"],
            ),
            (
                "affinity",
                "{ XXX = { KOR = 0.5 } }",
                "affinity.XXX",
                &["`affinity` has key `XXX`, which names no buyer"],
            ),
            // A buyer_share of a buyer outside its group is 0 in every
            // run, located at the key changed.
            (
                "targets.aaa_share_of_kor.buyer",
                "\"CCC\"",
                "targets.aaa_share_of_kor.buyer",
                &[
                    "`targets.aaa_share_of_kor.buyer` = \"CCC\" is not in `group` = \"east\" (AAA, BBB): a buyer_share is the buyer's share of its group's purchases, so it would be 0 in every run",
                ],
            ),
            (
                "groups.east.buyers",
                "[\"BBB\"]",
                "targets.aaa_share_of_kor.buyer",
                &["`targets.aaa_share_of_kor.buyer` = \"AAA\" is not in `group` = \"east\" (BBB)"],
            ),
            (
                "events.aaa_donates_tanks.buyer",
                "AAX",
                "events.aaa_donates_tanks.buyer",
                &["names buyer `AAX`"],
            ),
            (
                "events.aaa_donates_tanks.category",
                "spgg",
                "events.aaa_donates_tanks.category",
                &["names category `spgg`"],
            ),
            // An upgrade line's lineage is a family of the scenario, and
            // the line is offered only to fleets holding it as their
            // `legacy_family`.
            (
                "suppliers.aaa_works.lines.t72_upgrade.upgrades",
                "t73",
                "suppliers.aaa_works.lines.t72_upgrade.upgrades",
                &["did you mean `t72`?"],
            ),
            (
                "suppliers.aaa_works.lines.t72_upgrade.upgrades",
                "t27",
                "suppliers.aaa_works.lines.t72_upgrade.upgrades",
                &[
                    "`suppliers.aaa_works.lines.t72_upgrade.upgrades` = \"t27\" names no family of the scenario",
                    "so it would sign nothing",
                    "(the legacy lineages of `tank` fleets: t72)",
                ],
            ),
            (
                "buyers.AAA.fleet.tank.legacy_family",
                "t80",
                "suppliers.aaa_works.lines.t72_upgrade.upgrades",
                &[
                    "= \"t72\" names no family",
                    "(the legacy lineages of `tank` fleets: t80)",
                ],
            ),
        ] {
            expect_one(check(&[(set, value)]), path, parts);
        }
        assert_eq!(
            check(&[("affinity", "{ default = { KOR = 0.5, AAA = 0.1 } }")]),
            vec![]
        );
        // A known family no fleet of the line's category holds leaves the
        // line idle, as a counterfactual fleet may: not refused.
        for lineage in ["leopard2", "t72m"] {
            assert_eq!(
                check(&[("suppliers.aaa_works.lines.t72_upgrade.upgrades", lineage)]),
                vec![],
                "{lineage}"
            );
        }
        expect_one(
            check(&[(
                "events.a",
                "{ kind = \"access\", quarter = \"2020Q1\", supplier = \"korea_land\", region = \"easy\", amount = 1.0 }",
            )]),
            "events.a.region",
            &["names region `easy`"],
        );
    }

    #[test]
    fn an_empty_target_pattern_is_refused() {
        for empty in ["\"\"", "\"  \""] {
            expect_one(
                check(&[("targets.kor_value_2022.pattern", empty)]),
                "targets.kor_value_2022.pattern",
                &["is empty", "e.g. `pattern = \"P1\"`"],
            );
        }
    }

    #[test]
    fn eu_membership_ends_after_it_begins() {
        // AAA joined in 2004Q2.
        for until in ["2000Q1", "2004Q2"] {
            expect_one(
                check(&[("buyers.AAA.eu_until", until)]),
                "buyers.AAA.eu_until",
                &[
                    &format!(
                        "`buyers.AAA.eu_until` = \"{until}\" is not after `eu_since` = \"2004Q2\""
                    ),
                    "set `eu_until` after `eu_since`",
                ],
            );
        }
        assert_eq!(check(&[("buyers.AAA.eu_until", "2004Q3")]), vec![]);
        expect_one(
            check(&[("countries.KOR.eu_until", "2009Q4")]),
            "countries.KOR.eu_until",
            &["ends a membership that never begins (no `eu_since`)"],
        );
        expect_one(
            check(&[
                ("countries.KOR.eu_since", "2010Q1"),
                ("countries.KOR.eu_until", "2009Q4"),
            ]),
            "countries.KOR.eu_until",
            &["is not after `eu_since` = \"2010Q1\""],
        );
    }

    #[test]
    fn a_buyer_s_country_entry_holds_credit_terms_only() {
        // AAA is a buyer: its credit terms may be given under `countries`,
        // its name and EU membership (which the world takes from
        // `buyers.AAA`) may not.
        assert_eq!(
            check(&[("countries.AAA", "{ credit_share = 0.3 }")]),
            vec![]
        );
        for (k, v) in [
            ("name", "\"A\""),
            ("eu_since", "\"2004Q2\""),
            ("eu_until", "\"2030Q1\""),
        ] {
            expect_one(
                check(&[("countries.AAA", &format!("{{ {k} = {v} }}"))]),
                &format!("countries.AAA.{k}"),
                &["`AAA` is a buyer", "set in `[buyers.AAA]`"],
            );
        }
    }

    /// Validate the scenario `text`.
    fn check_text(text: &str) -> Vec<(String, String)> {
        let table: Table = text.parse().unwrap();
        let s: Scenario = Value::Table(table).try_into().unwrap();
        validate(&s)
    }

    #[test]
    fn an_id_with_a_dot_is_refused() {
        // --set and sweeps split paths on `.`: no path reaches such an id.
        for (text, path) in [
            (
                format!("{TOY}\n[regions.\"north.east\"]\nthreat = 0.1\n"),
                "regions.north.east",
            ),
            (
                format!("{TOY}\n[groups.\"east.v2\"]\nbuyers = [\"AAA\"]\n"),
                "groups.east.v2",
            ),
            (
                TOY.replacen(
                    "families = { leopard2 = 150 }",
                    "families = { \"leopard2.a4\" = 150 }",
                    1,
                ),
                "buyers.AAA.fleet.tank.families.leopard2.a4",
            ),
        ] {
            expect_one(
                check_text(&text),
                path,
                &[
                    "holds a `.`",
                    "rename it without dots: --set and sweeps address it by a dotted path",
                ],
            );
        }
        assert_eq!(check_text(TOY), vec![]);
    }

    #[test]
    fn fleets() {
        expect_one(
            check(&[("buyers.AAA.fleet.tank.legacy", "700")]),
            "buyers.AAA.fleet.tank.legacy",
            &["more than `units` = 600"],
        );
        expect_one(
            check(&[(
                "buyers.AAA.fleet.tank.families",
                "{ leopard2 = 100, k2 = 51 }",
            )]),
            "buyers.AAA.fleet.tank.families",
            &["add up to 151, more than the 150 modern units"],
        );
    }

    #[test]
    fn name_must_be_a_folder_name() {
        expect_one(
            check(&[("name", "../x")]),
            "name",
            &["cannot name an output folder"],
        );
        expect_one(
            check(&[("name", "\"\"")]),
            "name",
            &["cannot name an output folder"],
        );
        // Hidden, it could be another result's lock file (`.toy.lock`).
        expect_one(
            check(&[("name", "\".toy.lock\"")]),
            "name",
            &["starts with `.`"],
        );
        let long = "x".repeat(101);
        expect_one(check(&[("name", &long)]), "name", &["101 characters long"]);
        // Over both limits: one error, the characters' (the limit an
        // ASCII name meets first), not also "at most 200 bytes".
        let longer = format!("\"{}\"", "x".repeat(201));
        expect_one(
            check(&[("name", &longer)]),
            "name",
            &["201 characters long: it may be at most 100 characters"],
        );
        // Within the characters, over the bytes (three bytes each).
        let wide = format!("\"{}\"", "€".repeat(67));
        expect_one(
            check(&[("name", &wide)]),
            "name",
            &[
                "it takes 201 bytes in UTF-8, more than 200",
                "at most 100 characters and 200 bytes",
            ],
        );
        // A sweep named `s.shards` held sweep `s`'s shards in its result,
        // and running it again deleted them.
        expect_one(
            check(&[("name", "\"s.shards\"")]),
            "name",
            &[
                "it ends in `.shards`: `s.shards` would be the folder sweep `s` writes its shards to",
            ],
        );
        assert_eq!(check(&[("name", "toy-2_b")]), vec![]);
        assert_eq!(check(&[("name", "\"shards\"")]), vec![]);
    }

    #[test]
    fn every_error_is_reported() {
        let e = check(&[
            ("replications", "0"),
            ("spending.adjust_speed", "2.0"),
            ("buyers.AAA.region", "y"),
        ]);
        assert_eq!(e.len(), 3, "{e:#?}");
    }

    /// Every leaf of `v` under `path`, a segment per key or index.
    fn leaves(v: &Value, path: &mut Vec<String>, out: &mut Vec<(Vec<String>, Value)>) {
        match v {
            Value::Table(t) => {
                for (k, x) in t {
                    path.push(k.clone());
                    leaves(x, path, out);
                    path.pop();
                }
            }
            Value::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    path.push(i.to_string());
                    leaves(x, path, out);
                    path.pop();
                }
            }
            leaf => out.push((path.clone(), leaf.clone())),
        }
    }

    /// The value at `path` in `t`.
    fn at<'a>(t: &'a mut Table, path: &[String]) -> &'a mut Value {
        let mut v = t.get_mut(&path[0]).unwrap();
        for seg in &path[1..] {
            v = match v {
                Value::Table(t) => t.get_mut(seg).unwrap(),
                Value::Array(a) => &mut a[seg.parse::<usize>().unwrap()],
                _ => unreachable!("a leaf has nothing below it"),
            };
        }
        v
    }

    /// Checking only the readers of the changed tables finds every problem
    /// checking everything finds, on the shipped worlds changed one value
    /// or one entry at a time: every number set out of range both ways,
    /// every quarter moved 12 years either way, every other text set to an
    /// id nothing defines, every entry of every table removed. The changes that break nothing compare too (both empty).
    /// A value inside an entry of one of [`ENTRY_TABLES`], and an entry of
    /// one of its tables removed, are also checked as a change to that
    /// entry alone.
    #[test]
    fn checking_the_readers_of_the_changed_tables_finds_every_problem() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut compared = 0;
        let mut found = 0;
        let mut entries = 0;
        let mut counted = 0;
        // Every value of the toy world; every tenth of the larger ones (each
        // change reads a whole scenario twice).
        for (file, every) in [
            ("scenarios/toy.toml", 1),
            ("scenarios/europe.toml", 10),
            ("scenarios/hypotheses/strategic.toml", 10),
        ] {
            let (base, _) = crate::scenario::load_table(&root.join(file)).unwrap();
            let mut all = Vec::new();
            leaves(&Value::Table(base.clone()), &mut Vec::new(), &mut all);
            let mut changed: Vec<(String, Option<String>, Table)> = Vec::new();
            for (path, leaf) in all.iter().step_by(every) {
                let wrong = match leaf {
                    Value::Integer(_) => vec![Value::Integer(-1), Value::Integer(1 << 40)],
                    Value::Float(_) => vec![Value::Float(-1e9), Value::Float(1e12)],
                    // A quarter also moves 12 years either way (a start
                    // after a programme's signing, a shock after the end).
                    Value::String(text) => match text.parse::<Quarter>() {
                        Ok(q) => [-48, 48]
                            .map(|n| Value::String(q.plus(n).to_string()))
                            .to_vec(),
                        Err(_) => vec![Value::String("nowhere".into())],
                    },
                    _ => vec![],
                };
                let entry = (path.len() >= 3 && ENTRY_TABLES.contains(&path[0].as_str()))
                    .then(|| path[1].clone());
                for w in wrong {
                    let mut t = base.clone();
                    *at(&mut t, path) = w;
                    changed.push((path[0].clone(), entry.clone(), t));
                }
            }
            for (top, v) in &base {
                if let Value::Table(entries) = v {
                    for id in entries.keys() {
                        let mut t = base.clone();
                        t[top].as_table_mut().unwrap().remove(id);
                        changed.push((top.clone(), None, t));
                    }
                }
            }
            // Within an entry of a map of entries, every entry of its
            // tables removed (a line, a fleet, an access, an exposure): most
            // break no rule, so they are not counted in `found`.
            let first_removal = changed.len();
            for top in ENTRY_TABLES {
                let Some(entries) = base.get(top).and_then(Value::as_table) else {
                    continue;
                };
                for (id, entry) in entries {
                    for (k, v) in entry.as_table().unwrap() {
                        let Value::Table(inner) = v else { continue };
                        for key in inner.keys() {
                            let mut t = base.clone();
                            let e = t[top][id.as_str()].as_table_mut().unwrap();
                            e[k.as_str()].as_table_mut().unwrap().remove(key);
                            changed.push((top.into(), Some(id.clone()), t));
                        }
                    }
                }
            }
            for (i, (top, entry, t)) in changed.into_iter().enumerate() {
                // A change that does not read as a scenario fails before
                // any check.
                let Ok(sc) = Value::Table(t).try_into::<Scenario>() else {
                    continue;
                };
                let whole = validate(&sc);
                assert_eq!(
                    validate_touched(&sc, std::slice::from_ref(&top), &[]),
                    whole,
                    "{file}: a change to `{top}`"
                );
                // A value inside an entry of a map of entries: that entry
                // alone.
                if let Some(entry) = entry {
                    assert_eq!(
                        validate_touched(&sc, &[], &[(top.as_str(), entry.as_str())]),
                        whole,
                        "{file}: a change to `{top}.{entry}`"
                    );
                    entries += 1;
                }
                compared += 1;
                if i < first_removal {
                    counted += 1;
                    found += usize::from(!whole.is_empty());
                }
            }
        }
        // The corpus is no toy: most changes break a rule.
        assert!(
            counted > 1000 && found > counted / 2 && entries > compared / 4,
            "{compared} compared, {found} of {counted} with problems, {entries} in an entry"
        );
    }
}

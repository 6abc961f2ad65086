//! Reading a scenario: TOML text, `base` inheritance, overrides, then
//! deserialization and validation, with every error located in its file.
//!
//! The steps are exposed separately so that a parameter sweep can read and
//! resolve the files once ([`load_table`]) and then, per design point, apply
//! its overrides ([`apply_override`]) and [`finish`] a cheap copy of the
//! table, without touching the disk again. [`load`] and [`load_with`] chain
//! the three.
//!
//! Locations come from a [`SourceMap`]: for every dotted key path
//! (`suppliers.korea_land.lines.k9.capacity`; array elements as `path[i]`)
//! it records where the key and its value were written, in which file of the
//! `base` chain or on which `--set` argument.

use super::error::{Located, ScenarioError, list_names, nearest};
use super::schema::Scenario;
use super::shape::join;
use super::validate::problems;
use std::collections::BTreeMap;
use std::fmt;
use std::io::Read;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use toml::de::{DeTable, DeValue};
use toml::{Table, Value};

pub use crate::scenario::error::COMMAND_LINE;

/// A place where a key or value was written: a file (or another source such
/// as `<command line>` or a sweep file) with a 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    /// The file as the user named it, or a label such as `<command line>`.
    pub file: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Origin {
    /// A place at `file:line:col`.
    pub fn new(file: impl Into<String>, line: u32, col: u32) -> Self {
        Origin {
            file: file.into(),
            line,
            col,
        }
    }

    /// The place of the `--set` argument at 0-based position `index` among
    /// the `--set` arguments: `<command line>:1:N` with `N = index + 1`.
    pub fn command_line(index: usize) -> Self {
        Origin::new(
            COMMAND_LINE,
            1,
            u32::try_from(index + 1).unwrap_or(u32::MAX),
        )
    }

    /// Whether this is a `--set` argument rather than a place in a file.
    pub fn is_command_line(&self) -> bool {
        self.file == COMMAND_LINE
    }

    /// A located error message at this place.
    pub fn error(&self, message: impl Into<String>) -> Located {
        Located::new(self.file.clone(), self.line, self.col, message)
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.col)
    }
}

/// Where one key path was written: the key itself and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceEntry {
    /// Where the key was written (for a table, its name in the header).
    pub key: Origin,
    /// Where the value starts (for a table, its `[header]` or `{`).
    pub value: Origin,
}

/// Dotted key path → where its key and value came from, across the `base`
/// chain and the overrides applied so far.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceMap {
    /// The start of the top-level file: the place of last resort.
    root: Origin,
    entries: BTreeMap<String, SourceEntry>,
    /// The files of the `base` chain below the top-level one, the nearest
    /// first: how far from what the user named a value was written.
    bases: Vec<String>,
}

impl SourceMap {
    /// An empty map whose last-resort place is `root`.
    pub fn new(root: Origin) -> Self {
        SourceMap {
            root,
            entries: BTreeMap::new(),
            bases: Vec::new(),
        }
    }

    /// The start of the top-level file.
    pub fn root(&self) -> &Origin {
        &self.root
    }

    /// Where `path` was written, if it was written at all.
    pub fn get(&self, path: &str) -> Option<&SourceEntry> {
        self.entries.get(path)
    }

    /// Where the value of `path` was written, or of its nearest written
    /// ancestor (a default that was never written points at its table), or
    /// the start of the top-level file.
    pub fn value_origin(&self, path: &str) -> &Origin {
        self.nearest(path).map_or(&self.root, |e| &e.value)
    }

    /// Where to locate a problem with the value at `path` under a rule that
    /// also read the values at `with` (more legacy units than units): the
    /// one of them (or a key under it) given on the command line, else the
    /// one written in the
    /// file nearest the top-level one along the `base` chain (what the
    /// user changed, over the files it builds on; `path` first among
    /// equals), else where `path`'s value would be. A value written again
    /// unchanged counts as written where it was written last.
    pub fn problem_origin(&self, path: &str, with: &[String]) -> &Origin {
        let distance = |o: &Origin| {
            if o.is_command_line() {
                0
            } else if o.file == self.root.file {
                1
            } else {
                self.bases
                    .iter()
                    .position(|f| *f == o.file)
                    .map_or(usize::MAX, |i| i + 2)
            }
        };
        // A key counts as changed where it or a key under it was written
        // (`--set families.leopard2=301` changes `families`).
        let written = |p: &str| {
            let under = format!("{p}.");
            self.get(p).into_iter().chain(
                self.entries
                    .range(under.clone()..)
                    .take_while(move |(k, _)| k.starts_with(&under))
                    .map(|(_, e)| e),
            )
        };
        std::iter::once(path)
            .chain(with.iter().map(String::as_str))
            .flat_map(|p| written(p).map(|e| &e.value).collect::<Vec<_>>())
            .min_by_key(|o| distance(o))
            .unwrap_or_else(|| self.value_origin(path))
    }

    /// Where to locate `problem`: at its key when the key is at fault,
    /// else by [`SourceMap::problem_origin`].
    pub fn origin_of(&self, problem: &super::validate::Problem) -> &Origin {
        if problem.key {
            self.key_origin(&problem.path)
        } else {
            self.problem_origin(&problem.path, &problem.with)
        }
    }

    /// Where the key `path` was written, or the nearest written ancestor's
    /// key, or the start of the top-level file.
    pub fn key_origin(&self, path: &str) -> &Origin {
        self.nearest(path).map_or(&self.root, |e| &e.key)
    }

    fn nearest(&self, path: &str) -> Option<&SourceEntry> {
        let mut p = path;
        loop {
            if let Some(e) = self.entries.get(p) {
                return Some(e);
            }
            if p.is_empty() {
                return None;
            }
            p = parent(p);
        }
    }

    /// Record where `path` was written, replacing any earlier record.
    pub fn insert(&mut self, path: String, entry: SourceEntry) {
        self.entries.insert(path, entry);
    }

    /// Forget `path` and everything below it (`path.x`, `path[0]`).
    pub fn remove_subtree(&mut self, path: &str) {
        let doomed: Vec<String> = self
            .entries
            .range::<str, _>((Bound::Included(path), Bound::Unbounded))
            .map(|(k, _)| k)
            .take_while(|k| k.starts_with(path))
            .filter(|k| is_within(k, path))
            .cloned()
            .collect();
        for k in doomed {
            self.entries.remove(&k);
        }
    }

    /// All recorded paths in path order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &SourceEntry)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }
}

/// Whether `path` is `ancestor` or lies below it.
fn is_within(path: &str, ancestor: &str) -> bool {
    ancestor.is_empty()
        || path == ancestor
        || path
            .strip_prefix(ancestor)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

/// The path of the table or array holding `path` (`""` at the top).
fn parent(path: &str) -> &str {
    match path.rfind(['.', '[']) {
        Some(i) => &path[..i],
        None => "",
    }
}

/// "in `path`" for messages, or "at the top level" for the root.
fn in_table(path: &str) -> String {
    if path.is_empty() {
        "at the top level".to_string()
    } else {
        format!("in `{path}`")
    }
}

/// A scenario after `base` and overrides were applied, validated.
#[derive(Debug, Clone)]
pub struct Loaded {
    /// Deserialized and validated; `base` is `None` and `name` is set.
    pub scenario: Scenario,
    /// The fully resolved table (after `base` and overrides, without
    /// `base`), for the manifest and for sweeps.
    pub resolved: Table,
    /// The `name` key of the top-level file or an override, else the file
    /// stem. (A `base` file's `name` is not inherited, so that a derived
    /// scenario never writes into its base's output folder.)
    pub name: String,
    /// The file given.
    pub path: PathBuf,
    /// Dotted path → where its value came from.
    pub sources: SourceMap,
}

/// Load `path`, resolve its `base` chain, apply the `--set KEY=VALUE`
/// strings in order, deserialize and validate.
pub fn load(path: &Path, sets: &[String]) -> Result<Loaded, ScenarioError> {
    let mut overrides = Vec::with_capacity(sets.len());
    for (i, s) in sets.iter().enumerate() {
        let origin = Origin::command_line(i);
        let (key, value) = parse_set_at(s, &origin)?;
        overrides.push((key, value, origin));
    }
    load_with(path, &overrides)
}

/// Like [`load`], with overrides already parsed: (dotted path, value, where
/// the override came from). Used by parameter sweeps.
pub fn load_with(
    path: &Path,
    overrides: &[(String, Value, Origin)],
) -> Result<Loaded, ScenarioError> {
    let (mut table, mut sources) = load_table(path)?;
    for (key, value, origin) in overrides {
        apply_override(&mut table, &mut sources, key, value.clone(), origin.clone())?;
    }
    finish(table, sources, path)
}

/// Parse `a.b.c=VALUE`. `VALUE` is read as a TOML value (`1.5`, `true`,
/// `"x"`, `[1, 2]`, `{ a = 1 }`); if it is not valid TOML it is taken as a
/// bare string, so `--set spending.mode=threat` works without quotes,
/// unless it starts as a table, an array or a quoted string (`{`, `[`,
/// `"`, `'`): that is refused with TOML's error.
/// Errors are located at the first `--set` argument; [`load`] locates them
/// at the right one.
pub fn parse_set(s: &str) -> Result<(String, Value), ScenarioError> {
    parse_set_at(s, &Origin::command_line(0))
}

fn parse_set_at(s: &str, origin: &Origin) -> Result<(String, Value), ScenarioError> {
    let Some((key, raw)) = s.split_once('=') else {
        return Err(origin
            .error(format!(
                "--set `{s}`: expected KEY=VALUE, e.g. --set market.defer_quarters=2"
            ))
            .into());
    };
    let key = key.trim();
    if key.is_empty() {
        return Err(origin
            .error(format!(
                "--set `{s}`: the key before `=` is empty; expected KEY=VALUE, e.g. --set market.defer_quarters=2"
            ))
            .into());
    }
    if let Some((array, _)) = key.split_once('[') {
        return Err(origin
            .error(format!(
                "--set `{s}`: a key is a dotted path of names, with no index: set the whole array, e.g. --set '{array}=[...]'"
            ))
            .into());
    }
    let raw = raw.trim();
    let value = match raw.parse::<Value>() {
        Ok(v) => v,
        // A number TOML does not read (1e400, 2^64, 05, .5) is no bare
        // string.
        Err(_) if raw.bytes().any(|b| b.is_ascii_digit()) && raw.parse::<f64>().is_ok() => {
            return Err(origin.error(unread_number(s, key, raw)).into());
        }
        // A table, an array or a quoted string that does not parse is a
        // mistake in it, not a word: taken as a string, it was refused
        // later as a string where a table belongs, hiding the typo.
        Err(e) if raw.starts_with(['{', '[', '"', '\'']) => {
            return Err(origin.error(unparsed_set(s, key, raw, &e)).into());
        }
        Err(_) => Value::String(raw.to_string()),
    };
    Ok((key.to_string(), value))
}

/// The message for `--set KEY=VALUE` whose VALUE, `raw`, is a number Rust
/// reads but TOML does not: out of range where it is (infinite, a whole
/// number beyond TOML's integers, outside the key's own range), else
/// written in a way TOML does not take (`05`, `.5`, `5.`, `1.e3`), with the
/// way it does (`5`, `0.5`, `5.0`, `1.0e3`).
fn unread_number(s: &str, key: &str, raw: &str) -> String {
    let x: f64 = raw.parse().unwrap_or(f64::NAN);
    let digits = raw.trim_start_matches(['+', '-']);
    let integer = digits.bytes().all(|b| b.is_ascii_digit());
    let span = key_span(key);
    if x.is_infinite()
        || (integer && raw.parse::<i64>().is_err())
        || span.is_some_and(|span| !span.contains(x))
    {
        // The key's own range where it has one, as in a file.
        let rule = key_rule(key).map_or_else(
            || format!("TOML holds integers up to {} and finite floats", i64::MAX),
            |rule| format!("must be {rule}"),
        );
        return format!("--set `{s}`: {raw} is a number out of range ({rule})");
    }
    let head = format!(
        "--set `{s}`: {raw} is not a TOML number (TOML writes numbers without leading zeros, with a digit on each side of a point)"
    );
    let whole = key_at(key).is_some_and(|k| matches!(k.ty, super::keys::Ty::Integer(_)));
    match toml_number(raw) {
        Some(t) if !whole || x.fract() == 0.0 => format!("{head}: write --set {key}={t}"),
        _ if whole => format!(
            "{head}, and `{key}` takes a whole number: write one without a point, e.g. --set {key}={}",
            x.round() as i64
        ),
        _ => format!("{head}: write it as TOML does, e.g. 0.5, 5.0 or 1.0e3"),
    }
}

/// `raw`, a number Rust reads, as TOML writes it: no leading zeros, a
/// digit on each side of a point (`05` -> `5`, `.5` -> `0.5`, `5.` ->
/// `5.0`, `1.e3` -> `1.0e3`), if TOML then reads it.
fn toml_number(raw: &str) -> Option<String> {
    let (sign, rest) = match raw.as_bytes().first() {
        Some(b'+' | b'-') => raw.split_at(1),
        _ => ("", raw),
    };
    let (mantissa, exponent) = match rest.find(['e', 'E']) {
        Some(i) => (&rest[..i], Some(&rest[i + 1..])),
        None => (rest, None),
    };
    let (int, fraction) = match mantissa.split_once('.') {
        Some((int, fraction)) => (int, Some(fraction)),
        None => (mantissa, None),
    };
    let int = match int.trim_start_matches('0') {
        "" => "0",
        int => int,
    };
    let mut out = format!("{sign}{int}");
    if let Some(fraction) = fraction {
        out.push('.');
        out.push_str(if fraction.is_empty() { "0" } else { fraction });
    }
    if let Some(exponent) = exponent {
        out.push('e');
        out.push_str(exponent);
    }
    out.parse::<Value>()
        .is_ok_and(|v| v.is_integer() || v.is_float())
        .then_some(out)
}

/// The message for `--set KEY=VALUE` whose VALUE, `raw`, starts as TOML
/// (`{`, `[`, a quote) but does not parse: what TOML said, where in the
/// value, and how to write it.
fn unparsed_set(s: &str, key: &str, raw: &str, e: &toml::de::Error) -> String {
    let what = e.message().lines().next().unwrap_or("invalid TOML");
    let at = match e.span() {
        Some(span) if span.start < raw.len() => {
            let col = raw
                .get(..span.start)
                .map_or(span.start, |r| r.chars().count())
                + 1;
            format!("at character {col} of the value")
        }
        _ => "at the end of the value".to_string(),
    };
    let fix = match raw.as_bytes()[0] {
        b'{' => format!(
            "close every `{{` with `}}` and quote the strings inside, e.g. --set '{key}={{ a = 1, b = \"x\" }}'"
        ),
        b'[' => format!(
            "close every `[` with `]` and quote the strings inside, e.g. --set '{key}=[\"a\", \"b\"]'"
        ),
        _ => format!(
            "end the string with the quote it starts with, e.g. --set '{key}=\"a b\"', or give a single word without quotes"
        ),
    };
    format!("--set `{s}`: the value is not valid TOML ({what}, {at}): {fix}")
}

/// How an override names its key in messages: `--set a.b` on the command
/// line, `` `a.b` `` elsewhere (the origin already names the sweep file).
fn override_label(path: &str, origin: &Origin) -> String {
    if origin.is_command_line() {
        format!("--set {path}")
    } else {
        format!("`{path}`")
    }
}

/// A short description of a TOML value's type, for messages.
fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// The top-level table of dotted `path` (the table a value written there
/// changes), as [`apply_override`] reads the path.
pub fn top_table(path: &str) -> &str {
    path.split('.').next().unwrap_or("").trim()
}

/// Set the dotted `path` in `table` to `value`, recording `origin` as where
/// it (and everything below it) came from.
///
/// Every table on the way must exist; the final key may be new (an unknown
/// field name is then reported by deserialization, at `origin`). An integer
/// replacing a float becomes a float, and a whole float replacing an integer
/// becomes an integer; other type changes are left to deserialization.
pub fn apply_override(
    table: &mut Table,
    sources: &mut SourceMap,
    path: &str,
    value: Value,
    origin: Origin,
) -> Result<(), ScenarioError> {
    let label = override_label(path, &origin);
    let segments: Vec<&str> = path.split('.').map(str::trim).collect();
    if segments.iter().any(|s| s.is_empty()) {
        return Err(origin
            .error(format!(
                "{label}: empty key in the dotted path; write it as `table.key`, e.g. `market.defer_quarters`"
            ))
            .into());
    }
    if segments[0] == "base" {
        return Err(origin
            .error(format!(
                "{label}: `base` cannot be overridden; write a scenario file with `base = ...` instead"
            ))
            .into());
    }
    let path = segments.join(".");
    let (last, intermediate) = segments.split_last().expect("split yields a segment");

    let mut cur: &mut Table = table;
    let mut walked = String::new();
    for seg in intermediate {
        let here = join(&walked, seg);
        match cur.get(*seg) {
            Some(Value::Table(_)) => {}
            Some(other) => {
                return Err(origin
                    .error(format!(
                        "{label}: `{here}` is {}, not a table, so it has no keys below it",
                        type_name(other)
                    ))
                    .into());
            }
            None => {
                let mut msg = format!("{label}: no such key `{seg}` {}", in_table(&walked));
                let names: Vec<&str> = cur.keys().map(String::as_str).collect();
                push_suggestion(&mut msg, seg, &names);
                // Only the last key may be new: a key of the format in a
                // table the scenario does not have (an optional one, or a
                // new entry) needs the table set whole on the command
                // line, or written into the scenario for a sweep or a
                // calibration (which take no --set).
                if super::keys::key(&path).is_some() {
                    let or = if msg.ends_with('?') { " Or" } else { "; or" };
                    // `run` and `compare` refuse a sweep or a calibration
                    // set whole, and the commands that run them take no
                    // `--set`.
                    if origin.is_command_line() && walked.is_empty() && own_file(seg).is_some() {
                        let hint = own_file_hint(seg, &sources.root().file);
                        msg.push_str(&format!("{or}, {hint}"));
                    } else if origin.is_command_line() {
                        let below = &segments[here.split('.').count()..];
                        let arg = format!("{here}={}", inline_value(below, &value));
                        let arg = shlex::try_quote(&arg).map_or(arg.clone(), |q| q.into_owned());
                        msg.push_str(&format!(
                            "{or}, to add a table `{here}`, set it whole: --set {arg}"
                        ));
                    } else {
                        msg.push_str(&format!(
                            "{or}, to vary a key of a table `{here}`, add that table to the scenario first"
                        ));
                    }
                }
                return Err(origin.error(msg).into());
            }
        }
        cur = match cur.get_mut(*seg) {
            Some(Value::Table(t)) => t,
            _ => unreachable!("checked to be a table above"),
        };
        walked = here;
    }

    // A sweep or a calibration set whole is refused whatever it holds:
    // said now, before a key missing in it sends the user to complete a
    // table that would then be refused.
    if origin.is_command_line()
        && walked.is_empty()
        && own_file(last).is_some()
        && cur.get(*last).is_none()
    {
        let hint = own_file_hint(last, &sources.root().file);
        return Err(origin.error(format!("{label}: {hint}")).into());
    }
    let value = match (cur.get(*last), value) {
        (Some(Value::Float(_)), Value::Integer(i)) => Value::Float(i as f64),
        (Some(Value::Integer(_)), Value::Float(f))
            if f.is_finite() && f.fract() == 0.0 && f.abs() < 9.0e15 =>
        {
            Value::Integer(f as i64)
        }
        (_, v) => v,
    };
    sources.remove_subtree(&path);
    record_value(sources, &path, &value, &origin);
    cur.insert((*last).to_string(), value);
    Ok(())
}

/// What a file holding the top-level table `table` is, if that table
/// makes it a file of its own kind: "sweep" for `sweep`, "calibration"
/// for `calibrate`.
pub fn own_file(table: &str) -> Option<&'static str> {
    match table {
        "sweep" => Some("sweep"),
        "calibrate" => Some("calibration"),
        _ => None,
    }
}

/// How to sweep or calibrate (`table`: `sweep` or `calibrate`) the
/// scenario `file` (as the user named it): in a file of its own with
/// `base` naming it, since `run` and `compare` refuse such a file and
/// `sweep` and `calibrate` take no `--set`.
pub fn own_file_hint(table: &str, file: &str) -> String {
    let what = own_file(table).unwrap_or(table);
    let name = Path::new(file)
        .file_name()
        .map_or_else(|| file.to_string(), |n| n.to_string_lossy().into_owned());
    let keys = if table == "sweep" {
        " (`design`, `replications` and `[sweep.parameters]`, the dotted paths to vary)"
    } else {
        " (`population` and `[calibrate.parameters]`, the dotted paths to fit, with their priors)"
    };
    format!(
        "a {what} is a file of its own, and `armsmarket {table}` takes no --set: write a file beside {file} holding `base = {name:?}` and a [{table}] table{keys}, then run `armsmarket {table} FILE`"
    )
}

/// `value` at the dotted path `keys` below a table, as one inline TOML
/// value: `a.b` = 2 → `{ a = { b = 2 } }`.
fn inline_value(keys: &[&str], value: &Value) -> String {
    keys.iter().rev().fold(value.to_string(), |inner, k| {
        let mut t = Table::new();
        t.insert((*k).to_string(), Value::String(String::new()));
        // The key as TOML writes it (quoted if it must be).
        let key = toml::to_string(&t).unwrap_or_default();
        let key = key.split(" = ").next().unwrap_or(k).to_string();
        format!("{{ {key} = {inner} }}")
    })
}

/// Append "; did you mean `x`?" (or the list of defined names) to `msg`.
fn push_suggestion(msg: &mut String, word: &str, names: &[&str]) {
    if let Some(n) = nearest(word, names.iter().copied()) {
        msg.push_str(&format!("; did you mean `{n}`?"));
    } else if names.is_empty() {
        msg.push_str(" (the table is empty)");
    } else {
        msg.push_str(&format!("; defined: {}", list_names(names)));
    }
}

/// Record `origin` for `path` and every path inside `value`.
fn record_value(sources: &mut SourceMap, path: &str, value: &Value, origin: &Origin) {
    sources.insert(
        path.to_string(),
        SourceEntry {
            key: origin.clone(),
            value: origin.clone(),
        },
    );
    match value {
        Value::Table(t) => {
            for (k, v) in t {
                record_value(sources, &join(path, k), v, origin);
            }
        }
        Value::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                record_value(sources, &format!("{path}[{i}]"), v, origin);
            }
        }
        _ => {}
    }
}

/// Read `path` and resolve its `base` chain into one table (without `base`)
/// and the map of where each key came from. Overrides and [`finish`] come
/// next.
pub fn load_table(path: &Path) -> Result<(Table, SourceMap), ScenarioError> {
    let canonical = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    let mut chain = vec![(canonical, path.display().to_string())];
    load_file(path, &mut chain, None)
}

/// Deserialize and validate a resolved `table`, consuming it: the
/// scenario alone, for callers that keep neither the table nor a name (a
/// sweep compiling its points). Errors are located through `sources`.
pub fn checked(table: Table, sources: &SourceMap) -> Result<Scenario, ScenarioError> {
    let misfits = super::shape::misfits(&table);
    let unknown = misfits
        .unknown
        .iter()
        .map(|(path, key, fields)| unknown_key(path, key, fields, sources));
    let lists = misfits.lists.into_iter().map(|(path, fields)| {
        let example = super::shape::table_example(fields);
        // A swept or calibrated key is one quoted key of its table.
        let write = ["sweep.parameters.", "calibrate.parameters."]
            .iter()
            .find_map(|t| {
                let key = path.strip_prefix(t)?;
                Some(format!(
                    "`\"{key}\" = {example}` in [{}]",
                    t.trim_end_matches('.')
                ))
            })
            .unwrap_or_else(|| format!("`{path} = {example}`"));
        sources.value_origin(&path).error(format!(
            "`{path}` must be a table of named keys, not a list: write {write} (its keys: {})",
            fields.join(", ")
        ))
    });
    if let Some(e) = ScenarioError::from_all(unknown.chain(lists).collect()) {
        return Err(e);
    }
    let scenario: Scenario = serde_path_to_error::deserialize(Value::Table(table))
        .map_err(|e| deserialize_error(e, sources))?;
    let errors: Vec<Located> = problems(&scenario)
        .into_iter()
        .map(|p| sources.origin_of(&p).error(p.message))
        .collect();
    match ScenarioError::from_all(errors) {
        Some(e) => Err(e),
        None => Ok(scenario),
    }
}

/// Deserialize and validate a resolved `table`; `path` is the top-level file
/// (its stem names the scenario unless the table has `name`).
pub fn finish(table: Table, sources: SourceMap, path: &Path) -> Result<Loaded, ScenarioError> {
    let mut scenario = checked(table.clone(), &sources)?;

    let name = match scenario.name.clone() {
        Some(name) => name,
        None => {
            let stem = path
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "scenario".to_string());
            // The `name` key's check does not see a name taken from the
            // file: the same rules, said of the file.
            if let Some(why) = super::validate::folder_problem(&stem, true) {
                let plain: String = stem
                    .trim_start_matches('.')
                    .trim_end_matches(".shards")
                    .chars()
                    .filter(|c| !c.is_control())
                    .take(40)
                    .collect();
                let plain = plain.trim();
                // Still not a name (a shard's folder name): one that is.
                let plain = match plain {
                    "" => "scenario".to_string(),
                    p if super::validate::folder_problem(p, true).is_some() => format!("sweep {p}"),
                    p => p.to_string(),
                };
                return Err(ScenarioError::new(Located::file_only(
                    path.display().to_string(),
                    format!(
                        "the scenario is named after its file, and {stem:?} cannot name an output folder ({why}): rename the file, or give it `name = \"{plain}\"`"
                    ),
                )));
            }
            stem
        }
    };
    scenario.name = Some(name.clone());
    scenario.base = None;
    Ok(Loaded {
        scenario,
        resolved: table,
        name,
        path: path.to_path_buf(),
        sources,
    })
}

/// Read one file and, recursively, its `base`. `chain` holds the
/// (canonical, displayed) paths of the files being read, this one last.
fn load_file(
    display: &Path,
    chain: &mut Vec<(PathBuf, String)>,
    named_at: Option<(&Origin, &str)>,
) -> Result<(Table, SourceMap), ScenarioError> {
    let file = display.display().to_string();
    let text = read_source(display, &file, named_at)?;
    let (mut table, mut sources) = parse_source(&text, &file)?;

    let Some(base) = table.remove("base") else {
        return Ok((table, sources));
    };
    let base_origin = sources.value_origin("base").clone();
    sources.remove_subtree("base");
    let Value::String(base) = base else {
        return Err(base_origin
            .error(format!(
                "`base` must be a string naming another scenario file (relative to this one), found {}",
                type_name(&base)
            ))
            .into());
    };
    // An empty path names this file's folder, which was then "looked for"
    // under no name at all.
    if base.is_empty() {
        return Err(base_origin
            .error(
                "`base` = \"\" is empty: name another scenario file (relative to this one), or remove `base`",
            )
            .into());
    }

    let base_display = display.parent().unwrap_or(Path::new("")).join(&base);
    let looked_for = std::path::absolute(&base_display).unwrap_or_else(|_| base_display.clone());
    let canonical = match std::fs::canonicalize(&base_display) {
        Ok(c) => c,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(base_origin
                .error(format!(
                    "`base` = {:?}: file not found (looked for {})",
                    base,
                    looked_for.display()
                ))
                .into());
        }
        Err(e) => {
            return Err(base_origin
                .error(format!(
                    "`base` = {:?}: cannot read {}: {e}",
                    base,
                    looked_for.display()
                ))
                .into());
        }
    };
    let base_file = base_display.display().to_string();
    if chain.iter().any(|(c, _)| *c == canonical) {
        let names: Vec<&str> = chain
            .iter()
            .map(|(_, d)| d.as_str())
            .chain(std::iter::once(base_file.as_str()))
            .collect();
        return Err(base_origin
            .error(format!(
                "`base` chain includes itself: {}; remove one of these `base` keys",
                names.join(" -> ")
            ))
            .into());
    }

    chain.push((canonical, base_file));
    let loaded = load_file(&base_display, chain, Some((&base_origin, &base)));
    chain.pop();
    let (mut merged, mut merged_sources) = loaded?;

    // A base's name is not inherited (see `Loaded::name`).
    merged.remove("name");
    merged_sources.remove_subtree("name");
    overlay(&mut merged, table, &mut merged_sources, "");
    for (p, e) in sources.entries {
        merged_sources.entries.insert(p, e);
    }
    // The base's own file goes first among the bases of this one.
    let base_root = std::mem::replace(&mut merged_sources.root, sources.root);
    merged_sources.bases.insert(0, base_root.file);
    Ok((merged, merged_sources))
}

/// Lay `top` over `base`: tables merge key by key, anything else replaces
/// (and the base's locations below a replaced key are forgotten).
fn overlay(base: &mut Table, top: Table, sources: &mut SourceMap, prefix: &str) {
    for (k, v) in top {
        let path = join(prefix, &k);
        match (base.get_mut(&k), v) {
            (Some(Value::Table(b)), Value::Table(t)) => overlay(b, t, sources, &path),
            (_, v) => {
                sources.remove_subtree(&path);
                base.insert(k, v);
            }
        }
    }
}

/// The largest scenario file read, in bytes.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// The file's text, or a located error if it cannot be read, is not a
/// regular file of at most [`MAX_FILE_BYTES`], or is not UTF-8. A file
/// named by a `base` key (`named_at`: where, and the value) is refused at
/// that key.
fn read_source(
    path: &Path,
    file: &str,
    named_at: Option<(&Origin, &str)>,
) -> Result<String, ScenarioError> {
    let refuse = |why: String| -> ScenarioError {
        match named_at {
            Some((origin, base)) => origin.error(format!("`base` = {base:?}: {why}")).into(),
            None => Located::file_only(file, why).into(),
        }
    };
    // A `base` names its file (resolved); the file on the command line
    // prefixes the message already.
    let (it, of) = match named_at {
        Some(_) => (file.to_string(), format!(" {file}")),
        None => ("it".to_string(), String::new()),
    };
    let meta = std::fs::metadata(path).map_err(|e| refuse(format!("cannot read{of}: {e}")))?;
    if let Some(what) = crate::output::not_a_regular_file(&meta) {
        return Err(refuse(format!(
            "{it} is {what}, not a regular file: name a scenario file"
        )));
    }
    let too_big = || {
        refuse(format!(
            "{it} is larger than {} MiB: a scenario file may be at most 16 MiB",
            MAX_FILE_BYTES >> 20
        ))
    };
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_big());
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| refuse(format!("cannot read{of}: {e}")))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_big());
    }
    String::from_utf8(bytes).map_err(|e| {
        let good = e.utf8_error().valid_up_to();
        let text = String::from_utf8_lossy(&e.as_bytes()[..good]);
        let at = LineIndex::new(&text).origin(file, good);
        at.error(format!(
            "not UTF-8 text (invalid byte 0x{:02x}): a scenario must be a TOML text file",
            e.as_bytes()[good]
        ))
        .into()
    })
}

/// Byte offsets → 1-based line and character column.
struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        LineIndex { text, starts }
    }

    fn origin(&self, file: &str, offset: usize) -> Origin {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset);
        let start = self.starts[line - 1];
        // Columns as an editor shows them: a byte-order mark is none (the
        // first key of a file saved with one is at column 1), nor is the
        // `\r` of a `\r\n` line end (an error at the end of such a line
        // is just past its last character, as with `\n` alone).
        let before = &self.text[start..offset];
        let before = match start {
            0 => before.strip_prefix('\u{feff}').unwrap_or(before),
            _ => before,
        };
        let before = match self.text[offset..].starts_with('\n') {
            true => before.strip_suffix('\r').unwrap_or(before),
            false => before,
        };
        let col = before.chars().count() + 1;
        Origin::new(
            file,
            u32::try_from(line).unwrap_or(u32::MAX),
            u32::try_from(col).unwrap_or(u32::MAX),
        )
    }
}

/// Parse TOML text into a table and the map of where each key was written.
fn parse_source(text: &str, file: &str) -> Result<(Table, SourceMap), ScenarioError> {
    let index = LineIndex::new(text);
    let syntax = |e: toml::de::Error| -> ScenarioError {
        let at = index.origin(file, e.span().map_or(0, |s| s.start));
        let first = e.message().lines().next().unwrap_or("invalid TOML");
        // Name the key a duplicate is about (the text at the error's span).
        let key = e
            .span()
            .and_then(|s| text.get(s))
            .map(|k| k.trim().trim_matches(['"', '\'']))
            .filter(|k| !k.is_empty() && first.starts_with("duplicate key"));
        match key {
            Some(k) => at
                .error(format!(
                    "TOML syntax error: duplicate key `{k}`: a key is written once per table; remove one"
                ))
                .into(),
            None => at.error(format!("TOML syntax error: {first}")).into(),
        }
    };
    let spanned = DeTable::parse(text).map_err(syntax)?;
    let mut sources = SourceMap::new(Origin::new(file, 1, 1));
    record_spans(spanned.get_ref(), "", &index, file, &mut sources);
    let table = text.parse::<Table>().map_err(|e| {
        // The spanned parse keeps integers as text; reading them as
        // values refuses one beyond i64 without naming its key. Name it,
        // with its key's range, like a value out of range below.
        let mut huge = Vec::new();
        huge_integers(spanned.get_ref(), "", &mut huge);
        let at = e.span().map(|s| s.start);
        let Some((path, span)) = huge
            .iter()
            .find(|(_, s)| Some(s.start) == at)
            .or(huge.first())
        else {
            return syntax(e);
        };
        let rule = key_rule(path).unwrap_or_else(|| {
            format!(
                "a whole number from {} to {} (the integers TOML holds)",
                i64::MIN,
                i64::MAX
            )
        });
        index
            .origin(file, span.start)
            .error(format!(
                "`{path}` = {} is out of range: must be {rule}",
                &text[span.clone()]
            ))
            .into()
    })?;
    Ok((table, sources))
}

/// Every integer in `table` beyond what TOML holds (an i64), with its
/// dotted path (array elements as `path[i]`) and the span of its text.
fn huge_integers(
    table: &DeTable<'_>,
    prefix: &str,
    out: &mut Vec<(String, std::ops::Range<usize>)>,
) {
    fn value(
        v: &toml::Spanned<DeValue<'_>>,
        path: String,
        out: &mut Vec<(String, std::ops::Range<usize>)>,
    ) {
        match v.get_ref() {
            DeValue::Integer(i) if i64::from_str_radix(i.as_str(), i.radix()).is_err() => {
                out.push((path, v.span()));
            }
            DeValue::Table(t) => huge_integers(t, &path, out),
            DeValue::Array(a) => {
                for (i, x) in a.iter().enumerate() {
                    value(x, format!("{path}[{i}]"), out);
                }
            }
            _ => {}
        }
    }
    for (k, v) in table.iter() {
        value(v, join(prefix, k.get_ref()), out);
    }
}

/// The key at `path` in the key table. A swept or calibrated key's name
/// holds dots of its own (`sweep.parameters.preferences.default.delivery.max`):
/// its field is the last segment.
fn key_at(path: &str) -> Option<&'static super::keys::Key> {
    super::keys::key(path).or_else(|| {
        ["sweep.parameters.", "calibrate.parameters."]
            .iter()
            .find_map(|table| {
                let (_, field) = path.strip_prefix(table)?.rsplit_once('.')?;
                super::keys::key(&format!("{table}*.{field}"))
            })
    })
}

/// The span of the numeric key at `path` (of each number of a pair or a
/// triple), if the key table has one.
fn key_span(path: &str) -> Option<super::keys::Span> {
    use super::keys::Ty;
    match key_at(path)?.ty {
        Ty::Integer(span) | Ty::Number(span) | Ty::Pair(span) | Ty::Triple(span) => Some(span),
        _ => None,
    }
}

/// The rule of the numeric key at `path` as messages state it (`between 0
/// and 1`, `> 0 and at most 1e6 (US$ m)`), if the key table has one.
fn key_rule(path: &str) -> Option<String> {
    let span = key_span(path)?;
    Some(match key_at(path)?.unit {
        "" => span.rule(),
        unit => format!("{} ({unit})", span.rule()),
    })
}

fn record_spans(
    table: &DeTable<'_>,
    prefix: &str,
    index: &LineIndex<'_>,
    file: &str,
    sources: &mut SourceMap,
) {
    for (k, v) in table.iter() {
        let path = join(prefix, k.get_ref());
        sources.insert(
            path.clone(),
            SourceEntry {
                key: index.origin(file, k.span().start),
                value: index.origin(file, v.span().start),
            },
        );
        record_value_spans(v.get_ref(), &path, index, file, sources);
    }
}

fn record_value_spans(
    value: &DeValue<'_>,
    path: &str,
    index: &LineIndex<'_>,
    file: &str,
    sources: &mut SourceMap,
) {
    match value {
        DeValue::Table(t) => record_spans(t, path, index, file, sources),
        DeValue::Array(a) => {
            for (i, v) in a.iter().enumerate() {
                let p = format!("{path}[{i}]");
                let at = index.origin(file, v.span().start);
                sources.insert(
                    p.clone(),
                    SourceEntry {
                        key: at.clone(),
                        value: at,
                    },
                );
                record_value_spans(v.get_ref(), &p, index, file, sources);
            }
        }
        _ => {}
    }
}

/// An unknown key `field` of the table at `table`, which takes the keys
/// `valid`: located where the key is written, with the key it most likely
/// meant or the keys the table takes.
fn unknown_key(table: &str, field: &str, valid: &[&str], sources: &SourceMap) -> Located {
    let origin = sources.key_origin(&join(table, field));
    // `--set` refuses `base`: not a key to offer there.
    let valid: Vec<&str> = valid
        .iter()
        .copied()
        .filter(|&k| !(k == "base" && table.is_empty() && origin.is_command_line()))
        .collect();
    let mut message = format!("unknown key `{field}` {}", in_table(table));
    if field.contains('.') {
        // `"a.b" = 1` is one key named `a.b`, as a sweep's parameters
        // are written, not key `b` of table `a`.
        message.push_str(&format!(
            "; a quoted key is one key: to set `{field}`, write it without quotes (`{field} = ...`)"
        ));
    } else if let Some(n) = nearest(field, valid.iter().copied()) {
        message.push_str(&format!("; did you mean `{n}`?"));
    } else if valid.is_empty() {
        message.push_str("; this table takes no keys");
    } else {
        message.push_str(&format!("; expected one of: {}", valid.join(", ")));
    }
    origin.error(message)
}

/// Turn a deserialization error into a located message naming the key.
fn deserialize_error(
    e: serde_path_to_error::Error<toml::de::Error>,
    sources: &SourceMap,
) -> ScenarioError {
    // The path, and the path of the table its last key is in (not cut at
    // the last dot: a quoted key may hold dots).
    let (mut path, mut above) = (String::new(), String::new());
    for seg in e.path().iter() {
        use serde_path_to_error::Segment;
        above = path.clone();
        match seg {
            Segment::Map { key } | Segment::Enum { variant: key } => path = join(&path, key),
            Segment::Seq { index } => path = format!("{path}[{index}]"),
            Segment::Unknown => break,
        }
    }
    let msg = e.inner().message().lines().next().unwrap_or("").to_string();

    if let Some(rest) = msg.strip_prefix("unknown field `") {
        let (field, expected) = rest.split_once('`').unwrap_or((rest, ""));
        // The path may or may not already end in the unknown key.
        let table = if path == field || path.ends_with(&format!(".{field}")) {
            above
        } else {
            path.clone()
        };
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        return unknown_key(&table, field, &valid, sources).into();
    }

    if let Some(rest) = msg.strip_prefix("missing field `") {
        let field = rest.split('`').next().unwrap_or(rest);
        // A table says the keys it takes (a target's `tolerance`: `abs`,
        // `rel` or `range`), which `...` alone did not.
        let full = join(&path, field);
        let children = super::keys::children(&full);
        let required: Vec<&str> = children
            .iter()
            .filter(|(_, k)| k.default == super::keys::Omitted::Required)
            .map(|&(name, _)| name)
            .collect();
        let names: Vec<&str> = children.iter().map(|&(name, _)| name).collect();
        let add = if !required.is_empty() {
            format!(
                "add the table `[{full}]` with its required keys: {}",
                required.join(", ")
            )
        } else if !names.is_empty() {
            format!(
                "add `{field} = {}` (its keys: {})",
                super::shape::table_example(&names),
                names.join(", ")
            )
        } else {
            format!("add `{field} = ...`")
        };
        return sources
            .value_origin(&path)
            .error(format!("missing key `{field}` {}; {add}", in_table(&path)))
            .into();
    }

    // A whole number outside its type (negative where a count is
    // expected, or too large) reads best as a range error, like the ones
    // validation reports.
    if let Some(rest) = msg.strip_prefix("invalid value: integer `") {
        let (number, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let u32 = expected.contains("expected u32");
        let unsigned =
            u32 || expected.contains("expected u64") || expected.contains("expected usize");
        if unsigned && (number.starts_with('-') || u32) {
            // The key's own rule where the key table has one (a count may
            // start at 1, and end well below the type's largest), else the
            // type's.
            let rule = key_rule(&path).unwrap_or_else(|| {
                if number.starts_with('-') {
                    ">= 0 (a whole number)".into()
                } else {
                    format!("at most {}", u32::MAX)
                }
            });
            return sources
                .value_origin(&path)
                .error(format!(
                    "`{path}` = {number} is out of range: must be {rule}"
                ))
                .into();
        }
    }

    // A value of the wrong kind: say what was found, what is expected and
    // how to write it.
    if let Some(rest) = msg.strip_prefix("invalid type: ")
        && let Some((found, expected)) = rest.rsplit_once(", expected ")
        && !path.is_empty()
    {
        return sources
            .value_origin(&path)
            .error(wrong_type(&path, found, expected))
            .into();
    }

    // A pair or a triple of the wrong length: serde says "invalid length
    // 3, expected fewer elements in array", which names neither the
    // length wanted nor how to write it.
    if let Some(rest) = msg.strip_prefix("invalid length ")
        && let Some(wanted) = key_at(&path).and_then(|k| match k.ty {
            super::keys::Ty::Pair(span) => Some((2, span, k.default)),
            super::keys::Ty::Triple(span) => Some((3, span, k.default)),
            _ => None,
        })
    {
        let (n, span, default) = wanted;
        let found = rest.split(',').next().unwrap_or(rest);
        let values = if found == "1" { "value" } else { "values" };
        let leaf = path.rsplit('.').next().unwrap_or(&path);
        let example = match default {
            super::keys::Omitted::Value(v) => Some(v.to_string()),
            _ => {
                let xs: Vec<String> = (1..=n).map(|i| format!("{i}.0")).collect();
                (1..=n)
                    .all(|i| span.contains(f64::from(i)))
                    .then(|| format!("[{}]", xs.join(", ")))
            }
        };
        let mut message =
            format!("`{path}` holds {found} {values} but takes {n}: write {n} numbers in brackets");
        if let Some(e) = example {
            message.push_str(&format!(", e.g. `{leaf} = {e}`"));
        }
        return sources.value_origin(&path).error(message).into();
    }

    // A word outside a vocabulary (`spending.mode`, `events.*.kind`, ...).
    if let Some(rest) = msg.strip_prefix("unknown variant `") {
        let (word, expected) = rest.split_once('`').unwrap_or((rest, ""));
        let valid: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
        let mut message = format!("`{path}` = {word:?} is not one of: {}", valid.join(", "));
        if let Some(n) = nearest(word, valid.iter().copied()) {
            message.push_str(&format!("; did you mean `{n}`?"));
        }
        return sources.value_origin(&path).error(message).into();
    }

    // A value our own types refused, message first naming the value
    // (`"2014Q5" is not a quarter: ...`).
    if msg.starts_with('"') && !path.is_empty() {
        return sources
            .value_origin(&path)
            .error(format!("`{path}` = {msg}"))
            .into();
    }

    let shown = if path.is_empty() {
        "the scenario".to_string()
    } else {
        format!("`{path}`")
    };
    sources
        .value_origin(&path)
        .error(format!("{shown}: {msg}"))
        .into()
}

/// The message for a value of the wrong kind at `path`: serde's `found`
/// (`string "seven"`, ``floating point `2.5` ``, `map`, ...) and
/// `expected` (`u64`, `f64`, `a boolean`, `struct Buyer`, ...) in words,
/// with an example of the key written right where the key table gives one.
fn wrong_type(path: &str, found: &str, expected: &str) -> String {
    use super::keys::{Omitted, Ty};
    let quoted = |s: &str| s.split('`').nth(1).unwrap_or(s).to_string();
    let found = if let Some(text) = found.strip_prefix("string ") {
        format!("a string ({text})")
    } else if found.starts_with("integer") {
        format!("a whole number ({})", quoted(found))
    } else if found.starts_with("floating point") {
        format!("a number ({})", quoted(found))
    } else if found.starts_with("boolean") {
        format!("a boolean ({})", quoted(found))
    } else if found == "map" {
        "a table".to_string()
    } else if found == "sequence" {
        "an array".to_string()
    } else {
        found.to_string()
    };
    let wanted = match expected {
        "u8" | "u16" | "u32" | "u64" | "usize" | "i32" | "i64" => "a whole number",
        "f32" | "f64" => "a number",
        "a boolean" => "`true` or `false`",
        e if e.contains("string") => "a string in quotes",
        e if e.starts_with("struct ") || e.contains("map") => "a table",
        e if e.contains("sequence") => "an array",
        e => e,
    };
    let leaf = path.rsplit('.').next().unwrap_or(path);
    let example = super::keys::key(path).and_then(|k| match (k.default, k.ty) {
        (Omitted::Value(v), _) if !v.is_empty() => Some(v.to_string()),
        (_, Ty::Integer(span)) => Some(format!(
            "{}",
            span.lo.floor() as i64 + i64::from(span.lo_open)
        )),
        (_, Ty::Boolean) => Some("true".to_string()),
        _ => None,
    });
    // A whole number written with a point or an exponent (`1e18`): `--set`
    // takes one below 9e15 as the integer, where a float holds it exactly;
    // beyond, its digits are what to write. Outside the key's range (or
    // its type's), its digits would be refused in turn: the range is said,
    // as for the digits.
    let whole_float = found
        .strip_prefix("a number (")
        .and_then(|x| x.strip_suffix(')'))
        .and_then(|x| x.parse::<f64>().ok())
        .filter(|x| x.fract() == 0.0);
    if let (Some(x), "a whole number") = (whole_float, wanted) {
        let (lo, hi): (i128, i128) = match expected {
            "u8" => (0, u8::MAX.into()),
            "u16" => (0, u16::MAX.into()),
            "u32" => (0, u32::MAX.into()),
            "u64" | "usize" => (0, u64::MAX.into()),
            "i32" => (i32::MIN.into(), i32::MAX.into()),
            _ => (i64::MIN.into(), i64::MAX.into()),
        };
        let outside =
            key_span(path).map_or(x < lo as f64 || x > hi as f64, |span| !span.contains(x));
        if outside {
            let rule =
                key_rule(path).unwrap_or_else(|| format!("a whole number from {lo} to {hi}"));
            return format!(
                "`{path}` = {} is out of range: must be {rule}",
                super::keys::show(x)
            );
        }
    }
    let whole_float = whole_float.filter(|x| x.abs() < 9.2e18);
    if let (Some(x), "a whole number") = (whole_float, wanted) {
        return format!(
            "`{path}` is {found}, a whole number written as a decimal: write its digits without a point or exponent, `{leaf} = {}`",
            x as i64
        );
    }
    // A kind that gives its own example (a quarter such as "2014Q1") is
    // not said twice.
    if wanted.contains(" such as ") {
        return format!("`{path}` is {found} but must be {wanted}");
    }
    let mut message = format!("`{path}` is {found} but must be {wanted}; write {wanted}");
    if let Some(e) = example {
        message.push_str(&format!(", e.g. `{leaf} = {e}`"));
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    const TOY: &str = include_str!("../../scenarios/toy.toml");

    /// Write `text` to `dir/name` and return the path.
    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, text).unwrap();
        p
    }

    /// The 1-based line of the first line of `text` that contains `needle`.
    fn line_of(text: &str, needle: &str) -> u32 {
        text.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("{needle:?} not in text")) as u32
            + 1
    }

    /// `TOY` with `from` replaced by `to` (which must occur).
    fn toy_with(from: &str, to: &str) -> String {
        assert!(TOY.contains(from), "{from:?} not in toy.toml");
        TOY.replacen(from, to, 1)
    }

    /// Load `text` as `dir/s.toml` with `sets`; the error's lines.
    fn errors(text: &str, sets: &[&str]) -> (String, Vec<Located>) {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", text);
        let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
        let e = load(&p, &sets).expect_err("should fail");
        (p.display().to_string(), e.into_errors())
    }

    /// The single error of loading `text`.
    fn one_error(text: &str, sets: &[&str]) -> (String, Located) {
        let (file, mut es) = errors(text, sets);
        assert_eq!(es.len(), 1, "{es:#?}");
        (file, es.remove(0))
    }

    #[test]
    fn an_integer_beyond_toml_names_its_key_and_range() {
        // It gave `TOML syntax error: u64 value was too large`, while
        // `seed = -1` named the key and its range.
        let big = "9223372036854775808";
        let text = toy_with("seed = 7", &format!("seed = {big}"));
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (line_of(&text, big), 8));
        assert_eq!(
            e.message,
            format!(
                "`seed` = {big} is out of range: must be a whole number from 0 to 9223372036854775807"
            )
        );
        let text = toy_with("list_price = 9.0", "list_price = 99999999999999999999");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "99999999999999999999"));
        assert!(
            e.message.starts_with(
                "`suppliers.korea_land.lines.k2.list_price` = 99999999999999999999 is out of range: must be "
            ) && e.message.ends_with("(US$ m per unit)"),
            "{}",
            e.message
        );
        let text = toy_with(
            "reliability_prior = [4.0, 1.0]",
            "reliability_prior = [4.0, -99999999999999999999]",
        );
        let (_, e) = one_error(&text, &[]);
        assert!(
            e.message.starts_with(
                "`market.reliability_prior[1]` = -99999999999999999999 is out of range: must be > 0"
            ),
            "{}",
            e.message
        );
        // A swept key's bound: the key's name holds dots, and the bound's
        // range is the sweep's, not TOML's.
        let text = format!(
            "{TOY}\n[sweep]\npoints = 2\n[sweep.parameters]\n\"preferences.default.delivery\" = {{ min = 0.2, max = 99999999999999999999 }}\n"
        );
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "99999999999999999999"));
        assert_eq!(
            e.message,
            "`sweep.parameters.preferences.default.delivery.max` = 99999999999999999999 is out of range: must be between -1e15 and 1e15"
        );
    }

    #[test]
    fn toy_loads_with_name_from_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "other.toml", &toy_with("name = \"toy\"\n", ""));
        let l = load(&p, &[]).unwrap();
        assert_eq!(l.name, "other");
        assert_eq!(l.scenario.name.as_deref(), Some("other"));
        assert_eq!(l.path, p);
        assert!(l.scenario.base.is_none());
        let l = load(&write(dir.path(), "toy.toml", TOY), &[]).unwrap();
        assert_eq!(l.name, "toy");
        assert_eq!(
            l.scenario.suppliers["korea_land"].lines["k9"].capacity,
            15.0
        );
    }

    #[test]
    fn source_map_records_keys_and_values() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", TOY);
        let (_, sources) = load_table(&p).unwrap();
        let e = sources
            .get("suppliers.korea_land.lines.k9.capacity")
            .unwrap();
        let line = line_of(TOY, "capacity = 15.0");
        assert_eq!((e.key.line, e.key.col), (line, 1));
        assert_eq!((e.value.line, e.value.col), (line, 12));
        // An inline table's keys and an array's elements.
        let e = sources.get("buyers.AAA.gdp.2018").unwrap();
        assert_eq!(e.value.line, line_of(TOY, "gdp = { 2014 = 500.0"));
        assert!(sources.get("market.reliability_prior[1]").is_some());
        // A table points at its header.
        let e = sources.get("suppliers.korea_land.lines.k9").unwrap();
        assert_eq!(
            e.value.line,
            line_of(TOY, "[suppliers.korea_land.lines.k9]")
        );
        assert_eq!(e.value.col, 1);
        // A default that was never written falls back to its table.
        let o = sources.value_origin("suppliers.korea_land.lines.k9.slip_share");
        assert_eq!(o.line, line_of(TOY, "[suppliers.korea_land.lines.k9]"));
        assert_eq!(sources.value_origin("nowhere"), sources.root());
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = toy_with(
            "name = \"Eastland\"",
            "name = \"Ōstland\"\nthreat_exposure2 = 1",
        );
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "threat_exposure2"));
        let text = toy_with("name = \"Eastland\"", "name = \"Ōst\"; x");
        let (_, e) = one_error(&text, &[]);
        // `name = "Ōst"; x`: the `;` is the 13th character (14th byte).
        assert_eq!((e.line, e.col), (line_of(&text, "Ōst"), 13));
    }

    #[test]
    fn syntax_error_is_located() {
        let text = toy_with("seed = 7", "seed = 7 7");
        let (file, e) = one_error(&text, &[]);
        assert_eq!(e.file, file);
        assert_eq!(e.line, line_of(&text, "seed = 7 7"));
        assert!(
            e.message.starts_with("TOML syntax error: "),
            "{}",
            e.message
        );
        assert!(!e.message.contains('\n'));
    }

    #[test]
    fn duplicate_key_is_a_syntax_error() {
        let text = toy_with("seed = 7", "seed = 7\nseed = 8");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "seed = 8"));
        assert!(e.message.starts_with("TOML syntax error"), "{}", e.message);
    }

    #[test]
    fn unknown_key_suggests_the_nearest_field() {
        let text = toy_with("capacity = 15.0", "capacty = 15.0");
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (line_of(&text, "capacty"), 1));
        assert_eq!(
            e.message,
            "unknown key `capacty` in `suppliers.korea_land.lines.k9`; did you mean `capacity`?"
        );
    }

    #[test]
    fn unknown_key_in_a_header_points_at_the_key() {
        let text = toy_with(
            "[suppliers.us_land.lines.abrams]",
            "[suppliers.us_land.lnes.abrams]",
        );
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (line_of(&text, "lnes.abrams"), 20));
        assert!(
            e.message
                .contains("unknown key `lnes` in `suppliers.us_land`; did you mean `lines`?")
        );
    }

    #[test]
    fn unknown_key_far_from_any_field_lists_them() {
        let text = toy_with("[market]", "[market]\nzzzz = 1");
        let (_, e) = one_error(&text, &[]);
        assert!(
            e.message
                .starts_with("unknown key `zzzz` in `market`; expected one of: ")
        );
        assert!(e.message.contains("defer_quarters"));
        let text = format!("zzzz = 1\n{TOY}");
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (1, 1));
        assert!(e.message.starts_with("unknown key `zzzz` at the top level"));
    }

    #[test]
    fn every_unknown_key_is_reported_at_once_in_file_order() {
        // Serde stops at the first unknown key it meets, in the order of
        // the tables' keys, not the file's: `market` before `zzzz`.
        let text = toy_with("[market]", "[market]\nqqqq = 1");
        let text = format!("zzzz = 1\n{text}").replacen("\ncapacity = ", "\ncapacty = ", 2);
        let (file, errors) = errors(&text, &["outputs.fils=[]"]);
        let said: Vec<(&str, u32, &str)> = errors
            .iter()
            .map(|e| (e.file.as_str(), e.line, e.message.as_str()))
            .collect();
        let typo = |n: usize| {
            let line = text
                .lines()
                .enumerate()
                .filter(|(_, l)| l.starts_with("capacty = "))
                .nth(n)
                .unwrap()
                .0;
            line as u32 + 1
        };
        let expected = [
            (
                file.as_str(),
                1,
                "unknown key `zzzz` at the top level; expected one of: ",
            ),
            (
                &file,
                line_of(&text, "qqqq"),
                "unknown key `qqqq` in `market`; expected one of: ",
            ),
            (&file, typo(0), "unknown key `capacty` in `suppliers."),
            (&file, typo(1), "unknown key `capacty` in `suppliers."),
            (
                COMMAND_LINE,
                1,
                "unknown key `fils` in `outputs`; did you mean `files`?",
            ),
        ];
        assert_eq!(said.len(), expected.len(), "{said:#?}");
        for (got, want) in said.iter().zip(&expected) {
            assert_eq!((got.0, got.1), (want.0, want.1), "{said:#?}");
            assert!(got.2.starts_with(want.2), "{said:#?}");
        }
        assert!(said[2].2.ends_with("; did you mean `capacity`?"));
    }

    #[test]
    fn wrong_type_names_the_key() {
        let text = toy_with("defer_quarters = 4", "defer_quarters = 2.5");
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (line_of(&text, "defer_quarters"), 18));
        assert_eq!(
            e.message,
            "`market.defer_quarters` is a number (2.5) but must be a whole number; write a whole number, e.g. `defer_quarters = 1`"
        );
        // A kind that gives its own example is not said twice.
        let (_, e) = one_error(TOY, &["shocks.invasion.quarter=2022"]);
        assert_eq!(
            e.message,
            "`shocks.invasion.quarter` is a whole number (2022) but must be a quarter such as \"2014Q1\""
        );
        let text = toy_with("seed = ", "seed = \"seven\" #");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            e.message,
            "`seed` is a string (\"seven\") but must be a whole number; write a whole number, e.g. `seed = 0`"
        );
        // Whole, but a float: it was told it must be a whole number.
        let text = toy_with("seed = ", "seed = 1e18 #");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            e.message,
            "`seed` is a number (1000000000000000000.0), a whole number written as a decimal: write its digits without a point or exponent, `seed = 1000000000000000000`"
        );
        let text = toy_with("gdp_growth = 0.03", "gdp_growth = [0.03]");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            e.message,
            "`buyers.AAA.gdp_growth` is an array but must be a number; write a number, e.g. `gdp_growth = 0.0`"
        );
    }

    #[test]
    fn a_count_too_large_for_its_type_gives_its_keys_range() {
        // The type's largest (4294967295) is not what the key allows.
        let text = toy_with("defer_quarters = 4", "defer_quarters = 5000000000");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            e.message,
            "`market.defer_quarters` = 5000000000 is out of range: must be between 1 and 400 (quarters)"
        );
    }

    #[test]
    fn a_negative_count_gives_its_keys_range_as_validation_would() {
        // `defer_quarters` starts at 1: a message saying ">= 0" sent the
        // user to 0, which validation then refused.
        let text = toy_with("defer_quarters = 4", "defer_quarters = -3");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            e.message,
            "`market.defer_quarters` = -3 is out of range: must be between 1 and 400 (quarters)"
        );
    }

    #[test]
    fn a_negative_count_of_points_gives_its_keys_range() {
        // A `usize` key: serde said "expected usize", which was shown as is.
        let text = format!(
            "{TOY}\n[sweep]\ndesign = \"random\"\npoints = -3\nreplications = 1\n\n[sweep.parameters]\n\"market.defer_quarters\" = {{ min = 1, max = 4 }}\n"
        );
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "points = -3"));
        assert_eq!(
            e.message,
            "`sweep.points` = -3 is out of range: must be between 1 and 1000000"
        );
    }

    #[test]
    fn negative_count_is_a_range_error() {
        let text = toy_with("base_lead = 6", "base_lead = -1");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(e.line, line_of(&text, "base_lead = -1"));
        assert_eq!(
            e.message,
            "`suppliers.korea_land.lines.k2.base_lead` = -1 is out of range: must be between 0 and 400 (quarters)"
        );
    }

    /// A rule between two keys is located at the one changed, here by a
    /// `--set`, whichever of the two it names first. Each of these was
    /// located at the other key, in the file, which the user had not
    /// touched (a programme's signing quarter when `start` moved, a
    /// tolerance's range when `observed` changed, ...).
    #[test]
    fn rules_between_two_keys_are_located_at_the_set_that_broke_them() {
        let upgrade = format!(
            "{TOY}\n[programmes.up]\nbuyer = \"AAA\"\nsupplier = \"aaa_works\"\nline = \"t72_upgrade\"\nsigned = \"2013Q1\"\nunits = 100\n"
        );
        let eu = toy_with(
            "eu_since = \"2004Q2\"",
            "eu_since = \"2004Q2\"\neu_until = \"2020Q1\"",
        );
        for (text, set, says) in [
            (
                TOY.to_string(),
                "start=\"2012Q1\"",
                "is not before `start` = \"2012Q1\"",
            ),
            (
                TOY.to_string(),
                "start=\"1923Q4\"",
                "401 quarters simulated",
            ),
            (
                TOY.to_string(),
                "targets.aaa_share_of_kor.observed=0.5",
                "does not contain the observed value 0.5",
            ),
            (
                TOY.to_string(),
                "targets.kor_value_2022.observed=0",
                "gives an accepted interval of no width",
            ),
            // Numbers far from 1 are said in scientific notation, not in
            // hundreds of digits.
            (
                TOY.to_string(),
                "targets.kor_value_2022.observed=1e-300",
                "of no width (under 1e-9 of the observed value, or of 1) around 1e-300:",
            ),
            (
                TOY.to_string(),
                "targets.aaa_share_of_kor.tolerance.range=[1e-300, 2e-300]",
                "[1e-300, 2e-300] does not contain the observed value 0.9",
            ),
            (
                TOY.to_string(),
                "market.development_split=[1e-300, 1e-300, 1e-300]",
                "adds up to 3e-300: the shares",
            ),
            (
                eu,
                "buyers.AAA.eu_since=\"2021Q1\"",
                "is not after `eu_since`",
            ),
            (
                upgrade,
                "buyers.AAA.fleet.tank.legacy=50",
                "take 100 legacy units, more than the 50",
            ),
            (
                TOY.to_string(),
                "buyers.AAA.fleet={}",
                "names no family of the scenario",
            ),
            // A key under the one the rule reads counts as changing it.
            (
                TOY.to_string(),
                "buyers.CCC.fleet.tank.families.leopard2=301",
                "add up to 301, more than the 300 modern units",
            ),
            // Rules of a stock line with another key.
            (
                TOY.to_string(),
                "suppliers.us_stocks.lines.used_abrams.initial_backlog=5",
                "is a stock line: it sells units already built, with no production to order, queue or divert from; remove `initial_backlog` (or `stock`, for a production line)",
            ),
            (
                TOY.to_string(),
                "suppliers.us_stocks.lines.used_abrams.divertible_share=0.9",
                "is a stock line: it sells units already built, with no production to order, queue or divert from; remove `divertible_share`",
            ),
            (
                TOY.to_string(),
                "suppliers.us_stocks.lines.used_abrams.upgrades=\"t72\"",
                "has both `stock` and `upgrades`",
            ),
        ] {
            let (_, es) = errors(&text, &[set]);
            let e = es
                .iter()
                .find(|e| e.message.contains(says))
                .unwrap_or_else(|| panic!("{set}: {es:#?}"));
            assert_eq!(
                (e.file.as_str(), e.line, e.col),
                ("<command line>", 1, 1),
                "{set}: {e:?}"
            );
        }
    }

    /// A missing table says its keys: the required ones of a section, or
    /// all of a table that requires none (a tolerance: one of them).
    #[test]
    fn a_missing_table_says_its_keys() {
        let (_, e) = one_error(
            TOY,
            &[
                "targets.x={ pattern = \"P1\", metric = \"value\", observed = 1.0, from = \"2022Q1\", to = \"2022Q4\" }",
            ],
        );
        assert_eq!(
            e.message,
            "missing key `tolerance` in `targets.x`; add `tolerance = { abs = ... }` (its keys: abs, rel, range)"
        );
        let at = TOY.find("[market]").unwrap();
        let end = at + TOY[at + 1..].find("\n[").unwrap() + 2;
        let (_, e) = one_error(&format!("{}{}", &TOY[..at], &TOY[end..]), &[]);
        assert!(
            e.message.starts_with(
                "missing key `market` at the top level; add the table `[market]` with its required keys: commitment_years, acceptable_lead,"
            ),
            "{}",
            e.message
        );
    }

    /// An id refused for its form (spaces at an end, a dot) is not
    /// offered as the fix of a reference to it: `west` was told "did you
    /// mean ` west`?", the refused id. It is told the id to write instead.
    #[test]
    fn a_refused_id_is_not_offered_to_its_references() {
        for bad in ["\" west\"", "\"we.st\""] {
            let text = TOY.replace("[regions.west]", &format!("[regions.{bad}]"));
            let (_, es) = errors(&text, &[]);
            let region = es
                .iter()
                .find(|e| {
                    e.message
                        .starts_with("`buyers.CCC.region` names region `west`")
                })
                .unwrap_or_else(|| panic!("{bad}: {es:#?}"));
            assert!(
                region.message.ends_with(&format!(
                    "; the id written {bad} is refused (said at it): write it \"west\""
                )),
                "{bad}: {}",
                region.message
            );
            assert!(
                es.iter().all(|e| !e.message.contains("did you mean")),
                "{es:#?}"
            );
        }
    }

    /// A key of production written on a stock line, in the file that
    /// gives its `stock`, is located at its value and named alone (it was
    /// located at `stock`, and told to remove keys not written).
    #[test]
    fn a_production_key_on_a_stock_line_is_located_at_it() {
        for key in ["home_orders = { 2014 = 1 }", "divertible_share = 0.55"] {
            let text = TOY.replace("stock = 120\n", &format!("stock = 120\n{key}\n"));
            let (_, e) = one_error(&text, &[]);
            let name = key.split(' ').next().unwrap();
            let value = key.find("= ").unwrap() as u32 + 3;
            assert_eq!(
                (e.line, e.col),
                (line_of(&text, key), value),
                "{key}: {e:?}"
            );
            assert!(
                e.message.ends_with(&format!(
                    "remove `{name}` (or `stock`, for a production line)"
                )),
                "{e:?}"
            );
        }
    }

    /// An upgrade line's lineage that a file changed away is located at the
    /// key it changed, not at the `buyers` table the file also writes (of
    /// equally near places the first named is taken).
    #[test]
    fn a_lineage_changed_in_a_file_is_located_at_its_key() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "toy.toml", TOY);
        let top = "base = \"toy.toml\"\nname = \"t\"\n\n[buyers.BBB]\nname = \"Northland\"\n\n[buyers.AAA.fleet.tank]\nlegacy_family = \"t80\"\n";
        let p = write(dir.path(), "t.toml", top);
        let e = load(&p, &[]).expect_err("should fail").into_errors();
        let e = e
            .iter()
            .find(|e| e.message.contains("names no family of the scenario"))
            .unwrap_or_else(|| panic!("{e:#?}"));
        assert_eq!(
            (e.file.as_str(), e.line),
            (
                p.display().to_string().as_str(),
                line_of(top, "legacy_family = \"t80\"")
            ),
            "{e:?}"
        );
    }

    /// Moving a shock leaves the events tied to it where they are: one now
    /// before its shock is refused, naming both, at what was changed (the
    /// `--set` that moved the shock; it was located at the event in the
    /// file, which the user had not touched), and at the event where the
    /// file dates it so.
    #[test]
    fn an_event_before_its_shock_is_refused() {
        let tied = toy_with(
            "kind = \"donation\"\nquarter = \"2022Q2\"",
            "kind = \"donation\"\nquarter = \"2022Q2\"\nshock = \"invasion\"",
        );
        let (_, e) = one_error(&tied, &["shocks.invasion.quarter=\"2022Q3\""]);
        assert_eq!((e.file.as_str(), e.line, e.col), ("<command line>", 1, 1));
        let early = toy_with(
            "kind = \"donation\"\nquarter = \"2022Q2\"",
            "kind = \"donation\"\nquarter = \"2021Q2\"\nshock = \"invasion\"",
        );
        let (_, in_file) = one_error(&early, &[]);
        assert_eq!(in_file.line, line_of(&early, "quarter = \"2021Q2\""));
        assert_eq!(
            e.message,
            "`events.aaa_donates_tanks.quarter` = \"2022Q2\" is before the quarter of its shock (`shocks.invasion.quarter` = \"2022Q3\"): an event tied to a shock is one of its consequences; date the event at or after the shock, or remove its `shock` key"
        );
        // In the shock's own quarter or after it, or tied to a shock this
        // world lacks (magnitude 0: the event is dropped), it loads.
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", &tied);
        for sets in [
            vec!["shocks.invasion.quarter=\"2022Q2\""],
            vec!["shocks.invasion.quarter=\"2021Q4\""],
            vec![
                "shocks.invasion.quarter=\"2022Q3\"",
                "shocks.invasion.magnitude=0.0",
            ],
        ] {
            let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
            assert!(load(&p, &sets).is_ok(), "{sets:?}");
        }
    }

    #[test]
    fn a_bad_quarter_is_located_and_explained() {
        for (key, from, to) in [
            ("start", "start = \"2014Q1\"", "start = \"2014Q5\""),
            (
                "shocks.invasion.quarter",
                "quarter = \"2022Q1\"",
                "quarter = \"2022\"",
            ),
            (
                "buyers.AAA.nato_since",
                "nato_since = \"1999Q1\"",
                "nato_since = \"1999\"",
            ),
        ] {
            let text = toy_with(from, to);
            let (_, e) = one_error(&text, &[]);
            assert_eq!(e.line, line_of(&text, to), "{key}: {e}");
            let value = to.split_once(" = ").unwrap().1;
            assert_eq!(
                e.message,
                format!(
                    "`{key}` = {value} is not a quarter: write it as YYYYQn with n from 1 to 4, e.g. \"2014Q1\""
                )
            );
        }
    }

    #[test]
    fn a_word_outside_its_vocabulary_suggests_the_nearest() {
        for (key, from, to, hint) in [
            (
                "spending.mode",
                "mode = \"observed\"",
                "mode = \"observd\"",
                "observed",
            ),
            ("outputs.files[1]", "\"summary\"]", "\"sumary\"]", "summary"),
            (
                "events.aaa_donates_tanks.kind",
                "kind = \"donation\"",
                "kind = \"donate\"",
                "donation",
            ),
        ] {
            let text = toy_with(from, to);
            let (_, e) = one_error(&text, &[]);
            assert_eq!(e.line, line_of(&text, to), "{key}: {e}");
            assert!(
                e.message.starts_with(&format!("`{key}` = "))
                    && e.message.contains("is not one of: "),
                "{e}"
            );
            assert!(
                e.message.ends_with(&format!("; did you mean `{hint}`?")),
                "{e}"
            );
        }
    }

    #[test]
    fn missing_key_points_at_the_table() {
        let text = toy_with("capacity = 15.0\n", "");
        let (_, e) = one_error(&text, &[]);
        assert_eq!(
            (e.line, e.col),
            (line_of(&text, "[suppliers.korea_land.lines.k9]"), 1)
        );
        assert_eq!(
            e.message,
            "missing key `capacity` in `suppliers.korea_land.lines.k9`; add `capacity = ...`"
        );
        let text = toy_with("seed = 7\n", "");
        let (_, e) = one_error(&text, &[]);
        assert_eq!((e.line, e.col), (1, 1));
        assert!(e.message.starts_with("missing key `seed` at the top level"));
    }

    #[test]
    fn array_instead_of_table_is_located() {
        let (_, e) = one_error("[[buyers]]\nname = \"x\"\n", &[]);
        assert_eq!(e.line, 1);
        assert!(e.message.contains("missing key") || e.message.contains("`buyers`"));
    }

    #[test]
    fn validation_reports_every_error_sorted() {
        let text = toy_with("reliability = 0.9\n", "reliability = 1.5\n").replacen(
            "list_price = 9.0",
            "list_price = -9.0",
            1,
        );
        let (file, es) = errors(&text, &[]);
        assert_eq!(es.len(), 2, "{es:#?}");
        assert!(es.iter().all(|e| e.file == file));
        assert!(es[0].line < es[1].line);
        assert_eq!(es[0].line, line_of(&text, "list_price = -9.0"));
        assert!(
            es[0]
                .message
                .contains("`suppliers.korea_land.lines.k2.list_price` = -9")
        );
        assert_eq!(es[1].line, line_of(&text, "reliability = 1.5"));
        assert!(es[1].message.contains("must be between 0 and 1"));
    }

    #[test]
    fn unreadable_and_binary_files() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("missing.toml");
        let e = load(&p, &[]).unwrap_err();
        assert_eq!(e.errors()[0].line, 0);
        assert!(
            e.to_string()
                .starts_with(&format!("{}: cannot read: ", p.display()))
        );

        let p = dir.path().join("bin.toml");
        std::fs::write(&p, b"seed = 1\nab\xff\xfecd").unwrap();
        let e = load(&p, &[]).unwrap_err();
        assert_eq!((e.errors()[0].line, e.errors()[0].col), (2, 3));
        assert!(e.errors()[0].message.contains("not UTF-8"));
    }

    #[test]
    fn base_overlays_key_by_key() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "toy.toml", TOY);
        let child = "base = \"toy.toml\"\nreplications = 2\n\
                     [market]\nreliability_prior = [2.0, 2.0]\n\
                     [suppliers.us_land.lines.abrams]\ncapacity = 40.0\n";
        let p = write(dir.path(), "child.toml", child);
        let l = load(&p, &[]).unwrap();
        // The base's name is not inherited.
        assert_eq!(l.name, "child");
        assert!(!l.resolved.contains_key("base"));
        assert!(!l.resolved.contains_key("name"));
        assert_eq!(l.scenario.replications, 2);
        assert_eq!(l.scenario.seed, 7);
        assert_eq!(l.scenario.market.reliability_prior, [2.0, 2.0]);
        assert_eq!(l.scenario.market.defer_quarters, 4);
        let abrams = &l.scenario.suppliers["us_land"].lines["abrams"];
        assert_eq!(abrams.capacity, 40.0);
        assert_eq!(abrams.list_price, 14.0);
        // Sources say which file each value came from.
        let child_file = p.display().to_string();
        let base_file = dir.path().join("toy.toml").display().to_string();
        let at = |k: &str| l.sources.value_origin(k).clone();
        assert_eq!(at("replications"), Origin::new(&child_file, 2, 16));
        assert_eq!(
            at("suppliers.us_land.lines.abrams.capacity").file,
            child_file
        );
        assert_eq!(at("market.reliability_prior[0]").file, child_file);
        let lp = at("suppliers.us_land.lines.abrams.list_price");
        assert_eq!(
            lp,
            Origin::new(&base_file, line_of(TOY, "list_price = 14.0"), 14)
        );
        assert!(l.sources.get("base").is_none());
        assert!(l.sources.get("name").is_none());
    }

    #[test]
    fn errors_in_a_base_point_into_the_base() {
        let dir = tempfile::tempdir().unwrap();
        let bad = toy_with("capacity = 4.0", "capacity = -3");
        write(dir.path(), "toy.toml", &bad);
        let p = write(dir.path(), "child.toml", "base = \"toy.toml\"\n");
        let e = load(&p, &[]).unwrap_err();
        let base_file = dir.path().join("toy.toml").display().to_string();
        assert_eq!(
            e.to_string(),
            format!(
                "{base_file}:{}:12: `suppliers.german_land.lines.pzh2000.capacity` = -3 is out of range: must be between 0 and 100000 (units started a quarter)",
                line_of(&bad, "capacity = -3")
            )
        );
    }

    #[test]
    fn base_chains_resolve_relative_to_each_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        write(dir.path(), "toy.toml", TOY);
        write(
            dir.path(),
            "sub/mid.toml",
            "base = \"../toy.toml\"\nseed = 11\n",
        );
        let p = write(
            dir.path(),
            "top.toml",
            "base = \"sub/mid.toml\"\nreplications = 3\n",
        );
        let l = load(&p, &[]).unwrap();
        assert_eq!((l.scenario.seed, l.scenario.replications), (11, 3));
        assert!(l.sources.value_origin("seed").file.ends_with("mid.toml"));
    }

    #[test]
    fn base_missing() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", "seed = 1\nbase = \"nope.toml\"\n");
        let e = load(&p, &[]).unwrap_err();
        let abs = std::path::absolute(dir.path().join("nope.toml")).unwrap();
        assert_eq!(
            e.to_string(),
            format!(
                "{}:2:8: `base` = \"nope.toml\": file not found (looked for {})",
                p.display(),
                abs.display()
            )
        );
    }

    #[test]
    fn base_cycles_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let a = write(dir.path(), "a.toml", "base = \"b.toml\"\n");
        let b = write(dir.path(), "b.toml", "base = \"a.toml\"\n");
        let e = load(&a, &[]).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!(
                "{}:1:8: `base` chain includes itself: {} -> {} -> {}; remove one of these `base` keys",
                b.display(),
                a.display(),
                b.display(),
                a.display()
            )
        );
        let s = write(dir.path(), "self.toml", "seed = 1\nbase = \"self.toml\"\n");
        let e = load(&s, &[]).unwrap_err();
        assert!(e.to_string().starts_with(&format!(
            "{}:2:8: `base` chain includes itself",
            s.display()
        )));
    }

    #[test]
    fn base_must_not_be_empty() {
        let (_, e) = one_error("seed = 1\nbase = \"\"\n", &[]);
        assert_eq!((e.line, e.col), (2, 8));
        assert_eq!(
            e.message,
            "`base` = \"\" is empty: name another scenario file (relative to this one), or remove `base`"
        );
    }

    #[test]
    fn base_must_be_a_string() {
        let (_, e) = one_error("base = 3\n", &[]);
        assert_eq!((e.line, e.col), (1, 8));
        assert!(e.message.contains("`base` must be a string"));
    }

    #[test]
    fn parse_set_reads_toml_values_or_bare_strings() {
        let v = |s: &str| parse_set(s).unwrap();
        assert_eq!(v("a.b=1.5"), ("a.b".into(), Value::Float(1.5)));
        assert_eq!(v("a = 2"), ("a".into(), Value::Integer(2)));
        assert_eq!(v("a=true"), ("a".into(), Value::Boolean(true)));
        assert_eq!(v("a=\"x y\""), ("a".into(), Value::String("x y".into())));
        assert_eq!(
            v("mode=threat"),
            ("mode".into(), Value::String("threat".into()))
        );
        assert_eq!(v("q=2022Q1"), ("q".into(), Value::String("2022Q1".into())));
        assert_eq!(v("a=x=y"), ("a".into(), Value::String("x=y".into())));
        assert_eq!(v("a=Infinity").1, Value::String("Infinity".into()));
        assert_eq!(
            v("a=[1,2]").1,
            Value::Array(vec![Value::Integer(1), Value::Integer(2)])
        );
        let t = v("a={x=1}").1;
        assert_eq!(t.as_table().unwrap()["x"], Value::Integer(1));
        // An index is no part of a key: said at the command line, not at
        // the scenario's table that holds the array.
        let e = parse_set("outputs.files[0]=market")
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("no index: set the whole array, e.g. --set 'outputs.files=[...]'"),
            "{e}"
        );
        for bad in [
            "novalue",
            "=3",
            " = 3",
            "a=1e400",
            "a=18446744073709551616",
            "a[0]=1",
        ] {
            let e = parse_set(bad).unwrap_err();
            assert!(
                e.to_string().starts_with("<command line>:1:1: --set "),
                "{e}"
            );
        }
        // A known key's own range, not TOML's.
        assert_eq!(
            parse_set("seed=99999999999999999999")
                .unwrap_err()
                .to_string(),
            "<command line>:1:1: --set `seed=99999999999999999999`: 99999999999999999999 is a number out of range (must be a whole number from 0 to 9223372036854775807)"
        );
        assert!(
            parse_set("a=1e400")
                .unwrap_err()
                .to_string()
                .ends_with("(TOML holds integers up to 9223372036854775807 and finite floats)")
        );
    }

    /// A number Rust reads but TOML does not (`05`, `.5`) was said to be
    /// out of range: it is told how TOML writes it.
    #[test]
    fn a_set_number_toml_does_not_read_is_told_how_toml_writes_it() {
        for (raw, toml) in [
            ("05", "5"),
            ("-05", "-5"),
            ("+007", "+7"),
            (".5", "0.5"),
            ("-.5", "-0.5"),
            ("5.", "5.0"),
            ("1.e3", "1.0e3"),
            ("00.5E-2", "0.5e-2"),
        ] {
            assert_eq!(toml_number(raw).as_deref(), Some(toml), "{raw}");
        }
        assert_eq!(
            parse_set("market.defer_quarters=05")
                .unwrap_err()
                .to_string(),
            "<command line>:1:1: --set `market.defer_quarters=05`: 05 is not a TOML number (TOML writes numbers without leading zeros, with a digit on each side of a point): write --set market.defer_quarters=5"
        );
        // A whole-number key is not told to write a fraction.
        assert!(
            parse_set("market.defer_quarters=02.5")
                .unwrap_err()
                .to_string()
                .ends_with("`market.defer_quarters` takes a whole number: write one without a point, e.g. --set market.defer_quarters=3")
        );
        // Out of the key's range, it is said to be.
        assert_eq!(
            parse_set("market.defer_quarters=0500")
                .unwrap_err()
                .to_string(),
            "<command line>:1:1: --set `market.defer_quarters=0500`: 0500 is a number out of range (must be between 1 and 400 (quarters))"
        );
    }

    /// A value that starts as a table, an array or a quoted string but is
    /// broken was taken as a string, and refused later as "a string but
    /// must be a table", hiding the typo: TOML's error is said instead.
    #[test]
    fn parse_set_refuses_broken_toml_with_its_error() {
        assert_eq!(
            parse_set("preferences.buyers={ AAA = { delivery = 2 }")
                .unwrap_err()
                .to_string(),
            "<command line>:1:1: --set `preferences.buyers={ AAA = { delivery = 2 }`: the value is not valid TOML (unclosed inline table, expected `}`, at the end of the value): close every `{` with `}` and quote the strings inside, e.g. --set 'preferences.buyers={ a = 1, b = \"x\" }'"
        );
        for (bad, said) in [
            ("outputs.files=[market]", "at character 2 of the value"),
            ("a=[1, 2", "unclosed array"),
            ("name=\"x y", "end the string with the quote it starts with"),
            ("name='x y", "end the string with the quote it starts with"),
            ("a={ x = 1 } y", "at character 10 of the value"),
        ] {
            let e = parse_set(bad).unwrap_err().to_string();
            assert!(
                e.starts_with("<command line>:1:1: --set `")
                    && e.contains("is not valid TOML")
                    && e.contains(said),
                "{bad}: {e}"
            );
        }
        // Words stay strings, whatever they hold after their first
        // character.
        for word in ["threat", "2022Q1", "x=y", "a{b", "o'brien", "Infinity"] {
            assert_eq!(
                parse_set(&format!("a={word}")).unwrap().1,
                Value::String(word.into()),
                "{word}"
            );
        }
    }

    #[test]
    fn sets_apply_in_order_with_coercion() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", TOY);
        let sets: Vec<String> = [
            "suppliers.korea_land.lines.k9.capacity=30",
            "market.defer_quarters=2.0",
            "market.defer_quarters=3",
            "spending.mode=threat",
            "regions.south={threat=0.1}",
            "buyers.AAA.fleet.tank.required=500",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let l = load(&p, &sets).unwrap();
        let s = &l.scenario;
        assert_eq!(s.suppliers["korea_land"].lines["k9"].capacity, 30.0);
        assert_eq!(s.market.defer_quarters, 3);
        assert_eq!(
            s.spending.mode,
            crate::scenario::schema::SpendingMode::Threat
        );
        assert_eq!(s.regions["south"].threat, 0.1);
        assert_eq!(s.buyers["AAA"].fleet["tank"].required, Some(500.0));
        assert_eq!(
            l.resolved["suppliers"]["korea_land"]["lines"]["k9"]["capacity"],
            Value::Float(30.0)
        );
        let at = |k: &str| l.sources.value_origin(k).clone();
        assert_eq!(
            at("suppliers.korea_land.lines.k9.capacity"),
            Origin::command_line(0)
        );
        assert_eq!(at("market.defer_quarters"), Origin::command_line(2));
        assert_eq!(at("regions.south.threat"), Origin::command_line(4));
        assert_eq!(Origin::command_line(4).to_string(), "<command line>:1:5");
    }

    #[test]
    fn set_errors_point_at_the_argument() {
        let (_, e) = one_error(TOY, &["seed=1", "suppliers.korea_land.lines.k9.capcity=3"]);
        assert_eq!(
            e.to_string(),
            "<command line>:1:2: unknown key `capcity` in `suppliers.korea_land.lines.k9`; did you mean `capacity`?"
        );
        let (_, e) = one_error(TOY, &["suppliers.korea_land.linez.k9.capacity=3"]);
        assert_eq!(
            e.to_string(),
            "<command line>:1:1: --set suppliers.korea_land.linez.k9.capacity: no such key `linez` in `suppliers.korea_land`; did you mean `lines`?"
        );
        // A table the scenario lacks is set whole, and the message says
        // how, with the value it was given; the suggested form loads.
        let (_, e) = one_error(TOY, &["affinity.AAA.USA=1"]);
        assert!(
            e.message.contains("no such key `affinity` at the top level; defined: ")
                && e.message.ends_with(
                    "; or, to add a table `affinity`, set it whole: --set 'affinity={ AAA = { USA = 1 } }'"
                ),
            "{e}"
        );
        // Not for a key the format does not have; with a near name, both.
        let (_, e) = one_error(TOY, &["market.nosuch.x=1"]);
        assert!(!e.message.contains("set it whole"), "{e}");
        let (_, e) = one_error(TOY, &["preferences.regions.east.price=2"]);
        assert!(
            e.message.contains("did you mean `west`? Or, to add a table `preferences.regions.east`, set it whole: --set 'preferences.regions.east={ price = 2 }'"),
            "{e}"
        );
        // Quoted for the shell whatever the value holds.
        let (_, e) = one_error(TOY, &["buyers.DDD.name=\"O'Brien\""]);
        assert!(
            e.message
                .ends_with(r#"--set "buyers.DDD={ name = \"O'Brien\" }""#),
            "{e}"
        );
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", TOY);
        let whole = "affinity={ AAA = { USA = 1 } }".to_string();
        assert!(load(&p, &[whole]).is_ok());
        assert_eq!(
            inline_value(&["a b", "c"], &Value::Float(2.5)),
            "{ \"a b\" = { c = 2.5 } }"
        );
        let (_, e) = one_error(TOY, &["seed.x=1"]);
        assert!(
            e.message.contains("`seed` is an integer, not a table"),
            "{e}"
        );
        let (_, e) = one_error(TOY, &["base=toy.toml"]);
        assert!(e.message.contains("`base` cannot be overridden"), "{e}");
        // Nor is it offered for a key it is near.
        let (_, e) = one_error(TOY, &["bar=2"]);
        assert!(
            e.message
                .starts_with("unknown key `bar` at the top level; expected one of: name,")
                && !e.message.contains("base"),
            "{e}"
        );
        let (_, e) = one_error(TOY, &["market..x=1"]);
        assert!(e.message.contains("empty key"), "{e}");
        let (_, e) = one_error(TOY, &["x", "seed=1"]);
        assert_eq!((e.file.as_str(), e.col), ("<command line>", 1));
        let (_, e) = one_error(TOY, &["seed=1", "market.defer_quarters=0"]);
        assert_eq!(
            e.to_string(),
            "<command line>:1:2: `market.defer_quarters` = 0 is out of range: must be between 1 and 400 (quarters)"
        );
        let (_, e) = one_error(TOY, &["regions.south={threat=-1}"]);
        assert_eq!((e.file.as_str(), e.col), ("<command line>", 1));
        assert!(e.message.contains("`regions.south.threat` = -1"));
    }

    #[test]
    fn sweep_style_overrides_reuse_one_table() {
        let dir = tempfile::tempdir().unwrap();
        let p = write(dir.path(), "s.toml", TOY);
        let (table, sources) = load_table(&p).unwrap();
        let origin = Origin::new("sweep.toml", 4, 3);
        for cap in [1.0, 2.0] {
            let (mut t, mut s) = (table.clone(), sources.clone());
            apply_override(
                &mut t,
                &mut s,
                "suppliers.korea_land.lines.k9.capacity",
                Value::Float(cap),
                origin.clone(),
            )
            .unwrap();
            let l = finish(t, s, &p).unwrap();
            assert_eq!(l.scenario.suppliers["korea_land"].lines["k9"].capacity, cap);
        }
        let (mut t, mut s) = (table.clone(), sources.clone());
        apply_override(
            &mut t,
            &mut s,
            "market.public_reputation",
            Value::Float(2.0),
            origin.clone(),
        )
        .unwrap();
        let e = finish(t, s, &p).unwrap_err();
        assert!(
            e.to_string()
                .starts_with("sweep.toml:4:3: `market.public_reputation` = 2"),
            "{e}"
        );
        let e = apply_override(
            &mut table.clone(),
            &mut sources.clone(),
            "market.nope.x",
            Value::Integer(1),
            origin,
        )
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("sweep.toml:4:3: `market.nope.x`: no such key `nope` in `market`"),
            "{e}"
        );
        let via_with = load_with(
            &p,
            &[("seed".into(), Value::Integer(99), Origin::command_line(0))],
        )
        .unwrap();
        assert_eq!(via_with.scenario.seed, 99);
    }

    #[test]
    fn remove_subtree_spares_siblings_with_a_common_prefix() {
        let o = Origin::new("f", 1, 1);
        let e = SourceEntry {
            key: o.clone(),
            value: o.clone(),
        };
        let mut m = SourceMap::new(o);
        for k in ["a.b", "a.b.c", "a.b[0]", "a.bc", "a.c"] {
            m.insert(k.into(), e.clone());
        }
        m.remove_subtree("a.b");
        let left: Vec<&str> = m.iter().map(|(k, _)| k).collect();
        assert_eq!(left, ["a.bc", "a.c"]);
    }
}

//! The resolved settings a sweep's fingerprints are computed from, kept in
//! its work folder so that a refused resume can name the keys that changed.
//!
//! The identity keeps only hashes, since it also goes into every result's
//! manifest; these texts are the very ones hashed (a line each), so a
//! differing fingerprint always has a differing text to compare.
//!
//! The comparison of two JSON values key by key ([`differences`],
//! [`listed`]) is also the calibration's, whose identity hashes other texts.

use serde_json::Value;

/// The texts a sweep's two fingerprints hash: the program version with the
/// resolved world without `[sweep]`, and the `[sweep]` table with its seed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// What `scenario_fingerprint` hashes: `["version", {world}]`.
    pub scenario: String,
    /// What `design_fingerprint` hashes: `[{sweep}, seed]`.
    pub design: String,
}

/// One key whose value differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// The dotted key (`preferences.default.delivery`, `sweep.points`).
    pub key: String,
    /// Its value when the sweep started, as TOML would write it (`unset`
    /// if absent).
    pub was: String,
    /// Its value now.
    pub now: String,
}

/// How two sweeps' settings differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Compared {
    /// The program versions (was, now), if they differ.
    pub version: Option<(String, String)>,
    /// The keys whose values differ, world first, then the sweep's.
    pub keys: Vec<Change>,
}

impl Settings {
    /// The file's contents: the two texts, a line each (JSON has no raw
    /// line breaks, so the lines are the texts exactly).
    pub fn to_bytes(&self) -> Vec<u8> {
        format!("{}\n{}\n", self.scenario, self.design).into_bytes()
    }

    /// The settings a file holds, if it holds two lines.
    pub fn parse(bytes: &[u8]) -> Option<Settings> {
        let (scenario, design) = two_lines(bytes)?;
        Some(Settings {
            scenario: scenario.to_string(),
            design: design.to_string(),
        })
    }

    /// How `self` (the settings a sweep started with) differs from `now`,
    /// or `None` if either cannot be read.
    pub fn compare(&self, now: &Settings) -> Option<Compared> {
        let pair = |t: &str| -> Option<(Value, Value)> {
            match serde_json::from_str(t).ok()? {
                Value::Array(v) if v.len() == 2 => {
                    let mut v = v.into_iter();
                    Some((v.next()?, v.next()?))
                }
                _ => None,
            }
        };
        let (was_version, was_world) = pair(&self.scenario)?;
        let (now_version, now_world) = pair(&now.scenario)?;
        let (was_sweep, was_seed) = pair(&self.design)?;
        let (now_sweep, now_seed) = pair(&now.design)?;
        let mut c = Compared::default();
        if was_version != now_version {
            c.version = Some((plain(&was_version), plain(&now_version)));
        }
        walk("", Some(&was_world), Some(&now_world), &mut c.keys);
        walk("sweep", Some(&was_sweep), Some(&now_sweep), &mut c.keys);
        // The seed used when `sweep.seed` is unset is the world's `seed`;
        // named only if neither of those keys already says so.
        let seeded = c
            .keys
            .iter()
            .any(|k| k.key == "seed" || k.key == "sweep.seed");
        if was_seed != now_seed && !seeded {
            c.keys.push(Change {
                key: "the sweep's seed".into(),
                was: shown(Some(&was_seed)),
                now: shown(Some(&now_seed)),
            });
        }
        Some(c)
    }
}

/// The keys under which `was` and `now` (two JSON values, as hashed)
/// differ, each named under `key` (empty: from the top).
pub fn differences(key: &str, was: &Value, now: &Value) -> Vec<Change> {
    let mut out = Vec::new();
    walk(key, Some(was), Some(now), &mut out);
    out
}

/// How many changed keys a refusal names (the rest are counted).
pub const NAMED: usize = 4;

/// The first [`NAMED`] of `keys` described ([`Change::describe`]), then
/// how many more there are: a refusal stays a few lines long whatever was
/// changed.
pub fn listed(keys: &[Change]) -> Vec<String> {
    listed_as(keys, Change::describe)
}

/// [`listed`], each key described by `describe`.
pub fn listed_as(keys: &[Change], describe: fn(&Change) -> String) -> Vec<String> {
    let mut named: Vec<String> = keys.iter().take(NAMED).map(describe).collect();
    if keys.len() > NAMED {
        named.push(format!("and {} more", keys.len() - NAMED));
    }
    named
}

/// A program version as the program says it: without quotes.
pub fn plain(v: &Value) -> String {
    v.as_str().map_or_else(|| v.to_string(), str::to_string)
}

/// The two lines of a settings file (a sweep's or a calibration's), if it
/// holds exactly two and a final line break: a torn file holds none.
pub fn two_lines(bytes: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = text.split('\n');
    let (first, second) = (lines.next()?, lines.next()?);
    if lines.next() != Some("") || lines.next().is_some() {
        return None;
    }
    Some((first, second))
}

impl Change {
    /// "`key` was X, now Y".
    pub fn describe(&self) -> String {
        format!("{} was {}, now {}", self.key, self.was, self.now)
    }

    /// "`key` X vs Y": two results side by side, neither earlier.
    pub fn versus(&self) -> String {
        format!("{} {} vs {}", self.key, self.was, self.now)
    }
}

/// Push every key under `key` whose value differs between `was` and `now`.
fn walk(key: &str, was: Option<&Value>, now: Option<&Value>, out: &mut Vec<Change>) {
    match (was, now) {
        (Some(Value::Object(a)), Some(Value::Object(b))) if !is_datetime(a) && !is_datetime(b) => {
            let mut names: Vec<&String> = a.keys().collect();
            names.extend(b.keys().filter(|k| !a.contains_key(*k)));
            names.sort();
            for name in names {
                walk(&joined(key, name), a.get(name), b.get(name), out);
            }
        }
        // Arrays of tables (a list of targets) by element, so that the key
        // inside the element is named; other arrays as one value.
        (Some(Value::Array(a)), Some(Value::Array(b)))
            if a.len() == b.len() && a.iter().chain(b).any(Value::is_object) =>
        {
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                walk(&format!("{key}[{i}]"), Some(x), Some(y), out);
            }
        }
        _ => {
            // An unset option is written `null`: the same as absent.
            let null = Value::Null;
            let (a, b) = (was.unwrap_or(&null), now.unwrap_or(&null));
            if a != b {
                out.push(Change {
                    key: if key.is_empty() {
                        "(the whole file)".into()
                    } else {
                        key.to_string()
                    },
                    was: shown(Some(a)),
                    now: shown(Some(b)),
                });
            }
        }
    }
}

/// How the `toml` crate writes a date-time as JSON: one private key.
fn is_datetime(m: &serde_json::Map<String, Value>) -> bool {
    m.len() == 1 && m.keys().all(|k| k.starts_with("$__toml_private"))
}

/// `key.name`, quoting `name` as TOML would if it is not a bare key (a swept
/// path such as `sweep.parameters."preferences.default.delivery"`).
fn joined(key: &str, name: &str) -> String {
    let bare = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    let name = if bare {
        name.to_string()
    } else {
        Value::String(name.to_string()).to_string()
    };
    if key.is_empty() {
        name
    } else {
        format!("{key}.{name}")
    }
}

/// A value as TOML would write it inline, cut short past 60 characters.
fn shown(v: Option<&Value>) -> String {
    const LONGEST: usize = 60;
    let text = match v {
        None | Some(Value::Null) => return "unset".into(),
        Some(v) => inline(v),
    };
    if text.chars().count() > LONGEST {
        let cut: String = text.chars().take(LONGEST).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// A value inline: `1.5`, `"text"`, `[1, 2]`, `{ a = 1 }`.
fn inline(v: &Value) -> String {
    match v {
        Value::Object(m) if is_datetime(m) => m.values().next().map_or_else(String::new, |d| {
            d.as_str().map_or_else(|| d.to_string(), str::to_string)
        }),
        Value::Object(m) => {
            let fields: Vec<String> = m
                .iter()
                .filter(|(_, x)| !x.is_null())
                .map(|(k, x)| format!("{} = {}", joined("", k), inline(x)))
                .collect();
            if fields.is_empty() {
                "{}".into()
            } else {
                format!("{{ {} }}", fields.join(", "))
            }
        }
        Value::Array(a) => {
            let items: Vec<String> = a.iter().map(inline).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Null => "unset".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(world: &str, sweep: &str) -> Settings {
        Settings {
            scenario: format!("[\"0.1.0\",{world}]"),
            design: format!("[{sweep},11]"),
        }
    }

    #[test]
    fn the_file_holds_the_texts_exactly() {
        let s = settings(r#"{"a":1}"#, r#"{"points":12}"#);
        assert_eq!(Settings::parse(&s.to_bytes()), Some(s.clone()));
        let torn = &s.to_bytes()[..s.to_bytes().len() - 1];
        assert_eq!(Settings::parse(torn), None);
    }

    #[test]
    fn differing_keys_are_named_with_both_values() {
        let was = settings(
            r#"{"preferences":{"default":{"delivery":1.5}},"seed":3}"#,
            r#"{"replications":10,"parameters":{"a.b":{"min":0.5}}}"#,
        );
        let now = settings(
            r#"{"preferences":{"default":{"delivery":2.0}},"seed":3,"name":"x"}"#,
            r#"{"replications":20,"parameters":{"a.b":{"min":0.5}}}"#,
        );
        let c = was.compare(&now).unwrap();
        let said: Vec<String> = c.keys.iter().map(Change::describe).collect();
        assert_eq!(
            said,
            [
                "name was unset, now \"x\"",
                "preferences.default.delivery was 1.5, now 2.0",
                "sweep.replications was 10, now 20",
            ]
        );
        assert_eq!(c.version, None);
    }

    #[test]
    fn a_swept_path_is_quoted_and_a_version_is_told_apart() {
        let was = settings(r#"{}"#, r#"{"parameters":{"a.b":{"min":0.5}}}"#);
        let mut now = settings(r#"{}"#, r#"{"parameters":{"a.b":{"min":0.6}}}"#);
        now.scenario = now.scenario.replace("0.1.0", "0.2.0");
        let c = was.compare(&now).unwrap();
        assert_eq!(c.keys[0].key, "sweep.parameters.\"a.b\".min");
        assert_eq!(c.version, Some(("0.1.0".into(), "0.2.0".into())));
    }
}

//! What each path of the scenario format holds, traced from the schema's
//! own `Deserialize` code (so it cannot drift from it): the format
//! reference's tests hold the key table to it, and loading uses it to
//! refuse a list written where a table of named keys belongs, and to find
//! every unknown key of a file at once (serde stops at the first).

use crate::scenario::schema::Scenario;
use serde::Deserialize;
use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::OnceLock;

/// What a path of the schema holds, as serde sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A struct, with its fields.
    Struct(&'static [&'static str]),
    /// A map of entries keyed by id (`*` in a path).
    Map,
    /// A list (`[]` in a path, for any of its elements).
    Seq,
    /// A value, of the kind named.
    Leaf(&'static str),
}

#[derive(Debug)]
struct TraceError(String);

impl std::fmt::Display for TraceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for TraceError {}

impl de::Error for TraceError {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        TraceError(msg.to_string())
    }
}

/// A deserializer that walks a type's schema instead of data: every
/// struct's fields, one entry of every map (`*`), one element of every
/// list, recording what each path holds, and giving every leaf a value
/// its type accepts.
struct Tracer<'a> {
    path: String,
    out: &'a RefCell<BTreeMap<String, Shape>>,
}

impl<'a> Tracer<'a> {
    fn at(&self, key: &str) -> Tracer<'a> {
        let path = if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        };
        Tracer {
            path,
            out: self.out,
        }
    }

    /// Record what this path holds (the top level as the empty path).
    fn record(&self, shape: Shape) {
        self.out.borrow_mut().insert(self.path.clone(), shape);
    }
}

/// What a visitor expects, as text.
struct Expecting<'v, V>(&'v V);

impl<'de, V: Visitor<'de>> std::fmt::Display for Expecting<'_, V> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.expecting(f)
    }
}

struct Elements<'a> {
    tracer: Option<Tracer<'a>>,
    left: usize,
}

impl<'de> SeqAccess<'de> for Elements<'_> {
    type Error = TraceError;
    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, TraceError> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        let t = self.tracer.as_ref().expect("elements");
        seed.deserialize(Tracer {
            path: format!("{}[]", t.path),
            out: t.out,
        })
        .map(Some)
    }
}

struct Entries<'a> {
    tracer: Tracer<'a>,
    keys: Vec<&'static str>,
    next: usize,
}

impl<'de> MapAccess<'de> for Entries<'_> {
    type Error = TraceError;
    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, TraceError> {
        match self.keys.get(self.next) {
            Some(k) => seed.deserialize(k.into_deserializer()).map(Some),
            None => Ok(None),
        }
    }
    fn next_value_seed<V: DeserializeSeed<'de>>(
        &mut self,
        seed: V,
    ) -> Result<V::Value, TraceError> {
        let key = self.keys[self.next];
        self.next += 1;
        seed.deserialize(self.tracer.at(key))
    }
}

macro_rules! leaf {
    ($($method:ident => $shape:literal, $visit:ident($value:expr);)*) => {
        $(fn $method<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
            self.record(Shape::Leaf($shape));
            v.$visit($value)
        })*
    };
}

impl<'de> Deserializer<'de> for Tracer<'_> {
    type Error = TraceError;
    leaf! {
        deserialize_bool => "boolean", visit_bool(false);
        deserialize_i8 => "integer", visit_i64(1);
        deserialize_i16 => "integer", visit_i64(1);
        deserialize_i32 => "integer", visit_i64(1);
        deserialize_i64 => "integer", visit_i64(1);
        deserialize_u8 => "integer", visit_u64(1);
        deserialize_u16 => "integer", visit_u64(1);
        deserialize_u32 => "integer", visit_u64(1);
        deserialize_u64 => "integer", visit_u64(1);
        deserialize_f32 => "number", visit_f64(1.0);
        deserialize_f64 => "number", visit_f64(1.0);
        deserialize_any => "any", visit_str("");
    }
    fn deserialize_unit<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
    fn deserialize_ignored_any<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
    fn deserialize_char<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(v)
    }
    fn deserialize_string<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(v)
    }
    fn deserialize_str<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        // The vocabularies and quarters say what they take.
        let expecting = Expecting(&v).to_string();
        if let Some(words) = expecting.strip_prefix("one of: ") {
            self.record(Shape::Leaf("word"));
            let first = words.split(", ").next().unwrap_or("").to_string();
            return v.visit_str(&first);
        }
        if expecting.contains("quarter") {
            self.record(Shape::Leaf("quarter"));
            return v.visit_str("2014Q1");
        }
        self.record(Shape::Leaf("text"));
        v.visit_str("x")
    }
    fn deserialize_bytes<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(v)
    }
    fn deserialize_byte_buf<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(v)
    }
    fn deserialize_option<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        v.visit_some(self)
    }
    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, TraceError> {
        v.visit_unit()
    }
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        v: V,
    ) -> Result<V::Value, TraceError> {
        v.visit_newtype_struct(self)
    }
    fn deserialize_seq<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_tuple(1, v)
    }
    fn deserialize_tuple<V: Visitor<'de>>(self, len: usize, v: V) -> Result<V::Value, TraceError> {
        self.record(Shape::Seq);
        v.visit_seq(Elements {
            tracer: Some(self),
            left: len,
        })
    }
    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        len: usize,
        v: V,
    ) -> Result<V::Value, TraceError> {
        self.deserialize_tuple(len, v)
    }
    fn deserialize_map<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.record(Shape::Map);
        v.visit_map(Entries {
            tracer: self,
            keys: vec!["*"],
            next: 0,
        })
    }
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        fields: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, TraceError> {
        self.record(Shape::Struct(fields));
        v.visit_map(Entries {
            tracer: self,
            keys: fields.to_vec(),
            next: 0,
        })
    }
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        name: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> Result<V::Value, TraceError> {
        Err(TraceError(format!("enum {name} at {}", self.path)))
    }
    fn deserialize_identifier<V: Visitor<'de>>(self, v: V) -> Result<V::Value, TraceError> {
        self.deserialize_str(v)
    }
}

/// `prefix.key`, or `key` at the top.
pub(crate) fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_string()
    } else {
        format!("{prefix}.{key}")
    }
}

/// Every path of the schema, with what it holds (`*` for any entry of a
/// map, `[]` for any element of a list; the top level is the empty path),
/// traced once.
pub(crate) fn schema() -> &'static BTreeMap<String, Shape> {
    static SCHEMA: OnceLock<BTreeMap<String, Shape>> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        let out = RefCell::new(BTreeMap::new());
        Scenario::deserialize(Tracer {
            path: String::new(),
            out: &out,
        })
        .expect("the schema traces");
        out.into_inner()
    })
}

/// What a resolved scenario table holds that its schema does not take,
/// found in one walk, so that a file's every such mistake is reported at
/// once.
#[derive(Debug, Default)]
pub(crate) struct Misfits {
    /// Where the table holds an array for a table of named keys, as (its
    /// path, the table's keys). Serde fills a struct from a list by
    /// position, so `tolerance = [0.5]` would silently read as its first
    /// key (`abs`): such a value must be refused before it is read.
    pub lists: Vec<(String, &'static [&'static str])>,
    /// Keys no table of the schema takes, as (the table's path, the key,
    /// the keys the table takes).
    pub unknown: Vec<(String, String, &'static [&'static str])>,
}

/// The [`Misfits`] of `table`, in the order of the table.
pub(crate) fn misfits(table: &toml::Table) -> Misfits {
    let mut out = Misfits::default();
    walk_table(table, "", "", schema(), &mut out);
    out
}

/// Where `table` holds an array for a table of named keys ([`Misfits::lists`]).
pub(crate) fn arrays_for_tables(table: &toml::Table) -> Vec<(String, &'static [&'static str])> {
    misfits(table).lists
}

/// The keys of the table of named keys at the dotted `path` (ids hold no
/// dots), if `value` written there would be, or hold, a list where such a
/// table belongs: a sweep's listed values, which reach the world without
/// [`arrays_for_tables`] seeing them.
pub(crate) fn list_for_table_at(
    path: &str,
    value: &toml::Value,
) -> Option<&'static [&'static str]> {
    let mut nested = value.clone();
    for key in path.rsplit('.') {
        let mut t = toml::Table::new();
        t.insert(key.to_string(), nested);
        nested = toml::Value::Table(t);
    }
    let toml::Value::Table(table) = nested else {
        return None;
    };
    arrays_for_tables(&table).first().map(|(_, fields)| *fields)
}

/// A table of named keys with these `fields` as a message shows how to
/// write it: `{ abs = ... }`.
pub(crate) fn table_example(fields: &[&str]) -> String {
    format!("{{ {} = ... }}", fields.first().unwrap_or(&"key"))
}

/// [`misfits`] below `pattern` (the schema's path of `path`).
fn walk_table(
    table: &toml::Table,
    pattern: &str,
    path: &str,
    schema: &BTreeMap<String, Shape>,
    out: &mut Misfits,
) {
    // A map's entries are its `*`; a struct's keys are its fields.
    let fields = match schema.get(pattern) {
        Some(Shape::Map) => None,
        Some(Shape::Struct(fields)) => Some(*fields),
        // Not reached: only tables the schema has are walked.
        _ => return,
    };
    for (key, value) in table {
        let child = match fields {
            None => join(pattern, "*"),
            Some(fields) if fields.contains(&key.as_str()) => join(pattern, key),
            Some(fields) => {
                out.unknown.push((path.to_string(), key.clone(), fields));
                continue;
            }
        };
        walk_value(value, &child, &join(path, key), schema, out);
    }
}

fn walk_value(
    value: &toml::Value,
    pattern: &str,
    path: &str,
    schema: &BTreeMap<String, Shape>,
    out: &mut Misfits,
) {
    match (value, schema.get(pattern)) {
        (toml::Value::Array(_), Some(Shape::Struct(fields))) => {
            out.lists.push((path.to_string(), fields))
        }
        (toml::Value::Array(items), Some(Shape::Seq)) => {
            let pattern = format!("{pattern}[]");
            for (i, item) in items.iter().enumerate() {
                walk_value(item, &pattern, &format!("{path}[{i}]"), schema, out);
            }
        }
        (toml::Value::Table(t), Some(Shape::Struct(_) | Shape::Map)) => {
            walk_table(t, pattern, path, schema, out)
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_found_where_tables_of_named_keys_belong() {
        let table: toml::Table = r#"
            categories = ["tank", "spg"]
            spending = ["threat"]
            [regions.west]
            threat = 0.1
            [regions.east]
            threat = [0.2]
            [targets.t]
            tolerance = { range = [0.8, 1.0] }
            [targets.u]
            tolerance = [0.5]
            [sweep.parameters]
            "market.defer_quarters" = [[1, 2]]
            "market.access_base" = { values = [0.1, 0.2] }
        "#
        .parse()
        .unwrap();
        let found: Vec<String> = arrays_for_tables(&table)
            .into_iter()
            .map(|(path, _)| path)
            .collect();
        // Lists of values (`categories`, a `range`, `values`) are lists;
        // a list of numbers for a number is serde's to refuse.
        assert_eq!(
            found,
            [
                "spending",
                "sweep.parameters.market.defer_quarters",
                "targets.u.tolerance"
            ]
        );
        let (_, fields) = &arrays_for_tables(&table)[0];
        assert_eq!(*fields, ["mode", "adjust_speed"]);
    }
}

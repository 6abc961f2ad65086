//! A resolved scenario into which values are written by dotted path before
//! it is compiled: a sweep's points and a calibration's particles are both
//! such worlds, and both must report a bad value where it was written.
//!
//! The base is deserialized once. A point's values are written into copies
//! of the top-level tables they touch only, and only those tables are
//! deserialized again into a copy of the typed base: reading the whole
//! scenario afresh costs several times a world's compilation. The copies
//! are kept and used again (one per thread at work), with the touched
//! tables put back after each world, since copying a whole scenario costs
//! about half a world's compilation. A value inside one entry of a map of
//! entries (`buyers.POL.gdp`, `suppliers.hanwha.lines.k9.capacity`) has
//! only that entry read again and put back: reading all of `buyers` again
//! costs more than the patched world it feeds. Any value that fails on
//! that path is written again through the whole-table path, which locates
//! the error at `FILE:LINE:COL`. The base's world is compiled once too: a
//! world whose values all lie where [`World::patched`] reads them again is
//! a copy of it with those values read again, and takes the base's
//! targets.

use crate::analysis::Targets;
use crate::model::World;
use crate::model::schedule;
use crate::scenario::schema::Scenario;
use crate::scenario::{self, Origin, ScenarioError, SourceMap, validate};
use serde::Deserialize;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

/// A value to write: (dotted path, value, where it was asked for).
pub type Setting<'a> = (&'a str, &'a toml::Value, &'a Origin);

/// Most parameters whose every corner is checked before a sweep or a
/// calibration runs: 2^8 = 256 worlds, a fraction of a second.
pub const CORNER_DIMS: usize = 8;

/// The corners of a box of `dims` parameters to check, each as whether
/// each parameter is at its upper bound: all 2^`dims` of them up to
/// [`CORNER_DIMS`] parameters, else the two of all lower and all upper
/// bounds.
fn corners(dims: usize) -> Vec<Vec<bool>> {
    if dims > CORNER_DIMS {
        return vec![vec![false; dims], vec![true; dims]];
    }
    (0..1u32 << dims)
        .map(|mask| (0..dims).map(|i| mask >> i & 1 == 1).collect())
        .collect()
}

/// The sets of values a sweep or a calibration compiles before it runs,
/// given each parameter's extremes in ascending order (a range's two
/// bounds, or a list's values): each parameter alone at each of its
/// extremes, then, with more than one parameter, the corners of the box
/// (each parameter at its first or last extreme: all of them up to
/// [`CORNER_DIMS`] parameters, else all first and all last). A set is
/// (parameter index, value) pairs. Every point lies within these, so a
/// rule one of them breaks, alone or with another key (legacy units at
/// most the units), is found before anything runs.
pub fn extreme_sets<T>(extremes: &[Vec<T>]) -> Vec<Vec<(usize, &T)>> {
    let mut sets: Vec<Vec<(usize, &T)>> = extremes
        .iter()
        .enumerate()
        .flat_map(|(i, e)| e.iter().map(move |v| vec![(i, v)]))
        .collect();
    if extremes.len() > 1 {
        for upper in corners(extremes.len()) {
            sets.push(
                extremes
                    .iter()
                    .zip(upper)
                    .enumerate()
                    .map(|(i, (e, up))| (i, if up { &e[e.len() - 1] } else { &e[0] }))
                    .collect(),
            );
        }
    }
    sets
}

/// A resolved scenario table (after `base`) and the file it came from.
#[derive(Debug)]
pub struct Overlay {
    /// Where each key of `base` was written (its file, line and column
    /// across the `base` chain), so that a point's error inside an
    /// inherited table is located there.
    sources: SourceMap,
    base: toml::Table,
    /// The base deserialized and valid (`None`: it is not, and every world
    /// takes the whole-table path).
    typed: Option<Scenario>,
    /// Copies of `typed`, equal to it between uses, to write values into.
    spare: Mutex<Vec<Scenario>>,
    /// `typed`'s world and targets, made when first asked for (`None`: they
    /// do not compile): worlds that differ from it only at paths that
    /// [`World::patches`] are patched copies of it, with its targets, which
    /// read none of those values and only the ids of the world.
    world: OnceLock<Option<(World, Targets)>>,
}

/// A clone starts without kept copies: they are made as its threads ask.
impl Clone for Overlay {
    fn clone(&self) -> Overlay {
        Overlay {
            sources: self.sources.clone(),
            base: self.base.clone(),
            typed: self.typed.clone(),
            spare: Mutex::default(),
            world: self.world.clone(),
        }
    }
}

impl Overlay {
    /// The resolved table `base` of a scenario, with where its keys were
    /// written (`sources`, as loading the scenario found them).
    pub fn new(sources: SourceMap, base: toml::Table) -> Overlay {
        let typed = Scenario::deserialize(toml::Value::Table(base.clone()))
            .ok()
            .filter(|sc| validate::validate(sc).is_empty());
        Overlay {
            sources,
            base,
            typed,
            spare: Mutex::default(),
            world: OnceLock::new(),
        }
    }

    /// The resolved table.
    pub fn base(&self) -> &toml::Table {
        &self.base
    }

    /// The base table with `values` written in order, and where each value
    /// came from.
    pub fn table_with(
        &self,
        values: &[Setting<'_>],
    ) -> Result<(toml::Table, SourceMap), ScenarioError> {
        let mut table = self.base.clone();
        let mut sources = self.sources.clone();
        for &(path, value, origin) in values {
            scenario::apply_override(
                &mut table,
                &mut sources,
                path,
                value.clone(),
                origin.clone(),
            )?;
        }
        Ok((table, sources))
    }

    /// Compile the world with `values` written. Deserialization takes the
    /// fast path; only a world that fails it is read again through the
    /// path that locates the error. A world whose values all lie at paths
    /// that [`World::patches`] is the base's world patched, not compiled,
    /// and takes the base's warm-up start states where it spins up as the
    /// base does ([`World::spins_up_as`]).
    /// A failure to compile is reported at `at`, prefixed with `what`.
    pub fn compile_with(
        &self,
        values: &[Setting<'_>],
        at: &Origin,
        what: &str,
    ) -> Result<(World, Targets), ScenarioError> {
        let fail = |m: String| ScenarioError::new(at.error(format!("{what}: {m}")));
        // `typed`: the scenario was written on the typed path, so it
        // differs from the typed base at the values' paths only.
        let compile = |scenario: &Scenario, typed: bool| {
            let paths: Vec<&str> = values.iter().map(|&(path, ..)| path).collect();
            if let (true, Some((base, targets))) = (typed, self.base_compiled())
                && let Some(patched) = base.patched(scenario, &paths)
            {
                let mut world = patched.map_err(|e| fail(e.0))?;
                if world.spins_up_as(base, &paths) {
                    // The base's spin-up, run once for every such point.
                    let states = schedule::start_states(base);
                    world.start_states = OnceLock::from(Arc::clone(states));
                }
                return Ok((world, targets.clone()));
            }
            let world = World::from_scenario(scenario).map_err(|e| fail(e.0))?;
            let targets = Targets::compile(scenario, &world).map_err(fail)?;
            Ok((world, targets))
        };
        match self.with_typed(values, |sc| compile(sc, true)) {
            Some(compiled) => compiled,
            None => compile(&self.whole_with(values)?, false),
        }
    }

    /// Whether the scenario with `values` written passes every check of
    /// its reading (no world is compiled): on the typed path, the checks of
    /// the touched tables alone; else the whole table's. Much cheaper than
    /// [`Overlay::compile_with`], so that every point of a design can be
    /// checked before it runs.
    pub fn validates_with(&self, values: &[Setting<'_>]) -> bool {
        self.with_typed(values, |_| ()).is_some() || self.whole_with(values).is_ok()
    }

    /// The typed base's world and targets, compiled once.
    fn base_compiled(&self) -> Option<&(World, Targets)> {
        self.world
            .get_or_init(|| {
                let typed = self.typed.as_ref()?;
                let world = World::from_scenario(typed).ok()?;
                let targets = Targets::compile(typed, &world).ok()?;
                Some((world, targets))
            })
            .as_ref()
    }

    /// The typed base's world, compiled once.
    #[cfg(test)]
    fn base_world(&self) -> Option<&World> {
        self.base_compiled().map(|(w, _)| w)
    }

    /// The scenario with `values` written, checked: by the typed path when
    /// it succeeds, else by the whole table, which reports where it fails.
    pub fn scenario_with(&self, values: &[Setting<'_>]) -> Result<Scenario, ScenarioError> {
        match self.with_typed(values, Scenario::clone) {
            Some(sc) => Ok(sc),
            None => self.whole_with(values),
        }
    }

    /// The typed path: `f` of the typed base with `values` written, in a
    /// kept copy whose touched tables (or map entries, see [`parts_of`])
    /// are put back after; `None` when any value fails on this path (or
    /// the result is not valid), so that the whole-table path can say why.
    fn with_typed<R>(&self, values: &[Setting<'_>], f: impl FnOnce(&Scenario) -> R) -> Option<R> {
        let base = self.typed.as_ref()?;
        let (parts, of_value) = parts_of(values, &self.base);
        let spare = || self.spare.lock().unwrap_or_else(PoisonError::into_inner);
        let popped = spare().pop();
        let mut sc = popped.unwrap_or_else(|| base.clone());
        let mut write = || -> Option<()> {
            // Only where the values came from: an error on this path is
            // located by the whole-table path.
            let mut sources = SourceMap::new(self.sources.root().clone());
            for (i, part) in parts.iter().enumerate() {
                // The base's part alone, under its own path, so that the
                // values' paths write into it as into the whole table.
                let mut one = toml::Table::new();
                match part.entry {
                    None => {
                        if let Some(v) = self.base.get(part.table) {
                            one.insert(part.table.into(), v.clone());
                        }
                    }
                    Some(e) => {
                        let v = self.base.get(part.table)?.get(e)?.clone();
                        let entries = toml::Table::from_iter([(e.to_string(), v)]);
                        one.insert(part.table.into(), entries.into());
                    }
                }
                let written = values.iter().zip(&of_value).filter(|&(_, &p)| p == i);
                for (&(path, value, origin), _) in written {
                    scenario::apply_override(
                        &mut one,
                        &mut sources,
                        path,
                        value.clone(),
                        origin.clone(),
                    )
                    .ok()?;
                }
                let mut table = one.remove(part.table)?;
                match part.entry {
                    None => set_field(&mut sc, part.table, table)?,
                    Some(e) => set_entry(&mut sc, part.table, e, table.as_table_mut()?.remove(e)?)?,
                }
            }
            Some(())
        };
        let whole = parts.iter().filter(|p| p.entry.is_none());
        let mut keys: Vec<String> = whole.map(|p| p.table.to_string()).collect();
        keys.dedup();
        let entries: Vec<(&str, &str)> = parts
            .iter()
            .filter_map(|p| Some((p.table, p.entry?)))
            .collect();
        // The base is valid and only the tables in `keys` and the entries
        // in `entries` changed: their readers' checks are all the checks
        // that can fail.
        let written =
            write().is_some() && validate::validate_touched(&sc, &keys, &entries).is_empty();
        let result = written.then(|| f(&sc));
        for part in &parts {
            match part.entry {
                None => put_back(&mut sc, base, part.table),
                Some(e) => put_back_entry(&mut sc, base, part.table, e),
            }
        }
        spare().push(sc);
        result
    }

    /// The whole-table path: write the values into a copy of the base
    /// table and read it all, locating any error.
    fn whole_with(&self, values: &[Setting<'_>]) -> Result<Scenario, ScenarioError> {
        let (table, sources) = self.table_with(values)?;
        let scenario = match Scenario::deserialize(toml::Value::Table(table)) {
            Ok(sc) => {
                let errors: Vec<_> = validate::problems(&sc)
                    .into_iter()
                    .map(|p| sources.origin_of(&p).error(p.message))
                    .collect();
                if let Some(e) = ScenarioError::from_all(errors) {
                    return Err(e);
                }
                sc
            }
            Err(_) => {
                let (table, sources) = self.table_with(values)?;
                scenario::checked(table, &sources)?
            }
        };
        Ok(scenario)
    }
}

/// Apply the macro `$apply` to the fields of a scenario that hold its
/// top-level tables.
macro_rules! top_level_tables {
    ($apply:ident) => {
        $apply!(
            name,
            description,
            seed,
            replications,
            start,
            end,
            outputs,
            spending,
            market,
            regions,
            shocks,
            categories,
            countries,
            preferences,
            affinity,
            buyers,
            suppliers,
            events,
            hypothesis,
            mechanisms,
            procedures,
            programmes,
            groups,
            targets,
        )
    };
}

/// Replace the top-level table `key` of `sc` by `value` deserialized;
/// `None` for a key that is not one of them or a value that does not read.
fn set_field(sc: &mut Scenario, key: &str, value: toml::Value) -> Option<()> {
    macro_rules! set {
        ($($field:ident),* $(,)?) => {
            match key {
                $(stringify!($field) => sc.$field = Deserialize::deserialize(value).ok()?,)*
                _ => return None,
            }
        };
    }
    top_level_tables!(set);
    Some(())
}

/// Put the top-level table `key` of `base` back into `sc` (nothing for a
/// key that is not one of them: it was not written either).
fn put_back(sc: &mut Scenario, base: &Scenario, key: &str) {
    macro_rules! put {
        ($($field:ident),* $(,)?) => {
            match key {
                $(stringify!($field) => sc.$field.clone_from(&base.$field),)*
                _ => {}
            }
        };
    }
    top_level_tables!(put);
}

/// What a sweep's values write into: a top-level table, or one entry of a
/// top-level map (`buyers.POL` for `buyers.POL.gdp`), which is then the
/// only part read again: reading all of `buyers` or `suppliers` again
/// costs more than a patched world.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Part<'p> {
    /// The top-level table.
    table: &'p str,
    /// The entry of the map, when only it is written.
    entry: Option<&'p str>,
}

/// The parts that `values` write, sorted by table, and the index of each
/// value's part. Each written entry of `buyers`, `suppliers`, `regions`,
/// `shocks` or `categories` is a part, unless a value writes that table
/// whole (a path of fewer than three keys, or an entry the base lacks):
/// the table is then one part for all its values. Any other table is one
/// part.
fn parts_of<'p>(values: &[Setting<'p>], base: &toml::Table) -> (Vec<Part<'p>>, Vec<usize>) {
    let own: Vec<Part<'p>> = values
        .iter()
        .map(|&(path, ..)| {
            let mut keys = path.split('.').map(str::trim);
            let table = keys.next().unwrap_or("");
            let entry = keys.next().filter(|e| {
                keys.next().is_some()
                    && validate::ENTRY_TABLES.contains(&table)
                    && base.get(table).and_then(|t| t.get(*e)).is_some()
            });
            Part { table, entry }
        })
        .collect();
    let whole = |table: &str| own.iter().any(|p| p.table == table && p.entry.is_none());
    let of = |p: &Part<'p>| match whole(p.table) {
        true => Part { entry: None, ..*p },
        false => *p,
    };
    let mut parts: Vec<Part<'p>> = own.iter().map(of).collect();
    parts.sort_by(|a, b| (a.table, a.entry).cmp(&(b.table, b.entry)));
    parts.dedup();
    let index = own
        .iter()
        .map(|p| parts.iter().position(|q| *q == of(p)).unwrap_or(0))
        .collect();
    (parts, index)
}

/// Apply the macro `$apply` to the fields of a scenario that are maps of
/// entries by id, each of which a value can write alone: those of
/// [`validate::ENTRY_TABLES`], whose entries validation checks alone.
macro_rules! entry_maps {
    ($apply:ident) => {
        $apply!(buyers, suppliers, regions, shocks, categories,)
    };
}

/// Replace the entry `entry` of the map `key` of `sc` by `value`
/// deserialized; `None` for a key or entry that is not there or a value
/// that does not read.
fn set_entry(sc: &mut Scenario, key: &str, entry: &str, value: toml::Value) -> Option<()> {
    macro_rules! set {
        ($($field:ident),* $(,)?) => {
            match key {
                $(stringify!($field) => {
                    *sc.$field.get_mut(entry)? = Deserialize::deserialize(value).ok()?
                })*
                _ => return None,
            }
        };
    }
    entry_maps!(set);
    Some(())
}

/// Put the entry `entry` of the map `key` of `base` back into `sc`.
fn put_back_entry(sc: &mut Scenario, base: &Scenario, key: &str, entry: &str) {
    macro_rules! put {
        ($($field:ident),* $(,)?) => {
            match key {
                $(stringify!($field) => {
                    if let (Some(to), Some(from)) = (sc.$field.get_mut(entry), base.$field.get(entry)) {
                        to.clone_from(from);
                    }
                })*
                _ => {}
            }
        };
    }
    entry_maps!(put);
}

#[cfg(test)]
mod corner_tests {
    use super::{corners, extreme_sets};

    #[test]
    fn every_corner_of_a_small_box_and_two_of_a_large_one() {
        assert_eq!(
            corners(2),
            [[false, false], [true, false], [false, true], [true, true]]
        );
        let c = corners(8);
        assert_eq!(c.len(), 256);
        let distinct: std::collections::BTreeSet<_> = c.iter().collect();
        assert_eq!(distinct.len(), 256);
        assert_eq!(corners(9), [vec![false; 9], vec![true; 9]]);
    }

    #[test]
    fn each_extreme_alone_then_the_corners() {
        let extremes = [vec![1, 2, 3], vec![10, 20]];
        let sets = extreme_sets(&extremes);
        let values: Vec<Vec<(usize, i32)>> = sets
            .iter()
            .map(|s| s.iter().map(|&(i, v)| (i, *v)).collect())
            .collect();
        assert_eq!(
            values,
            [
                vec![(0, 1)],
                vec![(0, 2)],
                vec![(0, 3)],
                vec![(1, 10)],
                vec![(1, 20)],
                vec![(0, 1), (1, 10)],
                vec![(0, 3), (1, 10)],
                vec![(0, 1), (1, 20)],
                vec![(0, 3), (1, 20)],
            ]
        );
        // One parameter: its extremes alone, no corner repeating them.
        assert_eq!(extreme_sets(&[vec![0.5, 2.0]]).len(), 2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn europe() -> Overlay {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/europe.toml");
        let (table, sources) = scenario::load_table(&path).unwrap();
        Overlay::new(sources, table)
    }

    /// `world` is `fresh`, compiled afresh, field for field. Where `world`
    /// took its base's warm-up start states ([`World::patched`]), `fresh`
    /// spins up its own to compare: the states shared are those the world
    /// would have spun up.
    #[track_caller]
    fn assert_same_world(world: &World, fresh: &World, what: &str) {
        if world.start_states.get().is_some() {
            crate::model::schedule::start_states(fresh);
        }
        assert_eq!(format!("{world:?}"), format!("{fresh:?}"), "{what}");
    }

    /// Whether the world with `settings` written is patched: `None` if the
    /// typed path does not take them.
    fn patches(o: &Overlay, settings: &[Setting<'_>]) -> Option<bool> {
        let paths: Vec<&str> = settings.iter().map(|&(p, ..)| p).collect();
        o.with_typed(settings, |sc| {
            o.base_world().unwrap().patched(sc, &paths).is_some()
        })
    }

    /// Values in several top-level tables, some twice, one an integer
    /// written as a float: the typed path gives the scenario the whole
    /// table gives, value for value.
    #[test]
    fn the_typed_path_reads_what_the_whole_table_reads() {
        let o = europe();
        assert!(o.typed.is_some(), "the shipped base is valid");
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let v = |s: &str| s.parse::<toml::Table>().unwrap()["v"].clone();
        let values = [
            ("market.defer_quarters", v("v = 3.0")),
            ("preferences.default.delivery", v("v = 0.9")),
            ("buyers.POL.threat_exposure", v("v = 1.1")),
            ("countries.KOR.export_ambition", v("v = 2")),
            ("mechanisms.diversion", v("v = false")),
            ("market.defer_quarters", v("v = 5")),
            ("affinity.default.KOR", v("v = 0.4")),
        ];
        let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
        let typed = o
            .with_typed(&settings, Scenario::clone)
            .expect("the typed path takes these");
        let whole = o.whole_with(&settings).unwrap();
        assert_eq!(format!("{typed:?}"), format!("{whole:?}"));
        assert_eq!(typed.market.defer_quarters, 5);
        assert_ne!(
            format!("{typed:?}"),
            format!("{:?}", o.typed.as_ref().unwrap())
        );
    }

    /// Which part each value writes: an entry of a map alone, unless a
    /// value writes its table whole, names an entry the base lacks or
    /// stops at the entry.
    #[test]
    fn a_value_in_one_entry_writes_that_entry_alone() {
        let o = europe();
        // Every map that validation checks entry by entry is one whose
        // entries can be written alone.
        let mut sc = o.typed.clone().unwrap();
        for table in validate::ENTRY_TABLES {
            let (id, entry) = o.base()[table].as_table().unwrap().iter().next().unwrap();
            assert!(
                set_entry(&mut sc, table, id, entry.clone()).is_some(),
                "{table}"
            );
        }
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let x = toml::Value::Integer(1);
        let part = |table, entry| Part { table, entry };
        let cases: [(&[&str], Vec<Part<'_>>, Vec<usize>); 5] = [
            (
                &[
                    "buyers.POL.gdp",
                    "market.defer_quarters",
                    "buyers.DEU.gdp",
                    "buyers.POL.spending",
                ],
                vec![
                    part("buyers", Some("DEU")),
                    part("buyers", Some("POL")),
                    part("market", None),
                ],
                vec![1, 2, 0, 1],
            ),
            (
                &[
                    "suppliers.hanwha.lines.k9.capacity",
                    " suppliers . kai .cash",
                ],
                vec![
                    part("suppliers", Some("hanwha")),
                    part("suppliers", Some("kai")),
                ],
                vec![0, 1],
            ),
            // Written whole by one value: one part for all.
            (
                &["buyers.POL.gdp", "buyers.DEU", "suppliers.hanwha.cash"],
                vec![part("buyers", None), part("suppliers", Some("hanwha"))],
                vec![0, 0, 1],
            ),
            // An entry the base lacks, and maps whose entries are not read
            // alone.
            (
                &[
                    "buyers.XXX.gdp",
                    "preferences.default.price",
                    "countries.KOR.export_ambition",
                ],
                vec![
                    part("buyers", None),
                    part("countries", None),
                    part("preferences", None),
                ],
                vec![0, 2, 1],
            ),
            (&[], vec![], vec![]),
        ];
        for (paths, parts, index) in cases {
            let settings: Vec<Setting<'_>> = paths.iter().map(|p| (*p, &x, &at)).collect();
            assert_eq!(parts_of(&settings, o.base()), (parts, index), "{paths:?}");
        }
    }

    /// Values in entries of maps, read as entries alone, give the scenario
    /// the whole table gives; a value that does not read in its entry
    /// fails on the typed path and is located where it was written.
    #[test]
    fn an_entry_read_alone_is_the_entry_read_with_its_table() {
        let o = europe();
        let at = Origin::new(String::from("sweep.toml"), 4, 2);
        let v = |s: &str| s.parse::<toml::Table>().unwrap()["v"].clone();
        let worlds = [
            vec![
                ("buyers.POL.gdp_growth", v("v = 0.05")),
                ("buyers.DEU.equipment_base", v("v = 0.3")),
                ("buyers.POL.spending_threat", v("v = 0.02")),
                ("buyers.POL.spending_threat", v("v = 0.03")),
            ],
            vec![
                ("suppliers.hanwha.lines.k9.capacity", v("v = 40")),
                ("suppliers.hanwha.cash", v("v = 900")),
                ("suppliers.hyundai_rotem.access.buyers.POL", v("v = 0.9")),
                ("countries.KOR.export_ambition", v("v = 1.5")),
                ("market.defer_quarters", v("v = 3")),
            ],
            vec![
                ("buyers.POL.threat_exposure", v("v = 1.2")),
                ("buyers.POL", o.base()["buyers"]["DEU"].clone()),
            ],
        ];
        for values in &worlds {
            let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
            let typed = o
                .with_typed(&settings, |sc| format!("{sc:?}"))
                .expect("the typed path takes these");
            let whole = o.whole_with(&settings).unwrap();
            assert_eq!(typed, format!("{whole:?}"), "{values:?}");
            assert_ne!(typed, format!("{:?}", o.typed.as_ref().unwrap()));
        }
        for (path, text) in [
            ("buyers.POL.gdp", "v = \"large\""),
            ("buyers.POL.no_such_key", "v = 1.0"),
            ("suppliers.hanwha.lines.k9.reliability", "v = 1.5"),
            ("buyers.XXX.gdp", "v = 1.0"),
        ] {
            let value = v(text);
            let settings = [(path, &value, &at)];
            assert!(o.with_typed(&settings, Scenario::clone).is_none(), "{path}");
            let e = o.scenario_with(&settings).unwrap_err().to_string();
            assert!(e.contains("sweep.toml:4:2"), "{path}: {e}");
        }
    }

    /// Worlds whose values all lie where a patch reads them again are the
    /// base's world patched, and each is the world compiled afresh from
    /// its scenario, field for field: on the shipped base and on one with
    /// mechanisms switched off (whose weights a patch must keep at 0) and
    /// budgets that answer the threat. A world that also writes another
    /// value is compiled, and a patch that names an undefined country fails
    /// as compiling does. A patched world's targets are the base's, the
    /// targets compiled afresh.
    #[test]
    fn a_patched_world_is_the_compiled_world() {
        let v = |s: &str| s.parse::<toml::Table>().unwrap()["v"].clone();
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/europe.toml");
        let (table, sources) = scenario::load_table(&path).unwrap();
        let mut off = table.clone();
        for m in ["affinity", "commonality", "localisation"] {
            let mech = off["mechanisms"].as_table_mut().unwrap();
            mech.insert(m.into(), toml::Value::Boolean(false));
        }
        // And budgets that answer the threat, which reads more of a
        // buyer's spending inputs.
        let spending = off["spending"].as_table_mut().unwrap();
        spending.insert("mode".into(), toml::Value::String("threat".into()));
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let worlds = [
            vec![("preferences.default.delivery", v("v = 0.45"))],
            vec![
                ("preferences.default.defer", v("v = 0.8")),
                ("preferences.default.affinity", v("v = 1.2")),
                ("preferences.regions.nordic.commonality", v("v = 1.0")),
                ("preferences.default.offset", v("v = 2.5")),
            ],
            vec![
                ("affinity.default.KOR", v("v = 0.6")),
                ("affinity.default.USA", v("v = 0.1")),
            ],
            vec![("market.acceptable_lead", v("v = 12.0"))],
            vec![
                ("procedures.urgency", v("v = 2.0")),
                ("procedures.executive_interval", v("v = 3")),
            ],
            vec![
                ("market.defer_quarters", v("v = 6")),
                ("preferences.default.price", v("v = 0.7")),
                ("affinity.default.DEU", v("v = 0.9")),
                ("procedures.framework_years", v("v = 6.0")),
            ],
            vec![("countries.KOR.export_ambition", v("v = 1.8"))],
            vec![
                ("suppliers.hanwha.invest.growth", v("v = 0.4")),
                (
                    "suppliers.hyundai_rotem.invest.backlog_threshold",
                    v("v = 1.5"),
                ),
                ("suppliers.hyundai_rotem.lines.k2.capacity", v("v = 12.0")),
                ("preferences.default.delivery", v("v = 0.2")),
            ],
            vec![
                ("suppliers.hyundai_rotem.lines.k2.list_price", v("v = 7.0")),
                ("suppliers.hanwha.lines.k9.reliability", v("v = 0.7")),
                ("suppliers.hanwha.cash", v("v = 900.0")),
                ("suppliers.hanwha.access.buyers.POL", v("v = 0.9")),
            ],
            vec![
                ("spending.adjust_speed", v("v = 0.5")),
                ("buyers.POL.spending_threat", v("v = 0.02")),
                ("buyers.DEU.equipment_base", v("v = 0.3")),
                ("buyers.DEU.localisation_demand", v("v = 0.6")),
            ],
            vec![
                ("spending.mode", v("v = \"threat\"")),
                ("spending.adjust_speed", v("v = 0.1")),
            ],
            vec![
                ("buyers.POL.threat_exposure", v("v = 1.3")),
                ("buyers.EST.threat_exposure", v("v = 0.8")),
            ],
            vec![
                ("regions.nordic.threat", v("v = 0.2")),
                ("shocks.invasion.magnitude", v("v = 1.4")),
                ("shocks.invasion.decay", v("v = 0.95")),
                ("shocks.crimea.exposure.nordic", v("v = 0.5")),
            ],
            vec![
                ("categories.tank.threat_response", v("v = 0.7")),
                ("categories.spg.ref_price", v("v = 9.0")),
                ("categories.mlrs.min_lot", v("v = 4")),
                ("categories.ifv.replaced_capability", v("v = 0.5")),
            ],
            vec![
                ("shocks.invasion.quarter", v("v = \"2021Q3\"")),
                ("buyers.DEU.spending_threat", v("v = 0.03")),
            ],
        ];
        for o in [europe(), Overlay::new(sources, off)] {
            for values in &worlds {
                let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
                assert_eq!(patches(&o, &settings), Some(true), "{values:?}");
                let (world, targets) = o.compile_with(&settings, &at, "point").unwrap();
                let scenario = o.whole_with(&settings).unwrap();
                let fresh = World::from_scenario(&scenario).unwrap();
                assert_same_world(&world, &fresh, &format!("{values:?}"));
                let fresh_targets = Targets::compile(&scenario, &fresh).unwrap();
                assert!(!fresh_targets.list.is_empty());
                assert_eq!(format!("{targets:?}"), format!("{fresh_targets:?}"));
                let base = o.base_world().unwrap();
                assert_ne!(format!("{world:?}"), format!("{base:?}"), "{values:?}");
            }
        }
        // Another value written with a patchable one: compiled, and the
        // same.
        let o = europe();
        for other in [
            ("buyers.POL.fleet.tank.units", v("v = 900")),
            ("categories.tank.legacy_capability", v("v = 0.3")),
            // A shock that loses all magnitude drops its events.
            ("shocks.crimea.magnitude", v("v = 0.0")),
            ("suppliers.hyundai_rotem.lines.k2.life_years", v("v = 30.0")),
        ] {
            let values = [("preferences.default.delivery", v("v = 0.5")), other];
            let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
            assert_eq!(patches(&o, &settings), Some(false), "{values:?}");
            let (world, _) = o.compile_with(&settings, &at, "point").unwrap();
            let fresh = World::from_scenario(&o.whole_with(&settings).unwrap()).unwrap();
            assert_same_world(&world, &fresh, &format!("{values:?}"));
        }
        // An undefined country in `affinity`: the patch's error is the
        // compiler's.
        let mut sc = o.typed.clone().unwrap();
        sc.affinity
            .get_mut("default")
            .unwrap()
            .insert("XXX".into(), 0.5);
        let patched = o
            .base_world()
            .unwrap()
            .patched(&sc, &["affinity.default.XXX"])
            .unwrap();
        let compiled = World::from_scenario(&sc);
        assert_eq!(patched.unwrap_err().0, compiled.unwrap_err().0);
    }

    /// A point whose values change none of what the world frozen at its
    /// start reads takes its base's warm-up start states, spun up once,
    /// and they are the states it would have spun up: a shock's magnitude,
    /// decay and exposure, a shock moved within the run. A point that
    /// changes the start's threat (a shock moved to the start, a region's
    /// baseline) or what the frozen world reads as it is (a preference, a
    /// buyer's localisation demand) spins up its own.
    #[test]
    fn a_point_that_leaves_the_start_alone_shares_its_base_s_spin_up() {
        let v = |s: &str| s.parse::<toml::Table>().unwrap()["v"].clone();
        let o = europe();
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let cases = [
            (
                vec![
                    ("shocks.invasion.magnitude", v("v = 1.4")),
                    ("shocks.invasion.decay", v("v = 0.95")),
                ],
                true,
            ),
            (vec![("shocks.invasion.quarter", v("v = \"2021Q3\""))], true),
            (vec![("shocks.crimea.exposure.nordic", v("v = 0.5"))], true),
            (vec![("shocks.crimea.quarter", v("v = \"2010Q1\""))], false),
            (vec![("regions.nordic.threat", v("v = 0.2"))], false),
            (vec![("preferences.default.delivery", v("v = 0.45"))], false),
            (
                vec![("buyers.DEU.localisation_demand", v("v = 0.6"))],
                false,
            ),
        ];
        for (values, shared) in &cases {
            let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
            let (world, _) = o.compile_with(&settings, &at, "point").unwrap();
            let states = world.start_states.get();
            assert_eq!(states.is_some(), *shared, "{values:?}");
            if let Some(states) = states {
                let base = o.base_world().unwrap().start_states.get().unwrap();
                assert!(std::sync::Arc::ptr_eq(states, base), "{values:?}");
            }
            let fresh = World::from_scenario(&o.whole_with(&settings).unwrap()).unwrap();
            assert_same_world(&world, &fresh, &format!("{values:?}"));
        }
    }

    /// Every number and switch of the shipped base at a path that
    /// `World::patches`, changed alone (a number by a tenth, a count by
    /// one, a switch turned): the patched world is the compiled one. A part
    /// of the world that such a value feeds and `World::patched` forgot
    /// fails here.
    #[test]
    fn every_patchable_value_patches_as_it_compiles() {
        fn leaves(prefix: &str, v: &toml::Value, out: &mut Vec<(String, toml::Value)>) {
            match v {
                toml::Value::Table(t) => {
                    for (k, x) in t {
                        let path = if prefix.is_empty() {
                            k.clone()
                        } else {
                            format!("{prefix}.{k}")
                        };
                        leaves(&path, x, out);
                    }
                }
                toml::Value::Float(x) if *x != 0.0 => out.push((prefix.into(), (x * 0.9).into())),
                toml::Value::Float(_) => out.push((prefix.into(), 0.1.into())),
                toml::Value::Integer(i) => out.push((prefix.into(), (i + 1).into())),
                toml::Value::Boolean(b) => out.push((prefix.into(), (!b).into())),
                _ => {}
            }
        }
        let o = europe();
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let mut values = Vec::new();
        leaves("", &toml::Value::Table(o.base().clone()), &mut values);
        values.retain(|(path, _)| World::patches(path));
        let mut checked = 0;
        for (path, value) in &values {
            let settings = [(path.as_str(), value, &at)];
            let Ok(scenario) = o.whole_with(&settings) else {
                continue; // out of its range: not a world
            };
            assert_eq!(patches(&o, &settings), Some(true), "{path}");
            let (world, _) = o.compile_with(&settings, &at, "point").unwrap();
            let fresh = World::from_scenario(&scenario).unwrap();
            assert_same_world(&world, &fresh, path);
            checked += 1;
        }
        // Refused: a few values moved out of their range, and the stock
        // lines' `divertible_share`, written 0, at 0.1 (a stock line has
        // no production to divert from).
        assert!(
            checked >= 500 && checked + 30 >= values.len(),
            "{checked} of {}",
            values.len()
        );
    }

    /// A value out of its range, of the wrong type, or at a key that does
    /// not exist leaves the typed path, and the error names where it was
    /// written.
    #[test]
    fn a_bad_value_is_located_where_it_was_written() {
        let o = europe();
        let at = Origin::new(String::from("sweep.toml"), 7, 5);
        for (path, text) in [
            ("preferences.default.delivery", "v = -1.0"),
            ("market.defer_quarters", "v = \"soon\""),
            ("market.no_such_key", "v = 1"),
        ] {
            let value = text.parse::<toml::Table>().unwrap()["v"].clone();
            let settings = [(path, &value, &at)];
            assert!(o.with_typed(&settings, Scenario::clone).is_none(), "{path}");
            let e = o.scenario_with(&settings).unwrap_err().to_string();
            assert!(e.contains("sweep.toml:7:5"), "{path}: {e}");
        }
    }

    /// The kept copies are put back whole after every world: worlds
    /// written in turn into other tables, with a failing one between them
    /// and on two threads, each read as its values alone on the whole
    /// table, and the copies left equal the typed base.
    #[test]
    fn a_kept_copy_carries_nothing_from_one_world_to_the_next() {
        let o = europe();
        let at = Origin::new(String::from("sweep.toml"), 3, 1);
        let v = |s: &str| s.parse::<toml::Table>().unwrap()["v"].clone();
        let worlds = [
            vec![("market.defer_quarters", v("v = 7"))],
            vec![("preferences.default.delivery", v("v = 0.15"))],
            // Fails after writing `market` (validation): nothing stays.
            vec![
                ("market.access_base", v("v = 0.5")),
                ("preferences.default.delivery", v("v = -3.0")),
            ],
            vec![("buyers.POL.threat_exposure", v("v = 1.4"))],
            // Fails after writing one buyer: it is put back.
            vec![
                ("buyers.DEU.gdp", v("v = 5000.0")),
                ("buyers.POL.gdp", v("v = \"large\"")),
            ],
            vec![
                ("suppliers.hanwha.lines.k9.capacity", v("v = 30")),
                ("countries.KOR.export_ambition", v("v = 1.2")),
            ],
            vec![("affinity.default.KOR", v("v = 0.9"))],
            vec![],
        ];
        let check = |values: &Vec<(&str, toml::Value)>| {
            let settings: Vec<Setting<'_>> = values.iter().map(|(p, x)| (*p, x, &at)).collect();
            let whole = o.whole_with(&settings).map(|sc| format!("{sc:?}"));
            let typed = o.with_typed(&settings, |sc| format!("{sc:?}"));
            match whole {
                Ok(whole) => assert_eq!(typed.as_ref(), Some(&whole), "{values:?}"),
                Err(_) => assert!(typed.is_none(), "{values:?}"),
            }
            let (world, _) = match o.compile_with(&settings, &at, "point") {
                Ok(compiled) => compiled,
                Err(_) => return,
            };
            let fresh = World::from_scenario(&o.whole_with(&settings).unwrap()).unwrap();
            assert_same_world(&world, &fresh, &format!("{values:?}"));
        };
        for _ in 0..2 {
            std::thread::scope(|scope| {
                scope.spawn(|| worlds.iter().for_each(check));
                scope.spawn(|| worlds.iter().rev().for_each(check));
            });
        }
        let base = format!("{:?}", o.typed.as_ref().unwrap());
        let spare = o.spare.lock().unwrap();
        assert!(!spare.is_empty() && spare.len() <= 2, "{}", spare.len());
        for sc in spare.iter() {
            assert_eq!(format!("{sc:?}"), base);
        }
    }
}

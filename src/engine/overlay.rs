//! A resolved scenario into which values are written by dotted path before
//! it is compiled: a sweep's points and a calibration's particles are both
//! such worlds, and both must report a bad value where it was written.

use crate::analysis::Targets;
use crate::model::World;
use crate::scenario::schema::Scenario;
use crate::scenario::{self, Origin, ScenarioError, SourceMap, validate};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// A value to write: (dotted path, value, where it was asked for).
pub type Setting<'a> = (&'a str, &'a toml::Value, &'a Origin);

/// A resolved scenario table (after `base`) and the file it came from.
#[derive(Debug, Clone)]
pub struct Overlay {
    file: PathBuf,
    base: toml::Table,
}

impl Overlay {
    /// The resolved table `base` of the scenario `file`.
    pub fn new(file: &Path, base: toml::Table) -> Overlay {
        Overlay {
            file: file.to_path_buf(),
            base,
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
        let mut sources = SourceMap::new(Origin::new(self.file.display().to_string(), 1, 1));
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
    /// path that locates the error. A failure to compile is reported at
    /// `at`, prefixed with `what`.
    pub fn compile_with(
        &self,
        values: &[Setting<'_>],
        at: &Origin,
        what: &str,
    ) -> Result<(World, Targets), ScenarioError> {
        let (table, sources) = self.table_with(values)?;
        let scenario = match Scenario::deserialize(toml::Value::Table(table)) {
            Ok(sc) => {
                let errors: Vec<_> = validate::validate(&sc)
                    .into_iter()
                    .map(|(p, m)| sources.value_origin(&p).error(m))
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
        let fail = |m: String| ScenarioError::new(at.error(format!("{what}: {m}")));
        let world = World::from_scenario(&scenario).map_err(|e| fail(e.0))?;
        let targets = Targets::compile(&scenario, &world).map_err(fail)?;
        Ok((world, targets))
    }
}

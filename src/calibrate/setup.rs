//! A calibration file made ready: its settings, its priors, its models
//! (each a resolved scenario that particles' values are written into), the
//! targets it fits and holds out, and the simulator the ABC engine calls.

use crate::analysis::Targets;
use crate::analysis::abc::{
    AbcConfig, ModelSpec, ParameterPrior, PriorShape, SimulationError, Simulator,
};
use crate::engine::overlay::{Overlay, Setting};
use crate::engine::{Observe, RunRecord, run_replication};
use crate::model::World;
use crate::scenario::keys;
use crate::scenario::schema::{Calibrate, PriorKind, Role};
use crate::scenario::{self, Origin, ScenarioError};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use std::path::{Path, PathBuf};

/// A free parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Its dotted path.
    pub path: String,
    /// Where the calibration file names it.
    pub origin: Origin,
    /// Whether its key is an integer.
    pub integer: bool,
    /// Its prior.
    pub prior: ParameterPrior,
    /// Its true value, if the file gives one.
    pub truth: Option<f64>,
    /// Lower and upper bounds.
    pub bounds: (f64, f64),
    /// Whether it is free in each model (in model order).
    pub in_model: Vec<bool>,
}

/// A model: a resolved scenario and how its targets map onto the
/// calibration's.
#[derive(Debug, Clone)]
pub struct Model {
    /// Its name (the id in `calibrate.models`, or the scenario's name).
    pub name: String,
    /// The scenario file.
    pub file: PathBuf,
    /// Where the calibration file names it.
    pub origin: Origin,
    /// Its resolved world, particles' values go into.
    pub overlay: Overlay,
    /// Its free parameters (indices into [`Setup::parameters`]).
    pub parameters: Vec<usize>,
    /// For each calibration target, its index among this model's targets.
    pub target_index: Vec<usize>,
}

/// A calibration ready to run.
#[derive(Debug, Clone)]
pub struct Setup {
    /// The calibration file.
    pub file: PathBuf,
    /// The result folder's name.
    pub name: String,
    /// The `[calibrate]` table.
    pub settings: Calibrate,
    /// The seed.
    pub seed: u64,
    /// Free parameters, in path order.
    pub parameters: Vec<Parameter>,
    /// The models, in id order.
    pub models: Vec<Model>,
    /// The calibration file's targets: observed values, tolerances, roles.
    pub targets: Targets,
    /// Indices of the fitted targets among [`Setup::targets`].
    pub fitted: Vec<usize>,
    /// The calibration file resolved, `[calibrate]` included (manifest).
    pub resolved: toml::Table,
}

/// Each target's mean value over a particle's replications (NaN where it
/// is undefined in all of them) and the share of replications it passes.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Mean of the defined values.
    pub mean: Vec<f64>,
    /// Share of replications passing (an undefined value does not pass).
    pub pass: Vec<f64>,
}

impl Setup {
    /// Load the calibration `file`: validate it, load its models, check that
    /// every model has every target and that every model compiles at the
    /// bounds of its priors.
    pub fn load(file: &Path) -> Result<Setup, ScenarioError> {
        let (table, sources) = scenario::load_table(file)?;
        let loaded = scenario::finish(table, sources, file)?;
        let sources = &loaded.sources;
        let at_start =
            |m: String| ScenarioError::new(Origin::new(file.display().to_string(), 1, 1).error(m));
        let Some(settings) = loaded.scenario.calibrate.clone() else {
            let other = if loaded.scenario.sweep.is_some() {
                "`armsmarket sweep` (this file is a sweep: it has a [sweep] table)"
            } else {
                "`armsmarket run`"
            };
            return Err(at_start(format!(
                "no [calibrate] table: add one (population, parameters, and models or a base world), or use {other}"
            )));
        };
        let world = World::from_scenario(&loaded.scenario).map_err(|e| at_start(e.0))?;
        let targets = Targets::compile(&loaded.scenario, &world).map_err(at_start)?;
        let fitted: Vec<usize> = (0..targets.list.len())
            .filter(|&i| targets.list[i].role == Role::Fit)
            .collect();
        if fitted.is_empty() {
            let origin = sources.key_origin("calibrate");
            return Err(ScenarioError::new(origin.error(
                "no target is fitted: a calibration needs at least one target with `role = \"fit\"` (the default)",
            )));
        }
        let mut models = Vec::new();
        if settings.models.is_empty() {
            let mut base = loaded.resolved.clone();
            base.remove("calibrate");
            models.push(Model {
                name: loaded.name.clone(),
                file: file.to_path_buf(),
                origin: sources.key_origin("calibrate").clone(),
                overlay: Overlay::new(sources.clone(), base),
                parameters: Vec::new(),
                target_index: Vec::new(),
            });
        }
        for (id, m) in &settings.models {
            let origin = sources.value_origin(&format!("calibrate.models.{id}.file"));
            let path = file.parent().unwrap_or(Path::new(".")).join(&m.file);
            if !path.is_file() {
                // Said as for `base`: what is there, and what to name.
                let there = if path.exists() {
                    "is not a regular file"
                } else {
                    "does not exist"
                };
                return Err(ScenarioError::new(origin.error(format!(
                    "`calibrate.models.{id}.file` = {:?}: {} {there}; name a scenario file, relative to this calibration file",
                    m.file,
                    path.display()
                ))));
            }
            let (table, model_sources) = scenario::load_table(&path)?;
            let model = scenario::finish(table.clone(), model_sources, &path)?;
            if model.scenario.calibrate.is_some() || model.scenario.sweep.is_some() {
                return Err(ScenarioError::new(origin.error(format!(
                    "`calibrate.models.{id}.file`: {} has a [calibrate] or [sweep] table; a model is a plain scenario",
                    path.display()
                ))));
            }
            for target in loaded.scenario.targets.keys() {
                // A target the model lacks is said by `map_targets`.
                if let Some((key, was, is)) =
                    measured_otherwise(&loaded.scenario, &model.scenario, target)
                {
                    let at = model
                        .sources
                        .value_origin(&format!("targets.{target}.{key}"));
                    return Err(ScenarioError::new(at.error(format!(
                        "model `{id}` measures target `{target}` otherwise than the calibration: its `{key}` is {is}, the calibration's {was} ({}); a model's target must measure what the calibration's observed value measures: give it the calibration's definition, or give the calibration another target",
                        sources.value_origin(&format!("targets.{target}.{key}"))
                    ))));
                }
            }
            models.push(Model {
                name: id.clone(),
                file: path.clone(),
                origin: origin.clone(),
                overlay: Overlay::new(model.sources.clone(), table),
                parameters: Vec::new(),
                target_index: Vec::new(),
            });
        }
        let mut parameters = Vec::new();
        for (path, cp) in &settings.parameters {
            let origin = sources
                .key_origin(&format!("calibrate.parameters.{path}"))
                .clone();
            let integer = keys::takes_whole_numbers(path);
            let (low, high) = (cp.min, cp.max);
            let shape = match cp.prior {
                PriorKind::Uniform => PriorShape::Uniform { low, high },
                PriorKind::LogUniform => PriorShape::LogUniform { low, high },
                PriorKind::Normal => PriorShape::TruncatedNormal {
                    mean: cp.mean.unwrap_or_default(),
                    sd: cp.sd.unwrap_or(1.0),
                    low,
                    high,
                },
            };
            let prior = ParameterPrior::new(shape, integer).map_err(|e| {
                ScenarioError::new(origin.error(format!("`calibrate.parameters.{path}`: {e}")))
            })?;
            let in_model = models
                .iter()
                .map(|m| cp.models.as_ref().is_none_or(|list| list.contains(&m.name)))
                .collect();
            parameters.push(Parameter {
                path: path.clone(),
                origin,
                integer,
                prior,
                truth: cp.truth,
                bounds: (low, high),
                in_model,
            });
        }
        let seed = settings.seed.unwrap_or(loaded.scenario.seed);
        let mut setup = Setup {
            file: file.to_path_buf(),
            name: loaded.name.clone(),
            settings,
            seed,
            parameters,
            models,
            targets,
            fitted,
            resolved: loaded.resolved.clone(),
        };
        for m in 0..setup.models.len() {
            setup.models[m].parameters = (0..setup.parameters.len())
                .filter(|&p| setup.parameters[p].in_model[m])
                .collect();
            setup.models[m].target_index = setup.map_targets(m)?;
            setup.check_extremes(m)?;
        }
        Ok(setup)
    }

    /// For each calibration target, its index among model `m`'s targets
    /// (by id: `measured_otherwise` has checked they measure the same).
    fn map_targets(&self, m: usize) -> Result<Vec<usize>, ScenarioError> {
        let model = &self.models[m];
        let (_, targets) = model
            .overlay
            .compile_with(&[], &model.origin, &model.name)?;
        self.targets
            .list
            .iter()
            .map(|t| {
                targets
                    .list
                    .iter()
                    .position(|x| x.id == t.id)
                    .ok_or_else(|| {
                        ScenarioError::new(model.origin.error(format!(
                            "model `{}` ({}) has no target `{}`, which the calibration {}",
                            model.name,
                            model.file.display(),
                            t.id,
                            if t.role == Role::Fit {
                                "fits"
                            } else {
                                "holds out"
                            }
                        )))
                    })
            })
            .collect()
    }

    /// Compile model `m` at its priors' bounds: each parameter alone at
    /// each bound, then every corner of the box of bounds (or, with more
    /// than [`crate::engine::overlay::CORNER_DIMS`] parameters, all at
    /// their lower and all at their upper bounds), so that a path the world
    /// lacks, a bound it refuses or two bounds it refuses together is
    /// reported now, at the parameter, rather than as a failed simulation.
    fn check_extremes(&self, m: usize) -> Result<(), ScenarioError> {
        let free = &self.models[m].parameters;
        let bounds: Vec<Vec<toml::Value>> = free
            .iter()
            .map(|&p| {
                let (lo, hi) = self.parameters[p].bounds;
                vec![self.value(p, lo), self.value(p, hi)]
            })
            .collect();
        for set in crate::engine::overlay::extreme_sets(&bounds) {
            let values: Vec<(usize, toml::Value)> =
                set.iter().map(|&(i, v)| (free[i], v.clone())).collect();
            let shown: Vec<String> = values
                .iter()
                .map(|(p, v)| format!("`{}` = {v}", self.parameters[*p].path))
                .collect();
            let what = format!("model `{}` with {}", self.models[m].name, shown.join(", "));
            let at = &self.parameters[values[0].0].origin;
            if let Err(e) = self.compile_values(m, &values, at, &what) {
                return Err(e.within(
                    &at.error(String::new()),
                    &format!("the prior reaches a world that is not valid ({what})"),
                ));
            }
        }
        Ok(())
    }

    /// Why model `m`'s world at `theta` is not valid (`e`), located at its
    /// first free parameter, with every value it set and the fix. Only a
    /// rule between keys can be broken there: every bound alone, and every
    /// corner of the priors' box with at most
    /// [`crate::engine::overlay::CORNER_DIMS`] free keys, compiled before
    /// the run.
    fn refused_particle(&self, m: usize, theta: &[f64], e: &ScenarioError) -> ScenarioError {
        let model = &self.models[m];
        let shown: Vec<String> = model
            .parameters
            .iter()
            .zip(theta)
            .map(|(&p, &x)| format!("`{}` = {}", self.parameters[p].path, self.value(p, x)))
            .collect();
        let at = &self.parameters[model.parameters[0]].origin;
        let dims = crate::engine::overlay::CORNER_DIMS;
        let why = if model.parameters.len() > dims {
            format!(
                "with more than {dims} free keys only the corners of all lower and all upper bounds are checked before the run, so "
            )
        } else {
            String::new()
        };
        let refused = e.within(
            &at.error(String::new()),
            &format!(
                "the prior reaches a world that is not valid (model `{}` with {})",
                model.name,
                shown.join(", ")
            ),
        );
        let mut located = refused.into_errors().remove(0);
        located.message +=
            &format!("; {why}narrow the priors until no point of their box breaks the rule");
        ScenarioError::new(located)
    }

    /// Parameter `p`'s value `x` as the TOML value written into a world.
    fn value(&self, p: usize, x: f64) -> toml::Value {
        if self.parameters[p].integer {
            toml::Value::Integer(x.round() as i64)
        } else {
            toml::Value::Float(x)
        }
    }

    fn compile_values(
        &self,
        m: usize,
        values: &[(usize, toml::Value)],
        at: &Origin,
        what: &str,
    ) -> Result<(World, Targets), ScenarioError> {
        let settings: Vec<Setting<'_>> = values
            .iter()
            .map(|(p, v)| {
                let q = &self.parameters[*p];
                (q.path.as_str(), v, &q.origin)
            })
            .collect();
        self.models[m].overlay.compile_with(&settings, at, what)
    }

    /// Refuse a summary table over models whose runs span different years:
    /// its columns are a run's years, so one model's values would stand
    /// under another's. A model's span is its world's at its priors' lower
    /// bounds (parameters are numbers, which do not move the start or the
    /// end); the error is at the first model that differs.
    pub fn check_summary_years(&self) -> Result<(), ScenarioError> {
        let years = |m: usize| -> Result<(i32, i32), ScenarioError> {
            let lower: Vec<f64> = self.models[m]
                .parameters
                .iter()
                .map(|&p| self.parameters[p].bounds.0)
                .collect();
            let (w, _) = self.compile(m, &lower)?;
            Ok((w.start.year(), w.quarter(w.n_quarters - 1).year()))
        };
        let first = years(0)?;
        for m in 1..self.models.len() {
            let span = years(m)?;
            if span != first {
                return Err(ScenarioError::new(self.models[m].origin.error(format!(
                    "the summary table cannot hold model `{}` ({}-{}) and model `{}` ({}-{}): their runs span different years; calibrate without `summary` among --tables",
                    self.models[0].name, first.0, first.1, self.models[m].name, span.0, span.1
                ))));
            }
        }
        Ok(())
    }

    /// Model `m`'s world with its free parameters set to `theta` (in the
    /// order of [`Model::parameters`]).
    pub fn compile(&self, m: usize, theta: &[f64]) -> Result<(World, Targets), ScenarioError> {
        let model = &self.models[m];
        let values: Vec<(usize, toml::Value)> = model
            .parameters
            .iter()
            .zip(theta)
            .map(|(&p, &x)| (p, self.value(p, x)))
            .collect();
        self.compile_values(m, &values, &model.origin, &model.name)
    }

    /// Run model `m` at `theta` for the calibration's replications, keyed
    /// by `seed`, and report every calibration target.
    pub fn outcome(&self, m: usize, theta: &[f64], seed: u64) -> Result<Outcome, ScenarioError> {
        self.outcome_observed(m, theta, seed, Observe::summary_only(), |_, _| {})
    }

    /// As [`Setup::outcome`], keeping the records `observe` asks for and
    /// handing each replication's record, with its world, to `each`.
    pub fn outcome_observed(
        &self,
        m: usize,
        theta: &[f64],
        seed: u64,
        observe: Observe,
        mut each: impl FnMut(&World, &RunRecord),
    ) -> Result<Outcome, ScenarioError> {
        let (world, targets) = self.compile(m, theta)?;
        let index = &self.models[m].target_index;
        let k = self.targets.list.len();
        let (mut sum, mut defined, mut passed) = (vec![0.0; k], vec![0u32; k], vec![0u32; k]);
        let reps = self.settings.replications;
        for r in 0..reps {
            let rec = run_replication(&world, &targets, seed, 0, r, observe);
            each(&world, &rec);
            for (i, t) in self.targets.list.iter().enumerate() {
                let v = rec.targets[index[i]].value;
                if v.is_finite() {
                    sum[i] += v;
                    defined[i] += 1;
                    if v >= t.lo && v <= t.hi {
                        passed[i] += 1;
                    }
                }
            }
        }
        Ok(Outcome {
            mean: (0..k)
                .map(|i| {
                    if defined[i] == 0 {
                        f64::NAN
                    } else {
                        sum[i] / f64::from(defined[i])
                    }
                })
                .collect(),
            pass: passed
                .iter()
                .map(|&p| f64::from(p) / f64::from(reps))
                .collect(),
        })
    }

    /// "calibration of M models, P parameters, F fitted and H held-out
    /// targets".
    pub fn describe(&self) -> String {
        format!(
            "calibration of {} model(s), {} parameter(s), {} fitted and {} held-out target(s)",
            self.models.len(),
            self.parameters.len(),
            self.fitted.len(),
            self.targets.list.len() - self.fitted.len()
        )
    }

    /// The ABC models: each model's free parameters and prior weight.
    pub fn model_specs(&self) -> Vec<ModelSpec> {
        self.models
            .iter()
            .map(|m| {
                let weight = self
                    .settings
                    .models
                    .get(&m.name)
                    .map_or(1.0, |x| x.probability);
                let mut spec = ModelSpec::new(m.name.clone()).with_prior_weight(weight);
                for &p in &m.parameters {
                    let q = &self.parameters[p];
                    spec = spec.with_parameter(q.path.clone(), q.prior.clone());
                }
                spec
            })
            .collect()
    }

    /// The observed values of the fitted targets.
    pub fn observed(&self) -> Vec<f64> {
        self.fitted
            .iter()
            .map(|&i| self.targets.list[i].observed)
            .collect()
    }

    /// The engine's settings from the `[calibrate]` table.
    pub fn config(&self) -> AbcConfig {
        let c = &self.settings;
        let mut config = AbcConfig::new(self.seed, c.population);
        config.quantile = c.quantile;
        config.stopping.max_generations = c.generations;
        config.stopping.min_tolerance = c.min_tolerance;
        config.stopping.min_acceptance_rate = c.min_acceptance;
        config.stopping.max_simulations = c.max_simulations.unwrap_or(u64::MAX);
        config
    }
}

/// The simulator: a particle's statistics are the means over its
/// replications of the fitted targets' values; the replications' seed is
/// the first draw of the particle's own stream.
impl Simulator for Setup {
    fn simulate(
        &self,
        model: usize,
        parameters: &[f64],
        rng: &mut ChaCha8Rng,
    ) -> Result<Vec<f64>, SimulationError> {
        let seed: u64 = rng.random();
        let outcome = self
            .outcome(model, parameters, seed)
            .map_err(|e| SimulationError::new(self.refused_particle(model, parameters, &e)))?;
        Ok(self.fitted.iter().map(|&i| outcome.mean[i]).collect())
    }
}

/// The keys of a target that say what it measures; the others (observed
/// value, tolerance, role, pattern, surge, source) are the calibration's.
const MEASURE: [&str; 8] = [
    "metric",
    "supplier_country",
    "buyer",
    "group",
    "categories",
    "from",
    "to",
    "new_builds",
];

/// The first key of [`MEASURE`] whose value differs between target `id`
/// of the calibration's scenario `mine` and of a model's `theirs`, with
/// the two values as TOML writes them (`unset` if absent): a model's own
/// definition is what its runs are measured by, against the calibration's
/// observed value. Categories are a set (every category of the world, or
/// none listed, is all of them), and a group is what it holds, whatever
/// its name: its buyers as a set, and `nato_only`.
fn measured_otherwise(
    mine: &crate::scenario::schema::Scenario,
    theirs: &crate::scenario::schema::Scenario,
    id: &str,
) -> Option<(&'static str, String, String)> {
    use toml::Value;
    // The definition as compared, with each key as shown.
    type Definition = (
        toml::Table,
        std::collections::BTreeMap<&'static str, String>,
    );
    let definition = |s: &crate::scenario::schema::Scenario| -> Option<Definition> {
        let t = s.targets.get(id)?;
        let mut table = toml::Table::try_from(t).ok()?;
        let mut categories: Vec<&String> = t.categories.iter().collect();
        categories.sort();
        categories.dedup();
        let every = s.categories.keys().all(|c| categories.contains(&c));
        table.remove("categories");
        if !categories.is_empty() && !every {
            let list = categories.iter().map(|c| Value::String((*c).clone()));
            table.insert("categories".into(), Value::Array(list.collect()));
        }
        if let Some(name) = &t.group {
            let mut members: Vec<String> = s
                .groups
                .get(name)
                .map(|g| g.buyers.clone())
                .unwrap_or_default();
            members.sort();
            members.dedup();
            let nato_only = s.groups.get(name).is_some_and(|g| g.nato_only);
            let shown = format!("\"{name}\" (buyers {members:?}, nato_only {nato_only})");
            let held = members.into_iter().map(Value::String).collect();
            table.insert(
                "group".into(),
                Value::Array(vec![Value::Array(held), Value::Boolean(nato_only)]),
            );
            return Some((table, [("group", shown)].into()));
        }
        Some((table, Default::default()))
    };
    let ((a, shown_a), (b, shown_b)) = (definition(mine)?, definition(theirs)?);
    MEASURE.iter().find_map(|&k| {
        let shown = |v: Option<&Value>, names: &std::collections::BTreeMap<_, String>| {
            names
                .get(k)
                .cloned()
                .unwrap_or_else(|| v.map_or_else(|| "unset".to_string(), Value::to_string))
        };
        let (x, y) = (a.get(k), b.get(k));
        (x != y).then(|| (k, shown(x, &shown_a), shown(y, &shown_b)))
    })
}

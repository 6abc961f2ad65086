//! Scenarios made ready to run: loaded, compiled into a world, with their
//! targets, and the records their output tables need.

use crate::analysis::Targets;
use crate::engine::Observe;
use crate::model::World;
use crate::model::mechanisms::Class;
use crate::scenario::schema::{Hypothesis, Table};
use crate::scenario::{self, Located, ScenarioError};
use std::path::{Path, PathBuf};

/// A scenario ready to run: loaded, compiled, with its targets.
#[derive(Debug, Clone)]
pub struct Prepared {
    /// The resolved scenario.
    pub loaded: scenario::Loaded,
    /// Its compiled world.
    pub world: World,
    /// Its compiled targets.
    pub targets: Targets,
}

/// Load and compile a scenario, turning a compile failure (a gap in
/// validation) into a located error at the file's start.
pub fn prepare(path: &Path, sets: &[String]) -> Result<Prepared, ScenarioError> {
    prepare_as(scenario::load(path, sets)?, Class::Commercial)
}

/// Compile a loaded scenario, counting contested mechanisms as
/// `contested_as` (see [`World::compile`]).
pub fn prepare_as(
    loaded: scenario::Loaded,
    contested_as: Class,
) -> Result<Prepared, ScenarioError> {
    let at_start =
        |m: String| ScenarioError::new(Located::new(loaded.path.display().to_string(), 1, 1, m));
    let world = World::compile(&loaded.scenario, contested_as).map_err(|e| at_start(e.0))?;
    let targets = Targets::compile(&loaded.scenario, &world).map_err(at_start)?;
    Ok(Prepared {
        loaded,
        world,
        targets,
    })
}

/// The scenarios of a comparison that run the same inputs as an earlier
/// one, as (later, earlier) indices: their rows repeat the earlier's, which
/// a reader should hear rather than take for a mechanism without effect
/// (an ablation switching off a contested mechanism under `--contested
/// strategic`, which is off there already). Inputs are the resolved
/// scenario with its mechanisms as they run, without what names or
/// describes it (`name`, `description`), what only chooses mechanisms
/// (`hypothesis`), and what a comparison sets for all (`seed`,
/// `replications`, `outputs.files`); the focus country stays, as the
/// world reads it, since the summary reports that country. Inputs that
/// differ where the world does not read them (the divertible shares of a
/// world without diversion) count as different.
pub fn same_inputs(scenarios: &[Prepared]) -> Vec<(usize, usize)> {
    let inputs: Vec<toml::Table> = scenarios
        .iter()
        .map(|p| {
            let mut r = p.loaded.resolved.clone();
            for key in [
                "name",
                "description",
                "hypothesis",
                "seed",
                "replications",
                "outputs",
            ] {
                r.remove(key);
            }
            // The summary's focus country as the world reads it (written
            // or by default).
            let focus = &p.world.countries[p.world.focus_country].id;
            r.insert("focus_country".into(), focus.clone().into());
            r.insert(
                "mechanisms".into(),
                toml::Value::try_from(p.world.mechanisms).expect("switches serialize"),
            );
            r
        })
        .collect();
    (1..inputs.len())
        .filter_map(|j| (0..j).find(|&i| inputs[i] == inputs[j]).map(|i| (j, i)))
        .collect()
}

/// Warnings for mechanisms switched on by `--set` that the scenario's
/// hypothesis switches off all the same (a `commercial` hypothesis runs
/// without the strategic mechanisms, and without the contested ones when
/// they are counted as strategic): the command line asked for something
/// that does not happen, which its author should hear.
pub fn overruled_switches(p: &Prepared) -> Vec<String> {
    crate::model::mechanisms::REGISTRY
        .iter()
        .filter(|e| {
            let path = format!("mechanisms.{}", e.name);
            p.loaded.scenario.mechanisms.get(e.name) == Some(true)
                && p.world.mechanisms.get(e.name) == Some(false)
                && p.loaded.sources.value_origin(&path).is_command_line()
        })
        .map(|e| {
            format!(
                "warning: --set mechanisms.{}=true does not switch it on in {}: a commercial hypothesis runs without {} mechanisms; remove `hypothesis = \"commercial\"` to run it with them",
                e.name,
                p.loaded.name,
                e.class.name()
            )
        })
        .collect()
}

/// Judge every scenario on the first one's targets, as a comparison does:
/// the first's target definitions, and the groups they name, compiled
/// against each later scenario's world whose own definitions differ (they
/// are set aside). Returns the later files that define targets of their
/// own unlike the first's, once each, so that their authors can be told
/// (a file without targets just takes the first's); fails where a later
/// world lacks what the first's targets name, or its run does not cover
/// their windows. A judged scenario's loaded
/// contents then carry the first's targets, as it ran.
pub fn judge_on_first(scenarios: &mut [Prepared]) -> Result<Vec<PathBuf>, ScenarioError> {
    let Some((first, later)) = scenarios.split_first_mut() else {
        return Ok(Vec::new());
    };
    let reference = &first.loaded.scenario;
    let specs = |s: &scenario::schema::Scenario| {
        serde_json::to_value((&s.targets, &s.groups)).expect("targets serialize")
    };
    let wanted = specs(reference);
    let mut differ = Vec::new();
    for p in later {
        let own = &p.loaded.scenario;
        if specs(own) == wanted {
            // The same definitions compile to the same targets.
            continue;
        }
        if !own.targets.is_empty() && !differ.contains(&p.loaded.path) {
            differ.push(p.loaded.path.clone());
        }
        // A window outside this world's span would be scored on quarters
        // it never ran (a sum of 0, a share of nothing): as one file's own
        // target is refused, so is the first's here, at this file's bound.
        for (id, t) in &reference.targets {
            let (key, quarter, bound, window, fix) = if t.from < own.start {
                (
                    "start",
                    own.start,
                    "from",
                    t.from,
                    "start this scenario at or before it",
                )
            } else if t.to > own.end {
                (
                    "end",
                    own.end,
                    "to",
                    t.to,
                    "end this scenario at or after it",
                )
            } else {
                continue;
            };
            return Err(ScenarioError::new(
                p.loaded.sources.value_origin(key).error(format!(
                    "compare judges every scenario on the first one's targets ({}), and `targets.{id}.{bound}` = \"{window}\" there is outside this scenario's run (`{key}` = \"{quarter}\"): a target is scored on simulated quarters only; {fix}, or compare it with a first scenario whose targets lie within its run",
                    first.loaded.path.display()
                )),
            ));
        }
        let mut judged = own.clone();
        judged.targets = reference.targets.clone();
        judged.groups = reference.groups.clone();
        p.targets = Targets::compile(&judged, &p.world).map_err(|e| {
            ScenarioError::new(Located::new(
                p.loaded.path.display().to_string(),
                1,
                1,
                format!(
                    "compare judges every scenario on the first one's targets ({}), which this world cannot measure: {e}; give it what they name, or compare it with a first scenario whose targets it can measure",
                    first.loaded.path.display()
                ),
            ))
        })?;
        // What ran is the file with the first's targets: its record in the
        // manifest says so, and runs again to the same target rows.
        p.loaded.scenario = judged;
        for key in ["targets", "groups"] {
            match first.loaded.resolved.get(key) {
                Some(v) => p.loaded.resolved.insert(key.into(), v.clone()),
                None => p.loaded.resolved.remove(key),
            };
        }
    }
    Ok(differ)
}

/// How a comparison counts the contested mechanisms of a `commercial`
/// hypothesis (see [`crate::model::mechanisms`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contested {
    /// As commercial: they stay on.
    Commercial,
    /// As strategic: a commercial hypothesis runs without them.
    Strategic,
    /// Both ways: each commercial hypothesis runs once per assignment.
    Both,
}

impl Contested {
    /// Every assignment, in the order of the command line's values.
    pub const ALL: &'static [Contested] =
        &[Contested::Commercial, Contested::Strategic, Contested::Both];

    /// The name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Contested::Commercial => "commercial",
            Contested::Strategic => "strategic",
            Contested::Both => "both",
        }
    }

    /// The classes to compile a commercial hypothesis with.
    fn classes(self) -> &'static [Class] {
        match self {
            Contested::Commercial => &[Class::Commercial],
            Contested::Strategic => &[Class::Strategic],
            Contested::Both => &[Class::Commercial, Class::Strategic],
        }
    }
}

/// The scenarios a comparison runs: each as it is, and a `commercial`
/// hypothesis once per assignment of the contested mechanisms that
/// `contested` asks for, named `NAME [contested: commercial]` or
/// `NAME [contested: strategic]` (also when it is the only one asked for:
/// the two assignments give different results, and the name is where a
/// reader of the tables finds which ran).
pub fn contested_variants(
    scenarios: Vec<Prepared>,
    contested: Contested,
) -> Result<Vec<Prepared>, ScenarioError> {
    // Each scenario with the file it came from, when it is a variant.
    let mut out: Vec<(Prepared, Option<PathBuf>)> = Vec::new();
    for p in scenarios {
        if p.loaded.scenario.hypothesis != Some(Hypothesis::Commercial) {
            out.push((p, None));
            continue;
        }
        for &class in contested.classes() {
            let mut loaded = p.loaded.clone();
            loaded.name = format!("{} [contested: {}]", loaded.name, class.name());
            out.push((prepare_as(loaded, class)?, Some(p.loaded.path.clone())));
        }
    }
    // A scenario named as another's variant would share its rows and
    // folder: refused at its own `name` (names of files were checked
    // before, so one of the two is a variant).
    let mut errors = Vec::new();
    for (i, (p, from)) in out.iter().enumerate() {
        let Some((q, q_from)) = out[..i]
            .iter()
            .find(|(q, _)| q.loaded.name == p.loaded.name)
        else {
            continue;
        };
        let (plain, variant_of) = match (from, q_from) {
            (Some(f), _) => (q, f),
            (None, Some(f)) => (p, f),
            (None, None) => continue,
        };
        errors.push(plain.loaded.sources.key_origin("name").error(format!(
            "this scenario is named `{}`, the name this comparison gives to a variant of {}: their rows and outputs would collide; give it a different `name`",
            plain.loaded.name,
            variant_of.display()
        )));
    }
    match ScenarioError::from_all(errors) {
        Some(e) => Err(e),
        None => Ok(out.into_iter().map(|(p, _)| p).collect()),
    }
}

/// Prepare every scenario before anything runs, so that one bad file costs
/// no output at all; every file's errors are reported. Two scenarios with
/// one name would write to one folder: the second is refused at its name.
pub fn prepare_all(files: &[PathBuf], sets: &[String]) -> Result<Vec<Prepared>, ScenarioError> {
    let mut ok: Vec<Prepared> = Vec::new();
    let mut errors: Vec<(String, Located)> = Vec::new();
    for f in files {
        let file = f.display().to_string();
        match prepare(f, sets) {
            Ok(p) => {
                if let Some(first) = ok.iter().find(|q| q.loaded.name == p.loaded.name) {
                    let at = p.loaded.sources.key_origin("name");
                    errors.push((file, at.error(format!(
                        "this scenario is named `{}` like {}: their outputs would collide; give one a different `name`",
                        p.loaded.name,
                        first.loaded.path.display()
                    ))));
                }
                ok.push(p);
            }
            Err(e) => errors.extend(e.into_errors().into_iter().map(|l| (file.clone(), l))),
        }
    }
    match ScenarioError::from_files(errors, files) {
        Some(e) => Err(e),
        None => Ok(ok),
    }
}

/// What a replication must record for these output tables.
pub fn observe_for(tables: &[Table]) -> Observe {
    Observe {
        contracts: tables.contains(&Table::Contracts),
        market: tables.contains(&Table::Market),
        suppliers: tables.contains(&Table::Suppliers),
        buyers: tables.contains(&Table::Buyers),
    }
}

//! The files of a calibration's result, every one a function of the final
//! state (and of simulations keyed by the seed and the particle), so that
//! they are the same bytes for any thread count and after any resume:
//! `generations.csv`, `posterior.csv`, `posterior_summary.csv`,
//! `model_probabilities.csv` and `predictive.csv`.

use crate::analysis::abc::seeding::predictive_stream;
use crate::analysis::abc::stats::weighted_quantile;
use crate::analysis::abc::{Abc, GenerationState, Population};
use crate::calibrate::setup::{Outcome, Setup};
use crate::engine::batch::{self, Completion, Control};
use crate::engine::observe_for;
use crate::output::csv_io;
use crate::output::publish::Staging;
use crate::output::tables::{Rows, cell, format_rows_into};
use crate::scenario::ScenarioError;
use crate::scenario::schema::Table;
use rand::RngExt;
use std::io;
use std::sync::atomic::AtomicBool;

/// The level of the bootstrap interval of the model probabilities.
const LEVEL: f64 = 0.95;
/// Bootstrap resamples of the model probabilities.
const REPLICATES: usize = 1000;

/// Re-simulate every particle of the final population (its own stream,
/// [`predictive_stream`]) and report every target, held-out ones
/// included; in particle order whatever the threads. With `tables`, each
/// particle's rows of them (every replication, led by the particle's
/// index) go to `rows` in particle order as they are done, so that memory
/// stays flat however large the population. `None` if `stop` was set
/// (Ctrl-C) before every particle ran.
pub fn predictive<E: From<ScenarioError> + Send>(
    setup: &Setup,
    population: &Population,
    tables: &[Table],
    pool: &rayon::ThreadPool,
    stop: &AtomicBool,
    mut rows: impl FnMut(&Rows) -> Result<(), E> + Send,
) -> Result<Option<Vec<Outcome>>, E> {
    let observe = observe_for(tables);
    let window = batch::window_for_rows(pool.current_num_threads(), observe);
    let indices: Vec<usize> = (0..population.particles.len()).collect();
    let mut outcomes = Vec::with_capacity(indices.len());
    let completion = batch::run_ordered(
        pool,
        &indices,
        window,
        |&i| {
            let p = &population.particles[i];
            let seed: u64 = predictive_stream(setup.seed, i as u64).random();
            let key = i.to_string();
            let mut kept = Vec::new();
            let outcome =
                setup.outcome_observed(p.model, &p.parameters, seed, observe, |w, r| {
                    if !tables.is_empty() {
                        kept.push(format_rows_into(
                            w,
                            r,
                            tables,
                            Some(LEAD),
                            Some(&key),
                            Vec::new(),
                        ));
                    }
                })?;
            Ok((outcome, kept))
        },
        Control::stopped_by(stop),
        |_, done: Result<(Outcome, Vec<Rows>), ScenarioError>| -> Result<(), E> {
            let (outcome, kept) = done?;
            for r in &kept {
                rows(r)?;
            }
            outcomes.push(outcome);
            crate::output::faults::pause_at("predictive", outcomes.len() as u64);
            Ok(())
        },
    )?;
    Ok((completion == Completion::Done).then_some(outcomes))
}

/// The share `Σ wᵢ·xᵢ / Σ wᵢ` of `(wᵢ, xᵢ)` pairs (each xᵢ in [0, 1]),
/// `total` the weights summed in the pairs' order: summed in weights and
/// divided once, so that with every xᵢ 1 both sums are the same additions
/// and the share is 1 exactly. Weights divided by their total first added
/// up to 0.9999999999999998, which the report reads as some particles
/// failing (">99 %").
fn weighted_share(total: f64, pairs: impl Iterator<Item = (f64, f64)>) -> f64 {
    pairs.map(|(w, x)| w * x).sum::<f64>() / total
}

/// The lead column of the predictive runs' tables.
pub const LEAD: &str = "particle";

/// Write every table of the result into `staging`.
pub fn write_all(
    staging: &Staging,
    setup: &Setup,
    abc: &Abc,
    state: &GenerationState,
    predictive: &[Outcome],
) -> io::Result<()> {
    let population = state.population.as_ref().expect("a completed generation");
    generations(staging, setup, state)?;
    posterior(staging, setup, population)?;
    summary(staging, setup, abc, population)?;
    models(staging, setup, abc, population)?;
    predictive_table(staging, setup, population, predictive)
}

fn writer(
    staging: &Staging,
    name: &str,
) -> io::Result<csv::Writer<crate::output::publish::StagedFile>> {
    Ok(csv::Writer::from_writer(staging.create(name)?))
}

fn finish(out: csv::Writer<crate::output::publish::StagedFile>) -> io::Result<()> {
    out.into_inner()
        .map_err(|e| io::Error::other(e.to_string()))?
        .finish()
}

/// `generations.csv`: one row per generation.
fn generations(staging: &Staging, setup: &Setup, state: &GenerationState) -> io::Result<()> {
    let mut out = writer(staging, "generations.csv")?;
    let mut header: Vec<String> = [
        "generation",
        "tolerance",
        "proposed",
        "accepted",
        "acceptance_rate",
        "ess",
    ]
    .map(String::from)
    .to_vec();
    for m in &setup.models {
        header.push(format!("p_{}", m.name));
    }
    header.push("dead_models".into());
    out.write_record(&header).map_err(csv_io)?;
    let names = |list: &[usize]| {
        list.iter()
            .map(|&m| setup.models[m].name.clone())
            .collect::<Vec<_>>()
            .join(";")
    };
    for r in &state.history {
        let mut row = vec![
            r.generation.to_string(),
            cell(r.tolerance),
            r.proposed.to_string(),
            r.accepted.to_string(),
            cell(r.acceptance_rate),
            cell(r.ess),
        ];
        row.extend(r.model_probabilities.iter().map(|&p| cell(p)));
        row.push(names(&r.dead_models));
        out.write_record(&row).map_err(csv_io)?;
    }
    finish(out)
}

/// `posterior.csv`: the final population, one row per particle.
fn posterior(staging: &Staging, setup: &Setup, population: &Population) -> io::Result<()> {
    let mut out = writer(staging, "posterior.csv")?;
    let mut header = vec!["particle".to_string(), "model".into(), "weight".into()];
    header.extend(setup.parameters.iter().map(|p| p.path.clone()));
    header.push("distance".into());
    out.write_record(&header).map_err(csv_io)?;
    for (i, p) in population.particles.iter().enumerate() {
        let model = &setup.models[p.model];
        let mut row = vec![i.to_string(), model.name.clone(), cell(p.weight)];
        let mut values = vec![String::new(); setup.parameters.len()];
        for (&q, &x) in model.parameters.iter().zip(&p.parameters) {
            values[q] = cell(x);
        }
        row.extend(values);
        row.push(cell(p.distance));
        out.write_record(&row).map_err(csv_io)?;
    }
    finish(out)
}

/// `posterior_summary.csv`: per model and parameter, weighted moments and
/// quantiles, the prior's bounds, and the truth with whether the 90 %
/// interval covers it.
fn summary(staging: &Staging, setup: &Setup, abc: &Abc, population: &Population) -> io::Result<()> {
    let mut out = writer(staging, "posterior_summary.csv")?;
    out.write_record([
        "model",
        "parameter",
        "particles",
        "mean",
        "sd",
        "q05",
        "q50",
        "q95",
        "prior_low",
        "prior_high",
        "truth",
        "covered",
    ])
    .map_err(csv_io)?;
    for s in abc.parameter_summaries(population) {
        let truth = setup
            .parameters
            .iter()
            .find(|p| p.path == s.parameter)
            .and_then(|p| p.truth);
        let covered = truth.map_or(String::new(), |t| {
            (s.particles > 0 && s.q05 <= t && t <= s.q95).to_string()
        });
        out.write_record([
            s.model_name,
            s.parameter,
            s.particles.to_string(),
            cell(s.mean),
            cell(s.sd),
            cell(s.q05),
            cell(s.q50),
            cell(s.q95),
            cell(s.prior_low),
            cell(s.prior_high),
            truth.map_or(String::new(), cell),
            covered,
        ])
        .map_err(csv_io)?;
    }
    finish(out)
}

/// `model_probabilities.csv`: each model's posterior probability with a
/// bootstrap interval, whether it died (p < 1/N), and its Bayes factor
/// against every model.
fn models(staging: &Staging, setup: &Setup, abc: &Abc, population: &Population) -> io::Result<()> {
    let mut out = writer(staging, "model_probabilities.csv")?;
    let choice = abc.model_choice(population, REPLICATES, LEVEL);
    let mut header: Vec<String> = [
        "model",
        "prior",
        "probability",
        "lower_95",
        "upper_95",
        "particles",
        "dead",
    ]
    .map(String::from)
    .to_vec();
    for m in &setup.models {
        header.push(format!("bayes_factor_vs_{}", m.name));
    }
    out.write_record(&header).map_err(csv_io)?;
    let n = population.particles.len() as f64;
    for (m, bf) in choice.models.iter().zip(&choice.bayes_factors) {
        let mut row = vec![
            m.name.clone(),
            cell(m.prior),
            cell(m.probability),
            cell(m.lower),
            cell(m.upper),
            m.particles.to_string(),
            (m.probability < 1.0 / n).to_string(),
        ];
        row.extend(bf.iter().map(|&b| cell(b)));
        out.write_record(&row).map_err(csv_io)?;
    }
    finish(out)
}

/// `predictive.csv`: per model (and `all`, the models averaged by their
/// posterior probability) and target, the posterior predictive: the
/// weighted share of replications passing, and the weighted median and
/// 5–95 % of the particles' mean values, with the target's role.
fn predictive_table(
    staging: &Staging,
    setup: &Setup,
    population: &Population,
    outcomes: &[Outcome],
) -> io::Result<()> {
    let mut out = writer(staging, "predictive.csv")?;
    out.write_record([
        "model",
        "target",
        "pattern",
        "role",
        "observed",
        "lo",
        "hi",
        "pass_share",
        "defined_share",
        "median",
        "q05",
        "q95",
    ])
    .map_err(csv_io)?;
    let mut groups: Vec<(String, Vec<usize>)> = setup
        .models
        .iter()
        .enumerate()
        .map(|(m, model)| {
            let members = (0..population.particles.len())
                .filter(|&i| population.particles[i].model == m)
                .collect();
            (model.name.clone(), members)
        })
        .collect();
    if setup.models.len() > 1 {
        groups.push(("all".into(), (0..population.particles.len()).collect()));
    }
    for (name, members) in &groups {
        if members.is_empty() {
            continue;
        }
        let total: f64 = members
            .iter()
            .map(|&i| population.particles[i].weight)
            .sum();
        for (k, t) in setup.targets.list.iter().enumerate() {
            let weight = |i: usize| population.particles[i].weight;
            let share = |x: &dyn Fn(usize) -> f64| {
                weighted_share(total, members.iter().map(|&i| (weight(i), x(i))))
            };
            let pass = share(&|i| outcomes[i].pass[k]);
            let defined = share(&|i| f64::from(u8::from(outcomes[i].mean[k].is_finite())));
            let (mut values, mut weights) = (Vec::new(), Vec::new());
            for &i in members {
                let v = outcomes[i].mean[k];
                if v.is_finite() {
                    values.push(v);
                    weights.push(weight(i) / total);
                }
            }
            let q = |a: f64| {
                if values.is_empty() {
                    f64::NAN
                } else {
                    weighted_quantile(&values, &weights, a)
                }
            };
            out.write_record([
                name.clone(),
                t.id.clone(),
                t.pattern.clone(),
                t.role.to_string(),
                cell(t.observed),
                cell(t.lo),
                cell(t.hi),
                cell(pass),
                cell(defined),
                cell(q(0.5)),
                cell(q(0.05)),
                cell(q(0.95)),
            ])
            .map_err(csv_io)?;
        }
    }
    finish(out)
}

#[cfg(test)]
mod tests {
    use super::weighted_share;

    #[test]
    fn a_share_of_all_is_one_exactly() {
        // These weights divided by their total add up to 1 − 2⁻⁵³.
        let w = [0.9014274576114836, 0.030589983033553536, 0.0254458609934608];
        let total: f64 = w.iter().sum();
        assert!(w.iter().map(|x| x / total).sum::<f64>() < 1.0);
        assert_eq!(weighted_share(total, w.iter().map(|&x| (x, 1.0))), 1.0);
        // ½ of the weight passing half its replications, the rest all.
        let share = weighted_share(2.0, [(1.0, 0.5), (0.5, 1.0), (0.5, 1.0)].into_iter());
        assert_eq!(share, 0.75);
        assert_eq!(weighted_share(total, w.iter().map(|&x| (x, 0.0))), 0.0);
    }
}

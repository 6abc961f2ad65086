//! End-to-end tests against known answers, and the reproducibility tests.

use std::ops::ControlFlow;
use std::sync::Arc;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use rand_distr::{Binomial, Distribution, StandardNormal};

use super::engine::next_tolerance;
use super::kernel::ModelKernel;
use super::stats::weighted_quantile;
use super::*;

fn normal(mean: f64, sd: f64) -> ParameterPrior {
    ParameterPrior::truncated_normal(mean, sd, f64::NEG_INFINITY, f64::INFINITY).unwrap()
}

fn run_all(abc: &Abc, simulator: &impl Simulator) -> RunOutcome {
    abc.run(simulator, abc.initial_state(), &mut Unlimited, |_| {
        ControlFlow::Continue(())
    })
    .unwrap()
}

/// Run `abc` from its start under `budget`, with every batch's progress
/// report kept.
fn run_reported(abc: &Abc, budget: &mut dyn Budget) -> (RunOutcome, Vec<BatchProgress>) {
    let mut seen = Vec::new();
    let out = abc
        .run_watched(
            &mixed_simulator,
            abc.initial_state(),
            budget,
            &mut |p| seen.push(*p),
            |_| ControlFlow::Continue(()),
        )
        .unwrap();
    (out, seen)
}

fn final_population(outcome: &RunOutcome) -> &Population {
    outcome.state.population.as_ref().unwrap()
}

fn moments(abc: &Abc, population: &Population, model: usize) -> (f64, f64) {
    let s = abc
        .parameter_summaries(population)
        .into_iter()
        .find(|s| s.model == model)
        .unwrap();
    (s.mean, s.sd)
}

fn config(seed: u64, n: usize, generations: u32) -> AbcConfig {
    let mut c = AbcConfig::new(seed, n);
    c.stopping.max_generations = generations;
    c
}

/// Gaussian location model y ~ N(x, sigma) for every model.
fn gaussian(sigma: f64) -> impl Simulator {
    move |_m: usize, theta: &[f64], rng: &mut ChaCha8Rng| {
        let z: f64 = StandardNormal.sample(rng);
        vec![theta[0] + sigma * z]
    }
}

#[test]
fn gaussian_posterior_sd_one() {
    // x ~ N(0, 1), y | x ~ N(x, 1), y = 1. Conjugacy: precision 1 + 1 = 2,
    // mean (0·1 + 1·1)/2 = 0.5, sd √½ = 0.7071.
    let model = ModelSpec::new("m").with_parameter("x", normal(0.0, 1.0));
    let abc = Abc::new(vec![model], vec![1.0], config(11, 1000, 9)).unwrap();
    let out = run_all(&abc, &gaussian(1.0));
    assert_eq!(out.stop, StopReason::MaxGenerations);
    let (mean, sd) = moments(&abc, final_population(&out), 0);
    eprintln!(
        "N(0.5, 0.7071): mean {mean:.4} sd {sd:.4} eps {:.4}",
        final_population(&out).tolerance
    );
    assert!((mean - 0.5).abs() < 0.07, "mean {mean}");
    assert!((sd - 0.5f64.sqrt()).abs() < 0.1, "sd {sd}");
}

#[test]
fn gaussian_posterior_four_generations() {
    // x ~ N(0, 1), y | x ~ N(x, 0.5), y = 2. Precision 1 + 1/0.25 = 5, so
    // sd √0.2 = 0.4472 and mean (4·2)/5 = 1.6. As in pyABC's tests, which
    // start from MedianEpsilon(0.2), generation 0 is rejection from the prior
    // at tolerance 0.2; three adaptive generations follow. Starting from
    // an infinite tolerance, four generations end near tolerance 0.4, where
    // the ABC posterior mean is still about 1.54.
    let model = ModelSpec::new("m").with_parameter("x", normal(0.0, 1.0));
    let mut c = config(12, 2000, 4);
    c.initial_tolerance = 0.2;
    let abc = Abc::new(vec![model], vec![2.0], c).unwrap();
    let out = run_all(&abc, &gaussian(0.5));
    let (mean, sd) = moments(&abc, final_population(&out), 0);
    eprintln!(
        "N(1.6, 0.4472): mean {mean:.4} sd {sd:.4} eps {:.4}",
        final_population(&out).tolerance
    );
    assert!((mean - 1.6).abs() < 0.07, "mean {mean}");
    assert!((sd - 0.2f64.sqrt()).abs() < 0.1, "sd {sd}");
}

#[test]
fn two_competing_gaussians() {
    // y | x ~ N(x, 0.5); M1: x ~ N(0, 0.5), M2: x ~ N(1, 0.5). Marginally
    // y ~ N(μ, √0.5) under each, so at y = 1 the evidence ratio M2:M1 is
    // exp(0)/exp(−1/(2·0.5)) = e, and P(M1) = 1/(1 + e) = 0.2689.
    let models = vec![
        ModelSpec::new("m1").with_parameter("x", normal(0.0, 0.5)),
        ModelSpec::new("m2").with_parameter("x", normal(1.0, 0.5)),
    ];
    let abc = Abc::new(models, vec![1.0], config(13, 1000, 9)).unwrap();
    let out = run_all(&abc, &gaussian(0.5));
    let choice = abc.model_choice(final_population(&out), 500, 0.95);
    let p1 = choice.models[0].probability;
    let expected = 1.0 / (1.0 + std::f64::consts::E);
    eprintln!(
        "P(M1) {p1:.4} vs {expected:.4} [{:.4}, {:.4}] BF21 {:.3}",
        choice.models[0].lower, choice.models[0].upper, choice.bayes_factors[1][0]
    );
    assert!((p1 - expected).abs() < 0.07, "P(M1) {p1}");
    assert!(choice.models[0].lower <= p1 && p1 <= choice.models[0].upper);
}

/// Beta(a, b) prior, for this test only.
#[derive(Debug)]
struct BetaPrior {
    a: f64,
    b: f64,
}

impl Prior for BetaPrior {
    fn density(&self, x: f64) -> f64 {
        self.ln_density(x).exp()
    }
    fn ln_density(&self, x: f64) -> f64 {
        if !(0.0..=1.0).contains(&x) {
            return f64::NEG_INFINITY;
        }
        let ln_beta = libm::lgamma(self.a) + libm::lgamma(self.b) - libm::lgamma(self.a + self.b);
        (self.a - 1.0) * x.ln() + (self.b - 1.0) * (1.0 - x).ln() - ln_beta
    }
    fn sample(&self, rng: &mut ChaCha8Rng) -> f64 {
        rand_distr::Beta::new(self.a, self.b).unwrap().sample(rng)
    }
    fn variance(&self) -> f64 {
        let s = self.a + self.b;
        self.a * self.b / (s * s * (s + 1.0))
    }
    fn is_integer(&self) -> bool {
        false
    }
    fn bounds(&self) -> (f64, f64) {
        (0.0, 1.0)
    }
    fn describe(&self) -> String {
        format!("beta({},{})", self.a, self.b)
    }
}

#[test]
fn beta_binomial_model_choice() {
    // k | θ ~ Bin(5, θ), k = 2. Evidence: M1 θ ~ Beta(1,1): C(5,2)·B(3,4)/B(1,1)
    // = 10·(2!3!/6!) = 1/6. M2 θ ~ Beta(10,1): C(5,2)·B(12,4)/B(10,1)
    // = 10·(11!3!/15!)·10 = 100·6/(12·13·14·15) = 100/5460 = 0.018315.
    // P(M1) = (1/6)/(1/6 + 0.018315) = 0.9010.
    let models = vec![
        ModelSpec::new("flat").with_parameter("theta", BetaPrior { a: 1.0, b: 1.0 }),
        ModelSpec::new("skewed").with_parameter("theta", BetaPrior { a: 10.0, b: 1.0 }),
    ];
    let simulator = |_m: usize, theta: &[f64], rng: &mut ChaCha8Rng| {
        vec![Binomial::new(5, theta[0]).unwrap().sample(rng) as f64]
    };
    let abc = Abc::new(models, vec![2.0], config(14, 1000, 8)).unwrap();
    let out = run_all(&abc, &simulator);
    let p1 = abc.model_choice(final_population(&out), 200, 0.95).models[0].probability;
    let expected = (1.0 / 6.0) / (1.0 / 6.0 + 100.0 / 5460.0);
    eprintln!(
        "P(M1) {p1:.4} vs {expected:.4}; eps {}",
        final_population(&out).tolerance
    );
    assert_eq!(
        final_population(&out).tolerance,
        0.0,
        "exact matching reached"
    );
    assert!((p1 - expected).abs() < 0.08, "P(M1) {p1}");
}

#[test]
fn two_jars() {
    // Jar 1 yields 1 with probability 0.8, jar 2 with 0.4; we drew 0.
    // P(jar 1 | 0) = 0.5·0.2 / (0.5·0.2 + 0.5·0.6) = 0.25. Models without
    // parameters: only the model kernel and the model weights act.
    let models = vec![ModelSpec::new("jar1"), ModelSpec::new("jar2")];
    let simulator = |m: usize, _theta: &[f64], rng: &mut ChaCha8Rng| {
        let p = if m == 0 { 0.8 } else { 0.4 };
        vec![if rng.random::<f64>() < p { 1.0 } else { 0.0 }]
    };
    let abc = Abc::new(models, vec![0.0], config(15, 4000, 6)).unwrap();
    let out = run_all(&abc, &simulator);
    assert_eq!(
        out.stop,
        StopReason::MinTolerance,
        "stops once the tolerance is 0"
    );
    let choice = abc.model_choice(final_population(&out), 500, 0.95);
    let (p1, p2) = (choice.models[0].probability, choice.models[1].probability);
    eprintln!(
        "jars {p1:.4}/{p2:.4}, BF21 {:.3}",
        choice.bayes_factors[1][0]
    );
    assert!(
        (p1 - 0.25).abs() < 0.02 && (p2 - 0.75).abs() < 0.02,
        "{p1} {p2}"
    );
    assert!((p1 + p2 - 1.0).abs() < 1e-12);
    assert!(choice.models[0].lower < 0.25 + 0.02 && choice.models[0].upper > 0.25 - 0.02);
}

#[test]
fn integer_parameter_posterior() {
    // k ~ uniform on {0..10}, y | k ~ Bin(10, k/10), y = 3: exact matching
    // gives P(k | 3) ∝ (k/10)³(1 − k/10)⁷, computed below. This checks the
    // rounded-normal kernel mass in the importance weights.
    let prior = ParameterPrior::new(
        PriorShape::Uniform {
            low: 0.0,
            high: 10.0,
        },
        true,
    )
    .unwrap();
    let model = ModelSpec::new("m").with_parameter("k", prior);
    let simulator = |_m: usize, theta: &[f64], rng: &mut ChaCha8Rng| {
        vec![Binomial::new(10, theta[0] / 10.0).unwrap().sample(rng) as f64]
    };
    let abc = Abc::new(vec![model], vec![3.0], config(16, 1000, 8)).unwrap();
    let out = run_all(&abc, &simulator);
    let population = final_population(&out);
    assert_eq!(population.tolerance, 0.0);
    let unnorm: Vec<f64> = (0..=10)
        .map(|k| (k as f64 / 10.0).powi(3) * (1.0 - k as f64 / 10.0).powi(7))
        .collect();
    let z: f64 = unnorm.iter().sum();
    let exact_mean: f64 = unnorm
        .iter()
        .enumerate()
        .map(|(k, u)| k as f64 * u / z)
        .sum();
    let exact_p3 = unnorm[3] / z;
    let (mean, _) = moments(&abc, population, 0);
    let p3: f64 = population
        .particles
        .iter()
        .filter(|p| p.parameters[0] == 3.0)
        .map(|p| p.weight)
        .sum();
    eprintln!("integer: mean {mean:.4} vs {exact_mean:.4}, P(3) {p3:.4} vs {exact_p3:.4}");
    assert!(
        population
            .particles
            .iter()
            .all(|p| p.parameters[0] == p.parameters[0].round())
    );
    assert!((mean - exact_mean).abs() < 0.15, "{mean} vs {exact_mean}");
    assert!((p3 - exact_p3).abs() < 0.05, "{p3} vs {exact_p3}");
}

/// A problem touching every path: two models of different dimension, an
/// integer and a log-uniform parameter, a statistic that is sometimes
/// undefined, model choice.
fn mixed_problem(n: usize, generations: u32, batch: usize) -> Abc {
    let models = vec![
        ModelSpec::new("linear")
            .with_parameter("a", ParameterPrior::uniform(-2.0, 2.0).unwrap())
            .with_parameter(
                "k",
                ParameterPrior::new(
                    PriorShape::Uniform {
                        low: 0.0,
                        high: 4.0,
                    },
                    true,
                )
                .unwrap(),
            ),
        ModelSpec::new("scale").with_parameter("a", ParameterPrior::log_uniform(0.1, 5.0).unwrap()),
    ];
    let mut c = config(99, n, generations);
    c.batch_size = batch;
    c.reservoir_size = 50;
    Abc::new(models, vec![1.0, 0.8], c).unwrap()
}

fn mixed_simulator(m: usize, theta: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    let z1: f64 = StandardNormal.sample(rng);
    let z2: f64 = StandardNormal.sample(rng);
    let undefined = rng.random::<f64>() < 0.05;
    let (s1, s2) = if m == 0 {
        (
            theta[0] + 0.25 * theta[1] + 0.3 * z1,
            (theta[0] - 0.1 * theta[1]).powi(2) + 0.1 * z2,
        )
    } else {
        (theta[0] + 0.3 * z1, theta[0] * theta[0] + 0.1 * z2)
    };
    vec![s1, if undefined { f64::NAN } else { s2 }]
}

fn toml_of(state: &GenerationState) -> String {
    toml::to_string(state).unwrap()
}

#[test]
fn identical_for_any_thread_count_and_batch_size() {
    let single = rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .build()
        .unwrap();
    let double = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let a = mixed_problem(200, 5, 7);
    let b = mixed_problem(200, 5, 64);
    let out_a = single.install(|| run_all(&a, &mixed_simulator));
    let out_b = double.install(|| run_all(&b, &mixed_simulator));
    assert_eq!(out_a.state.generation, 5);
    assert_eq!(out_a.state, out_b.state);
    assert_eq!(toml_of(&out_a.state), toml_of(&out_b.state));
    // Bit-level check of every weight and parameter.
    let (pa, pb) = (final_population(&out_a), final_population(&out_b));
    for (x, y) in pa.particles.iter().zip(&pb.particles) {
        assert_eq!(x.weight.to_bits(), y.weight.to_bits());
        for (u, v) in x.parameters.iter().zip(&y.parameters) {
            assert_eq!(u.to_bits(), v.to_bits());
        }
    }
    // The NaN rule: undefined rows were proposed but never accepted.
    assert!(
        pa.particles
            .iter()
            .all(|p| p.statistics.iter().all(|s| s.is_finite()))
    );
    assert!(out_a.state.history[0].proposed > 200);
    // Both models and the integer parameter took part.
    let record = &out_a.state.history[4];
    eprintln!("mixed: {record:?}");
    assert!(
        pa.particles
            .iter()
            .any(|p| p.model == 0 && p.parameters[1] != 0.0)
    );
}

#[test]
fn sharded_evaluation_matches_in_process_run() {
    let abc = mixed_problem(200, 4, 64);
    let reference = run_all(&abc, &mixed_simulator);
    let mut state = abc.initial_state();
    for _ in 0..4 {
        // Two "machines" evaluate interleaved ranges of 150 indices; the
        // coordinator hands rows back in index order until it has N.
        let mut rows = Vec::new();
        let mut next = 0u64;
        loop {
            let plan = abc.plan(&state).unwrap();
            let shard_a: Vec<SimulationRow> = (next..next + 75)
                .map(|j| plan.simulate(&mixed_simulator, j).unwrap())
                .collect();
            let shard_b: Vec<SimulationRow> = (next + 75..next + 150)
                .rev()
                .map(|j| plan.simulate(&mixed_simulator, j).unwrap())
                .collect();
            rows.extend(shard_a);
            let mut b = shard_b;
            b.sort_by_key(|r| r.index);
            rows.extend(b);
            next += 150;
            match abc.accept(&state, rows.clone()).unwrap() {
                Acceptance::Complete(s) => {
                    state = *s;
                    break;
                }
                Acceptance::NeedMore { next_index, .. } => assert_eq!(next_index, next),
            }
        }
    }
    assert_eq!(state, reference.state);
}

#[test]
fn resume_is_bit_identical() {
    let full = mixed_problem(150, 6, 16);
    let reference = run_all(&full, &mixed_simulator);
    assert_eq!(reference.state.generation, 6);

    // Stopped after 3 generations, saved, loaded, continued.
    let short = mixed_problem(150, 3, 16);
    assert_eq!(short.fingerprint(), full.fingerprint());
    let first = run_all(&short, &mixed_simulator);
    let saved = toml_of(&first.state);
    let loaded: GenerationState = toml::from_str(&saved).unwrap();
    assert_eq!(loaded, first.state);
    let resumed = full
        .run(&mixed_simulator, loaded, &mut Unlimited, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(resumed.state, reference.state);
    assert_eq!(toml_of(&resumed.state), toml_of(&reference.state));

    // Stopped mid-generation by the budget, then resumed.
    let mut checks = 0;
    let mut budget = || {
        checks += 1;
        checks > 40
    };
    let cut = full
        .run(&mixed_simulator, full.initial_state(), &mut budget, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(cut.stop, StopReason::Budget);
    assert!(cut.state.generation < 6);
    let loaded: GenerationState = toml::from_str(&toml_of(&cut.state)).unwrap();
    let resumed = full
        .run(&mixed_simulator, loaded, &mut Unlimited, |_| {
            ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(resumed.state, reference.state);

    // A state from another problem is refused.
    let other = mixed_problem(151, 6, 16);
    assert!(matches!(
        other.plan(&reference.state),
        Err(AbcError::StateMismatch { .. })
    ));
}

#[test]
fn proposal_budgets_stop_deterministically() {
    // The simulation budget bounds proposal indices, so the stop and the
    // state are the same for any batch size.
    let mut outcomes = Vec::new();
    for batch in [7, 64] {
        let mut abc = mixed_problem(100, 20, batch);
        let mut c = abc.config().clone();
        c.stopping.max_simulations = 2_000;
        abc = Abc::new(abc.models().to_vec(), abc.observed().to_vec(), c).unwrap();
        let out = run_all(&abc, &mixed_simulator);
        assert_eq!(out.stop, StopReason::MaxSimulations);
        assert!(out.state.proposals_total <= 2_000);
        // Simulations past the N-th acceptance in a generation's last batch
        // are run but not consumed: at most one batch per generation.
        let generations = u64::from(out.state.generation);
        assert!(out.simulations_run <= 2_000 + batch as u64 * generations);
        outcomes.push(out.state);
    }
    assert_eq!(outcomes[0], outcomes[1]);

    // Minimum acceptance rate: a generation may use at most N/rate proposals.
    let mut c = mixed_problem(100, 20, 64).config().clone();
    c.stopping.min_acceptance_rate = 0.3;
    let abc = Abc::new(
        mixed_problem(100, 20, 64).models().to_vec(),
        vec![1.0, 0.8],
        c,
    )
    .unwrap();
    let out = run_all(&abc, &mixed_simulator);
    assert_eq!(out.stop, StopReason::MinAcceptanceRate);
    assert!(out.state.history.iter().all(|r| r.acceptance_rate >= 0.3));
    assert!(out.state.generation >= 2);
}

#[test]
fn stopping_rules_act_batch_by_batch_within_a_generation() {
    // The budget (wall clock, Ctrl-C) is asked before every batch: refused
    // at its fifth question, the run stops after four batches of 7, in the
    // middle of generation 0.
    let abc = mixed_problem(100, 20, 7);
    let mut asked = 0;
    let mut budget = || {
        asked += 1;
        asked >= 5
    };
    let (out, seen) = run_reported(&abc, &mut budget);
    assert_eq!(out.stop, StopReason::Budget);
    assert_eq!(out.state.generation, 0, "stopped within generation 0");
    assert_eq!(out.simulations_run, 28);
    let proposed: Vec<u64> = seen.iter().map(|p| p.proposed).collect();
    assert_eq!(proposed, vec![0, 7, 14, 21, 28], "one report per batch");
    assert!(
        seen.iter()
            .all(|p| p.generation == 0 && p.population_size == 100)
    );

    // The simulation budget cuts the running generation at the exact
    // proposal index, whatever the batch size: 10 proposals into
    // generation 1 here.
    let used = run_all(&mixed_problem(100, 1, 7), &mixed_simulator)
        .state
        .proposals_total;
    for batch in [7, 64] {
        let base = mixed_problem(100, 20, batch);
        let mut c = base.config().clone();
        c.stopping.max_simulations = used + 10;
        let abc = Abc::new(base.models().to_vec(), base.observed().to_vec(), c).unwrap();
        let (out, seen) = run_reported(&abc, &mut Unlimited);
        assert_eq!(out.stop, StopReason::MaxSimulations);
        assert_eq!(out.state.generation, 1);
        let last = seen.last().unwrap();
        assert_eq!((last.generation, last.proposed, last.limit), (1, 10, 10));
        assert!(last.accepted < 100);
    }

    // The minimum acceptance rate bounds a generation to ⌊N / rate⌋
    // proposals, so an abandoned generation stops at that index.
    let base = mixed_problem(100, 20, 7);
    let mut c = base.config().clone();
    c.stopping.min_acceptance_rate = 0.3;
    let abc = Abc::new(base.models().to_vec(), vec![1.0, 0.8], c).unwrap();
    let (out, seen) = run_reported(&abc, &mut Unlimited);
    assert_eq!(out.stop, StopReason::MinAcceptanceRate);
    let last = seen.last().unwrap();
    assert_eq!((last.proposed, last.limit), (333, 333));
    assert!(last.accepted < 100);
}

#[test]
fn a_hopeless_model_dies_and_is_reported() {
    // Model 2 never comes near the observation: it loses all particles, is
    // listed as dead and extinct, and is no longer proposed.
    let models = vec![
        ModelSpec::new("good").with_parameter("x", normal(0.0, 1.0)),
        ModelSpec::new("bad").with_parameter("x", normal(0.0, 1.0)),
    ];
    let simulator = |m: usize, theta: &[f64], rng: &mut ChaCha8Rng| {
        let z: f64 = StandardNormal.sample(rng);
        vec![theta[0] + z + if m == 1 { 30.0 } else { 0.0 }]
    };
    let abc = Abc::new(models, vec![0.0], config(21, 300, 6)).unwrap();
    let out = run_all(&abc, &simulator);
    let last = out.state.history.last().unwrap();
    eprintln!(
        "dying model: {:?}",
        out.state
            .history
            .iter()
            .map(|r| r.model_probabilities[1])
            .collect::<Vec<_>>()
    );
    assert_eq!(last.extinct_models, vec![1]);
    assert_eq!(last.dead_models, vec![1]);
    assert_eq!(last.model_particles[1], 0);
    assert_eq!(out.state.kernels.len(), 1);
    let first_extinct = out
        .state
        .history
        .iter()
        .position(|r| r.extinct_models == vec![1])
        .unwrap();
    assert!(
        out.state.history[first_extinct..]
            .iter()
            .all(|r| r.model_particles[1] == 0)
    );
}

#[test]
fn importance_weights_by_hand() {
    // Two models with x ~ U(−5, 5) and x ~ U(0, 10) (density 0.1 each), prior
    // ½ each. Previous population: model 0 at x = 0 and 1 (weights 0.3, 0.3),
    // model 1 at x = 5 (0.4); kernels N(·, 1) and N(·, 4).
    let models = vec![
        ModelSpec::new("a").with_parameter("x", ParameterPrior::uniform(-5.0, 5.0).unwrap()),
        ModelSpec::new("b").with_parameter("x", ParameterPrior::uniform(0.0, 10.0).unwrap()),
    ];
    let abc = Abc::new(models, vec![0.0], config(1, 3, 5)).unwrap();
    let particle = |index, model, x: f64, weight| Particle {
        index,
        model,
        parameters: vec![x],
        weight,
        distance: 0.0,
        statistics: vec![0.0],
    };
    let kernel = |model, var: f64| ModelKernel {
        model,
        continuous: vec![0],
        covariance: vec![var],
        cholesky: vec![var.sqrt()],
        integer: vec![],
        integer_sd: vec![],
        bandwidth_factor: 1.0,
        prior_fallback: false,
        ridge: 0.0,
    };
    let mut state = abc.initial_state();
    state.generation = 1;
    state.tolerance = 1.0;
    state.model_probabilities = vec![0.6, 0.4];
    state.kernels = vec![kernel(0, 1.0), kernel(1, 4.0)];
    state.population = Some(Population {
        generation: 0,
        tolerance: f64::INFINITY,
        particles: vec![
            particle(0, 0, 0.0, 0.3),
            particle(1, 0, 1.0, 0.3),
            particle(2, 1, 5.0, 0.4),
        ],
    });
    let plan = abc.plan(&state).unwrap();
    let phi_half = 0.352_065_326_764_299_5; // φ(0.5)
    // (model 0, x = 0.5): model factor 0.6·0.7 + 0.4·0.3 = 0.54; kernel
    // density ½φ(0.5) + ½φ(−0.5) = φ(0.5); weight 0.5·0.1 / (0.54·φ(0.5)).
    let p0 = Proposal {
        generation: 1,
        index: 0,
        model: 0,
        parameters: vec![0.5],
        attempts: 1,
    };
    let w0 = plan.ln_importance_weight(&p0).unwrap().exp();
    assert!((w0 - 0.05 / (0.54 * phi_half)).abs() < 1e-14, "{w0}");
    // (model 1, x = 6): model factor 0.6·0.3 + 0.4·0.7 = 0.46; density
    // N(6; 5, 2²) = φ(0.5)/2; weight 0.05 / (0.46·φ(0.5)/2).
    let p1 = Proposal {
        generation: 1,
        index: 1,
        model: 1,
        parameters: vec![6.0],
        attempts: 1,
    };
    let w1 = plan.ln_importance_weight(&p1).unwrap().exp();
    assert!((w1 - 0.05 / (0.46 * phi_half / 2.0)).abs() < 1e-14, "{w1}");
    // Proposals come from the live kernels and inside the support.
    for j in 0..50 {
        let p = plan.propose(j).unwrap();
        assert!(
            abc.models()[p.model].parameters[0]
                .prior
                .density(p.parameters[0])
                > 0.0
        );
    }
}

#[test]
fn population_weights_are_normalised_and_sum_by_model() {
    let models = vec![
        ModelSpec::new("m1").with_parameter("x", normal(0.0, 0.5)),
        ModelSpec::new("m2").with_parameter("x", normal(1.0, 0.5)),
    ];
    let abc = Abc::new(models, vec![1.0], config(5, 300, 3)).unwrap();
    let out = run_all(&abc, &gaussian(0.5));
    for record in &out.state.history {
        let total: f64 = record.model_probabilities.iter().sum();
        assert!((total - 1.0).abs() < 1e-12);
        assert!(record.ess > 1.0 && record.ess <= 300.0 + 1e-9);
    }
    let population = final_population(&out);
    let total: f64 = population.particles.iter().map(|p| p.weight).sum();
    assert!((total - 1.0).abs() < 1e-12);
    let of_model = |m: usize| -> f64 {
        population
            .particles
            .iter()
            .filter(|p| p.model == m)
            .map(|p| p.weight)
            .sum()
    };
    let (p0, p1) = (of_model(0), of_model(1));
    assert_eq!(p0 / (p0 + p1), out.state.model_probabilities[0]);
    assert_eq!(p1 / (p0 + p1), out.state.model_probabilities[1]);
    // Generation 0 is the prior sample: equal weights, ESS = N.
    assert!((out.state.history[0].ess - 300.0).abs() < 1e-9);
    assert!(
        population
            .particles
            .iter()
            .all(|p| p.distance <= population.tolerance)
    );
}

#[test]
fn tolerance_schedule_by_hand() {
    // Continuous: the weighted median of 1..4 with equal weights is 2.5.
    assert_eq!(next_tolerance(&[4.0, 1.0, 3.0, 2.0], &[0.25; 4], 0.5), 2.5);
    // Discrete: 70 % of the weight at the largest value: the median is that
    // value, which would accept everyone again, so it drops to the next one.
    let w = [0.15, 0.15, 0.7 / 3.0, 0.7 / 3.0, 0.7 / 3.0];
    assert_eq!(weighted_quantile(&[0.0, 0.0, 1.0, 1.0, 1.0], &w, 0.5), 1.0);
    assert_eq!(next_tolerance(&[0.0, 0.0, 1.0, 1.0, 1.0], &w, 0.5), 0.0);
    // With 60 % there, the median interpolates just below 1, which already
    // excludes the top value: no adjustment.
    let eps = next_tolerance(&[0.0, 0.0, 1.0, 1.0, 1.0], &[0.2; 5], 0.5);
    assert!(eps > 0.99 && eps < 1.0, "{eps}");
    // All equal: nothing to drop to.
    assert_eq!(next_tolerance(&[0.0, 0.0], &[0.5, 0.5], 0.5), 0.0);
}

#[test]
fn summaries_and_bayes_factors_by_hand() {
    let models = vec![
        ModelSpec::new("a").with_parameter("x", ParameterPrior::uniform(0.0, 5.0).unwrap()),
        ModelSpec::new("b")
            .with_prior_weight(3.0)
            .with_parameter("y", ParameterPrior::uniform(0.0, 5.0).unwrap()),
    ];
    let abc = Abc::new(models, vec![0.0], config(3, 3, 5)).unwrap();
    let particle = |index, model, x: f64, weight| Particle {
        index,
        model,
        parameters: vec![x],
        weight,
        distance: 0.0,
        statistics: vec![0.0],
    };
    let population = Population {
        generation: 4,
        tolerance: 0.1,
        particles: vec![
            particle(0, 0, 1.0, 0.2),
            particle(1, 0, 3.0, 0.3),
            particle(2, 1, 2.0, 0.5),
        ],
    };
    // Model a: within-model weights 0.4, 0.6 → mean 2.2, variance
    // 0.4·1.44 + 0.6·0.64 = 0.96; centres 0.2 and 0.7 → median 1 + (0.3/0.5)·2 = 2.2,
    // 5 % clamps to 1, 95 % to 3.
    let s = &abc.parameter_summaries(&population)[0];
    assert!((s.mean - 2.2).abs() < 1e-15 && (s.sd - 0.96f64.sqrt()).abs() < 1e-15);
    assert!((s.q50 - 2.2).abs() < 1e-15);
    assert_eq!((s.q05, s.q95, s.particles), (1.0, 3.0, 2));
    assert_eq!((s.prior_low, s.prior_high), (0.0, 5.0));
    // Posterior ½/½ against prior ¼/¾: Bayes factor a:b = (0.5/0.25)/(0.5/0.75) = 3.
    let choice = abc.model_choice(&population, 200, 0.9);
    assert!((choice.models[0].probability - 0.5).abs() < 1e-15);
    assert!((choice.bayes_factors[0][1] - 3.0).abs() < 1e-12);
    assert!((choice.bayes_factors[1][0] - 1.0 / 3.0).abs() < 1e-12);
    assert_eq!(choice.bayes_factors[0][0], 1.0);
    assert!(choice.models[0].lower <= 0.5 && choice.models[0].upper >= 0.5);
    // The bootstrap is seeded: the same interval every time.
    assert_eq!(choice, abc.model_choice(&population, 200, 0.9));
}

#[test]
fn bad_input_is_refused() {
    let model = || ModelSpec::new("m").with_parameter("x", normal(0.0, 1.0));
    assert!(matches!(
        Abc::new(vec![model()], vec![f64::NAN], AbcConfig::new(1, 10)),
        Err(AbcError::ObservedNotFinite { index: 0, .. })
    ));
    let mut c = AbcConfig::new(1, 10);
    c.quantile = 1.0;
    assert!(Abc::new(vec![model()], vec![0.0], c).is_err());
    let abc = Abc::new(vec![model()], vec![0.0], AbcConfig::new(1, 10)).unwrap();
    let state = abc.initial_state();
    let row = |index| SimulationRow {
        index,
        statistics: vec![0.0],
    };
    assert!(matches!(
        abc.accept(&state, vec![row(1)]),
        Err(AbcError::RowOutOfOrder {
            expected: 0,
            got: 1
        })
    ));
    assert!(matches!(
        abc.accept(
            &state,
            vec![SimulationRow {
                index: 0,
                statistics: vec![]
            }]
        ),
        Err(AbcError::StatisticsLength { .. })
    ));
    match abc.accept(&state, (0..4).map(row)).unwrap() {
        Acceptance::NeedMore {
            next_index,
            accepted,
        } => assert_eq!((next_index, accepted), (4, 4)),
        Acceptance::Complete(_) => panic!("only 4 of 10"),
    }
    let spec = ParameterSpec {
        name: "x".into(),
        prior: Arc::new(normal(0.0, 1.0)),
    };
    assert_eq!(spec.prior.bounds(), (f64::NEG_INFINITY, f64::INFINITY));
}

/// While one simulation holds a thread, the other thread runs every other
/// simulation of the batch: split into a few runs of simulations, the
/// batch left the ones behind a long simulation to its thread alone.
#[test]
fn a_free_thread_takes_any_simulation_not_yet_started() {
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::time::{Duration, Instant};
    let batch = 64;
    let model = ModelSpec::new("m").with_parameter("x", normal(0.0, 1.0));
    let mut c = config(5, 32, 1);
    c.batch_size = batch;
    let abc = Abc::new(vec![model], vec![1.0], c).unwrap();
    let (started, finished) = (AtomicU64::new(0), AtomicU64::new(0));
    let simulator = |_m: usize, theta: &[f64], _rng: &mut ChaCha8Rng| {
        if started.fetch_add(1, Ordering::SeqCst) == 0 {
            let deadline = Instant::now() + Duration::from_secs(60);
            while finished.load(Ordering::SeqCst) < batch as u64 - 1 {
                assert!(
                    Instant::now() < deadline,
                    "the other simulations did not run while the first ran"
                );
                std::thread::sleep(Duration::from_millis(1));
            }
        }
        finished.fetch_add(1, Ordering::SeqCst);
        vec![theta[0]]
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(2)
        .build()
        .unwrap();
    let out = pool.install(|| run_all(&abc, &simulator));
    assert_eq!(out.state.generation, 1);
}

/// The next generation's distance scales are fitted to the accepted
/// particles and to the rejected rows kept in the reservoir: at tolerance
/// 1 around the observed 0, rows 0, 5, 0.5, 9, 1 accept 0, 0.5 and 1 and
/// reject 5 and 9. All five: median 1, absolute deviations 1, 4, 0.5, 8,
/// 0, MAD 1; the accepted alone would give median 0.5 and MAD 0.5.
#[test]
fn distance_scales_are_fitted_to_accepted_and_rejected_rows() {
    let models = vec![ModelSpec::new("m").with_parameter("x", normal(0.0, 1.0))];
    let mut c = config(1, 3, 2);
    c.initial_tolerance = 1.0;
    let abc = Abc::new(models, vec![0.0], c).unwrap();
    let rows = [0.0, 5.0, 0.5, 9.0, 1.0]
        .into_iter()
        .enumerate()
        .map(|(i, x)| SimulationRow {
            index: i as u64,
            statistics: vec![x],
        });
    let Acceptance::Complete(state) = abc.accept(&abc.initial_state(), rows).unwrap() else {
        panic!("three of five rows are within the tolerance");
    };
    assert_eq!(
        (state.history[0].proposed, state.history[0].accepted),
        (5, 3)
    );
    assert_eq!(state.scales, [1.0]);
}

/// The model probability's interval is the percentile interval at
/// `level`. One particle of each model, of equal weight: a resample of
/// the two holds a's particle 0, 1 or 2 times, with probability ¼, ½, ¼,
/// so a's share is 0, ½ or 1. The 60 % interval runs from the 20 %
/// quantile of the 2,000 draws to the 80 % one: 0 and 1, as about a
/// quarter of them lies at each end (the 40 % and 60 % quantiles would
/// both be ½).
#[test]
fn the_model_probability_interval_is_a_percentile_interval_at_the_level() {
    let models = vec![
        ModelSpec::new("a").with_parameter("x", ParameterPrior::uniform(0.0, 5.0).unwrap()),
        ModelSpec::new("b").with_parameter("y", ParameterPrior::uniform(0.0, 5.0).unwrap()),
    ];
    let abc = Abc::new(models, vec![0.0], config(3, 2, 5)).unwrap();
    let particle = |index, model| Particle {
        index,
        model,
        parameters: vec![1.0],
        weight: 0.5,
        distance: 0.0,
        statistics: vec![0.0],
    };
    let population = Population {
        generation: 1,
        tolerance: 0.1,
        particles: vec![particle(0, 0), particle(1, 1)],
    };
    let choice = abc.model_choice(&population, 2000, 0.6);
    let a = &choice.models[0];
    assert_eq!((a.probability, a.lower, a.upper), (0.5, 0.0, 1.0));
}

/// A model whose probability falls below 1/N is reported dead, though it
/// keeps particles. Two models without parameters, so that a particle's
/// weight is its model's prior over the chance of proposing that model:
/// prior weights 0.99 and 0.01, previous probabilities ½ each, so either
/// model is proposed with probability ½ · 0.7 + ½ · 0.3 = ½, and a
/// particle of a weighs 0.99/½, one of b 0.01/½. Ten particles of each
/// (N = 20) give b the probability 0.2 / (19.8 + 0.2) = 0.01: below 1/20.
#[test]
fn a_model_below_one_in_n_is_dead_though_it_keeps_particles() {
    let models = vec![
        ModelSpec::new("a").with_prior_weight(99.0),
        ModelSpec::new("b"),
    ];
    let abc = Abc::new(models, vec![0.0], config(5, 20, 5)).unwrap();
    let kernel = |model| ModelKernel {
        model,
        continuous: vec![],
        covariance: vec![],
        cholesky: vec![],
        integer: vec![],
        integer_sd: vec![],
        bandwidth_factor: 1.0,
        prior_fallback: false,
        ridge: 0.0,
    };
    let particle = |index, model| Particle {
        index,
        model,
        parameters: vec![],
        weight: 0.5,
        distance: 0.0,
        statistics: vec![0.0],
    };
    let mut state = abc.initial_state();
    state.generation = 1;
    state.tolerance = 1.0;
    state.model_probabilities = vec![0.5, 0.5];
    state.kernels = vec![kernel(0), kernel(1)];
    state.population = Some(Population {
        generation: 0,
        tolerance: f64::INFINITY,
        particles: vec![particle(0, 0), particle(1, 1)],
    });
    // Accept the first ten proposals of each model, reject the rest.
    let plan = abc.plan(&state).unwrap();
    let mut taken = [0; 2];
    let mut rows = Vec::new();
    for index in 0..1000 {
        let m = plan.propose(index).unwrap().model;
        let accept = taken[m] < 10;
        taken[m] += usize::from(accept);
        rows.push(SimulationRow {
            index,
            statistics: vec![if accept { 0.0 } else { 5.0 }],
        });
        if taken == [10, 10] {
            break;
        }
    }
    let Acceptance::Complete(next) = abc.accept(&state, rows).unwrap() else {
        panic!("ten particles of each model");
    };
    let record = &next.history[0];
    assert_eq!(record.model_particles, [10, 10]);
    assert!(
        (record.model_probabilities[1] - 0.01).abs() < 1e-12,
        "{:?}",
        record.model_probabilities
    );
    assert_eq!(record.dead_models, [1]);
    assert!(record.extinct_models.is_empty());
}

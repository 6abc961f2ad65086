//! The verdict: how well each scenario fits the observed patterns, and
//! whether one fits better than another, from the same replications run
//! on common random numbers.
//!
//! A replication's distance weighs patterns equally: each target's
//! normalised distance is capped, a pattern's distance is the mean over its
//! targets that are defined in that replication (an undefined metric, say a
//! mean lead over no contract, is skipped, never turned into a distance),
//! and the replication's distance is the mean over the patterns with at
//! least one defined target. Scenarios are compared by the per-replication
//! paired difference to the first scenario named: its mean, a 95 %
//! Student-t interval and a two-sided paired t-test p-value. The paired
//! design is what common random numbers buy: the correlation of the
//! scenarios' distances across replications is reported with it.

use crate::analysis::stats::{quantile, share};
use crate::analysis::targets::{TargetResult, Targets};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// The cap of the headline verdict; the robustness table varies it.
pub const DEFAULT_CAP: f64 = 10.0;

/// The caps of the robustness table.
pub const ROBUSTNESS_CAPS: [f64; 4] = [2.0, 3.0, 5.0, 10.0];

/// Share of replications below which a target counts as reached by no
/// scenario when every scenario fails it at least this often.
pub const UNREACHED_FAIL_SHARE: f64 = 0.95;

/// What the verdict needs to know of a target.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetInfo {
    /// Target id.
    pub id: String,
    /// Pattern it belongs to.
    pub pattern: String,
    /// Observed value.
    pub observed: f64,
    /// Lowest passing value.
    pub lo: f64,
    /// Highest passing value.
    pub hi: f64,
    /// Whether it describes the 2022–23 surge itself (robustness table).
    pub surge: bool,
}

impl TargetInfo {
    /// The targets of a compiled scenario.
    pub fn of(targets: &Targets) -> Vec<TargetInfo> {
        targets
            .list
            .iter()
            .map(|t| TargetInfo {
                id: t.id.clone(),
                pattern: t.pattern.clone(),
                observed: t.observed,
                lo: t.lo,
                hi: t.hi,
                surge: t.surge,
            })
            .collect()
    }
}

/// Which targets a statistic uses, and its cap.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Statistic {
    /// Cap on a target's distance.
    pub cap: f64,
    /// Leave out targets whose observed value is zero ("no sales here").
    pub without_zero: bool,
    /// Use only the targets that describe the surge.
    pub surge_only: bool,
    /// Count an undefined target (a lead with no contract to measure it)
    /// as a miss at the cap instead of leaving it out: the headline leaves
    /// it out, which spares a world that never makes what the target
    /// measures.
    pub undefined_as_miss: bool,
}

impl Default for Statistic {
    fn default() -> Self {
        Statistic {
            cap: DEFAULT_CAP,
            without_zero: false,
            surge_only: false,
            undefined_as_miss: false,
        }
    }
}

impl Statistic {
    fn uses(&self, t: &TargetInfo) -> bool {
        !(self.without_zero && t.observed == 0.0) && (!self.surge_only || t.surge)
    }

    /// A replication's distance: the mean over patterns of the mean capped
    /// distance of the pattern's defined targets (of all its targets, an
    /// undefined one at the cap, with `undefined_as_miss`); NaN if no
    /// target is used.
    pub fn distance(&self, targets: &[TargetInfo], results: &[TargetResult]) -> f64 {
        let mut sum = 0.0;
        let mut n = 0usize;
        // The patterns in order of first appearance, as [`patterns`] lists
        // them, without making the list: this runs for every replication
        // and statistic.
        for (i, first) in targets.iter().enumerate() {
            let p = &first.pattern;
            if targets[..i].iter().any(|t| &t.pattern == p) {
                continue;
            }
            let (mut s, mut k) = (0.0, 0usize);
            for (t, r) in targets.iter().zip(results) {
                if &t.pattern == p && self.uses(t) {
                    if !r.distance.is_nan() {
                        s += r.distance.min(self.cap);
                        k += 1;
                    } else if self.undefined_as_miss {
                        s += self.cap;
                        k += 1;
                    }
                }
            }
            if k > 0 {
                sum += s / k as f64;
                n += 1;
            }
        }
        if n == 0 { f64::NAN } else { sum / n as f64 }
    }
}

/// The patterns of a target list, in order of first appearance.
pub fn patterns(targets: &[TargetInfo]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in targets {
        if !out.contains(&t.pattern) {
            out.push(t.pattern.clone());
        }
    }
    out
}

/// The key patterns are shown in order of: by name, a trailing number by
/// value (P2 before P10), whatever order the target ids give. The verdict
/// and the report sort by it, so that the page lists the patterns as the
/// terminal does.
pub fn pattern_order(pattern: &str) -> (String, Option<u64>, String) {
    let digits = pattern.len() - pattern.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = pattern.split_at(pattern.len() - digits);
    (
        stem.to_string(),
        number.parse::<u64>().ok(),
        pattern.to_string(),
    )
}

/// A paired comparison of two scenarios over the same replications.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paired {
    /// Mean of (this scenario − the reference) per replication.
    pub mean: f64,
    /// Lower end of its 95 % interval.
    pub lo: f64,
    /// Upper end of its 95 % interval.
    pub hi: f64,
    /// Two-sided p-value of the paired t-test (mean difference 0).
    pub p: f64,
    /// Pearson correlation of the two scenarios' values.
    pub correlation: f64,
    /// Replications with both values defined.
    pub n: usize,
}

impl Paired {
    /// Whether the interval excludes zero.
    pub fn significant(&self) -> bool {
        self.lo > 0.0 || self.hi < 0.0
    }
}

/// The paired difference `b − a` over the replications where both are
/// defined.
pub fn paired(a: &[f64], b: &[f64]) -> Paired {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| !x.is_nan() && !y.is_nan())
        .map(|(x, y)| (*x, *y))
        .collect();
    let n = pairs.len();
    let nan = Paired {
        mean: f64::NAN,
        lo: f64::NAN,
        hi: f64::NAN,
        p: f64::NAN,
        correlation: f64::NAN,
        n,
    };
    if n < 2 {
        return Paired {
            mean: pairs.first().map_or(f64::NAN, |(x, y)| y - x),
            ..nan
        };
    }
    let nf = n as f64;
    let d: Vec<f64> = pairs.iter().map(|(x, y)| y - x).collect();
    let mean = d.iter().sum::<f64>() / nf;
    let var = d.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (nf - 1.0);
    let se = (var / nf).sqrt();
    let t = StudentsT::new(0.0, 1.0, nf - 1.0).expect("n ≥ 2 gives a valid Student t");
    let q = quantile_975(&t);
    let p = if se > 0.0 {
        // The upper tail itself, not 1 − cdf: that loses the digits of a
        // small p (relative error 1e-4 at 5e-13, and 0 below 1e-16).
        2.0 * t.sf((mean / se).abs())
    } else if mean == 0.0 {
        1.0
    } else {
        0.0
    };
    Paired {
        mean,
        lo: mean - q * se,
        hi: mean + q * se,
        p,
        correlation: correlation(
            &pairs.iter().map(|p| p.0).collect::<Vec<_>>(),
            &pairs.iter().map(|p| p.1).collect::<Vec<_>>(),
        ),
        n,
    }
}

/// Pearson correlation (NaN if either side is constant).
pub fn correlation(a: &[f64], b: &[f64]) -> f64 {
    let n = a.len().min(b.len()) as f64;
    if n < 2.0 {
        return f64::NAN;
    }
    let ma = a.iter().sum::<f64>() / n;
    let mb = b.iter().sum::<f64>() / n;
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (x, y) in a.iter().zip(b) {
        sab += (x - ma) * (y - mb);
        saa += (x - ma) * (x - ma);
        sbb += (y - mb) * (y - mb);
    }
    if saa == 0.0 || sbb == 0.0 {
        f64::NAN
    } else {
        sab / (saa * sbb).sqrt()
    }
}

/// Mean and the half-width of its 95 % Student-t interval, over the
/// defined values.
pub fn mean_ci(xs: &[f64]) -> (f64, f64) {
    let v: Vec<f64> = xs.iter().copied().filter(|x| !x.is_nan()).collect();
    let n = v.len() as f64;
    if v.is_empty() {
        return (f64::NAN, f64::NAN);
    }
    let mean = v.iter().sum::<f64>() / n;
    if v.len() < 2 {
        return (mean, f64::NAN);
    }
    let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f64>() / (n - 1.0);
    let t = StudentsT::new(0.0, 1.0, n - 1.0).expect("n ≥ 2 gives a valid Student t");
    (mean, quantile_975(&t) * (var / n).sqrt())
}

/// The 97.5 % quantile of a Student t: statrs' inverse, refined by Newton
/// steps on the upper tail. Its inverse loses digits as the degrees of
/// freedom grow (1.959931 against 1.959966 at 999,999) while its tail
/// stays accurate; the quantile is never below the normal's.
fn quantile_975(t: &StudentsT) -> f64 {
    use statrs::distribution::Continuous;
    const NORMAL_975: f64 = 1.959_963_984_540_054;
    // `max` also takes the normal's over a NaN.
    let mut q = t.inverse_cdf(0.975).max(NORMAL_975);
    for _ in 0..3 {
        q += (t.sf(q) - 0.025) / t.pdf(q);
    }
    q
}

/// One target over a scenario's replications.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSummary {
    /// Target id.
    pub id: String,
    /// Pattern.
    pub pattern: String,
    /// Share of replications passing (undefined counts as failing).
    pub pass_share: f64,
    /// Share of replications in which the metric is defined.
    pub defined_share: f64,
    /// Median simulated value over defined replications.
    pub median: f64,
    /// Its 5 % quantile.
    pub lo: f64,
    /// Its 95 % quantile.
    pub hi: f64,
    /// Mean distance over defined replications (uncapped).
    pub distance: f64,
}

/// One scenario's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct ScenarioVerdict {
    /// Scenario name.
    pub scenario: String,
    /// Replications.
    pub replications: usize,
    /// Per target, in the targets' order.
    pub targets: Vec<TargetSummary>,
    /// Per pattern (in [`Verdict::patterns`] order), the share of
    /// replications passing every target of the pattern.
    pub pattern_pass: Vec<f64>,
    /// Share of replications passing every target.
    pub all_pass: f64,
    /// Mean distance (headline statistic) and the half-width of its 95 %
    /// interval.
    pub distance: (f64, f64),
    /// Paired difference to the first scenario (None for the first).
    pub paired: Option<Paired>,
}

/// A row of the robustness table: one statistic, the paired difference
/// of every scenario to the first.
#[derive(Debug, Clone, PartialEq)]
pub struct RobustnessRow {
    /// What the statistic is (`cap 3`, `without zero-valued targets`, …).
    pub label: String,
    /// Per scenario, its mean distance under the statistic and the
    /// half-width of its 95 % interval (as [`ScenarioVerdict::distance`]).
    pub distance: Vec<(f64, f64)>,
    /// Per scenario after the first, the paired difference to it.
    pub paired: Vec<Paired>,
}

/// The whole verdict over several scenarios.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Pattern ids, in order.
    pub patterns: Vec<String>,
    /// Per scenario, in the order given (the first is the reference).
    pub scenarios: Vec<ScenarioVerdict>,
    /// The robustness table.
    pub robustness: Vec<RobustnessRow>,
    /// Targets every scenario fails in at least
    /// [`UNREACHED_FAIL_SHARE`] of replications.
    pub unreached: Vec<String>,
    /// The best scenario against the runner-up, with two or more ranked.
    pub runner_up: Option<RunnerUp>,
}

/// The paired difference of the scenario of lowest mean distance to the
/// one of next lowest (the headline statistic): the differences to the
/// first scenario alone cannot say whether a best that is not the first
/// is told apart from the runner-up.
#[derive(Debug, Clone, PartialEq)]
pub struct RunnerUp {
    /// The scenario of lowest mean distance.
    pub best: String,
    /// The scenario of next lowest mean distance.
    pub runner_up: String,
    /// The best's distance minus the runner-up's, pair by pair.
    pub paired: Paired,
    /// The same difference under each robustness statistic, in the order
    /// of [`Verdict::robustness`] (the two are those of the headline
    /// statistic): whether the best's lead over the runner-up holds
    /// under other caps and target sets.
    pub robustness: Vec<Paired>,
}

/// The scenarios of lowest and next lowest mean distance, by index, among
/// those with a defined one (the first in the given order on a tie):
/// `(best, None)` with one ranked, `None` with none.
pub fn best_two(scenarios: &[ScenarioVerdict]) -> Option<(usize, Option<usize>)> {
    let lowest = |skip: Option<usize>| {
        scenarios
            .iter()
            .enumerate()
            .filter(|&(i, s)| !s.distance.0.is_nan() && Some(i) != skip)
            .min_by(|a, b| a.1.distance.0.total_cmp(&b.1.distance.0))
            .map(|(i, _)| i)
    };
    let best = lowest(None)?;
    Some((best, lowest(Some(best))))
}

/// Each scenario's replications: `runs[r][k]`, target `k` of replication
/// `r`, replications aligned across scenarios (common random numbers).
#[derive(Debug, Clone, Default)]
pub struct Runs {
    /// Scenario name.
    pub scenario: String,
    /// Target results per replication.
    pub runs: Vec<Vec<TargetResult>>,
}

impl Runs {
    /// Empty runs of a scenario.
    pub fn new(scenario: &str) -> Runs {
        Runs {
            scenario: scenario.to_string(),
            runs: Vec::new(),
        }
    }

    /// Add one replication's results.
    pub fn push(&mut self, results: &[TargetResult]) {
        self.runs.push(results.to_vec());
    }

    fn distances(&self, targets: &[TargetInfo], st: &Statistic) -> Vec<f64> {
        self.runs.iter().map(|r| st.distance(targets, r)).collect()
    }
}

/// The verdict over `scenarios` (the first is the reference), all judged
/// on `targets`.
pub fn verdict(targets: &[TargetInfo], scenarios: &[Runs]) -> Verdict {
    // Shown in the order of their names, numbers by value (P2 before P10),
    // whatever order the target ids give.
    let mut pats = patterns(targets);
    pats.sort_by_cached_key(|p| pattern_order(p));
    let headline = Statistic::default();
    let distances: Vec<Vec<f64>> = scenarios
        .iter()
        .map(|s| s.distances(targets, &headline))
        .collect();
    let summaries: Vec<ScenarioVerdict> = scenarios
        .iter()
        .zip(&distances)
        .enumerate()
        .map(|(i, (s, d))| ScenarioVerdict {
            scenario: s.scenario.clone(),
            replications: s.runs.len(),
            targets: targets
                .iter()
                .enumerate()
                .map(|(k, t)| summarise(t, k, &s.runs))
                .collect(),
            pattern_pass: pats
                .iter()
                .map(|p| {
                    share(s.runs.iter().map(|r| {
                        targets
                            .iter()
                            .zip(r)
                            .filter(|(t, _)| &t.pattern == p)
                            .all(|(_, x)| x.pass)
                    }))
                })
                .collect(),
            all_pass: share(s.runs.iter().map(|r| r.iter().all(|x| x.pass))),
            distance: mean_ci(d),
            paired: (i > 0).then(|| paired(&distances[0], d)),
        })
        .collect();
    let mut variants: Vec<(String, Statistic)> = ROBUSTNESS_CAPS
        .iter()
        .map(|&cap| {
            (
                format!("cap {cap}"),
                Statistic {
                    cap,
                    ..Statistic::default()
                },
            )
        })
        .collect();
    variants.push((
        "without zero-valued targets".into(),
        Statistic {
            without_zero: true,
            ..Statistic::default()
        },
    ));
    variants.push((
        "surge targets only".into(),
        Statistic {
            surge_only: true,
            ..Statistic::default()
        },
    ));
    variants.push((
        "undefined as a miss".into(),
        Statistic {
            undefined_as_miss: true,
            ..Statistic::default()
        },
    ));
    let two = match best_two(&summaries) {
        Some((best, Some(runner))) => Some((best, runner)),
        _ => None,
    };
    let mut runner_up_robustness = Vec::new();
    let robustness = variants
        .into_iter()
        .map(|(label, st)| {
            let ds: Vec<Vec<f64>> = scenarios
                .iter()
                .map(|s| s.distances(targets, &st))
                .collect();
            if let Some((best, runner)) = two {
                runner_up_robustness.push(paired(&ds[runner], &ds[best]));
            }
            RobustnessRow {
                label,
                distance: ds.iter().map(|d| mean_ci(d)).collect(),
                paired: ds.iter().skip(1).map(|d| paired(&ds[0], d)).collect(),
            }
        })
        .collect();
    let unreached = unreached(&summaries);
    let runner_up = two.map(|(best, runner)| RunnerUp {
        best: summaries[best].scenario.clone(),
        runner_up: summaries[runner].scenario.clone(),
        paired: paired(&distances[runner], &distances[best]),
        robustness: runner_up_robustness,
    });
    Verdict {
        patterns: pats,
        scenarios: summaries,
        robustness,
        unreached,
        runner_up,
    }
}

/// The targets every scenario fails in at least [`UNREACHED_FAIL_SHARE`] of
/// its replications, in the first scenario's order (the scenarios are judged
/// on the same targets).
pub fn unreached(scenarios: &[ScenarioVerdict]) -> Vec<String> {
    let Some(first) = scenarios.first() else {
        return Vec::new();
    };
    first
        .targets
        .iter()
        .enumerate()
        .filter(|(k, _)| {
            scenarios.iter().all(|s| {
                s.targets
                    .get(*k)
                    .is_some_and(|t| 1.0 - t.pass_share >= UNREACHED_FAIL_SHARE)
            })
        })
        .map(|(_, t)| t.id.clone())
        .collect()
}

fn summarise(t: &TargetInfo, k: usize, runs: &[Vec<TargetResult>]) -> TargetSummary {
    let values: Vec<f64> = runs.iter().map(|r| r[k].value).collect();
    let dist: Vec<f64> = runs.iter().map(|r| r[k].distance).collect();
    TargetSummary {
        id: t.id.clone(),
        pattern: t.pattern.clone(),
        pass_share: share(runs.iter().map(|r| r[k].pass)),
        defined_share: share(values.iter().map(|v| !v.is_nan())),
        median: quantile(&values, 0.5),
        lo: quantile(&values, 0.05),
        hi: quantile(&values, 0.95),
        distance: mean_ci(&dist).0,
    }
}

impl Verdict {
    /// The best scenario against the runner-up, where neither is the
    /// first: the differences to the first then do not compare the two,
    /// so the conclusion and the robustness table add this test. `None`
    /// when the first is the best or the runner-up (its differences are
    /// that test), or with fewer than two ranked.
    pub fn runner_up_apart(&self) -> Option<&RunnerUp> {
        let first = self.scenarios.first()?;
        let (best, runner) = best_two(&self.scenarios)?;
        let (best, runner) = (&self.scenarios[best], &self.scenarios[runner?]);
        self.runner_up.as_ref().filter(|r| {
            best.scenario != first.scenario
                && runner.scenario != first.scenario
                && r.best == best.scenario
                && r.runner_up == runner.scenario
        })
    }

    /// One line saying which scenario fits best and whether it fits
    /// significantly better than the reference (or the reference than the
    /// runner-up). A scenario whose distance is undefined in every
    /// replication is named and left out of the ranking: it has nothing to
    /// rank by, and sorting it last would say it fits worst.
    pub fn conclusion(&self) -> String {
        let Some(first) = self.scenarios.first() else {
            return "no scenario".into();
        };
        let unranked: Vec<&ScenarioVerdict> = self
            .scenarios
            .iter()
            .filter(|s| s.distance.0.is_nan())
            .collect();
        let unranked_note = match unranked.as_slice() {
            [] => String::new(),
            [one] => format!(
                "; {} has no defined distance (in any replication), so it is not compared",
                one.scenario
            ),
            many => format!(
                "; {} have no defined distance (in any replication), so they are not compared",
                many.iter()
                    .map(|s| s.scenario.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        let Some((best, runner)) = best_two(&self.scenarios) else {
            return "no scenario has a defined distance (in any replication): nothing to compare"
                .into();
        };
        let best = &self.scenarios[best];
        let mean = |s: &ScenarioVerdict| match s.distance.1 {
            h if h.is_nan() => format!("{:.3}", s.distance.0),
            h => format!("{:.3} ± {h:.3}", s.distance.0),
        };
        let Some(runner) = runner.map(|i| &self.scenarios[i]) else {
            let alone = if self.scenarios.len() == 1 {
                String::new()
            } else {
                ", the only scenario with one".into()
            };
            return format!(
                "{}: mean distance {}{alone}{unranked_note}",
                best.scenario,
                mean(best)
            );
        };
        // A best that is not the first is tested against the first; when
        // the runner-up is not the first either, the line adds the test
        // against it, without which "best" may name one of several that
        // the replications do not tell apart.
        let runner_note = match self.runner_up_apart() {
            Some(r) => against_runner_up(r, best.replications.max(runner.replications)),
            None => String::new(),
        };
        // The paired tests are against the first scenario: the runner-up
        // when the first fits best, else the first itself.
        let (winner, other) = if best.scenario == first.scenario {
            (best, runner)
        } else if first.distance.0.is_nan() {
            return format!(
                "{} has the smallest mean distance ({} against {} for {}); the first scenario, {}, has none, so the differences to it are not tested{runner_note}{unranked_note}",
                best.scenario,
                mean(best),
                mean(runner),
                runner.scenario,
                first.scenario
            );
        } else {
            (best, first)
        };
        let p = if winner.scenario == first.scenario {
            other.paired
        } else {
            winner.paired
        }
        .expect("a scenario after the first is paired with it");
        if p.p.is_nan() {
            // Level means name no smallest (one replication on common
            // random numbers, the scenarios alike in it).
            if winner.distance.0 == other.distance.0 {
                return format!(
                    "{} and {} have the same mean distance ({}), and {} both distances defined: a paired test needs 2 or more{runner_note}{unranked_note}",
                    winner.scenario,
                    other.scenario,
                    mean(winner),
                    pairs_have(p.n)
                );
            }
            return format!(
                "{} has the smallest mean distance ({} against {} for {}), but {} both distances defined: a paired test needs 2 or more{runner_note}{unranked_note}",
                winner.scenario,
                mean(winner),
                mean(other),
                other.scenario,
                pairs_have(p.n)
            );
        }
        // Identical distances in every replication: no better at all.
        let tie = p.mean == 0.0 && p.lo == 0.0 && p.hi == 0.0;
        let p_shown = p_shown(p.p);
        // The means are over the replications where each distance is
        // defined, the paired difference over those where both are: where
        // the pairs put the other ahead, naming the winner "better" would
        // contradict the number quoted beside it.
        let pairs_favour_other = if winner.scenario == first.scenario {
            p.mean < 0.0
        } else {
            p.mean > 0.0
        };
        if pairs_favour_other {
            return format!(
                "{} has the smallest mean distance ({} against {} for {}), but {} fits {}better on the {} replications where both distances are defined: paired difference {} (95 % CI {} to {}, p {p_shown}); the means are over different replications, as some distances are undefined (the pairs cover only the replications where both are){runner_note}{unranked_note}",
                winner.scenario,
                mean(winner),
                mean(other),
                other.scenario,
                other.scenario,
                if p.significant() {
                    "significantly "
                } else {
                    ""
                },
                p.n,
                signed(p.mean),
                signed(p.lo),
                signed(p.hi),
            );
        }
        let verb = match (p.significant(), winner.scenario == first.scenario) {
            _ if tie => "fits exactly as well as",
            (true, _) => "fits significantly better than",
            (false, true) => "fits better, but not significantly better, than",
            (false, false) => "fits best, but not significantly better than",
        };
        let next_best = if winner.scenario == first.scenario && !tie {
            "the next best, "
        } else {
            ""
        };
        let on_pairs = on_pairs(p.n, winner.replications.max(other.replications));
        format!(
            "{} {verb} {next_best}{}{on_pairs}: paired difference {} (95 % CI {} to {}, p {p_shown}){runner_note}{unranked_note}",
            winner.scenario,
            other.scenario,
            signed(p.mean),
            signed(p.lo),
            signed(p.hi),
        )
    }
}

/// The clause a conclusion adds for the best against the runner-up, over
/// `replications`: the paired difference, and whether it tells them
/// apart.
fn against_runner_up(r: &RunnerUp, replications: usize) -> String {
    let p = &r.paired;
    let head = format!("; against the runner-up, {}", r.runner_up);
    if p.p.is_nan() {
        return format!(
            "{head}, {} both distances defined, too few for a paired test",
            pairs_have(p.n)
        );
    }
    if p.mean == 0.0 && p.lo == 0.0 && p.hi == 0.0 {
        return if p.n < replications {
            format!(
                "{head}: the same distance in each of the {} replications where both distances are defined",
                p.n
            )
        } else {
            format!("{head}: the same distance in every replication")
        };
    }
    let on_pairs = on_pairs(p.n, replications);
    let judgement = match (p.significant(), p.mean > 0.0) {
        (true, true) => "the pairs favour the runner-up, significantly",
        (false, true) => "the pairs favour the runner-up, not significantly",
        (true, false) => "significant",
        (false, false) => "not significant: the two are not told apart",
    };
    format!(
        "{head}: paired difference {} (95 % CI {} to {}, p {}){on_pairs}, {judgement}",
        signed(p.mean),
        signed(p.lo),
        signed(p.hi),
        p_shown(p.p),
    )
}

/// Too few pairs for a test: "no replication has", "only 1 replication
/// has", "only N replications have" (both distances defined).
fn pairs_have(n: usize) -> String {
    match n {
        0 => "no replication has".to_string(),
        1 => "only 1 replication has".to_string(),
        n => format!("only {n} replications have"),
    }
}

/// A difference over fewer pairs than `replications` says so: an exact tie
/// on 11 pairs of 40 is not a tie of the scenarios.
fn on_pairs(n: usize, replications: usize) -> String {
    if n < replications {
        format!(" on the {n} replications where both distances are defined")
    } else {
        String::new()
    }
}

/// A p-value within a sentence: `< 0.001` or `= 0.042`.
fn p_shown(p: f64) -> String {
    match p_value(p) {
        v if v.starts_with('<') => format!("< {}", &v[1..]),
        v => format!("= {v}"),
    }
}

/// A signed number to three decimals; `-` when undefined (fewer than two
/// pairs).
pub fn signed(x: f64) -> String {
    if x.is_nan() {
        "-".into()
    } else {
        format!("{x:+.3}")
    }
}

/// A p-value for a table: `<0.001` below a thousandth.
pub fn p_value(p: f64) -> String {
    if p.is_nan() {
        "-".into()
    } else if p < 0.001 {
        "<0.001".into()
    } else if (0.0495..0.05).contains(&p) {
        // Rounded, 0.050 would stand beside "significant".
        "<0.050".into()
    } else {
        format!("{p:.3}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A tiny p-value keeps its digits: with two pairs the statistic is
    /// Cauchy, whose tail is exactly p = (2/π) atan(1/|t|).
    #[test]
    fn a_tiny_p_value_is_exact() {
        let a = [0.0, 0.0];
        let b = [1.0, 1.0 + 2e-12];
        let d: [f64; 2] = [1.0, 1.0 + 2e-12];
        let mean = (d[0] + d[1]) / 2.0;
        let sd = ((d[0] - mean).powi(2) + (d[1] - mean).powi(2)).sqrt();
        let t = mean / (sd / 2f64.sqrt());
        let exact = 2.0 / std::f64::consts::PI * (1.0 / t).atan();
        let p = paired(&a, &b).p;
        assert!(exact > 1e-13 && exact < 1e-12, "{exact}");
        assert!((p - exact).abs() <= 1e-9 * exact, "{p} against {exact}");
    }

    /// A p-value just below 0.05 is not rounded up to 0.050, which would
    /// stand beside "significant"; one at or above it is.
    #[test]
    fn a_p_value_just_below_five_per_cent_is_not_shown_as_five_per_cent() {
        assert_eq!(p_value(0.0497), "<0.050");
        assert_eq!(p_shown(0.0497), "< 0.050");
        assert_eq!(p_value(0.0494), "0.049");
        assert_eq!(p_value(0.05), "0.050");
        assert_eq!(p_value(0.0504), "0.050");
    }

    fn r(value: f64, distance: f64, pass: bool) -> TargetResult {
        TargetResult {
            value,
            pass,
            distance,
        }
    }

    fn info(id: &str, pattern: &str, observed: f64, surge: bool) -> TargetInfo {
        TargetInfo {
            id: id.into(),
            pattern: pattern.into(),
            observed,
            lo: observed - 1.0,
            hi: observed + 1.0,
            surge,
        }
    }

    #[test]
    fn patterns_weigh_equally_and_undefined_targets_are_skipped() {
        let t = vec![
            info("a", "P1", 1.0, true),
            info("b", "P1", 1.0, false),
            info("c", "P1", 1.0, false),
            info("d", "P2", 0.0, false),
        ];
        // P1: (0.5 + 3.0 + [undefined]) / 2 = 1.75; P2: 12 capped at 10.
        let run = [
            r(1.0, 0.5, true),
            r(2.0, 3.0, false),
            r(f64::NAN, f64::NAN, false),
            r(9.0, 12.0, false),
        ];
        let st = Statistic::default();
        assert_eq!(st.distance(&t, &run), (1.75 + 10.0) / 2.0);
        // Cap 2: P1 (0.5 + 2) / 2, P2 2.
        let st2 = Statistic { cap: 2.0, ..st };
        assert_eq!(st2.distance(&t, &run), (1.25 + 2.0) / 2.0);
        // Without zero-valued targets P2 drops out: P1 alone.
        let nz = Statistic {
            without_zero: true,
            ..st
        };
        assert_eq!(nz.distance(&t, &run), 1.75);
        // Surge targets only: a alone.
        let sg = Statistic {
            surge_only: true,
            ..st
        };
        assert_eq!(sg.distance(&t, &run), 0.5);
        // Nothing defined: NaN, never a distance.
        let undefined = [r(f64::NAN, f64::NAN, false); 4];
        assert!(st.distance(&t, &undefined).is_nan());
        // An undefined target as a miss at the cap: P1 (0.5 + 3 + 10) / 3.
        let miss = Statistic {
            undefined_as_miss: true,
            ..st
        };
        assert_eq!(miss.distance(&t, &run), (4.5 + 10.0) / 2.0);
        assert_eq!(miss.distance(&t, &undefined), 10.0);
    }

    #[test]
    fn an_undefined_metric_is_never_turned_into_a_distance() {
        let t = vec![info("a", "P1", 1.0, false), info("b", "P2", 1.0, false)];
        let mut s = Runs::new("x");
        s.push(&[r(f64::NAN, f64::NAN, false), r(1.0, 0.2, true)]);
        s.push(&[r(1.0, 0.4, true), r(1.0, 0.6, true)]);
        let v = verdict(&t, &[s]);
        let sv = &v.scenarios[0];
        // Replication 0: P2 alone (0.2); replication 1: (0.4 + 0.6) / 2.
        assert!((sv.distance.0 - 0.35).abs() < 1e-12);
        assert_eq!(sv.targets[0].pass_share, 0.5, "undefined counts as a fail");
        assert_eq!(sv.targets[0].defined_share, 0.5);
        assert_eq!(sv.targets[0].distance, 0.4);
    }

    /// Paired statistics against values worked out by hand: differences
    /// 1, 2, 3, 4, 5 (mean 3, sd √2.5, se √0.5); t(4) 97.5 % = 2.776445.
    #[test]
    fn paired_statistics_by_hand() {
        let a = [1.0, 2.0, 3.0, 4.0, 5.0];
        let b = [2.0, 4.0, 6.0, 8.0, 10.0];
        let p = paired(&a, &b);
        assert_eq!(p.n, 5);
        assert!((p.mean - 3.0).abs() < 1e-12);
        let half = 2.776_445_105 * 0.5f64.sqrt();
        assert!((p.lo - (3.0 - half)).abs() < 1e-6, "{}", p.lo);
        assert!((p.hi - (3.0 + half)).abs() < 1e-6);
        // t = 3 / √0.5 = 4.2426 on 4 df, where F(t) = 1/2 + 3/4 (s − s³/3)
        // with s = t / √(t² + 4): two-sided p = 0.0132356.
        assert!((p.p - 0.013_235_6).abs() < 1e-6, "{}", p.p);
        assert!((p.correlation - 1.0).abs() < 1e-12);
        assert!(p.significant());
        // A NaN on either side drops the pair.
        let p2 = paired(&[1.0, f64::NAN, 3.0], &[2.0, 5.0, 3.5]);
        assert_eq!(p2.n, 2);
        assert!((p2.mean - 0.75).abs() < 1e-12);
        // No difference at all.
        let p3 = paired(&a, &a);
        assert_eq!((p3.mean, p3.p), (0.0, 1.0));
        assert!(!p3.significant());
    }

    #[test]
    fn correlation_by_hand() {
        assert!((correlation(&[1.0, 2.0, 3.0], &[3.0, 2.0, 1.0]) + 1.0).abs() < 1e-12);
        // x = 1..4, y = 1, 3, 2, 4: r = 0.8.
        assert!((correlation(&[1.0, 2.0, 3.0, 4.0], &[1.0, 3.0, 2.0, 4.0]) - 0.8).abs() < 1e-12);
        assert!(correlation(&[1.0, 1.0], &[1.0, 2.0]).is_nan());
    }

    #[test]
    fn patterns_are_shown_in_the_order_of_their_names() {
        // Target ids put P10 first and P1 last; each pattern keeps its own
        // pass share.
        let t = vec![
            info("a", "P10", 1.0, true),
            info("b", "P2", 1.0, true),
            info("c", "P1", 1.0, true),
        ];
        let mut runs = Runs::new("one");
        runs.push(&[r(1.0, 0.0, true), r(1.0, 5.0, false), r(1.0, 0.0, true)]);
        let v = verdict(&t, &[runs]);
        assert_eq!(v.patterns, ["P1", "P2", "P10"]);
        assert_eq!(v.scenarios[0].pattern_pass, [1.0, 0.0, 1.0]);
    }

    #[test]
    fn verdict_reports_pattern_passes_robustness_and_unreached_targets() {
        let t = vec![
            info("a", "P1", 1.0, true),
            info("b", "P1", 0.0, false),
            info("c", "P2", 5.0, true),
        ];
        let mut first = Runs::new("commercial");
        let mut second = Runs::new("strategic");
        for i in 0..20 {
            let x = f64::from(i) / 20.0;
            first.push(&[r(1.0, x, true), r(0.0, 1.0, true), r(9.0, 4.0 + x, false)]);
            second.push(&[
                r(1.0, x, true),
                r(0.0, 2.0, i % 2 == 0),
                r(9.0, 3.0 + x, false),
            ]);
        }
        let v = verdict(&t, &[first, second]);
        assert_eq!(v.patterns, ["P1", "P2"]);
        assert_eq!(v.scenarios[0].pattern_pass, [1.0, 0.0]);
        assert_eq!(v.scenarios[1].pattern_pass, [0.5, 0.0]);
        // Second − first per replication: P1 +0.5, P2 −1: −0.25 exactly.
        let p = v.scenarios[1].paired.unwrap();
        assert!((p.mean + 0.25).abs() < 1e-12);
        assert_eq!(v.unreached, ["c"]);
        // Robustness: cap 2 clips P2 (4 + x and 3 + x → 2): P1 only differs.
        let cap2 = &v.robustness[0];
        assert_eq!(cap2.label, "cap 2");
        assert!((cap2.paired[0].mean - 0.25).abs() < 1e-12);
        let row = |label: &str| v.robustness.iter().find(|r| r.label == label).unwrap();
        let surge = row("surge targets only");
        // Surge targets a and c: P1 from a alone (equal), P2 −1, halved.
        assert!((surge.paired[0].mean + 0.5).abs() < 1e-12);
        // Every target defined: undefined as a miss is the headline.
        let miss = row("undefined as a miss");
        assert!((miss.paired[0].mean + 0.25).abs() < 1e-12);
        assert!(
            v.conclusion()
                .starts_with("strategic fits significantly better than commercial")
        );
    }

    /// A paired difference to the first scenario: (mean, lo, hi, p, n).
    type Pair = (f64, f64, f64, f64, usize);

    /// A verdict of scenarios given as (name, mean distance, half-width,
    /// paired difference to the first).
    fn ranked(scenarios: &[(&str, f64, f64, Option<Pair>)]) -> Verdict {
        Verdict {
            patterns: Vec::new(),
            scenarios: scenarios
                .iter()
                .map(|&(name, d, h, p)| ScenarioVerdict {
                    scenario: name.into(),
                    replications: 4,
                    targets: Vec::new(),
                    pattern_pass: Vec::new(),
                    all_pass: 0.0,
                    distance: (d, h),
                    paired: p.map(|(mean, lo, hi, p, n)| Paired {
                        mean,
                        lo,
                        hi,
                        p,
                        correlation: f64::NAN,
                        n,
                    }),
                })
                .collect(),
            robustness: Vec::new(),
            unreached: Vec::new(),
            runner_up: None,
        }
    }

    /// [`ranked`] with the best's difference to the runner-up.
    fn with_runner_up(mut v: Verdict, best: &str, runner_up: &str, p: Pair) -> Verdict {
        let (mean, lo, hi, p, n) = p;
        v.runner_up = Some(RunnerUp {
            best: best.into(),
            runner_up: runner_up.into(),
            paired: Paired {
                mean,
                lo,
                hi,
                p,
                correlation: f64::NAN,
                n,
            },
            robustness: Vec::new(),
        });
        v
    }

    /// A scenario's four replications of one target, with these
    /// distances.
    fn runs(name: &str, ds: [f64; 4]) -> Runs {
        let mut s = Runs::new(name);
        ds.iter().for_each(|&d| s.push(&[r(1.0, d, false)]));
        s
    }

    /// A best that is not the first is tested against the runner-up too,
    /// when that is not the first either: one paired difference per
    /// replication, by hand. Distances per replication (one target):
    /// first 3, 3, 3, 3; runner-up 1.0, 1.2, 1.4, 1.6; best 0.9, 1.0, 1.1,
    /// 1.2. Best − runner-up: −0.1, −0.2, −0.3, −0.4 (mean −0.25, sd
    /// √(0.05/3), se √(0.05/12)).
    #[test]
    fn a_best_that_is_not_the_first_is_tested_against_the_runner_up() {
        let t = vec![info("a", "P1", 1.0, true)];
        let v = verdict(
            &t,
            &[
                runs("first", [3.0; 4]),
                runs("runner", [1.0, 1.2, 1.4, 1.6]),
                runs("best", [0.9, 1.0, 1.1, 1.2]),
            ],
        );
        let r = v.runner_up.clone().unwrap();
        assert_eq!((r.best.as_str(), r.runner_up.as_str()), ("best", "runner"));
        assert_eq!(r.paired.n, 4);
        assert!((r.paired.mean + 0.25).abs() < 1e-12, "{}", r.paired.mean);
        // t(3) 97.5 % = 3.182446.
        let half = 3.182_446_305 * (0.05f64 / 12.0).sqrt();
        assert!(
            (r.paired.lo - (-0.25 - half)).abs() < 1e-6,
            "{}",
            r.paired.lo
        );
        assert!((r.paired.hi - (-0.25 + half)).abs() < 1e-6);
        let line = v.conclusion();
        assert!(
            line.starts_with("best fits significantly better than first: paired difference -1.950"),
            "{line}"
        );
        assert!(
            line.ends_with(&format!(
                "; against the runner-up, runner: paired difference -0.250 (95 % CI {} to {}, p = {}), significant",
                signed(r.paired.lo),
                signed(r.paired.hi),
                p_value(r.paired.p)
            )),
            "{line}"
        );
        // With the first the best or the runner-up, the line's own test is
        // against the runner-up already: no clause.
        let v = verdict(
            &t,
            &[
                runs("runner", [1.0, 1.2, 1.4, 1.6]),
                runs("best", [0.9, 1.0, 1.1, 1.2]),
            ],
        );
        assert!(v.runner_up.is_some());
        assert!(!v.conclusion().contains("runner-up"), "{}", v.conclusion());
        let v = verdict(
            &t,
            &[
                runs("best", [0.9, 1.0, 1.1, 1.2]),
                runs("runner", [1.0, 1.2, 1.4, 1.6]),
            ],
        );
        assert!(!v.conclusion().contains("runner-up"), "{}", v.conclusion());
        // One scenario: no runner-up.
        assert!(verdict(&t, &[runs("best", [1.0; 4])]).runner_up.is_none());
    }

    /// The best against the runner-up under each robustness statistic,
    /// by hand: the best leads on the headline and trails under the lower
    /// caps, which the headline's test alone would not show. Distances per
    /// replication (one target): first 9 each; runner-up 1, 1, 1, 7.5
    /// (mean 2.625); best 2.5 each (mean 2.5). Best − runner-up: capped at
    /// 2, 1, 1, 1, 0 (mean +0.75); at 3, 1.5, 1.5, 1.5, −0.5 (+1.0); at 5,
    /// 1.5, 1.5, 1.5, −2.5 (+0.5); at 10, as the headline, 1.5, 1.5, 1.5,
    /// −5 (−0.125), and so for the target sets, which leave it the same.
    #[test]
    fn the_best_is_set_against_the_runner_up_under_each_robustness_statistic() {
        let t = vec![info("a", "P1", 1.0, true)];
        let v = verdict(
            &t,
            &[
                runs("first", [9.0; 4]),
                runs("runner", [1.0, 1.0, 1.0, 7.5]),
                runs("best", [2.5; 4]),
            ],
        );
        let r = v.runner_up_apart().expect("neither is the first");
        assert_eq!((r.best.as_str(), r.runner_up.as_str()), ("best", "runner"));
        assert!((r.paired.mean + 0.125).abs() < 1e-12, "{}", r.paired.mean);
        let labels: Vec<&str> = v.robustness.iter().map(|x| x.label.as_str()).collect();
        assert_eq!(
            labels,
            [
                "cap 2",
                "cap 3",
                "cap 5",
                "cap 10",
                "without zero-valued targets",
                "surge targets only",
                "undefined as a miss"
            ]
        );
        let means: Vec<f64> = r.robustness.iter().map(|p| p.mean).collect();
        let want = [0.75, 1.0, 0.5, -0.125, -0.125, -0.125, -0.125];
        assert_eq!(means.len(), want.len());
        for (got, want) in means.iter().zip(want) {
            assert!((got - want).abs() < 1e-12, "{means:?}");
        }
        assert!(r.robustness.iter().all(|p| p.n == 4));
        // With the first the runner-up, its own differences are the test.
        let v = verdict(
            &t,
            &[runs("runner", [1.0, 1.0, 1.0, 7.5]), runs("best", [2.5; 4])],
        );
        assert!(v.runner_up.is_some() && v.runner_up_apart().is_none());
    }

    /// The runner-up clause in each case: not told apart, favouring the
    /// runner-up, an exact tie, too few pairs, fewer pairs than
    /// replications; after a first scenario without a distance, it is the
    /// line's only test.
    #[test]
    fn the_runner_up_clause_says_whether_the_best_is_told_apart() {
        // c best, b runner-up, a first.
        let abc = || {
            ranked(&[
                ("a", 0.9, 0.1, None),
                ("b", 0.6, 0.1, Some((0.3, 0.1, 0.5, 0.01, 4))),
                ("c", 0.5, 0.1, Some((-0.4, -0.6, -0.2, 0.001, 4))),
            ])
        };
        let three = |p: Pair| with_runner_up(abc(), "c", "b", p).conclusion();
        let head = "c fits significantly better than a: paired difference -0.400 (95 % CI -0.600 to -0.200, p = 0.001); against the runner-up, b";
        assert_eq!(
            three((-0.1, -0.3, 0.1, 0.2, 4)),
            format!(
                "{head}: paired difference -0.100 (95 % CI -0.300 to +0.100, p = 0.200), not significant: the two are not told apart"
            )
        );
        assert_eq!(
            three((0.1, 0.05, 0.15, 0.02, 4)),
            format!(
                "{head}: paired difference +0.100 (95 % CI +0.050 to +0.150, p = 0.020), the pairs favour the runner-up, significantly"
            )
        );
        assert_eq!(
            three((0.0, 0.0, 0.0, 1.0, 4)),
            format!("{head}: the same distance in every replication")
        );
        // It read "the same distance in every replication on the 3
        // replications where both distances are defined".
        assert_eq!(
            three((0.0, 0.0, 0.0, 1.0, 3)),
            format!(
                "{head}: the same distance in each of the 3 replications where both distances are defined"
            )
        );
        assert_eq!(
            three((-0.1, f64::NAN, f64::NAN, f64::NAN, 1)),
            format!(
                "{head}, only 1 replication has both distances defined, too few for a paired test"
            )
        );
        assert_eq!(
            three((-0.1, -0.3, 0.1, 0.2, 3)),
            format!(
                "{head}: paired difference -0.100 (95 % CI -0.300 to +0.100, p = 0.200) on the 3 replications where both distances are defined, not significant: the two are not told apart"
            )
        );
        let nan = f64::NAN;
        let undefined = Some((nan, nan, nan, nan, 0));
        assert_eq!(
            with_runner_up(
                ranked(&[
                    ("a", nan, nan, None),
                    ("b", 0.6, 0.1, undefined),
                    ("c", 0.5, 0.1, undefined),
                ]),
                "c",
                "b",
                (-0.1, -0.15, -0.05, 0.01, 4)
            )
            .conclusion(),
            "c has the smallest mean distance (0.500 ± 0.100 against 0.600 ± 0.100 for b); the first scenario, a, has none, so the differences to it are not tested; against the runner-up, b: paired difference -0.100 (95 % CI -0.150 to -0.050, p = 0.010), significant; a has no defined distance (in any replication), so it is not compared"
        );
        // A runner-up pair of other scenarios (a file edited by hand) is
        // not quoted.
        assert!(
            !with_runner_up(abc(), "b", "c", (-0.1, -0.3, 0.1, 0.2, 4))
                .conclusion()
                .contains("runner-up")
        );
    }

    #[test]
    fn a_scenario_without_a_distance_is_named_not_ranked() {
        let nan = f64::NAN;
        let undefined = Some((nan, nan, nan, nan, 0));
        // It was called "the next best", after the first.
        assert_eq!(
            ranked(&[("a", 0.5, 0.1, None), ("b", nan, nan, undefined)]).conclusion(),
            "a: mean distance 0.500 ± 0.100, the only scenario with one; b has no defined distance (in any replication), so it is not compared"
        );
        // Given first, it was said to fit worse than the other.
        assert_eq!(
            ranked(&[("b", nan, nan, None), ("a", 0.5, 0.1, undefined)]).conclusion(),
            "a: mean distance 0.500 ± 0.100, the only scenario with one; b has no defined distance (in any replication), so it is not compared"
        );
        assert_eq!(
            ranked(&[
                ("b", nan, nan, None),
                ("a", 0.5, 0.1, undefined),
                ("c", 0.7, 0.1, undefined),
                ("d", nan, nan, undefined),
            ])
            .conclusion(),
            "a has the smallest mean distance (0.500 ± 0.100 against 0.700 ± 0.100 for c); the first scenario, b, has none, so the differences to it are not tested; b, d have no defined distance (in any replication), so they are not compared"
        );
        assert_eq!(
            ranked(&[("b", nan, nan, None), ("a", nan, nan, undefined)]).conclusion(),
            "no scenario has a defined distance (in any replication): nothing to compare"
        );
    }

    #[test]
    fn too_few_pairs_for_a_test_are_said_so() {
        // One replication: the distances are defined, the test is not.
        let one = Some((0.3, f64::NAN, f64::NAN, f64::NAN, 1));
        assert_eq!(
            ranked(&[("a", 0.5, f64::NAN, None), ("b", 0.8, f64::NAN, one)]).conclusion(),
            "a has the smallest mean distance (0.500 against 0.800 for b), but only 1 replication has both distances defined: a paired test needs 2 or more"
        );
        assert_eq!(
            ranked(&[
                ("b", 0.8, f64::NAN, None),
                (
                    "a",
                    0.5,
                    f64::NAN,
                    Some((-0.3, f64::NAN, f64::NAN, f64::NAN, 1))
                )
            ])
            .conclusion(),
            "a has the smallest mean distance (0.500 against 0.800 for b), but only 1 replication has both distances defined: a paired test needs 2 or more"
        );
        // Level: neither is the smallest (one was named so).
        let level = Some((0.0, f64::NAN, f64::NAN, f64::NAN, 1));
        assert_eq!(
            ranked(&[("a", 0.5, f64::NAN, None), ("b", 0.5, f64::NAN, level)]).conclusion(),
            "a and b have the same mean distance (0.500), and only 1 replication has both distances defined: a paired test needs 2 or more"
        );
        // With a test, as before.
        assert_eq!(
            ranked(&[
                ("b", 0.8, 0.1, None),
                ("a", 0.5, 0.1, Some((-0.3, -0.5, -0.1, 0.01, 4)))
            ])
            .conclusion(),
            "a fits significantly better than b: paired difference -0.300 (95 % CI -0.500 to -0.100, p = 0.010)"
        );
        assert_eq!(
            ranked(&[
                ("a", 0.5, 0.1, None),
                ("b", 0.8, 0.1, Some((0.3, -0.1, 0.7, 0.2, 4)))
            ])
            .conclusion(),
            "a fits better, but not significantly better, than the next best, b: paired difference +0.300 (95 % CI -0.100 to +0.700, p = 0.200)"
        );
    }

    /// An exact tie, and any difference, over fewer pairs than
    /// replications says on how many: 2 of 4 here.
    #[test]
    fn a_difference_over_fewer_pairs_than_replications_says_how_many() {
        assert_eq!(
            ranked(&[
                ("a", 0.5, 0.1, None),
                ("b", 0.6, 0.1, Some((0.0, 0.0, 0.0, 1.0, 2)))
            ])
            .conclusion(),
            "a fits exactly as well as b on the 2 replications where both distances are defined: paired difference +0.000 (95 % CI +0.000 to +0.000, p = 1.000)"
        );
        assert_eq!(
            ranked(&[
                ("b", 0.8, 0.1, None),
                ("a", 0.5, 0.1, Some((-0.3, -0.5, -0.1, 0.01, 3)))
            ])
            .conclusion(),
            "a fits significantly better than b on the 3 replications where both distances are defined: paired difference -0.300 (95 % CI -0.500 to -0.100, p = 0.010)"
        );
    }

    /// With distances undefined in some replications, the lowest mean
    /// and the paired difference may disagree: the line says so rather
    /// than call the scenario the pairs put behind "better".
    #[test]
    fn a_lowest_mean_that_the_pairs_contradict_is_said_so() {
        assert_eq!(
            ranked(&[
                ("a", 2.88, 0.1, None),
                ("b", 3.0, 0.2, Some((-0.007, -0.2, 0.19, 0.94, 41)))
            ])
            .conclusion(),
            "a has the smallest mean distance (2.880 ± 0.100 against 3.000 ± 0.200 for b), but b fits better on the 41 replications where both distances are defined: paired difference -0.007 (95 % CI -0.200 to +0.190, p = 0.940); the means are over different replications, as some distances are undefined (the pairs cover only the replications where both are)"
        );
        assert_eq!(
            ranked(&[
                ("b", 3.0, 0.2, None),
                ("a", 2.88, 0.1, Some((0.3, 0.1, 0.5, 0.01, 41)))
            ])
            .conclusion(),
            "a has the smallest mean distance (2.880 ± 0.100 against 3.000 ± 0.200 for b), but b fits significantly better on the 41 replications where both distances are defined: paired difference +0.300 (95 % CI +0.100 to +0.500, p = 0.010); the means are over different replications, as some distances are undefined (the pairs cover only the replications where both are)"
        );
    }

    /// The t quantile against `scipy.stats.t.ppf(0.975, df)`, from few
    /// degrees of freedom to the most a run's 10⁶ replications give, where
    /// statrs' own inverse had drifted.
    #[test]
    fn the_t_quantile_holds_its_digits_at_any_degrees_of_freedom() {
        for (df, want) in [
            (1.0, 12.706_204_736_174_694),
            (4.0, 2.776_445_105_197_793),
            (199.0, 1.971_956_544_251_753),
            (99_999.0, 1.959_987_707_771_844),
            (999_999.0, 1.959_966_356_816_479),
        ] {
            let t = StudentsT::new(0.0, 1.0, df).unwrap();
            let q = quantile_975(&t);
            assert!(
                (q - want).abs() < 1e-9 * want,
                "df {df}: {q} against {want}"
            );
        }
    }

    /// The mean distance's 95 % Student-t half-width by hand (docs/ODD.md
    /// 7.19: `t₀.₉₇₅,ₙ₋₁ · s / √n`, s with divisor n − 1): values 1 to 5
    /// have mean 3 and s² = (4 + 1 + 0 + 1 + 4) / 4 = 2.5, so s / √n = √0.5;
    /// t(4) 97.5 % = 2.776445: half-width 1.963243. A NaN is left out; one
    /// value has no interval; none has no mean.
    #[test]
    fn mean_ci_by_hand() {
        let (mean, half) = mean_ci(&[1.0, 2.0, f64::NAN, 3.0, 4.0, 5.0]);
        assert!((mean - 3.0).abs() < 1e-12);
        assert!(
            (half - 2.776_445_105 * 0.5f64.sqrt()).abs() < 1e-6,
            "{half}"
        );
        let (mean, half) = mean_ci(&[7.0]);
        assert!(mean == 7.0 && half.is_nan());
        let (mean, half) = mean_ci(&[f64::NAN]);
        assert!(mean.is_nan() && half.is_nan());
    }

    /// One pair has a difference but no interval, test or correlation (a
    /// Student t needs one degree of freedom, n − 1 ≥ 1); no pair has
    /// nothing.
    #[test]
    fn one_pair_has_a_difference_but_no_interval_or_test() {
        let p = paired(&[1.0], &[3.0]);
        assert_eq!((p.n, p.mean), (1, 2.0));
        assert!(p.lo.is_nan() && p.hi.is_nan() && p.p.is_nan() && p.correlation.is_nan());
        assert!(!p.significant());
        let none = paired(&[f64::NAN], &[3.0]);
        assert_eq!(none.n, 0);
        assert!(none.mean.is_nan());
    }

    /// A pair is dropped when its second value is undefined, as when its
    /// first is: the defined pairs differ by 1 and 0.5, mean 0.75.
    #[test]
    fn a_pair_undefined_in_the_second_scenario_is_dropped() {
        let p = paired(&[1.0, 2.0, 3.0], &[2.0, f64::NAN, 3.5]);
        assert_eq!(p.n, 2);
        assert!((p.mean - 0.75).abs() < 1e-12, "{}", p.mean);
        assert!(p.lo.is_finite() && p.hi.is_finite() && p.p.is_finite());
    }

    /// The same difference, 2, in every replication: no spread, so the
    /// interval is 2 alone and p is 0 (p is 1 only for no difference at
    /// all).
    #[test]
    fn a_constant_nonzero_difference_has_p_zero() {
        let p = paired(&[1.0, 2.0, 3.0], &[3.0, 4.0, 5.0]);
        assert_eq!((p.mean, p.lo, p.hi, p.p), (2.0, 2.0, 2.0, 0.0));
        assert!(p.significant());
    }

    /// A target one scenario passes in every replication is reached, though
    /// the other fails it in every one: only b, which both fail, is
    /// unreached.
    #[test]
    fn a_target_one_scenario_reaches_is_not_unreached() {
        let t = vec![info("a", "P1", 1.0, true), info("b", "P1", 1.0, true)];
        let mut fails = Runs::new("fails");
        let mut passes = Runs::new("passes");
        for _ in 0..4 {
            fails.push(&[r(5.0, 4.0, false), r(5.0, 4.0, false)]);
            passes.push(&[r(1.0, 0.0, true), r(5.0, 4.0, false)]);
        }
        let v = verdict(&t, &[fails, passes]);
        assert_eq!(v.unreached, ["b"]);
    }

    /// A target's median and 5 % and 95 % quantiles over the replications
    /// where it is defined, by hand: values 0 to 20 (R's type 7, position
    /// 20 p) give 10, 1 and 19; the undefined 22nd replication counts only
    /// in the shares (defined 21/22, passing 3/22).
    #[test]
    fn a_targets_median_and_5_and_95_per_cent_quantiles_by_hand() {
        let t = vec![info("a", "P1", 1.0, true)];
        let mut s = Runs::new("x");
        for i in 0..=20 {
            s.push(&[r(f64::from(i), f64::from(i) / 10.0, i < 3)]);
        }
        s.push(&[r(f64::NAN, f64::NAN, false)]);
        let v = verdict(&t, &[s]);
        let ts = &v.scenarios[0].targets[0];
        assert_eq!((ts.median, ts.lo, ts.hi), (10.0, 1.0, 19.0));
        assert_eq!((ts.defined_share, ts.pass_share), (21.0 / 22.0, 3.0 / 22.0));
        // Distances 0, 0.1, …, 2: mean 1.
        assert!((ts.distance - 1.0).abs() < 1e-12, "{}", ts.distance);
    }

    /// The share of replications passing every target: both targets pass
    /// in the first replication, one of the two in the second: ½, though a
    /// always passes.
    #[test]
    fn all_pass_is_the_share_passing_every_target() {
        let t = vec![info("a", "P1", 1.0, true), info("b", "P2", 1.0, true)];
        let mut s = Runs::new("x");
        s.push(&[r(1.0, 0.0, true), r(1.0, 0.0, true)]);
        s.push(&[r(1.0, 0.0, true), r(3.0, 2.0, false)]);
        let v = verdict(&t, &[s]);
        assert_eq!(v.scenarios[0].all_pass, 0.5);
        assert_eq!(v.scenarios[0].pattern_pass, [1.0, 0.5]);
    }

    /// A mean difference of exactly 0 to the runner-up over an interval
    /// of some width favours neither: the two are not told apart (it was
    /// said to favour the runner-up only if the mean is above 0).
    #[test]
    fn a_zero_difference_to_the_runner_up_favours_neither() {
        let v = with_runner_up(
            ranked(&[
                ("a", 0.9, 0.1, None),
                ("b", 0.6, 0.1, Some((0.3, 0.1, 0.5, 0.01, 4))),
                ("c", 0.5, 0.1, Some((-0.4, -0.6, -0.2, 0.001, 4))),
            ]),
            "c",
            "b",
            (0.0, -0.2, 0.2, 1.0, 4),
        );
        let line = v.conclusion();
        assert!(
            line.ends_with(
                "; against the runner-up, b: paired difference +0.000 (95 % CI -0.200 to +0.200, p = 1.000), not significant: the two are not told apart"
            ),
            "{line}"
        );
    }
}

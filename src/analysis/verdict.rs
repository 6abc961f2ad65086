//! Summaries of targets over replications: per target the median and 5–95 %
//! range of the simulated value and the share of replications passing; per
//! scenario the share passing all targets and the mean distance.

use crate::analysis::stats::{mean_ci95, quantile, share};
use crate::analysis::targets::{TargetResult, Targets};

/// One target over replications.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetSummary {
    /// Target id.
    pub id: String,
    /// Pattern.
    pub pattern: String,
    /// Observed value.
    pub observed: f64,
    /// Accepted interval.
    pub lo: f64,
    /// Accepted interval.
    pub hi: f64,
    /// Median simulated value.
    pub median: f64,
    /// 5 % quantile.
    pub p5: f64,
    /// 95 % quantile.
    pub p95: f64,
    /// Share of replications passing.
    pub pass_share: f64,
}

/// A scenario's verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// Scenario name.
    pub scenario: String,
    /// Replications.
    pub replications: usize,
    /// Per target.
    pub targets: Vec<TargetSummary>,
    /// Share of replications passing every target.
    pub all_pass_share: f64,
    /// Mean over replications of the mean distance over targets.
    pub mean_distance: f64,
    /// Half-width of its 95 % confidence interval.
    pub mean_distance_ci: f64,
}

/// Collects each replication's target results in replication order.
#[derive(Debug, Clone, Default)]
pub struct VerdictBuilder {
    runs: Vec<Vec<TargetResult>>,
}

impl VerdictBuilder {
    /// Add one replication's results.
    pub fn push(&mut self, results: &[TargetResult]) {
        self.runs.push(results.to_vec());
    }

    /// The verdict over everything pushed.
    pub fn finish(&self, scenario: &str, targets: &Targets) -> Verdict {
        let per_target = targets
            .list
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let values: Vec<f64> = self.runs.iter().map(|r| r[k].value).collect();
                TargetSummary {
                    id: t.id.clone(),
                    pattern: t.pattern.clone(),
                    observed: t.observed,
                    lo: t.lo,
                    hi: t.hi,
                    median: quantile(&values, 0.5),
                    p5: quantile(&values, 0.05),
                    p95: quantile(&values, 0.95),
                    pass_share: share(self.runs.iter().map(|r| r[k].pass)),
                }
            })
            .collect();
        let distances: Vec<f64> = self
            .runs
            .iter()
            .filter(|r| !r.is_empty())
            .map(|r| r.iter().map(|x| x.distance).sum::<f64>() / r.len() as f64)
            .collect();
        let (mean_distance, mean_distance_ci) = mean_ci95(&distances);
        Verdict {
            scenario: scenario.to_string(),
            replications: self.runs.len(),
            targets: per_target,
            all_pass_share: if targets.list.is_empty() {
                f64::NAN // nothing to pass
            } else {
                share(self.runs.iter().map(|r| r.iter().all(|x| x.pass)))
            },
            mean_distance,
            mean_distance_ci,
        }
    }
}

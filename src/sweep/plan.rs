//! Sweep plans: the design's points, the job list (point-major: all
//! replications of a point are consecutive), shards, and fingerprints that
//! tie a sweep's files to the scenario and design that made them.

use crate::scenario::schema::{DesignKind, Sweep};
use crate::sweep::design::{Design, DesignError, Domain, Parameter, Points};
use serde::{Deserialize, Serialize};
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

/// A slice `k` of `n` (1-based) of a sweep's points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    /// Which slice, 1..=n.
    pub k: u32,
    /// How many slices.
    pub n: u32,
}

/// Why a shard could not be told.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ShardError {
    /// `--shard` is not `K/N` with `1 <= K <= N`.
    #[error(
        "`{0}` is not a shard: write K/N with 1 <= K <= N <= 4294967295 (whole numbers), e.g. 2/8"
    )]
    Text(String),
    /// A Slurm variable is not a whole number.
    #[error("{name}={value:?} is not a whole number")]
    NotANumber {
        /// The variable.
        name: &'static str,
        /// Its value.
        value: String,
    },
    /// A task id without the task count (an older Slurm).
    #[error(
        "SLURM_ARRAY_TASK_ID={id} is set but SLURM_ARRAY_TASK_COUNT is not (an older Slurm?): pass --shard K/N explicitly"
    )]
    NoCount {
        /// The task id.
        id: String,
    },
    /// An array of no task (no Slurm sets this: a hand-set variable).
    #[error(
        "SLURM_ARRAY_TASK_COUNT=0: an array has at least one task; unset the SLURM_ARRAY_* variables, or pass --shard K/N explicitly"
    )]
    NoTasks,
    /// A task id outside its array.
    #[error(
        "SLURM_ARRAY_TASK_ID={id} is not within an array of {count} tasks from {min}: submit the array as --array=0-{}",
        count.saturating_sub(1)
    )]
    OutsideArray {
        /// The task id.
        id: u32,
        /// The array's task count.
        count: u32,
        /// Its first task id.
        min: u32,
    },
}

impl Shard {
    /// The whole sweep.
    pub const WHOLE: Shard = Shard { k: 1, n: 1 };

    /// The shard whose result folder is named `name` (`shard-K-of-N`).
    pub fn of_folder(name: &str) -> Option<Shard> {
        let (k, n) = name.strip_prefix("shard-")?.split_once("-of-")?;
        Some(Shard {
            k: k.parse().ok()?,
            n: n.parse().ok()?,
        })
    }

    /// The contiguous range of point indices of this shard among `points`:
    /// `⌊(k−1)·P/n⌋ .. ⌊k·P/n⌋`, so shards in order concatenate to the
    /// whole sweep.
    pub fn points(&self, points: usize) -> Range<usize> {
        let p = points as u128;
        let lo = (u128::from(self.k - 1) * p / u128::from(self.n)) as usize;
        let hi = (u128::from(self.k) * p / u128::from(self.n)) as usize;
        lo..hi
    }

    /// The shard a Slurm array task runs, from its environment
    /// (`SLURM_ARRAY_TASK_ID`, `SLURM_ARRAY_TASK_COUNT`, and
    /// `SLURM_ARRAY_TASK_MIN` for arrays not starting at 0). `None` outside
    /// an array job.
    pub fn from_slurm(get: impl Fn(&str) -> Option<String>) -> Option<Result<Shard, ShardError>> {
        let id = get("SLURM_ARRAY_TASK_ID")?;
        let Some(count) = get("SLURM_ARRAY_TASK_COUNT") else {
            return Some(Err(ShardError::NoCount { id }));
        };
        let parse = |name: &'static str, v: &str| {
            v.trim().parse::<u32>().map_err(|_| ShardError::NotANumber {
                name,
                value: v.to_string(),
            })
        };
        Some((|| {
            let id = parse("SLURM_ARRAY_TASK_ID", &id)?;
            let count = parse("SLURM_ARRAY_TASK_COUNT", &count)?;
            if count == 0 {
                return Err(ShardError::NoTasks);
            }
            let min = match get("SLURM_ARRAY_TASK_MIN") {
                Some(m) => parse("SLURM_ARRAY_TASK_MIN", &m)?,
                None => 0,
            };
            let k = id
                .checked_sub(min)
                .map(|x| x + 1)
                .filter(|k| *k >= 1 && *k <= count)
                .ok_or(ShardError::OutsideArray { id, count, min })?;
            Ok(Shard { k, n: count })
        })())
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

impl FromStr for Shard {
    type Err = ShardError;
    fn from_str(s: &str) -> Result<Shard, ShardError> {
        let bad = || ShardError::Text(s.to_string());
        let (k, n) = s.split_once('/').ok_or_else(bad)?;
        let k: u32 = k.trim().parse().map_err(|_| bad())?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        if n == 0 || k == 0 || k > n {
            return Err(bad());
        }
        Ok(Shard { k, n })
    }
}

/// Levels of a Morris grid when `sweep.levels` is not given (SALib's
/// default).
pub const DEFAULT_LEVELS: usize = 4;

/// The design of a `[sweep]` table.
pub fn design_of(sw: &Sweep, default_seed: u64) -> Result<Design, DesignError> {
    let parameters = sw
        .parameters
        .iter()
        .map(|(path, p)| {
            let domain = match (&p.values, p.min, p.max) {
                (Some(v), _, _) => Domain::Values(v.clone()),
                (None, Some(min), Some(max)) if p.integer => Domain::IntRange {
                    min: min as i64,
                    max: max as i64,
                },
                (None, Some(min), Some(max)) => Domain::Range {
                    min,
                    max,
                    log: p.log,
                },
                _ => return Err(DesignError::NoDomain(path.clone())),
            };
            Ok(Parameter {
                path: path.clone(),
                domain,
            })
        })
        .collect::<Result<Vec<_>, DesignError>>()?;
    let points = match sw.design {
        DesignKind::Morris => sw.trajectories.unwrap_or(0),
        _ => sw.points.unwrap_or(0),
    };
    Ok(Design {
        kind: sw.design,
        points,
        seed: sw.seed.unwrap_or(default_seed),
        parameters,
        second_order: sw.second_order.unwrap_or(true),
        scramble: sw.scramble.unwrap_or(true),
        levels: sw.levels.unwrap_or(DEFAULT_LEVELS),
    })
}

/// `sw` as it runs, so that a seed or default written out or left out,
/// which runs the same sweep, hashes the same: the seed written out (the
/// scenario's if it has none), the defaults [`design_of`] applies left
/// out. Each way keeps the fingerprint of the more common spelling (a
/// sweep's own seed, defaults left to themselves) as it was.
pub fn as_run(sw: &Sweep, seed: u64) -> Sweep {
    let mut sw = sw.clone();
    sw.seed = Some(sw.seed.unwrap_or(seed));
    let default = |v: &mut Option<bool>| {
        if *v == Some(true) {
            *v = None;
        }
    };
    match sw.design {
        DesignKind::Saltelli => {
            default(&mut sw.second_order);
            default(&mut sw.scramble);
        }
        DesignKind::Morris if sw.levels == Some(DEFAULT_LEVELS) => sw.levels = None,
        _ => {}
    }
    sw
}

/// A sweep's jobs: every (point, replication) of a shard.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The design.
    pub design: Design,
    /// All points of the design, computed on demand (every shard knows
    /// them, so that shards agree on the slicing).
    pub points: Points,
    /// Replications per point.
    pub replications: u32,
    /// Seed of the runs.
    pub seed: u64,
    /// Which slice this process runs.
    pub shard: Shard,
}

impl Plan {
    /// The plan of a design.
    pub fn new(design: Design, replications: u32, shard: Shard) -> Result<Plan, DesignError> {
        let points = Points::new(&design)?;
        Ok(Plan {
            seed: design.seed,
            design,
            points,
            replications,
            shard,
        })
    }

    /// Point indices of this shard.
    pub fn shard_points(&self) -> Range<usize> {
        self.shard.points(self.points.len())
    }

    /// Jobs in this shard.
    pub fn n_jobs(&self) -> u64 {
        self.shard_points().len() as u64 * u64::from(self.replications)
    }

    /// Job `j` of this shard as (point index, replication).
    pub fn job(&self, j: u64) -> (usize, u32) {
        let r = u64::from(self.replications);
        (self.shard_points().start + (j / r) as usize, (j % r) as u32)
    }
}

/// A 64-bit fingerprint of any serialisable value, by xxh64 of its JSON
/// (maps are ordered, so equal values give equal fingerprints).
pub fn fingerprint<T: serde::Serialize>(value: &T) -> String {
    fingerprint_of(&fingerprinted_text(value))
}

/// The text [`fingerprint`] hashes: `value`'s JSON, on one line.
pub fn fingerprinted_text<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// The fingerprint of a text [`fingerprinted_text`] gave.
pub fn fingerprint_of(text: &str) -> String {
    format!("{:016x}", xxhash_rust::xxh64::xxh64(text.as_bytes(), 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_or_default_written_out_runs_as_left_out() {
        let text = |sw: &Sweep| serde_json::to_string(&as_run(sw, 7)).unwrap();
        let saltelli = Sweep {
            design: DesignKind::Saltelli,
            points: Some(8),
            second_order: None,
            scramble: None,
            trajectories: None,
            levels: None,
            replications: 2,
            seed: None,
            parameters: Default::default(),
        };
        let written = Sweep {
            second_order: Some(true),
            scramble: Some(true),
            seed: Some(7),
            ..saltelli.clone()
        };
        assert_eq!(text(&saltelli), text(&written));
        for other in [
            Sweep {
                second_order: Some(false),
                ..saltelli.clone()
            },
            Sweep {
                scramble: Some(false),
                ..saltelli.clone()
            },
            Sweep {
                seed: Some(8),
                ..saltelli.clone()
            },
        ] {
            assert_ne!(text(&saltelli), text(&other));
        }
        let morris = Sweep {
            design: DesignKind::Morris,
            trajectories: Some(4),
            ..saltelli.clone()
        };
        let four = Sweep {
            levels: Some(DEFAULT_LEVELS),
            ..morris.clone()
        };
        let six = Sweep {
            levels: Some(6),
            ..morris.clone()
        };
        assert_eq!(text(&morris), text(&four));
        assert_ne!(text(&morris), text(&six));
    }

    #[test]
    fn shards_tile_the_points_in_order() {
        for points in [0usize, 1, 7, 100, 1001] {
            for n in [1u32, 2, 3, 7] {
                let mut next = 0;
                for k in 1..=n {
                    let r = Shard { k, n }.points(points);
                    assert_eq!(r.start, next);
                    next = r.end;
                }
                assert_eq!(next, points);
            }
        }
    }

    #[test]
    fn shard_parsing() {
        assert_eq!("2/8".parse::<Shard>(), Ok(Shard { k: 2, n: 8 }));
        assert_eq!(
            "0/3".parse::<Shard>().unwrap_err().to_string(),
            "`0/3` is not a shard: write K/N with 1 <= K <= N <= 4294967295 (whole numbers), e.g. 2/8"
        );
        for bad in ["0/3", "4/3", "3", "a/b", "1/0", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
        assert_eq!(Shard { k: 3, n: 4 }.to_string(), "3/4");
    }

    #[test]
    fn slurm_environment() {
        let env = |pairs: &'static [(&'static str, &'static str)]| {
            move |k: &str| {
                pairs
                    .iter()
                    .find(|(a, _)| *a == k)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(Shard::from_slurm(env(&[])), None);
        assert_eq!(
            Shard::from_slurm(env(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ])),
            Some(Ok(Shard { k: 1, n: 4 }))
        );
        assert_eq!(
            Shard::from_slurm(env(&[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4"),
                ("SLURM_ARRAY_TASK_MIN", "1")
            ])),
            Some(Ok(Shard { k: 4, n: 4 }))
        );
        // No array has no task: nothing to submit differently.
        assert_eq!(
            Shard::from_slurm(env(&[
                ("SLURM_ARRAY_TASK_ID", "0"),
                ("SLURM_ARRAY_TASK_COUNT", "0")
            ])),
            Some(Err(ShardError::NoTasks))
        );
        assert_eq!(
            Shard::from_slurm(env(&[
                ("SLURM_ARRAY_TASK_ID", "4"),
                ("SLURM_ARRAY_TASK_COUNT", "4")
            ])),
            Some(Err(ShardError::OutsideArray {
                id: 4,
                count: 4,
                min: 0
            }))
        );
        assert!(matches!(
            Shard::from_slurm(env(&[("SLURM_ARRAY_TASK_ID", "1")])),
            Some(Err(ShardError::NoCount { .. }))
        ));
    }
}

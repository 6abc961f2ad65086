//! Morris's elementary-effects design (Morris 1991), built as SALib 1.6.0's
//! `SALib.sample.morris.sample` builds it, from a ChaCha8 stream.
//!
//! A trajectory on a grid of `p` levels `{0, 1/(p-1), …, 1}` starts at a
//! random base point and moves one parameter at a time, in a random order,
//! by `Δ = p / (2(p-1))`: `D + 1` points, `D` elementary effects. As in
//! SALib, each parameter's starting level `x*` is drawn from the lower half
//! of the grid (`linspace(0, 1 - Δ, p/2)`) and its direction from ±1: a
//! parameter that moves up starts at `x*` and ends at `x* + Δ`; one that
//! moves down starts at `x* + Δ` and ends at `x*`. With SALib's terms,
//! `B* = (J x* + Δ/2 ((2B − J) D* + J)) P*`, without groups.
//!
//! Every point records its [`MorrisRole`]: trajectory, step and, after the
//! base point, which parameter moved and in which direction.
//!
//! `optimal_trajectories` selects the `k` most spread trajectories out of
//! the `r` drawn, by Campolongo, Cariboni & Saltelli's (2007) brute-force
//! criterion, as SALib's `BruteForce` strategy (`local_optimization=False`):
//! maximise `sqrt(sum over pairs of d(m,l)^2)`, `d(m,l)` the sum of the
//! Euclidean distances between the points of trajectories `m` and `l` (0 if
//! the trajectories are identical), first maximum in lexicographic order.
//! SALib scores in `float32`, this in `f64`: exact near-ties may be broken
//! differently. SALib's default, Ruano et al.'s (2012) local heuristic, is
//! not reproduced.

use rand::RngExt;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

/// The direction a parameter moves in its step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Direction {
    /// From `x*` to `x* + Δ`.
    Up,
    /// From `x* + Δ` to `x*`.
    Down,
}

impl Direction {
    /// +1 or −1.
    pub fn sign(self) -> f64 {
        match self {
            Direction::Up => 1.0,
            Direction::Down => -1.0,
        }
    }

    /// `up` or `down`, as `points.csv` writes it.
    pub fn label(self) -> &'static str {
        match self {
            Direction::Up => "up",
            Direction::Down => "down",
        }
    }

    /// The direction a label names.
    pub fn from_label(label: &str) -> Option<Direction> {
        match label {
            "up" => Some(Direction::Up),
            "down" => Some(Direction::Down),
            _ => None,
        }
    }
}

/// The move made at a step: parameter (0-based) and direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MorrisMove {
    /// The parameter that moved.
    pub parameter: usize,
    /// Its direction.
    pub direction: Direction,
}

/// What a Morris point is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MorrisRole {
    /// Trajectory index (0-based).
    pub trajectory: usize,
    /// Step in the trajectory: 0 for the base point, `1..=D` after a move.
    pub step: usize,
    /// The move that led to this point; `None` exactly at step 0.
    pub moved: Option<MorrisMove>,
}

/// As `points.csv` names it: "trajectory 2, step 1".
impl std::fmt::Display for MorrisRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "trajectory {}, step {}", self.trajectory, self.step)
    }
}

/// How to build a Morris design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisOptions {
    /// `r`, the trajectories drawn.
    pub trajectories: usize,
    /// `p`, the grid levels (SALib's `num_levels`, default 4; should be
    /// even).
    pub levels: usize,
    /// Keep only the `k` most spread trajectories of the `r` drawn
    /// (`2 <= k < r`).
    pub optimal_trajectories: Option<usize>,
}

/// One design point in the unit hypercube (coordinates on the grid, so in
/// `[0, 1]`: the top level is 1), with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisPoint {
    /// What the point is for.
    pub role: MorrisRole,
    /// One coordinate per parameter.
    pub unit: Vec<f64>,
}

/// The shape of a Morris design: all the analysis needs besides outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MorrisLayout {
    /// `D`, the number of parameters.
    pub dims: usize,
    /// Trajectories in the design.
    pub trajectories: usize,
    /// `p`, the grid levels (gives `Δ`).
    pub levels: usize,
}

/// A generated Morris design.
#[derive(Debug, Clone, PartialEq)]
pub struct MorrisDesign {
    /// `D`, the number of parameters.
    pub dims: usize,
    /// `p`, the grid levels.
    pub levels: usize,
    /// `Δ = p / (2(p-1))`, the step in unit coordinates.
    pub delta: f64,
    /// Trajectories in the design (`k` if optimised, else `r`).
    pub trajectories: usize,
    /// For an optimised design, the drawn trajectories kept (ascending),
    /// in the order they are renumbered `0..k`.
    pub selected: Option<Vec<usize>>,
    /// The points, trajectory by trajectory, step by step.
    pub points: Vec<MorrisPoint>,
    /// Cases where SALib would warn.
    pub warnings: Vec<MorrisWarning>,
}

/// A design SALib accepts with a warning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum MorrisWarning {
    /// An odd number of levels: the base levels `x*` are not all on the
    /// grid, and the sample may be biased.
    #[error("{0} levels is odd: use an even number of levels, or the sample may be biased")]
    OddLevels(usize),
}

/// Why a Morris design cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum MorrisError {
    /// No parameters.
    #[error("the morris design has no parameters: add at least one parameter to sweep")]
    NoParameters,
    /// Zero trajectories.
    #[error("the morris design needs at least 1 trajectory, got 0: set `trajectories`")]
    NoTrajectories,
    /// Fewer than two levels.
    #[error("morris needs at least 2 levels, got {0}: use an even number such as 4")]
    TooFewLevels(usize),
    /// `k` outside `2..r`.
    #[error(
        "optimal_trajectories must be between 2 and {max} (fewer than the {drawn} drawn), got {got}"
    )]
    BadOptimalCount {
        /// `k` asked for.
        got: usize,
        /// `r - 1`.
        max: usize,
        /// `r`.
        drawn: usize,
    },
    /// The brute-force search would score too many combinations.
    #[error(
        "choosing {k} of {drawn} trajectories means {combinations} combinations, more than {limit}: draw fewer trajectories or keep fewer"
    )]
    TooManyCombinations {
        /// `k`.
        k: usize,
        /// `r`.
        drawn: usize,
        /// `C(r, k)`, saturated at `u64::MAX`.
        combinations: u64,
        /// [`MAX_COMBINATIONS`].
        limit: u64,
    },
}

/// The most combinations the brute-force trajectory selection scores.
pub const MAX_COMBINATIONS: u64 = 100_000_000;

/// `Δ = p / (2(p-1))`, as SALib's `_compute_delta`.
pub fn delta(levels: usize) -> f64 {
    levels as f64 / (2.0 * (levels as f64 - 1.0))
}

/// The base levels `x*` may take: NumPy's `linspace(0, 1 - Δ, p / 2)`,
/// bit for bit (`k * step`, the last one exactly `1 - Δ`).
pub fn base_levels(levels: usize) -> Vec<f64> {
    let num = levels / 2;
    let stop = 1.0 - delta(levels);
    if num <= 1 {
        return vec![0.0; num];
    }
    let step = stop / (num - 1) as f64;
    let mut grid: Vec<f64> = (0..num).map(|k| k as f64 * step).collect();
    grid[num - 1] = stop;
    grid
}

/// The `D + 1` points of one trajectory: parameter `order[t]` moves at step
/// `t + 1` in `directions[order[t]]`, from base level `x_star`.
///
/// # Panics
///
/// If the slices' lengths differ or `order` is not a permutation of `0..D`.
pub fn trajectory(
    x_star: &[f64],
    order: &[usize],
    directions: &[Direction],
    delta: f64,
) -> Vec<MorrisPoint> {
    let dims = x_star.len();
    assert_eq!(order.len(), dims, "order needs one entry per parameter");
    assert_eq!(directions.len(), dims, "one direction per parameter");
    let mut seen = vec![false; dims];
    for &m in order {
        assert!(m < dims && !seen[m], "order must be a permutation of 0..D");
        seen[m] = true;
    }
    // Before its move a parameter sits at its low end if it moves up, its
    // high end if it moves down; SALib computes the same x* + Δ/2·(±1 + 1).
    let mut unit: Vec<f64> = x_star
        .iter()
        .zip(directions)
        .map(|(&x, d)| match d {
            Direction::Up => x,
            Direction::Down => x + delta,
        })
        .collect();
    let mut points = Vec::with_capacity(dims + 1);
    points.push(MorrisPoint {
        role: MorrisRole {
            trajectory: 0,
            step: 0,
            moved: None,
        },
        unit: unit.clone(),
    });
    for (t, &parameter) in order.iter().enumerate() {
        let direction = directions[parameter];
        unit[parameter] = match direction {
            Direction::Up => x_star[parameter] + delta,
            Direction::Down => x_star[parameter],
        };
        points.push(MorrisPoint {
            role: MorrisRole {
                trajectory: 0,
                step: t + 1,
                moved: Some(MorrisMove {
                    parameter,
                    direction,
                }),
            },
            unit: unit.clone(),
        });
    }
    points
}

/// Builds a Morris design for `dims` parameters from `rng`.
///
/// Draws, per trajectory and in SALib's order: the move order (a shuffle of
/// `0..D`), then `D` directions (`random::<bool>()`, true = up), then `D`
/// base levels (`random_range(0..p/2)`). The same stream state gives the
/// same design.
///
/// # Errors
///
/// No parameters, no trajectories, fewer than 2 levels, or a bad
/// `optimal_trajectories`.
pub fn morris(
    dims: usize,
    options: &MorrisOptions,
    rng: &mut ChaCha8Rng,
) -> Result<MorrisDesign, MorrisError> {
    let MorrisOptions {
        trajectories,
        levels,
        optimal_trajectories,
    } = *options;
    if dims == 0 {
        return Err(MorrisError::NoParameters);
    }
    if trajectories == 0 {
        return Err(MorrisError::NoTrajectories);
    }
    if levels < 2 {
        return Err(MorrisError::TooFewLevels(levels));
    }
    if let Some(k) = optimal_trajectories {
        check_selection(k, trajectories)?;
    }
    let step = delta(levels);
    let grid = base_levels(levels);
    let mut drawn: Vec<Vec<MorrisPoint>> = Vec::with_capacity(trajectories);
    for _ in 0..trajectories {
        let mut order: Vec<usize> = (0..dims).collect();
        order.shuffle(rng);
        let directions: Vec<Direction> = (0..dims)
            .map(|_| {
                if rng.random::<bool>() {
                    Direction::Up
                } else {
                    Direction::Down
                }
            })
            .collect();
        let x_star: Vec<f64> = (0..dims)
            .map(|_| grid[rng.random_range(0..grid.len())])
            .collect();
        drawn.push(trajectory(&x_star, &order, &directions, step));
    }
    let selected = match optimal_trajectories {
        Some(k) => {
            let units: Vec<Vec<Vec<f64>>> = drawn
                .iter()
                .map(|t| t.iter().map(|p| p.unit.clone()).collect())
                .collect();
            let keep = most_distant_trajectories(&units, k)?;
            drawn = keep.iter().map(|&i| drawn[i].clone()).collect();
            Some(keep)
        }
        None => None,
    };
    let count = drawn.len();
    let points = drawn
        .into_iter()
        .enumerate()
        .flat_map(|(t, points)| {
            points.into_iter().map(move |mut p| {
                p.role.trajectory = t;
                p
            })
        })
        .collect();
    let warnings = if levels % 2 == 1 {
        vec![MorrisWarning::OddLevels(levels)]
    } else {
        Vec::new()
    };
    Ok(MorrisDesign {
        dims,
        levels,
        delta: step,
        trajectories: count,
        selected,
        points,
        warnings,
    })
}

impl MorrisDesign {
    /// The design's shape, for the analysis.
    pub fn layout(&self) -> MorrisLayout {
        MorrisLayout {
            dims: self.dims,
            trajectories: self.trajectories,
            levels: self.levels,
        }
    }
}

fn check_selection(k: usize, drawn: usize) -> Result<(), MorrisError> {
    if k < 2 || k >= drawn {
        return Err(MorrisError::BadOptimalCount {
            got: k,
            max: drawn.saturating_sub(1),
            drawn,
        });
    }
    let combinations = binomial(drawn as u64, k as u64);
    if combinations > MAX_COMBINATIONS {
        return Err(MorrisError::TooManyCombinations {
            k,
            drawn,
            combinations,
            limit: MAX_COMBINATIONS,
        });
    }
    Ok(())
}

/// `C(n, k)`, saturating at `u64::MAX`.
fn binomial(n: u64, k: u64) -> u64 {
    let k = k.min(n - k);
    let mut c: u128 = 1;
    for i in 0..k {
        // Exact at every step: c·(n−i) is divisible by i+1.
        c = c * u128::from(n - i) / u128::from(i + 1);
        if c > u128::from(u64::MAX) {
            return u64::MAX;
        }
    }
    c as u64
}

/// Campolongo's distance between two trajectories: the sum of the Euclidean
/// distances between every point of one and every point of the other; 0 if
/// they are identical (SALib's `compute_distance`).
pub fn trajectory_distance(m: &[Vec<f64>], l: &[Vec<f64>]) -> f64 {
    if m == l {
        return 0.0;
    }
    let mut sum = 0.0;
    for a in m {
        for b in l {
            let sq: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
            sum += sq.sqrt();
        }
    }
    sum
}

/// The `k` trajectories (ascending indices) maximising the sum over pairs
/// of squared [`trajectory_distance`]s, first maximum in lexicographic
/// order of the index sets, as SALib's `BruteForce.brute_force_most_distant`.
///
/// # Errors
///
/// `k` outside `2..trajectories.len()`, or more than [`MAX_COMBINATIONS`]
/// index sets.
pub fn most_distant_trajectories(
    trajectories: &[Vec<Vec<f64>>],
    k: usize,
) -> Result<Vec<usize>, MorrisError> {
    let n = trajectories.len();
    check_selection(k, n)?;
    let mut d2 = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in i + 1..n {
            let d = trajectory_distance(&trajectories[i], &trajectories[j]);
            d2[i][j] = d * d;
            d2[j][i] = d * d;
        }
    }
    let mut search = Search {
        d2: &d2,
        k,
        current: Vec::with_capacity(k),
        best: Vec::new(),
        best_score: f64::NEG_INFINITY,
    };
    search.extend(0, 0.0);
    Ok(search.best)
}

/// Depth-first enumeration of index sets in lexicographic order, carrying
/// the partial sum of squared distances.
struct Search<'a> {
    d2: &'a [Vec<f64>],
    k: usize,
    current: Vec<usize>,
    best: Vec<usize>,
    best_score: f64,
}

impl Search<'_> {
    fn extend(&mut self, from: usize, score: f64) {
        if self.current.len() == self.k {
            // Strictly greater: the first maximum wins, as argmax does.
            if score > self.best_score {
                self.best_score = score;
                self.best.clone_from(&self.current);
            }
            return;
        }
        let n = self.d2.len();
        let remaining = self.k - self.current.len();
        for next in from..=n - remaining {
            let added: f64 = self.current.iter().map(|&c| self.d2[c][next]).sum();
            self.current.push(next);
            self.extend(next + 1, score + added);
            self.current.pop();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn opts(trajectories: usize, levels: usize) -> MorrisOptions {
        MorrisOptions {
            trajectories,
            levels,
            optimal_trajectories: None,
        }
    }

    #[test]
    fn delta_and_base_levels_by_hand() {
        assert_eq!(delta(4), 4.0 / 6.0);
        assert_eq!(delta(2), 1.0);
        assert_eq!(base_levels(4), [0.0, 1.0 - 4.0 / 6.0]);
        // p = 6: Δ = 0.6, x* in {0, 0.2, 0.4} (= 0, 1/5, 2/5 of the grid).
        let g = base_levels(6);
        assert_eq!(g.len(), 3);
        assert!((g[1] - 0.2).abs() < 1e-15 && (g[2] - 0.4).abs() < 1e-15);
        assert_eq!(base_levels(2), [0.0]);
    }

    #[test]
    fn trajectory_by_hand() {
        // D = 3, p = 4 (Δ = 2/3): order 2, 0, 1; parameter 0 up from 0,
        // parameter 1 down to 1/3, parameter 2 up from 1/3.
        let d = 2.0 / 3.0;
        let t = 1.0 - d;
        let pts = trajectory(
            &[0.0, t, t],
            &[2, 0, 1],
            &[Direction::Up, Direction::Down, Direction::Up],
            d,
        );
        let units: Vec<Vec<f64>> = pts.iter().map(|p| p.unit.clone()).collect();
        assert_eq!(
            units,
            [
                vec![0.0, t + d, t],
                vec![0.0, t + d, t + d],
                vec![d, t + d, t + d],
                vec![d, t, t + d],
            ]
        );
        assert_eq!(pts[0].role.moved, None);
        assert_eq!(
            pts[3].role.moved,
            Some(MorrisMove {
                parameter: 1,
                direction: Direction::Down
            })
        );
        assert_eq!(pts[3].role.step, 3);
    }

    #[test]
    fn design_moves_each_parameter_once_per_trajectory_by_delta() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let d = morris(5, &opts(40, 6), &mut rng).unwrap();
        assert_eq!(d.points.len(), 40 * 6);
        assert_eq!(d.trajectories, 40);
        let levels: Vec<f64> = (0..6).map(|k| k as f64 / 5.0).collect();
        for (t, traj) in d.points.chunks(6).enumerate() {
            let mut moved = [false; 5];
            for (s, p) in traj.iter().enumerate() {
                assert_eq!((p.role.trajectory, p.role.step), (t, s));
                for &x in &p.unit {
                    assert!(levels.iter().any(|l| (l - x).abs() < 1e-12), "{x} off grid");
                }
                if s == 0 {
                    continue;
                }
                let m = p.role.moved.unwrap();
                assert!(!moved[m.parameter]);
                moved[m.parameter] = true;
                for j in 0..5 {
                    let change = p.unit[j] - traj[s - 1].unit[j];
                    let want = if j == m.parameter {
                        m.direction.sign() * d.delta
                    } else {
                        0.0
                    };
                    assert!((change - want).abs() < 1e-12);
                }
            }
        }
        // Same stream, same design; both directions and several orders occur.
        let again = morris(5, &opts(40, 6), &mut ChaCha8Rng::seed_from_u64(11)).unwrap();
        assert_eq!(d, again);
        let ups = d
            .points
            .iter()
            .filter(|p| p.role.moved.is_some_and(|m| m.direction == Direction::Up))
            .count();
        assert!((60..=140).contains(&ups), "{ups} of 200 moves up");
    }

    #[test]
    fn bad_options_are_rejected_and_odd_levels_warned() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        assert_eq!(
            morris(0, &opts(4, 4), &mut rng),
            Err(MorrisError::NoParameters)
        );
        assert_eq!(
            morris(2, &opts(0, 4), &mut rng),
            Err(MorrisError::NoTrajectories)
        );
        assert_eq!(
            morris(2, &opts(4, 1), &mut rng),
            Err(MorrisError::TooFewLevels(1))
        );
        let o = MorrisOptions {
            optimal_trajectories: Some(4),
            ..opts(4, 4)
        };
        assert!(matches!(
            morris(2, &o, &mut rng),
            Err(MorrisError::BadOptimalCount { got: 4, .. })
        ));
        let o = MorrisOptions {
            optimal_trajectories: Some(10),
            ..opts(200, 4)
        };
        assert!(matches!(
            morris(2, &o, &mut rng),
            Err(MorrisError::TooManyCombinations { .. })
        ));
        let d = morris(2, &opts(3, 5), &mut rng).unwrap();
        assert_eq!(d.warnings, [MorrisWarning::OddLevels(5)]);
    }

    #[test]
    fn brute_force_picks_the_spread_pair_by_hand() {
        // One-point "trajectories" on a line at 0, 1, 5, 6: choosing 2
        // maximises the distance (0 and 6); choosing 3 maximises
        // d01² + d02² + d12²: {0,1,6} = 1+36+25 = 62, {0,5,6} = 25+36+1 =
        // 62, {0,1,5} = 1+25+16 = 42, {1,5,6} = 16+25+1 = 42: a tie, and
        // the first in lexicographic order wins.
        let t = |x: f64| vec![vec![x]];
        let ts = [t(0.0), t(1.0), t(5.0), t(6.0)];
        assert_eq!(most_distant_trajectories(&ts, 2).unwrap(), [0, 3]);
        assert_eq!(most_distant_trajectories(&ts, 3).unwrap(), [0, 1, 3]);
        // Identical trajectories are at distance 0.
        assert_eq!(trajectory_distance(&ts[1], &ts[1]), 0.0);
        let two = [vec![0.0, 0.0], vec![3.0, 4.0]];
        assert_eq!(trajectory_distance(&two, &[vec![0.0, 0.0]]), 5.0);
        assert_eq!(binomial(100, 4), 3_921_225);
        assert_eq!(binomial(10, 0), 1);
    }

    #[test]
    fn optimised_design_keeps_and_renumbers_the_chosen_trajectories() {
        let o = MorrisOptions {
            optimal_trajectories: Some(3),
            ..opts(8, 4)
        };
        let d = morris(3, &o, &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
        let all = morris(3, &opts(8, 4), &mut ChaCha8Rng::seed_from_u64(5)).unwrap();
        let keep = d.selected.clone().unwrap();
        assert_eq!(keep.len(), 3);
        assert_eq!(d.trajectories, 3);
        for (t, &orig) in keep.iter().enumerate() {
            for s in 0..4 {
                let p = &d.points[t * 4 + s];
                let q = &all.points[orig * 4 + s];
                assert_eq!(p.unit, q.unit);
                assert_eq!((p.role.trajectory, p.role.moved), (t, q.role.moved));
            }
        }
    }

    /// Identical trajectories are at distance 0 however many points they
    /// have, as in SALib: summed point by point, two copies of a two-point
    /// trajectory (0, 0) → (1, 0) would be at 0 + 1 + 1 + 0 = 2.
    #[test]
    fn identical_trajectories_are_at_distance_zero() {
        let t = vec![vec![0.0, 0.0], vec![1.0, 0.0]];
        assert_eq!(trajectory_distance(&t, &t.clone()), 0.0);
        // Another is not: point by point, 1, 1, √2 and 0 apart.
        let u = vec![vec![0.0, 1.0], vec![1.0, 0.0]];
        assert!((trajectory_distance(&t, &u) - (2.0 + 2f64.sqrt())).abs() < 1e-15);
    }

    /// C(n, k) = C(n, n − k), and choosing most of the trajectories is
    /// counted as choosing the few left out: C(100, 96) = C(100, 4) =
    /// 3,921,225, which a product over 96 factors would overflow on its
    /// way (C(100, 50) ≈ 10²⁹).
    #[test]
    fn choosing_most_of_the_trajectories_counts_as_the_few_left_out() {
        assert_eq!(binomial(100, 96), 3_921_225);
        assert_eq!(binomial(100, 100), 1);
        assert!(check_selection(96, 100).is_ok());
    }

    /// Every base level x* of `linspace(0, 1 − Δ, p/2)` is drawn: with
    /// p = 6 (Δ = 0.6, x* in {0, 0.2, 0.4}) a parameter moving up from 0.4
    /// ends at 1, so over 40 trajectories every level of the grid, 1
    /// among them, is visited.
    #[test]
    fn every_base_level_is_drawn() {
        let d = morris(5, &opts(40, 6), &mut ChaCha8Rng::seed_from_u64(11)).unwrap();
        for level in 0..6 {
            let x = f64::from(level) / 5.0;
            assert!(
                d.points
                    .iter()
                    .any(|p| p.unit.iter().any(|u| (u - x).abs() < 1e-12)),
                "level {x} is never visited"
            );
        }
    }
}

//! Experimental designs for parameter sweeps: which parameter values to run.
//!
//! A design is a list of [`Point`]s, each one value per swept
//! [`Parameter`]. Four kinds ([`DesignKind`]):
//!
//! - **grid**: the Cartesian product of listed values (first parameter
//!   varies slowest);
//! - **random**: i.i.d. uniform points;
//! - **lhs**: a Latin hypercube: every dimension is cut into `points` equal
//!   strata and each stratum holds exactly one point;
//! - **sobol**: a scrambled Sobol' sequence (Joe & Kuo 2008 direction
//!   numbers, hash-based Owen scrambling after Burley 2020), which fills
//!   the cube more evenly than random points for the same budget;
//! - **saltelli**: Saltelli's design for Sobol' sensitivity indices
//!   ([`super::saltelli`]), in SALib's order;
//! - **morris**: Morris's elementary-effect trajectories
//!   ([`super::morris`]).
//!
//! The two sensitivity designs give every point one or more
//! [`PointRole`]s (its place in the design), because the analysis needs
//! them and two roles can fall on the same values: the point is then run
//! once, and its outputs serve every role it has.
//!
//! Sampled kinds work in the unit hypercube `[0,1)^d` and map each
//! coordinate to a value with [`map_value`]. Everything here is a pure
//! function of the [`Design`]: the same design gives the same points, bit
//! for bit, on the same binary and platform.
//!
//! Each point carries an id ([`point_id`]): a hash of its canonical
//! assignment alone, so an id never depends on the order points are made in
//! or on the other points. Growing a grid keeps the ids (and therefore the
//! random streams and output rows) of the points it already had.

use std::collections::HashMap;
use std::fmt::Write as _;

use rand::Rng;
use rand_chacha::ChaCha8Rng;

use super::morris::{MorrisError, MorrisOptions, MorrisRole, morris};
use super::saltelli::{SaltelliError, SaltelliOptions, SaltelliRole, saltelli};
use super::sobol::{SobolError, check_sobol, dimension_seed, direction_numbers, owen_scramble};

/// A swept parameter's set of possible values.
#[derive(Debug, Clone, PartialEq)]
pub enum Domain {
    /// Explicit values. A grid uses them as its axis, in the order given;
    /// sampled designs pick one by index: value index = `floor(u * len)`.
    Values(Vec<toml::Value>),
    /// A continuous range `[min, max]`; with `log`, uniform in `ln` space
    /// (needs `min > 0`). Maps to TOML floats. Not allowed in a grid.
    Range {
        /// Lower bound.
        min: f64,
        /// Upper bound.
        max: f64,
        /// Sample uniformly in `ln` space rather than linearly.
        log: bool,
    },
    /// An inclusive integer range: value = `min + floor(u * (max - min + 1))`,
    /// clamped to `[min, max]`. A grid takes every integer in it. Maps to
    /// TOML integers.
    IntRange {
        /// Smallest value.
        min: i64,
        /// Largest value (inclusive).
        max: i64,
    },
}

/// A swept parameter: where it goes in the scenario and what it may take.
#[derive(Debug, Clone, PartialEq)]
pub struct Parameter {
    /// Dotted path of the scenario value to override, e.g.
    /// `market.buyers.budget_growth`.
    pub path: String,
    /// The values it may take.
    pub domain: Domain,
}

pub use crate::scenario::schema::DesignKind;

/// An experimental design: what to sweep and how.
#[derive(Debug, Clone, PartialEq)]
pub struct Design {
    /// How points are chosen.
    pub kind: DesignKind,
    /// Number of points for random, lhs and sobol; base rows `N` for
    /// saltelli; trajectories for morris; ignored by a grid, whose size is
    /// the product of its axes.
    pub points: usize,
    /// Saltelli: add the BA matrices, for second-order indices.
    pub second_order: bool,
    /// Saltelli: Owen-scramble the Sobol' sequence with `seed`; without,
    /// the design is SALib's `scramble=False` design point for point.
    pub scramble: bool,
    /// Morris: levels `p` of the grid.
    pub levels: usize,
    /// Seed of the random draws (random, lhs) or of the scrambling (sobol);
    /// unused by a grid.
    pub seed: u64,
    /// The swept parameters, one design dimension each, in this order.
    pub parameters: Vec<Parameter>,
}

/// A point's place in a sensitivity design.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PointRole {
    /// Base row and matrix of a Saltelli design.
    Saltelli(SaltelliRole),
    /// Trajectory and step of a Morris design.
    Morris(MorrisRole),
}

/// One design point: a value for every parameter.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// Stable id of this assignment ([`point_id`]).
    pub id: u64,
    /// One value per parameter, in the design's parameter order.
    pub values: Vec<toml::Value>,
}

/// Why a design cannot be generated. Each message says what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum DesignError {
    /// A parameter has neither `values` nor `min` and `max`.
    #[error("`sweep.parameters.{0}` needs `values = [...]` or `min` and `max`")]
    NoDomain(String),
    /// The design sweeps nothing.
    #[error("the design has no parameters: add at least one parameter to sweep")]
    NoParameters,
    /// A sampled design was asked for zero points.
    #[error("the design needs at least 1 point, got 0: set `points`")]
    NoPoints,
    /// A parameter path is empty or has characters that would make the
    /// canonical assignment (and thus point ids) ambiguous.
    #[error(
        "parameter path {0:?} is not valid: use a non-empty dotted path without `=` or control characters"
    )]
    BadPath(String),
    /// Two parameters share a path.
    #[error("parameter `{0}` appears twice: sweep each path once")]
    DuplicatePath(String),
    /// A `values` list is empty.
    #[error("parameter `{0}` has no values: list at least one")]
    EmptyValues(String),
    /// A value is listed twice for one parameter.
    #[error("duplicate value in `{path}`: {value} is listed twice; list each value once")]
    DuplicateValue {
        /// The parameter.
        path: String,
        /// The repeated value, as TOML.
        value: String,
    },
    /// A range's lower bound is above its upper bound.
    #[error("parameter `{path}`: min > max ({min} > {max}): swap them")]
    MinAboveMax {
        /// The parameter.
        path: String,
        /// The given minimum.
        min: String,
        /// The given maximum.
        max: String,
    },
    /// A range bound is infinite or NaN.
    #[error(
        "parameter `{path}`: range bounds must be finite numbers, got min = {min}, max = {max}"
    )]
    NonFiniteBound {
        /// The parameter.
        path: String,
        /// The given minimum.
        min: f64,
        /// The given maximum.
        max: f64,
    },
    /// A log range does not lie in the positive numbers.
    #[error(
        "parameter `{path}`: log range needs min > 0, got min = {min}: use a positive min or set log = false"
    )]
    LogRangeNotPositive {
        /// The parameter.
        path: String,
        /// The given minimum.
        min: f64,
    },
    /// A continuous range was put in a grid, which needs a finite axis.
    #[error(
        "grid parameter `{0}` needs `values` or an integer range: a continuous range has no grid; list the values, or sample it with random, lhs or sobol"
    )]
    RangeInGrid(String),
    /// The grid is too large to enumerate.
    #[error(
        "the grid has {points} points, more than the limit of {limit}: use fewer values or a sampled design (random, lhs or sobol)"
    )]
    GridTooLarge {
        /// Product of the axis lengths.
        points: u128,
        /// [`MAX_GRID_POINTS`].
        limit: usize,
    },
    /// The Saltelli design cannot be built.
    #[error("saltelli: {0}")]
    Saltelli(Box<SaltelliError>),
    /// The Morris design cannot be built.
    #[error("morris: {0}")]
    Morris(#[from] MorrisError),
    /// The Sobol' generator cannot give the points asked for.
    #[error(transparent)]
    Sobol(#[from] SobolError),
    /// Two sampled points have the same assignment, hence the same id; their
    /// runs would share random streams and output keys.
    #[error(
        "design points {first} and {second} have identical values ({assignment}): every swept parameter is discrete and the design drew the same combination twice; use a grid, fewer points, or a continuous range"
    )]
    DuplicatePoint {
        /// Index of the earlier point.
        first: usize,
        /// Index of the later point.
        second: usize,
        /// The shared assignment, `path=value, ...` in path order, values
        /// as TOML writes them.
        assignment: String,
    },
    /// Two different assignments hashed to the same 64-bit id.
    #[error(
        "design points {first} and {second} have different values but the same id {id:#018x}: change the seed or the number of points"
    )]
    IdCollision {
        /// Index of the earlier point.
        first: usize,
        /// Index of the later point.
        second: usize,
        /// The shared id.
        id: u64,
    },
}

impl DesignError {
    /// The parameter this error is about, if it is about one: a message
    /// is located at its key rather than at `[sweep]`.
    pub fn parameter(&self) -> Option<&str> {
        match self {
            DesignError::NoDomain(p)
            | DesignError::BadPath(p)
            | DesignError::DuplicatePath(p)
            | DesignError::EmptyValues(p)
            | DesignError::RangeInGrid(p)
            | DesignError::DuplicateValue { path: p, .. }
            | DesignError::MinAboveMax { path: p, .. }
            | DesignError::NonFiniteBound { path: p, .. }
            | DesignError::LogRangeNotPositive { path: p, .. } => Some(p),
            _ => None,
        }
    }
}

/// The largest grid [`generate`] enumerates. Far above any sweep we can
/// afford to run, but it stops a typo (an integer range of 10^12) from
/// exhausting memory before anything is reported.
pub const MAX_GRID_POINTS: usize = 10_000_000;

/// ChaCha stream of random designs. Any fixed constant works; it only has to
/// be set before the first draw and never change, or
/// every recorded random design would change with it.
const RANDOM_STREAM: u64 = 0x0005_EEDD_3516;

/// ChaCha stream of Latin hypercubes: distinct from [`RANDOM_STREAM`] so a
/// random design and an LHS with the same seed do not share their draws.
const LHS_STREAM: u64 = 0x0005_EEDD_3517;

/// ChaCha stream of the Latin hypercubes' permutation keys.
const LHS_KEY_STREAM: u64 = 0x0005_EEDD_3518;

/// ChaCha stream of Morris trajectories (move orders, directions, base
/// levels).
const MORRIS_STREAM: u64 = 0x0005_EEDD_3519;

/// The largest `f64` below 1: sampled coordinates live in `[0, 1)`.
const BELOW_ONE: f64 = 1.0 - f64::EPSILON / 2.0;

/// Generates the design's points, with ids, in design order.
///
/// Grid points come in odometer order (first parameter slowest); sampled
/// points in the order of their unit coordinates.
///
/// # Errors
///
/// Any [`DesignError`]: invalid parameters, a continuous range in a grid,
/// a grid over [`MAX_GRID_POINTS`], a sobol design that is not a power of
/// two or has too many dimensions, or two points with the same values.
pub fn generate(d: &Design) -> Result<Vec<Point>, DesignError> {
    let points = Points::new(d)?;
    Ok((0..points.len()).map(|i| points.get(i)).collect())
}

/// A design's points, each computed on demand from its index, so that the
/// memory a sweep needs does not grow with its number of points. `get(i)`
/// equals the `i`-th point of [`generate`].
#[derive(Debug, Clone)]
pub struct Points {
    design: Design,
    len: usize,
    /// Grid: the length of each axis.
    axes: Vec<u64>,
    /// Sobol': direction numbers and scramble seeds per dimension.
    directions: Vec<[u32; 32]>,
    seeds: Vec<Option<u32>>,
    /// Saltelli and Morris: the distinct points, in order of their first
    /// role, each with all its roles. These designs are built whole (their
    /// points depend on each other), and stay small: the analysis of a
    /// million points would be out of reach anyway.
    roled: std::sync::Arc<Vec<(Point, Vec<PointRole>)>>,
}

impl Points {
    /// Check a design and prepare its points.
    ///
    /// # Errors
    ///
    /// As [`generate`]. Duplicate points are looked for when every
    /// parameter is discrete (then they are likely, and the design is
    /// small); with a continuous parameter two points coincide with
    /// probability zero.
    pub fn new(d: &Design) -> Result<Points, DesignError> {
        validate_parameters(&d.parameters)?;
        let dims = d.parameters.len();
        let mut p = Points {
            design: d.clone(),
            len: 0,
            axes: Vec::new(),
            directions: Vec::new(),
            seeds: Vec::new(),
            roled: Default::default(),
        };
        match d.kind {
            DesignKind::Saltelli | DesignKind::Morris => {
                if d.points == 0 {
                    return Err(DesignError::NoPoints);
                }
                let roled = roled_points(d)?;
                p.len = roled.len();
                p.roled = std::sync::Arc::new(roled);
            }
            DesignKind::Grid => {
                p.axes = grid_axes(&d.parameters)?;
                p.len = p.axes.iter().product::<u64>() as usize;
            }
            DesignKind::Random | DesignKind::Lhs | DesignKind::Sobol => {
                if d.points == 0 {
                    return Err(DesignError::NoPoints);
                }
                if d.kind == DesignKind::Sobol {
                    check_sobol(d.points, dims)?;
                    p.directions = (0..dims).map(direction_numbers).collect();
                    p.seeds = (0..dims)
                        .map(|dim| Some(dimension_seed(d.seed, dim)))
                        .collect();
                }
                p.len = d.points;
                let discrete = d
                    .parameters
                    .iter()
                    .all(|x| !matches!(x.domain, Domain::Range { .. }));
                if discrete {
                    let all: Vec<Point> = (0..p.len).map(|i| p.get(i)).collect();
                    reject_duplicate_ids(&d.parameters, &all)?;
                }
            }
        }
        Ok(p)
    }

    /// Number of points.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The design.
    pub fn design(&self) -> &Design {
        &self.design
    }

    /// The roles of point `i` in a Saltelli or Morris design (at least
    /// one), in design order; empty for the other kinds.
    pub fn roles(&self, i: usize) -> &[PointRole] {
        self.roled.get(i).map_or(&[], |(_, roles)| roles.as_slice())
    }

    /// Point `i` (< `len`).
    pub fn get(&self, i: usize) -> Point {
        let d = &self.design;
        if let Some((point, _)) = self.roled.get(i) {
            return point.clone();
        }
        let values: Vec<toml::Value> = match d.kind {
            DesignKind::Grid => {
                // Mixed-radix digits of the index, last axis fastest.
                let mut index = i as u64;
                let mut digits = vec![0u64; self.axes.len()];
                for (slot, len) in digits.iter_mut().zip(&self.axes).rev() {
                    *slot = index % len;
                    index /= len;
                }
                d.parameters
                    .iter()
                    .zip(digits)
                    .map(|(p, k)| match &p.domain {
                        Domain::Values(v) => v[k as usize].clone(),
                        Domain::IntRange { min, .. } => toml::Value::Integer(min + k as i64),
                        Domain::Range { .. } => unreachable!("rejected for grids"),
                    })
                    .collect()
            }
            _ => {
                let u = self.unit(i);
                d.parameters
                    .iter()
                    .zip(u)
                    .map(|(p, x)| map_value(&p.domain, x))
                    .collect()
            }
        };
        Point {
            id: point_id(&d.parameters, &values),
            values,
        }
    }

    /// Unit coordinates of sampled point `i`.
    fn unit(&self, i: usize) -> Vec<f64> {
        let d = &self.design;
        let dims = d.parameters.len();
        match d.kind {
            DesignKind::Random => {
                // Point-major draws: point i starts at word 2·dims·i.
                let mut rng = design_rng(d.seed, RANDOM_STREAM);
                rng.set_word_pos(2 * (dims as u128) * (i as u128));
                (0..dims).map(|_| unit_f64(&mut rng)).collect()
            }
            DesignKind::Lhs => lhs_point(self.len, dims, d.seed, i),
            DesignKind::Sobol => {
                // Gray code of i selects the direction numbers XORed.
                let g = (i ^ (i >> 1)) as u64;
                self.directions
                    .iter()
                    .zip(&self.seeds)
                    .map(|(v, seed)| {
                        let mut x = 0u32;
                        for (b, vb) in v.iter().enumerate() {
                            if g >> b & 1 == 1 {
                                x ^= vb;
                            }
                        }
                        let bits = seed.map_or(x, |s| owen_scramble(x, s));
                        f64::from(bits) * (1.0 / 4_294_967_296.0)
                    })
                    .collect()
            }
            DesignKind::Grid | DesignKind::Saltelli | DesignKind::Morris => {
                unreachable!("grids have no unit coordinates; sensitivity designs are built whole")
            }
        }
    }
}

/// The points of a Saltelli or Morris design with their roles: each
/// role's unit coordinates mapped to values, and roles whose values
/// coincide (the origin in an unscrambled Saltelli design, an AB_j equal
/// to A when a discrete parameter rounds both to one value, a Morris grid
/// point revisited) merged into one point. Such a point runs once, so its
/// roles share outputs exactly: a Morris step the model cannot see gives
/// an elementary effect of exactly 0, as it should.
fn roled_points(d: &Design) -> Result<Vec<(Point, Vec<PointRole>)>, DesignError> {
    let dims = d.parameters.len();
    let units: Vec<(PointRole, Vec<f64>)> = if d.kind == DesignKind::Saltelli {
        let design = saltelli(
            dims,
            &SaltelliOptions {
                base_rows: d.points,
                second_order: d.second_order,
                scramble_seed: d.scramble.then_some(d.seed),
                skip: 0,
            },
        )
        .map_err(|e| DesignError::Saltelli(Box::new(e)))?;
        design
            .points
            .into_iter()
            .map(|p| (PointRole::Saltelli(p.role), p.unit))
            .collect()
    } else {
        morris_units(d.seed, d.points, d.levels, dims)?
            .into_iter()
            .map(|(role, unit)| (PointRole::Morris(role), unit))
            .collect()
    };
    // Only looked up, never iterated: HashMap order cannot reach the output.
    let mut index: HashMap<u64, usize> = HashMap::new();
    let mut out: Vec<(Point, Vec<PointRole>)> = Vec::new();
    for (n, (role, unit)) in units.into_iter().enumerate() {
        let values: Vec<toml::Value> = d
            .parameters
            .iter()
            .zip(unit)
            .map(|(p, x)| match role {
                PointRole::Morris(_) => level_value(&p.domain, x, d.levels),
                _ => map_value(&p.domain, x),
            })
            .collect();
        let id = point_id(&d.parameters, &values);
        match index.get(&id) {
            Some(&k) => {
                if canonical_assignment(&d.parameters, &out[k].0.values)
                    != canonical_assignment(&d.parameters, &values)
                {
                    return Err(DesignError::IdCollision {
                        first: k,
                        second: n,
                        id,
                    });
                }
                out[k].1.push(role);
            }
            None => {
                index.insert(id, out.len());
                out.push((Point { id, values }, vec![role]));
            }
        }
    }
    Ok(out)
}

/// The unit coordinates of a Morris sweep's points, role by role, as the
/// sweep of that seed, trajectories and levels over `dims` parameters
/// generates them (so an analysis can tell how far each step moved a
/// parameter of listed values or whole numbers).
///
/// # Errors
///
/// The design's own ([`morris`]).
pub fn morris_units(
    seed: u64,
    trajectories: usize,
    levels: usize,
    dims: usize,
) -> Result<Vec<(MorrisRole, Vec<f64>)>, DesignError> {
    let mut rng = design_rng(seed, MORRIS_STREAM);
    let design = morris(
        dims,
        &MorrisOptions {
            trajectories,
            levels,
            optimal_trajectories: None,
        },
        &mut rng,
    )?;
    Ok(design
        .points
        .into_iter()
        .map(|p| (p.role, p.unit))
        .collect())
}

/// The stratum a unit value `u` takes in a domain of listed values or
/// whole numbers, as [`map_value`] takes it, with the number of strata;
/// `None` for a range of numbers, which has none.
pub fn stratum_of(domain: &Domain, u: f64) -> Option<(u128, u128)> {
    let n = match domain {
        Domain::Values(values) => values.len() as u128,
        // i128 because max - min + 1 overflows i64 for the widest ranges.
        Domain::IntRange { min, max } => (i128::from(*max) - i128::from(*min) + 1) as u128,
        Domain::Range { .. } => return None,
    };
    let u = if u.is_nan() {
        0.0
    } else {
        u.clamp(0.0, BELOW_ONE)
    };
    Some((stratum(u, n).min(n - 1), n))
}

/// A pseudo-random bijection of `0..n` keyed by `key`, evaluated at `i`:
/// invertible mixing steps (odd multiplication, addition, xor-shift) on the
/// smallest power of two ≥ `n`, repeated until the result falls in `0..n`
/// (cycle walking keeps it a bijection). Random access, no table.
fn permute(i: u64, n: u64, key: [u64; 4]) -> u64 {
    if n <= 1 {
        return 0;
    }
    let bits = 64 - (n - 1).leading_zeros();
    let mask = if bits == 64 {
        u64::MAX
    } else {
        (1u64 << bits) - 1
    };
    let shift = (bits / 2).max(1);
    let mut x = i;
    loop {
        for k in key {
            x = x.wrapping_mul(k | 1) & mask;
            x = (x ^ (x >> shift)) & mask;
            x = x.wrapping_add(k >> 1) & mask;
            x = (x ^ (x >> shift)) & mask;
        }
        if x < n {
            return x;
        }
    }
}

/// Latin-hypercube point `i` of `n` in `dims` dimensions: in dimension `d`
/// it lies in stratum `permute(i)` of a permutation keyed per dimension,
/// at a uniform jitter within it (its own position in the LHS stream).
fn lhs_point(n: usize, dims: usize, seed: u64, i: usize) -> Vec<f64> {
    let mut keys = design_rng(seed, LHS_KEY_STREAM);
    let mut jitter = design_rng(seed, LHS_STREAM);
    jitter.set_word_pos(2 * (dims as u128) * (i as u128));
    (0..dims)
        .map(|_| {
            let key = [
                keys.next_u64(),
                keys.next_u64(),
                keys.next_u64(),
                keys.next_u64(),
            ];
            let k = permute(i as u64, n as u64, key) as usize;
            in_stratum(k, unit_f64(&mut jitter), n)
        })
        .collect()
}

/// The stable id of an assignment of `values` to `parameters`.
///
/// xxh64 (seed 0) of the canonical assignment: one `path=value` line per
/// parameter, sorted by path, joined by `\n`. Values are written exactly and
/// independently of any library's formatting (floats as their IEEE bits in
/// hex, integers in decimal, strings quoted and escaped, arrays and tables
/// recursively with sorted keys), because ids seed random streams and key
/// outputs: they must not move when a dependency is upgraded. The id depends
/// on the assignment alone, not on the parameter order or on other points.
///
/// # Panics
///
/// If `values` does not have one value per parameter.
pub fn point_id(parameters: &[Parameter], values: &[toml::Value]) -> u64 {
    xxhash_rust::xxh64::xxh64(canonical_assignment(parameters, values).as_bytes(), 0)
}

/// `n` Latin-hypercube points in `[0,1)^dims`, indexed `[point][dim]`.
///
/// In every dimension the strata `0..n` are assigned to points by a keyed
/// pseudo-random bijection ([`Points`] evaluates it point by point), and
/// each point is jittered uniformly within its stratum: `floor(u * n)` is a
/// permutation of `0..n` in every dimension. Draws use only `next_u64` of
/// the design's ChaCha streams.
pub fn unit_lhs(n: usize, dims: usize, seed: u64) -> Vec<Vec<f64>> {
    (0..n).map(|i| lhs_point(n, dims, seed, i)).collect()
}

/// The parameter value at unit coordinate `u` in `[0, 1)` (a range also
/// takes `u = 1`, a Morris design's top level, as its `max` exactly).
///
/// `u` outside `[0, 1)` is clamped into it (NaN counts as 0). Values keep
/// their TOML types: a [`Domain::Range`] gives a float in `[min, max]`, an
/// [`Domain::IntRange`] an integer, [`Domain::Values`] the listed value at
/// index `floor(u * len)`.
///
/// # Panics
///
/// On an empty [`Domain::Values`] (which [`generate`] rejects first).
pub fn map_value(domain: &Domain, u: f64) -> toml::Value {
    let top = u >= 1.0;
    let u = if u.is_nan() {
        0.0
    } else {
        u.clamp(0.0, BELOW_ONE)
    };
    match domain {
        // The top of a range is its bound, not 1 − 2⁻⁵³ of the way to it
        // (2.0 was written 1.9999999999999996).
        Domain::Range { max, .. } if top => toml::Value::Float(*max),
        Domain::Values(values) => {
            assert!(!values.is_empty(), "map_value on an empty list of values");
            let (index, _) = stratum_of(domain, u).expect("a list has strata");
            stratum_value(domain, index)
        }
        Domain::Range { min, max, log } => {
            let (min, max) = (*min, *max);
            let x = if *log {
                // libm, not std: std's exp/ln may differ between platforms.
                let (a, b) = (libm::log(min), libm::log(max));
                libm::exp(a + u * (b - a))
            } else if (max - min).is_finite() {
                min + u * (max - min)
            } else {
                // The width overflows (e.g. ±1e308): interpolate without it.
                min * (1.0 - u) + max * u
            };
            // Rounding (and exp∘ln) can step just outside the bounds.
            toml::Value::Float(x.clamp(min, max))
        }
        Domain::IntRange { .. } => {
            let (offset, _) = stratum_of(domain, u).expect("whole numbers have strata");
            stratum_value(domain, offset)
        }
    }
}

/// The value of stratum `index` of a domain of listed values or whole
/// numbers (a range has no strata).
fn stratum_value(domain: &Domain, index: u128) -> toml::Value {
    match domain {
        Domain::Values(values) => values[index as usize].clone(),
        // i128: min + index may pass i64 on the way for the widest ranges,
        // never at the end.
        Domain::IntRange { min, .. } => {
            toml::Value::Integer((i128::from(*min) + index as i128) as i64)
        }
        Domain::Range { .. } => unreachable!("a range has no strata"),
    }
}

/// The stratum of a domain of listed values or whole numbers that the
/// Morris level `u` of a grid of `levels` takes, with the number of
/// strata: `floor(k · n / (levels − 1))` for level `k = u · (levels − 1)`,
/// worked out in integers (the top level is the last stratum); `None` for
/// a range. A level is a fraction that floats hold a few ulps off, and
/// one below a stratum's edge (2/3 of 18 values) fell a stratum short
/// through [`stratum_of`]'s exact floor: 12 became 11, and with 6 levels
/// over 5 values the fourth was never visited.
pub fn level_stratum(domain: &Domain, u: f64, levels: usize) -> Option<(u128, u128)> {
    let (_, n) = stratum_of(domain, u)?;
    let top = (levels.max(2) - 1) as u128;
    let u = if u.is_nan() { 0.0 } else { u.clamp(0.0, 1.0) };
    let k = (u * top as f64).round() as u128;
    Some(((k * n / top).min(n - 1), n))
}

/// The value at the Morris level `u` of a grid of `levels`: a range's as
/// [`map_value`] gives it, a discrete domain's at [`level_stratum`].
pub fn level_value(domain: &Domain, u: f64, levels: usize) -> toml::Value {
    match level_stratum(domain, u, levels) {
        Some((index, _)) => stratum_value(domain, index),
        None => map_value(domain, u),
    }
}

/// `n` i.i.d. uniform points in `[0,1)^dims`, point by point.
#[cfg(test)]
fn unit_random(n: usize, dims: usize, rng: &mut ChaCha8Rng) -> Vec<Vec<f64>> {
    (0..n)
        .map(|_| (0..dims).map(|_| unit_f64(rng)).collect())
        .collect()
}

/// The generator of a design's random draws (built with every other
/// stream in [`crate::engine::seeding`]).
fn design_rng(seed: u64, stream: u64) -> ChaCha8Rng {
    crate::engine::seeding::design_stream(seed, stream)
}

/// A uniform `f64` in `[0, 1)` from the top 53 bits of one `u64`: a
/// fixed, documented conversion, unlike `rng.random()`, whose algorithm is
/// rand's to change.
fn unit_f64(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// `(k + jitter) / n`, nudged so that `floor(u * n) == k` holds exactly.
///
/// Rounding in the sum or the division can land a point on the edge of the
/// next stratum (for n = 2, `1 + (1 - 2^-53)` rounds to 2, which would give
/// `u = 1`) or just below its own; either would break the one-point-per-
/// stratum promise that [`map_value`] relies on with `floor(u * len)`.
fn in_stratum(k: usize, jitter: f64, n: usize) -> f64 {
    let (k128, n128) = (k as u128, n as u128);
    let mut u = ((k as f64 + jitter) / n as f64).min(BELOW_ONE);
    while stratum(u, n128) > k128 {
        u = u.next_down();
    }
    while stratum(u, n128) < k128 {
        u = u.next_up();
    }
    u
}

/// `floor(u * n)` computed exactly, for `u` in `[0, 1)` and `n <= 2^64`.
///
/// In floating point `u * n` can round up to the next integer (e.g. just
/// below 1/3 times 3), putting a coordinate in the wrong stratum, and above
/// 2^53 it cannot tell neighbouring integers apart. A finite `f64` is
/// exactly `m / 2^e` with `m < 2^53`, so `m * n < 2^117` fits in a `u128`
/// and one shift gives the exact floor.
fn stratum(u: f64, n: u128) -> u128 {
    debug_assert!((0.0..1.0).contains(&u) && n <= 1 << 64);
    let bits = u.to_bits();
    let biased = ((bits >> 52) & 0x7ff) as u32;
    let fraction = u128::from(bits & ((1 << 52) - 1));
    // Subnormals (biased exponent 0) have no implicit leading 1.
    let (m, e) = if biased == 0 {
        (fraction, 1074)
    } else {
        (fraction | 1 << 52, 1075 - biased)
    };
    // u < 1 means e >= 53, and m * n < 2^117, so any e >= 117 gives 0.
    if e >= 128 { 0 } else { (m * n) >> e }
}

fn validate_parameters(parameters: &[Parameter]) -> Result<(), DesignError> {
    if parameters.is_empty() {
        return Err(DesignError::NoParameters);
    }
    let mut seen = std::collections::HashSet::new();
    for p in parameters {
        let path = &p.path;
        if path.is_empty() || path.contains('=') || path.chars().any(char::is_control) {
            return Err(DesignError::BadPath(path.clone()));
        }
        if !seen.insert(path.as_str()) {
            return Err(DesignError::DuplicatePath(path.clone()));
        }
        match &p.domain {
            Domain::Values(values) => {
                if values.is_empty() {
                    return Err(DesignError::EmptyValues(path.clone()));
                }
                // Duplicates would double-weight a value in a sampled design
                // and repeat points (hence ids) in a grid.
                let mut texts = std::collections::HashSet::new();
                for v in values {
                    let mut text = String::new();
                    canonical_value(v, &mut text);
                    if !texts.insert(text) {
                        return Err(DesignError::DuplicateValue {
                            path: path.clone(),
                            value: v.to_string(),
                        });
                    }
                }
            }
            &Domain::Range { min, max, log } => {
                if !min.is_finite() || !max.is_finite() {
                    return Err(DesignError::NonFiniteBound {
                        path: path.clone(),
                        min,
                        max,
                    });
                }
                if min > max {
                    return Err(DesignError::MinAboveMax {
                        path: path.clone(),
                        min: min.to_string(),
                        max: max.to_string(),
                    });
                }
                if log && min <= 0.0 {
                    return Err(DesignError::LogRangeNotPositive {
                        path: path.clone(),
                        min,
                    });
                }
            }
            &Domain::IntRange { min, max } => {
                if min > max {
                    return Err(DesignError::MinAboveMax {
                        path: path.clone(),
                        min: min.to_string(),
                        max: max.to_string(),
                    });
                }
            }
        }
    }
    Ok(())
}

/// The length of each axis of a grid, refusing continuous ranges and a
/// product over [`MAX_GRID_POINTS`] (sized from the domains, so a huge
/// integer range is refused before anything is expanded).
fn grid_axes(parameters: &[Parameter]) -> Result<Vec<u64>, DesignError> {
    let mut size: u128 = 1;
    let mut axes = Vec::new();
    for p in parameters {
        let len = match &p.domain {
            Domain::Values(values) => values.len() as u128,
            Domain::IntRange { min, max } => (i128::from(*max) - i128::from(*min) + 1) as u128,
            Domain::Range { .. } => return Err(DesignError::RangeInGrid(p.path.clone())),
        };
        size = size.saturating_mul(len);
        axes.push(len.min(u128::from(u64::MAX)) as u64);
    }
    if size > MAX_GRID_POINTS as u128 {
        return Err(DesignError::GridTooLarge {
            points: size,
            limit: MAX_GRID_POINTS,
        });
    }
    Ok(axes)
}

fn reject_duplicate_ids(parameters: &[Parameter], points: &[Point]) -> Result<(), DesignError> {
    // Only looked up, never iterated: HashMap order cannot reach the output.
    let mut first_with: HashMap<u64, usize> = HashMap::with_capacity(points.len());
    for (i, p) in points.iter().enumerate() {
        if let Some(&first) = first_with.get(&p.id) {
            let a = canonical_assignment(parameters, &points[first].values);
            let b = canonical_assignment(parameters, &p.values);
            return Err(if a == b {
                DesignError::DuplicatePoint {
                    first,
                    second: i,
                    assignment: shown_assignment(parameters, &p.values),
                }
            } else {
                DesignError::IdCollision {
                    first,
                    second: i,
                    id: p.id,
                }
            });
        }
        first_with.insert(p.id, i);
    }
    Ok(())
}

/// `path=value` sorted by path, joined by `, `, each value as TOML writes
/// it (`1.0`, `"x"`): a point as a message shows it ([`canonical_assignment`]
/// writes a float by its bits).
fn shown_assignment(parameters: &[Parameter], values: &[toml::Value]) -> String {
    by_path(parameters)
        .iter()
        .map(|&i| format!("{}={}", parameters[i].path, values[i]))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The parameters' indices in the order of their paths, the order a
/// point's assignment is hashed and shown in.
fn by_path(parameters: &[Parameter]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..parameters.len()).collect();
    order.sort_by(|&a, &b| parameters[a].path.cmp(&parameters[b].path));
    order
}

/// `path=value` lines sorted by path, joined by `\n`: the bytes [`point_id`]
/// hashes. Paths have no `=` or control characters and values no raw
/// newlines, so distinct assignments give distinct strings.
fn canonical_assignment(parameters: &[Parameter], values: &[toml::Value]) -> String {
    assert_eq!(
        parameters.len(),
        values.len(),
        "point_id needs one value per parameter"
    );
    let mut out = String::new();
    for (n, &i) in by_path(parameters).iter().enumerate() {
        if n > 0 {
            out.push('\n');
        }
        out.push_str(&parameters[i].path);
        out.push('=');
        canonical_value(&values[i], &mut out);
    }
    out
}

/// Exact, library-independent text of a TOML value: part of the point-id
/// format, so changing it changes every id.
fn canonical_value(v: &toml::Value, out: &mut String) {
    match v {
        toml::Value::String(s) => canonical_string(s, out),
        toml::Value::Integer(i) => {
            let _ = write!(out, "{i}");
        }
        // Bits, not decimal: exact for every float, NaN payloads and -0.0
        // included, and distinct from any integer's text.
        toml::Value::Float(f) => {
            let _ = write!(out, "f:{:016x}", f.to_bits());
        }
        toml::Value::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        toml::Value::Datetime(d) => {
            let _ = write!(out, "d:{d}");
        }
        toml::Value::Array(items) => {
            out.push('[');
            for (n, item) in items.iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical_value(item, out);
            }
            out.push(']');
        }
        toml::Value::Table(table) => {
            let mut keys: Vec<&String> = table.keys().collect();
            keys.sort();
            out.push('{');
            for (n, key) in keys.into_iter().enumerate() {
                if n > 0 {
                    out.push(',');
                }
                canonical_string(key, out);
                out.push('=');
                canonical_value(&table[key.as_str()], out);
            }
            out.push('}');
        }
    }
}

/// A quoted string with `\`, `"` and control characters escaped, so the
/// text has no raw newline and ends unambiguously.
fn canonical_string(s: &str, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::sobol::{MAX_SOBOL_POINTS, SOBOL_MAX_DIMS, unit_sobol};
    use toml::Value;

    /// The stratum an analysis reads is the value the sweep wrote: for
    /// whole numbers the offset from `min`, for a list the place (a
    /// repeated value keeps its own place), at every level of a design
    /// (a Morris point's through its level's stratum).
    #[test]
    fn strata_are_the_values_map_value_gives() {
        let ints = Domain::IntRange { min: 3, max: 20 };
        let list = Domain::Values(vec![
            Value::Integer(3),
            Value::Float(3.0),
            Value::Integer(20),
        ]);
        let units = morris_units(5, 6, 4, 2).unwrap();
        let mut us: Vec<f64> = units.iter().flat_map(|(_, u)| u.iter().copied()).collect();
        us.extend([0.0, 0.5, 0.999, 1.0, 1.0 / 3.0, 2.0 / 3.0]);
        for u in us {
            let (k, n) = stratum_of(&ints, u).unwrap();
            assert_eq!(n, 18);
            assert_eq!(map_value(&ints, u), Value::Integer(3 + k as i64), "{u}");
            let (k, n) = stratum_of(&list, u).unwrap();
            assert_eq!(n, 3);
            let Domain::Values(v) = &list else {
                unreachable!()
            };
            assert_eq!(map_value(&list, u), v[k as usize], "{u}");
            // A Morris point's value is the one its level's stratum gives,
            // which `sensitivity` reads the moves by.
            for d in [&ints, &list] {
                let (k, _) = level_stratum(d, u, 4).unwrap();
                assert_eq!(level_value(d, u, 4), stratum_value(d, k), "{u}");
            }
        }
        assert_eq!(
            stratum_of(
                &Domain::Range {
                    min: 0.0,
                    max: 1.0,
                    log: false
                },
                0.5
            ),
            None
        );
        // Consecutive points of a trajectory move one parameter by Δ.
        for w in units.windows(2) {
            let [(a, x), (b, y)] = w else { unreachable!() };
            if a.trajectory == b.trajectory {
                let m = b.moved.unwrap().parameter;
                assert!(((x[m] - y[m]).abs() - 2.0 / 3.0).abs() < 1e-12);
            }
        }
    }

    fn range(path: &str, min: f64, max: f64) -> Parameter {
        Parameter {
            path: path.into(),
            domain: Domain::Range {
                min,
                max,
                log: false,
            },
        }
    }
    fn ints(path: &str, min: i64, max: i64) -> Parameter {
        Parameter {
            path: path.into(),
            domain: Domain::IntRange { min, max },
        }
    }
    fn values(path: &str, v: Vec<Value>) -> Parameter {
        Parameter {
            path: path.into(),
            domain: Domain::Values(v),
        }
    }
    fn design(kind: DesignKind, points: usize, seed: u64, parameters: Vec<Parameter>) -> Design {
        Design {
            kind,
            points,
            seed,
            parameters,
            second_order: true,
            scramble: true,
            levels: 4,
        }
    }
    fn column(points: &[Vec<f64>], dim: usize) -> Vec<f64> {
        points.iter().map(|p| p[dim]).collect()
    }
    fn err(d: &Design) -> DesignError {
        generate(d).expect_err("design should be rejected")
    }
    /// Bit-exact text of a design's points (floats by their bits).
    fn fingerprint(d: &Design, points: &[Point]) -> Vec<String> {
        points
            .iter()
            .map(|p| {
                format!(
                    "{:016x} {}",
                    p.id,
                    canonical_assignment(&d.parameters, &p.values)
                )
            })
            .collect()
    }
    /// Point `index` of dimension `dim` computed directly from the Gray code
    /// (x = XOR of v_k over the set bits of i ^ (i >> 1)), independently of
    /// the incremental update in `unit_sobol`.
    fn sobol_direct(index: u32, dim: usize) -> u32 {
        let v = direction_numbers(dim);
        let gray = index ^ (index >> 1);
        (0..32)
            .filter(|&k| gray >> k & 1 == 1)
            .fold(0, |x, k| x ^ v[k])
    }

    // ---- Sobol': the unscrambled sequence against the published one ----

    #[test]
    fn sobol_dimension_1_is_van_der_corput_in_gray_code_order() {
        let p = unit_sobol(8, 1, None).unwrap();
        assert_eq!(
            column(&p, 0),
            [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]
        );
    }

    #[test]
    fn sobol_direction_numbers_follow_the_recurrence_by_hand() {
        // m_k = v_k * 2^k. Dimension 2: s=1, a=0, m1=1, polynomial x+1, so
        // m_k = 2 m_(k-1) ^ m_(k-1): 1, 3, 5, 15, 17, 51.
        // Dimension 3: s=2, a=1, m=(1,3), polynomial x^2+x+1, so
        // m_k = 2 m_(k-1) ^ 4 m_(k-2) ^ m_(k-2): 1, 3, 3 (6^4^1), 9 (6^12^3),
        // 29 (18^12^3).
        // Dimension 4: s=3, a=1 (a1=0, a2=1), m=(1,3,1), polynomial x^3+x+1:
        // m_k = 4 m_(k-2) ^ 8 m_(k-3) ^ m_(k-3): m4 = 12^8^1 = 5,
        // m5 = 4^24^3 = 31.
        let m = |dim: usize, k: usize| direction_numbers(dim)[k - 1] >> (32 - k);
        assert_eq!(
            (1..=6).map(|k| m(1, k)).collect::<Vec<_>>(),
            [1, 3, 5, 15, 17, 51]
        );
        assert_eq!(
            (1..=5).map(|k| m(2, k)).collect::<Vec<_>>(),
            [1, 3, 3, 9, 29]
        );
        assert_eq!(
            (1..=5).map(|k| m(3, k)).collect::<Vec<_>>(),
            [1, 3, 1, 5, 31]
        );
        // Every direction number is a k-bit odd m_k: lowest set bit at
        // position 32-k, nothing below it.
        for dim in 0..SOBOL_MAX_DIMS {
            for (k, v) in direction_numbers(dim).iter().enumerate() {
                assert_eq!(
                    v.trailing_zeros() as usize,
                    31 - k,
                    "dim {dim}, v_{}",
                    k + 1
                );
            }
        }
    }

    #[test]
    fn sobol_dimensions_2_to_5_match_hand_derived_points() {
        // From the m_k above (v = 0.1b, 0.11b, 0.101b, 0.1111b for dim 2;
        // 0.1b, 0.11b, 0.011b, 0.1001b for dim 3), point i = XOR of v_k over
        // the set bits of gray(i) = i ^ (i >> 1). E.g. dim 2, i = 8:
        // gray = 12 → v3 ^ v4 = 0.1010b ^ 0.1111b = 0.0101b = 0.3125.
        let p = unit_sobol(16, 5, None).unwrap();
        assert_eq!(
            column(&p, 1),
            [
                0.0, 0.5, 0.25, 0.75, 0.375, 0.875, 0.125, 0.625, 0.3125, 0.8125, 0.0625, 0.5625,
                0.1875, 0.6875, 0.4375, 0.9375
            ]
        );
        assert_eq!(
            column(&p, 2),
            [
                0.0, 0.5, 0.25, 0.75, 0.625, 0.125, 0.875, 0.375, 0.9375, 0.4375, 0.6875, 0.1875,
                0.3125, 0.8125, 0.0625, 0.5625
            ]
        );
        // Dim 4: v = 0.1b, 0.11b, 0.001b. Dim 5 (s=3, a=2, m=1,1,1):
        // v = 0.1b, 0.01b, 0.001b.
        assert_eq!(
            column(&p, 3)[..8],
            [0.0, 0.5, 0.25, 0.75, 0.875, 0.375, 0.625, 0.125]
        );
        assert_eq!(
            column(&p, 4)[..8],
            [0.0, 0.5, 0.75, 0.25, 0.375, 0.875, 0.625, 0.125]
        );
    }

    #[test]
    fn sobol_incremental_gray_code_equals_direct_formula() {
        let p = unit_sobol(1024, SOBOL_MAX_DIMS, None).unwrap();
        for (i, point) in p.iter().enumerate() {
            for (dim, &x) in point.iter().enumerate() {
                let direct = f64::from(sobol_direct(i as u32, dim)) / 4_294_967_296.0;
                assert_eq!(x, direct, "point {i}, dim {dim}");
            }
        }
    }

    /// The Joe–Kuo table and recurrence, over all 64 dimensions, against
    /// SciPy 1.17's `qmc.Sobol(d=64, scramble=False)` (which ships the same
    /// `new-joe-kuo-6.21201` data): points 0..256 and, to exercise the deep
    /// direction numbers, indices around every power of two up to 2^29 and
    /// 40 scattered ones. Each dimension's 362 values (as 32-bit fractions)
    /// are folded with FNV-1a-64 on whole words; the digests below were
    /// computed from SciPy's output with the same fold.
    #[test]
    fn sobol_matches_scipy_unscrambled_sequence_in_all_64_dimensions() {
        let mut indices: Vec<u32> = (0..256).collect();
        for k in 8..30 {
            indices.extend([(1u32 << k) - 1, 1 << k, (1 << k) + 1]);
        }
        indices.extend((1..=40u64).map(|i| ((i * 2_654_435_761) % (1 << 30)) as u32));
        assert_eq!(indices.len(), 362);
        for (dim, &want) in SCIPY_DIGESTS.iter().enumerate() {
            let digest = indices.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &i| {
                (h ^ u64::from(sobol_direct(i, dim))).wrapping_mul(0x0100_0000_01b3)
            });
            assert_eq!(digest, want, "dimension {} differs from SciPy", dim + 1);
        }
        // Spot values from the same SciPy run, readable on failure.
        assert_eq!(sobol_direct(255, 0), 16_777_216);
        assert_eq!(sobol_direct(256, 0), 25_165_824);
        assert_eq!(sobol_direct(257, 0), 2_172_649_472);
        let last = ((40 * 2_654_435_761u64) % (1 << 30)) as u32;
        assert_eq!(
            [0, 1, 2, 3].map(|d| sobol_direct(last, d)),
            [1_044_479_780, 1_817_439_596, 2_733_301_244, 287_997_780]
        );
    }

    const SCIPY_DIGESTS: [u64; 64] = [
        0x40c192bc2d03d095,
        0xf944899c1e08c0a5,
        0x8f48bd7c85d2bd85,
        0x018baddef10443c5,
        0xc7df214db20f2295,
        0x75a5191f5c4bae75,
        0xa9319554577cf2c5,
        0xfc6fd65248fffc75,
        0x7eae5feca5121495,
        0xa1c94ef65dceae55,
        0xac48374746b29fd5,
        0x3a14fb3e388fb635,
        0x87726d40fdda30a5,
        0x817868f7961b5bc5,
        0xf4482fdb02afaa55,
        0xcbe2e8db99049a65,
        0xc56f74bfeeba01a5,
        0xb8176e0a6a8502d5,
        0x33547e23fcf3dee5,
        0x1ef11ea007ddfe65,
        0x7d85778fe2be3dc5,
        0xdd31f53af4eb9435,
        0x3a37860387ae6b85,
        0xb28925d018b31ea5,
        0xae99fa50d78c7865,
        0x0c0c394c7cfc9e95,
        0xcb6148a6c7ff2245,
        0xd73091c29aecf495,
        0x79f04e14574df005,
        0x1e57134e5c35cef5,
        0x0e0312041fc4c945,
        0xb7d66c3df29d5725,
        0x9829c44c984412a5,
        0xba599574755fe2f5,
        0xf3566d28bfb86295,
        0x30a65674a1a52e35,
        0xcf62d3a7e97d90e5,
        0x1e58e39612ef72a5,
        0xce5b7915ba9dcd75,
        0xb3273f500bbe99d5,
        0xafd503afddf699d5,
        0x1b724fa086741345,
        0xd78c23a2d6a56305,
        0xbbddb83bb945ecb5,
        0x79f6836f5311e745,
        0xccda5d318af76215,
        0xe31ff727bba934a5,
        0x77bbfbe9212f4655,
        0xe450b37fe0094f75,
        0x662bef5e948db2f5,
        0xdac9646d74e6b055,
        0x7fbd8265756e3995,
        0xdb0eac85742a3155,
        0xd41e6db61fbef3a5,
        0x1c979d7b03f42f75,
        0x3469f873dc1fdb55,
        0x073a43ea040b4e25,
        0xb4bfa9d96f841655,
        0xb513c58ffbe10b55,
        0x1fb559dc6a6f58d5,
        0xfa95e8ab82e70ad5,
        0xc246907d82be8255,
        0x491bc51f95fd8f15,
        0xe22c5e7821672185,
    ];

    // ---- Sobol': net properties, scrambled and not ----

    /// Every elementary interval [a/2^k, (a+1)/2^k) × [b/2^(m-k), (b+1)/2^(m-k))
    /// of volume 1/n holds exactly one of the n = 2^m points.
    fn assert_0_m_2_net(points: &[Vec<f64>], d1: usize, d2: usize, m: u32) {
        let n = 1usize << m;
        assert_eq!(points.len(), n);
        for k in 0..=m {
            let mut seen = vec![false; n];
            for p in points {
                let a = (p[d1] * f64::from(1u32 << k)).floor() as usize;
                let b = (p[d2] * f64::from(1u32 << (m - k))).floor() as usize;
                let cell = (a << (m - k)) | b;
                assert!(!seen[cell], "m={m}, k={k}: two points in cell ({a}, {b})");
                seen[cell] = true;
            }
        }
    }

    fn assert_stratified(column: &[f64]) {
        let n = column.len();
        let mut seen = vec![false; n];
        for &u in column {
            assert!((0.0..1.0).contains(&u), "{u} outside [0,1)");
            let k = stratum(u, n as u128) as usize;
            assert!(!seen[k], "n={n}: two points in stratum {k}");
            seen[k] = true;
        }
    }

    #[test]
    fn sobol_dimensions_1_and_2_form_a_0_m_2_net_scrambled_or_not() {
        for m in 0..=8 {
            assert_0_m_2_net(&unit_sobol(1 << m, 2, None).unwrap(), 0, 1, m);
            for seed in [0, 1, 42, u64::MAX] {
                assert_0_m_2_net(&unit_sobol(1 << m, 2, Some(seed)).unwrap(), 0, 1, m);
            }
        }
    }

    #[test]
    fn the_net_check_catches_a_bad_pair() {
        // Guards the guard: dimensions 1 and 5 coincide for 8 points
        // (see the hand-derived points), so they cannot form a (0,3,2)-net.
        let p = unit_sobol(8, 5, None).unwrap();
        let caught = std::panic::catch_unwind(|| assert_0_m_2_net(&p, 0, 4, 3));
        assert!(caught.is_err());
    }

    #[test]
    fn every_sobol_dimension_is_stratified_for_powers_of_two() {
        for m in 0..=10 {
            for seed in [None, Some(7), Some(1234)] {
                let p = unit_sobol(1 << m, SOBOL_MAX_DIMS, seed).unwrap();
                for dim in 0..SOBOL_MAX_DIMS {
                    assert_stratified(&column(&p, dim));
                }
            }
        }
    }

    #[test]
    fn scrambling_is_seeded_deterministic_and_moves_the_origin() {
        let plain = unit_sobol(64, 8, None).unwrap();
        let a = unit_sobol(64, 8, Some(1)).unwrap();
        let b = unit_sobol(64, 8, Some(1)).unwrap();
        let c = unit_sobol(64, 8, Some(2)).unwrap();
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert_ne!(a, plain);
        assert!(
            a[0].iter().all(|&x| x != 0.0),
            "first scrambled point still at the origin"
        );
        // Each dimension scrambled independently: no two columns identical.
        for d1 in 0..8 {
            for d2 in d1 + 1..8 {
                assert_ne!(column(&a, d1), column(&a, d2), "dims {d1} and {d2}");
            }
        }
        assert!(a.iter().flatten().all(|x| (0.0..1.0).contains(x)));
    }

    #[test]
    fn owen_scramble_is_a_nested_digit_permutation() {
        // Points sharing their first k binary digits still share them after
        // scrambling, and the first k digits are permuted bijectively: the
        // two facts that make the scramble preserve the net property.
        let mut rng = design_rng(9, 0);
        for seed in [0u32, 1, 0xdead_beef, u32::MAX] {
            for k in 1..=10u32 {
                let mut image = vec![None; 1 << k];
                for prefix in 0..(1u32 << k) {
                    for _ in 0..4 {
                        let low = (rng.next_u64() as u32) >> k;
                        let x = (prefix << (32 - k)) | low;
                        let y = owen_scramble(x, seed) >> (32 - k);
                        let slot = &mut image[prefix as usize];
                        assert!(slot.is_none_or(|s| s == y), "k={k}: prefix {prefix} split");
                        *slot = Some(y);
                    }
                }
                let mut hit: Vec<u32> = image.into_iter().map(Option::unwrap).collect();
                hit.sort_unstable();
                assert_eq!(
                    hit,
                    (0..(1u32 << k)).collect::<Vec<_>>(),
                    "k={k}: not a bijection"
                );
            }
        }
        // And it actually scrambles: over many seeds the top digit flips
        // about half the time.
        let flips =
            (0..1000u32).filter(|&s| owen_scramble(0, dimension_seed(u64::from(s), 0)) >> 31 == 1);
        let flips = flips.count();
        assert!(
            (400..=600).contains(&flips),
            "top digit flipped {flips}/1000 times"
        );
    }

    #[test]
    fn sobol_rejects_bad_sizes_with_the_fix() {
        let msg = |n, dims| unit_sobol(n, dims, None).unwrap_err().to_string();
        assert_eq!(
            msg(100, 2),
            "sobol needs a power of two points, got 100: use 64 or 128"
        );
        assert_eq!(
            msg(3, 2),
            "sobol needs a power of two points, got 3: use 2 or 4"
        );
        assert!(msg(16, 70).starts_with("too many dimensions for sobol: 70 > 64"));
        assert!(unit_sobol(16, 64, None).is_ok());
        assert_eq!(unit_sobol(0, 2, None).unwrap_err(), SobolError::NoPoints);
        assert_eq!(unit_sobol(1, 3, Some(5)).unwrap().len(), 1);
        let d = design(DesignKind::Sobol, 100, 0, vec![range("x", 0.0, 1.0)]);
        assert_eq!(
            err(&d).to_string(),
            "sobol needs a power of two points, got 100: use 64 or 128"
        );
        let many = (0..70).map(|i| range(&format!("p{i}"), 0.0, 1.0)).collect();
        let d = design(DesignKind::Sobol, 64, 0, many);
        assert_eq!(
            err(&d),
            DesignError::Sobol(SobolError::TooManyDimensions(70))
        );
    }

    #[cfg(target_pointer_width = "64")]
    #[test]
    fn sobol_rejects_more_points_than_32_bit_indices() {
        let n = (MAX_SOBOL_POINTS * 2) as usize;
        assert_eq!(
            unit_sobol(n, 1, None).unwrap_err(),
            SobolError::TooManyPoints(n)
        );
    }

    // ---- Latin hypercube ----

    #[test]
    fn lhs_puts_exactly_one_point_in_every_stratum_of_every_dimension() {
        for n in [1, 2, 3, 7, 10, 64, 100, 1000] {
            for dims in [1, 2, 5, 13] {
                let p = unit_lhs(n, dims, n as u64 * 31 + dims as u64);
                assert_eq!(p.len(), n);
                assert!(p.iter().all(|x| x.len() == dims));
                for dim in 0..dims {
                    assert_stratified(&column(&p, dim));
                }
            }
        }
    }

    #[test]
    fn lhs_dimensions_are_independently_permuted_and_jittered() {
        let p = unit_lhs(50, 4, 3);
        let strata = |dim: usize| -> Vec<usize> {
            p.iter().map(|x| (x[dim] * 50.0).floor() as usize).collect()
        };
        for d1 in 0..4 {
            for d2 in d1 + 1..4 {
                assert_ne!(strata(d1), strata(d2));
            }
            // Not the identity either (probability 1/50!).
            assert_ne!(strata(d1), (0..50).collect::<Vec<_>>());
        }
        // The jitter is not constant: positions within strata vary.
        let within: Vec<f64> = p
            .iter()
            .map(|x| x[0] * 50.0 - (x[0] * 50.0).floor())
            .collect();
        assert!(within.iter().any(|&w| w < 0.25) && within.iter().any(|&w| w > 0.75));
    }

    #[test]
    fn permutations_are_bijections() {
        for n in [1u64, 2, 3, 5, 8, 100, 1000, 4097] {
            for key in [[1, 2, 3, 4], [u64::MAX, 7, 99, 12345]] {
                let mut seen = vec![false; n as usize];
                for i in 0..n {
                    let j = permute(i, n, key) as usize;
                    assert!(!seen[j], "n={n}: {j} twice");
                    seen[j] = true;
                }
            }
        }
    }

    #[test]
    fn lazy_points_equal_the_sequential_generators() {
        let params = vec![
            range("a", 0.0, 1.0),
            range("b", 1.0, 2.0),
            range("c", 0.0, 9.0),
        ];
        let sobol = Points::new(&design(DesignKind::Sobol, 64, 9, params.clone())).unwrap();
        let seq = unit_sobol(64, 3, Some(9)).unwrap();
        let random = Points::new(&design(DesignKind::Random, 64, 9, params.clone())).unwrap();
        let seq_random = unit_random(64, 3, &mut design_rng(9, RANDOM_STREAM));
        for i in 0..64 {
            assert_eq!(sobol.unit(i), seq[i], "sobol point {i}");
            assert_eq!(random.unit(i), seq_random[i], "random point {i}");
        }
        // A grid point by index equals the odometer enumeration.
        let g = Points::new(&design(
            DesignKind::Grid,
            0,
            0,
            vec![ints("a", 0, 3), ints("b", 1, 5)],
        ))
        .unwrap();
        assert_eq!(g.len(), 20);
        assert_eq!(g.get(7).values, vec![Value::Integer(1), Value::Integer(3)]);
    }

    #[test]
    fn lhs_is_deterministic_per_seed() {
        let a = unit_lhs(20, 3, 5);
        assert_eq!(a, unit_lhs(20, 3, 5));
        assert_ne!(a, unit_lhs(20, 3, 6));
    }

    #[test]
    fn a_point_stays_in_its_stratum_despite_rounding() {
        // 1 + (1 - 2^-53) rounds to 2: without the nudge this is u = 1.
        let u = in_stratum(1, BELOW_ONE, 2);
        assert!(u < 1.0);
        assert_eq!(stratum(u, 2), 1);
        for n in 1..300usize {
            for k in 0..n {
                for jitter in [0.0, 1e-17, 0.5, BELOW_ONE] {
                    let u = in_stratum(k, jitter, n);
                    assert!((0.0..1.0).contains(&u));
                    assert_eq!(
                        stratum(u, n as u128),
                        k as u128,
                        "n={n}, k={k}, jitter={jitter}"
                    );
                }
            }
        }
    }

    #[test]
    fn lhs_over_a_list_as_long_as_the_design_uses_each_value_once() {
        let names: Vec<Value> = (0..12).map(|i| Value::String(format!("v{i}"))).collect();
        let d = design(
            DesignKind::Lhs,
            12,
            77,
            vec![values("policy", names.clone())],
        );
        let mut got: Vec<String> = generate(&d)
            .unwrap()
            .into_iter()
            .map(|p| p.values[0].as_str().unwrap().to_owned())
            .collect();
        got.sort();
        let mut want: Vec<String> = names
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect();
        want.sort();
        assert_eq!(got, want);
    }

    // ---- random draws ----

    #[test]
    fn random_design_draws_point_by_point_from_the_fixed_stream() {
        let d = design(
            DesignKind::Random,
            5,
            11,
            vec![range("a", 0.0, 1.0), range("b", 0.0, 1.0)],
        );
        let pts = generate(&d).unwrap();
        // Rebuilt by hand: seed_from_u64(seed), then the fixed stream, then
        // 53-bit uniforms in point-major order.
        let mut rng = <ChaCha8Rng as rand::SeedableRng>::seed_from_u64(11);
        rng.set_stream(0x0005_EEDD_3516);
        for p in &pts {
            for v in &p.values {
                let want = (rng.next_u64() >> 11) as f64 / 9_007_199_254_740_992.0;
                assert_eq!(v.as_float().unwrap().to_bits(), want.to_bits());
            }
        }
        let other = generate(&design(DesignKind::Random, 5, 12, d.parameters.clone())).unwrap();
        assert_ne!(pts, other);
    }

    #[test]
    fn random_points_are_uniform_in_the_unit_cube() {
        let u = unit_random(10_000, 3, &mut design_rng(4, RANDOM_STREAM));
        assert!(u.iter().flatten().all(|x| (0.0..1.0).contains(x)));
        for dim in 0..3 {
            let mean = column(&u, dim).iter().sum::<f64>() / 10_000.0;
            // sd of the mean ≈ 0.0029.
            assert!((mean - 0.5).abs() < 0.015, "dim {dim} mean {mean}");
            let low = column(&u, dim).iter().filter(|&&x| x < 0.1).count();
            assert!((850..=1150).contains(&low), "dim {dim}: {low} below 0.1");
        }
    }

    #[test]
    fn sampled_designs_are_reproducible_bit_for_bit() {
        let params = || {
            vec![
                range("market.growth", -0.05, 0.1),
                Parameter {
                    path: "buyers.budget".into(),
                    domain: Domain::Range {
                        min: 1e6,
                        max: 1e9,
                        log: true,
                    },
                },
                ints("suppliers.count", 2, 40),
                values(
                    "policy",
                    vec![Value::String("open".into()), Value::String("closed".into())],
                ),
            ]
        };
        for kind in [DesignKind::Random, DesignKind::Lhs, DesignKind::Sobol] {
            let a = design(kind, 32, 2024, params());
            let b = design(kind, 32, 2024, params());
            let (pa, pb) = (generate(&a).unwrap(), generate(&b).unwrap());
            assert_eq!(pa.len(), 32);
            assert_eq!(fingerprint(&a, &pa), fingerprint(&b, &pb), "{kind:?}");
            let c = design(kind, 32, 2025, params());
            assert_ne!(
                fingerprint(&a, &pa),
                fingerprint(&c, &generate(&c).unwrap()),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn morris_levels_take_their_strata_exactly() {
        let d = |n: i64| Domain::IntRange { min: 0, max: n - 1 };
        // 18 values, 4 levels: k · 18 / 3 = 0, 6, 12 and the top, 17.
        for (k, want) in [(0.0, 0), (1.0, 6), (2.0, 12), (3.0, 17)] {
            assert_eq!(
                level_stratum(&d(18), k / 3.0, 4),
                Some((want, 18)),
                "level {k}"
            );
        }
        // 2/3 as a float is below 2/3: its exact floor is a stratum short.
        assert_eq!(stratum_of(&d(18), 2.0 / 3.0), Some((11, 18)));
        // 5 values, 6 levels (Δ = 0.6): k · 5 / 5 = k, the top the last.
        for k in 0..=5 {
            let u = f64::from(k) / 5.0;
            assert_eq!(
                level_stratum(&d(5), u, 6),
                Some((u128::from(k.min(4) as u8), 5)),
                "level {k}"
            );
        }
        assert_eq!(level_stratum(&d(5), 0.6, 6), Some((3, 5)));
        assert_eq!(stratum_of(&d(5), 0.6), Some((2, 5)));
        // A range has no strata.
        let r = Domain::Range {
            min: 0.0,
            max: 1.0,
            log: false,
        };
        assert_eq!(level_stratum(&r, 0.5, 4), None);
        assert_eq!(level_value(&r, 2.0 / 3.0, 4), map_value(&r, 2.0 / 3.0));
        // A Morris design over three listed values at 4 levels steps by
        // Δ = 2/3 from 0 to the last value or from 1/3 to the top: the
        // first value to the last, the middle one to the last. It stepped
        // only 0→1 and 1→2.
        let list = vec![Value::from("a"), Value::from("b"), Value::from("c")];
        let m = design(
            DesignKind::Morris,
            20,
            7,
            vec![values("w", list), range("x", 0.0, 1.0)],
        );
        let p = Points::new(&m).unwrap();
        // The listed value at each (trajectory, step).
        let mut at = std::collections::BTreeMap::new();
        for i in 0..p.len() {
            for r in p.roles(i) {
                let PointRole::Morris(r) = r else {
                    unreachable!()
                };
                at.insert((r.trajectory, r.step), p.get(i).values[0].to_string());
            }
        }
        let mut moves = std::collections::BTreeSet::new();
        for (&(t, step), now) in &at {
            if let Some(before) = step.checked_sub(1).map(|s| &at[&(t, s)])
                && before != now
            {
                let mut pair = [before.clone(), now.clone()];
                pair.sort();
                moves.insert(pair);
            }
        }
        let pairs: Vec<[String; 2]> = moves.into_iter().collect();
        assert_eq!(
            pairs,
            [
                ["\"a\"".to_string(), "\"c\"".to_string()],
                ["\"b\"".to_string(), "\"c\"".to_string()]
            ]
        );
    }

    /// Regression guard: a design is recorded by its seed, so these exact
    /// numbers must not change (a change here means old sweeps no longer
    /// reproduce). Values as produced by this implementation.
    #[test]
    fn sampled_designs_are_stable_across_releases() {
        let first = |kind| {
            let d = design(
                kind,
                4,
                99,
                vec![range("x", 0.0, 1.0), range("y", 0.0, 1.0)],
            );
            let p = &generate(&d).unwrap()[0];
            (
                p.values[0].as_float().unwrap(),
                p.values[1].as_float().unwrap(),
                p.id,
            )
        };
        assert_eq!(first(DesignKind::Random), GOLDEN_RANDOM);
        assert_eq!(first(DesignKind::Lhs), GOLDEN_LHS);
        assert_eq!(first(DesignKind::Sobol), GOLDEN_SOBOL);
    }

    const GOLDEN_RANDOM: (f64, f64, u64) =
        (0.02208336466005567, 0.185662254910966, 364450102408078424);
    const GOLDEN_LHS: (f64, f64, u64) = (
        0.5752409214369415,
        0.9060685541729854,
        4_738_576_070_219_067_230,
    );
    const GOLDEN_SOBOL: (f64, f64, u64) = (
        0.08347234688699245,
        0.7858605643268675,
        10764291933071243212,
    );

    // ---- mapping unit coordinates to values ----

    #[test]
    fn values_are_picked_by_floor_of_u_times_len() {
        let dom = Domain::Values(vec![
            Value::Integer(10),
            Value::Integer(20),
            Value::Integer(30),
        ]);
        let at = |u| map_value(&dom, u).as_integer().unwrap();
        assert_eq!(at(0.0), 10);
        assert_eq!(at(0.333), 10);
        // The f64 nearest 1/3 lies below 1/3, so its exact floor(u * 3) is 0
        // although u * 3 rounds to 1.0 in floating point; one ulp up is 1/3
        // or above.
        let third = 1.0f64 / 3.0;
        assert_eq!((third * 3.0).floor(), 1.0);
        assert_eq!(at(third), 10);
        assert_eq!(at(third.next_up()), 20);
        assert_eq!(at(0.5), 20);
        assert_eq!(at(2.0 / 3.0), 20);
        assert_eq!(at((2.0f64 / 3.0).next_up()), 30);
        assert_eq!(at(BELOW_ONE), 30);
        // Out-of-range and NaN coordinates are clamped, never out of bounds.
        assert_eq!(at(1.0), 30);
        assert_eq!(at(7.0), 30);
        assert_eq!(at(-1.0), 10);
        assert_eq!(at(f64::NAN), 10);
        // Listed values keep their own TOML type.
        let s = Domain::Values(vec![Value::String("a".into()), Value::Boolean(true)]);
        assert_eq!(map_value(&s, 0.1), Value::String("a".into()));
        assert_eq!(map_value(&s, 0.9), Value::Boolean(true));
    }

    #[test]
    fn ranges_map_linearly_or_in_log_space_to_floats() {
        let lin = Domain::Range {
            min: 2.0,
            max: 6.0,
            log: false,
        };
        assert_eq!(map_value(&lin, 0.0), Value::Float(2.0));
        assert_eq!(map_value(&lin, 0.25), Value::Float(3.0));
        assert_eq!(map_value(&lin, 0.5), Value::Float(4.0));
        let top = map_value(&lin, BELOW_ONE).as_float().unwrap();
        // 2 + (1 - 2^-53) * 4 rounds to 6: the range is closed.
        assert!(top <= 6.0 && top > 5.999_999);
        // A Morris design's top level, u = 1, is the bound itself, where
        // 0.1 + (1 - 2^-53) * 1.9 gave 1.9999999999999996.
        let morris = Domain::Range {
            min: 0.1,
            max: 2.0,
            log: false,
        };
        assert_eq!(map_value(&morris, 1.0), Value::Float(2.0));
        let Value::Float(below) = map_value(&morris, BELOW_ONE) else {
            unreachable!()
        };
        assert!(below < 2.0, "{below}");
        let log = Domain::Range {
            min: 1.0,
            max: 100.0,
            log: true,
        };
        assert_eq!(map_value(&log, 0.0), Value::Float(1.0));
        let mid = map_value(&log, 0.5).as_float().unwrap();
        assert!((mid - 10.0).abs() < 1e-12, "{mid}");
        let quarter = map_value(&log, 0.25).as_float().unwrap();
        assert!((quarter - 10f64.sqrt()).abs() < 1e-12, "{quarter}");
        // Results never leave [min, max], even when rounding pushes.
        for i in 0..1000 {
            let u = f64::from(i) / 1000.0;
            for dom in [&lin, &log] {
                let x = map_value(dom, u).as_float().unwrap();
                let Domain::Range { min, max, .. } = dom else {
                    unreachable!()
                };
                assert!((*min..=*max).contains(&x));
            }
        }
        let point = Domain::Range {
            min: 3.5,
            max: 3.5,
            log: true,
        };
        assert_eq!(map_value(&point, 0.7), Value::Float(3.5));
        let huge = Domain::Range {
            min: -1e308,
            max: 1e308,
            log: false,
        };
        assert_eq!(map_value(&huge, 0.5), Value::Float(0.0));
    }

    #[test]
    fn integer_ranges_are_inclusive_and_equally_likely() {
        let dom = Domain::IntRange { min: 1, max: 3 };
        let at = |u| map_value(&dom, u).as_integer().unwrap();
        assert_eq!(
            [
                at(0.0),
                at(0.3),
                at((1.0f64 / 3.0).next_up()),
                at(0.6),
                at((2.0f64 / 3.0).next_up()),
                at(BELOW_ONE)
            ],
            [1, 1, 2, 2, 3, 3]
        );
        let one = Domain::IntRange { min: -4, max: -4 };
        assert_eq!(map_value(&one, 0.9), Value::Integer(-4));
        // The whole i64 range neither overflows nor leaves its bounds.
        let all = Domain::IntRange {
            min: i64::MIN,
            max: i64::MAX,
        };
        assert_eq!(map_value(&all, 0.0), Value::Integer(i64::MIN));
        // (1 - 2^-53) * 2^64 = 2^64 - 2^11: below 2^53 resolution, not rounding.
        assert_eq!(map_value(&all, BELOW_ONE), Value::Integer(i64::MAX - 2047));
        assert_eq!(map_value(&all, 0.5), Value::Integer(0));
        // Exact, not rounded: u moves off min only once u * 2^64 reaches 1.
        assert_eq!(
            map_value(&all, 2f64.powi(-64)),
            Value::Integer(i64::MIN + 1)
        );
        assert_eq!(map_value(&all, 2f64.powi(-65)), Value::Integer(i64::MIN));
    }

    #[test]
    fn sobol_values_are_balanced_over_a_power_of_two_list() {
        let dom = vec![
            Value::Integer(0),
            Value::Integer(1),
            Value::Integer(2),
            Value::Integer(3),
        ];
        let d = design(
            DesignKind::Sobol,
            64,
            8,
            vec![values("level", dom), range("x", 0.0, 1.0)],
        );
        let mut counts = [0; 4];
        for p in generate(&d).unwrap() {
            counts[p.values[0].as_integer().unwrap() as usize] += 1;
            assert!(matches!(p.values[1], Value::Float(_)));
        }
        assert_eq!(counts, [16; 4]);
    }

    // ---- grid ----

    #[test]
    fn grid_is_the_product_with_the_first_parameter_slowest() {
        let d = design(
            DesignKind::Grid,
            0, // ignored
            0,
            vec![
                values(
                    "a",
                    vec![Value::String("x".into()), Value::String("y".into())],
                ),
                ints("b", 1, 3),
            ],
        );
        let pts = generate(&d).unwrap();
        let got: Vec<(String, i64)> = pts
            .iter()
            .map(|p| {
                (
                    p.values[0].as_str().unwrap().to_owned(),
                    p.values[1].as_integer().unwrap(),
                )
            })
            .collect();
        let want: Vec<(String, i64)> = ["x", "y"]
            .iter()
            .flat_map(|a| (1..=3).map(move |b| (a.to_string(), b)))
            .collect();
        assert_eq!(got, want);
        for p in &pts {
            assert_eq!(p.id, point_id(&d.parameters, &p.values));
        }
    }

    #[test]
    fn grid_rejects_continuous_ranges_and_duplicates() {
        let d = design(
            DesignKind::Grid,
            0,
            0,
            vec![ints("n", 1, 2), range("x", 0.0, 1.0)],
        );
        assert!(
            err(&d)
                .to_string()
                .starts_with("grid parameter `x` needs `values` or an integer range")
        );
        let dup = vec![Value::Float(0.5), Value::Float(1.0), Value::Float(0.5)];
        let d = design(DesignKind::Grid, 0, 0, vec![values("market.rate", dup)]);
        assert!(
            err(&d)
                .to_string()
                .starts_with("duplicate value in `market.rate`: 0.5")
        );
        // The integer 1 and the float 1.0 are different TOML values.
        let mixed = vec![Value::Integer(1), Value::Float(1.0)];
        assert_eq!(
            generate(&design(DesignKind::Grid, 0, 0, vec![values("m", mixed)]))
                .unwrap()
                .len(),
            2
        );
    }

    #[test]
    fn grid_refuses_to_expand_an_enormous_product() {
        let d = design(
            DesignKind::Grid,
            0,
            0,
            vec![ints("a", 0, 99_999), ints("b", 0, 1_000)],
        );
        assert_eq!(
            err(&d),
            DesignError::GridTooLarge {
                points: 100_000 * 1_001,
                limit: MAX_GRID_POINTS
            }
        );
        let d = design(DesignKind::Grid, 0, 0, vec![ints("a", i64::MIN, i64::MAX)]);
        assert!(matches!(err(&d), DesignError::GridTooLarge { .. }));
    }

    #[test]
    fn growing_a_grid_keeps_the_ids_of_its_old_points() {
        let small = design(
            DesignKind::Grid,
            0,
            0,
            vec![
                values("a", vec![Value::Float(0.1), Value::Float(0.2)]),
                ints("b", 1, 2),
            ],
        );
        let big = design(
            DesignKind::Grid,
            0,
            0,
            vec![
                values(
                    "a",
                    vec![Value::Float(0.05), Value::Float(0.1), Value::Float(0.2)],
                ),
                ints("b", 1, 3),
            ],
        );
        let old = generate(&small).unwrap();
        let new = generate(&big).unwrap();
        assert_eq!(new.len(), 9);
        for p in &old {
            let same = new
                .iter()
                .find(|q| q.values == p.values)
                .expect("old point kept");
            assert_eq!(same.id, p.id);
        }
        // …while the new points got new ids.
        let ids: std::collections::HashSet<u64> = new.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 9);
    }

    // ---- point ids ----

    #[test]
    fn canonical_assignment_is_exact_and_sorted_by_path() {
        let params = vec![
            values("z.list", vec![]),
            values("b", vec![]),
            values("a.s", vec![]),
            values("m", vec![]),
            values("t", vec![]),
        ];
        let mut table = toml::Table::new();
        table.insert("y".into(), Value::Integer(2));
        table.insert("x".into(), Value::Boolean(false));
        let vals = vec![
            Value::Array(vec![Value::Integer(1), Value::Float(-0.0)]),
            Value::Float(1.0),
            Value::String("q\"\\\nz".into()),
            Value::Integer(-7),
            Value::Table(table),
        ];
        assert_eq!(
            canonical_assignment(&params, &vals),
            "a.s=\"q\\\"\\\\\\u{a}z\"\nb=f:3ff0000000000000\nm=-7\nt={\"x\"=false,\"y\"=2}\nz.list=[1,f:8000000000000000]"
        );
    }

    #[test]
    fn point_id_is_xxh64_of_the_canonical_assignment() {
        let params = vec![ints("b", 0, 9), range("a", 0.0, 2.0)];
        let vals = vec![Value::Integer(1), Value::Float(1.0)];
        assert_eq!(
            point_id(&params, &vals),
            xxhash_rust::xxh64::xxh64(b"a=f:3ff0000000000000\nb=1", 0)
        );
    }

    #[test]
    fn point_id_depends_on_the_assignment_only() {
        let ab = vec![range("a", 0.0, 1.0), ints("b", 0, 5)];
        let ba = vec![ints("b", 0, 5), range("a", 0.0, 1.0)];
        let id = point_id(&ab, &[Value::Float(0.25), Value::Integer(3)]);
        // Same assignment, parameters in another order or other domains.
        assert_eq!(id, point_id(&ba, &[Value::Integer(3), Value::Float(0.25)]));
        assert_eq!(
            id,
            point_id(
                &[ints("a", 0, 1), ints("b", 0, 1)],
                &[Value::Float(0.25), Value::Integer(3)]
            )
        );
        // Any change of value, type or path changes it.
        assert_ne!(id, point_id(&ab, &[Value::Float(0.25), Value::Integer(4)]));
        assert_ne!(id, point_id(&ab, &[Value::Float(0.25), Value::Float(3.0)]));
        assert_ne!(
            id,
            point_id(
                &ab,
                &[Value::Float(0.250_000_000_000_000_1), Value::Integer(3)]
            )
        );
        assert_ne!(
            id,
            point_id(
                &[range("a", 0.0, 1.0), ints("c", 0, 5)],
                &[Value::Float(0.25), Value::Integer(3)]
            )
        );
        // A string that looks like a number is not that number.
        assert_ne!(
            point_id(&[values("a", vec![])], &[Value::Integer(3)]),
            point_id(&[values("a", vec![])], &[Value::String("3".into())])
        );
    }

    #[test]
    #[should_panic(expected = "one value per parameter")]
    fn point_id_needs_one_value_per_parameter() {
        point_id(&[ints("a", 0, 1)], &[]);
    }

    #[test]
    fn sampled_points_with_identical_values_are_rejected() {
        // Two integers, three points: some combination must repeat.
        let d = design(DesignKind::Lhs, 3, 1, vec![ints("n", 0, 1)]);
        let e = err(&d);
        assert!(matches!(e, DesignError::DuplicatePoint { .. }), "{e}");
        assert!(e.to_string().contains("have identical values (n="), "{e}");
        // With a continuous parameter the same design is fine.
        let d = design(
            DesignKind::Lhs,
            3,
            1,
            vec![ints("n", 0, 1), range("x", 0.0, 1.0)],
        );
        let pts = generate(&d).unwrap();
        let ids: std::collections::HashSet<u64> = pts.iter().map(|p| p.id).collect();
        assert_eq!(ids.len(), 3);
    }

    /// The duplicate's values were shown in the point-id encoding
    /// (`f:3ff0000000000000` for 1.0): they are shown as TOML writes them.
    #[test]
    fn a_duplicate_point_shows_its_values_as_toml_writes_them() {
        for kind in [DesignKind::Random, DesignKind::Sobol] {
            let d = design(
                kind,
                4,
                1,
                vec![
                    values("w", vec![Value::Float(1.0), Value::Float(2.0)]),
                    values("n", vec![Value::Integer(1)]),
                    values("s", vec![Value::String("a b".into())]),
                ],
            );
            let e = err(&d).to_string();
            assert!(!e.contains("f:"), "{kind:?}: {e}");
            assert!(
                e.contains("have identical values (n=1, s=\"a b\", w=1.0)")
                    || e.contains("have identical values (n=1, s=\"a b\", w=2.0)"),
                "{kind:?}: {e}"
            );
        }
    }

    // ---- validation ----

    #[test]
    fn invalid_parameters_are_rejected_with_the_fix() {
        let one = |p: Parameter| err(&design(DesignKind::Random, 4, 0, vec![p]));
        assert_eq!(
            err(&design(DesignKind::Lhs, 4, 0, vec![])),
            DesignError::NoParameters
        );
        assert_eq!(
            err(&design(
                DesignKind::Random,
                0,
                0,
                vec![range("x", 0.0, 1.0)]
            )),
            DesignError::NoPoints
        );
        assert_eq!(
            one(range("x", 3.0, 1.0)).to_string(),
            "parameter `x`: min > max (3 > 1): swap them"
        );
        assert_eq!(
            one(ints("k", 5, -5)).to_string(),
            "parameter `k`: min > max (5 > -5): swap them"
        );
        let log = |min| Parameter {
            path: "g".into(),
            domain: Domain::Range {
                min,
                max: 10.0,
                log: true,
            },
        };
        for min in [0.0, -1.0] {
            assert!(
                one(log(min))
                    .to_string()
                    .starts_with("parameter `g`: log range needs min > 0")
            );
        }
        assert!(matches!(
            one(range("x", f64::NAN, 1.0)),
            DesignError::NonFiniteBound { .. }
        ));
        assert!(matches!(
            one(range("x", 0.0, f64::INFINITY)),
            DesignError::NonFiniteBound { .. }
        ));
        assert_eq!(
            one(values("v", vec![])),
            DesignError::EmptyValues("v".into())
        );
        for bad in ["", "a=b", "a\nb"] {
            assert_eq!(one(range(bad, 0.0, 1.0)), DesignError::BadPath(bad.into()));
        }
        let twice = design(
            DesignKind::Sobol,
            4,
            0,
            vec![range("x", 0.0, 1.0), ints("x", 0, 1)],
        );
        assert_eq!(err(&twice), DesignError::DuplicatePath("x".into()));
        // Duplicate listed values are refused for sampled designs too: they
        // would silently double a value's weight.
        let dup = values("p", vec![Value::Integer(1), Value::Integer(1)]);
        assert!(matches!(one(dup), DesignError::DuplicateValue { .. }));
    }

    #[test]
    fn valid_degenerate_designs_work() {
        // A single-value list, a one-point sobol, a one-point grid.
        let d = design(
            DesignKind::Sobol,
            1,
            3,
            vec![values("only", vec![Value::Integer(5)])],
        );
        assert_eq!(generate(&d).unwrap()[0].values, [Value::Integer(5)]);
        let d = design(DesignKind::Grid, 123, 0, vec![ints("k", 7, 7)]);
        assert_eq!(generate(&d).unwrap().len(), 1);
    }
}

#[cfg(test)]
mod sensitivity_designs {
    use super::*;

    fn unit_ranges(dims: usize) -> Vec<Parameter> {
        (0..dims)
            .map(|i| Parameter {
                path: format!("p{i}"),
                domain: Domain::Range {
                    min: 0.0,
                    max: 1.0,
                    log: false,
                },
            })
            .collect()
    }

    fn design(kind: DesignKind, points: usize, scramble: bool) -> Design {
        Design {
            kind,
            points,
            seed: 3,
            parameters: unit_ranges(3),
            second_order: true,
            scramble,
            levels: 4,
        }
    }

    #[test]
    fn coinciding_saltelli_roles_share_one_point() {
        // Unscrambled, base row 0 is the origin in A and B: all 2D+2 roles
        // of the block fall on one point.
        let p = Points::new(&design(DesignKind::Saltelli, 4, false)).unwrap();
        assert_eq!(p.roles(0).len(), 8);
        assert!(p.get(0).values.iter().all(|v| v.as_float() == Some(0.0)));
        let roles: usize = (0..p.len()).map(|i| p.roles(i).len()).sum();
        assert_eq!(roles, 4 * 8);
        // Point 1 of the sequence is 0.5 in every dimension: that block
        // collapses too, and coarse rows 2-3 partly.
        assert_eq!(p.roles(1).len(), 8);
        assert!(p.len() < 32 - 14);
        // Scrambled, every role has its own point.
        let p = Points::new(&design(DesignKind::Saltelli, 4, true)).unwrap();
        assert_eq!(p.len(), 32);
        assert!((0..p.len()).all(|i| p.roles(i).len() == 1));
    }

    #[test]
    fn morris_points_cover_every_step_and_repeat_for_a_seed() {
        let d = design(DesignKind::Morris, 10, true);
        let a = generate(&d).unwrap();
        assert_eq!(a, generate(&d).unwrap());
        let p = Points::new(&d).unwrap();
        let mut steps: Vec<(usize, usize)> = (0..p.len())
            .flat_map(|i| p.roles(i).to_vec())
            .map(|r| match r {
                PointRole::Morris(m) => (m.trajectory, m.step),
                PointRole::Saltelli(_) => unreachable!(),
            })
            .collect();
        steps.sort_unstable();
        let want: Vec<(usize, usize)> = (0..10).flat_map(|t| (0..4).map(move |s| (t, s))).collect();
        assert_eq!(steps, want);
        // Another seed, other trajectories.
        let other = Design { seed: 4, ..d };
        assert_ne!(a, generate(&other).unwrap());
    }
}

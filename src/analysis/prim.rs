//! Scenario discovery with PRIM, the Patient Rule Induction Method
//! (Friedman & Fisher 1999), as implemented by the EMA Workbench 3.0
//! (`ema_workbench/analysis/prim.py` and `prim_util.py`, Kwakkel 2017,
//! BSD-3-Clause).
//!
//! The search follows EMA step for step, so that on the same data it gives
//! the same peeling and pasting trajectory:
//!
//! - **Peeling.** Each step proposes, per column, the candidate boxes EMA
//!   proposes: float columns cut at [`quantile_between`] of the box's values
//!   (upper bound at `1 − peel_alpha`, then lower bound at `peel_alpha`);
//!   integer columns likewise, truncated to an integer, moving past the
//!   current bound when the cut would not move it; categorical columns drop
//!   one category at a time. Candidates are scored with EMA's LENIENT1
//!   objective (gain in mean divided by the number of rows removed); the
//!   highest score wins, then the candidate with fewer restricted
//!   dimensions, then the first proposed (float columns, then integer, then
//!   categorical, each in input order; upper before lower). A step is taken
//!   only if the new box keeps at least `mass_min` of all rows, is smaller,
//!   and scores above zero.
//! - **Pasting.** Restricted numeric bounds are widened towards the
//!   initial box by the `paste_alpha` quantile of the rows just outside
//!   them (lower bound first); restricted categorical columns may take back
//!   one category. A paste is taken if the box stays above `mass_min`,
//!   grows, scores above zero and raises the mean. As in EMA, pasting stops
//!   at once when no float column is restricted.
//! - **Statistics.** For y in `[0, 1]` (a 0/1 outcome or the share of
//!   replications meeting a condition): `k` = Σy in the box,
//!   `density` = k / n (EMA's mean), `coverage` = k / max(Σy over all rows,
//!   1), `mass` = n / all rows. Sums are taken in row order by numpy's
//!   pairwise summation, so the figures and every tie between candidates
//!   come out bit for bit as in EMA.
//! - **Quasi-p values** (Bryant & Lempert 2010): for each restricted bound,
//!   the one-sided binomial test of the box's `floor(k)` cases of interest
//!   among its `n` rows against the density of the box without that bound
//!   (scipy's `binomtest(..., alternative="greater")`, as EMA calls it);
//!   with the runs behind shares ([`PrimData::with_runs`], a sweep), the
//!   box's runs meeting the condition among its runs instead.
//! - **Several boxes.** After a box is chosen from the trajectory
//!   ([`BoxSelection`]), its rows are removed and the search starts again
//!   from the initial box on the rows left, as EMA's `find_box` does.
//!
//! Where EMA's behaviour is not fixed (it iterates Python sets of category
//! labels, whose order varies between interpreter runs), categories are
//! visited in sorted label order.

use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::sync::atomic::{AtomicBool, Ordering};
use thiserror::Error;

/// The kind of an input column, which decides how PRIM peels and pastes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ColumnKind {
    /// Real values: cut at quantiles between distinct values.
    Float,
    /// Integer values: cut at truncated quantiles, bounds on data values.
    Integer,
    /// Labels: peeled and pasted one category at a time.
    Categorical,
}

/// The values of one input column, one per row.
#[derive(Debug, Clone, PartialEq)]
pub enum ColumnValues {
    /// Real values (finite).
    Float(Vec<f64>),
    /// Integer values (|v| ≤ 2^53, so that comparisons with bounds are exact).
    Integer(Vec<i64>),
    /// Category labels.
    Categorical(Vec<String>),
}

/// A named input column.
#[derive(Debug, Clone, PartialEq)]
pub struct Column {
    /// The column's name (a scenario parameter, for a sweep).
    pub name: String,
    /// Its values, one per row.
    pub values: ColumnValues,
}

impl Column {
    /// A float column.
    pub fn float(name: &str, values: Vec<f64>) -> Self {
        Column {
            name: name.to_string(),
            values: ColumnValues::Float(values),
        }
    }

    /// An integer column.
    pub fn integer(name: &str, values: Vec<i64>) -> Self {
        Column {
            name: name.to_string(),
            values: ColumnValues::Integer(values),
        }
    }

    /// A categorical column.
    pub fn categorical(name: &str, values: Vec<String>) -> Self {
        Column {
            name: name.to_string(),
            values: ColumnValues::Categorical(values),
        }
    }

    fn len(&self) -> usize {
        match &self.values {
            ColumnValues::Float(v) => v.len(),
            ColumnValues::Integer(v) => v.len(),
            ColumnValues::Categorical(v) => v.len(),
        }
    }
}

/// Invalid input or settings for PRIM.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum PrimError {
    /// There is no input column.
    #[error("no input columns: PRIM needs at least one")]
    NoColumns,
    /// There is no row.
    #[error("no rows: PRIM needs at least one")]
    NoRows,
    /// Two columns share a name.
    #[error("column '{0}' appears twice")]
    DuplicateColumn(String),
    /// A column's length differs from the outcome's.
    #[error("column '{name}' has {len} rows but the outcome has {expected}")]
    LengthMismatch {
        /// The column.
        name: String,
        /// Its number of rows.
        len: usize,
        /// The outcome's number of rows.
        expected: usize,
    },
    /// A float value is NaN or infinite.
    #[error("column '{name}', row {row}: {value} is not a finite number")]
    NonFinite {
        /// The column.
        name: String,
        /// The row (0-based).
        row: usize,
        /// The value.
        value: f64,
    },
    /// An integer is too large for exact comparison with f64 bounds.
    #[error("column '{name}', row {row}: {value} lies beyond ±2^53, where bounds stop being exact")]
    IntegerTooLarge {
        /// The column.
        name: String,
        /// The row (0-based).
        row: usize,
        /// The value.
        value: i64,
    },
    /// An outcome is not a share in [0, 1].
    #[error("outcome, row {row}: {value} is not a share in [0, 1]")]
    BadOutcome {
        /// The row (0-based).
        row: usize,
        /// The value.
        value: f64,
    },
    /// A setting is out of range.
    #[error("{name} = {value} is out of range: it must lie in {range}")]
    BadSetting {
        /// The setting.
        name: &'static str,
        /// Its value.
        value: f64,
        /// The allowed range.
        range: &'static str,
    },
    /// Stopped (Ctrl-C) before the resamples were done.
    #[error("stopped before the resampled searches were done")]
    Stopped,
    /// A trajectory index does not exist.
    #[error("box {index} is not on the trajectory, which has {len} boxes")]
    NoSuchBox {
        /// The index asked for.
        index: usize,
        /// The trajectory's length.
        len: usize,
    },
}

/// A column after validation: numeric values as f64, categories as codes
/// into sorted labels.
#[derive(Debug, Clone)]
enum Values {
    Numeric(Vec<f64>),
    Categorical {
        codes: Vec<u32>,
        levels: Vec<String>,
    },
}

/// Validated PRIM input: named columns and an outcome per row.
#[derive(Debug, Clone)]
pub struct PrimData {
    names: Vec<String>,
    kinds: Vec<ColumnKind>,
    values: Vec<Values>,
    y: Vec<f64>,
    /// Runs behind each row's share, where y is a share of runs (a
    /// sweep's points): the quasi-p values then count runs.
    runs: Option<Vec<u32>>,
}

impl PrimData {
    /// The same data with the runs behind each row's share: row i's y is
    /// a share of `runs[i]` runs (a sweep point's finished replications).
    /// The quasi-p values then test the box's runs meeting the condition
    /// among its runs, where EMA's test of rows passes the box's Σy
    /// truncated, which is 0 for any box of shares below one run in all.
    ///
    /// # Errors
    /// [`PrimError::LengthMismatch`] for a count per row missing, and
    /// [`PrimError::BadOutcome`] for a row with no run or a share that is
    /// not a whole number of its runs.
    pub fn with_runs(mut self, runs: Vec<u32>) -> Result<Self, PrimError> {
        if runs.len() != self.y.len() {
            return Err(PrimError::LengthMismatch {
                name: "runs".into(),
                len: runs.len(),
                expected: self.y.len(),
            });
        }
        for (row, (&r, &y)) in runs.iter().zip(&self.y).enumerate() {
            let met = y * f64::from(r);
            if r == 0 || (met - met.round()).abs() > 1e-9 * f64::from(r) {
                return Err(PrimError::BadOutcome { row, value: y });
            }
        }
        self.runs = Some(runs);
        Ok(self)
    }
}

/// The largest integer up to which every integer is an exact f64.
const EXACT_INTEGER: i64 = 1 << 53;

impl PrimData {
    /// Validate columns and outcome. `y` holds, per row, 0/1 or the share of
    /// replications meeting the condition; float values must be finite.
    ///
    /// # Errors
    /// [`PrimError`] for no columns or rows, duplicate names, lengths that
    /// differ, non-finite floats, huge integers or outcomes outside [0, 1].
    pub fn new(columns: Vec<Column>, y: Vec<f64>) -> Result<Self, PrimError> {
        if columns.is_empty() {
            return Err(PrimError::NoColumns);
        }
        if y.is_empty() {
            return Err(PrimError::NoRows);
        }
        if let Some((row, &value)) = y
            .iter()
            .enumerate()
            .find(|(_, v)| !(0.0..=1.0).contains(*v))
        {
            return Err(PrimError::BadOutcome { row, value });
        }
        let mut names = Vec::with_capacity(columns.len());
        let mut kinds = Vec::with_capacity(columns.len());
        let mut values = Vec::with_capacity(columns.len());
        for c in columns {
            if names.contains(&c.name) {
                return Err(PrimError::DuplicateColumn(c.name));
            }
            if c.len() != y.len() {
                return Err(PrimError::LengthMismatch {
                    name: c.name.clone(),
                    len: c.len(),
                    expected: y.len(),
                });
            }
            let (kind, v) = match c.values {
                ColumnValues::Float(v) => {
                    if let Some((row, &value)) = v.iter().enumerate().find(|(_, x)| !x.is_finite())
                    {
                        return Err(PrimError::NonFinite {
                            name: c.name,
                            row,
                            value,
                        });
                    }
                    (ColumnKind::Float, Values::Numeric(v))
                }
                ColumnValues::Integer(v) => {
                    if let Some((row, &value)) = v
                        .iter()
                        .enumerate()
                        .find(|(_, x)| !(-EXACT_INTEGER..=EXACT_INTEGER).contains(*x))
                    {
                        return Err(PrimError::IntegerTooLarge {
                            name: c.name,
                            row,
                            value,
                        });
                    }
                    (
                        ColumnKind::Integer,
                        Values::Numeric(v.into_iter().map(|x| x as f64).collect()),
                    )
                }
                ColumnValues::Categorical(v) => {
                    let mut levels = v.clone();
                    levels.sort();
                    levels.dedup();
                    let codes = v
                        .iter()
                        .map(|s| levels.binary_search(s).expect("level of its own column") as u32)
                        .collect();
                    (
                        ColumnKind::Categorical,
                        Values::Categorical { codes, levels },
                    )
                }
            };
            names.push(c.name);
            kinds.push(kind);
            values.push(v);
        }
        Ok(PrimData {
            names,
            kinds,
            values,
            y,
            runs: None,
        })
    }

    /// Number of rows.
    pub fn rows(&self) -> usize {
        self.y.len()
    }

    /// Column names, in input order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// Column kinds, in input order.
    pub fn kinds(&self) -> &[ColumnKind] {
        &self.kinds
    }

    /// The sorted category labels of categorical column `column` (empty for
    /// numeric columns); [`Limit::Categorical`] masks index into them.
    pub fn levels(&self, column: usize) -> &[String] {
        match &self.values[column] {
            Values::Categorical { levels, .. } => levels,
            Values::Numeric(_) => &[],
        }
    }

    /// The outcome per row.
    pub fn outcome(&self) -> &[f64] {
        &self.y
    }

    /// The same columns restricted to `rows` (in the order given), with
    /// category labels recomputed from the rows kept.
    fn subset(&self, rows: &[usize]) -> Result<PrimData, PrimError> {
        let columns = self
            .names
            .iter()
            .zip(&self.kinds)
            .zip(&self.values)
            .map(|((name, kind), v)| {
                let values = match (kind, v) {
                    (ColumnKind::Float, Values::Numeric(x)) => {
                        ColumnValues::Float(rows.iter().map(|&r| x[r]).collect())
                    }
                    (ColumnKind::Integer, Values::Numeric(x)) => {
                        ColumnValues::Integer(rows.iter().map(|&r| x[r] as i64).collect())
                    }
                    (_, Values::Categorical { codes, levels }) => ColumnValues::Categorical(
                        rows.iter()
                            .map(|&r| levels[codes[r] as usize].clone())
                            .collect(),
                    ),
                    (ColumnKind::Categorical, Values::Numeric(_)) => {
                        unreachable!("categorical columns hold codes")
                    }
                };
                Column {
                    name: name.clone(),
                    values,
                }
            })
            .collect();
        let data = PrimData::new(columns, rows.iter().map(|&r| self.y[r]).collect())?;
        match &self.runs {
            Some(runs) => data.with_runs(rows.iter().map(|&r| runs[r]).collect()),
            None => Ok(data),
        }
    }
}

/// The limits of a box in one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Limit {
    /// A closed interval `[lower, upper]` (float or integer column). After
    /// pasting, an integer column's bound may fall between integers, as in
    /// EMA.
    Numeric {
        /// Lower bound (inclusive).
        lower: f64,
        /// Upper bound (inclusive).
        upper: f64,
    },
    /// The categories kept: `included[i]` for label `i` of
    /// [`PrimData::levels`].
    Categorical {
        /// One flag per sorted label.
        included: Vec<bool>,
    },
}

impl Limit {
    fn contains_numeric(&self, x: f64) -> bool {
        match self {
            Limit::Numeric { lower, upper } => *lower <= x && x <= *upper,
            Limit::Categorical { .. } => unreachable!("numeric test on a category limit"),
        }
    }

    fn contains_code(&self, c: u32) -> bool {
        match self {
            Limit::Categorical { included } => included[c as usize],
            Limit::Numeric { .. } => unreachable!("category test on a numeric limit"),
        }
    }
}

/// How the box that ends a search, and whose rows are removed before the
/// next search, is chosen from the trajectory.
///
/// Every peel and paste raises the density, so density rises along the
/// trajectory while coverage (mostly) falls. With a threshold, when no box
/// qualifies nothing is selected, no row is removed and the search for
/// further boxes stops.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum BoxSelection {
    /// The last box of the trajectory (after pasting): what EMA 3.0's
    /// `find_box` leaves selected.
    Last,
    /// The last box, if its density reaches the threshold: EMA 2.x's
    /// `threshold` rule, which otherwise returns a "dump box" of all the
    /// remaining rows, ending the search too.
    LastAtDensity(f64),
    /// Among the boxes whose density reaches the threshold, the one with
    /// the highest coverage (the earliest on ties): the first box along
    /// the peeling that is dense enough. As EMA's `box.select(i)` with that
    /// `i` before the next `find_box`.
    MaxCoverageAtDensity(f64),
}

/// PRIM's settings. [`Default`] gives EMA's defaults.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PrimConfig {
    /// Share of the box's rows cut per peel (EMA default 0.05).
    pub peel_alpha: f64,
    /// Quantile of the rows outside a bound that a paste takes (EMA
    /// default 0.05).
    pub paste_alpha: f64,
    /// Smallest share of all rows a box may hold (EMA default 0.05).
    pub mass_min: f64,
    /// Which box of the trajectory each search yields.
    pub selection: BoxSelection,
}

impl Default for PrimConfig {
    fn default() -> Self {
        PrimConfig {
            peel_alpha: 0.05,
            paste_alpha: 0.05,
            mass_min: 0.05,
            selection: BoxSelection::Last,
        }
    }
}

/// The smallest peel or paste share. `1 − α` rounds to 1 from about 1e-17,
/// which is no quantile; 1e-9 stays well above that and already peels a
/// single case only from a billion rows.
pub const MIN_ALPHA: f64 = 1e-9;

impl PrimConfig {
    fn validate(&self) -> Result<(), PrimError> {
        let open = |name, value: f64| {
            if (MIN_ALPHA..1.0).contains(&value) {
                Ok(())
            } else {
                Err(PrimError::BadSetting {
                    name,
                    value,
                    range: "[1e-9, 1)",
                })
            }
        };
        open("peel_alpha", self.peel_alpha)?;
        open("paste_alpha", self.paste_alpha)?;
        if !(0.0..=1.0).contains(&self.mass_min) {
            return Err(PrimError::BadSetting {
                name: "mass_min",
                value: self.mass_min,
                range: "[0, 1]",
            });
        }
        if let BoxSelection::LastAtDensity(d) | BoxSelection::MaxCoverageAtDensity(d) =
            self.selection
            && !(0.0..=1.0).contains(&d)
        {
            return Err(PrimError::BadSetting {
                name: "density threshold",
                value: d,
                range: "[0, 1]",
            });
        }
        Ok(())
    }
}

/// How a trajectory entry arose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// The initial box, holding every remaining row.
    Initial,
    /// A peel.
    Peel,
    /// A paste.
    Paste,
}

/// The quasi-p values of one restricted column (Bryant & Lempert 2010).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum QuasiP {
    /// A numeric column: one value per restricted bound, `None` for a bound
    /// at its initial value.
    Bounds {
        /// Quasi-p of the lower bound.
        lower: Option<f64>,
        /// Quasi-p of the upper bound.
        upper: Option<f64>,
    },
    /// A categorical column: one value for its set of categories.
    Categories(f64),
}

/// One box of the peeling and pasting trajectory.
#[derive(Debug, Clone, PartialEq)]
pub struct TrajectoryEntry {
    /// Position on the trajectory (EMA's `id`).
    pub id: usize,
    /// Whether it is the initial box, a peel or a paste.
    pub phase: Phase,
    /// Rows in the box.
    pub n: usize,
    /// Cases of interest in the box: Σy over its rows.
    pub k: f64,
    /// k / max(Σy over all rows, 1).
    pub coverage: f64,
    /// k / n, the mean outcome in the box.
    pub density: f64,
    /// n / all rows.
    pub mass: f64,
    /// The restricted columns, in input order.
    pub restricted: Vec<usize>,
    /// The box's limits, one per column.
    pub limits: Vec<Limit>,
    /// Quasi-p values, one per restricted column (same order).
    pub quasi_p: Vec<(usize, QuasiP)>,
}

/// The result of one search: its trajectory and the box chosen from it.
#[derive(Debug, Clone, PartialEq)]
pub struct FoundBox {
    /// The boxes visited, from the initial box through peeling and pasting.
    pub trajectory: Vec<TrajectoryEntry>,
    /// The index of the chosen box on the trajectory; `None` when the
    /// selection rule found none.
    pub selected: Option<usize>,
    /// The rows the search ran on (those not in earlier boxes), ascending.
    pub searched_rows: Vec<usize>,
    /// The rows of the chosen box, ascending; removed before the next
    /// search. Empty when nothing was selected.
    pub members: Vec<usize>,
}

impl FoundBox {
    /// The chosen box, if any.
    pub fn selected_entry(&self) -> Option<&TrajectoryEntry> {
        self.selected.map(|i| &self.trajectory[i])
    }
}

/// Sum in numpy's pairwise order (`np.add.reduce` on a contiguous float64
/// array): blocks of up to 128 values summed in 8 interleaved accumulators,
/// larger arrays split in halves rounded down to a multiple of 8. Matching
/// the order makes sums, means and ties between candidates agree bit for
/// bit with EMA.
pub fn pairwise_sum(a: &[f64]) -> f64 {
    let n = a.len();
    if n < 8 {
        let mut res = 0.0;
        for &x in a {
            res += x;
        }
        res
    } else if n <= 128 {
        let mut r = [0.0; 8];
        r.copy_from_slice(&a[..8]);
        let mut i = 8;
        while i < n - n % 8 {
            for (j, acc) in r.iter_mut().enumerate() {
                *acc += a[i + j];
            }
            i += 8;
        }
        let mut res = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
        while i < n {
            res += a[i];
            i += 1;
        }
        res
    } else {
        let mut n2 = n / 2;
        n2 -= n2 % 8;
        pairwise_sum(&a[..n2]) + pairwise_sum(&a[n2..])
    }
}

/// EMA's `get_quantile` (modelled on sdtoolkit): the `q` quantile of `data`
/// placed between two distinct values. With `i = (len − 1)·q`, it takes the
/// sorted values at `floor(i)` and `ceil(i)`; for `q > 0.5` it moves the
/// lower index down, otherwise the upper index up, while the two values are
/// equal, and returns their midpoint. On 0..=9, q = 0.9 gives 8.5 and
/// q = 0.1 gives 0.5.
///
/// # Panics
/// If `data` is empty or `q` is not in (0, 1).
pub fn quantile_between(data: &[f64], q: f64) -> f64 {
    let mut sorted = data.to_vec();
    sorted.sort_by(f64::total_cmp);
    quantile_sorted(&sorted, q)
}

fn quantile_sorted(data: &[f64], q: f64) -> f64 {
    assert!(q > 0.0 && q < 1.0, "quantile {q} outside (0, 1)");
    assert!(!data.is_empty(), "quantile of no data");
    let i = (data.len() - 1) as f64 * q;
    let mut lower = i.floor() as usize;
    let mut higher = i.ceil() as usize;
    if q > 0.5 {
        while data[lower] == data[higher] && lower > 0 {
            lower -= 1;
        }
    } else {
        while data[lower] == data[higher] && higher < data.len() - 1 {
            higher += 1;
        }
    }
    (data[lower] + data[higher]) / 2.0
}

/// The upper tail P(X ≥ k) of a binomial(n, p): the p-value of scipy's
/// `binomtest(k, n, p, alternative="greater")`.
///
/// Terms are computed with Loader's saddle-point form of the binomial
/// probability (as in R's `dbinom`) and summed from the mode outwards
/// with compensation; when k lies below the mode, the complement of the
/// lower tail is taken, which is then at least about one half.
pub fn binomial_upper_tail(k: u64, n: u64, p: f64) -> f64 {
    if k == 0 {
        return 1.0;
    }
    if k > n {
        return 0.0;
    }
    if p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return 1.0;
    }
    let q = 1.0 - p;
    let nf = n as f64;
    let mode = (((n + 1) as f64) * p).floor().min(nf) as u64;
    if k >= mode {
        // Terms fall from k on: sum them until they stop counting.
        let mut sum = Neumaier::default();
        let mut t = binomial_pmf(k, n, p, q);
        let mut j = k;
        loop {
            sum.add(t);
            if j == n || t < sum.value() * 1e-17 {
                break;
            }
            t *= (nf - j as f64) / (j as f64 + 1.0) * (p / q);
            j += 1;
        }
        sum.value()
    } else {
        // Terms fall from k − 1 down to 0.
        let mut sum = Neumaier::default();
        let mut j = k - 1;
        let mut t = binomial_pmf(j, n, p, q);
        loop {
            sum.add(t);
            if j == 0 || t < sum.value() * 1e-17 {
                break;
            }
            t *= j as f64 / (nf - j as f64 + 1.0) * (q / p);
            j -= 1;
        }
        (1.0 - sum.value()).max(0.0)
    }
}

/// Compensated (Neumaier) summation: tail sums to about one ulp.
#[derive(Default)]
struct Neumaier {
    sum: f64,
    compensation: f64,
}

impl Neumaier {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
    }

    fn value(&self) -> f64 {
        self.sum + self.compensation
    }
}

/// ln(2π).
const LN_2PI: f64 = 1.837_877_066_409_345_5;

/// The binomial probability P(X = x), Loader (2000), "Fast and accurate
/// computation of binomial probabilities", as in R's `dbinom_raw`.
fn binomial_pmf(x: u64, n: u64, p: f64, q: f64) -> f64 {
    let (xf, nf) = (x as f64, n as f64);
    if x == 0 {
        let lc = if p < 0.1 {
            -deviance(nf, nf * q) - nf * p
        } else {
            nf * libm::log(q)
        };
        return libm::exp(lc);
    }
    if x == n {
        let lc = if q < 0.1 {
            -deviance(nf, nf * p) - nf * q
        } else {
            nf * libm::log(p)
        };
        return libm::exp(lc);
    }
    let lc = stirling_error(n)
        - stirling_error(x)
        - stirling_error(n - x)
        - deviance(xf, nf * p)
        - deviance(nf - xf, nf * q);
    let lf = LN_2PI + libm::log(xf) + libm::log1p(-xf / nf);
    libm::exp(lc - 0.5 * lf)
}

/// ln(n!) − ln(√(2πn)(n/e)^n) for integers n ≥ 1: tabulated to 15 (values
/// from 40-digit arithmetic), Stirling's series beyond.
fn stirling_error(n: u64) -> f64 {
    const TABLE: [f64; 16] = [
        0.0,
        0.081_061_466_795_327_26,
        0.041_340_695_955_409_3,
        0.027_677_925_684_998_34,
        0.020_790_672_103_765_093,
        0.016_644_691_189_821_193,
        0.013_876_128_823_070_748,
        0.011_896_709_945_891_77,
        0.010_411_265_261_972_096,
        0.009_255_462_182_712_733,
        0.008_330_563_433_362_87,
        0.007_573_675_487_951_841,
        0.006_942_840_107_209_53,
        0.006_408_994_188_004_207,
        0.005_951_370_112_758_848,
        0.005_554_733_551_962_801,
    ];
    const S0: f64 = 1.0 / 12.0;
    const S1: f64 = 1.0 / 360.0;
    const S2: f64 = 1.0 / 1260.0;
    const S3: f64 = 1.0 / 1680.0;
    const S4: f64 = 1.0 / 1188.0;
    if n <= 15 {
        return TABLE[n as usize];
    }
    let nf = n as f64;
    let nn = nf * nf;
    if n > 500 {
        (S0 - S1 / nn) / nf
    } else if n > 80 {
        (S0 - (S1 - S2 / nn) / nn) / nf
    } else if n > 35 {
        (S0 - (S1 - (S2 - S3 / nn) / nn) / nn) / nf
    } else {
        (S0 - (S1 - (S2 - (S3 - S4 / nn) / nn) / nn) / nn) / nf
    }
}

/// x·ln(x/m) + m − x, computed without cancellation when x is near m.
fn deviance(x: f64, m: f64) -> f64 {
    if (x - m).abs() < 0.1 * (x + m) {
        let mut v = (x - m) / (x + m);
        let mut s = (x - m) * v;
        if s.abs() < f64::MIN_POSITIVE {
            return s;
        }
        let mut ej = 2.0 * x * v;
        v *= v;
        for j in 1..1000 {
            ej *= v;
            let s1 = s + ej / f64::from(2 * j + 1);
            if s1 == s {
                return s1;
            }
            s = s1;
        }
    }
    x * libm::log(x / m) + m - x
}

/// The LENIENT1 objective: the change in mean divided by the number of
/// rows removed (peel) or added (paste); zero when the mean is unchanged.
fn lenient1(n_old: usize, mean_old: f64, n_new: usize, mean_new: f64) -> f64 {
    let mean_new = if n_new > 0 { mean_new } else { 0.0 };
    if mean_old == mean_new {
        return 0.0;
    }
    let delta = mean_new - mean_old;
    // Equal sizes with different means cannot occur: a peel keeps a subset
    // and a paste a superset, so equal sizes mean the same rows, summed in
    // the same order. EMA raises here; a zero score makes it a non-move.
    match n_old.cmp(&n_new) {
        std::cmp::Ordering::Greater => delta / (n_old - n_new) as f64,
        std::cmp::Ordering::Less => delta / (n_new - n_old) as f64,
        std::cmp::Ordering::Equal => 0.0,
    }
}

/// A proposed box: its limits, rows and score.
struct Candidate {
    limits: Vec<Limit>,
    rows: Vec<usize>,
    objective: f64,
    unrestricted: usize,
}

/// The PRIM search over one data set: finds boxes one after another,
/// removing each chosen box's rows before the next search.
#[derive(Debug, Clone)]
pub struct Prim<'a> {
    data: &'a PrimData,
    config: PrimConfig,
    /// The box holding every row: numeric min/max, all categories.
    init: Vec<Limit>,
    /// Rows not in a chosen box yet, ascending.
    remaining: Vec<usize>,
    /// EMA's coverage denominator: max(Σy, 1) over all rows.
    coverage_base: f64,
    /// Columns in EMA's candidate order: float, integer, categorical.
    order: Vec<usize>,
    /// A search selected nothing: further searches would repeat it.
    stopped: bool,
}

/// The box holding every row: numeric min/max, all categories.
fn initial_limits(data: &PrimData) -> Vec<Limit> {
    data.values
        .iter()
        .map(|v| match v {
            Values::Numeric(x) => Limit::Numeric {
                lower: x.iter().copied().fold(f64::INFINITY, f64::min),
                upper: x.iter().copied().fold(f64::NEG_INFINITY, f64::max),
            },
            Values::Categorical { levels, .. } => Limit::Categorical {
                included: vec![true; levels.len()],
            },
        })
        .collect()
}

impl<'a> Prim<'a> {
    /// A search over `data` with `config`.
    ///
    /// # Errors
    /// [`PrimError::BadSetting`] for settings out of range.
    pub fn new(data: &'a PrimData, config: PrimConfig) -> Result<Self, PrimError> {
        config.validate()?;
        let init = initial_limits(data);
        let mut order: Vec<usize> = (0..data.names.len()).collect();
        // Stable: input order within each kind.
        order.sort_by_key(|&c| data.kinds[c]);
        Ok(Prim {
            data,
            config,
            init,
            remaining: (0..data.rows()).collect(),
            coverage_base: pairwise_sum(&data.y).max(1.0),
            order,
            stopped: false,
        })
    }

    /// The initial box's limits (every row inside).
    pub fn initial_limits(&self) -> &[Limit] {
        &self.init
    }

    /// Rows not yet in a chosen box, ascending.
    pub fn remaining(&self) -> &[usize] {
        &self.remaining
    }

    /// One search (EMA's `find_box`): peel and paste from the initial box
    /// over the remaining rows, choose a box by the configured selection and
    /// remove its rows. `None` when no rows remain, or when the previous
    /// search selected nothing.
    pub fn find_box(&mut self) -> Option<FoundBox> {
        if self.remaining.is_empty() || self.stopped {
            return None;
        }
        let searched_rows = self.remaining.clone();
        let mut trajectory = Vec::new();
        let mut limits = self.init.clone();
        let mut rows = self.remaining.clone();
        self.push_entry(
            &mut trajectory,
            Phase::Initial,
            limits.clone(),
            rows.clone(),
        );
        self.peel(&mut trajectory, &mut limits, &mut rows);
        self.paste(&mut trajectory, &mut limits, &mut rows);
        let selected = match self.config.selection {
            BoxSelection::Last => Some(trajectory.len() - 1),
            BoxSelection::LastAtDensity(d) => {
                Some(trajectory.len() - 1).filter(|&i| trajectory[i].density >= d)
            }
            BoxSelection::MaxCoverageAtDensity(d) => {
                let mut best: Option<usize> = None;
                for (i, e) in trajectory.iter().enumerate() {
                    if e.density >= d && best.is_none_or(|b| e.coverage > trajectory[b].coverage) {
                        best = Some(i);
                    }
                }
                best
            }
        };
        let members = match selected {
            Some(i) => {
                let e = &trajectory[i];
                let members: Vec<usize> = self
                    .remaining
                    .iter()
                    .copied()
                    .filter(|&r| self.in_box(r, &e.limits, &e.restricted))
                    .collect();
                let mut inside = vec![false; self.data.rows()];
                for &r in &members {
                    inside[r] = true;
                }
                self.remaining.retain(|&r| !inside[r]);
                members
            }
            None => {
                self.stopped = true;
                Vec::new()
            }
        };
        Some(FoundBox {
            trajectory,
            selected,
            searched_rows,
            members,
        })
    }

    /// Up to `boxes` searches, stopping early when no rows remain or when a
    /// search selects nothing.
    pub fn find_boxes(&mut self, boxes: usize) -> Vec<FoundBox> {
        let mut found = Vec::new();
        while found.len() < boxes {
            match self.find_box() {
                Some(b) => found.push(b),
                None => break,
            }
        }
        found
    }

    fn restricted(&self, limits: &[Limit]) -> Vec<usize> {
        (0..limits.len())
            .filter(|&c| limits[c] != self.init[c])
            .collect()
    }

    fn in_box(&self, row: usize, limits: &[Limit], columns: &[usize]) -> bool {
        columns.iter().all(|&c| match &self.data.values[c] {
            Values::Numeric(x) => limits[c].contains_numeric(x[row]),
            Values::Categorical { codes, .. } => limits[c].contains_code(codes[row]),
        })
    }

    fn sum_y(&self, rows: &[usize]) -> f64 {
        let y: Vec<f64> = rows.iter().map(|&r| self.data.y[r]).collect();
        pairwise_sum(&y)
    }

    fn mean_y(&self, rows: &[usize]) -> f64 {
        self.sum_y(rows) / rows.len() as f64
    }

    fn push_entry(
        &self,
        trajectory: &mut Vec<TrajectoryEntry>,
        phase: Phase,
        limits: Vec<Limit>,
        rows: Vec<usize>,
    ) {
        let k = self.sum_y(&rows);
        let n = rows.len();
        let restricted = self.restricted(&limits);
        let quasi_p = self.quasi_p(&limits, &restricted, &rows, k);
        trajectory.push(TrajectoryEntry {
            id: trajectory.len(),
            phase,
            n,
            k,
            coverage: k / self.coverage_base,
            density: k / n as f64,
            mass: n as f64 / self.data.rows() as f64,
            restricted,
            limits,
            quasi_p,
        });
    }

    /// Quasi-p per restricted bound: the box's floor(k) hits in n rows
    /// tested against the density of the remaining rows inside the box
    /// with that one bound reset to its initial value; with the runs
    /// behind shares ([`PrimData::with_runs`]), the box's runs meeting the
    /// condition among its runs, against the share of runs meeting it in
    /// the relaxed box. Runs are independent given their points (each has
    /// its own streams), so their count in the box is a sum of Bernoulli
    /// draws, no more spread than the binomial the test assumes.
    fn quasi_p(
        &self,
        limits: &[Limit],
        restricted: &[usize],
        rows: &[usize],
        k: f64,
    ) -> Vec<(usize, QuasiP)> {
        // (runs meeting, runs) over `rows`.
        let tally = |rows: &[usize], runs: &[u32]| -> (f64, u64) {
            rows.iter().fold((0.0, 0), |(met, n), &r| {
                let t = runs[r];
                (
                    met + (self.data.y[r] * f64::from(t)).round(),
                    n + u64::from(t),
                )
            })
        };
        // EMA passes int(k) to binomtest: truncation for shares.
        let (hits, trials) = match &self.data.runs {
            Some(runs) => {
                let (met, n) = tally(rows, runs);
                (met as u64, n)
            }
            None => (k.trunc() as u64, rows.len() as u64),
        };
        let test = |relaxed: &[Limit]| {
            let rows: Vec<usize> = self
                .remaining
                .iter()
                .copied()
                .filter(|&r| self.in_box(r, relaxed, restricted))
                .collect();
            let p = match &self.data.runs {
                Some(runs) => {
                    let (met, n) = tally(&rows, runs);
                    met / n as f64
                }
                None => self.sum_y(&rows) / rows.len() as f64,
            };
            binomial_upper_tail(hits, trials, p)
        };
        restricted
            .iter()
            .map(|&c| {
                let qp = match (&limits[c], &self.init[c]) {
                    (
                        Limit::Numeric { lower, upper },
                        Limit::Numeric {
                            lower: init_lower,
                            upper: init_upper,
                        },
                    ) => {
                        let mut relaxed = limits.to_vec();
                        let lower_p = (lower != init_lower).then(|| {
                            relaxed[c] = Limit::Numeric {
                                lower: *init_lower,
                                upper: *upper,
                            };
                            test(&relaxed)
                        });
                        let upper_p = (upper != init_upper).then(|| {
                            relaxed[c] = Limit::Numeric {
                                lower: *lower,
                                upper: *init_upper,
                            };
                            test(&relaxed)
                        });
                        QuasiP::Bounds {
                            lower: lower_p,
                            upper: upper_p,
                        }
                    }
                    _ => {
                        let mut relaxed = limits.to_vec();
                        relaxed[c] = self.init[c].clone();
                        QuasiP::Categories(test(&relaxed))
                    }
                };
                (c, qp)
            })
            .collect()
    }

    fn unrestricted_count(&self, limits: &[Limit]) -> usize {
        limits
            .iter()
            .zip(&self.init)
            .filter(|(l, i)| l == i)
            .count()
    }

    /// Keep `cand` if it beats `best`: higher objective, then more
    /// unrestricted columns; the earlier candidate wins exact ties (EMA's
    /// stable descending sort on (objective, unrestricted dimensions)).
    fn better(cand: &Candidate, best: &Option<Candidate>) -> bool {
        match best {
            None => true,
            Some(b) => {
                cand.objective > b.objective
                    || (cand.objective == b.objective && cand.unrestricted > b.unrestricted)
            }
        }
    }

    fn peel(
        &self,
        trajectory: &mut Vec<TrajectoryEntry>,
        limits: &mut Vec<Limit>,
        rows: &mut Vec<usize>,
    ) {
        let total = self.data.rows() as f64;
        loop {
            let mass_old = rows.len() as f64 / total;
            let mean_old = self.mean_y(rows);
            let mut best: Option<Candidate> = None;
            for &c in &self.order {
                for (new_limit, new_rows) in self.peels(c, limits, rows) {
                    let mut cand_limits = limits.clone();
                    cand_limits[c] = new_limit;
                    let mean_new = if new_rows.is_empty() {
                        0.0
                    } else {
                        self.mean_y(&new_rows)
                    };
                    let cand = Candidate {
                        objective: lenient1(rows.len(), mean_old, new_rows.len(), mean_new),
                        unrestricted: self.unrestricted_count(&cand_limits),
                        limits: cand_limits,
                        rows: new_rows,
                    };
                    if Self::better(&cand, &best) {
                        best = Some(cand);
                    }
                }
            }
            let Some(best) = best else { return };
            let mass_new = best.rows.len() as f64 / total;
            if mass_new >= self.config.mass_min && mass_new < mass_old && best.objective > 0.0 {
                *limits = best.limits;
                *rows = best.rows;
                self.push_entry(trajectory, Phase::Peel, limits.clone(), rows.clone());
            } else {
                return;
            }
        }
    }

    /// The candidate peels of column `c`, in EMA's order.
    fn peels(&self, c: usize, limits: &[Limit], rows: &[usize]) -> Vec<(Limit, Vec<usize>)> {
        let alpha = self.config.peel_alpha;
        match (&self.data.values[c], self.data.kinds[c]) {
            (Values::Numeric(x), ColumnKind::Float) => {
                let mut xs: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
                xs.sort_by(f64::total_cmp);
                let Limit::Numeric { lower, upper } = limits[c] else {
                    unreachable!("numeric column with category limit")
                };
                let cut_upper = quantile_sorted(&xs, 1.0 - alpha);
                let cut_lower = quantile_sorted(&xs, alpha);
                vec![
                    (
                        Limit::Numeric {
                            lower,
                            upper: cut_upper,
                        },
                        rows.iter()
                            .copied()
                            .filter(|&r| x[r] <= cut_upper)
                            .collect(),
                    ),
                    (
                        Limit::Numeric {
                            lower: cut_lower,
                            upper,
                        },
                        rows.iter()
                            .copied()
                            .filter(|&r| x[r] >= cut_lower)
                            .collect(),
                    ),
                ]
            }
            (Values::Numeric(x), ColumnKind::Integer) => {
                let mut xs: Vec<f64> = rows.iter().map(|&r| x[r]).collect();
                xs.sort_by(f64::total_cmp);
                let Limit::Numeric { lower, upper } = limits[c] else {
                    unreachable!("numeric column with category limit")
                };
                let (xmin, xmax) = (xs[0], xs[xs.len() - 1]);
                // Upper: EMA truncates the cut (Python int()); if it would
                // not move the bound, the bound's own value is peeled.
                let cut = quantile_sorted(&xs, 1.0 - alpha).trunc();
                let keep_upper: Vec<usize> = if cut == upper {
                    rows.iter()
                        .copied()
                        .filter(|&r| x[r] < upper && x[r] >= lower)
                        .collect()
                } else {
                    rows.iter()
                        .copied()
                        .filter(|&r| x[r] <= cut && x[r] >= lower)
                        .collect()
                };
                let new_upper = keep_upper
                    .iter()
                    .map(|&r| x[r])
                    .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))))
                    .unwrap_or(xmax);
                let cut = quantile_sorted(&xs, alpha).trunc();
                let keep_lower: Vec<usize> = if cut == lower {
                    rows.iter()
                        .copied()
                        .filter(|&r| x[r] > lower && x[r] <= upper)
                        .collect()
                } else {
                    rows.iter()
                        .copied()
                        .filter(|&r| x[r] >= cut && x[r] <= upper)
                        .collect()
                };
                let new_lower = keep_lower
                    .iter()
                    .map(|&r| x[r])
                    .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))))
                    .unwrap_or(xmin);
                vec![
                    (
                        Limit::Numeric {
                            lower,
                            upper: new_upper,
                        },
                        keep_upper,
                    ),
                    (
                        Limit::Numeric {
                            lower: new_lower,
                            upper,
                        },
                        keep_lower,
                    ),
                ]
            }
            (Values::Categorical { codes, .. }, _) => {
                let Limit::Categorical { included } = &limits[c] else {
                    unreachable!("categorical column with numeric limit")
                };
                if included.iter().filter(|&&b| b).count() <= 1 {
                    return Vec::new();
                }
                (0..included.len())
                    .filter(|&l| included[l])
                    .map(|l| {
                        let mut kept = included.clone();
                        kept[l] = false;
                        let new_rows = rows
                            .iter()
                            .copied()
                            .filter(|&r| codes[r] as usize != l)
                            .collect();
                        (Limit::Categorical { included: kept }, new_rows)
                    })
                    .collect()
            }
            (Values::Numeric(_), ColumnKind::Categorical) => {
                unreachable!("categorical columns hold codes")
            }
        }
    }

    fn paste(
        &self,
        trajectory: &mut Vec<TrajectoryEntry>,
        limits: &mut Vec<Limit>,
        rows: &mut Vec<usize>,
    ) {
        let total = self.data.rows() as f64;
        loop {
            let mass_old = rows.len() as f64 / total;
            let restricted = self.restricted(limits);
            let mut candidates: Vec<(Vec<Limit>, Vec<usize>)> = Vec::new();
            for kind in [
                ColumnKind::Float,
                ColumnKind::Integer,
                ColumnKind::Categorical,
            ] {
                for &c in self.order.iter().filter(|&&c| self.data.kinds[c] == kind) {
                    if restricted.contains(&c) {
                        candidates.extend(self.pastes(c, limits, &restricted));
                    }
                }
                // EMA checks for candidates inside its loop over kinds: with
                // no float column restricted it stops before the others.
                if candidates.is_empty() {
                    return;
                }
            }
            let mean_old = self.mean_y(rows);
            let mut best: Option<Candidate> = None;
            for (cand_limits, new_rows) in candidates {
                let mean_new = self.mean_y(&new_rows);
                let cand = Candidate {
                    objective: lenient1(rows.len(), mean_old, new_rows.len(), mean_new),
                    unrestricted: self.unrestricted_count(&cand_limits),
                    limits: cand_limits,
                    rows: new_rows,
                };
                if Self::better(&cand, &best) {
                    best = Some(cand);
                }
            }
            let Some(best) = best else { return };
            let mass_new = best.rows.len() as f64 / total;
            let mean_new = self.mean_y(&best.rows);
            if mass_new >= self.config.mass_min
                && mass_new > mass_old
                && best.objective > 0.0
                && mean_new > mean_old
            {
                *limits = best.limits;
                *rows = best.rows;
                self.push_entry(trajectory, Phase::Paste, limits.clone(), rows.clone());
            } else {
                return;
            }
        }
    }

    /// The candidate pastes of restricted column `c`, in EMA's order
    /// (numeric: lower bound, then upper).
    fn pastes(
        &self,
        c: usize,
        limits: &[Limit],
        restricted: &[usize],
    ) -> Vec<(Vec<Limit>, Vec<usize>)> {
        let inside = |lims: &[Limit]| -> Vec<usize> {
            self.remaining
                .iter()
                .copied()
                .filter(|&r| self.in_box(r, lims, restricted))
                .collect()
        };
        match &self.data.values[c] {
            Values::Numeric(x) => {
                let Limit::Numeric { lower, upper } = limits[c] else {
                    unreachable!("numeric column with category limit")
                };
                let Limit::Numeric {
                    lower: min,
                    upper: max,
                } = self.init[c]
                else {
                    unreachable!("numeric column with category limit")
                };
                let mut out = Vec::with_capacity(2);
                // Lower: the rows between the initial minimum and the
                // bound, inside the box otherwise.
                let mut region = limits.to_vec();
                region[c] = Limit::Numeric {
                    lower: min,
                    upper: lower,
                };
                let mut xs: Vec<f64> = inside(&region).iter().map(|&r| x[r]).collect();
                xs.sort_by(f64::total_cmp);
                let value = if xs.is_empty() {
                    min
                } else {
                    quantile_sorted(&xs, 1.0 - self.config.paste_alpha)
                };
                let mut pasted = limits.to_vec();
                pasted[c] = Limit::Numeric {
                    lower: value,
                    upper,
                };
                let rows = inside(&pasted);
                out.push((pasted, rows));
                // Upper.
                let mut region = limits.to_vec();
                region[c] = Limit::Numeric {
                    lower: upper,
                    upper: max,
                };
                let mut xs: Vec<f64> = inside(&region).iter().map(|&r| x[r]).collect();
                xs.sort_by(f64::total_cmp);
                let value = if xs.is_empty() {
                    max
                } else {
                    quantile_sorted(&xs, self.config.paste_alpha)
                };
                let mut pasted = limits.to_vec();
                pasted[c] = Limit::Numeric {
                    lower,
                    upper: value,
                };
                let rows = inside(&pasted);
                out.push((pasted, rows));
                out
            }
            Values::Categorical { .. } => {
                let Limit::Categorical { included } = &limits[c] else {
                    unreachable!("categorical column with numeric limit")
                };
                (0..included.len())
                    .filter(|&l| !included[l])
                    .map(|l| {
                        let mut kept = included.clone();
                        kept[l] = true;
                        let mut pasted = limits.to_vec();
                        pasted[c] = Limit::Categorical { included: kept };
                        let rows = inside(&pasted);
                        (pasted, rows)
                    })
                    .collect()
            }
        }
    }
}

/// Run up to `boxes` searches over `data` (see [`Prim::find_boxes`]).
///
/// # Errors
/// [`PrimError::BadSetting`] for settings out of range.
pub fn discover(
    data: &PrimData,
    config: PrimConfig,
    boxes: usize,
) -> Result<Vec<FoundBox>, PrimError> {
    Ok(Prim::new(data, config)?.find_boxes(boxes))
}

/// How often a column, and each of its bounds, is restricted in the boxes
/// PRIM finds on resampled halves: counts out of
/// [`Reproducibility::iterations`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Recurrence {
    /// The column.
    pub column: usize,
    /// Resamples whose matched box restricts the column at all.
    pub dimension: usize,
    /// Resamples whose matched box restricts its lower bound (numeric
    /// columns; zero for categorical ones, which have no bounds).
    pub lower: usize,
    /// Resamples whose matched box restricts its upper bound (numeric
    /// columns; zero for categorical ones).
    pub upper: usize,
}

/// Reproducibility of a box over random subsamples, after EMA's
/// `PrimBox.resample`.
///
/// Each iteration draws `floor(fraction · rows)` of the rows the box was
/// searched on, without replacement, and runs one PRIM search on them
/// alone (its own initial box and mass, the same settings). On that
/// trajectory it takes the box whose coverage is nearest the reference
/// box's coverage, and the box whose density is nearest its density, and
/// counts the columns and bounds they restrict. Ties in the matched
/// statistic are broken by the other one, then by trajectory order (EMA
/// takes the earliest, which for a reference at coverage 1 is the
/// unrestricted initial box). EMA reports the same counts as percentages
/// ("reproduce coverage", "reproduce density") for columns only; the
/// counts per bound are ours.
#[derive(Debug, Clone, PartialEq)]
pub struct Reproducibility {
    /// Number of resamples.
    pub iterations: usize,
    /// Share of rows drawn per resample.
    pub fraction: f64,
    /// The seed of the ChaCha8 generator.
    pub seed: u64,
    /// Per column (input order), counts over boxes matched by coverage.
    pub by_coverage: Vec<Recurrence>,
    /// Per column (input order), counts over boxes matched by density.
    pub by_density: Vec<Recurrence>,
}

/// Resample the search that produced `found` and count how often each
/// column and bound recurs near trajectory box `entry` (see
/// [`Reproducibility`]). `data` must be the data `found` was searched on.
/// Iteration `i` draws from a ChaCha8 generator seeded with `seed` on
/// stream `i`, so results do not depend on the order or threads in which
/// iterations run. Once `stop` is set (Ctrl-C), no further search starts.
///
/// # Panics
/// If `found`'s rows are not rows of `data`.
///
/// # Errors
/// [`PrimError::NoSuchBox`] if `entry` is not on the trajectory;
/// [`PrimError::BadSetting`] for a fraction that draws no row or settings
/// out of range; [`PrimError::Stopped`] once `stop` is set.
#[allow(clippy::too_many_arguments)]
pub fn reproducibility(
    data: &PrimData,
    config: PrimConfig,
    found: &FoundBox,
    entry: usize,
    iterations: usize,
    fraction: f64,
    seed: u64,
    stop: &AtomicBool,
) -> Result<Reproducibility, PrimError> {
    config.validate()?;
    let reference = found.trajectory.get(entry).ok_or(PrimError::NoSuchBox {
        index: entry,
        len: found.trajectory.len(),
    })?;
    let rows = &found.searched_rows;
    let draw = (rows.len() as f64 * fraction).floor() as usize;
    if !(fraction > 0.0 && fraction <= 1.0) || draw == 0 {
        return Err(PrimError::BadSetting {
            name: "resample fraction",
            value: fraction,
            range: "(0, 1], drawing at least one row",
        });
    }
    let columns = data.names.len();
    let blank = |column| Recurrence {
        column,
        dimension: 0,
        lower: 0,
        upper: 0,
    };
    let mut by_coverage: Vec<Recurrence> = (0..columns).map(blank).collect();
    let mut by_density: Vec<Recurrence> = (0..columns).map(blank).collect();
    for i in 0..iterations {
        if stop.load(Ordering::Relaxed) {
            return Err(PrimError::Stopped);
        }
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        rng.set_stream(i as u64);
        let mut picked = rand::seq::index::sample(&mut rng, rows.len(), draw).into_vec();
        picked.sort_unstable();
        let sample: Vec<usize> = picked.into_iter().map(|p| rows[p]).collect();
        let sub = data.subset(&sample)?;
        let mut prim = Prim::new(&sub, config)?;
        let Some(b) = prim.find_box() else { continue };
        // Nearest in one statistic, ties (say, many boxes at coverage 1)
        // broken by the other, then by trajectory order.
        let nearest = |primary: fn(&TrajectoryEntry) -> f64,
                       secondary: fn(&TrajectoryEntry) -> f64| {
            let gap = |e: &TrajectoryEntry| {
                (
                    (primary(e) - primary(reference)).abs(),
                    (secondary(e) - secondary(reference)).abs(),
                )
            };
            let mut best = &b.trajectory[0];
            for e in &b.trajectory[1..] {
                if gap(e) < gap(best) {
                    best = e;
                }
            }
            best
        };
        let by_cov = nearest(|e| e.coverage, |e| e.density);
        let by_den = nearest(|e| e.density, |e| e.coverage);
        for (counts, matched) in [(&mut by_coverage, by_cov), (&mut by_density, by_den)] {
            for &c in &matched.restricted {
                counts[c].dimension += 1;
                if let (
                    Limit::Numeric { lower, upper },
                    Limit::Numeric {
                        lower: l0,
                        upper: u0,
                    },
                ) = (&matched.limits[c], &prim.init[c])
                {
                    counts[c].lower += usize::from(lower != l0);
                    counts[c].upper += usize::from(upper != u0);
                }
            }
        }
    }
    Ok(Reproducibility {
        iterations,
        fraction,
        seed,
        by_coverage,
        by_density,
    })
}

/// The limits of one restricted column, for printing as a range in the
/// column's (parameter's) name.
#[derive(Debug, Clone, PartialEq)]
pub enum DimBounds {
    /// A float range. A bound left at the data's minimum or maximum is
    /// flagged unrestricted: the caller may print the design's own bound.
    Float {
        /// Lower bound.
        lower: f64,
        /// Upper bound.
        upper: f64,
        /// Whether the lower bound was peeled.
        lower_restricted: bool,
        /// Whether the upper bound was peeled.
        upper_restricted: bool,
    },
    /// An integer range, snapped inwards to integers (`ceil(lower)`,
    /// `floor(upper)`): the same integer values as the box's bounds, which
    /// may fall between integers after pasting.
    Integer {
        /// Smallest value kept.
        lower: i64,
        /// Largest value kept.
        upper: i64,
        /// Whether the lower bound was peeled.
        lower_restricted: bool,
        /// Whether the upper bound was peeled.
        upper_restricted: bool,
    },
    /// The categories kept, in sorted order.
    Categorical {
        /// The labels kept.
        levels: Vec<String>,
    },
}

/// One restricted column of a box: its name, kind and limits.
#[derive(Debug, Clone, PartialEq)]
pub struct DimLimit {
    /// The column's name.
    pub name: String,
    /// The column's kind.
    pub kind: ColumnKind,
    /// Its limits in the box.
    pub bounds: DimBounds,
}

/// The limits of `entry`'s restricted columns, in input order;
/// unrestricted columns are left out. For a `[sweep]` snippet that narrows
/// the design to the box.
pub fn restricted_limits(data: &PrimData, entry: &TrajectoryEntry) -> Vec<DimLimit> {
    let init = initial_limits(data);
    entry
        .restricted
        .iter()
        .map(|&c| {
            let bounds = match (&entry.limits[c], &init[c], data.kinds[c]) {
                (
                    Limit::Numeric { lower, upper },
                    Limit::Numeric {
                        lower: l0,
                        upper: u0,
                    },
                    kind,
                ) => {
                    let (lower_restricted, upper_restricted) = (lower != l0, upper != u0);
                    if kind == ColumnKind::Integer {
                        DimBounds::Integer {
                            lower: lower.ceil() as i64,
                            upper: upper.floor() as i64,
                            lower_restricted,
                            upper_restricted,
                        }
                    } else {
                        DimBounds::Float {
                            lower: *lower,
                            upper: *upper,
                            lower_restricted,
                            upper_restricted,
                        }
                    }
                }
                (Limit::Categorical { included }, _, _) => DimBounds::Categorical {
                    levels: data
                        .levels(c)
                        .iter()
                        .zip(included)
                        .filter(|(_, keep)| **keep)
                        .map(|(l, _)| l.clone())
                        .collect(),
                },
                (Limit::Numeric { .. }, Limit::Categorical { .. }, _) => {
                    unreachable!("limits follow the column kinds")
                }
            };
            DimLimit {
                name: data.names[c].clone(),
                kind: data.kinds[c],
                bounds,
            }
        })
        .collect()
}

/// A sweep point's outcome for PRIM: how many of its runs finished, how
/// many of those met the condition, and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PointOutcome {
    /// Runs that finished.
    pub finished: usize,
    /// Finished runs meeting the condition.
    pub meeting: usize,
    /// Runs that failed (left out of the share).
    pub failed: usize,
}

impl PointOutcome {
    /// The share of finished runs meeting the condition; `None` when no
    /// run finished (such a point cannot enter PRIM).
    pub fn share(&self) -> Option<f64> {
        (self.finished > 0).then(|| self.meeting as f64 / self.finished as f64)
    }
}

/// Tally runs per point: `runs` yields, per run, its point's index and
/// `Some(meets condition)` if it finished or `None` if it failed.
///
/// # Panics
/// If a point index is not below `points`.
pub fn tally_outcomes(
    points: usize,
    runs: impl IntoIterator<Item = (usize, Option<bool>)>,
) -> Vec<PointOutcome> {
    let mut out = vec![PointOutcome::default(); points];
    for (point, result) in runs {
        let o = &mut out[point];
        match result {
            Some(meets) => {
                o.finished += 1;
                o.meeting += usize::from(meets);
            }
            None => o.failed += 1,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ema_quantile_examples() {
        let a: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(quantile_between(&a, 0.9), 8.5);
        assert_eq!(quantile_between(&a, 0.1), 0.5);
        let b = [1.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 9.0];
        assert_eq!(quantile_between(&b, 0.9), 8.5);
        assert_eq!(quantile_between(&b, 0.1), 1.5);
        // Unsorted input is sorted first.
        let c = [9.0, 1.0, 5.0, 3.0, 7.0, 2.0, 8.0, 4.0, 6.0, 0.0];
        assert_eq!(quantile_between(&c, 0.9), 8.5);
    }

    #[test]
    fn quantile_of_constant_data_is_the_constant() {
        assert_eq!(quantile_between(&[3.0; 7], 0.95), 3.0);
        assert_eq!(quantile_between(&[3.0; 7], 0.05), 3.0);
    }

    #[test]
    fn pairwise_sum_small_and_blocked() {
        assert_eq!(pairwise_sum(&[]), 0.0);
        assert_eq!(pairwise_sum(&[1.0, 2.0, 3.0]), 6.0);
        // 1e16 + 1 + ... loses the ones sequentially but not when the
        // eight accumulators hold them apart: the order is observable.
        let mut a = vec![1.0; 16];
        a[0] = 1e16;
        let sequential: f64 = a.iter().sum();
        assert_eq!(sequential, 1e16);
        assert_eq!(pairwise_sum(&a), 1e16 + 14.0);
    }

    /// P(X ≥ k) by direct summation of exact binomial coefficients.
    fn tail_direct(k: u64, n: u64, p: f64) -> f64 {
        let mut total = 0.0;
        for j in k..=n {
            let mut c = 1.0;
            for i in 0..j {
                c = c * (n - i) as f64 / (i + 1) as f64;
            }
            total += c * p.powi(j as i32) * (1.0 - p).powi((n - j) as i32);
        }
        total
    }

    #[test]
    fn binomial_tail_matches_direct_sums() {
        for &(n, p) in &[(1u64, 0.3), (7, 0.5), (20, 0.1), (40, 0.77), (60, 0.02)] {
            for k in 0..=n + 1 {
                let got = binomial_upper_tail(k, n, p);
                let want = tail_direct(k, n, p);
                assert!(
                    (got - want).abs() <= 1e-13 * want.max(1e-300) + 1e-300,
                    "n={n} p={p} k={k}: {got} vs {want}"
                );
            }
        }
    }

    #[test]
    fn binomial_tail_edges_and_scipy_example() {
        assert_eq!(binomial_upper_tail(0, 10, 0.3), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.3), 0.0);
        assert_eq!(binomial_upper_tail(3, 10, 0.0), 0.0);
        assert_eq!(binomial_upper_tail(10, 10, 1.0), 1.0);
        // scipy.stats.binomtest(3, n=15, p=0.1, alternative="greater")
        // documents 0.18406106910639114.
        let got = binomial_upper_tail(3, 15, 0.1);
        assert!((got - 0.184_061_069_106_391_14).abs() < 1e-15, "{got}");
    }

    #[test]
    fn stirling_table_matches_series_and_definition() {
        // The series is accurate to rounding past 15; the table must join it.
        for n in 1..=15u64 {
            let nf = n as f64;
            let by_lgamma = libm::lgamma(nf + 1.0) - (nf + 0.5) * libm::log(nf) + nf - 0.5 * LN_2PI;
            assert!((stirling_error(n) - by_lgamma).abs() < 1e-13, "n={n}");
        }
    }

    fn toy() -> PrimData {
        // y = 1 where x ≥ 6 on 0..=9; a second, useless column.
        PrimData::new(
            vec![
                Column::float("x", (0..10).map(f64::from).collect()),
                Column::float("z", vec![0.0; 10]),
            ],
            (0..10).map(|i| if i >= 6 { 1.0 } else { 0.0 }).collect(),
        )
        .unwrap()
    }

    #[test]
    fn peeling_by_hand_on_ten_rows() {
        // peel_alpha 0.1: lower cut at quantile 0.1 of 0..9 = 0.5, removing
        // row 0 (mean 4/9, objective (4/9 − 4/10)/1); the upper cut 8.5
        // removes a case (objective < 0). The lower cut wins each step
        // until the box is [5.5, 9] with density 1.
        let data = toy();
        let found = peel_in_tenths(&data);
        let t = &found[0].trajectory;
        let lowers: Vec<f64> = t
            .iter()
            .map(|e| match e.limits[0] {
                Limit::Numeric { lower, .. } => lower,
                _ => unreachable!(),
            })
            .collect();
        assert_eq!(lowers, vec![0.0, 0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
        let last = t.last().unwrap();
        assert_eq!(
            (last.n, last.k, last.density, last.coverage),
            (4, 4.0, 1.0, 1.0)
        );
        assert_eq!(last.restricted, vec![0]);
        assert_eq!(found[0].members, vec![6, 7, 8, 9]);
    }

    /// Shares of 4 runs: 3 of 4 meet the condition where x ≥ 6. The box
    /// [5.5, 9] holds 4 rows, k = 3; relaxing its lower bound gives every
    /// row, p = 0.3. EMA's test of rows: P(X ≥ 3 | 4, 0.3) = 0.0837; of
    /// runs: P(X ≥ 12 | 16, 0.3) = 2.658e-4 (worked out in exact sums).
    #[test]
    fn quasi_p_counts_runs_behind_shares() {
        let shares = || {
            PrimData::new(
                vec![Column::float("x", (0..10).map(f64::from).collect())],
                (0..10).map(|i| if i >= 6 { 0.75 } else { 0.0 }).collect(),
            )
            .unwrap()
        };
        let config = PrimConfig {
            peel_alpha: 0.1,
            mass_min: 0.0,
            ..PrimConfig::default()
        };
        let lower_p = |data: &PrimData| {
            let found = discover(data, config, 1).unwrap();
            let last = found[0].trajectory.last().unwrap().clone();
            assert_eq!((last.n, last.k), (4, 3.0));
            match last.quasi_p[..] {
                [
                    (
                        0,
                        QuasiP::Bounds {
                            lower: Some(p),
                            upper: None,
                        },
                    ),
                ] => p,
                ref other => panic!("{other:?}"),
            }
        };
        assert!((lower_p(&shares()) - 0.0837).abs() < 1e-12);
        let runs = shares().with_runs(vec![4; 10]).unwrap();
        assert!((lower_p(&runs) - 2.658313054484998e-4).abs() < 1e-15);
        // A share that is no whole number of its runs is refused.
        assert!(shares().with_runs(vec![3; 10]).is_err());
        assert!(shares().with_runs(vec![4; 9]).is_err());
    }

    #[test]
    fn mass_min_stops_peeling() {
        let data = toy();
        let config = PrimConfig {
            peel_alpha: 0.1,
            mass_min: 0.7,
            ..PrimConfig::default()
        };
        let found = discover(&data, config, 1).unwrap();
        let last = found[0].trajectory.last().unwrap();
        assert_eq!(last.n, 7);
        assert!(last.mass >= 0.7);
    }

    #[test]
    fn second_box_searches_the_rest() {
        let data = toy();
        let config = PrimConfig {
            peel_alpha: 0.1,
            mass_min: 0.0,
            ..PrimConfig::default()
        };
        let found = discover(&data, config, 3).unwrap();
        // The second search sees rows 0..=5, all zeros: nothing to peel, so
        // its initial box is chosen and takes every remaining row.
        assert_eq!(found.len(), 2);
        assert_eq!(found[1].searched_rows, vec![0, 1, 2, 3, 4, 5]);
        assert_eq!(found[1].trajectory.len(), 1);
        assert_eq!(found[1].trajectory[0].coverage, 0.0);
    }

    #[test]
    fn density_selections() {
        let data = toy();
        let config = PrimConfig {
            peel_alpha: 0.1,
            mass_min: 0.0,
            selection: BoxSelection::MaxCoverageAtDensity(0.6),
            ..PrimConfig::default()
        };
        let found = discover(&data, config, 1).unwrap();
        let e = found[0].selected_entry().unwrap();
        // Densities 4/10, 4/9, 4/8, 4/7, 4/6 = 0.667 first reaches 0.6.
        assert_eq!(e.n, 6);
        assert_eq!(found[0].members, vec![4, 5, 6, 7, 8, 9]);
        let none = discover(
            &data,
            PrimConfig {
                selection: BoxSelection::MaxCoverageAtDensity(1.0),
                mass_min: 0.5,
                ..config
            },
            3,
        )
        .unwrap();
        assert_eq!(none.len(), 1);
        assert_eq!(none[0].selected, None);
        assert!(none[0].members.is_empty());
        // The last box (density 0.8 at mass 0.5) meets 0.8 but not 0.9.
        let last = |d| {
            let config = PrimConfig {
                selection: BoxSelection::LastAtDensity(d),
                mass_min: 0.5,
                ..config
            };
            discover(&data, config, 3).unwrap()
        };
        let met = last(0.8);
        assert_eq!(met[0].selected, Some(5));
        assert_eq!(met[0].members, vec![5, 6, 7, 8, 9]);
        assert_eq!(met.len(), 2);
        let unmet = last(0.9);
        assert_eq!((unmet.len(), unmet[0].selected), (1, None));
    }

    /// PRIM's first box of `data`, peeling a tenth at a time down to any
    /// mass.
    fn peel_in_tenths(data: &PrimData) -> Vec<FoundBox> {
        let config = PrimConfig {
            peel_alpha: 0.1,
            mass_min: 0.0,
            ..PrimConfig::default()
        };
        discover(data, config, 1).unwrap()
    }

    /// The one peel of an integer column `x` with cases where `case`
    /// holds: its limits, rows and density.
    fn one_integer_peel(x: Vec<i64>, case: fn(i64) -> bool) -> (Limit, usize, f64) {
        let y: Vec<f64> = x.iter().map(|&v| f64::from(u8::from(case(v)))).collect();
        let data = PrimData::new(vec![Column::integer("i", x)], y).unwrap();
        let found = discover(
            &data,
            PrimConfig {
                mass_min: 0.0,
                ..PrimConfig::default()
            },
            1,
        )
        .unwrap();
        let t = &found[0].trajectory;
        assert_eq!(t.len(), 2);
        (t[1].limits[0].clone(), t[1].n, t[1].density)
    }

    #[test]
    fn integer_peel_moves_past_a_bound_the_cut_cannot_move() {
        // Seven zeros, then 1, 2, 3; cases where x > 0. The lower cut is
        // quantile 0.05 = (0 + 1)/2, truncated to 0: the current bound, so
        // EMA peels the value 0 itself and the new bound is the smallest
        // value left, 1. Without that rule the peel would remove nothing.
        let bounds = |lower, upper| Limit::Numeric { lower, upper };
        assert_eq!(
            one_integer_peel(vec![0, 0, 0, 0, 0, 0, 0, 1, 2, 3], |v| v > 0),
            (bounds(1.0, 3.0), 3, 1.0)
        );
        // The upper bound's mirror: −3, −2, −1, then seven zeros; cases
        // where x < 0. The upper cut, quantile 0.95 = (−1 + 0)/2 truncated
        // towards zero, is 0: the value 0 is peeled, the new bound −1.
        assert_eq!(
            one_integer_peel(vec![-3, -2, -1, 0, 0, 0, 0, 0, 0, 0], |v| v < 0),
            (bounds(-3.0, -1.0), 3, 1.0)
        );
    }

    #[test]
    fn categorical_peel_drops_the_worst_category() {
        let c: Vec<String> = ["a", "b", "c", "a", "b", "c", "a", "b", "c", "c"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let y = vec![1.0, 1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.0];
        let data = PrimData::new(vec![Column::categorical("c", c)], y).unwrap();
        let found = discover(
            &data,
            PrimConfig {
                mass_min: 0.0,
                ..PrimConfig::default()
            },
            1,
        )
        .unwrap();
        let t = &found[0].trajectory;
        // Dropping c (4 rows, no case) first, then b (2 of 3), leaving a.
        assert_eq!(
            t[1].limits[0],
            Limit::Categorical {
                included: vec![true, true, false]
            }
        );
        let lim = restricted_limits(&data, t.last().unwrap());
        assert_eq!(
            lim[0].bounds,
            DimBounds::Categorical {
                levels: vec!["a".into()]
            }
        );
    }

    #[test]
    fn categories_tie_in_sorted_order() {
        // Dropping "b" or "c" (two rows each, no case) scores the same;
        // the first in sorted label order goes first.
        let c: Vec<String> = ["c", "b", "a", "a", "b", "c", "a", "a"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let y = vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 0.0];
        let data = PrimData::new(vec![Column::categorical("c", c)], y).unwrap();
        let found = discover(
            &data,
            PrimConfig {
                mass_min: 0.0,
                ..PrimConfig::default()
            },
            1,
        )
        .unwrap();
        assert_eq!(
            found[0].trajectory[1].limits[0],
            Limit::Categorical {
                included: vec![true, false, true]
            }
        );
    }

    #[test]
    fn outcomes_tally_shares_without_failed_runs() {
        let runs = [
            (0, Some(true)),
            (0, Some(false)),
            (1, None),
            (0, Some(true)),
            (0, None),
            (2, Some(false)),
        ];
        let t = tally_outcomes(3, runs);
        assert_eq!(
            t[0],
            PointOutcome {
                finished: 3,
                meeting: 2,
                failed: 1
            }
        );
        assert_eq!(t[0].share(), Some(2.0 / 3.0));
        assert_eq!(t[1].share(), None);
        assert_eq!(t[2].share(), Some(0.0));
    }

    #[test]
    fn invalid_inputs_are_refused() {
        let bad_y = PrimData::new(vec![Column::float("x", vec![1.0])], vec![1.5]);
        assert_eq!(
            bad_y.unwrap_err(),
            PrimError::BadOutcome { row: 0, value: 1.5 }
        );
        let nan = PrimData::new(vec![Column::float("x", vec![f64::NAN])], vec![1.0]);
        assert!(matches!(nan, Err(PrimError::NonFinite { row: 0, .. })));
        let dup = PrimData::new(
            vec![Column::float("x", vec![1.0]), Column::float("x", vec![1.0])],
            vec![1.0],
        );
        assert_eq!(dup.unwrap_err(), PrimError::DuplicateColumn("x".into()));
        let data = toy();
        let bad = PrimConfig {
            peel_alpha: 0.0,
            ..PrimConfig::default()
        };
        assert!(matches!(
            discover(&data, bad, 1),
            Err(PrimError::BadSetting {
                name: "peel_alpha",
                ..
            })
        ));
    }

    /// LENIENT1 scores a peel by its gain in mean per row removed. On
    /// x = 0, 0, 0, 1, …, 7 with cases at one x = 0 row and at x = 1..6 (7
    /// of 10), peel_alpha 0.1 proposes the upper cut 6.5 (removing x = 7,
    /// no case: mean 7/9, a gain of 7/90 = 0.078 for one row) and the
    /// lower cut 0.5 (removing the three x = 0 rows, one case: mean 6/7, a
    /// gain of 0.157 for three rows, 0.052 a row): the upper cut wins,
    /// though its gain in all is the smaller.
    #[test]
    fn a_peel_is_scored_by_its_gain_per_row_removed() {
        let x = vec![0.0, 0.0, 0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0];
        let y = vec![0.0, 0.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 0.0];
        let data = PrimData::new(vec![Column::float("x", x)], y).unwrap();
        let found = peel_in_tenths(&data);
        let first = &found[0].trajectory[1];
        assert_eq!(
            first.limits[0],
            Limit::Numeric {
                lower: 0.0,
                upper: 6.5
            }
        );
        assert_eq!((first.n, first.k), (9, 7.0));
    }

    /// Between peels of equal score the one that restricts no further
    /// column wins: with z a copy of x, the first peel cuts x (the first
    /// proposed) and every later one cuts x again, not z, so the box
    /// restricts x alone.
    #[test]
    fn a_tie_goes_to_the_peel_that_restricts_fewer_columns() {
        let x: Vec<f64> = (0..10).map(f64::from).collect();
        let data = PrimData::new(
            vec![Column::float("x", x.clone()), Column::float("z", x)],
            (0..10).map(|i| if i >= 6 { 1.0 } else { 0.0 }).collect(),
        )
        .unwrap();
        let found = peel_in_tenths(&data);
        let last = found[0].trajectory.last().unwrap();
        assert_eq!((last.n, last.density), (4, 1.0));
        assert!(
            found[0].trajectory.iter().all(|e| e.restricted.len() <= 1),
            "{:?}",
            found[0].trajectory
        );
        assert_eq!(last.restricted, [0]);
    }

    /// Coverage is k over max(Σy, 1) (EMA's denominator): shares of 0.05
    /// at the four rows x ≥ 6 sum to 0.2, so the initial box, holding
    /// every case, has coverage 0.2, not 1.
    #[test]
    fn coverage_of_shares_summing_below_one_is_over_one() {
        let data = PrimData::new(
            vec![Column::float("x", (0..10).map(f64::from).collect())],
            (0..10).map(|i| if i >= 6 { 0.05 } else { 0.0 }).collect(),
        )
        .unwrap();
        let found = discover(&data, PrimConfig::default(), 1).unwrap();
        let initial = &found[0].trajectory[0];
        assert!((initial.k - 0.2).abs() < 1e-15);
        assert!(
            (initial.coverage - 0.2).abs() < 1e-15,
            "{}",
            initial.coverage
        );
    }

    /// EMA passes int(k) to the binomial test: shares of 0.7 at x ≥ 6 put
    /// k = 2.8 in the box [5.5, 9] of 4 rows, tested as 2 hits; relaxing
    /// the lower bound gives every row, density 2.8/10 = 0.28:
    /// P(X ≥ 2 | 4, 0.28) = 1 − 0.72⁴ − 4 · 0.28 · 0.72³ = 0.31322368.
    #[test]
    fn quasi_p_truncates_a_fractional_count_of_cases() {
        let data = PrimData::new(
            vec![Column::float("x", (0..10).map(f64::from).collect())],
            (0..10).map(|i| if i >= 6 { 0.7 } else { 0.0 }).collect(),
        )
        .unwrap();
        let found = peel_in_tenths(&data);
        let last = found[0].trajectory.last().unwrap();
        assert_eq!(last.n, 4);
        assert!((last.k - 2.8).abs() < 1e-12);
        match last.quasi_p[..] {
            [
                (
                    0,
                    QuasiP::Bounds {
                        lower: Some(p),
                        upper: None,
                    },
                ),
            ] => assert!((p - 0.313_223_68).abs() < 1e-12, "{p}"),
            ref other => panic!("{other:?}"),
        }
    }

    /// Each bound's quasi-p is tested against the density of the box with
    /// that bound alone relaxed, not of every row: cases at x = 3..6 of
    /// 0..=9 give the box [2.5, 6.5] (4 rows, 4 cases); relaxing its lower
    /// bound gives rows 0..=6, relaxing its upper bound rows 3..=9, each
    /// 4 cases in 7: P(X ≥ 4 | 4, 4/7) = (4/7)⁴ = 256/2401 for both.
    #[test]
    fn quasi_p_relaxes_one_bound_at_a_time() {
        let data = PrimData::new(
            vec![Column::float("x", (0..10).map(f64::from).collect())],
            (0..10)
                .map(|i| if (3..=6).contains(&i) { 1.0 } else { 0.0 })
                .collect(),
        )
        .unwrap();
        let found = peel_in_tenths(&data);
        let last = found[0].trajectory.last().unwrap();
        assert_eq!(
            last.limits[0],
            Limit::Numeric {
                lower: 2.5,
                upper: 6.5
            }
        );
        let want = 256.0 / 2401.0;
        match last.quasi_p[..] {
            [
                (
                    0,
                    QuasiP::Bounds {
                        lower: Some(lo),
                        upper: Some(hi),
                    },
                ),
            ] => assert!(
                (lo - want).abs() < 1e-14 && (hi - want).abs() < 1e-14,
                "{lo} {hi}"
            ),
            ref other => panic!("{other:?}"),
        }
    }

    /// An integer column's bounds, which pasting may leave between
    /// integers, are snapped inwards: [1.5, 3.5] keeps the values 2 and 3.
    #[test]
    fn integer_limits_between_integers_are_snapped_inwards() {
        let data = PrimData::new(
            vec![Column::integer("i", vec![0, 1, 2, 3, 4, 5])],
            vec![0.0, 0.0, 1.0, 1.0, 0.0, 0.0],
        )
        .unwrap();
        let entry = TrajectoryEntry {
            id: 1,
            phase: Phase::Paste,
            n: 2,
            k: 2.0,
            coverage: 1.0,
            density: 1.0,
            mass: 1.0 / 3.0,
            restricted: vec![0],
            limits: vec![Limit::Numeric {
                lower: 1.5,
                upper: 3.5,
            }],
            quasi_p: Vec::new(),
        };
        assert_eq!(
            restricted_limits(&data, &entry)[0].bounds,
            DimBounds::Integer {
                lower: 2,
                upper: 3,
                lower_restricted: true,
                upper_restricted: true
            }
        );
    }

    /// A paste widens a bound by the `1 − paste_alpha` quantile of the rows
    /// just outside it. Cases at x = 3 and 5..=19 of 0..=19 (16 of 20);
    /// peel_alpha 0.2 peels x below 3.5 (density 15/16), and mass_min 0.7
    /// stops the next peel (to 12 rows). Below the bound lie 0, 1, 2, 3,
    /// whose 95 % quantile between distinct values is (2 + 3)/2 = 2.5: the
    /// paste takes back x = 3, a case, for density 16/17 (their 5 %
    /// quantile, 0.5, would take back two non-cases as well and lower it).
    #[test]
    fn a_paste_takes_back_the_rows_just_below_the_bound() {
        let data = PrimData::new(
            vec![Column::float("x", (0..20).map(f64::from).collect())],
            (0..20)
                .map(|i| if i == 3 || i >= 5 { 1.0 } else { 0.0 })
                .collect(),
        )
        .unwrap();
        let config = PrimConfig {
            peel_alpha: 0.2,
            mass_min: 0.7,
            ..PrimConfig::default()
        };
        let found = discover(&data, config, 1).unwrap();
        let t = &found[0].trajectory;
        let phases: Vec<Phase> = t.iter().map(|e| e.phase).collect();
        assert_eq!(phases, [Phase::Initial, Phase::Peel, Phase::Paste]);
        let lower = |e: &TrajectoryEntry| match e.limits[0] {
            Limit::Numeric { lower, .. } => lower,
            _ => unreachable!(),
        };
        assert_eq!((lower(&t[1]), t[1].n, t[1].k), (3.5, 16, 15.0));
        assert_eq!((lower(&t[2]), t[2].n, t[2].k), (2.5, 17, 16.0));
    }
}

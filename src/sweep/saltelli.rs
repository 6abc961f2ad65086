//! Saltelli's design for Sobol' sensitivity indices, point for point as
//! SALib 1.6.0's `SALib.sample.sobol.sample` writes it.
//!
//! `N` base rows of a `2D`-dimensional Sobol' sequence are split into two
//! matrices: A (the first `D` columns) and B (the last `D`). Each base row
//! gives a block of points, in this order:
//!
//! 1. A;
//! 2. AB_1 … AB_D: A with column j taken from B;
//! 3. BA_1 … BA_D (second order only): B with column j taken from A;
//! 4. B.
//!
//! That is `N(D+2)` points, or `N(2D+2)` with second order. Every point
//! carries its [`SaltelliRole`] (base row and matrix), so the analysis
//! groups outputs by role and never by row position.
//!
//! Sequence options, against SALib 1.6.0 (Iwanaga, Usher & Herman 2022,
//! `sample/sobol.py`):
//!
//! - `scramble_seed = None` with `skip = M` gives the unscrambled points
//!   `M .. M+N` of the sequence, exactly SALib's
//!   `sample(problem, N, scramble=False, skip_values=M)` (SALib draws from
//!   SciPy's `qmc.Sobol(2D, scramble=False)`, which is the same Joe & Kuo
//!   sequence in the same Gray-code order).
//! - `scramble_seed = Some(seed)` scrambles the sequence with the project's
//!   hash-based Owen scramble. SALib's default, `scramble=True`, uses
//!   SciPy's linear matrix scramble with a digital shift drawn from NumPy's
//!   generator; no seed reproduces it outside NumPy, so scrambled designs
//!   are equivalent in law to SALib's, not equal point for point.
//! - SALib does not require `N` to be a power of two, nor `skip` to be one;
//!   it (through SciPy) warns. The same cases give a [`SaltelliWarning`]
//!   here, and the design is still generated.

use crate::sweep::sobol::{SOBOL_MAX_DIMS, SobolError, unit_sobol};

/// Which of Saltelli's matrices a point comes from. Columns are 0-based
/// parameter indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SaltelliMatrix {
    /// The base matrix A.
    A,
    /// A with column `j` replaced by B's: varies parameter `j` alone
    /// relative to A (first and total order).
    AB(usize),
    /// B with column `j` replaced by A's (second order only).
    BA(usize),
    /// The base matrix B.
    B,
}

impl SaltelliMatrix {
    /// The matrix's name without its column: `A`, `AB`, `BA` or `B` (the
    /// value of a `role_matrix` column).
    pub fn label(self) -> &'static str {
        match self {
            SaltelliMatrix::A => "A",
            SaltelliMatrix::AB(_) => "AB",
            SaltelliMatrix::BA(_) => "BA",
            SaltelliMatrix::B => "B",
        }
    }

    /// The parameter column for AB and BA; `None` for A and B.
    pub fn column(self) -> Option<usize> {
        match self {
            SaltelliMatrix::AB(j) | SaltelliMatrix::BA(j) => Some(j),
            SaltelliMatrix::A | SaltelliMatrix::B => None,
        }
    }

    /// The matrix from its [`label`](Self::label) and column, as read back
    /// from a table.
    ///
    /// # Errors
    ///
    /// An unknown label, a column given for A or B, or none for AB or BA.
    pub fn from_label(label: &str, column: Option<usize>) -> Result<Self, RoleError> {
        match (label, column) {
            ("A", None) => Ok(SaltelliMatrix::A),
            ("B", None) => Ok(SaltelliMatrix::B),
            ("AB", Some(j)) => Ok(SaltelliMatrix::AB(j)),
            ("BA", Some(j)) => Ok(SaltelliMatrix::BA(j)),
            ("A" | "B", Some(j)) => Err(RoleError::UnexpectedColumn {
                label: label.to_string(),
                column: j,
            }),
            ("AB" | "BA", None) => Err(RoleError::MissingColumn(label.to_string())),
            _ => Err(RoleError::UnknownMatrix(label.to_string())),
        }
    }
}

/// Why a role read back from a table is not a Saltelli role.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RoleError {
    /// The matrix label is none of A, AB, BA, B.
    #[error("unknown Saltelli matrix {0:?}: expected A, AB, BA or B")]
    UnknownMatrix(String),
    /// AB and BA need the column that was swapped.
    #[error("Saltelli matrix {0} needs a column (the parameter swapped)")]
    MissingColumn(String),
    /// A and B have no swapped column.
    #[error("Saltelli matrix {label} has no column, got {column}")]
    UnexpectedColumn {
        /// The label, A or B.
        label: String,
        /// The column given.
        column: usize,
    },
}

/// What a design point is for: its base row and matrix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SaltelliRole {
    /// Index of the base row (0-based), i.e. of the block.
    pub base_row: usize,
    /// The matrix (and column) the point comes from.
    pub matrix: SaltelliMatrix,
}

/// As `points.csv` names it: "base row 3, matrix AB column 1".
impl std::fmt::Display for SaltelliRole {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "base row {}, matrix ", self.base_row)?;
        match self.matrix {
            SaltelliMatrix::A => write!(f, "A"),
            SaltelliMatrix::B => write!(f, "B"),
            SaltelliMatrix::AB(j) => write!(f, "AB column {j}"),
            SaltelliMatrix::BA(j) => write!(f, "BA column {j}"),
        }
    }
}

impl SaltelliRole {
    /// The row of this role in SALib's layout: `base_row * block + offset`,
    /// with `block` = `D + 2` or `2D + 2` and offset 0 for A, `1 + j` for
    /// AB_j, `1 + D + j` for BA_j and `block - 1` for B. `None` if the
    /// column is out of range or BA is asked for without second order.
    pub fn salib_row(self, dims: usize, second_order: bool) -> Option<usize> {
        let block = block_size(dims, second_order);
        let offset = match self.matrix {
            SaltelliMatrix::A => 0,
            SaltelliMatrix::AB(j) if j < dims => 1 + j,
            SaltelliMatrix::BA(j) if j < dims && second_order => 1 + dims + j,
            SaltelliMatrix::B => block - 1,
            _ => return None,
        };
        Some(self.base_row * block + offset)
    }
}

/// Points per base row: `D + 2`, or `2D + 2` with second order.
pub fn block_size(dims: usize, second_order: bool) -> usize {
    if second_order { 2 * dims + 2 } else { dims + 2 }
}

/// The matrices of one block in SALib's order: A, AB_0…AB_{D-1},
/// BA_0…BA_{D-1} (second order), B.
pub fn block_matrices(dims: usize, second_order: bool) -> Vec<SaltelliMatrix> {
    let mut m = Vec::with_capacity(block_size(dims, second_order));
    m.push(SaltelliMatrix::A);
    m.extend((0..dims).map(SaltelliMatrix::AB));
    if second_order {
        m.extend((0..dims).map(SaltelliMatrix::BA));
    }
    m.push(SaltelliMatrix::B);
    m
}

/// How to build a Saltelli design.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltelliOptions {
    /// `N`, the number of base rows.
    pub base_rows: usize,
    /// Add the BA matrices, needed for second-order indices.
    pub second_order: bool,
    /// Owen-scramble the Sobol' sequence with this seed (recommended, and
    /// the project's default: the sweep's seed); `None` for the plain
    /// sequence, which is SALib's `scramble=False`.
    pub scramble_seed: Option<u64>,
    /// Sobol' points to skip before the first base row (SALib's
    /// `skip_values`; 0 by default, as in SALib).
    pub skip: usize,
}

/// One design point in the unit hypercube, with its role.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliPoint {
    /// What the point is for.
    pub role: SaltelliRole,
    /// One coordinate per parameter in `[0, 1)`.
    pub unit: Vec<f64>,
}

/// The shape of a Saltelli design: all the analysis needs besides outputs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SaltelliLayout {
    /// `D`, the number of parameters.
    pub dims: usize,
    /// `N`, the number of base rows (blocks).
    pub base_rows: usize,
    /// Whether the blocks hold the BA matrices.
    pub second_order: bool,
}

/// A generated Saltelli design.
#[derive(Debug, Clone, PartialEq)]
pub struct SaltelliDesign {
    /// `D`, the number of parameters.
    pub dims: usize,
    /// `N`, the number of base rows.
    pub base_rows: usize,
    /// Whether the BA matrices are present.
    pub second_order: bool,
    /// The points in SALib's order (block by block).
    pub points: Vec<SaltelliPoint>,
    /// Cases where SALib (or SciPy) would warn.
    pub warnings: Vec<SaltelliWarning>,
}

/// A design SALib accepts with a warning: generated, but worth telling.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SaltelliWarning {
    /// SciPy: the balance properties of Sobol' points require `N` to be a
    /// power of two (only checked without skip, as SciPy does).
    #[error(
        "{0} base rows is not a power of two: Sobol' points keep their balance only in powers of two"
    )]
    BaseRowsNotPowerOfTwo(usize),
    /// SALib: convergence properties hold only if `skip` is a power of two
    /// (SALib also warns for 1).
    #[error(
        "skipping {0} points: convergence properties hold only if skip is a power of two (2 or more)"
    )]
    SkipNotPowerOfTwo(usize),
    /// SALib: convergence may not hold when `N > skip` (compared as
    /// `floor(log2 N) > floor(log2 skip)`).
    #[error("{base_rows} base rows exceed the {skip} points skipped: convergence may not hold")]
    BaseRowsExceedSkip {
        /// `N`.
        base_rows: usize,
        /// `skip`.
        skip: usize,
    },
}

/// Why a Saltelli design cannot be generated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SaltelliError {
    /// No parameters.
    #[error("the saltelli design has no parameters: add at least one parameter to sweep")]
    NoParameters,
    /// Zero base rows.
    #[error("the saltelli design needs at least 1 base row, got 0: set `points`")]
    NoBaseRows,
    /// The 2D-dimensional sequence needs more dimensions than the table.
    #[error(
        "too many parameters for saltelli: {dims} > {max} (the design draws 2 x {dims} Sobol' dimensions, at most {sobol}): sweep fewer parameters or use morris",
        max = SOBOL_MAX_DIMS / 2,
        sobol = SOBOL_MAX_DIMS
    )]
    TooManyParameters {
        /// `D` asked for.
        dims: usize,
    },
    /// `skip + N` overflows the sequence.
    #[error("skip {skip} + {base_rows} base rows is too many Sobol' points")]
    TooManyPoints {
        /// `skip`.
        skip: usize,
        /// `N`.
        base_rows: usize,
    },
    /// The Sobol' generator refused.
    #[error(transparent)]
    Sobol(#[from] SobolError),
}

/// Builds the Saltelli design for `dims` parameters.
///
/// The base rows are Sobol' points `skip .. skip + N` of dimension `2D`
/// (drawn as the first power of two at or above `skip + N` points, which
/// leaves points `0 .. skip + N` unchanged).
///
/// # Errors
///
/// No parameters, no base rows, more than half the Sobol' table's
/// dimensions, or more points than the generator indexes.
pub fn saltelli(dims: usize, options: &SaltelliOptions) -> Result<SaltelliDesign, SaltelliError> {
    let SaltelliOptions {
        base_rows,
        second_order,
        scramble_seed,
        skip,
    } = *options;
    if dims == 0 {
        return Err(SaltelliError::NoParameters);
    }
    if base_rows == 0 {
        return Err(SaltelliError::NoBaseRows);
    }
    if 2 * dims > SOBOL_MAX_DIMS {
        return Err(SaltelliError::TooManyParameters { dims });
    }
    let too_many = SaltelliError::TooManyPoints { skip, base_rows };
    let drawn = skip
        .checked_add(base_rows)
        .and_then(usize::checked_next_power_of_two)
        .ok_or(too_many)?;
    let sequence = unit_sobol(drawn, 2 * dims, scramble_seed)?;
    let base = &sequence[skip..skip + base_rows];

    let matrices = block_matrices(dims, second_order);
    let mut points = Vec::with_capacity(base_rows * matrices.len());
    for (base_row, row) in base.iter().enumerate() {
        let (a, b) = row.split_at(dims);
        for &matrix in &matrices {
            let unit = match matrix {
                SaltelliMatrix::A => a.to_vec(),
                SaltelliMatrix::B => b.to_vec(),
                SaltelliMatrix::AB(j) => {
                    let mut x = a.to_vec();
                    x[j] = b[j];
                    x
                }
                SaltelliMatrix::BA(j) => {
                    let mut x = b.to_vec();
                    x[j] = a[j];
                    x
                }
            };
            points.push(SaltelliPoint {
                role: SaltelliRole { base_row, matrix },
                unit,
            });
        }
    }
    Ok(SaltelliDesign {
        dims,
        base_rows,
        second_order,
        points,
        warnings: warnings(base_rows, skip),
    })
}

impl SaltelliDesign {
    /// The design's shape, for the analysis.
    pub fn layout(&self) -> SaltelliLayout {
        SaltelliLayout {
            dims: self.dims,
            base_rows: self.base_rows,
            second_order: self.second_order,
        }
    }
}

/// SALib's and SciPy's warnings for these sizes, in that order.
fn warnings(base_rows: usize, skip: usize) -> Vec<SaltelliWarning> {
    let mut w = Vec::new();
    if skip == 0 {
        if !base_rows.is_power_of_two() {
            w.push(SaltelliWarning::BaseRowsNotPowerOfTwo(base_rows));
        }
        return w;
    }
    if !(skip.is_power_of_two() && skip > 1) {
        w.push(SaltelliWarning::SkipNotPowerOfTwo(skip));
    }
    if base_rows.ilog2() > skip.ilog2() {
        w.push(SaltelliWarning::BaseRowsExceedSkip { base_rows, skip });
    }
    w
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Messages name a role as `points.csv` does, not as a Rust value.
    #[test]
    fn a_role_reads_as_points_csv_names_it() {
        let role = |base_row, matrix| SaltelliRole { base_row, matrix }.to_string();
        assert_eq!(
            role(3, SaltelliMatrix::AB(1)),
            "base row 3, matrix AB column 1"
        );
        assert_eq!(role(0, SaltelliMatrix::A), "base row 0, matrix A");
        assert_eq!(
            role(2, SaltelliMatrix::BA(0)),
            "base row 2, matrix BA column 0"
        );
    }

    fn opts(base_rows: usize, second_order: bool) -> SaltelliOptions {
        SaltelliOptions {
            base_rows,
            second_order,
            scramble_seed: None,
            skip: 0,
        }
    }

    #[test]
    fn block_layout_follows_salib_by_hand() {
        // D = 2, second order: A, AB0, AB1, BA0, BA1, B.
        let d = saltelli(2, &opts(4, true)).unwrap();
        assert_eq!(d.points.len(), 4 * 6);
        // The layout against the base rows, read from the generator (the
        // points themselves are checked against SALib in tests/parity.rs).
        let seq = unit_sobol(4, 4, None).unwrap();
        for (base_row, row) in seq.iter().enumerate() {
            let (a, b) = (&row[..2], &row[2..]);
            let block = &d.points[base_row * 6..base_row * 6 + 6];
            let want: [Vec<f64>; 6] = [
                a.to_vec(),
                vec![b[0], a[1]],
                vec![a[0], b[1]],
                vec![a[0], b[1]],
                vec![b[0], a[1]],
                b.to_vec(),
            ];
            for (p, w) in block.iter().zip(&want) {
                assert_eq!(&p.unit, w, "{:?}", p.role);
                assert_eq!(p.role.base_row, base_row);
            }
            let roles: Vec<_> = block.iter().map(|p| p.role.matrix).collect();
            assert_eq!(roles, block_matrices(2, true));
        }
        for (i, p) in d.points.iter().enumerate() {
            assert_eq!(p.role.salib_row(2, true), Some(i));
        }
    }

    #[test]
    fn first_order_blocks_have_d_plus_2_points() {
        let d = saltelli(3, &opts(8, false)).unwrap();
        assert_eq!(d.points.len(), 8 * 5);
        assert!(
            d.points
                .iter()
                .all(|p| !matches!(p.role.matrix, SaltelliMatrix::BA(_)))
        );
        for (i, p) in d.points.iter().enumerate() {
            assert_eq!(p.role.salib_row(3, false), Some(i));
        }
        assert!(d.warnings.is_empty());
    }

    #[test]
    fn skip_takes_later_points_and_warns_as_salib() {
        let d = saltelli(
            2,
            &SaltelliOptions {
                skip: 3,
                ..opts(5, false)
            },
        )
        .unwrap();
        let seq = unit_sobol(8, 4, None).unwrap();
        assert_eq!(d.points[0].unit, seq[3][..2]);
        assert_eq!(d.points[4 * 4 + 3].unit, seq[7][2..]);
        // 3 is no power of two; floor(log2 5) = 2 > floor(log2 3) = 1.
        assert_eq!(
            d.warnings,
            [
                SaltelliWarning::SkipNotPowerOfTwo(3),
                SaltelliWarning::BaseRowsExceedSkip {
                    base_rows: 5,
                    skip: 3
                }
            ]
        );
        assert_eq!(warnings(6, 0), [SaltelliWarning::BaseRowsNotPowerOfTwo(6)]);
        // SALib warns for skip = 1 twice: 1 counts as no power of two, and
        // floor(log2 8) = 3 > floor(log2 1) = 0.
        assert_eq!(
            warnings(8, 1),
            [
                SaltelliWarning::SkipNotPowerOfTwo(1),
                SaltelliWarning::BaseRowsExceedSkip {
                    base_rows: 8,
                    skip: 1
                }
            ]
        );
        // floor(log2 15) = 3 = floor(log2 8): no warning, as in SALib.
        assert!(warnings(15, 8).is_empty());
    }

    #[test]
    fn scrambled_design_is_seeded_and_keeps_the_layout() {
        let o = SaltelliOptions {
            scramble_seed: Some(7),
            ..opts(16, true)
        };
        let d1 = saltelli(3, &o).unwrap();
        let d2 = saltelli(3, &o).unwrap();
        assert_eq!(d1, d2);
        let plain = saltelli(3, &opts(16, true)).unwrap();
        assert_ne!(d1.points, plain.points);
        let seq = unit_sobol(16, 6, Some(7)).unwrap();
        assert_eq!(d1.points[8 * 3].unit, seq[3][..3]);
        // Every AB_j equals A except in column j, which equals B's.
        for block in d1.points.chunks(8) {
            let (a, b) = (&block[0].unit, &block[7].unit);
            for j in 0..3 {
                for k in 0..3 {
                    let want = if k == j { b[k] } else { a[k] };
                    assert_eq!(block[1 + j].unit[k], want);
                    let want = if k == j { a[k] } else { b[k] };
                    assert_eq!(block[4 + j].unit[k], want);
                }
            }
        }
    }

    #[test]
    fn rejects_bad_sizes_with_the_fix() {
        assert_eq!(
            saltelli(0, &opts(8, true)),
            Err(SaltelliError::NoParameters)
        );
        assert_eq!(saltelli(2, &opts(0, true)), Err(SaltelliError::NoBaseRows));
        assert_eq!(
            saltelli(33, &opts(8, true)),
            Err(SaltelliError::TooManyParameters { dims: 33 })
        );
        assert!(saltelli(32, &opts(2, true)).is_ok());
        let e = saltelli(
            1,
            &SaltelliOptions {
                skip: usize::MAX,
                ..opts(2, false)
            },
        )
        .unwrap_err();
        assert!(matches!(e, SaltelliError::TooManyPoints { .. }), "{e}");
    }

    #[test]
    fn roles_round_trip_through_labels() {
        for m in block_matrices(3, true) {
            assert_eq!(SaltelliMatrix::from_label(m.label(), m.column()), Ok(m));
        }
        assert_eq!(
            SaltelliMatrix::from_label("C", None),
            Err(RoleError::UnknownMatrix("C".into()))
        );
        assert_eq!(
            SaltelliMatrix::from_label("AB", None),
            Err(RoleError::MissingColumn("AB".into()))
        );
        assert!(SaltelliMatrix::from_label("A", Some(0)).is_err());
        let role = SaltelliRole {
            base_row: 2,
            matrix: SaltelliMatrix::BA(1),
        };
        assert_eq!(role.salib_row(2, true), Some(2 * 6 + 4));
        assert_eq!(role.salib_row(2, false), None);
    }
}

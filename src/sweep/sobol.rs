//! The Sobol' sequence: Joe & Kuo (2008) direction numbers and hash-based
//! Owen scrambling (Burley 2020). The sobol and saltelli designs both draw
//! from it, so it sits apart from both.

use super::joe_kuo::JOE_KUO;

/// The most Sobol' dimensions (parameters) available: the embedded
/// direction-number table's size.
pub const SOBOL_MAX_DIMS: usize = JOE_KUO.len() + 1;

/// The most Sobol' points: indices are 32-bit, like the direction numbers.
pub const MAX_SOBOL_POINTS: u64 = 1 << 32;

/// Why the generator cannot give the points asked for. Each message says
/// what to change.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum SobolError {
    /// Zero points.
    #[error("the design needs at least 1 point, got 0: set `points`")]
    NoPoints,
    /// Sobol' points come in powers of two; others lose the balance that
    /// makes them worth using.
    #[error("sobol needs a power of two points, got {got}: use {below} or {above}")]
    NotPowerOfTwo {
        /// Points asked for.
        got: usize,
        /// The power of two below.
        below: u64,
        /// The power of two above.
        above: u64,
    },
    /// More Sobol' points than 32-bit direction numbers can index.
    #[error("too many points for sobol: {0} > {max}: use at most {max}", max = MAX_SOBOL_POINTS)]
    TooManyPoints(usize),
    /// More parameters than the embedded direction-number table covers.
    #[error(
        "too many dimensions for sobol: {0} > {max}: sweep at most {max} parameters with sobol, or use lhs",
        max = SOBOL_MAX_DIMS
    )]
    TooManyDimensions(usize),
}

/// `n` points of the Sobol' sequence in `[0,1)^dims`, indexed
/// `[point][dim]`, starting at index 0, in Gray-code order.
///
/// Dimension 1 is van der Corput; dimensions 2 to [`SOBOL_MAX_DIMS`] use
/// Joe & Kuo's (2008) `new-joe-kuo-6.21201` direction numbers, so
/// unscrambled points equal the published sequence (and e.g. SciPy's
/// `qmc.Sobol(scramble=False)`). With `scramble_seed`, every dimension gets
/// an independent nested uniform (Owen) scramble in base 2, computed by a
/// hash (Burley 2020): it keeps the (t,m,s)-net structure, so every
/// dimension stays stratified and dimensions 1–2 stay a (0,m,2)-net, while
/// removing the sequence's fixed artefacts (the first point at the origin,
/// the visible lattice in some 2-D projections) and making the design a
/// random, unbiased sample.
///
/// # Errors
///
/// If `n` is not a power of two, exceeds [`MAX_SOBOL_POINTS`], or `dims`
/// exceeds [`SOBOL_MAX_DIMS`].
pub fn unit_sobol(
    n: usize,
    dims: usize,
    scramble_seed: Option<u64>,
) -> Result<Vec<Vec<f64>>, SobolError> {
    check_sobol(n, dims)?;
    let directions: Vec<[u32; 32]> = (0..dims).map(direction_numbers).collect();
    let seeds: Vec<Option<u32>> = (0..dims)
        .map(|dim| scramble_seed.map(|s| dimension_seed(s, dim)))
        .collect();
    let mut x = vec![0u32; dims];
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // Gray code: point i differs from point i-1 by the direction number
        // of the lowest set bit of i, one XOR per dimension.
        if i > 0 {
            let bit = i.trailing_zeros() as usize;
            for (xd, v) in x.iter_mut().zip(&directions) {
                *xd ^= v[bit];
            }
        }
        out.push(
            x.iter()
                .zip(&seeds)
                .map(|(&xd, seed)| {
                    let bits = seed.map_or(xd, |s| owen_scramble(xd, s));
                    f64::from(bits) * (1.0 / 4_294_967_296.0)
                })
                .collect(),
        );
    }
    Ok(out)
}

pub(super) fn check_sobol(n: usize, dims: usize) -> Result<(), SobolError> {
    if n == 0 {
        return Err(SobolError::NoPoints);
    }
    if n as u64 > MAX_SOBOL_POINTS {
        return Err(SobolError::TooManyPoints(n));
    }
    if !n.is_power_of_two() {
        let above = (n as u64).next_power_of_two();
        return Err(SobolError::NotPowerOfTwo {
            got: n,
            below: above / 2,
            above,
        });
    }
    if dims > SOBOL_MAX_DIMS {
        return Err(SobolError::TooManyDimensions(dims));
    }
    Ok(())
}

/// The 32 direction numbers `v_1..v_32` of Sobol' dimension `dim` (0-based),
/// as 32-bit binary fractions (`v_k = m_k / 2^k`, stored as `m_k << (32 - k)`).
///
/// Beyond the `s` initial numbers, the recurrence of Bratley & Fox (1988)
/// as Joe & Kuo state it, for the primitive polynomial
/// `x^s + a_1 x^(s-1) + … + a_(s-1) x + 1` (`a_i` the bits of `a`, `a_1`
/// the highest): `v_k = v_(k-s) ^ (v_(k-s) >> s) ^ XOR_(i=1..s-1) a_i v_(k-i)`.
pub(super) fn direction_numbers(dim: usize) -> [u32; 32] {
    let mut v = [0u32; 32];
    if dim == 0 {
        // van der Corput: every m_k = 1.
        for (k, vk) in v.iter_mut().enumerate() {
            *vk = 1 << (31 - k);
        }
        return v;
    }
    let row = &JOE_KUO[dim - 1];
    let s = row.s as usize;
    for k in 0..32 {
        v[k] = if k < s {
            row.m[k] << (31 - k)
        } else {
            let mut x = v[k - s] ^ (v[k - s] >> s);
            for i in 1..s {
                if (row.a >> (s - 1 - i)) & 1 == 1 {
                    x ^= v[k - i];
                }
            }
            x
        };
    }
    v
}

/// An independent 32-bit scramble seed for each dimension, from the design
/// seed (SplitMix64's finaliser over seed and dimension).
pub(super) fn dimension_seed(seed: u64, dim: usize) -> u32 {
    let mut z = seed ^ (dim as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 32) as u32
}

/// Nested uniform (Owen) scrambling of a 32-bit binary fraction, by hashing
/// (Burley 2020, "Practical Hash-based Owen Scrambling", JCGT 9(4)).
///
/// Reversing the bits puts the most significant digit lowest. Every step of
/// the hash then maps bit `j` to `bit_j XOR f(bits below j)` (adding a seed,
/// multiplying by an odd number, or XOR with a multiple by an even number
/// all do), which, reversed back, flips each digit by a function of the
/// digits before it: Owen's nested scramble. That structure is what keeps
/// the net property; the constants are N. Vegdahl's (2021) improved
/// Laine–Karras hash and only affect how random the flips look.
pub(super) fn owen_scramble(x: u32, seed: u32) -> u32 {
    let mut n = x.reverse_bits();
    n ^= n.wrapping_mul(0x3d20_adea);
    n = n.wrapping_add(seed);
    n = n.wrapping_mul((seed >> 16) | 1);
    n ^= n.wrapping_mul(0x0552_6c56);
    n ^= n.wrapping_mul(0x53a2_2864);
    n.reverse_bits()
}

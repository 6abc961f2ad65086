//! The Sobol' direction-number table of Joe and Kuo (2008), as data.

/// One row of Joe & Kuo's table: primitive polynomial of degree `s` with
/// inner coefficients `a` (bit `s-1-i` is `a_i`), and the initial direction
/// numbers `m_1..m_s` (each odd and below `2^k`).
pub(super) struct Row {
    /// Degree of the primitive polynomial.
    pub s: u32,
    /// Its inner coefficients.
    pub a: u32,
    /// The initial direction numbers.
    pub m: &'static [u32],
}

/// Sobol' direction numbers for dimensions 2 to 64, rows 2–64 of
/// `new-joe-kuo-6.21201` (S. Joe and F. Y. Kuo, "Constructing Sobol
/// sequences with better two-dimensional projections", SIAM J. Sci.
/// Comput. 30 (2008) 2635–2654; data © 2008 Frances Y. Kuo and Stephen Joe,
/// distributed by the authors under a BSD-style licence). Dimension 1,
/// van der Corput, needs no row. Checked against SciPy's copy of the table
/// and its unscrambled sequence (see the tests).
pub(super) const JOE_KUO: [Row; 63] = [
    Row {
        s: 1,
        a: 0,
        m: &[1],
    }, // dimension 2
    Row {
        s: 2,
        a: 1,
        m: &[1, 3],
    }, // dimension 3
    Row {
        s: 3,
        a: 1,
        m: &[1, 3, 1],
    }, // dimension 4
    Row {
        s: 3,
        a: 2,
        m: &[1, 1, 1],
    }, // dimension 5
    Row {
        s: 4,
        a: 1,
        m: &[1, 1, 3, 3],
    }, // dimension 6
    Row {
        s: 4,
        a: 4,
        m: &[1, 3, 5, 13],
    }, // dimension 7
    Row {
        s: 5,
        a: 2,
        m: &[1, 1, 5, 5, 17],
    }, // dimension 8
    Row {
        s: 5,
        a: 4,
        m: &[1, 1, 5, 5, 5],
    }, // dimension 9
    Row {
        s: 5,
        a: 7,
        m: &[1, 1, 7, 11, 19],
    }, // dimension 10
    Row {
        s: 5,
        a: 11,
        m: &[1, 1, 5, 1, 1],
    }, // dimension 11
    Row {
        s: 5,
        a: 13,
        m: &[1, 1, 1, 3, 11],
    }, // dimension 12
    Row {
        s: 5,
        a: 14,
        m: &[1, 3, 5, 5, 31],
    }, // dimension 13
    Row {
        s: 6,
        a: 1,
        m: &[1, 3, 3, 9, 7, 49],
    }, // dimension 14
    Row {
        s: 6,
        a: 13,
        m: &[1, 1, 1, 15, 21, 21],
    }, // dimension 15
    Row {
        s: 6,
        a: 16,
        m: &[1, 3, 1, 13, 27, 49],
    }, // dimension 16
    Row {
        s: 6,
        a: 19,
        m: &[1, 1, 1, 15, 7, 5],
    }, // dimension 17
    Row {
        s: 6,
        a: 22,
        m: &[1, 3, 1, 15, 13, 25],
    }, // dimension 18
    Row {
        s: 6,
        a: 25,
        m: &[1, 1, 5, 5, 19, 61],
    }, // dimension 19
    Row {
        s: 7,
        a: 1,
        m: &[1, 3, 7, 11, 23, 15, 103],
    }, // dimension 20
    Row {
        s: 7,
        a: 4,
        m: &[1, 3, 7, 13, 13, 15, 69],
    }, // dimension 21
    Row {
        s: 7,
        a: 7,
        m: &[1, 1, 3, 13, 7, 35, 63],
    }, // dimension 22
    Row {
        s: 7,
        a: 8,
        m: &[1, 3, 5, 9, 1, 25, 53],
    }, // dimension 23
    Row {
        s: 7,
        a: 14,
        m: &[1, 3, 1, 13, 9, 35, 107],
    }, // dimension 24
    Row {
        s: 7,
        a: 19,
        m: &[1, 3, 1, 5, 27, 61, 31],
    }, // dimension 25
    Row {
        s: 7,
        a: 21,
        m: &[1, 1, 5, 11, 19, 41, 61],
    }, // dimension 26
    Row {
        s: 7,
        a: 28,
        m: &[1, 3, 5, 3, 3, 13, 69],
    }, // dimension 27
    Row {
        s: 7,
        a: 31,
        m: &[1, 1, 7, 13, 1, 19, 1],
    }, // dimension 28
    Row {
        s: 7,
        a: 32,
        m: &[1, 3, 7, 5, 13, 19, 59],
    }, // dimension 29
    Row {
        s: 7,
        a: 37,
        m: &[1, 1, 3, 9, 25, 29, 41],
    }, // dimension 30
    Row {
        s: 7,
        a: 41,
        m: &[1, 3, 5, 13, 23, 1, 55],
    }, // dimension 31
    Row {
        s: 7,
        a: 42,
        m: &[1, 3, 7, 3, 13, 59, 17],
    }, // dimension 32
    Row {
        s: 7,
        a: 50,
        m: &[1, 3, 1, 3, 5, 53, 69],
    }, // dimension 33
    Row {
        s: 7,
        a: 55,
        m: &[1, 1, 5, 5, 23, 33, 13],
    }, // dimension 34
    Row {
        s: 7,
        a: 56,
        m: &[1, 1, 7, 7, 1, 61, 123],
    }, // dimension 35
    Row {
        s: 7,
        a: 59,
        m: &[1, 1, 7, 9, 13, 61, 49],
    }, // dimension 36
    Row {
        s: 7,
        a: 62,
        m: &[1, 3, 3, 5, 3, 55, 33],
    }, // dimension 37
    Row {
        s: 8,
        a: 14,
        m: &[1, 3, 1, 15, 31, 13, 49, 245],
    }, // dimension 38
    Row {
        s: 8,
        a: 21,
        m: &[1, 3, 5, 15, 31, 59, 63, 97],
    }, // dimension 39
    Row {
        s: 8,
        a: 22,
        m: &[1, 3, 1, 11, 11, 11, 77, 249],
    }, // dimension 40
    Row {
        s: 8,
        a: 38,
        m: &[1, 3, 1, 11, 27, 43, 71, 9],
    }, // dimension 41
    Row {
        s: 8,
        a: 47,
        m: &[1, 1, 7, 15, 21, 11, 81, 45],
    }, // dimension 42
    Row {
        s: 8,
        a: 49,
        m: &[1, 3, 7, 3, 25, 31, 65, 79],
    }, // dimension 43
    Row {
        s: 8,
        a: 50,
        m: &[1, 3, 1, 1, 19, 11, 3, 205],
    }, // dimension 44
    Row {
        s: 8,
        a: 52,
        m: &[1, 1, 5, 9, 19, 21, 29, 157],
    }, // dimension 45
    Row {
        s: 8,
        a: 56,
        m: &[1, 3, 7, 11, 1, 33, 89, 185],
    }, // dimension 46
    Row {
        s: 8,
        a: 67,
        m: &[1, 3, 3, 3, 15, 9, 79, 71],
    }, // dimension 47
    Row {
        s: 8,
        a: 70,
        m: &[1, 3, 7, 11, 15, 39, 119, 27],
    }, // dimension 48
    Row {
        s: 8,
        a: 84,
        m: &[1, 1, 3, 1, 11, 31, 97, 225],
    }, // dimension 49
    Row {
        s: 8,
        a: 97,
        m: &[1, 1, 1, 3, 23, 43, 57, 177],
    }, // dimension 50
    Row {
        s: 8,
        a: 103,
        m: &[1, 3, 7, 7, 17, 17, 37, 71],
    }, // dimension 51
    Row {
        s: 8,
        a: 115,
        m: &[1, 3, 1, 5, 27, 63, 123, 213],
    }, // dimension 52
    Row {
        s: 8,
        a: 122,
        m: &[1, 1, 3, 5, 11, 43, 53, 133],
    }, // dimension 53
    Row {
        s: 9,
        a: 8,
        m: &[1, 3, 5, 5, 29, 17, 47, 173, 479],
    }, // dimension 54
    Row {
        s: 9,
        a: 13,
        m: &[1, 3, 3, 11, 3, 1, 109, 9, 69],
    }, // dimension 55
    Row {
        s: 9,
        a: 16,
        m: &[1, 1, 1, 5, 17, 39, 23, 5, 343],
    }, // dimension 56
    Row {
        s: 9,
        a: 22,
        m: &[1, 3, 1, 5, 25, 15, 31, 103, 499],
    }, // dimension 57
    Row {
        s: 9,
        a: 25,
        m: &[1, 1, 1, 11, 11, 17, 63, 105, 183],
    }, // dimension 58
    Row {
        s: 9,
        a: 44,
        m: &[1, 1, 5, 11, 9, 29, 97, 231, 363],
    }, // dimension 59
    Row {
        s: 9,
        a: 47,
        m: &[1, 1, 5, 15, 19, 45, 41, 7, 383],
    }, // dimension 60
    Row {
        s: 9,
        a: 52,
        m: &[1, 3, 7, 7, 31, 19, 83, 137, 221],
    }, // dimension 61
    Row {
        s: 9,
        a: 55,
        m: &[1, 1, 1, 3, 23, 15, 111, 223, 83],
    }, // dimension 62
    Row {
        s: 9,
        a: 59,
        m: &[1, 1, 5, 13, 31, 15, 55, 25, 161],
    }, // dimension 63
    Row {
        s: 9,
        a: 62,
        m: &[1, 1, 3, 13, 25, 47, 39, 87, 257],
    }, // dimension 64
];

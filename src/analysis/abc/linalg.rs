//! The little dense linear algebra the proposal kernel needs: a Cholesky
//! factor and the multivariate normal log density. Matrices are row-major
//! `Vec<f64>` of side `n`; parameter dimensions are small (tens), so a
//! hand-written O(n³) factorisation is enough and keeps the bits under our
//! control (no BLAS, fixed summation order).

use super::special::LN_SQRT_2PI;

/// Lower-triangular Cholesky factor L with L·Lᵀ = A, for a symmetric
/// positive-definite `a` (row-major, side `n`). `None` when `a` is not
/// numerically positive definite.
pub fn cholesky(a: &[f64], n: usize) -> Option<Vec<f64>> {
    assert_eq!(a.len(), n * n, "matrix must be n×n");
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let mut sum = a[i * n + j];
            for k in 0..j {
                sum -= l[i * n + k] * l[j * n + k];
            }
            if i == j {
                if !sum.is_finite() || sum <= 0.0 {
                    return None;
                }
                l[i * n + i] = libm::sqrt(sum);
            } else {
                l[i * n + j] = sum / l[j * n + j];
            }
        }
    }
    Some(l)
}

/// L·z for lower-triangular `l`: turns standard normal draws into draws with
/// covariance L·Lᵀ.
pub fn lower_times(l: &[f64], z: &[f64]) -> Vec<f64> {
    let n = z.len();
    (0..n)
        .map(|i| (0..=i).map(|k| l[i * n + k] * z[k]).sum())
        .collect()
}

/// The normalising part of the N(μ, Σ) log density given Σ's Cholesky
/// factor: −(n/2)·ln 2π − Σ ln Lᵢᵢ.
pub fn mvn_log_normaliser(l: &[f64], n: usize) -> f64 {
    let log_det_half: f64 = (0..n).map(|i| libm::log(l[i * n + i])).sum();
    -(n as f64) * LN_SQRT_2PI - log_det_half
}

/// ln N(x; mean, Σ) with Σ = L·Lᵀ, `normaliser` from
/// [`mvn_log_normaliser`], for `diff` = x − mean, overwriting `diff` with
/// L⁻¹·diff (forward substitution): no allocation, for the O(N²)
/// proposal-density sums.
pub fn mvn_log_density_of_difference(diff: &mut [f64], l: &[f64], normaliser: f64) -> f64 {
    let n = diff.len();
    let mut quad = 0.0;
    for i in 0..n {
        let mut sum = diff[i];
        for k in 0..i {
            sum -= l[i * n + k] * diff[k];
        }
        let y = sum / l[i * n + i];
        diff[i] = y;
        quad += y * y;
    }
    normaliser - 0.5 * quad
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_of_textbook_matrix() {
        // A = [[4,12,-16],[12,37,-43],[-16,-43,98]] has L = [[2,0,0],[6,1,0],[-8,5,3]]:
        // 2² = 4; 6·2 = 12; 6² + 1² = 37; −8·2 = −16; −8·6 + 5·1 = −43; 64 + 25 + 9 = 98.
        let a = [4.0, 12.0, -16.0, 12.0, 37.0, -43.0, -16.0, -43.0, 98.0];
        let l = cholesky(&a, 3).unwrap();
        assert_eq!(l, vec![2.0, 0.0, 0.0, 6.0, 1.0, 0.0, -8.0, 5.0, 3.0]);
        // L·z reproduces the product by hand: z = (1, 1, 1) → (2, 7, 0).
        assert_eq!(lower_times(&l, &[1.0, 1.0, 1.0]), vec![2.0, 7.0, 0.0]);
    }

    #[test]
    fn cholesky_rejects_indefinite() {
        assert!(cholesky(&[1.0, 2.0, 2.0, 1.0], 2).is_none());
        assert!(cholesky(&[0.0], 1).is_none());
    }

    #[test]
    fn mvn_density_by_hand() {
        // Σ = [[2,1],[1,2]], x − μ = (1,−1): det Σ = 3, Σ⁻¹ = [[2,−1],[−1,2]]/3,
        // (x−μ)ᵀΣ⁻¹(x−μ) = (2+1+1+2)/3 = 2, so the density is e⁻¹ / (2π·√3).
        let l = cholesky(&[2.0, 1.0, 1.0, 2.0], 2).unwrap();
        let norm = mvn_log_normaliser(&l, 2);
        let got = mvn_log_density_of_difference(&mut [1.5 - 0.5, -0.5 - 0.5], &l, norm);
        let expected = (-1.0f64).exp() / (2.0 * std::f64::consts::PI * 3.0f64.sqrt());
        assert!(
            (got.exp() - expected).abs() < 1e-15,
            "{} vs {}",
            got.exp(),
            expected
        );
        assert!((expected - 0.033_803_760_991_572_4).abs() < 1e-12);
    }
}

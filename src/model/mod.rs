//! The market model described in docs/ODD.md: agents, state and submodels. No I/O here.
//!
//! - [`world`]: the compiled, fixed world (parameters, exogenous paths);
//! - [`state`]: what changes during a run;
//! - [`schedule`]: one quarter, in the order of docs/ODD.md section 3;
//! - submodels: [`threat`], [`budget`], [`tender`] (needs, offers, choice,
//!   lot splitting, financing), [`choice`], [`production`], [`beliefs`],
//!   [`investment`].

pub mod beliefs;
pub mod budget;
pub mod choice;
pub mod draws;
pub mod fleet;
pub mod invariants;
pub mod investment;
pub mod mechanisms;
pub mod production;
pub mod schedule;
pub mod stage;
pub mod state;
pub mod tender;
#[cfg(test)]
pub(crate) mod testkit;
pub mod threat;
pub mod time;
pub mod world;

pub use draws::Draws;
pub use schedule::Observer;
pub use state::{Contract, State};
pub use time::Quarter;
pub use world::World;

/// `x` rounded up to a whole number, where a value within 1e-9 (relative)
/// of a whole number counts as that number: a quotient or product that is
/// whole in exact arithmetic (a gap of 24 units of gain 1 summed from parts, 0.55 × 100)
/// carries some 1e-15 of rounding, and a plain ceiling added a unit for it.
pub fn ceil_whole(x: f64) -> f64 {
    near_whole(x).unwrap_or(x.ceil())
}

/// `x` rounded down to a whole number, with [`ceil_whole`]'s tolerance: a
/// divertible share of 0.29 of 100 units is 28.999999999999996 in binary,
/// and a plain floor lost a unit.
pub fn floor_whole(x: f64) -> f64 {
    near_whole(x).unwrap_or(x.floor())
}

/// The whole number within 1e-9 (relative) of `x`, if any. Ties to
/// even, which is one instruction on x86-64-v2 where `round` is a call: a
/// half is never within the tolerance, so the two agree.
fn near_whole(x: f64) -> Option<f64> {
    let r = x.round_ties_even();
    ((x - r).abs() <= 1e-9 * r.abs().max(1.0)).then_some(r)
}

#[cfg(test)]
mod tests {
    use super::{ceil_whole, floor_whole};

    #[test]
    fn ceil_whole_ignores_rounding_noise_only() {
        // 0.55 × 100 is 55.00000000000001 in binary floating point.
        let noisy = std::hint::black_box(0.55_f64) * 100.0;
        assert_eq!(noisy.ceil(), 56.0);
        assert_eq!(ceil_whole(noisy), 55.0);
        assert_eq!(ceil_whole(23.000_000_000_000_03), 23.0);
        assert_eq!(ceil_whole(27.999_999_999_999_99), 28.0);
        assert_eq!(ceil_whole(3.001), 4.0);
        assert_eq!(ceil_whole(0.2), 1.0);
        assert_eq!(ceil_whole(0.0), 0.0);
        assert_eq!(ceil_whole(-0.5), -0.0);
    }

    #[test]
    fn floor_whole_ignores_rounding_noise_only() {
        // 0.29 × 100 is 28.999999999999996 in binary floating point.
        let noisy = std::hint::black_box(0.29_f64) * 100.0;
        assert_eq!(noisy.floor(), 28.0);
        assert_eq!(floor_whole(noisy), 29.0);
        assert_eq!(floor_whole(1_749.999_999_999_999_6), 1750.0);
        assert_eq!(floor_whole(23.000_000_000_000_03), 23.0);
        assert_eq!(floor_whole(2.999), 2.0);
        assert_eq!(floor_whole(0.8), 0.0);
        assert_eq!(floor_whole(0.0), 0.0);
    }
}

//! A buyer's fleet of one category: legacy units, equipment of other
//! categories that this one replaces, and cohorts of modern units, each
//! counted toward the requirement at its capability.
//!
//! Capability is the unit of requirements: a new unit counts 1, a legacy
//! unit `legacy_capability` (a T-72 is not a K2), an upgraded legacy unit
//! its upgrade line's capability, a second-hand unit its stock's. So
//! upgrading legacy units and buying used ones close a gap as new units
//! do, each in proportion to what it adds.
//!
//! Retirement rates and carries are integers in millionths of a unit:
//! exact, and cheap in the quarterly loop.

/// Millionths of a unit per unit.
pub const MICRO: u64 = 1_000_000;

/// Millionths of a unit for a rate in units.
pub fn to_micro(units: f64) -> u64 {
    (units.max(0.0) * MICRO as f64).round() as u64
}

/// A retirement rate for a service life: the share of a cohort that
/// retires each quarter, `1 / (4 · years)`, in millionths.
pub fn life_rate(years: f64) -> u64 {
    if years > 0.0 {
        to_micro(1.0 / (4.0 * years))
    } else {
        MICRO
    }
}

/// Units retired per quarter from a pool, in millionths: `n` units spread
/// evenly over `years`.
pub fn pool_rate(n: u32, years: f64) -> u64 {
    if years > 0.0 {
        to_micro(f64::from(n) / (4.0 * years))
    } else {
        to_micro(f64::from(n))
    }
}

/// Modern units that entered the fleet the same way: one family, one
/// capability per unit, one retirement rate.
#[derive(Debug, Clone, PartialEq)]
pub struct Cohort {
    /// Platform family (`None`: a type no line in the market offers).
    pub family: Option<usize>,
    /// Capability of one unit toward the requirement.
    pub capability: f64,
    /// Units in service.
    pub units: u32,
    /// Share retiring per quarter, in millionths.
    pub rate: u64,
    carry: u64,
}

/// A pool of old units retiring at a fixed number per quarter.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pool {
    /// Units in service.
    pub units: u32,
    /// Capability of one unit.
    pub capability: f64,
    /// Units retiring per quarter, in millionths.
    pub rate: u64,
    carry: u64,
}

impl Pool {
    /// A pool of `units` at `capability`, retiring `rate` millionths of a
    /// unit per quarter.
    pub fn new(units: u32, capability: f64, rate: u64) -> Pool {
        Pool {
            units,
            capability,
            rate,
            carry: 0,
        }
    }

    /// Retire one quarter's units, keeping at least `keep`. Returns them.
    fn age(&mut self, keep: u32) -> u32 {
        // Nothing accrues while no unit is free to retire, and most pools
        // are spent or were never there (most categories replace nothing):
        // skip them.
        let free = self.units.saturating_sub(keep);
        if free == 0 {
            return 0;
        }
        // Without branches on the carry (whether a unit is due is data the
        // branch predictor cannot learn): the carry stays below a unit, so
        // a quarter with none due divides to 0 and keeps it.
        self.carry += self.rate;
        let n = ((self.carry / MICRO) as u32).min(free);
        self.carry %= MICRO;
        self.units -= n;
        n
    }
}

/// A buyer's fleet of one category.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FleetState {
    /// Legacy units (a lineage no new line builds), retiring at a fixed
    /// number per quarter.
    pub legacy: Pool,
    /// Lineage of the legacy units, which upgrade lines name.
    pub legacy_family: Option<usize>,
    /// Legacy units under an upgrade contract: they stay in service until
    /// upgraded and do not retire meanwhile.
    pub reserved: u32,
    /// Equipment of another kind that this category's buys replace (towed
    /// guns that self-propelled guns replace), retiring on the buyer's plan.
    pub replaced: Pool,
    /// Modern units, by cohort.
    cohorts: Vec<Cohort>,
    modern: u32,
    /// Families below 64 with a modern unit in service, one bit each
    /// (access asks of every firm in every tender whether a buyer operates
    /// its families).
    families: u64,
}

impl FleetState {
    /// A fleet with the given pools and no modern units.
    pub fn new(legacy: Pool, legacy_family: Option<usize>, replaced: Pool) -> FleetState {
        FleetState {
            legacy,
            legacy_family,
            replaced,
            ..FleetState::default()
        }
    }

    /// Make this [`FleetState::new`]'s fleet, keeping the cohorts' buffer.
    pub fn reset(&mut self, legacy: Pool, legacy_family: Option<usize>, replaced: Pool) {
        let mut cohorts = std::mem::take(&mut self.cohorts);
        cohorts.clear();
        *self = FleetState {
            cohorts,
            ..FleetState::new(legacy, legacy_family, replaced)
        };
    }

    /// Modern units, by cohort.
    pub fn cohorts(&self) -> &[Cohort] {
        &self.cohorts
    }

    /// Mark the families in service again, after a cohort lost units.
    fn refresh(&mut self) {
        let mut families = 0u64;
        for c in &self.cohorts {
            if let Some(f) = c.family
                && f < 64
                && c.units > 0
            {
                families |= 1 << f;
            }
        }
        self.families = families;
    }

    /// Units in service (legacy and modern; replaced equipment belongs to
    /// another category and is not counted).
    pub fn total(&self) -> u32 {
        self.legacy.units + self.modern
    }

    /// Modern units in service.
    pub fn modern(&self) -> u32 {
        self.modern
    }

    /// Capability toward the requirement.
    pub fn capability(&self) -> f64 {
        let mut k = f64::from(self.legacy.units) * self.legacy.capability
            + f64::from(self.replaced.units) * self.replaced.capability;
        for c in &self.cohorts {
            k += f64::from(c.units) * c.capability;
        }
        k
    }

    /// Legacy units free to be upgraded.
    pub fn upgradable(&self) -> u32 {
        self.legacy.units - self.reserved
    }

    /// The families below 64 with a modern unit in service, one bit each
    /// (an observer compares them between quarters to know whether access
    /// can have changed).
    pub fn families_below_64(&self) -> u64 {
        self.families
    }

    /// Whether any modern unit of family `f` is in service (stops at the
    /// first: access asks this of every firm in every tender).
    pub fn has_family(&self, f: usize) -> bool {
        if f < 64 {
            self.families >> f & 1 == 1
        } else {
            self.cohorts
                .iter()
                .any(|c| c.family == Some(f) && c.units > 0)
        }
    }

    /// Modern units of family `f`.
    pub fn of_family(&self, f: usize) -> u32 {
        self.cohorts
            .iter()
            .filter(|c| c.family == Some(f))
            .map(|c| c.units)
            .sum()
    }

    /// Add `n` units to the cohort of (`family`, `capability`, `rate`).
    pub fn add(&mut self, family: Option<usize>, capability: f64, rate: u64, n: u32) {
        if n == 0 {
            return;
        }
        self.modern += n;
        let same = |c: &&mut Cohort| {
            c.family == family && c.rate == rate && c.capability.to_bits() == capability.to_bits()
        };
        match self.cohorts.iter_mut().find(same) {
            Some(c) => c.units += n,
            None => self.cohorts.push(Cohort {
                family,
                capability,
                units: n,
                rate,
                carry: 0,
            }),
        }
        if let Some(f) = family
            && f < 64
        {
            self.families |= 1 << f;
        }
    }

    /// Book `n` legacy units for an upgrade (at most the free ones).
    pub fn reserve(&mut self, n: u32) -> u32 {
        let n = n.min(self.upgradable());
        self.reserved += n;
        n
    }

    /// `n` reserved legacy units come back upgraded into a modern cohort.
    pub fn upgrade(&mut self, family: Option<usize>, capability: f64, rate: u64, n: u32) {
        let n = n.min(self.reserved);
        self.reserved -= n;
        self.legacy.units -= n;
        self.add(family, capability, rate, n);
    }

    /// Remove `n` modern units from the largest cohorts first. Returns how
    /// many were removed.
    fn remove_modern(&mut self, n: u32) -> u32 {
        let mut left = n;
        while left > 0 {
            let Some(i) = (0..self.cohorts.len())
                .filter(|&i| self.cohorts[i].units > 0)
                .max_by_key(|&i| (self.cohorts[i].units, std::cmp::Reverse(i)))
            else {
                break;
            };
            let take = left.min(self.cohorts[i].units);
            self.cohorts[i].units -= take;
            left -= take;
        }
        self.modern -= n - left;
        n - left
    }

    /// Retire units for one quarter: legacy and replaced units at their
    /// pools' rates (reserved legacy units wait for their upgrade), each
    /// cohort at its own share. Returns the units retired from this
    /// category (replaced equipment is not counted).
    // Inlined into the quarter's loop over every buyer's every category:
    // most fleets have a cohort or two, and the call costs as much.
    #[inline]
    pub fn age(&mut self) -> u32 {
        let retired = self.legacy.age(self.reserved);
        self.replaced.age(0);
        let mut emptied = false;
        let mut modern_retired = 0;
        for c in self.cohorts.iter_mut() {
            // As `Pool::age`, without branches: an empty cohort accrues
            // nothing and retires nothing.
            c.carry += u64::from(c.units) * c.rate;
            let n = ((c.carry / MICRO) as u32).min(c.units);
            c.carry %= MICRO;
            c.units -= n;
            modern_retired += n;
            // Also true for a cohort emptied in an earlier quarter (rare):
            // refreshing then changes nothing, and costs less than asking.
            emptied |= c.units == 0;
        }
        self.modern -= modern_retired;
        if emptied {
            self.refresh();
        }
        retired + modern_retired
    }

    /// Donate `n` units: free legacy units first, then the largest modern
    /// cohorts. Returns units given.
    pub fn donate(&mut self, n: u32) -> u32 {
        let legacy = n.min(self.upgradable());
        self.legacy.units -= legacy;
        let given = legacy + self.remove_modern(n - legacy);
        self.refresh();
        given
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fleet() -> FleetState {
        // 10 legacy at 0.5 retiring 2.5 a quarter; 4 towed guns at 0.25
        // retiring 1 a quarter; 3 untyped and 5 + 8 family units, life 2
        // years (1/8 a quarter).
        let mut f = FleetState::new(
            Pool::new(10, 0.5, 2_500_000),
            None,
            Pool::new(4, 0.25, MICRO),
        );
        f.add(None, 1.0, 125_000, 3);
        f.add(Some(0), 1.0, 125_000, 5);
        f.add(Some(2), 1.0, 125_000, 8);
        f
    }

    #[test]
    fn a_family_is_operated_while_any_unit_of_it_serves() {
        let mut f = fleet();
        assert!(f.has_family(0) && f.has_family(2));
        assert!(!f.has_family(1), "untyped units are no family");
        // A cohort retired to nothing no longer counts.
        f.cohorts.iter_mut().for_each(|c| {
            if c.family == Some(0) {
                c.units = 0;
            }
        });
        f.refresh();
        assert!(!f.has_family(0) && f.of_family(0) == 0);
    }

    /// The marks of families in service follow every way units leave:
    /// ageing, donation, and families past the 64 marked ones.
    #[test]
    fn families_in_service_follow_retirement_and_donation() {
        let mut f = FleetState::new(Pool::default(), None, Pool::default());
        f.add(Some(70), 1.0, MICRO, 2);
        f.add(Some(5), 1.0, 0, 3);
        assert!(f.has_family(70) && f.has_family(5) && !f.has_family(6));
        // Rate 1 a quarter per unit: both of family 70 retire at once.
        f.age();
        assert!(!f.has_family(70) && f.has_family(5));
        assert_eq!(f.donate(3), 3);
        assert!(!f.has_family(5));
        f.add(Some(5), 1.0, 0, 1);
        assert!(f.has_family(5));
    }

    #[test]
    fn capability_counts_each_pool_at_its_weight() {
        let f = fleet();
        assert_eq!(f.total(), 26);
        // 10 × 0.5 + 4 × 0.25 + 16 × 1.
        assert!((f.capability() - 22.0).abs() < 1e-12);
    }

    #[test]
    fn ageing_by_hand() {
        let mut f = fleet();
        // Quarter 1: legacy 2 (carry .5); replaced 1; cohorts 3/8, 5/8, 8/8:
        // 0, 0, 1 (carries .375, .625, 0).
        assert_eq!(f.age(), 3);
        assert_eq!((f.legacy.units, f.replaced.units), (8, 3));
        assert_eq!(f.of_family(2), 7);
        // 16 modern less 1; 8 · 0.5 + 3 · 0.25 + 15.
        assert_eq!((f.modern(), f.total()), (15, 23));
        assert!((f.capability() - 19.75).abs() < 1e-12);
        // Quarter 2: legacy 3; cohorts 3/8+.375 = .75 → 0, 5/8+.625 = 1.25
        // → 1, 7/8 → 0.
        assert_eq!(f.age(), 4);
        assert_eq!((f.legacy.units, f.of_family(0), f.of_family(2)), (5, 4, 7));
        // Replaced 2; 5 · 0.5 + 2 · 0.25 + 14.
        assert_eq!((f.modern(), f.total(), f.replaced.units), (14, 19, 2));
        assert!((f.capability() - 17.0).abs() < 1e-12);
    }

    #[test]
    fn reserved_units_do_not_retire_and_come_back_upgraded() {
        let mut f = fleet();
        assert_eq!(f.reserve(9), 9);
        assert_eq!(f.reserve(5), 1, "only free legacy units can be reserved");
        assert_eq!(
            f.age(),
            1,
            "legacy units all reserved: only a modern unit retires"
        );
        assert_eq!(f.legacy.units, 10);
        let before = f.capability();
        f.upgrade(Some(3), 0.8, 250_000, 4);
        assert_eq!((f.legacy.units, f.reserved, f.of_family(3)), (6, 6, 4));
        // Four units went from 0.5 to 0.8.
        assert!((f.capability() - before - 4.0 * 0.3).abs() < 1e-12);
    }

    #[test]
    fn donation_takes_free_legacy_first_then_largest_cohort() {
        let mut f = fleet();
        f.reserve(2);
        assert_eq!(f.donate(15), 15);
        assert_eq!(f.legacy.units, 2, "reserved units are not donated");
        // 8 free legacy units, then 7 from the largest cohort (family 2).
        assert_eq!(f.of_family(2), 1);
        assert_eq!(f.donate(100), 9);
        assert_eq!(f.modern(), 0);
    }

    #[test]
    fn deliveries_join_their_cohort() {
        let mut f = fleet();
        f.add(Some(1), 1.0, 125_000, 4);
        f.add(Some(2), 1.0, 125_000, 1);
        f.add(Some(2), 0.8, 500_000, 2);
        assert_eq!(f.cohorts.len(), 5);
        assert_eq!(f.of_family(2), 11);
        assert_eq!(f.modern(), 23);
        // The same family and life at another capability (an upgrade
        // standard) is a cohort of its own, counted at its own weight.
        let before = f.capability();
        f.add(Some(2), 0.8, 125_000, 1);
        assert_eq!(f.cohorts.len(), 6);
        assert!((f.capability() - before - 0.8).abs() < 1e-12);
    }

    /// Retirement rates by hand (docs/ODD.md 7.3): a cohort of life Y
    /// retires 1/(4Y) of itself a quarter, a pool of n units over Y years
    /// n/(4Y) units a quarter, in millionths. Life 2 years: 1/8 = 125,000;
    /// life 35 years: 1/140 = 7,142.857… → 7,143; no life: all at once.
    /// 10 units over 2.5 years: 1 a quarter; over no time: all 10 at once.
    #[test]
    fn retirement_rates_by_hand() {
        assert_eq!(life_rate(2.0), 125_000);
        assert_eq!(life_rate(35.0), 7_143);
        assert_eq!(life_rate(0.0), MICRO);
        assert_eq!(pool_rate(10, 2.5), MICRO);
        assert_eq!(pool_rate(10, 0.0), 10 * MICRO);
        assert_eq!(to_micro(-1.0), 0);
    }

    /// A donation takes from the largest cohort, ties to the cohort listed
    /// first (docs/ODD.md 7.3): cohorts of 5 (family 0, listed first) and 5
    /// (family 1) and no legacy units; 3 donated come out of family 0,
    /// leaving 2 and 5; 4 more then come out of family 1 (now the larger),
    /// leaving 2 and 1.
    #[test]
    fn a_donation_ties_to_the_cohort_listed_first() {
        let mut f = FleetState::new(Pool::default(), None, Pool::default());
        f.add(Some(0), 1.0, 0, 5);
        f.add(Some(1), 1.0, 0, 5);
        assert_eq!(f.donate(3), 3);
        assert_eq!((f.of_family(0), f.of_family(1)), (2, 5));
        assert_eq!(f.donate(4), 4);
        assert_eq!((f.of_family(0), f.of_family(1)), (2, 1));
    }
}

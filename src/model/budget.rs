//! Budgets: B_i(t) = GDP_i(t) · s_i(t) · e_i(t), the annual equipment budget.
//!
//! In `observed` mode s and e follow the buyer's series. In `threat` mode
//! they start at their threat-driven targets `base + response · θ` and move
//! toward them by `adjust_speed` of the distance each quarter, so that a
//! counterfactual without a shock also lacks the spending response to it.

use crate::model::time::Quarter;
use crate::scenario::schema::SpendingMode;

/// A buyer's budget inputs, as yearly values from the run's first year.
#[derive(Debug, Clone)]
pub struct BuyerBudgetInputs {
    /// GDP, US$ bn, by year from the first year.
    pub gdp: Vec<f64>,
    /// Last year with a GDP figure; growth applies after it.
    pub gdp_last_year: i32,
    /// Yearly growth after `gdp_last_year`.
    pub gdp_growth: f64,
    /// Defence spending, % of GDP, by year.
    pub spending: Vec<f64>,
    /// Equipment share, %, by year.
    pub equipment: Vec<f64>,
    /// `threat` mode: spending % at zero threat.
    pub spending_base: f64,
    /// `threat` mode: spending points per unit of threat.
    pub spending_threat: f64,
    /// `threat` mode: equipment % at zero threat.
    pub equipment_base: f64,
    /// `threat` mode: equipment points per unit of threat.
    pub equipment_threat: f64,
}

/// GDP (US$ bn) in `year`, growing at `gdp_growth` after the last given year.
fn gdp_in(b: &BuyerBudgetInputs, first_year: i32, year: i32) -> f64 {
    let idx = ((year - first_year) as usize).min(b.gdp.len() - 1);
    if year > b.gdp_last_year {
        let base_idx = ((b.gdp_last_year - first_year).max(0) as usize).min(b.gdp.len() - 1);
        b.gdp[base_idx] * libm::pow(1.0 + b.gdp_growth, f64::from(year - b.gdp_last_year))
    } else {
        b.gdp[idx]
    }
}

/// Annual equipment budget in US$ m for each quarter of the run.
pub fn budget_path(
    b: &BuyerBudgetInputs,
    mode: SpendingMode,
    adjust_speed: f64,
    threat: &[f64],
    start: Quarter,
) -> Vec<f64> {
    let first_year = start.year();
    // GDP once per year (past the last given year it takes a power), not
    // once per quarter.
    let last_year = start.plus(threat.len().saturating_sub(1) as i32).year();
    let gdp: Vec<f64> = (first_year..=last_year)
        .map(|year| gdp_in(b, first_year, year))
        .collect();
    let mut s = 0.0;
    let mut e = 0.0;
    threat
        .iter()
        .enumerate()
        .map(|(t, theta)| {
            let year = start.plus(t as i32).year();
            let yi = (year - first_year) as usize;
            let (s_now, e_now) = match mode {
                SpendingMode::Observed => (b.spending[yi], b.equipment[yi]),
                SpendingMode::Threat => {
                    // Both are shares in per cent: no state spends more
                    // than its GDP, nor more than its budget on equipment.
                    let s_target = (b.spending_base + b.spending_threat * theta).min(100.0);
                    let e_target = (b.equipment_base + b.equipment_threat * theta).min(100.0);
                    if t == 0 {
                        s = s_target;
                        e = e_target;
                    } else {
                        s += adjust_speed * (s_target - s);
                        e += adjust_speed * (e_target - e);
                    }
                    (s, e)
                }
            };
            // GDP in bn × 1000 = US$ m; shares in per cent.
            gdp[yi] * 1000.0 * s_now / 100.0 * e_now / 100.0
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inputs() -> BuyerBudgetInputs {
        BuyerBudgetInputs {
            // Yearly vectors cover every year of the run (2020-2022 here),
            // as `World::from_scenario` builds them.
            gdp: vec![500.0, 600.0, 600.0],
            gdp_last_year: 2021,
            gdp_growth: 0.1,
            spending: vec![2.0, 3.0, 3.0],
            equipment: vec![20.0, 50.0, 50.0],
            spending_base: 1.0,
            spending_threat: 2.0,
            equipment_base: 10.0,
            equipment_threat: 20.0,
        }
    }

    #[test]
    fn observed_budget_is_gdp_times_shares() {
        let b = inputs();
        let p = budget_path(
            &b,
            SpendingMode::Observed,
            0.0,
            &[0.0; 12],
            Quarter::new(2020, 1),
        );
        // 2020: 500 bn * 2 % * 20 % = 2,000 US$ m.
        assert!((p[0] - 2000.0).abs() < 1e-9);
        assert!((p[3] - 2000.0).abs() < 1e-9);
        // 2021: 600 bn * 3 % * 50 % = 9,000.
        assert!((p[4] - 9000.0).abs() < 1e-9);
        // 2022: GDP grows 10 % past the last year, shares hold: 9,900.
        assert!((p[8] - 9900.0).abs() < 1e-6);
    }

    #[test]
    fn threat_mode_starts_on_target_and_adjusts() {
        let b = inputs();
        let threat = [0.5, 1.0, 1.0];
        let p = budget_path(
            &b,
            SpendingMode::Threat,
            0.5,
            &threat,
            Quarter::new(2020, 1),
        );
        // t0: s = 1 + 2*0.5 = 2 %, e = 10 + 20*0.5 = 20 % → 500*1000*0.02*0.2 = 2,000.
        assert!((p[0] - 2000.0).abs() < 1e-9);
        // t1: targets 3 % and 30 %; halfway: 2.5 %, 25 % → 500,000*0.025*0.25 = 3,125.
        assert!((p[1] - 3125.0).abs() < 1e-9);
        // t2: 2.75 %, 27.5 % → 3,781.25.
        assert!((p[2] - 3781.25).abs() < 1e-9);
    }

    #[test]
    fn threat_mode_spends_at_most_the_gdp_and_the_whole_budget() {
        let mut b = inputs();
        b.spending_base = 60.0;
        b.spending_threat = 100.0;
        b.equipment_base = 60.0;
        b.equipment_threat = 100.0;
        let p = budget_path(&b, SpendingMode::Threat, 0.5, &[1.0], Quarter::new(2020, 1));
        // Targets 160 % and 160 % are capped at 100 % each: the whole GDP
        // of 500 bn goes to equipment, 500,000 US$ m (uncapped: 1,280,000).
        assert!((p[0] - 500_000.0).abs() < 1e-6, "{}", p[0]);
    }
}

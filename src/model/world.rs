//! The compiled world: a scenario turned into indexed, validated parameters
//! and the exogenous paths (threat, budgets) that do not depend on chance.
//!
//! Everything here is fixed for a run; what changes during a run lives in
//! [`crate::model::state`].

use crate::model::budget;
use crate::model::threat;
use crate::model::time::Quarter;
use crate::scenario::schema::{self, Scenario, WeightOverrides, Weights, YearSeries};

pub use crate::model::threat::Shock;
pub use crate::scenario::schema::SpendingMode;

/// A scenario that passed validation but still cannot be compiled (this
/// signals a gap in validation, so the message names the key).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct WorldError(pub String);

/// An equipment category.
#[derive(Debug, Clone)]
pub struct Category {
    /// Scenario id.
    pub id: String,
    /// Reference unit price, US$ m.
    pub ref_price: f64,
    /// Service life of modern units, years.
    pub life_years: f64,
    /// Years over which the starting legacy fleet retires.
    pub legacy_retire_years: f64,
    /// Smallest lot worth a tender.
    pub min_lot: u32,
    /// ρ: response of required force to threat.
    pub threat_response: f64,
}

/// A country: a buyer's own or a supplier's home.
#[derive(Debug, Clone)]
pub struct Country {
    /// ISO3 code.
    pub id: String,
    /// Share of contract value covered by export credit.
    pub credit_share: f64,
    /// Cap on outstanding export credit at the start, US$ m.
    pub credit_cap: f64,
    /// Years over which export credit is repaid.
    pub credit_repayment_years: f64,
}

/// A buyer's starting fleet of one category.
#[derive(Debug, Clone, Default)]
pub struct FleetStart {
    /// Units in service.
    pub units: u32,
    /// Of which legacy.
    pub legacy: u32,
    /// Required force at zero threat.
    pub required: u32,
    /// Modern units by family index.
    pub families: Vec<(usize, u32)>,
}

/// A buying state.
#[derive(Debug, Clone)]
pub struct Buyer {
    /// ISO3 code (also its country id).
    pub id: String,
    /// Display name.
    pub name: String,
    /// Region index.
    pub region: usize,
    /// Country index.
    pub country: usize,
    /// NATO accession quarter.
    pub nato_since: Option<Quarter>,
    /// Localisation demand (0..1).
    pub localisation_demand: f64,
    /// Resolved preference weights.
    pub weights: Weights,
    /// Starting fleet by category index.
    pub fleet: Vec<FleetStart>,
}

/// A supplier's investment policy.
#[derive(Debug, Clone)]
pub struct Investment {
    /// Whether the firm invests at all.
    pub enabled: bool,
    /// b*: backlog in years that triggers expansion.
    pub backlog_threshold: f64,
    /// Largest yearly expansion as a share of capacity.
    pub growth: f64,
    /// Quarters until new capacity produces.
    pub build_lag: u32,
    /// Cost of one unit/quarter of capacity.
    pub capex: f64,
    /// Yearly interoperability spend.
    pub interop_spend: f64,
    /// η.
    pub interop_rate: f64,
    /// Spend per `rate` step.
    pub interop_scale: f64,
    /// Yearly marketing spend by region index.
    pub marketing: Vec<f64>,
    /// Yearly persistence of the marketing stock.
    pub marketing_decay: f64,
    /// Spend per unit of marketing stock.
    pub marketing_scale: f64,
    /// Yearly joint-venture spend.
    pub localisation_spend: f64,
    /// Rate of the localisation ceiling's rise.
    pub localisation_rate: f64,
    /// Spend per `rate` step.
    pub localisation_scale: f64,
}

/// A supplying firm.
#[derive(Debug, Clone)]
pub struct Supplier {
    /// Scenario id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Home country index.
    pub country: usize,
    /// Starting cash, US$ m.
    pub cash: f64,
    /// Share of delivered value that becomes cash.
    pub margin: f64,
    /// μ.
    pub markup: f64,
    /// Baseline access probability by buyer index.
    pub access: Vec<f64>,
    /// Investment policy.
    pub invest: Investment,
    /// Line indices.
    pub lines: Vec<usize>,
}

/// A product line.
#[derive(Debug, Clone)]
pub struct Line {
    /// Scenario id (unique within its supplier).
    pub id: String,
    /// Supplier index.
    pub supplier: usize,
    /// Category index.
    pub category: usize,
    /// Family index.
    pub family: usize,
    /// List price, US$ m.
    pub list_price: f64,
    /// Quality 0..1.
    pub quality: f64,
    /// Starting interoperability 0..1.
    pub interoperability: f64,
    /// Quarters from start of production to delivery.
    pub base_lead: u32,
    /// Units started per quarter at the start.
    pub capacity: f64,
    /// Probability a quarter's output is on time.
    pub reliability: f64,
    /// Share of a slipping quarter's output moved to the next quarter.
    pub slip_share: f64,
    /// Starting localisation ceiling.
    pub localisation: f64,
    /// First quarter offered (index into the run).
    pub available_from: usize,
    /// Home units queued at the start.
    pub initial_backlog: u32,
    /// Home orders per quarter, by quarter index.
    pub home_orders: Vec<f64>,
    /// Share of home units in production that may be diverted.
    pub divertible_share: f64,
    /// Value of a unit for delivered-value shares, US$ m.
    pub tiv: f64,
}

/// What kind of exogenous event.
#[derive(Debug, Clone, PartialEq)]
pub enum EventKind {
    /// Units of a category leave a buyer's fleet.
    Donation {
        /// Buyer index.
        buyer: usize,
        /// Category index.
        category: usize,
        /// Units.
        units: u32,
    },
    /// Suppliers gain marketing stock with some buyers.
    Access {
        /// Supplier indices.
        suppliers: Vec<usize>,
        /// Buyer indices.
        buyers: Vec<usize>,
        /// Stock added.
        amount: f64,
    },
    /// Affinity of some buyers toward a country rises.
    Affinity {
        /// Buyer indices.
        buyers: Vec<usize>,
        /// Country index.
        country: usize,
        /// Amount added.
        amount: f64,
    },
    /// A country's export-credit cap changes.
    CreditCap {
        /// Country index.
        country: usize,
        /// New cap, US$ m.
        cap: f64,
    },
}

/// An exogenous event at a quarter index.
#[derive(Debug, Clone)]
pub struct Event {
    /// Scenario id.
    pub id: String,
    /// Quarter index in the run.
    pub t: usize,
    /// What happens.
    pub kind: EventKind,
}

/// Market-wide parameters, as in [`schema::Market`].
pub type MarketParams = schema::Market;

/// The compiled, immutable world of one scenario.
#[derive(Debug, Clone)]
pub struct World {
    /// First quarter.
    pub start: Quarter,
    /// Number of quarters simulated.
    pub n_quarters: usize,
    /// Market-wide parameters.
    pub market: MarketParams,
    /// Region ids.
    pub regions: Vec<String>,
    /// Shocks.
    pub shocks: Vec<Shock>,
    /// Categories.
    pub categories: Vec<Category>,
    /// Countries: buyers first (same index as the buyer), then the others.
    pub countries: Vec<Country>,
    /// Platform family names.
    pub families: Vec<String>,
    /// Buyers.
    pub buyers: Vec<Buyer>,
    /// Suppliers.
    pub suppliers: Vec<Supplier>,
    /// Product lines.
    pub lines: Vec<Line>,
    /// Line indices by category index.
    pub lines_by_category: Vec<Vec<usize>>,
    /// Affinity at the start, `[buyer * n_countries + country]`.
    pub affinity: Vec<f64>,
    /// Events in time order.
    pub events: Vec<Event>,
    /// Threat θ_i(t), `[t * n_buyers + buyer]`.
    pub threat: Vec<f64>,
    /// Annual equipment budget B_i(t), US$ m, `[t * n_buyers + buyer]`.
    pub budget: Vec<f64>,
    /// Required force R_ic(t) = R⁰_ic · (1 + ρ_c θ_i(t)), rounded,
    /// `[(t * n_buyers + buyer) * n_categories + category]`.
    pub required: Vec<i64>,
    /// Country index of the summary's focus country.
    pub focus_country: usize,
}

/// Index of `id` among `ids`; `key` names it in the error (formatted only
/// on failure: sweeps compile a world for every point).
fn index_of(ids: &[String], id: &str, key: impl FnOnce() -> String) -> Result<usize, WorldError> {
    ids.iter()
        .position(|x| x == id)
        .ok_or_else(|| WorldError(format!("`{}` names `{id}`, which is not defined", key())))
}

/// A yearly series evaluated at each calendar year from `first` to `last`,
/// interpolated linearly between given years and held flat outside them.
pub fn series_by_year(series: &YearSeries, first: i32, last: i32) -> Vec<f64> {
    let points: Vec<(i32, f64)> = {
        let mut p: Vec<(i32, f64)> = series
            .iter()
            .filter_map(|(k, v)| k.parse::<i32>().ok().map(|y| (y, *v)))
            .collect();
        p.sort_by_key(|(y, _)| *y);
        p
    };
    (first..=last)
        .map(|y| {
            if points.is_empty() {
                return 0.0;
            }
            if y <= points[0].0 {
                return points[0].1;
            }
            for w in points.windows(2) {
                let ((y0, v0), (y1, v1)) = (w[0], w[1]);
                if y <= y1 {
                    return v0 + (v1 - v0) * f64::from(y - y0) / f64::from(y1 - y0);
                }
            }
            points[points.len() - 1].1
        })
        .collect()
}

fn apply_overrides(w: &mut Weights, o: &WeightOverrides) {
    let pairs: [(&mut f64, Option<f64>); 11] = [
        (&mut w.price, o.price),
        (&mut w.delivery, o.delivery),
        (&mut w.urgency, o.urgency),
        (&mut w.quality, o.quality),
        (&mut w.interoperability, o.interoperability),
        (&mut w.offset, o.offset),
        (&mut w.reliability, o.reliability),
        (&mut w.commonality, o.commonality),
        (&mut w.domestic, o.domestic),
        (&mut w.affinity, o.affinity),
        (&mut w.defer, o.defer),
    ];
    for (slot, value) in pairs {
        if let Some(v) = value {
            *slot = v;
        }
    }
}

impl World {
    /// The calendar quarter of run quarter index `t`.
    pub fn quarter(&self, t: usize) -> Quarter {
        self.start.plus(t as i32)
    }

    /// θ_i(t).
    pub fn threat_of(&self, t: usize, buyer: usize) -> f64 {
        self.threat[t * self.buyers.len() + buyer]
    }

    /// B_i(t), annual equipment budget in US$ m.
    pub fn budget_of(&self, t: usize, buyer: usize) -> f64 {
        self.budget[t * self.buyers.len() + buyer]
    }

    /// R_ic(t), units.
    pub fn required_of(&self, t: usize, buyer: usize, category: usize) -> i64 {
        self.required[(t * self.buyers.len() + buyer) * self.categories.len() + category]
    }

    /// Whether buyer `i` is a NATO member in quarter index `t`.
    pub fn is_nato(&self, t: usize, buyer: usize) -> bool {
        self.buyers[buyer]
            .nato_since
            .is_some_and(|q| q <= self.quarter(t))
    }

    /// Compile a validated scenario.
    pub fn from_scenario(s: &Scenario) -> Result<World, WorldError> {
        let (start, end) = (s.start, s.end);
        let n_quarters = (end.0 - start.0 + 1) as usize;
        let index_of_t = |q: Quarter| -> usize { (q.0 - start.0).max(0) as usize };

        let regions: Vec<String> = s.regions.keys().cloned().collect();
        let region_threat0: Vec<f64> = s.regions.values().map(|r| r.threat).collect();
        let categories: Vec<Category> = s
            .categories
            .iter()
            .map(|(id, c)| Category {
                id: id.clone(),
                ref_price: c.ref_price,
                life_years: c.life_years,
                legacy_retire_years: c.legacy_retire_years,
                min_lot: c.min_lot,
                threat_response: c.threat_response,
            })
            .collect();
        let cat_ids: Vec<String> = categories.iter().map(|c| c.id.clone()).collect();

        let mut shocks = Vec::new();
        for (id, sh) in &s.shocks {
            let mut exposure = vec![0.0; regions.len()];
            for (r, x) in &sh.exposure {
                exposure[index_of(&regions, r, || format!("shocks.{id}.exposure"))?] = *x;
            }
            shocks.push(Shock {
                onset: sh.quarter,
                magnitude: sh.magnitude,
                decay: sh.decay,
                exposure,
            });
        }

        // Countries: buyers first so that a buyer's index is its country's.
        let buyer_ids: Vec<String> = s.buyers.keys().cloned().collect();
        let mut countries: Vec<Country> = buyer_ids
            .iter()
            .map(|id| {
                let c = s.countries.get(id);
                Country {
                    id: id.clone(),
                    credit_share: c.map_or(0.0, |c| c.credit_share),
                    credit_cap: c.map_or(0.0, |c| c.credit_cap),
                    credit_repayment_years: c.map_or(10.0, |c| c.credit_repayment_years),
                }
            })
            .collect();
        for (id, c) in &s.countries {
            if !s.buyers.contains_key(id) {
                countries.push(Country {
                    id: id.clone(),
                    credit_share: c.credit_share,
                    credit_cap: c.credit_cap,
                    credit_repayment_years: c.credit_repayment_years,
                });
            }
        }
        let country_ids: Vec<String> = countries.iter().map(|c| c.id.clone()).collect();

        // Families: every line's, then every fleet's.
        let mut families: Vec<String> = Vec::new();
        let family_index = |name: &str, families: &mut Vec<String>| -> usize {
            match families.iter().position(|f| f == name) {
                Some(i) => i,
                None => {
                    families.push(name.to_string());
                    families.len() - 1
                }
            }
        };
        for sup in s.suppliers.values() {
            for (lid, line) in &sup.lines {
                let fam = line.family.clone().unwrap_or_else(|| lid.clone());
                family_index(&fam, &mut families);
            }
        }

        let mut buyers = Vec::new();
        for (id, b) in &s.buyers {
            let region = index_of(&regions, &b.region, || format!("buyers.{id}.region"))?;
            let mut weights = s.preferences.default;
            if let Some(o) = s.preferences.regions.get(&b.region) {
                apply_overrides(&mut weights, o);
            }
            if let Some(o) = s.preferences.buyers.get(id) {
                apply_overrides(&mut weights, o);
            }
            let mut fleet = vec![FleetStart::default(); categories.len()];
            for (cid, f) in &b.fleet {
                let c = index_of(&cat_ids, cid, || format!("buyers.{id}.fleet"))?;
                let mut fams: Vec<(usize, u32)> = f
                    .families
                    .iter()
                    .map(|(name, n)| (family_index(name, &mut families), *n))
                    .collect();
                fams.sort();
                fleet[c] = FleetStart {
                    units: f.units,
                    legacy: f.legacy,
                    required: f.required.unwrap_or(f.units),
                    families: fams,
                };
            }
            buyers.push(Buyer {
                id: id.clone(),
                name: b.name.clone(),
                region,
                country: index_of(&country_ids, id, || "buyers".into())?,
                nato_since: b.nato_since,
                localisation_demand: b.localisation_demand,
                weights,
                fleet,
            });
        }

        let mut suppliers = Vec::new();
        let mut lines = Vec::new();
        let first_year = start.year();
        let last_year = end.year();
        for (sid, sup) in &s.suppliers {
            let si = suppliers.len();
            let country = index_of(&country_ids, &sup.country, || {
                format!("suppliers.{sid}.country")
            })?;
            let access = s
                .buyers
                .iter()
                .map(|(bid, b)| {
                    if *bid == sup.country {
                        1.0
                    } else if let Some(a) = sup.access.buyers.get(bid) {
                        *a
                    } else if let Some(a) = sup.access.regions.get(&b.region) {
                        *a
                    } else {
                        sup.access.default
                    }
                })
                .collect();
            let mut marketing = vec![0.0; regions.len()];
            for (r, v) in &sup.invest.marketing {
                marketing[index_of(&regions, r, || format!("suppliers.{sid}.invest.marketing"))?] =
                    *v;
            }
            let inv = &sup.invest;
            let mut line_ids = Vec::new();
            for (lid, l) in &sup.lines {
                let key = format!("suppliers.{sid}.lines.{lid}");
                let fam = l.family.clone().unwrap_or_else(|| lid.clone());
                let yearly = series_by_year(&l.home_orders, first_year, last_year);
                let home_orders = (0..n_quarters)
                    .map(|t| yearly[(start.plus(t as i32).year() - first_year) as usize] / 4.0)
                    .collect();
                line_ids.push(lines.len());
                lines.push(Line {
                    id: lid.clone(),
                    supplier: si,
                    category: index_of(&cat_ids, &l.category, || format!("{key}.category"))?,
                    family: family_index(&fam, &mut families),
                    list_price: l.list_price,
                    quality: l.quality,
                    interoperability: l.interoperability,
                    base_lead: l.base_lead,
                    capacity: l.capacity,
                    reliability: l.reliability,
                    slip_share: l.slip_share,
                    localisation: l.localisation,
                    available_from: l.available_from.map_or(0, index_of_t),
                    initial_backlog: l.initial_backlog,
                    home_orders,
                    divertible_share: l.divertible_share,
                    tiv: l.tiv.unwrap_or(l.list_price),
                });
            }
            suppliers.push(Supplier {
                id: sid.clone(),
                name: sup.name.clone(),
                country,
                cash: sup.cash,
                margin: sup.margin,
                markup: sup.markup,
                access,
                invest: Investment {
                    enabled: inv.enabled,
                    backlog_threshold: inv.backlog_threshold,
                    growth: inv.growth,
                    build_lag: inv.build_lag,
                    capex: inv.capex,
                    interop_spend: inv.interop_spend,
                    interop_rate: inv.interop_rate,
                    interop_scale: inv.interop_scale,
                    marketing,
                    marketing_decay: inv.marketing_decay,
                    marketing_scale: inv.marketing_scale,
                    localisation_spend: inv.localisation_spend,
                    localisation_rate: inv.localisation_rate,
                    localisation_scale: inv.localisation_scale,
                },
                lines: line_ids,
            });
        }
        let mut lines_by_category = vec![Vec::new(); categories.len()];
        for (i, l) in lines.iter().enumerate() {
            lines_by_category[l.category].push(i);
        }

        // Affinity: `default` first, then per buyer.
        let nc = countries.len();
        let mut affinity = vec![0.0; buyers.len() * nc];
        if let Some(d) = s.affinity.get("default") {
            for (c, v) in d {
                let ci = index_of(&country_ids, c, || "affinity.default".into())?;
                for b in 0..buyers.len() {
                    affinity[b * nc + ci] = *v;
                }
            }
        }
        for (b, row) in &s.affinity {
            if b == "default" {
                continue;
            }
            let bi = index_of(&buyer_ids, b, || "affinity".into())?;
            for (c, v) in row {
                let ci = index_of(&country_ids, c, || format!("affinity.{b}"))?;
                affinity[bi * nc + ci] = *v;
            }
        }

        let mut events = Vec::new();
        for (id, e) in &s.events {
            let key = format!("events.{id}");
            let q = e.quarter;
            if q < start || q > end {
                continue; // outside the run: it never happens here
            }
            if let Some(sh) = &e.shock {
                let active = s.shocks.get(sh).is_some_and(|x| x.magnitude > 0.0);
                if !active {
                    continue; // a consequence of a shock this world lacks
                }
            }
            let missing = |f: &str| WorldError(format!("`{key}` ({}) needs `{f}`", e.kind));
            let buyer_list = |e: &schema::Event| -> Result<Vec<usize>, WorldError> {
                match (&e.buyer, &e.region) {
                    (Some(b), _) => Ok(vec![index_of(&buyer_ids, b, || format!("{key}.buyer"))?]),
                    (None, Some(r)) => {
                        let ri = index_of(&regions, r, || format!("{key}.region"))?;
                        Ok((0..buyers.len())
                            .filter(|&i| buyers[i].region == ri)
                            .collect())
                    }
                    (None, None) => Ok((0..buyers.len()).collect()),
                }
            };
            let kind = match e.kind {
                schema::EventKind::Donation => EventKind::Donation {
                    buyer: index_of(
                        &buyer_ids,
                        e.buyer.as_deref().ok_or_else(|| missing("buyer"))?,
                        || format!("{key}.buyer"),
                    )?,
                    category: index_of(
                        &cat_ids,
                        e.category.as_deref().ok_or_else(|| missing("category"))?,
                        || format!("{key}.category"),
                    )?,
                    units: e.units.ok_or_else(|| missing("units"))?,
                },
                schema::EventKind::Access => {
                    let suppliers_hit: Vec<usize> = match (&e.supplier, &e.country) {
                        (Some(sid), _) => vec![
                            s.suppliers
                                .keys()
                                .position(|k| k == sid)
                                .ok_or_else(|| missing("a defined supplier"))?,
                        ],
                        (None, Some(c)) => {
                            let ci = index_of(&country_ids, c, || format!("{key}.country"))?;
                            (0..suppliers.len())
                                .filter(|&j| suppliers[j].country == ci)
                                .collect()
                        }
                        (None, None) => return Err(missing("supplier or country")),
                    };
                    EventKind::Access {
                        suppliers: suppliers_hit,
                        buyers: buyer_list(e)?,
                        amount: e.amount.ok_or_else(|| missing("amount"))?,
                    }
                }
                schema::EventKind::Affinity => EventKind::Affinity {
                    buyers: buyer_list(e)?,
                    country: index_of(
                        &country_ids,
                        e.country.as_deref().ok_or_else(|| missing("country"))?,
                        || format!("{key}.country"),
                    )?,
                    amount: e.amount.ok_or_else(|| missing("amount"))?,
                },
                schema::EventKind::CreditCap => EventKind::CreditCap {
                    country: index_of(
                        &country_ids,
                        e.country.as_deref().ok_or_else(|| missing("country"))?,
                        || format!("{key}.country"),
                    )?,
                    cap: e.amount.ok_or_else(|| missing("amount"))?,
                },
            };
            events.push(Event {
                id: id.clone(),
                t: index_of_t(q),
                kind,
            });
        }
        events.sort_by(|a, b| a.t.cmp(&b.t).then_with(|| a.id.cmp(&b.id)));

        let focus_country = index_of(&country_ids, &s.outputs.focus_country, || {
            "outputs.focus_country".into()
        })?;

        // Exogenous paths.
        let region_threat = threat::region_paths(&region_threat0, &shocks, start, n_quarters);
        let exposure: Vec<f64> = s.buyers.values().map(|b| b.threat_exposure).collect();
        let nb = buyers.len();
        let mut threat = vec![0.0; n_quarters * nb];
        for t in 0..n_quarters {
            for (i, b) in buyers.iter().enumerate() {
                threat[t * nb + i] = exposure[i] * region_threat[t * regions.len() + b.region];
            }
        }
        let mode = s.spending.mode;
        let mut budget = vec![0.0; n_quarters * nb];
        for (i, b) in s.buyers.values().enumerate() {
            let inputs = budget::BuyerBudgetInputs {
                gdp: series_by_year(&b.gdp, first_year, last_year),
                gdp_last_year: b
                    .gdp
                    .keys()
                    .filter_map(|k| k.parse::<i32>().ok())
                    .max()
                    .unwrap_or(first_year),
                gdp_growth: b.gdp_growth,
                spending: series_by_year(&b.spending, first_year, last_year),
                equipment: series_by_year(&b.equipment, first_year, last_year),
                spending_base: b.spending_base,
                spending_threat: b.spending_threat,
                equipment_base: b.equipment_base,
                equipment_threat: b.equipment_threat,
            };
            let threat_i: Vec<f64> = (0..n_quarters).map(|t| threat[t * nb + i]).collect();
            let path =
                budget::budget_path(&inputs, mode, s.spending.adjust_speed, &threat_i, start);
            for (t, v) in path.into_iter().enumerate() {
                budget[t * nb + i] = v;
            }
        }

        let nc = categories.len();
        let mut required = vec![0i64; n_quarters * nb * nc];
        for t in 0..n_quarters {
            for (i, b) in buyers.iter().enumerate() {
                let theta = threat[t * nb + i];
                for (c, cat) in categories.iter().enumerate() {
                    let r0 = f64::from(b.fleet[c].required);
                    required[(t * nb + i) * nc + c] =
                        (r0 * (1.0 + cat.threat_response * theta)).round() as i64;
                }
            }
        }

        Ok(World {
            required,
            start,
            n_quarters,
            market: s.market.clone(),
            regions,
            shocks,
            categories,
            countries,
            families,
            buyers,
            suppliers,
            lines,
            lines_by_category,
            affinity,
            events,
            threat,
            budget,
            focus_country,
        })
    }
}

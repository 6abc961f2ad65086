//! The per-run CSV tables of `armsmarket run`: contracts, market, suppliers,
//! buyers and summary. Rows are written in replication order, then in the
//! order the run recorded them, so the bytes do not depend on threads.

use crate::engine::RunRecord;
use crate::engine::replication::Summary;
use crate::model::World;
use crate::output::csv_io;
use crate::output::publish::{StagedFile, Staging};
use crate::scenario::schema::Table;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize)]
struct ContractOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    point_id: Option<&'a str>,
    replication: u32,
    contract: usize,
    quarter: String,
    year: i32,
    buyer: &'a str,
    supplier: &'a str,
    supplier_country: &'a str,
    product: &'a str,
    category: &'a str,
    units: u32,
    unit_price: f64,
    value: f64,
    credit: f64,
    diverted: u32,
    lead_first_promised: f64,
    lead_mean_promised: f64,
    first_delivery: String,
    lead_first_actual: Option<usize>,
    delivered: u32,
}

#[derive(Serialize)]
struct MarketOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    point_id: Option<&'a str>,
    replication: u32,
    quarter: String,
    year: i32,
    buyer: &'a str,
    supplier: &'a str,
    supplier_country: &'a str,
    category: &'a str,
    order_units: u32,
    order_value: f64,
    delivered_units: u32,
    delivered_value: f64,
}

#[derive(Serialize)]
struct SupplierOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    point_id: Option<&'a str>,
    replication: u32,
    quarter: String,
    supplier: &'a str,
    supplier_country: &'a str,
    product: &'a str,
    category: &'a str,
    capacity: f64,
    capacity_pending: f64,
    backlog: u64,
    cash: f64,
    interoperability: f64,
    localisation: f64,
    access: f64,
    price: f64,
}

#[derive(Serialize)]
struct BuyerOut<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    point_id: Option<&'a str>,
    replication: u32,
    quarter: String,
    buyer: &'a str,
    region: &'a str,
    nato: bool,
    category: &'a str,
    threat: f64,
    budget: f64,
    outstanding: f64,
    gap: i64,
    fleet: u32,
    legacy: u32,
    on_order: u32,
}

/// A number as a CSV cell; NaN (undefined) as an empty cell.
pub fn cell(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// The columns of a run's summary (`summary.csv` after `replication`;
/// `runs.csv` of a sweep after the run's identity).
pub fn summary_header(w: &World) -> Vec<String> {
    let mut h: Vec<String> = [
        "contracts",
        "total_value",
        "focus_country",
        "focus_value",
        "focus_share",
        "focus_contracts",
        "focus_lead_first",
        "other_lead_first",
        "tenders",
        "deferrals",
        "no_offer",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let first = w.start.year();
    let last = w.quarter(w.n_quarters - 1).year();
    h.extend((first..=last).map(|y| format!("focus_value_{y}")));
    h
}

/// A run's summary as cells, in the order of [`summary_header`].
pub fn summary_cells(w: &World, s: &Summary) -> Vec<String> {
    let mut row = vec![
        s.contracts.to_string(),
        s.total_value.to_string(),
        w.countries[w.focus_country].id.clone(),
        s.focus_value.to_string(),
        s.focus_share().to_string(),
        s.focus_contracts.to_string(),
        cell(s.focus_lead_first),
        cell(s.other_lead_first),
        s.tenders.to_string(),
        s.deferrals.to_string(),
        s.no_offer.to_string(),
    ];
    row.extend(s.focus_value_by_year.iter().map(|v| v.to_string()));
    row
}

/// Open writers for the selected tables of one scenario.
pub struct TableWriters<W: Write = StagedFile> {
    writers: Vec<(String, csv::Writer<W>)>,
    summary_header_written: bool,
}

fn quarter_str(w: &World, t: usize) -> String {
    w.quarter(t).to_string()
}

impl TableWriters<StagedFile> {
    /// Create `<table>.csv` in `staging` for each selected table.
    pub fn create(staging: &Staging, tables: &[Table]) -> io::Result<TableWriters> {
        let mut writers = Vec::new();
        for name in Table::ALL.iter().filter(|t| tables.contains(t)) {
            let f = staging.create(&format!("{name}.csv"))?;
            writers.push((name.to_string(), f, false));
        }
        Ok(TableWriters::from_writers(writers))
    }

    /// Flush and sync every table.
    pub fn finish(self) -> io::Result<()> {
        for (_, f) in self.into_inner()? {
            f.finish()?;
        }
        Ok(())
    }
}

impl<W: Write> TableWriters<W> {
    /// Tables over given writers: (table name, writer, whether its header
    /// is already written, as in a part file being resumed).
    pub fn from_writers(writers: Vec<(String, W, bool)>) -> TableWriters<W> {
        let writers = writers
            .into_iter()
            .map(|(name, w, has_header)| {
                let csv = csv::WriterBuilder::new()
                    .has_headers(!has_header)
                    .from_writer(w);
                (name, csv)
            })
            .collect();
        TableWriters {
            writers,
            summary_header_written: false,
        }
    }

    /// The CSV writer of a table.
    pub fn get(&mut self, name: &str) -> Option<&mut csv::Writer<W>> {
        self.writers
            .iter_mut()
            .find(|(n, _)| n == name)
            .map(|(_, w)| w)
    }

    /// Flush every CSV writer and hand back the underlying writers.
    pub fn into_inner(self) -> io::Result<Vec<(String, W)>> {
        self.writers
            .into_iter()
            .map(|(n, w)| Ok((n, w.into_inner().map_err(|e| e.into_error())?)))
            .collect()
    }

    /// Append one replication's rows.
    pub fn write(&mut self, w: &World, r: &RunRecord) -> io::Result<()> {
        self.write_point(w, r, None)
    }

    /// Append one run's rows, with a leading `point_id` column when given
    /// (sweeps).
    pub fn write_point(
        &mut self,
        w: &World,
        r: &RunRecord,
        point_id: Option<&str>,
    ) -> io::Result<()> {
        let rep = r.replication;
        let country = |j: usize| w.countries[w.suppliers[j].country].id.as_str();
        if let Some(out) = self.get("contracts") {
            for (k, c) in r.contracts.iter().enumerate() {
                out.serialize(ContractOut {
                    point_id,
                    replication: rep,
                    contract: k,
                    quarter: quarter_str(w, c.signed),
                    year: w.quarter(c.signed).year(),
                    buyer: &w.buyers[c.buyer].id,
                    supplier: &w.suppliers[c.supplier].id,
                    supplier_country: country(c.supplier),
                    product: &w.lines[c.line].id,
                    category: &w.categories[c.category].id,
                    units: c.units,
                    unit_price: c.unit_price,
                    value: c.value,
                    credit: c.credit,
                    diverted: c.diverted,
                    lead_first_promised: c.lead_first,
                    lead_mean_promised: c.lead_mean,
                    first_delivery: c
                        .first_delivery
                        .map(|t| quarter_str(w, t))
                        .unwrap_or_default(),
                    lead_first_actual: c.first_delivery.map(|t| t - c.signed),
                    delivered: c.delivered,
                })
                .map_err(csv_io)?;
            }
        }
        if let Some(out) = self.get("market") {
            for m in &r.market {
                out.serialize(MarketOut {
                    point_id,
                    replication: rep,
                    quarter: quarter_str(w, m.t),
                    year: w.quarter(m.t).year(),
                    buyer: &w.buyers[m.buyer].id,
                    supplier: &w.suppliers[m.supplier].id,
                    supplier_country: country(m.supplier),
                    category: &w.categories[m.category].id,
                    order_units: m.order_units,
                    order_value: m.order_value,
                    delivered_units: m.delivered_units,
                    delivered_value: m.delivered_value,
                })
                .map_err(csv_io)?;
            }
        }
        if let Some(out) = self.get("suppliers") {
            for s in &r.suppliers {
                let line = &w.lines[s.line];
                out.serialize(SupplierOut {
                    point_id,
                    replication: rep,
                    quarter: quarter_str(w, s.t),
                    supplier: &w.suppliers[line.supplier].id,
                    supplier_country: country(line.supplier),
                    product: &line.id,
                    category: &w.categories[line.category].id,
                    capacity: s.capacity,
                    capacity_pending: s.capacity_pending,
                    backlog: s.backlog,
                    cash: s.cash,
                    interoperability: s.interoperability,
                    localisation: s.localisation,
                    access: s.access,
                    price: s.price,
                })
                .map_err(csv_io)?;
            }
        }
        if let Some(out) = self.get("buyers") {
            for b in &r.buyers {
                out.serialize(BuyerOut {
                    point_id,
                    replication: rep,
                    quarter: quarter_str(w, b.t),
                    buyer: &w.buyers[b.buyer].id,
                    region: &w.regions[w.buyers[b.buyer].region],
                    nato: w.is_nato(b.t, b.buyer),
                    category: &w.categories[b.category].id,
                    threat: b.threat,
                    budget: b.budget,
                    outstanding: b.outstanding,
                    gap: b.gap,
                    fleet: b.fleet,
                    legacy: b.legacy,
                    on_order: b.on_order,
                })
                .map_err(csv_io)?;
            }
        }
        let need_header = !self.summary_header_written;
        if let Some(out) = self.get("summary") {
            if need_header {
                let mut h = vec!["replication".to_string()];
                h.extend(summary_header(w));
                out.write_record(&h).map_err(csv_io)?;
            }
            let mut row = vec![rep.to_string()];
            row.extend(summary_cells(w, &r.summary));
            out.write_record(&row).map_err(csv_io)?;
        }
        self.summary_header_written = true;
        Ok(())
    }
}

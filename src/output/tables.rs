//! The per-run CSV tables of `armsmarket run`: contracts, market, suppliers,
//! buyers, exogenous and summary. A replication's rows are formatted where
//! it ran (a worker thread) and appended in replication order, then in the
//! order the run recorded them, so the bytes do not depend on threads.

use crate::engine::RunRecord;
use crate::engine::replication::Summary;
use crate::model::World;
use crate::output::csv_io;
use crate::output::publish::{StagedFile, Staging};
use crate::scenario::schema::Table;
use serde::Serialize;
use std::io::{self, Write};

#[derive(Serialize, Default)]
struct ContractOut<'a> {
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

#[derive(Serialize, Default)]
struct MarketOut<'a> {
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

#[derive(Serialize, Default)]
struct SupplierOut<'a> {
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

#[derive(Serialize, Default)]
struct BuyerOut<'a> {
    replication: u32,
    quarter: String,
    buyer: &'a str,
    category: &'a str,
    outstanding: f64,
    gap: f64,
    fleet: u32,
    legacy: u32,
    on_order: u32,
}

/// What no replication changes, once per world: the buyer's threat,
/// budget, region and NATO membership by quarter.
#[derive(Serialize, Default)]
struct ExogenousOut<'a> {
    quarter: String,
    year: i32,
    buyer: &'a str,
    region: &'a str,
    nato: bool,
    threat: f64,
    budget: f64,
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

/// Writers of the selected per-run tables. Every row may lead with a key
/// column (a sweep's `point_id`, `compare`'s `scenario`), named once for
/// all tables.
pub struct TableWriters<W: Write = Vec<u8>> {
    writers: Vec<(Table, csv::Writer<W>)>,
    lead: Option<&'static str>,
}

fn quarter_str(w: &World, t: usize) -> String {
    w.quarter(t).to_string()
}

/// The header line of a record type, from its field names.
fn header_of<T: Serialize>(record: T) -> Vec<u8> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.serialize(record).expect("a record serialises");
    let bytes = w.into_inner().expect("a Vec takes every byte");
    let end = bytes
        .iter()
        .position(|b| *b == b'\n')
        .map_or(bytes.len(), |i| i + 1);
    bytes[..end].to_vec()
}

/// One replication's rows of each selected table, formatted.
pub type Rows = Vec<(Table, Vec<u8>)>;

/// The rows of `r` in `tables` (in [`Table::ALL`] order), each led by
/// `key` under the column `lead`: formatted by the thread that ran the
/// replication, so that writing is only copying bytes.
pub fn format_rows(
    w: &World,
    r: &RunRecord,
    tables: &[Table],
    lead: Option<&'static str>,
    key: Option<&str>,
) -> io::Result<Rows> {
    let buffers = Table::ALL
        .iter()
        .filter(|t| tables.contains(t))
        .map(|t| (*t, Vec::new()))
        .collect();
    let mut writers = TableWriters::new(buffers, lead);
    writers.write(w, r, key)?;
    writers.into_inner()
}

/// The selected tables' files in a staged result, each begun with its
/// header (so that a table without rows still names its columns).
pub struct TableFiles {
    files: Vec<(Table, StagedFile)>,
}

impl TableFiles {
    /// Create `<table>.csv` in `staging` for each of `tables`.
    pub fn create(
        staging: &Staging,
        tables: &[Table],
        w: &World,
        lead: Option<&'static str>,
    ) -> io::Result<TableFiles> {
        let mut files = Vec::new();
        for t in Table::ALL.iter().filter(|t| tables.contains(t)) {
            let mut f = staging.create(&format!("{t}.csv"))?;
            f.write_all(&TableWriters::<Vec<u8>>::header(*t, w, lead))?;
            files.push((*t, f));
        }
        Ok(TableFiles { files })
    }

    /// Append one replication's formatted rows.
    pub fn append(&mut self, rows: &Rows) -> io::Result<()> {
        for (table, bytes) in rows {
            if let Some((_, f)) = self.files.iter_mut().find(|(t, _)| t == table) {
                f.write_all(bytes)?;
            }
        }
        Ok(())
    }

    /// Flush and sync every table.
    pub fn finish(self) -> io::Result<()> {
        for (_, f) in self.files {
            f.finish()?;
        }
        Ok(())
    }
}

impl<W: Write> TableWriters<W> {
    /// Tables over given writers, whose headers are written already (or
    /// not wanted): rows only.
    pub fn new(writers: Vec<(Table, W)>, lead: Option<&'static str>) -> TableWriters<W> {
        let writers = writers
            .into_iter()
            .map(|(t, w)| {
                let csv = csv::WriterBuilder::new().has_headers(false).from_writer(w);
                (t, csv)
            })
            .collect();
        TableWriters { writers, lead }
    }

    /// The header line of `table` in `w`'s world, after the `lead` column.
    pub fn header(table: Table, w: &World, lead: Option<&str>) -> Vec<u8> {
        let mut line = lead
            .map(|l| format!("{l},"))
            .unwrap_or_default()
            .into_bytes();
        line.extend(match table {
            Table::Contracts => header_of(ContractOut::default()),
            Table::Market => header_of(MarketOut::default()),
            Table::Suppliers => header_of(SupplierOut::default()),
            Table::Buyers => header_of(BuyerOut::default()),
            Table::Exogenous => header_of(ExogenousOut::default()),
            Table::Summary => {
                let mut h = vec!["replication".to_string()];
                h.extend(summary_header(w));
                let mut out = csv::Writer::from_writer(Vec::new());
                out.write_record(&h).expect("a header serialises");
                out.into_inner().expect("a Vec takes every byte")
            }
        });
        line
    }

    /// The CSV writer of a table, if it is selected.
    fn get(&mut self, table: Table) -> Option<&mut csv::Writer<W>> {
        self.writers
            .iter_mut()
            .find(|(t, _)| *t == table)
            .map(|(_, w)| w)
    }

    /// Flush every CSV writer and hand back the underlying writers.
    pub fn into_inner(self) -> io::Result<Vec<(Table, W)>> {
        self.writers
            .into_iter()
            .map(|(t, w)| Ok((t, w.into_inner().map_err(|e| e.into_error())?)))
            .collect()
    }

    /// Append one run's rows; `key` fills the lead column. The exogenous
    /// table takes its rows from replication 0 only: they are the world's,
    /// the same in every replication.
    pub fn write(&mut self, w: &World, r: &RunRecord, key: Option<&str>) -> io::Result<()> {
        /// One row: the lead cell, then the record.
        fn row<W: Write, T: Serialize>(
            out: &mut csv::Writer<W>,
            lead: Option<&str>,
            record: T,
        ) -> io::Result<()> {
            if let Some(k) = lead {
                out.write_field(k).map_err(csv_io)?;
            }
            out.serialize(record).map_err(csv_io)
        }
        let rep = r.replication;
        let lead = self.lead.map(|_| key.unwrap_or(""));
        let country = |j: usize| w.countries[w.suppliers[j].country].id.as_str();
        if let Some(out) = self.get(Table::Contracts) {
            for (k, c) in r.contracts.iter().enumerate() {
                row(
                    out,
                    lead,
                    ContractOut {
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
                    },
                )?;
            }
        }
        if let Some(out) = self.get(Table::Market) {
            for m in &r.market {
                row(
                    out,
                    lead,
                    MarketOut {
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
                    },
                )?;
            }
        }
        if let Some(out) = self.get(Table::Suppliers) {
            for s in &r.suppliers {
                let line = &w.lines[s.line];
                row(
                    out,
                    lead,
                    SupplierOut {
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
                    },
                )?;
            }
        }
        if let Some(out) = self.get(Table::Buyers) {
            for b in &r.buyers {
                row(
                    out,
                    lead,
                    BuyerOut {
                        replication: rep,
                        quarter: quarter_str(w, b.t),
                        buyer: &w.buyers[b.buyer].id,
                        category: &w.categories[b.category].id,
                        outstanding: b.outstanding,
                        gap: b.gap,
                        fleet: b.fleet,
                        legacy: b.legacy,
                        on_order: b.on_order,
                    },
                )?;
            }
        }
        if rep == 0
            && let Some(out) = self.get(Table::Exogenous)
        {
            for t in 0..w.n_quarters {
                for (b, buyer) in w.buyers.iter().enumerate() {
                    row(
                        out,
                        lead,
                        ExogenousOut {
                            quarter: quarter_str(w, t),
                            year: w.quarter(t).year(),
                            buyer: &buyer.id,
                            region: &w.regions[buyer.region],
                            nato: w.is_nato(t, b),
                            threat: w.threat_of(t, b),
                            budget: w.budget_of(t, b),
                        },
                    )?;
                }
            }
        }
        if let Some(out) = self.get(Table::Summary) {
            if let Some(k) = lead {
                out.write_field(k).map_err(csv_io)?;
            }
            let mut cells = vec![rep.to_string()];
            cells.extend(summary_cells(w, &r.summary));
            out.write_record(&cells).map_err(csv_io)?;
        }
        Ok(())
    }
}

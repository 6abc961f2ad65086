//! Self-contained HTML reports: hand-written SVG charts and a page builder.
//!
//! Everything here is a pure function from data to a `String`: no I/O, no
//! clock, no randomness, no JavaScript, no external URL. The same inputs
//! give the same bytes.
//!
//! - [`charts`]: one function per chart kind, from plain data (slices of
//!   `f64` and labels) to an SVG string;
//! - [`page`]: the page, with sections, collapsible parts, figures with
//!   captions, tables and a provenance header, styled by one inline
//!   stylesheet with a print block;
//! - [`kde`]: weighted quantiles, Silverman's bandwidth and a weighted
//!   Gaussian kernel density estimate;
//! - [`ticks`], [`format`](mod@format), [`escape`](mod@escape), [`palette`]: nice axis ticks,
//!   locale-free number formatting, HTML escaping, colour-blind-safe colours.
//!
//! ```
//! use armsmarket::output::html::charts::{BandSeries, Observation, TimeSeriesChart, time_series};
//! use armsmarket::output::html::{Axis, Page, Provenance, Section};
//!
//! let mut chart = TimeSeriesChart::new(
//!     "Korean contract value per year",
//!     Axis::new("Year", ""),
//!     Axis::new("Contract value", "US$ m").from_zero(),
//! );
//! chart.series.push(BandSeries {
//!     name: "commercial_only".into(),
//!     x: vec![2021.0, 2022.0, 2023.0],
//!     lower: vec![0.0, 4000.0, 1000.0],
//!     median: vec![100.0, 9000.0, 3000.0],
//!     upper: vec![400.0, 20000.0, 8000.0],
//! });
//! chart.observed.push(Observation { x: 2022.0, y: 12462.0, note: String::new() });
//! let svg = time_series(&chart);
//! assert!(svg.contains("<title>observed, 2022: 12,462 US$ m</title>"));
//!
//! let html = Page::new("europe")
//!     .provenance(Provenance { seed: Some(42), date: "2025-01-01".into(), ..Provenance::default() })
//!     .section(Section::new("Run").figure(svg, "Korean contract value per year."))
//!     .render();
//! assert!(!html.contains("<script") && !html.contains("https://"));
//! assert_eq!(html, Page::new("europe")
//!     .provenance(Provenance { seed: Some(42), date: "2025-01-01".into(), ..Provenance::default() })
//!     .section(Section::new("Run").figure(time_series(&chart), "Korean contract value per year."))
//!     .render());
//! ```
#![warn(missing_docs)]

pub mod charts;
pub mod escape;
pub mod format;
pub mod kde;
mod mathf;
pub mod page;
pub mod palette;
mod svg;
pub mod ticks;

pub use charts::Axis;
pub use escape::escape;
pub use page::{Block, Figure, Page, Provenance, Section, Table};

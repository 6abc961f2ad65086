//! The charts. Each is a function from a plain-data spec to an SVG string
//! (the heat table: an HTML string), 700 units wide, with a hover `<title>`
//! on every mark, an accessible name and `<desc>`, and class names a
//! stylesheet can restyle.
//!
//! Missing values (NaN, ±∞) are skipped, never drawn; empty data gives an
//! empty chart with a note; every degenerate range gets a usable axis.

pub mod bars;
pub mod density;
pub mod heat;
pub mod histogram;
pub mod intervals;
pub mod panels;
pub mod scatter;
pub mod target_rows;
pub mod time_series;

pub use bars::{BarChart, BarGroup, Estimate, bars};
pub use density::{
    DensityChart, PairsChart, PairsParameter, ParticleSet, WeightedSample, density, pairs,
};
pub use heat::{HeatScale, HeatTable, heat_table};
pub use histogram::{HistogramChart, histogram};
pub use intervals::{IntervalChart, IntervalRow, intervals};
pub use panels::{Layer, Line, Panel, PanelChart, StackedAreaChart, panels, stacked_area};
pub use scatter::{
    LabelledPoint, ReferenceLine, ScatterChart, TrajectoryChart, scatter, trajectory,
};
pub use target_rows::{Counted, Quantiles, TargetRow, TargetRowsChart, target_rows};
pub use time_series::{BandSeries, Observation, TimeSeriesChart, time_series};

use crate::output::html::svg::{self, A, Frame, Svg};
use crate::output::html::ticks::{self, Ticks};
use crate::output::html::{format, palette};

/// One axis of a chart: what it measures and in which unit, and optionally a
/// fixed range, a logarithmic scale, or a range that must include zero.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Axis {
    /// What the axis measures ("Korean contract value").
    pub label: String,
    /// Its unit ("US$ m"); empty for a pure number.
    pub unit: String,
    /// A fixed range; otherwise the data's, widened to nice ticks.
    pub domain: Option<(f64, f64)>,
    /// Logarithmic scale (non-positive values are then left out).
    pub log: bool,
    /// Widen the range to include zero (ignored on a log scale).
    pub include_zero: bool,
    /// A count (generations): ticks at whole numbers only.
    pub whole: bool,
}

impl Axis {
    /// An axis for `label` in `unit`.
    pub fn new(label: impl Into<String>, unit: impl Into<String>) -> Axis {
        Axis {
            label: label.into(),
            unit: unit.into(),
            ..Axis::default()
        }
    }

    /// The same axis over the fixed range `lo..hi`.
    pub fn with_domain(mut self, lo: f64, hi: f64) -> Axis {
        self.domain = Some((lo, hi));
        self
    }

    /// The same axis on a logarithmic scale.
    pub fn log_scale(mut self) -> Axis {
        self.log = true;
        self
    }

    /// The same axis for a count: ticks at whole numbers only.
    pub fn whole_numbers(mut self) -> Axis {
        self.whole = true;
        self
    }

    /// The same axis, its range widened to include zero.
    pub fn from_zero(mut self) -> Axis {
        self.include_zero = true;
        self
    }

    /// The axis title: "label (unit)", or the label alone.
    pub fn title(&self) -> String {
        if self.unit.is_empty() {
            self.label.clone()
        } else {
            format!("{} ({})", self.label, self.unit)
        }
    }
}

/// How an axis without a fixed range fits its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Widened to the nice ticks around the data (value axes).
    Loose,
    /// The data's range plus 2 % each side, ticks inside (years, positions).
    Tight,
}

/// The ticks (and so the range) of `axis` for `data`, about `n` ticks.
pub(crate) fn axis_ticks(
    axis: &Axis,
    data: impl IntoIterator<Item = f64>,
    fit: Fit,
    n: usize,
) -> Ticks {
    let usable = |v: f64| v.is_finite() && (!axis.log || v > 0.0);
    if let Some((lo, hi)) = axis.domain {
        if axis.log {
            let t = ticks::log(lo, hi);
            return if usable(lo) && usable(hi) && lo < hi {
                restrict(t, lo, hi)
            } else {
                t
            };
        }
        return ticks::tight(lo, hi, n);
    }
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for v in data.into_iter().filter(|v| usable(*v)) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if axis.log {
        return ticks::log(lo, hi);
    }
    if axis.include_zero && lo.is_finite() {
        lo = lo.min(0.0);
        hi = hi.max(0.0);
        // Every value 0 (a country that sells nothing, a constant metric's
        // μ*): the axis runs up from 0, not from −1 to 1 around it.
        if lo == 0.0 && hi == 0.0 {
            hi = 1.0;
        }
    }
    match fit {
        Fit::Loose => ticks::loose(lo, hi, n),
        Fit::Tight => {
            let (lo, hi) = ticks::clean_domain(lo, hi);
            let pad = (hi - lo) * 0.02;
            let (lo, hi) = if axis.include_zero && lo == 0.0 {
                (0.0, hi + pad)
            } else {
                (lo - pad, hi + pad)
            };
            if axis.whole {
                ticks::tight_whole(lo, hi, n)
            } else {
                ticks::tight(lo, hi, n)
            }
        }
    }
}

/// Log ticks cut to a fixed range.
fn restrict(mut t: Ticks, lo: f64, hi: f64) -> Ticks {
    let keep: Vec<usize> = (0..t.values.len())
        .filter(|&i| t.values[i] >= lo && t.values[i] <= hi)
        .collect();
    t.values = keep.iter().map(|&i| t.values[i]).collect();
    t.labels = keep.iter().map(|&i| t.labels[i].clone()).collect();
    t.lo = lo;
    t.hi = hi;
    t
}

/// The note drawn in an empty chart's frame.
pub(crate) fn empty_note(svg: &mut Svg, frame: &Frame, text: &str) {
    svg.text(
        (frame.left + frame.right) / 2.0,
        (frame.top + frame.bottom) / 2.0,
        text,
        &[
            ("class", A::S("empty-note")),
            ("text-anchor", A::S("middle")),
            ("fill", A::S(palette::MUTED)),
        ],
    );
}

/// The description to use: the caller's, or a generated one.
pub(crate) fn describe(given: &str, generated: impl FnOnce() -> String) -> String {
    if given.trim().is_empty() {
        generated()
    } else {
        given.to_string()
    }
}

/// "lo – hi" for hover text.
pub(crate) fn range_text(lo: f64, hi: f64) -> String {
    format!("{} – {}", format::hover(lo), format::hover(hi))
}

/// Hover text for a value with its axis unit.
pub(crate) fn with_unit(v: f64, unit: &str) -> String {
    if unit.is_empty() || !v.is_finite() {
        format::hover(v)
    } else {
        format!("{} {}", format::hover(v), unit)
    }
}

/// Standard chart geometry for a single frame: left margin from the y ticks,
/// a legend band on top.
pub(crate) fn frame_for(y_ticks: &Ticks, y_title: &str, top: f64, plot_height: f64) -> Frame {
    let left = svg::y_axis_width(y_ticks, y_title).max(48.0);
    Frame {
        left,
        top,
        right: svg::WIDTH - 24.0,
        bottom: top + plot_height,
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! Checks every chart test applies to its output.

    /// Panics if `svg` has a NaN or infinity anywhere in its markup, no hover
    /// titles beyond the chart's own, unbalanced tags, or no `<desc>`.
    pub(crate) fn check_svg(svg: &str, min_titles: usize) {
        assert!(
            svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
            "{svg}"
        );
        assert!(svg.trim_end().ends_with("</svg>"));
        assert!(!svg.contains("NaN"), "NaN in SVG:\n{svg}");
        // Rust prints infinity as "inf"; allow words such as "info".
        for (i, _) in svg.match_indices("inf") {
            let next = svg[i + 3..].chars().next().unwrap_or(' ');
            assert!(next.is_ascii_alphabetic(), "inf in SVG at {i}:\n{svg}");
        }
        assert!(svg.contains("<desc>") && svg.contains("aria-label="));
        let titles = svg.matches("<title>").count();
        assert!(
            titles > min_titles,
            "{titles} titles, want more than {min_titles}:\n{svg}"
        );
        assert_eq!(svg.matches("<g").count(), svg.matches("</g>").count());
        assert_eq!(
            svg.matches("<title>").count(),
            svg.matches("</title>").count()
        );
        assert_eq!(svg.matches("<text").count(), svg.matches("</text>").count());
        assert!(!svg.contains("<script") && !svg.contains("https://"));
        // Every point and every path (lines, bands, areas) carries hover text.
        for tag in ["<circle", "<path"] {
            for (i, _) in svg.match_indices(tag) {
                let end = i + svg[i..].find('>').unwrap();
                assert!(
                    svg[end..].starts_with("><title>"),
                    "{tag} without a title at {i}:\n{}",
                    &svg[i..end + 1]
                );
            }
        }
        // Only the namespace may hold a URL.
        assert_eq!(svg.matches("http://").count(), 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_axis_from_zero_over_zeros_alone_runs_up_from_zero() {
        let axis = Axis::new("Value", "").from_zero();
        for fit in [Fit::Loose, Fit::Tight] {
            let t = axis_ticks(&axis, [0.0, 0.0, f64::NAN], fit, 5);
            assert_eq!(
                (t.lo, t.values.first()),
                (0.0, Some(&0.0)),
                "{fit:?}: {:?}",
                t.values
            );
            assert!(
                t.values.iter().all(|&v| v >= 0.0),
                "{fit:?}: {:?}",
                t.values
            );
            assert!(
                t.values.last().is_some_and(|&v| v >= 1.0),
                "{fit:?}: {:?}",
                t.values
            );
        }
        // Without `from_zero` a lone value stays in the middle of its axis.
        let t = axis_ticks(&Axis::new("Value", ""), [0.0], Fit::Loose, 5);
        assert!(t.values.first().is_some_and(|&v| v < 0.0), "{:?}", t.values);
    }
}

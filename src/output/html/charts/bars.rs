//! Grouped bars with error bars, laid horizontally so that long names (dotted
//! parameter paths) read left of their bars: Sobol' S1 and ST per parameter.

use super::{Axis, Fit, axis_ticks, describe};
use crate::output::html::svg::{self, A, Frame, Scale, Svg, Swatch};
use crate::output::html::{format, palette};
use crate::output::report::count;

/// An estimate with an interval; NaN ends mean no interval.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Estimate {
    /// Point estimate.
    pub value: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
}

impl Estimate {
    /// An estimate with interval lo..hi. An undefined value has no
    /// interval: bounds around nothing are not drawn, nor do they stretch
    /// the axis (a bootstrap can give them where the estimate is empty).
    pub fn new(value: f64, lo: f64, hi: f64) -> Estimate {
        if value.is_finite() {
            Estimate { value, lo, hi }
        } else {
            Estimate {
                value,
                lo: f64::NAN,
                hi: f64::NAN,
            }
        }
    }
}

/// One group of bars (a parameter), one bar per series.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarGroup {
    /// Group label.
    pub label: String,
    /// One estimate per series, in the order of the chart's `series`.
    pub values: Vec<Estimate>,
}

/// A grouped bar chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BarChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The value axis (always includes zero).
    pub axis: Axis,
    /// Series names ("S1", "ST").
    pub series: Vec<String>,
    /// Groups, drawn top to bottom.
    pub groups: Vec<BarGroup>,
    /// What the intervals are ("95 % interval"), for the legend; empty for none.
    pub interval_label: String,
}

const BAR_H: f64 = 11.0;
const BAR_GAP: f64 = 2.0;
const GROUP_GAP: f64 = 12.0;

/// Draw a grouped bar chart.
pub fn bars(chart: &BarChart) -> String {
    let n_series = chart
        .series
        .len()
        .max(
            chart
                .groups
                .iter()
                .map(|g| g.values.len())
                .max()
                .unwrap_or(0),
        )
        .max(1);
    let data = chart
        .groups
        .iter()
        .flat_map(|g| g.values.iter().flat_map(|e| [e.value, e.lo, e.hi]));
    let axis = Axis {
        include_zero: true,
        ..chart.axis.clone()
    };
    let xt = axis_ticks(&axis, data, Fit::Loose, 6);

    let mut legend: Vec<(Swatch, String)> = (0..n_series)
        .map(|i| {
            (
                Swatch::Band(palette::series(i), 1.0),
                chart
                    .series
                    .get(i)
                    .cloned()
                    .unwrap_or_else(|| format!("series {}", i + 1)),
            )
        })
        .collect();
    if !chart.interval_label.is_empty() {
        legend.push((
            Swatch::Line(palette::INK, false),
            chart.interval_label.clone(),
        ));
    }
    let label_w =
        svg::max_width(chart.groups.iter().map(|g| &g.label), svg::SMALL).clamp(40.0, 230.0);
    let left = 12.0 + label_w + 12.0;
    let legend_h = svg::legend_height(&legend, svg::WIDTH - left - 24.0);
    let top = 12.0 + legend_h + 10.0;
    let group_h = n_series as f64 * (BAR_H + BAR_GAP) - BAR_GAP + GROUP_GAP;
    let plot_h = (group_h * chart.groups.len() as f64).max(40.0);
    let frame = Frame {
        left,
        top,
        right: svg::WIDTH - 24.0,
        bottom: top + plot_h,
    };
    let height = frame.bottom + 52.0;
    let desc = describe(&chart.description, || {
        format!(
            "Horizontal grouped bar chart of {}: {}, {} each ({}), with intervals.",
            axis.title(),
            count(chart.groups.len() as u64, "group"),
            count(n_series as u64, "bar"),
            chart.series.join(", ")
        )
    });
    let mut svg = Svg::new(height, "bars", &chart.title, &desc);
    svg::legend(&mut svg, left, 12.0, svg::WIDTH - left - 24.0, &legend);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, axis.log);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &axis.title(), true);
    if chart.groups.is_empty() {
        super::empty_note(&mut svg, &frame, "no data");
    }
    let zero = xs.map(if axis.log { xt.lo } else { 0.0 });
    for (gi, g) in chart.groups.iter().enumerate() {
        let gy = frame.top + GROUP_GAP / 2.0 + gi as f64 * group_h;
        let mid = gy + (group_h - GROUP_GAP) / 2.0;
        svg.open(&[("class", A::S("bar-group"))]);
        let tip_label = g.label.clone();
        svg.text_with_title(
            left - 12.0,
            mid + 4.0,
            &svg::fit_text(&g.label, svg::SMALL, label_w),
            &tip_label,
            &[("class", A::S("row-label")), ("text-anchor", A::S("end"))],
        );
        for (si, e) in g.values.iter().enumerate() {
            let y0 = gy + si as f64 * (BAR_H + BAR_GAP);
            let name = chart.series.get(si).map(String::as_str).unwrap_or("");
            let interval = if e.lo.is_finite() && e.hi.is_finite() {
                format!(" [{}, {}]", format::hover(e.lo), format::hover(e.hi))
            } else {
                String::new()
            };
            let tip = format!(
                "{}: {} = {}{}",
                g.label,
                name,
                format::hover(e.value),
                interval
            );
            let x = xs.map(e.value);
            if x.is_finite() && e.value.is_finite() {
                let c = palette::series(si);
                svg.rect(
                    zero,
                    y0,
                    x,
                    y0 + BAR_H,
                    &[("class", A::S(&format!("bar s{si}"))), ("fill", A::S(c))],
                    Some(&tip),
                );
            } else {
                svg.text_with_title(
                    zero + 4.0,
                    y0 + BAR_H - 2.0,
                    "n/a",
                    &tip,
                    &[
                        ("class", A::S("empty-note")),
                        ("fill", A::S(palette::MUTED)),
                        ("font-size", A::N(10.0)),
                    ],
                );
            }
            let (l, h) = (xs.map(e.lo), xs.map(e.hi));
            if l.is_finite() && h.is_finite() && e.lo.is_finite() && e.hi.is_finite() {
                let cy = y0 + BAR_H / 2.0;
                let st = [
                    ("class", A::S("errorbar")),
                    ("stroke", A::S(palette::INK)),
                    ("stroke-width", A::N(1.3)),
                ];
                svg.line(l, cy, h, cy, &st, Some(&tip));
                svg.line(l, cy - 3.5, l, cy + 3.5, &st, None);
                svg.line(h, cy - 3.5, h, cy + 3.5, &st, None);
            }
        }
        svg.close();
    }
    svg.line(
        zero,
        frame.top,
        zero,
        frame.bottom,
        &[
            ("class", A::S("zero")),
            ("stroke", A::S(palette::INK)),
            ("stroke-width", A::N(1.0)),
        ],
        None,
    );
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    fn chart() -> BarChart {
        BarChart {
            title: "Sobol".into(),
            description: String::new(),
            axis: Axis::new("Sobol' index", ""),
            series: vec!["S1".into(), "ST".into()],
            groups: vec![
                BarGroup {
                    label: "preferences.default.delivery".into(),
                    values: vec![
                        Estimate::new(0.31, 0.28, 0.35),
                        Estimate::new(0.56, 0.5, 0.6),
                    ],
                },
                BarGroup {
                    label: "x2".into(),
                    values: vec![
                        Estimate::new(-0.02, -0.05, 0.01),
                        Estimate::new(0.24, f64::NAN, f64::NAN),
                    ],
                },
            ],
            interval_label: "95 % interval".into(),
        }
    }

    #[test]
    fn bars_with_titles() {
        let s = bars(&chart());
        check_svg(&s, 6);
        assert!(s.contains("preferences.default.delivery: S1 = 0.31 [0.28, 0.35]"));
        assert!(s.contains("x2: ST = 0.24<"));
        assert_eq!(s.matches("class=\"bar s").count(), 4);
    }

    /// An undefined estimate's interval is neither drawn nor on the axis:
    /// bounds of -20..30 around an empty ST_net stretched a chart of
    /// indices within 0..1 until its bars were a few pixels wide.
    #[test]
    fn an_undefined_estimate_s_interval_leaves_the_axis_alone() {
        let mut c = chart();
        let plain = bars(&c);
        c.groups[1].values[1] = Estimate::new(f64::NAN, -20.0, 30.0);
        let s = bars(&c);
        assert!(!s.contains(">30<") && !s.contains(">-20<"), "{s}");
        let ticks = |svg: &str| svg.matches("class=\"tick").count();
        assert_eq!(ticks(&s), ticks(&plain));
    }

    #[test]
    fn degenerate() {
        let mut c = chart();
        c.groups[0].values[0] = Estimate::new(f64::NAN, f64::INFINITY, 1.0);
        c.groups[1].values = vec![];
        check_svg(&bars(&c), 1);
        check_svg(&bars(&BarChart::default()), 0);
        let mut zeros = chart();
        for g in &mut zeros.groups {
            for e in &mut g.values {
                *e = Estimate::new(0.0, 0.0, 0.0);
            }
        }
        check_svg(&bars(&zeros), 3);
    }
}

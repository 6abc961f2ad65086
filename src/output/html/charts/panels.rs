//! Per-generation charts: stacked panels of lines sharing one x axis
//! (tolerance above, acceptance rate below), and stacked areas (model
//! probabilities per generation).

use super::{Axis, Fit, axis_ticks, describe};
use crate::output::html::svg::{self, A, Frame, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, palette};
use crate::output::report::count;

/// A line: y against x, read up to the shorter; non-finite entries leave gaps.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Line {
    /// Name (legend and hover).
    pub name: String,
    /// Positions.
    pub x: Vec<f64>,
    /// Values.
    pub y: Vec<f64>,
}

/// One panel: a y axis and its lines.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Panel {
    /// The panel's value axis (may be logarithmic).
    pub axis: Axis,
    /// Lines in the panel; a legend is drawn when there are two or more.
    pub lines: Vec<Line>,
}

/// Panels stacked over one shared x axis.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PanelChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The shared x axis.
    pub x_axis: Axis,
    /// Panels, top to bottom.
    pub panels: Vec<Panel>,
}

/// One layer of a stacked area chart.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Layer {
    /// Name (a model).
    pub name: String,
    /// Value at each x of the chart (missing values count as zero).
    pub values: Vec<f64>,
}

/// Stacked areas over a common x.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StackedAreaChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The x axis.
    pub x_axis: Axis,
    /// The value axis (from zero).
    pub y_axis: Axis,
    /// Positions shared by all layers.
    pub x: Vec<f64>,
    /// Layers, stacked bottom to top.
    pub layers: Vec<Layer>,
}

const PANEL_H: f64 = 170.0;
const PANEL_GAP: f64 = 26.0;

fn n_of(l: &Line) -> usize {
    l.x.len().min(l.y.len())
}

/// Draw stacked panels.
pub fn panels(chart: &PanelChart) -> String {
    let xs_data = chart
        .panels
        .iter()
        .flat_map(|p| p.lines.iter().flat_map(|l| l.x[..n_of(l)].iter().copied()));
    let xt = axis_ticks(&chart.x_axis, xs_data, Fit::Tight, 8);
    let yts: Vec<_> = chart
        .panels
        .iter()
        .map(|p| {
            axis_ticks(
                &p.axis,
                p.lines.iter().flat_map(|l| l.y[..n_of(l)].iter().copied()),
                Fit::Loose,
                5,
            )
        })
        .collect();
    let left = chart
        .panels
        .iter()
        .zip(&yts)
        .map(|(p, t)| svg::y_axis_width(t, &p.axis.title()))
        .fold(48.0, f64::max);
    let right = svg::WIDTH - 24.0;
    // Each panel: its legend (if two or more lines), then the plot.
    let mut tops = Vec::new();
    let mut y = 12.0;
    let legends: Vec<Vec<(Swatch, String)>> = chart
        .panels
        .iter()
        .map(|p| {
            if p.lines.len() < 2 {
                return vec![];
            }
            p.lines
                .iter()
                .enumerate()
                .map(|(i, l)| (Swatch::Line(palette::series(i), false), l.name.clone()))
                .collect()
        })
        .collect();
    for lg in &legends {
        let lh = svg::legend_height(lg, right - left);
        tops.push((y, y + lh + if lh > 0.0 { 6.0 } else { 0.0 }));
        y += lh + if lh > 0.0 { 6.0 } else { 0.0 } + PANEL_H + PANEL_GAP;
    }
    let bottom = if chart.panels.is_empty() {
        12.0 + PANEL_H
    } else {
        y - PANEL_GAP
    };
    let height = bottom + 52.0;
    let desc = describe(&chart.description, || {
        let names: Vec<String> = chart.panels.iter().map(|p| p.axis.title()).collect();
        format!(
            "{} against {}: {}.",
            count(chart.panels.len() as u64, "panel"),
            chart.x_axis.title(),
            names.join("; ")
        )
    });
    let mut svg = Svg::new(height, "panels", &chart.title, &desc);
    let xs = Scale::from_ticks(&xt, left, right, chart.x_axis.log);
    if chart.panels.is_empty() {
        let frame = Frame {
            left,
            top: 12.0,
            right,
            bottom,
        };
        svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.x_axis.title(), false);
        super::empty_note(&mut svg, &frame, "no data");
    }
    for (pi, (p, yt)) in chart.panels.iter().zip(&yts).enumerate() {
        let (legend_top, top) = tops[pi];
        let frame = Frame {
            left,
            top,
            right,
            bottom: top + PANEL_H,
        };
        svg.open(&[("class", A::S("panel"))]);
        svg::legend(&mut svg, left, legend_top, right - left, &legends[pi]);
        let ys = Scale::from_ticks(yt, frame.bottom, frame.top, p.axis.log);
        svg::y_axis(&mut svg, &frame, &ys, yt, &p.axis.title(), true);
        let last = pi + 1 == chart.panels.len();
        if last {
            svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.x_axis.title(), false);
        } else {
            // Inner panels: a baseline and ticks, the labels only at the bottom.
            svg.line(
                frame.left,
                frame.bottom,
                frame.right,
                frame.bottom,
                &[("class", A::S("domain")), ("stroke", A::S(palette::MUTED))],
                None,
            );
            for v in &xt.values {
                let x = xs.map(*v);
                svg.line(
                    x,
                    frame.bottom,
                    x,
                    frame.bottom + 4.0,
                    &[("class", A::S("tick")), ("stroke", A::S(palette::MUTED))],
                    None,
                );
            }
        }
        if p.lines.iter().all(|l| n_of(l) == 0) {
            super::empty_note(&mut svg, &frame, "no data");
        }
        for (li, l) in p.lines.iter().enumerate() {
            let c = palette::series(li);
            let n = n_of(l);
            let pts: Vec<(f64, f64)> = (0..n).map(|k| (xs.map(l.x[k]), ys.map(l.y[k]))).collect();
            let d = svg::polyline_path(&pts);
            if !d.is_empty() {
                svg.el(
                    "path",
                    &[
                        ("class", A::S(&format!("line s{li}"))),
                        ("d", A::S(&d)),
                        ("fill", A::S("none")),
                        ("stroke", A::S(c)),
                        ("stroke-width", A::N(2.0)),
                    ],
                    Some(&l.name),
                );
            }
            for (k, &(px, py)) in pts.iter().enumerate() {
                if !(px.is_finite() && py.is_finite() && l.x[k].is_finite() && l.y[k].is_finite()) {
                    continue;
                }
                let tip = format!(
                    "{}: {} {}, {} {}",
                    l.name,
                    chart.x_axis.label,
                    format::hover(l.x[k]),
                    p.axis.label,
                    super::with_unit(l.y[k], &p.axis.unit)
                );
                svg::marker(
                    &mut svg,
                    Shape::series(li),
                    px,
                    py,
                    3.0,
                    &[("fill", A::S(c))],
                    Some(&tip),
                );
            }
        }
        svg.close();
    }
    svg.finish()
}

/// Draw stacked areas.
pub fn stacked_area(chart: &StackedAreaChart) -> String {
    let n = chart.x.len();
    let val = |l: &Layer, k: usize| {
        l.values
            .get(k)
            .copied()
            .filter(|v| v.is_finite() && *v > 0.0)
            .unwrap_or(0.0)
    };
    // Cumulative tops per layer.
    let mut cum = vec![vec![0.0; n]; chart.layers.len() + 1];
    for (li, l) in chart.layers.iter().enumerate() {
        let (below, above) = cum.split_at_mut(li + 1);
        for (k, (top, base)) in above[0].iter_mut().zip(&below[li]).enumerate() {
            *top = base + val(l, k);
        }
    }
    let xt = axis_ticks(&chart.x_axis, chart.x.iter().copied(), Fit::Tight, 8);
    let y_axis = Axis {
        include_zero: true,
        log: false,
        ..chart.y_axis.clone()
    };
    let yt = axis_ticks(
        &y_axis,
        cum.last().into_iter().flatten().copied().chain([0.0]),
        Fit::Loose,
        5,
    );
    let legend: Vec<(Swatch, String)> = chart
        .layers
        .iter()
        .enumerate()
        .map(|(i, l)| (Swatch::Band(palette::series(i), 0.75), l.name.clone()))
        .collect();
    let legend_h = svg::legend_height(&legend, svg::WIDTH - 100.0);
    let top = 12.0 + legend_h + if legend_h > 0.0 { 10.0 } else { 0.0 };
    let y_title = y_axis.title();
    let frame = super::frame_for(&yt, &y_title, top, 240.0);
    let desc = describe(&chart.description, || {
        let names: Vec<&str> = chart.layers.iter().map(|l| l.name.as_str()).collect();
        format!(
            "Stacked areas of {} against {}: {}.",
            y_title,
            chart.x_axis.title(),
            names.join(", ")
        )
    });
    let mut svg = Svg::new(frame.bottom + 52.0, "stacked-area", &chart.title, &desc);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, chart.x_axis.log);
    let ys = Scale::from_ticks(&yt, frame.bottom, frame.top, false);
    svg::y_axis(&mut svg, &frame, &ys, &yt, &y_title, true);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.x_axis.title(), false);
    svg::legend(
        &mut svg,
        frame.left,
        12.0,
        svg::WIDTH - frame.left - 24.0,
        &legend,
    );
    let px: Vec<f64> = chart.x.iter().map(|&x| xs.map(x)).collect();
    if chart.layers.is_empty() || n == 0 {
        super::empty_note(&mut svg, &frame, "no data");
    }
    for (li, l) in chart.layers.iter().enumerate() {
        let lower: Vec<f64> = cum[li].iter().map(|&v| ys.map(v)).collect();
        let upper: Vec<f64> = cum[li + 1].iter().map(|&v| ys.map(v)).collect();
        let d = svg::band_path(&px, &lower, &upper);
        if !d.is_empty() {
            svg.el(
                "path",
                &[
                    ("class", A::S(&format!("area s{li}"))),
                    ("d", A::S(&d)),
                    ("fill", A::S(palette::series(li))),
                    ("fill-opacity", A::N(0.75)),
                    ("stroke", A::S("#ffffff")),
                    ("stroke-width", A::N(0.8)),
                ],
                Some(&l.name),
            );
        }
    }
    // Hover columns: one per x, listing every layer's value there.
    svg.open(&[("class", A::S("hover-columns"))]);
    for k in 0..n {
        if !px[k].is_finite() || !chart.x[k].is_finite() {
            continue;
        }
        let half = |j: usize| {
            if j < n && px[j].is_finite() {
                (px[j] - px[k]).abs() / 2.0
            } else {
                f64::NAN
            }
        };
        let w = [k.checked_sub(1).map(half), Some(half(k + 1))]
            .into_iter()
            .flatten()
            .filter(|v| v.is_finite() && *v > 0.0)
            .fold(f64::INFINITY, f64::min);
        let w = if w.is_finite() { w.min(30.0) } else { 10.0 };
        let parts: Vec<String> = chart
            .layers
            .iter()
            .map(|l| format!("{} {}", l.name, format::hover(val(l, k))))
            .collect();
        let tip = format!(
            "{} {}: {}",
            chart.x_axis.label,
            format::hover(chart.x[k]),
            parts.join(", ")
        );
        svg.rect(
            px[k] - w,
            frame.top,
            px[k] + w,
            frame.bottom,
            &[("fill", A::S("#ffffff")), ("fill-opacity", A::N(0.0))],
            Some(&tip),
        );
    }
    svg.close();
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    #[test]
    fn two_panels_share_x() {
        let gens = vec![1.0, 2.0, 3.0, 4.0];
        let chart = PanelChart {
            title: "ABC".into(),
            description: String::new(),
            x_axis: Axis::new("generation", ""),
            panels: vec![
                Panel {
                    axis: Axis::new("tolerance", "").log_scale(),
                    lines: vec![Line {
                        name: "tolerance".into(),
                        x: gens.clone(),
                        y: vec![3.0, 1.0, 0.4, 0.1],
                    }],
                },
                Panel {
                    axis: Axis::new("acceptance rate", "%").from_zero(),
                    lines: vec![
                        Line {
                            name: "rate".into(),
                            x: gens.clone(),
                            y: vec![40.0, 20.0, 9.0, 3.0],
                        },
                        Line {
                            name: "ess".into(),
                            x: gens,
                            y: vec![30.0, 25.0, 20.0, f64::NAN],
                        },
                    ],
                },
            ],
        };
        let s = panels(&chart);
        check_svg(&s, 10);
        assert_eq!(s.matches("class=\"panel\"").count(), 2);
        assert!(s.contains("tolerance: generation 3, tolerance 0.4"));
        assert!(s.contains("class=\"legend\""));
    }

    #[test]
    fn stacked_areas_sum() {
        let chart = StackedAreaChart {
            title: "Model probabilities".into(),
            description: String::new(),
            x_axis: Axis::new("generation", ""),
            y_axis: Axis::new("probability", "").with_domain(0.0, 1.0),
            x: vec![1.0, 2.0, 3.0],
            layers: vec![
                Layer {
                    name: "M1".into(),
                    values: vec![0.5, 0.3, 0.2],
                },
                Layer {
                    name: "M2".into(),
                    values: vec![0.5, 0.7, f64::NAN],
                },
            ],
        };
        let s = stacked_area(&chart);
        check_svg(&s, 5);
        assert!(s.contains("generation 3: M1 0.2, M2 0"));
        assert_eq!(s.matches("class=\"area s").count(), 2);
    }

    #[test]
    fn degenerate() {
        check_svg(&panels(&PanelChart::default()), 0);
        let one = PanelChart {
            panels: vec![Panel {
                axis: Axis::default().log_scale(),
                lines: vec![Line {
                    name: "l".into(),
                    x: vec![1.0],
                    y: vec![-3.0],
                }],
            }],
            ..Default::default()
        };
        check_svg(&panels(&one), 0);
        check_svg(&stacked_area(&StackedAreaChart::default()), 0);
        let flat = StackedAreaChart {
            x: vec![2.0, 2.0],
            layers: vec![Layer {
                name: "a".into(),
                values: vec![],
            }],
            ..Default::default()
        };
        check_svg(&stacked_area(&flat), 1);
    }
}

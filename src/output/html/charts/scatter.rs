//! Labelled points: a scatter with labels and optional horizontal intervals
//! (Morris μ* against σ), and a trajectory through labelled points with one
//! highlighted (PRIM coverage against density).

use super::{Axis, Fit, axis_ticks, describe};
use crate::output::html::svg::{self, A, Frame, Placer, Rect, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, palette};
use crate::output::report::count;

/// A labelled point.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LabelledPoint {
    /// Position on the x axis.
    pub x: f64,
    /// Position on the y axis.
    pub y: f64,
    /// Label drawn next to the point where it fits (always in the hover text).
    pub label: String,
    /// Optional interval on x (μ*'s confidence interval); NaN ends for none.
    pub x_interval: (f64, f64),
    /// More hover text (may be empty).
    pub note: String,
}

impl LabelledPoint {
    /// A point without interval or note.
    pub fn new(x: f64, y: f64, label: impl Into<String>) -> LabelledPoint {
        LabelledPoint {
            x,
            y,
            label: label.into(),
            x_interval: (f64::NAN, f64::NAN),
            note: String::new(),
        }
    }
}

/// A line through the origin, y = slope · x (σ/μ* = 1).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ReferenceLine {
    /// Slope.
    pub slope: f64,
    /// Label at its end ("σ/μ* = 1").
    pub label: String,
}

/// A scatter chart with labels.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ScatterChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// Horizontal axis.
    pub x_axis: Axis,
    /// Vertical axis.
    pub y_axis: Axis,
    /// The points.
    pub points: Vec<LabelledPoint>,
    /// Reference lines through the origin.
    pub reference_lines: Vec<ReferenceLine>,
}

/// A trajectory chart: points joined in order, one optionally highlighted.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TrajectoryChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// Horizontal axis.
    pub x_axis: Axis,
    /// Vertical axis.
    pub y_axis: Axis,
    /// The points, in trajectory order.
    pub points: Vec<LabelledPoint>,
    /// Index of the highlighted point (the chosen box).
    pub highlight: Option<usize>,
    /// Join the points with steps (horizontal, then vertical) rather than
    /// straight lines.
    pub step: bool,
    /// Legend text for the highlighted point ("chosen box").
    pub highlight_label: String,
}

const PLOT_H: f64 = 380.0;

struct Layout {
    svg: Svg,
    frame: Frame,
    xs: Scale,
    ys: Scale,
}

/// Axes, frame and legend shared by both charts.
fn layout(
    class: &str,
    title: &str,
    desc: &str,
    x_axis: &Axis,
    y_axis: &Axis,
    points: &[LabelledPoint],
    legend: &[(Swatch, String)],
) -> Layout {
    let xt = axis_ticks(
        x_axis,
        points
            .iter()
            .flat_map(|p| [p.x, p.x_interval.0, p.x_interval.1]),
        Fit::Loose,
        6,
    );
    let yt = axis_ticks(y_axis, points.iter().map(|p| p.y), Fit::Loose, 6);
    let y_title = y_axis.title();
    let legend_h = svg::legend_height(legend, svg::WIDTH - 100.0);
    let top = 12.0 + legend_h + if legend_h > 0.0 { 10.0 } else { 0.0 };
    let frame = super::frame_for(&yt, &y_title, top, PLOT_H);
    let mut svg = Svg::new(frame.bottom + 52.0, class, title, desc);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, x_axis.log);
    let ys = Scale::from_ticks(&yt, frame.bottom, frame.top, y_axis.log);
    svg::y_axis(&mut svg, &frame, &ys, &yt, &y_title, true);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &x_axis.title(), true);
    svg::legend(
        &mut svg,
        frame.left,
        12.0,
        svg::WIDTH - frame.left - 24.0,
        legend,
    );
    if points.iter().all(|p| !(p.x.is_finite() && p.y.is_finite())) {
        super::empty_note(&mut svg, &frame, "no data");
    }
    Layout { svg, frame, xs, ys }
}

fn tip(p: &LabelledPoint, x_axis: &Axis, y_axis: &Axis) -> String {
    let mut t = if p.label.is_empty() {
        String::new()
    } else {
        format!("{}: ", p.label)
    };
    t.push_str(&format!(
        "{} = {}, {} = {}",
        x_axis.label,
        format::hover(p.x),
        y_axis.label,
        format::hover(p.y)
    ));
    if p.x_interval.0.is_finite() && p.x_interval.1.is_finite() {
        t.push_str(&format!(
            " ({} interval {})",
            x_axis.label,
            super::range_text(p.x_interval.0, p.x_interval.1)
        ));
    }
    if !p.note.is_empty() {
        t.push_str("; ");
        t.push_str(&p.note);
    }
    t
}

fn bounds(f: &Frame) -> Rect {
    Rect::new(f.left + 2.0, f.top + 2.0, f.right - 2.0, f.bottom - 2.0)
}

/// Draw a labelled scatter.
pub fn scatter(chart: &ScatterChart) -> String {
    let legend = if chart
        .points
        .iter()
        .any(|p| p.x_interval.0.is_finite() && p.x_interval.1.is_finite())
    {
        vec![(
            Swatch::Line(palette::BLUE, false),
            format!("{} interval", chart.x_axis.label),
        )]
    } else {
        vec![]
    };
    let desc = describe(&chart.description, || {
        format!(
            "Scatter of {} against {}: {}.",
            chart.y_axis.title(),
            chart.x_axis.title(),
            count(chart.points.len() as u64, "labelled point")
        )
    });
    let Layout {
        mut svg,
        frame,
        xs,
        ys,
    } = layout(
        "scatter",
        &chart.title,
        &desc,
        &chart.x_axis,
        &chart.y_axis,
        &chart.points,
        &legend,
    );

    // Reference lines, clipped to the frame by hand (no clipPath ids).
    for r in &chart.reference_lines {
        if !(r.slope.is_finite() && r.slope > 0.0) || chart.x_axis.log || chart.y_axis.log {
            continue;
        }
        let (x0, y0) = (xs.map(0.0), ys.map(0.0));
        if !(xs.contains(0.0) && ys.contains(0.0)) {
            continue;
        }
        // Walk out along the line to the frame edge, in data units.
        let x_end = xs.domain().1.min(ys.domain().1 / r.slope);
        let (x1, y1) = (xs.map(x_end), ys.map(x_end * r.slope));
        svg.line(
            x0,
            y0,
            x1,
            y1,
            &[
                ("class", A::S("reference")),
                ("stroke", A::S("#888888")),
                ("stroke-dasharray", A::S("4 4")),
            ],
            Some(&r.label),
        );
        let anchor = if x1 > frame.right - 60.0 {
            "end"
        } else {
            "start"
        };
        let (lx, ly) = if anchor == "end" {
            (x1 - 4.0, y1 - 6.0)
        } else {
            (x1 + 4.0, y1 + 12.0)
        };
        svg.text(
            lx,
            ly.max(frame.top + 12.0),
            &r.label,
            &[
                ("class", A::S("reference-label")),
                ("fill", A::S(palette::MUTED)),
                ("text-anchor", A::S(anchor)),
                ("font-size", A::N(11.0)),
            ],
        );
    }
    let mut placer = Placer::new(bounds(&frame));
    let drawn: Vec<(usize, f64, f64)> = chart
        .points
        .iter()
        .enumerate()
        .filter(|(_, p)| p.x.is_finite() && p.y.is_finite())
        .map(|(i, p)| (i, xs.map(p.x), ys.map(p.y)))
        .filter(|(_, x, y)| x.is_finite() && y.is_finite())
        .collect();
    for &(_, x, y) in &drawn {
        placer.occupy(Rect::new(x - 4.0, y - 4.0, x + 4.0, y + 4.0));
    }
    svg.open(&[("class", A::S("points"))]);
    for &(i, x, y) in &drawn {
        let p = &chart.points[i];
        let t = tip(p, &chart.x_axis, &chart.y_axis);
        let (l, h) = (xs.map(p.x_interval.0), xs.map(p.x_interval.1));
        if p.x_interval.0.is_finite()
            && p.x_interval.1.is_finite()
            && l.is_finite()
            && h.is_finite()
        {
            svg.line(
                l,
                y,
                h,
                y,
                &[
                    ("class", A::S("errorbar")),
                    ("stroke", A::S(palette::BLUE)),
                    ("stroke-opacity", A::N(0.6)),
                    ("stroke-width", A::N(1.5)),
                ],
                Some(&t),
            );
        }
        svg::marker(
            &mut svg,
            Shape::Circle,
            x,
            y,
            4.0,
            &[
                ("class", A::S("point")),
                ("fill", A::S(palette::BLUE)),
                ("stroke", A::S("#ffffff")),
                ("stroke-width", A::N(1.0)),
            ],
            Some(&t),
        );
    }
    svg.close();
    svg.open(&[("class", A::S("labels"))]);
    // Label the points furthest from the origin first: they matter most.
    let mut order = drawn.clone();
    order.sort_by(|a, b| {
        let da = (a.1 - frame.left).hypot(frame.bottom - a.2);
        let db = (b.1 - frame.left).hypot(frame.bottom - b.2);
        db.total_cmp(&da).then(a.0.cmp(&b.0))
    });
    for (i, x, y) in order {
        let label = &chart.points[i].label;
        if label.is_empty() {
            // Nothing to place: each placement scans every region taken,
            // which made a sweep's scatter of n unlabelled points cost n².
            continue;
        }
        if let Some(pl) = placer.place(x, y, 4.0, label, 11.0) {
            svg.text(
                pl.x,
                pl.y,
                label,
                &[
                    ("class", A::S("point-label")),
                    ("text-anchor", A::S(pl.anchor)),
                    ("font-size", A::N(11.0)),
                ],
            );
        }
    }
    svg.close();
    svg.finish()
}

/// Draw a trajectory.
pub fn trajectory(chart: &TrajectoryChart) -> String {
    let hl = chart.highlight.filter(|&h| h < chart.points.len());
    let mut legend = vec![(
        Swatch::Marker(Shape::Circle, palette::BLUE, true),
        "trajectory".to_string(),
    )];
    if hl.is_some() {
        let label = if chart.highlight_label.is_empty() {
            "highlighted".to_string()
        } else {
            chart.highlight_label.clone()
        };
        legend.push((
            Swatch::Marker(Shape::Circle, palette::VERMILLION, true),
            label,
        ));
    }
    let desc = describe(&chart.description, || {
        format!(
            "Trajectory of {} against {} through {}{}.",
            chart.y_axis.title(),
            chart.x_axis.title(),
            count(chart.points.len() as u64, "labelled point"),
            hl.map(|h| match chart.points[h].label.as_str() {
                // Unlabelled points are named by their place in the order.
                "" => format!(", point {} highlighted", h + 1),
                label => format!(", point {label} highlighted"),
            })
            .unwrap_or_default()
        )
    });
    let Layout {
        mut svg,
        frame,
        xs,
        ys,
    } = layout(
        "trajectory",
        &chart.title,
        &desc,
        &chart.x_axis,
        &chart.y_axis,
        &chart.points,
        &legend,
    );
    let pts: Vec<(f64, f64)> = chart
        .points
        .iter()
        .map(|p| (xs.map(p.x), ys.map(p.y)))
        .collect();
    let d = if chart.step {
        svg::step_path(&pts)
    } else {
        svg::polyline_path(&pts)
    };
    if !d.is_empty() {
        svg.el(
            "path",
            &[
                ("class", A::S("trajectory-line")),
                ("d", A::S(&d)),
                ("fill", A::S("none")),
                ("stroke", A::S(palette::BLUE)),
                ("stroke-width", A::N(1.6)),
                ("stroke-opacity", A::N(0.7)),
            ],
            Some("trajectory"),
        );
    }
    let mut placer = Placer::new(bounds(&frame));
    let ok = |i: usize| {
        pts[i].0.is_finite()
            && pts[i].1.is_finite()
            && chart.points[i].x.is_finite()
            && chart.points[i].y.is_finite()
    };
    for i in (0..pts.len()).filter(|&i| ok(i)) {
        let r = if Some(i) == hl { 7.0 } else { 3.5 };
        placer.occupy(Rect::new(
            pts[i].0 - r,
            pts[i].1 - r,
            pts[i].0 + r,
            pts[i].1 + r,
        ));
    }
    svg.open(&[("class", A::S("points"))]);
    for i in (0..pts.len()).filter(|&i| ok(i) && Some(i) != hl) {
        let t = tip(&chart.points[i], &chart.x_axis, &chart.y_axis);
        svg::marker(
            &mut svg,
            Shape::Circle,
            pts[i].0,
            pts[i].1,
            3.5,
            &[("class", A::S("point")), ("fill", A::S(palette::BLUE))],
            Some(&t),
        );
    }
    if let Some(h) = hl.filter(|&h| ok(h)) {
        let t = format!(
            "{} ({})",
            tip(&chart.points[h], &chart.x_axis, &chart.y_axis),
            legend[1].1
        );
        svg::marker(
            &mut svg,
            Shape::Circle,
            pts[h].0,
            pts[h].1,
            6.5,
            &[
                ("class", A::S("point highlight")),
                ("fill", A::S(palette::VERMILLION)),
                ("stroke", A::S("#ffffff")),
                ("stroke-width", A::N(1.5)),
            ],
            Some(&t),
        );
    }
    svg.close();
    // Labels: the highlighted one first, then in trajectory order.
    svg.open(&[("class", A::S("labels"))]);
    let order = hl
        .into_iter()
        .chain((0..pts.len()).filter(|&i| Some(i) != hl));
    for i in order.filter(|&i| ok(i)) {
        let label = &chart.points[i].label;
        let is_hl = Some(i) == hl;
        let r = if is_hl { 7.0 } else { 3.5 };
        if let Some(pl) = placer.place(
            pts[i].0,
            pts[i].1,
            r,
            label,
            if is_hl { 12.0 } else { 10.5 },
        ) {
            let mut a = vec![
                (
                    "class",
                    A::S(if is_hl {
                        "point-label highlight"
                    } else {
                        "point-label"
                    }),
                ),
                ("text-anchor", A::S(pl.anchor)),
            ];
            if is_hl {
                a.push(("font-weight", A::S("bold")));
                a.push(("fill", A::S(palette::VERMILLION)));
            } else {
                a.push(("font-size", A::N(10.5)));
                a.push(("fill", A::S(palette::MUTED)));
            }
            svg.text(pl.x, pl.y, label, &a);
        }
    }
    svg.close();
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    #[test]
    fn scatter_labels_and_intervals() {
        let mut p = LabelledPoint::new(0.5, 0.3, "delivery");
        p.x_interval = (0.4, 0.6);
        let chart = ScatterChart {
            title: "Morris".into(),
            description: String::new(),
            x_axis: Axis::new("μ*", "").from_zero(),
            y_axis: Axis::new("σ", "").from_zero(),
            points: vec![p, LabelledPoint::new(0.1, 0.02, "price")],
            reference_lines: vec![ReferenceLine {
                slope: 1.0,
                label: "σ/μ* = 1".into(),
            }],
        };
        let s = scatter(&chart);
        check_svg(&s, 4);
        assert!(s.contains(">delivery</text>"));
        assert!(s.contains("delivery: μ* = 0.5, σ = 0.3 (μ* interval 0.4 – 0.6)"));
        assert_eq!(s, scatter(&chart));
    }

    /// Unlabelled points (a sweep's, one per design point) get no label
    /// text: placing their empty labels scanned every taken region for
    /// each, n² in the points.
    #[test]
    fn unlabelled_points_get_no_label_text() {
        let points: Vec<LabelledPoint> = (0..50)
            .map(|i| LabelledPoint::new(f64::from(i), f64::from(i % 7), ""))
            .collect();
        let chart = ScatterChart {
            title: "Sweep".into(),
            description: String::new(),
            x_axis: Axis::new("x", ""),
            y_axis: Axis::new("y", ""),
            points,
            reference_lines: Vec::new(),
        };
        let s = scatter(&chart);
        assert_eq!(s.matches("class=\"point\"").count(), 50);
        assert!(!s.contains("></text>"), "an empty label was drawn");
    }

    #[test]
    fn trajectory_highlight() {
        let points: Vec<LabelledPoint> = (0..20)
            .map(|i| {
                LabelledPoint::new(1.0 - i as f64 * 0.04, 0.1 + i as f64 * 0.04, i.to_string())
            })
            .collect();
        let chart = TrajectoryChart {
            title: "PRIM".into(),
            description: String::new(),
            x_axis: Axis::new("coverage", "").with_domain(0.0, 1.0),
            y_axis: Axis::new("density", "").with_domain(0.0, 1.0),
            points,
            highlight: Some(12),
            step: false,
            highlight_label: "chosen box".into(),
        };
        let s = trajectory(&chart);
        check_svg(&s, 20);
        assert!(s.contains("point highlight"));
        assert!(s.contains("(chosen box)"));
        assert!(s.contains("font-weight=\"bold\" fill=\"#d55e00\">12</text>"));
    }

    #[test]
    fn degenerate() {
        let nan = f64::NAN;
        let c = ScatterChart {
            points: vec![
                LabelledPoint::new(nan, 1.0, "a"),
                LabelledPoint::new(2.0, 2.0, "b"),
            ],
            reference_lines: vec![ReferenceLine {
                slope: nan,
                label: "x".into(),
            }],
            ..Default::default()
        };
        check_svg(&scatter(&c), 1);
        check_svg(&scatter(&ScatterChart::default()), 0);
        let one = TrajectoryChart {
            points: vec![LabelledPoint::new(3.0, 3.0, "only")],
            highlight: Some(5),
            step: true,
            ..Default::default()
        };
        check_svg(&trajectory(&one), 1);
        let neg = ScatterChart {
            points: vec![
                LabelledPoint::new(-3.0, -1e-9, "n"),
                LabelledPoint::new(-3.0, -1e-9, "m"),
            ],
            ..Default::default()
        };
        check_svg(&scatter(&neg), 1);
    }
}

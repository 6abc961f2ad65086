//! Interval plot: one row per comparison, a point estimate with its interval
//! and a reference line (zero for paired differences).

use super::{Axis, Fit, axis_ticks, describe};
use crate::output::html::svg::{self, A, Frame, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, palette};
use crate::output::report::count;

/// One row: an estimate and its interval.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntervalRow {
    /// Row label ("strategic − commercial_only").
    pub label: String,
    /// Point estimate.
    pub estimate: f64,
    /// Lower end of the interval.
    pub lo: f64,
    /// Upper end of the interval.
    pub hi: f64,
    /// Extra text shown right of the interval ("p = 0.03"); may be empty.
    pub note: String,
}

impl IntervalRow {
    /// Whether the row has an interval (a paired difference over one
    /// replication has none).
    fn has_interval(&self) -> bool {
        self.lo.is_finite() && self.hi.is_finite()
    }
}

/// An interval plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct IntervalChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The value axis.
    pub axis: Axis,
    /// Rows, top to bottom.
    pub rows: Vec<IntervalRow>,
    /// The reference value (0 for differences).
    pub reference: f64,
    /// What the intervals are ("95 % interval").
    pub interval_label: String,
}

const ROW_H: f64 = 30.0;

/// The widest a row label is drawn.
const MAX_LABEL_W: f64 = 200.0;

/// A row label in `width`: whole on one line; else broken at a space into
/// two lines that fit; else `cut`, the label cut to one line apart from the
/// others ([`svg::distinct_labels`]), so that labels that share a start
/// (`no_korean_investment [contested: commercial]` and `[contested:
/// strategic]`, which read the same cut at the end) keep what tells them
/// apart.
fn label_lines(label: &str, cut: String, width: f64) -> Vec<String> {
    if svg::text_width(label, svg::SMALL) <= width {
        return vec![label.to_string()];
    }
    let lines = svg::wrap_text(label, svg::SMALL, width, 2);
    let words: Vec<&str> = label.split(' ').filter(|w| !w.is_empty()).collect();
    let whole = lines.join(" ") == words.join(" ");
    if whole
        && lines
            .iter()
            .all(|l| svg::text_width(l, svg::SMALL) <= width)
    {
        lines
    } else {
        vec![cut]
    }
}

/// Draw an interval plot. A filled point marks an interval that excludes the
/// reference, a hollow one an interval that includes it, and a hollow grey
/// square an estimate without an interval.
pub fn intervals(chart: &IntervalChart) -> String {
    let reference = if chart.reference.is_finite() {
        chart.reference
    } else {
        0.0
    };
    let data = chart
        .rows
        .iter()
        .flat_map(|r| [r.estimate, r.lo, r.hi])
        .chain([reference]);
    let xt = axis_ticks(&chart.axis, data, Fit::Loose, 6);
    let ilabel = if chart.interval_label.is_empty() {
        "interval".to_string()
    } else {
        chart.interval_label.clone()
    };
    let mut legend = vec![
        (
            Swatch::Marker(Shape::Circle, palette::BLUE, true),
            format!("{ilabel} excludes {}", format::auto(reference)),
        ),
        (
            Swatch::Marker(Shape::Circle, palette::BLUE, false),
            format!("{ilabel} includes {}", format::auto(reference)),
        ),
    ];
    if chart.rows.iter().any(|r| !r.has_interval()) {
        legend.push((
            Swatch::Marker(Shape::Square, palette::MUTED, false),
            format!("no {ilabel} (too few replications)"),
        ));
    }
    let right_texts: Vec<String> = chart
        .rows
        .iter()
        .map(|r| right_text(r, xt.decimals))
        .collect();
    let right_w = svg::max_width(&right_texts, 11.0).clamp(60.0, 230.0);
    let all: Vec<String> = chart.rows.iter().map(|r| r.label.clone()).collect();
    let cut = svg::distinct_labels(&all, svg::SMALL, MAX_LABEL_W);
    let labels: Vec<Vec<String>> = chart
        .rows
        .iter()
        .zip(cut)
        .map(|(r, cut)| label_lines(&r.label, cut, MAX_LABEL_W))
        .collect();
    let label_w = svg::max_width(labels.iter().flatten(), svg::SMALL).clamp(40.0, MAX_LABEL_W);
    let left = 12.0 + label_w + 12.0;
    let legend_h = svg::legend_height(&legend, svg::WIDTH - left - 24.0);
    let top = 12.0 + legend_h + 10.0;
    let frame = Frame {
        left,
        top,
        right: svg::WIDTH - 24.0 - right_w - 12.0,
        bottom: top + (ROW_H * chart.rows.len() as f64).max(40.0),
    };
    let desc = describe(&chart.description, || {
        format!(
            "Interval plot of {}: {}, each a point estimate with its {}, and a reference line at {}.",
            chart.axis.title(),
            count(chart.rows.len() as u64, "row"),
            ilabel,
            format::auto(reference)
        )
    });
    let mut svg = Svg::new(frame.bottom + 52.0, "intervals", &chart.title, &desc);
    svg::legend(&mut svg, left, 12.0, svg::WIDTH - left - 24.0, &legend);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, chart.axis.log);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.axis.title(), true);
    if chart.rows.is_empty() {
        super::empty_note(&mut svg, &frame, "no data");
    }
    let rx = xs.map(reference);
    if rx.is_finite() {
        svg.line(
            rx,
            frame.top,
            rx,
            frame.bottom,
            &[
                ("class", A::S("zero")),
                ("stroke", A::S(palette::INK)),
                ("stroke-width", A::N(1.2)),
            ],
            Some(&format!("reference {}", format::auto(reference))),
        );
    }
    for (i, ((r, rt), lines)) in chart.rows.iter().zip(&right_texts).zip(&labels).enumerate() {
        let cy = frame.top + ROW_H * (i as f64 + 0.5);
        let tip = format!("{}: {}", r.label, rt);
        svg.open_titled(&[("class", A::S("interval-row"))], &tip);
        // One line at the row's centre, two about it.
        let first = cy + 4.0 - 6.5 * (lines.len() as f64 - 1.0);
        for (k, line) in lines.iter().enumerate() {
            svg.text(
                left - 12.0,
                first + 13.0 * k as f64,
                line,
                &[("class", A::S("row-label")), ("text-anchor", A::S("end"))],
            );
        }
        let (l, h, e) = (xs.map(r.lo), xs.map(r.hi), xs.map(r.estimate));
        let has_interval = r.has_interval() && l.is_finite() && h.is_finite();
        if has_interval {
            let st = [
                ("class", A::S("interval")),
                ("stroke", A::S(palette::BLUE)),
                ("stroke-width", A::N(2.0)),
            ];
            svg.line(l, cy, h, cy, &st, Some(&tip));
            svg.line(l, cy - 5.0, l, cy + 5.0, &st, None);
            svg.line(h, cy - 5.0, h, cy + 5.0, &st, None);
        }
        if r.estimate.is_finite() && e.is_finite() {
            // Hollow when the interval includes the reference; a row without
            // an interval (one replication) says neither.
            let excludes = has_interval && (r.lo > reference || r.hi < reference);
            let (shape, class, fill, stroke) = match (has_interval, excludes) {
                (false, _) => (
                    Shape::Square,
                    "estimate no-interval",
                    "#ffffff",
                    palette::MUTED,
                ),
                (true, true) => (
                    Shape::Circle,
                    "estimate excludes",
                    palette::BLUE,
                    palette::BLUE,
                ),
                (true, false) => (Shape::Circle, "estimate", "#ffffff", palette::BLUE),
            };
            svg::marker(
                &mut svg,
                shape,
                e,
                cy,
                5.0,
                &[
                    ("class", A::S(class)),
                    ("fill", A::S(fill)),
                    ("stroke", A::S(stroke)),
                    ("stroke-width", A::N(2.0)),
                ],
                Some(&tip),
            );
        }
        svg.text(
            svg::WIDTH - 24.0 - right_w,
            cy + 4.0,
            rt,
            &[
                ("class", A::S("interval-text")),
                ("font-size", A::N(11.0)),
                ("fill", A::S(palette::MUTED)),
            ],
        );
        svg.close();
    }
    svg.finish()
}

/// "−0.027 [−0.055, 0.001] p = 0.06": one more decimal than the ticks, and
/// at least three, as the command line prints these differences (at two,
/// 0.1521 [0.0125, 0.2917] read 0.15 [0.01, 0.29]).
fn right_text(r: &IntervalRow, decimals: usize) -> String {
    let d = (decimals + 1).max(3);
    let mut t = format::fixed(r.estimate, d);
    if r.lo.is_finite() && r.hi.is_finite() {
        t.push_str(&format!(
            " [{}, {}]",
            format::fixed(r.lo, d),
            format::fixed(r.hi, d)
        ));
    }
    if !r.note.is_empty() {
        t.push_str("  ");
        t.push_str(&r.note);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    fn chart() -> IntervalChart {
        IntervalChart {
            title: "Paired differences".into(),
            description: String::new(),
            axis: Axis::new("Difference in mean distance", ""),
            rows: vec![
                IntervalRow {
                    label: "strategic".into(),
                    estimate: -0.09,
                    lo: -0.15,
                    hi: -0.03,
                    note: "p = 0.004".into(),
                },
                IntervalRow {
                    label: "no_war".into(),
                    estimate: 0.02,
                    lo: -0.01,
                    hi: 0.05,
                    note: String::new(),
                },
            ],
            reference: 0.0,
            interval_label: "95 % interval".into(),
        }
    }

    #[test]
    fn filled_when_excluding_reference() {
        let s = intervals(&chart());
        check_svg(&s, 4);
        assert_eq!(s.matches("class=\"estimate excludes\"").count(), 1);
        assert_eq!(s.matches("class=\"estimate\"").count(), 1);
        // Ticks step 0.05 (two decimals): the numbers take one more.
        assert!(
            s.contains("strategic: \u{2212}0.090 [\u{2212}0.150, \u{2212}0.030]  p = 0.004"),
            "{s}"
        );
    }

    /// A difference over one replication has no interval: it was drawn as
    /// a hollow circle, which the legend reads as "includes 0".
    #[test]
    fn an_estimate_without_an_interval_is_said_to_have_none() {
        let mut c = chart();
        assert!(!intervals(&c).contains("no 95 % interval"));
        c.rows[1].lo = f64::NAN;
        c.rows[1].hi = f64::NAN;
        let s = intervals(&c);
        assert_eq!(
            s.matches("class=\"estimate no-interval\"").count(),
            1,
            "{s}"
        );
        assert_eq!(s.matches("class=\"estimate\"").count(), 0, "{s}");
        assert!(s.contains("no 95 % interval (too few replications)"), "{s}");
    }

    #[test]
    fn differences_take_three_decimals_at_least() {
        let row = IntervalRow {
            label: "x".into(),
            estimate: 0.1521,
            lo: 0.0125,
            hi: 0.2917,
            ..chart().rows[0].clone()
        };
        assert!(right_text(&row, 1).starts_with("0.152 [0.013, 0.292]"));
        assert!(right_text(&row, 3).starts_with("0.1521 [0.0125, 0.2917]"));
    }

    /// Labels that differ at their end stay apart: the contested variants
    /// of one scenario were cut to the same "no_korean_investment [conte…".
    #[test]
    fn long_labels_keep_the_end_that_tells_them_apart() {
        let mut c = chart();
        let labels = [
            "no_korean_investment [contested: commercial]",
            "no_korean_investment [contested: strategic]",
            "a_very_long_scenario_name_without_any_space_at_all_commercial",
            "a_very_long_scenario_name_without_any_space_at_all_strategic",
        ];
        c.rows = labels
            .iter()
            .map(|l| IntervalRow {
                label: l.to_string(),
                ..chart().rows[0].clone()
            })
            .collect();
        let s = intervals(&c);
        check_svg(&s, 4);
        // The text drawn per row, its lines joined.
        let drawn: Vec<String> = s
            .split("class=\"interval-row\"")
            .skip(1)
            .map(|row| {
                row.split("class=\"row-label\"")
                    .skip(1)
                    .map(|t| {
                        let t = &t[t.find('>').unwrap() + 1..];
                        t[..t.find('<').unwrap()].to_string()
                    })
                    .collect::<Vec<_>>()
                    .join(" ")
            })
            .collect();
        assert_eq!(drawn.len(), 4);
        // Broken at a space, the whole label is drawn.
        assert_eq!(drawn[0], labels[0]);
        assert_eq!(drawn[1], labels[1]);
        // Without a space, cut in the middle: the ends differ.
        assert_ne!(drawn[2], drawn[3]);
        assert!(drawn[2].ends_with("commercial") && drawn[3].ends_with("strategic"));
        for d in &drawn[2..] {
            assert!(svg::text_width(d, svg::SMALL) <= MAX_LABEL_W, "{d}");
        }
    }

    #[test]
    fn degenerate() {
        let mut c = chart();
        c.rows[0] = IntervalRow {
            label: "x".into(),
            estimate: f64::NAN,
            lo: f64::NEG_INFINITY,
            hi: 1.0,
            note: String::new(),
        };
        c.reference = f64::NAN;
        check_svg(&intervals(&c), 1);
        check_svg(&intervals(&IntervalChart::default()), 0);
        c.rows = vec![IntervalRow {
            label: "same".into(),
            estimate: 0.0,
            lo: 0.0,
            hi: 0.0,
            note: String::new(),
        }];
        check_svg(&intervals(&c), 1);
    }
}

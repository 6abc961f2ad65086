//! Time series: per series a median line inside a 5–95 % band, observed
//! values drawn on top.

use super::{Axis, Fit, axis_ticks, describe, empty_note, frame_for, with_unit};
use crate::output::html::svg::{self, A, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, palette};
use crate::output::report::count;

/// One simulated series: at each x, a median and a band (usually the 5 and
/// 95 % quantiles over replications). The four vectors are read up to the
/// shortest; a non-finite entry leaves a gap.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BandSeries {
    /// Series name (a scenario); may be empty for a single series.
    pub name: String,
    /// Positions (years).
    pub x: Vec<f64>,
    /// Lower edge of the band.
    pub lower: Vec<f64>,
    /// Median.
    pub median: Vec<f64>,
    /// Upper edge of the band.
    pub upper: Vec<f64>,
}

/// An observed value.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Observation {
    /// Position.
    pub x: f64,
    /// Value.
    pub y: f64,
    /// Optional note for the hover text (a source).
    pub note: String,
}

/// A time-series chart.
#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeriesChart {
    /// Accessible name and tooltip of the chart.
    pub title: String,
    /// Longer description for screen readers (generated if empty).
    pub description: String,
    /// The time axis.
    pub x_axis: Axis,
    /// The value axis.
    pub y_axis: Axis,
    /// Simulated series.
    pub series: Vec<BandSeries>,
    /// Observed values.
    pub observed: Vec<Observation>,
    /// What the band is ("5–95 %").
    pub band_label: String,
    /// What the observations are ("observed").
    pub observed_label: String,
}

impl TimeSeriesChart {
    /// An empty chart with the usual labels: band "5–95 %", "observed".
    pub fn new(title: impl Into<String>, x_axis: Axis, y_axis: Axis) -> TimeSeriesChart {
        TimeSeriesChart {
            title: title.into(),
            description: String::new(),
            x_axis,
            y_axis,
            series: Vec::new(),
            observed: Vec::new(),
            band_label: "5–95 %".into(),
            observed_label: "observed".into(),
        }
    }
}

fn prefixed(name: &str, what: &str) -> String {
    if name.is_empty() {
        what.to_string()
    } else {
        format!("{name}: {what}")
    }
}

/// Draw a time-series chart.
pub fn time_series(chart: &TimeSeriesChart) -> String {
    let n_of = |s: &BandSeries| {
        s.x.len()
            .min(s.lower.len())
            .min(s.median.len())
            .min(s.upper.len())
    };
    let xs = chart
        .series
        .iter()
        .flat_map(|s| s.x[..n_of(s)].iter().copied())
        .chain(chart.observed.iter().map(|o| o.x));
    let xt = axis_ticks(&chart.x_axis, xs, Fit::Tight, 7);
    let ys = chart
        .series
        .iter()
        .flat_map(|s| {
            let n = n_of(s);
            s.lower[..n]
                .iter()
                .chain(&s.median[..n])
                .chain(&s.upper[..n])
                .copied()
        })
        .chain(chart.observed.iter().map(|o| o.y));
    let yt = axis_ticks(&chart.y_axis, ys, Fit::Loose, 6);

    let mut legend = Vec::new();
    for (i, s) in chart.series.iter().enumerate() {
        let c = palette::series(i);
        legend.push((Swatch::Line(c, false), prefixed(&s.name, "median")));
        legend.push((Swatch::Band(c, 0.22), prefixed(&s.name, &chart.band_label)));
    }
    if !chart.observed.is_empty() {
        legend.push((
            Swatch::Marker(Shape::Diamond, palette::BLACK, true),
            chart.observed_label.clone(),
        ));
    }
    let y_title = chart.y_axis.title();
    let legend_w = svg::WIDTH - 32.0;
    let legend_h = svg::legend_height(&legend, legend_w);
    let top = 12.0 + legend_h + if legend_h > 0.0 { 10.0 } else { 0.0 };
    let frame = frame_for(&yt, &y_title, top, 300.0);
    let height = frame.bottom + 52.0;

    let total_points: usize = chart.series.iter().map(n_of).sum();
    let desc = describe(&chart.description, || {
        format!(
            "Line chart of {} against {}: {} series with a median line and a {} band ({}), and {} {} values.",
            y_title,
            chart.x_axis.title(),
            chart.series.len(),
            chart.band_label,
            count(total_points as u64, "point"),
            chart.observed.len(),
            chart.observed_label
        )
    });
    let mut svg = Svg::new(height, "time-series", &chart.title, &desc);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, chart.x_axis.log);
    let ys = Scale::from_ticks(&yt, frame.bottom, frame.top, chart.y_axis.log);
    svg::y_axis(&mut svg, &frame, &ys, &yt, &y_title, true);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.x_axis.title(), false);
    svg::legend(
        &mut svg,
        frame.left,
        12.0,
        legend_w - frame.left + 16.0,
        &legend,
    );
    if total_points == 0 && chart.observed.is_empty() {
        empty_note(&mut svg, &frame, "no data");
    }
    let unit = &chart.y_axis.unit;

    // Bands first, then lines, so every median sits above every band.
    for (i, s) in chart.series.iter().enumerate() {
        let n = n_of(s);
        let px: Vec<f64> = s.x[..n].iter().map(|&v| xs.map(v)).collect();
        let lo: Vec<f64> = s.lower[..n].iter().map(|&v| ys.map(v)).collect();
        let hi: Vec<f64> = s.upper[..n].iter().map(|&v| ys.map(v)).collect();
        let d = svg::band_path(&px, &lo, &hi);
        if !d.is_empty() {
            let c = palette::series(i);
            let tip = prefixed(&s.name, &chart.band_label);
            svg.el(
                "path",
                &[
                    ("class", A::S(&format!("band s{i}"))),
                    ("d", A::S(&d)),
                    ("fill", A::S(c)),
                    ("fill-opacity", A::N(0.22)),
                ],
                Some(&tip),
            );
        }
    }
    for (i, s) in chart.series.iter().enumerate() {
        let n = n_of(s);
        let c = palette::series(i);
        let pts: Vec<(f64, f64)> = (0..n)
            .map(|k| (xs.map(s.x[k]), ys.map(s.median[k])))
            .collect();
        let d = svg::polyline_path(&pts);
        if !d.is_empty() {
            svg.el(
                "path",
                &[
                    ("class", A::S(&format!("median s{i}"))),
                    ("d", A::S(&d)),
                    ("fill", A::S("none")),
                    ("stroke", A::S(c)),
                    ("stroke-width", A::N(2.2)),
                    ("stroke-linejoin", A::S("round")),
                ],
                Some(&prefixed(&s.name, "median")),
            );
        }
        svg.open(&[("class", A::S(&format!("points s{i}")))]);
        for (k, &(px, py)) in pts.iter().enumerate() {
            if !(px.is_finite() && py.is_finite()) {
                continue;
            }
            let tip = format!(
                "{}{}: median {} ({} {})",
                if s.name.is_empty() {
                    String::new()
                } else {
                    format!("{}, ", s.name)
                },
                format::hover(s.x[k]),
                with_unit(s.median[k], unit),
                chart.band_label,
                super::range_text(s.lower[k], s.upper[k]),
            );
            svg::marker(
                &mut svg,
                Shape::series(i),
                px,
                py,
                2.8,
                &[("fill", A::S(c))],
                Some(&tip),
            );
        }
        svg.close();
    }
    svg.open(&[("class", A::S("observed"))]);
    for o in &chart.observed {
        let (px, py) = (xs.map(o.x), ys.map(o.y));
        if !(px.is_finite() && py.is_finite() && o.x.is_finite() && o.y.is_finite()) {
            continue;
        }
        let mut tip = format!(
            "{}, {}: {}",
            chart.observed_label,
            format::hover(o.x),
            with_unit(o.y, unit)
        );
        if !o.note.is_empty() {
            tip.push_str(&format!(" ({})", o.note));
        }
        svg::marker(
            &mut svg,
            Shape::Diamond,
            px,
            py,
            4.6,
            &[
                ("fill", A::S(palette::BLACK)),
                ("stroke", A::S("#ffffff")),
                ("stroke-width", A::N(1.2)),
            ],
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

    fn chart() -> TimeSeriesChart {
        let mut c = TimeSeriesChart::new(
            "Korean value",
            Axis::new("Year", ""),
            Axis::new("Contract value", "US$ m").from_zero(),
        );
        c.series.push(BandSeries {
            name: "commercial".into(),
            x: vec![2020.0, 2021.0, 2022.0],
            lower: vec![0.0, 10.0, 100.0],
            median: vec![5.0, 50.0, 900.0],
            upper: vec![20.0, 200.0, 2000.0],
        });
        c.observed.push(Observation {
            x: 2022.0,
            y: 1500.0,
            note: "SIPRI".into(),
        });
        c
    }

    #[test]
    fn draws_band_median_and_observations() {
        let s = time_series(&chart());
        check_svg(&s, 5);
        assert!(s.contains("class=\"band s0\""));
        assert!(s.contains("class=\"median s0\""));
        assert!(s.contains("observed, 2022: 1500 US$ m (SIPRI)"));
        assert!(s.contains("commercial, 2022: median 900 US$ m (5–95 % 100 – 2000)"));
    }

    #[test]
    fn degenerate_inputs_draw_without_nan() {
        let nan = f64::NAN;
        let mut c = chart();
        c.series[0].median[1] = nan;
        c.series[0].upper[2] = f64::INFINITY;
        c.observed.push(Observation {
            x: nan,
            y: 3.0,
            note: String::new(),
        });
        check_svg(&time_series(&c), 3);
        // Empty.
        let empty = TimeSeriesChart::new("empty", Axis::default(), Axis::default());
        let s = time_series(&empty);
        check_svg(&s, 0);
        assert!(s.contains("no data"));
        // One point, all equal, negative.
        let mut one = TimeSeriesChart::new("one", Axis::default(), Axis::default());
        one.series.push(BandSeries {
            name: String::new(),
            x: vec![3.0],
            lower: vec![-2.0],
            median: vec![-2.0],
            upper: vec![-2.0],
        });
        check_svg(&time_series(&one), 1);
        let mut flat = one.clone();
        flat.series[0] = BandSeries {
            name: "f".into(),
            x: vec![1.0, 1.0],
            lower: vec![7.0; 2],
            median: vec![7.0; 2],
            upper: vec![7.0; 2],
        };
        check_svg(&time_series(&flat), 1);
        // Mismatched lengths are cut to the shortest.
        let mut ragged = chart();
        ragged.series[0].upper.truncate(1);
        check_svg(&time_series(&ragged), 1);
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(time_series(&chart()), time_series(&chart()));
    }
}

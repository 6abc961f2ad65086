//! Histogram of a metric over replications, with the observed value marked
//! and the accepted range shaded.

use super::{Axis, describe};
use crate::output::html::kde::WeightedValues;
use crate::output::html::svg::{self, A, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, mathf, palette, ticks};

/// A histogram chart.
#[derive(Clone, Debug, PartialEq)]
pub struct HistogramChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The metric's axis.
    pub x_axis: Axis,
    /// The values (one per replication); non-finite ones are counted as
    /// missing and reported in the description.
    pub values: Vec<f64>,
    /// The observed value; NaN for none.
    pub observed: f64,
    /// The accepted range, shaded; NaN ends for none.
    pub accepted: (f64, f64),
    /// What is counted ("replications").
    pub count_label: String,
    /// Number of bins wanted; 0 chooses by the Freedman–Diaconis rule.
    pub bins: usize,
}

impl HistogramChart {
    /// A histogram of `values` counting "replications", with automatic bins.
    pub fn new(title: impl Into<String>, x_axis: Axis, values: Vec<f64>) -> HistogramChart {
        HistogramChart {
            title: title.into(),
            description: String::new(),
            x_axis,
            values,
            observed: f64::NAN,
            accepted: (f64::NAN, f64::NAN),
            count_label: "replications".into(),
            bins: 0,
        }
    }
}

/// Bin edges: a nice width near the Freedman–Diaconis width 2·IQR·n^(−1/3)
/// (Sturges' range/(log2 n + 1) when the IQR is zero), or near range/bins if
/// `bins` is given; edges at multiples of the width. At most 200 bins.
pub fn bin_edges(values: &[f64], bins: usize) -> Vec<f64> {
    let Some(s) = WeightedValues::new(values, &[]) else {
        return Vec::new();
    };
    let v = s.values();
    let n = v.len() as f64;
    if v[0] == v[v.len() - 1] {
        // All equal: one bin centred on the value.
        let (lo, hi) = ticks::clean_domain(v[0], v[0]);
        let w = ticks::nice_number((hi - lo) / 4.0, true);
        return vec![v[0] - w / 2.0, v[0] + w / 2.0];
    }
    let (lo, hi) = ticks::clean_domain(v[0], v[v.len() - 1]);
    let span = hi - lo;
    let raw = if bins > 0 {
        span / bins as f64
    } else {
        let iqr = s.quantile(0.75) - s.quantile(0.25);
        if iqr > 0.0 {
            2.0 * iqr * mathf::powf(n, -1.0 / 3.0)
        } else {
            span / (n.log2() + 1.0)
        }
    };
    let width = ticks::nice_number(raw.max(span / 200.0), true);
    let first = (lo / width).floor();
    let mut last = (hi / width).ceil();
    if last <= first {
        last = first + 1.0;
    }
    // A maximum on an edge belongs to the last bin (closed on the right).
    let count = ((last - first) as usize).clamp(1, 200);
    let e = mathf::decimal_exponent(width);
    let m = (width / mathf::pow10(e)).round();
    (0..=count)
        .map(|k| {
            let units = (first + k as f64) * m;
            if e >= 0 {
                units * mathf::pow10(e)
            } else {
                units / mathf::pow10(-e)
            }
        })
        .collect()
}

/// Counts of finite `values` per bin of `edges` (bins closed on the left,
/// the last also on the right).
pub fn bin_counts(values: &[f64], edges: &[f64]) -> Vec<usize> {
    let nb = edges.len().saturating_sub(1);
    let mut counts = vec![0; nb];
    for &v in values.iter().filter(|v| v.is_finite()) {
        if nb == 0 || v < edges[0] || v > edges[nb] {
            continue;
        }
        // The first edge above v, minus one; the top edge goes to the last bin.
        let k = edges
            .partition_point(|&e| e <= v)
            .saturating_sub(1)
            .min(nb - 1);
        counts[k] += 1;
    }
    counts
}

/// Draw a histogram.
pub fn histogram(chart: &HistogramChart) -> String {
    let edges = bin_edges(&chart.values, chart.bins);
    let counts = bin_counts(&chart.values, &edges);
    let n_finite = chart.values.iter().filter(|v| v.is_finite()).count();
    let missing = chart.values.len() - n_finite;
    let acc_ok = !(chart.accepted.0.is_nan() || chart.accepted.1.is_nan());
    let mut extent: Vec<f64> = edges.clone();
    if chart.observed.is_finite() {
        extent.push(chart.observed);
    }
    if acc_ok {
        extent.extend(
            [chart.accepted.0, chart.accepted.1]
                .into_iter()
                .filter(|v| v.is_finite()),
        );
    }
    let xt = match chart.x_axis.domain {
        Some((lo, hi)) => ticks::tight(lo, hi, 7),
        None => {
            let lo = extent.iter().copied().fold(f64::INFINITY, f64::min);
            let hi = extent.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            ticks::loose(lo, hi, 7)
        }
    };
    let max_count = counts.iter().copied().max().unwrap_or(0);
    let yt = ticks::loose(0.0, (max_count as f64).max(1.0), 5);
    // Counts are whole numbers: drop fractional ticks.
    let yt = if yt.decimals > 0 {
        let keep: Vec<usize> = (0..yt.values.len())
            .filter(|&i| yt.values[i].fract() == 0.0)
            .collect();
        ticks::Ticks {
            values: keep.iter().map(|&i| yt.values[i]).collect(),
            labels: keep
                .iter()
                .map(|&i| format::fixed(yt.values[i], 0))
                .collect(),
            decimals: 0,
            ..yt
        }
    } else {
        yt
    };
    let count_label = if chart.count_label.is_empty() {
        "count".to_string()
    } else {
        chart.count_label.clone()
    };
    let mut legend = vec![(
        Swatch::Band(palette::BLUE, 0.75),
        format!("simulated ({n_finite} {count_label})"),
    )];
    if acc_ok {
        legend.push((
            Swatch::Band(palette::BLUISH_GREEN, 0.2),
            "accepted range".into(),
        ));
    }
    if chart.observed.is_finite() {
        legend.push((
            Swatch::Line(palette::BLACK, false),
            format!("observed {}", format::auto(chart.observed)),
        ));
    }
    let legend_h = svg::legend_height(&legend, svg::WIDTH - 100.0);
    let top = 12.0 + legend_h + 10.0;
    let frame = super::frame_for(&yt, &count_label, top, 220.0);
    let desc = describe(&chart.description, || {
        format!(
            "Histogram of {} over {} {}{}{}.",
            chart.x_axis.title(),
            n_finite,
            count_label,
            if missing > 0 {
                format!(" ({missing} undefined, not shown)")
            } else {
                String::new()
            },
            if chart.observed.is_finite() {
                format!("; observed value {}", format::auto(chart.observed))
            } else {
                String::new()
            }
        )
    });
    let mut svg = Svg::new(frame.bottom + 52.0, "histogram", &chart.title, &desc);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, false);
    let ys = Scale::from_ticks(&yt, frame.bottom, frame.top, false);
    if acc_ok {
        let a = if chart.accepted.0.is_finite() {
            xs.map_clamped(chart.accepted.0)
        } else {
            frame.left
        };
        let b = if chart.accepted.1.is_finite() {
            xs.map_clamped(chart.accepted.1)
        } else {
            frame.right
        };
        svg.rect(
            a,
            frame.top,
            b,
            frame.bottom,
            &[
                ("class", A::S("accepted")),
                ("fill", A::S(palette::BLUISH_GREEN)),
                ("fill-opacity", A::N(0.15)),
            ],
            Some(&format!(
                "accepted range {}",
                super::range_text(chart.accepted.0, chart.accepted.1)
            )),
        );
    }
    svg::y_axis(&mut svg, &frame, &ys, &yt, &count_label, true);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &chart.x_axis.title(), false);
    svg::legend(
        &mut svg,
        frame.left,
        12.0,
        svg::WIDTH - frame.left - 24.0,
        &legend,
    );
    if n_finite == 0 {
        super::empty_note(&mut svg, &frame, "no data");
    }
    svg.open(&[("class", A::S("bins"))]);
    for (k, &c) in counts.iter().enumerate() {
        let (x0, x1) = (xs.map(edges[k]), xs.map(edges[k + 1]));
        let share = if n_finite > 0 {
            c as f64 / n_finite as f64
        } else {
            0.0
        };
        let tip = format!(
            "{} to {}: {} {} ({})",
            format::hover(edges[k]),
            format::hover(edges[k + 1]),
            c,
            count_label,
            format::percent(share, 1)
        );
        let y = ys.map(c as f64);
        svg.rect(
            x0,
            y,
            x1,
            frame.bottom,
            &[
                ("class", A::S("bin")),
                ("fill", A::S(palette::BLUE)),
                ("fill-opacity", A::N(0.75)),
                ("stroke", A::S("#ffffff")),
                ("stroke-width", A::N(0.8)),
            ],
            Some(&tip),
        );
    }
    svg.close();
    if chart.observed.is_finite() {
        let x = xs.map(chart.observed);
        let below = chart
            .values
            .iter()
            .filter(|v| v.is_finite() && **v <= chart.observed)
            .count();
        let tip = format!(
            "observed {}: {} of {} {} at or below it",
            super::with_unit(chart.observed, &chart.x_axis.unit),
            below,
            n_finite,
            count_label
        );
        svg.line(
            x,
            frame.top,
            x,
            frame.bottom,
            &[
                ("class", A::S("observed")),
                ("stroke", A::S(palette::BLACK)),
                ("stroke-width", A::N(2.0)),
            ],
            Some(&tip),
        );
        svg::marker(
            &mut svg,
            Shape::Diamond,
            x,
            frame.top,
            5.0,
            &[("class", A::S("observed")), ("fill", A::S(palette::BLACK))],
            Some(&tip),
        );
    }
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    #[test]
    fn bins_by_hand() {
        // 0..=9: IQR (type 7) = 6.75 − 2.25 = 4.5; FD width 2·4.5·10^(−1/3)
        // = 4.177; nice(4.177) = 5; edges 0, 5, 10.
        let v: Vec<f64> = (0..10).map(f64::from).collect();
        assert_eq!(bin_edges(&v, 0), vec![0.0, 5.0, 10.0]);
        assert_eq!(bin_counts(&v, &[0.0, 5.0, 10.0]), vec![5, 5]);
        // Asked for 5 bins over 0..9: width nice(1.8) = 2.
        assert_eq!(bin_edges(&v, 5), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        // The maximum on an edge is counted in the last bin.
        assert_eq!(bin_counts(&[0.0, 1.0, 2.0], &[0.0, 1.0, 2.0]), vec![1, 2]);
        // Decimal widths are exact multiples.
        let e = bin_edges(&[0.1, 0.2, 0.3, 0.35], 3);
        assert!(
            e.iter()
                .all(|x| (x * 20.0 - (x * 20.0).round()).abs() < 1e-12),
            "{e:?}"
        );
    }

    #[test]
    fn degenerate_bins() {
        assert!(bin_edges(&[], 0).is_empty());
        assert!(bin_edges(&[f64::NAN], 0).is_empty());
        // All equal: one bin centred on the value, width nice((8 − 6)/4) = 0.5.
        let e = bin_edges(&[7.0; 20], 0);
        assert_eq!(e, vec![6.75, 7.25]);
        assert_eq!(bin_counts(&[7.0; 20], &e).iter().sum::<usize>(), 20);
        assert!(bin_edges(&[-1e300, 1e300], 0).len() <= 201);
    }

    #[test]
    fn histogram_draws() {
        let mut c = HistogramChart::new(
            "Korean value",
            Axis::new("Korean value 2022", "US$ m"),
            (0..200).map(|i| (i * 37 % 101) as f64 * 100.0).collect(),
        );
        c.observed = 4321.0;
        c.accepted = (3000.0, 6000.0);
        let s = histogram(&c);
        check_svg(&s, 5);
        assert!(s.contains("observed 4321 US$ m: "));
        assert_eq!(s, histogram(&c));
        let mut d = HistogramChart::new("h", Axis::default(), vec![]);
        check_svg(&histogram(&d), 0);
        d.values = vec![f64::NAN, 3.0, 3.0];
        d.accepted = (f64::NEG_INFINITY, 1.0);
        d.observed = f64::INFINITY;
        let s = histogram(&d);
        check_svg(&s, 1);
        assert!(s.contains("(1 undefined, not shown)"));
    }
}

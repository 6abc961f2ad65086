//! Posterior marginals: weighted kernel densities, one line per model, with
//! the prior range shaded; and a pairs plot (scatter matrix) of weighted
//! particles, point opacity by weight.

use super::{Axis, Fit, axis_ticks, describe};
use crate::analysis::abc::stats::weighted_quantile;
use crate::output::html::kde::{Kde, weighted_correlation};
use crate::output::html::svg::{self, A, Frame, Scale, Svg, Swatch};
use crate::output::html::{format, palette, ticks};
use crate::output::report::count;

/// A weighted sample (particles of one model for one parameter).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WeightedSample {
    /// Name (the model).
    pub name: String,
    /// Values.
    pub values: Vec<f64>,
    /// Weights, paired with `values`; empty for equal weights.
    pub weights: Vec<f64>,
}

impl WeightedSample {
    /// The weighted quantile at `alpha` of the finite values with a finite
    /// positive weight, as `calibrate` computes it for
    /// `posterior_summary.csv` (not the density's own type-7 quantile): the
    /// hover then shows that file's numbers. NaN without such values.
    pub fn quantile(&self, alpha: f64) -> f64 {
        let equal = vec![1.0; self.values.len()];
        let weights = if self.weights.is_empty() {
            &equal
        } else {
            &self.weights
        };
        let (values, weights): (Vec<f64>, Vec<f64>) = self
            .values
            .iter()
            .copied()
            .zip(weights.iter().copied())
            .filter(|(v, w)| v.is_finite() && w.is_finite() && *w > 0.0)
            .unzip();
        weighted_quantile(&values, &weights, alpha)
    }
}

/// A density chart of one parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct DensityChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// The parameter's axis (its domain, if given, fixes the range drawn).
    pub x_axis: Axis,
    /// One sample per model.
    pub samples: Vec<WeightedSample>,
    /// The prior range, shaded; NaN ends for none.
    pub prior: (f64, f64),
    /// A known true value (recovery tests), drawn as a dashed line; NaN for none.
    pub truth: f64,
}

impl DensityChart {
    /// A chart with no prior range and no truth.
    pub fn new(title: impl Into<String>, x_axis: Axis) -> DensityChart {
        DensityChart {
            title: title.into(),
            description: String::new(),
            x_axis,
            samples: Vec::new(),
            prior: (f64::NAN, f64::NAN),
            truth: f64::NAN,
        }
    }
}

const GRID: usize = 161;
const PRIOR_C: &str = "#8c8c8c";

fn prior_ok(p: (f64, f64)) -> bool {
    p.0.is_finite() && p.1.is_finite() && p.0 < p.1
}

/// Whether every sample holds whole numbers only (an integer parameter,
/// whose particles are never fractional): its posterior is a probability
/// per value, not a smooth density.
pub fn whole_numbers(samples: &[WeightedSample]) -> bool {
    let mut any = false;
    for v in samples
        .iter()
        .flat_map(|s| &s.values)
        .filter(|v| v.is_finite())
    {
        if v.fract() != 0.0 {
            return false;
        }
        any = true;
    }
    any
}

/// The probability of each whole value as a step of width 1 centred on
/// it (so its area is that probability), over `lo..hi`.
fn steps(k: &Kde, lo: f64, hi: f64) -> Vec<(f64, f64)> {
    let sample = k.sample();
    let mut out = Vec::new();
    let (first, last) = (lo.ceil() as i64, hi.floor() as i64);
    for v in first..=last {
        let x = v as f64;
        let p: f64 = sample
            .values()
            .iter()
            .zip(sample.weights())
            .filter(|(value, _)| **value == x)
            .map(|(_, w)| w)
            .sum::<f64>()
            + 0.0; // an empty sum is -0.0
        out.extend([(x - 0.5, p), (x + 0.5, p)]);
    }
    out
}

/// The density drawn over `lo..hi`. Inside a prior's bounds `a..b` it is
/// reflected at them, f(x) + f(2a − x) + f(2b − x) on `a..b` alone (the
/// mass a kernel puts beyond a bound folds back inside), so that no value
/// the prior rules out is drawn as likely.
fn curve(k: &Kde, lo: f64, hi: f64, prior: Option<(f64, f64)>) -> Vec<(f64, f64)> {
    match prior {
        Some((a, b)) => k
            .grid(lo.max(a), hi.min(b), GRID)
            .into_iter()
            .map(|(x, d)| (x, d + k.density(2.0 * a - x) + k.density(2.0 * b - x)))
            .collect(),
        None => k.grid(lo, hi, GRID),
    }
}

/// Draw the weighted densities of one parameter.
pub fn density(chart: &DensityChart) -> String {
    let kdes: Vec<Option<Kde>> = chart
        .samples
        .iter()
        .map(|s| Kde::new(&s.values, &s.weights))
        .collect();
    // The range: the axis domain, else the prior range and the data ± 3 h.
    let mut data: Vec<f64> = Vec::new();
    if prior_ok(chart.prior) {
        data.extend([chart.prior.0, chart.prior.1]);
    }
    for k in kdes.iter().flatten() {
        let v = k.sample().values();
        data.extend([
            v[0] - 3.0 * k.bandwidth(),
            v[v.len() - 1] + 3.0 * k.bandwidth(),
        ]);
    }
    if chart.truth.is_finite() {
        data.push(chart.truth);
    }
    let x_axis = Axis {
        log: false,
        ..chart.x_axis.clone()
    };
    let xt = if let Some((lo, hi)) = x_axis.domain {
        ticks::tight(lo, hi, 6)
    } else if prior_ok(chart.prior) {
        // Prior ends are the natural frame: ticks inside, the data may add room.
        let lo = data.iter().copied().fold(chart.prior.0, f64::min);
        let hi = data.iter().copied().fold(chart.prior.1, f64::max);
        let lo = if lo < chart.prior.0 {
            lo.max(chart.prior.0 - (chart.prior.1 - chart.prior.0) * 0.1)
        } else {
            lo
        };
        let hi = if hi > chart.prior.1 {
            hi.min(chart.prior.1 + (chart.prior.1 - chart.prior.0) * 0.1)
        } else {
            hi
        };
        ticks::tight(lo, hi, 6)
    } else {
        axis_ticks(&x_axis, data.iter().copied(), Fit::Tight, 6)
    };
    let prior = prior_ok(chart.prior).then_some(chart.prior);
    let whole = whole_numbers(&chart.samples);
    let curves: Vec<Vec<(f64, f64)>> = kdes
        .iter()
        .map(|k| {
            k.as_ref()
                .map(|k| match (whole, prior) {
                    (true, Some((a, b))) => steps(k, xt.lo.max(a), xt.hi.min(b)),
                    (true, None) => steps(k, xt.lo, xt.hi),
                    (false, _) => curve(k, xt.lo, xt.hi, prior),
                })
                .unwrap_or_default()
        })
        .collect();
    let peak = curves
        .iter()
        .flatten()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max);
    let yt = ticks::loose(0.0, if peak > 0.0 { peak } else { 1.0 }, 5);

    let mut legend: Vec<(Swatch, String)> = chart
        .samples
        .iter()
        .zip(&kdes)
        .enumerate()
        .map(|(i, (s, k))| {
            (
                Swatch::Line(palette::series(i), false),
                if k.is_some() {
                    s.name.clone()
                } else {
                    format!("{} (no values)", s.name)
                },
            )
        })
        .collect();
    if prior_ok(chart.prior) {
        legend.push((Swatch::Band(PRIOR_C, 0.14), "prior range".into()));
    }
    if chart.truth.is_finite() {
        legend.push((Swatch::Line(palette::BLACK, true), "true value".into()));
    }
    let legend_h = svg::legend_height(&legend, svg::WIDTH - 100.0);
    let top = 12.0 + legend_h + if legend_h > 0.0 { 10.0 } else { 0.0 };
    let frame = super::frame_for(&yt, "density", top, 220.0);
    let desc = describe(&chart.description, || {
        format!(
            "{} of {} for {}{}.",
            if whole {
                "Weighted share of each whole value"
            } else {
                "Weighted kernel density"
            },
            x_axis.title(),
            count(chart.samples.len() as u64, "model"),
            if prior_ok(chart.prior) {
                ", prior range shaded"
            } else {
                ""
            }
        )
    });
    let mut svg = Svg::new(frame.bottom + 52.0, "density", &chart.title, &desc);
    let xs = Scale::from_ticks(&xt, frame.left, frame.right, false);
    let ys = Scale::from_ticks(&yt, frame.bottom, frame.top, false);
    if prior_ok(chart.prior) {
        let (a, b) = (xs.map_clamped(chart.prior.0), xs.map_clamped(chart.prior.1));
        svg.rect(
            a,
            frame.top,
            b,
            frame.bottom,
            &[
                ("class", A::S("prior")),
                ("fill", A::S(PRIOR_C)),
                ("fill-opacity", A::N(0.14)),
            ],
            Some(&format!(
                "prior range {}",
                super::range_text(chart.prior.0, chart.prior.1)
            )),
        );
    }
    svg::y_axis(&mut svg, &frame, &ys, &yt, "density", true);
    svg::x_axis(&mut svg, &frame, &xs, &xt, &x_axis.title(), false);
    svg::legend(
        &mut svg,
        frame.left,
        12.0,
        svg::WIDTH - frame.left - 24.0,
        &legend,
    );
    if kdes.iter().all(Option::is_none) {
        super::empty_note(&mut svg, &frame, "no data");
    }
    for (i, (s, k)) in chart.samples.iter().zip(&kdes).enumerate() {
        let Some(k) = k else { continue };
        let c = palette::series(i);
        let pts: Vec<(f64, f64)> = curves[i]
            .iter()
            .map(|&(x, d)| (xs.map(x), ys.map(d)))
            .collect();
        let sample = k.sample();
        // The steps of whole values are shares, not a kernel's: no
        // bandwidth to give.
        let tip = format!(
            "{}: weighted mean {}, 90 % within {}, effective n {}{}",
            s.name,
            format::hover(sample.mean()),
            super::range_text(s.quantile(0.05), s.quantile(0.95)),
            format::fixed(sample.effective_size(), 1),
            if whole {
                String::new()
            } else {
                format!(", bandwidth {}", format::auto(k.bandwidth()))
            }
        );
        // Area under the curve, faint, then the line.
        let base = vec![ys.map(0.0); pts.len()];
        let xs_px: Vec<f64> = pts.iter().map(|p| p.0).collect();
        let ys_px: Vec<f64> = pts.iter().map(|p| p.1).collect();
        let area = svg::band_path(&xs_px, &base, &ys_px);
        svg.el(
            "path",
            &[
                ("class", A::S(&format!("density-area s{i}"))),
                ("d", A::S(&area)),
                ("fill", A::S(c)),
                ("fill-opacity", A::N(0.1)),
            ],
            Some(&tip),
        );
        let d = svg::polyline_path(&pts);
        svg.el(
            "path",
            &[
                ("class", A::S(&format!("density-line s{i}"))),
                ("d", A::S(&d)),
                ("fill", A::S("none")),
                ("stroke", A::S(c)),
                ("stroke-width", A::N(2.2)),
            ],
            Some(&tip),
        );
        // The weighted median as a short tick on the baseline.
        let median = s.quantile(0.5);
        let m = xs.map(median);
        if m.is_finite() && xs.contains(median) {
            svg.line(
                m,
                frame.bottom,
                m,
                frame.bottom - 10.0,
                &[
                    ("class", A::S(&format!("median s{i}"))),
                    ("stroke", A::S(c)),
                    ("stroke-width", A::N(2.5)),
                ],
                Some(&format!(
                    "{}: weighted median {}",
                    s.name,
                    format::hover(median)
                )),
            );
        }
    }
    if chart.truth.is_finite() && xs.contains(chart.truth) {
        let x = xs.map(chart.truth);
        svg.line(
            x,
            frame.top,
            x,
            frame.bottom,
            &[
                ("class", A::S("truth")),
                ("stroke", A::S(palette::BLACK)),
                ("stroke-width", A::N(1.5)),
                ("stroke-dasharray", A::S("5 3")),
            ],
            Some(&format!("true value {}", format::hover(chart.truth))),
        );
    }
    svg.finish()
}

/// A parameter of a pairs plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairsParameter {
    /// Name.
    pub name: String,
    /// Fixed range (the prior's); NaN ends to fit the data.
    pub range: (f64, f64),
}

/// Weighted particles of one model.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParticleSet {
    /// Name (the model).
    pub name: String,
    /// One row per particle, one value per parameter (NaN where the model
    /// lacks the parameter).
    pub rows: Vec<Vec<f64>>,
    /// Weights, one per row; empty for equal weights.
    pub weights: Vec<f64>,
}

/// A pairs plot.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PairsChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// Parameters (up to eight are drawn; six read well at this width).
    pub parameters: Vec<PairsParameter>,
    /// Particle sets, one per model.
    pub sets: Vec<ParticleSet>,
    /// Most points drawn per set; above it every k-th particle is drawn (in
    /// input order, so the choice does not depend on the weights). 0 means 300.
    /// Each point drawn costs about 100 bytes in each of the p(p − 1)/2 cells.
    pub max_points: usize,
}

/// Most parameters drawn.
pub const MAX_PAIRS: usize = 8;

/// Draw a pairs plot: densities on the diagonal, weighted scatters below it,
/// weighted correlations above it.
pub fn pairs(chart: &PairsChart) -> String {
    let p = chart.parameters.len().min(MAX_PAIRS);
    let max_points = if chart.max_points == 0 {
        300
    } else {
        chart.max_points
    };
    let col = |set: &ParticleSet, j: usize| -> Vec<f64> {
        set.rows
            .iter()
            .map(|r| r.get(j).copied().unwrap_or(f64::NAN))
            .collect()
    };
    let weight = |set: &ParticleSet, i: usize| -> f64 {
        if set.weights.is_empty() {
            1.0
        } else {
            set.weights
                .get(i)
                .copied()
                .filter(|w| w.is_finite() && *w > 0.0)
                .unwrap_or(0.0)
        }
    };
    // Per-parameter ticks: the fixed range or the data's.
    let pticks: Vec<_> = (0..p)
        .map(|j| {
            let (lo, hi) = chart.parameters[j].range;
            if lo.is_finite() && hi.is_finite() && lo < hi {
                ticks::tight(lo, hi, 4)
            } else {
                let vals = chart
                    .sets
                    .iter()
                    .flat_map(|s| col(s, j))
                    .filter(|v| v.is_finite());
                let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
                let (lo, hi) = ticks::clean_domain(lo, hi);
                let pad = (hi - lo) * 0.04;
                ticks::tight(lo - pad, hi + pad, 4)
            }
        })
        .collect();
    let legend: Vec<(Swatch, String)> = chart
        .sets
        .iter()
        .enumerate()
        .map(|(i, s)| (Swatch::Band(palette::series(i), 0.8), s.name.clone()))
        .collect();
    let legend_h = svg::legend_height(&legend, svg::WIDTH - 100.0);
    let top = 12.0 + legend_h + if legend_h > 0.0 { 10.0 } else { 0.0 };
    let (left, right, gap) = (70.0, svg::WIDTH - 16.0, 10.0);
    let cell = if p == 0 {
        200.0
    } else {
        (right - left - gap * (p as f64 - 1.0)) / p as f64
    };
    let bottom = top + cell * p.max(1) as f64 + gap * (p.max(1) as f64 - 1.0);
    let height = bottom + 58.0;
    let thinned = chart.sets.iter().any(|s| s.rows.len() > max_points);
    let desc = describe(&chart.description, || {
        let names: Vec<&str> = chart
            .parameters
            .iter()
            .take(p)
            .map(|q| q.name.as_str())
            .collect();
        format!(
            "Pairs plot of {} ({}) for {}: weighted densities on the diagonal, particles below it with opacity by weight{}, weighted correlations above it.{}",
            count(p as u64, "parameter"),
            names.join(", "),
            count(chart.sets.len() as u64, "model"),
            if thinned {
                format!(" (at most {max_points} particles per model drawn)")
            } else {
                String::new()
            },
            if chart.parameters.len() > p {
                format!(
                    " Only the first {p} of {} parameters are shown.",
                    chart.parameters.len()
                )
            } else {
                String::new()
            }
        )
    });
    let mut svg = Svg::new(height, "pairs", &chart.title, &desc);
    svg::legend(&mut svg, left, 12.0, right - left, &legend);
    if p == 0 {
        let frame = Frame {
            left,
            top,
            right,
            bottom,
        };
        super::empty_note(&mut svg, &frame, "no parameters");
        return svg.finish();
    }
    // The names cut to fit, kept apart: names that share a start
    // (`preferences.default.…`) differ at the end, which a plain cut lost.
    let names: Vec<String> = chart.parameters[..p]
        .iter()
        .map(|q| q.name.clone())
        .collect();
    let cell_titles = svg::distinct_labels(&names, 11.0, cell - 10.0);
    let axis_titles = svg::distinct_labels(&names, 11.0, cell + gap);
    let cell_frame = |r: usize, c: usize| {
        let x0 = left + c as f64 * (cell + gap);
        let y0 = top + r as f64 * (cell + gap);
        Frame {
            left: x0,
            top: y0,
            right: x0 + cell,
            bottom: y0 + cell,
        }
    };
    let scale_x =
        |j: usize, f: &Frame| Scale::from_ticks(&pticks[j], f.left + 3.0, f.right - 3.0, false);
    let scale_y =
        |i: usize, f: &Frame| Scale::from_ticks(&pticks[i], f.bottom - 3.0, f.top + 3.0, false);

    for r in 0..p {
        for (c, c_ticks) in pticks.iter().enumerate() {
            let f = cell_frame(r, c);
            svg.open(&[(
                "class",
                A::S(if r == c {
                    "pairs-cell diagonal"
                } else if r > c {
                    "pairs-cell scatter"
                } else {
                    "pairs-cell correlation"
                }),
            )]);
            svg.rect(
                f.left,
                f.top,
                f.right,
                f.bottom,
                &[
                    ("class", A::S("cell-frame")),
                    ("fill", A::S(if r < c { "#fafafa" } else { "#ffffff" })),
                    ("stroke", A::S("#c8c8c8")),
                ],
                None,
            );
            let xs = scale_x(c, &f);
            if r == c {
                // Diagonal: each model's weighted density, scaled to the cell.
                let kdes: Vec<Option<Kde>> = chart
                    .sets
                    .iter()
                    .map(|s| {
                        Kde::new(
                            &col(s, c),
                            &(0..s.rows.len()).map(|i| weight(s, i)).collect::<Vec<_>>(),
                        )
                    })
                    .collect();
                let curves: Vec<Vec<(f64, f64)>> = kdes
                    .iter()
                    .map(|k| {
                        k.as_ref()
                            .map(|k| k.grid(c_ticks.lo, c_ticks.hi, 81))
                            .unwrap_or_default()
                    })
                    .collect();
                let peak = curves.iter().flatten().map(|q| q.1).fold(0.0, f64::max);
                // The top 18 units are the parameter's name.
                let ys = Scale::linear(
                    0.0,
                    if peak > 0.0 { peak } else { 1.0 },
                    f.bottom - 2.0,
                    f.top + 20.0,
                );
                for (si, curve) in curves.iter().enumerate() {
                    let pts: Vec<(f64, f64)> =
                        curve.iter().map(|&(x, d)| (xs.map(x), ys.map(d))).collect();
                    let d = svg::polyline_path(&pts);
                    if !d.is_empty() {
                        let tip = format!(
                            "{}: weighted density of {}",
                            chart.sets[si].name, chart.parameters[c].name
                        );
                        svg.el(
                            "path",
                            &[
                                ("d", A::S(&d)),
                                ("fill", A::S("none")),
                                ("stroke", A::S(palette::series(si))),
                                ("stroke-width", A::N(1.8)),
                            ],
                            Some(&tip),
                        );
                    }
                }
                svg.text_with_title(
                    f.left + 5.0,
                    f.top + 14.0,
                    &cell_titles[c],
                    &chart.parameters[c].name,
                    &[
                        ("class", A::S("cell-title")),
                        ("font-size", A::N(11.0)),
                        ("font-weight", A::S("bold")),
                    ],
                );
            } else if r > c {
                let ys = scale_y(r, &f);
                for (si, s) in chart.sets.iter().enumerate() {
                    let stride = s.rows.len().div_ceil(max_points).max(1);
                    let wmax = (0..s.rows.len()).map(|i| weight(s, i)).fold(0.0, f64::max);
                    // One group per model carries the colour; each point only
                    // its place, opacity and hover text.
                    svg.open(&[
                        ("class", A::S(&format!("particles s{si}"))),
                        ("fill", A::S(palette::series(si))),
                    ]);
                    for i in (0..s.rows.len()).step_by(stride) {
                        let (vx, vy) = (
                            s.rows[i].get(c).copied().unwrap_or(f64::NAN),
                            s.rows[i].get(r).copied().unwrap_or(f64::NAN),
                        );
                        let w = weight(s, i);
                        if !(vx.is_finite()
                            && vy.is_finite()
                            && w > 0.0
                            && xs.contains(vx)
                            && ys.contains(vy))
                        {
                            continue;
                        }
                        let opacity = 0.08 + 0.72 * if wmax > 0.0 { w / wmax } else { 1.0 };
                        let tip = format!(
                            "{}: {} {}, {} {}, weight {}",
                            s.name,
                            chart.parameters[c].name,
                            format::auto(vx),
                            chart.parameters[r].name,
                            format::auto(vy),
                            format::auto(w)
                        );
                        svg.el(
                            "circle",
                            &[
                                ("cx", A::N(xs.map(vx))),
                                ("cy", A::N(ys.map(vy))),
                                ("r", A::N(1.8)),
                                ("fill-opacity", A::S(&format!("{opacity:.2}"))),
                            ],
                            Some(&tip),
                        );
                    }
                    svg.close();
                }
            } else {
                // Above the diagonal: weighted correlation per model.
                for (si, s) in chart.sets.iter().enumerate() {
                    let w: Vec<f64> = (0..s.rows.len()).map(|i| weight(s, i)).collect();
                    let rho = weighted_correlation(&col(s, c), &col(s, r), &w);
                    let text = if rho.is_finite() {
                        format!("r = {}", format::fixed(rho, 2))
                    } else {
                        "r = –".to_string()
                    };
                    let tip = format!(
                        "{}: weighted correlation of {} and {}: {}",
                        s.name,
                        chart.parameters[r].name,
                        chart.parameters[c].name,
                        format::fixed(rho, 3)
                    );
                    let y = f.top
                        + cell / 2.0
                        + (si as f64 - (chart.sets.len() as f64 - 1.0) / 2.0) * 16.0
                        + 4.0;
                    let size = if cell < 90.0 { 10.5 } else { 12.0 };
                    svg.text_with_title(
                        (f.left + f.right) / 2.0,
                        y,
                        &text,
                        &tip,
                        &[
                            ("class", A::S("correlation")),
                            ("text-anchor", A::S("middle")),
                            ("fill", A::S(palette::series(si))),
                            ("font-size", A::N(size)),
                        ],
                    );
                }
            }
            svg.close();
        }
    }
    // Tick labels: along the bottom for every column, along the left for
    // every row but the first (whose diagonal cell shows a density).
    svg.open(&[("class", A::S("axis"))]);
    let tick_size = if cell < 90.0 { 9.5 } else { 10.5 };
    for (j, j_ticks) in pticks.iter().enumerate() {
        let f = cell_frame(p - 1, j);
        let xs = scale_x(j, &f);
        // Every other label if they would crowd the cell.
        let widest = svg::max_width(&j_ticks.labels, tick_size);
        let every = if widest * j_ticks.labels.len() as f64 * 1.3 > cell {
            2
        } else {
            1
        };
        for (v, l) in j_ticks.values.iter().zip(&j_ticks.labels).step_by(every) {
            let x = xs.map(*v);
            // Labels at a cell's edge lean inwards, clear of the next cell's.
            let anchor = if x < f.left + 8.0 {
                "start"
            } else if x > f.right - 8.0 {
                "end"
            } else {
                "middle"
            };
            svg.line(
                x,
                f.bottom,
                x,
                f.bottom + 4.0,
                &[("stroke", A::S(palette::MUTED))],
                None,
            );
            svg.text(
                x,
                f.bottom + 15.0,
                l,
                &[
                    ("class", A::S("tick-label")),
                    ("text-anchor", A::S(anchor)),
                    ("fill", A::S(palette::MUTED)),
                    ("font-size", A::N(tick_size)),
                ],
            );
        }
        // Whole in the hover.
        svg.text_with_title(
            (f.left + f.right) / 2.0,
            f.bottom + 33.0,
            &axis_titles[j],
            &chart.parameters[j].name,
            &[
                ("class", A::S("axis-title")),
                ("text-anchor", A::S("middle")),
                ("font-size", A::N(11.0)),
            ],
        );
    }
    for (i, i_ticks) in pticks.iter().enumerate().skip(1) {
        let f = cell_frame(i, 0);
        let ys = scale_y(i, &f);
        for (v, l) in i_ticks.values.iter().zip(&i_ticks.labels) {
            let y = ys.map(*v);
            let baseline = if y < f.top + 8.0 {
                y + tick_size * 0.8
            } else if y > f.bottom - 8.0 {
                y
            } else {
                y + tick_size * 0.35
            };
            svg.line(
                f.left - 4.0,
                y,
                f.left,
                y,
                &[("stroke", A::S(palette::MUTED))],
                None,
            );
            svg.text(
                f.left - 6.0,
                baseline,
                l,
                &[
                    ("class", A::S("tick-label")),
                    ("text-anchor", A::S("end")),
                    ("fill", A::S(palette::MUTED)),
                    ("font-size", A::N(tick_size)),
                ],
            );
        }
        let (x, y) = (14.0, (f.top + f.bottom) / 2.0);
        let rotate = format!("rotate(-90 {} {})", svg::num(x), svg::num(y));
        svg.text_with_title(
            x,
            y,
            &axis_titles[i],
            &chart.parameters[i].name,
            &[
                ("class", A::S("axis-title")),
                ("text-anchor", A::S("middle")),
                ("font-size", A::N(11.0)),
                ("transform", A::S(&rotate)),
            ],
        );
    }
    svg.close();
    svg.finish()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;
    use std::collections::BTreeSet;

    fn sample(name: &str, shift: f64) -> WeightedSample {
        let values: Vec<f64> = (0..50).map(|i| shift + (i as f64 * 0.37).sin()).collect();
        let weights: Vec<f64> = (0..50).map(|i| 1.0 + (i % 5) as f64).collect();
        WeightedSample {
            name: name.into(),
            values,
            weights,
        }
    }

    #[test]
    fn density_lines_per_model() {
        let mut c = DensityChart::new("affinity", Axis::new("affinity", ""));
        c.samples = vec![sample("commercial", 0.0), sample("strategic", 1.0)];
        c.prior = (-2.0, 3.0);
        c.truth = 0.5;
        let s = density(&c);
        check_svg(&s, 5);
        assert_eq!(s.matches("class=\"density-line s").count(), 2);
        assert!(s.contains("prior range \u{2212}2 – 3"));
        assert!(s.contains("true value 0.5"));
        assert_eq!(s, density(&c));
    }

    /// A posterior piled against a prior bound: the drawn density stays
    /// inside the prior and still integrates to 1 there (without the
    /// reflection about a tenth of it lay below 0, which the prior rules
    /// out, and the curve inside fell towards the bound).
    #[test]
    fn a_density_is_reflected_into_the_prior() {
        let values: Vec<f64> = (0..40).map(|i| 0.02 * f64::from(i % 10)).collect();
        let k = Kde::new(&values, &[]).unwrap();
        let plain = curve(&k, -1.0, 2.0, None);
        let kept = curve(&k, -1.0, 2.0, Some((0.0, 1.0)));
        assert!(kept.iter().all(|&(x, _)| (0.0..=1.0).contains(&x)));
        let area = |c: &[(f64, f64)]| {
            c.windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum::<f64>()
        };
        let outside: f64 = area(&plain[..plain.partition_point(|p| p.0 < 0.0)]);
        assert!(
            outside > 0.05,
            "the test needs mass beyond the bound: {outside}"
        );
        assert!((area(&kept) - 1.0).abs() < 0.01, "{}", area(&kept));
    }

    /// An integer parameter gets the probability of each value as a step
    /// of width 1 (areas sum to 1), not a smooth curve across fractions.
    #[test]
    fn whole_values_are_drawn_as_steps() {
        let values = [2.0, 2.0, 3.0, 5.0];
        let weights = [0.25, 0.25, 0.25, 0.25];
        let k = Kde::new(&values, &weights).unwrap();
        let s = steps(&k, 1.0, 6.0);
        // Each value is a pair of points, (x - 0.5, p) and (x + 0.5, p).
        let p = |x: f64| s.chunks(2).find(|w| w[0].0 == x - 0.5).unwrap()[0].1;
        assert_eq!(
            (p(1.0), p(2.0), p(3.0), p(4.0), p(5.0)),
            (0.0, 0.5, 0.25, 0.0, 0.25)
        );
        let area: f64 = s.chunks(2).map(|w| (w[1].0 - w[0].0) * w[0].1).sum();
        assert!((area - 1.0).abs() < 1e-12);
        let sample = |v: &[f64]| WeightedSample {
            name: "m".into(),
            values: v.to_vec(),
            weights: vec![],
        };
        assert!(whole_numbers(&[sample(&values)]));
        assert!(!whole_numbers(&[sample(&values), sample(&[0.5])]));
        assert!(!whole_numbers(&[sample(&[])]));
        // Described as shares, with no kernel's bandwidth in the hover (it
        // said "Weighted kernel density" and gave a bandwidth).
        let mut c = DensityChart::new("defer_quarters", Axis::new("defer_quarters", ""));
        c.samples = vec![WeightedSample {
            weights: weights.to_vec(),
            ..sample(&values)
        }];
        let svg = density(&c);
        assert!(
            svg.contains("Weighted share of each whole value of defer_quarters for 1 model."),
            "{svg}"
        );
        assert!(!svg.contains("bandwidth"), "{svg}");
        c.samples[0].values[0] = 2.5;
        let svg = density(&c);
        assert!(svg.contains("Weighted kernel density of defer_quarters for 1 model."));
        assert!(svg.contains("bandwidth"));
    }

    #[test]
    fn density_degenerate() {
        let mut c = DensityChart::new("d", Axis::default());
        check_svg(&density(&c), 0);
        c.samples = vec![
            WeightedSample {
                name: "one".into(),
                values: vec![2.0],
                weights: vec![],
            },
            WeightedSample {
                name: "none".into(),
                values: vec![f64::NAN],
                weights: vec![1.0],
            },
        ];
        check_svg(&density(&c), 1);
        c.samples = vec![WeightedSample {
            name: "flat".into(),
            values: vec![-3.0; 10],
            weights: vec![0.0; 10],
        }];
        c.prior = (5.0, 5.0);
        check_svg(&density(&c), 0);
    }

    #[test]
    fn pairs_matrix() {
        let rows: Vec<Vec<f64>> = (0..40)
            .map(|i| {
                vec![
                    i as f64 / 40.0,
                    (i as f64 * 0.3).cos(),
                    if i % 7 == 0 { f64::NAN } else { i as f64 },
                ]
            })
            .collect();
        let chart = PairsChart {
            title: "pairs".into(),
            description: String::new(),
            parameters: vec![
                PairsParameter {
                    name: "a".into(),
                    range: (0.0, 1.0),
                },
                PairsParameter {
                    name: "b".into(),
                    range: (f64::NAN, f64::NAN),
                },
                PairsParameter {
                    name: "c".into(),
                    range: (f64::NAN, f64::NAN),
                },
            ],
            sets: vec![
                ParticleSet {
                    name: "M1".into(),
                    rows: rows.clone(),
                    weights: (0..40).map(|i| i as f64).collect(),
                },
                ParticleSet {
                    name: "M2".into(),
                    rows,
                    weights: vec![],
                },
            ],
            max_points: 10,
        };
        let s = pairs(&chart);
        check_svg(&s, 30);
        assert_eq!(s.matches("pairs-cell diagonal").count(), 3);
        assert_eq!(s.matches("pairs-cell scatter").count(), 3);
        assert!(s.contains("weighted correlation of a and b"));
        assert!(s.contains("at most 10 particles per model drawn"));
        // Zero-weight particles are not drawn: M1's particle 0 has weight 0.
        assert!(!s.contains("M1: a 0, b 1,"));
        assert!(s.contains("M2: a 0, b 1, weight 1"));
    }

    /// Six parameters that share a start: their names on the axes and
    /// diagonal stay apart (each was cut to "preferences.defa…").
    #[test]
    fn pairs_names_that_share_a_start_stay_apart() {
        let names = [
            "preferences.default.delivery",
            "preferences.default.price",
            "preferences.default.defer",
            "preferences.default.offset",
            "suppliers.hyundai_rotem.lines.k2.capacity",
            "suppliers.hyundai_rotem.lines.k9.capacity",
        ];
        let chart = PairsChart {
            title: "pairs".into(),
            description: String::new(),
            parameters: names
                .iter()
                .map(|n| PairsParameter {
                    name: n.to_string(),
                    range: (0.0, 1.0),
                })
                .collect(),
            sets: vec![ParticleSet {
                name: "M".into(),
                rows: (0..20)
                    .map(|i| (0..6).map(|j| ((i * (j + 1)) % 20) as f64 / 20.0).collect())
                    .collect(),
                weights: vec![],
            }],
            max_points: 0,
        };
        let s = pairs(&chart);
        check_svg(&s, 30);
        // The text drawn with `class`, after its hover title if any.
        let drawn = |class: &str| -> Vec<String> {
            s.split(&format!("class=\"{class}\""))
                .skip(1)
                .map(|t| {
                    let t = &t[t.find('>').unwrap() + 1..];
                    let t = t
                        .strip_prefix("<title>")
                        .map_or(t, |t| &t[t.find("</title>").unwrap() + "</title>".len()..]);
                    t[..t.find('<').unwrap()].to_string()
                })
                .collect()
        };
        for class in ["cell-title", "axis-title"] {
            let texts = drawn(class);
            let distinct: BTreeSet<&String> = texts.iter().collect();
            // The bottom axis names all six, the left one the last five.
            let want = if class == "cell-title" { 6 } else { 11 };
            assert_eq!(texts.len(), want, "{class}: {texts:?}");
            assert_eq!(distinct.len(), 6, "{class}: {texts:?}");
        }
        // Each name is whole in its hover.
        for n in names {
            assert!(s.contains(&format!("<title>{n}</title>")), "{n}");
        }
    }

    #[test]
    fn pairs_degenerate() {
        check_svg(&pairs(&PairsChart::default()), 0);
        let one = PairsChart {
            parameters: vec![PairsParameter {
                name: "x".into(),
                range: (f64::NAN, 1.0),
            }],
            sets: vec![ParticleSet {
                name: "s".into(),
                rows: vec![vec![1.0]],
                weights: vec![f64::NAN],
            }],
            ..Default::default()
        };
        check_svg(&pairs(&one), 0);
        let ragged = PairsChart {
            parameters: (0..10)
                .map(|i| PairsParameter {
                    name: format!("p{i}"),
                    range: (0.0, 0.0),
                })
                .collect(),
            sets: vec![ParticleSet {
                name: "s".into(),
                rows: vec![vec![1.0], vec![]],
                weights: vec![],
            }],
            ..Default::default()
        };
        let s = pairs(&ragged);
        check_svg(&s, 8);
        assert!(s.contains("Only the first 8 of 10 parameters"));
    }
}

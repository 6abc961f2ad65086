//! Targets against their accepted ranges: one row per target, the simulated
//! distribution as a box and whiskers (5/25/50/75/95 %), the accepted range
//! shaded, the observed value marked. Each row has its own scale, labelled
//! with its own ticks, because targets differ by orders of magnitude.

use super::describe;
use crate::output::html::svg::{self, A, Frame, Scale, Shape, Svg, Swatch};
use crate::output::html::{format, palette, ticks};
use crate::output::report::count;

/// The simulated quantiles of one target.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Quantiles {
    /// 5 % quantile.
    pub q05: f64,
    /// 25 % quantile.
    pub q25: f64,
    /// Median.
    pub q50: f64,
    /// 75 % quantile.
    pub q75: f64,
    /// 95 % quantile.
    pub q95: f64,
}

impl Quantiles {
    fn all(&self) -> [f64; 5] {
        [self.q05, self.q25, self.q50, self.q75, self.q95]
    }
}

/// One target.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetRow {
    /// Target name.
    pub name: String,
    /// Unit of its values ("US$ m"; empty for a pure number).
    pub unit: String,
    /// A short tag shown with the unit ("fit", "held out"); may be empty.
    pub tag: String,
    /// Simulated quantiles; NaN where undefined.
    pub quantiles: Quantiles,
    /// The accepted range; an infinite end leaves that side open, NaN ends
    /// mean no range.
    pub accepted: (f64, f64),
    /// The observed value; NaN if none.
    pub observed: f64,
    /// Share of replications that pass (0..=1); NaN if not known.
    pub pass_share: f64,
    /// Share of what the chart counts ([`TargetRowsChart::counted`]) in
    /// which the target is defined (0..=1), over which the quantiles are
    /// taken; NaN if not known.
    pub defined_share: f64,
}

/// What a target-rows chart's shares count: the replications of a run or
/// comparison, or the weighted particles of a calibration's predictive
/// check (`predictive.csv`'s shares are weighted shares of particles).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Counted {
    /// The replications run.
    #[default]
    Replications,
    /// A calibration's particles, each counted by its weight.
    WeightedParticles,
}

impl Counted {
    /// "of replications", "of the particles, by weight": what a share is of.
    fn of(self) -> &'static str {
        match self {
            Counted::Replications => "of replications",
            Counted::WeightedParticles => "of the particles, by weight",
        }
    }

    /// What the pass column gives.
    fn passing(self) -> &'static str {
        match self {
            Counted::Replications => "the share of replications that pass",
            Counted::WeightedParticles => {
                "the share of the particles' replications that pass, the particles weighted"
            }
        }
    }

    /// "every replication", "every particle".
    fn every(self) -> &'static str {
        match self {
            Counted::Replications => "every replication",
            Counted::WeightedParticles => "every particle",
        }
    }
}

/// A chart of targets.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TargetRowsChart {
    /// Accessible name and tooltip.
    pub title: String,
    /// Longer description (generated if empty).
    pub description: String,
    /// One row per target, drawn top to bottom.
    pub rows: Vec<TargetRow>,
    /// What the shares of the rows count, as the hovers name it.
    pub counted: Counted,
    /// What a row is, as the rows' column head names it ("target"; a
    /// comparison's chart of one target has a row per "scenario"). Empty
    /// reads "target".
    pub row_head: String,
    /// One scale for every row, so that rows of the same target (a
    /// comparison's scenarios) are read against each other; otherwise each
    /// row has its own, as targets differ by orders of magnitude.
    pub one_scale: bool,
}

const ROW_H: f64 = 54.0;
const NAME_X: f64 = 12.0;
const NAME_W: f64 = 196.0;
const TRACK_L: f64 = 228.0;
const TRACK_R: f64 = 606.0;
const PASS_R: f64 = 688.0;
const BOX_C: &str = palette::BLUE;
const OK_C: &str = palette::BLUISH_GREEN;

/// Draw the targets chart.
pub fn target_rows(chart: &TargetRowsChart) -> String {
    // Rows summarised by 5, 50 and 95 % alone draw no box: the legend says
    // what is drawn.
    let boxes = chart
        .rows
        .iter()
        .any(|r| r.quantiles.q25.is_finite() && r.quantiles.q75.is_finite());
    let legend = vec![
        (Swatch::Band(OK_C, 0.2), "accepted range".to_string()),
        (
            Swatch::BoxPlot(BOX_C),
            if boxes {
                "simulated 5, 25, 50, 75, 95 %"
            } else {
                "simulated 5, 50, 95 %"
            }
            .to_string(),
        ),
        (
            Swatch::Marker(Shape::Diamond, palette::BLACK, true),
            "observed".to_string(),
        ),
    ];
    let legend_h = svg::legend_height(&legend, svg::WIDTH - 24.0);
    let header_y = 12.0 + legend_h + 16.0;
    let first_row = header_y + 8.0;
    let rows_h = ROW_H * chart.rows.len().max(1) as f64;
    let height = first_row + rows_h + 8.0;
    let row_head = if chart.row_head.is_empty() {
        "target"
    } else {
        chart.row_head.as_str()
    };
    let desc = describe(&chart.description, || {
        let passing = chart
            .rows
            .iter()
            .filter(|r| r.pass_share.is_finite())
            .count();
        format!(
            "{}, one per {row_head}, {}: the simulated 5–95 % range as whiskers, the 25–75 % range as a box, the median as a bar, the accepted range shaded and the observed value as a diamond; {} give {}.",
            count(chart.rows.len() as u64, "row"),
            if chart.one_scale {
                "all on one scale"
            } else {
                "each on its own scale"
            },
            count(passing as u64, "row"),
            chart.counted.passing()
        )
    });
    let mut svg = Svg::new(height, "target-rows", &chart.title, &desc);
    svg::legend(&mut svg, NAME_X, 12.0, svg::WIDTH - 24.0, &legend);
    let head = [
        ("class", A::S("column-head")),
        ("fill", A::S(palette::MUTED)),
    ];
    svg.text(NAME_X, header_y, row_head, &head);
    svg.text(
        TRACK_L,
        header_y,
        if chart.one_scale {
            "simulated against accepted (one scale for every row)"
        } else {
            "simulated against accepted (each row on its own scale)"
        },
        &head,
    );
    svg.text(
        PASS_R,
        header_y,
        "pass",
        &[
            ("class", A::S("column-head")),
            ("fill", A::S(palette::MUTED)),
            ("text-anchor", A::S("end")),
        ],
    );
    if chart.rows.is_empty() {
        let frame = Frame {
            left: TRACK_L,
            top: first_row,
            right: TRACK_R,
            bottom: first_row + ROW_H,
        };
        super::empty_note(&mut svg, &frame, "no targets");
    }
    let shared = chart
        .one_scale
        .then(|| domain(chart.rows.iter().flat_map(shown)));
    for (i, row) in chart.rows.iter().enumerate() {
        let domain = shared.unwrap_or_else(|| domain(shown(row)));
        draw_row(
            &mut svg,
            row,
            domain,
            chart.counted,
            i,
            first_row + ROW_H * i as f64,
        );
    }
    svg.finish()
}

/// The values a row shows: its quantiles, observed value and accepted
/// range (NaN and infinite ends included; [`domain`] skips them).
fn shown(row: &TargetRow) -> impl Iterator<Item = f64> {
    let (acc_lo, acc_hi) = row.accepted;
    let has_range = !(acc_lo.is_nan() || acc_hi.is_nan());
    row.quantiles
        .all()
        .into_iter()
        .chain([row.observed])
        .chain(if has_range {
            vec![acc_lo, acc_hi]
        } else {
            vec![]
        })
}

/// The range a scale covers: everything finite among `values`.
fn domain(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values.filter(|v| v.is_finite()) {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    ticks::clean_domain(lo, hi)
}

/// Draw `row` at `top` on a scale over `(lo, hi)` (its own, or the
/// chart's).
fn draw_row(
    svg: &mut Svg,
    row: &TargetRow,
    (lo, hi): (f64, f64),
    counted: Counted,
    index: usize,
    top: f64,
) {
    let q = row.quantiles;
    let (acc_lo, acc_hi) = row.accepted;
    let has_range = !(acc_lo.is_nan() || acc_hi.is_nan());
    let pad = (hi - lo) * 0.06;
    let t = ticks::tight(lo - pad, hi + pad, 5);
    let scale = Scale::from_ticks(&t, TRACK_L + 4.0, TRACK_R - 4.0, false);
    let cy = top + 25.0;
    let unit = |v: f64| super::with_unit(v, &row.unit);

    // A row without quartiles (a summary of 5–95 % alone) has no 50 % range
    // to tell.
    let within = |share: &str, lo: f64, hi: f64| {
        if lo.is_finite() && hi.is_finite() {
            format!(", {share} within {}", super::range_text(lo, hi))
        } else {
            String::new()
        }
    };
    // Quantiles of a target undefined in some replications (particles) are
    // over the others: said, since the pass share is over all of them.
    let defined = if row.defined_share.is_finite() && row.defined_share < 1.0 {
        format!(
            "; defined in {} {} (the quantiles are over those)",
            format::percent(row.defined_share, 0),
            counted.of()
        )
    } else {
        String::new()
    };
    let tag = if row.tag.is_empty() {
        String::new()
    } else {
        format!(" ({})", row.tag)
    };
    let summary = format!(
        "{}{tag}: median {}{}{}; accepted {}; observed {}; pass {}{defined}",
        row.name,
        unit(q.q50),
        within("50 %", q.q25, q.q75),
        within("90 %", q.q05, q.q95),
        if has_range {
            super::range_text(acc_lo, acc_hi)
        } else {
            "–".into()
        },
        unit(row.observed),
        format::percent(row.pass_share, 0),
    );
    svg.open_titled(&[("class", A::S("target-row"))], &summary);
    if index.is_multiple_of(2) {
        svg.rect(
            4.0,
            top,
            svg::WIDTH - 4.0,
            top + ROW_H,
            &[("class", A::S("zebra")), ("fill", A::S("#f5f5f5"))],
            None,
        );
    }
    let sub: Vec<&str> = [row.unit.as_str(), row.tag.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect();
    let name_lines = svg::wrap_text(&row.name, svg::SMALL, NAME_W, 2);
    let (first_y, sub_y) = if name_lines.len() > 1 {
        (top + 17.0, top + 45.0)
    } else {
        (top + 22.0, top + 38.0)
    };
    for (k, line) in name_lines.iter().enumerate() {
        svg.text(
            NAME_X,
            first_y + 14.0 * k as f64,
            line,
            &[("class", A::S("row-label"))],
        );
    }
    if !sub.is_empty() {
        svg.text(
            NAME_X,
            sub_y,
            &svg::fit_text(&sub.join(" · "), 11.0, NAME_W),
            &[
                ("class", A::S("row-sublabel")),
                ("fill", A::S(palette::MUTED)),
                ("font-size", A::N(11.0)),
            ],
        );
    }
    // The row's own axis: a baseline and tick labels under it.
    svg.line(
        TRACK_L,
        cy + 12.0,
        TRACK_R,
        cy + 12.0,
        &[("class", A::S("domain")), ("stroke", A::S("#bbbbbb"))],
        None,
    );
    for (v, label) in t.values.iter().zip(&t.labels) {
        let x = scale.map(*v);
        svg.line(
            x,
            cy + 12.0,
            x,
            cy + 15.0,
            &[("class", A::S("tick")), ("stroke", A::S("#999999"))],
            None,
        );
        svg.text(
            x,
            cy + 25.0,
            label,
            &[
                ("class", A::S("tick-label")),
                ("text-anchor", A::S("middle")),
                ("fill", A::S(palette::MUTED)),
                ("font-size", A::N(10.5)),
            ],
        );
    }
    if has_range {
        let x0 = if acc_lo.is_finite() {
            scale.map_clamped(acc_lo)
        } else {
            TRACK_L
        };
        let x1 = if acc_hi.is_finite() {
            scale.map_clamped(acc_hi)
        } else {
            TRACK_R
        };
        let tip = format!("accepted range {}", super::range_text(acc_lo, acc_hi));
        svg.rect(
            x0,
            cy - 11.0,
            x1.max(x0 + 1.0),
            cy + 11.0,
            &[
                ("class", A::S("accepted")),
                ("fill", A::S(OK_C)),
                ("fill-opacity", A::N(0.2)),
            ],
            Some(&tip),
        );
        for x in [x0, x1] {
            svg.line(
                x,
                cy - 11.0,
                x,
                cy + 11.0,
                &[
                    ("class", A::S("accepted-edge")),
                    ("stroke", A::S(OK_C)),
                    ("stroke-width", A::N(1.2)),
                ],
                None,
            );
        }
    }
    let [q05, q25, q50, q75, q95] = q.all().map(|v| scale.map(v));
    let stroke = [("stroke", A::S(BOX_C)), ("stroke-width", A::N(1.5))];
    if q05.is_finite() && q95.is_finite() {
        let tip = format!("simulated 5–95 %: {}", super::range_text(q.q05, q.q95));
        svg.line(
            q05,
            cy,
            q95,
            cy,
            &[("class", A::S("whisker")), stroke[0], stroke[1]],
            Some(&tip),
        );
        for x in [q05, q95] {
            svg.line(
                x,
                cy - 5.0,
                x,
                cy + 5.0,
                &[("class", A::S("whisker")), stroke[0], stroke[1]],
                None,
            );
        }
    }
    if q25.is_finite() && q75.is_finite() {
        let tip = format!("simulated 25–75 %: {}", super::range_text(q.q25, q.q75));
        svg.rect(
            q25,
            cy - 7.0,
            q75.max(q25 + 1.0),
            cy + 7.0,
            &[
                ("class", A::S("box")),
                ("fill", A::S(BOX_C)),
                ("fill-opacity", A::N(0.3)),
                stroke[0],
                stroke[1],
            ],
            Some(&tip),
        );
    }
    if q50.is_finite() {
        svg.line(
            q50,
            cy - 9.0,
            q50,
            cy + 9.0,
            &[
                ("class", A::S("median")),
                ("stroke", A::S(BOX_C)),
                ("stroke-width", A::N(3.0)),
            ],
            Some(&format!("simulated median: {}", unit(q.q50))),
        );
    }
    if q.all().iter().all(|v| !v.is_finite()) {
        // The note goes in the half of the track away from the observed value.
        let obs_x = scale.map(row.observed);
        let left_half = !(obs_x.is_finite() && obs_x < (TRACK_L + TRACK_R) / 2.0);
        let (x, anchor) = if left_half {
            (TRACK_L + 8.0, "start")
        } else {
            (TRACK_R - 8.0, "end")
        };
        svg.text_with_title(
            x,
            cy + 4.0,
            "undefined",
            &format!("undefined in {}", counted.every()),
            &[
                ("class", A::S("empty-note")),
                ("text-anchor", A::S(anchor)),
                ("fill", A::S(palette::MUTED)),
                ("font-style", A::S("italic")),
            ],
        );
    }
    if row.observed.is_finite() {
        let x = scale.map(row.observed);
        let label = format!("obs {}", format::auto(row.observed));
        svg::marker(
            svg,
            Shape::Diamond,
            x,
            cy,
            5.0,
            &[
                ("class", A::S("observed")),
                ("fill", A::S(palette::BLACK)),
                ("stroke", A::S("#ffffff")),
                ("stroke-width", A::N(1.2)),
            ],
            Some(&format!("observed: {}", unit(row.observed))),
        );
        // The label goes above the diamond, kept inside the track.
        let w = svg::text_width(&label, 10.5);
        let lx = x.clamp(TRACK_L + w / 2.0, TRACK_R - w / 2.0);
        svg.text(
            lx,
            cy - 14.0,
            &label,
            &[
                ("class", A::S("observed-label")),
                ("text-anchor", A::S("middle")),
                ("font-size", A::N(10.5)),
            ],
        );
    }
    let pass = format::percent(row.pass_share, 0);
    svg.text(
        PASS_R,
        cy + 4.0,
        &pass,
        &[
            ("class", A::S("pass")),
            ("text-anchor", A::S("end")),
            ("font-weight", A::S("bold")),
        ],
    );
    svg.close();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::html::charts::testing::check_svg;

    fn row() -> TargetRow {
        TargetRow {
            name: "Korean value 2022".into(),
            unit: "US$ m".into(),
            tag: "fit".into(),
            quantiles: Quantiles {
                q05: 1000.0,
                q25: 5000.0,
                q50: 9000.0,
                q75: 14000.0,
                q95: 30000.0,
            },
            accepted: (6231.0, 18693.0),
            observed: 12462.0,
            pass_share: 0.41,
            defined_share: 1.0,
        }
    }

    #[test]
    fn draws_each_part_with_titles() {
        let chart = TargetRowsChart {
            title: "Targets".into(),
            description: String::new(),
            rows: vec![row(), row()],
            counted: Counted::Replications,
            row_head: String::new(),
            one_scale: false,
        };
        let s = target_rows(&chart);
        check_svg(&s, 10);
        assert!(s.contains("observed: 12,462 US$ m"));
        assert!(s.contains("accepted range 6231 – 18,693"));
        assert!(s.contains(">41 %<"));
        assert_eq!(s.matches("class=\"target-row\"").count(), 2);
    }

    #[test]
    fn a_row_without_quartiles_tells_no_50_per_cent_range() {
        let nan = f64::NAN;
        let chart = TargetRowsChart {
            title: "t".into(),
            description: String::new(),
            rows: vec![TargetRow {
                quantiles: Quantiles {
                    q25: nan,
                    q75: nan,
                    ..row().quantiles
                },
                ..row()
            }],
            counted: Counted::Replications,
            row_head: String::new(),
            one_scale: false,
        };
        let s = target_rows(&chart);
        assert!(!s.contains("50 % within"), "{s}");
        assert!(s.contains("90 % within"), "{s}");
        // Nor does its legend promise a box.
        assert!(s.contains("simulated 5, 50, 95 %"), "{s}");
        assert!(!s.contains("simulated 5, 25, 50, 75, 95 %"), "{s}");
    }

    /// The pass share is over every replication, the quantiles over those
    /// in which the target is defined: the hover says so, with the row's
    /// tag (a compare chart's rows are scenarios).
    #[test]
    fn a_target_undefined_in_some_replications_says_so() {
        let chart = TargetRowsChart {
            title: "t".into(),
            description: String::new(),
            rows: vec![TargetRow {
                defined_share: 0.44,
                ..row()
            }],
            counted: Counted::Replications,
            row_head: String::new(),
            one_scale: false,
        };
        let s = target_rows(&chart);
        assert!(
            s.contains("Korean value 2022 (fit): median")
                && s.contains("; defined in 44 % of replications (the quantiles are over those)"),
            "{s}"
        );
        assert!(
            !target_rows(&TargetRowsChart {
                rows: vec![row()],
                ..chart
            })
            .contains("defined in")
        );
    }

    /// A calibration's predictive check counts weighted particles, not
    /// replications: its hover said "defined in 52 % of replications" of
    /// `predictive.csv`'s weighted share of particles.
    #[test]
    fn a_chart_of_particles_says_its_shares_are_of_particles() {
        let nan = f64::NAN;
        let undefined = Quantiles {
            q05: nan,
            q25: nan,
            q50: nan,
            q75: nan,
            q95: nan,
        };
        let chart = TargetRowsChart {
            title: "t".into(),
            description: String::new(),
            rows: vec![
                TargetRow {
                    defined_share: 0.52,
                    ..row()
                },
                TargetRow {
                    quantiles: undefined,
                    defined_share: 0.0,
                    ..row()
                },
            ],
            counted: Counted::WeightedParticles,
            row_head: String::new(),
            one_scale: false,
        };
        let s = target_rows(&chart);
        assert!(
            s.contains(
                "; defined in 52 % of the particles, by weight (the quantiles are over those)"
            ),
            "{s}"
        );
        assert!(
            s.contains("<title>undefined in every particle</title>"),
            "{s}"
        );
        assert!(
            s.contains(
                "the share of the particles&#39; replications that pass, the particles weighted"
            ) || s.contains(
                "the share of the particles' replications that pass, the particles weighted"
            ),
            "{s}"
        );
        assert!(
            !s.contains("of replications") && !s.contains("every replication"),
            "{s}"
        );
    }

    /// A comparison's rows of one target are read against each other: on
    /// one scale, their accepted ranges fall at the same place (each row
    /// had its own scale), and the rows are named scenarios.
    #[test]
    fn rows_on_one_scale_draw_the_same_range_at_the_same_place() {
        let rows = vec![
            row(),
            TargetRow {
                name: "slow".into(),
                quantiles: Quantiles {
                    q05: 0.0,
                    q25: 100.0,
                    q50: 200.0,
                    q75: 300.0,
                    q95: 400.0,
                },
                ..row()
            },
        ];
        let accepted = |s: &str| -> Vec<String> {
            s.split("<rect ")
                .skip(1)
                .filter(|r| r[..r.find('>').unwrap()].contains("class=\"accepted\""))
                .map(|r| r[..r.find(" y=").unwrap()].to_string())
                .collect()
        };
        let chart = TargetRowsChart {
            title: "t".into(),
            description: String::new(),
            rows,
            counted: Counted::Replications,
            row_head: "scenario".into(),
            one_scale: true,
        };
        let s = target_rows(&chart);
        check_svg(&s, 10);
        let x = accepted(&s);
        assert_eq!(x.len(), 2);
        assert_eq!(x[0], x[1], "{s}");
        assert!(s.contains(">scenario</text>") && !s.contains(">target</text>"));
        assert!(s.contains("one scale for every row"));
        // Each on its own scale, the same range falls elsewhere.
        let s = target_rows(&TargetRowsChart {
            row_head: String::new(),
            one_scale: false,
            ..chart
        });
        let x = accepted(&s);
        assert_ne!(x[0], x[1], "{s}");
        assert!(s.contains(">target</text>"));
    }

    #[test]
    fn degenerate_rows() {
        let nan = f64::NAN;
        let rows = vec![
            TargetRow {
                quantiles: Quantiles {
                    q05: nan,
                    q25: nan,
                    q50: nan,
                    q75: nan,
                    q95: nan,
                },
                accepted: (nan, nan),
                observed: nan,
                pass_share: nan,
                ..row()
            },
            TargetRow {
                quantiles: Quantiles {
                    q05: 0.0,
                    q25: 0.0,
                    q50: 0.0,
                    q75: 0.0,
                    q95: 0.0,
                },
                accepted: (0.0, 0.0),
                observed: 0.0,
                ..row()
            },
            TargetRow {
                accepted: (f64::NEG_INFINITY, 2.0),
                observed: -5.0,
                ..row()
            },
            TargetRow {
                accepted: (-1e300, 1e300),
                ..row()
            },
        ];
        let chart = TargetRowsChart {
            title: "t".into(),
            description: "d".into(),
            rows,
            counted: Counted::Replications,
            row_head: String::new(),
            one_scale: false,
        };
        let s = target_rows(&chart);
        check_svg(&s, 4);
        assert!(s.contains("<title>undefined in every replication</title>undefined<"));
        let empty = TargetRowsChart::default();
        check_svg(&target_rows(&empty), 0);
    }
}

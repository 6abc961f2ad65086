//! Heat tables: an HTML table whose cells carry their number on a background
//! colour from a sequential (shares) or diverging (paired differences)
//! palette. A real table, so it reads aloud, copies and prints as a table.

use crate::output::html::escape::escape;
use crate::output::html::{format, palette};
use std::fmt::Write as _;

/// How values map to colours.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum HeatScale {
    /// Light (at `min`) to dark (at `max`): shares, rates.
    Sequential {
        /// Value at the lightest colour.
        min: f64,
        /// Value at the darkest colour.
        max: f64,
    },
    /// Red below zero, white at zero, blue above; ±`limit` at the ends (a
    /// non-positive or non-finite limit means the largest |value|).
    Diverging {
        /// Magnitude at the darkest colours.
        limit: f64,
    },
}

/// A heat table.
#[derive(Clone, Debug, PartialEq)]
pub struct HeatTable {
    /// Visible caption (also the table's accessible name).
    pub caption: String,
    /// Header of the row-label column ("scenario").
    pub corner: String,
    /// One label per row.
    pub row_labels: Vec<String>,
    /// One label per column.
    pub col_labels: Vec<String>,
    /// Values by row, then column; NaN (or a missing entry) shows as "–".
    pub values: Vec<Vec<f64>>,
    /// Colour scale.
    pub scale: HeatScale,
    /// Decimals shown.
    pub decimals: usize,
    /// Show values (given as shares) as percentages.
    pub percent: bool,
    /// Optional hover notes per cell, by row then column (may be empty or ragged).
    pub notes: Vec<Vec<String>>,
}

impl HeatTable {
    /// A table of shares shown as whole percentages on the sequential scale 0..1.
    pub fn shares(
        caption: impl Into<String>,
        corner: impl Into<String>,
        row_labels: Vec<String>,
        col_labels: Vec<String>,
        values: Vec<Vec<f64>>,
    ) -> HeatTable {
        HeatTable {
            caption: caption.into(),
            corner: corner.into(),
            row_labels,
            col_labels,
            values,
            scale: HeatScale::Sequential { min: 0.0, max: 1.0 },
            decimals: 0,
            percent: true,
            notes: Vec::new(),
        }
    }
}

/// A label, escaped, with break opportunities after `_` and `.` so that
/// long identifiers (no_korean_investment) wrap at their parts.
fn label(text: &str) -> String {
    escape(text).replace('_', "_<wbr>").replace('.', ".<wbr>")
}

/// The cell text of `v`.
fn cell_text(t: &HeatTable, v: f64) -> String {
    if t.percent {
        format::percent(v, t.decimals)
    } else {
        format::fixed(v, t.decimals)
    }
}

/// Position of `v` on the scale: 0..1 (sequential) or −1..1 (diverging).
fn position(scale: HeatScale, limit: f64, v: f64) -> f64 {
    match scale {
        HeatScale::Sequential { min, max } => {
            if !(min.is_finite() && max.is_finite()) || max <= min {
                0.5
            } else {
                ((v - min) / (max - min)).clamp(0.0, 1.0)
            }
        }
        HeatScale::Diverging { .. } => (v / limit).clamp(-1.0, 1.0),
    }
}

fn colour(scale: HeatScale, t: f64) -> palette::Rgb {
    match scale {
        HeatScale::Sequential { .. } => palette::sequential(t),
        HeatScale::Diverging { .. } => palette::diverging(t),
    }
}

/// Render a heat table, followed by a small colour key.
pub fn heat_table(t: &HeatTable) -> String {
    let n_cols = t.col_labels.len();
    let limit = match t.scale {
        HeatScale::Diverging { limit } if limit.is_finite() && limit > 0.0 => limit,
        HeatScale::Diverging { .. } => {
            let m = t
                .values
                .iter()
                .flatten()
                .filter(|v| v.is_finite())
                .fold(0.0f64, |m, v| m.max(v.abs()));
            if m > 0.0 { m } else { 1.0 }
        }
        HeatScale::Sequential { .. } => 1.0,
    };
    let kind = match t.scale {
        HeatScale::Sequential { .. } => "sequential",
        HeatScale::Diverging { .. } => "diverging",
    };
    let mut out = String::with_capacity(1024 + 96 * t.row_labels.len() * n_cols.max(1));
    let _ = writeln!(out, "<table class=\"heat heat-{kind}\">");
    if !t.caption.is_empty() {
        let _ = writeln!(out, "<caption>{}</caption>", escape(&t.caption));
    }
    let _ = write!(
        out,
        "<thead><tr><th scope=\"col\">{}</th>",
        label(&t.corner)
    );
    for c in &t.col_labels {
        let _ = write!(out, "<th scope=\"col\">{}</th>", label(c));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for (r, row_label) in t.row_labels.iter().enumerate() {
        let _ = write!(out, "<tr><th scope=\"row\">{}</th>", label(row_label));
        for (c, col) in t.col_labels.iter().enumerate() {
            let v = t
                .values
                .get(r)
                .and_then(|row| row.get(c))
                .copied()
                .unwrap_or(f64::NAN);
            let note = t
                .notes
                .get(r)
                .and_then(|row| row.get(c))
                .filter(|s| !s.is_empty());
            let text = cell_text(t, v);
            let mut tip = format!("{row_label} · {col}: {text}");
            if let Some(n) = note {
                tip.push_str(&format!(" ({n})"));
            }
            if v.is_finite() {
                let bg = colour(t.scale, position(t.scale, limit, v));
                let _ = write!(
                    out,
                    "<td style=\"background-color:{};color:{}\" title=\"{}\">{}</td>",
                    bg.hex(),
                    bg.text_colour(),
                    escape(&tip),
                    escape(&text)
                );
            } else {
                let _ = write!(
                    out,
                    "<td class=\"missing\" title=\"{}\">{}</td>",
                    escape(&tip),
                    escape(&text)
                );
            }
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
    // The key: seven swatches from one end of the scale to the other.
    let (lo, hi, lo_t, hi_t) = match t.scale {
        HeatScale::Sequential { min, max } => (min, max, 0.0, 1.0),
        HeatScale::Diverging { .. } => (-limit, limit, -1.0, 1.0),
    };
    let _ = write!(
        out,
        "<div class=\"heat-key\" aria-hidden=\"true\"><span>{}</span>",
        escape(&cell_text(t, lo))
    );
    for k in 0..7 {
        let tk = lo_t + (hi_t - lo_t) * k as f64 / 6.0;
        let _ = write!(
            out,
            "<span class=\"swatch\" style=\"background-color:{}\"></span>",
            colour(t.scale, tk).hex()
        );
    }
    let _ = writeln!(out, "<span>{}</span></div>", escape(&cell_text(t, hi)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> HeatTable {
        HeatTable::shares(
            "Pass shares",
            "scenario",
            vec!["commercial".into(), "strategic <b>".into(), "no_war".into()],
            vec!["P1".into(), "P2".into()],
            vec![vec![0.0, 1.0], vec![0.5, f64::NAN]],
        )
    }

    #[test]
    fn cells_carry_number_colour_and_title() {
        let h = heat_table(&table());
        assert!(h.contains("<td style=\"background-color:#ffffd9;color:#000000\" title=\"commercial · P1: 0 %\">0 %</td>"));
        assert!(h.contains("<td style=\"background-color:#081d58;color:#ffffff\" title=\"commercial · P2: 100 %\">100 %</td>"));
        assert!(h.contains("<th scope=\"row\">strategic &lt;b&gt;</th>"));
        assert!(h.contains("<th scope=\"row\">no_<wbr>war</th>"));
        assert!(h.contains("<td class=\"missing\" title=\"strategic &lt;b&gt; · P2: –\">–</td>"));
        assert!(!h.contains("NaN"));
        assert_eq!(h.matches("<tr>").count(), 4);
        assert_eq!(h, heat_table(&table()));
    }

    #[test]
    fn diverging_is_centred_on_zero() {
        let mut t = table();
        t.scale = HeatScale::Diverging { limit: f64::NAN };
        t.percent = false;
        t.decimals = 2;
        t.values = vec![vec![-0.2, 0.0], vec![0.1]];
        let h = heat_table(&t);
        // Limit is max |v| = 0.2: −0.2 is the darkest red, 0 white.
        assert!(h.contains(
            "background-color:#67001f;color:#ffffff\" title=\"commercial · P1: \u{2212}0.20\""
        ));
        assert!(
            h.contains("background-color:#f7f7f7;color:#000000\" title=\"commercial · P2: 0.00\"")
        );
        // Ragged rows show the missing cell.
        assert!(h.contains("title=\"strategic &lt;b&gt; · P2: –\""));
        assert!(h.contains("<span>\u{2212}0.20</span>"));
        // All zero: limit falls back to 1, no NaN.
        t.values = vec![vec![0.0, 0.0]];
        assert!(!heat_table(&t).contains("NaN"));
    }
}

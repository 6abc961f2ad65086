//! The SVG writer and the pieces every chart shares: scales, axes, legends,
//! markers, text measurement and label placement.
//!
//! Every chart is 700 user units wide (its `viewBox`), drawn in CSS pixels at
//! that width and scaled down by the page on narrower screens. Presentation
//! attributes give each mark its default look, so a chart also stands alone
//! as an `.svg` file; class names let a stylesheet (the page's print block)
//! override them.

use crate::output::html::escape::escape;
use crate::output::html::ticks::Ticks;
use crate::output::html::{mathf, palette};
use std::fmt::Write as _;

/// Width of every chart, in user units (CSS pixels at full size).
pub(crate) const WIDTH: f64 = 700.0;
/// Font size of tick labels, legends and annotations.
pub(crate) const SMALL: f64 = 12.0;
/// Font size of axis titles.
pub(crate) const LABEL: f64 = 13.0;

/// A coordinate or length for an attribute: one decimal, no trailing `.0`,
/// no negative zero, clamped to ±1e6, and never NaN (a non-finite input
/// writes 0; charts skip non-finite data before it gets here).
pub(crate) fn num(v: f64) -> String {
    let v = if v.is_finite() {
        v.clamp(-1e6, 1e6)
    } else {
        0.0
    };
    let r = (v * 10.0).round() / 10.0;
    let r = if r == 0.0 { 0.0 } else { r };
    let s = format!("{r:.1}");
    match s.strip_suffix(".0") {
        Some(t) => t.to_string(),
        None => s,
    }
}

/// An attribute value: a number (written with [`num`]) or text (escaped).
#[derive(Clone, Copy, Debug)]
pub(crate) enum A<'a> {
    /// A coordinate or length.
    N(f64),
    /// Text, escaped on output.
    S(&'a str),
}

/// An SVG document being written.
pub(crate) struct Svg {
    out: String,
}

impl Svg {
    /// Open a chart `height` units tall, with its accessible name (`title`,
    /// also the `<title>` tooltip) and description.
    pub(crate) fn new(height: f64, class: &str, title: &str, desc: &str) -> Svg {
        let mut out = String::with_capacity(16 * 1024);
        let (w, h) = (num(WIDTH), num(height.max(1.0)));
        let _ = write!(
            out,
            "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart {cls}\" viewBox=\"0 0 {w} {h}\" \
             width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{t}\" \
             font-family=\"system-ui, sans-serif\" font-size=\"{fs}\" fill=\"{ink}\">\n\
             <title>{t}</title>\n<desc>{d}</desc>\n",
            cls = escape(class),
            t = escape(title),
            d = escape(desc),
            fs = num(SMALL),
            ink = palette::INK,
        );
        Svg { out }
    }

    fn attrs(&mut self, attrs: &[(&str, A)]) {
        for (k, v) in attrs {
            match v {
                A::N(n) => {
                    let _ = write!(self.out, " {k}=\"{}\"", num(*n));
                }
                A::S(s) => {
                    let _ = write!(self.out, " {k}=\"{}\"", escape(s));
                }
            }
        }
    }

    /// An empty element, with a hover `<title>` if given.
    pub(crate) fn el(&mut self, tag: &str, attrs: &[(&str, A)], title: Option<&str>) {
        self.out.push('<');
        self.out.push_str(tag);
        self.attrs(attrs);
        match title {
            Some(t) => {
                let _ = writeln!(self.out, "><title>{}</title></{tag}>", escape(t));
            }
            None => self.out.push_str("/>\n"),
        }
    }

    /// A text element.
    pub(crate) fn text(&mut self, x: f64, y: f64, text: &str, attrs: &[(&str, A)]) {
        let _ = write!(self.out, "<text x=\"{}\" y=\"{}\"", num(x), num(y));
        self.attrs(attrs);
        let _ = writeln!(self.out, ">{}</text>", escape(text));
    }

    /// A text element with a hover title of its own.
    pub(crate) fn text_with_title(
        &mut self,
        x: f64,
        y: f64,
        text: &str,
        title: &str,
        attrs: &[(&str, A)],
    ) {
        let _ = write!(self.out, "<text x=\"{}\" y=\"{}\"", num(x), num(y));
        self.attrs(attrs);
        let _ = writeln!(
            self.out,
            "><title>{}</title>{}</text>",
            escape(title),
            escape(text)
        );
    }

    /// Open a group.
    pub(crate) fn open(&mut self, attrs: &[(&str, A)]) {
        self.out.push_str("<g");
        self.attrs(attrs);
        self.out.push_str(">\n");
    }

    /// Open a group with a hover title for everything in it.
    pub(crate) fn open_titled(&mut self, attrs: &[(&str, A)], title: &str) {
        self.open(attrs);
        let _ = writeln!(self.out, "<title>{}</title>", escape(title));
    }

    /// Close a group.
    pub(crate) fn close(&mut self) {
        self.out.push_str("</g>\n");
    }

    /// A line segment.
    pub(crate) fn line(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        attrs: &[(&str, A)],
        title: Option<&str>,
    ) {
        let mut all = vec![
            ("x1", A::N(x1)),
            ("y1", A::N(y1)),
            ("x2", A::N(x2)),
            ("y2", A::N(y2)),
        ];
        all.extend_from_slice(attrs);
        self.el("line", &all, title);
    }

    /// A rectangle given by two corners in any order (so a negative bar
    /// still has a positive width and height).
    pub(crate) fn rect(
        &mut self,
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
        attrs: &[(&str, A)],
        title: Option<&str>,
    ) {
        let (x, w) = (x1.min(x2), (x1 - x2).abs());
        let (y, h) = (y1.min(y2), (y1 - y2).abs());
        let mut all = vec![
            ("x", A::N(x)),
            ("y", A::N(y)),
            ("width", A::N(w)),
            ("height", A::N(h)),
        ];
        all.extend_from_slice(attrs);
        self.el("rect", &all, title);
    }

    /// The finished document.
    pub(crate) fn finish(mut self) -> String {
        self.out.push_str("</svg>\n");
        self.out
    }
}

/// Path data through `points`, broken where a point is missing (non-finite):
/// one `M…L…` run per unbroken stretch. Single isolated points are skipped.
pub(crate) fn polyline_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for run in runs(points) {
        if run.len() < 2 {
            continue;
        }
        for (i, (x, y)) in run.iter().enumerate() {
            let _ = write!(
                d,
                "{}{},{}",
                if i == 0 { "M" } else { "L" },
                num(*x),
                num(*y)
            );
        }
    }
    d
}

/// Path data of a step line through `points` (horizontal, then vertical).
pub(crate) fn step_path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for run in runs(points) {
        if run.len() < 2 {
            continue;
        }
        for (i, (x, y)) in run.iter().enumerate() {
            if i == 0 {
                let _ = write!(d, "M{},{}", num(*x), num(*y));
            } else {
                let _ = write!(d, "H{}V{}", num(*x), num(*y));
            }
        }
    }
    d
}

/// Path data of a closed band between `upper` and `lower` over the same x,
/// broken where any of x, upper, lower is missing.
pub(crate) fn band_path(x: &[f64], lower: &[f64], upper: &[f64]) -> String {
    let n = x.len().min(lower.len()).min(upper.len());
    let mut d = String::new();
    let mut start = 0;
    while start < n {
        let ok = |i: usize| x[i].is_finite() && lower[i].is_finite() && upper[i].is_finite();
        if !ok(start) {
            start += 1;
            continue;
        }
        let mut end = start;
        while end < n && ok(end) {
            end += 1;
        }
        if end - start >= 2 {
            for i in start..end {
                let _ = write!(
                    d,
                    "{}{},{}",
                    if i == start { "M" } else { "L" },
                    num(x[i]),
                    num(upper[i])
                );
            }
            for i in (start..end).rev() {
                let _ = write!(d, "L{},{}", num(x[i]), num(lower[i]));
            }
            d.push('Z');
        }
        start = end;
    }
    d
}

/// The unbroken stretches of finite points.
fn runs(points: &[(f64, f64)]) -> Vec<&[(f64, f64)]> {
    points
        .split(|(x, y)| !(x.is_finite() && y.is_finite()))
        .filter(|r| !r.is_empty())
        .collect()
}

/// A map from data values to user units, linear or logarithmic.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Scale {
    d0: f64,
    d1: f64,
    r0: f64,
    r1: f64,
    log: bool,
}

impl Scale {
    /// Linear from `d0..d1` to `r0..r1` (a zero-width domain maps to the
    /// middle of the range).
    pub(crate) fn linear(d0: f64, d1: f64, r0: f64, r1: f64) -> Scale {
        Scale {
            d0,
            d1,
            r0,
            r1,
            log: false,
        }
    }

    /// From the axis range of `ticks` to `r0..r1`, logarithmic if `log`.
    pub(crate) fn from_ticks(ticks: &Ticks, r0: f64, r1: f64, log: bool) -> Scale {
        Scale {
            d0: ticks.lo,
            d1: ticks.hi,
            r0,
            r1,
            log,
        }
    }

    fn t(&self, v: f64) -> f64 {
        let (v, d0, d1) = if self.log {
            if v.is_nan() || v <= 0.0 {
                return f64::NAN;
            }
            (
                mathf::log10(v),
                mathf::log10(self.d0),
                mathf::log10(self.d1),
            )
        } else {
            (v, self.d0, self.d1)
        };
        if d1 == d0 { 0.5 } else { (v - d0) / (d1 - d0) }
    }

    /// The position of `v`; NaN for a missing (non-finite) value or a
    /// non-positive value on a log scale; values far outside the domain are
    /// held half a range beyond its ends, so coordinates stay small.
    pub(crate) fn map(&self, v: f64) -> f64 {
        let t = self.t(v);
        if !(v.is_finite() && t.is_finite()) {
            return f64::NAN;
        }
        self.r0 + t.clamp(-0.5, 1.5) * (self.r1 - self.r0)
    }

    /// Whether `v` lies within the domain (with a little tolerance).
    pub(crate) fn contains(&self, v: f64) -> bool {
        let t = self.t(v);
        t.is_finite() && (-1e-9..=1.0 + 1e-9).contains(&t)
    }

    /// `map`, clamped to the range ends.
    pub(crate) fn map_clamped(&self, v: f64) -> f64 {
        let t = self.t(v);
        if t.is_nan() {
            return f64::NAN;
        }
        self.r0 + t.clamp(0.0, 1.0) * (self.r1 - self.r0)
    }

    /// The two ends of the domain, as given.
    pub(crate) fn domain(&self) -> (f64, f64) {
        (self.d0, self.d1)
    }
}

/// The plotting area of a chart, in user units.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Frame {
    /// Left edge.
    pub left: f64,
    /// Top edge.
    pub top: f64,
    /// Right edge.
    pub right: f64,
    /// Bottom edge.
    pub bottom: f64,
}

/// Approximate rendered width of `text` at font size `size`, from
/// DejaVu Sans advance widths (the widest common system-ui fallback), so
/// that layout errs on the roomy side.
pub(crate) fn text_width(text: &str, size: f64) -> f64 {
    let em: f64 = text
        .chars()
        .map(|c| match c {
            'i' | 'j' | 'l' | '\'' | '|' | '!' | '.' | ',' | ':' | ';' | ' ' => 0.32,
            'f' | 't' | 'r' | 'I' | '(' | ')' | '[' | ']' | '-' | '/' => 0.42,
            'm' | 'w' | 'M' | 'W' | '%' | '—' | '@' => 0.95,
            'A'..='Z' => 0.72,
            '0'..='9' => 0.64,
            '\u{2212}' | '+' | '=' | '<' | '>' | '~' => 0.84,
            _ => 0.62,
        })
        .sum();
    em * size
}

/// `text` cut to fit `max_width` at `size`, with an ellipsis if cut.
pub(crate) fn fit_text(text: &str, size: f64, max_width: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let mut out = String::new();
    for c in text.chars() {
        out.push(c);
        if text_width(&out, size) + text_width("…", size) > max_width {
            out.pop();
            break;
        }
    }
    out.push('…');
    out
}

/// `text` cut in the middle to fit `max_width` at `size`: its start and
/// end kept about an ellipsis, the end given two thirds of the room, since
/// labels that share a start (`preferences.default.…`, `NAME [contested:
/// …]`) differ at the end, which [`fit_text`] cut off.
pub(crate) fn elide_middle(text: &str, size: f64, max_width: f64) -> String {
    if text_width(text, size) <= max_width {
        return text.to_string();
    }
    let chars: Vec<char> = text.chars().collect();
    let width = |c: char| text_width(c.encode_utf8(&mut [0; 4]), size);
    let room = (max_width - text_width("…", size)).max(0.0);
    let (mut head, mut used) = (0, 0.0);
    while head < chars.len() && used + width(chars[head]) <= room / 3.0 {
        used += width(chars[head]);
        head += 1;
    }
    let mut tail = chars.len();
    while tail > head && used + width(chars[tail - 1]) <= room {
        used += width(chars[tail - 1]);
        tail -= 1;
    }
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[tail..]);
    out
}

/// `labels` each made to fit `max_width` at `size` and kept apart: a label
/// that fits is whole; else cut in the middle ([`elide_middle`]) when the
/// start it keeps already tells it from every other label; else shown from
/// the word (after `.`, `_`, a space, `[`, `/`, `:` or `-`) where it first
/// differs from the label it shares the longest start with, after as much
/// of its start as fits: `sup…k2.capacity` and `sup…k9.capacity`, not
/// `supp…capacity` twice.
pub(crate) fn distinct_labels(labels: &[String], size: f64, max_width: f64) -> Vec<String> {
    let chars: Vec<Vec<char>> = labels.iter().map(|l| l.chars().collect()).collect();
    let common = |a: &[char], b: &[char]| a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let ellipsis = text_width("…", size);
    labels
        .iter()
        .enumerate()
        .map(|(i, label)| {
            if text_width(label, size) <= max_width {
                return label.clone();
            }
            let name = &chars[i];
            // The length of the longest start shared with another label.
            let shared = chars
                .iter()
                .enumerate()
                .filter(|&(j, other)| j != i && other != name)
                .map(|(_, other)| common(name, other))
                .max()
                .unwrap_or(0);
            let cut = elide_middle(label, size, max_width);
            if cut.chars().take_while(|&c| c != '…').count() > shared {
                return cut;
            }
            let from = name[..shared.min(name.len())]
                .iter()
                .rposition(|c| matches!(c, '.' | '_' | ' ' | '[' | '/' | ':' | '-'))
                .map_or(shared, |k| k + 1);
            let tail: String = name[from..].iter().collect();
            let room = (max_width - ellipsis).max(0.0);
            if text_width(&tail, size) > room {
                return format!("…{}", fit_text(&tail, size, room));
            }
            let mut head = String::new();
            let mut used = text_width(&tail, size);
            for &c in &name[..from] {
                let w = text_width(c.encode_utf8(&mut [0; 4]), size);
                if used + w > room {
                    break;
                }
                used += w;
                head.push(c);
            }
            format!("{head}…{tail}")
        })
        .collect()
}

/// `text` broken at spaces into at most `max_lines` lines of `max_width`;
/// the last line is cut with an ellipsis if the text does not fit.
pub(crate) fn wrap_text(text: &str, size: f64, max_width: f64, max_lines: usize) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut current = String::new();
    let words: Vec<&str> = text.split(' ').filter(|w| !w.is_empty()).collect();
    for (i, w) in words.iter().enumerate() {
        let candidate = if current.is_empty() {
            w.to_string()
        } else {
            format!("{current} {w}")
        };
        if text_width(&candidate, size) <= max_width || current.is_empty() {
            current = candidate;
            continue;
        }
        if lines.len() + 1 == max_lines.max(1) {
            // Last line: everything left, cut to fit.
            let rest = words[i..].join(" ");
            lines.push(fit_text(&format!("{current} {rest}"), size, max_width));
            return lines;
        }
        lines.push(std::mem::replace(&mut current, w.to_string()));
    }
    if !current.is_empty() {
        lines.push(fit_text(&current, size, max_width));
    }
    lines
}

/// The widest of `labels` at `size`.
pub(crate) fn max_width<'a>(labels: impl IntoIterator<Item = &'a String>, size: f64) -> f64 {
    labels
        .into_iter()
        .map(|l| text_width(l, size))
        .fold(0.0, f64::max)
}

/// Horizontal axis along the bottom of `frame`: grid lines (if `grid`), tick
/// marks, tick labels and the axis title.
pub(crate) fn x_axis(
    svg: &mut Svg,
    frame: &Frame,
    scale: &Scale,
    ticks: &Ticks,
    title: &str,
    grid: bool,
) {
    svg.open(&[("class", A::S("axis x-axis"))]);
    for (v, label) in ticks.values.iter().zip(&ticks.labels) {
        let x = scale.map(*v);
        if !x.is_finite() {
            continue;
        }
        if grid {
            svg.line(
                x,
                frame.top,
                x,
                frame.bottom,
                &[("class", A::S("grid")), ("stroke", A::S(palette::GRID))],
                None,
            );
        }
        svg.line(
            x,
            frame.bottom,
            x,
            frame.bottom + 5.0,
            &[("class", A::S("tick")), ("stroke", A::S(palette::MUTED))],
            None,
        );
        svg.text(
            x,
            frame.bottom + 18.0,
            label,
            &[
                ("class", A::S("tick-label")),
                ("text-anchor", A::S("middle")),
                ("fill", A::S(palette::MUTED)),
            ],
        );
    }
    svg.line(
        frame.left,
        frame.bottom,
        frame.right,
        frame.bottom,
        &[("class", A::S("domain")), ("stroke", A::S(palette::MUTED))],
        None,
    );
    if !title.is_empty() {
        svg.text(
            (frame.left + frame.right) / 2.0,
            frame.bottom + 38.0,
            title,
            &[
                ("class", A::S("axis-title")),
                ("text-anchor", A::S("middle")),
                ("font-size", A::N(LABEL)),
            ],
        );
    }
    svg.close();
}

/// Space a vertical axis needs left of the frame: rotated title, gap, the
/// widest tick label, gap.
pub(crate) fn y_axis_width(ticks: &Ticks, title: &str) -> f64 {
    let title_w = if title.is_empty() { 0.0 } else { LABEL + 8.0 };
    10.0 + title_w + max_width(&ticks.labels, SMALL) + 10.0
}

/// Vertical axis along the left of `frame`: grid lines (if `grid`), tick
/// labels and the rotated axis title.
pub(crate) fn y_axis(
    svg: &mut Svg,
    frame: &Frame,
    scale: &Scale,
    ticks: &Ticks,
    title: &str,
    grid: bool,
) {
    svg.open(&[("class", A::S("axis y-axis"))]);
    for (v, label) in ticks.values.iter().zip(&ticks.labels) {
        let y = scale.map(*v);
        if !y.is_finite() {
            continue;
        }
        if grid {
            svg.line(
                frame.left,
                y,
                frame.right,
                y,
                &[("class", A::S("grid")), ("stroke", A::S(palette::GRID))],
                None,
            );
        }
        svg.line(
            frame.left - 5.0,
            y,
            frame.left,
            y,
            &[("class", A::S("tick")), ("stroke", A::S(palette::MUTED))],
            None,
        );
        svg.text(
            frame.left - 8.0,
            y + 4.0,
            label,
            &[
                ("class", A::S("tick-label")),
                ("text-anchor", A::S("end")),
                ("fill", A::S(palette::MUTED)),
            ],
        );
    }
    svg.line(
        frame.left,
        frame.top,
        frame.left,
        frame.bottom,
        &[("class", A::S("domain")), ("stroke", A::S(palette::MUTED))],
        None,
    );
    if !title.is_empty() {
        let x = frame.left - y_axis_width(ticks, title) + 10.0 + LABEL * 0.8;
        let y = (frame.top + frame.bottom) / 2.0;
        let rotate = format!("rotate(-90 {} {})", num(x), num(y));
        svg.text(
            x,
            y,
            &fit_text(title, LABEL, frame.bottom - frame.top),
            &[
                ("class", A::S("axis-title")),
                ("text-anchor", A::S("middle")),
                ("font-size", A::N(LABEL)),
                ("transform", A::S(&rotate)),
            ],
        );
    }
    svg.close();
}

/// Marker shapes; shape as well as colour tells series apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Shape {
    /// A circle.
    Circle,
    /// A diamond (observations).
    Diamond,
    /// A square.
    Square,
    /// An upward triangle.
    Triangle,
}

impl Shape {
    /// The shape of series `i`.
    pub(crate) fn series(i: usize) -> Shape {
        [Shape::Circle, Shape::Square, Shape::Triangle][i % 3]
    }
}

/// A marker of `shape` and radius `r` centred at (x, y).
pub(crate) fn marker(
    svg: &mut Svg,
    shape: Shape,
    x: f64,
    y: f64,
    r: f64,
    attrs: &[(&str, A)],
    title: Option<&str>,
) {
    match shape {
        Shape::Circle => {
            let mut all = vec![("cx", A::N(x)), ("cy", A::N(y)), ("r", A::N(r))];
            all.extend_from_slice(attrs);
            svg.el("circle", &all, title);
        }
        Shape::Square => {
            let s = r * 0.9;
            svg.rect(x - s, y - s, x + s, y + s, attrs, title);
        }
        Shape::Diamond | Shape::Triangle => {
            let d = if shape == Shape::Diamond {
                let r = r * 1.25;
                format!(
                    "M{},{}L{},{}L{},{}L{},{}Z",
                    num(x),
                    num(y - r),
                    num(x + r),
                    num(y),
                    num(x),
                    num(y + r),
                    num(x - r),
                    num(y)
                )
            } else {
                let r = r * 1.2;
                format!(
                    "M{},{}L{},{}L{},{}Z",
                    num(x),
                    num(y - r),
                    num(x + r * 0.87),
                    num(y + r * 0.5),
                    num(x - r * 0.87),
                    num(y + r * 0.5)
                )
            };
            let mut all = vec![("d", A::S(&d))];
            all.extend_from_slice(attrs);
            svg.el("path", &all, title);
        }
    }
}

/// What a legend entry shows next to its label.
#[derive(Clone, Debug)]
pub(crate) enum Swatch {
    /// A line in a colour, dashed or not.
    Line(&'static str, bool),
    /// A filled band at an opacity.
    Band(&'static str, f64),
    /// A marker, filled or hollow.
    Marker(Shape, &'static str, bool),
    /// A box-and-whisker glyph.
    BoxPlot(&'static str),
}

/// Legend entries laid out left to right, wrapping within `max_width`:
/// their top-left corners and the total height.
fn legend_layout(items: &[(Swatch, String)], max_width: f64) -> (Vec<(f64, f64)>, f64) {
    let row_h = 18.0;
    let (mut x, mut y) = (0.0, 0.0);
    let mut at = Vec::with_capacity(items.len());
    for (_, label) in items {
        let w = 26.0 + text_width(label, SMALL) + 18.0;
        if x > 0.0 && x + w > max_width {
            x = 0.0;
            y += row_h;
        }
        at.push((x, y));
        x += w;
    }
    (at, if items.is_empty() { 0.0 } else { y + row_h })
}

/// Height the legend takes at `max_width`.
pub(crate) fn legend_height(items: &[(Swatch, String)], max_width: f64) -> f64 {
    legend_layout(items, max_width).1
}

/// Draw a legend with its top-left corner at (x, y).
pub(crate) fn legend(svg: &mut Svg, x: f64, y: f64, max_width: f64, items: &[(Swatch, String)]) {
    let (at, _) = legend_layout(items, max_width);
    svg.open(&[("class", A::S("legend"))]);
    for ((swatch, label), (dx, dy)) in items.iter().zip(at) {
        let (sx, sy) = (x + dx, y + dy + 9.0);
        match swatch {
            Swatch::Line(colour, dashed) => {
                let mut a = vec![("stroke", A::S(colour)), ("stroke-width", A::N(2.5))];
                if *dashed {
                    a.push(("stroke-dasharray", A::S("5 3")));
                }
                svg.line(sx, sy, sx + 20.0, sy, &a, None);
            }
            Swatch::Band(colour, opacity) => {
                svg.rect(
                    sx,
                    sy - 6.0,
                    sx + 20.0,
                    sy + 6.0,
                    &[("fill", A::S(colour)), ("fill-opacity", A::N(*opacity))],
                    None,
                );
            }
            Swatch::Marker(shape, colour, filled) => {
                let fill = if *filled { *colour } else { "#ffffff" };
                marker(
                    svg,
                    *shape,
                    sx + 10.0,
                    sy,
                    4.5,
                    &[
                        ("fill", A::S(fill)),
                        ("stroke", A::S(colour)),
                        ("stroke-width", A::N(1.5)),
                    ],
                    Some(label),
                );
            }
            Swatch::BoxPlot(colour) => {
                svg.line(
                    sx,
                    sy,
                    sx + 20.0,
                    sy,
                    &[("stroke", A::S(colour)), ("stroke-width", A::N(1.5))],
                    None,
                );
                svg.rect(
                    sx + 5.0,
                    sy - 5.0,
                    sx + 15.0,
                    sy + 5.0,
                    &[
                        ("fill", A::S(colour)),
                        ("fill-opacity", A::N(0.35)),
                        ("stroke", A::S(colour)),
                    ],
                    None,
                );
                svg.line(
                    sx + 10.0,
                    sy - 5.0,
                    sx + 10.0,
                    sy + 5.0,
                    &[("stroke", A::S(colour)), ("stroke-width", A::N(2.0))],
                    None,
                );
            }
        }
        svg.text(sx + 26.0, sy + 4.0, label, &[]);
    }
    svg.close();
}

/// An axis-aligned box, for label placement.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Rect {
    x0: f64,
    y0: f64,
    x1: f64,
    y1: f64,
}

impl Rect {
    /// The box with corners (x0, y0) and (x1, y1).
    pub(crate) fn new(x0: f64, y0: f64, x1: f64, y1: f64) -> Rect {
        Rect {
            x0: x0.min(x1),
            y0: y0.min(y1),
            x1: x0.max(x1),
            y1: y0.max(y1),
        }
    }

    fn overlaps(&self, o: &Rect) -> bool {
        self.x0 < o.x1 && o.x0 < self.x1 && self.y0 < o.y1 && o.y0 < self.y1
    }

    fn inside(&self, o: &Rect) -> bool {
        self.x0 >= o.x0 && self.x1 <= o.x1 && self.y0 >= o.y0 && self.y1 <= o.y1
    }
}

/// Greedy label placement: each label takes the first of eight positions
/// around its point that stays inside the bounds and clear of everything
/// placed so far (points and labels); a label with no free position is left
/// out (its point keeps its hover title).
pub(crate) struct Placer {
    bounds: Rect,
    taken: Vec<Rect>,
}

/// Where a placed label goes: its anchor point and `text-anchor`.
pub(crate) struct Placed {
    /// x of the text anchor.
    pub x: f64,
    /// Baseline y.
    pub y: f64,
    /// `start`, `middle` or `end`.
    pub anchor: &'static str,
}

impl Placer {
    /// A placer within `bounds`.
    pub(crate) fn new(bounds: Rect) -> Placer {
        Placer {
            bounds,
            taken: Vec::new(),
        }
    }

    /// Mark a region as taken (a point marker, a line end).
    pub(crate) fn occupy(&mut self, r: Rect) {
        self.taken.push(r);
    }

    /// Place a label of `text` at font `size` next to a marker of radius `r`
    /// at (x, y).
    pub(crate) fn place(
        &mut self,
        x: f64,
        y: f64,
        r: f64,
        text: &str,
        size: f64,
    ) -> Option<Placed> {
        let w = text_width(text, size);
        let h = size;
        let g = r + 3.0;
        // (box left, box top, anchor x, baseline, anchor) for each candidate.
        let candidates = [
            (x + g, y - h / 2.0, x + g, y + h * 0.35, "start"),
            (x - w / 2.0, y - g - h, x, y - g - h * 0.2, "middle"),
            (x - g - w, y - h / 2.0, x - g, y + h * 0.35, "end"),
            (x - w / 2.0, y + g, x, y + g + h * 0.8, "middle"),
            (
                x + g * 0.7,
                y - g * 0.7 - h,
                x + g * 0.7,
                y - g * 0.7 - h * 0.2,
                "start",
            ),
            (
                x + g * 0.7,
                y + g * 0.7,
                x + g * 0.7,
                y + g * 0.7 + h * 0.8,
                "start",
            ),
            (
                x - g * 0.7 - w,
                y - g * 0.7 - h,
                x - g * 0.7,
                y - g * 0.7 - h * 0.2,
                "end",
            ),
            (
                x - g * 0.7 - w,
                y + g * 0.7,
                x - g * 0.7,
                y + g * 0.7 + h * 0.8,
                "end",
            ),
        ];
        for (bx, by, ax, ay, anchor) in candidates {
            let b = Rect::new(bx, by, bx + w, by + h);
            if b.inside(&self.bounds) && !self.taken.iter().any(|t| t.overlaps(&b)) {
                self.taken.push(b);
                return Some(Placed {
                    x: ax,
                    y: ay,
                    anchor,
                });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_for_attributes() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(12.345), "12.3");
        assert_eq!(num(-0.04), "0");
        assert_eq!(num(f64::NAN), "0");
        assert_eq!(num(f64::NEG_INFINITY), "0");
        assert_eq!(num(1e300), "1000000");
    }

    #[test]
    fn paths_break_at_gaps() {
        let nan = f64::NAN;
        let d = polyline_path(&[
            (0.0, 0.0),
            (1.0, 1.0),
            (nan, 2.0),
            (3.0, 3.0),
            (4.0, nan),
            (5.0, 5.0),
            (6.0, 6.0),
        ]);
        assert_eq!(d, "M0,0L1,1M5,5L6,6");
        assert_eq!(step_path(&[(0.0, 0.0), (1.0, 2.0)]), "M0,0H1V2");
        assert_eq!(
            band_path(&[0.0, 1.0, 2.0], &[0.0, 0.0, nan], &[1.0, 1.0, 1.0]),
            "M0,1L1,1L1,0L0,0Z"
        );
        assert_eq!(band_path(&[], &[], &[]), "");
    }

    #[test]
    fn scales_map_and_hold() {
        let s = Scale::linear(0.0, 10.0, 100.0, 200.0);
        assert_eq!(s.map(5.0), 150.0);
        assert_eq!(s.map(1e300), 250.0);
        assert!(s.map(f64::NAN).is_nan());
        assert!(s.map(f64::INFINITY).is_nan());
        assert_eq!(s.map_clamped(f64::NEG_INFINITY), 100.0);
        assert!(s.contains(10.0) && !s.contains(10.1));
        let l = Scale {
            d0: 1.0,
            d1: 100.0,
            r0: 0.0,
            r1: 100.0,
            log: true,
        };
        assert!((l.map(10.0) - 50.0).abs() < 1e-12);
        assert!(l.map(0.0).is_nan());
        let flat = Scale::linear(3.0, 3.0, 0.0, 10.0);
        assert_eq!(flat.map(3.0), 5.0);
    }

    #[test]
    fn placer_avoids_collisions() {
        let mut p = Placer::new(Rect::new(0.0, 0.0, 200.0, 200.0));
        let a = p.place(100.0, 100.0, 3.0, "abc", 12.0).unwrap();
        assert_eq!(a.anchor, "start");
        let b = p.place(100.0, 100.0, 3.0, "abc", 12.0).unwrap();
        assert_eq!(b.anchor, "middle"); // above: the right side is taken
        // At the right edge the label goes left.
        let c = p.place(198.0, 20.0, 3.0, "abc", 12.0).unwrap();
        assert_eq!(c.anchor, "end");
    }

    #[test]
    fn text_wraps() {
        // Greedy: as many words as fit on the first line.
        assert_eq!(
            wrap_text("Korean share of imports 2022–23", SMALL, 150.0, 2),
            vec!["Korean share of imports", "2022–23"]
        );
        assert_eq!(wrap_text("short", SMALL, 150.0, 2), vec!["short"]);
        assert!(wrap_text("", SMALL, 150.0, 2).is_empty());
        let w = wrap_text(
            "one two three four five six seven eight nine ten",
            SMALL,
            80.0,
            2,
        );
        assert_eq!(w.len(), 2);
        assert!(w[1].ends_with('…'));
        // A single word longer than the line is cut.
        let w = wrap_text("preferences.default.interoperability", SMALL, 80.0, 2);
        assert_eq!(w.len(), 1);
        assert!(w[0].ends_with('…'));
    }

    /// Labels that share their start stay apart: the end survives.
    #[test]
    fn text_elided_in_the_middle_keeps_its_end() {
        let a = elide_middle("preferences.default.delivery", 11.0, 80.0);
        let b = elide_middle("preferences.default.price", 11.0, 80.0);
        assert_ne!(a, b);
        assert!(a.starts_with("pref") && a.ends_with("delivery"), "{a}");
        assert!(b.ends_with("price"), "{b}");
        for s in [&a, &b] {
            assert!(s.contains('…') && text_width(s, 11.0) <= 80.0, "{s}");
        }
        assert_eq!(elide_middle("short", SMALL, 80.0), "short");
        // No room: the ellipsis alone.
        assert_eq!(elide_middle("abc", SMALL, 1.0), "…");
    }

    /// Labels cut to one width stay apart where they differ, at the end
    /// or in the middle.
    #[test]
    fn labels_cut_to_fit_stay_apart() {
        let labels: Vec<String> = [
            "preferences.default.delivery",
            "preferences.default.price",
            "suppliers.hyundai_rotem.lines.k2.capacity",
            "suppliers.hyundai_rotem.lines.k9.capacity",
            "no_korean_investment [contested: commercial]",
            "no_korean_investment [contested: strategic]",
            "short",
        ]
        .map(String::from)
        .to_vec();
        for width in [60.0, 80.0, 120.0] {
            let cut = distinct_labels(&labels, 11.0, width);
            let distinct: std::collections::BTreeSet<&String> = cut.iter().collect();
            assert_eq!(distinct.len(), labels.len(), "{width}: {cut:?}");
            for c in &cut {
                assert!(text_width(c, 11.0) <= width, "{width}: {c}");
            }
            assert_eq!(cut[6], "short");
        }
        let cut = distinct_labels(&labels, 11.0, 100.0);
        assert!(cut[2].ends_with("…k2.capacity"), "{}", cut[2]);
        assert!(cut[4].ends_with("…commercial]"), "{}", cut[4]);
    }

    #[test]
    fn text_fits() {
        let s = fit_text("a very long parameter name indeed", SMALL, 80.0);
        assert!(s.ends_with('…'));
        assert!(text_width(&s, SMALL) <= 80.0);
        assert_eq!(fit_text("short", SMALL, 80.0), "short");
    }
}

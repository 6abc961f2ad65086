//! The report page: a header with provenance, a table of contents, sections
//! of paragraphs, figures, tables and collapsible parts, one inline
//! stylesheet with a print block. One `String` out; the same inputs give the
//! same bytes (nothing here reads the clock or the environment).

use crate::output::html::escape::escape;
use std::fmt::Write as _;

/// The stylesheet every page carries inline. The print block drops shadows
/// and backgrounds, turns text black, keeps figures and table rows whole,
/// hides the table of contents and opens collapsed parts (`::details-content`,
/// in browsers that have it).
pub const STYLESHEET: &str = r#":root{color-scheme:light}
*,*::before,*::after{box-sizing:border-box}
body{margin:0;background:#f5f5f3;color:#222;font:15px/1.5 system-ui,sans-serif}
header,nav.toc,main,footer{max-width:780px;margin:0 auto;padding:0 20px}
header{padding-top:28px}
h1{font-size:1.65rem;line-height:1.25;margin:0 0 .2rem}
.subtitle{margin:0 0 .6rem;color:#444;font-size:1.02rem}
h2{font-size:1.28rem;margin:2.2rem 0 .7rem;padding-bottom:.25rem;border-bottom:1px solid #cfcfcf}
.provenance{display:flex;flex-wrap:wrap;gap:.15rem 1.3rem;margin:.5rem 0 1rem;padding:.55rem .8rem;background:#fff;border:1px solid #e2e2e2;border-radius:6px;font-size:.84rem;color:#444}
.provenance div{display:flex;gap:.35rem}
.provenance dt{font-weight:600;color:#222}
.provenance dd{margin:0;font-variant-numeric:tabular-nums}
nav.toc{font-size:.9rem}
nav.toc ol{margin:.2rem 0 0;padding-left:1.3rem}
nav.toc a{color:#0b5c99}
p{margin:.6rem 0}
ul.plain{margin:.6rem 0;padding-left:1.3rem}
pre{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:.6rem .8rem;overflow-x:auto;font-size:.84rem;line-height:1.4}
figure{margin:1.2rem 0;padding:14px 14px 10px;background:#fff;border:1px solid #e2e2e2;border-radius:6px;box-shadow:0 1px 3px rgba(0,0,0,.07)}
figure svg.chart{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{font-size:.88rem;color:#444;margin-top:.45rem;line-height:1.4}
figcaption .label{font-weight:600;color:#222}
.table-wrap{overflow-x:auto;margin:1rem 0}
table.data{border-collapse:collapse;width:100%;font-size:.86rem;background:#fff}
table.data th,table.data td{padding:.28rem .55rem;border-bottom:1px solid #e6e6e6;text-align:left;vertical-align:top}
table.data thead th{border-bottom:2px solid #9a9a9a;font-weight:600}
table.data .num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
caption{caption-side:top;text-align:left;font-size:.88rem;color:#444;padding:0 0 .35rem}
caption .label{font-weight:600;color:#222}
table.heat{border-collapse:separate;border-spacing:2px;font-size:.86rem;margin:0 auto;table-layout:fixed;width:100%}
table.heat thead th:first-child{width:11.5rem}
table.heat th{font-weight:600;padding:.25rem .45rem}
table.heat thead th{vertical-align:bottom;font-size:.8rem}
table.heat tbody th{text-align:left;overflow-wrap:anywhere}
table.heat td{text-align:center;padding:.34rem .4rem;font-variant-numeric:tabular-nums;border-radius:3px}
table.heat td.missing{background:#ececec;color:#666}
.heat-key{display:flex;align-items:center;justify-content:center;gap:3px;font-size:.78rem;color:#555;margin:.45rem 0 0}
.heat-key span:first-child{margin-right:.3rem}
.heat-key span:last-child{margin-left:.3rem}
.heat-key .swatch{display:inline-block;width:22px;height:11px}
details{margin:1rem 0;background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:.15rem .9rem}
details>summary{cursor:pointer;font-weight:600;padding:.45rem 0}
details[open]>summary{border-bottom:1px solid #ececec;margin-bottom:.4rem}
details figure{box-shadow:none;border:none;padding:6px 0}
footer{color:#666;font-size:.8rem;padding:2.2rem 20px 2rem}
svg.chart .tick-label{font-variant-numeric:tabular-nums}
@media print{
@page{margin:14mm}
body{background:#fff;color:#000;font-size:10pt}
header,nav.toc,main,footer{max-width:none;padding:0}
nav.toc{display:none}
*{box-shadow:none!important;text-shadow:none!important}
.subtitle,figcaption,caption,.provenance,.heat-key,footer{color:#000}
.provenance,pre,figure,details{background:#fff;border-color:#bbb}
figure,pre,table.heat,.heat-key,tr,.provenance{break-inside:avoid}
h2,summary{break-after:avoid}
details{border:none;padding:0}
details>summary{list-style:none}
details::details-content{content-visibility:visible;display:block}
svg.chart text:not(.correlation):not(.highlight){fill:#000}
svg.chart,table.heat td,.heat-key .swatch{print-color-adjust:exact;-webkit-print-color-adjust:exact}
a{color:#000;text-decoration:none}
}
"#;

/// Where a report comes from. Every field is given by the caller (the date
/// too: the library never reads the clock).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Provenance {
    /// Program name.
    pub program: String,
    /// Program version.
    pub version: String,
    /// Scenario (or sweep, or calibration) name.
    pub scenario: String,
    /// Master seed, if there is one.
    pub seed: Option<u64>,
    /// Date (and time) of the run, as the caller wants it shown.
    pub date: String,
    /// More facts, shown in order after the others (replications, threads…).
    pub extra: Vec<(String, String)>,
}

/// A figure: chart markup and its caption.
#[derive(Clone, Debug, PartialEq)]
pub struct Figure {
    /// The chart: markup from this crate's chart functions, inserted as is.
    pub markup: String,
    /// The caption (plain text; numbered "Figure N." on the page).
    pub caption: String,
}

/// A simple table of text cells; columns whose every non-empty cell is a
/// number are right-aligned.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    /// Caption (plain text; numbered "Table N." on the page); may be empty.
    pub caption: String,
    /// Column headers.
    pub header: Vec<String>,
    /// Rows of cells (rows may be shorter than the header).
    pub rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headers.
    pub fn new<S: Into<String>>(header: impl IntoIterator<Item = S>) -> Table {
        Table {
            caption: String::new(),
            header: header.into_iter().map(Into::into).collect(),
            rows: Vec::new(),
        }
    }

    /// The same table with a caption.
    pub fn with_caption(mut self, caption: impl Into<String>) -> Table {
        self.caption = caption.into();
        self
    }

    /// The same table with one more row.
    pub fn row<S: Into<String>>(mut self, cells: impl IntoIterator<Item = S>) -> Table {
        self.rows.push(cells.into_iter().map(Into::into).collect());
        self
    }
}

/// A piece of a section.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A paragraph of plain text.
    Paragraph(String),
    /// A bulleted list of plain-text items.
    List(Vec<String>),
    /// Preformatted text (a configuration snippet), shown as is.
    Preformatted(String),
    /// A numbered figure.
    Figure(Figure),
    /// A numbered table.
    Table(Table),
    /// Markup from this crate (a heat table) without a figure frame.
    Markup(String),
    /// A collapsible part: its summary line, whether it starts open, and its
    /// contents.
    Details {
        /// The always-visible summary.
        summary: String,
        /// Start open.
        open: bool,
        /// The contents.
        blocks: Vec<Block>,
    },
}

/// A section: a heading and its blocks.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Section {
    /// Heading.
    pub title: String,
    /// Contents.
    pub blocks: Vec<Block>,
}

impl Section {
    /// An empty section.
    pub fn new(title: impl Into<String>) -> Section {
        Section {
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// Add a block.
    pub fn block(mut self, block: Block) -> Section {
        self.blocks.push(block);
        self
    }

    /// Add a paragraph.
    pub fn paragraph(self, text: impl Into<String>) -> Section {
        self.block(Block::Paragraph(text.into()))
    }

    /// Add a figure.
    pub fn figure(self, markup: impl Into<String>, caption: impl Into<String>) -> Section {
        self.block(Block::Figure(Figure {
            markup: markup.into(),
            caption: caption.into(),
        }))
    }

    /// Add a table.
    pub fn table(self, table: Table) -> Section {
        self.block(Block::Table(table))
    }

    /// Add a collapsible part, closed at first.
    pub fn details(self, summary: impl Into<String>, blocks: Vec<Block>) -> Section {
        self.block(Block::Details {
            summary: summary.into(),
            open: false,
            blocks,
        })
    }
}

/// A report page.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Page {
    /// Title (the `<title>` and the heading).
    pub title: String,
    /// A line under the title; may be empty.
    pub subtitle: String,
    /// Provenance shown in the header.
    pub provenance: Option<Provenance>,
    /// Blocks before the first section.
    pub intro: Vec<Block>,
    /// Sections, listed in the table of contents.
    pub sections: Vec<Section>,
}

/// The page's content policy, in the head of every report: it also tells a
/// report this program wrote (which it may replace) from a user's own
/// `report.html`.
pub const CONTENT_POLICY: &str = "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">";

impl Page {
    /// An empty page.
    pub fn new(title: impl Into<String>) -> Page {
        Page {
            title: title.into(),
            ..Page::default()
        }
    }

    /// The same page with a subtitle.
    pub fn subtitle(mut self, text: impl Into<String>) -> Page {
        self.subtitle = text.into();
        self
    }

    /// The same page with provenance.
    pub fn provenance(mut self, p: Provenance) -> Page {
        self.provenance = Some(p);
        self
    }

    /// The same page with one more introductory block.
    pub fn intro(mut self, block: Block) -> Page {
        self.intro.push(block);
        self
    }

    /// The same page with one more section.
    pub fn section(mut self, section: Section) -> Page {
        self.sections.push(section);
        self
    }

    /// The whole page as one HTML document.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let mut counters = Counters::default();
        out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
        out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
        // Belt and braces: even injected markup could not run or fetch anything.
        out.push_str(CONTENT_POLICY);
        out.push('\n');
        if let Some(p) = &self.provenance {
            let _ = writeln!(
                out,
                "<meta name=\"generator\" content=\"{}\">",
                escape(format!("{} {}", p.program, p.version).trim())
            );
        }
        let _ = writeln!(out, "<title>{}</title>", escape(&self.title));
        let _ = writeln!(
            out,
            "<style>\n{STYLESHEET}</style>\n</head>\n<body>\n<header>"
        );
        let _ = writeln!(out, "<h1>{}</h1>", escape(&self.title));
        if !self.subtitle.is_empty() {
            let _ = writeln!(out, "<p class=\"subtitle\">{}</p>", escape(&self.subtitle));
        }
        if let Some(p) = &self.provenance {
            provenance(&mut out, p);
        }
        out.push_str("</header>\n");
        if self.sections.len() > 1 {
            out.push_str("<nav class=\"toc\" aria-label=\"Contents\"><ol>\n");
            for (i, s) in self.sections.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "<li><a href=\"#section-{}\">{}</a></li>",
                    i + 1,
                    escape(&s.title)
                );
            }
            out.push_str("</ol></nav>\n");
        }
        out.push_str("<main>\n");
        for b in &self.intro {
            block(&mut out, b, &mut counters);
        }
        for (i, s) in self.sections.iter().enumerate() {
            let _ = writeln!(
                out,
                "<section id=\"section-{n}\" aria-labelledby=\"section-{n}-title\">\n<h2 id=\"section-{n}-title\">{}</h2>",
                escape(&s.title),
                n = i + 1
            );
            for b in &s.blocks {
                block(&mut out, b, &mut counters);
            }
            out.push_str("</section>\n");
        }
        out.push_str("</main>\n<footer>");
        if let Some(p) = &self.provenance {
            let _ = write!(
                out,
                "Written by {}. ",
                escape(format!("{} {}", p.program, p.version).trim())
            );
        }
        out.push_str("One self-contained file: no scripts, no external resources. Hover a mark for its values.</footer>\n</body>\n</html>\n");
        out
    }
}

#[derive(Default)]
struct Counters {
    figures: usize,
    tables: usize,
}

fn provenance(out: &mut String, p: &Provenance) {
    let mut items: Vec<(String, String)> = Vec::new();
    let program = format!("{} {}", p.program, p.version).trim().to_string();
    if !program.is_empty() {
        items.push(("program".into(), program));
    }
    if !p.scenario.is_empty() {
        items.push(("scenario".into(), p.scenario.clone()));
    }
    if let Some(seed) = p.seed {
        items.push(("seed".into(), seed.to_string()));
    }
    if !p.date.is_empty() {
        items.push(("date".into(), p.date.clone()));
    }
    items.extend(p.extra.iter().cloned());
    if items.is_empty() {
        return;
    }
    out.push_str("<dl class=\"provenance\">\n");
    for (k, v) in items {
        let _ = writeln!(
            out,
            "<div><dt>{}</dt><dd>{}</dd></div>",
            escape(&k),
            escape(&v)
        );
    }
    out.push_str("</dl>\n");
}

fn block(out: &mut String, b: &Block, n: &mut Counters) {
    match b {
        Block::Paragraph(t) => {
            let _ = writeln!(out, "<p>{}</p>", escape(t));
        }
        Block::List(items) => {
            out.push_str("<ul class=\"plain\">\n");
            for i in items {
                let _ = writeln!(out, "<li>{}</li>", escape(i));
            }
            out.push_str("</ul>\n");
        }
        Block::Preformatted(t) => {
            let _ = writeln!(out, "<pre>{}</pre>", escape(t));
        }
        Block::Figure(f) => {
            n.figures += 1;
            let _ = write!(out, "<figure>\n{}", f.markup);
            if !f.markup.ends_with('\n') {
                out.push('\n');
            }
            let _ = writeln!(
                out,
                "<figcaption><span class=\"label\">Figure {}.</span> {}</figcaption>\n</figure>",
                n.figures,
                escape(&f.caption)
            );
        }
        Block::Table(t) => table(out, t, n),
        Block::Markup(m) => {
            out.push_str(m);
            if !m.ends_with('\n') {
                out.push('\n');
            }
        }
        Block::Details {
            summary,
            open,
            blocks,
        } => {
            let _ = writeln!(
                out,
                "<details{}>\n<summary>{}</summary>",
                if *open { " open" } else { "" },
                escape(summary)
            );
            for inner in blocks {
                block(out, inner, n);
            }
            out.push_str("</details>\n");
        }
    }
}

/// Whether a cell reads as a number ("1,234", "−0.5", "62 %", "3e-4", "–").
fn is_numeric(cell: &str) -> bool {
    let t: String = cell
        .trim()
        .trim_end_matches('%')
        .trim()
        .replace([',', ' '], "")
        .replace('\u{2212}', "-");
    t == "–" || t == "-" || (!t.is_empty() && t.parse::<f64>().is_ok())
}

fn table(out: &mut String, t: &Table, n: &mut Counters) {
    n.tables += 1;
    let cols = t
        .header
        .len()
        .max(t.rows.iter().map(Vec::len).max().unwrap_or(0));
    let numeric: Vec<bool> = (0..cols)
        .map(|c| {
            let cells: Vec<&String> = t
                .rows
                .iter()
                .filter_map(|r| r.get(c))
                .filter(|s| !s.trim().is_empty())
                .collect();
            !cells.is_empty() && cells.iter().all(|s| is_numeric(s))
        })
        .collect();
    out.push_str("<div class=\"table-wrap\">\n<table class=\"data\">\n");
    let _ = write!(
        out,
        "<caption><span class=\"label\">Table {}.</span>",
        n.tables
    );
    if !t.caption.is_empty() {
        let _ = write!(out, " {}", escape(&t.caption));
    }
    out.push_str("</caption>\n<thead><tr>");
    for (c, h) in t.header.iter().enumerate() {
        let _ = write!(
            out,
            "<th scope=\"col\"{}>{}</th>",
            if numeric[c] { " class=\"num\"" } else { "" },
            escape(h)
        );
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for r in &t.rows {
        out.push_str("<tr>");
        for (c, &is_num) in numeric.iter().enumerate() {
            let cell = r.get(c).map(String::as_str).unwrap_or("");
            let _ = write!(
                out,
                "<td{}>{}</td>",
                if is_num { " class=\"num\"" } else { "" },
                escape(cell)
            );
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n</div>\n");
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page() -> Page {
        Page::new("Run <europe> & co")
            .subtitle("run report")
            .provenance(Provenance {
                program: "armsmarket".into(),
                version: "0.1.0".into(),
                scenario: "europe".into(),
                seed: Some(42),
                date: "2025-01-02".into(),
                extra: vec![("replications".into(), "200".into())],
            })
            .section(
                Section::new("Targets")
                    .paragraph("Source: https://www.sipri.org/databases/armstransfers \"quoted\"")
                    .figure(
                        "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>",
                        "A chart <b>",
                    )
                    .table(
                        Table::new(["target", "pass", "median"])
                            .with_caption("Per target")
                            .row(["P1 <a>", "62 %", "\u{2212}1,234.5"])
                            .row(["P2", "–", "3"]),
                    )
                    .details(
                        "More",
                        vec![
                            Block::Figure(Figure {
                                markup: "<svg></svg>".into(),
                                caption: "second".into(),
                            }),
                            Block::Preformatted("[sweep]\na = 1".into()),
                        ],
                    ),
            )
            .section(Section::new("Empty"))
    }

    #[test]
    fn escapes_all_caller_text() {
        let h = page().render();
        assert!(h.contains("<title>Run &lt;europe&gt; &amp; co</title>"));
        assert!(h.contains("<h1>Run &lt;europe&gt; &amp; co</h1>"));
        assert!(h.contains("<td>P1 &lt;a&gt;</td>"));
        assert!(h.contains("A chart &lt;b&gt;</figcaption>"));
        assert!(h.contains("&quot;quoted&quot;"));
        assert!(!h.contains("<b>") && !h.contains("<a>"));
    }

    #[test]
    fn no_script_and_no_external_url() {
        let h = page().render();
        assert!(!h.to_lowercase().contains("<script"));
        assert!(!h.contains("https://"));
        // The only http:// is the SVG namespace of the figure.
        assert_eq!(
            h.matches("http://").count(),
            h.matches("http://www.w3.org/2000/svg").count()
        );
        assert!(h.contains("Source: https&#58;//www.sipri.org"));
    }

    #[test]
    fn structure_numbering_and_provenance() {
        let h = page().render();
        assert!(h.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
        assert!(h.contains("<dt>seed</dt><dd>42</dd>"));
        assert!(h.contains("<dt>date</dt><dd>2025-01-02</dd>"));
        assert!(h.contains("<dt>replications</dt><dd>200</dd>"));
        assert!(h.contains("<span class=\"label\">Figure 1.</span> A chart"));
        assert!(h.contains("<span class=\"label\">Figure 2.</span> second"));
        assert!(h.contains("<span class=\"label\">Table 1.</span> Per target"));
        assert!(h.contains("<details>\n<summary>More</summary>"));
        assert!(h.contains("<a href=\"#section-2\">Empty</a>"));
        assert!(h.contains("<pre>[sweep]\na = 1</pre>"));
        // Numeric columns are right-aligned, text ones are not.
        assert!(h.contains(
            "<td>P1 &lt;a&gt;</td><td class=\"num\">62 %</td><td class=\"num\">\u{2212}1,234.5</td>"
        ));
        assert!(h.contains("@media print"));
        assert_eq!(
            h.matches("<section").count(),
            h.matches("</section>").count()
        );
        assert_eq!(
            h.matches("<details").count(),
            h.matches("</details>").count()
        );
    }

    #[test]
    fn same_input_same_bytes() {
        assert_eq!(page().render(), page().render());
        let empty = Page::new("").render();
        assert!(empty.contains("<title></title>") && !empty.contains("<nav"));
    }

    #[test]
    fn numeric_cells() {
        for s in ["1", "1,234.5", "\u{2212}3", "62 %", "3e-4", "–", " 7 "] {
            assert!(is_numeric(s), "{s}");
        }
        for s in ["P1", "", "1.2.3", "abc %"] {
            assert!(!is_numeric(s), "{s}");
        }
    }
}

//! The per-run CSV tables of `armsmarket run`: contracts, market, suppliers,
//! buyers, exogenous and summary. A replication's rows are formatted where
//! it ran (a worker thread) and appended in replication order, then in the
//! order the run recorded them, so the bytes do not depend on threads.

use crate::analysis::targets::TargetResult;
use crate::engine::RunRecord;
use crate::engine::replication::Summary;
use crate::model::World;
use crate::output::publish::{StagedFile, Staging};
use crate::scenario::schema::Table;
use std::io::{self, Write};

/// The columns of `contracts.csv`.
const CONTRACT_COLUMNS: &[&str] = &[
    "replication",
    "contract",
    "quarter",
    "year",
    "buyer",
    "supplier",
    "supplier_country",
    "product",
    "category",
    "units",
    "unit_price",
    "value",
    "credit",
    "diverted",
    "executive",
    "lead_first_promised",
    "lead_mean_promised",
    "first_delivery",
    "lead_first_actual",
    "delivered",
];

/// The columns of `market.csv`.
const MARKET_COLUMNS: &[&str] = &[
    "replication",
    "quarter",
    "year",
    "buyer",
    "supplier",
    "supplier_country",
    "product",
    "category",
    "order_units",
    "order_value",
    "delivered_units",
    "delivered_value",
];

/// The columns of `suppliers.csv`.
const SUPPLIER_COLUMNS: &[&str] = &[
    "replication",
    "quarter",
    "supplier",
    "supplier_country",
    "product",
    "category",
    "capacity",
    "capacity_pending",
    "backlog",
    "cash",
    "interoperability",
    "localisation",
    "access",
    "price",
];

/// The columns of `buyers.csv`.
const BUYER_COLUMNS: &[&str] = &[
    "replication",
    "quarter",
    "buyer",
    "category",
    "outstanding",
    "gap",
    "fleet",
    "legacy",
    "on_order",
];

/// The columns of `exogenous.csv`: what no replication changes, once per
/// world (the buyer's threat, budget, region and NATO membership by
/// quarter).
const EXOGENOUS_COLUMNS: &[&str] = &[
    "quarter", "year", "buyer", "region", "nato", "threat", "budget",
];

/// Writes CSV rows into a byte buffer, each cell followed by a comma until
/// [`Line::end`] turns the last into the line's end. Numbers are
/// formatted as the `csv` crate's serializer formats them (`itoa`, `ryu`),
/// so the bytes are those it wrote, without its per-byte quoting machine:
/// numbers never need quotes, and text is checked once.
///
/// Cells are written at a cursor, ahead of which the buffer holds room
/// (zeros, made a kilobyte at a time): a cell is then a copy and a move of
/// the cursor, where appending it to the `Vec` checked its capacity and
/// set its length for each cell, and cutting its block short set the
/// length again. Its methods are inlined always: left to itself, the
/// compiler called some of them in `rows_of`, for a fifth more
/// instructions.
struct Line {
    /// The rows written (`out`'s, taken while writing), and room.
    buf: Vec<u8>,
    /// Where the next cell goes.
    at: usize,
}

/// Bytes of room made at a time: a dozen rows or so, so that the room is
/// still in the cache when the rows are written into it.
const ROOM: usize = 1024;

impl Line {
    /// Append to `out` what `rows` writes, and no more.
    #[inline(always)]
    fn write(out: &mut Vec<u8>, rows: impl FnOnce(&mut Line)) {
        Line::write_from(out, out.len(), rows);
    }

    /// Replace `out`'s bytes with what `rows` writes. The old bytes are
    /// room already: a buffer used again for rows of the same size is
    /// not zeroed again (that was a byte written for every byte of the
    /// tables).
    #[inline(always)]
    fn write_over(out: &mut Vec<u8>, rows: impl FnOnce(&mut Line)) {
        Line::write_from(out, 0, rows);
    }

    /// Put what `rows` writes in `out` from `at`, and cut it there.
    #[inline(always)]
    fn write_from(out: &mut Vec<u8>, at: usize, rows: impl FnOnce(&mut Line)) {
        // Owned here, the buffer's pointer and length stay in registers:
        // through `out`, each byte written might have changed them.
        let mut line = Line {
            at,
            buf: std::mem::take(out),
        };
        rows(&mut line);
        line.buf.truncate(line.at);
        *out = line.buf;
    }

    /// The `n` bytes at the cursor, made room for if need be.
    #[inline(always)]
    fn room(&mut self, n: usize) -> &mut [u8] {
        let (at, end) = (self.at, self.at + n);
        if end > self.buf.len() {
            // Apart from the common path, which then checks `end` once.
            self.buf = with_room(std::mem::take(&mut self.buf), end);
            return &mut self.buf[at..end];
        }
        &mut self.buf[at..end]
    }

    /// The block at the cursor.
    #[inline(always)]
    fn block(&mut self) -> &mut [u8; CELL] {
        self.room(CELL).try_into().expect("a block's room")
    }

    /// Bytes that need no quoting, as they are.
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.room(bytes.len()).copy_from_slice(bytes);
        self.at += bytes.len();
    }

    /// The first `len` bytes of `block`. Copying the whole block is a few
    /// moves, where copying `len` bytes is a call to `memcpy`: for cells
    /// of a few bytes the call costs more than the copy.
    #[inline(always)]
    fn put_prefix(&mut self, block: &[u8; CELL], len: usize) {
        debug_assert!(len <= CELL);
        // Room first: `block` is then read once, straight into the room.
        let room = self.block();
        *room = *block;
        self.at += len;
    }

    /// The first `fill(block)` bytes of a block that `fill` writes in place
    /// at the cursor. A cell formatted on the stack and copied over is
    /// written a byte at a time and read back 16 at a time at once, which
    /// the processor cannot forward from the byte stores: the copy then
    /// waits for them to reach the cache, and that wait was the largest
    /// cost of writing a row.
    #[inline(always)]
    fn put_with(&mut self, fill: impl FnOnce(&mut [u8; CELL]) -> usize) {
        let len = fill(self.block());
        debug_assert!(len <= CELL);
        self.at += len;
    }

    /// A cell known to need no quoting.
    #[inline(always)]
    fn raw(&mut self, cell: &[u8]) -> &mut Self {
        self.put(cell);
        self.put(b",");
        self
    }

    /// A text cell, quoted as the `csv` crate quotes it if need be.
    #[inline(always)]
    fn text(&mut self, cell: &str) -> &mut Self {
        if cell.bytes().any(needs_quotes) {
            self.raw(&quoted(cell))
        } else {
            self.raw(cell.as_bytes())
        }
    }

    #[inline]
    fn int<T: itoa::Integer + TryInto<i64> + Copy>(&mut self, x: T) -> &mut Self {
        match x.try_into() {
            Ok(x) => {
                self.put_with(|block| int_cell(x, block));
                self
            }
            Err(_) => self.raw(itoa::Buffer::new().format(x).as_bytes()),
        }
    }

    #[inline(always)]
    fn float(&mut self, x: f64) -> &mut Self {
        self.put_with(|block| float_cell(x, block));
        self
    }

    /// A number as `Display` writes it, for the summary's columns: whole
    /// numbers below 10^15 from their integer digits, others by `Display`
    /// itself. (Its digits are not always `ryu`'s: where two of the
    /// longest, 17-digit, texts both read back as the number, the two may
    /// choose differently.)
    #[inline(always)]
    fn display(&mut self, x: f64) -> &mut Self {
        if x.abs() < 1e15 && (x as i64) as f64 == x && !(x == 0.0 && x.is_sign_negative()) {
            self.put_with(|block| int_cell(x as i64, block));
            self
        } else {
            self.raw(x.to_string().as_bytes())
        }
    }

    /// A number as [`cell`] writes it: as `Display` does, NaN (undefined)
    /// as an empty cell.
    #[inline(always)]
    fn display_cell(&mut self, x: f64) -> &mut Self {
        if x.is_nan() {
            self.raw(b"")
        } else {
            self.display(x)
        }
    }

    /// A number that `memo` (a [`Memo::float`]) may hold already.
    #[inline(always)]
    fn float_in(&mut self, memo: &mut Memo, x: f64) -> &mut Self {
        self.memoed(memo, x.to_bits(), |block| float_cell(x, block))
    }

    /// A count that `memo` (a [`Memo::count`]) may hold already.
    #[inline(always)]
    fn int_in(&mut self, memo: &mut Memo, x: u32) -> &mut Self {
        self.memoed(memo, u64::from(x), |block| int_cell(i64::from(x), block))
    }

    /// The cell of the number whose bits are `bits`: `memo`'s if it holds
    /// that number, else what `fill` writes (kept in `memo`).
    #[inline(always)]
    fn memoed(
        &mut self,
        memo: &mut Memo,
        bits: u64,
        fill: impl FnOnce(&mut [u8; CELL]) -> usize,
    ) -> &mut Self {
        if memo.bits != bits {
            memo.len = fill(&mut memo.text) as u8;
            memo.bits = bits;
        }
        self.put_prefix(&memo.text, usize::from(memo.len));
        self
    }

    /// Cells formatted before (chunk `i` of `chunks`).
    #[inline(always)]
    fn chunk(&mut self, chunks: &Chunks, i: usize) -> &mut Self {
        match &chunks.0[i] {
            Chunk::Block(block, len) => self.put_prefix(block, usize::from(*len)),
            Chunk::Long(bytes) => self.put(bytes),
        }
        self
    }

    /// The text cells of a trade: buyer `b`, supplier `s`, its country,
    /// line `j` and category `c`; copied from `trades` when `j` is `s`'s
    /// line in `c`, as the engine records every trade.
    #[inline(always)]
    fn trade(
        &mut self,
        w: &World,
        trades: &Trades,
        b: usize,
        s: usize,
        j: usize,
        c: usize,
    ) -> &mut Self {
        self.chunk(&trades.buyers, b);
        let line = &w.lines[j];
        if line.supplier == s && line.category == c {
            self.chunk(&trades.lines, j)
        } else {
            self.text(&w.suppliers[s].id)
                .text(&w.countries[w.suppliers[s].country].id)
                .text(&line.id)
                .text(&w.categories[c].id)
        }
    }

    /// Quarter `t` of `w` as `YYYYQn`.
    #[inline(always)]
    fn quarter(&mut self, w: &World, t: usize) -> &mut Self {
        let q = w.quarter(t);
        self.put(itoa::Buffer::new().format(q.year()).as_bytes());
        self.put(&[b'Q', b'0' + q.q() as u8, b',']);
        self
    }

    /// End the row.
    #[inline(always)]
    fn end(&mut self) {
        if let Some(last) = self.at.checked_sub(1) {
            self.buf[last] = b'\n';
        }
    }
}

/// `buf` grown to `end` bytes and more (room for a [`Line`]). Taken and
/// given back whole, so that the writer's copy of it need not be in memory.
#[cold]
#[inline(never)]
fn with_room(mut buf: Vec<u8>, end: usize) -> Vec<u8> {
    buf.resize(end + ROOM, 0);
    buf
}

/// Bytes in a block that holds a number's cell and its comma: `ryu` writes
/// at most 24.
const CELL: usize = 32;

/// `x` in decimal and a comma at the start of `block`, as `itoa` writes
/// it; returns the length.
#[inline]
fn int_cell(x: i64, block: &mut [u8; CELL]) -> usize {
    let negative = usize::from(x < 0);
    block[0] = b'-';
    let mut n = x.unsigned_abs();
    let digits = n.checked_ilog10().unwrap_or(0) as usize + 1;
    for i in (negative..negative + digits).rev() {
        block[i] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    block[negative + digits] = b',';
    negative + digits + 1
}

/// `x` and a comma at the start of `block`, as `ryu` (the `csv` crate's
/// formatter) writes it; returns the length. A whole number below 10^15
/// (a count, a round sum: most numbers in the tables) is written from its
/// integer digits (`12.0`). Others in the range `ryu` writes without an
/// exponent are written by `zmij`, which finds the same shortest digits
/// faster but writes exponents its own way (`1e+16`); `ryu` writes the
/// rest. The tests hold all three to `ryu`'s bytes.
#[inline]
fn float_cell(x: f64, block: &mut [u8; CELL]) -> usize {
    // Whole below 10^15: the cast truncates exactly (and inlines, where
    // `fract` calls a function on baseline x86-64).
    if x.abs() < 1e15 && (x as i64) as f64 == x && !(x == 0.0 && x.is_sign_negative()) {
        let len = int_cell(x as i64, block);
        block[len - 1..len + 2].copy_from_slice(b".0,");
        len + 2
    } else if (1e-5..1e15).contains(&x.abs()) {
        let len = zmij_in_place(x, block);
        block[len] = b',';
        len + 1
    } else {
        let mut ryu = ryu::Buffer::new();
        let text = ryu.format(x).as_bytes();
        block[..text.len()].copy_from_slice(text);
        block[text.len()] = b',';
        text.len() + 1
    }
}

/// `x` (finite) as `zmij` writes it, at the start of `block`; returns the
/// length. `zmij` writes into a [`zmij::Buffer`], from which the text was
/// copied with a call to `memcpy` that read back bytes just stored one by
/// one (see [`Line::put_with`]): the block's head is used as that buffer
/// itself, so the digits land in place.
#[inline(always)]
fn zmij_in_place(x: f64, block: &mut [u8; CELL]) -> usize {
    // A `zmij::Buffer` is its 24 bytes (`[MaybeUninit<u8>; 24]`), nothing
    // else: any 24 bytes of a block make one.
    const {
        assert!(size_of::<zmij::Buffer>() <= CELL && align_of::<zmij::Buffer>() == 1);
        assert!(size_of::<zmij::Buffer>() == 24);
    }
    // SAFETY: the block holds the buffer's size (checked above) at an
    // alignment of 1, and a buffer of possibly uninitialised bytes has no
    // invariant that initialised bytes break; `zmij` only writes bytes
    // into it, so the block stays initialised.
    let start = block.as_mut_ptr();
    let buffer = unsafe { &mut *start.cast::<zmij::Buffer>() };
    let text = buffer.format_finite(x);
    let (from, len) = (text.as_ptr() as usize - start as usize, text.len());
    // This version writes at the buffer's start; one that wrote further in
    // would still give the right cell, moved to the start.
    if from != 0 {
        block.copy_within(from..from + len, 0);
    }
    len
}

/// The last number formatted in a column for one key (a line's
/// capacity, a buyer's outstanding value), with its cell and its comma:
/// most per-quarter figures repeat from one quarter (or category) to the
/// next, and copying their text is several times cheaper than formatting
/// them again. A table keeps a fixed array of them for each key, so that a
/// row checks one index. Each starts with the cell of zero, so that it
/// always holds one.
#[derive(Clone, Copy)]
struct Memo {
    /// The number's bits (a float's, or a count's value).
    bits: u64,
    len: u8,
    text: [u8; CELL],
}

impl Memo {
    /// For floats: 0.0 and its cell.
    fn float() -> Memo {
        let mut text = [0; CELL];
        let len = float_cell(0.0, &mut text) as u8;
        Memo {
            bits: 0.0f64.to_bits(),
            len,
            text,
        }
    }

    /// For counts: 0 and its cell.
    fn count() -> Memo {
        let mut text = [0; CELL];
        let len = int_cell(0, &mut text) as u8;
        Memo { bits: 0, len, text }
    }
}

/// Runs of cells that repeat from row to row (a replication's number, a
/// quarter and its year, a line's firm, country, product and category),
/// formatted once for a table and copied into each row whole.
struct Chunks(Vec<Chunk>);

/// One run of cells, each followed by its comma: most fit a block, which
/// is copied whole and cut (see [`Line::put_prefix`]).
enum Chunk {
    Block([u8; CELL], u8),
    Long(Vec<u8>),
}

impl Chunks {
    /// Chunk `i` for `i` in `0..n` is what `cells` appends for it.
    fn new(n: usize, mut cells: impl FnMut(usize, &mut Line)) -> Chunks {
        // All chunks in one run of bytes, each ending at its `ends`.
        let mut bytes = Vec::new();
        let mut ends = Vec::with_capacity(n);
        Line::write(&mut bytes, |l| {
            for i in 0..n {
                cells(i, l);
                ends.push(l.at);
            }
        });
        let starts = std::iter::once(0).chain(ends.iter().copied());
        let chunks = starts
            .zip(&ends)
            .map(|(start, &end)| {
                let cells = &bytes[start..end];
                let mut block = [0; CELL];
                match block.get_mut(..cells.len()) {
                    Some(head) => {
                        head.copy_from_slice(cells);
                        Chunk::Block(block, cells.len() as u8)
                    }
                    None => Chunk::Long(cells.to_vec()),
                }
            })
            .collect();
        Chunks(chunks)
    }
}

/// The text cells of trades, formatted once for a table: each buyer's,
/// and each line's firm, country, product and category.
struct Trades {
    buyers: Chunks,
    lines: Chunks,
}

impl Trades {
    /// The cells of `w`'s buyers and lines.
    fn new(w: &World) -> Trades {
        Trades {
            buyers: Chunks::new(w.buyers.len(), |b, l| _ = l.text(&w.buyers[b].id)),
            lines: Trades::lines(w),
        }
    }

    /// Each line's firm, country, product and category.
    fn lines(w: &World) -> Chunks {
        Chunks::new(w.lines.len(), |j, cells| {
            let line = &w.lines[j];
            let supplier = &w.suppliers[line.supplier];
            cells
                .text(&supplier.id)
                .text(&w.countries[supplier.country].id)
                .text(&line.id)
                .text(&w.categories[line.category].id);
        })
    }
}

/// Whether a byte makes the `csv` crate quote the field holding it (its
/// defaults: comma, quote, CR and LF).
#[inline]
fn needs_quotes(b: u8) -> bool {
    matches!(b, b',' | b'"' | b'\r' | b'\n')
}

/// `cell` quoted with the `csv` crate itself (rare: identifiers are plain).
fn quoted(cell: &str) -> Vec<u8> {
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .from_writer(Vec::new());
    w.write_record([cell, ""]).expect("a Vec takes every byte");
    let mut bytes = w.into_inner().expect("a Vec takes every byte");
    // The record is `cell,` and its terminator.
    bytes.truncate(bytes.len() - 2);
    bytes
}

/// A number as a CSV cell; NaN (undefined) as an empty cell.
pub fn cell(x: f64) -> String {
    if x.is_nan() {
        String::new()
    } else {
        x.to_string()
    }
}

/// The columns of a run's summary (`summary.csv` after `replication`;
/// `runs.csv` of a sweep after the run's identity).
pub fn summary_header(w: &World) -> Vec<String> {
    summary_columns(w.start.year(), w.quarter(w.n_quarters - 1).year())
}

/// The columns of [`summary_header`] for a run whose quarters span the
/// years `first` to `last`: the scenario's validation reads them without
/// a world (a target's sweep columns must not repeat one).
pub fn summary_columns(first: i32, last: i32) -> Vec<String> {
    let mut h: Vec<String> = [
        "contracts",
        "total_value",
        "focus_country",
        "focus_value",
        "focus_share",
        "focus_contracts",
        "focus_lead_first",
        "other_lead_first",
        "tenders",
        "deferrals",
        "no_offer",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    h.extend((first..=last).map(|y| format!("focus_value_{y}")));
    h
}

/// A run's summary as cells at `l`, in the order of [`summary_header`].
#[inline(always)]
fn summary_into(l: &mut Line, w: &World, s: &Summary) {
    l.int(s.contracts)
        .display(s.total_value)
        .text(&w.countries[w.focus_country].id)
        .display(s.focus_value)
        .display(s.focus_share())
        .int(s.focus_contracts)
        .display_cell(s.focus_lead_first)
        .display_cell(s.other_lead_first)
        .int(s.tenders)
        .int(s.deferrals)
        .int(s.no_offer);
    for &v in &s.focus_value_by_year {
        l.display(v);
    }
}

/// One `runs.csv` row of a sweep (with its newline): `first`'s cells (the
/// run's identity), then the summary's, then `targets`' (each target's
/// value, distance and pass, then their mean distance, the statistic
/// `compare` judges by and whether all passed), formatted as [`cell`] and
/// the `csv` crate would.
pub fn run_line(
    first: &[&str],
    w: &World,
    s: &Summary,
    targets: &[TargetResult],
    statistic: f64,
) -> Vec<u8> {
    let mut out = Vec::new();
    Line::write(&mut out, |l| {
        for c in first {
            l.text(c);
        }
        summary_into(l, w, s);
        let flag = |b: bool| if b { &b"true"[..] } else { &b"false"[..] };
        for t in targets {
            l.display_cell(t.value)
                .display_cell(t.distance)
                .raw(flag(t.pass));
        }
        if !targets.is_empty() {
            let mean = targets.iter().map(|t| t.distance).sum::<f64>() / targets.len() as f64;
            l.display_cell(mean)
                .display_cell(statistic)
                .raw(flag(targets.iter().all(|t| t.pass)));
        }
        l.end();
    });
    out
}

/// Writers of the selected per-run tables. Every row may lead with a key
/// column (a sweep's `point_id`, `compare`'s `scenario`), named once for
/// all tables.
pub struct TableWriters<W: Write = Vec<u8>> {
    writers: Vec<(Table, W)>,
    lead: Option<&'static str>,
    /// Rows are formatted here, then written in one piece.
    scratch: Vec<u8>,
}

/// One replication's rows of each selected table, formatted.
pub type Rows = Vec<(Table, Vec<u8>)>;

/// The rows of `r` in `tables` (in [`Table::ALL`] order), each led by
/// `key` under the column `lead`: formatted by the thread that ran the
/// replication, so that writing is only copying bytes. They go into the
/// buffers of `spare` (rows written before, whatever their tables) where
/// there are some: reused buffers have the size of a replication's rows
/// already, so they are neither grown nor taken fresh from the allocator
/// for each replication.
pub fn format_rows_into(
    w: &World,
    r: &RunRecord,
    tables: &[Table],
    lead: Option<&'static str>,
    key: Option<&str>,
    mut spare: Rows,
) -> Rows {
    let lead = lead.map(|_| key.unwrap_or(""));
    let mut rows = Vec::with_capacity(tables.len());
    for t in Table::ALL.iter().filter(|t| tables.contains(t)) {
        // The same table's buffer if there is one: it has the right size.
        let mut out = match spare.iter().position(|(s, _)| s == t) {
            Some(i) => spare.swap_remove(i).1,
            None => spare.pop().map(|(_, b)| b).unwrap_or_default(),
        };
        rows_of(*t, w, r, lead, &mut out);
        rows.push((*t, out));
    }
    rows
}

/// The selected tables' files in a staged result, each begun with its
/// header (so that a table without rows still names its columns).
pub struct TableFiles {
    files: Vec<(Table, StagedFile)>,
}

impl TableFiles {
    /// Create `<table>.csv` in `staging` for each of `tables`.
    pub fn create(
        staging: &Staging,
        tables: &[Table],
        w: &World,
        lead: Option<&'static str>,
    ) -> io::Result<TableFiles> {
        let mut files = Vec::new();
        for t in Table::ALL.iter().filter(|t| tables.contains(t)) {
            let mut f = staging.create(&format!("{t}.csv"))?;
            f.write_all(&TableWriters::<Vec<u8>>::header(*t, w, lead))?;
            files.push((*t, f));
        }
        Ok(TableFiles { files })
    }

    /// Append one replication's formatted rows.
    pub fn append(&mut self, rows: &Rows) -> io::Result<()> {
        for (table, bytes) in rows {
            if let Some((_, f)) = self.files.iter_mut().find(|(t, _)| t == table) {
                f.write_all(bytes)?;
            }
        }
        Ok(())
    }

    /// Flush and sync every table.
    pub fn finish(self) -> io::Result<()> {
        for (_, f) in self.files {
            f.finish()?;
        }
        Ok(())
    }
}

impl<W: Write> TableWriters<W> {
    /// Tables over given writers, whose headers are written already (or
    /// not wanted): rows only.
    pub fn new(writers: Vec<(Table, W)>, lead: Option<&'static str>) -> TableWriters<W> {
        TableWriters {
            writers,
            lead,
            scratch: Vec::new(),
        }
    }

    /// The header line of `table` in `w`'s world, after the `lead` column.
    pub fn header(table: Table, w: &World, lead: Option<&str>) -> Vec<u8> {
        let summary;
        let columns: Vec<&str> = match table {
            Table::Contracts => CONTRACT_COLUMNS.to_vec(),
            Table::Market => MARKET_COLUMNS.to_vec(),
            Table::Suppliers => SUPPLIER_COLUMNS.to_vec(),
            Table::Buyers => BUYER_COLUMNS.to_vec(),
            Table::Exogenous => EXOGENOUS_COLUMNS.to_vec(),
            Table::Summary => {
                summary = summary_header(w);
                std::iter::once("replication")
                    .chain(summary.iter().map(String::as_str))
                    .collect()
            }
        };
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(lead.into_iter().chain(columns))
            .expect("a header serialises");
        out.into_inner().expect("a Vec takes every byte")
    }

    /// Hand back the underlying writers.
    pub fn into_inner(self) -> io::Result<Vec<(Table, W)>> {
        Ok(self.writers)
    }

    /// Append one run's rows; `key` fills the lead column. The exogenous
    /// table takes its rows from replication 0 only: they are the world's,
    /// the same in every replication.
    pub fn write(&mut self, w: &World, r: &RunRecord, key: Option<&str>) -> io::Result<()> {
        let lead = self.lead.map(|_| key.unwrap_or(""));
        for (table, out) in &mut self.writers {
            rows_of(*table, w, r, lead, &mut self.scratch);
            out.write_all(&self.scratch)?;
        }
        Ok(())
    }
}

/// Replace `out`'s bytes with the rows of `r` in `table`, each led by the
/// cell `lead` if there is one.
fn rows_of(table: Table, w: &World, r: &RunRecord, lead: Option<&str>, out: &mut Vec<u8>) {
    let rep = r.replication;
    // The cells every row of this replication starts with.
    let lead_cells = |l: &mut Line| {
        if let Some(k) = lead {
            l.text(k);
        }
        if table != Table::Exogenous {
            l.int(rep);
        }
    };
    let head = Chunks::new(1, |_, l| lead_cells(l));
    // Each quarter's cells (with its year, with `years`), after the
    // replication's with `lead`: most rows start with those and the
    // quarter, copied as one chunk.
    let quarters = |lead: bool, years: bool| {
        Chunks::new(w.n_quarters, |t, l| {
            if lead {
                lead_cells(l);
            }
            l.quarter(w, t);
            if years {
                l.int(w.quarter(t).year());
            }
        })
    };
    match table {
        Table::Contracts => {
            let when = quarters(false, true);
            let trades = Trades::new(w);
            Line::write_over(out, |l| {
                for (k, c) in r.contracts.iter().enumerate() {
                    l.chunk(&head, 0).int(k).chunk(&when, c.signed);
                    l.trade(w, &trades, c.buyer, c.supplier, c.line, c.category);
                    l.int(c.units)
                        .float(c.unit_price)
                        .float(c.value)
                        .float(c.credit)
                        .int(c.diverted)
                        .raw(if c.executive { b"true" } else { b"false" })
                        .float(c.lead_first)
                        .float(c.lead_mean);
                    match c.first_delivery {
                        Some(t) => l.quarter(w, t).int(t - c.signed),
                        None => l.raw(b"").raw(b""),
                    };
                    l.int(c.delivered).end();
                }
            });
        }
        Table::Market => {
            let when = quarters(true, true);
            let trades = Trades::new(w);
            Line::write_over(out, |l| {
                for m in &r.market {
                    l.chunk(&when, m.t);
                    l.trade(w, &trades, m.buyer, m.supplier, m.line, m.category);
                    l.int(m.order_units)
                        .float(m.order_value)
                        .int(m.delivered_units)
                        .float(m.delivered_value)
                        .end();
                }
            });
        }
        Table::Suppliers => {
            let mut memos = vec![[Memo::float(); 7]; w.lines.len()];
            let when = quarters(true, false);
            let what = Trades::lines(w);
            Line::write_over(out, |l| {
                for s in &r.suppliers {
                    let m = &mut memos[s.line];
                    l.chunk(&when, s.t)
                        .chunk(&what, s.line)
                        .float_in(&mut m[0], s.capacity)
                        .float_in(&mut m[1], s.capacity_pending)
                        .int(s.backlog)
                        .float_in(&mut m[2], s.cash)
                        .float_in(&mut m[3], s.interoperability)
                        .float_in(&mut m[4], s.localisation)
                        .float_in(&mut m[5], s.access)
                        .float_in(&mut m[6], s.price)
                        .end();
                }
            });
        }
        Table::Buyers => {
            // Outstanding is the buyer's, repeated in each category; each
            // (buyer, category) has a memo for its gap and for each count.
            let nb = w.buyers.len();
            let nc = w.categories.len();
            let mut outstanding = vec![Memo::float(); nb];
            let (float, count) = (Memo::float(), Memo::count());
            let mut memos = vec![[float, count, count, count]; nb * nc];
            let when = quarters(true, false);
            let who = Chunks::new(nb * nc, |k, cells| {
                cells
                    .text(&w.buyers[k / nc].id)
                    .text(&w.categories[k % nc].id);
            });
            Line::write_over(out, |l| {
                for b in &r.buyers {
                    let pair = b.buyer * nc + b.category;
                    let m = &mut memos[pair];
                    l.chunk(&when, b.t)
                        .chunk(&who, pair)
                        .float_in(&mut outstanding[b.buyer], b.outstanding)
                        .float_in(&mut m[0], b.gap)
                        .int_in(&mut m[1], b.fleet)
                        .int_in(&mut m[2], b.legacy)
                        .int_in(&mut m[3], b.on_order)
                        .end();
                }
            });
        }
        Table::Exogenous if rep == 0 => {
            Line::write_over(out, |l| {
                for t in 0..w.n_quarters {
                    for (b, buyer) in w.buyers.iter().enumerate() {
                        l.chunk(&head, 0)
                            .quarter(w, t)
                            .int(w.quarter(t).year())
                            .text(&buyer.id)
                            .text(&w.regions[buyer.region])
                            .raw(if w.is_nato(t, b) { b"true" } else { b"false" })
                            .float(w.threat_of(t, b))
                            .float(w.budget_of(t, b))
                            .end();
                    }
                }
            });
        }
        Table::Exogenous => out.clear(),
        Table::Summary => Line::write_over(out, |l| {
            lead_cells(l);
            summary_into(l, w, &r.summary);
            l.end();
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `float_cell` wrote, without its comma.
    fn float_text(x: f64) -> String {
        let mut block = [0; CELL];
        let len = float_cell(x, &mut block);
        assert_eq!(block[len - 1], b',');
        String::from_utf8(block[..len - 1].to_vec()).unwrap()
    }

    /// What `int_cell` wrote, without its comma.
    fn int_text(x: i64) -> String {
        let mut block = [0; CELL];
        let len = int_cell(x, &mut block);
        assert_eq!(block[len - 1], b',');
        String::from_utf8(block[..len - 1].to_vec()).unwrap()
    }

    /// What `Line::display` and `Line::display_cell` wrote, without their
    /// commas.
    fn display_text(x: f64) -> (String, String) {
        let mut out = Vec::new();
        Line::write(&mut out, |l| {
            l.display(x).display_cell(x);
        });
        let text = String::from_utf8(out).unwrap();
        let (display, cell) = text.rsplit_once(',').unwrap().0.split_once(',').unwrap();
        (display.to_string(), cell.to_string())
    }

    /// Numbers in the tables are written as `ryu` and `itoa` write them;
    /// in the summary's columns, as `Display` does (and [`cell`]).
    #[test]
    fn numbers_are_written_as_ryu_and_itoa_write_them() {
        let floats = [
            0.0,
            -0.0,
            1.0,
            -1.0,
            12.0,
            0.5,
            0.1 + 0.2,
            1e-7,
            1e-5,
            9.99e-6,
            1e14,
            1e15 - 1.0,
            1e15,
            1e15 + 0.5,
            1e16,
            -1e15,
            123456.75,
            0.2999999999999999,
            21.700000000000003,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        for x in floats.into_iter().chain([1e-300, 1e300, -12.0]) {
            assert_eq!(float_text(x), ryu::Buffer::new().format(x), "{x:e}");
            assert_eq!(display_text(x), (x.to_string(), cell(x)), "{x:e}");
        }
        for x in [0, 9, 10, -10, 99, 100, i64::MAX, i64::MIN, -1] {
            assert_eq!(int_text(x), itoa::Buffer::new().format(x), "{x}");
        }
    }

    proptest::proptest! {
        #[test]
        fn any_number_is_written_as_ryu_and_itoa_write_it(
            bits in proptest::prelude::any::<u64>(),
            whole in -2e15f64..2e15,
            small in proptest::prelude::any::<i64>(),
            magnitude in -7.0f64..17.0,
            mantissa in -1.0f64..1.0,
        ) {
            let spread = mantissa * 10f64.powf(magnitude);
            for x in [f64::from_bits(bits), whole.trunc(), whole, spread] {
                proptest::prop_assert_eq!(float_text(x), ryu::Buffer::new().format(x).to_string());
                proptest::prop_assert_eq!(display_text(x), (x.to_string(), cell(x)));
            }
            proptest::prop_assert_eq!(int_text(small), itoa::Buffer::new().format(small).to_string());
        }
    }

    /// A memo's cells are those formatted afresh, whether its number is
    /// the zero it starts with, repeats or changes.
    #[test]
    fn memoed_cells_are_the_cells_formatted_afresh() {
        let counts = [0, 0, 7, 7, 1234, 0, u32::MAX, u32::MAX];
        let floats = [0.0, 0.0, -0.0, 2.5, 2.5, 1e-7, 0.1 + 0.2, 12.0];
        let (mut count, mut float) = (Memo::count(), Memo::float());
        let (mut memoed, mut afresh) = (Vec::new(), Vec::new());
        for (&n, &x) in counts.iter().zip(&floats) {
            Line::write(&mut memoed, |l| {
                l.int_in(&mut count, n).float_in(&mut float, x).end()
            });
            Line::write(&mut afresh, |l| l.int(n).float(x).end());
        }
        assert_eq!(String::from_utf8(memoed), String::from_utf8(afresh));
    }

    /// Rows come out whole across the edges of the room made at a time:
    /// cells that straddle one, text longer than the room, and rows after
    /// bytes the buffer held before.
    #[test]
    fn rows_come_out_whole_across_the_room() {
        let row = |i: usize| ("t".repeat(i * 37 % (3 * ROOM)), i as f64 / 7.0, i, "a,b");
        let mut ours = b"kept\n".to_vec();
        Line::write(&mut ours, |l| {
            for i in 0..300 {
                let (text, x, n, quoted) = row(i);
                l.text(&text).float(x).int(n).text(quoted).end();
            }
        });
        let mut theirs = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(b"kept\n".to_vec());
        for i in 0..300 {
            theirs.serialize(row(i)).unwrap();
        }
        let theirs = theirs.into_inner().unwrap();
        assert!(theirs.len() > 100 * ROOM);
        assert_eq!(String::from_utf8(ours), String::from_utf8(theirs));
    }

    /// Rows written over a buffer replace its bytes, whether it held more
    /// or fewer than they take.
    #[test]
    fn rows_written_over_replace_the_old_bytes() {
        let rows = |l: &mut Line| {
            for i in 0..200 {
                l.int(i).float(f64::from(i) / 7.0).text("x").end();
            }
        };
        let mut fresh = Vec::new();
        Line::write(&mut fresh, rows);
        for old in [0, 10, fresh.len() - 1, fresh.len(), 5 * fresh.len()] {
            let mut out = vec![b'?'; old];
            Line::write_over(&mut out, rows);
            assert_eq!(
                String::from_utf8(out),
                String::from_utf8(fresh.clone()),
                "{old}"
            );
        }
    }

    /// A chunk comes out whole whatever its length, whether it fits a
    /// block or not.
    #[test]
    fn chunks_come_out_whole() {
        let texts = [
            "",
            "a",
            "2010Q1",
            &"x".repeat(31),
            &"y".repeat(32),
            &"z".repeat(80),
        ];
        let chunks = Chunks::new(texts.len(), |i, l| _ = l.text(texts[i]));
        for (i, t) in texts.iter().enumerate() {
            let mut out = b"lead,".to_vec();
            Line::write(&mut out, |l| _ = l.chunk(&chunks, i));
            assert_eq!(out, format!("lead,{t},").into_bytes());
        }
    }

    /// A trade's text cells are the ids, copied as chunks or written one
    /// by one when the supplier or category is not the line's.
    #[test]
    fn trade_cells_are_the_ids() {
        let w = crate::model::testkit::toy(&[]);
        let trades = Trades::new(&w);
        let (ns, nc) = (w.suppliers.len(), w.categories.len());
        assert!(ns > 1 && nc > 1);
        for b in 0..w.buyers.len() {
            for (j, line) in w.lines.iter().enumerate() {
                let (s, c) = (line.supplier, line.category);
                for (s, c) in [(s, c), ((s + 1) % ns, c), (s, (c + 1) % nc)] {
                    let mut ours = Vec::new();
                    Line::write(&mut ours, |l| _ = l.trade(&w, &trades, b, s, j, c));
                    let ids = [
                        &w.buyers[b].id,
                        &w.suppliers[s].id,
                        &w.countries[w.suppliers[s].country].id,
                        &line.id,
                        &w.categories[c].id,
                    ];
                    let theirs: String = ids.iter().map(|id| format!("{id},")).collect();
                    assert_eq!(String::from_utf8(ours).unwrap(), theirs);
                }
            }
        }
    }

    /// Text cells come out as the `csv` crate writes them, quoted or not.
    #[test]
    fn text_cells_are_quoted_as_csv_quotes_them() {
        let cells = ["plain", "a,b", "say \"hi\"", "two\nlines", "cr\r", ""];
        let mut ours = Vec::new();
        Line::write(&mut ours, |l| {
            for c in cells {
                l.text(c);
            }
            l.float(0.1 + 0.2).float(f64::NAN).int(-3i32).end();
        });
        let mut theirs = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(Vec::new());
        for c in cells {
            theirs.write_field(c).unwrap();
        }
        theirs.serialize((0.1 + 0.2, f64::NAN, -3i32)).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            String::from_utf8(theirs.into_inner().unwrap()).unwrap()
        );
    }
}

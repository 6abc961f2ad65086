//! Output: CSV tables of runs, reports (terminal tables and the one-file
//! HTML report), the manifest, and results put in place whole by one
//! writer at a time.

pub mod checksum;
pub mod faults;
pub mod html;
pub mod html_report;
pub mod manifest;
pub mod publish;
pub mod report;
pub mod results;
pub mod tables;

/// Every row of the CSV file at `path` after its header, in file order,
/// one record at a time (the record's memory is used again), with its
/// 0-based number: a table is folded in one record's memory, however long.
/// A CSV error (failing to open, read or parse) becomes `E` by `error`; the
/// first error `f` returns ends the pass.
pub fn each_record<E>(
    path: &std::path::Path,
    error: impl Fn(csv::Error) -> E,
    mut f: impl FnMut(usize, &csv::StringRecord) -> Result<(), E>,
) -> Result<(), E> {
    let mut rd = csv::Reader::from_path(path).map_err(&error)?;
    let mut rec = csv::StringRecord::new();
    let mut n = 0;
    while rd.read_record(&mut rec).map_err(&error)? {
        f(n, &rec)?;
        n += 1;
    }
    Ok(())
}

/// A row of the CSV file at `path` that does not parse, as `e` says:
/// where (`FILE:LINE`), what is wrong, and how a file someone wrote is
/// mended. `None` for another error (a failed read).
pub fn csv_row_fault(
    path: &std::path::Path,
    e: &csv::Error,
) -> Option<(String, String, &'static str)> {
    let at = |pos: &Option<csv::Position>| {
        format!(
            "{}:{}",
            path.display(),
            pos.as_ref().map_or(0, |p| p.line())
        )
    };
    match e.kind() {
        // The csv crate compares every row with the first, the header.
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => Some((
            at(pos),
            format!(
                "the row has {} where the header has {}",
                report::count(*len, "cell"),
                report::count(*expected_len, "column")
            ),
            "give every row one cell per column (a cell holding a comma goes in double quotes), or leave the row out",
        )),
        csv::ErrorKind::Utf8 { pos, err } => Some((
            at(pos),
            format!("cell {} is not UTF-8 text", err.field() + 1),
            "save the file as UTF-8",
        )),
        _ => None,
    }
}

/// Where cell `field` (0-based) of `rec`, a record read from the CSV file
/// at `path`, starts: `FILE:LINE:COL`, COL counted in characters from 1,
/// as an editor shows it. The record's line is read again from the file
/// (this is for error messages): quotes and line breaks inside quoted
/// cells are counted as written. Without a position, `FILE:LINE` of the
/// record, or `FILE` alone.
pub fn cell_at(path: &std::path::Path, rec: &csv::StringRecord, field: usize) -> String {
    use std::io::{BufRead, Read, Seek};
    let Some(pos) = rec.position() else {
        return path.display().to_string();
    };
    let (mut line, mut col) = (pos.line(), 1u64);
    let mut raw = Vec::new();
    let read = std::fs::File::open(path).and_then(|f| {
        let mut r = std::io::BufReader::new(f);
        r.seek(std::io::SeekFrom::Start(pos.byte()))?;
        // A quoted cell may hold line breaks: read on to the cell.
        r.take(1 << 20).read_until(0, &mut raw)
    });
    if read.is_err() {
        return format!("{}:{line}", path.display());
    }
    let text = String::from_utf8_lossy(&raw);
    let (mut at, mut quoted) = (0, false);
    for c in text.chars() {
        if at == field {
            break;
        }
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => at += 1,
            '\n' if !quoted => break,
            '\n' => {
                line += 1;
                col = 0;
            }
            _ => {}
        }
        col += 1;
    }
    format!("{}:{line}:{col}", path.display())
}

/// A CSV error as an I/O error; an I/O error inside it is handed on as it
/// is, so that the file it names is not lost.
pub fn csv_io(e: csv::Error) -> std::io::Error {
    if !e.is_io_error() {
        return std::io::Error::other(e);
    }
    match e.into_kind() {
        csv::ErrorKind::Io(e) => e,
        other => std::io::Error::other(format!("{other:?}")),
    }
}

/// A name a CSV header gives twice: its 0-based columns, first and second,
/// and the name. A reader by name would take one of them for the other.
pub fn repeated_column<'a>(
    header: impl IntoIterator<Item = &'a str>,
) -> Option<(usize, usize, &'a str)> {
    let mut seen = std::collections::HashMap::new();
    for (j, name) in header.into_iter().enumerate() {
        if let Some(&i) = seen.get(name) {
            return Some((i, j, name));
        }
        seen.insert(name, j);
    }
    None
}

/// What `meta` describes if not a regular file to read: "a folder" or "a
/// device, pipe or socket" (opening a pipe waits for a writer, for ever);
/// `None` for a regular file.
pub fn not_a_regular_file(meta: &std::fs::Metadata) -> Option<&'static str> {
    if meta.is_file() {
        None
    } else if meta.is_dir() {
        Some("a folder")
    } else {
        Some("a device, pipe or socket")
    }
}

/// Whether `a` and `b` are one existing file (by any path: links,
/// `..`, a relative and an absolute path), so that a command can refuse
/// to write its output over one of its inputs.
pub fn same_file(a: &std::path::Path, b: &std::path::Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Whether a command may write its file over `path`: nothing is there,
/// an empty file, or a file whose first 4 KiB `is_ours` recognises as the
/// command's own (a table's header, a report's content policy). A user's
/// own file, or a folder, under that name is not the command's to
/// replace. A file that is there but cannot be read is an error.
pub fn ours_to_replace(
    path: &std::path::Path,
    is_ours: impl Fn(&[u8]) -> bool,
) -> std::io::Result<bool> {
    use std::io::Read;
    if path.is_dir() {
        return Ok(false);
    }
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    let mut head = Vec::with_capacity(4096);
    file.take(4096).read_to_end(&mut head)?;
    Ok(head.is_empty() || is_ours(&head))
}

/// The first line of `head` (without its line ending).
pub fn first_line(head: &[u8]) -> &[u8] {
    let line = head.split(|&b| b == b'\n').next().unwrap_or_default();
    line.strip_suffix(b"\r").unwrap_or(line)
}

#[cfg(test)]
mod tests {
    /// A cell's place counts the file as written: quotes, a comma inside
    /// quotes, a line break inside a quoted cell, characters not bytes.
    #[test]
    fn a_cell_is_located_as_an_editor_shows_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        std::fs::write(&path, "a,b,c\n1,2,3\n\"x,y\",é,z\n\"p\nq\",r,s\n").unwrap();
        let mut rd = csv::Reader::from_path(&path).unwrap();
        let rows: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
        let at = |row: usize, field: usize| {
            let s = super::cell_at(&path, &rows[row], field);
            s.rsplit_once("t.csv:").unwrap().1.to_string()
        };
        assert_eq!(at(0, 0), "2:1");
        assert_eq!(at(0, 2), "2:5");
        assert_eq!(at(1, 1), "3:7");
        assert_eq!(at(1, 2), "3:9");
        assert_eq!(at(2, 0), "4:1");
        assert_eq!(at(2, 1), "5:4");
    }
}

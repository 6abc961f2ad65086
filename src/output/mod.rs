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

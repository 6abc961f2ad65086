//! The ledger of a durable batch: what has been written durably.
//!
//! A batch appends each job's rows, in job order, to part files. At
//! intervals it flushes and syncs them, then appends one ledger entry: how
//! many jobs are complete and the length and running hash (xxh64) of every
//! part file at that moment, preceded by a line for each job that failed since the last
//! entry, with the byte spans its placeholder rows take in each part (so
//! that a retry can put the real rows there without reading the files'
//! format). After a crash, resuming checks each part file's first bytes
//! against the length and hash of the last entry (a file changed since is
//! refused), cuts it back to that length and continues with the next job,
//! so the files end exactly as an uninterrupted batch would have written
//! them: no job lost, none duplicated, none altered.
//!
//! Lines, each ending with the xxh64 of the text before it, in hex:
//!
//! - `armsmarket-ledger 2 NAME,NAME,...`: the header, naming the parts;
//! - `F JOB S-E S-E ...`: job `JOB` failed; its rows span `S..E` in each
//!   part;
//! - `E JOBS LEN:HASH LEN:HASH ...`: the first `JOBS` jobs are written;
//!   the parts' lengths and hashes; the `F` lines since the previous entry
//!   hold;
//! - `R JOBS LEN:HASH ...`: the parts were rebuilt with retried jobs; the
//!   `F` lines since the previous entry replace every earlier failure.
//!
//! A last line without its newline is what a kill during the append
//! leaves: it is ignored and reported. Any other bad line is corruption and
//! stops the resume.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use xxhash_rust::xxh64::Xxh64;

/// Seed of the part files' running hashes.
const PART_SEED: u64 = 0x9a27;

/// A file appended to by a batch, counting its length and hashing its
/// bytes as they go.
pub struct PartFile {
    path: PathBuf,
    out: BufWriter<File>,
    len: u64,
    hash: Xxh64,
}

impl std::fmt::Debug for PartFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartFile")
            .field("path", &self.path)
            .field("len", &self.len)
            .finish()
    }
}

impl PartFile {
    /// Create `path` (which must not exist) with `header` as its first
    /// bytes.
    pub fn create(path: &Path, header: &[u8]) -> io::Result<PartFile> {
        let f = OpenOptions::new()
            .create_new(true)
            .read(true)
            .write(true)
            .open(path)?;
        let mut p = PartFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, f),
            len: 0,
            hash: Xxh64::new(PART_SEED),
        };
        p.append(header)?;
        Ok(p)
    }

    /// Reopen `path`, whose first `len` bytes must hash to `hash` (as a
    /// ledger recorded them), cut back to them.
    pub fn reopen(path: &Path, len: u64, hash: u64) -> io::Result<PartFile> {
        let changed = |what: String| {
            io::Error::new(
                io::ErrorKind::InvalidData,
                format!(
                    "{what}: the file was changed outside the batch since the ledger recorded it, so it cannot be resumed safely: run the batch again without --resume"
                ),
            )
        };
        let mut f = match OpenOptions::new().read(true).write(true).open(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                return Err(changed("it is missing".into()));
            }
            f => f?,
        };
        let actual = f.metadata()?.len();
        if actual < len {
            return Err(changed(format!(
                "it is {actual} bytes but the ledger recorded {len}"
            )));
        }
        let mut hasher = Xxh64::new(PART_SEED);
        let mut rest = len;
        let mut buf = vec![0u8; 1 << 16];
        while rest > 0 {
            let n = f.read(&mut buf[..rest.min(1 << 16) as usize])?;
            if n == 0 {
                return Err(changed("it ended early".into()));
            }
            hasher.update(&buf[..n]);
            rest -= n as u64;
        }
        if hasher.digest() != hash {
            return Err(changed(format!("its first {len} bytes changed")));
        }
        f.set_len(len)?;
        f.seek(SeekFrom::Start(len))?;
        Ok(PartFile {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, f),
            len,
            hash: hasher,
        })
    }

    /// Where it is.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Append bytes.
    pub fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.out.write_all(bytes)?;
        self.hash.update(bytes);
        self.len += bytes.len() as u64;
        Ok(())
    }

    /// Flush and sync to disk; returns the length and the hash of the
    /// bytes so far.
    pub fn sync(&mut self) -> io::Result<(u64, u64)> {
        self.out.flush()?;
        self.out.get_ref().sync_data()?;
        Ok((self.len, self.hash.digest()))
    }
}

/// The running hash of `bytes` as a [`PartFile`] computes it.
pub fn part_hash(bytes: &[u8]) -> u64 {
    xxhash_rust::xxh64::xxh64(bytes, PART_SEED)
}

/// A fresh running hash, as a [`PartFile`] starts it.
pub fn part_hasher() -> Xxh64 {
    Xxh64::new(PART_SEED)
}

/// One durable state: jobs complete and the part files' lengths and
/// hashes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Jobs complete (a prefix of the job list).
    pub jobs: u64,
    /// Length of each part file, in the header's order.
    pub lengths: Vec<u64>,
    /// The xxh64 of each part file's first `length` bytes.
    pub hashes: Vec<u64>,
}

/// A job that failed, and the bytes its placeholder rows take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The job.
    pub job: u64,
    /// Its rows' span `start..end` in each part file.
    pub spans: Vec<(u64, u64)>,
}

/// Why a ledger cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The ledger.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// A line is damaged.
    #[error(
        "{}:{line}: corrupted ledger entry ({why}); the batch cannot be resumed safely from it: run it again without --resume",
        path.display()
    )]
    Corrupt {
        /// The ledger.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        why: String,
    },
}

fn checksum(text: &str) -> String {
    format!(
        "{:016x}",
        xxhash_rust::xxh64::xxh64(text.as_bytes(), 0x1ed6e5)
    )
}

/// A line with its checksum and newline.
fn line(text: &str) -> String {
    format!("{text} {}\n", checksum(text))
}

fn entry_text(kind: char, e: &Entry) -> String {
    let mut text = format!("{kind} {}", e.jobs);
    for (l, h) in e.lengths.iter().zip(&e.hashes) {
        text.push_str(&format!(" {l}:{h:016x}"));
    }
    text
}

fn failure_text(f: &Failure) -> String {
    let mut text = format!("F {}", f.job);
    for (s, e) in &f.spans {
        text.push_str(&format!(" {s}-{e}"));
    }
    text
}

/// The ledger file of a batch.
#[derive(Debug)]
pub struct Ledger {
    file: File,
}

/// What reading a ledger found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Contents {
    /// Part file names, from the header.
    pub files: Vec<String>,
    /// The last good entry, if any.
    pub last: Option<Entry>,
    /// Whether the last entry records a rebuild.
    pub rebuilt: bool,
    /// The jobs failed as of the last entry, in job order.
    pub failures: Vec<Failure>,
    /// A note about an unfinished last line, to show the user.
    pub torn: Option<String>,
}

impl Ledger {
    /// Start a new ledger for these part files with its first entry. The
    /// ledger appears whole (written under a temporary name, synced,
    /// renamed): a batch killed while creating it has no ledger at all,
    /// never a damaged one.
    pub fn create(path: &Path, files: &[String], first: &Entry) -> io::Result<Ledger> {
        let tmp = path.with_extension("tmp");
        {
            let mut file = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&tmp)?;
            let head = format!("armsmarket-ledger 2 {}", files.join(","));
            file.write_all(line(&head).as_bytes())?;
            file.write_all(line(&entry_text('E', first)).as_bytes())?;
            file.sync_data()?;
        }
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            crate::output::publish::sync_dir(dir)?;
        }
        Ledger::append_to(path)
    }

    /// Open an existing ledger to append to, after it was read.
    pub fn append_to(path: &Path) -> io::Result<Ledger> {
        Ok(Ledger {
            file: OpenOptions::new().append(true).open(path)?,
        })
    }

    /// Append the failures since the last entry and a new entry, in one
    /// write, and sync.
    pub fn record(&mut self, failures: &[Failure], e: &Entry) -> io::Result<()> {
        self.append(failures, 'E', e)
    }

    /// Append the failures that remain after a rebuild and its entry.
    pub fn record_rebuild(&mut self, failures: &[Failure], e: &Entry) -> io::Result<()> {
        self.append(failures, 'R', e)
    }

    fn append(&mut self, failures: &[Failure], kind: char, e: &Entry) -> io::Result<()> {
        let mut text = String::new();
        for f in failures {
            text.push_str(&line(&failure_text(f)));
        }
        text.push_str(&line(&entry_text(kind, e)));
        self.file.write_all(text.as_bytes())?;
        self.file.sync_data()
    }

    /// Read a ledger; a torn last line is dropped from the file (so that
    /// appends continue cleanly) and reported in `torn`.
    ///
    /// It is read a line at a time and only its last entry and the
    /// failures are kept: the ledger grows by an entry every few thousand
    /// jobs (and every few seconds), and was held whole: some 22 GB for a
    /// sweep of 10^12 runs.
    pub fn read(path: &Path) -> Result<Contents, LedgerError> {
        let io = |source| LedgerError::Io {
            path: path.to_path_buf(),
            source,
        };
        let mut rd = BufReader::new(File::open(path).map_err(io)?);
        let corrupt = |line: usize, why: &str| LedgerError::Corrupt {
            path: path.to_path_buf(),
            line,
            why: why.to_string(),
        };
        let checked = |n: usize, l: &str| -> Result<Vec<String>, LedgerError> {
            let (body, sum) = l
                .rsplit_once(' ')
                .ok_or_else(|| corrupt(n, "no checksum"))?;
            if checksum(body) != sum {
                return Err(corrupt(n, "checksum mismatch"));
            }
            Ok(body.split(' ').map(str::to_string).collect())
        };
        let number = |n: usize, x: &str| x.parse::<u64>().map_err(|_| corrupt(n, "not a number"));
        let mut torn = None;
        let mut files: Option<Vec<String>> = None;
        let mut last: Option<Entry> = None;
        let mut rebuilt = false;
        let mut failures: Vec<Failure> = Vec::new();
        let mut pending: Vec<Failure> = Vec::new();
        let mut buf = Vec::new();
        // Bytes of the complete lines read so far.
        let mut complete_len = 0u64;
        let mut n = 0;
        loop {
            buf.clear();
            let got = rd.read_until(b'\n', &mut buf).map_err(io)?;
            if got == 0 {
                break;
            }
            if buf.last() != Some(&b'\n') {
                torn = Some(format!(
                    "{}: the last ledger line was cut short by an interrupted write; ignoring it (the jobs it would have recorded are run again)",
                    path.display()
                ));
                OpenOptions::new()
                    .write(true)
                    .open(path)
                    .and_then(|f| f.set_len(complete_len))
                    .map_err(io)?;
                break;
            }
            complete_len += got as u64;
            n += 1;
            // The line's end as `str::lines` takes it off.
            buf.pop();
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            let l = std::str::from_utf8(&buf).map_err(|_| corrupt(n, "not text"))?;
            let Some(files) = &files else {
                let head = checked(n, l)?;
                if head.first().map(String::as_str) != Some("armsmarket-ledger") {
                    return Err(corrupt(n, "not an armsmarket ledger"));
                }
                if head.get(1).map(String::as_str) != Some("2") {
                    return Err(corrupt(
                        n,
                        "written by another version of armsmarket, whose ledger this one cannot read",
                    ));
                }
                files = Some(
                    head.get(2)
                        .map(|s| {
                            s.split(',')
                                .filter(|s| !s.is_empty())
                                .map(str::to_string)
                                .collect()
                        })
                        .unwrap_or_default(),
                );
                continue;
            };
            let fields = checked(n, l)?;
            match fields.first().map(String::as_str) {
                Some("F") => {
                    if fields.len() != files.len() + 2 {
                        return Err(corrupt(n, "wrong number of fields"));
                    }
                    let mut spans = Vec::new();
                    for f in &fields[2..] {
                        let (s, e) = f.split_once('-').ok_or_else(|| corrupt(n, "not a span"))?;
                        spans.push((number(n, s)?, number(n, e)?));
                    }
                    pending.push(Failure {
                        job: number(n, &fields[1])?,
                        spans,
                    });
                }
                Some(kind @ ("E" | "R")) => {
                    if fields.len() != files.len() + 2 {
                        return Err(corrupt(n, "wrong number of fields"));
                    }
                    let mut lengths = Vec::new();
                    let mut hashes = Vec::new();
                    for f in &fields[2..] {
                        let (l, h) = f.split_once(':').ok_or_else(|| corrupt(n, "no hash"))?;
                        lengths.push(number(n, l)?);
                        hashes.push(
                            u64::from_str_radix(h, 16).map_err(|_| corrupt(n, "not a hash"))?,
                        );
                    }
                    let e = Entry {
                        jobs: number(n, &fields[1])?,
                        lengths,
                        hashes,
                    };
                    let backwards = last.as_ref().is_some_and(|p| {
                        e.jobs < p.jobs
                            || (kind == "E" && e.lengths.iter().zip(&p.lengths).any(|(a, b)| a < b))
                    });
                    if backwards {
                        return Err(corrupt(n, "goes backwards"));
                    }
                    let outside = pending.iter().any(|f| {
                        f.job >= e.jobs
                            || f.spans
                                .iter()
                                .zip(&e.lengths)
                                .any(|((s, t), len)| s > t || t > len)
                    });
                    if outside {
                        return Err(corrupt(n, "a failure lies outside the entry"));
                    }
                    rebuilt = kind == "R";
                    if rebuilt {
                        failures = std::mem::take(&mut pending);
                    } else {
                        failures.append(&mut pending);
                    }
                    last = Some(e);
                }
                _ => return Err(corrupt(n, "unknown line")),
            }
        }
        let files = files.ok_or_else(|| corrupt(1, "no header"))?;
        Ok(Contents {
            files,
            last,
            rebuilt,
            failures,
            torn,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files() -> Vec<String> {
        vec!["runs.csv".into(), "market.csv".into()]
    }

    fn entry(jobs: u64, runs: u64, market: u64) -> Entry {
        Entry {
            jobs,
            lengths: vec![runs, market],
            hashes: vec![runs * 7, market * 7],
        }
    }

    /// A ledger in a temporary directory, started at 10 jobs.
    fn started() -> (tempfile::TempDir, PathBuf, Ledger) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger");
        let l = Ledger::create(&p, &files(), &entry(10, 100, 2000)).unwrap();
        (dir, p, l)
    }

    #[test]
    fn entries_and_failures_round_trip() {
        let (_dir, p, mut l) = started();
        let f = Failure {
            job: 12,
            spans: vec![(120, 130), (2100, 2100)],
        };
        l.record(std::slice::from_ref(&f), &entry(25, 250, 4000))
            .unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.files, files());
        assert_eq!(c.last, Some(entry(25, 250, 4000)));
        assert_eq!(c.failures, vec![f]);
        assert!(!c.rebuilt);
        assert_eq!(c.torn, None);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains("\nF 12 120-130 2100-2100 "), "{text}");
    }

    #[test]
    fn failures_count_only_once_an_entry_commits_them() {
        let (_dir, p, mut l) = started();
        let f = |job| Failure {
            job,
            spans: vec![(100, 110), (2000, 2000)],
        };
        l.record(&[f(11)], &entry(20, 200, 3000)).unwrap();
        // A rebuild keeps only the failures it lists.
        l.record_rebuild(&[f(13)], &entry(20, 205, 3050)).unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.failures, vec![f(13)]);
        assert!(c.rebuilt);
        // A failure line that no entry follows was not durable: dropped.
        let mut file = OpenOptions::new().append(true).open(&p).unwrap();
        file.write_all(line(&failure_text(&f(21))).as_bytes())
            .unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.failures, vec![f(13)]);
    }

    #[test]
    fn a_torn_last_line_is_reported_and_dropped() {
        let (_dir, p, _) = started();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"E 25 250:00").unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.last.unwrap().jobs, 10);
        assert!(c.torn.unwrap().contains("cut short"));
        // The file is clean again: appending works.
        let mut l = Ledger::append_to(&p).unwrap();
        l.record(&[], &entry(30, 300, 5000)).unwrap();
        assert_eq!(Ledger::read(&p).unwrap().last.unwrap().jobs, 30);
    }

    #[test]
    fn a_corrupted_line_is_detected_not_skipped() {
        let (_dir, p, mut l) = started();
        l.record(&[], &entry(20, 200, 3000)).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        // Flip one digit in the middle line.
        let bad = text.replacen("E 10 100:", "E 10 190:", 1);
        std::fs::write(&p, bad).unwrap();
        let e = Ledger::read(&p).unwrap_err().to_string();
        assert!(
            e.contains(":2: corrupted ledger entry (checksum mismatch)"),
            "{e}"
        );
    }

    #[test]
    fn a_line_that_is_not_text_is_corrupt_at_its_number() {
        let (_dir, p, mut l) = started();
        l.record(&[], &entry(20, 200, 3000)).unwrap();
        let mut bytes = std::fs::read(&p).unwrap();
        let second = bytes.iter().position(|&b| b == b'\n').unwrap() + 3;
        bytes[second] = 0xff;
        std::fs::write(&p, bytes).unwrap();
        let e = Ledger::read(&p).unwrap_err().to_string();
        assert!(e.contains(":2: corrupted ledger entry (not text)"), "{e}");
    }

    #[test]
    fn a_ledger_of_another_version_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ledger");
        let head = "armsmarket-ledger 1 runs.csv";
        std::fs::write(&p, line(head)).unwrap();
        let e = Ledger::read(&p).unwrap_err().to_string();
        assert!(e.contains("another version"), "{e}");
    }

    #[test]
    fn part_files_truncate_to_the_recorded_length() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("runs.part");
        let mut f = PartFile::create(&p, b"header\n").unwrap();
        f.append(b"row1\n").unwrap();
        let (len, hash) = f.sync().unwrap();
        assert_eq!(hash, part_hash(b"header\nrow1\n"));
        f.append(b"row2 half-writ").unwrap();
        f.sync().unwrap();
        drop(f);
        let mut f = PartFile::reopen(&p, len, hash).unwrap();
        f.append(b"row2\n").unwrap();
        let (_, hash) = f.sync().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "header\nrow1\nrow2\n");
        assert_eq!(hash, part_hash(b"header\nrow1\nrow2\n"));
        // A file shorter than recorded, or changed, was tampered with.
        assert!(PartFile::reopen(&p, 1000, hash).is_err());
        std::fs::write(&p, "header\nrow9\nrow2\n").unwrap();
        let e = PartFile::reopen(&p, 12, part_hash(b"header\nrow1\n")).unwrap_err();
        assert!(e.to_string().contains("first 12 bytes changed"), "{e}");
        // A part is never created over an existing file.
        assert!(PartFile::create(&p, b"").is_err());
    }
}

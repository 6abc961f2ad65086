//! The run ledger of a sweep: what has been written durably.
//!
//! A sweep appends its rows, in job order, to part files. At intervals it
//! flushes and syncs them, then appends one ledger line: how many jobs are
//! complete and the length of every part file at that moment, with a
//! checksum. After a crash, resuming truncates each part file to the
//! lengths of the last good line and continues with the next job, so the
//! files end exactly as an uninterrupted sweep would have written them: no
//! run lost, none duplicated.
//!
//! Line format: `JOBS LEN1 LEN2 ... CHECKSUM`, the checksum being the xxh64
//! of the text before it, in hex. The first line is a header naming the
//! part files. A last line without its newline is what a kill during the
//! append leaves: it is ignored and reported. Any other bad line is
//! corruption and stops the resume.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// A file appended to by a sweep, counting its length. Clones share the
/// file, so that one clone can sit inside a CSV writer while another syncs
/// it.
#[derive(Debug, Clone)]
pub struct PartFile(Arc<Mutex<PartInner>>);

#[derive(Debug)]
struct PartInner {
    path: PathBuf,
    out: BufWriter<File>,
    len: u64,
}

impl PartFile {
    /// Create (empty) or reopen `path`, truncated to `len` bytes.
    pub fn open(path: &Path, len: Option<u64>) -> io::Result<PartFile> {
        let mut f = OpenOptions::new()
            .create(true)
            .read(true)
            .write(true)
            .truncate(len.is_none())
            .open(path)?;
        let len = len.unwrap_or(0);
        let actual = f.metadata()?.len();
        if actual < len {
            return Err(io::Error::other(format!(
                "{} is {actual} bytes but the ledger recorded {len}: the file was changed outside the sweep",
                path.display()
            )));
        }
        f.set_len(len)?;
        f.seek(SeekFrom::Start(len))?;
        Ok(PartFile(Arc::new(Mutex::new(PartInner {
            path: path.to_path_buf(),
            out: BufWriter::with_capacity(1 << 16, f),
            len,
        }))))
    }

    fn inner(&self) -> std::sync::MutexGuard<'_, PartInner> {
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Where it is.
    pub fn path(&self) -> PathBuf {
        self.inner().path.clone()
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.inner().len
    }

    /// Whether nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Flush and sync to disk; returns the length.
    pub fn sync(&self) -> io::Result<u64> {
        let mut i = self.inner();
        i.out.flush()?;
        i.out.get_ref().sync_data()?;
        Ok(i.len)
    }
}

impl Write for PartFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let mut i = self.inner();
        let n = i.out.write(buf)?;
        i.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner().out.flush()
    }
}

/// One durable state: jobs complete and the part files' lengths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Jobs complete (a prefix of the job list).
    pub jobs: u64,
    /// Length of each part file, in the header's order.
    pub lengths: Vec<u64>,
}

/// Why a ledger cannot be used.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum LedgerError {
    /// Reading or writing failed.
    #[error("{path}: {source}")]
    Io {
        /// The ledger.
        path: String,
        /// The cause.
        source: io::Error,
    },
    /// A line is damaged.
    #[error(
        "{path}:{line}: corrupted ledger entry ({why}); the sweep cannot be resumed safely from it: delete the directory and run the sweep again"
    )]
    Corrupt {
        /// The ledger.
        path: String,
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

/// An entry as a ledger line, with its checksum and newline.
fn entry_line(e: &Entry) -> String {
    let mut text = e.jobs.to_string();
    for l in &e.lengths {
        text.push(' ');
        text.push_str(&l.to_string());
    }
    format!("{text} {}\n", checksum(&text))
}

/// The ledger file of a sweep.
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
    /// A note about an unfinished last line, to show the user.
    pub torn: Option<String>,
}

impl Ledger {
    /// Start a new ledger for these part files with its first entry. The
    /// ledger appears whole (written under a temporary name, synced,
    /// renamed): a sweep killed while creating it has no ledger at all,
    /// never a damaged one.
    pub fn create(path: &Path, files: &[String], first: &Entry) -> io::Result<Ledger> {
        let tmp = path.with_extension("tmp");
        {
            let mut file = File::create(&tmp)?;
            let head = format!("armsmarket-ledger 1 {}", files.join(","));
            file.write_all(format!("{head} {}\n", checksum(&head)).as_bytes())?;
            file.write_all(entry_line(first).as_bytes())?;
            file.sync_data()?;
        }
        std::fs::rename(&tmp, path)?;
        if let Some(dir) = path.parent() {
            File::open(dir)?.sync_all()?;
        }
        Ledger::append_to(path)
    }

    /// Open an existing ledger to append to, after it was read.
    pub fn append_to(path: &Path) -> io::Result<Ledger> {
        Ok(Ledger {
            file: OpenOptions::new().append(true).open(path)?,
        })
    }

    /// Append an entry and sync it.
    pub fn record(&mut self, e: &Entry) -> io::Result<()> {
        // One write call for the whole line.
        self.file.write_all(entry_line(e).as_bytes())?;
        self.file.sync_data()
    }

    /// Read a ledger; a torn last line is dropped from the file (so that
    /// appends continue cleanly) and reported in `torn`.
    pub fn read(path: &Path) -> Result<Contents, LedgerError> {
        let p = path.display().to_string();
        let io = |source| LedgerError::Io {
            path: p.clone(),
            source,
        };
        let mut text = String::new();
        File::open(path)
            .and_then(|mut f| f.read_to_string(&mut text))
            .map_err(io)?;
        let corrupt = |line: usize, why: &str| LedgerError::Corrupt {
            path: p.clone(),
            line,
            why: why.to_string(),
        };
        let mut torn = None;
        let complete_len = match text.rfind('\n') {
            Some(i) => i + 1,
            None => 0,
        };
        if complete_len < text.len() {
            torn = Some(format!(
                "{p}: the last ledger line was cut short by an interrupted write; ignoring it (the runs it would have recorded are run again)"
            ));
            OpenOptions::new()
                .write(true)
                .open(path)
                .and_then(|f| f.set_len(complete_len as u64))
                .map_err(io)?;
        }
        let mut lines = text[..complete_len].lines().enumerate();
        let split = |line: &str| -> Option<(String, String)> {
            let (body, sum) = line.rsplit_once(' ')?;
            Some((body.to_string(), sum.to_string()))
        };
        let (_, head) = lines.next().ok_or_else(|| corrupt(1, "no header"))?;
        let (body, sum) = split(head).ok_or_else(|| corrupt(1, "no checksum"))?;
        if checksum(&body) != sum {
            return Err(corrupt(1, "checksum mismatch"));
        }
        let mut parts = body.split(' ');
        if parts.next() != Some("armsmarket-ledger") || parts.next() != Some("1") {
            return Err(corrupt(1, "not an armsmarket ledger"));
        }
        let files: Vec<String> = parts
            .next()
            .unwrap_or("")
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect();
        let mut last: Option<Entry> = None;
        for (i, line) in lines {
            let n = i + 1;
            let (body, sum) = split(line).ok_or_else(|| corrupt(n, "no checksum"))?;
            if checksum(&body) != sum {
                return Err(corrupt(n, "checksum mismatch"));
            }
            let nums: Vec<u64> = body
                .split(' ')
                .map(|x| x.parse::<u64>())
                .collect::<Result<_, _>>()
                .map_err(|_| corrupt(n, "not numbers"))?;
            if nums.len() != files.len() + 1 {
                return Err(corrupt(n, "wrong number of fields"));
            }
            let e = Entry {
                jobs: nums[0],
                lengths: nums[1..].to_vec(),
            };
            if let Some(prev) = &last
                && (e.jobs < prev.jobs || e.lengths.iter().zip(&prev.lengths).any(|(a, b)| a < b))
            {
                return Err(corrupt(n, "goes backwards"));
            }
            last = Some(e);
        }
        Ok(Contents { files, last, torn })
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
    fn entries_round_trip() {
        let (_dir, p, mut l) = started();
        l.record(&entry(25, 250, 4000)).unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.files, files());
        assert_eq!(c.last, Some(entry(25, 250, 4000)));
        assert_eq!(c.torn, None);
    }

    #[test]
    fn a_torn_last_line_is_reported_and_dropped() {
        let (_dir, p, _) = started();
        let mut f = OpenOptions::new().append(true).open(&p).unwrap();
        f.write_all(b"25 250 40").unwrap();
        let c = Ledger::read(&p).unwrap();
        assert_eq!(c.last.unwrap().jobs, 10);
        assert!(c.torn.unwrap().contains("cut short"));
        // The file is clean again: appending works.
        let mut l = Ledger::append_to(&p).unwrap();
        l.record(&entry(30, 300, 5000)).unwrap();
        assert_eq!(Ledger::read(&p).unwrap().last.unwrap().jobs, 30);
    }

    #[test]
    fn a_corrupted_line_is_detected_not_skipped() {
        let (_dir, p, mut l) = started();
        l.record(&entry(20, 200, 3000)).unwrap();
        let text = std::fs::read_to_string(&p).unwrap();
        // Flip one digit in the middle line.
        let bad = text.replacen("10 100", "10 190", 1);
        std::fs::write(&p, bad).unwrap();
        let e = Ledger::read(&p).unwrap_err().to_string();
        assert!(
            e.contains(":2: corrupted ledger entry (checksum mismatch)"),
            "{e}"
        );
    }

    #[test]
    fn part_files_truncate_to_the_recorded_length() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("runs.part");
        let mut f = PartFile::open(&p, None).unwrap();
        f.write_all(b"header\nrow1\n").unwrap();
        let len = f.sync().unwrap();
        f.write_all(b"row2 half-writ").unwrap();
        f.sync().unwrap();
        drop(f);
        let mut f = PartFile::open(&p, Some(len)).unwrap();
        f.write_all(b"row2\n").unwrap();
        f.sync().unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "header\nrow1\nrow2\n");
        // A file shorter than recorded was tampered with.
        assert!(PartFile::open(&p, Some(1000)).is_err());
    }
}

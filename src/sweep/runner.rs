//! A durable batch of jobs: jobs `0..n` run in parallel and their rows are
//! appended to part files in job order, with a ledger entry at intervals
//! ([`crate::sweep::ledger`]), so that a killed batch resumes where its
//! ledger ends and finishes with the bytes an uninterrupted one writes.
//!
//! The runner knows nothing of what the jobs are: a [`Jobs`] says how many
//! there are, which part files they write (with their headers), how to
//! prepare a chunk of jobs (e.g. compile the worlds they share), how to run
//! one, and which bytes a job (or its failure) adds to each part. A sweep is
//! one such batch; a generation of a calibration is another.
//!
//! A job that panics or fails is recorded as failed (its placeholder rows
//! are written, their spans are in the ledger) and the batch goes on; when
//! a finished batch is resumed, its failed jobs run again and their rows are
//! put in place of the placeholders.

use crate::engine::batch::{self, Completion, Control};
use crate::output::faults;
use crate::sweep::ledger::{Contents, Entry, Failure, Ledger, LedgerError, PartFile, part_hasher};
use crate::sweep::resume::{Start, WorkDir};
use std::io::{self, Read, Write};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A part file of a batch: its name and the bytes it starts with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The file's name in the finished result (`runs.csv`).
    pub name: String,
    /// Its first bytes (a CSV header).
    pub header: Vec<u8>,
}

/// What a durable batch runs.
pub trait Jobs: Sync {
    /// What the jobs of one chunk share (compiled worlds).
    type Chunk: Send + Sync;
    /// What a job that ran gives (typically its rows, already rendered).
    type Done: Send;
    /// The part files, in a fixed order.
    fn parts(&self) -> Vec<Part>;
    /// The number of jobs.
    fn count(&self) -> u64;
    /// Jobs per chunk for a pool of `threads` (chunks are consecutive).
    fn chunk_size(&self, threads: usize) -> u64 {
        batch::window_for(threads) as u64
    }
    /// Prepare the shared inputs of `jobs` (ascending); `previous` is the
    /// chunk before, for reuse. Runs on the pool.
    fn prepare(&self, jobs: &[u64], previous: Option<&Self::Chunk>) -> Self::Chunk;
    /// Run one job; `Err` fails it with a message. Runs on the pool.
    fn run(&self, chunk: &Self::Chunk, job: u64) -> Result<Self::Done, String>;
    /// The bytes `job` adds to each part, in part order: its rows, or its
    /// failure's placeholder rows.
    fn rows(&self, job: u64, outcome: Result<Self::Done, String>) -> Vec<Vec<u8>>;
}

/// Why a batch could not run.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunnerError {
    /// Reading or writing its files failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// The ledger cannot be used.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// The ledger names other part files than these jobs write.
    #[error(
        "{}: the ledger records the parts {found:?}, but this batch writes {want:?}: run it again without --resume",
        path.display()
    )]
    OtherParts {
        /// The ledger.
        path: PathBuf,
        /// What it records.
        found: Vec<String>,
        /// What the jobs write.
        want: Vec<String>,
    },
    /// A part file is missing or changed since the ledger recorded it.
    #[error("{}: {why}", path.display())]
    PartChanged {
        /// The part file.
        path: PathBuf,
        /// What is wrong, and what to do.
        why: String,
    },
    /// A part file begins with another header than these jobs write: it
    /// was begun by a version of armsmarket whose tables had other
    /// columns, or its first line is damaged, and rows of both kinds must
    /// not share a file.
    #[error(
        "{}: the file does not begin with the columns this version of armsmarket writes (another version began it, or its first line is damaged): run the batch again without --resume",
        path.display()
    )]
    OtherColumns {
        /// The part file.
        path: PathBuf,
    },
}

/// How a batch ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    /// Jobs written (all of them unless stopped).
    pub done: u64,
    /// Jobs recorded as failed, in order.
    pub failed: Vec<u64>,
    /// Whether every job was written or a stop cut the batch short.
    pub completion: Completion,
}

/// Ledger entries at most this far apart in time.
const SYNC_INTERVAL: Duration = Duration::from_secs(2);

/// Ledger entries at most this many jobs apart.
const SYNC_JOBS: u64 = 4096;

/// The open part files and ledger of a running batch.
struct Open {
    parts: Vec<PartFile>,
    ledger: Ledger,
    /// Failures since the last entry.
    pending: Vec<Failure>,
    syncs: u64,
    ledger_path: PathBuf,
}

impl Open {
    fn sync(&mut self, jobs: u64) -> Result<(), RunnerError> {
        let (mut lengths, mut hashes) = (Vec::new(), Vec::new());
        for p in &mut self.parts {
            let path = p.path().to_path_buf();
            let (len, hash) = p
                .sync()
                .map_err(|source| RunnerError::Io { path, source })?;
            lengths.push(len);
            hashes.push(hash);
        }
        let path = self.ledger_path.clone();
        let entry = Entry {
            jobs,
            lengths,
            hashes,
        };
        self.ledger
            .record(&self.pending, &entry)
            .map_err(|source| RunnerError::Io { path, source })?;
        self.pending.clear();
        self.syncs += 1;
        faults::abort_at("sync", self.syncs);
        Ok(())
    }

    /// Append a job's rows; a failure is remembered with its spans.
    fn append(&mut self, job: u64, rows: &[Vec<u8>], failed: bool) -> Result<(), RunnerError> {
        let mut spans = Vec::with_capacity(rows.len());
        for (p, bytes) in self.parts.iter_mut().zip(rows) {
            let start = p.len();
            p.append(bytes).map_err(|source| RunnerError::Io {
                path: p.path().to_path_buf(),
                source,
            })?;
            spans.push((start, p.len()));
        }
        if failed {
            self.pending.push(Failure { job, spans });
        }
        Ok(())
    }
}

/// Whether the file at `path` begins with `header` (a missing file is left
/// to the reopening that follows, which says so).
fn begins_with(path: &Path, header: &[u8]) -> io::Result<bool> {
    let mut f = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(true),
        Err(e) => return Err(e),
    };
    let mut start = vec![0; header.len()];
    match f.read_exact(&mut start) {
        Ok(()) => Ok(start == header),
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => Ok(false),
        Err(e) => Err(e),
    }
}

/// Run `jobs` in `work` from `start`: write every job not yet written, then
/// retry the jobs that had failed before this call.
pub fn run<J: Jobs>(
    jobs: &J,
    work: &WorkDir,
    start: Start,
    pool: &rayon::ThreadPool,
    control: Control<'_>,
) -> Result<Report, RunnerError> {
    let parts = jobs.parts();
    let names: Vec<String> = parts.iter().map(|p| p.name.clone()).collect();
    let n = jobs.count();
    let ledger_path = work.ledger();
    let io_at = |path: PathBuf| move |source| RunnerError::Io { path, source };
    let (mut open, first, earlier) = match start {
        Start::Fresh => {
            let mut files = Vec::new();
            for p in &parts {
                let path = work.part(&p.name);
                files.push(PartFile::create(&path, &p.header).map_err(io_at(path))?);
            }
            let (mut lengths, mut hashes) = (Vec::new(), Vec::new());
            for f in &mut files {
                let path = f.path().to_path_buf();
                let (len, hash) = f.sync().map_err(io_at(path))?;
                lengths.push(len);
                hashes.push(hash);
            }
            let first = Entry {
                jobs: 0,
                lengths,
                hashes,
            };
            let ledger =
                Ledger::create(&ledger_path, &names, &first).map_err(io_at(ledger_path.clone()))?;
            work.write_identity()
                .map_err(io_at(work.path().to_path_buf()))?;
            // The ledger's first entry counts as its first sync.
            faults::abort_at("sync", 1);
            let open = Open {
                parts: files,
                ledger,
                pending: Vec::new(),
                syncs: 1,
                ledger_path: ledger_path.clone(),
            };
            (open, 0, Vec::new())
        }
        Start::Resume(contents) => {
            if contents.files != names {
                return Err(RunnerError::OtherParts {
                    path: ledger_path,
                    found: contents.files,
                    want: names,
                });
            }
            let last = contents
                .last
                .clone()
                .expect("a resumable ledger has an entry");
            settle_rebuilds(work, &names, &contents)?;
            // A part missing or changed since the ledger recorded it (which
            // `PartFile::reopen` says as invalid data) is the user's to
            // decide about, not a failed write.
            let changed = |path: PathBuf| {
                move |source: io::Error| match source.kind() {
                    io::ErrorKind::InvalidData => RunnerError::PartChanged {
                        path,
                        why: source.to_string(),
                    },
                    _ => RunnerError::Io { path, source },
                }
            };
            for p in &parts {
                let path = work.part(&p.name);
                if !begins_with(&path, &p.header).map_err(changed(path.clone()))? {
                    return Err(RunnerError::OtherColumns { path });
                }
            }
            let mut files = Vec::new();
            for ((name, len), hash) in names.iter().zip(&last.lengths).zip(&last.hashes) {
                let path = work.part(name);
                files.push(PartFile::reopen(&path, *len, *hash).map_err(changed(path))?);
            }
            let ledger = Ledger::append_to(&ledger_path).map_err(io_at(ledger_path.clone()))?;
            let open = Open {
                parts: files,
                ledger,
                pending: Vec::new(),
                syncs: 0,
                ledger_path: ledger_path.clone(),
            };
            (open, last.jobs, contents.failures)
        }
    };

    let threads = pool.current_num_threads();
    let size = jobs.chunk_size(threads).max(1);
    let chunks = Chunks { first, n, size };
    let sync_every = faults::sync_every().unwrap_or(SYNC_JOBS);
    let mut since_sync = 0u64;
    let mut last_sync = Instant::now();
    let mut done = first;
    let completion = run_list(
        jobs,
        pool,
        control,
        chunks.count(),
        |k| chunks.get(k).collect(),
        |job, rows, failed| {
            open.append(job, &rows, failed)?;
            done += 1;
            faults::abort_at("job", done);
            faults::pause_at("job", done);
            since_sync += 1;
            if since_sync >= sync_every || last_sync.elapsed() >= SYNC_INTERVAL {
                open.sync(done)?;
                since_sync = 0;
                last_sync = Instant::now();
            }
            Ok(())
        },
    )?;
    open.sync(done)?;
    let failed = all_failures(&ledger_path)?;
    if completion == Completion::Stopped || earlier.is_empty() {
        return Ok(Report {
            done,
            failed,
            completion,
        });
    }

    // Retry what failed before this call, then rebuild the parts.
    let Open {
        parts: files,
        ledger,
        ..
    } = open;
    drop(files);
    let retry: Vec<u64> = earlier.iter().map(|f| f.job).collect();
    let mut fresh: Vec<(u64, Vec<Vec<u8>>, bool)> = Vec::new();
    let completion = run_list(
        jobs,
        pool,
        control,
        (retry.len() as u64).div_ceil(size),
        |k| {
            let (k, size) = (k as usize, size as usize);
            retry[k * size..((k + 1) * size).min(retry.len())].to_vec()
        },
        |job, rows, failed| {
            fresh.push((job, rows, failed));
            Ok(())
        },
    )?;
    if completion == Completion::Stopped {
        return Ok(Report {
            done,
            failed: all_failures(&ledger_path)?,
            completion,
        });
    }
    rebuild(work, &names, &earlier, &fresh, ledger, n)?;
    Ok(Report {
        done,
        failed: all_failures(&ledger_path)?,
        completion,
    })
}

/// The chunks of the jobs `first..n`: `size` jobs each, cut at multiples
/// of `size` (so that a resumed batch prepares the chunks an uninterrupted
/// one does after its first). Each is computed from its number as it is
/// needed: listed up front they took 16 bytes a chunk, 62 GB for a sweep
/// of 10^12 runs, before its first run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Chunks {
    /// The first job not yet written.
    first: u64,
    /// The number of jobs.
    n: u64,
    /// Jobs per chunk, at least 1.
    size: u64,
}

impl Chunks {
    /// How many chunks there are.
    fn count(&self) -> u64 {
        if self.first >= self.n {
            0
        } else {
            (self.n - 1) / self.size - self.first / self.size + 1
        }
    }

    /// The jobs of chunk `k` (< `count()`).
    fn get(&self, k: u64) -> std::ops::Range<u64> {
        let block = self.first / self.size + k;
        let start = if k == 0 {
            self.first
        } else {
            block * self.size
        };
        start..(block + 1).saturating_mul(self.size).min(self.n)
    }
}

/// The failures a ledger records now.
fn all_failures(path: &std::path::Path) -> Result<Vec<u64>, RunnerError> {
    Ok(Ledger::read(path)?.failures.iter().map(|f| f.job).collect())
}

/// Run the jobs of `chunks` chunks (`list(k)` gives chunk `k`'s jobs) on
/// the pool, each chunk prepared once, and hand each job's rows to `sink`
/// in order, with whether it failed.
fn run_list<J: Jobs>(
    jobs: &J,
    pool: &rayon::ThreadPool,
    control: Control<'_>,
    chunks: u64,
    list: impl Fn(u64) -> Vec<u64> + Sync,
    mut sink: impl FnMut(u64, Vec<Vec<u8>>, bool) -> Result<(), RunnerError>,
) -> Result<Completion, RunnerError> {
    use rayon::prelude::*;
    let previous: Mutex<Option<Arc<J::Chunk>>> = Mutex::new(None);
    batch::run_chunks(
        chunks,
        |k| {
            let ids = list(k);
            pool.install(|| {
                let prior = previous.lock().unwrap_or_else(|e| e.into_inner()).clone();
                let chunk = Arc::new(jobs.prepare(&ids, prior.as_deref()));
                *previous.lock().unwrap_or_else(|e| e.into_inner()) = Some(chunk.clone());
                // Split down to single jobs: rayon otherwise stops splitting
                // after a few halvings, and a thread that runs out of work
                // cannot take jobs from the run of tens of jobs another is
                // going through, so it sat idle at the end of each chunk
                // (8 % of two threads' time on a europe sweep).
                ids.par_iter()
                    .with_max_len(1)
                    .map(|&job| {
                        if control.stopped() {
                            return None;
                        }
                        let outcome = catch_unwind(AssertUnwindSafe(|| {
                            if faults::panic_jobs().contains(&job) {
                                panic!("injected fault in job {job}");
                            }
                            jobs.run(&chunk, job)
                        }))
                        .unwrap_or_else(|p| Err(panic_message(p)));
                        let failed = outcome.is_err();
                        let rows = jobs.rows(job, outcome);
                        control.watch.done();
                        Some((job, rows, failed))
                    })
                    .collect()
            })
        },
        control,
        |_, (job, rows, failed)| sink(job, rows, failed),
    )
}

/// The message of a caught panic.
pub fn panic_message(p: Box<dyn std::any::Any + Send>) -> String {
    match p.downcast::<String>() {
        Ok(s) => format!("panicked: {s}"),
        Err(p) => match p.downcast::<&str>() {
            Ok(s) => format!("panicked: {s}"),
            Err(_) => "panicked".into(),
        },
    }
}

/// Where a part file's rebuilt version is written before it replaces it.
fn rebuild_path(part: &std::path::Path) -> PathBuf {
    let mut name = part.file_name().unwrap_or_default().to_os_string();
    name.push(".rebuild");
    part.with_file_name(name)
}

/// Write rebuilt part files (as `*.rebuild`) with the retried jobs' rows
/// in place of their placeholders, record them in the ledger, then put
/// them in place (a kill in between is settled on resume by
/// [`settle_rebuilds`]).
fn rebuild(
    work: &WorkDir,
    names: &[String],
    earlier: &[Failure],
    fresh: &[(u64, Vec<Vec<u8>>, bool)],
    mut ledger: Ledger,
    jobs: u64,
) -> Result<(), RunnerError> {
    let io_at = |path: PathBuf| move |source| RunnerError::Io { path, source };
    let (mut lengths, mut hashes) = (Vec::new(), Vec::new());
    let mut still: Vec<Failure> = fresh
        .iter()
        .filter(|(_, _, failed)| *failed)
        .map(|(job, _, _)| Failure {
            job: *job,
            spans: Vec::new(),
        })
        .collect();
    for (i, name) in names.iter().enumerate() {
        let part = work.part(name);
        let tmp = rebuild_path(&part);
        let mut old = std::fs::File::open(&part).map_err(io_at(part.clone()))?;
        let mut out = Hashed {
            out: std::io::BufWriter::with_capacity(
                1 << 16,
                std::fs::File::create(&tmp).map_err(io_at(tmp.clone()))?,
            ),
            hash: part_hasher(),
        };
        let mut pos = 0u64;
        let mut written = 0u64;
        for (f, (job, rows, failed)) in earlier.iter().zip(fresh) {
            debug_assert_eq!(f.job, *job);
            let (s, e) = f.spans[i];
            copy(&mut old, &mut out, s - pos).map_err(io_at(part.clone()))?;
            written += s - pos;
            out.write_all(&rows[i]).map_err(io_at(tmp.clone()))?;
            if *failed {
                let k = still.iter().position(|x| x.job == *job).expect("listed");
                still[k]
                    .spans
                    .push((written, written + rows[i].len() as u64));
            }
            written += rows[i].len() as u64;
            // Skip the placeholder.
            copy(&mut old, &mut io::sink(), e - s).map_err(io_at(part.clone()))?;
            pos = e;
        }
        written += io::copy(&mut old, &mut out).map_err(io_at(part.clone()))?;
        hashes.push(out.hash.digest());
        let f = out.out.into_inner().map_err(|e| RunnerError::Io {
            path: tmp.clone(),
            source: e.into_error(),
        })?;
        f.sync_all().map_err(io_at(tmp.clone()))?;
        lengths.push(written);
    }
    let path = work.ledger();
    ledger
        .record_rebuild(
            &still,
            &Entry {
                jobs,
                lengths,
                hashes,
            },
        )
        .map_err(io_at(path.clone()))?;
    faults::abort_at("rebuild", 1);
    let contents = Ledger::read(&path)?;
    settle_rebuilds(work, names, &contents)
}

/// A writer that hashes what passes, as a part file does.
struct Hashed<W: Write> {
    out: W,
    hash: xxhash_rust::xxh64::Xxh64,
}

impl<W: Write> Write for Hashed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// Copy exactly `n` bytes.
fn copy(from: &mut impl Read, to: &mut impl Write, n: u64) -> io::Result<()> {
    let got = io::copy(&mut from.take(n), to)?;
    if got == n {
        Ok(())
    } else {
        Err(io::Error::other(format!(
            "the part ends {} bytes early",
            n - got
        )))
    }
}

/// Put rebuilt part files in place if the ledger's last entry records a
/// rebuild of their length (it was committed), else drop them.
fn settle_rebuilds(
    work: &WorkDir,
    names: &[String],
    contents: &Contents,
) -> Result<(), RunnerError> {
    let io_at = |path: PathBuf| move |source| RunnerError::Io { path, source };
    for (i, name) in names.iter().enumerate() {
        let part = work.part(name);
        let rb = rebuild_path(&part);
        if let Ok(meta) = std::fs::metadata(&rb) {
            let committed = contents.rebuilt
                && contents.last.as_ref().and_then(|e| e.lengths.get(i)) == Some(&meta.len());
            if committed {
                std::fs::rename(&rb, &part).map_err(io_at(part.clone()))?;
            } else {
                std::fs::remove_file(&rb).map_err(io_at(rb.clone()))?;
            }
        }
    }
    crate::output::publish::sync_dir(work.path()).map_err(io_at(work.path().to_path_buf()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sweep::resume::{Identity, Opened};
    use std::collections::BTreeSet;
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Jobs writing `job` lines to one part and, for even jobs, `job-job`
    /// lines to another; the jobs in `failing` fail. `ran` counts the jobs
    /// run.
    struct Lines {
        n: u64,
        failing: Mutex<BTreeSet<u64>>,
        ran: std::sync::atomic::AtomicU64,
    }

    impl Jobs for Lines {
        type Chunk = ();
        type Done = u64;
        fn parts(&self) -> Vec<Part> {
            vec![
                Part {
                    name: "a.csv".into(),
                    header: b"job\n".to_vec(),
                },
                Part {
                    name: "b.csv".into(),
                    header: b"even\n".to_vec(),
                },
            ]
        }
        fn count(&self) -> u64 {
            self.n
        }
        fn chunk_size(&self, _: usize) -> u64 {
            7
        }
        fn prepare(&self, _: &[u64], _: Option<&()>) {}
        fn run(&self, _: &(), job: u64) -> Result<u64, String> {
            self.ran.fetch_add(1, Ordering::Relaxed);
            if self.failing.lock().unwrap().contains(&job) {
                Err(format!("job {job} fails"))
            } else {
                Ok(job * job)
            }
        }
        fn rows(&self, job: u64, outcome: Result<u64, String>) -> Vec<Vec<u8>> {
            match outcome {
                Ok(sq) if job.is_multiple_of(2) => vec![
                    format!("{job},{sq}\n").into_bytes(),
                    format!("{job}-{job}\n").into_bytes(),
                ],
                Ok(sq) => vec![format!("{job},{sq}\n").into_bytes(), Vec::new()],
                Err(e) => vec![format!("{job},{e}\n").into_bytes(), Vec::new()],
            }
        }
    }

    /// A chunk of jobs whose first waits until every other job of it has
    /// run (failing after a minute if they do not).
    struct FirstWaits {
        n: u64,
        others_done: std::sync::atomic::AtomicU64,
    }

    impl Jobs for FirstWaits {
        type Chunk = ();
        type Done = ();
        fn parts(&self) -> Vec<Part> {
            Vec::new()
        }
        fn count(&self) -> u64 {
            self.n
        }
        fn chunk_size(&self, _: usize) -> u64 {
            self.n
        }
        fn prepare(&self, _: &[u64], _: Option<&()>) {}
        fn run(&self, _: &(), job: u64) -> Result<(), String> {
            if job > 0 {
                self.others_done.fetch_add(1, Ordering::SeqCst);
                return Ok(());
            }
            let deadline = Instant::now() + Duration::from_secs(60);
            while self.others_done.load(Ordering::SeqCst) < self.n - 1 {
                if Instant::now() > deadline {
                    return Err("the other jobs did not run while this one ran".into());
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            Ok(())
        }
        fn rows(&self, _: u64, outcome: Result<(), String>) -> Vec<Vec<u8>> {
            vec![outcome.err().unwrap_or_default().into_bytes()]
        }
    }

    /// While one thread is held by a long job, the other runs every job of
    /// the chunk not yet started: rayon's default splitting left the jobs
    /// after the first in one run with it, for the first's thread alone,
    /// and a sweep's threads idled at the end of each chunk.
    #[test]
    fn a_free_thread_takes_any_job_not_yet_started() {
        let jobs = FirstWaits {
            n: 64,
            others_done: std::sync::atomic::AtomicU64::new(0),
        };
        let pool = batch::pool(2).unwrap();
        let mut failures = Vec::new();
        let completion = run_list(
            &jobs,
            &pool,
            Control::none(),
            1,
            |_| (0..jobs.n).collect(),
            |job, rows, failed| {
                if failed {
                    failures.push((job, String::from_utf8_lossy(&rows[0]).into_owned()));
                }
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(completion, Completion::Done);
        assert_eq!(failures, []);
    }

    /// Chunks computed from their number are those of cutting the jobs
    /// left, from the first not yet written, at every multiple of the size.
    #[test]
    fn chunks_are_cut_at_multiples_of_their_size() {
        for n in 0..40 {
            for size in 1..9 {
                for first in 0..=n {
                    let mut cut = Vec::new();
                    let mut j = first;
                    while j < n {
                        let end = ((j / size + 1) * size).min(n);
                        cut.push(j..end);
                        j = end;
                    }
                    let c = Chunks { first, n, size };
                    let computed: Vec<_> = (0..c.count()).map(|k| c.get(k)).collect();
                    assert_eq!(computed, cut, "{c:?}");
                }
            }
        }
        // The largest sweep a file can ask for: a grid of 10^7 points x
        // 10^6 replications.
        let c = Chunks {
            first: 5,
            n: 10_000_000_000_000,
            size: 256,
        };
        assert_eq!(c.count(), 10_000_000_000_000_u64.div_ceil(256));
        assert_eq!(c.get(0), 5..256);
        assert_eq!(c.get(c.count() - 1), 9_999_999_999_744..10_000_000_000_000);
    }

    #[derive(serde::Serialize, serde::Deserialize, PartialEq)]
    struct Id(u64);

    impl Identity for Id {
        fn differs(&self, found: &Id) -> Option<String> {
            (self != found).then(|| "another batch".into())
        }
    }

    fn lines(n: u64, failing: &[u64]) -> Lines {
        Lines {
            n,
            failing: Mutex::new(failing.iter().copied().collect()),
            ran: Default::default(),
        }
    }

    /// Run `jobs` in `dir` (afresh or resumed) on `threads` threads.
    fn go(
        jobs: &Lines,
        dir: &std::path::Path,
        resume: bool,
        threads: usize,
        control: Control<'_>,
    ) -> Report {
        let work = WorkDir::new(dir, &Id(jobs.n));
        let Opened { start, .. } = work.open(resume, &Id(jobs.n)).unwrap();
        let pool = batch::pool(threads).unwrap();
        run(jobs, &work, start, &pool, control).unwrap()
    }

    fn parts(dir: &std::path::Path) -> (String, String) {
        let read = |n: &str| std::fs::read_to_string(dir.join(format!("{n}.part"))).unwrap();
        (read("a.csv"), read("b.csv"))
    }

    fn expected(n: u64) -> (String, String) {
        let mut a = "job\n".to_string();
        let mut b = "even\n".to_string();
        for j in 0..n {
            a.push_str(&format!("{j},{}\n", j * j));
            if j.is_multiple_of(2) {
                b.push_str(&format!("{j}-{j}\n"));
            }
        }
        (a, b)
    }

    #[test]
    fn rows_come_in_job_order_whatever_the_threads() {
        for threads in [1, 3] {
            let tmp = tempfile::tempdir().unwrap();
            let dir = tmp.path().join("w");
            let r = go(&lines(100, &[]), &dir, false, threads, Control::none());
            assert_eq!((r.done, r.completion), (100, Completion::Done));
            assert!(r.failed.is_empty());
            assert_eq!(parts(&dir), expected(100));
        }
    }

    #[test]
    fn failed_jobs_are_retried_in_place_on_resume() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("w");
        // The first and last jobs and one in the middle fail.
        let jobs = lines(50, &[0, 17, 49]);
        let r = go(&jobs, &dir, false, 2, Control::none());
        assert_eq!(r.failed, vec![0, 17, 49]);
        let (a, _) = parts(&dir);
        assert!(a.contains("17,job 17 fails\n"), "{a}");
        // One still fails on the retry.
        *jobs.failing.lock().unwrap() = [17].into_iter().collect();
        let r = go(&jobs, &dir, true, 2, Control::none());
        assert_eq!(r.failed, vec![17]);
        jobs.failing.lock().unwrap().clear();
        let r = go(&jobs, &dir, true, 1, Control::none());
        assert!(r.failed.is_empty());
        assert_eq!(parts(&dir), expected(50));
        let ledger = std::fs::read_to_string(dir.join("ledger")).unwrap();
        assert!(ledger.lines().any(|l| l.starts_with("R 50 ")), "{ledger}");
    }

    #[test]
    fn a_stopped_batch_resumes_to_the_same_bytes() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("w");
        /// Asks to stop after 30 jobs.
        struct StopAt30<'a>(&'a AtomicBool, std::sync::atomic::AtomicU64);
        impl batch::Watch for StopAt30<'_> {
            fn done(&self) {
                if self.1.fetch_add(1, Ordering::Relaxed) == 30 {
                    self.0.store(true, Ordering::Relaxed);
                }
            }
        }
        let stop = AtomicBool::new(false);
        let watch = StopAt30(&stop, Default::default());
        let control = Control {
            stop: &stop,
            watch: &watch,
        };
        let r = go(&lines(200, &[]), &dir, false, 2, control);
        assert_eq!(r.completion, Completion::Stopped);
        // Nothing is delivered once the stop is asked for (at the 31st job
        // done), so at most 30 jobs are kept; and some are, so that the
        // second run resumes rather than starts afresh.
        assert!(r.done > 0 && r.done <= 30, "{}", r.done);
        let kept = r.done;
        let jobs = lines(200, &[]);
        let r = go(&jobs, &dir, true, 3, Control::none());
        assert_eq!((r.done, r.completion), (200, Completion::Done));
        assert_eq!(parts(&dir), expected(200));
        // It ran only the jobs not kept: a run started afresh would have
        // run all 200 to the same bytes.
        assert_eq!(jobs.ran.load(Ordering::Relaxed), 200 - kept);
    }

    #[test]
    fn another_batch_is_not_resumed() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("w");
        go(&lines(10, &[]), &dir, false, 1, Control::none());
        let work = WorkDir::new(&dir, &Id(11));
        let e = work.open(true, &Id(11)).unwrap_err();
        assert!(e.to_string().contains("another batch"), "{e}");
    }
}

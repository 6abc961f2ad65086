//! Testing aids: faults injected through environment variables, so that
//! the project's own tests can stop the real binary at exact moments.
//! Each is read once; unset, each costs a branch.
//!
//! - `ARMSMARKET_TEST_ABORT=EVENT:N` aborts the process (as `kill -9`
//!   would: no destructor runs, nothing is flushed) at the N-th `EVENT`;
//! - `ARMSMARKET_TEST_PAUSE=EVENT:N:FILE` creates `FILE` at the N-th
//!   `EVENT` and waits until it is removed;
//! - `ARMSMARKET_TEST_FAIL=NAME` makes creating any output file named
//!   `NAME` fail as a full disk would;
//! - `ARMSMARKET_TEST_PANIC_JOBS=3,17` makes those jobs of a batch panic;
//! - `ARMSMARKET_TEST_SYNC_EVERY=N` makes a durable batch record its
//!   progress every N jobs.
//!
//! Events: `job` (a job's rows written), `sync` (a ledger entry
//! recorded), `commit` (a step of putting a result in place), `rebuild`
//! (a retry's ledger entry), `generation` (a calibration's generation
//! saved, counted from 1 in each process), `report` (a table `report`
//! has read), `merge` (a shard's file `merge` has joined), `shard` (a
//! calibration shard about to save its rows), `predictive` (a particle's
//! posterior predictive runs handed on).

use std::path::Path;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

fn var(name: &'static str, cell: &'static OnceLock<Option<String>>) -> Option<&'static str> {
    cell.get_or_init(|| std::env::var(name).ok()).as_deref()
}

fn abort_spec() -> Option<&'static str> {
    static CELL: OnceLock<Option<String>> = OnceLock::new();
    var("ARMSMARKET_TEST_ABORT", &CELL)
}

fn pause_spec() -> Option<&'static str> {
    static CELL: OnceLock<Option<String>> = OnceLock::new();
    var("ARMSMARKET_TEST_PAUSE", &CELL)
}

/// Abort the process if this is the `n`-th `event` named by
/// `ARMSMARKET_TEST_ABORT`.
pub fn abort_at(event: &str, n: u64) {
    if let Some((e, k)) = abort_spec().and_then(|s| s.split_once(':'))
        && e == event
        && k.parse::<u64>().ok() == Some(n)
    {
        std::process::abort();
    }
}

/// Wait if this is the `n`-th `event` named by `ARMSMARKET_TEST_PAUSE`:
/// create its file, then poll until it is gone.
pub fn pause_at(event: &str, n: u64) {
    let Some(spec) = pause_spec() else { return };
    let mut parts = spec.splitn(3, ':');
    let (Some(e), Some(k), Some(file)) = (parts.next(), parts.next(), parts.next()) else {
        return;
    };
    if e == event && k.parse::<u64>().ok() == Some(n) && std::fs::write(file, b"").is_ok() {
        while Path::new(file).exists() {
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    }
}

/// Count `event` and apply [`abort_at`] and [`pause_at`] to it: for events
/// that happen once each in a process (the steps of putting results in
/// place).
pub fn step(event: &'static str) {
    static COMMITS: AtomicU64 = AtomicU64::new(0);
    let n = COMMITS.fetch_add(1, Ordering::Relaxed) + 1;
    abort_at(event, n);
    pause_at(event, n);
}

/// An error as a full disk gives it, if `ARMSMARKET_TEST_FAIL` names the
/// file at `path`.
pub fn check_create(path: &Path) -> std::io::Result<()> {
    static CELL: OnceLock<Option<String>> = OnceLock::new();
    match var("ARMSMARKET_TEST_FAIL", &CELL) {
        Some(name) if path.file_name().is_some_and(|n| n == name) => Err(std::io::Error::new(
            std::io::ErrorKind::StorageFull,
            "No space left on device",
        )),
        _ => Ok(()),
    }
}

/// The jobs `ARMSMARKET_TEST_PANIC_JOBS` makes panic.
pub fn panic_jobs() -> &'static [u64] {
    static CELL: OnceLock<Vec<u64>> = OnceLock::new();
    CELL.get_or_init(|| {
        std::env::var("ARMSMARKET_TEST_PANIC_JOBS")
            .ok()
            .map(|s| s.split(',').filter_map(|x| x.trim().parse().ok()).collect())
            .unwrap_or_default()
    })
}

/// Jobs between ledger entries, if `ARMSMARKET_TEST_SYNC_EVERY` sets it.
pub fn sync_every() -> Option<u64> {
    static CELL: OnceLock<Option<String>> = OnceLock::new();
    var("ARMSMARKET_TEST_SYNC_EVERY", &CELL).and_then(|s| s.parse().ok())
}

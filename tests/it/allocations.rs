//! A replication's quarters allocate nothing once its thread's state and
//! scratch have run one replication: the engine resets them in place, so
//! the quarter loop, the hottest code there is, never waits on the
//! allocator. And a durable batch (a sweep) holds nothing for each of its
//! jobs: its memory does not grow with the number of runs.
//!
//! Allocations, and the bytes they hold, are counted per thread by this
//! binary's global allocator (the other tests, on other threads, are not
//! counted).

use crate::common::root;
use armsmarket::engine::seeding;
use armsmarket::model::schedule::{NoObserver, Scratch, step, warm_up};
use armsmarket::model::{State, World};
use armsmarket::scenario;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

/// The system allocator, counting the allocations of each thread.
struct Counting;

thread_local! {
    /// Allocations and reallocations by this thread so far.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    /// Bytes allocated by this thread less those it freed (a block freed
    /// on another thread than its own is counted there), and the most
    /// since [`peak_bytes`] last reset it.
    static BYTES: Cell<(i64, i64)> = const { Cell::new((0, 0)) };
}

fn count() {
    // `try_with`: a thread's allocations after its locals are gone (at
    // its exit) are not counted rather than a panic inside the allocator.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

/// `delta` bytes more (or fewer) held by this thread.
fn hold(delta: i64) {
    let _ = BYTES.try_with(|b| {
        let (live, peak) = b.get();
        b.set((live + delta, peak.max(live + delta)));
    });
}

// SAFETY: every call is passed to `System` unchanged; counting touches
// only a thread-local counter that needs no allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        hold(layout.size() as i64);
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        hold(layout.size() as i64);
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // Counted as the new block held before the old one is freed, as a
        // moving reallocation holds both.
        hold(new_size as i64);
        hold(-(layout.size() as i64));
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        hold(-(layout.size() as i64));
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
}

/// What `f` gives, and the most bytes this thread held at once while it
/// ran beyond what it held before.
fn peak_bytes<T>(f: impl FnOnce() -> T) -> (T, u64) {
    let (before, _) = BYTES.with(Cell::get);
    BYTES.with(|b| b.set((before, before)));
    let out = f();
    let (_, peak) = BYTES.with(Cell::get);
    (out, (peak - before) as u64)
}

/// The allocations of each replication's warm-up and quarters when
/// `replications` run in turn on one state and scratch, as a worker thread
/// runs them.
fn allocations_by_replication(
    w: &World,
    s: &mut State,
    scratch: &mut Scratch,
    replications: std::ops::Range<u32>,
) -> Vec<u64> {
    replications
        .map(|r| {
            let draws = seeding::draws(7, 0, r);
            s.reset(w);
            let before = allocations();
            warm_up(w, s, &draws);
            for _ in 0..w.n_quarters {
                step(w, s, &draws, &mut NoObserver, scratch);
            }
            allocations() - before
        })
        .collect()
}

/// The shipped worlds' replications allocate while the buffers grow to
/// what a replication needs (its queues, fleets and contracts), and then
/// not at all: replications run again on the buffers they grew allocate
/// nothing.
#[test]
fn a_replication_on_warm_buffers_allocates_nothing() {
    for name in ["europe", "toy"] {
        let path = root().join(format!("scenarios/{name}.toml"));
        let loaded = scenario::load(&path, &[]).expect("scenario loads");
        let w = World::from_scenario(&loaded.scenario).expect("compiles");
        let mut s = State::new(&w);
        let mut scratch = Scratch::default();
        let first = allocations_by_replication(&w, &mut s, &mut scratch, 0..12);
        assert!(
            first[0] > 0,
            "{name}: the first replication grows its buffers"
        );
        let again = allocations_by_replication(&w, &mut s, &mut scratch, 0..12);
        assert_eq!(
            again,
            vec![0; 12],
            "{name}: replications run again (first: {first:?})"
        );
    }
}

/// A whole replication as a sweep or a calibration runs it (summary and
/// targets, no per-quarter table) allocates only what it returns, once
/// the thread's buffers have grown: its summary's values by year and its
/// targets' results.
#[test]
fn a_summary_replication_allocates_only_its_record() {
    use armsmarket::engine::prepare::{observe_for, prepare};
    use armsmarket::engine::replication::run_replication;
    use armsmarket::scenario::vocabulary::Table;
    let p = prepare(&root().join("scenarios/europe.toml"), &[]).expect("prepares");
    assert!(!p.targets.list.is_empty(), "europe has targets to evaluate");
    let observe = observe_for(&[Table::Summary]);
    let run = |r: u32| {
        let before = allocations();
        let rec = run_replication(&p.world, &p.targets, 7, 0, r, observe);
        let n = allocations() - before;
        drop(rec);
        n
    };
    let first: Vec<u64> = (0..12).map(run).collect();
    let again: Vec<u64> = (0..12).map(run).collect();
    assert_eq!(
        again,
        vec![2; 12],
        "replications run again (first: {first:?})"
    );
}

/// A batch of trivial jobs writing one line each, in chunks of one job.
struct Trivial(u64);

impl armsmarket::sweep::runner::Jobs for Trivial {
    type Chunk = ();
    type Done = ();
    fn parts(&self) -> Vec<armsmarket::sweep::runner::Part> {
        vec![armsmarket::sweep::runner::Part {
            name: "jobs.csv".into(),
            header: b"job\n".to_vec(),
        }]
    }
    fn count(&self) -> u64 {
        self.0
    }
    fn chunk_size(&self, _: usize) -> u64 {
        1
    }
    fn prepare(&self, _: &[u64], _: Option<&()>) {}
    fn run(&self, _: &(), _: u64) -> Result<(), String> {
        Ok(())
    }
    fn rows(&self, job: u64, _: Result<(), String>) -> Vec<Vec<u8>> {
        vec![format!("{job}\n").into_bytes()]
    }
}

/// A batch's identity: its number of jobs.
#[derive(serde::Serialize, serde::Deserialize, PartialEq)]
struct Jobs(u64);

impl armsmarket::sweep::resume::Identity for Jobs {
    fn differs(&self, found: &Jobs) -> Option<String> {
        (self != found).then(|| "another batch".into())
    }
}

/// The most bytes the caller's thread holds while a batch of `n` jobs,
/// stopped before its first, starts and ends.
fn batch_peak(n: u64) -> u64 {
    use armsmarket::engine::batch::{self, Completion, Control, Watch};
    use armsmarket::sweep::resume::{Opened, WorkDir};
    struct Unwatched;
    impl Watch for Unwatched {}
    let tmp = tempfile::tempdir().unwrap();
    let work = WorkDir::new(&tmp.path().join("w"), &Jobs(n));
    let Opened { start, .. } = work.open(false, &Jobs(n)).unwrap();
    let pool = batch::pool(1).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(true);
    let control = Control {
        stop: &stop,
        watch: &Unwatched,
    };
    let (report, peak) = peak_bytes(|| {
        armsmarket::sweep::runner::run(&Trivial(n), &work, start, &pool, control).unwrap()
    });
    assert_eq!((report.done, report.completion), (0, Completion::Stopped));
    peak
}

/// A batch holds nothing for the jobs it has yet to run: it listed the
/// bounds of every chunk of jobs before the first ran (16 bytes a chunk),
/// and a sweep of 10^6 points x 10^6 replications aborted on a 4 GB
/// allocation, or grew to 23 GB until the kernel killed it. Measured here
/// on 2^20 one-job chunks (16 MB listed), against 2^10.
#[test]
fn a_batch_holds_nothing_for_the_jobs_it_has_yet_to_run() {
    let small = batch_peak(1 << 10);
    let large = batch_peak(1 << 20);
    assert!(
        large < small + (64 << 10),
        "2^20 jobs held {large} bytes at once, 2^10 jobs {small}"
    );
}

/// A ledger is read a line at a time: it was read whole, and it grows by
/// an entry every 4,096 jobs (some 22 GB for 10^12 runs). Here 100,000
/// entries of a batch with six part files, about 19 MB.
#[test]
fn a_ledger_is_read_without_holding_it_whole() {
    use armsmarket::sweep::ledger::{Entry, Ledger};
    use std::io::Write;
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("ledger");
    let files: Vec<String> = (0..6).map(|i| format!("part{i}.csv")).collect();
    let entry = |jobs: u64, len: u64| Entry {
        jobs,
        lengths: vec![len; 6],
        hashes: vec![0x0123_4567_89ab_cdef; 6],
    };
    let mut ledger = Ledger::create(&path, &files, &entry(0, 10)).unwrap();
    ledger.record(&[], &entry(4096, 1_000_000_000)).unwrap();
    drop(ledger);
    // The last entry again and again: a ledger that does not go backwards.
    let text = std::fs::read_to_string(&path).unwrap();
    let last = text.lines().last().unwrap();
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .unwrap();
    let block = format!("{last}\n").repeat(1000);
    for _ in 0..100 {
        f.write_all(block.as_bytes()).unwrap();
    }
    drop(f);
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size > 10_000_000, "{size}");
    let (contents, peak) = peak_bytes(|| Ledger::read(&path).unwrap());
    assert_eq!(contents.last, Some(entry(4096, 1_000_000_000)));
    assert!(
        peak < 1 << 20,
        "reading a {size}-byte ledger held {peak} bytes at once"
    );
}

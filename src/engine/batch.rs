//! Batches of runs in parallel, results delivered in job order.
//!
//! [`run_ordered`] streams: the pool's threads take jobs one by one, at
//! most a window ahead of the first result not yet handed on, and
//! whichever finishes the job next in order hands the results on in job
//! order. [`run_chunks`] cuts the jobs into chunks; a producer
//! thread computes one chunk at a time while the caller's thread consumes
//! the previous one. Either way memory is bounded whatever the number of
//! jobs, and the order of results (hence the bytes written) never depends
//! on the thread count.
//!
//! A [`Control`] lets the caller stop a batch early (on Ctrl-C): no job
//! starts after the request, and the results delivered are a prefix of the
//! job list, so that what was written stays in job order.

use crate::engine::Observe;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Condvar, Mutex, TryLockError};

/// The most threads `--threads` takes: far beyond any machine's cores,
/// where a mistyped count would otherwise start threads by the thousand
/// (each idle one spinning on the others' cores). `slurm` holds
/// `--cpus-per-task` to it too, since its tasks pass that as `--threads`.
pub const MAX_THREADS: usize = 1024;

/// A rayon pool of `threads` threads (0 = one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build()
}

/// Results per window for a pool of `threads`: enough to keep every
/// thread busy through uneven run times.
pub fn window_for(threads: usize) -> usize {
    (threads.max(1) * 64).max(256)
}

/// Results per window when each carries the rows `observe` records:
/// per-quarter tables make a replication's rows large (about a megabyte
/// for europe), so fewer of them are in flight to keep memory small.
pub fn window_for_rows(threads: usize, observe: Observe) -> usize {
    if observe.market || observe.suppliers || observe.buyers {
        2 * threads.max(1)
    } else {
        window_for(threads)
    }
}

/// Someone following a batch (a progress bar): told when a part of it
/// starts, as each job is done (from any thread), and what happens after
/// the jobs.
pub trait Watch: Sync {
    /// A part of `jobs` jobs starts, called `label`.
    fn start(&self, _label: &str, _jobs: u64) {}
    /// A job is done.
    fn done(&self) {}
    /// The jobs are done; now `what` (writing, hashing).
    fn phase(&self, _what: &str) {}
    /// The part is over.
    fn finish(&self) {}
}

/// Nobody watching.
struct Unwatched;

impl Watch for Unwatched {}

/// What the caller of a batch controls while it runs.
#[derive(Clone, Copy)]
pub struct Control<'a> {
    /// Set (e.g. on Ctrl-C) to stop early: no job starts afterwards.
    pub stop: &'a AtomicBool,
    /// Who follows the batch.
    pub watch: &'a dyn Watch,
}

impl Control<'static> {
    /// A batch nobody stops or watches.
    pub fn none() -> Control<'static> {
        static NEVER: AtomicBool = AtomicBool::new(false);
        Control {
            stop: &NEVER,
            watch: &Unwatched,
        }
    }
}

impl<'a> Control<'a> {
    /// A batch that `stop` stops and nobody watches.
    pub fn stopped_by(stop: &'a AtomicBool) -> Control<'a> {
        Control {
            stop,
            watch: &Unwatched,
        }
    }

    /// Whether a stop was asked for.
    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }
}

/// How a batch ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[must_use]
pub enum Completion {
    /// Every job's result was delivered.
    Done,
    /// A stop was asked for: a prefix of the results was delivered.
    Stopped,
}

/// Run `work` on every job on `pool` and hand each result to `sink` in job
/// order with its job index. The pool's threads do both: each takes the
/// next job as soon as it is free, and whichever thread finishes the job
/// that is next in order hands it on, with any that finished early behind
/// it, while the other threads go on working. So `threads` threads in all
/// do the work and the writing (a batch asked to run on one thread runs on
/// one), and no thread waits for another's writing unless the window is
/// full: no job starts more than `window` jobs ahead of the first result
/// not yet handed on, so that at most `window` results exist at once
/// whatever the number of jobs. Stops at the first error of `sink` (jobs
/// under way finish but are not handed on), or when asked to.
pub fn run_ordered<J, R, E>(
    pool: &rayon::ThreadPool,
    jobs: &[J],
    window: usize,
    work: impl Fn(&J) -> R + Sync,
    control: Control<'_>,
    sink: impl FnMut(usize, R) -> Result<(), E> + Send,
) -> Result<Completion, E>
where
    J: Sync,
    R: Send,
    E: Send,
{
    let window = window.max(1);
    let next = AtomicUsize::new(0);
    // Results handed on so far, and a wake-up for threads waiting for room.
    let delivered = Mutex::new(0usize);
    let room = Condvar::new();
    let quit = AtomicBool::new(false);
    // Results done but not yet handed on, by job index (`None`: skipped
    // after a stop request).
    let early: Mutex<BTreeMap<usize, Option<R>>> = Mutex::new(BTreeMap::new());
    let writer = Mutex::new(Writer {
        sink,
        index: 0,
        end: None,
    });
    // Stop every thread: no new job starts, and those waiting for room
    // wake up.
    let halt = || {
        quit.store(true, Ordering::Relaxed);
        let _d = lock(&delivered);
        room.notify_all();
    };
    // Hand on the results that are next in order, if no other thread is
    // doing so. A thread that finds the writer busy leaves its result to
    // the writing thread, which looks again after letting go of the
    // writer, so that no result is left behind.
    let hand_on = || {
        loop {
            let mut w = match writer.try_lock() {
                Ok(w) => w,
                Err(TryLockError::WouldBlock) => return,
                // The sink panicked: write nothing more; the panic reaches
                // the caller once every thread has stopped.
                Err(TryLockError::Poisoned(_)) => {
                    halt();
                    return;
                }
            };
            if w.end.is_some() {
                return;
            }
            loop {
                // Out of the lock before writing: a `while let` would hold
                // it through the body, and threads finishing jobs meanwhile
                // would wait to put their results down.
                let next = lock(&early).remove(&w.index);
                let Some(r) = next else {
                    break;
                };
                let Some(r) = r.filter(|_| !control.stopped()) else {
                    w.end = Some(Ok(Completion::Stopped));
                    halt();
                    return;
                };
                let index = w.index;
                if let Err(e) = halting_on_panic(&halt, || (w.sink)(index, r)) {
                    w.end = Some(Err(e));
                    halt();
                    return;
                }
                w.index += 1;
                *lock(&delivered) = w.index;
                room.notify_all();
            }
            let index = w.index;
            drop(w);
            if !lock(&early).contains_key(&index) {
                return;
            }
        }
    };
    pool.broadcast(|_| {
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            if i >= jobs.len() {
                break;
            }
            let mut d = lock(&delivered);
            while i >= *d + window && !quit.load(Ordering::Relaxed) {
                d = room.wait(d).unwrap_or_else(|e| e.into_inner());
            }
            drop(d);
            if quit.load(Ordering::Relaxed) {
                break;
            }
            let r = if control.stopped() {
                None
            } else {
                let r = halting_on_panic(&halt, || work(&jobs[i]));
                control.watch.done();
                Some(r)
            };
            lock(&early).insert(i, r);
            hand_on();
        }
    });
    let w = writer.into_inner().unwrap_or_else(|e| e.into_inner());
    w.end.unwrap_or(Ok(if w.index < jobs.len() {
        Completion::Stopped
    } else {
        Completion::Done
    }))
}

/// `f()`; if it panics, `halt()` first, so that no thread of the batch
/// waits for a result that will never come, then the panic goes on (to the
/// caller, once every thread has stopped).
fn halting_on_panic<T>(halt: &impl Fn(), f: impl FnOnce() -> T) -> T {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(v) => v,
        Err(panic) => {
            halt();
            std::panic::resume_unwind(panic)
        }
    }
}

/// The sink of [`run_ordered`], held by the thread handing results on.
struct Writer<S, E> {
    sink: S,
    /// The next job to hand on.
    index: usize,
    /// How the batch ended, once it did early (a stop, or the sink's
    /// error).
    end: Option<Result<Completion, E>>,
}

/// `m` locked, whether or not a thread panicked holding it: a panic in a
/// job reaches the caller anyway.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The pipeline of a sweep's batches (`crate::sweep::runner`; a run's
/// replications take [`run_ordered`]): a producer thread computes chunk
/// after chunk (each a `Vec` of results in job order, typically in
/// parallel on a pool; `None` for a job skipped after a stop request)
/// while the caller's thread hands the previous chunk's results to `sink`,
/// numbered in order. At most two chunks of results exist at once. After
/// a skipped job, or once a stop is asked for, nothing more is delivered.
/// Chunks and results are counted in `u64`, as jobs are: a sweep's can
/// outnumber a 32-bit `usize`.
pub fn run_chunks<R, E>(
    chunks: u64,
    produce: impl Fn(u64) -> Vec<Option<R>> + Sync,
    control: Control<'_>,
    mut sink: impl FnMut(u64, R) -> Result<(), E>,
) -> Result<Completion, E>
where
    R: Send,
{
    let (tx, rx) = sync_channel::<Vec<Option<R>>>(1);
    std::thread::scope(|scope| {
        let produce = &produce;
        scope.spawn(move || {
            for k in 0..chunks {
                if control.stopped() {
                    break;
                }
                if tx.send(produce(k)).is_err() {
                    break; // the consumer stopped on an error
                }
            }
        });
        let mut index = 0;
        let mut delivered = 0;
        for results in rx {
            delivered += 1;
            for r in results {
                let Some(r) = r.filter(|_| !control.stopped()) else {
                    return Ok(Completion::Stopped);
                };
                sink(index, r)?;
                index += 1;
            }
        }
        Ok(if delivered < chunks {
            Completion::Stopped
        } else {
            Completion::Done
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicUsize;

    /// Counts the jobs done.
    struct Counter(AtomicUsize);

    impl Watch for Counter {
        fn done(&self) {
            self.0.fetch_add(1, Ordering::Relaxed);
        }
    }

    #[test]
    fn results_come_in_job_order_for_any_thread_count() {
        let jobs: Vec<u64> = (0..1000).collect();
        for threads in [1, 2, 3] {
            let p = pool(threads).unwrap();
            let mut got = Vec::new();
            let counter = Counter(AtomicUsize::new(0));
            let control = Control {
                watch: &counter,
                ..Control::none()
            };
            let end = run_ordered(
                &p,
                &jobs,
                7,
                |j| {
                    // Uneven work so that threads finish out of order.
                    let mut x = *j;
                    for _ in 0..(j % 13) * 100 {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    }
                    (*j, x)
                },
                control,
                |i, (j, _)| {
                    assert_eq!(i as u64, j);
                    got.push(j);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(end, Completion::Done);
            assert_eq!(got, jobs);
            assert_eq!(counter.0.load(Ordering::Relaxed), 1000);
        }
    }

    #[test]
    fn the_pool_threads_do_the_work_and_the_writing() {
        let jobs: Vec<u32> = (0..200).collect();
        let caller = std::thread::current().id();
        for threads in [1, 2] {
            let p = pool(threads).unwrap();
            let workers = Mutex::new(std::collections::BTreeSet::new());
            let mut writers = std::collections::BTreeSet::new();
            let end = run_ordered(
                &p,
                &jobs,
                4,
                |j| {
                    lock(&workers).insert(format!("{:?}", std::thread::current().id()));
                    *j
                },
                Control::none(),
                |_, _| {
                    writers.insert(format!("{:?}", std::thread::current().id()));
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(end, Completion::Done);
            let workers = workers.into_inner().unwrap();
            assert!(workers.len() <= threads, "{workers:?}");
            // A batch on one thread runs on one thread; the caller's
            // thread only waits.
            assert!(writers.is_subset(&workers), "{writers:?} {workers:?}");
            assert!(!writers.contains(&format!("{caller:?}")));
        }
    }

    #[test]
    fn a_panicking_sink_is_called_no_more_and_the_panic_reaches_the_caller() {
        let jobs: Vec<u32> = (0..1000).collect();
        let p = pool(2).unwrap();
        let calls = AtomicUsize::new(0);
        let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            // A window of one: while the sink writes job 10, the other
            // thread has taken job 11 and waits for room.
            run_ordered(
                &p,
                &jobs,
                1,
                |j| *j,
                Control::none(),
                |_, j| {
                    calls.fetch_add(1, Ordering::Relaxed);
                    if j == 10 {
                        std::thread::sleep(std::time::Duration::from_millis(20));
                        panic!("a sink that fails at job 10");
                    }
                    Ok::<(), ()>(())
                },
            )
        }));
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::Relaxed), 11);
    }

    #[test]
    fn a_panicking_job_stops_the_batch_and_the_panic_reaches_the_caller() {
        let jobs: Vec<u32> = (0..1000).collect();
        for threads in [1, 2, 3] {
            let p = pool(threads).unwrap();
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                run_ordered(
                    &p,
                    &jobs,
                    4,
                    |j| {
                        // Job 10 fails after the others have filled the
                        // window and wait for room.
                        if *j == 10 {
                            std::thread::sleep(std::time::Duration::from_millis(20));
                            panic!("job 10 fails");
                        }
                        *j
                    },
                    Control::none(),
                    |_, _| Ok::<(), ()>(()),
                )
            }));
            assert!(r.is_err());
        }
    }

    #[test]
    fn sink_error_stops_the_batch() {
        let jobs: Vec<u32> = (0..100).collect();
        let p = pool(2).unwrap();
        let mut seen = 0;
        let r = run_ordered(
            &p,
            &jobs,
            10,
            |j| *j,
            Control::none(),
            |_, j| {
                seen += 1;
                if j == 15 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 16);
    }

    #[test]
    fn a_stop_delivers_a_prefix_of_the_jobs() {
        let jobs: Vec<u32> = (0..10_000).collect();
        let p = pool(2).unwrap();
        let stop = AtomicBool::new(false);
        let control = Control {
            stop: &stop,
            ..Control::none()
        };
        let mut got = Vec::new();
        let end = run_ordered(
            &p,
            &jobs,
            16,
            |j| *j,
            control,
            |i, j| {
                assert_eq!(i as u32, j);
                got.push(j);
                if j == 100 {
                    stop.store(true, Ordering::Relaxed);
                }
                Ok::<(), ()>(())
            },
        )
        .unwrap();
        assert_eq!(end, Completion::Stopped);
        assert!(got.len() > 100 && got.len() < 10_000, "{}", got.len());
        assert!(got.iter().enumerate().all(|(i, j)| i as u32 == *j));
    }
}

//! Batches of runs in parallel, results delivered in job order.
//!
//! Jobs are cut into fixed windows; a producer thread runs one window at a
//! time on a local rayon pool (`collect` keeps order) while the caller's
//! thread consumes the previous window. At most two windows of results
//! exist at once, so memory is bounded whatever the number of jobs, and
//! the order of results (hence the bytes written) never depends on the
//! thread count.

use indicatif::ProgressBar;
use rayon::prelude::*;
use std::sync::mpsc::sync_channel;

/// A rayon pool of `threads` threads (0 = one per core).
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, rayon::ThreadPoolBuildError> {
    rayon::ThreadPoolBuilder::new().num_threads(threads).build()
}

/// Results per window for a pool of `threads`: enough to keep every
/// thread busy through uneven run times.
pub fn window_for(threads: usize) -> usize {
    (threads.max(1) * 64).max(256)
}

/// Run `work` on every job on `pool` and hand each result to `sink` in job
/// order with its job index. Stops at the first error of `sink` (the
/// remaining window finishes but is not consumed).
pub fn run_ordered<J, R, E>(
    pool: &rayon::ThreadPool,
    jobs: &[J],
    window: usize,
    work: impl Fn(&J) -> R + Sync,
    progress: &ProgressBar,
    sink: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E>
where
    J: Sync,
    R: Send,
{
    let window = window.max(1);
    let chunks = jobs.len().div_ceil(window);
    run_chunks(
        chunks,
        |k| {
            let chunk = &jobs[k * window..((k + 1) * window).min(jobs.len())];
            pool.install(|| {
                chunk
                    .par_iter()
                    .map(|j| {
                        let r = work(j);
                        progress.inc(1);
                        r
                    })
                    .collect()
            })
        },
        sink,
    )
}

/// The pipeline under [`run_ordered`]: a producer thread computes chunk
/// after chunk (each a `Vec` of results in job order, typically in
/// parallel on a pool) while the caller's thread hands the previous
/// chunk's results to `sink`, numbered in order. At most two chunks of
/// results exist at once.
pub fn run_chunks<R, E>(
    chunks: usize,
    produce: impl Fn(usize) -> Vec<R> + Sync,
    mut sink: impl FnMut(usize, R) -> Result<(), E>,
) -> Result<(), E>
where
    R: Send,
{
    let (tx, rx) = sync_channel::<Vec<R>>(1);
    std::thread::scope(|scope| {
        let produce = &produce;
        scope.spawn(move || {
            for k in 0..chunks {
                if tx.send(produce(k)).is_err() {
                    break; // the consumer stopped on an error
                }
            }
        });
        let mut index = 0;
        for results in rx {
            for r in results {
                sink(index, r)?;
                index += 1;
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_job_order_for_any_thread_count() {
        let jobs: Vec<u64> = (0..1000).collect();
        for threads in [1, 2, 3] {
            let p = pool(threads).unwrap();
            let mut got = Vec::new();
            run_ordered(
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
                &ProgressBar::hidden(),
                |i, (j, _)| {
                    assert_eq!(i as u64, j);
                    got.push(j);
                    Ok::<(), ()>(())
                },
            )
            .unwrap();
            assert_eq!(got, jobs);
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
            &ProgressBar::hidden(),
            |_, j| {
                seen += 1;
                if j == 15 { Err("stop") } else { Ok(()) }
            },
        );
        assert_eq!(r, Err("stop"));
        assert_eq!(seen, 16);
    }
}

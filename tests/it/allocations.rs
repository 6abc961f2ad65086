//! A replication's quarters allocate nothing once its thread's state and
//! scratch have run one replication: the engine resets them in place, so
//! the quarter loop, the hottest code there is, never waits on the
//! allocator.
//!
//! Allocations are counted per thread by this binary's global allocator
//! (the other tests, on other threads, are not counted).

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
}

fn count() {
    // `try_with`: a thread's allocations after its locals are gone (at
    // its exit) are not counted rather than a panic inside the allocator.
    let _ = ALLOCATIONS.try_with(|n| n.set(n.get() + 1));
}

// SAFETY: every call is passed to `System` unchanged; counting touches
// only a thread-local counter that needs no allocation.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: the caller's contract is `System`'s.
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
        // SAFETY: as above.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: as above.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static COUNTING: Counting = Counting;

fn allocations() -> u64 {
    ALLOCATIONS.with(Cell::get)
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

//! The `armsmarket` binary: parse the command line, call the library, map
//! errors to exit codes (0 ok, 1 run failure, 2 usage or scenario error,
//! 3 incomplete shards, 130 interrupted).
/// mimalloc: a replication allocates its contracts' schedules and queue
/// batches, a sweep point or particle its scenario; glibc's allocator
/// spent several per cent of their time.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    armsmarket::cli::main()
}

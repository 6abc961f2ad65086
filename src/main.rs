//! The `armsmarket` binary: parse the command line, call the library, map
//! errors to exit codes (0 ok, 1 run failure, 2 usage or scenario error,
//! 3 incomplete shards).
// The simulation allocates many small, short-lived objects across threads;
// mimalloc serves that pattern faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(armsmarket::cli::main());
}

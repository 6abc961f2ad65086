//! The `armsmarket` binary: parse the command line, call the library, map
//! errors to exit codes (0 ok, 1 run failure, 2 usage or scenario error,
//! 3 incomplete shards).
fn main() {
    std::process::exit(armsmarket::cli::main());
}

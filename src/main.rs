//! The `armsmarket` binary: parse the command line, call the library, map
//! errors to exit codes (0 ok, 1 run failure, 2 usage or scenario error,
//! 3 incomplete shards, 130 interrupted).
fn main() -> std::process::ExitCode {
    armsmarket::cli::main()
}

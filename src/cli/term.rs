//! The terminal: progress bars and warnings on stderr, results on stdout,
//! worker threads, and Ctrl-C.

use crate::cli::CliError;
use crate::engine::batch::{Control, Watch};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// `eprintln!` that does not panic when stderr cannot be written (a
/// closed pipe): the message nobody can read is dropped, and the exit code
/// stays the command's (a panic made it 101).
macro_rules! note {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}
pub(crate) use note;

/// Set by the first Ctrl-C (or SIGTERM): batches stop starting jobs, what
/// is unfinished is removed or kept resumable, and the command says which.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// When the first Ctrl-C (or SIGTERM) came, in nanoseconds after
/// [`SIGNAL_CLOCK`]'s start plus one (0: none yet).
static FIRST_SIGNAL: AtomicU64 = AtomicU64::new(0);

/// The clock the signal handlers read, started before they are set.
static SIGNAL_CLOCK: OnceLock<Instant> = OnceLock::new();

/// A second signal sooner than this after the first is the same interrupt
/// delivered twice: `timeout -s INT` signals the command and then its
/// process group, which holds the command too.
const SAME_INTERRUPT: Duration = Duration::from_secs(1);

/// Catch Ctrl-C and SIGTERM: the first asks running batches to stop, a
/// second one (a second or more later) ends the process at once (exit code
/// 130), leaving whatever was unfinished as it is.
pub fn catch_interrupts() {
    use signal_hook::consts::{SIGINT, SIGTERM};
    let clock = *SIGNAL_CLOCK.get_or_init(Instant::now);
    for signal in [SIGINT, SIGTERM] {
        // The handler does only what a signal handler may: atomics, the
        // monotonic clock and `_exit`. If it cannot be set, Ctrl-C just
        // ends the process.
        let handler = move || {
            let now = u64::try_from(clock.elapsed().as_nanos()).unwrap_or(u64::MAX - 1) + 1;
            let _ = FIRST_SIGNAL.compare_exchange(0, now, Ordering::SeqCst, Ordering::SeqCst);
            let first = FIRST_SIGNAL.load(Ordering::SeqCst);
            if INTERRUPTED.swap(true, Ordering::SeqCst)
                && now.saturating_sub(first) >= SAME_INTERRUPT.as_nanos() as u64
            {
                signal_hook::low_level::exit(130);
            }
        };
        // SAFETY: the handler is async-signal-safe (see above).
        let _ = unsafe { signal_hook::low_level::register(signal, handler) };
    }
}

/// Set once Ctrl-C (or SIGTERM) came: for work that is not a batch
/// (`sensitivity`, `discover`) to stop at its next step.
pub fn interrupted() -> &'static AtomicBool {
    &INTERRUPTED
}

/// What a batch run from the terminal watches: Ctrl-C and `watch`.
pub fn control(watch: &dyn Watch) -> Control<'_> {
    Control {
        stop: &INTERRUPTED,
        watch,
    }
}

pub use crate::engine::batch::MAX_THREADS;

/// The parser of `--threads`: 0 (one per core) to [`MAX_THREADS`].
pub fn threads_arg() -> clap::builder::RangedU64ValueParser<usize> {
    clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_THREADS as u64)
}

/// The parser of a count of at least 1 (`discover --boxes`, `sensitivity
/// --top`): clap's range parser said "0 is not in 1..18446744073709551615",
/// a bound no one can read.
pub fn at_least_one(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(0) => Err(format!("{s} is out of range: it must be at least 1")),
        Ok(n) => Ok(n),
        Err(e) if *e.kind() == std::num::IntErrorKind::PosOverflow => {
            Err(format!("{s} is too large"))
        }
        Err(_) => Err(format!("`{s}` is not a whole number of at least 1")),
    }
}

/// The parser of a master seed (`--seed` of the commands that run
/// replications): 0 to 2^63 − 1, as in a scenario file. clap's range
/// parser answered a seed past 2^64 with "number too large to fit in
/// target type", naming no range.
pub fn seed_arg(s: &str) -> Result<u64, String> {
    use std::num::IntErrorKind::{NegOverflow, PosOverflow};
    let range =
        "a seed is a whole number from 0 to 9223372036854775807 (2^63 − 1), as in a scenario file";
    match s.trim().parse::<i128>() {
        Ok(n) if n < 0 => Err(format!("{s} is negative: {range}")),
        Ok(n) if n <= i128::from(i64::MAX) => Ok(n as u64),
        Ok(_) => Err(format!("{s} is too large: {range}")),
        Err(e) if *e.kind() == PosOverflow => Err(format!("{s} is too large: {range}")),
        Err(e) if *e.kind() == NegOverflow => Err(format!("{s} is negative: {range}")),
        Err(_) => Err(format!("`{s}` is not a whole number: {range}")),
    }
}

/// A rayon pool of `threads` threads (0: one per core), with a warning
/// when more are asked for than the machine has cores.
pub fn pool(threads: usize) -> Result<rayon::ThreadPool, CliError> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    if threads > cores {
        note!(
            "warning: --threads {threads} is more than the {cores} cores of this machine: the extra threads only add overhead (0, the default, uses one per core)"
        );
    }
    Ok(crate::engine::batch::pool(threads)?)
}

/// A number with three significant digits: `82.1`, `1234`, `0.521`.
fn three_digits(x: f64) -> String {
    if !x.is_finite() || x <= 0.0 {
        return "0".into();
    }
    let decimals = (2 - x.log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.decimals$}")
}

/// A progress bar on stderr for each part of a batch: finished runs, their
/// rate with sensible precision and an ETA, then what happens after the
/// runs (writing, hashing). Hidden when `quiet` or when stderr is not a
/// terminal.
pub struct Progress {
    bar: ProgressBar,
    quiet: bool,
    unit: &'static str,
}

impl Progress {
    /// A bar counting runs, quiet or not.
    pub fn new(quiet: bool) -> Progress {
        Progress::counting(quiet, "runs")
    }

    /// A bar counting `unit` (e.g. "accepted").
    pub fn counting(quiet: bool, unit: &'static str) -> Progress {
        Progress {
            bar: ProgressBar::hidden(),
            quiet,
            unit,
        }
    }

    /// Move the bar of the current part to `position`, with `message`
    /// after it (its rate and ETA follow the position).
    pub fn update(&self, position: u64, message: &str) {
        self.bar.set_position(position);
        self.bar.set_message(message.to_string());
    }

    /// Print a line on stderr above the bar (plainly when it is hidden).
    pub fn say(&self, line: &str) {
        if self.bar.is_hidden() {
            note!("{line}");
        } else {
            self.bar.println(line);
        }
    }
}

impl Watch for Progress {
    fn start(&self, label: &str, jobs: u64) {
        if self.quiet {
            return;
        }
        self.bar.set_draw_target(ProgressDrawTarget::stderr());
        self.bar.reset();
        self.bar.set_length(jobs);
        self.bar.set_position(0);
        self.bar.set_message("");
        self.bar.set_style(
            ProgressStyle::with_template(&format!(
                "{{prefix}} [{{bar:30}}] {{pos}}/{{len}} {}, {{rate}}/s, ETA {{eta}} {{msg}}",
                self.unit
            ))
            .expect("a valid template")
            .with_key("rate", |s: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&three_digits(s.per_sec()));
            })
            .progress_chars("=> "),
        );
        self.bar.set_prefix(label.to_string());
    }

    fn done(&self) {
        self.bar.inc(1);
        if self.bar.length() == Some(self.bar.position()) {
            self.bar.set_message("(writing the tables)");
        }
    }

    fn phase(&self, what: &str) {
        self.bar.set_message(format!("({what})"));
    }

    fn finish(&self) {
        self.bar.finish_and_clear();
        self.bar.set_draw_target(ProgressDrawTarget::hidden());
    }
}

/// Print to stdout; a closed pipe is reported as such (and is no failure).
pub fn print_out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(CliError::io("writing to stdout"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_have_three_significant_digits() {
        assert_eq!(three_digits(82.1312), "82.1");
        assert_eq!(three_digits(1234.5), "1234");
        assert_eq!(three_digits(0.52134), "0.521");
        assert_eq!(three_digits(7.0), "7.00");
        assert_eq!(three_digits(0.0), "0");
    }
}

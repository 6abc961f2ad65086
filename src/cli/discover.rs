//! `armsmarket discover SWEEP_DIR --where EXPR` (or `FILE.csv --inputs
//! ...`): PRIM scenario discovery; the work is [`crate::analysis::discover`]'s.

use crate::analysis::discover::{self, DiscoverError, Options};
use crate::analysis::prim::{MIN_ALPHA, PrimConfig};
use crate::cli::unfinished::unfinished;
use crate::cli::{CliError, term};
use crate::output::publish::ResultLock;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// A finished sweep's folder (points.csv, runs.csv), or any CSV file
    /// with --inputs.
    pub input: PathBuf,
    /// The condition a run meets, over runs.csv's columns (or the CSV's),
    /// e.g. 'focus_value_2022 >= 6231 and focus_value_2022 <= 18693'; a
    /// name holding other characters than letters, digits, '_' and '.' in
    /// backticks: '`kor-2022_pass` == 1'.
    #[arg(long = "where", value_name = "EXPR")]
    pub condition: String,
    /// For a CSV file: the input columns PRIM may restrict.
    #[arg(long, value_delimiter = ',', value_name = "COL,...")]
    pub inputs: Option<Vec<String>>,
    /// Boxes to find, one after another (each on the rows the previous
    /// boxes left).
    #[arg(long, value_parser = crate::cli::term::at_least_one, default_value_t = 1)]
    pub boxes: usize,
    /// Share of a box's rows peeled per step (1e-9 up to, not including, 1).
    #[arg(long, default_value_t = 0.05, value_parser = alpha)]
    pub peel_alpha: f64,
    /// Share taken back per paste (1e-9 up to, not including, 1).
    #[arg(long, default_value_t = 0.05, value_parser = alpha)]
    pub paste_alpha: f64,
    /// Smallest share of all rows a box may hold (0 to 1).
    #[arg(long, default_value_t = 0.05, value_parser = mass)]
    pub mass_min: f64,
    /// Seed of the resampled halves behind the reproducibility counts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Searches on resampled halves for reproducibility (0: none; at most
    /// 10,000).
    #[arg(long, default_value_t = 10, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(0..=MAX_RESAMPLES))]
    pub resamples: usize,
}

/// The most `--resamples`: each is a whole PRIM search.
const MAX_RESAMPLES: u64 = 10_000;

/// A number, or the reason it is none.
fn number(s: &str) -> Result<f64, String> {
    s.trim()
        .parse::<f64>()
        .map_err(|_| format!("`{s}` is not a number"))
}

/// `--peel-alpha`, `--paste-alpha`: a share of the box's rows.
fn alpha(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if (MIN_ALPHA..1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "{s} is out of range: it must lie in [{MIN_ALPHA:e}, 1) (a share of the box's rows)"
        ))
    }
}

/// `--mass-min`: a share of all rows.
fn mass(s: &str) -> Result<f64, String> {
    let x = number(s)?;
    if (0.0..=1.0).contains(&x) {
        Ok(x)
    } else {
        Err(format!(
            "{s} is out of range: it must lie in [0, 1] (a share of all rows)"
        ))
    }
}

/// `armsmarket discover`.
pub fn discover(a: &DiscoverArgs) -> Result<(), CliError> {
    // A sweep stopped before it finished: its work is beside the folder,
    // and the command that finishes it is the fix.
    if !a.input.exists()
        && let Some(why) = unfinished(&a.input)
    {
        return Err(DiscoverError::Input(format!("{}: {why}", a.input.display())).into());
    }
    let options = Options {
        input: a.input.clone(),
        condition: a.condition.clone(),
        inputs: a.inputs.clone(),
        boxes: a.boxes,
        config: PrimConfig {
            peel_alpha: a.peel_alpha,
            paste_alpha: a.paste_alpha,
            mass_min: a.mass_min,
            ..PrimConfig::default()
        },
        seed: a.seed,
        resamples: a.resamples,
        stop: Some(term::interrupted()),
    };
    // A sweep's folder is held until discover.csv is written in it: a
    // sweep replaced meanwhile would get the trajectory of the one it
    // replaced.
    let _held = ResultLock::hold(&a.input)?;
    let d = discover::discover(&options).map_err(|e| {
        if e.is_stopped() {
            CliError::Interrupted(format!("{e}; nothing was written"))
        } else {
            e.into()
        }
    })?;
    term::print_out(&discover::render(&d))
}

//! `armsmarket discover SWEEP_DIR --where EXPR` (or `FILE.csv --inputs
//! ...`): PRIM scenario discovery; the work is [`crate::analysis::discover`]'s.

use crate::analysis::discover::{self, Options};
use crate::analysis::prim::PrimConfig;
use crate::cli::{CliError, term};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `discover`.
#[derive(Debug, Args)]
pub struct DiscoverArgs {
    /// A finished sweep's folder (points.csv, runs.csv), or any CSV file
    /// with --inputs.
    pub input: PathBuf,
    /// The condition a run meets, over runs.csv's columns (or the CSV's),
    /// e.g. 'focus_value_2022 >= 6231 and focus_value_2022 <= 18693'.
    #[arg(long = "where", value_name = "EXPR")]
    pub condition: String,
    /// For a CSV file: the input columns PRIM may restrict.
    #[arg(long, value_delimiter = ',', value_name = "COL,...")]
    pub inputs: Option<Vec<String>>,
    /// Boxes to find, one after another (each on the rows the previous
    /// boxes left).
    #[arg(long, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..), default_value_t = 1)]
    pub boxes: usize,
    /// Share of a box's rows peeled per step.
    #[arg(long, default_value_t = 0.05)]
    pub peel_alpha: f64,
    /// Share taken back per paste.
    #[arg(long, default_value_t = 0.05)]
    pub paste_alpha: f64,
    /// Smallest share of all rows a box may hold.
    #[arg(long, default_value_t = 0.05)]
    pub mass_min: f64,
    /// Seed of the resampled halves behind the reproducibility counts.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Searches on resampled halves for reproducibility (0: none).
    #[arg(long, default_value_t = 10)]
    pub resamples: usize,
}

/// `armsmarket discover`.
pub fn discover(a: &DiscoverArgs) -> Result<(), CliError> {
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
    };
    let d = discover::discover(&options)?;
    term::print_out(&discover::render(&d))
}

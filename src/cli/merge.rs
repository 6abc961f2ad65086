//! `armsmarket merge DIR...`: join the shards of a sweep into the files a
//! single machine would have written, byte for byte.

use crate::cli::CliError;
use crate::cli::term;
use crate::cli::term::note;
use crate::sweep::{Merged, SweepRecord, merge};
use clap::Args;
use std::path::PathBuf;

/// Arguments of `merge`.
#[derive(Debug, Args)]
pub struct MergeArgs {
    /// Shard folders (`.../shard-K-of-N`), the folder holding them
    /// (`OUT/<name>.shards`), or the result folder beside it (`OUT/<name>`).
    /// A result that ran as a single shard is complete: alone it is
    /// reported as such; with other folders or --out it is refused.
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Output folder; the merged result goes to DIR/<name>/ (default: the
    /// folder holding the shards' folder).
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// No summary line.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `armsmarket merge`.
pub fn merge(a: &MergeArgs) -> Result<(), CliError> {
    match merge::merge::<SweepRecord>(&a.dirs, a.out.as_deref(), term::interrupted())? {
        Merged::Whole { dir, shards_beside } if !a.quiet => {
            note!(
                "nothing to merge: {} ran as a single shard and its files are complete",
                dir.display()
            );
            if let Some(shards) = shards_beside {
                note!(
                    "the shards in {} were not merged over it: give that folder to merge to replace it with theirs",
                    shards.display()
                );
            }
        }
        Merged::Done { dir, shards } if !a.quiet => {
            note!(
                "merged {} -> {}",
                crate::output::report::count(shards as u64, "shard"),
                dir.display()
            )
        }
        _ => {}
    }
    Ok(())
}

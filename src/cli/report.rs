//! `armsmarket report DIR`: one self-contained HTML page of a result; the
//! work is [`crate::output::html_report`]'s.

use crate::cli::CliError;
use crate::cli::term;
use crate::cli::term::note;
use crate::cli::unfinished::unfinished;
use crate::output::html_report;
use crate::output::publish::ResultLock;
use clap::Args;
use std::path::PathBuf;

/// Arguments of `report`.
#[derive(Debug, Args)]
pub struct ReportArgs {
    /// The folder of a run (OUT/<scenario>), a comparison (OUT/compare), a
    /// sweep (OUT/<sweep name>) or a calibration (its generations.csv,
    /// posterior.csv, predictive.csv); the report goes to DIR/report.html.
    pub dir: PathBuf,
    /// No closing line, only the file (as the other commands' `--quiet`).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

/// `armsmarket report`.
pub fn report(a: &ReportArgs) -> Result<(), CliError> {
    // A sweep or calibration stopped before it finished: its work is
    // beside the folder, and the command that finishes it is the fix.
    if !a.dir.exists()
        && let Some(why) = unfinished(&a.dir)
    {
        return Err(html_report::ReportError::NoResult {
            dir: a.dir.clone(),
            why,
        }
        .into());
    }
    // Held until the report is written: a result replaced meanwhile
    // would get a report of the one it replaced.
    let _held = ResultLock::hold(&a.dir)?;
    let w = html_report::write(&a.dir, term::interrupted())?;
    if a.quiet {
        return Ok(());
    }
    note!(
        "report: {} report with {} -> {} ({} KB)",
        w.kind.name(),
        crate::output::report::count(w.charts as u64, "chart"),
        w.path.display(),
        w.bytes.div_ceil(1024)
    );
    Ok(())
}

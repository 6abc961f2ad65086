//! What a result folder that is not there may have left: a sweep or a
//! calibration stopped before it finished keeps its work beside it, and
//! `report`, `discover` and `sensitivity` name it with the command that
//! finishes it.
//! Here, above the sweep and the calibration, which know their folders.

use crate::output::publish;
use crate::sweep::run::{shard_command, shell_word};
use crate::sweep::setup::SweepIdentity;
use std::path::Path;

/// Why the result folder `dir` is not there when a sweep or a calibration
/// that writes it stopped before it finished (interrupted, killed, or a
/// calibration between rounds of shards): its work folder
/// `OUT/.<name>.partial` is kept, and the command that finishes it. `None`
/// if there is no such folder. "Does not exist" alone would send the user
/// to start over and lose the work.
pub fn unfinished(dir: &Path) -> Option<String> {
    let partial = publish::sibling(dir, "partial");
    if !partial.is_dir() {
        return None;
    }
    let parent = |p: &Path| {
        p.parent()
            .filter(|q| !q.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    let kept = |what: &str| {
        format!(
            "does not exist yet: an unfinished {what} is kept in {} (stopped before it finished)",
            partial.display()
        )
    };
    // A calibration saves its state; a sweep its identity (shard, tables).
    if partial.join("state.toml").is_file() {
        let out = shell_word(&parent(dir));
        let fix = if partial.join("rounds").is_dir() {
            format!(
                "run the current round's shards (`armsmarket calibrate FILE --out {out} --shard K/N`), then `armsmarket calibrate FILE --out {out} --join`"
            )
        } else {
            format!("`armsmarket calibrate FILE --out {out} --resume` finishes it")
        };
        return Some(format!(
            "{}; {fix} (FILE the calibration's scenario file), then give {} again",
            kept("calibration"),
            dir.display()
        ));
    }
    let identity: SweepIdentity = std::fs::read(partial.join("identity.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())?;
    // A shard's result is OUT/<name>.shards/shard-K-of-N.
    let out = match identity.shard.n {
        1 => parent(dir),
        _ => parent(&parent(dir)),
    };
    let command = shard_command(
        Path::new("FILE"),
        &out,
        identity.shard,
        &identity.tables,
        true,
    );
    Some(format!(
        "{}; `{command}` finishes it (FILE the sweep's scenario file), then give {} again",
        kept(match identity.shard.n {
            1 => "sweep",
            _ => "shard of a sweep",
        }),
        dir.display()
    ))
}

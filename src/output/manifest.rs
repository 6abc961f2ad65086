//! `manifest.json`: what made a result and what it holds: program version,
//! the command, seed and replications, the resolved scenarios, threads and
//! times, the plan of a durable batch (a sweep's design and shard), and a
//! BLAKE3 checksum and size of every other file of the result. Written in one
//! place ([`Manifest::write`]), read back typed ([`Manifest::read`]).

use crate::output::publish::{Staging, at_file};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::time::SystemTime;

pub use crate::output::checksum::Checksum;
pub use crate::output::publish::{Command, PROGRAM};

/// A scenario as it was run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioRecord {
    /// Its name (the result folder's, for `run` and `sweep`).
    pub name: String,
    /// The file given on the command line.
    pub file: String,
    /// The fully resolved scenario (after `base` and `--set`), for `run`
    /// and `compare` as it ran: its seed, replications, tables and
    /// mechanisms, and in a comparison the first scenario's targets. For a
    /// sweep or a calibration, as the file resolves, its `[sweep]` or
    /// `[calibrate]` table included (a sweep's fingerprints hash it).
    pub resolved: toml::Table,
}

/// A file of the result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRecord {
    /// The checksum of its bytes (a key named after its algorithm).
    #[serde(flatten)]
    pub checksum: Checksum,
    /// Its size.
    pub bytes: u64,
}

/// A result's manifest; `P` is the plan of a durable batch, if the result
/// comes from one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "P: DeserializeOwned"))]
pub struct Manifest<P = ()> {
    /// Always [`PROGRAM`].
    pub program: String,
    /// The program's version.
    pub version: String,
    /// What made the result.
    pub command: Command,
    /// When it started (RFC 3339, UTC, to the second).
    pub started: String,
    /// When it was written.
    pub finished: String,
    /// Worker threads (the bytes do not depend on them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub threads: Option<usize>,
    /// Master seed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// Replications per scenario.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replications: Option<u32>,
    /// The scenarios, in the order they ran.
    pub scenarios: Vec<ScenarioRecord>,
    /// The batch's plan (a sweep's design, shard and runs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub plan: Option<P>,
    /// Every other file of the result, by name.
    pub files: BTreeMap<String, FileRecord>,
}

/// Why a manifest could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManifestError {
    /// Reading failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// It is not a manifest of this kind.
    #[error("{}: not an armsmarket manifest of this kind ({source})", path.display())]
    Invalid {
        /// The manifest.
        path: PathBuf,
        /// The cause.
        source: serde_json::Error,
    },
}

impl ManifestError {
    /// What to do about a manifest that does not read, for the commands
    /// that read a result (`report`, `discover`, `sensitivity`): empty when
    /// there is none to read. A folder whose manifest does not read is no
    /// longer replaced, so running its command again is refused until the
    /// folder is gone.
    pub fn fix(&self) -> &'static str {
        match self {
            ManifestError::Io { .. } => "",
            ManifestError::Invalid { .. } => DAMAGED,
        }
    }
}

/// The fix for a result's manifest that does not read.
pub const DAMAGED: &str = "; if armsmarket wrote it, it was damaged since: remove the folder and run the command that wrote it again";

impl<P: Serialize + DeserializeOwned> Manifest<P> {
    /// A manifest of `command`, started at `started`; the rest is filled in
    /// by the caller and by [`Manifest::write`].
    pub fn new(command: Command, started: SystemTime) -> Manifest<P> {
        Manifest {
            program: PROGRAM.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            command,
            started: timestamp(started),
            finished: String::new(),
            threads: None,
            seed: None,
            replications: None,
            scenarios: Vec::new(),
            plan: None,
            files: BTreeMap::new(),
        }
    }

    /// Hash every file of the staged result and write `manifest.json`
    /// beside them, last.
    pub fn write(mut self, staging: &Staging) -> io::Result<Manifest<P>> {
        let mut names: Vec<(String, PathBuf)> = Vec::new();
        for e in std::fs::read_dir(staging.path())? {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name != "manifest.json" && e.file_type()?.is_file() {
                names.push((name, e.path()));
            }
        }
        names.sort();
        self.files.clear();
        for (name, path) in names {
            let shown = staging.shown(&name);
            let record = FileRecord {
                checksum: match staging.hash_written(&name) {
                    Some(h) => h,
                    None => Checksum::of_file(&path).map_err(|e| at_file(&shown, e))?,
                },
                bytes: std::fs::metadata(&path)
                    .map_err(|e| at_file(&shown, e))?
                    .len(),
            };
            self.files.insert(name, record);
        }
        self.finished = timestamp(SystemTime::now());
        let mut f = staging.create("manifest.json")?;
        serde_json::to_writer_pretty(&mut f, &self)?;
        f.write_all(b"\n")?;
        f.finish()?;
        Ok(self)
    }

    /// Read `dir/manifest.json`.
    pub fn read(dir: &Path) -> Result<Manifest<P>, ManifestError> {
        let path = dir.join("manifest.json");
        let bytes = std::fs::read(&path).map_err(|source| ManifestError::Io {
            path: path.clone(),
            source,
        })?;
        let m: Manifest<P> = serde_json::from_slice(&bytes)
            .map_err(|source| ManifestError::Invalid { path, source })?;
        Ok(m)
    }

    /// The files of `dir` that do not match this manifest (missing, or
    /// changed since it was written), by name.
    pub fn damaged(&self, dir: &Path) -> io::Result<Vec<String>> {
        self.checked(dir, |_| Check::Checksum)
    }

    /// The listed files of `dir` that fail the check `how` gives each, by
    /// name, in name order: missing or of another size, and (under
    /// [`Check::Checksum`]) of another checksum.
    pub fn checked(&self, dir: &Path, how: impl Fn(&str) -> Check) -> io::Result<Vec<String>> {
        let mut bad = Vec::new();
        for (name, f) in &self.files {
            let check = how(name);
            if check == Check::Skip {
                continue;
            }
            let path = dir.join(name);
            let ok = std::fs::metadata(&path).is_ok_and(|m| m.len() == f.bytes)
                && (check == Check::Size || f.checksum.matches_file(&path)?);
            if !ok {
                bad.push(name.clone());
            }
        }
        Ok(bad)
    }

    /// Of the files `names` in `dir`, those this manifest does not list
    /// or that do not match it: an analysis that reads them refuses them
    /// (a table cut at a line boundary reads as a smaller result).
    pub fn not_as_written(&self, dir: &Path, names: &[&str]) -> io::Result<Vec<String>> {
        let mut bad = self.checked(dir, |name| {
            if names.contains(&name) {
                Check::Checksum
            } else {
                Check::Skip
            }
        })?;
        let unlisted = names.iter().filter(|n| !self.files.contains_key(**n));
        bad.extend(unlisted.map(|n| n.to_string()));
        Ok(bad)
    }
}

/// How [`Manifest::checked`] checks a listed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    /// Not at all.
    Skip,
    /// Its size: finds a file removed, cut or added to, without reading it.
    Size,
    /// Its size and checksum.
    Checksum,
}

/// What a reader says of the files [`Manifest::not_as_written`] (or
/// [`Manifest::checked`]) found in a result written by `command`,
/// after the folder's name.
pub fn not_as_written_message(files: &[String], command: Command) -> String {
    let command = format!("`armsmarket {}`", command.name());
    format!(
        "{} missing or changed since {command} wrote the folder (not the size and checksum that manifest.json records): run {command} again to make the result whole, or restore the files",
        files.join(", ")
    )
}

/// RFC 3339 time in UTC, to the second.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::publish::Destination;

    #[test]
    fn written_with_every_file_and_read_back_typed() {
        let tmp = tempfile::tempdir().unwrap();
        let d = Destination::lock(&tmp.path().join("r"), Command::Run).unwrap();
        let s = d.stage().unwrap();
        let mut f = s.create("a.csv").unwrap();
        f.write_all(b"abc").unwrap();
        f.finish().unwrap();
        let mut m: Manifest = Manifest::new(Command::Run, SystemTime::UNIX_EPOCH);
        m.seed = Some(3);
        let written = m.write(&s).unwrap();
        assert_eq!(written.started, "1970-01-01T00:00:00Z");
        // BLAKE3 of "abc" (the reference implementation's test vector).
        assert_eq!(
            written.files["a.csv"].checksum,
            Checksum::Blake3(
                "6437b3ac38465133ffb63b75273a8db548c558465d79db03fd359c6cd5bd9d85".into()
            )
        );
        d.publish(s).unwrap();
        let text = std::fs::read_to_string(tmp.path().join("r/manifest.json")).unwrap();
        assert!(text.contains(r#""blake3": "6437b3ac"#), "{text}");
        let back: Manifest = Manifest::read(&tmp.path().join("r")).unwrap();
        assert_eq!(back, written);
        assert!(back.damaged(&tmp.path().join("r")).unwrap().is_empty());
        std::fs::write(tmp.path().join("r/a.csv"), b"abd").unwrap();
        assert_eq!(back.damaged(&tmp.path().join("r")).unwrap(), ["a.csv"]);
    }

    /// A result of an earlier build records SHA-256: it is read, and its
    /// files are checked against that algorithm, not refused or called
    /// changed.
    #[test]
    fn an_earlier_builds_sha256_records_are_still_checked() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        std::fs::write(dir.join("a.csv"), b"abc").unwrap();
        let mut m: Manifest = Manifest::new(Command::Run, SystemTime::UNIX_EPOCH);
        m.files.insert(
            "a.csv".into(),
            FileRecord {
                // SHA-256 of "abc" (FIPS 180-2's test vector).
                checksum: Checksum::Sha256(
                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad".into(),
                ),
                bytes: 3,
            },
        );
        std::fs::write(dir.join("manifest.json"), serde_json::to_vec(&m).unwrap()).unwrap();
        let text = std::fs::read_to_string(dir.join("manifest.json")).unwrap();
        assert!(text.contains(r#""a.csv":{"sha256":"ba7816bf"#), "{text}");
        let back: Manifest = Manifest::read(dir).unwrap();
        assert_eq!(back, m);
        assert!(back.damaged(dir).unwrap().is_empty());
        std::fs::write(dir.join("a.csv"), b"abd").unwrap();
        assert_eq!(back.damaged(dir).unwrap(), ["a.csv"]);
    }

    /// A record naming no checksum (or one this build does not know) is
    /// not a manifest this build can check.
    #[test]
    fn a_record_without_a_known_checksum_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let mut m: serde_json::Value =
            serde_json::to_value(Manifest::<()>::new(Command::Run, SystemTime::UNIX_EPOCH))
                .unwrap();
        for record in [
            serde_json::json!({"bytes": 3}),
            serde_json::json!({"md5": "900150983cd24fb0d6963f7d28e17f72", "bytes": 3}),
        ] {
            m["files"] = serde_json::json!({ "a.csv": record });
            std::fs::write(tmp.path().join("manifest.json"), m.to_string()).unwrap();
            let e = Manifest::<()>::read(tmp.path()).unwrap_err();
            assert!(matches!(e, ManifestError::Invalid { .. }), "{e}");
        }
    }
}

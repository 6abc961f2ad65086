//! The work folder of a durable batch, and where a batch starts: afresh,
//! or after its ledger's last entry if the folder holds this very batch.
//!
//! The folder (`OUT/.<name>.partial/`, beside the result it will become)
//! holds the part files, the ledger, the batch's identity and, if the batch
//! has them, the settings its identity hashes. A fresh start writes the
//! parts' headers, then the ledger (whole, with its first entry), then the
//! settings, then the identity, last: a folder without an identity or a
//! ledger recorded nothing, and is started over. A folder whose identity
//! differs (another scenario, design, shard or program) is never resumed;
//! its settings let the refusal say which keys differ (a folder made before
//! they were kept is refused without naming them).

use crate::sweep::ledger::{Contents, Ledger, LedgerError};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::io;
use std::path::{Path, PathBuf};

/// What makes two batches the same batch.
pub trait Identity: Serialize + DeserializeOwned {
    /// Why a folder made by the batch `found` cannot be resumed as this
    /// one, if it cannot.
    fn differs(&self, found: &Self) -> Option<String>;

    /// As [`Identity::differs`], where the folder kept the settings its
    /// identity hashes (`was`) and this batch has its own (`now`): a batch
    /// that keeps settings names what changed.
    fn differs_in(&self, found: &Self, now: &[u8], was: &[u8]) -> Option<String> {
        let _ = (now, was);
        self.differs(found)
    }
}

/// Why a batch cannot start in its work folder.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ResumeError {
    /// The folder holds another batch.
    #[error("cannot resume into {}: {why}", path.display())]
    Mismatch {
        /// The work folder.
        path: PathBuf,
        /// How it differs.
        why: String,
    },
    /// A file (not a folder) where the work folder goes: a batch made no
    /// such file, so it is not the batch's to remove.
    #[error(
        "{}: a file where the batch keeps its work folder; it is not one armsmarket made: move or remove it",
        path.display()
    )]
    NotAFolder {
        /// The path.
        path: PathBuf,
    },
    /// The work folder holds a file a batch does not write.
    #[error(
        "{}: holds `{name}`, which no batch writes, so it is not a work folder armsmarket made (or someone's files are in it): move or remove it",
        path.display()
    )]
    ForeignFiles {
        /// The folder.
        path: PathBuf,
        /// One name a batch does not write.
        name: String,
    },
    /// Its ledger is damaged.
    #[error(transparent)]
    Ledger(#[from] LedgerError),
    /// Reading or writing failed.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

/// Where a batch starts.
#[derive(Debug)]
pub enum Start {
    /// Nothing recorded: write the parts from their headers.
    Fresh,
    /// Continue after the ledger's last entry.
    Resume(Contents),
}

/// How a work folder was opened.
#[derive(Debug)]
pub struct Opened {
    /// Where the batch starts.
    pub start: Start,
    /// What the user should know (an unfinished batch discarded, nothing
    /// to resume).
    pub note: Option<String>,
}

/// The work folder of one batch.
#[derive(Debug)]
pub struct WorkDir {
    path: PathBuf,
    identity: Vec<u8>,
    settings: Option<Vec<u8>>,
}

impl WorkDir {
    /// The work folder at `path` of the batch `identity`.
    pub fn new<I: Identity>(path: &Path, identity: &I) -> WorkDir {
        WorkDir {
            path: path.to_path_buf(),
            identity: serde_json::to_vec_pretty(identity).expect("an identity serialises"),
            settings: None,
        }
    }

    /// The same folder, keeping `settings` (what the identity hashes) beside
    /// the identity, for [`Identity::differs_in`].
    pub fn with_settings(mut self, settings: Vec<u8>) -> WorkDir {
        self.settings = Some(settings);
        self
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The part file of the result file `name`.
    pub fn part(&self, name: &str) -> PathBuf {
        self.path.join(format!("{name}.part"))
    }

    /// The ledger.
    pub fn ledger(&self) -> PathBuf {
        self.path.join("ledger")
    }

    fn identity_path(&self) -> PathBuf {
        self.path.join("identity.json")
    }

    fn settings_path(&self) -> PathBuf {
        self.path.join("settings.jsonl")
    }

    /// The folder in which the finished result is assembled.
    pub fn result(&self) -> PathBuf {
        self.path.join("result")
    }

    /// A name in the folder that a batch does not write, if any: such a
    /// folder is not the batch's to remove.
    fn foreign_entry(&self) -> Option<String> {
        let entries = std::fs::read_dir(&self.path).ok()?;
        entries.filter_map(Result::ok).find_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = matches!(
                name.as_str(),
                "identity.json"
                    | "identity.tmp"
                    | "settings.jsonl"
                    | "settings.tmp"
                    | "ledger"
                    | "ledger.tmp"
                    | "result"
            ) || name.ends_with(".part")
                || name.ends_with(".part.rebuild");
            (!ours).then_some(name)
        })
    }

    /// Whether the folder exists.
    pub fn exists(&self) -> bool {
        std::fs::symlink_metadata(&self.path).is_ok()
    }

    /// Open the folder: afresh (whatever was there is removed), or, with
    /// `resume`, after the ledger of the batch it holds, which must be this
    /// one.
    pub fn open<I: Identity>(&self, resume: bool, want: &I) -> Result<Opened, ResumeError> {
        let io_at = |path: &Path| {
            let path = path.to_path_buf();
            move |source| ResumeError::Io { path, source }
        };
        if self.exists() && !self.path.is_dir() {
            return Err(ResumeError::NotAFolder {
                path: self.path.clone(),
            });
        }
        if let Some(name) = self.foreign_entry() {
            return Err(ResumeError::ForeignFiles {
                path: self.path.clone(),
                name,
            });
        }
        if resume
            && self.exists()
            && let Some(contents) = self.recorded(want)?
        {
            return Ok(Opened {
                note: contents.torn.clone(),
                start: Start::Resume(contents),
            });
        }
        let mut note = None;
        if self.exists() {
            note = Some(if resume {
                format!(
                    "nothing recorded to resume in {} (no identity, or no finished run in its ledger); starting afresh",
                    self.path.display()
                )
            } else {
                format!(
                    "discarding the unfinished batch in {} (without --resume a batch starts over)",
                    self.path.display()
                )
            });
            std::fs::remove_dir_all(&self.path).map_err(io_at(&self.path))?;
        } else if resume {
            note = Some(format!(
                "nothing to resume in {}; starting afresh",
                self.path.display()
            ));
        }
        std::fs::create_dir(&self.path).map_err(io_at(&self.path))?;
        Ok(Opened {
            start: Start::Fresh,
            note,
        })
    }

    /// The ledger of the batch the folder holds, if it recorded anything:
    /// an identity, and a ledger with a whole header and an entry.
    fn recorded<I: Identity>(&self, want: &I) -> Result<Option<Contents>, ResumeError> {
        let Ok(bytes) = std::fs::read(self.identity_path()) else {
            return Ok(None);
        };
        let found: I = match serde_json::from_slice(&bytes) {
            Ok(f) => f,
            Err(_) => {
                return Err(ResumeError::Mismatch {
                    path: self.path.clone(),
                    why: "its identity.json cannot be read (damaged, or made by another version of armsmarket): use another --out, or run without --resume to start over (a Slurm array's tasks always resume: remove that folder before submitting again)".into(),
                });
            }
        };
        let why = match (&self.settings, std::fs::read(self.settings_path())) {
            (Some(now), Ok(was)) => want.differs_in(&found, now, &was),
            _ => want.differs(&found),
        };
        if let Some(why) = why {
            return Err(ResumeError::Mismatch {
                path: self.path.clone(),
                why,
            });
        }
        let ledger = self.ledger();
        let whole_header = std::fs::read(&ledger).is_ok_and(|b| b.contains(&b'\n'));
        if !whole_header {
            return Ok(None);
        }
        let contents = Ledger::read(&ledger)?;
        Ok(contents.last.is_some().then_some(contents))
    }

    /// Record the batch's settings, if it has them, then its identity: the
    /// last step of a fresh start (so a folder with an identity has the
    /// settings it hashes).
    pub fn write_identity(&self) -> io::Result<()> {
        if let Some(settings) = &self.settings {
            let tmp = self.path.join("settings.tmp");
            std::fs::write(&tmp, settings)?;
            std::fs::File::open(&tmp)?.sync_all()?;
            std::fs::rename(&tmp, self.settings_path())?;
        }
        let tmp = self.path.join("identity.tmp");
        std::fs::write(&tmp, &self.identity)?;
        std::fs::File::open(&tmp)?.sync_all()?;
        std::fs::rename(&tmp, self.identity_path())?;
        crate::output::publish::sync_dir(&self.path)
    }
}

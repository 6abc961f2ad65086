//! Results that appear whole or not at all, and one writer at a time.
//!
//! A result is a folder (`OUT/<name>/`: tables and `manifest.json`). It is
//! written into a private staging folder beside it (a fresh, unpredictable
//! name, created exclusively, its files too: nothing planted can redirect
//! a write),
//! then put in place in one step: on Linux by exchanging the two folders
//! (`renameat2` with `RENAME_EXCHANGE`), elsewhere by two renames. Until
//! that step the previous result is untouched; a failure or a kill before
//! it leaves the previous result as it was, after it the new one whole.
//!
//! A [`Destination`] holds a lock on the result (`OUT/.<name>.lock`, an
//! advisory `flock`) for as long as it lives, so that a second process
//! writing the same result is refused instead of interleaving with the
//! first. Holding the lock also makes it safe to remove what a killed
//! writer left (its staging folders). A command that reads a result and
//! adds a file to it holds the same lock ([`ResultLock::hold`]), so that
//! the result is not replaced while it reads.

use crate::output::checksum::Checksum;
use crate::output::faults;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// The program that writes results: a manifest's `program`, by which a
/// folder is known for one of its results.
pub const PROGRAM: &str = "armsmarket";

/// Why a result could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OutputError {
    /// Another process holds the result's lock.
    #[error(
        "{}: another armsmarket process is writing this result (lock {} held); wait for it to finish, or choose another --out",
        path.display(),
        lock.display()
    )]
    Busy {
        /// The result folder.
        path: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// Another process holds the lock of a result a command reads.
    #[error(
        "{}: another armsmarket process is writing this result (lock {} held); wait for it to finish, then run this command again",
        path.display(),
        lock.display()
    )]
    BusyReading {
        /// The result folder.
        path: PathBuf,
        /// Its lock file.
        lock: PathBuf,
    },
    /// The result's place is taken by something that is not a result.
    #[error("{}: {why}; move it away or choose another --out", path.display())]
    Occupied {
        /// The result folder.
        path: PathBuf,
        /// What is there instead.
        why: String,
    },
    /// The new result is in place, but the previous one, set aside beside
    /// it, could not be removed.
    #[error(
        "{}: the new result is in place, but the previous one could not be removed ({source}); it is left at {}: remove it by hand",
        path.display(),
        left.display()
    )]
    PreviousLeft {
        /// The result folder.
        path: PathBuf,
        /// Where the previous result is left.
        left: PathBuf,
        /// The cause.
        source: io::Error,
    },
    /// Writing a file (named by its final path) failed.
    #[error("cannot write {}: {source}", path.display())]
    Write {
        /// The file, as it would be named in the result.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

impl OutputError {
    /// Whether the user can fix it by choosing another place (exit 2)
    /// rather than it being a failure while writing (exit 1).
    pub fn is_usage(&self) -> bool {
        matches!(self, OutputError::Occupied { .. })
    }
}

/// An I/O error of a file, with the file's path inside it so that it
/// survives being passed through writers that know only `io::Error`.
#[derive(Debug, thiserror::Error)]
#[error("{}: {source}", path.display())]
struct FileError {
    path: PathBuf,
    source: io::Error,
}

/// Attach `path` to an I/O error (unless it already names a file).
pub fn at_file(path: &Path, e: io::Error) -> io::Error {
    if e.get_ref().is_some_and(|inner| inner.is::<FileError>()) {
        return e;
    }
    io::Error::new(
        e.kind(),
        FileError {
            path: path.to_path_buf(),
            source: e,
        },
    )
}

/// The [`OutputError::Write`] of an I/O error: the file it names, or
/// `fallback`.
pub fn write_error(e: io::Error, fallback: &Path) -> OutputError {
    let named = e
        .get_ref()
        .and_then(|inner| inner.downcast_ref::<FileError>())
        .map(|f| f.path.clone());
    match named {
        Some(path) => {
            let source = e
                .into_inner()
                .and_then(|inner| inner.downcast::<FileError>().ok())
                .map_or_else(|| io::Error::other("unknown"), |f| f.source);
            OutputError::Write { path, source }
        }
        None => OutputError::Write {
            path: fallback.to_path_buf(),
            source: e,
        },
    }
}

/// What the staged files written whole in this process hashed to, by
/// name: the checksum and length of the bytes that went through them, so
/// that the manifest need not read them back.
type Hashes = Arc<Mutex<BTreeMap<String, (Checksum, u64)>>>;

/// A file being written into a staging folder; its errors name the file by
/// its place in the finished result. It hashes what it writes as it goes
/// (on the thread writing, while the others go on running), and asks the kernel to
/// start writing it to disk every few megabytes, so that the sync at the
/// end has little left to wait for.
pub struct StagedFile {
    out: BufWriter<File>,
    shown: PathBuf,
    name: String,
    hasher: blake3::Hasher,
    bytes: u64,
    unflushed: u64,
    hashes: Hashes,
}

/// Bytes written between two requests to start writing back to disk.
const WRITE_BACK: u64 = 8 << 20;

impl std::fmt::Debug for StagedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StagedFile")
            .field("shown", &self.shown)
            .field("bytes", &self.bytes)
            .finish()
    }
}

impl StagedFile {
    /// Flush and sync to disk.
    pub fn finish(mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| at_file(&self.shown, e))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(|e| at_file(&self.shown, e))?;
        let digest = Checksum::from(self.hasher.finalize());
        self.hashes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(self.name, (digest, self.bytes));
        Ok(())
    }
}

/// Ask the kernel to start writing `file`'s dirty pages to disk, without
/// waiting for them.
#[cfg(target_os = "linux")]
fn start_write_back(file: &File) {
    use std::os::fd::AsRawFd;
    // SAFETY: a plain system call on an open descriptor that `file` owns;
    // no memory is passed. Failure only means the final sync does it all.
    unsafe {
        libc::sync_file_range(file.as_raw_fd(), 0, 0, libc::SYNC_FILE_RANGE_WRITE);
    }
}

#[cfg(not(target_os = "linux"))]
fn start_write_back(_: &File) {}

impl Write for StagedFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.out.write(buf).map_err(|e| at_file(&self.shown, e))?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        self.unflushed += n as u64;
        if self.unflushed >= WRITE_BACK {
            self.unflushed = 0;
            start_write_back(self.out.get_ref());
        }
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out.flush().map_err(|e| at_file(&self.shown, e))
    }
}

/// A result folder locked for writing.
#[derive(Debug)]
pub struct Destination {
    path: PathBuf,
    /// Taken in `lock`, given up first when dropped.
    lock: Option<ResultLock>,
    /// What writes the result: a result of another kind is not replaced.
    command: Command,
}

/// `OUT/.<name>.<suffix>`: a hidden sibling of the result `OUT/<name>`.
pub fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    path.with_file_name(format!(".{name}.{suffix}"))
}

/// The command that makes a result (recorded in its manifest): a result
/// folder is replaced only by a result of the same kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Command {
    /// `armsmarket run`.
    Run,
    /// `armsmarket compare`.
    Compare,
    /// `armsmarket sweep` (one shard or the whole).
    Sweep,
    /// `armsmarket merge`.
    Merge,
    /// `armsmarket calibrate`.
    Calibrate,
}

impl Command {
    /// Its name on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Compare => "compare",
            Command::Sweep => "sweep",
            Command::Merge => "merge",
            Command::Calibrate => "calibrate",
        }
    }

    /// The command whose results are of this kind: a merged sweep is a
    /// sweep's result, which a sweep run whole may replace.
    pub fn kind(self) -> &'static str {
        match self {
            Command::Run => "run",
            Command::Compare => "compare",
            Command::Sweep | Command::Merge => "sweep",
            Command::Calibrate => "calibrate",
        }
    }
}

/// If the folder `dir` holds the result of another command than a sweep
/// (its manifest says which), the words that say so and what to give
/// instead; for `sensitivity` and `discover`, which read sweeps.
pub fn not_a_sweep(dir: &Path) -> Option<String> {
    let kind = written_by(&dir.join("manifest.json"))?.kind();
    (kind != "sweep").then(|| {
        format!(
            "{}: a result of `armsmarket {kind}`, not a sweep: give the folder `armsmarket sweep` (or `merge`) wrote",
            dir.display()
        )
    })
}

/// The command that wrote the manifest at `path`, if it is an armsmarket
/// result's manifest (its `program` says so and it names a command).
fn written_by(path: &Path) -> Option<Command> {
    #[derive(serde::Deserialize)]
    struct Head {
        program: String,
        command: Command,
    }
    let bytes = std::fs::read(path).ok()?;
    serde_json::from_slice::<Head>(&bytes)
        .ok()
        .filter(|h| h.program == PROGRAM)
        .map(|h| h.command)
}

/// Refuse `path` as the folder of a result of `command` if it holds
/// anything but an armsmarket result of the same kind (a folder with a
/// `manifest.json`) or nothing.
fn check_replaceable(path: &Path, command: Command) -> Result<(), OutputError> {
    let occupied = |why: &str| OutputError::Occupied {
        path: path.to_path_buf(),
        why: why.into(),
    };
    match std::fs::symlink_metadata(path) {
        Err(_) => Ok(()),
        Ok(m) if m.file_type().is_symlink() => {
            Err(occupied("this is a symbolic link, not a result folder"))
        }
        Ok(m) if !m.is_dir() => Err(occupied("this is a file, not a result folder")),
        Ok(_) => {
            let empty = std::fs::read_dir(path)
                .map(|mut d| d.next().is_none())
                .unwrap_or(false);
            let manifest = path.join("manifest.json");
            if empty {
                Ok(())
            } else if manifest.is_file() {
                match written_by(&manifest) {
                    Some(other) if other.kind() != command.kind() => Err(occupied(&format!(
                        "this folder holds a result of `armsmarket {}`, which a result of `armsmarket {}` would replace{}",
                        other.kind(),
                        command.kind(),
                        // A comparison's folder is always `compare`, a
                        // merge's its sweep's: only a scenario's `name`
                        // can be changed to write elsewhere.
                        match command {
                            Command::Run | Command::Sweep | Command::Calibrate =>
                                " (or give the new result another `name`)",
                            Command::Compare | Command::Merge => "",
                        }
                    ))),
                    Some(_) => Ok(()),
                    // Another program's manifest, or one damaged past
                    // reading: the folder may hold anything, so it is left
                    // for its owner to move.
                    None => Err(occupied(
                        "its manifest.json is not one armsmarket wrote (or is damaged past reading), so this may not be a result and would be replaced",
                    )),
                }
            } else {
                Err(occupied(
                    "this folder is not an armsmarket result (it has no manifest.json) and would be replaced",
                ))
            }
        }
    }
}

/// Whether a result of `command` could be written to the folder `path`,
/// without taking its lock or creating anything: for `slurm`, whose jobs
/// write it later on the cluster. The checks of [`Destination::lock`]
/// that need no writing: no file on the way, nothing there that is not a
/// result of the same kind.
pub fn check_destination(path: &Path, command: Command) -> Result<(), OutputError> {
    if let Some(link) = path.parent().and_then(dangling_link) {
        return Err(link);
    }
    if let Some(file) = path
        .ancestors()
        .skip(1)
        .find(|a| !a.as_os_str().is_empty() && a.exists())
        .filter(|a| !a.is_dir())
    {
        return Err(OutputError::Occupied {
            path: file.to_path_buf(),
            why: "a file stands on this path where a folder is needed".into(),
        });
    }
    check_replaceable(path, command)
}

/// The suffix of staging folders.
const STAGING: &str = "staging";

/// Folders that [`Destination::lock`] created for results (the deepest
/// first), removed again while empty when a destination is dropped: a run
/// stopped or refused before its result is in place leaves no empty
/// `--out` behind. Process-wide, since a batch locks all its results in
/// one folder and the last one dropped finds it empty.
static CREATED: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Length of the random part of a staging folder's name (tempfile's
/// letters and digits).
const STAGING_RANDOM: usize = 6;

impl Destination {
    /// Lock the result folder `path` for a result of `command`, creating
    /// its parent folder if need be. Refused if another process holds the
    /// lock, or if `path` is taken by something that is not an armsmarket
    /// result, or by a result of another kind (a `run` named `compare`
    /// would replace a comparison; a sweep's name reused by a scenario, the
    /// sweep).
    pub fn lock(path: &Path, command: Command) -> Result<Destination, OutputError> {
        let Some(parent) = path.parent().filter(|_| path.file_name().is_some()) else {
            return Err(OutputError::Occupied {
                path: path.to_path_buf(),
                why: "a result needs a folder of its own, not the root or `..`".into(),
            });
        };
        let parent = if parent.as_os_str().is_empty() {
            Path::new(".")
        } else {
            parent
        };
        // Held until the lock file stands in the folder, so that no
        // destination dropped meanwhile removes the folder as empty.
        let mut created = CREATED.lock().unwrap_or_else(|e| e.into_inner());
        match std::fs::metadata(parent) {
            Ok(m) if !m.is_dir() => {
                return Err(OutputError::Occupied {
                    path: parent.to_path_buf(),
                    why: "this is a file, not a folder for results".into(),
                });
            }
            Ok(_) => {}
            Err(_) => {
                let missing: Vec<PathBuf> = parent
                    .ancestors()
                    .take_while(|d| !d.as_os_str().is_empty() && std::fs::metadata(d).is_err())
                    .map(Path::to_path_buf)
                    .collect();
                create_dir(parent)?;
                created.extend(missing);
            }
        }
        // `name` alone stands for `./name`, so that its parent is a folder.
        let path = &parent.join(path.file_name().expect("checked above"));
        let lock = ResultLock::take(path)
            .map_err(|e| write_error(e, &sibling(path, "lock")))?
            .ok_or_else(|| OutputError::Busy {
                path: path.to_path_buf(),
                lock: sibling(path, "lock"),
            })?;
        drop(created);
        let d = Destination {
            path: path.to_path_buf(),
            lock: Some(lock),
            command,
        };
        d.check_replaceable()?;
        Ok(d)
    }

    /// The result folder.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Refuse to replace anything but an armsmarket result of the same kind
    /// as `command`'s (a folder with a `manifest.json`) or an empty folder.
    fn check_replaceable(&self) -> Result<(), OutputError> {
        check_replaceable(&self.path, self.command)
    }

    /// A fresh, private staging folder beside the result (after removing
    /// any that a killed writer left).
    pub fn stage(&self) -> Result<Staging, OutputError> {
        self.remove_stale();
        let dir = self.staging_dir().map_err(|e| write_error(e, &self.path))?;
        Ok(Staging {
            dir: Some(StagingDir::Temp(dir)),
            shown: self.path.clone(),
            hashes: Hashes::default(),
        })
    }

    /// Remove the work folder `dir` (beside the result, a batch's or a
    /// calibration's) once the result is in place: first moved, in one
    /// step, into a fresh staging folder of this result, then deleted.
    /// Deleted where it stood, a kill part way (a large batch's files take
    /// a while) left a work folder without its identity or saved state,
    /// which the next `--resume`, shard or join read as one that recorded
    /// nothing, and so ran the whole batch or calibration again. Now it
    /// leaves a staging folder, which the next writer of the result
    /// removes.
    pub fn remove_work(&self, dir: &Path) -> io::Result<()> {
        self.remove_work_with(dir, |d| std::fs::remove_dir_all(d))
    }

    /// [`Destination::remove_work`], deleting the moved folder with
    /// `delete` (a test stops it part way, as a kill would).
    fn remove_work_with(
        &self,
        dir: &Path,
        delete: impl FnOnce(&Path) -> io::Result<()>,
    ) -> io::Result<()> {
        // A sweep stages its result in its work folder, not through
        // `stage`: what a kill left of an earlier removal goes here.
        self.remove_stale();
        let parent = self.path.parent().unwrap_or(Path::new("."));
        let aside = self.staging_dir()?;
        std::fs::rename(dir, aside.path().join("work"))?;
        let aside = aside.keep();
        sync_dir(parent)?;
        delete(&aside)
    }

    /// A fresh, empty staging folder of this result.
    fn staging_dir(&self) -> io::Result<tempfile::TempDir> {
        let parent = self.path.parent().unwrap_or(Path::new("."));
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        tempfile::Builder::new()
            .prefix(&format!(".{name}."))
            .rand_bytes(STAGING_RANDOM)
            .suffix(&format!(".{STAGING}"))
            .tempdir_in(parent)
    }

    /// Remove staging folders of this result that a killed writer left (we
    /// hold the lock: no live writer owns them).
    fn remove_stale(&self) {
        let parent = self.path.parent().unwrap_or(Path::new("."));
        let name = self.path.file_name().unwrap_or_default().to_string_lossy();
        let (prefix, suffix) = (format!(".{name}."), format!(".{STAGING}"));
        let Ok(entries) = std::fs::read_dir(parent) else {
            return;
        };
        for e in entries.flatten() {
            let n = e.file_name().to_string_lossy().into_owned();
            // Exactly `.NAME.` + the random part + `.staging`: the staging
            // folder of a result named `NAME.x` starts with `.NAME.` too.
            let random = n
                .strip_prefix(&prefix)
                .and_then(|r| r.strip_suffix(&suffix))
                .unwrap_or_default();
            let ours =
                random.len() == STAGING_RANDOM && random.bytes().all(|b| b.is_ascii_alphanumeric());
            if ours && e.file_type().is_ok_and(|t| t.is_dir()) {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }

    /// Put a finished staging folder in place of the result.
    pub fn publish(&self, mut staging: Staging) -> Result<(), OutputError> {
        let dir = match staging.dir.take().expect("staged once") {
            StagingDir::Temp(t) => t.keep(),
            StagingDir::Kept(p) => p,
        };
        self.put_in_place(&dir)
    }

    /// Put the finished folder `dir` (beside the result) in place of the
    /// result; the previous result, if any, is removed afterwards (once
    /// the new one is durably in place, so that an error then says so).
    pub fn put_in_place(&self, dir: &Path) -> Result<(), OutputError> {
        self.check_replaceable()?;
        let werr = |e| write_error(e, &self.path);
        let parent = self.path.parent().unwrap_or(Path::new("."));
        faults::step("commit");
        if std::fs::symlink_metadata(&self.path).is_ok() {
            exchange(dir, &self.path).map_err(werr)?;
            sync_dir(parent).map_err(werr)?;
            faults::step("commit");
            std::fs::remove_dir_all(dir).map_err(|source| OutputError::PreviousLeft {
                path: self.path.clone(),
                left: dir.to_path_buf(),
                source,
            })
        } else {
            std::fs::rename(dir, &self.path).map_err(werr)?;
            sync_dir(parent).map_err(werr)
        }
    }
}

impl Drop for Destination {
    fn drop(&mut self) {
        // The lock file goes first: a folder holding it is not empty.
        drop(self.lock.take());
        // Only an empty folder is removed: one with a result, another
        // writer's lock or a sweep's kept work stays.
        CREATED
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|d| std::fs::remove_dir(d).is_err() && d.exists());
    }
}

/// A link to nothing on the way to the folder `dir` (`ln -s nowhere
/// out`), which cannot be made a folder: said as "File exists" (exit 1),
/// it named no link.
fn dangling_link(dir: &Path) -> Option<OutputError> {
    dir.ancestors().find_map(|d| {
        let target = std::fs::read_link(d).ok()?;
        std::fs::metadata(d)
            .is_err()
            .then(|| OutputError::Occupied {
                path: d.to_path_buf(),
                why: format!(
                    "this is a link to {}, a folder that does not exist (make it)",
                    target.display()
                ),
            })
    })
}

/// Create the folder `parent` of a result and the folders above it.
fn create_dir(parent: &Path) -> Result<(), OutputError> {
    std::fs::create_dir_all(parent).map_err(|e| {
        if let Some(link) = dangling_link(parent) {
            link
        } else if e.kind() == io::ErrorKind::NotADirectory {
            // A file on the way (`--out a_file/sub`): the user's
            // path, not the machine, is at fault.
            OutputError::Occupied {
                path: parent.to_path_buf(),
                why: "a file stands on this path where a folder is needed".into(),
            }
        } else {
            write_error(e, parent)
        }
    })
}

/// The lock of a result (`OUT/.<name>.lock`), held while it lives: by a
/// [`Destination`] that writes the result, and by a command that reads a
/// result and writes a file into it (`report`, `sensitivity`, `discover`),
/// so that the result is not replaced under it (a report of the old
/// result would then stand in the new one).
#[derive(Debug)]
pub struct ResultLock {
    path: PathBuf,
    /// Open for its `flock`: closed, so unlocked, once the file is gone.
    _file: File,
}

impl ResultLock {
    /// Take the lock of the result `result` without waiting: `None` if
    /// another process holds it.
    pub fn take(result: &Path) -> io::Result<Option<ResultLock>> {
        let path = sibling(result, "lock");
        Ok(take_lock(&path)?.map(|file| ResultLock { path, _file: file }))
    }

    /// Hold the existing result `result` while a command reads it and adds
    /// a file of its own: refused if another process is writing it. A
    /// path that is not a folder (a CSV file given to `discover`, or
    /// nothing, which the command then names) holds no result, and a
    /// folder where no lock file can be made (read-only to this user) is
    /// read without one, as no writer of this user can replace it either.
    pub fn hold(result: &Path) -> Result<Option<ResultLock>, OutputError> {
        if !result.is_dir() {
            return Ok(None);
        }
        // `report .` names the result its writer named by its parent and
        // name.
        let result = &std::fs::canonicalize(result).unwrap_or_else(|_| result.to_path_buf());
        let lock = sibling(result, "lock");
        match ResultLock::take(result) {
            Ok(Some(held)) => Ok(Some(held)),
            Ok(None) => Err(OutputError::BusyReading {
                path: result.to_path_buf(),
                lock,
            }),
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
                ) =>
            {
                Ok(None)
            }
            Err(e) => Err(write_error(e, &lock)),
        }
    }
}

impl Drop for ResultLock {
    fn drop(&mut self) {
        // Removed while still held, so that no one can take a lock on a
        // file that is about to disappear (`take_lock` checks that the
        // file it locked is still the one at the path); the lock goes
        // with the file handle, after this.
        #[cfg(unix)]
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Open and lock `path` without waiting: `None` if another process holds
/// it. A lock file removed (and maybe recreated) by its previous holder
/// between our open and our lock is opened again.
fn take_lock(path: &Path) -> io::Result<Option<File>> {
    for _ in 0..100 {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)?;
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => {}
            Err(fs4::TryLockError::WouldBlock) => return Ok(None),
            Err(fs4::TryLockError::Error(e)) => return Err(e),
        }
        if same_file(&file, path) {
            return Ok(Some(file));
        }
    }
    Err(io::Error::other("the lock file keeps changing"))
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_: &File, _: &Path) -> bool {
    true
}

/// Swap the folders `a` and `b` (both exist).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use rustix::fs::{CWD, RenameFlags, renameat_with};
    match renameat_with(CWD, a, CWD, b, RenameFlags::EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without the exchange: fall back to two renames.
        Err(e) if e == rustix::io::Errno::INVAL || e == rustix::io::Errno::NOSYS => {
            exchange_by_renames(a, b)
        }
        Err(e) => Err(e.into()),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    exchange_by_renames(a, b)
}

/// `b` to a hidden name, `a` to `b`, the hidden name to `a`. A kill in
/// between leaves the previous result under the hidden name.
fn exchange_by_renames(a: &Path, b: &Path) -> io::Result<()> {
    let aside = sibling(b, "previous");
    let _ = std::fs::remove_dir_all(&aside);
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)
}

/// Make a folder's entries (renames into it) durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Write one file that sits beside a finished result (a report, a
/// discovery's trajectory) whole or not at all: into a hidden file in the
/// same folder, synced, then renamed over `path`. A reader sees the old
/// file or the new one, never a part; a crash leaves at most the hidden
/// file. The hidden file has a fresh, unpredictable name and is created
/// exclusively, so nothing planted can redirect the write. The file gets
/// the usual permissions (the umask's), as the result's own files do; its
/// folder is created if need be, as a result's is. Errors are the bare I/O
/// errors: the caller names `path`.
pub fn write_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    std::fs::create_dir_all(folder_of(path))?;
    replace_whole(path, bytes)
}

/// The folder a file `path` is in (`.` for a bare name).
fn folder_of(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

/// As [`write_whole`], into a folder that must be there: a writer whose
/// folder was removed while it worked fails (`NotFound`) rather than make
/// the folder again (a calibration shard whose round was taken over).
pub fn replace_whole(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let dir = folder_of(path);
    let mut prefix = std::ffi::OsString::from(".");
    prefix.push(path.file_name().unwrap_or("file".as_ref()));
    prefix.push(".");
    let mut builder = tempfile::Builder::new();
    builder.prefix(&prefix).suffix(".tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(0o666));
    }
    // Dropped unpersisted on an error, the hidden file removes itself.
    let mut tmp = builder.tempfile_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    sync_dir(dir)
}

/// A private folder in which a result is written before it is put in
/// place; a temporary one is removed with everything in it if dropped
/// unpublished.
#[derive(Debug)]
pub struct Staging {
    dir: Option<StagingDir>,
    shown: PathBuf,
    hashes: Hashes,
}

#[derive(Debug)]
enum StagingDir {
    /// Made by [`Destination::stage`].
    Temp(tempfile::TempDir),
    /// A folder its owner keeps (a durable batch's).
    Kept(PathBuf),
}

impl Staging {
    /// A folder `dir`, beside the result `dest` or inside a sibling of it,
    /// that its owner made and keeps until it is published.
    pub fn kept(dir: &Path, dest: &Path) -> Staging {
        Staging {
            dir: Some(StagingDir::Kept(dir.to_path_buf())),
            shown: dest.to_path_buf(),
            hashes: Hashes::default(),
        }
    }

    /// Where files are written now.
    pub fn path(&self) -> &Path {
        match self.dir.as_ref().expect("not yet published") {
            StagingDir::Temp(t) => t.path(),
            StagingDir::Kept(p) => p,
        }
    }

    /// Where a file of this name will be once the result is in place (for
    /// messages).
    pub fn shown(&self, name: &str) -> PathBuf {
        self.shown.join(name)
    }

    /// Create the file `name` (it must not exist yet).
    pub fn create(&self, name: &str) -> io::Result<StagedFile> {
        let shown = self.shown(name);
        faults::check_create(&shown).map_err(|e| at_file(&shown, e))?;
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(self.path().join(name))
            .map_err(|e| at_file(&shown, e))?;
        Ok(StagedFile {
            out: BufWriter::with_capacity(1 << 16, file),
            shown,
            name: name.to_string(),
            hasher: blake3::Hasher::new(),
            bytes: 0,
            unflushed: 0,
            hashes: self.hashes.clone(),
        })
    }

    /// The checksum of the file `name` as this process wrote it whole
    /// through [`Staging::create`], if it did and the file still has the
    /// length written.
    pub fn hash_written(&self, name: &str) -> Option<Checksum> {
        let hashes = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        let (digest, bytes) = hashes.get(name)?;
        let len = std::fs::metadata(self.path().join(name)).ok()?.len();
        (len == *bytes).then(|| digest.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(staging: &Staging, name: &str, text: &str) {
        let mut f = staging.create(name).unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f.finish().unwrap();
    }

    /// The first file named `name` under `dir`, at any depth.
    fn find(dir: &Path, name: &str) -> Option<PathBuf> {
        std::fs::read_dir(dir).ok()?.flatten().find_map(|e| {
            let path = e.path();
            if e.file_name() == name {
                Some(path)
            } else if path.is_dir() {
                find(&path, name)
            } else {
                None
            }
        })
    }

    /// A work folder stopped part way through its removal (killed once its
    /// identity was deleted) was left without it, and the next `--resume`
    /// read it as a batch that recorded nothing and ran it all again. It
    /// goes in one step; what the deletion leaves is a staging folder of
    /// the result, which the next writer removes.
    #[test]
    fn a_work_folder_goes_whole_even_if_its_removal_stops_part_way() {
        let tmp = tempfile::tempdir().unwrap();
        let work = tmp.path().join(".toy.partial");
        std::fs::create_dir(&work).unwrap();
        for name in ["identity.json", "ledger", "runs.csv.part"] {
            std::fs::write(work.join(name), name).unwrap();
        }
        let dest = Destination::lock(&tmp.path().join("toy"), Command::Sweep).unwrap();
        let killed = |dir: &Path| {
            std::fs::remove_file(find(dir, "identity.json").expect("the identity"))?;
            Err(io::Error::other("killed"))
        };
        assert!(dest.remove_work_with(&work, killed).is_err());
        assert!(!work.exists(), "a work folder without its identity is left");
        let left = find(tmp.path(), "ledger").expect("the deletion stopped");
        drop(dest);
        let dest = Destination::lock(&tmp.path().join("toy"), Command::Sweep).unwrap();
        let staging = dest.stage().unwrap();
        assert!(!left.exists(), "the next writer left what the kill left");
        drop(staging);
    }

    /// Staging a result removes what a killed writer of that result left,
    /// and not the staging folder of a result whose name extends it.
    #[test]
    fn stale_staging_folders_are_this_results_only() {
        let tmp = tempfile::tempdir().unwrap();
        let stale = tmp.path().join(".toy.a1B2c3.staging");
        let other = tmp.path().join(".toy.x.a1B2c3.staging");
        for d in [&stale, &other] {
            std::fs::create_dir(d).unwrap();
        }
        let dest = Destination::lock(&tmp.path().join("toy"), Command::Run).unwrap();
        let staging = dest.stage().unwrap();
        assert!(!stale.exists(), "a killed writer's folder is left");
        assert!(other.exists(), "toy.x's staging folder was removed");
        drop(staging);
    }

    /// `write_whole` replaces the file whole, leaves nothing beside it,
    /// gives it the umask's permissions, and does not write through a link
    /// planted where a predictable hidden name would be.
    #[test]
    fn write_whole_replaces_a_file_and_follows_no_planted_link() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("report.html");
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, b"precious").unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(
            &victim,
            tmp.path()
                .join(format!(".report.html.{}.tmp", std::process::id())),
        )
        .unwrap();
        write_whole(&path, b"old").unwrap();
        write_whole(&path, b"new").unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(std::fs::read(&victim).unwrap(), b"precious");
        // Only the file, the victim and the planted link: no hidden file
        // is left behind.
        let names: std::collections::BTreeSet<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), if cfg!(unix) { 3 } else { 2 }, "{names:?}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let plain = tmp.path().join("plain");
            std::fs::write(&plain, b"").unwrap();
            let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
            assert_eq!(mode(&path), mode(&plain));
        }
    }

    /// The head of a run's manifest, all a folder needs to pass for a
    /// run's result.
    const RUN_MANIFEST: &str = r#"{"program": "armsmarket", "command": "run"}"#;

    #[test]
    fn a_result_replaces_the_previous_one_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("out/r");
        let d = Destination::lock(&path, Command::Run).unwrap();
        let s = d.stage().unwrap();
        write(&s, "a.csv", "old");
        write(&s, "manifest.json", RUN_MANIFEST);
        d.publish(s).unwrap();
        assert_eq!(std::fs::read_to_string(path.join("a.csv")).unwrap(), "old");
        let s = d.stage().unwrap();
        write(&s, "b.csv", "new");
        write(&s, "manifest.json", RUN_MANIFEST);
        // Unpublished, the old result stands.
        assert!(!path.join("b.csv").exists());
        d.publish(s).unwrap();
        assert!(!path.join("a.csv").exists());
        assert_eq!(std::fs::read_to_string(path.join("b.csv")).unwrap(), "new");
        drop(d);
        let names: Vec<String> = std::fs::read_dir(tmp.path().join("out"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, ["r"], "staging folders and the lock are gone");
    }

    #[test]
    fn a_folder_made_for_results_that_never_came_is_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("out");
        // Two results of a batch in a new folder, both stopped: the folder
        // goes with the last of them, the one above it too.
        let a = Destination::lock(&out.join("deeper/a"), Command::Run).unwrap();
        let b = Destination::lock(&out.join("deeper/b"), Command::Run).unwrap();
        drop(a.stage().unwrap());
        drop(a);
        assert!(out.join("deeper").exists(), "b still holds its lock there");
        drop(b);
        assert!(!out.exists());
        // A result in place keeps its folder.
        let d = Destination::lock(&out.join("r"), Command::Run).unwrap();
        let s = d.stage().unwrap();
        write(&s, "manifest.json", RUN_MANIFEST);
        d.publish(s).unwrap();
        drop(d);
        assert!(out.join("r/manifest.json").exists());
        // A folder that was there before is the user's: it stays empty.
        let before = tmp.path().join("before");
        std::fs::create_dir(&before).unwrap();
        drop(Destination::lock(&before.join("r"), Command::Run).unwrap());
        assert!(before.exists());
    }

    #[test]
    fn a_dropped_staging_folder_leaves_nothing() {
        let tmp = tempfile::tempdir().unwrap();
        let d = Destination::lock(&tmp.path().join("r"), Command::Run).unwrap();
        let s = d.stage().unwrap();
        write(&s, "a.csv", "x");
        let dir = s.path().to_path_buf();
        drop(s);
        assert!(!dir.exists());
    }

    #[test]
    fn one_writer_at_a_time() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("r");
        let first = Destination::lock(&path, Command::Run).unwrap();
        let e = Destination::lock(&path, Command::Run).unwrap_err();
        assert!(matches!(e, OutputError::Busy { .. }), "{e}");
        assert!(e.to_string().contains("another armsmarket process"), "{e}");
        drop(first);
        Destination::lock(&path, Command::Run).unwrap();
    }

    #[test]
    fn what_is_not_a_result_is_not_replaced() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("r");
        std::fs::create_dir(&path).unwrap();
        std::fs::write(path.join("notes.txt"), "mine").unwrap();
        let e = Destination::lock(&path, Command::Run).unwrap_err();
        assert!(
            e.is_usage() && e.to_string().contains("no manifest.json"),
            "{e}"
        );
        std::fs::write(tmp.path().join("f"), "x").unwrap();
        let e = Destination::lock(&tmp.path().join("f/r"), Command::Run).unwrap_err();
        assert!(e.to_string().contains("is a file"), "{e}");
    }

    #[test]
    fn errors_name_the_file_in_the_result() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("r");
        let e = at_file(&path.join("x.csv"), io::Error::other("disk full"));
        let e = write_error(e, &path);
        assert_eq!(
            e.to_string(),
            format!("cannot write {}: disk full", path.join("x.csv").display())
        );
    }
}

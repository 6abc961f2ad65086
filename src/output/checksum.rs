//! A file's checksum as a result's manifest records it: BLAKE3 in this
//! build, SHA-256 in results of earlier builds (still checked).

use serde::{Deserialize, Serialize};
use sha2::Digest as _;
use std::io::{self, Read};
use std::path::Path;

/// A file's checksum, hex, under the algorithm its key in the manifest
/// names. This build writes BLAKE3 (`b3sum` checks it by hand): SHA-256
/// was a sixth of the CPU of a run writing every table, and BLAKE3 takes
/// about a third of its time. Results written by earlier builds
/// carry SHA-256 and are still checked against it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Checksum {
    /// BLAKE3 (32 bytes).
    Blake3(String),
    /// SHA-256, as earlier builds wrote.
    Sha256(String),
}

impl Checksum {
    /// The BLAKE3 checksum of the file at `path`, as this build records it.
    pub fn of_file(path: &Path) -> io::Result<Checksum> {
        let mut h = blake3::Hasher::new();
        h.update_reader(std::fs::File::open(path)?)?;
        Ok(h.finalize().into())
    }

    /// Whether the file at `path` has this checksum, under its algorithm.
    pub fn matches_file(&self, path: &Path) -> io::Result<bool> {
        Ok(match self {
            Checksum::Blake3(_) => Checksum::of_file(path)? == *self,
            Checksum::Sha256(want) => sha256_file(path)? == *want,
        })
    }
}

impl From<blake3::Hash> for Checksum {
    /// A finished BLAKE3 hash as the manifest records it.
    fn from(h: blake3::Hash) -> Checksum {
        Checksum::Blake3(h.to_hex().to_string())
    }
}

/// SHA-256 of a file, hex (the checksum of results of earlier builds).
fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = sha2::Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(h.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

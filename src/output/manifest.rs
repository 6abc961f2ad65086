//! `manifest.json`: everything needed to reproduce a run and to check its
//! files: program version, the resolved scenario, seed, replications,
//! threads, times, and a SHA-256 of each output file.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::io::{self, Read, Write};
use std::path::Path;
use std::time::SystemTime;

/// SHA-256 of a file, hex.
pub fn sha256_file(path: &Path) -> io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
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

/// RFC 3339 time in UTC, to the second.
pub fn timestamp(t: SystemTime) -> String {
    humantime::format_rfc3339_seconds(t).to_string()
}

/// Hashes and sizes of `files`, keyed by file name.
pub fn file_entries(files: &[std::path::PathBuf]) -> io::Result<Value> {
    let mut m = serde_json::Map::new();
    for p in files {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        m.insert(
            name,
            json!({ "sha256": sha256_file(p)?, "bytes": std::fs::metadata(p)?.len() }),
        );
    }
    Ok(Value::Object(m))
}

/// Write `manifest` as pretty JSON to `<dir>/manifest.json`, atomically.
pub fn write(dir: &Path, manifest: &Value) -> io::Result<()> {
    let mut f = crate::output::atomic::AtomicFile::create(&dir.join("manifest.json"))?;
    serde_json::to_writer_pretty(&mut f, manifest)?;
    f.write_all(b"\n")?;
    f.commit()?;
    Ok(())
}

/// The resolved scenario as JSON.
pub fn scenario_json(resolved: &toml::Table) -> Value {
    serde_json::to_value(resolved).unwrap_or(Value::Null)
}

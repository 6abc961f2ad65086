//! Output: CSV tables of runs, the manifest, atomic file writing.

pub mod atomic;
pub mod manifest;
pub mod report;
pub mod tables;

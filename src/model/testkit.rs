//! Test helpers: the toy world with overrides, and ids looked up by name.

use crate::model::world::World;
use crate::scenario;
use std::path::Path;

/// The toy world with `sets` applied (`key=value`, as `--set`).
pub fn toy(sets: &[&str]) -> World {
    let sets: Vec<String> = sets.iter().map(|s| s.to_string()).collect();
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/toy.toml");
    let loaded = scenario::load(&path, &sets).unwrap_or_else(|e| panic!("{e}"));
    World::from_scenario(&loaded.scenario).unwrap()
}

/// Index of the buyer `id`.
pub fn buyer(w: &World, id: &str) -> usize {
    w.buyers.iter().position(|b| b.id == id).unwrap()
}

/// Index of the category `id`.
pub fn category(w: &World, id: &str) -> usize {
    w.categories.iter().position(|c| c.id == id).unwrap()
}

/// Index of the line `id`.
pub fn line(w: &World, id: &str) -> usize {
    w.lines.iter().position(|l| l.id == id).unwrap()
}

/// Index of the supplier `id`.
pub fn supplier(w: &World, id: &str) -> usize {
    w.suppliers.iter().position(|s| s.id == id).unwrap()
}

/// Whether `a` and `b` agree to 1e-9 (relative).
pub fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-9 * (1.0 + a.abs().max(b.abs()))
}

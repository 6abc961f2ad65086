//! Time the phases of compiling a world with values written into it.
use armsmarket::engine::overlay::Overlay;
use armsmarket::scenario::{self, Origin};
use std::path::Path;
use std::time::Instant;
fn main() {
    let path = Path::new("scenarios/europe.toml");
    let (table, _sources) = scenario::load_table(path).unwrap();
    let ov = Overlay::new(path, table);
    let v = toml::Value::Float(0.7);
    let at = Origin::new(String::from("x"), 1, 1);
    let settings = [("preferences.default.delivery", &v, &at)];
    let n = 50;
    let c = Instant::now();
    for _ in 0..n {
        std::hint::black_box(ov.table_with(&settings).unwrap());
    }
    let tw = c.elapsed() / n;
    let c = Instant::now();
    for _ in 0..n {
        std::hint::black_box(ov.compile_with(&settings, &at, "x").unwrap());
    }
    let cw = c.elapsed() / n;
    println!("table_with {tw:?}, compile_with {cw:?}");
    parts();
}
#[allow(dead_code)]
fn parts() {
    let path = Path::new("scenarios/europe.toml");
    let (table, _sources) = scenario::load_table(path).unwrap();
    let ov = Overlay::new(path, table);
    let sc = ov.scenario_with(&[]).unwrap();
    let n = 50;
    let c = Instant::now();
    for _ in 0..n {
        std::hint::black_box(sc.clone());
    }
    println!("clone {:?}", c.elapsed() / n);
    let c = Instant::now();
    for _ in 0..n {
        std::hint::black_box(armsmarket::scenario::validate::validate(&sc));
    }
    println!("validate {:?}", c.elapsed() / n);
    let c = Instant::now();
    for _ in 0..n {
        let w = armsmarket::model::World::from_scenario(&sc).unwrap();
        std::hint::black_box(armsmarket::analysis::Targets::compile(&sc, &w).unwrap());
    }
    println!("compile {:?}", c.elapsed() / n);
}

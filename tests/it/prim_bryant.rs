//! PRIM on the biofuels data of Bryant & Lempert (2010), "Thinking inside
//! the box: A participatory, computer-assisted approach to scenario
//! discovery", Technological Forecasting and Social Change 77(1), 34–49,
//! as shipped with the EMA Workbench
//! (`ema_workbench/examples/data/bryant et al 2010 data.csv`, run by its
//! `examples/sd_prim_bryant_and_lempert.py`).
//!
//! The data carry no licence of their own, so they are not copied here:
//! point `PRIM_BRYANT_CSV` at the file and run the ignored test
//! (`cargo test --release -- --ignored bryant`).

use armsmarket::analysis::prim::{Column, Limit, PrimConfig, PrimData, QuasiP, discover};

#[test]
#[ignore = "needs PRIM_BRYANT_CSV, the Bryant & Lempert data, which are not in the repository"]
fn bryant_lempert_trajectory_matches_ema() {
    let path = std::env::var("PRIM_BRYANT_CSV").expect("PRIM_BRYANT_CSV names the data file");
    let mut reader = csv::Reader::from_path(&path).expect("readable CSV");
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<f64>> = reader
        .records()
        .map(|r| r.unwrap().iter().map(|v| v.parse().unwrap()).collect())
        .collect();
    assert_eq!(rows.len(), 882);
    // As the EMA example: x = columns 2..11, y = column 15 ("Greater than 90%").
    assert_eq!(header[15], "Greater than 90%");
    let columns = (2..11)
        .map(|c| Column::float(&header[c], rows.iter().map(|r| r[c]).collect()))
        .collect();
    let y: Vec<f64> = rows.iter().map(|r| r[15]).collect();
    assert_eq!(y.iter().sum::<f64>(), 89.0);
    let data = PrimData::new(columns, y).unwrap();
    let config = PrimConfig {
        peel_alpha: 0.1,
        ..PrimConfig::default()
    };
    let found = discover(&data, config, 1).unwrap();
    let t = &found[0].trajectory;
    for e in t {
        println!(
            "{:>2} {:?} coverage {:.4} density {:.4} mass {:.4} res_dim {} n {} k {}",
            e.id,
            e.phase,
            e.coverage,
            e.density,
            e.mass,
            e.restricted.len(),
            e.n,
            e.k
        );
    }
    assert_eq!(t.len(), 28);
    // EMA 3.0.0's trajectory: n, k and restricted dimensions of every box
    // (coverage = k/89, density = k/n and mass = n/882 follow).
    let ema_n = [
        882, 792, 710, 638, 573, 513, 458, 412, 368, 329, 296, 264, 237, 213, 191, 170, 152, 136,
        121, 108, 97, 87, 78, 70, 63, 56, 50, 45,
    ];
    let ema_k = [
        89, 89, 89, 89, 89, 89, 89, 89, 89, 89, 89, 88, 87, 86, 85, 82, 81, 78, 75, 74, 71, 67, 65,
        61, 57, 52, 48, 45,
    ];
    let ema_res_dim = [
        0, 1, 2, 2, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 5, 6, 6,
    ];
    for (i, e) in t.iter().enumerate() {
        assert_eq!(e.n, ema_n[i], "box {i}: n");
        assert_eq!(e.k, f64::from(ema_k[i]), "box {i}: k");
        assert_eq!(e.restricted.len(), ema_res_dim[i], "box {i}: restricted");
        assert_eq!(e.coverage, f64::from(ema_k[i]) / 89.0, "box {i}: coverage");
        assert_eq!(
            e.density,
            f64::from(ema_k[i]) / ema_n[i] as f64,
            "box {i}: density"
        );
        assert_eq!(e.mass, ema_n[i] as f64 / 882.0, "box {i}: mass");
    }
    let b = &t[21];
    assert_eq!((b.n, b.k), (87, 67.0));
    assert_eq!(b.restricted.len(), 4);
    assert!((b.coverage - 0.7528).abs() < 5e-5, "{}", b.coverage);
    assert!((b.density - 0.7701).abs() < 5e-5, "{}", b.density);
    assert!((b.mass - 0.0986).abs() < 5e-5, "{}", b.mass);
    // Exactly EMA's: 67/89, 67/87, 87/882.
    assert_eq!(
        (b.coverage, b.density, b.mass),
        (67.0 / 89.0, 67.0 / 87.0, 87.0 / 882.0)
    );
    let names: Vec<&str> = b
        .restricted
        .iter()
        .map(|&c| data.names()[c].as_str())
        .collect();
    assert_eq!(
        names,
        [
            "Cellulosic cost",
            "Total biomass",
            "Demand elasticity",
            "Biomass backstop price"
        ]
    );
    // EMA 3.0.0's box 21, printed with repr(): limits and quasi-p values
    // (None where EMA writes -1).
    let ema = [
        (72.65000153, 133.6999969, Some(0.15741333528927326), None),
        (450.0, 755.7999878, None, Some(4.716968553178767e-06)),
        (
            -0.422000006,
            -0.202000007,
            Some(1.1849299115762208e-16),
            None,
        ),
        (150.0499954, 199.6000061, Some(3.51511253026305e-11), None),
    ];
    for ((&c, (_, qp)), (lo, hi, qp_lo, qp_hi)) in b.restricted.iter().zip(&b.quasi_p).zip(ema) {
        assert_eq!(
            b.limits[c],
            Limit::Numeric {
                lower: lo,
                upper: hi
            }
        );
        let QuasiP::Bounds { lower, upper } = *qp else {
            panic!("numeric column")
        };
        println!("{}: quasi-p {lower:?} {upper:?}", data.names()[c]);
        for (mine, theirs) in [(lower, qp_lo), (upper, qp_hi)] {
            match (mine, theirs) {
                (Some(m), Some(t)) => assert!((m - t).abs() <= 1e-12 * t, "{m} vs {t}"),
                (None, None) => {}
                other => panic!("restricted bounds differ: {other:?}"),
            }
        }
    }
}

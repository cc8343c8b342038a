//! scratch
fn main() {
    let text = std::fs::read_to_string(std::env::args().nth(1).unwrap()).unwrap();
    let reps: u32 = std::env::args().nth(2).unwrap().parse().unwrap();
    let sc = sim::Scenario::from_toml(&text, "x").unwrap_or_else(|e| panic!("{e}"));
    let res = sim::montecarlo::run(&sim::Model::new(sc), reps, &|| {});
    for k in ["diverted_share", "response_mean_min", "late_share"] {
        println!("{k} {:?}", res.kpi(None, None, None, k).unwrap());
    }
    println!("{:?}", res.regions[0].kpis);
}

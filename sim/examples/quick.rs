//! Runs the embedded Illinois default with a few replications and prints the outcome totals.
fn main() {
    let sc = sim::Scenario::from_toml(sim::scenario::ILLINOIS_TOML, "illinois.toml")
        .unwrap_or_else(|e| panic!("{e}"));
    let reps: u32 = std::env::args().nth(1).and_then(|a| a.parse().ok()).unwrap_or(4);
    let model = sim::Model::new(sc);
    let t = std::time::Instant::now();
    let res = sim::montecarlo::run(&model, reps, &|| {});
    eprintln!("{:?} for {reps} reps", t.elapsed());
    println!("{:?}", res.outcome_totals);
    for r in &res.regions {
        let g = res.group(Some(&r.name), None, None).unwrap();
        println!(
            "{:10} teams {:2} div {:.3}±{:.3} notime {:.3} p50 {:.1} p90 {:.1} util {:.3} mob/mo {:.0}",
            r.name,
            r.teams,
            g.kpis["diverted_share"].mean,
            g.kpis["diverted_share"].half_width,
            g.kpis["late_share"].mean,
            g.pooled_p50_min,
            g.pooled_p90_min,
            r.kpis["utilization"].mean,
            g.kpis["mobile_per_month"].mean
        );
    }
}

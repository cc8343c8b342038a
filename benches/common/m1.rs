//! What the hand-written M1 loops (`minimal_m1.rs`, `loop_m1.rs`) share:
//! the model's constants, a replication's counts, and the JSON report that
//! `compare.sh` reads (mean and 95% half-width over replications).

/// Teams, all on shift 24/7.
pub const TEAMS: usize = 4;
/// One year, minutes.
pub const HORIZON_MIN: f64 = 365.0 * 1440.0;
/// Arrivals per minute (2 an hour).
pub const RATE_PER_MIN: f64 = 2.0 / 60.0;
/// Travel, lognormal: mean and sd, minutes.
pub const TRAVEL_MEAN: f64 = 25.0;
pub const TRAVEL_SD: f64 = 12.0;
/// On scene, exponential: mean, minutes.
pub const SCENE_MEAN: f64 = 60.0;
/// Maximum response, minutes.
pub const MAX_RESPONSE: f64 = 60.0;
/// Slack on time comparisons, as in cessa-sim.
pub const EPS: f64 = 1e-9;

/// The lognormal travel time's (mu, sigma) from its mean and sd.
pub fn travel_params() -> (f64, f64) {
    let sigma2 = (1.0 + (TRAVEL_SD / TRAVEL_MEAN).powi(2)).ln();
    (TRAVEL_MEAN.ln() - sigma2 / 2.0, sigma2.sqrt())
}

/// One replication's counts.
#[derive(Default, Clone, Copy, PartialEq, Debug)]
pub struct Rep {
    pub calls: u64,
    pub in_time: u64,
    pub late: u64,
    pub diverted: u64,
    pub busy_min: f64,
}

impl Rep {
    /// Counts a call (arrived at `arrival`, `travel` and `scene` minutes)
    /// that a team free at `s` is sent to, and returns when the team is
    /// free again: in time or late, and its busy time clipped to the year.
    #[inline(always)]
    pub fn dispatched(&mut self, s: f64, arrival: f64, travel: f64, scene: f64) -> f64 {
        if s - arrival + travel <= MAX_RESPONSE + EPS {
            self.in_time += 1;
        } else {
            self.late += 1;
        }
        let end = s + travel + scene;
        if s < HORIZON_MIN {
            self.busy_min += end.min(HORIZON_MIN) - s;
        }
        end
    }
}

/// Student t quantile (Abramowitz & Stegun 26.7.5; exact to ~1e-6 for df >= 10).
fn t_quantile_975(df: f64) -> f64 {
    let z: f64 = 1.959_963_984_540_054;
    let (z3, z5, z7, z9) = (z.powi(3), z.powi(5), z.powi(7), z.powi(9));
    let g1 = (z3 + z) / 4.0;
    let g2 = (5.0 * z5 + 16.0 * z3 + 3.0 * z) / 96.0;
    let g3 = (3.0 * z7 + 19.0 * z5 + 17.0 * z3 - 15.0 * z) / 384.0;
    let g4 = (79.0 * z9 + 776.0 * z7 + 1482.0 * z5 - 1920.0 * z3 - 945.0 * z) / 92160.0;
    z + g1 / df + g2 / df.powi(2) + g3 / df.powi(3) + g4 / df.powi(4)
}

/// Mean and 95% half-width over replications.
fn mean_ci(x: &[f64]) -> (f64, f64) {
    let n = x.len() as f64;
    let m = x.iter().sum::<f64>() / n;
    if x.len() < 2 {
        return (m, f64::NAN);
    }
    let var = x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (n - 1.0);
    (m, t_quantile_975(n - 1.0) * (var / n).sqrt())
}

/// Prints the run as one JSON object: `head` (the tool's own keys, e.g.
/// `"tool": "minimal_m1", "rng": "..."`), then the shares and utilization
/// with their half-widths, the calls, the wall time and calls per second.
/// Panics if a replication's outcomes do not add up to its calls.
pub fn print_report(head: &str, results: &[Rep], wall_s: f64) {
    for r in results {
        assert_eq!(
            r.in_time + r.late + r.diverted,
            r.calls,
            "every call ends in one outcome"
        );
    }
    let share =
        |f: fn(&Rep) -> u64| -> Vec<f64> { results.iter().map(|r| f(r) as f64 / r.calls as f64).collect() };
    let calls: u64 = results.iter().map(|r| r.calls).sum();
    let (div, div_h) = mean_ci(&share(|r| r.diverted));
    let (late, late_h) = mean_ci(&share(|r| r.late));
    let (in_time, in_time_h) = mean_ci(&share(|r| r.in_time));
    let util: Vec<f64> = results
        .iter()
        .map(|r| r.busy_min / (TEAMS as f64 * HORIZON_MIN))
        .collect();
    let (u, u_h) = mean_ci(&util);
    println!(
        "{{{head}, \"replications\": {}, \
         \"diverted_share\": {div}, \"diverted_share_hw\": {div_h}, \
         \"late_share\": {late}, \"late_share_hw\": {late_h}, \
         \"in_time_share\": {in_time}, \"in_time_share_hw\": {in_time_h}, \
         \"utilization\": {u}, \"utilization_hw\": {u_h}, \
         \"calls\": {calls}, \"wall_s\": {wall_s}, \"calls_per_s\": {}}}",
        results.len(),
        calls as f64 / wall_s
    );
}

//! Exact queueing-theory results used to validate the discrete-event simulator.
//!
//! Everything here is a pure `f64` function. Units are consistent throughout:
//! **rates are per minute, times are in minutes**, and an *offered load*
//! `a = λ/μ` is dimensionless (erlangs). The routines are written to stay
//! numerically stable for at least 64 servers and offered loads up to about
//! `1.5 c`: Erlang B uses its recursion and never forms `a^c / c!`, and the
//! M/M/c+D formulas are rescaled so that `e^{(λ − cμ)D}` cannot overflow.
//!
//! Contents:
//! * [`erlang_b`], [`erlang_b_utilization`]: M/M/c/c loss system.
//! * [`erlang_c`], [`mmc_mean_wait`], [`mmc_wait_tail`]: M/M/c delay system.
//! * [`mmc_deterministic_patience`]: M/M/c+D (Erlang-A with deterministic
//!   patience), returning [`MmcD`].
//! * [`mt_m_inf_mean_busy`], [`mt_m_inf_block_average`]: M_t/M/∞ with a
//!   periodic piecewise-constant arrival rate.

/// Erlang B blocking probability `B(c, a)` of the M/M/c/c loss system.
///
/// `offered_load` is `a = λ/μ` in erlangs. Computed with the stable recursion
/// `B(0, a) = 1`, `B(k, a) = a B(k−1, a) / (k + a B(k−1, a))`, which equals
/// `(a^c/c!) / Σ_{k=0}^{c} a^k/k!` without overflow.
/// Source: Cooper, *Introduction to Queueing Theory* (2nd ed., 1981), §3.4.
///
/// # Panics
/// If `offered_load` is negative or not finite.
pub fn erlang_b(servers: u32, offered_load: f64) -> f64 {
    let valid = offered_load.is_finite() && offered_load >= 0.0;
    assert!(valid, "offered load must be finite and >= 0");
    (1..=servers).fold(1.0, |b, k| {
        let ab = offered_load * b;
        ab / (f64::from(k) + ab)
    })
}

/// Per-server utilisation of the M/M/c/c loss system: `a (1 − B(c, a)) / c`
/// (carried load divided by the number of servers; dimensionless).
/// Source: Cooper (1981), §3.4. Returns 0 when `servers == 0` (as `B(0, a) = 1`).
pub fn erlang_b_utilization(servers: u32, offered_load: f64) -> f64 {
    offered_load * (1.0 - erlang_b(servers, offered_load)) / f64::from(servers.max(1))
}

/// Erlang C probability of waiting, `C(c, a) = P(W > 0)`, in the M/M/c queue.
///
/// `offered_load` is `a = λ/μ`. Computed from Erlang B as
/// `C = c B / (c − a (1 − B))`. Returns `1.0` when `a >= c` (unstable queue:
/// every arrival eventually waits). Source: Kleinrock, *Queueing Systems*
/// Vol. 1 (1975), eq. (3.40); Cooper (1981), §3.5.
pub fn erlang_c(servers: u32, offered_load: f64) -> f64 {
    let c = f64::from(servers);
    if offered_load >= c {
        return 1.0;
    }
    let b = erlang_b(servers, offered_load);
    (c * b / (c - offered_load * (1.0 - b))).min(1.0)
}

/// Mean waiting time in queue (minutes) of the M/M/c queue:
/// `E[W] = C(c, λ/μ) / (cμ − λ)`, rates per minute.
/// Returns `f64::INFINITY` when `λ >= cμ`. Source: Kleinrock (1975), eq. (3.43).
pub fn mmc_mean_wait(servers: u32, arrival_rate: f64, service_rate: f64) -> f64 {
    let drift = f64::from(servers) * service_rate - arrival_rate;
    if drift <= 0.0 {
        return f64::INFINITY;
    }
    erlang_c(servers, arrival_rate / service_rate) / drift
}

/// Waiting-time tail of the M/M/c FCFS queue: `P(W > t) = C e^{−(cμ − λ) t}`
/// for `t >= 0` minutes (rates per minute); `1` for `t < 0`, and `1` when the
/// queue is unstable (`λ >= cμ`). Source: Kleinrock (1975), eq. (3.41) ff.
pub fn mmc_wait_tail(servers: u32, arrival_rate: f64, service_rate: f64, t: f64) -> f64 {
    let drift = f64::from(servers) * service_rate - arrival_rate;
    if t < 0.0 || drift <= 0.0 {
        return 1.0;
    }
    erlang_c(servers, arrival_rate / service_rate) * (-drift * t).exp()
}

/// Steady-state performance of the M/M/c+D queue (FCFS, Poisson arrivals at
/// rate λ, exponential service at rate μ, every customer abandons after
/// exactly `patience = D` minutes if not yet in service; abandoners consume no
/// service). Returned by [`mmc_deterministic_patience`], which documents the
/// derivation. All probabilities are over arrivals (PASTA).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MmcD {
    /// `P(W > 0)`: probability an arrival finds all servers busy (counting
    /// those who later abandon). Equals Erlang C as `D → ∞` (if `λ < cμ`).
    pub prob_wait: f64,
    /// `P(Ab) = P(V >= D)`: probability an arrival abandons. Equals Erlang B
    /// when `D = 0`.
    pub prob_abandon: f64,
    /// `E[W | served] = E[V; V < D] / P(V < D)` in minutes.
    pub mean_wait_served: f64,
    /// `E[min(V, D)]` in minutes: mean time in queue over all arrivals,
    /// abandoners counting their full patience `D`.
    pub mean_wait_all: f64,
    /// Per-server utilisation `λ (1 − P(Ab)) / (cμ)` (dimensionless).
    pub utilization: f64,
}

/// `ψ1(y) = (1 − e^{−y}) / y` for `y >= 0` (`ψ1(0) = 1`).
fn psi1(y: f64) -> f64 {
    if y == 0.0 { 1.0 } else { -(-y).exp_m1() / y }
}

/// `ψ2(y) = (1 − e^{−y}(1 + y)) / y²` for `y >= 0` (`ψ2(0) = 1/2`); Taylor
/// series `Σ_k (−y)^k (k+1)/(k+2)!` below 1 to avoid cancellation.
fn psi2(y: f64) -> f64 {
    if y < 1.0 {
        let (mut sum, mut term) = (0.0, 0.5); // term = (−y)^k / (k+2)!
        for k in 0..25 {
            sum += f64::from(k + 1) * term;
            term *= -y / f64::from(k + 3);
        }
        sum
    } else {
        (1.0 - (-y).exp() * (1.0 + y)) / (y * y)
    }
}

/// `(∫_0^L e^{−s v} dv, ∫_0^L v e^{−s v} dv)` for `s >= 0`, `L >= 0` finite.
fn exp_moments(s: f64, l: f64) -> (f64, f64) {
    let y = s * l;
    if y < 1.0 {
        (l * psi1(y), l * l * psi2(y))
    } else {
        // Here s > 0; l ψ2(y) y / s = (1 − e^{−y}(1+y))/s² without forming l².
        (l * psi1(y), l * (psi2(y) * y) / s)
    }
}

/// Exact steady state of the M/M/c+D queue (Erlang-A with deterministic
/// patience `D`), rates per minute, `patience` in minutes (may be `0` or
/// `f64::INFINITY`).
///
/// Specialises the M/M/n+G closed form of Baccelli & Hébuterne (1981, *On
/// queues with impatient customers*, Performance '81) as summarised by
/// Mandelbaum & Zeltyn (*The M/M/n+G queue: summary of performance measures*,
/// Technion, 2005) and Zeltyn & Mandelbaum (2005, Queueing Systems 51:361–402):
/// with `H(x) = ∫_0^x Ḡ(u) du = min(x, D)`, `J = ∫_0^∞ e^{λH(x) − cμx} dx` and
/// `ε = Σ_{j<c} a^j/j! / (a^{c−1}/(c−1)!) = 1/B(c−1, a)`:
/// `P(W>0) = λJ/(ε + λJ)`, `P(Ab) = (1 + (λ − cμ)J)/(ε + λJ)`.
///
/// Derivation (re-done by hand). Let `δ = cμ − λ`. The offered wait `V` (wait
/// of a virtual arrival with infinite patience) is Markov together with the
/// number busy `k < c`: `V` decreases at unit speed, a served arrival
/// (`V < D`) adds an `Exp(cμ)` amount, an abandoner (`V >= D`) adds nothing,
/// and `V` hitting 0 frees a server. Level crossing at `v > 0` gives
/// `f(v) = λp_{c−1}e^{−cμv} + λ∫_0^{min(v,D)} f(u)e^{−cμ(v−u)} du`, hence
/// `f(v) = λp_{c−1}e^{−δv}` on `(0, D)` and `λp_{c−1}e^{−δD}e^{−cμ(v−D)}` on
/// `[D, ∞)`, with `p_k ∝ a^k/k!` for `k < c`. So `∫f = λp_{c−1}J`, where
/// `J = (1 − e^{−δD})/δ + e^{−δD}/(cμ)` (`= D + 1/(cμ)` if `δ = 0`);
/// `P(Ab) = λp_{c−1}e^{−δD}/(cμ)`, `E[V; V<D] = λp_{c−1}∫_0^D v e^{−δv} dv`,
/// and normalisation gives `p_{c−1} = B(c−1, a)/(1 + B(c−1, a) λJ)`.
/// `D = 0` gives Erlang B; `D → ∞` with `δ > 0` gives Erlang C. For `δ < 0`
/// numerator and denominator are multiplied by `e^{δD}` to avoid overflow.
/// With `D = ∞` and `λ >= cμ` the queue is unstable: `prob_wait = 1`,
/// `prob_abandon = 0`, infinite mean waits.
///
/// # Panics
/// If `servers == 0`, `service_rate <= 0`, `arrival_rate < 0` or `patience < 0`.
pub fn mmc_deterministic_patience(servers: u32, arrival_rate: f64, service_rate: f64, patience: f64) -> MmcD {
    assert!(servers > 0 && service_rate > 0.0 && arrival_rate >= 0.0 && patience >= 0.0);
    let (lam, d, cmu) = (arrival_rate, patience, f64::from(servers) * service_rate);
    let delta = cmu - lam;
    let b = erlang_b(servers - 1, lam / service_rate);
    // Scaled quantities (all multiplied by w = min(1, e^{δD})): `a0` = λ∫_0^D
    // e^{−δv}dv, `a1` = λ∫_0^D v e^{−δv}dv, `aab` = λe^{−δD}/(cμ).
    let (w, a0, a1, aab) = if d.is_infinite() {
        if delta <= 0.0 {
            let inf = f64::INFINITY;
            return MmcD {
                prob_wait: 1.0,
                prob_abandon: 0.0,
                mean_wait_served: inf,
                mean_wait_all: inf,
                utilization: 1.0,
            };
        }
        (1.0, lam / delta, lam / (delta * delta), 0.0)
    } else if delta >= 0.0 {
        let (m0, m1) = exp_moments(delta, d);
        (1.0, lam * m0, lam * m1, lam * (-delta * d).exp() / cmu)
    } else {
        // e^{δD}∫_0^D e^{−δv}dv = ∫_0^D e^{−|δ|u}du; same for v = D − u.
        let (m0, m1) = exp_moments(-delta, d);
        ((delta * d).exp(), lam * m0, lam * (d * m0 - m1), lam / cmu)
    };
    let dab = if aab > 0.0 { d * aab } else { 0.0 }; // abandoners wait exactly D
    let z = w + b * (a0 + aab);
    let prob_abandon = b * aab / z;
    let served_mass = w + b * a0; // = z · P(V < D)
    MmcD {
        prob_wait: b * (a0 + aab) / z,
        prob_abandon,
        mean_wait_served: b * a1 / served_mass,
        mean_wait_all: b * (a1 + dab) / z,
        utilization: lam * (1.0 - prob_abandon) / cmu,
    }
}

/// Exact periodic steady-state mean number busy `m(t)` of the M_t/M/∞ queue,
/// evaluated at the **start** of each block.
///
/// The arrival rate is `rates_per_block[i]` (per minute) on block
/// `[i h, (i+1) h)`, `h = block_minutes`, repeating with period `T = K h`;
/// service is exponential at `service_rate = μ` per minute. `m` solves
/// `m'(t) = λ(t) − μ m(t)`; on block `i`, with `r_i = λ_i/μ` and
/// `q = e^{−μh}`, `m(ih + s) = r_i + (m_i − r_i) e^{−μs}`. The periodic
/// condition `m(0) = m(T)` gives
/// `m_0 = Σ_i r_i (1 − q) q^{K−1−i} / (1 − q^K)`, then
/// `m_{i+1} = r_i + (m_i − r_i) q`. The number busy at time `t` is Poisson
/// with mean `m(t)`. Source: Eick, Massey & Whitt (1993), *The physics of the
/// M_t/G/∞ queue*, Operations Research 41(4):731–742.
///
/// # Panics
/// If `block_minutes <= 0`, `service_rate <= 0` or a rate is negative.
pub fn mt_m_inf_mean_busy(rates_per_block: &[f64], block_minutes: f64, service_rate: f64) -> Vec<f64> {
    let ok = rates_per_block.iter().all(|r| r.is_finite() && *r >= 0.0);
    assert!(
        ok && block_minutes > 0.0 && service_rate > 0.0,
        "invalid M_t/M/inf input"
    );
    let (x, k) = (service_rate * block_minutes, rates_per_block.len() as f64);
    let q = (-x).exp();
    // Horner for Σ r_i q^{K−1−i}, times (1 − q)/(1 − q^K) via expm1 (stable for tiny μh).
    let horner = rates_per_block
        .iter()
        .fold(0.0, |h, lam| h * q + lam / service_rate);
    let m0 = horner * (-x).exp_m1() / (-x * k).exp_m1();
    let step = |m: &mut f64, lam: &f64| {
        let (start, r) = (*m, lam / service_rate);
        *m = r + (start - r) * q;
        Some(start)
    };
    rates_per_block.iter().scan(m0, step).collect()
}

/// Time average of the periodic steady-state mean number busy `m(t)` of the
/// M_t/M/∞ queue over each block (same inputs and units as
/// [`mt_m_inf_mean_busy`]): `(1/h)∫_0^h m(ih + s) ds = r_i + (m_i − r_i)
/// (1 − e^{−μh})/(μh)`, with `r_i = λ_i/μ`. Source: Eick, Massey & Whitt (1993).
///
/// # Panics
/// As [`mt_m_inf_mean_busy`].
pub fn mt_m_inf_block_average(rates_per_block: &[f64], block_minutes: f64, service_rate: f64) -> Vec<f64> {
    let starts = mt_m_inf_mean_busy(rates_per_block, block_minutes, service_rate);
    let f = psi1(service_rate * block_minutes);
    let average = |(lam, m): (&f64, f64)| lam / service_rate + (m - lam / service_rate) * f;
    rates_per_block.iter().zip(starts).map(average).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    /// Asserts `|x − y| <= tol (1 + |y|)`.
    fn check(x: f64, y: f64, tol: f64, what: &str) {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}: {x} vs {y}");
    }

    /// Direct (overflow-prone, fine for small c) `(Σ_{k<n} a^k/k!, a^n/n!)`.
    fn poisson_sums(n: u32, a: f64) -> (f64, f64) {
        (0..n).fold((0.0, 1.0), |(s, t), k| (s + t, t * a / f64::from(k + 1)))
    }

    #[test]
    fn erlang_b_and_c_known_values() {
        check(erlang_b(1, 1.0), 0.5, 1e-15, "B(1,1)");
        check(erlang_b(2, 1.0), 0.2, 1e-15, "B(2,1)");
        check(erlang_b(10, 5.0), 0.018_384_570_336_648, 1e-12, "B(10,5)");
        assert_eq!(erlang_b(0, 3.0), 1.0);
        for (n, a) in [(5, 3.7), (12, 20.0), (30, 25.5)] {
            let (s, t) = poisson_sums(n, a);
            check(erlang_b(n, a), t / (s + t), 1e-12, "B direct");
        }
        let b = erlang_b(64, 96.0); // heavy load: B ≈ 1 − c/a
        assert!(b > 0.3 && b < 0.4, "{b}");
        check(erlang_b_utilization(2, 1.0), 0.4, 1e-15, "util");
        check(erlang_c(2, 1.0), 1.0 / 3.0, 1e-14, "C(2,1)");
        check(erlang_c(1, 0.7), 0.7, 1e-14, "M/M/1 C = rho");
        check(erlang_c(10, 8.0), 0.409_180_150_8, 1e-10, "C(10,8)"); // table: 0.4092
        let (s, t) = poisson_sums(7, 5.5);
        let top = t * 7.0 / (7.0 - 5.5);
        check(erlang_c(7, 5.5), top / (s + top), 1e-12, "C direct");
        assert_eq!(erlang_c(64, 96.0), 1.0);
        assert!(erlang_c(64, 63.9) < 1.0 && erlang_c(64, 63.9) > 0.9);
    }

    #[test]
    fn mmc_wait_known_and_integrated() {
        check(mmc_mean_wait(1, 0.5, 1.0), 1.0, 1e-14, "M/M/1"); // ρ/(μ − λ)
        assert_eq!(mmc_mean_wait(2, 2.0, 1.0), f64::INFINITY);
        let (n, lam, mu, dt) = (5, 0.15, 1.0 / 30.0, 0.01);
        let tail = |i: i32| mmc_wait_tail(n, lam, mu, f64::from(i) * dt);
        // E[W] = ∫ P(W > t) dt by the trapezoid rule.
        let integral = (0..200_000).map(|i| (tail(i) + tail(i + 1)) * dt / 2.0);
        check(integral.sum(), mmc_mean_wait(n, lam, mu), 1e-6, "E[W]");
        check(tail(0), erlang_c(n, lam / mu), 1e-15, "P(W>0) = C");
    }

    #[test]
    fn mmcd_limits() {
        let cases = [(1, 0.8, 1.0), (4, 3.0, 1.0), (10, 0.2, 0.025)];
        for (n, lam, mu) in cases.into_iter().chain([(64, 1.3, 1.0 / 45.0)]) {
            let a = lam / mu;
            let r0 = mmc_deterministic_patience(n, lam, mu, 0.0);
            let (b, u) = (erlang_b(n, a), erlang_b_utilization(n, a));
            check(r0.prob_abandon, b, 1e-12, "D=0 P(Ab) = B");
            check(r0.prob_wait, b, 1e-12, "D=0 P(W>0) = B");
            check(r0.utilization, u, 1e-12, "D=0 util");
            let tiny = mmc_deterministic_patience(n, lam, mu, 1e-9);
            check(tiny.prob_abandon, b, 1e-6, "D -> 0");
            for d in [1e6, f64::INFINITY] {
                let r = mmc_deterministic_patience(n, lam, mu, d);
                let w = mmc_mean_wait(n, lam, mu);
                check(r.prob_wait, erlang_c(n, a), 1e-10, "P(W>0) = C");
                check(r.prob_abandon, 0.0, 1e-12, "D -> inf P(Ab)");
                check(r.mean_wait_served, w, 1e-9, "D -> inf E[W]");
            }
        }
        // Overloaded, huge D: no overflow; fluid limit P(Ab) -> 1 − cμ/λ, E[W|S] -> D.
        let r = mmc_deterministic_patience(64, 96.0 / 45.0, 1.0 / 45.0, 1e4);
        check(r.prob_abandon, 1.0 / 3.0, 1e-9, "fluid P(Ab)");
        assert!(r.mean_wait_served > 0.99e4 && r.mean_wait_served < 1e4);
        // λ = cμ exactly uses the limit J = D + 1/(cμ).
        let at = mmc_deterministic_patience(3, 3.0, 1.0, 2.0);
        let near = mmc_deterministic_patience(3, 3.0 + 1e-7, 1.0, 2.0);
        check(at.prob_abandon, near.prob_abandon, 1e-6, "λ = cμ");
        check(at.mean_wait_served, near.mean_wait_served, 1e-6, "λ = cμ");
    }

    #[test]
    fn mmcd_stable_and_monotone_on_grid() {
        let ds = [0.0, 1e-6, 0.5, 5.0, 60.0, 1e3, 1e5];
        let (mu, ns, rhos) = (1.0 / 45.0, [1, 8, 64], [0.3, 0.9, 1.0, 1.5]);
        for (n, rho) in ns.into_iter().flat_map(|n| rhos.map(|rho| (n, rho))) {
            let r = ds.map(|d| mmc_deterministic_patience(n, rho * f64::from(n) * mu, mu, d));
            for (x, d) in r.iter().zip(ds) {
                let ok = (0.0..=1.0).contains(&x.prob_abandon) && x.prob_wait <= 1.0;
                assert!(ok && x.mean_wait_served <= d && x.mean_wait_all.is_finite());
            }
            for p in r.windows(2) {
                let more_patient = p[1].prob_wait + 1e-12 >= p[0].prob_wait;
                assert!(more_patient && p[1].prob_abandon <= p[0].prob_abandon + 1e-12);
            }
        }
    }

    /// Mandelbaum–Zeltyn `(P(Ab), P(W>0))` with `J` integrated by Simpson's rule
    /// and `ε` from direct sums.
    fn mz_quadrature(n: u32, lam: f64, mu: f64, d: f64) -> (f64, f64) {
        let cmu = f64::from(n) * mu;
        let f = |x: f64| (lam * x.min(d) - cmu * x).exp();
        let simpson = |lo: f64, hi: f64| {
            let h = (hi - lo) / 20_000.0;
            let x = |i: i32| lo + f64::from(i) * h;
            let panel = |i: i32| (f(x(2 * i)) + 4.0 * f(x(2 * i + 1)) + f(x(2 * i + 2))) * h / 3.0;
            (0..10_000).map(panel).sum::<f64>()
        };
        let j = simpson(0.0, d) + simpson(d, d + 60.0 / cmu);
        let (s, t) = poisson_sums(n - 1, lam / mu); // t = a^{n−1}/(n−1)!
        let eps = (s + t) / t;
        let den = eps + lam * j;
        ((1.0 + (lam - cmu) * j) / den, lam * j / den)
    }

    #[test]
    fn mmcd_matches_quadrature_of_general_formula() {
        let cases = [(1, 0.9, 1.0, 1.5), (3, 2.0, 1.0, 0.4), (8, 10.0, 1.0, 0.7)];
        let more = [(20, 0.5, 0.025, 10.0), (64, 96.0 / 45.0, 1.0 / 45.0, 30.0)];
        for (n, lam, mu, d) in cases.into_iter().chain(more) {
            let r = mmc_deterministic_patience(n, lam, mu, d);
            let (p_ab, p_w) = mz_quadrature(n, lam, mu, d);
            check(r.prob_abandon, p_ab, 1e-8, "P(Ab) quadrature");
            check(r.prob_wait, p_w, 1e-8, "P(W>0) quadrature");
        }
    }

    /// Exact FCFS c-server simulation with deterministic patience `d`: a customer
    /// starts when the earliest server frees; abandoners never occupy a server.
    /// Returns `(P(Ab), P(W>0), E[W | served], E[min(V, D)])` after a 5% warm-up.
    fn simulate(n: usize, lam: f64, mu: f64, d: f64, seed: u64) -> [f64; 4] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut exp = |rate: f64| -(1.0 - rng.random::<f64>()).ln() / rate;
        let (mut free, mut t) = (vec![0.0_f64; n], 0.0);
        let (mut waited, mut abandoned, mut served, mut served_wait) = (0u32, 0u32, 0u32, 0.0);
        let (customers, warmup) = (400_000, 20_000);
        for i in 0..customers {
            t += exp(lam);
            let idx = (0..n).fold(0, |m, j| if free[j] < free[m] { j } else { m });
            let wait = (free[idx] - t).max(0.0);
            let counted = i >= warmup;
            waited += u32::from(counted && wait > 0.0);
            if wait >= d {
                abandoned += u32::from(counted);
            } else {
                free[idx] = t + wait + exp(mu);
                served += u32::from(counted);
                served_wait += if counted { wait } else { 0.0 };
            }
        }
        let total = f64::from(customers - warmup);
        let (ab, served) = (f64::from(abandoned), f64::from(served));
        let all = (served_wait + d * ab) / total;
        [ab / total, f64::from(waited) / total, served_wait / served, all]
    }

    #[test]
    fn mmcd_matches_simulation() {
        // Moderate load (a = 2.4, c = 3) and 1.375× overload (a = 5.5, c = 4).
        for (n, a, d, seed) in [(3, 2.4, 10.0, 7), (4, 5.5, 15.0, 11)] {
            let (lam, mu) = (a / 30.0, 1.0 / 30.0);
            let r = mmc_deterministic_patience(n, lam, mu, d);
            let [p_ab, p_w, w_served, w_all] = simulate(n as usize, lam, mu, d, seed);
            check(p_ab, r.prob_abandon, 0.005, "P(Ab) sim");
            check(p_w, r.prob_wait, 0.008, "P(W>0) sim");
            check(w_served, r.mean_wait_served, 0.015, "E[W|served] sim");
            check(w_all, r.mean_wait_all, 0.015, "E[min(V,D)] sim");
        }
    }

    #[test]
    fn mt_m_inf_constant_and_periodic() {
        let m = mt_m_inf_mean_busy(&[2.0; 5], 60.0, 0.05);
        m.iter().for_each(|&x| check(x, 40.0, 1e-12, "constant"));
        let avg = mt_m_inf_block_average(&[2.0; 3], 1e-9, 0.05);
        avg.iter().for_each(|&x| check(x, 40.0, 1e-9, "tiny h"));
        assert!(mt_m_inf_mean_busy(&[], 1.0, 1.0).is_empty());

        let (rates, h, mu) = ([0.5, 3.0, 0.2, 1.5], 30.0, 1.0 / 45.0);
        let m = mt_m_inf_mean_busy(&rates, h, mu);
        let avg = mt_m_inf_block_average(&rates, h, mu);
        let (r_last, q) = (rates[3] / mu, (-mu * h).exp());
        check(r_last + (m[3] - r_last) * q, m[0], 1e-12, "m(T) = m(0)");
        let mean_r = rates.iter().map(|r| r / mu).sum::<f64>() / 4.0;
        let mean_m = avg.iter().sum::<f64>() / 4.0;
        check(mean_m, mean_r, 1e-12, "mean m = mean λ/μ"); // ∫ m' = 0 over a period
        // Independent check: RK4 on m' = λ(t) − μm from m = 0 over 40 periods.
        let dt = h / 600.0;
        let (mut x, mut starts, mut avgs) = (0.0_f64, [0.0; 4], [0.0; 4]);
        for _period in 0..40 {
            for (b, &lam) in rates.iter().enumerate() {
                let g = |y: f64| lam - mu * y;
                let (start, mut integral) = (x, 0.0);
                for _ in 0..600 {
                    let (k1, k2) = (g(x), g(x + 0.5 * dt * g(x)));
                    let (k3, k4) = (g(x + 0.5 * dt * k2), g(x + dt * g(x + 0.5 * dt * k2)));
                    let next = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4);
                    integral += 0.5 * dt * (x + next);
                    x = next;
                }
                (starts[b], avgs[b]) = (start, integral / h);
            }
        }
        for b in 0..4 {
            check(m[b], starts[b], 1e-9, "start vs RK4");
            check(avg[b], avgs[b], 1e-6, "average vs RK4");
        }
    }
}

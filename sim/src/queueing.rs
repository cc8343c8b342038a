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
//! * [`erlang_a`], [`erlang_a_wait_tail`], [`erlang_a_served_within`]: M/M/c+M
//!   (Erlang-A: exponential patience), returning [`ErlangA`]; computed from
//!   the birth–death chain and, for the waiting-time laws, by uniformization.
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

/// Steady-state figures of the Erlang-A queue (M/M/c+M), returned by
/// [`erlang_a`], which documents the method. All probabilities are over
/// arrivals (PASTA); times are in minutes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ErlangA {
    /// Probability an arriving customer abandons before service.
    pub p_abandon: f64,
    /// Probability an arriving customer waits at all (all servers busy on arrival, PASTA).
    pub p_wait: f64,
    /// Mean time in queue of customers who are served, minutes (those served
    /// at once count 0).
    pub mean_wait_served: f64,
    /// Mean time in queue of all arrivals (served: until service; abandoning: until they abandon), minutes.
    pub mean_wait_all: f64,
    /// Mean number waiting.
    pub mean_queue: f64,
}

/// Relative size below which the tail of the Erlang-A stationary law is cut.
const ERLANG_A_TAIL: f64 = 1e-16;
/// Most states of the truncated Erlang-A chain (80 MB of `f64`); only an
/// overload with an abandon rate near 0 comes near it.
const ERLANG_A_MAX_STATES: usize = 10_000_000;
/// Largest `Λh` (uniformization rate times sub-interval) per uniformization
/// step, so that `e^{−Λh}` cannot underflow.
const UNIFORMIZATION_PIECE: f64 = 256.0;

/// Panics unless the Erlang-A inputs are valid (see [`erlang_a`]).
fn assert_erlang_a(servers: u32, arrival_rate: f64, service_rate: f64, abandon_rate: f64) {
    let finite = arrival_rate.is_finite() && service_rate.is_finite() && abandon_rate.is_finite();
    let signs = arrival_rate >= 0.0 && service_rate > 0.0 && abandon_rate >= 0.0;
    assert!(servers > 0 && finite && signs, "invalid Erlang-A input");
    let stable = abandon_rate > 0.0 || arrival_rate < f64::from(servers) * service_rate;
    assert!(
        stable,
        "Erlang-A with abandon rate 0 needs arrival rate < servers × service rate"
    );
}

/// Stationary law of the Erlang-A birth–death chain (number in system `k`,
/// birth `λ`, death `min(k, c)μ + max(k − c, 0)θ`, `θ > 0`). Returns
/// `(Σ_{k<c} π_k, q)` with `q[j − 1] = π_{c+j−1}`: the probability that an
/// arrival takes queue position `j >= 1` (PASTA).
///
/// The unnormalised weights start at 1 at the mode (the first `k` with
/// `d_{k+1} >= λ`) and go down and up by the balance equations
/// `π_{k+1} d_{k+1} = λ π_k`, so they never overflow. Above the mode the ratios
/// `λ/d_{k+1} = ρ_k` do not increase, so the tail after `k` is at most
/// `π_k ρ_k/(1 − ρ_k)`; the chain stops once that is below
/// [`ERLANG_A_TAIL`] times the mass at `k >= c` (at least up to `k = c`, so that
/// a tiny `P(wait)` keeps its relative accuracy).
fn erlang_a_chain(servers: u32, lam: f64, mu: f64, theta: f64) -> (f64, Vec<f64>) {
    let c = servers as usize;
    let cmu = f64::from(servers) * mu;
    let death = |k: usize| {
        if k <= c {
            k as f64 * mu
        } else {
            cmu + (k - c) as f64 * theta
        }
    };
    let mode = if lam <= cmu {
        (lam / mu).ceil() - 1.0
    } else {
        f64::from(servers) + ((lam - cmu) / theta).ceil() - 1.0
    };
    let too_many = "Erlang-A chain too long: abandon rate too small for the overload";
    assert!(mode < ERLANG_A_MAX_STATES as f64, "{too_many}");
    let mode = mode.max(0.0) as usize;
    let mut w = vec![0.0; mode + 1];
    w[mode] = 1.0;
    for k in (1..=mode).rev() {
        w[k - 1] = w[k] * death(k) / lam;
    }
    let mut queue_mass: f64 = w.get(c..).map_or(0.0, |q| q.iter().sum());
    loop {
        let k = w.len() - 1;
        let (last, ratio) = (w[k], lam / death(k + 1));
        let tail_small = k >= c && last * ratio < ERLANG_A_TAIL * (1.0 - ratio) * queue_mass;
        if last == 0.0 || tail_small {
            break;
        }
        assert!(w.len() < ERLANG_A_MAX_STATES, "{too_many}");
        w.push(last * ratio);
        if k + 1 >= c {
            queue_mass += last * ratio;
        }
    }
    let total: f64 = w.iter().sum();
    let split = c.min(w.len());
    let below = w[..split].iter().sum::<f64>() / total;
    (below, w[split..].iter().map(|x| x / total).collect())
}

/// `P(served) = Σ_{k<c} π_k + Σ_j q_j cμ/(cμ + jθ)` (see [`erlang_a`]).
fn erlang_a_served(below: f64, q: &[f64], cmu: f64, theta: f64) -> f64 {
    let waited = q.iter().enumerate();
    let served: f64 = waited
        .map(|(i, qj)| qj * cmu / (cmu + (i + 1) as f64 * theta))
        .sum();
    (below + served).min(1.0)
}

/// Advances `p` by `t` minutes under the queue-position chain of a waiting
/// Erlang-A customer, killed at its own abandon rate `θ`: `p[j]`, `j >= 1`, is
/// the probability of being still in queue at position `j`; `p[0]` that of
/// having reached a server (absorbing). From position `j` the customer moves
/// to `j − 1` at rate `cμ + (j − 1)θ` (a service completion or an abandonment
/// ahead) and is killed at rate `θ`; nobody behind matters (FCFS).
///
/// Uniformization (Jensen 1953, *Markoff chains as an aid in the study of
/// Markoff processes*, Skand. Aktuarietidskr. 36; Grassmann 1977, *Transient
/// solutions in Markovian queueing systems*, Comput. Oper. Res. 4): with `Λ = cμ + Jθ` (the largest
/// exit rate, `J` = last position) and `P = I + Q/Λ`, which has no negative
/// entries, `p(t) = Σ_n Pois(n; Λt) p P^n` is a sum of nonnegative terms,
/// unlike the closed form of the hypoexponential law with its alternating
/// sums. `t` is cut into pieces with `Λh <= 256` so that `e^{−Λh}` cannot
/// underflow; each piece's series stops when the Poisson tail left out is
/// below `1e-18`. Stops early once the mass still in queue is at most
/// `stop_below`.
fn erlang_a_advance(p: &mut [f64], cmu: f64, theta: f64, t: f64, stop_below: f64) {
    let last = p.len() - 1;
    if last == 0 || t <= 0.0 {
        return;
    }
    let top = cmu + last as f64 * theta;
    // s[j] = (cμ + jθ)/Λ: the exit probability of position j and the move
    // probability out of position j + 1.
    let s: Vec<f64> = (0..=last).map(|j| (cmu + j as f64 * theta) / top).collect();
    let pieces = (top * t / UNIFORMIZATION_PIECE).ceil().max(1.0);
    let x = top * t / pieces;
    let mut v = vec![0.0; p.len()];
    for _ in 0..pieces as u64 {
        v.copy_from_slice(p);
        let mut weight = (-x).exp();
        p.iter_mut().for_each(|a| *a *= weight);
        let mut n = 0.0;
        loop {
            v[0] += v[1] * s[0];
            for j in 1..last {
                v[j] = v[j] * (1.0 - s[j]) + v[j + 1] * s[j];
            }
            v[last] *= 1.0 - s[last];
            n += 1.0;
            weight *= x / n;
            p.iter_mut().zip(&v).for_each(|(a, b)| *a += weight * b);
            // Σ_{m>n} Pois(m) <= Pois(n) q/(1 − q) with q = x/(n + 1) < 1.
            if n > x && weight * x / (n + 1.0 - x) < 1e-18 {
                break;
            }
        }
        if p[1..].iter().sum::<f64>() <= stop_below {
            break;
        }
    }
}

/// Exact steady state of the Erlang-A queue M/M/c+M: Poisson arrivals at
/// `arrival_rate = λ`, `servers = c` servers with exponential service at
/// `service_rate = μ`, FCFS, and each waiting customer abandons after an
/// exponential patience at `abandon_rate = θ` (all per minute; abandoners
/// consume no service). Palm (1943), *Intensitätsschwankungen im
/// Fernsprechverkehr*, Ericsson Technics 44; Garnett, Mandelbaum & Reiman
/// (2002), *Designing a call center with impatient customers*, MSOM 4(3):
/// 208–227; Mandelbaum & Zeltyn, *The M/M/n+G queue: summary of performance
/// measures* (Technion, 2005).
///
/// Method (exact up to a truncation of relative size 1e-16). The number in
/// system is a birth–death chain with birth `λ` and death
/// `min(k, c)μ + max(k − c, 0)θ`, stable for every `λ` when `θ > 0`; its
/// stationary law `π` is computed numerically (truncated where the tail is
/// below 1e-16 of the mass at `k >= c`). By PASTA an arrival finding
/// `k = c + j − 1 >= c` in system takes queue position `j`. Its offered wait
/// `V` (time to reach a server if it never abandoned) is the sum of
/// independent exponentials at rates `r_i = cμ + iθ`, `i = 0..j−1` (the first
/// of `c` services or `i` abandonments ahead), independent of its own
/// patience `τ ~ Exp(θ)`; its wait is `W = min(V, τ)`. Conditionally on `j`:
/// * `P(served) = E[e^{−θV}] = Π_i r_i/(r_i + θ) = cμ/(cμ + jθ)` (telescoping);
/// * `E[V; V < τ] = P(served) Σ_{i=1}^{j} 1/(cμ + iθ)` (tilting by `e^{−θV}`
///   turns each `Exp(r_i)` into `Exp(r_i + θ)`);
/// * `E[W] = ∫ P(V > s) e^{−θs} ds = (1 − E[e^{−θV}])/θ = j/(cμ + jθ)`.
///
/// `mean_wait_served` divides `E[V; V < τ]` by `P(served)` (customers served
/// at once count 0), and `mean_queue = Σ_{k>c} (k − c) π_k`. The balance
/// equations give the conservation law `P(abandon) = θ E[Q]/λ` and Little's
/// `E[Q] = λ E[W]` (both tested). With `θ = 0` this is the M/M/c queue and the
/// exact Erlang C results are returned ([`erlang_c`], [`mmc_mean_wait`]).
/// Cost: time and memory linear in the number of states kept (at most
/// 10 million).
///
/// # Panics
/// If `servers == 0`, a rate is negative or not finite, `service_rate == 0`,
/// `abandon_rate == 0` with `arrival_rate >= servers × service_rate`, or the
/// chain needs more than 10 million states (overload with `θ` near 0).
pub fn erlang_a(servers: u32, arrival_rate: f64, service_rate: f64, abandon_rate: f64) -> ErlangA {
    assert_erlang_a(servers, arrival_rate, service_rate, abandon_rate);
    let (lam, mu, theta) = (arrival_rate, service_rate, abandon_rate);
    if theta == 0.0 {
        let wait = mmc_mean_wait(servers, lam, mu);
        return ErlangA {
            p_abandon: 0.0,
            p_wait: erlang_c(servers, lam / mu),
            mean_wait_served: wait,
            mean_wait_all: wait,
            mean_queue: lam * wait,
        };
    }
    let cmu = f64::from(servers) * mu;
    let (below, q) = erlang_a_chain(servers, lam, mu, theta);
    let (mut p_wait, mut p_abandon, mut wait_served, mut wait_all, mut mean_queue) =
        (0.0, 0.0, 0.0, 0.0, 0.0);
    let mut harmonic = 0.0; // Σ_{i=1}^{j} 1/(cμ + iθ)
    for (i, &qj) in q.iter().enumerate() {
        let j = (i + 1) as f64;
        let exit = cmu + j * theta;
        harmonic += 1.0 / exit;
        p_wait += qj;
        p_abandon += qj * j * theta / exit;
        wait_served += qj * cmu / exit * harmonic;
        wait_all += qj * j / exit;
        mean_queue += qj * (j - 1.0);
    }
    ErlangA {
        p_abandon: p_abandon.min(1.0), // rounding of the normalisation
        p_wait: p_wait.min(1.0),
        mean_wait_served: wait_served / erlang_a_served(below, &q, cmu, theta),
        mean_wait_all: wait_all,
        mean_queue,
    }
}

/// P(W > t): the probability an arrival's time in queue (until served or abandoning) exceeds t minutes.
///
/// Erlang-A queue as in [`erlang_a`] (rates per minute). `W = min(V, τ)`, so
/// `P(W > t) = Σ_j q_j e^{−θt} P(V > t | j)`, where `q_j` is the probability
/// of arriving at queue position `j`: the mass still in queue at `t` of the
/// position chain started from `q` and killed at rate `θ`, computed by
/// uniformization (see `erlang_a_advance` in the source). `P(W > 0)` is
/// `p_wait`; `1` for `t < 0`, `0` for `t = ∞`; with `θ = 0` it is
/// [`mmc_wait_tail`]. Cost: about `1.5 (cμ + Jθ) t` passes over the `J`
/// queue positions kept.
///
/// # Panics
/// As [`erlang_a`], or if `t` is NaN.
pub fn erlang_a_wait_tail(
    servers: u32,
    arrival_rate: f64,
    service_rate: f64,
    abandon_rate: f64,
    t: f64,
) -> f64 {
    assert_erlang_a(servers, arrival_rate, service_rate, abandon_rate);
    assert!(!t.is_nan(), "t is NaN");
    if t < 0.0 {
        return 1.0;
    }
    if abandon_rate == 0.0 {
        return mmc_wait_tail(servers, arrival_rate, service_rate, t);
    }
    if t.is_infinite() {
        return 0.0;
    }
    let cmu = f64::from(servers) * service_rate;
    let (_, q) = erlang_a_chain(servers, arrival_rate, service_rate, abandon_rate);
    let mut p: Vec<f64> = std::iter::once(0.0).chain(q).collect();
    erlang_a_advance(&mut p, cmu, abandon_rate, t, 0.0);
    p[1..].iter().sum::<f64>().min(1.0)
}

/// P(answered within t): the probability that an arrival is served (not abandoned) and waited at most t minutes.
///
/// Erlang-A queue as in [`erlang_a`] (rates per minute): `Σ_{k<c} π_k` (served
/// at once) plus `Σ_j q_j ∫_0^t f_{V|j}(s) e^{−θs} ds`, the mass absorbed in
/// "served" by `t` in the position chain started from `q` and killed at rate
/// `θ` (uniformization, as [`erlang_a_wait_tail`]; stops once the mass left
/// in queue is below 1e-17 of `p_wait`). `1 − p_wait` at `t = 0`,
/// `1 − p_abandon` at `t = ∞`, `0` for `t < 0`; with `θ = 0` it is one
/// minus [`mmc_wait_tail`].
///
/// # Panics
/// As [`erlang_a`], or if `t` is NaN.
pub fn erlang_a_served_within(
    servers: u32,
    arrival_rate: f64,
    service_rate: f64,
    abandon_rate: f64,
    t: f64,
) -> f64 {
    assert_erlang_a(servers, arrival_rate, service_rate, abandon_rate);
    assert!(!t.is_nan(), "t is NaN");
    if t < 0.0 {
        return 0.0;
    }
    if abandon_rate == 0.0 {
        return 1.0 - mmc_wait_tail(servers, arrival_rate, service_rate, t);
    }
    let cmu = f64::from(servers) * service_rate;
    let (below, q) = erlang_a_chain(servers, arrival_rate, service_rate, abandon_rate);
    if t.is_infinite() {
        return erlang_a_served(below, &q, cmu, abandon_rate);
    }
    let p_wait: f64 = q.iter().sum();
    let mut p: Vec<f64> = std::iter::once(0.0).chain(q).collect();
    erlang_a_advance(&mut p, cmu, abandon_rate, t, 1e-17 * p_wait);
    (below + p[0]).min(1.0)
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

/// Steady state of Larson's hypercube queueing model with zero-line
/// capacity (a loss system): `N` distinguishable teams, demand atoms
/// (zones) with Poisson rates, each zone with a fixed preference order of
/// all the teams, exponential service at one rate `μ` for every team, and a
/// call lost when every team is busy. Returned by [`hypercube_loss`].
#[derive(Debug, Clone, PartialEq)]
pub struct Hypercube {
    /// Each team's workload: the long-run share of time it is busy.
    pub workload: Vec<f64>,
    /// `served[j][i]`: the share of zone `j`'s calls served by team `i`
    /// (over arrivals, PASTA); each row sums to `1 − loss`.
    pub served: Vec<Vec<f64>>,
    /// Share of all calls lost (every team busy): Erlang B `B(N, λ/μ)`,
    /// whatever the preferences.
    pub loss: f64,
}

/// Solves the hypercube model's `2^N` balance equations exactly (dense
/// Gaussian elimination; `N ≤ 12`).
///
/// `rates[j]` is zone `j`'s arrival rate and `service_rate` the teams' `μ`
/// (the same time unit); `prefs[j]` lists every team once, most preferred
/// first. A state is the set of busy teams (bit `i` = team `i`); a zone's
/// call goes to the first idle team on its list. Source: Larson, "A
/// hypercube queuing model for facility location and redistricting in
/// urban emergency services", *Computers & Operations Research* 1 (1974)
/// 67–95; Larson and Odoni, *Urban Operations Research* (1981), §5.4.
///
/// # Panics
/// If a preference list is not a permutation of `0..N`, `N` is 0 or above
/// 12, or a rate is negative.
pub fn hypercube_loss(rates: &[f64], service_rate: f64, prefs: &[Vec<usize>]) -> Hypercube {
    let n = prefs.first().map_or(0, Vec::len);
    assert!((1..=12).contains(&n), "hypercube: 1 to 12 teams");
    assert_eq!(
        rates.len(),
        prefs.len(),
        "hypercube: one preference list per zone"
    );
    for p in prefs {
        let mut seen = vec![false; n];
        for &i in p {
            assert!(
                i < n && !seen[i],
                "hypercube: a preference list is not a permutation"
            );
            seen[i] = true;
        }
        assert_eq!(p.len(), n, "hypercube: every list names every team");
    }
    assert!(rates.iter().all(|r| *r >= 0.0 && r.is_finite()) && service_rate > 0.0);
    let states = 1usize << n;
    let first_idle = |b: usize, j: usize| prefs[j].iter().copied().find(|&i| b & (1 << i) == 0);
    // Transposed generator: a[to][from] = rate from `from` to `to`, the
    // diagonal minus the total rate out, so that A π = 0.
    let mut a = vec![vec![0.0; states]; states];
    for b in 0..states {
        for (j, &rate) in rates.iter().enumerate() {
            if let Some(i) = first_idle(b, j) {
                a[b | (1 << i)][b] += rate;
                a[b][b] -= rate;
            }
        }
        for i in 0..n {
            if b & (1 << i) != 0 {
                a[b & !(1 << i)][b] += service_rate;
                a[b][b] -= service_rate;
            }
        }
    }
    // One balance equation is redundant: replace it with Σ π = 1.
    let mut rhs = vec![0.0; states];
    a[states - 1].iter_mut().for_each(|x| *x = 1.0);
    rhs[states - 1] = 1.0;
    for col in 0..states {
        let pivot = (col..states)
            .max_by(|&x, &y| a[x][col].abs().total_cmp(&a[y][col].abs()))
            .unwrap_or(col);
        a.swap(col, pivot);
        rhs.swap(col, pivot);
        let (p, prhs) = (a[col].clone(), rhs[col]);
        for (row, r) in a.iter_mut().enumerate() {
            if row != col && r[col] != 0.0 {
                let f = r[col] / p[col];
                for (x, y) in r[col..].iter_mut().zip(&p[col..]) {
                    *x -= f * y;
                }
                rhs[row] -= f * prhs;
            }
        }
    }
    let pi: Vec<f64> = (0..states).map(|b| rhs[b] / a[b][b]).collect();
    let workload = (0..n)
        .map(|i| (0..states).filter(|b| b & (1 << i) != 0).map(|b| pi[b]).sum())
        .collect();
    let served = (0..rates.len())
        .map(|j| {
            let mut row = vec![0.0; n];
            for (b, p) in pi.iter().enumerate() {
                if let Some(i) = first_idle(b, j) {
                    row[i] += p;
                }
            }
            row
        })
        .collect();
    Hypercube {
        workload,
        served,
        loss: pi[states - 1],
    }
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

    /// The hypercube model against what is known exactly: one team is
    /// M/M/1/1; ordered hunting (every zone with the same list) gives the
    /// k-th team the load a(B(k−1, a) − B(k, a)); the loss is Erlang B
    /// whatever the preferences, and the workloads carry a(1 − B).
    #[test]
    fn hypercube_matches_erlang_b_and_ordered_hunting() {
        let h = hypercube_loss(&[0.5], 1.0, &[vec![0]]);
        check(h.workload[0], 0.5 / 1.5, 1e-12, "M/M/1/1");
        check(h.loss, 0.5 / 1.5, 1e-12, "M/M/1/1 loss");
        let a = 2.7;
        let same = vec![vec![2, 0, 3, 1]; 3];
        let h = hypercube_loss(&[1.0, 0.5, 1.2], 1.0, &same);
        for (k, &team) in same[0].iter().enumerate() {
            let k = k as u32;
            check(
                h.workload[team],
                a * (erlang_b(k, a) - erlang_b(k + 1, a)),
                1e-10,
                "ordered hunting",
            );
        }
        // Eight teams, each zone preferring teams by distance on a line.
        let pos: [f64; 8] = [0.0, 1.0, 3.0, 4.5, 7.0, 8.0, 10.5, 12.0];
        let prefs: Vec<Vec<usize>> = pos
            .iter()
            .map(|&x| {
                let mut p: Vec<usize> = (0..8).collect();
                p.sort_by(|&i, &k| (pos[i] - x).abs().total_cmp(&(pos[k] - x).abs()));
                p
            })
            .collect();
        let rates = [0.3, 0.9, 0.4, 0.6, 0.2, 0.8, 0.5, 0.7];
        let a: f64 = rates.iter().sum();
        let h = hypercube_loss(&rates, 1.0, &prefs);
        check(h.loss, erlang_b(8, a), 1e-10, "loss = B(8, a)");
        check(
            h.workload.iter().sum(),
            a * (1.0 - erlang_b(8, a)),
            1e-10,
            "carried load",
        );
        for (j, row) in h.served.iter().enumerate() {
            check(row.iter().sum(), 1.0 - h.loss, 1e-10, "a zone's calls");
            // The nearest team serves a zone's calls whenever it is idle.
            assert!(row[prefs[j][0]] > row[prefs[j][1]], "zone {j}: {row:?}");
        }
        // A team's workload is its served calls over μ (rates per unit time).
        for i in 0..8 {
            let carried: f64 = rates.iter().zip(&h.served).map(|(r, row)| r * row[i]).sum();
            check(h.workload[i], carried, 1e-10, "workload = carried calls / μ");
        }
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

    /// Patience of the simulated customers.
    #[derive(Clone, Copy)]
    enum Patience {
        /// Every customer abandons after exactly this many minutes (M/M/c+D).
        Fixed(f64),
        /// Exponential patience at this rate per minute (M/M/c+M).
        Exp(f64),
    }

    /// Exact FCFS c-server simulation with abandonment: a customer starts when
    /// the earliest server frees (its offered wait `V`) unless its patience `τ`
    /// runs out first (`V >= τ`); abandoners never occupy a server. Returns
    /// `(P(Ab), P(W>0), E[W | served], E[min(V, τ)], P(min(V, τ) > t),
    /// P(served, V <= t))` after a 5% warm-up.
    fn simulate(n: usize, lam: f64, mu: f64, patience: Patience, t_mark: f64, seed: u64) -> [f64; 6] {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut exp = |rate: f64| -(1.0 - rng.random::<f64>()).ln() / rate;
        let (mut free, mut t) = (vec![0.0_f64; n], 0.0);
        let (mut waited, mut abandoned, mut served, mut served_wait) = (0u32, 0u32, 0u32, 0.0);
        let (mut all_wait, mut beyond, mut within) = (0.0, 0u32, 0u32);
        let (customers, warmup) = (400_000, 20_000);
        for i in 0..customers {
            t += exp(lam);
            let idx = (0..n).fold(0, |m, j| if free[j] < free[m] { j } else { m });
            let wait = (free[idx] - t).max(0.0);
            let tau = match patience {
                Patience::Fixed(d) => d,
                Patience::Exp(theta) => exp(theta),
            };
            let counted = i >= warmup;
            waited += u32::from(counted && wait > 0.0);
            all_wait += if counted { wait.min(tau) } else { 0.0 };
            beyond += u32::from(counted && wait.min(tau) > t_mark);
            if wait >= tau {
                abandoned += u32::from(counted);
            } else {
                free[idx] = t + wait + exp(mu);
                served += u32::from(counted);
                served_wait += if counted { wait } else { 0.0 };
                within += u32::from(counted && wait <= t_mark);
            }
        }
        let total = f64::from(customers - warmup);
        let (ab, served) = (f64::from(abandoned), f64::from(served));
        let share = |count: u32| f64::from(count) / total;
        [
            ab / total,
            share(waited),
            served_wait / served,
            all_wait / total,
            share(beyond),
            share(within),
        ]
    }

    #[test]
    fn mmcd_matches_simulation() {
        // Moderate load (a = 2.4, c = 3) and 1.375× overload (a = 5.5, c = 4).
        for (n, a, d, seed) in [(3, 2.4, 10.0, 7), (4, 5.5, 15.0, 11)] {
            let (lam, mu) = (a / 30.0, 1.0 / 30.0);
            let r = mmc_deterministic_patience(n, lam, mu, d);
            let [p_ab, p_w, w_served, w_all, ..] =
                simulate(n as usize, lam, mu, Patience::Fixed(d), 0.0, seed);
            check(p_ab, r.prob_abandon, 0.005, "P(Ab) sim");
            check(p_w, r.prob_wait, 0.008, "P(W>0) sim");
            check(w_served, r.mean_wait_served, 0.015, "E[W|served] sim");
            check(w_all, r.mean_wait_all, 0.015, "E[min(V,D)] sim");
        }
    }

    /// `((c, λ, μ, θ), [p_abandon, p_wait, mean_wait_served, mean_wait_all,
    /// mean_queue], [(t, P(W > t), P(served within t)); 2])`.
    type Reference = ((u32, f64, f64, f64), [f64; 5], [(f64, f64, f64); 2]);
    /// Erlang-A values from an independent computation at 30 digits,
    /// `scenarios/tools/erlang_a_reference.py` (mpmath: `π` by exact products,
    /// the waiting-time laws by the Beta identity `θV = −ln U`,
    /// `U ~ Beta(cμ/θ, j)`, the means by quadrature), to 15 digits.
    const ERLANG_A_REFERENCE: [Reference; 3] = [
        // 9-8-8 contact centre: 10 counsellors, 1.2 calls/min, talk 7 min, patience 3 min.
        (
            (10, 1.2, 1.0 / 7.0, 1.0 / 3.0),
            [
                0.085_940_114_587_989_9,
                0.280_600_759_295_24,
                0.204_113_471_242_838,
                0.257_820_343_763_97,
                0.309_384_412_516_764,
            ],
            [
                (1.0 / 3.0, 0.203_391_437_313_771, 0.769_896_925_080_476),
                (1.0, 0.099_819_008_130_778_8, 0.840_898_452_617_867),
            ],
        ),
        // Overload a = 5 on 4 servers.
        (
            (4, 1.0, 0.2, 0.5),
            [
                0.324_914_381_429_716,
                0.621_082_339_107_801,
                0.503_227_425_223_311,
                0.649_828_762_859_433,
                0.649_828_762_859_433,
            ],
            [
                (0.5, 0.403_128_199_618_97, 0.470_374_292_483_592),
                (2.0, 0.089_152_912_432_725, 0.624_669_377_543_245),
            ],
        ),
        // M/M/1+M.
        (
            (1, 0.9, 1.0, 0.25),
            [
                0.227_470_306_779_284,
                0.695_276_723_898_645,
                0.832_243_151_124_389,
                0.909_881_227_117_134,
                0.818_893_104_405_421,
            ],
            [
                (1.0, 0.345_007_511_637_905, 0.528_878_427_536_334),
                (3.0, 0.063_185_505_631_201, 0.725_284_218_566_329),
            ],
        ),
    ];

    #[test]
    fn erlang_a_matches_independent_reference() {
        for ((n, lam, mu, theta), figures, tails) in ERLANG_A_REFERENCE {
            let r = erlang_a(n, lam, mu, theta);
            let got = [
                r.p_abandon,
                r.p_wait,
                r.mean_wait_served,
                r.mean_wait_all,
                r.mean_queue,
            ];
            for (name, (x, y)) in ["P(Ab)", "P(W>0)", "E[W|S]", "E[W]", "E[Q]"]
                .iter()
                .zip(got.into_iter().zip(figures))
            {
                check(x, y, 1e-12, name);
            }
            for (t, tail, within) in tails {
                check(erlang_a_wait_tail(n, lam, mu, theta, t), tail, 1e-12, "P(W>t)");
                check(
                    erlang_a_served_within(n, lam, mu, theta, t),
                    within,
                    1e-12,
                    "P(served within t)",
                );
            }
        }
    }

    #[test]
    fn erlang_a_small_abandon_rate_is_erlang_c() {
        // θ = 1e-11 per minute: its effect is of order θ E[W] ~ 1e-10.
        let theta = 1e-11;
        for (n, lam, mu) in [
            (4, 2.0 / 60.0, 1.0 / 60.0),
            (10, 8.0 / 60.0, 1.0 / 60.0),
            (1, 0.7, 1.0),
        ] {
            let (c, w) = (erlang_c(n, lam / mu), mmc_mean_wait(n, lam, mu));
            let r = erlang_a(n, lam, mu, theta);
            check(r.p_wait, c, 1e-9, "P(W>0) = C");
            check(r.mean_wait_served, w, 1e-8, "E[W|S] = C/(cμ − λ)");
            check(r.mean_wait_all, w, 1e-8, "E[W] = C/(cμ − λ)");
            check(r.mean_queue, lam * w, 1e-8, "E[Q] = λE[W]");
            assert!(r.p_abandon < 1e-8, "{}", r.p_abandon);
            for t in [0.0, 0.5, 5.0, 30.0, 120.0] {
                let tail = mmc_wait_tail(n, lam, mu, t);
                check(erlang_a_wait_tail(n, lam, mu, theta, t), tail, 1e-8, "P(W>t)");
                check(
                    erlang_a_served_within(n, lam, mu, theta, t),
                    1.0 - tail,
                    1e-8,
                    "1 − P(W>t)",
                );
            }
            // θ = 0 is the Erlang C case itself.
            let zero = erlang_a(n, lam, mu, 0.0);
            assert_eq!((zero.p_abandon, zero.p_wait, zero.mean_wait_served), (0.0, c, w));
            assert_eq!(
                erlang_a_wait_tail(n, lam, mu, 0.0, 7.0),
                mmc_wait_tail(n, lam, mu, 7.0)
            );
        }
        // The Erlang C values themselves: C(4, 2) = 4/23, C(10, 8) from tables.
        check(erlang_c(4, 2.0), 4.0 / 23.0, 1e-15, "C(4,2)");
        check(erlang_c(10, 8.0), 0.409_180_150_8, 1e-10, "C(10,8)");
    }

    #[test]
    fn erlang_a_conservation_and_little() {
        let under = [
            (4, 2.0 / 60.0, 1.0 / 60.0, 1.0 / 5.0),
            (10, 1.2, 1.0 / 7.0, 1.0 / 3.0),
        ];
        let over = [
            (4, 1.0, 0.2, 0.5),
            (64, 3.0, 1.0 / 45.0, 1.0 / 10.0),
            (3, 2.0, 0.1, 1e-3),
            (2, 5.0, 1.0, 50.0),
        ];
        for (n, lam, mu, theta) in under.into_iter().chain(over) {
            let r = erlang_a(n, lam, mu, theta);
            check(r.p_abandon, theta * r.mean_queue / lam, 1e-9, "P(Ab) = θE[Q]/λ");
            check(r.mean_queue, lam * r.mean_wait_all, 1e-9, "E[Q] = λE[W]");
            assert!(r.p_abandon < r.p_wait && r.p_wait <= 1.0, "{r:?}");
            assert!(r.mean_wait_served < r.mean_wait_all / (1.0 - r.p_abandon));
        }
        // Heavy overload with slow abandonment: fluid limit P(Ab) -> 1 − cμ/λ.
        let r = erlang_a(3, 2.0, 0.1, 1e-3);
        check(r.p_abandon, 1.0 - 0.3 / 2.0, 1e-3, "fluid P(Ab)");
        // No arrivals, no queue.
        let idle = erlang_a(3, 0.0, 0.1, 0.2);
        assert_eq!(
            (
                idle.p_abandon,
                idle.p_wait,
                idle.mean_wait_served,
                idle.mean_queue
            ),
            (0.0, 0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn erlang_a_single_server_stationary_law() {
        // M/M/1+M: π_k = π_0 Π_{i=1}^{k} λ/(μ + (i − 1)θ), by direct products.
        for (lam, mu, theta) in [(0.9, 1.0, 0.25), (3.0, 1.0, 0.5), (0.2, 1.0, 2.0)] {
            let products = (1..400).scan(1.0, |w, i| {
                *w *= lam / (mu + f64::from(i - 1) * theta);
                Some(*w)
            });
            let w: Vec<f64> = std::iter::once(1.0).chain(products).collect();
            let total: f64 = w.iter().sum();
            let (below, q) = erlang_a_chain(1, lam, mu, theta);
            check(below, 1.0 / total, 1e-13, "π_0");
            assert!(
                q.len() < w.len() && w[q.len()] / total < 1e-15,
                "truncated late enough"
            );
            for (k, qk) in q.iter().enumerate() {
                check(*qk, w[k + 1] / total, 1e-13, "π_k");
            }
            let r = erlang_a(1, lam, mu, theta);
            check(r.p_wait, 1.0 - 1.0 / total, 1e-13, "P(W>0) = 1 − π_0");
            // Served share = carried load: P(S) λ = μ (1 − π_0).
            check(
                1.0 - r.p_abandon,
                mu * (1.0 - 1.0 / total) / lam,
                1e-12,
                "λP(S) = μP(busy)",
            );
        }
    }

    #[test]
    fn erlang_a_instant_abandonment_is_erlang_b() {
        for (n, lam, mu) in [
            (1, 0.8, 1.0),
            (4, 3.0, 1.0),
            (10, 0.2, 0.025),
            (64, 1.3, 1.0 / 45.0),
        ] {
            let (b, theta) = (erlang_b(n, lam / mu), 1e6);
            let r = erlang_a(n, lam, mu, theta);
            check(r.p_abandon, b, 1e-5, "P(Ab) -> B(c, a)");
            check(r.p_wait, b, 1e-5, "P(W>0) -> B(c, a)");
            assert!(r.mean_wait_all < 1e-5 && r.mean_wait_served < 1e-10);
            check(
                erlang_a_served_within(n, lam, mu, theta, 1e-3),
                1.0 - b,
                1e-5,
                "served = 1 − B",
            );
        }
    }

    #[test]
    fn erlang_a_wait_laws_consistent() {
        let cases = [
            (10, 1.2, 1.0 / 7.0, 1.0 / 3.0),
            (4, 1.0, 0.2, 0.5),
            (64, 3.0, 1.0 / 45.0, 1.0 / 10.0),
        ];
        for (n, lam, mu, theta) in cases {
            let r = erlang_a(n, lam, mu, theta);
            let tail = |t: f64| erlang_a_wait_tail(n, lam, mu, theta, t);
            let within = |t: f64| erlang_a_served_within(n, lam, mu, theta, t);
            check(tail(0.0), r.p_wait, 1e-15, "P(W>0) = p_wait");
            check(
                within(0.0),
                1.0 - r.p_wait,
                1e-15,
                "P(served within 0) = 1 − p_wait",
            );
            assert_eq!((tail(-1.0), within(-1.0), tail(f64::INFINITY)), (1.0, 0.0, 0.0));
            check(
                within(1e4),
                1.0 - r.p_abandon,
                1e-13,
                "P(served within ∞) = 1 − P(Ab)",
            );
            check(within(f64::INFINITY), 1.0 - r.p_abandon, 1e-13, "t = ∞");
            let ts: Vec<f64> = (0..60).map(|i| f64::from(i) * 0.25).collect();
            let (tails, withins): (Vec<f64>, Vec<f64>) = ts.iter().map(|&t| (tail(t), within(t))).unzip();
            assert!(tails.windows(2).all(|p| p[1] < p[0]), "P(W>t) decreasing");
            assert!(
                withins.windows(2).all(|p| p[1] > p[0]),
                "served within t increasing"
            );
            // E[W] = ∫ P(W > t) dt (Simpson on [0, 40] plus a negligible rest).
            let h = 0.01;
            let panel = |i: i32| {
                let x = f64::from(2 * i) * h;
                (tail(x) + 4.0 * tail(x + h) + tail(x + 2.0 * h)) * h / 3.0
            };
            let integral: f64 = (0..2000).map(panel).sum();
            check(integral, r.mean_wait_all, 1e-6, "E[W] = ∫ P(W > t)");
            // P(W > t) and the Beta identity: θV = −ln U, U ~ Beta(cμ/θ, j).
            let (_, q) = erlang_a_chain(n, lam, mu, theta);
            let alpha = f64::from(n) * mu / theta;
            for t in [0.3, 2.0, 9.0] {
                let x = (-theta * t).exp();
                let hypo =
                    |(i, qj): (usize, &f64)| qj * statrs::function::beta::beta_reg(alpha, (i + 1) as f64, x);
                check(
                    tail(t),
                    x * q.iter().enumerate().map(hypo).sum::<f64>(),
                    1e-10,
                    "Beta identity",
                );
            }
        }
    }

    #[test]
    fn erlang_a_uniformization_matches_hypoexponential() {
        // One customer at position 3, rates r_i = cμ + iθ well apart: the closed
        // form P(V > t) = Σ_i A_i e^{−r_i t}, A_i = Π_{k≠i} r_k/(r_k − r_i), is fine.
        let (cmu, theta) = (2.0, 0.7);
        let r = [2.0, 2.7, 3.4];
        let a = |i: usize| {
            (0..3)
                .filter(|&k| k != i)
                .map(|k| r[k] / (r[k] - r[i]))
                .product::<f64>()
        };
        for t in [0.05, 0.4, 1.0, 3.0, 300.0] {
            let mut p = [0.0, 0.0, 0.0, 1.0];
            erlang_a_advance(&mut p, cmu, theta, t, 0.0);
            let survive = (0..3).map(|i| a(i) * (-r[i] * t).exp()).sum::<f64>();
            check(
                p[1..].iter().sum(),
                (-theta * t).exp() * survive,
                1e-13,
                "P(W > t)",
            );
            // ∫_0^t f_V(s) e^{−θs} ds with f_V = Σ_i A_i r_i e^{−r_i s}.
            let served = (0..3).map(|i| a(i) * r[i] * -(-(r[i] + theta) * t).exp_m1() / (r[i] + theta));
            check(p[0], served.sum(), 1e-13, "served by t");
        }
    }

    #[test]
    fn erlang_a_matches_simulation() {
        // The 9-8-8 example (t = 20 s) and an overload a = 5 on 4 servers (t = 1 min).
        for (n, lam, mu, theta, t, seed) in [
            (10, 1.2, 1.0 / 7.0, 1.0 / 3.0, 1.0 / 3.0, 5),
            (4, 1.0, 0.2, 0.5, 1.0, 9),
        ] {
            let r = erlang_a(n, lam, mu, theta);
            let sim = simulate(n as usize, lam, mu, Patience::Exp(theta), t, seed);
            let [p_ab, p_w, w_served, w_all, beyond, within] = sim;
            check(p_ab, r.p_abandon, 0.005, "P(Ab) sim");
            check(p_w, r.p_wait, 0.008, "P(W>0) sim");
            check(w_served, r.mean_wait_served, 0.015, "E[W|served] sim");
            check(w_all, r.mean_wait_all, 0.015, "E[W] sim");
            check(
                beyond,
                erlang_a_wait_tail(n, lam, mu, theta, t),
                0.008,
                "P(W>t) sim",
            );
            check(
                within,
                erlang_a_served_within(n, lam, mu, theta, t),
                0.008,
                "served within t sim",
            );
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

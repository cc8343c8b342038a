//! Distribution fits: lognormal and gamma by maximum likelihood, the
//! Kolmogorov–Smirnov distance for rounded data, and the choice rule.
//!
//! **Choice rule.** The parametric fit (lognormal or gamma) with the lower KS
//! distance is chosen, unless both are rejected at the 1% level
//! (D > 1.628/√n, the asymptotic critical value); then the empirical
//! quantiles are used. Timestamps are rounded (to `resolution` minutes), so
//! the distance compares the empirical CDF at each distinct value with the
//! model CDF half a resolution step either side (the KS distance of grouped
//! data); values recorded as 0 are fitted as half a step.

use statrs::distribution::{ContinuousCDF, Gamma, LogNormal};

/// Fewest observations for a fit of its own (fewer: the pooled fit is used).
pub const MIN_FIT_N: usize = 10;

/// Asymptotic 1% critical value of the KS statistic, times √n.
pub const KS_CRIT_1PCT: f64 = 1.628;

/// The probabilities of the empirical quantiles written to scenarios.
pub const QUANTILE_PROBS: [f64; 23] = [
    0.0, 0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9,
    0.95, 0.975, 0.99, 1.0,
];

/// Which family was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Lognormal.
    Lognormal,
    /// Gamma.
    Gamma,
    /// Empirical quantiles.
    Empirical,
}

/// A fitted duration distribution, minutes.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// Observations.
    pub n: usize,
    /// Sample median, minutes.
    pub median: f64,
    /// Sample 90th percentile, minutes.
    pub p90: f64,
    /// Sample mean, minutes.
    pub mean: f64,
    /// Lognormal parameters (μ, σ of ln minutes).
    pub lognormal: (f64, f64),
    /// Gamma parameters (shape, scale in minutes).
    pub gamma: (f64, f64),
    /// KS distance of the lognormal fit.
    pub ks_lognormal: f64,
    /// KS distance of the gamma fit.
    pub ks_gamma: f64,
    /// The 1% critical value for this n.
    pub ks_critical: f64,
    /// The chosen family.
    pub chosen: Family,
    /// `(probability, minutes)` sample quantiles at [`QUANTILE_PROBS`].
    pub quantiles: Vec<(f64, f64)>,
}

impl Fit {
    /// Points of a quantile-quantile plot of the chosen parametric family
    /// (the lognormal one when the empirical quantiles were chosen, to show
    /// why): (fitted quantile, sample quantile), minutes, at [`QUANTILE_PROBS`].
    pub fn qq_points(&self) -> Vec<(f64, f64)> {
        use statrs::distribution::{ContinuousCDF, Gamma, LogNormal};
        let fitted = |p: f64| -> f64 {
            match self.chosen {
                Family::Gamma => {
                    Gamma::new(self.gamma.0, 1.0 / self.gamma.1).map_or(f64::NAN, |g| g.inverse_cdf(p))
                }
                _ => {
                    LogNormal::new(self.lognormal.0, self.lognormal.1).map_or(f64::NAN, |l| l.inverse_cdf(p))
                }
            }
        };
        self.quantiles
            .iter()
            .map(|&(p, x)| (fitted(p), x))
            .filter(|q| q.0.is_finite())
            .collect()
    }

    /// The family drawn by [`Fit::qq_points`].
    pub fn qq_family(&self) -> &'static str {
        match self.chosen {
            Family::Gamma => "gamma",
            _ => "lognormal",
        }
    }
}

/// Type-7 sample quantile of sorted data.
pub fn quantile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let h = (sorted.len() - 1) as f64 * p;
    let (lo, hi) = (h.floor() as usize, h.ceil() as usize);
    sorted[lo] + (h - lo as f64) * (sorted[hi] - sorted[lo])
}

/// KS distance between rounded data (sorted) and a CDF.
fn ks_grouped(sorted: &[f64], half: f64, cdf: impl Fn(f64) -> f64) -> f64 {
    let n = sorted.len() as f64;
    let mut d: f64 = 0.0;
    let mut i = 0;
    while i < sorted.len() {
        let v = sorted[i];
        let below = i as f64 / n;
        let mut j = i;
        while j < sorted.len() && sorted[j] == v {
            j += 1;
        }
        let upto = j as f64 / n;
        d = d.max((below - cdf((v - half).max(0.0))).abs());
        d = d.max((upto - cdf(v + half)).abs());
        i = j;
    }
    d
}

/// Fits lognormal and gamma to durations (minutes, ≥ 0) recorded at
/// `resolution` minutes, and chooses by the rule in the module docs.
/// Returns `None` for fewer than 2 observations or no spread.
pub fn fit(values: &[f64], resolution: f64) -> Option<Fit> {
    let mut sorted: Vec<f64> = values
        .iter()
        .copied()
        .filter(|x| x.is_finite() && *x >= 0.0)
        .collect();
    if sorted.len() < 2 {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len() as f64;
    let half = resolution / 2.0;
    let pos: Vec<f64> = sorted.iter().map(|x| x.max(half)).collect();
    let mean = pos.iter().sum::<f64>() / n;
    let logs: Vec<f64> = pos.iter().map(|x| x.ln()).collect();
    let mu = logs.iter().sum::<f64>() / n;
    let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / n).sqrt();
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    // Gamma MLE: Minka's closed-form start, refined by Newton steps.
    let s = mean.ln() - mu;
    let mut k = (3.0 - s + ((s - 3.0).powi(2) + 24.0 * s).sqrt()) / (12.0 * s);
    for _ in 0..20 {
        let f = k.ln() - statrs::function::gamma::digamma(k) - s;
        let df = 1.0 / k - trigamma(k);
        let next = k - f / df;
        if next.is_nan() || next <= 0.0 {
            break;
        }
        k = next;
    }
    let theta = mean / k;
    let ln = LogNormal::new(mu, sigma).ok()?;
    let ga = Gamma::new(k, 1.0 / theta).ok()?;
    let ks_lognormal = ks_grouped(&sorted, half, |x| ln.cdf(x));
    let ks_gamma = ks_grouped(&sorted, half, |x| ga.cdf(x));
    let ks_critical = KS_CRIT_1PCT / n.sqrt();
    let chosen = if ks_lognormal.min(ks_gamma) > ks_critical {
        Family::Empirical
    } else if ks_lognormal <= ks_gamma {
        Family::Lognormal
    } else {
        Family::Gamma
    };
    Some(Fit {
        n: sorted.len(),
        median: quantile(&sorted, 0.5),
        p90: quantile(&sorted, 0.9),
        mean: sorted.iter().sum::<f64>() / n,
        lognormal: (mu, sigma),
        gamma: (k, theta),
        ks_lognormal,
        ks_gamma,
        ks_critical,
        chosen,
        quantiles: QUANTILE_PROBS
            .iter()
            .map(|&p| (p, quantile(&sorted, p)))
            .collect(),
    })
}

/// The trigamma function ψ'(x), x > 0 (recurrence, then the asymptotic series).
fn trigamma(mut x: f64) -> f64 {
    let mut acc = 0.0;
    while x < 6.0 {
        acc += 1.0 / (x * x);
        x += 1.0;
    }
    let x2 = 1.0 / (x * x);
    acc + 1.0 / x + x2 / 2.0 + (1.0 / x) * x2 * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 / 42.0))
}

impl Fit {
    /// The chosen distribution as a scenario inline table, e.g.
    /// `{ dist = "lognormal", median = 20.1, p90 = 45.3 }`.
    pub fn toml(&self) -> String {
        match self.chosen {
            Family::Lognormal => {
                let (mu, s) = self.lognormal;
                format!(
                    "{{ dist = \"lognormal\", median = {:.2}, p90 = {:.2} }}",
                    mu.exp(),
                    (mu + 1.281_551_565_5 * s).exp()
                )
            }
            Family::Gamma => {
                let (k, th) = self.gamma;
                format!(
                    "{{ dist = \"gamma\", mean = {:.2}, sd = {:.2} }}",
                    k * th,
                    k.sqrt() * th
                )
            }
            Family::Empirical => {
                let pts: Vec<String> = self
                    .quantiles
                    .iter()
                    .map(|(p, v)| format!("[{p}, {v:.2}]"))
                    .collect();
                format!("{{ dist = \"empirical\", quantiles = [{}] }}", pts.join(", "))
            }
        }
    }

    /// One line for comments and reports: n, median, p90 and the KS distances.
    pub fn summary(&self) -> String {
        let name = match self.chosen {
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Empirical => "empirical (both parametric fits rejected at 1%)",
        };
        format!(
            "n = {}, median {:.1} min, p90 {:.1} min; KS lognormal {:.3}, gamma {:.3} (1% critical {:.3}) -> {name}",
            self.n, self.median, self.p90, self.ks_lognormal, self.ks_gamma, self.ks_critical
        )
    }
}

//! Distribution fits: lognormal and gamma fitted so that a handful of
//! extreme values cannot dominate them, the Kolmogorov–Smirnov distance for
//! rounded data, and the choice rule.
//!
//! **Robustness rule.** A few extreme durations (Lane's travel times run to
//! 822 minutes in the top 1%) must not drive a fitted mean. So:
//! the lognormal is fitted to quantiles, μ = ln q50 and
//! σ = (ln q90 − ln q10) / (2 · 1.2816), which one value can move by at most
//! one order statistic; the gamma by maximum likelihood on the values
//! capped (winsorized) at the sample 99th percentile; the empirical
//! quantiles end at p = 1 with min(max, q99 + (q99 − q97.5)) instead of the
//! sample maximum. A planted 800-minute value moves the fitted mean of
//! 400 values by less than 1% (tested).
//!
//! **Choice rule.** The parametric fit (lognormal or gamma) with the lower KS
//! distance is chosen, unless both are rejected at the 1% level
//! (D > 1.628/√n, the asymptotic critical value); then the empirical
//! quantiles are used. Timestamps are rounded (to `resolution` minutes), so
//! the distance compares the empirical CDF at each distinct value with the
//! model CDF half a resolution step either side (the KS distance of grouped
//! data); values recorded as 0 are fitted as half a step.

use statrs::distribution::{ContinuousCDF, Gamma, LogNormal};

/// Quantile at which values are capped for the gamma fit.
pub const CAP_QUANTILE: f64 = 0.99;

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

/// A region's fit blended with its call type's (shrinkage toward the
/// pooled fit): in the type's chosen family, each parameter the weighted
/// mean `w x_region + (1 − w) x_type` (lognormal: μ and σ of ln minutes;
/// gamma: mean and sd; empirical: each quantile).
pub fn blend(own: &Fit, pooled: &Fit, w: f64) -> String {
    let mix = |a: f64, b: f64| w * a + (1.0 - w) * b;
    let blended = Fit {
        lognormal: (
            mix(own.lognormal.0, pooled.lognormal.0),
            mix(own.lognormal.1, pooled.lognormal.1),
        ),
        gamma: {
            let (ko, to) = own.gamma;
            let (kp, tp) = pooled.gamma;
            let (mean, sd) = (mix(ko * to, kp * tp), mix(ko.sqrt() * to, kp.sqrt() * tp));
            // Back to shape and scale: k = (mean / sd)², θ = sd² / mean.
            ((mean / sd).powi(2), sd * sd / mean)
        },
        quantiles: own
            .quantiles
            .iter()
            .zip(&pooled.quantiles)
            .map(|(&(p, a), &(_, b))| (p, mix(a, b)))
            .collect(),
        chosen: pooled.chosen,
        ..pooled.clone()
    };
    blended.toml()
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
    /// Sample mean, minutes (reported; the fits use the robust rule).
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

    /// Mean of the chosen fitted distribution, minutes (the empirical one
    /// interpolates linearly between its quantiles, as the engine does).
    pub fn fitted_mean(&self) -> f64 {
        self.family_mean(self.chosen)
    }

    /// Mean of one family's fit, minutes.
    pub fn family_mean(&self, family: Family) -> f64 {
        match family {
            Family::Lognormal => (self.lognormal.0 + self.lognormal.1.powi(2) / 2.0).exp(),
            Family::Gamma => self.gamma.0 * self.gamma.1,
            Family::Empirical => self
                .quantiles
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum(),
        }
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
    // Lognormal from quantiles (the robustness rule in the module docs).
    let z90 = 1.281_551_565_5;
    let mu = quantile(&pos, 0.5).ln();
    let mut sigma = (quantile(&pos, 0.9).ln() - quantile(&pos, 0.1).ln()) / (2.0 * z90);
    if sigma.is_nan() || sigma <= 0.0 {
        // Over half the values tie: the spread of the logs, as a fallback.
        let logs: Vec<f64> = pos.iter().map(|x| x.ln()).collect();
        let m = logs.iter().sum::<f64>() / n;
        sigma = (logs.iter().map(|l| (l - m).powi(2)).sum::<f64>() / n).sqrt();
    }
    if sigma.is_nan() || sigma <= 0.0 {
        return None;
    }
    // Gamma by maximum likelihood on the values capped at the 99th percentile.
    let cap = quantile(&pos, CAP_QUANTILE);
    let capped: Vec<f64> = pos.iter().map(|x| x.min(cap)).collect();
    let mean = capped.iter().sum::<f64>() / n;
    let mean_log = capped.iter().map(|x| x.ln()).sum::<f64>() / n;
    // Gamma MLE: Minka's closed-form start, refined by Newton steps.
    let s = mean.ln() - mean_log;
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
            .map(|&p| {
                let q = quantile(&sorted, p);
                if p < 1.0 {
                    return (p, q);
                }
                // The top: a local tail step instead of the sample maximum.
                let (q99, q975) = (quantile(&sorted, 0.99), quantile(&sorted, 0.975));
                (p, q.min(q99 + (q99 - q975)))
            })
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

#[cfg(test)]
mod tests {
    use super::*;

    /// Deterministic lognormal-like values: quantiles of a lognormal
    /// (median 20, σ 0.6) at evenly spaced probabilities, rounded to minutes.
    fn body(n: usize) -> Vec<f64> {
        let ln = LogNormal::new(20f64.ln(), 0.6).unwrap();
        (0..n)
            .map(|i| ln.inverse_cdf((i as f64 + 0.5) / n as f64).round())
            .collect()
    }

    /// Issue 12: one planted 800-minute value among 400 moves the fitted
    /// mean of every family by at most 1%.
    #[test]
    fn a_planted_800_minute_outlier_moves_the_fitted_mean_at_most_1pct() {
        let clean = body(400);
        let mut dirty = clean.clone();
        dirty[17] = 800.0;
        let (a, b) = (fit(&clean, 1.0).unwrap(), fit(&dirty, 1.0).unwrap());
        for family in [Family::Lognormal, Family::Gamma, Family::Empirical] {
            let (m0, m1) = (a.family_mean(family), b.family_mean(family));
            assert!((m1 / m0 - 1.0).abs() <= 0.01, "{family:?}: {m0} -> {m1}");
        }
        assert!((b.fitted_mean() / a.fitted_mean() - 1.0).abs() <= 0.01);
        // The sample mean moves by about 800/400 = 2 minutes (9%): why the rule.
        assert!(b.mean / a.mean - 1.0 > 0.05, "{} -> {}", a.mean, b.mean);
    }

    /// The quantile-fitted lognormal gives back a lognormal's median and p90.
    #[test]
    fn quantile_fit_recovers_a_lognormal() {
        let f = fit(&body(2000), 1.0).unwrap();
        let (mu, sigma) = f.lognormal;
        assert!((mu.exp() / 20.0 - 1.0).abs() < 0.03, "{}", mu.exp());
        assert!((sigma / 0.6 - 1.0).abs() < 0.05, "{sigma}");
        assert_eq!(f.chosen, Family::Lognormal);
    }
}

//! Across-replication statistics: streaming mean and variance, and
//! Student-t confidence intervals.

use serde::{Deserialize, Deserializer, Serialize};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Streaming mean and variance (Welford). Non-finite observations (a
/// ratio whose denominator was zero in that replication) are skipped.
#[derive(Debug, Clone, Copy, Default)]
pub struct Welford {
    n: u32,
    mean: f64,
    m2: f64,
}

impl Welford {
    /// Adds one observation.
    #[inline]
    pub fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        self.n += 1;
        let d = x - self.mean;
        self.mean += d / f64::from(self.n);
        self.m2 += d * (x - self.mean);
    }

    /// The estimate with a two-sided confidence interval at `level` (e.g. 0.95).
    pub fn estimate(&self, level: f64) -> Estimate {
        if self.n == 0 {
            return Estimate {
                mean: f64::NAN,
                half_width: f64::NAN,
                n: 0,
            };
        }
        let half_width = if self.n < 2 {
            f64::NAN
        } else {
            let sd = (self.m2 / f64::from(self.n - 1)).sqrt();
            t_quantile(self.n - 1, 0.5 + level / 2.0) * sd / f64::from(self.n).sqrt()
        };
        Estimate {
            mean: self.mean,
            half_width,
            n: self.n,
        }
    }
}

/// Quantile `p` of Student's t distribution with `dof` degrees of freedom.
/// The 97.5% quantile (95% intervals, asked for every figure of every run)
/// is computed once per degrees of freedom and remembered (issue 18: a
/// 10-year run spent 656M instructions recomputing it).
pub fn t_quantile(dof: u32, p: f64) -> f64 {
    const CACHED: usize = 4096;
    static T975: std::sync::OnceLock<Vec<std::sync::OnceLock<f64>>> = std::sync::OnceLock::new();
    let compute = || {
        StudentsT::new(0.0, 1.0, f64::from(dof))
            .map(|t| t.inverse_cdf(p))
            .unwrap_or(f64::NAN)
    };
    if p == 0.975 && (dof as usize) < CACHED {
        let table = T975.get_or_init(|| (0..CACHED).map(|_| std::sync::OnceLock::new()).collect());
        *table[dof as usize].get_or_init(compute)
    } else {
        compute()
    }
}

/// Reads a number written by serde_json, where NaN is written as `null`.
pub fn nan_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    Option::<f64>::deserialize(d).map(|x| x.unwrap_or(f64::NAN))
}

/// A mean across replications with the half-width of its confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// Mean across replications (NaN, written `null`, when undefined).
    #[serde(deserialize_with = "nan_or_null")]
    pub mean: f64,
    /// Half-width of the 95% Student-t confidence interval (NaN with fewer
    /// than two replications).
    #[serde(deserialize_with = "nan_or_null")]
    pub half_width: f64,
    /// Replications that gave a value (a share is undefined when its
    /// denominator was zero).
    pub n: u32,
}

impl Estimate {
    /// Lower end of the confidence interval.
    pub fn low(&self) -> f64 {
        self.mean - self.half_width
    }

    /// Upper end of the confidence interval.
    pub fn high(&self) -> f64 {
        self.mean + self.half_width
    }

    /// The same estimate with the interval at another confidence `level`
    /// (e.g. 0.99); the stored interval is at 95%.
    pub fn at_level(&self, level: f64) -> Estimate {
        if self.n < 2 {
            return *self;
        }
        let ratio = t_quantile(self.n - 1, 0.5 + level / 2.0) / t_quantile(self.n - 1, 0.975);
        Estimate {
            half_width: self.half_width * ratio,
            ..*self
        }
    }

    /// Does the interval contain `x`?
    pub fn contains(&self, x: f64) -> bool {
        self.low() <= x && x <= self.high()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welford_and_t() {
        let mut w = Welford::default();
        for x in [1.0, 2.0, 3.0, 4.0, f64::NAN] {
            w.push(x);
        }
        let e = w.estimate(0.95);
        assert_eq!(e.n, 4);
        assert!((e.mean - 2.5).abs() < 1e-12);
        // sd = 1.29099, t(3, 0.975) = 3.182446
        assert!((e.half_width - 3.182_446_305 * 1.290_994_449 / 2.0).abs() < 1e-6);
        assert!((t_quantile(1000, 0.975) - 1.962_339).abs() < 1e-5);
    }
}

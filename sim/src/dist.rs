//! Duration distributions, in minutes.
//!
//! A [`Duration`] is validated once (parameters finite, positive where they
//! must be) and then samples without failing. Every duration can be zero:
//! `fixed` 0 is allowed, and empirical values may contain 0.

use rand::Rng;
use rand_distr::{Distribution, Exp1, StandardNormal};

/// z-score of the 90th percentile of the standard normal distribution.
pub const Z90: f64 = 1.281_551_565_544_600_4;

/// A duration distribution, in minutes: built only by the constructors
/// below, which check the parameters, so a `Dist` always samples finite
/// minutes >= 0.
#[derive(Debug, Clone, PartialEq)]
pub struct Dist(Shape);

/// The shape of a duration distribution. Parameters are in minutes.
#[derive(Debug, Clone, PartialEq)]
enum Shape {
    /// Always the same value (may be 0).
    Fixed(f64),
    /// Exponential with the given mean.
    Exponential {
        /// Mean, minutes.
        mean: f64,
    },
    /// Log-normal: `exp(mu + sigma Z)`.
    LogNormal {
        /// Mean of the logarithm.
        mu: f64,
        /// Standard deviation of the logarithm.
        sigma: f64,
    },
    /// Gamma with shape `k` and scale `theta` (mean `k theta`).
    Gamma {
        /// Shape.
        shape: f64,
        /// Scale, minutes.
        scale: f64,
        /// Precomputed sampler.
        sampler: rand_distr::Gamma<f64>,
    },
    /// Uniform on `[low, high]`.
    Uniform {
        /// Lower end, minutes.
        low: f64,
        /// Upper end, minutes.
        high: f64,
    },
    /// Triangular on `[low, high]` with the given mode.
    Triangular {
        /// Lower end, minutes.
        low: f64,
        /// Most likely value, minutes.
        mode: f64,
        /// Upper end, minutes.
        high: f64,
    },
    /// Resample one of the observed values with equal probability.
    EmpiricalValues(Vec<f64>),
    /// Piecewise-linear inverse CDF through `(probability, minutes)` points,
    /// from probability 0 to 1.
    EmpiricalQuantiles(Vec<(f64, f64)>),
}

/// Why a distribution's parameters are not acceptable.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct DistError(pub String);

/// A log-normal whose draws stay finite: a draw 8 standard deviations
/// out (about one in 10^15) must still be a number of minutes (issue 17:
/// parameters whose draws overflowed to infinity passed validation).
fn lognormal(mu: f64, sigma: f64) -> Result<Dist, DistError> {
    let far = (mu + 8.0 * sigma).exp();
    if !far.is_finite() || !(mu + sigma * sigma / 2.0).exp().is_finite() || far > 1e12 {
        return bad(format!(
            "a log-normal this wide draws absurd times (one draw in 10^15 would be {far:.3e} minutes); narrow it"
        ));
    }
    Ok(Dist(Shape::LogNormal { mu, sigma }))
}

fn bad<T>(msg: impl Into<String>) -> Result<T, DistError> {
    Err(DistError(msg.into()))
}

/// The largest duration parameter accepted, minutes (about 19 years): far
/// beyond any real duration, small enough that no draw, scaled, overflows.
pub const MAX_MIN: f64 = 1e7;

fn finite_nonneg(name: &str, x: f64) -> Result<f64, DistError> {
    if (0.0..=MAX_MIN).contains(&x) {
        Ok(x)
    } else {
        bad(format!(
            "`{name}` must be a number from 0 to {MAX_MIN:e}, found {x}"
        ))
    }
}

fn finite_pos(name: &str, x: f64) -> Result<f64, DistError> {
    if x > 0.0 && x <= MAX_MIN {
        Ok(x)
    } else {
        bad(format!(
            "`{name}` must be a number above 0 and at most {MAX_MIN:e}, found {x}"
        ))
    }
}

/// The largest scale factor on a duration (`travel_scale`, `on_scene_scale`).
pub const MAX_SCALE: f64 = 1000.0;

impl Dist {
    /// Always 0 minutes.
    pub const ZERO: Dist = Dist(Shape::Fixed(0.0));
    /// Always 1 (a factor on a route's mean minutes that changes nothing).
    pub const ONE: Dist = Dist(Shape::Fixed(1.0));

    /// A fixed value.
    pub fn fixed(value: f64) -> Result<Self, DistError> {
        Ok(Dist(Shape::Fixed(finite_nonneg("value", value)?)))
    }

    /// An exponential distribution with the given mean (minutes).
    pub fn exponential(mean: f64) -> Result<Self, DistError> {
        Ok(Dist(Shape::Exponential {
            mean: finite_pos("mean", mean)?,
        }))
    }

    /// A log-normal distribution given by its mean and standard deviation.
    pub fn lognormal_mean_sd(mean: f64, sd: f64) -> Result<Self, DistError> {
        let mean = finite_pos("mean", mean)?;
        let sd = finite_pos("sd", sd)?;
        let sigma2 = (1.0 + (sd / mean).powi(2)).ln();
        lognormal(mean.ln() - sigma2 / 2.0, sigma2.sqrt())
    }

    /// A log-normal distribution given by its median and 90th percentile,
    /// the way response-time reports speak.
    pub fn lognormal_median_p90(median: f64, p90: f64) -> Result<Self, DistError> {
        let median = finite_pos("median", median)?;
        let p90 = finite_pos("p90", p90)?;
        if p90 <= median {
            return bad(format!("`p90` ({p90}) must be greater than `median` ({median})"));
        }
        lognormal(median.ln(), (p90.ln() - median.ln()) / Z90)
    }

    /// A gamma distribution given by its mean and standard deviation.
    pub fn gamma_mean_sd(mean: f64, sd: f64) -> Result<Self, DistError> {
        let mean = finite_pos("mean", mean)?;
        let sd = finite_pos("sd", sd)?;
        if sd < 0.01 * mean {
            return bad(format!(
                "`sd` ({sd}) must be at least 1% of `mean` ({mean}); use `fixed` for a constant"
            ));
        }
        let shape = (mean / sd).powi(2);
        let scale = sd * sd / mean;
        let sampler = rand_distr::Gamma::new(shape, scale)
            .map_err(|e| DistError(format!("gamma parameters rejected: {e}")))?;
        Ok(Dist(Shape::Gamma {
            shape,
            scale,
            sampler,
        }))
    }

    /// A uniform distribution on `[low, high]`.
    pub fn uniform(low: f64, high: f64) -> Result<Self, DistError> {
        let low = finite_nonneg("low", low)?;
        let high = finite_nonneg("high", high)?;
        if high < low {
            return bad(format!("`high` ({high}) must be >= `low` ({low})"));
        }
        Ok(Dist(Shape::Uniform { low, high }))
    }

    /// A triangular distribution on `[low, high]` with the given mode.
    pub fn triangular(low: f64, mode: f64, high: f64) -> Result<Self, DistError> {
        let low = finite_nonneg("low", low)?;
        let mode = finite_nonneg("mode", mode)?;
        let high = finite_nonneg("high", high)?;
        if !(low <= mode && mode <= high) || low == high {
            return bad(format!(
                "need `low` <= `mode` <= `high` and `low` < `high`, found {low}, {mode}, {high}"
            ));
        }
        Ok(Dist(Shape::Triangular { low, mode, high }))
    }

    /// Resample from observed values (minutes, each >= 0).
    pub fn empirical_values(values: Vec<f64>) -> Result<Self, DistError> {
        if values.is_empty() {
            return bad("`values` must not be empty");
        }
        for (i, v) in values.iter().enumerate() {
            finite_nonneg(&format!("values[{i}]"), *v)?;
        }
        Ok(Dist(Shape::EmpiricalValues(values)))
    }

    /// A piecewise-linear quantile function through `(probability, minutes)`
    /// points; probabilities strictly increase from 0 to 1, minutes do not
    /// decrease.
    pub fn empirical_quantiles(points: Vec<(f64, f64)>) -> Result<Self, DistError> {
        if points.len() < 2 {
            return bad("`quantiles` needs at least two [probability, minutes] points");
        }
        if points[0].0 != 0.0 || points[points.len() - 1].0 != 1.0 {
            return bad("`quantiles` must start at probability 0 and end at probability 1");
        }
        for w in points.windows(2) {
            if w[1].0 <= w[0].0 {
                return bad("`quantiles` probabilities must strictly increase");
            }
            if w[1].1 < w[0].1 {
                return bad("`quantiles` minutes must not decrease");
            }
        }
        for (p, v) in &points {
            finite_nonneg("probability", *p)?;
            finite_nonneg("minutes", *v)?;
        }
        Ok(Dist(Shape::EmpiricalQuantiles(points)))
    }

    /// Draws one value, minutes.
    ///
    /// The commonest shapes are drawn inline at the call site, the others
    /// out of line (issue 18: a call of the whole `match` saved and
    /// restored registers for the gamma sampler on every draw, about 25
    /// instructions a draw of an exponential).
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.0 {
            Shape::Fixed(v) => *v,
            Shape::Exponential { mean } => {
                let e: f64 = Exp1.sample(rng);
                e * mean
            }
            Shape::LogNormal { mu, sigma } => {
                let z: f64 = StandardNormal.sample(rng);
                (mu + sigma * z).exp()
            }
            _ => self.sample_other(rng),
        }
    }

    /// [`Self::sample`] of the other shapes.
    #[inline(never)]
    fn sample_other<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.0 {
            Shape::Fixed(_) | Shape::Exponential { .. } | Shape::LogNormal { .. } => {
                unreachable!("drawn inline by `sample`")
            }
            Shape::Gamma { sampler, .. } => sampler.sample(rng),
            Shape::Uniform { low, high } => low + (high - low) * rng.random::<f64>(),
            Shape::Triangular { .. } => self.quantile(rng.random::<f64>()),
            Shape::EmpiricalValues(v) => v[rng.random_range(0..v.len())],
            Shape::EmpiricalQuantiles(_) => self.quantile(rng.random::<f64>()),
        }
    }

    /// The mean, minutes.
    pub fn mean(&self) -> f64 {
        match &self.0 {
            Shape::Fixed(v) => *v,
            Shape::Exponential { mean } => *mean,
            Shape::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Shape::Gamma { shape, scale, .. } => shape * scale,
            Shape::Uniform { low, high } => (low + high) / 2.0,
            Shape::Triangular { low, mode, high } => (low + mode + high) / 3.0,
            Shape::EmpiricalValues(v) => v.iter().sum::<f64>() / v.len() as f64,
            Shape::EmpiricalQuantiles(p) => p
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[0].1 + w[1].1) / 2.0)
                .sum(),
        }
    }

    /// The standard deviation, minutes.
    pub fn sd(&self) -> f64 {
        match &self.0 {
            Shape::Fixed(_) => 0.0,
            Shape::Exponential { mean } => *mean,
            Shape::LogNormal { sigma, .. } => self.mean() * ((sigma * sigma).exp() - 1.0).sqrt(),
            Shape::Gamma { shape, scale, .. } => shape.sqrt() * scale,
            Shape::Uniform { low, high } => (high - low) / 12f64.sqrt(),
            Shape::Triangular { low, mode, high } => {
                ((low * low + mode * mode + high * high - low * mode - low * high - mode * high) / 18.0)
                    .sqrt()
            }
            Shape::EmpiricalValues(v) => {
                let m = self.mean();
                (v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / v.len() as f64).sqrt()
            }
            Shape::EmpiricalQuantiles(p) => {
                // E[X^2] of a piecewise-linear quantile function, segment by segment.
                let m = self.mean();
                let ex2: f64 = p
                    .windows(2)
                    .map(|w| (w[1].0 - w[0].0) * (w[0].1 * w[0].1 + w[0].1 * w[1].1 + w[1].1 * w[1].1) / 3.0)
                    .sum();
                (ex2 - m * m).max(0.0).sqrt()
            }
        }
    }

    /// The cumulative distribution function at `x` minutes.
    pub fn cdf(&self, x: f64) -> f64 {
        match &self.0 {
            Shape::Fixed(v) => f64::from(u8::from(x >= *v)),
            Shape::Exponential { mean } => {
                if x <= 0.0 {
                    0.0
                } else {
                    1.0 - (-x / mean).exp()
                }
            }
            Shape::LogNormal { mu, sigma } => {
                if x <= 0.0 {
                    0.0
                } else {
                    0.5 * statrs::function::erf::erfc(-(x.ln() - mu) / (sigma * std::f64::consts::SQRT_2))
                }
            }
            Shape::Gamma { shape, scale, .. } => {
                if x <= 0.0 {
                    0.0
                } else {
                    statrs::function::gamma::gamma_lr(*shape, x / scale)
                }
            }
            Shape::Uniform { low, high } => {
                if x < *low {
                    0.0
                } else if x >= *high {
                    1.0
                } else {
                    (x - low) / (high - low)
                }
            }
            Shape::Triangular { low, mode, high } => {
                if x <= *low {
                    0.0
                } else if x >= *high {
                    1.0
                } else if x <= *mode {
                    (x - low).powi(2) / ((high - low) * (mode - low))
                } else {
                    1.0 - (high - x).powi(2) / ((high - low) * (high - mode))
                }
            }
            Shape::EmpiricalValues(v) => v.iter().filter(|&&y| y <= x).count() as f64 / v.len() as f64,
            Shape::EmpiricalQuantiles(p) => {
                if x < p[0].1 {
                    return 0.0;
                }
                for w in p.windows(2) {
                    if x < w[1].1 {
                        let f = (x - w[0].1) / (w[1].1 - w[0].1);
                        return w[0].0 + f * (w[1].0 - w[0].0);
                    }
                }
                1.0
            }
        }
    }

    /// The quantile function for the distributions sampled by inversion
    /// (triangular, empirical quantiles); others use bisection on the CDF.
    pub fn quantile(&self, u: f64) -> f64 {
        match &self.0 {
            Shape::Triangular { low, mode, high } => {
                let fc = (mode - low) / (high - low);
                if u < fc {
                    low + (u * (high - low) * (mode - low)).sqrt()
                } else {
                    high - ((1.0 - u) * (high - low) * (high - mode)).sqrt()
                }
            }
            Shape::EmpiricalQuantiles(p) => {
                for w in p.windows(2) {
                    if u <= w[1].0 {
                        let f = (u - w[0].0) / (w[1].0 - w[0].0);
                        return w[0].1 + f * (w[1].1 - w[0].1);
                    }
                }
                p[p.len() - 1].1
            }
            _ => {
                let (mut lo, mut hi) = (0.0, self.mean().max(1.0));
                while self.cdf(hi) < u && hi < 1e12 {
                    hi *= 2.0;
                }
                for _ in 0..100 {
                    let mid = 0.5 * (lo + hi);
                    if self.cdf(mid) < u {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                hi
            }
        }
    }
}

/// Number of grid points in a mean-residual-life table.
const MRL_POINTS: usize = 512;

/// A duration: a distribution times a scale factor (the scenario's
/// `on_scene_scale`, `travel_scale`, ...), with what the dispatcher needs to
/// estimate remaining time under the `expected` setting.
#[derive(Debug, Clone)]
pub struct Duration {
    dist: Dist,
    scale: f64,
    mean_min: f64,
    /// Grid step of `mrl_min`, in unscaled minutes (0 when not tabulated).
    mrl_step: f64,
    /// Mean residual life E[X - s | X > s] at s = i * mrl_step, unscaled minutes.
    mrl_min: Vec<f64>,
}

impl Duration {
    /// Wraps a distribution, scaled by `scale` (above 0, at most
    /// [`MAX_SCALE`]: the scenario's scale factors are validated to that).
    pub fn new(dist: Dist, scale: f64) -> Result<Self, DistError> {
        if !(scale > 0.0 && scale <= MAX_SCALE) {
            return bad(format!(
                "a scale factor must be above 0 and at most {MAX_SCALE}, found {scale}"
            ));
        }
        let mean_min = dist.mean() * scale;
        let (mrl_step, mrl_min) = match &dist.0 {
            Shape::Fixed(_) | Shape::Exponential { .. } => (0.0, Vec::new()),
            _ => mrl_table(&dist),
        };
        Ok(Duration {
            dist,
            scale,
            mean_min,
            mrl_step,
            mrl_min,
        })
    }

    /// A distribution as it is (scale 1).
    pub fn unscaled(dist: Dist) -> Self {
        Duration::new(dist, 1.0).expect("scale 1 is valid")
    }

    /// A duration that is always zero.
    pub fn zero() -> Self {
        Duration::unscaled(Dist::ZERO)
    }

    /// The underlying distribution (unscaled).
    pub fn dist(&self) -> &Dist {
        &self.dist
    }

    /// The scale factor applied to every draw.
    pub fn scale(&self) -> f64 {
        self.scale
    }

    /// Draws one duration, minutes.
    #[inline(always)]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.dist.sample(rng) * self.scale
    }

    /// The mean, minutes.
    #[inline]
    pub fn mean_min(&self) -> f64 {
        self.mean_min
    }

    /// Expected remaining minutes given that `elapsed_min` minutes have
    /// already passed: `E[X - s | X > s]` (0 when `X > s` is impossible).
    pub fn expected_remaining_min(&self, elapsed_min: f64) -> f64 {
        let s = elapsed_min / self.scale;
        let r = match &self.dist.0 {
            Shape::Fixed(v) => (v - s).max(0.0),
            Shape::Exponential { mean } => *mean,
            _ => {
                let x = s / self.mrl_step;
                let i = x.floor() as usize;
                if i + 1 >= self.mrl_min.len() {
                    *self.mrl_min.last().unwrap_or(&0.0)
                } else {
                    let f = x - i as f64;
                    self.mrl_min[i] * (1.0 - f) + self.mrl_min[i + 1] * f
                }
            }
        };
        r * self.scale
    }
}

/// Tabulates E[X - s | X > s] = (integral of S from s to infinity) / S(s)
/// on a grid up to the 1 - 1e-7 quantile, integrating the survival function
/// with the trapezoid rule on a 16x finer grid.
fn mrl_table(dist: &Dist) -> (f64, Vec<f64>) {
    let top = dist.quantile(1.0 - 1e-7).max(1e-9);
    let fine = 16;
    let n = MRL_POINTS * fine;
    let h = top / n as f64;
    let surv: Vec<f64> = (0..=n).map(|i| 1.0 - dist.cdf(i as f64 * h)).collect();
    let mut tail = vec![0.0; n + 1];
    for i in (0..n).rev() {
        tail[i] = tail[i + 1] + 0.5 * h * (surv[i] + surv[i + 1]);
    }
    let mut table = Vec::with_capacity(MRL_POINTS + 1);
    let mut last = dist.mean();
    for j in 0..=MRL_POINTS {
        let i = j * fine;
        if surv[i] > 1e-9 {
            last = tail[i] / surv[i];
        }
        table.push(last);
    }
    (h * fine as f64, table)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn moments(d: &Dist, n: usize) -> (f64, f64) {
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        let xs: Vec<f64> = (0..n).map(|_| d.sample(&mut rng)).collect();
        let m = xs.iter().sum::<f64>() / n as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1) as f64;
        (m, v.sqrt())
    }

    /// Sample mean within 4 standard errors; sample sd within 3%.
    fn check(d: Dist) {
        let n = 200_000;
        let (m, s) = moments(&d, n);
        let se = d.sd() / (n as f64).sqrt();
        assert!(
            (m - d.mean()).abs() <= 4.0 * se + 1e-12,
            "{d:?}: mean {m} vs {}",
            d.mean()
        );
        assert!(
            (s - d.sd()).abs() <= 0.03 * d.sd() + 1e-12,
            "{d:?}: sd {s} vs {}",
            d.sd()
        );
    }

    #[test]
    fn sample_moments_match() {
        check(Dist::fixed(0.0).unwrap());
        check(Dist::fixed(12.5).unwrap());
        check(Dist::exponential(60.0).unwrap());
        check(Dist::lognormal_mean_sd(25.0, 12.0).unwrap());
        check(Dist::lognormal_median_p90(43.0, 120.0).unwrap());
        check(Dist::gamma_mean_sd(30.0, 10.0).unwrap());
        check(Dist::uniform(5.0, 25.0).unwrap());
        check(Dist::triangular(5.0, 10.0, 40.0).unwrap());
        check(Dist::empirical_values(vec![0.0, 10.0, 20.0, 90.0]).unwrap());
        check(Dist::empirical_quantiles(vec![(0.0, 0.0), (0.5, 20.0), (0.9, 45.0), (1.0, 120.0)]).unwrap());
    }

    #[test]
    fn lognormal_by_median_and_p90_has_those_quantiles() {
        let d = Dist::lognormal_median_p90(43.0, 120.0).unwrap();
        assert!((d.cdf(43.0) - 0.5).abs() < 1e-9);
        assert!((d.cdf(120.0) - 0.9).abs() < 1e-9);
        let d = Dist::lognormal_mean_sd(25.0, 12.0).unwrap();
        assert!((d.mean() - 25.0).abs() < 1e-9 && (d.sd() - 12.0).abs() < 1e-9);
    }

    #[test]
    fn invalid_parameters_are_rejected() {
        assert!(Dist::exponential(0.0).is_err());
        assert!(Dist::exponential(f64::NAN).is_err());
        assert!(Dist::fixed(-1.0).is_err());
        assert!(Dist::lognormal_median_p90(50.0, 40.0).is_err());
        // Issue 17: draws that overflow to infinity are refused.
        assert!(Dist::lognormal_median_p90(10.0, 1e300).is_err());
        assert!(Dist::lognormal_mean_sd(10.0, 1e200).is_err());
        assert!(Dist::uniform(5.0, 1.0).is_err());
        assert!(Dist::triangular(5.0, 1.0, 10.0).is_err());
        assert!(Dist::empirical_values(vec![]).is_err());
        assert!(Dist::empirical_quantiles(vec![(0.0, 1.0), (0.9, 2.0)]).is_err());
        assert!(Dist::gamma_mean_sd(10.0, -1.0).is_err());
        // Issue 16: a duration's scale is checked too.
        for scale in [0.0, -1.0, f64::NAN, f64::INFINITY, MAX_SCALE * 2.0] {
            assert!(Duration::new(Dist::ONE, scale).is_err(), "scale {scale}");
        }
        assert_eq!(Duration::new(Dist::ONE, MAX_SCALE).unwrap().mean_min(), MAX_SCALE);
    }

    #[test]
    fn mean_residual_life() {
        // Exponential is memoryless.
        let e = Duration::new(Dist::exponential(60.0).unwrap(), 1.0).unwrap();
        assert_eq!(e.expected_remaining_min(500.0), 60.0);
        // Fixed counts down.
        let f = Duration::new(Dist::fixed(30.0).unwrap(), 2.0).unwrap();
        assert_eq!(f.expected_remaining_min(20.0), 40.0);
        // Uniform(0, 100): E[X - s | X > s] = (100 - s) / 2.
        let u = Duration::new(Dist::uniform(0.0, 100.0).unwrap(), 1.0).unwrap();
        for s in [0.0, 10.0, 50.0, 90.0] {
            assert!(
                (u.expected_remaining_min(s) - (100.0 - s) / 2.0).abs() < 0.05,
                "s={s}"
            );
        }
        // Gamma with shape 1 is exponential: constant mean residual life.
        let g = Duration::new(Dist::gamma_mean_sd(20.0, 20.0).unwrap(), 1.0).unwrap();
        for s in [0.0, 15.0, 60.0] {
            assert!(
                (g.expected_remaining_min(s) - 20.0).abs() < 0.2,
                "s={s}: {}",
                g.expected_remaining_min(s)
            );
        }
        // Lognormal at 0 is the mean; it grows with elapsed time (heavy tail).
        let l = Duration::new(Dist::lognormal_median_p90(43.0, 120.0).unwrap(), 1.0).unwrap();
        assert!((l.expected_remaining_min(0.0) - l.mean_min()).abs() < 0.01 * l.mean_min());
        assert!(l.expected_remaining_min(120.0) > l.mean_min());
    }
}

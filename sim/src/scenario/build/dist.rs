//! Durations: a plain number of minutes or an inline table naming a
//! distribution and its parameters.

use toml::de::DeValue;

use super::{Builder, opt};
use crate::dist::Dist;
use crate::scenario::read::{Val, join, type_name};

impl Builder<'_, '_> {
    /// A duration: a plain number (fixed minutes) or an inline table naming
    /// its distribution.
    pub(super) fn dist(&mut self, v: &Val<'_>, path: &str) -> Option<Dist> {
        if matches!(v.get_ref(), DeValue::Integer(_) | DeValue::Float(_)) {
            let x = self
                .r
                .number_where(v, path, "a number of minutes >= 0", |x| x >= 0.0)?;
            return match Dist::fixed(x) {
                Ok(d) => Some(d),
                Err(e) => {
                    self.r.problem(v.span(), path, e.0);
                    None
                }
            };
        }
        let t = match v.get_ref() {
            DeValue::Table(t) => t,
            other => {
                let found = type_name(other);
                self.r.problem(
                    v.span(),
                    path,
                    format!("expected minutes or a distribution such as {{ dist = \"exponential\", mean = 60 }}, found {found}"),
                );
                return None;
            }
        };
        let kind = self
            .r
            .required(t, v.span(), path, "dist", "the distribution's name")?;
        let kinds = [
            "fixed",
            "exponential",
            "lognormal",
            "gamma",
            "uniform",
            "triangular",
            "empirical",
        ];
        let kpath = join(path, "dist");
        let name = self.r.string(kind, &kpath)?;
        if !kinds.contains(&name) {
            self.r.problem(
                kind.span(),
                &kpath,
                format!("expected one of {}, found {name:?}", kinds.join(", ")),
            );
            return None;
        }
        let params: &[&str] = match name {
            "fixed" => &["value"],
            "exponential" => &["mean"],
            "lognormal" => &["mean", "sd", "median", "p90"],
            "gamma" => &["mean", "sd"],
            "uniform" => &["low", "high"],
            "triangular" => &["low", "mode", "high"],
            _ => &["values", "quantiles"],
        };
        let allowed: Vec<&str> = std::iter::once("dist").chain(params.iter().copied()).collect();
        self.r.only_keys(t, path, &allowed);
        let num = |b: &mut Self, key: &str| -> Option<f64> {
            let kp = join(path, key);
            let v = b.r.required(t, v.span(), path, key, "a number")?;
            b.r.number(v, &kp)
        };
        let result = match name {
            "fixed" => Dist::fixed(num(self, "value")?),
            "exponential" => Dist::exponential(num(self, "mean")?),
            "lognormal" => {
                if t.contains_key("median") || t.contains_key("p90") {
                    if t.contains_key("mean") || t.contains_key("sd") {
                        self.r.problem(
                            v.span(),
                            path,
                            "give a lognormal either by mean and sd or by median and p90, not both",
                        );
                        return None;
                    }
                    let (m, p) = (num(self, "median"), num(self, "p90"));
                    Dist::lognormal_median_p90(m?, p?)
                } else {
                    let (m, s) = (num(self, "mean"), num(self, "sd"));
                    Dist::lognormal_mean_sd(m?, s?)
                }
            }
            "gamma" => {
                let (m, s) = (num(self, "mean"), num(self, "sd"));
                Dist::gamma_mean_sd(m?, s?)
            }
            "uniform" => {
                let (l, h) = (num(self, "low"), num(self, "high"));
                Dist::uniform(l?, h?)
            }
            "triangular" => {
                let (l, m, h) = (num(self, "low"), num(self, "mode"), num(self, "high"));
                Dist::triangular(l?, m?, h?)
            }
            _ => match (opt(t, "values"), opt(t, "quantiles")) {
                (Some(vals), None) => Dist::empirical_values(self.r.numbers(vals, &join(path, "values"))?),
                (None, Some(q)) => {
                    let qpath = join(path, "quantiles");
                    let items = self.r.array(q, &qpath)?;
                    let mut points = Vec::new();
                    for (i, item) in items.iter().enumerate() {
                        let pair = self.r.numbers(item, &format!("{qpath}[{i}]"))?;
                        if pair.len() != 2 {
                            self.r.problem(
                                item.span(),
                                &format!("{qpath}[{i}]"),
                                "expected a [probability, minutes] pair",
                            );
                            return None;
                        }
                        points.push((pair[0], pair[1]));
                    }
                    Dist::empirical_quantiles(points)
                }
                _ => {
                    self.r.problem(
                        v.span(),
                        path,
                        "an empirical distribution needs exactly one of `values` or `quantiles`",
                    );
                    return None;
                }
            },
        };
        match result {
            Ok(d) => Some(d),
            Err(e) => {
                self.r.problem(v.span(), path, e.0);
                None
            }
        }
    }
}

//! Shares written as percentages: the one formatter behind every terminal
//! table, report page and web page that shows a share (a fraction: 0.25 is
//! 25%) or a change of one (in percentage points). Each place states its
//! [`Style`] once; the rules for undefined values and intervals live here.

use std::fmt::Write as _;

use sim::stats::Estimate;

/// Something [`percent`] can write: a share, or an estimate of one.
pub trait Share {
    /// The share as an estimate; `None` when there is none.
    fn estimate(self) -> Option<Estimate>;
}

impl Share for Option<Estimate> {
    fn estimate(self) -> Option<Estimate> {
        self
    }
}

impl Share for Estimate {
    fn estimate(self) -> Option<Estimate> {
        Some(self)
    }
}

/// A share known exactly (no interval), e.g. a scenario setting.
impl Share for f64 {
    fn estimate(self) -> Option<Estimate> {
        Some(Estimate {
            mean: self,
            half_width: f64::NAN,
            n: 1,
        })
    }
}

/// What follows the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Interval {
    /// Nothing: the value alone.
    None,
    /// ` ± H`: the half-width of the 95% CI, in percentage points, with
    /// this many decimals.
    HalfWidth(usize),
    /// ` (≤ H%)`: the upper end of the 95% CI, in percent, with the
    /// value's decimals.
    UpperBound,
    /// ` (≥ L%)`: the lower end of the 95% CI, in percent, with the
    /// value's decimals (a share that must reach a minimum).
    LowerBound,
}

/// How [`percent`] writes a share. An interval is written only when its
/// half-width is finite (two or more replications).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Style {
    /// Decimals of the value.
    pub decimals: usize,
    /// A `+` before a positive value (for changes).
    pub signed: bool,
    /// A `%` right after the value (and after an upper bound). Off for a
    /// bare number in a column headed `%`, and for changes.
    pub percent_sign: bool,
    /// What follows the value.
    pub interval: Interval,
    /// Text after everything, e.g. ` points`.
    pub after: &'static str,
    /// The whole text when the share is undefined (a share of nothing).
    pub undefined: &'static str,
}

impl Style {
    /// A change of a share from a base on a page (the report, `serve`):
    /// `+1.25 ± 0.40 points`, `–` when undefined.
    pub const CHANGE_IN_POINTS: Style = Style::change(2, " points").undefined("–");

    /// `25.0%` with `decimals` decimals; `-` when undefined.
    pub const fn share(decimals: usize) -> Style {
        Style {
            decimals,
            signed: false,
            percent_sign: true,
            interval: Interval::None,
            after: "",
            undefined: "-",
        }
    }

    /// `25.0` without the `%` (the column header says it).
    pub const fn bare(decimals: usize) -> Style {
        Style {
            percent_sign: false,
            ..Style::share(decimals)
        }
    }

    /// A change in percentage points: `+1.25 ± 0.40`, both with
    /// `decimals` decimals, then `after` (e.g. ` points`).
    pub const fn change(decimals: usize, after: &'static str) -> Style {
        Style {
            signed: true,
            percent_sign: false,
            interval: Interval::HalfWidth(decimals),
            after,
            ..Style::share(decimals)
        }
    }

    /// The same with ` ± H` after the value, `decimals` decimals.
    pub const fn half_width(self, decimals: usize) -> Style {
        Style {
            interval: Interval::HalfWidth(decimals),
            ..self
        }
    }

    /// The same with ` (≤ H%)` after the value.
    pub const fn upper_bound(self) -> Style {
        Style {
            interval: Interval::UpperBound,
            ..self
        }
    }

    /// The same with ` (≥ L%)` after the value.
    pub const fn lower_bound(self) -> Style {
        Style {
            interval: Interval::LowerBound,
            ..self
        }
    }

    /// The same with `text` for an undefined share.
    pub const fn undefined(self, text: &'static str) -> Style {
        Style {
            undefined: text,
            ..self
        }
    }
}

/// Writes `share` (a fraction) as a percentage in `style`, e.g.
/// `12.3% ± 0.45`; `style.undefined` when the share or its mean is
/// undefined.
///
/// ```
/// use output::percent::{Style, percent};
/// use sim::stats::Estimate;
///
/// let e = Estimate { mean: 0.1234, half_width: 0.0045, n: 20 };
/// assert_eq!(percent(e, Style::share(1).half_width(2)), "12.3% ± 0.45");
/// assert_eq!(percent(e, Style::share(1).upper_bound()), "12.3% (≤ 12.8%)");
/// assert_eq!(percent(e, Style::change(2, " points")), "+12.34 ± 0.45 points");
/// assert_eq!(percent(0.5, Style::bare(0)), "50");
/// assert_eq!(percent(None, Style::share(1).undefined("–")), "–");
/// ```
pub fn percent(share: impl Share, style: Style) -> String {
    let Some(e) = share.estimate().filter(|e| e.mean.is_finite()) else {
        return style.undefined.to_string();
    };
    let d = style.decimals;
    let sign = if style.percent_sign { "%" } else { "" };
    let mut out = if style.signed {
        format!("{:+.d$}{sign}", 100.0 * e.mean)
    } else {
        format!("{:.d$}{sign}", 100.0 * e.mean)
    };
    if e.half_width.is_finite() {
        let _ = match style.interval {
            Interval::None => Ok(()),
            Interval::HalfWidth(h) => write!(out, " ± {:.h$}", 100.0 * e.half_width),
            Interval::UpperBound => write!(out, " (≤ {:.d$}{sign})", 100.0 * e.high()),
            Interval::LowerBound => write!(out, " (≥ {:.d$}{sign})", 100.0 * e.low()),
        };
    }
    out.push_str(style.after);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn est(mean: f64, half_width: f64) -> Estimate {
        Estimate {
            mean,
            half_width,
            n: 2,
        }
    }

    /// The texts the former per-module formatters wrote, byte for byte.
    #[test]
    fn writes_what_each_place_wrote_before() {
        let e = est(0.123_456, 0.004_321);
        let one = est(0.123_456, f64::NAN);
        let none = est(f64::NAN, f64::NAN);
        let report = Style::share(1).half_width(1).undefined("–");
        assert_eq!(percent(e, report), format!("{:.1}% ± {:.1}", 12.3456, 0.4321));
        assert_eq!(percent(one, report), "12.3%");
        assert_eq!(percent(none, report), "–");
        assert_eq!(percent(None, report), "–");
        assert_eq!(percent(e, Style::bare(1)), "12.3");
        assert_eq!(percent(e, Style::bare(1).half_width(2)), "12.3 ± 0.43");
        assert_eq!(percent(one, Style::bare(1).half_width(2)), "12.3");
        assert_eq!(percent(none, Style::bare(1)), "-");
        assert_eq!(percent(e, Style::share(1).upper_bound()), "12.3% (≤ 12.8%)");
        assert_eq!(percent(one, Style::share(1).upper_bound()), "12.3%");
        assert_eq!(percent(e, Style::share(1).lower_bound()), "12.3% (≥ 11.9%)");
        assert_eq!(percent(e, Style::share(2)), "12.35%");
        assert_eq!(percent(0.25, Style::share(0)), "25%");
        let down = est(-0.012_345, 0.006_789);
        assert_eq!(percent(down, Style::change(2, "")), "-1.23 ± 0.68");
        assert_eq!(percent(e, Style::change(2, " pts")), "+12.35 ± 0.43 pts");
        assert_eq!(
            percent(None, Style::change(2, " points").undefined("–")),
            "–",
            "no text after an undefined change"
        );
    }
}

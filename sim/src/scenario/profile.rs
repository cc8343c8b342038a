//! Built-in hour-of-week demand profiles.

/// Names of the built-in profiles, with what each assumes.
pub const BUILTIN_PROFILES: &[(&str, &str)] = &[
    ("flat", "the same rate at every hour"),
    (
        "crisis",
        "ASSUMPTION (no published 24-hour curve, shared/data/parameters.md): overnight about 0.75x daytime, \
         a mid-afternoon peak, higher evenings 18:00-24:00 and weekends",
    ),
];

/// The 168 factors (Monday 00:00 first, not yet normalised) of a built-in
/// profile, or `None` for an unknown name.
pub fn builtin_profile(name: &str) -> Option<[f64; 168]> {
    match name {
        "flat" => Some([1.0; 168]),
        "crisis" => {
            // Relative demand by hour of day: 0.75 overnight, 1.0 daytime,
            // 1.1 mid-afternoon (Wuschke et al.), 1.15 in the evening
            // (Veterans Crisis Line dispatches).
            const DAY: [f64; 24] = [
                0.85, 0.75, 0.75, 0.75, 0.75, 0.75, 0.8, 0.9, 1.0, 1.0, 1.0, 1.05, 1.05, 1.1, 1.1, 1.1, 1.05,
                1.05, 1.15, 1.15, 1.15, 1.15, 1.1, 0.95,
            ];
            let mut out = [0.0; 168];
            for (i, f) in out.iter_mut().enumerate() {
                let (day, hour) = (i / 24, i % 24);
                let weekend = if day >= 5 { 1.1 } else { 1.0 };
                *f = DAY[hour] * weekend;
            }
            Some(out)
        }
        _ => None,
    }
}

//! The coverage-gap report: one self-contained HTML file (inline SVG and
//! CSS, no scripts, no external assets) plus a copy of every chart in
//! `charts/`, from a run's results, a sweep or a sizing: a PNG with the
//! `png` feature (on by default), else an SVG. Every name from a scenario
//! is escaped: it shows as text, never as markup.

mod charts;
mod geo;

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use plotters::prelude::*;
use sim::RunResults;
use sim::results::{GroupFigure, HourFigure, RegionFigure, TeamFigure};
use sim::stats::Estimate;

pub use charts::viridis;
use charts::{Bars, Cdf, Chart, Heatmap, Lines, Qq, Stacked, Tornado};

use crate::percent::{Style, percent};
use crate::tables::{OutputError, write_atomic};

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A rendered chart: its SVG for the page; its copy is on disk.
struct Figure {
    svg: String,
    /// `charts/NAME.png`, or `charts/NAME.svg` without the `png` feature.
    file: PathBuf,
}

/// What the copies in `charts/` are: (caption word, file extension).
#[cfg(feature = "png")]
const CHART_FILE: (&str, &str) = ("PNG", "png");
/// What the copies in `charts/` are: (caption word, file extension).
#[cfg(not(feature = "png"))]
const CHART_FILE: (&str, &str) = ("SVG", "svg");

/// Draws a chart as SVG (returned) and writes its copy under `dir`:
/// `charts/NAME.png`, or `charts/NAME.svg` without the `png` feature.
/// `size` is in pixels.
fn render<C: Chart>(dir: &Path, name: &str, size: (u32, u32), chart: &C) -> Result<Figure, OutputError> {
    let fail = |message: String| OutputError::Format {
        path: dir.join(name),
        message,
    };
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size).into_drawing_area();
        chart.draw(&root).map_err(fail)?;
    }
    let file = dir.join("charts").join(format!("{name}.{}", CHART_FILE.1));
    std::fs::create_dir_all(dir.join("charts")).map_err(|source| OutputError::Io {
        path: dir.join("charts"),
        source,
    })?;
    #[cfg(feature = "png")]
    {
        let root = BitMapBackend::new(&file, size).into_drawing_area();
        chart.draw(&root).map_err(fail)?;
    }
    #[cfg(not(feature = "png"))]
    write_atomic(&file, svg.as_bytes())?;
    Ok(Figure { svg, file })
}

/// A share in the page's tables: `12.3% ± 0.4`, `–` when undefined.
const PCT: Style = Style::share(1).half_width(1).undefined("–");

fn num(e: Option<Estimate>, digits: usize) -> String {
    match e {
        Some(e) if e.mean.is_finite() && e.half_width.is_finite() => {
            format!("{:.*} ± {:.*}", digits, e.mean, digits, e.half_width)
        }
        Some(e) if e.mean.is_finite() => format!("{:.*}", digits, e.mean),
        _ => "–".into(),
    }
}

fn slug(s: &str) -> String {
    s.chars()
        .take(40)
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

const CSS: &str = "body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\
h1{font-size:1.6em}h2{border-bottom:2px solid #440154;padding-bottom:.2em;margin-top:2em}\
table{border-collapse:collapse;margin:1em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:.25em .5em;text-align:right}\
th{background:#f0f0f0}td:first-child,th:first-child{text-align:left}figure{margin:1em 0}\
figcaption{font-size:.9em;color:#444;max-width:900px}svg{max-width:100%;height:auto}.note{color:#555;font-size:.9em}\
details{margin:.5em 0}summary{cursor:pointer;font-weight:600}";

fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{}</title>\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><style>{CSS}</style></head>\n<body>\n{body}\n</body></html>\n",
        esc(title)
    )
}

fn figure(out: &mut String, fig: &Figure, caption: &str) {
    let file = fig
        .file
        .file_name()
        .map(|f| f.to_string_lossy().to_string())
        .unwrap_or_default();
    let _ = write!(
        out,
        "<figure>{}<figcaption>{} <span class=\"note\">({}: charts/{})</span></figcaption></figure>",
        fig.svg,
        esc(caption),
        CHART_FILE.0,
        esc(&file)
    );
}

/// Writes `report.html` and `charts/*.png` (`*.svg` without the `png`
/// feature) for a run into `dir`.
pub fn write_run_report(
    dir: &Path,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<PathBuf, OutputError> {
    let scenario =
        sim::Scenario::from_toml(scenario_toml, "summary.json").map_err(|e| OutputError::Format {
            path: dir.join("summary.json"),
            message: format!("the scenario in the results does not load: {e}"),
        })?;
    let mut body = String::new();
    let title = match sim::scenario::overrides(scenario_toml) {
        Some(o) => format!("Mobile crisis coverage: {} (with {o})", res.scenario),
        None => format!("Mobile crisis coverage: {}", res.scenario),
    };
    let _ = write!(
        body,
        "<h1>{}</h1>\n<p>Simulated with cessa-sim {}: {} replications of {} days (first {} days of warm-up excluded), \
         starting {}, seed {}. Every figure is a mean over replications; ± is the half-width of its 95% confidence interval. \
         <em>Diverted</em> means diverted to police because no mobile team could arrive within the maximum response time \
         (754/30(a), 754/40(c)(3)); its share is of the calls that triage sent to a mobile team.</p>\n",
        esc(&title),
        esc(version),
        res.replications,
        res.horizon_days,
        res.warmup_days,
        esc(&res.start_date),
        res.seed
    );
    // Settings.
    let d = &scenario.dispatch();
    let _ = write!(
        body,
        "<h2>Scenario</h2>\n<table><tr><th>setting</th><th>value</th></tr>\
         <tr><td>dispatch policy</td><td>{:?}</td></tr><tr><td>candidates</td><td>{:?}</td></tr>\
         <tr><td>dispatcher's estimate</td><td>{:?}</td></tr><tr><td>after a call</td><td>{:?}</td></tr>\
         <tr><td>demand scale</td><td>{}</td></tr><tr><td>teams</td><td>{}</td></tr>\
         <tr><td>overrides (--set, -r, --seed)</td><td>{}</td></tr></table>\n",
        d.policy,
        d.candidates,
        d.estimate,
        d.after_call,
        scenario.demand_scale(),
        scenario.team_count(),
        esc(sim::scenario::overrides(scenario_toml).unwrap_or("none"))
    );
    body.push_str("<table><tr><th>call type</th><th>priority</th><th>share of contacts</th><th>maximum response (default)</th></tr>");
    for ct in scenario.call_types() {
        let max = ct.max_response.first().map_or("–".to_string(), |m| match m {
            sim::scenario::MaxResponse::Unlimited => "none".into(),
            sim::scenario::MaxResponse::Minutes(x) => format!("{x} min"),
        });
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&ct.name),
            ct.priority,
            percent(ct.share, Style::share(0)),
            max
        );
    }
    body.push_str("</table>\n");

    // Overview.
    body.push_str("<h2>Overview</h2>\n");
    let regions: Vec<&str> = res.regions.iter().map(|r| r.name.as_str()).collect();
    let bars = Bars {
        y_label: "% of mobile calls diverted (95% CI)".into(),
        bars: regions
            .iter()
            .map(|r| {
                let e = res
                    .figure(Some(r), None, None, GroupFigure::DivertedShare)
                    .unwrap_or(Estimate {
                        mean: f64::NAN,
                        half_width: f64::NAN,
                        n: 0,
                    });
                (r.to_string(), 100.0 * e.mean, 100.0 * e.low(), 100.0 * e.high())
            })
            .collect(),
        reference: None,
    };
    let fig = render(dir, "overview_diverted_by_region", (900, 420), &bars)?;
    figure(
        &mut body,
        &fig,
        &format!(
            "Share of mobile calls diverted to police for lack of capacity, by region, with 95% confidence intervals over {} replications. Scenario: {}.",
            res.replications, res.scenario
        ),
    );
    if let Some((state, city)) = geo::illinois_maps(res, &scenario) {
        let fig = render(dir, "overview_map", (620, 820), &state)?;
        figure(
            &mut body,
            &fig,
            "Each Illinois county coloured by its own share of mobile calls diverted to police for lack of capacity (over the run; Cook County: the population-weighted share of its suburban parts, Chicago is drawn below). Black lines and numbers: the EMS Regions. Grey: no mobile calls. Regions' figures with CIs are in the table below; every zone's monthly counts are in the district tables and by_month_zone.csv.",
        );
        if let Some(city) = city {
            let fig = render(dir, "overview_map_chicago", (620, 700), &city)?;
            figure(
                &mut body,
                &fig,
                "The City of Chicago (Region 11) by police district, each coloured by its own diverted share; numbers are the districts (CPD). District outlines: City of Chicago Data Portal.",
            );
        }
    }
    body.push_str(&overview_table(res));
    body.push_str(&centre_section(dir, res, &scenario)?);

    // Per region.
    for (ri, region) in res.regions.iter().enumerate() {
        let r = region.name.as_str();
        let _ = writeln!(body, "<h2 id=\"region-{ri}\">{}</h2>", esc(r));
        let g = res.group(Some(r), None, None);
        let k = |f: GroupFigure| res.figure(Some(r), None, None, f);
        let _ = write!(
            body,
            "<p>{} teams ({:.0} team-hours a week). Mobile calls: {} a month; in time {}; late {}; <strong>diverted {}</strong> \
             ({} because no team was on shift). Utilization {}; overtime {} hours a month; response p50 {} min, p90 {} min.</p>",
            region.teams,
            region.team_hours_per_week,
            num(k(GroupFigure::MobilePerMonth), 0),
            percent(k(GroupFigure::InTimeShare), PCT),
            percent(k(GroupFigure::LateShare), PCT),
            percent(k(GroupFigure::DivertedShare), PCT),
            percent(k(GroupFigure::NoTeamOnShiftShare), PCT),
            percent(res.region_figure(r, RegionFigure::Utilization), PCT),
            num(res.region_figure(r, RegionFigure::OvertimeHoursPerMonth), 1),
            num(k(GroupFigure::ResponseP50Min), 1),
            num(k(GroupFigure::ResponseP90Min), 1),
        );
        // Chart files by index plus a readable slug: two names never
        // collide, and a long one never makes a long file name.
        let slug = format!("region_{ri}_{}", slug(r));
        let maxima: Vec<(String, f64)> = res
            .groups
            .iter()
            .filter(|g| g.region.as_deref() == Some(r) && g.call_type.is_some() && g.channel.is_none())
            .filter_map(|g| Some((g.call_type.clone()?, g.max_response_min?)))
            .collect();
        // Zones with a maximum of their own: their calls are judged by it.
        let own: Vec<String> = res
            .groups
            .iter()
            .filter(|g| g.region.as_deref() == Some(r) && g.channel.is_none())
            .filter_map(|g| {
                Some(format!(
                    "{} in {}",
                    g.call_type.as_deref()?,
                    g.zone_maxima_text(" ", ", ")?
                ))
            })
            .collect();
        let own = if own.is_empty() {
            String::new()
        } else {
            format!(
                " Zones with a maximum of their own (minutes; their calls are in time or late by it): {}.",
                own.join("; ")
            )
        };
        if let Some(g) = g {
            let total: u64 = g.response_hist.iter().sum();
            let beyond: Vec<String> = maxima
                .iter()
                .map(|(name, m)| {
                    let from = (m / sim::tally::BIN_MIN).round() as usize;
                    let above: u64 = g.response_hist.iter().skip(from).sum();
                    format!(
                        "{} of reached calls took longer than {m} min ({name})",
                        percent(above as f64 / total.max(1) as f64, Style::share(1))
                    )
                })
                .collect();
            let fig = render(
                dir,
                &format!("{slug}_response_cdf"),
                (820, 420),
                &Cdf {
                    hist: g.response_hist.clone(),
                    maxima: maxima.clone(),
                },
            )?;
            figure(
                &mut body,
                &fig,
                &format!(
                    "{r}: response times of the calls a team reached (pooled over replications), with each call type's maximum.{}{own} Diverted calls are not in this curve.",
                    if beyond.is_empty() {
                        String::new()
                    } else {
                        format!(" {}.", beyond.join("; "))
                    }
                ),
            );
        }
        // Heat map of the diverted share by hour of week.
        let rows: Vec<&sim::results::HourRow> = res.hour_of_week.iter().filter(|h| h.region == r).collect();
        let fig = render(
            dir,
            &format!("{slug}_heatmap"),
            (900, 330),
            &hour_heatmap(res, r, HourFigure::DivertedShare, 1.0, "% diverted"),
        )?;
        figure(
            &mut body,
            &fig,
            &format!(
                "{r}: probability that a mobile call is diverted, by hour of week (mean over replications; grey: no calls). The per-hour CIs are in by_hour_of_week.csv."
            ),
        );
        // Utilization by hour of day.
        let mut by_hour = vec![(0.0, 0.0, 0.0, 0usize); 24];
        for h in &rows {
            if let Some(e) = h.kpis.get("utilization").filter(|e| e.mean.is_finite()) {
                let b = &mut by_hour[h.hour_of_week % 24];
                b.0 += e.mean;
                b.1 += e.low();
                b.2 += e.high();
                b.3 += 1;
            }
        }
        let pts: Vec<(f64, f64, f64, f64)> = by_hour
            .iter()
            .enumerate()
            .filter(|(_, b)| b.3 > 0)
            .map(|(h, b)| {
                (
                    h as f64,
                    100.0 * b.0 / b.3 as f64,
                    100.0 * b.1 / b.3 as f64,
                    100.0 * b.2 / b.3 as f64,
                )
            })
            .collect();
        if !pts.is_empty() {
            let lines = Lines {
                x_label: "hour of day".into(),
                y_label: "% of on-shift team time busy".into(),
                series: vec![("utilization (band: mean 95% CI over the 7 days)".into(), pts)],
                scatter: false,
            };
            let fig = render(dir, &format!("{slug}_utilization"), (820, 360), &lines)?;
            figure(
                &mut body,
                &fig,
                &format!(
                    "{r}: team utilization by hour of day (busy team-time over scheduled team-time, averaged over the days of the week)."
                ),
            );
        }
        // Outcomes by call type and channel.
        let mut orows = Vec::new();
        for g in res
            .groups
            .iter()
            .filter(|g| g.region.as_deref() == Some(r) && (g.call_type.is_some() ^ g.channel.is_some()))
        {
            let label = g
                .call_type
                .clone()
                .map(|t| format!("type: {t}"))
                .or_else(|| g.channel.clone().map(|c| format!("channel: {c}")))
                .unwrap_or_default();
            let v = |n: &str| 100.0 * g.kpis.get(n).map_or(f64::NAN, |e| e.mean);
            let mut parts = vec![v("in_time_share"), v("late_share"), v("diverted_share")];
            // With a contact centre, the calls lost at the phones complete the bar.
            let phones = v("lost_at_phones_share");
            if phones.is_finite() {
                parts.push(phones);
            }
            orows.push((label, parts));
        }
        if !orows.is_empty() {
            let h = 90 + 45 * orows.len() as u32;
            let mut parts = vec!["in time".into(), "late".into(), "diverted to police".into()];
            if orows.iter().all(|(_, p)| p.len() == 4) {
                parts.push("lost at the phones".into());
            } else {
                for (_, p) in &mut orows {
                    p.truncate(3);
                }
            }
            let st = Stacked { parts, rows: orows };
            let fig = render(dir, &format!("{slug}_outcomes"), (820, h), &st)?;
            figure(
                &mut body,
                &fig,
                &format!(
                    "{r}: outcome of mobile calls by call type and by entry channel (754/40(c)(1)-(3)); means over replications, CIs in by_region_type.csv and by_region_channel.csv."
                ),
            );
        }
        if let Some(fig) = team_section(dir, res, r, &slug, &mut body)? {
            figure(
                &mut body,
                &fig,
                &format!(
                    "{r}: utilization of each team group (base and shift): busy team-time over its scheduled team-time, with the 95% CI. A bar far above the others is an overloaded base."
                ),
            );
        }
        body.push_str(&month_table(res, r));
    }
    let _ = write!(
        body,
        "<h2>How to read this report</h2><p class=\"note\">Figures come from {} independent replications; a 95% confidence interval \
         says how much the figure could move with more replications, not how wrong the scenario's assumptions may be. \
         The monthly tables are aggregated and non-individualized counts (754/50(3)), as means per simulated month over replications. \
         Hour-of-week 0 is Monday 00:00. Daylight saving time is ignored.</p>",
        res.replications
    );
    let path = dir.join("report.html");
    write_atomic(&path, page(&title, &body).as_bytes())?;
    Ok(path)
}

/// A region's figure by hour of week as a 7 x 24 heat map, in percent; the
/// colour scale tops at the largest value, or at `top` if that is higher.
fn hour_heatmap(res: &RunResults, region: &str, figure: HourFigure, top: f64, label: &str) -> Heatmap {
    let mut values = vec![[f64::NAN; 24]; 7];
    for h in res.hour_of_week.iter().filter(|h| h.region == region) {
        values[h.hour_of_week / 24][h.hour_of_week % 24] =
            100.0 * h.kpis.get(figure.name()).map_or(f64::NAN, |e| e.mean);
    }
    let max = values
        .iter()
        .flatten()
        .filter(|v| v.is_finite())
        .fold(top, |a: f64, b| a.max(*b));
    Heatmap {
        values,
        max,
        label: label.into(),
    }
}

/// A duration as the report shows it: `12.0 min` when fixed, else its
/// mean, median and 90th percentile in minutes.
fn duration(d: &sim::dist::Duration) -> String {
    let q = |u: f64| d.scale() * d.dist().quantile(u);
    if d.dist().sd() == 0.0 {
        format!("{:.1} min", d.mean_min())
    } else {
        format!(
            "mean {:.1} min (median {:.1}, 90th percentile {:.1})",
            d.mean_min(),
            q(0.5),
            q(0.9)
        )
    }
}

/// A weekly schedule in words: `24/7`, `08:00–24:00 every day`, or its
/// shifts one by one (`Mon 22:00–Tue 06:00`).
fn shifts(s: &sim::schedule::Schedule) -> String {
    const DAY: f64 = 1440.0;
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    if s.is_always() {
        return "24/7".into();
    }
    let clock = |m: i64| format!("{:02}:{:02}", m / 60, m % 60);
    let iv = s.intervals();
    let (start, len) = iv.first().map_or((0.0, 0.0), |&(a, b)| (a % DAY, b - a));
    let daily = iv.len() == 7
        && iv
            .iter()
            .enumerate()
            .all(|(d, &(a, b))| (a - (d as f64 * DAY + start)).abs() < 1e-6 && (b - a - len).abs() < 1e-6);
    if daily {
        return format!(
            "{}–{} every day",
            clock(start.round() as i64),
            clock((start + len).round() as i64)
        );
    }
    // An end on a day boundary is 24:00 of the day before.
    let at = |m: f64, end: bool| {
        let m = m.round() as i64;
        let (mut d, mut t) = (m / 1440, m % 1440);
        if end && t == 0 && d > 0 {
            d -= 1;
            t = 1440;
        }
        (DAYS[(d as usize) % 7], clock(t))
    };
    iv.iter()
        .map(|&(a, b)| {
            let ((da, ta), (db, tb)) = (at(a, false), at(b, true));
            if da == db {
                format!("{da} {ta}–{tb}")
            } else {
                format!("{da} {ta}–{db} {tb}")
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Minutes as whole seconds when they are, e.g. `120 s`.
fn seconds(min: f64) -> String {
    let s = 60.0 * min;
    if (s - s.round()).abs() < 1e-6 {
        format!("{} s", s.round())
    } else {
        format!("{s:.1} s")
    }
}

/// "The 9-8-8 contact centre": for each region a centre answers, its
/// figures with 95% CIs and its misses by cause; each centre's settings;
/// counsellor utilization by hour of week. Empty without a centre.
fn centre_section(dir: &Path, res: &RunResults, scenario: &sim::Scenario) -> Result<String, OutputError> {
    use sim::scenario::{AnswerOrder, RolloverTo};
    let centres = scenario.centres();
    if centres.is_empty() {
        return Ok(String::new());
    }
    // (region index, region, its centre's index)
    let answered: Vec<(usize, &str, usize)> = scenario
        .regions()
        .iter()
        .enumerate()
        .filter_map(|(i, r)| Some((i, r.name.as_str(), r.centre?)))
        .collect();
    let mut s = String::from("<h2 id=\"contact-centre\">The 9-8-8 contact centre</h2>\n");
    s.push_str(
        "<p>Every contact of a region with a contact centre waits for a counsellor, who assesses it (talk time) before \
         triage settles it by phone or sends a team; the maximum response time still counts from the first ring, so the \
         wait for a counsellor uses it up. Shares are of the contacts offered to the centre: <em>answered</em> counts the \
         national backup's answers too, <em>in state</em> only the centre's own counsellors (a contact rolled over to the \
         national backup cannot get a local team). Speed of answer is the wait for a counsellor of the answered contacts. \
         ± is the half-width of the 95% confidence interval.</p>\n",
    );
    s.push_str(
        "<table><tr><th>region</th><th>centre</th><th>answered</th><th>answered in state</th><th>abandoned</th>\
         <th>rolled over</th><th>speed of answer, mean s</th><th>speed of answer, p90 s</th><th>within 20 s</th>\
         <th>within 60 s</th><th>mobile calls' wait for a counsellor, mean min</th></tr>",
    );
    let mut rows: Vec<(Option<&str>, String)> = answered
        .iter()
        .map(|&(_, r, c)| (Some(r), esc(&centres[c].name)))
        .collect();
    if rows.len() > 1 {
        rows.push((None, "–".into()));
    }
    for (region, centre) in &rows {
        let k = |f: GroupFigure| res.figure(*region, None, None, f);
        let _ = write!(
            s,
            "<tr><td>{}</td><td>{centre}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td>\
             <td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(region.unwrap_or("Statewide")),
            percent(k(GroupFigure::AnswerShare), PCT),
            percent(k(GroupFigure::InStateAnswerShare), PCT),
            percent(k(GroupFigure::AbandonedShare), PCT),
            percent(k(GroupFigure::RolledOverShare), PCT),
            num(k(GroupFigure::AnswerWaitMeanS), 1),
            num(k(GroupFigure::AnswerWaitP90S), 1),
            percent(k(GroupFigure::AnsweredWithin20sShare), PCT),
            percent(k(GroupFigure::AnsweredWithin60sShare), PCT),
            num(k(GroupFigure::MobileCounsellorWaitMeanMin), 2),
        );
    }
    s.push_str("</table>\n");
    // The misses of mobile calls, split by where they happen.
    for (region, _) in &rows {
        let k = |f: GroupFigure| res.figure(*region, None, None, f);
        let parts = [
            k(GroupFigure::LostAtPhonesShare),
            k(GroupFigure::DivertedShare),
            k(GroupFigure::LateShare),
        ];
        let together: f64 = parts.iter().map(|e| e.map_or(f64::NAN, |e| e.mean)).sum();
        let _ = writeln!(
            s,
            "<p><strong>Misses by cause</strong>, {} (of its mobile calls): phones {} (hung up or rolled over before a \
             counsellor assessed them), teams {} (diverted to police for lack of capacity), travel {} (a team arrived \
             after the maximum); together {}.</p>",
            esc(region.unwrap_or("statewide")),
            percent(parts[0], PCT),
            percent(parts[1], PCT),
            percent(parts[2], PCT),
            percent(together, Style::share(1).undefined("–")),
        );
    }
    // The settings.
    let priority: Vec<String> = scenario
        .channels()
        .iter()
        .filter(|c| c.priority_line)
        .map(|c| esc(&c.name))
        .collect();
    for (ci, c) in centres.iter().enumerate() {
        let _ = write!(s, "<h3>{}</h3><ul>", esc(&c.name));
        let regions: Vec<String> = answered
            .iter()
            .filter(|&&(_, _, a)| a == ci)
            .map(|(_, r, _)| esc(r))
            .collect();
        let _ = write!(
            s,
            "<li>answers: {}</li>",
            if regions.is_empty() {
                "no region directly (a rollover target)".to_string()
            } else {
                regions.join(", ")
            }
        );
        let groups: Vec<String> = c
            .counsellors
            .iter()
            .map(|g| format!("{}: {} on {}", esc(&g.name), g.count, esc(&shifts(&g.schedule))))
            .collect();
        let hours: f64 = c
            .counsellors
            .iter()
            .map(|g| f64::from(g.count) * g.schedule.minutes_per_week() / 60.0)
            .sum();
        let _ = write!(
            s,
            "<li>counsellors: {} ({hours:.0} counsellor-hours a week)</li>",
            groups.join("; ")
        );
        let talk: Vec<String> = scenario
            .call_types()
            .iter()
            .zip(&c.talk)
            .map(|(t, d)| format!("{} {}", esc(&t.name), duration(d)))
            .collect();
        let _ = write!(s, "<li>talk (assessment) by call type: {}</li>", talk.join("; "));
        let patience = c.patience.as_ref().map_or(
            "callers wait until answered (no patience limit)".to_string(),
            |p| format!("patience: {}", duration(p)),
        );
        let callback = c.callback.as_ref().map_or(String::new(), |(share, d)| {
            format!(
                "; {} of those who hang up call back once, after {}",
                percent(*share, Style::share(0)),
                duration(d)
            )
        });
        let _ = write!(s, "<li>{patience}{callback}</li>");
        let _ = write!(
            s,
            "<li>answer order: {}{}</li>",
            match c.order {
                AnswerOrder::FirstCome => "first come, first answered",
                AnswerOrder::Priority => "by call-type priority, then first come",
            },
            if priority.is_empty() {
                String::new()
            } else {
                format!("; priority line (answered first): {}", priority.join(", "))
            }
        );
        let rollover = match c.rollover {
            None => "none: contacts wait at this centre".to_string(),
            Some(r) => format!(
                "after {} unanswered, to {}",
                seconds(r.after_min),
                match r.to {
                    RolloverTo::National =>
                        "the national backup (answered out of state: no local team can follow)".to_string(),
                    RolloverTo::Centre(to) => centres
                        .get(to)
                        .map_or("another centre".to_string(), |t| esc(&t.name)),
                }
            ),
        };
        let _ = writeln!(s, "<li>rollover: {rollover}</li></ul>");
    }
    // Counsellor utilization by hour of week.
    for &(ri, r, c) in &answered {
        let fig = render(
            dir,
            &format!("region_{ri}_{}_counsellors", slug(r)),
            (900, 330),
            &hour_heatmap(
                res,
                r,
                HourFigure::CounsellorUtilization,
                100.0,
                "% counsellors busy",
            ),
        )?;
        figure(
            &mut s,
            &fig,
            &format!(
                "{r}: utilization of the counsellors of {} by hour of week (busy over scheduled counsellor-time, mean over \
                 replications; grey: no counsellor on shift). The per-hour CIs are in by_hour_of_week.csv (counsellor_utilization).",
                centres[c].name
            ),
        );
    }
    Ok(s)
}

fn overview_table(res: &RunResults) -> String {
    let mut t = String::from(
        "<table><tr><th>region</th><th>teams</th><th>mobile calls / month</th><th>in time</th><th>diverted ± 95% CI</th>\
         <th>no team on shift</th><th>p90 response, min</th><th>utilization</th></tr>",
    );
    let names: Vec<Option<&str>> = res
        .regions
        .iter()
        .map(|r| Some(r.name.as_str()))
        .chain([None])
        .collect();
    for name in names {
        let k = |f: GroupFigure| res.figure(name, None, None, f);
        let teams = match name {
            Some(n) => res.regions.iter().find(|r| r.name == n).map_or(0, |r| r.teams),
            None => res.regions.iter().map(|r| r.teams).sum(),
        };
        let util = name.map_or("–".to_string(), |n| {
            percent(res.region_figure(n, RegionFigure::Utilization), PCT)
        });
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{teams}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{util}</td></tr>",
            esc(name.unwrap_or("Statewide")),
            num(k(GroupFigure::MobilePerMonth), 0),
            percent(k(GroupFigure::InTimeShare), PCT),
            percent(k(GroupFigure::DivertedShare), PCT),
            percent(k(GroupFigure::NoTeamOnShiftShare), PCT),
            num(k(GroupFigure::ResponseP90Min), 1),
        );
    }
    t.push_str("</table>\n");
    t
}

/// A region's team groups (issue 15): a table of each group's load and
/// travel, then its utilization chart (returned for the caller's caption;
/// `None` without groups).
fn team_section(
    dir: &Path,
    res: &RunResults,
    region: &str,
    slug: &str,
    body: &mut String,
) -> Result<Option<Figure>, OutputError> {
    let groups: Vec<&sim::results::TeamResult> = res.teams.iter().filter(|t| t.region == region).collect();
    if groups.is_empty() {
        return Ok(None);
    }
    let _ = write!(
        body,
        "<h3>{} by team group</h3><table><tr><th>group</th><th>base</th><th>teams</th><th>utilization</th>\
         <th>dispatches / month</th><th>share of the region's dispatches</th><th>mean travel, min</th>\
         <th>p90 travel, min</th><th>overtime h / month</th><th>follow-up visits / month</th></tr>",
        esc(region)
    );
    for t in &groups {
        let k = |f: TeamFigure| t.kpis.get(f.name()).copied();
        let _ = write!(
            body,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&t.group),
            esc(&t.base),
            t.teams,
            percent(k(TeamFigure::Utilization), PCT),
            num(k(TeamFigure::DispatchesPerMonth), 1),
            percent(k(TeamFigure::DispatchShare), PCT),
            num(k(TeamFigure::TravelMeanMin), 1),
            num(k(TeamFigure::TravelP90Min), 1),
            num(k(TeamFigure::OvertimeHoursPerMonth), 1),
            num(k(TeamFigure::FollowUpsPerMonth), 1),
        );
    }
    body.push_str("</table>\n");
    let bars = Bars {
        y_label: "% of scheduled team-time busy".into(),
        bars: groups
            .iter()
            .map(|t| {
                let e = t.kpis.get(TeamFigure::Utilization.name()).copied();
                let (m, lo, hi) = e.map_or((f64::NAN, f64::NAN, f64::NAN), |e| (e.mean, e.low(), e.high()));
                (t.group.clone(), 100.0 * m, 100.0 * lo, 100.0 * hi)
            })
            .collect(),
        reference: None,
    };
    let width = (160 + 60 * groups.len() as u32).clamp(520, 1400);
    render(dir, &format!("{slug}_teams"), (width, 380), &bars).map(Some)
}

/// The 754/50(3) monthly table of one region: counts per month and zone.
fn month_table(res: &RunResults, region: &str) -> String {
    let mut t = format!(
        "<details><summary>Monthly counts by district (754/50(3)): {}</summary><table><tr><th>month</th><th>zone</th>\
         <th>contacts</th><th>mobile</th><th>in time</th><th>late</th><th>diverted</th><th>police (triage)</th><th>petitions</th></tr>",
        esc(region)
    );
    for row in res.month_zone.iter().filter(|m| m.region == region) {
        let c = |n: &str| {
            row.counts
                .get(n)
                .map_or("–".to_string(), |e| format!("{:.1}", e.mean))
        };
        let _ = write!(
            t,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&row.month),
            esc(&row.zone),
            c("contacts"),
            c("mobile_eligible"),
            c("mobile_in_time"),
            c("mobile_late"),
            c("diverted_capacity"),
            c("police_triage"),
            c("petitions")
        );
    }
    t.push_str(
        "</table><p class=\"note\">Means per replication; the CIs are in by_month_zone.csv.</p></details>\n",
    );
    t
}

/// Writes a quantile-quantile plot of a fitted distribution as
/// `charts/NAME.svg` under `dir`, and as `charts/NAME.png` with the `png`
/// feature. Returns the PNG's path, or the SVG's without the feature.
pub fn write_qq(dir: &Path, name: &str, title: &str, points: &[(f64, f64)]) -> Result<PathBuf, OutputError> {
    let fig = render(
        dir,
        name,
        (560, 520),
        &Qq {
            title: title.to_string(),
            points: points.to_vec(),
        },
    )?;
    // Without the feature, `render` has written the SVG already.
    #[cfg(feature = "png")]
    write_atomic(
        &dir.join("charts").join(format!("{name}.svg")),
        fig.svg.as_bytes(),
    )?;
    Ok(fig.file)
}

/// One row of a sweep's CSV, as the report needs it.
#[derive(Debug, Clone)]
pub struct SweepRow {
    /// Axis values.
    pub axes: Vec<String>,
    /// Region (`Statewide` for the statewide row).
    pub region: String,
    /// Diverted share, mean, low, high.
    pub diverted: (f64, f64, f64),
    /// Scheduled team-hours per week.
    pub team_hours: f64,
}

/// Writes `report.html` and charts for a sweep: the diverted share against
/// the first axis (one line per value of the second, with its 95% CI band),
/// for the statewide row and each region, and the trade-off between
/// team-hours per week and the diverted share.
pub fn write_sweep_report(
    dir: &Path,
    axes: &[String],
    rows: &[SweepRow],
    version: &str,
) -> Result<PathBuf, OutputError> {
    let mut body = String::new();
    let title = "Sweep: diverted share against the swept settings";
    let _ = write!(
        body,
        "<h1>{}</h1><p>cessa-sim {}; axes: {}. Every point uses the same calls (common random numbers); bands and whiskers are 95% confidence intervals.</p>",
        esc(title),
        esc(version),
        esc(&axes.join(", "))
    );
    let mut regions: Vec<String> = Vec::new();
    for r in rows {
        if !regions.contains(&r.region) {
            regions.push(r.region.clone());
        }
    }
    for (i, region) in regions.iter().enumerate() {
        let rr: Vec<&SweepRow> = rows.iter().filter(|r| &r.region == region).collect();
        let x_of = |r: &SweepRow| r.axes.first().and_then(|v| v.parse::<f64>().ok());
        let mut series: Vec<(String, Vec<charts::Band>)> = Vec::new();
        for r in &rr {
            let Some(x) = x_of(r) else { continue };
            let name = match axes.get(1) {
                Some(a) => format!("{a} = {}", r.axes.get(1).cloned().unwrap_or_default()),
                None => region.clone(),
            };
            let p = (
                x,
                100.0 * r.diverted.0,
                100.0 * r.diverted.1,
                100.0 * r.diverted.2,
            );
            match series.iter_mut().find(|s| s.0 == name) {
                Some(s) => s.1.push(p),
                None => series.push((name, vec![p])),
            }
        }
        let _ = writeln!(body, "<h2>{}</h2>", esc(region));
        let slug = format!("{i}_{}", slug(region));
        if !series.is_empty() {
            let lines = Lines {
                x_label: axes.first().cloned().unwrap_or_default(),
                y_label: "% of mobile calls diverted".into(),
                series,
                scatter: false,
            };
            let fig = render(dir, &format!("sweep_{slug}"), (820, 420), &lines)?;
            figure(
                &mut body,
                &fig,
                &format!(
                    "{region}: diverted share against {} (95% CI bands).",
                    axes.first().cloned().unwrap_or_default()
                ),
            );
        }
        let pts: Vec<(f64, f64, f64, f64)> = rr
            .iter()
            .map(|r| {
                (
                    r.team_hours,
                    100.0 * r.diverted.0,
                    100.0 * r.diverted.1,
                    100.0 * r.diverted.2,
                )
            })
            .collect();
        let lines = Lines {
            x_label: "scheduled team-hours per week".into(),
            y_label: "% of mobile calls diverted".into(),
            series: vec![("sweep points (95% CI)".into(), pts)],
            scatter: true,
        };
        let fig = render(dir, &format!("tradeoff_{slug}"), (820, 420), &lines)?;
        figure(
            &mut body,
            &fig,
            &format!(
                "{region}: the trade-off between team-hours per week and the diverted share, one point per sweep point."
            ),
        );
    }
    let path = dir.join("report.html");
    write_atomic(&path, page(title, &body).as_bytes())?;
    Ok(path)
}

/// The files of a sizing folder the report shows (empty: missing).
#[derive(Debug, Clone, Default)]
pub struct SizingFiles {
    /// `size.csv`: the team groups.
    pub size: String,
    /// `checks.csv`: the regions' miss share, search and verification.
    pub checks: String,
    /// `tradeoff.csv`: team-hours against the miss share by step.
    pub tradeoff: String,
    /// `counsellors.csv`: the counsellor groups.
    pub counsellors: String,
    /// `answer_checks.csv`: the answer figures, search and verification.
    pub answer_checks: String,
    /// `answer_tradeoff.csv`: counsellor-hours against the in-state answer
    /// share by step.
    pub answer_tradeoff: String,
}

/// Points `(x, y, y_low, y_high)` by series name, from a trade-off CSV:
/// the name in column `name`, x in `x`, the share and its CI from `y`.
fn tradeoff_points(csv_text: &str, name: &[usize], x: usize, y: usize) -> Vec<(String, Vec<charts::Band>)> {
    let mut by: Vec<(String, Vec<charts::Band>)> = Vec::new();
    for rec in csv::Reader::from_reader(csv_text.as_bytes()).records().flatten() {
        let num = |i: usize| rec.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(f64::NAN);
        let key = name
            .iter()
            .map(|&i| rec.get(i).unwrap_or_default())
            .collect::<Vec<_>>()
            .join(", ");
        let point = (num(x), 100.0 * num(y), 100.0 * num(y + 1), 100.0 * num(y + 2));
        match by.iter_mut().find(|(k, _)| *k == key) {
            Some((_, pts)) => pts.push(point),
            None => by.push((key, vec![point])),
        }
    }
    for (_, pts) in &mut by {
        pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    }
    by
}

/// Writes `report.html` for a sizing: the recommended teams and
/// counsellors against the current ones, the search and verification
/// figures, the cost-versus-miss trade-off of each sized region (from
/// `tradeoff.csv`) and the cost-versus-answer trade-off of each region a
/// sized centre answers, then the verification run's report sections.
pub fn write_sizing_report(
    dir: &Path,
    files: &SizingFiles,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<PathBuf, OutputError> {
    let table = |csv_text: &str| {
        let mut t = String::from("<table>");
        let mut r = csv::Reader::from_reader(csv_text.as_bytes());
        if let Ok(h) = r.headers() {
            t.push_str("<tr>");
            for c in h.iter() {
                let _ = write!(t, "<th>{}</th>", esc(c));
            }
            t.push_str("</tr>");
        }
        for record in r.records().flatten() {
            t.push_str("<tr>");
            for c in record.iter() {
                let _ = write!(t, "<td>{}</td>", esc(c));
            }
            t.push_str("</tr>");
        }
        t.push_str("</table>");
        t
    };
    let rows = |csv_text: &str| csv::Reader::from_reader(csv_text.as_bytes()).records().count();
    // Teams are sized when the folder has team groups or region checks
    // (a counsellors-only sizing writes both files with headers only).
    let teams = rows(&files.size) > 0 || rows(&files.checks) > 0;
    let counsellors = rows(&files.counsellors) > 0;
    let mut sec = String::new();
    if teams || !counsellors {
        sec.push_str("<h2>Recommended teams</h2>");
        sec.push_str(&table(&files.size));
    }
    if counsellors {
        sec.push_str(
            "<h2>Recommended counsellors</h2><p>Counsellors on shift in each group of each sized contact centre, \
             now and recommended.</p>",
        );
        sec.push_str(&table(&files.counsellors));
    }
    sec.push_str(
        "<h2>Checked on fresh replications</h2><p>The search compares options on one set of replications; \
         the recommendation is then run on another seed, which the search never saw, and is accepted only if \
         the 95% bound meets the target there.</p>",
    );
    if teams || !counsellors {
        sec.push_str(
            "<p>A miss is a mobile call diverted or reached late; its upper 95% bound must be within the target.</p>",
        );
        sec.push_str(&table(&files.checks));
    }
    if counsellors {
        sec.push_str(
            "<p>Answer figures of each region a sized centre answers: the in-state answer share (of contacts \
             offered to the centre, answered by an in-state counsellor) and, if asked, the share of answered \
             contacts answered within 20 seconds; the lower 95% bound must reach the minimum.</p>",
        );
        sec.push_str(&table(&files.answer_checks));
    }
    // The trade-offs: cost per week against the miss or answer share.
    let curves = [
        (
            tradeoff_points(&files.tradeoff, &[1], 3, 4),
            "team-hours per week in the region",
            "% of mobile calls missed (95% CI)",
            "sizing_tradeoff",
            "team-hours per week against the miss share",
        ),
        (
            tradeoff_points(&files.answer_tradeoff, &[1, 2], 4, 5),
            "counsellor-hours per week in the centre",
            "% of offered contacts answered in state (95% CI)",
            "sizing_answer_tradeoff",
            "counsellor-hours per week against the in-state answer share",
        ),
    ];
    if curves.iter().any(|c| !c.0.is_empty()) {
        sec.push_str("<h2>The trade-off</h2>");
    }
    for (points, x_label, y_label, file, what) in curves {
        for (i, (name, pts)) in points.into_iter().enumerate() {
            let lines = Lines {
                x_label: x_label.into(),
                y_label: y_label.into(),
                series: vec![(format!("{name}: each step of the search"), pts)],
                scatter: true,
            };
            let fig = render(dir, &format!("{file}_{i}"), (820, 420), &lines)?;
            figure(
                &mut sec,
                &fig,
                &format!(
                    "{name}: {what}, one point per step of the search (search replications). A committee can pick its own point."
                ),
            );
        }
    }
    sec.push_str(
        "<p>The rest of this report describes the sized scenario, on the verification replications.</p>\n",
    );
    run_report_after(dir, &sec, res, scenario_toml, version)
}

/// Writes the run report of `res` with `section` before its scenario
/// settings: the pages of a sizing and a sensitivity run.
fn run_report_after(
    dir: &Path,
    section: &str,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<PathBuf, OutputError> {
    let path = write_run_report(dir, res, scenario_toml, version)?;
    let html = std::fs::read_to_string(&path).map_err(|source| OutputError::Io {
        path: path.clone(),
        source,
    })?;
    let html = html.replacen("<h2>Scenario</h2>", &format!("{section}<h2>Scenario</h2>"), 1);
    write_atomic(&path, html.as_bytes())?;
    Ok(path)
}

/// Writes `report.html` for a comparison: the table of every option
/// against the base (paired 95% CIs) and a chart of the statewide and
/// per-region miss share by option, then the report of the last option
/// (`res`, `scenario_toml`).
pub fn write_compare_report(
    dir: &Path,
    c: &sim::compare::Comparison,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<PathBuf, OutputError> {
    use sim::compare::Measure;
    let mut sec = String::from("<h2>Options compared</h2>");
    let _ = write!(
        sec,
        "<p>Every option ran on the same {} replications (seed {}), so each sees the same calls; a change is the option minus \
         <strong>{}</strong>, estimated from per-replication differences (paired 95% CI), far narrower than comparing two \
         separate runs. A miss is a mobile call diverted or reached late. <strong>Yes</strong>: the interval excludes zero.</p>",
        c.replications,
        c.seed,
        esc(&c.options[0])
    );
    let regions = c.regions();
    sec.push_str("<table><tr><th>region</th><th>option</th><th>miss</th><th>change (paired 95% CI)</th><th>distinguishable</th><th>diverted</th><th>p90 response, min</th><th>team-hours a week</th></tr>");
    for region in &regions {
        for o in &c.options {
            let get = |m: Measure| c.row(o, *region, m);
            let miss = get(Measure::MissShare);
            let change = percent(miss.and_then(|r| r.change), Style::CHANGE_IN_POINTS);
            let dist = miss
                .and_then(|r| r.distinguishable())
                .map_or("–", |d| if d { "yes" } else { "no" });
            let _ = write!(
                sec,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(region.unwrap_or("Statewide")),
                esc(o),
                percent(miss.map(|r| r.value), PCT),
                change,
                dist,
                percent(get(Measure::DivertedShare).map(|r| r.value), PCT),
                num(get(Measure::ResponseP90Min).map(|r| r.value), 1),
                num(get(Measure::TeamHoursPerWeek).map(|r| r.value), 0),
            );
        }
    }
    sec.push_str("</table>");
    // The miss share of each option, statewide and by region, with CIs.
    let bars = Bars {
        y_label: "% of mobile calls missed (95% CI)".into(),
        bars: regions
            .iter()
            .flat_map(|region| {
                c.options.iter().filter_map(move |o| {
                    let e = c.row(o, *region, Measure::MissShare)?.value;
                    Some((
                        format!("{} · {o}", region.unwrap_or("Statewide")),
                        100.0 * e.mean,
                        100.0 * e.low(),
                        100.0 * e.high(),
                    ))
                })
            })
            .collect(),
        reference: None,
    };
    let width = (200 + 40 * bars.bars.len() as u32).min(2400);
    let fig = render(dir, "compare_miss", (width, 460), &bars)?;
    figure(
        &mut sec,
        &fig,
        "The miss share of every option, statewide and by region, with its 95% interval over replications (the changes' paired intervals, in the table, are narrower).",
    );
    let last = c.options.last().cloned().unwrap_or_default();
    let _ = writeln!(
        sec,
        "<p>The rest of this report describes the option <strong>{}</strong>.</p>",
        esc(&last)
    );
    run_report_after(dir, &sec, res, scenario_toml, version)
}

/// Writes `report.html` for a sensitivity run: the verdicts, a tornado
/// chart statewide and per region, then the base run's report sections.
pub fn write_sensitivity_report(
    dir: &Path,
    s: &sim::sensitivity::Sensitivity,
    res: &RunResults,
    scenario_toml: &str,
    version: &str,
) -> Result<PathBuf, OutputError> {
    use sim::sensitivity::Which;
    let mut sec = String::from("<h2>How sure is that? Assumptions and their ranges</h2>\n");
    let _ = write!(
        sec,
        "<p>Two kinds of uncertainty, kept apart. <em>Monte Carlo</em>: the 95% interval of each run over {} replications \
         (more replications shrink it). <em>Assumptions</em>: the scenario run again with one assumption at its low, then at its high value, \
         the others as given, on the same replications (common random numbers); only better knowledge shrinks that range.</p>\n<ul>",
        s.replications
    );
    let _ = write!(sec, "<li><strong>{}</strong></li>", esc(&s.verdict(None)));
    for r in s.regions() {
        let _ = write!(sec, "<li>{}</li>", esc(&s.verdict(Some(r))));
    }
    sec.push_str("</ul>\n");
    let tornado = |region: Option<&str>| {
        let base = s.row("", Which::Base, region).map(|r| r.diverted_share);
        Tornado {
            bars: s
                .effects(region)
                .into_iter()
                .map(|e| (e.name, 100.0 * e.low, 100.0 * e.high))
                .collect(),
            base: base.map_or((f64::NAN, f64::NAN, f64::NAN), |b| {
                (100.0 * b.mean, 100.0 * b.low(), 100.0 * b.high())
            }),
            x_label: "% of mobile calls diverted".into(),
        }
    };
    let height = |n: usize| (120 + 48 * n as u32).max(260);
    let fig = render(
        dir,
        "sensitivity_statewide",
        (900, height(s.assumptions.len())),
        &tornado(None),
    )?;
    figure(
        &mut sec,
        &fig,
        "Statewide: the diverted share with each assumption at its low (dark) and high (light) value, largest swing on top. The black line is the scenario as given; the grey band its Monte Carlo 95% interval.",
    );
    for (i, r) in s.regions().into_iter().enumerate() {
        let fig = render(
            dir,
            &format!("sensitivity_region_{i}"),
            (900, height(s.assumptions.len())),
            &tornado(Some(r)),
        )?;
        let _ = write!(sec, "<details><summary>{}</summary>", esc(r));
        figure(
            &mut sec,
            &fig,
            &format!("{r}: the diverted share with each assumption at its low and high value."),
        );
        sec.push_str("</details>");
    }
    sec.push_str("<table><tr><th>assumption</th><th>side</th><th>setting</th><th>statewide diverted</th><th>change from as given (paired 95% CI)</th></tr>");
    for row in s.rows.iter().filter(|r| r.region.is_none()) {
        let change = percent(row.change, Style::CHANGE_IN_POINTS);
        let _ = write!(
            sec,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(if row.assumption.is_empty() {
                "as given"
            } else {
                &row.assumption
            }),
            row.which.as_str(),
            esc(&row.setting),
            percent(row.diverted_share, PCT),
            change
        );
    }
    sec.push_str("</table><p>The rest of this report describes the scenario as given.</p>\n");
    run_report_after(dir, &sec, res, scenario_toml, version)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn illinois(days: i64) -> (RunResults, String) {
        let text = sim::scenario::patch::set_values(
            sim::scenario::ILLINOIS_TOML,
            &[
                ("run.horizon_days".into(), toml::Value::Integer(days)),
                ("run.warmup_days".into(), toml::Value::Integer(0)),
            ],
        )
        .unwrap();
        let sc = sim::Scenario::from_toml(&text, "t").unwrap();
        (sim::montecarlo::run(&sim::Model::new(sc), 2, &|| {}), text)
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            esc("<script>a&b</script>\"'"),
            "&lt;script&gt;a&amp;b&lt;/script&gt;&quot;&#39;"
        );
    }

    /// Each county and each Chicago district gets its own zone's share,
    /// computed from the monthly zone counts; Cook County the
    /// population-weighted share of its suburban parts; the regions are
    /// outlined and named.
    #[test]
    fn maps_colour_each_zone_by_its_own_share() {
        let (res, text) = illinois(30);
        let sc = sim::Scenario::from_toml(&text, "t").unwrap();
        let shares = geo::zone_shares(&res);
        assert_eq!(shares.len(), sc.zones().len());
        let (state, city) = geo::illinois_maps(&res, &sc).expect("the default's zones are Illinois counties");
        assert_eq!(state.areas.len(), 102);
        assert_eq!(state.labels.len(), 11, "one name per region");
        assert!(state.outlines.len() > 100, "region borders");
        // Two counties of one region with different shares: the map does
        // not paint the region's figure over them.
        let diverted = |z: &str| -> (f64, f64) {
            res.month_zone
                .iter()
                .filter(|r| r.zone == z)
                .fold((0.0, 0.0), |(d, m), r| {
                    (
                        d + r.counts["diverted_capacity"].mean,
                        m + r.counts["mobile_eligible"].mean,
                    )
                })
        };
        let (d, m) = diverted("Adams");
        assert!((shares["Adams"] - 100.0 * d / m).abs() < 1e-9);
        assert_ne!(shares["Adams"], shares["Pike"], "zones of Region 3 differ");
        let city = city.expect("the default has Chicago's 22 police districts");
        assert_eq!(city.areas.len(), 22);
        assert_eq!(city.labels.len(), 22);
    }

    /// The report has one chart file per inline chart, each named in its
    /// caption (a PNG with the `png` feature, else an SVG that is the
    /// inline chart byte for byte), and no script.
    #[test]
    fn report_files_match_the_page() {
        let (res, text) = illinois(7);
        let dir = std::env::temp_dir().join(format!("cessa-report-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let page = write_run_report(&dir, &res, &text, "test").unwrap();
        let html = std::fs::read_to_string(page).unwrap();
        let svgs = html.matches("<svg").count();
        let (kind, ext) = if cfg!(feature = "png") {
            ("PNG", "png")
        } else {
            ("SVG", "svg")
        };
        let mut files: Vec<_> = std::fs::read_dir(dir.join("charts"))
            .unwrap()
            .map(|f| f.unwrap().path())
            .collect();
        files.sort();
        assert_eq!(svgs, files.len());
        assert_eq!(
            svgs,
            3 + 11 * 6,
            "overview bars, state and Chicago maps, 4 charts per region, its counsellors' utilization (every region of the default has a 9-8-8 centre) and its team groups' utilization"
        );
        for f in &files {
            let name = f.file_name().unwrap().to_str().unwrap();
            assert_eq!(f.extension().unwrap(), ext, "{name}");
            assert!(
                html.contains(&format!("({kind}: charts/{name})")),
                "{name} in a caption"
            );
            if !cfg!(feature = "png") {
                let svg = std::fs::read_to_string(f).unwrap();
                assert!(
                    html.contains(&format!("<figure>{svg}<figcaption>")),
                    "{name} inline"
                );
            }
        }
        assert!(!html.contains("<script"));
        assert!(html.contains("Monthly counts by district"));
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// A short run of a scenario text: two replications of 14 days.
    fn short_run(text: &str) -> (RunResults, String) {
        let int = toml::Value::Integer;
        let text = sim::scenario::patch::set_values(
            text,
            &[
                ("run.horizon_days".into(), int(14)),
                ("run.warmup_days".into(), int(0)),
                ("run.replications".into(), int(2)),
            ],
        )
        .unwrap();
        let sc = sim::Scenario::from_toml(&text, "t").unwrap();
        (sim::montecarlo::run(&sim::Model::new(sc), 2, &|| {}), text)
    }

    /// The page of a short run in a fresh folder named after `name`, and
    /// whether every chart on it has its file.
    fn page_of(name: &str, res: &RunResults, text: &str) -> String {
        let dir = std::env::temp_dir().join(format!("cessa-report-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let html = std::fs::read_to_string(write_run_report(&dir, res, text, "test").unwrap()).unwrap();
        let files = std::fs::read_dir(dir.join("charts")).unwrap().count();
        assert_eq!(html.matches("<svg").count(), files, "one file per chart");
        assert!(!html.contains("<script"));
        let _ = std::fs::remove_dir_all(&dir);
        html
    }

    const CENTRE_TOML: &str = include_str!("../../../scenarios/examples/contact_centre.toml");

    /// With a contact centre the page has its section: the region's
    /// figures with their CIs as the figures give them, the misses by
    /// cause, the centre's settings in words and the counsellors' chart.
    #[test]
    fn contact_centre_section_with_its_numbers() {
        let (res, text) = short_run(CENTRE_TOML);
        let html = page_of("centre", &res, &text);
        let head = "<h2 id=\"contact-centre\">The 9-8-8 contact centre</h2>";
        let at = html.find(head).expect("the contact-centre section");
        let end = html.find("<h2 id=\"region-0\">").expect("the region's section");
        assert!(at < end, "before the regions' sections");
        let sec = &html[at..end];
        let k = |f: GroupFigure| res.figure(Some("Town"), None, None, f);
        for f in [
            GroupFigure::AnswerShare,
            GroupFigure::InStateAnswerShare,
            GroupFigure::AbandonedShare,
            GroupFigure::RolledOverShare,
            GroupFigure::AnsweredWithin20sShare,
            GroupFigure::AnsweredWithin60sShare,
            GroupFigure::LostAtPhonesShare,
        ] {
            let e = k(f).unwrap();
            assert!(e.mean.is_finite() && e.half_width.is_finite(), "{}", f.name());
        }
        let row = format!(
            "<tr><td>Town</td><td>Town988</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            percent(k(GroupFigure::AnswerShare), PCT),
            percent(k(GroupFigure::InStateAnswerShare), PCT),
            percent(k(GroupFigure::AbandonedShare), PCT),
            percent(k(GroupFigure::RolledOverShare), PCT),
            num(k(GroupFigure::AnswerWaitMeanS), 1),
            num(k(GroupFigure::AnswerWaitP90S), 1),
            percent(k(GroupFigure::AnsweredWithin20sShare), PCT),
            percent(k(GroupFigure::AnsweredWithin60sShare), PCT),
            num(k(GroupFigure::MobileCounsellorWaitMeanMin), 2),
        );
        assert!(sec.contains(&row), "{row}\nnot in\n{sec}");
        assert!(row.contains(" ± "), "95% CIs: {row}");
        assert!(
            !sec.contains("<td>Statewide</td>"),
            "one region: no statewide row"
        );
        let misses = format!(
            "<strong>Misses by cause</strong>, Town (of its mobile calls): phones {} (",
            percent(k(GroupFigure::LostAtPhonesShare), PCT)
        );
        assert!(sec.contains(&misses), "{misses}");
        assert!(sec.contains(&format!(
            "teams {} (",
            percent(k(GroupFigure::DivertedShare), PCT)
        )));
        assert!(sec.contains(&format!("travel {} (", percent(k(GroupFigure::LateShare), PCT))));
        for setting in [
            "<h3>Town988</h3>",
            "<li>answers: Town</li>",
            "day: 3 on 08:00–24:00 every day; night: 1 on 24/7 (504 counsellor-hours a week)",
            "urgent mean ",
            "routine mean ",
            "patience: mean 3.0 min",
            "40% of those who hang up call back once, after mean 10.0 min",
            "answer order: by call-type priority, then first come; priority line (answered first): 911_transfer",
            "rollover: after 120 s unanswered, to the national backup",
        ] {
            assert!(sec.contains(setting), "{setting:?} not in\n{sec}");
        }
        assert!(
            sec.contains("(PNG: charts/region_0_town_counsellors.png)")
                || sec.contains("(SVG: charts/region_0_town_counsellors.svg)")
        );
        assert_eq!(sec.matches("<svg").count(), 1, "one counsellor chart");
    }

    /// Without a contact centre there is no such section.
    #[test]
    fn no_contact_centre_section_without_a_centre() {
        let (res, text) = short_run(include_str!("../../../scenarios/examples/one_region.toml"));
        let html = page_of("nocentre", &res, &text);
        assert!(html.contains("<h2 id=\"region-0\">Town</h2>"));
        for absent in [
            "contact-centre",
            "contact centre",
            "Misses by cause",
            "counsellor",
        ] {
            assert!(!html.contains(absent), "{absent:?} in a report without a centre");
        }
    }

    /// Names of centres, regions, counsellor groups, call types and
    /// channels show as text in the section, never as markup.
    #[test]
    fn contact_centre_names_are_escaped() {
        let text = CENTRE_TOML
            .replace("[centres.Town988]", "[centres.\"<i>C&D</i>\"]")
            .replace("regions = [\"Town\"]", "regions = [\"<b>Town</b>\"]")
            .replace("[regions.Town]", "[regions.\"<b>Town</b>\"]")
            .replace("counsellors.day", "counsellors.\"<u>day</u>\"")
            .replace("[channels.\"911_transfer\"]", "[channels.\"<em>911</em>\"]");
        let (res, text) = short_run(&text);
        let html = page_of("centre-esc", &res, &text);
        let sec = &html[html.find("id=\"contact-centre\"").unwrap()..html.find("id=\"region-0\"").unwrap()];
        for (raw, shown) in [
            ("<i>C&D</i>", "&lt;i&gt;C&amp;D&lt;/i&gt;"),
            ("<b>Town</b>", "&lt;b&gt;Town&lt;/b&gt;"),
            ("<u>day</u>", "&lt;u&gt;day&lt;/u&gt;"),
            ("<em>911</em>", "&lt;em&gt;911&lt;/em&gt;"),
        ] {
            assert!(!sec.contains(raw), "{raw} as markup");
            assert!(sec.contains(shown), "{shown} not in the section");
        }
    }
}

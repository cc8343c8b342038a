//! The per-region table that `cessa-sim run` prints.

use sim::results::{GroupFigure, RegionFigure};
use sim::stats::Estimate;
use sim::{RunResults, Scenario};

use crate::percent::{Style, percent};

/// Shares in the table: bare numbers, the headers say `%`.
const PCT: Style = Style::bare(1);
/// The diverted share, with the half-width of its CI.
const PCT_CI: Style = Style::bare(1).half_width(2);

fn num(e: Option<Estimate>, digits: usize) -> String {
    match e {
        Some(e) if e.mean.is_finite() => format!("{:.*}", digits, e.mean),
        _ => "-".into(),
    }
}

/// The maximum response times of the call types in a region, e.g.
/// `60/90/120`, with the zones that have their own, e.g. `60 (Downtown 30)`.
fn maxima(res: &RunResults, region: Option<&str>) -> String {
    let mut out: Vec<String> = Vec::new();
    for g in res
        .groups
        .iter()
        .filter(|g| g.region.as_deref() == region && g.call_type.is_some() && g.channel.is_none())
    {
        let mut s = g.max_response_min.map_or("none".to_string(), |m| format!("{m}"));
        // A few zones by name; more as a count (the column stays narrow;
        // the CSV and summary.json name them all).
        match g.zone_max_response_min.len() {
            0 => {}
            1..=3 => s = format!("{s} ({})", g.zone_maxima_text(" ", ", ").unwrap_or_default()),
            n => s = format!("{s} ({n} zones their own)"),
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if region.is_none() {
        return "-".into();
    }
    out.join("/")
}

/// A fixed-width table: one row per region and a statewide line; when the
/// scenario has a 9-8-8 contact centre, a column for the phones' share of
/// the misses and a short block per region answered by a centre.
///
/// Columns: contacts per month; % resolved by phone (of contacts); mobile
/// calls per month; % of mobile calls reached in time; % reached late;
/// with a centre, % lost at the phones (hung up or rolled over before a
/// counsellor assessed them); % diverted to police for lack of capacity
/// with its 95% CI (of mobile calls); % of mobile calls diverted because no
/// team was on shift; median and 90th percentile response (minutes, mean
/// over replications); the maximum(s); team utilization; overtime hours
/// per month. Without a centre the table is what it always was.
pub fn region_table(res: &RunResults, scenario: &Scenario) -> String {
    let centres = !scenario.centres().is_empty();
    let mut header = vec![
        "region",
        "teams",
        "calls/mo",
        "phone%",
        "mobile/mo",
        "in time%",
        "late%",
        "diverted% ±95%CI",
        "no team%",
        "p50 min",
        "p90 min",
        "max min",
        "util%",
        "overtime h/mo",
    ];
    if centres {
        header.insert(7, "phones%");
    }
    let mut rows: Vec<Vec<String>> = Vec::new();
    let names: Vec<Option<&str>> = res
        .regions
        .iter()
        .map(|r| Some(r.name.as_str()))
        .chain(std::iter::once(None))
        .collect();
    for name in names {
        let k = |f: GroupFigure| res.figure(name, None, None, f);
        let (teams, util, overtime) = match name {
            Some(n) => {
                let r = res.regions.iter().find(|r| r.name == n).expect("region listed");
                (
                    r.teams.to_string(),
                    percent(res.region_figure(n, RegionFigure::Utilization), PCT),
                    num(res.region_figure(n, RegionFigure::OvertimeHoursPerMonth), 1),
                )
            }
            None => {
                let teams: u32 = res.regions.iter().map(|r| r.teams).sum();
                (teams.to_string(), "-".into(), "-".into())
            }
        };
        let mut row = vec![
            name.unwrap_or("Statewide").to_string(),
            teams,
            num(k(GroupFigure::ContactsPerMonth), 0),
            percent(k(GroupFigure::PhoneShareOfContacts), PCT),
            num(k(GroupFigure::MobilePerMonth), 0),
            percent(k(GroupFigure::InTimeShare), PCT),
            percent(k(GroupFigure::LateShare), PCT),
            percent(k(GroupFigure::DivertedShare), PCT_CI),
            percent(k(GroupFigure::NoTeamOnShiftShare), PCT),
            num(k(GroupFigure::ResponseP50Min), 1),
            num(k(GroupFigure::ResponseP90Min), 1),
            maxima(res, name),
            util,
            overtime,
        ];
        if centres {
            row.insert(7, percent(k(GroupFigure::LostAtPhonesShare), PCT));
        }
        rows.push(row);
    }
    let mut out = fixed_width(&header, &rows, true);
    if centres {
        out.push_str(&centre_block(res, scenario));
    }
    out
}

/// The contact-centre block under the run table: one row per region
/// answered by a centre.
fn centre_block(res: &RunResults, scenario: &Scenario) -> String {
    let header = [
        "region",
        "centre",
        "answered in state%",
        "abandoned%",
        "rolled over%",
        "answer mean s",
        "within 20 s%",
    ];
    let rows: Vec<Vec<String>> = scenario
        .regions()
        .iter()
        .filter_map(|r| Some((r.name.as_str(), &scenario.centres()[r.centre?].name)))
        .map(|(region, centre)| {
            let k = |f: GroupFigure| res.figure(Some(region), None, None, f);
            vec![
                region.to_string(),
                centre.clone(),
                percent(k(GroupFigure::InStateAnswerShare), PCT),
                percent(k(GroupFigure::AbandonedShare), PCT),
                percent(k(GroupFigure::RolledOverShare), PCT),
                num(k(GroupFigure::AnswerWaitMeanS), 1),
                percent(k(GroupFigure::AnsweredWithin20sShare), PCT),
            ]
        })
        .collect();
    let mut out = String::from(
        "\nphones%: mobile calls that hung up or rolled over before a counsellor assessed them.\n\
         9-8-8 contact centre: shares of the contacts offered to it; speed of answer of those answered.\n\n",
    );
    out.push_str(&fixed_width(&header, &rows, false));
    out
}

/// Left-aligned first column, right-aligned others, two spaces apart, a
/// rule under the header; with `total_last`, a rule before the last row.
fn fixed_width(header: &[&str], rows: &[Vec<String>], total_last: bool) -> String {
    let widths: Vec<usize> = (0..header.len())
        .map(|c| {
            rows.iter()
                .map(|r| r[c].chars().count())
                .chain([header[c].chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        let mut s = String::new();
        for (c, cell) in cells.iter().enumerate() {
            let pad = widths[c] - cell.chars().count();
            if c == 0 {
                s.push_str(cell);
                s.push_str(&" ".repeat(pad));
            } else {
                s.push_str("  ");
                s.push_str(&" ".repeat(pad));
                s.push_str(cell);
            }
        }
        s.trim_end().to_string() + "\n"
    };
    let rule = "-".repeat(widths.iter().sum::<usize>() + 2 * (widths.len() - 1)) + "\n";
    let header: Vec<String> = header.iter().map(|h| h.to_string()).collect();
    let mut out = line(&header);
    out.push_str(&rule);
    let n = rows.len();
    for (i, r) in rows.iter().enumerate() {
        if total_last && i == n - 1 {
            out.push_str(&rule);
        }
        out.push_str(&line(r));
    }
    out
}

/// The validation table: case, parameters, quantity, exact value,
/// simulated mean ± 99% CI half-width, pass or FAIL.
pub fn validation_table(checks: &[sim::validation::Check]) -> String {
    let mut out = format!(
        "{:<15} {:<36} {:<40} {:>10} {:>22} {}\n",
        "case", "parameters", "quantity", "exact", "simulated ± 99% CI", "result"
    );
    for c in checks {
        let sim = format!("{:.5} ± {:.5}", c.simulated.mean, c.simulated.half_width);
        out.push_str(&format!(
            "{:<15} {:<36} {:<40} {:>10.5} {:>22} {}\n",
            c.case,
            c.params,
            c.quantity,
            c.exact,
            sim,
            if c.pass { "pass" } else { "FAIL" }
        ));
    }
    let passed = checks.iter().filter(|c| c.pass).count();
    out.push_str(&format!("\n{passed} of {} checks passed\n\n", checks.len()));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A short run of an example scenario (two replications of 14 days).
    fn short_run(text: &str) -> (RunResults, Scenario) {
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
        let sc = Scenario::from_toml(&text, "t").unwrap();
        (sim::montecarlo::run(&sim::Model::new(sc.clone()), 2, &|| {}), sc)
    }

    fn columns(line: &str) -> Vec<&str> {
        line.split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .collect()
    }

    /// Without a contact centre the table is the one it always was: the
    /// same columns, no phones' share, no centre block.
    #[test]
    fn without_a_centre_the_table_is_unchanged() {
        let (res, sc) = short_run(include_str!("../../scenarios/examples/one_region.toml"));
        assert!(sc.centres().is_empty());
        let table = region_table(&res, &sc);
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(
            columns(lines[0]),
            [
                "region",
                "teams",
                "calls/mo",
                "phone%",
                "mobile/mo",
                "in time%",
                "late%",
                "diverted% ±95%CI",
                "no team%",
                "p50 min",
                "p90 min",
                "max min",
                "util%",
                "overtime h/mo",
            ]
        );
        assert!(!table.contains("phones%"), "{table}");
        assert!(!table.contains("contact centre"), "{table}");
        assert_eq!(
            lines.len(),
            2 + res.regions.len() + 2,
            "header, rule, regions, rule, statewide"
        );
    }

    /// With a contact centre: the phones' share of mobile calls next to
    /// late and diverted, and a block for the region the centre answers.
    #[test]
    fn with_a_centre_the_phones_column_and_block() {
        let (res, sc) = short_run(include_str!("../../scenarios/examples/contact_centre.toml"));
        let table = region_table(&res, &sc);
        let lines: Vec<&str> = table.lines().collect();
        let head = columns(lines[0]);
        let at = head
            .iter()
            .position(|c| *c == "phones%")
            .expect("a phones% column");
        assert_eq!(head[at - 1], "late%");
        assert_eq!(head[at + 1], "diverted% ±95%CI");
        let town = columns(lines[2]);
        assert_eq!(town[0], "Town");
        let k = |f: GroupFigure| res.figure(Some("Town"), None, None, f);
        assert_eq!(town[at], percent(k(GroupFigure::LostAtPhonesShare), PCT));
        assert!(k(GroupFigure::LostAtPhonesShare).unwrap().mean.is_finite());
        assert!(table.contains("9-8-8 contact centre"), "{table}");
        let block_head = table
            .lines()
            .filter(|l| l.starts_with("region"))
            .nth(1)
            .map(columns)
            .expect("the centre block's header");
        assert_eq!(
            block_head,
            [
                "region",
                "centre",
                "answered in state%",
                "abandoned%",
                "rolled over%",
                "answer mean s",
                "within 20 s%",
            ]
        );
        let row = table
            .lines()
            .rfind(|l| l.starts_with("Town"))
            .map(columns)
            .expect("Town's centre row");
        assert_eq!(
            row,
            [
                "Town".to_string(),
                "Town988".to_string(),
                percent(k(GroupFigure::InStateAnswerShare), PCT),
                percent(k(GroupFigure::AbandonedShare), PCT),
                percent(k(GroupFigure::RolledOverShare), PCT),
                num(k(GroupFigure::AnswerWaitMeanS), 1),
                percent(k(GroupFigure::AnsweredWithin20sShare), PCT),
            ]
        );
    }
}

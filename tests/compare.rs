//! `cessa-sim compare` end to end.

mod common;
use common::{cessa, tmp};

const SCENARIO: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/examples/one_region.toml");

/// A team more, as an --alt and as a file: the same paired change both
/// ways; CSV, JSON, per-option tables and the report.
#[test]
fn alt_and_file_options_give_the_same_paired_change() {
    let dir = tmp("compare", "run");
    let alt_file = dir.join("plus_one.toml");
    let text = std::fs::read_to_string(SCENARIO).unwrap();
    std::fs::write(
        &alt_file,
        text.replace(
            "teams.night_and_day = { count = 2",
            "teams.night_and_day = { count = 3",
        ),
    )
    .unwrap();
    assert!(
        std::fs::read_to_string(&alt_file).unwrap() != text,
        "the example changed: update this test"
    );
    let out = dir.join("out");
    let o = cessa(&[
        "compare",
        "-q",
        "-r",
        "8",
        SCENARIO,
        alt_file.to_str().unwrap(),
        "--alt",
        "alt +1: --set regions.Town.teams.night_and_day.count=3",
        "--out",
        out.to_str().unwrap(),
        "--report",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(out.join("compare.csv")).unwrap();
    let change = |option: &str| -> String {
        let line = csv
            .lines()
            .find(|l| l.starts_with(&format!("{option},Statewide,miss_share,")))
            .unwrap_or_else(|| panic!("{csv}"));
        line.split(',').nth(6).unwrap().to_string()
    };
    assert_eq!(change("plus_one"), change("alt +1"), "file and --alt differ");
    assert!(change("plus_one").parse::<f64>().unwrap() < 0.0);
    for f in [
        "compare.json",
        "report.html",
        "option-0/summary.json",
        "option-2/by_region.csv",
    ] {
        assert!(out.join(f).is_file(), "{f}");
    }
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("Options compared") && html.contains("paired 95% CI"));
}

#[test]
fn bad_options_exit_2_with_every_problem() {
    let o = cessa(&["compare", "-q", SCENARIO]);
    assert_eq!(o.status.code(), Some(2));
    let o = cessa(&[
        "compare",
        "-q",
        SCENARIO,
        "--alt",
        "no colon here",
        "--alt",
        "x: --set regions.Twon.population=5",
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("expected 'NAME: --set PATH=VALUE ...'") && err.contains("unknown key `Twon`"),
        "{err}"
    );
}

/// Issue 13's figure: on the default, "Region 5 +2" (Jefferson and Franklin
/// from 1 to 2 teams) has a paired interval at least 3x narrower than two
/// independent runs' in Region 5 (3.7x measured with 200 replications; 3.5x
/// since the default has its 9-8-8 contact centre). The ratio of two
/// half-widths from few replications is itself uncertain (about ±15% at
/// 40): with the centre, 40 replications measured 2.9x, so the check runs
/// 80 (3.4x), keeping the 3x bound.
#[test]
fn paired_interval_is_three_times_narrower_on_the_default() {
    let dir = tmp("compare", "default");
    let o = cessa(&[
        "compare",
        "-q",
        "-r",
        "80",
        "--alt",
        r#"Region 5 +2: --set regions."Region 5".teams.Jefferson.count=2 --set regions."Region 5".teams.Franklin.count=2"#,
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(dir.join("out").join("compare.csv")).unwrap();
    let line = csv
        .lines()
        .find(|l| l.starts_with("Region 5 +2,Region 5,miss_share,"))
        .unwrap();
    let c: Vec<f64> = line
        .split(',')
        .skip(3)
        .map(|x| x.parse().unwrap_or(f64::NAN))
        .collect();
    // value, ci_low, ci_high, change, change_ci_low, change_ci_high, unpaired
    let paired = c[5] - c[3];
    assert!(c[3] < 0.0, "two more teams, fewer misses: {line}");
    assert!(
        3.0 * paired < c[6],
        "paired ±{paired} vs unpaired ±{}: {line}",
        c[6]
    );
}

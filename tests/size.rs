//! `cessa-sim size` on the Illinois default: a staffing table, and a run of
//! the sized scenario meets every target.

use std::process::Command;

#[test]
fn sized_illinois_scenario_meets_every_target_when_run() {
    let dir = std::env::temp_dir().join(format!("cessa-sim-size-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let exe = env!("CARGO_BIN_EXE_cessa-sim");
    let o = Command::new(exe)
        .args([
            "size",
            "-q",
            "-r",
            "6",
            "--set",
            "run.horizon_days=60",
            "--max-diverted",
            "0.05",
            "--out",
        ])
        .arg(&dir)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let table = String::from_utf8(o.stdout).unwrap();
    assert!(
        table.contains("recommended") && table.contains("Region 11"),
        "{table}"
    );
    assert!(!table.contains("NOT MET"), "{table}");
    let size_csv = std::fs::read_to_string(dir.join("size.csv")).unwrap();
    assert!(size_csv.starts_with("region,group,base,hours_per_week,teams_now,teams_recommended"));
    // Run the sized scenario on its own and check every region's upper bound.
    let run_dir = dir.join("check");
    let o = Command::new(exe)
        .args(["run", "-q", "-r", "6", "--out"])
        .arg(&run_dir)
        .arg(dir.join("sized.toml"))
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let csv = std::fs::read_to_string(run_dir.join("by_region.csv")).unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let col = header
        .iter()
        .position(|h| *h == "diverted_share_ci_high")
        .unwrap();
    let mut regions = 0;
    for line in lines.filter(|l| l.starts_with("Region")) {
        let hi: f64 = line.split(',').nth(col).unwrap().parse().unwrap();
        assert!(hi <= 0.05, "{line}");
        regions += 1;
    }
    assert_eq!(regions, 11);
}

//! `cessa-sim sweep` and `merge` end to end: resume after SIGKILL, shards
//! merged into the bytes of one run, refusals.

mod common;
use common::{cessa, exe, tmp};

use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};
use std::time::{Duration, Instant};

/// A plan of 8 points (2 x 4) on a region-sized scenario, slow enough to kill mid-way.
fn plan(dir: &Path, reps: u32) -> PathBuf {
    let path = dir.join("plan.toml");
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/plans/ci_small.toml"))
        .unwrap()
        .replace("replications = 4", &format!("replications = {reps}"));
    std::fs::write(&path, text).unwrap();
    path
}

fn ok(o: Output) -> Output {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn killed_sweep_resumes_to_the_same_bytes() {
    let dir = tmp("sweep", "resume");
    let plan = plan(&dir, 24);
    let (whole, killed) = (dir.join("whole"), dir.join("killed"));
    ok(cessa(&["sweep", s(&plan), "-q", "-j", "1", "--out", s(&whole)]));
    // Start again elsewhere and SIGKILL once some points are on disk.
    let mut child = exe()
        .args(["sweep", s(&plan), "-q", "-j", "1", "--out", s(&killed)])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let parts = |d: &Path| {
        std::fs::read_dir(d.join("points"))
            .map(|r| {
                r.flatten()
                    .filter(|e| e.file_name().to_string_lossy().ends_with(".ok"))
                    .count()
            })
            .unwrap_or(0)
    };
    while parts(&killed) < 2 {
        assert!(Instant::now() < deadline, "no point finished in 60 s");
        std::thread::sleep(Duration::from_millis(5));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();
    let done = parts(&killed);
    assert!(
        done < 8,
        "the sweep finished before it could be killed ({done} points)"
    );
    assert!(!killed.join("sweep.csv").exists());
    let o = ok(cessa(&["sweep", s(&plan), "-j", "2", "--out", s(&killed)]));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("resuming"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    for f in ["sweep.csv", "manifest.json"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(killed.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // Issue 17: a corrupt part (here: truncated, its seal left behind) is
    // not trusted; a rerun computes the point again, to the same bytes.
    let part = killed.join("points").join("000001.csv");
    let bytes = std::fs::read(&part).unwrap();
    std::fs::write(&part, &bytes[..bytes.len() / 2]).unwrap();
    let o = ok(cessa(&["sweep", s(&plan), "-j", "2", "--out", s(&killed)]));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("7 of 8 points already done"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        std::fs::read(whole.join("sweep.csv")).unwrap() == std::fs::read(killed.join("sweep.csv")).unwrap(),
        "sweep.csv after repair"
    );
    let csv = std::fs::read_to_string(whole.join("sweep.csv")).unwrap();
    assert_eq!(
        csv.lines().count(),
        1 + 8 * 12,
        "header, 8 points x (11 regions + statewide)"
    );
    assert!(csv.starts_with("point,teams_region5,demand_scale,region,"));
}

#[test]
fn shards_merge_into_the_bytes_of_one_run_and_bad_merges_are_refused() {
    let dir = tmp("sweep", "shards");
    let plan = plan(&dir, 2);
    let whole = dir.join("whole");
    ok(cessa(&["sweep", s(&plan), "-q", "--out", s(&whole)]));
    let shards: Vec<PathBuf> = (0..4).map(|i| dir.join(format!("shard-{i}"))).collect();
    for (i, d) in shards.iter().enumerate() {
        ok(cessa(&[
            "sweep",
            s(&plan),
            "-q",
            "--shard",
            &format!("{i}/4"),
            "--out",
            s(d),
        ]));
    }
    let merged = dir.join("merged");
    let mut args = vec!["merge", s(&merged)];
    args.extend(shards.iter().map(|p| s(p)));
    ok(cessa(&args));
    for f in ["sweep.csv", "manifest.json"] {
        assert!(
            std::fs::read(whole.join(f)).unwrap() == std::fs::read(merged.join(f)).unwrap(),
            "{f} differs"
        );
    }
    // A missing shard.
    let o = cessa(&[
        "merge",
        s(&dir.join("m2")),
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("2 of 8 points are missing"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // A shard given twice.
    let o = cessa(&[
        "merge",
        s(&dir.join("m3")),
        s(&shards[0]),
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
        s(&shards[3]),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("is in both"));
    // A shard of another plan.
    let other = dir.join("other");
    std::fs::create_dir_all(&other).unwrap();
    let other_plan = other.join("plan.toml");
    std::fs::write(
        &other_plan,
        std::fs::read_to_string(&plan).unwrap().replace("1.25", "1.5"),
    )
    .unwrap();
    let foreign = dir.join("foreign-3");
    ok(cessa(&[
        "sweep",
        s(&other_plan),
        "-q",
        "--shard",
        "3/4",
        "--out",
        s(&foreign),
    ]));
    let o = cessa(&[
        "merge",
        s(&dir.join("m4")),
        s(&shards[0]),
        s(&shards[1]),
        s(&shards[2]),
        s(&foreign),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("another plan"));
    // Reusing an output folder for another plan is refused.
    let o = cessa(&["sweep", s(&other_plan), "-q", "--out", s(&whole)]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn bad_plans_exit_2_with_line_and_column() {
    let dir = tmp("sweep", "bad");
    let path = dir.join("plan.toml");
    std::fs::write(
        &path,
        "base = \"illinois\"\n[[axes]]\npath = \"call_types.urgent.max_response_min\"\nvalues = [60, -5]\n",
    )
    .unwrap();
    let o = cessa(&["sweep", s(&path), "--out", s(&dir.join("out"))]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("plan.toml:4:15: `call_types.urgent.max_response_min`: value -5"),
        "{err}"
    );
    assert!(!dir.join("out").exists(), "nothing runs before the plan is valid");
    assert_eq!(
        cessa(&["sweep", s(&path), "--shard", "4/4", "--out", s(&dir.join("o"))])
            .status
            .code(),
        Some(2)
    );
}

/// A folder another cessa-sim is writing (its `.lock` held) is refused by
/// sweep and merge with exit 2, before any work; free again, it is used.
#[test]
fn a_folder_being_written_is_refused() {
    let dir = tmp("sweep", "locked");
    let plan = plan(&dir, 2);
    let out = dir.join("out");
    std::fs::create_dir_all(&out).unwrap();
    let holder = std::fs::File::create(out.join(".lock")).unwrap();
    holder.try_lock().unwrap();
    for args in [
        vec!["sweep", s(&plan), "-q", "--out", s(&out)],
        vec!["merge", s(&out), s(&dir)],
    ] {
        let o = cessa(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains("another cessa-sim is writing this folder"),
            "{args:?}: {err}"
        );
    }
    drop(holder);
    ok(cessa(&["sweep", s(&plan), "-q", "--out", s(&out)]));
}

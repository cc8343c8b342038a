//! Helpers shared by the end-to-end tests of the `cessa-sim` command.
// Each test binary uses only some of these.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

/// The `cessa-sim` binary under test.
pub fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_cessa-sim"))
}

/// Runs `cessa-sim` with `args` and returns its output.
pub fn cessa(args: &[&str]) -> Output {
    exe().args(args).output().expect("runs")
}

/// A fresh, empty folder for one test (`suite` and `name` keep tests apart).
pub fn tmp(suite: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("cessa-sim-{suite}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

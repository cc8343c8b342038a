//! `--set PATH=VALUE` overrides, applied the way the command line applies
//! them (`scenario_text` in src/main.rs), then validated: never a panic.
//! And what the command line records as applied is what was applied: the
//! first line of the text is the overrides comment, whole, and nothing in
//! an override reaches the scenario but through its value.
//!
//! Input: one override per line (a line ending in `\` goes on, with the
//! line break, on the next), then a line `%%` and the scenario text.
//! Without a `%%` line every line is an override of the embedded Illinois
//! scenario (what the command line runs when no scenario file is given).

#![no_main]

use libfuzzer_sys::fuzz_target;
use sim::scenario::{OVERRIDES_COMMENT, patch};

/// The overrides of the input's head, as command-line arguments.
fn overrides(head: &str) -> Vec<String> {
    let head = head.strip_suffix('\n').unwrap_or(head);
    if head.is_empty() {
        return Vec::new();
    }
    let mut sets = Vec::new();
    let mut set = String::new();
    for line in head.split('\n') {
        match line.strip_suffix('\\') {
            Some(l) => {
                set.push_str(l);
                set.push('\n');
            }
            None => {
                set.push_str(line);
                sets.push(std::mem::take(&mut set));
            }
        }
    }
    if !set.is_empty() {
        sets.push(set);
    }
    sets
}

fuzz_target!(|data: &[u8]| {
    let Ok(input) = std::str::from_utf8(data) else {
        return;
    };
    let (head, text) = match input.split_once("\n%%\n") {
        Some((head, text)) => (head, text),
        None => (input, sim::scenario::ILLINOIS_TOML),
    };
    let sets = overrides(head);
    if sets.is_empty() {
        let _ = sim::Scenario::from_toml(text, "fuzz.toml");
        return;
    }
    let mut values = Vec::new();
    for s in &sets {
        match patch::parse_assignment(s) {
            Ok(v) => values.push(v),
            Err(e) => {
                let _ = e.to_string();
                return;
            }
        }
    }
    let patched = match patch::set_values(text, &values) {
        Ok(t) => t,
        Err(e) => {
            let _ = e.to_string();
            return;
        }
    };
    let joined = sets.join("; ");
    let comment = format!("{OVERRIDES_COMMENT}{joined}\n");
    // The comment line is one line, a valid TOML comment that sets nothing.
    assert!(
        comment.parse::<toml::Table>().is_ok_and(|t| t.is_empty()),
        "an override broke the comment line: {comment:?}"
    );
    let text = format!("{comment}{patched}");
    assert_eq!(sim::scenario::overrides(&text), Some(joined.as_str()));
    if let Err(e) = sim::Scenario::from_toml(&text, "fuzz.toml (with --set)") {
        let _ = e.to_string();
    }
});

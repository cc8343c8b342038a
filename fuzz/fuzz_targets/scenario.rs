//! The scenario loader: any text gives a scenario or a list of problems,
//! never a panic.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(e) = sim::Scenario::from_toml(text, "fuzz.toml") {
        // The message is what the user sees: it must format too.
        let _ = e.to_string();
    }
});

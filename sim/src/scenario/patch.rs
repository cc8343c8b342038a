//! Setting a scenario value by its dotted path, before validation: the
//! one mechanism behind sweeps, the validation cases and command-line
//! overrides. Paths read like the file: `regions."Region 5".teams.day.count`,
//! `call_types.urgent.max_response_min`, `demand_scale`.

use toml::de::{DeTable, DeValue};

use super::ScenarioError;
use super::read::Reader;

/// Why a path could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The scenario text is not TOML.
    #[error("the scenario is not valid TOML: {0}")]
    Toml(String),
    /// A command-line override that is not `PATH=VALUE` on one line.
    #[error("{0}")]
    Assignment(String),
    /// The path is malformed.
    #[error("path `{path}`: {message}")]
    BadPath {
        /// The path.
        path: String,
        /// What is wrong.
        message: String,
    },
}

/// Splits a dotted path into keys; keys with spaces or dots are quoted.
pub fn split_path(path: &str) -> Result<Vec<String>, PatchError> {
    let bad = |message: &str| PatchError::BadPath {
        path: path.to_string(),
        message: message.to_string(),
    };
    let mut keys = Vec::new();
    let mut chars = path.chars().peekable();
    loop {
        let mut key = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    Some('"') => break,
                    // TOML escapes of a quoted key (as `toml_key` writes them).
                    Some('\\') => match chars.next() {
                        Some('"') => key.push('"'),
                        Some('\\') => key.push('\\'),
                        Some('u') => {
                            let hex: String = chars.by_ref().take(4).collect();
                            match u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32) {
                                Some(c) => key.push(c),
                                None => return Err(bad("bad \\u escape in a quoted key")),
                            }
                        }
                        _ => return Err(bad("unknown escape in a quoted key (use \\\" or \\\\)")),
                    },
                    Some(c) => key.push(c),
                    None => return Err(bad("unterminated quote")),
                }
            }
        } else if chars.peek() == Some(&'*') {
            // A pattern key: every key at this level (sensitivity ranges).
            chars.next();
            key.push('*');
        } else {
            while let Some(&c) = chars.peek() {
                if c == '.' {
                    break;
                }
                if !(c.is_ascii_alphanumeric() || c == '_' || c == '-') {
                    return Err(bad(&format!(
                        "unexpected {c:?}; quote keys with spaces, like regions.\"Region 5\""
                    )));
                }
                key.push(c);
                chars.next();
            }
            if key.is_empty() {
                return Err(bad("empty key"));
            }
        }
        keys.push(key);
        match chars.next() {
            None => return Ok(keys),
            Some('.') => {}
            Some(c) => return Err(bad(&format!("expected '.' after a quoted key, found {c:?}"))),
        }
    }
}

/// One command-line override `PATH=VALUE` (`--set`) as a path and a value:
/// the value is read as TOML (`4`, `1.25`, `true`, `"x"`, `{ count = 2 }`),
/// or taken as a string when it is not TOML (`--set name=Town`).
///
/// An override is one line of text: the command line records the overrides
/// as the first line of the scenario text, a comment, so a line break would
/// put what follows it into the scenario unseen (and only the first key of
/// the value would be set), and a control character would break the comment.
pub fn parse_assignment(s: &str) -> Result<(String, toml::Value), PatchError> {
    if let Some(c) = s.chars().find(|&c| c.is_control() && c != '\t') {
        return Err(PatchError::Assignment(format!(
            "found {c:?}: PATH=VALUE is one line of text, without line breaks or control characters"
        )));
    }
    let (path, value) = s
        .split_once('=')
        .ok_or_else(|| PatchError::Assignment("expected PATH=VALUE, e.g. run.horizon_days=180".into()))?;
    let value = format!("v = {value}")
        .parse::<toml::Table>()
        .map(|mut t| t.remove("v").expect("parsed key"))
        .unwrap_or_else(|_| toml::Value::String(value.to_string()));
    Ok((path.trim().to_string(), value))
}

/// Where a table is, for messages: "the top level" or `` `regions.Town` ``.
fn place(keys: &[String]) -> String {
    if keys.is_empty() {
        "the top level".to_string()
    } else {
        let path: Vec<String> = keys.iter().map(|k| super::read::key_part(k)).collect();
        format!("`{}`", path.join("."))
    }
}

/// The message for `key`, missing from `table` (found at `keys`), with the
/// keys it has.
fn unknown_key(table: &toml::Table, key: &str, keys: &[String]) -> String {
    let known: Vec<String> = table.keys().map(|k| super::read::key_part(k)).collect();
    format!(
        "unknown key `{}` in {}; known: {}",
        super::read::key_part(key),
        place(keys),
        if known.is_empty() {
            "none".into()
        } else {
            known.join(", ")
        }
    )
}

/// Puts the problems of a scenario made from the user's `original` text by
/// `overrides` (`PATH=VALUE` as typed) where the user can find them
/// (issue 17: they pointed into the re-serialised text): a problem in an
/// overridden value names its `--set` and has no line; any other moves to
/// its key's line and column in `original` (the deepest part of its path
/// that is there).
pub fn place_problems(err: ScenarioError, original: &str, overrides: &[String]) -> ScenarioError {
    let reader = Reader::new(original);
    let root = DeTable::parse(original).ok();
    let set: Vec<(Vec<String>, &String)> = overrides
        .iter()
        .filter_map(|o| Some((split_path(o.split_once('=')?.0.trim()).ok()?, o)))
        .collect();
    let problems = err
        .problems
        .into_iter()
        .map(|mut p| {
            let keys = split_path(&p.key).unwrap_or_default();
            if let Some((_, typed)) = set.iter().find(|(path, _)| keys.starts_with(path)) {
                p.line = 0;
                p.column = 0;
                p.message = format!("{} (from --set {typed})", p.message);
            } else {
                let at = root.as_ref().map_or(0, |r| key_offset(r.get_ref(), &keys));
                (p.line, p.column) = reader.line_col(at);
            }
            p
        })
        .collect();
    ScenarioError::new(&err.file, problems)
}

/// Byte offset in the text of `keys`' value in `table`, or else of the
/// deepest of its keys that is there (0: none).
fn key_offset(table: &DeTable<'_>, keys: &[String]) -> usize {
    let Some((first, rest)) = keys.split_first() else {
        return 0;
    };
    match table.iter().find(|(k, _)| k.get_ref().as_ref() == first.as_str()) {
        None => 0,
        Some((k, v)) => match (v.get_ref(), rest.is_empty()) {
            // The whole path is there: the value, as a file's own problem is placed.
            (_, true) => v.span().start,
            (DeValue::Table(t), false) => match key_offset(t, rest) {
                0 => k.span().start,
                deeper => deeper,
            },
            _ => k.span().start,
        },
    }
}

/// Top-level tables a scenario may leave out; setting a value in one
/// creates it.
const OPTIONAL_SECTIONS: [&str; 2] = ["run", "dispatch"];

/// Returns the scenario text with each `(path, value)` set. Only what
/// exists can change: every table along a path must be in the scenario
/// (but the optional `run` and `dispatch` sections), so a misspelt team
/// group is an error naming it and listing the known ones, not a new group;
/// the last key may be new (a value left at its default; a whole new table,
/// such as a team group, is added by giving a table as the value). A path
/// set twice is an error. The result is re-serialised TOML (comments are
/// not kept); validate it with [`super::Scenario::from_toml`] as usual.
pub fn set_values(text: &str, values: &[(String, toml::Value)]) -> Result<String, PatchError> {
    let mut root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| PatchError::Toml(e.message().to_string()))?;
    let mut seen: Vec<Vec<String>> = Vec::new();
    for (path, value) in values {
        let bad = |message: String| PatchError::BadPath {
            path: path.clone(),
            message,
        };
        let keys = split_path(path)?;
        if keys.iter().any(|k| k == "*") {
            return Err(bad(
                "`*` stands for every key only in sensitivity ranges; name the key".into(),
            ));
        }
        if seen.contains(&keys) {
            return Err(bad("set twice; give each path once".into()));
        }
        seen.push(keys.clone());
        let (last, parents) = keys.split_last().expect("split_path returns at least one key");
        let mut table = &mut root;
        for (i, k) in parents.iter().enumerate() {
            if !table.contains_key(k.as_str()) {
                if i == 0 && OPTIONAL_SECTIONS.contains(&k.as_str()) {
                    table.insert(k.clone(), toml::Value::Table(toml::Table::new()));
                } else {
                    return Err(bad(unknown_key(table, k, &keys[..i])));
                }
            }
            table = match table.get_mut(k.as_str()).expect("present or inserted") {
                toml::Value::Table(t) => t,
                other => {
                    return Err(bad(format!(
                        "`{}` is {}, not a table",
                        keys[..=i].join("."),
                        other.type_str()
                    )));
                }
            };
        }
        table.insert(last.clone(), value.clone());
    }
    Ok(toml::to_string(&root).expect("a TOML table serialises"))
}

/// The concrete paths a pattern names in a scenario: a `*` key stands for
/// every key of the table at that level. Every table along the way must
/// exist (only the last key may be new, for a value left at its default);
/// an error names the first segment that matches nothing and lists the
/// keys that exist there.
pub fn expand_existing(text: &str, pattern: &str) -> Result<Vec<String>, PatchError> {
    let root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| PatchError::Toml(e.message().to_string()))?;
    let keys = split_path(pattern)?;
    let mut found = Vec::new();
    expand(&root, &keys, &mut Vec::new(), pattern, &mut found)?;
    Ok(found
        .into_iter()
        .map(|ks: Vec<String>| {
            ks.iter()
                .map(|k| super::read::key_part(k))
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect())
}

fn expand(
    table: &toml::Table,
    keys: &[String],
    prefix: &mut Vec<String>,
    pattern: &str,
    found: &mut Vec<Vec<String>>,
) -> Result<(), PatchError> {
    let (first, rest) = keys.split_first().expect("split_path returns at least one key");
    let names: Vec<&String> = if first == "*" {
        table.keys().collect()
    } else {
        vec![first]
    };
    if rest.is_empty() {
        if first == "*" && names.is_empty() {
            return Err(PatchError::BadPath {
                path: pattern.to_string(),
                message: "`*` matches nothing here".into(),
            });
        }
        for n in names {
            prefix.push(n.clone());
            found.push(prefix.clone());
            prefix.pop();
        }
        return Ok(());
    }
    let mut matched = false;
    for n in names {
        match table.get(n.as_str()) {
            Some(toml::Value::Table(t)) => {
                prefix.push(n.clone());
                expand(t, rest, prefix, pattern, found)?;
                prefix.pop();
                matched = true;
            }
            Some(_) if first == "*" => {}
            Some(other) => {
                return Err(PatchError::BadPath {
                    path: pattern.to_string(),
                    message: format!(
                        "`{}` is {}, not a table",
                        super::read::key_part(n),
                        other.type_str()
                    ),
                });
            }
            None => {
                return Err(PatchError::BadPath {
                    path: pattern.to_string(),
                    message: unknown_key(table, n, prefix),
                });
            }
        }
    }
    if !matched {
        return Err(PatchError::BadPath {
            path: pattern.to_string(),
            message: format!("`*` matches no table in {}", place(prefix)),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_and_values_set() {
        assert_eq!(
            split_path(r#"regions."Region 5".teams.day.count"#).unwrap(),
            ["regions", "Region 5", "teams", "day", "count"]
        );
        assert!(split_path("regions.Region 5").is_err());
        // Quotes and backslashes in names round-trip through toml_key.
        let odd = "North \"A\\B\"";
        assert_eq!(
            split_path(&format!("regions.{}", super::super::toml_key(odd))).unwrap(),
            ["regions", odd]
        );
        assert!(split_path("a..b").is_err());
        let text = "[regions.\"Region 5\"]\nteams.day = { count = 2 }\n";
        let out = set_values(
            text,
            &[
                (
                    "regions.\"Region 5\".teams.day.count".into(),
                    toml::Value::Integer(7),
                ),
                ("demand_scale".into(), toml::Value::Float(1.25)),
            ],
        )
        .unwrap();
        let t: toml::Table = out.parse().unwrap();
        assert_eq!(
            t["regions"]["Region 5"]["teams"]["day"]["count"].as_integer(),
            Some(7)
        );
        assert_eq!(t["demand_scale"].as_float(), Some(1.25));
        let err = set_values(
            text,
            &[(
                "regions.\"Region 5\".teams.day.count.x".into(),
                toml::Value::Integer(1),
            )],
        );
        assert!(matches!(err, Err(PatchError::BadPath { .. })));
    }

    /// Issue 17: a misspelt group is an error naming it, not a new group;
    /// a whole new group is added by giving a table; a path set twice and
    /// optional sections behave.
    #[test]
    fn only_what_exists_changes() {
        let text = "[regions.Town]\nteams.night_and_day = { count = 2 }\nteams.day = { count = 1 }\n";
        let set = |p: &str, v: toml::Value| set_values(text, &[(p.into(), v)]);
        let err = set("regions.Town.teams.nigth_and_day.count", toml::Value::Integer(5))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown key `nigth_and_day` in `regions.Town.teams`; known: night_and_day, day"),
            "{err}"
        );
        let mut group = toml::Table::new();
        group.insert("count".into(), toml::Value::Integer(1));
        let out = set("regions.Town.teams.extra", toml::Value::Table(group)).unwrap();
        assert!(out.contains("[regions.Town.teams.extra]"), "{out}");
        assert!(
            set("run.seed", toml::Value::Integer(3))
                .unwrap()
                .contains("seed = 3")
        );
        assert!(set("dispach.policy", toml::Value::Integer(3)).is_err());
        let twice = set_values(
            text,
            &[
                ("run.seed".into(), toml::Value::Integer(1)),
                ("run.seed".into(), toml::Value::Integer(2)),
            ],
        );
        assert!(twice.unwrap_err().to_string().contains("set twice"));
    }

    /// Issue 17, found by the `set` fuzz target: a line break in an
    /// override put the text after it into the scenario through the
    /// overrides comment (`--set $'run.seed=1\ndemand_scale = 3'` ran at
    /// demand scale 3 while parsing dropped it from the value), and a
    /// control character made the comment line invalid TOML.
    #[test]
    fn an_override_is_one_line_of_text() {
        let (path, value) = parse_assignment(r#"regions."Region 5".teams.day.count = 4"#).unwrap();
        assert_eq!(path, r#"regions."Region 5".teams.day.count"#);
        assert_eq!(value.as_integer(), Some(4));
        assert_eq!(
            parse_assignment("name=North\tTown").unwrap().1.as_str(),
            Some("North\tTown")
        );
        assert_eq!(
            parse_assignment("dispatch.policy=escalate").unwrap().1.as_str(),
            Some("escalate")
        );
        for bad in [
            "run.seed=1\ndemand_scale = 3",
            "run.seed=1\r",
            "name=a\u{e}b",
            "name=a\u{7f}",
        ] {
            let err = parse_assignment(bad).unwrap_err().to_string();
            assert!(err.contains("one line of text"), "{bad:?}: {err}");
        }
        assert!(
            parse_assignment("demand_scale")
                .unwrap_err()
                .to_string()
                .contains("expected PATH=VALUE")
        );
    }

    #[test]
    fn patterns_expand_over_existing_tables_only() {
        let text =
            "[regions.A]\ntravel = { speed_mph = 40 }\n[regions.\"Region 5\"]\ntravel = { speed_mph = 50 }\n";
        assert_eq!(
            expand_existing(text, "regions.*.travel.circuity").unwrap(),
            [
                "regions.A.travel.circuity",
                "regions.\"Region 5\".travel.circuity"
            ]
        );
        assert_eq!(
            expand_existing(text, "regions.A.travel.speed_mph").unwrap(),
            ["regions.A.travel.speed_mph"]
        );
        let err = expand_existing(text, "regions.B.travel.speed_mph")
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("unknown key `B` in `regions`; known: A, \"Region 5\""),
            "{err}"
        );
        assert!(expand_existing(text, "regoins.*.travel").is_err());
        assert!(expand_existing(text, "regions.*.teams.x").is_err());
    }
}

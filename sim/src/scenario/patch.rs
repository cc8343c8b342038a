//! Setting a scenario value by its dotted path, before validation: the
//! one mechanism behind sweeps, the validation cases and command-line
//! overrides. Paths read like the file: `regions."Region 5".teams.day.count`,
//! `call_types.urgent.max_response_min`, `demand_scale`.

/// Why a path could not be set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PatchError {
    /// The scenario text is not TOML.
    #[error("the scenario is not valid TOML: {0}")]
    Toml(String),
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
                    Some(c) => key.push(c),
                    None => return Err(bad("unterminated quote")),
                }
            }
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

/// Returns the scenario text with each `(path, value)` set, creating
/// tables along the way. The result is re-serialised TOML (comments are
/// not kept); validate it with [`super::Scenario::from_toml`] as usual.
pub fn set_values(text: &str, values: &[(String, toml::Value)]) -> Result<String, PatchError> {
    let mut root: toml::Table = text
        .parse()
        .map_err(|e: toml::de::Error| PatchError::Toml(e.message().to_string()))?;
    for (path, value) in values {
        let keys = split_path(path)?;
        let (last, parents) = keys.split_last().expect("split_path returns at least one key");
        let mut table = &mut root;
        for (i, k) in parents.iter().enumerate() {
            let entry = table
                .entry(k.clone())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()));
            table = match entry {
                toml::Value::Table(t) => t,
                other => {
                    return Err(PatchError::BadPath {
                        path: path.clone(),
                        message: format!("`{}` is {}, not a table", keys[..=i].join("."), other.type_str()),
                    });
                }
            };
        }
        table.insert(last.clone(), value.clone());
    }
    Ok(toml::to_string(&root).expect("a TOML table serialises"))
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
}

//! Reading a spanned TOML tree while collecting every problem, each with
//! its line, column and key.

use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One problem found in a scenario file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// Line, 1-based.
    pub line: usize,
    /// Column, 1-based, in characters.
    pub column: usize,
    /// Dotted path of the key, e.g. `regions."Region 5".population`.
    pub key: String,
    /// What was found and what was expected.
    pub message: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.line == 0 {
            // Not in a file: a value given on the command line (`--set`).
            write!(f, "`{}`: {}", self.key, self.message)
        } else if self.key.is_empty() {
            write!(f, "{}:{}: {}", self.line, self.column, self.message)
        } else {
            write!(
                f,
                "{}:{}: `{}`: {}",
                self.line, self.column, self.key, self.message
            )
        }
    }
}

/// A TOML value with its byte span.
pub(crate) type Val<'i> = Spanned<DeValue<'i>>;

/// Quotes a key for a dotted path when it is not a bare TOML key.
pub(crate) fn key_part(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        // A TOML basic string (not Rust's `{:?}`, which escapes otherwise).
        let mut out = String::with_capacity(k.len() + 2);
        out.push('"');
        for c in k.chars() {
            match c {
                '"' => out.push_str("\\\""),
                '\\' => out.push_str("\\\\"),
                c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('"');
        out
    }
}

/// Joins a parent path and a key.
pub(crate) fn join(path: &str, key: &str) -> String {
    if path.is_empty() {
        key_part(key)
    } else {
        format!("{path}.{}", key_part(key))
    }
}

pub(crate) fn type_name(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Collects problems while reading.
pub(crate) struct Reader<'s> {
    src: &'s str,
    pub(crate) problems: Vec<Problem>,
}

impl<'s> Reader<'s> {
    pub(crate) fn new(src: &'s str) -> Self {
        Reader {
            src,
            problems: Vec::new(),
        }
    }

    /// The text as spanned TOML; a syntax error becomes a problem (and `None`).
    pub(crate) fn parse(&mut self) -> Option<Spanned<DeTable<'s>>> {
        match DeTable::parse(self.src) {
            Ok(root) => Some(root),
            Err(e) => {
                let mut msg = format!("TOML syntax error: {}", e.message().trim());
                // Name the key written twice (the parser's message does not).
                if let Some(key) = e.span().and_then(|s| self.src.get(s)).map(str::trim)
                    && msg.ends_with("duplicate key")
                    && !key.is_empty()
                {
                    msg.push_str(&format!(" `{key}`"));
                }
                self.problem(e.span().unwrap_or(0..0), "", msg);
                None
            }
        }
    }

    /// Every problem found, as the error of `file`.
    pub(crate) fn into_error(self, file: &str) -> super::ScenarioError {
        super::ScenarioError::new(file, self.problems)
    }

    /// Line and column (1-based) of a byte offset.
    pub(crate) fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.src.len());
        let before = &self.src[..offset];
        let line = before.matches('\n').count() + 1;
        let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
        (line, col)
    }

    pub(crate) fn problem(&mut self, span: Range<usize>, key: &str, message: impl Into<String>) {
        let (line, column) = self.line_col(span.start);
        self.problems.push(Problem {
            line,
            column,
            key: key.to_string(),
            message: message.into(),
        });
    }

    /// The value as a table, or a problem.
    pub(crate) fn table<'a, 'i>(&mut self, v: &'a Val<'i>, key: &str) -> Option<&'a DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            other => {
                let found = type_name(other);
                self.problem(v.span(), key, format!("expected a table, found {found}"));
                None
            }
        }
    }

    /// Reports every key of `t` that is not in `allowed`.
    pub(crate) fn only_keys(&mut self, t: &DeTable<'_>, path: &str, allowed: &[&str]) {
        for (k, _) in t.iter() {
            if !allowed.contains(&k.get_ref().as_ref()) {
                let msg = format!("unknown key; expected one of: {}", allowed.join(", "));
                self.problem(k.span(), &join(path, k.get_ref()), msg);
            }
        }
    }

    /// A required key: a problem at the table's span when missing.
    pub(crate) fn required<'a, 'i>(
        &mut self,
        t: &'a DeTable<'i>,
        span: Range<usize>,
        path: &str,
        key: &str,
        what: &str,
    ) -> Option<&'a Val<'i>> {
        let v = t.get(key);
        if v.is_none() {
            self.problem(span, &join(path, key), format!("missing; expected {what}"));
        }
        v
    }

    /// A number (integer or float).
    pub(crate) fn number(&mut self, v: &Val<'_>, key: &str) -> Option<f64> {
        let parsed = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|x| x as f64),
            DeValue::Float(f) => parse_float(f.as_str()),
            _ => None,
        };
        if parsed.is_none() {
            let found = type_name(v.get_ref());
            self.problem(v.span(), key, format!("expected a number, found {found}"));
        }
        parsed
    }

    /// A number that must satisfy `ok`, described by `expected`.
    pub(crate) fn number_where(
        &mut self,
        v: &Val<'_>,
        key: &str,
        expected: &str,
        ok: impl Fn(f64) -> bool,
    ) -> Option<f64> {
        let x = self.number(v, key)?;
        if x.is_finite() && ok(x) {
            Some(x)
        } else {
            // As written, or short (a float of 1e300 prints 301 digits).
            let written = match self.src.get(v.span()).map(str::trim) {
                Some(w) if w.len() <= 24 => w.to_string(),
                _ => format!("{x:e}"),
            };
            self.problem(v.span(), key, format!("expected {expected}, found {written}"));
            None
        }
    }

    /// A non-negative integer.
    pub(crate) fn count(&mut self, v: &Val<'_>, key: &str) -> Option<u64> {
        match v.get_ref() {
            DeValue::Integer(i) => match u64::from_str_radix(i.as_str(), i.radix()) {
                Ok(x) => Some(x),
                Err(_) => {
                    let s = i.as_str().to_string();
                    self.problem(v.span(), key, format!("expected a whole number >= 0, found {s}"));
                    None
                }
            },
            other => {
                let found = type_name(other);
                self.problem(
                    v.span(),
                    key,
                    format!("expected a whole number >= 0, found {found}"),
                );
                None
            }
        }
    }

    /// A string.
    pub(crate) fn string<'a>(&mut self, v: &'a Val<'_>, key: &str) -> Option<&'a str> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.as_ref()),
            other => {
                let found = type_name(other);
                self.problem(v.span(), key, format!("expected a string, found {found}"));
                None
            }
        }
    }

    /// One of the given words.
    pub(crate) fn choice<T: Copy>(&mut self, v: &Val<'_>, key: &str, options: &[(&str, T)]) -> Option<T> {
        let s = self.string(v, key)?;
        if let Some((_, t)) = options.iter().find(|(name, _)| *name == s) {
            return Some(*t);
        }
        let names: Vec<&str> = options.iter().map(|(n, _)| *n).collect();
        self.problem(
            v.span(),
            key,
            format!("expected one of {}, found {s:?}", names.join(", ")),
        );
        None
    }

    /// An array of values.
    pub(crate) fn array<'a, 'i>(&mut self, v: &'a Val<'i>, key: &str) -> Option<&'a [Val<'i>]> {
        match v.get_ref() {
            DeValue::Array(a) => Some(a),
            other => {
                let found = type_name(other);
                self.problem(v.span(), key, format!("expected an array, found {found}"));
                None
            }
        }
    }

    /// An array of numbers; `None` if any element is not a number.
    pub(crate) fn numbers(&mut self, v: &Val<'_>, key: &str) -> Option<Vec<f64>> {
        let a = self.array(v, key)?;
        let mut out = Vec::with_capacity(a.len());
        let mut ok = true;
        for (i, x) in a.iter().enumerate() {
            match self.number(x, &format!("{key}[{i}]")) {
                Some(n) => out.push(n),
                None => ok = false,
            }
        }
        ok.then_some(out)
    }
}

fn parse_float(s: &str) -> Option<f64> {
    let s = s.replace('_', "");
    match s.as_str() {
        "inf" | "+inf" => Some(f64::INFINITY),
        "-inf" => Some(f64::NEG_INFINITY),
        "nan" | "+nan" | "-nan" => Some(f64::NAN),
        other => other.parse().ok(),
    }
}

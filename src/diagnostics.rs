//! Diagnostics: plain values that lints produce and outputs render. Only the outputs
//! serialise them, each into its own format.

use std::fmt;

use serde::Deserialize;

use crate::ir::Span;
use crate::lints;

/// A lint's level: `allow` turns it off, `deny` makes its findings fail the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Allow,
    Warn,
    Deny,
}

impl Level {
    /// The level as `fdlint.toml` and the lint reference spell it.
    pub fn config_name(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warn",
            Level::Deny => "deny",
        }
    }

    /// The severity as reports print it.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Allow => "allow",
            Level::Warn => "warning",
            Level::Deny => "error",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A secondary span with its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label { span, message: message.into() }
    }
}

/// One finding in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub code: &'static str,
    pub name: &'static str,
    pub level: Level,
    pub message: String,
    /// Where the diagnostic points.
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
}

impl Diagnostic {
    /// A diagnostic of the declared lint `code`, at its default level.
    pub fn new(code: &str, span: Span, message: String, labels: Vec<Label>) -> Self {
        let lint = lints::find(code).unwrap_or_else(|| panic!("lint {code} is not declared"));
        Diagnostic {
            code: &lint.code,
            name: &lint.name,
            level: lint.level,
            message,
            span,
            labels,
            help: None,
        }
    }

    pub fn with_help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }
}

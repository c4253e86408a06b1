//! Diagnostics: plain values that lints produce and outputs render. Only the outputs
//! serialise them, each into its own format.

use std::fmt;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

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
    /// In the diagnostic's file, or in `elsewhere`'s file when that is set.
    pub span: Span,
    pub message: String,
    /// Set when the label is in another file of the run (the open inside a callee).
    pub elsewhere: Option<Elsewhere>,
}

impl Label {
    pub fn new(span: Span, message: impl Into<String>) -> Self {
        Label { span, message: message.into(), elsewhere: None }
    }

    /// A label at `span` of the run's file `file`: in this diagnostic's file or another.
    pub fn in_run(locate: Locate<'_>, file: usize, span: Span, message: impl Into<String>) -> Self {
        Label { span, message: message.into(), elsewhere: locate(file, span) }
    }
}

/// A place in another file of the run, resolved to its path and 1-based positions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Elsewhere {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
}

/// Resolves a span of the run's file `file` to `Some(place)` when it is another file than the
/// one being reported on, `None` when it is the same file.
pub type Locate<'a> = &'a dyn Fn(usize, Span) -> Option<Elsewhere>;

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
    /// Ways to fix it, best first.
    pub fixes: Vec<Fix>,
    /// Set when an allow comment silences it: outputs that keep silenced findings (SARIF)
    /// mark them; the others leave them out.
    pub suppressed: Option<Suppression>,
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
            fixes: Vec::new(),
            suppressed: None,
        }
    }

    pub fn with_help(mut self, help: String) -> Self {
        self.help = Some(help);
        self
    }

    pub fn with_fix(mut self, fix: Fix) -> Self {
        self.fixes.push(fix);
        self
    }
}

/// How far a fix can be trusted (ruff's applicability).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Applicability {
    /// Keeps the program's meaning: `--fix` applies it.
    Safe,
    /// May change behaviour the author relies on: only with `--unsafe-fixes`.
    Unsafe,
    /// Shown, never applied: a person has to finish it.
    Manual,
}

impl Applicability {
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
            Applicability::Manual => "manual",
        }
    }
}

/// Replace the bytes of `span` (in the diagnostic's file) with `replacement`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    pub span: Span,
    pub replacement: String,
}

impl Edit {
    pub fn insert(at: usize, text: impl Into<String>) -> Self {
        Edit { span: Span::new(at, at), replacement: text.into() }
    }

    pub fn replace(span: Span, text: impl Into<String>) -> Self {
        Edit { span, replacement: text.into() }
    }
}

/// A fix-it: a title for people and the edits that carry it out, all in one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    pub title: String,
    pub applicability: Applicability,
    pub edits: Vec<Edit>,
}

/// The allow comment that silenced a finding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suppression {
    /// The comment's span.
    pub span: Span,
}

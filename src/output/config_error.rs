//! A config problem as a rustc-like snippet: the file, line and column, the offending key or
//! value underlined, and the help.

use std::fmt;

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, Severity, SourceSpan,
};

use crate::config::{ConfigError, ConfigProblem};
use crate::source::display_path;

/// Every problem of `error`, rendered.
pub fn render_config_error(error: &ConfigError, color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false);
    let path = display_path(relative_to_current_dir(&error.path).as_path());
    let source = NamedSource::new(path.clone(), error.text.clone());
    let mut out = String::new();
    for problem in &error.problems {
        let report = Report { path: &path, problem, source: source.clone() };
        if handler.render_report(&mut out, &report).is_err() {
            out += &format!("{path}: {}\n", problem.message);
        }
    }
    out
}

fn relative_to_current_dir(path: &std::path::Path) -> std::path::PathBuf {
    let current = std::env::current_dir().ok();
    current
        .and_then(|dir| path.strip_prefix(dir).ok().map(std::path::Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf())
}

#[derive(Debug)]
struct Report<'a> {
    path: &'a str,
    problem: &'a ConfigProblem,
    source: NamedSource<String>,
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.problem.span {
            Some(_) => write!(f, "invalid config: {}", self.problem.message),
            None => write!(f, "invalid config: {}: {}", self.path, self.problem.message),
        }
    }
}

impl std::error::Error for Report<'_> {}

impl MietteDiagnostic for Report<'_> {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        Some(Box::new("fdlint::config"))
    }

    fn severity(&self) -> Option<Severity> {
        Some(Severity::Error)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.problem.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.problem.span.map(|_| &self.source as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        let span = self.problem.span?;
        let source_span = SourceSpan::from((span.start, span.end.saturating_sub(span.start)));
        let label = LabeledSpan::new_primary_with_span(Some("here".to_string()), source_span);
        Some(Box::new(std::iter::once(label)))
    }
}

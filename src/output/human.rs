//! rustc-like reports rendered by miette: the source, the numbered labels, the help.

use std::fmt;
use std::io::{self, Write};

use miette::{
    Diagnostic as MietteDiagnostic, GraphicalReportHandler, GraphicalTheme, LabeledSpan,
    NamedSource, Severity, SourceSpan,
};

use crate::diagnostics::{Applicability, Diagnostic, Level};
use crate::driver::{FileProblem, FileReport};
use crate::ir::Span;

pub fn write(reports: &[FileReport], out: &mut dyn Write, color: bool) -> io::Result<()> {
    let handler = handler(color);
    let mut warnings = 0;
    let mut errors = 0;
    for report in reports {
        let source = NamedSource::new(report.source.display_path(), report.source.text.clone());
        for diagnostic in super::shown(report) {
            match diagnostic.level {
                Level::Deny => errors += 1,
                _ => warnings += 1,
            }
            let rendered = Rendered::from_lint(diagnostic, &report.source.text, source.clone());
            out.write_all(render(&handler, &rendered).as_bytes())?;
            write_labels_elsewhere(diagnostic, out)?;
        }
    }
    if warnings + errors > 0 {
        writeln!(out, "{}", summary(errors, warnings))?;
    }
    Ok(())
}

/// Labels in other files of the run (the open inside a callee in another file) cannot be drawn
/// in this file's snippet: each gets a line with its place, in the story's order.
fn write_labels_elsewhere(diagnostic: &Diagnostic, out: &mut dyn Write) -> io::Result<()> {
    for label in &diagnostic.labels {
        if let Some(place) = &label.elsewhere {
            let path = crate::source::display_path(&place.path);
            writeln!(out, "  = note: {}:{}:{}: {}", path, place.line, place.column, label.message)?;
        }
    }
    Ok(())
}

/// One finding as `write` renders it, for formats that carry a rendered copy (cargo-json).
pub(super) fn render_one(report: &FileReport, diagnostic: &Diagnostic) -> String {
    let source = NamedSource::new(report.source.display_path(), report.source.text.clone());
    let rendered = Rendered::from_lint(diagnostic, &report.source.text, source);
    let mut text = render(&handler(false), &rendered).into_bytes();
    // Writing to memory cannot fail.
    let _ = write_labels_elsewhere(diagnostic, &mut text);
    String::from_utf8_lossy(&text).into_owned()
}

/// Syntax errors and unreadable files, with their location.
pub fn write_problems(report: &FileReport, out: &mut dyn Write, color: bool) -> io::Result<()> {
    if report.problems.is_empty() {
        return Ok(());
    }
    let (recovered, fatal): (Vec<_>, Vec<_>) = report.problems.iter().partition(|p| p.recovered);
    write_recovered_summary(report, &recovered, out)?;
    let handler = handler(color);
    let source = NamedSource::new(report.source.display_path(), report.source.text.clone());
    for problem in fatal {
        let rendered = Rendered {
            code: None,
            message: match problem.span {
                Some(span) => {
                    let (line, column) = report.source.line_column(span.start);
                    format!("{}:{line}:{column}: {}", report.source.display_path(), problem.message)
                }
                None => format!("{}: {}", report.source.display_path(), problem.message),
            },
            severity: Severity::Error,
            labels: problem.span.map(|span| vec![label(span, None, true)]).unwrap_or_default(),
            help: None,
            source: source.clone(),
        };
        out.write_all(render(&handler, &rendered).as_bytes())?;
    }
    Ok(())
}

/// Regions a C file's parser skipped, one line per file: in real C they are mostly macros that
/// only the preprocessor could read, and a report for each would bury the findings.
fn write_recovered_summary(
    report: &FileReport,
    problems: &[&FileProblem],
    out: &mut dyn Write,
) -> io::Result<()> {
    let Some(first) = problems.first() else { return Ok(()) };
    let (line, column) = report.source.line_column(first.span.map_or(0, |span| span.start));
    let others = match problems.len() {
        1 => String::new(),
        n => format!(" (and {} more)", n - 1),
    };
    writeln!(
        out,
        "note: {}:{line}:{column}: {}{others}; fdlint skipped what it could not parse and analysed the rest",
        report.source.display_path(),
        first.message
    )
}

fn summary(errors: usize, warnings: usize) -> String {
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    match (errors, warnings) {
        (0, w) => format!("fdlint: {} emitted", plural(w, "warning")),
        (e, 0) => format!("fdlint: {} emitted", plural(e, "error")),
        (e, w) => format!("fdlint: {} and {} emitted", plural(e, "error"), plural(w, "warning")),
    }
}

fn handler(color: bool) -> GraphicalReportHandler {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    GraphicalReportHandler::new_themed(theme).with_width(100).with_links(false)
}

fn render(handler: &GraphicalReportHandler, diagnostic: &Rendered) -> String {
    let mut text = String::new();
    if handler.render_report(&mut text, diagnostic).is_err() {
        text = format!("{}\n", diagnostic.message);
    }
    text
}

fn label(span: Span, message: Option<String>, primary: bool) -> LabeledSpan {
    let source_span = SourceSpan::from((span.start, span.end.saturating_sub(span.start)));
    if primary {
        LabeledSpan::new_primary_with_span(message, source_span)
    } else {
        LabeledSpan::new_with_span(message, source_span)
    }
}

/// A label over several lines (a whole loop) is drawn on its first line only: the reader needs
/// where it starts, not a box around forty lines.
fn first_line(text: &str, span: Span) -> Span {
    let end = text
        .get(span.start..span.end)
        .and_then(|s| s.find('\n'))
        .map_or(span.end, |n| span.start + n);
    Span::new(span.start, end)
}

/// The help text, then each fix's title and applicability (ruff marks the ones `--fix`
/// applies): what to do, and what fdlint can do for you.
fn help_with_fixes(diagnostic: &Diagnostic) -> Option<String> {
    let fixes = diagnostic.fixes.iter().map(|fix| {
        let how = match fix.applicability {
            Applicability::Safe => "fix (safe, --fix)",
            Applicability::Unsafe => "fix (unsafe, --fix --unsafe-fixes)",
            Applicability::Manual => "fix (manual)",
        };
        format!("{how}: {}", fix.title)
    });
    let lines: Vec<String> = diagnostic.help.clone().into_iter().chain(fixes).collect();
    (!lines.is_empty()).then(|| lines.join("\n"))
}

/// A finding in the shape miette renders.
#[derive(Debug)]
struct Rendered {
    code: Option<String>,
    message: String,
    severity: Severity,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
    source: NamedSource<String>,
}

impl Rendered {
    fn from_lint(diagnostic: &Diagnostic, text: &str, source: NamedSource<String>) -> Self {
        let mut labels: Vec<LabeledSpan> = diagnostic
            .labels
            .iter()
            .filter(|l| l.elsewhere.is_none())
            .map(|l| {
                label(first_line(text, l.span), Some(l.message.clone()), l.span == diagnostic.span)
            })
            .collect();
        if !labels.iter().any(|l| l.primary()) {
            labels.push(label(diagnostic.span, None, true));
        }
        Rendered {
            code: Some(format!("{}({})", diagnostic.code, diagnostic.name)),
            message: diagnostic.message.clone(),
            severity: match diagnostic.level {
                Level::Deny => Severity::Error,
                _ => Severity::Warning,
            },
            labels,
            help: help_with_fixes(diagnostic),
            source,
        }
    }
}

impl fmt::Display for Rendered {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Rendered {}

impl MietteDiagnostic for Rendered {
    fn code<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.code.as_ref().map(|code| Box::new(code) as Box<dyn fmt::Display>)
    }

    fn severity(&self) -> Option<Severity> {
        Some(self.severity)
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help.as_ref().map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        Some(&self.source)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        Some(Box::new(self.labels.iter().cloned()))
    }
}

//! Cargo's `--message-format=json` lines: a `compiler-message` per finding, with the finding in
//! rustc's diagnostic shape. rust-analyzer's `check.overrideCommand` reads these, shows the
//! findings in the editor and offers the fixes' suggestion spans as quick fixes.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use cargo_metadata::{Package, PackageId, Target};
use serde::Serialize;

use crate::diagnostics::{Applicability, Diagnostic, Label, Level};
use crate::driver::FileReport;
use crate::ir::Span;
use crate::lints;
use crate::source::{display_path, SourceFile};

#[derive(Serialize)]
struct CompilerMessage<'a> {
    reason: &'static str,
    package_id: &'a PackageId,
    manifest_path: Option<&'a Path>,
    target: &'a Target,
    message: RustcDiagnostic,
}

/// rustc's `--error-format=json` diagnostic.
#[derive(Serialize)]
struct RustcDiagnostic {
    #[serde(rename = "$message_type")]
    message_type: &'static str,
    message: String,
    code: Option<RustcCode>,
    level: &'static str,
    spans: Vec<RustcSpan>,
    children: Vec<RustcDiagnostic>,
    rendered: Option<String>,
}

#[derive(Serialize)]
struct RustcCode {
    code: String,
    explanation: Option<String>,
}

#[derive(Serialize)]
struct RustcSpan {
    file_name: String,
    byte_start: usize,
    byte_end: usize,
    line_start: usize,
    line_end: usize,
    column_start: usize,
    column_end: usize,
    is_primary: bool,
    text: Vec<RustcSpanLine>,
    label: Option<String>,
    suggested_replacement: Option<String>,
    suggestion_applicability: Option<&'static str>,
    expansion: Option<()>,
}

#[derive(Serialize)]
struct RustcSpanLine {
    text: String,
    highlight_start: usize,
    highlight_end: usize,
}

/// The packages of a cargo workspace, to say which package and target each file belongs to.
#[derive(Debug, Default)]
pub struct CargoWorkspace {
    pub packages: Vec<Package>,
}

impl CargoWorkspace {
    /// The package whose folder holds `path` most closely.
    pub fn package_of(&self, path: &Path) -> Option<&Package> {
        let path = std::path::absolute(path).ok()?;
        self.packages
            .iter()
            .filter(|package| {
                package.manifest_path.parent().is_some_and(|dir| path.starts_with(dir))
            })
            .max_by_key(|package| package.manifest_path.as_str().len())
    }
}

pub fn write(
    reports: &[FileReport],
    workspace: &CargoWorkspace,
    out: &mut dyn Write,
) -> io::Result<()> {
    for report in reports {
        let package = workspace.package_of(&report.source.path);
        let target = match package {
            Some(package) => target_of(package, &report.source.path),
            None => no_target(),
        };
        for diagnostic in super::shown(report) {
            let message = CompilerMessage {
                reason: "compiler-message",
                package_id: package.map_or(no_package(), |p| &p.id),
                manifest_path: package.map(|p| p.manifest_path.as_std_path()),
                target,
                message: rustc_diagnostic(report, diagnostic),
            };
            serde_json::to_writer(&mut *out, &message)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn rustc_diagnostic(report: &FileReport, diagnostic: &Diagnostic) -> RustcDiagnostic {
    let source = &report.source;
    let primary_label = diagnostic
        .labels
        .iter()
        .find(|l| l.span == diagnostic.span && l.elsewhere.is_none())
        .map(|l| l.message.clone());
    let mut spans = vec![span(source, diagnostic.span, true, primary_label)];
    spans.extend(
        diagnostic
            .labels
            .iter()
            .filter(|label| label.span != diagnostic.span || label.elsewhere.is_some())
            .map(|label| label_span(source, label)),
    );
    let help = diagnostic.help.iter().map(|help| child(help.clone(), Vec::new()));
    let fixes = diagnostic.fixes.iter().map(|fix| {
        let applicability = applicability(fix.applicability);
        let spans = fix
            .edits
            .iter()
            .map(|edit| RustcSpan {
                suggested_replacement: Some(edit.replacement.clone()),
                suggestion_applicability: Some(applicability),
                ..span(source, edit.span, true, None)
            })
            .collect();
        child(fix.title.clone(), spans)
    });
    let lint = lints::find(diagnostic.code);
    RustcDiagnostic {
        message_type: "diagnostic",
        message: diagnostic.message.clone(),
        code: Some(RustcCode {
            code: diagnostic.code.to_string(),
            explanation: lint.map(|lint| lint.explanation.clone()),
        }),
        level: match diagnostic.level {
            Level::Deny => "error",
            _ => "warning",
        },
        spans,
        children: help.chain(fixes).collect(),
        rendered: Some(super::human::render_one(report, diagnostic)),
    }
}

fn child(message: String, spans: Vec<RustcSpan>) -> RustcDiagnostic {
    RustcDiagnostic {
        message_type: "diagnostic",
        message,
        code: None,
        level: "help",
        spans,
        children: Vec::new(),
        rendered: None,
    }
}

/// rustc's spans: 1-based lines and columns (in characters), the end exclusive, with the text
/// of each line the span covers.
fn span(source: &SourceFile, span: Span, is_primary: bool, label: Option<String>) -> RustcSpan {
    let ((line_start, column_start), (line_end, column_end)) = source.range(span);
    let text = (line_start..=line_end)
        .map(|line| {
            let text = source.line_text(line).to_string();
            let highlight_start = if line == line_start { column_start } else { 1 };
            let highlight_end =
                if line == line_end { column_end } else { text.chars().count() + 1 };
            RustcSpanLine { text, highlight_start, highlight_end }
        })
        .collect();
    RustcSpan {
        file_name: source.display_path(),
        byte_start: span.start,
        byte_end: span.end,
        line_start,
        line_end,
        column_start,
        column_end,
        is_primary,
        text,
        label,
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

/// A label's span: in the finding's file, or in another file of the run, whose text this
/// report does not hold (so no `text` lines).
fn label_span(source: &SourceFile, label: &Label) -> RustcSpan {
    let Some(place) = &label.elsewhere else {
        return span(source, label.span, false, Some(label.message.clone()));
    };
    RustcSpan {
        file_name: display_path(&place.path),
        byte_start: label.span.start,
        byte_end: label.span.end,
        line_start: place.line,
        line_end: place.end_line,
        column_start: place.column,
        column_end: place.end_column,
        is_primary: false,
        text: Vec::new(),
        label: Some(label.message.clone()),
        suggested_replacement: None,
        suggestion_applicability: None,
        expansion: None,
    }
}

fn applicability(applicability: Applicability) -> &'static str {
    match applicability {
        Applicability::Safe => "MachineApplicable",
        Applicability::Unsafe => "MaybeIncorrect",
        Applicability::Manual => "HasPlaceholders",
    }
}

/// The target a file belongs to: the one it is the root of, else the one whose source folder
/// holds it most closely, else the package's main target. A build script claims only itself:
/// its folder is the package's.
fn target_of<'a>(package: &'a Package, path: &Path) -> &'a Target {
    let path = std::path::absolute(path).unwrap_or_else(|_| PathBuf::from(path));
    let code_targets = || package.targets.iter().filter(|target| !target.is_custom_build());
    package
        .targets
        .iter()
        .find(|target| target.src_path.as_std_path() == path)
        .or_else(|| {
            code_targets()
                .filter(|target| target.src_path.parent().is_some_and(|dir| path.starts_with(dir)))
                .max_by_key(|target| target.src_path.as_str().len())
        })
        .or_else(|| code_targets().next())
        .or(package.targets.first())
        .unwrap_or_else(|| no_target())
}

/// Outside a cargo workspace (plain `fdlint` on C files, say) a message still needs a package
/// and a target for cargo's shape; both are empty.
fn no_package() -> &'static PackageId {
    static EMPTY: OnceLock<PackageId> = OnceLock::new();
    EMPTY.get_or_init(|| PackageId { repr: String::new() })
}

fn no_target<'a>() -> &'a Target {
    static EMPTY: OnceLock<Target> = OnceLock::new();
    EMPTY.get_or_init(|| {
        let empty = serde_json::json!({ "name": "", "kind": [], "src_path": "" });
        serde_json::from_value(empty).expect("a target needs only a name, kinds and a path")
    })
}

//! JSON Lines: one object per finding, with the fields SPEC section 5 lists. Stable: the
//! fixture snapshots pin it.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostics::Diagnostic;
use crate::driver::FileReport;
use crate::ir::Span;
use crate::source::SourceFile;

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    lint: &'a str,
    severity: &'a str,
    message: &'a str,
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    labels: Vec<JsonLabel<'a>>,
    help: Option<&'a str>,
    fixes: Vec<JsonFix>,
}

#[derive(Serialize)]
struct JsonLabel<'a> {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    message: &'a str,
}

/// Fixes come with the fix-its issue; the field is present and empty until then.
#[derive(Serialize)]
struct JsonFix {}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in &report.diagnostics {
            let object = to_json(&report.source, diagnostic);
            serde_json::to_writer(&mut *out, &object)?;
            out.write_all(b"\n")?;
        }
    }
    Ok(())
}

fn to_json<'a>(source: &SourceFile, diagnostic: &'a Diagnostic) -> JsonDiagnostic<'a> {
    let ((line, column), (end_line, end_column)) = source.range(diagnostic.span);
    JsonDiagnostic {
        code: diagnostic.code,
        lint: diagnostic.name,
        severity: diagnostic.level.as_str(),
        message: &diagnostic.message,
        file: source.display_path(),
        line,
        column,
        end_line,
        end_column,
        labels: diagnostic
            .labels
            .iter()
            .map(|label| label_json(source, label.span, &label.message))
            .collect(),
        help: diagnostic.help.as_deref(),
        fixes: Vec::new(),
    }
}

fn label_json<'a>(source: &SourceFile, span: Span, message: &'a str) -> JsonLabel<'a> {
    let ((line, column), (end_line, end_column)) = source.range(span);
    JsonLabel { file: source.display_path(), line, column, end_line, end_column, message }
}

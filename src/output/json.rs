//! JSON Lines: one object per finding, with the fields SPEC section 5 lists. Stable: the
//! fixture snapshots pin it.

use std::io::{self, Write};

use serde::Serialize;

use crate::diagnostics::{Diagnostic, Elsewhere, Fix, Label};
use crate::driver::FileReport;
use crate::source::{display_path, SourceFile};

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
    fixes: Vec<JsonFix<'a>>,
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

#[derive(Serialize)]
struct JsonFix<'a> {
    title: &'a str,
    applicability: &'a str,
    edits: Vec<JsonEdit<'a>>,
}

#[derive(Serialize)]
struct JsonEdit<'a> {
    file: String,
    byte_start: usize,
    byte_end: usize,
    replacement: &'a str,
}

pub fn write(reports: &[FileReport], out: &mut dyn Write) -> io::Result<()> {
    for report in reports {
        for diagnostic in super::shown(report) {
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
        labels: diagnostic.labels.iter().map(|label| label_json(source, label)).collect(),
        help: diagnostic.help.as_deref(),
        fixes: diagnostic.fixes.iter().map(|fix| fix_json(source, fix)).collect(),
    }
}

fn label_json<'a>(source: &SourceFile, label: &'a Label) -> JsonLabel<'a> {
    let message = &label.message;
    if let Some(place) = &label.elsewhere {
        let Elsewhere { line, column, end_line, end_column, .. } = *place;
        let file = display_path(&place.path);
        return JsonLabel { file, line, column, end_line, end_column, message };
    }
    let ((line, column), (end_line, end_column)) = source.range(label.span);
    JsonLabel { file: source.display_path(), line, column, end_line, end_column, message }
}

fn fix_json<'a>(source: &SourceFile, fix: &'a Fix) -> JsonFix<'a> {
    JsonFix {
        title: &fix.title,
        applicability: fix.applicability.as_str(),
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                file: source.display_path(),
                byte_start: edit.span.start,
                byte_end: edit.span.end,
                replacement: &edit.replacement,
            })
            .collect(),
    }
}

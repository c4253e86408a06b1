//! The pipeline for one file: read, lower, analyse, lint. It returns values; printing is the
//! outputs' business.

use std::path::Path;

use crate::analysis;
use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::frontend;
use crate::ir::{Language, Span};
use crate::source::{language_of, SourceFile};

/// A problem with a file itself rather than a finding in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// Where in the file, when there is a place to point at.
    pub span: Option<Span>,
    pub message: String,
    /// The rest of the file was still analysed (C: tree-sitter recovers around the region).
    pub recovered: bool,
}

/// What linting one file produced.
#[derive(Debug)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    pub problems: Vec<FileProblem>,
}

/// Lints text already in memory (the fixture runner, the language server).
pub fn lint_source(source: SourceFile, catalog: &Catalog) -> FileReport {
    let lowered = frontend::lower(source.language, &source.text);
    // The C frontend recovers around what it cannot read (often a macro it cannot expand);
    // a Rust file that does not parse is not analysed at all.
    let recovered = source.language == Language::C;
    let problems = lowered
        .errors
        .iter()
        .map(|error| FileProblem {
            span: Some(error.span),
            message: error.message.clone(),
            recovered,
        })
        .collect();
    let facts = analysis::analyze_file(&lowered, source.language, catalog);
    let mut diagnostics = crate::lints::check(&facts);
    diagnostics.sort_by_key(|d| (d.span, d.code));
    FileReport { source, diagnostics, problems }
}

/// Reads and lints one file; a file that cannot be read becomes a report with a problem.
pub fn lint_path(path: &Path, catalog: &Catalog) -> Option<FileReport> {
    let language = language_of(path)?;
    let report = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => lint_source(SourceFile::new(path.to_path_buf(), text, language), catalog),
            Err(error) => {
                unreadable(path, language, format!("not valid UTF-8: {}", error.utf8_error()))
            }
        },
        Err(error) => unreadable(path, language, format!("cannot read: {error}")),
    };
    Some(report)
}

fn unreadable(path: &Path, language: Language, message: String) -> FileReport {
    FileReport {
        source: SourceFile::new(path.to_path_buf(), String::new(), language),
        diagnostics: Vec::new(),
        problems: vec![FileProblem { span: None, message, recovered: false }],
    }
}

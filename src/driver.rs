//! The pipeline for one file: read, lower, analyse, lint. It returns values; printing is the
//! outputs' business.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{self, Facts};
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Elsewhere};
use crate::frontend;
use crate::ir::{Language, LoweredFile, Span};
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

/// Lints text already in memory (the fixture runner, the language server) as a run of its own.
pub fn lint_source(source: SourceFile, catalog: &Catalog) -> FileReport {
    let mut reports = lint_sources(vec![source], catalog);
    reports.pop().expect("one report per source")
}

/// Lints the files of one run together, so a call in one file sees the function it reaches
/// in another. Reports come back in the order of `sources`.
pub fn lint_sources(sources: Vec<SourceFile>, catalog: &Catalog) -> Vec<FileReport> {
    lint_sources_observed(sources, catalog, &|| {})
}

/// As `lint_sources`, calling `on_lowered` as each file is parsed (a progress bar ticks).
fn lint_sources_observed(
    sources: Vec<SourceFile>,
    catalog: &Catalog,
    on_lowered: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    let lowered: Vec<LoweredFile> = sources
        .par_iter()
        .map(|source| frontend::lower(source.language, &source.text))
        .inspect(|_| on_lowered())
        .collect();
    let run: Vec<(&LoweredFile, Language)> =
        lowered.iter().zip(&sources).map(|(file, source)| (file, source.language)).collect();
    let facts = analysis::analyze_run(&run, catalog);
    let diagnostics: Vec<Vec<Diagnostic>> =
        facts.iter().map(|facts| check(facts, &sources, &lowered)).collect();
    sources
        .into_iter()
        .zip(lowered)
        .zip(diagnostics)
        .map(|((source, lowered), diagnostics)| report(source, &lowered, diagnostics))
        .collect()
}

/// The lints over one file's facts, with labels in the run's other files placed in them.
/// `sources` and `lowered` are the run's files by index (the language server keeps its own run).
pub fn check(facts: &Facts, sources: &[SourceFile], lowered: &[LoweredFile]) -> Vec<Diagnostic> {
    let locate = |file: usize, span: Span| {
        let source = sources.get(file).filter(|_| file != facts.file)?;
        let ((line, column), (end_line, end_column)) = source.range(span);
        Some(Elsewhere { path: source.path.clone(), line, column, end_line, end_column })
    };
    let (Some(source), Some(lowered)) = (sources.get(facts.file), lowered.get(facts.file)) else {
        return Vec::new();
    };
    let context = crate::lints::fixes::FileContext { source, lowered };
    let mut diagnostics = crate::lints::check(facts, &locate, &context);
    crate::suppress::apply(source, &mut diagnostics);
    diagnostics.sort_by_key(|d| (d.span, d.code));
    diagnostics
}

/// The report of a file already lowered and checked.
pub fn report(
    source: SourceFile,
    lowered: &LoweredFile,
    diagnostics: Vec<Diagnostic>,
) -> FileReport {
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
    FileReport { source, diagnostics, problems }
}

/// Reads and lints the files of one run; a file that cannot be read becomes a report with a
/// problem, and the others are linted all the same.
pub fn lint_paths(paths: &[PathBuf], catalog: &Catalog) -> Vec<FileReport> {
    lint_paths_observed(paths, catalog, &|| {})
}

/// As `lint_paths`, calling `on_lowered` as each file is parsed (a progress bar ticks).
pub fn lint_paths_observed(
    paths: &[PathBuf],
    catalog: &Catalog,
    on_lowered: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    let read: Vec<Result<SourceFile, FileReport>> =
        paths.par_iter().filter_map(|path| read_source(path)).collect();
    let mut unreadable = Vec::new();
    let mut sources = Vec::new();
    for result in read {
        match result {
            Ok(source) => sources.push(source),
            Err(report) => unreadable.push(report),
        }
    }
    let mut reports = lint_sources_observed(sources, catalog, on_lowered);
    reports.extend(unreadable);
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    reports
}

/// Reads one file; `None` when it is not a language fdlint reads.
pub fn read_source(path: &Path) -> Option<Result<SourceFile, FileReport>> {
    let language = language_of(path)?;
    let result = match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Ok(SourceFile::new(path.to_path_buf(), text, language)),
            Err(error) => {
                Err(unreadable(path, language, format!("not valid UTF-8: {}", error.utf8_error())))
            }
        },
        Err(error) => Err(unreadable(path, language, format!("cannot read: {error}"))),
    };
    Some(result)
}

/// Reads and lints one file on its own.
pub fn lint_path(path: &Path, catalog: &Catalog) -> Option<FileReport> {
    Some(match read_source(path)? {
        Ok(source) => lint_source(source, catalog),
        Err(report) => report,
    })
}

fn unreadable(path: &Path, language: Language, message: String) -> FileReport {
    FileReport {
        source: SourceFile::new(path.to_path_buf(), String::new(), language),
        diagnostics: Vec::new(),
        problems: vec![FileProblem { span: None, message, recovered: false }],
    }
}

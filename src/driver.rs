//! The pipeline for one file: read, lower, analyse, lint. It returns values; printing is the
//! outputs' business.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::containment::{contained, inject_fault, InternalError};

use crate::analysis::{self, Facts};
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Elsewhere};
use crate::frontend;
use crate::ir::{Language, LoweredFile, Span};
use crate::read;
use crate::source::{language_of, SourceFile};

/// A problem with a file itself rather than a finding in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileProblem {
    /// Where in the file, when there is a place to point at.
    pub span: Option<Span>,
    pub message: String,
    /// The rest of the file was still analysed (C: tree-sitter recovers around the region).
    pub recovered: bool,
    /// A bug in fdlint (a panic) met on this file, not a problem with the file.
    pub internal: bool,
}

impl FileProblem {
    fn fatal(span: Option<Span>, message: String) -> Self {
        FileProblem { span, message, recovered: false, internal: false }
    }
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
///
/// A panic on one file (a bug in fdlint) is contained: that file gets an internal error and
/// every other file is still linted.
pub fn lint_sources(sources: Vec<SourceFile>, catalog: &Catalog) -> Vec<FileReport> {
    let lowered: Vec<Result<LoweredFile, InternalError>> = sources
        .par_iter()
        .map(|source| {
            contained(|| {
                inject_fault(&source.text, "lowering");
                frontend::lower(source.language, &source.text)
            })
        })
        .collect();
    let run: Vec<(&LoweredFile, &SourceFile)> = lowered
        .iter()
        .zip(&sources)
        .filter_map(|(file, source)| Some((file.as_ref().ok()?, source)))
        .collect();
    let mut diagnostics = analyze_contained(&run, catalog).into_iter();
    sources
        .into_iter()
        .zip(lowered)
        .map(|(source, lowered)| {
            let result = lowered.and_then(|lowered| {
                let diagnostics =
                    diagnostics.next().expect("diagnostics for every lowered file")?;
                Ok((diagnostics, problems(&source, &lowered)))
            });
            match result {
                Ok((diagnostics, problems)) => FileReport { source, diagnostics, problems },
                Err(error) => internal_error(source, error),
            }
        })
        .collect()
}

type Contained<T> = Result<T, InternalError>;

/// The diagnostics of every file of the run, in order. Should the analysis of the whole run
/// panic, each file is analysed alone to find the ones it panics on, and the rest again
/// together.
fn analyze_contained(
    run: &[(&LoweredFile, &SourceFile)],
    catalog: &Catalog,
) -> Vec<Contained<Vec<Diagnostic>>> {
    let analyze = |files: &[(&LoweredFile, &SourceFile)]| -> Contained<Vec<_>> {
        let facts = contained(|| {
            let languages: Vec<(&LoweredFile, Language)> = files
                .iter()
                .map(|(file, source)| {
                    inject_fault(&source.text, "analysis");
                    (*file, source.language)
                })
                .collect();
            analysis::analyze_run(&languages, catalog)
        })?;
        let check_one = |facts: &Facts| {
            contained(|| {
                inject_fault(&files[facts.file].1.text, "lints");
                check_run(facts, files)
            })
        };
        Ok(facts.iter().map(check_one).collect())
    };
    if let Ok(diagnostics) = analyze(run) {
        return diagnostics;
    }
    let alone: Vec<Contained<Vec<Diagnostic>>> = run
        .par_iter()
        .map(|file| analyze(std::slice::from_ref(file)).and_then(|mut one| one.remove(0)))
        .collect();
    let healthy: Vec<(&LoweredFile, &SourceFile)> = run
        .iter()
        .zip(&alone)
        .filter(|(_, result)| result.is_ok())
        .map(|(file, _)| *file)
        .collect();
    let Ok(together) = analyze(&healthy) else { return alone };
    let mut together = together.into_iter();
    alone
        .into_iter()
        .map(|result| result.and_then(|_| together.next().expect("one result per healthy file")))
        .collect()
}

fn internal_error(source: SourceFile, error: InternalError) -> FileReport {
    let problem =
        FileProblem { span: None, message: error.to_string(), recovered: false, internal: true };
    FileReport { source, diagnostics: Vec::new(), problems: vec![problem] }
}

/// The lints over one file's facts, with labels in the run's other files placed in them.
/// `sources` and `lowered` are the run's files by index (the language server keeps its own run).
pub fn check(facts: &Facts, sources: &[SourceFile], lowered: &[LoweredFile]) -> Vec<Diagnostic> {
    check_in(facts, |file| Some((lowered.get(file)?, sources.get(file)?)))
}

/// `check` over a run given as `(lowered, source)` pairs.
fn check_run(facts: &Facts, files: &[(&LoweredFile, &SourceFile)]) -> Vec<Diagnostic> {
    check_in(facts, |file| files.get(file).copied())
}

fn check_in<'a>(
    facts: &Facts,
    file_at: impl Fn(usize) -> Option<(&'a LoweredFile, &'a SourceFile)>,
) -> Vec<Diagnostic> {
    let locate = |file: usize, span: Span| {
        let (_, source) = file_at(file).filter(|_| file != facts.file)?;
        let ((line, column), (end_line, end_column)) = source.range(span);
        Some(Elsewhere { path: source.path.clone(), line, column, end_line, end_column })
    };
    let Some((lowered, source)) = file_at(facts.file) else {
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
    FileReport { problems: problems(&source, lowered), source, diagnostics }
}

fn problems(source: &SourceFile, lowered: &LoweredFile) -> Vec<FileProblem> {
    // The C frontend recovers around what it cannot read (often a macro it cannot expand);
    // a Rust file that does not parse is not analysed at all.
    let recovered = source.language == Language::C;
    let latin1 = source.read_as_latin1.map(|span| FileProblem {
        span: Some(span),
        message: "not valid UTF-8; read as Latin-1".to_string(),
        recovered: true,
        internal: false,
    });
    let syntax = lowered.errors.iter().map(|error| FileProblem {
        span: Some(error.span),
        message: error.message.clone(),
        recovered,
        internal: false,
    });
    latin1.into_iter().chain(syntax).collect()
}

/// Reads and lints the files of one run; a file that cannot be read becomes a report with a
/// problem, and the others are linted all the same.
pub fn lint_paths(paths: &[PathBuf], catalog: &Catalog) -> Vec<FileReport> {
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
    let mut reports = lint_sources(sources, catalog);
    reports.extend(unreadable);
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    reports
}

/// Reads one file; `None` when it is not a language fdlint reads.
pub fn read_source(path: &Path) -> Option<Result<SourceFile, FileReport>> {
    let language = language_of(path)?;
    Some(match read::read_bytes(path) {
        Ok(bytes) => decode_source(path.to_path_buf(), bytes, language).map_err(|report| *report),
        Err(message) => Err(unreadable(path, language, message)),
    })
}

/// Lints one file's bytes as a run of its own, decoding them as a file read from disk is.
pub fn lint_bytes(
    path: PathBuf,
    bytes: Vec<u8>,
    language: Language,
    catalog: &Catalog,
) -> FileReport {
    match decode_source(path, bytes, language) {
        Ok(source) => lint_source(source, catalog),
        Err(report) => *report,
    }
}

fn decode_source(
    path: PathBuf,
    bytes: Vec<u8>,
    language: Language,
) -> Result<SourceFile, Box<FileReport>> {
    match read::decode(bytes, language) {
        Ok(decoded) => {
            let mut source = SourceFile::new(path, decoded.text, language);
            source.read_as_latin1 = decoded.latin1_from;
            Ok(source)
        }
        Err(refusal) => Err(Box::new(FileReport {
            source: SourceFile::new(path, refusal.text, language),
            diagnostics: Vec::new(),
            problems: vec![FileProblem::fatal(refusal.span, refusal.message)],
        })),
    }
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
        problems: vec![FileProblem::fatal(None, message)],
    }
}

//! Applying fix-its: `--fix`, `--unsafe-fixes` and `--diff`.
//!
//! Each round lints the run, takes in every file the best fix of each finding that the mode
//! allows, applies those whose edits do not overlap, and keeps a file's new text only if it
//! parses as well as before. Rounds repeat until nothing changes (fixes that overlapped get
//! their turn once the text moved on, and a fix that failed makes way for its finding's next
//! one), at most `MAX_ROUNDS` times. Files are written atomically: a temporary file beside
//! the original, then a rename.

mod diff;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

pub use crate::atomic_write::write_atomically;
pub use diff::unified_diff;

use crate::catalog::Catalog;
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix};
use crate::driver::{lint_sources, read_source, FileReport};
use crate::frontend;
use crate::source::SourceFile;

/// Rounds of lint-and-fix before giving up on reaching a fixed point.
pub const MAX_ROUNDS: usize = 10;

/// What happened to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFix {
    pub path: PathBuf,
    pub original: String,
    pub fixed: String,
    /// How many findings the applied fixes solved.
    pub fixed_findings: usize,
    /// The titles of fixes not applied to the fixed text: it would no longer parse, or the
    /// fix did not solve its finding.
    pub failed: Vec<String>,
    /// The file was read as Latin-1 and must be written back as Latin-1.
    pub latin1: bool,
}

impl FileFix {
    /// The fixed text as the bytes to write, in the file's own encoding.
    pub fn fixed_bytes(&self) -> Option<Vec<u8>> {
        crate::source::encode(&self.fixed, self.latin1)
    }

    pub fn changed(&self) -> bool {
        self.original != self.fixed
    }
}

/// A run after fixing: the findings left, and what changed in each file.
#[derive(Debug)]
pub struct FixRun {
    pub reports: Vec<FileReport>,
    pub files: Vec<FileFix>,
}

impl FixRun {
    pub fn fixed_findings(&self) -> usize {
        self.files.iter().map(|file| file.fixed_findings).sum()
    }
}

/// Reads the files of a run, fixes them in memory and lints what is left. `keep` applies the
/// run's lint levels to each report (it drops what is allowed), before fixes are chosen.
pub fn fix_paths(
    paths: &[PathBuf],
    catalog: &Catalog,
    most: Applicability,
    keep: &dyn Fn(&mut FileReport),
) -> FixRun {
    let read: Vec<_> = paths.par_iter().filter_map(|path| read_source(path)).collect();
    let mut sources = Vec::new();
    let mut unreadable = Vec::new();
    for result in read {
        match result {
            Ok(source) => sources.push(source),
            Err(report) => unreadable.push(report),
        }
    }
    let lint = |sources: &[SourceFile]| {
        let mut reports = lint_sources(sources.to_vec(), catalog);
        reports.iter_mut().for_each(keep);
        reports
    };
    let mut run = fix_sources(sources, most, lint);
    run.reports.extend(unreadable);
    run.reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    run
}

/// The rounds of lint-and-fix over sources in memory; `lint` lints them as one run.
///
/// What a fix does depends on the text it is applied to: one that broke the parse or did not
/// solve its finding may work once other fixes have changed the file. So a file's failed fixes
/// are those that failed on its current text, forgotten when the text moves on; the run ends
/// on a text where every fix still offered was tried and failed, which is where a second run
/// would end too.
pub fn fix_sources(
    mut sources: Vec<SourceFile>,
    most: Applicability,
    mut lint: impl FnMut(&[SourceFile]) -> Vec<FileReport>,
) -> FixRun {
    let mut files: Vec<FileFix> = sources
        .iter()
        .map(|source| FileFix {
            path: source.path.clone(),
            original: source.text.clone(),
            fixed: source.text.clone(),
            fixed_findings: 0,
            failed: Vec::new(),
            latin1: source.read_as_latin1.is_some(),
        })
        .collect();
    let mut reports = lint(&sources);
    let mut last_rounds: Vec<Option<LastRound>> = vec![None; files.len()];
    for _ in 0..MAX_ROUNDS {
        // A changed text needs linting again; a fix that failed makes way for the next one.
        let (mut changed, mut learned) = (false, false);
        let rounds = sources.iter_mut().zip(&reports).zip(&mut files).zip(&mut last_rounds);
        for (((source, report), file), last_round) in rounds {
            let mut taken_back = None;
            // A fix still offered after it was applied did not solve its finding (the analysis
            // cannot see the edit's effect, say in a file it only partly parses): take that
            // round back, and do not offer those fixes again on that text, so the file is
            // never changed for nothing and a second `--fix` finds nothing to do.
            if let Some(last) = last_round.take() {
                let unsolved: Vec<String> = offered_titles(&report.diagnostics)
                    .filter(|title| last.titles.contains(title))
                    .collect();
                if !unsolved.is_empty() {
                    file.failed = last.failed;
                    file.failed.extend(unsolved);
                    file.fixed_findings -= last.fixed_findings;
                    source.replace_text(last.text);
                    file.fixed = source.text.clone();
                    changed = true;
                    // Its findings are known, so the next fixes can be chosen at once.
                    taken_back = Some(last.diagnostics);
                }
            }
            let diagnostics = taken_back.as_deref().unwrap_or(&report.diagnostics);
            let chosen = choose_fixes(diagnostics, most, &file.failed);
            if chosen.fixes.is_empty() {
                continue;
            }
            let (text, failed) = apply_parsing(source, &chosen.fixes);
            file.failed.extend(failed.iter().map(|fix| fix.title.clone()));
            learned |= !failed.is_empty();
            let applied = chosen.fixes.len() - failed.len();
            if text != source.text {
                let titles = chosen
                    .fixes
                    .iter()
                    .filter(|fix| !failed.iter().any(|bad| bad.title == fix.title))
                    .map(|fix| fix.title.clone())
                    .collect();
                let fixed_findings = applied + chosen.duplicates;
                *last_round = Some(LastRound {
                    text: source.text.clone(),
                    titles,
                    fixed_findings,
                    failed: std::mem::take(&mut file.failed),
                    diagnostics: diagnostics.to_vec(),
                });
                file.fixed_findings += fixed_findings;
                source.replace_text(text);
                file.fixed = source.text.clone();
                changed = true;
            }
        }
        if changed {
            reports = lint(&sources);
        } else if !learned {
            break;
        }
    }
    files.retain(|file| file.changed() || !file.failed.is_empty());
    FixRun { reports, files }
}

/// A file's text before its latest round of fixes, what was known of it, and what that round
/// applied.
#[derive(Clone)]
struct LastRound {
    text: String,
    titles: Vec<String>,
    fixed_findings: usize,
    /// The fixes that had failed on `text`.
    failed: Vec<String>,
    /// The findings on `text`.
    diagnostics: Vec<Diagnostic>,
}

/// The titles of the fixes the findings still offer.
fn offered_titles(diagnostics: &[Diagnostic]) -> impl Iterator<Item = String> + '_ {
    diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.suppressed.is_none())
        .flat_map(|diagnostic| diagnostic.fixes.iter().map(|fix| fix.title.clone()))
}

/// The fixes of one round in one file, and how many findings had a fix equal to one of them.
struct Chosen<'a> {
    fixes: Vec<&'a Fix>,
    duplicates: usize,
}

/// Of every finding's best fix the mode allows, those whose edits overlap no earlier one.
fn choose_fixes<'a>(
    diagnostics: &'a [Diagnostic],
    most: Applicability,
    failed: &[String],
) -> Chosen<'a> {
    let mut candidates: Vec<&Fix> = diagnostics
        .iter()
        .filter(|diagnostic| diagnostic.suppressed.is_none())
        .filter_map(|diagnostic| {
            diagnostic.fixes.iter().find(|fix| {
                fix.applicability <= most
                    && fix.applicability != Applicability::Manual
                    && !fix.edits.is_empty()
                    && !failed.contains(&fix.title)
            })
        })
        .collect();
    candidates.sort_by_key(|fix| fix.edits.iter().map(|edit| edit.span.start).min());
    let mut chosen = Chosen { fixes: Vec::new(), duplicates: 0 };
    for fix in candidates {
        if chosen.fixes.iter().any(|taken| taken.edits == fix.edits) {
            chosen.duplicates += 1;
        } else if !chosen.fixes.iter().any(|taken| overlaps(taken, fix)) {
            chosen.fixes.push(fix);
        }
    }
    chosen
}

fn overlaps(a: &Fix, b: &Fix) -> bool {
    let touch = |x: &Edit, y: &Edit| {
        let (x, y) = (x.span, y.span);
        // Two insertions at one point, or an insertion inside a replaced range, conflict too.
        x.start < y.end && y.start < x.end || x.start == y.start
    };
    a.edits.iter().any(|x| b.edits.iter().any(|y| touch(x, y)))
}

/// Applies the fixes; if the result has syntax errors the text did not have, applies them one
/// by one and leaves out each that breaks it. Returns the text and the fixes left out.
fn apply_parsing<'a>(source: &SourceFile, fixes: &[&'a Fix]) -> (String, Vec<&'a Fix>) {
    let errors_before = frontend::lower(source.language, &source.text).errors.len();
    let parses = |text: &str| frontend::lower(source.language, text).errors.len() <= errors_before;
    if let Some(text) = apply(&source.text, fixes) {
        if parses(&text) {
            return (text, Vec::new());
        }
    }
    let mut kept: Vec<&Fix> = Vec::new();
    let mut failed = Vec::new();
    for fix in fixes {
        let mut trial = kept.clone();
        trial.push(fix);
        match apply(&source.text, &trial) {
            Some(text) if parses(&text) => kept = trial,
            _ => failed.push(*fix),
        }
    }
    (apply(&source.text, &kept).unwrap_or_else(|| source.text.clone()), failed)
}

/// The text with every edit of `fixes` applied; `None` when an edit is out of range or
/// splits a character.
pub fn apply(text: &str, fixes: &[&Fix]) -> Option<String> {
    let mut edits: Vec<&Edit> = fixes.iter().flat_map(|fix| &fix.edits).collect();
    edits.sort_by_key(|edit| (edit.span.start, edit.span.end));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for edit in edits {
        let (start, end) = (edit.span.start, edit.span.end);
        if start < at || end < start {
            return None;
        }
        out.push_str(text.get(at..start)?);
        out.push_str(&edit.replacement);
        at = end;
    }
    out.push_str(text.get(at..)?);
    Some(out)
}

/// A path as the diff headers print it.
pub fn diff_name(path: &Path) -> String {
    crate::source::display_path(path)
}

#[cfg(test)]
mod tests;

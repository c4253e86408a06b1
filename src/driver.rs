//! The pipeline for a run: read, lower, analyse, lint. It returns values; printing is the
//! outputs' business.

use std::collections::HashMap;
use std::hash::BuildHasher;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicIsize, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, RwLock};

use rayon::prelude::*;

use crate::containment::{contained, inject_fault, InternalError};

use crate::analysis::{self, Facts, LeaveOut, RunFiles, Spill};
use crate::catalog::Catalog;
use crate::diagnostics::{Diagnostic, Elsewhere};
use crate::frontend;
use crate::ir::{FileNames, Language, LoweredFile, Span, SyntaxError};
use crate::read;
use crate::source::{language_of, SourceFile};

/// Runs `work` on a pool of `threads` workers (0: one per core) whose stacks are large enough
/// for the Rust frontend to parse on them directly; on the current pool if none can be built.
pub fn in_worker_pool<R: Send>(threads: usize, work: impl FnOnce() -> R + Send) -> R {
    match worker_pool(threads) {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// A pool of `threads` workers (0: one per core) with the Rust frontend's large stacks, to
/// keep (the language server lowers on it at every edit, rather than start a thread a file).
pub fn worker_pool(threads: usize) -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|index| format!("fdlint-worker-{index}"))
        .stack_size(frontend::rust::WORKER_STACK_BYTES)
        .start_handler(|_| frontend::rust::mark_large_stack_thread())
        .build()
        .ok()
}

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
#[derive(Debug, Clone)]
pub struct FileReport {
    pub source: SourceFile,
    pub diagnostics: Vec<Diagnostic>,
    pub problems: Vec<FileProblem>,
}

impl FileReport {
    /// Whether there is anything to show: a finding (silenced ones included) or a problem.
    pub fn says_anything(&self) -> bool {
        !self.diagnostics.is_empty() || !self.problems.is_empty()
    }
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
    let mut diagnostics = lint_facts(facts, sources, lowered);
    if let (Some(source), Some(_)) = (sources.get(facts.file), lowered.get(facts.file)) {
        settle(source, &mut diagnostics);
    }
    diagnostics
}

/// The lints over some facts of one file (all of them, or one function's), as `check` runs
/// them but before allow comments are read: the language server keeps them per function.
pub fn lint_facts(
    facts: &Facts,
    sources: &[SourceFile],
    lowered: &[LoweredFile],
) -> Vec<Diagnostic> {
    lint_in(facts, |file| Some((lowered.get(file)?, sources.get(file)?)))
}

/// A file's diagnostics as reported: silenced by its allow comments (unused ones reported),
/// sorted by place.
pub fn settle(source: &SourceFile, diagnostics: &mut Vec<Diagnostic>) {
    crate::suppress::apply(source, diagnostics);
    diagnostics.sort_by_key(|d| (d.span, d.code));
}

/// `check` over a run given as `(lowered, source)` pairs.
fn check_run(facts: &Facts, files: &[(&LoweredFile, &SourceFile)]) -> Vec<Diagnostic> {
    let mut diagnostics = lint_in(facts, |file| files.get(file).copied());
    if let Some((_, source)) = files.get(facts.file) {
        settle(source, &mut diagnostics);
    }
    diagnostics
}

fn lint_in<'a>(
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
    crate::lints::check(facts, &locate, &context)
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

/// IR kept in memory between the rounds of a run's analysis, at most (estimated); the IR of
/// the files beyond it is lowered again when a later round needs it, so memory does not grow
/// with the size of the tree. Small: since the first round goes callees first, few files are
/// analysed again, and keeping more IR cost more time (cache misses) than it saved. The same
/// bound holds the texts the name scan read, kept for the analysis to lower (a file beyond it
/// is read again). A quarter of it more holds the IR lowered ahead of its analysis, and as
/// much what the lints will read of the files with findings (`DiskFiles`).
pub const IR_BUDGET_BYTES: usize = 32 << 20;

/// Reads and lints the files of one run; a file that cannot be read becomes a report with a
/// problem, and the others are linted all the same. Reports come back sorted by path, one for
/// each file with something to say (findings or problems): a run over a large tree does not
/// hold a report for every file it read.
pub fn lint_paths(paths: &[PathBuf], catalog: &Catalog) -> Vec<FileReport> {
    lint_paths_within(paths, catalog, IR_BUDGET_BYTES, &|| {})
}

/// As `lint_paths`, calling `on_lowered` as each file is first parsed (a progress bar ticks).
pub fn lint_paths_observed(
    paths: &[PathBuf],
    catalog: &Catalog,
    on_lowered: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    lint_paths_within(paths, catalog, IR_BUDGET_BYTES, on_lowered)
}

/// `lint_paths`, keeping at most `ir_budget` bytes of IR between rounds, and as many bytes of
/// text between the name scan and the lowering; a quarter of it more of IR lowered ahead, and
/// as much of the parts of IR the reports read (see `IR_BUDGET_BYTES`).
pub fn lint_paths_within(
    paths: &[PathBuf],
    catalog: &Catalog,
    ir_budget: usize,
    on_lowered: &(dyn Fn() + Sync),
) -> Vec<FileReport> {
    let files = DiskFiles::new(paths, ir_budget, on_lowered);
    // A panic in the run's analysis (a bug): lint the files in memory, where each file that
    // makes the analysis panic is found and reported, and the others are linted together.
    let Ok((facts, _)) = contained(|| analysis::analyze_run_found(&files, catalog)) else {
        return lint_in_memory(paths, catalog);
    };
    let mut reports: Vec<FileReport> = facts
        .into_par_iter()
        .enumerate()
        .filter_map(|(id, found)| {
            let facts = found.map_or_else(|| Facts::none_in(id), |facts| *facts);
            contained(|| files_report(&files, id, &facts)).unwrap_or_else(|error| {
                let source =
                    SourceFile::new(files.paths[id].clone(), String::new(), files.languages[id]);
                Some(internal_error(source, error))
            })
        })
        .collect();
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    reports
}

/// Reads every file and lints the run with `lint_sources`, whose containment is per file.
fn lint_in_memory(paths: &[PathBuf], catalog: &Catalog) -> Vec<FileReport> {
    let (sources, mut reports): (Vec<_>, Vec<_>) =
        paths.par_iter().filter_map(|path| read_source(path)).partition(Result::is_ok);
    let sources: Vec<SourceFile> = sources.into_iter().filter_map(Result::ok).collect();
    let mut reports: Vec<FileReport> = reports.drain(..).filter_map(Result::err).collect();
    reports.extend(lint_sources(sources, catalog).into_iter().filter(FileReport::says_anything));
    reports.sort_by(|a, b| a.source.path.cmp(&b.source.path));
    reports
}

/// The files of a run on disk, each read and lowered when the analysis asks for it; its IR is
/// kept while the budget lasts.
struct DiskFiles<'a> {
    paths: Vec<&'a PathBuf>,
    languages: Vec<Language>,
    first_looks: Vec<OnceLock<FirstLook>>,
    kept: Vec<Mutex<Option<Arc<LoweredFile>>>>,
    ir_budget: Budget,
    /// Files likely analysed again (`RunFiles::likely_again`), sorted: their IR is kept
    /// first; when there are some, another file's leaves half the budget for them.
    likely_again: OnceLock<Vec<usize>>,
    half_budget: usize,
    /// The text the name scan read, until the file is lowered (boxed: most files' slots stay
    /// empty, and the run has one for every file).
    texts: Vec<Mutex<Option<Box<SourceFile>>>>,
    text_budget: Budget,
    on_lowered: &'a (dyn Fn() + Sync),
    /// Files lowered, again included (what keeping IR saves).
    lowerings: AtomicUsize,
    /// IR lowered ahead of its analysis (`RunFiles::lower_ahead`) while a batch's last files
    /// are analysed, within a quarter of the budget (on the 5,000-file corpus 1 to 13 files
    /// a wave). The last file lowered ahead may overshoot it.
    ahead: Mutex<HashMap<usize, Arc<LoweredFile>>>,
    ahead_budget: Budget,
    /// For each file with facts whose IR is not kept, what the lints will read of it (the
    /// functions its leaks name), while a quarter of the budget lasts; beyond, a report
    /// lowers the file again.
    for_reports: Mutex<HashMap<usize, Arc<LoweredFile>>>,
    report_budget: Budget,
    /// The functions the run's analysis will not ask for, which lowering leaves out.
    leave_out: RwLock<Option<LeaveOut>>,
}

/// What the first reading of a file found, for its report. Kept for every file of the run
/// until its report: a report, rare here, is boxed.
enum FirstLook {
    Read {
        hash: u64,
        errors: Vec<SyntaxError>,
        /// The report needs the text even without findings: it may hold an allow comment
        /// (`fdlint:`), or it was read as Latin-1 (a note says so).
        needs_text: bool,
    },
    Unreadable(Box<FileReport>),
}

impl<'a> DiskFiles<'a> {
    fn new(paths: &'a [PathBuf], budget: usize, on_lowered: &'a (dyn Fn() + Sync)) -> Self {
        let (paths, languages): (Vec<&PathBuf>, Vec<Language>) =
            paths.iter().filter_map(|path| Some((path, language_of(path)?))).unzip();
        DiskFiles {
            first_looks: paths.iter().map(|_| OnceLock::new()).collect(),
            kept: paths.iter().map(|_| Mutex::new(None)).collect(),
            texts: paths.iter().map(|_| Mutex::new(None)).collect(),
            paths,
            languages,
            ir_budget: Budget::new(budget),
            likely_again: OnceLock::new(),
            half_budget: budget / 2,
            text_budget: Budget::new(budget),
            on_lowered,
            lowerings: AtomicUsize::new(0),
            ahead: Mutex::new(HashMap::new()),
            ahead_budget: Budget::new(budget / 4),
            for_reports: Mutex::new(HashMap::new()),
            report_budget: Budget::new(budget / 4),
            leave_out: RwLock::new(None),
        }
    }

    /// Reads and lowers the file; the first time, notes what its report needs. Also whether
    /// this was the first time.
    fn lower(&self, id: usize) -> (Arc<LoweredFile>, bool) {
        let source = match self.take_text(id).map(Ok).or_else(|| read_source(self.paths[id])) {
            Some(Ok(source)) => source,
            Some(Err(report)) => {
                let _ = self.first_looks[id].set(FirstLook::Unreadable(Box::new(report)));
                return (Arc::default(), false);
            }
            None => return (Arc::default(), false),
        };
        let hash = text_hash(&source.text);
        let first = self.first_looks[id].get();
        // The file changed since the first reading: analyse what was read then, nothing more.
        if matches!(first, Some(FirstLook::Read { hash: known, .. }) if *known != hash) {
            return (Arc::default(), false);
        }
        self.lowerings.fetch_add(1, Ordering::Relaxed);
        let leave_out = self.leave_out.read().unwrap_or_else(PoisonError::into_inner).clone();
        let (language, text) = (source.language, source.text.as_str());
        let lowered = contained(|| match &leave_out {
            Some(leave_out) => frontend::lower_only(language, text, &|name, span| {
                !leave_out(language, name, text.get(span.start..span.end).unwrap_or_default())
            }),
            None => frontend::lower(language, text),
        });
        let lowered = match lowered {
            Ok(lowered) => Arc::new(lowered),
            Err(error) => {
                let report = Box::new(internal_error(source, error));
                let _ = self.first_looks[id].set(FirstLook::Unreadable(report));
                return (Arc::default(), false);
            }
        };
        if first.is_none() {
            (self.on_lowered)();
            let needs_text = source.text.contains("fdlint:") || source.read_as_latin1.is_some();
            let look = FirstLook::Read { hash, errors: lowered.errors.clone(), needs_text };
            let _ = self.first_looks[id].set(look);
        }
        (lowered, first.is_none())
    }

    /// Keeps a file's IR, first lowered, if the budget allows.
    fn keep_ir(&self, id: usize, lowered: Arc<LoweredFile>) {
        let likely_again = self.likely_again.get().map_or(&[][..], Vec::as_slice);
        let others_leave = !likely_again.is_empty() && likely_again.binary_search(&id).is_err();
        let leaving = if others_leave { self.half_budget } else { 0 };
        if self.ir_budget.reserve_leaving(approximate_size(&lowered), leaving) {
            *lock(&self.kept[id]) = Some(lowered);
        }
    }

    /// The file's IR for its report: kept whole or the part the lints read, else lowered
    /// again.
    fn ir_for_report(&self, id: usize) -> Arc<LoweredFile> {
        let kept = lock(&self.kept[id]).clone();
        let kept = kept.or_else(|| lock(&self.for_reports).get(&id).cloned());
        kept.unwrap_or_else(|| self.lower(id).0)
    }
}

impl DiskFiles<'_> {
    /// Keeps the text the name scan read for the lowering, if the budget allows.
    fn keep_text(&self, id: usize, source: SourceFile) {
        if self.text_budget.reserve(source.text.len()) {
            *lock(&self.texts[id]) = Some(Box::new(source));
        }
    }

    /// The text kept for the file, given back to the budget.
    fn take_text(&self, id: usize) -> Option<SourceFile> {
        let source = lock(&self.texts[id]).take()?;
        self.text_budget.release(source.text.len());
        Some(*source)
    }

    /// The file's text again, if it is what the analysis read.
    fn read_again(&self, id: usize) -> Option<SourceFile> {
        let Some(FirstLook::Read { hash, .. }) = self.first_looks.get(id)?.get() else {
            return None;
        };
        let source = read_source(self.paths.get(id)?)?.ok()?;
        (text_hash(&source.text) == *hash).then_some(source)
    }
}

impl RunFiles for DiskFiles<'_> {
    fn count(&self) -> usize {
        self.paths.len()
    }

    /// The summaries of a run over files on disk grow with the tree: they wait in an unnamed
    /// temporary file (gone with the process), or in memory when none can be made.
    fn spill(&self) -> Spill {
        tempfile::tempfile().map_or_else(|_| Spill::default(), Spill::in_file)
    }

    fn language(&self, id: usize) -> Language {
        self.languages[id]
    }

    fn with_ir<R>(&self, id: usize, work: impl FnOnce(&LoweredFile) -> R) -> R {
        // Not `if let` on the lock: its guard would be held through `work`.
        let kept = lock(&self.kept[id]).clone();
        if let Some(kept) = kept {
            return work(&kept);
        }
        let ahead = lock(&self.ahead).remove(&id);
        let (lowered, first) = match ahead {
            Some(lowered) => {
                self.ahead_budget.release(approximate_size(&lowered));
                (lowered, true)
            }
            None => self.lower(id),
        };
        if first {
            self.keep_ir(id, Arc::clone(&lowered));
        }
        work(&lowered)
    }

    /// Keeps what the lints will read of a file with facts, unless its whole IR is kept.
    fn analysed(&self, id: usize, file: &LoweredFile, facts: &Facts) {
        let kept = lock(&self.kept[id]).is_some();
        let part = (!facts.is_empty() && !kept).then(|| crate::lints::ir_for_check(facts, file));
        let part = part.filter(|part| self.report_budget.reserve(approximate_size(part)));
        let mut for_reports = lock(&self.for_reports);
        let replaced = match part {
            Some(part) => for_reports.insert(id, Arc::new(part)),
            None => for_reports.remove(&id),
        };
        if let Some(replaced) = replaced {
            self.report_budget.release(approximate_size(&replaced));
        }
    }

    fn likely_again(&self, ids: &[usize]) {
        let _ = self.likely_again.set(ids.to_vec());
    }

    /// The first lowering of a file whose turn comes soon: its IR waits in `ahead`.
    fn lower_ahead(&self, id: usize) -> bool {
        if !self.ahead_budget.has_room() {
            return false;
        }
        if self.first_looks[id].get().is_none() {
            let (lowered, first) = self.lower(id);
            if first {
                self.ahead_budget.take(approximate_size(&lowered));
                lock(&self.ahead).insert(id, lowered);
            }
        }
        true
    }

    fn leave_out(&self, leave_out: Option<LeaveOut>) {
        *self.leave_out.write().unwrap_or_else(PoisonError::into_inner) = leave_out;
        for slot in &self.kept {
            if let Some(lowered) = lock(slot).take() {
                self.ir_budget.release(approximate_size(&lowered));
            }
        }
        for (_, lowered) in lock(&self.ahead).drain() {
            self.ahead_budget.release(approximate_size(&lowered));
        }
        for (_, part) in lock(&self.for_reports).drain() {
            self.report_budget.release(approximate_size(&part));
        }
    }

    /// Read off the text, not parsed: the first round's order needs only a guess.
    fn names(&self, id: usize) -> FileNames {
        match read_source(self.paths[id]) {
            Some(Ok(source)) => {
                let names = frontend::scan_names(source.language, &source.text);
                self.keep_text(id, source);
                names
            }
            _ => FileNames::default(),
        }
    }
}

/// Bytes the run may still keep in memory, shared by the workers.
struct Budget {
    left: AtomicIsize,
}

impl Budget {
    fn new(bytes: usize) -> Self {
        Budget { left: AtomicIsize::new(signed(bytes)) }
    }

    /// Takes `bytes` from the budget if it has them.
    fn reserve(&self, bytes: usize) -> bool {
        self.reserve_leaving(bytes, 0)
    }

    /// Takes `bytes` from the budget if it has them and `leaving` more.
    fn reserve_leaving(&self, bytes: usize, leaving: usize) -> bool {
        let bytes = signed(bytes);
        if self.left.fetch_sub(bytes, Ordering::Relaxed) >= bytes.saturating_add(signed(leaving)) {
            return true;
        }
        self.left.fetch_add(bytes, Ordering::Relaxed);
        false
    }

    /// Takes `bytes` whatever is left: the budget may go below nothing.
    fn take(&self, bytes: usize) {
        self.left.fetch_sub(signed(bytes), Ordering::Relaxed);
    }

    fn has_room(&self) -> bool {
        self.left.load(Ordering::Relaxed) > 0
    }

    fn release(&self, bytes: usize) {
        self.left.fetch_add(signed(bytes), Ordering::Relaxed);
    }
}

fn signed(bytes: usize) -> isize {
    isize::try_from(bytes).unwrap_or(isize::MAX)
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The report of a file read from disk, when it has something to say. Its text (and IR, for
/// fix-its) is needed again only when it has facts, problems or an allow comment; a label in
/// another file reads that one.
fn files_report(files: &DiskFiles, id: usize, facts: &Facts) -> Option<FileReport> {
    let (path, language) = (files.paths[id], files.languages[id]);
    let (errors, needs_text) = match files.first_looks[id].get() {
        Some(FirstLook::Read { errors, needs_text, .. }) => (errors, *needs_text),
        Some(FirstLook::Unreadable(report)) => return Some(FileReport::clone(report)),
        None => return Some(unreadable(path, language, "cannot read".into())),
    };
    if facts.is_empty() && errors.is_empty() && !needs_text {
        return None;
    }
    let Some(source) = files.read_again(id) else {
        let message = "changed while fdlint read it; lint it again";
        return Some(unreadable(path, language, message.into()));
    };
    let locate = |file: usize, span: Span| {
        let source = files.read_again(file).filter(|_| file != facts.file)?;
        let ((line, column), (end_line, end_column)) = source.range(span);
        Some(Elsewhere { path: source.path.clone(), line, column, end_line, end_column })
    };
    let mut diagnostics = if facts.is_empty() {
        Vec::new()
    } else {
        let lowered = files.ir_for_report(id);
        let context = crate::lints::fixes::FileContext { source: &source, lowered: &lowered };
        crate::lints::check(facts, &locate, &context)
    };
    settle(&source, &mut diagnostics);
    let problems_only = LoweredFile { errors: errors.clone(), ..LoweredFile::default() };
    Some(report(source, &problems_only, diagnostics)).filter(FileReport::says_anything)
}

/// To tell a file changed since the run read it: foldhash with a fixed seed, a fraction of
/// SipHash's cost over a whole file.
fn text_hash(text: &str) -> u64 {
    foldhash::quality::FixedState::default().hash_one(text)
}

/// Roughly the bytes a file's IR takes, for the budget: the shallow size of its statements,
/// blocks and locals, times what their strings and vectors add (measured on the generated
/// corpus: about 2.5 times, with the allocator's overhead).
fn approximate_size(file: &LoweredFile) -> usize {
    const HEAP_FACTOR: usize = 3;
    let function_size = |function: &crate::ir::Function| {
        let statements: usize = function.blocks.iter().map(|block| block.stmts.len()).sum();
        function.blocks.len() * std::mem::size_of::<crate::ir::Block>()
            + statements * (std::mem::size_of::<crate::ir::Stmt>() + 64)
            + function.locals.len() * (std::mem::size_of::<crate::ir::Local>() + 16)
    };
    HEAP_FACTOR * file.functions.iter().map(function_size).sum::<usize>()
        + std::mem::size_of::<LoweredFile>()
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

#[cfg(test)]
mod tests {
    use super::*;

    const LEAKING_MAIN: &str = "int main(void) {\n    int fd = socket(2, 1, 0);\n    if (fork() == 0) {\n        for (;;) { sleep(1); }\n    }\n    close(fd);\n    return 0;\n}\n";

    /// A file with a finding is lowered once, whether its IR is kept whole or not (its report
    /// then reads the part of the IR the analysis kept for the lints), and comes out as linting
    /// it alone does.
    #[test]
    fn a_file_with_findings_is_reported_from_what_its_analysis_kept() {
        // Functions that fork (leaving nothing open): the analysis needs them all.
        let other: String = (0..100)
            .map(|i| format!("void f{i}(void) {{ if (fork() == 0) {{ _exit({i}); }} }}\n"))
            .collect();
        let text = format!("{LEAKING_MAIN}{other}");
        let size = |text: &str| approximate_size(&frontend::lower(Language::C, text));
        // The whole IR does not fit, the part (`main`) fits the quarter for reports.
        let part_only = 4 * size(LEAKING_MAIN) + 64;
        assert!(size(&text) > part_only);
        for (budget, part) in [(part_only, Some(1)), (IR_BUDGET_BYTES, None)] {
            let dir = tempfile::tempdir().expect("a temporary folder");
            let path = dir.path().join("leak.c");
            std::fs::write(&path, &text).expect("written");
            let catalog = Catalog::builtin();
            let files = DiskFiles::new(std::slice::from_ref(&path), budget, &|| {});
            let (facts, _) = analysis::analyze_run_measured(&files, &catalog);
            let kept = lock(&files.for_reports).get(&0).map(|part| part.functions.len());
            assert_eq!(kept, part, "main only, when not kept whole; budget {budget}");
            let report = files_report(&files, 0, &facts[0]).expect("a leak to report");
            assert_eq!(files.lowerings.load(Ordering::Relaxed), 1, "lowered once");
            let alone = lint_path(&path, &catalog).expect("a C file");
            assert_eq!(report.diagnostics, alone.diagnostics);
            assert!(!report.diagnostics[0].fixes.is_empty(), "{:?}", report.diagnostics);
        }
    }

    /// A run over a large tree holds reports for what it shows only: a clean file has none,
    /// a file with a finding or a problem has one.
    #[test]
    fn only_files_with_something_to_say_come_back() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let write = |name: &str, text: &str| {
            let path = dir.path().join(name);
            std::fs::write(&path, text).expect("written");
            path
        };
        let clean = write("clean.c", "int main(void) { return 0; }\n");
        let leak = write("leak.c", LEAKING_MAIN);
        let broken = write("broken.rs", "fn main( {\n");
        let reports = lint_paths(&[clean, leak.clone(), broken.clone()], &Catalog::builtin());
        let paths: Vec<&PathBuf> = reports.iter().map(|report| &report.source.path).collect();
        assert_eq!(paths, [&broken, &leak]);
        assert!(reports.iter().all(FileReport::says_anything));
    }

    /// Files on disk leave out of lowering what their analysis does not need; in memory,
    /// every function is lowered: the reports agree.
    #[test]
    fn leaving_functions_out_of_lowering_changes_no_report() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let spec = crate::corpus::CorpusSpec { files: 120, seed: 3 };
        crate::corpus::write_corpus(dir.path(), spec).expect("written");
        let (paths, _) = crate::walk::collect_files(&[dir.path().to_path_buf()]);
        let catalog = Catalog::builtin();
        let on_disk = lint_paths(&paths, &catalog);
        let sources = paths.iter().filter_map(|path| read_source(path)?.ok()).collect();
        let in_memory = lint_sources(sources, &catalog);
        let in_memory: Vec<&FileReport> =
            in_memory.iter().filter(|report| report.says_anything()).collect();
        assert!(on_disk.len() >= 3, "the corpus has leaks");
        assert_eq!(on_disk.len(), in_memory.len());
        for (disk, memory) in on_disk.iter().zip(in_memory) {
            assert_eq!(disk.source.path, memory.source.path);
            assert_eq!(disk.diagnostics, memory.diagnostics);
        }
    }

    #[test]
    fn with_no_room_for_reports_a_file_with_findings_is_lowered_again_for_its_report() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("leak.c");
        std::fs::write(&path, LEAKING_MAIN).expect("written");
        let catalog = Catalog::builtin();
        let files = DiskFiles::new(std::slice::from_ref(&path), 0, &|| {});
        let (facts, _) = analysis::analyze_run_measured(&files, &catalog);
        assert!(lock(&files.for_reports).is_empty());
        let report = files_report(&files, 0, &facts[0]).expect("a leak to report");
        assert_eq!(files.lowerings.load(Ordering::Relaxed), 2);
        assert_eq!(report.diagnostics.len(), 1);
    }

    #[test]
    fn a_file_lowered_ahead_is_analysed_from_that_ir_and_its_room_given_back() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let paths = [dir.path().join("a.c"), dir.path().join("b.c")];
        std::fs::write(&paths[0], "int f(void) { return socket(2, 1, 0); }\n").expect("written");
        std::fs::write(&paths[1], "int g(void) { return f(); }\n").expect("written");
        let files = DiskFiles::new(&paths, IR_BUDGET_BYTES, &|| {});
        let room = signed(IR_BUDGET_BYTES / 4);
        assert!(files.lower_ahead(1));
        assert!(files.lower_ahead(1), "already lowered: nothing more to do, room left");
        assert!(files.ahead_budget.left.load(Ordering::Relaxed) < room);
        let functions = files.with_ir(1, |file| file.functions.len());
        assert_eq!(functions, 1);
        assert_eq!(files.lowerings.load(Ordering::Relaxed), 1, "lowered once, ahead");
        assert!(lock(&files.ahead).is_empty());
        assert_eq!(files.ahead_budget.left.load(Ordering::Relaxed), room);
    }

    #[test]
    fn no_file_is_lowered_ahead_once_the_room_is_taken() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let path = dir.path().join("a.c");
        std::fs::write(&path, "int f(void) { return 0; }\n").expect("written");
        let files = DiskFiles::new(std::slice::from_ref(&path), 0, &|| {});
        assert!(!files.lower_ahead(0), "a budget of nothing keeps nothing ahead");
        assert_eq!(files.lowerings.load(Ordering::Relaxed), 0);
    }

    /// A file without cycles, lowered first, would fill the budget; it leaves half of it for
    /// the files the run expects to analyse again.
    #[test]
    fn the_ir_of_files_likely_analysed_again_is_kept_first() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let big: String =
            (0..60).map(|i| format!("int f{i}(int x) {{ return g(x + {i}); }}\n")).collect();
        let small = "int h(void) { return 1; }\n";
        let paths = [dir.path().join("a.c"), dir.path().join("b.c")];
        std::fs::write(&paths[0], &big).expect("written");
        std::fs::write(&paths[1], small).expect("written");
        let size = |text: &str| approximate_size(&frontend::lower(Language::C, text));
        let budget = size(&big) + size(small) / 2;
        assert!(size(&big) > budget / 2 && size(small) <= budget / 2);
        let kept = |likely: &[usize]| {
            let files = DiskFiles::new(&paths, budget, &|| {});
            files.likely_again(likely);
            files.with_ir(0, |_| ());
            files.with_ir(1, |_| ());
            [0, 1].map(|id| lock(&files.kept[id]).is_some())
        };
        assert_eq!(kept(&[]), [true, false], "first come, first kept");
        assert_eq!(kept(&[1]), [false, true]);
    }

    #[test]
    fn a_reservation_leaving_room_is_refused_when_it_would_take_that_room() {
        let budget = Budget::new(100);
        assert!(!budget.reserve_leaving(80, 25), "only 20 would be left");
        assert!(budget.reserve_leaving(75, 25));
        assert!(!budget.reserve_leaving(1, 25));
        assert!(budget.reserve(25), "the room left is there for a plain reservation");
    }

    #[test]
    fn a_budget_refused_keeps_what_it_had_and_gets_back_what_is_released() {
        let budget = Budget::new(100);
        assert!(budget.reserve(60));
        assert!(!budget.reserve(50), "only 40 left");
        assert!(budget.reserve(40), "the refusal took nothing");
        assert!(!budget.reserve(1));
        budget.release(60);
        assert!(budget.reserve(60));
    }
}

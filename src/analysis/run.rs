//! The analysis of a whole run: every file's functions, with the summaries of every other
//! function of the run, iterated until the summaries settle (bounded, for recursion).
//!
//! A run can be kept alive between edits ([`LiveRun`], for the language server): the
//! summaries of every file stay, and an edit re-analyses only the edited files and the files
//! for which a lookup of a function whose summary the edit changed now finds something else.
//! For the files it is asked to (the open documents), it also keeps each function's outcome,
//! and re-analyses only the functions whose IR or lookups changed (`reuse.rs`).
//!
//! A run over files on disk ([`analyze_run_measured`] over [`RunFiles`]) analyses the files
//! in waves first, callees' files before callers' (`waves.rs`), then re-analyses in a round
//! only the files for which some lookup now finds a different summary: the analysis of a
//! file is a function of its IR and of what its calls find, so every other file would come
//! out the same. The files are reached through `RunFiles`, so a caller may keep their IR or
//! lower them again when a round needs them.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::batch::run_batch;
use super::demand::Demand;
use super::order::{function_callees, last_segment};
use super::reuse::{analyze_file_keeping, FileOutcomes, FunctionOutcome};
use super::spill::{self, Encoded, Spill, Stored};
use super::summary::{Seen, Summaries, SummaryEntry};
use super::tree_names::{NameHashes, TreeNames};
use super::waves::{waves, Waves};
use super::{analyze_file, analyze_file_demanded, Facts, FileAnalysis, Work};
use crate::catalog::Catalog;
use crate::ir::{Callee, FileNames, Language, LoweredFile, TextEdit};

/// Rounds of analysis: the first follows any chain of calls the name scan saw (callees first);
/// the others settle cycles, and calls the scan missed, this many levels deep.
const MAX_ROUNDS: usize = 4;

/// Analyses the files of one run together; the facts come back in the files' order.
pub fn analyze_run(files: &[(&LoweredFile, Language)], catalog: &Catalog) -> Vec<Facts> {
    LiveRun::new(files, catalog).facts
}

/// A run whose summaries and facts are kept, so that an edit recomputes only what it changed.
/// A file is known by its position in the `files` slice, which must stay stable between calls
/// (a deleted file is best kept as an empty `LoweredFile`).
#[derive(Debug, Default)]
pub struct LiveRun {
    summaries: Summaries,
    /// Per file: the summaries it contributed, the last segments of the callees it names, and
    /// the lookups its latest analysis made.
    entries: Vec<Vec<SummaryEntry>>,
    callees: Vec<BTreeSet<String>>,
    seen: Vec<Vec<Seen>>,
    facts: Vec<Facts>,
    /// Per file that keeps them: its functions' outcomes.
    outcomes: Vec<Option<FileOutcomes>>,
    keeps_outcomes: Vec<bool>,
}

/// A file of the run that is new or changed.
#[derive(Debug, Clone)]
pub struct FileChange {
    pub id: usize,
    /// The edit of its text, and for each of its functions the index of the function of its
    /// previous IR it is (moved by the edit) when the frontend kept it; `None` when no function
    /// is known to be one it had.
    pub kept: Option<(TextEdit, Vec<Option<usize>>)>,
    /// Keep its functions' outcomes, so that its next change re-analyses only the functions
    /// that change (the language server's open documents).
    pub keep_outcomes: bool,
}

impl FileChange {
    /// A file whose functions are all new.
    pub fn new_text(id: usize) -> Self {
        FileChange { id, kept: None, keep_outcomes: false }
    }
}

/// What a file's functions were before this update, moved to where they are now: the
/// outcomes a function may keep.
type Candidates = Vec<Option<FunctionOutcome>>;

impl LiveRun {
    /// Analyses every file of the run.
    pub fn new(files: &[(&LoweredFile, Language)], catalog: &Catalog) -> Self {
        let mut run = LiveRun::default();
        let all: Vec<FileChange> = (0..files.len()).map(FileChange::new_text).collect();
        run.update(files, &all, catalog);
        run
    }

    /// The facts of file `id`, as of the last update.
    pub fn facts(&self, id: usize) -> Option<&Facts> {
        self.facts.get(id)
    }

    /// The facts of each function of file `id` (in the file's order), when the run keeps them.
    pub fn function_facts(&self, id: usize) -> Option<Vec<&Facts>> {
        let outcomes = self.outcomes.get(id)?.as_ref()?;
        Some(outcomes.functions.iter().map(|outcome| &outcome.facts).collect())
    }

    /// Re-analyses the `changed` files (new ones included) and whatever their new summaries
    /// affect; returns every file whose facts were recomputed.
    pub fn update(
        &mut self,
        files: &[(&LoweredFile, Language)],
        changed: &[FileChange],
        catalog: &Catalog,
    ) -> BTreeSet<usize> {
        self.grow_to(files.len());
        let mut candidates: HashMap<usize, Candidates> = HashMap::new();
        // A changed file starts as a new one: its summaries name places in its old text, and a
        // recursive call would find them. Every name it had may now find something else.
        let mut forgotten = BTreeSet::new();
        for change in changed {
            let id = change.id;
            for entry in std::mem::take(&mut self.entries[id]) {
                self.summaries.remove(files[id].1, id, &entry.name);
                forgotten.insert(last_segment(&entry.name).to_string());
            }
            self.callees[id] = called_names(files[id].0);
            self.keeps_outcomes[id] = change.keep_outcomes;
            // A file that does not parse (it has no functions then) keeps the outcomes of its
            // last functions for the edit that makes it parse again, which the frontend takes
            // in as an edit of that text.
            if !files[id].0.parses() && change.keep_outcomes {
                continue;
            }
            let previous = self.outcomes[id].take().filter(|_| change.keep_outcomes);
            candidates.insert(id, moved_outcomes(previous, change, files[id].0));
        }
        let mut dirty: BTreeSet<usize> = changed.iter().map(|change| change.id).collect();
        let mut recomputed = dirty.clone();
        for _ in 0..MAX_ROUNDS {
            let mut changed = self.round(files, &dirty, catalog, &mut candidates);
            changed.append(&mut forgotten);
            // Only a file that calls a function whose summary changed can learn anything more,
            // and only if one of its lookups would now find something else (an edit's own file
            // already saw its new summaries).
            dirty = (0..files.len())
                .filter(|&id| !self.callees[id].is_disjoint(&changed))
                .filter(|&id| !self.summaries.still_finds(files[id].1, id, &self.seen[id]))
                .collect();
            if dirty.is_empty() {
                break;
            }
            recomputed.extend(&dirty);
        }
        self.summaries.compact();
        recomputed
    }

    fn grow_to(&mut self, len: usize) {
        if self.facts.len() < len {
            self.entries.resize_with(len, Vec::new);
            self.callees.resize_with(len, BTreeSet::new);
            self.seen.resize_with(len, Vec::new);
            self.facts.resize_with(len, Facts::default);
            self.outcomes.resize_with(len, || None);
            self.keeps_outcomes.resize(len, false);
        }
    }

    /// Analyses the `dirty` files once; returns the last segments of the names whose summaries
    /// changed (appeared, disappeared or differ). A file that keeps outcomes offers its
    /// functions' last ones for reuse (in the update's first round, moved by its edit).
    fn round(
        &mut self,
        files: &[(&LoweredFile, Language)],
        dirty: &BTreeSet<usize>,
        catalog: &Catalog,
        candidates: &mut HashMap<usize, Candidates>,
    ) -> BTreeSet<String> {
        let inputs: Vec<(usize, Option<Candidates>)> = dirty
            .iter()
            .map(|&id| {
                let keeps = self.keeps_outcomes[id] && files[id].0.parses();
                let offered = keeps.then(|| {
                    candidates.remove(&id).unwrap_or_else(|| {
                        let kept = self.outcomes[id].take().map(|o| o.functions);
                        kept.unwrap_or_default().into_iter().map(Some).collect()
                    })
                });
                (id, offered)
            })
            .collect();
        let summaries = &self.summaries;
        let results: Vec<(usize, FileAnalysis, Option<FileOutcomes>)> = inputs
            .into_par_iter()
            .map(|(id, offered)| {
                let (file, language) = files[id];
                match offered {
                    Some(offered) => {
                        let (analysis, outcomes) =
                            analyze_file_keeping(file, language, catalog, summaries, id, offered);
                        (id, analysis, Some(outcomes))
                    }
                    None => (id, analyze_file(file, language, catalog, summaries, id), None),
                }
            })
            .collect();
        let mut changed = BTreeSet::new();
        for (id, analysis, outcomes) in results {
            self.facts[id] = analysis.facts;
            self.seen[id] = analysis.seen;
            if outcomes.is_some() || !self.keeps_outcomes[id] {
                self.outcomes[id] = outcomes;
            }
            changed.extend(self.replace_entries(id, files[id].1, analysis.entries));
        }
        changed
    }

    fn replace_entries(
        &mut self,
        id: usize,
        language: Language,
        entries: Vec<SummaryEntry>,
    ) -> BTreeSet<String> {
        let old = std::mem::take(&mut self.entries[id]);
        let mut changed = BTreeSet::new();
        for gone in old.iter().filter(|o| !entries.iter().any(|e| e.name == o.name)) {
            self.summaries.remove(language, id, &gone.name);
            changed.insert(last_segment(&gone.name).to_string());
        }
        for entry in &entries {
            let encoded = Encoded::of(&entry.summary);
            if self.summaries.replace(language, id, &entry.name, &encoded) {
                changed.insert(last_segment(&entry.name).to_string());
            }
        }
        self.entries[id] = entries;
        changed
    }
}

/// The outcomes a changed file's functions may keep: for each function the frontend kept,
/// the outcome of the function it was, moved by the edit (when the file's glob imports, which
/// the analysis reads, are the same).
fn moved_outcomes(
    previous: Option<FileOutcomes>,
    change: &FileChange,
    file: &LoweredFile,
) -> Candidates {
    let (Some(previous), Some((edit, kept))) = (previous, &change.kept) else {
        return Candidates::new();
    };
    if previous.globs != file.glob_imports {
        return Candidates::new();
    }
    let mut old: Vec<Option<FunctionOutcome>> = previous.functions.into_iter().map(Some).collect();
    kept.iter()
        .map(|index| {
            let outcome = old.get_mut((*index)?)?.take()?;
            outcome.moved(change.id, edit)
        })
        .collect()
}

/// The last segment of every callee a file names.
fn called_names(file: &LoweredFile) -> BTreeSet<String> {
    file.functions.iter().flat_map(function_callees).map(str::to_string).collect()
}

/// The names of a file read off its IR: exact, where the name scan of a text is a guess.
fn names_of_ir(file: &LoweredFile) -> FileNames {
    let mut defined: Vec<&str> = file.functions.iter().map(|f| last_segment(&f.name)).collect();
    defined.sort_unstable();
    defined.dedup();
    let called: BTreeSet<&str> = file.functions.iter().flat_map(function_callees).collect();
    let functions = file
        .functions
        .iter()
        .map(|function| (Some(last_segment(&function.name)), function_callees(function).collect()));
    FileNames::of(defined, called.into_iter().collect(), functions, false)
}

/// The files of a run as the analysis reads them: each one's language, and its IR on demand.
pub trait RunFiles: Sync {
    fn count(&self) -> usize;
    fn language(&self, id: usize) -> Language;
    /// Runs `work` on the file's IR (kept, or lowered for the occasion).
    fn with_ir<R>(&self, id: usize, work: impl FnOnce(&LoweredFile) -> R) -> R;
    /// The file's latest analysis found `facts` in `file`: a caller that lints them later
    /// may keep what the lints will read of the IR.
    fn analysed(&self, id: usize, file: &LoweredFile, facts: &Facts) {
        let _ = (id, file, facts);
    }
    /// The names the file defines and calls, to order the first round (a guess is fine).
    fn names(&self, id: usize) -> FileNames;
    /// These files (sorted) will likely be analysed again in a later round: a caller keeping
    /// IR within a budget may keep theirs first.
    fn likely_again(&self, ids: &[usize]) {
        let _ = ids;
    }
    /// Where the run keeps its summaries: in memory unless the caller gives it a file.
    fn spill(&self) -> Spill {
        Spill::default()
    }
    /// Lowers the file now for its `with_ir` soon, while there is room to hold IR until then;
    /// false when there is none left.
    fn lower_ahead(&self, id: usize) -> bool {
        let _ = id;
        false
    }
    /// From now on, lowering may leave out the functions `leave_out` names (`None`: none):
    /// the analysis will not ask for them. IR lowered before under another choice is dropped.
    fn leave_out(&self, leave_out: Option<LeaveOut>) {
        let _ = leave_out;
    }
}

/// Whether lowering may leave out a function, by its file's language, its name (the last
/// segment) and its text.
pub type LeaveOut = Arc<dyn Fn(Language, &str, &str) -> bool + Send + Sync>;

impl RunFiles for [(&LoweredFile, Language)] {
    fn count(&self) -> usize {
        self.len()
    }

    fn language(&self, id: usize) -> Language {
        self[id].1
    }

    fn with_ir<R>(&self, id: usize, work: impl FnOnce(&LoweredFile) -> R) -> R {
        work(self[id].0)
    }

    fn names(&self, id: usize) -> FileNames {
        names_of_ir(self[id].0)
    }
}

/// `analyze_run` over files reached through `RunFiles`, and the work it did. The first
/// round goes in waves, callees' files first; after it, a file is analysed again only while
/// some summary it looked up has changed since. A later round goes in the same waves, so a
/// summary a file's new analysis changes reaches its callers in the same round, not one
/// caller a round.
pub fn analyze_run_measured<F: RunFiles + ?Sized>(
    files: &F,
    catalog: &Catalog,
) -> (Vec<Facts>, Work) {
    let (found, work) = analyze_run_found(files, catalog);
    let facts = found.into_iter().enumerate();
    let facts = facts.map(|(id, found)| found.map_or_else(|| Facts::none_in(id), |facts| *facts));
    (facts.collect(), work)
}

/// `analyze_run_measured` with each file's facts only when it has some: a run over a large
/// tree, where most files have none, then holds a pointer a file rather than a `Facts`.
pub fn analyze_run_found<F: RunFiles + ?Sized>(
    files: &F,
    catalog: &Catalog,
) -> (Vec<Option<Box<Facts>>>, Work) {
    let (found, work) = analyze_run_as(files, catalog, Skipping::Unneeded);
    if !work.unsound {
        return (found, work);
    }
    // The name scan missed a call that could change a finding: every function, then.
    drop(found);
    let (found, again) = analyze_run_as(files, catalog, Skipping::None);
    let work = Work {
        file_analyses: work.file_analyses + again.file_analyses,
        statements: work.statements + again.statements,
        unsound: true,
    };
    (found, work)
}

/// Which functions a run leaves out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skipping {
    /// Those no finding depends on, as the name scan tells (`demand.rs`).
    Unneeded,
    None,
}

fn analyze_run_as<F: RunFiles + ?Sized>(
    files: &F,
    catalog: &Catalog,
    skipping: Skipping,
) -> (Vec<Option<Box<Facts>>>, Work) {
    let count = files.count();
    let languages: Vec<Language> = (0..count).map(|id| files.language(id)).collect();
    let names: Vec<NameHashes> = (0..count)
        .into_par_iter()
        .map(|id| NameHashes::of(languages[id], files.names(id)))
        .collect();
    let tree = TreeNames::of(&names);
    let Waves { batches, in_cycles } = waves(&names, &tree);
    let functions = names.iter().map(NameHashes::defined).sum();
    let demand =
        (skipping == Skipping::Unneeded).then(|| Arc::new(Demand::of(&names, &tree, catalog)));
    drop((names, tree));
    files.leave_out(demand.clone().map(|demand| -> LeaveOut {
        Arc::new(move |language, name, text| demand.leaves_out(language, name, text))
    }));
    files.likely_again(&in_cycles);
    let mut run = MeasuredRun {
        summaries: Summaries::spilling(files.spill(), functions),
        facts: vec![None; count],
        seen: vec![None; count],
        lookups: files.spill(),
        work: Work::default(),
        demand,
        unsound: AtomicBool::new(false),
    };
    for (index, batch) in batches.iter().enumerate() {
        let next = batches.get(index + 1).map_or(&[][..], Vec::as_slice);
        run.analyze(files, catalog, &languages, batch, next, &mut Changed::Untracked);
    }
    let mut wave_of = vec![0; count];
    for (wave, batch) in batches.iter().enumerate() {
        batch.iter().for_each(|&id| wave_of[id] = wave);
    }
    for _ in 1..MAX_ROUNDS {
        let dirty = run.changed_lookups(&languages, |_| true, |_| true);
        if dirty.is_empty() {
            break;
        }
        run.analyze_again(files, catalog, &languages, &wave_of, dirty);
    }
    let missed = run.demand.as_deref().is_some_and(Demand::missed_a_definition);
    run.work.unsound = run.unsound.into_inner() || missed;
    (run.facts, run.work)
}

struct MeasuredRun {
    summaries: Summaries,
    /// Per file: its facts when it has any. Boxed: a `Facts` is 104 bytes, the run keeps a
    /// slot for every file, and a file where nothing was found needs none.
    facts: Vec<Option<Box<Facts>>>,
    /// Per file: where the lookups its latest analysis made are in `lookups` (a run reads
    /// them again only to check, in a later round, whether they still find the same).
    seen: Vec<Option<Stored>>,
    lookups: Spill,
    work: Work,
    /// Which functions the run needs (`None`: every one), and whether an analysis found the
    /// name scan it was computed from wrong.
    demand: Option<Arc<Demand>>,
    unsound: AtomicBool,
}

impl MeasuredRun {
    /// The lookups file `id` made; `None` when they could not be stored or read back (the
    /// file is then analysed again, as if they had changed).
    fn seen_by(&self, id: usize) -> Option<Vec<Seen>> {
        self.lookups.get(self.seen[id]?)
    }

    /// The files among `candidates` some of whose lookups now find another summary; only
    /// lookups `affected` says a change may reach are checked (each file's read back once).
    fn changed_lookups(
        &self,
        languages: &[Language],
        candidates: impl Fn(usize) -> bool + Sync,
        affected: impl Fn(&[Seen]) -> bool + Sync,
    ) -> Vec<usize> {
        (0..languages.len())
            .into_par_iter()
            .filter(|&id| candidates(id))
            .filter(|&id| match self.seen_by(id) {
                Some(seen) => {
                    affected(&seen) && !self.summaries.still_finds(languages[id], id, &seen)
                }
                None => true,
            })
            .collect()
    }

    /// A later round: the `dirty` files again, wave by wave; after each wave, the files of
    /// later waves whose lookups that wave changed join the round. Each file is analysed at
    /// most once a round.
    fn analyze_again<F: RunFiles + ?Sized>(
        &mut self,
        files: &F,
        catalog: &Catalog,
        languages: &[Language],
        wave_of: &[usize],
        dirty: Vec<usize>,
    ) {
        let mut pending: BTreeSet<(usize, usize)> =
            dirty.into_iter().map(|id| (wave_of[id], id)).collect();
        while let Some(&(wave, _)) = pending.first() {
            let rest = pending.split_off(&(wave + 1, 0));
            let batch: Vec<usize> =
                std::mem::replace(&mut pending, rest).into_iter().map(|(_, id)| id).collect();
            let mut changed = Changed::Names(HashSet::new());
            self.analyze(files, catalog, languages, &batch, &[], &mut changed);
            let later = |id: usize| wave_of[id] > wave && !pending.contains(&(wave_of[id], id));
            let joining = self.changed_lookups(languages, later, |seen| changed.may_affect(seen));
            pending.extend(joining.into_iter().map(|id| (wave_of[id], id)));
        }
    }

    /// Analyses a batch of files in parallel with the summaries known so far, then adds theirs.
    /// A worker with nothing of the batch left lowers the `next` batch's files meanwhile.
    fn analyze<F: RunFiles + ?Sized>(
        &mut self,
        files: &F,
        catalog: &Catalog,
        languages: &[Language],
        batch: &[usize],
        next: &[usize],
        changed: &mut Changed,
    ) {
        let summaries = &self.summaries;
        let (demand, unsound) = (self.demand.as_deref(), &self.unsound);
        let spill = Mutex::new(std::mem::take(&mut self.lookups));
        let analyse = |index: usize| {
            let id = batch[index];
            let analysis = files.with_ir(id, |file| {
                let analysis =
                    analyze_file_demanded(file, languages[id], catalog, summaries, id, demand);
                files.analysed(id, file, &analysis.facts);
                analysis
            });
            if analysis.unsound {
                unsound.store(true, Ordering::Relaxed);
            }
            (id, Pending::new(analysis, &spill))
        };
        let ahead = AtomicUsize::new(0);
        let lower_ahead = || {
            let next = next.get(ahead.fetch_add(1, Ordering::Relaxed));
            next.is_some_and(|&id| files.lower_ahead(id))
        };
        let results = run_batch(batch.len(), analyse, lower_ahead);
        self.lookups = spill.into_inner().unwrap_or_else(PoisonError::into_inner);
        for (id, pending) in results {
            self.work.file_analyses += 1;
            self.work.statements += pending.statements;
            // A result the spill lost: the file is analysed again next round, as if its
            // lookups had changed.
            self.seen[id] = pending.seen;
            let Some(result) = pending.result(&self.lookups) else {
                self.seen[id] = None;
                continue;
            };
            self.facts[id] = (!result.facts.is_empty()).then(|| Box::new(result.facts));
            for (name, summary) in result.entries {
                let language = languages[id];
                if self.summaries.replace(language, id, &name, &summary) {
                    changed.note(&name);
                }
            }
        }
    }
}

/// The last segments of the names whose summaries a batch changed: only a lookup of one of
/// them can now find something else (a lookup goes by a name's last segments). The first
/// round, which checks every file after it, does not keep them.
enum Changed {
    Untracked,
    Names(HashSet<String>),
}

impl Changed {
    fn note(&mut self, name: &str) {
        let Changed::Names(names) = self else { return };
        let last = last_segment(name);
        if !names.contains(last) {
            names.insert(last.to_string());
        }
    }

    /// Whether a file with these lookups may find something else now.
    fn may_affect(&self, seen: &[Seen]) -> bool {
        let Changed::Names(names) = self else { return true };
        let named = |callee: &Callee| match callee {
            Callee::Path(path) | Callee::Method(path) => names.contains(last_segment(path)),
            Callee::Unknown => false,
        };
        !names.is_empty() && seen.iter().any(|(callee, _)| named(callee))
    }
}

/// A file's analysis as a batch keeps it until the batch ends (a wave may have thousands of
/// files): in the spill, with its lookups stored apart for the checks of later rounds.
struct Pending {
    statements: usize,
    seen: Option<Stored>,
    /// What the merge needs; kept in memory when it could not be stored.
    result: Result<Stored, Box<Analysed>>,
}

/// What a file's analysis adds to the run: its facts and its functions' summaries, encoded
/// as the run keeps them.
#[derive(Serialize, Deserialize)]
struct Analysed {
    facts: Facts,
    entries: Vec<(String, Encoded)>,
}

impl Pending {
    fn new(analysis: FileAnalysis, spill: &Mutex<Spill>) -> Self {
        let entries = analysis.entries.into_iter();
        let entries = entries.map(|entry| (entry.name, Encoded::of(&entry.summary))).collect();
        let analysed = Analysed { facts: analysis.facts, entries };
        // Encoded before the lock: the other workers wait only for the copy.
        let seen = spill::encode(&analysis.seen);
        let result = spill::encode(&analysed);
        let mut spill = spill.lock().unwrap_or_else(PoisonError::into_inner);
        let seen = seen.and_then(|bytes| spill.put_encoded(&bytes));
        let result = result.and_then(|bytes| spill.put_encoded(&bytes));
        drop(spill);
        let result = match result {
            Some(stored) => Ok(stored),
            None => Err(Box::new(analysed)),
        };
        Pending { statements: analysis.statements, seen, result }
    }

    /// The analysis' result; `None` when the spill cannot give it back.
    fn result(self, spill: &Spill) -> Option<Analysed> {
        match self.result {
            Ok(stored) => spill.get(stored),
            Err(held) => Some(*held),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frontend;

    const OPENER: &str = "int open_conn(void) { int fd = socket(2, 1, 0); return fd; }";
    const NOT_OPENER: &str = "int open_conn(void) { return -1; }";
    const FORKER: &str = "int main(void) { int fd = open_conn(); if (fork() == 0) { for (;;) { sleep(1); } } serve(fd); return 0; }";
    const BYSTANDER: &str = "void log_line(void) { puts(\"x\"); }";

    fn lower(text: &str) -> LoweredFile {
        frontend::lower(Language::C, text)
    }

    /// `open_conn` learns that it opens a connection only in the second round (it and `make`
    /// call each other across two files); the news must climb four files of callers to the
    /// fork, one wave each, within the rounds there are.
    #[test]
    fn a_later_round_carries_a_changed_summary_up_every_wave_of_callers() {
        let texts = [
            "int open_conn(void) { return make(); }".to_string(),
            "int make(void) { int fd = socket(2, 1, 0); return fd; } void again(void) { open_conn(); }"
                .to_string(),
            "int get1(void) { return open_conn(); }".to_string(),
            "int get2(void) { return get1(); }".to_string(),
            "int get3(void) { return get2(); }".to_string(),
            FORKER.replace("open_conn", "get3"),
        ];
        let lowered: Vec<LoweredFile> = texts.iter().map(|text| lower(text)).collect();
        let run: Vec<(&LoweredFile, Language)> = lowered.iter().map(|f| (f, Language::C)).collect();
        let (facts, work) = analyze_run_measured(run.as_slice(), &Catalog::builtin());
        assert_eq!(facts[5].leaks.len(), 1, "the fork in main sees get3's connection");
        // Six in the first round; in the second, `open_conn`'s file, which saw `make` before
        // its summary, and the four callers. `again` calls `open_conn` but no finding depends
        // on it: it is left out, and its file's lookups never change.
        assert_eq!(work.file_analyses, 6 + 5);
    }

    #[test]
    fn an_edit_recomputes_the_edited_file_and_its_callers_only_and_agrees_with_a_full_run() {
        let catalog = Catalog::builtin();
        let mut lowered = [lower(OPENER), lower(FORKER), lower(BYSTANDER)];
        let files = |lowered: &[LoweredFile; 3]| -> Vec<(LoweredFile, Language)> {
            lowered.iter().map(|f| (f.clone(), Language::C)).collect()
        };
        let as_run = |owned: &[(LoweredFile, Language)]| -> Vec<Facts> {
            let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
            analyze_run(&run, &catalog)
        };
        let owned = files(&lowered);
        let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
        let mut live = LiveRun::new(&run, &catalog);
        assert_eq!(live.facts(1).unwrap().leaks.len(), 1);

        lowered[0] = lower(NOT_OPENER);
        let owned = files(&lowered);
        let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
        let recomputed = live.update(&run, &[FileChange::new_text(0)], &catalog);
        assert_eq!(recomputed, BTreeSet::from([0, 1]));
        assert!(live.facts(1).unwrap().leaks.is_empty());
        let full = as_run(&owned);
        for (id, facts) in full.iter().enumerate() {
            assert_eq!(live.facts(id), Some(facts), "file {id}");
        }

        // The opener comes back, under a new name first: a call to a vanished name is unknown.
        lowered[0] = lower(&OPENER.replace("open_conn", "open_other"));
        let owned = files(&lowered);
        let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
        live.update(&run, &[FileChange::new_text(0)], &catalog);
        lowered[0] = lower(OPENER);
        let owned = files(&lowered);
        let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
        live.update(&run, &[FileChange::new_text(0)], &catalog);
        assert_eq!(live.facts(1).unwrap().leaks.len(), 1);
        assert_eq!(Some(&as_run(&owned)[1]), live.facts(1));
    }

    type Found = Vec<Option<Box<Facts>>>;

    /// Files reached as the driver reaches files on disk: names read off the text.
    struct Scanned {
        texts: Vec<(String, Language)>,
        lowered: Vec<LoweredFile>,
    }

    impl Scanned {
        fn new(texts: Vec<(String, Language)>) -> Self {
            let lowered = texts.iter().map(|(text, language)| frontend::lower(*language, text));
            Scanned { lowered: lowered.collect(), texts }
        }

        /// Facts and work with functions left out, then without.
        fn both_ways(&self) -> ((Found, Work), Found) {
            let catalog = Catalog::builtin();
            let every = analyze_run_as(self, &catalog, Skipping::None).0;
            (analyze_run_found(self, &catalog), every)
        }
    }

    impl RunFiles for Scanned {
        fn count(&self) -> usize {
            self.texts.len()
        }

        fn language(&self, id: usize) -> Language {
            self.texts[id].1
        }

        fn with_ir<R>(&self, id: usize, work: impl FnOnce(&LoweredFile) -> R) -> R {
            work(&self.lowered[id])
        }

        fn names(&self, id: usize) -> FileNames {
            frontend::scan_names(self.texts[id].1, &self.texts[id].0)
        }
    }

    #[test]
    fn leaving_out_what_no_finding_needs_changes_no_finding() {
        let spec = crate::corpus::CorpusSpec { files: 200, seed: 7 };
        let texts = (0..spec.files).map(|index| {
            let (path, text) = crate::corpus::corpus_file(spec, index);
            let rust = path.extension().is_some_and(|extension| extension == "rs");
            (text, if rust { Language::Rust } else { Language::C })
        });
        let files = Scanned::new(texts.collect());
        let ((left_out, work), every) = files.both_ways();
        assert!(!work.unsound);
        assert_eq!(left_out, every);
        assert!(left_out.iter().flatten().count() >= 5, "the corpus has leaks to find");
        let everything = analyze_run_as(&files, &Catalog::builtin(), Skipping::None).1;
        assert!(work.statements * 4 < everything.statements * 3, "{work:?} {everything:?}");
    }

    #[test]
    fn a_run_whose_name_scan_missed_a_fork_analyses_everything_again() {
        // The scan does not see a K&R definition: it takes `caller` for a function that cannot
        // report, though the child of `detach`'s fork runs on with `caller`'s connection.
        let detach = "int detach(flags) int flags; { if (fork() != 0) { _exit(0); } return 0; }";
        let caller =
            "void caller(void) { int fd = socket(2, 1, 0); detach(0); for (;;) { sleep(1); } }";
        let files = Scanned::new(vec![
            (detach.to_string(), Language::C),
            (caller.to_string(), Language::C),
        ]);
        let ((found, work), every) = files.both_ways();
        assert!(work.unsound);
        assert_eq!(found, every);
        assert!(found[1].is_some(), "the leak in `caller` is found");
    }
}

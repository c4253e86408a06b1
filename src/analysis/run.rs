//! The analysis of a whole run: every file's functions, with the summaries of every other
//! function of the run, iterated until the summaries settle (bounded, for recursion).
//!
//! A run can be kept alive between edits ([`LiveRun`], for the language server): the
//! summaries of every file stay, and an edit re-analyses only the edited files and the files
//! that call a function whose summary the edit changed.

use std::collections::BTreeSet;

use rayon::prelude::*;

use super::summary::{Summaries, SummaryEntry};
use super::{analyze_file, Facts};
use crate::catalog::Catalog;
use crate::ir::{Callee, Language, LoweredFile, StmtKind};

/// Rounds of summary refinement: a chain of calls this deep (or a cycle) is followed.
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
    /// Per file: the summaries it contributed, and the last segments of the callees it names.
    entries: Vec<Vec<SummaryEntry>>,
    callees: Vec<BTreeSet<String>>,
    facts: Vec<Facts>,
}

impl LiveRun {
    /// Analyses every file of the run.
    pub fn new(files: &[(&LoweredFile, Language)], catalog: &Catalog) -> Self {
        let mut run = LiveRun::default();
        let all: Vec<usize> = (0..files.len()).collect();
        run.update(files, &all, catalog);
        run
    }

    /// The facts of file `id`, as of the last update.
    pub fn facts(&self, id: usize) -> Option<&Facts> {
        self.facts.get(id)
    }

    /// Re-analyses the `edited` files (new ones included) and whatever their new summaries
    /// affect; returns every file whose facts were recomputed.
    pub fn update(
        &mut self,
        files: &[(&LoweredFile, Language)],
        edited: &[usize],
        catalog: &Catalog,
    ) -> BTreeSet<usize> {
        self.grow_to(files.len());
        for &id in edited {
            self.callees[id] = called_names(files[id].0);
        }
        let mut dirty: BTreeSet<usize> = edited.iter().copied().collect();
        let mut recomputed = dirty.clone();
        for _ in 0..MAX_ROUNDS {
            let changed = self.round(files, &dirty, catalog);
            // Only a file that calls a function whose summary changed can learn anything more.
            dirty =
                (0..files.len()).filter(|&id| !self.callees[id].is_disjoint(&changed)).collect();
            if dirty.is_empty() {
                break;
            }
            recomputed.extend(&dirty);
        }
        recomputed
    }

    fn grow_to(&mut self, len: usize) {
        if self.facts.len() < len {
            self.entries.resize_with(len, Vec::new);
            self.callees.resize_with(len, BTreeSet::new);
            self.facts.resize_with(len, Facts::default);
        }
    }

    /// Analyses the `dirty` files once; returns the last segments of the names whose summaries
    /// changed (appeared, disappeared or differ).
    fn round(
        &mut self,
        files: &[(&LoweredFile, Language)],
        dirty: &BTreeSet<usize>,
        catalog: &Catalog,
    ) -> BTreeSet<String> {
        let summaries = &self.summaries;
        let results: Vec<(usize, Facts, Vec<SummaryEntry>)> = dirty
            .par_iter()
            .map(|&id| {
                let (file, language) = files[id];
                let (facts, entries) = analyze_file(file, language, catalog, summaries, id);
                (id, facts, entries)
            })
            .collect();
        let mut changed = BTreeSet::new();
        for (id, facts, entries) in results {
            self.facts[id] = facts;
            changed.extend(self.replace_entries(id, files[id].1, entries));
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
            if self.summaries.get(language, id, &entry.name) != Some(&entry.summary) {
                changed.insert(last_segment(&entry.name).to_string());
                self.summaries.insert(language, entry.clone());
            }
        }
        self.entries[id] = entries;
        changed
    }
}

/// The last segment of every callee a file names.
fn called_names(file: &LoweredFile) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for function in &file.functions {
        for block in &function.blocks {
            for stmt in &block.stmts {
                let (StmtKind::Assign { value: crate::ir::Rvalue::Call(call), .. }
                | StmtKind::Eval(crate::ir::Rvalue::Call(call))) = &stmt.kind
                else {
                    continue;
                };
                match &call.callee {
                    Callee::Path(path) | Callee::Method(path) => {
                        names.insert(last_segment(path).to_string());
                    }
                    Callee::Unknown => {}
                }
            }
        }
    }
    names
}

fn last_segment(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
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
        let recomputed = live.update(&run, &[0], &catalog);
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
        live.update(&run, &[0], &catalog);
        lowered[0] = lower(OPENER);
        let owned = files(&lowered);
        let run: Vec<(&LoweredFile, Language)> = owned.iter().map(|(f, l)| (f, *l)).collect();
        live.update(&run, &[0], &catalog);
        assert_eq!(live.facts(1).unwrap().leaks.len(), 1);
        assert_eq!(Some(&as_run(&owned)[1]), live.facts(1));
    }
}

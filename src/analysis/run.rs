//! The analysis of a whole run: every file's functions, with the summaries of every other
//! function of the run, iterated until the summaries settle (bounded, for recursion).

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
    let callees: Vec<BTreeSet<String>> =
        files.par_iter().map(|(file, _)| called_names(file)).collect();
    let mut summaries = Summaries::default();
    let mut facts: Vec<Facts> = vec![Facts::default(); files.len()];
    let mut dirty: Vec<bool> = vec![true; files.len()];
    for _ in 0..MAX_ROUNDS {
        let results: Vec<Option<(Facts, Vec<SummaryEntry>)>> = files
            .par_iter()
            .enumerate()
            .map(|(id, (file, language))| {
                dirty[id].then(|| analyze_file(file, *language, catalog, &summaries, id))
            })
            .collect();
        let mut changed: BTreeSet<String> = BTreeSet::new();
        for (id, result) in results.into_iter().enumerate() {
            let Some((file_facts, entries)) = result else { continue };
            facts[id] = file_facts;
            for entry in entries {
                let language = files[id].1;
                if summaries.get(language, id, &entry.name) != Some(&entry.summary) {
                    changed.insert(last_segment(&entry.name).to_string());
                    summaries.insert(language, entry);
                }
            }
        }
        // Only a file that calls a function whose summary changed can learn anything more.
        dirty = callees.iter().map(|names| !names.is_disjoint(&changed)).collect();
        if !dirty.contains(&true) {
            break;
        }
    }
    facts
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

//! Keeping a function's analysis while nothing it depends on changed. The analysis of a
//! function is a function of its IR, of what its calls find (its recorded lookups), of the
//! file's glob imports and of the catalog; and it treats spans only as names, compared and
//! ordered. So when an edit leaves a function's IR alone (moved by the edit's length) and its
//! lookups find what they found (moved alike), its facts and summary are those it had, moved:
//! the language server re-analyses only the functions an edit changed.

use super::moving::Mover;
use super::order::callees_first;
use super::summary::{Seen, Summaries, Summary, SummaryEntry, SummaryView};
use super::{analyze_one, file_results, Facts, FileAnalysis};
use crate::catalog::Catalog;
use crate::ir::{Language, LoweredFile, TextEdit};

/// What the analysis of one function produced, and the lookups it made.
#[derive(Debug, Clone)]
pub struct FunctionOutcome {
    pub facts: Facts,
    pub summary: Summary,
    pub seen: Vec<Seen>,
}

impl FunctionOutcome {
    /// The outcome after `edit` of the file `file`, every span of that file moved; `None` when
    /// one of them touches the edited range.
    pub fn moved(mut self, file: usize, edit: &TextEdit) -> Option<FunctionOutcome> {
        let mut mover = Mover::new(file, edit);
        mover.facts(&mut self.facts);
        mover.summary(&mut self.summary);
        mover.seen(&mut self.seen);
        mover.all_moved().then_some(self)
    }
}

/// The outcomes of a file's functions (in the file's order), and the glob imports the file
/// had when they were analysed.
#[derive(Debug, Clone, Default)]
pub struct FileOutcomes {
    pub globs: Vec<String>,
    pub functions: Vec<FunctionOutcome>,
}

/// `analyze_file`, keeping each function's outcome, and taking `candidates[i]` as the outcome
/// of function `i` when every lookup it made finds the same now (it is not analysed then).
pub fn analyze_file_keeping(
    file: &LoweredFile,
    language: Language,
    catalog: &Catalog,
    summaries: &Summaries,
    file_id: usize,
    mut candidates: Vec<Option<FunctionOutcome>>,
) -> (FileAnalysis, FileOutcomes) {
    let mut view = SummaryView::per_function(summaries, file_id);
    let mut outcomes: Vec<Option<FunctionOutcome>> = vec![None; file.functions.len()];
    let mut statements = 0;
    for index in callees_first(file) {
        let function = &file.functions[index];
        let candidate = candidates.get_mut(index).and_then(Option::take);
        let still_holds = |candidate: &FunctionOutcome| {
            let finds = |(callee, found): &Seen| view.find(language, callee) == found.as_ref();
            candidate.seen.iter().all(finds)
        };
        let outcome = match candidate.filter(still_holds) {
            Some(kept) => {
                kept.seen.iter().for_each(|(callee, found)| view.record(callee, found));
                kept
            }
            None => {
                let (facts, summary, visited) =
                    analyze_one(function, file, language, catalog, &view, file_id);
                statements += visited;
                FunctionOutcome { facts, summary, seen: view.take_function_seen() }
            }
        };
        let summary = outcome.summary.clone();
        view.add_own(
            language,
            SummaryEntry { name: function.name.clone(), file: file_id, summary },
        );
        outcomes[index] = Some(outcome);
    }
    let functions: Vec<FunctionOutcome> = outcomes.into_iter().flatten().collect();
    let results = functions.iter().map(|o| (o.facts.clone(), o.summary.clone()));
    let (facts, entries) = file_results(file, file_id, results);
    let analysis = FileAnalysis { facts, entries, statements, seen: view.into_seen() };
    (analysis, FileOutcomes { globs: file.glob_imports.clone(), functions })
}

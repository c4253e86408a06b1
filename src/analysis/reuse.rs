//! Keeping a function's analysis while nothing it depends on changed. The analysis of a
//! function is a function of its IR, of what its calls find (its recorded lookups), of the
//! file's glob imports and of the catalog; and it treats spans only as names, compared and
//! ordered. So when an edit leaves a function's IR alone (moved by the edit's length) and its
//! lookups find what they found (moved alike), its facts and summary are those it had, moved:
//! the language server re-analyses only the functions an edit changed.

use super::moving::Mover;
use super::order::callees_first;
use super::summary::{FunctionSeen, Summaries, Summary, SummaryEntry, SummaryView};
use super::{analyze_one, file_results, Facts, FileAnalysis};
use crate::catalog::Catalog;
use crate::ir::{Language, LoweredFile, TextEdit};

/// What the analysis of one function produced, and the lookups it made.
#[derive(Debug, Clone)]
pub struct FunctionOutcome {
    pub facts: Facts,
    pub summary: Summary,
    pub seen: Vec<FunctionSeen>,
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
            let finds =
                |(callee, found): &FunctionSeen| view.find_summary(language, callee) == *found;
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
    let results = functions.iter().map(|o| Some((o.facts.clone(), o.summary.clone())));
    let (facts, entries) = file_results(file, file_id, results.collect());
    let seen = view.into_seen();
    let analysis = FileAnalysis { facts, entries, statements, seen, unsound: false };
    (analysis, FileOutcomes { globs: file.glob_imports.clone(), functions })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::many_functions;
    use crate::frontend::incremental::{lower_keeping, relower};

    #[test]
    fn an_edit_in_one_function_analyses_that_function_alone_and_finds_the_same() {
        let (language, catalog, summaries) =
            (Language::C, Catalog::builtin(), Summaries::default());
        let text = many_functions(language, 300);
        let (file, mut parse) = lower_keeping(language, &text);
        let (_, before) =
            analyze_file_keeping(&file, language, &catalog, &summaries, 0, Vec::new());
        // A line typed into the fourth function that has a `total`.
        let at = text.match_indices("    int total = 0;\n").nth(3).unwrap().0;
        let new_text = format!("{}    total = 1;\n{}", &text[..at], &text[at..]);
        let relowered = relower(&mut parse, language, file, &text, &new_text);
        let (edit, kept) = relowered.kept.expect("an incremental relowering");
        let candidates: Vec<Option<FunctionOutcome>> = (kept.iter())
            .map(|index| before.functions[(*index)?].clone().moved(0, &edit))
            .collect();
        let file = &relowered.file;
        let (kept_run, _) =
            analyze_file_keeping(file, language, &catalog, &summaries, 0, candidates);
        let (fresh_run, _) =
            analyze_file_keeping(file, language, &catalog, &summaries, 0, Vec::new());
        assert_eq!(kept_run.facts, fresh_run.facts);
        let summaries_of = |run: &FileAnalysis| -> Vec<Summary> {
            run.entries.iter().map(|entry| entry.summary.clone()).collect()
        };
        assert_eq!(summaries_of(&kept_run), summaries_of(&fresh_run));
        assert!(!fresh_run.facts.leaks.is_empty());
        let per_function = fresh_run.statements / file.functions.len();
        assert!(kept_run.statements < 3 * per_function, "{} statements", kept_run.statements);
    }
}

//! The files the language server knows: every `.rs`, `.c` and `.h` file of the workspace
//! folders, each with its text and lowered IR, analysed together as one live run. An edit
//! re-lowers only the edited files, and the run re-analyses only what the edit changed.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::{FileChange, LiveRun};
use crate::catalog::Catalog;
use crate::driver::{self, FileReport};
use crate::frontend;
use crate::ir::{Language, LoweredFile};
use crate::source::{language_of, SourceFile};
use crate::walk;

/// A file's path and what it holds now: its text, or `None` when it no longer exists.
pub type Change = (PathBuf, Option<String>);

pub struct Workspace {
    catalog: Catalog,
    /// A file keeps its position (its id in the run) in both for the life of the server; a
    /// deleted file stays as an empty one.
    sources: Vec<SourceFile>,
    lowered: Vec<LoweredFile>,
    ids: HashMap<PathBuf, usize>,
    run: LiveRun,
}

impl Workspace {
    pub fn new(catalog: Catalog) -> Self {
        Workspace {
            catalog,
            sources: Vec::new(),
            lowered: Vec::new(),
            ids: HashMap::new(),
            run: LiveRun::default(),
        }
    }

    /// Reads every file fdlint lints under `roots` (as the command line walks them) and
    /// analyses them together. Returns the problems met walking.
    pub fn index(&mut self, roots: &[PathBuf]) -> Vec<String> {
        let (paths, mut problems) = walk::collect_files(roots);
        let read: Vec<Result<Change, String>> = paths
            .par_iter()
            .filter_map(|path| driver::read_source(path))
            .map(|result| match result {
                Ok(source) => Ok((source.path, Some(source.text))),
                Err(report) => {
                    let why = report.problems.first().map_or("", |p| p.message.as_str());
                    Err(format!("{}: {why}", report.source.path.display()))
                }
            })
            .collect();
        let mut changes = Vec::new();
        for result in read {
            match result {
                Ok(change) => changes.push(change),
                Err(problem) => problems.push(problem),
            }
        }
        self.apply(changes);
        problems
    }

    /// Takes in new texts (or deletions) and recomputes what they change; returns the files
    /// whose findings may have changed.
    pub fn apply(&mut self, changes: Vec<Change>) -> Vec<PathBuf> {
        let lowered: Vec<(PathBuf, Language, String, LoweredFile)> = changes
            .into_par_iter()
            .filter_map(|(path, text)| {
                let language = language_of(&path)?;
                let text = text.unwrap_or_default();
                let lowered = frontend::lower(language, &text);
                Some((path, language, text, lowered))
            })
            .collect();
        let mut edited = Vec::new();
        for (path, language, text, lowered) in lowered {
            let source = SourceFile::new(path.clone(), text, language);
            let id = *self.ids.entry(path).or_insert(self.sources.len());
            if id == self.sources.len() {
                self.sources.push(source);
                self.lowered.push(lowered);
            } else {
                self.sources[id] = source;
                self.lowered[id] = lowered;
            }
            edited.push(id);
        }
        let run: Vec<(&LoweredFile, Language)> =
            self.lowered.iter().zip(&self.sources).map(|(l, s)| (l, s.language)).collect();
        let changes: Vec<FileChange> = edited.iter().map(|&id| FileChange::new_text(id)).collect();
        let recomputed: BTreeSet<usize> = self.run.update(&run, &changes, &self.catalog);
        recomputed.into_iter().map(|id| self.sources[id].path.clone()).collect()
    }

    /// The findings in one file as of the last change.
    pub fn report(&self, path: &Path) -> Option<FileReport> {
        let id = *self.ids.get(path)?;
        let diagnostics = driver::check(self.run.facts(id)?, &self.sources, &self.lowered);
        Some(driver::report(self.sources[id].clone(), &self.lowered[id], diagnostics))
    }

    /// The text the workspace holds for a file: the editor's when it is open.
    pub fn text(&self, path: &Path) -> Option<&str> {
        self.ids.get(path).map(|&id| self.sources[id].text.as_str())
    }

    pub fn contains(&self, path: &Path) -> bool {
        self.ids.contains_key(path)
    }
}

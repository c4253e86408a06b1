//! The files the language server knows: every `.rs`, `.c` and `.h` file of the workspace
//! folders, each with its text and lowered IR, analysed in live runs grouped by config
//! (`groups`). An edit re-lowers only what it changed in the edited files (`frontend::
//! incremental`), the runs re-analyse only the functions whose IR or lookups changed, and the
//! findings of the functions whose facts stayed the same are moved rather than built again
//! (`findings`). Open documents keep what this needs; files known only from disk do not.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::findings::Findings;
use super::groups::Groups;
use crate::analysis::FileChange;
use crate::catalog::Catalog;
use crate::diagnostics::Diagnostic;
use crate::driver::{self, FileReport};
use crate::frontend::incremental::{self, KeptParse, Relowered};
use crate::ir::{Language, LoweredFile};
use crate::source::{language_of, SourceFile};
use crate::walk;

/// A file's path and what it holds now: its text, or `None` when it no longer exists.
pub type Change = (PathBuf, Option<String>);

pub struct Workspace {
    /// A file keeps its position (its id in the runs) in every vector for the life of the
    /// server; a deleted file stays as an empty one.
    sources: Vec<SourceFile>,
    lowered: Vec<LoweredFile>,
    /// Per file edited in the editor: what its frontend kept of its parse, and its findings
    /// by function (once reported).
    editing: Vec<bool>,
    parses: Vec<Option<KeptParse>>,
    findings: Vec<Option<Findings>>,
    ids: HashMap<PathBuf, usize>,
    groups: Groups,
    /// Workers with stacks large enough to parse Rust on: without them every Rust file
    /// lowered would start a thread of its own (and fault in its stack).
    pool: Option<Arc<rayon::ThreadPool>>,
}

/// A file to take in: its id, and its new text.
struct Incoming {
    id: usize,
    language: Language,
    text: String,
}

impl Workspace {
    /// Every file analysed with `catalog`, whatever the configs say.
    pub fn new(catalog: Catalog) -> Self {
        Workspace::with_groups(Groups::fixed(catalog))
    }

    /// Each file analysed with the catalog of its nearest config (the built-in models and the
    /// config's `[[api]]` models), together with the files that share it, as `fdlint` does.
    pub fn configured() -> Self {
        Workspace::with_groups(Groups::configured())
    }

    fn with_groups(groups: Groups) -> Self {
        Workspace {
            sources: Vec::new(),
            lowered: Vec::new(),
            editing: Vec::new(),
            parses: Vec::new(),
            findings: Vec::new(),
            ids: HashMap::new(),
            groups,
            pool: driver::worker_pool(0).map(Arc::new),
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
        self.apply_from_disk(changes);
        problems
    }

    /// Takes in the editor's texts of open documents, keeping what makes their next edits
    /// cheap; returns the files whose findings may have changed.
    pub fn apply(&mut self, changes: Vec<Change>) -> Vec<PathBuf> {
        self.take_in(changes, true)
    }

    /// Takes in texts read from disk (or deletions) of files not open in the editor.
    pub fn apply_from_disk(&mut self, changes: Vec<Change>) -> Vec<PathBuf> {
        self.take_in(changes, false)
    }

    /// Reads the configs again and analyses every file anew with its config's catalog;
    /// returns every file.
    pub fn reload_configs(&mut self) -> Vec<PathBuf> {
        self.findings.iter_mut().for_each(|findings| *findings = None);
        let paths: Vec<&Path> = self.sources.iter().map(|s| s.path.as_path()).collect();
        let run = run_of(&self.lowered, &self.sources);
        self.groups.reload(&paths, &run, &self.editing);
        self.sources.iter().map(|source| source.path.clone()).collect()
    }

    fn take_in(&mut self, changes: Vec<Change>, editing: bool) -> Vec<PathBuf> {
        match self.pool.clone() {
            Some(pool) => pool.install(|| self.take_in_here(changes, editing)),
            None => self.take_in_here(changes, editing),
        }
    }

    fn take_in_here(&mut self, changes: Vec<Change>, editing: bool) -> Vec<PathBuf> {
        // A file named twice (a watcher's events) takes its last text.
        let mut latest: BTreeMap<usize, (Language, String)> = BTreeMap::new();
        for (path, text) in changes {
            let Some(language) = language_of(&path) else { continue };
            let id = self.id_of(path, language);
            latest.insert(id, (language, text.unwrap_or_default()));
        }
        let mut unchanged = BTreeSet::new();
        let mut incoming = Vec::new();
        for (id, (language, text)) in latest {
            // The same text for a file in the same hands: nothing to do but report it again.
            if text == self.sources[id].text && editing == self.editing[id] {
                unchanged.insert(id);
                continue;
            }
            incoming.push(Incoming { id, language, text });
        }
        // Findings may point into other files (labels): they hold only while no other file
        // changes.
        if !incoming.is_empty() {
            let sole = match incoming.as_slice() {
                [only] => Some(only.id),
                _ => None,
            };
            for (id, findings) in self.findings.iter_mut().enumerate() {
                if Some(id) != sole {
                    *findings = None;
                }
            }
        }
        let relowered = self.relower(incoming, editing);
        let mut file_changes = Vec::new();
        for (incoming, relowered) in relowered {
            file_changes.push(self.replace(incoming, relowered, editing));
        }
        let run = run_of(&self.lowered, &self.sources);
        let mut recomputed = self.groups.update(&run, file_changes.clone());
        recomputed.extend(file_changes.iter().map(|change| change.id));
        recomputed.extend(unchanged);
        recomputed.into_iter().map(|id| self.sources[id].path.clone()).collect()
    }

    /// The file's id; a new file gets the next one, with an empty text.
    fn id_of(&mut self, path: PathBuf, language: Language) -> usize {
        if let Some(&id) = self.ids.get(&path) {
            return id;
        }
        let id = self.sources.len();
        self.groups.add(id, &path);
        self.sources.push(SourceFile::new(path.clone(), String::new(), language));
        self.lowered.push(LoweredFile::default());
        self.editing.push(false);
        self.parses.push(None);
        self.findings.push(None);
        self.ids.insert(path, id);
        id
    }

    /// Lowers the incoming texts in parallel, each from what was kept of its file.
    fn relower(&mut self, incoming: Vec<Incoming>, editing: bool) -> Vec<(Incoming, Relowered)> {
        let jobs: Vec<(Incoming, LoweredFile, Option<KeptParse>)> = incoming
            .into_iter()
            .map(|incoming| {
                let previous = std::mem::take(&mut self.lowered[incoming.id]);
                let parse = self.parses[incoming.id].take();
                (incoming, previous, parse)
            })
            .collect();
        let sources = &self.sources;
        let done: Vec<(Incoming, Relowered, Option<KeptParse>)> = jobs
            .into_par_iter()
            .map(|(incoming, previous, mut parse)| {
                let old_text = sources[incoming.id].text.as_str();
                let language = incoming.language;
                let relowered = if editing {
                    incremental::relower(&mut parse, language, previous, old_text, &incoming.text)
                } else {
                    let file = crate::frontend::lower(language, &incoming.text);
                    Relowered { file, kept: None }
                };
                (incoming, relowered, parse)
            })
            .collect();
        done.into_iter()
            .map(|(incoming, relowered, parse)| {
                self.parses[incoming.id] = parse.filter(|_| editing);
                (incoming, relowered)
            })
            .collect()
    }

    /// Puts a file's new text and IR in place; its findings follow the edit when they can.
    fn replace(&mut self, incoming: Incoming, relowered: Relowered, editing: bool) -> FileChange {
        let id = incoming.id;
        let findings = self.findings[id].take();
        self.findings[id] = match (findings, &relowered.kept) {
            (Some(findings), Some((edit, kept))) if editing => {
                findings.moved(&relowered.file, &incoming.text, *edit, kept)
            }
            // A file that does not parse keeps them for the edit that makes it parse again.
            (Some(findings), None) if editing && !relowered.file.parses() => Some(findings),
            _ => None,
        };
        let path = self.sources[id].path.clone();
        self.sources[id] = SourceFile::new(path, incoming.text, incoming.language);
        self.lowered[id] = relowered.file;
        self.editing[id] = editing;
        FileChange { id, kept: relowered.kept, keep_outcomes: editing }
    }

    /// The findings in one file as of the last change.
    pub fn report(&mut self, path: &Path) -> Option<FileReport> {
        let id = *self.ids.get(path)?;
        let diagnostics = match self.groups.function_facts(id) {
            // (A file that does not parse keeps its last functions' facts, not its own.)
            Some(functions)
                if self.editing[id] && functions.len() == self.lowered[id].functions.len() =>
            {
                let findings = self.findings[id].get_or_insert_with(|| {
                    Findings::new(&self.lowered[id], &self.sources[id].text)
                });
                by_function(findings, &functions, &self.sources, &self.lowered, id)
            }
            _ => match self.groups.facts(id) {
                Some(facts) => driver::check(facts, &self.sources, &self.lowered),
                None => Vec::new(),
            },
        };
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

/// The file's diagnostics from its functions' findings, each kept or built again.
fn by_function(
    findings: &mut Findings,
    functions: &[&crate::analysis::Facts],
    sources: &[SourceFile],
    lowered: &[LoweredFile],
    id: usize,
) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    for (index, (facts, function)) in functions.iter().zip(&lowered[id].functions).enumerate() {
        let build = || driver::lint_facts(facts, sources, lowered);
        diagnostics.extend_from_slice(findings.of_function(index, function.span, facts, build));
    }
    driver::settle(&sources[id], &mut diagnostics);
    diagnostics
}

/// The run as the analysis reads it: each file's IR and language.
fn run_of<'a>(
    lowered: &'a [LoweredFile],
    sources: &[SourceFile],
) -> Vec<(&'a LoweredFile, Language)> {
    lowered.iter().zip(sources).map(|(file, source)| (file, source.language)).collect()
}

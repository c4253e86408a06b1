//! Which files are analysed together, and with which catalog. As on the command line
//! (`config::Resolver::group`), the files that share a config form one run, analysed with that
//! config's catalog: the built-in models and the user's `[[api]]` models. A file its config
//! excludes is in no run; a file under a config that cannot be read is analysed with the
//! built-in catalog (the server logs the config's problems). Each group is a live run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::analysis::{Facts, FileChange, LiveRun};
use crate::catalog::Catalog;
use crate::config::Resolver;
use crate::ir::{Language, LoweredFile};

pub struct Groups {
    catalogs: CatalogSource,
    groups: Vec<Group>,
    /// Per file (by its id in the workspace): its group, if it is in one.
    member_of: Vec<Option<usize>>,
}

enum CatalogSource {
    /// One catalog for every file, whatever the configs say (benchmarks, tests).
    Fixed,
    /// Each file's nearest config, as the command line finds it.
    Configs(Resolver),
}

struct Group {
    /// The config's path; `None` for the files without one (or with a fixed catalog).
    config: Option<PathBuf>,
    catalog: Catalog,
    run: LiveRun,
}

impl Groups {
    /// Every file in one run with `catalog`.
    pub fn fixed(catalog: Catalog) -> Self {
        let group = Group { config: None, catalog, run: LiveRun::default() };
        Groups { catalogs: CatalogSource::Fixed, groups: vec![group], member_of: Vec::new() }
    }

    /// Every file in the run of its config.
    pub fn configured() -> Self {
        let catalogs = CatalogSource::Configs(Resolver::discover());
        Groups { catalogs, groups: Vec::new(), member_of: Vec::new() }
    }

    /// Puts the new file `id` in the group of its config (started when the config is met
    /// first), or in none when the config excludes it.
    pub fn add(&mut self, id: usize, path: &Path) {
        if self.member_of.len() <= id {
            self.member_of.resize(id + 1, None);
        }
        self.member_of[id] = self.group_of(path);
    }

    fn group_of(&mut self, path: &Path) -> Option<usize> {
        let CatalogSource::Configs(resolver) = &mut self.catalogs else { return Some(0) };
        let (config, catalog) = match resolver.config_for(path) {
            Ok(Some(config)) if config.is_excluded(path) => return None,
            Ok(Some(config)) => (Some(config.path.clone()), config.catalog()),
            Ok(None) => (None, Catalog::builtin()),
            Err(error) => (Some(error.path), Catalog::builtin()),
        };
        if let Some(index) = self.groups.iter().position(|group| group.config == config) {
            return Some(index);
        }
        self.groups.push(Group { config, catalog, run: LiveRun::default() });
        Some(self.groups.len() - 1)
    }

    /// Analyses the changed files, each in its group's run (a file in none is not analysed);
    /// returns the files whose facts were recomputed.
    pub fn update(
        &mut self,
        files: &[(&LoweredFile, Language)],
        changes: Vec<FileChange>,
    ) -> BTreeSet<usize> {
        let mut recomputed = BTreeSet::new();
        for (index, group) in self.groups.iter_mut().enumerate() {
            let in_group = |id: usize| self.member_of.get(id) == Some(&Some(index));
            let changed: Vec<FileChange> =
                changes.iter().filter(|change| in_group(change.id)).cloned().collect();
            if changed.is_empty() {
                continue;
            }
            // Files of other groups are absent from this run: empty, at their places.
            let empty = LoweredFile::default();
            let view: Vec<(&LoweredFile, Language)> = (files.iter().enumerate())
                .map(|(id, &(file, language))| match in_group(id) {
                    true => (file, language),
                    false => (&empty, language),
                })
                .collect();
            recomputed.extend(group.run.update(&view, &changed, &group.catalog));
        }
        recomputed
    }

    /// Reads every config again and analyses every file anew in its group; `paths[id]` is
    /// file `id`'s path, `keep_outcomes[id]` whether its functions' outcomes are kept.
    pub fn reload(
        &mut self,
        paths: &[&Path],
        files: &[(&LoweredFile, Language)],
        keep_outcomes: &[bool],
    ) -> BTreeSet<usize> {
        match &mut self.catalogs {
            CatalogSource::Fixed => self.groups.iter_mut().for_each(|g| g.run = LiveRun::default()),
            CatalogSource::Configs(resolver) => {
                *resolver = Resolver::discover();
                self.groups.clear();
            }
        }
        self.member_of.clear();
        for (id, path) in paths.iter().enumerate() {
            self.add(id, path);
        }
        let all = (0..files.len()).map(|id| FileChange {
            id,
            kept: None,
            keep_outcomes: keep_outcomes.get(id).copied().unwrap_or(false),
        });
        self.update(files, all.collect())
    }

    fn run_of(&self, id: usize) -> Option<&LiveRun> {
        let group = (*self.member_of.get(id)?)?;
        Some(&self.groups[group].run)
    }

    /// The file's facts, if it is in a run.
    pub fn facts(&self, id: usize) -> Option<&Facts> {
        self.run_of(id)?.facts(id)
    }

    /// The facts of each function of the file, when its run keeps them.
    pub fn function_facts(&self, id: usize) -> Option<Vec<&Facts>> {
        self.run_of(id)?.function_facts(id)
    }
}

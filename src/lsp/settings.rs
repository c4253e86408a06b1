//! What the workspace's configs say, read through `fdlint::config`: each file's nearest
//! `fdlint.toml` (or `Cargo.toml` with fdlint metadata), as the command line finds it. Every
//! use of the config by the language server is in this file.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::config::{Levels, Resolver};
use crate::diagnostics::{Diagnostic, Level};

pub struct Settings {
    resolver: Resolver,
    /// Configs already reported as broken since the last reload, to say it once.
    reported: BTreeSet<PathBuf>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings { resolver: Resolver::discover(), reported: BTreeSet::new() }
    }
}

impl Settings {
    /// Whether a changed file may be a config: then every level must be looked up again.
    pub fn is_config_file(path: &Path) -> bool {
        path.file_name().is_some_and(|name| name == "fdlint.toml" || name == "Cargo.toml")
    }

    /// Whether the file's config leaves it out (`include`, `exclude`): it gets no findings.
    pub fn is_excluded(&mut self, path: &Path) -> bool {
        matches!(self.resolver.config_for(path), Ok(Some(config)) if config.is_excluded(path))
    }

    /// The level a diagnostic of the file `path` is reported at; with a message, the first time,
    /// when the file's config cannot be used (the lint's default level applies then).
    pub fn level_of(&mut self, path: &Path, diagnostic: &Diagnostic) -> (Level, Option<String>) {
        let levels = Levels::default();
        match self.resolver.config_for(path) {
            Ok(config) => {
                (levels.level_of(config.as_deref(), diagnostic.code, diagnostic.level), None)
            }
            Err(error) => {
                let first = self.reported.insert(error.path.clone());
                let problems: Vec<&str> =
                    error.problems.iter().map(|p| p.message.as_str()).collect();
                let message =
                    first.then(|| format!("{}: {}", error.path.display(), problems.join("; ")));
                (diagnostic.level, message)
            }
        }
    }
}

//! Which config a file uses: the nearest `fdlint.toml`, or `Cargo.toml` with fdlint metadata,
//! in its folder or a folder above (ruff's rule: the nearest wins, nothing is merged).
//! `--config` names one for every file; `--isolated` uses none.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{Config, ConfigError};

/// Finds and caches the config of each folder.
#[derive(Debug)]
pub struct Resolver {
    mode: Mode,
    /// A folder → the config that applies in it, once known.
    found: HashMap<PathBuf, Option<Arc<Config>>>,
}

#[derive(Debug)]
enum Mode {
    Discover,
    Fixed(Option<Arc<Config>>),
}

impl Resolver {
    /// Each file's nearest config.
    pub fn discover() -> Resolver {
        Resolver { mode: Mode::Discover, found: HashMap::new() }
    }

    /// One config for every file (`--config PATH`).
    pub fn fixed(path: &Path) -> Result<Resolver, ConfigError> {
        let config = match Config::load(path)? {
            Some(config) => config,
            None => {
                let text = std::fs::read_to_string(path).unwrap_or_default();
                let message = "has no `[package.metadata.fdlint]` or `[workspace.metadata.fdlint]`";
                return Err(ConfigError::whole_file(path, text, message.to_string()));
            }
        };
        Ok(Resolver { mode: Mode::Fixed(Some(Arc::new(config))), found: HashMap::new() })
    }

    /// No config at all (`--isolated`).
    pub fn isolated() -> Resolver {
        Resolver { mode: Mode::Fixed(None), found: HashMap::new() }
    }

    /// The config that applies to `path` (a file or a folder).
    pub fn config_for(&mut self, path: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Mode::Fixed(config) = &self.mode {
            return Ok(config.clone());
        }
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let start = if absolute.is_dir() { absolute.as_path() } else { parent(&absolute) };
        self.in_folder(start)
    }

    fn in_folder(&mut self, dir: &Path) -> Result<Option<Arc<Config>>, ConfigError> {
        if let Some(known) = self.found.get(dir) {
            return Ok(known.clone());
        }
        let config = match config_here(dir)? {
            Some(config) => Some(Arc::new(config)),
            None if dir.parent().is_some() => self.in_folder(parent(dir))?,
            None => None,
        };
        self.found.insert(dir.to_path_buf(), config.clone());
        Ok(config)
    }
}

fn parent(path: &Path) -> &Path {
    path.parent().unwrap_or(path)
}

/// The config file in `dir` itself: `fdlint.toml` first, then a `Cargo.toml` whose metadata
/// has an fdlint table. A `Cargo.toml` that never mentions fdlint is not read further.
fn config_here(dir: &Path) -> Result<Option<Config>, ConfigError> {
    let fdlint = dir.join("fdlint.toml");
    if fdlint.is_file() {
        return Config::load(&fdlint);
    }
    let cargo = dir.join("Cargo.toml");
    match std::fs::read_to_string(&cargo) {
        Ok(text) if text.contains("fdlint") => {
            Config::parse(&cargo, &text, super::ConfigKind::Cargo)
        }
        _ => Ok(None),
    }
}

/// Files that share a config, linted together with its catalog and levels.
#[derive(Debug)]
pub struct FileGroup {
    pub config: Option<Arc<Config>>,
    pub files: Vec<PathBuf>,
}

impl FileGroup {
    /// The catalog these files are analysed with: the built-in one and the config's models.
    pub fn catalog(&self) -> crate::catalog::Catalog {
        match &self.config {
            Some(config) => config.catalog(),
            None => crate::catalog::Catalog::builtin(),
        }
    }
}

impl Resolver {
    /// Groups `files` by the config that applies to each, leaving out the files it excludes.
    /// Every config that cannot be used is an error, each reported once.
    pub fn group(&mut self, files: &[PathBuf]) -> Result<Vec<FileGroup>, Vec<ConfigError>> {
        let mut groups: Vec<FileGroup> = Vec::new();
        let mut errors: Vec<ConfigError> = Vec::new();
        for file in files {
            let config = match self.config_for(file) {
                Ok(config) => config,
                Err(error) => {
                    if !errors.iter().any(|known| known.path == error.path) {
                        errors.push(error);
                    }
                    continue;
                }
            };
            if config.as_ref().is_some_and(|config| config.is_excluded(file)) {
                continue;
            }
            let key = config.as_ref().map(|c| c.path.clone());
            match groups.iter_mut().find(|g| g.config.as_ref().map(|c| c.path.clone()) == key) {
                Some(group) => group.files.push(file.clone()),
                None => groups.push(FileGroup { config, files: vec![file.clone()] }),
            }
        }
        if errors.is_empty() {
            Ok(groups)
        } else {
            Err(errors)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fdlint_toml_wins_over_cargo_toml_and_a_manifest_without_metadata_is_passed_over() {
        let root = std::env::temp_dir().join(format!("fdlint-discover-{}", std::process::id()));
        let write = |relative: &str, text: &str| {
            let path = root.join(relative);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("Cargo.toml", "[workspace.metadata.fdlint.lints]\nFDL001 = \"allow\"\n");
        write("a/Cargo.toml", "[package]\nname = \"a\" # uses fdlint\n");
        write("a/src/main.rs", "");
        write("b/Cargo.toml", "[package.metadata.fdlint.lints]\nFDL001 = \"deny\"\n");
        write("b/fdlint.toml", "[lints]\nFDL001 = \"warn\"\n");
        write("b/main.c", "");
        let mut resolver = Resolver::discover();
        let a = resolver.config_for(&root.join("a/src/main.rs")).unwrap().unwrap();
        assert_eq!(a.path, root.join("Cargo.toml"));
        let b = resolver.config_for(&root.join("b/main.c")).unwrap().unwrap();
        assert_eq!(b.path, root.join("b/fdlint.toml"));
        std::fs::remove_dir_all(&root).unwrap();
    }
}

//! Configuration: `fdlint.toml`, or `[package.metadata.fdlint]` / `[workspace.metadata.fdlint]`
//! in a `Cargo.toml`. Each linted file uses the nearest one above it (as ruff does); keys are
//! lint levels, `include`/`exclude` globs and extra API models. Every problem is reported with
//! its place in the file.
//!
//! These are library functions over paths and text, for the command line and the language
//! server alike.

mod discover;
mod error;
mod levels;
pub mod reference;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::catalog::{Catalog, ModelFile};
use crate::diagnostics::Level;
use crate::ir::Span;
use crate::lints;

pub use discover::{FileGroup, Resolver};
pub use error::{ConfigError, ConfigProblem};
pub use levels::Levels;

/// A config, checked and ready to use.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file it was read from.
    pub path: PathBuf,
    /// The folder that `include` and `exclude` are relative to: the file's own.
    pub root: PathBuf,
    /// Levels by lint code (`FDL001`), in the order written.
    pub lints: Vec<(&'static str, Level)>,
    include: Option<Globs>,
    exclude: Globs,
    /// The user's API models, added to the built-in catalog.
    pub api: Vec<ModelFile>,
}

/// The keys of a config, as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    lints: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    #[serde(default)]
    include: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    exclude: Vec<Spanned<String>>,
    #[serde(default)]
    api: Vec<ModelFile>,
}

/// Which kind of file a config lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfigKind {
    /// `fdlint.toml`: the whole file is fdlint's.
    Fdlint,
    /// `Cargo.toml`: only `[package.metadata.fdlint]` or `[workspace.metadata.fdlint]`.
    Cargo,
}

impl ConfigKind {
    pub fn of(path: &Path) -> ConfigKind {
        match path.file_name().and_then(|n| n.to_str()) {
            Some("Cargo.toml") => ConfigKind::Cargo,
            _ => ConfigKind::Fdlint,
        }
    }
}

impl Config {
    /// Reads a config file (`fdlint.toml`, or a `Cargo.toml` with fdlint metadata). A
    /// `Cargo.toml` without fdlint metadata gives `Ok(None)`.
    pub fn load(path: &Path) -> Result<Option<Config>, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|error| {
            ConfigError::whole_file(path, String::new(), format!("cannot read it: {error}"))
        })?;
        Config::parse(path, &text, ConfigKind::of(path))
    }

    /// Checks the text of a config file.
    pub fn parse(path: &Path, text: &str, kind: ConfigKind) -> Result<Option<Config>, ConfigError> {
        let raw = match kind {
            ConfigKind::Fdlint => toml::from_str::<RawConfig>(text).map(Some),
            ConfigKind::Cargo => toml::from_str::<Manifest>(text).map(Manifest::into_fdlint),
        };
        let raw =
            raw.map_err(|e| ConfigError::new(path, text, vec![ConfigProblem::from_toml(&e)]))?;
        let Some(raw) = raw else { return Ok(None) };
        // Globs are relative to the config's folder, wherever fdlint runs from.
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let root = absolute.parent().map_or_else(PathBuf::new, Path::to_path_buf);
        let mut problems = Vec::new();
        let lints = check_levels(&raw.lints, &mut problems);
        let include = raw.include.as_ref().map(|globs| Globs::new(globs, &mut problems));
        let exclude = Globs::new(&raw.exclude, &mut problems);
        if !problems.is_empty() {
            return Err(ConfigError::new(path, text, problems));
        }
        let path = path.to_path_buf();
        Ok(Some(Config { path, root, lints, include, exclude, api: raw.api }))
    }

    /// The configured level of a lint, if any; the last one written wins.
    pub fn level(&self, code: &str) -> Option<Level> {
        self.lints.iter().rev().find(|(key, _)| *key == code).map(|(_, level)| *level)
    }

    /// Whether `path` is left out: not matched by `include` (when given), or matched by
    /// `exclude`. A pattern with a `/` matches the path from the config's folder, one without
    /// matches any file or folder name on the way; a folder matched leaves out all within it.
    pub fn is_excluded(&self, path: &Path) -> bool {
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        let Ok(relative) = absolute.strip_prefix(&self.root) else { return false };
        let included = self.include.as_ref().is_none_or(|globs| globs.matches(relative));
        !included || self.exclude.matches(relative)
    }

    /// The built-in catalog with this config's models added.
    pub fn catalog(&self) -> Catalog {
        let mut catalog = Catalog::builtin();
        for file in &self.api {
            catalog.add_model_file(file.clone());
        }
        catalog
    }
}

/// `Cargo.toml`, as far as fdlint reads it.
#[derive(Deserialize)]
struct Manifest {
    package: Option<ManifestSection>,
    workspace: Option<ManifestSection>,
}

#[derive(Deserialize)]
struct ManifestSection {
    metadata: Option<Metadata>,
}

#[derive(Deserialize)]
struct Metadata {
    fdlint: Option<RawConfig>,
}

impl Manifest {
    /// The package's fdlint metadata, else the workspace's.
    fn into_fdlint(self) -> Option<RawConfig> {
        let fdlint = |section: Option<ManifestSection>| section?.metadata?.fdlint;
        fdlint(self.package).or_else(|| fdlint(self.workspace))
    }
}

/// The top-level keys, for the help when one is written under `[lints]` by mistake.
const TOP_LEVEL_KEYS: &[&str] = &["lints", "include", "exclude", "api"];

fn check_levels(
    raw: &BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    problems: &mut Vec<ConfigProblem>,
) -> Vec<(&'static str, Level)> {
    let mut written: Vec<_> = raw.iter().collect();
    written.sort_by_key(|(key, _)| key.span().start);
    let mut levels = Vec::new();
    for (key, value) in written {
        let lint = lints::find(key.get_ref());
        if lint.is_none() {
            problems.push(unknown_lint(key));
        }
        match (lint, level_named(value.get_ref())) {
            (None, _) => {}
            (Some(lint), Some(level)) => levels.push((lint.code.as_str(), level)),
            (Some(_), None) => problems.push(ConfigProblem {
                span: Some(span_of(value)),
                message: format!("`{}` is not a level", value.get_ref()),
                help: Some(level_help(value.get_ref())),
            }),
        }
    }
    levels
}

fn unknown_lint(key: &Spanned<String>) -> ConfigProblem {
    let name = key.get_ref();
    let help = if TOP_LEVEL_KEYS.contains(&name.as_str()) {
        format!("`{name}` is a top-level key: write it above `[lints]`")
    } else if let Some(lint) = lints::closest(name) {
        format!("did you mean `{}`?", lint.name)
    } else {
        "`fdlint rules` lists the lints".to_string()
    };
    ConfigProblem {
        span: Some(span_of(key)),
        message: format!("unknown lint `{name}`"),
        help: Some(help),
    }
}

fn level_named(value: &toml::Value) -> Option<Level> {
    let name = value.as_str()?;
    [Level::Allow, Level::Warn, Level::Deny].into_iter().find(|level| level.config_name() == name)
}

fn level_help(value: &toml::Value) -> String {
    let close = value.as_str().and_then(|name| {
        ["allow", "warn", "deny"].into_iter().find(|level| strsim::jaro_winkler(name, level) >= 0.7)
    });
    match close {
        Some(level) => format!("did you mean `{level}`? a level is `allow`, `warn` or `deny`"),
        None => "a level is `allow`, `warn` or `deny`".to_string(),
    }
}

/// `include` or `exclude`: patterns without a `/` match a file or folder name at any depth
/// (as in `.gitignore`), the others the path from the config's folder.
#[derive(Debug, Clone)]
struct Globs {
    by_name: GlobSet,
    by_path: GlobSet,
}

impl Globs {
    fn new(globs: &[Spanned<String>], problems: &mut Vec<ConfigProblem>) -> Globs {
        let mut by_name = GlobSetBuilder::new();
        let mut by_path = GlobSetBuilder::new();
        for glob in globs {
            let pattern = glob.get_ref().trim_start_matches("./").trim_end_matches('/');
            let builder = if pattern.contains('/') { &mut by_path } else { &mut by_name };
            match GlobBuilder::new(pattern).literal_separator(true).build() {
                Ok(compiled) => {
                    builder.add(compiled);
                }
                Err(error) => problems.push(ConfigProblem {
                    span: Some(span_of(glob)),
                    message: format!("bad glob `{}`: {}", glob.get_ref(), error.kind()),
                    help: Some("globs use `*`, `**`, `?`, `[abc]` and `{a,b}`".to_string()),
                }),
            }
        }
        let build = |builder: GlobSetBuilder| builder.build().unwrap_or_else(|_| GlobSet::empty());
        Globs { by_name: build(by_name), by_path: build(by_path) }
    }

    /// Whether the path (relative to the config's folder) or a folder it is in matches.
    fn matches(&self, relative: &Path) -> bool {
        let by_name = relative.components().any(|part| self.by_name.is_match(part.as_os_str()));
        by_name || relative.ancestors().any(|prefix| self.by_path.is_match(prefix))
    }
}

fn span_of<T>(spanned: &Spanned<T>) -> Span {
    let range = spanned.span();
    Span::new(range.start, range.end)
}

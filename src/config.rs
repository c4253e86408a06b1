//! `fdlint.toml`: lint levels for now. The nearest file walking up from the first path wins.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::diagnostics::Level;
use crate::lints;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Levels by lint code or name.
    #[serde(default)]
    pub lints: BTreeMap<String, Level>,
}

/// A config file that could not be used, with where the problem is.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub message: String,
}

impl Config {
    /// Finds and reads the nearest `fdlint.toml` above `start` (a file or a folder).
    pub fn discover(start: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
        let absolute = std::path::absolute(start).unwrap_or_else(|_| start.to_path_buf());
        for dir in absolute.ancestors() {
            let candidate = dir.join("fdlint.toml");
            if candidate.is_file() {
                return Config::load(&candidate).map(|config| Some((candidate, config)));
            }
        }
        Ok(None)
    }

    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        // Messages start with `line:column: ` or a space, so `path:message` reads as a location.
        let error = |message: String| ConfigError { path: path.to_path_buf(), message };
        let text =
            std::fs::read_to_string(path).map_err(|e| error(format!(" cannot read: {e}")))?;
        let config: Config = toml::from_str(&text).map_err(|e| error(located(&text, &e)))?;
        for name in config.lints.keys() {
            if lints::find(name).is_none() {
                return Err(error(format!(" unknown lint `{name}` in [lints]")));
            }
        }
        Ok(config)
    }

    /// The configured level of a lint, if any.
    pub fn level(&self, code: &str, name: &str) -> Option<Level> {
        self.lints
            .iter()
            .find(|(key, _)| key.eq_ignore_ascii_case(code) || key.eq_ignore_ascii_case(name))
            .map(|(_, level)| *level)
    }
}

fn located(text: &str, error: &toml::de::Error) -> String {
    let message = error.message().trim_end();
    match error.span() {
        Some(span) => {
            let line = text[..span.start.min(text.len())].matches('\n').count() + 1;
            let column = text[..span.start.min(text.len())]
                .rsplit('\n')
                .next()
                .map_or(0, |s| s.chars().count())
                + 1;
            format!("{line}:{column}: {message}")
        }
        None => format!(" {message}"),
    }
}

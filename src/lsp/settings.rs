//! What the workspace's `fdlint.toml` says, read through `fdlint::config`. Every use of the
//! config by the language server is in this file.

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::{Diagnostic, Level};

#[derive(Debug, Default)]
pub struct Settings {
    config: Config,
}

impl Settings {
    /// The nearest `fdlint.toml` at or above `root`; the defaults and a message when it cannot
    /// be used.
    pub fn load(root: Option<&Path>) -> (Settings, Option<String>) {
        let Some(root) = root else { return (Settings::default(), None) };
        match Config::discover(root) {
            Ok(found) => {
                let config = found.map(|(_, config)| config).unwrap_or_default();
                (Settings { config }, None)
            }
            Err(error) => {
                let message = format!("{}:{}", error.path.display(), error.message);
                (Settings::default(), Some(message))
            }
        }
    }

    /// The level a diagnostic is reported at.
    pub fn level_of(&self, diagnostic: &Diagnostic) -> Level {
        self.config.level(diagnostic.code, diagnostic.name).unwrap_or(diagnostic.level)
    }
}

//! A lint's level: the command line over the config over the lint's default.

use crate::diagnostics::{Diagnostic, Level};
use crate::lints;

use super::Config;

/// The levels set on the command line (`-A`, `-W`, `-D` in order; the last one wins) and
/// `--deny warnings`.
#[derive(Debug, Clone, Default)]
pub struct Levels {
    command_line: Vec<(&'static str, Level)>,
    deny_warnings: bool,
}

impl Levels {
    /// From `(lint, level)` flags in command-line order; `warnings` at `deny` makes every
    /// warning an error. An unknown lint is an error naming it.
    pub fn from_flags(flags: &[(String, Level)]) -> Result<Levels, String> {
        let mut levels = Levels::default();
        for (name, level) in flags {
            if *level == Level::Deny && name == "warnings" {
                levels.deny_warnings = true;
                continue;
            }
            let Some(lint) = lints::find(name) else {
                let hint = match lints::closest(name) {
                    Some(lint) => format!("did you mean `{}`?", lint.name),
                    None => "`fdlint rules` lists them".to_string(),
                };
                return Err(format!("unknown lint `{name}`; {hint}"));
            };
            levels.command_line.push((lint.code.as_str(), *level));
        }
        Ok(levels)
    }

    /// The level of a lint under `config`.
    pub fn level_of(&self, config: Option<&Config>, code: &str, default: Level) -> Level {
        let from_cli =
            self.command_line.iter().rev().find(|(key, _)| *key == code).map(|(_, l)| *l);
        let level = from_cli.or_else(|| config.and_then(|c| c.level(code))).unwrap_or(default);
        if self.deny_warnings && level == Level::Warn {
            Level::Deny
        } else {
            level
        }
    }

    /// Sets each diagnostic's level and drops the ones at `allow`.
    pub fn apply(&self, config: Option<&Config>, diagnostics: &mut Vec<Diagnostic>) {
        diagnostics.retain_mut(|diagnostic| {
            diagnostic.level = self.level_of(config, diagnostic.code, diagnostic.level);
            diagnostic.level != Level::Allow
        });
    }
}

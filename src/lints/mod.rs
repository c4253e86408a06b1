//! The lint registry, generated from the declarations in `lints/*.toml`, and the lints' checks
//! (one file per lint) that turn the analysis's facts into diagnostics.

mod connection_shared_across_fork;
mod fd_leaked_into_exec;
pub mod fixes;
mod fork_after_connect;
mod fork_with_live_threads;
pub mod reference;
mod story;
pub mod unused_allow;

use std::sync::OnceLock;

use serde::Deserialize;

use crate::analysis::Facts;
use crate::diagnostics::{Diagnostic, Level, Locate};
use crate::ir::{Function, LoweredFile};
use fixes::FileContext;

/// The declarations shipped with fdlint: the single source of codes, names, levels and docs.
const DECLARATIONS: &[&str] = &[
    include_str!("../../lints/fork_after_connect.toml"),
    include_str!("../../lints/connection_shared_across_fork.toml"),
    include_str!("../../lints/fd_leaked_into_exec.toml"),
    include_str!("../../lints/fork_with_live_threads.toml"),
    include_str!("../../lints/unused_allow.toml"),
];

/// One lint's declaration.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Lint {
    pub code: String,
    pub name: String,
    pub level: Level,
    /// One line: it feeds the rules table.
    pub summary: String,
    /// Markdown with the fixed headings (What it does, Why is this bad?, Example, ...).
    pub explanation: String,
    /// CWE identifiers, for SARIF.
    #[serde(default)]
    pub cwe: Vec<u32>,
    /// The titles of the fixes the lint offers.
    #[serde(default)]
    pub fixes: Vec<String>,
}

/// Every lint, in code order.
pub fn registry() -> &'static [Lint] {
    static REGISTRY: OnceLock<Vec<Lint>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut lints: Vec<Lint> = DECLARATIONS
            .iter()
            // A broken declaration is a bug in fdlint itself, caught by the test suite.
            .map(|text| toml::from_str(text).unwrap_or_else(|error| panic!("lints/: {error}")))
            .collect();
        lints.sort_by(|a, b| a.code.cmp(&b.code));
        lints
    })
}

/// A lint by its code (`FDL001`) or its name (`fork_after_connect`), any case.
pub fn find(code_or_name: &str) -> Option<&'static Lint> {
    registry().iter().find(|lint| {
        lint.code.eq_ignore_ascii_case(code_or_name) || lint.name.eq_ignore_ascii_case(code_or_name)
    })
}

/// The lint whose code or name is closest to a misspelt `name`, if one is close enough.
pub fn closest(name: &str) -> Option<&'static Lint> {
    let lower = name.to_ascii_lowercase();
    let similarity = |lint: &Lint| {
        let by_name = strsim::jaro_winkler(&lower, &lint.name);
        let by_code = strsim::jaro_winkler(&lower, &lint.code.to_ascii_lowercase());
        by_name.max(by_code)
    };
    registry()
        .iter()
        .map(|lint| (similarity(lint), lint))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, lint)| lint)
}

/// A callee as a message names it: `nix::unistd::fork` reads as `fork`.
fn short_name(path: &str) -> &str {
    path.rsplit("::").next().unwrap_or(path)
}

/// Runs every lint over one file's facts; `locate` places labels in the run's other files,
/// and the file's text and IR place the fix-its.
pub fn check(facts: &Facts, locate: Locate<'_>, context: &FileContext) -> Vec<Diagnostic> {
    let mut diagnostics = Vec::new();
    diagnostics.extend(fork_after_connect::check(facts, locate, context));
    diagnostics.extend(connection_shared_across_fork::check(facts, locate));
    diagnostics.extend(fd_leaked_into_exec::check(facts, locate, context));
    diagnostics.extend(fork_with_live_threads::check(facts, locate));
    diagnostics
}

/// The part of a file's IR that `check` reads for these facts: the functions a leak names
/// (fix-its look into them) and the file's imports. A run keeps this for a file's report,
/// a fraction of the file's IR, rather than lower the file again.
pub fn ir_for_check(facts: &Facts, file: &LoweredFile) -> LoweredFile {
    let named =
        |function: &&Function| facts.leaks.iter().any(|leak| leak.function == function.name);
    LoweredFile {
        functions: file.functions.iter().filter(named).cloned().collect(),
        errors: Vec::new(),
        glob_imports: Vec::new(),
        use_site: file.use_site,
        top_imports: file.top_imports.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_declaration_parses_and_has_the_fixed_headings() {
        assert!(!registry().is_empty());
        for lint in registry() {
            for heading in [
                "## What it does",
                "## Why is this bad?",
                "## Example",
                "## Use instead",
                "## Fix safety",
            ] {
                assert!(lint.explanation.contains(heading), "{} lacks {heading}", lint.code);
            }
            assert!(!lint.summary.contains('\n'), "{}: the summary is one line", lint.code);
        }
        assert_eq!(find("fork_after_connect").map(|l| l.code.as_str()), Some("FDL001"));
        assert_eq!(find("fdl001").map(|l| l.name.as_str()), Some("fork_after_connect"));
        assert_eq!(closest("fork_after_conect").map(|l| l.code.as_str()), Some("FDL001"));
        assert_eq!(closest("FDL01").map(|l| l.code.as_str()), Some("FDL001"));
        assert!(closest("completely_different").is_none());
    }
}

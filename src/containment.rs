//! Containing a bug: a panic while working on one file becomes an error for that file, so
//! one bad input cannot take the rest of the run down with it.

use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A panic caught while working on one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InternalError {
    /// The panic's message, when it had one.
    pub message: String,
}

impl fmt::Display for InternalError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "internal error: fdlint panicked on this file ({}); this is a bug in fdlint, please \
             report it with the file that triggers it",
            self.message
        )
    }
}

/// Runs `work`, turning a panic into an [`InternalError`]. The work only reads shared data
/// (the catalog, the run's files), so nothing half-updated outlives the panic.
pub fn contained<T>(work: impl FnOnce() -> T) -> Result<T, InternalError> {
    catch_unwind(AssertUnwindSafe(work)).map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|message| message.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "no message".to_string());
        InternalError { message }
    })
}

/// Test builds only: panics when `text` asks for a panic at `stage`, so the tests can check
/// that a bug on one file is contained. Release and user builds have no such switch.
#[cfg(test)]
pub fn inject_fault(text: &str, stage: &str) {
    if text.contains(&format!("fdlint-test-panic-in-{stage}")) {
        panic!("deliberate test panic in {stage}");
    }
}

#[cfg(not(test))]
pub fn inject_fault(_text: &str, _stage: &str) {}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use crate::catalog::Catalog;
    use crate::driver::lint_sources;
    use crate::ir::Language;
    use crate::source::SourceFile;

    const LEAKING_C: &str = include_str!("../fixtures/c/accept_loop_parent_keeps_client.c");
    const LEAKING_RUST: &str =
        include_str!("../fixtures/rust/seed_2_parent_drops_child_keeps_libc.rs");

    /// Lints a leaking C file, a file that panics at `stage`, and a leaking Rust file.
    fn run_with_panic_in(stage: &str, language: Language) -> Vec<String> {
        let trigger = format!("// fdlint-test-panic-in-{stage}\n");
        let (bad_text, bad_name) = match language {
            Language::C => (format!("{trigger}{LEAKING_C}"), "bad.c"),
            Language::Rust => (format!("{trigger}{LEAKING_RUST}"), "bad.rs"),
        };
        let sources = vec![
            SourceFile::new(PathBuf::from("leak.c"), LEAKING_C.to_string(), Language::C),
            SourceFile::new(PathBuf::from(bad_name), bad_text, language),
            SourceFile::new(PathBuf::from("leak.rs"), LEAKING_RUST.to_string(), Language::Rust),
        ];
        let reports = lint_sources(sources, &Catalog::builtin());
        let mut found = Vec::new();
        for report in &reports {
            let name = report.source.display_path();
            for problem in &report.problems {
                let kind = if problem.internal { "internal" } else { "problem" };
                found.push(format!("{name}: {kind}: {}", problem.message));
            }
            for diagnostic in &report.diagnostics {
                found.push(format!("{name}: {}", diagnostic.code));
            }
        }
        found
    }

    fn expected(name: &str, stage: &str) -> Vec<String> {
        vec![
            "leak.c: FDL001".to_string(),
            format!(
                "{name}: internal: internal error: fdlint panicked on this file (deliberate test \
                 panic in {stage}); this is a bug in fdlint, please report it with the file \
                 that triggers it"
            ),
            "leak.rs: FDL001".to_string(),
        ]
    }

    #[test]
    fn a_panic_while_lowering_is_an_internal_error_for_that_file_only() {
        assert_eq!(run_with_panic_in("lowering", Language::C), expected("bad.c", "lowering"));
    }

    #[test]
    fn a_panic_on_the_rust_frontends_thread_reaches_the_driver() {
        let found = run_with_panic_in("rust-frontend-thread", Language::Rust);
        assert_eq!(found, expected("bad.rs", "rust-frontend-thread"));
    }

    /// The run is analysed again without the file, so the others keep their findings.
    #[test]
    fn a_panic_in_the_analysis_is_an_internal_error_for_that_file_only() {
        assert_eq!(run_with_panic_in("analysis", Language::C), expected("bad.c", "analysis"));
    }

    #[test]
    fn a_panic_in_the_lints_is_an_internal_error_for_that_file_only() {
        assert_eq!(run_with_panic_in("lints", Language::Rust), expected("bad.rs", "lints"));
    }

    #[test]
    fn a_panic_without_a_message_still_says_so() {
        let error = super::contained(|| std::panic::panic_any(42)).unwrap_err();
        assert_eq!(error.message, "no message");
    }
}

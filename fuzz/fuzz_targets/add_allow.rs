//! Edit application (`--add-allow`): on any file, adding the allow comments (linting again and
//! adding until nothing more is added, as the command does) never panics, the new text lints
//! without an internal error, and adding them again adds nothing. The first byte picks the language (`r` for Rust, anything else for C).
#![no_main]

use std::sync::OnceLock;

use fdlint::catalog::Catalog;
use fdlint::diagnostics::Diagnostic;
use fdlint::driver::{lint_bytes, lint_source, lint_sources, FileReport};
use fdlint::ir::Language;
use fdlint::source::SourceFile;
use fdlint::suppress::add_allow::{add_allows, add_allows_settled};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fn assert_no_internal_error(report: &FileReport) {
    assert!(report.problems.iter().all(|problem| !problem.internal), "{:?}", report.problems);
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let (language, path) =
        if selector == b'r' { (Language::Rust, "fuzz.rs") } else { (Language::C, "fuzz.c") };
    let report = lint_bytes(path.into(), body.to_vec(), language, catalog());
    assert_no_internal_error(&report);
    let lint = |sources: &[SourceFile]| -> Vec<Vec<Diagnostic>> {
        let reports = lint_sources(sources.to_vec(), catalog());
        reports.iter().for_each(assert_no_internal_error);
        reports.into_iter().map(|report| report.diagnostics).collect()
    };
    let Some(Ok(Some((text, _)))) = add_allows_settled(vec![report.source], lint).pop() else {
        return;
    };
    let again = lint_source(SourceFile::new(path.into(), text, language), catalog());
    assert_no_internal_error(&again);
    assert_eq!(add_allows(&again.source, &again.diagnostics).map(|added| added.is_some()), Ok(false));
});

//! Fix application (`--fix --unsafe-fixes`): on any file, fixing never panics, the fixed text
//! parses with no more syntax errors than the original, and fixing it again changes nothing.
//! The first byte picks the language (`r` for Rust, anything else for C).
#![no_main]

use std::sync::OnceLock;

use fdlint::catalog::Catalog;
use fdlint::diagnostics::Applicability;
use fdlint::driver::{lint_bytes, lint_sources};
use fdlint::fix::fix_sources;
use fdlint::frontend;
use fdlint::ir::Language;
use fdlint::source::SourceFile;
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

/// The text after `--fix --unsafe-fixes`; a run that changes nothing lists no file.
fn fix(source: SourceFile) -> String {
    let text = source.text.clone();
    let run = fix_sources(vec![source], Applicability::Unsafe, |sources| {
        lint_sources(sources.to_vec(), catalog())
    });
    run.files.into_iter().next().map_or(text, |file| file.fixed)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let (language, path) =
        if selector == b'r' { (Language::Rust, "fuzz.rs") } else { (Language::C, "fuzz.c") };
    let report = lint_bytes(path.into(), body.to_vec(), language, catalog());
    if report.problems.iter().any(|problem| !problem.recovered) {
        return;
    }
    let original = report.source.text.clone();
    let fixed = fix(SourceFile::new(path.into(), original.clone(), language));
    let errors = |text: &str| frontend::lower(language, text).errors.len();
    assert!(errors(&fixed) <= errors(&original), "a fix broke the parse:\n{fixed}");
    let again = fix(SourceFile::new(path.into(), fixed.clone(), language));
    assert_eq!(again, fixed, "a second --fix changed the file");
});

//! The whole pipeline on one file: frontend, analysis, lints and every output format.
//! The first byte picks the language (`r` for Rust, anything else for C).
#![no_main]

use std::sync::OnceLock;

use fdlint::catalog::Catalog;
use fdlint::driver::lint_bytes;
use fdlint::ir::Language;
use fdlint::output::{write_reports, OutputFormat};
use libfuzzer_sys::fuzz_target;

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

fuzz_target!(|data: &[u8]| {
    let Some((&selector, body)) = data.split_first() else { return };
    let (language, path) =
        if selector == b'r' { (Language::Rust, "fuzz.rs") } else { (Language::C, "fuzz.c") };
    let report = lint_bytes(path.into(), body.to_vec(), language, catalog());
    assert!(
        report.problems.iter().all(|problem| !problem.internal),
        "internal error: {:?}",
        report.problems
    );
    let reports = [report];
    for format in [OutputFormat::Human, OutputFormat::Concise, OutputFormat::Json] {
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        write_reports(format, &reports, &mut out, &mut errors, false).expect("writing to memory");
    }
});

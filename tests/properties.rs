//! Properties over random edits of the fixtures: deleting, inserting and flipping bytes never
//! makes fdlint panic (a panic would come back as an internal error: the driver contains it),
//! and the json output is always JSON Lines. Case counts are modest to keep the suite fast;
//! the fuzz targets (`docs/fuzzing.md`) search much longer.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use proptest::prelude::*;

use fdlint::catalog::Catalog;
use fdlint::driver::{lint_bytes, FileReport};
use fdlint::ir::Language;
use fdlint::output::{write_reports, OutputFormat};
use fdlint::source::language_of;

fn fixtures() -> &'static [(PathBuf, Vec<u8>)] {
    static FIXTURES: OnceLock<Vec<(PathBuf, Vec<u8>)>> = OnceLock::new();
    FIXTURES.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut files = Vec::new();
        for language in ["c", "rust"] {
            for entry in std::fs::read_dir(root.join(language)).expect("read fixtures") {
                let path = entry.expect("a fixture entry").path();
                if language_of(&path).is_some() {
                    let bytes = std::fs::read(&path).expect("read a fixture");
                    files.push((path, bytes));
                }
            }
        }
        files.sort();
        files
    })
}

fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(Catalog::builtin)
}

#[derive(Debug, Clone)]
enum Edit {
    Delete { at: usize, len: usize },
    Insert { at: usize, text: &'static str },
    Flip { at: usize, mask: u8 },
}

/// Pieces of syntax whose insertion most often confuses a parser.
const INSERTIONS: &[&str] = &[
    "(", ")", "{", "}", "[", "]", ";", ",", "\"", "'", "/*", "*/", "//", "\n", "#if 0\n",
    "#endif\n", "fork()", "close(", "drop(", "if (", "else", "match", "=>", "::", "<", ">", "&",
    "*", "-", "\\", "r#\"", "'a", "\u{feff}", "é", "\u{0}",
];

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (any::<usize>(), 1usize..40).prop_map(|(at, len)| Edit::Delete { at, len }),
        (any::<usize>(), prop::sample::select(INSERTIONS))
            .prop_map(|(at, text)| Edit::Insert { at, text }),
        (any::<usize>(), 1u8..=255).prop_map(|(at, mask)| Edit::Flip { at, mask }),
    ]
}

fn apply(bytes: &mut Vec<u8>, edit: &Edit) {
    let position = |at: usize, len: usize| if len == 0 { 0 } else { at % (len + 1) };
    match *edit {
        Edit::Delete { at, len } => {
            let start = position(at, bytes.len());
            let end = (start + len).min(bytes.len());
            bytes.drain(start..end);
        }
        Edit::Insert { at, text } => {
            let start = position(at, bytes.len());
            bytes.splice(start..start, text.bytes());
        }
        Edit::Flip { at, mask } => {
            if !bytes.is_empty() {
                let index = at % bytes.len();
                bytes[index] ^= mask;
            }
        }
    }
}

/// A fixture with the edits applied, linted as a file of its language.
fn lint_edited(index: usize, edits: &[Edit]) -> FileReport {
    let (path, original) = &fixtures()[index % fixtures().len()];
    let mut bytes = original.clone();
    for edit in edits {
        apply(&mut bytes, edit);
    }
    let language = language_of(path).unwrap_or(Language::C);
    lint_bytes(path.clone(), bytes, language, catalog())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    #[test]
    fn random_edits_never_panic(index in any::<usize>(), edits in prop::collection::vec(edit(), 1..8)) {
        let report = lint_edited(index, &edits);
        let internal: Vec<_> = report.problems.iter().filter(|p| p.internal).collect();
        prop_assert!(internal.is_empty(), "{:?}", internal);
        // Every output renders, and every place it points at is inside the text.
        for problem in &report.problems {
            if let Some(span) = problem.span {
                prop_assert!(span.start <= span.end && span.end <= report.source.text.len());
            }
        }
        for format in [OutputFormat::Human, OutputFormat::Concise] {
            let (mut out, mut errors) = (Vec::new(), Vec::new());
            write_reports(format, std::slice::from_ref(&report), &mut out, &mut errors, false)
                .expect("write to memory");
        }
    }

    #[test]
    fn json_output_is_always_json_lines(index in any::<usize>(), edits in prop::collection::vec(edit(), 0..4)) {
        let report = lint_edited(index, &edits);
        let (mut out, mut errors) = (Vec::new(), Vec::new());
        write_reports(OutputFormat::Json, std::slice::from_ref(&report), &mut out, &mut errors, false)
            .expect("write to memory");
        let text = String::from_utf8(out).expect("json output is UTF-8");
        prop_assert_eq!(text.lines().count(), report.diagnostics.len());
        for line in text.lines() {
            let value: serde_json::Value = serde_json::from_str(line)
                .map_err(|error| TestCaseError::fail(format!("{error}: {line}")))?;
            prop_assert!(value.is_object(), "{}", line);
        }
    }
}

/// Without edits every fixture has findings or none as its markers say; here only that the
/// json property is not vacuous: some fixtures do produce lines.
#[test]
fn json_property_sees_findings() {
    let with_findings = (0..fixtures().len())
        .filter(|&index| !lint_edited(index, &[]).diagnostics.is_empty())
        .count();
    assert!(with_findings > 10, "only {with_findings} fixtures have findings");
}

//! The language server re-lints incrementally: after an edit it parses again only what the
//! edit changed, keeps the analysis of the functions whose IR and lookups did not change, and
//! moves their findings. Whatever it keeps, its findings must be those of a lint from scratch.
//! Each test edits files one random line at a time (a line inserted, deleted or changed) and
//! after every edit demands, for every file of the run, the diagnostics (places, labels,
//! fixes and their edits, allow comments) and problems of `driver::lint_sources` on the new
//! texts.

use std::path::{Path, PathBuf};

use fdlint::catalog::Catalog;
use fdlint::corpus::{large_file, many_functions, one_line_edit};
use fdlint::driver::{self, FileReport};
use fdlint::ir::Language;
use fdlint::lsp::workspace::Workspace;
use fdlint::source::{language_of, SourceFile};

/// Edits `files[edited]` `edits` times (edit `n` chosen by seed `first_seed + n`), checking
/// every file after each edit. An edit that
/// leaves the file with syntax errors is followed by one back to its last text without,
/// as typing goes through broken text to whole text again.
fn check(files: Vec<(PathBuf, String)>, edited: usize, first_seed: u64, edits: u64) {
    let catalog = Catalog::builtin();
    let mut live = Workspace::new(catalog.clone());
    let changes = files.iter().map(|(path, text)| (path.clone(), Some(text.clone()))).collect();
    live.apply(changes);
    let mut texts: Vec<String> = files.iter().map(|(_, text)| text.clone()).collect();
    let path = files[edited].0.clone();
    let language = language_of(&path).expect("a file fdlint lints");
    let mut whole = texts[edited].clone();
    let mut broken = false;
    for seed in first_seed..first_seed + edits {
        let new_text = match broken {
            false => one_line_edit(&texts[edited], language, seed),
            true => whole.clone(),
        };
        live.apply(vec![(path.clone(), Some(new_text.clone()))]);
        texts[edited] = new_text;
        let sources: Vec<SourceFile> = (files.iter().zip(&texts))
            .map(|((path, _), text)| {
                SourceFile::new(path.clone(), text.clone(), language_of(path).unwrap())
            })
            .collect();
        let expected = driver::lint_sources(sources, &catalog);
        for want in &expected {
            let got = live.report(&want.source.path).expect("a report for every file");
            agree(&got, want, seed, &texts[edited]);
        }
        broken = !expected[edited].problems.is_empty();
        if !broken {
            whole = texts[edited].clone();
        }
    }
}

fn agree(got: &FileReport, want: &FileReport, seed: u64, edited_text: &str) {
    let path = want.source.path.display();
    if got.diagnostics != want.diagnostics || got.problems != want.problems {
        let show =
            |report: &FileReport| format!("{:#?}\n{:#?}", report.diagnostics, report.problems);
        let (got, want) = (show(got), show(want));
        let diff = similar::TextDiff::from_lines(&want, &got);
        panic!(
            "{path} after edit {seed}, the edited file being now:\n{edited_text}\n\
             from scratch (-), incremental (+):\n{}",
            diff.unified_diff().context_radius(6)
        );
    }
}

fn one(path: &str, text: String) -> Vec<(PathBuf, String)> {
    vec![(PathBuf::from("/incremental").join(path), text)]
}

#[test]
fn the_generated_c_file_re_lints_as_from_scratch() {
    check(one("gen.c", many_functions(Language::C, 600)), 0, 1, 60);
    check(one("large.c", large_file(Language::C, 5, 900)), 0, 1, 60);
}

#[test]
fn the_generated_rust_file_re_lints_as_from_scratch() {
    check(one("gen.rs", many_functions(Language::Rust, 600)), 0, 1, 60);
    check(one("large.rs", large_file(Language::Rust, 5, 900)), 0, 1, 60);
}

#[test]
fn the_benchmarks_five_thousand_line_files_re_lint_as_from_scratch() {
    check(one("gen.c", many_functions(Language::C, 5_000)), 0, 1, 6);
    check(one("gen.rs", many_functions(Language::Rust, 5_000)), 0, 1, 6);
}

/// Every fixture of one file, and every edit of each file of the multi-file fixtures.
#[test]
fn the_fixtures_re_lint_as_from_scratch() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut seed = 0;
    for language in ["c", "rust"] {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(language))
            .expect("the fixtures folder")
            .map(|entry| entry.expect("a fixture").path())
            .collect();
        entries.sort();
        for entry in entries {
            let files: Vec<(PathBuf, String)> = match entry.is_dir() {
                true => {
                    let mut files: Vec<PathBuf> = std::fs::read_dir(&entry)
                        .expect("a fixture folder")
                        .map(|file| file.expect("a fixture file").path())
                        .filter(|file| language_of(file).is_some())
                        .collect();
                    files.sort();
                    files.into_iter().map(|file| (file.clone(), read(&file))).collect()
                }
                false if language_of(&entry).is_some() => vec![(entry.clone(), read(&entry))],
                false => continue,
            };
            for edited in 0..files.len() {
                seed += 1;
                check(files.clone(), edited, seed * 100, 8);
            }
        }
    }
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).expect("a readable fixture")
}

//! The fixture runner: every file under `fixtures/` states its expected diagnostics inline
//! (`//~ FDL001` at the end of the primary span's line, `//~^ FDL001` for the line above,
//! `/* ~ FDL001 */` in C), and the run must produce exactly those: no more, no fewer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fdlint::catalog::Catalog;
use fdlint::config::{Levels, Resolver};
use fdlint::driver::{lint_paths, lint_sources, FileReport};
use fdlint::source::{language_of, SourceFile};

/// (line, code) → how many times.
type Expectations = BTreeMap<(usize, String), usize>;

#[test]
fn every_fixture_produces_exactly_its_annotations() {
    let catalog = Catalog::builtin();
    let cases = fixture_cases(Path::new("fixtures"));
    let files: usize = cases.iter().map(Vec::len).sum();
    assert!(files >= 25, "expected the fixture corpus, found {files} files");
    let mut failures = Vec::new();
    for case in &cases {
        for report in lint_as_configured(case, &catalog) {
            let expected = expectations(&report.source.text);
            let mut actual = Expectations::new();
            for diagnostic in report.diagnostics.iter().filter(|d| d.suppressed.is_none()) {
                let (line, _) = report.source.line_column(diagnostic.span.start);
                *actual.entry((line, diagnostic.code.to_string())).or_default() += 1;
            }
            if actual != expected {
                let path = &report.source.path;
                failures.push(describe_mismatch(path, &expected, &actual, &report.source.text));
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixture files differ:\n\n{}",
        failures.len(),
        files,
        failures.join("\n")
    );
}

/// A run over files on disk (`lint_paths`, whose summaries, recorded lookups and waves'
/// results wait in a temporary file) reports, fixes included, what the same files report
/// linted in memory (`lint_sources`, as the language server does).
#[test]
fn every_fixture_case_reports_the_same_from_disk_as_in_memory() {
    let builtin = Catalog::builtin();
    let mut compared = 0;
    for case in fixture_cases(Path::new("fixtures")) {
        let groups = Resolver::discover().group(&case).expect("the fixtures' configs load");
        for group in groups {
            let catalog = group.config.as_ref().filter(|c| !c.api.is_empty()).map(|c| c.catalog());
            let catalog = catalog.as_ref().unwrap_or(&builtin);
            let sources = group.files.iter().map(|path| read_fixture(path)).collect();
            let in_memory: BTreeMap<PathBuf, _> = lint_sources(sources, catalog)
                .into_iter()
                .map(|report| (report.source.path.clone(), report.diagnostics))
                .collect();
            // From disk, a file with nothing to say has no report at all.
            let on_disk: BTreeMap<PathBuf, _> = lint_paths(&group.files, catalog)
                .into_iter()
                .map(|report| (report.source.path.clone(), report.diagnostics))
                .collect();
            for (path, expected) in &in_memory {
                let found = on_disk.get(path).map_or(&[][..], Vec::as_slice);
                assert_eq!(found, expected.as_slice(), "{}", path.display());
                compared += 1;
            }
            let strays: Vec<_> =
                on_disk.keys().filter(|path| !in_memory.contains_key(*path)).collect();
            assert!(strays.is_empty(), "reports for no file linted: {strays:?}");
        }
    }
    assert!(compared >= 25, "expected the fixture corpus, compared {compared} files");
}

/// Lints one case under its config (`fdlint.toml` or Cargo metadata, the nearest above each
/// file, as the command line finds it): the files it excludes are left out, its models join the
/// catalog, its levels apply.
fn lint_as_configured(case: &[PathBuf], builtin: &Catalog) -> Vec<FileReport> {
    let groups = Resolver::discover()
        .group(case)
        .unwrap_or_else(|errors| panic!("a fixture's config does not load: {errors:?}"));
    let mut reports = Vec::new();
    for group in groups {
        let sources: Vec<SourceFile> = group.files.iter().map(|path| read_fixture(path)).collect();
        let catalog = group.config.as_ref().filter(|c| !c.api.is_empty()).map(|c| c.catalog());
        for mut report in lint_sources(sources, catalog.as_ref().unwrap_or(builtin)) {
            Levels::default().apply(group.config.as_deref(), &mut report.diagnostics);
            reports.push(report);
        }
    }
    reports
}

fn read_fixture(path: &Path) -> SourceFile {
    let language = language_of(path).expect("cases hold only source files");
    let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
    SourceFile::new(path.to_path_buf(), text, language)
}

fn describe_mismatch(
    path: &Path,
    expected: &Expectations,
    actual: &Expectations,
    text: &str,
) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = format!("{}:\n", path.display());
    for (key, count) in expected {
        let got = actual.get(key).copied().unwrap_or(0);
        if got < *count {
            out += &format!(
                "  missing {} at line {}: {}\n",
                key.1,
                key.0,
                lines.get(key.0 - 1).unwrap_or(&"").trim()
            );
        }
    }
    for (key, count) in actual {
        let wanted = expected.get(key).copied().unwrap_or(0);
        if *count > wanted {
            out += &format!(
                "  unexpected {} at line {}: {}\n",
                key.1,
                key.0,
                lines.get(key.0 - 1).unwrap_or(&"").trim()
            );
        }
    }
    out
}

/// Parses the inline annotations of a fixture.
fn expectations(text: &str) -> Expectations {
    let mut expected = Expectations::new();
    for (index, line) in text.lines().enumerate() {
        for marker in ["//~", "/* ~", "/*~"] {
            let Some(at) = line.find(marker) else { continue };
            let rest = &line[at + marker.len()..];
            let carets = rest.chars().take_while(|c| *c == '^').count();
            let target = (index + 1).saturating_sub(carets);
            for code in
                rest[carets..].split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| is_code(w))
            {
                *expected.entry((target, code.to_string())).or_default() += 1;
            }
        }
    }
    expected
}

fn is_code(word: &str) -> bool {
    word.len() == 6 && word.starts_with("FDL") && word[3..].chars().all(|c| c.is_ascii_digit())
}

/// The fixture cases: a source file directly in `fixtures/<group>/` is a case of its own; a
/// folder in `fixtures/<group>/` is one case whose files are linted together, as one run (a
/// connection opened in one file and forked over in another). `fixtures/pending/` holds cases
/// the analysis does not meet yet and is not run.
fn fixture_cases(root: &Path) -> Vec<Vec<PathBuf>> {
    let mut cases = Vec::new();
    for group in sorted_entries(root).into_iter().filter(|p| p.is_dir()) {
        if group.file_name().is_some_and(|name| name == "pending") {
            continue;
        }
        for entry in sorted_entries(&group) {
            if entry.is_dir() {
                cases.push(source_files_under(&entry));
            } else if is_source(&entry) {
                cases.push(vec![entry]);
            }
        }
    }
    cases.retain(|case| !case.is_empty());
    cases
}

fn source_files_under(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in sorted_entries(dir) {
        if entry.is_dir() {
            files.extend(source_files_under(&entry));
        } else if is_source(&entry) {
            files.push(entry);
        }
    }
    files
}

/// A fixture's source, not the expected result of a fix-it (`name.fixed.c`, which
/// `tests/fix.rs` checks).
fn is_source(path: &Path) -> bool {
    let fixed = path.file_stem().and_then(|s| s.to_str()).is_some_and(|s| s.ends_with(".fixed"));
    language_of(path).is_some() && !fixed
}

fn sorted_entries(dir: &Path) -> Vec<PathBuf> {
    let entries = std::fs::read_dir(dir).expect("fixtures/ is readable");
    let mut paths: Vec<PathBuf> = entries.flatten().map(|entry| entry.path()).collect();
    paths.sort();
    paths
}

#[test]
fn annotations_parse_in_every_form() {
    let text = "fork(); //~ FDL001\nx();\n//~^ FDL001 FDL002\nfork(); /* ~ FDL001 */\n";
    let parsed = expectations(text);
    let keys: Vec<(usize, &str)> = parsed.keys().map(|(l, c)| (*l, c.as_str())).collect();
    assert_eq!(keys, [(1, "FDL001"), (2, "FDL001"), (2, "FDL002"), (4, "FDL001")]);
}

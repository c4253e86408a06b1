//! The fixture runner: every file under `fixtures/` states its expected diagnostics inline
//! (`//~ FDL001` at the end of the primary span's line, `//~^ FDL001` for the line above,
//! `/* ~ FDL001 */` in C), and the run must produce exactly those: no more, no fewer.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use fdlint::catalog::Catalog;
use fdlint::driver::lint_source;
use fdlint::source::{language_of, SourceFile};

/// (line, code) → how many times.
type Expectations = BTreeMap<(usize, String), usize>;

#[test]
fn every_fixture_produces_exactly_its_annotations() {
    let catalog = Catalog::builtin();
    let files = fixture_files(Path::new("fixtures"));
    assert!(files.len() >= 25, "expected the fixture corpus, found {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let Some(language) = language_of(path) else { continue };
        let text = std::fs::read_to_string(path).expect("fixtures are UTF-8");
        let expected = expectations(&text);
        let source = SourceFile::new(path.clone(), text, language);
        let report = lint_source(source, &catalog);
        let mut actual = Expectations::new();
        for diagnostic in &report.diagnostics {
            let (line, _) = report.source.line_column(diagnostic.span.start);
            *actual.entry((line, diagnostic.code.to_string())).or_default() += 1;
        }
        if actual != expected {
            failures.push(describe_mismatch(path, &expected, &actual, &report.source.text));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ:\n\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
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

fn fixture_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![root.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("fixtures/ is readable").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if language_of(&path).is_some() {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn annotations_parse_in_every_form() {
    let text = "fork(); //~ FDL001\nx();\n//~^ FDL001 FDL002\nfork(); /* ~ FDL001 */\n";
    let parsed = expectations(text);
    let keys: Vec<(usize, &str)> = parsed.keys().map(|(l, c)| (*l, c.as_str())).collect();
    assert_eq!(keys, [(1, "FDL001"), (2, "FDL001"), (2, "FDL002"), (4, "FDL001")]);
}

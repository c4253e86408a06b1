use super::*;
use crate::diagnostics::Label;
use crate::ir::{Language, Span};

fn fix(title: &str, applicability: Applicability, edits: Vec<Edit>) -> Fix {
    Fix { title: title.into(), applicability, edits }
}

fn finding(fixes: Vec<Fix>) -> Diagnostic {
    let mut diagnostic =
        Diagnostic::new("FDL001", Span::new(0, 1), "m".into(), Vec::<Label>::new());
    diagnostic.fixes = fixes;
    diagnostic
}

/// Runs the rounds with a "linter" that offers `offer(text)` as the findings of the file.
fn run(text: &str, most: Applicability, offer: impl Fn(&str) -> Vec<Diagnostic>) -> FixRun {
    let source = SourceFile::new("a.c".into(), text.into(), Language::C);
    fix_sources(vec![source], most, |sources| {
        sources
            .iter()
            .map(|source| FileReport {
                source: source.clone(),
                diagnostics: offer(&source.text),
                problems: Vec::new(),
            })
            .collect()
    })
}

/// One finding while `int a;` lacks its flag; the fix adds it.
fn flag_finding(text: &str, applicability: Applicability) -> Vec<Diagnostic> {
    match text.find("int a;") {
        Some(at) => vec![finding(vec![fix(
            "flag",
            applicability,
            vec![Edit::replace(Span::new(at, at + 6), "int a = 1;")],
        )])],
        None => Vec::new(),
    }
}

#[test]
fn safe_fixes_apply_and_unsafe_ones_only_when_asked() {
    let text = "int a;\n";
    let safe = run(text, Applicability::Safe, |t| flag_finding(t, Applicability::Unsafe));
    assert!(safe.files.is_empty());
    let unsafe_ = run(text, Applicability::Unsafe, |t| flag_finding(t, Applicability::Unsafe));
    assert_eq!(unsafe_.files[0].fixed, "int a = 1;\n");
    assert_eq!(unsafe_.fixed_findings(), 1);
    assert!(unsafe_.reports[0].diagnostics.is_empty(), "re-linted after fixing");
    let manual = run(text, Applicability::Unsafe, |t| flag_finding(t, Applicability::Manual));
    assert!(manual.files.is_empty());
}

#[test]
fn overlapping_fixes_are_applied_over_several_rounds() {
    // Two findings whose fixes replace the same bytes: one per round, until none is left.
    let text = "int a; int b;\n";
    let result = run(text, Applicability::Safe, |text| {
        let whole = Span::new(0, text.trim_end().len());
        ["int a;", "int b;"]
            .iter()
            .filter(|decl| text.contains(*decl))
            .map(|decl| {
                let fixed = text.trim_end().replace(decl, "");
                finding(vec![fix(decl, Applicability::Safe, vec![Edit::replace(whole, fixed)])])
            })
            .collect()
    });
    assert_eq!(result.files[0].fixed.trim(), "");
    assert_eq!(result.fixed_findings(), 2);
}

#[test]
fn a_fix_that_breaks_the_syntax_is_not_applied_and_is_reported() {
    let text = "int main(void) { return 0; }\n";
    let result = run(text, Applicability::Safe, |text| {
        let good = fix("good", Applicability::Safe, vec![Edit::insert(0, "int g;\n")]);
        let bad = fix("bad", Applicability::Safe, vec![Edit::insert(text.len() - 2, "{")]);
        let mut found = vec![finding(vec![bad])];
        if !text.starts_with("int g;") {
            found.push(finding(vec![good]));
        }
        found
    });
    let file = &result.files[0];
    assert_eq!(file.fixed, "int g;\nint main(void) { return 0; }\n");
    assert_eq!(file.failed, vec!["bad".to_string()]);
    assert_eq!(file.fixed_findings, 1);
}

/// Two findings whose fixes insert at the start: `b` always solves its finding, `a` only
/// once `b` is in the file. `a` goes first, fails, and must be tried again after `b`.
fn a_needs_b(text: &str) -> Vec<Diagnostic> {
    let mut found = Vec::new();
    if !(text.contains('A') && text.contains('B')) {
        found.push(finding(vec![fix("a", Applicability::Safe, vec![Edit::insert(0, "A")])]));
    }
    if !text.contains('B') {
        found.push(finding(vec![fix("b", Applicability::Safe, vec![Edit::insert(0, "B")])]));
    }
    found
}

#[test]
fn a_fix_that_failed_is_tried_again_on_the_text_other_fixes_made() {
    let first = run("int a;\n", Applicability::Safe, a_needs_b);
    let file = &first.files[0];
    assert_eq!(file.fixed, "ABint a;\n");
    assert!(file.failed.is_empty(), "it did not fail in the end: {:?}", file.failed);
    assert_eq!(file.fixed_findings, 2);
    let second = run(&file.fixed, Applicability::Safe, a_needs_b);
    assert!(second.files.is_empty(), "a second run changed it: {:?}", second.files);
}

#[test]
fn a_finding_whose_first_fix_breaks_the_syntax_gets_its_next_one() {
    let text = "int main(void) { return 0; }\n";
    let result = run(text, Applicability::Safe, |text| {
        if text.starts_with("int g;") {
            return Vec::new();
        }
        let bad = fix("bad", Applicability::Safe, vec![Edit::insert(text.len() - 2, "{")]);
        let good = fix("good", Applicability::Safe, vec![Edit::insert(0, "int g;\n")]);
        vec![finding(vec![bad, good])]
    });
    let file = &result.files[0];
    assert_eq!(file.fixed, "int g;\nint main(void) { return 0; }\n");
    assert!(file.failed.is_empty(), "the finding was fixed: {:?}", file.failed);
    assert_eq!(file.fixed_findings, 1);
}

#[test]
fn edits_apply_in_order_and_out_of_range_edits_are_refused() {
    let a = fix("a", Applicability::Safe, vec![Edit::insert(3, "X"), Edit::insert(0, "Y")]);
    assert_eq!(apply("abcdef", &[&a]).as_deref(), Some("YabcXdef"));
    let far = fix("far", Applicability::Safe, vec![Edit::insert(99, "X")]);
    assert_eq!(apply("abc", &[&far]), None);
}

#[test]
fn the_diff_names_both_sides_and_is_empty_without_change() {
    let diff = unified_diff("src/a.c", "a\nb\n", "a\nc\n");
    assert!(diff.starts_with("--- a/src/a.c\n+++ b/src/a.c\n@@ -1,2 +1,2 @@\n"), "{diff}");
    assert!(diff.contains("-b\n+c\n"));
    assert_eq!(unified_diff("a.c", "x", "x"), "");
}

#[test]
fn an_atomic_write_keeps_the_permissions_and_leaves_no_temporary_file() {
    use std::os::unix::fs::PermissionsExt;
    let folder = tempfile::tempdir().unwrap();
    let path = folder.path().join("a.c");
    std::fs::write(&path, "old").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o751)).unwrap();
    write_atomically(&path, "new").unwrap();
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "new");
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o751);
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1);
}

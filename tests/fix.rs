//! The fix-it runner (clippy's `.fixed` convention): every input under `fixtures/fix/` has
//! its expected fixed file beside it (`name.c` → `name.fixed.c`). Inputs named `unsafe_*`
//! are fixed as with `--unsafe-fixes`, the others as with `--fix`. For each input: the fixed
//! text equals the expected file, it parses, a second pass changes nothing, and no finding is
//! left of a lint whose fix was applied. `FDLINT_BLESS=1` rewrites the expected files.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use fdlint::catalog::Catalog;
use fdlint::diagnostics::Applicability;
use fdlint::driver::{lint_source, lint_sources, FileReport};
use fdlint::fix::{fix_sources, FixRun};
use fdlint::frontend;
use fdlint::ir::Language;
use fdlint::source::{language_of, SourceFile};

fn inputs() -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir("fixtures/fix").expect("fixtures/fix is readable").flatten() {
        let path = entry.path();
        if language_of(&path).is_some() && !is_fixed_file(&path) {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn is_fixed_file(path: &Path) -> bool {
    path.file_stem().and_then(|stem| stem.to_str()).is_some_and(|stem| stem.ends_with(".fixed"))
}

/// `name.c` → `name.fixed.c`.
fn fixed_path(input: &Path) -> PathBuf {
    let stem = input.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    let extension = input.extension().and_then(|e| e.to_str()).unwrap_or_default();
    input.with_file_name(format!("{stem}.fixed.{extension}"))
}

fn mode(input: &Path) -> Applicability {
    let name = input.file_name().and_then(|n| n.to_str()).unwrap_or_default();
    if name.starts_with("unsafe_") {
        Applicability::Unsafe
    } else {
        Applicability::Safe
    }
}

fn fix(source: SourceFile, most: Applicability, catalog: &Catalog) -> FixRun {
    fix_sources(vec![source], most, |sources: &[SourceFile]| -> Vec<FileReport> {
        lint_sources(sources.to_vec(), catalog)
    })
}

/// The lints whose findings had a fix the mode applies.
fn fixed_lints(report: &FileReport, most: Applicability) -> BTreeSet<&'static str> {
    let applies = |a: Applicability| a <= most && a != Applicability::Manual;
    report
        .diagnostics
        .iter()
        .filter(|d| d.fixes.iter().any(|fix| applies(fix.applicability)))
        .map(|d| d.code)
        .collect()
}

#[test]
fn every_fix_fixture_fixes_to_its_fixed_file() {
    let catalog = Catalog::builtin();
    let bless = std::env::var_os("FDLINT_BLESS").is_some();
    let inputs = inputs();
    assert!(inputs.len() >= 8, "expected the fix fixtures, found {}", inputs.len());
    let mut failures = Vec::new();
    for input in &inputs {
        if let Err(failure) = check_fixture(input, &catalog, bless) {
            failures.push(format!("{}: {failure}", input.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn check_fixture(input: &Path, catalog: &Catalog, bless: bool) -> Result<(), String> {
    let language = language_of(input).ok_or("not a source file")?;
    let text = std::fs::read_to_string(input).map_err(|e| e.to_string())?;
    let most = mode(input);
    let source = SourceFile::new(input.to_path_buf(), text.clone(), language);
    let before = lint_source(source.clone(), catalog);
    let claimed = fixed_lints(&before, most);
    if claimed.is_empty() {
        return Err("no finding has a fix to apply".into());
    }
    let run = fix(source, most, catalog);
    let fixed = run.files.first().map(|file| file.fixed.clone()).unwrap_or(text.clone());
    if fixed == text {
        return Err("the fixes changed nothing".into());
    }
    if let Some(file) = run.files.first().filter(|file| !file.failed.is_empty()) {
        return Err(format!("fixes failed: {:?}", file.failed));
    }
    let expected_path = fixed_path(input);
    if bless {
        std::fs::write(&expected_path, &fixed).map_err(|e| e.to_string())?;
    }
    let expected = std::fs::read_to_string(&expected_path)
        .map_err(|e| format!("{}: {e} (bless with FDLINT_BLESS=1)", expected_path.display()))?;
    if fixed != expected {
        return Err(format!("fixed text differs from {}:\n{fixed}", expected_path.display()));
    }
    let errors = frontend::lower(language, &fixed).errors;
    if !errors.is_empty() {
        return Err(format!("the fixed file does not parse: {errors:?}"));
    }
    let fixed_source = SourceFile::new(input.to_path_buf(), fixed, language);
    let again = fix(fixed_source.clone(), most, catalog);
    if !again.files.is_empty() {
        return Err(format!("a second pass changed the file again: {:?}", again.files));
    }
    let after = lint_source(fixed_source, catalog);
    let left: Vec<String> = after
        .diagnostics
        .iter()
        .filter(|d| claimed.contains(d.code))
        .map(|d| format!("{} {}", d.code, d.message))
        .collect();
    if !left.is_empty() {
        return Err(format!("findings the fixes claim to solve are left: {left:?}"));
    }
    Ok(())
}

#[test]
fn fixed_files_keep_their_line_endings() {
    for input in inputs() {
        let text = std::fs::read_to_string(&input).unwrap();
        let Ok(fixed) = std::fs::read_to_string(fixed_path(&input)) else { continue };
        let crlf = |t: &str| t.matches("\r\n").count() == t.matches('\n').count();
        assert_eq!(crlf(&text), crlf(&fixed), "{}", input.display());
    }
}

#[test]
fn safe_mode_leaves_the_unsafe_fixtures_alone() {
    let catalog = Catalog::builtin();
    for input in inputs().into_iter().filter(|i| mode(i) == Applicability::Unsafe) {
        let text = std::fs::read_to_string(&input).unwrap();
        let source = SourceFile::new(input.clone(), text, language_of(&input).unwrap());
        let run = fix(source, Applicability::Safe, &catalog);
        assert!(run.files.is_empty(), "{}: a safe pass changed it", input.display());
    }
}

/// The move is offered only when nothing but the branch that uses the connection mentions it.
#[test]
fn the_connection_is_not_moved_past_a_use_before_the_fork() {
    let catalog = Catalog::builtin();
    let moved = |text: &str| {
        let source = SourceFile::new("a.c".into(), text.into(), fdlint::ir::Language::C);
        let report = lint_source(source, &catalog);
        let fixes = report.diagnostics.iter().flat_map(|d| &d.fixes);
        fixes.filter(|fix| fix.title.contains("after the fork")).count()
    };
    let open = "zhandle_t *zh = zookeeper_init(\"h\", 0, 1, 0, 0, 0);";
    let branch = "if (pid == 0) { for (;;) pause(); } else { serve(zh); }";
    assert_eq!(moved(&format!("int main(void) {{ {open} pid_t pid = fork(); {branch} }}")), 1);
    let used_between =
        format!("int main(void) {{ {open} log_handle(zh); pid_t pid = fork(); {branch} }}");
    assert_eq!(moved(&used_between), 0);
    let used_after = format!("int main(void) {{ {open} pid_t pid = fork(); {branch} done(zh); }}");
    assert_eq!(moved(&used_after), 0);
}

/// Found by the `fix` fuzz target: in a C file mangled past what the analysis reads, the close
/// fix did not solve its finding, so every round inserted `close(db);` again (ten rounds, then
/// ten more on a second `--fix`). A fix is now offered once per run.
#[test]
fn a_fix_that_does_not_solve_its_finding_is_applied_once() {
    let [original, once, twice] = fix_twice("tests/data/fix_repeats_on_broken_c.fuzz");
    assert_eq!(twice, once, "a second --fix changed the file");
    let added = once.matches("close(db);").count() - original.matches("close(db);").count();
    assert!(added <= 1, "close(db); inserted {added} times");
}

/// Found by the `fix` fuzz target: in a garbled C file, the shutdown fix did not solve its
/// finding on the text as it was, and was not tried again once the close fixes of two other
/// findings had changed the file, where it does solve it; so a second `--fix` applied it.
#[test]
fn a_fix_that_failed_is_tried_again_once_other_fixes_changed_the_file() {
    let [original, once, twice] = fix_twice("tests/data/fix_applies_late_on_broken_c.fuzz");
    assert_ne!(once, original, "the close fixes apply");
    assert_eq!(twice, once, "a second --fix changed the file");
}

/// A fuzz input of the `fix` target (a selector byte, then a C file), decoded as the target
/// does: its text, the text after `--fix --unsafe-fixes`, and after a second one.
fn fix_twice(input: &str) -> [String; 3] {
    let bytes = std::fs::read(input).expect("the fuzz input");
    let (_selector, body) = bytes.split_first().expect("a selector byte");
    let catalog = Catalog::builtin();
    let decoded = fdlint::driver::lint_bytes("fuzz.c".into(), body.to_vec(), Language::C, &catalog);
    let fix = |text: &str| -> String {
        let source = SourceFile::new("fuzz.c".into(), text.into(), Language::C);
        let run = fix_sources(vec![source], Applicability::Unsafe, |sources| {
            lint_sources(sources.to_vec(), &catalog)
        });
        run.files.into_iter().next().map_or(text.into(), |file| file.fixed)
    };
    let original = decoded.source.text;
    let once = fix(&original);
    let twice = fix(&once);
    [original, once, twice]
}

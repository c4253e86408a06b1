//! Bad input (SPEC section 6): every bad file gets a clear error naming it (and the place,
//! when there is one), and the other files of the run are all still linted and reported.
//!
//! Each test puts one bad input in a fresh folder beside two leaking files, one per language,
//! runs the built `fdlint` on the folder (or on the paths) and checks the error and that both
//! findings are still there.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use fdlint::catalog::Catalog;
use fdlint::driver::lint_paths;

const LEAKING_C: &str = include_str!("../fixtures/c/accept_loop_parent_keeps_client.c");
const LEAKING_RUST: &str = include_str!("../fixtures/rust/seed_2_parent_drops_child_keeps_libc.rs");

/// The findings of the two leaking files, as the concise output prints them.
const C_FINDING: &str = "leak.c:24:21: FDL001 ";
const RUST_FINDING: &str = "leak.rs:11:24: FDL001 ";

/// A folder holding the two leaking files.
fn folder_with_leaks() -> tempfile::TempDir {
    let folder = tempfile::tempdir().expect("create a temporary folder");
    write(folder.path(), "leak.c", LEAKING_C);
    write(folder.path(), "leak.rs", LEAKING_RUST);
    folder
}

fn write(folder: &Path, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
    let path = folder.join(name);
    std::fs::write(&path, contents).expect("write a test file");
    path
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn fdlint(args: &[&Path]) -> Run {
    let output: Output = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .arg("--output-format=concise")
        .args(args)
        .output()
        .expect("run fdlint");
    Run {
        status: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

impl Run {
    /// Both leaking files' findings are reported, and nothing else is.
    fn assert_leaks_reported(&self) -> &Self {
        let findings: Vec<&str> = self.stdout.lines().filter(|l| l.contains(": FDL")).collect();
        assert_eq!(findings.len(), 2, "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        assert!(findings[0].ends_with_finding(C_FINDING), "{findings:?}");
        assert!(findings[1].ends_with_finding(RUST_FINDING), "{findings:?}");
        self
    }

    fn assert_error(&self, expected: &str) -> &Self {
        assert!(
            self.stderr.contains(expected),
            "expected {expected:?} in stderr:\n{}",
            self.stderr
        );
        self
    }

    fn assert_no_error(&self) -> &Self {
        assert_eq!(
            self.stderr.lines().filter(|l| !l.starts_with("fdlint:")).count(),
            0,
            "{}",
            self.stderr
        );
        self
    }

    fn assert_status(&self, status: i32) -> &Self {
        assert_eq!(self.status, Some(status), "stdout:\n{}\nstderr:\n{}", self.stdout, self.stderr);
        self
    }
}

trait FindingLine {
    fn ends_with_finding(&self, finding: &str) -> bool;
}

impl FindingLine for &str {
    /// The line names a file ending in the finding's file name, at the finding's place.
    fn ends_with_finding(&self, finding: &str) -> bool {
        let (file, rest) = finding.split_once(':').expect("a finding has a path");
        self.contains(&format!("/{file}:{rest}")) || self.starts_with(finding)
    }
}

#[test]
fn syntax_error_in_c_is_located_and_the_rest_analysed() {
    let folder = folder_with_leaks();
    write(folder.path(), "broken.c", "int main(void) {\n    int x = ;\n    return x;\n}\n");
    fdlint(&[folder.path()])
        .assert_error("broken.c:2:12: expected identifier; fdlint skipped what it could not parse")
        .assert_leaks_reported()
        .assert_status(0);
}

#[test]
fn syntax_error_in_rust_is_located() {
    let folder = folder_with_leaks();
    write(folder.path(), "broken.rs", "fn main() {\n    let = 1;\n}\n");
    fdlint(&[folder.path()])
        .assert_error("broken.rs:2:9: expected one of")
        .assert_leaks_reported()
        .assert_status(0);
}

#[test]
fn latin1_c_file_is_linted_with_positions_in_characters() {
    let folder = folder_with_leaks();
    // A Latin-1 comment before line 1; the leak's line and column are unchanged by it.
    let mut bytes = b"/* \xe9t\xe9 */".to_vec();
    bytes.extend_from_slice(LEAKING_C.as_bytes());
    write(folder.path(), "latin1.c", &bytes);
    let run = fdlint(&[folder.path()]);
    run.assert_error("latin1.c:1:4: not valid UTF-8; read as Latin-1").assert_status(0);
    assert!(run.stdout.contains("latin1.c:24:21: FDL001 "), "{}", run.stdout);
    let others = run.stdout.lines().filter(|line| !line.contains("latin1.c")).collect::<Vec<_>>();
    assert_eq!(others.len(), 2, "{}", run.stdout);
}

#[test]
fn rust_file_that_is_not_utf8_is_reported_at_the_bad_byte() {
    let folder = folder_with_leaks();
    write(folder.path(), "latin1.rs", b"fn main() {}\n// caf\xe9\n");
    fdlint(&[folder.path()])
        .assert_error("latin1.rs:2:7: not valid UTF-8")
        .assert_leaks_reported()
        .assert_status(0);
}

#[test]
fn file_of_50_mb_is_skipped_as_too_large() {
    let folder = folder_with_leaks();
    let line = "int f(void) { return 0; }\n";
    write(folder.path(), "huge.c", line.repeat(50 * 1024 * 1024 / line.len()));
    fdlint(&[folder.path()])
        .assert_error("huge.c: file is 50.0 MiB, larger than the 16 MiB fdlint reads; skipped")
        .assert_leaks_reported()
        .assert_status(0);
}

fn nested(open: &str, inner: &str, close: &str, depth: usize) -> String {
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

/// tree-sitter parses without recursion; lowering stops at its depth bound and says so, and
/// the leaking `main` after the deep function is still found.
#[test]
fn ten_thousand_nested_parentheses_and_blocks_in_c() {
    let folder = folder_with_leaks();
    let parens = nested("(", "1", ")", 10_000);
    let blocks = nested("{", "", "}", 10_000);
    // It forks, so the analysis needs it: a function that no finding can depend on is left
    // out of lowering, and its nesting never noted.
    let deep = format!("int deep(void) {{ int x = {parens}; {blocks} return fork() + x; }}\n");
    let main = LEAKING_C.replace("int main(void)", &format!("{deep}int main(void)"));
    write(folder.path(), "deep.c", &main);
    let run = fdlint(&[folder.path()]);
    // The deep function is on line 11, before `main`.
    run.assert_error("deep.c:11:").assert_error(": nesting too deep").assert_status(0);
    assert!(run.stdout.contains("deep.c:25:21: FDL001 "), "{}", run.stdout);
    let others = run.stdout.lines().filter(|line| !line.contains("deep.c")).collect::<Vec<_>>();
    assert_eq!(others.len(), 2, "{}", run.stdout);
}

#[test]
fn ten_thousand_nested_parentheses_and_blocks_in_rust() {
    let folder = folder_with_leaks();
    let parens = nested("(", "1", ")", 10_000);
    write(folder.path(), "parens.rs", format!("fn f() {{ let x = {parens}; }}\n"));
    write(folder.path(), "blocks.rs", format!("fn f() {}\n", nested("{", "", "}", 10_000)));
    fdlint(&[folder.path()])
        .assert_error("parens.rs:1:")
        .assert_error("blocks.rs:1:")
        .assert_error("nested deeper than")
        .assert_leaks_reported()
        .assert_status(0);
}

/// Deep trees without brackets: long prefix-operator runs, generics, field chains.
#[test]
fn deep_nesting_without_brackets_in_rust_is_refused_not_a_stack_overflow() {
    let folder = folder_with_leaks();
    let n = 1_000_000;
    write(folder.path(), "unary.rs", format!("fn f() {{ let x = {}1; }}\n", "-".repeat(n)));
    write(folder.path(), "sum.rs", format!("fn f() {{ let x = {}1; }}\n", "1+".repeat(n)));
    write(folder.path(), "field.rs", format!("fn f() {{ let x = a{}; }}\n", ".b".repeat(n)));
    write(folder.path(), "generic.rs", format!("type T = {};\n", nested("V<", "u8", ">", n)));
    let run = fdlint(&[folder.path()]);
    for name in ["unary.rs", "sum.rs", "field.rs", "generic.rs"] {
        run.assert_error(&format!("{name}:1:"));
    }
    run.assert_error("nested deeper than").assert_leaks_reported().assert_status(0);
}

#[test]
fn binary_file_named_c_is_skipped() {
    let folder = folder_with_leaks();
    let bytes: Vec<u8> =
        (0..4096u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    assert!(bytes.contains(&0));
    write(folder.path(), "blob.c", &bytes);
    fdlint(&[folder.path()])
        .assert_error("blob.c: binary file (a NUL byte at offset")
        .assert_leaks_reported()
        .assert_status(0);
}

#[test]
fn empty_files_are_fine() {
    let folder = folder_with_leaks();
    write(folder.path(), "empty.c", "");
    write(folder.path(), "empty.rs", "");
    fdlint(&[folder.path()]).assert_no_error().assert_leaks_reported().assert_status(0);
}

#[test]
fn symlink_loop() {
    let folder = folder_with_leaks();
    let (one, two) = (folder.path().join("one.c"), folder.path().join("two.c"));
    std::os::unix::fs::symlink(&two, &one).unwrap();
    std::os::unix::fs::symlink(&one, &two).unwrap();
    // Walking a folder does not follow links, so the loop is not entered.
    fdlint(&[folder.path()]).assert_no_error().assert_leaks_reported().assert_status(0);
    // Named on the command line, it is an error with the system's words, and exit 2.
    let (c, rust) = (folder.path().join("leak.c"), folder.path().join("leak.rs"));
    fdlint(&[&one, &c, &rust])
        .assert_error("one.c: cannot read: Too many levels of symbolic links")
        .assert_leaks_reported()
        .assert_status(2);
}

#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let folder = folder_with_leaks();
    let locked = write(folder.path(), "locked.c", LEAKING_C);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let run = fdlint(&[folder.path()]);
    if std::fs::File::open(&locked).is_ok() {
        // Running as root: permissions do not stop reading, so the file is simply linted.
        eprintln!("note: running as root, so chmod 000 does not make a file unreadable");
        assert!(run.stdout.contains("locked.c:24:21: FDL001 "), "{}", run.stdout);
        run.assert_no_error().assert_status(0);
    } else {
        run.assert_error("locked.c: cannot read: Permission denied")
            .assert_leaks_reported()
            .assert_status(0);
    }
}

#[test]
fn directory_named_like_a_source_file_is_walked_not_read() {
    let folder = folder_with_leaks();
    let inner = folder.path().join("x.rs");
    std::fs::create_dir(&inner).unwrap();
    write(&inner, "inner.c", "int main(void) { return 0; }\n");
    fdlint(&[folder.path()]).assert_no_error().assert_leaks_reported().assert_status(0);
    // Handed to the reader directly (as a race could), it is an error for that path only.
    let catalog = Catalog::builtin();
    let paths = [folder.path().join("leak.c"), inner.clone()];
    let reports = lint_paths(&paths, &catalog);
    let messages: Vec<&str> = reports[1].problems.iter().map(|p| p.message.as_str()).collect();
    assert_eq!(messages, ["is a directory, not a file"]);
    assert_eq!(reports[0].diagnostics.len(), 1);
}

#[test]
fn path_that_does_not_exist_exits_2_after_linting_the_rest() {
    let folder = folder_with_leaks();
    let missing = folder.path().join("missing.c");
    let (c, rust) = (folder.path().join("leak.c"), folder.path().join("leak.rs"));
    fdlint(&[&c, &missing, &rust])
        .assert_error("missing.c: no such file or directory")
        .assert_leaks_reported()
        .assert_status(2);
}

/// A file found by the walk and deleted before it is read.
#[test]
fn file_deleted_during_the_run() {
    let folder = folder_with_leaks();
    let doomed = write(folder.path(), "doomed.c", LEAKING_C);
    let (files, problems) = fdlint::walk::collect_files(&[folder.path().to_path_buf()]);
    assert!(problems.is_empty() && files.contains(&doomed), "{files:?}");
    std::fs::remove_file(&doomed).unwrap();
    let reports = lint_paths(&files, &Catalog::builtin());
    let mut found = Vec::new();
    for report in &reports {
        let name = report.source.path.file_name().unwrap().to_string_lossy().into_owned();
        for problem in &report.problems {
            found.push(format!("{name}: {}", problem.message));
        }
        for diagnostic in &report.diagnostics {
            found.push(format!("{name}: {}", diagnostic.code));
        }
    }
    assert_eq!(
        found,
        [
            "doomed.c: cannot read: No such file or directory (os error 2)",
            "leak.c: FDL001",
            "leak.rs: FDL001"
        ]
    );
}

#[test]
fn named_pipe_is_not_read() {
    let folder = folder_with_leaks();
    let pipe = folder.path().join("pipe.c");
    let made = Command::new("mkfifo").arg(&pipe).status().expect("run mkfifo");
    assert!(made.success());
    // Walked: not a regular file, so not a source file.
    fdlint(&[folder.path()]).assert_no_error().assert_leaks_reported().assert_status(0);
    // Named: refused instead of waiting forever for a writer.
    let (c, rust) = (folder.path().join("leak.c"), folder.path().join("leak.rs"));
    fdlint(&[&pipe, &c, &rust])
        .assert_error("pipe.c: not a regular file")
        .assert_leaks_reported()
        .assert_status(2);
    let reports = lint_paths(std::slice::from_ref(&pipe), &Catalog::builtin());
    assert_eq!(
        reports[0].problems[0].message,
        "not a regular file (a pipe, socket or device); skipped"
    );
}

/// fdlint reads a crate; it does not build it: a build script and a proc-macro crate beside
/// the code are linted as text and never run.
#[test]
fn build_scripts_and_proc_macros_are_read_never_run() {
    let folder = folder_with_leaks();
    let marker = folder.path().join("ran");
    let script = format!("fn main() {{ std::fs::write({:?}, \"\").unwrap(); }}\n", marker);
    write(folder.path(), "Cargo.toml", "[package]\nname = \"victim\"\nversion = \"0.1.0\"\n");
    write(folder.path(), "build.rs", &script);
    let macro_crate = folder.path().join("macros");
    std::fs::create_dir(&macro_crate).unwrap();
    write(&macro_crate, "Cargo.toml", "[package]\nname = \"m\"\n[lib]\nproc-macro = true\n");
    let proc_macro = format!(
        "#[proc_macro]\npub fn m(_: proc_macro::TokenStream) -> proc_macro::TokenStream {{\n\
         {script}    main(); todo!()\n}}\n"
    );
    write(&macro_crate, "lib.rs", proc_macro);
    write(folder.path(), "user.rs", "fn main() { m::m!(); }\n");
    fdlint(&[folder.path()]).assert_no_error().assert_leaks_reported().assert_status(0);
    assert!(!marker.exists(), "fdlint ran code it read");
}

/// A C file read as Latin-1 is written back as Latin-1: `--add-allow` and `--fix` change
/// what they change and leave every other byte as it was.
#[test]
fn latin1_file_keeps_its_bytes_when_rewritten() {
    for flag in ["--add-allow", "--fix"] {
        let folder = tempfile::tempdir().unwrap();
        let mut bytes = b"/* \xe9t\xe9 */".to_vec();
        bytes.extend_from_slice(LEAKING_C.as_bytes());
        let path = write(folder.path(), "latin1.c", &bytes);
        let run = Command::new(env!("CARGO_BIN_EXE_fdlint"))
            .args([flag.as_ref(), path.as_os_str()])
            .output()
            .unwrap();
        assert!(run.status.success(), "{flag}: {}", String::from_utf8_lossy(&run.stderr));
        let after = std::fs::read(&path).unwrap();
        assert!(
            after.starts_with(b"/* \xe9t\xe9 */"),
            "{flag}: {}",
            String::from_utf8_lossy(&after)
        );
        assert!(after.len() > bytes.len(), "{flag} changed nothing");
        // Written as UTF-8, each `é` would have become two bytes of 0x80 or above.
        assert_eq!(after.iter().filter(|&&byte| byte >= 0x80).count(), 2, "{flag}");
        let again = fdlint(&[&path]);
        again.assert_status(0);
        assert!(
            again.stdout.lines().all(|line| !line.contains("FDL001")),
            "{flag}: {}",
            again.stdout
        );
    }
}

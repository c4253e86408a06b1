//! `--fix`, `--unsafe-fixes` and `--diff` end to end: the built binary on files in a fresh
//! temporary folder.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Seed program 2: the child keeps the socket; the safe fix adds an `else` that closes it.
const LEAKING: &str = "\
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fork())
        close(fd);
    sleep(100);
    return 0;
}
";

const LEAKING_FIXED: &str = "\
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fork())
        close(fd);
    else
        close(fd);
    sleep(100);
    return 0;
}
";

/// FDL003, whose only fix (adding `SOCK_CLOEXEC`) is unsafe.
const EXEC_LEAK: &str = "\
int main(int argc, char **argv)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fork() == 0) {
        execvp(argv[1], argv + 1);
        _exit(127);
    }
    close(fd);
    return 0;
}
";

fn folder(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write a test file");
    }
    dir
}

fn fdlint(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_fdlint")).args(args).arg(dir).output().expect("fdlint runs")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).expect("read back")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn fix_applies_the_safe_fix_and_reports_what_is_left() {
    let dir = folder(&[("leak.c", LEAKING), ("exec.c", EXEC_LEAK)]);
    let output = fdlint(&["--fix", "--output-format", "concise"], dir.path());
    assert_eq!(read(dir.path(), "leak.c"), LEAKING_FIXED);
    assert_eq!(read(dir.path(), "exec.c"), EXEC_LEAK, "the unsafe fix waits for --unsafe-fixes");
    let stdout = text(&output.stdout);
    assert!(stdout.contains("exec.c:5:9: FDL003"), "{stdout}");
    assert!(!stdout.contains("FDL001"), "{stdout}");
    assert!(text(&output.stderr).contains("fdlint: fixed 1 finding, 1 left"), "{output:?}");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn unsafe_fixes_with_fix_applies_the_unsafe_ones_too() {
    let dir = folder(&[("exec.c", EXEC_LEAK)]);
    let output = fdlint(&["--fix", "--unsafe-fixes"], dir.path());
    assert!(read(dir.path(), "exec.c").contains("socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)"));
    assert!(text(&output.stderr).contains("fixed 1 finding, 0 left"), "{output:?}");
    let again = fdlint(&["--fix", "--unsafe-fixes"], dir.path());
    assert!(text(&again.stderr).contains("fixed 0 findings, 0 left"), "{again:?}");
}

#[test]
fn unsafe_fixes_alone_changes_nothing() {
    let dir = folder(&[("exec.c", EXEC_LEAK), ("leak.c", LEAKING)]);
    fdlint(&["--unsafe-fixes"], dir.path());
    assert_eq!(read(dir.path(), "exec.c"), EXEC_LEAK);
    assert_eq!(read(dir.path(), "leak.c"), LEAKING);
}

#[test]
fn diff_prints_the_change_and_writes_nothing() {
    let dir = folder(&[("leak.c", LEAKING)]);
    let output = fdlint(&["--diff"], dir.path());
    let stdout = text(&output.stdout);
    assert!(stdout.contains("leak.c\n@@ -6,6 +6,8 @@\n"), "{stdout}");
    assert!(stdout.contains("         close(fd);\n+    else\n+        close(fd);\n"), "{stdout}");
    assert_eq!(read(dir.path(), "leak.c"), LEAKING);
    assert_eq!(output.status.code(), Some(1), "there is something to fix");
    assert!(text(&output.stderr).contains("would fix 1 finding"));
    let unsafe_diff = fdlint(&["--diff", "--unsafe-fixes"], &dir.path().join("leak.c"));
    assert!(text(&unsafe_diff.stdout).contains("+    else\n"));
}

#[test]
fn diff_with_nothing_to_fix_is_empty_and_succeeds() {
    let dir = folder(&[("exec.c", EXEC_LEAK)]);
    let output = fdlint(&["--diff"], dir.path());
    assert_eq!(text(&output.stdout), "");
    assert_eq!(output.status.code(), Some(0));
}

#[test]
fn fix_and_diff_together_are_a_usage_error() {
    let dir = folder(&[("leak.c", LEAKING)]);
    let output = fdlint(&["--fix", "--diff"], dir.path());
    assert_eq!(output.status.code(), Some(2));
    assert_eq!(read(dir.path(), "leak.c"), LEAKING);
}

#[test]
fn fix_keeps_permissions_line_endings_and_symbolic_links() {
    let crlf = LEAKING.replace('\n', "\r\n");
    let dir = folder(&[("leak.c", &crlf)]);
    let path = dir.path().join("leak.c");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.path().join("link.c");
    std::os::unix::fs::symlink(&path, &link).unwrap();
    fdlint(&["--fix"], &link);
    assert_eq!(read(dir.path(), "leak.c"), LEAKING_FIXED.replace('\n', "\r\n"));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode, 0o640);
    let names: Vec<PathBuf> =
        std::fs::read_dir(dir.path()).unwrap().flatten().map(|e| e.path()).collect();
    assert_eq!(names.len(), 2, "no temporary file is left behind: {names:?}");
}

#[test]
fn fix_respects_lint_levels() {
    let dir = folder(&[("leak.c", LEAKING)]);
    fdlint(&["--fix", "-A", "fork_after_connect"], dir.path());
    assert_eq!(read(dir.path(), "leak.c"), LEAKING, "an allowed lint is not fixed");
}

/// Kills `fdlint --fix` as soon as it starts writing files: every file is wholly old or
/// wholly new, whenever the kill lands.
#[test]
fn a_killed_fix_leaves_every_file_old_or_new() {
    let names: Vec<String> = (0..400).map(|i| format!("f{i:04}.c")).collect();
    let files: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), LEAKING)).collect();
    let dir = folder(&files);
    let mut child = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .arg("--fix")
        .arg(dir.path())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("fdlint starts");
    let first = dir.path().join(&names[0]);
    loop {
        let started = std::fs::read_to_string(&first).is_ok_and(|t| t != LEAKING);
        if started || child.try_wait().expect("poll fdlint").is_some() {
            break;
        }
        std::thread::yield_now();
    }
    let _ = child.kill();
    child.wait().expect("fdlint ends");
    for name in &names {
        let text = read(dir.path(), name);
        assert!(text == LEAKING || text == LEAKING_FIXED, "{name} is half-written:\n{text}");
    }
}

/// `--fix` applies any lint's safe fix, not only the fork lints': here FDL005's removal of an
/// allow comment that silences nothing.
#[test]
fn fix_applies_other_lints_safe_fixes_too() {
    let unused = "int main(void)\n{\n    // fdlint: allow(fork_after_connect)\n    return 0;\n}\n";
    let dir = folder(&[("a.c", unused)]);
    let output = fdlint(&["--fix"], dir.path());
    assert_eq!(read(dir.path(), "a.c"), "int main(void)\n{\n    return 0;\n}\n");
    assert!(text(&output.stderr).contains("fixed 1 finding, 0 left"), "{output:?}");
}

/// A fix that does not solve its finding (found by the `fix` fuzzer on a garbled C file) is
/// taken back, and the error says it may have left its finding rather than broken the parse.
#[test]
fn a_fix_taken_back_is_reported_with_both_reasons_it_may_have_failed() {
    let fuzz = include_bytes!("data/fix_repeats_on_broken_c.fuzz");
    let dir = folder(&[("broken.c", &text(&fuzz[1..]))]);
    let output = fdlint(&["--fix", "--unsafe-fixes", "--output-format", "concise"], dir.path());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains(
            "not applied: it would break the file's syntax or leave its finding in place"
        ),
        "{stderr}"
    );
}

//! The command line end to end: runs the built `fdlint` binary on files written to a fresh
//! temporary folder and checks its exit status, stdout and stderr (SPEC sections 4 and 5).

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};

/// A C file that leaks its socket into a child that goes on running; FDL001 points at the
/// `fork()` on line 7, column 9.
const LEAKING_C: &str = "\
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fork()) close(fd);
    sleep(100);
    return 0;
}
";

/// Where FDL001 points in `LEAKING_C`: the `fork()` call.
const LEAK_LOCATION: &str = ":7:9: FDL001 ";

const CLEAN_C: &str = "\
#include <sys/socket.h>
#include <unistd.h>

int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    close(fd);
    if (fork() == 0) {
        sleep(100);
    }
    return 0;
}
";

/// A fresh folder under the system's temporary folder, removed on drop.
struct TempDir {
    path: PathBuf,
}

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("fdlint-cli-test-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        TempDir { path }
    }

    /// Writes `contents` to `relative`, creating its folders; returns the full path.
    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.path.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create the file's folder");
        }
        std::fs::write(&path, contents).expect("write the file");
        path
    }

    fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Runs `fdlint` with `args` in `dir`, so paths in the output are relative to it.
fn fdlint(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .args(args)
        .current_dir(dir)
        .env_remove("NO_COLOR")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("run fdlint");
    Run::from(output)
}

struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8(output.stdout).expect("stdout is UTF-8"),
            stderr: String::from_utf8(output.stderr).expect("stderr is UTF-8"),
        }
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "status {:?}\n--- stdout ---\n{}--- stderr ---\n{}",
            self.status, self.stdout, self.stderr
        )
    }
}

#[track_caller]
fn assert_status(run: &Run, expected: i32) {
    assert_eq!(run.status, Some(expected), "unexpected exit status:\n{run:?}");
}

/// The concise lines on stdout that are findings.
fn concise_findings(run: &Run) -> Vec<&str> {
    run.stdout.lines().filter(|line| !line.trim().is_empty()).collect()
}

#[test]
fn leaking_file_warns_by_default_and_levels_change_the_exit_status() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);

    let run = fdlint(dir.path(), &["--output-format", "concise", "leak.c"]);
    assert_status(&run, 0);
    let findings = concise_findings(&run);
    assert_eq!(findings.len(), 1, "{run:?}");
    assert!(findings[0].starts_with(&format!("leak.c{LEAK_LOCATION}")), "{run:?}");
    assert!(findings[0].contains("`fd` (socket) is live at `fork()`"), "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");

    for deny in [&["-D", "fork_after_connect"][..], &["--deny", "warnings"], &["-D", "FDL001"]] {
        let mut args = vec!["--output-format", "concise"];
        args.extend_from_slice(deny);
        args.push("leak.c");
        let run = fdlint(dir.path(), &args);
        assert_status(&run, 1);
        assert_eq!(concise_findings(&run).len(), 1, "{args:?}: {run:?}");
        assert!(run.stdout.starts_with(&format!("leak.c{LEAK_LOCATION}")), "{run:?}");
    }

    let run = fdlint(
        dir.path(),
        &["--output-format", "concise", "-D", "FDL001", "--exit-zero", "leak.c"],
    );
    assert_status(&run, 0);
    assert_eq!(concise_findings(&run).len(), 1, "{run:?}");

    let run = fdlint(dir.path(), &["-A", "FDL001", "leak.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");

    // The last level given on the command line wins.
    let run = fdlint(dir.path(), &["-D", "FDL001", "-A", "fork_after_connect", "leak.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
    let run = fdlint(dir.path(), &["-A", "FDL001", "-D", "fork_after_connect", "leak.c"]);
    assert_status(&run, 1);
    let run = fdlint(dir.path(), &["-W", "FDL001", "--deny=FDL001", "-A", "FDL001", "leak.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
    // `--deny warnings` turns warnings into errors, not lints that are allowed.
    let run = fdlint(dir.path(), &["--deny", "warnings", "-A", "FDL001", "leak.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
}

#[test]
fn clean_file_prints_nothing() {
    let dir = TempDir::new();
    dir.write("clean.c", CLEAN_C);
    for format in ["human", "concise", "json"] {
        let run = fdlint(dir.path(), &["--output-format", format, "clean.c"]);
        assert_status(&run, 0);
        assert_eq!(run.stdout, "", "{format}: {run:?}");
        assert_eq!(run.stderr, "", "{format}: {run:?}");
    }
}

#[test]
fn json_lines_carry_every_field_the_spec_lists() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);
    dir.write("sub/leak2.c", LEAKING_C);
    let run = fdlint(dir.path(), &["--output-format", "json", "."]);
    assert_status(&run, 0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{run:?}");
    let mut files = Vec::new();
    for line in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("not JSON ({e}): {line}"));
        let object = value.as_object().expect("each line is an object");
        for key in [
            "code",
            "lint",
            "severity",
            "message",
            "file",
            "line",
            "column",
            "end_line",
            "end_column",
            "labels",
            "fixes",
        ] {
            assert!(object.contains_key(key), "missing `{key}` in {line}");
        }
        assert_eq!(value["code"], "FDL001");
        assert_eq!(value["lint"], "fork_after_connect");
        assert_eq!(value["severity"], "warning");
        assert_eq!(value["line"], 7);
        assert_eq!(value["column"], 9);
        assert_eq!(value["end_line"], 7);
        assert_eq!(value["end_column"], 15); // after `fork()`
        assert!(value["message"].as_str().is_some_and(|m| !m.is_empty()), "{line}");
        assert!(value["fixes"].is_array(), "{line}");
        let labels = value["labels"].as_array().expect("labels is an array");
        assert!(labels.len() >= 2, "{line}");
        for label in labels {
            for key in ["file", "line", "column", "message"] {
                assert!(label.get(key).is_some(), "label without `{key}` in {line}");
            }
            assert_eq!(label["file"], value["file"], "{line}");
            assert!(label["line"].as_u64().is_some_and(|n| n >= 1), "{line}");
            assert!(label["column"].as_u64().is_some_and(|n| n >= 1), "{line}");
        }
        assert_eq!(labels[0]["message"], "1: `fd` (socket) opened here");
        assert_eq!(labels[0]["line"], 6);
        assert_eq!(labels[1]["message"], "2: `fork()` copies it into the child");
        assert_eq!(labels[1]["line"], 7);
        files.push(value["file"].as_str().unwrap().to_string());
    }
    files.sort();
    assert_eq!(files, ["leak.c", "sub/leak2.c"]);

    // `--deny warnings` shows in the severity.
    let run = fdlint(dir.path(), &["--output-format", "json", "--deny", "warnings", "leak.c"]);
    assert_status(&run, 1);
    let value: serde_json::Value = serde_json::from_str(run.stdout.trim()).expect("one object");
    assert_eq!(value["severity"], "error");
}

#[test]
fn files_that_cannot_be_linted_are_reported_on_stderr_and_the_run_goes_on() {
    let dir = TempDir::new();
    dir.write("bad/broken.rs", "fn main( {\n");
    dir.write("bad/syntax.c", "int main(void) {\n  int x = ;\n  return 0;\n}\n");
    dir.write("bad/x.c", b"int \xff\xfe main;\n");
    dir.write("bad/empty.c", "");
    dir.write("bad/leak.c", LEAKING_C);

    for format in ["concise", "json", "human"] {
        let run = fdlint(dir.path(), &["--output-format", format, "bad"]);
        // Unparseable files are problems to show, not usage errors or internal failures.
        assert_status(&run, 0);
        assert!(run.stdout.contains("bad/leak.c"), "{format}: {run:?}");
        assert!(!run.stdout.contains("broken.rs"), "{format}: {run:?}");
        assert!(!run.stdout.contains("syntax.c"), "{format}: {run:?}");
        assert!(!run.stderr.contains("panicked"), "{format}: {run:?}");
        assert!(run.stderr.contains("bad/broken.rs:1:"), "{format}: {run:?}");
        assert!(run.stderr.contains("bad/syntax.c:2:"), "{format}: {run:?}");
        assert!(run.stderr.contains("bad/x.c"), "{format}: {run:?}");
        assert!(run.stderr.contains("UTF-8"), "{format}: {run:?}");
        assert!(!run.stderr.contains("empty.c"), "{format}: {run:?}");
        assert!(!run.stderr.contains("leak.c"), "{format}: {run:?}");
    }

    let run = fdlint(dir.path(), &["--output-format", "concise", "bad"]);
    let findings = concise_findings(&run);
    assert_eq!(findings.len(), 1, "{run:?}");
    assert!(findings[0].starts_with(&format!("bad/leak.c{LEAK_LOCATION}")), "{run:?}");

    // Findings at deny level still fail the run when other files are broken.
    let run = fdlint(dir.path(), &["--output-format", "concise", "-D", "FDL001", "bad"]);
    assert_status(&run, 1);

    // Each broken file on its own.
    for (file, location) in
        [("bad/broken.rs", "bad/broken.rs:1:"), ("bad/syntax.c", "bad/syntax.c:2:")]
    {
        let run = fdlint(dir.path(), &[file]);
        assert_status(&run, 0);
        assert_eq!(run.stdout, "", "{file}: {run:?}");
        assert!(run.stderr.contains(location), "{file}: {run:?}");
    }
    let run = fdlint(dir.path(), &["bad/empty.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");
}

#[test]
fn a_path_that_does_not_exist_is_a_usage_error() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);
    let run = fdlint(dir.path(), &["--output-format", "concise", "nosuch.c"]);
    assert_status(&run, 2);
    assert!(run.stderr.contains("nosuch.c"), "{run:?}");

    // The paths that exist are still linted.
    let run = fdlint(dir.path(), &["--output-format", "concise", "nosuch_dir", "leak.c"]);
    assert_status(&run, 2);
    assert!(run.stderr.contains("nosuch_dir"), "{run:?}");
    assert!(run.stdout.starts_with(&format!("leak.c{LEAK_LOCATION}")), "{run:?}");
}

#[test]
fn unknown_lints_explain_and_rules() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);

    for args in
        [&["-D", "nosuch", "leak.c"][..], &["-W", "nosuch", "leak.c"], &["-A", "FDL999", "leak.c"]]
    {
        let run = fdlint(dir.path(), args);
        assert_status(&run, 2);
        assert_eq!(run.stdout, "", "{args:?}: {run:?}");
        assert!(run.stderr.contains("unknown lint"), "{args:?}: {run:?}");
    }

    let by_code = fdlint(dir.path(), &["explain", "FDL001"]);
    assert_status(&by_code, 0);
    assert!(by_code.stdout.contains("## What it does"), "{by_code:?}");
    assert!(by_code.stdout.contains("fork_after_connect"), "{by_code:?}");
    let by_name = fdlint(dir.path(), &["explain", "fork_after_connect"]);
    assert_status(&by_name, 0);
    assert_eq!(by_name.stdout, by_code.stdout);

    let run = fdlint(dir.path(), &["explain", "nosuch"]);
    assert_status(&run, 2);
    assert!(run.stderr.contains("nosuch"), "{run:?}");

    let run = fdlint(dir.path(), &["rules"]);
    assert_status(&run, 0);
    let line = run.stdout.lines().find(|l| l.starts_with("FDL001")).expect("FDL001 listed");
    assert!(line.contains("fork_after_connect"), "{run:?}");

    // A flag clap does not know is a usage error too.
    let run = fdlint(dir.path(), &["--no-such-flag"]);
    assert_status(&run, 2);
}

#[test]
fn folders_skip_target_and_gitignored_files_and_take_c_headers() {
    let dir = TempDir::new();
    dir.write("proj/top.c", LEAKING_C);
    dir.write("proj/include/leak.h", LEAKING_C);
    dir.write("proj/src/leak.rs", RUST_LEAK);
    dir.write("proj/target/built.c", LEAKING_C);
    dir.write("proj/sub/target/nested.c", LEAKING_C);
    dir.write("proj/generated/gen.c", LEAKING_C);
    dir.write("proj/ignored.c", LEAKING_C);
    dir.write("proj/.gitignore", "generated/\nignored.c\n");
    dir.write("proj/notes.txt", LEAKING_C);
    dir.write("proj/other.cpp", LEAKING_C);
    dir.write("proj/other.hpp", LEAKING_C);
    dir.write("proj/leak.c.orig", LEAKING_C);

    let run = fdlint(dir.path(), &["--output-format", "concise", "proj"]);
    assert_status(&run, 0);
    let mut files: Vec<&str> =
        concise_findings(&run).iter().map(|line| line.split(':').next().unwrap()).collect();
    files.sort();
    assert_eq!(files, ["proj/include/leak.h", "proj/src/leak.rs", "proj/top.c"], "{run:?}");
    assert_eq!(run.stderr, "", "{run:?}");

    // A file named explicitly is taken as given, even when ignored.
    let run = fdlint(dir.path(), &["--output-format", "concise", "proj/ignored.c"]);
    assert_eq!(concise_findings(&run).len(), 1, "{run:?}");
}

/// A Rust file that leaks a connection into a child that loops.
const RUST_LEAK: &str = "\
use std::net::TcpStream;

fn main() {
    let stream = TcpStream::connect(\"127.0.0.1:80\").unwrap();
    match unsafe { libc::fork() } {
        0 => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        _ => drop(stream),
    }
}
";

#[test]
fn fdlint_toml_sets_levels_and_is_checked() {
    let dir = TempDir::new();
    dir.write("strict/fdlint.toml", "[lints]\nfork_after_connect = \"deny\"\n");
    dir.write("strict/leak.c", LEAKING_C);
    let run = fdlint(dir.path(), &["--output-format", "concise", "strict"]);
    assert_status(&run, 1);
    assert!(run.stdout.starts_with(&format!("strict/leak.c{LEAK_LOCATION}")), "{run:?}");

    // Found from the current folder too, and overridden by the command line.
    let strict = dir.path().join("strict");
    assert_status(&fdlint(&strict, &["leak.c"]), 1);
    assert_status(&fdlint(&strict, &[]), 1);
    assert_status(&fdlint(&strict, &["-W", "FDL001", "leak.c"]), 0);

    dir.write("typo/fdlint.toml", "# levels\n\n[lintz]\nfork_after_connect = \"deny\"\n");
    dir.write("typo/leak.c", LEAKING_C);
    let run = fdlint(dir.path(), &["--output-format", "concise", "typo"]);
    assert_status(&run, 2);
    assert!(run.stderr.contains("typo/fdlint.toml"), "{run:?}");
    // The line of `[lintz]`, third in the file.
    assert!(run.stderr.contains(" 3:") || run.stderr.contains(":3:"), "{run:?}");
    assert!(run.stderr.contains("lintz"), "{run:?}");

    dir.write("badlint/fdlint.toml", "[lints]\nnosuch = \"deny\"\n");
    dir.write("badlint/leak.c", LEAKING_C);
    let run = fdlint(dir.path(), &["badlint"]);
    assert_status(&run, 2);
    assert!(run.stderr.contains("badlint/fdlint.toml"), "{run:?}");
    assert!(run.stderr.contains("nosuch"), "{run:?}");
}

#[test]
fn human_format_shows_labels_and_a_summary() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);
    let run = fdlint(dir.path(), &["leak.c"]);
    assert_status(&run, 0);
    assert!(run.stdout.contains("FDL001(fork_after_connect)"), "{run:?}");
    assert!(run.stdout.contains("leak.c:7:9"), "{run:?}");
    assert!(run.stdout.contains("1: `fd` (socket) opened here"), "{run:?}");
    assert!(run.stdout.contains("2: `fork()` copies it into the child"), "{run:?}");
    assert!(run.stdout.contains("help:"), "{run:?}");
    assert_eq!(run.stdout.lines().last(), Some("fdlint: 1 warning emitted"), "{run:?}");
    assert!(!run.stdout.contains('\u{1b}'), "no colour when stdout is not a terminal");

    let run = fdlint(dir.path(), &["-D", "FDL001", "leak.c"]);
    assert_status(&run, 1);
    assert_eq!(run.stdout.lines().last(), Some("fdlint: 1 error emitted"), "{run:?}");

    dir.write("leak2.c", LEAKING_C);
    let run = fdlint(dir.path(), &["."]);
    assert_eq!(run.stdout.lines().last(), Some("fdlint: 2 warnings emitted"), "{run:?}");
}

#[test]
fn statistics_count_findings_by_lint() {
    let dir = TempDir::new();
    dir.write("a.c", LEAKING_C);
    dir.write("b.c", LEAKING_C);
    dir.write("clean.c", CLEAN_C);
    let run = fdlint(dir.path(), &["--statistics"]);
    assert_status(&run, 0);
    // `[*]`: the findings carry a safe fix, one `--fix` applies.
    assert_eq!(run.stdout, "2\tFDL001\t[*] fork_after_connect\n", "{run:?}");

    let run = fdlint(dir.path(), &["--statistics", "--output-format", "json", "-D", "FDL001"]);
    assert_status(&run, 1);
    let counts: serde_json::Value = serde_json::from_str(&run.stdout).expect("JSON");
    assert_eq!(
        counts,
        serde_json::json!([{ "code": "FDL001", "name": "fork_after_connect", "count": 2, "fixable": true }])
    );

    let run = fdlint(dir.path(), &["--statistics", "clean.c"]);
    assert_status(&run, 0);
    assert_eq!(run.stdout, "", "{run:?}");
}

#[test]
fn rules_list_every_lint_as_json_too() {
    let dir = TempDir::new();
    let run = fdlint(dir.path(), &["rules", "--output-format", "json"]);
    assert_status(&run, 0);
    let rules: Vec<serde_json::Value> = serde_json::from_str(&run.stdout).expect("a JSON array");
    let codes: Vec<&str> = rules.iter().map(|rule| rule["code"].as_str().unwrap()).collect();
    let registry: Vec<&str> = fdlint::lints::registry().iter().map(|l| l.code.as_str()).collect();
    assert_eq!(codes, registry);
    assert_eq!(rules[0]["name"], "fork_after_connect");
    assert_eq!(rules[0]["default_level"], "warn");
    assert_eq!(rules[0]["cwe"], serde_json::json!(["CWE-775", "CWE-403"]));
    assert!(rules[0]["explanation"].as_str().unwrap().contains("## Why is this bad?"));
}

#[test]
fn dot_ignore_files_are_respected_and_named_files_in_target_taken_as_given() {
    let dir = TempDir::new();
    dir.write("proj/kept.c", LEAKING_C);
    dir.write("proj/vendor/third_party.c", LEAKING_C);
    dir.write("proj/.ignore", "vendor/\n");
    dir.write("proj/target/built.c", LEAKING_C);
    let run = fdlint(dir.path(), &["--output-format", "concise", "proj"]);
    let files: Vec<&str> =
        concise_findings(&run).iter().map(|line| line.split(':').next().unwrap()).collect();
    assert_eq!(files, ["proj/kept.c"], "{run:?}");

    let run = fdlint(
        dir.path(),
        &["--output-format", "concise", "proj/target/built.c", "proj/vendor/third_party.c"],
    );
    assert_eq!(concise_findings(&run).len(), 2, "{run:?}");
}

#[test]
fn a_long_run_in_a_pipe_draws_no_progress_bar() {
    let dir = TempDir::new();
    for n in 0..1200 {
        dir.write(&format!("many/f{n}.c"), CLEAN_C);
    }
    let output = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .args(["--output-format", "concise", "many"])
        .current_dir(dir.path())
        .env_remove("CI")
        .output()
        .expect("run fdlint");
    let run = Run::from(output);
    assert_status(&run, 0);
    assert_eq!(run.stderr, "", "{run:?}");
}

#[test]
fn the_json_ir_dump_is_one_object_a_file_with_spans() {
    let output = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .args(["--dump-ir=json", "fixtures/c/", "fixtures/rust/"])
        .output()
        .expect("fdlint runs");
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).expect("UTF-8");
    let files: Vec<serde_json::Value> =
        stdout.lines().map(|line| serde_json::from_str(line).expect("a JSON object")).collect();
    assert!(files.len() > 100, "one line per fixture, got {}", files.len());
    let languages = ["c", "rs"].map(|extension| {
        files.iter().any(|file| file["path"].as_str().unwrap().ends_with(extension))
    });
    assert_eq!(languages, [true, true]);
    // The text dump leaves spans out; this one is whole: every statement says where it is.
    let statement = files
        .iter()
        .flat_map(|file| file["ir"]["functions"].as_array().unwrap())
        .flat_map(|function| function["blocks"].as_array().unwrap())
        .flat_map(|block| block["stmts"].as_array().unwrap())
        .next()
        .expect("some statement");
    assert!(
        statement["span"]["end"].as_u64().unwrap() > statement["span"]["start"].as_u64().unwrap()
    );
}

#[test]
fn a_closed_pipe_ends_the_ir_dump_quietly() {
    use std::io::Read;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .args(["--dump-ir", "fixtures/"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("fdlint runs");
    let mut first = [0u8; 64];
    child.stdout.take().expect("piped").read_exact(&mut first).expect("some IR");
    // The reader is gone (`| head`): fdlint must neither panic nor hang.
    let output = child.wait_with_output().expect("fdlint ends");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(output.status.code(), Some(0), "{stderr}");
}

//! Configuration and suppression end to end (SPEC section 3): the built `fdlint` binary on
//! the project fixtures under `fixtures/config/`, and on config files written to a fresh
//! temporary folder. Each config error's rendered message is checked in beside it as
//! `fixtures/config/errors/<case>/expected.stderr`; `FDLINT_BLESS=1 cargo test --test config`
//! rewrites them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

/// A C file whose child leaks a socket: one FDL001 at line 7.
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

struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let path = std::env::temp_dir().join(format!("fdlint-config-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("create the temporary folder");
        TempDir(path)
    }

    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(&path, contents).expect("write the file");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

fn fdlint(dir: &Path, args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_fdlint"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run fdlint");
    Run {
        status: output.status.code(),
        stdout: String::from_utf8(output.stdout).expect("UTF-8"),
        stderr: String::from_utf8(output.stderr).expect("UTF-8"),
    }
}

/// The `CODE` of each concise finding line, in order.
fn codes(run: &Run) -> Vec<String> {
    run.stdout
        .lines()
        .filter_map(|line| line.split(": ").nth(1)?.split(' ').next().map(str::to_string))
        .collect()
}

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn every_config_error_is_rendered_with_its_place_and_exits_2() {
    let bless = std::env::var_os("FDLINT_BLESS").is_some();
    let cases = repo().join("fixtures/config/errors");
    let mut names: Vec<_> = std::fs::read_dir(&cases).expect("cases").flatten().collect();
    names.sort_by_key(|entry| entry.file_name());
    assert!(names.len() >= 9, "expected the config error cases");
    let mut stale = Vec::new();
    for entry in names {
        let dir = TempDir::new();
        for config in ["fdlint.toml", "Cargo.toml"] {
            if let Ok(text) = std::fs::read(entry.path().join(config)) {
                dir.write(config, text);
            }
        }
        dir.write("src/main.c", LEAKING_C);
        let run = fdlint(&dir.0, &["--output-format", "concise", "."]);
        assert_eq!(run.status, Some(2), "{:?}: {run:?}", entry.path());
        assert_eq!(run.stdout, "", "{:?}: nothing is linted", entry.path());
        let expected_path = entry.path().join("expected.stderr");
        if bless {
            std::fs::write(&expected_path, &run.stderr).expect("write expected.stderr");
        } else if std::fs::read_to_string(&expected_path).ok() != Some(run.stderr.clone()) {
            stale.push(format!("{}:\n{}", expected_path.display(), run.stderr));
        }
    }
    assert!(stale.is_empty(), "run FDLINT_BLESS=1 cargo test --test config:\n{}", stale.join("\n"));
}

#[test]
fn the_command_line_wins_over_the_config_which_wins_over_the_defaults() {
    let dir = TempDir::new();
    dir.write("leak.c", LEAKING_C);
    let concise = |extra: &[&str]| {
        let mut args = vec!["--output-format", "concise"];
        args.extend_from_slice(extra);
        args.push("leak.c");
        fdlint(&dir.0, &args)
    };
    // Default: a warning, exit 0.
    let run = concise(&[]);
    assert_eq!((run.status, codes(&run)), (Some(0), vec!["FDL001".to_string()]), "{run:?}");

    dir.write("fdlint.toml", "[lints]\nfork_after_connect = \"deny\"\n");
    let run = concise(&[]);
    assert_eq!((run.status, codes(&run).len()), (Some(1), 1), "config denies: {run:?}");
    for (flags, status, findings) in [
        (&["-W", "FDL001"][..], 0, 1),
        (&["-A", "fork_after_connect"], 0, 0),
        (&["--exit-zero"], 0, 1),
        (&["--isolated"], 0, 1),
    ] {
        let run = concise(flags);
        assert_eq!((run.status, codes(&run).len()), (Some(status), findings), "{flags:?}: {run:?}");
    }

    dir.write("fdlint.toml", "[lints]\nFDL001 = \"allow\"\n");
    assert_eq!(codes(&concise(&[])).len(), 0, "config allows");
    let run = concise(&["-D", "FDL001"]);
    assert_eq!((run.status, codes(&run).len()), (Some(1), 1), "command line denies: {run:?}");

    dir.write("fdlint.toml", "[lints]\nFDL001 = \"warn\"\n");
    let run = concise(&["--deny", "warnings"]);
    assert_eq!(run.status, Some(1), "--deny warnings makes the config's warning fail: {run:?}");
    let run = concise(&["--deny", "warnings", "--exit-zero"]);
    assert_eq!(run.status, Some(0), "{run:?}");
    let run = concise(&["-D", "fork_after_conect"]);
    assert_eq!(run.status, Some(2), "{run:?}");
    assert!(run.stderr.contains("did you mean `fork_after_connect`?"), "{run:?}");
}

#[test]
fn config_names_a_file_for_every_path_and_isolated_ignores_all() {
    let dir = TempDir::new();
    dir.write("project/leak.c", LEAKING_C);
    dir.write("project/fdlint.toml", "exlude = []\n");
    dir.write("elsewhere/strict.toml", "[lints]\nFDL001 = \"deny\"\n");
    dir.write("elsewhere/Cargo.toml", "[package]\nname = \"x\"\n");

    let run = fdlint(&dir.0, &["project"]);
    assert_eq!(run.status, Some(2), "the nearest config is broken: {run:?}");
    let run = fdlint(&dir.0, &["--output-format", "concise", "--isolated", "project"]);
    assert_eq!((run.status, codes(&run).len()), (Some(0), 1), "{run:?}");
    let run = fdlint(
        &dir.0,
        &["--output-format", "concise", "--config", "elsewhere/strict.toml", "project"],
    );
    assert_eq!((run.status, codes(&run).len()), (Some(1), 1), "{run:?}");
    // Globs are relative to the config file's folder, here the folder fdlint runs in.
    dir.write("skip-leak.toml", "exclude = [\"project/leak.c\"]\n");
    let run = fdlint(&dir.0, &["--config", "skip-leak.toml", "project"]);
    assert_eq!((run.status, run.stdout.as_str()), (Some(0), ""), "{run:?}");
    let run = fdlint(&dir.0, &["--config", "elsewhere/Cargo.toml", "project"]);
    assert_eq!(run.status, Some(2), "{run:?}");
    assert!(run.stderr.contains("has no `[package.metadata.fdlint]`"), "{run:?}");
    let run = fdlint(&dir.0, &["--config", "elsewhere/missing.toml", "project"]);
    assert_eq!(run.status, Some(2), "{run:?}");
}

#[test]
fn the_nearest_config_applies_to_each_file() {
    let dir = TempDir::new();
    dir.write("fdlint.toml", "[lints]\nFDL001 = \"deny\"\n");
    dir.write("a/leak.c", LEAKING_C);
    dir.write("b/leak.c", LEAKING_C);
    dir.write("b/fdlint.toml", "[lints]\nFDL001 = \"allow\"\n");
    let run = fdlint(&dir.0, &["--output-format", "concise", "."]);
    assert_eq!(run.status, Some(1), "{run:?}");
    assert_eq!(run.stdout.lines().count(), 1, "{run:?}");
    assert!(run.stdout.starts_with("a/leak.c:7:9: FDL001"), "{run:?}");
}

#[test]
fn project_fixtures_behave_differently_without_their_config() {
    let fixtures = repo().join("fixtures/config");
    // (folder, findings with its config, findings without any)
    let cases: &[(&str, &[&str], &[&str])] = &[
        ("model_makes_finding", &["FDL001", "FDL001", "FDL004"], &[]),
        ("model_makes_clean", &[], &["FDL002"]),
        ("levels", &["FDL002"], &["FDL001", "FDL001", "FDL002"]),
        ("globs", &["FDL001", "FDL001"], &["FDL001"; 5]),
        ("cargo_package", &[], &["FDL001", "FDL001"]),
        ("cargo_workspace", &[], &["FDL001"]),
    ];
    for (folder, configured, isolated) in cases {
        let run = fdlint(&fixtures, &["--output-format", "concise", folder]);
        assert_eq!(codes(&run), *configured, "{folder}: {run:?}");
        let run = fdlint(&fixtures, &["--output-format", "concise", "--isolated", folder]);
        assert_eq!(codes(&run), *isolated, "{folder} --isolated: {run:?}");
    }
    let run = fdlint(&fixtures, &["levels"]);
    assert_eq!(run.status, Some(1), "levels denies FDL002: {run:?}");
}

#[test]
fn a_suppressed_finding_does_not_fail_the_run() {
    let dir = TempDir::new();
    dir.write("fdlint.toml", "[lints]\nFDL001 = \"deny\"\n");
    let silenced = LEAKING_C.replace("if (fork())", "if (fork()) /* fdlint: allow(FDL001) */");
    dir.write("leak.c", silenced);
    let run = fdlint(&dir.0, &["--output-format", "concise", "leak.c"]);
    assert_eq!((run.status, run.stdout.as_str()), (Some(0), ""), "{run:?}");
    let stale = LEAKING_C
        .replace("if (fork()) close(fd);", "close(fd); // fdlint: allow(FDL001)\n    fork();");
    dir.write("leak.c", stale);
    let run = fdlint(&dir.0, &["--output-format", "concise", "leak.c"]);
    assert_eq!((run.status, codes(&run)), (Some(0), vec!["FDL005".to_string()]), "{run:?}");
}

/// `--add-allow` on `fixtures/config/add_allow/`: each file becomes its checked-in
/// `<name>.allowed`, the run afterwards is clean, and a second `--add-allow` changes nothing.
#[test]
fn add_allow_silences_every_finding_once_in_the_files_own_style() {
    let bless = std::env::var_os("FDLINT_BLESS").is_some();
    let cases = repo().join("fixtures/config/add_allow");
    let dir = TempDir::new();
    let mut sources = Vec::new();
    for entry in std::fs::read_dir(&cases).expect("cases").flatten() {
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".c") || name.ends_with(".rs") {
            dir.write(&name, std::fs::read(entry.path()).expect("read the case"));
            sources.push(name);
        }
    }
    sources.sort();
    assert_eq!(sources.len(), 3);
    let before = fdlint(&dir.0, &["--output-format", "concise", "."]);
    assert_eq!(codes(&before).len(), 4, "{before:?}");

    let run = fdlint(&dir.0, &["--add-allow", "."]);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.stderr, "fdlint: added 4 allow comment(s) in 3 file(s)\n", "{run:?}");
    let mut stale = Vec::new();
    for name in &sources {
        let written = std::fs::read_to_string(dir.0.join(name)).expect("read the result");
        let expected = cases.join(format!("{name}.allowed"));
        if bless {
            std::fs::write(&expected, &written).expect("write .allowed");
        } else if std::fs::read_to_string(&expected).ok().as_deref() != Some(written.as_str()) {
            stale.push(format!("{}:\n{written}", expected.display()));
        }
    }
    assert!(stale.is_empty(), "run FDLINT_BLESS=1 cargo test --test config:\n{}", stale.join("\n"));

    let after = fdlint(&dir.0, &["--output-format", "concise", "."]);
    assert_eq!((after.status, after.stdout.as_str()), (Some(0), ""), "{after:?}");
    let again = fdlint(&dir.0, &["--add-allow", "."]);
    assert_eq!(again.stderr, "fdlint: added 0 allow comment(s) in 0 file(s)\n", "{again:?}");
}

/// Found by the `add_allow` fuzz target: in a garbled C file, the comment lines a first
/// `--add-allow` inserted changed what tree-sitter recovered, which brought an FDL002 that a
/// second `--add-allow` then allowed too. The run is now linted again after adding, and the
/// new finding gets its name in the same `--add-allow`.
#[test]
fn add_allow_on_a_file_whose_parse_changes_with_the_comments_needs_one_run() {
    let input = std::fs::read(repo().join("tests/data/add_allow_changes_recovery.fuzz"))
        .expect("the fuzz input");
    let (_selector, body) = input.split_first().expect("a selector byte");
    let dir = TempDir::new();
    let path = dir.write("garbled.c", body);
    let first = fdlint(&dir.0, &["--add-allow", "garbled.c"]);
    assert_eq!(first.status, Some(0), "{first:?}");
    let once = std::fs::read(&path).expect("read the result");
    assert_ne!(once, body, "the first run adds comments");
    let second = fdlint(&dir.0, &["--add-allow", "garbled.c"]);
    assert_eq!(second.stderr, "fdlint: added 0 allow comment(s) in 0 file(s)\n", "{second:?}");
    assert_eq!(std::fs::read(&path).expect("read the result"), once);
}

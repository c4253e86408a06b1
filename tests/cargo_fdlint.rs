//! `cargo fdlint` end to end on a workspace of two member packages written to a temporary
//! folder: package selection as cargo users expect it, the walk inside each package, the exit
//! statuses, and cargo-json messages that name the right package. No network: `cargo
//! metadata --no-deps` on path-only packages needs none.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use cargo_metadata::Message;

/// A Rust file whose child keeps a socket open; FDL001 at the `fork()` on line 5.
const LEAKING_RS: &str = "\
fn main() {
    let stream = std::net::TcpStream::connect(\"127.0.0.1:6379\").unwrap();
    match unsafe { nix::unistd::fork() } {
        Ok(nix::unistd::ForkResult::Parent { .. }) => drop(stream),
        _ => loop { std::thread::sleep(std::time::Duration::from_secs(1)) },
    }
}
";

const LEAKING_C: &str = "\
int main(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fork()) close(fd);
    sleep(100);
    return 0;
}
";

/// A build script that leaves a mark if anything ever runs it.
const MARKING_BUILD_RS: &str = "\
fn main() {
    std::fs::write(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/../build-script-ran\"), \"\").unwrap();
}
";

struct Workspace {
    root: PathBuf,
}

impl Workspace {
    /// `alpha` (a binary with a build script, a C file, an ignored folder and a `target/`) and
    /// `beta` (a library).
    fn new(name: &str) -> Self {
        let root =
            std::env::temp_dir().join(format!("fdlint-cargo-test-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let workspace = Workspace { root };
        workspace.write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"alpha\", \"beta\"]\nresolver = \"2\"\n",
        );
        workspace.write(
            "alpha/Cargo.toml",
            "[package]\nname = \"alpha\"\nversion = \"0.1.0\"\nedition = \"2021\"\nbuild = \"build.rs\"\n",
        );
        workspace.write("alpha/build.rs", MARKING_BUILD_RS);
        workspace.write("alpha/src/main.rs", LEAKING_RS);
        workspace.write("alpha/native/leak.c", LEAKING_C);
        workspace.write("alpha/.gitignore", "generated/\n");
        workspace.write("alpha/generated/ignored.rs", LEAKING_RS);
        workspace.write("alpha/target/debug/built.rs", LEAKING_RS);
        workspace.write(
            "beta/Cargo.toml",
            "[package]\nname = \"beta\"\nversion = \"0.1.0\"\nedition = \"2021\"\n",
        );
        workspace.write("beta/src/lib.rs", &LEAKING_RS.replace("fn main", "pub fn run"));
        workspace
    }

    fn write(&self, relative: &str, contents: &str) {
        let path = self.root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        std::fs::write(path, contents).expect("write the file");
    }

    /// `cargo-fdlint fdlint ARGS` in `dir`, as cargo runs it.
    fn cargo_fdlint(&self, dir: &Path, args: &[&str]) -> Run {
        let output = Command::new(env!("CARGO_BIN_EXE_cargo-fdlint"))
            .arg("fdlint")
            .args(args)
            .current_dir(dir)
            .env("CARGO_NET_OFFLINE", "true")
            .output()
            .expect("run cargo-fdlint");
        Run::from(output)
    }
}

impl Drop for Workspace {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.root);
    }
}

#[derive(Debug)]
struct Run {
    status: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Self {
        Run {
            status: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        }
    }
}

impl Run {
    /// The file of each concise finding, sorted.
    fn files(&self) -> Vec<&str> {
        let mut files: Vec<&str> =
            self.stdout.lines().filter_map(|line| line.split(':').next()).collect();
        files.sort();
        files
    }
}

#[test]
fn lints_the_selected_packages_and_never_builds_them() {
    let ws = Workspace::new("select");
    let concise = ["--output-format", "concise"];

    let all = ws.cargo_fdlint(&ws.root, &concise);
    assert_eq!(all.status, Some(0), "{all:?}");
    assert_eq!(
        all.files(),
        ["alpha/native/leak.c", "alpha/src/main.rs", "beta/src/lib.rs"],
        "default members, .gitignore and target/ respected: {all:?}"
    );
    assert!(all.stdout.contains("alpha/src/main.rs:3:20: FDL001 "), "{all:?}");

    let run =
        ws.cargo_fdlint(&ws.root, &[&concise[..], &["--workspace", "--exclude", "beta"]].concat());
    assert_eq!(run.files(), ["alpha/native/leak.c", "alpha/src/main.rs"], "{run:?}");

    let run = ws.cargo_fdlint(&ws.root, &[&concise[..], &["-p", "beta"]].concat());
    assert_eq!(run.files(), ["beta/src/lib.rs"], "{run:?}");

    let run =
        ws.cargo_fdlint(&ws.root, &[&concise[..], &["-p", "alpha", "--package", "beta"]].concat());
    assert_eq!(run.files().len(), 3, "{run:?}");

    // From inside a member, cargo's rules pick that package; paths are relative to it.
    let run = ws.cargo_fdlint(&ws.root.join("beta"), &concise);
    assert_eq!(run.files(), ["src/lib.rs"], "{run:?}");

    // From elsewhere, --manifest-path finds the workspace; paths are then absolute.
    let manifest = ws.root.join("Cargo.toml");
    let manifest = manifest.to_str().expect("a UTF-8 path");
    let run = ws.cargo_fdlint(
        &std::env::temp_dir(),
        &[&concise[..], &["--manifest-path", manifest, "-p", "beta"]].concat(),
    );
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.files().len(), 1, "{run:?}");
    assert!(run.stdout.contains("beta/src/lib.rs:3:20: FDL001"), "{run:?}");

    assert!(!ws.root.join("build-script-ran").exists(), "cargo fdlint ran a build script");
}

#[test]
fn exit_statuses_follow_the_levels_and_usage_errors() {
    let ws = Workspace::new("status");
    let denied = ws.cargo_fdlint(&ws.root, &["-D", "warnings", "--output-format", "concise"]);
    assert_eq!(denied.status, Some(1), "{denied:?}");
    let zero = ws.cargo_fdlint(&ws.root, &["-D", "FDL001", "--exit-zero"]);
    assert_eq!(zero.status, Some(0), "{zero:?}");

    let unknown = ws.cargo_fdlint(&ws.root, &["-p", "gamma"]);
    assert_eq!(unknown.status, Some(2), "{unknown:?}");
    assert!(unknown.stderr.contains("package `gamma` is not a member"), "{unknown:?}");
    assert_eq!(unknown.stdout, "");

    let missing = ws.cargo_fdlint(&ws.root, &["--manifest-path", "nowhere/Cargo.toml"]);
    assert_eq!(missing.status, Some(2), "{missing:?}");
    assert!(missing.stderr.contains("cannot read the cargo workspace"), "{missing:?}");

    let bad_flag = ws.cargo_fdlint(&ws.root, &["--no-such-flag"]);
    assert_eq!(bad_flag.status, Some(2), "{bad_flag:?}");
}

#[test]
fn cargo_json_names_each_finding_s_package_and_target() {
    let ws = Workspace::new("json");
    let run = ws.cargo_fdlint(&ws.root, &["--output-format", "cargo-json"]);
    assert_eq!(run.status, Some(0), "{run:?}");
    let mut seen = Vec::new();
    for message in Message::parse_stream(run.stdout.as_bytes()) {
        let Message::CompilerMessage(message) = message.expect("a cargo message") else {
            panic!("only compiler messages: {run:?}");
        };
        let file = &message.message.spans[0].file_name;
        let package = if file.starts_with("alpha/") { "alpha" } else { "beta" };
        assert!(message.package_id.repr.contains(package), "{file}: {}", message.package_id);
        assert_eq!(message.target.name, package, "{file}");
        seen.push(file.clone());
    }
    seen.sort();
    assert_eq!(seen, ["alpha/native/leak.c", "alpha/src/main.rs", "beta/src/lib.rs"]);
}

/// Through cargo itself, which finds `cargo-fdlint` on the PATH.
#[test]
fn cargo_runs_it_as_a_subcommand() {
    let ws = Workspace::new("subcommand");
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_cargo-fdlint")).parent().expect("a folder");
    let path = std::env::join_paths(
        std::iter::once(bin_dir.to_path_buf())
            .chain(std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())),
    )
    .expect("a PATH");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let output = Command::new(cargo)
        .args(["fdlint", "-p", "alpha", "--output-format", "concise"])
        .current_dir(&ws.root)
        .env("PATH", path)
        .env("CARGO_NET_OFFLINE", "true")
        .output()
        .expect("run cargo");
    let run = Run::from(output);
    assert_eq!(run.status, Some(0), "{run:?}");
    assert_eq!(run.files(), ["alpha/native/leak.c", "alpha/src/main.rs"], "{run:?}");
}

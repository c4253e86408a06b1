//! `cargo fdlint`: the workspace's packages, found with `cargo metadata --no-deps` (which
//! neither builds anything nor runs build scripts or proc-macros), linted with `fdlint`'s flags.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser};

use super::{check, level_flags_in_order, CheckArgs, Run};
use crate::output::CargoWorkspace;
use crate::walk;

/// cargo runs `cargo-fdlint fdlint ARGS` for `cargo fdlint ARGS`.
#[derive(Parser)]
#[command(name = "cargo", bin_name = "cargo")]
enum CargoCommand {
    Fdlint(CargoArgs),
}

/// Finds connections leaked across fork() in a cargo workspace's packages; never builds them.
#[derive(clap::Args)]
#[command(
    version,
    after_help = "Without -p or --workspace, lints the workspace's default members, as cargo does.\nExit status: 0 no finding at deny level, 1 findings at deny level, 2 a usage error."
)]
struct CargoArgs {
    // fdlint's flags first: those without a heading of their own stay under "Options".
    #[command(flatten)]
    check: CheckArgs,
    #[command(flatten, next_help_heading = "Package selection")]
    packages: clap_cargo::Workspace,
    #[command(flatten, next_help_heading = "Manifest")]
    manifest: clap_cargo::Manifest,
}

/// `cargo-fdlint [fdlint] ARGS`: `args` starts with the program's name.
pub fn cargo_fdlint_main(args: impl IntoIterator<Item = OsString>) -> ExitCode {
    let mut args: Vec<OsString> = args.into_iter().collect();
    // Run by hand as `cargo-fdlint ARGS`, it means what `cargo fdlint ARGS` means.
    if args.get(1).is_none_or(|first| first != "fdlint") {
        args.insert(args.len().min(1), "fdlint".into());
    }
    let matches = CargoCommand::command().get_matches_from(args);
    let CargoCommand::Fdlint(mut cargo) =
        CargoCommand::from_arg_matches(&matches).unwrap_or_else(|error| error.exit());
    if let Some(fdlint) = matches.subcommand_matches("fdlint") {
        cargo.check.level_flags = level_flags_in_order(fdlint);
    }
    match find_packages(&cargo) {
        Ok(run) => check(run, cargo.check),
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
    }
}

/// The source files of the selected packages, each package's folder walked as `fdlint` walks
/// a folder (`.gitignore` respected, `target/` skipped).
fn find_packages(cargo: &CargoArgs) -> Result<Run, String> {
    let metadata = cargo
        .manifest
        .metadata()
        .no_deps()
        .exec()
        .map_err(|error| format!("cannot read the cargo workspace: {error}"))?;
    let members = metadata.workspace_packages();
    let names = cargo.packages.package.iter().chain(&cargo.packages.exclude);
    if let Some(unknown) = names.into_iter().find(|name| !members.iter().any(|p| p.name == **name))
    {
        return Err(format!("package `{unknown}` is not a member of the workspace"));
    }
    let (selected, _) = cargo.packages.partition_packages(&metadata);
    let cwd = std::env::current_dir().unwrap_or_default();
    let roots: Vec<PathBuf> = selected
        .iter()
        .filter_map(|package| package.manifest_path.parent())
        .map(|dir| relative_to(dir.as_std_path(), &cwd))
        .collect();
    let (files, walk_problems) = walk::collect_files(&roots);
    let workspace = CargoWorkspace { packages: members.into_iter().cloned().collect() };
    // A package's folder may hold another member's: each file belongs to the package nearest it.
    let files = files
        .into_iter()
        .filter(|file| {
            workspace
                .package_of(file)
                .is_some_and(|owner| selected.iter().any(|package| package.id == owner.id))
        })
        .collect();
    Ok(Run { files, walk_problems, workspace })
}

/// `dir` relative to the current folder when it lies inside it, so reports print short paths.
fn relative_to(dir: &Path, cwd: &Path) -> PathBuf {
    match dir.strip_prefix(cwd) {
        Ok(relative) if relative.as_os_str().is_empty() => PathBuf::from("."),
        Ok(relative) => relative.to_path_buf(),
        Err(_) => dir.to_path_buf(),
    }
}

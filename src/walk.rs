//! Finding the files to lint: folders are walked respecting `.gitignore` and skipping
//! `target/`; files named explicitly are taken as given.

use std::path::{Path, PathBuf};

use ignore::WalkBuilder;

use crate::source::language_of;

/// The files to lint under `paths`, sorted and without duplicates, and the problems met.
pub fn collect_files(paths: &[PathBuf]) -> (Vec<PathBuf>, Vec<String>) {
    let mut files = Vec::new();
    let mut problems = Vec::new();
    for path in paths {
        if path.is_file() {
            files.push(path.clone());
        } else if path.is_dir() {
            walk_dir(path, &mut files, &mut problems);
        } else {
            problems.push(format!("{}: {}", path.display(), why_not_a_file_or_folder(path)));
        }
    }
    files.sort();
    files.dedup();
    (files, problems)
}

/// Why a path named on the command line is neither a file nor a folder to lint.
fn why_not_a_file_or_folder(path: &Path) -> String {
    match std::fs::metadata(path) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
            "no such file or directory".to_string()
        }
        // A symlink loop, a folder on the way that cannot be searched, ...
        Err(error) => format!("cannot read: {error}"),
        Ok(_) => "not a regular file (a pipe, socket or device); skipped".to_string(),
    }
}

fn walk_dir(root: &Path, files: &mut Vec<PathBuf>, problems: &mut Vec<String>) {
    let walker = WalkBuilder::new(root)
        .hidden(false)
        .git_ignore(true)
        .require_git(false)
        .filter_entry(|entry| entry.file_name() != "target" && entry.file_name() != ".git")
        .build();
    for entry in walker {
        match entry {
            Ok(entry) => {
                let is_file = entry.file_type().is_some_and(|t| t.is_file());
                if is_file && language_of(entry.path()).is_some() {
                    files.push(entry.into_path());
                }
            }
            Err(error) => problems.push(error.to_string()),
        }
    }
}

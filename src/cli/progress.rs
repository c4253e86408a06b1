//! The progress bar of a long run: on stderr, only when a person is watching a terminal.

use indicatif::{ProgressBar, ProgressStyle};

/// Below this many files a run ends before a bar would be worth drawing.
const MIN_FILES: usize = 1000;

/// Whether a run of `files` files shows a bar: never in a pipe or a file, never in CI (whose
/// logs keep every redraw), never for a short run.
pub fn wanted(files: usize, stderr_is_terminal: bool, in_ci: bool) -> bool {
    files >= MIN_FILES && stderr_is_terminal && !in_ci
}

/// `CI` is set by GitHub Actions, GitLab, Travis, CircleCI and most others.
pub fn in_ci() -> bool {
    std::env::var_os("CI").is_some_and(|value| !value.is_empty() && value != "false")
}

/// A bar over `files` files, ticked as each file is parsed.
pub fn bar(files: usize) -> ProgressBar {
    ProgressBar::new(files as u64).with_style(
        ProgressStyle::with_template("{spinner} linting {pos}/{len} files {wide_bar} {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_long_runs_on_a_terminal_outside_ci_show_a_bar() {
        assert!(wanted(MIN_FILES, true, false));
        assert!(!wanted(MIN_FILES - 1, true, false));
        assert!(!wanted(5000, false, false), "a pipe or a file");
        assert!(!wanted(5000, true, true), "CI");
    }
}

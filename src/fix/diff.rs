//! Showing what a fix would change.

use similar::TextDiff;

/// A unified diff (`--- a/path`, `+++ b/path`) from `old` to `new`; empty when they are equal.
pub fn unified_diff(name: &str, old: &str, new: &str) -> String {
    if old == new {
        return String::new();
    }
    TextDiff::from_lines(old, new)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
}

//! FDL002 `connection_shared_across_fork`: after `fork()`, both processes use one connection.
//! Its declaration and docs are in `lints/connection_shared_across_fork.toml`.

use super::short_name;
use crate::analysis::{Facts, SharedUse};
use crate::diagnostics::{Diagnostic, Label};

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    facts.shared_uses.iter().map(diagnostic).collect()
}

fn diagnostic(shared: &SharedUse) -> Diagnostic {
    let conn = &shared.connection;
    let fork = short_name(&shared.fork_callee);
    let labels = vec![
        Label::new(conn.open_span, format!("1: `{}` ({}) opened here", conn.name, conn.what)),
        Label::new(shared.fork_span, format!("2: `{fork}()` gives both processes the connection")),
        Label::new(shared.parent_use, format!("3: the parent uses `{}` here", conn.name)),
        Label::new(shared.child_use, format!("4: the child uses `{}` here", conn.name)),
    ];
    let message = format!(
        "`{}` ({}) is used by both processes after `{fork}()`: their bytes interleave on one stream",
        conn.name, conn.what
    );
    let help = format!(
        "give each process its own connection: open `{0}` after the fork, or close `{0}` at once in the process that should not use it",
        conn.name
    );
    Diagnostic::new("FDL002", shared.fork_span, message, labels).with_help(help)
}

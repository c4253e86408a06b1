//! FDL002 `connection_shared_across_fork`: after `fork()`, both processes use one connection.
//! Its declaration and docs are in `lints/connection_shared_across_fork.toml`.

use super::short_name;
use super::story::Story;
use crate::analysis::{Facts, SharedUse};
use crate::diagnostics::{Diagnostic, Locate};

pub fn check(facts: &Facts, locate: Locate<'_>) -> Vec<Diagnostic> {
    facts
        .shared_uses
        .iter()
        .map(|shared| diagnostic(shared, Story::new(locate, facts.file)))
        .collect()
}

fn diagnostic(shared: &SharedUse, mut story: Story<'_>) -> Diagnostic {
    let conn = &shared.connection;
    let fork = short_name(&shared.fork_callee);
    story
        .opened(conn, "")
        .forked(
            shared.fork_span,
            &shared.fork_callee,
            shared.fork_inside.as_ref(),
            "gives both processes the connection",
        )
        .here(shared.parent_use, format!("the parent uses `{}` here", conn.name))
        .here(shared.child_use, format!("the child uses `{}` here", conn.name));
    let labels = story.into_labels();
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

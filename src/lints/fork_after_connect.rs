//! FDL001 `fork_after_connect`: a connection live at `fork()` that a branch which keeps
//! running never closes or shuts down. Its declaration and docs are in
//! `lints/fork_after_connect.toml`; the dataflow that finds it is in `analysis`.

use super::short_name;
use super::story::Story;
use crate::analysis::{Facts, ForkLeak, RunKind, Side};
use crate::diagnostics::{Diagnostic, Locate};

pub fn check(facts: &Facts, locate: Locate<'_>) -> Vec<Diagnostic> {
    facts.leaks.iter().map(|leak| diagnostic(leak, Story::new(locate, facts.file))).collect()
}

fn diagnostic(leak: &ForkLeak, mut story: Story<'_>) -> Diagnostic {
    let conn = &leak.connection;
    story.opened(conn, "").forked(
        leak.fork_span,
        &leak.fork_callee,
        leak.fork_inside.as_ref(),
        "copies it into the child",
    );
    for (side, event) in &leak.sides {
        if event.span == leak.fork_span {
            continue;
        }
        let how = match &event.kind {
            RunKind::Call(name) => format!("goes on running here (`{}`)", short_name(name)),
            RunKind::Loop => "goes on running in this loop".to_string(),
            RunKind::Return => "returns to its caller".to_string(),
        };
        story
            .here(event.span, format!("the {} {how} without closing `{}`", side.name(), conn.name));
    }
    Diagnostic::new("FDL001", leak.fork_span, message(leak), story.into_labels())
        .with_help(help(leak))
}

fn message(leak: &ForkLeak) -> String {
    let conn = &leak.connection;
    let fork = short_name(&leak.fork_callee);
    let (who, verbs) = match leak.sides.as_slice() {
        [(side, _)] => (format!("the {}", side.name()), "keeps it open and goes on running"),
        _ => ("both processes".to_string(), "keep it open and go on running"),
    };
    format!(
        "`{}` ({}) is live at `{fork}()`: {who} {verbs} without closing it",
        conn.name, conn.what
    )
}

fn help(leak: &ForkLeak) -> String {
    let name = &leak.connection.name;
    let branch = match leak.sides.as_slice() {
        [(Side::Child, _)] => "the child",
        [(Side::Parent, _)] => "the parent",
        _ => "the process that does not use it",
    };
    format!(
        "open `{name}` after the fork, in the process that uses it; or close `{name}` in {branch} right after the fork; or end it with `shutdown()`, which acts for every process that shares it"
    )
}

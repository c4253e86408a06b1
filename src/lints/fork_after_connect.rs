//! FDL001 `fork_after_connect`: a connection live at `fork()` that a branch which keeps
//! running never closes or shuts down. Its declaration and docs are in
//! `lints/fork_after_connect.toml`; the dataflow that finds it is in `analysis`.

use super::short_name;
use crate::analysis::{Facts, ForkLeak, RunKind, Side};
use crate::diagnostics::{Diagnostic, Label};

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    facts.leaks.iter().map(diagnostic).collect()
}

fn diagnostic(leak: &ForkLeak) -> Diagnostic {
    let conn = &leak.connection;
    let fork = short_name(&leak.fork_callee);
    let mut labels = vec![
        Label::new(conn.open_span, format!("1: `{}` ({}) opened here", conn.name, conn.what)),
        Label::new(leak.fork_span, format!("2: `{fork}()` copies it into the child")),
    ];
    for (number, (side, event)) in (3..).zip(&leak.sides) {
        if event.span == leak.fork_span {
            continue;
        }
        let how = match &event.kind {
            RunKind::Call(name) => format!("goes on running here (`{}`)", short_name(name)),
            RunKind::Loop => "goes on running in this loop".to_string(),
            RunKind::Return => "returns to its caller".to_string(),
        };
        labels.push(Label::new(
            event.span,
            format!("{number}: the {} {how} without closing `{}`", side.name(), conn.name),
        ));
    }
    Diagnostic::new("FDL001", leak.fork_span, message(leak), labels).with_help(help(leak))
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

//! FDL001 `fork_after_connect`: a connection live at `fork()` that a branch which keeps
//! running never closes or shuts down. Its declaration and docs are in
//! `lints/fork_after_connect.toml`; the dataflow that finds it is in `analysis`.

use super::fixes::{
    insert_at_branch, is_identifier, move_declaration, replace_call_statement, rust_import,
    FileContext,
};
use super::short_name;
use super::story::Story;
use crate::analysis::{Facts, ForkLeak, RunKind, Side};
use crate::catalog::SocketKind;
use crate::diagnostics::{Applicability, Diagnostic, Fix, Locate};
use crate::ir::Language;

pub fn check(facts: &Facts, locate: Locate<'_>, context: &FileContext) -> Vec<Diagnostic> {
    let story = || Story::new(locate, facts.file);
    facts.leaks.iter().map(|leak| diagnostic(leak, story(), context)).collect()
}

fn diagnostic(leak: &ForkLeak, mut story: Story<'_>, context: &FileContext) -> Diagnostic {
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
    let mut diagnostic =
        Diagnostic::new("FDL001", leak.fork_span, message(leak), story.into_labels())
            .with_help(help(leak));
    diagnostic.fixes.extend(close_in_branch(leak, context));
    diagnostic.fixes.extend(move_open_into_user(leak, context));
    diagnostic.fixes.extend(shutdown_before_close(leak, context));
    diagnostic
}

/// The one side that leaks, when the other does not.
fn leaking_side(leak: &ForkLeak) -> Option<(Side, &RunKind)> {
    match leak.sides.as_slice() {
        [(side, event)] => Some((*side, &event.kind)),
        _ => None,
    }
}

/// How the language closes a bare socket held in `name`, as a statement.
fn close_statement(context: &FileContext, socket: SocketKind, name: &str) -> Option<String> {
    match (context.source.language, socket) {
        (Language::C, SocketKind::Descriptor) => Some(format!("close({name});")),
        (Language::Rust, SocketKind::Stream) => Some(format!("drop({name});")),
        _ => None,
    }
}

/// Close the connection as the first statement of the branch that leaks it. Safe when the
/// connection is a bare socket in a variable of the function, never stored in a global or a
/// field, and that side does not return to a caller (which might use it); unsafe otherwise.
fn close_in_branch(leak: &ForkLeak, context: &FileContext) -> Option<Fix> {
    let conn = &leak.connection;
    let (side, ran) = leaking_side(leak)?;
    // Only a bare socket in a plain variable can be closed by name.
    let socket = conn.socket?;
    if !is_identifier(&conn.name) {
        return None;
    }
    let stmt = close_statement(context, socket, &conn.name)?;
    // Only where the code branches on the fork's result before anything else branches.
    let entry = leak.branches.iter().find(|(s, _)| *s == side).map(|(_, entry)| *entry)?;
    let edits =
        insert_at_branch(context.text(), &context.style(), entry, std::slice::from_ref(&stmt))?;
    let function = context.lowered.functions.iter().find(|f| f.name == leak.function);
    let local = function.is_some_and(|f| f.locals.iter().any(|l| l.name == conn.name));
    let safe = local && !conn.stored && !matches!(ran, RunKind::Return);
    Some(Fix {
        title: format!("add `{stmt}` at the start of the {}'s branch", side.name()),
        applicability: if safe { Applicability::Safe } else { Applicability::Unsafe },
        edits,
    })
}

/// Open the connection after the fork, in the branch that uses it: the declaration that
/// opens it moves to the start of that branch. Offered only when nothing but that branch
/// mentions the variable. Always unsafe: the connection is then made later, in one process
/// only, and its errors surface inside the branch.
fn move_open_into_user(leak: &ForkLeak, context: &FileContext) -> Option<Fix> {
    let conn = &leak.connection;
    let (leaker, _) = leaking_side(leak)?;
    let user = *leak.users.iter().find(|side| **side != leaker)?;
    // A connection opened in a callee is opened by a call, not a declaration of its own.
    if conn.opened_in.is_some() || !is_identifier(&conn.name) {
        return None;
    }
    let entry = leak.branches.iter().find(|(s, _)| *s == user).map(|(_, entry)| *entry)?;
    let function = context.lowered.functions.iter().find(|f| {
        f.name == leak.function
            && f.span.start <= leak.fork_span.start
            && leak.fork_span.end <= f.span.end
    })?;
    let spans = (conn.open_span, leak.fork_span);
    let edits = move_declaration(context, function, spans, &conn.name, entry)?;
    Some(Fix {
        title: format!(
            "open `{}` after the fork, in the {}'s branch that uses it",
            conn.name,
            user.name()
        ),
        applicability: Applicability::Unsafe,
        edits,
    })
}

/// Where the other side closes the connection, shut it down first: `shutdown` ends the
/// connection for every process that shares it, the leaking one included. Always unsafe: it
/// also ends it for processes fdlint cannot see.
fn shutdown_before_close(leak: &ForkLeak, context: &FileContext) -> Option<Fix> {
    let conn = &leak.connection;
    let (side, _) = leaking_side(leak)?;
    let socket = conn.socket?;
    let (closer, close) = leak.closes.iter().find(|(s, _)| *s != side)?;
    let (text, style) = (context.text(), context.style());
    let call = context.slice(close.call).to_string();
    let arg = context.slice(close.arg);
    if call.is_empty() || !is_identifier(arg) {
        return None;
    }
    let mut edits = Vec::new();
    let shutdown = match (context.source.language, socket) {
        (Language::C, SocketKind::Descriptor) => format!("shutdown({arg}, SHUT_RDWR);"),
        (Language::Rust, SocketKind::Stream) => {
            let (shutdown, import) = rust_import(context, "std::net::Shutdown");
            edits.extend(import);
            format!("let _ = {arg}.shutdown({shutdown}::Both);")
        }
        _ => return None,
    };
    edits.push(replace_call_statement(text, &style, close.call, &[shutdown.clone(), call])?);
    Some(Fix {
        title: format!("`{shutdown}` before the {} closes `{arg}`", closer.name()),
        applicability: Applicability::Unsafe,
        edits,
    })
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

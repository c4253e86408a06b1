//! The plain spans fix-its build on: where branches begin and what each argument spans.

use crate::ir::{BranchEntry, Rvalue, StmtKind};

use super::lower;

/// The entries of every block, with the text they point at.
fn entries(src: &str) -> Vec<String> {
    let file = lower(src);
    let text = |start: usize, end: usize| src[start..end].to_string();
    let blocks = file.functions.iter().flat_map(|f| &f.blocks);
    blocks
        .filter_map(|block| block.entry)
        .map(|entry| match entry {
            BranchEntry::Body { span, braced } => {
                format!("body {braced} `{}`", text(span.start, span.end))
            }
            BranchEntry::MissingElse { if_start, then_body, then_braced } => format!(
                "no else after `{}` ({then_braced}) of `{}`",
                text(then_body.start, then_body.end),
                text(if_start, if_start + 2)
            ),
        })
        .collect()
}

#[test]
fn if_bodies_and_a_missing_else_are_marked() {
    let src = "void f(void) { if (fork()) close(fd); if (pid == 0) { a(); } else b(); }";
    assert_eq!(
        entries(src),
        [
            "body false `close(fd);`",
            "no else after `close(fd);` (false) of `if`",
            "body true `{ a(); }`",
            "body false `b();`",
        ]
    );
}

#[test]
fn call_arguments_carry_their_spans() {
    let src = "void f(void) { int fd = socket(AF_INET, SOCK_STREAM | X, 0); }";
    let file = lower(src);
    let call = file.functions[0].blocks[0].stmts.iter().find_map(|stmt| match &stmt.kind {
        StmtKind::Assign { value: Rvalue::Call(call), .. } => Some(call.clone()),
        _ => None,
    });
    let spans = call.expect("the socket call").arg_spans;
    let args: Vec<&str> = spans.iter().map(|s| &src[s.start..s.end]).collect();
    assert_eq!(args, ["AF_INET", "SOCK_STREAM | X", "0"]);
}

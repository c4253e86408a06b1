use super::*;
use crate::diagnostics::Edit;

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut edits = edits.to_vec();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut out = text.to_string();
    for edit in edits {
        out.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    }
    out
}

fn body(text: &str, needle: &str, braced: bool) -> BranchEntry {
    let start = text.find(needle).unwrap();
    BranchEntry::Body { span: Span::new(start, start + needle.len()), braced }
}

#[test]
fn style_follows_the_file() {
    assert_eq!(Style::of("a\r\n  b\r\n    c\r\n").newline, "\r\n");
    assert_eq!(Style::of("a\r\n  b\r\n    c\r\n").unit, "  ");
    assert_eq!(Style::of("a\n\tb\n\t\tc\n").unit, "\t");
    assert_eq!(Style::of("/*\n * x\n */\nint a;\n").unit, "    ");
}

#[test]
fn a_braced_body_gets_the_statement_after_its_brace() {
    let text = "\tif (pid == 0) {\n\t\tsleep(1);\n\t}\n";
    let entry = body(text, "{\n\t\tsleep(1);\n\t}", true);
    let edits = insert_at_branch(text, &Style::of(text), entry, &["close(fd);".into()]).unwrap();
    assert_eq!(apply(text, &edits), "\tif (pid == 0) {\n\t\tclose(fd);\n\t\tsleep(1);\n\t}\n");
}

#[test]
fn a_comment_after_the_brace_stays_on_its_line() {
    let text = "    if (pid == 0) { /* child */\r\n        pause();\r\n    }\r\n";
    let entry = body(text, "{ /* child */\r\n        pause();\r\n    }", true);
    let edits = insert_at_branch(text, &Style::of(text), entry, &["close(fd);".into()]).unwrap();
    assert_eq!(
        apply(text, &edits),
        "    if (pid == 0) { /* child */\r\n        close(fd);\r\n        pause();\r\n    }\r\n"
    );
}

#[test]
fn a_braceless_body_gets_braces() {
    let text = "int main() {\r\n  if (!fork()) sleep(1);\r\n}\r\n";
    let entry = body(text, "sleep(1);", false);
    let edits = insert_at_branch(text, &Style::of(text), entry, &["close(fd);".into()]).unwrap();
    assert_eq!(
        apply(text, &edits),
        "int main() {\r\n  if (!fork()) {\r\n    close(fd);\r\n    sleep(1);\r\n  }\r\n}\r\n"
    );
}

#[test]
fn a_braceless_body_moves_in_unless_a_string_may_span_its_lines() {
    let text = "    match r {\n        A => loop {\n            log(\"x\");\n        },\n    }\n";
    let entry = body(text, "loop {\n            log(\"x\");\n        }", false);
    let edits = insert_at_branch(text, &Style::of(text), entry, &["drop(s);".into()]).unwrap();
    assert_eq!(
        apply(text, &edits),
        "    match r {\n        A => {\n            drop(s);\n            loop {\n                log(\"x\");\n            }\n        },\n    }\n"
    );
    assert!(may_hold_multiline_string("f(\"a\n b\")"));
    assert!(may_hold_multiline_string("f(r\"a\")"));
    assert!(!may_hold_multiline_string("f(\"a\");\ng(\"b\\\"\")"));
}

#[test]
fn a_missing_else_is_added_in_the_then_branch_style() {
    let text = "    if (fork())\n        close(fd);\n    sleep(9);\n";
    let then = text.find("close").unwrap();
    let entry = BranchEntry::MissingElse {
        if_start: 4,
        then_body: Span::new(then, then + "close(fd);".len()),
        then_braced: false,
    };
    let edits = insert_at_branch(text, &Style::of(text), entry, &["close(fd);".into()]).unwrap();
    assert_eq!(
        apply(text, &edits),
        "    if (fork())\n        close(fd);\n    else\n        close(fd);\n    sleep(9);\n"
    );
}

#[test]
fn a_call_statement_is_replaced_in_a_list_and_braced_as_a_body() {
    let text = "{\n    close(fd);\n    if (x) close(fd);\n}\n";
    let first = text.find("close(fd)").unwrap();
    let stmts = ["shutdown(fd, SHUT_RDWR);".to_string(), "close(fd)".to_string()];
    let style = Style::of(text);
    let edit = replace_call_statement(text, &style, Span::new(first, first + 9), &stmts).unwrap();
    assert_eq!(
        apply(text, &[edit]),
        "{\n    shutdown(fd, SHUT_RDWR);\n    close(fd);\n    if (x) close(fd);\n}\n"
    );
    let second = text.rfind("close(fd)").unwrap();
    let edit = replace_call_statement(text, &style, Span::new(second, second + 9), &stmts).unwrap();
    assert_eq!(
        apply(text, &[edit]),
        "{\n    close(fd);\n    if (x) {\n        shutdown(fd, SHUT_RDWR);\n        close(fd);\n    }\n}\n"
    );
}

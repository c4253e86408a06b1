//! Syntax errors: every `ERROR` and `MISSING` node of the tree, found by an iterative walk
//! (a recursive one could overflow the stack on pathological nesting).

use tree_sitter::Node;

use crate::ir::SyntaxError;

use super::syntax::{span_of, NodeKind};

pub(super) fn syntax_errors(root: Node<'_>) -> Vec<SyntaxError> {
    let mut errors = Vec::new();
    if !root.has_error() {
        return errors;
    }
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let reported = report(node, &mut errors);
        // Only subtrees with an error are worth entering; an error's insides are its own.
        let descend = !reported && node.has_error() && cursor.goto_first_child();
        if descend {
            continue;
        }
        // Next sibling, or climb until one exists.
        loop {
            if cursor.goto_next_sibling() {
                break;
            }
            if !cursor.goto_parent() {
                return errors;
            }
        }
    }
}

/// Records `node` if it is an error; `true` if it was.
fn report(node: Node<'_>, errors: &mut Vec<SyntaxError>) -> bool {
    let message = if node.is_error() {
        "syntax error".to_string()
    } else if node.is_missing() {
        expected(node)
    } else {
        return false;
    };
    errors.push(SyntaxError { span: span_of(node), message });
    true
}

/// "expected `;`" for a missing token, "expected identifier" for a missing named node.
fn expected(node: Node<'_>) -> String {
    if node.is_named() {
        format!("expected {}", node.kind_name().replace('_', " "))
    } else {
        format!("expected `{}`", node.kind_name())
    }
}

//! `syntax::named_children` takes children by index; a tree cursor, tree-sitter's own way to
//! list them, must give the same nodes for every node of the C fixtures, the synthetic corpus
//! and broken code (errors, missing tokens, comments everywhere). So must the helpers that
//! find a declaration's declarators and a body's statements without asking each child its
//! field through a cursor.

use std::path::Path;

use tree_sitter::{Node, TreeCursor};

use crate::corpus::{corpus_file, large_file, CorpusSpec};
use crate::ir::Language;

use super::super::parse;
use super::super::syntax::{
    declarators, declarators_by_cursor, fields, named_children, named_children_except, NodeKind,
};

const BROKEN: &str = r#"
/* a */ int /* b */ f(int a, /* c */ int b) { // d
    g(a /* e */, b, /* f */);
    if (a /* g */) { h( } else
    struct s x = { .a = 1, /* h */ [2] = 3 };
    #ifdef X
    return (/* i */ a);
    #endif
    while (k(a) b c
}
"#;

/// Declarations and bodies in every shape the helpers tell apart.
const DECLARATIONS: &str = r#"
int g(void) {
    int a, /* x */ b = 1, *c;
    int extern e;
    extern int f;
    static int s = 2;
    int __cdecl h(void);
    int r asm("r1");
    struct t { int x; };
    int /* y */ d /* z */ = 3 /* w */;
    int;
    switch (a) { case /* v */ 1: /* u */ a++; case 2: default: break; case : a--; }
    here: /* t */ a = 4;
    #ifdef X
    a = 5;
    #elif Y
    a = 6;
    #else
    a = 7;
    #endif
    #if defined(Z) /* s */
    a = 8;
    #endif
    int = 9;
    int k = , l;
}
"#;

/// Every node of the C fixtures, synthetic C files and the broken texts above.
fn for_each_node(mut check: impl FnMut(Node<'_>, &str)) -> usize {
    let mut texts =
        vec![BROKEN.to_string(), DECLARATIONS.to_string(), large_file(Language::C, 3, 2_000)];
    // The benchmark's own C files (the even ones), for their many `switch`es.
    let spec = CorpusSpec { files: 40, seed: 1 };
    texts.extend((0..spec.files).step_by(2).map(|index| corpus_file(spec, index).1));
    collect_c_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut texts);
    let mut visited = 0;
    for text in &texts {
        let Some(tree) = parse(text) else { continue };
        let mut pending = vec![tree.root_node()];
        while let Some(node) = pending.pop() {
            check(node, text);
            visited += 1;
            let mut cursor = node.walk();
            pending.extend(node.children(&mut cursor));
        }
    }
    visited
}

#[test]
fn named_children_by_index_equal_a_cursors() {
    let compared = for_each_node(|node, _| {
        let mut cursor = node.walk();
        let expected: Vec<Node<'_>> =
            node.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
        assert_eq!(named_children(node), expected, "{}", node.to_sexp());
    });
    assert!(compared > 50_000, "{compared}");
}

#[test]
fn declarators_equal_a_cursors() {
    let mut compared = 0;
    for_each_node(|node, text| {
        if node.kind_name() == "declaration" {
            assert_eq!(declarators(node, text), declarators_by_cursor(node, text));
            compared += 1;
        }
    });
    assert!(compared > 1_000, "{compared}");
}

#[test]
fn bodies_without_field_values_equal_a_cursors() {
    let mut compared = 0;
    for_each_node(|node, _| {
        let skipped: &[(&str, u16)] = match node.kind_name() {
            "case_statement" => &[("value", fields().value)],
            "labeled_statement" => &[("label", fields().label)],
            "preproc_if" | "preproc_ifdef" | "preproc_elif" | "preproc_elifdef" => &[
                ("condition", fields().condition),
                ("name", fields().name),
                ("alternative", fields().alternative),
            ],
            _ => return,
        };
        let values: Vec<_> = skipped.iter().map(|(_, id)| node.child_by_field_id(*id)).collect();
        let names: Vec<&str> = skipped.iter().map(|(name, _)| *name).collect();
        let expected = children_except_fields_by_cursor(&mut node.walk(), &names);
        assert_eq!(named_children_except(node, &values), expected, "{}", node.to_sexp());
        compared += 1;
    });
    assert!(compared > 250, "{compared}");
}

/// The named, non-comment children whose field is none of `fields`, asked through a cursor.
fn children_except_fields_by_cursor<'t>(
    cursor: &mut TreeCursor<'t>,
    fields: &[&str],
) -> Vec<Node<'t>> {
    let mut children = Vec::new();
    let mut more = cursor.goto_first_child();
    while more {
        let child = cursor.node();
        let in_skipped_field = cursor.field_name().is_some_and(|name| fields.contains(&name));
        if child.is_named() && child.kind_name() != "comment" && !in_skipped_field {
            children.push(child);
        }
        more = cursor.goto_next_sibling();
    }
    children
}

fn collect_c_files(dir: &Path, texts: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for path in entries.flatten().map(|entry| entry.path()) {
        if path.is_dir() {
            collect_c_files(&path, texts);
        } else if path.extension().is_some_and(|ext| ext == "c" || ext == "h") {
            texts.extend(std::fs::read(&path).ok().map(|b| String::from_utf8_lossy(&b).into()));
        }
    }
}

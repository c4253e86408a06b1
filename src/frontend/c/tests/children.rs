//! `syntax::named_children` takes children by index; a tree cursor, tree-sitter's own way to
//! list them, must give the same nodes for every node of the C fixtures, the synthetic corpus
//! and broken code (errors, missing tokens, comments everywhere).

use std::path::Path;

use tree_sitter::Node;

use crate::corpus::large_file;
use crate::ir::Language;

use super::super::parse;
use super::super::syntax::{named_children, NodeKind};

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

#[test]
fn named_children_by_index_equal_a_cursors() {
    let mut texts = vec![BROKEN.to_string(), large_file(Language::C, 3, 2_000)];
    collect_c_files(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"), &mut texts);
    let mut compared = 0;
    for text in &texts {
        let Some(tree) = parse(text) else { continue };
        let mut pending = vec![tree.root_node()];
        while let Some(node) = pending.pop() {
            let mut cursor = node.walk();
            let expected: Vec<Node<'_>> =
                node.named_children(&mut cursor).filter(|c| c.kind_name() != "comment").collect();
            assert_eq!(named_children(node), expected, "{}", node.to_sexp());
            compared += 1;
            let mut cursor = node.walk();
            pending.extend(node.children(&mut cursor));
        }
    }
    assert!(compared > 50_000, "{compared}");
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

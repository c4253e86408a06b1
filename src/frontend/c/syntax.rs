//! Small, panic-free helpers over tree-sitter nodes.

use std::sync::OnceLock;

use tree_sitter::Node;

use crate::ir::Span;

/// The node's kind. `Node::kind` measures and UTF-8-checks the grammar's C string on every
/// call (2% of the whole pipeline); `kind_name` looks the name up by kind id in a table built
/// once.
pub(super) trait NodeKind {
    fn kind_name(&self) -> &'static str;
}

impl NodeKind for Node<'_> {
    fn kind_name(&self) -> &'static str {
        static KINDS: OnceLock<Vec<&'static str>> = OnceLock::new();
        let kinds = KINDS.get_or_init(|| {
            let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
            (0..language.node_kind_count())
                .map(|id| {
                    u16::try_from(id)
                        .ok()
                        .and_then(|id| language.node_kind_for_id(id))
                        .unwrap_or("")
                })
                .collect()
        });
        kinds.get(usize::from(self.kind_id())).copied().unwrap_or_else(|| self.kind())
    }
}

/// The C grammar's field ids, looked up once: `child_by_field_name` compares the name with
/// the grammar's field names at every call.
pub(super) struct Fields {
    pub alternative: u16,
    pub argument: u16,
    pub arguments: u16,
    pub body: u16,
    pub condition: u16,
    pub consequence: u16,
    pub declarator: u16,
    pub field: u16,
    pub function: u16,
    pub index: u16,
    pub initializer: u16,
    pub label: u16,
    pub left: u16,
    pub name: u16,
    pub operator: u16,
    pub parameters: u16,
    pub right: u16,
    pub update: u16,
    pub value: u16,
}

pub(super) fn fields() -> &'static Fields {
    static FIELDS: OnceLock<Fields> = OnceLock::new();
    FIELDS.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
        // A name the grammar lacks would be 0, which no child has: the lookups find nothing.
        let id = |name: &str| language.field_id_for_name(name).map_or(0, u16::from);
        Fields {
            alternative: id("alternative"),
            argument: id("argument"),
            arguments: id("arguments"),
            body: id("body"),
            condition: id("condition"),
            consequence: id("consequence"),
            declarator: id("declarator"),
            field: id("field"),
            function: id("function"),
            index: id("index"),
            initializer: id("initializer"),
            label: id("label"),
            left: id("left"),
            name: id("name"),
            operator: id("operator"),
            parameters: id("parameters"),
            right: id("right"),
            update: id("update"),
            value: id("value"),
        }
    })
}

pub(super) fn span_of(node: Node<'_>) -> Span {
    let range = node.byte_range();
    Span::new(range.start, range.end)
}

/// The node's source text; empty (never a panic) if the range does not fit `text`.
pub(super) fn text_of<'a>(node: Node<'_>, text: &'a str) -> &'a str {
    text.get(node.byte_range()).unwrap_or("")
}

/// Named children without comments: comments may sit anywhere (between arguments, between
/// statements) and never mean anything to the IR. Taken by index: `named_child` goes down
/// the tree in a few steps (tree-sitter keeps long lists balanced), where a cursor pays for
/// every token and hidden node it passes, several hundred instructions a step.
pub(super) fn named_children<'t>(node: Node<'t>) -> Vec<Node<'t>> {
    let children = (0..node.named_child_count()).filter_map(|index| node.named_child(index));
    children.filter(|child| child.kind_name() != "comment").collect()
}

/// Named, non-comment children that are not the value of one of `fields` (so the statements
/// of a `case` or `#ifdef` body, without its label or condition).
pub(super) fn children_except_fields<'t>(node: Node<'t>, fields: &[&str]) -> Vec<Node<'t>> {
    let mut children = Vec::new();
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return children;
    }
    loop {
        let child = cursor.node();
        let in_skipped_field = cursor.field_name().is_some_and(|name| fields.contains(&name));
        if child.is_named() && child.kind_name() != "comment" && !in_skipped_field {
            children.push(child);
        }
        if !cursor.goto_next_sibling() {
            return children;
        }
    }
}

/// The single meaningful child of a parenthesized expression, if it has exactly one.
fn paren_inner(node: Node<'_>) -> Option<Node<'_>> {
    if node.kind_name() != "parenthesized_expression" {
        return None;
    }
    // The usual `(e)` without comments, without collecting the children.
    if node.named_child_count() == 1 {
        return node.named_child(0).filter(|inner| inner.kind_name() != "comment");
    }
    match named_children(node).as_slice() {
        [inner] => Some(*inner),
        _ => None,
    }
}

/// Peels parentheses iteratively (no recursion, so 10,000 of them cost nothing).
pub(super) fn strip_parens(mut node: Node<'_>) -> Node<'_> {
    while let Some(inner) = paren_inner(node) {
        node = inner;
    }
    node
}

/// Peels parentheses and casts: both are transparent to the places and calls inside.
pub(super) fn strip_parens_and_casts(mut node: Node<'_>) -> Node<'_> {
    loop {
        if let Some(inner) = paren_inner(node) {
            node = inner;
        } else if node.kind_name() == "cast_expression" {
            match node.child_by_field_id(fields().value) {
                Some(value) => node = value,
                None => return node,
            }
        } else {
            return node;
        }
    }
}

/// What a declarator declares: the identifier under pointers, arrays, parentheses and
/// attributes, and the function declarator closest to it (whose parameters are the
/// function's own, even for `int (*f(void))(int)`).
pub(super) struct DeclaratorParts<'t> {
    pub name: Option<Node<'t>>,
    pub function: Option<Node<'t>>,
    /// A prototype (`int f(int);`) rather than a variable (`int (*fp)(int);`): a function
    /// declarator with no pointer between it and the name.
    pub declares_function: bool,
}

pub(super) fn declarator_parts(mut node: Node<'_>) -> DeclaratorParts<'_> {
    let mut function = None;
    let mut pointer_since_function = false;
    loop {
        match node.kind_name() {
            "identifier" | "field_identifier" | "type_identifier" => {
                let declares_function = function.is_some() && !pointer_since_function;
                return DeclaratorParts { name: Some(node), function, declares_function };
            }
            "function_declarator" => {
                function = Some(node);
                pointer_since_function = false;
            }
            "pointer_declarator" => pointer_since_function = true,
            _ => {}
        }
        let next = node
            .child_by_field_id(fields().declarator)
            .or_else(|| {
                named_children(node).into_iter().find(|c| c.kind_name().ends_with("declarator"))
            })
            .or_else(|| named_children(node).into_iter().find(|c| c.kind_name() == "identifier"));
        match next {
            Some(inner) => node = inner,
            None => return DeclaratorParts { name: None, function, declares_function: false },
        }
    }
}

#[cfg(test)]
mod field_tests {
    use super::*;

    #[test]
    fn every_field_the_lowering_reads_is_in_the_grammar() {
        let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
        let fields = fields();
        for (name, id) in
            [("argument", fields.argument), ("body", fields.body), ("value", fields.value)]
        {
            assert_eq!(language.field_id_for_name(name).map(u16::from), Some(id), "{name}");
        }
        let all = [
            fields.alternative,
            fields.argument,
            fields.arguments,
            fields.body,
            fields.condition,
            fields.consequence,
            fields.declarator,
            fields.field,
            fields.function,
            fields.index,
            fields.initializer,
            fields.label,
            fields.left,
            fields.name,
            fields.operator,
            fields.parameters,
            fields.right,
            fields.update,
            fields.value,
        ];
        assert!(all.iter().all(|id| *id != 0), "{all:?}");
    }
}

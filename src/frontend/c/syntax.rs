//! Small, panic-free helpers over tree-sitter nodes.

use std::sync::OnceLock;

use tree_sitter::Node;

use crate::ir::Span;

macro_rules! kinds {
    ($($variant:ident = $name:literal,)*) => {
        /// The node kinds the lowering tells apart; every other kind is `Other`.
        #[derive(Clone, Copy, PartialEq, Eq, Debug)]
        pub(super) enum Kind {
            $($variant,)*
            Other,
        }

        impl Kind {
            fn named(name: &str) -> Kind {
                match name {
                    $($name => Kind::$variant,)*
                    _ => Kind::Other,
                }
            }
        }
    };
}

kinds! {
    AlignofExpression = "alignof_expression",
    AssignmentExpression = "assignment_expression",
    AttributedStatement = "attributed_statement",
    BinaryExpression = "binary_expression",
    BreakStatement = "break_statement",
    CallExpression = "call_expression",
    CaseStatement = "case_statement",
    CastExpression = "cast_expression",
    CharLiteral = "char_literal",
    CommaExpression = "comma_expression",
    Comment = "comment",
    CompoundLiteralExpression = "compound_literal_expression",
    CompoundStatement = "compound_statement",
    ConcatenatedString = "concatenated_string",
    ConditionalExpression = "conditional_expression",
    ContinueStatement = "continue_statement",
    Declaration = "declaration",
    DeclarationList = "declaration_list",
    DoStatement = "do_statement",
    Error = "ERROR",
    ExpressionStatement = "expression_statement",
    False = "false",
    FieldDesignator = "field_designator",
    FieldExpression = "field_expression",
    FieldIdentifier = "field_identifier",
    ForStatement = "for_statement",
    FunctionDeclarator = "function_declarator",
    FunctionDefinition = "function_definition",
    GotoStatement = "goto_statement",
    Identifier = "identifier",
    IfStatement = "if_statement",
    InitDeclarator = "init_declarator",
    InitializerList = "initializer_list",
    InitializerPair = "initializer_pair",
    LabeledStatement = "labeled_statement",
    LinkageSpecification = "linkage_specification",
    Null = "null",
    NumberLiteral = "number_literal",
    OffsetofExpression = "offsetof_expression",
    ParameterDeclaration = "parameter_declaration",
    ParenthesizedExpression = "parenthesized_expression",
    PointerDeclarator = "pointer_declarator",
    PointerExpression = "pointer_expression",
    PreprocElif = "preproc_elif",
    PreprocElifdef = "preproc_elifdef",
    PreprocElse = "preproc_else",
    PreprocIf = "preproc_if",
    PreprocIfdef = "preproc_ifdef",
    ReturnStatement = "return_statement",
    SizeofExpression = "sizeof_expression",
    StorageClassSpecifier = "storage_class_specifier",
    StringLiteral = "string_literal",
    SubscriptDesignator = "subscript_designator",
    SubscriptExpression = "subscript_expression",
    SwitchStatement = "switch_statement",
    True = "true",
    TypeDescriptor = "type_descriptor",
    TypeIdentifier = "type_identifier",
    UnaryExpression = "unary_expression",
    UpdateExpression = "update_expression",
    WhileStatement = "while_statement",
}

/// Per kind id of the C grammar, its name and its `Kind`, built once.
struct KindTable {
    names: Vec<&'static str>,
    kinds: Vec<Kind>,
}

fn kind_table() -> &'static KindTable {
    static TABLE: OnceLock<KindTable> = OnceLock::new();
    TABLE.get_or_init(|| {
        let language: tree_sitter::Language = tree_sitter_c::LANGUAGE.into();
        let names: Vec<&'static str> = (0..language.node_kind_count())
            .map(|id| {
                u16::try_from(id).ok().and_then(|id| language.node_kind_for_id(id)).unwrap_or("")
            })
            .collect();
        let kinds = names.iter().map(|name| Kind::named(name)).collect();
        KindTable { names, kinds }
    })
}

/// The node's kind. `Node::kind` measures and UTF-8-checks the grammar's C string on every
/// call (2% of the whole pipeline); these look it up by kind id in a table built once, and
/// `syntax_kind` gives an enum to match on rather than a name to compare.
pub(super) trait NodeKind {
    fn kind_name(&self) -> &'static str;
    fn syntax_kind(&self) -> Kind;
}

impl NodeKind for Node<'_> {
    fn kind_name(&self) -> &'static str {
        let names = &kind_table().names;
        names.get(usize::from(self.kind_id())).copied().unwrap_or_else(|| self.kind())
    }

    fn syntax_kind(&self) -> Kind {
        let kinds = &kind_table().kinds;
        kinds.get(usize::from(self.kind_id())).copied().unwrap_or_else(|| Kind::named(self.kind()))
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
    let count = node.named_child_count();
    let mut children = Vec::with_capacity(count);
    for index in 0..count {
        if let Some(child) = node.named_child(index).filter(|child| !is_comment(*child)) {
            children.push(child);
        }
    }
    children
}

/// The first of `named_children`, without taking the others.
pub(super) fn first_named_child(node: Node<'_>) -> Option<Node<'_>> {
    (0..node.named_child_count())
        .filter_map(|index| node.named_child(index))
        .find(|child| !is_comment(*child))
}

fn is_comment(node: Node<'_>) -> bool {
    node.syntax_kind() == Kind::Comment
}

/// Named, non-comment children other than `skipped` (the values of fields such as a
/// `case`'s value or an `#ifdef`'s name, each one node), so the statements of the body.
/// By index like `named_children`: a cursor asking each child its field costs more.
pub(super) fn named_children_except<'t>(
    node: Node<'t>,
    skipped: &[Option<Node<'t>>],
) -> Vec<Node<'t>> {
    let mut children = named_children(node);
    children.retain(|child| !skipped.contains(&Some(*child)));
    children
}

/// What a declaration declares: its declarators in order, or `None` when it is `extern`
/// (it names a global, no local of this function).
pub(super) fn declarators<'t>(node: Node<'t>, text: &str) -> Option<Vec<Node<'t>>> {
    let is_extern = |child: &Node<'_>| {
        child.syntax_kind() == Kind::StorageClassSpecifier && text_of(*child, text) == "extern"
    };
    let children = named_children(node);
    match (node.child_by_field_id(fields().declarator), children.split_last()) {
        // The usual `int x = 1;`: one declarator, after the specifiers and the type.
        (Some(first), Some((last, specifiers))) if first == *last => {
            (!specifiers.iter().any(is_extern)).then(|| vec![first])
        }
        _ => declarators_by_cursor(node, text),
    }
}

/// `declarators` by asking every child its field: for several declarators, or none.
pub(super) fn declarators_by_cursor<'t>(node: Node<'t>, text: &str) -> Option<Vec<Node<'t>>> {
    let mut declarators = Vec::new();
    let mut cursor = node.walk();
    let mut more = cursor.goto_first_child();
    while more {
        let child = cursor.node();
        if cursor.field_id().map(u16::from) == Some(fields().declarator) {
            declarators.push(child);
        } else if child.syntax_kind() == Kind::StorageClassSpecifier
            && text_of(child, text) == "extern"
        {
            return None;
        }
        more = cursor.goto_next_sibling();
    }
    Some(declarators)
}

/// The single meaningful child of a parenthesized expression, if it has exactly one.
fn paren_inner(node: Node<'_>) -> Option<Node<'_>> {
    if node.syntax_kind() != Kind::ParenthesizedExpression {
        return None;
    }
    paren_contents(node)
}

/// `paren_inner` of a node already known to be a parenthesized expression.
fn paren_contents(node: Node<'_>) -> Option<Node<'_>> {
    // The usual `(e)` without comments, without collecting the children.
    if node.named_child_count() == 1 {
        return node.named_child(0).filter(|inner| !is_comment(*inner));
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
        let inner = match node.syntax_kind() {
            Kind::ParenthesizedExpression => paren_contents(node),
            Kind::CastExpression => node.child_by_field_id(fields().value),
            _ => None,
        };
        match inner {
            Some(inner) => node = inner,
            None => return node,
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
        match node.syntax_kind() {
            Kind::Identifier | Kind::FieldIdentifier | Kind::TypeIdentifier => {
                let declares_function = function.is_some() && !pointer_since_function;
                return DeclaratorParts { name: Some(node), function, declares_function };
            }
            Kind::FunctionDeclarator => {
                function = Some(node);
                pointer_since_function = false;
            }
            Kind::PointerDeclarator => pointer_since_function = true,
            _ => {}
        }
        let next = node
            .child_by_field_id(fields().declarator)
            .or_else(|| {
                named_children(node).into_iter().find(|c| c.kind_name().ends_with("declarator"))
            })
            .or_else(|| {
                named_children(node).into_iter().find(|c| c.syntax_kind() == Kind::Identifier)
            });
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

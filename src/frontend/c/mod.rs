//! The C frontend: tree-sitter-c syntax tree to IR.
//!
//! No preprocessor runs: `#if`/`#ifdef` at file level are walked into for the functions they
//! hold, inside a body they are branches on an unknown condition, and macro uses are read as
//! whatever tree-sitter makes of them (usually calls). Errors in the tree are recorded and
//! lowering carries on around them.
//!
//! Layout: `mod.rs` finds functions; `builder` holds one function's blocks and locals;
//! `stmt` and `switch` lower statements, `cond` conditions, `expr` expressions; `errors`
//! collects syntax errors; `syntax` and `literals` are helpers; `incremental` lowers a text
//! after an edit from tree-sitter's incremental reparse, keeping the functions it left alone.

mod builder;
mod cond;
mod errors;
mod expr;
mod incremental;
mod literals;
mod stmt;
mod switch;
mod syntax;
#[cfg(test)]
mod tests;

use tree_sitter::{Node, Parser, Tree};

use super::KeepFunction;
use crate::ir::{Function, LoweredFile, Span, SyntaxError};

pub use incremental::CParse;

use builder::FnBuilder;
use syntax::{
    declarator_parts, fields, named_children, span_of, text_of, DeclaratorParts, Kind, NodeKind,
};

/// How deep top-level `#if` nesting is followed looking for functions.
const MAX_FILE_NESTING: usize = 64;

pub fn lower(text: &str) -> LoweredFile {
    lower_only(text, &|_, _| true)
}

/// `lower`, with only the functions `keep` keeps.
pub fn lower_only(text: &str, keep: KeepFunction<'_>) -> LoweredFile {
    match parse(text) {
        Some(tree) => lower_tree_keeping(&tree, text, keep).0,
        None => unparsed(text),
    }
}

/// What a text tree-sitter gave up on lowers to.
fn unparsed(text: &str) -> LoweredFile {
    let error = SyntaxError { span: Span::new(0, text.len()), message: "cannot parse".to_string() };
    LoweredFile { errors: vec![error], ..LoweredFile::default() }
}

/// The file's IR from its tree, and the errors each function's lowering met (nesting too
/// deep), apart, so that a function kept across an edit keeps its own.
fn lower_tree(tree: &Tree, text: &str) -> (LoweredFile, Vec<Vec<SyntaxError>>) {
    lower_tree_keeping(tree, text, &|_, _| true)
}

fn lower_tree_keeping(
    tree: &Tree,
    text: &str,
    keep: KeepFunction<'_>,
) -> (LoweredFile, Vec<Vec<SyntaxError>>) {
    let root = tree.root_node();
    let mut file = LoweredFile::default();
    let mut function_errors = Vec::new();
    for definition in function_definitions(root) {
        let parts = declarator_of(definition);
        if !keep(name_of(parts.as_ref(), text), span_of(definition)) {
            continue;
        }
        let (function, errors) = lower_declared(definition, parts, text);
        file.functions.push(function);
        function_errors.push(errors);
    }
    file.errors = all_errors(root, &function_errors);
    (file, function_errors)
}

/// The tree's syntax errors, then the functions', by place (ties keep that order).
fn all_errors(root: Node<'_>, function_errors: &[Vec<SyntaxError>]) -> Vec<SyntaxError> {
    let mut errors = errors::syntax_errors(root);
    errors.extend(function_errors.iter().flatten().cloned());
    errors.sort_by_key(|error| (error.span.start, error.span.end));
    errors
}

/// The syntax tree `lower` reads; `None` only if tree-sitter gives up (cancelled, no language).
/// Public so the benchmark times exactly this parse.
pub fn parse(text: &str) -> Option<Tree> {
    let mut parser = Parser::new();
    parser.set_language(&tree_sitter_c::LANGUAGE.into()).ok()?;
    parser.parse(text, None)
}

/// Function definitions at file level, including those inside top-level `#if` blocks,
/// `extern "C" { }` lists and the `ERROR` nodes tree-sitter wraps around broken code.
fn function_definitions(root: Node<'_>) -> Vec<Node<'_>> {
    let mut found = Vec::new();
    let mut pending = vec![(root, 0)];
    while let Some((node, depth)) = pending.pop() {
        // Children are pushed in reverse so the stack pops them in source order.
        for child in named_children(node).into_iter().rev() {
            match child.syntax_kind() {
                Kind::FunctionDefinition => found.push(child),
                Kind::PreprocIf
                | Kind::PreprocIfdef
                | Kind::PreprocElse
                | Kind::PreprocElif
                | Kind::PreprocElifdef
                | Kind::LinkageSpecification
                | Kind::DeclarationList
                | Kind::Error
                    if depth < MAX_FILE_NESTING =>
                {
                    pending.push((child, depth + 1));
                }
                _ => {}
            }
        }
    }
    found.sort_by_key(|node| node.start_byte());
    found
}

/// What a definition's declarator holds: its name and parameters.
fn declarator_of(definition: Node<'_>) -> Option<DeclaratorParts<'_>> {
    definition.child_by_field_id(fields().declarator).map(declarator_parts)
}

/// A definition's name (empty when its declarator has none).
fn name_of<'t>(parts: Option<&DeclaratorParts<'_>>, text: &'t str) -> &'t str {
    parts.and_then(|parts| parts.name).map_or("", |node| text_of(node, text))
}

fn lower_function(definition: Node<'_>, text: &str) -> (Function, Vec<SyntaxError>) {
    lower_declared(definition, declarator_of(definition), text)
}

/// `lower_function`, its declarator already read.
fn lower_declared<'t>(
    definition: Node<'t>,
    parts: Option<DeclaratorParts<'t>>,
    text: &str,
) -> (Function, Vec<SyntaxError>) {
    let name_node = parts.as_ref().and_then(|parts| parts.name);
    let name = name_of(parts.as_ref(), text).to_string();
    let name_span = name_node.map_or_else(|| span_of(definition), span_of);
    let body = definition.child_by_field_id(fields().body);

    let mut builder = FnBuilder::new(text, body.map_or_else(|| span_of(definition), span_of));
    if let Some(function) = parts.and_then(|parts| parts.function) {
        declare_params(&mut builder, function, text);
    }
    if let Some(body) = body {
        builder.block(body);
    }
    builder.fall_off_end(closing_brace(body, definition, text));
    builder.finish(name, span_of(definition), name_span)
}

/// Every named parameter of the function declarator, in order (`void`, unnamed and `...`
/// parameters declare nothing; K&R identifier lists do).
fn declare_params<'a>(builder: &mut FnBuilder<'a>, function: Node<'_>, text: &'a str) {
    let Some(list) = function.child_by_field_id(fields().parameters) else { return };
    for param in named_children(list) {
        let name = match param.syntax_kind() {
            Kind::Identifier => Some(param),
            Kind::ParameterDeclaration => {
                param.child_by_field_id(fields().declarator).and_then(|d| declarator_parts(d).name)
            }
            _ => None,
        };
        if let Some(name) = name {
            builder.declare_param(text_of(name, text), span_of(name));
        }
    }
}

/// The body's `}`, where falling off the end returns; the end of the definition if the
/// brace is missing.
fn closing_brace(body: Option<Node<'_>>, definition: Node<'_>, text: &str) -> Span {
    let end = body.unwrap_or(definition).end_byte();
    let start = end.saturating_sub(1);
    if text.get(start..end) == Some("}") {
        Span::new(start, end)
    } else {
        Span::new(end, end)
    }
}

//! Cheap spans of expressions. `Spanned::span` prints the whole expression to tokens, which
//! is linear in its size; taken at every level of a long method chain that is quadratic. The
//! common postfix shapes know their last token, and their first token is found by walking
//! down the left edge without allocating.

use syn::Expr;

use crate::ir::Span;

use super::{span_of, to_span};

pub(super) fn expr_span(expr: &Expr) -> Span {
    if let Some(span) = compound_span(expr) {
        return span;
    }
    match (leftmost_start(expr), last_token_end(expr)) {
        (Some(start), Some(end)) if start <= end => Span::new(start, end),
        _ => span_of(expr),
    }
}

/// Where the expression starts, for expressions whose first token is their left operand's.
fn leftmost_start(mut expr: &Expr) -> Option<usize> {
    loop {
        expr = match expr {
            Expr::MethodCall(call) if call.attrs.is_empty() => &call.receiver,
            Expr::Call(call) if call.attrs.is_empty() => &call.func,
            Expr::Field(field) if field.attrs.is_empty() => &field.base,
            Expr::Index(index) if index.attrs.is_empty() => &index.expr,
            Expr::Try(expr_try) if expr_try.attrs.is_empty() => &expr_try.expr,
            Expr::Await(await_expr) if await_expr.attrs.is_empty() => &await_expr.base,
            Expr::Binary(binary) if binary.attrs.is_empty() => &binary.left,
            Expr::Cast(cast) if cast.attrs.is_empty() => &cast.expr,
            Expr::Paren(paren) if paren.attrs.is_empty() => {
                return Some(to_span(paren.paren_token.span.open()).start)
            }
            Expr::Path(path) if path.attrs.is_empty() && path.qself.is_none() => {
                return Some(span_of(&path.path).start)
            }
            Expr::Lit(lit) if lit.attrs.is_empty() => return Some(span_of(&lit.lit).start),
            _ => return None,
        }
    }
}

/// Where the expression ends, for shapes that end in a token of their own.
fn last_token_end(expr: &Expr) -> Option<usize> {
    let span = match expr {
        Expr::MethodCall(call) => call.paren_token.span.close(),
        Expr::Call(call) => call.paren_token.span.close(),
        Expr::Index(index) => index.bracket_token.span.close(),
        Expr::Try(expr_try) => expr_try.question_token.span,
        Expr::Await(await_expr) => await_expr.await_token.span,
        Expr::Paren(paren) => paren.paren_token.span.close(),
        Expr::Field(field) => return Some(span_of(&field.member).end),
        Expr::Path(path) => return Some(span_of(&path.path).end),
        Expr::Lit(lit) => return Some(span_of(&lit.lit).end),
        _ => return None,
    };
    Some(to_span(span).end)
}

/// A block's span, from its braces: `Spanned::span` would print the whole body.
pub(super) fn block_span(block: &syn::Block) -> Span {
    to_span(block.brace_token.span.join())
}

/// The span of an expression that ends in a block (`if`, `match`, loops, blocks), from its
/// first token to its closing brace; `None` for other shapes or when attributes lead.
pub(super) fn compound_span(expr: &Expr) -> Option<Span> {
    match expr {
        Expr::Block(block) if block.attrs.is_empty() => {
            let body = block_span(&block.block);
            between(label_start(block.label.as_ref()).unwrap_or(body.start), body.end)
        }
        Expr::If(expr_if) => if_span(expr_if),
        Expr::Match(expr_match) => match_span(expr_match),
        Expr::Loop(expr_loop) => loop_span(expr_loop),
        Expr::While(expr_while) => while_span(expr_while),
        Expr::ForLoop(expr_for) => for_span(expr_for),
        _ => None,
    }
}

pub(super) fn match_span(expr: &syn::ExprMatch) -> Option<Span> {
    let start = to_span(expr.match_token.span).start;
    let end = to_span(expr.brace_token.span.close()).end;
    expr.attrs.is_empty().then(|| between(start, end)).flatten()
}

pub(super) fn loop_span(expr: &syn::ExprLoop) -> Option<Span> {
    let start = label_start(expr.label.as_ref()).unwrap_or(to_span(expr.loop_token.span).start);
    expr.attrs.is_empty().then(|| between(start, block_span(&expr.body).end)).flatten()
}

pub(super) fn while_span(expr: &syn::ExprWhile) -> Option<Span> {
    let start = label_start(expr.label.as_ref()).unwrap_or(to_span(expr.while_token.span).start);
    expr.attrs.is_empty().then(|| between(start, block_span(&expr.body).end)).flatten()
}

pub(super) fn for_span(expr: &syn::ExprForLoop) -> Option<Span> {
    let start = label_start(expr.label.as_ref()).unwrap_or(to_span(expr.for_token.span).start);
    expr.attrs.is_empty().then(|| between(start, block_span(&expr.body).end)).flatten()
}

fn between(start: usize, end: usize) -> Option<Span> {
    (start <= end).then(|| Span::new(start, end))
}

/// An `if`'s span: to the end of its last `else` branch.
pub(super) fn if_span(expr_if: &syn::ExprIf) -> Option<Span> {
    if !expr_if.attrs.is_empty() {
        return None;
    }
    let start = to_span(expr_if.if_token.span).start;
    let end = match &expr_if.else_branch {
        None => block_span(&expr_if.then_branch).end,
        Some((_, else_expr)) => compound_span(else_expr)?.end,
    };
    between(start, end)
}

fn label_start(label: Option<&syn::Label>) -> Option<usize> {
    label.map(|label| to_span(label.name.apostrophe).start)
}

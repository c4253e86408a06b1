//! Cheap spans of expressions. `Spanned::span` prints the whole expression to tokens, which
//! is linear in its size; taken at every level of a long method chain that is quadratic. The
//! common postfix shapes know their last token, and their first token is found by walking
//! down the left edge without allocating.

use syn::Expr;

use crate::ir::Span;

use super::{span_of, to_span};

pub(super) fn expr_span(expr: &Expr) -> Span {
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

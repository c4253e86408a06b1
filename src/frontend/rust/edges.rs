//! The first and last token of a syntax node, read off the tree. `Spanned::span` joins
//! exactly these two, but finds them by printing the whole node to a token stream (quadratic
//! down a long chain, and a heap allocation per token). `None` for shapes that are rare or
//! that syn prints with tokens of its own (outer attributes, qualified paths, verbatim
//! tokens, closures with a return type): the caller then asks `Spanned::span`.
//! A test (`tests/edges.rs`) checks that both agree on every node of the fixtures.

use proc_macro2::Span as TokenSpan;
use syn::{Expr, Pat, Path, PathArguments, RangeLimits, ReturnType, Type, UnOp};

use super::punctuated;

pub(super) fn expr_first(mut expr: &Expr) -> Option<TokenSpan> {
    loop {
        if has_attrs(expr) {
            return None;
        }
        expr = match expr {
            Expr::Assign(e) => &e.left,
            Expr::Await(e) => &e.base,
            Expr::Binary(e) => &e.left,
            Expr::Call(e) => &e.func,
            Expr::Cast(e) => &e.expr,
            Expr::Field(e) => &e.base,
            Expr::Index(e) => &e.expr,
            Expr::MethodCall(e) => &e.receiver,
            Expr::Try(e) => &e.expr,
            Expr::Range(e) => match &e.start {
                Some(start) => start,
                None => return Some(range_limits(&e.limits).0),
            },
            _ => return own_first(expr),
        };
    }
}

/// The first token of an expression that does not start with a subexpression.
fn own_first(expr: &Expr) -> Option<TokenSpan> {
    Some(match expr {
        Expr::Array(e) => e.bracket_token.span.open(),
        Expr::Async(e) => e.async_token.span,
        Expr::Block(e) => match &e.label {
            Some(label) => label.name.apostrophe,
            None => e.block.brace_token.span.open(),
        },
        Expr::Break(e) => e.break_token.span,
        Expr::Closure(e) => closure_first(e),
        Expr::Const(e) => e.const_token.span,
        Expr::Continue(e) => e.continue_token.span,
        Expr::ForLoop(e) => e.label.as_ref().map_or(e.for_token.span, |l| l.name.apostrophe),
        Expr::If(e) => e.if_token.span,
        Expr::Infer(e) => e.underscore_token.spans[0],
        Expr::Let(e) => e.let_token.span,
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e.label.as_ref().map_or(e.loop_token.span, |l| l.name.apostrophe),
        Expr::Macro(e) => path_first(&e.mac.path)?,
        Expr::Match(e) => e.match_token.span,
        Expr::Paren(e) => e.paren_token.span.open(),
        Expr::Path(e) if e.qself.is_none() => path_first(&e.path)?,
        Expr::RawAddr(e) => e.and_token.spans[0],
        Expr::Reference(e) => e.and_token.spans[0],
        Expr::Repeat(e) => e.bracket_token.span.open(),
        Expr::Return(e) => e.return_token.span,
        Expr::Struct(e) if e.qself.is_none() => path_first(&e.path)?,
        Expr::TryBlock(e) => e.try_token.span,
        Expr::Tuple(e) => e.paren_token.span.open(),
        Expr::Unary(e) => unary_op(&e.op)?,
        Expr::Unsafe(e) => e.unsafe_token.span,
        Expr::While(e) => e.label.as_ref().map_or(e.while_token.span, |l| l.name.apostrophe),
        Expr::Yield(e) => e.yield_token.span,
        _ => return None,
    })
}

pub(super) fn expr_last(mut expr: &Expr) -> Option<TokenSpan> {
    loop {
        if has_attrs(expr) {
            return None;
        }
        expr = match expr {
            Expr::Assign(e) => &e.right,
            Expr::Binary(e) => &e.right,
            Expr::Let(e) => &e.expr,
            Expr::RawAddr(e) => &e.expr,
            Expr::Reference(e) => &e.expr,
            Expr::Unary(e) => &e.expr,
            Expr::Break(e) => match (&e.expr, &e.label) {
                (Some(value), _) => value,
                (None, Some(label)) => return Some(label.ident.span()),
                (None, None) => return Some(e.break_token.span),
            },
            Expr::Range(e) => match &e.end {
                Some(end) => end,
                None => return Some(range_limits(&e.limits).1),
            },
            Expr::Return(e) => match &e.expr {
                Some(value) => value,
                None => return Some(e.return_token.span),
            },
            Expr::Yield(e) => match &e.expr {
                Some(value) => value,
                None => return Some(e.yield_token.span),
            },
            Expr::Closure(e) => match (&e.output, &*e.body) {
                (ReturnType::Default, body) => body,
                (_, Expr::Block(block)) if block.attrs.is_empty() && block.label.is_none() => {
                    &e.body
                }
                // syn wraps such a body in braces of its own.
                _ => return None,
            },
            _ => return own_last(expr),
        };
    }
}

/// The last token of an expression that does not end with a subexpression.
fn own_last(expr: &Expr) -> Option<TokenSpan> {
    Some(match expr {
        Expr::Array(e) => e.bracket_token.span.close(),
        Expr::Async(e) => e.block.brace_token.span.close(),
        Expr::Await(e) => e.await_token.span,
        Expr::Block(e) => e.block.brace_token.span.close(),
        Expr::Call(e) => e.paren_token.span.close(),
        Expr::Cast(e) => type_last(&e.ty)?,
        Expr::Const(e) => e.block.brace_token.span.close(),
        Expr::Continue(e) => e.label.as_ref().map_or(e.continue_token.span, |l| l.ident.span()),
        Expr::Field(e) => match &e.member {
            syn::Member::Named(ident) => ident.span(),
            syn::Member::Unnamed(index) => index.span,
        },
        Expr::ForLoop(e) => e.body.brace_token.span.close(),
        Expr::If(e) => if_last(e)?,
        Expr::Index(e) => e.bracket_token.span.close(),
        Expr::Infer(e) => e.underscore_token.spans[0],
        Expr::Lit(e) => e.lit.span(),
        Expr::Loop(e) => e.body.brace_token.span.close(),
        Expr::Macro(e) => macro_last(&e.mac),
        Expr::Match(e) => e.brace_token.span.close(),
        Expr::MethodCall(e) => e.paren_token.span.close(),
        Expr::Paren(e) => e.paren_token.span.close(),
        Expr::Path(e) if e.qself.is_none() => path_last(&e.path)?,
        Expr::Repeat(e) => e.bracket_token.span.close(),
        Expr::Struct(e) => e.brace_token.span.close(),
        Expr::Try(e) => e.question_token.spans[0],
        Expr::TryBlock(e) => e.block.brace_token.span.close(),
        Expr::Tuple(e) => e.paren_token.span.close(),
        Expr::Unsafe(e) => e.block.brace_token.span.close(),
        Expr::While(e) => e.body.brace_token.span.close(),
        _ => return None,
    })
}

/// The end of an `if` chain: the closing brace of its last branch.
pub(super) fn if_last(mut expr_if: &syn::ExprIf) -> Option<TokenSpan> {
    loop {
        match expr_if.else_branch.as_ref().map(|(_, branch)| &**branch) {
            None => return Some(expr_if.then_branch.brace_token.span.close()),
            Some(Expr::If(next)) if next.attrs.is_empty() => expr_if = next,
            Some(Expr::Block(last)) if last.attrs.is_empty() => {
                return Some(last.block.brace_token.span.close())
            }
            Some(_) => return None,
        }
    }
}

fn closure_first(closure: &syn::ExprClosure) -> TokenSpan {
    if let Some(lifetimes) = &closure.lifetimes {
        return lifetimes.for_token.span;
    }
    let keywords = [
        closure.constness.as_ref().map(|token| token.span),
        closure.movability.as_ref().map(|token| token.span),
        closure.asyncness.as_ref().map(|token| token.span),
        closure.capture.as_ref().map(|token| token.span),
    ];
    keywords.into_iter().flatten().next().unwrap_or(closure.or1_token.spans[0])
}

fn has_attrs(expr: &Expr) -> bool {
    let attrs = match expr {
        Expr::Array(e) => &e.attrs,
        Expr::Assign(e) => &e.attrs,
        Expr::Async(e) => &e.attrs,
        Expr::Await(e) => &e.attrs,
        Expr::Binary(e) => &e.attrs,
        Expr::Block(e) => &e.attrs,
        Expr::Break(e) => &e.attrs,
        Expr::Call(e) => &e.attrs,
        Expr::Cast(e) => &e.attrs,
        Expr::Closure(e) => &e.attrs,
        Expr::Const(e) => &e.attrs,
        Expr::Continue(e) => &e.attrs,
        Expr::Field(e) => &e.attrs,
        Expr::ForLoop(e) => &e.attrs,
        Expr::Group(e) => &e.attrs,
        Expr::If(e) => &e.attrs,
        Expr::Index(e) => &e.attrs,
        Expr::Infer(e) => &e.attrs,
        Expr::Let(e) => &e.attrs,
        Expr::Lit(e) => &e.attrs,
        Expr::Loop(e) => &e.attrs,
        Expr::Macro(e) => &e.attrs,
        Expr::Match(e) => &e.attrs,
        Expr::MethodCall(e) => &e.attrs,
        Expr::Paren(e) => &e.attrs,
        Expr::Path(e) => &e.attrs,
        Expr::Range(e) => &e.attrs,
        Expr::RawAddr(e) => &e.attrs,
        Expr::Reference(e) => &e.attrs,
        Expr::Repeat(e) => &e.attrs,
        Expr::Return(e) => &e.attrs,
        Expr::Struct(e) => &e.attrs,
        Expr::Try(e) => &e.attrs,
        Expr::TryBlock(e) => &e.attrs,
        Expr::Tuple(e) => &e.attrs,
        Expr::Unary(e) => &e.attrs,
        Expr::Unsafe(e) => &e.attrs,
        Expr::While(e) => &e.attrs,
        Expr::Yield(e) => &e.attrs,
        // Verbatim tokens and future variants: let `Spanned` decide.
        _ => return true,
    };
    !attrs.is_empty()
}

fn unary_op(op: &UnOp) -> Option<TokenSpan> {
    match op {
        UnOp::Deref(star) => Some(star.spans[0]),
        UnOp::Not(bang) => Some(bang.spans[0]),
        UnOp::Neg(minus) => Some(minus.spans[0]),
        _ => None,
    }
}

/// The first and last character of `..` or `..=`.
fn range_limits(limits: &RangeLimits) -> (TokenSpan, TokenSpan) {
    match limits {
        RangeLimits::HalfOpen(dots) => (dots.spans[0], dots.spans[1]),
        RangeLimits::Closed(dots) => (dots.spans[0], dots.spans[2]),
    }
}

pub(super) fn macro_last(mac: &syn::Macro) -> TokenSpan {
    match &mac.delimiter {
        syn::MacroDelimiter::Paren(paren) => paren.span.close(),
        syn::MacroDelimiter::Brace(brace) => brace.span.close(),
        syn::MacroDelimiter::Bracket(bracket) => bracket.span.close(),
    }
}

pub(super) fn path_first(path: &Path) -> Option<TokenSpan> {
    match (&path.leading_colon, punctuated::first(&path.segments)) {
        (Some(colons), _) => Some(colons.spans[0]),
        (None, Some(segment)) => Some(segment.ident.span()),
        (None, None) => None,
    }
}

pub(super) fn path_last(path: &Path) -> Option<TokenSpan> {
    if path.segments.trailing_punct() {
        return None;
    }
    let segment = punctuated::last(&path.segments)?;
    match &segment.arguments {
        PathArguments::None => Some(segment.ident.span()),
        PathArguments::AngleBracketed(arguments) => Some(arguments.gt_token.spans[0]),
        PathArguments::Parenthesized(arguments) => match &arguments.output {
            ReturnType::Default => Some(arguments.paren_token.span.close()),
            ReturnType::Type(_, ty) => type_last(ty),
        },
    }
}

fn type_last(ty: &Type) -> Option<TokenSpan> {
    match ty {
        Type::Path(path) if path.qself.is_none() => path_last(&path.path),
        Type::Reference(reference) => type_last(&reference.elem),
        Type::Ptr(pointer) => type_last(&pointer.elem),
        Type::Slice(slice) => Some(slice.bracket_token.span.close()),
        Type::Array(array) => Some(array.bracket_token.span.close()),
        Type::Tuple(tuple) => Some(tuple.paren_token.span.close()),
        Type::Paren(paren) => Some(paren.paren_token.span.close()),
        Type::Never(never) => Some(never.bang_token.spans[0]),
        Type::Infer(infer) => Some(infer.underscore_token.spans[0]),
        _ => None,
    }
}

pub(super) fn pat_first(pat: &Pat) -> Option<TokenSpan> {
    if pat_has_attrs(pat) {
        return None;
    }
    Some(match pat {
        Pat::Ident(ident) => match (&ident.by_ref, &ident.mutability) {
            (Some(by_ref), _) => by_ref.span,
            (None, Some(mutability)) => mutability.span,
            (None, None) => ident.ident.span(),
        },
        Pat::Lit(lit) => lit.lit.span(),
        Pat::Or(or) => match &or.leading_vert {
            Some(vert) => vert.spans[0],
            None => pat_first(punctuated::first(&or.cases)?)?,
        },
        Pat::Paren(paren) => paren.paren_token.span.open(),
        Pat::Path(path) if path.qself.is_none() => path_first(&path.path)?,
        Pat::Reference(reference) => reference.and_token.spans[0],
        Pat::Rest(rest) => rest.dot2_token.spans[0],
        Pat::Slice(slice) => slice.bracket_token.span.open(),
        Pat::Struct(record) if record.qself.is_none() => path_first(&record.path)?,
        Pat::Tuple(tuple) => tuple.paren_token.span.open(),
        Pat::TupleStruct(tuple) if tuple.qself.is_none() => path_first(&tuple.path)?,
        Pat::Type(typed) => pat_first(&typed.pat)?,
        Pat::Wild(wild) => wild.underscore_token.spans[0],
        _ => return None,
    })
}

pub(super) fn pat_last(pat: &Pat) -> Option<TokenSpan> {
    if pat_has_attrs(pat) {
        return None;
    }
    match pat {
        Pat::Ident(ident) => match &ident.subpat {
            Some((_, subpattern)) => pat_last(subpattern),
            None => Some(ident.ident.span()),
        },
        Pat::Lit(lit) => Some(lit.lit.span()),
        Pat::Or(or) if !or.cases.trailing_punct() => pat_last(punctuated::last(&or.cases)?),
        Pat::Paren(paren) => Some(paren.paren_token.span.close()),
        Pat::Path(path) if path.qself.is_none() => path_last(&path.path),
        Pat::Reference(reference) => pat_last(&reference.pat),
        Pat::Rest(rest) => Some(rest.dot2_token.spans[1]),
        Pat::Slice(slice) => Some(slice.bracket_token.span.close()),
        Pat::Struct(record) => Some(record.brace_token.span.close()),
        Pat::Tuple(tuple) => Some(tuple.paren_token.span.close()),
        Pat::TupleStruct(tuple) => Some(tuple.paren_token.span.close()),
        Pat::Type(typed) => type_last(&typed.ty),
        Pat::Wild(wild) => Some(wild.underscore_token.spans[0]),
        _ => None,
    }
}

fn pat_has_attrs(pat: &Pat) -> bool {
    let attrs = match pat {
        Pat::Ident(p) => &p.attrs,
        Pat::Lit(p) => &p.attrs,
        Pat::Or(p) => &p.attrs,
        Pat::Paren(p) => &p.attrs,
        Pat::Path(p) => &p.attrs,
        Pat::Reference(p) => &p.attrs,
        Pat::Rest(p) => &p.attrs,
        Pat::Slice(p) => &p.attrs,
        Pat::Struct(p) => &p.attrs,
        Pat::Tuple(p) => &p.attrs,
        Pat::TupleStruct(p) => &p.attrs,
        Pat::Type(p) => &p.attrs,
        Pat::Wild(p) => &p.attrs,
        _ => return true,
    };
    !attrs.is_empty()
}

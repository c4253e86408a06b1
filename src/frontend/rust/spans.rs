//! Byte spans of syntax nodes, from their first and last token (`edges`): one line-table
//! lookup for the start, one for the end. `Spanned::span` is the fallback for the shapes
//! `edges` leaves to it.

use proc_macro2::Span as TokenSpan;
use syn::{Expr, Pat, Path};

use crate::ir::Span;

use super::edges::{expr_first, expr_last, macro_last, pat_first, pat_last};
use super::edges::{path_first, path_last};
use super::{offsets, span_of};

pub(super) fn expr_span(expr: &Expr) -> Span {
    let ends = expr_first(expr).zip(expr_last(expr));
    ends.and_then(|(first, last)| from_tokens(first, last)).unwrap_or_else(|| span_of(expr))
}

pub(super) fn pat_span(pat: &Pat) -> Span {
    let ends = pat_first(pat).zip(pat_last(pat));
    ends.and_then(|(first, last)| from_tokens(first, last)).unwrap_or_else(|| span_of(pat))
}

pub(super) fn path_span(path: &Path) -> Span {
    let ends = path_first(path).zip(path_last(path));
    ends.and_then(|(first, last)| from_tokens(first, last)).unwrap_or_else(|| span_of(path))
}

/// `let pat = init;` whole.
pub(super) fn local_span(local: &syn::Local) -> Span {
    let ends = local.attrs.is_empty().then_some((local.let_token.span, local.semi_token.spans[0]));
    ends.and_then(|(first, last)| from_tokens(first, last)).unwrap_or_else(|| span_of(local))
}

/// `name!(..);` as a statement, with its `;` if it has one.
pub(super) fn stmt_macro_span(stmt: &syn::StmtMacro) -> Span {
    let last = stmt.semi_token.as_ref().map_or_else(|| macro_last(&stmt.mac), |semi| semi.spans[0]);
    let first = path_first(&stmt.mac.path).filter(|_| stmt.attrs.is_empty());
    first.and_then(|first| from_tokens(first, last)).unwrap_or_else(|| span_of(stmt))
}

/// Where a signature starts: its first qualifier or `fn`.
pub(super) fn signature_start(sig: &syn::Signature) -> usize {
    let qualifiers = [
        sig.constness.as_ref().map(|token| token.span),
        sig.asyncness.as_ref().map(|token| token.span),
        sig.unsafety.as_ref().map(|token| token.span),
        sig.abi.as_ref().map(|abi| abi.extern_token.span),
    ];
    offsets::start(qualifiers.into_iter().flatten().next().unwrap_or(sig.fn_token.span))
}

/// One token's span (an identifier, a keyword).
pub(super) fn token_span(token: TokenSpan) -> Span {
    let range = offsets::byte_range(token);
    Span::new(range.start, range.end)
}

/// A token whose text is known (an identifier as it displays, `r#` included; a closing
/// delimiter): it ends its text's length in bytes after it starts, so one lookup does. The
/// offsets test pins that a token spans exactly its text.
pub(super) fn known_token_span(token: TokenSpan, text: &str) -> Span {
    let start = offsets::start(token);
    Span::new(start, start + text.len())
}

/// A block's span, from its braces.
pub(super) fn block_span(block: &syn::Block) -> Span {
    token_span(block.brace_token.span.join())
}

/// The closing brace of a block spanning `block` (`block_span`): its last byte, found without
/// a lookup (a closing delimiter spans one byte, see `known_token_span`).
pub(super) fn closing_brace(block: Span) -> Span {
    Span::new(block.end.saturating_sub(1), block.end)
}

/// From the start of `first` to the end of `last`, as `Spanned` joins them.
fn from_tokens(first: TokenSpan, last: TokenSpan) -> Option<Span> {
    let range = offsets::from_start_to_end(first, last);
    (range.start <= range.end).then(|| Span::new(range.start, range.end))
}

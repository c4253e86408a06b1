//! The Rust frontend: `syn` syntax tree to IR.
//!
//! Layout:
//! - this file: the entry point, parsing, span conversion and the stack guard;
//! - `imports`: `use` items as an alias → path map, and path resolution;
//! - `items`: which items hold functions (free fns, impl and trait methods, inline modules);
//! - `builder`: the control-flow graph of one function under construction (blocks, locals,
//!   scopes, loops);
//! - `stmt`, `expr`, `control`, `pattern`: lowering of each syntactic category;
//! - `macros`: macro invocations and closures, kept as calls and captured variables.
//!
//! Two guards keep lowering total: every recursive lowering step carries a depth and gives up
//! (with `Operand::Unknown` or by skipping) beyond `MAX_DEPTH`; and parsing plus lowering run
//! on a thread with a large stack, because syn's own recursive-descent parser (and dropping
//! its tree) recurse once per nesting level and would overflow a default stack on
//! pathological input long before our bound applies.

mod builder;
mod control;
mod expr;
mod imports;
mod items;
mod macros;
mod nesting;
mod pattern;
mod spans;
mod stmt;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cell::Cell;

use syn::spanned::Spanned;

use crate::ir::{LoweredFile, Span, SyntaxError};

/// How deep expressions, blocks and patterns are followed before the rest is `Unknown`.
const MAX_DEPTH: u32 = 200;

/// Deeper bracket nesting is refused before parsing: syn's recursion per level is large
/// (a debug build overflowed 256 MiB at 20 000 nested blocks, not at 10 000).
const MAX_NESTING: usize = 8000;

/// Stack for the thread that parses and lowers one file. Only touched pages are committed,
/// so a large reservation costs nothing for ordinary files.
pub const WORKER_STACK_BYTES: usize = 256 * 1024 * 1024;

thread_local! {
    /// Set on threads started with `WORKER_STACK_BYTES` of stack (the driver's worker pool).
    static ON_LARGE_STACK: Cell<bool> = const { Cell::new(false) };
}

/// Declares that the calling thread has `WORKER_STACK_BYTES` of stack: files are then lowered
/// on it directly instead of on a thread spawned for each file.
pub fn mark_large_stack_thread() {
    ON_LARGE_STACK.with(|flag| flag.set(true));
}

/// Lowers one Rust file. Never fails and never panics: unparsable files yield their syntax
/// error and no functions.
pub fn lower(text: &str) -> LoweredFile {
    if ON_LARGE_STACK.with(Cell::get) {
        let outcome = catch_panic(|| lower_on_this_thread(text));
        forget_spans();
        return outcome.unwrap_or_else(internal_error);
    }
    // A fresh thread also gives proc-macro2 a fresh thread-local source map.
    let outcome = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("fdlint-rust-frontend".into())
            .stack_size(WORKER_STACK_BYTES)
            .spawn_scoped(scope, || lower_on_this_thread(text));
        match worker {
            Ok(handle) => handle.join().ok(),
            // No thread to be had: lower here; the depth bound still guards our recursion.
            Err(_) => catch_panic(|| lower_on_this_thread(text)),
        }
    });
    outcome.unwrap_or_else(internal_error)
}

/// Parses like `lower` and drops the tree: the benchmark times exactly this as "parsing".
pub fn parse_only(text: &str) -> bool {
    let parsed = parse_source(text).is_ok();
    forget_spans();
    parsed
}

/// proc-macro2 keeps every text parsed on a thread in a thread-local source map, so spans can
/// be located; once a file's tree is gone, forget it, or a worker's memory grows with every
/// file it parses (and the next file's offsets would not start at 0).
fn forget_spans() {
    proc_macro2::extra::invalidate_current_thread_spans();
}

fn catch_panic(work: impl FnOnce() -> LoweredFile) -> Option<LoweredFile> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(work)).ok()
}

/// A bug in this frontend must not take the whole run down; report it as an error instead.
fn internal_error() -> LoweredFile {
    LoweredFile {
        errors: vec![SyntaxError {
            span: Span::default(),
            message: "internal error in the Rust frontend".into(),
        }],
        ..LoweredFile::default()
    }
}

fn lower_on_this_thread(text: &str) -> LoweredFile {
    if let Some(at) = nesting::too_deep_at(text, MAX_NESTING) {
        let message = format!("brackets nested deeper than {MAX_NESTING} levels; file skipped");
        let error = SyntaxError { span: Span::new(at, at + 1), message };
        return LoweredFile { errors: vec![error], ..LoweredFile::default() };
    }
    match parse_source(text) {
        Ok(file) => items::lower_file(&file),
        Err(error) => LoweredFile { errors: syntax_errors(error), ..LoweredFile::default() },
    }
}

fn syntax_errors(error: syn::Error) -> Vec<SyntaxError> {
    error
        .into_iter()
        .map(|part| SyntaxError { span: to_span(part.span()), message: part.to_string() })
        .collect()
}

/// Parses like `syn::parse_file`, but keeps byte offsets aligned with `text`: `parse_file`
/// cuts off a byte-order mark and a shebang line, which would shift every span. We blank
/// them out with spaces of the same byte length instead.
fn parse_source(text: &str) -> syn::Result<syn::File> {
    syn::parse_str::<syn::File>(&blank_out_preamble(text))
}

fn blank_out_preamble(text: &str) -> Cow<'_, str> {
    const BOM: &str = "\u{feff}";
    let bom_len = if text.starts_with(BOM) { BOM.len() } else { 0 };
    let rest = &text[bom_len..];
    // `#![attr]` is an inner attribute, not a shebang.
    let is_shebang = rest.starts_with("#!") && !rest[2..].trim_start().starts_with('[');
    let shebang_len = if is_shebang { rest.find('\n').unwrap_or(rest.len()) } else { 0 };
    let blank = bom_len + shebang_len;
    if blank == 0 {
        return Cow::Borrowed(text);
    }
    Cow::Owned(format!("{}{}", " ".repeat(blank), &text[blank..]))
}

/// The byte range of a syntax node in this file.
fn span_of<T: Spanned + ?Sized>(node: &T) -> Span {
    to_span(node.span())
}

fn to_span(span: proc_macro2::Span) -> Span {
    let range = span.byte_range();
    Span::new(range.start, range.end)
}

/// A span from the start of `first` to the end of `last`.
fn join_spans(first: Span, last: Span) -> Span {
    Span::new(first.start, last.end.max(first.start))
}

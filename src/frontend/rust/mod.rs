//! The Rust frontend: `syn` syntax tree to IR.
//!
//! Layout:
//! - this file: the entry point, parsing, span conversion and the stack guard;
//! - `imports`: `use` items as an alias → path map, and path resolution;
//! - `items`: which items hold functions (free fns, impl and trait methods, inline modules);
//! - `builder`: the control-flow graph of one function under construction (blocks, locals,
//!   scopes, loops);
//! - `stmt`, `expr`, `control`, `pattern`: lowering of each syntactic category (`paths`:
//!   what a path names);
//! - `spans`, `edges`, `offsets`: byte spans of syntax nodes;
//! - `macros`: macro invocations and closures, kept as calls and captured variables;
//! - `reparse`: lowering the text after an edit by parsing only the items it touched.
//!
//! Two guards keep lowering total: every recursive lowering step carries a depth and gives up
//! (with `Operand::Unknown` or by skipping) beyond `MAX_DEPTH`; and parsing plus lowering run
//! on a thread with a large stack, because syn's own recursive-descent parser (and dropping
//! its tree) recurse once per nesting level and would overflow a default stack on
//! pathological input long before our bound applies.

mod builder;
mod control;
mod edges;
mod expr;
mod imports;
mod items;
mod macros;
mod nesting;
mod offsets;
mod paths;
mod pattern;
mod punctuated;
mod reparse;
mod spans;
mod stmt;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::cell::Cell;

use syn::spanned::Spanned;

use super::KeepFunction;
use crate::ir::{LoweredFile, Span, SyntaxError, TextEdit};

pub use reparse::RustParse;

/// How deep expressions, blocks and patterns are followed before the rest is `Unknown`.
const MAX_DEPTH: u32 = 200;

/// Deeper nesting (as `nesting` estimates it) is refused before parsing: syn's recursion per
/// level is large (a debug build overflowed 256 MiB at 20 000 nested blocks, not at 10 000).
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

/// Lowers one Rust file. Never fails: unparsable files yield their syntax error and no
/// functions. A panic on the worker thread (a bug) is passed on to the caller, whose
/// containment reports it for this file.
pub fn lower(text: &str) -> LoweredFile {
    lower_keeping(text).0
}

/// `lower`, with only the functions `keep` keeps.
pub fn lower_only(text: &str, keep: KeepFunction<'_>) -> LoweredFile {
    on_large_stack(|| lower_on_this_thread(text, keep)).0
}

/// `lower`, keeping what lowering the file's next text after an edit needs (when it parsed).
pub fn lower_keeping(text: &str) -> (LoweredFile, Option<RustParse>) {
    on_large_stack(|| lower_on_this_thread(text, &|_, _| true))
}

/// Lowers `new_text`, the text after `edit`, by parsing again only the items the edit touched
/// (`reparse`); `previous` back when the whole file must be lowered again.
pub fn relower(
    parse: &mut RustParse,
    previous: LoweredFile,
    new_text: &str,
    edit: TextEdit,
) -> Result<(LoweredFile, Vec<Option<usize>>), LoweredFile> {
    on_large_stack(|| parse.relower(previous, new_text, edit))
}

/// Runs `work`, which parses, on a thread with `WORKER_STACK_BYTES` of stack: this one when it
/// has them, else one started for it.
fn on_large_stack<R: Send>(work: impl FnOnce() -> R + Send) -> R {
    if ON_LARGE_STACK.with(Cell::get) {
        let _forget = ForgetSpansOnDrop;
        return work();
    }
    // A fresh thread also gives proc-macro2 a fresh thread-local source map, so span offsets
    // are relative to this file and the map does not grow with every file parsed. The work is
    // taken out of the mutex by whichever thread runs it.
    let work = std::sync::Mutex::new(Some(work));
    let run = || {
        let work = work.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        work.map(|work| work())
    };
    let result = std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .name("fdlint-rust-frontend".into())
            .stack_size(WORKER_STACK_BYTES)
            .spawn_scoped(scope, run);
        match worker {
            Ok(handle) => handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            // No thread to be had: work here; the depth bound still guards our recursion.
            Err(_) => None,
        }
    });
    match result {
        Some(result) => result,
        None => {
            let _forget = ForgetSpansOnDrop;
            run().expect("the work runs once, here when no thread could")
        }
    }
}

/// Parses like `lower` and drops the tree: the benchmark times exactly this as "parsing".
pub fn parse_only(text: &str) -> bool {
    let _forget = ForgetSpansOnDrop;
    parse_source(text).is_ok()
}

/// proc-macro2 keeps every text parsed on a thread in a thread-local source map, so spans can
/// be located; once a file's tree is gone, forget it, or a worker's memory grows with every
/// file it parses (and the next file's offsets would not start at 0). On drop, so that a
/// panic (contained by the driver) does not leave the map behind either.
struct ForgetSpansOnDrop;

impl Drop for ForgetSpansOnDrop {
    fn drop(&mut self) {
        proc_macro2::extra::invalidate_current_thread_spans();
    }
}

fn lower_on_this_thread(text: &str, keep: KeepFunction<'_>) -> (LoweredFile, Option<RustParse>) {
    crate::containment::inject_fault(text, "rust-frontend-thread");
    let _lines = offsets::install(&blank_out_preamble(text));
    match parse_source(text) {
        Ok(file) => {
            let (lowered, parse) = reparse::lower_whole(&file, text.len(), keep);
            (lowered, Some(parse))
        }
        Err(error) => {
            (LoweredFile { errors: syntax_errors(error), ..LoweredFile::default() }, None)
        }
    }
}

/// Lexes, refuses what is nested too deep for syn's recursion, parses.
fn parse_source(text: &str) -> syn::Result<syn::File> {
    let tokens = lex(text)?;
    if let Some(at) = nesting::too_deep_at(&tokens, MAX_NESTING) {
        let message = format!("nested deeper than {MAX_NESTING} levels; file skipped");
        return Err(syn::Error::new(at, message));
    }
    syn::parse2::<syn::File>(tokens)
}

fn syntax_errors(error: syn::Error) -> Vec<SyntaxError> {
    error
        .into_iter()
        .map(|part| SyntaxError { span: to_span(part.span()), message: part.to_string() })
        .collect()
}

/// Lexes like `syn::parse_file`, but keeps byte offsets aligned with `text`: `parse_file`
/// cuts off a byte-order mark and a shebang line, which would shift every span. We blank
/// them out with spaces of the same byte length instead.
fn lex(text: &str) -> syn::Result<proc_macro2::TokenStream> {
    Ok(blank_out_preamble(text).parse::<proc_macro2::TokenStream>()?)
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
    let range = offsets::byte_range(span);
    Span::new(range.start, range.end)
}

/// A span from the start of `first` to the end of `last`.
fn join_spans(first: Span, last: Span) -> Span {
    Span::new(first.start, last.end.max(first.start))
}

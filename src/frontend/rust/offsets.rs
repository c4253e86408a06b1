//! Byte offsets of `proc-macro2` spans, from their line and column. `Span::byte_range` walks
//! characters from the nearest offset it has cached, on every call: about 1,400 instructions a
//! span on the benchmark's corpus, the largest single cost of lowering Rust. A line table of
//! the file being lowered answers the same question with a lookup (and, on a line with
//! non-ASCII text, a walk along that line only).

use std::cell::RefCell;
use std::ops::Range;

use proc_macro2::LineColumn;

thread_local! {
    static LINES: RefCell<Option<Lines>> = const { RefCell::new(None) };
}

/// The file whose spans this thread converts, until the guard is dropped. `text` must be the
/// text the tokens were lexed from, so that columns count the same characters.
pub(super) fn install(text: &str) -> LinesGuard {
    LINES.with(|lines| *lines.borrow_mut() = Some(Lines::new(text)));
    LinesGuard
}

pub(super) struct LinesGuard;

impl Drop for LinesGuard {
    fn drop(&mut self) {
        LINES.with(|lines| *lines.borrow_mut() = None);
    }
}

/// The span's bytes in the installed file (proc-macro2's own answer when none is installed).
pub(super) fn byte_range(span: proc_macro2::Span) -> Range<usize> {
    from_start_to_end(span, span)
}

/// From where `first` starts to where `last` ends, both looked up under one access to the
/// line table (a node's span, from its first and last token).
pub(super) fn from_start_to_end(first: proc_macro2::Span, last: proc_macro2::Span) -> Range<usize> {
    LINES.with(|lines| match lines.borrow().as_ref() {
        Some(lines) => lines.offset(first.start())..lines.offset(last.end()),
        None => first.byte_range().start..last.byte_range().end,
    })
}

/// Where the span starts: one line-and-column lookup where `byte_range` needs two.
pub(super) fn start(span: proc_macro2::Span) -> usize {
    LINES.with(|lines| match lines.borrow().as_ref() {
        Some(lines) => lines.offset(span.start()),
        None => span.byte_range().start,
    })
}

/// Where the span ends.
pub(super) fn end(span: proc_macro2::Span) -> usize {
    LINES.with(|lines| match lines.borrow().as_ref() {
        Some(lines) => lines.offset(span.end()),
        None => span.byte_range().end,
    })
}

struct Lines {
    /// The byte where each line starts.
    starts: Vec<usize>,
    len: usize,
    /// Only for a text with non-ASCII characters, where a column may not be a byte count.
    wide: Option<WideText>,
}

struct WideText {
    text: String,
    /// Whether each line is all ASCII (its columns are then bytes).
    ascii: Vec<bool>,
}

impl Lines {
    /// Newlines found with memchr, and the text kept only when it is not all ASCII: this runs
    /// over every Rust file lowered.
    fn new(text: &str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|at| at + 1));
        let wide = (!text.is_ascii()).then(|| WideText::new(text, &starts));
        Lines { starts, len: text.len(), wide }
    }

    /// Lines count from 1, columns in characters from 0.
    fn offset(&self, at: LineColumn) -> usize {
        let Some(&start) = at.line.checked_sub(1).and_then(|line| self.starts.get(line)) else {
            return 0;
        };
        match &self.wide {
            Some(wide) if !wide.ascii[at.line - 1] => wide.offset(start, at.column),
            _ => (start + at.column).min(self.len),
        }
    }
}

impl WideText {
    fn new(text: &str, starts: &[usize]) -> Self {
        let ascii = (0..starts.len())
            .map(|line| {
                let end = starts.get(line + 1).copied().unwrap_or(text.len());
                text.as_bytes()[starts[line]..end].is_ascii()
            })
            .collect();
        WideText { text: text.to_string(), ascii }
    }

    /// The byte `column` characters after `start`.
    fn offset(&self, start: usize, column: usize) -> usize {
        let mut chars = self.text[start..].char_indices();
        chars.nth(column).map_or(self.text.len(), |(at, _)| start + at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_agree_with_proc_macro2_on_ascii_and_wide_characters() {
        let wide = "fn main() {\n    let é = \"ü→x\"; call(é);\n}\r\nfn next() {}";
        let ascii = "fn main() {\n    let e = \"u->x\"; call(e);\n}\r\nfn next() {}";
        offsets_agree_with_proc_macro2(wide);
        offsets_agree_with_proc_macro2(ascii);
    }

    fn offsets_agree_with_proc_macro2(text: &str) {
        let tokens: proc_macro2::TokenStream = text.parse().unwrap();
        let mut spans = Vec::new();
        let mut stack: Vec<proc_macro2::TokenStream> = vec![tokens];
        while let Some(stream) = stack.pop() {
            for tree in stream {
                spans.push(tree.span());
                if let proc_macro2::TokenTree::Group(group) = tree {
                    spans.push(group.span_open());
                    spans.push(group.span_close());
                    stack.push(group.stream());
                }
            }
        }
        let expected: Vec<Range<usize>> = spans.iter().map(|span| span.byte_range()).collect();
        let _guard = install(text);
        let converted: Vec<Range<usize>> = spans.iter().map(|span| byte_range(*span)).collect();
        assert_eq!(converted, expected);
        let ends: Vec<Range<usize>> = spans.iter().map(|span| start(*span)..end(*span)).collect();
        assert_eq!(ends, expected);
        assert!(converted.len() > 20);
    }

    /// `spans::known_token_span` relies on this: an identifier spans its displayed text
    /// (`r#` included) and a closing delimiter one byte, wide characters around or not.
    #[test]
    fn tokens_span_exactly_their_text() {
        let text = "fn é() {\n    let r#type = \"ü→x\"; ünï.çall(r#type, [1]);\n}\r\nfn next() {}";
        let _guard = install(text);
        let mut checked = 0;
        let mut stack: Vec<proc_macro2::TokenStream> = vec![text.parse().unwrap()];
        while let Some(stream) = stack.pop() {
            for tree in stream {
                let (span, length) = match &tree {
                    proc_macro2::TokenTree::Ident(ident) => (ident.span(), ident.to_string().len()),
                    proc_macro2::TokenTree::Group(group) => {
                        stack.push(group.stream());
                        (group.span_close(), 1)
                    }
                    _ => continue,
                };
                assert_eq!(start(span) + length, span.byte_range().end, "{tree}");
                checked += 1;
            }
        }
        assert!(checked > 10, "{checked}");
    }
}

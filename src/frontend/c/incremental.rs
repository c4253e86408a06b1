//! Lowering a C file again after an edit, as a language server does on every keystroke:
//! tree-sitter reparses incrementally (the previous tree, edited, tells it what it may reuse;
//! afresh when the text has errors, where recovery may differ), and a function whose definition the edit left alone, in a region whose structure did not
//! change (`Tree::changed_ranges`), keeps its IR, moved by the edit's length.

use tree_sitter::{InputEdit, Parser, Point, Range, Tree};

use super::syntax::span_of;
use super::{all_errors, function_definitions, lower_function, lower_tree, unparsed};
use crate::ir::{Function, LoweredFile, Span, SyntaxError, TextEdit};

/// What the C frontend keeps of a file to lower its next text: the parser and the tree, and
/// each function's own lowering errors.
pub struct CParse {
    parser: Parser,
    tree: Tree,
    function_errors: Vec<Vec<SyntaxError>>,
}

impl CParse {
    /// Lowers `text` from scratch and keeps what the next edit needs; no parse to keep when
    /// tree-sitter gives up.
    pub fn lower(text: &str) -> (LoweredFile, Option<CParse>) {
        let mut parser = Parser::new();
        let parsed = parser
            .set_language(&tree_sitter_c::LANGUAGE.into())
            .ok()
            .and_then(|()| parser.parse(text, None));
        let Some(tree) = parsed else { return (unparsed(text), None) };
        let (file, function_errors) = lower_tree(&tree, text);
        (file, Some(CParse { parser, tree, function_errors }))
    }

    /// Lowers `new_text`, which is `old_text` after `edit`; `previous` is the IR of `old_text`.
    /// Returns the IR and, for each of its functions, the index in `previous` of the function
    /// it kept; `None` when tree-sitter gives up (the parse is then spent).
    pub fn relower(
        &mut self,
        previous: LoweredFile,
        old_text: &str,
        new_text: &str,
        edit: TextEdit,
    ) -> Option<(LoweredFile, Vec<Option<usize>>)> {
        // Error recovery may take another path when it reuses the old tree than when it
        // parses afresh: only a tree without errors is sure to be the one a fresh parse makes.
        // After a text with errors the next one likely has some too: parse it afresh at once.
        let had_errors = self.tree.root_node().has_error();
        self.tree.edit(&input_edit(old_text, new_text, edit));
        let tree = match had_errors {
            true => self.parser.parse(new_text, None)?,
            false => {
                let tree = self.parser.parse(new_text, Some(&self.tree))?;
                match tree.root_node().has_error() {
                    true => self.parser.parse(new_text, None)?,
                    false => tree,
                }
            }
        };
        let changed: Vec<Range> = self.tree.changed_ranges(&tree).collect();
        let old_spans: Vec<Span> = previous.functions.iter().map(|f| f.span).collect();
        let old_errors = std::mem::take(&mut self.function_errors);
        let mut old: Vec<Option<(Function, Vec<SyntaxError>)>> =
            previous.functions.into_iter().zip(old_errors).map(Some).collect();
        let mut file = LoweredFile::default();
        let mut function_errors = Vec::new();
        let mut kept = Vec::new();
        let root = tree.root_node();
        for definition in function_definitions(root) {
            let span = span_of(definition);
            let reused = old_span(span, edit, &changed)
                .and_then(|at| {
                    let index = old_spans.binary_search_by_key(&at.start, |s| s.start).ok()?;
                    (old_spans[index] == at).then_some(index)
                })
                .and_then(|index| Some((index, old[index].take()?)));
            let (function, errors) = match reused {
                Some((index, (mut function, mut errors))) => {
                    kept.push(Some(index));
                    if span.start > edit.new_end {
                        function.move_by(edit.delta());
                        errors.iter_mut().for_each(|error| move_span(&mut error.span, edit));
                    }
                    (function, errors)
                }
                None => {
                    kept.push(None);
                    lower_function(definition, new_text)
                }
            };
            file.functions.push(function);
            function_errors.push(errors);
        }
        file.errors = all_errors(root, &function_errors);
        self.tree = tree;
        self.function_errors = function_errors;
        Some((file, kept))
    }
}

/// Where a function definition now at `span` was before the edit, if neither the edit nor a
/// change of structure reaches it (a byte apart at least).
fn old_span(span: Span, edit: TextEdit, changed: &[Range]) -> Option<Span> {
    let touched = changed.iter().any(|r| r.start_byte <= span.end && span.start <= r.end_byte);
    if touched {
        return None;
    }
    if span.end < edit.start {
        Some(span)
    } else if span.start > edit.new_end {
        let back = |offset: usize| offset - edit.new_end + edit.old_end;
        Some(Span::new(back(span.start), back(span.end)))
    } else {
        None
    }
}

fn move_span(span: &mut Span, edit: TextEdit) {
    span.start = span.start.wrapping_add_signed(edit.delta());
    span.end = span.end.wrapping_add_signed(edit.delta());
}

/// The edit as tree-sitter takes it: in bytes, and in rows and byte columns.
fn input_edit(old_text: &str, new_text: &str, edit: TextEdit) -> InputEdit {
    let start = point_after(Point::new(0, 0), &old_text.as_bytes()[..edit.start]);
    InputEdit {
        start_byte: edit.start,
        old_end_byte: edit.old_end,
        new_end_byte: edit.new_end,
        start_position: start,
        old_end_position: point_after(start, &old_text.as_bytes()[edit.start..edit.old_end]),
        new_end_position: point_after(start, &new_text.as_bytes()[edit.start..edit.new_end]),
    }
}

/// The point reached from `from` after `bytes`.
fn point_after(from: Point, bytes: &[u8]) -> Point {
    match bytes.iter().rposition(|&b| b == b'\n') {
        Some(last) => {
            let rows = bytes.iter().filter(|&&b| b == b'\n').count();
            Point::new(from.row + rows, bytes.len() - last - 1)
        }
        None => Point::new(from.row, from.column + bytes.len()),
    }
}

//! Byte offsets ↔ LSP positions. A position's `character` counts UTF-16 code units unless the
//! client agreed to UTF-8 (`positionEncoding`), in which case it counts bytes.

use lsp_types::{Position, Range};

use crate::ir::Span;

/// How a position's `character` counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    Utf16,
}

/// Where every line of a text starts, to turn offsets into positions and back.
#[derive(Debug, Clone)]
pub struct LineIndex {
    line_starts: Vec<usize>,
    encoding: Encoding,
}

impl LineIndex {
    pub fn new(text: &str, encoding: Encoding) -> Self {
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(index, _)| index + 1))
            .collect();
        LineIndex { line_starts, encoding }
    }

    /// The position of a byte offset; an offset past the end or inside a character is moved
    /// back to the nearest character boundary.
    pub fn position(&self, text: &str, offset: usize) -> Position {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let before = &text[self.line_starts[line]..offset];
        let character = match self.encoding {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        Position::new(to_u32(line), to_u32(character))
    }

    pub fn range(&self, text: &str, span: Span) -> Range {
        Range::new(self.position(text, span.start), self.position(text, span.end))
    }

    /// The byte offset where the line holding `offset` starts.
    pub fn line_start(&self, offset: usize) -> usize {
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        self.line_starts[line]
    }
}

/// The position of a 1-based line and column counted in characters, as labels in other files
/// of the run come placed.
pub fn line_column_position(
    text: &str,
    line: usize,
    column: usize,
    encoding: Encoding,
) -> Position {
    let line_text = text.split('\n').nth(line.saturating_sub(1)).unwrap_or("");
    let before = line_text.chars().take(column.saturating_sub(1));
    let character: usize = match encoding {
        Encoding::Utf8 => before.map(char::len_utf8).sum(),
        Encoding::Utf16 => before.map(char::len_utf16).sum(),
    };
    Position::new(to_u32(line.saturating_sub(1)), to_u32(character))
}

fn to_u32(n: usize) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    // `é` is 2 bytes and 1 UTF-16 unit; `𝄞` is 4 bytes and 2 UTF-16 units.
    const TEXT: &str = "a\n/* é𝄞 */ fork();\n";

    #[test]
    fn utf16_counts_code_units_and_utf8_counts_bytes() {
        let fork = TEXT.find("fork").unwrap();
        let utf16 = LineIndex::new(TEXT, Encoding::Utf16);
        assert_eq!(utf16.position(TEXT, fork), Position::new(1, 10));
        let utf8 = LineIndex::new(TEXT, Encoding::Utf8);
        assert_eq!(utf8.position(TEXT, fork), Position::new(1, 13));
    }

    #[test]
    fn a_line_and_a_column_in_characters_become_code_units() {
        let fork = Position::new(1, 10);
        assert_eq!(line_column_position(TEXT, 2, 10, Encoding::Utf16), fork);
        assert_eq!(line_column_position(TEXT, 2, 10, Encoding::Utf8), Position::new(1, 13));
    }

    #[test]
    fn out_of_range_offsets_are_clamped() {
        let index = LineIndex::new(TEXT, Encoding::Utf16);
        let inside_e = TEXT.find('é').unwrap() + 1;
        assert_eq!(index.position(TEXT, inside_e), Position::new(1, 3));
        assert_eq!(index.position(TEXT, 999), Position::new(2, 0));
        assert_eq!(index.line_start(TEXT.find("fork").unwrap()), 2);
    }
}

//! An edit of a file's text as one replaced range, and where an offset of the old text lies in
//! the new one. The language server keeps what an edit did not touch (a function's IR, its
//! analysis, its findings) and moves it by the edit's length instead of computing it again.

use super::Span;

/// Bytes `start..old_end` of the old text became bytes `start..new_end` of the new one; the
/// rest is the same text, moved by the difference in length after the edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextEdit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl TextEdit {
    /// The one range in which `old` and `new` differ, between their longest common prefix and
    /// suffix, on character boundaries; `None` when the texts are equal. An editor sending whole
    /// texts (full synchronisation), or a burst of keystrokes, is one such range.
    pub fn between(old: &str, new: &str) -> Option<TextEdit> {
        if old == new {
            return None;
        }
        let (old_bytes, new_bytes) = (old.as_bytes(), new.as_bytes());
        let mut start = old_bytes.iter().zip(new_bytes).take_while(|(a, b)| a == b).count();
        // The bytes before `start` are the same in both, so a boundary in one is in the other.
        while !old.is_char_boundary(start) {
            start -= 1;
        }
        let room = old.len().min(new.len()) - start;
        let mut suffix = (old_bytes.iter().rev().zip(new_bytes.iter().rev()))
            .take(room)
            .take_while(|(a, b)| a == b)
            .count();
        while !old.is_char_boundary(old.len() - suffix) {
            suffix -= 1;
        }
        Some(TextEdit { start, old_end: old.len() - suffix, new_end: new.len() - suffix })
    }

    /// How much longer the text became.
    pub fn delta(&self) -> isize {
        self.new_end as isize - self.old_end as isize
    }

    /// Where an offset of the old text is in the new one: the same before the edited range,
    /// moved after it; `None` at or inside the range, where it is ambiguous or gone. Offsets
    /// kept this way keep their order and stay distinct.
    pub fn moved_offset(&self, offset: usize) -> Option<usize> {
        if offset < self.start {
            Some(offset)
        } else if offset > self.old_end {
            Some(offset.wrapping_add_signed(self.delta()))
        } else {
            None
        }
    }

    /// A span of the old text in the new one, as `moved_offset` moves its ends.
    pub fn moved(&self, span: Span) -> Option<Span> {
        Some(Span::new(self.moved_offset(span.start)?, self.moved_offset(span.end)?))
    }

    /// Whether the edit leaves the whole lines that `span` of `old` lies on alone, with a byte
    /// to spare on each side: then text read around the span (its lines' indentation, what
    /// follows a brace on its line) is the same after the edit.
    pub fn spares_lines_of(&self, old: &str, span: Span) -> bool {
        let first =
            old.get(..span.start).map_or(0, |before| before.rfind('\n').map_or(0, |i| i + 1));
        let last = old
            .get(span.end..)
            .map_or(old.len(), |after| after.find('\n').map_or(old.len(), |i| span.end + i));
        last < self.start || self.old_end < first
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_edit_between_two_texts_is_their_differing_middle() {
        let edit = TextEdit::between("abcXYdef", "abcZdef").unwrap();
        assert_eq!(edit, TextEdit { start: 3, old_end: 5, new_end: 4 });
        assert_eq!(edit.delta(), -1);
        // An insertion that repeats its neighbour: prefix and suffix do not overlap.
        let edit = TextEdit::between("aa", "aaa").unwrap();
        assert_eq!(edit, TextEdit { start: 2, old_end: 2, new_end: 3 });
        assert_eq!(TextEdit::between("same", "same"), None);
        // `é` and `è` share their first byte: the edit starts on the character boundary.
        let edit = TextEdit::between("xéy", "xèy").unwrap();
        assert_eq!(edit, TextEdit { start: 1, old_end: 3, new_end: 3 });
        let edit = TextEdit::between("aé", "é").unwrap();
        assert_eq!(edit, TextEdit { start: 0, old_end: 1, new_end: 0 });
    }

    #[test]
    fn offsets_after_the_edit_move_and_offsets_touching_it_have_no_place() {
        let edit = TextEdit { start: 10, old_end: 12, new_end: 15 };
        assert_eq!(edit.moved_offset(9), Some(9));
        assert_eq!(edit.moved_offset(10), None);
        assert_eq!(edit.moved_offset(12), None);
        assert_eq!(edit.moved_offset(13), Some(16));
        assert_eq!(edit.moved(Span::new(13, 20)), Some(Span::new(16, 23)));
        assert_eq!(edit.moved(Span::new(5, 11)), None);
    }

    #[test]
    fn a_span_is_spared_when_the_edit_is_on_other_lines() {
        let new = "a();\nb(); c();\nd();\n";
        let c = Span::new(10, 13);
        let on_line_of_b = TextEdit { start: 5, old_end: 6, new_end: 6 };
        assert!(!on_line_of_b.spares_lines_of(new, c));
        let on_last_line = TextEdit { start: 16, old_end: 16, new_end: 17 };
        assert!(on_last_line.spares_lines_of(new, c));
        let on_first_line = TextEdit { start: 0, old_end: 1, new_end: 1 };
        assert!(on_first_line.spares_lines_of(new, c));
    }
}

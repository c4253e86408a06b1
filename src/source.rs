//! A source file's text, its language, and line/column lookup.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::ir::{Language, Span};

#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it or as the walk found it.
    pub path: PathBuf,
    pub text: String,
    pub language: Language,
    /// The file was not UTF-8 and was read as Latin-1 from this character on (so writing it
    /// back must encode Latin-1 to keep its bytes).
    pub read_as_latin1: Option<Span>,
    /// Where each line starts, built on the first line lookup: most files a run reads are
    /// reported without one.
    line_starts: OnceLock<Vec<usize>>,
}

impl SourceFile {
    pub fn new(path: PathBuf, text: String, language: Language) -> Self {
        SourceFile { path, text, language, read_as_latin1: None, line_starts: OnceLock::new() }
    }

    fn line_starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            let newlines = memchr::memchr_iter(b'\n', self.text.as_bytes());
            std::iter::once(0).chain(newlines.map(|index| index + 1)).collect()
        })
    }

    /// Gives the file new text, still written back in the encoding it was read in.
    pub fn replace_text(&mut self, text: String) {
        let read_as_latin1 = self.read_as_latin1;
        *self = SourceFile::new(self.path.clone(), text, self.language);
        self.read_as_latin1 = read_as_latin1;
    }

    /// How many lines the text has (a last line without a newline counts).
    pub fn line_count(&self) -> usize {
        let ends_with_newline = self.text.ends_with('\n');
        let starts = 1 + memchr::memchr_iter(b'\n', self.text.as_bytes()).count();
        starts - usize::from(ends_with_newline || self.text.is_empty())
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn line_column(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line_starts = self.line_starts();
        let line = line_starts.partition_point(|&start| start <= offset).saturating_sub(1);
        let start = line_starts[line];
        let column = self.text.get(start..offset).map_or(offset - start, |s| s.chars().count());
        (line + 1, column + 1)
    }

    /// New text for this file as the bytes to write, in the file's own encoding.
    pub fn encode(&self, text: &str) -> Option<Vec<u8>> {
        encode(text, self.read_as_latin1.is_some())
    }

    /// Start and end positions of a span, 1-based.
    pub fn range(&self, span: Span) -> ((usize, usize), (usize, usize)) {
        (self.line_column(span.start), self.line_column(span.end))
    }

    /// The text of a 1-based line, without its line ending; empty past the end.
    pub fn line_text(&self, line: usize) -> &str {
        let line_starts = self.line_starts();
        let Some(&start) = line_starts.get(line.wrapping_sub(1)) else { return "" };
        let end = line_starts.get(line).map_or(self.text.len(), |&next| next);
        self.text[start..end].trim_end_matches(['\n', '\r'])
    }

    pub fn display_path(&self) -> String {
        display_path(&self.path)
    }
}

/// Text as the bytes to write: UTF-8, or Latin-1 for a file that was read as Latin-1, so its
/// other bytes come back unchanged; `None` if the text has a character Latin-1 cannot hold.
pub fn encode(text: &str, latin1: bool) -> Option<Vec<u8>> {
    if !latin1 {
        return Some(text.as_bytes().to_vec());
    }
    text.chars().map(|c| u8::try_from(u32::from(c)).ok()).collect()
}

/// The language of a path by its extension: `.rs` is Rust, `.c` and `.h` are C.
pub fn language_of(path: &Path) -> Option<Language> {
    match path.extension()?.to_str()? {
        "rs" => Some(Language::Rust),
        "c" | "h" => Some(Language::C),
        _ => None,
    }
}

/// A path as printed: with `/` separators and without a leading `./`.
pub fn display_path(path: &Path) -> String {
    let text = path.to_string_lossy().replace('\\', "/");
    text.strip_prefix("./").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns_are_one_based_and_count_characters() {
        let file = SourceFile::new("a.c".into(), "ab\nçd\n".into(), Language::C);
        assert_eq!(file.line_column(0), (1, 1));
        assert_eq!(file.line_column(3), (2, 1));
        assert_eq!(file.line_column(5), (2, 2)); // after the two-byte `ç`
        assert_eq!(file.line_column(100), (3, 1));
        assert_eq!(file.line_text(2), "çd");
        assert_eq!(file.line_text(3), "");
        assert_eq!(file.line_text(0), "");
    }
}

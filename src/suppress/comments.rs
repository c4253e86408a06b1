//! The comments of a source file, found by a small lexer that knows where strings and character
//! literals are, so `"// fdlint: allow(x)"` inside a string is not a comment. It reads C and
//! Rust, never fails, and needs no parse tree.

use crate::ir::{Language, Span};

/// One comment, delimiters included.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Comment {
    pub span: Span,
    pub block: bool,
}

impl Comment {
    /// The text between the delimiters.
    pub fn body(self, text: &str) -> (usize, &str) {
        let raw = &text[self.span.start..self.span.end];
        let inner = if self.block {
            let without_open = &raw[2..];
            without_open.strip_suffix("*/").unwrap_or(without_open)
        } else {
            &raw[2..]
        };
        (self.span.start + 2, inner)
    }
}

/// Every comment of `text`, in order.
pub fn comments(language: Language, text: &str) -> Vec<Comment> {
    let mut lexer = Lexer { text, bytes: text.as_bytes(), at: 0, language, found: Vec::new() };
    lexer.run();
    lexer.found
}

struct Lexer<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    language: Language,
    found: Vec<Comment>,
}

impl Lexer<'_> {
    fn peek(&self, ahead: usize) -> Option<u8> {
        self.bytes.get(self.at + ahead).copied()
    }

    fn run(&mut self) {
        while let Some(byte) = self.peek(0) {
            match byte {
                b'/' if self.peek(1) == Some(b'/') => self.line_comment(),
                b'/' if self.peek(1) == Some(b'*') => self.block_comment(),
                b'"' => self.quoted(b'"'),
                b'\'' => self.apostrophe(),
                b if is_ident_start(b) => self.identifier(),
                _ => self.at += 1,
            }
        }
    }

    fn line_comment(&mut self) {
        let start = self.at;
        while let Some(byte) = self.peek(0) {
            // A C line comment goes on after a backslash at the end of the line.
            if byte == b'\\' && self.language == Language::C && self.continues_line(1) {
                self.at += 1;
                self.skip_newline();
                continue;
            }
            if byte == b'\n' || (byte == b'\r' && self.peek(1) == Some(b'\n')) {
                break;
            }
            self.at += 1;
        }
        self.found.push(Comment { span: Span::new(start, self.at), block: false });
    }

    fn continues_line(&self, ahead: usize) -> bool {
        matches!(
            (self.peek(ahead), self.peek(ahead + 1)),
            (Some(b'\n'), _) | (Some(b'\r'), Some(b'\n'))
        )
    }

    fn skip_newline(&mut self) {
        if self.peek(0) == Some(b'\r') {
            self.at += 1;
        }
        self.at += 1;
    }

    /// `/* ... */`; Rust's nest, C's do not. An unterminated one runs to the end of the file.
    fn block_comment(&mut self) {
        let start = self.at;
        self.at += 2;
        let mut depth = 1;
        while depth > 0 {
            match (self.peek(0), self.peek(1)) {
                (None, _) => break,
                (Some(b'*'), Some(b'/')) => {
                    depth -= 1;
                    self.at += 2;
                }
                (Some(b'/'), Some(b'*')) if self.language == Language::Rust => {
                    depth += 1;
                    self.at += 2;
                }
                _ => self.at += 1,
            }
        }
        self.found.push(Comment { span: Span::new(start, self.at), block: true });
    }

    /// A string or character literal with backslash escapes, up to its closing quote (or the end
    /// of a C line, where an unterminated literal ends).
    fn quoted(&mut self, quote: u8) {
        self.at += 1;
        while let Some(byte) = self.peek(0) {
            self.at += 1;
            match byte {
                b'\\' => self.at += 1,
                b'\n' if self.language == Language::C => return,
                b if b == quote => return,
                _ => {}
            }
        }
    }

    /// A character literal, or in Rust a lifetime or label (`'a`), which has no closing quote.
    fn apostrophe(&mut self) {
        if self.language == Language::C {
            return self.quoted(b'\'');
        }
        // The byte after an ASCII quote starts a character.
        let mut rest = self.text.get(self.at + 1..).unwrap_or("").chars();
        let is_char_literal = match rest.next() {
            Some('\\') => true,
            Some(_) => rest.next() == Some('\''),
            None => false,
        };
        if is_char_literal {
            self.quoted(b'\'');
        } else {
            self.at += 1;
        }
    }

    /// An identifier, or the prefix of a Rust raw string (`r"…"`, `r#"…"#`, `br"…"`, `cr"…"`).
    fn identifier(&mut self) {
        let start = self.at;
        while self.peek(0).is_some_and(is_ident_continue) {
            self.at += 1;
        }
        let word = &self.bytes[start..self.at];
        if self.language == Language::Rust && matches!(word, b"r" | b"br" | b"cr") {
            self.raw_string();
        }
    }

    fn raw_string(&mut self) {
        let hashes = self.bytes[self.at..].iter().take_while(|b| **b == b'#').count();
        if self.peek(hashes) != Some(b'"') {
            return;
        }
        self.at += hashes + 1;
        while let Some(byte) = self.peek(0) {
            self.at += 1;
            let closes = byte == b'"'
                && self.bytes[self.at..].iter().take_while(|b| **b == b'#').count() >= hashes;
            if closes {
                self.at += hashes;
                return;
            }
        }
    }
}

fn is_ident_start(byte: u8) -> bool {
    byte.is_ascii_alphabetic() || byte == b'_'
}

fn is_ident_continue(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'_'
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(language: Language, text: &str, expected: &[&str]) {
        let found: Vec<&str> =
            comments(language, text).iter().map(|c| &text[c.span.start..c.span.end]).collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn finds_line_and_block_comments() {
        check(Language::C, "a(); // one\r\nb(); /* two */ c();\n", &["// one", "/* two */"]);
        check(Language::C, "/* unterminated", &["/* unterminated"]);
    }

    #[test]
    fn a_comment_marker_inside_a_literal_is_not_a_comment() {
        check(Language::C, "s = \"// no\"; c = '\"'; /* yes */", &["/* yes */"]);
        check(Language::C, "s = \"esc \\\" // no\"; // yes", &["// yes"]);
        check(Language::Rust, "let s = r#\"a \" // no\"#; // yes", &["// yes"]);
        check(Language::Rust, "let s = br\"// no\"; let c = '\"'; // yes", &["// yes"]);
        check(Language::Rust, "let c = '\\''; // yes", &["// yes"]);
        check(Language::Rust, "let c = 'é'; // yes", &["// yes"]);
    }

    #[test]
    fn rust_lifetimes_are_not_character_literals() {
        check(Language::Rust, "fn f<'a>(x: &'a str) -> &'a str { x } // yes", &["// yes"]);
        check(Language::Rust, "'outer: loop { break 'outer; } /* yes */", &["/* yes */"]);
    }

    #[test]
    fn rust_block_comments_nest_and_c_ones_do_not() {
        check(Language::Rust, "/* a /* b */ c */ x", &["/* a /* b */ c */"]);
        check(Language::C, "/* a /* b */ c */ x", &["/* a /* b */"]);
    }

    #[test]
    fn a_c_line_comment_continues_after_a_backslash() {
        check(Language::C, "// a \\\nb\nc // d\n", &["// a \\\nb", "// d"]);
    }

    #[test]
    fn every_prefix_of_a_tricky_text_lexes_without_panicking() {
        let text = "r#\"x\"# br'é' '\\' \"a\\\" /* /* */ // \\\r\n 'a '";
        for end in 0..=text.len() {
            if let Some(prefix) = text.get(..end) {
                comments(Language::Rust, prefix);
                comments(Language::C, prefix);
            }
        }
    }
}

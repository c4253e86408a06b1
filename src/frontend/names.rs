//! The names a file defines and calls, read off its text without parsing it: enough for the
//! run to analyse the files that define functions before the files that call them. A name
//! missed or taken wrongly costs only a later round of analysis, never a wrong finding.

use crate::ir::{FileNames, Language};

/// Functions defined (C: a name and `(` outside any brace; Rust: the name after `fn`; both
/// with a body after the signature) and names called (a name and `(` elsewhere), skipping
/// comments, strings and characters. A prototype (`void sshbuf_free(struct sshbuf *);` in a
/// header) defines nothing: counted, it made every function declared in a header look
/// defined twice, and the run could not order its callers after it.
pub fn scan_names(language: Language, text: &str) -> FileNames {
    let bytes = text.as_bytes();
    // Slices of the text, each once: most names are called many times, and sorting every
    // occurrence cost more than the scan.
    let (mut defined, mut called) = (Distinct::default(), Distinct::default());
    let (mut depth, mut index, mut after_fn) = (0usize, 0usize, false);
    while index < bytes.len() {
        let byte = bytes[index];
        // Most bytes are neither a name nor the start of a comment, string or body.
        if CLASS[usize::from(byte)] & (NAME_START | MARK) == 0 {
            index += 1;
            continue;
        }
        match byte {
            b'/' if bytes.get(index + 1) == Some(&b'/') => index = skip_past(bytes, index, b"\n"),
            b'/' if bytes.get(index + 1) == Some(&b'*') => {
                index = skip_past(bytes, index + 2, b"*/")
            }
            b'"' => index = skip_quoted(bytes, index, b'"'),
            b'\'' if is_char_literal(language, bytes, index) => {
                index = skip_quoted(bytes, index, b'\'')
            }
            b'{' => (depth, index) = (depth + 1, index + 1),
            b'}' => (depth, index) = (depth.saturating_sub(1), index + 1),
            _ if is_ident_start(byte) => {
                let end = bytes[index..]
                    .iter()
                    .position(|b| CLASS[usize::from(*b)] & NAME == 0)
                    .map_or(bytes.len(), |n| index + n);
                let word = &text[index..end];
                let next = bytes[end..].iter().find(|b| CLASS[usize::from(**b)] & SPACE == 0);
                let defines = match language {
                    Language::C => depth == 0,
                    Language::Rust => after_fn,
                };
                if defines && (after_fn || next == Some(&b'(')) {
                    if body_follows(bytes, end) && !is_c_extension(word) {
                        defined.insert(word);
                    }
                } else if next == Some(&b'(') {
                    called.insert(word);
                }
                after_fn = language == Language::Rust && word == "fn";
                index = end;
            }
            _ => index += 1,
        }
    }
    let sorted = |names: Distinct| -> Vec<String> {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names.into_iter().map(str::to_string).collect()
    };
    FileNames { defined: sorted(defined), called: sorted(called) }
}

type Distinct<'a> = std::collections::HashSet<&'a str, foldhash::fast::FixedState>;

fn is_ident_start(byte: u8) -> bool {
    CLASS[usize::from(byte)] & NAME_START != 0
}

/// What each byte can be, looked up rather than tested: the scan's cost is per byte.
const NAME_START: u8 = 1;
const NAME: u8 = 2;
const SPACE: u8 = 4;
/// Starts a comment, a literal or a body, or ends one.
const MARK: u8 = 8;

static CLASS: [u8; 256] = {
    let mut class = [0u8; 256];
    let mut byte = 0;
    while byte < 256 {
        let b = byte as u8;
        if b.is_ascii_alphabetic() || b == b'_' {
            class[byte] = NAME_START | NAME;
        } else if b.is_ascii_digit() {
            class[byte] = NAME;
        } else if b.is_ascii_whitespace() {
            class[byte] = SPACE;
        } else if matches!(b, b'/' | b'"' | b'\'' | b'{' | b'}') {
            class[byte] = MARK;
        }
        byte += 1;
    }
    class
};

/// GNU and Microsoft keywords written like calls around a signature.
fn is_c_extension(word: &str) -> bool {
    matches!(word, "__attribute__" | "__declspec" | "__asm__" | "asm")
}

/// Whether the signature from `from` ends in a body (`{`) rather than a `;` (a prototype, a
/// declaration in a trait, a call in an initialiser), outside brackets and comments.
fn body_follows(bytes: &[u8], from: usize) -> bool {
    let (mut depth, mut index) = (0usize, from);
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'/' if bytes.get(index + 1) == Some(&b'/') => index = skip_past(bytes, index, b"\n"),
            b'/' if bytes.get(index + 1) == Some(&b'*') => {
                index = skip_past(bytes, index + 2, b"*/")
            }
            b'"' => index = skip_quoted(bytes, index, b'"'),
            b'(' | b'[' => (depth, index) = (depth + 1, index + 1),
            b')' | b']' => (depth, index) = (depth.saturating_sub(1), index + 1),
            b'{' if depth == 0 => return true,
            b';' | b'}' if depth == 0 => return false,
            _ => index += 1,
        }
    }
    false
}

/// The index just past `end`, searched from `from` (or the end of the text).
fn skip_past(bytes: &[u8], from: usize, end: &[u8]) -> usize {
    let from = from.min(bytes.len());
    bytes[from..]
        .windows(end.len())
        .position(|w| w == end)
        .map_or(bytes.len(), |n| from + n + end.len())
}

/// The index just past the literal opened at `start`, escapes included.
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut index = start + 1;
    while index < bytes.len() {
        match bytes[index] {
            b'\\' => index += 2,
            byte if byte == quote || byte == b'\n' && quote == b'\'' => return index + 1,
            _ => index += 1,
        }
    }
    bytes.len()
}

/// In Rust a quote may open a lifetime (`'a`) rather than a character.
fn is_char_literal(language: Language, bytes: &[u8], index: usize) -> bool {
    language == Language::C
        || bytes.get(index + 1) == Some(&b'\\')
        || bytes.get(index + 2) == Some(&b'\'')
        || bytes.get(index + 1).is_some_and(|b| !b.is_ascii())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn c_definitions_are_names_called_outside_any_body() {
        let text =
            "static int open_conn(const char *host) { /* connect(x) */ return socket(2, 1, 0); }\n\
                    int main(void) { if (open_conn(\"a(b)\") < 0) return 1; }";
        let names = scan_names(Language::C, text);
        assert_eq!(names.defined, ["main", "open_conn"]);
        assert_eq!(names.called, ["if", "open_conn", "socket"]);
    }

    #[test]
    fn c_prototypes_and_initialisers_define_nothing() {
        let text = "void sshbuf_free(struct sshbuf *buf);\n\
                    void fatal(const char *, ...) __attribute__((noreturn)) /* { */;\n\
                    static int width = compute(3);\n\
                    void\nsshbuf_reset(struct sshbuf *buf)\n{\n\tsshbuf_free(buf);\n}\n\
                    int old_style(a) int a; { return a; }\n\
                    int attributed(void) __attribute__((cold)) { return 0; }";
        let names = scan_names(Language::C, text);
        assert_eq!(names.defined, ["attributed", "sshbuf_reset"]);
        assert_eq!(names.called, ["sshbuf_free"]);
    }

    #[test]
    fn rust_declarations_without_a_body_define_nothing() {
        let text = "trait Pool { fn open(&self) -> [u8; 4]; fn close(&self) { drop(self) } }\n\
                    extern \"C\" { fn fork() -> i32; }";
        let names = scan_names(Language::Rust, text);
        assert_eq!(names.defined, ["close"]);
        assert_eq!(names.called, ["drop"]);
    }

    #[test]
    fn rust_definitions_follow_fn() {
        let text = "impl Pool<'a> { pub fn open(&self) -> io::Result<()> { let c = '('; crate::db::connect(c) } }\n\
                    fn main() { Pool::open(); pool.check(); } // fn not_here()";
        let names = scan_names(Language::Rust, text);
        assert_eq!(names.defined, ["main", "open"]);
        assert_eq!(names.called, ["check", "connect", "open"]);
    }
}

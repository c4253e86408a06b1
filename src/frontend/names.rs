//! The names a file defines and calls, read off its text without parsing it: enough for the
//! run to analyse the files that define functions before the files that call them, and to
//! tell which functions a finding can depend on (`analysis/demand.rs`). A name missed or
//! taken wrongly costs a later round, or a run analysed again whole, never a wrong finding.

use crate::ir::{FileNames, Language};

/// Functions defined (C: a name and `(` outside any brace; Rust: the name after `fn`; both
/// with a body after the signature) and names called (a name and `(` elsewhere), skipping
/// comments, strings and characters; and which function body each call is in. A prototype
/// (`void sshbuf_free(struct sshbuf *);` in a header) defines nothing: counted, it made every
/// function declared in a header look defined twice, and the run could not order its callers
/// after it.
pub fn scan_names(language: Language, text: &str) -> FileNames {
    let bytes = text.as_bytes();
    // Slices of the text, each once: most names are called many times, and sorting every
    // occurrence cost more than the scan.
    let (mut defined, mut called) = (Distinct::default(), Distinct::default());
    let mut bodies = Bodies::default();
    let mut conditionals = Conditionals::default();
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
            b'#' if language == Language::C && starts_line(bytes, index) => {
                let end = directive_end(bytes, index);
                conditionals.directive(&bytes[index + 1..end]);
                index = end;
            }
            // Braces in a conditional's other branches (`#else`, `#elif`, `#if 0`) would count
            // twice what only one branch opens: `#ifdef X if (a) { #else if (b) { #endif`.
            b'{' | b'}' if !conditionals.live() => index += 1,
            b'{' => {
                bodies.open(index, depth);
                (depth, index) = (depth + 1, index + 1);
            }
            b'}' => {
                bodies.balanced &= depth > 0;
                depth = depth.saturating_sub(1);
                bodies.close(depth);
                index += 1;
            }
            _ if is_ident_start(byte) => {
                let end = bytes[index..]
                    .iter()
                    .position(|b| CLASS[usize::from(*b)] & NAME == 0)
                    .map_or(bytes.len(), |n| index + n);
                let word = &text[index..end];
                if language == Language::Rust && matches!(word, "r" | "br" | "cr") {
                    if let Some(past) = skip_raw_string(bytes, end) {
                        index = past;
                        continue;
                    }
                }
                let next = bytes[end..].iter().find(|b| CLASS[usize::from(**b)] & SPACE == 0);
                // A turbofish (`parse::<u16>(..)`) is a call too.
                let next = match next {
                    Some(b':') if language == Language::Rust && turbofish_at(bytes, end) => {
                        Some(&b'(')
                    }
                    next => next,
                };
                // Between a definition's name and its body come its parameters, never another
                // definition (`void (**handler)(int)` is a parameter).
                let in_signature = bodies.pending.is_some_and(|(_, body)| index < body);
                let defines = !in_signature
                    && match language {
                        // Where braces are not counted, the depth is not known: a name there is
                        // a call, and a function defined only there is one the scan misses.
                        Language::C => depth == 0 && conditionals.live(),
                        Language::Rust => after_fn,
                    };
                if in_signature {
                    // Neither a definition nor a call: `__attribute__((cold))`, a parameter.
                } else if defines && (after_fn || next == Some(&b'(')) {
                    if let Some(body) = body_at(bytes, end).filter(|_| !is_c_extension(word)) {
                        defined.insert(word);
                        bodies.pending = Some((word, body));
                    }
                } else if next == Some(&b'(') {
                    called.insert(word);
                    bodies.call(word);
                }
                after_fn = language == Language::Rust && word == "fn";
                index = end;
            }
            _ => index += 1,
        }
    }
    fn sorted(names: Distinct<'_>) -> Vec<&str> {
        let mut names: Vec<&str> = names.into_iter().collect();
        names.sort_unstable();
        names
    }
    let opaque = !bodies.balanced || depth != 0 || !bodies.open.is_empty();
    FileNames::of(sorted(defined), sorted(called), bodies.finish(), opaque)
}

/// The preprocessor conditionals around the scan: whether each is in a branch past its
/// first (or in `#if 0`), whose braces the scan does not count.
#[derive(Default)]
struct Conditionals {
    alternative: Vec<bool>,
    /// How many of `alternative` are true.
    inside: usize,
}

impl Conditionals {
    /// Follows one directive (its text after the `#`).
    fn directive(&mut self, directive: &[u8]) {
        let directive = directive.trim_ascii_start();
        let word_end = directive.iter().position(|b| !b.is_ascii_alphabetic());
        let (word, rest) = directive.split_at(word_end.unwrap_or(directive.len()));
        match word {
            b"if" | b"ifdef" | b"ifndef" => {
                let never = word == b"if" && rest.trim_ascii().starts_with(b"0");
                self.push(never);
            }
            b"else" | b"elif" | b"elifdef" | b"elifndef" => {
                if let Some(last) = self.alternative.last_mut() {
                    self.inside += usize::from(!*last);
                    *last = true;
                }
            }
            b"endif" => self.pop(),
            _ => {}
        }
    }

    fn push(&mut self, alternative: bool) {
        self.alternative.push(alternative);
        self.inside += usize::from(alternative);
    }

    fn pop(&mut self) {
        let alternative = self.alternative.pop();
        self.inside -= usize::from(alternative == Some(true));
    }

    fn live(&self) -> bool {
        self.inside == 0
    }
}

/// The index just past a raw string (`r#"..."#`) whose `#`s or quote start at `from`; `None`
/// when none starts there (`r` is a name).
fn skip_raw_string(bytes: &[u8], from: usize) -> Option<usize> {
    let hashes = bytes[from..].iter().take_while(|&&b| b == b'#').count();
    let body = from + hashes;
    if bytes.get(body) != Some(&b'"') {
        return None;
    }
    let mut closing = vec![b'"'];
    closing.resize(1 + hashes, b'#');
    Some(skip_past(bytes, body + 1, &closing))
}

/// Whether `::<` follows the name that ends at `end` (blanks allowed before it).
fn turbofish_at(bytes: &[u8], end: usize) -> bool {
    let rest = &bytes[end..];
    let start = rest.iter().position(|b| !b.is_ascii_whitespace()).unwrap_or(rest.len());
    rest[start..].starts_with(b"::<")
}

/// Whether only blanks come before `index` on its line.
fn starts_line(bytes: &[u8], index: usize) -> bool {
    bytes[..index].iter().rev().take_while(|&&b| b != b'\n').all(|&b| b == b' ' || b == b'\t')
}

/// The index just past a directive's line, its continuation lines included: a macro's body
/// is not code where it stands.
fn directive_end(bytes: &[u8], from: usize) -> usize {
    let mut index = from;
    while let Some(newline) = bytes[index..].iter().position(|&b| b == b'\n') {
        let at = index + newline;
        let before = bytes[..at].strip_suffix(b"\r").unwrap_or(&bytes[..at]);
        if !before.ends_with(b"\\") {
            return at + 1;
        }
        index = at + 1;
    }
    bytes.len()
}

/// The function bodies a scan is in, and the calls each makes.
struct Bodies<'t> {
    /// A definition whose body opens at this byte.
    pending: Option<(&'t str, usize)>,
    /// The bodies open around the scan (Rust nests them), with the depth outside each.
    open: Vec<(&'t str, usize, Vec<&'t str>)>,
    done: Vec<(Option<&'t str>, Vec<&'t str>)>,
    /// Calls outside every body.
    outside: Vec<&'t str>,
    /// No `}` closed a brace that was not open.
    balanced: bool,
}

impl Default for Bodies<'_> {
    fn default() -> Self {
        Bodies {
            pending: None,
            open: Vec::new(),
            done: Vec::new(),
            outside: Vec::new(),
            balanced: true,
        }
    }
}

impl<'t> Bodies<'t> {
    fn open(&mut self, at: usize, depth: usize) {
        match self.pending {
            Some((name, body)) if body == at => {
                self.open.push((name, depth, Vec::new()));
                self.pending = None;
            }
            // A brace inside the signature (a block in a parameter's type): wait for the body's.
            Some((_, body)) if body > at => {}
            _ => self.pending = None,
        }
    }

    fn close(&mut self, depth: usize) {
        if self.open.last().is_some_and(|(_, outside, _)| *outside == depth) {
            if let Some((name, _, calls)) = self.open.pop() {
                self.done.push((Some(name), calls));
            }
        }
    }

    fn call(&mut self, name: &'t str) {
        match self.open.last_mut() {
            Some((_, _, calls)) => calls.push(name),
            None => self.outside.push(name),
        }
    }

    /// Each body's name and calls, then the calls outside every body.
    fn finish(mut self) -> Vec<(Option<&'t str>, Vec<&'t str>)> {
        let unclosed = self.open.drain(..).map(|(name, _, calls)| (Some(name), calls));
        let mut bodies = self.done;
        bodies.extend(unclosed);
        if !self.outside.is_empty() {
            bodies.push((None, self.outside));
        }
        bodies
    }
}

type Distinct<'a> = std::collections::HashSet<&'a str, foldhash::fast::FixedState>;

fn is_ident_start(byte: u8) -> bool {
    CLASS[usize::from(byte)] & NAME_START != 0
}

/// What each byte can be, looked up rather than tested: the scan's cost is per byte.
const NAME_START: u8 = 1;
const NAME: u8 = 2;
const SPACE: u8 = 4;
/// Starts a comment, a literal, a body or a directive, or ends one.
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
        } else if matches!(b, b'/' | b'"' | b'\'' | b'{' | b'}' | b'#') {
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

/// Where the body of the signature from `from` opens (its `{`), or `None` when the signature
/// ends in a `;` instead (a prototype, a declaration in a trait, a call in an initialiser),
/// outside brackets and comments.
fn body_at(bytes: &[u8], from: usize) -> Option<usize> {
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
            b'{' if depth == 0 => return Some(index),
            b';' | b'}' if depth == 0 => return None,
            _ => index += 1,
        }
    }
    None
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

    /// Each function's name and what it calls, by name (`None`: outside every function).
    fn bodies(language: Language, text: &str) -> Vec<(Option<String>, Vec<String>)> {
        let names = scan_names(language, text);
        let mut bodies: Vec<(Option<String>, Vec<String>)> = names
            .functions
            .iter()
            .map(|function| {
                let name = function.name.map(|at| names.defined[at as usize].clone());
                let calls = function.calls.iter().map(|&at| names.called[at as usize].clone());
                (name, calls.collect())
            })
            .collect();
        bodies.sort();
        bodies
    }

    fn body(name: Option<&str>, calls: &[&str]) -> (Option<String>, Vec<String>) {
        (name.map(str::to_string), calls.iter().map(|call| call.to_string()).collect())
    }

    #[test]
    fn each_call_belongs_to_the_body_it_is_made_in() {
        let c = "static int width = compute(3);\n\
                 int serve(int fd) { if (ready(fd)) { handle(fd); } return 0; }\n\
                 int main(void) { return serve(open_conn()); }";
        assert_eq!(
            bodies(Language::C, c),
            [
                body(Some("main"), &["open_conn", "serve"]),
                body(Some("serve"), &["handle", "if", "ready"]),
            ]
        );
        let rust = "impl Pool { fn get(&self) -> Conn { let n = self.count::<u8>(); dial(n) } }\n\
                    fn outer() { fn inner() { close(); } inner(); }\n\
                    static X: Lazy<u8> = Lazy::new(|| seed());";
        assert_eq!(
            bodies(Language::Rust, rust),
            [
                body(None, &["new", "seed"]),
                body(Some("get"), &["count", "dial"]),
                body(Some("inner"), &["close"]),
                body(Some("outer"), &["inner"]),
            ]
        );
    }

    #[test]
    fn a_conditional_s_other_branches_do_not_count_braces_and_define_nothing() {
        // Both branches open the `if`: counted twice, every function after would look nested.
        let text = "int delta(int n) {\n\
                    #ifdef EXTSTORE\n    if (n > 2 && check(n)) {\n\
                    #else\n    if (n > 2) {\n#endif\n        drop_item(n);\n    }\n    return 0;\n}\n\
                    #if 0\nint dead(void) { return gone(); }\n#endif\n\
                    #define OPEN(x) { connect(x)\n\
                    int after(void) { return delta(1); }";
        let names = scan_names(Language::C, text);
        assert!(!names.opaque);
        assert_eq!(names.defined, ["after", "delta"]);
        assert_eq!(
            bodies(Language::C, text),
            [
                body(None, &["dead", "gone"]),
                body(Some("after"), &["delta"]),
                body(Some("delta"), &["check", "drop_item", "if"]),
            ]
        );
    }

    #[test]
    fn a_signature_holds_neither_definitions_nor_calls() {
        let text =
            "static int\nstart_helper(int *fdp, void (**handler)(int)) __attribute__((cold))\n\
                    {\n\tfork();\n}";
        let names = scan_names(Language::C, text);
        assert_eq!(names.defined, ["start_helper"]);
        assert_eq!(bodies(Language::C, text), [body(Some("start_helper"), &["fork"])]);
    }

    #[test]
    fn raw_strings_hide_their_braces_and_quotes() {
        let text = "fn parse() { tokenize(r#\"prog \"{ my\" text\"#); check(br\"}\"); }";
        let names = scan_names(Language::Rust, text);
        assert!(!names.opaque);
        assert_eq!(bodies(Language::Rust, text), [body(Some("parse"), &["check", "tokenize"])]);
    }

    #[test]
    fn unbalanced_braces_make_a_file_opaque() {
        assert!(scan_names(Language::C, "int f(void) { if (x) { g(); }").opaque);
        assert!(scan_names(Language::C, "int f(void) { g(); } }").opaque);
        assert!(!scan_names(Language::C, "int f(void) { g(); }").opaque);
    }

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

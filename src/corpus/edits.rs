//! Random one-line edits of a file, as someone typing makes them: a line inserted (a copy of
//! another line, a comment, an allow comment, a stray brace), a line deleted, or a line
//! changed (replaced by another, or a character typed or deleted in it). The language
//! server's tests lint the file after each edit both incrementally and from scratch.

use super::Rng;
use crate::ir::Language;

/// `text` after one random edit of one line, chosen by `seed`.
pub fn one_line_edit(text: &str, language: Language, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    if lines.is_empty() {
        return "\n".to_string();
    }
    let at = rng.below(lines.len());
    let other = lines[rng.below(lines.len())].to_string();
    let typed;
    match rng.below(6) {
        0 => lines.insert(at, &other),
        1 => {
            typed = format!("{}\n", inserted_line(language, &mut rng));
            lines.insert(at, &typed);
        }
        2 => {
            lines.remove(at);
        }
        3 => lines[at] = &other,
        _ => {
            typed = typed_in(lines[at], &mut rng);
            lines[at] = &typed;
        }
    }
    lines.concat()
}

/// A line someone might add.
fn inserted_line(language: Language, rng: &mut Rng) -> &'static str {
    const C: &[&str] = &[
        "",
        "    /* a note */",
        "    /* fdlint: allow(fork_after_connect) */",
        "    close(fd);",
        "    sleep(1);",
        "    int spare = socket(AF_INET, SOCK_STREAM, 0);",
        "}",
        "int extra(void) { return fork(); }",
    ];
    const RUST: &[&str] = &[
        "",
        "    // a note",
        "    // fdlint: allow(fork_after_connect)",
        "    drop(stream);",
        "    std::thread::sleep(std::time::Duration::from_secs(1));",
        "    let spare = std::net::TcpStream::connect(\"127.0.0.1:81\").unwrap();",
        "}",
        "use std::net::Shutdown;",
        "fn extra() { let _ = unsafe { nix::unistd::fork() }; }",
    ];
    let choices = match language {
        Language::C => C,
        Language::Rust => RUST,
    };
    choices[rng.below(choices.len())]
}

/// The line with one character typed in or deleted, at a character boundary.
fn typed_in(line: &str, rng: &mut Rng) -> String {
    let (body, ending) = match line.strip_suffix('\n') {
        Some(body) => (body, "\n"),
        None => (line, ""),
    };
    let boundaries: Vec<usize> = body.char_indices().map(|(i, _)| i).chain([body.len()]).collect();
    let at = boundaries[rng.below(boundaries.len())];
    let mut changed = body.to_string();
    if rng.below(2) == 0 && at < body.len() {
        changed.remove(at);
    } else {
        const TYPED: &[char] = &['x', ' ', ';', '(', ')', '{', '}', '0', '"', '/', '*'];
        changed.insert(at, TYPED[rng.below(TYPED.len())]);
    }
    changed + ending
}

//! A lexical pre-check of bracket nesting, so pathological input is refused before syn's
//! recursive parser could exhaust even a large stack. It skips comments, strings and char
//! literals roughly; being off by a few brackets does not matter for a guard.

/// The byte offset of the first bracket nested deeper than `limit`, if any.
pub(super) fn too_deep_at(text: &str, limit: usize) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut at = 0;
    while at < bytes.len() {
        at = match bytes[at] {
            b'/' if bytes.get(at + 1) == Some(&b'/') => skip_line(bytes, at),
            b'/' if bytes.get(at + 1) == Some(&b'*') => skip_block_comment(bytes, at),
            b'"' => skip_string(bytes, at + 1),
            b'\'' => skip_char_literal(bytes, at),
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > limit {
                    return Some(at);
                }
                at + 1
            }
            b')' | b']' | b'}' => {
                depth = depth.saturating_sub(1);
                at + 1
            }
            _ => at + 1,
        };
    }
    None
}

fn skip_line(bytes: &[u8], at: usize) -> usize {
    bytes[at..].iter().position(|&b| b == b'\n').map_or(bytes.len(), |n| at + n + 1)
}

/// Block comments nest in Rust.
fn skip_block_comment(bytes: &[u8], mut at: usize) -> usize {
    let mut depth = 0usize;
    while at < bytes.len() {
        match (bytes[at], bytes.get(at + 1)) {
            (b'/', Some(b'*')) => {
                depth += 1;
                at += 2;
            }
            (b'*', Some(b'/')) => {
                depth -= 1;
                at += 2;
                if depth == 0 {
                    return at;
                }
            }
            _ => at += 1,
        }
    }
    at
}

/// From just after an opening `"` to just after the closing one (raw strings are treated as
/// plain ones; their contents rarely hold quotes).
fn skip_string(bytes: &[u8], mut at: usize) -> usize {
    while at < bytes.len() {
        match bytes[at] {
            b'\\' => at += 2,
            b'"' => return at + 1,
            _ => at += 1,
        }
    }
    at
}

/// `'('` and `'\\''` are char literals; `'a` is a lifetime and is left alone.
fn skip_char_literal(bytes: &[u8], at: usize) -> usize {
    match (bytes.get(at + 1), bytes.get(at + 2)) {
        (Some(b'\\'), _) => {
            let close = bytes[at + 2..].iter().take(12).position(|&b| b == b'\'');
            close.map_or(at + 1, |n| at + 2 + n + 1)
        }
        (Some(_), Some(b'\'')) => at + 3,
        _ => at + 1,
    }
}

//! Reading one file's bytes and turning them into text: refusing what is not a regular file,
//! what is too large and what is binary, and decoding a C file that is not UTF-8.
//!
//! A file named on the command line or found by the walk may be anything by the time it is
//! read: a pipe (reading it would block forever), a directory, a 10 GB log, a binary. Each
//! becomes a message for that file; none stops the run.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::ir::{Language, Span};

/// Files larger than this are skipped: the largest hand-written C files (sqlite3.c, about
/// 9 MB) fit; beyond it a file is generated data, and reading it would cost the run its
/// memory and seconds for nothing.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Why a file's bytes were not turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
    /// Where in `text` the problem is, when there is a place to point at.
    pub span: Option<Span>,
    /// As much of the file as can be shown (for a Rust file that is not UTF-8: its text with
    /// the bad bytes replaced), so the place can be shown in context.
    pub text: String,
}

/// Text decoded from a file's bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    pub text: String,
    /// The file was not UTF-8 and was read as Latin-1 (each byte one character, so writing
    /// the text back as Latin-1 restores the bytes); `span` is the first byte that was not.
    pub latin1_from: Option<Span>,
}

/// The bytes of a regular file no larger than [`MAX_FILE_BYTES`].
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, String> {
    // `metadata` follows symlinks: a loop fails here with the system's own words.
    let metadata = std::fs::metadata(path).map_err(|error| format!("cannot read: {error}"))?;
    if metadata.is_dir() {
        return Err("is a directory, not a file".to_string());
    }
    if !metadata.is_file() {
        // Opening a pipe would wait for a writer forever.
        return Err("not a regular file (a pipe, socket or device); skipped".to_string());
    }
    if metadata.len() > MAX_FILE_BYTES {
        return Err(too_large(metadata.len()));
    }
    let file = File::open(path).map_err(|error| format!("cannot read: {error}"))?;
    let mut bytes = Vec::with_capacity(metadata.len() as usize);
    // The file may have grown since `metadata`: read one byte past the limit to notice.
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|error| format!("cannot read: {error}"))?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large(bytes.len() as u64));
    }
    Ok(bytes)
}

fn too_large(bytes: u64) -> String {
    let mib = |bytes: u64| bytes as f64 / (1024.0 * 1024.0);
    format!(
        "file is {:.1} MiB, larger than the {:.0} MiB fdlint reads; skipped",
        mib(bytes),
        mib(MAX_FILE_BYTES)
    )
}

/// The text of a file in `language`: UTF-8, or for C, Latin-1 when it is not UTF-8 (old C
/// sources often have Latin-1 comments; C's syntax is ASCII either way). A file with a NUL
/// byte is binary and refused; so is a Rust file that is not UTF-8, as rustc refuses it.
pub fn decode(bytes: Vec<u8>, language: Language) -> Result<Decoded, Refusal> {
    if let Some(at) = memchr_nul(&bytes) {
        return Err(Refusal {
            message: format!("binary file (a NUL byte at offset {at}); skipped"),
            span: None,
            text: String::new(),
        });
    }
    let error = match String::from_utf8(bytes) {
        Ok(text) => return Ok(Decoded { text, latin1_from: None }),
        Err(error) => error,
    };
    let valid_up_to = error.utf8_error().valid_up_to();
    let bytes = error.into_bytes();
    match language {
        Language::C => {
            // Every byte of the valid prefix at or above 0x80 takes two bytes in Latin-1.
            let start = valid_up_to + bytes[..valid_up_to].iter().filter(|&&b| b >= 0x80).count();
            let text: String = bytes.iter().map(|&byte| char::from(byte)).collect();
            let width = text[start..].chars().next().map_or(0, char::len_utf8);
            Ok(Decoded { text, latin1_from: Some(Span::new(start, start + width)) })
        }
        Language::Rust => {
            // The valid prefix is unchanged by the lossy decoding, so `valid_up_to` is where
            // the first replacement character starts.
            let text = String::from_utf8_lossy(&bytes).into_owned();
            let width = char::REPLACEMENT_CHARACTER.len_utf8();
            Err(Refusal {
                message: "not valid UTF-8, which Rust source must be; skipped".to_string(),
                span: Some(Span::new(valid_up_to, valid_up_to + width)),
                text,
            })
        }
    }
}

fn memchr_nul(bytes: &[u8]) -> Option<usize> {
    memchr::memchr(0, bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latin1_c_keeps_every_byte_and_points_at_the_first_non_utf8_one() {
        let bytes = b"/* \xc3\xa7a \xe9t\xe9 */ int x;".to_vec();
        let decoded = decode(bytes, Language::C).unwrap();
        assert_eq!(decoded.text, "/* Ã§a été */ int x;");
        let span = decoded.latin1_from.unwrap();
        assert_eq!(&decoded.text[span.start..span.end], "é");
        let back: Vec<u8> = decoded.text.chars().map(|c| c as u8).collect();
        assert_eq!(back, b"/* \xc3\xa7a \xe9t\xe9 */ int x;");
    }

    #[test]
    fn rust_that_is_not_utf8_is_refused_at_the_bad_byte() {
        let refusal = decode(b"fn main() {} // \xff".to_vec(), Language::Rust).unwrap_err();
        let span = refusal.span.unwrap();
        assert_eq!(&refusal.text[span.start..span.end], "\u{fffd}");
        assert!(refusal.message.starts_with("not valid UTF-8"), "{}", refusal.message);
    }

    #[test]
    fn a_nul_byte_makes_a_file_binary() {
        let refusal = decode(b"int x;\0\x01".to_vec(), Language::C).unwrap_err();
        assert_eq!(refusal.message, "binary file (a NUL byte at offset 6); skipped");
    }

    #[test]
    fn utf8_is_taken_as_it_is() {
        let decoded = decode("// ç\n".as_bytes().to_vec(), Language::Rust).unwrap();
        assert_eq!(decoded, Decoded { text: "// ç\n".into(), latin1_from: None });
    }
}

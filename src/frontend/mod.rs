//! Frontends: source text in, IR out. A frontend knows nothing of lints or outputs.
//!
//! Architecture invariant: lowering never fails and never panics; it returns the IR it could
//! build and the syntax errors it met.

pub mod c;
pub mod rust;

use crate::ir::{Language, LoweredFile};

/// Lowers one file's text with the frontend for its language.
pub fn lower(language: Language, text: &str) -> LoweredFile {
    match language {
        Language::C => c::lower(text),
        Language::Rust => rust::lower(text),
    }
}

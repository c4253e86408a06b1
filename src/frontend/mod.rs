//! Frontends: source text in, IR out. A frontend knows nothing of lints or outputs.
//!
//! Architecture invariant: lowering never fails and never panics; it returns the IR it could
//! build and the syntax errors it met.

pub mod c;
pub mod incremental;
mod names;
pub mod rust;

pub use names::scan_names;

use crate::ir::{Language, LoweredFile};

/// Lowers one file's text with the frontend for its language.
pub fn lower(language: Language, text: &str) -> LoweredFile {
    match language {
        Language::C => c::lower(text),
        Language::Rust => rust::lower(text),
    }
}

/// Parses one file exactly as `lower` does and drops the tree; whether it parsed. The
/// benchmark's measure of "parsing alone".
pub fn parse_only(language: Language, text: &str) -> bool {
    match language {
        Language::C => c::parse(text).is_some(),
        Language::Rust => rust::parse_only(text),
    }
}

//! Frontends: source text in, IR out. A frontend knows nothing of lints or outputs.
//!
//! Architecture invariant: lowering never fails and never panics; it returns the IR it could
//! build and the syntax errors it met.

pub mod c;
pub mod incremental;
mod names;
pub mod rust;

pub use names::scan_names;

use crate::ir::{Language, LoweredFile, Span};

/// Which functions a lowering keeps: asked with each function's name (its last segment, as
/// calls name it) and where its definition is in the text. One left out leaves no trace in
/// the IR (a Rust function's nested items are still lowered).
pub type KeepFunction<'a> = &'a (dyn Fn(&str, Span) -> bool + Sync);

/// Lowers one file's text with the frontend for its language.
pub fn lower(language: Language, text: &str) -> LoweredFile {
    lower_only(language, text, &|_, _| true)
}

/// `lower`, with only the functions `keep` keeps.
pub fn lower_only(language: Language, text: &str, keep: KeepFunction<'_>) -> LoweredFile {
    match language {
        Language::C => c::lower_only(text, keep),
        Language::Rust => rust::lower_only(text, keep),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn names(file: &LoweredFile) -> Vec<&str> {
        file.functions.iter().map(|function| function.name.as_str()).collect()
    }

    #[test]
    fn lowering_only_some_functions_leaves_the_others_out_without_a_trace() {
        let keep = |name: &str, _: Span| name != "skipped";
        let c = "int skipped(void) { return 1; }\nint kept(void) { return skipped(); }";
        let c_file = lower_only(Language::C, c, &keep);
        assert_eq!(names(&c_file), ["kept"]);
        assert_eq!(c_file.functions[0].span.start, c.find("int kept").expect("there"));
        let rust = "fn skipped() { fn inner() {} inner(); }\nimpl S { fn skipped(&self) {} fn kept(&self) {} }";
        let rust_file = lower_only(Language::Rust, rust, &keep);
        assert_eq!(names(&rust_file), ["inner", "S::kept"]);
        assert_eq!(names(&lower(Language::Rust, rust)).len(), 4);
    }
}

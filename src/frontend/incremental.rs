//! Lowering a file again after an edit, reusing what the edit left alone: C through
//! tree-sitter's incremental reparse, Rust by parsing again only the items the edit touched.
//! Either way the functions the edit did not reach keep their IR, moved by the edit's length,
//! and the caller learns which ones, so that their analysis can be kept as well.

use std::borrow::Cow;

use super::{c, rust};
use crate::ir::{Language, LoweredFile, TextEdit};

/// What a frontend keeps of a file's parse to lower its next text cheaply.
pub enum KeptParse {
    C(c::CParse),
    Rust(rust::RustParse),
    /// A Rust file that stopped parsing (it has no functions then): the parse, text and IR of
    /// its last text that parsed. Its next text is lowered from that one, so that the edit
    /// that makes it parse again is taken in as one edit of that text (the analysis keeps the
    /// outcomes of that IR's functions meanwhile).
    RustLastParsed {
        parse: rust::RustParse,
        text: String,
        file: LoweredFile,
    },
}

/// A file lowered after an edit.
pub struct Relowered {
    pub file: LoweredFile,
    /// The edit, and for each function of `file` the index of the function of the previous IR
    /// it is (moved by the edit) when it was kept rather than lowered again. For a Rust file
    /// that did not parse, the edit and the previous IR are those of its last text that
    /// parsed. `None` when the whole file was lowered again.
    pub kept: Option<(TextEdit, Vec<Option<usize>>)>,
}

/// Lowers a file from scratch, keeping what lowering its next text needs.
pub fn lower_keeping(language: Language, text: &str) -> (LoweredFile, Option<KeptParse>) {
    match language {
        Language::C => {
            let (file, parse) = c::CParse::lower(text);
            (file, parse.map(KeptParse::C))
        }
        Language::Rust => {
            let (file, parse) = rust::lower_keeping(text);
            (file, parse.map(KeptParse::Rust))
        }
    }
}

/// Lowers `new_text`, which was `old_text` with IR `previous`, from what `parse` kept of it,
/// and keeps in `parse` what the next edit needs; the whole file is lowered again when the
/// edit cannot be taken in part (no parse kept, an edit of an import, text that does not
/// parse).
pub fn relower(
    parse: &mut Option<KeptParse>,
    language: Language,
    previous: LoweredFile,
    old_text: &str,
    new_text: &str,
) -> Relowered {
    let (previous, old_text) = match parse.take() {
        Some(KeptParse::RustLastParsed { parse: last, text, file }) => {
            *parse = Some(KeptParse::Rust(last));
            (file, Cow::Owned(text))
        }
        kept => {
            *parse = kept;
            (previous, Cow::Borrowed(old_text))
        }
    };
    let Some(edit) = TextEdit::between(&old_text, new_text) else {
        let kept = (0..previous.functions.len()).map(Some).collect();
        // Nothing moves: an empty edit at the text's end, which no function's span reaches.
        let end = old_text.len();
        let unchanged = TextEdit { start: end, old_end: end, new_end: end };
        return Relowered { file: previous, kept: Some((unchanged, kept)) };
    };
    let previous = match parse.as_mut() {
        Some(KeptParse::C(kept)) => match kept.relower(previous, &old_text, new_text, edit) {
            Some((file, kept)) => return Relowered { file, kept: Some((edit, kept)) },
            None => None,
        },
        Some(KeptParse::Rust(kept)) => match rust::relower(kept, previous, new_text, edit) {
            Ok((file, kept)) => return Relowered { file, kept: Some((edit, kept)) },
            Err(previous) => Some(previous),
        },
        _ => None,
    };
    let (file, fresh) = lower_keeping(language, new_text);
    *parse = match (fresh, parse.take(), previous) {
        // Rust that no longer parses: keep the last text that did.
        (None, Some(KeptParse::Rust(last)), Some(previous)) => {
            let text = old_text.into_owned();
            Some(KeptParse::RustLastParsed { parse: last, text, file: previous })
        }
        (fresh, _, _) => fresh,
    };
    Relowered { file, kept: None }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::{large_file, many_functions, one_line_edit};
    use crate::frontend::lower;

    /// Each text, edited one random line at a time: the IR lowered incrementally must be the
    /// IR lowered from scratch, and most functions must have been kept.
    /// An edit that breaks the syntax is followed by one back to the last text that parsed, as
    /// someone typing goes through broken text to whole text again.
    fn check(language: Language, text: &str, edits: u64) {
        let (mut file, mut parse) = lower_keeping(language, text);
        let (mut text, mut whole) = (text.to_string(), text.to_string());
        let (mut kept, mut functions) = (0, 0);
        for seed in 1..=edits {
            let new_text = match file.errors.is_empty() {
                true => one_line_edit(&text, language, seed),
                false => whole.clone(),
            };
            let relowered = relower(&mut parse, language, file, &text, &new_text);
            let expected = lower(language, &new_text);
            let json = |file: &LoweredFile| serde_json::to_string_pretty(file).unwrap();
            let (got, wanted) = (json(&relowered.file), json(&expected));
            if got != wanted {
                let diff = similar::TextDiff::from_lines(&wanted, &got);
                let diff = diff.unified_diff().context_radius(8).to_string();
                panic!("edit {seed} of\n{text}\nto\n{new_text}\nexpected (-) got (+):\n{diff}");
            }
            // Into a text that parses (from one that did, or from a broken one back to the last
            // that did), most functions are kept.
            if expected.errors.is_empty() {
                let map = relowered.kept.as_ref().map(|(_, map)| map.as_slice());
                kept += map.unwrap_or_default().iter().flatten().count();
                functions += expected.functions.len();
                whole = new_text.clone();
            }
            (file, text) = (relowered.file, new_text);
        }
        assert!(kept * 10 > functions * 8, "{kept} of {functions} functions kept");
    }

    #[test]
    fn relowering_after_random_edits_is_lowering_from_scratch_in_c() {
        check(Language::C, &many_functions(Language::C, 300), 60);
        check(Language::C, &large_file(Language::C, 3, 400), 60);
    }

    #[test]
    fn relowering_after_random_edits_is_lowering_from_scratch_in_rust() {
        check(Language::Rust, &many_functions(Language::Rust, 300), 60);
        check(Language::Rust, &large_file(Language::Rust, 3, 400), 60);
    }
}

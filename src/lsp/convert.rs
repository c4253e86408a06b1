//! fdlint's diagnostics and fixes as LSP values: the language server's own serialisable
//! types, as every output has its own.

use std::collections::HashMap;

use lsp_types::{
    CodeAction, CodeActionKind, CodeDescription, DiagnosticRelatedInformation, DiagnosticSeverity,
    Location, NumberOrString, TextEdit, Uri, WorkspaceEdit,
};

use super::position::LineIndex;
use crate::diagnostics::{Applicability, Diagnostic, Elsewhere, Fix, Level};
use crate::driver::FileProblem;
use crate::ir::{Language, Span};

/// Where each lint's explanation is published: `FDL001.md` and so on are appended. It is the
/// generated `docs/lints/` folder of the repository, which `fdlint explain` prints as well.
pub const LINT_DOCS_URL: &str = "https://github.com/fdlint/fdlint/blob/main/docs/lints/";

/// The name diagnostics carry as their `source`.
pub const SOURCE: &str = "fdlint";

/// A text and its line index: what a diagnostic's spans are offsets into.
pub struct Document<'a> {
    pub uri: &'a Uri,
    pub text: &'a str,
    pub index: &'a LineIndex,
    pub language: Language,
    /// Places a label that is in another file of the run.
    pub elsewhere: &'a dyn Fn(&Elsewhere) -> Location,
}

impl Document<'_> {
    fn range(&self, span: Span) -> lsp_types::Range {
        self.index.range(self.text, span)
    }
}

pub fn diagnostic(document: &Document, diagnostic: &Diagnostic) -> lsp_types::Diagnostic {
    let related = diagnostic
        .labels
        .iter()
        .map(|label| DiagnosticRelatedInformation {
            location: match &label.elsewhere {
                Some(place) => (document.elsewhere)(place),
                None => Location::new(document.uri.clone(), document.range(label.span)),
            },
            message: label.message.clone(),
        })
        .collect();
    let message = match &diagnostic.help {
        Some(help) => format!("{}\nhelp: {help}", diagnostic.message),
        None => diagnostic.message.clone(),
    };
    lsp_types::Diagnostic {
        range: document.range(diagnostic.span),
        severity: Some(severity(diagnostic.level)),
        code: Some(NumberOrString::String(diagnostic.code.to_string())),
        code_description: lint_doc(diagnostic.code).map(|href| CodeDescription { href }),
        source: Some(SOURCE.to_string()),
        message,
        related_information: Some(related),
        tags: None,
        data: None,
    }
}

fn severity(level: Level) -> DiagnosticSeverity {
    match level {
        Level::Deny => DiagnosticSeverity::ERROR,
        Level::Warn | Level::Allow => DiagnosticSeverity::WARNING,
    }
}

fn lint_doc(code: &str) -> Option<Uri> {
    format!("{LINT_DOCS_URL}{code}.md").parse().ok()
}

/// A file fdlint could not analyse at all (a Rust file that does not parse) says so once,
/// quietly: the language's own server reports the syntax error itself.
pub fn problem(document: &Document, problem: &FileProblem) -> Option<lsp_types::Diagnostic> {
    if problem.recovered {
        return None;
    }
    let range = problem.span.map(|span| document.range(span)).unwrap_or_default();
    Some(lsp_types::Diagnostic {
        range,
        severity: Some(DiagnosticSeverity::INFORMATION),
        source: Some(SOURCE.to_string()),
        message: format!("fdlint did not analyse this file: {}", problem.message),
        ..lsp_types::Diagnostic::default()
    })
}

/// The code actions for one diagnostic: each of its fixes (safe ones preferred), then the
/// comment that allows it.
pub fn code_actions(
    document: &Document,
    found: &Diagnostic,
    published: &lsp_types::Diagnostic,
) -> Vec<CodeAction> {
    let mut actions: Vec<CodeAction> =
        found.fixes.iter().map(|fix| fix_action(document, fix, published)).collect();
    actions.push(allow_action(document, found, published));
    actions
}

fn fix_action(document: &Document, fix: &Fix, published: &lsp_types::Diagnostic) -> CodeAction {
    let edits = fix
        .edits
        .iter()
        .map(|edit| TextEdit::new(document.range(edit.span), edit.replacement.clone()))
        .collect();
    CodeAction {
        title: fix.title.clone(),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![published.clone()]),
        edit: Some(workspace_edit(document.uri, edits)),
        is_preferred: Some(fix.applicability == Applicability::Safe),
        ..CodeAction::default()
    }
}

/// `// fdlint: allow(name)` (`/* */` in C) on its own line before the primary span's line,
/// indented as that line is.
fn allow_action(
    document: &Document,
    found: &Diagnostic,
    published: &lsp_types::Diagnostic,
) -> CodeAction {
    let text = document.text;
    let line_start = document.index.line_start(found.span.start.min(text.len()));
    let indent_len =
        text[line_start..].len() - text[line_start..].trim_start_matches([' ', '\t']).len();
    let indent = &text[line_start..line_start + indent_len];
    let line_end = text[line_start..].find('\n').map_or(text.len(), |n| line_start + n);
    let newline = if text[..line_end].ends_with('\r') { "\r\n" } else { "\n" };
    let comment = match document.language {
        Language::C => format!("/* fdlint: allow({}) */", found.name),
        Language::Rust => format!("// fdlint: allow({})", found.name),
    };
    let at = document.range(Span::new(line_start, line_start));
    let edit = TextEdit::new(at, format!("{indent}{comment}{newline}"));
    CodeAction {
        title: format!("Allow `{}` here", found.name),
        kind: Some(CodeActionKind::QUICKFIX),
        diagnostics: Some(vec![published.clone()]),
        edit: Some(workspace_edit(document.uri, vec![edit])),
        is_preferred: Some(false),
        ..CodeAction::default()
    }
}

fn workspace_edit(uri: &Uri, edits: Vec<TextEdit>) -> WorkspaceEdit {
    WorkspaceEdit {
        changes: Some(HashMap::from([(uri.clone(), edits)])),
        ..WorkspaceEdit::default()
    }
}

#[cfg(test)]
mod tests {
    use lsp_types::{Position, Range};

    use super::*;
    use crate::diagnostics::{Edit, Label};
    use crate::lsp::position::Encoding;

    const C_TEXT: &str =
        "int main(void)\r\n{\r\n\t/* ü */ int fd = socket(1, 2, 0);\r\n\tfork();\r\n}\r\n";

    fn nowhere(place: &Elsewhere) -> Location {
        panic!("no label is elsewhere: {place:?}")
    }

    fn finding(text: &str) -> Diagnostic {
        let fork = text.find("fork").unwrap();
        let socket = text.find("socket").or_else(|| text.find("connect")).unwrap();
        Diagnostic::new(
            "FDL001",
            Span::new(fork, fork + 6),
            "`fd` is live at `fork()`".into(),
            vec![Label::new(Span::new(socket, socket + 6), "1: `fd` opened here")],
        )
        .with_help("close it".into())
    }

    fn check_actions(text: &str, language: Language, found: &Diagnostic) -> Vec<CodeAction> {
        let uri: Uri = "file:///w/a.c".parse().unwrap();
        let index = LineIndex::new(text, Encoding::Utf16);
        let document = Document { uri: &uri, text, index: &index, language, elsewhere: &nowhere };
        let published = diagnostic(&document, found);
        code_actions(&document, found, &published)
    }

    // lsp-types keys edits by `Uri`, whose parser caches inside: it is never mutated here.
    #[allow(clippy::mutable_key_type)]
    fn only_edit(action: &CodeAction) -> TextEdit {
        let changes = action.edit.as_ref().and_then(|e| e.changes.as_ref()).unwrap();
        let edits: Vec<&TextEdit> = changes.values().flatten().collect();
        assert_eq!(edits.len(), 1, "{action:?}");
        edits[0].clone()
    }

    #[test]
    fn a_diagnostic_carries_code_link_labels_and_utf16_ranges() {
        let uri: Uri = "file:///w/a.c".parse().unwrap();
        let index = LineIndex::new(C_TEXT, Encoding::Utf16);
        let document = Document {
            uri: &uri,
            text: C_TEXT,
            index: &index,
            language: Language::C,
            elsewhere: &nowhere,
        };
        let converted = diagnostic(&document, &finding(C_TEXT));
        assert_eq!(converted.range, Range::new(Position::new(3, 1), Position::new(3, 7)));
        assert_eq!(converted.code, Some(NumberOrString::String("FDL001".into())));
        assert_eq!(
            converted.code_description.unwrap().href.as_str(),
            format!("{LINT_DOCS_URL}FDL001.md")
        );
        assert_eq!(converted.source.as_deref(), Some("fdlint"));
        assert_eq!(converted.message, "`fd` is live at `fork()`\nhelp: close it");
        let related = converted.related_information.unwrap();
        // `socket` comes after a tab and `/* ü */ int fd = `: 18 UTF-16 units (19 bytes).
        assert_eq!(related[0].location.range.start, Position::new(2, 18));
        assert_eq!(related[0].message, "1: `fd` opened here");
    }

    #[test]
    fn each_fix_becomes_a_quick_fix_and_the_safe_one_is_preferred() {
        let at = C_TEXT.find("\tfork").unwrap() + 1;
        let found = finding(C_TEXT)
            .with_fix(Fix {
                title: "close `fd` in the child".into(),
                applicability: Applicability::Safe,
                edits: vec![Edit::insert(at, "close(fd);\r\n\t")],
            })
            .with_fix(Fix {
                title: "shut `fd` down".into(),
                applicability: Applicability::Unsafe,
                edits: vec![Edit::replace(Span::new(at, at + 4), "shutdown")],
            });
        let actions = check_actions(C_TEXT, Language::C, &found);
        assert_eq!(actions.len(), 3);
        assert_eq!(actions[0].title, "close `fd` in the child");
        assert_eq!(actions[0].kind, Some(CodeActionKind::QUICKFIX));
        assert_eq!(actions[0].is_preferred, Some(true));
        assert_eq!(
            only_edit(&actions[0]),
            TextEdit::new(
                Range::new(Position::new(3, 1), Position::new(3, 1)),
                "close(fd);\r\n\t".into()
            )
        );
        assert_eq!(actions[1].is_preferred, Some(false));
        assert_eq!(
            only_edit(&actions[1]).range,
            Range::new(Position::new(3, 1), Position::new(3, 5))
        );
        assert_eq!(
            actions[0].diagnostics.as_ref().unwrap()[0].code,
            Some(NumberOrString::String("FDL001".into()))
        );
    }

    #[test]
    fn the_allow_comment_goes_on_the_line_before_with_its_indentation_and_line_ending() {
        let actions = check_actions(C_TEXT, Language::C, &finding(C_TEXT));
        let edit = only_edit(actions.last().unwrap());
        assert_eq!(edit.range, Range::new(Position::new(3, 0), Position::new(3, 0)));
        assert_eq!(edit.new_text, "\t/* fdlint: allow(fork_after_connect) */\r\n");

        let rust = "fn main() {\n    let s = connect();\n    fork();\n}\n";
        let actions = check_actions(rust, Language::Rust, &finding(rust));
        let edit = only_edit(&actions[0]);
        assert_eq!(edit.range.start, Position::new(2, 0));
        assert_eq!(edit.new_text, "    // fdlint: allow(fork_after_connect)\n");
    }
}

//! Allow comments: `// fdlint: allow(fork_after_connect, FDL002)` (or `/* … */`) on the line of
//! a finding's primary span, or on the line before, silences it. A silenced finding stays in
//! the report, marked, so outputs that keep them (SARIF) can; an allow that silences nothing is
//! reported as `unused_allow`.
//!
//! This module reads source text only; the analysis knows nothing of it.

pub mod add_allow;
pub mod comments;

use crate::diagnostics::{Diagnostic, Suppression};
use crate::ir::{Language, Span};
use crate::lints::{self, unused_allow};
use crate::source::SourceFile;

pub use comments::{comments, Comment};

/// One allow comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Allow {
    pub comment: Comment,
    /// The names in `allow(…)`, as written.
    pub items: Vec<AllowItem>,
    /// The comment starts with `fdlint:` but does not read as `allow(…)` (`alow(x)`, a
    /// missing parenthesis): it silences nothing, and says so.
    pub malformed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AllowItem {
    pub name: String,
    pub span: Span,
}

/// The lint an allow item names, if it names one.
impl AllowItem {
    pub fn lint(&self) -> Option<&'static lints::Lint> {
        lints::find(&self.name)
    }
}

/// Every allow comment of a file.
pub fn allows(language: Language, text: &str) -> Vec<Allow> {
    comments(language, text).into_iter().filter_map(|comment| parse_allow(text, comment)).collect()
}

/// `fdlint: allow(a, b)` at the start of a comment's text; anything may follow the `)`.
fn parse_allow(text: &str, comment: Comment) -> Option<Allow> {
    let (body_start, body) = comment.body(text);
    let rest = body.trim_start().strip_prefix("fdlint:")?.trim_start();
    let list = rest
        .strip_prefix("allow")
        .and_then(|rest| rest.trim_start().strip_prefix('('))
        .and_then(|list| Some(&list[..list.find(')')?]));
    let Some(list) = list else {
        return Some(Allow { comment, items: Vec::new(), malformed: true });
    };
    let mut items = Vec::new();
    for part in list.split(',') {
        let name = part.trim();
        if !name.is_empty() {
            let start = body_start + offset_in(body, name);
            let span = Span::new(start, start + name.len());
            items.push(AllowItem { name: name.to_string(), span });
        }
    }
    Some(Allow { comment, items, malformed: false })
}

/// Where `part`, a slice of `whole`, starts in it.
fn offset_in(whole: &str, part: &str) -> usize {
    part.as_ptr() as usize - whole.as_ptr() as usize
}

/// Marks the diagnostics that an allow comment silences and adds an `unused_allow` finding for
/// every allow comment with names that silence nothing or are not lints.
pub fn apply(source: &SourceFile, diagnostics: &mut Vec<Diagnostic>) {
    let allows = allows(source.language, &source.text);
    if allows.is_empty() {
        return;
    }
    let covered: Vec<(usize, usize)> =
        allows.iter().map(|allow| lines_covered(source, allow)).collect();
    let mut used = vec![Vec::new(); allows.len()];
    silence(source, diagnostics, &allows, &covered, &mut used);
    let mut reported = Vec::new();
    for (index, allow) in allows.iter().enumerate() {
        let problems: Vec<&AllowItem> = allow
            .items
            .iter()
            .enumerate()
            .filter(|(position, item)| !used[index].contains(position) && !names_unused_allow(item))
            .map(|(_, item)| item)
            .collect();
        if !problems.is_empty() || allow.items.is_empty() {
            reported.push(unused_allow::diagnostic(&source.text, allow, &problems));
        }
    }
    // An allow comment may silence `unused_allow` itself, for whatever it says besides.
    silence(source, &mut reported, &allows, &covered, &mut used);
    diagnostics.extend(reported);
}

fn names_unused_allow(item: &AllowItem) -> bool {
    item.lint().is_some_and(|lint| lint.code == unused_allow::CODE)
}

/// The lines an allow comment speaks for: its own, and the one after it.
fn lines_covered(source: &SourceFile, allow: &Allow) -> (usize, usize) {
    let (first, _) = source.line_column(allow.comment.span.start);
    let (last, _) = source.line_column(allow.comment.span.end);
    (first, last + 1)
}

fn silence(
    source: &SourceFile,
    diagnostics: &mut [Diagnostic],
    allows: &[Allow],
    covered: &[(usize, usize)],
    used: &mut [Vec<usize>],
) {
    for diagnostic in diagnostics.iter_mut().filter(|d| d.suppressed.is_none()) {
        let (line, _) = source.line_column(diagnostic.span.start);
        for (index, allow) in allows.iter().enumerate() {
            let (first, last) = covered[index];
            if !(first..=last).contains(&line) {
                continue;
            }
            let matching = allow
                .items
                .iter()
                .position(|item| item.lint().is_some_and(|lint| lint.code == diagnostic.code));
            if let Some(item) = matching {
                diagnostic.suppressed = Some(Suppression { span: allow.comment.span });
                if !used[index].contains(&item) {
                    used[index].push(item);
                }
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::driver::lint_source;

    const LEAK: &str = "int main(void)\r\n{\r\n    int fd = socket(AF_INET, SOCK_STREAM, 0);\r\n    COMMENT\r\n    if (fork()) close(fd);\r\n    sleep(100);\r\n    return 0;\r\n}\r\n";

    /// (code, suppressed) of each finding of `text`.
    fn findings(text: &str) -> Vec<(&'static str, bool)> {
        let source = SourceFile::new("t.c".into(), text.to_string(), Language::C);
        let report = lint_source(source, &Catalog::builtin());
        report.diagnostics.iter().map(|d| (d.code, d.suppressed.is_some())).collect()
    }

    #[test]
    fn allows_are_parsed_with_the_span_of_each_name() {
        let text = "x; /* fdlint:allow( FDL001 ,fork_after_connect) why */ // fdlint: other";
        let found = allows(Language::C, text);
        assert_eq!(found.len(), 2);
        assert!(!found[0].malformed && found[1].malformed);
        let names: Vec<&str> =
            found[0].items.iter().map(|i| &text[i.span.start..i.span.end]).collect();
        assert_eq!(names, ["FDL001", "fork_after_connect"]);
    }

    #[test]
    fn a_used_allow_marks_the_finding_and_is_not_reported() {
        let text = LEAK.replace("COMMENT", "// fdlint: allow(FDL001)");
        assert_eq!(findings(&text), [("FDL001", true)]);
        assert_eq!(findings(&LEAK.replace("COMMENT", "")), [("FDL001", false)]);
    }

    #[test]
    fn the_fix_of_an_unused_allow_removes_its_line_and_keeps_crlf() {
        let text = LEAK.replace("COMMENT", "// fdlint: allow(FDL001, FDL002)");
        let source = SourceFile::new("t.c".into(), text.clone(), Language::C);
        let report = lint_source(source, &Catalog::builtin());
        let unused: Vec<_> = report.diagnostics.iter().filter(|d| d.code == "FDL005").collect();
        assert_eq!(unused.len(), 1);
        let edit = &unused[0].fixes[0].edits[0];
        let fixed =
            format!("{}{}{}", &text[..edit.span.start], edit.replacement, &text[edit.span.end..]);
        assert_eq!(fixed, LEAK.replace("COMMENT", "// fdlint: allow(FDL001)"));

        let alone = LEAK.replace("COMMENT", "/* fdlint: allow(FDL004) */");
        let source = SourceFile::new("t.c".into(), alone.clone(), Language::C);
        let report = lint_source(source, &Catalog::builtin());
        let fix = &report.diagnostics.iter().find(|d| d.code == "FDL005").unwrap().fixes[0];
        assert_eq!(fix.applicability, crate::diagnostics::Applicability::Safe);
        let edit = &fix.edits[0];
        let fixed =
            format!("{}{}{}", &alone[..edit.span.start], edit.replacement, &alone[edit.span.end..]);
        assert_eq!(fixed, LEAK.replace("    COMMENT\r\n", ""));
        assert_eq!(findings(&fixed), [("FDL001", false)]);
    }

    #[test]
    fn an_allow_may_silence_unused_allow_itself() {
        let text = LEAK.replace("COMMENT", "// fdlint: allow(FDL001, FDL002, unused_allow)");
        assert_eq!(findings(&text), [("FDL005", true), ("FDL001", true)]);
    }
}

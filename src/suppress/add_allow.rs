//! `--add-allow`: an allow comment for every current finding, so that a legacy tree can adopt
//! fdlint and fail only on new findings (ruff's `--add-noqa`). The comment goes on its own line
//! before the finding's line, with that line's indentation and line ending, in the file's
//! comment style; when an allow comment already covers the line, the names join its list.
//! Silenced findings get nothing, so running it twice adds nothing.
//!
//! In a C file tree-sitter only partly parses, a new line can change what it recovers, and
//! with it the findings; `add_allows_settled` lints the run again after adding, and adds again,
//! until nothing more is added.

use std::collections::BTreeMap;

use super::{allows, comments};
use crate::diagnostics::{Diagnostic, Edit};
use crate::ir::Language;
use crate::lints::unused_allow;
use crate::source::SourceFile;

/// Rounds of adding and linting again, the last only to check that nothing more is added.
pub const MAX_ROUNDS: usize = 4;

/// What `--add-allow` does to one file: its new text and how many allow comments were written
/// or grown; `Ok(None)` when there is nothing to add; an error saying why it is left alone.
pub type Added = Result<Option<(String, usize)>, String>;

/// `--add-allow` over the sources of a run, with `lint` giving each source's findings when
/// they are linted together (in their order). After adding, the run is linted again and the
/// findings the new text brought get their comments too, until nothing more is added; so
/// `add_allows` on the result's findings adds nothing. A file still gaining names in the last
/// round, or whose comments cannot be added, is left as it was.
pub fn add_allows_settled(
    mut sources: Vec<SourceFile>,
    mut lint: impl FnMut(&[SourceFile]) -> Vec<Vec<Diagnostic>>,
) -> Vec<Added> {
    let originals: Vec<String> = sources.iter().map(|source| source.text.clone()).collect();
    let mut added = vec![0; sources.len()];
    let mut refused: Vec<Option<String>> = vec![None; sources.len()];
    let mut findings = lint(&sources);
    for round in 1..=MAX_ROUNDS {
        let mut changed = false;
        let files = sources.iter_mut().zip(&findings).zip(&mut added).zip(&mut refused);
        for ((((source, diagnostics), added), refused), original) in files.zip(&originals) {
            if refused.is_some() {
                continue;
            }
            let problem = match add_allows(source, diagnostics) {
                Ok(None) => continue,
                Ok(Some((text, count))) if round < MAX_ROUNDS => {
                    source.replace_text(text);
                    *added += count;
                    changed = true;
                    continue;
                }
                Ok(Some(_)) => "every allow comment added changes how the file parses (it has \
                    syntax errors), and with it the findings; add them by hand"
                    .to_string(),
                Err(problem) => problem,
            };
            *refused = Some(problem);
            if *added > 0 {
                source.replace_text(original.clone());
                changed = true;
            }
        }
        if !changed || round == MAX_ROUNDS {
            break;
        }
        findings = lint(&sources);
    }
    let results = sources.into_iter().zip(added).zip(refused);
    results
        .map(|((source, added), refused)| match refused {
            Some(problem) => Err(problem),
            None if added == 0 => Ok(None),
            None => Ok(Some((source.text, added))),
        })
        .collect()
}

/// The file's text with the allow comments added, and how many were written or grown;
/// `Ok(None)` when there is nothing to add. An error when the new text does not read back with
/// every name added (a comment that would land inside a multi-line string): the file is then
/// left alone.
pub fn add_allows(
    source: &SourceFile,
    diagnostics: &[Diagnostic],
) -> Result<Option<(String, usize)>, String> {
    let mut edits = allow_edits(source, diagnostics);
    if edits.is_empty() {
        return Ok(None);
    }
    let added = edits.len();
    let names_added: usize = edits.iter().map(|edit| names_in(source.language, edit)).sum();
    edits.sort_by_key(|edit| std::cmp::Reverse(edit.span.start));
    let mut text = source.text.clone();
    for edit in &edits {
        text.replace_range(edit.span.start..edit.span.end, &edit.replacement);
    }
    let count =
        |text: &str| allows(source.language, text).iter().map(|a| a.items.len()).sum::<usize>();
    if count(&text) != count(&source.text) + names_added {
        return Err(
            "an allow comment would not read as one there (inside a string?); add it by hand"
                .to_string(),
        );
    }
    Ok(Some((text, added)))
}

/// How many lint names an edit of `allow_edits` adds.
fn names_in(language: Language, edit: &Edit) -> usize {
    match edit.replacement.strip_prefix(", ") {
        Some(list) => list.split(", ").count(),
        None => allows(language, &edit.replacement).iter().map(|a| a.items.len()).sum(),
    }
}

/// The edits that silence `diagnostics` (one per line that has findings, none of them
/// overlapping), for `--add-allow` or an editor's "silence this" action.
pub fn allow_edits(source: &SourceFile, diagnostics: &[Diagnostic]) -> Vec<Edit> {
    // Line → the lint names to allow there. An unused allow is fixed by removing it, not
    // silenced.
    let mut wanted: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for diagnostic in diagnostics {
        if diagnostic.suppressed.is_some() || diagnostic.code == unused_allow::CODE {
            continue;
        }
        let (line, _) = source.line_column(diagnostic.span.start);
        let names = wanted.entry(line).or_default();
        if !names.contains(&diagnostic.name) {
            names.push(diagnostic.name);
        }
    }
    if wanted.is_empty() {
        return Vec::new();
    }
    let existing = allows(source.language, &source.text);
    let style = Style::of(source);
    let mut edits = Vec::new();
    // An allow comment that already covers a line grows its list; one comment may cover two
    // lines with findings, so the names it gains are gathered first.
    let mut grown: BTreeMap<usize, Vec<&str>> = BTreeMap::new();
    for (line, names) in &wanted {
        let covering = existing.iter().find(|allow| {
            let (first, _) = source.line_column(allow.comment.span.start);
            let (last, _) = source.line_column(allow.comment.span.end);
            (first..=last + 1).contains(line) && !allow.items.is_empty()
        });
        match covering.and_then(|allow| allow.items.last()) {
            Some(last_item) => {
                let gained = grown.entry(last_item.span.end).or_default();
                gained
                    .extend(names.iter().filter(|name| !gained.contains(name)).collect::<Vec<_>>());
            }
            None => edits.push(style.new_line(source, *line, names)),
        }
    }
    for (at, names) in grown {
        edits.push(Edit::insert(at, format!(", {}", names.join(", "))));
    }
    edits
}

/// How the file writes comments and ends lines.
struct Style {
    block: bool,
    newline: &'static str,
}

impl Style {
    /// Rust files, and C files that already use `//`, get `//`; other C files `/* */`.
    fn of(source: &SourceFile) -> Style {
        let block = source.language == Language::C
            && !comments(source.language, &source.text).iter().any(|c| !c.block);
        let first_end = source.text.find('\n');
        let crlf = first_end.is_some_and(|n| source.text[..n].ends_with('\r'));
        Style { block, newline: if crlf { "\r\n" } else { "\n" } }
    }

    /// A line with the comment, inserted before `line` with its indentation.
    fn new_line(&self, source: &SourceFile, line: usize, names: &[&str]) -> Edit {
        let start = line_start(&source.text, line);
        let rest = &source.text[start..];
        let indent = &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()];
        let own_end = rest.find('\n').map(|n| &rest[..n]);
        let newline = match own_end {
            Some(content) if content.ends_with('\r') => "\r\n",
            Some(_) => "\n",
            None => self.newline,
        };
        let directive = format!("fdlint: allow({})", names.join(", "));
        let in_macro =
            previous_line(&source.text, start).is_some_and(|prev| prev.trim_end().ends_with('\\'));
        let comment = if self.block || in_macro {
            format!("/* {directive} */")
        } else {
            format!("// {directive}")
        };
        // Inside a C macro the new line must go on continuing it.
        let continuation = if in_macro { " \\" } else { "" };
        Edit::insert(start, format!("{indent}{comment}{continuation}{newline}"))
    }
}

fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n').nth(line - 2).map_or(text.len(), |(n, _)| n + 1)
}

fn previous_line(text: &str, start: usize) -> Option<&str> {
    let before = text[..start].strip_suffix('\n')?;
    let begin = before.rfind('\n').map_or(0, |n| n + 1);
    Some(&before[begin..])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Span;

    /// The text after allowing an FDL001 finding at each of `needles`.
    fn allowed(language: Language, text: &str, needles: &[&str]) -> String {
        let source = SourceFile::new("t".into(), text.to_string(), language);
        let diagnostics: Vec<Diagnostic> = needles
            .iter()
            .map(|needle| {
                let start = text.find(needle).expect("needle");
                let span = Span::new(start, start + needle.len());
                Diagnostic::new("FDL001", span, String::new(), Vec::new())
            })
            .collect();
        add_allows(&source, &diagnostics).unwrap().map_or(text.to_string(), |(text, _)| text)
    }

    /// A "linter" for `add_allows_settled`: an FDL001 at each `fork(` and, once an allow
    /// comment is in the file, an FDL002 at each `write(` (as a changed recovery might bring).
    fn findings_change_with_the_comments(sources: &[SourceFile]) -> Vec<Vec<Diagnostic>> {
        let at = |text: &str, needle: &str, code: &'static str| -> Vec<Diagnostic> {
            let spans = text.match_indices(needle).map(|(start, _)| start);
            spans
                .map(|start| {
                    let span = Span::new(start, start + needle.len());
                    Diagnostic::new(code, span, String::new(), Vec::new())
                })
                .collect()
        };
        let lint = |source: &SourceFile| {
            let mut found = at(&source.text, "fork(", "FDL001");
            if source.text.contains("fdlint:") {
                found.extend(at(&source.text, "write(", "FDL002"));
            }
            crate::suppress::apply(source, &mut found);
            found
        };
        sources.iter().map(lint).collect()
    }

    #[test]
    fn findings_the_comments_bring_are_allowed_in_the_same_run() {
        let text = "fork();\nwrite();\n";
        let source = SourceFile::new("t.c".into(), text.to_string(), Language::C);
        let added = add_allows_settled(vec![source], findings_change_with_the_comments);
        let (text, count) = added[0].clone().unwrap().expect("comments added");
        assert_eq!(
            text,
            "/* fdlint: allow(fork_after_connect) */\nfork();\n\
             /* fdlint: allow(connection_shared_across_fork) */\nwrite();\n"
        );
        assert_eq!(count, 2);
        let again = SourceFile::new("t.c".into(), text, Language::C);
        let findings = findings_change_with_the_comments(std::slice::from_ref(&again));
        assert_eq!(add_allows(&again, &findings[0]), Ok(None));
    }

    #[test]
    fn a_file_still_gaining_names_in_the_last_round_is_left_as_it_was() {
        // A finding no comment silences, as if each comment line moved it out of reach.
        let never_silenced = |sources: &[SourceFile]| -> Vec<Vec<Diagnostic>> {
            let finding = |source: &SourceFile| {
                let start = source.text.find("fork").unwrap_or(0);
                vec![Diagnostic::new("FDL001", Span::new(start, start + 4), String::new(), vec![])]
            };
            sources.iter().map(finding).collect()
        };
        let source = SourceFile::new("t.c".into(), "fork();\n".to_string(), Language::C);
        let added = add_allows_settled(vec![source], never_silenced);
        assert!(added[0].as_ref().is_err_and(|problem| problem.contains("by hand")), "{added:?}");
    }

    #[test]
    fn c_without_line_comments_gets_a_block_comment() {
        assert_eq!(
            allowed(Language::C, "/* x */\n\tfork();", &["fork"]),
            "/* x */\n\t/* fdlint: allow(fork_after_connect) */\n\tfork();"
        );
        assert_eq!(
            allowed(Language::C, "// x\r\n  fork();\r\n", &["fork"]),
            "// x\r\n  // fdlint: allow(fork_after_connect)\r\n  fork();\r\n"
        );
    }

    #[test]
    fn an_allow_covering_two_lines_with_findings_gains_each_name_once() {
        let text = "a(); // fdlint: allow(FDL002)\nb();\n";
        assert_eq!(
            allowed(Language::C, text, &["a()", "b()"]),
            "a(); // fdlint: allow(FDL002, fork_after_connect)\nb();\n"
        );
    }

    #[test]
    fn a_comment_that_would_land_inside_a_string_is_refused() {
        let text = "fn f() {\n    let s = \"a\n    b\"; fork();\n}\n";
        let source = SourceFile::new("t".into(), text.to_string(), Language::Rust);
        let start = text.find("fork").unwrap();
        let finding =
            Diagnostic::new("FDL001", Span::new(start, start + 4), String::new(), Vec::new());
        assert!(add_allows(&source, &[finding]).is_err());
    }

    #[test]
    fn a_line_inside_a_macro_goes_on_continuing_it() {
        assert_eq!(
            allowed(Language::C, "#define F() \\\n    fork(); \\\n    x()\n", &["fork"]),
            "#define F() \\\n    /* fdlint: allow(fork_after_connect) */ \\\n    fork(); \\\n    x()\n"
        );
    }

    #[test]
    fn two_findings_on_one_line_share_a_comment_and_silenced_ones_get_none() {
        let text = "fn f() {\n    a(); b();\n}\n";
        assert_eq!(
            allowed(Language::Rust, text, &["a()", "b()"]),
            "fn f() {\n    // fdlint: allow(fork_after_connect)\n    a(); b();\n}\n"
        );
        let source = SourceFile::new("t".into(), text.to_string(), Language::Rust);
        let mut silenced = Diagnostic::new("FDL001", Span::new(13, 14), String::new(), Vec::new());
        silenced.suppressed = Some(crate::diagnostics::Suppression { span: Span::new(0, 0) });
        assert_eq!(add_allows(&source, &[silenced]), Ok(None));
    }
}

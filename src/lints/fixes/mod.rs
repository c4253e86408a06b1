//! Text for fix-its, shared by the lints: statements inserted at the start of a branch or put
//! in place of one, in the file's own line endings, indentation and brace style. Positions
//! come from the facts and the IR; the text is only read for whitespace and the characters
//! next to a span, never parsed.

use crate::diagnostics::Edit;
use crate::ir::{BranchEntry, LoweredFile, Span};
use crate::source::SourceFile;

mod moves;
#[cfg(test)]
mod tests;

pub use moves::move_declaration;

/// What a lint needs to build fixes for one file.
pub struct FileContext<'a> {
    pub source: &'a SourceFile,
    pub lowered: &'a LoweredFile,
}

impl FileContext<'_> {
    pub fn text(&self) -> &str {
        &self.source.text
    }

    pub fn style(&self) -> Style {
        Style::of(&self.source.text)
    }

    /// The source text of a span (empty when the span is not in the file).
    pub fn slice(&self, span: Span) -> &str {
        self.source.text.get(span.start..span.end).unwrap_or("")
    }
}

/// A file's line ending and indentation unit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    pub newline: &'static str,
    pub unit: String,
}

impl Style {
    /// CRLF when the file's first line ends so; a tab when lines are indented with tabs,
    /// otherwise the smallest indentation in spaces (4 when nothing is indented).
    pub fn of(text: &str) -> Style {
        let newline = match text.find('\n') {
            Some(index) if text[..index].ends_with('\r') => "\r\n",
            _ => "\n",
        };
        // Block comment continuations (` * text`) are not indentation.
        let indents = text
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('*'))
            .map(leading_whitespace);
        let (mut tabs, mut spaced) = (0, 0);
        let mut smallest = usize::MAX;
        for indent in indents {
            if indent.starts_with('\t') {
                tabs += 1;
            } else if !indent.is_empty() {
                spaced += 1;
                smallest = smallest.min(indent.len());
            }
        }
        let unit = match (tabs, spaced) {
            (0, 0) => "    ".to_string(),
            _ if tabs >= spaced => "\t".to_string(),
            _ => " ".repeat(smallest),
        };
        Style { newline, unit }
    }
}

fn leading_whitespace(line: &str) -> &str {
    let trimmed = line.trim_start_matches([' ', '\t']);
    &line[..line.len() - trimmed.len()]
}

/// The indentation of the line that holds `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let offset = floor_boundary(text, offset);
    let start = text[..offset].rfind('\n').map_or(0, |index| index + 1);
    leading_whitespace(&text[start..])
}

fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The offset just after the last non-blank character before `offset`.
fn end_of_previous_token(text: &str, offset: usize) -> usize {
    let offset = floor_boundary(text, offset);
    text[..offset].trim_end().len()
}

/// Where statements go after an opening brace: the end of its line when only a comment
/// follows it there (the comment stays with the brace), else right after it.
fn after_brace(text: &str, offset: usize) -> usize {
    let rest = &text[offset..];
    let line = &rest[..rest.find('\n').unwrap_or(rest.len())];
    let line = line.strip_suffix('\r').unwrap_or(line);
    let trailing = line.trim();
    let comment_only = trailing.starts_with("//")
        || trailing.starts_with("/*")
            && trailing.ends_with("*/")
            && trailing.matches("*/").count() == 1;
    if trailing.is_empty() || comment_only {
        offset + line.len()
    } else {
        offset
    }
}

/// Edits that make `stmts` the first statements of the branch that begins at `entry`.
/// A braced body gets them after its `{`; a body without braces is wrapped in braces with
/// them; an `if` without `else` gets an `else` holding them.
pub fn insert_at_branch(
    text: &str,
    style: &Style,
    entry: BranchEntry,
    stmts: &[String],
) -> Option<Vec<Edit>> {
    let nl = style.newline;
    match entry {
        BranchEntry::Body { span, braced: true } => {
            if text.as_bytes().get(span.start) != Some(&b'{') {
                return None;
            }
            let inner = format!("{}{}", line_indent(text, span.start), style.unit);
            let lines: String = stmts.iter().map(|stmt| format!("{nl}{inner}{stmt}")).collect();
            Some(vec![Edit::insert(after_brace(text, span.start + 1), lines)])
        }
        BranchEntry::Body { span, braced: false } => {
            let original = text.get(span.start..span.end)?;
            Some(vec![wrap_in_braces(text, style, span, stmts, original)])
        }
        BranchEntry::MissingElse { if_start, then_body, then_braced } => {
            let base = line_indent(text, if_start);
            let inner = format!("{base}{}", style.unit);
            let body: String = stmts.iter().map(|stmt| format!("{nl}{inner}{stmt}")).collect();
            let on_if_line = !text.get(if_start..then_body.start)?.contains('\n');
            let clause = match (then_braced, on_if_line, stmts) {
                (true, _, _) => format!(" else {{{body}{nl}{base}}}"),
                (false, true, [stmt]) => format!(" else {stmt}"),
                (false, false, [stmt]) => format!("{nl}{base}else{nl}{inner}{stmt}"),
                (false, _, _) => format!("{nl}{base}else {{{body}{nl}{base}}}"),
            };
            Some(vec![Edit::insert(then_body.end, clause)])
        }
    }
}

/// Replaces the body at `span` (a statement or expression without braces) with a braced
/// block holding `stmts` and then `last`, the brace opening where the body's line began.
fn wrap_in_braces(text: &str, style: &Style, span: Span, stmts: &[String], last: &str) -> Edit {
    let nl = style.newline;
    let start = end_of_previous_token(text, span.start);
    let base = line_indent(text, start);
    let inner = format!("{base}{}", style.unit);
    // The body moves one level in, unless a string literal may span its lines.
    let last = if may_hold_multiline_string(last) {
        last.to_string()
    } else {
        last.replace(nl, &format!("{nl}{}", style.unit))
    };
    let mut block = String::from(" {");
    for stmt in stmts.iter().chain([&last]) {
        block += &format!("{nl}{inner}{stmt}");
    }
    block += &format!("{nl}{base}}}");
    Edit::replace(Span::new(start, span.end), block)
}

/// Whether a string literal may run across lines of `code`: a raw string, or a line with an
/// odd number of unescaped quotes (a `'"'` character literal counts too, to be safe).
fn may_hold_multiline_string(code: &str) -> bool {
    let unbalanced =
        |line: &str| (line.matches('"').count() - line.matches("\\\"").count()) % 2 == 1;
    code.contains("r\"") || code.contains("r#") || code.lines().any(unbalanced)
}

/// Edits that put `stmts` in place of the call statement at `call` (`close(fd);`): on lines
/// of their own in a list of statements; wrapped in braces where the call is the body of a
/// branch without braces. The last of `stmts` takes the place of the call, before its `;`.
pub fn replace_call_statement(
    text: &str,
    style: &Style,
    call: Span,
    stmts: &[String],
) -> Option<Edit> {
    let (last, first) = stmts.split_last()?;
    let before = text.get(..end_of_previous_token(text, call.start))?;
    if before.is_empty() || before.ends_with([';', '{', '}']) {
        let indent = line_indent(text, call.start);
        let mut replacement = String::new();
        for stmt in first {
            replacement += &format!("{stmt}{}{indent}", style.newline);
        }
        replacement += last;
        return Some(Edit::replace(call, replacement));
    }
    // A braceless body: the statement runs to its `;`, which moves into the braces.
    let after = text.get(call.end..)?;
    let semicolon = after.len() - after.trim_start().len();
    let has_semicolon = after[semicolon..].starts_with(';');
    let end = if has_semicolon { call.end + semicolon + 1 } else { call.end };
    let last = if has_semicolon { format!("{last};") } else { last.clone() };
    Some(wrap_in_braces(text, style, Span::new(call.start, end), first, &last))
}

/// A plain variable name, which a fix-it can write again as it is.
pub fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Rust: how to name `path` (`std::net::Shutdown`) in the file, and the edit that imports it
/// when it is not imported yet. A file that imports the name from elsewhere gets the full path.
pub fn rust_import(context: &FileContext, path: &str) -> (String, Option<Edit>) {
    let name = path.rsplit("::").next().unwrap_or(path).to_string();
    let imports = &context.lowered.top_imports;
    match imports.iter().find(|(alias, _)| *alias == name) {
        Some((_, full)) if full == path => return (name, None),
        Some(_) => return (path.to_string(), None),
        None => {}
    }
    let Some(site) = context.lowered.use_site else { return (path.to_string(), None) };
    let nl = context.style().newline;
    let edit = if site.after_use {
        Edit::insert(site.at, format!("{nl}use {path};"))
    } else {
        Edit::insert(site.at, format!("use {path};{nl}{nl}"))
    };
    (name, Some(edit))
}

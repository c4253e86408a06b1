//! FDL005 `unused_allow`: an allow comment that silences nothing, or names no lint. Its
//! declaration is in `lints/unused_allow.toml`; `suppress` finds the comments and what they
//! silence. The fix removes what silences nothing: the names, or the whole comment (and its
//! line when the comment is alone on it).

use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Label};
use crate::ir::Span;
use crate::suppress::{Allow, AllowItem};

pub const CODE: &str = "FDL005";

/// The finding for `allow`, whose `problems` silence nothing. A comment fdlint cannot read gets
/// no fix: what it meant to silence is for a person to say.
pub fn diagnostic(text: &str, allow: &Allow, problems: &[&AllowItem]) -> Diagnostic {
    let labels = problems.iter().map(|item| Label::new(item.span, item_label(item))).collect();
    let whole = problems.len() == allow.items.len();
    if allow.malformed {
        let message = "cannot read this allow comment: write `fdlint: allow(LINT, ...)`";
        return Diagnostic::new(CODE, allow.comment.span, message.to_string(), Vec::new())
            .with_help(
            "a lint's code (`FDL001`) or name (`fork_after_connect`), several separated by commas"
                .to_string(),
        );
    }
    let message = match problems {
        [] => "this allow comment names no lint".to_string(),
        [item] => item_problem(item),
        _ => format!("{} names in this allow comment silence nothing", problems.len()),
    };
    let fix = if whole {
        Fix {
            title: "remove the allow comment".to_string(),
            applicability: Applicability::Safe,
            edits: vec![Edit::replace(removal(text, allow.comment.span), "")],
        }
    } else {
        Fix {
            title: "remove the names that silence nothing".to_string(),
            applicability: Applicability::Safe,
            edits: vec![keep_only_used(allow, problems)],
        }
    };
    Diagnostic::new(CODE, allow.comment.span, message, labels)
        .with_help(fix.title.clone())
        .with_fix(fix)
}

fn item_label(item: &AllowItem) -> &'static str {
    match item.lint() {
        Some(_) => "silences nothing",
        None => "not a lint",
    }
}

fn item_problem(item: &AllowItem) -> String {
    match item.lint() {
        Some(lint) => format!("no `{}` finding here or on the next line to silence", lint.name),
        None => match crate::lints::closest(&item.name) {
            Some(lint) => format!("`{}` is not a lint; did you mean `{}`?", item.name, lint.name),
            None => format!("`{}` is not a lint", item.name),
        },
    }
}

/// Rewrites the list inside `allow(…)` with the names that do silence something.
fn keep_only_used(allow: &Allow, problems: &[&AllowItem]) -> Edit {
    let kept: Vec<&str> = allow
        .items
        .iter()
        .filter(|item| !problems.contains(item))
        .map(|item| item.name.as_str())
        .collect();
    let first = allow.items.first().map_or(0, |item| item.span.start);
    let last = allow.items.last().map_or(0, |item| item.span.end);
    Edit::replace(Span::new(first, last), kept.join(", "))
}

/// What to delete to remove a comment: its whole line (with the line ending) when nothing else
/// is on it, else the comment and the blanks that separate it from the code.
pub fn removal(text: &str, comment: Span) -> Span {
    let line_start = text[..comment.start].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[comment.end..].find('\n').map_or(text.len(), |n| comment.end + n);
    let before = &text[line_start..comment.start];
    let after = text[comment.end..line_end].trim_end_matches('\r');
    let is_blank = |s: &str| s.chars().all(|c| c == ' ' || c == '\t');
    match (is_blank(before), is_blank(after)) {
        (true, true) => Span::new(line_start, (line_end + 1).min(text.len())),
        (false, _) => {
            let start = comment.start - (before.len() - before.trim_end_matches([' ', '\t']).len());
            Span::new(start, comment.end)
        }
        (true, false) => {
            let end = comment.end + (after.len() - after.trim_start_matches([' ', '\t']).len());
            Span::new(comment.start, end)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn remove(text: &str, comment: &str) -> String {
        let start = text.find(comment).unwrap();
        let span = removal(text, Span::new(start, start + comment.len()));
        format!("{}{}", &text[..span.start], &text[span.end..])
    }

    #[test]
    fn a_comment_alone_on_its_line_takes_the_line_with_it() {
        assert_eq!(remove("a;\n  // x\nb;\n", "// x"), "a;\nb;\n");
        assert_eq!(remove("a;\r\n\t/* x */\r\nb;\r\n", "/* x */"), "a;\r\nb;\r\n");
        assert_eq!(remove("a;\n// x", "// x"), "a;\n");
    }

    #[test]
    fn a_comment_beside_code_leaves_the_code() {
        assert_eq!(remove("fork();  // x\r\nb;\n", "// x"), "fork();\r\nb;\n");
        assert_eq!(remove("  /* x */ fork();\n", "/* x */"), "  fork();\n");
    }
}

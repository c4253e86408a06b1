//! FDL003 `fd_leaked_into_exec`: an `exec*` call while a socket without close-on-exec is open.
//! Its declaration and docs are in `lints/fd_leaked_into_exec.toml`.

use super::fixes::FileContext;
use super::short_name;
use super::story::Story;
use crate::analysis::{Connection, ExecLeak, Facts};
use crate::diagnostics::{Applicability, Diagnostic, Edit, Fix, Locate};

pub fn check(facts: &Facts, locate: Locate<'_>, context: &FileContext) -> Vec<Diagnostic> {
    let story = || Story::new(locate, facts.file);
    facts.exec_leaks.iter().map(|leak| diagnostic(leak, story(), context)).collect()
}

fn diagnostic(leak: &ExecLeak, mut story: Story<'_>, context: &FileContext) -> Diagnostic {
    let conn = &leak.connection;
    let exec = short_name(&leak.exec_callee);
    story
        .opened(conn, " without close-on-exec")
        .here(leak.exec_span, format!("`{exec}` hands it to the new program"));
    let labels = story.into_labels();
    let message = format!(
        "`{}` ({}) is not close-on-exec and leaks into the program `{exec}` runs",
        conn.name, conn.what
    );
    let help = format!(
        "open `{}` with `SOCK_CLOEXEC` (or set `FD_CLOEXEC` with `fcntl`), or close it before `{exec}`",
        conn.name
    );
    let diagnostic = Diagnostic::new("FDL003", leak.exec_span, message, labels).with_help(help);
    match add_cloexec_flag(conn, context) {
        Some(fix) => diagnostic.with_fix(fix),
        None => diagnostic,
    }
}

/// `socket(AF_INET, SOCK_STREAM, 0)` → `socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)`;
/// nix's `SockFlag::empty()` → `SockFlag::SOCK_CLOEXEC`. The flag is spelt with the path the
/// flags argument already uses (`libc::SOCK_STREAM` → `libc::SOCK_CLOEXEC`).
fn add_cloexec_flag(conn: &Connection, context: &FileContext) -> Option<Fix> {
    let (span, flag) = conn.flags.as_ref()?;
    let written = context.slice(*span);
    if written.is_empty() {
        return None;
    }
    let edit = match written.strip_suffix("empty()") {
        Some(prefix) if prefix.ends_with("::") => Edit::replace(*span, format!("{prefix}{flag}")),
        _ => {
            let flag = format!("{}{flag}", path_prefix(written));
            let simple = written.chars().all(|c| c.is_alphanumeric() || " \t_:|".contains(c));
            if simple {
                Edit::insert(span.end, format!(" | {flag}"))
            } else {
                Edit::replace(*span, format!("({written}) | {flag}"))
            }
        }
    };
    Some(Fix {
        title: format!("add `{flag}` to the flags of `{}`", short_name(&conn.opener)),
        applicability: Applicability::Unsafe,
        edits: vec![edit],
    })
}

/// The path before the last name in `written` (`libc::` in `libc::SOCK_STREAM`), or nothing.
fn path_prefix(written: &str) -> &str {
    let last = written
        .rsplit(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .find(|token| !token.is_empty())
        .unwrap_or("");
    match last.rfind("::") {
        Some(index) => &last[..index + 2],
        None => "",
    }
}

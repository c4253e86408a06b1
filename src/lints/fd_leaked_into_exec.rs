//! FDL003 `fd_leaked_into_exec`: an `exec*` call while a socket without close-on-exec is open.
//! Its declaration and docs are in `lints/fd_leaked_into_exec.toml`.

use super::short_name;
use super::story::Story;
use crate::analysis::{ExecLeak, Facts};
use crate::diagnostics::{Diagnostic, Locate};

pub fn check(facts: &Facts, locate: Locate<'_>) -> Vec<Diagnostic> {
    facts.exec_leaks.iter().map(|leak| diagnostic(leak, Story::new(locate, facts.file))).collect()
}

fn diagnostic(leak: &ExecLeak, mut story: Story<'_>) -> Diagnostic {
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
    Diagnostic::new("FDL003", leak.exec_span, message, labels).with_help(help)
}

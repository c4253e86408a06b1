//! FDL003 `fd_leaked_into_exec`: an `exec*` call while a socket without close-on-exec is open.
//! Its declaration and docs are in `lints/fd_leaked_into_exec.toml`.

use super::short_name;
use crate::analysis::{ExecLeak, Facts};
use crate::diagnostics::{Diagnostic, Label};

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    facts.exec_leaks.iter().map(diagnostic).collect()
}

fn diagnostic(leak: &ExecLeak) -> Diagnostic {
    let conn = &leak.connection;
    let exec = short_name(&leak.exec_callee);
    let labels = vec![
        Label::new(
            conn.open_span,
            format!("1: `{}` ({}) opened here without close-on-exec", conn.name, conn.what),
        ),
        Label::new(leak.exec_span, format!("2: `{exec}` hands it to the new program")),
    ];
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

//! FDL004 `fork_with_live_threads`: `fork()` while threads run in the process. Its
//! declaration and docs are in `lints/fork_with_live_threads.toml`.

use super::short_name;
use crate::analysis::{Facts, ThreadFork};
use crate::diagnostics::{Diagnostic, Label};

pub fn check(facts: &Facts) -> Vec<Diagnostic> {
    facts.thread_forks.iter().map(diagnostic).collect()
}

fn diagnostic(fork: &ThreadFork) -> Diagnostic {
    let callee = short_name(&fork.fork_callee);
    let labels = vec![
        Label::new(fork.thread_span, format!("1: {} starts a thread here", fork.thread_what)),
        Label::new(
            fork.fork_span,
            format!("2: `{callee}()` copies the process, but only the calling thread"),
        ),
    ];
    let message = format!(
        "`{callee}()` while {} runs a thread: the child gets its memory but not the thread",
        fork.thread_what
    );
    let help = format!(
        "fork before {} starts, or run the other program with `posix_spawn`/`Command::spawn`",
        fork.thread_what
    );
    Diagnostic::new("FDL004", fork.fork_span, message, labels).with_help(help)
}

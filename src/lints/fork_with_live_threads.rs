//! FDL004 `fork_with_live_threads`: `fork()` while threads run in the process. Its
//! declaration and docs are in `lints/fork_with_live_threads.toml`.

use super::short_name;
use super::story::Story;
use crate::analysis::{Facts, ThreadFork};
use crate::diagnostics::{Diagnostic, Locate};

pub fn check(facts: &Facts, locate: Locate<'_>) -> Vec<Diagnostic> {
    facts.thread_forks.iter().map(|fork| diagnostic(fork, Story::new(locate, facts.file))).collect()
}

fn diagnostic(fork: &ThreadFork, mut story: Story<'_>) -> Diagnostic {
    let callee = short_name(&fork.fork_callee);
    story.here(fork.thread_span, format!("{} starts a thread here", fork.thread_what)).forked(
        fork.fork_span,
        &fork.fork_callee,
        fork.fork_inside.as_ref(),
        "copies the process, but only the calling thread",
    );
    let labels = story.into_labels();
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

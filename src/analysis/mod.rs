//! The analysis: a forward dataflow over each function's CFG that splits the state at every
//! `fork()` into the parent and the child process and follows, per process and connection,
//! whether the connection was released, shut down or used.
//!
//! Architecture invariant: the analysis does no I/O and knows no language. It reads the IR,
//! asks the catalog what calls do, and returns facts (spans and names); lints turn the facts
//! into diagnostics.

mod batch;
mod demand;
mod engine;
mod flow;
mod fork_side;
mod idset;
mod moving;
mod open_result;
mod order;
mod reuse;
mod run;
mod sealed;
mod sorted;
mod spill;
mod state;
pub mod summary;
mod summary_table;
mod tree_names;
mod waves;

use demand::{Demand, Verdict};
use order::callees_first;
pub use run::{
    analyze_run, analyze_run_found, analyze_run_measured, FileChange, LeaveOut, LiveRun, RunFiles,
};
pub use spill::Spill;
use summary::{Seen, Summaries, Summary, SummaryEntry, SummaryView};

use serde::{Deserialize, Serialize};

use crate::catalog::{Catalog, SocketKind};
use crate::ir::{BranchEntry, Function, Language, LoweredFile, Span};

/// Which process a branch of a fork runs in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Side {
    Parent,
    Child,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Parent => "parent",
            Side::Child => "child",
        }
    }
}

/// A place in another function of the run, maybe in another file: where a callee opened a
/// connection it handed out, or where a callee forked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Located {
    /// The file's index in the run.
    pub file: usize,
    pub span: Span,
    /// The function it happened in (`registry_init`).
    pub function: String,
}

/// A connection as the analysis saw it opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Connection {
    /// The variable that holds it (`fd`, `zh`, `stream`), or the opening call's name.
    pub name: String,
    /// The opening call.
    pub open_span: Span,
    /// The callee that opened it (`socket`, `std::net::TcpStream::connect`).
    pub opener: String,
    /// What kind of connection ("socket", "ZooKeeper session").
    pub what: String,
    /// When a callee opened it and handed it out (`open_span` is then the call): the open.
    pub opened_in: Option<Located>,
    /// It was stored in a global or a field: code outside the function may reach it.
    #[serde(default)]
    pub stored: bool,
    /// A bare socket (not a client handle), and how it is held.
    #[serde(default)]
    pub socket: Option<SocketKind>,
    /// The opening call's flags argument, when the catalog names it, and the flag that makes
    /// the descriptor close-on-exec (`SOCK_CLOEXEC`).
    #[serde(default)]
    pub flags: Option<(Span, String)>,
}

/// Where and how a process went on running while it still held a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunEvent {
    pub span: Span,
    pub kind: RunKind,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RunKind {
    /// A call that may take long or that fdlint cannot see into.
    Call(String),
    /// A loop.
    Loop,
    /// The function returns, and the process goes on in its caller.
    Return,
}

/// FDL001's fact: a connection live at a fork that one or both processes keep running with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ForkLeak {
    pub function: String,
    pub fork_span: Span,
    pub fork_callee: String,
    /// When `fork_callee` is a function of the run that forks inside: the fork in it.
    pub fork_inside: Option<Located>,
    pub connection: Connection,
    /// The leaking sides, parent first, each with where it keeps running.
    pub sides: Vec<(Side, RunEvent)>,
    /// Where each side's own branch begins, when the code branches on the fork's result
    /// before doing anything else that branches.
    #[serde(default)]
    pub branches: Vec<(Side, BranchEntry)>,
    /// Where a side closes the connection with a call that is a statement of its own.
    #[serde(default)]
    pub closes: Vec<(Side, CloseSite)>,
    /// The sides that use the connection after the fork.
    #[serde(default)]
    pub users: Vec<Side>,
}

/// A call that closes a connection (`close(fd);`, `drop(stream);`), a statement of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CloseSite {
    /// The whole call.
    pub call: Span,
    /// The argument that names the connection.
    pub arg: Span,
}

/// FDL003's fact: an exec while a socket without close-on-exec is open in the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExecLeak {
    pub exec_span: Span,
    pub exec_callee: String,
    pub connection: Connection,
}

/// FDL002's fact: after a fork, both processes use one connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SharedUse {
    pub fork_span: Span,
    pub fork_callee: String,
    pub fork_inside: Option<Located>,
    pub connection: Connection,
    pub parent_use: Span,
    pub child_use: Span,
}

/// FDL004's fact: a fork while threads run in the process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ThreadFork {
    pub fork_span: Span,
    pub fork_callee: String,
    pub fork_inside: Option<Located>,
    /// Where the thread (or runtime, or client with an I/O thread) was started.
    pub thread_span: Span,
    /// What runs the thread, for messages ("`std::thread::spawn`", "the ZooKeeper session").
    pub thread_what: String,
}

/// Everything the analysis found in one file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    /// The file's index in the run, to tell its own spans from other files'.
    pub file: usize,
    pub leaks: Vec<ForkLeak>,
    pub exec_leaks: Vec<ExecLeak>,
    pub shared_uses: Vec<SharedUse>,
    pub thread_forks: Vec<ThreadFork>,
}

impl Facts {
    /// Nothing found yet in file `file`.
    pub fn none_in(file: usize) -> Self {
        Facts { file, ..Facts::default() }
    }

    /// Adds what `more` (of the same file) found after what is known.
    pub fn extend(&mut self, more: Facts) {
        self.leaks.extend(more.leaks);
        self.exec_leaks.extend(more.exec_leaks);
        self.shared_uses.extend(more.shared_uses);
        self.thread_forks.extend(more.thread_forks);
    }

    /// Nothing found: no lint can say anything about the file.
    pub fn is_empty(&self) -> bool {
        self.leaks.is_empty()
            && self.exec_leaks.is_empty()
            && self.shared_uses.is_empty()
            && self.thread_forks.is_empty()
    }
}

/// How much work the analysis of a run did, counted rather than timed, so a test can tell
/// when it stops growing in proportion to the input.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Work {
    /// Files analysed, counting each round a file is analysed again.
    pub file_analyses: usize,
    /// Statements run through the dataflow (once per process reaching them, per visit), and
    /// edges walked back to find which loops can end.
    pub statements: usize,
    /// The run left out functions no finding needed, found the name scan it went by wrong,
    /// and analysed everything again (the work counts both).
    pub unsound: bool,
}

/// What the analysis of one file produced.
pub struct FileAnalysis {
    pub facts: Facts,
    /// The summaries of its functions, in the file's order.
    pub entries: Vec<SummaryEntry>,
    /// Statements the dataflow ran.
    pub statements: usize,
    /// The lookups of other functions' summaries it made, and what they found.
    pub seen: Vec<Seen>,
    /// A function's IR called what the run's name scan did not see, so a function it left
    /// out may matter (`demand.rs`).
    pub unsound: bool,
}

/// Analyses every function of one file with the summaries known so far. The functions are
/// analysed callees first, so a call within the file finds the summary of this analysis.
pub fn analyze_file(
    file: &LoweredFile,
    language: Language,
    catalog: &Catalog,
    summaries: &Summaries,
    file_id: usize,
) -> FileAnalysis {
    analyze_file_demanded(file, language, catalog, summaries, file_id, None)
}

/// `analyze_file`, leaving out the functions no finding of the run depends on.
pub(super) fn analyze_file_demanded(
    file: &LoweredFile,
    language: Language,
    catalog: &Catalog,
    summaries: &Summaries,
    file_id: usize,
    demand: Option<&Demand>,
) -> FileAnalysis {
    let mut view = SummaryView::new(summaries, file_id);
    let mut results: Vec<Option<(Facts, Summary)>> = vec![None; file.functions.len()];
    let (mut statements, mut unsound) = (0, false);
    for index in callees_first(file) {
        let function = &file.functions[index];
        match demand.map_or(Verdict::Analyse, |demand| demand.verdict(language, function)) {
            Verdict::Skip => continue,
            Verdict::Unsound => unsound = true,
            Verdict::Analyse => {}
        }
        let (function_facts, summary, visited) =
            analyze_one(function, file, language, catalog, &view, file_id);
        statements += visited;
        let entry =
            SummaryEntry { name: function.name.clone(), file: file_id, summary: summary.clone() };
        view.add_own(language, entry);
        results[index] = Some((function_facts, summary));
    }
    let (facts, entries) = file_results(file, file_id, results);
    FileAnalysis { facts, entries, statements, seen: view.into_seen(), unsound }
}

/// Analyses one function of `file` with the summaries `view` finds.
fn analyze_one(
    function: &Function,
    file: &LoweredFile,
    language: Language,
    catalog: &Catalog,
    view: &SummaryView<'_>,
    file_id: usize,
) -> (Facts, Summary, usize) {
    let context = engine::Context {
        catalog,
        language,
        globs: &file.glob_imports,
        summaries: view,
        file: file_id,
    };
    engine::analyze_function(function, &context)
}

/// The file's facts and summaries from its functions' (in the file's order), for those
/// analysed.
fn file_results(
    file: &LoweredFile,
    file_id: usize,
    results: Vec<Option<(Facts, Summary)>>,
) -> (Facts, Vec<SummaryEntry>) {
    let mut facts = Facts::none_in(file_id);
    let mut entries = Vec::with_capacity(file.functions.len());
    let analysed = file.functions.iter().zip(results).filter_map(|(f, r)| Some((f, r?)));
    for (function, (function_facts, summary)) in analysed {
        facts.extend(function_facts);
        entries.push(SummaryEntry { name: function.name.clone(), file: file_id, summary });
    }
    (facts, entries)
}
